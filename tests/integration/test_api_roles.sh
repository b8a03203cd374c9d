#!/usr/bin/env bash
# Authorization as a table: every route of docs/openapi.yaml over HTTP with no
# token, a viewer, a trader of another account, a trader of the account and
# an admin, each answer checked against the route's documented x-min-role
# (tests/tools/api_roles.py); the yaml and the server's route table
# (`serve --routes`) list the same routes with the same roles. Then revoking
# a token while the server runs: `riskdesk tokens revoke` (another process)
# is refused within the token cache's 5 s, DELETE /api/v1/tokens/{id} through
# this server at once, each accepted just before.
. "$(dirname "$0")/common.sh"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/deps.sh installs it)"
python_with yaml ||
  skip_test "python3 with PyYAML is needed to read docs/openapi.yaml (python3-yaml, scripts/deps.sh)"
unset SLACK_SIGNING_SECRET
SLACK=5e0c4a27d1b9f3386a42c7d0e9b1f2a4
write_config
# a third account and the Slack route on (signed requests)
python3 - "$TMP/riskdesk.json" "$SLACK" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
spare = dict(c["accounts"][1], name="spare", starting_cash="3000")
c["accounts"].append(spare)
# hierarchy nodes for the forking routes: node forks, node2's fork is approved;
# for the consolidation routes node3 and node4 have forked
for n in ("node", "node2", "node3", "node4"):
    c["accounts"].append({"name": n, "tier": "auto", "starting_cash": "10000"})
c["slack"] = {"signing_secret": sys.argv[2]}
json.dump(c, open(sys.argv[1], "w"))
PY
secret "$SLACK" "$TMP/riskdesk.json"
C=(--config "$TMP/riskdesk.json")
trap 'stop_server; rm -rf "$TMP"' EXIT

# data for the routes to be about: a recommendation of tiny's decided by its
# dispatcher, two days of snapshots of every account
REC='"underlying":"AAPL","symbol":"AAPL","action":"BUY_STOCK","strategy":"day","confidence":0.8,"volume_ratio":1.5,"price":"190.50","created_at":"2026-11-20T15:30:00Z"'
# tiny, node and node2 are gen nodes; node and node2 earned enough to fork
for n in tiny node node2 node3 node4; do
  expect_rc 0 "$RD_BIN" hierarchy init "${C[@]}" --account $n --type gen --at 2026-11-20T15:00:00Z
done
for n in node node2 node3 node4; do
  expect_rc 0 "$RD_BIN" ledger pnl "${C[@]}" --account $n --amount 100000 --key win/$n --at 2026-11-20T15:00:00Z
done
for n in node3 node4; do
  expect_rc 0 "$RD_BIN" fork execute "${C[@]}" --account $n --force --at 2026-11-20T15:00:00Z
done
expect_rc 0 "$RD_BIN" consolidate assess "${C[@]}" --account node4.f1 --strategy partial --amount 1 --json --at 2026-11-20T15:00:00Z
MERGE_ASSESSMENT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["assessment"])' "$TMP/out")
expect_rc 0 "$RD_BIN" fork assess "${C[@]}" --account node2 --json --at 2026-11-20T15:00:00Z
ASSESSMENT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["assessment"])' "$TMP/out")
expect_rc 0 "$RD_BIN" recommend add "${C[@]}" --rec "{\"id\":\"tiny-1\",\"account\":\"tiny\",$REC}"
expect_rc 0 "$RD_BIN" dispatch "${C[@]}" --account tiny --once --at 2026-11-20T15:31:00Z
for d in 19 20; do
  expect_rc 0 "$RD_BIN" perf snapshot "${C[@]}" --all --at "2026-11-${d}T21:05:00Z"
done

# tokens: two admins (one to be revoked by the table's DELETE), a viewer
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role admin --user alice
keep_token admin
ADMIN=$(cat "$TMP/admin.token")
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role admin --user spare --label spare
keep_token spare
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role viewer --user vera
keep_token viewer
start_server "$TMP/s" --at 2026-11-20T15:35:00Z
# users: bob trades through tiny, carol through large; sam is the admin routes' to change
for u in bob carol sam; do r POST /api/v1/users "$ADMIN" "{\"id\":\"$u\",\"display_name\":\"$u\"}"; expect 201; done
r PUT /api/v1/users/bob/assignment "$ADMIN" '{"account":"tiny"}'; expect 200 '"account":"tiny"'
r PUT /api/v1/users/carol/assignment "$ADMIN" '{"account":"large"}'; expect 200 '"account":"large"'
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role trader --user bob
keep_token bob
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role trader --user carol
keep_token carol
r GET /api/v1/accounts/tiny/decisions "$ADMIN"; expect 200
DECISION=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["decisions"][0]["id"])' "$TMP/body")
expect_rc 0 "$RD_BIN" tokens list "${C[@]}" --json
SPARE_ID=$(python3 -c 'import json,sys; print([t["id"] for t in json.load(open(sys.argv[1])) if t["label"] == "spare"][0])' "$TMP/out")

# ---- the table ----
python3 - "$TMP" "$DECISION" "$SPARE_ID" "$ASSESSMENT" "$MERGE_ASSESSMENT" <<'PY'
import json, sys
t = sys.argv[1]
tok = lambda n: open("%s/%s.token" % (t, n)).read().strip()
json.dump({"viewer": tok("viewer"), "trader of another account": tok("carol"),
           "trader of this account": tok("bob"), "admin": tok("admin"),
           "decision": int(sys.argv[2]), "spare_token": int(sys.argv[3]),
           "assessment": int(sys.argv[4]), "merge_assessment": int(sys.argv[5])},
          open(t + "/callers.json", "w"))
PY
secret "$(cat "$TMP/admin.token")" "$TMP/callers.json"
for n in viewer bob carol; do secret "$(cat "$TMP/$n.token")" "$TMP/callers.json"; done
expect_rc 0 "$RD_BIN" serve --routes
mv "$TMP/out" "$TMP/routes"
if SLACK_SIGNING_SECRET=$SLACK "$PY" "$RD_SOURCE_DIR/tests/tools/api_roles.py" \
     "$RD_SOURCE_DIR/docs/openapi.yaml" "$TMP/routes" "$PORT" "$TMP/callers.json" >"$TMP/table"; then ok
else bad "the answers disagree with the documented roles (FAIL lines below)"; fi
cat "$TMP/table"
# the spare admin token was revoked by the table's DELETE /api/v1/tokens/{id}
r GET /api/v1/tiers "$(cat "$TMP/spare.token")"; expect 401 invalid_token

# ---- revoking while the server runs ----
# refused_within TOKEN MS: polls until the token is refused (401); sets
# TOOK to the milliseconds that took, fails past MS
refused_within() {
  local t0 now
  t0=$(date +%s%N)
  while :; do
    r GET /api/v1/tiers "$1"
    now=$(date +%s%N)
    TOOK=$(((now - t0) / 1000000))
    [ "$ST" = 401 ] && { ok; return; }
    [ "$ST" = 200 ] || { bad "a revoked token got $ST: $(head -c 200 "$TMP/body")"; return; }
    [ "$TOOK" -le "$2" ] || { bad "the revoked token was still taken after $TOOK ms"; return; }
    sleep 0.05
  done
}
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role viewer --user vera --label cli-revoked
keep_token cli
expect_rc 0 "$RD_BIN" tokens list "${C[@]}" --json
CLI_ID=$(python3 -c 'import json,sys; print([t["id"] for t in json.load(open(sys.argv[1])) if t["label"] == "cli-revoked"][0])' "$TMP/out")
r GET /api/v1/tiers "$(cat "$TMP/cli.token")"; expect 200     # taken, and now in the cache
expect_rc 0 "$RD_BIN" tokens revoke "${C[@]}" "$CLI_ID"
refused_within "$(cat "$TMP/cli.token")" 5500                 # the cache's 5 s, and a margin
echo "tokens revoke: refused after $TOOK ms"
expect 401 invalid_token

expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role trader --user bob --label http-revoked
keep_token http
expect_rc 0 "$RD_BIN" tokens list "${C[@]}" --json
HTTP_ID=$(python3 -c 'import json,sys; print([t["id"] for t in json.load(open(sys.argv[1])) if t["label"] == "http-revoked"][0])' "$TMP/out")
r GET /api/v1/accounts/tiny "$(cat "$TMP/http.token")"; expect 200
r DELETE "/api/v1/tokens/$HTTP_ID" "$ADMIN"; expect 200 '"revoked":true'
r GET /api/v1/accounts/tiny "$(cat "$TMP/http.token")"; expect 401 invalid_token   # at once

stop_server
finish
