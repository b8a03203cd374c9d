#!/usr/bin/env bash
# make fuzz: runs every libFuzzer target for FUZZ_SECONDS (default 60) each.
set -euo pipefail
build=${1:-build-fuzz}
secs=${FUZZ_SECONDS:-60}
fail=0
for f in "$build"/fuzz_*; do
  [ -x "$f" ] || continue
  name=$(basename "$f")
  work=$(mktemp -d)
  seeds="tests/fuzz/corpus/$name"
  [ -d "$seeds" ] && cp "$seeds"/* "$work"/ 2>/dev/null || true
  echo "-- $name for ${secs}s"
  if ! "$f" -max_total_time="$secs" -print_final_stats=0 "$work" >"$work.log" 2>&1; then
    echo "$name FAILED:"; tail -30 "$work.log"; fail=1
  else
    grep -E '^Done|#[0-9]+.*DONE' "$work.log" | tail -1 || true
  fi
  rm -rf "$work" "$work.log"
done
exit $fail
