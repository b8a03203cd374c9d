/*
 * trade_stats.c - statistics of closed trades. Sums are exact int64 money
 * (saturating at the rd_money range); only the ratios are doubles.
 */
#include <math.h>
#include <string.h>

#include "riskdesk/trade_stats.h"
#include "riskdesk/banned.h"

static rd_money sat_add(rd_money a, rd_money b)
{
    rd_money r;

    if (__builtin_add_overflow(a, b, &r))
        return b > 0 ? INT64_MAX : INT64_MIN;
    return r;
}

/* a / b rounded half away from zero; b > 0. */
static rd_money div_round(rd_money a, int64_t b)
{
    rd_money q = a / b, rem = a % b;

    if (rem != 0 && (rem < 0 ? -rem : rem) >= b - (rem < 0 ? -rem : rem))
        q += a < 0 ? -1 : 1;
    return q;
}

static double ratio(double num, double den)
{
    if (den == 0.0)
        return num > 0.0 ? INFINITY : NAN;
    return num / den;
}

void rd_trade_stats_compute(const struct rd_trade *trades, size_t n, struct rd_trade_stats *out)
{
    int32_t first = INT32_MAX, last = INT32_MIN;

    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        rd_money p = trades[i].pnl;

        if (p > 0) {
            out->wins++;
            out->gross_profit = sat_add(out->gross_profit, p);
            if (p > out->largest_win)
                out->largest_win = p;
        } else if (p < 0) {
            out->losses++;
            out->gross_loss = sat_add(out->gross_loss, p);
            if (p < out->largest_loss)
                out->largest_loss = p;
        } else {
            out->scratches++;
        }
        if (trades[i].open_day < first)
            first = trades[i].open_day;
        if (trades[i].close_day > last)
            last = trades[i].close_day;
    }
    out->trades = n;
    out->net = sat_add(out->gross_profit, out->gross_loss);
    out->average_win = out->wins ? div_round(out->gross_profit, (int64_t)out->wins) : 0;
    out->average_loss = out->losses ? div_round(out->gross_loss, (int64_t)out->losses) : 0;
    out->win_rate = n ? (double)out->wins / (double)n : NAN;
    out->profit_factor = ratio((double)out->gross_profit, -(double)out->gross_loss);
    out->payoff_ratio = ratio((double)out->average_win, -(double)out->average_loss);
    if (n) {
        out->span_days = (double)last - (double)first + 1.0;
        if (out->span_days < 1.0)
            out->span_days = 1.0;
        out->trades_per_year = (double)n / (out->span_days / 365.25);
    } else {
        out->trades_per_year = NAN;
    }
}
