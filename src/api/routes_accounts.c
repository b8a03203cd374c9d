/*
 * routes_accounts.c - /api/v1/accounts and /api/v1/tiers.
 *
 * An account is the config's (struct rd_account_config) plus what the store
 * records (trading state, tier last used, positions, decisions, orders) plus
 * its broker's numbers (accounts_live.c). Accounts made through the API live
 * in the store and are merged with the config file's (api_config.c); only
 * those can have their configuration changed here. Closing an account of
 * either kind sets its trading state to REDUCING (exits only, no new entries)
 * and records who closed it; PATCH {"state": "ACTIVE"} opens it again.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/api_int.h"
#include "riskdesk/account_state.h"
#include "riskdesk/alloc.h"
#include "riskdesk/decision_json.h"
#include "riskdesk/gates.h"
#include "riskdesk/log.h"
#include "riskdesk/banned.h"

#define DEFAULT_LIMIT 50
#define MAX_LIMIT 1000

/* ---- shared ---- */

/* The account named by {id} in the current snapshot: its index, or -1 with a 404 written. */
static int find_account(struct api_req *r, struct api_cfg *c)
{
    const char *id = api_param(r, "id");
    int i = id ? api_cfg_index(c, id) : -1;

    if (i < 0)
        api_error(r, 404, "not_found", "no account named \"%.64s\"", id ? id : "");
    return i;
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

/* ---- list ---- */

struct rows {
    struct rd_account_row *v;
    size_t n, cap;
};

static int collect_row(void *ctx, const struct rd_account_row *a)
{
    struct rows *w = ctx;

    if (w->n == w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 16;
        struct rd_account_row *nv = rd_realloc(w->v, ncap * sizeof *nv);

        if (!nv)
            return RD_ENOMEM;
        w->v = nv;
        w->cap = ncap;
    }
    w->v[w->n++] = *a;
    return 0;
}

static int list_accounts(struct api_req *r)
{
    static const char *const q[] = {NULL};
    struct api_cfg *c = api_cfgref(r);
    struct rd_store *s;
    struct rd_error err = {0};
    struct rows rows = {0};
    int rc, n = 0;

    if ((rc = api_query_check(r, q)))
        return rc;
    if (!(s = api_store(r)))
        return r->status;
    rc = s->ops->trading->account_list(s, collect_row, &rows, &err);
    if (rc != RD_OK) {
        rd_free(rows.v);
        return rc == RD_ENOMEM ? api_error(r, 500, "internal", "out of memory")
                               : api_fail(r, rc, &err);
    }
    rd_buf_puts(&r->out, "{\"accounts\":[");
    for (int i = 0; i < c->cfg->naccounts; i++) {
        const struct rd_account_config *a = &c->cfg->accounts[i];
        const struct rd_account_row *row = NULL;
        struct api_health_state h;
        struct api_live live;

        if (!api_may_see_account(r, a->name))
            continue;
        for (size_t k = 0; k < rows.n; k++)
            if (!strcmp(rows.v[k].name, a->name))
                row = &rows.v[k];
        api_live_get(r->srv, s, c->cfg, a, API_LIVE_MAX_AGE, &live);
        api_health_get(r->srv, a->name, &h);
        if (n++)
            rd_buf_puts(&r->out, ",");
        api_account_json_cached(r->srv, &r->out, c, i, row, &live, &h);
    }
    rd_buf_puts(&r->out, "]}\n");
    rd_free(rows.v);
    return 200;
}

/* ---- one account ---- */

struct pos_sum {
    int n;
    rd_money exposure;
};

static int sum_position(void *ctx, const struct rd_position_row *p)
{
    struct pos_sum *ps = ctx;
    int64_t units = p->qty < 0 ? -p->qty : p->qty;

    ps->n++;
    ps->exposure += rd_muldiv(p->avg_price, units * (p->multiplier ? p->multiplier : 1), 1);
    return 0;
}

/* Writes the account's JSON (with positions count and exposure) as the body. */
static int one_account(struct api_req *r, struct api_cfg *c, int i, int status)
{
    const struct rd_account_config *a = &c->cfg->accounts[i];
    struct rd_store *s = api_store(r);
    struct rd_account_row row;
    struct rd_error err = {0};
    struct pos_sum ps = {0, 0};
    struct api_health_state h;
    struct api_live live;
    int rc, have_row;

    if (!s)
        return r->status;
    rc = s->ops->trading->account_get(s, a->name, &row, &err);
    if (rc != RD_OK && rc != RD_ENOTFOUND)
        return api_fail(r, rc, &err);
    have_row = rc == RD_OK;
    rc = s->ops->trading->position_list(s, a->name, sum_position, &ps, &err);
    if (rc != RD_OK)
        return api_fail(r, rc, &err);
    api_live_get(r->srv, s, c->cfg, a, API_LIVE_MAX_AGE, &live);
    api_health_get(r->srv, a->name, &h);
    rd_buf_reset(&r->out);
    api_account_json(&r->out, c, i, have_row ? &row : NULL, &live, &h);
    /* splice the store's counts in before the closing brace */
    r->out.len--;
    rd_buf_printf(&r->out, ",\"open_positions\":%d,\"exposure\":", ps.n);
    api_json_money(&r->out, ps.exposure);
    if (!live.ok && live.error[0]) {
        rd_buf_puts(&r->out, ",\"broker_error\":");
        api_json_str(&r->out, live.error);
    }
    rd_buf_puts(&r->out, "}\n");
    return status;
}

static int get_account(struct api_req *r)
{
    struct api_cfg *c = api_cfgref(r);
    int i = find_account(r, c);

    return i < 0 ? r->status : one_account(r, c, i, 200);
}

/* ---- create ---- */

static const char *const def_keys[] = {"name", "tier", "broker", "starting_cash",
                                       "credentials", "risk", "live", NULL};

/* Checks what the config parser cannot know is unsafe from a client: sources
 * that would make the server read its own files. */
static int check_sources(struct api_req *r, json_t *o)
{
    json_t *cred = json_object_get(o, "credentials");
    json_t *risk = json_object_get(o, "risk");

    if (cred && json_is_string(cred) && !strncmp(json_string_value(cred), "file:", 5))
        return api_error(r, 400, "invalid",
                         "credentials: \"file:\" sources are for the config file only; through the "
                         "API use \"env:PREFIX\" or \"secretsmanager:NAME\"");
    if (risk && !json_is_object(risk))
        return api_error(r, 400, "invalid",
                         "risk: expected an object of limits (sources are for the config file only)");
    return 0;
}

/* Under write_mu: validates def as the account `name`, stores it, reloads. */
static int store_def(struct api_req *r, const char *name, json_t *def, int only_new,
                     int64_t created_at, int64_t closed_at, const char *closed_by)
{
    struct rd_store *s = api_store(r);
    struct rd_account_def_row *row = NULL;
    struct rd_error err = {0};
    struct rd_buf text;
    int rc;

    if (!s)
        return r->status;
    rd_buf_init(&text, RD_ACCOUNT_DEF_MAX - 1);
    if (api_json_dump(def, &text) != RD_OK) {
        rd_buf_release(&text);
        return api_error(r, 413, "too_large", "the account's definition is over %d bytes",
                         RD_ACCOUNT_DEF_MAX - 1);
    }
    rc = api_cfg_check_def(r->srv, s, name, rd_buf_str(&text), &err);
    if (rc != RD_OK) {
        rd_buf_release(&text);
        if (rc == RD_EEXIST)
            return api_error(r, 409, "shared_keys", "%s", err.msg);
        return rc == RD_ECONFIG || rc == RD_EINVAL ? api_error(r, 400, "invalid_account", "%s", err.msg)
                                                   : api_fail(r, rc, &err);
    }
    row = rd_calloc(1, sizeof *row);
    if (!row) {
        rd_buf_release(&text);
        return api_error(r, 500, "internal", "out of memory");
    }
    snprintf(row->name, sizeof row->name, "%s", name);
    memcpy(row->def, rd_buf_str(&text), text.len + 1);
    row->created_at = created_at;
    row->updated_at = (int64_t)time(NULL);
    row->closed_at = closed_at;
    snprintf(row->closed_by, sizeof row->closed_by, "%s", closed_by ? closed_by : "");
    rd_buf_release(&text);
    rc = s->ops->api->account_def_put(s, row, only_new, &err);
    rd_free(row);
    if (rc == RD_EEXIST) {
        /* another server made it: show it from now on, never refuse a name
         * this server does not list */
        if (api_cfg_reload(r->srv, s, &err) != RD_OK)
            r->store_broken = 1;
        return api_error(r, 409, "conflict", "an account named \"%s\" already exists", name);
    }
    if (rc == RD_OK)
        rc = api_cfg_reload(r->srv, s, &err);
    return rc == RD_OK ? 0 : api_fail(r, rc, &err);
}

static void audit(const struct api_req *r, const char *event, const char *account)
{
    struct rd_logline l;

    rd_log_begin(&l, RD_LOG_INFO, event);
    rd_log_str(&l, "account", account);
    rd_log_str(&l, "by", r->auth.user);
    rd_log_end(&l);
}

static int create_account(struct api_req *r)
{
    json_t *o = NULL;
    const char *name = NULL;
    struct api_cfg *c;
    int st, i;

    if ((st = api_body_json(r, &o)))
        return st;
    if (!json_is_object(o)) {
        st = api_error(r, 400, "invalid", "expected a JSON object describing the account");
        goto out;
    }
    if ((st = api_json_check_keys(r, o, def_keys, "account")) ||
        (st = api_json_get_str(r, o, "name", &name, 64)) || (st = check_sources(r, o)))
        goto out;
    if (!name || !api_valid_name(name) || strchr(name, '@')) {
        st = api_error(r, 400, "invalid", "name: required; 1-63 characters of A-Z a-z 0-9 _ . -");
        goto out;
    }
    pthread_mutex_lock(&r->srv->write_mu);
    c = api_cfgref(r);
    for (i = 0; i < c->cfg->naccounts; i++)
        if (!strcasecmp(c->cfg->accounts[i].name, name))
            break;
    if (i < c->cfg->naccounts)
        st = api_error(r, 409, "conflict", "an account named \"%s\" already exists (%s)",
                       c->cfg->accounts[i].name, c->meta[i].from_api ? "made through the API"
                                                                     : "in the config file");
    else
        st = store_def(r, name, o, 1, (int64_t)time(NULL), 0, "");
    pthread_mutex_unlock(&r->srv->write_mu);
    if (st)
        goto out;
    audit(r, "api.account_created", name);
    /* answer from the new snapshot */
    api_cfg_unref(r->cfg);
    r->cfg = NULL;
    c = api_cfgref(r);
    i = api_cfg_index(c, name);
    st = i < 0 ? api_error(r, 500, "internal", "the new account did not load") : one_account(r, c, i, 201);
out:
    json_decref(o);
    return st;
}

/* ---- update, close ---- */

static int set_state(struct api_req *r, const struct rd_account_config *a, enum rd_trading_state st,
                     const char *reason)
{
    struct rd_store *s = api_store(r);
    struct rd_error err = {0};
    int rc;

    if (!s)
        return r->status;
    rc = rd_account_state_set(s, a->name, rd_tier_name(a->tier), st, reason, NULL, &err);
    return rc == RD_OK ? 0 : api_fail(r, rc, &err);
}

/* Merges patch's keys into the stored definition (risk keys one by one). */
static json_t *merged_def(const char *def, json_t *patch)
{
    json_t *d = json_loads(def, 0, NULL);
    const char *key;
    json_t *v;

    if (!d || !json_is_object(d)) {
        json_decref(d);
        return NULL;
    }
    json_object_foreach(patch, key, v) {
        if (!strcmp(key, "state") || !strcmp(key, "state_reason"))
            continue;
        if (!strcmp(key, "risk") && json_is_object(json_object_get(d, "risk")) && json_is_object(v))
            json_object_update(json_object_get(d, "risk"), v);
        else if (json_is_null(v))
            json_object_del(d, key);
        else
            json_object_set(d, key, v);
    }
    return d;
}

static const char *const patch_keys[] = {"state", "state_reason", "tier", "broker", "starting_cash",
                                         "credentials", "risk", "live", NULL};

static int update_account(struct api_req *r)
{
    struct api_cfg *c = api_cfgref(r);
    json_t *o = NULL, *def = NULL;
    const char *state = NULL, *reason = NULL;
    enum rd_trading_state ts = RD_STATE_ACTIVE;
    char name[64], why[128];
    int i = find_account(r, c), st, config_keys;

    if (i < 0)
        return r->status;
    snprintf(name, sizeof name, "%s", c->cfg->accounts[i].name);
    if ((st = api_body_json(r, &o)))
        return st;
    if (!json_is_object(o)) {
        st = api_error(r, 400, "invalid", "expected a JSON object of the fields to change");
        goto out;
    }
    if ((st = api_json_check_keys(r, o, patch_keys, "account")) ||
        (st = api_json_get_str(r, o, "state", &state, 16)) ||
        (st = api_json_get_str(r, o, "state_reason", &reason, 120)) || (st = check_sources(r, o)))
        goto out;
    if (state && rd_trading_state_parse(state, &ts) != RD_OK) {
        st = api_error(r, 400, "invalid", "state: \"%s\"; expected ACTIVE, REDUCING or HALTED", state);
        goto out;
    }
    config_keys = (int)json_object_size(o) - (state ? 1 : 0) -
                  (json_object_get(o, "state_reason") ? 1 : 0);
    if (config_keys > 0 && !c->meta[i].from_api) {
        st = api_error(r, 409, "defined_in_config",
                       "account \"%s\" is defined in the config file %s; change its settings there "
                       "(only state and state_reason can be changed here)", name, c->cfg->origin);
        goto out;
    }
    if (!state && json_object_get(o, "state_reason")) {
        st = api_error(r, 400, "invalid", "state_reason goes with a state");
        goto out;
    }
    pthread_mutex_lock(&r->srv->write_mu);
    st = 0;
    if (config_keys > 0) {
        def = merged_def(c->meta[i].def, o);
        st = def ? store_def(r, name, def, 0, c->meta[i].created_at,
                             state && ts == RD_STATE_ACTIVE ? 0 : c->meta[i].closed_at,
                             c->meta[i].closed_by)
                 : api_error(r, 500, "internal", "the stored definition of \"%s\" is not JSON", name);
    }
    if (!st && state) {
        snprintf(why, sizeof why, "%s (set by %s)", reason ? reason : "set through the API",
                 r->auth.user);
        st = set_state(r, &c->cfg->accounts[i], ts, why);
        if (!st && ts == RD_STATE_ACTIVE && c->meta[i].closed_at && config_keys == 0) {
            /* ACTIVE opens a closed account again */
            struct rd_account_def_row *row = rd_calloc(1, sizeof *row);
            struct rd_error err = {0};
            int rc;

            if (!row) {
                st = api_error(r, 500, "internal", "out of memory");
            } else {
                snprintf(row->name, sizeof row->name, "%s", name);
                snprintf(row->def, sizeof row->def, "%s", c->meta[i].def ? c->meta[i].def : "");
                row->created_at = c->meta[i].created_at ? c->meta[i].created_at : (int64_t)time(NULL);
                row->updated_at = (int64_t)time(NULL);
                rc = r->store->ops->api->account_def_put(r->store, row, 0, &err);
                if (rc == RD_OK)
                    rc = api_cfg_reload(r->srv, r->store, &err);
                if (rc != RD_OK)
                    st = api_fail(r, rc, &err);
                rd_free(row);
            }
        }
    }
    pthread_mutex_unlock(&r->srv->write_mu);
    if (st)
        goto out;
    audit(r, "api.account_updated", name);
    api_cfg_unref(r->cfg);
    r->cfg = NULL;
    c = api_cfgref(r);
    i = api_cfg_index(c, name);
    st = i < 0 ? api_error(r, 500, "internal", "the account did not load") : one_account(r, c, i, 200);
out:
    json_decref(def);
    json_decref(o);
    return st;
}

static int close_account(struct api_req *r)
{
    struct api_cfg *c = api_cfgref(r);
    struct rd_account_def_row *row = NULL;
    struct rd_error err = {0};
    char name[64], why[128];
    int i = find_account(r, c), st, rc;

    if (i < 0)
        return r->status;
    snprintf(name, sizeof name, "%s", c->cfg->accounts[i].name);
    snprintf(why, sizeof why, "closed by %s", r->auth.user);
    row = rd_calloc(1, sizeof *row);
    if (!row)
        return api_error(r, 500, "internal", "out of memory");
    pthread_mutex_lock(&r->srv->write_mu);
    st = set_state(r, &c->cfg->accounts[i], RD_STATE_REDUCING, why);
    if (!st && !c->meta[i].closed_at) {
        snprintf(row->name, sizeof row->name, "%s", name);
        snprintf(row->def, sizeof row->def, "%s", c->meta[i].def ? c->meta[i].def : "");
        row->created_at = c->meta[i].created_at ? c->meta[i].created_at : (int64_t)time(NULL);
        row->updated_at = row->closed_at = (int64_t)time(NULL);
        snprintf(row->closed_by, sizeof row->closed_by, "%s", r->auth.user);
        rc = r->store->ops->api->account_def_put(r->store, row, 0, &err);
        if (rc == RD_OK)
            rc = api_cfg_reload(r->srv, r->store, &err);
        if (rc != RD_OK)
            st = api_fail(r, rc, &err);
    }
    pthread_mutex_unlock(&r->srv->write_mu);
    rd_free(row);
    if (st)
        return st;
    audit(r, "api.account_closed", name);
    api_cfg_unref(r->cfg);
    r->cfg = NULL;
    c = api_cfgref(r);
    i = api_cfg_index(c, name);
    return i < 0 ? api_error(r, 500, "internal", "the account did not load") : one_account(r, c, i, 200);
}

/* ---- what an account holds and did ---- */

struct walk {
    struct rd_buf *o;
    int n;
};

static int position_visit(void *ctx, const struct rd_position_row *p)
{
    struct walk *w = ctx;

    rd_buf_puts(w->o, w->n++ ? ",{\"symbol\":" : "{\"symbol\":");
    api_json_str(w->o, p->symbol);
    rd_buf_puts(w->o, ",\"underlying\":");
    api_json_str(w->o, p->underlying);
    rd_buf_printf(w->o, ",\"strategy\":\"%s\",\"qty\":%" PRId64 ",\"multiplier\":%" PRId64
                        ",\"avg_price\":",
                  rd_strategy_name(p->strategy), p->qty, p->multiplier);
    api_json_money(w->o, p->avg_price);
    rd_buf_puts(w->o, ",\"opened_at\":");
    api_json_time(w->o, p->opened_at);
    rd_buf_puts(w->o, ",\"rec_id\":");
    api_json_str(w->o, p->rec_id);
    rd_buf_puts(w->o, "}");
    return 0;
}

static int positions(struct api_req *r)
{
    static const char *const q[] = {NULL};
    struct api_cfg *c = api_cfgref(r);
    struct rd_store *s;
    struct rd_error err = {0};
    struct walk w = {&r->out, 0};
    int i = find_account(r, c), rc;

    if (i < 0)
        return r->status;
    if ((rc = api_query_check(r, q)))
        return rc;
    if (!(s = api_store(r)))
        return r->status;
    rd_buf_puts(&r->out, "{\"positions\":[");
    rc = s->ops->trading->position_list(s, c->cfg->accounts[i].name, position_visit, &w, &err);
    if (rc != RD_OK)
        return api_fail(r, rc, &err);
    rd_buf_puts(&r->out, "]}\n");
    return 200;
}

void api_decision_json(struct rd_buf *o, const struct rd_decision_row *row)
{
    rd_buf_printf(o, "{\"id\":%" PRId64 ",\"account\":", row->id);
    api_json_str(o, row->account);
    rd_buf_puts(o, ",\"rec_id\":");
    api_json_str(o, row->rec_id);
    rd_buf_puts(o, ",\"decided_at\":");
    api_json_time(o, row->decided_at);
    rd_buf_printf(o, ",\"first_failed\":");
    if (row->d.approved || (unsigned)row->d.first_failed >= RD_GATE_COUNT)
        rd_buf_puts(o, "null");
    else
        rd_buf_printf(o, "\"%s\"", rd_gate_name(row->d.first_failed));
    rd_buf_puts(o, ",\"decision\":");
    rd_decision_to_json(&row->d, o);
    rd_buf_puts(o, "}");
}

static int decision_visit(void *ctx, const struct rd_decision_row *row)
{
    struct walk *w = ctx;

    if (w->n++)
        rd_buf_puts(w->o, ",");
    api_decision_json(w->o, row);
    return 0;
}

static int decisions(struct api_req *r)
{
    static const char *const q[] = {"limit", NULL};
    struct api_cfg *c = api_cfgref(r);
    struct rd_store *s;
    struct rd_error err = {0};
    struct walk w = {&r->out, 0};
    size_t limit;
    int i = find_account(r, c), rc;

    if (i < 0)
        return r->status;
    if ((rc = api_query_check(r, q)) || (rc = parse_limit(r, &limit)))
        return rc;
    if (!(s = api_store(r)))
        return r->status;
    rd_buf_puts(&r->out, "{\"decisions\":[");
    rc = s->ops->trading->decision_list(s, c->cfg->accounts[i].name, limit, decision_visit, &w, &err);
    if (rc != RD_OK)
        return api_fail(r, rc, &err);
    rd_buf_puts(&r->out, "]}\n");
    return 200;
}

static int order_visit(void *ctx, const struct rd_order_row *o)
{
    struct walk *w = ctx;

    rd_buf_puts(w->o, w->n++ ? ",{\"client_order_id\":" : "{\"client_order_id\":");
    api_json_str(w->o, o->client_order_id);
    rd_buf_puts(w->o, ",\"account\":");
    api_json_str(w->o, o->account);
    rd_buf_puts(w->o, ",\"rec_id\":");
    api_json_str(w->o, o->rec_id);
    rd_buf_printf(w->o, ",\"decision_id\":%" PRId64 ",\"symbol\":", o->decision_id);
    api_json_str(w->o, o->symbol);
    rd_buf_printf(w->o, ",\"side\":\"%s\",\"intent\":\"%s\",\"strategy\":\"%s\",\"qty\":%" PRId64
                        ",\"multiplier\":%" PRId64 ",\"status\":\"%s\",\"ref_price\":",
                  o->side == RD_SIDE_BUY ? "buy" : "sell",
                  o->intent == RD_INTENT_ENTRY ? "entry" : "exit", rd_strategy_name(o->strategy),
                  o->qty, o->multiplier, rd_order_status_name(o->status));
    api_json_money(w->o, o->ref_price);
    rd_buf_printf(w->o, ",\"filled_qty\":%" PRId64 ",\"fill_price\":", o->filled_qty);
    api_json_money(w->o, o->fill_price);
    rd_buf_puts(w->o, ",\"broker_order_id\":");
    api_json_str(w->o, o->broker_order_id);
    rd_buf_puts(w->o, ",\"reason\":");
    api_json_str(w->o, o->reason);
    rd_buf_puts(w->o, ",\"created_at\":");
    api_json_time(w->o, o->created_at);
    rd_buf_puts(w->o, ",\"updated_at\":");
    api_json_time(w->o, o->updated_at);
    rd_buf_puts(w->o, "}");
    return 0;
}

static int orders(struct api_req *r)
{
    static const char *const q[] = {"status", NULL};
    struct api_cfg *c = api_cfgref(r);
    const char *sv = api_query(r, "status");
    enum rd_order_status status;
    struct rd_store *s;
    struct rd_error err = {0};
    struct walk w = {&r->out, 0};
    int i = find_account(r, c), rc;

    if (i < 0)
        return r->status;
    if ((rc = api_query_check(r, q)))
        return rc;
    if (sv && rd_order_status_parse(sv, &status) != RD_OK)
        return api_error(r, 400, "invalid",
                         "status: \"%.20s\"; expected pending, accepted, filled, rejected or canceled",
                         sv);
    if (!(s = api_store(r)))
        return r->status;
    rd_buf_puts(&r->out, "{\"orders\":[");
    rc = s->ops->trading->order_list(s, c->cfg->accounts[i].name, sv ? (int)status : -1, order_visit, &w,
                            &err);
    if (rc != RD_OK)
        return api_fail(r, rc, &err);
    rd_buf_puts(&r->out, "]}\n");
    return 200;
}

/* ---- effective limits, tiers ---- */

static void tier_json(struct rd_buf *o, const struct rd_tier_table *t, enum rd_tier k)
{
    const struct rd_tier_params *p = &t->tier[k];
    char v[40];

    rd_buf_printf(o, "{\"name\":\"%s\",\"min_buying_power\":", rd_tier_name(k));
    api_json_money(o, p->min_buying_power);
    rd_buf_puts(o, ",\"max_buying_power\":");
    if (k + 1 < RD_TIER_COUNT)
        api_json_money(o, t->tier[k + 1].min_buying_power);
    else
        rd_buf_puts(o, "null");
    rd_ppm_format(p->risk_pct_day, v, sizeof v);
    rd_buf_printf(o, ",\"risk_pct_day\":\"%s\"", v);
    rd_ppm_format(p->risk_pct_swing, v, sizeof v);
    rd_buf_printf(o, ",\"risk_pct_swing\":\"%s\",\"max_contracts\":%d", v, (int)p->max_contracts);
    rd_ppm_format(p->min_confidence, v, sizeof v);
    rd_buf_printf(o, ",\"min_confidence\":\"%s\"", v);
    rd_ppm_format(p->min_volume_ratio, v, sizeof v);
    rd_buf_printf(o, ",\"min_volume_ratio\":\"%s\"}", v);
}

static int account_config(struct api_req *r)
{
    static const char *const q[] = {NULL};
    struct api_cfg *c = api_cfgref(r);
    const struct rd_account_config *a;
    const struct rd_risk_key *keys;
    size_t nkeys;
    int i = find_account(r, c), rc;

    if (i < 0)
        return r->status;
    if ((rc = api_query_check(r, q)))
        return rc;
    a = &c->cfg->accounts[i];
    rd_buf_puts(&r->out, "{\"name\":");
    api_json_str(&r->out, a->name);
    rd_buf_printf(&r->out, ",\"source\":\"%s\",\"broker\":\"%s\",\"live\":%s,\"tier\":\"%s\","
                           "\"tier_mode\":\"%s\",\"tier_origin\":",
                  c->meta[i].from_api ? "api" : "config",
                  a->broker == RD_BROKER_ALPACA ? "alpaca" : "paper", a->live ? "true" : "false",
                  rd_tier_name(a->tier), api_tier_mode_name(a->tier_mode));
    api_json_str(&r->out, a->tier_origin);
    rd_buf_puts(&r->out, ",\"risk_origin\":");
    api_json_str(&r->out, a->risk_origin);
    /* where the credentials come from (a source, never a value) */
    rd_buf_puts(&r->out, ",\"credentials\":");
    api_json_str(&r->out, a->credentials);
    rd_buf_puts(&r->out, ",\"starting_cash\":");
    api_json_money(&r->out, a->starting_cash);
    rd_buf_puts(&r->out, ",\"tier_params\":");
    tier_json(&r->out, &c->cfg->tiers, a->tier);
    rd_buf_puts(&r->out, ",\"limits\":{");
    keys = rd_risk_keys(&nkeys);
    for (size_t k = 0; k < nkeys; k++) {
        char v[512];

        rd_risk_key_format(&keys[k], &a->risk, v, sizeof v);
        if (k)
            rd_buf_puts(&r->out, ",");
        api_json_str(&r->out, keys[k].name);
        rd_buf_puts(&r->out, ":");
        if (keys[k].type == RD_RISK_KEY_INT || keys[k].type == RD_RISK_KEY_BOOL) {
            rd_buf_puts(&r->out, v);
        } else if (keys[k].type == RD_RISK_KEY_ACTIONS || keys[k].type == RD_RISK_KEY_GATES) {
            char *p = v;

            rd_buf_puts(&r->out, "[");
            while (*p) {
                size_t n = strcspn(p, ",");

                if (p != v)
                    rd_buf_puts(&r->out, ",");
                api_json_strn(&r->out, p, n);
                p += n + (p[n] == ',');
            }
            rd_buf_puts(&r->out, "]");
        } else {
            api_json_str(&r->out, v);
        }
    }
    rd_buf_printf(&r->out, "},\"firm_max_gross_exposure\":");
    api_json_money(&r->out, c->cfg->firm_max_gross_exposure);
    rd_buf_puts(&r->out, "}\n");
    return 200;
}

static int tiers(struct api_req *r)
{
    static const char *const q[] = {NULL};
    struct api_cfg *c = api_cfgref(r);
    int rc;

    if ((rc = api_query_check(r, q)))
        return rc;
    rd_buf_puts(&r->out, "{\"tiers\":[");
    for (int k = 0; k < RD_TIER_COUNT; k++) {
        if (k)
            rd_buf_puts(&r->out, ",");
        tier_json(&r->out, &c->cfg->tiers, (enum rd_tier)k);
    }
    rd_buf_puts(&r->out, "]}\n");
    return 200;
}

static const struct api_route routes[] = {
    {"GET", "/api/v1/accounts", RD_ROLE_VIEWER, list_accounts, 0},
    {"POST", "/api/v1/accounts", RD_ROLE_ADMIN, create_account, 0},
    {"GET", "/api/v1/accounts/{id}", RD_ROLE_VIEWER, get_account, API_ACCOUNT_SCOPED},
    {"PATCH", "/api/v1/accounts/{id}", RD_ROLE_ADMIN, update_account, 0},
    {"DELETE", "/api/v1/accounts/{id}", RD_ROLE_ADMIN, close_account, 0},
    {"GET", "/api/v1/accounts/{id}/positions", RD_ROLE_VIEWER, positions, API_ACCOUNT_SCOPED},
    {"GET", "/api/v1/accounts/{id}/decisions", RD_ROLE_VIEWER, decisions, API_ACCOUNT_SCOPED},
    {"GET", "/api/v1/accounts/{id}/orders", RD_ROLE_VIEWER, orders, API_ACCOUNT_SCOPED},
    {"GET", "/api/v1/accounts/{id}/config", RD_ROLE_VIEWER, account_config, API_ACCOUNT_SCOPED},
    {"GET", "/api/v1/tiers", RD_ROLE_VIEWER, tiers, 0},
};

const struct api_route_table api_routes_accounts = {routes, sizeof routes / sizeof routes[0]};
