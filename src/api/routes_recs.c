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

/* Splits the body into items (api_json_split); 0 or the status with a 400
 * naming the byte offset of the problem. */
static int split(struct api_req *r, const char *s, size_t n, struct api_span **out, size_t *count,
                 int *is_array)
{
    size_t i = 0, bad_at = 0;
    int rc;

    *out = NULL;
    *count = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    if (i == n)
        return api_error(r, 400, "bad_json", "the request needs a JSON body");
    if (s[i] != '{' && s[i] != '[')
        return api_error(r, 400, "bad_json",
                         "malformed JSON at byte %zu: expected a recommendation object or an array of them", i);
    rc = api_json_split(s, n, out, count, is_array, &bad_at);
    if (rc == RD_ENOMEM)
        return api_error(r, 500, "internal", "out of memory");
    if (rc != RD_OK)
        return api_error(r, 400, "bad_json", "malformed JSON at byte %zu of %zu", bad_at, n);
    return 0;
}

/* 0 when the item at body[off..off+len) is JSON; else the 400 bad_json
 * naming the line and column of the problem in the whole body. */
static int item_json(struct api_req *r, const char *body, size_t off, size_t len)
{
    json_error_t je;
    json_t *v = json_loadb(body + off, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    size_t at, line = 1, col_start = 0;

    if (v) {
        json_decref(v);
        return 0;
    }
    /* je.position counts the bytes read, the bad one included */
    at = off + (je.position > 0 ? (size_t)je.position - 1 : 0);
    if (at > r->body.len)
        at = r->body.len;
    for (size_t i = 0; i < at; i++)
        if (body[i] == '\n') {
            line++;
            col_start = i + 1;
        }
    return api_error(r, 400, "bad_json", "malformed JSON at line %zu, column %zu: %s", line,
                     at - col_start + 1, je.text);
}

/* Validates every item into recs[]; 0 or the status. A body that is not JSON
 * is bad_json (line and column), one that is JSON but not a recommendation
 * invalid_recommendation. */
static int parse_items(struct api_req *r, struct rd_rec **out, size_t *n, int *is_array)
{
    const char *body = r->body.data;
    struct api_span *sp = NULL;
    struct rd_rec *recs;
    size_t count;
    int st;

    *out = NULL;
    *n = 0;
    if ((st = split(r, body ? body : "", r->body.len, &sp, &count, is_array)))
        return st;
    if (count == 0) {
        rd_free(sp);
        return api_error(r, 400, "invalid", "the batch is empty");
    }
    if (count > BATCH_MAX) {
        rd_free(sp);
        return api_error(r, 413, "too_large", "the batch has %zu items; at most %d per request",
                         count, BATCH_MAX);
    }
    recs = rd_malloc(count * sizeof *recs);
    if (!recs) {
        rd_free(sp);
        return api_error(r, 500, "internal", "out of memory");
    }
    for (size_t i = 0; i < count && !st; i++) {
        struct rd_error err = {0};
        const char *item = body + sp[i].off;

        if (item[0] == '{' && rd_rec_from_json(item, sp[i].len, &recs[i], &err) == RD_OK)
            continue;
        /* the item is refused: first whether it is JSON at all (only on this path) */
        if ((st = item_json(r, body, sp[i].off, sp[i].len)))
            break;
        if (item[0] != '{')
            st = api_error(r, 400, "invalid_recommendation", "item %zu: expected a JSON object", i);
        else
            st = *is_array ? api_error(r, 400, "invalid_recommendation", "item %zu: %s", i, err.msg)
                           : api_error(r, 400, "invalid_recommendation", "%s", err.msg);
    }
    rd_free(sp);
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
    size_t n = 0, i = 0;
    int st, rc, is_array = 0;

    if ((st = parse_items(r, &recs, &n, &is_array)))
        return st;
    if (!(s = api_store(r))) {
        st = r->status;
        goto out;
    }
    rc = s->ops->begin(s, &err);
    for (i = 0; rc == RD_OK && i < n; i++)
        rc = s->ops->trading->rec_add(s, &recs[i], &err);
    if (rc != RD_OK) {
        s->ops->rollback(s);
        if (rc == RD_EEXIST)
            st = is_array ? api_error(r, 409, "conflict",
                                      "item %zu: recommendation \"%s\" already exists; "
                                      "nothing of the batch was stored", i - 1, recs[i - 1].id)
                          : api_error(r, 409, "conflict", "recommendation \"%s\" already exists",
                                      recs[0].id);
        else
            st = api_fail(r, rc, &err);
        goto out;
    }
    rc = s->ops->commit(s, &err);
    if (rc != RD_OK) {
        st = api_fail(r, rc, &err);
        goto out;
    }
    if (is_array) {
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
    return st;
}

/* ---- GET ---- */

struct walk {
    struct rd_buf *o;
    int n;
};

/* A stored recommendation: its JSON and, last, who made it (which one sent
 * in cannot say). */
static void stored_rec_json(struct rd_buf *o, const struct rd_rec *rec)
{
    char one[1024];

    rd_rec_to_json(rec, one, sizeof one);
    rd_buf_printf(o, "%.*s,\"origin\":\"%s\"}", (int)strlen(one) - 1, one,
                  rd_rec_origin_name(rec->origin));
}

static int rec_visit(void *ctx, const struct rd_rec *rec)
{
    struct walk *w = ctx;

    if (w->n++)
        rd_buf_puts(w->o, ",");
    stored_rec_json(w->o, rec);
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
    if (r->auth.role == RD_ROLE_TRADER)
        f.visible_to = r->auth.account;
    if (!(s = api_store(r)))
        return r->status;
    rd_buf_puts(&r->out, "{\"recommendations\":[");
    rc = s->ops->api->rec_list(s, &f, rec_visit, &w, &err);
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
    int rc;

    if (!(s = api_store(r)))
        return r->status;
    rc = s->ops->trading->rec_get(s, api_param(r, "id"), &rec, &err);
    /* another account's recommendation is as absent to a trader as one that
     * never was: a 403 would tell them the id exists */
    if (rc == RD_OK && rec.account[0] && !api_may_see_account(r, rec.account))
        rc = RD_ENOTFOUND;
    if (rc == RD_ENOTFOUND)
        return api_error(r, 404, "not_found", "no recommendation \"%.64s\"", api_param(r, "id"));
    if (rc != RD_OK)
        return api_fail(r, rc, &err);
    stored_rec_json(&r->out, &rec);
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
    rc = s->ops->api->decision_get(s, (int64_t)n, &row, &err);
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
