/*
 * env_legacy.c - the original deployments' variables that riskdesk has no
 * name of its own for. Each is honoured where it has a meaning and said to
 * do nothing where it has none; none is silently ignored.
 *
 *   ALPACA_STARTING_CASH[_N]  a paper account's starting cash: honoured for
 *                             accounts built from the environment with
 *                             EXECUTION_MODE=SIMULATED (config_env.c), else
 *                             logged as config.env_ignored (an Alpaca
 *                             account's cash is the broker's; a file's paper
 *                             account takes "starting_cash" from the file)
 *   ALPACA_PAPER_ENABLED      true: every Alpaca account must trade paper (a
 *                             live one is a config error); false: riskdesk
 *                             never goes live on this variable alone, so the
 *                             Alpaca accounts that still trade paper are
 *                             named in a config.env_ignored warning
 *
 * Values of these two are not secrets; they are shown in messages, cut short.
 */
#include "config/config_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "riskdesk/log.h"
#include "riskdesk/money.h"

#include "riskdesk/banned.h"

extern char **environ;

#define CASH_VAR "ALPACA_STARTING_CASH"

int rd_cfg_env_starting_cash(int n, char *out, size_t cap, int *found, struct rd_error *err)
{
    char name[40];
    const char *v = NULL;
    struct rd_error sub = {0};
    rd_money m = 0;

    *found = 0;
    if (n > 0) {
        snprintf(name, sizeof name, CASH_VAR "_%d", n);
        v = getenv(name);
    }
    if (!v || !v[0]) {
        snprintf(name, sizeof name, CASH_VAR);
        v = getenv(name);
    }
    if (!v || !v[0])
        return RD_OK;
    if (rd_money_parse(v, strlen(v), &m, &sub) != RD_OK || m <= 0 || strlen(v) >= cap)
        return rd_error_set(err, RD_ECONFIG, "environment: %s=\"%.32s\": expected dollars > 0, "
                            "such as 1800 or 209000.00", name, v);
    memcpy(out, v, strlen(v) + 1);
    *found = 1;
    return RD_OK;
}

/* Whether any ALPACA_STARTING_CASH or ALPACA_STARTING_CASH_N is set. */
static int any_starting_cash(void)
{
    size_t len = strlen(CASH_VAR);

    for (char **e = environ; e && *e; e++)
        if (!strncmp(*e, CASH_VAR, len) && ((*e)[len] == '=' || (*e)[len] == '_'))
            return 1;
    return 0;
}

static void ignored(const char *variable, const char *accounts, const char *msg)
{
    struct rd_logline l;

    rd_log_begin(&l, RD_LOG_WARN, "config.env_ignored");
    rd_log_str(&l, "variable", variable);
    if (accounts && accounts[0])
        rd_log_str(&l, "accounts", accounts);
    rd_log_str(&l, "msg", msg);
    rd_log_end(&l);
}

static int paper_enabled(const struct rd_config *cfg, struct rd_error *err)
{
    const char *v = getenv("ALPACA_PAPER_ENABLED");
    char paper[512] = "";
    int on;

    if (!v || !v[0])
        return RD_OK;
    if (!strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "yes"))
        on = 1;
    else if (!strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "no"))
        on = 0;
    else
        return rd_error_set(err, RD_ECONFIG, "ALPACA_PAPER_ENABLED=\"%.20s\": expected true or "
                            "false", v);
    for (int i = 0; i < cfg->naccounts; i++) {
        const struct rd_account_config *a = &cfg->accounts[i];

        if (a->broker != RD_BROKER_ALPACA)
            continue;
        if (on && a->live)
            return rd_error_set(err, RD_ECONFIG, "ALPACA_PAPER_ENABLED=%s but account \"%s\" is "
                                "live (\"live\": true); unset the variable or make the account "
                                "paper", v, a->name);
        if (!on && !a->live && strlen(paper) + strlen(a->name) + 2 < sizeof paper)
            snprintf(paper + strlen(paper), sizeof paper - strlen(paper), "%s%s",
                     paper[0] ? "," : "", a->name);
    }
    if (!on && paper[0])
        ignored("ALPACA_PAPER_ENABLED", paper,
                "false does not make an account live: these accounts trade on paper; live "
                "trading needs \"live\": true on the account and EXECUTION_MODE=ALPACA_LIVE "
                "(docs/alpaca.md)");
    return RD_OK;
}

int rd_cfg_env_legacy(const struct rd_config *cfg, int starting_cash_used, struct rd_error *err)
{
    int rc = paper_enabled(cfg, err);

    if (rc != RD_OK)
        return rc;
    if (!starting_cash_used && any_starting_cash()) {
        int paper = 0;

        for (int i = 0; i < cfg->naccounts; i++)
            paper += cfg->accounts[i].broker == RD_BROKER_PAPER;
        ignored(CASH_VAR, NULL,
                paper ? "has no effect here: a config file's paper accounts take "
                        "\"starting_cash\" from the file"
                      : "has no effect here: an Alpaca account's cash is what the broker reports "
                        "(it sets a paper account's cash only for accounts built from the "
                        "environment with EXECUTION_MODE=SIMULATED)");
    }
    return RD_OK;
}
