/*
 * pnl.h - realized P&L of traders by FIFO lot matching, per trader and day.
 *
 * Ownership: rd_pnl_compute reads a struct rd_fills and fills a caller-owned
 * struct rd_pnl (released with rd_pnl_release), which owns its arrays. Pure:
 * no I/O; memory comes from rd_malloc and is either owned by the result or
 * freed before return.
 *
 * Method (docs/traders.md): fills are taken in order of date, then time (a
 * fill without a time comes before the timed fills of its day), then the order
 * they were added. Each trader and symbol has one FIFO queue of open lots, all
 * on one side. A fill on the same side as the queue (or on an empty queue)
 * opens a lot; a fill on the other side closes lots oldest first, realizing
 * qty x (sell price - buy price) on the fill's day, and what is left of it opens
 * a lot on its own side (a flip). Fees count on the fill's day. A day's net P&L
 * is its realized P&L less its fees. Daily P&L rows (firms without fills) add
 * trader-days with trades = 0 and realized = net = the row's pnl.
 */
#ifndef RISKDESK_PNL_H
#define RISKDESK_PNL_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/error.h"
#include "riskdesk/fills.h"
#include "riskdesk/money.h"

struct rd_pnl_day {
    uint32_t trader;        /* id in rd_fills.traders */
    int32_t day;            /* days since 1970-01-01 */
    int64_t trades;         /* fills that day */
    rd_money realized;
    rd_money fees;
    rd_money net;           /* realized - fees */
    long daily_line;        /* line of the daily P&L row it came from, 0 for fills */
};

/* A trader's days: days[first .. first + count), ascending by day. */
struct rd_pnl_span {
    size_t first;
    size_t count;
};

struct rd_pnl {
    struct rd_pnl_day *days;        /* sorted by trader name (bytewise), then day */
    size_t ndays;
    struct rd_pnl_span *span;       /* span[trader id]; count 0 when no days */
    uint32_t ntraders;
    uint32_t *order;                /* trader ids sorted by name, ntraders of them */
    size_t open_lots;               /* lots still open at the end (all traders) */
};

void rd_pnl_init(struct rd_pnl *p);
void rd_pnl_release(struct rd_pnl *p);

/*
 * Computes every trader-day of fs into out (which must be initialised; its old
 * contents are released). Errors: RD_ENOMEM; RD_ETOOBIG when a sum leaves the
 * int64 range; RD_EINVAL when a daily P&L row repeats a trader-day, or names a
 * trader-day that also has fills (err says which, with the row's line).
 */
int rd_pnl_compute(const struct rd_fills *fs, struct rd_pnl *out, struct rd_error *err);

/*
 * The same computation fed fill by fill, for fills that arrive in time order
 * (a streamed export): memory follows the open lots and the trader-days, not
 * the number of fills. fs names the traders and symbols (it may grow while
 * fills are fed; its fills array is not read) and holds the daily P&L rows
 * that rd_pnl_feed_finish adds; it must outlive the feed.
 *
 * rd_pnl_feed_add takes n fills in order of (date, time); a fill earlier than
 * the one before it is refused with RD_EUNSUPPORTED and nothing of it is added
 * (the caller starts again with rd_pnl_compute over all the fills).
 * rd_pnl_feed_finish fills out as rd_pnl_compute would (same errors).
 * rd_pnl_feed_free(NULL) does nothing.
 */
struct rd_pnl_feed;
int rd_pnl_feed_new(const struct rd_fills *fs, struct rd_pnl_feed **out, struct rd_error *err);
int rd_pnl_feed_add(struct rd_pnl_feed *pf, const struct rd_fill *f, size_t n,
                    struct rd_error *err);
int rd_pnl_feed_finish(struct rd_pnl_feed *pf, struct rd_pnl *out, struct rd_error *err);
void rd_pnl_feed_free(struct rd_pnl_feed *pf);

/*
 * Lays days[0..n) out as rd_pnl_compute does: traders by name (bytewise, from
 * traders), each trader's days ascending. out must be empty (initialised or
 * released); it gets ntraders, order, span and its own copy of the days (the
 * caller keeps days). Repeated trader-days are kept, not checked. RD_ENOMEM.
 * For whoever rebuilds an rd_pnl from stored rows (the stores).
 */
int rd_pnl_arrange(struct rd_pnl *out, const struct rd_names *traders,
                   const struct rd_pnl_day *days, size_t n, struct rd_error *err);

#endif
