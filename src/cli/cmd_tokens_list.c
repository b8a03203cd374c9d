/* riskdesk tokens list: the API tokens, without their secrets. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/cli_open.h"
#include "riskdesk/calendar.h"
#include "riskdesk/banned.h"

#define NAME "tokens list"


struct walk {
    int json, n;
};

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;

        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch < 0x20)
            printf("\\u%04x", ch);
        else
            putchar(ch);
    }
    putchar('"');
}

static int visit(void *ctx, const struct rd_token_row *t)
{
    struct walk *w = ctx;
    char created[32], revoked[32] = "-";

    rd_time_format(t->created_at, created, sizeof created);
    if (t->revoked_at)
        rd_time_format(t->revoked_at, revoked, sizeof revoked);
    if (w->json) {
        printf("%s{\"id\":%lld,\"prefix\":\"%s\",\"role\":\"%s\",\"user\":", w->n ? "," : "",
               (long long)t->id, t->prefix, t->role);
        json_str(t->user);
        printf(",\"label\":");
        json_str(t->label);
        printf(",\"created_at\":\"%s\",\"revoked_at\":", created);
        if (t->revoked_at)
            printf("\"%s\"}", revoked);
        else
            printf("null}");
    } else {
        printf("%-4lld %-13s %-7s %-20s %-21s %-21s %s\n", (long long)t->id, t->prefix, t->role,
               t->user, created, revoked, t->label);
    }
    w->n++;
    return 0;
}

static int run(struct cli_ctx *c)
{
    struct rd_store *s = c->env.store;
    struct rd_error err = {0};
    struct walk w = {0, 0};
    int rc;

    w.json = c->json;
    if (w.json)
        fputs("[", stdout);
    else
        printf("%-4s %-13s %-7s %-20s %-21s %-21s %s\n", "ID", "PREFIX", "ROLE", "USER", "CREATED",
               "REVOKED", "LABEL");
    rc = s->ops->api->token_list(s, visit, &w, &err);
    if (w.json)
        fputs("]\n", stdout);
    return rc == RD_OK ? CLI_OK : cli_fail(&err);
}

const struct cli_cmd cli_cmd_tokens_list = {
    .name = NAME,
    .summary = "list API tokens (ids, roles, users; never the tokens)",
    .usage = "usage: riskdesk tokens list [--config F] [--db URL] [--json]\n\n"
             "The prefix is the token's first characters, to tell tokens apart.\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_JSON,
    .opens = CLI_OPENS_STORE,
    .run = run,
};
