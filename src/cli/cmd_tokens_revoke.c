/* riskdesk tokens revoke: a token stops working. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/cli_open.h"
#include "riskdesk/banned.h"

#define NAME "tokens revoke"

static long long id;

static int check(struct cli_ctx *c)
{
    char *end;

    if (c->argc != 1)
        return cli_usage_error(NAME, "expected one token id (see 'riskdesk tokens list')");
    id = strtoll(c->argv[0], &end, 10);
    if (!*c->argv[0] || *end || id <= 0)
        return cli_usage_error(NAME, "'%s' is not a token id (a positive number)", c->argv[0]);
    return CLI_OK;
}

static int run(struct cli_ctx *c)
{
    struct rd_store *s = c->env.store;
    struct rd_error err = {0};
    int rc;

    rc = s->ops->api->token_revoke(s, (int64_t)id, (int64_t)time(NULL), &err);
    if (rc == RD_OK)
        printf("revoked token %lld\n", id);
    return rc == RD_OK ? CLI_OK : cli_fail(&err);
}

const struct cli_cmd cli_cmd_tokens_revoke = {
    .name = NAME,
    .summary = "revoke an API token by id",
    .usage = "usage: riskdesk tokens revoke [--config F] [--db URL] ID\n\n"
             "A running server stops accepting it within 5 seconds (the time it caches\n"
             "a token's answer).\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_OPERANDS,
    .opens = CLI_OPENS_STORE,
    .check = check,
    .run = run,
};
