/*
 * cmd_perf_hierarchy.c - `riskdesk perf hierarchy`: a subtree's P&L and
 * returns net of flows, each node's contribution and risk share
 * (src/app/perf_hierarchy.c, docs/hierarchy.md "Attribution").
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/ledger_cli.h"
#include "riskdesk/calendar.h"
#include "riskdesk/perf_hierarchy.h"
#include "riskdesk/banned.h"

#define NAME "perf hierarchy"

static const char *root;
static int32_t day_from = INT32_MIN, day_to = INT32_MAX;

static const struct option opts[] = {
    {"root", required_argument, NULL, 'R'}, {"from", required_argument, NULL, 'f'},
    {"to", required_argument, NULL, 'T'},   {NULL, 0, NULL, 0},
};

static int parse_day(const char *opt, const char *s, int32_t *out)
{
    struct rd_error err = {0};

    if (rd_date_parse(s, strlen(s), out, &err) != RD_OK)
        return cli_usage_error(NAME, "%s: '%s'; expected a date YYYY-MM-DD", opt, s);
    return CLI_OK;
}

static int option(int val, const char *arg)
{
    if (val == 'R')
        root = arg;
    else if (val == 'f')
        return parse_day("--from", arg, &day_from);
    else if (val == 'T')
        return parse_day("--to", arg, &day_to);
    return CLI_OK;
}

static int check(struct cli_ctx *c)
{
    (void)c;
    if (!root)
        return cli_usage_error(NAME, "--root ACCOUNT is required");
    if (day_from != INT32_MIN && day_to != INT32_MAX && day_from > day_to)
        return cli_usage_error(NAME, "--from is after --to");
    return CLI_OK;
}

static void print_text(const struct rd_perf_hierarchy *h)
{
    char m[32], from[16], to[16];

    rd_money_format(h->total.pnl, m, sizeof m);
    rd_date_format(h->days[0], from, sizeof from);
    rd_date_format(h->days[h->ndays - 1], to, sizeof to);
    printf("%s and %zu below it, after %s to %s: P&L %s, return %.6f\n", h->root,
           h->nnodes - 1, from, to, m, h->total.ret);
    printf("%-20s %14s %12s %12s %10s\n", "account", "pnl", "return", "contribution",
           "risk_share");
    for (size_t i = 0; i < h->nnodes; i++) {
        const struct rd_attr_node *n = &h->nodes[i];
        char r[24];

        rd_money_format(n->pnl, m, sizeof m);
        if (rd_perf_hierarchy_has_return(h, i))
            snprintf(r, sizeof r, "%.6f", n->ret);
        else
            snprintf(r, sizeof r, "-");
        printf("%-20s %14s %12s %12.6f %10.4f\n", h->accounts[i], m, r, n->contribution,
               n->risk_share);
    }
}

static int run(struct cli_ctx *c)
{
    struct rd_perf_hierarchy h;
    struct rd_error err = {0};
    int rc = rd_perf_hierarchy(c->env.store, root, day_from, day_to, &h, &err);

    if (rc != RD_OK)
        return cli_fail(&err);
    if (c->json) {
        rc = ledger_cli_print(rd_perf_hierarchy_json(&h));
    } else {
        print_text(&h);
        rc = CLI_OK;
    }
    rd_perf_hierarchy_release(&h);
    return rc;
}

const struct cli_cmd cli_cmd_perf_hierarchy = {
    .name = NAME,
    .summary = "a hierarchy subtree's P&L, returns, contributions and risk shares",
    .usage =
        "usage: riskdesk perf hierarchy [--config F] [--db URL] --root ACCOUNT\n"
        "                               [--from DATE] [--to DATE] [--json]\n"
        "\n"
        "Attributes the subtree under ACCOUNT (itself included) from its nodes'\n"
        "daily snapshots and ledger: each node's P&L (equity change less the money\n"
        "that flowed in or out) and return net of flows, the subtree's return as\n"
        "the equity-weighted sum of its nodes' each day, each node's contribution\n"
        "to it and its share of its risk. --from/--to (YYYY-MM-DD, inclusive) pick\n"
        "the days; the last snapshot day before --from is the base.\n"
        "docs/hierarchy.md describes the figures and the JSON.\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_JSON,
    .opens = CLI_OPENS_STORE,
    .options = opts,
    .option = option,
    .check = check,
    .run = run,
};
