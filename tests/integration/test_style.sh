#!/usr/bin/env bash
# Style rules that the compiler cannot check alone (see shared STYLE.md):
# every source file under src/ includes riskdesk/banned.h, and no file calls
# an unbounded or unchecked C library function.
set -u
cd "${RD_SOURCE_DIR:?}"
fail=0
for f in $(find src -name '*.c'); do
  if ! grep -q '#include "riskdesk/banned.h"' "$f"; then
    echo "style: $f does not include riskdesk/banned.h"; fail=1
  fi
done
hits=$(grep -rnE '\b(strcpy|strcat|strncpy|sprintf|vsprintf|strtok|atoi|atol|atof|gets)\s*\(' src include \
       | grep -v 'include/riskdesk/banned.h' || true)
if [ -n "$hits" ]; then echo "style: banned calls:"; echo "$hits"; fail=1; fi
[ $fail -eq 0 ] && echo "style: ok"
exit $fail
