#!/usr/bin/env bash
# The limits of a request's head (docs/api.md): the request target (8192
# bytes), its query arguments (64), header lines (64, 8192 bytes each, 16384
# in all). Past one, the answer is at once and JSON like every other error:
# 414 uri_too_long or 431 headers_too_large, with or without a token. A
# head past the HTTP library's own memory is still answered at once.
. "$(dirname "$0")/common.sh"
command -v curl >/dev/null || { echo "curl is needed"; exit 1; }
write_config
C=(--config "$TMP/riskdesk.json")
trap 'stop_server; rm -rf "$TMP"' EXIT
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role admin --user alice
ADMIN=$(cat "$TMP/out")
start_server "$TMP/s"

# h PATH [CURL ARGS...]: GET with a 10 s cap; status in $ST, body in $TMP/body
h() {
  local p=$1; shift
  LAST="GET ${p:0:80}... ($# more args)"
  ST=$(curl -s -m 10 -o "$TMP/body" -w '%{http_code}' "$@" "http://127.0.0.1:$PORT$p")
}
args() { python3 -c "import sys; print('&'.join('a%d=1' % i for i in range(int(sys.argv[1]))))" "$1"; }
json_error() { jcheck "d['error']['code'] == '$1'"; }
AUTH=(-H "Authorization: Bearer $ADMIN")

# query arguments: 64 reach the handler (an unknown parameter), 65 do not
h "/api/v1/recommendations?$(args 64)" "${AUTH[@]}"; expect 400 unknown_parameter
h "/api/v1/recommendations?$(args 65)" "${AUTH[@]}"; expect 414 '"uri_too_long"' 'at most 64'
json_error uri_too_long
# what the issue saw: 920 with a token, 1,200 without, answered at once
start=$(date +%s)
h "/api/v1/recommendations?$(args 920)" "${AUTH[@]}"; expect 414 '"uri_too_long"'
h "/api/v1/recommendations?$(args 1200)"; expect 414 '"uri_too_long"'
h "/healthz?$(args 1200)"; expect 414 '"uri_too_long"'
[ $(( $(date +%s) - start )) -le 5 ] && ok || bad "the 414s took over 5 s"
grep -q "Not enough memory in pool" "$TMP/s.err" && bad "the pool ran dry: $(grep -m1 pool "$TMP/s.err")" || ok

# the target's length: 8192 bytes pass, 8193 do not
P=/healthz?x=
pad() { python3 -c "import sys; print('y' * (int(sys.argv[1]) - len(sys.argv[2])))" "$1" "$P"; }
h "$P$(pad 8192)"; expect 200 '"status":"ok"'
h "$P$(pad 8193)"; expect 414 'at most 8192'
json_error uri_too_long
h "/healthz/$(python3 -c "print('z' * 9000)")"; expect 414 '(path and query)'

# header lines: curl sends Host, User-Agent and Accept; 61 more make 64
hdrs() { for i in $(seq "$1"); do printf -- '-H\nX-H%d: 1\n' "$i"; done; }
mapfile -t H < <(hdrs 61)
h /healthz "${H[@]}"; expect 200
mapfile -t H < <(hdrs 62)
h /healthz "${H[@]}"; expect 431 '"headers_too_large"' 'at most 64'
json_error headers_too_large
mapfile -t H < <(hdrs 3000)
h /healthz "${H[@]}"; [ "$ST" = 431 ] && ok || bad "3000 header lines: status $ST (wanted 431)"
# one header line: 8192 bytes pass ("X-Big: " + value + CRLF), 8193 do not
big() { python3 -c "import sys; print('v' * (int(sys.argv[1]) - 9))" "$1"; }
h /healthz -H "X-Big: $(big 8192)"; expect 200
h /healthz -H "X-Big: $(big 8193)"; expect 431 'a header line is 8193 bytes'
json_error headers_too_large
# in all: 16384
h /healthz -H "X-A: $(big 8190)" -H "X-B: $(big 8190)"; expect 431 'in all'
# the longest target with nearly the most header bytes still fits the
# connection's memory (server.c's CONN_MEMORY): answered by riskdesk, not the library
h "$P$(pad 8192)" -H "X-A: $(big 8100)" -H "X-B: $(big 8100)"; expect 200 '"status":"ok"'
# past the HTTP library's memory: still an answer at once
h /healthz -H "X-Big: $(big 100000)"; [ "$ST" = 431 ] && ok || bad "100 KB header: status $ST (wanted 431)"
h "/healthz?$(python3 -c "print('q' * 100000)")"; [ "$ST" = 414 ] && ok || bad "100 KB target: status $ST (wanted 414)"

# the server still answers
h /healthz; expect 200 '"status":"ok"'
stop_server
finish
