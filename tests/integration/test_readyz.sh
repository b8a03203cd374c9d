#!/usr/bin/env bash
# /readyz answers without a token, with the status only (ready, store,
# degraded); the accounts' details (the broker's error strings, which name
# its host and port) need a token. A bad token is 401 as on any route. A
# trader's token shows their own account only.
. "$(dirname "$0")/common.sh"
command -v curl >/dev/null || { echo "curl is needed"; exit 1; }
export RISKDESK_ALPACA_TIMEOUT_MS=500
unset EXECUTION_MODE
DEAD=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export ALPD_API_KEY=PKREADYZ00000001 ALPD_SECRET_KEY=sEcReT0123456789abcdef0123456789abcdef
export ALPD_BASE_URL="http://127.0.0.1:$DEAD"
cat >"$TMP/rd.json" <<JSON
{"database": "sqlite:$TMP/rd.db",
 "accounts": [
  {"name": "alp_dead", "broker": "alpaca", "credentials": "env:ALPD", "tier": "large"},
  {"name": "paper1", "tier": "auto", "starting_cash": "5000"}]}
JSON
C=(--config "$TMP/rd.json")
trap 'stop_server; rm -rf "$TMP"' EXIT
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role viewer --user vera
VIEWER=$(cat "$TMP/out")
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role admin --user alice
ADMIN=$(cat "$TMP/out")
start_server "$TMP/s"
r POST /api/v1/users "$ADMIN" '{"id":"bob","display_name":"Bob"}'; expect 201
r PUT /api/v1/users/bob/assignment "$ADMIN" '{"account":"paper1"}'; expect 200
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role trader --user bob
BOB=$(cat "$TMP/out")

# no token: the status only
r GET /readyz ""; expect 503 '"ready":false'
jcheck 'sorted(d) == ["degraded", "ready", "store"] and d["store"] == {"ok": True}'
expect_not_in "$TMP/body" "$DEAD"
expect_not_in "$TMP/body" 127.0.0.1
expect_not_in "$TMP/body" alp_dead
# a token: the details
r GET /readyz "$VIEWER"; expect 503 '"ready":false' '"broker_error"' alp_dead paper1
r GET /readyz "$ADMIN"; expect 503 '"broker_error"'
# a trader: their own account only
r GET /readyz "$BOB"; expect 503 '"ready":false' paper1
expect_not_in "$TMP/body" alp_dead
# a bad token is refused, not taken for none
r GET /readyz "rdk_notatoken0000"; expect 401 invalid_token
# /healthz stays as it was
r GET /healthz ""; expect 200 '"status":"ok"'
stop_server
finish
