/* riskdesk hierarchy init: makes a flat paper account a root node of the hierarchy. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/ledger_cli.h"
#include "riskdesk/banned.h"

#define NAME "hierarchy init"

static const char *type_text;
static enum rd_node_type type;

static const struct option opts[] = {
    {"type", required_argument, NULL, 't'},
    {NULL, 0, NULL, 0},
};

static int option(int val, const char *arg)
{
    (void)val;
    type_text = arg;
    if (rd_node_type_parse(arg, &type) != RD_OK)
        return cli_usage_error(NAME, "--type: '%s'; expected gen, rev or com", arg);
    return CLI_OK;
}

static int check(struct cli_ctx *c)
{
    (void)c;
    return type_text ? CLI_OK : cli_usage_error(NAME, "--type gen|rev|com is required");
}

static int run(struct cli_ctx *c)
{
    struct rd_hier_actor by = ledger_cli_actor(c->now);
    struct rd_hier_view v;
    struct rd_error err = {0};
    char m[32];

    if (rd_hier_init(c->env.store, c->acct, type, &by, &v, &err) != RD_OK)
        return cli_fail(&err);
    if (c->json)
        return ledger_cli_print(rd_hier_json_node(&v));
    rd_money_format(rd_ledger_capital(&v.sums), m, sizeof m);
    printf("%s: a %s node, ACTIVE, opened with %s\n", v.node.account,
           rd_node_type_name(v.node.type), m);
    return CLI_OK;
}

const struct cli_cmd cli_cmd_hierarchy_init = {
    .name = NAME,
    .summary = "make a flat paper account a root node (gen, rev or com)",
    .usage = "usage: riskdesk hierarchy init [--config F] [--db URL] [--at TIME] [--json]\n"
             "                              --account A --type gen|rev|com\n\n"
             "The account must be a paper account holding no positions: its cash (its starting\n"
             "cash when it has not traded) is booked as the opening transaction (key open/A).\n"
             "An Alpaca account is refused: Alpaca's API cannot move money between accounts.\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_ACCOUNT | CLI_O_NEED_ACCOUNT | CLI_O_AT |
             CLI_O_AT_WRITES | CLI_O_JSON,
    .opens = CLI_OPENS_STORE,
    .options = opts,
    .option = option,
    .check = check,
    .run = run,
};
