/*
 * routes_recs.c - recommendations in (one object or a batch, stored in one
 * transaction: all or nothing) and out (filters, newest first), and one
 * decision with every gate's verdict.
 *
 * Every item goes through rd_rec_from_json, the same validation as
 * `riskdesk recommend add`; an error names the item's index. A duplicate id
 * (in the store or earlier in the batch) is a 409 naming the item, and
 * nothing of the batch is stored.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "riskdesk/alloc.h"
#include "riskdesk/calendar.h"
#include "riskdesk/rec_json.h"
#include "riskdesk/banned.h"

#define BATCH_MAX 10000
#define DEFAULT_LIMIT 100
#define MAX_LIMIT 1000

/* ---- POST ---- */

/* Validates every item into recs[]; 0 or the status. */
static int parse_items(struct api_req *r, json_t *v, struct rd_rec **out, size_t *n)
{
    size_t count = json_is_array(v) ? json_array_size(v) : 1;
    struct rd_rec *recs;
    struct rd_buf text;
    int st = 0;

    *out = NULL;
    *n = 0;
    if (count == 0)
        return api_error(r, 400, "invalid", "the batch is empty");
    if (count > BATCH_MAX)
        return api_error(r, 413, "too_large", "the batch has %zu items; at most %d per request",
                         count, BATCH_MAX);
    recs = rd_malloc(count * sizeof *recs);
    if (!recs)
        return api_error(r, 500, "internal", "out of memory");
    rd_buf_init(&text, r->srv->body_max + 1024);
    for (size_t i = 0; i < count && !st; i++) {
        json_t *item = json_is_array(v) ? json_array_get(v, i) : v;
        struct rd_error err = {0};

        if (!json_is_object(item)) {
            st = json_is_array(v) ? api_error(r, 400, "invalid_recommendation",
                                              "item %zu: expected a JSON object", i)
                                  : api_error(r, 400, "invalid_recommendation",
                                              "expected a recommendation object or an array of them");
            break;
        }
        rd_buf_reset(&text);
        if (api_json_dump(item, &text) != RD_OK) {
            st = api_error(r, 500, "internal", "out of memory");
            break;
        }
        if (rd_rec_from_json(rd_buf_str(&text), text.len, &recs[i], &err) != RD_OK) {
            if (json_is_array(v))
                st = api_error(r, 400, "invalid_recommendation", "item %zu: %s", i, err.msg);
            else
                st = api_error(r, 400, "invalid_recommendation", "%s", err.msg);
        }
    }
    rd_buf_release(&text);
    if (st) {
        rd_free(recs);
        return st;
    }
    *out = recs;
    *n = count;
    return 0;
}

static int post_recs(struct api_req *r)
{
    struct rd_error err = {0};
    struct rd_rec *recs = NULL;
    struct rd_store *s;
    json_t *v = NULL;
    size_t n = 0, i = 0;
    int st, rc;

    if ((st = api_body_json(r, &v)))
        return st;
    if ((st = parse_items(r, v, &recs, &n)))
        goto out;
    if (!(s = api_store(r))) {
        st = r->status;
        goto out;
    }
    rc = s->ops->begin(s, &err);
    for (i = 0; rc == RD_OK && i < n; i++)
        rc = s->ops->rec_add(s, &recs[i], &err);
    if (rc != RD_OK) {
        s->ops->rollback(s);
        if (rc == RD_EEXIST)
            st = json_is_array(v) ? api_error(r, 409, "conflict",
                                              "item %zu: recommendation \"%s\" already exists; "
                                              "nothing of the batch was stored", i - 1, recs[i - 1].id)
                                  : api_error(r, 409, "conflict",
                                              "recommendation \"%s\" already exists", recs[0].id);
        else
            st = api_fail(r, rc, &err);
        goto out;
    }
    rc = s->ops->commit(s, &err);
    if (rc != RD_OK) {
        st = api_fail(r, rc, &err);
        goto out;
    }
    if (json_is_array(v)) {
        rd_buf_printf(&r->out, "{\"stored\":%zu}\n", n);
    } else {
        char one[1024];

        rd_rec_to_json(&recs[0], one, sizeof one);
        rd_buf_puts(&r->out, one);
        rd_buf_puts(&r->out, "\n");
    }
    st = 201;
out:
    rd_free(recs);
    json_decref(v);
    return st;
}

/* ---- GET ---- */

struct walk {
    struct rd_buf *o;
    int n;
};

static int rec_visit(void *ctx, const struct rd_rec *rec)
{
    struct walk *w = ctx;
    char one[1024];

    rd_rec_to_json(rec, one, sizeof one);
    if (w->n++)
        rd_buf_puts(w->o, ",");
    rd_buf_puts(w->o, one);
    return 0;
}

static int parse_time(struct api_req *r, const char *key, int64_t *out)
{
    const char *v = api_query(r, key);
    struct rd_error err = {0};

    *out = 0;
    if (!v)
        return 0;
    if (rd_time_parse(v, strlen(v), out, &err) != RD_OK)
        return api_error(r, 400, "invalid", "%s: %s", key, err.msg);
    return 0;
}

static int list_recs(struct api_req *r)
{
    static const char *const q[] = {"since", "until", "underlying", "symbol", "action",
                                    "strategy", "limit", NULL};
    struct rd_rec_filter f;
    struct rd_error err = {0};
    struct walk w = {&r->out, 0};
    struct rd_store *s;
    const char *v;
    int st, rc;

    memset(&f, 0, sizeof f);
    f.action = -1;
    f.strategy = -1;
    f.limit = DEFAULT_LIMIT;
    if ((st = api_query_check(r, q)) || (st = parse_time(r, "since", &f.since)) ||
        (st = parse_time(r, "until", &f.until)))
        return st;
    f.underlying = api_query(r, "underlying");
    f.symbol = api_query(r, "symbol");
    if ((v = api_query(r, "action"))) {
        enum rd_action a;

        if (rd_action_parse(v, &a) != RD_OK)
            return api_error(r, 400, "invalid", "action: \"%.32s\"; expected BUY_CALL, BUY_PUT, "
                                                "BUY_STOCK or SELL_STOCK", v);
        f.action = (int)a;
    }
    if ((v = api_query(r, "strategy"))) {
        enum rd_strategy sg;

        if (rd_strategy_parse(v, &sg) != RD_OK)
            return api_error(r, 400, "invalid", "strategy: \"%.32s\"; expected day or swing", v);
        f.strategy = (int)sg;
    }
    if ((v = api_query(r, "limit"))) {
        char *end;
        long n = strtol(v, &end, 10);

        if (!*v || *end || n < 1 || n > MAX_LIMIT)
            return api_error(r, 400, "invalid", "limit: \"%.20s\"; expected 1 to %d", v, MAX_LIMIT);
        f.limit = (size_t)n;
    }
    if (!(s = api_store(r)))
        return r->status;
    rd_buf_puts(&r->out, "{\"recommendations\":[");
    rc = s->ops->rec_list(s, &f, rec_visit, &w, &err);
    if (rc != RD_OK)
        return api_fail(r, rc, &err);
    rd_buf_puts(&r->out, "]}\n");
    return 200;
}

static int get_rec(struct api_req *r)
{
    struct rd_error err = {0};
    struct rd_store *s;
    struct rd_rec rec;
    char one[1024];
    int rc;

    if (!(s = api_store(r)))
        return r->status;
    rc = s->ops->rec_get(s, api_param(r, "id"), &rec, &err);
    if (rc == RD_ENOTFOUND)
        return api_error(r, 404, "not_found", "no recommendation \"%.64s\"", api_param(r, "id"));
    if (rc != RD_OK)
        return api_fail(r, rc, &err);
    rd_rec_to_json(&rec, one, sizeof one);
    rd_buf_puts(&r->out, one);
    rd_buf_puts(&r->out, "\n");
    return 200;
}

static int get_decision(struct api_req *r)
{
    const char *id = api_param(r, "id");
    struct rd_decision_row row;
    struct rd_error err = {0};
    struct rd_store *s;
    char *end;
    long long n = strtoll(id, &end, 10);
    int rc;

    if (!*id || *end || n <= 0)
        return api_error(r, 404, "not_found", "no decision \"%.64s\"; decision ids are positive integers",
                         id);
    if (!(s = api_store(r)))
        return r->status;
    rc = s->ops->decision_get(s, (int64_t)n, &row, &err);
    if (rc == RD_ENOTFOUND)
        return api_error(r, 404, "not_found", "no decision %lld", n);
    if (rc != RD_OK)
        return api_fail(r, rc, &err);
    if (!api_may_see_account(r, row.account))
        return api_error(r, 403, "forbidden_account",
                         "decision %lld belongs to an account not assigned to you", n);
    api_decision_json(&r->out, &row);
    rd_buf_puts(&r->out, "\n");
    return 200;
}

static const struct api_route routes[] = {
    {"GET", "/api/v1/recommendations", RD_ROLE_VIEWER, list_recs, 0},
    {"POST", "/api/v1/recommendations", RD_ROLE_ADMIN, post_recs, 0},
    {"GET", "/api/v1/recommendations/{id}", RD_ROLE_VIEWER, get_rec, 0},
    {"GET", "/api/v1/decisions/{id}", RD_ROLE_VIEWER, get_decision, 0},
};

const struct api_route_table api_routes_recs = {routes, sizeof routes / sizeof routes[0]};
