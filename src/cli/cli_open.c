#include "cli/cli_open.h"
#include "cli/cli_clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "riskdesk/buf.h"
#include "riskdesk/calendar.h"
#include "riskdesk/log.h"
#include "riskdesk/banned.h"

extern char **environ;

struct env_ctx {
    int run_mode_suspects;
};

static void report(void *ctx, const char *name, const char *looks_like)
{
    struct env_ctx *c = ctx;
    struct rd_logline l;

    rd_log_begin(&l, RD_LOG_WARN, "env.suspect");
    rd_log_str(&l, "name", name);
    rd_log_str(&l, "looks_like", looks_like);
    rd_log_str(&l, "msg", "environment variable looks like a misspelling; it is ignored");
    rd_log_end(&l);
    if (!strcmp(looks_like, "RUN_MODE"))
        c->run_mode_suspects++;
}

int cli_env_warnings(void)
{
    struct env_ctx c = {0};
    const char *rm = getenv("RUN_MODE");

    rd_env_check(environ, report, &c);
    return rm && *rm ? 0 : c.run_mode_suspects;
}

int cli_open(const char *config_path, const char *db_url, int want_store, struct cli_env *env,
             struct rd_error *err)
{
    int rc;

    memset(env, 0, sizeof *env);
    rc = rd_config_load_default(config_path, &env->cfg, err);
    if (rc != RD_OK)
        return rc;
    if (!want_store)
        return RD_OK;
    rc = rd_store_open(db_url && *db_url ? db_url : env->cfg->database, &env->store, err);
    if (rc != RD_OK) {
        rd_config_free(env->cfg);
        env->cfg = NULL;
    }
    return rc;
}

void cli_close(struct cli_env *env)
{
    if (env->store)
        rd_store_close(env->store);
    rd_config_free(env->cfg);
    memset(env, 0, sizeof *env);
}

int cli_account(const struct cli_env *env, const struct rd_account_config **out, const char *name,
                struct rd_error *err)
{
    struct rd_buf names;
    int rc;

    *out = name ? rd_config_account(env->cfg, name) : NULL;
    if (*out)
        return RD_OK;
    rd_buf_init(&names, 4096);
    for (int i = 0; i < env->cfg->naccounts; i++)
        rd_buf_printf(&names, "%s%s", i ? ", " : "", env->cfg->accounts[i].name);
    rc = rd_error_set(err, name ? RD_ENOTFOUND : RD_EINVAL, "%s%s%s; the accounts in %s are: %s",
                      name ? "no account named \"" : "--account is required",
                      name ? name : "", name ? "\"" : "", env->cfg->origin, rd_buf_str(&names));
    rd_buf_release(&names);
    return rc;
}

int cli_open_broker(const struct cli_env *env, const struct rd_account_config *a,
                    struct rd_broker **out, struct rd_error *err)
{
    struct rd_broker_params p;

    /* no account may trade on another account's key */
    if (a->broker == RD_BROKER_ALPACA) {
        int rc = rd_config_check_distinct_keys(env->cfg, err);

        if (rc != RD_OK)
            return rc;
    }
    memset(&p, 0, sizeof p);
    p.account = a->name;
    p.store = env->store;
    p.starting_cash = a->starting_cash;
    p.seed = env->cfg->paper_seed;
    p.credentials = a->credentials;
    p.live = a->live;
    return rd_broker_open(a->broker == RD_BROKER_ALPACA ? "alpaca" : "paper", &p, out, err);
}

int cli_open_dispatcher(const struct cli_env *env, const char *account, size_t batch,
                        const struct rd_account_config **acct, struct rd_broker **broker,
                        struct rd_dispatcher **d, struct rd_error *err)
{
    struct rd_dispatcher_params p;
    int rc;

    *broker = NULL;
    *d = NULL;
    if ((rc = cli_account(env, acct, account, err)) != RD_OK ||
        (rc = cli_open_broker(env, *acct, broker, err)) != RD_OK)
        return rc;
    memset(&p, 0, sizeof p);
    p.cfg = env->cfg;
    p.account = *acct;
    p.store = env->store;
    p.broker = *broker;
    p.batch_max = batch;
    rc = rd_dispatcher_new(&p, d, err);
    if (rc != RD_OK) {
        rd_broker_close(*broker);
        *broker = NULL;
    }
    return rc;
}

int cli_time(const char *at, int64_t *out, struct rd_error *err)
{
    if (!at) {
        *out = (int64_t)time(NULL);
        return RD_OK;
    }
    if (rd_time_parse(at, strlen(at), out, err) != RD_OK)
        return rd_error_prefix(err, "--at");
    return cli_at_window(*out, (int64_t)time(NULL), err);
}
