/* riskdesk tokens revoke: a token stops working. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/cli_open.h"
#include "riskdesk/banned.h"

#define NAME "tokens revoke"

static const struct option opts[] = {
    {"config", required_argument, NULL, 'c'}, {"db", required_argument, NULL, 'd'},
    {NULL, 0, NULL, 0},
};

static int run(int argc, char **argv)
{
    const char *config = NULL, *db = NULL;
    struct rd_error err = {0};
    struct cli_env env;
    long long id;
    char *end;
    int c, rc;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'd': db = optarg; break;
        default: return cli_usage_error(NAME, "unknown option");
        }
    }
    if (optind != argc - 1)
        return cli_usage_error(NAME, "expected one token id (see 'riskdesk tokens list')");
    id = strtoll(argv[optind], &end, 10);
    if (!*argv[optind] || *end || id <= 0)
        return cli_usage_error(NAME, "'%s' is not a token id (a positive number)", argv[optind]);
    if (cli_open(config, db, 1, &env, &err) != RD_OK)
        return cli_fail(&err);
    rc = env.store->ops->api->token_revoke(env.store, (int64_t)id, (int64_t)time(NULL), &err);
    if (rc == RD_OK)
        printf("revoked token %lld\n", id);
    cli_close(&env);
    return rc == RD_OK ? CLI_OK : cli_fail(&err);
}

const struct cli_cmd cli_cmd_tokens_revoke = {
    .name = NAME,
    .summary = "revoke an API token by id",
    .usage = "usage: riskdesk tokens revoke [--config F] [--db URL] ID\n\n"
             "A running server stops accepting it within 5 seconds (the time it caches\n"
             "a token's answer).\n",
    .run = run,
};
