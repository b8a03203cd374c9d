/*
 * routes_consolidation.c - consolidations over HTTP (docs/api.md
 * "Hierarchy"): the nodes a trigger names, every consolidation op, and a
 * consolidation assessed, executed or approved, each answering the JSON
 * `riskdesk consolidate ...` prints with --json.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/hier_int.h"
#include "riskdesk/banned.h"

/* GET /api/v1/consolidation/opportunities: consolidate scan as a read: a
 * GET changes nothing (the scan that sets a critical node SAFE is the CLI's). */
static int opportunities(struct api_req *r)
{
    static const char *const q[] = {NULL};
    struct rd_hier_actor by = api_hier_actor(r);
    struct rd_error err = {0};
    struct rd_store *s;
    json_t *o;
    int st, rc;

    if ((st = api_query_check(r, q)))
        return st;
    if (!(s = api_store(r)))
        return r->status;
    if ((rc = rd_merge_json_scan(s, api_cfgref(r)->cfg, &by, 0, &o, &err)) != RD_OK)
        return api_hier_fail(r, rc, &err);
    api_hier_only_visible(r, o, "opportunities", "account", NULL);
    return api_hier_answer(r, o, 200);
}

/* GET /api/v1/consolidation/status: every consolidation op (a trader's: those
 * from or into their node). */
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
    if ((rc = rd_merge_json_status(s, &o, &err)) != RD_OK)
        return api_hier_fail(r, rc, &err);
    api_hier_only_visible(r, o, "consolidations", "source", "target");
    return api_hier_answer(r, o, 200);
}

/* The body of assess and execute: {"account", "strategy", "into", "amount",
 * "force"}, checked as the CLI checks its options; the Idempotency-Key
 * (execute's, required) as the consolidation's key. */
static int request_of(struct api_req *r, json_t *body, int execute, struct rd_merge_request *req)
{
    static const char *const keys[] = {"account", "strategy", "into", "amount", "force", NULL};
    json_t *force = json_object_get(body, "force");
    const char *name = NULL, *strategy = NULL, *amount = NULL;
    struct rd_error err = {0};
    int st;

    if (!json_is_object(body))
        return api_error(r, 400, "invalid", "expected a JSON object {\"account\": \"g1.f1\", "
                         "\"strategy\": \"parent\"%s}", execute ? ", \"force\": false" : "");
    if ((st = api_json_check_keys(r, body, keys, "body")) ||
        (st = api_json_get_str(r, body, "account", &name, 64)) ||
        (st = api_json_get_str(r, body, "strategy", &strategy, 16)) ||
        (st = api_json_get_str(r, body, "into", &req->into, 64)) ||
        (st = api_json_get_str(r, body, "amount", &amount, 40)))
        return st;
    if (!name)
        return api_error(r, 400, "invalid", "account: required, the node to consolidate");
    if (!strategy || rd_merge_strategy_parse(strategy, &req->strategy) != RD_OK)
        return api_error(r, 400, "invalid", "strategy: expected parent, sibling, new or partial");
    if (req->into && !*req->into)
        return api_error(r, 400, "invalid", "into: expected a node's name");
    if (req->strategy != RD_MERGE_PARTIAL && amount)
        return api_error(r, 400, "invalid", "amount: is for strategy partial (the others move "
                         "all of the capital)");
    if (req->strategy == RD_MERGE_PARTIAL && !amount)
        return api_error(r, 400, "invalid", "amount: required for strategy partial, a decimal "
                         "string like \"250.50\"");
    if (amount && rd_hier_amount_parse("amount", amount, 0, &req->amount, &err) != RD_OK)
        return api_error(r, 400, "invalid", "%s", err.msg);
    if (force && !json_is_boolean(force))
        return api_error(r, 400, "invalid", "force: expected true or false");
    if (force && !execute)
        return api_error(r, 400, "invalid", "force: is for /api/v1/consolidation/execute");
    req->force = json_is_true(force);
    if ((st = api_hier_account(r, name, &req->acct)))
        return st;
    return execute ? api_hier_key(r, 1, &req->key) : 0;
}

/* A consolidation's answer: 200 for a replay, else 201; one that made a
 * node (strategy new) added its account (api_hier_reload). */
static int merge_made(struct api_req *r, struct rd_store *s, const struct rd_merge_result *res)
{
    if (!res->replayed)
        api_hier_reload(r, s);
    return api_hier_answer(r, rd_merge_json_result(res), res->replayed ? 200 : 201);
}

/* POST /api/v1/consolidation/assess and /execute. */
static int assess_or_execute(struct api_req *r, int execute)
{
    struct rd_merge_request req = {0};
    struct rd_hier_actor by = api_hier_actor(r);
    struct rd_merge_assessment a;
    struct rd_merge_result res;
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
        rc = rd_merge_execute(s, &req, &by, &res, &assessment, &err);
    else
        rc = rd_merge_assess_node(s, &req, &by, &a, &err);
    json_decref(body);                /* req's strings were the body's */
    if (rc != RD_OK)
        return api_hier_fail(r, rc, &err);
    if (!execute)
        return api_hier_answer(r, rd_merge_json_assessment(&a), 201);
    return merge_made(r, s, &res);
}

static int assess(struct api_req *r)
{
    return assess_or_execute(r, 0);
}

static int execute(struct api_req *r)
{
    return assess_or_execute(r, 1);
}

/* POST /api/v1/consolidation/{id}/approve: a person approves assessment id;
 * the consolidation executes under the Idempotency-Key. No body, or {}. */
static int approve(struct api_req *r)
{
    static const char *const keys[] = {NULL};
    const char *id = api_param(r, "id");
    struct rd_merge_request req = {0};
    struct rd_hier_actor by = api_hier_actor(r);
    struct rd_merge_result res;
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
        return api_error(r, 404, "not_found", "no consolidation assessment has id \"%.40s\"",
                         id ? id : "");
    if ((st = api_hier_key(r, 1, &req.key)))
        return st;
    if (r->body.len && !(st = api_body_json(r, &body))) {
        if (!json_is_object(body))
            st = api_error(r, 400, "invalid", "expected no body or an empty JSON object {}");
        else
            st = api_json_check_keys(r, body, keys, "body");
    }
    json_decref(body);
    if (st)
        return st;
    if (!(s = api_store(r)))
        return r->status;
    req.cfg = api_cfgref(r)->cfg;
    if ((rc = rd_merge_approve(s, &req, n, &by, &res, &assessment, &err)) != RD_OK)
        return api_hier_fail(r, rc, &err);
    return merge_made(r, s, &res);
}

static const struct api_route routes[] = {
    {"GET", "/api/v1/consolidation/opportunities", RD_ROLE_VIEWER, opportunities, 0},
    {"GET", "/api/v1/consolidation/status", RD_ROLE_VIEWER, status, 0},
    {"POST", "/api/v1/consolidation/assess", RD_ROLE_ADMIN, assess, 0},
    {"POST", "/api/v1/consolidation/execute", RD_ROLE_ADMIN, execute, 0},
    {"POST", "/api/v1/consolidation/{id}/approve", RD_ROLE_ADMIN, approve, 0},
};

const struct api_route_table api_routes_consolidation = {routes,
                                                         sizeof routes / sizeof routes[0]};
