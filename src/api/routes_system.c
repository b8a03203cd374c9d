/*
 * routes_system.c - what load balancers and scrapers ask, without a token:
 * /healthz (the process answers), /readyz (the store answers, every open
 * account's broker answered in the last 30 s and the health monitor holds it
 * healthy, in-process dispatchers have not failed; "degraded" when some
 * accounts failed to initialise while others run) and /metrics.
 *
 * /readyz without a token is the status only; the accounts and their
 * errors (a broker's error names its host and port) need a token, and a
 * trader's shows their own account only.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api_int.h"
#include "riskdesk/alloc.h"
#include "riskdesk/banned.h"

#define READY_MAX_AGE 30

static int healthz(struct api_req *r)
{
    rd_buf_printf(&r->out, "{\"status\":\"ok\",\"uptime_s\":%lld}\n",
                  (long long)((int64_t)time(NULL) - r->srv->started_at));
    return 200;
}

/* ,"degraded": bool, and when degraded "running_on": [...], "failed":
 * [{"name", "error"}] (the accounts that failed to initialise). */
static void degraded_json(struct api_req *r, int details)
{
    char running_on[1024], failed[1024];
    int n = api_health_degraded(r->srv, running_on, sizeof running_on, failed, sizeof failed);
    const char *p;
    int first = 1;

    rd_buf_printf(&r->out, ",\"degraded\":%s", n > 0 ? "true" : "false");
    if (n <= 0 || !details)
        return;
    rd_buf_puts(&r->out, ",\"running_on\":[");
    for (p = running_on; *p;) {
        size_t k = strcspn(p, ",");
        char name[64];

        snprintf(name, sizeof name, "%.*s", (int)(k < 63 ? k : 63), p);
        if (api_may_see_account(r, name)) {
            if (!first)
                rd_buf_puts(&r->out, ",");
            first = 0;
            api_json_strn(&r->out, p, k);
        }
        p += k + (p[k] == ',');
    }
    rd_buf_puts(&r->out, "],\"failed\":[");
    first = 1;
    for (p = failed; *p;) {
        size_t k = strcspn(p, ",");
        struct api_health_state h;
        char name[64];

        snprintf(name, sizeof name, "%.*s", (int)(k < 63 ? k : 63), p);
        if (!api_may_see_account(r, name)) {
            p += k + (p[k] == ',');
            continue;
        }
        api_health_get(r->srv, name, &h);
        rd_buf_puts(&r->out, !first ? ",{\"name\":" : "{\"name\":");
        first = 0;
        api_json_str(&r->out, name);
        rd_buf_puts(&r->out, ",\"error\":");
        api_json_str(&r->out, h.init_error);
        rd_buf_puts(&r->out, "}");
        p += k + (p[k] == ',');
    }
    rd_buf_puts(&r->out, "]");
}

/* One account's entry in /readyz's details. */
static void account_json(struct api_req *r, const struct api_acct_meta *meta,
                         const struct rd_account_config *a, const struct api_live *live,
                         const struct api_health_state *h, int failed, int running,
                         const char *derr, int first)
{
    rd_buf_puts(&r->out, first ? "{\"name\":" : ",{\"name\":");
    api_json_str(&r->out, a->name);
    rd_buf_printf(&r->out, ",\"broker_ok\":%s", live->ok ? "true" : "false");
    if (!live->ok) {
        rd_buf_puts(&r->out, ",\"broker_error\":");
        api_json_str(&r->out, live->error[0] ? live->error : "not asked yet");
    }
    rd_buf_printf(&r->out, ",\"healthy\":%s,\"health_failures\":%d",
                  h->healthy ? "true" : "false", h->failures);
    if (!h->healthy) {
        rd_buf_puts(&r->out, ",\"health_error\":");
        api_json_str(&r->out, h->error);
    }
    if (meta->closed_at)
        rd_buf_puts(&r->out, ",\"closed\":true");
    rd_buf_printf(&r->out, ",\"dispatcher\":\"%s\"",
                  failed ? "failed" : running ? "running" : "elsewhere");
    if (failed) {
        rd_buf_puts(&r->out, ",\"dispatcher_error\":");
        api_json_str(&r->out, derr);
    }
    rd_buf_puts(&r->out, "}");
}

static int readyz(struct api_req *r)
{
    struct api_cfg *c = api_cfgref(r);
    struct rd_store *s = api_store(r);
    struct rd_error err = {0};
    char *val = NULL;
    int ready = 1, rc, shown = 0;
    int details = r->auth.role >= RD_ROLE_VIEWER;

    if (!s) {
        rd_buf_reset(&r->out);
        rd_buf_puts(&r->out, details ? "{\"ready\":false,\"store\":{\"ok\":false},\"accounts\":[]}\n"
                                     : "{\"ready\":false,\"store\":{\"ok\":false}}\n");
        return 503;
    }
    rc = s->ops->trading->kv_get(s, "api", "readyz", &val, &err);
    rd_free(val);
    if (rc != RD_OK && rc != RD_ENOTFOUND) {
        r->store_broken = 1;
        rd_buf_puts(&r->out, details ? "{\"ready\":false,\"store\":{\"ok\":false},\"accounts\":[]}\n"
                                     : "{\"ready\":false,\"store\":{\"ok\":false}}\n");
        return 503;
    }
    rd_buf_puts(&r->out, "{\"store\":{\"ok\":true}");
    if (details)
        rd_buf_puts(&r->out, ",\"accounts\":[");
    for (int i = 0; i < c->cfg->naccounts; i++) {
        const struct rd_account_config *a = &c->cfg->accounts[i];
        struct api_live live;
        struct api_health_state h;
        char derr[160] = "";
        int running = 0, failed;

        api_live_get(r->srv, s, c->cfg, a, READY_MAX_AGE, &live);
        api_health_get(r->srv, a->name, &h);
        failed = api_dispatchers_status(r->srv, a->name, &running, derr, sizeof derr);
        if (!c->meta[i].closed_at && (!live.ok || failed || !h.healthy))
            ready = 0;
        if (details && api_may_see_account(r, a->name))
            account_json(r, &c->meta[i], a, &live, &h, failed, running, derr, !shown++);
    }
    if (details)
        rd_buf_puts(&r->out, "]");
    degraded_json(r, details);
    rd_buf_printf(&r->out, ",\"ready\":%s}\n", ready ? "true" : "false");
    return ready ? 200 : 503;
}

static const struct api_route routes[] = {
    {"GET", "/healthz", RD_ROLE_PUBLIC, healthz, 0},
    {"GET", "/readyz", RD_ROLE_PUBLIC, readyz, API_TOKEN_OPTIONAL},
    {"GET", "/metrics", RD_ROLE_PUBLIC, api_metrics_handler, 0},
};

const struct api_route_table api_routes_system = {routes, sizeof routes / sizeof routes[0]};
