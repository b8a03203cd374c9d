/*
 * cli_clock.h - the window a fixed clock (--at) must fall in, so that a
 * replay or a test never writes history live running could not: nothing
 * before RD_CLI_AT_MIN (2000-01-01T00:00:00Z), nothing more than
 * RD_CLI_AT_AHEAD_DAYS after the real clock. docs/user-guide.md says so.
 */
#ifndef RISKDESK_CLI_CLOCK_H
#define RISKDESK_CLI_CLOCK_H

#include <stdint.h>

#include "riskdesk/error.h"

#define RD_CLI_AT_MIN 946684800LL        /* 2000-01-01T00:00:00Z */
#define RD_CLI_AT_AHEAD_DAYS 3660        /* about ten years */

/* RD_OK when t (from --at) lies in the window around now; else RD_EINVAL
 * with a message naming --at, the time and the window. */
int cli_at_window(int64_t t, int64_t now, struct rd_error *err);

#endif
