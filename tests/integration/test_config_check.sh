#!/usr/bin/env bash
# `riskdesk config check`: good and bad configs, exit codes, messages that name
# the field, env misspelling warnings, and secrets that never reach the output.
set -u
: "${RD_BIN:?}" "${RD_SOURCE_DIR:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset ACCOUNT_TIER RISKDESK_CONFIG RISKDESK_DATABASE_URL MODE
fail=0
out=$tmp/out
errf=$tmp/err

# run EXPECTED_RC CMD... : runs with stdout in $out, stderr in $errf
run() {
  local want=$1; shift
  "$@" >"$out" 2>"$errf"
  local rc=$?
  if [ "$rc" -ne "$want" ]; then
    echo "FAIL: '$*' exited $rc, expected $want"; sed 's/^/  stderr: /' "$errf"; fail=1
  fi
}
has() {   # has FILE TEXT
  if ! grep -qF -- "$2" "$1"; then
    echo "FAIL: expected '$2' in $(basename "$1"):"; sed 's/^/  | /' "$1" | head -20; fail=1
  fi
}
hasnt() {
  if grep -qF -- "$2" "$1"; then echo "FAIL: '$2' must not appear in $(basename "$1")"; fail=1; fi
}

# the shipped example passes, text and JSON
run 0 "$RD_BIN" config check --config "$RD_SOURCE_DIR/examples/riskdesk.json"
has "$out" 'account "large"'
has "$out" 'account "tiny"'
has "$out" 'starting_cash: 209000.00'
has "$out" 'max_notional_exposure              1500.00'
has "$out" 'exits.day_close                    15:55'
run 0 "$RD_BIN" config check --config="$RD_SOURCE_DIR/examples/riskdesk.json" --json
if command -v python3 >/dev/null; then
  python3 - "$out" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True, d
acc = {a["name"]: a for a in d["accounts"]}
assert acc["large"]["starting_cash"] == "209000.00"
assert acc["tiny"]["tier"] == "tiny" and acc["tiny"]["tier_mode"] == "auto"
assert acc["tiny"]["risk"]["max_open_positions"] == 2
assert acc["tiny"]["risk"]["allowed_actions"] == ["BUY_CALL", "BUY_PUT"]
assert acc["large"]["risk"]["pdt"]["threshold"] == "25000.00"
PY
fi

# found through RISKDESK_CONFIG and ./riskdesk.json; nothing found names all three
(cd "$tmp" && RISKDESK_CONFIG="$RD_SOURCE_DIR/examples/riskdesk.json" "$RD_BIN" config check >/dev/null 2>&1) \
  || { echo "FAIL: RISKDESK_CONFIG not used"; fail=1; }
run 1 env -C "$tmp" "$RD_BIN" config check
has "$errf" "--config"; has "$errf" "RISKDESK_CONFIG"; has "$errf" "./riskdesk.json"

# bad inputs: exit 1, the message names the place
cat >"$tmp/typo.json" <<'J'
{"accounts": [{"name": "large", "risk": {"max_open_position": 3}}]}
J
run 1 "$RD_BIN" config check --config "$tmp/typo.json"
has "$errf" 'typo.json: accounts[0] "large": risk: unknown key "max_open_position" (did you mean "max_open_positions"?)'
run 1 "$RD_BIN" config check --config "$tmp/typo.json" --json
has "$out" '"ok": false'
has "$out" 'max_open_position'

cat >"$tmp/range.json" <<'J'
{"accounts": [{"name": "large"},
              {"name": "tiny", "tier": "tiny", "risk": {"max_open_positions": 0}}]}
J
run 1 "$RD_BIN" config check --config "$tmp/range.json"
has "$errf" 'range.json: accounts[1] "tiny": risk.max_open_positions: 0; expected an integer >= 1'

printf '{\n  "accounts": [\n    {"name": "a",}\n  ]\n}\n' >"$tmp/syntax.json"
run 1 "$RD_BIN" config check --config "$tmp/syntax.json"
has "$errf" 'syntax.json:3:'

cat >"$tmp/dup.json" <<'J'
{"accounts": [{"name": "a"}, {"name": "a"}]}
J
run 1 "$RD_BIN" config check --config "$tmp/dup.json"
has "$errf" 'accounts[1]'; has "$errf" 'accounts[0]'

cat >"$tmp/notier.json" <<'J'
{"accounts": [{"name": "a"}]}
J
ACCOUNT_TIER=huge run 1 "$RD_BIN" config check --config "$tmp/notier.json"
has "$errf" 'ACCOUNT_TIER'; has "$errf" 'tiny, small, medium, large or auto'
ACCOUNT_TIER=Tiny run 0 "$RD_BIN" config check --config "$tmp/notier.json"
has "$out" 'tiny (pinned by ACCOUNT_TIER)'
run 0 "$RD_BIN" config check --config "$tmp/notier.json"
has "$out" 'large (defaulted'
# a bad ACCOUNT_TIER refuses even where every account names its own tier
ACCOUNT_TIER=huge run 1 "$RD_BIN" config check --config "$RD_SOURCE_DIR/examples/riskdesk.json"
has "$errf" 'ACCOUNT_TIER="huge"'

run 1 "$RD_BIN" config check --config "$tmp/absent.json"
has "$errf" 'absent.json'
run 2 "$RD_BIN" config check --bogus

# misspelled environment: a warning, still valid
MODE=LOOP run 0 "$RD_BIN" config check --config "$tmp/notier.json"
has "$errf" 'MODE looks like RUN_MODE'

# secrets: shown masked at most, never whole, in text or JSON or warnings
key=PKINTEGRATION0000KEY7
secret=integration-secret-value-do-not-print
cat >"$tmp/creds.json" <<'J'
{"accounts": [{"name": "live1", "broker": "alpaca", "credentials": "env:RDIT", "tier": "small"},
              {"name": "p", "credentials": "env:RDNONE"}]}
J
for flag in "" --json; do
  RDIT_API_KEY=$key RDIT_SECRET_KEY=$secret ALPACA_PAPR_SECRET_KEY=$secret \
    run 0 "$RD_BIN" config check --config "$tmp/creds.json" $flag
  hasnt "$out" "$key"; hasnt "$errf" "$key"
  hasnt "$out" "$secret"; hasnt "$errf" "$secret"
  has "$out" "PK...KEY7"
  has "$errf" "ALPACA_PAPR_SECRET_KEY looks like ALPACA_PAPER_SECRET_KEY"
  has "$errf" "RDNONE_API_KEY is not set"
done

# two accounts on one API key (through different variables): exit 1 naming
# both, text and JSON; the key itself never shown
cat >"$tmp/samekey.json" <<'J'
{"accounts": [{"name": "acct_one", "broker": "alpaca", "credentials": "env:RDK1", "tier": "tiny"},
              {"name": "acct_two", "broker": "alpaca", "credentials": "env:RDK2", "tier": "large"}]}
J
for flag in "" --json; do
  RDK1_API_KEY=$key RDK1_SECRET_KEY=$secret RDK2_API_KEY=$key RDK2_SECRET_KEY=other-secret \
    run 1 "$RD_BIN" config check --config "$tmp/samekey.json" $flag
  has "$errf" 'accounts "acct_one" (env:RDK1) and "acct_two" (env:RDK2) resolve to the same API key'
  hasnt "$out" "$key"; hasnt "$errf" "$key"; hasnt "$errf" "$secret"
done
has "$out" '"ok": false'
RDK1_API_KEY=$key RDK1_SECRET_KEY=$secret RDK2_API_KEY=PKSOMEOTHERKEY0001 RDK2_SECRET_KEY=other \
  run 0 "$RD_BIN" config check --config "$tmp/samekey.json"
# an account whose credentials do not resolve is not compared, and the log says so
RDK1_API_KEY=$key RDK1_SECRET_KEY=$secret LOG_LEVEL=warn \
  run 0 "$RD_BIN" config check --config "$tmp/samekey.json"
has "$errf" 'event=credentials.check_skipped account=acct_two source=env:RDK2'
hasnt "$errf" 'account=acct_one source'

[ $fail -eq 0 ] && echo "config check: ok"
exit $fail
