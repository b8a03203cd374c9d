#!/usr/bin/env bash
# The audit trail's cost: the dispatcher's durable decide rate of this commit
# with the chain against the same commit built without it (cmake
# -DRD_BENCH_NO_CHAIN=ON, a build for this measurement only: its writes note no
# entry and hash no record). The tree is taken with `git archive` and built
# both ways alike (RelWithDebInfo, in WORK); then each benchmark runs ROUNDS
# times, the two builds taking turns, and the median of each is compared:
#   - bench_dispatch: one account on SQLite (synchronous=FULL), 20,000
#     recommendations in cycles of 1,000, and 300 with every approval filled
#     (the store in clear; each run takes three of each);
#   - bench_accounts_pg.sh: 1 and 10 accounts' dispatchers on a durable
#     throwaway PostgreSQL (skipped without PostgreSQL; the build without the
#     chain has no chain to verify, RD_BENCH_NO_CHAIN=1 tells the script).
# Prints the load average before and after: the builds share the machine.
# Figures: docs/benchmarks.md, "The audit trail".
#
#   bash bench/bench_audit.sh [ROUNDS] [WORK] [COMMIT]
#       (defaults: 5, /tmp/riskdesk-bench-audit, HEAD)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-5}
work=${2:-/tmp/riskdesk-bench-audit}
commit=$(git -C "$here" rev-parse --short "${3:-HEAD}")

build() {   # build off|on: $work/$commit-off|on/build with bench_dispatch and riskdesk
  local d=$work/$commit-$1
  if [ ! -x "$d/build/bench_dispatch" ] || [ ! -x "$d/build/riskdesk" ]; then
    rm -rf "$d" && mkdir -p "$d/src"
    git -C "$here" archive "$commit" | tar -x -C "$d/src"
    cmake -S "$d/src" -B "$d/build" -DRD_WERROR=OFF \
      -DRD_BENCH_NO_CHAIN="$([ "$1" = off ] && echo ON || echo OFF)" >/dev/null
    cmake --build "$d/build" --target bench_dispatch riskdesk-bin -j "$(nproc)" >/dev/null
  fi
}
build off
build on
echo "commit $commit, $rounds rounds; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
rate() {   # rate FILE LABEL: the decisions/s of LABEL's lines in clear
  awk -v l="$2" 'index($0, l) == 1 && !/ sealed / {for (i = 1; i < NF; i++) if ($(i+1) == "/s") print $i}' "$1"
}
row() {    # row NAME KEY: the medians of $work/KEY.off and KEY.on and their ratio
  local old new
  old=$(median <"$work/$2.off"); new=$(median <"$work/$2.on")
  printf '%-50s %10s %10s %7.3f\n' "$1" "$old" "$new" "$(echo "$new / $old" | bc -l)"
}

for k in sq fill pg1 pg10; do : >"$work/$k.off"; : >"$work/$k.on"; done
for ((i = 0; i < rounds; i++)); do
  for v in off on; do
    "$work/$commit-$v/build/bench_dispatch" >"$work/out"
    rate "$work/out" "dispatch 20k" >>"$work/sq.$v"
    rate "$work/out" "dispatch 300" >>"$work/fill.$v"
  done
done
pg=0
if command -v psql >/dev/null && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  pg=1
  for ((i = 0; i < rounds; i++)); do
    for v in off on; do
      RD_BENCH_BIN="$work/$commit-$v/build/riskdesk" RD_BENCH_NO_CHAIN=$([ $v = off ] && echo 1 || echo 0) \
        bash "$here/bench/bench_accounts_pg.sh" "$work/$commit-$v/build" 2000 1 10 >"$work/out" 2>&1 ||
        { cat "$work/out"; exit 1; }
      for n in 1 10; do
        awk -v n="$n" '$1 == n && $2 ~ /^account/ {for (i = 1; i < NF; i++) if ($(i+1) ~ /^decisions\/s/) print $i}' \
          "$work/out" >>"$work/pg$n.$v"
      done
    done
  done
fi

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-50s %10s %10s %7s\n' "durable decide rate, medians ($rounds rounds)" "no chain" "chain" "ratio"
row "SQLite, 20,000 recs, shipped limits (/s)" sq
row "SQLite, 300 recs, every approval filled (/s)" fill
if [ $pg = 1 ]; then
  row "PostgreSQL, 1 account, 2,000 recs (/s)" pg1
  row "PostgreSQL, 10 accounts, 2,000 recs each (/s)" pg10
fi
