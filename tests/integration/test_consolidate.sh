#!/usr/bin/env bash
# Consolidations end to end through the CLI, on SQLite and on a throwaway
# PostgreSQL: the worked example's second half (the rev child a gen node
# forked consolidates back into it), a source holding a position going
# MERGING -> its dispatcher exits it -> flat -> CLOSED with its capital moved
# (and refused, the source left MERGING, when its target closed meanwhile),
# partial, sibling and new, every refusal changing nothing, replay and
# idempotency_conflict, two racing executors making one consolidation (the
# second replaying it), a SIGKILL at every crash step followed by a clean
# `ledger verify` and a rerun leaving exactly one consolidation, scan and a
# critical one set SAFE, `ledger verify` after every step (and its rule that
# a MERGING node has an open op), the same JSON from both stores.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/ledger_steps.sh"
start_stores                 # skips (77) only when PostgreSQL's binaries are missing
trap 'stop_server; rm -rf "$TMP"' EXIT

trading='"risk": {"allowed_actions": ["BUY_STOCK", "SELL_STOCK"], "max_notional_exposure": "10000000", "max_daily_loss": "100000"}'
accounts="{\"name\": \"s2\", \"tier\": \"auto\", \"starting_cash\": \"10000\", $trading},
  {\"name\": \"t2\", \"tier\": \"auto\", \"starting_cash\": \"10000\", $trading},
  {\"name\": \"c1\", \"tier\": \"auto\", \"starting_cash\": \"600000\"},
  {\"name\": \"g3\", \"tier\": \"auto\", \"starting_cash\": \"10000\"}"
for k in g1 g2 w1 n1 s3 sc dd k1 k2 k3 k4 ap t1 rc; do
  accounts="$accounts, {\"name\": \"$k\", \"tier\": \"auto\", \"starting_cash\": \"10000\"}"
done
cat >"$TMP/riskdesk.json" <<JSON
{"database": "sqlite:$TMP/rd.db", "accounts": [$accounts]}
JSON
AT=2026-11-21T15:30:00Z            # a Saturday: the market is closed
EARLY=2026-10-01T20:30:00Z         # 51 days before AT
TRADE=2026-11-23T16:00:00Z         # Monday, the market open

# node ACCOUNT: "STATE CAPITAL BASE" as hierarchy show has them
node() {
  "$RD_BIN" hierarchy show "${C[@]}" --json | python3 -c '
import json, sys
n = [x for x in json.load(sys.stdin)["nodes"] if x["account"] == sys.argv[1]][0]
print(n["state"], n["capital"], n["base"])' "$1"
}
# merges_of ACCOUNT: the consolidation ops of ACCOUNT as "KIND:STATUS ..."
merges_of() {
  "$RD_BIN" consolidate status "${C[@]}" --json | python3 -c '
import json, sys
print(" ".join(o["kind"] + ":" + o["status"] for o in json.load(sys.stdin)["consolidations"] if o["source"] == sys.argv[1]))' "$1"
}
# assessment_of FILE: the stored assessment's id in a JSON answer
assessment_of() {
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["assessment"])' "$1"
}
# forked PARENT: a gen node of 10,000 that earned 100,000 and forked PARENT.f1 (rev, 100,000)
forked() {
  step 0 hierarchy init --account "$1" --type gen
  step 0 ledger pnl --account "$1" --amount 100000 --key "earn-$1"
  step 0 fork execute --account "$1" --force
}

suite() {
  local name=$1
  # ---- the worked example's second half ----
  forked w1
  step 0 consolidate assess --account w1.f1 --strategy parent --json
  cp "$TMP/out" "$TMP/$name.assess"
  jcheck_file "$TMP/out" 'd == {"account": "w1.f1", "type": "rev", "state": "ACTIVE", "triggers": ["manual"], "urgency": "high", "strategy": "parent", "target": "w1", "amount": "100000.00", "confidence": "0.6", "factors": {"reliability": "1", "benefit": "0", "risk": "1"}, "action": "review", "safe": False, "assessment": d["assessment"]} and d["assessment"] > 0'
  step 1 consolidate execute --account w1.f1 --strategy parent
  expect_in "$TMP/err" "low_confidence: account w1.f1: confidence 0.6 is below 0.80 (action review: a person decides); assessment "
  expect_in "$TMP/err" "waits for \`riskdesk consolidate approve "
  expect_eq "w1.f1 after a refusal" "$(node w1.f1)" "ACTIVE 100000.00 100000.00"
  step 0 consolidate execute --account w1.f1 --strategy parent --force --json
  cp "$TMP/out" "$TMP/$name.execute"
  jcheck_file "$TMP/out" 'd["key"] == "consolidate/w1.f1/1" and d["replayed"] is False and d["status"] == "done" and d["source"] == "w1.f1" and d["target"] == "w1" and d["amount"] == "100000.00" and d["op"] > 0 and d["txn"] > 0'
  expect_eq "w1 after" "$(node w1)" "ACTIVE 110000.00 110000.00"
  expect_eq "w1.f1 after" "$(node w1.f1)" "CLOSED 0.00 100000.00"
  step 0 ledger show --account w1.f1 --json
  cp "$TMP/out" "$TMP/$name.ledger"
  jcheck_file "$TMP/out" '[(t["kind"], t["entries"]) for t in d["transactions"]][-1] == ("merge", [{"book": "w1.f1:available", "amount": "-100000.00"}, {"book": "w1:available", "amount": "100000.00"}])'

  # ---- replay and conflict ----
  step 0 consolidate execute --account w1.f1 --strategy parent --force --key consolidate/w1.f1/1 --json
  cp "$TMP/out" "$TMP/$name.replay"
  jcheck_file "$TMP/out" 'd["replayed"] is True and d["status"] == "done" and d["amount"] == "100000.00"'
  expect_eq "replayed op and transaction" \
    "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["op"], d["txn"])' "$TMP/$name.execute")" \
    "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["op"], d["txn"])' "$TMP/$name.replay")"
  expect_eq "w1.f1's consolidations" "$(merges_of w1.f1)" "merge:done"

  # ---- refusals change nothing ----
  forked g1
  step 0 hierarchy init --account g2 --type gen
  step 0 hierarchy init --account c1 --type com
  snapshot
  step 1 consolidate execute --account g1.f1 --strategy partial --amount 1 --force --key consolidate/w1.f1/1
  expect_in "$TMP/err" 'idempotency_conflict: key "consolidate/w1.f1/1" was used for op'
  step 1 consolidate execute --account w1.f1 --strategy partial --amount 1 --into w1 --force --key consolidate/w1.f1/1
  expect_in "$TMP/err" 'idempotency_conflict'
  step 1 consolidate execute --account g1 --strategy parent --force
  expect_in "$TMP/err" "no_parent: g1 is a root; strategy parent needs a parent"
  step 1 consolidate execute --account g1.f1 --strategy parent --into g2 --force
  expect_in "$TMP/err" "target_not_parent: --into g2 is not g1.f1's parent g1"
  step 1 consolidate execute --account g1.f1 --strategy sibling --force
  expect_in "$TMP/err" "no_sibling: g1.f1 has no open sibling of type rev"
  step 1 consolidate execute --account g1.f1 --strategy sibling --into g2 --force
  expect_in "$TMP/err" "not_sibling: --into g2 is no sibling of g1.f1"
  step 1 consolidate execute --account g2 --strategy sibling --into c1 --force
  expect_in "$TMP/err" "sibling_type: --into c1 is com, g2 is gen"
  step 1 consolidate execute --account g2 --strategy sibling --into g1 --force
  expect_in "$TMP/err" "sibling_young: --into g1 has 0 tracked days; a sibling needs at least 30"
  step 1 consolidate execute --account g1.f1 --strategy new --into g1 --force
  expect_in "$TMP/err" "--into: strategy new makes its own node"
  step 1 consolidate execute --account g1.f1 --strategy partial --amount 100000.0001 --force
  expect_in "$TMP/err" "insufficient_funds: --amount 100000.0001 is over g1.f1's available 100000.00"
  step 1 consolidate execute --account g1.f1 --strategy partial --amount 1 --into nobody --force
  expect_in "$TMP/err" "--into: nobody is not a node"
  step 1 consolidate execute --account w1.f1 --strategy parent --force --key another
  expect_in "$TMP/err" "invalid_transition: w1.f1 is CLOSED"
  step 1 consolidate execute --account g3 --strategy parent --force
  expect_in "$TMP/err" 'account "g3" is not a node of the hierarchy'
  step 2 consolidate execute --account g1.f1 --force
  expect_in "$TMP/err" "--strategy: expected parent, sibling, new or partial"
  step 2 consolidate execute --account g1.f1 --strategy merge --force
  expect_in "$TMP/err" "--strategy: 'merge'; expected parent, sibling, new or partial"
  step 2 consolidate execute --account g1.f1 --strategy parent --amount 5 --force
  expect_in "$TMP/err" "--amount is for --strategy partial"
  step 2 consolidate execute --account g1.f1 --strategy partial --force
  expect_in "$TMP/err" "--strategy partial needs --amount D"
  for a in abc 0 -1 1.00001; do
    step 2 consolidate execute --account g1.f1 --strategy partial --amount "$a" --force
    expect_in "$TMP/err" "--amount"
  done
  step 2 consolidate execute --account g1.f1 --strategy parent --force --key ""
  expect_in "$TMP/err" "--key: expected 1 to 127 characters"
  step 2 consolidate assess --account g1.f1 --strategy parent --key k
  expect_in "$TMP/err" "--key is for consolidate execute"
  step 1 consolidate execute --strategy parent --force
  expect_in "$TMP/err" "--account is required"
  unchanged "refused consolidations"

  # ---- open children, the subtree, partial ----
  step 0 ledger pnl --account g1.f1 --amount 500000 --key earn-g1.f1
  step 0 fork execute --account g1.f1 --force        # g1.f1.f1: com, 500,000
  snapshot
  step 1 consolidate execute --account g1.f1 --strategy parent --force
  expect_in "$TMP/err" "open_children: g1.f1 has 1 open child node(s)"
  step 1 consolidate execute --account g1.f1 --strategy partial --amount 10 --into g1.f1.f1 --force
  expect_in "$TMP/err" "target_in_subtree: --into g1.f1.f1 is g1.f1 or under it"
  step 1 consolidate execute --account g1 --strategy partial --amount 10 --into g1 --force
  expect_in "$TMP/err" "target_in_subtree"
  unchanged "refused: open children, the subtree"
  step 0 consolidate execute --account g1.f1 --strategy partial --amount 1000.5 --force --key part1 --json
  cp "$TMP/out" "$TMP/$name.partial"
  jcheck_file "$TMP/out" 'd["key"] == "part1" and d["replayed"] is False and d["status"] == "done" and d["source"] == "g1.f1" and d["target"] == "g1" and d["amount"] == "1000.50"'
  expect_eq "g1.f1 after a partial" "$(node g1.f1)" "ACTIVE 98999.50 98999.50"
  expect_eq "g1 after a partial" "$(node g1)" "ACTIVE 11000.50 11000.50"
  step 0 consolidate execute --account g1.f1 --strategy partial --amount 1000.5 --force --key part1 --json
  jcheck_file "$TMP/out" 'd["replayed"] is True and d["amount"] == "1000.50"'
  snapshot
  step 1 consolidate execute --account g1.f1 --strategy partial --amount 2 --force --key part1
  expect_in "$TMP/err" 'idempotency_conflict: key "part1" was used for op'
  unchanged "a reused partial key"
  expect_eq "g1.f1's consolidations" "$(merges_of g1.f1)" "partial:done"
  # bottom up: the com grandchild into g1.f1, then g1.f1 into g1
  step 0 consolidate execute --account g1.f1.f1 --strategy parent --force
  step 0 consolidate execute --account g1.f1 --strategy parent --force --json
  jcheck_file "$TMP/out" 'd["key"] == "consolidate/g1.f1/2" and d["amount"] == "598999.50"'
  expect_eq "g1 at the end" "$(node g1)" "ACTIVE 610000.00 610000.00"

  # ---- new: a node under the parent takes the capital ----
  forked n1
  step 0 consolidate execute --account n1.f1 --strategy new --force --json
  cp "$TMP/out" "$TMP/$name.new"
  jcheck_file "$TMP/out" 'd["status"] == "done" and d["target"] == "n1.c1" and d["amount"] == "100000.00"'
  step 0 hierarchy show --json
  jcheck_file "$TMP/out" '[(n["account"], n["type"], n["state"], n["parent"], n["capital"]) for n in d["nodes"] if n["account"].startswith("n1")] == [("n1", "gen", "ACTIVE", None, "10000.00"), ("n1.c1", "rev", "ACTIVE", "n1", "100000.00"), ("n1.f1", "rev", "CLOSED", "n1", "0.00")]'

  # ---- a source holding a position: MERGING, its exit, flat, CLOSED ----
  WHEN=$EARLY step 0 hierarchy init --account s3 --type gen
  WHEN=$EARLY step 0 perf snapshot --account s3
  WHEN=2026-11-02T20:30:00Z step 0 ledger pnl --account s3 --amount 1000 --key earn-s3
  WHEN=2026-11-02T20:30:00Z step 0 perf snapshot --account s3
  WHEN=$TRADE step 0 hierarchy init --account s2 --type gen
  printf '{"id":"%s-gx","created_at":"2026-11-23T16:00:00Z","underlying":"GX","symbol":"GX","action":"BUY_STOCK","strategy":"swing","confidence":0.8,"volume_ratio":3,"price":"50","stop_price":"49"}\n' "$name" >"$TMP/gx.jsonl"
  expect_rc 0 "$RD_BIN" recommend import "${C[@]}" "$TMP/gx.jsonl"
  WHEN=2026-11-23T16:00:10Z step 0 dispatch --account s2 --once
  expect_eq "s2 holds GX" "$(node s2)" "ACTIVE 10000.00 10000.00"
  WHEN=2026-11-23T16:10:00Z step 0 consolidate execute --account s2 --strategy sibling --force --json
  cp "$TMP/out" "$TMP/$name.open"
  jcheck_file "$TMP/out" 'd["status"] == "open" and d["target"] == "s3" and d["txn"] is None and d["amount"] == "10000.00"'
  expect_eq "s2 waiting" "$(node s2)" "MERGING 10000.00 10000.00"
  step 0 consolidate status --json
  jcheck_file "$TMP/out" 'd["in_progress"] == 1'
  # the same op asked again: it waits still
  WHEN=2026-11-23T16:11:00Z step 0 consolidate execute --account s2 --strategy sibling --force --json
  jcheck_file "$TMP/out" 'd["status"] == "open" and d["replayed"] is True'
  # a MERGING node without its open op is a problem verify names (on a copy)
  if [ "$name" = sqlite ]; then
    cp "$TMP/rd.db" "$TMP/copy.db"
    python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("UPDATE hier_ops SET status = '"'failed'"' WHERE account = '"'s2'"'"); c.commit()' "$TMP/copy.db"
    expect_rc 1 "$RD_BIN" ledger verify --config "$TMP/riskdesk.json" --db "sqlite:$TMP/copy.db"
    expect_in "$TMP/err" "node s2: in MERGING with no open consolidation"
  fi
  WHEN=2026-11-23T16:20:00Z step 0 dispatch --account s2 --once
  "$RD_BIN" orders "${C[@]}" --account s2 --json >"$TMP/s2.orders"
  jcheck_file "$TMP/s2.orders" '[(o["intent"], o["status"], o["reason"]) for o in d] == [("entry", "filled", ""), ("exit", "filled", "consolidate")]'
  expect_eq "s2 closed" "$(node s2 | cut -d' ' -f1,2)" "CLOSED 0.00"
  expect_eq "s2's consolidations" "$(merges_of s2)" "merge:done"
  python3 - "$TMP/s2.orders" "$(node s3)" <<'PY' && ok || bad "$name: s3 did not take s2's capital (10,000 + the exit's P&L)"
import json, sys
from decimal import Decimal as D
o = json.load(open(sys.argv[1]))
pnl = (D(o[1]["fill_price"]) - D(o[0]["fill_price"])) * D(o[0]["filled_qty"])
state, capital, base = sys.argv[2].split()
assert state == "ACTIVE" and D(capital) == D(11000) + D(10000) + pnl, (capital, pnl)
PY
  # a second cycle places nothing more
  WHEN=2026-11-23T16:30:00Z step 0 dispatch --account s2 --once
  "$RD_BIN" orders "${C[@]}" --account s2 --json >"$TMP/s2.orders"
  jcheck_file "$TMP/s2.orders" 'len(d) == 2'

  # ---- the target closed while the source waits: refused, nothing moves ----
  WHEN=$EARLY step 0 hierarchy init --account t1 --type gen
  WHEN=$EARLY step 0 perf snapshot --account t1
  WHEN=2026-11-02T20:30:00Z step 0 perf snapshot --account t1
  WHEN=$TRADE step 0 hierarchy init --account t2 --type gen
  WHEN=2026-11-23T16:00:10Z step 0 dispatch --account t2 --once
  WHEN=2026-11-23T16:10:00Z step 0 consolidate execute --account t2 --strategy sibling --into t1 --force --json
  jcheck_file "$TMP/out" 'd["status"] == "open" and d["target"] == "t1"'
  # t1 gives its capital to s3 and is CLOSED while t2 waits
  WHEN=2026-11-23T16:12:00Z step 0 consolidate execute --account t1 --strategy sibling --into s3 --force --json
  expect_eq "t1 closed" "$(node t1 | cut -d' ' -f1,2)" "CLOSED 0.00"
  # t2's dispatcher exits its position, and its finish is refused: t2 stays
  # MERGING with its capital, t1 takes nothing
  WHEN=2026-11-23T16:20:00Z step 0 dispatch --account t2 --once
  expect_in "$TMP/err" "target_state: consolidation op"
  "$RD_BIN" orders "${C[@]}" --account t2 --json >"$TMP/t2.orders"
  jcheck_file "$TMP/t2.orders" '[(o["intent"], o["status"]) for o in d] == [("entry", "filled"), ("exit", "filled")]'
  WHEN=2026-11-23T16:25:00Z step 1 consolidate execute --account t2 --strategy sibling --into t1 --force
  expect_in "$TMP/err" "target_state: consolidation op"
  expect_in "$TMP/err" "its target t1 is CLOSED now; expected ACTIVE, SAFE or SUSPENDED; t2 stays MERGING"
  expect_eq "t1 after the refusals" "$(node t1 | cut -d' ' -f1,2)" "CLOSED 0.00"
  expect_eq "t2 after the refusals" "$(node t2 | cut -d' ' -f1)" "MERGING"
  expect_eq "t2's consolidations" "$(merges_of t2)" "merge:open"

  # ---- a SIGKILL at each step: verify clean, a rerun leaves exactly one ----
  local i=0
  for crash in consolidate.begin consolidate.ledger consolidate.commit consolidate.after_commit; do
    i=$((i + 1))
    forked k$i
    RISKDESK_CRASH_AT=$crash expect_rc 137 "$RD_BIN" consolidate execute "${C[@]}" --at "$AT" \
        --account k$i.f1 --strategy parent --force --key crash-k$i
    verify_clean "a SIGKILL at $crash"
    if [ $crash = consolidate.after_commit ]; then want="CLOSED 0.00"; else want="ACTIVE 100000.00"; fi
    expect_eq "k$i.f1 after a SIGKILL at $crash" "$(node k$i.f1 | cut -d' ' -f1,2)" "$want"
    step 0 consolidate execute --account k$i.f1 --strategy parent --force --key crash-k$i --json
    jcheck_file "$TMP/out" "d['replayed'] is $([ $crash = consolidate.after_commit ] && echo True || echo False) and d['status'] == 'done'"
    expect_eq "k$i.f1's consolidations after the rerun ($crash)" "$(merges_of k$i.f1)" "merge:done"
    expect_eq "k$i after the rerun ($crash)" "$(node k$i | cut -d' ' -f1,2)" "ACTIVE 110000.00"
  done

  # ---- two executors racing with the same default key: one consolidation ----
  # On PostgreSQL psql holds rc.f1's row until both executors wait for it, so
  # both took the key consolidate/rc.f1/1 and the second answers with the first's.
  forked rc
  local holding=0
  if [ "$name" = pg ] && command -v psql >/dev/null; then
    rm -f "$TMP/psql.in"; mkfifo "$TMP/psql.in"
    psql -X -q -d "$PG_URL" <"$TMP/psql.in" >"$TMP/psql.out" 2>&1 &
    psql_pid=$!
    exec 7>"$TMP/psql.in"
    echo "BEGIN; SELECT 'held' FROM hier_nodes WHERE account = 'rc.f1' FOR UPDATE;" >&7
    for _ in $(seq 200); do grep -q held "$TMP/psql.out" && { holding=1; break; }; sleep 0.05; done
    expect_eq "psql holds rc.f1" "$holding" 1
  fi
  for n in 1 2; do
    "$RD_BIN" consolidate execute "${C[@]}" --at "$AT" --account rc.f1 --strategy parent --force --json >"$TMP/rc$n" 2>"$TMP/rc$n.err" &
    eval "rp$n=\$!"
  done
  if [ $holding = 1 ]; then
    local waiting=0
    for _ in $(seq 200); do
      waiting=$(psql -X -At -d "$PG_URL" -c "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%hier_nodes%'")
      [ "$waiting" = 2 ] && break; sleep 0.05
    done
    expect_eq "executors waiting for rc.f1's row" "$waiting" 2
    echo "ROLLBACK;" >&7
    exec 7>&-
    wait "$psql_pid"
  fi
  wait "$rp1"; wait "$rp2"
  verify_clean "racing consolidations"
  expect_eq "rc.f1's consolidations" "$(merges_of rc.f1)" "merge:done"
  expect_eq "executors that consolidated" "$(cat "$TMP/rc1" "$TMP/rc2" | grep -c '"replayed":false')" 1
  if [ $holding = 1 ]; then
    expect_eq "executors that replayed" "$(cat "$TMP/rc1" "$TMP/rc2" | grep -c '"key":"consolidate/rc.f1/1","replayed":true')" 1
  fi

  # ---- approve: a stored assessment executes once ----
  forked ap
  step 0 consolidate assess --account ap.f1 --strategy partial --amount 250.5 --json
  partial=$(assessment_of "$TMP/out")
  step 0 consolidate approve "$partial" --json
  jcheck_file "$TMP/out" 'd["key"] == "consolidate/ap.f1/1" and d["amount"] == "250.50" and d["status"] == "done" and d["target"] == "ap"'
  step 1 consolidate execute --account ap.f1 --strategy parent
  refused=$(sed -n 's/.*; assessment \([0-9]*\) waits.*/\1/p' "$TMP/err")
  expect_eq "ap.f1 before approval" "$(node ap.f1)" "ACTIVE 99749.50 99749.50"
  step 0 consolidate approve "$refused" --json
  cp "$TMP/out" "$TMP/$name.approve"
  jcheck_file "$TMP/out" 'd["key"] == "consolidate/ap.f1/2" and d["replayed"] is False and d["status"] == "done" and d["source"] == "ap.f1" and d["target"] == "ap" and d["amount"] == "99749.50"'
  expect_eq "ap.f1 approved" "$(node ap.f1)" "CLOSED 0.00 99749.50"
  step 1 consolidate approve "$refused"
  expect_in "$TMP/err" "consolidate approve: assessment $refused of ap.f1 is stale: consolidation op"
  step 0 consolidate approve "$refused" --key consolidate/ap.f1/2 --json
  jcheck_file "$TMP/out" 'd["replayed"] is True and d["status"] == "done" and d["amount"] == "99749.50"'
  step 1 consolidate approve "$partial"
  expect_in "$TMP/err" "is stale"
  step 1 consolidate approve 999999
  expect_in "$TMP/err" "no consolidation assessment has id 999999"
  step 2 consolidate approve x1
  expect_in "$TMP/err" "ID: 'x1'; expected an assessment's id"
  step 2 consolidate approve
  expect_eq "ap.f1's consolidations" "$(merges_of ap.f1)" "partial:done merge:done"

  # ---- scan: a rev node under its minimum, idle for 51 days ----
  WHEN=$EARLY forked sc
  WHEN=$EARLY step 0 ledger withdraw --account sc.f1 --amount 1 --key out-sc
  step 0 consolidate scan --json
  cp "$TMP/out" "$TMP/$name.scan"
  jcheck_file "$TMP/out" 'd == {"opportunities": [{"account": "sc.f1", "type": "rev", "state": "ACTIVE", "triggers": ["under_minimum", "idle"], "urgency": "medium", "strategy": "parent", "target": "sc", "amount": "99999.00", "confidence": "0.6", "factors": {"reliability": "1", "benefit": "0", "risk": "1"}, "action": "review", "safe": False, "assessment": None}]}'

  # ---- critical below 0.70: SAFE ----
  # (dd lost as much: no gain in moving, so the confidence is low)
  WHEN=$EARLY forked dd
  for a in dd:-3000 dd.f1:-30000; do          # 30% each
    WHEN=$EARLY step 0 perf snapshot --account ${a%:*}
    WHEN=2026-10-02T20:30:00Z step 0 ledger pnl --account ${a%:*} --amount ${a#*:} --key lose-${a%:*}
    WHEN=2026-10-02T20:30:00Z step 0 perf snapshot --account ${a%:*}
  done
  # the API's GET of the opportunities is a read: it names dd.f1 critical,
  # below 0.70 ("safe": the scan would set it SAFE) and leaves it ACTIVE
  expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role viewer --user "vera-$name"
  keep_token "viewer-$name"
  start_server "$TMP/$name-serve" --at "$AT"
  r GET /api/v1/consolidation/opportunities "$(cat "$TMP/viewer-$name.token")"
  expect 200
  jcheck '[(o["urgency"], o["safe"], o["state"]) for o in d["opportunities"] if o["account"] == "dd.f1"] == [("critical", True, "ACTIVE")]'
  stop_server
  expect_eq "dd.f1 after the API's GET" "$(node dd.f1 | cut -d' ' -f1)" "ACTIVE"
  step 1 consolidate execute --account dd.f1 --strategy parent
  expect_in "$TMP/err" "critical, so it was set SAFE"
  expect_eq "dd.f1 set SAFE" "$(node dd.f1 | cut -d' ' -f1)" "SAFE"
  step 0 consolidate assess --account dd.f1 --strategy parent --json
  jcheck_file "$TMP/out" 'd["triggers"][0] == "drawdown" and d["urgency"] == "critical" and d["safe"] is True and d["state"] == "SAFE"'

  step 0 consolidate status --json
  cp "$TMP/out" "$TMP/$name.status"
  jcheck_file "$TMP/out" 'd["in_progress"] == 1 and [o["source"] for o in d["consolidations"] if o["status"] != "done"] == ["t2"]'
  step 0 hierarchy show --json
  cp "$TMP/out" "$TMP/$name.show"
  "$RD_BIN" ledger verify "${C[@]}" --json >"$TMP/$name.verify"
}

# ---- SQLite ----
STORE=sqlite
C=(--config "$TMP/riskdesk.json")
suite sqlite

# ---- PostgreSQL ----
STORE=pg
C=(--config "$TMP/riskdesk.json" --db "$PG_URL")
suite pg

NORMAL_DROP="id txn at op finished assessment"
same_json approve assess execute ledger replay partial new scan status show verify

finish
