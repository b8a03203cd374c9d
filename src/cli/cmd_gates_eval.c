/* riskdesk gates eval: a dry run of one recommendation against one account. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_open.h"
#include "riskdesk/decision_json.h"
#include "riskdesk/runner.h"
#include "riskdesk/rec_json.h"
#include "riskdesk/banned.h"

#define NAME "gates eval"

static const char *rec_json, *rec_file;
static int text;

static const struct option opts[] = {
    {"rec", required_argument, NULL, 'r'}, {"rec-file", required_argument, NULL, 'f'},
    {"text", no_argument, NULL, 'T'},    {NULL, 0, NULL, 0},
};

static int option(int val, const char *arg)
{
    if (val == 'r')
        rec_json = arg;
    else if (val == 'f')
        rec_file = arg;
    else
        text = 1;
    return CLI_OK;
}

static int check(struct cli_ctx *c)
{
    int rc = cli_rec_in_json(NAME, c->argc, c->argv);

    if (rc == CLI_OK && !rec_json == !rec_file)
        rc = cli_usage_error(NAME, "give the recommendation with --rec JSON or --rec-file FILE");
    if (rc == CLI_OK && text && c->json)
        rc = cli_usage_error(NAME, "--text and --json conflict");
    return rc;
}

static int run(struct cli_ctx *c)
{
    struct rd_error err = {0};
    struct rd_runner *ru = NULL;
    struct rd_decision dec;
    struct rd_rec rec;
    struct rd_buf out;
    int rc;

    if (cli_read_rec(rec_json, rec_file, &rec, &err) != RD_OK) {
        fprintf(stderr, "riskdesk: recommendation: %s\n", err.msg);
        return CLI_FAIL;
    }
    rd_buf_init(&out, 1 << 20);
    if ((rc = rd_runner_open_probe(c->env.cfg, c->acct, c->env.store, &ru, &err)) != RD_OK)
        goto out;
    /* dry run: the store is read, never written (the paper broker is not asked to trade) */
    if ((rc = rd_runner_evaluate(ru, c->now, &rec, &dec, NULL, &err)) != RD_OK)
        goto out;
    rc = text ? rd_decision_to_text(&dec, &out) : rd_decision_to_json(&dec, &out);
    if (rc == RD_OK) {
        if (text)
            printf("%s %s: %s, size %lld\n", rd_runner_account(ru)->name, rec.id,
                   dec.approved ? "APPROVED" : "REJECTED", (long long)dec.size);
        printf("%s%s", rd_buf_str(&out), text ? "" : "\n");
    }
out:
    rd_buf_release(&out);
    rd_runner_close(ru);
    if (rc != RD_OK)
        return cli_fail(&err);
    return CLI_OK;
}

const struct cli_cmd cli_cmd_gates_eval = {
    .name = NAME,
    .summary = "dry-run one recommendation through an account's gates",
    .usage = "usage: riskdesk gates eval [--config F] [--db URL] --account NAME [--at TIME]\n"
             "                          [--text | --json] (--rec REC | --rec-file FILE|-)\n\n"
             "Prints {\"approved\", \"size\", \"gates\": [{\"name\", \"passed\", \"reason\",\n"
             "\"observed\", \"threshold\"}...]} (the default, --json) or one line a gate\n"
             "(--text) for the recommendation REC (JSON, docs/recommendations.md) against\n"
             "the account's current state (what the store and broker hold). --at sets the\n"
             "clock (RFC 3339, default now). Changes nothing.\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_ACCOUNT | CLI_O_NEED_ACCOUNT | CLI_O_AT | CLI_O_JSON |
             CLI_O_OPERANDS,
    .opens = CLI_OPENS_STORE,
    .options = opts,
    .option = option,
    .check = check,
    .run = run,
};
