#!/usr/bin/env bash
# The hierarchy's ledger end to end through the CLI, on SQLite and on a
# throwaway PostgreSQL: nodes made from paper accounts (an Alpaca account
# refused), deposits, withdrawals and P&L with their keys replayed or refused,
# bad input refused changing nothing, state changes along the state machine,
# `ledger verify` clean after every operation, the same JSON from both stores
# (ids and times aside), racing withdrawals on PostgreSQL of which exactly one
# goes through, and rows edited by hand behind riskdesk's back: the triggers
# refuse it, and once they are dropped verify names the edit.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/ledger_steps.sh"
start_pg                     # skips (77) only when PostgreSQL's binaries are missing
command -v sqlite3 >/dev/null || skip_test "sqlite3 is not installed (scripts/deps.sh installs it)"

cat >"$TMP/riskdesk.json" <<JSON
{"database": "sqlite:$TMP/rd.db",
 "accounts": [
  {"name": "g1", "tier": "auto", "starting_cash": "10000"},
  {"name": "g2", "tier": "auto", "starting_cash": "25000.50"},
  {"name": "g3", "tier": "auto", "starting_cash": "5000"},
  {"name": "al", "tier": "auto", "broker": "alpaca", "credentials": "env:LEDGER_TEST_KEY"}]}
JSON
AT=2026-11-20T15:30:00Z

# suite NAME: everything on the store C points at; outputs kept in $TMP/NAME.*
suite() {
  local name=$1
  verify_clean "an empty store"
  step 0 hierarchy init --account g1 --type gen --json
  jcheck_file "$TMP/out" 'd["capital"] == "10000.00" and d["state"] == "ACTIVE" and d["type"] == "gen"'
  step 0 hierarchy init --account g2 --type rev
  expect_in "$TMP/out" "g2: a rev node, ACTIVE, opened with 25000.50"

  snapshot
  step 1 hierarchy init --account g1 --type gen
  expect_in "$TMP/err" "g1 is a node already"
  step 1 hierarchy init --account al --type gen
  expect_in "$TMP/err" "Alpaca's API cannot move money between accounts"
  step 2 hierarchy init --account g3 --type bogus
  expect_in "$TMP/err" "--type: 'bogus'; expected gen, rev or com"
  unchanged "refused inits"

  step 0 ledger deposit --account g1 --amount 500 --key d1 --reason "top up" --json
  cp "$TMP/out" "$TMP/$name.deposit"
  jcheck_file "$TMP/out" 'd["replayed"] is False and d["available"] == "10500.00"'
  step 0 ledger deposit --account g1 --amount 500 --key d1 --reason "top up" --json
  cp "$TMP/out" "$TMP/$name.replay"
  jcheck_file "$TMP/out" 'd["replayed"] is True and d["available"] == "10500.00"'
  expect_eq "replayed transaction" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["txn"])' "$TMP/$name.deposit")" \
            "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["txn"])' "$TMP/$name.replay")"

  snapshot
  step 1 ledger deposit --account g1 --amount 501 --key d1 --reason "top up"
  expect_in "$TMP/err" 'idempotency_conflict: key "d1"'
  step 1 ledger withdraw --account g2 --amount 500 --key d1 --reason "top up"
  expect_in "$TMP/err" "idempotency_conflict"
  step 1 ledger withdraw --account g1 --amount 10500.0001 --key w0
  expect_in "$TMP/err" "insufficient_funds: account g1 has 10500.00 available, 10500.0001 asked"
  step 1 ledger pnl --account g1 --amount -10500.01 --key p0
  expect_in "$TMP/err" "insufficient_funds"
  for amount in abc 0 -5 1.23456 1e3 ""; do
    step 2 ledger deposit --account g1 --amount "$amount" --key bad
    expect_in "$TMP/err" "--amount: '$amount'"
  done
  step 2 ledger pnl --account g1 --amount 0 --key bad
  expect_in "$TMP/err" "expected a nonzero amount"
  step 2 ledger deposit --account g1 --amount 5
  expect_in "$TMP/err" "--key K is required"
  step 1 ledger deposit --account g3 --amount 5 --key g3
  expect_in "$TMP/err" 'account "g3" is not a node of the hierarchy'
  step 1 ledger deposit --account nobody --amount 5 --key n
  expect_in "$TMP/err" 'no account named "nobody"'
  unchanged "refused movements"

  step 0 ledger withdraw --account g1 --amount 200.1234 --key w1
  expect_in "$TMP/out" "withdraw 200.1234 g1: transaction"
  step 0 ledger pnl --account g1 --amount -12.5 --key fee1 --reason "broker fee"
  step 0 ledger pnl --account g2 --amount 99.99 --key gain1

  step 0 hierarchy state --account g1 --set SAFE --reason "checked by hand" --json
  jcheck_file "$TMP/out" 'd["from"] == "ACTIVE" and d["to"] == "SAFE" and d["trading"] == "HALTED"'
  snapshot
  step 1 hierarchy state --account g1 --set CLOSED --reason "no"
  expect_in "$TMP/err" "invalid_transition: g1: SAFE -> CLOSED"
  step 1 hierarchy state --account g1 --set FORKING --reason "no"
  expect_in "$TMP/err" "invalid_transition: g1: FORKING is entered by a fork"
  step 2 hierarchy state --account g1 --set PAUSED --reason "no"
  expect_in "$TMP/err" "--set: 'PAUSED'"
  step 2 hierarchy state --account g1 --set ACTIVE
  expect_in "$TMP/err" "--reason TEXT is required"
  unchanged "refused state changes"
  step 0 hierarchy state --account g1 --set ACTIVE --reason "back"

  step 0 hierarchy show --json
  cp "$TMP/out" "$TMP/$name.show"
  jcheck_file "$TMP/out" '[n["account"] for n in d["nodes"]] == ["g1", "g2"] and d["nodes"][0]["capital"] == "10287.3766" and d["nodes"][0]["base"] == "10299.8766" and d["nodes"][0]["surplus"] == "-12.50"'
  step 0 ledger show --account g1 --json
  cp "$TMP/out" "$TMP/$name.ledger"
  jcheck_file "$TMP/out" '[t["kind"] for t in d["transactions"]] == ["open", "deposit", "withdraw", "pnl"] and all(sum(float(e["amount"]) for e in t["entries"]) == 0 for t in d["transactions"])'
  "$RD_BIN" ledger verify "${C[@]}" --json >"$TMP/$name.verify"
  jcheck_file "$TMP/$name.verify" 'd == {"ok": True, "transactions": 6, "entries": 12, "nodes": 2, "deposits": "35500.50", "withdrawals": "200.1234", "realized_pnl": "87.49", "problems": []}'
}

# ---- SQLite ----
C=(--config "$TMP/riskdesk.json")
suite sqlite
# the paper accounts' cash moved with the ledger
expect_eq "g1's paper cash" "$(sqlite3 "$TMP/rd.db" "SELECT json_extract(val, '\$.cash') FROM kv WHERE ns = 'paper.account' AND key = 'g1'")" "10287.3766"

# ---- PostgreSQL ----
C=(--config "$TMP/riskdesk.json" --db "$PG_URL")
suite pg

same_json deposit replay show ledger verify

# ---- racing withdrawals on PostgreSQL: the node's lock lets exactly one through ----
pids=()
for i in 1 2 3 4 5 6 7 8; do
  "$RD_BIN" ledger withdraw "${C[@]}" --account g2 --amount 15000 --key race$i \
      >"$TMP/race$i.out" 2>"$TMP/race$i.err" &
  pids+=($!)
done
won=0
for pid in "${pids[@]}"; do wait "$pid" && won=$((won + 1)); done
expect_eq "racing withdrawals of 15000 from 25100.49 that went through" "$won" 1
expect_eq "racers refused for insufficient funds" "$(grep -l "insufficient_funds" "$TMP"/race*.err | wc -l)" 7
verify_clean "racing withdrawals"

# ---- a movement takes its node's lock before it reads the books ----
# psql holds g2's row; with a lock timeout the withdrawal must give up waiting
# for it (a movement that read the books without the lock would go through).
if command -v psql >/dev/null; then
  mkfifo "$TMP/psql.in"
  psql -X -q -d "$PG_URL" <"$TMP/psql.in" >"$TMP/psql.out" 2>&1 &
  psql_pid=$!
  exec 7>"$TMP/psql.in"
  echo "BEGIN; SELECT 'held' FROM hier_nodes WHERE account = 'g2' FOR UPDATE;" >&7
  held=0
  for _ in $(seq 200); do grep -q held "$TMP/psql.out" && { held=1; break; }; sleep 0.05; done
  expect_eq "psql holds g2" "$held" 1
  PGOPTIONS="-c lock_timeout=300" expect_rc 1 "$RD_BIN" ledger withdraw "${C[@]}" --account g2 \
      --amount 1 --key locked
  expect_in "$TMP/err" "lock"
  echo "ROLLBACK;" >&7
  exec 7>&-
  wait "$psql_pid"
  verify_clean "a withdrawal that waited for its node"
fi

# ---- a row edited by hand ----
C=(--config "$TMP/riskdesk.json")
if sqlite3 "$TMP/rd.db" "UPDATE ledger_entries SET amount = amount + 1 WHERE book = 'g1:available' AND amount = 5000000" 2>"$TMP/sq.err"; then
  bad "SQLite let a ledger row be updated"
else
  expect_in "$TMP/sq.err" "ledger rows are append-only"
fi
sqlite3 "$TMP/rd.db" "DROP TRIGGER ledger_entries_no_update;
  UPDATE ledger_entries SET amount = amount + 1 WHERE book = 'g1:available' AND amount = 5000000"
expect_rc 1 "$RD_BIN" ledger verify "${C[@]}"
expect_in "$TMP/err" "(d1): entries sum to 0.0001, expected exactly 0"
expect_in "$TMP/err" "node g1: paper cash 10287.3766, but available is 10287.3767"
expect_in "$TMP/out" "PROBLEMS"
expect_rc 1 "$RD_BIN" ledger verify "${C[@]}" --json
jcheck_file "$TMP/out" 'd["ok"] is False and any("(d1)" in p for p in d["problems"])'

if command -v psql >/dev/null; then
  if psql -X -q -d "$PG_URL" -c "DELETE FROM ledger_entries WHERE book = '@pnl'" >/dev/null 2>"$TMP/psql.err"; then
    bad "PostgreSQL let a ledger row be deleted"
  else
    expect_in "$TMP/psql.err" "ledger rows are append-only"
  fi
  psql -X -q -d "$PG_URL" -c "ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only;
    DELETE FROM ledger_entries WHERE book = '@pnl' AND amount = -999900" >/dev/null
  expect_rc 1 "$RD_BIN" ledger verify --config "$TMP/riskdesk.json" --db "$PG_URL"
  expect_in "$TMP/err" "(gain1): 1 entries; a transaction needs at least 2"
fi

finish
