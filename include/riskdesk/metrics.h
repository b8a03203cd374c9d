/*
 * metrics.h - performance metrics over arrays of per-period simple returns,
 * defined exactly as Quantopian's empyrical computes them (see docs/metrics.md
 * and shared METRICS.md for every convention: NaN handling, percentile
 * interpolation, two-pass variance, compounded alpha).
 *
 * Ownership: pure functions. Inputs are borrowed and never modified; nothing
 * here allocates, logs or keeps state. Functions that need room to reorder
 * values take a caller-owned `scratch` array of 2n doubles (n for stability).
 *
 * Conventions: r[0..n-1] are simple returns; NaN marks a missing period and
 * counts in n (see each function). Results are doubles and may be NaN or
 * +-infinity exactly where empyrical returns them; nothing here fails.
 */
#ifndef RISKDESK_METRICS_H
#define RISKDESK_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* Periods of a return series and their annualization factors. */
enum rd_period {
    RD_PERIOD_DAILY,       /* 252 */
    RD_PERIOD_WEEKLY,      /* 52 */
    RD_PERIOD_MONTHLY,     /* 12 */
    RD_PERIOD_QUARTERLY,   /* 4 */
    RD_PERIOD_YEARLY,      /* 1 */
};

/* The annualization factor A of a period (252, 52, 12, 4, 1). */
double rd_metrics_annualization(enum rd_period period);
/* Parses "daily", "weekly", "monthly", "quarterly", "yearly"; -1 if unknown. */
int rd_metrics_period_parse(const char *name, enum rd_period *out);
const char *rd_metrics_period_name(enum rd_period period);

/* Parameters of rd_metrics_compute; rd_metrics_params_init sets empyrical's
 * defaults (daily, rf 0, required return 0, omega annualization 252). */
struct rd_metrics_params {
    double annualization;          /* A: 252 daily, 52 weekly, 12 monthly... */
    double risk_free;              /* per-period rf: sharpe, omega, alpha, beta */
    double required_return;        /* per-period q: sortino and downside risk */
    double omega_required_return;  /* annual R for omega's threshold */
    double omega_annualization;    /* A' of omega's threshold, 252 by default */
};

void rd_metrics_params_init(struct rd_metrics_params *p);

/* Every metric of one series (and its benchmark). Benchmark-relative fields
 * are NaN when no benchmark is given. */
struct rd_metrics_result {
    double cum_return;
    double annual_return;
    double annual_volatility;
    double sharpe;
    double sortino;
    double calmar;
    double max_drawdown;
    double omega;
    double tail_ratio;
    double downside_risk;
    double var_95;
    double cvar_95;
    double stability;
    double alpha;
    double beta;
    double information_ratio;      /* annualised: excess_sharpe * sqrt(A) */
    double tracking_error;         /* std1(r - b) * sqrt(A) */
    double up_capture;
    double down_capture;
};

/* Field names and offsets of struct rd_metrics_result, in the order above
 * (the JSON keys of `riskdesk perf metrics`). */
struct rd_metrics_field {
    const char *name;
    size_t offset;
};
extern const struct rd_metrics_field rd_metrics_fields[];
extern const size_t rd_metrics_nfields;

/*
 * Computes every metric of r[0..n-1] with benchmark b[0..n-1] (already aligned
 * row by row, NaN where missing; b may be NULL). scratch must hold 2n doubles.
 * One fused pass computes the single-pass metrics, a second the variances;
 * VaR/CVaR/tail ratio select order statistics from the values beyond
 * mean -/+ std (falling back to the whole series when too few lie there).
 * A series holding an infinity goes through the single functions instead.
 * The results equal the single functions' bit for bit.
 */
void rd_metrics_compute(const double *r, const double *b, size_t n,
                        const struct rd_metrics_params *p, double *scratch,
                        struct rd_metrics_result *out);

/* ---- single metrics (A = annualization factor) ---- */

double rd_metrics_cum_return(const double *r, size_t n);
double rd_metrics_annual_return(const double *r, size_t n, double A);
double rd_metrics_annual_volatility(const double *r, size_t n, double A);
double rd_metrics_sharpe(const double *r, size_t n, double rf, double A);
double rd_metrics_downside_risk(const double *r, size_t n, double required, double A);
double rd_metrics_sortino(const double *r, size_t n, double required, double A);
double rd_metrics_max_drawdown(const double *r, size_t n);
double rd_metrics_calmar(const double *r, size_t n, double A);
/* R is the *annual* required return, A' omega's own annualization. */
double rd_metrics_omega(const double *r, size_t n, double rf, double R, double Aomega);
/* Percentile with numpy's "linear" method of the sorted s[0..k-1], p in [0,1]. */
double rd_metrics_percentile_sorted(const double *s, size_t k, double p);
/* The next three copy r into scratch (2n doubles) and reorder it there. */
double rd_metrics_tail_ratio(const double *r, size_t n, double *scratch);
double rd_metrics_value_at_risk(const double *r, size_t n, double cutoff, double *scratch);
double rd_metrics_cvar(const double *r, size_t n, double cutoff, double *scratch);
/* Uses scratch (n doubles) for the cumulative log returns. */
double rd_metrics_stability(const double *r, size_t n, double *scratch);
double rd_metrics_beta(const double *r, const double *b, size_t n);
double rd_metrics_alpha(const double *r, const double *b, size_t n, double rf, double A);
/* empyrical's excess_sharpe: mean(r-b)/std1(r-b), not annualised. */
double rd_metrics_excess_sharpe(const double *r, const double *b, size_t n);
double rd_metrics_information_ratio(const double *r, const double *b, size_t n, double A);
double rd_metrics_tracking_error(const double *r, const double *b, size_t n, double A);
double rd_metrics_up_capture(const double *r, const double *b, size_t n, double A);
double rd_metrics_down_capture(const double *r, const double *b, size_t n, double A);

/* ---- returns per period ---- */

enum rd_agg {
    RD_AGG_DAILY,       /* one per row, unchanged */
    RD_AGG_WEEKLY,      /* ISO year and week */
    RD_AGG_MONTHLY,
    RD_AGG_QUARTERLY,
    RD_AGG_YEARLY,
    RD_AGG_ITD,         /* inception to date: cumulative return at each row */
};

/*
 * Returns per period, as empyrical's aggregate_returns: rows (dates as days
 * since 1970-01-01, ascending) are grouped by calendar period and compounded
 * (NaN counts as 0), groups in ascending key order. Keys, as empyrical's
 * groupby: weekly year*100 + ISO week number (with the *calendar* year, as
 * empyrical does), monthly year*100 + month, quarterly year*10 + quarter,
 * yearly the year; daily and ITD the row's date (days since 1970-01-01).
 * For RD_AGG_ITD, out[i] is the cumulative return up to row i.
 * out and out_key hold n entries; returns the number of groups written.
 */
size_t rd_metrics_aggregate(const int32_t *days, const double *r, size_t n, enum rd_agg agg,
                            int32_t *out_key, double *out);
/* The annualization factor that matches an aggregation (ITD: NaN). */
double rd_metrics_agg_annualization(enum rd_agg agg);

/* Civil date <-> days since 1970-01-01 (proleptic Gregorian). */
int32_t rd_days_from_civil(int y, int m, int d);
void rd_civil_from_days(int32_t z, int *y, int *m, int *d);

#endif
