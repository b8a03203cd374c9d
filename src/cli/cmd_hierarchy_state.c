/* riskdesk hierarchy state: moves a node along the state machine, with the reason. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/ledger_cli.h"
#include "riskdesk/banned.h"

#define NAME "hierarchy state"

static const char *set, *reason;
static enum rd_node_state to;

static const struct option opts[] = {
    {"set", required_argument, NULL, 's'},
    {"reason", required_argument, NULL, 'r'},
    {NULL, 0, NULL, 0},
};

static int option(int val, const char *arg)
{
    if (val == 'r') {
        reason = arg;
        return CLI_OK;
    }
    set = arg;
    if (rd_node_state_parse(arg, &to) != RD_OK)
        return cli_usage_error(NAME, "--set: '%s'; expected SAFE, ACTIVE, SUSPENDED, CLOSED or "
                               "ERROR", arg);
    return CLI_OK;
}

static int check(struct cli_ctx *c)
{
    (void)c;
    if (!set)
        return cli_usage_error(NAME, "--set STATE is required");
    if (!reason || !*reason)
        return cli_usage_error(NAME, "--reason TEXT is required (it is kept with the change)");
    if (strlen(reason) >= sizeof ((struct rd_hier_state_row *)0)->why)
        return cli_usage_error(NAME, "--reason: longer than 255 characters");
    return CLI_OK;
}

static int run(struct cli_ctx *c)
{
    struct rd_hier_actor by = ledger_cli_actor(c->now);
    struct rd_hier_state_row t;
    struct rd_error err = {0};

    if (rd_hier_set_state(c->env.store, c->acct->name, to, reason, &by, &t, &err) != RD_OK)
        return cli_fail(&err);
    if (c->json)
        return ledger_cli_print(json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "account", t.account,
                                          "from", rd_node_state_name(t.from), "to",
                                          rd_node_state_name(t.to), "trading",
                                          rd_trading_state_name(rd_node_trading_state(t.to)),
                                          "why", t.why, "who", t.who));
    printf("%s %s -> %s (trades as %s): %s\n", t.account, rd_node_state_name(t.from),
           rd_node_state_name(t.to), rd_trading_state_name(rd_node_trading_state(t.to)), t.why);
    return CLI_OK;
}

const struct cli_cmd cli_cmd_hierarchy_state = {
    .name = NAME,
    .summary = "set a node's state (SAFE, ACTIVE, SUSPENDED, CLOSED, ERROR) with a reason",
    .usage = "usage: riskdesk hierarchy state [--config F] [--db URL] [--at TIME] [--json]\n"
             "                               --account A --set STATE --reason TEXT\n\n"
             "Only the state machine's transitions are allowed (docs/hierarchy.md); others are\n"
             "refused (invalid_transition). FORKING and MERGING are entered by a fork or a\n"
             "consolidation, never set by hand. Each change is kept with who, why and when.\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_ACCOUNT | CLI_O_NEED_ACCOUNT | CLI_O_AT |
             CLI_O_AT_WRITES | CLI_O_JSON,
    .opens = CLI_OPENS_STORE,
    .options = opts,
    .option = option,
    .check = check,
    .run = run,
};
