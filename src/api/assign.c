/*
 * assign.c - how a user gets an account: the assignment strategies.
 *
 * A strategy picks the account for one user from the request body and the
 * current snapshot; routes_users.c records the choice (store
 * assignment_add: history row + the user's current account, one transaction)
 * and drops the token cache so the trader's scope follows at once.
 *
 * Strategies:
 *   manual        {"account": NAME}: that account (admin only, like every
 *                 assignment change).
 *   least_loaded  the open account with the fewest users (the user being
 *                 assigned not counted); ties go to the first name.
 *   round_robin   the open account after the last one round_robin gave, in
 *                 name order; the cursor is the store's kv ("assign",
 *                 "round_robin"), so it survives restarts and is shared by
 *                 every server on the store.
 *   department    the config's "assignment": {"departments": {DEPT: ACCOUNT}}
 *                 maps the user's department to an account.
 * A user without an account is assigned on their first trade by the config's
 * "assignment": {"auto"} (least_loaded by default; "none": only an admin
 * assigns). Closed accounts are never picked; nor, except by manual, unhealthy ones
 * (health.c): least_loaded and round_robin pass over them, department
 * answers 409, manual assigns with a warning in the answer. The caller holds
 * srv->write_mu.
 */
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "riskdesk/alloc.h"
#include "riskdesk/log.h"
#include "riskdesk/banned.h"

/* {"account": NAME}: that account, which must exist and not be closed. */
static int manual(struct api_req *r, struct api_cfg *c, const struct rd_user_row *u, json_t *body,
                  char *account, size_t n)
{
    const char *name = NULL;
    int st, i;

    (void)u;
    if ((st = api_json_get_str(r, body, "account", &name, 64)))
        return st;
    if (!name)
        return api_error(r, 400, "invalid", "account: required with strategy \"manual\"");
    i = api_cfg_index(c, name);
    if (i < 0)
        return api_error(r, 404, "not_found", "no account named \"%.64s\"", name);
    if (c->meta[i].closed_at)
        return api_error(r, 409, "account_closed", "account \"%s\" is closed; open it again first",
                         name);
    snprintf(account, n, "%s", name);
    return 0;
}

/* ---- helpers: open accounts in name order, users per account ---- */

static const struct rd_config *sort_cfg;

static int by_name(const void *a, const void *b)
{
    return strcmp(sort_cfg->accounts[*(const int *)a].name,
                  sort_cfg->accounts[*(const int *)b].name);
}

/* Indexes of the open, healthy accounts of c, sorted by name, into *out (rd_free). */
static int open_accounts(struct api_req *r, struct api_cfg *c, int **out, int *n)
{
    static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    int *ix = rd_calloc((size_t)c->cfg->naccounts + 1, sizeof *ix);
    int k = 0, nopen = 0;

    if (!ix)
        return api_error(r, 500, "internal", "out of memory");
    for (int i = 0; i < c->cfg->naccounts; i++) {
        if (c->meta[i].closed_at)
            continue;
        nopen++;
        if (api_health_ok(r->srv, c->cfg->accounts[i].name))
            ix[k++] = i;
    }
    pthread_mutex_lock(&mu);
    sort_cfg = c->cfg;
    qsort(ix, (size_t)k, sizeof *ix, by_name);
    pthread_mutex_unlock(&mu);
    if (!k) {
        rd_free(ix);
        if (nopen)
            return api_error(r, 409, "no_healthy_account",
                             "every open account is unhealthy (its broker keeps failing; GET "
                             "/readyz says why); none to assign to");
        return api_error(r, 409, "no_account", "no open account to assign to");
    }
    *out = ix;
    *n = k;
    return 0;
}

struct load {
    struct api_cfg *c;
    const char *skip;            /* the user being assigned */
    int *per;
};

static int load_visit(void *ctx, const struct rd_user_row *u)
{
    struct load *l = ctx;
    int i;

    if (!u->account[0] || !strcmp(u->id, l->skip))
        return 0;
    i = api_cfg_index(l->c, u->account);
    if (i >= 0)
        l->per[i]++;
    return 0;
}

/* Fewest users; the accounts are in name order, so the first minimum wins ties. */
static int least_loaded(struct api_req *r, struct api_cfg *c, const struct rd_user_row *u,
                        json_t *body, char *account, size_t n)
{
    struct rd_error err = {0};
    struct load l = {c, u->id, NULL};
    int *ix = NULL, k = 0, st, rc, best = -1;

    (void)body;
    if ((st = open_accounts(r, c, &ix, &k)))
        return st;
    if (!(l.per = rd_calloc((size_t)c->cfg->naccounts + 1, sizeof *l.per))) {
        st = api_error(r, 500, "internal", "out of memory");
        goto out;
    }
    rc = r->store->ops->api->user_list(r->store, load_visit, &l, &err);
    if (rc != RD_OK) {
        st = api_fail(r, rc, &err);
        goto out;
    }
    for (int j = 0; j < k; j++)
        if (best < 0 || l.per[ix[j]] < l.per[best])
            best = ix[j];
    snprintf(account, n, "%s", c->cfg->accounts[best].name);
out:
    rd_free(l.per);
    rd_free(ix);
    return st;
}

#define RR_NS "assign"
#define RR_KEY "round_robin"

/* The next open account after the cursor, in name order (wrapping). */
static int round_robin(struct api_req *r, struct api_cfg *c, const struct rd_user_row *u,
                       json_t *body, char *account, size_t n)
{
    struct rd_error err = {0};
    char *last = NULL;
    int *ix = NULL, k = 0, st, rc, pick = 0;

    (void)u;
    (void)body;
    if ((st = open_accounts(r, c, &ix, &k)))
        return st;
    rc = r->store->ops->trading->kv_get(r->store, RR_NS, RR_KEY, &last, &err);
    if (rc != RD_OK && rc != RD_ENOTFOUND) {
        st = api_fail(r, rc, &err);
        goto out;
    }
    if (last) {
        /* the first name after the last one given (it may be gone or closed since) */
        pick = 0;
        for (int j = 0; j < k; j++)
            if (strcmp(c->cfg->accounts[ix[j]].name, last) > 0) {
                pick = j;
                break;
            }
    }
    snprintf(account, n, "%s", c->cfg->accounts[ix[pick]].name);
    rc = r->store->ops->trading->kv_put(r->store, RR_NS, RR_KEY, account, 0, &err);
    if (rc != RD_OK)
        st = api_fail(r, rc, &err);
out:
    rd_free(last);
    rd_free(ix);
    return st;
}

/* The config's "assignment": {"departments": {DEPT: ACCOUNT}}. */
static int department(struct api_req *r, struct api_cfg *c, const struct rd_user_row *u,
                      json_t *body, char *account, size_t n)
{
    json_t *root = NULL, *to;
    json_error_t je;
    const char *name;
    int st = 0, i;

    (void)body;
    if (!u->department[0])
        return api_error(r, 409, "no_department",
                         "user \"%s\" has no department; set one or pick another strategy", u->id);
    root = json_loadb(r->srv->config_text, r->srv->config_len, 0, &je);
    to = json_object_get(json_object_get(json_object_get(root, "assignment"), "departments"),
                         u->department);
    if (!json_is_string(to)) {
        st = api_error(r, 409, "no_department",
                       "the config maps no account to department \"%.64s\" "
                       "(\"assignment\": {\"departments\": {...}})",
                       u->department);
        goto out;
    }
    name = json_string_value(to);
    i = api_cfg_index(c, name);
    if (i < 0) {
        st = api_error(r, 404, "not_found", "department \"%.64s\" maps to \"%.64s\": no such account",
                       u->department, name);
        goto out;
    }
    if (c->meta[i].closed_at) {
        st = api_error(r, 409, "account_closed", "department \"%.64s\" maps to \"%s\", which is closed",
                       u->department, name);
        goto out;
    }
    {
        struct api_health_state h;

        api_health_get(r->srv, name, &h);
        if (!h.healthy) {
            st = api_error(r, 409, "account_unhealthy",
                           "department \"%.64s\" maps to \"%s\", which is unhealthy (%d failed "
                           "broker polls in a row: %.200s); assign with strategy \"manual\" or "
                           "wait for it to recover",
                           u->department, name, h.failures, h.error);
            goto out;
        }
    }
    snprintf(account, n, "%s", name);
out:
    json_decref(root);
    return st;
}

static const struct api_assign_strategy strategies[] = {
    {"manual", manual},
    {"least_loaded", least_loaded},
    {"round_robin", round_robin},
    {"department", department},
};

const struct api_assign_strategy *api_assign_strategy_find(const char *name)
{
    for (size_t i = 0; i < sizeof strategies / sizeof strategies[0]; i++)
        if (!strcmp(strategies[i].name, name))
            return &strategies[i];
    return NULL;
}

void api_assign_strategy_names(char *buf, size_t n)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < sizeof strategies / sizeof strategies[0]; i++) {
        int w = snprintf(buf + used, n - used, "%s%s", i ? ", " : "", strategies[i].name);

        if (w < 0 || (size_t)w >= n - used)
            break;
        used += (size_t)w;
    }
}

const struct api_assign_strategy *api_assign_auto(struct api_cfg *c)
{
    const char *name = c->cfg->assignment_auto;

    if (!strcmp(name, "none"))
        return NULL;
    return api_assign_strategy_find(name[0] ? name : "least_loaded");
}

/* A user's first trade: the config's assignment.auto picks (healthy accounts only). */
int api_assign_first_pick(struct api_req *r, const struct rd_user_row *u, char *account,
                          size_t n, char strategy[16])
{
    const struct api_assign_strategy *strat;
    struct api_cfg *c;
    int st;

    account[0] = '\0';
    pthread_mutex_lock(&r->srv->write_mu);
    c = api_cfgref(r);
    strat = api_assign_auto(c);
    if (!strat) {
        st = api_error(r, 409, "no_account",
                       "user \"%s\" has no account, and assignment.auto is \"none\": an admin "
                       "assigns one (PUT /api/v1/users/%s/assignment, or Slack's /assign-account)",
                       u->id, u->id);
    } else {
        snprintf(strategy, 16, "%s", strat->name);
        st = strat->pick(r, c, u, NULL, account, n);
    }
    pthread_mutex_unlock(&r->srv->write_mu);
    return st;
}

/* Records what api_assign_first_pick gave, once the trade is answered. */
int api_assign_first_record(struct api_req *r, struct rd_user_row *u, const char *account,
                            const char *strategy)
{
    struct rd_assignment_row a;
    struct rd_user_row now;
    struct rd_error err = {0};
    struct rd_logline l;
    int st = 0, rc;

    pthread_mutex_lock(&r->srv->write_mu);
    /* someone may have assigned the user while the trade was evaluated */
    rc = r->store->ops->api->user_get(r->store, u->id, &now, &err);
    if (rc != RD_OK) {
        st = rc == RD_ENOTFOUND ? api_error(r, 404, "not_found", "no user \"%.64s\"", u->id)
                                : api_fail(r, rc, &err);
        goto out;
    }
    if (now.account[0]) {
        if (strcmp(now.account, account) != 0)
            st = api_error(r, 409, "assignment_changed",
                           "user \"%s\" was assigned to \"%s\" while this trade was evaluated "
                           "on \"%s\"; send it again", u->id, now.account, account);
        goto out;
    }
    memset(&a, 0, sizeof a);
    snprintf(a.user, sizeof a.user, "%s", u->id);
    snprintf(a.account, sizeof a.account, "%s", account);
    snprintf(a.strategy, sizeof a.strategy, "%s", strategy);
    snprintf(a.assigned_by, sizeof a.assigned_by, "%s", r->auth.user);
    snprintf(a.reason, sizeof a.reason, "first trade");
    a.at = (int64_t)time(NULL);
    rc = r->store->ops->api->assignment_add(r->store, &a, &err);
    if (rc != RD_OK) {
        st = api_fail(r, rc, &err);
        goto out;
    }
    api_token_cache_clear(r->srv->tokens);
    snprintf(u->account, sizeof u->account, "%s", account);
    rd_log_begin(&l, RD_LOG_INFO, "api.assignment");
    rd_log_str(&l, "user", a.user);
    rd_log_str(&l, "account", a.account);
    rd_log_str(&l, "strategy", a.strategy);
    rd_log_str(&l, "by", a.assigned_by);
    rd_log_str(&l, "reason", a.reason);
    rd_log_end(&l);
out:
    pthread_mutex_unlock(&r->srv->write_mu);
    return st;
}
