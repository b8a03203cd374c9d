#!/usr/bin/env bash
# POST /api/v1/replay over loopback HTTP on the demo's database: the answer is
# riskdesk replay --json's, byte for byte, for a whole config and for a risk
# section; an admin replays any account, a trader only their own, a viewer
# none; bad bodies are refused naming what is wrong; no recommendation,
# decision, order, position or trade changes.
. "$(dirname "$0")/common.sh"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/deps.sh installs it)"
trap 'stop_server; rm -rf "$TMP"' EXIT

expect_rc 0 "$RD_BIN" demo --duration 2 --interval-ms 0 --db "$TMP/demo.db"
expect_rc 0 "$RD_BIN" demo --print-config
cp "$TMP/out" "$TMP/riskdesk.json"
C=(--config "$TMP/riskdesk.json" --db "sqlite:$TMP/demo.db")
rows() {
  python3 - "$TMP/demo.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
# what replay reads (the server itself writes its users, tokens and the paper
# broker's marks to market)
for t in ("recs", "decisions", "orders", "positions", "trades"):
    for row in sorted(map(repr, db.execute('SELECT * FROM "%s"' % t))):
        print(t, row)
PY
}
# the demo config with tiny's max_open_positions at 1, as a file and as tiny's risk section
python3 - "$TMP" <<'PY'
import json, sys
c = json.load(open(sys.argv[1] + "/riskdesk.json"))
c["accounts"][1]["risk"]["max_open_positions"] = 1
json.dump(c, open(sys.argv[1] + "/tight.json", "w"))
json.dump(c["accounts"][1]["risk"], open(sys.argv[1] + "/tight_risk.json", "w"))
PY
W=(--from 2026-01-01 --to 2030-12-31 --json)
expect_rc 0 "$RD_BIN" replay "${C[@]}" --account large "${W[@]}"; cp "$TMP/out" "$TMP/cli_same.json"
expect_rc 0 "$RD_BIN" replay --config "$TMP/tight.json" --db "sqlite:$TMP/demo.db" --account tiny "${W[@]}"
cp "$TMP/out" "$TMP/cli_tight.json"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(not (r["changes"]["now_rejected"] > 0 and all(c["gate"] == "open_positions" for c in r["changed"])))' \
  "$TMP/cli_tight.json" && ok || bad "tiny with max_open_positions 1 flips nothing by open_positions"

expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role admin --user alice
ADMIN=$(cat "$TMP/out"); keep_token ADMIN
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role viewer --user vera
VIEWER=$(cat "$TMP/out"); keep_token VIEWER
rows >"$TMP/before"
start_server "$TMP/s"
r POST /api/v1/users "$ADMIN" '{"id":"bob","display_name":"Bob"}'; expect 201
r PUT /api/v1/users/bob/assignment "$ADMIN" '{"account":"tiny"}'; expect 200 '"account":"tiny"'
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role trader --user bob
BOB=$(cat "$TMP/out"); keep_token BOB

WIN='"from":"2026-01-01","to":"2030-12-31"'
# a whole config: the CLI's answer
r POST /api/v1/replay "$ADMIN" "{\"account\":\"large\",$WIN,\"config\":$(cat "$TMP/riskdesk.json")}"
expect 200
if cmp -s "$TMP/body" "$TMP/cli_same.json"; then ok; else bad "the API's whole-config replay is not the CLI's"; fi
jcheck 'd["identical"] == d["decisions"] > 0'
# tiny's risk section, by its trader: the CLI's answer with the tight file
r POST /api/v1/replay "$BOB" "{\"account\":\"tiny\",$WIN,\"risk\":$(cat "$TMP/tight_risk.json")}"
expect 200
if cmp -s "$TMP/body" "$TMP/cli_tight.json"; then ok; else bad "the API's risk-section replay is not the CLI's"; diff <(python3 -m json.tool "$TMP/body") <(python3 -m json.tool "$TMP/cli_tight.json") | head -5; fi

# who may: a trader only their own account, a viewer none, no token nobody
r POST /api/v1/replay "$BOB" "{\"account\":\"large\",$WIN,\"risk\":{}}"; expect 403 '"forbidden_account"'
r POST /api/v1/replay "$VIEWER" "{\"account\":\"tiny\",$WIN,\"risk\":{}}"; expect 403
r POST /api/v1/replay "" "{\"account\":\"tiny\",$WIN,\"risk\":{}}"; expect 401

# bad bodies
r POST /api/v1/replay "$ADMIN" "{\"account\":\"tiny\",\"to\":\"2030-12-31\",\"risk\":{}}"; expect 400 'from: required'
r POST /api/v1/replay "$ADMIN" "{\"account\":\"tiny\",\"from\":\"2026-13-01\",\"to\":\"2030-12-31\",\"risk\":{}}"; expect 400 'from: \"2026-13-01\"'
r POST /api/v1/replay "$ADMIN" "{\"account\":\"tiny\",$WIN}"; expect 400 '\"risk\"' '\"config\"'
r POST /api/v1/replay "$ADMIN" "{\"account\":\"tiny\",$WIN,\"risk\":{\"max_open_positons\":1}}"; expect 400 'invalid_config' 'max_open_positons'
r POST /api/v1/replay "$ADMIN" "{\"account\":\"tiny\",$WIN,\"risk\":{\"max_open_positions\":0}}"; expect 400 'max_open_positions'
r POST /api/v1/replay "$ADMIN" "{\"account\":\"tiny\",$WIN,\"config\":{\"accounts\":[{\"name\":\"tiny\",\"risk\":\"file:/etc/passwd\"}]}}"
expect 400 'config.accounts[0].risk: expected an object'
r POST /api/v1/replay "$ADMIN" "{\"account\":\"tiny\",$WIN,\"config\":{\"accounts\":[{\"name\":\"other\"}]}}"; expect 400 'no account named \"tiny\"'
r POST /api/v1/replay "$ADMIN" "{\"account\":\"nobody\",$WIN,\"risk\":{}}"; expect 404
r POST /api/v1/replay "$ADMIN" "{\"account\":\"tiny\",$WIN,\"risk\":{},\"extra\":1}"; expect 400 'extra'
stop_server
rows >"$TMP/after"
if cmp -s "$TMP/before" "$TMP/after"; then ok; else bad "replay over HTTP changed the store"; diff "$TMP/before" "$TMP/after" | head -5; fi
finish
