/*
 * trade_stats.h - statistics of closed trades: win rate, profit factor,
 * average and largest win and loss, trade count and frequency.
 *
 * Ownership: pure; the trades array is borrowed, nothing is allocated.
 * P&L is exact rd_money; ratios are doubles (statistics only).
 * A trade with P&L > 0 is a win, < 0 a loss, exactly 0 a scratch (counted in
 * trades and in the win-rate denominator, in neither gross sum).
 */
#ifndef RISKDESK_TRADE_STATS_H
#define RISKDESK_TRADE_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/money.h"

struct rd_trade {
    rd_money pnl;            /* realised P&L of the closed trade, net of costs */
    int32_t open_day;        /* days since 1970-01-01 */
    int32_t close_day;       /* >= open_day */
};

struct rd_trade_stats {
    size_t trades, wins, losses, scratches;
    rd_money gross_profit;   /* sum of winning P&L (>= 0), saturating */
    rd_money gross_loss;     /* sum of losing P&L (<= 0), saturating */
    rd_money net;            /* gross_profit + gross_loss */
    rd_money average_win;    /* gross_profit / wins, rounded half away from zero; 0 if none */
    rd_money average_loss;   /* gross_loss / losses (<= 0); 0 if none */
    rd_money largest_win;    /* 0 if no win */
    rd_money largest_loss;   /* most negative P&L; 0 if no loss */
    double win_rate;         /* wins / trades; NaN with no trades */
    double profit_factor;    /* gross_profit / |gross_loss|: +inf with no loss and a profit,
                                NaN when both are 0 */
    double payoff_ratio;     /* average_win / |average_loss|, same conventions */
    double span_days;        /* last close - first open + 1 (calendar days); 0 with no trades */
    double trades_per_year;  /* trades / (span_days / 365.25); NaN with no trades */
};

/* Computes the statistics of trades[0..n-1] (any order). */
void rd_trade_stats_compute(const struct rd_trade *trades, size_t n, struct rd_trade_stats *out);

#endif
