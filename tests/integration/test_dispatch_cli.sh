#!/usr/bin/env bash
# The account commands end to end: import, dry run, dispatch, decisions, orders,
# the per-account lock, SIGTERM, RUN_MODE and its misspellings.
. "$(dirname "$0")/common.sh"
write_config
C=(--config "$TMP/riskdesk.json")
AT=2026-11-20T15:30:00Z        # Friday 10:30 ET
rec() {  # rec ID UNDERLYING PRICE [STRATEGY]
  printf '{"id":"%s","created_at":"2026-11-20T15:29:50Z","underlying":"%s","symbol":"%s261218C00100000","action":"BUY_CALL","strategy":"%s","confidence":0.8,"volume_ratio":3,"price":"%s"}\n' \
    "$1" "$2" "$2" "${4:-swing}" "$3"
}

# import: good lines load, bad lines are named by line number
{ rec r1 AAPL 1.00; echo '{"id": "bad1"'; rec r2 MSFT 1.00;
  echo '{"id":"r3","created_at":"2026-11-20T15:29:50Z","underlying":"NVDA","symbol":"NVDA261218C00100000","action":"BUY_CALLS","strategy":"swing","confidence":0.8,"volume_ratio":3,"price":"1"}';
  echo; rec r4 AMD 1.00; } >"$TMP/recs.jsonl"
expect_rc 1 "$RD_BIN" recommend import "${C[@]}" "$TMP/recs.jsonl"
expect_in "$TMP/err" "recs.jsonl:2:"
expect_in "$TMP/err" "recs.jsonl:4: action: \"BUY_CALLS\""
expect_in "$TMP/out" "imported 3, already present 0, bad lines 2"
expect_rc 1 "$RD_BIN" recommend import "${C[@]}" "$TMP/recs.jsonl"
expect_in "$TMP/out" "imported 0, already present 3"

# recommend add with options
expect_rc 0 "$RD_BIN" recommend add "${C[@]}" --id r5 --underlying META --symbol META261218P00100000 \
  --action BUY_PUT --strategy swing --confidence 0.7 --volume-ratio 2.5 --price 1.20 \
  --created-at 2026-11-20T15:29:55Z
expect_rc 1 "$RD_BIN" recommend add "${C[@]}" --id r6 --underlying META --symbol META261218C00100000 \
  --action BUY_PUT --strategy swing --confidence 0.7 --volume-ratio 2.5 --price 1.20
expect_in "$TMP/err" "is a call, but action is BUY_PUT"

# gates eval: a dry run, JSON, changes nothing
expect_rc 0 "$RD_BIN" gates eval "${C[@]}" --account tiny --at "$AT" --rec "$(rec e1 TSLA 1.00)"
python3 - "$TMP/out" <<'PY' || bad "gates eval JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["approved"] is True and d["size"] == 1, d
names = [g["name"] for g in d["gates"]]
assert len(names) == 20 and names[0] == "trading_state" and "sizing" in names, names
assert all(set(g) == {"name", "passed", "reason", "observed", "threshold"} for g in d["gates"])
PY
expect_rc 0 "$RD_BIN" gates eval "${C[@]}" --account tiny --at 2026-11-21T15:30:00Z --rec "$(rec e1 TSLA 1.00)"
expect_in "$TMP/out" '"approved":false'
expect_in "$TMP/out" '"reason":"market_closed"'
# a closed market's verdict shows the session, not a meaningless 00:00
expect_in "$TMP/out" '"name":"trading_hours","passed":false,"reason":"market_closed","observed":"10:30","threshold":"no session"'
expect_rc 0 "$RD_BIN" gates eval "${C[@]}" --account tiny --at 2026-11-20T23:19:00Z --rec "$(rec e1 TSLA 1.00)"
expect_in "$TMP/out" '"reason":"market_closed","observed":"18:19","threshold":"09:30-16:00"'
expect_rc 0 "$RD_BIN" gates eval "${C[@]}" --account tiny --at 2026-11-27T19:00:00Z --rec "$(rec e1 TSLA 1.00)"
expect_in "$TMP/out" '"reason":"market_closed","observed":"14:00","threshold":"09:30-13:00"'
expect_rc 1 "$RD_BIN" gates eval "${C[@]}" --account nobody --at "$AT" --rec "$(rec e1 TSLA 1.00)"
expect_in "$TMP/err" 'no account named "nobody"; the accounts in'
expect_rc 0 "$RD_BIN" orders "${C[@]}" --account tiny --json
expect_in "$TMP/out" "[]"

# dispatch once at a fixed clock, then what was decided and placed
expect_rc 0 "$RD_BIN" dispatch "${C[@]}" --account large --once --at "$AT"
expect_rc 0 "$RD_BIN" decisions "${C[@]}" --account large --json
python3 - "$TMP/out" <<'PY' || bad "decisions JSON"
import json, sys
rows = json.load(open(sys.argv[1]))
assert len(rows) == 4, len(rows)
assert all(r["account"] == "large" and len(r["decision"]["gates"]) == 20 for r in rows)
assert sum(r["decision"]["approved"] for r in rows) == 4
PY
expect_rc 0 "$RD_BIN" orders "${C[@]}" --account large --json
python3 - "$TMP/out" <<'PY' || bad "orders JSON"
import json, sys
rows = json.load(open(sys.argv[1]))
assert len(rows) == 4 and all(o["status"] == "filled" for o in rows), rows
ids = [o["client_order_id"] for o in rows]
assert len(set(ids)) == 4 and all(i.startswith("rd-") and len(i) <= 48 for i in ids)
PY
# tiny has decided nothing yet: isolation
expect_rc 0 "$RD_BIN" decisions "${C[@]}" --account tiny --json
expect_in "$TMP/out" "[]"
# one log line per decision, with the failed gates' observed vs threshold
expect_rc 0 env LOG_LEVEL=info "$RD_BIN" dispatch "${C[@]}" --account tiny --once --at 2026-11-21T15:30:00Z
expect_in "$TMP/err" "event=dispatch.decision account=tiny rec="
expect_in "$TMP/err" 'approved=false size=0 failed="trading_hours: market_closed (10:30 vs no session)'
n=$(grep -c "event=dispatch.decision " "$TMP/err")
if [ "$n" -eq 4 ]; then ok; else bad "$n decision lines, wanted 4 (one per recommendation)"; fi

# RUN_MODE: bad value refused; a misspelling refused when RUN_MODE is unset
expect_rc 2 env RUN_MODE=SOMETIMES "$RD_BIN" dispatch "${C[@]}" --account tiny
expect_in "$TMP/err" "RUN_MODE=SOMETIMES: expected ONCE or LOOP"
expect_rc 2 env MODE=LOOP "$RD_BIN" dispatch "${C[@]}" --account tiny
expect_in "$TMP/err" "looks_like=RUN_MODE"
expect_in "$TMP/err" "RUN_MODE is unset"

# one dispatcher per account; SIGTERM ends the loop after its cycle with 0
LOG_LEVEL=info "$RD_BIN" dispatch "${C[@]}" --account tiny --loop --interval 1 >"$TMP/loop.out" 2>"$TMP/loop.err" &
pid=$!
for _ in $(seq 50); do grep -q dispatch.cycle "$TMP/loop.err" 2>/dev/null && break; sleep 0.1; done
expect_rc 1 "$RD_BIN" dispatch "${C[@]}" --account tiny --once
expect_in "$TMP/err" "pid $pid"
expect_rc 0 "$RD_BIN" dispatch "${C[@]}" --account large --once --at "$AT"   # other account: free
kill -TERM "$pid"
wait "$pid"; rc=$?
[ "$rc" -eq 0 ] && ok || bad "SIGTERM exit $rc"
expect_in "$TMP/loop.err" "dispatch.stopped"
# the startup lines give the effective limits, the account's and its tier's
expect_in "$TMP/loop.err" "event=dispatcher.limits account=tiny max_notional_exposure=1500.00"
expect_in "$TMP/loop.err" "allowed_actions=BUY_CALL,BUY_PUT"
expect_in "$TMP/loop.err" "event=dispatcher.tier_limits account=tiny tier=tiny risk_pct_day=0.15 risk_pct_swing=0.08 max_contracts=1"

# an admin halt: nothing new until lifted; the state and reason are shown
expect_rc 0 "$RD_BIN" account state "${C[@]}" --account large --set HALTED --reason "broker maintenance"
expect_in "$TMP/out" "large HALTED: admin: broker maintenance"
expect_rc 0 "$RD_BIN" gates eval "${C[@]}" --account large --at "$AT" --rec "$(rec h1 IBM 1.00)"
expect_in "$TMP/out" '"name":"trading_state","passed":false,"reason":"state_halted","observed":"HALTED"'
expect_rc 2 "$RD_BIN" account state "${C[@]}" --account large --set HALTED
expect_rc 0 "$RD_BIN" account state "${C[@]}" --account large --set ACTIVE
expect_rc 0 "$RD_BIN" gates eval "${C[@]}" --account large --at "$AT" --rec "$(rec h1 IBM 1.00)"
expect_in "$TMP/out" '"name":"trading_state","passed":true'
# no VIX feed and no level carried: passes, says so, and observed nothing
expect_in "$TMP/out" '"name":"market_regime","passed":true,"reason":"no_feed_configured","observed":null,"threshold":"40"'
# no tier anywhere: large, and the log says so
sed 's/"tier": "auto", //' "$TMP/riskdesk.json" >"$TMP/notier.json"
expect_rc 0 env LOG_LEVEL=info "$RD_BIN" dispatch --config "$TMP/notier.json" --account tiny --once --at "$AT"
expect_in "$TMP/err" "event=dispatcher.tier_defaulted"
expect_rc 1 env ACCOUNT_TIER=huge "$RD_BIN" dispatch --config "$TMP/notier.json" --account tiny --once --at "$AT"
expect_in "$TMP/err" "ACCOUNT_TIER"

# a database password is never shown
printf '{"database":"postgres://rd:hunter2@localhost/db","accounts":[{"name":"a"}]}' >"$TMP/pw.json"
expect_rc 0 "$RD_BIN" config check --config "$TMP/pw.json"
expect_in "$TMP/out" "postgres://rd:***@localhost/db"
expect_not_in "$TMP/out" "hunter2"

# two accounts on one API key: refused before anything is sent, the key never shown
cat >"$TMP/dup.json" <<JSON
{"database":"sqlite:$TMP/dup.db","accounts":[
 {"name":"one","broker":"alpaca","tier":"large","credentials":"env:K1"},
 {"name":"two","broker":"alpaca","tier":"tiny","credentials":"env:K2"}]}
JSON
expect_rc 1 env K1_API_KEY=PKSAMEKEY123 K1_SECRET_KEY=s1 K2_API_KEY=PKSAMEKEY123 K2_SECRET_KEY=s2 \
  "$RD_BIN" dispatch --config "$TMP/dup.json" --account one --once
expect_in "$TMP/err" 'accounts "one" (env:K1) and "two" (env:K2) resolve to the same API key'
expect_not_in "$TMP/err" "PKSAMEKEY123"

# help: the list, a command's usage, a group, an unknown command
expect_rc 0 "$RD_BIN" help
expect_in "$TMP/out" "gates eval"
expect_rc 0 "$RD_BIN" dispatch --help
expect_in "$TMP/out" "usage: riskdesk dispatch"
expect_rc 0 "$RD_BIN" help recommend
expect_in "$TMP/out" "recommend import"
expect_rc 2 "$RD_BIN" dispatchh
expect_in "$TMP/err" "'dispatchh' is not a riskdesk command"

# a pinned tier that does not fit the money is warned about; JSON logs on request
sed 's/"name": "tiny", "tier": "auto"/"name": "tiny", "tier": "large"/' "$TMP/riskdesk.json" >"$TMP/pinned.json"
expect_rc 0 env LOG_LEVEL=info LOG_FORMAT=json "$RD_BIN" dispatch --config "$TMP/pinned.json" --account tiny --once --at "$AT"
expect_in "$TMP/err" '"event":"dispatcher.tier_mismatch","account":"tiny","tier":"large","buying_power_says":"tiny"'
python3 -c "import json,sys; [json.loads(l) for l in open(sys.argv[1])]" "$TMP/err" && ok || bad "LOG_FORMAT=json lines are not JSON"
expect_rc 2 env LOG_LEVEL=loud "$RD_BIN" help
expect_in "$TMP/err" "LOG_LEVEL=loud: expected one of debug, info, warn, error"

# a configured VIX feed that cannot answer fails closed; one that answers is used
sed "s|\"accounts\"|\"market\": {\"vix_feed\": \"file:$TMP/vix.txt\"}, \"accounts\"|" "$TMP/riskdesk.json" >"$TMP/vix.json"
expect_rc 0 "$RD_BIN" gates eval --config "$TMP/vix.json" --account tiny --at "$AT" --rec "$(rec v1 TSLA 1.00)"
expect_in "$TMP/out" '"name":"market_regime","passed":false,"reason":"feed_error"'
echo -3 >"$TMP/vix.txt"                      # not a level: refused, the feed named
expect_rc 0 "$RD_BIN" gates eval --config "$TMP/vix.json" --account tiny --at "$AT" --rec "$(rec v1 TSLA 1.00)"
expect_in "$TMP/out" '"name":"market_regime","passed":false,"reason":"feed_error"'
expect_in "$TMP/err" "event=market.feed_error feed=file:$TMP/vix.txt error=\"a VIX level below 0"
echo 45.5 >"$TMP/vix.txt"
expect_rc 0 "$RD_BIN" gates eval --config "$TMP/vix.json" --account tiny --at "$AT" --rec "$(rec v1 TSLA 1.00)"
expect_in "$TMP/out" '"name":"market_regime","passed":false,"reason":"vix_halt","observed":"45.5","threshold":"40"'
echo 17.25 >"$TMP/vix.txt"
expect_rc 0 "$RD_BIN" gates eval --config "$TMP/vix.json" --account tiny --at "$AT" --rec "$(rec v1 TSLA 1.00)"
expect_in "$TMP/out" '"name":"market_regime","passed":true,"reason":"ok"'

finish
