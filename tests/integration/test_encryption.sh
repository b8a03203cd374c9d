#!/usr/bin/env bash
# Encryption at rest end to end through the CLI, on SQLite and on a throwaway
# PostgreSQL: distinctive amounts (123457.89 deposited, a snapshot's equity)
# written in clear, a key refused on that store until `store rekey` seals
# them, then no amount in clear in the SQLite file (strings) or in pg_dump,
# the ledger read back the same with the key, refused without it or with
# another, rekeyed to another key and back to clear. The key never printed.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/ledger_steps.sh"
start_pg
command -v sqlite3 >/dev/null || skip_test "sqlite3 is not installed (scripts/deps.sh installs it)"
command -v pg_dump >/dev/null || skip_test "pg_dump is not installed (scripts/deps.sh installs postgresql)"

KEY_A=$(openssl rand -hex 32)
KEY_B=$(openssl rand -hex 32)
export RD_TEST_KEY_A=$KEY_A RD_TEST_KEY_B=$KEY_B
secret "$KEY_A"
secret "$KEY_B"
AT=2026-11-20T15:30:00Z

# the planted amounts, as riskdesk writes them and as ten-thousandths: the
# deposit, and g1's cash after it and after a second deposit of 7000; a
# trader's day of 98765.43 realized (its fills' prices stay in clear)
PLANTED=(123457.89 1234578900 133457.89 1334578900 140457.89 1404578900 98765.43 987654300
         54321.21 543212100)
printf 'trader_id,date,symbol,side,qty,price\nzed,2026-11-16,AAA,B,1,10.00\nzed,2026-11-16,AAA,S,1,98775.43\n' \
  >"$TMP/fills.csv"
printf 'trader_id,date,symbol,side,qty,price\nzed,2026-11-17,BBB,B,1,10.00\nzed,2026-11-17,BBB,S,1,54331.21\n' \
  >"$TMP/fills2.csv"

# dump NAME: what an attacker with the files sees, in $TMP/NAME.dump
dump() {
  if [ "$STORE" = sqlite ]; then
    sqlite3 "$TMP/rd.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
    strings -a "$TMP/rd.db" >"$TMP/$1.dump"
    [ -f "$TMP/rd.db-wal" ] && strings -a "$TMP/rd.db-wal" >>"$TMP/$1.dump"
  else
    pg_dump -d "$PG_URL" >"$TMP/$1.dump"
  fi
}

# suite: the whole story on the store C points at
suite() {
  local a
  # in clear: the planted deposit is there for anyone to read (PostgreSQL
  # keeps integers as text in pg_dump; SQLite's are binary, so only the
  # sealed check below means something there)
  step 0 hierarchy init --account g1 --type gen
  step 0 ledger deposit --account g1 --amount 123457.89 --key d1 --reason "planted"
  expect_rc 0 "$RD_BIN" perf snapshot "${C[@]}" --at "$AT"
  expect_rc 0 "$RD_BIN" traders import "${C[@]}" "$TMP/fills.csv"
  dump clear
  [ "$STORE" = postgres ] && expect_in "$TMP/clear.dump" 1234578900
  [ "$STORE" = postgres ] && expect_in "$TMP/clear.dump" 987654300
  "$RD_BIN" ledger show "${C[@]}" --account g1 --json >"$TMP/$STORE.clear.json"
  "$RD_BIN" traders report "${C[@]}" --date 2026-11-17 --no-record | sed '/^AUDIT CHAIN HEADS/,$d' >"$TMP/$STORE.report.txt"
  expect_in "$TMP/$STORE.report.txt" '$98,765' 

  # a key on a store holding amounts in clear: refused, nothing changed
  expect_rc 1 "$RD_BIN" ledger show "${C[@]}" --account g1 --config "$TMP/keyed_a.json"
  expect_in "$TMP/err" "holds amounts in clear"
  expect_in "$TMP/err" "riskdesk store rekey --new-key"

  # sealed by rekey; then nothing planted readable in the files
  expect_rc 2 "$RD_BIN" store rekey "${C[@]}" --new-key "$KEY_A"
  expect_in "$TMP/err" "not a key source (value not shown"
  expect_rc 0 "$RD_BIN" store rekey "${C[@]}" --new-key env:RD_TEST_KEY_A
  expect_in "$TMP/out" "sealed with the key from env:RD_TEST_KEY_A"
  dump sealed
  for a in "${PLANTED[@]}"; do expect_not_in "$TMP/sealed.dump" "$a"; done
  expect_in "$TMP/sealed.dump" "enc1:"
  if [ "$STORE" = sqlite ]; then
    expect_eq "clear ledger rows" "$(sqlite3 "$TMP/rd.db" "SELECT COUNT(*) FROM ledger_entries WHERE sealed IS NULL OR amount <> 0")" 0
    expect_eq "clear snapshots" "$(sqlite3 "$TMP/rd.db" "SELECT COUNT(*) FROM perf_snapshots WHERE sealed IS NULL OR equity <> 0")" 0
    expect_eq "clear trader-days" "$(sqlite3 "$TMP/rd.db" "SELECT COUNT(*) FROM trader_days WHERE sealed IS NULL OR net <> 0")" 0
  fi

  # with its key the same ledger; without it, or with another, refused
  expect_rc 0 "$RD_BIN" ledger show --config "$TMP/keyed_a.json" --db "${C[3]}" --account g1 --json
  if cmp -s "$TMP/out" "$TMP/$STORE.clear.json"; then ok; else bad "$STORE: the ledger read with the key differs"; fi
  expect_rc 0 "$RD_BIN" ledger verify --config "$TMP/keyed_a.json" --db "${C[3]}"
  expect_rc 0 "$RD_BIN" traders report --config "$TMP/keyed_a.json" --db "${C[3]}" --date 2026-11-17 --no-record
  if sed '/^AUDIT CHAIN HEADS/,$d' "$TMP/out" | cmp -s - "$TMP/$STORE.report.txt"; then ok; else bad "$STORE: the traders' report read with the key differs"; fi
  expect_rc 1 "$RD_BIN" ledger show "${C[@]}" --account g1
  expect_in "$TMP/err" "sealed with an encryption key, and none is configured"
  expect_rc 1 "$RD_BIN" ledger show --config "$TMP/keyed_b.json" --db "${C[3]}" --account g1
  expect_in "$TMP/err" "encryption.key is not the key"
  # traders commands run without a config take the key from the environment
  expect_rc 0 env -C "$TMP/noconfig" RISKDESK_ENCRYPTION_KEY=env:RD_TEST_KEY_A \
    "$RD_BIN" traders status --db "${C[3]}" --json
  expect_rc 1 env -C "$TMP/noconfig" "$RD_BIN" traders status --db "${C[3]}" --json
  expect_in "$TMP/err" "sealed with an encryption key, and none is configured"
  expect_rc 1 env -C "$TMP/noconfig" RISKDESK_ENCRYPTION_KEY=env:RD_TEST_NO_SUCH_KEY \
    "$RD_BIN" traders status --db "${C[3]}" --json
  expect_in "$TMP/err" "RISKDESK_ENCRYPTION_KEY: encryption.key (env:RD_TEST_NO_SUCH_KEY)"
  # more amounts written with the key are sealed too
  expect_rc 0 "$RD_BIN" ledger deposit --config "$TMP/keyed_a.json" --db "${C[3]}" --account g1 \
    --amount 7000 --key d2 --at "$AT"
  # and a traders' import with the key: every trader-day written again, sealed
  expect_rc 0 "$RD_BIN" traders import --config "$TMP/keyed_a.json" --db "${C[3]}" "$TMP/fills2.csv"
  "$RD_BIN" traders report --config "$TMP/keyed_a.json" --db "${C[3]}" --date 2026-11-18 --no-record |
    sed '/^AUDIT CHAIN HEADS/,$d' >"$TMP/$STORE.report.txt"
  expect_in "$TMP/$STORE.report.txt" '$54,321'
  expect_in "$TMP/$STORE.report.txt" '$153,087'
  dump more
  for a in "${PLANTED[@]}"; do expect_not_in "$TMP/more.dump" "$a"; done

  # rotated to B, then back to clear
  expect_rc 0 "$RD_BIN" store rekey --config "$TMP/keyed_a.json" --db "${C[3]}" --new-key env:RD_TEST_KEY_B
  expect_rc 1 "$RD_BIN" ledger show --config "$TMP/keyed_a.json" --db "${C[3]}" --account g1
  expect_rc 0 "$RD_BIN" ledger show --config "$TMP/keyed_b.json" --db "${C[3]}" --account g1 --json
  jcheck_file "$TMP/out" 'd["available"] == "140457.89"'
  expect_rc 0 "$RD_BIN" store rekey --config "$TMP/keyed_b.json" --db "${C[3]}" --new-key none
  expect_in "$TMP/out" "every amount is in clear"
  expect_rc 0 "$RD_BIN" ledger show "${C[@]}" --account g1
  expect_in "$TMP/out" "available 140457.89"
  expect_rc 0 "$RD_BIN" traders report "${C[@]}" --date 2026-11-18 --no-record
  if sed '/^AUDIT CHAIN HEADS/,$d' "$TMP/out" | cmp -s - "$TMP/$STORE.report.txt"; then ok; else bad "$STORE: the traders' report after the rekeys differs"; fi
  verify_clean "rekeyed to clear"
}

for k in a b; do
  upper=$(echo "$k" | tr a-z A-Z)
  cat >"$TMP/keyed_$k.json" <<JSON
{"encryption": {"key": "env:RD_TEST_KEY_$upper"},
 "accounts": [{"name": "g1", "tier": "auto", "starting_cash": "10000"}]}
JSON
done
mkdir -p "$TMP/noconfig"
cat >"$TMP/riskdesk.json" <<JSON
{"accounts": [{"name": "g1", "tier": "auto", "starting_cash": "10000"}]}
JSON

STORE=sqlite
C=(--config "$TMP/riskdesk.json" --db "sqlite:$TMP/rd.db")
suite
STORE=postgres
C=(--config "$TMP/riskdesk.json" --db "$PG_URL")
suite

finish
