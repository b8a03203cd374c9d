#include "cli/cli_open.h"
#include "cli/cli_clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "riskdesk/accounts.h"
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
    snprintf(env->db_url, sizeof env->db_url, "%s", db_url && *db_url ? db_url : env->cfg->database);
    rc = rd_store_open(env->db_url, &env->store, err);
    if (rc == RD_OK) {
        /* every command sees the accounts made through the API too */
        struct rd_config *all = NULL;

        rc = rd_accounts_open(config_path, env->store, &all, err);
        if (rc == RD_OK) {
            rd_config_free(env->cfg);
            env->cfg = all;
        }
    }
    if (rc != RD_OK)
        cli_close(env);
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

int cli_open_runner(const struct cli_env *env, const char *account, size_t batch, int own_store,
                    struct rd_runner **out, struct rd_error *err)
{
    const struct rd_account_config *a;
    struct rd_runner_params p;
    int rc;

    *out = NULL;
    if ((rc = cli_account(env, &a, account, err)) != RD_OK)
        return rc;
    memset(&p, 0, sizeof p);
    p.cfg = env->cfg;
    p.account = a;
    if (own_store)
        p.store_url = env->db_url;
    else
        p.store = env->store;
    p.batch_max = batch;
    return rd_runner_open(&p, out, err);
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
