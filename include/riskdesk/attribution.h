/*
 * attribution.h - performance attribution over a hierarchy's subtree
 * (docs/hierarchy.md, "Attribution"): each node's daily P&L and return net
 * of the money that flowed in or out, the subtree's return as the weighted
 * sum of its nodes', each node's contribution to it and its share of its
 * risk. Pure: the caller hands in equity and flows on a common grid of days.
 *
 * Ownership: every array is the caller's; nothing here allocates.
 *
 * For node i on day t (t >= 1; day 0 is the base):
 *   F_i,t = the net flow into i after day t-1's close up to day t's
 *   P&L_i,t = E_i,t - E_i,t-1 - F_i,t (exact, in money)
 *   r_i,t = (E_i,t - F_i,t) / E_i,t-1 - 1, none when E_i,t-1 <= 0
 *   w_i,t = E_i,t-1 / sum_j E_j,t-1 over the nodes with a return
 *   c_i,t = w_i,t r_i,t;  R_t = sum_i c_i,t (the subtree's day)
 * Over the days: a node's P&L is the sum of its days' (E_end - E_0 - sum F)
 * and its return the product of (1 + r_i,t) less 1; the subtree's return is
 * the product of (1 + R_t) less 1, and a node's contribution to it
 * sum_t c_i,t G_t-1 with G_t-1 = prod_s<t (1 + R_s), so the contributions add
 * up to the subtree's return exactly (the days' growth links them). A node's
 * risk share is cov(c_i, R) / var(R) over the days (they sum to 1); with
 * fewer than two days or no variance, its share of the last day's equity.
 */
#ifndef RISKDESK_ATTRIBUTION_H
#define RISKDESK_ATTRIBUTION_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/error.h"
#include "riskdesk/money.h"

/* nnodes x ndays, node-major: element [i * ndays + t]. */
struct rd_attr_input {
    size_t nnodes, ndays;           /* ndays >= 1; day 0 is the base */
    const rd_money *equity;         /* E_i,t at day t's close */
    const rd_money *flow;           /* F_i,t; [i * ndays + 0] is not read */
};

struct rd_attr_day {
    rd_money pnl;
    int has_return;                 /* E_i,t-1 > 0 */
    double ret;                     /* 0 when !has_return */
    double contribution;            /* c_i,t */
};

struct rd_attr_node {
    rd_money pnl;
    double ret;
    double contribution;
    double risk_share;
};

struct rd_attr_total {
    rd_money pnl;
    double ret;
};

/*
 * Fills days (nnodes x ndays; t = 0 is zeroed), nodes (nnodes), subtree
 * (ndays: R_t, R_0 = 0) and total. RD_EINVAL when a P&L leaves the money
 * range, naming the node's index and the day's.
 */
int rd_attr_compute(const struct rd_attr_input *in, struct rd_attr_day *days,
                    struct rd_attr_node *nodes, double *subtree, struct rd_attr_total *total,
                    struct rd_error *err);

/*
 * Equity on days with no snapshot: known[t] says which of equity[0..n) are;
 * an unknown day takes the day before's equity plus its own flow (no P&L
 * that day), day 0 its flow alone (a node that did not exist yet holds
 * nothing). flow[0] is what came in up to day 0.
 */
void rd_attr_fill_equity(rd_money *equity, const unsigned char *known, const rd_money *flow,
                         size_t n);

#endif
