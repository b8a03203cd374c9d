/*
 * routes_hierarchy.c - the account hierarchy and its ledger over HTTP
 * (docs/api.md "Hierarchy"): a node's subtree and ledger, deposits and
 * withdrawals, `ledger verify` and attribution, each answering the JSON the
 * CLI prints with --json (riskdesk/hierarchy_json.h).
 */
#include <stdint.h>
#include <string.h>

#include "api/hier_int.h"
#include "riskdesk/banned.h"

static const char *const no_query[] = {NULL};

/* A read about the node the path names: build(store, node, ...) answered. */
static int node_read(struct api_req *r,
                     int (*build)(struct rd_store *, const char *, json_t **, struct rd_error *))
{
    const struct rd_account_config *a;
    struct rd_error err = {0};
    struct rd_store *s;
    json_t *o;
    int st, rc;

    if ((st = api_query_check(r, no_query)) ||
        (st = api_hier_account(r, api_param(r, "id"), &a)))
        return st;
    if (!(s = api_store(r)))
        return r->status;
    if ((rc = build(s, a->name, &o, &err)) != RD_OK)
        return api_hier_fail(r, rc, &err);
    return api_hier_answer(r, o, 200);
}

/* GET /api/v1/accounts/{id}/hierarchy: the node and every node below it. */
static int subtree(struct api_req *r)
{
    return node_read(r, rd_hier_json_tree);
}

/* GET /api/v1/accounts/{id}/ledger: the node's books and transactions. */
static int ledger(struct api_req *r)
{
    return node_read(r, rd_hier_json_ledger);
}

/* POST .../deposits and .../withdrawals: {"amount": "250.50", "reason": "..."}
 * booked once under the Idempotency-Key. */
static int flow(struct api_req *r, enum rd_ledger_kind kind)
{
    static const char *const keys[] = {"amount", "reason", NULL};
    const struct rd_account_config *a;
    const char *key, *amount = NULL, *reason = NULL;
    struct rd_ledger_request req = {kind, NULL, 0, NULL, ""};
    struct rd_hier_actor by = api_hier_actor(r);
    struct rd_error err = {0};
    struct rd_store *s;
    json_t *body = NULL, *o;
    int st, rc;

    if ((st = api_hier_account(r, api_param(r, "id"), &a)) || (st = api_hier_key(r, 1, &key)) ||
        (st = api_body_json(r, &body)))
        return st;
    if (!json_is_object(body))
        st = api_error(r, 400, "invalid", "expected a JSON object {\"amount\": \"250.50\", "
                       "\"reason\": \"...\"}");
    else if (!(st = api_json_check_keys(r, body, keys, "body")) &&
             !(st = api_json_get_str(r, body, "amount", &amount, 40)) &&
             !(st = api_json_get_str(r, body, "reason", &reason, 256)) && !amount)
        st = api_error(r, 400, "invalid", "amount: required, a decimal string like \"250.50\"");
    if (!st && rd_hier_amount_parse("amount", amount, 0, &req.amount, &err) != RD_OK)
        st = api_error(r, 400, "invalid", "%s", err.msg);
    if (!st && !(s = api_store(r)))
        st = r->status;
    if (!st) {
        req.acct = a;
        req.key = key;
        req.why = reason ? reason : "";
        rc = rd_hier_json_post(s, &req, &by, &o, &err);
        st = rc != RD_OK ? api_hier_fail(r, rc, &err)
                         : api_hier_answer(r, o, json_is_true(json_object_get(o, "replayed"))
                                                     ? 200 : 201);
    }
    json_decref(body);
    return st;
}

static int deposit(struct api_req *r)
{
    return flow(r, RD_LEDGER_DEPOSIT);
}

static int withdrawal(struct api_req *r)
{
    return flow(r, RD_LEDGER_WITHDRAW);
}

/* GET /api/v1/ledger/verify: the ledger's rules over everything stored. */
static int verify(struct api_req *r)
{
    struct rd_ledger_report rep;
    struct rd_error err = {0};
    struct rd_store *s;
    int st, rc;

    if ((st = api_query_check(r, no_query)))
        return st;
    if (!(s = api_store(r)))
        return r->status;
    if ((rc = rd_ledger_check(s, &rep, &err)) != RD_OK)
        return api_hier_fail(r, rc, &err);
    return api_hier_answer(r, rd_hier_json_report(&rep), 200);
}

/* GET /api/v1/performance/hierarchy?root=A[&from=&to=]: attribution. A
 * trader asks about their own node's subtree only; another is not found. */
static int attribution(struct api_req *r)
{
    static const char *const q[] = {"root", "from", "to", NULL};
    const char *root = api_query(r, "root");
    int32_t from = INT32_MIN, to = INT32_MAX;
    struct rd_perf_hierarchy h;
    struct rd_error err = {0};
    struct rd_store *s;
    json_t *o;
    int st, rc;

    if ((st = api_query_check(r, q)) || (st = api_query_day(r, "from", &from)) ||
        (st = api_query_day(r, "to", &to)))
        return st;
    if (!root || !*root)
        return api_error(r, 400, "invalid", "root: required, the account at the subtree's top");
    if (from != INT32_MIN && to != INT32_MAX && from > to)
        return api_error(r, 400, "invalid", "from: after to");
    if (!api_may_see_account(r, root))
        return api_error(r, 404, "not_found", "no account named \"%.64s\"", root);
    if (!(s = api_store(r)))
        return r->status;
    if ((rc = rd_perf_hierarchy(s, root, from, to, &h, &err)) != RD_OK) {
        /* its message names the CLI's option (--root); here it is the query's */
        if (!strncmp(err.msg, "--", 2))
            memmove(err.msg, err.msg + 2, strlen(err.msg + 2) + 1);
        return api_hier_fail(r, rc, &err);
    }
    o = rd_perf_hierarchy_json(&h);
    rd_perf_hierarchy_release(&h);
    return api_hier_answer(r, o, 200);
}

static const struct api_route routes[] = {
    {"GET", "/api/v1/accounts/{id}/hierarchy", RD_ROLE_VIEWER, subtree, API_ACCOUNT_SCOPED},
    {"GET", "/api/v1/accounts/{id}/ledger", RD_ROLE_VIEWER, ledger, API_ACCOUNT_SCOPED},
    {"POST", "/api/v1/accounts/{id}/deposits", RD_ROLE_ADMIN, deposit, API_ACCOUNT_SCOPED},
    {"POST", "/api/v1/accounts/{id}/withdrawals", RD_ROLE_ADMIN, withdrawal, API_ACCOUNT_SCOPED},
    {"GET", "/api/v1/ledger/verify", RD_ROLE_ADMIN, verify, 0},
    {"GET", "/api/v1/performance/hierarchy", RD_ROLE_VIEWER, attribution, 0},
};

const struct api_route_table api_routes_hierarchy = {routes, sizeof routes / sizeof routes[0]};
