# Sourced by the integration tests: a temp dir removed on exit, and checks
# that print what went wrong.
set -u
: "${RD_BIN:?RD_BIN must point at the riskdesk binary}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export LOG_LEVEL=${LOG_LEVEL:-warn}
unset RUN_MODE ACCOUNT_TIER RISKDESK_CONFIG RISKDESK_DATABASE_URL
fails=0
passes=0

ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# start_server OUT [ARGS...]: riskdesk serve "${C[@]}" ARGS on a free port,
# stdout in OUT.out, stderr in OUT.err; sets SERVER_PID and PORT.
SERVER_PID=
start_server() {
  local out=$1; shift
  rm -f "$out.out"   # not an earlier server's port line
  "$RD_BIN" serve "${C[@]}" --listen 127.0.0.1:0 "$@" >"$out.out" 2>"$out.err" &
  SERVER_PID=$!
  for _ in $(seq 200); do grep -q "(port " "$out.out" 2>/dev/null && break; sleep 0.05; done
  PORT=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$out.out")
  [ -n "$PORT" ] || { bad "server did not start: $(cat "$out.err")"; finish; exit 1; }
}
# stop_server: SIGTERM, and waits for it
stop_server() { [ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; SERVER_PID=; }

# expect_rc WANT CMD...: runs CMD, output in $TMP/out and $TMP/err
expect_rc() {
  local want=$1; shift
  "$@" >"$TMP/out" 2>"$TMP/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then ok; else
    bad "exit $got (wanted $want): $*"; sed 's/^/    stderr: /' "$TMP/err" | head -5
  fi
}
expect_in() {   # expect_in FILE TEXT
  if grep -qF -- "$2" "$1"; then ok; else bad "$(basename "$1") lacks: $2"; sed 's/^/    /' "$1" | head -5; fi
}
expect_not_in() {
  if grep -qF -- "$2" "$1"; then bad "$(basename "$1") contains: $2"; else ok; fi
}
# HTTP to the server under test on $PORT: r METHOD PATH TOKEN [BODY]. No
# Authorization header when TOKEN is ""; status in $ST, body in $TMP/body,
# headers in $TMP/hdr, the request (body cut short) in $LAST.
r() {
  local m=$1 p=$2 t=$3 b=${4-}
  local args=(-s -o "$TMP/body" -D "$TMP/hdr" -w '%{http_code}' -X "$m")
  [ -n "$t" ] && args+=(-H "Authorization: Bearer $t")
  [ $# -ge 4 ] && args+=(-H 'Content-Type: application/json' --data-binary "$b")
  LAST="$m $p ${b:0:200}"
  ST=$(curl "${args[@]}" "http://127.0.0.1:$PORT$p")
}
# expect STATUS [TEXT...]: the last response had STATUS and contains each TEXT
expect() {
  local want=$1; shift
  if [ "$ST" = "$want" ]; then ok; else bad "$LAST: status $ST (wanted $want): $(head -c 300 "$TMP/body")"; fi
  for t in "$@"; do
    if grep -qF -- "$t" "$TMP/body"; then ok; else bad "$LAST: body lacks $t: $(head -c 300 "$TMP/body")"; fi
  done
}
# jcheck PYTHON-EXPR: evaluated with d = the last body as JSON
jcheck() {
  python3 - "$TMP/body" "$1" <<'PY' && ok || bad "$LAST: JSON check failed: $1"
import json, sys
d = json.load(open(sys.argv[1]))
if not eval(sys.argv[2]):
    print("   body:", json.dumps(d)[:600]); sys.exit(1)
PY
}

finish() {
  echo "$passes passed, $fails failed"
  [ "$fails" -eq 0 ]
}

# A config with two paper accounts in $TMP, database $TMP/rd.db.
write_config() {
  cat >"$TMP/riskdesk.json" <<JSON
{"database": "sqlite:$TMP/rd.db",
 "accounts": [
  {"name": "large", "tier": "auto", "starting_cash": "209000",
   "risk": {"max_notional_exposure": 10000, "max_open_positions": 5, "max_contracts_per_trade": 10,
            "max_daily_loss": 500, "max_risk_per_trade_pct": 0.02}},
  {"name": "tiny", "tier": "auto", "starting_cash": "1804",
   "risk": {"max_notional_exposure": 1500, "max_open_positions": 2, "max_contracts_per_trade": 2,
            "max_daily_loss": 100, "max_risk_per_trade_pct": 0.15}}]}
JSON
}
