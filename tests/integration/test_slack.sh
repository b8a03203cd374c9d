#!/usr/bin/env bash
# POST /slack/commands end to end: requests signed with python3's hmac like
# Slack signs them (good, bad signature, stale timestamp, missing headers),
# the route off (404) without a signing secret, ssl_check, every command and
# its usage line, against the real server on a free port.
. "$(dirname "$0")/common.sh"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/deps.sh installs it)"
unset SLACK_SIGNING_SECRET
SECRET=8f742231b10e8888abcd99yyyzzz85a5
OPT=AAPL261218C00200000
write_config
cp "$TMP/riskdesk.json" "$TMP/plain.json"
python3 - "$TMP/riskdesk.json" "$SECRET" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["slack"] = {"signing_secret": sys.argv[2], "admins": ["UADMIN"]}
json.dump(c, open(sys.argv[1], "w"))
PY
C=(--config "$TMP/riskdesk.json")
secret "$SECRET" "$TMP/riskdesk.json"

trap 'stop_server; rm -rf "$TMP"' EXIT
. "$(dirname "$0")/slack_lib.sh"
# a response_url on loopback: not in the default slack.response_hosts
# (hooks.slack.com), so riskdesk never posts to it (test_slack_confirm.sh
# follows a trade to a stand-in of Slack)
RESPONSE_URL=http://127.0.0.1:9/commands/T1/1/x
raw() {   # raw BODY [HEADER...]: unsigned or hand-signed
  local b=$1; shift
  local args=()
  for h in "$@"; do args+=(-H "$h"); done
  LAST="raw $b"
  ST=$(curl -s -o "$TMP/body" -w '%{http_code}' -X POST "${args[@]}" --data-binary "$b" \
       "http://127.0.0.1:$PORT/slack/commands")
}
is_error_json() {
  python3 - "$TMP/body" <<'PY' && ok || bad "$LAST: not an error body: $(head -c 200 "$TMP/body")"
import json, sys
d = json.load(open(sys.argv[1]))
assert set(d) == {"error"} and d["error"]["code"] and d["error"]["message"], d
PY
}

# ---- without a secret the route is off: 404, whatever is sent ----
C=(--config "$TMP/plain.json")
start_server "$TMP/s"
slack /accounts ""; expect 404 not_found; is_error_json
raw "ssl_check=1&token=x"; expect 404
stop_server
# the environment's secret turns it on
C=(--config "$TMP/plain.json")
secret envsecret
SLACK_SIGNING_SECRET=envsecret start_server "$TMP/s"
slack /accounts "" UBOB envsecret; expect 200 '"response_type":"ephemeral"'; is_slack
slack /accounts "" UBOB "$SECRET"; expect 401 invalid_signature
stop_server

# ---- the config's secret; the trading clock pinned to a Friday 10:30 ET ----
C=(--config "$TMP/riskdesk.json")
AT=2026-11-20T15:30:00Z
start_server "$TMP/s" --at "$AT"
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role admin --user alice
ADMIN=$(cat "$TMP/out")
keep_token ADMIN
for u in 'bob","display_name":"Bob","slack_user_id":"UBOB' 'carol","display_name":"Carol","slack_user_id":"UCAROL' 'root","display_name":"Root","slack_user_id":"UADMIN'; do
  curl -s -o /dev/null -H "Authorization: Bearer $ADMIN" -d "{\"id\":\"$u\"}" "http://127.0.0.1:$PORT/api/v1/users"
done

# signatures and timestamps
slack /accounts "" UBOB "wrong-secret"; expect 401 invalid_signature; is_error_json
slack /accounts "" UBOB "$SECRET" -301; expect 401 stale_request; is_error_json
slack /accounts "" UBOB "$SECRET" 400; expect 401 stale_request
slack /accounts "" UBOB "$SECRET" -240; expect 200
raw "command=%2Faccounts&user_id=UBOB&text="; expect 401 invalid_signature; is_error_json
raw "command=%2Faccounts&user_id=UBOB&text=" "X-Slack-Request-Timestamp: $(date +%s)"; expect 401
raw "command=%2Faccounts&user_id=UBOB&text=" "X-Slack-Request-Timestamp: $(date +%s)" "X-Slack-Signature: v0=00"; expect 401
# what is wrong is said: a garbage timestamp is not "required" when it was sent
raw "command=%2Faccounts&user_id=UBOB&text=" "X-Slack-Request-Timestamp: soon" "X-Slack-Signature: v0=00"
expect 401 invalid_signature 'X-Slack-Request-Timestamp \"soon\" is not a Unix time in seconds'
expect_not_in "$TMP/body" "are required"
raw "command=%2Faccounts&user_id=UBOB&text=" "X-Slack-Request-Timestamp: $(date +%s)"; expect 401 "X-Slack-Signature is missing"
raw "command=%2Faccounts&user_id=UBOB&text=" "X-Slack-Signature: v0=00"; expect 401 "X-Slack-Request-Timestamp is missing"
# a signed body changed on the way
slack /accounts "" UBOB
ST=$(curl -s -o "$TMP/body" -w '%{http_code}' -X POST -H "X-Slack-Request-Timestamp: $(cat "$TMP/ts")" \
     -H "X-Slack-Signature: $(cat "$TMP/sig")" --data-binary "$(cat "$TMP/req")&x=1" \
     "http://127.0.0.1:$PORT/slack/commands")
LAST="tampered body"; expect 401 invalid_signature
# ssl_check: 200, empty
raw "ssl_check=1&token=x"; expect 200
[ ! -s "$TMP/body" ] && ok || bad "ssl_check answered: $(cat "$TMP/body")"
r_get() { ST=$(curl -s -o "$TMP/body" -w '%{http_code}' "http://127.0.0.1:$PORT/slack/commands"); LAST="GET"; }
r_get; expect 405

# ---- commands ----
# /accounts: an admin sees every account's tier, state, health, cash and
# buying power; a linked user their own; one without an account is told so
slack /accounts "" UADMIN; expect 200 '*Accounts*'; is_slack
python3 - "$TMP/body" <<'PY' && ok || bad "/accounts (admin): $(head -c 600 "$TMP/body")"
import json, re, sys
t = json.load(open(sys.argv[1]))["text"]
lines = t.split("\n")[1:]
assert lines == ["- `large`: tier large, ACTIVE, healthy, cash $209000.00, buying power $209000.00, 0 users",
                 "- `tiny`: tier tiny, ACTIVE, healthy, cash $1804.00, buying power $1804.00, 0 users"], t
assert "Limited" not in t, t
PY
slack /accounts ""; expect 200 'You have no account yet'; is_slack
slack /accounts "" UNOBODY; expect 200 'not linked to a riskdesk user'
slack /accounts "extra" UADMIN; expect 200 'Usage: `/accounts`'; is_slack
slack /my-account ""; expect 200 'have no account yet'; is_slack
slack /my-account "" UNOBODY; expect 200 'not linked to a riskdesk user'; is_slack
slack /my-account "x"; expect 200 'Usage: `/my-account`'
# /trade: usage lines
slack /trade ""; expect 200 'Usage: `/trade SYMBOL ACTION QTY [LIMIT] [dry-run]`'; is_slack
slack /trade "$OPT call"; expect 200 'Usage: `/trade'
slack /trade "$OPT hold 2 2.50"; expect 200 'Usage: `/trade'
slack /trade "$OPT call two 2.50"; expect 200 'Usage: `/trade'
slack /trade "$OPT call 0 2.50"; expect 200 'Usage: `/trade'
slack /trade "$OPT call 2 abc"; expect 200 'Usage: `/trade'
slack /trade "$OPT call 2 2.50 x"; expect 200 'Usage: `/trade'
slack /trade "$OPT call 2 2.50 x dry-run"; expect 200 'Usage: `/trade'
slack /trade "$OPT call dry-run"; expect 200 'Usage: `/trade'
slack /trade "$OPT call 2 2.50" UNOBODY; expect 200 'not linked'
# a dry run: assigned on the first one, every gate's verdict, the balance after
slack /trade "$OPT call 2 2.50 dry-run"
expect 200 "on account \`large\`" 'assigned to you on this first trade' '`trading_hours`' '`buying_power`' \
  'Balance after: cash $' 'no order was sent'; is_slack
python3 - "$TMP/body" <<'PY' && ok || bad "trade answer: $(head -c 600 "$TMP/body")"
import json, re, sys
t = json.load(open(sys.argv[1]))["text"]
# a person's own trade on the shipped settings: Slack sends no volume ratio
# (1.0, under every tier's 1.2), which guards signals, not people
assert re.match(r"\*APPROVED\* BUY_CALL 2 x `AAPL261218C00200000` @ 2\.50", t), t
# the trading clock starts at 10:30 and runs on: a loaded machine may be a minute on
assert re.search(r"pass `trading_hours` ok \(10:3\d / 14:00\)", t), t
assert "pass `volume_ratio` person_trade (1 / 1.2)" in t, t
assert len(re.findall(r"^(pass|FAIL) `", t, re.M)) >= 10, t
m = re.search(r"Balance after: cash \$([\d.]+) \(now \$([\d.]+)\)", t)
after, now = float(m.group(1)), float(m.group(2))
assert now == 209000 and after == now - 500, t
PY
slack /trade "$OPT call 2 dry-run"; expect 200 'give a limit price'
api_recs() { ST=$(curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $ADMIN" "http://127.0.0.1:$PORT/api/v1/recommendations"); LAST="recommendations"; }
api_recs; expect 200 '{"recommendations":[]}'
# the firm's own example, a plain stock buy, for real: approved and queued for
# large's dispatcher as a person's trade
slack /trade "AAPL buy 2 190.50"; expect 200 "on account \`large\`"; is_slack
cp "$TMP/body" "$TMP/real"
api_recs; expect 200
python3 - "$TMP/real" "$TMP/body" <<'PY' && ok || bad "real trade: $(head -c 600 "$TMP/real") / $(head -c 300 "$TMP/body")"
import json, re, sys
t = json.load(open(sys.argv[1]))["text"]
recs = json.load(open(sys.argv[2]))["recommendations"]
assert t.startswith("*APPROVED* BUY_STOCK 2 x `AAPL` @ 190.50"), t
m = re.search(r"_Queued for account `large`'s dispatcher as `(trade-bob-\d+-1)`: it places the order on its next cycle\._\n"
              r"_No confirmation will follow: host \"127\.0\.0\.1:9\" is not in slack\.response_hosts\._$", t)
assert m, t
assert [(r["id"], r["action"], r["qty"], r["origin"]) for r in recs] == [(m.group(1), "BUY_STOCK", 2, "person")], recs
PY
slack /my-account ""; expect 200 'trade through account `large`'
slack /accounts ""; expect 200 '*Your account*' '- `large`: tier large, ACTIVE, healthy, cash $' '1 user'
expect_not_in "$TMP/body" '`tiny`'
slack /trade "AAPL buy 2"; expect 200 'give a limit price'; is_slack
# /account-users: your own account; another only for admins
slack /account-users ""; expect 200 'Users of `large`' 'bob (Bob)'; is_slack
slack /account-users "tiny"; expect 200 'only the users of your own account'
slack /account-users "" UCAROL; expect 200 'Usage: `/account-users [ACCOUNT]`'
slack /account-users "tiny" UADMIN; expect 200 'Users of `tiny`' 'none'
slack /account-users "nowhere" UADMIN; expect 200 'No account named `nowhere`'
slack /account-users "a b c" UADMIN; expect 200 'Usage: `/account-users'
# an admin without an argument: every account's users
slack /account-users "" UADMIN; expect 200; is_slack
python3 - "$TMP/body" <<'PY' && ok || bad "/account-users (admin): $(head -c 600 "$TMP/body")"
import json, sys
t = json.load(open(sys.argv[1]))["text"]
assert t == "*Users of `large`*\n- bob (Bob)\n*Users of `tiny`*\nnone", t
PY
# /assign-account: admins only (by Slack id in the config)
slack /assign-account "<@UCAROL|carol> tiny"; expect 200 'Only a riskdesk admin'; is_slack
slack /assign-account "<@UCAROL|carol> tiny" UADMIN; expect 200 'Assigned carol to `tiny`.'; is_slack
slack /assign-account "@bob tiny" UADMIN; expect 200 'Assigned bob to `tiny` (was `large`).'
slack /assign-account "carol nowhere" UADMIN; expect 200 'No open account named `nowhere`'
slack /assign-account "<@UZED> tiny" UADMIN; expect 200 'No riskdesk user is `UZED`' 'Usage: `/assign-account @user ACCOUNT`'
slack /assign-account "carol" UADMIN; expect 200 'Usage: `/assign-account @user ACCOUNT`'
slack /accounts "" UADMIN; expect 200 '`tiny`: tier tiny' '2 users' '`large`: tier large' '0 users'
# the history says who did it
ST=$(curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $ADMIN" "http://127.0.0.1:$PORT/api/v1/assignments?user=bob")
LAST="history"; expect 200 '"assigned_by":"slack:UADMIN"' '"previous":"large"' '"reason":"first trade"'
# /audit-head: admins only; each chain's head as `riskdesk audit head` has it
slack /audit-head ""; expect 200 'Only a riskdesk admin'; is_slack
slack /audit-head "x" UADMIN; expect 200 'Usage: `/audit-head`'
slack /audit-head "" UADMIN; expect 200 '*Audit chain heads*'; is_slack
cp "$TMP/body" "$TMP/heads_slack.json"
expect_rc 0 "$RD_BIN" audit head "${C[@]}"
python3 - "$TMP/heads_slack.json" "$TMP/out" <<'PY' && ok || bad "/audit-head differs from audit head"
import json, sys
text = json.load(open(sys.argv[1]))["text"]
heads = [l.split("\t") for l in open(sys.argv[2]).read().splitlines()]
assert heads and any(h[0] == "firm" for h in heads), heads
lines = [l for l in text.splitlines() if l.startswith("- `")]
assert lines == ["- `%s` #%s `%s`" % (c, q, h) for c, q, h in heads], (lines, heads)
PY
# unknown commands
slack /frobnicate "x"; expect 200 'Unknown command `/frobnicate`' 'Commands: `/trade' '`/audit-head`'; is_slack
stop_server

# /assign-account to an unhealthy account assigns, and warns (its broker: a dead port)
DEAD=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export DEADX_API_KEY=PKDEADX000000001 DEADX_SECRET_KEY=sEcReT0123456789abcdef0123456789abcdef \
  DEADX_BASE_URL="http://127.0.0.1:$DEAD" RISKDESK_ALPACA_TIMEOUT_MS=500
python3 - "$TMP/riskdesk.json" "$TMP/dead.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["health"] = {"interval_s": 1, "failures": 1}
c["accounts"].append({"name": "dead", "broker": "alpaca", "credentials": "env:DEADX", "tier": "large"})
json.dump(c, open(sys.argv[2], "w"))
PY
secret "$SECRET" "$TMP/dead.json"
secret "$DEADX_SECRET_KEY"
C=(--config "$TMP/dead.json")
start_server "$TMP/s"
slack /assign-account "carol dead" UADMIN
expect 200 'Assigned carol to `dead` (was `tiny`). Warning: account \"dead\" is unhealthy'
# an account that failed to start: every answer says what is limited
expect_in "$TMP/body" 'Limited: account `dead` failed to start: trades through it are refused'
slack /accounts "" UADMIN; expect 200 '`dead`: tier large, ACTIVE, UNHEALTHY' 'cash $?' \
  'Limited: account `dead` failed to start'; is_slack
slack /assign-account "carol large" UADMIN; expect 200 'Assigned carol to `large` (was `dead`).'
expect_not_in "$TMP/body" "Warning"

stop_server
finish
