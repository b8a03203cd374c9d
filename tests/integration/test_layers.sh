#!/usr/bin/env bash
# The layer rule (docs/hacking.md, shared DESIGN.md): a file includes headers of
# its own module or of a module below it, never above, and never a sibling's
# unless the table below allows that one edge.
#
#   cli 6 > api 5 > app 4 > broker, store, notify 3 > io, config, cloud 2
#       > core 1 > util 0
#
# A file's module is its folder under src/; a public header in include/riskdesk/
# belongs to the module it is named for (the table `header_module`). A new
# public header must be put in that table, or this test fails.
set -u
cd "${RD_SOURCE_DIR:?}"

declare -A rank=([util]=0 [core]=1 [io]=2 [config]=2 [cloud]=2
                 [broker]=3 [store]=3 [notify]=3 [app]=4 [api]=5 [cli]=6)

declare -A header_module=(
  [alloc.h]=util [banned.h]=util [buf.h]=util [decimal.h]=util [error.h]=util
  [log.h]=util [version.h]=util
  [calendar.h]=core [fills.h]=core [gates.h]=core [metrics.h]=core [money.h]=core
  [audit_chain.h]=core [order_id.h]=core [paper_market.h]=core [perf.h]=core [hierarchy.h]=core [ledger.h]=core [attribution.h]=core [pnl.h]=core [rec.h]=core
  [fork.h]=core [consolidate.h]=core
  [risk.h]=core [tier.h]=core [trade_stats.h]=core [trader_model.h]=core
  [trader_rules.h]=core [order.h]=core [kv.h]=core [replay.h]=core
  [decision_json.h]=io [replay_json.h]=io [fills_csv.h]=io [fills_stream.h]=io [fills_spill.h]=io [rec_json.h]=io [returns_csv.h]=io
  [config.h]=config [traders_config.h]=config
  [aws.h]=cloud
  [store.h]=store [audit.h]=store [crypt.h]=store
  [broker.h]=broker [alpaca.h]=broker
  [notify.h]=notify
  [demo.h]=app [dispatcher.h]=app [perf_report.h]=app [traders_import.h]=app
  [traders_pipeline.h]=app [traders_report.h]=app [traders_pnl.h]=app [runner.h]=app [accounts.h]=app [account_state.h]=app [hierarchy_ops.h]=app [perf_hierarchy.h]=app [node_fills.h]=app [replay_run.h]=app
  [fork_ops.h]=app [crash_point.h]=app [market_feed.h]=app [hierarchy_json.h]=app [consolidate_ops.h]=app
  [api.h]=api
)

# Edges allowed against the rule, each with its reason. "FROM-GLOB header".
allowed=(
  # config reads secrets from AWS (SSM, Secrets Manager): config sits on cloud.
  "src/config/* aws.h"
)

module_of_file() {   # path -> module
  case "$1" in
    include/riskdesk/*) echo "${header_module[$(basename "$1")]:-?}" ;;
    src/*/*) local d=${1#src/}; echo "${d%%/*}" ;;
    *) echo "?" ;;
  esac
}

is_allowed() {   # file header
  local e
  for e in "${allowed[@]}"; do
    # shellcheck disable=SC2053
    [[ "$1" == ${e% *} && "$2" == "${e#* }" ]] && return 0
  done
  return 1
}

fail=0
for h in include/riskdesk/*.h; do
  b=$(basename "$h")
  if [ -z "${header_module[$b]:-}" ]; then
    echo "layers: $h is in no module; add it to header_module in $0"; fail=1
  fi
done

while IFS= read -r f; do
  from=$(module_of_file "$f")
  [ -z "${rank[$from]:-}" ] && { echo "layers: $f is in no known module"; fail=1; continue; }
  while IFS= read -r inc; do
    case "$inc" in
      riskdesk/*) to=${header_module[$(basename "$inc")]:-?}; name=$(basename "$inc") ;;
      */*) to=${inc%%/*}; name=$inc ;;
      *) to=$from; name=$inc ;;                 # a header beside the file
    esac
    [ "$to" = "$from" ] && continue
    if [ -z "${rank[$to]:-}" ]; then
      echo "layers: $f includes \"$inc\", which is in no known module"; fail=1; continue
    fi
    if (( rank[$to] < rank[$from] )); then
      continue
    fi
    is_allowed "$f" "$name" && continue
    if (( rank[$to] == rank[$from] )); then
      echo "layers: $f ($from) includes \"$inc\" of $to, a sibling"
    else
      echo "layers: $f ($from) includes \"$inc\" of $to, a layer above"
    fi
    fail=1
  done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
done < <(find src include/riskdesk -name '*.[ch]' | sort)

[ $fail -eq 0 ] && echo "layers: ok"
exit $fail
