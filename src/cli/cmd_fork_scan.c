/* riskdesk fork scan: every node assessed for a fork; those that may fork listed. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/fork_cli.h"
#include "cli/ledger_cli.h"
#include "riskdesk/banned.h"

#define NAME "fork scan"

static const char *vix_text;
static struct rd_fork_request req;

static const struct option opts[] = {
    {"vix", required_argument, NULL, 'v'},
    {NULL, 0, NULL, 0},
};

static int option(int val, const char *arg)
{
    (void)val;
    vix_text = arg;
    return CLI_OK;
}

static int check(struct cli_ctx *c)
{
    (void)c;
    return fork_cli_vix(NAME, vix_text, &req.vix_known, &req.vix);
}

static int run(struct cli_ctx *c)
{
    struct rd_hier_actor by = ledger_cli_actor(c->now);
    struct rd_error err = {0};
    json_t *o, *a;
    size_t i;

    req.cfg = c->env.cfg;
    if (rd_fork_json_scan(c->env.store, &req, &by, 1, &o, &err) != RD_OK)
        return cli_fail(&err);
    if (c->json)
        return ledger_cli_print(o);
    json_array_foreach(json_object_get(o, "opportunities"), i, a)
        fork_cli_assessment_line(a);
    if (!json_array_size(json_object_get(o, "opportunities")))
        printf("no node may fork now\n");
    json_decref(o);
    return CLI_OK;
}

const struct cli_cmd cli_cmd_fork_scan = {
    .name = NAME,
    .summary = "assess every node for a fork; list those that may fork",
    .usage = "usage: riskdesk fork scan [--config F] [--db URL] [--at TIME] [--json] [--vix L]\n\n"
             "Assesses every node of the hierarchy (riskdesk fork assess) and lists those that\n"
             "meet a fork's prerequisites, with their confidence, factors and action; each\n"
             "assessment is stored, and its id is what `riskdesk fork approve` takes.\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_AT | CLI_O_AT_WRITES | CLI_O_JSON,
    .opens = CLI_OPENS_STORE,
    .options = opts,
    .option = option,
    .check = check,
    .run = run,
};
