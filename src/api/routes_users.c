/*
 * routes_users.c - people and their accounts: /api/v1/users,
 * /api/v1/users/{id}/assignment and /api/v1/assignments (history, stats).
 *
 * A trader sees only their own user and assignment history; viewers see all;
 * every change is the admin's. An assignment is recorded with who made it,
 * the strategy and the reason (assign.c holds the strategies).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api_int.h"
#include "riskdesk/alloc.h"
#include "riskdesk/log.h"
#include "riskdesk/banned.h"

#define DEFAULT_LIMIT 100
#define MAX_LIMIT 1000

static void user_json(struct rd_buf *o, const struct rd_user_row *u)
{
    rd_buf_puts(o, "{\"id\":");
    api_json_str(o, u->id);
    rd_buf_puts(o, ",\"display_name\":");
    api_json_str(o, u->display_name);
    rd_buf_puts(o, ",\"department\":");
    api_json_str(o, u->department);
    rd_buf_puts(o, ",\"slack_user_id\":");
    api_json_str(o, u->slack_user_id);
    rd_buf_puts(o, ",\"account\":");
    if (u->account[0])
        api_json_str(o, u->account);
    else
        rd_buf_puts(o, "null");
    rd_buf_puts(o, ",\"created_at\":");
    api_json_time(o, u->created_at);
    rd_buf_puts(o, ",\"updated_at\":");
    api_json_time(o, u->updated_at);
    rd_buf_puts(o, "}");
}

static void assignment_json(struct rd_buf *o, const struct rd_assignment_row *a)
{
    rd_buf_printf(o, "{\"id\":%" PRId64 ",\"user\":", a->id);
    api_json_str(o, a->user);
    rd_buf_puts(o, ",\"account\":");
    if (a->account[0])
        api_json_str(o, a->account);
    else
        rd_buf_puts(o, "null");
    rd_buf_puts(o, ",\"previous\":");
    if (a->previous[0])
        api_json_str(o, a->previous);
    else
        rd_buf_puts(o, "null");
    rd_buf_puts(o, ",\"strategy\":");
    api_json_str(o, a->strategy);
    rd_buf_puts(o, ",\"assigned_by\":");
    api_json_str(o, a->assigned_by);
    rd_buf_puts(o, ",\"reason\":");
    api_json_str(o, a->reason);
    rd_buf_puts(o, ",\"at\":");
    api_json_time(o, a->at);
    rd_buf_puts(o, "}");
}

static int parse_limit(struct api_req *r, size_t *out)
{
    const char *v = api_query(r, "limit");
    char *end;
    long n;

    *out = DEFAULT_LIMIT;
    if (!v)
        return 0;
    n = strtol(v, &end, 10);
    if (!*v || *end || n < 1 || n > MAX_LIMIT)
        return api_error(r, 400, "invalid", "limit: \"%.20s\"; expected 1 to %d", v, MAX_LIMIT);
    *out = (size_t)n;
    return 0;
}

/* ---- users ---- */

struct walk {
    struct api_req *r;
    int n;
};

static int user_visit(void *ctx, const struct rd_user_row *u)
{
    struct walk *w = ctx;

    if (w->r->auth.role == RD_ROLE_TRADER && strcmp(u->id, w->r->auth.user) != 0)
        return 0;
    if (w->n++)
        rd_buf_puts(&w->r->out, ",");
    user_json(&w->r->out, u);
    return 0;
}

static int list_users(struct api_req *r)
{
    static const char *const q[] = {NULL};
    struct rd_error err = {0};
    struct walk w = {r, 0};
    struct rd_store *s;
    int rc;

    if ((rc = api_query_check(r, q)))
        return rc;
    if (!(s = api_store(r)))
        return r->status;
    rd_buf_puts(&r->out, "{\"users\":[");
    rc = s->ops->api->user_list(s, user_visit, &w, &err);
    if (rc != RD_OK)
        return api_fail(r, rc, &err);
    rd_buf_puts(&r->out, "]}\n");
    return 200;
}

static const char *const user_keys[] = {"id", "display_name", "department", "slack_user_id", NULL};

/* Fills u's text fields from the body (only those present). */
static int user_fields(struct api_req *r, json_t *o, struct rd_user_row *u)
{
    const char *name = NULL, *dept = NULL, *slack = NULL;
    int st;

    if ((st = api_json_get_str(r, o, "display_name", &name, sizeof u->display_name)) ||
        (st = api_json_get_str(r, o, "department", &dept, sizeof u->department)) ||
        (st = api_json_get_str(r, o, "slack_user_id", &slack, sizeof u->slack_user_id)))
        return st;
    if (name)
        snprintf(u->display_name, sizeof u->display_name, "%s", name);
    if (dept)
        snprintf(u->department, sizeof u->department, "%s", dept);
    if (slack)
        snprintf(u->slack_user_id, sizeof u->slack_user_id, "%s", slack);
    return 0;
}

static int create_user(struct api_req *r)
{
    struct rd_error err = {0};
    struct rd_user_row u;
    struct rd_store *s;
    const char *id = NULL;
    json_t *o = NULL;
    int st, rc;

    if ((st = api_body_json(r, &o)))
        return st;
    memset(&u, 0, sizeof u);
    if (!json_is_object(o)) {
        st = api_error(r, 400, "invalid", "expected a JSON object describing the user");
        goto out;
    }
    if ((st = api_json_check_keys(r, o, user_keys, "user")) ||
        (st = api_json_get_str(r, o, "id", &id, sizeof u.id)) || (st = user_fields(r, o, &u)))
        goto out;
    if (!id || !api_valid_name(id)) {
        st = api_error(r, 400, "invalid", "id: required; 1-63 characters of A-Z a-z 0-9 _ . @ -");
        goto out;
    }
    if (!u.display_name[0]) {
        st = api_error(r, 400, "invalid", "display_name: required");
        goto out;
    }
    snprintf(u.id, sizeof u.id, "%s", id);
    u.created_at = u.updated_at = (int64_t)time(NULL);
    if (!(s = api_store(r))) {
        st = r->status;
        goto out;
    }
    rc = s->ops->api->user_put(s, &u, 1, &err);
    if (rc == RD_EEXIST) {
        st = api_error(r, 409, "conflict", "a user \"%s\" already exists", u.id);
        goto out;
    }
    if (rc != RD_OK) {
        st = api_fail(r, rc, &err);
        goto out;
    }
    user_json(&r->out, &u);
    rd_buf_puts(&r->out, "\n");
    st = 201;
out:
    json_decref(o);
    return st;
}

static int load_user(struct api_req *r, struct rd_user_row *u)
{
    struct rd_error err = {0};
    struct rd_store *s = api_store(r);
    int rc;

    if (!s)
        return r->status;
    rc = s->ops->api->user_get(s, api_param(r, "id"), u, &err);
    if (rc == RD_ENOTFOUND)
        return api_error(r, 404, "not_found", "no user \"%.64s\"", api_param(r, "id"));
    return rc == RD_OK ? 0 : api_fail(r, rc, &err);
}

static int get_user(struct api_req *r)
{
    struct rd_user_row u;
    int st = load_user(r, &u);

    if (st)
        return st;
    user_json(&r->out, &u);
    rd_buf_puts(&r->out, "\n");
    return 200;
}

static int update_user(struct api_req *r)
{
    static const char *const keys[] = {"display_name", "department", "slack_user_id", NULL};
    struct rd_error err = {0};
    struct rd_user_row u;
    json_t *o = NULL;
    int st, rc;

    if ((st = api_body_json(r, &o)))
        return st;
    if (!json_is_object(o)) {
        st = api_error(r, 400, "invalid", "expected a JSON object of the fields to change");
        goto out;
    }
    if ((st = api_json_check_keys(r, o, keys, "user")) || (st = load_user(r, &u)) ||
        (st = user_fields(r, o, &u)))
        goto out;
    if (!u.display_name[0]) {
        st = api_error(r, 400, "invalid", "display_name: cannot be empty");
        goto out;
    }
    u.updated_at = (int64_t)time(NULL);
    rc = r->store->ops->api->user_put(r->store, &u, 0, &err);
    if (rc != RD_OK) {
        st = api_fail(r, rc, &err);
        goto out;
    }
    user_json(&r->out, &u);
    rd_buf_puts(&r->out, "\n");
    st = 200;
out:
    json_decref(o);
    return st;
}

/* ---- assignment ---- */

static int first_row(void *ctx, const struct rd_assignment_row *a)
{
    *(struct rd_assignment_row *)ctx = *a;
    return 1;
}

static int get_assignment(struct api_req *r)
{
    struct rd_assignment_row last;
    struct rd_error err = {0};
    struct rd_user_row u;
    int st = load_user(r, &u), rc;

    if (st)
        return st;
    memset(&last, 0, sizeof last);
    rc = r->store->ops->api->assignment_list(r->store, u.id, NULL, 1, first_row, &last, &err);
    if (rc != RD_OK && rc != 1)
        return api_fail(r, rc, &err);
    rd_buf_puts(&r->out, "{\"user\":");
    api_json_str(&r->out, u.id);
    rd_buf_puts(&r->out, ",\"account\":");
    if (u.account[0])
        api_json_str(&r->out, u.account);
    else
        rd_buf_puts(&r->out, "null");
    rd_buf_puts(&r->out, ",\"last_change\":");
    if (last.id)
        assignment_json(&r->out, &last);
    else
        rd_buf_puts(&r->out, "null");
    rd_buf_puts(&r->out, "}\n");
    return 200;
}

/* Records the assignment of u to account ("" = none) and answers with it. */
static int record(struct api_req *r, const struct rd_user_row *u, const char *account,
                  const char *strategy, const char *reason, const char *warning)
{
    struct rd_assignment_row a;
    struct rd_error err = {0};
    struct rd_logline l;
    int rc;

    memset(&a, 0, sizeof a);
    snprintf(a.user, sizeof a.user, "%s", u->id);
    snprintf(a.account, sizeof a.account, "%s", account);
    snprintf(a.strategy, sizeof a.strategy, "%s", strategy);
    snprintf(a.assigned_by, sizeof a.assigned_by, "%s", r->auth.user);
    snprintf(a.reason, sizeof a.reason, "%s", reason ? reason : "");
    a.at = (int64_t)time(NULL);
    rc = r->store->ops->api->assignment_add(r->store, &a, &err);
    if (rc != RD_OK)
        return api_fail(r, rc, &err);
    api_token_cache_clear(r->srv->tokens);
    rd_log_begin(&l, RD_LOG_INFO, "api.assignment");
    rd_log_str(&l, "user", a.user);
    rd_log_str(&l, "account", a.account);
    rd_log_str(&l, "previous", a.previous);
    rd_log_str(&l, "strategy", a.strategy);
    rd_log_str(&l, "by", a.assigned_by);
    rd_log_end(&l);
    assignment_json(&r->out, &a);
    if (warning) {
        r->out.len--;   /* into the object */
        rd_buf_puts(&r->out, ",\"warning\":");
        api_json_str(&r->out, warning);
        rd_buf_puts(&r->out, "}");
    }
    rd_buf_puts(&r->out, "\n");
    return 200;
}

static int put_assignment(struct api_req *r)
{
    static const char *const keys[] = {"account", "strategy", "reason", NULL};
    const struct api_assign_strategy *strat;
    const char *sname = NULL, *reason = NULL;
    char account[64] = "", names[256], warning[400] = "";
    struct rd_user_row u;
    json_t *o = NULL;
    int st;

    if ((st = api_body_json(r, &o)))
        return st;
    if (!json_is_object(o)) {
        st = api_error(r, 400, "invalid", "expected {\"account\": NAME} or {\"strategy\": NAME}");
        goto out;
    }
    if ((st = api_json_check_keys(r, o, keys, "assignment")) ||
        (st = api_json_get_str(r, o, "strategy", &sname, 32)) ||
        (st = api_json_get_str(r, o, "reason", &reason, 256)))
        goto out;
    /* no strategy: "manual" when an account is named, else assignment.auto */
    if (!sname && !json_object_get(o, "account")) {
        strat = api_assign_auto(api_cfgref(r));
        if (!strat) {
            st = api_error(r, 400, "invalid",
                           "assignment.auto is \"none\": name the account ({\"account\": NAME}) "
                           "or a strategy");
            goto out;
        }
        sname = strat->name;
    }
    if (!sname)
        sname = "manual";
    strat = api_assign_strategy_find(sname);
    if (!strat) {
        api_assign_strategy_names(names, sizeof names);
        st = api_error(r, 400, "invalid", "strategy: \"%s\" is not known; expected %s", sname,
                       names);
        goto out;
    }
    if ((st = load_user(r, &u)))
        goto out;
    /* decide and record under the account lock, so a closing account cannot
     * slip in between */
    pthread_mutex_lock(&r->srv->write_mu);
    st = strat->pick(r, api_cfgref(r), &u, o, account, sizeof account);
    /* only manual can pick an unhealthy account: allowed, but said */
    if (!st && account[0])
        api_health_warning(r->srv, account, warning, sizeof warning);
    if (!st)
        st = record(r, &u, account, strat->name, reason, warning[0] ? warning : NULL);
    pthread_mutex_unlock(&r->srv->write_mu);
out:
    json_decref(o);
    return st;
}

static int delete_assignment(struct api_req *r)
{
    struct rd_user_row u;
    int st = load_user(r, &u);

    if (st)
        return st;
    return record(r, &u, "", "manual", "unassigned", NULL);
}

/* ---- tokens ---- */

/* Revokes a token by id (its row stays, with revoked_at). This server forgets
 * its cached tokens at once; another server refuses the token when its cache
 * entry expires (API_TOKEN_TTL_NS, 5 s), since it then asks the store. */
static int revoke_token(struct api_req *r)
{
    const char *id = api_param(r, "id");
    struct rd_error err = {0};
    struct rd_store *s;
    char *end = NULL;
    long long v;
    int rc;

    v = id && *id >= '0' && *id <= '9' ? strtoll(id, &end, 10) : 0;
    if (v <= 0 || !end || *end)
        return api_error(r, 400, "invalid", "token id \"%.32s\": expected a positive number "
                         "(riskdesk tokens list shows them)", id ? id : "");
    if (!(s = api_store(r)))
        return r->status;
    rc = s->ops->api->token_revoke(s, (int64_t)v, api_clock(r->srv), &err);
    if (rc == RD_ENOTFOUND)
        return api_error(r, 404, "not_found", "no token %lld", v);
    if (rc != RD_OK)
        return api_fail(r, rc, &err);
    api_token_cache_clear(r->srv->tokens);
    {
        struct rd_logline l;

        rd_log_begin(&l, RD_LOG_INFO, "api.token_revoked");
        rd_log_int(&l, "token_id", (int64_t)v);
        rd_log_str(&l, "by", r->auth.user);
        rd_log_end(&l);
    }
    rd_buf_printf(&r->out, "{\"id\":%lld,\"revoked\":true}\n", v);
    return 200;
}

/* ---- history, stats ---- */

struct hwalk {
    struct rd_buf *o;
    int n;
};

static int history_visit(void *ctx, const struct rd_assignment_row *a)
{
    struct hwalk *w = ctx;

    if (w->n++)
        rd_buf_puts(w->o, ",");
    assignment_json(w->o, a);
    return 0;
}

static int history(struct api_req *r)
{
    static const char *const q[] = {"user", "account", "limit", NULL};
    const char *user = api_query(r, "user"), *account = api_query(r, "account");
    struct rd_error err = {0};
    struct hwalk w = {&r->out, 0};
    struct rd_store *s;
    size_t limit;
    int rc;

    if ((rc = api_query_check(r, q)) || (rc = parse_limit(r, &limit)))
        return rc;
    if (r->auth.role == RD_ROLE_TRADER) {
        if (user && strcmp(user, r->auth.user) != 0)
            return api_error(r, 403, "forbidden_user", "a trader sees only their own assignments");
        user = r->auth.user;
    }
    if (!(s = api_store(r)))
        return r->status;
    rd_buf_puts(&r->out, "{\"assignments\":[");
    rc = s->ops->api->assignment_list(s, user, account, limit, history_visit, &w, &err);
    if (rc != RD_OK)
        return api_fail(r, rc, &err);
    rd_buf_puts(&r->out, "]}\n");
    return 200;
}

struct counts {
    struct api_cfg *c;
    int *per;                 /* users per account, by snapshot index */
    int unassigned, users, elsewhere;
};

static int count_visit(void *ctx, const struct rd_user_row *u)
{
    struct counts *k = ctx;
    int i;

    k->users++;
    if (!u->account[0]) {
        k->unassigned++;
        return 0;
    }
    i = api_cfg_index(k->c, u->account);
    if (i < 0)
        k->elsewhere++;   /* an account that is no longer configured */
    else
        k->per[i]++;
    return 0;
}

static int count_trade(void *ctx, const struct rd_trade_row *t)
{
    (void)t;
    (*(int64_t *)ctx)++;
    return 0;
}

static int count_orders(void *ctx, enum rd_order_status status, int64_t n)
{
    (void)status;
    *(int64_t *)ctx += n;
    return 0;
}

/* The history's rows by strategy: manual, least_loaded, round_robin,
 * department, and any other name a row carries (an older riskdesk's). */
struct by_strategy {
    char name[8][32];
    int64_t n[8];
    int k, other;
};

static int strategy_visit(void *ctx, const struct rd_assignment_row *a)
{
    struct by_strategy *b = ctx;
    int i;

    for (i = 0; i < b->k && strcmp(b->name[i], a->strategy) != 0; i++)
        ;
    if (i == b->k) {
        if (b->k == 8) {
            b->other++;
            return 0;
        }
        snprintf(b->name[b->k++], sizeof b->name[0], "%s", a->strategy);
    }
    b->n[i]++;
    return 0;
}

/* "by_strategy": {"manual": N, "least_loaded": N, "round_robin": N, "department": N, ...}
 * over the history a caller may see (a trader: their own). */
static int strategy_json(struct api_req *r, struct rd_store *s, struct rd_error *err)
{
    static const char *const known[] = {"manual", "least_loaded", "round_robin", "department"};
    struct by_strategy b;
    int rc;

    memset(&b, 0, sizeof b);
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        snprintf(b.name[b.k++], sizeof b.name[0], "%s", known[i]);
    rc = s->ops->api->assignment_list(s, r->auth.role == RD_ROLE_TRADER ? r->auth.user : NULL,
                                      NULL, 0, strategy_visit, &b, err);
    if (rc != RD_OK)
        return rc;
    rd_buf_puts(&r->out, ",\"by_strategy\":{");
    for (int i = 0; i < b.k; i++) {
        if (i)
            rd_buf_puts(&r->out, ",");
        api_json_str(&r->out, b.name[i]);
        rd_buf_printf(&r->out, ":%" PRId64, b.n[i]);
    }
    if (b.other)
        rd_buf_printf(&r->out, ",\"other\":%d", b.other);
    rd_buf_puts(&r->out, "},\"auto\":");
    api_json_str(&r->out, api_assign_auto(api_cfgref(r)) ? api_assign_auto(api_cfgref(r))->name
                                                          : "none");
    return RD_OK;
}

static int stats(struct api_req *r)
{
    static const char *const q[] = {NULL};
    struct api_cfg *c = api_cfgref(r);
    struct counts k = {c, NULL, 0, 0, 0};
    struct rd_error err = {0};
    struct rd_store *s;
    int rc, n = 0, assigned;

    if ((rc = api_query_check(r, q)))
        return rc;
    if (!(s = api_store(r)))
        return r->status;
    k.per = rd_calloc((size_t)c->cfg->naccounts + 1, sizeof *k.per);
    if (!k.per)
        return api_error(r, 500, "internal", "out of memory");
    rc = s->ops->api->user_list(s, count_visit, &k, &err);
    if (rc != RD_OK) {
        rd_free(k.per);
        return api_fail(r, rc, &err);
    }
    assigned = k.users - k.unassigned;
    rd_buf_puts(&r->out, "{\"accounts\":[");
    for (int i = 0; i < c->cfg->naccounts; i++) {
        const char *name = c->cfg->accounts[i].name;
        int64_t trades = 0, orders = 0;
        char util[32];

        if (!api_may_see_account(r, name))
            continue;
        rc = s->ops->perf->trade_list(s, name, 0, 0, count_trade, &trades, &err);
        if (rc == RD_OK)
            rc = s->ops->api->order_counts(s, name, count_orders, &orders, &err);
        if (rc != RD_OK) {
            rd_free(k.per);
            rd_buf_reset(&r->out);
            return api_fail(r, rc, &err);
        }
        /* utilisation: the account's share of the assigned users, ppm */
        rd_ppm_format(assigned ? (int64_t)k.per[i] * 1000000 / assigned : 0, util, sizeof util);
        rd_buf_puts(&r->out, n++ ? ",{\"account\":" : "{\"account\":");
        api_json_str(&r->out, name);
        rd_buf_printf(&r->out,
                      ",\"users\":%d,\"trades\":%" PRId64 ",\"orders\":%" PRId64
                      ",\"utilisation\":\"%s\",\"closed\":%s}",
                      k.per[i], trades, orders, util, c->meta[i].closed_at ? "true" : "false");
    }
    rd_buf_puts(&r->out, "]");
    if (r->auth.role != RD_ROLE_TRADER)
        rd_buf_printf(&r->out, ",\"users\":%d,\"unassigned\":%d,\"on_unknown_accounts\":%d",
                      k.users, k.unassigned, k.elsewhere);
    rd_free(k.per);
    if ((rc = strategy_json(r, s, &err)) != RD_OK) {
        rd_buf_reset(&r->out);
        return api_fail(r, rc, &err);
    }
    rd_buf_puts(&r->out, "}\n");
    return 200;
}

static const struct api_route routes[] = {
    {"GET", "/api/v1/users", RD_ROLE_VIEWER, list_users, 0},
    {"POST", "/api/v1/users", RD_ROLE_ADMIN, create_user, 0},
    {"GET", "/api/v1/users/{id}", RD_ROLE_VIEWER, get_user, API_USER_SCOPED},
    {"PATCH", "/api/v1/users/{id}", RD_ROLE_ADMIN, update_user, 0},
    {"GET", "/api/v1/users/{id}/assignment", RD_ROLE_VIEWER, get_assignment, API_USER_SCOPED},
    {"PUT", "/api/v1/users/{id}/assignment", RD_ROLE_ADMIN, put_assignment, 0},
    {"DELETE", "/api/v1/users/{id}/assignment", RD_ROLE_ADMIN, delete_assignment, 0},
    {"GET", "/api/v1/assignments", RD_ROLE_VIEWER, history, 0},
    {"DELETE", "/api/v1/tokens/{id}", RD_ROLE_ADMIN, revoke_token, 0},
    {"GET", "/api/v1/assignments/stats", RD_ROLE_VIEWER, stats, 0},
};

const struct api_route_table api_routes_users = {routes, sizeof routes / sizeof routes[0]};
