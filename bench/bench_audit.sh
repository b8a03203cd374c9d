#!/usr/bin/env bash
# The audit trail's cost: the dispatcher's durable decide rate with the chain
# (this commit) against the commit before it (BASE, the chain's absence), in
# the same run. Both trees are taken with `git archive` and built alike
# (RelWithDebInfo, in WORK); then each benchmark runs ROUNDS times, the two
# builds taking turns, and the median of each is compared:
#   - bench_dispatch: one account on SQLite (synchronous=FULL), 20,000
#     recommendations in cycles of 1,000, and 300 with every approval filled;
#   - bench_accounts_pg.sh: 1 and 10 accounts' dispatchers on a durable
#     throwaway PostgreSQL (skipped without PostgreSQL).
# Figures: docs/benchmarks.md, "The audit trail".
#
#   bash bench/bench_audit.sh [BASE] [ROUNDS] [WORK]
#       (defaults: the merge base with main, 5, /tmp/riskdesk-bench-audit)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
base=${1:-$(git -C "$here" merge-base HEAD main)}
rounds=${2:-5}
work=${3:-/tmp/riskdesk-bench-audit}
head=$(git -C "$here" rev-parse --short HEAD)
base=$(git -C "$here" rev-parse --short "$base")

build() {   # build COMMIT: $work/COMMIT/build with bench_dispatch and riskdesk
  local c=$1 d=$work/$1
  if [ ! -x "$d/build/bench_dispatch" ] || [ ! -x "$d/build/riskdesk" ]; then
    rm -rf "$d" && mkdir -p "$d/src"
    git -C "$here" archive "$c" | tar -x -C "$d/src"
    cmake -S "$d/src" -B "$d/build" -DRD_WERROR=OFF >/dev/null
    cmake --build "$d/build" --target bench_dispatch riskdesk-bin -j "$(nproc)" >/dev/null
  fi
}
build "$base"
build "$head"

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
rate() {   # rate FILE LABEL: the decisions/s of LABEL's lines (a store in clear:
           # a bench_dispatch that also runs sealed prints those lines too)
  awk -v l="$2" 'index($0, l) == 1 && !/ sealed / {for (i = 1; i < NF; i++) if ($(i+1) == "/s") print $i}' "$1"
}

: >"$work/sq.$base"; : >"$work/sq.$head"; : >"$work/fill.$base"; : >"$work/fill.$head"
for ((i = 0; i < rounds; i++)); do
  for c in "$base" "$head"; do
    "$work/$c/build/bench_dispatch" >"$work/out"
    rate "$work/out" "dispatch 20k" >>"$work/sq.$c"
    rate "$work/out" "dispatch 300" >>"$work/fill.$c"
  done
done
printf '%-46s %10s %10s %7s\n' "benchmark (median of $rounds)" "$base" "$head" "ratio"
for b in sq fill; do
  old=$(median <"$work/$b.$base"); new=$(median <"$work/$b.$head")
  name=$([ $b = sq ] && echo "SQLite, 20,000 recs, shipped limits (/s)" ||
         echo "SQLite, 300 recs, every approval filled (/s)")
  printf '%-46s %10s %10s %7.3f\n' "$name" "$old" "$new" "$(echo "$new / $old" | bc -l)"
done

if command -v psql >/dev/null && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  for n in 1 10; do
    : >"$work/pg$n.$base"; : >"$work/pg$n.$head"
  done
  for ((i = 0; i < rounds; i++)); do
    for c in "$base" "$head"; do
      RD_BENCH_BIN="$work/$c/build/riskdesk" bash "$here/bench/bench_accounts_pg.sh" \
        "$work/$c/build" 2000 1 10 >"$work/out" 2>&1 || { cat "$work/out"; exit 1; }
      for n in 1 10; do
        awk -v n="$n" '$1 == n && $2 ~ /^account/ {for (i = 1; i < NF; i++) if ($(i+1) ~ /^decisions\/s/) print $i}' \
          "$work/out" >>"$work/pg$n.$c"
      done
    done
  done
  for n in 1 10; do
    old=$(median <"$work/pg$n.$base"); new=$(median <"$work/pg$n.$head")
    printf '%-46s %10s %10s %7.3f\n' "PostgreSQL, $n account(s), 2,000 recs each (/s)" "$old" "$new" \
      "$(echo "$new / $old" | bc -l)"
  done
fi
