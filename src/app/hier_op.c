/*
 * hier_op.c - what forks and consolidations share (hier_op_int.h).
 */
#include "app/hier_op_int.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "riskdesk/calendar.h"
#include "riskdesk/perf_report.h"
#include "riskdesk/banned.h"

static int count_order(void *ctx, const struct rd_order_row *o)
{
    (void)o;
    ++*(int64_t *)ctx;
    return 0;
}

int rd_hier_open_orders(struct rd_store *s, const char *account, int64_t *n,
                        struct rd_error *err)
{
    int rc;

    *n = 0;
    rc = s->ops->trading->order_list(s, account, RD_ORDER_PENDING, count_order, n, err);
    if (rc == RD_OK)
        rc = s->ops->trading->order_list(s, account, RD_ORDER_ACCEPTED, count_order, n, err);
    return rc;
}

int rd_hier_perf_read(struct rd_store *s, const struct rd_config *cfg, const char *account,
                      struct rd_hier_perf *out, struct rd_error *err)
{
    struct rd_perf_report rep;
    int rc = rd_perf_report_build(s, cfg, account, RD_AGG_DAILY, INT32_MIN, INT32_MAX, &rep, err);

    memset(out, 0, sizeof *out);
    if (rc == RD_ENOTFOUND) {
        rd_error_clear(err);
        rc = RD_OK;
    } else if (rc == RD_OK) {
        double ann = rep.metrics.annual_return;

        out->tracked_days = rep.tracking_days;
        /* past any threshold the factors are 1 whatever the figure: kept in range */
        if (isfinite(ann))
            out->annual_return_ppm = (int64_t)llround(fmax(-1.0, fmin(ann, 1000.0)) * RD_PPM);
        if (isfinite(rep.drawdown))
            out->drawdown_ppm = (int64_t)llround(-rep.drawdown * RD_PPM);
    }
    rd_perf_report_release(&rep);
    return rc;
}

int rd_hier_market_open(int64_t now)
{
    struct rd_local_time lt;
    struct rd_session ses;

    rd_et_from_utc(now, &lt);
    rd_nyse_session(lt.day, &ses);
    return ses.open && lt.minute >= ses.open_minute && lt.minute < ses.close_minute;
}

int rd_hier_tx_end(struct rd_store *s, int rc, struct rd_error *err)
{
    if (rc != RD_OK) {
        s->ops->rollback(s);
        return rc;
    }
    return s->ops->commit(s, err);
}

int rd_hier_op_state(struct rd_store *s, const char *account, enum rd_node_state from,
                     enum rd_node_state to, int64_t op, const char *what,
                     const struct rd_hier_actor *by, struct rd_error *err)
{
    struct rd_hier_state_row t;
    int rc = rd_node_transition_check(account, from, to, 0, err);

    if (rc != RD_OK)
        return rc;
    memset(&t, 0, sizeof t);
    snprintf(t.account, sizeof t.account, "%s", account);
    t.from = from;
    t.to = to;
    snprintf(t.why, sizeof t.why, "%s op %lld", what, (long long)op);
    snprintf(t.who, sizeof t.who, "%s", by->who);
    t.op = op;
    t.at = by->now;
    return s->ops->ledger->state_add(s, &t, err);
}

/* An account or a node named name already? */
static int name_free(const struct rd_config *cfg, struct rd_store *s, const char *name,
                     const char *what, struct rd_error *err)
{
    struct rd_hier_node_row n;
    int rc;

    if (rd_config_account_nocase(cfg, name))
        return rd_error_set(err, RD_EEXIST, "%s: the new node's name %s is an account already",
                            what, name);
    rc = s->ops->ledger->node_get(s, name, &n, err);
    if (rc == RD_OK)
        return rd_error_set(err, RD_EEXIST, "%s: the new node's name %s is a node already",
                            what, name);
    if (rc == RD_ENOTFOUND)
        rd_error_clear(err);
    return rc == RD_ENOTFOUND ? RD_OK : rc;
}

int rd_hier_node_make(struct rd_store *s, const struct rd_config *cfg, const char *account,
                      enum rd_node_type type, const char *parent, rd_money amount,
                      const char *what, const struct rd_hier_actor *by, struct rd_error *err)
{
    struct rd_account_def_row *def;
    struct rd_hier_node_row n;
    char m[32];
    int rc = name_free(cfg, s, account, what, err);

    if (rc != RD_OK)
        return rc;
    if (!(def = rd_calloc(1, sizeof *def)))
        return rd_error_set(err, RD_ENOMEM, "%s: out of memory", what);
    rd_money_format(amount, m, sizeof m);
    snprintf(def->name, sizeof def->name, "%s", account);
    snprintf(def->def, sizeof def->def, "{\"name\":\"%s\",\"tier\":\"auto\",\"broker\":\"paper\","
             "\"starting_cash\":\"%s\"}", account, m);
    def->created_at = def->updated_at = by->now;
    rc = s->ops->api->account_def_put(s, def, 1, err);
    rd_free(def);
    if (rc == RD_EEXIST)
        return rd_error_set(err, RD_EEXIST, "%s: the new node's name %s is an account already",
                            what, account);
    if (rc != RD_OK)
        return rc;
    memset(&n, 0, sizeof n);
    snprintf(n.account, sizeof n.account, "%s", account);
    n.type = type;
    snprintf(n.parent, sizeof n.parent, "%s", parent);
    n.state = RD_NODE_ACTIVE;
    n.created_at = by->now;
    if ((rc = s->ops->ledger->node_add(s, &n, err)) != RD_OK)
        return rc;
    return rd_hier_paper_cash(s, account, amount, by->now, 0, NULL, err);
}

int rd_hier_op_find(struct rd_store *s, const struct rd_hier_op_row *want,
                    struct rd_hier_op_row *stored, struct rd_error *err)
{
    int rc = s->ops->ledger->op_get(s, want->key, stored, err);

    if (rc != RD_OK)
        return rc;
    if (stored->kind != want->kind || strcmp(stored->account, want->account) != 0 ||
        strcmp(stored->params, want->params) != 0)
        return rd_error_set(err, RD_EEXIST, "idempotency_conflict: key \"%s\" was used for op "
                            "%lld (%s of %s), with other parameters", want->key,
                            (long long)stored->id, rd_hier_op_kind_name(stored->kind),
                            stored->account);
    return RD_OK;
}

int rd_hier_transfer(struct rd_store *s, enum rd_ledger_kind kind, int64_t op, const char *why,
                     const struct rd_hier_leg *from, const struct rd_hier_leg *to, size_t n,
                     int to_cash, const struct rd_hier_actor *by, int64_t *txn,
                     struct rd_error *err)
{
    struct rd_ledger_entry e[RD_HIER_TRANSFER_MAX + 1];
    struct rd_ledger_txn t;
    int rc;

    if (n > RD_HIER_TRANSFER_MAX)
        return rd_error_set(err, RD_EINVAL, "%s: more than %d nodes take money", why,
                            RD_HIER_TRANSFER_MAX);
    memset(e, 0, sizeof e);
    if ((rc = rd_ledger_book(from->account, 0, e[0].book, sizeof e[0].book, err)) != RD_OK)
        return rc;
    e[0].amount = -from->amount;
    for (size_t i = 0; i < n; i++) {
        rc = rd_ledger_book(to[i].account, 0, e[i + 1].book, sizeof e[i + 1].book, err);
        if (rc != RD_OK)
            return rc;
        e[i + 1].amount = to[i].amount;
    }
    if ((rc = rd_ledger_balanced(e, n + 1, rd_ledger_kind_name(kind), err)) != RD_OK)
        return rc;
    memset(&t, 0, sizeof t);
    snprintf(t.key, sizeof t.key, "op/%lld", (long long)op);
    t.kind = kind;
    snprintf(t.who, sizeof t.who, "%s", by->who);
    snprintf(t.why, sizeof t.why, "%s", why);
    t.op = op;
    t.at = by->now;
    if ((rc = s->ops->ledger->txn_add(s, &t, e, n + 1, err)) != RD_OK)
        return rc;
    *txn = t.id;
    rc = rd_hier_paper_cash(s, from->account, from->starting_cash, by->now, -from->amount, NULL,
                            err);
    for (size_t i = 0; rc == RD_OK && to_cash && i < n; i++)
        rc = rd_hier_paper_cash(s, to[i].account, to[i].starting_cash, by->now, to[i].amount,
                                NULL, err);
    return rc;
}

int rd_hier_op_result(struct rd_hier_op_row *op, json_t *o, const char *what,
                      struct rd_error *err)
{
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    int rc = RD_OK;

    if (!text || strlen(text) >= sizeof op->result)
        rc = rd_error_set(err, RD_ENOMEM, "%s %s: its result could not be written", what,
                          op->key);
    else
        snprintf(op->result, sizeof op->result, "%s", text);
    free(text);
    json_decref(o);
    return rc;
}
