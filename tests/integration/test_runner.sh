#!/usr/bin/env bash
# The account runner behind every entry point:
#  - an account made through the API cannot reuse another account's broker
#    keys (409 naming the other account, never the key), and one stored before
#    that check existed is refused at every start (CLI and serve);
#  - the CLI sees accounts made through the API;
#  - a trade for an account whose dispatcher runs in the server is decided by
#    that dispatcher at once and answered with its decision and order.
. "$(dirname "$0")/common.sh"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/deps.sh installs it)"
KEY=PKRUNNERSHARED00001
export ALPACA_PAPER_API_KEY=$KEY ALPACA_PAPER_SECRET_KEY=runner-secret-1
export ALPACA_PAPER_BASE_URL=http://127.0.0.1:9
export RUNNER_OWN_API_KEY=PKRUNNEROWN00000001 RUNNER_OWN_SECRET_KEY=runner-secret-2
export RUNNER_OWN_BASE_URL=http://127.0.0.1:9
secret runner-secret-1
secret runner-secret-2
cat >"$TMP/riskdesk.json" <<JSON
{"database": "sqlite:$TMP/rd.db",
 "accounts": [
  {"name": "alp", "broker": "alpaca", "tier": "small", "credentials": "env:ALPACA_PAPER"},
  {"name": "large", "tier": "auto", "starting_cash": "209000",
   "risk": {"max_notional_exposure": 10000, "max_open_positions": 5, "max_contracts_per_trade": 10,
            "max_daily_loss": 500, "max_risk_per_trade_pct": 0.02}}]}
JSON
C=(--config "$TMP/riskdesk.json")
AT=2026-11-20T15:30:00Z
OPT=AAPL261218C00200000
trap 'stop_server; rm -rf "$TMP"' EXIT

expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role admin --user alice
ADMIN=$(cat "$TMP/out")
keep_token ADMIN

# ---- keys: refused at the route ----
start_server "$TMP/s"
r POST /api/v1/accounts "$ADMIN" '{"name":"steal","broker":"alpaca","tier":"small","credentials":"env:ALPACA_PAPER"}'
expect 409 '"code":"shared_keys"' '\"alp\"' '\"steal\"' 'same API key'
if grep -qF "$KEY" "$TMP/body"; then bad "the answer holds the key"; else ok; fi
r GET /api/v1/accounts/steal "$ADMIN"; expect 404
# its own keys: made
r POST /api/v1/accounts "$ADMIN" '{"name":"own","broker":"alpaca","tier":"small","credentials":"env:RUNNER_OWN"}'
expect 201
# changing it to the other's keys is refused the same way
r PATCH /api/v1/accounts/own "$ADMIN" '{"credentials":"env:ALPACA_PAPER"}'
expect 409 '"code":"shared_keys"'
# a paper account made through the API
r POST /api/v1/accounts "$ADMIN" '{"name":"desk9","tier":"auto","starting_cash":"5000"}'
expect 201
stop_server

# ---- the CLI sees the accounts made through the API ----
expect_rc 0 "$RD_BIN" decisions "${C[@]}" --account desk9 --json
LOG_LEVEL=info expect_rc 0 "$RD_BIN" dispatch "${C[@]}" --account desk9 --once --at "$AT"
expect_in "$TMP/err" "event=dispatch.cycle"
expect_rc 0 "$RD_BIN" account state "${C[@]}" --account desk9

# ---- keys: one stored before the check existed is refused at every start ----
python3 - "$TMP/rd.db" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
now = int(time.time())
db.execute("INSERT INTO account_defs (name, def, created_at, updated_at, closed_at, closed_by) "
           "VALUES ('steal', ?, ?, ?, 0, '')",
           ('{"name":"steal","broker":"alpaca","tier":"small","credentials":"env:ALPACA_PAPER"}', now, now))
db.commit()
PY
expect_rc 1 "$RD_BIN" dispatch "${C[@]}" --account steal --once --at "$AT"
expect_in "$TMP/err" 'same API key'
expect_rc 1 "$RD_BIN" dispatch "${C[@]}" --account alp --once --at "$AT"
expect_in "$TMP/err" 'same API key'
if grep -qF "$KEY" "$TMP/err"; then bad "the error holds the key"; else ok; fi
# serve: neither of the pair starts a dispatcher
"$RD_BIN" serve "${C[@]}" --listen 127.0.0.1:0 --dispatch alp,steal >"$TMP/s2.out" 2>"$TMP/s2.err"
rc=$?
if [ "$rc" -ne 0 ]; then ok; else bad "serve --dispatch alp,steal exited 0"; fi
expect_in "$TMP/s2.err" 'same API key'
python3 - "$TMP/rd.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("DELETE FROM account_defs WHERE name = 'steal'")
db.commit()
PY

# ---- a trade decided by the dispatcher running in the server ----
LOG_LEVEL=info start_server "$TMP/s3" --dispatch large --interval 3600 --at "$AT"
r POST /api/v1/users "$ADMIN" '{"id":"bob","display_name":"Bob"}'; expect 201
r PUT /api/v1/users/bob/assignment "$ADMIN" '{"account":"large"}'; expect 200
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role trader --user bob
BOB=$(cat "$TMP/out")
keep_token BOB
r POST /api/v1/trade "$BOB" "{\"symbol\":\"$OPT\",\"action\":\"call\",\"limit\":\"2.50\",\"volume_ratio\":1.5,\"qty\":2}"
expect 200 '"queued":true' '"decided":true' '"approved":true' '"status":"filled"'
jcheck 'd["size"] == 2 and d["order"]["qty"] == 2 and d["order"]["filled_qty"] == 2 and d["order"]["client_order_id"]'
RID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["recommendation_id"])' "$TMP/body")
r GET /api/v1/accounts/large/decisions "$ADMIN"; expect 200
jcheck '[(x["rec_id"], x["decision"]["approved"], x["decision"]["size"]) for x in d["decisions"]] == [("'"$RID"'", True, 2)]'
r GET /api/v1/accounts/large/orders "$ADMIN"; expect 200
jcheck '[(o["rec_id"], o["qty"], o["status"]) for o in d["orders"]] == [("'"$RID"'", 2, "filled")]'
# a dry run is evaluated by the same dispatcher and stores nothing
r POST /api/v1/trade "$BOB" "{\"symbol\":\"$OPT\",\"action\":\"call\",\"limit\":\"2.50\",\"volume_ratio\":1.5,\"dry_run\":true}"
expect 200 '"dry_run":true' '"queued":false' '"decided":false' '"order":null'
r GET /api/v1/recommendations "$ADMIN"; expect 200
jcheck 'len(d["recommendations"]) == 1'
# the second buy of the same contract: evaluated as a duplicate, stores nothing
r POST /api/v1/trade "$BOB" "{\"symbol\":\"$OPT\",\"action\":\"call\",\"limit\":\"2.50\",\"volume_ratio\":1.5}"
expect 200 '"approved":false' '"first_failed":"duplicate_position"' '"queued":false'
stop_server
expect_in "$TMP/s3.err" "event=dispatch.cycle"

finish
