/*
 * hier_tree.c - the hierarchy's nodes read at once, or those around one
 * node (hier_tree.h).
 */
#include "app/hier_tree.h"

#include <stdio.h>
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

/* Nodes other than the one skipped (a list of siblings without the node). */
struct keep_but {
    struct rd_hier_tree *t;
    const char *skip;
};

static int keep_but(void *ctx, const struct rd_hier_node_row *r)
{
    struct keep_but *k = ctx;

    return strcmp(r->account, k->skip) ? keep_node(k->t, r) : 0;
}

/* name's node and its parents up to the first one t holds (whose chain t
 * holds already) or a root. */
static int read_chain(struct rd_store *s, const char *name, struct rd_hier_tree *t,
                      struct rd_error *err)
{
    struct rd_hier_node_row r;
    int rc;

    while (*name && !rd_hier_tree_find(t, name)) {
        if ((rc = s->ops->ledger->node_get(s, name, &r, err)) != RD_OK ||
            (rc = keep_node(t, &r)) != RD_OK)
            return rc;
        name = t->rows[t->n - 1].parent;
    }
    return RD_OK;
}

int rd_hier_tree_read_around(struct rd_store *s, const char *account, const char *into,
                             struct rd_hier_tree *t, struct rd_error *err)
{
    struct keep_but siblings = {t, account};
    char parent[sizeof t->rows->parent];
    int rc;

    memset(t, 0, sizeof *t);
    t->err = err;
    if ((rc = read_chain(s, account, t, err)) != RD_OK)
        return rc;
    if (!t->n)
        return rd_error_set(err, RD_ENOTFOUND, "account \"\" is not a node of the hierarchy");
    snprintf(parent, sizeof parent, "%s", t->rows[0].parent);
    if ((rc = s->ops->ledger->node_children(s, account, keep_node, t, err)) != RD_OK ||
        (rc = s->ops->ledger->node_children(s, parent, keep_but, &siblings, err)) != RD_OK ||
        !into || !*into)
        return rc;
    rc = read_chain(s, into, t, err);
    if (rc == RD_ENOTFOUND && !rd_hier_tree_find(t, into)) {   /* into is no node */
        rd_error_clear(err);
        rc = RD_OK;
    }
    return rc;
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
