#!/usr/bin/env bash
# `serve --dispatch all` gives an account made through the API its dispatcher
# without a restart (src/api/dispatchers.c, api_dispatchers_adopt): at once
# when it made the account, and on its next request when another server
# sharing the database made it. A trade for the new account is decided by
# the in-process dispatcher (status filled), not left queued. An account
# whose lock another process took first is left to it, and stays healthy.
. "$(dirname "$0")/common.sh"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/deps.sh installs it)"
A_PID= LOOP_PID=
trap 'stop_server; [ -n "$A_PID" ] && { SERVER_PID=$A_PID; stop_server; }
      [ -n "$LOOP_PID" ] && kill "$LOOP_PID" 2>/dev/null; rm -rf "$TMP"' EXIT
write_config
C=(--config "$TMP/riskdesk.json")
AT=2026-11-20T15:30:00Z
OPT=AAPL261218C00200000

expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role admin --user alice
ADMIN=$(cat "$TMP/out")
keep_token ADMIN
# A dispatches every account; B only answers the API
LOG_LEVEL=info start_server "$TMP/a" --dispatch all --interval 3600 --at "$AT"
A_PID=$SERVER_PID A_PORT=$PORT A_ERR=$SERVER_ERR
SERVER_PID=
LOG_LEVEL=info start_server "$TMP/b" --at "$AT"
B_PORT=$PORT

# running NAME / healthy NAME: the gauge of NAME in the last /metrics
running() { sed -n "s/^riskdesk_dispatcher_running{account=\"$1\".*} //p" "$TMP/body"; }
healthy() { sed -n "s/^riskdesk_account_healthy{account=\"$1\".*} //p" "$TMP/body"; }
# a_runs NAME: polls A's /metrics (each request also notices B's changes)
a_runs() {
  PORT=$A_PORT
  for _ in $(seq 100); do
    r GET /metrics ""
    [ "$(running "$1")" = 1 ] && break
    sleep 0.1
  done
  expect_eq "A runs $1's dispatcher" "$(running "$1")" 1
  expect_eq "$1 healthy on A" "$(healthy "$1")" 1
  grep -q "event=dispatch.adopted account=$1\b" "$A_ERR" && ok ||
    bad "A logged no dispatch.adopted for $1: $(grep "$1" "$A_ERR" | tail -3)"
}

# ---- made on A: A runs it from now on, a trade is filled at once ----
PORT=$A_PORT
r GET /metrics ""; expect 200
expect_eq "fresh on A's /metrics before it is made" "$(running fresh)" ""
r POST /api/v1/accounts "$ADMIN" '{"name":"fresh","tier":"small","starting_cash":"3000"}'; expect 201
a_runs fresh
r POST /api/v1/users "$ADMIN" '{"id":"bob","display_name":"Bob"}'; expect 201
r PUT /api/v1/users/bob/assignment "$ADMIN" '{"account":"fresh"}'; expect 200
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role trader --user bob
BOB=$(cat "$TMP/out")
keep_token BOB
r POST /api/v1/trade "$BOB" "{\"symbol\":\"$OPT\",\"action\":\"call\",\"limit\":\"2.50\",\"volume_ratio\":1.5,\"qty\":1}"
expect 200 '"account":"fresh"' '"approved":true' '"status":"filled"'

# ---- made on B: A takes it on its next request ----
PORT=$B_PORT
r POST /api/v1/accounts "$ADMIN" '{"name":"other","tier":"small","starting_cash":"2500"}'; expect 201
a_runs other

# ---- made on B and taken by a separate dispatcher first: A leaves it ----
PORT=$B_PORT
r POST /api/v1/accounts "$ADMIN" '{"name":"taken","tier":"small","starting_cash":"2000"}'; expect 201
LOG_LEVEL=info "$RD_BIN" dispatch "${C[@]}" --account taken --loop --interval 3600 \
    >"$TMP/loop.out" 2>"$TMP/loop.err" &
LOOP_PID=$!
for _ in $(seq 100); do [ -e "$TMP/rd.db.lock.taken" ] && grep -q cycle "$TMP/loop.err" && break; sleep 0.1; done
kill -0 "$LOOP_PID" 2>/dev/null && ok || bad "dispatch --loop of taken exited: $(cat "$TMP/loop.err")"
PORT=$A_PORT
for _ in $(seq 100); do
  r GET /metrics ""
  grep -q 'event=dispatch.elsewhere account=taken' "$A_ERR" && break
  sleep 0.1
done
grep -q 'event=dispatch.elsewhere account=taken' "$A_ERR" && ok ||
  bad "A did not leave taken to its dispatcher: $(grep taken "$A_ERR" | tail -3)"
r GET /metrics ""; expect 200
expect_eq "A does not run taken" "$(running taken)" 0
expect_eq "taken healthy on A" "$(healthy taken)" 1
grep -q 'event=health.unhealthy account=taken' "$A_ERR" && bad "A marked taken unhealthy" || ok
kill -TERM "$LOOP_PID"; wait "$LOOP_PID"; LOOP_PID=

stop_server
SERVER_PID=$A_PID A_PID=
stop_server
expect_eq "fresh adopted once" "$(grep -c 'event=dispatch.adopted account=fresh' "$A_ERR")" 1
finish
