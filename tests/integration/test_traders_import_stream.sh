#!/usr/bin/env bash
# `traders import` of a fills file streamed (a regular file: parsed in parallel,
# fed to the FIFO as it is read, its fills set aside on disk until stored)
# against the same import read whole (standard input is still read the way
# every import was before streaming): the stored trader tables, row by row, and
# stdout and stderr must be the same, the path aside. On a generated export with
# bad rows in it, shuffled (not in time order: said on stderr), split in two by
# date and imported in order and the other way round (FIFO across files: the
# stored fills are read back; then a file after both, the stored ones out of order),
# a copy in other bytes, and a file with a quoted line break (not to be read in
# parts: read whole, each bad row told once).
# RD_BIN_BEFORE=path/to/an/older/riskdesk compares with that binary too, by path.
. "$(dirname "$0")/common.sh"
command -v python3 >/dev/null || skip_test "python3 is needed to write the files"
command -v sqlite3 >/dev/null || skip_test "sqlite3 is needed to read the databases"
before=${RD_BIN_BEFORE:-}

# imp NAME MODE FILE...: each FILE into $TMP/NAME.db, by path (MODE file, or before:
# RD_BIN_BEFORE) or on standard input (MODE stdin). Exit codes, stdout and stderr go
# to $TMP/NAME.out with the path (or <stdin>) written "-"; the notes apart, into $TMP/NAME.notes.
imp() {
  local name=$1 mode=$2 f bin=$RD_BIN; shift 2
  [ "$mode" = before ] && bin=$before
  for f in "$@"; do
    if [ "$mode" = stdin ]; then
      "$bin" traders import --db "sqlite:$TMP/$name.db" - <"$f" >"$TMP/o" 2>"$TMP/e"
    else
      "$bin" traders import --db "sqlite:$TMP/$name.db" "$f" >"$TMP/o" 2>"$TMP/e"
    fi
    echo "exit $?" >>"$TMP/$name.out"
    sanitizer_check "$TMP/e" "traders import $f ($mode)"
    grep '^riskdesk traders import: ' "$TMP/e" >>"$TMP/$name.notes"
    grep -v '^riskdesk traders import: ' "$TMP/e" | cat "$TMP/o" - | sed -e "s#$f#-#g" -e 's#<stdin>#-#g' >>"$TMP/$name.out"
  done
  touch "$TMP/$name.notes"
}

# dump NAME: every row of the trader tables in rowid order, the imports' but imported_at
# (the clock), the paths of files in $TMP written "-"
dump() {
  local t
  for t in $(sqlite3 "$TMP/$1.db" "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'trader%' ORDER BY name"); do
    echo "table $t"
    if [ "$t" = trader_imports ]; then
      sqlite3 "$TMP/$1.db" "SELECT id, kind, sha256, path, bytes, rows, bad FROM $t ORDER BY rowid"
    else
      sqlite3 "$TMP/$1.db" "SELECT * FROM $t ORDER BY rowid"
    fi
  done | sed "s#$TMP/[^|]*\.csv#-#g"
}

# days NAME: the trader-days by trader name (ids follow the order names were first seen)
days() {
  sqlite3 "$TMP/$1.db" "SELECT n.name, d.day, d.trades, d.realized, d.fees, d.net FROM trader_days d
                        JOIN trader_names n ON n.id = d.trader ORDER BY n.name, d.day"
}

# same A B WHAT: A's and B's stored rows and outputs are the same
same() {
  dump "$1" >"$TMP/$1.dump"
  dump "$2" >"$TMP/$2.dump"
  if [ "$(grep -c '' "$TMP/$1.dump")" -lt 10 ]; then bad "$3: only $(grep -c '' "$TMP/$1.dump") lines dumped"; fi
  if cmp -s "$TMP/$1.dump" "$TMP/$2.dump"; then ok; else
    bad "$3: the stored rows differ:"; diff "$TMP/$1.dump" "$TMP/$2.dump" | head -8 | sed 's/^/    /'; fi
  if cmp -s "$TMP/$1.out" "$TMP/$2.out"; then ok; else
    bad "$3: the output differs:"; diff "$TMP/$1.out" "$TMP/$2.out" | head -8 | sed 's/^/    /'; fi
}

# an export in time order, about 300,000 fills (24 MB: two of the reader's 16 MiB windows on 2
# cores, more than one batch read back from the spill to be stored),
# with bad rows near its start, in its middle and at its end
expect_rc 0 "$RD_BIN" traders gen --traders 8 --days 130 --seed 5 --fills 300000 --end 2024-06-14 --out "$TMP/gen.csv"
python3 - "$TMP" <<'PY'
import datetime, random, sys
tmp = sys.argv[1]
lines = open(tmp + "/gen.csv").read().splitlines()
head, rows = lines[0], lines[1:]
assert len(rows) > 262144, len(rows)
bad = rows[:]
for at, row in ((len(bad), "zed,06/14/2024,16:00:00,AAA,X,1,1,0,0,0,0,0,0,"),
                (len(bad) // 2, "zed,02/30/2024,10:00:00,AAA,B,1,1,0,0,0,0,0,0,"),
                (3, "zed,01/02/2024,09:30:00,AAA,B,abc,1,0,0,0,0,0,0,")):
    bad.insert(at, row)
open(tmp + "/fills.csv", "w").write("\n".join([head] + bad) + "\n")
shuffled = bad[:]
random.Random(3).shuffle(shuffled)
open(tmp + "/shuffled.csv", "w").write("\n".join([head] + shuffled) + "\n")
day = lambda r: datetime.datetime.strptime(r.split(",")[1], "%m/%d/%Y").date()
mid = day(rows[len(rows) // 2])
open(tmp + "/early.csv", "w").write("\n".join([head] + [r for r in rows if day(r) < mid]) + "\n")
open(tmp + "/late.csv", "w").write("\n".join([head] + [r for r in rows if day(r) >= mid]) + "\n")
early = open(tmp + "/early.csv").read().splitlines()
open(tmp + "/early-crlf.csv", "wb").write(("\r\n".join(early) + "\r\n").encode())
PY

imp order file "$TMP/fills.csv"
imp order_whole stdin "$TMP/fills.csv"
same order order_whole "in time order, bad rows"
expect_in "$TMP/order.out" "-: 295605 fills stored (import 1), 3 bad rows skipped"
for want in "-:5: bad qty" "-:147805: bad date" "-:295609: bad side"; do expect_in "$TMP/order.out" "$want"; done
[ -s "$TMP/order.notes" ] && bad "in time order, yet: $(cat "$TMP/order.notes")" || ok

imp shuffled file "$TMP/shuffled.csv"
imp shuffled_whole stdin "$TMP/shuffled.csv"
same shuffled shuffled_whole "shuffled"
expect_in "$TMP/shuffled.notes" "shuffled.csv: the fills are not in time order; sorting them in memory"
# the order of the rows is part of them, not of the trader-days
[ "$(days order)" = "$(days shuffled)" ] && ok || bad "shuffling the file changed the trader-days"

# two files, FIFO across them: in order (the stored fills fed first), then the other
# way round (out of order with those stored), then a copy in other bytes (known by its rows)
imp two file "$TMP/early.csv" "$TMP/late.csv" "$TMP/early-crlf.csv"
imp two_whole stdin "$TMP/early.csv" "$TMP/late.csv" "$TMP/early-crlf.csv"
same two two_whole "two files in order"
[ -s "$TMP/two.notes" ] && bad "two files in order, yet: $(cat "$TMP/two.notes")" || ok
expect_in "$TMP/two.out" "already imported (import 1: the same rows in other bytes"
# then a file after both: in time order itself, not after the stored fills (stored out of order)
printf 'trader_id,date,symbol,side,qty,price\ntailguy,2024-06-17,AAA,B,10,5\ntailguy,2024-06-17,AAA,S,10,6\n' >"$TMP/tail.csv"
imp back file "$TMP/late.csv" "$TMP/early.csv" "$TMP/tail.csv"
imp back_whole stdin "$TMP/late.csv" "$TMP/early.csv" "$TMP/tail.csv"
same back back_whole "two files the other way round, then one after both"
expect_in "$TMP/back.notes" "early.csv: the fills are not in time order (after the "
expect_in "$TMP/back.notes" "tail.csv: the fills are not in time order (after the 295605 stored"
[ "$(days two | grep -v '^tailguy|')" = "$(days back | grep -v '^tailguy|')" ] && ok || bad "the order of the files changed the trader-days"

# a quoted line break after 34 MB (past the reader's first window, up to 32 MiB, in
# which a bad row was told): read whole after all, each bad row told once
python3 - "$TMP/quoted.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as out:
    out.write("trader_id,date,symbol,side,qty,price\n")
    out.write("ann,2024-01-02,AAA,B,10,5\nann,2024-01-02,AAA,X,10,5\n")
    for i in range(340):                            # 100 kB a line, one long symbol
        out.write("bo,2024-01-02,%s,%s,1,%d\n" % ("L" * 100000, "BS"[i % 2], 10 + i % 3))
    out.write('ann,2024-01-03,"A\nB",B,1,1\nann,2024-01-03,AAA,S,10,6\nann,2024-01-04,AAA,S,1,x\n')
PY
imp quoted file "$TMP/quoted.csv"
imp quoted_whole stdin "$TMP/quoted.csv"
same quoted quoted_whole "a quoted line break"
expect_in "$TMP/quoted.notes" "spans lines"
expect_in "$TMP/quoted.notes" "reading it whole"
n=$(grep -c -- '-:3: bad side' "$TMP/quoted.out")
[ "$n" = 1 ] && ok || bad "the bad row before the quoted line break told $n times"

if [ -n "$before" ]; then
  imp order_before before "$TMP/fills.csv"
  same order order_before "in time order, against $before"
  imp shuffled_before before "$TMP/shuffled.csv"
  same shuffled shuffled_before "shuffled, against $before"
  imp two_before before "$TMP/early.csv" "$TMP/late.csv" "$TMP/early-crlf.csv"
  same two two_before "two files in order, against $before"
  imp back_before before "$TMP/late.csv" "$TMP/early.csv" "$TMP/tail.csv"
  same back back_before "two files the other way round, then one after both, against $before"
  imp quoted_before before "$TMP/quoted.csv"
  same quoted quoted_before "a quoted line break, against $before"
fi

finish
