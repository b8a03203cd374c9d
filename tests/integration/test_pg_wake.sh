#!/usr/bin/env bash
# A looping dispatcher on PostgreSQL decides recommendations when they are
# added, not at its next interval: with --interval 300 the three imported
# here are decided within seconds, by one more cycle (not a busy loop). With
# --at the looping clock starts there and runs on. It holds one connection.
. "$(dirname "$0")/common.sh"
command -v psql >/dev/null || skip_test "psql is not installed (scripts/deps.sh installs postgresql)"

set +e
start_pg
URL=$PG_URL
DPID=
trap '[ -n "$DPID" ] && kill -KILL "$DPID" 2>/dev/null; bash "$PG" stop "$URL"; rm -rf "$TMP"' EXIT

write_config
sed "s|\"sqlite:$TMP/rd.db\"|\"$URL\"|" "$TMP/riskdesk.json" >"$TMP/pg.json"
C=(--config "$TMP/pg.json")
AT=2026-12-07T15:30:00Z

# cycles: how many cycles the dispatcher has logged
cycles() { grep -c "event=dispatch.cycle " "$TMP/loop.err"; }

LOG_LEVEL=info "$RD_BIN" dispatch "${C[@]}" --account large --loop --interval 300 --at "$AT" \
  >"$TMP/loop.out" 2>"$TMP/loop.err" &
DPID=$!
for _ in $(seq 200); do [ "$(cycles)" -ge 1 ] && break; sleep 0.1; done
if [ "$(cycles)" -eq 1 ]; then ok; else bad "first cycle: $(cycles) cycles logged"; sed 's/^/    /' "$TMP/loop.err" | tail -5; fi
# one connection: the runner's (the command's own is closed once it has one)
conns=$(psql -At "$URL" -c "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = 'riskdesk pid $DPID'")
if [ "$conns" = 1 ]; then ok; else bad "the looping dispatcher holds $conns connections"; fi

for i in 1 2 3; do
  printf '{"id":"w-%d","created_at":"2026-12-07T15:29:50Z","underlying":"AAPL","symbol":"AAPL261218C%08d","action":"BUY_CALL","strategy":"swing","confidence":0.8,"volume_ratio":3,"price":"1.00"}\n' \
    "$i" $((100000 + i * 1000))
done >"$TMP/w.jsonl"
expect_rc 0 "$RD_BIN" recommend import "${C[@]}" "$TMP/w.jsonl"
got=0
for _ in $(seq 100); do     # 10 s, against an interval of 300
  "$RD_BIN" decisions "${C[@]}" --account large --json >"$TMP/dec.json" 2>/dev/null &&
    got=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$TMP/dec.json")
  [ "$got" -eq 3 ] && break
  sleep 0.1
done
if [ "$got" -eq 3 ]; then ok; else bad "$got of 3 decided within 10 s: the loop was not woken"; fi
n=$(cycles)
if [ "$n" -ge 2 ] && [ "$n" -le 4 ]; then ok; else bad "$n cycles for one import"; fi
# the looping clock started at --at and ran on from there
if python3 - "$TMP/dec.json" <<'PY'; then ok; else bad "decided_at not on the --at clock: $(head -c 300 "$TMP/dec.json")"; fi
import json, sys
rows = json.load(open(sys.argv[1]))
assert all(r["decided_at"].startswith("2026-12-07T15:3") for r in rows), [r["decided_at"] for r in rows]
PY

kill -TERM "$DPID"
wait "$DPID"
rc=$?
DPID=
if [ "$rc" -eq 0 ]; then ok; else bad "the dispatcher exited $rc after SIGTERM"; fi
expect_in "$TMP/loop.err" "event=dispatch.stopped"

finish
