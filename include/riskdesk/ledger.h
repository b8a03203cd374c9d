/*
 * ledger.h - the hierarchy's double-entry ledger (docs/hierarchy.md): books,
 * balanced transactions, a node's capital, base and surplus, and the checks
 * of `ledger verify` over rows handed to them. Pure logic: no I/O.
 *
 * Ownership: every struct is caller-owned and fixed-size. rd_ledger_verify
 * reads the arrays it is given and writes problems into the caller's report.
 *
 * Amounts live in entries only: a transaction has none of its own and a
 * balance is always the sum of its book's entries.
 */
#ifndef RISKDESK_LEDGER_H
#define RISKDESK_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/error.h"
#include "riskdesk/hierarchy.h"
#include "riskdesk/money.h"

#define RD_LEDGER_BOOK_MAX 80        /* "NAME:available" with NAME up to 63 */
#define RD_LEDGER_KEY_MAX 128
#define RD_LEDGER_EXTERNAL "@external"
#define RD_LEDGER_PNL "@pnl"

enum rd_ledger_kind {
    RD_LEDGER_OPEN,
    RD_LEDGER_DEPOSIT,
    RD_LEDGER_WITHDRAW,
    RD_LEDGER_PNL_KIND,
    RD_LEDGER_RESERVE,
    RD_LEDGER_RELEASE,
    RD_LEDGER_FORK,
    RD_LEDGER_MERGE,
    RD_LEDGER_PARTIAL,
    RD_LEDGER_KIND_COUNT
};
const char *rd_ledger_kind_name(enum rd_ledger_kind k);    /* "open"...; NULL out of range */
int rd_ledger_kind_parse(const char *s, enum rd_ledger_kind *out);

/* A transaction's header. key is unique in the store. */
struct rd_ledger_txn {
    int64_t id;                       /* the store's */
    char key[RD_LEDGER_KEY_MAX];
    enum rd_ledger_kind kind;
    char who[64];
    char why[256];
    int64_t op;                       /* the fork or consolidation; 0 = none */
    int64_t at;                       /* Unix s */
};

/* One leg: amount added to book (negative takes). */
struct rd_ledger_entry {
    int64_t txn;                      /* the transaction's id */
    char book[RD_LEDGER_BOOK_MAX];
    rd_money amount;
};

/* Books of a node: "NAME:available", "NAME:reserved". RD_EINVAL when the name
 * does not fit. */
int rd_ledger_book(const char *account, int reserved, char *out, size_t n, struct rd_error *err);
/* The node a book belongs to (copied into account) and whether it is the
 * reserved one; RD_EINVAL for "@..." books and malformed names. */
int rd_ledger_book_split(const char *book, char *account, size_t n, int *reserved);

/* Whether entries form a transaction: >= 2 entries, each nonzero and in the
 * money range, books well formed, summing to exactly 0. RD_EINVAL naming the
 * first fault (`where` first). */
int rd_ledger_balanced(const struct rd_ledger_entry *e, size_t n, const char *where,
                       struct rd_error *err);

/* The two entries of a movement between a node's available book and the
 * outside: deposit and open (+amount to the node from @external), withdraw
 * (-amount), pnl (signed: a gain from @pnl, a loss to it). amount must be
 * nonzero (> 0 but for pnl). */
int rd_ledger_flow(enum rd_ledger_kind kind, const char *account, rd_money amount,
                   struct rd_ledger_entry e[2], struct rd_error *err);

/* The entries of a node's fill. An entry (proceeds_or_neg < 0) reserves its
 * cost: available -> reserved (kind reserve). An exit releases the cost it
 * closes, reserved -> available, and books proceeds - cost as realised P&L,
 * @pnl -> available (kind release; no P&L legs when it is 0). *n is 2 or 4.
 * RD_EINVAL for a cost not above 0 or amounts out of range. */
int rd_ledger_fill(const char *account, rd_money cost, rd_money proceeds_or_neg,
                   struct rd_ledger_entry e[4], size_t *n, struct rd_error *err);
/* The open cost an exit of qty of held units releases: all of it when it
 * closes the position, else open_cost x qty / held (rounded down, so the last
 * exit releases what is left). */
rd_money rd_ledger_release_cost(rd_money open_cost, int64_t qty, int64_t held);

/* Whether two transactions are the same operation for idempotency: kind,
 * why and the same entries in the same order. */
int rd_ledger_same(const struct rd_ledger_txn *a, const struct rd_ledger_entry *ea, size_t na,
                   const struct rd_ledger_txn *b, const struct rd_ledger_entry *eb, size_t nb);

/* ---- a node's numbers ---- */

/* A node's sums by kind of movement, read off its entries. */
struct rd_ledger_sums {
    rd_money available, reserved;
    rd_money opening, deposits, withdrawals;     /* withdrawals as a positive amount */
    rd_money pnl;                                /* realised, signed */
    rd_money transfers_in, transfers_out, partial_out;
};

/* Adds one entry of a transaction of kind to the sums of the node the entry's
 * book belongs to; RD_EINVAL when a sum would leave the money range. */
int rd_ledger_sums_add(struct rd_ledger_sums *s, enum rd_ledger_kind kind,
                       const struct rd_ledger_entry *e, struct rd_error *err);

rd_money rd_ledger_capital(const struct rd_ledger_sums *s);   /* available + reserved */
/* opening + deposits - withdrawals + transfers in - partial transfers out */
rd_money rd_ledger_base(const struct rd_ledger_sums *s);
rd_money rd_ledger_surplus(const struct rd_ledger_sums *s);  /* capital - base */

/* ---- verify ---- */

/* A node as verify sees it. */
struct rd_ledger_node {
    char account[64];
    enum rd_node_state state;
    int allow_negative;               /* P&L may take its books below 0 */
    int64_t open_op;                  /* the op in progress on it; 0 = none */
};

/* A balance as the store reports it (its own sum). */
struct rd_ledger_balance {
    char book[RD_LEDGER_BOOK_MAX];
    rd_money balance;
};

#define RD_LEDGER_PROBLEMS_MAX 32
struct rd_ledger_report {
    int64_t transactions, entries, nodes;
    rd_money deposits, withdrawals, realized_pnl;   /* over every node; openings are deposits */
    size_t nproblems;                 /* all found; the first RD_LEDGER_PROBLEMS_MAX kept */
    char problems[RD_LEDGER_PROBLEMS_MAX][200];
};

/*
 * The checks of `ledger verify` that need no I/O, over every transaction (in
 * the order they were booked), every entry (grouped by transaction, in that
 * order), every node and the store's balances: each transaction is balanced;
 * every entry belongs to a transaction and every book to a node or is
 * @external/@pnl; each balance is the sum of its book's entries; a node's
 * capital = deposits (opening included) - withdrawals + realised P&L +
 * transfers in - out (reserve and release stay inside the node); no node
 * book below 0 after any transaction, except after P&L on a node with
 * allow_negative; no node in FORKING; MERGING only with an open op.
 * nodes must be sorted by account (strcmp); sums is the caller's room for
 * nnodes nodes' sums, filled in the nodes' order. Fills report; RD_OK when
 * it could check (problems or not), RD_EINVAL when nodes are not sorted.
 */
int rd_ledger_verify(const struct rd_ledger_txn *txns, size_t ntxns,
                     const struct rd_ledger_entry *entries, size_t nentries,
                     const struct rd_ledger_node *nodes, size_t nnodes,
                     const struct rd_ledger_balance *balances, size_t nbalances,
                     struct rd_ledger_sums *sums, struct rd_ledger_report *report,
                     struct rd_error *err);

#endif
