/*
 * cmd_perf_snapshot.c - `riskdesk perf snapshot`: asks each account's broker
 * for its numbers now (or --at) and records the day's equity snapshot,
 * replacing the day's earlier one; then the alerts and the retention run
 * (src/app/snapshots.c). One line per account on stdout.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_open.h"
#include "riskdesk/calendar.h"
#include "riskdesk/perf_report.h"
#include "riskdesk/banned.h"

#define NAME "perf snapshot"

static int all;

static const struct option opts[] = {
    {"all", no_argument, NULL, 'A'},
    {NULL, 0, NULL, 0},
};

static int option(int val, const char *arg)
{
    (void)val;
    (void)arg;
    all = 1;
    return CLI_OK;
}

static int check(struct cli_ctx *c)
{
    if (c->account && all)
        return cli_usage_error(NAME, "--account and --all exclude each other");
    return CLI_OK;
}

/* Records one account; prints its line. */
static int one(const struct cli_env *env, const struct rd_account_config *a, int64_t now,
               struct rd_error *err)
{
    struct rd_runner *ru = NULL;
    struct rd_broker_account ba;
    struct rd_perf_recorded rec;
    char day[16], eq[40];
    int rc;

    memset(&ba, 0, sizeof ba);
    rc = rd_runner_open_probe(env->cfg, a, env->store, &ru, err);
    if (rc == RD_OK)
        rc = rd_runner_broker_account(ru, now, &ba, err);
    rd_runner_close(ru);
    if (rc == RD_OK)
        rc = rd_perf_snapshot_record(env->store, env->cfg, a->name, &ba, now, 1, &rec, err);
    if (rc != RD_OK)
        return rd_error_prefix(err, "account \"%s\"", a->name);
    rd_date_format(rec.row.day, day, sizeof day);
    rd_money_format(rec.row.equity, eq, sizeof eq);
    printf("%s %s equity %s", a->name, day, eq);
    for (size_t i = 0; i < rec.nalerts; i++)
        printf("%s%s", i ? "," : " alerts ", rd_perf_alert_name(rec.alerts[i].kind));
    if (rec.rolled_up)
        printf(" rolled_up %zu", rec.rolled_up);
    putchar('\n');
    return RD_OK;
}

static int run(struct cli_ctx *c)
{
    struct rd_error err = {0};
    int failed = 0;

    if (c->account) {
        const struct rd_account_config *a;

        if (cli_account(&c->env, &a, c->account, &err) != RD_OK ||
            one(&c->env, a, c->now, &err) != RD_OK)
            failed = cli_fail(&err);
    } else {
        /* every account; one failing does not stop the others */
        for (int i = 0; i < c->env.cfg->naccounts; i++)
            if (one(&c->env, &c->env.cfg->accounts[i], c->now, &err) != RD_OK)
                failed = cli_fail(&err);
    }
    return failed ? CLI_FAIL : CLI_OK;
}

const struct cli_cmd cli_cmd_perf_snapshot = {
    .name = NAME,
    .summary = "record each account's equity for today (daily snapshots, alerts)",
    .usage =
        "usage: riskdesk perf snapshot [--config F] [--db URL] [--account NAME | --all]\n"
        "                              [--at TIME]\n"
        "\n"
        "Asks each account's broker (every account unless --account) for its equity,\n"
        "cash and buying power and records them as the snapshot of the trading day\n"
        "(today once the session has opened, else the trading day before), replacing\n"
        "that day's earlier snapshot. Then checks the alerts of the config's\n"
        "\"performance\" section (a loss of 5% on the day, 10% on the week, 15% on\n"
        "the month, a 20% drawdown by default: each logged once as perf.alert and\n"
        "kept in the audit trail) and rolls snapshots older than two years up to one\n"
        "a month. Prints one line per account:\n"
        "  NAME DATE equity DOLLARS [alerts KIND,...] [rolled_up N]\n"
        "The dispatcher records the day's snapshot by itself after its cycles.\n"
        "--at fixes the clock (RFC 3339), for tests and replays.\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_ACCOUNT | CLI_O_AT | CLI_O_AT_WRITES,
    .opens = CLI_OPENS_STORE,
    .options = opts,
    .option = option,
    .check = check,
    .run = run,
};
