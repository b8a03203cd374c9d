#!/usr/bin/env bash
# traders import and the report from the store, through the real binary: the same
# file twice, FIFO across imports, _OLD kept but never reported, bad CSVs of every
# kind (reported with their line and skipped; --strict stops and stores nothing),
# daily and limits files, the report's system, the audit trail, the warning when
# the number of active traders changes.
. "${RD_SOURCE_DIR:?}/tests/integration/common.sh"
data="$RD_SOURCE_DIR/tests/data/traders"
db="sqlite:$TMP/rd.db"
imp() { "$RD_BIN" traders import --db "$db" "$@"; }
sql() { python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$TMP/rd.db" "$1"; }

# --- import, the same file again, FIFO across files ---
expect_rc 0 imp "$data/basic.csv"
expect_in "$TMP/out" "basic.csv: 7 fills stored (import 1); 2 traders, 3 trader-days in the store"
expect_rc 0 imp "$data/basic.csv"
expect_in "$TMP/out" "basic.csv: already imported (import 1"
expect_in "$TMP/out" "nothing added"
[ "$(sql 'SELECT COUNT(*) FROM trader_fills')" = 7 ] && ok || bad "fills stored twice"
cp "$data/basic.csv" "$TMP/same-bytes-other-name.csv"
expect_rc 0 imp "$TMP/same-bytes-other-name.csv"
expect_in "$TMP/out" "already imported (import 1"
# the same rows in other bytes (CRLF line ends, a BOM, quoted fields): known by the rows
python3 - "$data/basic.csv" "$TMP" <<'PY'
import sys
src, tmp = sys.argv[1], sys.argv[2]
lines = open(src, "rb").read().decode().splitlines()
open(tmp + "/basic-crlf.csv", "wb").write(("\r\n".join(lines) + "\r\n").encode())
open(tmp + "/basic-bom.csv", "wb").write(b"\xef\xbb\xbf" + ("\n".join(lines) + "\n").encode())
quoted = [lines[0]] + [",".join('"%s"' % f for f in l.split(",")) for l in lines[1:] if l]
open(tmp + "/basic-quoted.csv", "wb").write(("\r\n".join(quoted) + "\r\n").encode())
PY
cmp -s "$data/basic.csv" "$TMP/basic-crlf.csv" && bad "the CRLF copy has the same bytes" || ok
for copy in basic-crlf basic-bom basic-quoted; do
    expect_rc 0 imp "$TMP/$copy.csv"
    expect_in "$TMP/out" "$copy.csv: already imported (import 1: the same rows in other bytes"
done
[ "$(sql 'SELECT COUNT(*) FROM trader_fills')" = 7 ] && ok || bad "a CRLF copy stored the fills again"
[ "$(sql "SELECT SUM(trades) FROM trader_days")" = 7 ] && ok || bad "a CRLF copy counted fills twice"
# the next time the copy is known by its bytes at once; from stdin by its rows
expect_rc 0 imp "$TMP/basic-crlf.csv"
expect_in "$TMP/out" "basic-crlf.csv: already imported (import 1, sha256"
expect_rc 0 imp - <"$TMP/basic-crlf.csv"
expect_in "$TMP/out" "-: already imported (import 1"
# a new file (the legacy trader of rules.csv below: the counts there stay): its CRLF copy first, then the LF one
printf 'trader_id,date,symbol,side,qty,price\r\nold_OLD,2024-01-04,IBM,B,5,100\r\n' >"$TMP/c-crlf.csv"
printf 'trader_id,date,symbol,side,qty,price\nold_OLD,2024-01-04,IBM,B,5,100\n' >"$TMP/c-lf.csv"
expect_rc 0 imp "$TMP/c-crlf.csv"
expect_in "$TMP/out" "c-crlf.csv: 1 fill stored (import"
expect_rc 0 imp "$TMP/c-lf.csv"
expect_in "$TMP/out" "c-lf.csv: already imported (import"
[ "$(sql "SELECT COUNT(*) FROM trader_fills f JOIN trader_names n ON n.id = f.trader WHERE n.name = 'old_OLD'")" = 1 ] \
    && ok || bad "old_OLD's fill stored twice"
# one row more is another file (an overlap is not detected: docs/traders.md)
printf 'old_OLD,2024-01-04,IBM,S,5,101\n' >>"$TMP/c-lf.csv"
expect_rc 0 imp "$TMP/c-lf.csv"
expect_in "$TMP/out" "c-lf.csv: 2 fills stored (import"
# stdin, and a position opened in one file closed in the next
printf 'trader_id,date,symbol,side,qty,price\nbob,2024-01-04,MSFT,B,10,100\n' >"$TMP/a.csv"
printf 'trader_id,date,symbol,side,qty,price\nbob,2024-01-05,MSFT,S,10,103.5\n' >"$TMP/b.csv"
expect_rc 0 imp "$TMP/a.csv"
expect_rc 0 imp - <"$TMP/b.csv"
expect_in "$TMP/out" "-: 1 fill stored"
[ "$(sql "SELECT net FROM trader_days d JOIN trader_names n ON n.id = d.trader WHERE n.name = 'bob' AND d.day = 19727")" = 350000 ] \
    && ok || bad "FIFO across imports: bob 2024-01-05 should net 35.00"

# --- legacy: stored, never reported ---
expect_rc 0 imp "$data/rules.csv"
[ "$(sql "SELECT COUNT(*) FROM trader_names WHERE name = 'old_OLD'")" = 1 ] && ok || bad "_OLD not stored"
expect_rc 0 "$RD_BIN" traders report --db "$db" --date 2024-01-30 --no-record
expect_not_in "$TMP/out" "old_OLD"
expect_in "$TMP/out" "1 legacy account left out"
expect_in "$TMP/out" "streaky  MODERATE  cut 30%"

# --- bad rows of every kind: FILE:LINE: why, skipped; --strict stops, stores nothing ---
f="$TMP/bad.csv"
{
    printf 'trader_id,date,time,symbol,side,qty,price,fees\n'
    printf 'zed,2024-02-01,09:30,AAA,B,100,10.00,0.10\n'      #  2 good
    printf 'zed,2024-02-30,09:30,AAA,B,100,10.00,0\n'         #  3 date
    printf 'zed,2024-02-01,25:00,AAA,B,100,10.00,0\n'         #  4 time
    printf 'zed,2024-02-01,09:30,AAA,X,100,10.00,0\n'         #  5 side
    printf 'zed,2024-02-01,09:30,AAA,B,100.5,10.00,0\n'       #  6 qty fraction
    printf 'zed,2024-02-01,09:30,AAA,B,0,10.00,0\n'           #  7 qty zero
    printf 'zed,2024-02-01,09:30,AAA,B,100,-1,0\n'            #  8 price negative
    printf 'zed,2024-02-01,09:30,AAA,B,100,$10,0\n'           #  9 price with $
    printf 'zed,2024-02-01,09:30,AAA,B,100,1e3,0\n'           # 10 exponent
    printf 'zed,2024-02-01,09:30,AAA,B,100,10,abc\n'          # 11 fee
    printf ',2024-02-01,09:30,AAA,B,100,10,0\n'               # 12 empty trader
    printf 'zed,2024-02-01,09:30,,B,100,10,0\n'               # 13 empty symbol
    printf 'zed,2024-02-01,09:30,AAA,B,100\n'                 # 14 field count
    printf 'zed,2024-02-01,09:30,A"A",B,100,10,0\n'           # 15 quote inside
    printf 'zed,2024-02-01,09:30,"AAA"x,B,100,10,0\n'         # 16 text after quote
    printf 'zed,2024-02-01,09:30,AA\0A,B,100,10,0\n'          # 17 NUL
    printf 'zed,2024-02-01,10:00,AAA,S,100,11.00,0.10\n'      # 18 good
    printf 'zed,2024-02-01,09:30,"AAA,B,100,10,0\n'           # 19 unclosed quote (to the end)
} >"$f"
expect_rc 1 imp "$f"
expect_in "$TMP/out" "bad.csv: 2 fills stored (import"
expect_in "$TMP/out" "16 bad rows skipped"
for want in "3: bad date \"2024-02-30\"" "4: bad time \"25:00\"" "5: bad side \"X\"" \
            "6: bad qty \"100.5\"" "7: bad qty \"0\"" "8: bad price \"-1\": negative" \
            "9: bad price" "10: bad price" "11: bad fees" "12: empty trader_id" "13: empty symbol" \
            "14: expected 8 fields as in the header, found 6" "15: quote inside unquoted field 4" \
            "16: text after the closing quote of field 4" "17: NUL byte in the row" "19: unclosed quote"; do
    expect_in "$TMP/err" "$f:$want"
done
[ "$(sql "SELECT net FROM trader_days d JOIN trader_names n ON n.id = d.trader WHERE n.name = 'zed'")" = 998000 ] \
    && ok || bad "zed should net 99.80 from the two good rows"
# exit 1 when any row was bad (the good ones are stored), as recommend import
# the same file again: known by its bytes before it is parsed, no bad row printed again
expect_rc 0 imp "$f"
expect_in "$TMP/out" "bad.csv: already imported (import"
expect_not_in "$TMP/err" "bad date"
[ -s "$TMP/err" ] && bad "re-import printed: $(head -2 "$TMP/err")" || ok
# the same file, strict: already imported; a fresh copy strict: stops at line 3, nothing stored
cp "$f" "$TMP/bad2.csv"; printf 'zed,2024-02-02,09:30,AAA,B,1,1,0\n' >>"$TMP/bad2.csv"
n_before=$(sql 'SELECT COUNT(*) FROM trader_fills')
expect_rc 1 imp --strict "$TMP/bad2.csv"
expect_in "$TMP/err" "riskdesk: $TMP/bad2.csv:3: bad date"
[ "$(sql 'SELECT COUNT(*) FROM trader_fills')" = "$n_before" ] && ok || bad "strict stored rows"
[ "$(sql "SELECT COUNT(*) FROM trader_imports WHERE path LIKE '%bad2.csv'")" = 0 ] && ok || bad "strict recorded an import"
# a record longer than the 1 MiB read buffer
python3 -c 'import sys; sys.stdout.write("trader_id,date,symbol,side,qty,price\n" + "zed,2024-02-05," + "A" * (1 << 20) + ",B,1,1\nzed,2024-02-05,AAA,B,1,1\n")' >"$TMP/long.csv"
expect_rc 1 imp "$TMP/long.csv"
expect_in "$TMP/err" "long.csv:2: record longer than"
expect_in "$TMP/out" "1 fill stored"
# every one of 200 rows bad: exit 1, "nothing usable", the messages capped at 50
{ printf 'trader_id,date,symbol,side,qty,price\n'
  for i in $(seq 200); do printf 'zed,2024-02-%02d,AAA,X,1,1\n' $((i % 28 + 1)); done; } >"$TMP/allbad.csv"
expect_rc 1 imp "$TMP/allbad.csv"
expect_in "$TMP/err" "nothing usable: every row was bad"
expect_in "$TMP/err" "... and 150 more bad lines not shown (200 in all)"
n=$(grep -c "allbad.csv:[0-9]*: bad side" "$TMP/err")
[ "$n" = 50 ] && ok || bad "$n bad-row messages, wanted 50"
# whole-file errors: nothing stored, exit 1
printf 'trader_id,date,symbol,side,price\nx,2024-01-01,A,B,1\n' >"$TMP/nohdr.csv"
expect_rc 1 imp "$TMP/nohdr.csv"
expect_in "$TMP/err" "nohdr.csv:1: not a fills CSV header"
printf 'trader_id,date,symbol,side,qty,price,qty\n' >"$TMP/twice.csv"
expect_rc 1 imp "$TMP/twice.csv"
expect_in "$TMP/err" "column 'qty' appears twice"
printf 'trader_id,date,symbol,side,qty,price,fees,comm\n' >"$TMP/fees.csv"
expect_rc 1 imp "$TMP/fees.csv"
expect_in "$TMP/err" "both a 'fees' column and fee breakdown columns"
: >"$TMP/empty.csv"
expect_rc 1 imp "$TMP/empty.csv"
expect_in "$TMP/err" "empty.csv: no header line"
expect_rc 1 imp "$TMP/missing.csv"
expect_in "$TMP/err" "cannot open $TMP/missing.csv"

# --- daily P&L files: bad rows, duplicates, conflicts ---
printf 'trader_id,date,pnl\ndana,2024-01-02,150\ndana,2024-01-03,-75.25\ndana,2024-13-01,5\ndana,2024-01-04,abc\n' >"$TMP/d1.csv"
expect_rc 1 imp --pnl "$TMP/d1.csv"
expect_in "$TMP/out" "2 daily P&L rows stored"
expect_in "$TMP/err" "d1.csv:4: bad date"
expect_in "$TMP/err" "d1.csv:5: bad pnl"
printf 'trader_id,date,pnl\ndana,2024-01-03,-75.25\ndana,2024-01-02,99\ndana,2024-01-05,10\n' >"$TMP/d2.csv"
expect_rc 1 imp --pnl "$TMP/d2.csv"
expect_in "$TMP/out" "1 daily P&L row stored"
expect_in "$TMP/out" "1 already stored"
expect_in "$TMP/err" "d2.csv:3: dana on 2024-01-02 is already stored with P&L 150.00"
printf 'trader_id,date,pnl\neve,2024-01-02,1\neve,2024-01-02,2\n' >"$TMP/d3.csv"
expect_rc 1 imp --pnl "$TMP/d3.csv"
expect_in "$TMP/err" "nothing imported"
printf 'trader_id,date,pnl\nalice,2024-01-02,5\n' >"$TMP/d4.csv"
expect_rc 1 imp --pnl "$TMP/d4.csv"
expect_in "$TMP/err" "d4.csv: nothing imported"

# --- limits: bad rows, then used by the report ---
printf 'trader_id,daily_loss_limit\nstreaky,9000\nstreaky,8000\nnewbie,0\n' >"$TMP/l1.csv"
expect_rc 1 imp --limits "$TMP/l1.csv"
expect_in "$TMP/err" "l1.csv:3: second limit for streaky (first on line 2)"
expect_in "$TMP/err" "l1.csv:4: bad daily_loss_limit \"0\": must be above 0"
expect_rc 0 "$RD_BIN" traders report --db "$db" --date 2024-01-30 --no-record
expect_in "$TMP/out" 'daily loss limit $9,000 -> $6,300'

# --- the report from the store: formats, the system, the audit trail ---
expect_rc 0 "$RD_BIN" traders report --db "$db" --date 2024-01-30 --format json
python3 - "$TMP/out" <<'EOF' && ok || bad "json report"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["system"] == "rules", r["system"]
assert r["model"]["used"] is False and "trading days of data" in r["model"]["why"], r["model"]
assert {t["trader_id"] for t in r["traders"]} >= {"streaky", "newbie"}
assert all(not t["trader_id"].endswith("_OLD") for t in r["traders"])
EOF
[ "$(sql 'SELECT COUNT(*) FROM trader_reports')" = 1 ] && ok || bad "the run was not recorded"
[ "$(sql "SELECT system || ':' || cut || ':' || new_limit FROM trader_predictions WHERE trader = 'streaky'")" = "rules:300000:63000000" ] \
    && ok || bad "streaky's prediction"
# a trader with limited history is in the audit trail too: no cut, review by hand
[ "$(sql "SELECT system || ':' || level || ':' || cut || ':' || old_limit || ':' || new_limit || ':' || features FROM trader_predictions WHERE trader = 'newbie'")" \
    = 'rules:limited:0:50000000:50000000:{"history_days": 5, "recommendation": "limited history: review by hand"}' ] \
    && ok || bad "newbie's limited-history prediction: $(sql "SELECT * FROM trader_predictions WHERE trader = 'newbie'")"
expect_rc 0 "$RD_BIN" traders report --db "$db" --date 2024-01-30 --format html --no-record
expect_in "$TMP/out" "<svg"
expect_in "$TMP/out" "System: <b>rules"

# --- a new trader since the last report: warned of ---
printf 'trader_id,date,pnl\nfrank,2024-01-31,10\n' >"$TMP/d5.csv"
expect_rc 0 imp --pnl "$TMP/d5.csv"
expect_rc 0 "$RD_BIN" traders report --db "$db" --date 2024-01-31
expect_in "$TMP/out" "the number of active traders changed since the last report (2024-01-30): 5 then, 6 now"
# a second run for the same date still compares with the day before's report
expect_rc 0 "$RD_BIN" traders report --db "$db" --date 2024-01-31
expect_in "$TMP/out" "the number of active traders changed since the last report (2024-01-30):"
# zed's first day is 2024-02-01
expect_rc 0 "$RD_BIN" traders report --db "$db" --date 2024-02-01
expect_in "$TMP/out" "the number of active traders changed since the last report (2024-01-31): 6 then, 7 now"

# --- usage ---
expect_rc 2 "$RD_BIN" traders import
expect_rc 2 "$RD_BIN" traders report --limits "$data/limits.csv"
expect_rc 1 "$RD_BIN" traders report --db "http://x" --date 2024-01-30
# no progress bar when stderr is not a terminal
expect_rc 0 imp --pnl "$data/daily.csv"
grep -q $'\r' "$TMP/err" && bad "progress bar drawn off a terminal" || ok

finish
