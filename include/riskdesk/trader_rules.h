/*
 * trader_rules.h - flags and loss-limit cuts for traders, from their daily net
 * P&L (see docs/traders.md for the rules, their defaults and the choices made).
 *
 * Ownership: everything here is caller-owned; rd_trader_assess fills a struct
 * the caller provides. Pure: no I/O, no globals; the one scratch allocation
 * (a sorted copy of the history, for the percentile) is freed before return.
 *
 * A trader's trading days are the days that trader has data for (fills or daily
 * P&L rows). The day judged is the trader's last trading day on or before the
 * report date; the window is the last window_days trading days ending there.
 */
#ifndef RISKDESK_TRADER_RULES_H
#define RISKDESK_TRADER_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/error.h"
#include "riskdesk/money.h"
#include "riskdesk/pnl.h"

enum rd_cut_combine { RD_CUT_MAX, RD_CUT_SUM };
enum rd_trader_level { RD_LEVEL_LOW, RD_LEVEL_MODERATE, RD_LEVEL_HIGH };
enum rd_trader_rule {
    RD_RULE_LOSS_STREAK,
    RD_RULE_DRAWDOWN,
    RD_RULE_VOLATILITY,
    RD_RULE_LARGE_LOSS,
    RD_RULE_COUNT
};

/* Every threshold of the rules; rd_trader_rules_config_init sets the defaults
 * shown. Fractions are ppm (1000000 = 100%). */
struct rd_trader_rules_config {
    int window_days;                /* 20: trading days looked at */
    int min_history_days;           /* 20: fewer is "New (limited history)", not assessed */
    int streak_min_days;            /* 3: loss streak that fires */
    int64_t streak_cut_ppm;         /* 300000 (30%) */
    int64_t drawdown_ppm;           /* 150000: fires when drawdown > 15% of the peak */
    rd_money drawdown_min_peak;     /* $1,000: and only when the peak is above it */
    int64_t drawdown_cut_ppm;       /* 400000 (40%) */
    int vol_recent_days;            /* 5: the recent days; the rest of the window is the base */
    int64_t vol_ratio_ppm;          /* 2000000: fires when std(recent) > 2 x std(base) */
    int64_t vol_cut_ppm;            /* 250000 (25%) */
    int64_t loss_percentile_ppm;    /* 50000: fires below the 5th percentile of history */
    int64_t loss_cut_ppm;           /* 200000 (20%) */
    enum rd_cut_combine combine;    /* RD_CUT_MAX: the largest cut; RD_CUT_SUM: their sum */
    int64_t max_cut_ppm;            /* 800000: cap on the cut */
    int64_t high_ppm;               /* 400000: cut at or above is "high" */
    int64_t moderate_ppm;           /* 200000: at or above (and below high) is "moderate" */
    rd_money default_limit;         /* $5,000: daily loss limit when none is given */
    rd_money limit_step;            /* $100: new limits are rounded down to this */
    int stale_trading_days;         /* 3: data older than this many trading days is warned of */
};

void rd_trader_rules_config_init(struct rd_trader_rules_config *cfg);
/* RD_OK, or RD_ECONFIG naming the first setting out of range. */
int rd_trader_rules_config_check(const struct rd_trader_rules_config *cfg, struct rd_error *err);

#define RD_TRADER_REASON_MAX 160

struct rd_trader_assessment {
    int has_data;                   /* a trading day on or before the report date */
    int32_t day;                    /* the day judged */
    int history_days;               /* trading days up to and including it */
    int window_days;                /* trading days in the window */
    int limited;                    /* history_days < min_history_days: no rule applied */
    rd_money day_net;               /* net P&L on the day judged */
    rd_money window_net;            /* sum over the window */
    /* what the rules looked at (computed even when limited) */
    int loss_streak;                /* consecutive days with net < 0 ending on day */
    rd_money streak_loss;           /* their sum */
    rd_money peak;                  /* running peak of cumulative net over the window */
    rd_money drawdown;              /* peak - cumulative net on day */
    int n_recent, n_base;           /* days behind the two standard deviations */
    double std_recent, std_base;    /* sample std (ddof = 1), dollars; 0 when n < 2 */
    int have_percentile;            /* at least one day before the day judged */
    rd_money percentile;            /* type-7 percentile of net before day (rounded toward 0) */
    /* the verdict */
    int fired[RD_RULE_COUNT];
    int64_t cut_ppm;
    enum rd_trader_level level;
    rd_money old_limit, new_limit;
    int nreasons;
    char reason[RD_RULE_COUNT][RD_TRADER_REASON_MAX];
};

/*
 * The new limit after a cut: old_limit x (1 - cut) rounded down to a multiple
 * of limit_step, but never below one step (nor above old_limit when that is
 * smaller than a step). No cut: old_limit unchanged; a cut of 100% (only when
 * max_cut_ppm allows it): 0.
 */
rd_money rd_trader_new_limit(const struct rd_trader_rules_config *cfg, rd_money old_limit,
                             int64_t cut_ppm);

/*
 * Assesses one trader: days[0..n) are the trader's days in ascending order (a
 * struct rd_pnl span), report_day the report date, limit the trader's daily
 * loss limit (0 = the default). Fills *out; returns RD_OK, RD_ECONFIG for a bad
 * cfg or RD_ENOMEM.
 */
int rd_trader_assess(const struct rd_trader_rules_config *cfg, const struct rd_pnl_day *days,
                     size_t n, int32_t report_day, rd_money limit,
                     struct rd_trader_assessment *out, struct rd_error *err);

/*
 * The cut the rules set on every day of one trader: cut_ppm[j] is what
 * rd_trader_assess would give with the report date days[j].day (0 while the
 * history is limited), for j in [0, n). The model's targets and the rules'
 * baseline come from it; O(n window + n^2 / 2 moves) instead of n assessments.
 * Returns RD_OK, RD_ECONFIG or RD_ENOMEM.
 */
int rd_trader_cut_series(const struct rd_trader_rules_config *cfg, const struct rd_pnl_day *days,
                         size_t n, int64_t *cut_ppm, struct rd_error *err);

/* "high", "moderate", "low"; and the rule's short name ("loss streak"...). */
const char *rd_trader_level_name(enum rd_trader_level level);
const char *rd_trader_rule_name(enum rd_trader_rule rule);

/* Money as whole dollars with thousands separators, rounded half away from
 * zero: "$2,340", "-$1,900". Returns the snprintf-style length. */
int rd_trader_dollars(rd_money v, char *buf, size_t n);

#endif
