/*
 * metrics.c - /metrics in the Prometheus text format (version 0.0.4).
 *
 * HTTP: requests by route pattern, method and status, and a latency histogram
 * per route, counted with relaxed atomics as requests complete.
 * Accounts (read at scrape time, labelled account and tier): buying power,
 * equity, exposure, open positions, trading state and the kill switch,
 * decisions by outcome and first failing gate, orders by status, whether the
 * broker answers, whether the health monitor holds the account healthy and
 * whether a dispatcher runs here. No secret is ever a
 * label or a value: names, tiers, states and counts only.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api_int.h"
#include "riskdesk/alloc.h"
#include "riskdesk/log.h"
#include "riskdesk/gates.h"
#include "riskdesk/money.h"
#include "riskdesk/perf_report.h"
#include "riskdesk/version.h"
#include "riskdesk/banned.h"

static const int codes[] = {200, 201, 204, 400, 401, 403, 404, 405, 409,
                            413, 415, 422, 500, 501, 502, 503, 0};
#define NCODES (sizeof codes / sizeof codes[0])   /* the last one: any other */

/* Upper bounds in seconds, as text and in nanoseconds. */
static const char *const bucket_le[] = {"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025",
                                        "0.05",   "0.1",   "0.25",   "0.5",   "1",    "2.5"};
static const int64_t bucket_ns[] = {500000,    1000000,   2500000,   5000000,
                                    10000000,  25000000,  50000000,  100000000,
                                    250000000, 500000000, 1000000000, 2500000000};
#define NBUCKETS (sizeof bucket_ns / sizeof bucket_ns[0])

struct route_stats {
    atomic_ullong by_code[NCODES];
    atomic_ullong bucket[NBUCKETS + 1];   /* the last: +Inf only */
    atomic_ullong sum_ns;
    atomic_ullong count;
};

struct api_metrics {
    size_t nroutes;                       /* the table's routes + 1 for "no route" */
    struct route_stats *r;
};

int api_metrics_new(struct api_metrics **out)
{
    struct api_metrics *m = rd_calloc(1, sizeof *m);

    *out = NULL;
    if (!m)
        return RD_ENOMEM;
    m->nroutes = api_route_total() + 1;
    m->r = rd_calloc(m->nroutes, sizeof *m->r);
    if (!m->r) {
        rd_free(m);
        return RD_ENOMEM;
    }
    *out = m;
    return RD_OK;
}

void api_metrics_free(struct api_metrics *m)
{
    if (!m)
        return;
    rd_free(m->r);
    rd_free(m);
}

void api_metrics_observe(struct api_metrics *m, size_t route, int status, int64_t ns)
{
    struct route_stats *r = &m->r[route < m->nroutes - 1 ? route : m->nroutes - 1];
    size_t c = 0, b = 0;

    while (c < NCODES - 1 && codes[c] != status)
        c++;
    while (b < NBUCKETS && ns > bucket_ns[b])
        b++;
    atomic_fetch_add_explicit(&r->by_code[c], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&r->bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&r->sum_ns, (unsigned long long)(ns > 0 ? ns : 0),
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&r->count, 1, memory_order_relaxed);
}

static void route_labels(size_t i, size_t n, const char **method, const char **pattern)
{
    const struct api_route *rt = i < n - 1 ? api_route_at(i) : NULL;

    *method = rt ? rt->method : "any";
    *pattern = rt ? rt->pattern : "unmatched";
}

void api_metrics_http(struct api_metrics *m, struct rd_buf *out)
{
    const char *method, *pattern;

    rd_buf_puts(out, "# HELP riskdesk_http_requests_total HTTP requests answered, by route, "
                     "method and status code.\n"
                     "# TYPE riskdesk_http_requests_total counter\n");
    for (size_t i = 0; i < m->nroutes; i++) {
        route_labels(i, m->nroutes, &method, &pattern);
        for (size_t c = 0; c < NCODES; c++) {
            unsigned long long v = atomic_load_explicit(&m->r[i].by_code[c], memory_order_relaxed);
            char code[16];

            if (!v)
                continue;
            if (codes[c])
                snprintf(code, sizeof code, "%d", codes[c]);
            else
                snprintf(code, sizeof code, "other");
            rd_buf_printf(out, "riskdesk_http_requests_total{method=\"%s\",route=\"%s\",code=\"%s\"} %llu\n",
                          method, pattern, code, v);
        }
    }
    rd_buf_puts(out, "# HELP riskdesk_http_request_duration_seconds Time from a request's "
                     "first byte to its completion, by route.\n"
                     "# TYPE riskdesk_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i < m->nroutes; i++) {
        unsigned long long count = atomic_load_explicit(&m->r[i].count, memory_order_relaxed);
        unsigned long long cum = 0;

        if (!count)
            continue;
        route_labels(i, m->nroutes, &method, &pattern);
        for (size_t b = 0; b <= NBUCKETS; b++) {
            cum += atomic_load_explicit(&m->r[i].bucket[b], memory_order_relaxed);
            rd_buf_printf(out,
                          "riskdesk_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\","
                          "le=\"%s\"} %llu\n",
                          method, pattern, b < NBUCKETS ? bucket_le[b] : "+Inf",
                          b < NBUCKETS ? cum : count);
        }
        rd_buf_printf(out, "riskdesk_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n",
                      method, pattern,
                      (double)atomic_load_explicit(&m->r[i].sum_ns, memory_order_relaxed) / 1e9);
        rd_buf_printf(out, "riskdesk_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %llu\n",
                      method, pattern, count);
    }
}

/* ---- the accounts' part, read at scrape time ---- */

struct acct_sample {
    const char *name;
    char tier[16];
    struct rd_account_row row;
    int has_row;
    int npos;
    rd_money exposure;
    struct api_live live;
    int64_t decisions[2][RD_GATE_COUNT + 1];   /* [approved][first_failed] */
    int64_t orders[RD_ORDER_STATUS_COUNT];
    int dispatcher;                           /* running here */
    int healthy;                              /* the health monitor's verdict */
};

static int pos_visit(void *ctx, const struct rd_position_row *p)
{
    struct acct_sample *a = ctx;
    int64_t units = p->qty < 0 ? -p->qty : p->qty;

    a->npos++;
    a->exposure += rd_muldiv(p->avg_price, units * (p->multiplier ? p->multiplier : 1), 1);
    return 0;
}

static int dec_visit(void *ctx, int approved, enum rd_gate g, int64_t n)
{
    struct acct_sample *a = ctx;

    a->decisions[approved ? 1 : 0][(unsigned)g <= RD_GATE_COUNT ? g : RD_GATE_COUNT] += n;
    return 0;
}

static int ord_visit(void *ctx, enum rd_order_status s, int64_t n)
{
    struct acct_sample *a = ctx;

    if ((unsigned)s < RD_ORDER_STATUS_COUNT)
        a->orders[s] += n;
    return 0;
}

#define L "account=\"%s\",tier=\"%s\""

static void family(struct rd_buf *o, const char *name, const char *type, const char *help)
{
    rd_buf_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void money_line(struct rd_buf *o, const char *metric, const struct acct_sample *a,
                       rd_money v)
{
    char t[40];

    rd_money_format(v, t, sizeof t);
    rd_buf_printf(o, "%s{" L "} %s\n", metric, a->name, a->tier, t);
}

/* What the store says about each account (rows, positions, counts, the
 * live numbers); RD_OK or the first failure. */
static int sample_store(struct api_req *r, struct rd_store *s, struct acct_sample *as,
                        struct rd_error *err)
{
    struct api_cfg *c = api_cfgref(r);
    int rc = RD_OK;

    for (int i = 0; i < c->cfg->naccounts && rc == RD_OK; i++) {
        const struct rd_account_config *ac = &c->cfg->accounts[i];
        struct acct_sample *a = &as[i];

        rc = s->ops->trading->account_get(s, ac->name, &a->row, err);
        if (rc == RD_OK)
            a->has_row = 1;
        else if (rc == RD_ENOTFOUND)
            rc = RD_OK;
        snprintf(a->tier, sizeof a->tier, "%s",
                 a->has_row && a->row.tier[0] ? a->row.tier : rd_tier_name(ac->tier));
        if (rc == RD_OK)
            rc = s->ops->trading->position_list(s, ac->name, pos_visit, a, err);
        if (rc == RD_OK)
            rc = s->ops->api->decision_counts(s, ac->name, dec_visit, a, err);
        if (rc == RD_OK)
            rc = s->ops->api->order_counts(s, ac->name, ord_visit, a, err);
        if (rc == RD_OK)
            api_live_get(r->srv, s, c->cfg, ac, 15, &a->live);
    }
    return rc;
}

/* The families read from the store (sample_store). */
static void store_families(struct rd_buf *o, const struct acct_sample *as, int n)
{
    family(o, "riskdesk_account_buying_power_dollars", "gauge",
           "Buying power as the broker last reported it.");
    for (int i = 0; i < n; i++)
        if (as[i].live.known)
            money_line(o, "riskdesk_account_buying_power_dollars", &as[i], as[i].live.buying_power);
    family(o, "riskdesk_account_equity_dollars", "gauge", "Equity as the broker last reported it.");
    for (int i = 0; i < n; i++)
        if (as[i].live.known)
            money_line(o, "riskdesk_account_equity_dollars", &as[i], as[i].live.equity);
    family(o, "riskdesk_account_exposure_dollars", "gauge",
           "Open notional at entry prices, from the positions riskdesk tracks.");
    for (int i = 0; i < n; i++)
        money_line(o, "riskdesk_account_exposure_dollars", &as[i], as[i].exposure);
    family(o, "riskdesk_account_open_positions", "gauge", "Open positions.");
    for (int i = 0; i < n; i++)
        rd_buf_printf(o, "riskdesk_account_open_positions{" L "} %d\n", as[i].name, as[i].tier,
                      as[i].npos);
    family(o, "riskdesk_account_state", "gauge",
           "1 for the account's trading state (ACTIVE, REDUCING, HALTED), 0 for the others.");
    for (int i = 0; i < n; i++)
        for (int st = 0; st < RD_STATE_COUNT; st++)
            rd_buf_printf(o, "riskdesk_account_state{" L ",state=\"%s\"} %d\n", as[i].name,
                          as[i].tier, rd_trading_state_name((enum rd_trading_state)st),
                          (as[i].has_row ? (int)as[i].row.state : RD_STATE_ACTIVE) == st);
    family(o, "riskdesk_account_kill_switch", "gauge",
           "1 while the daily-loss kill switch (or an admin) holds the account HALTED.");
    for (int i = 0; i < n; i++)
        rd_buf_printf(o, "riskdesk_account_kill_switch{" L "} %d\n", as[i].name, as[i].tier,
                      as[i].has_row && as[i].row.state == RD_STATE_HALTED);
    family(o, "riskdesk_broker_up", "gauge", "1 when the account's broker answered last time asked.");
    for (int i = 0; i < n; i++)
        rd_buf_printf(o, "riskdesk_broker_up{" L "} %d\n", as[i].name, as[i].tier, as[i].live.ok);
    family(o, "riskdesk_account_tier_crossed", "gauge",
           "1 when the account's buying power has crossed into another tier than the one its "
           "dispatcher runs with (the tier changes only at a restart).");
    for (int i = 0; i < n; i++)
        rd_buf_printf(o, "riskdesk_account_tier_crossed{" L "} %d\n", as[i].name, as[i].tier,
                      as[i].live.tier_crossed);
    family(o, "riskdesk_decisions_total", "counter",
           "Decisions recorded, by outcome and the first gate that failed (\"none\" when approved).");
    for (int i = 0; i < n; i++)
        for (int ap = 1; ap >= 0; ap--)
            for (int g = 0; g <= RD_GATE_COUNT; g++) {
                int64_t v = as[i].decisions[ap][g];

                if (v || (ap == 1 && g == RD_GATE_COUNT))
                    rd_buf_printf(o, "riskdesk_decisions_total{" L ",outcome=\"%s\",gate=\"%s\"} %" PRId64 "\n",
                                  as[i].name, as[i].tier, ap ? "approved" : "rejected",
                                  g < RD_GATE_COUNT ? rd_gate_name((enum rd_gate)g) : "none", v);
            }
    family(o, "riskdesk_orders_total", "counter", "Orders recorded, by status.");
    for (int i = 0; i < n; i++)
        for (int st = 0; st < RD_ORDER_STATUS_COUNT; st++)
            rd_buf_printf(o, "riskdesk_orders_total{" L ",status=\"%s\"} %" PRId64 "\n", as[i].name,
                          as[i].tier, rd_order_status_name((enum rd_order_status)st),
                          as[i].orders[st]);
}

/* A store that cannot answer does not silence /metrics: what this process
 * knows without it (its dispatchers, the health monitor, HTTP counters) is
 * still reported, with riskdesk_store_up 0, and the families read from the
 * store are left out for that scrape. */
int api_metrics_handler(struct api_req *r)
{
    struct api_cfg *c = api_cfgref(r);
    struct rd_store *s;
    struct acct_sample *as = NULL;
    struct rd_error err = {0};
    struct rd_buf *o = &r->out;
    int n = c->cfg->naccounts, store_up, rc;

    as = rd_calloc((size_t)n + 1, sizeof *as);
    if (!as)
        return api_error(r, 500, "internal", "out of memory");
    for (int i = 0; i < n; i++) {
        const struct rd_account_config *ac = &c->cfg->accounts[i];
        char derr[8];

        as[i].name = ac->name;
        snprintf(as[i].tier, sizeof as[i].tier, "%s", rd_tier_name(ac->tier));
        api_dispatchers_status(r->srv, ac->name, &as[i].dispatcher, derr, sizeof derr);
        as[i].healthy = api_health_ok(r->srv, ac->name);
    }
    s = api_store_try(r, &err);
    rc = s ? sample_store(r, s, as, &err) : RD_ESTORE;
    store_up = rc == RD_OK;
    if (s && !store_up) {
        struct rd_logline l;

        if (rc == RD_ESTORE)
            r->store_broken = 1;      /* a lost connection: retried once on a fresh one */

        rd_log_begin(&l, RD_LOG_WARN, "api.metrics_store");
        rd_log_str(&l, "msg", err.msg);
        rd_log_end(&l);
    }
    r->content_type = "text/plain; version=0.0.4; charset=utf-8";
    rd_buf_reset(o);
    family(o, "riskdesk_up", "gauge", "1 while the server runs.");
    rd_buf_printf(o, "riskdesk_up 1\n");
    family(o, "riskdesk_build_info", "gauge", "The riskdesk version serving.");
    rd_buf_printf(o, "riskdesk_build_info{version=\"%s\"} 1\n", RD_VERSION);

    family(o, "riskdesk_store_up", "gauge",
           "1 when the store answered this scrape; 0 leaves out the families read from it.");
    rd_buf_printf(o, "riskdesk_store_up %d\n", store_up);
    family(o, "riskdesk_account_closed", "gauge", "1 when the account was closed through the API.");
    for (int i = 0; i < n; i++)
        rd_buf_printf(o, "riskdesk_account_closed{" L "} %d\n", as[i].name, as[i].tier,
                      c->meta[i].closed_at != 0);
    family(o, "riskdesk_account_healthy", "gauge",
           "1 while the health monitor holds the account healthy; 0 after health.failures "
           "failed broker polls in a row, or when it failed to initialise.");
    for (int i = 0; i < n; i++)
        rd_buf_printf(o, "riskdesk_account_healthy{" L "} %d\n", as[i].name, as[i].tier,
                      as[i].healthy);
    family(o, "riskdesk_dispatcher_running", "gauge",
           "1 when this process runs the account's dispatcher.");
    for (int i = 0; i < n; i++)
        rd_buf_printf(o, "riskdesk_dispatcher_running{" L "} %d\n", as[i].name, as[i].tier,
                      as[i].dispatcher);
    if (store_up)
        store_families(o, as, n);
    if (s)
        (void)rd_perf_prometheus(s, c->cfg, o, &err);   /* snapshots, alerts; left out on failure */
    api_metrics_http(r->srv->metrics, o);
    rd_free(as);
    return 200;
}

