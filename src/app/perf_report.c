/*
 * perf_report.c - an account's performance report and the comparison of
 * accounts, from the store's snapshots and closed trades; their JSON; and
 * the performance lines of /metrics. docs/metrics.md, sections Report and
 * Compare. The numbers are perf.h's and metrics.h's; this file gathers.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "riskdesk/calendar.h"
#include "riskdesk/perf_report.h"
#include "app/perf_int.h"
#include "riskdesk/banned.h"

#define NAN_D ((double)NAN)
#define SIGNIFICANCE 0.05

/* ---------------------------------------------------------------- JSON */

/* Appends while nothing failed; remembers the first failure. */
struct jw {
    struct rd_buf *b;
    int rc;
};

static void jw_puts(struct jw *w, const char *s)
{
    if (w->rc == RD_OK)
        w->rc = rd_buf_puts(w->b, s);
}

__attribute__((format(printf, 2, 3)))
static void jw_printf(struct jw *w, const char *fmt, ...)
{
    va_list ap;

    if (w->rc != RD_OK)
        return;
    va_start(ap, fmt);
    w->rc = rd_buf_vprintf(w->b, fmt, ap);
    va_end(ap);
}

int rd_perf_json_double(struct rd_buf *out, double v)
{
    char b[40];

    if (isnan(v))
        return rd_buf_puts(out, "null");
    if (isinf(v))
        return rd_buf_puts(out, v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(b, sizeof b, "%.*g", prec, v);
        if (strtod(b, NULL) == v)
            break;
    }
    return rd_buf_puts(out, b);
}

static void jw_double(struct jw *w, double v)
{
    if (w->rc == RD_OK)
        w->rc = rd_perf_json_double(w->b, v);
}

/* Names are [A-Za-z0-9_.@-] (config and API check), but escape anyway. */
static void jw_str(struct jw *w, const char *s)
{
    jw_puts(w, "\"");
    for (; *s && w->rc == RD_OK; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            jw_printf(w, "\\%c", c);
        else if (c < 0x20)
            jw_printf(w, "\\u%04x", c);
        else if (w->rc == RD_OK)
            w->rc = rd_buf_append(w->b, s, 1);
    }
    jw_puts(w, "\"");
}

static void jw_money(struct jw *w, rd_money m)
{
    char t[40];

    rd_money_format(m, t, sizeof t);
    jw_printf(w, "\"%s\"", t);
}

static void jw_day(struct jw *w, int32_t day)
{
    char t[16];

    if (!day) {
        jw_puts(w, "null");
        return;
    }
    rd_date_format(day, t, sizeof t);
    jw_printf(w, "\"%s\"", t);
}

static double field(const struct rd_metrics_result *r, size_t f)
{
    return *(const double *)(const void *)((const char *)r + rd_metrics_fields[f].offset);
}

static void jw_metrics(struct jw *w, const struct rd_metrics_result *m)
{
    jw_puts(w, "{");
    for (size_t f = 0; f < rd_metrics_nfields; f++) {
        jw_printf(w, "%s\"%s\":", f ? "," : "", rd_metrics_fields[f].name);
        jw_double(w, field(m, f));
    }
    jw_puts(w, "}");
}

/* ---------------------------------------------------------------- periods */

static const char *const agg_names[] = {"daily", "weekly", "monthly", "quarterly", "yearly",
                                        "itd"};

int rd_perf_agg_parse(const char *s, enum rd_agg *out)
{
    for (int i = 0; i <= RD_AGG_ITD; i++)
        if (!strcmp(s, agg_names[i])) {
            *out = (enum rd_agg)i;
            return 0;
        }
    return -1;
}

const char *rd_perf_agg_name(enum rd_agg agg)
{
    return (unsigned)agg <= RD_AGG_ITD ? agg_names[agg] : "?";
}

void rd_perf_period_label(enum rd_agg agg, int32_t key, char *buf, size_t n)
{
    switch (agg) {
    case RD_AGG_WEEKLY:
        snprintf(buf, n, "%04d-W%02d", (int)(key / 100), (int)(key % 100));
        break;
    case RD_AGG_MONTHLY:
        snprintf(buf, n, "%04d-%02d", (int)(key / 100), (int)(key % 100));
        break;
    case RD_AGG_QUARTERLY:
        snprintf(buf, n, "%04d-Q%d", (int)(key / 10), (int)(key % 10));
        break;
    case RD_AGG_YEARLY:
        snprintf(buf, n, "%04d", (int)key);
        break;
    default:
        rd_date_format(key, buf, n);
        break;
    }
}

/* ---------------------------------------------------------------- a report */

struct trade_acc {
    struct rd_trade *t;
    size_t n, cap;
};

static int trade_visit(void *ctx, const struct rd_trade_row *row)
{
    struct trade_acc *a = ctx;
    struct rd_local_time o, c;

    if (a->n == a->cap) {
        size_t ncap = a->cap ? a->cap * 2 : 64;
        struct rd_trade *nt = rd_realloc(a->t, ncap * sizeof *nt);

        if (!nt)
            return RD_ENOMEM;
        a->t = nt;
        a->cap = ncap;
    }
    rd_et_from_utc(row->opened_at, &o);
    rd_et_from_utc(row->closed_at, &c);
    a->t[a->n++] = (struct rd_trade){row->pnl, o.day, c.day < o.day ? o.day : c.day};
    return 0;
}

struct event_count {
    int64_t *by_kind;
    int32_t from, to;
};

static int event_visit(void *ctx, const struct rd_perf_event_row *e)
{
    struct event_count *c = ctx;
    enum rd_perf_alert_kind k;

    if (e->day >= c->from && e->day <= c->to && rd_perf_alert_parse(e->kind, &k) == 0)
        c->by_kind[k]++;
    return 0;
}

static double drawdown_now(const rd_money *equity, size_t n)
{
    rd_money peak = 0;

    if (n == 0)
        return NAN_D;
    for (size_t i = 0; i < n; i++)
        if (equity[i] > peak)
            peak = equity[i];
    return peak > 0 ? (double)equity[n - 1] / (double)peak - 1.0 : NAN_D;
}

void rd_perf_report_release(struct rd_perf_report *r)
{
    rd_free(r->period_key);
    rd_free(r->period_return);
    r->period_key = NULL;
    r->period_return = NULL;
    r->nperiods = 0;
}

/*
 * The daily window of an account's snapshots ps[0..n) (n >= 1): those on or
 * after the retention cutoff of its latest snapshot. Older ones may have been
 * rolled up to the last one of each month (rd_perf_retention, which runs with
 * every snapshot recorded, so nothing at or after that cutoff was ever rolled
 * up); a return from one of them spans up to a month and is no daily return.
 * Returns the index of the window's first snapshot (n when none).
 */
static size_t daily_start(const struct perf_series *ps)
{
    int32_t cutoff = rd_perf_retention_cutoff(ps->days[ps->n - 1]);
    size_t i = 0;

    while (i < ps->n && ps->days[i] < cutoff)
        i++;
    return i;
}

int rd_perf_report_build(struct rd_store *s, const struct rd_config *cfg, const char *account,
                         enum rd_agg agg, int32_t from, int32_t to, struct rd_perf_report *out,
                         struct rd_error *err)
{
    struct perf_series ps = {0};
    struct trade_acc ta = {0};
    struct rd_metrics_params params;
    int32_t *rdays = NULL;
    double *r = NULL, *scratch = NULL;
    const double *mr;
    size_t m = 0, mn, lo = 0, hi, base;
    int rc;

    memset(out, 0, sizeof *out);
    snprintf(out->account, sizeof out->account, "%s", account);
    out->agg = agg;
    out->drawdown = NAN_D;
    /* all of them: the daily window is decided by the latest, whatever `to` says */
    rc = rd_perf_series_load(s, account, INT32_MIN, INT32_MAX, &ps, err);
    if (rc)
        goto out;
    while (lo < ps.n && ps.days[lo] < from)
        lo++;
    hi = lo;
    while (hi < ps.n && ps.days[hi] <= to)
        hi++;
    if (hi == lo) {
        rc = rd_error_set(err, RD_ENOTFOUND,
                          "account \"%.64s\" has no snapshots in that range (record them with "
                          "`riskdesk perf snapshot` or by running its dispatcher)", account);
        goto out;
    }
    out->nsnapshots = hi - lo;
    out->first_day = ps.days[lo];
    out->last_day = ps.days[hi - 1];
    out->tracking_days = out->last_day - out->first_day;
    out->min_tracking_days = cfg->perf.min_tracking_days;
    out->annualised = out->tracking_days >= out->min_tracking_days;
    out->first_equity = ps.equity[lo];
    out->last_equity = ps.equity[hi - 1];
    out->drawdown = drawdown_now(ps.equity + lo, hi - lo);
    /* daily, weekly and ITD use daily returns only; months, quarters and years
     * compound correctly across rolled-up month ends too */
    base = lo;
    if (agg == RD_AGG_DAILY || agg == RD_AGG_WEEKLY || agg == RD_AGG_ITD) {
        size_t d = daily_start(&ps);

        if (d > base)
            base = d < hi ? d : hi;
    }

    rdays = rd_malloc(ps.n * sizeof *rdays);
    r = rd_malloc(ps.n * sizeof *r);
    out->period_key = rd_malloc(ps.n * sizeof *out->period_key);
    out->period_return = rd_malloc(ps.n * sizeof *out->period_return);
    scratch = rd_malloc(2 * ps.n * sizeof *scratch);
    if (!rdays || !r || !out->period_key || !out->period_return || !scratch) {
        rc = rd_error_set(err, RD_ENOMEM, "out of memory building the report of \"%.64s\"",
                          account);
        goto out;
    }
    if ((rc = rd_perf_series_flows(s, account, &ps, err)) != RD_OK)
        goto out;
    m = rd_perf_returns(ps.days + base, ps.equity + base, ps.flow + base, hi - base, rdays, r);
    out->nperiods = rd_metrics_aggregate(rdays, r, m, agg, out->period_key, out->period_return);
    /* ITD's table is cumulative; its metrics are those of the daily returns */
    mr = agg == RD_AGG_ITD ? r : out->period_return;
    mn = agg == RD_AGG_ITD ? m : out->nperiods;
    out->annualization = agg == RD_AGG_ITD ? 252.0 : rd_metrics_agg_annualization(agg);
    out->risk_free = (double)cfg->perf.risk_free_annual_ppm / 1e6 / out->annualization;
    rd_metrics_params_init(&params);
    params.annualization = out->annualization;
    params.risk_free = out->risk_free;
    rd_metrics_compute(mr, NULL, mn, &params, scratch, &out->metrics);

    rc = s->ops->perf->trade_list(s, account, from == INT32_MIN ? 0 : rd_et_to_utc(from, 0),
                            to == INT32_MAX ? 0 : rd_et_to_utc(to + 1, 0), trade_visit, &ta, err);
    if (rc == RD_ENOMEM)
        rc = rd_error_set(err, RD_ENOMEM, "out of memory reading the trades of \"%.64s\"",
                          account);
    if (rc)
        goto out;
    rd_trade_stats_compute(ta.t, ta.n, &out->trades);
    {
        struct event_count ec = {out->alerts, from, to};

        rc = s->ops->perf->perf_event_list(s, account, 0, event_visit, &ec, err);
    }
out:
    rd_free(ta.t);
    rd_free(rdays);
    rd_free(r);
    rd_free(scratch);
    rd_perf_series_release(&ps);
    return rc;
}

static void jw_trades(struct jw *w, const struct rd_trade_stats *t)
{
    jw_printf(w, "{\"trades\":%zu,\"wins\":%zu,\"losses\":%zu,\"scratches\":%zu,\"win_rate\":",
              t->trades, t->wins, t->losses, t->scratches);
    jw_double(w, t->win_rate);
    jw_puts(w, ",\"profit_factor\":");
    jw_double(w, t->profit_factor);
    jw_puts(w, ",\"payoff_ratio\":");
    jw_double(w, t->payoff_ratio);
    jw_puts(w, ",\"gross_profit\":");
    jw_money(w, t->gross_profit);
    jw_puts(w, ",\"gross_loss\":");
    jw_money(w, t->gross_loss);
    jw_puts(w, ",\"net\":");
    jw_money(w, t->net);
    jw_puts(w, ",\"average_win\":");
    jw_money(w, t->average_win);
    jw_puts(w, ",\"average_loss\":");
    jw_money(w, t->average_loss);
    jw_puts(w, ",\"largest_win\":");
    jw_money(w, t->largest_win);
    jw_puts(w, ",\"largest_loss\":");
    jw_money(w, t->largest_loss);
    jw_puts(w, ",\"span_days\":");
    jw_double(w, t->span_days);
    jw_puts(w, ",\"trades_per_year\":");
    jw_double(w, t->trades_per_year);
    jw_puts(w, "}");
}

int rd_perf_report_json(const struct rd_perf_report *r, struct rd_buf *out)
{
    struct jw w = {out, RD_OK};

    jw_puts(&w, "{\"account\":");
    jw_str(&w, r->account);
    jw_printf(&w, ",\"period\":\"%s\",\"from\":", rd_perf_agg_name(r->agg));
    jw_day(&w, r->first_day);
    jw_puts(&w, ",\"to\":");
    jw_day(&w, r->last_day);
    jw_printf(&w, ",\"snapshots\":%zu,\"tracking_days\":%d,\"min_tracking_days\":%d,"
              "\"annualised\":%s,\"start_equity\":", r->nsnapshots, (int)r->tracking_days,
              (int)r->min_tracking_days, r->annualised ? "true" : "false");
    jw_money(&w, r->first_equity);
    jw_puts(&w, ",\"end_equity\":");
    jw_money(&w, r->last_equity);
    jw_puts(&w, ",\"drawdown\":");
    jw_double(&w, r->drawdown);
    jw_puts(&w, ",\"annualization\":");
    jw_double(&w, r->annualization);
    jw_puts(&w, ",\"risk_free\":");
    jw_double(&w, r->risk_free);
    /* ITD: one cumulative entry per daily return, so the count is the same */
    jw_printf(&w, ",\"returns_count\":%zu,\"metrics\":", r->nperiods);
    jw_metrics(&w, &r->metrics);
    jw_puts(&w, ",\"trades\":");
    jw_trades(&w, &r->trades);
    jw_puts(&w, ",\"alerts\":{");
    for (int k = 0; k < RD_PERF_ALERT_COUNT; k++)
        jw_printf(&w, "%s\"%s\":%" PRId64, k ? "," : "",
                  rd_perf_alert_name((enum rd_perf_alert_kind)k), r->alerts[k]);
    jw_puts(&w, "},\"returns\":[");
    for (size_t i = 0; i < r->nperiods; i++) {
        char label[24];

        rd_perf_period_label(r->agg, r->period_key[i], label, sizeof label);
        jw_printf(&w, "%s{\"period\":\"%s\",\"return\":", i ? "," : "", label);
        jw_double(&w, r->period_return[i]);
        jw_puts(&w, "}");
    }
    jw_puts(&w, "]}");
    return w.rc;
}

/* ---------------------------------------------------------------- comparing */

struct acct_returns {
    int32_t *days;
    double *r;
    size_t m;
};

static int has_day(const struct acct_returns *a, int32_t day)
{
    size_t lo = 0, hi = a->m;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (a->days[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < a->m && a->days[lo] == day;
}

static double value_on(const struct acct_returns *a, int32_t day)
{
    size_t lo = 0, hi = a->m;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (a->days[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return a->r[lo];
}

/* Sharpe descending, NaN last, ties in the order given. */
static int rank_before(const struct rd_perf_compare_row *a, size_t ia,
                       const struct rd_perf_compare_row *b, size_t ib)
{
    double x = a->metrics.sharpe, y = b->metrics.sharpe;

    if (isnan(x) != isnan(y))
        return isnan(y);
    if (!isnan(x) && x != y)
        return x > y;
    return ia < ib;
}

void rd_perf_compare_release(struct rd_perf_compare *c)
{
    rd_free(c->rows);
    rd_free(c->corr);
    rd_free(c->welch);
    memset(c, 0, sizeof *c);
}

int rd_perf_compare_build(struct rd_store *s, const struct rd_config *cfg,
                          const char *const *names, size_t n, struct rd_perf_compare *out,
                          struct rd_error *err)
{
    struct acct_returns *ar = NULL;
    struct rd_perf_compare_row *rows = NULL;
    size_t *order = NULL, maxm = 1;
    int32_t *common = NULL;
    double *scratch = NULL, *cm = NULL;
    struct rd_metrics_params params;
    int rc = RD_OK;

    memset(out, 0, sizeof *out);
    if (n < 2)
        return rd_error_set(err, RD_EINVAL, "compare needs at least two accounts, got %zu", n);
    ar = rd_calloc(n, sizeof *ar);
    rows = rd_calloc(n, sizeof *rows);
    order = rd_calloc(n, sizeof *order);
    out->corr = rd_calloc(n * n, sizeof *out->corr);
    out->welch = rd_calloc(n * n, sizeof *out->welch);
    out->rows = rd_calloc(n, sizeof *out->rows);
    if (!ar || !rows || !order || !out->corr || !out->welch || !out->rows) {
        rc = rd_error_set(err, RD_ENOMEM, "out of memory comparing %zu accounts", n);
        goto out;
    }
    out->n = n;
    out->risk_free = (double)cfg->perf.risk_free_annual_ppm / 1e6 / 252.0;
    rd_metrics_params_init(&params);
    params.risk_free = out->risk_free;
    for (size_t i = 0; i < n && rc == RD_OK; i++) {
        struct perf_series ps = {0};
        size_t d0;

        for (size_t j = 0; j < i; j++)
            if (!strcmp(names[i], names[j])) {
                rc = rd_error_set(err, RD_EINVAL, "account \"%.64s\" is named twice",
                                  names[i]);
                break;
            }
        if (rc == RD_OK)
            rc = rd_perf_series_load(s, names[i], INT32_MIN, INT32_MAX, &ps, err);
        /* daily returns only: the snapshots of the daily window */
        d0 = rc == RD_OK && ps.n ? daily_start(&ps) : 0;
        if (rc == RD_OK && ps.n - d0 < 2)
            rc = rd_error_set(err, RD_ENOTFOUND,
                              "account \"%.64s\" has %zu daily snapshot%s; a comparison needs "
                              "at least two", names[i], ps.n - d0, ps.n - d0 == 1 ? "" : "s");
        if (rc == RD_OK) {
            ar[i].days = rd_malloc(ps.n * sizeof *ar[i].days);
            ar[i].r = rd_malloc(ps.n * sizeof *ar[i].r);
            if (!ar[i].days || !ar[i].r)
                rc = rd_error_set(err, RD_ENOMEM, "out of memory comparing accounts");
        }
        if (rc == RD_OK)
            rc = rd_perf_series_flows(s, names[i], &ps, err);
        if (rc == RD_OK) {
            ar[i].m = rd_perf_returns(ps.days + d0, ps.equity + d0, ps.flow + d0, ps.n - d0,
                                      ar[i].days, ar[i].r);
            snprintf(rows[i].account, sizeof rows[i].account, "%s", names[i]);
            rows[i].nreturns = ar[i].m;
            rows[i].first_day = ps.days[d0];
            rows[i].last_day = ps.days[ps.n - 1];
            if (ar[i].m > maxm)
                maxm = ar[i].m;
        }
        rd_perf_series_release(&ps);
    }
    if (rc)
        goto out;
    scratch = rd_malloc(2 * maxm * sizeof *scratch);
    common = rd_malloc(maxm * sizeof *common);
    cm = rd_malloc(n * maxm * sizeof *cm);
    if (!scratch || !common || !cm) {
        rc = rd_error_set(err, RD_ENOMEM, "out of memory comparing accounts");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        rd_metrics_compute(ar[i].r, NULL, ar[i].m, &params, scratch, &rows[i].metrics);

    /* rank: insertion sort of the indices (n is small) */
    for (size_t i = 0; i < n; i++) {
        size_t j = i;

        while (j > 0 && rank_before(&rows[i], i, &rows[order[j - 1]], order[j - 1])) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    for (size_t k = 0; k < n; k++)
        out->rows[k] = rows[order[k]];

    /* the dates every account has a return on, and the returns there, in rank order */
    for (size_t d = 0; d < ar[0].m; d++) {
        int all = 1;

        for (size_t i = 1; i < n && all; i++)
            all = has_day(&ar[i], ar[0].days[d]);
        if (all)
            common[out->ncommon++] = ar[0].days[d];
    }
    if (out->ncommon) {
        out->common_from = common[0];
        out->common_to = common[out->ncommon - 1];
    }
    for (size_t k = 0; k < n; k++)
        for (size_t d = 0; d < out->ncommon; d++)
            cm[k * maxm + d] = value_on(&ar[order[k]], common[d]);
    for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b < n; b++) {
            out->corr[a * n + b] =
                rd_stats_correlation(cm + a * maxm, cm + b * maxm, out->ncommon);
            rd_stats_welch(cm + a * maxm, out->ncommon, cm + b * maxm, out->ncommon,
                           &out->welch[a * n + b]);
        }
out:
    if (ar)
        for (size_t i = 0; i < n; i++) {
            rd_free(ar[i].days);
            rd_free(ar[i].r);
        }
    rd_free(ar);
    rd_free(rows);
    rd_free(order);
    rd_free(scratch);
    rd_free(common);
    rd_free(cm);
    if (rc)
        rd_perf_compare_release(out);
    return rc;
}

int rd_perf_compare_json(const struct rd_perf_compare *c, struct rd_buf *out)
{
    struct jw w = {out, RD_OK};

    jw_puts(&w, "{\"risk_free\":");
    jw_double(&w, c->risk_free);
    jw_puts(&w, ",\"accounts\":[");
    for (size_t i = 0; i < c->n; i++) {
        const struct rd_perf_compare_row *r = &c->rows[i];

        jw_printf(&w, "%s{\"rank\":%zu,\"account\":", i ? "," : "", i + 1);
        jw_str(&w, r->account);
        jw_puts(&w, ",\"from\":");
        jw_day(&w, r->first_day);
        jw_puts(&w, ",\"to\":");
        jw_day(&w, r->last_day);
        jw_printf(&w, ",\"returns_count\":%zu,\"metrics\":", r->nreturns);
        jw_metrics(&w, &r->metrics);
        jw_puts(&w, "}");
    }
    jw_printf(&w, "],\"common\":{\"days\":%zu,\"from\":", c->ncommon);
    jw_day(&w, c->common_from);
    jw_puts(&w, ",\"to\":");
    jw_day(&w, c->common_to);
    jw_puts(&w, "},\"correlation\":{\"accounts\":[");
    for (size_t i = 0; i < c->n; i++) {
        jw_puts(&w, i ? "," : "");
        jw_str(&w, c->rows[i].account);
    }
    jw_puts(&w, "],\"matrix\":[");
    for (size_t i = 0; i < c->n; i++) {
        jw_puts(&w, i ? ",[" : "[");
        for (size_t j = 0; j < c->n; j++) {
            jw_puts(&w, j ? "," : "");
            jw_double(&w, c->corr[i * c->n + j]);
        }
        jw_puts(&w, "]");
    }
    jw_puts(&w, "]},\"tests\":[");
    for (size_t i = 0, k = 0; i < c->n; i++)
        for (size_t j = i + 1; j < c->n; j++, k++) {
            const struct rd_welch *t = &c->welch[i * c->n + j];

            jw_puts(&w, k ? ",{\"a\":" : "{\"a\":");
            jw_str(&w, c->rows[i].account);
            jw_puts(&w, ",\"b\":");
            jw_str(&w, c->rows[j].account);
            jw_printf(&w, ",\"n\":%zu,\"mean_a\":", t->n1);
            jw_double(&w, t->mean1);
            jw_puts(&w, ",\"mean_b\":");
            jw_double(&w, t->mean2);
            jw_puts(&w, ",\"t\":");
            jw_double(&w, t->t);
            jw_puts(&w, ",\"df\":");
            jw_double(&w, t->df);
            jw_puts(&w, ",\"p\":");
            jw_double(&w, t->p);
            jw_printf(&w, ",\"significant\":%s}",
                      !isnan(t->p) && t->p < SIGNIFICANCE ? "true" : "false");
        }
    jw_puts(&w, "]}");
    return w.rc;
}

/* ---------------------------------------------------------------- /metrics */

int rd_perf_prometheus(struct rd_store *s, const struct rd_config *cfg, struct rd_buf *out,
                       struct rd_error *err)
{
    int n = cfg->naccounts, rc;
    struct jw w = {out, RD_OK};
    struct sample {
        int64_t events[RD_PERF_ALERT_COUNT];
        int firing[RD_PERF_ALERT_COUNT];
        int has;
        rd_money equity;
        double drawdown;
    } *sm;

    if (rd_perf_store_check(s, err) != RD_OK)
        return RD_OK;       /* a backend without snapshots: no lines */
    sm = rd_calloc((size_t)n + 1, sizeof *sm);
    if (!sm)
        return rd_error_set(err, RD_ENOMEM, "out of memory for the performance metrics");
    rc = RD_OK;
    for (int i = 0; i < n && rc == RD_OK; i++) {
        const char *name = cfg->accounts[i].name;
        struct perf_series ps = {0};
        struct event_count ec = {sm[i].events, INT32_MIN, INT32_MAX};
        struct rd_perf_alert al[RD_PERF_ALERT_COUNT];

        rc = rd_perf_series_load(s, name, INT32_MIN, INT32_MAX, &ps, err);
        if (rc == RD_OK)
            rc = rd_perf_series_flows(s, name, &ps, err);
        if (rc == RD_OK && ps.n) {
            size_t na = rd_perf_alerts_eval(ps.days, ps.equity, ps.flow, ps.n, &cfg->perf, al);

            sm[i].has = 1;
            sm[i].equity = ps.equity[ps.n - 1];
            sm[i].drawdown = drawdown_now(ps.equity, ps.n);
            for (size_t k = 0; k < na; k++)
                sm[i].firing[al[k].kind] = 1;
        }
        rd_perf_series_release(&ps);
        if (rc == RD_OK)
            rc = s->ops->perf->perf_event_list(s, name, 0, event_visit, &ec, err);
    }
    if (rc != RD_OK) {
        rd_free(sm);
        return rc;
    }
    jw_puts(&w, "# HELP riskdesk_perf_alerts_total Performance alerts recorded in the audit "
                "trail (perf.alert), by kind.\n# TYPE riskdesk_perf_alerts_total counter\n");
    for (int i = 0; i < n; i++)
        for (int k = 0; k < RD_PERF_ALERT_COUNT; k++)
            jw_printf(&w, "riskdesk_perf_alerts_total{account=\"%s\",kind=\"%s\"} %" PRId64 "\n",
                      cfg->accounts[i].name, rd_perf_alert_name((enum rd_perf_alert_kind)k),
                      sm[i].events[k]);
    jw_puts(&w, "# HELP riskdesk_perf_alert_firing 1 while the latest snapshot reaches the "
                "alert's threshold.\n# TYPE riskdesk_perf_alert_firing gauge\n");
    for (int i = 0; i < n; i++)
        for (int k = 0; k < RD_PERF_ALERT_COUNT; k++)
            jw_printf(&w, "riskdesk_perf_alert_firing{account=\"%s\",kind=\"%s\"} %d\n",
                      cfg->accounts[i].name, rd_perf_alert_name((enum rd_perf_alert_kind)k),
                      sm[i].firing[k]);
    jw_puts(&w, "# HELP riskdesk_perf_equity_dollars Equity of the latest daily snapshot.\n"
                "# TYPE riskdesk_perf_equity_dollars gauge\n");
    for (int i = 0; i < n; i++)
        if (sm[i].has) {
            char t[40];

            rd_money_format(sm[i].equity, t, sizeof t);
            jw_printf(&w, "riskdesk_perf_equity_dollars{account=\"%s\"} %s\n",
                      cfg->accounts[i].name, t);
        }
    jw_puts(&w, "# HELP riskdesk_perf_drawdown_ratio Latest snapshot vs the highest one, minus "
                "1 (0 at a peak).\n# TYPE riskdesk_perf_drawdown_ratio gauge\n");
    for (int i = 0; i < n; i++)
        if (sm[i].has && !isnan(sm[i].drawdown))
            jw_printf(&w, "riskdesk_perf_drawdown_ratio{account=\"%s\"} %.6f\n",
                      cfg->accounts[i].name, sm[i].drawdown);
    rd_free(sm);
    if (w.rc != RD_OK)
        return rd_error_set(err, w.rc, "out of room writing the performance metrics");
    return RD_OK;
}
