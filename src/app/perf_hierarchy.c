/*
 * perf_hierarchy.c - a node's flows by snapshot day, and `perf hierarchy`:
 * a subtree's attribution from its nodes' snapshots and ledger
 * (perf_hierarchy.h, docs/hierarchy.md).
 */
#include "riskdesk/perf_hierarchy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "riskdesk/hierarchy_ops.h"
#include "riskdesk/perf_report.h"
#include "app/perf_int.h"
#include "app/hier_tree.h"
#include "riskdesk/banned.h"


/* ---- flows ---- */

struct flow_walk {
    const int32_t *days;
    size_t n;
    rd_money *flow;
};

static int is_flow(enum rd_ledger_kind k)
{
    return k == RD_LEDGER_OPEN || k == RD_LEDGER_DEPOSIT || k == RD_LEDGER_WITHDRAW ||
           k == RD_LEDGER_FORK || k == RD_LEDGER_MERGE || k == RD_LEDGER_PARTIAL;
}

/* The first t with days[t] >= day; n when none. */
static size_t day_slot(const int32_t *days, size_t n, int32_t day)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (days[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int add_flow(void *ctx, const struct rd_ledger_txn *t, const struct rd_ledger_entry *e)
{
    struct flow_walk *w = ctx;
    size_t k;

    if (!is_flow(t->kind))
        return 0;
    k = day_slot(w->days, w->n, rd_perf_snapshot_day(t->at));
    if (k < w->n)
        w->flow[k] += e->amount;
    return 0;
}

int rd_node_flows(struct rd_store *s, const char *account, const int32_t *days, size_t n,
                  rd_money *flow, struct rd_error *err)
{
    struct flow_walk w = {days, n, flow};
    struct rd_hier_node_row node;
    int rc;

    memset(flow, 0, n * sizeof *flow);
    if (!s->ops->ledger || n == 0)
        return RD_OK;
    rc = s->ops->ledger->node_get(s, account, &node, err);
    if (rc == RD_ENOTFOUND) {
        rd_error_clear(err);
        return RD_OK;
    }
    return rc == RD_OK ? rd_hier_entries(s, account, add_flow, &w, err) : rc;
}

/* ---- the subtree ---- */

/* The subtree's accounts into h: root first, then the others by name. */
static int subtree_accounts(struct rd_store *s, const char *root, struct rd_perf_hierarchy *h,
                            struct rd_error *err)
{
    struct rd_hier_tree t;
    int rc = rd_hier_tree_read(s, &t, err);

    if (rc == RD_OK && !rd_hier_tree_find(&t, root))
        rc = rd_error_set(err, RD_ENOTFOUND, "--root: %s is no node of the hierarchy (hierarchy "
                          "init makes one)", root);
    if (rc == RD_OK && !(h->accounts = rd_calloc(t.n, sizeof *h->accounts)))
        rc = rd_error_set(err, RD_ENOMEM, "out of memory reading the hierarchy");
    if (rc == RD_OK) {
        snprintf(h->accounts[h->nnodes++], sizeof h->accounts[0], "%s", root);
        for (size_t i = 0; i < t.n; i++)
            if (strcmp(t.rows[i].account, root) && rd_hier_tree_under(&t, &t.rows[i], root))
                snprintf(h->accounts[h->nnodes++], sizeof h->accounts[0], "%s",
                         t.rows[i].account);
    }
    rd_hier_tree_release(&t);
    return rc;
}

/* ---- the grid of days ---- */

static int cmp_day(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

    return (x > y) - (x < y);
}

/* The subtree's snapshot days up to `to`, sorted and unique, cut to the base
 * and the days from..to. */
static int grid(struct perf_series *ps, size_t nnodes, int32_t from, int32_t to,
                struct rd_perf_hierarchy *h, const char *root, struct rd_error *err)
{
    size_t total = 0, n = 0, base = 0, k = 0;

    for (size_t i = 0; i < nnodes; i++)
        total += ps[i].n;
    if (!(h->days = rd_malloc((total ? total : 1) * sizeof *h->days)))
        return rd_error_set(err, RD_ENOMEM, "out of memory for the days of %s", root);
    for (size_t i = 0; i < nnodes; i++)
        for (size_t j = 0; j < ps[i].n; j++)
            if (ps[i].days[j] <= to)
                h->days[n++] = ps[i].days[j];
    qsort(h->days, n, sizeof *h->days, cmp_day);
    for (size_t j = 0; j < n; j++)
        if (!k || h->days[k - 1] != h->days[j])
            h->days[k++] = h->days[j];
    while (base + 1 < k && h->days[base + 1] < from)
        base++;
    if (!k || (h->days[base] < from && base + 1 == k))
        return rd_error_set(err, RD_ENOTFOUND, "%s's subtree has no snapshots in that range "
                            "(record them with `riskdesk perf snapshot` or by running its "
                            "dispatchers)", root);
    memmove(h->days, h->days + base, (k - base) * sizeof *h->days);
    h->ndays = k - base;
    return RD_OK;
}

/* A node's equity on the grid: its snapshots, the other days filled. */
static int node_equity(const struct perf_series *ps, const struct rd_perf_hierarchy *h,
                       const rd_money *flow, rd_money *equity, struct rd_error *err)
{
    unsigned char *known = rd_calloc(h->ndays, 1);
    size_t j = 0;

    if (!known)
        return rd_error_set(err, RD_ENOMEM, "out of memory for the equity of %s", h->root);
    for (size_t t = 0; t < h->ndays; t++) {
        while (j < ps->n && ps->days[j] < h->days[t])
            j++;
        if (j < ps->n && ps->days[j] == h->days[t]) {
            equity[t] = ps->equity[j];
            known[t] = 1;
        }
    }
    rd_attr_fill_equity(equity, known, flow, h->ndays);
    rd_free(known);
    return RD_OK;
}

int rd_perf_hierarchy(struct rd_store *s, const char *root, int32_t from, int32_t to,
                      struct rd_perf_hierarchy *out, struct rd_error *err)
{
    struct perf_series *ps = NULL;
    rd_money *equity = NULL;
    size_t nn, nd;
    int rc;

    memset(out, 0, sizeof *out);
    snprintf(out->root, sizeof out->root, "%s", root);
    if (!s->ops->ledger)
        return rd_error_set(err, RD_EUNSUPPORTED, "the %s store has no hierarchy",
                            s->ops->name);
    if ((rc = subtree_accounts(s, root, out, err)) != RD_OK)
        return rc;
    nn = out->nnodes;
    if (!(ps = rd_calloc(nn, sizeof *ps))) {
        rc = rd_error_set(err, RD_ENOMEM, "out of memory for the snapshots of %s", root);
        goto out;
    }
    for (size_t i = 0; i < nn && rc == RD_OK; i++)
        rc = rd_perf_series_load(s, out->accounts[i], INT32_MIN, to, &ps[i], err);
    if (rc != RD_OK || (rc = grid(ps, nn, from, to, out, root, err)) != RD_OK)
        goto out;
    nd = out->ndays;
    out->flow = rd_calloc(nn * nd, sizeof *out->flow);
    out->daily = rd_calloc(nn * nd, sizeof *out->daily);
    out->nodes = rd_calloc(nn, sizeof *out->nodes);
    out->subtree = rd_calloc(nd, sizeof *out->subtree);
    equity = rd_calloc(nn * nd, sizeof *equity);
    if (!out->flow || !out->daily || !out->nodes || !out->subtree || !equity) {
        rc = rd_error_set(err, RD_ENOMEM, "out of memory attributing %s", root);
        goto out;
    }
    for (size_t i = 0; i < nn && rc == RD_OK; i++) {
        rc = rd_node_flows(s, out->accounts[i], out->days, nd, out->flow + i * nd, err);
        if (rc == RD_OK)
            rc = node_equity(&ps[i], out, out->flow + i * nd, equity + i * nd, err);
    }
    if (rc == RD_OK) {
        struct rd_attr_input in = {nn, nd, equity, out->flow};

        rc = rd_attr_compute(&in, out->daily, out->nodes, out->subtree, &out->total, err);
    }
out:
    for (size_t i = 0; ps && i < nn; i++)
        rd_perf_series_release(&ps[i]);
    rd_free(ps);
    rd_free(equity);
    if (rc != RD_OK)
        rd_perf_hierarchy_release(out);
    return rc;
}

void rd_perf_hierarchy_release(struct rd_perf_hierarchy *h)
{
    rd_free(h->accounts);
    rd_free(h->days);
    rd_free(h->flow);
    rd_free(h->daily);
    rd_free(h->nodes);
    rd_free(h->subtree);
    memset(h, 0, sizeof *h);
}
