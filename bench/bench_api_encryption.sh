#!/usr/bin/env bash
# Encryption at rest and the API: GET /api/v1/accounts (10 paper accounts) on
# two servers of the same build, one whose store keeps amounts in clear and
# one whose store seals them (encryption.key), each loaded with wrk -t2 -c64
# for API_BENCH_SECONDS (default 5) in turn, three times each, in one run.
# Prints every rate and the ratio of the medians (sealed / clear; goal >= 0.9).
# Needs wrk (make bench-deps). docs/benchmarks.md, "Encryption at rest".
set -euo pipefail
build=${1:-build}
bin="$(cd "$build" && pwd)/riskdesk"
dur=${API_BENCH_SECONDS:-5}
command -v wrk >/dev/null || { echo "bench_api_encryption: wrk is not installed (make bench-deps)"; exit 77; }
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
export LOG_LEVEL=warn RD_BENCH_KEY=$(openssl rand -hex 32)
for mode in clear sealed; do
  python3 - "$tmp" "$mode" <<'PY'
import json, sys
d, mode = sys.argv[1], sys.argv[2]
acc = [{"name": f"acct{i}", "tier": "auto", "starting_cash": str(2000 + 5000 * i)} for i in range(10)]
cfg = {"database": f"sqlite:{d}/{mode}.db", "accounts": acc}
if mode == "sealed":
    cfg["encryption"] = {"key": "env:RD_BENCH_KEY"}
json.dump(cfg, open(f"{d}/{mode}.json", "w"))
PY
  "$bin" tokens create --config "$tmp/$mode.json" --role admin --user bench >"$tmp/$mode.tok" 2>/dev/null
  "$bin" serve --config "$tmp/$mode.json" --listen 127.0.0.1:0 >"$tmp/$mode.out" 2>"$tmp/$mode.err" &
  pids+=($!)
  for _ in $(seq 100); do grep -q "(port " "$tmp/$mode.out" 2>/dev/null && break; sleep 0.05; done
  sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$tmp/$mode.out" >"$tmp/$mode.port"
  curl -sf -o /dev/null -H "Authorization: Bearer $(cat "$tmp/$mode.tok")" \
    "http://127.0.0.1:$(cat "$tmp/$mode.port")/api/v1/accounts"
done
echo "GET /api/v1/accounts, 10 accounts, wrk -t2 -c64 -d${dur}s, commit $(git -C "$(dirname "$0")" rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u +%F)"
for round in 1 2 3; do
  for mode in clear sealed; do
    rate=$(wrk -t2 -c64 -d"${dur}s" -H "Authorization: Bearer $(cat "$tmp/$mode.tok")" \
             "http://127.0.0.1:$(cat "$tmp/$mode.port")/api/v1/accounts" |
           awk '/Requests\/sec/ {print $2}')
    echo "$mode $rate" | tee -a "$tmp/rates"
  done
done
python3 - "$tmp/rates" <<'PY'
import statistics, sys
r = {}
for line in open(sys.argv[1]):
    m, v = line.split()
    r.setdefault(m, []).append(float(v))
c, s = statistics.median(r["clear"]), statistics.median(r["sealed"])
print(f"median clear {c:.0f} req/s, sealed {s:.0f} req/s: ratio {s / c:.3f} (goal >= 0.9)")
PY
