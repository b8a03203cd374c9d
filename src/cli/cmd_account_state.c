/* riskdesk account state: an admin halts, reduces or resumes an account. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/cli_open.h"
#include "riskdesk/banned.h"

#define NAME "account state"

static const struct option opts[] = {
    {"config", required_argument, NULL, 'c'}, {"db", required_argument, NULL, 'd'},
    {"account", required_argument, NULL, 'a'}, {"set", required_argument, NULL, 's'},
    {"reason", required_argument, NULL, 'r'}, {NULL, 0, NULL, 0},
};

static int run(int argc, char **argv)
{
    const char *config = NULL, *db = NULL, *account = NULL, *set = NULL, *reason = NULL;
    const struct rd_account_config *acct;
    struct rd_error err = {0};
    struct rd_account_row row;
    enum rd_trading_state state = RD_STATE_ACTIVE;
    struct cli_env env;
    int c, rc;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'd': db = optarg; break;
        case 'a': account = optarg; break;
        case 's': set = optarg; break;
        case 'r': reason = optarg; break;
        default: return cli_usage_error(NAME, "unknown option");
        }
    }
    if (optind < argc)
        return cli_usage_error(NAME, "unexpected argument '%s'", argv[optind]);
    if (set && rd_trading_state_parse(set, &state) != RD_OK)
        return cli_usage_error(NAME, "--set: '%s'; expected ACTIVE, REDUCING or HALTED", set);
    if (set && state != RD_STATE_ACTIVE && (!reason || !*reason))
        return cli_usage_error(NAME, "--reason is required when halting or reducing");
    if (cli_open(config, db, 1, &env, &err) != RD_OK)
        return cli_fail(&err);
    if ((rc = cli_account(&env, &acct, account, &err)) != RD_OK)
        goto out;
    rc = env.store->ops->trading->account_get(env.store, acct->name, &row, &err);
    if (rc == RD_ENOTFOUND) {
        memset(&row, 0, sizeof row);
        snprintf(row.name, sizeof row.name, "%s", acct->name);
        snprintf(row.tier, sizeof row.tier, "%s", rd_tier_name(acct->tier));
        row.state = RD_STATE_ACTIVE;
        rc = RD_OK;
    }
    if (rc != RD_OK)
        goto out;
    if (set) {
        row.state = state;
        /* an admin's halt stays until an admin lifts it (-1); the kill switch's ends by itself */
        row.halted_until = state == RD_STATE_HALTED ? -1 : 0;
        snprintf(row.state_reason, sizeof row.state_reason, "%s%s",
                 state == RD_STATE_ACTIVE ? "" : "admin: ", state == RD_STATE_ACTIVE ? "" : reason);
        row.updated_at = (int64_t)time(NULL);
        if ((rc = env.store->ops->trading->account_put(env.store, &row, &err)) != RD_OK)
            goto out;
    }
    printf("%s %s%s%s\n", row.name, rd_trading_state_name(row.state), row.state_reason[0] ? ": " : "",
           row.state_reason);
out:
    cli_close(&env);
    return rc == RD_OK ? CLI_OK : cli_fail(&err);
}

const struct cli_cmd cli_cmd_account_state = {
    .name = NAME,
    .summary = "show or set an account's trading state (ACTIVE, REDUCING, HALTED)",
    .usage = "usage: riskdesk account state [--config F] [--db URL] --account NAME\n"
             "                             [--set ACTIVE|REDUCING|HALTED --reason TEXT]\n\n"
             "REDUCING allows only exits; HALTED allows nothing new. A halt set here stays\n"
             "until it is lifted with --set ACTIVE (the kill switch's halt ends by itself the\n"
             "next trading day).\n",
    .run = run,
};
