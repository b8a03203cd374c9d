#!/usr/bin/env bash
# The web dashboard end to end: the demo's config on a temp database with
# decisions, orders and snapshots from `dispatch --once`, served by the real
# server. curl checks / and /static/* (status, content type, embedded bytes);
# then, when /usr/bin/chromium exists, headless Chromium renders the page with
# a viewer token (#token=...) and the DOM must show the accounts and their
# numbers; the screenshot is kept (build dir, and docs/dashboard.png when
# RD_UPDATE_SCREENSHOT=1).
. "$(dirname "$0")/common.sh"
: "${RD_SOURCE_DIR:?RD_SOURCE_DIR must point at the source tree}"
command -v curl >/dev/null || { echo "curl is needed"; exit 1; }
AT=2026-11-20T15:30:00Z
sed "s|\"sqlite:riskdesk.db\"|\"sqlite:$TMP/rd.db\"|" "$RD_SOURCE_DIR/examples/riskdesk.json" >"$TMP/riskdesk.json"
C=(--config "$TMP/riskdesk.json")
grep -q "$TMP/rd.db" "$TMP/riskdesk.json" && ok || bad "the example config's database was not replaced"

SERVER_PID=
stop_server() { [ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; SERVER_PID=; }
trap 'stop_server; rm -rf "$TMP"' EXIT

# ---- data: recommendations imported and decided by the CLI dispatcher ----
rec() {  # rec ID UNDERLYING SYMBOL ACTION STRATEGY CONFIDENCE VOLUME_RATIO PRICE
  printf '{"id":"%s","created_at":"2026-11-20T15:29:50Z","underlying":"%s","symbol":"%s","action":"%s","strategy":"%s","confidence":%s,"volume_ratio":%s,"price":"%s"}\n' "$@"
}
{
  rec w-1 AAPL AAPL261218C00190000 BUY_CALL swing 0.8 3 2.35
  rec w-2 MSFT MSFT261218P00400000 BUY_PUT swing 0.7 2.5 3.10
  rec w-3 AMD AMD261218C00150000 BUY_CALL swing 0.75 1.3 1.10
  rec w-4 META META261218P00560000 BUY_PUT day 0.54 1.5 3.65
  rec w-5 NVDA NVDA261218C00140000 BUY_CALL swing 0.9 2.2 0.85
} >"$TMP/recs.jsonl"
expect_rc 0 "$RD_BIN" recommend import "${C[@]}" "$TMP/recs.jsonl"
expect_rc 0 "$RD_BIN" dispatch "${C[@]}" --account large --once --at "$AT"
expect_rc 0 "$RD_BIN" dispatch "${C[@]}" --account tiny --once --at "$AT"
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role viewer --user vera --label dashboard
VIEWER=$(cat "$TMP/out")

LOG_LEVEL=warn "$RD_BIN" serve "${C[@]}" --listen 127.0.0.1:0 >"$TMP/serve.out" 2>"$TMP/serve.err" &
SERVER_PID=$!
for _ in $(seq 100); do grep -q "(port " "$TMP/serve.out" 2>/dev/null && break; sleep 0.05; done
PORT=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$TMP/serve.out")
[ -n "$PORT" ] || { bad "server did not start: $(cat "$TMP/serve.err")"; finish; exit 1; }
BASE="http://127.0.0.1:$PORT"

# ---- the files, with curl ----
get() {  # get PATH: status in $ST, body in $TMP/body, headers in $TMP/hdr
  ST=$(curl -s -o "$TMP/body" -D "$TMP/hdr" -w '%{http_code}' "$BASE$1")
}
hdr() {  # hdr NAME VALUE: the last response had the header
  grep -qi "^$1: $2" "$TMP/hdr" && ok || bad "$LAST: no \"$1: $2\": $(grep -i "^$1:" "$TMP/hdr")"
}
check_file() {  # check_file PATH SOURCE-FILE CONTENT-TYPE
  LAST="GET $1"; get "$1"
  [ "$ST" = 200 ] && ok || bad "$LAST: status $ST"
  cmp -s "$TMP/body" "$RD_SOURCE_DIR/web/$2" && ok || bad "$LAST: not the bytes of web/$2"
  hdr Content-Type "$3"
  hdr Cache-Control "no-store"
}
check_file / index.html "text/html; charset=utf-8"
check_file /static/app.js app.js "text/javascript; charset=utf-8"
check_file /static/style.css style.css "text/css; charset=utf-8"
get /; grep -q 'src="/static/app.js"' "$TMP/body" && ok || bad "index.html does not load app.js"
get /; grep -Eq 'https?://' "$TMP/body" && bad "index.html names another origin" || ok
get /static/app.js; grep -Eq 'https?://' "$TMP/body" && bad "app.js names another origin" || ok
LAST="GET /static/nope.js"; get /static/nope.js
[ "$ST" = 404 ] && ok || bad "$LAST: status $ST"
grep -q '"code":"not_found"' "$TMP/body" && ok || bad "$LAST: $(cat "$TMP/body")"
LAST="GET /static/../riskdesk.json"; ST=$(curl -s --path-as-is -o "$TMP/body" -w '%{http_code}' "$BASE/static/../riskdesk.json")
[ "$ST" = 404 ] && ok || bad "$LAST: status $ST"
LAST="GET /static/"; get /static/; [ "$ST" = 404 ] && ok || bad "$LAST: status $ST"
LAST="POST /"; ST=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$BASE/"); [ "$ST" = 405 ] && ok || bad "$LAST: status $ST"
# the data the page draws from, with the viewer token
for p in /api/v1/accounts /api/v1/accounts/large/config /api/v1/performance/snapshots /api/v1/users; do
  ST=$(curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $VIEWER" "$BASE$p")
  [ "$ST" = 200 ] && ok || bad "GET $p as viewer: $ST $(head -c 200 "$TMP/body")"
done
EQUITY=$(curl -s -H "Authorization: Bearer $VIEWER" "$BASE/api/v1/accounts" |
  python3 -c 'import json,sys; a=json.load(sys.stdin)["accounts"]; print(" ".join("{:,.2f}".format(float(x["equity"])) for x in a))')
[ -n "$EQUITY" ] && ok || bad "no equity from /api/v1/accounts"

# ---- the page in headless Chromium ----
CHROMIUM=/usr/bin/chromium
if [ ! -x "$CHROMIUM" ]; then
  echo "SKIP: $CHROMIUM not found: the browser part of the dashboard test did not run (apt-get install chromium)"
else
  ART=${RD_ARTEFACT_DIR:-$(dirname "$RD_BIN")}
  URL="$BASE/#token=$VIEWER"
  browse() {
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync \
      --disable-dev-shm-usage --user-data-dir="$(mktemp -d -p "$TMP")" --virtual-time-budget=5000 "$@" 2>>"$TMP/chromium.err"
  }
  browse --dump-dom "$URL" >"$TMP/dom.html"
  for t in 'data-account="large"' 'data-account="tiny"' '<svg class="chart"' 'updated '; do
    grep -qF -- "$t" "$TMP/dom.html" && ok || bad "rendered DOM lacks $t ($(wc -c <"$TMP/dom.html") bytes; chromium: $(tail -3 "$TMP/chromium.err"))"
  done
  for e in $EQUITY; do
    grep -qF -- "\$$e" "$TMP/dom.html" && ok || bad "rendered DOM lacks the equity \$$e"
  done
  grep -qF '$10,000.00' "$TMP/dom.html" && ok || bad "rendered DOM lacks large's exposure limit"
  grep -qF 'Latest decisions' "$TMP/dom.html" && ok || bad "rendered DOM lacks the latest decisions"
  grep -qF 'error:' "$TMP/dom.html" && bad "the page shows an error: $(grep -o 'error:[^<]*' "$TMP/dom.html")" || ok
  # an account's page: positions, decisions with each gate's verdict, orders
  browse --dump-dom "$BASE/#/account/tiny&token=$VIEWER" >"$TMP/acct.html"
  for t in Positions Decisions Orders 'trading_state ✓' 'class="gate fail"' 'rejected: ' '"pill good">approved'; do
    grep -qF -- "$t" "$TMP/acct.html" && ok || bad "tiny's page lacks $t"
  done
  browse --dump-dom "$BASE/#/users&token=$VIEWER" >"$TMP/users.html"
  grep -qF 'Assignments' "$TMP/users.html" && ok || bad "the users page did not render"
  browse --screenshot="$TMP/dashboard.png" --window-size=1400,900 "$URL" >/dev/null
  if [ -s "$TMP/dashboard.png" ] && [ "$(head -c 8 "$TMP/dashboard.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
    ok
    cp "$TMP/dashboard.png" "$ART/dashboard.png" && echo "screenshot: $ART/dashboard.png"
    [ "${RD_UPDATE_SCREENSHOT:-0}" = 1 ] && cp "$TMP/dashboard.png" "$RD_SOURCE_DIR/docs/dashboard.png"
  else
    bad "no screenshot: $(tail -3 "$TMP/chromium.err")"
  fi
fi
finish
