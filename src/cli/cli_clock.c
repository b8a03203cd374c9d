/* cli_clock.c - the window of a fixed clock (cli_clock.h). */
#include "cli/cli_clock.h"

#include "riskdesk/calendar.h"
#include "riskdesk/banned.h"

int cli_at_window(int64_t t, int64_t now, struct rd_error *err)
{
    int64_t max = now + (int64_t)RD_CLI_AT_AHEAD_DAYS * 86400;
    char shown[48], lo[48], hi[48];

    if (t >= RD_CLI_AT_MIN && t <= max)
        return RD_OK;
    rd_time_format(t, shown, sizeof shown);
    rd_time_format(RD_CLI_AT_MIN, lo, sizeof lo);
    rd_time_format(max, hi, sizeof hi);
    return rd_error_set(err, RD_EINVAL,
                        "--at: %s is outside the window a fixed clock may take, %s to %s "
                        "(about %d years from now); nothing was run",
                        shown, lo, hi, RD_CLI_AT_AHEAD_DAYS / 366);
}
