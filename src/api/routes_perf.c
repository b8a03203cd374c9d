/*
 * routes_perf.c - account performance over HTTP (docs/metrics.md, "HTTP API"):
 * an account's report, a dashboard summary of every account the caller may
 * see, the daily snapshots, and a comparison of accounts. The numbers come
 * from src/app/perf_report.c, the same as `riskdesk perf report/compare`.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "riskdesk/alloc.h"
#include "riskdesk/calendar.h"
#include "riskdesk/perf_report.h"
#include "riskdesk/banned.h"

#define SNAPSHOT_LIMIT_MAX 100000
#define COMPARE_MAX 64
#define DASHBOARD_EVENTS 20

/* GET /api/v1/accounts/{id}/performance?period=&from=&to= */
static int account_performance(struct api_req *r)
{
    static const char *const q[] = {"period", "from", "to", NULL};
    struct api_cfg *c = api_cfgref(r);
    const char *id = api_param(r, "id"), *period = api_query(r, "period");
    struct rd_perf_report rep;
    struct rd_error err = {0};
    enum rd_agg agg = RD_AGG_DAILY;
    int32_t from = INT32_MIN, to = INT32_MAX;
    struct rd_store *s;
    int st, rc;

    if (!id || api_cfg_index(c, id) < 0)
        return api_error(r, 404, "not_found", "no account named \"%.64s\"", id ? id : "");
    if ((st = api_query_check(r, q)) || (st = api_query_day(r, "from", &from)) ||
        (st = api_query_day(r, "to", &to)))
        return st;
    if (period && rd_perf_agg_parse(period, &agg) != 0)
        return api_error(r, 400, "invalid", "period: \"%.20s\"; expected daily, weekly, monthly, "
                         "quarterly, yearly or itd", period);
    if (!(s = api_store(r)))
        return r->status;
    rc = rd_perf_report_build(s, c->cfg, id, agg, from, to, &rep, &err);
    if (rc == RD_OK)
        rc = rd_perf_report_json(&rep, &r->out);
    rd_perf_report_release(&rep);
    if (rc != RD_OK)
        return api_fail(r, rc, &err);
    rd_buf_puts(&r->out, "\n");
    return 200;
}

/* ---- dashboard ---- */

static void json_double(struct rd_buf *o, double v)
{
    rd_perf_json_double(o, v);
}

struct events_out {
    struct api_req *r;
    int n;
};

static int event_visit(void *ctx, const struct rd_perf_event_row *e)
{
    struct events_out *w = ctx;
    struct rd_buf *o = &w->r->out;
    char day[16];

    if (!api_may_see_account(w->r, e->account))
        return 0;
    rd_date_format(e->day, day, sizeof day);
    rd_buf_puts(o, w->n++ ? ",{\"id\":" : "{\"id\":");
    rd_buf_printf(o, "%" PRId64 ",\"account\":", e->id);
    api_json_str(o, e->account);
    rd_buf_puts(o, ",\"kind\":");
    api_json_str(o, e->kind);
    rd_buf_printf(o, ",\"date\":\"%s\",\"loss\":%.6f,\"threshold\":%.6f,\"at\":", day,
                  (double)e->value_ppm / 1e6, (double)e->threshold_ppm / 1e6);
    api_json_time(o, e->at);
    rd_buf_puts(o, ",\"message\":");
    api_json_str(o, e->message);
    rd_buf_puts(o, "}");
    return 0;
}

/* GET /api/v1/performance/dashboard: every account the caller may see. */
static int dashboard(struct api_req *r)
{
    static const char *const q[] = {NULL};
    struct api_cfg *c = api_cfgref(r);
    struct rd_error err = {0};
    struct events_out ev = {r, 0};
    struct rd_store *s;
    int st, n = 0, rc = RD_OK;

    if ((st = api_query_check(r, q)))
        return st;
    if (!(s = api_store(r)))
        return r->status;
    rd_buf_puts(&r->out, "{\"accounts\":[");
    for (int i = 0; i < c->cfg->naccounts && rc == RD_OK; i++) {
        const char *name = c->cfg->accounts[i].name;
        struct rd_perf_report rep;
        struct rd_buf *o = &r->out;

        if (!api_may_see_account(r, name))
            continue;
        rc = rd_perf_report_build(s, c->cfg, name, RD_AGG_DAILY, INT32_MIN, INT32_MAX, &rep,
                                  &err);
        rd_buf_puts(o, n++ ? ",{\"account\":" : "{\"account\":");
        api_json_str(o, name);
        if (rc == RD_ENOTFOUND) {
            rc = RD_OK;
            rd_buf_puts(o, ",\"snapshots\":0}");
        } else if (rc == RD_OK) {
            char day[16];

            rd_date_format(rep.last_day, day, sizeof day);
            rd_buf_printf(o, ",\"snapshots\":%zu,\"date\":\"%s\",\"tracking_days\":%d,"
                          "\"min_tracking_days\":%d,\"annualised\":%s,\"equity\":", rep.nsnapshots,
                          day, (int)rep.tracking_days, (int)rep.min_tracking_days,
                          rep.annualised ? "true" : "false");
            api_json_money(o, rep.last_equity);
            rd_buf_puts(o, ",\"drawdown\":");
            json_double(o, rep.drawdown);
            rd_buf_puts(o, ",\"cum_return\":");
            json_double(o, rep.metrics.cum_return);
            rd_buf_puts(o, ",\"annual_return\":");
            json_double(o, rep.metrics.annual_return);
            rd_buf_puts(o, ",\"sharpe\":");
            json_double(o, rep.metrics.sharpe);
            rd_buf_puts(o, ",\"max_drawdown\":");
            json_double(o, rep.metrics.max_drawdown);
            rd_buf_printf(o, ",\"trades\":%zu,\"win_rate\":", rep.trades.trades);
            json_double(o, rep.trades.win_rate);
            rd_buf_puts(o, ",\"alerts\":{");
            for (int k = 0; k < RD_PERF_ALERT_COUNT; k++)
                rd_buf_printf(o, "%s\"%s\":%" PRId64, k ? "," : "",
                              rd_perf_alert_name((enum rd_perf_alert_kind)k), rep.alerts[k]);
            rd_buf_puts(o, "}}");
        }
        rd_perf_report_release(&rep);
    }
    rd_buf_puts(&r->out, "],\"recent_alerts\":[");
    if (rc == RD_OK)
        rc = s->ops->perf->perf_event_list ? s->ops->perf->perf_event_list(s, NULL, DASHBOARD_EVENTS,
                                                               event_visit, &ev, &err)
                                     : RD_OK;
    if (rc != RD_OK) {
        rd_buf_reset(&r->out);
        return api_fail(r, rc, &err);
    }
    rd_buf_puts(&r->out, "]}\n");
    return 200;
}

/* ---- snapshots ---- */

struct snap_out {
    struct api_req *r;
    size_t n, limit;
};

static int snapshot_visit(void *ctx, const struct rd_snapshot_row *row)
{
    struct snap_out *w = ctx;
    struct rd_buf *o = &w->r->out;
    char day[16];

    if (!api_may_see_account(w->r, row->account))
        return 0;
    if (w->n == w->limit)
        return 1;
    rd_date_format(row->day, day, sizeof day);
    rd_buf_puts(o, w->n++ ? ",{\"account\":" : "{\"account\":");
    api_json_str(o, row->account);
    rd_buf_printf(o, ",\"date\":\"%s\",\"equity\":", day);
    api_json_money(o, row->equity);
    rd_buf_puts(o, ",\"cash\":");
    api_json_money(o, row->cash);
    rd_buf_puts(o, ",\"buying_power\":");
    api_json_money(o, row->buying_power);
    rd_buf_puts(o, ",\"taken_at\":");
    api_json_time(o, row->taken_at);
    rd_buf_puts(o, "}");
    return 0;
}

/* GET /api/v1/performance/snapshots?account=&from=&to=&limit= */
static int snapshots(struct api_req *r)
{
    static const char *const q[] = {"account", "from", "to", "limit", NULL};
    const char *account = api_query(r, "account"), *lim = api_query(r, "limit");
    struct snap_out w = {r, 0, SNAPSHOT_LIMIT_MAX};
    struct rd_error err = {0};
    int32_t from = INT32_MIN, to = INT32_MAX;
    struct rd_store *s;
    int st, rc;

    if ((st = api_query_check(r, q)) || (st = api_query_day(r, "from", &from)) ||
        (st = api_query_day(r, "to", &to)))
        return st;
    if (lim) {
        char *end;
        long n = strtol(lim, &end, 10);

        if (!*lim || *end || n < 1 || n > SNAPSHOT_LIMIT_MAX)
            return api_error(r, 400, "invalid", "limit: \"%.20s\"; expected 1 to %d", lim,
                             SNAPSHOT_LIMIT_MAX);
        w.limit = (size_t)n;
    }
    if (account && !api_may_see_account(r, account))
        return api_error(r, 404, "not_found", "no account named \"%.64s\"", account);
    if (!(s = api_store(r)))
        return r->status;
    if (!s->ops->perf->snapshot_list)
        return api_error(r, 501, "not_supported", "this store does not keep snapshots yet");
    rd_buf_puts(&r->out, "{\"snapshots\":[");
    rc = s->ops->perf->snapshot_list(s, account, from, to, snapshot_visit, &w, &err);
    if (rc != RD_OK && rc != 1) {
        rd_buf_reset(&r->out);
        return api_fail(r, rc, &err);
    }
    rd_buf_printf(&r->out, "],\"truncated\":%s}\n", rc == 1 ? "true" : "false");
    return 200;
}

/* ---- compare ---- */

/* POST /api/v1/performance/compare {"accounts": ["a", "b", ...]} */
static int compare(struct api_req *r)
{
    static const char *const keys[] = {"accounts", NULL};
    const char *names[COMPARE_MAX];
    struct rd_perf_compare cmp;
    struct rd_error err = {0};
    struct api_cfg *c = api_cfgref(r);
    struct rd_store *s;
    json_t *body = NULL, *list;
    size_t n;
    int st, rc;

    memset(&cmp, 0, sizeof cmp);
    if ((st = api_body_json(r, &body)))
        return st;
    if (!json_is_object(body)) {
        st = api_error(r, 400, "invalid", "expected an object {\"accounts\": [\"A\", \"B\"]}");
        goto out;
    }
    if ((st = api_json_check_keys(r, body, keys, "body")))
        goto out;
    list = json_object_get(body, "accounts");
    n = json_is_array(list) ? json_array_size(list) : 0;
    if (n < 2 || n > COMPARE_MAX) {
        st = api_error(r, 400, "invalid", "accounts: expected a list of 2 to %d account names",
                       COMPARE_MAX);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = json_string_value(json_array_get(list, i));

        if (!name || !api_valid_name(name)) {
            st = api_error(r, 400, "invalid", "accounts[%zu]: expected an account name", i);
            goto out;
        }
        if (api_cfg_index(c, name) < 0 || !api_may_see_account(r, name)) {
            st = api_error(r, 404, "not_found", "no account named \"%.64s\"", name);
            goto out;
        }
        names[i] = name;
    }
    if (!(s = api_store(r))) {
        st = r->status;
        goto out;
    }
    rc = rd_perf_compare_build(s, c->cfg, names, n, &cmp, &err);
    if (rc == RD_OK)
        rc = rd_perf_compare_json(&cmp, &r->out);
    if (rc != RD_OK) {
        rd_buf_reset(&r->out);
        st = api_fail(r, rc, &err);
        goto out;
    }
    rd_buf_puts(&r->out, "\n");
    st = 200;
out:
    rd_perf_compare_release(&cmp);
    json_decref(body);
    return st;
}

static const struct api_route routes[] = {
    {"GET", "/api/v1/accounts/{id}/performance", RD_ROLE_VIEWER, account_performance,
     API_ACCOUNT_SCOPED},
    {"GET", "/api/v1/performance/dashboard", RD_ROLE_VIEWER, dashboard, 0},
    {"GET", "/api/v1/performance/snapshots", RD_ROLE_VIEWER, snapshots, 0},
    {"POST", "/api/v1/performance/compare", RD_ROLE_VIEWER, compare, 0},
};

const struct api_route_table api_routes_perf = {routes, sizeof routes / sizeof routes[0]};
