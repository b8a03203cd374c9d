#!/usr/bin/env bash
# POST /api/v1/trade: a user's trade through their assigned account's gates:
# first-trade assignment, gate verdicts, qty capping, the balance after, roles
# (a trader only as themselves), bad input; a dry run records nothing; a real
# trade (the default) is queued as a recommendation for the user's account
# only, which that account's dispatcher places once and no other decides; a
# rejected trade stores nothing.
. "$(dirname "$0")/common.sh"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/deps.sh installs it)"
write_config
# tiny's people may trade options only (risk person_trades.allowed_actions)
python3 - "$TMP/riskdesk.json" <<'PY2'
import json, sys
c = json.load(open(sys.argv[1]))
c["accounts"][1]["risk"]["person_trades"] = {"allowed_actions": ["BUY_CALL", "BUY_PUT"]}
json.dump(c, open(sys.argv[1], "w"))
PY2
C=(--config "$TMP/riskdesk.json")
AT=2026-11-20T15:30:00Z
OPT=AAPL261218C00200000

trap 'stop_server; rm -rf "$TMP"' EXIT
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role admin --user alice
ADMIN=$(cat "$TMP/out")
keep_token ADMIN
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role viewer --user vera
VIEWER=$(cat "$TMP/out")
keep_token VIEWER
start_server "$TMP/s"
r POST /api/v1/users "$ADMIN" '{"id":"bob","display_name":"Bob"}'; expect 201
r POST /api/v1/users "$ADMIN" '{"id":"carol","display_name":"Carol"}'; expect 201
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role trader --user bob
BOB=$(cat "$TMP/out")
keep_token BOB

# the first trade assigns bob (least_loaded: large and tiny tie, large first)
REAL="{\"symbol\":\"$OPT\",\"action\":\"call\",\"limit\":\"2.50\",\"volume_ratio\":1.5,\"at\":\"$AT\""
GOOD="$REAL,\"dry_run\":true"
r POST /api/v1/trade "$BOB" "$GOOD,\"qty\":3}"
expect 200 '"user":"bob"' '"account":"large"' '"assigned_now":true' '"approved":true' '"dry_run":true' \
  '"queued":false' '"recommendation_id":null'
jcheck 'd["size"] == 3 and d["decision"]["size"] == 8 and d["first_failed"] is None'
jcheck 'd["balance"] == {"cash_before": "209000.00", "cash_after": "208250.00", "buying_power_before": "209000.00", "buying_power_after": "208250.00"}'
jcheck 'len(d["decision"]["gates"]) >= 10 and all(g["passed"] for g in d["decision"]["gates"])'
r GET "/api/v1/assignments?user=bob" "$ADMIN"; expect 200 '"reason":"first trade"' '"strategy":"least_loaded"'
# the second trade: assigned already; no qty: what the gates allow
r POST /api/v1/trade "$BOB" "$GOOD}"
expect 200 '"assigned_now":false' '"approved":true'
jcheck 'd["size"] == 8 and d["balance"]["cash_after"] == "207000.00" and d["qty"] is None'
# a person's plain stock buy on the shipped settings: approved. The signal's
# volume ratio (a person sends none: 1.0, under every tier's minimum) and
# confidence do not apply to a person's own trade; the account's limits do.
r POST /api/v1/trade "$BOB" "{\"symbol\":\"AAPL\",\"action\":\"buy\",\"limit\":190.5,\"at\":\"$AT\",\"dry_run\":true}"
expect 200 '"approved":true' '"first_failed":null'
jcheck 'd["size"] >= 1 and float(d["balance"]["cash_before"]) - float(d["balance"]["cash_after"]) == d["size"] * 190.5'
jcheck '[(g["name"], g["reason"], g["observed"]) for g in d["decision"]["gates"] if g["name"] in ("volume_ratio", "confidence", "allowed_action")] == [("allowed_action", "ok", None), ("confidence", "person_trade", "1"), ("volume_ratio", "person_trade", "1")]'
# out of hours (Saturday): trading_hours fails
r POST /api/v1/trade "$BOB" "{\"symbol\":\"$OPT\",\"action\":\"call\",\"limit\":\"2.50\",\"volume_ratio\":1.5,\"at\":\"2026-11-21T15:30:00Z\",\"dry_run\":true}"
expect 200 '"approved":false' '"first_failed":"trading_hours"'

# roles: a trader only as themselves; an admin names the user; viewers cannot
r POST /api/v1/trade "$BOB" "$GOOD,\"user\":\"carol\"}"; expect 403 forbidden_user
r POST /api/v1/trade "$BOB" "$GOOD,\"user\":\"bob\"}"; expect 200 '"user":"bob"'
r POST /api/v1/trade "$VIEWER" "$GOOD}"; expect 403
r POST /api/v1/trade "" "$GOOD}"; expect 401
r POST /api/v1/trade "$ADMIN" "$GOOD,\"user\":\"carol\"}"; expect 200 '"user":"carol"' '"account":"tiny"' '"assigned_now":true'
r POST /api/v1/trade "$ADMIN" "$GOOD}"; expect 404 'no user \"alice\"'
r POST /api/v1/trade "$ADMIN" "$GOOD,\"user\":\"zed\"}"; expect 404

# bad input
r POST /api/v1/trade "$BOB" '{"action":"call","limit":"2.5"}'; expect 400 symbol
r POST /api/v1/trade "$BOB" "{\"symbol\":\"$OPT\",\"action\":\"hold\",\"limit\":\"2.5\"}"; expect 400 action
r POST /api/v1/trade "$BOB" "{\"symbol\":\"$OPT\",\"action\":\"call\",\"limit\":\"abc\"}"; expect 400 limit
r POST /api/v1/trade "$BOB" "{\"symbol\":\"$OPT\",\"action\":\"call\",\"limit\":-1}"; expect 400 limit
# a limit is exact like a recommendation's price: more than four decimals is refused, text or number
r POST /api/v1/trade "$BOB" "{\"symbol\":\"$OPT\",\"action\":\"call\",\"limit\":\"2.50001\",\"dry_run\":true}"; expect 400 limit "more than four decimals"
r POST /api/v1/trade "$BOB" "{\"symbol\":\"$OPT\",\"action\":\"call\",\"limit\":2.50001,\"dry_run\":true}"; expect 400 limit "more than four decimals"
r POST /api/v1/trade "$BOB" "{\"symbol\":\"$OPT\",\"action\":\"call\",\"limit\":true}"; expect 400 limit
r POST /api/v1/trade "$BOB" "{\"symbol\":\"$OPT\",\"action\":\"call\",\"limit\":\"2.5\",\"qty\":0}"; expect 400 qty
r POST /api/v1/trade "$BOB" "{\"symbol\":\"$OPT\",\"action\":\"call\",\"limit\":\"2.5\",\"qty\":1.5}"; expect 400 qty
r POST /api/v1/trade "$BOB" "{\"symbol\":\"$OPT\",\"action\":\"call\",\"limit\":\"2.5\",\"at\":\"yesterday\"}"; expect 400 at
r POST /api/v1/trade "$BOB" "{\"symbol\":\"$OPT\",\"action\":\"call\",\"limit\":\"2.5\",\"side\":1}"; expect 400 unknown_field
r POST /api/v1/trade "$BOB" "$REAL,\"dry_run\":\"no\"}"; expect 400 dry_run
r POST /api/v1/trade "$BOB" "$REAL,\"dry_run\":0}"; expect 400 dry_run
r POST /api/v1/trade "$BOB" "{\"symbol\":\"NOPE\",\"action\":\"call\",\"limit\":\"2.5\"}"; expect 400
r POST /api/v1/trade "$BOB" '{"symbol":"AAPL","action":"buy"}'; expect 400 "give a limit price"
r POST /api/v1/trade "$BOB" '[1,2'; expect 400
r GET /api/v1/trade "$BOB"; expect 405

# dry runs and bad input: nothing was recorded
r GET /api/v1/accounts/large/decisions "$ADMIN"; expect 200
jcheck 'len(d["decisions"]) == 0'
r GET /api/v1/recommendations "$ADMIN"; expect 200 '{"recommendations":[]}'

# a rejected trade (dry_run false by default) stores nothing: carol's
# account (tiny) lets its people trade options only; the balance is unchanged
r POST /api/v1/trade "$ADMIN" "{\"symbol\":\"AAPL\",\"action\":\"BUY_STOCK\",\"limit\":190.5,\"at\":\"$AT\",\"user\":\"carol\"}"
expect 200 '"account":"tiny"' '"approved":false' '"first_failed":"allowed_action"' '"dry_run":false' '"queued":false' \
  '"recommendation_id":null'
jcheck 'd["size"] == 0 and d["balance"]["cash_after"] == d["balance"]["cash_before"]'
jcheck '[g["reason"] for g in d["decision"]["gates"] if g["name"] == "allowed_action"] == ["action_not_allowed"]'
r GET /api/v1/recommendations "$ADMIN"; expect 200 '{"recommendations":[]}'
r POST /api/v1/trade "$BOB" "{\"symbol\":\"$OPT\",\"action\":\"call\",\"limit\":\"2.50\",\"volume_ratio\":1.5,\"at\":\"2026-11-21T15:30:00Z\",\"dry_run\":false}"
expect 200 '"approved":false' '"first_failed":"trading_hours"' '"queued":false'
r GET /api/v1/recommendations "$ADMIN"; expect 200 '{"recommendations":[]}'

# a real trade (the default): the answer as a dry run's, then queued for large only
AT_S=$(python3 -c 'import datetime; print(int(datetime.datetime(2026, 11, 20, 15, 30, tzinfo=datetime.timezone.utc).timestamp()))')
r POST /api/v1/trade "$BOB" "$REAL,\"qty\":3}"
expect 202 '"user":"bob"' '"account":"large"' '"approved":true' '"dry_run":false' '"queued":true' \
  "\"recommendation_id\":\"trade-bob-$AT_S-1\""
jcheck 'd["size"] == 3 and d["decision"]["size"] == 8 and d["balance"]["cash_after"] == "208250.00"'
jcheck 'len(d["decision"]["gates"]) >= 10 and all(g["passed"] for g in d["decision"]["gates"])'
RID="trade-bob-$AT_S-1"
r GET "/api/v1/recommendations/$RID" "$BOB"; expect 200 '"account":"large"' '"qty":3' '"action":"BUY_CALL"'
jcheck 'd["created_at"] == "2026-11-20T15:30:00Z" and d["confidence"] == 1 and d["price"] == "2.50"'
# the same trade again is another recommendation (approved: nothing is held yet)
r POST /api/v1/trade "$ADMIN" "$REAL,\"qty\":1,\"user\":\"bob\"}"
expect 202 "\"recommendation_id\":\"trade-bob-$AT_S-2\"" '"queued":true'
r GET /api/v1/recommendations "$ADMIN"; expect 200
jcheck 'sorted((x["id"], x.get("account"), x.get("qty"), x["origin"]) for x in d["recommendations"]) == [("'"$RID"'", "large", 3, "person"), ("trade-bob-'"$AT_S"'-2", "large", 1, "person")]'
# carol trades through tiny: queued for tiny only
r POST /api/v1/trade "$ADMIN" "{\"symbol\":\"$OPT\",\"action\":\"call\",\"limit\":\"2.50\",\"volume_ratio\":3,\"at\":\"$AT\",\"qty\":1,\"user\":\"carol\"}"
expect 202 '"account":"tiny"' "\"recommendation_id\":\"trade-carol-$AT_S-1\""

# tiny's dispatcher decides carol's trade and neither of bob's
expect_rc 0 "$RD_BIN" dispatch "${C[@]}" --account tiny --once --at "$AT"
r GET /api/v1/accounts/tiny/decisions "$ADMIN"; expect 200
jcheck '[x["rec_id"] for x in d["decisions"]] == ["trade-carol-'"$AT_S"'-1"]'
# large's dispatcher decides bob's two again: the first placed, capped at its
# qty (3 of the 8 the gates allow); the second then finds the position held.
# A second cycle decides and places nothing more.
expect_rc 0 "$RD_BIN" dispatch "${C[@]}" --account large --once --at "$AT"
expect_rc 0 "$RD_BIN" dispatch "${C[@]}" --account large --once --at "$AT"
r GET /api/v1/accounts/large/decisions "$ADMIN"; expect 200
jcheck 'sorted((x["rec_id"], x["decision"]["approved"], x["decision"]["size"], x["first_failed"]) for x in d["decisions"]) == [("'"$RID"'", True, 3, None), ("trade-bob-'"$AT_S"'-2", False, 0, "duplicate_position")]'
r GET /api/v1/accounts/large/orders "$ADMIN"; expect 200
jcheck '[(o["rec_id"], o["qty"], o["symbol"], o["status"]) for o in d["orders"]] == [("'"$RID"'", 3, "'"$OPT"'", "filled")]'
r GET /api/v1/accounts/tiny/orders "$ADMIN"; expect 200
jcheck '[o["rec_id"] for o in d["orders"]] == ["trade-carol-'"$AT_S"'-1"]'

# a dry run after it all still stores nothing
r POST /api/v1/trade "$BOB" "$GOOD}"; expect 200 '"dry_run":true' '"queued":false'
r GET /api/v1/recommendations "$ADMIN"; expect 200
jcheck 'len(d["recommendations"]) == 3'

stop_server
finish
