#!/usr/bin/env bash
# riskdesk perf metrics, end to end: results against tests/tools/metrics_ref.py
# (numpy, from METRICS.md) on random series with NaNs, with and without a
# benchmark, rates and periods, value files, many accounts at once; and every
# kind of bad input, whose message must name the file and the line.
set -u
: "${RD_BIN:?}" "${RD_SOURCE_DIR:?}"
REF="$RD_SOURCE_DIR/tests/tools/metrics_ref.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
failn=0
ok() { pass=$((pass + 1)); }
bad() { failn=$((failn + 1)); echo "FAIL: $*"; }

# a python3 with numpy (Debian's /usr/bin/python3 has python3-numpy)
PY=""
for p in python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null && "$p" -c 'import numpy' 2>/dev/null; then PY=$p; break; fi
done
if [ -z "$PY" ]; then echo "FAIL: no python3 with numpy (apt-get install python3-numpy)"; exit 1; fi

# compare NAME ARGS...: riskdesk and the reference on the same arguments
compare() {
  local name=$1; shift
  if ! "$RD_BIN" perf metrics "$@" --json >"$tmp/got.json" 2>"$tmp/err"; then
    bad "$name: riskdesk failed: $(cat "$tmp/err")"; return
  fi
  "$PY" "$REF" compute "$@" >"$tmp/exp.json" || { bad "$name: reference failed"; return; }
  if "$PY" "$REF" compare "$tmp/got.json" "$tmp/exp.json" >"$tmp/cmp"; then ok
  else bad "$name:"; head -20 "$tmp/cmp"; fi
}

for seed in 1 2 3 4 5 6; do
  n=$((20 + seed * 97))
  "$PY" "$REF" gen --seed "$seed" --n "$n" --nan 0.03 >"$tmp/r$seed.csv"
  "$PY" "$REF" gen --seed "$((seed + 100))" --n "$n" --nan 0.02 >"$tmp/b$seed.csv"
  compare "seed $seed" --returns "$tmp/r$seed.csv"
  compare "seed $seed bench" --returns "$tmp/r$seed.csv" --benchmark "$tmp/b$seed.csv"
done
compare "rates" --returns "$tmp/r2.csv" --benchmark "$tmp/b2.csv" --risk-free 0.0001 --required-return 0.0003
# --required-return feeds sortino and downside_risk only: omega keeps
# required_return 0 (its threshold is rf alone), as METRICS.md says
compare "required return" --returns "$tmp/r4.csv" --required-return 0.002
compare "required return, weekly" --returns "$tmp/r6.csv" --risk-free 0.0002 --required-return -0.001 --period weekly
"$RD_BIN" perf metrics --returns "$tmp/r4.csv" --json >"$tmp/q0.json"
"$RD_BIN" perf metrics --returns "$tmp/r4.csv" --required-return 0.002 --json >"$tmp/q1.json"
if "$PY" - "$tmp/q0.json" "$tmp/q1.json" <<'PYEOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["omega"] == b["omega"], (a["omega"], b["omega"])
assert a["sortino"] != b["sortino"] and a["downside_risk"] != b["downside_risk"]
assert all(a[k] == b[k] for k in a if k not in ("sortino", "downside_risk"))
PYEOF
then ok; else bad "--required-return changed more than sortino and downside_risk"; fi
compare "weekly" --returns "$tmp/r3.csv" --benchmark "$tmp/b3.csv" --period weekly
compare "monthly" --returns "$tmp/r1.csv" --period monthly
"$PY" "$REF" gen --seed 9 --n 300 --values >"$tmp/v.csv"
compare "values" --returns "$tmp/v.csv" --benchmark "$tmp/b4.csv"
# benchmark with other dates: shifted by a few rows
{ head -1 "$tmp/b5.csv"; tail -n +8 "$tmp/b5.csv"; } >"$tmp/b5s.csv"
compare "bench missing dates" --returns "$tmp/r5.csv" --benchmark "$tmp/b5s.csv"
"$PY" "$REF" gen --seed 11 --n 250 --nan 0.05 --accounts 7 >"$tmp/acc.csv"
compare "accounts" --returns "$tmp/acc.csv" --benchmark "$tmp/b3.csv"
# interleaved (date-major) rows give the same answer as grouped ones
{ head -1 "$tmp/acc.csv"; tail -n +2 "$tmp/acc.csv" | sort -t, -k1,1 -k2,2; } >"$tmp/acc_dm.csv"
compare "accounts date-major" --returns "$tmp/acc_dm.csv" --threads 3
# edge series
printf 'date,return\n2024-01-02,0.02\n' >"$tmp/one.csv"
compare "one" --returns "$tmp/one.csv" --benchmark "$tmp/one.csv"
printf 'date,return\n' >"$tmp/flat.csv"
for d in 02 03 04 05 08 09 10 11 12; do printf '2024-01-%s,0.01\n' "$d" >>"$tmp/flat.csv"; done
compare "flat 0.01" --returns "$tmp/flat.csv" --benchmark "$tmp/one.csv"
printf 'date,return\n2024-01-02,NaN\n2024-01-03,\n2024-01-04,nan\n' >"$tmp/nan.csv"
compare "all NaN" --returns "$tmp/nan.csv"

# JSON shape: infinities as strings, NaN as null
"$RD_BIN" perf metrics --returns "$tmp/flat.csv" --json >"$tmp/flat.json"
if grep -q '"sharpe":"Infinity"' "$tmp/flat.json" && grep -q '"alpha":null' "$tmp/flat.json"; then ok
else bad "flat json: $(cat "$tmp/flat.json")"; fi
# the text table
if "$RD_BIN" perf metrics --returns "$tmp/r1.csv" | grep -qE '^  sharpe +-?[0-9]'; then ok
else bad "text table has no sharpe row"; fi

# bad input: exit 1, message naming the file and line
expect_fail() {
  local name=$1 text=$2 want=$3
  printf '%b' "$text" >"$tmp/bad.csv"
  if "$RD_BIN" perf metrics --returns "$tmp/bad.csv" --json >"$tmp/out" 2>"$tmp/err"; then
    bad "$name: accepted"; return
  fi
  if grep -qF -- "$want" "$tmp/err" && grep -qF "$tmp/bad.csv" "$tmp/err"; then ok
  else bad "$name: message '$(cat "$tmp/err")' lacks '$want'"; fi
}
expect_fail "header only" 'date,return\n' ":1: no data rows"
expect_fail "header and blank lines" 'date,return\n\n\r\n' ":1: no data rows"
expect_fail "accounts header only" 'date,account,return\n' ":1: no data rows"
expect_fail "values header only" 'date,value\n' ":1: no data rows"
expect_fail "one value" 'date,value\n2024-01-02,100\n' "a value file needs at least two values"
expect_fail "empty file" '' ":1: empty input"
printf 'date,return\n' >"$tmp/hdr.csv"
if "$RD_BIN" perf metrics --returns "$tmp/r1.csv" --benchmark "$tmp/hdr.csv" 2>"$tmp/err"; then bad "header-only benchmark accepted"
elif grep -qF "$tmp/hdr.csv:1: no data rows" "$tmp/err"; then ok; else bad "header-only benchmark: $(cat "$tmp/err")"; fi
expect_fail "missing columns" 'date\n2024-01-02\n' ":1: expected the header"
expect_fail "short row" 'date,return\n2024-01-02,0.1\n2024-01-03\n' ":3: expected 2 columns"
expect_fail "bad date" 'date,return\n2024-01-02,0.1\n2024-02-30,0.1\n' ":3: bad date '2024-02-30'"
expect_fail "text in number" 'date,return\n2024-01-02,0.1\n2024-01-03,ten\n' ":3: return 'ten' is not a number"
expect_fail "unsorted" 'date,return\n2024-01-03,0.1\n2024-01-02,0.1\n' ":3: dates not sorted"
expect_fail "duplicate" 'date,return\n2024-01-02,0.1\n2024-01-02,0.1\n' ":3: duplicate date 2024-01-02"
# numbers that are not usable returns or values: infinite, a loss beyond
# everything, a worthless account
expect_fail "overflowing return" 'date,return\n2024-01-02,0.1\n2024-01-03,1e999\n' ":3: return '1e999' is not finite"
expect_fail "inf return" 'date,return\n2024-01-02,inf\n2024-01-03,0.1\n' ":2: return 'inf' is not finite"
expect_fail "-inf return" 'date,return\n2024-01-02,0.1\n2024-01-03,-Infinity\n' ":3: return '-Infinity' is not finite"
expect_fail "return below -100%" 'date,return\n2024-01-02,0.1\n2024-01-03,-2\n' ":3: return '-2' is below -1 (-100%)"
expect_fail "account return below -100%" 'date,account,return\n2024-01-02,A,0.1\n2024-01-03,A,-1.5\n' ":3: return '-1.5' is below -1 (-100%)"
expect_fail "zero value" 'date,value\n2024-01-02,100\n2024-01-03,0\n' ":3: value '0' is not above zero"
expect_fail "negative value" 'date,value\n2024-01-02,-5\n2024-01-03,100\n' ":2: value '-5' is not above zero"
expect_fail "inf value" 'date,value\n2024-01-02,100\n2024-01-03,1e400\n' ":3: value '1e400' is not finite"
expect_fail "account dup" 'date,account,return\n2024-01-02,A,0.1\n2024-01-03,A,0.1\n2024-01-03,A,0.1\n' ":4: duplicate date 2024-01-03 for account 'A'"

# usage errors: exit 2
for args in "" "--returns" "--returns $tmp/r1.csv --period hourly" "--returns $tmp/r1.csv --risk-free x" "--returns $tmp/r1.csv --bogus"; do
  # shellcheck disable=SC2086
  "$RD_BIN" perf metrics $args >/dev/null 2>&1
  if [ $? -eq 2 ]; then ok; else bad "usage error not exit 2: '$args'"; fi
done
if "$RD_BIN" perf metrics --returns "$tmp/nope.csv" 2>"$tmp/err"; then bad "missing file accepted"
elif grep -q "nope.csv: cannot open" "$tmp/err"; then ok; else bad "missing file: $(cat "$tmp/err")"; fi
if "$RD_BIN" perf metrics --returns "$tmp/r1.csv" --benchmark "$tmp/acc.csv" 2>"$tmp/err"; then bad "multi benchmark accepted"
elif grep -q "a benchmark is one series" "$tmp/err"; then ok; else bad "multi benchmark: $(cat "$tmp/err")"; fi
# stdin
if "$RD_BIN" perf metrics --returns - --json <"$tmp/r1.csv" | grep -q '"cum_return"'; then ok; else bad "stdin"; fi

echo "perf metrics: $pass passed, $failn failed"
[ "$failn" -eq 0 ]
