#include "cli/cli_open.h"
#include "cli/cli_clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "riskdesk/accounts.h"
#include "riskdesk/buf.h"
#include "riskdesk/calendar.h"
#include "riskdesk/log.h"
#include "riskdesk/rec_json.h"
#include "riskdesk/audit.h"
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
    rc = rd_store_open_config(env->db_url, env->cfg, &env->store, err);
    if (rc == RD_OK) {
        /* the audit trail names the person at the terminal */
        const char *user = getenv("USER");
        char actor[RD_AUDIT_ACTOR_MAX];

        snprintf(actor, sizeof actor, "cli:%s", user && *user ? user : "unknown");
        rd_audit_actor_set(env->store, actor);
    }
    /* every command sees the accounts made through the API too */
    if (rc == RD_OK)
        rc = rd_accounts_add_stored(config_path, env->store, &env->cfg, err);
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

#define REC_FILE_MAX (1024 * 1024)

int cli_read_rec(const char *json, const char *file, struct rd_rec *out, struct rd_error *err)
{
    struct rd_buf b;
    FILE *f;
    char chunk[4096];
    const char *text;
    size_t n, len;
    int rc = RD_OK;

    if (!json == !file)
        return rd_error_set(err, RD_EINVAL, "give the recommendation with --rec JSON or "
                            "--rec-file FILE (- for stdin), one of them");
    if (json) {
        if ((rc = rd_rec_from_json(json, strlen(json), out, err)) != RD_OK)
            return rd_error_prefix(err, "--rec");
        return RD_OK;
    }
    f = strcmp(file, "-") ? fopen(file, "rb") : stdin;
    if (!f)
        return rd_error_set(err, RD_ENOTFOUND, "--rec-file %s: cannot be opened", file);
    rd_buf_init(&b, REC_FILE_MAX);
    while (rc == RD_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = rd_buf_append(&b, chunk, n);
    if (f != stdin)
        fclose(f);
    if (rc != RD_OK) {
        rd_buf_release(&b);
        return rd_error_set(err, rc, "%s: over %d bytes", file, REC_FILE_MAX);
    }
    text = rd_buf_str(&b);
    len = b.len;
    if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
        text += 3;
        len -= 3;
    }
    rc = rd_rec_from_json(text, len, out, err);
    rd_buf_release(&b);
    return rc == RD_OK ? RD_OK : rd_error_prefix(err, "%s", file);
}

int cli_rec_in_json(const char *cmd, int argc, char **argv)
{
    if (argc && argv[0][0] == '{')
        return cli_usage_error(cmd, "--json asks for JSON output; give the recommendation with "
                               "--rec '{...}' (or --rec-file FILE)");
    return argc ? cli_usage_error(cmd, "unexpected argument '%s'", argv[0]) : CLI_OK;
}
