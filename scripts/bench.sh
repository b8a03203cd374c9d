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
  case $s in
    */bench_audit.sh) bash "$s" ;;     # builds its own two trees: [ROUNDS] [WORK] [COMMIT]
    *) bash "$s" "$build" ;;
  esac
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
# dispatcher memory under a backlog: 20,000 recommendations decided by one --once
python3 - "$tmp/backlog.jsonl" <<'PY'
import json, sys
names = ["AAPL", "MSFT", "NVDA", "AMD", "META", "TSLA", "GOOG", "AMZN"]
with open(sys.argv[1], "w") as f:
    for i in range(20000):
        u = names[i % 8]
        f.write(json.dumps({"id": "b%d" % i, "created_at": "2026-11-20T15:29:30Z", "underlying": u,
                            "symbol": u + "261218C00100000", "action": "BUY_CALL", "strategy": "swing",
                            "confidence": 0.8, "volume_ratio": 3, "price": "1.00"}) + "\n")
PY
"$bin" recommend import --config "$tmp/riskdesk.json" "$tmp/backlog.jsonl" >/dev/null
/usr/bin/time -f "dispatch --once, 20,000 backlog:  %e s, peak RSS %M KiB" \
  "$bin" dispatch --config "$tmp/riskdesk.json" --account tiny --once --at 2026-11-20T15:30:00Z \
  >/dev/null 2>"$tmp/time.err" || { cat "$tmp/time.err"; exit 1; }
tail -1 "$tmp/time.err"
