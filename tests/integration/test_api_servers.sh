#!/usr/bin/env bash
# Two `riskdesk serve` on one PostgreSQL database, as behind a load balancer:
# an account made through one is listed and readable through the other within
# the bound (the store's change counter, read at most once a second); a name
# the other refuses as taken it also shows; a PostgreSQL restart costs no
# request a 500 on either (stale pooled connections are replaced or retried);
# a token revoked through one is refused by the other within its token cache's
# 5 seconds; the list of accounts through one, read from its copy, shows
# within 5 s a state, a configuration and a closing written through the other.
. "$(dirname "$0")/common.sh"
PG="$RD_SOURCE_DIR/tests/tools/pg_throwaway.sh"
command -v curl >/dev/null || { echo "curl is needed"; exit 1; }

set +e
URL=$(bash "$PG" start --watch $$ 2>"$TMP/pg.err")
src=$?
if [ $src -eq 77 ]; then
  echo "SKIPPED: $(cat "$TMP/pg.err")"
  echo "0 passed, 0 failed, 1 skipped"
  exit 77
fi
if [ $src -ne 0 ]; then
  echo "FAIL: could not start a throwaway PostgreSQL cluster:"; cat "$TMP/pg.err"; exit 1
fi
PID_A= PID_B=
trap '[ -n "$PID_A" ] && kill -TERM "$PID_A" 2>/dev/null; [ -n "$PID_B" ] && kill -TERM "$PID_B" 2>/dev/null;
      bash "$PG" stop "$URL"; rm -rf "$TMP"' EXIT

write_config
sed "s|\"sqlite:$TMP/rd.db\"|\"$URL\"|" "$TMP/riskdesk.json" >"$TMP/pg.json"
C=(--config "$TMP/pg.json")

expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role admin --user alice
ADMIN=$(cat "$TMP/out")
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role viewer --user vera
VIEWER=$(cat "$TMP/out")
VIEWER_ID=$("$RD_BIN" tokens list "${C[@]}" --json |
  python3 -c 'import json,sys; print([t["id"] for t in json.load(sys.stdin) if t["user"] == "vera"][0])')

LOG_LEVEL=info start_server "$TMP/a"
PID_A=$SERVER_PID PORT_A=$PORT
LOG_LEVEL=info start_server "$TMP/b"
PID_B=$SERVER_PID PORT_B=$PORT
SERVER_PID=
on() { PORT=$1; shift; r "$@"; }
now_ms() { date +%s%3N; }

# both servers have their snapshot and a cached viewer token
on "$PORT_A" GET /api/v1/accounts "$VIEWER"; expect 200 '"large"'
on "$PORT_B" GET /api/v1/accounts "$VIEWER"; expect 200 '"large"'

# ---- an account made through A shows through B within the bound ----
on "$PORT_A" POST /api/v1/accounts "$ADMIN" '{"name":"desk-9","tier":"small","starting_cash":"3000"}'
expect 201 '"desk-9"'
t0=$(now_ms) seen=0
for _ in $(seq 60); do
  on "$PORT_B" GET /api/v1/accounts/desk-9 "$VIEWER"
  [ "$ST" = 200 ] && { seen=1; break; }
  sleep 0.05
done
took=$(( $(now_ms) - t0 ))
if [ $seen -eq 1 ] && [ $took -le 2500 ]; then ok; else bad "B did not show desk-9 within 2.5 s (seen $seen after $took ms)"; fi
on "$PORT_B" GET /api/v1/accounts "$VIEWER"; expect 200 '"desk-9"'
# the same name through B: refused, and still shown
on "$PORT_B" POST /api/v1/accounts "$ADMIN" '{"name":"desk-9","tier":"small","starting_cash":"3000"}'
expect 409 conflict
# made through A, at once asked of B (before B's next look at the counter):
# B refuses it and from then on shows it, never a name it refuses but hides
on "$PORT_A" POST /api/v1/accounts "$ADMIN" '{"name":"desk-10","tier":"small","starting_cash":"3000"}'
expect 201
on "$PORT_B" POST /api/v1/accounts "$ADMIN" '{"name":"desk-10","tier":"small","starting_cash":"3000"}'
expect 409
on "$PORT_B" GET /api/v1/accounts/desk-10 "$VIEWER"; expect 200 '"desk-10"'
on "$PORT_B" GET /api/v1/accounts "$VIEWER"; expect 200 '"desk-10"'
# closed through B: A says so within the bound
on "$PORT_B" DELETE /api/v1/accounts/desk-10 "$ADMIN"; expect 200
t0=$(now_ms) seen=0
for _ in $(seq 60); do
  on "$PORT_A" GET /api/v1/accounts/desk-10 "$VIEWER"
  grep -q '"closed": *true' "$TMP/body" && { seen=1; break; }
  sleep 0.05
done
took=$(( $(now_ms) - t0 ))
if [ $seen -eq 1 ] && [ $took -le 2500 ]; then ok; else bad "A did not see desk-10 closed within 2.5 s ($took ms)"; fi

# ---- B's list of accounts (answered from its copy once read) follows A's writes ----
# in_list PORT NAME FIELD WANT: within 5 s, the list through PORT shows it
in_list() {
  local t0 got=
  t0=$(now_ms)
  while :; do
    on "$1" GET /api/v1/accounts "$VIEWER"
    got=$(python3 - "$TMP/body" "$2" "$3" <<'PY'
import json, sys
a = [x for x in json.load(open(sys.argv[1]))["accounts"] if x["name"] == sys.argv[2]]
print(json.dumps(a[0].get(sys.argv[3])) if a else "absent")
PY
)
    [ "$got" = "$4" ] && { ok; return; }
    [ $(( $(now_ms) - t0 )) -gt 5000 ] && { bad "list through $1: $2.$3 is $got after 5 s (wanted $4)"; return; }
    sleep 0.05
  done
}
on "$PORT_B" GET /api/v1/accounts "$VIEWER"; expect 200
on "$PORT_B" GET /api/v1/accounts "$VIEWER"; expect 200
on "$PORT_A" PATCH /api/v1/accounts/large "$ADMIN" '{"state":"HALTED","state_reason":"desk review"}'
expect 200
in_list "$PORT_B" large state '"HALTED"'
on "$PORT_A" PATCH /api/v1/accounts/desk-9 "$ADMIN" '{"tier":"medium"}'; expect 200
in_list "$PORT_B" desk-9 tier '"medium"'
on "$PORT_A" DELETE /api/v1/accounts/desk-9 "$ADMIN"; expect 200
in_list "$PORT_B" desk-9 closed true
on "$PORT_A" PATCH /api/v1/accounts/large "$ADMIN" '{"state":"ACTIVE"}'; expect 200
in_list "$PORT_B" large state '"ACTIVE"'

# ---- a PostgreSQL restart: no 500 on either server ----
# fill each pool with several connections first (parallel requests)
cpids=()
for p in "$PORT_A" "$PORT_B"; do
  for _ in $(seq 8); do
    curl -s -o /dev/null -H "Authorization: Bearer $VIEWER" "http://127.0.0.1:$p/api/v1/accounts" &
    cpids+=($!)
  done
done
wait "${cpids[@]}"
bash "$PG" restart "$URL"
codes=
for _ in $(seq 6); do
  for p in "$PORT_A" "$PORT_B"; do
    on "$p" GET /api/v1/accounts "$VIEWER"; codes="$codes $ST"
    on "$p" GET /api/v1/accounts/large/decisions "$VIEWER"; codes="$codes $ST"
  done
done
# and in parallel, as a load balancer would send them
cpids=()
for p in "$PORT_A" "$PORT_B"; do
  for i in $(seq 8); do
    curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $VIEWER" \
      "http://127.0.0.1:$p/api/v1/accounts" >"$TMP/par.$p.$i" &
    cpids+=($!)
  done
done
wait "${cpids[@]}"
cat "$TMP"/par.*.* >"$TMP/par.codes"
codes="$codes $(tr '\n' ' ' <"$TMP/par.codes")"
case " $codes " in *" 500 "*|*" 503 "*) bad "after the restart: statuses $codes" ;; *) ok ;; esac
on "$PORT_A" POST /api/v1/accounts "$ADMIN" '{"name":"desk-11","tier":"small","starting_cash":"3000"}'
expect 201
expect_not_in "$TMP/a.err" "event=api.error"
expect_not_in "$TMP/b.err" "event=api.error"

# ---- a token revoked through A is refused by B within 5 s ----
on "$PORT_B" GET /api/v1/accounts "$VIEWER"; expect 200
on "$PORT_A" DELETE /api/v1/tokens/x "$ADMIN"; expect 400
on "$PORT_A" DELETE /api/v1/tokens/99999 "$ADMIN"; expect 404
on "$PORT_A" DELETE "/api/v1/tokens/$VIEWER_ID" "$VIEWER"; expect 403
on "$PORT_A" DELETE "/api/v1/tokens/$VIEWER_ID" "$ADMIN"; expect 200 '"revoked":true'
t0=$(now_ms)
on "$PORT_A" GET /api/v1/accounts "$VIEWER"; expect 401 revoked
refused=0
for _ in $(seq 140); do
  on "$PORT_B" GET /api/v1/accounts "$VIEWER"
  [ "$ST" = 401 ] && { refused=1; break; }
  sleep 0.05
done
took=$(( $(now_ms) - t0 ))
if [ $refused -eq 1 ] && [ $took -le 5500 ]; then ok; else bad "B still took the revoked token after $took ms"; fi
expect_in "$TMP/a.err" "event=api.token_revoked"

kill -TERM "$PID_A" "$PID_B"; wait "$PID_A" "$PID_B"; PID_A= PID_B=
finish
