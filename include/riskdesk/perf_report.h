/*
 * perf_report.h - account performance from the store (docs/metrics.md):
 * daily equity snapshots (recorded by `riskdesk perf snapshot` and after each
 * dispatcher cycle), the alerts they set off, the retention that rolls old
 * snapshots up to one a month, an account's report (metrics of the returns
 * between snapshots, trade statistics of its closed trades) and a comparison
 * of accounts (ranked by Sharpe, correlation of daily returns, Welch's
 * t-tests). The pure parts are perf.h's.
 *
 * Ownership: the store and config are borrowed. A report or comparison is a
 * caller-owned struct whose arrays are rd_malloc'ed by the build function
 * and released by its _release. Writers append JSON to a caller's rd_buf.
 * These functions log (perf.alert, perf.snapshot) and are for the program
 * parts (app, cli, api), never for src/core.
 */
#ifndef RISKDESK_PERF_REPORT_H
#define RISKDESK_PERF_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/broker.h"
#include "riskdesk/buf.h"
#include "riskdesk/config.h"
#include "riskdesk/metrics.h"
#include "riskdesk/perf.h"
#include "riskdesk/store.h"
#include "riskdesk/trade_stats.h"

/* ---- snapshots ---- */

/* The trading day a snapshot taken at `now` belongs to: today (ET) once its
 * session has opened, else the trading day before (weekends, holidays and
 * early mornings record the last close). */
int32_t rd_perf_snapshot_day(int64_t now);

struct rd_perf_recorded {
    struct rd_snapshot_row row;
    int written;                 /* 0: the day's snapshot was already there (not forced) */
    size_t nalerts;              /* thresholds the snapshot reaches ... */
    size_t nnew;                 /* ... of which recorded for the first time (logged) */
    struct rd_perf_alert alerts[RD_PERF_ALERT_COUNT];
    size_t rolled_up;            /* old snapshots the retention removed */
};

/*
 * Records account's snapshot from the broker's numbers at `now` (day from
 * rd_perf_snapshot_day). With force, always (replacing the day's row);
 * without (the dispatcher), only when the day has none yet, or has one taken
 * before its close while now is at or after the close, so a day ends with its
 * closing equity. A written snapshot is then checked against the alerts of
 * cfg->perf: each threshold reached is stored in the audit trail and logged
 * as perf.alert the first time for its period; and older snapshots are rolled
 * up (rd_perf_retention). out may be NULL.
 */
int rd_perf_snapshot_record(struct rd_store *s, const struct rd_config *cfg, const char *account,
                            const struct rd_broker_account *ba, int64_t now, int force,
                            struct rd_perf_recorded *out, struct rd_error *err);

/* The dispatcher's hook after a cycle: rd_perf_snapshot_record without force;
 * ba NULL (the broker's numbers are not known this cycle) does nothing. A
 * failure is logged (perf.snapshot_failed), never stops the cycle. */
void rd_perf_snapshot_cycle(struct rd_store *s, const struct rd_config *cfg, const char *account,
                            const struct rd_broker_account *ba, int64_t now);

/* Retention: snapshots more than two years before `today`
 * (rd_perf_retention_cutoff) are rolled up to the last one of each month.
 * *removed (may be NULL) receives the number deleted. One transaction. */
int rd_perf_retention(struct rd_store *s, const char *account, int32_t today, size_t *removed,
                      struct rd_error *err);

/* ---- an account's report ---- */

/* What a report covers: the returns' aggregation (RD_AGG_DAILY the default;
 * RD_AGG_ITD: metrics of daily returns, the returns table cumulative). */
int rd_perf_agg_parse(const char *s, enum rd_agg *out);    /* "daily"... "itd"; 0 or -1 */
const char *rd_perf_agg_name(enum rd_agg agg);
/* A period's key as text: "2024-05-06" (daily, itd), "2024-W19", "2024-05",
 * "2024-Q2", "2024". */
void rd_perf_period_label(enum rd_agg agg, int32_t key, char *buf, size_t n);

struct rd_perf_report {
    char account[64];
    enum rd_agg agg;
    double annualization;        /* of the aggregated returns (252 for daily and ITD) */
    double risk_free;            /* per period: the config's annual rate / annualization */
    size_t nsnapshots;
    int32_t first_day, last_day; /* of the snapshots; 0 when none */
    int32_t tracking_days;       /* last_day - first_day: calendar days tracked */
    int32_t min_tracking_days;   /* the config's: annualised figures and ratios mean */
    int annualised;              /* something only from then (tracking_days >= min) */
    rd_money first_equity, last_equity;
    double drawdown;             /* now: last / peak - 1 (<= 0), NaN without snapshots */
    size_t nperiods;             /* returns the metrics are computed on */
    int32_t *period_key;         /* rd_metrics_aggregate's keys */
    double *period_return;       /* per period; for ITD cumulative at each day */
    struct rd_metrics_result metrics;
    struct rd_trade_stats trades;
    int64_t alerts[RD_PERF_ALERT_COUNT];   /* recorded in the audit trail, by kind */
};

/* Builds account's report from its snapshots with from <= day <= to and the
 * trades closed in those days. RD_ENOTFOUND when the account has no snapshot
 * there. Release with rd_perf_report_release (also after a failure). */
int rd_perf_report_build(struct rd_store *s, const struct rd_config *cfg, const char *account,
                         enum rd_agg agg, int32_t from, int32_t to, struct rd_perf_report *out,
                         struct rd_error *err);
void rd_perf_report_release(struct rd_perf_report *r);
/* {"account", "period", "from", "to", ... "metrics": {...}, "trades": {...},
 * "returns": [{"period", "return"}...]} on one line (docs/metrics.md). */
int rd_perf_report_json(const struct rd_perf_report *r, struct rd_buf *out);

/* ---- comparing accounts ---- */

struct rd_perf_compare_row {
    char account[64];
    size_t nreturns;             /* daily returns (all of the account's) */
    int32_t first_day, last_day;
    struct rd_metrics_result metrics;   /* of all its daily returns; rf = annual / 252 */
};

struct rd_perf_compare {
    size_t n;                    /* accounts, in rank order: Sharpe descending, NaN last */
    struct rd_perf_compare_row *rows;
    double risk_free;            /* per day */
    size_t ncommon;              /* dates on which every account has a daily return */
    int32_t common_from, common_to;
    double *corr;                /* n x n, rows' order, on the common dates */
    struct rd_welch *welch;      /* n x n, [i * n + j]: rows i vs j on the common dates */
};

/* Compares accounts names[0..n) (n >= 2; RD_ENOTFOUND naming an account with
 * fewer than two snapshots). Release with rd_perf_compare_release. */
int rd_perf_compare_build(struct rd_store *s, const struct rd_config *cfg,
                          const char *const *names, size_t n, struct rd_perf_compare *out,
                          struct rd_error *err);
void rd_perf_compare_release(struct rd_perf_compare *c);
/* {"accounts": [{"rank", "account", ...metrics}], "common_days", "correlation":
 * {"accounts": [...], "matrix": [[...]]}, "tests": [{"a", "b", "t", "df", "p",
 * "significant"}]} (significant: p < 0.05). */
int rd_perf_compare_json(const struct rd_perf_compare *c, struct rd_buf *out);

/* ---- /metrics ---- */

/*
 * Appends the Prometheus text of performance for cfg's accounts:
 * riskdesk_perf_alerts_total{account,kind} (audit trail rows),
 * riskdesk_perf_alert_firing{account,kind} (the latest snapshot reaches the
 * threshold), riskdesk_perf_equity_dollars{account} (latest snapshot) and
 * riskdesk_perf_drawdown_ratio{account} (latest vs peak, <= 0).
 */
int rd_perf_prometheus(struct rd_store *s, const struct rd_config *cfg, struct rd_buf *out,
                       struct rd_error *err);

/* Writes a JSON number the way `perf metrics` does: the shortest of 15-17
 * digits that reads back, null for NaN, "Infinity" / "-Infinity". */
int rd_perf_json_double(struct rd_buf *out, double v);

#endif
