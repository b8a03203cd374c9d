/*
 * riskdesk consolidate assess | execute: a node's consolidation assessed
 * (its triggers, target, refusals and confidence) or executed exactly once.
 * The two share their options; each is its own entry.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/consolidate_cli.h"
#include "cli/ledger_cli.h"
#include "riskdesk/banned.h"

static const char *key, *strategy, *into, *amount;
static int force;

static const struct option opts[] = {
    {"strategy", required_argument, NULL, 's'},
    {"into", required_argument, NULL, 'i'},
    {"amount", required_argument, NULL, 'a'},
    {"key", required_argument, NULL, 'k'},
    {"force", no_argument, NULL, 'f'},
    {NULL, 0, NULL, 0},
};

static int option(int val, const char *arg)
{
    if (val == 's')
        strategy = arg;
    else if (val == 'i')
        into = arg;
    else if (val == 'a')
        amount = arg;
    else if (val == 'k')
        key = arg;
    else
        force = 1;
    return CLI_OK;
}

static struct rd_merge_request req;

/* Checks the options of the command named name into req. */
static int check_as(const char *name, int executes)
{
    memset(&req, 0, sizeof req);
    if (key && !executes)
        return cli_usage_error(name, "--key is for consolidate execute");
    if (force && !executes)
        return cli_usage_error(name, "--force is for consolidate execute");
    if (key && (!*key || strlen(key) >= RD_LEDGER_KEY_MAX))
        return cli_usage_error(name, "--key: expected 1 to %d characters", RD_LEDGER_KEY_MAX - 1);
    if (!strategy)
        return cli_usage_error(name, "--strategy: expected parent, sibling, new or partial");
    if (rd_merge_strategy_parse(strategy, &req.strategy) != RD_OK)
        return cli_usage_error(name, "--strategy: '%s'; expected parent, sibling, new or "
                               "partial", strategy);
    if (into && !*into)
        return cli_usage_error(name, "--into: expected a node's name");
    if (req.strategy != RD_MERGE_PARTIAL && amount)
        return cli_usage_error(name, "--amount is for --strategy partial (the others move all "
                               "of the capital)");
    if (req.strategy == RD_MERGE_PARTIAL && !amount)
        return cli_usage_error(name, "--strategy partial needs --amount D");
    if (amount && ledger_cli_amount(name, amount, 0, &req.amount) != CLI_OK)
        return CLI_USAGE;
    req.into = into;
    req.key = key;
    req.force = force;
    return CLI_OK;
}

static int check_assess(struct cli_ctx *c)
{
    (void)c;
    return check_as("consolidate assess", 0);
}

static int check_execute(struct cli_ctx *c)
{
    (void)c;
    return check_as("consolidate execute", 1);
}

static int run_assess(struct cli_ctx *c)
{
    struct rd_hier_actor by = ledger_cli_actor(c->now);
    struct rd_merge_assessment a;
    struct rd_error err = {0};

    req.cfg = c->env.cfg;
    req.acct = c->acct;
    if (rd_merge_assess_node(c->env.store, &req, &by, &a, &err) != RD_OK)
        return cli_fail(&err);
    if (c->json)
        return ledger_cli_print(rd_merge_json_assessment(&a));
    consolidate_cli_assessment_line(&a);
    return CLI_OK;
}

static int run_execute(struct cli_ctx *c)
{
    struct rd_hier_actor by = ledger_cli_actor(c->now);
    struct rd_merge_result res;
    struct rd_error err = {0};
    int64_t assessment;

    req.cfg = c->env.cfg;
    req.acct = c->acct;
    if (rd_merge_execute(c->env.store, &req, &by, &res, &assessment, &err) != RD_OK)
        return cli_fail(&err);
    if (c->json)
        return ledger_cli_print(rd_merge_json_result(&res));
    consolidate_cli_result_line(&res);
    return CLI_OK;
}

#define TAKES (CLI_O_CONFIG | CLI_O_DB | CLI_O_ACCOUNT | CLI_O_NEED_ACCOUNT | CLI_O_AT | \
               CLI_O_AT_WRITES | CLI_O_JSON)

const struct cli_cmd cli_cmd_consolidate_assess = {
    .name = "consolidate assess",
    .summary = "assess a node's consolidation: triggers, target, refusals, confidence",
    .usage = "usage: riskdesk consolidate assess [--config F] [--db URL] [--at TIME] [--json]\n"
             "         --account A --strategy parent|sibling|new|partial [--into B] [--amount D]\n\n"
             "Finds the strategy's target (parent; the best sibling of the same type tracked\n"
             "30 days or more, or --into; a new node under the parent; partial: --into or\n"
             "the parent), checks the refusals (a refusal names its code) and computes the\n"
             "confidence: 0.30 reliability + 0.40 benefit + 0.30 risk, stored with its\n"
             "factors (its id for `consolidate approve`). A critical trigger below 0.70\n"
             "sets the node SAFE.\n",
    .takes = TAKES,
    .opens = CLI_OPENS_STORE,
    .options = opts,
    .option = option,
    .check = check_assess,
    .run = run_assess,
};

const struct cli_cmd cli_cmd_consolidate_execute = {
    .name = "consolidate execute",
    .summary = "consolidate a node into another, exactly once",
    .usage = "usage: riskdesk consolidate execute [--config F] [--db URL] [--at TIME] [--json]\n"
             "         --account A --strategy parent|sibling|new|partial [--into B] [--amount D]\n"
             "         [--key K] [--force]\n\n"
             "parent, sibling, new: the node goes MERGING, its dispatcher closes its\n"
             "positions, and once it is flat all of its capital moves to the target and it\n"
             "is CLOSED (status open until then; run again, or let `dispatch` finish it).\n"
             "partial: --amount D moves now, nothing else changes. The key (default\n"
             "consolidate/A/N, N = consolidations so far + 1) makes it happen once: the same\n"
             "key and parameters answer with the op, other parameters are refused\n"
             "(idempotency_conflict). Without --force a confidence below 0.80 is refused\n"
             "(low_confidence) and its assessment kept for `consolidate approve ID`;\n"
             "--force never skips a refusal.\n",
    .takes = TAKES,
    .opens = CLI_OPENS_STORE,
    .options = opts,
    .option = option,
    .check = check_execute,
    .run = run_execute,
};
