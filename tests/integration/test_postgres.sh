#!/usr/bin/env bash
# The real binary on a PostgreSQL store (a throwaway cluster of its own):
# import, dispatch and the decisions/orders it reports are the same, byte for
# byte, as on SQLite; one dispatcher per account across processes, the lock
# gone with a SIGKILLed holder; the password never printed.
. "$(dirname "$0")/common.sh"
AT=2026-11-20T15:30:00Z        # Friday 10:30 ET

set +e
start_pg
URL=$PG_URL
trap 'bash "$PG" stop "$URL"; rm -rf "$TMP"' EXIT

write_config                                   # $TMP/riskdesk.json: sqlite:$TMP/rd.db
sed "s|\"sqlite:$TMP/rd.db\"|\"$URL\"|" "$TMP/riskdesk.json" >"$TMP/pg.json"
expect_in "$TMP/pg.json" "\"postgresql://"
SQ=(--config "$TMP/riskdesk.json")
PC=(--config "$TMP/pg.json")
rec() {  # rec ID UNDERLYING PRICE
  printf '{"id":"%s","created_at":"2026-11-20T15:29:50Z","underlying":"%s","symbol":"%s261218C00100000","action":"BUY_CALL","strategy":"swing","confidence":0.8,"volume_ratio":3,"price":"%s"}\n' \
    "$1" "$2" "$2" "$3"
}
{ rec r1 AAPL 1.00; echo '{"id": "bad1"'; rec r2 MSFT 1.00; rec r3 NVDA 2.50; rec r4 AMD 1.00
  rec r5 TSLA 40.00; rec r6 META 0.50; } >"$TMP/recs.jsonl"

# the same commands on both stores
for store in sq pg; do
  if [ $store = sq ]; then C=("${SQ[@]}"); else C=("${PC[@]}"); fi
  expect_rc 1 "$RD_BIN" recommend import "${C[@]}" "$TMP/recs.jsonl"
  expect_in "$TMP/out" "imported 6, already present 0, bad lines 1"
  expect_rc 1 "$RD_BIN" recommend import "${C[@]}" "$TMP/recs.jsonl"
  expect_in "$TMP/out" "imported 0, already present 6"
  expect_not_in "$TMP/err" "NOTICE"
  expect_rc 0 "$RD_BIN" dispatch "${C[@]}" --account large --once --at "$AT"
  expect_rc 0 "$RD_BIN" dispatch "${C[@]}" --account tiny --once --at "$AT"
  for acct in large tiny; do
    expect_rc 0 "$RD_BIN" decisions "${C[@]}" --account $acct --json
    cp "$TMP/out" "$TMP/$store.decisions.$acct.json"
    expect_rc 0 "$RD_BIN" orders "${C[@]}" --account $acct --json
    cp "$TMP/out" "$TMP/$store.orders.$acct.json"
  done
done
for f in decisions.large decisions.tiny orders.large orders.tiny; do
  if cmp -s "$TMP/sq.$f.json" "$TMP/pg.$f.json"; then ok; else
    bad "$f differs between SQLite and PostgreSQL"; diff <(tr ',' '\n' <"$TMP/sq.$f.json") \
      <(tr ',' '\n' <"$TMP/pg.$f.json") | head -10
  fi
done
python3 - "$TMP/pg.decisions.large.json" "$TMP/pg.orders.large.json" <<'PY' || bad "decisions JSON on postgres"
import json, sys
rows = json.load(open(sys.argv[1]))
assert len(rows) == 6, len(rows)
assert all(r["account"] == "large" and len(r["decision"]["gates"]) == 20 for r in rows)
orders = json.load(open(sys.argv[2]))
assert len(orders) == sum(r["decision"]["approved"] for r in rows) > 0, (len(orders), rows)
PY
# a second cycle decides nothing again
expect_rc 0 env LOG_LEVEL=info "$RD_BIN" dispatch "${PC[@]}" --account large --once --at "$AT"
expect_in "$TMP/err" "decided=0"

# one dispatcher per account, across processes; the lock dies with its holder
LOG_LEVEL=info "$RD_BIN" dispatch "${PC[@]}" --account tiny --loop --interval 1 >"$TMP/loop.out" 2>"$TMP/loop.err" &
pid=$!
for _ in $(seq 100); do grep -q dispatch.cycle "$TMP/loop.err" 2>/dev/null && break; sleep 0.1; done
expect_in "$TMP/loop.err" "dispatch.cycle"
expect_rc 1 "$RD_BIN" dispatch "${PC[@]}" --account tiny --once --at "$AT"
expect_in "$TMP/err" "is locked by \"riskdesk pid $pid\""
expect_in "$TMP/err" "server backend pid"
expect_rc 0 "$RD_BIN" dispatch "${PC[@]}" --account large --once --at "$AT"   # other account: free
{ kill -KILL "$pid"; wait "$pid"; } 2>/dev/null
for _ in $(seq 50); do
  "$RD_BIN" dispatch "${PC[@]}" --account tiny --once --at "$AT" >"$TMP/out" 2>"$TMP/err" && break
  sleep 0.1
done
expect_rc 0 "$RD_BIN" dispatch "${PC[@]}" --account tiny --once --at "$AT"

# the password is never printed (trust authentication ignores it)
PWURL=$(echo "$URL" | sed 's|postgresql://riskdesk@|postgres://riskdesk:hunter2-secret@|')
sed "s|\"sqlite:$TMP/rd.db\"|\"$PWURL\"|" "$TMP/riskdesk.json" >"$TMP/pw.json"
secret hunter2-secret "$TMP/pw.json" "$TMP/bad.json"
expect_rc 0 env LOG_LEVEL=info "$RD_BIN" dispatch --config "$TMP/pw.json" --account large --once --at "$AT"
expect_in "$TMP/err" "riskdesk:***@"
expect_not_in "$TMP/err" "hunter2-secret"
BADURL=$(echo "$PWURL" | sed 's|host=|host=/nonexistent|')
sed "s|\"sqlite:$TMP/rd.db\"|\"$BADURL\"|" "$TMP/riskdesk.json" >"$TMP/bad.json"
expect_rc 1 "$RD_BIN" decisions --config "$TMP/bad.json" --account large --json
expect_in "$TMP/err" "cannot connect"
expect_not_in "$TMP/err" "hunter2-secret"

finish
