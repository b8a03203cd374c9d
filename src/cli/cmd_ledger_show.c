/* riskdesk ledger show: a node's books and every transaction that touched them. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/ledger_cli.h"
#include "riskdesk/banned.h"

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* The books' line, the transactions, then their entries, from the JSON. */
static void print_text(const char *name, const json_t *l)
{
    json_t *t, *e;
    size_t i, j;

    printf("%s %s %s: available %s, reserved %s, capital %s, base %s, surplus %s\n", name,
           str(l, "type"), str(l, "state"), str(l, "available"), str(l, "reserved"),
           str(l, "capital"), str(l, "base"), str(l, "surplus"));
    json_array_foreach(json_object_get(l, "transactions"), i, t)
        printf("%-6lld %-8s %-20s %-8s %s%s%s\n",
               (long long)json_integer_value(json_object_get(t, "id")), str(t, "kind"),
               str(t, "at"), str(t, "who"), str(t, "key"), str(t, "why")[0] ? ": " : "",
               str(t, "why"));
    json_array_foreach(json_object_get(l, "transactions"), i, t)
        json_array_foreach(json_object_get(t, "entries"), j, e)
            printf("       %-8lld %-40s %16s\n",
                   (long long)json_integer_value(json_object_get(t, "id")), str(e, "book"),
                   str(e, "amount"));
}

static int run(struct cli_ctx *c)
{
    struct rd_error err = {0};
    json_t *l;

    if (rd_hier_json_ledger(c->env.store, c->acct->name, &l, &err) != RD_OK)
        return cli_fail(&err);
    if (c->json)
        return ledger_cli_print(l);
    print_text(c->acct->name, l);
    json_decref(l);
    return CLI_OK;
}

const struct cli_cmd cli_cmd_ledger_show = {
    .name = "ledger show",
    .summary = "a node's books and the transactions that touched them",
    .usage = "usage: riskdesk ledger show [--config F] [--db URL] [--at TIME] --account A [--json]\n\n"
             "Shows the node's available and reserved books, its capital, base and surplus, and\n"
             "every transaction on its books, oldest first, with all of each one's entries.\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_ACCOUNT | CLI_O_NEED_ACCOUNT | CLI_O_AT | CLI_O_JSON,
    .opens = CLI_OPENS_STORE,
    .run = run,
};
