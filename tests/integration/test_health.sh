#!/usr/bin/env bash
# The health monitor and degraded mode over HTTP, against two
# tests/tools/fake_alpaca.py instances and a dead port:
#   - a broker that keeps failing (503s injected with POST /_fault) makes its
#     account unhealthy after health.failures polls: health.unhealthy in the
#     log, /readyz, GET /api/v1/accounts and /metrics say so; least_loaded and
#     round_robin pass over it, department answers 409, manual assigns with a
#     warning; the fault cleared, it recovers (health.recovered);
#   - a trade that fails assigns nothing (first-trade assignment);
#   - a trader cannot change an assignment (403);
#   - serve --dispatch all with two accounts whose broker is dead runs on the
#     surviving one, logs serve.degraded, shows it in /readyz and stays up;
#     when no dispatcher can start, serve exits 1;
#   - a dispatcher whose start failed is tried again every interval, and runs
#     once its broker answers (dispatch.started, health.recovered, /readyz).
. "$(dirname "$0")/common.sh"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/deps.sh installs it)"
FAKE_PY="$RD_SOURCE_DIR/tests/tools/fake_alpaca.py"
export RISKDESK_ALPACA_TIMEOUT_MS=1000 RISKDESK_ALPACA_FILL_WAIT_MS=200
unset EXECUTION_MODE

FAKE_A= FAKE_B= SERVER_PID=
cleanup() {
  stop_server
  for p in $FAKE_A $FAKE_B; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT

start_fake() {  # start_fake NAME: sets FAKE_PID and FAKE_PORT
  python3 "$FAKE_PY" >"$TMP/$1.port" 2>"$TMP/$1.err" &
  FAKE_PID=$!
  for _ in $(seq 100); do [ -s "$TMP/$1.port" ] && break; sleep 0.05; done
  FAKE_PORT=$(head -1 "$TMP/$1.port")
  [ -n "$FAKE_PORT" ] || { bad "fake alpaca $1 did not start"; finish; exit 1; }
}
start_fake a; FAKE_A=$FAKE_PID; PORT_A=$FAKE_PORT
start_fake b; FAKE_B=$FAKE_PID; PORT_B=$FAKE_PORT
# a port nothing listens on: bound, then let go
DEAD=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

SECRET=sEcReT0123456789abcdef0123456789abcdef
export ALPA_API_KEY=PKHEALTHA0000001 ALPA_SECRET_KEY=$SECRET ALPA_BASE_URL="http://127.0.0.1:$PORT_A"
export ALPB_API_KEY=PKHEALTHB0000001 ALPB_SECRET_KEY=$SECRET ALPB_BASE_URL="http://127.0.0.1:$PORT_B"
secret "$SECRET"

write_cfg() {  # write_cfg FILE DB
  cat >"$1" <<JSON
{"database": "sqlite:$2",
 "health": {"interval_s": 1, "failures": 2},
 "assignment": {"departments": {"options": "alp_b"}},
 "accounts": [
  {"name": "alp_a", "broker": "alpaca", "credentials": "env:ALPA", "tier": "large"},
  {"name": "alp_b", "broker": "alpaca", "credentials": "env:ALPB", "tier": "large"},
  {"name": "paper1", "tier": "auto", "starting_cash": "5000"}]}
JSON
}
write_cfg "$TMP/rd.json" "$TMP/rd.db"
C=(--config "$TMP/rd.json")

# wait_for SECONDS PYTHON-EXPR: polls /readyz (with $ADMIN: the details need
# a token) until EXPR holds on its JSON (d)
wait_for() {
  local until=$((SECONDS + $1))
  while [ $SECONDS -lt "$until" ]; do
    curl -s -o "$TMP/ready" -H "Authorization: Bearer $ADMIN" "http://127.0.0.1:$PORT/readyz"
    python3 - "$TMP/ready" "$2" <<'PY' && return 0
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
    sleep 0.3
  done
  return 1
}
fault() {  # fault PORT JSON
  curl -s -o /dev/null -X POST --data-binary "$2" "http://127.0.0.1:$1/_fault"
}
H='{a["name"]: a["healthy"] for a in d["accounts"]}'

expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role admin --user alice
ADMIN=$(cat "$TMP/out")
keep_token ADMIN

# a bad "health" section stops the start, naming the key
write_cfg "$TMP/bad.json" "$TMP/bad.db"
python3 - "$TMP/bad.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["health"] = {"interval_s": 0, "failures": 2}
json.dump(d, open(sys.argv[1], "w"))
PY
expect_rc 1 "$RD_BIN" serve --config "$TMP/bad.json" --listen 127.0.0.1:0
expect_in "$TMP/err" "health.interval_s"
python3 - "$TMP/bad.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["health"] = {"interval": 5}
json.dump(d, open(sys.argv[1], "w"))
PY
expect_rc 1 "$RD_BIN" serve --config "$TMP/bad.json" --listen 127.0.0.1:0
expect_in "$TMP/err" 'unknown key "interval"'

# ---- the monitor: alp_b's broker fails, then recovers ----
start_server "$TMP/s1"
r GET /readyz "$ADMIN"; expect 200 '"ready":true' '"degraded":false'
jcheck "$H == {'alp_a': True, 'alp_b': True, 'paper1': True}"
r GET /api/v1/accounts "$ADMIN"; expect 200
jcheck 'all(a["healthy"] is True and a["health_failures"] == 0 for a in d["accounts"])'

fault "$PORT_B" '{"kind": "503", "count": 1000000, "path": "/v2/account"}'
wait_for 20 "not {a['name']: a for a in d['accounts']}['alp_b']['healthy']" && ok || bad "alp_b never became unhealthy: $(cat "$TMP/ready")"
expect_in "$TMP/s1.err" "event=health.unhealthy account=alp_b failures=2"
r GET /readyz "$ADMIN"; expect 503 '"ready":false'
jcheck "$H == {'alp_a': True, 'alp_b': False, 'paper1': True}"
jcheck '[a for a in d["accounts"] if a["name"] == "alp_b"][0]["health_failures"] >= 2 and "503" in [a for a in d["accounts"] if a["name"] == "alp_b"][0]["health_error"]'
r GET /metrics ""; expect 200 'riskdesk_account_healthy{account="alp_b",tier="large"} 0' \
  'riskdesk_account_healthy{account="alp_a",tier="large"} 1' '# TYPE riskdesk_account_healthy gauge'
grep -q 'riskdesk_account_healthy{account="paper1",tier="[a-z]*"} 1' "$TMP/body" && ok || bad "metrics: paper1 not healthy"
r GET /api/v1/accounts/alp_b "$ADMIN"; expect 200 '"healthy":false' '"health_error":'

# new assignments avoid it: least_loaded (alp_b would be second by name), round_robin
for u in u1 u2 u3 u4 u5 u6 tom; do
  r POST /api/v1/users "$ADMIN" "{\"id\":\"$u\",\"display_name\":\"$u\"}"; expect 201
done
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role trader --user tom
TOM=$(cat "$TMP/out")
keep_token TOM
r PUT /api/v1/users/u1/assignment "$ADMIN" '{}'; expect 200 '"account":"alp_a"' '"strategy":"least_loaded"'
r PUT /api/v1/users/u2/assignment "$ADMIN" '{}'; expect 200 '"account":"paper1"'
r PUT /api/v1/users/u3/assignment "$ADMIN" '{"strategy":"least_loaded"}'; expect 200 '"account":"alp_a"'
r PUT /api/v1/users/u4/assignment "$ADMIN" '{"strategy":"round_robin"}'; expect 200 '"account":"alp_a"'
r PUT /api/v1/users/u4/assignment "$ADMIN" '{"strategy":"round_robin"}'; expect 200 '"account":"paper1"'
r PUT /api/v1/users/u4/assignment "$ADMIN" '{"strategy":"round_robin"}'; expect 200 '"account":"alp_a"'
# department: the map points at the unhealthy account
r PATCH /api/v1/users/u5 "$ADMIN" '{"department":"options"}'; expect 200
r PUT /api/v1/users/u5/assignment "$ADMIN" '{"strategy":"department"}'; expect 409 account_unhealthy 'alp_b'
r GET /api/v1/users/u5/assignment "$ADMIN"; expect 200 '"account":null'
# manual (admin): allowed, with a warning
r PUT /api/v1/users/u6/assignment "$ADMIN" '{"account":"alp_b"}'; expect 200 '"account":"alp_b"' '"strategy":"manual"' '"warning":' 'unhealthy'
# a trader cannot assign, not even themselves; nothing changes
r PUT /api/v1/users/tom/assignment "$TOM" '{"account":"paper1"}'; expect 403
r PUT /api/v1/users/u1/assignment "$TOM" '{"strategy":"least_loaded"}'; expect 403
r GET /api/v1/users/tom/assignment "$ADMIN"; expect 200 '"account":null'

# a first trade that fails assigns nothing; one that is answered assigns a healthy account
r POST /api/v1/trade "$TOM" '{"symbol":"NOPE","action":"call","limit":"2.5"}'; expect 400
r GET /api/v1/users/tom/assignment "$ADMIN"; expect 200 '"account":null'
r GET "/api/v1/assignments?user=tom" "$ADMIN"; expect 200; jcheck 'd["assignments"] == []'
# (200 when the gates refuse it, outside market hours; 202 when they approve and it is
# queued for paper1's dispatcher, which does not run in this server: either is an answer)
r POST /api/v1/trade "$TOM" '{"symbol":"AAPL","action":"buy","limit":"10","qty":1}'
case "$ST" in 200|202) ok ;; *) bad "$LAST: status $ST (wanted 200 or 202): $(head -c 300 "$TMP/body")" ;; esac
expect_in "$TMP/body" '"assigned_now":true'
jcheck 'd["account"] in ("alp_a", "paper1")'
r GET "/api/v1/assignments?user=tom" "$ADMIN"; expect 200
jcheck '[(a["account"] in ("alp_a", "paper1"), a["reason"]) for a in d["assignments"]] == [(True, "first trade")]'

# the fault cleared: the next good poll clears it
curl -s -o /dev/null -X POST "http://127.0.0.1:$PORT_B/_reset"
wait_for 20 "{a['name']: a for a in d['accounts']}['alp_b']['healthy']" && ok || bad "alp_b never recovered: $(cat "$TMP/ready")"
expect_in "$TMP/s1.err" "event=health.recovered account=alp_b"
r GET /readyz "$ADMIN"; expect 200 '"ready":true'
r GET /metrics ""; expect 200 'riskdesk_account_healthy{account="alp_b",tier="large"} 1'
r PUT /api/v1/users/u3/assignment "$ADMIN" '{}'; expect 200 '"account":"alp_b"'
r PUT /api/v1/users/u5/assignment "$ADMIN" '{"strategy":"department"}'; expect 200 '"account":"alp_b"'
stop_server

# ---- degraded: both alpaca brokers dead; --dispatch all runs on paper1 ----
export ALPA_BASE_URL="http://127.0.0.1:$DEAD" ALPB_BASE_URL="http://127.0.0.1:$DEAD"
write_cfg "$TMP/rd2.json" "$TMP/rd2.db"
C=(--config "$TMP/rd2.json")
expect_rc 1 "$RD_BIN" serve "${C[@]}" --listen 127.0.0.1:0 --dispatch alp_a,alp_b
expect_in "$TMP/err" "no dispatcher could start"
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role admin --user alice
ADMIN=$(cat "$TMP/out")
keep_token ADMIN
start_server "$TMP/s2" --dispatch all --interval 1
expect_in "$TMP/s2.err" "event=serve.degraded running_on=paper1 failed=alp_a,alp_b"
expect_in "$TMP/s2.err" "riskdesk serve: degraded: running on paper1; failed to start: alp_a,alp_b"
expect_in "$TMP/s2.err" "event=dispatch.start_failed account=alp_a"
r GET /healthz ""; expect 200
r GET /readyz "$ADMIN"; expect 503 '"degraded":true'
jcheck 'd["running_on"] == ["paper1"] and [f["name"] for f in d["failed"]] == ["alp_a", "alp_b"] and all(f["error"] for f in d["failed"])'
jcheck "$H == {'alp_a': False, 'alp_b': False, 'paper1': True}"
jcheck '{a["name"]: a["dispatcher"] for a in d["accounts"]} == {"alp_a": "failed", "alp_b": "failed", "paper1": "running"}'
r GET /metrics ""; expect 200 'riskdesk_account_healthy{account="alp_a",tier="large"} 0' \
  'riskdesk_dispatcher_running{account="alp_a",tier="large"} 0'
grep -q 'riskdesk_dispatcher_running{account="paper1",tier="[a-z]*"} 1' "$TMP/body" && ok || bad "metrics: paper1's dispatcher not running"
# it stays up and keeps serving from the survivor
r POST /api/v1/users "$ADMIN" '{"id":"v1","display_name":"v1"}'; expect 201
r PUT /api/v1/users/v1/assignment "$ADMIN" '{}'; expect 200 '"account":"paper1"'
# ...through its failed dispatchers' retries (one an interval; 20 s at most)
# (both: the two retry in either order)
for _ in $(seq 200); do
  grep -q "event=dispatch.start_retry_failed account=alp_a" "$TMP/s2.err" &&
    grep -q "event=dispatch.start_retry_failed account=alp_b" "$TMP/s2.err" && break
  sleep 0.1
done
expect_in "$TMP/s2.err" "event=dispatch.start_retry_failed account=alp_a"
expect_in "$TMP/s2.err" "event=dispatch.start_retry_failed account=alp_b"
kill -0 "$SERVER_PID" 2>/dev/null && ok || bad "degraded server exited: $(tail -5 "$TMP/s2.err")"
r GET /healthz ""; expect 200
stop_server

# ---- without --dispatch: the probe at start feeds the table ----
start_server "$TMP/s3"
expect_in "$TMP/s3.err" "event=serve.degraded running_on=paper1 failed=alp_a,alp_b"
r GET /readyz "$ADMIN"; expect 503 '"degraded":true'
jcheck "$H == {'alp_a': False, 'alp_b': False, 'paper1': True}"
jcheck '{a["name"]: a["dispatcher"] for a in d["accounts"]} == {"alp_a": "elsewhere", "alp_b": "elsewhere", "paper1": "elsewhere"}'
r POST /api/v1/users "$ADMIN" '{"id":"w1","display_name":"w1"}'; expect 201
r PUT /api/v1/users/w1/assignment "$ADMIN" '{"strategy":"round_robin"}'; expect 200 '"account":"paper1"'
stop_server

# ---- a dispatcher whose start failed comes up once its broker answers ----
export ALPA_BASE_URL="http://127.0.0.1:$PORT_A" ALPB_BASE_URL="http://127.0.0.1:$PORT_B"
curl -s -o /dev/null -X POST "http://127.0.0.1:$PORT_A/_reset"
curl -s -o /dev/null -X POST "http://127.0.0.1:$PORT_B/_reset"
fault "$PORT_A" '{"kind": "503", "count": 1000000, "path": "/v2/account"}'
write_cfg "$TMP/rd4.json" "$TMP/rd4.db"
C=(--config "$TMP/rd4.json")
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role admin --user alice
ADMIN=$(cat "$TMP/out")
LOG_LEVEL=info start_server "$TMP/s4" --dispatch alp_a,paper1 --interval 1
expect_in "$TMP/s4.err" "event=dispatch.start_failed account=alp_a"
r GET /readyz "$ADMIN"; expect 503 '"degraded":true'
jcheck '{a["name"]: a["dispatcher"] for a in d["accounts"]}["alp_a"] == "failed"'
# retried, and failed again, while the broker still refuses (20 s at most)
for _ in $(seq 200); do grep -q "event=dispatch.start_retry_failed account=alp_a" "$TMP/s4.err" && break; sleep 0.1; done
grep -q "event=dispatch.start_retry_failed account=alp_a attempts=" "$TMP/s4.err" && ok \
  || bad "no failed retry logged: $(tail -5 "$TMP/s4.err")"
curl -s -o /dev/null -X POST "http://127.0.0.1:$PORT_A/_reset"
wait_for 20 "not d['degraded'] and {a['name']: a['dispatcher'] for a in d['accounts']}['alp_a'] == 'running'" \
  && ok || bad "alp_a's dispatcher never came up: $(cat "$TMP/ready")"
grep -q "event=dispatch.started account=alp_a attempts=" "$TMP/s4.err" && ok \
  || bad "no late start logged: $(tail -5 "$TMP/s4.err")"
expect_in "$TMP/s4.err" "event=health.recovered account=alp_a"
# and it trades: its cycles run
for _ in $(seq 50); do grep -q "event=dispatch.cycle account=alp_a" "$TMP/s4.err" && break; sleep 0.2; done
expect_in "$TMP/s4.err" "event=dispatch.cycle account=alp_a"
r GET /readyz "$ADMIN"; expect 200 '"ready":true' '"degraded":false'
stop_server

finish
