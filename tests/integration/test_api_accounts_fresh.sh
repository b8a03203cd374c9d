#!/usr/bin/env bash
# GET /api/v1/accounts answers from the server's copy of each account's JSON
# when nothing it is made of changed (src/api/account_json.c). Every write
# that changes what the list shows is in the very next answer, asked at once
# after the write: an account's state set and cleared, closed and opened
# again, made, its configuration changed, a trader's assignment moved, and
# the broker's numbers an in-process dispatcher publishes after a fill. Each
# list is read twice before a write so that the copy is what answers.
# (The second server's view: test_api_servers.sh.)
. "$(dirname "$0")/common.sh"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/deps.sh installs it)"
trap 'stop_server; rm -rf "$TMP"' EXIT
write_config
C=(--config "$TMP/riskdesk.json")
AT=2026-11-20T15:30:00Z
OPT=AAPL261218C00200000

expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role admin --user alice
ADMIN=$(cat "$TMP/out")
keep_token ADMIN
LOG_LEVEL=info start_server "$TMP/s" --dispatch large --interval 3600 --at "$AT"

# list TOKEN: GET /api/v1/accounts twice (the second from the copy), 200 both
list() {
  r GET /api/v1/accounts "$1"; expect 200
  cp "$TMP/body" "$TMP/first"
  r GET /api/v1/accounts "$1"; expect 200
  # (the broker's numbers may be asked again between the two: when is left out)
  python3 - "$TMP/first" "$TMP/body" <<'PY' && ok || bad "two reads with nothing written between differ"
import json, sys
a, b = ([{k: v for k, v in x.items() if k != "numbers_at"} for x in json.load(open(f))["accounts"]]
        for f in sys.argv[1:3])
sys.exit(a != b)
PY
}
# acct NAME FIELD: the field of the named account in the last list
acct() {
  python3 - "$TMP/body" "$1" "$2" <<'PY'
import json, sys
a = [x for x in json.load(open(sys.argv[1]))["accounts"] if x["name"] == sys.argv[2]]
print(json.dumps(a[0].get(sys.argv[3])) if a else "absent")
PY
}
# seen NAME FIELD WANT: the next list (asked at once) shows it
seen() {
  r GET /api/v1/accounts "${TOKEN:-$ADMIN}"; expect 200
  expect_eq "$1.$2 after $WHAT" "$(acct "$1" "$2")" "$3"
}

# ---- trading state: set, then cleared ----
list "$ADMIN"
expect_eq "tiny.state before" "$(acct tiny state)" '"ACTIVE"'
r PATCH /api/v1/accounts/tiny "$ADMIN" '{"state":"HALTED","state_reason":"desk review"}'; expect 200
WHAT="PATCH state HALTED" seen tiny state '"HALTED"'
WHAT="PATCH state HALTED" seen tiny state_reason '"desk review (set by alice)"'
list "$ADMIN"
r PATCH /api/v1/accounts/tiny "$ADMIN" '{"state":"ACTIVE"}'; expect 200
WHAT="PATCH state ACTIVE" seen tiny state '"ACTIVE"'

# ---- closed, then opened again ----
list "$ADMIN"
r DELETE /api/v1/accounts/tiny "$ADMIN"; expect 200
WHAT="DELETE" seen tiny closed true
WHAT="DELETE" seen tiny closed_by '"alice"'
WHAT="DELETE" seen tiny state '"REDUCING"'
list "$ADMIN"
r PATCH /api/v1/accounts/tiny "$ADMIN" '{"state":"ACTIVE"}'; expect 200
WHAT="reopen" seen tiny closed false

# ---- made, then its configuration changed ----
list "$ADMIN"
expect_eq "fresh before POST" "$(acct fresh name)" absent
r POST /api/v1/accounts "$ADMIN" '{"name":"fresh","tier":"small","starting_cash":"3000"}'; expect 201
WHAT="POST" seen fresh source '"api"'
WHAT="POST" seen fresh tier '"small"'
list "$ADMIN"
r PATCH /api/v1/accounts/fresh "$ADMIN" '{"tier":"medium"}'; expect 200
WHAT="PATCH tier" seen fresh tier '"medium"'

# ---- a trader's assignment moved: their list follows ----
r POST /api/v1/users "$ADMIN" '{"id":"bob","display_name":"Bob"}'; expect 201
r PUT /api/v1/users/bob/assignment "$ADMIN" '{"account":"tiny"}'; expect 200
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role trader --user bob
BOB=$(cat "$TMP/out")
keep_token BOB
list "$BOB"
jcheck '[a["name"] for a in d["accounts"]] == ["tiny"]'
r PUT /api/v1/users/bob/assignment "$ADMIN" '{"account":"large"}'; expect 200
r GET /api/v1/accounts "$BOB"; expect 200
jcheck '[a["name"] for a in d["accounts"]] == ["large"]'

# ---- the broker's numbers after a fill by the in-process dispatcher ----
list "$BOB"
cash0=$(acct large cash)
r POST /api/v1/trade "$BOB" "{\"symbol\":\"$OPT\",\"action\":\"call\",\"limit\":\"2.50\",\"volume_ratio\":1.5,\"qty\":2}"
expect 200 '"approved":true' '"status":"filled"'
r GET /api/v1/accounts "$BOB"; expect 200
cash1=$(acct large cash)
[ "$cash1" != "$cash0" ] && ok || bad "large's cash after a filled buy: $cash1, as before it"
python3 -c 'import sys; sys.exit(not float(sys.argv[1].strip("\"")) < float(sys.argv[2].strip("\"")))' \
  "$cash1" "$cash0" && ok || bad "large's cash went from $cash0 to $cash1 after buying"

stop_server
finish
