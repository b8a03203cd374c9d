/*
 * riskdesk fork assess | execute: a node's fork assessed (prerequisites and
 * confidence, stored) or executed exactly once. The two share their options;
 * each is its own entry.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/fork_cli.h"
#include "cli/ledger_cli.h"
#include "riskdesk/banned.h"

static const char *key, *vix_text;
static int force;

static const struct option opts[] = {
    {"key", required_argument, NULL, 'k'},
    {"force", no_argument, NULL, 'f'},
    {"vix", required_argument, NULL, 'v'},
    {NULL, 0, NULL, 0},
};

static int option(int val, const char *arg)
{
    if (val == 'k')
        key = arg;
    else if (val == 'f')
        force = 1;
    else
        vix_text = arg;
    return CLI_OK;
}

static struct rd_fork_request req;

/* Checks the options of the command named name into req. */
static int check_as(const char *name, int takes_key)
{
    memset(&req, 0, sizeof req);
    if (key && !takes_key)
        return cli_usage_error(name, "--key is for fork execute");
    if (force && !takes_key)
        return cli_usage_error(name, "--force is for fork execute");
    if (key && (!*key || strlen(key) >= RD_LEDGER_KEY_MAX))
        return cli_usage_error(name, "--key: expected 1 to %d characters", RD_LEDGER_KEY_MAX - 1);
    req.key = key;
    req.force = force;
    return fork_cli_vix(name, vix_text, &req.vix_known, &req.vix);
}

static int check_assess(struct cli_ctx *c)
{
    (void)c;
    return check_as("fork assess", 0);
}

static int check_execute(struct cli_ctx *c)
{
    (void)c;
    return check_as("fork execute", 1);
}

static int run_assess(struct cli_ctx *c)
{
    struct rd_hier_actor by = ledger_cli_actor(c->now);
    struct rd_fork_assessment a;
    struct rd_error err = {0};

    req.cfg = c->env.cfg;
    req.acct = c->acct;
    if (rd_fork_assess_node(c->env.store, &req, &by, &a, &err) != RD_OK)
        return cli_fail(&err);
    return fork_cli_print(rd_fork_json_assessment(&a), fork_cli_assessment_line, c->json);
}

static int run_execute(struct cli_ctx *c)
{
    struct rd_hier_actor by = ledger_cli_actor(c->now);
    struct rd_fork_result res;
    struct rd_error err = {0};
    int64_t assessment;

    req.cfg = c->env.cfg;
    req.acct = c->acct;
    if (rd_fork_execute(c->env.store, &req, &by, &res, &assessment, &err) != RD_OK)
        return cli_fail(&err);
    return fork_cli_print(rd_fork_json_result(&res), fork_cli_result_line, c->json);
}

#define TAKES (CLI_O_CONFIG | CLI_O_DB | CLI_O_ACCOUNT | CLI_O_NEED_ACCOUNT | CLI_O_AT | \
               CLI_O_AT_WRITES | CLI_O_JSON)

const struct cli_cmd cli_cmd_fork_assess = {
    .name = "fork assess",
    .summary = "assess a node's fork: its prerequisites and confidence (stored)",
    .usage = "usage: riskdesk fork assess [--config F] [--db URL] [--at TIME] [--json]\n"
             "                            --account A [--vix L]\n\n"
             "Checks the fork's prerequisites (a refusal names its code) and computes its\n"
             "confidence: 0.30 market (--vix L; unknown is 0) + 0.40 performance (the\n"
             "account's snapshots) + 0.20 load + 0.10 timing. The assessment is stored with\n"
             "its factors; its action is execute (>= 0.80), window (0.70 to 0.80) or review.\n",
    .takes = TAKES,
    .opens = CLI_OPENS_STORE,
    .options = opts,
    .option = option,
    .check = check_assess,
    .run = run_assess,
};

const struct cli_cmd cli_cmd_fork_execute = {
    .name = "fork execute",
    .summary = "fork a node: move its threshold into a new child, exactly once",
    .usage = "usage: riskdesk fork execute [--config F] [--db URL] [--at TIME] [--json]\n"
             "                             --account A [--key K] [--force] [--vix L]\n\n"
             "Moves the type's threshold from the node into a new child of its child type\n"
             "(A.fN), in one transaction. The key (default fork/A/N, N = forks so far + 1)\n"
             "makes it happen once: the same key and parameters replay the stored result,\n"
             "other parameters are refused (idempotency_conflict). Without --force a\n"
             "confidence below 0.80 is refused (low_confidence), its assessment kept for\n"
             "`riskdesk fork approve ID`; --force never skips a prerequisite.\n",
    .takes = TAKES,
    .opens = CLI_OPENS_STORE,
    .options = opts,
    .option = option,
    .check = check_execute,
    .run = run_execute,
};
