#!/usr/bin/env bash
# HTTP API: wrk -t2 -c64 -d10s on GET /api/v1/accounts (10 paper accounts), then the
# same wrk on its peer in the same run: nginx (Debian's nginx-light) serving the very
# bytes of that answer from a file, unprivileged, its own prefix and config in a temp
# dir, on a loopback port; prints both and the ratio. Then POST
# /api/v1/recommendations in batches of 1,000 (bench_api.py), and the server's peak RSS
# under both. Targets: >= 0.5 of nginx's req/s, p99 within 2x of nginx's, no errors;
# >= 50,000 recommendations/s; RSS < 32 MB. Needs wrk and nginx (make bench-deps);
# without wrk the GET part is skipped, without nginx its peer, each saying so.
set -euo pipefail
build=${1:-build}
bin="$(cd "$build" && pwd)/riskdesk"
dur=${API_BENCH_SECONDS:-10}
tmp=$(mktemp -d)
pid=
npid=
cleanup() {
  [ -n "$npid" ] && kill -TERM "$npid" 2>/dev/null && wait "$npid" 2>/dev/null
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$tmp"
}
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
load() {        # load URL: wrk's summary lines, the same settings for riskdesk and its peer
  wrk -t2 -c64 -d"${dur}s" --latency -H "Authorization: Bearer $tok" "$1" |
    grep -E "Requests/sec|^ +(50|90|99)%|Non-2xx|Socket errors|requests in" | tee "$tmp/wrk"
}
rate() { awk '/Requests\/sec/ {print $2}' "$tmp/wrk"; }
p99_ms() { awk '$1 == "99%" {v = $2; u = v; gsub(/[0-9.]/, "", u); sub(/[a-z]+$/, "", v);
                 print (u == "us" ? v / 1000 : u == "s" ? v * 1000 : v)}' "$tmp/wrk"; }
if command -v wrk >/dev/null; then
  echo "GET /api/v1/accounts, 10 accounts: wrk -t2 -c64 -d${dur}s, commit $(git -C "$(dirname "$0")" rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u +%F)"
  load "http://127.0.0.1:$port/api/v1/accounts"
  rd_rate=$(rate) rd_p99=$(p99_ms)
  nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
  if [ -x "$nginx_bin" ]; then
    # the peer: the same bytes from a file, nginx unprivileged in its own prefix
    curl -s -H "Authorization: Bearer $tok" "http://127.0.0.1:$port/api/v1/accounts" >"$tmp/accounts.json"
    ngx="$tmp/nginx"; mkdir -p "$ngx/logs" "$ngx/tmp" "$ngx/www/api/v1"
    cp "$tmp/accounts.json" "$ngx/www/api/v1/accounts"
    nport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    cat >"$ngx/nginx.conf" <<NGX
worker_processes auto;
pid $ngx/nginx.pid;
error_log $ngx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $ngx/tmp; proxy_temp_path $ngx/tmp; fastcgi_temp_path $ngx/tmp;
  uwsgi_temp_path $ngx/tmp; scgi_temp_path $ngx/tmp;
  server {
    listen 127.0.0.1:$nport;
    root $ngx/www;
    default_type application/json;
  }
}
NGX
    as_user=()
    if [ "$(id -u)" -eq 0 ]; then chmod -R a+rwX "$tmp"; as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups); fi
    "${as_user[@]}" "$nginx_bin" -p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/logs/error.log" -g 'daemon off;' &
    npid=$!
    for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$nport/api/v1/accounts" && break; sleep 0.05; done
    if cmp -s "$tmp/accounts.json" <(curl -s "http://127.0.0.1:$nport/api/v1/accounts"); then
      echo "peer: nginx $("$nginx_bin" -v 2>&1 | sed 's/.*\///'), the same $(stat -c %s "$tmp/accounts.json") bytes from a file"
      load "http://127.0.0.1:$nport/api/v1/accounts"
      ng_rate=$(rate) ng_p99=$(p99_ms)
      echo "ratio: riskdesk $rd_rate req/s / nginx $ng_rate req/s = $(awk "BEGIN{printf \"%.2f\", $rd_rate / $ng_rate}")" \
           "(goal >= 0.5); p99 $rd_p99 ms / $ng_p99 ms = $(awk "BEGIN{printf \"%.1f\", $rd_p99 / $ng_p99}")x (goal <= 2)"
    else
      echo "peer skipped: nginx did not serve the file (see $ngx/logs/error.log)"; cat "$ngx/logs/error.log" || true
    fi
    kill -TERM "$npid" 2>/dev/null; wait "$npid" 2>/dev/null || true
    npid=
  else
    echo "peer skipped: nginx is not installed (make bench-deps installs nginx-light)"
  fi
else
  echo "GET /api/v1/accounts: skipped (wrk is not installed; make bench-deps installs it)"
fi
echo "POST /api/v1/recommendations, batches of 1,000 on 2 connections:"
python3 "$(dirname "$0")/bench_api.py" "$port" "$tok" 50 2
echo "server peak RSS: $(peak)"
