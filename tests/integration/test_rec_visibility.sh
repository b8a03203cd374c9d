#!/usr/bin/env bash
# Which recommendations a token sees: a trader sees the broadcast ones (no
# account) and their own account's, nothing else; another account's single
# recommendation is a 404 like one that does not exist, so ids do not leak.
# Viewers and admins see them all.
. "$(dirname "$0")/common.sh"
command -v curl >/dev/null || { echo "curl is needed"; exit 1; }
write_config
C=(--config "$TMP/riskdesk.json")

trap 'stop_server; rm -rf "$TMP"' EXIT
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role admin --user alice
ADMIN=$(cat "$TMP/out")
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role viewer --user vera
VIEWER=$(cat "$TMP/out")
start_server "$TMP/s"
r POST /api/v1/users "$ADMIN" '{"id":"bob","display_name":"Bob"}'; expect 201
r POST /api/v1/users "$ADMIN" '{"id":"dan","display_name":"Dan"}'; expect 201
r PUT /api/v1/users/bob/assignment "$ADMIN" '{"account":"tiny"}'; expect 200 '"account":"tiny"'
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role trader --user bob
BOB=$(cat "$TMP/out")
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role trader --user dan
DAN=$(cat "$TMP/out")

REC='"underlying":"AAPL","symbol":"AAPL","action":"BUY_STOCK","strategy":"day","confidence":0.8,"volume_ratio":1.5,"price":"190.50","created_at":"2026-11-20T15:30:00Z"'
r POST /api/v1/recommendations "$ADMIN" "[{\"id\":\"all-1\",$REC},{\"id\":\"trade-carol-1-1\",\"account\":\"large\",$REC},{\"id\":\"tiny-1\",\"account\":\"tiny\",$REC}]"
expect 201 '"stored":3'

# the trader: broadcast and their own account's only
r GET /api/v1/recommendations "$BOB"; expect 200
jcheck 'sorted(x["id"] for x in d["recommendations"]) == ["all-1", "tiny-1"]'
expect_not_in "$TMP/body" carol
r GET "/api/v1/recommendations?limit=1" "$BOB"; expect 200
jcheck 'len(d["recommendations"]) == 1 and d["recommendations"][0]["id"] != "trade-carol-1-1"'
r GET /api/v1/recommendations/trade-carol-1-1 "$BOB"; expect 404 not_found
expect_not_in "$TMP/body" large
r GET /api/v1/recommendations/no-such "$BOB"; expect 404 not_found
r GET /api/v1/recommendations/tiny-1 "$BOB"; expect 200 '"account":"tiny"'
r GET /api/v1/recommendations/all-1 "$BOB"; expect 200 '"id":"all-1"'
# a trader with no account: broadcast ones only
r GET /api/v1/recommendations "$DAN"; expect 200
jcheck 'sorted(x["id"] for x in d["recommendations"]) == ["all-1"]'
r GET /api/v1/recommendations/tiny-1 "$DAN"; expect 404 not_found

# viewers and admins see everything
for t in "$VIEWER" "$ADMIN"; do
  r GET /api/v1/recommendations "$t"; expect 200
  jcheck 'sorted(x["id"] for x in d["recommendations"]) == ["all-1", "tiny-1", "trade-carol-1-1"]'
  r GET /api/v1/recommendations/trade-carol-1-1 "$t"; expect 200 '"account":"large"'
done

stop_server
finish
