/* riskdesk fork approve ID: a person approves a stored fork assessment; the fork executes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/fork_cli.h"
#include "cli/ledger_cli.h"
#include "riskdesk/banned.h"

#define NAME "fork approve"

static const char *key, *vix_text;
static struct rd_fork_request req;
static int64_t id;

static const struct option opts[] = {
    {"key", required_argument, NULL, 'k'},
    {"vix", required_argument, NULL, 'v'},
    {NULL, 0, NULL, 0},
};

static int option(int val, const char *arg)
{
    if (val == 'k')
        key = arg;
    else
        vix_text = arg;
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
    req.key = key;
    return fork_cli_vix(NAME, vix_text, &req.vix_known, &req.vix);
}

static int run(struct cli_ctx *c)
{
    struct rd_hier_actor by = ledger_cli_actor(c->now);
    struct rd_fork_result res;
    struct rd_error err = {0};
    int64_t assessment;

    req.cfg = c->env.cfg;
    if (rd_fork_approve(c->env.store, &req, id, &by, &res, &assessment, &err) != RD_OK)
        return cli_fail(&err);
    return fork_cli_print(rd_fork_json_result(&res), fork_cli_result_line, c->json);
}

const struct cli_cmd cli_cmd_fork_approve = {
    .name = NAME,
    .summary = "approve a stored fork assessment: the fork executes",
    .usage = "usage: riskdesk fork approve [--config F] [--db URL] [--at TIME] [--json]\n"
             "                             [--key K] [--vix L] ID\n\n"
             "A person approves assessment ID (from fork assess, scan or a refused execute):\n"
             "the fork of its account executes as `fork execute --force` does, its\n"
             "prerequisites checked again now. An assessment that led to a fork is refused.\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_AT | CLI_O_AT_WRITES | CLI_O_JSON | CLI_O_OPERANDS,
    .opens = CLI_OPENS_STORE,
    .options = opts,
    .option = option,
    .check = check,
    .run = run,
};
