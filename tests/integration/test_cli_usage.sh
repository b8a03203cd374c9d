#!/usr/bin/env bash
# Command-line usage: conflicting flags are usage errors (exit 2, naming both
# flags), help goes to stdout with exit 0.
. "$(dirname "$0")/common.sh"
write_config
C=(--config "$TMP/riskdesk.json")

# dispatch: --once and --loop conflict, in either order; nothing runs
expect_rc 2 timeout 10 "$RD_BIN" dispatch "${C[@]}" --account tiny --once --loop
expect_in "$TMP/err" "--once and --loop"
expect_rc 2 timeout 10 "$RD_BIN" dispatch "${C[@]}" --account tiny --loop --once
expect_in "$TMP/err" "--once and --loop"
expect_rc 0 "$RD_BIN" dispatch "${C[@]}" --account tiny --once --once

# --at: a time outside the window is refused before anything is written
for at in 1900-01-01T00:00:00Z 1999-12-31T23:59:59Z 9999-12-31T00:00:00Z; do
  expect_rc 1 "$RD_BIN" perf snapshot "${C[@]}" --account tiny --at "$at"
  expect_in "$TMP/err" "--at: $at is outside the window"
  expect_rc 1 "$RD_BIN" dispatch "${C[@]}" --account tiny --once --at "$at"
  expect_in "$TMP/err" "outside the window"
done
expect_rc 0 "$RD_BIN" perf report "${C[@]}" --account tiny --json
expect_not_in "$TMP/out" 1899
expect_not_in "$TMP/out" 9999
expect_rc 0 "$RD_BIN" perf snapshot "${C[@]}" --account tiny --at 2000-01-03T21:00:00Z
expect_in "$TMP/out" "tiny 2000-01-03 equity"

# one option parser for every command (main.c): --json is output only
AT=2026-11-20T15:30:00Z
REC='{"id":"u1","created_at":"2026-11-20T15:29:50Z","underlying":"AAPL","symbol":"AAPL261218C00100000","action":"BUY_CALL","strategy":"swing","confidence":0.8,"volume_ratio":3,"price":"1.00"}'
expect_rc 2 "$RD_BIN" gates eval "${C[@]}" --account tiny --at "$AT" --json "$REC"
expect_in "$TMP/err" "--json asks for JSON output; give the recommendation with --rec"
expect_rc 2 "$RD_BIN" recommend add "${C[@]}" --json "$REC"
expect_in "$TMP/err" "give the recommendation with --rec"
expect_rc 2 "$RD_BIN" gates eval "${C[@]}" --account tiny --at "$AT"
expect_in "$TMP/err" "--rec JSON or --rec-file FILE"
expect_rc 0 "$RD_BIN" gates eval "${C[@]}" --account tiny --at "$AT" --json --rec "$REC"
expect_in "$TMP/out" '"approved":'
printf '\xef\xbb\xbf%s\n' "$REC" >"$TMP/rec.json"
expect_rc 0 "$RD_BIN" gates eval "${C[@]}" --account tiny --at "$AT" --text --rec-file "$TMP/rec.json"
expect_in "$TMP/out" "tiny u1: "
expect_rc 0 "$RD_BIN" recommend add "${C[@]}" --rec-file - <"$TMP/rec.json"
expect_in "$TMP/out" "added u1"
# --version; a group's --help is an answer on stdout; orders --limit
expect_rc 0 "$RD_BIN" --version
expect_in "$TMP/out" "riskdesk "
expect_rc 0 "$RD_BIN" traders --help
expect_in "$TMP/out" "traders pipeline"
expect_rc 2 "$RD_BIN" traders
expect_rc 0 "$RD_BIN" traders pipeline --help
for flag in --date --folder --no-mail --html --config --db; do expect_in "$TMP/out" -- "$flag"; done
expect_rc 0 "$RD_BIN" dispatch "${C[@]}" --account tiny --once --at "$AT"
expect_rc 0 "$RD_BIN" orders "${C[@]}" --account tiny --json --limit 1
python3 -c 'import json,sys; assert len(json.load(open(sys.argv[1]))) <= 1' "$TMP/out" && ok || bad "orders --limit 1"
expect_rc 2 "$RD_BIN" orders "${C[@]}" --account tiny --limit -3
# a binary file: the bad-line messages are capped, the count is said
python3 -c 'import os, sys; sys.stdout.buffer.write(b"".join(os.urandom(40).replace(b"\n", b"") + b"\n" for _ in range(300)))' >"$TMP/binary.jsonl"
expect_rc 1 "$RD_BIN" recommend import "${C[@]}" "$TMP/binary.jsonl"
n=$(grep -c "(skipped)" "$TMP/err")
[ "$n" -le 50 ] && ok || bad "$n bad-line messages, wanted at most 50"
expect_in "$TMP/err" "more bad lines not shown"

# the demo's closing hint names the program as it was run
expect_rc 0 "$RD_BIN" demo --db "$TMP/demo.db" --duration 1 --interval-ms 0
expect_in "$TMP/out" "Inspect it (from the source tree): $RD_BIN decisions --config"

# a UTF-8 byte order mark is accepted the same in every input
printf '\xef\xbb\xbf' >"$TMP/bom"
cat "$TMP/bom" "$TMP/riskdesk.json" >"$TMP/bom.json"
expect_rc 0 "$RD_BIN" config check --config "$TMP/bom.json"
{ cat "$TMP/bom"; printf '%s\n' "$(echo "$REC" | sed 's/"u1"/"bom1"/')"; } >"$TMP/bom.jsonl"
expect_rc 0 "$RD_BIN" recommend import "${C[@]}" "$TMP/bom.jsonl"
expect_in "$TMP/out" "imported 1, already present 0, bad lines 0"
{ cat "$TMP/bom"; printf 'date,return\n2024-01-02,0.01\n2024-01-03,0.02\n'; } >"$TMP/bom.csv"
expect_rc 0 "$RD_BIN" perf metrics --returns "$TMP/bom.csv"
{ cat "$TMP/bom"; printf 'trader_id,date,symbol,side,qty,price\nzed,2024-02-05,AAA,B,1,1\n'; } >"$TMP/bomf.csv"
expect_rc 0 "$RD_BIN" traders pnl "$TMP/bomf.csv"

finish
