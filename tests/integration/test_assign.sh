#!/usr/bin/env bash
# Assignment strategies over the HTTP API: least_loaded (the default; fewest
# users, ties by name), round_robin (a rotation whose cursor lives in the
# store and survives a restart), department (the config's map), manual; closed
# accounts are skipped; every change lands in the history, and its stats
# break it down by strategy; the config's assignment.auto picks the strategy
# for users without an account (none: only an admin assigns).
. "$(dirname "$0")/common.sh"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/deps.sh installs it)"
cat >"$TMP/riskdesk.json" <<JSON
{"database": "sqlite:$TMP/rd.db",
 "assignment": {"departments": {"options": "beta", "rates": "gamma", "fx": "nowhere"}},
 "accounts": [
  {"name": "gamma", "tier": "auto", "starting_cash": "5000"},
  {"name": "alpha", "tier": "auto", "starting_cash": "5000"},
  {"name": "beta", "tier": "auto", "starting_cash": "5000"}]}
JSON
C=(--config "$TMP/riskdesk.json")

trap 'stop_server; rm -rf "$TMP"' EXIT
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role admin --user alice
ADMIN=$(cat "$TMP/out")
keep_token ADMIN
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role viewer --user vera
VIEWER=$(cat "$TMP/out")
keep_token VIEWER
start_server "$TMP/s"

for u in u1 u2 u3 u4 u5 u6 u7; do
  r POST /api/v1/users "$ADMIN" "{\"id\":\"$u\",\"display_name\":\"$u\"}"; expect 201
done
r PATCH /api/v1/users/u6 "$ADMIN" '{"department":"options"}'; expect 200
r PATCH /api/v1/users/u7 "$ADMIN" '{"department":"fx"}'; expect 200

# least_loaded is the default when no account is named; ties go by name
r PUT /api/v1/users/u1/assignment "$ADMIN" '{}'; expect 200 '"account":"alpha"' '"strategy":"least_loaded"'
r PUT /api/v1/users/u2/assignment "$ADMIN" '{"strategy":"least_loaded"}'; expect 200 '"account":"beta"'
r PUT /api/v1/users/u3/assignment "$ADMIN" '{"reason":"new desk"}'; expect 200 '"account":"gamma"' '"reason":"new desk"'
r PUT /api/v1/users/u4/assignment "$ADMIN" '{}'; expect 200 '"account":"alpha"'
# reassigning a user does not count them against their own account
r PUT /api/v1/users/u4/assignment "$ADMIN" '{"strategy":"least_loaded"}'; expect 200 '"account":"alpha"' '"previous":"alpha"'
# an account named without a strategy is still manual
r PUT /api/v1/users/u4/assignment "$ADMIN" '{"account":"gamma"}'; expect 200 '"strategy":"manual"' '"previous":"alpha"'
# alpha 1, beta 1, gamma 2: the tie goes to alpha
r PUT /api/v1/users/u5/assignment "$ADMIN" '{"strategy":"least_loaded"}'; expect 200 '"account":"alpha"'

# round_robin: a rotation in name order, whatever the loads are
r PUT /api/v1/users/u1/assignment "$ADMIN" '{"strategy":"round_robin"}'; expect 200 '"account":"alpha"' '"strategy":"round_robin"'
r PUT /api/v1/users/u2/assignment "$ADMIN" '{"strategy":"round_robin"}'; expect 200 '"account":"beta"'
# the cursor survives a restart (it lives in the store)
stop_server; start_server "$TMP/s"
r PUT /api/v1/users/u3/assignment "$ADMIN" '{"strategy":"round_robin"}'; expect 200 '"account":"gamma"'
r PUT /api/v1/users/u5/assignment "$ADMIN" '{"strategy":"round_robin"}'; expect 200 '"account":"alpha"'

# department: the config's map
r PUT /api/v1/users/u6/assignment "$ADMIN" '{"strategy":"department"}'; expect 200 '"account":"beta"' '"strategy":"department"'
r PUT /api/v1/users/u7/assignment "$ADMIN" '{"strategy":"department"}'; expect 404 nowhere
r PUT /api/v1/users/u1/assignment "$ADMIN" '{"strategy":"department"}'; expect 409 no_department
r PATCH /api/v1/users/u7 "$ADMIN" '{"department":"rates"}'; expect 200
# closed accounts are skipped by every strategy
r DELETE /api/v1/accounts/gamma "$ADMIN"; expect 200 '"closed":true'
r PUT /api/v1/users/u7/assignment "$ADMIN" '{"strategy":"department"}'; expect 409 account_closed
r PUT /api/v1/users/u7/assignment "$ADMIN" '{"strategy":"round_robin"}'; expect 200 '"account":"beta"'
r PUT /api/v1/users/u7/assignment "$ADMIN" '{"strategy":"round_robin"}'; expect 200 '"account":"alpha"'
r PUT /api/v1/users/u7/assignment "$ADMIN" '{"strategy":"round_robin"}'; expect 200 '"account":"beta"'
# users now: u1 alpha, u2 beta, u3 gamma, u4 gamma, u5 alpha, u6 beta, u7 beta
r PUT /api/v1/users/u7/assignment "$ADMIN" '{"strategy":"least_loaded"}'; expect 200 '"account":"alpha"'
r PUT /api/v1/users/u7/assignment "$ADMIN" '{"account":"gamma"}'; expect 409 account_closed
r PUT /api/v1/users/u7/assignment "$ADMIN" '{"strategy":"by_horoscope"}'
expect 400 "manual, least_loaded, round_robin, department"

# a viewer cannot assign; nothing changed on refusals
r PUT /api/v1/users/u7/assignment "$VIEWER" '{"strategy":"least_loaded"}'; expect 403
r GET /api/v1/users/u7/assignment "$VIEWER"; expect 200 '"account":"alpha"' '"strategy":"least_loaded"'

# history: who, when, from, to, why, strategy
r GET "/api/v1/assignments?user=u4" "$VIEWER"; expect 200
jcheck '[(a["previous"], a["account"], a["strategy"]) for a in d["assignments"]] == [("alpha", "gamma", "manual"), ("alpha", "alpha", "least_loaded"), (None, "alpha", "least_loaded")]'
jcheck 'all(a["assigned_by"] == "alice" and a["at"] for a in d["assignments"])'
r GET /api/v1/assignments/stats "$VIEWER"; expect 200
jcheck '{a["account"]: a["users"] for a in d["accounts"]} == {"gamma": 2, "alpha": 3, "beta": 2}'
# utilisation: the account's share of the assigned users; trades and orders per account
jcheck '{a["account"]: a["utilisation"] for a in d["accounts"]} == {"gamma": "0.285714", "alpha": "0.428571", "beta": "0.285714"}'
jcheck 'all(a["trades"] == 0 and a["orders"] == 0 for a in d["accounts"]) and d["users"] == 7'
# the history by strategy: what GET /api/v1/assignments lists, counted
cp "$TMP/body" "$TMP/stats"
r GET "/api/v1/assignments?limit=1000" "$VIEWER"; expect 200
python3 - "$TMP/stats" "$TMP/body" <<'PY' && ok || bad "by_strategy: $(cat "$TMP/stats")"
import collections, json, sys
st = json.load(open(sys.argv[1]))
hist = collections.Counter(a["strategy"] for a in json.load(open(sys.argv[2]))["assignments"])
assert st["auto"] == "least_loaded", st
assert st["by_strategy"] == {k: hist.get(k, 0) for k in ("manual", "least_loaded", "round_robin", "department")}, (st, hist)
assert all(st["by_strategy"][k] > 0 for k in st["by_strategy"]), st
PY
stop_server

# assignment.auto: the strategy that assigns a user without an account (a
# PUT naming neither account nor strategy, and a first trade)
AT=2026-11-20T15:30:00Z
OPT=AAPL261218C00200000
with_auto() {
  python3 - "$TMP/riskdesk.json" "$1" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["assignment"]["auto"] = sys.argv[2]
json.dump(c, open(sys.argv[1], "w"))
PY
}
with_auto round_robin
start_server "$TMP/s" --at "$AT"
for u in u8 u9; do
  r POST /api/v1/users "$ADMIN" "{\"id\":\"$u\",\"display_name\":\"$u\"}"; expect 201
done
r PUT /api/v1/users/u8/assignment "$ADMIN" '{}'; expect 200 '"strategy":"round_robin"'
r POST /api/v1/trade "$ADMIN" "{\"symbol\":\"$OPT\",\"action\":\"call\",\"limit\":\"2.50\",\"at\":\"$AT\",\"dry_run\":true,\"user\":\"u9\"}"
expect 200 '"assigned_now":true'
r GET "/api/v1/assignments?user=u9" "$VIEWER"; expect 200
jcheck '[(a["strategy"], a["reason"]) for a in d["assignments"]] == [("round_robin", "first trade")]'
r GET /api/v1/assignments/stats "$VIEWER"; expect 200 '"auto":"round_robin"'
stop_server
# none: only an admin assigns; a first trade is refused and assigns nothing
with_auto none
start_server "$TMP/s" --at "$AT"
r POST /api/v1/users "$ADMIN" '{"id":"u10","display_name":"u10"}'; expect 201
r POST /api/v1/trade "$ADMIN" "{\"symbol\":\"$OPT\",\"action\":\"call\",\"limit\":\"2.50\",\"at\":\"$AT\",\"dry_run\":true,\"user\":\"u10\"}"
expect 409 no_account 'assignment.auto is \"none\"'
r PUT /api/v1/users/u10/assignment "$ADMIN" '{}'; expect 400 'assignment.auto is \"none\"'
r GET /api/v1/users/u10/assignment "$VIEWER"; expect 200 '"account":null'
r PUT /api/v1/users/u10/assignment "$ADMIN" '{"account":"beta"}'; expect 200 '"strategy":"manual"'
r GET /api/v1/assignments/stats "$VIEWER"; expect 200 '"auto":"none"'
stop_server
# a value that is no strategy: every command refuses the config, naming it
with_auto fastest
expect_rc 1 "$RD_BIN" config check "${C[@]}"
expect_in "$TMP/err" 'assignment.auto: "fastest"; expected "least_loaded", "round_robin", "department" or "none"'

finish
