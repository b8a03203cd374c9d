#!/usr/bin/env bash
# make bench, metrics part: writes the 10,000-account x 504-day CSV (5,040,000 rows)
# into /tmp, times parsing and computing it beside its peer (the numpy reference of the
# tests, bench/peers/metrics_numpy.py, compute only) and prints the ratio, then
# `riskdesk perf metrics` end to end.
# Figures: docs/benchmarks.md, section Metrics.
set -euo pipefail
build=${1:-build}
csv=/tmp/rd_bench_metrics_5m.csv
bench=/tmp/rd_bench_metrics_bench.csv
[ -s "$csv" ] || "$build/bench_metrics" --gen "$csv"
[ -s "$bench" ] || { echo "date,return"; awk -F, 'NR>1 && $2=="ACC00001"{print $1","$3}' "$csv"; } >"$bench"
"$build/bench_metrics" --read "$csv" | tee /tmp/rd_bench_metrics_read.txt
# the peer, in the same run: the tests' numpy reference (tests/tools/metrics_ref.py) on
# the same file, its compute alone timed (the best case for it)
if /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
  /usr/bin/python3 "$(dirname "$0")/peers/metrics_numpy.py" "$csv" | tee /tmp/rd_bench_metrics_peer.txt
  peer=$(awk '{print $3}' /tmp/rd_bench_metrics_peer.txt)
  for t in "1 thread" "2 threads"; do
    ms=$(awk -F'|' -v w="compute all accounts ($t)" 'index($2, w) {gsub(/[ ms]/, "", $4); print $4}' /tmp/rd_bench_metrics_read.txt)
    echo "ratio, compute ($t): riskdesk ${ms} ms vs numpy reference ${peer} s = $(awk "BEGIN{printf \"%.0f\", $peer * 1000 / $ms}")x"
  done
else
  echo "peer skipped: /usr/bin/python3 has no numpy (apt-get install python3-numpy)"
fi
best=1e9
for _ in 1 2 3; do
  t0=$(date +%s.%N)
  "$build/riskdesk" perf metrics --returns "$csv" --benchmark "$bench" --json >/dev/null
  t1=$(date +%s.%N)
  best=$(awk -v a="$best" -v b="$(awk -v x="$t0" -v y="$t1" 'BEGIN{print y-x}')" 'BEGIN{print (b<a)?b:a}')
done
printf 'riskdesk perf metrics, 10,000 accounts x 504 days, with benchmark: %.3f s (best of 3)\n' "$best"
