#!/usr/bin/env bash
# make bench: every bench/bench_* program, then whole-command timings.
# Figures go to stdout; docs/benchmarks.md records them with the method.
set -euo pipefail
build=${1:-build}
bin="$build/riskdesk"
echo "== micro and component benchmarks"
for b in "$build"/bench_*; do
  [ -x "$b" ] || continue
  echo "-- $(basename "$b")"
  "$b"
done
for s in bench/bench_*.sh; do
  [ -f "$s" ] || continue
  echo "-- $(basename "$s")"
  bash "$s" "$build"
done
echo "== commands"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cp examples/riskdesk.json "$tmp/riskdesk.json" 2>/dev/null || "$bin" demo --help >/dev/null
sed -i "s|\"database\": *\"[^\"]*\"|\"database\": \"sqlite:$tmp/rd.db\"|" "$tmp/riskdesk.json"
# config check and dispatcher startup: best of 20 wall times, and peak RSS
best() {  # best CMD...: minimum wall time over 20 runs, in ms
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
best, rss = 1e9, 0
for _ in range(20):
    t = time.perf_counter()
    subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    best = min(best, time.perf_counter() - t)
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print("%-34s %10.2f ms best of 20, peak RSS %d KiB" % (" ".join(a.rsplit("/", 1)[-1] for a in sys.argv[1:3]), best * 1e3, rss))
PY
}
best "$bin" config check --config "$tmp/riskdesk.json"
best "$bin" dispatch --config "$tmp/riskdesk.json" --account large --once --at 2026-11-20T15:30:00Z
