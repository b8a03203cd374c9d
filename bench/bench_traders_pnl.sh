#!/usr/bin/env bash
# Benchmark of `riskdesk traders pnl` on 10 million generated fills, beside its peer in
# the same run: the pandas FIFO of bench/peers/pnl_fifo_pandas.py (Debian's
# python3-pandas, run by /usr/bin/python3), whose output must be the same bytes.
# Prints each side's best wall time and peak RSS, then the ratio (docs/benchmarks.md,
# "Traders' P&L"). The data is generated into /tmp at bench time, never committed.
#   bench/bench_traders_pnl.sh [BUILD_DIR]     (default build)
#   RD_BENCH_FILLS=/path.csv   to use or keep another file
#   RD_BENCH_RUNS=N            riskdesk runs (best kept; default 5); the peer runs
#                              RD_BENCH_PEER_RUNS times (default 1: a minute and 4 GB)
#   RD_BENCH_UNSORTED=1        also time a copy sorted by trader (not by time), which
#                              is read again whole and sorted
set -euo pipefail
build=${1:-build}
bin="$build/riskdesk"
here=$(cd "$(dirname "$0")" && pwd)
file=${RD_BENCH_FILLS:-/tmp/riskdesk-bench-fills-10m.csv}
runs=${RD_BENCH_RUNS:-5}
peer_runs=${RD_BENCH_PEER_RUNS:-1}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

if [ ! -s "$file" ]; then
    echo "generating 10M fills into $file ..."
    "$bin" traders gen --traders 12 --days 625 --seed 1 --end 2024-06-14 --fills 10000000 --out "$file"
fi
rows=$(($(wc -l <"$file") - 1))
mb=$(($(stat -c %s "$file") / 1000000))
echo "input: $rows fills, $mb MB, $(nproc) cores, commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u +%F)"

best=""; best_rss=""
bench() {       # bench LABEL RUNS OUTFILE CMD...: best wall time into $best, its RSS into $best_rss
    local label=$1 n=$2 dest=$3 secs kb
    shift 3
    best=""
    cat "$file" >/dev/null                    # page cache warm, as for a second run
    for _ in $(seq "$n"); do
        /usr/bin/time -f "%e %M %U %S" -o "$out/time" "$@" >"$dest"
        read -r secs kb user sys <"$out/time"
        echo "  $label: ${secs} s wall (${user} s user, ${sys} s sys), peak RSS $((kb / 1024)) MB"
        if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best=$secs; best_rss=$((kb / 1024)); fi
    done
    echo "$label best: $best s, $best_rss MB ($(awk "BEGIN{printf \"%.1f\", $rows / $best / 1e6}") M fills/s)"
}

bench "riskdesk traders pnl" "$runs" "$out/rd.csv" "$bin" traders pnl "$file"
rd_best=$best rd_rss=$best_rss
if /usr/bin/python3 -c 'import pandas' 2>/dev/null; then
    bench "pandas FIFO (peer)" "$peer_runs" "$out/peer.csv" /usr/bin/python3 "$here/peers/pnl_fifo_pandas.py" "$file"
    if cmp -s "$out/rd.csv" "$out/peer.csv"; then
        echo "outputs: the same bytes ($(($(wc -l <"$out/rd.csv") - 1)) trader-days)"
    else
        echo "outputs DIFFER: the comparison is void"; diff "$out/rd.csv" "$out/peer.csv" | head -5
    fi
    echo "ratio: riskdesk $(awk "BEGIN{printf \"%.1f\", $best / $rd_best}")x faster than pandas," \
         "$(awk "BEGIN{printf \"%.1f\", $best_rss / $rd_rss}")x less memory ($rd_rss MB vs $best_rss MB)"
else
    echo "peer skipped: /usr/bin/python3 has no pandas (apt-get install python3-pandas; make bench-deps)"
fi
if [ "${RD_BENCH_UNSORTED:-0}" = 1 ]; then
    unsorted="${file%.csv}-by-trader.csv"
    if [ ! -s "$unsorted" ]; then
        { head -1 "$file"; tail -n +2 "$file" | LC_ALL=C sort -s -t, -k1,1; } >"$unsorted"
    fi
    file=$unsorted
    bench "by-trader (read again, sorted)" "$runs" /dev/null "$bin" traders pnl "$unsorted"
fi
