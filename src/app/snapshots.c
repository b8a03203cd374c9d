/*
 * snapshots.c - daily equity snapshots: which trading day a snapshot belongs
 * to, recording one (from `riskdesk perf snapshot` or after a dispatcher
 * cycle), the alerts it sets off (audit trail + one perf.alert log line the
 * first time for their period) and the retention that rolls snapshots older
 * than two years up to one a month. docs/metrics.md, section Snapshots.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "riskdesk/calendar.h"
#include "riskdesk/log.h"
#include "riskdesk/perf_hierarchy.h"
#include "riskdesk/perf_report.h"
#include "app/perf_int.h"
#include "riskdesk/banned.h"

/* ---- shared with perf_report.c ---- */

int rd_perf_store_check(struct rd_store *s, struct rd_error *err)
{
    const struct rd_store_perf_ops *o = s->ops->perf;

    if (!o || !o->snapshot_put || !o->snapshot_get || !o->snapshot_list || !o->snapshot_delete ||
        !o->perf_event_add || !o->perf_event_list || !o->trade_list)
        return rd_error_set(err, RD_EUNSUPPORTED,
                            "the %s store does not keep performance snapshots yet", s->ops->name);
    return RD_OK;
}

static int series_visit(void *ctx, const struct rd_snapshot_row *r)
{
    struct perf_series *ps = ctx;

    if (ps->n == ps->cap) {
        size_t ncap = ps->cap ? ps->cap * 2 : 64;
        int32_t *d = rd_realloc(ps->days, ncap * sizeof *d);
        rd_money *e;

        if (!d)
            return RD_ENOMEM;
        ps->days = d;
        e = rd_realloc(ps->equity, ncap * sizeof *e);
        if (!e)
            return RD_ENOMEM;
        ps->equity = e;
        ps->cap = ncap;
    }
    ps->days[ps->n] = r->day;
    ps->equity[ps->n] = r->equity;
    ps->n++;
    return 0;
}

int rd_perf_series_load(struct rd_store *s, const char *account, int32_t from, int32_t to,
                        struct perf_series *ps, struct rd_error *err)
{
    int rc = rd_perf_store_check(s, err);

    if (rc)
        return rc;
    rc = s->ops->perf->snapshot_list(s, account, from, to, series_visit, ps, err);
    if (rc == RD_ENOMEM)
        return rd_error_set(err, RD_ENOMEM, "out of memory loading the snapshots of \"%.64s\"",
                            account);
    return rc;
}

int rd_perf_series_flows(struct rd_store *s, const char *account, struct perf_series *ps,
                         struct rd_error *err)
{
    rd_free(ps->flow);
    ps->flow = rd_calloc(ps->n ? ps->n : 1, sizeof *ps->flow);
    if (!ps->flow)
        return rd_error_set(err, RD_ENOMEM, "out of memory loading the flows of \"%.64s\"",
                            account);
    return rd_node_flows(s, account, ps->days, ps->n, ps->flow, err);
}

void rd_perf_series_release(struct perf_series *ps)
{
    rd_free(ps->days);
    rd_free(ps->equity);
    rd_free(ps->flow);
    memset(ps, 0, sizeof *ps);
}

/* ---- which day ---- */

int32_t rd_perf_snapshot_day(int64_t now)
{
    struct rd_local_time lt;
    struct rd_session ss;

    rd_et_from_utc(now, &lt);
    rd_nyse_session(lt.day, &ss);
    if (ss.open && lt.minute >= ss.open_minute)
        return lt.day;
    return rd_nyse_prev_trading_day(lt.day);
}

static int64_t close_of(int32_t day)
{
    struct rd_session ss;

    rd_nyse_session(day, &ss);
    return rd_et_to_utc(day, ss.open ? ss.close_minute : 16 * 60);
}

/* ---- retention ---- */

int rd_perf_retention(struct rd_store *s, const char *account, int32_t today, size_t *removed,
                      struct rd_error *err)
{
    struct perf_series ps = {0};
    unsigned char *drop = NULL;
    int32_t cutoff = rd_perf_retention_cutoff(today);
    size_t ndrop = 0;
    int rc, tx = 0;

    if (removed)
        *removed = 0;
    /* the month holding the cutoff decides with its rows after it too */
    rc = rd_perf_series_load(s, account, INT32_MIN, cutoff + 31, &ps, err);
    if (rc || ps.n == 0)
        goto out;
    drop = rd_malloc(ps.n);
    if (!drop) {
        rc = rd_error_set(err, RD_ENOMEM, "out of memory rolling up snapshots");
        goto out;
    }
    ndrop = rd_perf_rollup_select(ps.days, ps.n, cutoff, drop);
    if (ndrop == 0)
        goto out;
    if ((rc = s->ops->begin(s, err)) != RD_OK)
        goto out;
    tx = 1;
    for (size_t i = 0; i < ps.n && rc == RD_OK; i++)
        if (drop[i])
            rc = s->ops->perf->snapshot_delete(s, account, ps.days[i], err);
    if (rc == RD_OK) {
        tx = 0;
        rc = s->ops->commit(s, err);
    }
    if (rc == RD_OK && removed)
        *removed = ndrop;
out:
    if (tx)
        s->ops->rollback(s);
    rd_free(drop);
    rd_perf_series_release(&ps);
    return rc;
}

/* ---- alerts ---- */

static const char *const alert_words[RD_PERF_ALERT_COUNT] = {"daily loss", "weekly loss",
                                                             "monthly loss", "drawdown"};

static int record_alert(struct rd_store *s, const char *account, const struct rd_perf_alert *a,
                        int64_t now, int *is_new, struct rd_error *err)
{
    struct rd_perf_event_row e;
    char loss[32], thr[32], eq[40], base[40], day[16], bday[16];
    struct rd_logline l;
    int rc;

    *is_new = 0;
    memset(&e, 0, sizeof e);
    snprintf(e.account, sizeof e.account, "%s", account);
    snprintf(e.kind, sizeof e.kind, "%s", rd_perf_alert_name(a->kind));
    e.day = a->day;
    e.period = a->period;
    e.value_ppm = a->loss_ppm;
    e.threshold_ppm = a->threshold_ppm;
    e.at = now;
    rd_ppm_format(a->loss_ppm, loss, sizeof loss);
    rd_ppm_format(a->threshold_ppm, thr, sizeof thr);
    rd_money_format(a->equity, eq, sizeof eq);
    rd_money_format(a->base, base, sizeof base);
    rd_date_format(a->day, day, sizeof day);
    rd_date_format(a->base_day, bday, sizeof bday);
    snprintf(e.message, sizeof e.message,
             "%s %s reaches %s (threshold %s): equity %s on %s vs %s on %s", account,
             alert_words[a->kind], loss, thr, eq, day, base, bday);
    rc = s->ops->perf->perf_event_add(s, &e, err);
    if (rc == RD_EEXIST)
        return RD_OK;     /* already said for this period */
    if (rc != RD_OK)
        return rc;
    *is_new = 1;
    rd_log_begin(&l, RD_LOG_WARN, "perf.alert");
    rd_log_str(&l, "account", account);
    rd_log_str(&l, "kind", e.kind);
    rd_log_str(&l, "day", day);
    rd_log_str(&l, "loss", loss);
    rd_log_str(&l, "threshold", thr);
    rd_log_money(&l, "equity", a->equity);
    rd_log_money(&l, "base", a->base);
    rd_log_str(&l, "base_day", bday);
    rd_log_int(&l, "event_id", e.id);
    rd_log_end(&l);
    return RD_OK;
}

/* ---- recording ---- */

int rd_perf_snapshot_record(struct rd_store *s, const struct rd_config *cfg, const char *account,
                            const struct rd_broker_account *ba, int64_t now, int force,
                            struct rd_perf_recorded *out, struct rd_error *err)
{
    struct rd_perf_recorded local, *rec = out ? out : &local;
    struct perf_series ps = {0};
    struct rd_snapshot_row old;
    int rc = rd_perf_store_check(s, err);

    memset(rec, 0, sizeof *rec);
    if (rc)
        return rc;
    snprintf(rec->row.account, sizeof rec->row.account, "%s", account);
    rec->row.day = rd_perf_snapshot_day(now);
    rec->row.equity = ba->equity;
    rec->row.cash = ba->cash;
    rec->row.buying_power = ba->buying_power;
    rec->row.taken_at = now;
    if (!force) {
        rc = s->ops->perf->snapshot_get(s, account, rec->row.day, &old, err);
        if (rc == RD_OK && !(old.taken_at < close_of(old.day) && now >= close_of(old.day)))
            return RD_OK;       /* the day has its snapshot (after the close when possible) */
        if (rc != RD_OK && rc != RD_ENOTFOUND)
            return rc;
    }
    rc = s->ops->perf->snapshot_put(s, &rec->row, err);
    if (rc)
        return rc;
    rec->written = 1;
    {
        struct rd_logline l;
        char day[16];

        rd_date_format(rec->row.day, day, sizeof day);
        rd_log_begin(&l, RD_LOG_INFO, "perf.snapshot");
        rd_log_str(&l, "account", account);
        rd_log_str(&l, "day", day);
        rd_log_money(&l, "equity", rec->row.equity);
        rd_log_end(&l);
    }
    /* alerts on the history up to this day */
    rc = rd_perf_series_load(s, account, INT32_MIN, rec->row.day, &ps, err);
    if (rc == RD_OK)
        rc = rd_perf_series_flows(s, account, &ps, err);
    if (rc == RD_OK)
        rec->nalerts = rd_perf_alerts_eval(ps.days, ps.equity, ps.flow, ps.n, &cfg->perf,
                                           rec->alerts);
    for (size_t i = 0; i < rec->nalerts && rc == RD_OK; i++) {
        int is_new;

        rc = record_alert(s, account, &rec->alerts[i], now, &is_new, err);
        rec->nnew += (size_t)is_new;
    }
    rd_perf_series_release(&ps);
    if (rc == RD_OK)
        rc = rd_perf_retention(s, account, rec->row.day, &rec->rolled_up, err);
    return rc;
}

void rd_perf_snapshot_cycle(struct rd_store *s, const struct rd_config *cfg, const char *account,
                            const struct rd_broker_account *ba, int64_t now)
{
    struct rd_error err = {0};
    struct rd_logline l;

    if (!ba)
        return;
    switch (rd_perf_snapshot_record(s, cfg, account, ba, now, 0, NULL, &err)) {
    case RD_OK:
        return;
    case RD_EUNSUPPORTED:       /* a backend without the operations yet: not the cycle's fault */
        rd_log_begin(&l, RD_LOG_DEBUG, "perf.snapshot_skipped");
        break;
    default:
        rd_log_begin(&l, RD_LOG_ERROR, "perf.snapshot_failed");
        break;
    }
    rd_log_str(&l, "account", account);
    rd_log_str(&l, "error", err.msg);
    rd_log_end(&l);
}
