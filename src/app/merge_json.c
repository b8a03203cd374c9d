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
