/*
 * node_fills.h - a hierarchy node's fills in its ledger (docs/hierarchy.md,
 * "Trading"): an entry fill reserves its cost, an exit releases the cost it
 * closes and books its realised P&L, inside the store transaction that
 * records the fill (the caller's). What each open position cost is kept
 * exactly, per node, in the store's kv document "node_cost"/ACCOUNT (units
 * and cost of each open position), so an exit releases what its entries
 * reserved to the last 1/10,000.
 *
 * Ownership: structs are caller-owned; strings passed in are read during the
 * call only.
 */
#ifndef RISKDESK_NODE_FILLS_H
#define RISKDESK_NODE_FILLS_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/hierarchy_ops.h"
#include "riskdesk/store.h"

/* A filled order of a node, as the ledger books it. */
struct rd_node_fill {
    const char *account;
    const char *client_order_id;  /* the fill's key: "fill/ACCOUNT/ID" books it once */
    const char *symbol;
    int entry;                    /* 1: an entry (reserve); 0: an exit (release) */
    int64_t qty, multiplier;      /* filled units; shares per unit */
    rd_money price;               /* fill price per share */
};

/*
 * Books f inside the caller's store transaction: reserve (entry) or release
 * with P&L (exit), and the position's units and open cost. A fill whose key is booked
 * already books nothing (*booked 0): a replayed or reconciled fill counts
 * once. Fails (the caller rolls back the fill with it) on a store error or
 * a malformed open-cost document, naming it.
 */
int rd_node_fill_book(struct rd_store *s, const struct rd_node_fill *f,
                      const struct rd_hier_actor *by, int *booked, struct rd_error *err);

/* The node's open cost: the sum of its "node_cost" document (0 when it has
 * none) and how many positions it names. */
int rd_node_open_cost(struct rd_store *s, const char *account, rd_money *sum, size_t *npositions,
                      struct rd_error *err);

#endif
