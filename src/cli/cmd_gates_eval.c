/* riskdesk gates eval: a dry run of one recommendation against one account. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_open.h"
#include "riskdesk/decision_json.h"
#include "riskdesk/runner.h"
#include "riskdesk/rec_json.h"
#include "riskdesk/banned.h"

#define NAME "gates eval"

static const struct option opts[] = {
    {"config", required_argument, NULL, 'c'}, {"db", required_argument, NULL, 'd'},
    {"account", required_argument, NULL, 'a'}, {"at", required_argument, NULL, 't'},
    {"json", required_argument, NULL, 'j'}, {"text", no_argument, NULL, 'T'},
    {NULL, 0, NULL, 0},
};

static int run(int argc, char **argv)
{
    const char *config = NULL, *db = NULL, *account = NULL, *at = NULL, *json = NULL;
    struct rd_error err = {0};
    struct rd_runner *ru = NULL;
    struct rd_decision dec;
    struct cli_env env;
    struct rd_rec rec;
    struct rd_buf out;
    int64_t now;
    int c, text = 0, rc;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'd': db = optarg; break;
        case 'a': account = optarg; break;
        case 't': at = optarg; break;
        case 'j': json = optarg; break;
        case 'T': text = 1; break;
        default: return cli_usage_error(NAME, "unknown option");
        }
    }
    if (optind < argc)
        return cli_usage_error(NAME, "unexpected argument '%s'", argv[optind]);
    if (!json)
        return cli_usage_error(NAME, "--json REC is required");
    if (cli_time(at, &now, &err) != RD_OK)
        return cli_fail(&err);
    if (rd_rec_from_json(json, strlen(json), &rec, &err) != RD_OK) {
        fprintf(stderr, "riskdesk: recommendation: %s\n", err.msg);
        return CLI_FAIL;
    }
    if (cli_open(config, db, 1, &env, &err) != RD_OK)
        return cli_fail(&err);
    rd_buf_init(&out, 1 << 20);
    if ((rc = cli_open_runner(&env, account, 1, 0, &ru, &err)) != RD_OK)
        goto out;
    /* dry run: the store is read, never written (the paper broker is not asked to trade) */
    if ((rc = rd_runner_evaluate(ru, now, &rec, &dec, NULL, &err)) != RD_OK)
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
    cli_close(&env);
    if (rc != RD_OK)
        return cli_fail(&err);
    return CLI_OK;
}

const struct cli_cmd cli_cmd_gates_eval = {
    .name = NAME,
    .summary = "dry-run one recommendation through an account's gates",
    .usage = "usage: riskdesk gates eval [--config F] [--db URL] --account NAME [--at TIME]\n"
             "                          [--text] --json REC\n\n"
             "Prints {\"approved\", \"size\", \"gates\": [{\"name\", \"passed\", \"reason\",\n"
             "\"observed\", \"threshold\"}...]} for REC against the account's current state\n"
             "(what the store and broker hold). --at sets the clock (RFC 3339, default now).\n"
             "Changes nothing.\n",
    .run = run,
};
