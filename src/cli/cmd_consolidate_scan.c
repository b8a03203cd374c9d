/* riskdesk consolidate scan: every node a trigger names, assessed for its parent. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/consolidate_cli.h"
#include "cli/ledger_cli.h"
#include "riskdesk/banned.h"

static int line(void *ctx, const struct rd_merge_assessment *a)
{
    (void)ctx;
    consolidate_cli_assessment_line(a);
    return 0;
}

static int run(struct cli_ctx *c)
{
    struct rd_hier_actor by = ledger_cli_actor(c->now);
    struct rd_error err = {0};
    json_t *o;

    if (!c->json) {
        if (rd_merge_scan(c->env.store, c->env.cfg, &by, 1, line, NULL, &err) != RD_OK)
            return cli_fail(&err);
        return CLI_OK;
    }
    if (rd_merge_json_scan(c->env.store, c->env.cfg, &by, 1, &o, &err) != RD_OK)
        return cli_fail(&err);
    return ledger_cli_print(o);
}

const struct cli_cmd cli_cmd_consolidate_scan = {
    .name = "consolidate scan",
    .summary = "the nodes a consolidation trigger names, each assessed for its parent",
    .usage = "usage: riskdesk consolidate scan [--config F] [--db URL] [--at TIME] [--json]\n\n"
             "Looks at every open node under a parent for the triggers (drawdown >= 20%\n"
             "critical; annualised < 5% over >= 30 days high; capital under the type's\n"
             "minimum medium; no ledger entry in 30 days low; over 1,000 open nodes, the\n"
             "worst leaf, low) and lists each with its consolidation into its parent\n"
             "assessed. A critical one below 0.70 is set SAFE.\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_AT | CLI_O_AT_WRITES | CLI_O_JSON,
    .opens = CLI_OPENS_STORE,
    .run = run,
};
