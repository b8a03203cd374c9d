/*
 * hierarchy_ops.c - the hierarchy's operations on a store: init, state,
 * ledger movements with the paper account's cash, a node's numbers, and
 * `ledger verify` over everything stored (hierarchy_ops.h,
 * docs/hierarchy.md). Each operation is one store transaction.
 */
#include "riskdesk/hierarchy_ops.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "riskdesk/broker.h"
#include "riskdesk/crash_point.h"
#include "riskdesk/fork_ops.h"
#include "riskdesk/node_fills.h"
#include "riskdesk/runner.h"
#include "riskdesk/banned.h"

/* Ends a transaction begun here: commit on RD_OK, else roll back. */
static int tx_end(struct rd_store *s, int rc, struct rd_error *err)
{
    if (rc == RD_OK)
        return s->ops->commit(s, err);
    s->ops->rollback(s);
    return rc;
}

/* Appends the item of sz bytes to *v (count *n, room *cap), growing it. */
static int append(void **v, size_t *n, size_t *cap, const void *item, size_t sz,
                  struct rd_error *err)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        void *p = rd_realloc(*v, c * sz);

        if (!p)
            return rd_error_set(err, RD_ENOMEM, "ledger: out of memory reading the store");
        *v = p;
        *cap = c;
    }
    memcpy((char *)*v + *n * sz, item, sz);
    (*n)++;
    return RD_OK;
}

/* ---- a node's numbers ---- */

struct entry_walk {
    struct rd_ledger_txn *txns;   /* the node's, in order */
    size_t ntxns, cap, at;
    const char *account;
    int (*visit)(void *ctx, const struct rd_ledger_txn *t, const struct rd_ledger_entry *e);
    void *ctx;
    struct rd_error *err;
};

static int keep_txn(void *ctx, const struct rd_ledger_txn *t)
{
    struct entry_walk *w = ctx;

    return append((void **)&w->txns, &w->ntxns, &w->cap, t, sizeof *t, w->err);
}

static int visit_entry(void *ctx, const struct rd_ledger_entry *e)
{
    struct entry_walk *w = ctx;
    char acct[64];
    int reserved;

    while (w->at < w->ntxns && w->txns[w->at].id != e->txn)
        w->at++;
    if (w->at == w->ntxns)
        return rd_error_set(w->err, RD_ESTORE, "ledger: entry of transaction %lld out of order",
                            (long long)e->txn);
    if (rd_ledger_book_split(e->book, acct, sizeof acct, &reserved) != RD_OK ||
        strcmp(acct, w->account) != 0)
        return 0;     /* the other leg */
    return w->visit(w->ctx, &w->txns[w->at], e);
}

int rd_hier_entries(struct rd_store *s, const char *account,
                    int (*visit)(void *ctx, const struct rd_ledger_txn *t,
                                 const struct rd_ledger_entry *e),
                    void *ctx, struct rd_error *err)
{
    struct entry_walk w = {.account = account, .visit = visit, .ctx = ctx, .err = err};
    int rc = s->ops->ledger->txn_list(s, account, keep_txn, &w, err);

    if (rc == RD_OK)
        rc = s->ops->ledger->entry_list(s, account, visit_entry, &w, err);
    rd_free(w.txns);
    return rc;
}

int rd_hier_view_get(struct rd_store *s, const char *account, struct rd_hier_view *v,
                     struct rd_error *err)
{
    const struct rd_store_ledger_ops *l = s->ops->ledger;
    struct rd_hier_node_row up;
    int rc;

    memset(v, 0, sizeof *v);
    if ((rc = l->node_get(s, account, &v->node, err)) != RD_OK)
        return rc;
    up = v->node;
    /* a parent chain is at most as long as the type order */
    while (up.parent[0] && v->depth < RD_NODE_TYPE_COUNT * 64) {
        char parent[64];

        snprintf(parent, sizeof parent, "%s", up.parent);
        if ((rc = l->node_get(s, parent, &up, err)) != RD_OK)
            return rc;
        v->depth++;
    }
    if ((rc = rd_fork_count(s, account, &v->forks, err)) != RD_OK)
        return rc;
    return l->node_sums(s, account, &v->sums, err);
}

/* ---- the paper account's cash ---- */

int rd_hier_paper_cash(struct rd_store *s, const char *account, rd_money starting_cash,
                       int64_t now, rd_money delta, struct rd_paper_cash *out,
                       struct rd_error *err)
{
    struct rd_broker_state st;

    rd_runner_store_state(s, &st);
    return rd_paper_cash_move(&st, account, starting_cash, now, delta, out, err);
}

/* ---- init and state ---- */

static int init_in_tx(struct rd_store *s, const struct rd_account_config *acct,
                      enum rd_node_type type, const struct rd_hier_actor *by,
                      struct rd_error *err)
{
    struct rd_hier_node_row n;
    struct rd_paper_cash cash;
    struct rd_ledger_txn t;
    struct rd_ledger_entry e[2];
    int rc;

    /* the paper document is written here when the account has none yet */
    rc = rd_hier_paper_cash(s, acct->name, acct->starting_cash, by->now, 0, &cash, err);
    if (rc != RD_OK)
        return rc;
    if (cash.npositions)
        return rd_error_set(err, RD_EREJECTED, "hierarchy init: account %s holds %zu positions; "
                            "a node starts flat (its capital is realised cash)", acct->name,
                            cash.npositions);
    if (cash.cash <= 0)
        return rd_error_set(err, RD_EREJECTED, "hierarchy init: account %s has no cash to open "
                            "with", acct->name);
    memset(&n, 0, sizeof n);
    snprintf(n.account, sizeof n.account, "%s", acct->name);
    n.type = type;
    n.state = RD_NODE_ACTIVE;
    n.created_at = by->now;
    if ((rc = s->ops->ledger->node_add(s, &n, err)) != RD_OK)
        return rc;
    if ((rc = rd_ledger_flow(RD_LEDGER_OPEN, acct->name, cash.cash, e, err)) != RD_OK)
        return rc;
    memset(&t, 0, sizeof t);
    snprintf(t.key, sizeof t.key, "open/%s", acct->name);
    t.kind = RD_LEDGER_OPEN;
    snprintf(t.who, sizeof t.who, "%s", by->who);
    snprintf(t.why, sizeof t.why, "opening: the paper account's cash");
    t.at = by->now;
    return s->ops->ledger->txn_add(s, &t, e, 2, err);
}

int rd_hier_init(struct rd_store *s, const struct rd_account_config *acct, enum rd_node_type type,
                 const struct rd_hier_actor *by, struct rd_hier_view *out, struct rd_error *err)
{
    int rc;

    if (acct->broker != RD_BROKER_PAPER)
        return rd_error_set(err, RD_EREJECTED, "hierarchy init: account %s is an Alpaca account; "
                            "a node must be a paper account, because Alpaca's API cannot move "
                            "money between accounts, so the ledger could not move its cash",
                            acct->name);
    if (rd_node_type_name(type) == NULL)
        return rd_error_set(err, RD_EINVAL, "hierarchy init: unknown type");
    if ((rc = s->ops->begin(s, err)) != RD_OK)
        return rc;
    rc = tx_end(s, init_in_tx(s, acct, type, by, err), err);
    return rc ? rc : rd_hier_view_get(s, acct->name, out, err);
}

int rd_hier_set_state(struct rd_store *s, const char *account, enum rd_node_state to,
                      const char *why, const struct rd_hier_actor *by,
                      struct rd_hier_state_row *out, struct rd_error *err)
{
    struct rd_hier_view v;
    int rc;

    if (to == RD_NODE_FORKING || to == RD_NODE_MERGING)
        return rd_error_set(err, RD_EREJECTED, "invalid_transition: %s: %s is entered by a %s, "
                            "not set by hand", account, rd_node_state_name(to),
                            to == RD_NODE_FORKING ? "fork" : "consolidation");
    if ((rc = s->ops->begin(s, err)) != RD_OK)
        return rc;
    rc = s->ops->ledger->node_lock(s, account, err);
    if (rc == RD_OK)
        rc = rd_hier_view_get(s, account, &v, err);
    if (rc == RD_OK)
        rc = rd_node_transition_check(account, v.node.state, to, rd_ledger_capital(&v.sums), err);
    if (rc == RD_OK) {
        memset(out, 0, sizeof *out);
        snprintf(out->account, sizeof out->account, "%s", account);
        out->from = v.node.state;
        out->to = to;
        snprintf(out->why, sizeof out->why, "%s", why);
        snprintf(out->who, sizeof out->who, "%s", by->who);
        out->at = by->now;
        rc = s->ops->ledger->state_add(s, out, err);
    }
    return tx_end(s, rc, err);
}

/* ---- movements ---- */

static int post_in_tx(struct rd_store *s, const struct rd_ledger_request *r,
                      const struct rd_hier_actor *by, struct rd_ledger_result *out,
                      struct rd_error *err)
{
    const char *account = r->acct->name;
    struct rd_ledger_txn stored;
    struct rd_ledger_entry se[4];
    struct rd_hier_view v;
    size_t n = 0;
    int rc;

    if ((rc = rd_ledger_flow(r->kind, account, r->amount, out->e, err)) != RD_OK)
        return rc;
    out->n = 2;
    memset(&out->txn, 0, sizeof out->txn);
    snprintf(out->txn.key, sizeof out->txn.key, "%s", r->key);
    out->txn.kind = r->kind;
    snprintf(out->txn.who, sizeof out->txn.who, "%s", by->who);
    snprintf(out->txn.why, sizeof out->txn.why, "%s", r->why ? r->why : "");
    out->txn.at = by->now;

    /* held until commit: a racing movement of the node reads after this one */
    if ((rc = s->ops->ledger->node_lock(s, account, err)) != RD_OK ||
        (rc = rd_hier_view_get(s, account, &v, err)) != RD_OK)
        return rc;
    rc = s->ops->ledger->txn_get(s, r->key, &stored, se, 4, &n, err);
    if (rc == RD_OK) {
        if (!rd_ledger_same(&out->txn, out->e, 2, &stored, se, n))
            return rd_error_set(err, RD_EEXIST, "idempotency_conflict: key \"%s\" was used for "
                                "transaction %lld (%s), with other parameters", r->key,
                                (long long)stored.id, rd_ledger_kind_name(stored.kind));
        out->txn = stored;
        memcpy(out->e, se, 2 * sizeof se[0]);
        out->replayed = 1;
        return RD_OK;
    }
    if (rc != RD_ENOTFOUND)
        return rc;
    rd_error_clear(err);
    if (v.node.state == RD_NODE_CLOSED)
        return rd_error_set(err, RD_EREJECTED, "account %s: the node is CLOSED", account);
    if (out->e[0].amount < 0 && v.sums.available < -out->e[0].amount &&
        !(r->kind == RD_LEDGER_PNL_KIND && v.node.allow_negative)) {
        char a[32], b[32];

        rd_money_format(v.sums.available, a, sizeof a);
        rd_money_format(-out->e[0].amount, b, sizeof b);
        return rd_error_set(err, RD_EREJECTED, "insufficient_funds: account %s has %s available, "
                            "%s asked", account, a, b);
    }
    if ((rc = s->ops->ledger->txn_add(s, &out->txn, out->e, 2, err)) != RD_OK)
        return rc;
    rd_crash_point("ledger.book");
    return rd_hier_paper_cash(s, account, r->acct->starting_cash, by->now, out->e[0].amount, NULL,
                              err);
}

int rd_ledger_post(struct rd_store *s, const struct rd_ledger_request *r,
                   const struct rd_hier_actor *by, struct rd_ledger_result *out,
                   struct rd_error *err)
{
    int rc;

    memset(out, 0, sizeof *out);
    if (r->kind != RD_LEDGER_DEPOSIT && r->kind != RD_LEDGER_WITHDRAW &&
        r->kind != RD_LEDGER_PNL_KIND)
        return rd_error_set(err, RD_EINVAL, "ledger: only deposit, withdraw and pnl are booked "
                            "by hand");
    if (!r->key || !*r->key || strlen(r->key) >= RD_LEDGER_KEY_MAX)
        return rd_error_set(err, RD_EINVAL, "--key: expected 1 to %d characters",
                            RD_LEDGER_KEY_MAX - 1);
    if ((rc = s->ops->begin(s, err)) != RD_OK)
        return rc;
    rd_crash_point("ledger.begin");
    rc = post_in_tx(s, r, by, out, err);
    if (rc == RD_OK && !out->replayed)
        rd_crash_point("ledger.commit");
    rc = tx_end(s, rc, err);
    if (rc == RD_OK && !out->replayed)
        rd_crash_point("ledger.after_commit");
    return rc;
}

/* ---- verify ---- */

/* Everything stored, in growing arrays. */
struct all {
    struct rd_ledger_txn *t;
    struct rd_ledger_entry *e;
    struct rd_ledger_node *n;
    struct rd_ledger_balance *b;
    size_t nt, ne, nn, nb, ct, ce, cn, cb;
    struct rd_error *err;
};

static int all_txn(void *ctx, const struct rd_ledger_txn *t)
{
    struct all *a = ctx;

    return append((void **)&a->t, &a->nt, &a->ct, t, sizeof *t, a->err);
}

static int all_entry(void *ctx, const struct rd_ledger_entry *e)
{
    struct all *a = ctx;

    return append((void **)&a->e, &a->ne, &a->ce, e, sizeof *e, a->err);
}

static int all_node(void *ctx, const struct rd_hier_node_row *r)
{
    struct all *a = ctx;
    struct rd_ledger_node n;

    memset(&n, 0, sizeof n);
    snprintf(n.account, sizeof n.account, "%s", r->account);
    n.state = r->state;
    n.allow_negative = r->allow_negative;
    return append((void **)&a->n, &a->nn, &a->cn, &n, sizeof n, a->err);
}

static int all_book(void *ctx, const struct rd_ledger_balance *b)
{
    struct all *a = ctx;

    return append((void **)&a->b, &a->nb, &a->cb, b, sizeof *b, a->err);
}

static int by_account(const void *x, const void *y)
{
    return strcmp(((const struct rd_ledger_node *)x)->account,
                  ((const struct rd_ledger_node *)y)->account);
}

/* An open consolidation marks its source (verify: MERGING only with one). */
static int open_merge(void *ctx, const struct rd_hier_op_row *o)
{
    struct all *a = ctx;
    struct rd_ledger_node key, *n;

    if (o->kind != RD_HIER_OP_MERGE || o->status != RD_HIER_OP_OPEN)
        return 0;
    snprintf(key.account, sizeof key.account, "%s", o->account);
    n = bsearch(&key, a->n, a->nn, sizeof *a->n, by_account);
    if (n)
        n->open_op = o->id;
    return 0;
}

/* Adds a problem to the report, as rd_ledger_verify does. */
static void add_problem(struct rd_ledger_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add_problem(struct rd_ledger_report *r, const char *fmt, ...)
{
    va_list ap;

    if (r->nproblems < RD_LEDGER_PROBLEMS_MAX) {
        va_start(ap, fmt);
        vsnprintf(r->problems[r->nproblems], sizeof r->problems[0], fmt, ap);
        va_end(ap);
    }
    r->nproblems++;
}

/* The node's paper account against its books: cash = available, and what
 * its open positions cost (node_fills.h) = reserved, position for position. */
static int paper_problems(struct rd_store *s, const char *account,
                          const struct rd_ledger_sums *sums, struct rd_ledger_report *r,
                          struct rd_error *err)
{
    struct rd_paper_cash cash;
    rd_money cost;
    size_t ncost;
    char a[32], b[32];
    int rc;

    /* every node's paper document is written by init; none reads as 0 */
    if ((rc = rd_hier_paper_cash(s, account, 0, 0, 0, &cash, err)) != RD_OK ||
        (rc = rd_node_open_cost(s, account, &cost, &ncost, err)) != RD_OK)
        return rc;
    rd_money_format(cash.cash, a, sizeof a);
    rd_money_format(sums->available, b, sizeof b);
    if (cash.cash != sums->available)
        add_problem(r, "node %s: paper cash %s, but available is %s", account, a, b);
    rd_money_format(cost, a, sizeof a);
    rd_money_format(sums->reserved, b, sizeof b);
    if (cost != sums->reserved)
        add_problem(r, "node %s: its open positions cost %s, but reserved is %s", account, a, b);
    if (ncost != cash.npositions)
        add_problem(r, "node %s: the paper account holds %zu positions, the ledger's open cost "
                    "names %zu", account, cash.npositions, ncost);
    return RD_OK;
}

int rd_ledger_check(struct rd_store *s, struct rd_ledger_report *report, struct rd_error *err)
{
    const struct rd_store_ledger_ops *l = s->ops->ledger;
    struct all a = {.err = err};
    struct rd_ledger_sums *sums = NULL;
    int rc;

    memset(report, 0, sizeof *report);
    if ((rc = s->ops->begin(s, err)) != RD_OK)
        return rc;
    if ((rc = l->txn_list(s, NULL, all_txn, &a, err)) != RD_OK ||
        (rc = l->entry_list(s, NULL, all_entry, &a, err)) != RD_OK ||
        (rc = l->node_list(s, all_node, &a, err)) != RD_OK ||
        (rc = l->book_list(s, NULL, all_book, &a, err)) != RD_OK)
        goto out;
    if (a.nn)
        qsort(a.n, a.nn, sizeof *a.n, by_account);
    if (a.nn && (rc = l->op_list(s, NULL, open_merge, &a, err)) != RD_OK)
        goto out;
    if (!(sums = rd_calloc(a.nn ? a.nn : 1, sizeof *sums))) {
        rc = rd_error_set(err, RD_ENOMEM, "ledger verify: out of memory");
        goto out;
    }
    rc = rd_ledger_verify(a.t, a.nt, a.e, a.ne, a.n, a.nn, a.b, a.nb, sums, report, err);
    for (size_t i = 0; rc == RD_OK && i < a.nn; i++)
        rc = paper_problems(s, a.n[i].account, &sums[i], report, err);
out:
    s->ops->rollback(s);      /* read only */
    rd_free(sums);
    rd_free(a.t);
    rd_free(a.e);
    rd_free(a.n);
    rd_free(a.b);
    return rc;
}
