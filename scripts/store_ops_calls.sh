#!/usr/bin/env bash
# store_ops_calls.sh - rewrites calls of the store's operations from the single
# table (s->ops->rec_add(...)) to its sub-tables (s->ops->trading->rec_add(...)).
# Idempotent: a call already through a sub-table is left alone. Run from the
# top of the tree; with no arguments it rewrites every C file under src, tests
# and bench, else the files named.
set -euo pipefail
trading='account_put|account_get|account_list|rec_add|rec_get|rec_undecided|decision_add|decision_list|order_add|order_update|order_get|order_list|position_put|position_list|trade_add|activity|kv_get|kv_put'
api='token_add|token_find|token_list|token_revoke|user_put|user_get|user_list|assignment_add|assignment_list|account_def_put|account_def_list|rec_list|decision_get|decision_counts|order_counts'
traders='trader_import_add|trader_import_get|trader_fills_add|trader_daily_add|trader_limits_put|trader_load|trader_days_put|trader_days_load|trader_report_add|trader_report_last|trader_prediction_add|trader_prediction_list'
perf='snapshot_put|snapshot_get|snapshot_list|snapshot_delete|perf_event_add|perf_event_list|trade_list'
if [ $# -eq 0 ]; then
    mapfile -t files < <(grep -rlE --include='*.c' --include='*.h' 'ops->[a-z_]+' src tests bench)
else
    files=("$@")
fi
[ ${#files[@]} -eq 0 ] && exit 0
perl -pi -e "
    s/\\bops->($trading)\\b/ops->trading->\$1/g;
    s/\\bops->($api)\\b/ops->api->\$1/g;
    s/\\bops->($traders)\\b/ops->traders->\$1/g;
    s/\\bops->($perf)\\b/ops->perf->\$1/g;
" "${files[@]}"
