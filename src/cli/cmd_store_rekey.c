/*
 * cmd_store_rekey.c - `riskdesk store rekey --new-key SOURCE|none`: seals
 * every amount with another key (or none, or a first one) in one
 * transaction, the store opened with the key the config names now.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/traders_cli.h"
#include "riskdesk/banned.h"

#define NAME "store rekey"

static const char *new_key;

static const struct option opts[] = {
    {"new-key", required_argument, NULL, 'k'},
    {NULL, 0, NULL, 0},
};

static int option(int val, const char *arg)
{
    (void)val;
    if (strcmp(arg, "none") && !rd_encryption_key_spec_ok(arg))
        return cli_usage_error(NAME, "--new-key: not a key source (value not shown: it may be "
                               "the key itself); expected env:NAME, file:PATH, "
                               "secretsmanager:ID or none");
    new_key = arg;
    return CLI_OK;
}

static int check(struct cli_ctx *c)
{
    (void)c;
    return new_key ? CLI_OK : cli_usage_error(NAME, "--new-key SOURCE (or none) is required");
}

static int run(struct cli_ctx *c)
{
    struct traders_env env;
    struct rd_encryption_key key;
    struct rd_error err = {0};
    int none = !strcmp(new_key, "none"), rc = CLI_FAIL;
    char masked[512];

    memset(&key, 0, sizeof key);
    if (!none && rd_encryption_key_resolve(new_key, &key, &err) != RD_OK)
        return cli_fail(&err);
    if (traders_open(c->config, c->db, 1, &env, &err) != RD_OK) {
        rd_encryption_key_wipe(&key);
        return cli_fail(&err);
    }
    rd_store_url_mask(env.db, masked, sizeof masked);
    if (rd_store_rekey(env.store, none ? NULL : &key, &err) != RD_OK) {
        rd_error_prefix(&err, "store rekey %s (nothing changed)", masked);
        cli_fail(&err);
        goto out;
    }
    if (none)
        printf("rekeyed %s: every amount is in clear; remove encryption.key (and "
               "RISKDESK_ENCRYPTION_KEY)\n", masked);
    else
        printf("rekeyed %s: every amount is sealed with the key from %s; set encryption.key "
               "to it before the next run\n", masked, new_key);
    rc = CLI_OK;
out:
    rd_encryption_key_wipe(&key);
    traders_close(&env);
    return rc;
}

const struct cli_cmd cli_cmd_store_rekey = {
    .name = NAME,
    .summary = "seal the store's amounts with another encryption key (or none)",
    .usage = "usage: riskdesk store rekey --new-key SOURCE|none [--config PATH] [--db URL]\n"
             "\n"
             "Opens the store with the key encryption.key names now (none for a store in\n"
             "clear) and seals every amount kept sealed (ledger entries, performance\n"
             "snapshots, paper account documents, traders' daily P&L) with the key SOURCE\n"
             "names instead: env:NAME, file:PATH or secretsmanager:ID, 64 hex digits\n"
             "(openssl rand -hex 32). `none` leaves them in clear. One transaction: a\n"
             "failure, or the process killed midway, leaves the store as it was. Then\n"
             "point encryption.key at SOURCE (or remove it).\n"
             "docs/operations.md, \"Security\".\n"
             "\n"
             "  --new-key SOURCE  where the new key is kept, or none\n"
             "  --config PATH     riskdesk.json (default $RISKDESK_CONFIG or ./riskdesk.json)\n"
             "  --db URL          the store, overriding the config\n",
    .takes = CLI_O_CONFIG | CLI_O_DB,
    .options = opts,
    .option = option,
    .check = check,
    .run = run,
};
