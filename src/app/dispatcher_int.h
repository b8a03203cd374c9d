/* dispatcher_int.h - the dispatcher's insides, shared by its files only. */
#ifndef RISKDESK_DISPATCHER_INT_H
#define RISKDESK_DISPATCHER_INT_H

#include "riskdesk/dispatcher.h"
#include "riskdesk/hierarchy_ops.h"

/* A position as the cycle sees it: the broker's quantity and price, our entry facts. */
struct dpos {
    struct rd_position_row row;
    rd_money price;          /* current price per share */
    int known;               /* the store has a row for it */
    int unchanged;           /* sync: the store's row is row already (not written again) */
    int pending;             /* an entry approved this cycle, not yet filled */
    int64_t closing_from;    /* what was held when an exit approved this cycle set
                                row.qty to 0 (no further sells); its fill keeps the rest */
};

struct poslist {
    struct rd_position_row *rows;
    size_t n, cap;
};

/* Entries today in one underlying: the store's count when the batch first
 * met it, plus the batch's own. */
struct batch_entries {
    char underlying[RD_UNDERLYING_MAX];
    int32_t count;
    int64_t last_at;
};

struct rd_dispatcher {
    const struct rd_config *cfg;
    const struct rd_account_config *acct;
    struct rd_store *store;
    struct rd_broker *broker;
    struct rd_dispatch_hooks hooks;
    int locked;

    enum rd_tier tier;                 /* fixed from the start: auto resolves once */
    enum rd_tier tier_says;            /* what buying power says now (reported, not followed) */
    struct rd_risk_config risk;        /* the limits in force: the account's own, or its
                                        * current tier's defaults when it has none and its
                                        * tier is auto */
    int equity_known;
    struct rd_broker_account bacct;
    struct dpos *positions;
    size_t npositions, cap_positions;
    struct poslist gone;

    struct rd_account_row account_row;
    struct rd_gate_clock clock;
    struct rd_gate_ctx ctx;
    struct rd_account_view base;      /* the view before a recommendation's own facts */
    struct rd_market_view market;

    size_t batch_max;
    int64_t rec_mark;                 /* rec_undecided's mark: all up to it decided */
    int rec_mark_read;                /* rec_mark was read from the store */
    struct rd_rec *recs;              /* batch_max */
    struct rd_decision_row *rows;     /* batch_max: the batch's decisions, recorded at its end */
    struct rd_order_row *pending;     /* batch_max */
    size_t *order_row;                /* batch_max: pending[j] is the order of rows[order_row[j]] */
    size_t npending;
    /* What the store held when the batch began, read once a batch; the
     * batch's own orders are counted on top (dispatcher.c, batch_view). */
    struct rd_activity act;           /* orders in the last minute, closed trades */
    struct batch_entries *entries;    /* batch_max: entries today per underlying */
    size_t nentries;
    unsigned health_seen;             /* the broker's health.changes last recorded */

    /* The hierarchy node the account is, read once a cycle (dispatch_node.c). */
    int is_node;
    struct rd_hier_node_row node;
    rd_money node_available, node_reserved;
    struct rd_node_limits node_limits;
    int64_t merge_op;                 /* the consolidation it is MERGING under; 0 = none */
};

/* dispatcher.c */
int32_t rd_dispatch_pdt_window_start(const struct rd_dispatcher *d);
void rd_dispatch_follow_tier(struct rd_dispatcher *d);

/* orders.c: the position held in a symbol (NULL: none); an order sent and
 * the broker's answer recorded (under them, nothing of the cycle's) */
struct dpos *rd_dispatch_find_position(struct rd_dispatcher *d, const char *symbol);
int rd_dispatch_send(struct rd_dispatcher *d, struct rd_order_row *o, int64_t now,
                     struct rd_cycle_stats *st, struct rd_error *err);
/* orders[0..n) sent in one call to a broker that takes a batch (ops->submit_orders:
 * the paper broker, inside the caller's transaction) and the answers recorded
 * together (the orders in one store write, the positions they leave in one).
 * A failure is the whole batch's: the caller rolls back and they stay pending. */
int rd_dispatch_send_batch(struct rd_dispatcher *d, struct rd_order_row *orders, size_t n,
                           int64_t now, struct rd_cycle_stats *st, struct rd_error *err);
int rd_dispatch_apply_result(struct rd_dispatcher *d, struct rd_order_row *o,
                             const struct rd_order_result *res, int64_t now,
                             struct rd_cycle_stats *st, struct rd_error *err);
/* Orders recorded but never confirmed, and the broker's open orders against
 * the store (reconcile.c). */
int rd_dispatch_reconcile(struct rd_dispatcher *d, int64_t now, struct rd_cycle_stats *st,
                          struct rd_error *err);
/* Writes the broker's health to the store when it changed since last written. */
void rd_dispatch_record_health(struct rd_dispatcher *d);
/* dispatch_node.c: reads whether the account is a node, its type and its
 * books; layers the type's gates and the node's state onto the cycle's
 * risk, context and view; books a node's fill in the caller's transaction. */
int rd_dispatch_node_read(struct rd_dispatcher *d, struct rd_error *err);
void rd_dispatch_node_apply(struct rd_dispatcher *d);
/* A MERGING node that is flat: its consolidation finished (moved, CLOSED);
 * *finished says whether it was. */
int rd_dispatch_node_merge(struct rd_dispatcher *d, int64_t now, int *finished,
                           struct rd_error *err);
int rd_dispatch_node_fill(struct rd_dispatcher *d, const struct rd_order_row *o, int64_t now,
                          struct rd_error *err);
/* exits.c: stop-loss, take-profit, maximum holding time, day positions before the close. */
int rd_dispatch_exits(struct rd_dispatcher *d, int64_t now, struct rd_cycle_stats *st,
                      struct rd_error *err);

#endif
