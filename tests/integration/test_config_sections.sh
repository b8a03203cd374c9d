#!/usr/bin/env bash
# The "slack", "assignment" and "health" sections are validated like every
# other: an unknown key (with a hint) or a wrong type fails `config check`
# and `serve` alike, naming the field; what `config check` passes, `serve`
# accepts.
. "$(dirname "$0")/common.sh"
C=(--config "$TMP/c.json")
# cfg SECTION-JSON: a config with one paper account plus the section
cfg() {
  cat >"$TMP/c.json" <<JSON
{"database": "sqlite:$TMP/rd.db", $1
 "accounts": [{"name": "large", "tier": "auto", "starting_cash": "209000"}]}
JSON
}
# refused SECTION-JSON TEXT...: config check and serve both refuse it, naming TEXT
refused() {
  local section=$1; shift
  cfg "$section,"
  expect_rc 1 "$RD_BIN" config check "${C[@]}"
  for t in "$@"; do expect_in "$TMP/err" "$t"; done
  expect_rc 1 timeout 10 "$RD_BIN" serve "${C[@]}" --listen 127.0.0.1:0
  for t in "$@"; do expect_in "$TMP/err" "$t"; done
}
accepted() {
  cfg "$1,"
  expect_rc 0 "$RD_BIN" config check "${C[@]}"
}

refused '"slack": {"signing_secrt": "abc"}' 'slack' 'unknown key "signing_secrt"' 'did you mean "signing_secret"'
refused '"slack": {"signing_secret": 123}' 'slack.signing_secret' '123; expected a string'
refused '"slack": {"signing_secret": ""}' 'slack.signing_secret' 'empty'
refused '"slack": {"admins": "U1"}' 'slack.admins' 'expected an array'
refused '"slack": {"admins": ["U1", 7]}' 'slack.admins[1]' 'expected a string'
refused '"slack": "on"' 'slack' 'expected an object'
refused '"assignment": {"departmnts": {"options": "large"}}' 'assignment' 'unknown key "departmnts"' 'did you mean "departments"'
refused '"assignment": {"departments": {"options": 5}}' 'assignment.departments.options' 'expected a string'
refused '"assignment": {"departments": ["large"]}' 'assignment.departments' 'expected an object'
refused '"health": {"interval_s": 0}' 'health.interval_s' 'from 1 to 86400'
refused '"health": {"failures": 2.5}' 'health.failures' 'expected an integer'
refused '"health": {"interval": 5}' 'health' 'unknown key "interval"'

accepted '"slack": {"signing_secret": "abc", "admins": ["U1"]}, "assignment": {"departments": {"options": "large"}}, "health": {"interval_s": 1, "failures": 2}'
accepted '"slack": {}, "assignment": {}, "health": {}'
finish
