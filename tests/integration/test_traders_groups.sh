#!/usr/bin/env bash
# traders report: high-risk traders under IMMEDIATE ACTION REQUIRED, moderate ones
# in their own MONITOR CLOSELY group; a trader with 12 trading days is "New
# (limited history)" by default (the firm's example), and the cut-off is
# traders.rules.min_history_days. Text, HTML and JSON, from a daily P&L CSV.
. "${RD_SOURCE_DIR:?}/tests/integration/common.sh"

# Days are the trader's own (days with data), so calendar days will do.
#   hi:     17 x +$200 (peak $3,400), then 3 x -$1,000: drawdown 88% of the peak
#           (40%), a 3-day streak (30%)...: cut 40%, HIGH
#   mod:    17 days alternating +$100/-$50, then 3 x -$10: the streak alone, 30%,
#           MODERATE (tests/unit/test_trader_rules.c, test_loss_streak)
#   twelve: 12 x +$50
{
    echo "trader_id,date,pnl"
    for i in $(seq 1 20); do
        d=$(printf '2024-01-%02d' "$i")
        if [ "$i" -le 17 ]; then echo "hi,$d,200"; else echo "hi,$d,-1000"; fi
        if [ "$i" -le 17 ]; then
            if [ $((i % 2)) -eq 1 ]; then echo "mod,$d,100"; else echo "mod,$d,-50"; fi
        else
            echo "mod,$d,-10"
        fi
        [ "$i" -gt 8 ] && echo "twelve,$d,50"
    done
} >"$TMP/daily.csv"
grep -v '^hi,' "$TMP/daily.csv" >"$TMP/daily_nohigh.csv"

# section FILE HEADING-PREFIX: the lines of the text report's section
section() { awk -v h="$2" 'index($0, h) == 1 {on = 1; next} on && /^$/ {exit} on' "$1"; }

# --- text, default cut-off ---
expect_rc 0 "$RD_BIN" traders report --pnl "$TMP/daily.csv" --date 2024-01-20
cp "$TMP/out" "$TMP/rep.txt"
expect_in "$TMP/rep.txt" "IMMEDIATE ACTION REQUIRED (1)"
expect_in "$TMP/rep.txt" "MONITOR CLOSELY (1)"
section "$TMP/rep.txt" "IMMEDIATE ACTION REQUIRED" >"$TMP/action"
section "$TMP/rep.txt" "MONITOR CLOSELY" >"$TMP/monitor"
expect_in "$TMP/action" "  hi  HIGH  cut 40%"
expect_not_in "$TMP/action" "mod"
expect_in "$TMP/monitor" "  mod  MODERATE  cut 30%  daily loss limit \$5,000 -> \$3,500"
expect_in "$TMP/monitor" "3 day loss streak, lost \$30 over it"
expect_not_in "$TMP/monitor" "hi"
# the groups in order: action, then monitor, then the table
[ "$(grep -n 'IMMEDIATE ACTION REQUIRED' "$TMP/rep.txt" | cut -d: -f1)" -lt \
  "$(grep -n 'MONITOR CLOSELY' "$TMP/rep.txt" | cut -d: -f1)" ] && ok || bad "monitor group before the action group"
# 12 days: new, not assessed
grep -E '^  twelve +New \(limited history\) ' "$TMP/rep.txt" >/dev/null && ok \
    || bad "twelve is not 'New (limited history)' in ALL TRADERS: $(grep twelve "$TMP/rep.txt")"
section "$TMP/rep.txt" "NEW (LIMITED HISTORY)" >"$TMP/new"
expect_in "$TMP/new" "twelve: 12 trading days"
expect_in "$TMP/rep.txt" "NEW (LIMITED HISTORY) (fewer than 20 trading days: not assessed, review by hand)"
expect_in "$TMP/rep.txt" "SUMMARY: 2/3 traders restricted (system: rules); 1 with limited history not assessed"

# --- HTML: the same groups ---
expect_rc 0 "$RD_BIN" traders report --pnl "$TMP/daily.csv" --date 2024-01-20 --format html
cp "$TMP/out" "$TMP/rep.html"
expect_in "$TMP/rep.html" "IMMEDIATE ACTION REQUIRED (1)</h3>"
expect_in "$TMP/rep.html" "Monitor closely (1)</h3>"
expect_in "$TMP/rep.html" "New (limited history)"
python3 - "$TMP/rep.html" <<'EOF' && ok || bad "HTML groups"
import sys
h = open(sys.argv[1]).read()
a, m, t = h.index("IMMEDIATE ACTION REQUIRED"), h.index("Monitor closely ("), h.index("All traders")
assert a < m < t, (a, m, t)
assert "<b>hi</b>" in h[a:m] and "<b>mod</b>" not in h[a:m]
assert "<b>mod</b>" in h[m:t] and "<b>hi</b>" not in h[m:t]
EOF

# --- JSON: the same status names as before, the group named ---
expect_rc 0 "$RD_BIN" traders report --pnl "$TMP/daily.csv" --date 2024-01-20 --format json
python3 - "$TMP/out" <<'EOF' && ok || bad "JSON groups"
import json, sys
r = json.load(open(sys.argv[1]))
t = {x["trader_id"]: x for x in r["traders"]}
assert t["hi"]["status"] == "high" and t["hi"]["group"] == "immediate_action", t["hi"]
assert t["mod"]["status"] == "moderate" and t["mod"]["group"] == "monitor_closely", t["mod"]
assert t["twelve"]["status"] == "limited_history" and t["twelve"]["group"] == "new", t["twelve"]
assert r["summary"]["limited_history"] == 1 and r["min_history_days"] == 20, r
EOF

# --- no high-risk trader: no action group, the moderate one still monitored ---
expect_rc 0 "$RD_BIN" traders report --pnl "$TMP/daily_nohigh.csv" --date 2024-01-20
expect_in "$TMP/out" "No immediate action required."
expect_in "$TMP/out" "MONITOR CLOSELY (1)"
expect_not_in "$TMP/out" "IMMEDIATE ACTION REQUIRED"

# --- the cut-off is configurable: 10 days, and twelve is assessed ---
cat >"$TMP/riskdesk.json" <<JSON
{"database": "sqlite:$TMP/rd.db",
 "accounts": [{"name": "paper1", "broker": "paper", "starting_cash": "10000"}],
 "traders": {"rules": {"min_history_days": 10}}}
JSON
expect_rc 0 "$RD_BIN" traders report --config "$TMP/riskdesk.json" --pnl "$TMP/daily.csv" --date 2024-01-20
grep -E '^  twelve +low ' "$TMP/out" >/dev/null && ok || bad "twelve not assessed with min_history_days 10: $(grep twelve "$TMP/out")"
expect_not_in "$TMP/out" "NEW (LIMITED HISTORY)"
expect_in "$TMP/out" "SUMMARY: 2/3 traders restricted (system: rules)"
expect_not_in "$TMP/out" "with limited history"

finish
