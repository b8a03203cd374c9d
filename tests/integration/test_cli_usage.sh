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

finish
