/* riskdesk hierarchy show: the tree of nodes with each one's numbers. */
#include <stdio.h>
#include <string.h>

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

struct walk {
    struct rd_store *s;
    json_t *nodes;                /* JSON: the list being filled */
    int json;
    struct rd_error *err;
};

/* Whether account is root or below it (following parents). */
static int in_tree(struct rd_store *s, const struct rd_hier_node_row *n, struct rd_error *err)
{
    struct rd_hier_node_row up = *n;

    for (int depth = 0; depth < 256; depth++) {
        char parent[64];

        if (strcmp(up.account, root) == 0)
            return 1;
        if (!up.parent[0])
            return 0;
        snprintf(parent, sizeof parent, "%s", up.parent);
        if (s->ops->ledger->node_get(s, parent, &up, err) != RD_OK)
            return -1;
    }
    return 0;
}

static int see(void *ctx, const struct rd_hier_node_row *n)
{
    struct walk *w = ctx;
    struct rd_hier_view v;
    int in = root ? in_tree(w->s, n, w->err) : 1;
    char cap[32], sur[32];
    json_t *o;

    if (in < 0)
        return RD_ESTORE;
    if (!in)
        return 0;
    if (rd_hier_view_get(w->s, n->account, &v, w->err) != RD_OK)
        return RD_ESTORE;
    if (!w->json) {
        rd_money_format(rd_ledger_capital(&v.sums), cap, sizeof cap);
        rd_money_format(rd_ledger_surplus(&v.sums), sur, sizeof sur);
        printf("%*s%s %s %s capital %s surplus %s\n", 2 * v.depth, "", v.node.account,
               rd_node_type_name(v.node.type), rd_node_state_name(v.node.state), cap, sur);
        return 0;
    }
    o = ledger_cli_node(&v);
    if (!o || json_array_append_new(w->nodes, o) != 0)
        return RD_ENOMEM;
    /* children come later in account order ("g1" before "g1.f1"); link them back */
    if (v.node.parent[0]) {
        size_t i;
        json_t *p;

        json_array_foreach(w->nodes, i, p)
            if (strcmp(json_string_value(json_object_get(p, "account")), v.node.parent) == 0)
                json_array_append_new(json_object_get(p, "children"), json_string(n->account));
    }
    return 0;
}

static int run(struct cli_ctx *c)
{
    struct rd_store *s = c->env.store;
    struct rd_error err = {0};
    struct walk w = {s, NULL, c->json, &err};
    struct rd_hier_node_row r;
    json_t *o;
    int rc;

    if (root && s->ops->ledger->node_get(s, root, &r, &err) != RD_OK)
        return cli_fail(&err);
    if (c->json && !(w.nodes = json_array()))
        return ledger_cli_print(NULL);
    rc = s->ops->ledger->node_list(s, see, &w, &err);
    if (rc != RD_OK) {
        json_decref(w.nodes);
        if (rc == RD_ENOMEM)
            return ledger_cli_print(NULL);
        return cli_fail(&err);
    }
    if (!c->json)
        return CLI_OK;
    o = json_pack("{s:s?, s:o}", "root", root, "nodes", w.nodes);
    return ledger_cli_print(o);
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
