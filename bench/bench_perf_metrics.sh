#!/usr/bin/env bash
# make bench, metrics part: writes the 10,000-account x 504-day CSV (5,040,000 rows)
# into /tmp, times parsing and computing it, and `riskdesk perf metrics` end to end.
# Figures: docs/benchmarks.md, section Metrics.
set -euo pipefail
build=${1:-build}
csv=/tmp/rd_bench_metrics_5m.csv
bench=/tmp/rd_bench_metrics_bench.csv
[ -s "$csv" ] || "$build/bench_metrics" --gen "$csv"
[ -s "$bench" ] || { echo "date,return"; awk -F, 'NR>1 && $2=="ACC00001"{print $1","$3}' "$csv"; } >"$bench"
"$build/bench_metrics" --read "$csv"
best=1e9
for _ in 1 2 3; do
  t0=$(date +%s.%N)
  "$build/riskdesk" perf metrics --returns "$csv" --benchmark "$bench" --json >/dev/null
  t1=$(date +%s.%N)
  best=$(awk -v a="$best" -v b="$(awk -v x="$t0" -v y="$t1" 'BEGIN{print y-x}')" 'BEGIN{print (b<a)?b:a}')
done
printf 'riskdesk perf metrics, 10,000 accounts x 504 days, with benchmark: %.3f s (best of 3)\n' "$best"
