/*
 * broker.h - the broker interface and its registry. A backend ("paper",
 * "alpaca") is a table of function pointers; a broker handle starts with
 * struct rd_broker. Every handle serves exactly one account.
 *
 * A broker talks to its broker only: it never sees riskdesk's store. What a
 * broker must keep between runs (the paper broker's simulated account) goes
 * through the narrow struct rd_broker_state its opener hands it, and its
 * credentials come resolved (src/app/runner.c does both).
 *
 * Ownership: rd_broker_open returns a handle released with rd_broker_close.
 * Position and order lists are rd_malloc'ed arrays the caller releases with
 * rd_free. The params' pointers are borrowed: they must outlive the handle.
 */
#ifndef RISKDESK_BROKER_H
#define RISKDESK_BROKER_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/kv.h"
#include "riskdesk/config.h"
#include "riskdesk/error.h"
#include "riskdesk/money.h"
#include "riskdesk/order.h"
#include "riskdesk/rec.h"

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

/* An order the broker holds open, as it reports it (list_open_orders). */
struct rd_broker_order {
    char client_order_id[129];
    char broker_order_id[64];
    char symbol[RD_SYMBOL_MAX];
    char side[8];                 /* the broker's words: "buy", "sell" */
    char status[32];              /* the broker's words: "new", "partially_filled", ... */
    int64_t qty_e6;               /* millionths of a share or contract */
};

struct rd_broker;

/*
 * Where a broker keeps state of its own: named values (JSON text) in
 * namespaces, and transactions that nest by counting. get: RD_ENOTFOUND when
 * absent, else *val is rd_malloc'ed for the caller. put's only_new is one of
 * kv.h's RD_KV_* (RD_KV_NEW: RD_EEXIST instead of replacing; the SHARED
 * forms for a document every account writes alike, never waited for). When the opener's caller has a transaction
 * open (the dispatcher's cycle), the broker's writes join it.
 */
struct rd_broker_state {
    void *ctx;
    int (*get)(void *ctx, const char *ns, const char *key, char **val, struct rd_error *err);
    /* get of keys[0..n) at once: vals[i] rd_malloc'ed, or NULL when absent;
     * every vals[i] NULL on an error */
    int (*get_many)(void *ctx, const char *ns, const char *const *keys, size_t n, char **vals,
                    struct rd_error *err);
    int (*put)(void *ctx, const char *ns, const char *key, const char *val, int only_new,
               struct rd_error *err);
    /* put of keys[0..n) (distinct) at once, only_new RD_KV_REPLACE or RD_KV_NEW
     * (RD_EEXIST when any key was there; the caller then rolls back) */
    int (*put_many)(void *ctx, const char *ns, const char *const *keys, const char *const *vals,
                    size_t n, int only_new, struct rd_error *err);
    /* put of keys[0..n) (distinct) at once in a SHARED mode: written[i] 1 when
     * keys[i] was written, 0 when it was left (the store's kv_put_shared_many) */
    int (*put_shared_many)(void *ctx, const char *ns, const char *const *keys,
                           const char *const *vals, size_t n, int mode, int *written,
                           struct rd_error *err);
    int (*begin)(void *ctx, struct rd_error *err);
    int (*commit)(void *ctx, struct rd_error *err);
    void (*rollback)(void *ctx);
};

struct rd_broker_params {
    const char *account;                  /* riskdesk's account name */
    const struct rd_broker_state *state;  /* paper: where its simulated account lives */
    rd_money starting_cash;               /* paper */
    uint64_t seed;                        /* paper market */
    const struct rd_credentials *keys;    /* alpaca: already resolved */
    int live;                             /* alpaca: live trading allowed */
};

/* What a broker knows of its own health: a transport failure that outlasted
 * its retries makes it unhealthy, any answer healthy again. `changes` counts
 * the flips so whoever records it sees each one. */
struct rd_broker_health {
    int healthy;
    unsigned changes;
    char reason[256];             /* why it is unhealthy; "" when healthy */
};

struct rd_broker_ops {
    const char *name;             /* "paper" */
    int version;                  /* 2 since list_open_orders, 3 since submit_orders */
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

    /* ---- version 2 ---- */

    /* The orders the broker holds open for this account, whoever placed them;
     * NULL for a broker whose orders all end within the call (paper). */
    int (*list_open_orders)(struct rd_broker *b, struct rd_broker_order **out, size_t *n,
                            struct rd_error *err);

    /* ---- version 3 ---- */

    /*
     * Submits reqs[0..n) in one call, as submit_order would one after another:
     * RD_OK with out[i] and rcs[i] (RD_OK, or RD_EEXIST when the client order
     * id was already used, before or earlier in reqs) for every order. Any
     * other failure fails the whole call and keeps none of it (paper: one
     * state transaction). NULL for a broker that takes one order a request
     * (alpaca): the caller then calls submit_order for each.
     */
    int (*submit_orders)(struct rd_broker *b, const struct rd_order_request *reqs, size_t n,
                         struct rd_order_result *out, int *rcs, struct rd_error *err);
};

struct rd_broker {
    const struct rd_broker_ops *ops;
    char account[64];
    int64_t now;                  /* the clock the caller runs on (Unix s); paper's market follows it */
    struct rd_broker_health health;
};

/* Opens the named backend ("paper", "alpaca"); RD_EUNSUPPORTED naming the known ones. */
int rd_broker_open(const char *kind, const struct rd_broker_params *p, struct rd_broker **out,
                   struct rd_error *err);
void rd_broker_close(struct rd_broker *b);

/* "paper" or "alpaca": the backend an account's config names. */
const char *rd_broker_kind(enum rd_broker_kind k);

extern const struct rd_broker_ops rd_broker_paper_ops;

/* A paper account's cash as the hierarchy's ledger moves it. */
struct rd_paper_cash {
    rd_money cash;                /* after the move */
    size_t npositions;            /* positions it holds */
};
/* Adds delta to the paper account's cash in st (a fresh account starts at
 * starting_cash; now dates it), and to its last equity so a deposit or a
 * withdrawal is not a day's gain or loss; delta 0 only reads (and writes a
 * fresh account's document). One state
 * transaction, joining the caller's. RD_EREJECTED "insufficient_funds" when
 * the cash would go below 0. */
int rd_paper_cash_move(const struct rd_broker_state *st, const char *account,
                       rd_money starting_cash, int64_t now, rd_money delta,
                       struct rd_paper_cash *out, struct rd_error *err);

#endif
