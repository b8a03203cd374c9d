# Sourced after common.sh by the tests that run riskdesk against the fake
# Alpaca (tests/tools/fake_alpaca.py) on loopback.
#   start_fake [ARGS...]  starts it on a free port: FAKE_PID, URL; its stderr
#                         in $TMP/fake.err. stop_fake ends it (the tests' EXIT
#                         traps call it).
#   ctl PATH JSON         posts JSON to a control endpoint (/_fault, /_config, /_reset)
#   fq EXPR               EXPR evaluated on GET /_stats as d
#   fake_orders KEY SECRET  the key's orders as the fake lists them to riskdesk
#                         (GET /v2/orders?status=all&limit=500), JSON on stdout
FAKE_PY="$RD_SOURCE_DIR/tests/tools/fake_alpaca.py"
FAKE_PID=
URL=
start_fake() {
  rm -f "$TMP/fake.port"
  python3 "$FAKE_PY" "$@" >"$TMP/fake.port" 2>"$TMP/fake.err" &
  FAKE_PID=$!
  for _ in $(seq 100); do [ -s "$TMP/fake.port" ] && break; sleep 0.05; done
  URL="http://127.0.0.1:$(head -1 "$TMP/fake.port")"
  [ -s "$TMP/fake.port" ] || { echo "FAIL: the fake Alpaca did not start: $(cat "$TMP/fake.err")"; exit 1; }
  cat >"$TMP/ctl.py" <<'PY'
import json, sys, urllib.request
url, cmd, path = sys.argv[1:4]
if cmd == "post":
    req = urllib.request.Request(url + path, data=sys.argv[4].encode(), method="POST")
    print(urllib.request.urlopen(req).read().decode())
elif cmd == "as":           # as PATH KEY SECRET: a /v2 GET as that key, the body printed
    req = urllib.request.Request(url + path, headers={"APCA-API-KEY-ID": sys.argv[4], "APCA-API-SECRET-KEY": sys.argv[5]})
    print(urllib.request.urlopen(req).read().decode())
else:                       # get PATH EXPR: prints EXPR evaluated on the reply as d
    d = json.load(urllib.request.urlopen(url + path))
    print(eval(sys.argv[4]) if len(sys.argv) > 4 else json.dumps(d))
PY
}
stop_fake() {
  [ -n "$FAKE_PID" ] || return 0
  kill "$FAKE_PID" 2>/dev/null
  wait "$FAKE_PID" 2>/dev/null
  FAKE_PID=
}
ctl() { python3 "$TMP/ctl.py" "$URL" post "$@" >/dev/null; }
fq() { python3 "$TMP/ctl.py" "$URL" get /_stats "$1"; }
fake_orders() { python3 "$TMP/ctl.py" "$URL" as "/v2/orders?status=all&limit=500" "$1" "$2"; }
