/*
 * merge_json.c - consolidation assessments, results and ops as JSON
 * (hierarchy_json.h), the one shape of `riskdesk consolidate ... --json` and
 * the HTTP API's /api/v1/consolidation/ routes.
 */
#include "riskdesk/hierarchy_json.h"

#include "riskdesk/banned.h"

static json_t *triggers(unsigned mask)
{
    json_t *a = json_array();

    for (int t = 0; a && t < RD_MERGE_TRIGGER_COUNT; t++)
        if (mask & (1u << t))
            json_array_append_new(a, json_string(rd_merge_trigger_name((enum rd_merge_trigger)t)));
    return a;
}

json_t *rd_merge_json_assessment(const struct rd_merge_assessment *a)
{
    const struct rd_merge_factors *f = &a->f;

    return json_pack("{s:s, s:s, s:s, s:o, s:o, s:s, s:o, s:o, s:o, s:{s:o, s:o, s:o}, s:s, "
                     "s:b, s:o}",
                     "account", a->account, "type", rd_node_type_name(a->type), "state",
                     rd_node_state_name(a->state), "triggers", triggers(a->triggers), "urgency",
                     a->triggers ? json_string(rd_merge_urgency_name(a->urgency)) : json_null(),
                     "strategy", rd_merge_strategy_name(a->strategy), "target",
                     *a->target ? json_string(a->target) : json_null(), "amount",
                     rd_hier_json_money(a->amount), "confidence", rd_hier_json_ppm(f->confidence),
                     "factors", "reliability", rd_hier_json_ppm(f->reliability), "benefit",
                     rd_hier_json_ppm(f->benefit), "risk", rd_hier_json_ppm(f->risk), "action",
                     rd_fork_action_name(f->action), "safe", f->safe, "assessment",
                     a->id ? json_integer(a->id) : json_null());
}

json_t *rd_merge_json_result(const struct rd_merge_result *r)
{
    return json_pack("{s:I, s:s, s:b, s:s, s:s, s:s, s:o, s:o}", "op", (json_int_t)r->op.id,
                     "key", r->op.key, "replayed", r->replayed, "status",
                     rd_hier_op_status_name(r->op.status), "source", r->source, "target",
                     r->target, "amount", rd_hier_json_money(r->amount), "txn",
                     r->txn ? json_integer(r->txn) : json_null());
}

static int see_opportunity(void *ctx, const struct rd_merge_assessment *a)
{
    return json_array_append_new(ctx, rd_merge_json_assessment(a)) ? RD_ENOMEM : 0;
}

int rd_merge_json_scan(struct rd_store *s, const struct rd_config *cfg,
                       const struct rd_hier_actor *by, int act, json_t **out,
                       struct rd_error *err)
{
    json_t *list = json_array();
    int rc;

    *out = NULL;
    if (!list)
        return rd_error_set(err, RD_ENOMEM, "consolidate scan: out of memory");
    if ((rc = rd_merge_scan(s, cfg, by, act, see_opportunity, list, err)) != RD_OK) {
        json_decref(list);
        if (!err->msg[0])
            rd_error_set(err, rc, "consolidate scan: out of memory");
        return rc;
    }
    *out = json_pack("{s:o}", "opportunities", list);
    return *out ? RD_OK : rd_error_set(err, RD_ENOMEM, "consolidate scan: out of memory");
}

struct ops_seen {
    json_t *list;
    int in_progress;
};

static int see_op(void *ctx, const struct rd_hier_op_row *o)
{
    struct ops_seen *s = ctx;
    json_t *result, *row;

    if (o->kind == RD_HIER_OP_FORK)
        return 0;
    s->in_progress += o->status == RD_HIER_OP_OPEN;
    result = json_loads(o->result, 0, NULL);
    row = json_pack("{s:I, s:s, s:s, s:s, s:O, s:O, s:s, s:s, s:o, s:o, s:O}", "op",
                    (json_int_t)o->id, "key", o->key, "kind", rd_hier_op_kind_name(o->kind),
                    "source", o->account, "target", json_object_get(result, "target"), "amount",
                    json_object_get(result, "amount"), "status",
                    rd_hier_op_status_name(o->status), "who", o->who, "at",
                    rd_hier_json_time(o->created_at), "finished", rd_hier_json_time(o->finished_at),
                    "txn", json_object_get(result, "txn"));
    json_decref(result);
    return !row || json_array_append_new(s->list, row) ? RD_ENOMEM : 0;
}

int rd_merge_json_status(struct rd_store *s, json_t **out, struct rd_error *err)
{
    struct ops_seen w = {json_array(), 0};
    int rc;

    *out = NULL;
    if (!w.list)
        return rd_error_set(err, RD_ENOMEM, "consolidate status: out of memory");
    if ((rc = s->ops->ledger->op_list(s, NULL, see_op, &w, err)) != RD_OK) {
        json_decref(w.list);
        if (!err->msg[0])
            rd_error_set(err, rc, "consolidate status: out of memory");
        return rc;
    }
    *out = json_pack("{s:i, s:o}", "in_progress", w.in_progress, "consolidations", w.list);
    return *out ? RD_OK : rd_error_set(err, RD_ENOMEM, "consolidate status: out of memory");
}
