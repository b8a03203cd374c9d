/*
 * broker.h - the broker interface and its registry. A backend ("paper",
 * "alpaca") is a table of function pointers; a broker handle starts with
 * struct rd_broker. Every handle serves exactly one account.
 *
 * Ownership: rd_broker_open returns a handle released with rd_broker_close.
 * Position lists are rd_malloc'ed arrays the caller releases with rd_free.
 */
#ifndef RISKDESK_BROKER_H
#define RISKDESK_BROKER_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/error.h"
#include "riskdesk/money.h"
#include "riskdesk/rec.h"
#include "riskdesk/store.h"

struct rd_broker_account {
    char account_number[64];
    char status[32];              /* "ACTIVE", ... */
    rd_money buying_power, cash, equity, last_equity;
    int trading_blocked;
    int32_t daytrade_count;       /* day trades in the last 5 trading days, today included
                                     (Alpaca's daytrade_count); -1 when the broker does not say */
};

struct rd_broker_position {
    char symbol[RD_SYMBOL_MAX];
    int64_t qty;                  /* shares or contracts; negative = short */
    int64_t multiplier;
    rd_money avg_entry_price;     /* per share */
    rd_money current_price;       /* per share */
    rd_money market_value;        /* qty x price x multiplier */
};

struct rd_order_request {
    char client_order_id[49];
    char symbol[RD_SYMBOL_MAX];
    enum rd_order_side side;
    int64_t qty;
    int64_t multiplier;
    rd_money ref_price;           /* the price the decision saw (paper: starts a new symbol's walk) */
    rd_money limit_price;         /* 0 = market order */
};

struct rd_order_result {
    char broker_order_id[64];
    enum rd_order_status status;  /* ACCEPTED, FILLED or REJECTED */
    int64_t filled_qty;
    rd_money fill_price;          /* per share */
    char reason[256];             /* the broker's words when rejected */
};

struct rd_broker;

struct rd_broker_params {
    const char *account;          /* riskdesk's account name */
    struct rd_store *store;       /* for backends that keep state in the store (paper) */
    rd_money starting_cash;       /* paper */
    uint64_t seed;                /* paper market */
    const char *credentials;      /* credentials source (alpaca) */
    int live;                     /* alpaca: live trading allowed */
};

struct rd_broker_ops {
    const char *name;             /* "paper" */
    int version;                  /* 1 */
    int (*open)(const struct rd_broker_params *p, struct rd_broker **out, struct rd_error *err);
    void (*close)(struct rd_broker *b);
    int (*get_account)(struct rd_broker *b, struct rd_broker_account *out, struct rd_error *err);
    int (*list_positions)(struct rd_broker *b, struct rd_broker_position **out, size_t *n,
                          struct rd_error *err);
    /*
     * Submits an order. RD_OK with the result (a rejection is RD_OK with
     * status REJECTED and the broker's reason: it is an answer, not a failure).
     * If the client order id was already used, the existing order's result comes
     * back with RD_EEXIST. Transport failures (timeouts, 5xx) are RD_EBROKER /
     * RD_ETIMEOUT: the order may or may not exist; look it up before resending.
     */
    int (*submit_order)(struct rd_broker *b, const struct rd_order_request *req,
                        struct rd_order_result *out, struct rd_error *err);
    /* RD_ENOTFOUND when the broker never got it. */
    int (*get_order)(struct rd_broker *b, const char *client_order_id, struct rd_order_result *out,
                     struct rd_error *err);
    /* Current price per share of a symbol (paper: the simulated market). */
    int (*quote)(struct rd_broker *b, const char *symbol, rd_money *price, struct rd_error *err);
};

struct rd_broker {
    const struct rd_broker_ops *ops;
    char account[64];
    int64_t now;                  /* the clock the caller runs on (Unix s); paper's market follows it */
};

/* Opens the named backend ("paper", "alpaca"); RD_EUNSUPPORTED naming the known ones. */
int rd_broker_open(const char *kind, const struct rd_broker_params *p, struct rd_broker **out,
                   struct rd_error *err);
void rd_broker_close(struct rd_broker *b);

extern const struct rd_broker_ops rd_broker_paper_ops;

#endif
