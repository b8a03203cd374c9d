#!/usr/bin/env bash
# traders pipeline: new files from the folder into the store, the report mailed for
# real over loopback to an SMTP sink started here (tests/tools/smtp_sink.py), the
# message checked (headers, both parts, envelope, AUTH); then the error alert when a
# step fails, a refused login, and the password never printed.
. "${RD_SOURCE_DIR:?}/tests/integration/common.sh"
command -v python3 >/dev/null || skip_test "python3 is needed for the SMTP sink (tests/tools/smtp_sink.py)"

trap 'stop_sink; rm -rf "$TMP"' EXIT

mkdir -p "$TMP/in"
start_sink riskbot 's3cret-Pa55'             # mail in $TMP/mail, its port in $port

export SMTP_PW='s3cret-Pa55'
secret "$SMTP_PW"
cat >"$TMP/riskdesk.json" <<JSON
{"database": "sqlite:$TMP/rd.db",
 "accounts": [{"name": "paper1", "broker": "paper", "starting_cash": "10000"}],
 "traders": {
   "default_limit": 5000,
   "pipeline": {"folder": "in"},
   "mail": {"smtp_url": "smtp://127.0.0.1:$port", "starttls": false,
            "user": "riskbot", "password": "env:SMTP_PW",
            "from": "Risk Desk <risk@firm.example>",
            "to": ["head.trader@firm.example", "Compliance <compliance@firm.example>"],
            "timeout_seconds": 10}}}
JSON
export RISKDESK_CONFIG="$TMP/riskdesk.json"
"$RD_BIN" traders gen --traders 12 --days 120 --end 2024-06-14 --out "$TMP/in/fills_20240614.csv"
printf 'trader_id,daily_loss_limit\nbchen,8000\n' >"$TMP/in/limits.csv"

# --- the report goes out ---
expect_rc 0 "$RD_BIN" traders pipeline --date 2024-06-14 --html "$TMP/report.html"
expect_in "$TMP/out" "imported fills_20240614.csv: 60266 fills rows"
expect_in "$TMP/out" "imported limits.csv: 1 limits rows"
expect_in "$TMP/out" "mailed \"RISK ALERT - "
expect_in "$TMP/report.html" "<svg"
[ -s "$TMP/mail/001.eml" ] && ok || bad "no message in the sink"

# the message as received, checked with Python's email parser
check_mail() {   # check_mail FILE SUBJECT-PREFIX TEXT-NEEDLE HTML-NEEDLE
python3 - "$@" <<'EOF'
import email, email.policy, email.utils, json, sys
path, subject, text_needle, html_needle = sys.argv[1:5]
raw = open(path, "rb").read()
msg = email.message_from_bytes(raw, policy=email.policy.default)
env = json.load(open(path[:-4] + ".json"))
problems = []
def need(cond, what):
    if not cond: problems.append(what)
need(msg["Subject"].startswith(subject), "subject %r" % msg["Subject"])
need(msg["From"] == "Risk Desk <risk@firm.example>", "from %r" % msg["From"])
tos = [a for _, a in email.utils.getaddresses([str(msg["To"])])]
need(tos == ["head.trader@firm.example", "compliance@firm.example"], "to %r" % tos)
need(email.utils.parsedate_to_datetime(msg["Date"]) is not None, "date %r" % msg["Date"])
need(msg["Message-ID"] and msg["Message-ID"].endswith("@firm.example>"), "message-id %r" % msg["Message-ID"])
need(msg["MIME-Version"] == "1.0", "mime-version")
need(msg.get_content_type() == "multipart/alternative", "type %s" % msg.get_content_type())
parts = list(msg.iter_parts())
need([p.get_content_type() for p in parts] == ["text/plain", "text/html"], "parts")
need(all(p["Content-Transfer-Encoding"] == "quoted-printable" for p in parts), "cte")
text, html = parts[0].get_content(), parts[1].get_content()
need(text_needle in text, "text lacks %r" % text_needle)
need(html_needle in html, "html lacks %r" % html_needle)
body = raw.split(b"\r\n\r\n", 1)[1]
need(all(len(l) <= 76 for l in body.split(b"\r\n")), "a body line over 76")
need(b"\n" not in raw.replace(b"\r\n", b""), "a bare LF")
need(env["mail_from"] == "<risk@firm.example>", "envelope from %r" % env["mail_from"])
need(env["rcpt_to"] == ["<head.trader@firm.example>", "<compliance@firm.example>"], "rcpt %r" % env["rcpt_to"])
need(env["auth_user"] == "riskbot", "auth %r" % env["auth_user"])
for p in problems: print("   ", p)
sys.exit(1 if problems else 0)
EOF
}
if check_mail "$TMP/mail/001.eml" "RISK ALERT - " "TRADER RISK REPORT for 2024-06-14" "<svg"; then ok; else bad "report mail"; fi
check_text() { python3 -c '
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
t = list(m.iter_parts())[0].get_content() if m.is_multipart() else m.get_content()
sys.exit(0 if all(n in t for n in sys.argv[2:]) else 1)' "$@"; }
check_text "$TMP/mail/001.eml" "IMMEDIATE ACTION REQUIRED" "SUMMARY: " "Model: " "train 20" "test 2024-05-03 to 2024-06-14" \
    && ok || bad "report text part lacks sections"
check_text "$TMP/mail/001.eml" 'bchen' '$8,000' && ok || bad "stored limit not used"
# the number in the subject is the high traders in the report
high=$(python3 -c '
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
t = list(m.iter_parts())[0].get_content()
print(sum(1 for l in t.splitlines() if "  HIGH  cut " in l))' "$TMP/mail/001.eml")
grep -q "^Subject: RISK ALERT - $high High Risk Traders - 2024-06-14" "$TMP/mail/001.eml" && ok || bad "subject count $high"

# --- the audit trail: a run and one prediction per assessed trader ---
python3 - "$TMP/rd.db" <<'EOF' && ok || bad "predictions not recorded"
import sqlite3, sys, json
db = sqlite3.connect(sys.argv[1])
runs = db.execute("SELECT id, system, why, n_train, test_from FROM trader_reports").fetchall()
assert len(runs) == 1 and runs[0][1] in ("model", "rules") and runs[0][2] and runs[0][3] > 0, runs
preds = db.execute("SELECT trader, features, system, cut, old_limit, new_limit, level FROM trader_predictions").fetchall()
assert len(preds) >= 10, len(preds)
limited = 0
for t, f, s, c, o, n, lv in preds:
    feats = json.loads(f)
    assert not t.endswith("_OLD")
    if lv == "limited":         # the newcomer: recorded, not judged
        limited += 1
        assert feats == {"history_days": feats["history_days"], "recommendation": "limited history: review by hand"}, feats
        assert feats["history_days"] < 10 and s == "rules" and c == 0 and o == n, (t, f, s, c, o, n)
        continue
    assert set(feats) == {"last_pnl", "loss_streak", "drawdown", "mean_5d", "mean_20d", "vol_5d", "vol_20d", "market_day", "market_5d"}, feats
assert limited >= 1, "no limited-history trader in the audit trail"
EOF

# --- again: nothing new to import, the report goes out again, carrying the
# audit chains' heads as they were (a token made first: the firm's chain) ---
expect_rc 0 "$RD_BIN" tokens create --role viewer --user vera
expect_rc 0 "$RD_BIN" audit head --json
cp "$TMP/out" "$TMP/heads.json"
expect_rc 0 "$RD_BIN" traders pipeline --date 2024-06-14
expect_in "$TMP/out" "0 files imported, 2 already known"
[ -s "$TMP/mail/002.eml" ] && ok || bad "second report not mailed"
python3 - "$TMP/mail/002.eml" "$TMP/heads.json" <<'EOF' && ok || bad "the mail lacks the audit heads"
import email, email.policy, json, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
text, html = [p.get_content() for p in m.iter_parts()]
heads = json.load(open(sys.argv[2]))
assert any(h["chain"] == "firm" for h in heads), heads
assert "AUDIT CHAIN HEADS" in text and "Audit chain heads" in html
for h in heads:
    line = [l for l in text.splitlines() if l.split()[:1] == [h["chain"]]]
    assert line and line[0].split()[1:] == [str(h["seq"]), h["hash"]], (h, line)
    assert h["hash"] in html, h
EOF
# the JSON report carries them too
expect_rc 0 "$RD_BIN" traders report --date 2024-06-14 --format json
python3 - "$TMP/out" "$TMP/heads.json" <<'EOF' && ok || bad "the JSON report lacks the audit heads"
import json, sys
rep, heads = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
got = {h["chain"]: h for h in rep["audit_heads"]}
for h in heads:
    assert got[h["chain"]]["hash"] == h["hash"] and got[h["chain"]]["seq"] == h["seq"], (h, got)
EOF

# --- a file that cannot be imported: skipped and named, the others imported, the report
# still goes out (with the warning), exit status 3 for cron ---
printf 'who,what\nx,y\n' >"$TMP/in/zz_broken.csv"
printf 'trader_id,daily_loss_limit\nbchen,9000\n' >"$TMP/in/zz_limits2.csv"
expect_rc 3 "$RD_BIN" traders pipeline --date 2024-06-14
expect_in "$TMP/out" "skipped zz_broken.csv: not imported: "
expect_in "$TMP/out" "zz_broken.csv: cannot tell the kind of CSV"
expect_in "$TMP/out" "imported zz_limits2.csv: 1 limits rows"
expect_in "$TMP/out" "mailed \"RISK ALERT - "
expect_in "$TMP/err" "1 file could not be imported (named in the report's warnings); exit status 3"
expect_not_in "$TMP/err" "the error alert was mailed"
if check_mail "$TMP/mail/003.eml" "RISK ALERT - " "zz_broken.csv was NOT imported: " "zz_broken.csv was NOT imported"; then ok; else bad "report with the warning"; fi
check_text "$TMP/mail/003.eml" "cannot tell the kind of CSV from its header" "could not be imported (named above)" '$9,000' \
    && ok || bad "the warning or the other file's limit missing from the report"
[ -e "$TMP/mail/004.eml" ] && bad "more than the report was sent" || ok
# every morning until it is removed: the same warning, the report each time
expect_rc 3 "$RD_BIN" traders pipeline --date 2024-06-14 --no-mail
expect_in "$TMP/out" "0 files imported, 3 already known, some not imported"
rm "$TMP/in/zz_broken.csv"

# --- the store cannot be opened: the alert names the cause, exit 1 ---
sed "s|sqlite:$TMP/rd.db|sqlite:/nonexistent/dir/rd.db|" "$TMP/riskdesk.json" >"$TMP/nostore.json"
expect_rc 1 "$RD_BIN" traders pipeline --config "$TMP/nostore.json" --date 2024-06-17
expect_in "$TMP/err" "/nonexistent/dir/rd.db"
expect_in "$TMP/err" "the error alert was mailed"
if check_mail "$TMP/mail/004.eml" "RISK REPORT FAILED - 2024-06-17" "/nonexistent/dir/rd.db" "Risk report failed"; then ok; else bad "alert mail (store)"; fi
check_text "$TMP/mail/004.eml" "unable to open database file" && ok || bad "alert lacks the cause"

# --- the HTML file cannot be written: the alert instead of the report, exit 1 ---
expect_rc 1 "$RD_BIN" traders pipeline --date 2024-06-17 --html /nonexistent/dir/r.html
expect_in "$TMP/err" "--html /nonexistent/dir/r.html: cannot write it"
if check_mail "$TMP/mail/005.eml" "RISK REPORT FAILED - 2024-06-17" "--html /nonexistent/dir/r.html" "Risk report failed"; then ok; else bad "alert mail (html)"; fi
[ -e "$TMP/mail/006.eml" ] && bad "more than the alert was sent" || ok

# --- a refused login: exit 1, curl's words, never the password ---
SMTP_PW=wrong expect_rc 1 "$RD_BIN" traders pipeline --date 2024-06-14
expect_in "$TMP/err" "smtp smtp://127.0.0.1:$port"
expect_not_in "$TMP/err" "wrong"
expect_not_in "$TMP/out" "wrong"
# the password is not set: named, not shown
env -u SMTP_PW "$RD_BIN" traders pipeline --date 2024-06-14 >"$TMP/out" 2>"$TMP/err"
expect_in "$TMP/err" "secret env:SMTP_PW: the variable is not set"
for f in "$TMP/out" "$TMP/err" "$TMP/rd.db"; do
    grep -q 's3cret-Pa55' "$f" && bad "password in $f" || ok
done

# --- --no-mail builds and records only; a config password written in plain is refused ---
n_before=$(ls "$TMP/mail"/*.eml | wc -l)
expect_rc 0 "$RD_BIN" traders pipeline --date 2024-06-14 --no-mail
[ "$(ls "$TMP/mail"/*.eml | wc -l)" -eq "$n_before" ] && ok || bad "--no-mail sent mail"
sed 's/"env:SMTP_PW"/"hunter2"/' "$TMP/riskdesk.json" >"$TMP/plain.json"
expect_rc 1 "$RD_BIN" traders pipeline --config "$TMP/plain.json" --date 2024-06-14
expect_in "$TMP/err" "expected a secret source"
expect_not_in "$TMP/err" "hunter2"

stop_sink
finish
