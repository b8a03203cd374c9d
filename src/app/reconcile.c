/*
 * reconcile.c - the start of every cycle: what the store and the broker say
 * about this account's orders, made to agree, with the broker as the truth.
 *
 * 1. Orders recorded but never confirmed (a crash, a timeout) and orders
 *    accepted but not yet filled are looked up by client order id: found
 *    means placed (its news recorded), not found means send again with the
 *    same id.
 * 2. A broker that keeps orders open (list_open_orders; Alpaca) is asked for
 *    them once a cycle, before step 1, and each is compared with the store:
 *    - the store says canceled or rejected: the broker is the truth, the row
 *      goes back to accepted (reconcile.order_repaired) so step 1 follows it;
 *    - the store says filled: logged (reconcile.order_mismatch), left as it
 *      is: the fill was recorded and following it again would count it twice;
 *    - not in the store for this account (placed by hand or by another tool):
 *      foreign, logged (reconcile.order_foreign), never canceled on a guess.
 *
 * The broker's health (struct rd_broker_health) is written to the store's
 * key-value space, "<broker>.health"/<account>, when it changes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "riskdesk/alloc.h"
#include "riskdesk/log.h"
#include "app/dispatcher_int.h"
#include "riskdesk/banned.h"

static void repair_order(struct rd_dispatcher *d, const struct rd_broker_order *o,
                         struct rd_order_row *row, int64_t now)
{
    struct rd_error e = {0};
    struct rd_logline l;
    const char *was = rd_order_status_name(row->status);
    int rc;

    row->status = RD_ORDER_ACCEPTED;
    snprintf(row->broker_order_id, sizeof row->broker_order_id, "%s", o->broker_order_id);
    row->reason[0] = '\0';
    row->updated_at = now;
    rc = d->store->ops->trading->order_update(d->store, row, &e);
    rd_log_begin(&l, RD_LOG_WARN, rc == RD_OK ? "reconcile.order_repaired"
                                              : "reconcile.order_repair_failed");
    rd_log_str(&l, "account", d->acct->name);
    rd_log_str(&l, "client_order_id", row->client_order_id);
    rd_log_str(&l, "broker_order_id", o->broker_order_id);
    rd_log_str(&l, "symbol", o->symbol);
    rd_log_str(&l, "broker_status", o->status);
    rd_log_str(&l, "store_status", was);
    if (rc == RD_OK)
        rd_log_str(&l, "now", "accepted");
    else
        rd_log_str(&l, "error", e.msg);
    rd_log_str(&l, "note", "the store said this order was over; the broker has it open, and the "
                           "broker is the truth: followed again until it ends");
    rd_log_end(&l);
}

static void log_unmatched(struct rd_dispatcher *d, const struct rd_broker_order *o,
                          const struct rd_order_row *row, int ours)
{
    struct rd_logline l;
    char qty[48];

    rd_log_begin(&l, RD_LOG_WARN, ours ? "reconcile.order_mismatch" : "reconcile.order_foreign");
    rd_log_str(&l, "account", d->acct->name);
    rd_log_str(&l, "client_order_id", o->client_order_id);
    rd_log_str(&l, "broker_order_id", o->broker_order_id);
    rd_log_str(&l, "symbol", o->symbol);
    rd_log_str(&l, "side", o->side);
    snprintf(qty, sizeof qty, "%" PRId64 ".%06" PRId64, o->qty_e6 / 1000000,
             (o->qty_e6 < 0 ? -o->qty_e6 : o->qty_e6) % 1000000);
    rd_log_str(&l, "qty", qty);
    rd_log_str(&l, "broker_status", o->status);
    rd_log_str(&l, "store_status", ours ? rd_order_status_name(row->status) : "none");
    rd_log_str(&l, "note", ours ? "the store says this order filled; the broker has it open: "
                                  "left as recorded (following it again would count the fill "
                                  "twice)"
                                : "foreign: open at the broker but not placed by riskdesk for "
                                  "this account; left alone (not canceled). The broker holds "
                                  "buying power for it, so sizing and the buying-power gates "
                                  "count it; riskdesk's exposure does not");
    rd_log_end(&l);
}

/* Step 2: a failure to list is logged and the cycle goes on (step 1 still
 * follows every order riskdesk recorded). */
static void check_open_orders(struct rd_dispatcher *d, int64_t now)
{
    struct rd_broker_order *list = NULL;
    struct rd_error e = {0};
    size_t n = 0;

    if (!d->broker->ops->list_open_orders)
        return;
    d->broker->now = now;
    if (d->broker->ops->list_open_orders(d->broker, &list, &n, &e) != RD_OK) {
        rd_log_msg(RD_LOG_WARN, "reconcile.open_orders_failed", e.msg);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        struct rd_order_row row;
        int rc = d->store->ops->trading->order_get(d->store, list[i].client_order_id, &row, &e);
        int ours = rc == RD_OK && !strcmp(row.account, d->acct->name);

        if (ours && (row.status == RD_ORDER_PENDING || row.status == RD_ORDER_ACCEPTED))
            continue;                                  /* step 1 follows it */
        if (ours && (row.status == RD_ORDER_CANCELED || row.status == RD_ORDER_REJECTED)) {
            repair_order(d, &list[i], &row, now);
            continue;
        }
        if (rc != RD_OK && rc != RD_ENOTFOUND) {
            struct rd_logline l;

            rd_log_begin(&l, RD_LOG_WARN, "reconcile.open_orders_failed");
            rd_log_str(&l, "account", d->acct->name);
            rd_log_str(&l, "client_order_id", list[i].client_order_id);
            rd_log_str(&l, "error", e.msg);
            rd_log_end(&l);
            continue;
        }
        log_unmatched(d, &list[i], &row, ours);
    }
    rd_free(list);
}

static int collect_pending(void *ctx, const struct rd_order_row *o)
{
    struct rd_dispatcher *d = ctx;

    if (d->npending == d->batch_max)
        return 0;
    d->pending[d->npending++] = *o;
    return 0;
}

int rd_dispatch_reconcile(struct rd_dispatcher *d, int64_t now, struct rd_cycle_stats *st,
                          struct rd_error *err)
{
    int rc;

    check_open_orders(d, now);
    d->npending = 0;
    rc = d->store->ops->trading->order_list(d->store, d->acct->name, RD_ORDER_PENDING, collect_pending, d,
                                   err);
    if (rc == RD_OK)   /* accepted but not yet filled: the fill is news to record */
        rc = d->store->ops->trading->order_list(d->store, d->acct->name, RD_ORDER_ACCEPTED, collect_pending,
                                       d, err);
    if (rc != RD_OK)
        return rc;
    for (size_t i = 0; i < d->npending; i++) {
        struct rd_order_row *o = &d->pending[i];
        struct rd_order_result res;
        struct rd_error berr = {0};
        struct rd_logline l;

        memset(&res, 0, sizeof res);
        d->broker->now = now;
        rc = d->broker->ops->get_order(d->broker, o->client_order_id, &res, &berr);
        rd_log_begin(&l, RD_LOG_INFO, "reconcile.pending_order");
        rd_log_str(&l, "account", o->account);
        rd_log_str(&l, "client_order_id", o->client_order_id);
        rd_log_str(&l, "broker", rc == RD_OK ? "found" : rc == RD_ENOTFOUND ? "not_found" : "error");
        rd_log_end(&l);
        st->reconciled++;
        if (rc == RD_OK)
            rc = res.status == o->status ? RD_OK : rd_dispatch_apply_result(d, o, &res, now, st, err);
        else if (rc == RD_ENOTFOUND && o->status == RD_ORDER_PENDING)
            rc = rd_dispatch_send(d, o, now, st, err);
        else
            rc = RD_OK;               /* broker unreachable: still pending, try next cycle */
        if (rc != RD_OK)
            return rc;
    }
    d->npending = 0;
    return RD_OK;
}

/* JSON string text of s: quotes and backslashes escaped, control bytes as spaces. */
static void json_text(const char *s, char *out, size_t n)
{
    size_t j = 0;

    for (; *s && j + 2 < n; s++) {
        if (*s == '"' || *s == '\\')
            out[j++] = '\\';
        out[j++] = (*s >= 0x20 && *s < 0x7f) ? *s : ' ';
    }
    out[j] = '\0';
}

void rd_dispatch_record_health(struct rd_dispatcher *d)
{
    const struct rd_broker_health *h = &d->broker->health;
    struct rd_error e = {0};
    char ns[48], why[300], val[400];

    if (h->changes == d->health_seen)
        return;
    d->health_seen = h->changes;
    json_text(h->reason, why, sizeof why);
    snprintf(ns, sizeof ns, "%s.health", d->broker->ops->name);
    snprintf(val, sizeof val, "{\"healthy\":%s,\"at\":%" PRId64 ",\"reason\":\"%s\"}",
             h->healthy ? "true" : "false", (int64_t)time(NULL), why);
    if (d->store->ops->trading->kv_put(d->store, ns, d->acct->name, val, 0, &e) != RD_OK)
        rd_log_msg(RD_LOG_WARN, "broker.health_not_stored", e.msg);
}
