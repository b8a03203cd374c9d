/*
 * orders.c - one order to the broker and its answer into the store: the
 * send (a transport failure leaves it pending for the next cycle's
 * reconciliation), and what the answer does to the order, the position and
 * the closed trades, in one transaction. Called by the cycle, the exits and
 * the reconciliation; calls nothing of theirs.
 */
#include <stdio.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "riskdesk/calendar.h"
#include "riskdesk/log.h"
#include "app/dispatcher_int.h"
#include "riskdesk/banned.h"

struct dpos *rd_dispatch_find_position(struct rd_dispatcher *d, const char *symbol)
{
    for (size_t i = 0; i < d->npositions; i++)
        if (!strcmp(d->positions[i].row.symbol, symbol))
            return &d->positions[i];
    return NULL;
}

/* The broker's answer about o copied into it. */
static void take_result(struct rd_order_row *o, const struct rd_order_result *res, int64_t now)
{
    o->status = res->status;
    memcpy(o->broker_order_id, res->broker_order_id, sizeof o->broker_order_id);
    o->filled_qty = res->filled_qty;
    o->fill_price = res->fill_price;
    if (res->status == RD_ORDER_REJECTED)
        snprintf(o->reason, sizeof o->reason, "%s", res->reason);
    o->updated_at = now;
}

/* What the answer taken into o does (its order row written already): the
 * closed trade and a node's ledger are written here; the position row it
 * leaves is *put for the caller to write (*has_put 1). */
static int apply_answer(struct rd_dispatcher *d, const struct rd_order_row *o, int64_t now,
                        struct rd_cycle_stats *st, struct rd_position_row *put, int *has_put,
                        struct rd_error *err)
{
    struct dpos *p = rd_dispatch_find_position(d, o->symbol);
    struct rd_position_row *row = put;
    int rc;

    *has_put = 0;
    if (o->status == RD_ORDER_FILLED && o->intent == RD_INTENT_ENTRY) {
        memset(row, 0, sizeof *row);
        snprintf(row->account, sizeof row->account, "%s", o->account);
        memcpy(row->symbol, o->symbol, sizeof row->symbol);
        memcpy(row->underlying, o->underlying, sizeof row->underlying);
        row->strategy = o->strategy;
        row->qty = o->filled_qty;
        row->multiplier = o->multiplier;
        row->avg_price = o->fill_price;
        row->opened_at = now;
        memcpy(row->rec_id, o->rec_id, sizeof row->rec_id);
        if (p && !p->pending && p->row.qty > 0) {     /* adding to a held position */
            int64_t q = p->row.qty + row->qty;

            row->avg_price = (rd_muldiv(p->row.avg_price, p->row.qty, 1) +
                              rd_muldiv(row->avg_price, row->qty, 1)) / q;
            row->qty = q;
            row->opened_at = p->row.opened_at;
        }
        *has_put = 1;
        if (p) {
            p->row = *row;
            p->pending = 0;
            p->known = 1;
        }
        st->filled++;
    } else if (o->status == RD_ORDER_FILLED) {
        struct rd_trade_row t;
        struct rd_local_time lo, lc;

        memset(&t, 0, sizeof t);
        snprintf(t.account, sizeof t.account, "%s", o->account);
        memcpy(t.symbol, o->symbol, sizeof t.symbol);
        t.qty = o->filled_qty;
        t.multiplier = o->multiplier;
        t.entry_price = p ? p->row.avg_price : o->ref_price;
        t.exit_price = o->fill_price;
        t.pnl = rd_muldiv(t.exit_price - t.entry_price, t.qty * t.multiplier, 1);
        t.opened_at = p ? p->row.opened_at : now;
        t.closed_at = now;
        rd_et_from_utc(t.opened_at, &lo);
        rd_et_from_utc(t.closed_at, &lc);
        t.day_trade = lo.day == lc.day;
        if ((rc = d->store->ops->trading->trade_add(d->store, &t, err)) != RD_OK)
            return rc;
        memset(row, 0, sizeof *row);
        snprintf(row->account, sizeof row->account, "%s", o->account);
        memcpy(row->symbol, o->symbol, sizeof row->symbol);
        /* a partial sell keeps the rest (the approval set qty to 0 for the cycle) */
        if (p && (p->row.qty ? p->row.qty : p->closing_from) > o->filled_qty) {
            *row = p->row;
            row->qty = (p->row.qty ? p->row.qty : p->closing_from) - o->filled_qty;
        }
        *has_put = 1;
        if (p)
            p->row.qty = row->qty;
        st->filled++;
    } else if (o->status == RD_ORDER_REJECTED) {
        st->broker_rejected++;
        if (p && p->pending)
            p->row.qty = 0;
    }
    /* a node's ledger moves with the fill, in the caller's transaction */
    if (o->status == RD_ORDER_FILLED)
        return rd_dispatch_node_fill(d, o, now, err);
    return RD_OK;
}

/* Records the broker's answer about an order, and what a fill does to positions
 * and trades, in one transaction. */
int rd_dispatch_apply_result(struct rd_dispatcher *d, struct rd_order_row *o,
                             const struct rd_order_result *res, int64_t now,
                             struct rd_cycle_stats *st, struct rd_error *err)
{
    struct rd_position_row put;
    int has_put;
    int rc;

    take_result(o, res, now);
    rc = d->store->ops->begin(d->store, err);
    if (rc != RD_OK)
        return rc;
    if ((rc = d->store->ops->trading->order_update(d->store, o, err)) != RD_OK ||
        (rc = apply_answer(d, o, now, st, &put, &has_put, err)) != RD_OK ||
        (has_put && (rc = d->store->ops->trading->position_put(d->store, &put, err)) != RD_OK)) {
        d->store->ops->rollback(d->store);
        return rc;
    }
    rc = d->store->ops->commit(d->store, err);
    if (rc != RD_OK)
        return rc;
    if (d->hooks.order)
        d->hooks.order(d->hooks.ctx, o);
    return RD_OK;
}

/* The answers res[0..n) about orders[0..n), recorded together: the orders in
 * one write, each answer's trade and ledger, then the positions they leave
 * (the last row of each symbol) in one write, inside the caller's transaction. */
static int apply_results(struct rd_dispatcher *d, struct rd_order_row *orders,
                         const struct rd_order_result *res, size_t n, int64_t now,
                         struct rd_cycle_stats *st, struct rd_error *err)
{
    struct rd_position_row *puts = rd_calloc(n, sizeof *puts);
    size_t nputs = 0;
    int rc;

    if (!puts)
        return rd_error_set(err, RD_ENOMEM, "account %s: out of memory recording %zu orders",
                            d->acct->name, n);
    for (size_t i = 0; i < n; i++) {
        take_result(&orders[i], &res[i], now);
        st->submitted++;
    }
    rc = rd_store_order_update_many(d->store, orders, n, err);
    for (size_t i = 0; i < n && rc == RD_OK; i++) {
        int has_put;
        size_t j = 0;

        rc = apply_answer(d, &orders[i], now, st, &puts[nputs], &has_put, err);
        if (rc != RD_OK || !has_put)
            continue;
        while (j < nputs && strcmp(puts[j].symbol, puts[nputs].symbol))
            j++;
        if (j < nputs)              /* a later answer in the same symbol replaces it */
            puts[j] = puts[nputs];
        else
            nputs++;
    }
    if (rc == RD_OK)
        rc = rd_store_position_put_many(d->store, puts, nputs, err);
    for (size_t i = 0; i < n && rc == RD_OK && d->hooks.order; i++)
        d->hooks.order(d->hooks.ctx, &orders[i]);
    rd_free(puts);
    return rc;
}

static void order_request(const struct rd_order_row *o, struct rd_order_request *req)
{
    memset(req, 0, sizeof *req);
    memcpy(req->client_order_id, o->client_order_id, sizeof req->client_order_id);
    memcpy(req->symbol, o->symbol, sizeof req->symbol);
    req->side = o->side;
    req->qty = o->qty;
    req->multiplier = o->multiplier;
    req->ref_price = o->ref_price;
}

/* Sends an order recorded as pending. A transport failure leaves it pending:
 * the next cycle looks it up by client order id before sending it again. */
int rd_dispatch_send(struct rd_dispatcher *d, struct rd_order_row *o, int64_t now,
                     struct rd_cycle_stats *st, struct rd_error *err)
{
    struct rd_order_request req;
    struct rd_order_result res;
    struct rd_error berr = {0};
    int rc;

    order_request(o, &req);
    memset(&res, 0, sizeof res);
    d->broker->now = now;
    /* the paper broker lives in the store: its fill and what we record of it
     * (the ledger of a node too) commit together */
    if (d->ctx.paper && (rc = d->store->ops->begin(d->store, err)) != RD_OK)
        return rc;
    rc = d->broker->ops->submit_order(d->broker, &req, &res, &berr);
    if (rc == RD_EEXIST)
        rc = RD_OK;                   /* placed before: this is its answer */
    if (rc != RD_OK) {
        struct rd_logline l;

        rd_log_begin(&l, RD_LOG_WARN, "order.send_failed");
        rd_log_str(&l, "account", o->account);
        rd_log_str(&l, "client_order_id", o->client_order_id);
        rd_log_str(&l, "error", berr.msg);
        rd_log_end(&l);
        if (d->ctx.paper)
            d->store->ops->rollback(d->store);
        return RD_OK;
    }
    st->submitted++;
    rc = rd_dispatch_apply_result(d, o, &res, now, st, err);
    if (!d->ctx.paper)
        return rc;
    if (rc != RD_OK) {
        d->store->ops->rollback(d->store);
        return rc;
    }
    return d->store->ops->commit(d->store, err);
}

int rd_dispatch_send_batch(struct rd_dispatcher *d, struct rd_order_row *orders, size_t n,
                           int64_t now, struct rd_cycle_stats *st, struct rd_error *err)
{
    struct rd_order_request *reqs = rd_calloc(n, sizeof *reqs);
    struct rd_order_result *res = rd_calloc(n, sizeof *res);
    int *rcs = rd_calloc(n, sizeof *rcs);
    struct rd_error berr = {0};
    int rc;

    if (!reqs || !res || !rcs) {
        rc = rd_error_set(err, RD_ENOMEM, "account %s: out of memory sending %zu orders",
                          d->acct->name, n);
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        order_request(&orders[i], &reqs[i]);
    d->broker->now = now;
    rc = d->broker->ops->submit_orders(d->broker, reqs, n, res, rcs, &berr);
    if (rc != RD_OK) {
        struct rd_logline l;

        rd_log_begin(&l, RD_LOG_WARN, "order.send_failed");
        rd_log_str(&l, "account", d->acct->name);
        rd_log_str(&l, "client_order_id", orders[0].client_order_id);
        rd_log_int(&l, "orders", (int64_t)n);
        rd_log_str(&l, "error", berr.msg);
        rd_log_end(&l);
        rc = rd_error_set(err, rc, "account %s: sending %zu orders (from %s): %s", d->acct->name,
                          n, orders[0].client_order_id, berr.msg);
        goto out;
    }
    /* rcs[i] is RD_OK or RD_EEXIST (placed before: this is its answer) */
    rc = apply_results(d, orders, res, n, now, st, err);
out:
    rd_free(reqs);
    rd_free(res);
    rd_free(rcs);
    return rc;
}
