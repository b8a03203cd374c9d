/*
 * paper_market.h - the paper broker's simulated market: a seeded, reproducible
 * random walk per symbol, in integers only (no floating point, so every machine
 * and every build gives the same prices).
 *
 * A walk is fixed by (seed, symbol, p0, m0, sigma): at minute index m0
 * (Unix seconds / 60) the price is p0; each later minute m applies one step
 *     price_m = price_{m-1} x (1 + sigma x z_m),
 * where z_m is an approximately standard normal draw (the Irwin-Hall sum of 12
 * uniforms minus 6, so |z| <= 6) taken from a counter-based hash of
 * (seed, symbol, m). The state is kept in rd_money (1/10000 dollar), each step
 * rounded half away from zero and held within [RD_PAPER_PRICE_MIN,
 * RD_PAPER_PRICE_MAX]. Because a step depends only on the state before it and
 * on m, advancing a stored (minute, price) to a later minute gives exactly the
 * price computed from (p0, m0). Minutes at or before the state's minute (time
 * running backwards) return the state's price: the market never un-happens.
 * Quotes and fills are the state rounded to whole cents (rd_paper_quote).
 *
 * Pure functions; nothing here allocates, logs or keeps state.
 */
#ifndef RISKDESK_PAPER_MARKET_H
#define RISKDESK_PAPER_MARKET_H

#include <stdint.h>

#include "riskdesk/money.h"

/* Per-minute volatility, ppm: 0.1% for stocks, 1% for option premiums. */
#define RD_PAPER_SIGMA_STOCK_PPM 1000
#define RD_PAPER_SIGMA_OPTION_PPM 10000
/* Largest sigma accepted (10% a minute: a step can never reach -100%). */
#define RD_PAPER_SIGMA_MAX_PPM 100000

/* Prices never leave [$0.01, $1,000,000,000]. */
#define RD_PAPER_PRICE_MIN ((rd_money)100)
#define RD_PAPER_PRICE_MAX RD_DOLLARS(1000000000LL)

struct rd_paper_walk {
    uint64_t seed;
    uint64_t symbol_hash;     /* rd_paper_symbol_hash(symbol) */
    int64_t sigma_ppm;        /* per minute; clamped to 0..RD_PAPER_SIGMA_MAX_PPM */
};

/* The sigma for an instrument: option premiums (multiplier > 1) or stocks. */
int64_t rd_paper_sigma_for(int64_t multiplier);

/* 64-bit FNV-1a of the symbol text. */
uint64_t rd_paper_symbol_hash(const char *symbol);

/* Fills w for (seed, symbol, sigma_ppm). */
void rd_paper_walk_init(struct rd_paper_walk *w, uint64_t seed, const char *symbol,
                        int64_t sigma_ppm);

/* The standard normal draw of minute m, in ppm (-6000000..6000000). */
int64_t rd_paper_draw_ppm(const struct rd_paper_walk *w, int64_t minute);

/* One step: the state at `minute` given the state at minute - 1. */
rd_money rd_paper_step(const struct rd_paper_walk *w, rd_money price, int64_t minute);

/*
 * The state at minute `to`, starting from state `price` at minute `from`
 * (from_price when to <= from). p0 is clamped into the price range first.
 * Costs one hash per minute advanced.
 */
rd_money rd_paper_advance(const struct rd_paper_walk *w, int64_t from, rd_money price, int64_t to);

/* The state at minute m of the walk that starts at (m0, p0): rd_paper_advance(w, m0, p0, m). */
rd_money rd_paper_price_at(const struct rd_paper_walk *w, rd_money p0, int64_t m0, int64_t m);

/* A state as a quoted price: rounded half up to whole cents, at least $0.01. */
rd_money rd_paper_quote(rd_money state);

/* The minute index of a Unix time (floor division, also for negative times). */
int64_t rd_paper_minute(int64_t unix_seconds);

#endif
