#!/usr/bin/env bash
# `riskdesk traders pnl` at scale against tests/tools/fifo_ref.py, a FIFO
# written apart from src/core/pnl.c (python3's standard library, Decimal
# money): every trader-day of `traders gen` output (shorts, flips, positions
# held overnight, fee breakdowns), row by row, money exact. Then the same
# fills shuffled (the order must come from date and time, not the file), and
# with some times blanked and dates written YYYY-MM-DD (a fill without a time
# comes first in its day).
. "$(dirname "$0")/common.sh"
command -v python3 >/dev/null || skip_test "python3 is needed for the reference FIFO (tests/tools/fifo_ref.py)"
REF="$RD_SOURCE_DIR/tests/tools/fifo_ref.py"

# same NAME FILE [--all]: riskdesk and the reference agree on every row
same() {
  local name=$1 file=$2; shift 2
  expect_rc 0 "$RD_BIN" traders pnl "$file" "$@"
  mv "$TMP/out" "$TMP/got.csv"
  if ! python3 "$REF" "$file" "$@" >"$TMP/want.csv"; then bad "$name: the reference failed"; return; fi
  if python3 "$REF" --compare "$TMP/got.csv" "$TMP/want.csv" >"$TMP/cmp"; then ok
  else bad "$name: traders pnl and the reference differ:"; sed 's/^/    /' "$TMP/cmp"; fi
  echo "$name: $(cat "$TMP/cmp")"
}

# 12 traders and a legacy one over a year: about 125,000 fills
expect_rc 0 "$RD_BIN" traders gen --traders 12 --days 250 --seed 7 --end 2024-06-14 --out "$TMP/fills.csv"
n=$(($(wc -l <"$TMP/fills.csv") - 1))
if [ "$n" -gt 100000 ]; then ok; else bad "traders gen wrote $n fills; 100,000 or more expected"; fi
same "gen, all traders" "$TMP/fills.csv" --all
same "gen, legacy left out" "$TMP/fills.csv"
if grep -q '_OLD,' "$TMP/got.csv"; then bad "a legacy trader is in traders pnl without --all"; else ok; fi

# the file's order is not the fills' order
python3 - "$TMP/fills.csv" "$TMP/shuffled.csv" "$TMP/untimed.csv" <<'PY'
import random, sys
lines = open(sys.argv[1]).read().splitlines()
head, rows = lines[0], lines[1:]
rng = random.Random(17)
shuffled = rows[:]
rng.shuffle(shuffled)
open(sys.argv[2], "w").write("\n".join([head] + shuffled) + "\n")
out = []
for line in shuffled:
    f = line.split(",")
    if rng.random() < 0.1:
        f[2] = ""                                   # no time: first in its day
    if rng.random() < 0.5:
        m, d, y = f[1].split("/")
        f[1] = f"{y}-{m}-{d}"                       # the other date form
    out.append(",".join(f))
open(sys.argv[3], "w").write("\n".join([head] + out) + "\n")
PY
same "shuffled" "$TMP/shuffled.csv" --all
expect_rc 0 "$RD_BIN" traders pnl "$TMP/fills.csv" --all
if cmp -s "$TMP/out" "$TMP/got.csv"; then ok; else bad "shuffling the file changed traders pnl's answer"; fi
same "times blanked, ISO dates" "$TMP/untimed.csv" --all

finish
