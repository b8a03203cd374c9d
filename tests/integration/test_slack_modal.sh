#!/usr/bin/env bash
# Slack's trade form: `/trade SYMBOL` opens a modal with views.open (the
# command's trigger_id, the bot token) at tests/tools/fake_slack.py, which
# checks the call and the view as Slack does; the filled form comes back as a
# signed view_submission to /slack/interactions and is traded like the text
# form; a wrong field is answered with Slack's field errors; an admin picks
# the account; a queued trade from the form is confirmed at the command's
# response_url once placed (or, when that may not be posted to, in the
# command's channel with chat.postMessage).
. "$(dirname "$0")/common.sh"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/deps.sh installs it)"
unset SLACK_SIGNING_SECRET SLACK_BOT_TOKEN
SECRET=8f742231b10e8888abcd99yyyzzz85a5
TOKEN=xoxb-1234-5678-modaltesttoken
AT=2026-11-20T15:30:00Z                                # Friday 10:30 ET
. "$(dirname "$0")/slack_lib.sh"
trap 'stop_server; kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; rm -rf "$TMP"' EXIT
# a trigger id lives 3 s at Slack; 30 here, where the machine is shared
start_fake_slack --token "$TOKEN" --trigger-life-s 30
write_config
python3 - "$TMP/riskdesk.json" "$SECRET" "$TOKEN" "$FAKE" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["slack"] = {"signing_secret": sys.argv[2], "admins": ["UADMIN"], "bot_token": sys.argv[3],
              "api_url": sys.argv[4] + "/api", "response_hosts": ["127.0.0.1"]}
json.dump(c, open(sys.argv[1], "w"))
PY
C=(--config "$TMP/riskdesk.json")
secret "$SECRET" "$TMP/riskdesk.json"
secret "$TOKEN" "$TMP/riskdesk.json"

# last_call PATH: the stand-in's requests at PATH into $TMP/call ({"n", "last"})
last_call() { fake_calls "$1" "$TMP/call" >/dev/null; }
new_trigger() { TRIGGER_ID=$(curl -s -X POST "$FAKE/_trigger" | python3 -c 'import json,sys; print(json.load(sys.stdin)["trigger_id"])'); }
# submit USER VALUES_JSON: the last opened view, filled with VALUES_JSON
# ({"qty": "2", "action": "buy", ...}), sent back as Slack sends a view_submission
submit() {
  python3 - "$TMP/call" "$1" "$2" "$TMP/req" <<'PY'
import json, sys, urllib.parse
view = json.load(open(sys.argv[1]))["last"]["json"]["view"]
user, vals, out = sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
state = {}
for b in view["blocks"]:
    if b["type"] != "input":
        continue
    el = b["element"]
    v = vals.get(b["block_id"])
    if el["type"] == "static_select":
        opt = next((o for o in el["options"] if o["value"] == v), el.get("initial_option")) if v else el.get("initial_option")
        state[b["block_id"]] = {el["action_id"]: {"type": "static_select", "selected_option": opt}}
    else:
        state[b["block_id"]] = {el["action_id"]: {"type": "plain_text_input", "value": v}}
for k, v in vals.items():     # a field the form did not have: forged
    if k not in state:
        state[k] = {k: {"type": "static_select", "selected_option": {"value": v}}}
payload = {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": user, "team_id": "T1"},
           "api_app_id": "A1", "trigger_id": "9.9.9",
           "view": dict(view, state={"values": state}, hash="1.abc")}
open(out, "w").write(urllib.parse.urlencode({"payload": json.dumps(payload)}))
PY
  LAST="view_submission ($1)"
  slack_sign "$TMP/req" "$SECRET" 0
  ST=$(curl -s -o "$TMP/body" -w '%{http_code}' -X POST \
       -H 'Content-Type: application/x-www-form-urlencoded' \
       -H "X-Slack-Request-Timestamp: $(cat "$TMP/ts")" -H "X-Slack-Signature: $(cat "$TMP/sig")" \
       --data-binary "@$TMP/req" "http://127.0.0.1:$PORT/slack/interactions")
}
jbody() { python3 - "$TMP/body" "$1" <<'PY' && ok || bad "$LAST: $1: $(head -c 600 "$TMP/body")"
import json, sys
d = json.load(open(sys.argv[1]))
assert eval(sys.argv[2]), d
PY
}

expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role admin --user alice
ADMIN=$(cat "$TMP/out")
keep_token ADMIN
start_server "$TMP/s" --at "$AT" --dispatch all
for u in 'bob","display_name":"Bob","slack_user_id":"UBOB' 'root","display_name":"Root","slack_user_id":"UADMIN'; do
  curl -s -o /dev/null -H "Authorization: Bearer $ADMIN" -d "{\"id\":\"$u\"}" "http://127.0.0.1:$PORT/api/v1/users"
done
slack /assign-account "@bob large" UADMIN; expect 200 'Assigned bob to `large`.'

# ---- /trade SYMBOL opens the form: an empty 200, views.open as Slack wants it ----
RESPONSE_URL="$FAKE/commands/T1/500/form"
new_trigger
slack /trade "aapl"; expect 200
[ ! -s "$TMP/body" ] && ok || bad "the command was answered: $(cat "$TMP/body")"
last_call /api/views.open
python3 - "$TMP/call" "$TRIGGER_ID" <<'PY' && ok || bad "views.open: $(head -c 1500 "$TMP/call")"
import json, sys
c = json.load(open(sys.argv[1]))
r = c["last"]
assert c["n"] == 1 and r["status"] == 200 and r["error"] is None, r
v = r["json"]["view"]
assert r["json"]["trigger_id"] == sys.argv[2], r
assert v["type"] == "modal" and v["callback_id"] == "riskdesk_trade", v
text = v["blocks"][0]["text"]["text"]
assert text.startswith("*AAPL* for Bob (bob)\n- `large`: tier large, ACTIVE, healthy, cash $209000.00, buying power $209000.00, 0 open positions\n"), text
assert "limits: exposure $10000.00, 5 positions, 10 contracts a trade, daily loss $500.00, risk 0.02 of buying power a trade" in text, text
assert "`tiny`" not in text, text
inputs = [(b["block_id"], b["element"]["type"], b.get("optional", False)) for b in v["blocks"][1:]]
assert inputs == [("action", "static_select", False), ("qty", "plain_text_input", False),
                  ("limit", "plain_text_input", True), ("strategy", "static_select", False)], inputs
assert v["blocks"][1]["element"]["initial_option"]["value"] == "buy", v["blocks"][1]
meta = json.loads(v["private_metadata"])
assert meta["symbol"] == "AAPL" and meta["response_url"].endswith("/commands/T1/500/form"), meta
PY
# ---- the filled form: field errors, then the trade, queued and placed ----
submit UBOB '{"qty": "two"}'; expect 200
jbody 'd == {"response_action": "errors", "errors": {"qty": "Enter a whole number from 1 to 1000000."}}'
submit UBOB '{"qty": "2", "limit": "190.50001"}'; expect 200 '"response_action":"errors"' '"limit"' 'more than four decimals'
# a trader's form has no account field: one added to it is refused
submit UBOB '{"qty": "2", "limit": "190.50", "account": "tiny"}'; expect 200
jbody 'd == {"response_action": "errors", "errors": {"account": "Only an admin picks the account."}}'
submit UBOB '{"qty": "2", "limit": "190.50"}'; expect 200 '"response_action":"update"'
python3 - "$TMP/body" <<'PY' && ok || bad "result: $(head -c 1500 "$TMP/body")"
import json, re, sys
d = json.load(open(sys.argv[1]))
v = d["view"]
assert v["type"] == "modal" and v["close"]["text"] == "Done", v
t = v["blocks"][0]["text"]["text"]
assert t.startswith("*APPROVED* BUY_STOCK 2 x `AAPL` @ 190.50 on account `large`"), t
assert re.search(r"_Placed by account `large`'s dispatcher as `trade-bob-\d+-\d`: order `rd-[0-9a-f]{32}` filled, 2 of 2 filled @ 190\.50\._", t), t
assert "A confirmation follows here" in t, t
PY
# the confirmation at the command's response_url
until=$((SECONDS + 20))
while [ "$SECONDS" -lt "$until" ]; do last_call /commands/T1/500/form; grep -q '"n": 0' "$TMP/call" || break; sleep 0.1; done
python3 - "$TMP/call" <<'PY' && ok || bad "confirmation: $(head -c 800 "$TMP/call")"
import json, sys
c = json.load(open(sys.argv[1]))
assert c["n"] >= 1 and c["last"]["status"] == 200, c
assert c["last"]["json"]["text"].startswith("*FILLED* buy 2 x `AAPL` on account `large`"), c
PY

# ---- an admin picks the account in the form ----
new_trigger
slack /trade "MSFT" UADMIN; expect 200
last_call /api/views.open
python3 - "$TMP/call" <<'PY' && ok || bad "admin's form: $(head -c 1500 "$TMP/call")"
import json, sys
v = json.load(open(sys.argv[1]))["last"]["json"]["view"]
text = v["blocks"][0]["text"]["text"]
assert "- `large`: tier large" in text and "- `tiny`: tier tiny" in text, text
acct = v["blocks"][1]
assert acct["block_id"] == "account" and [o["value"] for o in acct["element"]["options"]] == ["large", "tiny"], acct
PY
submit UADMIN '{"account": "tiny", "qty": "1", "limit": "3.00"}'; expect 200 '"response_action":"update"'
jbody '"on account `tiny`" in d["view"]["blocks"][0]["text"]["text"]'
ST=$(curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $ADMIN" "http://127.0.0.1:$PORT/api/v1/accounts/tiny/orders")
LAST="tiny's orders"; expect 200
jbody '[(o["symbol"], o["qty"]) for o in d["orders"]] == [("MSFT", 1)]'

# ---- a response_url that may not be posted to: with the bot token the
# confirmation goes to the command's channel (chat.postMessage) ----
RESPONSE_URL="https://hooks.slack.com.evil.example/commands/T1/1/x"
slack /trade "IBM buy 1 100"; expect 200 'A confirmation follows in this channel'
until=$((SECONDS + 20))
while [ "$SECONDS" -lt "$until" ]; do last_call /api/chat.postMessage; grep -q '"n": 0' "$TMP/call" || break; sleep 0.1; done
python3 - "$TMP/call" <<'PY' && ok || bad "chat.postMessage: $(head -c 800 "$TMP/call")"
import json, sys
c = json.load(open(sys.argv[1]))
r = c["last"]
assert c["n"] == 1 and r["status"] == 200 and r["error"] is None, c
assert r["json"]["channel"] == "C1" and r["json"]["text"].startswith("*FILLED* buy 1 x `IBM` on account `large`"), r
PY

# ---- what cannot open the form, and requests that are not Slack's ----
TRIGGER_ID=1.2.3
slack /trade "AAPL"; expect 200 'Could not open the trade form (slack: views.open: invalid_trigger_id)' \
  'Trade with the text form: `/trade AAPL ACTION QTY [LIMIT] [dry-run]`'; is_slack
slack /trade "AAPL" UNOBODY; expect 200 'not linked to a riskdesk user'
last_call /api/views.open
python3 - "$TMP/call" <<'PY' && ok || bad "views.open calls: $(head -c 300 "$TMP/call")"
import json, sys
assert json.load(open(sys.argv[1]))["n"] == 3
PY
printf 'payload=%s' '{}' >"$TMP/req"
ST=$(curl -s -o "$TMP/body" -w '%{http_code}' -X POST --data-binary "@$TMP/req" "http://127.0.0.1:$PORT/slack/interactions")
LAST="unsigned interaction"; expect 401 invalid_signature
slack_sign "$TMP/req" wrong-secret 0
ST=$(curl -s -o "$TMP/body" -w '%{http_code}' -X POST -H "X-Slack-Request-Timestamp: $(cat "$TMP/ts")" \
     -H "X-Slack-Signature: $(cat "$TMP/sig")" --data-binary "@$TMP/req" "http://127.0.0.1:$PORT/slack/interactions")
LAST="badly signed interaction"; expect 401 invalid_signature
slack_post /slack/interactions 'payload=%7B%22type%22%3A%22block_actions%22%7D'; LAST="block_actions"; expect 200
[ ! -s "$TMP/body" ] && ok || bad "block_actions answered: $(cat "$TMP/body")"
slack_post /slack/interactions 'nothing=1'; LAST="no payload"; expect 400 payload
stop_server
finish
