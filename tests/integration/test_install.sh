#!/usr/bin/env bash
# make install's rules (cmake --install) into a temporary DESTDIR and prefix:
# the program, libriskdesk.a, the public headers and riskdesk.pc; then
# examples/embed_gates.c compiled against the installed copy through
# pkg-config alone, run, and its verdicts checked.
source "$(dirname "$0")/common.sh"
BUILD=$(dirname "$RD_BIN")
command -v cc >/dev/null && command -v pkg-config >/dev/null || { echo "no cc or pkg-config: skipped"; exit 77; }

DEST=$TMP/dest PREFIX=/opt/riskdesk
expect_rc 0 env DESTDIR="$DEST" cmake --install "$BUILD" --prefix "$PREFIX"
ROOT=$DEST$PREFIX
LIBDIR=$(dirname "$(find "$ROOT" -name libriskdesk.a | head -1)")
for f in bin/riskdesk include/riskdesk/gates.h include/riskdesk/config.h include/riskdesk/money.h; do
  [ -f "$ROOT/$f" ] && ok || bad "not installed: $PREFIX/$f"
done
[ -x "$ROOT/bin/riskdesk" ] && ok || bad "bin/riskdesk is not executable"
[ -f "$LIBDIR/libriskdesk.a" ] && ok || bad "no libriskdesk.a under $PREFIX"
PC=$LIBDIR/pkgconfig/riskdesk.pc
[ -f "$PC" ] && ok || bad "no riskdesk.pc in $LIBDIR/pkgconfig"
# every public header, and nothing else
(cd "$RD_SOURCE_DIR/include/riskdesk" && ls *.h) >"$TMP/want"
(cd "$ROOT/include/riskdesk" && ls) >"$TMP/got"
cmp -s "$TMP/want" "$TMP/got" && ok || bad "installed headers differ: $(diff "$TMP/want" "$TMP/got" | head -5)"
"$ROOT/bin/riskdesk" help >"$TMP/out" 2>&1 && ok || bad "installed riskdesk help: $(cat "$TMP/out")"

export PKG_CONFIG_PATH=$LIBDIR/pkgconfig
pkg-config --exists riskdesk && ok || bad "pkg-config does not find riskdesk"
pkg-config --libs riskdesk >"$TMP/out"; expect_in "$TMP/out" "-lriskdesk"
pkg-config --libs --static riskdesk >"$TMP/out"
for l in -lsqlite3 -ljansson -lcurl -lcrypto -lpq -lmicrohttpd -lm; do expect_in "$TMP/out" " $l"; done
# relocatable: the flags point into DESTDIR, where the files are
pkg-config --cflags riskdesk >"$TMP/out"; expect_in "$TMP/out" "$PKG_CONFIG_PATH/../../include"

# shellcheck disable=SC2046
expect_rc 0 cc -std=c11 -Wall -Wextra -Werror "$RD_SOURCE_DIR/examples/embed_gates.c" \
  $(pkg-config --cflags --libs --static riskdesk) -o "$TMP/embed_gates"
CONF=$RD_SOURCE_DIR/examples/riskdesk.json
# Friday 2026-11-20, 10:30 ET: the large account takes it (10 contracts, its cap)
expect_rc 0 "$TMP/embed_gates" "$CONF" large 2026-11-20T15:30:00Z
expect_in "$TMP/out" "APPROVED AAPL261218C00230000 size 10"
# 18:19 ET, the tiny account: closed, and too small for a $300 contract
expect_rc 0 "$TMP/embed_gates" "$CONF" tiny 2026-11-20T23:19:00Z
expect_in "$TMP/out" "REJECTED AAPL261218C00230000: trading_hours: market_closed"
expect_in "$TMP/out" "sizing: budget_too_small"
expect_rc 1 "$TMP/embed_gates" "$CONF" nobody 2026-11-20T15:30:00Z
expect_in "$TMP/err" 'no account "nobody"'
finish
