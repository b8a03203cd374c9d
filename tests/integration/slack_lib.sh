# Sourced by the Slack tests after common.sh: requests signed as Slack signs
# them (python3's hmac over "v0:" + timestamp + ":" + the raw body).
#
# slack COMMAND TEXT [USER [SECRET [TS_OFFSET]]]: a signed slash command to
# /slack/commands; status in $ST, body in $TMP/body. Its response_url is
# $RESPONSE_URL (default Slack's own host), its trigger_id $TRIGGER_ID.
# slack_post PATH BODY [SECRET]: any body, signed, to PATH.
# is_slack: $TMP/body is a Slack answer (ephemeral, text, one mrkdwn section
# with the same text).
slack_sign() {   # slack_sign BODYFILE SECRET OFFSET: the signature headers' values into $TMP/ts, $TMP/sig
  python3 - "$1" "$2" "$3" "$TMP" <<'PY'
import hashlib, hmac, sys, time
body, secret, off, tmp = open(sys.argv[1], "rb").read(), sys.argv[2], sys.argv[3], sys.argv[4]
ts = str(int(time.time()) + int(off))
sig = "v0=" + hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
open(tmp + "/ts", "w").write(ts)
open(tmp + "/sig", "w").write(sig)
PY
}
slack_post() {
  local path=$1 body=$2 secret=${3-$SECRET}
  printf '%s' "$body" >"$TMP/req"
  slack_sign "$TMP/req" "$secret" 0
  ST=$(curl -s -o "$TMP/body" -w '%{http_code}' -X POST \
       -H 'Content-Type: application/x-www-form-urlencoded' \
       -H "X-Slack-Request-Timestamp: $(cat "$TMP/ts")" -H "X-Slack-Signature: $(cat "$TMP/sig")" \
       --data-binary "@$TMP/req" "http://127.0.0.1:$PORT$path")
}
slack() {
  local cmd=$1 text=$2 user=${3-UBOB} secret=${4-$SECRET} off=${5-0}
  LAST="$cmd $text ($user)"
  python3 - "$cmd" "$text" "$user" "${RESPONSE_URL-https://hooks.slack.com/commands/T1/1/x}" \
      "${TRIGGER_ID-1.2.3}" "$TMP" <<'PY'
import sys, urllib.parse
cmd, text, user, url, trigger, tmp = sys.argv[1:]
body = urllib.parse.urlencode({"token": "x", "team_id": "T1", "channel_id": "C1", "user_id": user,
                               "user_name": "someone", "command": cmd, "text": text,
                               "response_url": url, "trigger_id": trigger})
open(tmp + "/req", "w").write(body)
PY
  slack_sign "$TMP/req" "$secret" "$off"
  ST=$(curl -s -o "$TMP/body" -w '%{http_code}' -X POST \
       -H 'Content-Type: application/x-www-form-urlencoded' \
       -H "X-Slack-Request-Timestamp: $(cat "$TMP/ts")" -H "X-Slack-Signature: $(cat "$TMP/sig")" \
       --data-binary "@$TMP/req" "http://127.0.0.1:$PORT/slack/commands")
}
is_slack() {
  python3 - "$TMP/body" <<'PY' && ok || bad "$LAST: not a Slack answer: $(head -c 300 "$TMP/body")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["response_type"] == "ephemeral" and d["text"], d
b = d["blocks"]
assert b[0]["type"] == "section" and b[0]["text"]["type"] == "mrkdwn" and b[0]["text"]["text"] == d["text"], d
PY
}

# start_fake_slack [ARGS...]: tests/tools/fake_slack.py on a free port; sets
# FAKE (its URL) and FAKE_PID. The caller's trap ends it.
start_fake_slack() {
  python3 "$RD_SOURCE_DIR/tests/tools/fake_slack.py" "$@" >"$TMP/slack.port" 2>"$TMP/slack.err" &
  FAKE_PID=$!
  for _ in $(seq 100); do [ -s "$TMP/slack.port" ] && break; sleep 0.05; done
  FAKE="http://127.0.0.1:$(head -1 "$TMP/slack.port")"
}
# fake_calls PATH OUT: prints how many requests the stand-in took at PATH and
# writes {"n", "last": the last one (its Authorization header left out)} to OUT
fake_calls() {
  python3 - "$FAKE" "$1" "$2" <<'PY'
import json, sys, urllib.request
fake, path, out = sys.argv[1:]
reqs = [r for r in json.load(urllib.request.urlopen(fake + "/_log"))["requests"] if r["path"] == path]
for r in reqs:
    r["headers"].pop("authorization", None)   # the bot token: the stand-in checked it
json.dump({"n": len(reqs), "last": reqs[-1] if reqs else None}, open(out, "w"))
print(len(reqs))
PY
}
