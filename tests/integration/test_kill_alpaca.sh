#!/usr/bin/env bash
# A `dispatch --once` against the fake Alpaca (its own process, its own
# orders) on SQLite, SIGKILLed between sending an order and recording the
# answer, between recording it and the broker getting it, and after the
# decisions, again and again; then run to the end. Counted against the fake's
# own list of orders: one per approved decision, none lost (kill_loop.sh).
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/alpaca_common.sh"
. "$(dirname "$0")/kill_loop.sh"
trap '[ -n "$KILL_PID" ] && kill -KILL "$KILL_PID" 2>/dev/null; stop_fake; rm -rf "$TMP"' EXIT
kill_loop "sqlite:$TMP/rd.db" once
finish
