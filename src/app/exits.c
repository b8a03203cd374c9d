/*
 * exits.c - closing this account's positions: stop-loss, take-profit, the
 * maximum holding time of swing positions, and day positions before the close.
 * Exit orders take the same path as entries: recorded pending under an id
 * derived from the position, then sent. Only this account's positions are
 * looked at: the list comes from this account's broker and store rows.
 */
#include <stdio.h>
#include <string.h>

#include "riskdesk/log.h"
#include "riskdesk/order_id.h"
#include "app/dispatcher_int.h"
#include "riskdesk/banned.h"

/* Why a position should close now, or NULL. */
static const char *exit_reason(const struct rd_dispatcher *d, const struct dpos *p, int64_t now)
{
    const struct rd_exit_config *x = &d->risk.exits;
    rd_money avg = p->row.avg_price, price = p->price;
    struct rd_local_time opened;

    if (d->is_node && d->merge_op)
        return "consolidate";         /* its consolidation waits for it to be flat */
    if (x->stop_loss_pct > 0 && price > 0 && price <= avg - rd_money_mul_ppm(avg, x->stop_loss_pct))
        return "stop_loss";
    if (x->take_profit_pct > 0 && price >= avg + rd_money_mul_ppm(avg, x->take_profit_pct))
        return "take_profit";
    if (p->row.strategy == RD_STRAT_DAY) {
        rd_et_from_utc(p->row.opened_at, &opened);
        if (d->clock.local.minute >= x->day_close_minute || opened.day < d->clock.local.day)
            return "day_close";
        /* an early close moves the day exit to 5 minutes before it */
        if (d->clock.local.minute >= d->clock.session.close_minute - 5)
            return "day_close";
    } else if (x->max_hold_days > 0 && now - p->row.opened_at >= (int64_t)x->max_hold_days * 86400) {
        return "max_hold";
    }
    return NULL;
}

/* An exit the broker refused (or canceled) is placed again under the next
 * attempt's id, at most this many times, no sooner than this after the last. */
#define EXIT_ATTEMPTS_MAX 10
#define EXIT_RETRY_AFTER_S 60

/* The id this position's exit goes out under now: *attempt is its number, or
 * -1 when an exit is already on its way, was placed too recently to retry, or
 * has used up its attempts. */
static int exit_order_id(struct rd_dispatcher *d, const struct dpos *p, int64_t now, char *id,
                         int *attempt, struct rd_error *err)
{
    struct rd_order_row existing;
    struct rd_logline l;

    *attempt = -1;
    for (int a = 0; a < EXIT_ATTEMPTS_MAX; a++) {
        int rc;

        if (d->is_node && d->merge_op)
            rd_client_order_id_op_exit(d->acct->name, d->merge_op, p->row.symbol,
                                       p->row.opened_at, a, id);
        else
            rd_client_order_id_exit(d->acct->name, p->row.symbol, p->row.opened_at, a, id);
        rc = d->store->ops->trading->order_get(d->store, id, &existing, err);
        if (rc == RD_ENOTFOUND) {
            *attempt = a;
            return RD_OK;
        }
        if (rc != RD_OK)
            return rc;
        if (existing.status != RD_ORDER_REJECTED && existing.status != RD_ORDER_CANCELED)
            return RD_OK;             /* on its way, or done: reconcile follows it */
        if (now - existing.updated_at < EXIT_RETRY_AFTER_S)
            return RD_OK;             /* refused just now: give the broker a moment */
    }
    rd_log_begin(&l, RD_LOG_ERROR, "exit.gave_up");
    rd_log_str(&l, "account", d->acct->name);
    rd_log_str(&l, "symbol", p->row.symbol);
    rd_log_int(&l, "attempts", EXIT_ATTEMPTS_MAX);
    rd_log_str(&l, "last_reason", existing.reason);
    rd_log_end(&l);
    return RD_OK;
}

int rd_dispatch_exits(struct rd_dispatcher *d, int64_t now, struct rd_cycle_stats *st,
                      struct rd_error *err)
{
    const struct rd_session *s = &d->clock.session;
    int minute = d->clock.local.minute;
    int rc;

    if (!d->equity_known || !s->open || minute < s->open_minute || minute >= s->close_minute)
        return RD_OK;
    for (size_t i = 0; i < d->npositions; i++) {
        struct dpos *p = &d->positions[i];
        struct rd_order_row o;
        struct rd_logline l;
        const char *why;
        int attempt;

        if (p->pending || p->row.qty <= 0)
            continue;
        why = exit_reason(d, p, now);
        if (!why)
            continue;
        memset(&o, 0, sizeof o);
        rc = exit_order_id(d, p, now, o.client_order_id, &attempt, err);
        if (rc != RD_OK)
            return rc;
        if (attempt < 0)
            continue;
        snprintf(o.account, sizeof o.account, "%s", d->acct->name);
        memcpy(o.rec_id, p->row.rec_id, sizeof o.rec_id);
        memcpy(o.symbol, p->row.symbol, sizeof o.symbol);
        memcpy(o.underlying, p->row.underlying, sizeof o.underlying);
        o.side = RD_SIDE_SELL;
        o.intent = RD_INTENT_EXIT;
        o.strategy = p->row.strategy;
        o.qty = p->row.qty;
        o.multiplier = p->row.multiplier;
        o.ref_price = p->price;
        o.status = RD_ORDER_PENDING;
        o.created_at = o.updated_at = now;
        snprintf(o.reason, sizeof o.reason, "%s", why);
        rc = d->store->ops->trading->order_add(d->store, &o, err);
        if (rc != RD_OK)
            return rc;
        rd_log_begin(&l, RD_LOG_INFO, "exit.placed");
        rd_log_str(&l, "account", d->acct->name);
        rd_log_str(&l, "symbol", o.symbol);
        rd_log_str(&l, "reason", why);
        if (attempt > 0)
            rd_log_int(&l, "attempt", attempt + 1);
        rd_log_int(&l, "qty", o.qty);
        rd_log_money(&l, "entry", p->row.avg_price);
        rd_log_money(&l, "price", p->price);
        rd_log_end(&l);
        st->exits++;
        if ((rc = rd_dispatch_send(d, &o, now, st, err)) != RD_OK)
            return rc;
    }
    return RD_OK;
}
