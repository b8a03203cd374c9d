#!/usr/bin/env bash
# riskdesk replay on a throwaway PostgreSQL: a random history reproduced
# exactly under its own config, the expected flips under tightened and
# loosened limits, and not a row changed (pg_dump before and after).
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/replay_common.sh"
command -v pg_dump >/dev/null || skip_test "pg_dump is not installed (scripts/deps.sh installs postgresql)"
start_pg
echo "seed $SEED"
pg_rows() { pg_dump --data-only --inserts --no-owner "$PG_URL" | grep '^INSERT' | sort; }
hist_run "$PG_URL"
hist_check "$PG_URL" pg_rows
finish
