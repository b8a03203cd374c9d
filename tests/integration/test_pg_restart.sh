#!/usr/bin/env bash
# Dispatchers survive the store: PostgreSQL restarted twice under a looping
# `riskdesk dispatch` and under `serve --dispatch`, recommendations imported
# before, between and after. Every one is decided exactly once, the
# dispatcher never exits, it reopens and takes the account's lock again
# (the same process holds it throughout: a second dispatcher is refused), and
# while it is down /metrics says so.
. "$(dirname "$0")/common.sh"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/deps.sh installs it)"

set +e
start_pg
URL=$PG_URL
DPID=
trap '[ -n "$DPID" ] && kill -KILL "$DPID" 2>/dev/null; stop_server; bash "$PG" stop "$URL"; rm -rf "$TMP"' EXIT

write_config
sed "s|\"sqlite:$TMP/rd.db\"|\"$URL\"|" "$TMP/riskdesk.json" >"$TMP/pg.json"
C=(--config "$TMP/pg.json")

# import N recommendations named PREFIX-1..N, created now (decided either
# way: approved, or rejected by the hours or freshness gates)
import() {
  local prefix=$1 n=$2 now
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  for i in $(seq "$n"); do
    printf '{"id":"%s-%d","created_at":"%s","underlying":"AAPL","symbol":"AAPL261218C%08d","action":"BUY_CALL","strategy":"swing","confidence":0.8,"volume_ratio":3,"price":"1.00"}\n' \
      "$prefix" "$i" "$now" $((100000 + i * 1000))
  done >"$TMP/$prefix.jsonl"
  # the store may still be starting: try for a while
  for _ in $(seq 100); do
    "$RD_BIN" recommend import "${C[@]}" "$TMP/$prefix.jsonl" >"$TMP/imp.out" 2>"$TMP/imp.err" && return 0
    sleep 0.1
  done
  bad "import $prefix: $(cat "$TMP/imp.err")"
}
# decided ACCOUNT: how many decisions the account has (-1 when it cannot say)
decided() {
  "$RD_BIN" decisions "${C[@]}" --account "$1" --json >"$TMP/dec.json" 2>/dev/null || { echo -1; return; }
  python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$TMP/dec.json"
}
# wait_decided ACCOUNT N: polls until the account has N decisions (20 s)
wait_decided() {
  local got=-1
  for _ in $(seq 200); do
    got=$(decided "$1")
    [ "$got" -eq "$2" ] && { ok; return; }
    sleep 0.1
  done
  bad "$1: $got decisions, wanted $2"
}
# once_each ACCOUNT N: every recommendation decided exactly once
once_each() {
  "$RD_BIN" decisions "${C[@]}" --account "$1" --json >"$TMP/dec.json" 2>"$TMP/dec.err"
  if python3 - "$TMP/dec.json" "$2" <<'PY'; then ok; else bad "$1: not each decided once"; fi
import collections, json, sys
rows = json.load(open(sys.argv[1]))
ids = collections.Counter(r["rec_id"] for r in rows)
assert len(rows) == int(sys.argv[2]), (len(rows), sys.argv[2])
assert all(v == 1 for v in ids.values()), [k for k, v in ids.items() if v > 1]
PY
}

# ---- a looping dispatcher ----
LOG_LEVEL=info "$RD_BIN" dispatch "${C[@]}" --account large --loop --interval 1 \
  >"$TMP/loop.out" 2>"$TMP/loop.err" &
DPID=$!
import a 5
wait_decided large 5
bash "$PG" restart "$URL" --down 2
import b 5
wait_decided large 10
bash "$PG" restart "$URL"
import c 5
wait_decided large 15
once_each large 15
if kill -0 "$DPID" 2>/dev/null; then ok; else bad "the looping dispatcher exited"; fi
expect_in "$TMP/loop.err" "event=dispatch.cycle_failed"
expect_in "$TMP/loop.err" "event=dispatch.recovered"
n=$(grep -c "event=dispatch.recovered" "$TMP/loop.err")
if [ "$n" -ge 2 ]; then ok; else bad "recovered $n times, wanted 2"; fi
expect_not_in "$TMP/loop.err" "lock_lost"
# the lock is still this process's: another dispatcher of the account is refused
expect_rc 1 "$RD_BIN" dispatch "${C[@]}" --account large --once
expect_in "$TMP/err" "is locked by \"riskdesk pid $DPID\""
kill -TERM "$DPID"
wait "$DPID"
rc=$?
DPID=
if [ "$rc" -eq 0 ]; then ok; else bad "the looping dispatcher exited $rc after SIGTERM"; fi

# ---- serve --dispatch (tiny: it decides the 15 above too, broadcast to every account) ----
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role viewer --user vera
VIEWER=$(cat "$TMP/out")
keep_token VIEWER
LOG_LEVEL=info start_server "$TMP/s" --dispatch tiny --interval 1
import d 3
wait_decided tiny 18
bash "$PG" restart "$URL" --down 5 &
RPID=$!
# while its dispatcher is down, /metrics says so, and while the store itself is
# down /metrics still answers 200 with what it knows without it
# (riskdesk_store_up 0, the dispatcher's state) instead of a 503
down_seen=0 store_down_seen=0 not_200=""
for _ in $(seq 200); do
  r GET /metrics "$VIEWER"
  [ "$ST" = 200 ] || not_200="$not_200 $ST"
  if [ "$ST" = 200 ] && grep -q '^riskdesk_store_up 0$' "$TMP/body" &&
     grep -q '^riskdesk_dispatcher_running{account="tiny"[^}]*} 0' "$TMP/body"; then store_down_seen=1; fi
  if grep -q '^riskdesk_dispatcher_running{account="tiny"[^}]*} 0' "$TMP/body"; then down_seen=1; fi
  [ $down_seen -eq 1 ] && [ $store_down_seen -eq 1 ] && break
  sleep 0.1
done
if [ $down_seen -eq 1 ]; then ok; else bad "/metrics never said tiny's dispatcher was down"; fi
if [ $store_down_seen -eq 1 ]; then ok; else bad "/metrics never answered 200 with riskdesk_store_up 0 while the store was down"; fi
# the viewer's token stays in the 5 s cache at most: past it, verifying it needs
# the store, so a 503 there is the token check, never /metrics itself
other=$(for c in $not_200; do [ "$c" = 503 ] || printf ' %s' "$c"; done)
if [ -z "$other" ]; then ok; else bad "/metrics answered$other during the outage"; fi
wait "$RPID"
import e 3
wait_decided tiny 21
bash "$PG" restart "$URL"
import f 3
wait_decided tiny 24
once_each tiny 24
for _ in $(seq 100); do
  r GET /metrics "$VIEWER"
  grep -q '^riskdesk_dispatcher_running{account="tiny"[^}]*} 1' "$TMP/body" && break
  sleep 0.1
done
expect 200 'riskdesk_dispatcher_running{account="tiny"' 'riskdesk_store_up 1' 'riskdesk_decisions_total{account="tiny"'
if grep -q '^riskdesk_dispatcher_running{account="tiny"[^}]*} 1' "$TMP/body"; then ok; else
  bad "tiny's dispatcher is not running again: $(grep dispatcher_running "$TMP/body")"; fi
if kill -0 "$SERVER_PID" 2>/dev/null; then ok; else bad "the server exited"; fi
expect_rc 1 "$RD_BIN" dispatch "${C[@]}" --account tiny --once
expect_in "$TMP/err" "is locked by \"riskdesk pid $SERVER_PID\""
stop_server
expect_in "$TMP/s.err" "event=dispatch.recovered"

finish
