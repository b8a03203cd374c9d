/*
 * cli_open.h - what commands that work on accounts share: finding the config,
 * opening the store and an account's runner, reading --at, env checks.
 * Everything opened here is released by cli_close.
 */
#ifndef RISKDESK_CLI_OPEN_H
#define RISKDESK_CLI_OPEN_H

#include <stdint.h>

#include "riskdesk/config.h"
#include "riskdesk/runner.h"
#include "riskdesk/store.h"

struct cli_env {
    struct rd_config *cfg;
    struct rd_store *store;
    char db_url[RD_SOURCE_MAX];  /* the URL store was opened with */
};

/* Loads the config (path, $RISKDESK_CONFIG or ./riskdesk.json), reports
 * suspicious environment variables, and opens the store (db_url overrides the
 * config's database) when want_store; then the config holds the accounts
 * made through the API too (accounts.h). */
int cli_open(const char *config_path, const char *db_url, int want_store, struct cli_env *env,
             struct rd_error *err);
void cli_close(struct cli_env *env);

/* The account named, or RD_ENOTFOUND listing the configured ones. */
int cli_account(const struct cli_env *env, const struct rd_account_config **out, const char *name,
                struct rd_error *err);

/* The named account's runner (batch recommendations a batch) over env's store,
 * or with own_store over a handle of its own on the same URL, so that it can
 * reopen it when the store goes away (runner.h); release with
 * rd_runner_close. */
int cli_open_runner(const struct cli_env *env, const char *account, size_t batch, int own_store,
                    struct rd_runner **out, struct rd_error *err);

/* A recommendation from --rec JSON, or --rec-file FILE ("-" for stdin; a UTF-8
 * BOM is skipped), exactly one of them. Messages name the option or FILE. */
int cli_read_rec(const char *json, const char *file, struct rd_rec *out, struct rd_error *err);
/* The usage error for the old form "--json REC": --json asks for JSON output. */
int cli_rec_in_json(const char *cmd, int argc, char **argv);

/* --at: an RFC 3339 time; NULL means now. */
int cli_time(const char *at, int64_t *out, struct rd_error *err);

/* Logs each environment variable that looks like a misspelling; returns how
 * many looked like RUN_MODE while RUN_MODE itself is unset. */
int cli_env_warnings(void);

#endif
