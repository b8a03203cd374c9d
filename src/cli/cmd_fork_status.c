/* riskdesk fork status: every fork op with its state, and how many are in progress. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/ledger_cli.h"
#include "riskdesk/calendar.h"
#include "riskdesk/banned.h"

struct seen {
    json_t *forks;
    int in_progress, json;
};

static int seen(void *ctx, const struct rd_hier_op_row *o)
{
    struct seen *s = ctx;
    json_t *result, *kids, *row;
    char at[32];

    if (o->kind != RD_HIER_OP_FORK)
        return 0;
    if (o->status == RD_HIER_OP_OPEN)
        s->in_progress++;
    result = o->result[0] ? json_loads(o->result, 0, NULL) : NULL;
    kids = result ? json_incref(json_object_get(result, "children")) : NULL;
    json_decref(result);
    if (!s->json) {
        size_t i;
        json_t *k;

        rd_time_format(o->created_at, at, sizeof at);
        printf("op %lld %s: %s, %s by %s at %s", (long long)o->id, o->key, o->account,
               rd_hier_op_status_name(o->status), o->who, at);
        json_array_foreach(kids, i, k)
            printf("%s %s (%s, %s)", i ? "," : " ->",
                   json_string_value(json_object_get(k, "account")),
                   json_string_value(json_object_get(k, "type")),
                   json_string_value(json_object_get(k, "amount")));
        printf("\n");
        json_decref(kids);
        return 0;
    }
    row = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "op", (json_int_t)o->id, "key",
                    o->key, "parent", o->account, "status", rd_hier_op_status_name(o->status),
                    "who", o->who, "at", ledger_cli_time(o->created_at), "finished", ledger_cli_time(o->finished_at),
                    "children", kids ? kids : json_array());
    return json_array_append_new(s->forks, row) ? RD_ENOMEM : 0;
}

static int run(struct cli_ctx *c)
{
    struct seen s = {json_array(), 0, c->json};
    struct rd_error err = {0};

    if (!s.forks)
        return CLI_FAIL;
    if (c->env.store->ops->ledger->op_list(c->env.store, NULL, seen, &s, &err) != RD_OK) {
        json_decref(s.forks);
        return cli_fail(&err);
    }
    if (c->json)
        return ledger_cli_print(json_pack("{s:i, s:i, s:o}", "in_progress", s.in_progress,
                                          "limit", RD_FORK_MAX_IN_PROGRESS, "forks", s.forks));
    json_decref(s.forks);
    printf("%d of at most %d forks in progress\n", s.in_progress, RD_FORK_MAX_IN_PROGRESS);
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
