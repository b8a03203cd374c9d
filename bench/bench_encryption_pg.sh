#!/usr/bin/env bash
# Encryption at rest on PostgreSQL: the dispatchers' durable decide rate with
# amounts in clear against amounts sealed with an encryption key, the same
# build, taking turns. Each turn is one bench_accounts_pg.sh run (a fresh
# durable throwaway cluster, N paper accounts, RECS recommendations each,
# every check of that script); the sealed turns give the key through
# $RISKDESK_ENCRYPTION_KEY (the config names none), so every command of the
# run opens the store with it. Prints every rate and the ratio of the medians
# (sealed / clear; goal >= 0.9). docs/benchmarks.md, "Encryption at rest".
#
#   bash bench/bench_encryption_pg.sh [BUILD] [ROUNDS] [RECS] [N]
#       (defaults: build 3 1000 10)
set -euo pipefail
build=${1:-build}
rounds=${2:-3}
recs=${3:-1000}
n=${4:-10}
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
: >"$tmp/clear"; : >"$tmp/sealed"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((i = 0; i < rounds; i++)); do
  for mode in clear sealed; do
    rc=0
    if [ "$mode" = sealed ]; then
      RD_BENCH_KEY=$(openssl rand -hex 32) RISKDESK_ENCRYPTION_KEY=env:RD_BENCH_KEY \
        bash "$here/bench/bench_accounts_pg.sh" "$build" "$recs" "$n" >"$tmp/out" 2>&1 || rc=$?
    else
      env -u RISKDESK_ENCRYPTION_KEY \
        bash "$here/bench/bench_accounts_pg.sh" "$build" "$recs" "$n" >"$tmp/out" 2>&1 || rc=$?
    fi
    [ "$rc" -eq 77 ] && { cat "$tmp/out"; exit 77; }
    [ "$rc" -eq 0 ] || { echo "bench_encryption_pg: the $mode run failed:"; cat "$tmp/out"; exit 1; }
    r=$(awk '/decisions\/s;/ {for (i = 1; i < NF; i++) if ($(i+1) == "decisions/s;") print $i}' "$tmp/out")
    [ -n "$r" ] || { echo "bench_encryption_pg: no rate in the $mode run:"; cat "$tmp/out"; exit 1; }
    echo "$r" >>"$tmp/$mode"
    echo "round $((i + 1)) $mode: $r decisions/s"
  done
done
median() { sort -n "$1" | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
c=$(median "$tmp/clear"); s=$(median "$tmp/sealed")
printf '%d accounts x %d recommendations, median of %d: clear %s/s, sealed %s/s, sealed/clear %.3f\n' \
  "$n" "$recs" "$rounds" "$c" "$s" "$(echo "$s / $c" | bc -l)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
