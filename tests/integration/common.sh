# Sourced by the integration tests: a temp dir removed on exit, and checks
# that print what went wrong. At `finish`: every server stopped with exit 0,
# no sanitizer report in any file the test wrote, no registered secret in any
# file but those the test itself wrote it into. A test that cannot run here
# calls `skip_test REASON` (exit 77: ctest reports it as skipped).
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

# skip_test REASON: this test did not run here, and says why (one line that
# scripts/test_summary.sh repeats at the end of `make test`)
skip_test() { echo "SKIPPED: $*"; exit 77; }

# python_with MODULE: sets PY to a python3 that imports MODULE: the first on
# PATH, else Debian's /usr/bin/python3 (which scripts/deps.sh's python3-*
# packages serve); returns 1, PY empty, when neither does
python_with() {
  local p
  PY=
  for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null && "$p" -c "import $1" 2>/dev/null; then PY=$p; return 0; fi
  done
  return 1
}

# What ASan, LSan and UBSan print; RD_BIN may be a sanitizer build (make test-asan).
SANITIZER_RE='ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:'
# sanitizer_check FILE WHAT: fails the test when FILE holds a sanitizer report
SANITIZER_SEEN=" "      # files already reported: not again at finish
sanitizer_check() {
  [ -f "$1" ] || return 0
  if grep -qaE -- "$SANITIZER_RE" "$1"; then
    SANITIZER_SEEN="$SANITIZER_SEEN$1 "
    bad "$2: sanitizer report in $(basename "$1"):"
    grep -aE -A12 -- "$SANITIZER_RE" "$1" | head -30 | sed 's/^/    /'
  fi
}

# secret VALUE [FILE...]: VALUE (a token, a broker or signing secret, a
# password) must show up in no file under $TMP but the FILEs named here, the
# ones the test itself wrote it into (a config, the token's own copy; a FILE
# ending in / stands for everything under that directory). Also
# checked in the stderr of every expect_rc run made after this call.
SECRETS=()
SECRET_FILES=()    # "VALUE<TAB>FILE"
secret() {
  local v=$1 f; shift
  [ -n "$v" ] || return 0
  SECRETS+=("$v")
  for f in "$@"; do SECRET_FILES+=("$v"$'\t'"$f"); done
}
secret_allowed() {   # secret_allowed VALUE FILE
  local e
  for e in "${SECRET_FILES[@]}"; do
    [ "$e" = "$1"$'\t'"$2" ] && return 0
    case $e in */) case $1$'\t'$2 in "$e"*) return 0 ;; esac ;; esac
  done
  return 1
}
# keep_token NAME: the token `tokens create` just printed ($TMP/out) moved to
# $TMP/NAME.token, the one file allowed to hold it
keep_token() {
  mv "$TMP/out" "$TMP/$1.token"
  secret "$(cat "$TMP/$1.token")" "$TMP/$1.token"
}
# secrets_in FILE...: fails the test for each registered secret a FILE holds
secrets_in() {
  local v f
  for v in "${SECRETS[@]}"; do
    for f in "$@"; do
      [ -f "$f" ] || continue
      secret_allowed "$v" "$f" && continue
      grep -qaF -- "$v" "$f" && bad "secret ${v:0:6}... printed in $(basename "$f")"
    done
  done
  return 0
}
# check_outputs: every file under $TMP, for sanitizer reports and secrets
check_outputs() {
  local f
  while IFS= read -r -d '' f; do
    case $SANITIZER_SEEN in *" $f "*) ;; *) sanitizer_check "$f" "$(basename "$f")" ;; esac
    secrets_in "$f"
  done < <(find "$TMP" -type f -print0 2>/dev/null)
}

# start_pg: a throwaway PostgreSQL cluster (tests/tools/pg_throwaway.sh, $PG),
# stopped once this shell has gone, however it went; its store URL in PG_URL.
# Skips the test when no PostgreSQL server binaries are installed, fails it
# when the cluster does not start.
PG="$RD_SOURCE_DIR/tests/tools/pg_throwaway.sh"
PG_URL=
start_pg() {
  local src
  PG_URL=$(bash "$PG" start --watch $$ 2>"$TMP/pg.err")
  src=$?
  [ $src -eq 77 ] && skip_test "$(cat "$TMP/pg.err")"
  if [ $src -ne 0 ]; then
    echo "FAIL: could not start a throwaway PostgreSQL cluster:"; cat "$TMP/pg.err"; exit 1
  fi
}

# start_server OUT [ARGS...]: riskdesk serve "${C[@]}" ARGS on a free port,
# stdout in OUT.out, stderr in OUT.err; sets SERVER_PID and PORT.
SERVER_PID=
SERVER_ERR=
start_server() {
  local out=$1; shift
  rm -f "$out.out"   # not an earlier server's port line
  SERVER_ERR=$out.err
  "$RD_BIN" serve "${C[@]}" --listen 127.0.0.1:0 "$@" >"$out.out" 2>"$out.err" &
  SERVER_PID=$!
  for _ in $(seq 200); do grep -q "(port " "$out.out" 2>/dev/null && break; sleep 0.05; done
  PORT=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$out.out")
  [ -n "$PORT" ] || { bad "server did not start: $(cat "$out.err")"; finish; exit 1; }
}
# start_sink USER PASSWORD: tests/tools/smtp_sink.py on a free port, keeping
# what it receives in $TMP/mail; sets sink_pid and port. stop_sink ends it.
sink_pid=
start_sink() {
  mkdir -p "$TMP/mail"
  python3 "$RD_SOURCE_DIR/tests/tools/smtp_sink.py" --dir "$TMP/mail" --port-file "$TMP/port" \
      --user "$1" --password "$2" &
  sink_pid=$!
  for _ in $(seq 100); do [ -s "$TMP/port" ] && break; sleep 0.05; done
  port=$(cat "$TMP/port")
}
stop_sink() { [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null; wait "$sink_pid" 2>/dev/null; sink_pid=; }
# find_chromium: CHROMIUM is $RD_CHROMIUM or the first of chromium,
# chromium-browser, google-chrome on PATH ("" when none)
find_chromium() {
  local c
  CHROMIUM=${RD_CHROMIUM:-}
  for c in chromium chromium-browser google-chrome google-chrome-stable; do
    [ -n "$CHROMIUM" ] && break
    CHROMIUM=$(command -v "$c")
  done
}
# browse ARGS...: headless $CHROMIUM with a fresh profile under $TMP/profiles
# (register a token it is handed with secret TOKEN "$TMP/profiles/"),
# 5 s of virtual time; its stderr in $TMP/chromium.err
browse() {
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-dev-shm-usage --user-data-dir="$(mkdir -p "$TMP/profiles" && mktemp -d -p "$TMP/profiles")" --virtual-time-budget=5000 "$@" 2>>"$TMP/chromium.err"
}
# stop_server: SIGTERM, waits for it; it must exit 0 with no sanitizer
# report (a leak or UB in a handler shows up here, at exit)
stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  local pid=$SERVER_PID rc
  SERVER_PID=
  kill -TERM "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  rc=$?
  if [ "$rc" -eq 0 ]; then ok; else
    bad "the server exited $rc after SIGTERM"; tail -5 "$SERVER_ERR" 2>/dev/null | sed 's/^/    stderr: /'
  fi
  sanitizer_check "$SERVER_ERR" "the server"
}

# expect_rc WANT CMD...: runs CMD, output in $TMP/out and $TMP/err
expect_rc() {
  local want=$1; shift
  "$@" >"$TMP/out" 2>"$TMP/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then ok; else
    bad "exit $got (wanted $want): $*"; sed 's/^/    stderr: /' "$TMP/err" | head -5
  fi
  sanitizer_check "$TMP/err" "$*"
  secrets_in "$TMP/err"
}
expect_in() {   # expect_in FILE TEXT
  if grep -qF -- "$2" "$1"; then ok; else bad "$(basename "$1") lacks: $2"; sed 's/^/    /' "$1" | head -5; fi
}
expect_not_in() {
  if grep -qF -- "$2" "$1"; then bad "$(basename "$1") contains: $2"; else ok; fi
}
expect_eq() {  # expect_eq WHAT GOT WANT
  if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', wanted '$3'"; fi
}
# HTTP to the server under test on $PORT: r METHOD PATH TOKEN [BODY]. No
# Authorization header when TOKEN is ""; R_HEADER="Name: value" adds that
# header; status in $ST, body in $TMP/body,
# headers in $TMP/hdr, the request (body cut short) in $LAST.
r() {
  local m=$1 p=$2 t=$3 b=${4-}
  local args=(-s -o "$TMP/body" -D "$TMP/hdr" -w '%{http_code}' -X "$m")
  [ -n "$t" ] && args+=(-H "Authorization: Bearer $t")
  [ -n "${R_HEADER-}" ] && args+=(-H "$R_HEADER")
  [ $# -ge 4 ] && args+=(-H 'Content-Type: application/json' --data-binary "$b")
  LAST="$m $p ${R_HEADER-} ${b:0:200}"
  # R_BASE (default http://127.0.0.1:$PORT) and R_CURL (more curl arguments,
  # e.g. --cacert) for a server over TLS
  # shellcheck disable=SC2086
  ST=$(curl "${args[@]}" ${R_CURL-} "${R_BASE:-http://127.0.0.1:$PORT}$p")
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

# verify_clean WHAT: `riskdesk ledger verify --json` on the store "${C[@]}"
# points at says ok with exit 0 (its JSON in $TMP/verify); WHAT names the
# operation it follows
verify_clean() {
  "$RD_BIN" ledger verify "${C[@]}" --json >"$TMP/verify" 2>"$TMP/verify.err"
  local rc=$?
  if [ $rc -eq 0 ] && grep -qF '"ok":true' "$TMP/verify"; then ok; else
    bad "ledger verify after '$*': exit $rc: $(cat "$TMP/verify" "$TMP/verify.err")"
  fi
}
# start_stores: a throwaway PostgreSQL ($PG_URL, start_pg) and its psql for
# store_sql; skips (77) when PostgreSQL's binaries are missing
start_stores() {
  start_pg
  command -v psql >/dev/null || skip_test "psql is not installed (scripts/deps.sh installs postgresql)"
}
# store_sql STATEMENT: run on $TMP/rd.db (python3's sqlite3 module) when
# $STORE is sqlite, else on $PG_URL
store_sql() {
  if [ "$STORE" = sqlite ]; then
    python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()' "$TMP/rd.db" "$1"
  else
    psql -X -q -d "$PG_URL" -c "$1"
  fi
}
# jcheck_file FILE PYTHON-EXPR: evaluated with d = FILE's JSON
jcheck_file() {
  python3 - "$1" "$2" <<'PY' && ok || bad "JSON check failed: $2"
import json, sys
d = json.load(open(sys.argv[1]))
if not eval(sys.argv[2]):
    print("   JSON:", json.dumps(d)[:600]); sys.exit(1)
PY
}
finish() {
  if [ -n "$SERVER_PID" ]; then bad "a server was still running at finish (stop_server first)"; stop_server; fi
  check_outputs
  echo "$passes passed, $fails failed"
  [ "$fails" -eq 0 ]
}

# The kill tests' account limits: wide enough to refuse nothing they import
# (what they count is orders placed once, not refusals).
KILL_RISK='{"max_notional_exposure": 100000000, "max_open_positions": 100000,
            "max_contracts_per_trade": 10, "max_daily_loss": 500, "max_risk_per_trade_pct": 0.02,
            "ticker_cooldown_minutes": 0, "max_entries_per_ticker_per_day": 100,
            "max_orders_per_minute": 1000000}'

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
