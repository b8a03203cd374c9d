/* riskdesk tokens list: the API tokens, without their secrets. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/cli_open.h"
#include "riskdesk/calendar.h"
#include "riskdesk/banned.h"

#define NAME "tokens list"

static const struct option opts[] = {
    {"config", required_argument, NULL, 'c'}, {"db", required_argument, NULL, 'd'},
    {"json", no_argument, NULL, 'j'},         {NULL, 0, NULL, 0},
};

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

static int run(int argc, char **argv)
{
    const char *config = NULL, *db = NULL;
    struct rd_error err = {0};
    struct cli_env env;
    struct walk w = {0, 0};
    int c, rc;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'd': db = optarg; break;
        case 'j': w.json = 1; break;
        default: return cli_usage_error(NAME, "unknown option");
        }
    }
    if (optind < argc)
        return cli_usage_error(NAME, "unexpected argument '%s'", argv[optind]);
    if (cli_open(config, db, 1, &env, &err) != RD_OK)
        return cli_fail(&err);
    if (w.json)
        fputs("[", stdout);
    else
        printf("%-4s %-13s %-7s %-20s %-21s %-21s %s\n", "ID", "PREFIX", "ROLE", "USER", "CREATED",
               "REVOKED", "LABEL");
    rc = env.store->ops->api->token_list(env.store, visit, &w, &err);
    if (w.json)
        fputs("]\n", stdout);
    cli_close(&env);
    return rc == RD_OK ? CLI_OK : cli_fail(&err);
}

const struct cli_cmd cli_cmd_tokens_list = {
    .name = NAME,
    .summary = "list API tokens (ids, roles, users; never the tokens)",
    .usage = "usage: riskdesk tokens list [--config F] [--db URL] [--json]\n\n"
             "The prefix is the token's first characters, to tell tokens apart.\n",
    .run = run,
};
