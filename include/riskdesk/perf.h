/*
 * perf.h - the pure parts of account performance (docs/metrics.md, sections
 * Snapshots, Report, Compare, Alerts): returns from daily equity snapshots,
 * the loss and drawdown alerts, which old snapshots the retention rolls up,
 * Pearson correlation, Student's t distribution and Welch's t-test.
 *
 * Ownership: pure functions over caller-owned arrays; nothing here allocates,
 * logs or keeps state. Dates are day numbers (calendar.h), money is rd_money,
 * fractions that decide something (alert thresholds) are ppm; doubles are for
 * statistics only.
 */
#ifndef RISKDESK_PERF_H
#define RISKDESK_PERF_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/money.h"

/* ---- the "performance" section of riskdesk.json (docs/config.md) ---- */

enum rd_perf_alert_kind {
    RD_PERF_ALERT_DAILY_LOSS,       /* vs the previous snapshot */
    RD_PERF_ALERT_WEEKLY_LOSS,      /* vs the last snapshot before this ISO week */
    RD_PERF_ALERT_MONTHLY_LOSS,     /* vs the last snapshot before this calendar month */
    RD_PERF_ALERT_DRAWDOWN,         /* vs the highest snapshot so far */
    RD_PERF_ALERT_COUNT
};

struct rd_perf_config {
    int64_t risk_free_annual_ppm;                 /* 20000 (2 %) by default */
    int64_t alert_ppm[RD_PERF_ALERT_COUNT];       /* 50000, 100000, 150000, 200000; 0 = off */
    int32_t min_tracking_days;                    /* 30: annualised figures and ratios are
                                                     shown after this many calendar days of
                                                     snapshots */
};

/* The defaults above. */
void rd_perf_config_init(struct rd_perf_config *pc);
/* "daily_loss", "weekly_loss", "monthly_loss", "drawdown"; NULL out of range. */
const char *rd_perf_alert_name(enum rd_perf_alert_kind k);
int rd_perf_alert_parse(const char *s, enum rd_perf_alert_kind *out);   /* 0 or -1 */

/* ---- returns from snapshots ---- */

/*
 * Simple returns between consecutive snapshots, net of the money that flowed
 * in or out: r[i] = (equity[i+1] - flow[i+1]) / equity[i] - 1, dated
 * days[i+1] (NaN when equity[i] <= 0), flow[i+1] the net flow into the
 * account after snapshot i up to snapshot i+1 (a hierarchy node's deposits,
 * withdrawals and transfers; flow NULL: none). n snapshots give n - 1
 * returns (0 when n < 2); rdays and r hold n - 1 entries.
 */
size_t rd_perf_returns(const int32_t *days, const rd_money *equity, const rd_money *flow,
                       size_t n, int32_t *rdays, double *r);

/* ---- alerts ---- */

struct rd_perf_alert {
    enum rd_perf_alert_kind kind;
    int32_t day;             /* the snapshot that crossed (the last one) */
    int32_t period;          /* what makes it one event: the day itself (daily), the Monday
                                of its week, the 1st of its month, the peak's day (drawdown) */
    int32_t base_day;        /* the snapshot compared against */
    rd_money base, equity;
    int64_t loss_ppm;        /* (base - equity) / base, rounded toward zero */
    int64_t threshold_ppm;
};

/*
 * The alerts the last snapshot of days/equity[0..n) (ascending days) sets off:
 * every configured threshold (nonzero) that its loss reaches or passes
 * (loss >= threshold, compared exactly: loss_ppm is rounded toward zero).
 * Weekly and monthly compare against the last snapshot before the period,
 * or the period's first snapshot when there is none before it. A base <= 0
 * never alerts. flow (NULL: none) is as for rd_perf_returns: the equity
 * compared is less the flows since the base (the alert's `equity`), and the
 * drawdown's peak is the highest of the equity less the flows so far, so
 * money taken out is never a loss. Returns how many were written to out (at
 * most RD_PERF_ALERT_COUNT).
 */
size_t rd_perf_alerts_eval(const int32_t *days, const rd_money *equity, const rd_money *flow,
                           size_t n,
                           const struct rd_perf_config *pc, struct rd_perf_alert *out);

/* ---- retention ---- */

/* The day two years before `day` (same month and day; Feb 29 -> Mar 1). */
int32_t rd_perf_retention_cutoff(int32_t day);
/*
 * Rolls old snapshots up to one per month: sets drop[i] = 1 for each row
 * older than cutoff (days[i] < cutoff) that is not the last row of its
 * calendar month among all the rows; 0 for the others. days ascending.
 * Returns the number dropped.
 */
size_t rd_perf_rollup_select(const int32_t *days, size_t n, int32_t cutoff, unsigned char *drop);

/* ---- statistics ---- */

/* Pearson correlation over the rows where both are not NaN; NaN with fewer
 * than 2 such rows or a zero variance. Two-pass. */
double rd_stats_correlation(const double *x, const double *y, size_t n);
/* The regularized incomplete beta function I_x(a, b) (a, b > 0, 0 <= x <= 1;
 * NaN otherwise), by its continued fraction (modified Lentz). */
double rd_stats_betai(double a, double b, double x);
/* Student's t distribution with df > 0 degrees of freedom: P(T <= t). */
double rd_stats_t_cdf(double t, double df);

struct rd_welch {
    size_t n1, n2;           /* non-NaN values used */
    double mean1, mean2;
    double t;                /* (mean1 - mean2) / sqrt(v1/n1 + v2/n2), sample variances */
    double df;               /* Welch-Satterthwaite */
    double p;                /* two-sided p-value */
};
/* Welch's t-test of mean(x) = mean(y), NaNs ignored. Needs at least 2
 * values on each side, else t, df and p are NaN. Both variances zero: t is
 * +-inf (p 0) when the means differ, NaN when they are equal. */
void rd_stats_welch(const double *x, size_t nx, const double *y, size_t ny, struct rd_welch *out);

#endif
