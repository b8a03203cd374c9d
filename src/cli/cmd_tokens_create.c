/* riskdesk tokens create: a new API token, printed once. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/cli_open.h"
#include "riskdesk/api.h"
#include "riskdesk/banned.h"

#define NAME "tokens create"

static const char *role, *user, *label = "";
static enum rd_api_role r;

static const struct option opts[] = {
    {"role", required_argument, NULL, 'r'},  {"user", required_argument, NULL, 'u'},
    {"label", required_argument, NULL, 'L'}, {NULL, 0, NULL, 0},
};

static int option(int val, const char *arg)
{
    if (val == 'r')
        role = arg;
    else if (val == 'u')
        user = arg;
    else
        label = arg;
    return CLI_OK;
}

static int valid_user(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 63)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-' || c == '@'))
            return 0;
    }
    return 1;
}

static int check(struct cli_ctx *c)
{
    struct rd_error err = {0};

    (void)c;
    if (!role || !user)
        return cli_usage_error(NAME, "--role and --user are required");
    if (rd_api_role_parse(role, &r, &err) != RD_OK)
        return cli_usage_error(NAME, "--role: %s", err.msg);
    if (!valid_user(user))
        return cli_usage_error(NAME, "--user: '%s'; expected 1-63 characters of A-Z a-z 0-9 _ . @ -",
                               user);
    if (strlen(label) >= sizeof((struct rd_token_row *)0)->label)
        return cli_usage_error(NAME, "--label: at most %zu characters",
                               sizeof((struct rd_token_row *)0)->label - 1);
    return CLI_OK;
}

static int run(struct cli_ctx *c)
{
    char token[RD_API_TOKEN_MAX], hash[RD_API_HASH_MAX], prefix[RD_API_TOKEN_PREFIX_LEN + 1];
    struct rd_store *s = c->env.store;
    struct rd_token_row t;
    struct rd_user_row u;
    struct rd_error err = {0};
    int rc;

    memset(token, 0, sizeof token);
    if (r == RD_ROLE_TRADER) {
        /* a trader's token is only as good as their assignment: the user must exist */
        rc = s->ops->api->user_get(s, user, &u, &err);
        if (rc == RD_ENOTFOUND)
            rd_error_set(&err, rc, "no user \"%s\": a trader token needs the user first "
                                   "(POST /api/v1/users)", user);
        if (rc != RD_OK)
            goto out;
    }
    rc = rd_api_token_new(token, hash, prefix, &err);
    if (rc != RD_OK)
        goto out;
    memset(&t, 0, sizeof t);
    snprintf(t.hash, sizeof t.hash, "%s", hash);
    snprintf(t.prefix, sizeof t.prefix, "%s", prefix);
    snprintf(t.role, sizeof t.role, "%s", rd_api_role_name(r));
    snprintf(t.user, sizeof t.user, "%s", user);
    snprintf(t.label, sizeof t.label, "%s", label);
    t.created_at = (int64_t)time(NULL);
    rc = s->ops->api->token_add(s, &t, &err);
    if (rc == RD_OK) {
        /* the token's only appearance: its one line on stdout */
        printf("%s\n", token);
        fprintf(stderr, "riskdesk: token %lld (%s, user %s, %s...) created; it is shown only now\n",
                (long long)t.id, t.role, t.user, prefix);
    }
out:
    explicit_bzero(token, sizeof token);
    return rc == RD_OK ? CLI_OK : cli_fail(&err);
}

const struct cli_cmd cli_cmd_tokens_create = {
    .name = NAME,
    .summary = "create an API token (printed once)",
    .usage = "usage: riskdesk tokens create [--config F] [--db URL] --role admin|trader|viewer\n"
             "                              --user ID [--label TEXT]\n\n"
             "Prints the new token as the only line on stdout; only its SHA-256 is stored,\n"
             "so it cannot be shown again. A trader's user must exist (POST /api/v1/users);\n"
             "the trader then sees and trades only the account assigned to them.\n",
    .takes = CLI_O_CONFIG | CLI_O_DB,
    .opens = CLI_OPENS_STORE,
    .options = opts,
    .option = option,
    .check = check,
    .run = run,
};
