/*
 * hierarchy_json.c - nodes, their ledger and attribution as JSON
 * (hierarchy_json.h), the one shape of the CLI's --json and the HTTP API.
 */
#include "riskdesk/hierarchy_json.h"

#include <string.h>

#include "riskdesk/calendar.h"
#include "riskdesk/banned.h"

json_t *rd_hier_json_money(rd_money v)
{
    char m[32];

    rd_money_format(v, m, sizeof m);
    return json_string(m);
}

json_t *rd_hier_json_ppm(int64_t v)
{
    char t[32];

    rd_ppm_format(v, t, sizeof t);
    return json_string(t);
}

json_t *rd_hier_json_time(int64_t t)
{
    char b[32];

    if (!t)
        return json_null();
    rd_time_format(t, b, sizeof b);
    return json_string(b);
}

int rd_hier_amount_parse(const char *what, const char *text, int signed_ok, rd_money *out,
                         struct rd_error *err)
{
    const char *dot = strchr(text, '.');
    struct rd_error perr = {0};

    if (rd_money_parse(text, strlen(text), out, &perr) != RD_OK)
        return rd_error_set(err, RD_EINVAL, "%s: '%.40s' is not a decimal amount (like 250.50)",
                            what, text);
    if (dot && strlen(dot + 1) > 4)
        return rd_error_set(err, RD_EINVAL, "%s: '%.40s' has more than 4 decimal places", what,
                            text);
    if (signed_ok && *out == 0)
        return rd_error_set(err, RD_EINVAL, "%s: '%.40s'; expected a nonzero amount (a loss "
                            "below 0)", what, text);
    if (!signed_ok && *out <= 0)
        return rd_error_set(err, RD_EINVAL, "%s: '%.40s'; expected an amount > 0", what, text);
    return RD_OK;
}

json_t *rd_hier_json_node(const struct rd_hier_view *v)
{
    const struct rd_ledger_sums *s = &v->sums;

    return json_pack("{s:s, s:s, s:s, s:s?, s:i, s:o, s:o, s:o, s:o, s:o, s:i, s:[]}",
                     "account", v->node.account, "type", rd_node_type_name(v->node.type),
                     "state", rd_node_state_name(v->node.state), "parent",
                     v->node.parent[0] ? v->node.parent : NULL, "depth", v->depth, "available",
                     rd_hier_json_money(s->available), "reserved",
                     rd_hier_json_money(s->reserved), "capital",
                     rd_hier_json_money(rd_ledger_capital(s)), "base",
                     rd_hier_json_money(rd_ledger_base(s)), "surplus",
                     rd_hier_json_money(rd_ledger_surplus(s)), "forks", v->forks, "children");
}

static int out_of_memory(struct rd_error *err, const char *what)
{
    return rd_error_set(err, RD_ENOMEM, "%s: out of memory building JSON", what);
}

/* ---- the tree ---- */

struct walk {
    struct rd_store *s;
    const char *root;             /* NULL: every node */
    json_t *nodes;
    json_t *by_name;              /* account -> its object in nodes: children find parents */
    struct rd_error *err;
};

/* Whether n is root or below it (following parents); -1 on a store error. */
static int in_tree(struct walk *w, const struct rd_hier_node_row *n)
{
    struct rd_hier_node_row up = *n;

    for (int depth = 0; depth < 256; depth++) {
        char parent[64];

        if (strcmp(up.account, w->root) == 0)
            return 1;
        if (!up.parent[0])
            return 0;
        snprintf(parent, sizeof parent, "%s", up.parent);
        if (w->s->ops->ledger->node_get(w->s, parent, &up, w->err) != RD_OK)
            return -1;
    }
    return 0;
}

static int see_node(void *ctx, const struct rd_hier_node_row *n)
{
    struct walk *w = ctx;
    struct rd_hier_view v;
    int in = w->root ? in_tree(w, n) : 1;
    json_t *o, *p;

    if (in < 0)
        return RD_ESTORE;
    if (!in)
        return 0;
    if (rd_hier_view_get(w->s, n->account, &v, w->err) != RD_OK)
        return RD_ESTORE;
    o = rd_hier_json_node(&v);
    if (!o || json_array_append_new(w->nodes, o) != 0 ||
        json_object_set(w->by_name, n->account, o) != 0)
        return out_of_memory(w->err, "hierarchy");
    /* children come later in account order ("g1" before "g1.f1"); link them back */
    p = v.node.parent[0] ? json_object_get(w->by_name, v.node.parent) : NULL;
    if (p && json_array_append_new(json_object_get(p, "children"), json_string(n->account)) != 0)
        return out_of_memory(w->err, "hierarchy");
    return 0;
}

int rd_hier_json_tree(struct rd_store *s, const char *root, json_t **out, struct rd_error *err)
{
    struct walk w = {s, root, json_array(), json_object(), err};
    struct rd_hier_node_row r;
    int rc = RD_OK;

    *out = NULL;
    if (!w.nodes || !w.by_name)
        rc = out_of_memory(err, "hierarchy");
    if (rc == RD_OK && root)
        rc = s->ops->ledger->node_get(s, root, &r, err);
    if (rc == RD_OK)
        rc = s->ops->ledger->node_list(s, see_node, &w, err);
    json_decref(w.by_name);
    if (rc != RD_OK) {
        json_decref(w.nodes);
        return rc;
    }
    *out = json_pack("{s:s?, s:o}", "root", root, "nodes", w.nodes);
    return *out ? RD_OK : out_of_memory(err, "hierarchy");
}

/* ---- a node's ledger ---- */

struct shown {
    json_t *txns;
    size_t at;                    /* the transaction the entries are at */
    struct rd_error *err;
};

static int see_txn(void *ctx, const struct rd_ledger_txn *t)
{
    struct shown *w = ctx;
    char at[32];
    json_t *o;

    rd_time_format(t->at, at, sizeof at);
    o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:[]}", "id", (json_int_t)t->id, "key",
                  t->key, "kind", rd_ledger_kind_name(t->kind), "who", t->who, "why", t->why,
                  "op", t->op ? json_integer(t->op) : json_null(), "at", at, "entries");
    if (!o || json_array_append_new(w->txns, o) != 0)
        return out_of_memory(w->err, "ledger");
    return 0;
}

static int see_entry(void *ctx, const struct rd_ledger_entry *e)
{
    struct shown *w = ctx;
    json_t *o, *arr;

    /* entries come grouped by transaction, in the transactions' order */
    while (w->at < json_array_size(w->txns) &&
           json_integer_value(json_object_get(json_array_get(w->txns, w->at), "id")) != e->txn)
        w->at++;
    arr = json_object_get(json_array_get(w->txns, w->at), "entries");
    o = json_pack("{s:s, s:o}", "book", e->book, "amount", rd_hier_json_money(e->amount));
    if (!arr || !o || json_array_append_new(arr, o) != 0)
        return out_of_memory(w->err, "ledger");
    return 0;
}

int rd_hier_json_ledger(struct rd_store *s, const char *account, json_t **out,
                        struct rd_error *err)
{
    struct shown w = {NULL, 0, err};
    struct rd_hier_view v;
    json_t *o;
    int rc;

    *out = NULL;
    if ((rc = rd_hier_view_get(s, account, &v, err)) != RD_OK)
        return rc;
    o = rd_hier_json_node(&v);
    w.txns = json_array();
    if (!o || !w.txns || json_object_del(o, "children") != 0 ||
        json_object_set(o, "transactions", w.txns) != 0) {
        json_decref(o);
        json_decref(w.txns);
        return out_of_memory(err, "ledger");
    }
    json_decref(w.txns);
    if ((rc = s->ops->ledger->txn_list(s, account, see_txn, &w, err)) != RD_OK ||
        (rc = s->ops->ledger->entry_list(s, account, see_entry, &w, err)) != RD_OK) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return RD_OK;
}

int rd_hier_json_post(struct rd_store *s, const struct rd_ledger_request *r,
                      const struct rd_hier_actor *by, json_t **out, struct rd_error *err)
{
    struct rd_ledger_result res;
    struct rd_hier_view v;
    int rc;

    *out = NULL;
    if ((rc = rd_ledger_post(s, r, by, &res, err)) != RD_OK ||
        (rc = rd_hier_view_get(s, r->acct->name, &v, err)) != RD_OK)
        return rc;
    *out = json_pack("{s:I, s:s, s:s, s:s, s:o, s:b, s:o}", "txn", (json_int_t)res.txn.id, "key",
                     res.txn.key, "kind", rd_ledger_kind_name(res.txn.kind), "account",
                     r->acct->name, "amount", rd_hier_json_money(r->amount), "replayed",
                     res.replayed, "available", rd_hier_json_money(v.sums.available));
    return *out ? RD_OK : out_of_memory(err, "ledger");
}

json_t *rd_hier_json_report(const struct rd_ledger_report *r)
{
    size_t shown = r->nproblems < RD_LEDGER_PROBLEMS_MAX ? r->nproblems : RD_LEDGER_PROBLEMS_MAX;
    json_t *probs = json_array();

    for (size_t i = 0; probs && i < shown; i++)
        json_array_append_new(probs, json_string(r->problems[i]));
    if (probs && r->nproblems > shown)
        json_array_append_new(probs, json_sprintf("and %zu more", r->nproblems - shown));
    return json_pack("{s:b, s:I, s:I, s:I, s:o, s:o, s:o, s:o}", "ok", r->nproblems == 0,
                     "transactions", (json_int_t)r->transactions, "entries",
                     (json_int_t)r->entries, "nodes", (json_int_t)r->nodes, "deposits",
                     rd_hier_json_money(r->deposits), "withdrawals",
                     rd_hier_json_money(r->withdrawals), "realized_pnl",
                     rd_hier_json_money(r->realized_pnl), "problems", probs);
}

/* ---- attribution ---- */

int rd_perf_hierarchy_has_return(const struct rd_perf_hierarchy *h, size_t i)
{
    for (size_t t = 1; t < h->ndays; t++)
        if (h->daily[i * h->ndays + t].has_return)
            return 1;
    return 0;
}

static json_t *day_json(int32_t day)
{
    char b[16];

    rd_date_format(day, b, sizeof b);
    return json_string(b);
}

static json_t *attr_node(const struct rd_perf_hierarchy *h, size_t i)
{
    const struct rd_attr_node *n = &h->nodes[i];
    json_t *daily = json_array();

    for (size_t t = 1; daily && t < h->ndays; t++) {
        const struct rd_attr_day *d = &h->daily[i * h->ndays + t];

        if (json_array_append_new(daily, json_pack(
                "{s:o, s:o, s:o, s:f}", "day", day_json(h->days[t]), "flow",
                rd_hier_json_money(h->flow[i * h->ndays + t]), "return",
                d->has_return ? json_real(d->ret) : json_null(), "contribution",
                d->contribution)) != 0) {
            json_decref(daily);
            return NULL;
        }
    }
    if (!daily)
        return NULL;
    return json_pack("{s:s, s:o, s:o, s:f, s:f, s:o}", "account", h->accounts[i], "pnl",
                     rd_hier_json_money(n->pnl), "return",
                     rd_perf_hierarchy_has_return(h, i) ? json_real(n->ret) : json_null(), "contribution",
                     n->contribution, "risk_share", n->risk_share, "daily", daily);
}

json_t *rd_perf_hierarchy_json(const struct rd_perf_hierarchy *h)
{
    json_t *nodes = json_array();

    for (size_t i = 0; nodes && i < h->nnodes; i++)
        if (json_array_append_new(nodes, attr_node(h, i)) != 0) {
            json_decref(nodes);
            return NULL;
        }
    if (!nodes)
        return NULL;
    return json_pack("{s:s, s:o, s:f, s:o}", "root", h->root, "pnl",
                     rd_hier_json_money(h->total.pnl), "return", h->total.ret, "nodes", nodes);
}
