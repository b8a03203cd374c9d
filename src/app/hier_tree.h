/*
 * hier_tree.h - every node of the hierarchy read at once (or the part of it
 * around one node), and the parent links walked: what attribution and
 * consolidation read of the tree.
 * Internal to src/app.
 *
 * Ownership: a tree owns its rows; rd_hier_tree_release frees them.
 */
#ifndef RISKDESK_APP_HIER_TREE_H
#define RISKDESK_APP_HIER_TREE_H

#include "riskdesk/store.h"

struct rd_hier_tree {
    struct rd_hier_node_row *rows;
    size_t n, cap;
    struct rd_error *err;
};

/* Every node, by account, into t (released by the caller, also on error). */
int rd_hier_tree_read(struct rd_store *s, struct rd_hier_tree *t, struct rd_error *err);
/* What a consolidation of account reads of the tree, into t (released by the
 * caller, also on error): the node and its parent chain, its children, its
 * siblings (the nodes under its parent; for a root, the other roots), and
 * into's node and its parent chain (into NULL, "" or no node: none). Every
 * node read has its parent chain read too, so rd_hier_tree_under answers as
 * over the whole tree. RD_ENOTFOUND when account is no node. */
int rd_hier_tree_read_around(struct rd_store *s, const char *account, const char *into,
                             struct rd_hier_tree *t, struct rd_error *err);
void rd_hier_tree_release(struct rd_hier_tree *t);

/* The node of account; NULL when none. */
const struct rd_hier_node_row *rd_hier_tree_find(const struct rd_hier_tree *t,
                                                 const char *account);

/* Whether r is root or under it, by parent links. */
int rd_hier_tree_under(const struct rd_hier_tree *t, const struct rd_hier_node_row *r,
                       const char *root);

#endif
