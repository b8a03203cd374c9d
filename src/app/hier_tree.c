/*
 * hier_tree.c - the hierarchy's nodes read at once (hier_tree.h).
 */
#include "app/hier_tree.h"

#include <string.h>

#include "riskdesk/alloc.h"
#include "riskdesk/banned.h"

static int keep_node(void *ctx, const struct rd_hier_node_row *r)
{
    struct rd_hier_tree *t = ctx;

    if (t->n == t->cap) {
        size_t c = t->cap ? t->cap * 2 : 64;
        struct rd_hier_node_row *p = rd_realloc(t->rows, c * sizeof *p);

        if (!p)
            return rd_error_set(t->err, RD_ENOMEM, "out of memory reading the hierarchy");
        t->rows = p;
        t->cap = c;
    }
    t->rows[t->n++] = *r;
    return 0;
}

int rd_hier_tree_read(struct rd_store *s, struct rd_hier_tree *t, struct rd_error *err)
{
    memset(t, 0, sizeof *t);
    t->err = err;
    return s->ops->ledger->node_list(s, keep_node, t, err);
}

void rd_hier_tree_release(struct rd_hier_tree *t)
{
    rd_free(t->rows);
    memset(t, 0, sizeof *t);
}

const struct rd_hier_node_row *rd_hier_tree_find(const struct rd_hier_tree *t,
                                                 const char *account)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->rows[i].account, account))
            return &t->rows[i];
    return NULL;
}

int rd_hier_tree_under(const struct rd_hier_tree *t, const struct rd_hier_node_row *r,
                       const char *root)
{
    /* at most one hop a node: a loop of parent links ends too */
    for (size_t hops = 0; r && hops <= t->n; hops++) {
        if (!strcmp(r->account, root))
            return 1;
        r = r->parent[0] ? rd_hier_tree_find(t, r->parent) : NULL;
    }
    return 0;
}
