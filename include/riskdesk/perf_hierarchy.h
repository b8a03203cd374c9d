/*
 * perf_hierarchy.h - a hierarchy's performance from the store
 * (docs/hierarchy.md, "Attribution"): the money that flowed into a node, by
 * the snapshot day it falls on, and `perf hierarchy`: a subtree's P&L,
 * returns, contributions and risk shares (attribution.h) from its nodes'
 * daily snapshots and ledger flows.
 *
 * Ownership: rd_perf_hierarchy fills a caller-owned struct whose arrays it
 * allocates; rd_perf_hierarchy_release frees them. Other arrays are the
 * caller's.
 */
#ifndef RISKDESK_PERF_HIERARCHY_H
#define RISKDESK_PERF_HIERARCHY_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/attribution.h"
#include "riskdesk/store.h"

/*
 * The net flows into account (kinds open, deposit, withdraw, fork, merge,
 * partial: money in or out, not P&L), each on the trading day of its time as
 * a snapshot taken then would be (rd_perf_snapshot_day): flow[t] sums those
 * after days[t-1] up to days[t], flow[0] those up to days[0]; later ones are
 * left out. days ascending. All 0 for an account that is no node.
 */
int rd_node_flows(struct rd_store *s, const char *account, const int32_t *days, size_t n,
                  rd_money *flow, struct rd_error *err);

struct rd_perf_hierarchy {
    char root[64];
    size_t nnodes, ndays;         /* days[0] is the base: its return is not reported */
    char (*accounts)[64];         /* nnodes: the root, then the rest of its subtree by name */
    int32_t *days;                /* ndays */
    rd_money *flow;               /* nnodes x ndays */
    struct rd_attr_day *daily;    /* nnodes x ndays */
    struct rd_attr_node *nodes;   /* nnodes */
    double *subtree;              /* ndays */
    struct rd_attr_total total;
};

/*
 * root's subtree (root and every node under it by parent links) over the
 * trading days from..to (INT32_MIN / INT32_MAX: all): equity from each
 * node's daily snapshots (a day a node has none: the day before's plus the
 * day's flow), flows from the ledger. The base is the last snapshot day of
 * the subtree before from, or the first in range when there is none before.
 * RD_ENOTFOUND when root is no node or the subtree has no snapshot in range.
 */
int rd_perf_hierarchy(struct rd_store *s, const char *root, int32_t from, int32_t to,
                      struct rd_perf_hierarchy *out, struct rd_error *err);
void rd_perf_hierarchy_release(struct rd_perf_hierarchy *h);

#endif
