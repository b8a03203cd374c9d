/* riskdesk fork status: every fork op with its state, and how many are in progress. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/ledger_cli.h"
#include "riskdesk/banned.h"

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* A line a fork and the count in progress, from the status's JSON. */
static void print_text(const json_t *st)
{
    size_t i, j;
    json_t *f, *k;

    json_array_foreach(json_object_get(st, "forks"), i, f) {
        printf("op %lld %s: %s, %s by %s at %s", (long long)json_integer_value(json_object_get(f, "op")),
               str(f, "key"), str(f, "parent"), str(f, "status"), str(f, "who"),
               json_is_string(json_object_get(f, "at")) ? str(f, "at") : "1970-01-01T00:00:00Z");
        json_array_foreach(json_object_get(f, "children"), j, k)
            printf("%s %s (%s, %s)", j ? "," : " ->", str(k, "account"), str(k, "type"),
                   str(k, "amount"));
        printf("\n");
    }
    printf("%d of at most %d forks in progress\n",
           (int)json_integer_value(json_object_get(st, "in_progress")), RD_FORK_MAX_IN_PROGRESS);
}

static int run(struct cli_ctx *c)
{
    struct rd_error err = {0};
    json_t *st;

    if (rd_fork_json_status(c->env.store, &st, &err) != RD_OK)
        return cli_fail(&err);
    if (c->json)
        return ledger_cli_print(st);
    print_text(st);
    json_decref(st);
    return CLI_OK;
}

const struct cli_cmd cli_cmd_fork_status = {
    .name = "fork status",
    .summary = "every fork with its key, parent, state and children",
    .usage = "usage: riskdesk fork status [--config F] [--db URL] [--at TIME] [--json]\n\n"
             "Lists every fork op, oldest first: its id, key, parent, status (open, done,\n"
             "failed), who and when, and the children it made; then how many are in\n"
             "progress against the limit of 5.\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_AT | CLI_O_JSON,
    .opens = CLI_OPENS_STORE,
    .run = run,
};
