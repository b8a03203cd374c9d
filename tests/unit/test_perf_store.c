/*
 * test_perf_store.c - performance through the store (SQLite in memory):
 * the snapshot and event operations, which day a snapshot belongs to,
 * recording with and without force, alerts recorded once per period, the
 * retention's roll-up on hand-made dates, period returns of a report (and
 * daily returns only from the daily, not rolled-up, snapshots), trade
 * statistics from closed trades, a comparison (ranking, correlation, tests),
 * the /metrics lines, the "performance" config section, and failed
 * allocations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "riskdesk/alloc.h"
#include "riskdesk/calendar.h"
#include "riskdesk/config.h"
#include "riskdesk/log.h"
#include "riskdesk/perf_report.h"
#include "riskdesk/store.h"

#define D(y, m, d) rd_date_from_ymd((y), (m), (d))
#define AT(day, hh, mm) rd_et_to_utc((day), (hh) * 60 + (mm))

struct fx {
    struct rd_store *s;
    struct rd_config *cfg;
};

static const char config_text[] =
    "{\"accounts\": [{\"name\": \"a\"}, {\"name\": \"b\"}, {\"name\": \"c\"}],"
    " \"performance\": {\"risk_free_annual\": 0.0252,"
    "                   \"alerts\": {\"daily_loss\": 0.05, \"weekly_loss\": 0.10,"
    "                              \"monthly_loss\": \"0.15\", \"drawdown\": 0.2}}}";

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    struct rd_error err = {0};

    rd_log_set_level(RD_LOG_ERROR);
    assert_int_equal(rd_store_open("sqlite::memory:", &f->s, &err), RD_OK);
    assert_int_equal(rd_config_load_text(config_text, strlen(config_text), "rd.json", &f->cfg,
                                         &err), RD_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    rd_store_close(f->s);
    rd_config_free(f->cfg);
    free(f);
    return 0;
}

static void put(struct rd_store *s, const char *acct, int32_t day, int64_t dollars)
{
    struct rd_snapshot_row r = {.day = day, .equity = RD_DOLLARS(dollars),
                                .cash = RD_DOLLARS(dollars) / 2, .buying_power = RD_DOLLARS(1),
                                .taken_at = AT(day, 16, 5)};
    struct rd_error err = {0};

    snprintf(r.account, sizeof r.account, "%s", acct);
    assert_int_equal(s->ops->perf->snapshot_put(s, &r, &err), RD_OK);
}

struct rows {
    size_t n;
    struct rd_snapshot_row r[64];
};

static int collect(void *ctx, const struct rd_snapshot_row *r)
{
    struct rows *c = ctx;

    if (c->n < 64)
        c->r[c->n] = *r;
    c->n++;
    return 0;
}

static struct rows list(struct rd_store *s, const char *acct)
{
    struct rows c = {0};
    struct rd_error err = {0};

    assert_int_equal(s->ops->perf->snapshot_list(s, acct, INT32_MIN, INT32_MAX, collect, &c, &err),
                     RD_OK);
    return c;
}

static int count_events(void *ctx, const struct rd_perf_event_row *e)
{
    (void)e;
    ++*(int *)ctx;
    return 0;
}

static int events(struct rd_store *s, const char *acct)
{
    struct rd_error err = {0};
    int n = 0;

    assert_int_equal(s->ops->perf->perf_event_list(s, acct, 0, count_events, &n, &err), RD_OK);
    return n;
}

/* ---------------------------------------------------------------- store ops */

static int first_kind(void *ctx, const struct rd_perf_event_row *e)
{
    snprintf(ctx, 32, "%s", e->kind);
    return 7;
}

static void test_ops(void **state)
{
    struct fx *f = *state;
    struct rd_store *s = f->s;
    struct rd_snapshot_row r;
    struct rd_perf_event_row e = {.day = 5, .period = 5, .value_ppm = 60000,
                                  .threshold_ppm = 50000, .at = 99};
    struct rd_error err = {0};
    struct rows c;
    char kind[32] = "";

    put(s, "a", 10, 100);
    put(s, "a", 12, 120);
    put(s, "b", 11, 7);
    put(s, "a", 10, 101);                /* upsert */
    assert_int_equal(s->ops->perf->snapshot_get(s, "a", 10, &r, &err), RD_OK);
    assert_int_equal(r.equity, RD_DOLLARS(101));
    assert_int_equal(r.cash, RD_DOLLARS(101) / 2);
    assert_int_equal(s->ops->perf->snapshot_get(s, "a", 11, &r, &err), RD_ENOTFOUND);
    c = list(s, "a");
    assert_int_equal(c.n, 2);
    assert_int_equal(c.r[0].day, 10);
    assert_int_equal(c.r[1].day, 12);
    c.n = 0;
    assert_int_equal(s->ops->perf->snapshot_list(s, NULL, 11, 12, collect, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);                       /* a on 12, b on 11: by account */
    assert_string_equal(c.r[0].account, "a");
    assert_string_equal(c.r[1].account, "b");
    assert_int_equal(s->ops->perf->snapshot_delete(s, "a", 12, &err), RD_OK);
    assert_int_equal(s->ops->perf->snapshot_delete(s, "a", 12, &err), RD_OK);
    assert_int_equal(list(s, "a").n, 1);

    snprintf(e.account, sizeof e.account, "a");
    snprintf(e.kind, sizeof e.kind, "daily_loss");
    assert_int_equal(s->ops->perf->perf_event_add(s, &e, &err), RD_OK);
    assert_true(e.id > 0);
    assert_int_equal(s->ops->perf->perf_event_add(s, &e, &err), RD_EEXIST);
    e.period = 6;
    snprintf(e.kind, sizeof e.kind, "drawdown");
    assert_int_equal(s->ops->perf->perf_event_add(s, &e, &err), RD_OK);
    assert_int_equal(events(s, "a"), 2);
    assert_int_equal(events(s, "b"), 0);
    assert_int_equal(events(s, NULL), 2);
    /* limit 1: the newest; a visitor's nonzero comes back */
    assert_int_equal(s->ops->perf->perf_event_list(s, "a", 1, first_kind, kind, &err), 7);
    assert_string_equal(kind, "drawdown");
}

struct trades {
    size_t n;
    rd_money pnl[8];
};

static int collect_trade(void *ctx, const struct rd_trade_row *t)
{
    struct trades *c = ctx;

    if (c->n < 8)
        c->pnl[c->n] = t->pnl;
    c->n++;
    return 0;
}

static void add_trade(struct rd_store *s, const char *acct, int64_t opened, int64_t closed,
                      int64_t dollars)
{
    struct rd_trade_row t = {.qty = 1, .multiplier = 1, .pnl = RD_DOLLARS(dollars),
                             .opened_at = opened, .closed_at = closed};
    struct rd_error err = {0};

    snprintf(t.account, sizeof t.account, "%s", acct);
    snprintf(t.symbol, sizeof t.symbol, "SPY");
    assert_int_equal(s->ops->trading->trade_add(s, &t, &err), RD_OK);
}

static void test_trade_list(void **state)
{
    struct fx *f = *state;
    struct rd_error err = {0};
    struct trades c = {0};

    add_trade(f->s, "a", 100, 300, 5);
    add_trade(f->s, "a", 100, 200, -3);
    add_trade(f->s, "b", 100, 250, 9);
    assert_int_equal(f->s->ops->perf->trade_list(f->s, "a", 0, 0, collect_trade, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.pnl[0], RD_DOLLARS(-3));          /* oldest close first */
    c.n = 0;
    assert_int_equal(f->s->ops->perf->trade_list(f->s, "a", 200, 300, collect_trade, &c, &err), RD_OK);
    assert_int_equal(c.n, 1);                            /* until is exclusive */
    assert_int_equal(c.pnl[0], RD_DOLLARS(-3));
}

/* ---------------------------------------------------------------- recording */

static void test_snapshot_day(void **state)
{
    int32_t fri = D(2024, 5, 3), mon = D(2024, 5, 6);

    (void)state;
    assert_int_equal(rd_perf_snapshot_day(AT(mon, 8, 0)), fri);       /* before the open */
    assert_int_equal(rd_perf_snapshot_day(AT(mon, 9, 30)), mon);
    assert_int_equal(rd_perf_snapshot_day(AT(mon, 23, 59)), mon);
    assert_int_equal(rd_perf_snapshot_day(AT(D(2024, 5, 4), 12, 0)), fri);  /* Saturday */
    /* Memorial Day 2024-05-27: the Friday before */
    assert_int_equal(rd_perf_snapshot_day(AT(D(2024, 5, 27), 12, 0)), D(2024, 5, 24));
}

static void test_record_once_a_day(void **state)
{
    struct fx *f = *state;
    struct rd_broker_account ba = {.equity = RD_DOLLARS(10000), .cash = RD_DOLLARS(4000),
                                   .buying_power = RD_DOLLARS(8000)};
    struct rd_perf_recorded rec;
    struct rd_snapshot_row r;
    struct rd_error err = {0};
    int32_t tue = D(2024, 5, 7);

    assert_int_equal(rd_perf_snapshot_record(f->s, f->cfg, "a", &ba, AT(tue, 10, 0), 0, &rec,
                                             &err), RD_OK);
    assert_int_equal(rec.written, 1);
    assert_int_equal(rec.row.day, tue);
    assert_int_equal(rec.row.cash, RD_DOLLARS(4000));
    /* later the same session: kept */
    ba.equity = RD_DOLLARS(10100);
    assert_int_equal(rd_perf_snapshot_record(f->s, f->cfg, "a", &ba, AT(tue, 15, 0), 0, &rec,
                                             &err), RD_OK);
    assert_int_equal(rec.written, 0);
    /* after the close: the day ends with its closing equity, once */
    ba.equity = RD_DOLLARS(10200);
    assert_int_equal(rd_perf_snapshot_record(f->s, f->cfg, "a", &ba, AT(tue, 16, 1), 0, &rec,
                                             &err), RD_OK);
    assert_int_equal(rec.written, 1);
    ba.equity = RD_DOLLARS(10300);
    assert_int_equal(rd_perf_snapshot_record(f->s, f->cfg, "a", &ba, AT(tue, 18, 0), 0, &rec,
                                             &err), RD_OK);
    assert_int_equal(rec.written, 0);
    assert_int_equal(f->s->ops->perf->snapshot_get(f->s, "a", tue, &r, &err), RD_OK);
    assert_int_equal(r.equity, RD_DOLLARS(10200));
    /* forced (perf snapshot): always */
    assert_int_equal(rd_perf_snapshot_record(f->s, f->cfg, "a", &ba, AT(tue, 18, 0), 1, &rec,
                                             &err), RD_OK);
    assert_int_equal(rec.written, 1);
    assert_int_equal(f->s->ops->perf->snapshot_get(f->s, "a", tue, &r, &err), RD_OK);
    assert_int_equal(r.equity, RD_DOLLARS(10300));
    /* the dispatcher's hook without numbers does nothing */
    rd_perf_snapshot_cycle(f->s, f->cfg, "b", NULL, AT(tue, 18, 0));
    assert_int_equal(list(f->s, "b").n, 0);
    rd_perf_snapshot_cycle(f->s, f->cfg, "b", &ba, AT(tue, 18, 0));
    assert_int_equal(list(f->s, "b").n, 1);
}

static void test_alerts_recorded_once(void **state)
{
    struct fx *f = *state;
    struct rd_broker_account ba = {.equity = RD_DOLLARS(10000)};
    struct rd_perf_recorded rec;
    struct rd_error err = {0};
    int32_t mon = D(2024, 5, 6), tue = D(2024, 5, 7);

    assert_int_equal(rd_perf_snapshot_record(f->s, f->cfg, "a", &ba, AT(mon, 17, 0), 1, &rec,
                                             &err), RD_OK);
    assert_int_equal(rec.nalerts, 0);
    /* exactly 5 % down: a daily loss alert (the week's base is Monday's too: 5 % < 10 %) */
    ba.equity = RD_DOLLARS(9500);
    assert_int_equal(rd_perf_snapshot_record(f->s, f->cfg, "a", &ba, AT(tue, 17, 0), 1, &rec,
                                             &err), RD_OK);
    assert_int_equal(rec.nalerts, 1);
    assert_int_equal(rec.nnew, 1);
    assert_int_equal(rec.alerts[0].kind, RD_PERF_ALERT_DAILY_LOSS);
    assert_int_equal(events(f->s, "a"), 1);
    /* recorded again the same day: still crossed, not a new event */
    ba.equity = RD_DOLLARS(9400);
    assert_int_equal(rd_perf_snapshot_record(f->s, f->cfg, "a", &ba, AT(tue, 18, 0), 1, &rec,
                                             &err), RD_OK);
    assert_int_equal(rec.nalerts, 1);
    assert_int_equal(rec.nnew, 0);
    assert_int_equal(events(f->s, "a"), 1);
    /* 4.999999 % is not 5 % */
    ba.equity = RD_DOLLARS(9500) + 1;
    assert_int_equal(rd_perf_snapshot_record(f->s, f->cfg, "b", &(struct rd_broker_account){
                                                 .equity = RD_DOLLARS(10000)},
                                             AT(mon, 17, 0), 1, NULL, &err), RD_OK);
    assert_int_equal(rd_perf_snapshot_record(f->s, f->cfg, "b", &ba, AT(tue, 17, 0), 1, &rec,
                                             &err), RD_OK);
    assert_int_equal(rec.nalerts, 0);
    assert_int_equal(events(f->s, "b"), 0);
}

/* ---------------------------------------------------------------- retention */

static void test_retention(void **state)
{
    struct fx *f = *state;
    struct rd_error err = {0};
    struct rows c;
    size_t removed = 99;
    /* 2023-01: 3 rows; 2023-02: 2; 2023-03: 1 row on the 1st; 2024-03 recent */
    const int32_t days[] = {D(2023, 1, 3), D(2023, 1, 17), D(2023, 1, 31), D(2023, 2, 1),
                            D(2023, 2, 28), D(2023, 3, 1),  D(2024, 3, 4),  D(2024, 3, 5)};

    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++)
        put(f->s, "a", days[i], 100 + (int64_t)i);
    put(f->s, "b", D(2023, 1, 3), 5);          /* another account is not touched */
    put(f->s, "b", D(2023, 1, 4), 5);
    /* today 2025-02-15: cutoff 2023-02-15 */
    assert_int_equal(rd_perf_retention(f->s, "a", D(2025, 2, 15), &removed, &err), RD_OK);
    assert_int_equal(removed, 3);               /* Jan 3, Jan 17, Feb 1 */
    c = list(f->s, "a");
    assert_int_equal(c.n, 5);
    assert_int_equal(c.r[0].day, D(2023, 1, 31));
    assert_int_equal(c.r[0].equity, RD_DOLLARS(102));   /* the month's last, unchanged */
    assert_int_equal(c.r[1].day, D(2023, 2, 28));
    assert_int_equal(c.r[2].day, D(2023, 3, 1));
    assert_int_equal(list(f->s, "b").n, 2);
    /* again: nothing left to roll up */
    assert_int_equal(rd_perf_retention(f->s, "a", D(2025, 2, 15), &removed, &err), RD_OK);
    assert_int_equal(removed, 0);
    /* later, March 2023 and 2024's rows age too: 2024-03-04 goes */
    assert_int_equal(rd_perf_retention(f->s, "a", D(2026, 6, 1), &removed, &err), RD_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(list(f->s, "a").n, 4);
}

/* ---------------------------------------------------------------- report */

static void test_report_periods(void **state)
{
    struct fx *f = *state;
    struct rd_perf_report rep;
    struct rd_error err = {0};
    struct rd_buf b;

    put(f->s, "a", D(2024, 1, 31), 10000);
    put(f->s, "a", D(2024, 2, 15), 10500);
    put(f->s, "a", D(2024, 2, 29), 11000);
    put(f->s, "a", D(2024, 3, 28), 9900);
    add_trade(f->s, "a", AT(D(2024, 2, 1), 10, 0), AT(D(2024, 2, 2), 10, 0), 100);
    add_trade(f->s, "a", AT(D(2024, 2, 5), 10, 0), AT(D(2024, 2, 5), 11, 0), -50);
    add_trade(f->s, "a", AT(D(2024, 4, 5), 10, 0), AT(D(2024, 4, 5), 11, 0), 999); /* after */

    assert_int_equal(rd_perf_report_build(f->s, f->cfg, "a", RD_AGG_MONTHLY, INT32_MIN,
                                          D(2024, 3, 31), &rep, &err), RD_OK);
    assert_int_equal(rep.nsnapshots, 4);
    assert_int_equal(rep.nperiods, 2);
    assert_int_equal(rep.period_key[0], 202402);
    assert_int_equal(rep.period_key[1], 202403);
    assert_true(fabs(rep.period_return[0] - 0.1) < 1e-12);
    assert_true(fabs(rep.period_return[1] + 0.1) < 1e-12);
    assert_true(rep.annualization == 12.0);
    assert_true(fabs(rep.risk_free - 0.0252 / 12) < 1e-18);
    assert_true(fabs(rep.metrics.cum_return - (9900.0 / 11000 * 1.1 - 1)) < 1e-12);
    assert_true(fabs(rep.drawdown - (9900.0 / 11000 - 1)) < 1e-12);
    assert_int_equal(rep.trades.trades, 2);
    assert_true(rep.trades.win_rate == 0.5);
    assert_true(rep.trades.profit_factor == 2.0);
    rd_buf_init(&b, 1 << 20);
    assert_int_equal(rd_perf_report_json(&rep, &b), RD_OK);
    assert_non_null(strstr(rd_buf_str(&b), "\"period\":\"monthly\""));
    assert_non_null(strstr(rd_buf_str(&b), "{\"period\":\"2024-02\",\"return\":0.1"));
    assert_non_null(strstr(rd_buf_str(&b), "\"start_equity\":\"10000.00\""));
    rd_buf_release(&b);
    rd_perf_report_release(&rep);

    /* daily: rf = 0.0252 / 252 = 0.0001 per day; ITD: cumulative */
    assert_int_equal(rd_perf_report_build(f->s, f->cfg, "a", RD_AGG_ITD, INT32_MIN, INT32_MAX,
                                          &rep, &err), RD_OK);
    assert_int_equal(rep.nperiods, 3);
    assert_true(fabs(rep.period_return[1] - 0.1) < 1e-12);
    assert_true(fabs(rep.period_return[2] + 0.01) < 1e-12);
    assert_true(fabs(rep.risk_free - 0.0001) < 1e-18);
    assert_int_equal(rep.trades.trades, 3);
    rd_perf_report_release(&rep);
    assert_int_equal(rd_perf_report_build(f->s, f->cfg, "a", RD_AGG_DAILY, INT32_MIN, INT32_MAX,
                                          &rep, &err), RD_OK);
    {
        double r[3] = {10500.0 / 10000 - 1, 11000.0 / 10500 - 1, 9900.0 / 11000 - 1};

        assert_true(rep.metrics.sharpe ==
                    rd_metrics_sharpe(r, 3, 0.0252 / 252.0, 252.0));
    }
    rd_perf_report_release(&rep);
    assert_int_equal(rd_perf_report_build(f->s, f->cfg, "zz", RD_AGG_DAILY, INT32_MIN, INT32_MAX,
                                          &rep, &err), RD_ENOTFOUND);
    assert_non_null(strstr(err.msg, "zz"));
    rd_perf_report_release(&rep);
}

/* Snapshots every trading day from 2022 to mid-2025, then the retention of
 * the last day rolls everything before 2023-06-30 up to month ends: the daily
 * (and weekly, ITD) metrics and the comparison use the daily snapshots only,
 * never a month-long return between rolled-up rows; monthly ones use them all. */
static void test_report_rolled_up(void **state)
{
    struct fx *f = *state;
    const char *names[] = {"a", "b"};
    struct rd_perf_report rep;
    struct rd_perf_compare cmp;
    struct rd_error err = {0};
    struct rd_buf b;
    struct rows_big {
        size_t n;
        int32_t day[1000];
        int64_t eq[1000];
    } *all = calloc(1, sizeof *all);
    int32_t day = D(2022, 1, 3), last = D(2025, 6, 30), cutoff;
    double r[1000];
    size_t removed = 0, first, nr = 0;

    assert_non_null(all);
    for (int i = 0; day <= last; i++, day = rd_nyse_next_trading_day(day)) {
        int64_t eq = 10000 + i * 3 + (i * 37 % 101) - 50;

        put(f->s, "a", day, eq);
        put(f->s, "b", day, 20000 - i * 2 + (i * 53 % 89));
        all->day[all->n] = day;
        all->eq[all->n++] = eq;
    }
    last = all->day[all->n - 1];
    cutoff = rd_perf_retention_cutoff(last);
    assert_int_equal(cutoff, D(2023, 6, 30));
    assert_int_equal(rd_perf_retention(f->s, "a", last, &removed, &err), RD_OK);
    assert_int_equal(rd_perf_retention(f->s, "b", last, &removed, &err), RD_OK);
    assert_true(removed > 300);
    /* what is left daily: the snapshots on or after the cutoff */
    for (first = 0; all->day[first] < cutoff; first++)
        ;
    for (size_t i = first + 1; i < all->n; i++)
        r[nr++] = (double)all->eq[i] / (double)all->eq[i - 1] - 1.0;

    assert_int_equal(rd_perf_report_build(f->s, f->cfg, "a", RD_AGG_DAILY, INT32_MIN, INT32_MAX,
                                          &rep, &err), RD_OK);
    assert_int_equal(rep.nsnapshots, (all->n - first) + 17);  /* + month ends Jan 2022 .. May 2023 */
    assert_int_equal(rep.first_day, D(2022, 1, 31));
    assert_int_equal(rep.nperiods, nr);
    assert_int_equal(rep.period_key[0], all->day[first + 1]);
    for (size_t i = 0; i < rep.nperiods; i++) {
        assert_true(rep.period_key[i] > cutoff);
        assert_true(rep.period_return[i] == r[i]);
    }
    assert_true(rep.metrics.sharpe == rd_metrics_sharpe(r, nr, 0.0252 / 252.0, 252.0));
    assert_true(rep.metrics.annual_return == rd_metrics_annual_return(r, nr, 252.0));
    assert_true(rep.metrics.annual_volatility == rd_metrics_annual_volatility(r, nr, 252.0));
    rd_buf_init(&b, 1 << 22);
    assert_int_equal(rd_perf_report_json(&rep, &b), RD_OK);
    {
        char want[48];

        snprintf(want, sizeof want, "\"returns_count\":%zu,", nr);
        assert_non_null(strstr(rd_buf_str(&b), want));
    }
    rd_buf_release(&b);
    rd_perf_report_release(&rep);

    /* a range inside the rolled-up years: snapshots, but no daily return */
    assert_int_equal(rd_perf_report_build(f->s, f->cfg, "a", RD_AGG_DAILY, D(2022, 1, 1),
                                          D(2022, 12, 31), &rep, &err), RD_OK);
    assert_int_equal(rep.nsnapshots, 12);
    assert_int_equal(rep.nperiods, 0);
    assert_true(isnan(rep.metrics.sharpe));
    rd_perf_report_release(&rep);
    /* ITD and weekly: the daily window too */
    assert_int_equal(rd_perf_report_build(f->s, f->cfg, "a", RD_AGG_ITD, INT32_MIN, INT32_MAX,
                                          &rep, &err), RD_OK);
    assert_int_equal(rep.nperiods, nr);
    assert_true(rep.metrics.sharpe == rd_metrics_sharpe(r, nr, 0.0252 / 252.0, 252.0));
    rd_perf_report_release(&rep);
    assert_int_equal(rd_perf_report_build(f->s, f->cfg, "a", RD_AGG_WEEKLY, INT32_MIN, INT32_MAX,
                                          &rep, &err), RD_OK);
    assert_true(rep.period_key[0] >= 202326);
    rd_perf_report_release(&rep);
    /* monthly: month ends compound across the roll-up; 2022-02 .. 2025-06 */
    assert_int_equal(rd_perf_report_build(f->s, f->cfg, "a", RD_AGG_MONTHLY, INT32_MIN,
                                          INT32_MAX, &rep, &err), RD_OK);
    assert_int_equal(rep.nperiods, 41);
    assert_int_equal(rep.period_key[0], 202202);
    {
        size_t jan = 0, feb = 0;     /* Feb 2022: last row of Jan 2022 to last of Feb */

        while (all->day[jan + 1] < D(2022, 2, 1))
            jan++;
        feb = jan;
        while (all->day[feb + 1] < D(2022, 3, 1))
            feb++;
        assert_true(fabs(rep.period_return[0] -
                         ((double)all->eq[feb] / (double)all->eq[jan] - 1.0)) < 1e-12);
    }
    rd_perf_report_release(&rep);

    /* the comparison: daily returns only */
    assert_int_equal(rd_perf_compare_build(f->s, f->cfg, names, 2, &cmp, &err), RD_OK);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(cmp.rows[i].nreturns, nr);
        assert_int_equal(cmp.rows[i].first_day, all->day[first]);
    }
    assert_int_equal(cmp.ncommon, nr);
    assert_int_equal(cmp.common_from, all->day[first + 1]);
    rd_perf_compare_release(&cmp);
    free(all);
}

/* ---------------------------------------------------------------- compare */

static void test_compare(void **state)
{
    struct fx *f = *state;
    const char *names[] = {"c", "b", "a"};
    struct rd_perf_compare cmp;
    struct rd_error err = {0};
    struct rd_buf b;
    int32_t day = D(2024, 1, 2);
    double ea = 10000, eb = 10000, ec = 10000, ra[40], rb[40];
    size_t nab = 0;

    /* a: steady; b: noisy, flat; c: falling, one day missing */
    for (int i = 0; i < 41; i++, day = rd_nyse_next_trading_day(day)) {
        put(f->s, "a", day, (int64_t)ea);
        put(f->s, "b", day, (int64_t)eb);
        if (i != 10)
            put(f->s, "c", day, (int64_t)ec);
        ea *= i % 3 ? 1.002 : 1.0;
        eb *= i % 2 ? 1.02 : 0.981;
        ec *= 0.997;
    }
    assert_int_equal(rd_perf_compare_build(f->s, f->cfg, names, 3, &cmp, &err), RD_OK);
    assert_int_equal(cmp.n, 3);
    assert_string_equal(cmp.rows[0].account, "a");
    assert_string_equal(cmp.rows[1].account, "b");
    assert_string_equal(cmp.rows[2].account, "c");
    assert_true(cmp.rows[0].metrics.sharpe > cmp.rows[1].metrics.sharpe);
    assert_int_equal(cmp.rows[0].nreturns, 40);
    assert_int_equal(cmp.rows[2].nreturns, 39);
    /* c lacks day 10 and so its return on day 11 spans two days: common dates
     * are those where each has a return: all but day 10 */
    assert_int_equal(cmp.ncommon, 39);
    assert_true(cmp.corr[0] == 1.0 || fabs(cmp.corr[0] - 1.0) < 1e-15);
    assert_true(cmp.corr[1] == cmp.corr[3]);
    {
        struct rows qa = list(f->s, "a"), qb = list(f->s, "b");

        for (size_t i = 1; i < qa.n; i++)
            if (qa.r[i].day != D(2024, 1, 2) && i != 10) {
                ra[nab] = (double)qa.r[i].equity / (double)qa.r[i - 1].equity - 1;
                rb[nab] = (double)qb.r[i].equity / (double)qb.r[i - 1].equity - 1;
                nab++;
            }
        assert_int_equal(nab, 39);
        assert_true(fabs(cmp.corr[1] - rd_stats_correlation(ra, rb, nab)) < 1e-15);
        {
            struct rd_welch w;

            rd_stats_welch(ra, nab, rb, nab, &w);
            assert_true(fabs(cmp.welch[1].p - w.p) < 1e-15);
        }
    }
    rd_buf_init(&b, 1 << 20);
    assert_int_equal(rd_perf_compare_json(&cmp, &b), RD_OK);
    assert_non_null(strstr(rd_buf_str(&b), "{\"rank\":1,\"account\":\"a\""));
    assert_non_null(strstr(rd_buf_str(&b), "\"common\":{\"days\":39"));
    assert_non_null(strstr(rd_buf_str(&b), "\"tests\":[{\"a\":\"a\",\"b\":\"b\""));
    assert_non_null(strstr(rd_buf_str(&b), "\"significant\":"));
    rd_buf_release(&b);
    rd_perf_compare_release(&cmp);

    names[1] = "c";
    assert_int_equal(rd_perf_compare_build(f->s, f->cfg, names, 2, &cmp, &err), RD_EINVAL);
    names[1] = "nobody";
    assert_int_equal(rd_perf_compare_build(f->s, f->cfg, names, 2, &cmp, &err), RD_ENOTFOUND);
    assert_non_null(strstr(err.msg, "nobody"));
    assert_int_equal(rd_perf_compare_build(f->s, f->cfg, names, 1, &cmp, &err), RD_EINVAL);
}

/* ---------------------------------------------------------------- /metrics */

static void test_prometheus(void **state)
{
    struct fx *f = *state;
    struct rd_broker_account ba = {.equity = RD_DOLLARS(10000)};
    struct rd_error err = {0};
    struct rd_buf b;

    assert_int_equal(rd_perf_snapshot_record(f->s, f->cfg, "a", &ba, AT(D(2024, 5, 6), 17, 0), 1,
                                             NULL, &err), RD_OK);
    ba.equity = RD_DOLLARS(7000);
    assert_int_equal(rd_perf_snapshot_record(f->s, f->cfg, "a", &ba, AT(D(2024, 5, 7), 17, 0), 1,
                                             NULL, &err), RD_OK);
    rd_buf_init(&b, 1 << 20);
    assert_int_equal(rd_perf_prometheus(f->s, f->cfg, &b, &err), RD_OK);
    assert_non_null(strstr(rd_buf_str(&b), "# TYPE riskdesk_perf_alerts_total counter\n"));
    assert_non_null(strstr(rd_buf_str(&b),
                           "riskdesk_perf_alerts_total{account=\"a\",kind=\"daily_loss\"} 1\n"));
    assert_non_null(strstr(rd_buf_str(&b),
                           "riskdesk_perf_alerts_total{account=\"a\",kind=\"drawdown\"} 1\n"));
    assert_non_null(strstr(rd_buf_str(&b),
                           "riskdesk_perf_alerts_total{account=\"b\",kind=\"daily_loss\"} 0\n"));
    assert_non_null(strstr(rd_buf_str(&b),
                           "riskdesk_perf_alert_firing{account=\"a\",kind=\"weekly_loss\"} 1\n"));
    assert_non_null(strstr(rd_buf_str(&b), "riskdesk_perf_equity_dollars{account=\"a\"} 7000.00\n"));
    assert_non_null(strstr(rd_buf_str(&b), "riskdesk_perf_drawdown_ratio{account=\"a\"} -0.300000\n"));
    assert_null(strstr(rd_buf_str(&b), "riskdesk_perf_equity_dollars{account=\"b\"}"));
    rd_buf_release(&b);
}

/* ---------------------------------------------------------------- config */

static void test_config(void **state)
{
    struct fx *f = *state;
    struct rd_config *cfg = NULL;
    struct rd_error err = {0};
    const char *t;

    (void)state;
    assert_int_equal(f->cfg->perf.risk_free_annual_ppm, 25200);
    assert_int_equal(f->cfg->perf.alert_ppm[RD_PERF_ALERT_MONTHLY_LOSS], 150000);
    t = "{\"accounts\": [{\"name\": \"a\"}]}";
    assert_int_equal(rd_config_load_text(t, strlen(t), "rd.json", &cfg, &err), RD_OK);
    assert_int_equal(cfg->perf.risk_free_annual_ppm, 20000);
    assert_int_equal(cfg->perf.alert_ppm[RD_PERF_ALERT_DAILY_LOSS], 50000);
    assert_int_equal(cfg->perf.alert_ppm[RD_PERF_ALERT_DRAWDOWN], 200000);
    assert_int_equal(cfg->perf.min_tracking_days, 30);
    rd_config_free(cfg);
    t = "{\"accounts\": [{\"name\": \"a\"}], \"performance\": {\"alerts\": {\"drawdown\": 0}}}";
    assert_int_equal(rd_config_load_text(t, strlen(t), "rd.json", &cfg, &err), RD_OK);
    assert_int_equal(cfg->perf.alert_ppm[RD_PERF_ALERT_DRAWDOWN], 0);
    assert_int_equal(cfg->perf.alert_ppm[RD_PERF_ALERT_WEEKLY_LOSS], 100000);
    rd_config_free(cfg);
    t = "{\"accounts\": [{\"name\": \"a\"}], \"performance\": {\"alerts\": {\"dayly_loss\": 1}}}";
    assert_int_equal(rd_config_load_text(t, strlen(t), "rd.json", &cfg, &err), RD_ECONFIG);
    assert_non_null(strstr(err.msg, "performance.alerts"));
    assert_non_null(strstr(err.msg, "daily_loss"));
    t = "{\"accounts\": [{\"name\": \"a\"}], \"performance\": {\"alerts\": {\"drawdown\": 1.5}}}";
    assert_int_equal(rd_config_load_text(t, strlen(t), "rd.json", &cfg, &err), RD_ECONFIG);
    assert_non_null(strstr(err.msg, "drawdown: 1.5; expected"));
    t = "{\"accounts\": [{\"name\": \"a\"}], \"performance\": {\"risk_free_annual\": \"x\"}}";
    assert_int_equal(rd_config_load_text(t, strlen(t), "rd.json", &cfg, &err), RD_ECONFIG);
    assert_non_null(strstr(err.msg, "risk_free_annual"));
    t = "{\"accounts\": [{\"name\": \"a\"}], \"performance\": {\"risk_free_anual\": 0}}";
    assert_int_equal(rd_config_load_text(t, strlen(t), "rd.json", &cfg, &err), RD_ECONFIG);
    assert_non_null(strstr(err.msg, "risk_free_annual"));
    /* the tracking period before annualised figures are shown: 30 days unless set */
    t = "{\"accounts\": [{\"name\": \"a\"}], \"performance\": {\"min_tracking_days\": 10}}";
    assert_int_equal(rd_config_load_text(t, strlen(t), "rd.json", &cfg, &err), RD_OK);
    assert_int_equal(cfg->perf.min_tracking_days, 10);
    rd_config_free(cfg);
    t = "{\"accounts\": [{\"name\": \"a\"}], \"performance\": {\"min_tracking_days\": -1}}";
    assert_int_equal(rd_config_load_text(t, strlen(t), "rd.json", &cfg, &err), RD_ECONFIG);
    assert_non_null(strstr(err.msg, "min_tracking_days"));
    t = "{\"accounts\": [{\"name\": \"a\"}], \"performance\": {\"min_tracking_days\": \"30\"}}";
    assert_int_equal(rd_config_load_text(t, strlen(t), "rd.json", &cfg, &err), RD_ECONFIG);
}

/* ---------------------------------------------------------------- faults */

static void test_allocation_failures(void **state)
{
    struct fx *f = *state;
    const char *names[] = {"a", "b"};
    struct rd_broker_account ba = {.equity = RD_DOLLARS(10000)};
    int32_t day = D(2024, 1, 2);
    int ok = 0;

    for (int i = 0; i < 30; i++, day = rd_nyse_next_trading_day(day)) {
        put(f->s, "a", day, 10000 + i * 7 % 13);
        put(f->s, "b", day, 10000 - i * 5 % 11);
    }
    for (long n = 0; n < 60 && ok < 3; n++) {
        struct rd_perf_report rep;
        struct rd_perf_compare cmp;
        struct rd_error err = {0};
        int r1, r2, r3;

        rd_alloc_fail_after(n);
        r1 = rd_perf_report_build(f->s, f->cfg, "a", RD_AGG_WEEKLY, INT32_MIN, INT32_MAX, &rep,
                                  &err);
        rd_perf_report_release(&rep);
        r2 = rd_perf_compare_build(f->s, f->cfg, names, 2, &cmp, &err);
        rd_perf_compare_release(&cmp);
        r3 = rd_perf_snapshot_record(f->s, f->cfg, "a", &ba, AT(day, 17, 0), 1, NULL, &err);
        rd_alloc_fail_after(-1);
        assert_true(r1 == RD_OK || r1 == RD_ENOMEM);
        assert_true(r2 == RD_OK || r2 == RD_ENOMEM);
        assert_true(r3 == RD_OK || r3 == RD_ENOMEM);
        ok = r1 == RD_OK && r2 == RD_OK && r3 == RD_OK ? ok + 1 : 0;
    }
    assert_true(ok >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trade_list, setup, teardown),
        cmocka_unit_test(test_snapshot_day),
        cmocka_unit_test_setup_teardown(test_record_once_a_day, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alerts_recorded_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retention, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_periods, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_rolled_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compare, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prometheus, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_allocation_failures, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
