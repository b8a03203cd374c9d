#!/usr/bin/env bash
# Many accounts on one PostgreSQL, counted: the multi-account benchmark
# (bench/bench_accounts_pg.sh) at a small size. One and then eight dispatcher
# processes, each its own paper account, decide the same recommendations at
# once on a durable throwaway cluster, with limits open so that orders are
# placed and filled in every account on the same contracts. Every account
# decides every recommendation exactly once, no client order id appears twice,
# orders were placed, no dispatcher failed and `riskdesk audit verify` finds
# every chain intact. Then the same with looping dispatchers started first
# and woken by the import (RD_BENCH_MODE=loop): each still running at the end,
# and each stopping with exit 0. Its speed is not judged here.
. "$(dirname "$0")/common.sh"
command -v psql >/dev/null || skip_test "psql is not installed (scripts/deps.sh installs postgresql)"

set +e
RD_BENCH_BIN="$RD_BIN" RD_BENCH_LOG=warn bash "$RD_SOURCE_DIR/bench/bench_accounts_pg.sh" \
  "$(dirname "$RD_BIN")" 300 1 8 >"$TMP/out" 2>&1
rc=$?
set -e
[ $rc -eq 77 ] && skip_test "$(grep SKIPPED "$TMP/out" | head -1)"
sed 's/^/    /' "$TMP/out"
if [ $rc -eq 0 ]; then ok; else bad "the multi-account run's counts (exit $rc)"; fi
expect_in "$TMP/out" " 8 accounts x 300 recommendations: 2400 decisions"
expect_in "$TMP/out" "accounts not deciding each once: 0, duplicate client order ids: 0, dispatchers failed: 0, audit verify: clean"

set +e
RD_BENCH_MODE=loop RD_BENCH_BIN="$RD_BIN" RD_BENCH_LOG=warn bash "$RD_SOURCE_DIR/bench/bench_accounts_pg.sh" \
  "$(dirname "$RD_BIN")" 300 8 >"$TMP/loop" 2>&1
rc=$?
set -e
sed 's/^/    /' "$TMP/loop"
if [ $rc -eq 0 ]; then ok; else bad "the looping multi-account run's counts (exit $rc)"; fi
expect_in "$TMP/loop" "looping, import included:  8 accounts x 300 recommendations: 2400 decisions"
expect_in "$TMP/loop" "accounts not deciding each once: 0, duplicate client order ids: 0, dispatchers failed: 0, audit verify: clean"
finish
