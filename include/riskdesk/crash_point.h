/*
 * crash_point.h - named points where tests kill riskdesk (SIGKILL) to prove
 * an operation survives a crash at that step: RISKDESK_CRASH_AT=STEP in the
 * environment (docs/hierarchy.md, "Crash steps"). For tests only; unset, it
 * does nothing.
 */
#ifndef RISKDESK_CRASH_POINT_H
#define RISKDESK_CRASH_POINT_H

/* Kills the process with SIGKILL when RISKDESK_CRASH_AT equals step. */
void rd_crash_point(const char *step);

#endif
