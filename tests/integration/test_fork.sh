#!/usr/bin/env bash
# Forks end to end through the CLI, on SQLite and on a throwaway PostgreSQL:
# the worked example of docs/hierarchy.md (a $10,000 gen node earns $100,000
# and forks a rev child with 100,000, the parent back at its base), the
# child a paper account riskdesk can run, replay and idempotency_conflict,
# every refusal changing nothing, a SIGKILL at every crash step followed by
# a clean `ledger verify` and a rerun leaving exactly one fork, two racing
# executors making one fork, scan, approve and status, a fork split over
# three children by hierarchy.fork_split, the performance
# factor from stored snapshots (and its drawdown rule), `ledger verify` after
# every operation, and the same JSON from both stores (ids and times aside).
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/ledger_steps.sh"
start_pg                     # skips (77) only when PostgreSQL's binaries are missing
command -v sqlite3 >/dev/null || skip_test "sqlite3 is not installed (scripts/deps.sh installs it)"

accounts='{"name": "g1", "tier": "auto", "starting_cash": "10000"},
  {"name": "g2", "tier": "auto", "starting_cash": "10000"},
  {"name": "g3", "tier": "auto", "starting_cash": "10000"},
  {"name": "c1", "tier": "auto", "starting_cash": "600000"}'
for k in k1 k2 k3 k4 k5 race ap pf pd; do
  accounts="$accounts, {\"name\": \"$k\", \"tier\": \"auto\", \"starting_cash\": \"10000\"}"
done
cat >"$TMP/riskdesk.json" <<JSON
{"database": "sqlite:$TMP/rd.db", "accounts": [$accounts]}
JSON
# the same store and accounts, gen forking at 50,000: a fork's parameters change
cat >"$TMP/riskdesk2.json" <<JSON
{"database": "sqlite:$TMP/rd.db", "accounts": [$accounts],
 "hierarchy": {"types": {"gen": {"fork_threshold": "50000"}, "rev": {"min_capital": "50000"}}}}
JSON
# the same with a VIX feed (market.vix_feed): the market factor without --vix
cat >"$TMP/riskdesk3.json" <<JSON
{"database": "sqlite:$TMP/rd.db", "accounts": [$accounts],
 "market": {"vix_feed": "file:$TMP/vix.txt", "vix_max_age_seconds": 900}}
JSON
# the same with hierarchy.fork_split: a gen fork spread over three rev children
LONG=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx   # 59: LONG.f1.a is 64
cat >"$TMP/riskdesk4.json" <<JSON
{"database": "sqlite:$TMP/rd.db", "accounts": [$accounts,
  {"name": "sp1", "tier": "auto", "starting_cash": "10000"},
  {"name": "$LONG", "tier": "auto", "starting_cash": "10000"}],
 "hierarchy": {"fork_split": [{"type": "rev", "fraction": "0.333334"},
                              {"type": "rev", "fraction": "0.333333"},
                              {"type": "rev", "fraction": "0.333333"}]}}
JSON
# and with a rev minimum its thirds reach (riskdesk4's default 100,000 refuses them)
python3 - "$TMP/riskdesk4.json" "$TMP/riskdesk5.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["hierarchy"]["types"] = {"rev": {"min_capital": "30000"}}
json.dump(c, open(sys.argv[2], "w"))
PY
AT=2026-11-21T15:30:00Z            # a Saturday: the market is closed (timing 1)
DAY2=2026-11-22T10:00:00Z          # within 24 h of the first fork
DAY3=2026-11-22T15:30:00Z          # 24 h after it

# forks_of ACCOUNT: "FORKS CHILDREN" as hierarchy show has them
forks_of() {
  "$RD_BIN" hierarchy show "${C[@]}" --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
n = [x for x in d["nodes"] if x["account"] == sys.argv[1]][0]
print(n["forks"], ",".join(n["children"]))' "$1"
}

suite() {
  local name=$1
  step 0 hierarchy init --account g1 --type gen
  step 0 hierarchy init --account g2 --type gen
  step 0 hierarchy init --account c1 --type com
  step 0 ledger pnl --account g1 --amount 100000 --key earn1 --reason "a good year"

  # ---- assess: stored with its factors ----
  step 0 fork assess --account g1 --vix 12 --json
  cp "$TMP/out" "$TMP/$name.assess"
  jcheck_file "$TMP/out" 'd["account"] == "g1" and d["type"] == "gen" and d["surplus"] == "100000.00" and d["threshold"] == "100000.00" and d["child_type"] == "rev" and d["amount"] == "100000.00" and d["factors"] == {"market": "1", "performance": "0", "load": "1", "timing": "1"} and d["confidence"] == "0.6" and d["action"] == "review" and d["assessment"] > 0'
  step 0 fork assess --account g1 --vix 27.5 --json
  jcheck_file "$TMP/out" 'd["factors"]["market"] == "0.5" and d["confidence"] == "0.45"'
  step 0 fork assess --account g1 --json
  jcheck_file "$TMP/out" 'd["factors"]["market"] == "0" and d["confidence"] == "0.3"'
  # the feed's level when --vix is not given; a stale one is unknown (0); --vix wins
  echo 27.5 >"$TMP/vix.txt"
  touch -d 2026-11-21T15:25:00Z "$TMP/vix.txt"
  C3=("${C[@]/riskdesk.json/riskdesk3.json}")
  expect_rc 0 "$RD_BIN" fork assess "${C3[@]}" --account g1 --json --at "$AT"
  jcheck_file "$TMP/out" 'd["factors"]["market"] == "0.5" and d["confidence"] == "0.45"'
  expect_rc 0 "$RD_BIN" fork assess "${C3[@]}" --account g1 --vix 12 --json --at "$AT"
  jcheck_file "$TMP/out" 'd["factors"]["market"] == "1"'
  touch -d 2026-11-21T15:00:00Z "$TMP/vix.txt"
  expect_rc 0 "$RD_BIN" fork assess "${C3[@]}" --account g1 --json --at "$AT"
  jcheck_file "$TMP/out" 'd["factors"]["market"] == "0"'
  verify_clean "assessments from the VIX feed"

  # ---- refusals change nothing ----
  snapshot
  step 1 fork execute --account g1 --vix 12
  expect_in "$TMP/err" "low_confidence: account g1: confidence 0.6 is below 0.80 (action review: a person decides)"
  expect_in "$TMP/err" "riskdesk fork approve"
  step 1 fork execute --account g2 --force
  expect_in "$TMP/err" "below_threshold: account g2 has a surplus of 0.00; a gen node forks at 100000.00"
  step 1 fork assess --account g2
  expect_in "$TMP/err" "below_threshold"
  step 1 fork execute --account c1 --force
  expect_in "$TMP/err" "type_never_forks: account c1 is a com node"
  step 1 fork execute --account g3 --force
  expect_in "$TMP/err" 'account "g3" is not a node of the hierarchy'
  step 1 fork execute --account nobody --force
  expect_in "$TMP/err" 'no account named "nobody"'
  step 2 fork execute --account g1 --force --vix abc
  expect_in "$TMP/err" "--vix: 'abc'; expected a VIX level above 0"
  step 2 fork execute --account g1 --force --vix 0
  expect_in "$TMP/err" "--vix: '0'"
  step 2 fork execute --account g1 --force --key ""
  expect_in "$TMP/err" "--key: expected 1 to 127 characters"
  step 2 fork assess --account g1 --key k
  expect_in "$TMP/err" "--key is for fork execute"
  step 1 fork execute --force
  expect_in "$TMP/err" "--account is required"
  unchanged "refused forks"
  step 0 hierarchy state --account g1 --set SAFE --reason "a look first"
  step 1 fork execute --account g1 --force
  expect_in "$TMP/err" "invalid_transition: g1: SAFE -> FORKING"
  step 0 hierarchy state --account g1 --set ACTIVE --reason "looked"

  # ---- the worked example ----
  step 0 fork execute --account g1 --force --vix 12 --json
  cp "$TMP/out" "$TMP/$name.execute"
  jcheck_file "$TMP/out" 'd["key"] == "fork/g1/1" and d["replayed"] is False and d["status"] == "done" and d["parent"] == "g1" and d["children"] == [{"account": "g1.f1", "type": "rev", "amount": "100000.00"}] and d["op"] > 0 and d["txn"] > 0'
  step 0 hierarchy show --json
  cp "$TMP/out" "$TMP/$name.show"
  jcheck_file "$TMP/out" '[(n["account"], n["state"], n["capital"], n["base"], n["surplus"], n["forks"], n["children"], n["parent"], n["depth"]) for n in d["nodes"] if n["account"].startswith("g1")] == [("g1", "ACTIVE", "10000.00", "10000.00", "0.00", 1, ["g1.f1"], None, 0), ("g1.f1", "ACTIVE", "100000.00", "100000.00", "0.00", 0, [], "g1", 1)]'
  # the child is an account riskdesk runs: its config comes from the store
  step 0 ledger show --account g1.f1 --json
  cp "$TMP/out" "$TMP/$name.child"
  jcheck_file "$TMP/out" 'd["type"] == "rev" and [(t["kind"], t["entries"]) for t in d["transactions"]] == [("fork", [{"book": "g1:available", "amount": "-100000.00"}, {"book": "g1.f1:available", "amount": "100000.00"}])]'
  step 0 ledger deposit --account g1.f1 --amount 1 --key child-runs
  step 0 ledger withdraw --account g1.f1 --amount 1 --key child-runs-back

  # ---- replay and conflict ----
  step 0 fork execute --account g1 --force --vix 12 --key fork/g1/1 --json
  cp "$TMP/out" "$TMP/$name.replay"
  jcheck_file "$TMP/out" 'd["replayed"] is True and d["children"] == [{"account": "g1.f1", "type": "rev", "amount": "100000.00"}]'
  expect_eq "replayed op and transaction" \
    "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["op"], d["txn"])' "$TMP/$name.execute")" \
    "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["op"], d["txn"])' "$TMP/$name.replay")"
  snapshot
  step 1 fork execute --account g2 --force --key fork/g1/1
  expect_in "$TMP/err" 'idempotency_conflict: key "fork/g1/1" was used for op'
  expect_rc 1 "$RD_BIN" fork execute --config "$TMP/riskdesk2.json" "${C[@]:2}" --at "$AT" \
      --account g1 --force --key fork/g1/1
  expect_in "$TMP/err" 'idempotency_conflict: key "fork/g1/1" was used for op'
  verify_clean "a key reused with another amount"
  unchanged "a reused key"

  # ---- cooldown, then the second fork (key fork/g1/2, child g1.f2) ----
  WHEN=$DAY2 step 0 ledger pnl --account g1 --amount 100000 --key earn2
  snapshot
  WHEN=$DAY2 step 1 fork execute --account g1 --force
  expect_in "$TMP/err" "cooldown: account g1 tried a fork less than 24 h ago; the next may start at 2026-11-22T15:30:00Z"
  unchanged "a fork in its cooldown"
  WHEN=$DAY3 step 0 fork execute --account g1 --force --json
  jcheck_file "$TMP/out" 'd["key"] == "fork/g1/2" and d["children"][0]["account"] == "g1.f2"'
  expect_eq "g1's forks" "$(forks_of g1)" "2 g1.f1,g1.f2"

  # ---- a SIGKILL at each step: verify clean, a rerun leaves exactly one fork ----
  local i=0
  for crash in fork.begin fork.child fork.ledger fork.commit fork.after_commit; do
    i=$((i + 1))
    step 0 hierarchy init --account k$i --type gen
    step 0 ledger pnl --account k$i --amount 100000 --key earn-k$i
    RISKDESK_CRASH_AT=$crash expect_rc 137 "$RD_BIN" fork execute "${C[@]}" --at "$AT" \
        --account k$i --force --key crash-k$i
    verify_clean "a SIGKILL at $crash"
    if [ $crash = fork.after_commit ]; then want=1; else want=0; fi
    expect_eq "forks of k$i after a SIGKILL at $crash" "$(forks_of k$i | cut -d' ' -f1)" "$want"
    step 0 fork execute --account k$i --force --key crash-k$i --json
    jcheck_file "$TMP/out" "d['replayed'] is $([ $want = 1 ] && echo True || echo False) and d['children'][0]['account'] == 'k$i.f1'"
    expect_eq "forks of k$i after the rerun ($crash)" "$(forks_of k$i)" "1 k$i.f1"
  done

  # ---- two executors racing with the same default key: one fork ----
  # On PostgreSQL psql holds race's row until both executors wait for it, so
  # they set off together when it lets go.
  step 0 hierarchy init --account race --type gen
  step 0 ledger pnl --account race --amount 100000 --key earn-race
  local holding=0
  if [ "$name" = pg ] && command -v psql >/dev/null; then
    rm -f "$TMP/psql.in"; mkfifo "$TMP/psql.in"
    psql -X -q -d "$PG_URL" <"$TMP/psql.in" >"$TMP/psql.out" 2>&1 &
    psql_pid=$!
    exec 7>"$TMP/psql.in"
    echo "BEGIN; SELECT 'held' FROM hier_nodes WHERE account = 'race' FOR UPDATE;" >&7
    for _ in $(seq 200); do grep -q held "$TMP/psql.out" && { holding=1; break; }; sleep 0.05; done
    expect_eq "psql holds race" "$holding" 1
  fi
  "$RD_BIN" fork execute "${C[@]}" --at "$AT" --account race --force --json >"$TMP/race1" 2>"$TMP/race1.err" &
  p1=$!
  "$RD_BIN" fork execute "${C[@]}" --at "$AT" --account race --force --json >"$TMP/race2" 2>"$TMP/race2.err" &
  p2=$!
  if [ $holding = 1 ]; then
    local waiting=0
    for _ in $(seq 200); do
      waiting=$(psql -X -At -d "$PG_URL" -c "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%hier_nodes%'")
      [ "$waiting" = 2 ] && break; sleep 0.05
    done
    expect_eq "executors waiting for race's row" "$waiting" 2
    echo "ROLLBACK;" >&7
    exec 7>&-
    wait "$psql_pid"
  fi
  wait $p1; r1=$?
  wait $p2; r2=$?
  verify_clean "racing executors"
  expect_eq "race's forks" "$(forks_of race)" "1 race.f1"
  # one did it; the other replayed it or found nothing left to fork
  expect_eq "executors that forked" "$(cat "$TMP/race1" "$TMP/race2" | grep -c '"replayed":false')" 1
  # set off together, both took the default key fork/race/1 before waiting:
  # the second answers with the first's fork
  if [ $holding = 1 ]; then
    expect_eq "executors that replayed" "$(cat "$TMP/race1" "$TMP/race2" | grep -c '"key":"fork/race/1","replayed":true')" 1
  fi
  for n in 1 2; do
    if grep -qF '"replayed":' "$TMP/race$n" || grep -qF 'below_threshold' "$TMP/race$n.err"; then ok; else
      bad "racer $n: exit $([ $n = 1 ] && echo $r1 || echo $r2): $(cat "$TMP/race$n" "$TMP/race$n.err")"
    fi
  done

  # ---- scan, approve, status ----
  step 0 hierarchy init --account ap --type gen
  step 0 ledger pnl --account ap --amount 100000.5 --key earn-ap
  step 0 fork scan --vix 12 --json
  cp "$TMP/out" "$TMP/$name.scan"
  jcheck_file "$TMP/out" '[(o["account"], o["surplus"], o["child_type"], o["confidence"], o["action"]) for o in d["opportunities"]] == [("ap", "100000.50", "rev", "0.6", "review")]'
  id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["opportunities"][0]["assessment"])' "$TMP/out")
  step 2 fork approve x
  expect_in "$TMP/err" "ID: 'x'; expected an assessment's id"
  step 2 fork approve
  expect_in "$TMP/err" "expected one operand"
  step 1 fork approve 999999
  expect_in "$TMP/err" "no fork assessment has id 999999"
  step 0 fork approve "$id" --json
  jcheck_file "$TMP/out" 'd["replayed"] is False and d["key"] == "fork/ap/1" and d["children"] == [{"account": "ap.f1", "type": "rev", "amount": "100000.00"}]'
  expect_eq "ap's forks" "$(forks_of ap)" "1 ap.f1"
  step 1 fork approve "$id"
  expect_in "$TMP/err" "fork approve: assessment $id of ap is stale: fork op"
  step 0 fork scan --json
  jcheck_file "$TMP/out" 'd == {"opportunities": []}'
  step 0 fork status --json
  cp "$TMP/out" "$TMP/$name.status"
  jcheck_file "$TMP/out" 'd["in_progress"] == 0 and d["limit"] == 5 and [f["key"] for f in d["forks"]] == ["fork/g1/1", "fork/g1/2", "crash-k1", "crash-k2", "crash-k3", "crash-k4", "crash-k5", "fork/race/1", "fork/ap/1"] and all(f["status"] == "done" for f in d["forks"]) and d["forks"][0]["children"] == [{"account": "g1.f1", "type": "rev", "amount": "100000.00"}] and d["forks"][0]["at"] == "2026-11-21T15:30:00Z"'

  # ---- the performance factor from the account's snapshots ----
  # 32 days tracked, from 10,000 to 110,000: performance 1. VIX 32.5 (market
  # 0.3): 0.79 with the market closed, 0.74 with it open; both a window, which
  # goes ahead with the market closed only
  WHEN=2026-10-01T20:30:00Z step 0 hierarchy init --account pf --type gen
  WHEN=2026-10-01T20:30:00Z step 0 perf snapshot --account pf
  WHEN=2026-11-02T20:30:00Z step 0 ledger pnl --account pf --amount 100000 --key earn-pf
  WHEN=2026-11-02T20:30:00Z step 0 perf snapshot --account pf
  step 0 fork assess --account pf --vix 32.5 --json
  jcheck_file "$TMP/out" 'd["factors"] == {"market": "0.3", "performance": "1", "load": "1", "timing": "1"} and d["confidence"] == "0.79" and d["action"] == "window"'
  WHEN=2026-11-23T15:30:00Z step 1 fork execute --account pf --vix 32.5
  expect_in "$TMP/err" "low_confidence: account pf: confidence 0.74 is below 0.80 (action window: the market must be closed)"
  step 0 fork execute --account pf --vix 32.5 --json
  jcheck_file "$TMP/out" 'd["replayed"] is False and d["children"][0]["account"] == "pf.f1"'
  # a drawdown of 20% or more takes the performance factor to 0
  WHEN=2026-10-01T20:30:00Z step 0 hierarchy init --account pd --type gen
  WHEN=2026-10-01T20:30:00Z step 0 perf snapshot --account pd
  WHEN=2026-11-02T20:30:00Z step 0 ledger pnl --account pd --amount 130000 --key earn-pd
  WHEN=2026-11-02T20:30:00Z step 0 perf snapshot --account pd
  WHEN=2026-11-03T20:30:00Z step 0 ledger pnl --account pd --amount -30000 --key lose-pd
  WHEN=2026-11-03T20:30:00Z step 0 perf snapshot --account pd
  step 0 fork assess --account pd --vix 12 --json
  jcheck_file "$TMP/out" 'd["surplus"] == "100000.00" and d["factors"]["performance"] == "0" and d["confidence"] == "0.6"'

  "$RD_BIN" ledger verify "${C[@]}" --json >"$TMP/$name.verify"
}

# ---- SQLite ----
C=(--config "$TMP/riskdesk.json")
suite sqlite
# the paper cash moved with the ledger: the parent back at its base, the child funded
expect_eq "g1's paper cash" "$(sqlite3 "$TMP/rd.db" "SELECT json_extract(val, '\$.cash') FROM kv WHERE ns = 'paper.account' AND key = 'g1'")" "10000.00"
expect_eq "g1.f1's paper cash" "$(sqlite3 "$TMP/rd.db" "SELECT json_extract(val, '\$.cash') FROM kv WHERE ns = 'paper.account' AND key = 'g1.f1'")" "100000.00"
# the parent went ACTIVE -> FORKING -> ACTIVE in the fork's op; nothing is left FORKING
expect_eq "g1's fork states" "$(sqlite3 "$TMP/rd.db" "SELECT group_concat(from_state || '>' || to_state || '@' || op, ' ') FROM (SELECT * FROM hier_states WHERE account = 'g1' AND op IS NOT NULL ORDER BY id)")" \
  "ACTIVE>FORKING@1 FORKING>ACTIVE@1 ACTIVE>FORKING@2 FORKING>ACTIVE@2"
expect_eq "nodes in FORKING" "$(sqlite3 "$TMP/rd.db" "SELECT COUNT(*) FROM hier_nodes WHERE state = 'FORKING'")" 0
expect_eq "the child's definition" "$(sqlite3 "$TMP/rd.db" "SELECT def FROM account_defs WHERE name = 'g1.f1'")" \
  '{"name":"g1.f1","tier":"auto","broker":"paper","starting_cash":"100000.00"}'

# refusals that need rows the CLI cannot make, each on a copy of the store
refuse_on_copy() {   # refuse_on_copy SQL CODE
  cp "$TMP/rd.db" "$TMP/copy.db"
  sqlite3 "$TMP/copy.db" "$1"
  expect_rc 1 "$RD_BIN" fork execute --config "$TMP/riskdesk.json" --db "sqlite:$TMP/copy.db" \
      --at 2026-11-25T15:30:00Z --account race --force
  expect_in "$TMP/err" "$2"
}
WIN="INSERT INTO ledger_txns (idem_key, kind, who, why, at) VALUES ('more', 'pnl', 't', '', 0);
     INSERT INTO ledger_entries (txn, book, amount) SELECT id, 'race:available', 1000000000 FROM ledger_txns WHERE idem_key = 'more';
     INSERT INTO ledger_entries (txn, book, amount) SELECT id, '@pnl', -1000000000 FROM ledger_txns WHERE idem_key = 'more';"
refuse_on_copy "$WIN
  INSERT INTO orders (client_order_id, account, symbol, underlying, side, intent, strategy, qty, multiplier, ref_price, status, filled_qty, fill_price, reason, created_at, updated_at)
  VALUES ('o1', 'race', 'AAPL', 'AAPL', 'buy', 'entry', 'swing', 1, 1, 1000000, 'accepted', 0, 0, '', 0, 0)" \
  "open_orders: account race has 1 open orders"
ops=""
for n in 1 2 3 4 5; do
  ops="$ops INSERT INTO hier_ops (kind, idem_key, account, params, status, result, created_at, who) VALUES ('fork', 'open$n', 'g2', '', 'open', '', 0, 't');"
done
refuse_on_copy "$WIN $ops" "fork_limit: account race: 5 forks are in progress; at most 5 at once"
refuse_on_copy "$WIN
  INSERT INTO ledger_txns (idem_key, kind, who, why, at) VALUES ('hold', 'reserve', 't', '', 0);
  INSERT INTO ledger_entries (txn, book, amount) SELECT id, 'race:available', -150000000 FROM ledger_txns WHERE idem_key = 'hold';
  INSERT INTO ledger_entries (txn, book, amount) SELECT id, 'race:reserved', 150000000 FROM ledger_txns WHERE idem_key = 'hold';" \
  "insufficient_funds: account race has 95000.00 available, the fork moves 100000.00"

# split_suite [--db URL]: hierarchy.fork_split spreads a gen fork's 100,000
# over PARENT.f1.a, .b, .c in one transaction (the remainder to the first)
# once their type's minimum allows it (refused below it, nothing written),
# once by its key; a rev child's own fork is not split (its type is not
# before rev); a child's name over 63 characters is refused, nothing written
split_suite() {
  local C=(--config "$TMP/riskdesk4.json" "$@")
  step 0 hierarchy init --account sp1 --type gen
  step 0 ledger pnl --account sp1 --amount 100000 --key earn-sp1
  # thirds of 100,000 under rev's minimum of 100,000: refused, nothing written
  step 1 fork execute --account sp1 --force
  expect_in "$TMP/err" "child_under_minimum: a fork of sp1 would start sp1.f1.a with 33333.40, under the rev type's minimum capital of 100000.00"
  # assess applies the same check
  step 1 fork assess --account sp1
  expect_in "$TMP/err" "child_under_minimum: a fork of sp1 would start sp1.f1.a with 33333.40"
  expect_eq "sp1 after the refused split" "$(forks_of sp1)" "0 "
  C=(--config "$TMP/riskdesk5.json" "$@")
  step 0 fork assess --account sp1 --json
  jcheck_file "$TMP/out" 'd["child_type"] == "rev" and d["amount"] == "100000.00"'
  step 0 fork execute --account sp1 --force --json
  jcheck_file "$TMP/out" 'd["key"] == "fork/sp1/1" and d["children"] == [{"account": "sp1.f1.a", "type": "rev", "amount": "33333.40"}, {"account": "sp1.f1.b", "type": "rev", "amount": "33333.30"}, {"account": "sp1.f1.c", "type": "rev", "amount": "33333.30"}]'
  expect_eq "sp1 after the split fork" "$(forks_of sp1)" "1 sp1.f1.a,sp1.f1.b,sp1.f1.c"
  "$RD_BIN" ledger show "${C[@]}" --account sp1 --json >"$TMP/sp1.ledger"
  jcheck_file "$TMP/sp1.ledger" 'd["capital"] == "10000.00" and d["surplus"] == "0.00" and [t["entries"] for t in d["transactions"] if t["kind"] == "fork"] == [[{"book": "sp1:available", "amount": "-100000.00"}, {"book": "sp1.f1.a:available", "amount": "33333.40"}, {"book": "sp1.f1.b:available", "amount": "33333.30"}, {"book": "sp1.f1.c:available", "amount": "33333.30"}]]'
  step 0 fork execute --account sp1 --force --key fork/sp1/1 --json
  jcheck_file "$TMP/out" 'd["replayed"] is True and [c["account"] for c in d["children"]] == ["sp1.f1.a", "sp1.f1.b", "sp1.f1.c"]'
  step 0 ledger pnl --account sp1.f1.a --amount 500000 --key earn-sp1a
  step 0 fork execute --account sp1.f1.a --force --json
  jcheck_file "$TMP/out" 'd["children"] == [{"account": "sp1.f1.a.f1", "type": "com", "amount": "500000.00"}]'
  step 0 hierarchy init --account "$LONG" --type gen
  step 0 ledger pnl --account "$LONG" --amount 100000 --key "earn-long"
  step 1 fork execute --account "$LONG" --force
  expect_in "$TMP/err" "would be named $LONG.f1.a, over 63 characters"
  expect_eq "the long-named node after the refusal" "$(forks_of "$LONG")" "0 "
}
split_suite

# ---- PostgreSQL ----
C=(--config "$TMP/riskdesk.json" --db "$PG_URL")
suite pg
split_suite --db "$PG_URL"

NORMAL_DROP="id txn at op assessment finished"
same_json assess execute replay show child scan status verify

finish
