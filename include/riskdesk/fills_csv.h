/*
 * fills_csv.h - traders' fills, daily P&L rows and loss limits, read from CSV
 * into the container of fills.h.
 *
 * Three CSV kinds, each with a header line (names matched without regard to
 * case or surrounding spaces; unknown columns are ignored; see docs/traders.md):
 *   fills:  trader_id, date, symbol, side, qty, price, [time], and either
 *           [fees] or any of [comm, ecn, sec, taf, nscc, clr, misc] (summed)
 *   daily:  trader_id, date, pnl          (firms without fills)
 *   limits: trader_id, daily_loss_limit
 * Dates are MM/DD/YYYY (M/D also) or YYYY-MM-DD; side is B, S, BUY or SELL in
 * any case; qty a whole number above 0; money an exact decimal. Quoted fields
 * ("" for a quote), CRLF line ends and a UTF-8 BOM are handled. A bad row is
 * reported as "FILE:LINE: why" through the on_bad callback and skipped, or, when
 * strict, stops the read with that message as an RD_EINVAL error.
 */
#ifndef RISKDESK_FILLS_CSV_H
#define RISKDESK_FILLS_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/error.h"
#include "riskdesk/fills.h"

struct rd_fills_options {
    int strict;                     /* stop at the first bad row */
    size_t buf_size;                /* read buffer; 0 = 1 MiB. A record must fit in it. */
    /* Called for each bad row that is skipped; may be NULL. */
    void (*on_bad)(void *ctx, const char *path, long line, const char *why);
    void *ctx;
    /* Called with every chunk read from the file, in order (a hash, a
     * progress bar); may be NULL. Gets ctx too. */
    void (*on_read)(void *ctx, const void *data, size_t n);
};

struct rd_fills_stats {
    long rows;                      /* data rows accepted */
    long bad;                       /* data rows skipped */
};

/*
 * Reads a CSV of the given kind from path ("-" is standard input) into fs.
 * opts and stats may be NULL. Returns RD_OK when the file was read (bad rows
 * counted in stats), else RD_EIO, RD_ENOMEM, RD_EINVAL (bad header, or a bad
 * row when strict) with "FILE:LINE: why" in err.
 */
int rd_fills_read(struct rd_fills *fs, enum rd_fills_kind kind, const char *path,
                  const struct rd_fills_options *opts, struct rd_fills_stats *stats,
                  struct rd_error *err);
/* The same over len bytes in memory; name is used in messages. */
int rd_fills_parse(struct rd_fills *fs, enum rd_fills_kind kind, const char *name,
                   const char *data, size_t len, const struct rd_fills_options *opts,
                   struct rd_fills_stats *stats, struct rd_error *err);

/* "MM/DD/YYYY", "M/D/YYYY" or "YYYY-MM-DD" to a day number (days since 1970-01-01). */
int rd_fills_date_parse(const char *s, size_t len, int32_t *day, struct rd_error *err);

#endif
