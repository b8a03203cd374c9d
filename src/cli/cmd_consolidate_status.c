/* riskdesk consolidate status: every consolidation op with its state. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/ledger_cli.h"
#include "riskdesk/banned.h"

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int run(struct cli_ctx *c)
{
    struct rd_error err = {0};
    json_t *o, *op;
    size_t i;

    if (rd_merge_json_status(c->env.store, &o, &err) != RD_OK)
        return cli_fail(&err);
    if (c->json)
        return ledger_cli_print(o);
    json_array_foreach(json_object_get(o, "consolidations"), i, op)
        printf("op %lld %s (%s): %s -> %s, %s %s\n",
               (long long)json_integer_value(json_object_get(op, "op")), str(op, "key"),
               str(op, "kind"), str(op, "source"), str(op, "target"), str(op, "amount"),
               str(op, "status"));
    printf("%lld consolidation(s) waiting for their source to be flat\n",
           (long long)json_integer_value(json_object_get(o, "in_progress")));
    json_decref(o);
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
