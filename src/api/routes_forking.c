/*
 * routes_forking.c - forks over HTTP (docs/api.md "Hierarchy"): the nodes
 * that may fork, every fork op, and a fork assessed, executed or approved,
 * each answering the JSON `riskdesk fork ...` prints with --json.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/hier_int.h"
#include "riskdesk/banned.h"

/* "vix": a level above 0, as a number or a decimal string; absent or null:
 * unknown. 0 or the status with a 400 written. */
static int vix_of(struct api_req *r, json_t *v, struct rd_fork_request *req)
{
    struct rd_error err = {0};
    const char *t = json_string_value(v);

    if (!v || json_is_null(v))
        return 0;
    if (json_is_number(v) && json_number_value(v) > 0 && json_number_value(v) < 1e6)
        req->vix = llround(json_number_value(v) * 1e6);
    else if (!t || rd_ppm_parse(t, strlen(t), &req->vix, &err) != RD_OK)
        req->vix = 0;
    if (req->vix <= 0)
        return api_error(r, 400, "invalid", "vix: expected a VIX level above 0 (like 14.5)");
    req->vix_known = 1;
    return 0;
}

/* GET /api/v1/forking/opportunities[?vix=L]: fork scan, a read: nothing is
 * stored ("assessment": null; POST /assess stores one). */
static int opportunities(struct api_req *r)
{
    static const char *const q[] = {"vix", NULL};
    struct rd_fork_request req = {0};
    struct rd_hier_actor by = api_hier_actor(r);
    const char *vix = api_query(r, "vix");
    struct rd_error err = {0};
    struct rd_store *s;
    json_t *o = NULL, *v;
    int st, rc;

    if ((st = api_query_check(r, q)))
        return st;
    v = vix ? json_string(vix) : NULL;
    st = vix_of(r, v, &req);
    json_decref(v);
    if (st)
        return st;
    if (!(s = api_store(r)))
        return r->status;
    req.cfg = api_cfgref(r)->cfg;
    if ((rc = rd_fork_json_scan(s, &req, &by, 0, &o, &err)) != RD_OK)
        return api_hier_fail(r, rc, &err);
    api_hier_only_visible(r, o, "opportunities", "account", NULL);
    return api_hier_answer(r, o, 200);
}

/* GET /api/v1/forking/status: every fork op. */
static int status(struct api_req *r)
{
    static const char *const q[] = {NULL};
    struct rd_error err = {0};
    struct rd_store *s;
    json_t *o;
    int st, rc;

    if ((st = api_query_check(r, q)))
        return st;
    if (!(s = api_store(r)))
        return r->status;
    if ((rc = rd_fork_json_status(s, &o, &err)) != RD_OK)
        return api_hier_fail(r, rc, &err);
    api_hier_only_visible(r, o, "forks", "parent", NULL);
    return api_hier_answer(r, o, 200);
}

/* The body of assess and execute: {"account", "force", "vix"}; the
 * Idempotency-Key (execute's, required) as the fork's key. */
static int request_of(struct api_req *r, json_t *body, int execute, struct rd_fork_request *req)
{
    static const char *const keys[] = {"account", "force", "vix", NULL};
    json_t *force = json_object_get(body, "force");
    const char *name = NULL;
    int st;

    if (!json_is_object(body))
        return api_error(r, 400, "invalid", "expected a JSON object {\"account\": \"g1\"%s}",
                         execute ? ", \"force\": false, \"vix\": 14.5" : ", \"vix\": 14.5");
    if ((st = api_json_check_keys(r, body, keys, "body")) ||
        (st = api_json_get_str(r, body, "account", &name, 64)))
        return st;
    if (!name)
        return api_error(r, 400, "invalid", "account: required, the node to fork");
    if (force && !json_is_boolean(force))
        return api_error(r, 400, "invalid", "force: expected true or false");
    if (force && !execute)
        return api_error(r, 400, "invalid", "force: is for /api/v1/forking/execute");
    req->force = json_is_true(force);
    if ((st = vix_of(r, json_object_get(body, "vix"), req)) ||
        (st = api_hier_account(r, name, &req->acct)))
        return st;
    return execute ? api_hier_key(r, 1, &req->key) : 0;
}

/* A fork's answer; a fork made now added a child account (api_hier_reload). */
static int fork_made(struct api_req *r, struct rd_store *s, const struct rd_fork_result *res)
{
    if (!res->replayed)
        api_hier_reload(r, s);
    return api_hier_answer(r, rd_fork_json_result(res), res->replayed ? 200 : 201);
}

/* POST /api/v1/forking/assess and /execute. */
static int assess_or_execute(struct api_req *r, int execute)
{
    struct rd_fork_request req = {0};
    struct rd_hier_actor by = api_hier_actor(r);
    struct rd_fork_assessment a;
    struct rd_fork_result res;
    struct rd_error err = {0};
    struct rd_store *s;
    json_t *body = NULL;
    int64_t assessment;
    int st, rc;

    if ((st = api_body_json(r, &body)))
        return st;
    if ((st = request_of(r, body, execute, &req)) || !(s = api_store(r))) {
        json_decref(body);
        return st ? st : r->status;
    }
    req.cfg = api_cfgref(r)->cfg;
    if (execute)
        rc = rd_fork_execute(s, &req, &by, &res, &assessment, &err);
    else
        rc = rd_fork_assess_node(s, &req, &by, &a, &err);
    json_decref(body);
    if (rc != RD_OK)
        return api_hier_fail(r, rc, &err);
    if (!execute)
        return api_hier_answer(r, rd_fork_json_assessment(&a), 201);
    return fork_made(r, s, &res);
}

static int assess(struct api_req *r)
{
    return assess_or_execute(r, 0);
}

static int execute(struct api_req *r)
{
    return assess_or_execute(r, 1);
}

/* POST /api/v1/forking/{id}/approve [{"vix": L}]: a person approves
 * assessment id; the fork executes under the Idempotency-Key. */
static int approve(struct api_req *r)
{
    static const char *const keys[] = {"vix", NULL};
    const char *id = api_param(r, "id");
    struct rd_fork_request req = {0};
    struct rd_hier_actor by = api_hier_actor(r);
    struct rd_fork_result res;
    struct rd_error err = {0};
    struct rd_store *s;
    json_t *body = NULL;
    int64_t assessment;
    long long n;
    char *end;
    int st = 0, rc;

    errno = 0;
    n = strtoll(id ? id : "", &end, 10);
    if (!id || errno || *end || end == id || n <= 0)
        return api_error(r, 404, "not_found", "no fork assessment has id \"%.40s\"",
                         id ? id : "");
    if ((st = api_hier_key(r, 1, &req.key)))
        return st;
    if (r->body.len && !(st = api_body_json(r, &body))) {
        if (!json_is_object(body))
            st = api_error(r, 400, "invalid", "expected a JSON object {\"vix\": 14.5} or no body");
        else if (!(st = api_json_check_keys(r, body, keys, "body")))
            st = vix_of(r, json_object_get(body, "vix"), &req);
    }
    json_decref(body);
    if (st)
        return st;
    if (!(s = api_store(r)))
        return r->status;
    req.cfg = api_cfgref(r)->cfg;
    if ((rc = rd_fork_approve(s, &req, n, &by, &res, &assessment, &err)) != RD_OK)
        return api_hier_fail(r, rc, &err);
    return fork_made(r, s, &res);
}

static const struct api_route routes[] = {
    {"GET", "/api/v1/forking/opportunities", RD_ROLE_VIEWER, opportunities, 0},
    {"GET", "/api/v1/forking/status", RD_ROLE_VIEWER, status, 0},
    {"POST", "/api/v1/forking/assess", RD_ROLE_ADMIN, assess, 0},
    {"POST", "/api/v1/forking/execute", RD_ROLE_ADMIN, execute, 0},
    {"POST", "/api/v1/forking/{id}/approve", RD_ROLE_ADMIN, approve, 0},
};

const struct api_route_table api_routes_forking = {routes, sizeof routes / sizeof routes[0]};
