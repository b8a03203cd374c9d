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

struct seen {
    json_t *list;
    int json, n;
};

static int seen(void *ctx, const struct rd_fork_assessment *a)
{
    struct seen *s = ctx;

    s->n++;
    if (!s->json) {
        fork_cli_assessment_line(a);
        return 0;
    }
    return json_array_append_new(s->list, fork_cli_assessment(a)) ? RD_ENOMEM : 0;
}

static int run(struct cli_ctx *c)
{
    struct rd_hier_actor by = ledger_cli_actor(c->now);
    struct seen s = {json_array(), c->json, 0};
    struct rd_error err = {0};

    req.cfg = c->env.cfg;
    if (!s.list || rd_fork_scan(c->env.store, &req, &by, seen, &s, &err) != RD_OK) {
        json_decref(s.list);
        if (!err.msg[0])
            rd_error_set(&err, RD_ENOMEM, "fork scan: out of memory");
        return cli_fail(&err);
    }
    if (c->json)
        return ledger_cli_print(json_pack("{s:o}", "opportunities", s.list));
    json_decref(s.list);
    if (!s.n)
        printf("no node may fork now\n");
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
