#!/usr/bin/env python3
"""sigv4_oracle.py - an independent check of the SigV4 vectors in tests/data/aws4.

The C signer (src/cloud/sigv4.c) is tested against the files in tests/data/aws4
by tests/unit/test_sigv4.c. This script checks the same files against
botocore's SigV4Auth (and the key chain against Python's hmac), so neither the
expected values nor the C code rest on memory alone.

  python3 tests/tools/sigv4_oracle.py            # check every case; exit 1 on a mismatch
  python3 tests/tools/sigv4_oracle.py --print N  # print botocore's creq/sts/authz for case N
  python3 tests/tools/sigv4_oracle.py --chain    # print the key chains of keys.txt

Exit 77 when botocore is not importable (the tests report a skip).
"""
import datetime
import hashlib
import hmac
import os
import sys
from unittest import mock

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data", "aws4")

try:
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError:
    print("sigv4_oracle: botocore is not importable; skipped")
    sys.exit(77)


def read(name, ext):
    with open(os.path.join(DATA, name + "." + ext), "rb") as f:
        return f.read().decode("utf-8")


def cases():
    with open(os.path.join(DATA, "cases.txt")) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                name, akid, secret, region, service, when, token = line.split()
                yield name, akid, secret, region, service, when, None if token == "-" else token


def parse_req(text):
    """A test-suite .req: request line, headers, blank line, body."""
    head, _, body = text.partition("\n\n")
    lines = head.split("\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = []
    for line in lines[1:]:
        if not line:
            continue
        name, _, value = line.partition(":")
        headers.append((name, value))
    return method, target, headers, body


def botocore_sign(name, akid, secret, region, service, when, token):
    method, target, headers, body = parse_req(read(name, "req"))
    host = [v for n, v in headers if n.lower() == "host"][0]
    req = AWSRequest(method=method, url="https://" + host + target, data=body.encode() or None)
    for n, v in headers:
        # the date and token are what botocore adds itself; they must agree
        if n.lower() not in ("x-amz-date", "x-amz-security-token"):
            req.headers[n] = v
    t = datetime.datetime.strptime(when, "%Y%m%dT%H%M%SZ")
    auth = botocore.auth.SigV4Auth(Credentials(akid, secret, token), service, region)
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=t):
        auth.add_auth(req)
        authz = req.headers["Authorization"]
        del req.headers["Authorization"]   # what was signed did not hold it
        creq = auth.canonical_request(req)
        sts = auth.string_to_sign(req, creq)
    return creq, sts, authz


def chain(secret, date8, region, service):
    def h(key, msg):
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()
    k_date = h(("AWS4" + secret).encode(), date8)
    k_region = h(k_date, region)
    k_service = h(k_region, service)
    return [k.hex() for k in (k_date, k_region, k_service, h(k_service, "aws4_request"))]


def main(argv):
    if len(argv) == 3 and argv[1] == "--print":
        for c in cases():
            if c[0] == argv[2]:
                creq, sts, authz = botocore_sign(*c)
                print(f"--- creq\n{creq}\n--- sts\n{sts}\n--- authz\n{authz}")
                return 0
        print(f"no case {argv[2]}")
        return 2
    fails = 0
    with open(os.path.join(DATA, "keys.txt")) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            secret, date8, region, service, *want = line.split()
            got = chain(secret, date8, region, service)
            if len(argv) == 2 and argv[1] == "--chain":
                print(secret, date8, region, service, *got)
            for label, w, g in zip(("kDate", "kRegion", "kService", "kSigning"), want, got):
                if w != "-" and w != g:
                    print(f"FAIL keys {date8}/{region}/{service} {label}: file {w}, hmac {g}")
                    fails += 1
    n = 0
    for c in cases():
        creq, sts, authz = botocore_sign(*c)
        for ext, got in (("creq", creq), ("sts", sts), ("authz", authz)):
            want = read(c[0], ext)
            if want != got:
                print(f"FAIL {c[0]}.{ext}:\n--- file\n{want}\n--- botocore\n{got}")
                fails += 1
        n += 1
    print(f"sigv4_oracle: {n} cases, botocore {botocore.__version__}: "
          f"{'all agree' if not fails else str(fails) + ' mismatches'}")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
