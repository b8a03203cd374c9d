/*
 * dispatchers.c - `riskdesk serve --dispatch`: the dispatchers of chosen
 * accounts as threads of the server, so one process runs the whole system.
 *
 * Each dispatcher has its own store handle, its own broker and the account's
 * lock (a dispatcher of the same account elsewhere makes the start fail with
 * RD_EBUSY naming it). Everything up to the first sync happens before the
 * server listens. An account that cannot get that far (its broker does not
 * answer, say) is recorded: its error kept for /readyz, the account marked
 * unhealthy (health.c), and the others go on; the start fails only when none
 * of the accounts asked for came up. Its thread tries the start again every
 * interval, so a broker that was down when the server started does not leave
 * the account without a dispatcher until someone restarts it. Then
 * each thread runs a cycle every interval seconds and publishes the broker's
 * numbers for /metrics and the account routes. Stopping lets the cycle in
 * progress finish. A dispatcher keeps the account configuration it started
 * with: changes made through the API reach it at the next start.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api_int.h"
#include "riskdesk/alloc.h"
#include "riskdesk/broker.h"
#include "riskdesk/dispatcher.h"
#include "riskdesk/log.h"
#include "riskdesk/banned.h"

struct disp {
    struct api_server *srv;
    const struct rd_account_config *acct;
    struct rd_store *store;
    struct rd_broker *broker;
    struct rd_dispatcher *d;
    pthread_t th;
    int started;                 /* the thread runs */
    atomic_int start_failed;     /* prepare failed: not running; tried again each interval */
    int attempts;                /* starts tried (the thread's own after the first) */
    atomic_int failed;
    pthread_mutex_t mu;          /* guards error */
    char error[256];
};

struct api_dispatchers {
    struct api_cfg *cfg;         /* the snapshot the dispatchers borrow from */
    struct disp *v;
    size_t n;
    unsigned interval;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
};

static void publish(struct disp *p, const struct rd_cycle_stats *st)
{
    struct api_live v;

    api_live_get(p->srv, NULL, NULL, p->acct, -1, &v);
    v.known = 1;
    v.ok = 1;
    v.error[0] = '\0';
    v.buying_power = st->buying_power;
    v.equity = st->equity;
    v.at = (int64_t)time(NULL);
    v.from_dispatcher = 1;
    api_live_set(p->srv, p->acct->name, &v);
}

static void log_cycle(const char *account, const struct rd_cycle_stats *st)
{
    struct rd_logline l;

    rd_log_begin(&l, RD_LOG_INFO, "dispatch.cycle");
    rd_log_str(&l, "account", account);
    rd_log_str(&l, "tier", rd_tier_name(st->tier));
    rd_log_int(&l, "decided", st->decided);
    rd_log_int(&l, "approved", st->approved);
    rd_log_int(&l, "submitted", st->submitted);
    rd_log_int(&l, "filled", st->filled);
    rd_log_int(&l, "broker_rejected", st->broker_rejected);
    rd_log_int(&l, "exits", st->exits);
    rd_log_money(&l, "buying_power", st->buying_power);
    rd_log_money(&l, "equity", st->equity);
    rd_log_end(&l);
}

/* Opens everything one account's dispatcher needs and syncs it once. */
static int prepare(struct api_server *srv, const struct rd_config *cfg, struct disp *p,
                   struct rd_error *err)
{
    struct rd_dispatcher_params dp;
    struct rd_broker_params bp;
    int rc;

    rc = rd_store_open(srv->database, &p->store, err);
    if (rc)
        return rc;
    memset(&bp, 0, sizeof bp);
    bp.account = p->acct->name;
    bp.store = p->store;
    bp.starting_cash = p->acct->starting_cash;
    bp.seed = cfg->paper_seed;
    bp.credentials = p->acct->credentials;
    bp.live = p->acct->live;
    rc = rd_broker_open(p->acct->broker == RD_BROKER_ALPACA ? "alpaca" : "paper", &bp, &p->broker,
                        err);
    if (rc)
        return rc;
    memset(&dp, 0, sizeof dp);
    dp.cfg = cfg;
    dp.account = p->acct;
    dp.store = p->store;
    dp.broker = p->broker;
    rc = rd_dispatcher_new(&dp, &p->d, err);
    if (!rc)
        rc = rd_dispatcher_lock(p->d, err);
    if (!rc)
        rc = rd_dispatcher_start(p->d, (int64_t)time(NULL), err);
    return rc;
}

/* Records a start that failed: what prepare opened is closed, the error kept
 * for /readyz and logged as event. */
static void start_failed(struct disp *p, const struct rd_error *e, const char *event)
{
    struct rd_logline l;

    rd_dispatcher_free(p->d);
    rd_broker_close(p->broker);
    rd_store_close(p->store);
    p->d = NULL;
    p->broker = NULL;
    p->store = NULL;
    pthread_mutex_lock(&p->mu);
    snprintf(p->error, sizeof p->error, "%s", e->msg);
    pthread_mutex_unlock(&p->mu);
    atomic_store(&p->start_failed, 1);
    atomic_store(&p->failed, 1);
    rd_log_begin(&l, RD_LOG_ERROR, event);
    rd_log_str(&l, "account", p->acct->name);
    if (p->attempts > 1)
        rd_log_int(&l, "attempts", p->attempts);
    rd_log_str(&l, "error", e->msg);
    rd_log_end(&l);
}

static void cycle(struct disp *p)
{
    struct rd_cycle_stats st;
    struct rd_error err = {0};
    int rc = rd_dispatcher_cycle(p->d, (int64_t)time(NULL), &st, &err);

    if (rc == RD_OK) {
        atomic_store(&p->failed, 0);
        publish(p, &st);
        log_cycle(p->acct->name, &st);
    } else {
        struct rd_logline l;

        pthread_mutex_lock(&p->mu);
        snprintf(p->error, sizeof p->error, "%s", err.msg[0] ? err.msg : rd_strerror(rc));
        pthread_mutex_unlock(&p->mu);
        atomic_store(&p->failed, 1);
        rd_log_begin(&l, RD_LOG_ERROR, "dispatch.cycle_failed");
        rd_log_str(&l, "account", p->acct->name);
        rd_log_str(&l, "msg", err.msg);
        rd_log_end(&l);
    }
}

/* Waits one interval; 1 when the server is stopping. */
static int wait_interval(struct api_dispatchers *ds)
{
    struct timespec until;
    int stop;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ds->interval;
    pthread_mutex_lock(&ds->mu);
    while (!ds->stop && pthread_cond_timedwait(&ds->cv, &ds->mu, &until) != ETIMEDOUT)
        ;
    stop = ds->stop;
    pthread_mutex_unlock(&ds->mu);
    return stop;
}

/* A dispatcher whose start failed, tried again: running from its next cycle
 * when it comes up (the account's health cleared), else the new error kept. */
static void retry_start(struct disp *p)
{
    struct rd_error e = {0};
    struct rd_logline l;

    p->attempts++;
    if (prepare(p->srv, p->srv->dispatchers->cfg->cfg, p, &e) != RD_OK) {
        rd_error_prefix(&e, "dispatcher of \"%s\"", p->acct->name);
        start_failed(p, &e, "dispatch.start_retry_failed");
        return;
    }
    atomic_store(&p->failed, 0);
    atomic_store(&p->start_failed, 0);
    rd_log_begin(&l, RD_LOG_INFO, "dispatch.started");
    rd_log_str(&l, "account", p->acct->name);
    rd_log_int(&l, "attempts", p->attempts);
    rd_log_end(&l);
    api_health_dispatcher_started(p->srv, p->acct->name);
}

static void *loop(void *arg)
{
    struct disp *p = arg;
    struct api_dispatchers *ds = p->srv->dispatchers;

    for (;;) {
        if (!atomic_load(&p->start_failed))
            cycle(p);
        if (wait_interval(ds))
            break;
        if (atomic_load(&p->start_failed))
            retry_start(p);
    }
    rd_log_msg(RD_LOG_INFO, "dispatch.stopped", p->acct->name);
    return NULL;
}

static int wanted(const char *which, const char *name)
{
    size_t n = strlen(name);
    const char *p = which;

    if (!strcmp(which, "all"))
        return 1;
    while (*p) {
        size_t k = strcspn(p, ",");

        if (k == n && !strncmp(p, name, n))
            return 1;
        p += k + (p[k] == ',');
    }
    return 0;
}

int api_dispatchers_start(struct api_server *srv, const char *which, unsigned interval,
                          struct rd_error *err)
{
    struct api_dispatchers *ds;
    const struct rd_config *cfg;
    struct rd_error first = {0};
    size_t nup = 0;
    int rc = RD_OK, first_rc = RD_OK;

    if (!which || !*which)
        return RD_OK;
    ds = rd_calloc(1, sizeof *ds);
    if (!ds)
        return rd_error_set(err, RD_ENOMEM, "dispatch: out of memory");
    pthread_mutex_init(&ds->mu, NULL);
    pthread_cond_init(&ds->cv, NULL);
    ds->interval = interval ? interval : 60;
    srv->dispatchers = ds;
    pthread_mutex_lock(&srv->cfg_mu);
    ds->cfg = srv->cfg;
    atomic_fetch_add(&ds->cfg->refs, 1);
    pthread_mutex_unlock(&srv->cfg_mu);
    cfg = ds->cfg->cfg;

    /* every name asked for must exist */
    if (strcmp(which, "all") != 0) {
        const char *p = which;

        while (*p) {
            size_t k = strcspn(p, ",");
            char name[64];

            snprintf(name, sizeof name, "%.*s", (int)(k < 63 ? k : 63), p);
            if (!k || api_cfg_index(ds->cfg, name) < 0)
                return rd_error_set(err, RD_ENOTFOUND,
                                    "--dispatch: no account named \"%s\" in %s", name, cfg->origin);
            p += k + (p[k] == ',');
        }
    }
    ds->v = rd_calloc((size_t)cfg->naccounts + 1, sizeof *ds->v);
    if (!ds->v)
        return rd_error_set(err, RD_ENOMEM, "dispatch: out of memory");
    for (int i = 0; i < cfg->naccounts; i++) {
        struct rd_error e = {0};
        struct disp *p;

        if (!wanted(which, cfg->accounts[i].name))
            continue;
        p = &ds->v[ds->n++];
        p->srv = srv;
        p->acct = &cfg->accounts[i];
        pthread_mutex_init(&p->mu, NULL);
        p->attempts = 1;
        rc = prepare(srv, cfg, p, &e);
        if (rc == RD_OK) {
            nup++;
            continue;
        }
        rd_error_prefix(&e, "dispatcher of \"%s\"", p->acct->name);
        if (rc == RD_EBUSY || rc == RD_ENOMEM) {
            /* another process runs it, or no memory: not a broken account */
            *err = e;
            return rc;
        }
        /* a broken account: recorded, tried again by its thread; the others go on */
        start_failed(p, &e, "dispatch.start_failed");
        api_health_init_failed(srv, p->acct->name, e.msg, 1);
        if (first_rc == RD_OK) {
            first_rc = rc;
            first = e;
        }
    }
    if (ds->n && !nup) {
        *err = first;
        return rd_error_prefix(err, "--dispatch: no dispatcher could start (%zu asked for)", ds->n);
    }
    rc = RD_OK;
    for (size_t i = 0; i < ds->n && rc == RD_OK; i++) {
        if (pthread_create(&ds->v[i].th, NULL, loop, &ds->v[i]) != 0)
            rc = rd_error_set(err, RD_EINTERNAL, "dispatch: cannot start a thread");
        else
            ds->v[i].started = 1;
    }
    return rc;
}

int api_dispatchers_failed_start(struct api_server *srv, const char *account)
{
    struct api_dispatchers *ds = srv->dispatchers;

    if (!ds)
        return 0;
    for (size_t i = 0; i < ds->n; i++)
        if (!strcmp(ds->v[i].acct->name, account))
            return atomic_load(&ds->v[i].start_failed);
    return 0;
}

void api_dispatchers_stop(struct api_server *srv)
{
    struct api_dispatchers *ds = srv->dispatchers;

    if (!ds)
        return;
    pthread_mutex_lock(&ds->mu);
    ds->stop = 1;
    pthread_cond_broadcast(&ds->cv);
    pthread_mutex_unlock(&ds->mu);
    for (size_t i = 0; i < ds->n; i++) {
        struct disp *p = &ds->v[i];

        if (p->started)
            pthread_join(p->th, NULL);
        rd_dispatcher_free(p->d);
        rd_broker_close(p->broker);
        rd_store_close(p->store);
        pthread_mutex_destroy(&p->mu);
    }
    rd_free(ds->v);
    api_cfg_unref(ds->cfg);
    pthread_cond_destroy(&ds->cv);
    pthread_mutex_destroy(&ds->mu);
    rd_free(ds);
    srv->dispatchers = NULL;
}

int api_dispatchers_status(struct api_server *srv, const char *account, int *running,
                           char *error, size_t n)
{
    struct api_dispatchers *ds = srv->dispatchers;

    *running = 0;
    if (n)
        error[0] = '\0';
    if (!ds)
        return 0;
    for (size_t i = 0; i < ds->n; i++) {
        struct disp *p = &ds->v[i];

        if (strcmp(p->acct->name, account) != 0)
            continue;
        *running = p->started && !atomic_load(&p->start_failed);
        if (!atomic_load(&p->failed))
            return 0;
        pthread_mutex_lock(&p->mu);
        snprintf(error, n, "%s", p->error);
        pthread_mutex_unlock(&p->mu);
        return 1;
    }
    return 0;
}
