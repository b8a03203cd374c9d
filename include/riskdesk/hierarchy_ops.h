/*
 * hierarchy_ops.h - the hierarchy's operations on a store (docs/hierarchy.md):
 * making a paper account a node, setting a node's state, moving money in and
 * out through the ledger with the paper account's cash in the same store
 * transaction, a node's numbers, and `ledger verify` over the whole store.
 * Each operation is one store transaction: it writes all of itself or
 * nothing.
 *
 * Ownership: every struct is caller-owned and fixed-size; strings passed in
 * are read during the call only.
 */
#ifndef RISKDESK_HIERARCHY_OPS_H
#define RISKDESK_HIERARCHY_OPS_H

#include "riskdesk/config.h"
#include "riskdesk/ledger.h"
#include "riskdesk/store.h"

/* A node and its numbers. */
struct rd_hier_view {
    struct rd_hier_node_row node;
    struct rd_ledger_sums sums;
    int depth;                    /* 0 for a root */
    int forks;                    /* forks made from it (done fork ops) */
};

/* Who and when, for the rows an operation writes. */
struct rd_hier_actor {
    const char *who;
    int64_t now;
};

/*
 * Makes acct a root node of type, ACTIVE, and books its opening transaction
 * (key "open/ACCOUNT", kind open) from the paper account's cash: its starting
 * cash when it has not traded. Refused (RD_EREJECTED, saying why): an Alpaca
 * account (its API moves no money between accounts), a paper account holding
 * positions (capital is realised cash), an account that is a node already
 * (RD_EEXIST). Fills out.
 */
int rd_hier_init(struct rd_store *s, const struct rd_account_config *acct, enum rd_node_type type,
                 const struct rd_hier_actor *by, struct rd_hier_view *out, struct rd_error *err);

/* Sets account's state after rd_node_transition_check; FORKING and MERGING
 * are refused here (a fork or consolidation enters them). Writes the
 * transition row; fills out. */
int rd_hier_set_state(struct rd_store *s, const char *account, enum rd_node_state to,
                      const char *why, const struct rd_hier_actor *by,
                      struct rd_hier_state_row *out, struct rd_error *err);

/* Visits each entry of account's own books with its transaction, in the
 * order they were booked; a visit's nonzero return stops the walk and is
 * returned (it fills err). */
int rd_hier_entries(struct rd_store *s, const char *account,
                    int (*visit)(void *ctx, const struct rd_ledger_txn *t,
                                 const struct rd_ledger_entry *e),
                    void *ctx, struct rd_error *err);

/* A node and its numbers; RD_ENOTFOUND when account is no node. */
int rd_hier_view_get(struct rd_store *s, const char *account, struct rd_hier_view *v,
                     struct rd_error *err);

/* A movement between a node and the outside: deposit, withdraw, pnl. */
struct rd_ledger_request {
    enum rd_ledger_kind kind;
    const struct rd_account_config *acct;   /* the node's account (its paper cash) */
    rd_money amount;                        /* > 0; pnl: nonzero, a loss below 0 */
    const char *key;                        /* the idempotency key */
    const char *why;                        /* "" for none */
};

struct rd_ledger_result {
    struct rd_ledger_txn txn;
    struct rd_ledger_entry e[2];
    size_t n;
    int replayed;                 /* the key's stored transaction; nothing written */
};

/*
 * Books r in one store transaction with the paper account's cash. The same
 * key with the same kind, account, amount and reason: the stored result,
 * replayed. Refused, writing nothing: the key used for something else
 * (RD_EEXIST "idempotency_conflict"), no node (RD_ENOTFOUND), a CLOSED node,
 * more out than available (RD_EREJECTED "insufficient_funds").
 * RISKDESK_CRASH_AT=ledger.begin|ledger.book|ledger.commit|ledger.after_commit
 * kills the process at that step (crash_point.h).
 */
int rd_ledger_post(struct rd_store *s, const struct rd_ledger_request *r,
                   const struct rd_hier_actor *by, struct rd_ledger_result *out,
                   struct rd_error *err);

/* The paper account's cash moved by delta, in the caller's transaction (a
 * fresh account's document starts at starting_cash); delta 0 only reads.
 * out may be NULL. RD_EREJECTED "insufficient_funds" below 0. */
struct rd_paper_cash;
int rd_hier_paper_cash(struct rd_store *s, const char *account, rd_money starting_cash,
                       int64_t now, rd_money delta, struct rd_paper_cash *out,
                       struct rd_error *err);

/* `ledger verify`: every row of the store through rd_ledger_verify, and each
 * node's paper cash against its available book. Fills report. */
int rd_ledger_check(struct rd_store *s, struct rd_ledger_report *report, struct rd_error *err);

#endif
