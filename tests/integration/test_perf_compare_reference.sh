#!/usr/bin/env bash
# The correlation matrix of accounts compared side by side, from the CLI
# (`perf compare --json`) and over HTTP (POST /api/v1/performance/compare),
# against numpy.corrcoef (tests/tools/corr_ref.py) on the returns of the same
# snapshots: a year of seeded daily snapshots of five accounts whose returns
# share a market factor, each missing some days (the matrix is over the days
# they all have), one flat (no variance: null, as numpy's NaN).
. "$(dirname "$0")/common.sh"
python_with numpy || skip_test "no python3 with numpy for the reference (python3-numpy, scripts/deps.sh)"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/deps.sh installs it)"
REF="$RD_SOURCE_DIR/tests/tools/corr_ref.py"
ACCOUNTS=(alpha beta gamma delta flat1)
"$PY" - "$TMP/riskdesk.json" "$TMP/rd.db" "${ACCOUNTS[@]}" <<'PY'
import json, sys
json.dump({"database": "sqlite:" + sys.argv[2],
           "accounts": [{"name": n, "tier": "auto", "starting_cash": "20000"} for n in sys.argv[3:]]},
          open(sys.argv[1], "w"))
PY
C=(--config "$TMP/riskdesk.json")
trap 'stop_server; rm -rf "$TMP"' EXIT
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role viewer --user vera   # makes the store
keep_token viewer
"$PY" "$REF" gen "$TMP/rd.db" 11 "${ACCOUNTS[@]}" || bad "corr_ref.py gen failed"
LIST=$(IFS=,; echo "${ACCOUNTS[*]}")

# against_numpy NAME FILE: FILE's matrix is numpy's within 1e-12
against_numpy() {
  if "$PY" "$REF" check "$TMP/rd.db" "$2" >"$TMP/cmp"; then ok; else bad "$1: the correlation differs from numpy's:"; fi
  echo "$1: $(cat "$TMP/cmp")"
}
expect_rc 0 "$RD_BIN" perf compare "${C[@]}" --accounts "$LIST" --json
mv "$TMP/out" "$TMP/cli.json"
against_numpy "perf compare" "$TMP/cli.json"
# a pair and its reverse: the same numbers from a smaller intersection of days
expect_rc 0 "$RD_BIN" perf compare "${C[@]}" --accounts delta,alpha --json
mv "$TMP/out" "$TMP/pair.json"
against_numpy "perf compare, two accounts" "$TMP/pair.json"

start_server "$TMP/s"
r POST /api/v1/performance/compare "$(cat "$TMP/viewer.token")" "{\"accounts\":[\"${LIST//,/\",\"}\"]}"
expect 200 '"correlation"'
cp "$TMP/body" "$TMP/http.json"
against_numpy "POST /api/v1/performance/compare" "$TMP/http.json"
stop_server
finish
