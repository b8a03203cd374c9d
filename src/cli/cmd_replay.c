/*
 * cmd_replay.c - `riskdesk replay`: an account's recorded decisions decided
 * again under the limits of --config, printing what would have changed
 * (src/app/replay_run.c, docs/replay.md). Reads the store; writes nothing.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_open.h"
#include "riskdesk/calendar.h"
#include "riskdesk/replay_json.h"
#include "riskdesk/replay_run.h"
#include "riskdesk/banned.h"

#define NAME "replay"

static const char *from_arg, *to_arg;

static const struct option opts[] = {
    {"from", required_argument, NULL, 'f'},
    {"to", required_argument, NULL, 't'},
    {NULL, 0, NULL, 0},
};

static int option(int val, const char *arg)
{
    if (val == 'f')
        from_arg = arg;
    else
        to_arg = arg;
    return CLI_OK;
}

static int32_t from_day, to_day;

static int check(struct cli_ctx *c)
{
    struct rd_error err = {0};

    (void)c;
    if (!from_arg || !to_arg)
        return cli_usage_error(NAME, "--from DAY and --to DAY are required (YYYY-MM-DD)");
    if (rd_date_parse(from_arg, strlen(from_arg), &from_day, &err) != RD_OK)
        return cli_usage_error(NAME, "--from: %s", err.msg);
    if (rd_date_parse(to_arg, strlen(to_arg), &to_day, &err) != RD_OK)
        return cli_usage_error(NAME, "--to: %s", err.msg);
    if (to_day < from_day)
        return cli_usage_error(NAME, "--to %s is before --from %s", to_arg, from_arg);
    return CLI_OK;
}

static int run(struct cli_ctx *c)
{
    struct rd_error err = {0};
    struct rd_replay r;
    struct rd_buf buf;
    int rc;

    rc = rd_replay_run(c->env.store, c->env.cfg, c->acct, rd_et_to_utc(from_day, 0),
                       rd_et_to_utc(to_day + 1, 0), &r, &err);
    if (rc != RD_OK) {
        rd_replay_release(&r);
        return cli_fail(&err);
    }
    rd_buf_init(&buf, (size_t)1 << 30);
    rc = c->json ? rd_replay_to_json(&r, c->acct->name, &buf)
                 : rd_replay_to_text(&r, c->acct->name, &buf);
    if (rc == RD_OK)
        fputs(rd_buf_str(&buf), stdout);
    if (rc == RD_OK && c->json)
        fputs("\n", stdout);
    rd_buf_release(&buf);
    rd_replay_release(&r);
    if (rc != RD_OK) {
        rd_error_set(&err, rc, "replay: the result does not fit in memory");
        return cli_fail(&err);
    }
    return CLI_OK;
}

const struct cli_cmd cli_cmd_replay = {
    .name = NAME,
    .summary = "decide an account's recorded decisions again under the limits of --config",
    .usage = "usage: riskdesk replay --config NEW.json [--db URL] --account NAME --from DAY --to DAY\n"
             "                      [--json]\n\n"
             "Decides again every recommendation the account decided from DAY to DAY (ET,\n"
             "both included), under NEW.json's limits for it, from the account's state as\n"
             "recorded with each decision. Prints the decisions that flip or change size, with\n"
             "the gate that made the difference, and totals old vs new. Nothing is written\n"
             "and no broker is contacted (docs/replay.md).\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_ACCOUNT | CLI_O_NEED_ACCOUNT | CLI_O_JSON,
    .opens = CLI_OPENS_STORE,
    .options = opts,
    .option = option,
    .check = check,
    .run = run,
};
