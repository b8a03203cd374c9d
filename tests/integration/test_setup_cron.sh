#!/usr/bin/env bash
# scripts/setup-cron.sh against a fake `crontab` on PATH (it keeps the table in a
# file and logs its calls): --dry-run prints the line and calls nothing; an
# install adds the 07:00 weekday line once, keeps the other lines, and a second
# run changes nothing; --remove takes it out; a bad binary is refused.
. "${RD_SOURCE_DIR:?}/tests/integration/common.sh"
script="$RD_SOURCE_DIR/scripts/setup-cron.sh"

mkdir -p "$TMP/fakebin"
cat >"$TMP/fakebin/crontab" <<'SH'
#!/usr/bin/env bash
# fake crontab: -l prints $FAKE_CRONTAB (or fails as cron does without one); - replaces it
echo "crontab $*" >>"$FAKE_CRONTAB.calls"
case ${1-} in
-l) [ -f "$FAKE_CRONTAB" ] || { echo "no crontab for $USER" >&2; exit 1; }; cat "$FAKE_CRONTAB" ;;
-) cat >"$FAKE_CRONTAB" ;;
*) echo "fake crontab: unexpected $*" >&2; exit 2 ;;
esac
SH
chmod +x "$TMP/fakebin/crontab"
export PATH="$TMP/fakebin:$PATH"
export FAKE_CRONTAB="$TMP/crontab"
want="0 7 * * 1-5 cd '/srv/riskdesk' && RISKDESK_CONFIG='/srv/riskdesk/riskdesk.json' '$RD_BIN' traders pipeline >>'/var/log/riskdesk/pipeline.log' 2>&1"
args=(--bin "$RD_BIN" --dir /srv/riskdesk --config /srv/riskdesk/riskdesk.json)

# --- dry run: the line, nothing called ---
expect_rc 0 bash "$script" "${args[@]}" --dry-run
expect_in "$TMP/out" "$want"
[ ! -e "$FAKE_CRONTAB.calls" ] && ok || bad "--dry-run called crontab: $(cat "$FAKE_CRONTAB.calls")"

# --- install into an empty crontab ("no crontab for USER") ---
expect_rc 0 bash "$script" "${args[@]}"
[ "$(grep -cxF -- "$want" "$FAKE_CRONTAB")" = 1 ] && ok || bad "not installed once: $(cat "$FAKE_CRONTAB")"
expect_in "$TMP/out" "installed: $want"

# --- the user's other lines stay; a second run changes nothing ---
printf 'MAILTO=ops@firm.example\n30 2 * * * /usr/bin/backup\n' >"$TMP/other"
cat "$TMP/other" "$FAKE_CRONTAB" >"$TMP/merged" && cp "$TMP/merged" "$FAKE_CRONTAB"
expect_rc 0 bash "$script" "${args[@]}"
expect_rc 0 bash "$script" "${args[@]}"
[ "$(grep -cF -- "traders pipeline" "$FAKE_CRONTAB")" = 1 ] && ok || bad "twice installed: $(cat "$FAKE_CRONTAB")"
expect_in "$FAKE_CRONTAB" "MAILTO=ops@firm.example"
expect_in "$FAKE_CRONTAB" "30 2 * * * /usr/bin/backup"
cp "$FAKE_CRONTAB" "$TMP/after2"
expect_rc 0 bash "$script" "${args[@]}"
cmp -s "$TMP/after2" "$FAKE_CRONTAB" && ok || bad "a third run changed the crontab: $(diff "$TMP/after2" "$FAKE_CRONTAB")"

# --- another binary: the line replaced, not added ---
cp "$RD_BIN" "$TMP/riskdesk2"
expect_rc 0 bash "$script" --bin "$TMP/riskdesk2" --dir /srv/riskdesk
[ "$(grep -cF -- "traders pipeline" "$FAKE_CRONTAB")" = 1 ] && ok || bad "replaced line added: $(cat "$FAKE_CRONTAB")"
expect_in "$FAKE_CRONTAB" "'$TMP/riskdesk2' traders pipeline"

# --- remove: only ours goes ---
expect_rc 0 bash "$script" --remove
expect_not_in "$FAKE_CRONTAB" "traders pipeline"
expect_in "$FAKE_CRONTAB" "30 2 * * * /usr/bin/backup"

# --- refusals ---
expect_rc 1 bash "$script" --bin "$TMP/no-such-riskdesk" --dry-run
expect_in "$TMP/err" "is not an executable riskdesk binary"
expect_rc 1 bash "$script" --bin "$RD_BIN" --dir relative/dir --dry-run
expect_rc 2 bash "$script" --bogus
printf '#!/bin/sh\nexit 1\n' >"$TMP/fakebin/crontab"
expect_rc 1 bash "$script" "${args[@]}"
expect_in "$TMP/err" "crontab refused"

finish
