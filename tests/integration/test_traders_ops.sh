#!/usr/bin/env bash
# Running the morning report: `traders pipeline --test-mail` (a test report and a
# test error alert, over loopback to tests/tools/smtp_sink.py; nothing imported or
# recorded), `traders status` (active traders, the database's size, the last run)
# and `store vacuum` (the store compacted: a SQLite file with free pages shrinks).
. "${RD_SOURCE_DIR:?}/tests/integration/common.sh"
command -v python3 >/dev/null || skip_test "python3 is needed for the SMTP sink (tests/tools/smtp_sink.py)"

trap 'stop_sink; rm -rf "$TMP"' EXIT

mkdir -p "$TMP/in"
start_sink riskbot 'T3st-mail-Pw9'             # mail in $TMP/mail, its port in $port

export SMTP_PW='T3st-mail-Pw9'
secret "$SMTP_PW"
cat >"$TMP/riskdesk.json" <<JSON
{"database": "sqlite:$TMP/rd.db",
 "accounts": [{"name": "paper1", "broker": "paper", "starting_cash": "10000"}],
 "traders": {
   "pipeline": {"folder": "in"},
   "mail": {"smtp_url": "smtp://127.0.0.1:$port", "starttls": false,
            "user": "riskbot", "password": "env:SMTP_PW",
            "from": "Risk Desk <risk@firm.example>",
            "to": ["head.trader@firm.example"], "timeout_seconds": 10}}}
JSON
export RISKDESK_CONFIG="$TMP/riskdesk.json"
"$RD_BIN" traders gen --traders 4 --days 40 --end 2024-06-14 --out "$TMP/in/fills_20240614.csv"

# --- --test-mail: two messages, nothing imported, no store opened ---
expect_rc 0 "$RD_BIN" traders pipeline --test-mail --date 2024-06-14
expect_in "$TMP/out" "test report mailed to 1 recipient"
expect_in "$TMP/out" "test error alert mailed to 1 recipient"
[ -s "$TMP/mail/001.eml" ] && [ -s "$TMP/mail/002.eml" ] && [ ! -e "$TMP/mail/003.eml" ] && ok \
    || bad "wanted two messages: $(ls "$TMP/mail")"
[ ! -e "$TMP/rd.db" ] && ok || bad "--test-mail opened the store"
python3 - "$TMP/mail/001.eml" "$TMP/mail/002.eml" <<'EOF' && ok || bad "the test messages"
import email, email.policy, sys
def parts(path):
    m = email.message_from_bytes(open(path, "rb").read(), policy=email.policy.default)
    assert m.get_content_type() == "multipart/alternative", m.get_content_type()
    p = [x.get_content() for x in m.iter_parts()]
    return m["Subject"], p[0], p[1]
s, t, h = parts(sys.argv[1])
assert s == "[TEST] Risk report - 2024-06-14", s
assert "This is a test of the traders' morning report" in t, t
assert "<html" in h and "This is a test of the traders' morning report" in h
s, t, h = parts(sys.argv[2])
assert s == "[TEST] RISK REPORT FAILED - 2024-06-14", s
assert "This is a test of the error alert" in t and "No limits were changed" in t, t
assert "This is a test of the error alert" in h
EOF
expect_rc 2 "$RD_BIN" traders pipeline --test-mail --no-mail
expect_in "$TMP/err" "--test-mail"
# nowhere to send it: an error, not a silent success
printf '{"accounts": [{"name": "p", "broker": "paper", "starting_cash": "1000"}]}\n' >"$TMP/nomail.json"
expect_rc 1 "$RD_BIN" traders pipeline --test-mail --config "$TMP/nomail.json"
expect_in "$TMP/err" "traders.mail.smtp_url"
# a refused login fails
sed 's/"env:SMTP_PW"/"env:WRONG_PW"/' "$TMP/riskdesk.json" >"$TMP/wrong.json"
WRONG_PW=nope expect_rc 1 "$RD_BIN" traders pipeline --test-mail --config "$TMP/wrong.json"

# --- status on an empty store ---
expect_rc 0 "$RD_BIN" traders status
expect_in "$TMP/out" "active traders: 0"
expect_in "$TMP/out" "database: sqlite:$TMP/rd.db"
expect_in "$TMP/out" "last run: none"

# --- a run, then status ---
expect_rc 0 "$RD_BIN" traders pipeline --no-mail --date 2024-06-14
expect_rc 0 "$RD_BIN" traders status
expect_in "$TMP/out" "active traders: 4 (1 legacy account left out)"
expect_in "$TMP/out" "last run: report for 2024-06-14, recorded "
expect_in "$TMP/out" "traders restricted (system: rules)"
bytes=$(python3 -c "import os,sys; print(os.path.getsize(sys.argv[1]))" "$TMP/rd.db")
shown=$(sed -n 's/^database: .*, \([0-9]*\) bytes.*/\1/p' "$TMP/out")
[ -n "$shown" ] && [ "$shown" -gt 0 ] && [ "$shown" -le "$bytes" ] && ok \
    || bad "database size '$shown' (file $bytes bytes): $(cat "$TMP/out")"
expect_rc 0 "$RD_BIN" traders status --json
python3 - "$TMP/out" <<'EOF' && ok || bad "status --json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["active_traders"] == 4 and d["legacy"] == 1, d
assert d["database"]["size_bytes"] > 0, d
assert d["last_run"]["report_date"] == "2024-06-14" and d["last_run"]["system"] == "rules", d
EOF

# --- store vacuum: free pages given back ---
python3 - "$TMP/rd.db" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("DELETE FROM trader_fills")
c.commit()
c.close()
EOF
before=$(python3 -c "import os,sys; print(os.path.getsize(sys.argv[1]))" "$TMP/rd.db")
expect_rc 0 "$RD_BIN" store vacuum
expect_in "$TMP/out" "vacuumed sqlite:$TMP/rd.db"
after=$(python3 -c "import os,sys; print(os.path.getsize(sys.argv[1]))" "$TMP/rd.db")
[ "$after" -lt "$before" ] && ok || bad "store vacuum: $before bytes before, $after after"
expect_rc 0 "$RD_BIN" traders status
expect_in "$TMP/out" "active traders: 4"
expect_rc 1 "$RD_BIN" store vacuum --db "sqlite:$TMP/no/such/dir/x.db"

stop_sink
finish
