#!/usr/bin/env bash
# Benchmark of `riskdesk traders pnl` on 10 million generated fills (docs/benchmarks.md,
# "Traders' P&L"). The data is generated into /tmp at bench time, never committed.
#   bench/bench_traders_pnl.sh [BUILD_DIR]     (default build)
#   RD_BENCH_FILLS=/path.csv   to use or keep another file
#   RD_BENCH_UNSORTED=1        also time a copy sorted by trader (not by time), which
#                              takes the engine's radix-sort path
set -euo pipefail
build=${1:-build}
bin="$build/riskdesk"
file=${RD_BENCH_FILLS:-/tmp/riskdesk-bench-fills-10m.csv}
runs=${RD_BENCH_RUNS:-3}

if [ ! -s "$file" ]; then
    echo "generating 10M fills into $file ..."
    "$bin" traders gen --traders 12 --days 625 --seed 1 --end 2024-06-14 --fills 10000000 --out "$file"
fi
rows=$(($(wc -l <"$file") - 1))
mb=$(($(stat -c %s "$file") / 1000000))
echo "input: $rows fills, $mb MB, $(nproc) cores"

bench() {       # bench LABEL FILE
    local best=""
    cat "$2" >/dev/null                       # page cache warm, as for a second run
    for _ in $(seq "$runs"); do
        /usr/bin/time -f "%e %M" -o /tmp/rd-bench-time "$bin" traders pnl "$2" >/dev/null
        read -r secs kb </tmp/rd-bench-time
        echo "  $1: ${secs} s, peak RSS $((kb / 1024)) MB"
        if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best=$secs; fi
    done
    echo "$1 best: $best s ($(awk "BEGIN{printf \"%.1f\", $rows / $best / 1e6}") M fills/s)"
}

bench "time-ordered" "$file"
if [ "${RD_BENCH_UNSORTED:-0}" = 1 ]; then
    unsorted="${file%.csv}-by-trader.csv"
    if [ ! -s "$unsorted" ]; then
        { head -1 "$file"; tail -n +2 "$file" | LC_ALL=C sort -s -t, -k1,1; } >"$unsorted"
    fi
    bench "by-trader (radix path)" "$unsorted"
fi
