/*
 * dispatcher.h - one account's trading loop: sync from the broker, classify,
 * exits, decide this account's undecided recommendations, record, submit.
 *
 * A struct rd_dispatcher is a heap object (rd_dispatcher_new / _free) that
 * borrows the config, the store and the broker: they must outlive it. It holds
 * the account's lock from rd_dispatcher_lock until it is freed.
 *
 * Order safety: every order is recorded (status pending, with its client order
 * id derived from the account and the recommendation) in the same transaction
 * as its decision, before it is sent. Pending orders are reconciled with the
 * broker by client order id at the start of every cycle: found means placed;
 * not found means send again with the same id. A broker's rejection is stored
 * as a rejection with the broker's reason.
 */
#ifndef RISKDESK_DISPATCHER_H
#define RISKDESK_DISPATCHER_H

#include <stdint.h>

#include "riskdesk/broker.h"
#include "riskdesk/config.h"
#include "riskdesk/gates.h"
#include "riskdesk/store.h"

struct rd_dispatcher;

struct rd_dispatch_hooks {
    /* Called after each decision is recorded (order NULL when rejected). */
    void (*decision)(void *ctx, const char *account, const struct rd_rec *rec,
                     const struct rd_decision *d);
    /* Called after the broker answered an order (filled, accepted or rejected). */
    void (*order)(void *ctx, const struct rd_order_row *o);
    void *ctx;
};

struct rd_dispatcher_params {
    const struct rd_config *cfg;
    const struct rd_account_config *account;
    struct rd_store *store;
    struct rd_broker *broker;
    size_t batch_max;                   /* recommendations per cycle; 0 = 1000 */
    struct rd_dispatch_hooks hooks;
};

struct rd_cycle_stats {
    int decided, approved, rejected;
    int submitted, filled, broker_rejected;
    int exits, reconciled;
    int halted;                         /* the kill switch tripped this cycle */
    enum rd_tier tier;                  /* fixed for the dispatcher's life */
    enum rd_tier tier_by_buying_power;  /* the tier buying power says now */
    rd_money buying_power, equity;
    rd_money cash, last_equity;         /* the broker's, as the cycle last synced */
};

int rd_dispatcher_new(const struct rd_dispatcher_params *p, struct rd_dispatcher **out,
                      struct rd_error *err);
void rd_dispatcher_free(struct rd_dispatcher *d);

/* Takes the account's lock; RD_EBUSY naming the holder when another process has it. */
int rd_dispatcher_lock(struct rd_dispatcher *d, struct rd_error *err);

/* Syncs with the broker and logs the startup lines (account, tier and how it
 * was chosen, broker and account number, buying power, limits, sources). */
int rd_dispatcher_start(struct rd_dispatcher *d, int64_t now, struct rd_error *err);

/* One cycle at time `now`. */
int rd_dispatcher_cycle(struct rd_dispatcher *d, int64_t now, struct rd_cycle_stats *st,
                        struct rd_error *err);

/* The limits account a runs with at tier: its own, or for an auto-tier
 * account on its tier's shipped limits ("tier default"), that tier's (with
 * a's Kelly settings). */
void rd_dispatcher_risk_for_tier(const struct rd_account_config *a, enum rd_tier tier,
                                 struct rd_risk_config *risk);

/* Dry run: the decision this account would make on rec at `now`, changing nothing. */
int rd_dispatcher_evaluate(struct rd_dispatcher *d, int64_t now, const struct rd_rec *rec,
                           struct rd_decision *out, struct rd_error *err);

#endif
