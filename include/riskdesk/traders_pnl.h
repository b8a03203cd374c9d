/*
 * traders_pnl.h - the traders' realized P&L of a fills CSV, streamed: a
 * regular file in time order is parsed in parallel (fills_stream.h) and fed
 * to the FIFO as it is read (pnl.h), so memory follows the open lots and the
 * trader-days, not the file's length. A file that turns out not to be in time
 * order, or that cannot be read in parts (a quoted line break), is read again
 * whole and sorted as rd_pnl_compute does, and on_note says so; standard input
 * and other files that are not regular are read whole at once. The result is
 * the same either way.
 *
 * Ownership: fs, out and stats are caller-owned; fs gets the traders' and
 * symbols' names (and the fills too when the file was read whole) and the
 * daily P&L rows, which out's trader ids point into.
 */
#ifndef RISKDESK_TRADERS_PNL_H
#define RISKDESK_TRADERS_PNL_H

#include "riskdesk/error.h"
#include "riskdesk/fills.h"
#include "riskdesk/fills_csv.h"
#include "riskdesk/fills_stream.h"
#include "riskdesk/pnl.h"

struct rd_traders_pnl_options {
    const struct rd_fills_options *read;        /* strict, on_bad...; may be NULL */
    struct rd_fills_stream_options stream;      /* threads, part size */
    const char *daily;                          /* a daily P&L CSV too, or NULL */
    /* Called once when the fills are read whole after all, with why; may be NULL. */
    void (*on_note)(void *ctx, const char *msg);
    void *ctx;
};

/*
 * Reads the fills CSV at path ("-": standard input) and opts->daily into fs
 * (initialised, empty) and computes out as rd_pnl_compute would. stats counts
 * the rows of both files, as rd_fills_read does. Errors: those of
 * rd_fills_read and rd_pnl_compute.
 */
int rd_traders_pnl_read(struct rd_fills *fs, const char *path,
                        const struct rd_traders_pnl_options *opts, struct rd_pnl *out,
                        struct rd_fills_stats *stats, struct rd_error *err);

#endif
