#!/usr/bin/env bash
# Benchmarks of the traders' store (docs/benchmarks.md, "Traders' risk (store, model,
# report)"). Inputs are generated into /tmp at bench time, never committed.
#   bench/bench_traders_import.sh [BUILD_DIR]        (default build)
#   RD_BENCH_FILLS=/path.csv   the 10M-fill file to use or keep (shared with bench_traders_pnl.sh)
#   RD_BENCH_RUNS=N            runs of each timing (default 3; the best is reported)
#   RD_BENCH_BEFORE=/path/to/riskdesk  an earlier binary (say, main's) whose 10M import is
#                              timed beside this one's, run for run, and whose output and
#                              trader-days must be the same
#
# 1. `traders import` of 10 million fills into a fresh SQLite file (goal >= 500,000 fills/s)
# 2. the same file again (known by its SHA-256: nothing added), and one small new file
#    on top of the 10 M (every stored fill is streamed back to the FIFO)
# 3. `traders report` from the store for 1,000 traders x 625 trading days of daily P&L,
#    including the model's features, split, fit and test (goal < 2 s)
set -euo pipefail
build=${1:-build}
bin="$build/riskdesk"
file=${RD_BENCH_FILLS:-/tmp/riskdesk-bench-fills-10m.csv}
daily=/tmp/riskdesk-bench-daily-1000x625.csv
runs=${RD_BENCH_RUNS:-3}
before=${RD_BENCH_BEFORE:-}
work=$(mktemp -d /tmp/rd-bench-traders.XXXXXX)
trap 'rm -rf "$work"' EXIT

if [ ! -s "$file" ]; then
    echo "generating 10M fills into $file ..."
    "$bin" traders gen --traders 12 --days 625 --seed 1 --end 2024-06-14 --fills 10000000 --out "$file"
fi
if [ ! -s "$daily" ]; then
    echo "generating 1,000 traders x 625 days of daily P&L into $daily ..."
    python3 - "$daily" <<'PY'
import datetime, random, sys
rnd, days, dates, d = random.Random(1), 625, [], datetime.date(2022, 1, 3)
while len(dates) < days:
    if d.weekday() < 5:
        dates.append(d)
    d += datetime.timedelta(days=1)
with open(sys.argv[1], "w") as out:
    out.write("trader_id,date,pnl\n")
    for t in range(1000):
        name = "t%04d%s" % (t, "_OLD" if t % 97 == 96 else "")      # 10 legacy accounts
        size = rnd.choice([300, 800, 1500, 3000])
        for i in range(0 if t % 10 else days // 2, days):           # 1 in 10 joins halfway
            if rnd.random() < 0.05:
                continue                                             # days off
            drift = -0.4 if (t % 7 == 0 and (i // 25) % 4 == 3) else 0.05   # bad spells
            x = rnd.gauss(drift, 1.0) * size
            if rnd.random() < 0.02:
                x *= 5                                               # fat tails
            out.write("%s,%s,%.2f\n" % (name, dates[i].isoformat(), x))
PY
fi
rows=$(($(wc -l <"$file") - 1))
echo "input: $rows fills, $(($(stat -c %s "$file") / 1000000)) MB; $(($(wc -l <"$daily") - 1)) daily rows; $(nproc) cores"

timed() {       # timed LABEL CMD...: wall seconds and peak RSS of one run into $secs $mb
    shift
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>&1
    read -r secs kb <"$work/time"
    mb=$((kb / 1024))
}

cat "$file" >/dev/null                          # page cache warm, as for a second run
best=""
best_before=""
for _ in $(seq "$runs"); do
    if [ -n "$before" ]; then                   # the earlier binary first, each run
        rm -f "$work"/b.db*
        timed import "$before" traders import --quiet --db "sqlite:$work/b.db" "$file"
        mv "$work/out" "$work/out.before"
        echo "  before ($before): import 10M fills, fresh store: $secs s, peak RSS $mb MB"
        if [ -z "$best_before" ] || awk "BEGIN{exit !($secs < $best_before)}"; then
            best_before=$secs
            mb_before=$mb
        fi
    fi
    rm -f "$work"/f.db*
    timed import "$bin" traders import --quiet --db "sqlite:$work/f.db" "$file"
    echo "  import 10M fills, fresh store: $secs s, peak RSS $mb MB"
    if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best=$secs; best_mb=$mb; fi
done
echo "import best: $best s ($(awk "BEGIN{printf \"%.0f\", $rows / $best}") fills/s), peak RSS $best_mb MB"
if [ -n "$before" ]; then
    echo "before best: $best_before s, peak RSS $mb_before MB; after/before: time" \
         "$(awk "BEGIN{printf \"%.2f\", $best / $best_before}")x, peak RSS" \
         "$(awk "BEGIN{printf \"%.2f\", $best_mb / $mb_before}")x"
    days='SELECT n.name, d.day, d.trades, d.realized, d.fees, d.net FROM trader_days d JOIN
          trader_names n ON n.id = d.trader ORDER BY n.name, d.day'
    if cmp -s "$work/out" "$work/out.before" &&
       [ "$(sqlite3 "$work/f.db" "$days")" = "$(sqlite3 "$work/b.db" "$days")" ]; then
        echo "  the same output and trader-days"
    else
        echo "  DIFFERENT output or trader-days from $before"
        exit 1
    fi
    rm -f "$work"/b.db*
fi
echo "  database: $(($(stat -c %s "$work/f.db") / 1000000)) MB"
timed again "$bin" traders import --quiet --db "sqlite:$work/f.db" "$file"
echo "the same 10M file again (nothing added): $secs s"
printf 'trader_id,date,symbol,side,qty,price\nnewguy,2024-06-17,AAPL,B,100,10\nnewguy,2024-06-17,AAPL,S,100,10.5\n' >"$work/day.csv"
timed small "$bin" traders import --quiet --db "sqlite:$work/f.db" "$work/day.csv"
echo "a 2-fill file on top of the 10M stored: $secs s, peak RSS $mb MB"

rm -f "$work"/d.db*
timed daily "$bin" traders import --quiet --db "sqlite:$work/d.db" --pnl "$daily"
echo "import 1,000 x 625 daily rows: $secs s"
best=""
for _ in $(seq "$runs"); do
    timed report "$bin" traders report --db "sqlite:$work/d.db" --date 2024-05-24 --no-record
    echo "  report 1,000 traders x 625 days with model training: $secs s, peak RSS $mb MB"
    if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best=$secs; fi
done
echo "report best: $best s"
grep -E "^(System|Model|       train|SUMMARY)" "$work/out" | sed 's/^/  /'
timed record "$bin" traders report --db "sqlite:$work/d.db" --date 2024-05-24 --format html
echo "the same as HTML, recorded (the run and every trader's prediction stored): $secs s"
