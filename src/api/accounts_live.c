/*
 * accounts_live.c - each account's numbers as its broker last gave them
 * (buying power, cash, equity, last equity), shared by the account routes,
 * /readyz and /metrics.
 *
 * An in-process dispatcher publishes its numbers after every sync. For other
 * accounts the broker is asked when what is known is older than the caller's
 * max_age; one request asks at a time per account, the others use what is
 * known meanwhile, so a slow broker never piles requests up behind it.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api_int.h"
#include "riskdesk/alloc.h"
#include "riskdesk/runner.h"
#include "riskdesk/banned.h"

struct entry {
    char name[API_NAME_MAX];
    struct api_live v;
    int refreshing;
};

struct api_live_table {
    pthread_mutex_t mu;
    struct api_by_name tab;      /* of struct entry */
};

int api_live_table_new(struct api_live_table **out)
{
    struct api_live_table *t = rd_calloc(1, sizeof *t);

    *out = NULL;
    if (!t)
        return RD_ENOMEM;
    pthread_mutex_init(&t->mu, NULL);
    api_by_name_init(&t->tab, sizeof(struct entry));
    *out = t;
    return RD_OK;
}

void api_live_table_free(struct api_live_table *t)
{
    if (!t)
        return;
    pthread_mutex_destroy(&t->mu);
    api_by_name_release(&t->tab);
    rd_free(t);
}

/* Under the lock: the entry of name, added when new (NULL without memory). */
static struct entry *find(struct api_live_table *t, const char *name)
{
    int added;

    return api_by_name_find(&t->tab, name, &added);
}

void api_live_set(struct api_server *srv, const char *account, const struct api_live *v)
{
    struct api_live_table *t = srv->live;
    struct entry *e;

    pthread_mutex_lock(&t->mu);
    e = find(t, account);
    if (e)
        e->v = *v;
    pthread_mutex_unlock(&t->mu);
}

static void ask_broker(struct rd_store *store, const struct rd_config *cfg,
                       const struct rd_account_config *a, struct api_live *v)
{
    struct rd_runner *ru = NULL;
    struct rd_broker_account ba;
    struct rd_error err = {0};
    int rc;

    rc = rd_runner_open_probe(cfg, a, store, &ru, &err);
    if (rc == RD_OK)
        rc = rd_runner_broker_account(ru, (int64_t)time(NULL), &ba, &err);
    rd_runner_close(ru);
    v->at = (int64_t)time(NULL);
    v->from_dispatcher = 0;
    if (rc != RD_OK) {
        v->ok = 0;
        snprintf(v->error, sizeof v->error, "%s", err.msg[0] ? err.msg : rd_strerror(rc));
        return;
    }
    v->known = 1;
    v->ok = 1;
    v->error[0] = '\0';
    v->buying_power = ba.buying_power;
    v->cash = ba.cash;
    v->equity = ba.equity;
    v->last_equity = ba.last_equity;
    snprintf(v->status, sizeof v->status, "%s", ba.status);
}

/* What is known, asking the broker first when it is older than max_age
 * seconds (and no one else is asking); returns whether it asked. */
static int get(struct api_server *srv, struct rd_store *store, const struct rd_config *cfg,
               const struct rd_account_config *a, int max_age, struct api_live *out)
{
    struct api_live_table *t = srv->live;
    struct api_live fresh;
    struct entry *e;
    int64_t now = (int64_t)time(NULL);
    int ask;

    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&t->mu);
    e = find(t, a->name);
    if (!e) {
        pthread_mutex_unlock(&t->mu);
        snprintf(out->error, sizeof out->error, "out of memory");
        return 0;
    }
    *out = e->v;
    ask = max_age >= 0 && store && !e->refreshing && (!e->v.at || now - e->v.at >= max_age);
    if (ask)
        e->refreshing = 1;
    pthread_mutex_unlock(&t->mu);
    if (!ask)
        return 0;

    fresh = *out;
    ask_broker(store, cfg, a, &fresh);
    pthread_mutex_lock(&t->mu);
    e = find(t, a->name);
    if (e) {
        e->refreshing = 0;
        /* a dispatcher's newer numbers win */
        if (!(e->v.from_dispatcher && e->v.at > fresh.at))
            e->v = fresh;
        *out = e->v;
    }
    pthread_mutex_unlock(&t->mu);
    return 1;
}

void api_live_get(struct api_server *srv, struct rd_store *store,
                  const struct rd_config *cfg, const struct rd_account_config *a, int max_age,
                  struct api_live *out)
{
    (void)get(srv, store, cfg, a, max_age, out);
}

int api_live_poll(struct api_server *srv, struct rd_store *store, const struct rd_config *cfg,
                  const struct rd_account_config *a, struct api_live *out)
{
    return get(srv, store, cfg, a, 0, out);
}
