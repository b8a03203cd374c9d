/*
 * fills.h - traders' fills, daily P&L rows and loss limits, as riskdesk holds
 * them: the container that the CSV readers (fills_csv.h) and the stores fill,
 * and that P&L (pnl.h) and the traders' model read. Pure data, in core.
 *
 * Ownership: struct rd_fills is caller-owned (rd_fills_init, rd_fills_release)
 * and owns every name, fill, daily row and limit added to it. Pointers into it
 * (names, the fills array) stay valid until the next add or the release.
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
/* Makes limit[] and limit_line[] cover every interned trader (new ones 0). */
int rd_fills_cover_limits(struct rd_fills *fs, struct rd_error *err);
/* Sets the daily loss limit of an interned trader (line: where it came from, for messages). */
int rd_fills_set_limit(struct rd_fills *fs, uint32_t trader, rd_money limit, long line,
                       struct rd_error *err);

/* 1 when the trader id ends in RD_TRADER_LEGACY_SUFFIX (a legacy account). */
int rd_trader_is_legacy(const char *name);

#endif
