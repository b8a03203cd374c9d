#!/usr/bin/env bash
# Runs every unit test under valgrind; any leak or error fails.
set -euo pipefail
build=${1:-build}
fail=0
for t in "$build"/test_*; do
  [ -x "$t" ] || continue
  if ! valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
        --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 "$t" >/dev/null 2>"$t.valgrind.log"; then
    echo "valgrind: $t failed:"; tail -40 "$t.valgrind.log"; fail=1
  fi
done
[ $fail -eq 0 ] && echo "valgrind: all unit tests clean"
exit $fail
