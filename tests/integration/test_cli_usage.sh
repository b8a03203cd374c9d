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

finish
