/*
 * alpaca.h - the Alpaca Trading API v2 backend ("alpaca" in the broker
 * registry): what it answers beyond struct rd_broker_ops (the full account,
 * positions, orders, the clock, cancels), its counters, and the parsers of
 * Alpaca's replies that the backend, the unit tests and the fuzz target share.
 *
 * Ownership: parsers fill caller-owned structs; list parsers and list calls
 * return an rd_malloc'ed array in *out that the caller releases with rd_free
 * (NULL when empty). Nothing here keeps a pointer to its input. Every call that
 * takes a struct rd_broker needs a handle opened as "alpaca" (RD_EINVAL
 * otherwise). Keys never appear in anything returned, logged or printed.
 *
 * Numbers: Alpaca sends decimals as JSON strings ("262113.632") and now and
 * then as JSON numbers (1, 0.5). Both are read exactly: before jansson sees a
 * reply, every number token is turned into a string holding its own text, so
 * no value ever passes through a double. Money has 4 decimal places (digits
 * past that are rounded half to even); exponents ("1e3") are refused.
 */
#ifndef RISKDESK_ALPACA_H
#define RISKDESK_ALPACA_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/broker.h"
#include "riskdesk/error.h"
#include "riskdesk/money.h"

#define RD_ALPACA_PAPER_URL "https://paper-api.alpaca.markets"
#define RD_ALPACA_LIVE_URL "https://api.alpaca.markets"
#define RD_ALPACA_CLIENT_ORDER_ID_MAX 48     /* safe under every Alpaca spec (128 / 48) */
#define RD_ALPACA_BODY_MAX ((size_t)8 << 20) /* a larger reply is an error */

/* GET /v2/account. Optional integers are -1 and optional flags -1 when absent
 * (daytrade_count and pattern_day_trader were removed on 2026-07-06). */
struct rd_alpaca_account {
    char id[64];
    char account_number[64];
    char status[32];
    char currency[8];
    rd_money buying_power, regt_buying_power, non_marginable_buying_power;
    rd_money options_buying_power, cash, equity, last_equity, portfolio_value;
    rd_money long_market_value, short_market_value, initial_margin, maintenance_margin;
    int32_t options_approved_level, options_trading_level;
    int trading_blocked, account_blocked, transfers_blocked, trade_suspended_by_user;
    int shorting_enabled;
    int32_t daytrade_count;
    int pattern_day_trader;
};

/* One entry of GET /v2/positions. Prices are per share; an option position's
 * qty counts contracts and its multiplier is 100 (market_value = price x qty x 100). */
struct rd_alpaca_position {
    char symbol[RD_SYMBOL_MAX];
    char asset_class[16];                 /* "us_equity", "us_option", "crypto" */
    int64_t qty_e6;                       /* millionths: fractional shares exist; short < 0 */
    int64_t multiplier;
    rd_money avg_entry_price, current_price, lastday_price;
    rd_money market_value, cost_basis, unrealized_pl;
};

/* An order object (POST /v2/orders and every GET of orders). */
struct rd_alpaca_order {
    char id[64];
    char client_order_id[129];
    char symbol[RD_SYMBOL_MAX];
    char status[32];                      /* Alpaca's words: "new", "filled", ... */
    char side[8];
    char type[16];
    char asset_class[16];
    int64_t qty_e6, filled_qty_e6;        /* millionths; 0 for a notional order's qty */
    rd_money filled_avg_price;            /* 0 when null */
    rd_money limit_price;                 /* 0 when null */
};

/* GET /v2/clock; times are Unix seconds. */
struct rd_alpaca_clock {
    int64_t timestamp, next_open, next_close;
    int is_open;
};

/* One entry of DELETE /v2/orders (207): the order and the HTTP status of its cancel. */
struct rd_alpaca_cancel {
    char id[64];
    int status;
    char message[128];                    /* from the entry's body, "" when none */
};

/* An error body: {"code": 40310000, "message": "..."}; code 0 when absent. */
struct rd_alpaca_error {
    int64_t code;
    char message[256];
};

/* ---- parsers (pure: no I/O, no logging) ---- */
int rd_alpaca_parse_account(const char *text, size_t len, struct rd_alpaca_account *out,
                            struct rd_error *err);
int rd_alpaca_parse_positions(const char *text, size_t len, struct rd_alpaca_position **out,
                              size_t *n, struct rd_error *err);
int rd_alpaca_parse_order(const char *text, size_t len, struct rd_alpaca_order *out,
                          struct rd_error *err);
int rd_alpaca_parse_orders(const char *text, size_t len, struct rd_alpaca_order **out, size_t *n,
                           struct rd_error *err);
int rd_alpaca_parse_clock(const char *text, size_t len, struct rd_alpaca_clock *out,
                          struct rd_error *err);
int rd_alpaca_parse_cancels(const char *text, size_t len, struct rd_alpaca_cancel **out,
                            size_t *n, struct rd_error *err);
/* Never fails: a body that is not an error object leaves code 0 and puts the
 * body's first printable characters (or "(empty body)") in message. */
void rd_alpaca_parse_error(const char *text, size_t len, struct rd_alpaca_error *out);

/*
 * What an Alpaca order means to the dispatcher. Returns 1 when the order is
 * final (filled, or canceled / expired / replaced / rejected; one that ended
 * partly filled is FILLED with the filled quantity) and fills out; returns 0
 * while the order is still working at Alpaca (new, accepted, partially_filled...).
 */
int rd_alpaca_order_final(const struct rd_alpaca_order *o, struct rd_order_result *out);

/* ---- calls on an open "alpaca" handle ---- */
int rd_alpaca_get_account(struct rd_broker *b, struct rd_alpaca_account *out, struct rd_error *err);
int rd_alpaca_list_positions(struct rd_broker *b, struct rd_alpaca_position **out, size_t *n,
                             struct rd_error *err);
/* status: "open", "closed" or "all"; at most `limit` (1..500) newest orders. */
int rd_alpaca_list_orders(struct rd_broker *b, const char *status, int limit,
                          struct rd_alpaca_order **out, size_t *n, struct rd_error *err);
int rd_alpaca_get_clock(struct rd_broker *b, struct rd_alpaca_clock *out, struct rd_error *err);
/* DELETE /v2/orders/{id}: RD_ENOTFOUND for an unknown id, RD_EREJECTED when it
 * can no longer be canceled (Alpaca's 422; the message carries its words). */
int rd_alpaca_cancel_order(struct rd_broker *b, const char *order_id, struct rd_error *err);
/* DELETE /v2/orders (207): one entry per open order, each with its own status. */
int rd_alpaca_cancel_all(struct rd_broker *b, struct rd_alpaca_cancel **out, size_t *n,
                         struct rd_error *err);

struct rd_alpaca_stats {
    long requests;          /* HTTP requests sent */
    long connects;          /* new TCP (and TLS) connections made */
    long retries;           /* requests sent again after a 429, 5xx or transport failure */
    long rate_waits;        /* times the limiter made a request wait */
    long lookups;           /* orders:by_client_order_id lookups after an unclear POST */
    int healthy;            /* 0 after bounded retries failed, until a call succeeds */
};
int rd_alpaca_stats(struct rd_broker *b, struct rd_alpaca_stats *out);

extern const struct rd_broker_ops rd_broker_alpaca_ops;

#endif
