/*
 * consolidate_cli.c - what the consolidate commands share (consolidate_cli.h).
 */
#include "cli/consolidate_cli.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/ledger_cli.h"
#include "riskdesk/banned.h"

static json_t *triggers(unsigned mask)
{
    json_t *a = json_array();

    for (int t = 0; a && t < RD_MERGE_TRIGGER_COUNT; t++)
        if (mask & (1u << t))
            json_array_append_new(a, json_string(rd_merge_trigger_name((enum rd_merge_trigger)t)));
    return a;
}

json_t *consolidate_cli_assessment(const struct rd_merge_assessment *a)
{
    const struct rd_merge_factors *f = &a->f;

    return json_pack("{s:s, s:s, s:s, s:o, s:o, s:s, s:o, s:o, s:o, s:{s:o, s:o, s:o}, s:s, "
                     "s:b}",
                     "account", a->account, "type", rd_node_type_name(a->type), "state",
                     rd_node_state_name(a->state), "triggers", triggers(a->triggers), "urgency",
                     a->triggers ? json_string(rd_merge_urgency_name(a->urgency)) : json_null(),
                     "strategy", rd_merge_strategy_name(a->strategy), "target",
                     *a->target ? json_string(a->target) : json_null(), "amount",
                     rd_hier_json_money(a->amount), "confidence", rd_hier_json_ppm(f->confidence),
                     "factors", "reliability", rd_hier_json_ppm(f->reliability), "benefit",
                     rd_hier_json_ppm(f->benefit), "risk", rd_hier_json_ppm(f->risk), "action",
                     rd_fork_action_name(f->action), "safe", f->safe);
}

void consolidate_cli_assessment_line(const struct rd_merge_assessment *a)
{
    char m[32], c[16];

    rd_money_format(a->amount, m, sizeof m);
    rd_ppm_format(a->f.confidence, c, sizeof c);
    printf("%s (%s, %s): %s %s into %s, confidence %s: %s", a->account,
           rd_node_type_name(a->type), rd_node_state_name(a->state), m,
           rd_merge_strategy_name(a->strategy), *a->target ? a->target : "a new node", c,
           rd_fork_action_name(a->f.action));
    for (int t = 0; t < RD_MERGE_TRIGGER_COUNT; t++)
        if (a->triggers & (1u << t))
            printf(" [%s]", rd_merge_trigger_name((enum rd_merge_trigger)t));
    printf("%s\n", a->f.safe ? " (set SAFE)" : "");
}

json_t *consolidate_cli_result(const struct rd_merge_result *r)
{
    return json_pack("{s:I, s:s, s:b, s:s, s:s, s:s, s:o, s:o}", "op", (json_int_t)r->op.id,
                     "key", r->op.key, "replayed", r->replayed, "status",
                     rd_hier_op_status_name(r->op.status), "source", r->source, "target",
                     r->target, "amount", rd_hier_json_money(r->amount), "txn",
                     r->txn ? json_integer(r->txn) : json_null());
}

void consolidate_cli_result_line(const struct rd_merge_result *r)
{
    char m[32];

    rd_money_format(r->amount, m, sizeof m);
    if (r->op.status == RD_HIER_OP_OPEN)
        printf("consolidation op %lld (%s): %s is MERGING into %s, %s to move once its "
               "positions are closed%s\n", (long long)r->op.id, r->op.key, r->source, r->target,
               m, r->replayed ? " (as before)" : "");
    else
        printf("consolidation op %lld (%s): %s moved from %s to %s in transaction %lld%s\n",
               (long long)r->op.id, r->op.key, m, r->source, r->target, (long long)r->txn,
               r->replayed ? " (replayed: done before)" : "");
}
