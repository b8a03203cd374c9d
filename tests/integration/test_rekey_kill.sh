#!/usr/bin/env bash
# `riskdesk store rekey` killed (SIGKILL) at random moments, on SQLite and on a
# throwaway PostgreSQL: the rekey is one transaction, so after each kill the
# store opens with exactly one key, the old or the new, and reads the same
# traders' days as before (enough sealed rows that a rekey takes long enough
# to be killed in the middle). The kills that land before the commit
# must leave the old key working: the test fails if no kill did.
. "$(dirname "$0")/common.sh"
start_pg

KEY_A=$(openssl rand -hex 32)
export RD_TEST_KEY_A=$KEY_A
secret "$KEY_A"
cat >"$TMP/clear.json" <<JSON
{"accounts": [{"name": "g1", "tier": "auto", "starting_cash": "10000"}]}
JSON
cat >"$TMP/keyed.json" <<JSON
{"encryption": {"key": "env:RD_TEST_KEY_A"},
 "accounts": [{"name": "g1", "tier": "auto", "starting_cash": "10000"}]}
JSON
# 88,000 trader-days: a rekey takes about a second on either backend
"$RD_BIN" traders gen --traders 40 --days 2500 --seed 1 --end 2024-06-14 --fills 200000 \
  >"$TMP/fills.csv" 2>"$TMP/err" || bad "traders gen: $(head -3 "$TMP/err")"

# report CONFIG: the traders' report read through CONFIG, into $TMP/out, less
# the audit heads (the chain grows with each rekey's admin entries)
report() {
  "$RD_BIN" traders report --config "$1" --db "$DB" --date 2024-06-14 --no-record 2>"$TMP/err" |
    sed '/^AUDIT CHAIN HEADS/,$d' >"$TMP/out"
}

# opens_with: which config opens the store now, clear or keyed; "both" or
# "none" is a broken store
opens_with() {
  local c= k=
  "$RD_BIN" traders status --config "$TMP/clear.json" --db "$DB" >/dev/null 2>&1 && c=1
  "$RD_BIN" traders status --config "$TMP/keyed.json" --db "$DB" >/dev/null 2>&1 && k=1
  if [ -n "$c" ] && [ -n "$k" ]; then echo both
  elif [ -n "$c" ]; then echo clear
  elif [ -n "$k" ]; then echo keyed
  else echo none; fi
}

run() {   # run STORE DB
  local store=$1 state from to mid=0 i pid delay
  DB=$2
  expect_rc 0 "$RD_BIN" traders import --config "$TMP/clear.json" --db "$DB" "$TMP/fills.csv"
  report "$TMP/clear.json"
  cp "$TMP/out" "$TMP/$store.base"
  [ "$(wc -l <"$TMP/$store.base")" -gt 10 ] && ok || bad "$store: the report is short: $(cat "$TMP/err")"
  state=clear
  for i in 1 2 3 4 5 6; do
    # toward the other state: clear -> sealed with A, sealed -> clear
    if [ $state = clear ]; then from=clear; to=env:RD_TEST_KEY_A; else from=keyed; to=none; fi
    "$RD_BIN" store rekey --config "$TMP/$from.json" --db "$DB" --new-key "$to" >/dev/null 2>&1 &
    pid=$!
    delay=$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.2f", 0.05 + rand() * 0.9 }')
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    state=$(opens_with)
    case $state in
      clear | keyed) ok ;;
      *) bad "$store: after a kill at ${delay}s the store opens with $state key(s)"; return ;;
    esac
    [ "$state" = "$from" ] && mid=$((mid + 1))
    report "$TMP/$state.json"
    if cmp -s "$TMP/out" "$TMP/$store.base"; then ok; else
      bad "$store: after a kill at ${delay}s ($state) the report differs"; diff "$TMP/out" "$TMP/$store.base" | head -5
    fi
  done
  echo "$store: $mid of $i kills landed before the rekey's commit"
  [ $mid -gt 0 ] && ok || bad "$store: no kill landed before a rekey's commit (all $i finished first)"
  # and a rekey left alone finishes
  if [ $state = clear ]; then from=clear; to=env:RD_TEST_KEY_A; else from=keyed; to=none; fi
  SECONDS=0
  expect_rc 0 "$RD_BIN" store rekey --config "$TMP/$from.json" --db "$DB" --new-key "$to"
  echo "$store: a whole rekey took ${SECONDS}s"
  [ "$(opens_with)" != "$from" ] && ok || bad "$store: the rekey to $to did not take"
}

run sqlite "sqlite:$TMP/rd.db"
run postgres "$PG_URL"
finish
