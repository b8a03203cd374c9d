/*
 * health.c - the health monitor: each open account's broker is polled in the
 * background, every "health": {"interval_s"} seconds, the way the account
 * routes ask it (accounts_live.c); after "failures" failed polls in a row the
 * account is unhealthy (warn health.unhealthy) and new assignments avoid it;
 * the next good poll clears it (warn health.recovered).
 *
 * At start the server probes, once, each account whose dispatcher does not
 * run here; an account that fails that probe, or whose in-process dispatcher
 * fails to start, "failed to initialise": it is unhealthy at once, and the
 * server runs degraded on the others (rd_api_server_degraded). A probe-only
 * failure is forgotten when the broker recovers; a dispatcher that did not
 * start stays failed until the next start.
 *
 * Threads: the table is read by request threads and written by the monitor
 * thread and the dispatchers' start; one mutex guards it, never held across
 * a broker call. An account the monitor has not polled yet is healthy.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api_int.h"
#include "riskdesk/alloc.h"
#include "riskdesk/log.h"
#include "riskdesk/banned.h"

#define DEFAULT_INTERVAL_S RD_HEALTH_INTERVAL_DEFAULT
#define DEFAULT_FAILURES RD_HEALTH_FAILURES_DEFAULT

struct hentry {
    char name[API_NAME_MAX];
    struct api_health_state st;
};

struct api_health {
    pthread_mutex_t mu;          /* guards tab and stop */
    pthread_cond_t cv;           /* wakes the monitor to stop */
    struct api_by_name tab;      /* of struct hentry */
    unsigned interval_s;
    int threshold;
    int stop;
    int started;
    pthread_t th;
};

int api_health_new(struct api_health **out)
{
    struct api_health *h = rd_calloc(1, sizeof *h);

    *out = NULL;
    if (!h)
        return RD_ENOMEM;
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    api_by_name_init(&h->tab, sizeof(struct hentry));
    h->interval_s = DEFAULT_INTERVAL_S;
    h->threshold = DEFAULT_FAILURES;
    *out = h;
    return RD_OK;
}

void api_health_free(struct api_health *h)
{
    if (!h)
        return;
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    api_by_name_release(&h->tab);
    rd_free(h);
}

/* ---- config ---- */

void api_health_configure(struct api_server *srv, unsigned interval_s, int failures)
{
    /* validated with the rest of the config (src/config/config_services.c) */
    srv->health->interval_s = interval_s ? interval_s : DEFAULT_INTERVAL_S;
    srv->health->threshold = failures > 0 ? failures : DEFAULT_FAILURES;
}

/* ---- the table ---- */

/* Under the lock: the entry of name, added (healthy) when new; NULL without memory. */
static struct hentry *find(struct api_health *h, const char *name)
{
    int added;
    struct hentry *e = api_by_name_find(&h->tab, name, &added);

    if (e && added)
        e->st.healthy = 1;
    return e;
}

static void log_change(const char *event, const char *account, int failures, const char *error)
{
    struct rd_logline l;

    rd_log_begin(&l, RD_LOG_WARN, event);
    rd_log_str(&l, "account", account);
    rd_log_int(&l, "failures", failures);
    if (error)
        rd_log_str(&l, "error", error);
    rd_log_end(&l);
}

void api_health_report(struct api_server *srv, const char *account, int ok, const char *error)
{
    struct api_health *h = srv->health;
    struct hentry *e;
    int went_bad = 0, recovered = 0, failures = 0;
    char msg[sizeof e->st.error];

    pthread_mutex_lock(&h->mu);
    e = find(h, account);
    if (e) {
        e->st.known = 1;
        e->st.checked_at = (int64_t)time(NULL);
        if (ok) {
            failures = e->st.failures;
            recovered = !e->st.healthy;
            e->st.failures = 0;
            e->st.healthy = 1;
            e->st.error[0] = '\0';
            if (!e->st.dispatcher_failed)
                e->st.init_failed = 0;
            if (recovered)
                e->st.changed_at = e->st.checked_at;
        } else {
            e->st.failures++;
            snprintf(e->st.error, sizeof e->st.error, "%s", error && *error ? error : "failed");
            if (e->st.healthy && e->st.failures >= h->threshold) {
                e->st.healthy = 0;
                e->st.changed_at = e->st.checked_at;
                went_bad = 1;
            }
            failures = e->st.failures;
        }
        snprintf(msg, sizeof msg, "%s", e->st.error);
    }
    pthread_mutex_unlock(&h->mu);
    if (went_bad)
        log_change("health.unhealthy", account, failures, msg);
    else if (recovered)
        log_change("health.recovered", account, failures, NULL);
}

void api_health_init_failed(struct api_server *srv, const char *account, const char *error,
                            int dispatcher)
{
    struct api_health *h = srv->health;
    struct hentry *e;
    int failures = 1;

    pthread_mutex_lock(&h->mu);
    e = find(h, account);
    if (e) {
        e->st.known = 1;
        e->st.checked_at = (int64_t)time(NULL);
        e->st.changed_at = e->st.checked_at;
        e->st.failures++;
        e->st.healthy = 0;
        e->st.init_failed = 1;
        if (dispatcher)
            e->st.dispatcher_failed = 1;
        snprintf(e->st.error, sizeof e->st.error, "%s", error && *error ? error : "failed");
        snprintf(e->st.init_error, sizeof e->st.init_error, "%s", e->st.error);
        failures = e->st.failures;
    }
    pthread_mutex_unlock(&h->mu);
    log_change("health.unhealthy", account, failures, error);
}

void api_health_dispatcher_started(struct api_server *srv, const char *account)
{
    struct api_health *h = srv->health;
    struct hentry *e;

    pthread_mutex_lock(&h->mu);
    e = find(h, account);
    if (e)
        e->st.dispatcher_failed = 0;
    pthread_mutex_unlock(&h->mu);
    api_health_report(srv, account, 1, NULL);
}

void api_health_get(struct api_server *srv, const char *account, struct api_health_state *out)
{
    struct api_health *h = srv->health;

    memset(out, 0, sizeof *out);
    out->healthy = 1;
    pthread_mutex_lock(&h->mu);
    {
        const struct hentry *e = api_by_name_get(&h->tab, account);

        if (e)
            *out = e->st;
    }
    pthread_mutex_unlock(&h->mu);
}

int api_health_warning(struct api_server *srv, const char *account, char *buf, size_t n)
{
    struct api_health_state h;

    if (n)
        buf[0] = '\0';
    api_health_get(srv, account, &h);
    if (h.healthy)
        return 0;
    snprintf(buf, n,
             "account \"%s\" is unhealthy (%d failed broker polls in a row: %.200s); "
             "the user's trades may fail until it recovers",
             account, h.failures, h.error);
    return 1;
}

int api_health_ok(struct api_server *srv, const char *account)
{
    struct api_health_state st;

    api_health_get(srv, account, &st);
    return st.healthy;
}

static void append(char *buf, size_t n, const char *name)
{
    size_t used = strlen(buf);

    if (used < n)
        snprintf(buf + used, n - used, "%s%s", used ? "," : "", name);
}

int api_health_degraded(struct api_server *srv, char *running_on, size_t rn, char *failed,
                        size_t fn)
{
    struct api_health *h = srv->health;
    struct api_cfg *c;
    int nfailed = 0, nup = 0;

    if (rn)
        running_on[0] = '\0';
    if (fn)
        failed[0] = '\0';
    pthread_mutex_lock(&srv->cfg_mu);
    c = srv->cfg;
    if (c)
        atomic_fetch_add(&c->refs, 1);
    pthread_mutex_unlock(&srv->cfg_mu);
    if (!c)
        return 0;
    pthread_mutex_lock(&h->mu);
    for (int i = 0; i < c->cfg->naccounts; i++) {
        const char *name = c->cfg->accounts[i].name;
        const struct hentry *e;

        if (c->meta[i].closed_at)
            continue;
        e = api_by_name_get(&h->tab, name);
        if (e && e->st.init_failed) {
            nfailed++;
            append(failed, fn, name);
        } else {
            nup++;
            append(running_on, rn, name);
        }
    }
    pthread_mutex_unlock(&h->mu);
    api_cfg_unref(c);
    return nup ? nfailed : 0;
}

int rd_api_server_degraded(const struct rd_api_server *s, char *running_on, size_t rn,
                           char *failed, size_t fn)
{
    return api_health_degraded((struct api_server *)s, running_on, rn, failed, fn);
}

/* ---- polling ---- */

static int stopping(struct api_health *h)
{
    int stop;

    pthread_mutex_lock(&h->mu);
    stop = h->stop;
    pthread_mutex_unlock(&h->mu);
    return stop;
}

/* One round over the open accounts. initial: the probe at start (a failure
 * there is a failure to initialise); accounts whose dispatcher runs here are
 * left to it then. */
static void poll_round(struct api_server *srv, int initial)
{
    struct rd_store *store = NULL;
    struct rd_error err = {0};
    struct api_cfg *c;

    pthread_mutex_lock(&srv->cfg_mu);
    c = srv->cfg;
    atomic_fetch_add(&c->refs, 1);
    pthread_mutex_unlock(&srv->cfg_mu);
    if (api_pool_take(srv, &store, &err) != RD_OK) {
        struct rd_logline l;

        rd_log_begin(&l, RD_LOG_WARN, "health.store_unavailable");
        rd_log_str(&l, "msg", err.msg);
        rd_log_end(&l);
        api_cfg_unref(c);
        return;
    }
    for (int i = 0; i < c->cfg->naccounts && !stopping(srv->health); i++) {
        const struct rd_account_config *a = &c->cfg->accounts[i];
        struct api_live v;
        int running = 0;
        char derr[8];

        if (c->meta[i].closed_at)
            continue;
        if (initial) {
            api_dispatchers_status(srv, a->name, &running, derr, sizeof derr);
            if (running || api_dispatchers_failed_start(srv, a->name))
                continue;
        }
        if (!api_live_poll(srv, store, c->cfg, a, &v))
            continue;   /* a request is asking it right now */
        if (initial && !v.ok) {
            struct rd_logline l;

            rd_log_begin(&l, RD_LOG_ERROR, "serve.account_failed");
            rd_log_str(&l, "account", a->name);
            rd_log_str(&l, "error", v.error);
            rd_log_end(&l);
            api_health_init_failed(srv, a->name, v.error, 0);
        } else {
            api_health_report(srv, a->name, v.ok, v.error);
        }
    }
    api_pool_give(srv, store, 0);
    api_cfg_unref(c);
}

void api_health_probe(struct api_server *srv)
{
    poll_round(srv, 1);
}

static void *monitor(void *arg)
{
    struct api_server *srv = arg;
    struct api_health *h = srv->health;

    for (;;) {
        struct timespec until;
        int stop;

        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += h->interval_s;
        pthread_mutex_lock(&h->mu);
        while (!h->stop && pthread_cond_timedwait(&h->cv, &h->mu, &until) != ETIMEDOUT)
            ;
        stop = h->stop;
        pthread_mutex_unlock(&h->mu);
        if (stop)
            break;
        poll_round(srv, 0);
    }
    return NULL;
}

int api_health_start(struct api_server *srv, struct rd_error *err)
{
    struct api_health *h = srv->health;
    struct rd_logline l;

    if (pthread_create(&h->th, NULL, monitor, srv) != 0)
        return rd_error_set(err, RD_EINTERNAL, "health: cannot start the monitor thread");
    h->started = 1;
    rd_log_begin(&l, RD_LOG_INFO, "health.started");
    rd_log_int(&l, "interval_s", h->interval_s);
    rd_log_int(&l, "failures", h->threshold);
    rd_log_end(&l);
    return RD_OK;
}

void api_health_stop(struct api_server *srv)
{
    struct api_health *h = srv->health;

    if (!h || !h->started)
        return;
    pthread_mutex_lock(&h->mu);
    h->stop = 1;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    pthread_join(h->th, NULL);
    h->started = 0;
}

unsigned api_health_interval(const struct api_server *srv)
{
    return srv->health->interval_s;
}

int api_health_threshold(const struct api_server *srv)
{
    return srv->health->threshold;
}
