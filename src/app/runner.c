/*
 * runner.c - one account opened, run and closed in one place (runner.h).
 *
 * The order of opening is the order of trust: the account's keys are
 * resolved and checked against every other account's before any broker is
 * opened with them, so two accounts can never trade on one key whichever
 * entry point starts them. The resolved keys live in the runner (wiped at
 * close); the broker only borrows them.
 */
#include "riskdesk/runner.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "riskdesk/alloc.h"
#include "riskdesk/log.h"
#include "app/dispatcher_int.h"
#include "riskdesk/banned.h"

#define RUNNER_MAGIC 0x52554e52u             /* "RUNR" */
#define BACKOFF_MAX_S 30

struct rd_runner {
    uint32_t magic;
    const struct rd_config *cfg;
    const struct rd_account_config *acct;
    struct rd_store *store;
    int own_store;
    char store_url[RD_SOURCE_MAX];
    size_t batch_max;
    struct rd_dispatch_hooks hooks;
    struct rd_credentials keys;
    struct rd_broker_state state;
    struct rd_broker *broker;
    struct rd_dispatcher *d;
    int quiet;
    int probe;
    struct rd_runner_status status;
    unsigned backoff_s;          /* the wait before the next reopen attempt */
    int64_t retry_at;            /* monotonic s of that attempt */
};

static int64_t mono_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

/* ---- the paper broker's state in the store ---- */

static int st_get(void *ctx, const char *ns, const char *key, char **val, struct rd_error *err)
{
    struct rd_store *s = ctx;

    return s->ops->trading->kv_get(s, ns, key, val, err);
}

static int st_get_many(void *ctx, const char *ns, const char *const *keys, size_t n,
                       char **vals, struct rd_error *err)
{
    return rd_store_kv_get_many(ctx, ns, keys, n, vals, err);
}

static int st_put(void *ctx, const char *ns, const char *key, const char *val, int only_new,
                  struct rd_error *err)
{
    struct rd_store *s = ctx;

    return s->ops->trading->kv_put(s, ns, key, val, only_new, err);
}

static int st_put_many(void *ctx, const char *ns, const char *const *keys,
                       const char *const *vals, size_t n, int only_new, struct rd_error *err)
{
    return rd_store_kv_put_many(ctx, ns, keys, vals, n, only_new, err);
}

static int st_put_shared_many(void *ctx, const char *ns, const char *const *keys,
                              const char *const *vals, size_t n, int mode, int *written,
                              struct rd_error *err)
{
    return rd_store_kv_put_shared_many(ctx, ns, keys, vals, n, mode, written, err);
}

static int st_begin(void *ctx, struct rd_error *err)
{
    struct rd_store *s = ctx;

    return s->ops->begin(s, err);
}

static int st_commit(void *ctx, struct rd_error *err)
{
    struct rd_store *s = ctx;

    return s->ops->commit(s, err);
}

static void st_rollback(void *ctx)
{
    struct rd_store *s = ctx;

    s->ops->rollback(s);
}

void rd_runner_store_state(struct rd_store *s, struct rd_broker_state *out)
{
    out->ctx = s;
    out->get = st_get;
    out->get_many = st_get_many;
    out->put = st_put;
    out->put_many = st_put_many;
    out->put_shared_many = st_put_shared_many;
    out->begin = st_begin;
    out->commit = st_commit;
    out->rollback = st_rollback;
}

/* ---- opening ---- */

static int open_keys(struct rd_runner *r, struct rd_error *err)
{
    const struct rd_account_config *a = r->acct;
    int rc;

    if (a->broker != RD_BROKER_ALPACA)
        return RD_OK;
    if (!a->credentials[0])
        return rd_error_set(err, RD_ECONFIG, "alpaca account %s: no credentials source (expected "
                            "\"env:PREFIX\" or \"file:PATH\")", a->name);
    /* no account may trade on another account's key */
    if (!r->probe && (rc = rd_config_check_distinct_keys(r->cfg, err)) != RD_OK)
        return rc;
    if ((rc = rd_account_credentials(a, &r->keys, err)) != RD_OK)
        return rd_error_prefix(err, "alpaca account %s", a->name);
    return RD_OK;
}

/* The broker over r->store and the dispatcher over both. */
static int open_parts(struct rd_runner *r, struct rd_error *err)
{
    struct rd_dispatcher_params dp;
    struct rd_broker_params bp;
    int rc;

    rd_runner_store_state(r->store, &r->state);
    memset(&bp, 0, sizeof bp);
    bp.account = r->acct->name;
    bp.state = &r->state;
    bp.starting_cash = r->acct->starting_cash;
    bp.seed = r->cfg->paper_seed;
    bp.keys = r->acct->broker == RD_BROKER_ALPACA ? &r->keys : NULL;
    bp.live = r->acct->live;
    if ((rc = rd_broker_open(rd_broker_kind(r->acct->broker), &bp, &r->broker, err)) != RD_OK)
        return rc;
    memset(&dp, 0, sizeof dp);
    dp.cfg = r->cfg;
    dp.account = r->acct;
    dp.store = r->store;
    dp.broker = r->broker;
    dp.batch_max = r->batch_max;
    dp.hooks = r->hooks;
    return rd_dispatcher_new(&dp, &r->d, err);
}

static void close_parts(struct rd_runner *r)
{
    rd_dispatcher_free(r->d);
    rd_broker_close(r->broker);
    r->d = NULL;
    r->broker = NULL;
}

int rd_runner_open(const struct rd_runner_params *p, struct rd_runner **out, struct rd_error *err)
{
    struct rd_runner *r;
    int rc;

    *out = NULL;
    if (!p->cfg || !p->account || (!p->store && !p->store_url))
        return rd_error_set(err, RD_EINVAL, "runner: a config, an account and a store are needed");
    r = rd_calloc(1, sizeof *r);
    if (!r)
        return rd_error_set(err, RD_ENOMEM, "account %s: out of memory", p->account->name);
    r->magic = RUNNER_MAGIC;
    r->cfg = p->cfg;
    r->acct = p->account;
    r->quiet = p->quiet;
    r->probe = p->probe;
    r->batch_max = p->batch_max;
    r->hooks = p->hooks;
    r->store = p->store;
    if (!r->store) {
        snprintf(r->store_url, sizeof r->store_url, "%s", p->store_url);
        if ((rc = rd_store_open_config(r->store_url, r->cfg, &r->store, err)) != RD_OK)
            goto fail;
        r->own_store = 1;
    }
    if ((rc = open_keys(r, err)) != RD_OK || (rc = open_parts(r, err)) != RD_OK)
        goto fail;
    *out = r;
    return RD_OK;
fail:
    rd_runner_close(r);
    return rc;
}

int rd_runner_open_probe(const struct rd_config *cfg, const struct rd_account_config *account,
                         struct rd_store *store, struct rd_runner **out, struct rd_error *err)
{
    struct rd_runner_params p;

    memset(&p, 0, sizeof p);
    p.cfg = cfg;
    p.account = account;
    p.store = store;
    p.batch_max = 1;
    p.quiet = 1;
    p.probe = 1;
    return rd_runner_open(&p, out, err);
}

void rd_runner_close(struct rd_runner *r)
{
    if (!r || r->magic != RUNNER_MAGIC)
        return;
    close_parts(r);
    if (r->own_store)
        rd_store_close(r->store);
    rd_credentials_wipe(&r->keys);
    r->magic = 0;
    rd_free(r);
}

int rd_runner_start(struct rd_runner *r, int64_t now, struct rd_error *err)
{
    int rc;

    if (r->probe)
        return rd_error_set(err, RD_EINVAL, "account %s: a probe runner cannot start",
                            r->acct->name);
    if (!r->status.started) {
        if ((rc = rd_dispatcher_lock(r->d, err)) != RD_OK)
            return rc;
        r->status.started = 1;
    }
    return rd_dispatcher_start(r->d, now, err);
}

/* ---- running ---- */

void rd_runner_log_cycle(const char *account, const struct rd_cycle_stats *st)
{
    struct rd_logline l;

    rd_log_begin(&l, RD_LOG_INFO, "dispatch.cycle");
    rd_log_str(&l, "account", account);
    rd_log_str(&l, "tier", rd_tier_name(st->tier));
    rd_log_int(&l, "decided", st->decided);
    rd_log_int(&l, "approved", st->approved);
    rd_log_int(&l, "rejected", st->rejected);
    rd_log_int(&l, "submitted", st->submitted);
    rd_log_int(&l, "filled", st->filled);
    rd_log_int(&l, "broker_rejected", st->broker_rejected);
    rd_log_int(&l, "exits", st->exits);
    rd_log_int(&l, "reconciled", st->reconciled);
    rd_log_money(&l, "buying_power", st->buying_power);
    rd_log_money(&l, "equity", st->equity);
    rd_log_end(&l);
}

/* Everything over the store opened again, the lock taken again, one sync. */
static int reopen(struct rd_runner *r, int64_t now, struct rd_error *err)
{
    struct rd_logline l;
    int rc;

    close_parts(r);
    rd_store_close(r->store);
    r->store = NULL;
    if ((rc = rd_store_open_config(r->store_url, r->cfg, &r->store, err)) != RD_OK ||
        (rc = open_parts(r, err)) != RD_OK)
        return rc;
    if ((rc = rd_dispatcher_lock(r->d, err)) != RD_OK)
        return rc;
    if ((rc = rd_dispatcher_start(r->d, now, err)) != RD_OK)
        return rc;
    r->status.recovering = 0;
    r->status.reopens++;
    r->backoff_s = 0;
    rd_log_begin(&l, RD_LOG_INFO, "dispatch.recovered");
    rd_log_str(&l, "account", r->acct->name);
    rd_log_int(&l, "failures", r->status.failures);
    rd_log_str(&l, "msg", "store reopened, account lock taken again");
    rd_log_end(&l);
    return RD_OK;
}

/* A failed reopen: the next attempt after the backoff, doubled up to 30 s. */
static int reopen_failed(struct rd_runner *r, int rc, struct rd_error *err)
{
    struct rd_logline l;

    r->backoff_s = r->backoff_s ? r->backoff_s * 2 : 1;
    if (r->backoff_s > BACKOFF_MAX_S)
        r->backoff_s = BACKOFF_MAX_S;
    r->retry_at = mono_s() + r->backoff_s;
    rd_log_begin(&l, rc == RD_EBUSY ? RD_LOG_ERROR : RD_LOG_WARN,
                 rc == RD_EBUSY ? "dispatch.lock_lost" : "dispatch.reopen_failed");
    rd_log_str(&l, "account", r->acct->name);
    if (rc != RD_EBUSY)
        rd_log_int(&l, "retry_in_s", r->backoff_s);
    rd_log_str(&l, "error", err->msg);
    rd_log_end(&l);
    if (rc == RD_EBUSY)
        return rd_error_prefix(err, "account %s: its lock was taken by another process while the "
                               "store was away", r->acct->name);
    return rc == RD_ESTORE ? rc : rd_error_set(err, RD_ESTORE, "account %s: %s", r->acct->name,
                                               err->msg);
}

int rd_runner_cycle(struct rd_runner *r, int64_t now, struct rd_cycle_stats *st,
                    struct rd_error *err)
{
    struct rd_logline l;
    int rc;

    memset(st, 0, sizeof *st);
    if (r->status.paused)
        return RD_OK;
    if (r->status.recovering) {
        if (mono_s() < r->retry_at)
            return rd_error_set(err, RD_ESTORE, "account %s: the store is away; next attempt in "
                                "%u s", r->acct->name, rd_runner_retry_in(r));
        if ((rc = reopen(r, now, err)) != RD_OK)
            return reopen_failed(r, rc, err);
    }
    rc = rd_dispatcher_cycle(r->d, now, st, err);
    r->status.cycles++;
    if (rc == RD_OK) {
        r->status.failures = 0;
        r->status.error[0] = '\0';
        r->status.last_ok = now;
        if (!r->quiet)
            rd_runner_log_cycle(r->acct->name, st);
        return RD_OK;
    }
    r->status.failures++;
    snprintf(r->status.error, sizeof r->status.error, "%s", err->msg[0] ? err->msg : rd_strerror(rc));
    if (r->own_store && r->status.started) {
        r->status.recovering = 1;
        r->retry_at = mono_s();                 /* the first reopen at the next cycle */
    }
    rd_log_begin(&l, RD_LOG_ERROR, "dispatch.cycle_failed");
    rd_log_str(&l, "account", r->acct->name);
    rd_log_int(&l, "failures", r->status.failures);
    rd_log_str(&l, "msg", r->status.error);
    if (r->status.recovering)
        rd_log_str(&l, "next", "reopen the store and take the account's lock again");
    rd_log_end(&l);
    return rc;
}

unsigned rd_runner_retry_in(const struct rd_runner *r)
{
    int64_t left;

    if (!r->status.recovering)
        return 0;
    left = r->retry_at - mono_s();
    return left > 0 ? (unsigned)left : 0;
}

int rd_runner_wait(struct rd_runner *r, unsigned seconds)
{
    struct rd_error err = {0};
    int woken = 0;

    if (!r->store || r->status.recovering || r->status.paused ||
        rd_store_rec_wait(r->store, seconds * 1000u, &woken, &err) != RD_OK)
        return -1;
    return woken;
}

void rd_runner_pause(struct rd_runner *r, const char *why)
{
    struct rd_logline l;

    if (r->status.paused)
        return;
    r->status.paused = 1;
    rd_log_begin(&l, RD_LOG_INFO, "dispatch.paused");
    rd_log_str(&l, "account", r->acct->name);
    rd_log_str(&l, "why", why ? why : "");
    rd_log_end(&l);
}

void rd_runner_resume(struct rd_runner *r)
{
    struct rd_logline l;

    if (!r->status.paused)
        return;
    r->status.paused = 0;
    rd_log_begin(&l, RD_LOG_INFO, "dispatch.resumed");
    rd_log_str(&l, "account", r->acct->name);
    rd_log_end(&l);
}

void rd_runner_status(const struct rd_runner *r, struct rd_runner_status *out)
{
    *out = r->status;
}

/* ---- asking ---- */

static int away(const struct rd_runner *r, struct rd_error *err)
{
    return rd_error_set(err, RD_ESTORE, "account %s: the store is away (reopening)", r->acct->name);
}

int rd_runner_broker_account(struct rd_runner *r, int64_t now, struct rd_broker_account *out,
                             struct rd_error *err)
{
    if (!r->broker)
        return away(r, err);
    r->broker->now = now;
    return r->broker->ops->get_account(r->broker, out, err);
}

int rd_runner_evaluate(struct rd_runner *r, int64_t now, const struct rd_rec *rec,
                       struct rd_decision *out, struct rd_broker_account *ba,
                       struct rd_error *err)
{
    struct rd_store *s = r->store;
    int rc;

    if (!r->d || r->status.recovering)
        return away(r, err);
    if ((rc = s->ops->begin(s, err)) != RD_OK)
        return rc;
    rc = rd_dispatcher_evaluate(r->d, now, rec, out, err);
    if (rc == RD_OK && ba)
        *ba = r->d->bacct;          /* what the decision saw */
    s->ops->rollback(s);
    return rc;
}

int rd_runner_evaluate_trade(struct rd_runner *r, int64_t now, struct rd_rec *rec,
                             struct rd_decision *out, struct rd_broker_account *ba,
                             struct rd_error *err)
{
    struct rd_broker *b = r->broker;

    if (!b || r->status.recovering)
        return away(r, err);
    if (!rec->price) {
        b->now = now;
        if (!b->ops->quote || b->ops->quote(b, rec->symbol, &rec->price, err) != RD_OK)
            return rd_error_set(err, RD_EINVAL, "no quote for \"%s\"; give a limit price",
                                rec->symbol);
    }
    if (rd_rec_validate(rec, err) != RD_OK)
        return RD_EINVAL;
    return rd_runner_evaluate(r, now, rec, out, ba, err);
}

struct rd_broker *rd_runner_broker(struct rd_runner *r)
{
    return r->broker;
}

struct rd_store *rd_runner_store(struct rd_runner *r)
{
    return r->store;
}

const struct rd_account_config *rd_runner_account(const struct rd_runner *r)
{
    return r->acct;
}
