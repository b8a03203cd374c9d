/*
 * consolidate_cli.c - what the consolidate commands share (consolidate_cli.h).
 */
#include "cli/consolidate_cli.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/ledger_cli.h"
#include "riskdesk/banned.h"

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
    printf("%s", a->f.safe ? " (set SAFE)" : "");
    if (a->id)
        printf("; assessment %lld", (long long)a->id);
    printf("\n");
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
