#!/usr/bin/env bash
# HTTP API: wrk -t2 -c64 -d10s on GET /api/v1/accounts (10 paper accounts), then
# POST /api/v1/recommendations in batches of 1,000 (bench_api.py), and the
# server's peak RSS under both. Targets: >= 20,000 req/s, p99 < 10 ms, no
# errors; >= 50,000 recommendations/s; RSS < 32 MB. Needs wrk (scripts/deps.sh
# installs it); without it the GET part is skipped and says so.
set -euo pipefail
build=${1:-build}
bin="$(cd "$build" && pwd)/riskdesk"
dur=${API_BENCH_SECONDS:-10}
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
python3 - "$tmp" <<'PY'
import json, sys
acc = [{"name": f"acct{i}", "tier": "auto", "starting_cash": str(2000 + 5000 * i)} for i in range(10)]
json.dump({"database": f"sqlite:{sys.argv[1]}/rd.db", "accounts": acc}, open(f"{sys.argv[1]}/riskdesk.json", "w"))
PY
export LOG_LEVEL=warn
tok=$("$bin" tokens create --config "$tmp/riskdesk.json" --role admin --user bench 2>/dev/null)
"$bin" serve --config "$tmp/riskdesk.json" --listen 127.0.0.1:0 >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do grep -q "(port " "$tmp/out" 2>/dev/null && break; sleep 0.05; done
port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$tmp/out")
peak() { awk '/VmHWM/ {print $2 / 1024 " MB"}' "/proc/$pid/status"; }
curl -s -o /dev/null -H "Authorization: Bearer $tok" "http://127.0.0.1:$port/api/v1/accounts"
if command -v wrk >/dev/null; then
  echo "GET /api/v1/accounts, 10 accounts: wrk -t2 -c64 -d${dur}s"
  wrk -t2 -c64 -d"${dur}s" --latency -H "Authorization: Bearer $tok" \
    "http://127.0.0.1:$port/api/v1/accounts" | grep -E "Requests/sec|^ +(50|90|99)%|Non-2xx|Socket errors|requests in"
else
  echo "GET /api/v1/accounts: skipped (wrk is not installed; scripts/deps.sh installs it)"
fi
echo "POST /api/v1/recommendations, batches of 1,000 on 2 connections:"
python3 "$(dirname "$0")/bench_api.py" "$port" "$tok" 50 2
echo "server peak RSS: $(peak)"
