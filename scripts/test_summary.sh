#!/usr/bin/env bash
# Prints what a ctest run did, from its JUnit file(s) (ctest --output-junit):
# "N ran, N passed, N failed, N skipped" and, for each skipped test, the reason
# it printed (its "SKIPPED: ..." line). A green run with skips says so here.
# Usage: scripts/test_summary.sh BUILD/junit.xml...
set -u
[ $# -gt 0 ] || { echo "usage: $0 JUNIT.xml..." >&2; exit 2; }
command -v python3 >/dev/null || { echo "test summary: python3 is needed to read $*" >&2; exit 0; }
python3 - "$@" <<'PY'
import os, sys
import xml.etree.ElementTree as ET
for path in sys.argv[1:]:
    label = os.path.dirname(path) or "."
    if not os.path.exists(path):
        print(f"== {label}: no test results ({path} missing)")
        continue
    cases = ET.parse(path).getroot().iter("testcase")
    passed, failed, skipped = [], [], []
    for c in cases:
        name, status = c.get("name"), c.get("status")
        if status in ("notrun", "disabled") or c.find("skipped") is not None:
            out = c.findtext("system-out") or ""
            why = [l[len("SKIPPED: "):] for l in out.splitlines() if l.startswith("SKIPPED: ")]
            skipped.append((name, why[-1] if why else "(no reason printed: " +
                            ((c.find("skipped").get("message") if c.find("skipped") is not None else status) or "") + ")"))
        elif status == "fail" or c.find("failure") is not None:
            failed.append(name)
        else:
            passed.append(name)
    ran = len(passed) + len(failed)
    print(f"== {label}: {ran} ran, {len(passed)} passed, {len(failed)} failed, {len(skipped)} skipped")
    for n in failed:
        print(f"   FAILED  {n}")
    for n, why in skipped:
        print(f"   SKIPPED {n}: {why}")
PY
