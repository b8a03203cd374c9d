/*
 * hier_op_int.h - what the hierarchy's operations that move money between
 * nodes (forks, consolidations) share: what they read of a node, their
 * state rows, the nodes they make, their keys and their transactions.
 * Internal to src/app.
 *
 * Ownership: every struct is caller-owned and fixed-size.
 */
#ifndef RISKDESK_APP_HIER_OP_INT_H
#define RISKDESK_APP_HIER_OP_INT_H

#include <jansson.h>

#include "riskdesk/config.h"
#include "riskdesk/hierarchy_ops.h"
#include "riskdesk/store.h"

/* The account's orders the broker may still fill (pending or accepted). */
int rd_hier_open_orders(struct rd_store *s, const char *account, int64_t *n,
                        struct rd_error *err);

/* What the account's daily snapshots say; none, or too few, leave 0s. */
struct rd_hier_perf {
    int32_t tracked_days;
    int64_t annual_return_ppm;
    int64_t drawdown_ppm;         /* >= 0 */
};
int rd_hier_perf_read(struct rd_store *s, const struct rd_config *cfg, const char *account,
                      struct rd_hier_perf *out, struct rd_error *err);

/* The NYSE's regular session is open at now. */
int rd_hier_market_open(int64_t now);

/* Ends a transaction begun by the caller: commit on rc RD_OK, else roll back
 * and return rc. */
int rd_hier_tx_end(struct rd_store *s, int rc, struct rd_error *err);

/* account's state row from -> to for op (why "WHAT op ID"), after the state
 * machine's check. */
int rd_hier_op_state(struct rd_store *s, const char *account, enum rd_node_state from,
                     enum rd_node_state to, int64_t op, const char *what,
                     const struct rd_hier_actor *by, struct rd_error *err);

/* A new node's account: an API-made paper account (tier auto, starting cash
 * amount), its ACTIVE node of type under parent, its paper cash. RD_EEXIST
 * when the name is an account or a node already (what names the op). */
int rd_hier_node_make(struct rd_store *s, const struct rd_config *cfg, const char *account,
                      enum rd_node_type type, const char *parent, rd_money amount,
                      const char *what, const struct rd_hier_actor *by, struct rd_error *err);

/* One side of a transfer: a node's available book, and the cash its paper
 * account starts from when it has no document yet. */
struct rd_hier_leg {
    const char *account;
    rd_money amount;              /* from: what leaves; to: what arrives */
    rd_money starting_cash;
};

/* The op's transfer, one ledger transaction (key "op/ID", kind, why) from
 * from's available book to each of to's, with from's paper cash, and each
 * of to's when to_cash (a new node's was written with its amount). Sets
 * *txn. */
#define RD_HIER_TRANSFER_MAX 8
int rd_hier_transfer(struct rd_store *s, enum rd_ledger_kind kind, int64_t op, const char *why,
                     const struct rd_hier_leg *from, const struct rd_hier_leg *to, size_t n,
                     int to_cash, const struct rd_hier_actor *by, int64_t *txn,
                     struct rd_error *err);

/* o (released here; NULL when it could not be built) written compactly as
 * op's result; RD_ENOMEM naming what when it does not fit. */
int rd_hier_op_result(struct rd_hier_op_row *op, json_t *o, const char *what,
                      struct rd_error *err);

/* The op of want->key: RD_ENOTFOUND when none has it; RD_EEXIST
 * "idempotency_conflict" naming it when its kind, account or params differ;
 * else RD_OK with it in *stored. */
int rd_hier_op_find(struct rd_store *s, const struct rd_hier_op_row *want,
                    struct rd_hier_op_row *stored, struct rd_error *err);

#endif
