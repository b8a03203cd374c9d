#!/usr/bin/env bash
# The HTTP API end to end: the real server on a free loopback port, driven with
# curl. Every route, every auth case (no token, bad token, revoked, each role,
# a trader outside their account), every error (404, 405, 413, bad JSON,
# unknown fields and parameters, conflicts), nothing changed on error, a
# malformed-input barrage, serve --dispatch, and SIGTERM.
. "$(dirname "$0")/common.sh"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/deps.sh installs it)"
write_config
C=(--config "$TMP/riskdesk.json")
AT=2026-11-20T15:30:00Z

trap 'stop_server; rm -rf "$TMP"' EXIT

is_error_json() {   # every error body has the one shape
  python3 - "$TMP/body" <<'PY' && ok || bad "$LAST: not an error body: $(head -c 200 "$TMP/body")"
import json, sys
d = json.load(open(sys.argv[1]))
assert set(d) == {"error"} and set(d["error"]) == {"code", "message"}, d
assert d["error"]["code"] and d["error"]["message"]
PY
}

# ---- tokens from the CLI ----
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role admin --user alice --label ops
ADMIN=$(cat "$TMP/out")
[ "$(wc -l <"$TMP/out")" -eq 1 ] && ok || bad "tokens create printed more than one line"
keep_token ADMIN
[[ $ADMIN =~ ^rdk_[A-Za-z0-9_-]{43}$ ]] && ok || bad "token shape: $ADMIN"
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role viewer --user vera
VIEWER=$(cat "$TMP/out")
keep_token VIEWER
expect_rc 1 "$RD_BIN" tokens create "${C[@]}" --role trader --user bob
expect_in "$TMP/err" 'no user "bob"'
expect_rc 2 "$RD_BIN" tokens create "${C[@]}" --role root --user x
expect_in "$TMP/err" "expected admin, trader or viewer"
expect_rc 2 "$RD_BIN" tokens create "${C[@]}" --role admin
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role admin --user mallory
REVOKED=$(cat "$TMP/out")
keep_token REVOKED
expect_rc 0 "$RD_BIN" tokens list "${C[@]}" --json
python3 - "$TMP/out" "$ADMIN" <<'PY' && ok || bad "tokens list --json"
import json, sys
rows = json.load(open(sys.argv[1]))
assert [r["role"] for r in rows] == ["admin", "viewer", "admin"], rows
assert all(sys.argv[2] not in json.dumps(r) and len(r["prefix"]) == 12 for r in rows)
PY
expect_rc 0 "$RD_BIN" tokens revoke "${C[@]}" 3
expect_rc 1 "$RD_BIN" tokens revoke "${C[@]}" 99
expect_in "$TMP/err" "no token with id 99"
expect_rc 2 "$RD_BIN" tokens revoke "${C[@]}" abc
# sql QUERY: the first column of the first row, from the store (python3's sqlite3)
sql() { python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$TMP/rd.db" "$1"; }
[ "$(sql "SELECT count(*) FROM api_tokens WHERE instr(hash, '$ADMIN') > 0")" = 0 ] && ok || bad "token stored in clear"

# ---- decisions to look at: recommendations decided by the CLI dispatcher ----
rec() {  # rec ID UNDERLYING PRICE
  printf '{"id":"%s","created_at":"2026-11-20T15:29:50Z","underlying":"%s","symbol":"%s261218C00100000","action":"BUY_CALL","strategy":"swing","confidence":0.8,"volume_ratio":3,"price":"%s"}' "$1" "$2" "$2" "$3"
}
expect_rc 0 "$RD_BIN" recommend add "${C[@]}" --rec "$(rec d1 AAPL 1.00)"
expect_rc 0 "$RD_BIN" recommend add "${C[@]}" --rec "$(rec d2 MSFT 500.00)"
expect_rc 0 "$RD_BIN" dispatch "${C[@]}" --account large --once --at "$AT"
expect_rc 0 "$RD_BIN" dispatch "${C[@]}" --account tiny --once --at "$AT"

LOG_LEVEL=info start_server "$TMP/s1" --body-max 4096 --threads 2

# ---- public routes ----
r GET /healthz ""; expect 200 '"status":"ok"'
r GET /readyz ""; expect 200 '"ready":true' '"store":{"ok":true}'
r GET /readyz "$VIEWER"; expect 200 '"ready":true' '"store":{"ok":true}'
jcheck '[a["name"] for a in d["accounts"]] == ["large", "tiny"] and all(a["broker_ok"] for a in d["accounts"])'
r GET /metrics ""; expect 200 'riskdesk_account_buying_power_dollars{account="large",tier="large"} ' \
  'riskdesk_account_equity_dollars{account="tiny",tier="tiny"} ' \
  'riskdesk_account_open_positions{account="large",tier="large"} 1' \
  'riskdesk_decisions_total{account="large",tier="large",outcome="approved",gate="none"} 1' \
  'riskdesk_decisions_total{account="tiny",tier="tiny",outcome="rejected",gate=' \
  'riskdesk_orders_total{account="large",tier="large",status="filled"} 1' \
  'riskdesk_account_kill_switch{account="tiny",tier="tiny"} 0' \
  'riskdesk_http_requests_total{method="GET",route="/readyz",code="200"} 2' \
  'riskdesk_http_request_duration_seconds_bucket{method="GET",route="/healthz",le="+Inf"} 1' \
  '# TYPE riskdesk_http_request_duration_seconds histogram'
grep -q "Content-Type: text/plain; version=0.0.4" "$TMP/hdr" && ok || bad "metrics content type"
grep -qF "$ADMIN" "$TMP/body" && bad "a token in /metrics" || ok
grep -q "rdk_" "$TMP/body" && bad "token-like text in /metrics" || ok

# ---- auth ----
r GET /api/v1/accounts ""; expect 401 missing_token; is_error_json
grep -qi "WWW-Authenticate: Bearer" "$TMP/hdr" && ok || bad "401 without WWW-Authenticate"
LAST="Basic auth"; ST=$(curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Basic YTpi" "http://127.0.0.1:$PORT/api/v1/accounts"); expect 401 invalid_token
r GET /api/v1/accounts "rdk_nottherealtoken"; expect 401 invalid_token; is_error_json
r GET /api/v1/accounts "${ADMIN}x"; expect 401 invalid_token
r GET /api/v1/accounts "$REVOKED"; expect 401 "revoked"
r GET /api/v1/accounts "$VIEWER"; expect 200 '"name":"large"' '"name":"tiny"'
r POST /api/v1/accounts "$VIEWER" '{"name":"x"}'; expect 403 forbidden "needs the admin role"; is_error_json
r POST /api/v1/recommendations "$VIEWER" "$(rec v1 AAPL 1.00)"; expect 403 forbidden
r PATCH /api/v1/accounts/large "$VIEWER" '{"state":"HALTED"}'; expect 403
r DELETE /api/v1/accounts/large "$VIEWER"; expect 403
r POST /api/v1/users "$VIEWER" '{"id":"x","display_name":"X"}'; expect 403
r PUT /api/v1/users/x/assignment "$VIEWER" '{"account":"large"}'; expect 403

# ---- errors from the table and the body ----
r GET /api/v1/nothing "$ADMIN"; expect 404 not_found; is_error_json
r GET /api/v1/accounts/ "$ADMIN"; expect 404
r GET /nothing ""; expect 404
r GET /api/v1/accounts/nobody "$ADMIN"; expect 404 'no account named \"nobody\"'
r PUT /api/v1/accounts "$ADMIN"; expect 405 method_not_allowed; is_error_json
grep -q "^Allow: GET, POST" "$TMP/hdr" && ok || bad "405 without Allow: GET, POST"
r DELETE /healthz ""; expect 405
r POST /api/v1/accounts "$ADMIN" '{"name": "x",'; expect 400 bad_json "line 1"; is_error_json
r POST /api/v1/accounts "$ADMIN" ''; expect 400 bad_json
r POST /api/v1/accounts "$ADMIN" '[1]'; expect 400 "expected a JSON object"
r POST /api/v1/accounts "$ADMIN" '{"name":"x","colour":"red"}'; expect 400 unknown_field 'unknown field \"colour\"'
r POST /api/v1/accounts "$ADMIN" '{"name":"x","name":"y"}'; expect 400 bad_json duplicate
r GET "/api/v1/accounts?sort=name" "$ADMIN"; expect 400 unknown_parameter 'unknown query parameter \"sort\"'
r GET "/api/v1/accounts/large/decisions?limit=0" "$ADMIN"; expect 400 "limit"
r GET "/api/v1/accounts/large/orders?status=lost" "$ADMIN"; expect 400 "status"
BIG=$(python3 -c 'print("[" + ",".join(["{}"] * 2000) + "]")')
r POST /api/v1/recommendations "$ADMIN" "$BIG"; expect 413 body_too_large; is_error_json
# chunked (no Content-Length): refused after reading, the same way
LAST="chunked 413"; ST=$(printf '%s' "$BIG" | curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $ADMIN" -H "Transfer-Encoding: chunked" --data-binary @- "http://127.0.0.1:$PORT/api/v1/recommendations"); expect 413
r GET /api/v1/decisions/abc "$ADMIN"; expect 404
r GET /api/v1/decisions/999999 "$ADMIN"; expect 404

# ---- accounts ----
r GET /api/v1/accounts "$ADMIN"; expect 200
jcheck 'd["accounts"][0]["name"] == "large" and float(d["accounts"][0]["equity"]) > 200000 and d["accounts"][0]["source"] == "config" and d["accounts"][0]["broker_ok"]'
r GET /api/v1/accounts/large "$ADMIN"; expect 200 '"open_positions":1' '"state":"ACTIVE"'
r GET /api/v1/accounts/large/positions "$ADMIN"; expect 200 '"symbol":"AAPL261218C00100000"' '"qty":'
r GET /api/v1/accounts/large/orders "$ADMIN"; expect 200 '"status":"filled"' '"client_order_id":"rd-'
r GET "/api/v1/accounts/large/orders?status=rejected" "$ADMIN"; expect 200 '{"orders":[]}'
r GET "/api/v1/accounts/large/decisions?limit=5" "$ADMIN"; expect 200
jcheck 'len(d["decisions"]) == 2 and all(len(x["decision"]["gates"]) == 20 for x in d["decisions"])'
DEC=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["decisions"][0]["id"])' "$TMP/body")
r GET /api/v1/accounts/tiny/decisions "$ADMIN"; expect 200
TINYDEC=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["decisions"][0]["id"])' "$TMP/body")
r GET "/api/v1/decisions/$DEC" "$ADMIN"; expect 200 '"account":"large"' '"name":"trading_state"' '"name":"firm_exposure"'
jcheck 'len(d["decision"]["gates"]) == 20 and all(set(g) == {"name","passed","reason","observed","threshold"} for g in d["decision"]["gates"])'
r GET /api/v1/accounts/large/config "$ADMIN"; expect 200 '"max_open_positions":5' '"tier_params":{"name":"large"' '"credentials":""'
r GET /api/v1/tiers "$VIEWER"; expect 200
jcheck '[t["name"] for t in d["tiers"]] == ["tiny","small","medium","large"] and d["tiers"][0]["max_contracts"] == 1 and d["tiers"][3]["max_buying_power"] is None'

r POST /api/v1/accounts "$ADMIN" '{"name":"fresh","tier":"small","starting_cash":"3000","risk":{"max_open_positions":3}}'
expect 201 '"name":"fresh"' '"source":"api"' '"buying_power":"3000.00"'
r POST /api/v1/accounts "$ADMIN" '{"name":"FRESH"}'; expect 409 conflict
r POST /api/v1/accounts "$ADMIN" '{"name":"large"}'; expect 409 "in the config file"
r POST /api/v1/accounts "$ADMIN" '{"name":"bad one"}'; expect 400 "name"
r POST /api/v1/accounts "$ADMIN" '{"name":"x2","tier":"giant"}'; expect 400 invalid_account "giant"
r POST /api/v1/accounts "$ADMIN" '{"name":"x3","credentials":"file:/etc/passwd"}'; expect 400 "config file only"
r POST /api/v1/accounts "$ADMIN" '{"name":"x4","risk":{"max_open_positions":-1}}'; expect 400 invalid_account
r GET /api/v1/accounts/x2 "$ADMIN"; expect 404
r GET /api/v1/accounts/fresh/config "$ADMIN"; expect 200 '"max_open_positions":3' '"source":"api"'
r PATCH /api/v1/accounts/fresh "$ADMIN" '{"risk":{"max_open_positions":4}}'; expect 200
r GET /api/v1/accounts/fresh/config "$ADMIN"; expect 200 '"max_open_positions":4'
r PATCH /api/v1/accounts/fresh "$ADMIN" '{"risk":{"max_open_positions":0}}'; expect 400 invalid_account
r GET /api/v1/accounts/fresh/config "$ADMIN"; expect 200 '"max_open_positions":4'
r PATCH /api/v1/accounts/large "$ADMIN" '{"risk":{"max_open_positions":4}}'; expect 409 defined_in_config
r PATCH /api/v1/accounts/large "$ADMIN" '{"state":"SLEEPING"}'; expect 400 "expected ACTIVE, REDUCING or HALTED"
r PATCH /api/v1/accounts/large "$ADMIN" '{"state":"HALTED","state_reason":"broker maintenance"}'
expect 200 '"state":"HALTED"' 'broker maintenance'
r GET /metrics ""; expect 200 'riskdesk_account_kill_switch{account="large",tier="large"} 1'
r PATCH /api/v1/accounts/large "$ADMIN" '{"state":"ACTIVE"}'; expect 200 '"state":"ACTIVE"'
r DELETE /api/v1/accounts/fresh "$ADMIN"; expect 200 '"closed":true' '"state":"REDUCING"' '"closed_by":"alice"'
r GET /metrics ""; expect 200 'riskdesk_account_closed{account="fresh",tier="small"} 1' 'riskdesk_account_state{account="fresh",tier="small",state="REDUCING"} 1'
r DELETE /api/v1/accounts/fresh "$ADMIN"; expect 200 '"closed":true'
# the dispatcher sees the closed account: no new entries (REDUCING)
expect_rc 0 "$RD_BIN" gates eval "${C[@]}" --account tiny --at "$AT" --rec "$(rec g1 IBM 1.00)"
[ "$(sql "SELECT state FROM accounts WHERE name = 'fresh'")" = REDUCING ] && ok || bad "closed account not REDUCING in the store"

# ---- recommendations ----
r POST /api/v1/recommendations "$ADMIN" "$(rec p1 AMD 1.00)"; expect 201 '"id":"p1"'
r POST /api/v1/recommendations "$ADMIN" "$(rec p1 AMD 1.00)"; expect 409 conflict 'recommendation \"p1\" already exists'
r POST /api/v1/recommendations "$ADMIN" "[$(rec b1 AMD 1.00),$(rec b2 IBM 1.00)]"; expect 201 '"stored":2'
# one bad item: 400 naming it, nothing of the batch stored
r POST /api/v1/recommendations "$ADMIN" "[$(rec b3 AMD 1.00),{\"id\":\"b4\"}]"; expect 400 invalid_recommendation "item 1:"
r GET /api/v1/recommendations/b3 "$ADMIN"; expect 404
r POST /api/v1/recommendations "$ADMIN" "[$(rec b5 AMD 1.00),$(rec b1 AMD 1.00)]"; expect 409 "item 1:" "nothing of the batch"
r GET /api/v1/recommendations/b5 "$ADMIN"; expect 404
r POST /api/v1/recommendations "$ADMIN" "[$(rec b6 AMD 1.00),$(rec b6 AMD 1.00)]"; expect 409 "item 1:"
r POST /api/v1/recommendations "$ADMIN" '[{"id":"x"},'; expect 400 bad_json
# a body that is not JSON is bad_json naming line and column, whichever item holds it
r POST /api/v1/recommendations "$ADMIN" '{"id": x}'; expect 400 bad_json "line 1, column 8"
r POST /api/v1/recommendations "$ADMIN" "[$(rec b7 AMD 1.00),
 {\"id\": nope}]"; expect 400 bad_json "line 2, column 12"
r POST /api/v1/recommendations "$ADMIN" '[nope]'; expect 400 bad_json "line 1, column 5"
r POST /api/v1/recommendations "$ADMIN" "$(rec b8 AMD 1.00) trailing"; expect 400 bad_json "line 1"
r POST /api/v1/recommendations "$ADMIN" '[1]'; expect 400 invalid_recommendation "item 0:"
r GET /api/v1/recommendations/b7 "$ADMIN"; expect 404
r POST /api/v1/recommendations "$ADMIN" "$(rec bad AMD 1.00 | sed 's/BUY_CALL/BUY_CALLS/')"; expect 400 'action: \"BUY_CALLS\"'
r GET /api/v1/recommendations/p1 "$VIEWER"; expect 200 '"underlying":"AMD"'
r GET "/api/v1/recommendations?underlying=AMD&limit=10" "$VIEWER"; expect 200
jcheck 'sorted(x["id"] for x in d["recommendations"]) == ["b1","p1"]'
r GET "/api/v1/recommendations?action=BUY_CALL&strategy=swing&since=2026-11-20T00:00:00Z&until=2026-11-21T00:00:00Z" "$VIEWER"; expect 200
jcheck 'sorted(x["id"] for x in d["recommendations"]) == ["b1", "b2", "d1", "d2", "p1"]'
r GET "/api/v1/recommendations?since=yesterday" "$VIEWER"; expect 400 since
r GET "/api/v1/recommendations?action=HOLD" "$VIEWER"; expect 400 action
r GET "/api/v1/recommendations?limit=5000" "$VIEWER"; expect 400 limit

# ---- users and assignments ----
r POST /api/v1/users "$ADMIN" '{"id":"bob","display_name":"Bob","department":"options","slack_user_id":"U123"}'
expect 201 '"id":"bob"' '"account":null'
r POST /api/v1/users "$ADMIN" '{"id":"bob","display_name":"Bob"}'; expect 409
r POST /api/v1/users "$ADMIN" '{"id":"carol","display_name":"Carol","department":"equities"}'; expect 201
r POST /api/v1/users "$ADMIN" '{"id":"no name"}'; expect 400
r POST /api/v1/users "$ADMIN" '{"id":"dan"}'; expect 400 display_name
r GET /api/v1/users "$VIEWER"; expect 200 '"id":"bob"' '"id":"carol"'
r GET /api/v1/users/bob "$VIEWER"; expect 200 '"slack_user_id":"U123"'
r GET /api/v1/users/zed "$VIEWER"; expect 404
r PATCH /api/v1/users/bob "$ADMIN" '{"department":"index options"}'; expect 200 '"department":"index options"' '"display_name":"Bob"'
r PATCH /api/v1/users/bob "$ADMIN" '{"id":"robert"}'; expect 400 unknown_field
r GET /api/v1/users/bob/assignment "$ADMIN"; expect 200 '"account":null' '"last_change":null'
r PUT /api/v1/users/bob/assignment "$ADMIN" '{"account":"tiny","reason":"new hire"}'
expect 200 '"account":"tiny"' '"strategy":"manual"' '"assigned_by":"alice"' '"previous":null'
r PUT /api/v1/users/bob/assignment "$ADMIN" '{"account":"fresh"}'; expect 409 account_closed
r PUT /api/v1/users/bob/assignment "$ADMIN" '{"account":"nowhere"}'; expect 404
r PUT /api/v1/users/bob/assignment "$ADMIN" '{"strategy":"by_horoscope"}'; expect 400 "expected manual"
r PUT /api/v1/users/zed/assignment "$ADMIN" '{"account":"tiny"}'; expect 404
r PUT /api/v1/users/carol/assignment "$ADMIN" '{"account":"large"}'; expect 200
r GET /api/v1/users/bob/assignment "$VIEWER"; expect 200 '"account":"tiny"' '"reason":"new hire"'
r GET /api/v1/assignments "$VIEWER"; expect 200
jcheck '[a["user"] for a in d["assignments"]] == ["carol", "bob"]'
r GET "/api/v1/assignments?user=bob" "$VIEWER"; expect 200
jcheck 'len(d["assignments"]) == 1'
r GET "/api/v1/assignments?account=large&limit=1" "$VIEWER"; expect 200 '"user":"carol"'
r GET /api/v1/assignments/stats "$VIEWER"; expect 200 '"users":2' '"unassigned":0'
jcheck '{a["account"]: a["users"] for a in d["accounts"]} == {"large": 1, "tiny": 1, "fresh": 0}'

# ---- a trader: only their own account and user ----
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role trader --user bob
TRADER=$(cat "$TMP/out")
keep_token TRADER
r GET /api/v1/accounts "$TRADER"; expect 200
jcheck '[a["name"] for a in d["accounts"]] == ["tiny"]'
r GET /api/v1/accounts/tiny "$TRADER"; expect 200
for p in /api/v1/accounts/large /api/v1/accounts/large/positions /api/v1/accounts/large/decisions \
         /api/v1/accounts/large/orders /api/v1/accounts/large/config "/api/v1/decisions/$DEC"; do
  r GET "$p" "$TRADER"; expect 403 forbidden_account; is_error_json
done
r GET "/api/v1/decisions/$TINYDEC" "$TRADER"; expect 200 '"account":"tiny"'
r GET /api/v1/users "$TRADER"; expect 200
jcheck '[u["id"] for u in d["users"]] == ["bob"]'
r GET /api/v1/users/carol "$TRADER"; expect 403 forbidden_user
r GET /api/v1/users/bob/assignment "$TRADER"; expect 200
r GET "/api/v1/assignments?user=carol" "$TRADER"; expect 403
r GET /api/v1/assignments "$TRADER"; expect 200
jcheck 'all(a["user"] == "bob" for a in d["assignments"])'
r GET /api/v1/assignments/stats "$TRADER"; expect 200
jcheck '[a["account"] for a in d["accounts"]] == ["tiny"]'
r POST /api/v1/recommendations "$TRADER" "$(rec t1 AMD 1.00)"; expect 403
r PATCH /api/v1/accounts/tiny "$TRADER" '{"state":"HALTED"}'; expect 403
# reassigned: the trader's view follows at once
r PUT /api/v1/users/bob/assignment "$ADMIN" '{"account":"large"}'; expect 200 '"previous":"tiny"'
r GET /api/v1/accounts/large "$TRADER"; expect 200
r GET /api/v1/accounts/tiny "$TRADER"; expect 403
r DELETE /api/v1/users/bob/assignment "$ADMIN"; expect 200 '"account":null' '"previous":"large"'
r GET /api/v1/accounts "$TRADER"; expect 200 '{"accounts":[]}'

# ---- a malformed-input barrage: nothing crashes, every answer is JSON or a clean close ----
python3 - "$PORT" "$ADMIN" <<'PY' && ok || bad "barrage"
import random, socket, sys
port, tok = int(sys.argv[1]), sys.argv[2]
random.seed(7)
paths = ["/api/v1/accounts", "/api/v1/recommendations", "/api/v1/users/%00/assignment",
         "/api/v1/accounts/" + "a" * 300, "/api/v1//accounts", "/../../etc/passwd",
         "/api/v1/decisions/-1", "/api/v1/decisions/99999999999999999999999", "/%ff%fe",
         "/api/v1/accounts/large/orders?status=%00", "/api/v1/users?" + "x=1&" * 200, "/" * 2000]
bodies = [b"", b"{", b"[" * 5000, b"]" * 10, b'{"id":"' + b"\\" * 999 + b'"}', bytes(range(256)),
          b'[{"id":"\xff\xfe"}]', b'{"name":' + b"9" * 5000 + b"}", b"\x00" * 100,
          b'[' + b'{"id":"z"},' * 300 + b'{}]', b'{"a":{"b":{"c":' * 400]
methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "BREW", "G\x00T"]
for i in range(400):
    m, p, b = random.choice(methods), random.choice(paths), random.choice(bodies)
    if random.random() < 0.2:
        b = bytes(random.getrandbits(8) for _ in range(random.randint(1, 3000)))
    hdrs = "Authorization: Bearer %s\r\n" % tok if random.random() < 0.8 else "Authorization: Bearer rdk_\x7f\r\n"
    if random.random() < 0.1:
        hdrs += "Content-Length: -5\r\n"
    elif random.random() < 0.1:
        hdrs += "Content-Length: 99999999999999999999\r\n"
    else:
        hdrs += "Content-Length: %d\r\n" % len(b)
    raw = ("%s %s HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n" % (m, p, hdrs)).encode("latin-1") + b
    if random.random() < 0.05:
        raw = bytes(random.getrandbits(8) for _ in range(500))
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        s.sendall(raw)
        s.shutdown(socket.SHUT_WR)   # a short body ends here, not at a timeout
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, BrokenPipeError, socket.timeout):
        data = b""
    s.close()
    if data.startswith(b"HTTP/1.1 5") and b"503" not in data[:12]:
        print("5xx for", m, p[:60], data[:300]); sys.exit(1)
PY
kill -0 "$SERVER_PID" 2>/dev/null && ok || bad "the server died in the barrage"
r GET /healthz ""; expect 200
r GET /api/v1/accounts "$ADMIN"; expect 200 '"name":"large"'
r GET /api/v1/users "$ADMIN"; expect 200
jcheck '[u["id"] for u in d["users"]] == ["bob", "carol"]'

# ---- SIGTERM: stop accepting, finish, exit 0 ----
stop_server
expect_in "$TMP/s1.err" "serve.stopped"
curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && bad "still answering after SIGTERM" || ok

# ---- serve --dispatch: the dispatchers in the same process ----
expect_rc 2 "$RD_BIN" serve "${C[@]}" --listen 127.0.0.1:0 --threads 0
expect_rc 1 "$RD_BIN" serve "${C[@]}" --listen nowhere:80
expect_in "$TMP/err" "expected HOST:PORT"
expect_rc 1 "$RD_BIN" serve "${C[@]}" --listen 127.0.0.1:0 --dispatch nobody
expect_in "$TMP/err" 'no account named "nobody"'
LOG_LEVEL=info start_server "$TMP/s2" --dispatch tiny --interval 1
r GET /readyz "$VIEWER"; expect 200
jcheck '{a["name"]: a["dispatcher"] for a in d["accounts"]} == {"large": "elsewhere", "tiny": "running", "fresh": "elsewhere"}'
r GET /metrics ""; expect 200 'riskdesk_dispatcher_running{account="tiny",tier="tiny"} 1'
expect_rc 1 "$RD_BIN" dispatch "${C[@]}" --account tiny --once --at "$AT"
expect_in "$TMP/err" "pid $SERVER_PID"
expect_rc 0 "$RD_BIN" dispatch "${C[@]}" --account large --once --at "$AT"
# the port is taken: a second server cannot listen on it
expect_rc 1 "$RD_BIN" serve "${C[@]}" --listen "127.0.0.1:$PORT"
expect_in "$TMP/err" "cannot listen"
# the dispatcher has run a cycle (10 s at most) before SIGTERM stops it
for _ in $(seq 100); do grep -q "event=dispatch.cycle" "$TMP/s2.err" && break; sleep 0.1; done
expect_in "$TMP/s2.err" "event=dispatch.cycle"
stop_server
expect_in "$TMP/s2.err" "dispatch.stopped"
expect_rc 0 "$RD_BIN" dispatch "${C[@]}" --account tiny --once --at "$AT"   # the lock was let go

finish
