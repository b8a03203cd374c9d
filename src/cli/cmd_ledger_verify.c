/* riskdesk ledger verify: proves the ledger's rules over everything stored. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/ledger_cli.h"
#include "riskdesk/banned.h"

static int run(struct cli_ctx *c)
{
    struct rd_ledger_report r;
    struct rd_error err = {0};
    size_t shown;
    int rc;

    if (rd_ledger_check(c->env.store, &r, &err) != RD_OK)
        return cli_fail(&err);
    shown = r.nproblems < RD_LEDGER_PROBLEMS_MAX ? r.nproblems : RD_LEDGER_PROBLEMS_MAX;
    if (c->json) {
        rc = ledger_cli_print(rd_hier_json_report(&r));
    } else {
        char d[32], w[32], p[32];

        rd_money_format(r.deposits, d, sizeof d);
        rd_money_format(r.withdrawals, w, sizeof w);
        rd_money_format(r.realized_pnl, p, sizeof p);
        printf("%s: %lld transactions, %lld entries, %lld nodes; deposits %s, withdrawals %s, "
               "realized P&L %s\n", r.nproblems ? "PROBLEMS" : "ok", (long long)r.transactions,
               (long long)r.entries, (long long)r.nodes, d, w, p);
        rc = CLI_OK;
    }
    for (size_t i = 0; i < shown; i++)
        fprintf(stderr, "riskdesk: ledger verify: %s\n", r.problems[i]);
    if (r.nproblems > shown)
        fprintf(stderr, "riskdesk: ledger verify: and %zu more problems\n", r.nproblems - shown);
    return rc != CLI_OK ? rc : r.nproblems ? CLI_FAIL : CLI_OK;
}

const struct cli_cmd cli_cmd_ledger_verify = {
    .name = "ledger verify",
    .summary = "prove the ledger's rules over everything stored (exit 1 naming each problem)",
    .usage = "usage: riskdesk ledger verify [--config F] [--db URL] [--at TIME] [--json]\n\n"
             "Checks that every transaction sums to 0, every balance is the sum of its entries,\n"
             "each node's capital is deposits - withdrawals + realised P&L, no book went below\n"
             "0 by a transfer, each node's paper cash equals its available book, nothing is in\n"
             "FORKING and nothing in MERGING without an open consolidation. Exit 1 when any\n"
             "problem is found, each named on stderr (and in \"problems\" with --json).\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_AT | CLI_O_JSON,
    .opens = CLI_OPENS_STORE,
    .run = run,
};
