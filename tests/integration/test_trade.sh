#!/usr/bin/env bash
# POST /api/v1/trade: a user's trade through their assigned account's gates
# (a dry run): first-trade assignment, gate verdicts, qty capping, the balance
# after, roles (a trader only as themselves), bad input, nothing recorded.
. "$(dirname "$0")/common.sh"
command -v curl >/dev/null || { echo "curl is needed"; exit 1; }
write_config
C=(--config "$TMP/riskdesk.json")
AT=2026-11-20T15:30:00Z
OPT=AAPL261218C00200000

SERVER_PID=
stop_server() { [ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; SERVER_PID=; }
trap 'stop_server; rm -rf "$TMP"' EXIT
start_server() {
  "$RD_BIN" serve "${C[@]}" --listen 127.0.0.1:0 >"$TMP/s.out" 2>"$TMP/s.err" &
  SERVER_PID=$!
  for _ in $(seq 100); do grep -q "(port " "$TMP/s.out" 2>/dev/null && break; sleep 0.05; done
  PORT=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$TMP/s.out")
  [ -n "$PORT" ] || { bad "server did not start: $(cat "$TMP/s.err")"; finish; exit 1; }
}
r() {
  local m=$1 p=$2 t=$3 b=${4-}
  local args=(-s -o "$TMP/body" -w '%{http_code}' -X "$m" -H "Authorization: Bearer $t")
  [ $# -ge 4 ] && args+=(-H 'Content-Type: application/json' --data-binary "$b")
  LAST="$m $p $b"
  ST=$(curl "${args[@]}" "http://127.0.0.1:$PORT$p")
}
expect() {
  local want=$1; shift
  if [ "$ST" = "$want" ]; then ok; else bad "$LAST: status $ST (wanted $want): $(head -c 300 "$TMP/body")"; fi
  for t in "$@"; do
    if grep -qF -- "$t" "$TMP/body"; then ok; else bad "$LAST: body lacks $t: $(head -c 300 "$TMP/body")"; fi
  done
}
jcheck() {
  python3 - "$TMP/body" "$1" <<'PY' && ok || bad "$LAST: JSON check failed: $1"
import json, sys
d = json.load(open(sys.argv[1]))
if not eval(sys.argv[2]):
    print("   body:", json.dumps(d)[:400]); sys.exit(1)
PY
}

expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role admin --user alice
ADMIN=$(cat "$TMP/out")
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role viewer --user vera
VIEWER=$(cat "$TMP/out")
start_server
r POST /api/v1/users "$ADMIN" '{"id":"bob","display_name":"Bob"}'; expect 201
r POST /api/v1/users "$ADMIN" '{"id":"carol","display_name":"Carol"}'; expect 201
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role trader --user bob
BOB=$(cat "$TMP/out")

# the first trade assigns bob (least_loaded: large and tiny tie, large first)
GOOD="{\"symbol\":\"$OPT\",\"action\":\"call\",\"limit\":\"2.50\",\"volume_ratio\":1.5,\"at\":\"$AT\""
r POST /api/v1/trade "$BOB" "$GOOD,\"qty\":3}"
expect 200 '"user":"bob"' '"account":"large"' '"assigned_now":true' '"approved":true' '"dry_run":true'
jcheck 'd["size"] == 3 and d["decision"]["size"] == 8 and d["first_failed"] is None'
jcheck 'd["balance"] == {"cash_before": "209000.00", "cash_after": "208250.00", "buying_power_before": "209000.00", "buying_power_after": "208250.00"}'
jcheck 'len(d["decision"]["gates"]) >= 10 and all(g["passed"] for g in d["decision"]["gates"])'
r GET "/api/v1/assignments?user=bob" "$ADMIN"; expect 200 '"reason":"first trade"' '"strategy":"least_loaded"'
# the second trade: assigned already; no qty: what the gates allow
r POST /api/v1/trade "$BOB" "$GOOD}"
expect 200 '"assigned_now":false' '"approved":true'
jcheck 'd["size"] == 8 and d["balance"]["cash_after"] == "207000.00" and d["qty"] is None'
# rejected by a gate: the verdicts say which, the balance is unchanged
r POST /api/v1/trade "$BOB" "{\"symbol\":\"AAPL\",\"action\":\"BUY_STOCK\",\"limit\":190.5,\"at\":\"$AT\"}"
expect 200 '"approved":false' '"first_failed":"allowed_action"'
jcheck 'd["size"] == 0 and d["balance"]["cash_after"] == d["balance"]["cash_before"]'
jcheck '[g["reason"] for g in d["decision"]["gates"] if g["name"] == "allowed_action"] == ["action_not_allowed"]'
# out of hours (Saturday): trading_hours fails
r POST /api/v1/trade "$BOB" "{\"symbol\":\"$OPT\",\"action\":\"call\",\"limit\":\"2.50\",\"volume_ratio\":1.5,\"at\":\"2026-11-21T15:30:00Z\"}"
expect 200 '"approved":false' '"first_failed":"trading_hours"'

# roles: a trader only as themselves; an admin names the user; viewers cannot
r POST /api/v1/trade "$BOB" "$GOOD,\"user\":\"carol\"}"; expect 403 forbidden_user
r POST /api/v1/trade "$BOB" "$GOOD,\"user\":\"bob\"}"; expect 200 '"user":"bob"'
r POST /api/v1/trade "$VIEWER" "$GOOD}"; expect 403
r POST /api/v1/trade "" "$GOOD}"; expect 401
r POST /api/v1/trade "$ADMIN" "$GOOD,\"user\":\"carol\"}"; expect 200 '"user":"carol"' '"account":"tiny"' '"assigned_now":true'
r POST /api/v1/trade "$ADMIN" "$GOOD}"; expect 404 'no user \"alice\"'
r POST /api/v1/trade "$ADMIN" "$GOOD,\"user\":\"zed\"}"; expect 404

# bad input
r POST /api/v1/trade "$BOB" '{"action":"call","limit":"2.5"}'; expect 400 symbol
r POST /api/v1/trade "$BOB" "{\"symbol\":\"$OPT\",\"action\":\"hold\",\"limit\":\"2.5\"}"; expect 400 action
r POST /api/v1/trade "$BOB" "{\"symbol\":\"$OPT\",\"action\":\"call\",\"limit\":\"abc\"}"; expect 400 limit
r POST /api/v1/trade "$BOB" "{\"symbol\":\"$OPT\",\"action\":\"call\",\"limit\":-1}"; expect 400 limit
r POST /api/v1/trade "$BOB" "{\"symbol\":\"$OPT\",\"action\":\"call\",\"limit\":\"2.5\",\"qty\":0}"; expect 400 qty
r POST /api/v1/trade "$BOB" "{\"symbol\":\"$OPT\",\"action\":\"call\",\"limit\":\"2.5\",\"qty\":1.5}"; expect 400 qty
r POST /api/v1/trade "$BOB" "{\"symbol\":\"$OPT\",\"action\":\"call\",\"limit\":\"2.5\",\"at\":\"yesterday\"}"; expect 400 at
r POST /api/v1/trade "$BOB" "{\"symbol\":\"$OPT\",\"action\":\"call\",\"limit\":\"2.5\",\"side\":1}"; expect 400 unknown_field
r POST /api/v1/trade "$BOB" "{\"symbol\":\"NOPE\",\"action\":\"call\",\"limit\":\"2.5\"}"; expect 400
r POST /api/v1/trade "$BOB" '{"symbol":"AAPL","action":"buy"}'; expect 400 "give a limit price"
r POST /api/v1/trade "$BOB" '[1,2'; expect 400
r GET /api/v1/trade "$BOB"; expect 405

# a dry run: nothing was recorded
r GET /api/v1/accounts/large/decisions "$ADMIN"; expect 200
jcheck 'len(d["decisions"]) == 0'

finish
