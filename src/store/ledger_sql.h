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
#define LEDGER_ENTRY_COLS "e.txn, e.book, e.amount"

#include "riskdesk/store.h"

/* Set n's type and state, t's states, t's kind from their stored text;
 * RD_ESTORE naming the row when the text is not riskdesk's. */
int rd_store_node_read(struct rd_hier_node_row *n, const char *type, const char *state,
                       struct rd_error *err);
int rd_store_state_read(struct rd_hier_state_row *t, const char *from, const char *to,
                        struct rd_error *err);
int rd_store_txn_read(struct rd_ledger_txn *t, const char *kind, struct rd_error *err);
/* The text n's type and state are stored as; RD_EINVAL when out of range. */
int rd_store_ledger_names(const struct rd_hier_node_row *n, const char **type,
                          const char **state, struct rd_error *err);

#endif
