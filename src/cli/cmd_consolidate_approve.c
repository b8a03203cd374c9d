/* riskdesk consolidate approve ID: a person approves a stored consolidation
 * assessment; the consolidation executes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/consolidate_cli.h"
#include "cli/ledger_cli.h"
#include "riskdesk/banned.h"

#define NAME "consolidate approve"

static const char *key;
static int64_t id;

static const struct option opts[] = {
    {"key", required_argument, NULL, 'k'},
    {NULL, 0, NULL, 0},
};

static int option(int val, const char *arg)
{
    (void)val;
    key = arg;
    return CLI_OK;
}

static int check(struct cli_ctx *c)
{
    char *end;
    long long v;

    if (c->argc != 1)
        return cli_usage_error(NAME, "expected one operand: the assessment's ID");
    errno = 0;
    v = strtoll(c->argv[0], &end, 10);
    if (errno || *end || end == c->argv[0] || v <= 0)
        return cli_usage_error(NAME, "ID: '%s'; expected an assessment's id (a number > 0)",
                               c->argv[0]);
    id = v;
    if (key && (!*key || strlen(key) >= RD_LEDGER_KEY_MAX))
        return cli_usage_error(NAME, "--key: expected 1 to %d characters", RD_LEDGER_KEY_MAX - 1);
    return CLI_OK;
}

static int run(struct cli_ctx *c)
{
    struct rd_hier_actor by = ledger_cli_actor(c->now);
    struct rd_merge_request req = {.cfg = c->env.cfg, .key = key};
    struct rd_merge_result res;
    struct rd_error err = {0};
    int64_t assessment;

    if (rd_merge_approve(c->env.store, &req, id, &by, &res, &assessment, &err) != RD_OK)
        return cli_fail(&err);
    if (c->json)
        return ledger_cli_print(rd_merge_json_result(&res));
    consolidate_cli_result_line(&res);
    return CLI_OK;
}

const struct cli_cmd cli_cmd_consolidate_approve = {
    .name = NAME,
    .summary = "approve a stored consolidation assessment: the consolidation executes",
    .usage = "usage: riskdesk consolidate approve [--config F] [--db URL] [--at TIME] [--json]\n"
             "                                    [--key K] ID\n\n"
             "A person approves assessment ID (from consolidate assess or a refused\n"
             "execute): what it asked (its node, strategy, --into, --amount) executes as\n"
             "`consolidate execute --force` does, every refusal checked again now. An\n"
             "assessment followed by a consolidation of its node is refused (stale), unless\n"
             "--key names that consolidation: the approval again, answered as before.\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_AT | CLI_O_AT_WRITES | CLI_O_JSON | CLI_O_OPERANDS,
    .opens = CLI_OPENS_STORE,
    .options = opts,
    .option = option,
    .check = check,
    .run = run,
};
