/*
 * crash_point.c - RISKDESK_CRASH_AT: a test kills riskdesk at a named step
 * (crash_point.h).
 */
#include "riskdesk/crash_point.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/banned.h"

void rd_crash_point(const char *step)
{
    const char *at = getenv("RISKDESK_CRASH_AT");

    if (at && !strcmp(at, step))
        raise(SIGKILL);
}
