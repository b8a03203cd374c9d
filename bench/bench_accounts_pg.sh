#!/usr/bin/env bash
# Many accounts on one PostgreSQL: N dispatcher processes, each its own paper
# account, deciding the same M recommendations (sent to every account) at
# once, on a durable throwaway cluster (fsync on, as in production). Reports
# decisions/s over all accounts for each N, and checks that every account
# decided every recommendation exactly once, that no client order id
# appears twice, that orders were placed, that no dispatcher failed and that
# `riskdesk audit verify` finds every audit chain intact (exit 1
# otherwise; tests/integration/test_pg_accounts.sh runs it small for these
# counts). Figures: docs/benchmarks.md, section "Accounts on PostgreSQL".
#
#   bash bench/bench_accounts_pg.sh [BUILD] [RECS] [N...]     (defaults: build 2000 1 10 25)
#
# RD_BENCH_MODE chooses how the dispatchers run:
#   once  (default) the recommendations are imported first, then N
#         `dispatch --once` processes are started together and timed until
#         the last exits: each process's start, connection and schema check
#         are in the figure.
#   loop  N `dispatch --loop --interval 300` processes are started first and
#         left to settle (as a desk runs them: a service per account); the
#         clock runs from the import of the recommendations (included) until
#         every account has decided them all, which the dispatchers do when
#         told of the import (docs/operations.md). Each must still be running
#         at the end, and then stop on SIGTERM with exit 0.
#
# Exits 77 without PostgreSQL server binaries. RD_BENCH_BIN overrides the
# riskdesk binary (to measure another build against the same script);
# RD_BENCH_NO_CHAIN=1 says that binary was built without the audit chain
# (bench/bench_audit.sh's other build): its chains are then not verified.
set -euo pipefail
build=${1:-build}
recs=${2:-2000}
shift $(( $# >= 2 ? 2 : $# ))
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1 10 25)
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${RD_BENCH_BIN:-$build/riskdesk}
pg="$here/tests/tools/pg_throwaway.sh"
command -v psql >/dev/null || { echo "psql is needed"; exit 77; }

tmp=$(mktemp -d)
set +e
# a connection a dispatcher, and a few for the checks
max=1; for n in "${counts[@]}"; do [ "$n" -gt "$max" ] && max=$n; done
mode=${RD_BENCH_MODE:-once}
case $mode in once|loop) ;; *) echo "RD_BENCH_MODE: '$mode'; expected once or loop"; exit 2 ;; esac
url=$(RD_PG_MAX_CONNECTIONS=$((max + 20)) bash "$pg" start --durable --watch $$ 2>"$tmp/pg.err")
src=$?
set -e
if [ $src -eq 77 ]; then echo "SKIPPED: $(cat "$tmp/pg.err")"; rm -rf "$tmp"; exit 77; fi
[ $src -eq 0 ] || { cat "$tmp/pg.err"; exit 1; }
trap 'bash "$pg" stop "$url"; rm -rf "$tmp"' EXIT
base=${url%%\?*}          # postgresql://riskdesk@/riskdesk
opts=${url#*\?}          # host=/tmp/rd-pg-...
pgdir=${opts#host=}; pgdir=${pgdir%%&*}
tick=$(getconf CLK_TCK)

# CPU ticks used so far by this shell's reaped children (the dispatchers, once
# waited for) and by the server: the postmaster, its reaped backends and the
# processes still running under it (checkpointer, WAL writer)
self_cpu() { awk '{ print $16 + $17 }' /proc/$$/stat; }
server_cpu() {
  local pm t c
  pm=$(head -1 "$pgdir/data/postmaster.pid")
  t=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat")
  for c in $(cat "/proc/$pm/task/$pm/children"); do
    t=$((t + $(awk '{ print $14 + $15 }' "/proc/$c/stat" 2>/dev/null || echo 0)))
  done
  echo "$t"
}

# CPU ticks of the processes in pids[] (still running)
pids_cpu() {
  local t=0 p
  for p in "${pids[@]}"; do t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0))); done
  echo "$t"
}

# RD_BENCH_MODE=loop's run of N dispatchers on dburl: sets run()'s t0, t1, d0,
# d1, s0, s1 and fails (a dispatcher gone before the end, or not exiting 0 on
# SIGTERM). Done when the dispatchers' connections are all idle and the
# decisions all there, asked by one session on the server (no connection a
# poll).
run_loop() {
  local n=$1 dburl=$2 want=$(($1 * recs)) p rc
  "$bin" recommend import --config "$tmp/cfg.json" /dev/null >/dev/null    # the schema
  for i in $(seq "$n"); do
    printf -v name 'acct%02d' "$i"
    LOG_LEVEL=${RD_BENCH_LOG:-error} "$bin" dispatch --config "$tmp/cfg.json" --account "$name" \
      --loop --interval 300 --at 2026-12-07T15:30:00Z >/dev/null 2>"$tmp/d$i.err" &
    pids+=($!)
  done
  # settled: every account's row written by its first cycle, every dispatcher
  # idle (at most 5 minutes for each wait)
  PGOPTIONS="-c statement_timeout=300000" psql -q "$dburl" -c "DO \$\$ BEGIN
      LOOP
        PERFORM pg_stat_clear_snapshot();
        EXIT WHEN (SELECT COUNT(*) FROM accounts) = $n AND (SELECT COUNT(*) FROM pg_stat_activity
          WHERE application_name LIKE 'riskdesk pid %' AND state = 'idle') = $n;
        PERFORM pg_sleep(0.05);
      END LOOP; END \$\$" >/dev/null
  sleep 1
  d0=$(pids_cpu); s0=$(server_cpu)
  t0=$(date +%s.%N)
  "$bin" recommend import --config "$tmp/cfg.json" "$tmp/recs.jsonl" >/dev/null
  PGOPTIONS="-c statement_timeout=300000" psql -q "$dburl" -c "DO \$\$ BEGIN
      LOOP
        PERFORM pg_stat_clear_snapshot();
        EXIT WHEN (SELECT COUNT(*) FROM pg_stat_activity WHERE application_name LIKE 'riskdesk pid %'
          AND state = 'idle') = $n AND (SELECT COUNT(*) FROM decisions) >= $want;
        PERFORM pg_sleep(0.01);
      END LOOP; END \$\$" >/dev/null
  t1=$(date +%s.%N)
  d1=$(pids_cpu); s1=$(server_cpu)
  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && kill -TERM "$p"; done  # one gone: its exit code says
  for p in "${pids[@]}"; do wait "$p"; rc=$?; [ "$rc" -eq 0 ] || fails=$((fails + 1)); done
}

# one database per run, so every run starts empty
run() {
  local n=$1 db="bench_$1" dburl
  psql -q "$url" -c "CREATE DATABASE $db" >/dev/null
  dburl="${base%/*}/$db?$opts"
  {
    printf '{"database": "%s", "accounts": [' "$dburl"
    for i in $(seq "$n"); do
      [ "$i" -gt 1 ] && printf ','
      printf '{"name": "acct%02d", "tier": "auto", "starting_cash": "100000000", "risk": {"max_notional_exposure": 100000000, "max_open_positions": 100, "max_contracts_per_trade": 10, "max_daily_loss": 50000000, "max_risk_per_trade_pct": 0.02, "max_entries_per_ticker_per_day": 100000, "ticker_cooldown_minutes": 0, "max_orders_per_minute": 100000000, "paper_ignore_buying_power": true}}' "$i"
    done
    printf ']}\n'
  } >"$tmp/cfg.json"
  # a fixed clock inside market hours (Monday 10:30 ET), the recommendations
  # fresh at it, over 676 underlyings (AA..ZZ) and each its own contract, with
  # limits wide open: most are approved, and each approval is an order sent to
  # the paper broker and filled, as a busy desk's would be
  local now=2026-12-07T15:29:50Z
  awk -v n="$recs" -v now="$now" 'BEGIN {
    for (i = 1; i <= n; i++) {
      t = (i - 1) % 676; u = sprintf("%c%c", 65 + int(t / 26), 65 + t % 26)
      printf "{\"id\":\"r%d\",\"created_at\":\"%s\",\"underlying\":\"%s\",\"symbol\":\"%s261218C%08d\",\"action\":\"BUY_CALL\",\"strategy\":\"swing\",\"confidence\":0.8,\"volume_ratio\":3,\"price\":\"1.00\"}\n",
        i, now, u, u, 100000 + int((i - 1) / 676) * 1000
    } }' >"$tmp/recs.jsonl"
  local t0 t1 pids=() fails=0 d0 d1 s0 s1 name
  if [ "$mode" = loop ]; then
    run_loop "$n" "$dburl"
  else
    "$bin" recommend import --config "$tmp/cfg.json" "$tmp/recs.jsonl" >/dev/null
    d0=$(self_cpu); s0=$(server_cpu)
    t0=$(date +%s.%N)
    for i in $(seq "$n"); do
      printf -v name 'acct%02d' "$i"  # no subshell: a fork of bash per dispatcher is not riskdesk's
      LOG_LEVEL=${RD_BENCH_LOG:-error} "$bin" dispatch --config "$tmp/cfg.json" --account "$name" \
        --once --at 2026-12-07T15:30:00Z >/dev/null 2>"$tmp/d$i.err" &
      pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
    t1=$(date +%s.%N)
    sleep 0.5   # the server reaps the backends of the connections just closed
    d1=$(self_cpu); s1=$(server_cpu)
  fi
  local decided bad dup orders
  decided=$(psql -At "$dburl" -c "SELECT COUNT(*) FROM decisions")
  bad=$(psql -At "$dburl" -c "SELECT COUNT(*) FROM (SELECT account FROM decisions GROUP BY account
        HAVING COUNT(*) <> $recs OR COUNT(DISTINCT rec_id) <> $recs) x")
  dup=$(psql -At "$dburl" -c "SELECT COUNT(*) - COUNT(DISTINCT client_order_id) FROM orders")
  orders=$(psql -At "$dburl" -c "SELECT COUNT(*) FROM orders")
  # every chain intact: each decision and order covered by its account's entries
  local audit=clean
  if [ "${RD_BENCH_NO_CHAIN:-0}" = 1 ]; then
    audit="not checked (a build without the chain)"
  else
    "$bin" audit verify --config "$tmp/cfg.json" >/dev/null 2>"$tmp/audit.err" || audit=BROKEN
  fi
  awk -v n="$n" -v r="$recs" -v d="$decided" -v o="$orders" -v t0="$t0" -v t1="$t1" \
    -v bad="$bad" -v dup="$dup" -v f="$fails" -v a="$audit" -v tick="$tick" \
    -v dc=$((d1 - d0)) -v sc=$((s1 - s0)) -v load="$(cut -d' ' -f1 /proc/loadavg)" -v m="$mode" 'BEGIN {
      us = 1e6 / tick / (d > 0 ? d : 1)
      printf "%s%2d accounts x %d recommendations: %d decisions, %d orders in %.2f s: %.0f decisions/s; CPU a decision %.0f us (dispatchers %.0f, server %.0f); load %s; accounts not deciding each once: %d, duplicate client order ids: %d, dispatchers failed: %d, audit verify: %s\n",
        m == "loop" ? "looping, import included: " : "", n, r, d, o, t1 - t0, d / (t1 - t0), (dc + sc) * us, dc * us, sc * us, load, bad, dup, f, a }'
  if [ "$fails" -gt 0 ]; then cat "$tmp"/d*.err | grep -v 'transaction is aborted' | sed 's/ts=[^ ]* //' | sort | uniq -c | sort -rn | head -8 | cut -c1-700; fi
  [ "$audit" != BROKEN ] || head -5 "$tmp/audit.err"
  [ "$decided" -eq $((n * recs)) ] && [ "$bad" -eq 0 ] && [ "$dup" -eq 0 ] && [ "$fails" -eq 0 ] &&
    [ "$orders" -gt 0 ] && [ "$audit" != BROKEN ] || return 1
}
echo "riskdesk $bin (commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)), $(psql -At "$url" -c 'SHOW server_version'), $(nproc) cores"
status=0
for n in "${counts[@]}"; do run "$n" || status=1; done
exit $status
