#!/usr/bin/env bash
# A Slack /trade's confirmation: once the account's dispatcher has placed the
# order and the broker's word on it is final (or the dispatcher rejected it),
# riskdesk posts the status and the balance after to the command's
# response_url, here tests/tools/fake_slack.py on loopback, which checks the
# request as Slack does. The dispatcher in the server (serve --dispatch) and in
# another process (riskdesk dispatch) alike; a response_url on a host that is
# not allowed is never posted to.
. "$(dirname "$0")/common.sh"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/deps.sh installs it)"
unset SLACK_SIGNING_SECRET SLACK_BOT_TOKEN
SECRET=8f742231b10e8888abcd99yyyzzz85a5
AT=2026-11-20T15:30:00Z                                # Friday 10:30 ET
. "$(dirname "$0")/slack_lib.sh"
trap 'stop_server; kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; rm -rf "$TMP"' EXIT
start_fake_slack
write_config
python3 - "$TMP/riskdesk.json" "$SECRET" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["slack"] = {"signing_secret": sys.argv[2], "admins": ["UADMIN"], "response_hosts": ["127.0.0.1"]}
json.dump(c, open(sys.argv[1], "w"))
PY
C=(--config "$TMP/riskdesk.json")
secret "$SECRET" "$TMP/riskdesk.json"

# posts_to PATH: how many requests the stand-in took at PATH; the last one in
# $TMP/posted
posts_to() { fake_calls "$1" "$TMP/call"; python3 -c 'import json,sys; json.dump(json.load(open(sys.argv[1]))["last"], open(sys.argv[2], "w"))' "$TMP/call" "$TMP/posted"; }
# wait_post PATH: polls the stand-in until PATH was posted to (20 s at most)
wait_post() {
  local n=0 until=$((SECONDS + 20))
  while [ "$SECONDS" -lt "$until" ]; do n=$(posts_to "$1"); [ "$n" -gt 0 ] && break; sleep 0.1; done
  [ "$n" -gt 0 ] && ok || bad "nothing was posted to $1: $(tail -3 "$SERVER_ERR")"
}
api() { ST=$(curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $ADMIN" "http://127.0.0.1:$PORT$1"); LAST="GET $1"; }

expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role admin --user alice
ADMIN=$(cat "$TMP/out")
keep_token ADMIN

# ---- the dispatcher in the server: placed and filled, then confirmed ----
start_server "$TMP/s" --at "$AT" --dispatch all
curl -s -o /dev/null -H "Authorization: Bearer $ADMIN" \
  -d '{"id":"bob","display_name":"Bob","slack_user_id":"UBOB"}' "http://127.0.0.1:$PORT/api/v1/users"
RESPONSE_URL="$FAKE/commands/T1/100/abc"
slack /trade "AAPL buy 2 190.50"
expect 200 '*APPROVED* BUY_STOCK 2 x `AAPL` @ 190.50' "A confirmation follows here: the order's final status and the account's balance after."
is_slack
wait_post /commands/T1/100/abc
api /api/v1/accounts/large; expect 200
python3 - "$TMP/posted" "$TMP/body" <<'PY' && ok || bad "confirmation: $(cat "$TMP/posted")"
import json, re, sys
req = json.load(open(sys.argv[1]))
acct = json.load(open(sys.argv[2]))
assert req["status"] == 200 and req["error"] is None, req
assert req["headers"]["content-type"].startswith("application/json"), req
d = req["json"]
assert d["response_type"] == "ephemeral" and d["replace_original"] is False, d
assert d["blocks"][0]["text"]["text"] == d["text"], d
t = d["text"]
m = re.match(r"\*FILLED\* buy 2 x `AAPL` on account `large` \(`(trade-bob-\d+-1)`\): order `(rd-[0-9a-f]{32})` filled, 2 of 2 filled @ 190\.50\.\n"
             r"Balance after: cash \$([\d.]+), buying power \$([\d.]+)$", t)
assert m, t
# the balance after is the broker's, once the order filled: 2 x 190.50 less
assert float(m.group(3)) == 209000 - 381 and m.group(3) == acct["cash"], (t, acct)
assert m.group(4) == acct["buying_power"], (t, acct)
PY
# one confirmation, not one a cycle
n=$(posts_to /commands/T1/100/abc); [ "$n" = 1 ] && ok || bad "$n posts to the response_url, wanted 1"
stop_server

# ---- the dispatcher in another process; a forged response_url ----
start_server "$TMP/s" --at "$AT"
RESPONSE_URL="$FAKE/commands/T1/200/def"
slack /trade "MSFT buy 1 400"
expect 200 '_Queued for account `large`' 'A confirmation follows here'
RID=$(python3 -c 'import json,re,sys; print(re.search(r"as `(trade-bob-\d+-\d+)`", json.load(open(sys.argv[1]))["text"]).group(1))' "$TMP/body")
# a response_url whose host is not allowed: refused, said, never posted to
RESPONSE_URL="http://localhost:${FAKE##*:}/commands/T1/300/evil"
slack /trade "MSFT buy 1 400"
expect 200 '_Queued for account `large`' \
  'No confirmation will follow: host \"localhost:'"${FAKE##*:}"'\" is not in slack.response_hosts'
RESPONSE_URL="https://hooks.slack.com.evil.example/commands/T1/300/evil"
slack /trade "MSFT buy 1 400"; expect 200 'No confirmation will follow: host \"hooks.slack.com.evil.example\"'
n=$(posts_to /commands/T1/300/evil); [ "$n" = 0 ] && ok || bad "$n posts to a forged response_url"
# large's dispatcher, elsewhere, 10 minutes later: the trades are stale
expect_rc 0 "$RD_BIN" dispatch "${C[@]}" --account large --once --at 2026-11-20T15:40:00Z
wait_post /commands/T1/200/def
python3 - "$TMP/posted" "$RID" <<'PY' && ok || bad "rejection: $(cat "$TMP/posted")"
import json, sys
d = json.load(open(sys.argv[1]))["json"]
assert d["text"] == ("*NOT PLACED* `%s` on account `large`: its dispatcher rejected it "
                     "(first failed gate `freshness`); no order was sent." % sys.argv[2]), d
PY
n=$(posts_to /commands/T1/300/evil); [ "$n" = 0 ] && ok || bad "$n posts to a forged response_url"
stop_server
finish
