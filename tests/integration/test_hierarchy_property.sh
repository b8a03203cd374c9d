#!/usr/bin/env bash
# A property test of the account hierarchy (tests/tools/hier_property.py):
# a random sequence of deposits, withdrawals, P&L, paper fills and exits,
# state changes, forks, consolidations (each strategy), invalid operations
# and a SIGKILL at every crash step (fork.*, consolidate.*, ledger.*), with
# `ledger verify` clean and `hierarchy show` as a model of the rules says
# after each; refusals change nothing; a rerun after a crash leaves exactly
# one result. On SQLite, then on a throwaway PostgreSQL (fewer steps).
# HIER_PROPERTY_SEED picks the sequence (default 2, which has a sibling consolidation done; printed), and
# HIER_PROPERTY_STEPS its length on SQLite (default 150).
. "$(dirname "$0")/common.sh"
start_pg                     # skips (77) only when PostgreSQL's binaries are missing

SEED=${HIER_PROPERTY_SEED:-2}
STEPS=${HIER_PROPERTY_STEPS:-150}
trade='"risk": {"allowed_actions": ["BUY_STOCK", "SELL_STOCK"], "max_notional_exposure": "10000000",
                "max_daily_loss": "1000000", "ticker_cooldown_minutes": 0}'
cat >"$TMP/riskdesk.json" <<JSON
{"database": "sqlite:$TMP/rd.db", "accounts": [
  {"name": "g1", "tier": "auto", "starting_cash": "10000", $trade},
  {"name": "g2", "tier": "auto", "starting_cash": "10000", $trade},
  {"name": "r1", "tier": "auto", "starting_cash": "100000"},
  {"name": "c1", "tier": "auto", "starting_cash": "600000"},
  {"name": "x", "tier": "auto", "starting_cash": "10000"}]}
JSON

property() {  # property STEPS [--db URL]
  local steps=$1; shift
  if python3 "$RD_SOURCE_DIR/tests/tools/hier_property.py" --bin "$RD_BIN" \
       --config "$TMP/riskdesk.json" --seed "$SEED" --steps "$steps" --tmp "$TMP" "$@"; then
    ok
  else
    bad "the hierarchy's property (seed $SEED${*:+ $*}); rerun with HIER_PROPERTY_SEED=$SEED"
  fi
}

property "$STEPS"
property $((STEPS / 5 + 14)) --db "$PG_URL"
finish
