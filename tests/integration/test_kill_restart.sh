#!/usr/bin/env bash
# A dispatcher SIGKILLed at random points, again and again, then run to the
# end: no order is placed twice, no decision is lost, the money adds up.
. "$(dirname "$0")/common.sh"
N=${RD_KILL_RECS:-400}
ROUNDS=${RD_KILL_ROUNDS:-60}
AT=2026-11-20T15:30:00Z
cat >"$TMP/riskdesk.json" <<JSON
{"database": "sqlite:$TMP/rd.db",
 "accounts": [{"name": "big", "tier": "large", "starting_cash": "10000000", "risk": $KILL_RISK}]}
JSON
C=(--config "$TMP/riskdesk.json")
python3 - "$N" >"$TMP/recs.jsonl" <<'PY'
import sys
for i in range(int(sys.argv[1])):
    t = "S%03d" % i
    print('{"id":"k%04d","created_at":"2026-11-20T15:29:00Z","underlying":"%s","symbol":"%s261218C00100000",'
          '"action":"BUY_CALL","strategy":"swing","confidence":0.8,"volume_ratio":3,"price":"0.%02d"}'
          % (i, t, t, 10 + i % 80))
PY
expect_rc 0 "$RD_BIN" recommend import "${C[@]}" "$TMP/recs.jsonl"

RANDOM=42
# Each --once drains every undecided recommendation, so a round that is not
# killed in time finishes the work: count the kills that landed mid-work (the
# process died by the signal with recommendations still undecided).
decided() {
  python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"select count(*) from decisions\").fetchone()[0])" "$TMP/rd.db" 2>/dev/null || echo 0
}
mid=0 hits=0
for round in $(seq "$ROUNDS"); do
  "$RD_BIN" dispatch "${C[@]}" --account big --once --at "$AT" --batch 3 >/dev/null 2>&1 &
  pid=$!
  sleep "0.$(printf %03d $((RANDOM % 200)))"
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null; st=$?
  mid=$(decided)
  [ "$st" -eq 137 ] && [ "$mid" -lt "$N" ] && hits=$((hits + 1))
  [ "$mid" -ge "$N" ] && break
done
# the kills must have landed in the middle of the work, not before or after it
if [ "$hits" -ge 5 ]; then ok; else bad "only $hits kills interrupted the work ($mid of $N decided)"; fi
echo "after $round rounds: $hits kills mid-work, $mid of $N decided"
# run to completion (the lock of a killed process is gone with it)
for _ in $(seq 100); do
  "$RD_BIN" dispatch "${C[@]}" --account big --once --at "$AT" --batch 50 >/dev/null 2>"$TMP/err" || { bad "final dispatch failed"; cat "$TMP/err"; break; }
  left=$(python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute(\"select count(*) from recs where id not in (select rec_id from decisions where account='big')\").fetchone()[0] + c.execute(\"select count(*) from orders where status='pending'\").fetchone()[0])" "$TMP/rd.db")
  [ "$left" -eq 0 ] && break
done

python3 - "$TMP/rd.db" "$N" <<'PY' && ok || bad "store and broker disagree after kills"
import json, sqlite3, sys
db, n = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(db)
q = lambda s: c.execute(s).fetchall()
decided = q("select count(*), count(distinct rec_id) from decisions where account='big'")[0]
assert decided == (n, n), ("every recommendation decided exactly once", decided)
approved = q("select count(*) from decisions where account='big' and approved=1")[0][0]
orders = q("select count(*), count(distinct rec_id) from orders where account='big'")[0]
assert orders == (approved, approved), ("one order per approved decision", orders, approved)
assert q("select count(*) from orders o left join decisions d on d.id=o.decision_id where d.id is null")[0][0] == 0
assert q("select count(*) from orders where status != 'filled'")[0][0] == 0, q("select status, count(*) from orders group by status")
broker_orders = q("select count(*) from kv where ns='paper.order.big'")[0][0]
assert broker_orders == approved, ("the broker saw each order once", broker_orders, approved)
acct = json.loads(q("select val from kv where ns='paper.account' and key='big'")[0][0])
held = {p["symbol"]: int(p["qty"]) for p in acct["positions"]}
filled = dict(q("select symbol, sum(filled_qty) from orders group by symbol"))
assert held == filled, ("positions equal fills", held, filled)
cost = q("select sum(filled_qty * multiplier * fill_price) from orders")[0][0]
cash = acct["cash"]
from decimal import Decimal
cash = int(Decimal(cash) * 10000) if isinstance(cash, str) else int(cash)
assert cash == 10000000 * 10000 - cost, ("cash is exact", cash, cost)
print("decided", n, "approved", approved, "broker orders", broker_orders)
PY
finish
