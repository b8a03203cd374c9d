#!/usr/bin/env bash
# traders pnl / gen / report, driven through the real binary on the fixtures in
# tests/data/traders (values worked by hand in the comments).
set -u
bin="${RD_BIN:?}"
data="${RD_SOURCE_DIR:?}/tests/data/traders"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0

check() {           # check NAME CONDITION...
    local name=$1
    shift
    n=$((n + 1))
    if ! "$@"; then echo "FAIL: $name"; fail=1; fi
}
has() { grep -qF -- "$2" "$1"; }
hasnt() { ! grep -qF -- "$2" "$1"; }

# --- pnl: FIFO across days, partial lots, a flip, fees (see test_pnl.c) ---
"$bin" traders pnl "$data/basic.csv" >"$tmp/out" 2>"$tmp/err"
check "pnl exit" test $? -eq 0
cat >"$tmp/want" <<'EOF'
trader_id,date,trades,realized_pnl,fees,net_pnl
alice,2024-01-02,3,220.00,2.70,217.30
alice,2024-01-03,2,-25.00,1.70,-26.70
bob,2024-01-02,2,100.00,0.00,100.00
EOF
check "pnl output" diff -u "$tmp/want" "$tmp/out"
check "pnl stdin" bash -c "\"$bin\" traders pnl - <\"$data/basic.csv\" | diff -q - \"$tmp/want\""

# --- bad rows: reported with line and why, the import goes on ---
"$bin" traders pnl "$data/bad.csv" >"$tmp/out" 2>"$tmp/err"
check "bad exit 0" test $? -eq 0
check "bad date line" has "$tmp/err" "$data/bad.csv:3: bad date \"13/02/2024\": expected MM/DD/YYYY or YYYY-MM-DD"
check "bad side line" has "$tmp/err" "$data/bad.csv:4: bad side \"X\": expected B, S, BUY or SELL"
check "bad fields line" has "$tmp/err" "$data/bad.csv:5: expected 7 fields as in the header, found 6"
check "bad count" has "$tmp/err" "3 bad rows skipped"
check "bad rest kept" has "$tmp/out" "alice,2024-01-02,2,200.00,2.00,198.00"
"$bin" traders pnl --strict "$data/bad.csv" >"$tmp/out" 2>"$tmp/err"
check "strict exit 1" test $? -eq 1
check "strict message" has "$tmp/err" "riskdesk: $data/bad.csv:3: bad date"
check "strict no output" test ! -s "$tmp/out"

# --- legacy accounts and daily P&L ---
"$bin" traders pnl "$data/rules.csv" >"$tmp/out"
check "legacy left out" hasnt "$tmp/out" "old_OLD"
check "streak day" has "$tmp/out" "streaky,2024-01-30,2,-10.00,0.00,-10.00"
"$bin" traders pnl --all "$data/rules.csv" >"$tmp/out"
check "legacy with --all" has "$tmp/out" "old_OLD,2024-01-30,1,0.00,0.40,-0.40"
"$bin" traders pnl --pnl "$data/daily.csv" "$data/basic.csv" >"$tmp/out"
check "daily rows" has "$tmp/out" "dana,2024-01-03,0,-75.25,0.00,-75.25"
"$bin" traders pnl "$data/basic.csv" --pnl "$data/basic.csv" >"$tmp/out" 2>"$tmp/err"
check "daily wrong header" test $? -eq 1
check "daily header message" has "$tmp/err" "not a daily P&L CSV header"

# --- report: text ---
"$bin" traders report --fills "$data/rules.csv" --limits "$data/limits.csv" --date 2024-01-30 >"$tmp/rep" 2>"$tmp/err"
check "report exit" test $? -eq 0
check "report monitor" has "$tmp/rep" "MONITOR CLOSELY (1)"
check "report no action" has "$tmp/rep" "No immediate action required."
check "report streaky" has "$tmp/rep" 'streaky  MODERATE  cut 30%  daily loss limit $7,777 -> $5,400'
check "report reason" has "$tmp/rep" "3 day loss streak, lost \$30 over it"
check "report limited" has "$tmp/rep" "newbie: 5 trading days"
check "report summary" has "$tmp/rep" "SUMMARY: 1/2 traders restricted (system: rules); 1 with limited history not assessed; 1 legacy account left out"
check "report no legacy" hasnt "$tmp/rep" "old_OLD"
check "report no warnings" hasnt "$tmp/rep" "WARNINGS"
# the report date between trading days judges the last one before it; 2024-02-07 is
# 6 NYSE trading days after 2024-01-30: warned of
"$bin" traders report --fills "$data/rules.csv" --date 2024-02-07 >"$tmp/rep"
check "stale warning" has "$tmp/rep" "the latest data is from 2024-01-30, 6 trading days before the report date 2024-02-07"
check "stale default limit" has "$tmp/rep" 'cut 30%  daily loss limit $5,000 -> $3,500'
"$bin" traders report --fills "$data/rules.csv" --date 2024-01-29 >"$tmp/rep"
check "earlier date: no streak" has "$tmp/rep" "No immediate action required."

# --- report: json and html ---
"$bin" traders report --fills "$data/rules.csv" --limits "$data/limits.csv" --date 01/30/2024 --format json >"$tmp/rep.json"
check "json exit" test $? -eq 0
if command -v python3 >/dev/null; then
    check "json valid" python3 - "$tmp/rep.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
t = {x["trader_id"]: x for x in r["traders"]}
s = t["streaky"]
assert r["report_date"] == "2024-01-30" and r["summary"]["restricted"] == 1, r["summary"]
assert s["status"] == "moderate" and s["fired"] == ["loss_streak"], s
assert s["old_limit"] == 7777 and s["new_limit"] == 5400 and s["cut"] == 0.3, s
assert s["daily_net"][-3:] == [-10, -10, -10] and len(s["daily_net"]) == 20, s
assert t["newbie"]["status"] == "limited_history" and "old_OLD" not in t
EOF
fi
"$bin" traders report --fills "$data/rules.csv" --date 2024-01-30 --format html >"$tmp/rep.html"
check "html table" has "$tmp/rep.html" "<table"
check "html svg" has "$tmp/rep.html" "<svg xmlns=\"http://www.w3.org/2000/svg\""
check "html monitor" has "$tmp/rep.html" "Monitor closely (1)"
check "html closed" has "$tmp/rep.html" "</body></html>"

# --- gen: seeded, deterministic, readable by pnl and report ---
"$bin" traders gen --traders 4 --days 30 --seed 7 --end 2024-06-14 >"$tmp/g1.csv"
"$bin" traders gen --traders 4 --days 30 --seed 7 --end 2024-06-14 --out "$tmp/g2.csv"
"$bin" traders gen --traders 4 --days 30 --seed 8 --end 2024-06-14 >"$tmp/g3.csv"
check "gen same seed same bytes" cmp -s "$tmp/g1.csv" "$tmp/g2.csv"
check "gen other seed differs" bash -c "! cmp -s \"$tmp/g1.csv\" \"$tmp/g3.csv\""
check "gen header" has "$tmp/g1.csv" "trader_id,date,time,symbol,side,qty,price,comm,ecn,sec,taf,nscc,clr,misc"
check "gen legacy" has "$tmp/g1.csv" "amorgan_OLD,"
check "gen ends on end" has "$tmp/g1.csv" ",06/14/2024,"
"$bin" traders pnl --strict "$tmp/g1.csv" >"$tmp/gp.csv" 2>"$tmp/err"
check "gen parses strictly" test $? -eq 0
check "gen trader-days" test "$(grep -c '^[a-z]*,2024-' "$tmp/gp.csv")" -eq 120
"$bin" traders report --fills "$tmp/g1.csv" --date 2024-06-14 >"$tmp/rep" 2>&1
check "gen report" has "$tmp/rep" "SUMMARY:"

# --- pnl streamed: a file in time order is parsed in parallel and streamed; the
# same bytes from stdin (read whole), any thread count, a copy out of time order
# (read again and sorted, said once) and a CRLF copy with a BOM all print the same ---
"$bin" traders gen --traders 6 --days 40 --seed 3 --end 2024-06-14 --fills 60000 --out "$tmp/big.csv"
"$bin" traders pnl - <"$tmp/big.csv" >"$tmp/big.want" 2>"$tmp/err"
check "stream stdin whole" test $? -eq 0
for t in 1 2 3 8; do
    "$bin" traders pnl --threads $t "$tmp/big.csv" >"$tmp/big.out" 2>"$tmp/err"
    check "stream threads $t exit" test $? -eq 0
    check "stream threads $t same" cmp -s "$tmp/big.want" "$tmp/big.out"
    check "stream threads $t quiet" test ! -s "$tmp/err"
done
{ head -1 "$tmp/big.csv"; tail -n +2 "$tmp/big.csv" | LC_ALL=C sort -s -t, -k1,1; } >"$tmp/bytrader.csv"
"$bin" traders pnl "$tmp/bytrader.csv" >"$tmp/big.out" 2>"$tmp/err"
check "stream out of order same" cmp -s "$tmp/big.want" "$tmp/big.out"
check "stream out of order said" has "$tmp/err" "bytrader.csv: the fills are not in time order; reading it again and sorting them in memory"
check "stream out of order said once" test "$(wc -l <"$tmp/err")" -eq 1
{ printf '\xef\xbb\xbf'; sed 's/$/\r/' "$tmp/big.csv"; } >"$tmp/crlf.csv"
"$bin" traders pnl --threads 2 "$tmp/crlf.csv" >"$tmp/big.out" 2>"$tmp/err"
check "stream crlf bom same" cmp -s "$tmp/big.want" "$tmp/big.out"
"$bin" traders pnl --threads 0 "$tmp/big.csv" >/dev/null 2>"$tmp/err"
check "stream bad threads" test $? -eq 2
check "stream bad threads said" has "$tmp/err" "--threads takes a number from 1 to 64, not '0'"

# --- usage ---
"$bin" traders pnl >/dev/null 2>&1
check "pnl no file" test $? -eq 2
"$bin" traders report --fills x --format pdf >/dev/null 2>&1
check "report bad format" test $? -eq 2
"$bin" traders report --fills "$data/rules.csv" --date 2024-13-01 >/dev/null 2>&1
check "report bad date" test $? -eq 2
"$bin" traders gen --traders 0 >/dev/null 2>&1
check "gen bad traders" test $? -eq 2
"$bin" traders report --fills /nonexistent.csv >/dev/null 2>"$tmp/err"
check "report missing file" has "$tmp/err" "cannot open /nonexistent.csv"

[ $fail -eq 0 ] && echo "traders: $n checks ok"
exit $fail
