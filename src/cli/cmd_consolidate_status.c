/* riskdesk consolidate status: every consolidation op with its state. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/ledger_cli.h"
#include "riskdesk/banned.h"

struct seen {
    json_t *list;
    int in_progress, json;
};

static int seen(void *ctx, const struct rd_hier_op_row *o)
{
    struct seen *s = ctx;
    json_t *result, *row;

    if (o->kind == RD_HIER_OP_FORK)
        return 0;
    s->in_progress += o->status == RD_HIER_OP_OPEN;
    result = json_loads(o->result, 0, NULL);
    if (!s->json) {
        printf("op %lld %s (%s): %s -> %s, %s %s\n", (long long)o->id, o->key,
               rd_hier_op_kind_name(o->kind), o->account,
               json_string_value(json_object_get(result, "target")),
               json_string_value(json_object_get(result, "amount")),
               rd_hier_op_status_name(o->status));
        json_decref(result);
        return 0;
    }
    row = json_pack("{s:I, s:s, s:s, s:s, s:O, s:O, s:s, s:s, s:o, s:o, s:O}", "op",
                    (json_int_t)o->id, "key", o->key, "kind", rd_hier_op_kind_name(o->kind),
                    "source", o->account, "target", json_object_get(result, "target"), "amount",
                    json_object_get(result, "amount"), "status",
                    rd_hier_op_status_name(o->status), "who", o->who, "at",
                    rd_hier_json_time(o->created_at), "finished", rd_hier_json_time(o->finished_at),
                    "txn", json_object_get(result, "txn"));
    json_decref(result);
    return !row || json_array_append_new(s->list, row) ? RD_ENOMEM : 0;
}

static int run(struct cli_ctx *c)
{
    struct seen s = {json_array(), 0, c->json};
    struct rd_error err = {0};

    if (!s.list)
        return CLI_FAIL;
    if (c->env.store->ops->ledger->op_list(c->env.store, NULL, seen, &s, &err) != RD_OK) {
        json_decref(s.list);
        return cli_fail(&err);
    }
    if (c->json)
        return ledger_cli_print(json_pack("{s:i, s:o}", "in_progress", s.in_progress,
                                          "consolidations", s.list));
    json_decref(s.list);
    printf("%d consolidation(s) waiting for their source to be flat\n", s.in_progress);
    return CLI_OK;
}

const struct cli_cmd cli_cmd_consolidate_status = {
    .name = "consolidate status",
    .summary = "every consolidation with its key, source, target, amount and state",
    .usage = "usage: riskdesk consolidate status [--config F] [--db URL] [--at TIME] [--json]\n\n"
             "Lists every consolidation op (merge or partial), oldest first: id, key, kind,\n"
             "source, target, amount, status (open while its source closes its positions,\n"
             "done), who, when and its ledger transaction.\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_AT | CLI_O_JSON,
    .opens = CLI_OPENS_STORE,
    .run = run,
};
