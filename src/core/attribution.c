/*
 * attribution.c - a subtree's P&L, returns, contributions and risk shares
 * from its nodes' equity and flows (attribution.h).
 */
#include "riskdesk/attribution.h"

#include <string.h>

#include "riskdesk/banned.h"

__extension__ typedef __int128 i128;

void rd_attr_fill_equity(rd_money *equity, const unsigned char *known, const rd_money *flow,
                         size_t n)
{
    for (size_t t = 0; t < n; t++)
        if (!known[t])
            equity[t] = (t ? equity[t - 1] : 0) + flow[t];
}

/* The nodes' day t: P&L and return each, then weights and contributions. */
static int one_day(const struct rd_attr_input *in, size_t t, struct rd_attr_day *days,
                   double *subtree, struct rd_error *err)
{
    size_t n = in->ndays;
    double base = 0;

    for (size_t i = 0; i < in->nnodes; i++) {
        rd_money e0 = in->equity[i * n + t - 1], e1 = in->equity[i * n + t];
        rd_money f = in->flow[i * n + t];
        struct rd_attr_day *d = &days[i * n + t];
        i128 pnl = (i128)e1 - e0 - f;

        if (pnl > RD_MONEY_MAX || pnl < -RD_MONEY_MAX)
            return rd_error_set(err, RD_EINVAL, "attribution: node %zu, day %zu: P&L out of "
                                "the money range", i, t);
        d->pnl = (rd_money)pnl;
        d->has_return = e0 > 0;
        d->ret = d->has_return ? (double)(e1 - f) / (double)e0 - 1.0 : 0.0;
        d->contribution = 0;
        if (d->has_return)
            base += (double)e0;
    }
    subtree[t] = 0;
    for (size_t i = 0; i < in->nnodes && base > 0; i++) {
        struct rd_attr_day *d = &days[i * n + t];

        if (d->has_return) {
            d->contribution = (double)in->equity[i * n + t - 1] / base * d->ret;
            subtree[t] += d->contribution;
        }
    }
    return RD_OK;
}

/* cov(c_i, R) / var(R) over days 1..n-1; the last day's equity share when
 * R does not vary. */
static void risk_shares(const struct rd_attr_input *in, const struct rd_attr_day *days,
                        const double *subtree, struct rd_attr_node *nodes)
{
    size_t n = in->ndays, m = n - 1;
    double mean = 0, var = 0, total = 0;

    for (size_t t = 1; t < n; t++)
        mean += subtree[t];
    if (m)
        mean /= (double)m;
    for (size_t t = 1; t < n; t++)
        var += (subtree[t] - mean) * (subtree[t] - mean);
    if (m >= 2 && var > 0) {
        for (size_t i = 0; i < in->nnodes; i++) {
            double ci = 0, cov = 0;

            for (size_t t = 1; t < n; t++)
                ci += days[i * n + t].contribution;
            ci /= (double)m;
            for (size_t t = 1; t < n; t++)
                cov += (days[i * n + t].contribution - ci) * (subtree[t] - mean);
            nodes[i].risk_share = cov / var;
        }
        return;
    }
    for (size_t i = 0; i < in->nnodes; i++)
        if (in->equity[i * n + n - 1] > 0)
            total += (double)in->equity[i * n + n - 1];
    for (size_t i = 0; i < in->nnodes; i++)
        nodes[i].risk_share = total > 0 && in->equity[i * n + n - 1] > 0
                                  ? (double)in->equity[i * n + n - 1] / total
                                  : 0;
}

int rd_attr_compute(const struct rd_attr_input *in, struct rd_attr_day *days,
                    struct rd_attr_node *nodes, double *subtree, struct rd_attr_total *total,
                    struct rd_error *err)
{
    size_t n = in->ndays;
    double growth = 1.0;              /* G_t-1 */
    int rc;

    memset(total, 0, sizeof *total);
    if (n == 0)
        return rd_error_set(err, RD_EINVAL, "attribution: no days");
    memset(nodes, 0, in->nnodes * sizeof *nodes);
    for (size_t i = 0; i < in->nnodes; i++) {
        memset(&days[i * n], 0, sizeof days[0]);
        nodes[i].ret = 1.0;           /* the product, less 1 at the end */
    }
    subtree[0] = 0;
    for (size_t t = 1; t < n; t++) {
        if ((rc = one_day(in, t, days, subtree, err)) != RD_OK)
            return rc;
        for (size_t i = 0; i < in->nnodes; i++) {
            const struct rd_attr_day *d = &days[i * n + t];

            if (d->pnl > 0 ? nodes[i].pnl > RD_MONEY_MAX - d->pnl
                           : nodes[i].pnl < -RD_MONEY_MAX - d->pnl)
                return rd_error_set(err, RD_EINVAL, "attribution: node %zu: P&L out of the "
                                    "money range", i);
            nodes[i].pnl += d->pnl;
            nodes[i].ret *= 1.0 + d->ret;
            nodes[i].contribution += d->contribution * growth;
        }
        growth *= 1.0 + subtree[t];
    }
    for (size_t i = 0; i < in->nnodes; i++) {
        nodes[i].ret -= 1.0;
        if (nodes[i].pnl > RD_MONEY_MAX - total->pnl || nodes[i].pnl < -RD_MONEY_MAX - total->pnl)
            return rd_error_set(err, RD_EINVAL, "attribution: the subtree's P&L is out of the "
                                "money range");
        total->pnl += nodes[i].pnl;
    }
    total->ret = growth - 1.0;
    risk_shares(in, days, subtree, nodes);
    return RD_OK;
}
