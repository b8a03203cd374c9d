/*
 * config_env.c - a config made from the environment alone, for deployments
 * with no config file (a container with Alpaca keys in its environment).
 *
 * rd_config_load_default falls back to this after --config, $RISKDESK_CONFIG
 * and ./riskdesk.json. Accounts:
 *   ALPACA_PAPER_API_KEY / _SECRET_KEY / _BASE_URL       -> "primary"
 *   ALPACA_PAPER_API_KEY_N (or ALPACA_PAPER_N_API_KEY)   -> "account_N", N = 1..99
 * each with credentials "env:ALPACA_PAPER[_N]". Missing numbers between found
 * ones are logged (config.env_gap); a key id without its secret is an error.
 * The document goes through the same builder as a file, so everything else
 * (database from RISKDESK_DATABASE_URL or sqlite:riskdesk.db, each tier's
 * shipped risk defaults) is what an equivalent file would give. Tier:
 * $ACCOUNT_TIER when set, else large, as for a file's account with no tier
 * (the original deployments' default; auto is asked for with ACCOUNT_TIER=auto).
 * EXECUTION_MODE=SIMULATED makes the same accounts paper accounts.
 * No values are read here beyond presence: keys stay in the environment.
 */
#include "config/config_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "riskdesk/log.h"

#include "riskdesk/banned.h"

#define ENV_MAX_N 99

extern char **environ;

static int set(const char *name)
{
    const char *v = getenv(name);

    return v && v[0];
}

/* Whether account n (0 = primary) has a key id, and whether it has a secret. */
static void probe(int n, int *has_key, int *has_secret, char *key_var, char *secret_var, size_t sz)
{
    char alt[64];

    if (n == 0) {
        snprintf(key_var, sz, "ALPACA_PAPER_API_KEY");
        snprintf(secret_var, sz, "ALPACA_PAPER_SECRET_KEY");
        *has_key = set(key_var);
        *has_secret = set(secret_var);
        return;
    }
    snprintf(key_var, sz, "ALPACA_PAPER_API_KEY_%d", n);
    snprintf(alt, sizeof alt, "ALPACA_PAPER_%d_API_KEY", n);
    *has_key = set(key_var) || set(alt);
    if (!set(key_var) && set(alt))
        snprintf(key_var, sz, "%s", alt);
    snprintf(secret_var, sz, "ALPACA_PAPER_SECRET_KEY_%d", n);
    snprintf(alt, sizeof alt, "ALPACA_PAPER_%d_SECRET_KEY", n);
    *has_secret = set(secret_var) || set(alt);
}

/* Numbers above ENV_MAX_N are named, not used. */
static void report_out_of_range(void)
{
    for (char **e = environ; e && *e; e++) {
        const char *s = *e;
        const char *digits = NULL;

        if (!strncmp(s, "ALPACA_PAPER_API_KEY_", 21))
            digits = s + 21;
        if (digits) {
            char *end;
            long n = strtol(digits, &end, 10);

            if (*end == '=' && end != digits && (n < 0 || n > ENV_MAX_N)) {
                struct rd_logline l;

                rd_log_begin(&l, RD_LOG_WARN, "config.env_ignored");
                rd_log_str(&l, "variable", "ALPACA_PAPER_API_KEY_N");
                rd_log_int(&l, "n", n);
                rd_log_str(&l, "note", "account numbers run from 1 to 99");
                rd_log_end(&l);
            }
        }
    }
}

int rd_cfg_load_env(struct rd_config **out, struct rd_error *err)
{
    const char *mode = getenv("EXECUTION_MODE");
    int simulated = mode && !strcasecmp(mode, "SIMULATED");
    json_t *root = NULL, *list = NULL;
    char key_var[64], secret_var[64], found[1024] = "";
    int last = -1, count = 0, cash_used = 0, rc = RD_OK;

    *out = NULL;
    root = json_object();
    list = json_array();
    if (!root || !list || json_object_set_new(root, "accounts", list)) {
        rc = rd_error_set(err, RD_ENOMEM, "environment: out of memory");
        goto out;
    }
    for (int n = 0; n <= ENV_MAX_N; n++) {
        char name[16], cred[32];
        int has_key, has_secret;
        json_t *a;

        probe(n, &has_key, &has_secret, key_var, secret_var, sizeof key_var);
        if (!has_key) {
            if (has_secret) {
                rc = rd_error_set(err, RD_ECONFIG, "environment: %s is set but %s is not (account "
                                  "%s)", secret_var, key_var, n ? "account_N" : "primary");
                goto out;
            }
            continue;
        }
        if (!has_secret) {
            rc = rd_error_set(err, RD_ECONFIG, "environment: %s is set but %s is not", key_var,
                              secret_var);
            goto out;
        }
        if (n == 0)
            snprintf(name, sizeof name, "primary");
        else
            snprintf(name, sizeof name, "account_%d", n);
        snprintf(cred, sizeof cred, n ? "env:ALPACA_PAPER_%d" : "env:ALPACA_PAPER", n);
        for (int g = last + 1; g < n && n > 1; g++) {
            struct rd_logline l;

            if (g == 0)
                continue;                     /* no primary is allowed, and reported below */
            rd_log_begin(&l, RD_LOG_WARN, "config.env_gap");
            rd_log_int(&l, "missing", g);
            rd_log_int(&l, "before", n);
            rd_log_str(&l, "note", "ALPACA_PAPER_API_KEY_N numbers skip this one; the accounts "
                                   "found keep their own numbers");
            rd_log_end(&l);
        }
        last = n;
        a = json_pack("{s:s, s:s}", "name", name, "broker", simulated ? "paper" : "alpaca");
        if (!a || (!simulated && json_object_set_new(a, "credentials", json_string(cred))) ||
            json_array_append_new(list, a)) {
            rc = rd_error_set(err, RD_ENOMEM, "environment: out of memory");
            goto out;
        }
        if (simulated) {
            char cash[40];
            int has = 0;

            if ((rc = rd_cfg_env_starting_cash(n, cash, sizeof cash, &has, err)) != RD_OK)
                goto out;
            if (has && json_object_set_new(a, "starting_cash", json_string(cash))) {
                rc = rd_error_set(err, RD_ENOMEM, "environment: out of memory");
                goto out;
            }
            cash_used |= has;
        }
        snprintf(found + strlen(found), sizeof found - strlen(found), "%s%s", count ? "," : "",
                 name);
        count++;
    }
    report_out_of_range();
    if (count == 0) {
        rc = rd_error_set(err, RD_ENOTFOUND, "no accounts in the environment (ALPACA_PAPER_API_KEY "
                          "and ALPACA_PAPER_API_KEY_N are unset)");
        goto out;
    }
    if (!set("ALPACA_PAPER_API_KEY"))
        rd_log_msg(RD_LOG_WARN, "config.env_no_primary",
                   "ALPACA_PAPER_API_KEY is unset: there is no account \"primary\"");
    rc = rd_cfg_build(root, "(environment)", "", out, err);
    if (!rc && (rc = rd_cfg_env_legacy(*out, cash_used, err)) != RD_OK) {
        rd_config_free(*out);
        *out = NULL;
    }
    if (rc)
        goto out;
    {
        struct rd_logline l;

        rd_log_begin(&l, RD_LOG_INFO, "config.environment");
        rd_log_str(&l, "accounts", found);
        rd_log_str(&l, "broker", simulated ? "paper (EXECUTION_MODE=SIMULATED)" : "alpaca");
        rd_log_str(&l, "database", (*out)->database);
        rd_log_str(&l, "database_from", (*out)->database_origin);
        rd_log_end(&l);
    }
out:
    json_decref(root);
    return rc;
}
