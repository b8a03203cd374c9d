#!/usr/bin/env bash
# Runs every unit test, and each fuzz corpus replay, under valgrind; any leak
# or error fails. Those only: the server and the CLI are watched by ASan/UBSan
# (make test-asan runs the integration tests on the sanitizer build, and they
# fail on any sanitizer report or a server that does not exit 0).
set -uo pipefail
build=${1:-build}
fail=0
for t in "$build"/test_*; do
  [ -x "$t" ] || continue
  valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 "$t" >"$t.valgrind.out" 2>"$t.valgrind.log"
  rc=$?
  if [ $rc -eq 77 ]; then      # the program could not run here and says why
    echo "valgrind: $t skipped: $(grep -m1 '^SKIPPED: ' "$t.valgrind.out" | cut -c10-)"
  elif [ $rc -ne 0 ]; then
    echo "valgrind: $t failed:"; tail -40 "$t.valgrind.log"; fail=1
  fi
done
# the fuzz corpora, replayed (tests/fuzz/replay_main.c): a few hundred inputs
for t in "$build"/replay_fuzz_*; do
  [ -x "$t" ] || continue
  corpus="$(dirname "$0")/../tests/fuzz/corpus/${t##*/replay_}"
  if ! valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
        --error-exitcode=99 "$t" "$corpus" >/dev/null 2>"$t.valgrind.log"; then
    echo "valgrind: $t failed:"; tail -40 "$t.valgrind.log"; fail=1
  fi
done
[ $fail -eq 0 ] && echo "valgrind: all unit tests and fuzz corpora clean"
exit $fail
