/*
 * ledger_sql.h - what both backends share for the hierarchy and its ledger
 * (sqlite_ledger.c, postgres_ledger.c): the column lists, so rows read the
 * same from either, and the readers of their stored text (ledger_rows.c).
 * Backend-internal.
 */
#ifndef RISKDESK_LEDGER_SQL_H
#define RISKDESK_LEDGER_SQL_H

#define LEDGER_NODE_COLS "account, type, parent, state, allow_negative, created_at"
#define LEDGER_STATE_COLS "id, account, from_state, to_state, why, who, op, at"
#define LEDGER_TXN_COLS "id, idem_key, kind, who, why, op, at"
#define LEDGER_ENTRY_COLS "e.txn, e.book, e.amount, e.sealed"
#define LEDGER_OP_COLS \
    "id, kind, idem_key, account, params, status, result, created_at, finished_at, who"
#define LEDGER_ASSESS_COLS                                                               \
    "id, account, surplus, amount, market_ppm, performance_ppm, load_ppm, timing_ppm, " \
    "confidence_ppm, action, op, who, at"
#define LEDGER_MASSESS_COLS                                                            \
    "id, account, strategy, into_node, target, amount, triggers, reliability_ppm, "    \
    "benefit_ppm, risk_ppm, confidence_ppm, action, safe, op, who, at"

#include "riskdesk/store.h"

/* Set n's type and state, t's states, t's kind from their stored text;
 * RD_ESTORE naming the row when the text is not riskdesk's. */
int rd_store_node_read(struct rd_hier_node_row *n, const char *type, const char *state,
                       struct rd_error *err);
int rd_store_state_read(struct rd_hier_state_row *t, const char *from, const char *to,
                        struct rd_error *err);
int rd_store_txn_read(struct rd_ledger_txn *t, const char *kind, struct rd_error *err);
/* o's kind and status, a's action, from their stored text; RD_ESTORE naming
 * the row otherwise. */
int rd_store_op_read(struct rd_hier_op_row *o, const char *kind, const char *status,
                     struct rd_error *err);
int rd_store_assess_read(struct rd_fork_assess_row *a, const char *action, struct rd_error *err);
/* a's strategy and action from their stored text; RD_ESTORE naming the row
 * otherwise. rd_store_merge_assess_check: RD_EINVAL before a write of an
 * unknown one. */
int rd_store_merge_assess_read(struct rd_merge_assess_row *a, const char *strategy,
                               const char *action, struct rd_error *err);
int rd_store_merge_assess_check(const struct rd_merge_assess_row *a, struct rd_error *err);
/* Runs write(s, arg, err) at a transaction level of its own: committed on
 * RD_OK; on RD_EEXIST (nothing written) the level ends without failing the
 * caller's transaction; anything else rolls back. */
int rd_store_ledger_tx(struct rd_store *s, int (*write)(struct rd_store *, void *, struct rd_error *),
                       void *arg, struct rd_error *err);

/* txn_add and state_add of both backends: the row checked, then the
 * backend's write (its rows only) at a level of its own (rd_store_ledger_tx);
 * state_add's write is handed the struct rd_hier_state_row. */
int rd_store_ledger_txn_add(struct rd_store *s, struct rd_ledger_txn *t, struct rd_ledger_entry *e,
                            size_t n,
                            int (*write)(struct rd_store *, struct rd_ledger_txn *,
                                         struct rd_ledger_entry *, size_t, struct rd_error *),
                            struct rd_error *err);
int rd_store_ledger_state_add(struct rd_store *s, struct rd_hier_state_row *t,
                              int (*write)(struct rd_store *, void *, struct rd_error *),
                              struct rd_error *err);

/* book_list of sealed amounts, summed here instead of in SQL: entries fed in
 * book order, each book's balance handed to visit when the next book starts
 * and at the end. add: RD_ESTORE naming the book when its sum overflows, or
 * visit's nonzero return. */
struct rd_store_book_sums {
    struct rd_ledger_balance sum;     /* the book being summed; "" before the first */
    int (*visit)(void *ctx, const struct rd_ledger_balance *);
    void *ctx;
};
int rd_store_book_sums_add(struct rd_store_book_sums *b, const struct rd_ledger_entry *e,
                           struct rd_error *err);
int rd_store_book_sums_end(struct rd_store_book_sums *b);

/* node_sums of both backends: e (a node's entry, or the sum of its entries
 * of one kind, book and sign, e->txn the first of their transactions) added
 * to sums under its transaction's stored kind; RD_ESTORE naming the
 * transaction and kind, or the book, when the kind is not riskdesk's or the
 * sum leaves the money range. */
int rd_store_node_sums_add(struct rd_ledger_sums *sums, const char *kind,
                           const struct rd_ledger_entry *e, struct rd_error *err);

/* The text n's type and state are stored as; RD_EINVAL when out of range. */
int rd_store_ledger_names(const struct rd_hier_node_row *n, const char **type,
                          const char **state, struct rd_error *err);

#endif
