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
 * with: changes made through the API reach it at the next start. Under
 * `--dispatch all` an account made through the API, on this server or on
 * another sharing the store, gets its dispatcher when this server's snapshot
 * of the accounts first shows it (api_dispatchers_adopt); its thread starts
 * it, so the request that made it does not wait for a broker. One whose
 * account another process runs is left to that process.
 *
 * The dispatchers are a published array of pointers (struct disp_set):
 * readers load it once and never lock; an adoption publishes a longer copy
 * and keeps the old one until the server stops, so a reader's array stays
 * valid however long it holds it.
 *
 * Each account is opened through its runner (runner.h), the one place that
 * checks its keys against every other account's. A trade for an account whose
 * dispatcher runs here is evaluated by that runner (no second broker
 * connection), then queued, and the dispatcher is woken to decide it at once;
 * the route waits, bounded, for that decision (api_dispatchers_trade).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api_int.h"
#include "riskdesk/alloc.h"
#include "riskdesk/log.h"
#include "riskdesk/runner.h"
#include "riskdesk/banned.h"

struct disp {
    struct api_server *srv;
    const struct rd_account_config *acct;   /* from cfg */
    struct api_cfg *cfg;         /* an adopted one's snapshot (referenced); else NULL */
    atomic_int pending;          /* adopted, its first start not yet tried */
    struct rd_runner *ru;
    pthread_mutex_t run_mu;      /* one user of the runner at a time */
    int wake;                    /* under ds->mu: cycle now */
    struct api_watch *waiters;      /* under ds->mu */
    pthread_t th;
    int started;                 /* the thread runs */
    atomic_int start_failed;     /* prepare failed: not running; tried again each interval */
    int attempts;                /* starts tried (the thread's own after the first) */
    atomic_int failed;
    atomic_int lock_lost;        /* another process took the account: this one stops */
    pthread_mutex_t mu;          /* guards error */
    char error[256];
};

/* The dispatchers at one moment; immutable once published. */
struct disp_set {
    struct disp_set *retired;    /* the set this one replaced (freed at stop) */
    size_t n;
    struct disp *v[];
};

struct api_dispatchers {
    struct api_cfg *cfg;         /* the snapshot the first dispatchers borrow from */
    _Atomic(struct disp_set *) set;
    pthread_mutex_t add_mu;      /* one adoption at a time */
    int all;                     /* --dispatch all: adopt accounts made later */
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
    v.cash = st->cash;
    v.last_equity = st->last_equity;
    v.at = (int64_t)time(NULL);
    v.from_dispatcher = 1;
    v.tier_crossed = st->tier_by_buying_power != st->tier;
    api_live_set(p->srv, p->acct->name, &v);
}

static struct api_watch *find_waiter(struct disp *p, const char *rec_id)
{
    for (struct api_watch *w = p->waiters; w; w = w->next)
        if (!strcmp(w->rec_id, rec_id))
            return w;
    return NULL;
}

static void on_decision(void *ctx, const char *account, const struct rd_rec *rec,
                        const struct rd_decision *d)
{
    struct disp *p = ctx;
    struct api_dispatchers *ds = p->srv->dispatchers;
    struct api_watch *w;

    (void)account;
    pthread_mutex_lock(&ds->mu);
    if ((w = find_waiter(p, rec->id))) {
        w->decided = 1;
        w->dec = *d;
    }
    pthread_mutex_unlock(&ds->mu);
}

static void on_order(void *ctx, const struct rd_order_row *o)
{
    struct disp *p = ctx;
    struct api_dispatchers *ds = p->srv->dispatchers;
    struct api_watch *w;

    pthread_mutex_lock(&ds->mu);
    if (o->rec_id[0] && (w = find_waiter(p, o->rec_id))) {
        w->ordered = 1;
        w->order = *o;
    }
    pthread_mutex_unlock(&ds->mu);
}

/* Opens the account's runner and starts it (lock, first sync). */
static int prepare(struct api_server *srv, const struct rd_config *cfg, struct disp *p,
                   struct rd_error *err)
{
    struct rd_runner_params rp;
    int rc;

    memset(&rp, 0, sizeof rp);
    rp.cfg = cfg;
    rp.account = p->acct;
    rp.store_url = srv->database;
    rp.hooks.decision = on_decision;
    rp.hooks.order = on_order;
    rp.hooks.ctx = p;
    rc = rd_runner_open(&rp, &p->ru, err);
    if (!rc)
        rc = rd_runner_start(p->ru, api_clock(srv), err);
    return rc;
}

/* Records a start that failed: what prepare opened is closed, the error kept
 * for /readyz and logged as event. */
static void start_failed(struct disp *p, const struct rd_error *e, const char *event)
{
    struct rd_logline l;

    pthread_mutex_lock(&p->run_mu);
    rd_runner_close(p->ru);
    p->ru = NULL;
    pthread_mutex_unlock(&p->run_mu);
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
    struct api_dispatchers *ds = p->srv->dispatchers;
    struct rd_cycle_stats st;
    struct rd_error err = {0};
    int rc;

    pthread_mutex_lock(&p->run_mu);
    rc = rd_runner_cycle(p->ru, api_clock(p->srv), &st, &err);
    pthread_mutex_unlock(&p->run_mu);
    if (rc == RD_OK) {
        if (atomic_exchange(&p->failed, 0))
            api_health_report(p->srv, p->acct->name, 1, NULL);
        publish(p, &st);
    } else {
        pthread_mutex_lock(&p->mu);
        snprintf(p->error, sizeof p->error, "%s", err.msg[0] ? err.msg : rd_strerror(rc));
        pthread_mutex_unlock(&p->mu);
        atomic_store(&p->failed, 1);
        /* counted like a broker's failure: unhealthy after health.failures */
        api_health_report(p->srv, p->acct->name, 0, p->error);
        if (rc == RD_EBUSY)
            atomic_store(&p->lock_lost, 1);
    }
    /* the cycle has ended: what it decided is committed */
    pthread_mutex_lock(&ds->mu);
    for (struct api_watch *w = p->waiters; w; w = w->next)
        if (w->decided)
            w->done = 1;
    pthread_cond_broadcast(&ds->cv);
    pthread_mutex_unlock(&ds->mu);
}

/* Waits one interval, or until woken; 1 when the server is stopping. */
static int wait_interval(struct disp *p)
{
    struct api_dispatchers *ds = p->srv->dispatchers;
    struct timespec until;
    int stop;

    unsigned wait = ds->interval;

    /* a dispatcher reopening its store tries again after its backoff */
    pthread_mutex_lock(&p->run_mu);
    if (p->ru && atomic_load(&p->failed) && rd_runner_retry_in(p->ru) < wait)
        wait = rd_runner_retry_in(p->ru);
    pthread_mutex_unlock(&p->run_mu);
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += wait;
    pthread_mutex_lock(&ds->mu);
    while (!ds->stop && !p->wake && pthread_cond_timedwait(&ds->cv, &ds->mu, &until) != ETIMEDOUT)
        ;
    p->wake = 0;
    stop = ds->stop;
    pthread_mutex_unlock(&ds->mu);
    return stop;
}

/* The config a dispatcher runs under: its own snapshot when adopted. */
static const struct rd_config *disp_config(const struct disp *p)
{
    return p->cfg ? p->cfg->cfg : p->srv->dispatchers->cfg->cfg;
}

/* A dispatcher whose start failed, tried again: running from its next cycle
 * when it comes up (the account's health cleared), else the new error kept. */
static void retry_start(struct disp *p)
{
    struct rd_error e = {0};
    struct rd_logline l;

    p->attempts++;
    if (prepare(p->srv, disp_config(p), p, &e) != RD_OK) {
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

/* An adopted dispatcher's first start, on its own thread. 0 when it runs
 * or will be tried again; 1 when another process runs the account. */
static int adopted_start(struct disp *p)
{
    struct rd_error e = {0};
    struct rd_logline l;
    int rc;

    p->attempts = 1;
    rc = prepare(p->srv, disp_config(p), p, &e);
    if (rc == RD_OK) {
        rd_log_begin(&l, RD_LOG_INFO, "dispatch.adopted");
        rd_log_str(&l, "account", p->acct->name);
        rd_log_end(&l);
        return 0;
    }
    if (rc == RD_EBUSY) {
        pthread_mutex_lock(&p->run_mu);
        rd_runner_close(p->ru);
        p->ru = NULL;
        pthread_mutex_unlock(&p->run_mu);
        atomic_store(&p->lock_lost, 1);
        rd_log_begin(&l, RD_LOG_INFO, "dispatch.elsewhere");
        rd_log_str(&l, "account", p->acct->name);
        rd_log_str(&l, "msg", e.msg);
        rd_log_end(&l);
        return 1;
    }
    rd_error_prefix(&e, "dispatcher of \"%s\"", p->acct->name);
    start_failed(p, &e, "dispatch.start_failed");
    api_health_init_failed(p->srv, p->acct->name, e.msg, 1);
    return 0;
}

static void *loop(void *arg)
{
    struct disp *p = arg;

    if (atomic_load(&p->pending)) {
        int elsewhere = adopted_start(p);

        atomic_store(&p->pending, 0);
        if (elsewhere)
            return NULL;
    }
    for (;;) {
        if (!atomic_load(&p->start_failed))
            cycle(p);
        if (atomic_load(&p->lock_lost))
            break;
        if (wait_interval(p))
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

static struct disp_set *set_new(size_t n)
{
    return rd_calloc(1, sizeof(struct disp_set) + n * sizeof(struct disp *));
}

static struct disp *disp_new(struct api_server *srv, const struct rd_account_config *acct)
{
    struct disp *p = rd_calloc(1, sizeof *p);

    if (!p)
        return NULL;
    p->srv = srv;
    p->acct = acct;
    pthread_mutex_init(&p->mu, NULL);
    pthread_mutex_init(&p->run_mu, NULL);
    p->attempts = 1;
    return p;
}

static struct disp *find_disp(struct api_dispatchers *ds, const char *account)
{
    struct disp_set *set = atomic_load(&ds->set);

    for (size_t i = 0; i < set->n; i++)
        if (!strcmp(set->v[i]->acct->name, account))
            return set->v[i];
    return NULL;
}

int api_dispatchers_start(struct api_server *srv, const char *which, unsigned interval,
                          struct rd_error *err)
{
    struct api_dispatchers *ds;
    struct disp_set *set;
    const struct rd_config *cfg;
    struct rd_error first = {0};
    size_t nup = 0;
    int rc = RD_OK, first_rc = RD_OK;

    if (!which || !*which)
        return RD_OK;
    ds = rd_calloc(1, sizeof *ds);
    if (!ds)
        return rd_error_set(err, RD_ENOMEM, "dispatch: out of memory");
    pthread_mutex_lock(&srv->cfg_mu);
    ds->cfg = srv->cfg;
    atomic_fetch_add(&ds->cfg->refs, 1);
    pthread_mutex_unlock(&srv->cfg_mu);
    cfg = ds->cfg->cfg;
    if (!(set = set_new((size_t)cfg->naccounts))) {
        api_cfg_unref(ds->cfg);
        rd_free(ds);
        return rd_error_set(err, RD_ENOMEM, "dispatch: out of memory");
    }
    atomic_init(&ds->set, set);
    pthread_mutex_init(&ds->mu, NULL);
    pthread_mutex_init(&ds->add_mu, NULL);
    pthread_cond_init(&ds->cv, NULL);
    ds->interval = interval ? interval : 60;
    ds->all = !strcmp(which, "all");
    srv->dispatchers = ds;

    /* every name asked for must exist */
    if (!ds->all) {
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
    for (int i = 0; i < cfg->naccounts; i++) {
        struct rd_error e = {0};
        struct disp *p;

        if (!wanted(which, cfg->accounts[i].name))
            continue;
        if (!(p = disp_new(srv, &cfg->accounts[i])))
            return rd_error_set(err, RD_ENOMEM, "dispatch: out of memory");
        set->v[set->n++] = p;
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
    if (set->n && !nup) {
        *err = first;
        return rd_error_prefix(err, "--dispatch: no dispatcher could start (%zu asked for)",
                               set->n);
    }
    rc = RD_OK;
    for (size_t i = 0; i < set->n && rc == RD_OK; i++) {
        if (pthread_create(&set->v[i]->th, NULL, loop, set->v[i]) != 0)
            rc = rd_error_set(err, RD_EINTERNAL, "dispatch: cannot start a thread");
        else
            set->v[i]->started = 1;
    }
    return rc;
}

void api_dispatchers_adopt(struct api_server *srv)
{
    struct api_dispatchers *ds = srv->dispatchers;
    struct disp_set *cur, *set = NULL;
    struct api_cfg *c;
    size_t fresh = 0;
    int stopping;

    if (!ds || !ds->all)
        return;
    pthread_mutex_lock(&srv->cfg_mu);
    c = srv->cfg;
    atomic_fetch_add(&c->refs, 1);
    pthread_mutex_unlock(&srv->cfg_mu);
    pthread_mutex_lock(&ds->add_mu);
    pthread_mutex_lock(&ds->mu);
    stopping = ds->stop;
    pthread_mutex_unlock(&ds->mu);
    cur = atomic_load(&ds->set);
    for (int i = 0; !stopping && i < c->cfg->naccounts; i++)
        if (!c->meta[i].closed_at && !find_disp(ds, c->cfg->accounts[i].name))
            fresh++;
    if (fresh)
        set = set_new(cur->n + fresh);
    if (set) {
        memcpy(set->v, cur->v, cur->n * sizeof cur->v[0]);
        set->n = cur->n;
        for (int i = 0; i < c->cfg->naccounts; i++) {
            const struct rd_account_config *a = &c->cfg->accounts[i];
            struct disp *p;

            if (c->meta[i].closed_at || find_disp(ds, a->name))
                continue;
            pthread_mutex_lock(&ds->mu);
            stopping = ds->stop;
            pthread_mutex_unlock(&ds->mu);
            if (stopping || !(p = disp_new(srv, a)))
                break;
            p->cfg = c;
            atomic_fetch_add(&c->refs, 1);
            atomic_init(&p->pending, 1);
            if (pthread_create(&p->th, NULL, loop, p) != 0) {
                rd_log_msg(RD_LOG_ERROR, "dispatch.adopt_failed", a->name);
                api_cfg_unref(c);
                pthread_mutex_destroy(&p->mu);
                pthread_mutex_destroy(&p->run_mu);
                rd_free(p);
                break;
            }
            p->started = 1;
            set->v[set->n++] = p;
        }
        set->retired = cur;
        atomic_store(&ds->set, set);
    }
    pthread_mutex_unlock(&ds->add_mu);
    api_cfg_unref(c);
}

int api_dispatchers_failed_start(struct api_server *srv, const char *account)
{
    struct api_dispatchers *ds = srv->dispatchers;
    struct disp *p = ds ? find_disp(ds, account) : NULL;

    return p ? atomic_load(&p->start_failed) : 0;
}

void api_dispatchers_stop(struct api_server *srv)
{
    struct api_dispatchers *ds = srv->dispatchers;
    struct disp_set *set;

    if (!ds)
        return;
    pthread_mutex_lock(&ds->mu);
    ds->stop = 1;
    pthread_cond_broadcast(&ds->cv);
    pthread_mutex_unlock(&ds->mu);
    /* an adoption in progress finishes (its threads see stop); later ones see stop */
    pthread_mutex_lock(&ds->add_mu);
    set = atomic_load(&ds->set);
    pthread_mutex_unlock(&ds->add_mu);
    for (size_t i = 0; i < set->n; i++) {
        struct disp *p = set->v[i];

        if (p->started)
            pthread_join(p->th, NULL);
        rd_runner_close(p->ru);
        pthread_mutex_destroy(&p->mu);
        pthread_mutex_destroy(&p->run_mu);
        if (p->cfg)
            api_cfg_unref(p->cfg);
        rd_free(p);
    }
    while (set) {
        struct disp_set *next = set->retired;

        rd_free(set);
        set = next;
    }
    api_cfg_unref(ds->cfg);
    pthread_cond_destroy(&ds->cv);
    pthread_mutex_destroy(&ds->mu);
    pthread_mutex_destroy(&ds->add_mu);
    rd_free(ds);
    srv->dispatchers = NULL;
}

int api_dispatchers_status(struct api_server *srv, const char *account, int *running,
                           char *error, size_t n)
{
    struct api_dispatchers *ds = srv->dispatchers;
    struct disp *p = ds ? find_disp(ds, account) : NULL;

    *running = 0;
    if (n)
        error[0] = '\0';
    if (!p)
        return 0;
    *running = p->started && !atomic_load(&p->pending) && !atomic_load(&p->start_failed) &&
               !atomic_load(&p->failed) && !atomic_load(&p->lock_lost);
    if (!atomic_load(&p->failed))
        return 0;
    pthread_mutex_lock(&p->mu);
    snprintf(error, n, "%s", p->error);
    pthread_mutex_unlock(&p->mu);
    return 1;
}

static struct disp *running_disp(struct api_server *srv, const char *account)
{
    struct api_dispatchers *ds = srv->dispatchers;
    struct disp *p = ds ? find_disp(ds, account) : NULL;

    return p && p->started && !atomic_load(&p->pending) && !atomic_load(&p->start_failed) &&
                   !atomic_load(&p->lock_lost)
               ? p
               : NULL;
}

int api_dispatchers_evaluate(struct api_server *srv, const char *account, int64_t now,
                             struct rd_rec *rec, struct rd_decision *dec,
                             struct rd_broker_account *ba, struct rd_error *err)
{
    struct disp *p = running_disp(srv, account);
    int rc;

    if (!p)
        return RD_ENOTFOUND;
    pthread_mutex_lock(&p->run_mu);
    /* no runner, or one reopening its store: not running now */
    rc = p->ru && rd_runner_broker(p->ru) ? rd_runner_evaluate_trade(p->ru, now, rec, dec, ba, err)
                                          : RD_ENOTFOUND;
    pthread_mutex_unlock(&p->run_mu);
    return rc;
}

int api_dispatchers_watch(struct api_server *srv, const char *account, const char *rec_id,
                          struct api_watch *w)
{
    struct api_dispatchers *ds = srv->dispatchers;
    struct disp *p = running_disp(srv, account);

    memset(w, 0, sizeof *w);
    if (!p)
        return 0;
    snprintf(w->rec_id, sizeof w->rec_id, "%s", rec_id);
    w->disp = p;
    pthread_mutex_lock(&ds->mu);
    w->next = p->waiters;
    p->waiters = w;
    pthread_mutex_unlock(&ds->mu);
    return 1;
}

void api_dispatchers_unwatch(struct api_server *srv, struct api_watch *w)
{
    struct api_dispatchers *ds = srv->dispatchers;
    struct disp *p = w->disp;

    if (!p)
        return;
    pthread_mutex_lock(&ds->mu);
    for (struct api_watch **pp = &p->waiters; *pp; pp = &(*pp)->next)
        if (*pp == w) {
            *pp = w->next;
            break;
        }
    pthread_mutex_unlock(&ds->mu);
    w->disp = NULL;
}

int api_dispatchers_wait(struct api_server *srv, struct api_watch *w, unsigned wait_ms)
{
    struct api_dispatchers *ds = srv->dispatchers;
    struct disp *p = w->disp;
    struct timespec until;
    int done;

    if (!p)
        return RD_ENOTFOUND;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += wait_ms / 1000;
    until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&ds->mu);
    p->wake = 1;
    pthread_cond_broadcast(&ds->cv);
    while (!w->done && !ds->stop && pthread_cond_timedwait(&ds->cv, &ds->mu, &until) != ETIMEDOUT)
        ;
    done = w->done;
    pthread_mutex_unlock(&ds->mu);
    api_dispatchers_unwatch(srv, w);
    return done ? RD_OK : RD_ETIMEOUT;
}
