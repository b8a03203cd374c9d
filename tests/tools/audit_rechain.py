#!/usr/bin/env python3
"""What an attacker with the database could do to the audit trail: edit a
decision, then recompute its entry's record hash and every later entry of the
chain, so that the chain is consistent again. Written from docs/audit.md's
canonical forms alone (so it also checks the docs): used by
tests/integration/test_audit.sh to show that `audit verify --anchor` catches
what a plain verify cannot.

usage: audit_rechain.py SQL-RUNNER... -- DECISION_ID
SQL-RUNNER is a command reading SQL on stdin and printing tab-separated rows
(NULL as ""): sqlite3 -separator $'\\t' DB, or psql -X -A -t -F $'\\t' -d URL.
"""
import hashlib
import json
import subprocess
import sys


def canon(kind, fields):
    out = b"riskdesk-record-v1\n" + kind.encode() + b"\n"
    for name, value in fields:
        v = str(value).encode()
        out += name.encode() + b"=" + str(len(v)).encode() + b":" + v + b"\n"
    return hashlib.sha256(out).hexdigest()


def main():
    sep = sys.argv.index("--")
    runner, decision_id = sys.argv[1:sep], sys.argv[sep + 1]

    def sql(text):
        res = subprocess.run(runner, input=text, capture_output=True, text=True, check=True)
        return [line.split("\t") for line in res.stdout.splitlines() if line]

    cols = ("id, account, rec_id, decided_at, approved, size, first_failed, budget, unit_risk, "
            "unit_cost, risk_pct, kelly_used, verdicts")
    (row,) = sql(f"SELECT {cols} FROM decisions WHERE id = {int(decision_id)};")
    names = [c.strip() for c in cols.split(",")]
    record = canon("decision", list(zip(names, row)))
    chain = "account:" + row[1]
    # the entries through the audit_entries view, the packs' bounds from
    # audit_packs (docs/audit.md, "Storage")
    entries = sql("SELECT seq, at, actor, kind, subject, record_hash, hash FROM "
                  f"audit_entries WHERE chain = '{chain}' ORDER BY seq;")
    packs = sql("SELECT first_seq, last_seq, prev_hash FROM audit_packs "
                f"WHERE chain = '{chain}' ORDER BY last_seq;")
    last = max(int(e[0]) for e in entries if e[3] == "decision" and e[4] == decision_id)
    prev = None
    new = {}
    for seq, at, actor, kind, subject, rh, h in entries:
        seq = int(seq)
        if seq >= last:
            if seq == last:
                rh = record
            h = canon("audit-entry", [("chain", chain), ("seq", seq), ("at", at),
                                      ("actor", actor), ("kind", kind), ("subject", subject),
                                      ("record", rh), ("prev", prev)])
        new[seq] = {"seq": seq, "at": int(at), "actor": actor, "kind": kind, "subject": subject,
                    "record_hash": rh, "hash": h}
        prev = h
    updates = []
    for first, end, prev_hash in packs:
        first, end = int(first), int(end)
        if end < last:
            continue
        objs = [json.dumps(new[q], separators=(",", ":"), ensure_ascii=False)
                for q in range(first, end + 1)]
        text = ("[" + ",\n".join(objs) + "]").replace("'", "''")
        if first > 1:
            prev_hash = new[first - 1]["hash"]
        updates.append(f"UPDATE audit_packs SET prev_hash = '{prev_hash}', "
                       f"hash = '{new[end]['hash']}', entries = '{text}' "
                       f"WHERE chain = '{chain}' AND last_seq = {end};")
    sql("BEGIN;\n" + "\n".join(updates) + "\nCOMMIT;\n")
    head = new[max(new)]["hash"]
    print(f"rewrote {len(new) - last + 1} entries of {chain} from #{last}; new head {head}")


if __name__ == "__main__":
    main()
