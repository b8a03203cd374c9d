/*
 * fork_json.c - fork assessments, results and ops as JSON (hierarchy_json.h),
 * the one shape of `riskdesk fork ... --json` and the HTTP API.
 */
#include "riskdesk/hierarchy_json.h"

#include "riskdesk/calendar.h"
#include "riskdesk/banned.h"

json_t *rd_fork_json_assessment(const struct rd_fork_assessment *a)
{
    const struct rd_fork_factors *f = &a->row.f;

    return json_pack("{s:s, s:s, s:o, s:o, s:s, s:o, s:o, s:{s:o, s:o, s:o, s:o}, s:s, s:o}",
                     "account", a->row.account, "type", rd_node_type_name(a->type), "surplus",
                     rd_hier_json_money(a->row.surplus), "threshold",
                     rd_hier_json_money(a->threshold), "child_type",
                     rd_node_type_name(a->child_type), "amount",
                     rd_hier_json_money(a->row.amount), "confidence", rd_hier_json_ppm(f->confidence),
                     "factors", "market", rd_hier_json_ppm(f->market), "performance", rd_hier_json_ppm(f->performance),
                     "load", rd_hier_json_ppm(f->load), "timing", rd_hier_json_ppm(f->timing), "action",
                     rd_fork_action_name(f->action), "assessment",
                     a->row.id ? json_integer(a->row.id) : json_null());
}

json_t *rd_fork_json_result(const struct rd_fork_result *r)
{
    json_t *kids = json_array();

    for (size_t i = 0; kids && i < r->nchildren; i++)
        if (json_array_append_new(kids, json_pack(
                "{s:s, s:s, s:o}", "account", r->children[i].account, "type",
                rd_node_type_name(r->children[i].type), "amount",
                rd_hier_json_money(r->children[i].amount))) != 0) {
            json_decref(kids);
            return NULL;
        }
    if (!kids)
        return NULL;
    return json_pack("{s:I, s:s, s:b, s:s, s:s, s:o, s:I}", "op", (json_int_t)r->op.id, "key",
                     r->op.key, "replayed", r->replayed, "status",
                     rd_hier_op_status_name(r->op.status), "parent", r->parent, "children",
                     kids, "txn", (json_int_t)r->txn);
}

static int see_opportunity(void *ctx, const struct rd_fork_assessment *a)
{
    return json_array_append_new(ctx, rd_fork_json_assessment(a)) ? RD_ENOMEM : 0;
}

int rd_fork_json_scan(struct rd_store *s, const struct rd_fork_request *r,
                      const struct rd_hier_actor *by, int store, json_t **out,
                      struct rd_error *err)
{
    json_t *list = json_array();
    int rc;

    *out = NULL;
    if (!list)
        return rd_error_set(err, RD_ENOMEM, "fork scan: out of memory");
    if ((rc = rd_fork_scan(s, r, by, store, see_opportunity, list, err)) != RD_OK) {
        json_decref(list);
        if (!err->msg[0])
            rd_error_set(err, rc, "fork scan: out of memory");
        return rc;
    }
    *out = json_pack("{s:o}", "opportunities", list);
    return *out ? RD_OK : rd_error_set(err, RD_ENOMEM, "fork scan: out of memory");
}

struct ops_seen {
    json_t *forks;
    int in_progress;
};

static int see_op(void *ctx, const struct rd_hier_op_row *o)
{
    struct ops_seen *s = ctx;
    json_t *result, *kids;

    if (o->kind != RD_HIER_OP_FORK)
        return 0;
    if (o->status == RD_HIER_OP_OPEN)
        s->in_progress++;
    result = o->result[0] ? json_loads(o->result, 0, NULL) : NULL;
    kids = result ? json_incref(json_object_get(result, "children")) : NULL;
    json_decref(result);
    return json_array_append_new(
               s->forks,
               json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "op", (json_int_t)o->id,
                         "key", o->key, "parent", o->account, "status",
                         rd_hier_op_status_name(o->status), "who", o->who, "at",
                         rd_hier_json_time(o->created_at), "finished", rd_hier_json_time(o->finished_at), "children",
                         kids ? kids : json_array()))
               ? RD_ENOMEM
               : 0;
}

int rd_fork_json_status(struct rd_store *s, json_t **out, struct rd_error *err)
{
    struct ops_seen w = {json_array(), 0};
    int rc;

    *out = NULL;
    if (!w.forks)
        return rd_error_set(err, RD_ENOMEM, "fork status: out of memory");
    if ((rc = s->ops->ledger->op_list(s, NULL, see_op, &w, err)) != RD_OK) {
        json_decref(w.forks);
        if (!err->msg[0])
            rd_error_set(err, rc, "fork status: out of memory");
        return rc;
    }
    *out = json_pack("{s:i, s:i, s:o}", "in_progress", w.in_progress, "limit",
                     RD_FORK_MAX_IN_PROGRESS, "forks", w.forks);
    return *out ? RD_OK : rd_error_set(err, RD_ENOMEM, "fork status: out of memory");
}
