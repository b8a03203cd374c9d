#!/usr/bin/env bash
# Fail closed, proven against the fake Alpaca: with recommendations pending, a
# positions call that answers 500 or a body cut short, an account that says
# trading_blocked, and a VIX file feed gone stale each place no order (counted
# at the fake: POST /v2/orders), and each decision says why by name. A run
# with none of these faults places the orders, so the counts can see them.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/alpaca_common.sh"
start_fake
trap 'stop_fake; rm -rf "$TMP"' EXIT
export RISKDESK_ALPACA_TIMEOUT_MS=2000 RISKDESK_ALPACA_FILL_WAIT_MS=200
SECRET=fAiLcLoSeD0123456789abcdef0123456789
secret "$SECRET"
AT=2026-11-20T15:30:00Z                                # Friday 10:30 ET
export RDFC_SECRET_KEY=$SECRET RDFC_BASE_URL=$URL

# scenario NAME KEY [MARKET]: a fresh fake (no faults, no orders), database
# and two recommendations for one Alpaca account on KEY
scenario() {
  ctl /_reset '{}'
  export RDFC_API_KEY=$2
  cat >"$TMP/$1.json" <<JSON
{"database": "sqlite:$TMP/$1.db", ${3:+\"market\": $3,}
 "accounts": [{"name": "acct", "broker": "alpaca", "credentials": "env:RDFC", "tier": "large"}]}
JSON
  C=(--config "$TMP/$1.json")
  for i in 1 2; do
    printf '{"id":"%s-%d","created_at":"2026-11-20T15:29:50Z","underlying":"FC%d","symbol":"FC%d261218C00100000","action":"BUY_CALL","strategy":"swing","confidence":0.8,"volume_ratio":3,"price":"1.00"}\n' \
      "$1" "$i" "$i" "$i"
  done >"$TMP/recs.jsonl"
  expect_rc 0 "$RD_BIN" recommend import "${C[@]}" "$TMP/recs.jsonl"
}
dispatch() {
  expect_rc 0 env LOG_LEVEL=info "$RD_BIN" dispatch "${C[@]}" --account acct --once --at "$AT"
  cp "$TMP/err" "$TMP/last.err"
}
# refused GATE REASON: both recommendations decided, neither approved, each
# failing GATE with REASON; nothing POSTed to the fake
refused() {
  expect_eq "orders POSTed to the fake" "$(fq "d['posts']")" 0
  "$RD_BIN" decisions "${C[@]}" --account acct --json >"$TMP/dec.json" 2>"$TMP/dec.err" || bad "decisions: $(cat "$TMP/dec.err")"
  python3 - "$TMP/dec.json" "$1" "$2" <<'PY' && ok || bad "decisions do not refuse with $1: $2"
import json, sys
rows, gate, reason = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
assert len(rows) == 2, rows
for r in rows:
    d = r["decision"]
    failed = {g["name"]: g for g in d["gates"] if not g["passed"]}
    assert d["approved"] is False and failed.get(gate, {}).get("reason") == reason, (gate, reason, failed)
PY
  "$RD_BIN" orders "${C[@]}" --account acct --json >"$TMP/orders.json" 2>/dev/null
  expect_eq "orders in the store" "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$TMP/orders.json")" 0
}

# ---- no fault: both orders reach the fake (what the cases below must not see)
scenario clean PKFCCLEAN00000001
dispatch
expect_eq "orders POSTed without a fault" "$(fq "d['posts']")" 2
expect_eq "orders placed without a fault" "$(fq "d['orders_by_key'].get('PKFCCLEAN00000001', 0)")" 2

# ---- GET /v2/positions answers 500, retries included: refused, no equity data
scenario pos500 PKFCPOS5000000001
ctl /_fault '{"kind": "500", "count": 50, "method": "GET", "path": "/v2/positions"}'
dispatch
refused daily_loss no_equity_data
expect_in "$TMP/last.err" "event=broker.positions_failed"
expect_in "$TMP/last.err" "GET /v2/positions"
expect_in "$TMP/last.err" "HTTP 500"
expect_in "$TMP/last.err" 'failed="daily_loss: no_equity_data'

# ---- GET /v2/positions answers 200 with a body cut in half: refused
scenario posbad PKFCPOSBAD0000001
ctl /_fault '{"kind": "malformed", "count": 50, "method": "GET", "path": "/v2/positions"}'
dispatch
refused daily_loss no_equity_data
expect_in "$TMP/last.err" "event=broker.positions_failed"
expect_in "$TMP/last.err" "GET /v2/positions"
expect_in "$TMP/last.err" 'failed="daily_loss: no_equity_data'

# ---- the account says trading_blocked: refused, and the broker's words logged
scenario blocked PKFCBLOCKED000001
ctl /_config '{"trading_blocked": {"PKFCBLOCKED000001": true}}'
dispatch
refused daily_loss no_equity_data
expect_in "$TMP/last.err" "event=alpaca.trading_blocked account=acct"
expect_in "$TMP/last.err" "trading_blocked=1"

# ---- a VIX file feed last written 20 minutes before the clock (the default
# maximum is 15): refused, naming staleness and the age
echo 17.25 >"$TMP/vix.txt"
touch -d "2026-11-20T15:10:00Z" "$TMP/vix.txt"
scenario vixold PKFCVIXOLD0000001 "{\"vix_feed\": \"file:$TMP/vix.txt\"}"
dispatch
refused market_regime feed_stale
expect_in "$TMP/last.err" "event=market.feed_stale feed=file:$TMP/vix.txt age_seconds=1200 max_age_seconds=900"
expect_in "$TMP/last.err" 'failed="market_regime: feed_stale (1200s vs 900s)"'
# the same file within a maximum of its own age: used, and the orders go out
scenario vixok PKFCVIXOK00000001 "{\"vix_feed\": \"file:$TMP/vix.txt\", \"vix_max_age_seconds\": 1200}"
dispatch
expect_not_in "$TMP/last.err" "feed_stale"
expect_eq "orders POSTed with a fresh enough feed" "$(fq "d['posts']")" 2

[ -s "$TMP/fake.err" ] && { bad "the fake wrote errors"; head -20 "$TMP/fake.err"; } || ok
stop_fake
finish
