#!/usr/bin/env bash
# The hierarchy's HTTP API over loopback, on SQLite and on a throwaway
# PostgreSQL: every route's JSON byte for byte the CLI's --json for the same
# store (the CLI scan's stored assessment ids aside: the API's GET stores
# none); deposits, withdrawals and forks
# and consolidations booked once under the Idempotency-Key (a replay answers the stored result,
# another use of the key 409 idempotency_conflict); every refusal (bad amount,
# no key, not a node, insufficient_funds, low_confidence, a role too weak)
# changing nothing, `ledger verify` clean after each; what a trader and a
# viewer may see.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/ledger_steps.sh"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/deps.sh installs it)"
start_pg                     # skips (77) only when PostgreSQL's binaries are missing
trap 'stop_server; rm -rf "$TMP"' EXIT

cat >"$TMP/riskdesk.json" <<JSON
{"database": "sqlite:$TMP/rd.db", "accounts": [
  {"name": "g1", "tier": "auto", "starting_cash": "10000"},
  {"name": "g2", "tier": "auto", "starting_cash": "10000"},
  {"name": "plain", "tier": "auto", "starting_cash": "5000"}]}
JSON
AT=2026-11-21T15:30:00Z            # a Saturday: the market is closed

# rk METHOD PATH TOKEN KEY [BODY]: r with an Idempotency-Key header (none when KEY is "")
rk() {
  R_HEADER=${4:+Idempotency-Key: $4} r "$1" "$2" "$3" "${@:5}"
}
# same_as_cli WHAT ARGS...: the last body is byte for byte `riskdesk ARGS --json`
same_as_cli() {
  local what=$1; shift
  "$RD_BIN" "$@" "${C[@]}" --json >"$TMP/cli.json" 2>"$TMP/cli.err"
  if cmp -s "$TMP/body" "$TMP/cli.json"; then ok; else
    bad "$what: the API's JSON differs from the CLI's"
    echo "    api: $(head -c 400 "$TMP/body")"; echo "    cli: $(head -c 400 "$TMP/cli.json" "$TMP/cli.err")"
  fi
}
# refused STATUS CODE: the last answer was that refusal, and it changed nothing
refused() {
  expect "$1" "\"code\":\"$2\""
  unchanged "$LAST"
  verify_clean "$LAST"
}

suite() {
  local name=$1 ADMIN VIEWER BOB CAROL
  step 0 hierarchy init --account g1 --type gen
  step 0 hierarchy init --account g2 --type gen
  for who in "admin alice" "viewer vera"; do
    expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role ${who% *} --user ${who#* }
    keep_token "${who% *}"
  done
  ADMIN=$(cat "$TMP/admin.token"); VIEWER=$(cat "$TMP/viewer.token")
  start_server "$TMP/$name" --at "$AT"
  # bob trades through g1, carol through g2
  for u in "bob g1" "carol g2"; do
    r POST /api/v1/users "$ADMIN" "{\"id\":\"${u% *}\",\"display_name\":\"${u% *}\"}"; expect 201
    r PUT "/api/v1/users/${u% *}/assignment" "$ADMIN" "{\"account\":\"${u#* }\"}"; expect 200
    expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role trader --user "${u% *}"
    keep_token "${u% *}"
  done
  BOB=$(cat "$TMP/bob.token"); CAROL=$(cat "$TMP/carol.token")

  # ---- deposits and withdrawals ----
  rk POST /api/v1/accounts/g1/deposits "$ADMIN" dep1 '{"amount":"2500.50","reason":"top up"}'
  expect 201 '"replayed":false' '"available":"12500.50"' '"kind":"deposit"'
  cp "$TMP/body" "$TMP/dep1"
  verify_clean "the API's deposit"
  # the same key and parameters: the stored transaction, nothing written;
  # the CLI's replay of that key answers the very same JSON
  snapshot
  rk POST /api/v1/accounts/g1/deposits "$ADMIN" dep1 '{"amount":"2500.50","reason":"top up"}'
  expect 200 '"replayed":true'
  jcheck "d['txn'] == $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["txn"])' "$TMP/dep1")"
  unchanged "a replayed deposit"
  same_as_cli "a replayed deposit" ledger deposit --account g1 --amount 2500.50 --key dep1 --reason "top up" --at "$AT"
  rk POST /api/v1/accounts/g1/deposits "$ADMIN" dep1 '{"amount":"2500.51","reason":"top up"}'
  refused 409 idempotency_conflict
  rk POST /api/v1/accounts/g1/withdrawals "$ADMIN" dep1 '{"amount":"2500.50","reason":"top up"}'
  refused 409 idempotency_conflict
  rk POST /api/v1/accounts/g1/withdrawals "$ADMIN" big '{"amount":"12500.51"}'
  refused 409 insufficient_funds
  rk POST /api/v1/accounts/g1/deposits "$ADMIN" "" '{"amount":"1"}'
  refused 400 invalid; expect_in "$TMP/body" "Idempotency-Key"
  for bad in '"abc"' '"-5"' '"0"' '"1.00001"' '12' 'null'; do
    rk POST /api/v1/accounts/g1/deposits "$ADMIN" "bad$RANDOM" "{\"amount\":$bad}"
    refused 400 invalid; expect_in "$TMP/body" "amount"
  done
  rk POST /api/v1/accounts/g1/deposits "$ADMIN" extra '{"amount":"1","memo":"x"}'
  refused 400 unknown_field; expect_in "$TMP/body" "memo"
  rk POST /api/v1/accounts/g1/deposits "$ADMIN" nojson '{"amount":'
  refused 400 bad_json
  rk POST /api/v1/accounts/plain/deposits "$ADMIN" notnode '{"amount":"1"}'
  refused 404 not_found; expect_in "$TMP/body" "plain"
  rk POST /api/v1/accounts/nosuch/deposits "$ADMIN" nosuch '{"amount":"1"}'
  refused 404 not_found
  for t in "$BOB" "$VIEWER"; do
    rk POST /api/v1/accounts/g1/deposits "$t" byrole '{"amount":"1"}'
    refused 403 forbidden
  done
  rk POST /api/v1/accounts/g1/withdrawals "$ADMIN" wd1 '{"amount":"500.50"}'
  expect 201 '"kind":"withdraw"' '"available":"12000.00"'
  verify_clean "the API's withdrawal"
  expect_eq "g1's paper cash after the API's flows" \
    "$("$RD_BIN" ledger show "${C[@]}" --account g1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["available"])')" 12000.00

  # ---- reads: the CLI's JSON ----
  r GET /api/v1/accounts/g1/ledger "$VIEWER"; expect 200
  same_as_cli "ledger" ledger show --account g1
  r GET /api/v1/accounts/g1/hierarchy "$BOB"; expect 200
  same_as_cli "hierarchy" hierarchy show --root g1
  r GET /api/v1/ledger/verify "$ADMIN"; expect 200 '"ok":true'
  same_as_cli "verify" ledger verify
  r GET /api/v1/accounts/plain/hierarchy "$ADMIN"; expect 404 not_found
  r GET /api/v1/accounts/g1/ledger?x=1 "$ADMIN"; expect 400 unknown_parameter

  # ---- forks ----
  step 0 ledger pnl --account g1 --amount 100000 --key win1
  step 0 ledger pnl --account g2 --amount 100000 --key win2
  rk POST /api/v1/forking/assess "$ADMIN" "" '{"account":"g1","vix":14.5}'
  expect 201 '"account":"g1"' '"child_type":"rev"'
  snapshot
  rk POST /api/v1/forking/assess "$ADMIN" "" '{"account":"g1","force":true}'
  refused 400 invalid; expect_in "$TMP/body" "force"
  rk POST /api/v1/forking/assess "$ADMIN" "" '{"account":"g1","vix":-3}'
  refused 400 invalid; expect_in "$TMP/body" "vix"
  rk POST /api/v1/forking/assess "$ADMIN" "" '{"account":"plain"}'
  refused 404 not_found
  rk POST /api/v1/forking/assess "$ADMIN" "" '{"account":"nosuch"}'
  refused 404 not_found; expect_in "$TMP/body" "nosuch"
  # no snapshots, VIX unknown: below 0.80 without force
  rk POST /api/v1/forking/execute "$ADMIN" f1 '{"account":"g1"}'
  refused 409 low_confidence
  rk POST /api/v1/forking/execute "$ADMIN" "" '{"account":"g1","force":true}'
  refused 400 invalid; expect_in "$TMP/body" "Idempotency-Key"
  rk POST /api/v1/forking/execute "$ADMIN" f1 '{"account":"g1","force":true}'
  expect 201 '"parent":"g1"' '"account":"g1.f1"' '"type":"rev"' '"amount":"100000.00"' '"replayed":false'
  verify_clean "the API's fork"
  snapshot
  rk POST /api/v1/forking/execute "$ADMIN" f1 '{"account":"g1","force":true}'
  expect 200 '"replayed":true' '"account":"g1.f1"'
  unchanged "a replayed fork"
  same_as_cli "a replayed fork" fork execute --account g1 --key f1 --force --at "$AT"
  rk POST /api/v1/forking/execute "$ADMIN" f1 '{"account":"g2","force":true}'
  refused 409 idempotency_conflict
  rk POST /api/v1/forking/execute "$ADMIN" again '{"account":"g1","force":true}'
  refused 409 below_threshold
  rk POST /api/v1/forking/execute "$BOB" byrole '{"account":"g1","force":true}'
  refused 403 forbidden
  # opportunities: g2 may fork; a read stores no assessment (the id POST
  # /assess gives next follows the one before it)
  rk POST /api/v1/forking/assess "$ADMIN" "" '{"account":"g2","vix":14.5}'; expect 201
  before=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["assessment"])' "$TMP/body")
  r GET "/api/v1/forking/opportunities?vix=14.5" "$VIEWER"; expect 200 '"account":"g2"' '"assessment":null'
  cp "$TMP/body" "$TMP/opps"
  rk POST /api/v1/forking/assess "$ADMIN" "" '{"account":"g2","vix":14.5}'; expect 201
  jcheck "d['assessment'] == $before + 1"
  cp "$TMP/opps" "$TMP/body"
  NORMAL_DROP="assessment"
  normalise "$TMP/body" >"$TMP/scan.api"
  "$RD_BIN" fork scan "${C[@]}" --at "$AT" --vix 14.5 --json >"$TMP/scan.json"
  if [ "$(normalise "$TMP/scan.json")" = "$(cat "$TMP/scan.api")" ]; then ok; else
    bad "opportunities: the API's JSON differs from fork scan's"; fi
  NORMAL_DROP="id txn at"
  r GET "/api/v1/forking/opportunities" "$BOB"; expect 200 '"opportunities":[]'
  r GET "/api/v1/forking/opportunities" "$CAROL"; expect 200 '"account":"g2"'
  r GET "/api/v1/forking/opportunities?vix=x" "$VIEWER"; expect 400 vix
  # approve g2's assessment
  ASSESS=$(python3 -c 'import json,sys; print([o["assessment"] for o in json.load(open(sys.argv[1]))["opportunities"] if o["account"] == "g2"][0])' "$TMP/scan.json")
  rk POST "/api/v1/forking/$ASSESS/approve" "$ADMIN" "" '{}'
  refused 400 invalid
  rk POST "/api/v1/forking/99999/approve" "$ADMIN" ap0
  refused 404 not_found
  rk POST "/api/v1/forking/$ASSESS/approve" "$ADMIN" ap1 '{"vix":14.5}'
  expect 201 '"parent":"g2"' '"account":"g2.f1"'
  verify_clean "the API's approve"
  rk POST "/api/v1/forking/$ASSESS/approve" "$ADMIN" ap1 '{"vix":14.5}'
  expect 200 '"replayed":true' '"account":"g2.f1"'
  r GET /api/v1/forking/status "$VIEWER"; expect 200 '"parent":"g1"' '"parent":"g2"'
  same_as_cli "status" fork status
  r GET /api/v1/forking/status "$BOB"; expect 200 '"parent":"g1"'
  expect_not_in "$TMP/body" '"parent":"g2"'
  r GET /api/v1/accounts/g1/hierarchy "$BOB"; expect 200 '"children":["g1.f1"]'
  same_as_cli "hierarchy after the fork" hierarchy show --root g1
  r GET /api/v1/accounts/g2/hierarchy "$BOB"; expect 403 forbidden_account
  r GET /api/v1/accounts/g1/ledger "$CAROL"; expect 403 forbidden_account

  # ---- consolidations ----
  snapshot
  rk POST /api/v1/consolidation/execute "$BOB" byrole '{"account":"g1.f1","strategy":"parent","force":true}'
  refused 403 forbidden
  rk POST /api/v1/consolidation/execute "$ADMIN" "" '{"account":"g1.f1","strategy":"parent","force":true}'
  refused 400 invalid; expect_in "$TMP/body" "Idempotency-Key"
  for bad in '{"account":"g1.f1"}:strategy' '{"account":"g1.f1","strategy":"merge"}:strategy' \
             '{"account":"g1.f1","strategy":"parent","amount":"5"}:amount' \
             '{"account":"g1.f1","strategy":"partial"}:amount' \
             '{"account":"g1.f1","strategy":"partial","amount":"-1"}:amount' \
             '{"account":"g1.f1","strategy":"parent","into":""}:into' \
             '{"account":"g1.f1","strategy":"parent","force":"yes"}:force' \
             '{"strategy":"parent"}:account'; do
    rk POST /api/v1/consolidation/execute "$ADMIN" "bad$RANDOM" "${bad%:*}"
    refused 400 invalid; expect_in "$TMP/body" "${bad##*:}"
  done
  rk POST /api/v1/consolidation/assess "$ADMIN" "" '{"account":"g1.f1","strategy":"parent","force":true}'
  refused 400 invalid; expect_in "$TMP/body" "force: is for"
  rk POST /api/v1/consolidation/execute "$ADMIN" m0 '{"account":"g1.f1","strategy":"parent","memo":1}'
  refused 400 unknown_field
  rk POST /api/v1/consolidation/execute "$ADMIN" m0 '{"account":"nosuch","strategy":"parent"}'
  refused 404 not_found
  rk POST /api/v1/consolidation/execute "$ADMIN" m0 '{"account":"plain","strategy":"parent","force":true}'
  refused 404 not_found; expect_in "$TMP/body" "plain"
  rk POST /api/v1/consolidation/execute "$ADMIN" m0 '{"account":"g1","strategy":"parent","force":true}'
  refused 409 no_parent
  rk POST /api/v1/consolidation/execute "$ADMIN" m0 '{"account":"g1.f1","strategy":"partial","amount":"100000.01","force":true}'
  refused 409 insufficient_funds
  # below 0.80 without force: refused, its assessment stored for approval
  rk POST /api/v1/consolidation/execute "$ADMIN" m0 '{"account":"g1.f1","strategy":"parent"}'
  refused 409 low_confidence
  MASSESS=$(sed -n 's/.*assessment \([0-9]*\) waits.*/\1/p' "$TMP/body")
  # assess: the CLI's JSON, but the stored assessment's id
  rk POST /api/v1/consolidation/assess "$ADMIN" "" '{"account":"g1.f1","strategy":"partial","amount":"100.5"}'
  expect 201 '"strategy":"partial"' '"amount":"100.50"' '"assessment":'
  NORMAL_DROP="assessment"
  normalise "$TMP/body" >"$TMP/massess.api"
  "$RD_BIN" consolidate assess "${C[@]}" --at "$AT" --account g1.f1 --strategy partial --amount 100.5 --json >"$TMP/massess.json"
  if [ "$(normalise "$TMP/massess.json")" = "$(cat "$TMP/massess.api")" ]; then ok; else
    bad "consolidation assess: the API's JSON differs from the CLI's"; fi
  NORMAL_DROP="id txn at"
  # a partial one, once by its key
  rk POST /api/v1/consolidation/execute "$ADMIN" p1 '{"account":"g2.f1","strategy":"partial","amount":"2.5","force":true}'
  expect 201 '"replayed":false' '"status":"done"' '"source":"g2.f1"' '"target":"g2"' '"amount":"2.50"'
  verify_clean "the API's partial consolidation"
  snapshot
  rk POST /api/v1/consolidation/execute "$ADMIN" p1 '{"account":"g2.f1","strategy":"partial","amount":"2.5","force":true}'
  expect 200 '"replayed":true'
  same_as_cli "a replayed consolidation" consolidate execute --account g2.f1 --strategy partial --amount 2.5 --force --key p1 --at "$AT"
  rk POST /api/v1/consolidation/execute "$ADMIN" p1 '{"account":"g2.f1","strategy":"partial","amount":"3","force":true}'
  refused 409 idempotency_conflict
  # approve the refused one
  rk POST "/api/v1/consolidation/99999/approve" "$ADMIN" m1
  refused 404 not_found
  rk POST "/api/v1/consolidation/x/approve" "$ADMIN" m1
  refused 404 not_found
  rk POST "/api/v1/consolidation/$MASSESS/approve" "$ADMIN" ""
  refused 400 invalid
  rk POST "/api/v1/consolidation/$MASSESS/approve" "$ADMIN" m1 '{"vix":1}'
  refused 400 unknown_field
  rk POST "/api/v1/consolidation/$MASSESS/approve" "$ADMIN" m1
  expect 201 '"replayed":false' '"status":"done"' '"source":"g1.f1"' '"target":"g1"' '"amount":"100000.00"'
  verify_clean "the API's consolidation approve"
  rk POST "/api/v1/consolidation/$MASSESS/approve" "$ADMIN" m1 '{}'
  expect 200 '"replayed":true'
  same_as_cli "a replayed approval" consolidate approve "$MASSESS" --key m1 --at "$AT"
  snapshot
  rk POST "/api/v1/consolidation/$MASSESS/approve" "$ADMIN" m2
  refused 409 rejected; expect_in "$TMP/body" "is stale"
  # reads
  r GET /api/v1/consolidation/status "$VIEWER"; expect 200 '"source":"g1.f1"' '"source":"g2.f1"'
  same_as_cli "consolidation status" consolidate status
  # a trader sees the consolidations from or into their node
  r GET /api/v1/consolidation/status "$BOB"; expect 200 '"source":"g1.f1"'
  expect_not_in "$TMP/body" '"source":"g2.f1"'
  r GET /api/v1/consolidation/status "$CAROL"; expect 200 '"source":"g2.f1"'
  expect_not_in "$TMP/body" '"source":"g1.f1"'
  r GET /api/v1/consolidation/status?x=1 "$VIEWER"; expect 400 unknown_parameter
  r GET /api/v1/consolidation/opportunities "$VIEWER"; expect 200 '"opportunities":'
  same_as_cli "consolidation opportunities" consolidate scan --at "$AT"

  # ---- attribution ----
  for d in 23 24; do
    expect_rc 0 "$RD_BIN" perf snapshot "${C[@]}" --all --at "2026-11-${d}T21:05:00Z"
  done
  r GET "/api/v1/performance/hierarchy?root=g1" "$BOB"; expect 200 '"root":"g1"'
  same_as_cli "perf hierarchy" perf hierarchy --root g1
  r GET "/api/v1/performance/hierarchy?root=g1&from=2026-11-24&to=2026-11-24" "$VIEWER"; expect 200
  same_as_cli "perf hierarchy of a day" perf hierarchy --root g1 --from 2026-11-24 --to 2026-11-24
  r GET "/api/v1/performance/hierarchy?root=g2" "$BOB"; expect 404 not_found
  r GET "/api/v1/performance/hierarchy" "$VIEWER"; expect 400 root
  r GET "/api/v1/performance/hierarchy?root=g1&from=24-11-2026" "$VIEWER"; expect 400 from
  r GET "/api/v1/performance/hierarchy?root=plain" "$VIEWER"; expect 404 "root: plain"
  stop_server
}

# ---- SQLite ----
C=(--config "$TMP/riskdesk.json")
suite sqlite

# ---- PostgreSQL ----
C=(--config "$TMP/riskdesk.json" --db "$PG_URL")
suite pg

finish
