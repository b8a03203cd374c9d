/* riskdesk account state: an admin halts, reduces or resumes an account. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_open.h"
#include "riskdesk/account_state.h"
#include "riskdesk/banned.h"

#define NAME "account state"

static const char *set, *reason;
static enum rd_trading_state state = RD_STATE_ACTIVE;

static const struct option opts[] = {
    {"set", required_argument, NULL, 's'},
    {"reason", required_argument, NULL, 'r'},
    {NULL, 0, NULL, 0},
};

static int option(int val, const char *arg)
{
    if (val == 's') {
        set = arg;
        if (rd_trading_state_parse(set, &state) != RD_OK)
            return cli_usage_error(NAME, "--set: '%s'; expected ACTIVE, REDUCING or HALTED", set);
    } else {
        reason = arg;
    }
    return CLI_OK;
}

static int check(struct cli_ctx *c)
{
    (void)c;
    if (set && state != RD_STATE_ACTIVE && (!reason || !*reason))
        return cli_usage_error(NAME, "--reason is required when halting or reducing");
    return CLI_OK;
}

static int run(struct cli_ctx *c)
{
    const struct rd_account_config *acct = c->acct;
    struct rd_store *s = c->env.store;
    struct rd_error err = {0};
    struct rd_account_row row;
    int rc;

    if (set) {
        char why[sizeof row.state_reason];

        /* an admin's halt stays until an admin lifts it; the kill switch's ends by itself */
        snprintf(why, sizeof why, "%s%s", state == RD_STATE_ACTIVE ? "" : "admin: ",
                 state == RD_STATE_ACTIVE ? "" : reason);
        rc = rd_account_state_set(s, acct->name, rd_tier_name(acct->tier), state, why, &row,
                                  &err);
        if (rc != RD_OK)
            goto out;
    } else {
        rc = s->ops->trading->account_get(s, acct->name, &row, &err);
        if (rc == RD_ENOTFOUND) {
            memset(&row, 0, sizeof row);
            snprintf(row.name, sizeof row.name, "%s", acct->name);
            row.state = RD_STATE_ACTIVE;
            rc = RD_OK;
        }
        if (rc != RD_OK)
            goto out;
    }
    printf("%s %s%s%s\n", row.name, rd_trading_state_name(row.state), row.state_reason[0] ? ": " : "",
           row.state_reason);
out:
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
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_ACCOUNT | CLI_O_NEED_ACCOUNT,
    .opens = CLI_OPENS_STORE,
    .options = opts,
    .option = option,
    .check = check,
    .run = run,
};
