#!/usr/bin/env python3
"""api_roles.py - every route of docs/openapi.yaml called over HTTP by five
callers (no token, a viewer, a trader of another account, a trader of the
account the route is about, an admin), each answer checked against the
route's documented weakest role (x-min-role). Driven by
tests/integration/test_api_roles.sh, which sets up the server and its data.

  api_roles.py OPENAPI ROUTES PORT TOKENS_JSON

ROUTES is `riskdesk serve --routes` output; TOKENS_JSON holds the callers'
tokens, the id of a spare token for the revoke route, the decision id of
the trader's account and a fork and a consolidation assessment to approve. The Slack signing secret comes in $SLACK_SIGNING_SECRET.

What each caller must get, from the role the yaml documents:
  no token                 401 missing_token, unless the route is public
  a role below the route's 403 forbidden
  a trader, another's      403 or 404 where the route is about one account or
                           user (FIXTURES' "owner"); 404 keeps a
                           recommendation's id from leaking
  anyone else              the route's success (2xx), or the statuses a
                           fixture lists for a reason it gives; a list
                           shows the trader of the account its items and
                           the other trader none of them
A route the yaml lists but the server does not (or with another role), or
the other way round, or without a fixture here, fails the run.
"""
import hashlib
import hmac
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import yaml

ROLES = ["public", "viewer", "trader", "admin"]
CALLERS = [  # (name, role, which trader)
    ("no token", "public", None),
    ("viewer", "viewer", None),
    ("trader of another account", "trader", "other"),
    ("trader of this account", "trader", "own"),
    ("admin", "admin", None),
]
REC = {"underlying": "MSFT", "symbol": "MSFT", "action": "BUY_STOCK", "strategy": "day",
       "confidence": 0.8, "volume_ratio": 1.5, "price": "410.25",
       "created_at": "2026-11-20T15:30:00Z"}

# "METHOD /path" -> how to call it. owner: "account" or "user" when the route
# is about the trader's account (tiny) or user (bob): the other trader (carol,
# on large) must be refused. query: the query string's parameters. private: text of tiny's or bob's that a list
# shows the trader of this account and never the other one. Mutating admin
# routes work on the spare account and user so that the rest of the table
# still sees tiny and bob as they were.
FIXTURES = {
    "GET /healthz": {},
    "GET /readyz": {},
    "GET /metrics": {},
    "GET /api/v1/accounts": {"private": '"name":"tiny"'},
    "POST /api/v1/accounts": {"body": lambda: {"name": "made%d" % next_n(), "tier": "auto",
                                               "starting_cash": "3000"}},
    "GET /api/v1/accounts/{id}": {"path": {"id": "tiny"}, "owner": "account"},
    "PATCH /api/v1/accounts/{id}": {"path": {"id": "spare"}, "body": {"state": "ACTIVE"}},
    "DELETE /api/v1/accounts/{id}": {"path": {"id": "spare"}},
    "GET /api/v1/accounts/{id}/positions": {"path": {"id": "tiny"}, "owner": "account"},
    "GET /api/v1/accounts/{id}/decisions": {"path": {"id": "tiny"}, "owner": "account"},
    "GET /api/v1/accounts/{id}/orders": {"path": {"id": "tiny"}, "owner": "account"},
    "GET /api/v1/accounts/{id}/config": {"path": {"id": "tiny"}, "owner": "account"},
    "GET /api/v1/accounts/{id}/performance": {"path": {"id": "tiny"}, "owner": "account"},
    "GET /api/v1/tiers": {},
    "GET /api/v1/recommendations": {"private": '"id":"tiny-1"'},
    "POST /api/v1/recommendations": {"body": lambda: dict(REC, id="posted-%d" % next_n())},
    "GET /api/v1/recommendations/{id}": {"path": {"id": "tiny-1"}, "owner": "account"},
    "GET /api/v1/decisions/{id}": {"path": {"id": "$decision"}, "owner": "account"},
    "GET /api/v1/users": {"private": '"id":"bob"'},
    "POST /api/v1/users": {"body": lambda: {"id": "new%d" % next_n(), "display_name": "New"}},
    "GET /api/v1/users/{id}": {"path": {"id": "bob"}, "owner": "user"},
    "PATCH /api/v1/users/{id}": {"path": {"id": "sam"}, "body": {"display_name": "Sam S."}},
    "GET /api/v1/users/{id}/assignment": {"path": {"id": "bob"}, "owner": "user"},
    "PUT /api/v1/users/{id}/assignment": {"path": {"id": "sam"}, "body": {"account": "large"}},
    "DELETE /api/v1/users/{id}/assignment": {"path": {"id": "sam"}},
    "GET /api/v1/assignments": {"private": '"user":"bob"'},
    "GET /api/v1/assignments/stats": {},
    "DELETE /api/v1/tokens/{id}": {"path": {"id": "$spare_token"}},
    # a trader trades only as themselves: bob's trade is carol's to refuse
    "POST /api/v1/trade": {"owner": "user",
                           "body": {"user": "bob", "symbol": "MSFT", "action": "buy", "qty": 1,
                                    "limit": "410.25", "dry_run": True}},
    "POST /slack/commands": {"slack": "/accounts"},
    # an interaction riskdesk does not act on is acknowledged, signed like a command
    "POST /slack/interactions": {"slack_payload": {"type": "block_actions",
                                                   "user": {"id": "UROLES"}}},
    "GET /api/v1/performance/dashboard": {"private": '"account":"tiny"'},
    "GET /api/v1/performance/snapshots": {"private": '"account":"tiny"'},
    # a comparison needs two accounts and a trader sees one: docs/metrics.md
    # answers an account not the caller's with 404, as if it did not exist
    "POST /api/v1/performance/compare": {"body": {"accounts": ["tiny", "large"]},
                                         "trader_ok": {404}},
    # what-if replay: the account is in the body; a trader replays only their own
    "POST /api/v1/replay": {"owner": "account",
                            "body": {"account": "tiny", "from": "2026-11-01", "to": "2026-11-30",
                                     "risk": {"max_open_positions": 1}}},
    # the audit chain of tiny: the trader of large is refused it
    "GET /api/v1/audit": {"query": {"account": "tiny"}, "owner": "account"},
    # the hierarchy: tiny is a gen node (reads about it are its trader's);
    # money moves and forks are the admin's, each under a new Idempotency-Key;
    # "node" may fork, "node2"'s fork waits for approval (assessment $assessment)
    "GET /api/v1/accounts/{id}/hierarchy": {"path": {"id": "tiny"}, "owner": "account"},
    "GET /api/v1/accounts/{id}/ledger": {"path": {"id": "tiny"}, "owner": "account"},
    "POST /api/v1/accounts/{id}/deposits": {"path": {"id": "tiny"}, "owner": "account",
                                            "body": {"amount": "1.00"}, "key": True},
    "POST /api/v1/accounts/{id}/withdrawals": {"path": {"id": "tiny"}, "owner": "account",
                                               "body": {"amount": "0.50"}, "key": True},
    "GET /api/v1/ledger/verify": {},
    "GET /api/v1/forking/opportunities": {},
    "GET /api/v1/forking/status": {},
    "POST /api/v1/forking/assess": {"body": {"account": "node"}},
    "POST /api/v1/forking/execute": {"body": {"account": "node", "force": True}, "key": True},
    "POST /api/v1/forking/{id}/approve": {"path": {"id": "$assessment"}, "key": True},
    # consolidation: node3.f1 (node3's fork) consolidates into node3 by parts,
    # a partial one of node4.f1 waits for approval (assessment $merge_assessment)
    "GET /api/v1/consolidation/opportunities": {},
    "GET /api/v1/consolidation/status": {},
    "POST /api/v1/consolidation/assess": {"body": {"account": "node3.f1",
                                                   "strategy": "parent"}},
    "POST /api/v1/consolidation/execute": {"body": {"account": "node3.f1", "strategy": "partial",
                                                    "amount": "1", "force": True},
                                           "key": True},
    "POST /api/v1/consolidation/{id}/approve": {"path": {"id": "$merge_assessment"},
                                                "key": True},
    "GET /api/v1/performance/hierarchy": {"query": {"root": "tiny"}, "owner": "account"},
    "GET /": {},
    "GET /static/{file}": {"path": {"file": "app.js"}},
}

counter = [0]


def next_n():
    counter[0] += 1
    return counter[0]


def spec_routes(path):
    """(method, path) -> x-min-role, from the yaml's paths."""
    spec = yaml.safe_load(open(path))
    out = {}
    for p, ops in spec["paths"].items():
        for method, op in ops.items():
            if method in ("get", "post", "put", "patch", "delete"):
                out[(method.upper(), p)] = op.get("x-min-role", "(none)")
    return out


def served_routes(path):
    out = {}
    for line in open(path):
        method, p, role = line.split()
        out[(method, p)] = role
    return out


def request(port, method, path, token, body=None, headers=None):
    data = None
    hdrs = dict(headers or {})
    if token:
        hdrs["Authorization"] = "Bearer " + token
    if isinstance(body, (bytes, str)):
        data = body.encode() if isinstance(body, str) else body
    elif body is not None:
        data = json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=data, headers=hdrs,
                                 method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def slack_call(port, token, path, fields):
    body = urllib.parse.urlencode(fields)
    secret = os.environ["SLACK_SIGNING_SECRET"]
    ts = str(int(time.time()))
    sig = "v0=" + hmac.new(secret.encode(), ("v0:%s:%s" % (ts, body)).encode(),
                           hashlib.sha256).hexdigest()
    return request(port, "POST", path, token, body,
                   {"Content-Type": "application/x-www-form-urlencoded",
                    "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig})


def error_code(body):
    try:
        return json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


def expected(min_role, fx, role, which):
    """The statuses this caller may get, and why, from the documented role."""
    if role == "public" and min_role != "public":
        return {401}, "no token on a %s route" % min_role, "missing_token"
    if ROLES.index(role) < ROLES.index(min_role):
        return {403}, "a %s where the route needs %s" % (role, min_role), "forbidden"
    if which == "other" and fx.get("owner"):
        return {403, 404}, "a trader on another's %s" % fx["owner"], None
    if role == "trader" and "trader_ok" in fx:
        return fx["trader_ok"], "a trader (see the fixture)", None
    return set(range(200, 300)), "allowed (%s route)" % min_role, None


def main(argv):
    spec = spec_routes(argv[1])
    served = served_routes(argv[2])
    port = int(argv[3])
    tokens = json.load(open(argv[4]))
    fails = []

    for key in sorted(set(spec) | set(served)):
        name = "%s %s" % key
        if key not in served:
            fails.append("%s: in docs/openapi.yaml, not served (serve --routes)" % name)
        elif key not in spec:
            fails.append("%s: served, not in docs/openapi.yaml" % name)
        elif spec[key] != served[key]:
            fails.append("%s: x-min-role %s in the yaml, %s in the server" %
                         (name, spec[key], served[key]))
        if key in spec and name not in FIXTURES:
            fails.append("%s: no fixture in tests/tools/api_roles.py: say how to call it" % name)
    for name in FIXTURES:
        if tuple(name.split(" ", 1)) not in spec:
            fails.append("%s: a fixture for a route docs/openapi.yaml does not list" % name)

    checked = 0
    for (method, pattern), min_role in spec.items():
        fx = FIXTURES.get("%s %s" % (method, pattern))
        if fx is None:
            continue
        path = pattern
        for param, value in fx.get("path", {}).items():
            if value.startswith("$"):
                value = str(tokens[value[1:]])
            path = path.replace("{%s}" % param, value)
        if "query" in fx:
            path += "?" + urllib.parse.urlencode(fx["query"])
        for caller, role, which in CALLERS:
            token = tokens[caller] if role != "public" else None
            if "slack" in fx:
                st, body = slack_call(port, token, "/slack/commands",
                                      {"team_id": "T1", "channel_id": "C1", "user_id": "UROLES",
                                       "user_name": "roles", "command": fx["slack"], "text": "",
                                       "trigger_id": "1.2.3"})
            elif "slack_payload" in fx:
                st, body = slack_call(port, token, "/slack/interactions",
                                      {"payload": json.dumps(fx["slack_payload"])})
            else:
                b = fx.get("body")
                hdrs = {"Idempotency-Key": "roles-%d" % next_n()} if fx.get("key") else None
                st, body = request(port, method, path, token,
                                   b() if callable(b) else b, hdrs)
            want, why, code = expected(min_role, fx, role, which)
            got_code = error_code(body)
            line = "%-7s %-40s %-27s %s" % (method, path, caller, st)
            checked += 1
            if st not in want:
                fails.append("%s: wanted %s (%s): %s" % (line, "/".join(map(str, sorted(want)))
                             if len(want) < 5 else "2xx", why, body[:200].decode("utf-8", "replace")))
            elif code and got_code != code:
                fails.append("%s: error code %s, wanted %s" % (line, got_code, code))
            elif st == 403 and got_code not in ("forbidden", "forbidden_account", "forbidden_user"):
                fails.append("%s: a 403 with code %s" % (line, got_code))
            elif st < 300 and "private" in fx and role == "trader" and \
                    (fx["private"].encode() in body) != (which == "own"):
                fails.append("%s: %s %s" % (line, "shows" if which == "other" else "lacks",
                                            fx["private"]))
            else:
                print("ok   " + line)
    for f in fails:
        print("FAIL " + f)
    print("%d routes, %d calls, %d failures" % (len(spec), checked, len(fails)))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
