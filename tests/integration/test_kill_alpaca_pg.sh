#!/usr/bin/env bash
# The kill loop of test_kill_alpaca.sh with the store on PostgreSQL (a
# throwaway cluster) and a looping dispatcher (`serve --dispatch`, a cycle a
# second): SIGKILLed mid-cycle again and again at the moments where a crash
# hurts, then run to the end; one broker order per approved decision at the
# fake Alpaca, none lost, none without a decision (kill_loop.sh).
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/alpaca_common.sh"
. "$(dirname "$0")/kill_loop.sh"
start_pg
trap '[ -n "$KILL_PID" ] && kill -KILL "$KILL_PID" 2>/dev/null; stop_fake; bash "$PG" stop "$PG_URL"; rm -rf "$TMP"' EXIT
kill_loop "$PG_URL" serve
finish
