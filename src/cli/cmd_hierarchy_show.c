/* riskdesk hierarchy show: the tree of nodes with each one's numbers. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/ledger_cli.h"
#include "riskdesk/banned.h"

#define NAME "hierarchy show"

static const char *root;

static const struct option opts[] = {
    {"root", required_argument, NULL, 'R'},
    {NULL, 0, NULL, 0},
};

static int option(int val, const char *arg)
{
    (void)val;
    root = arg;
    return CLI_OK;
}

/* One line a node, indented by depth, from the tree's JSON. */
static void print_text(const json_t *tree)
{
    size_t i;
    json_t *n;

    json_array_foreach(json_object_get(tree, "nodes"), i, n)
        printf("%*s%s %s %s capital %s surplus %s\n",
               2 * (int)json_integer_value(json_object_get(n, "depth")), "",
               json_string_value(json_object_get(n, "account")),
               json_string_value(json_object_get(n, "type")),
               json_string_value(json_object_get(n, "state")),
               json_string_value(json_object_get(n, "capital")),
               json_string_value(json_object_get(n, "surplus")));
}

static int run(struct cli_ctx *c)
{
    struct rd_error err = {0};
    json_t *tree;

    if (rd_hier_json_tree(c->env.store, root, &tree, &err) != RD_OK)
        return cli_fail(&err);
    if (c->json)
        return ledger_cli_print(tree);
    print_text(tree);
    json_decref(tree);
    return CLI_OK;
}

const struct cli_cmd cli_cmd_hierarchy_show = {
    .name = NAME,
    .summary = "the hierarchy's nodes with type, state, capital, base and surplus",
    .usage = "usage: riskdesk hierarchy show [--config F] [--db URL] [--at TIME] [--root A] [--json]\n\n"
             "Every node (or the tree under --root A), by account: type, state, parent, depth,\n"
             "available, reserved, capital, base, surplus, forks and children. Money is shown\n"
             "as decimal strings in JSON.\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_AT | CLI_O_JSON,
    .opens = CLI_OPENS_STORE,
    .options = opts,
    .option = option,
    .run = run,
};
