/*
 * routes_audit.c - GET /api/v1/audit: an account's audit chain, or the
 * firm's, oldest first (docs/audit.md, docs/api.md). An admin reads any; a
 * trader the chain of the account assigned to them only.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "riskdesk/audit.h"
#include "riskdesk/calendar.h"
#include "riskdesk/banned.h"

struct walk {
    struct rd_buf *o;
    int n;
    int64_t since;
    const char *kind;
};

static int entry_visit(void *ctx, const struct rd_audit_entry *e)
{
    struct walk *w = ctx;
    char at[32];

    if (e->at < w->since || (w->kind && strcmp(w->kind, e->kind) != 0))
        return 0;
    rd_time_format(e->at, at, sizeof at);
    rd_buf_puts(w->o, w->n++ ? ",{\"chain\":" : "{\"chain\":");
    api_json_str(w->o, e->chain);
    rd_buf_printf(w->o, ",\"seq\":%" PRId64 ",\"at\":\"%s\",\"actor\":", e->seq, at);
    api_json_str(w->o, e->actor);
    rd_buf_puts(w->o, ",\"kind\":");
    api_json_str(w->o, e->kind);
    rd_buf_puts(w->o, ",\"subject\":");
    api_json_str(w->o, e->subject);
    rd_buf_printf(w->o, ",\"record_hash\":\"%s\",\"prev_hash\":\"%s\",\"hash\":\"%s\"}",
                  e->record_hash, e->prev_hash, e->hash);
    return 0;
}

static int audit(struct api_req *r)
{
    static const char *const q[] = {"account", "since", "kind", NULL};
    const char *account = api_query(r, "account"), *since = api_query(r, "since");
    struct walk w = {&r->out, 0, INT64_MIN, api_query(r, "kind")};
    char chain[RD_AUDIT_CHAIN_MAX];
    struct rd_error err = {0};
    struct rd_store *s;
    int rc;

    if ((rc = api_query_check(r, q)))
        return rc;
    if (r->auth.role < RD_ROLE_ADMIN && (!account || !api_may_see_account(r, account)))
        return api_error(r, 403, "forbidden_account",
                         "a trader reads only the audit chain of the account assigned to them "
                         "(?account=%s)", r->auth.account[0] ? r->auth.account : "none assigned");
    if (since && rd_time_parse(since, strlen(since), &w.since, &err) != RD_OK)
        return api_error(r, 400, "invalid", "since: %s", err.msg);
    if (rd_audit_chain_name(account, chain, &err) != RD_OK)
        return api_error(r, 400, "invalid", "account: %s", err.msg);
    if (!(s = api_store(r)))
        return r->status;
    if (!s->ops->audit)
        return api_error(r, 501, "unsupported", "the %s store keeps no audit trail", s->ops->name);
    rd_buf_puts(&r->out, "{\"chain\":");
    api_json_str(&r->out, chain);
    rd_buf_puts(&r->out, ",\"entries\":[");
    rc = s->ops->audit->list(s, chain, 1, entry_visit, &w, &err);
    if (rc != RD_OK)
        return api_fail(r, rc, &err);
    rd_buf_puts(&r->out, "]}\n");
    return 200;
}

static const struct api_route routes[] = {
    {"GET", "/api/v1/audit", RD_ROLE_TRADER, audit, 0},
};

const struct api_route_table api_routes_audit = {routes, sizeof routes / sizeof routes[0]};
