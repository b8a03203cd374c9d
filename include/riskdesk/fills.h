/*
 * fills.h - traders' fills, daily P&L rows and loss limits, read from CSV.
 *
 * Ownership: struct rd_fills is caller-owned (rd_fills_init, rd_fills_release)
 * and owns every name, fill, daily row and limit added to it. Pointers into it
 * (names, the fills array) stay valid until the next add or the release.
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
#ifndef RISKDESK_FILLS_H
#define RISKDESK_FILLS_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/error.h"
#include "riskdesk/money.h"

#define RD_FILL_NO_TIME (-1)
/* Largest qty accepted in one fill (shares). */
#define RD_FILL_QTY_MAX 1000000000LL
/* Legacy accounts: a trader id ending in this suffix (case-sensitive). */
#define RD_TRADER_LEGACY_SUFFIX "_OLD"

struct rd_fill {
    int64_t qty;            /* signed shares: > 0 bought, < 0 sold */
    rd_money price;         /* per share, >= 0 */
    rd_money fees;          /* sum of the fee columns; negative is a rebate */
    int32_t day;            /* days since 1970-01-01 */
    int32_t time_ms;        /* milliseconds after midnight, or RD_FILL_NO_TIME */
    uint32_t trader;        /* id in rd_fills.traders */
    uint32_t symbol;        /* id in rd_fills.symbols */
};

/* One row of a daily P&L file. */
struct rd_daily_pnl {
    uint32_t trader;
    int32_t day;
    rd_money pnl;
    long line;              /* line in its file, for messages */
};

/* Interned names: ids are dense, in order of first appearance. */
struct rd_names {
    char **name;            /* name[id], NUL-terminated */
    uint32_t count, cap;
    uint32_t *slots;        /* open addressing: id + 1, 0 = empty */
    uint32_t nslots;        /* a power of two */
};

struct rd_fills {
    struct rd_names traders;
    struct rd_names symbols;
    struct rd_fill *fills;          /* in the order they were added (file order) */
    size_t nfills, fills_cap;
    struct rd_daily_pnl *daily;
    size_t ndaily, daily_cap;
    rd_money *limit;                /* limit[trader id], 0 = none given */
    long *limit_line;
    uint32_t limit_cap;
};

enum rd_fills_kind { RD_FILLS_CSV, RD_FILLS_DAILY_CSV, RD_FILLS_LIMITS_CSV };

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

void rd_fills_init(struct rd_fills *fs);
void rd_fills_release(struct rd_fills *fs);

/* Interns name (len bytes, no NUL needed) and sets *id. */
int rd_names_intern(struct rd_names *nm, const char *name, size_t len, uint32_t *id,
                    struct rd_error *err);
/* The id of name, or -1 when it was never interned. */
int64_t rd_names_find(const struct rd_names *nm, const char *name, size_t len);

/* Appends one fill (trader and symbol ids must exist). */
int rd_fills_add(struct rd_fills *fs, const struct rd_fill *f, struct rd_error *err);
int rd_fills_add_daily(struct rd_fills *fs, const struct rd_daily_pnl *d, struct rd_error *err);
/* Sets the daily loss limit of an interned trader (line: where it came from, for messages). */
int rd_fills_set_limit(struct rd_fills *fs, uint32_t trader, rd_money limit, long line,
                       struct rd_error *err);

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

/* 1 when the trader id ends in RD_TRADER_LEGACY_SUFFIX (a legacy account). */
int rd_trader_is_legacy(const char *name);

#endif
