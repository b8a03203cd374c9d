# ledger_steps.sh - what the hierarchy's tests (test_ledger.sh, test_fork.sh)
# share, sourced after common.sh (verify_clean, jcheck_file): each step
# followed by `ledger verify`,
# checks that a refusal changed nothing, JSON checks, and the JSON of two
# stores compared without ids and times. C is the store's options, AT the
# clock (WHEN overrides it for one step).

# step RC ARGS...: a command at ${WHEN:-$AT} with its expected exit, then verify
step() {
  local want=$1; shift
  expect_rc "$want" "$RD_BIN" "$@" "${C[@]}" --at "${WHEN:-$AT}"
  verify_clean "$*"
}

# snapshot, then unchanged LABEL: the hierarchy and g1's ledger read as before
snapshot() { "$RD_BIN" ledger show "${C[@]}" --account g1 --json >"$TMP/before"; \
             "$RD_BIN" hierarchy show "${C[@]}" --json >>"$TMP/before"; }
unchanged() {
  "$RD_BIN" ledger show "${C[@]}" --account g1 --json >"$TMP/after"
  "$RD_BIN" hierarchy show "${C[@]}" --json >>"$TMP/after"
  if cmp -s "$TMP/before" "$TMP/after"; then ok; else bad "$1 changed the hierarchy or ledger"; fi
}

# normalise FILE: its JSON lines without the keys in NORMAL_DROP (ids and
# times), for comparing two stores
NORMAL_DROP="id txn at"
normalise() {
  python3 - "$1" "$NORMAL_DROP" <<'PY'
import json, sys
drop = set(sys.argv[2].split())
def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k not in drop}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v
for line in open(sys.argv[1]):
    print(json.dumps(strip(json.loads(line)), sort_keys=True))
PY
}

# same_json PART...: $TMP/sqlite.PART and $TMP/pg.PART alike but for NORMAL_DROP
same_json() {
  local part
  for part in "$@"; do
    if [ "$(normalise "$TMP/sqlite.$part")" = "$(normalise "$TMP/pg.$part")" ]; then ok; else
      bad "$part: SQLite and PostgreSQL differ"
      diff <(normalise "$TMP/sqlite.$part") <(normalise "$TMP/pg.$part") | head -10
    fi
  done
}
