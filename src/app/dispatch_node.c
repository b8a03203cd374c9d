/*
 * dispatch_node.c - what being a hierarchy node changes in an account's
 * cycle (docs/hierarchy.md, "Trading"): the node's state decides how it
 * trades, its type's limits join its gates, its buying power is at most its
 * ledger's available book, and each fill is booked in its ledger in the
 * fill's own store transaction.
 */
#include <stdio.h>
#include <string.h>

#include "riskdesk/consolidate_ops.h"
#include "riskdesk/log.h"
#include "riskdesk/node_fills.h"
#include "app/dispatcher_int.h"
#include "riskdesk/banned.h"

struct books {
    const char *account;
    rd_money available, reserved;
};

static int see_book(void *ctx, const struct rd_ledger_balance *b)
{
    struct books *k = ctx;
    char acct[64];
    int reserved;

    if (rd_ledger_book_split(b->book, acct, sizeof acct, &reserved) == RD_OK &&
        !strcmp(acct, k->account))
        *(reserved ? &k->reserved : &k->available) = b->balance;
    return 0;
}

int rd_dispatch_node_read(struct rd_dispatcher *d, struct rd_error *err)
{
    const struct rd_store_ledger_ops *l = d->store->ops->ledger;
    struct books k = {d->acct->name, 0, 0};
    int rc;

    d->is_node = 0;
    if (!l)
        return RD_OK;
    rc = l->node_get(d->store, d->acct->name, &d->node, err);
    if (rc == RD_ENOTFOUND) {
        rd_error_clear(err);
        return RD_OK;
    }
    if (rc == RD_OK)
        rc = l->book_list(d->store, d->acct->name, see_book, &k, err);
    if (rc != RD_OK)
        return rc;
    d->merge_op = 0;
    if (d->node.state == RD_NODE_MERGING &&
        (rc = rd_merge_open_op(d->store, d->acct->name, &d->merge_op, err)) != RD_OK)
        return rc;
    d->is_node = 1;
    d->node_available = k.available;
    d->node_reserved = k.reserved;
    return RD_OK;
}

void rd_dispatch_node_apply(struct rd_dispatcher *d)
{
    enum rd_trading_state as_node;

    d->ctx.node = NULL;
    if (!d->is_node)
        return;
    rd_node_limits_layer(&d->cfg->hier_types.t[d->node.type],
                         d->node_available + d->node_reserved,
                         rd_config_risk_own(d->acct, "max_open_positions"),
                         rd_config_risk_own(d->acct, "max_risk_per_trade_pct"), &d->risk,
                         &d->node_limits);
    d->ctx.node = &d->node_limits;
    /* the stricter of the account's own state (kill switch) and the node's */
    as_node = rd_node_trading_state(d->node.state);
    if (as_node > d->base.state)
        d->base.state = as_node;
    d->base.buying_power = rd_node_buying_power(d->base.buying_power, d->node_available);
}

int rd_dispatch_node_merge(struct rd_dispatcher *d, int64_t now, int *finished,
                           struct rd_error *err)
{
    struct rd_hier_actor by = {"dispatcher", now};
    struct rd_merge_result res;
    struct rd_logline l;
    int rc;

    *finished = 0;
    if (!d->is_node || !d->merge_op)
        return RD_OK;
    rc = rd_merge_finish(d->store, d->cfg, d->acct->name, &by, &res, finished, err);
    if (rc == RD_EREJECTED) {
        /* refused (its target closed meanwhile): the node stays MERGING, its
         * capital kept, and the cycle goes on; a person decides what next */
        rd_log_msg(RD_LOG_WARN, "consolidate.refused", err->msg);
        rd_error_clear(err);
        return RD_OK;
    }
    if (rc != RD_OK || !*finished)
        return rc;
    rd_log_begin(&l, RD_LOG_INFO, "consolidate.done");
    rd_log_str(&l, "account", res.source);
    rd_log_str(&l, "target", res.target);
    rd_log_int(&l, "op", res.op.id);
    rd_log_money(&l, "amount", res.amount);
    rd_log_end(&l);
    return RD_OK;
}

int rd_dispatch_node_fill(struct rd_dispatcher *d, const struct rd_order_row *o, int64_t now,
                          struct rd_error *err)
{
    struct rd_node_fill f = {
        .account = o->account,
        .client_order_id = o->client_order_id,
        .symbol = o->symbol,
        .entry = o->intent == RD_INTENT_ENTRY,
        .qty = o->filled_qty,
        .multiplier = o->multiplier,
        .price = o->fill_price,
    };
    struct rd_hier_actor by = {"dispatcher", now};
    struct rd_logline l;
    int booked = 0;
    int rc;

    if (!d->is_node)
        return RD_OK;
    rc = rd_node_fill_book(d->store, &f, &by, &booked, err);
    if (rc != RD_OK || !booked)
        return rc;
    rd_log_begin(&l, RD_LOG_INFO, f.entry ? "ledger.reserve" : "ledger.release");
    rd_log_str(&l, "account", o->account);
    rd_log_str(&l, "client_order_id", o->client_order_id);
    rd_log_str(&l, "symbol", o->symbol);
    rd_log_int(&l, "qty", o->filled_qty);
    rd_log_end(&l);
    return RD_OK;
}
