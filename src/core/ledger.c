/*
 * ledger.c - the hierarchy's double-entry ledger: books, balanced
 * transactions, a node's sums, and the I/O-free checks of `ledger verify`
 * (ledger.h, docs/hierarchy.md).
 */
#include "riskdesk/ledger.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/banned.h"

__extension__ typedef __int128 i128;

static const char *const kind_names[RD_LEDGER_KIND_COUNT] = {
    "open", "deposit", "withdraw", "pnl", "reserve", "release", "fork", "merge", "partial",
};

static const char SUF_AVAILABLE[] = ":available";
static const char SUF_RESERVED[] = ":reserved";

const char *rd_ledger_kind_name(enum rd_ledger_kind k)
{
    return (unsigned)k < RD_LEDGER_KIND_COUNT ? kind_names[k] : NULL;
}

int rd_ledger_kind_parse(const char *s, enum rd_ledger_kind *out)
{
    for (int i = 0; i < RD_LEDGER_KIND_COUNT; i++)
        if (strcmp(s, kind_names[i]) == 0) {
            *out = (enum rd_ledger_kind)i;
            return RD_OK;
        }
    return RD_EINVAL;
}

int rd_ledger_book(const char *account, int reserved, char *out, size_t n, struct rd_error *err)
{
    size_t len = strlen(account);
    int w;

    if (len == 0 || len > 63 || account[0] == '@' || strchr(account, ':'))
        return rd_error_set(err, RD_EINVAL, "account \"%.64s\": expected 1 to 63 characters, "
                            "no ':' and not starting with '@'", account);
    w = snprintf(out, n, "%s%s", account, reserved ? SUF_RESERVED : SUF_AVAILABLE);
    if (w < 0 || (size_t)w >= n)
        return rd_error_set(err, RD_EINVAL, "account \"%.64s\": book name too long", account);
    return RD_OK;
}

int rd_ledger_book_split(const char *book, char *account, size_t n, int *reserved)
{
    const char *colon = strchr(book, ':');
    size_t len;

    if (!colon || book[0] == '@' || colon == book)
        return RD_EINVAL;
    len = (size_t)(colon - book);
    if (strcmp(colon, SUF_AVAILABLE) == 0)
        *reserved = 0;
    else if (strcmp(colon, SUF_RESERVED) == 0)
        *reserved = 1;
    else
        return RD_EINVAL;
    if (len > 63 || len >= n)
        return RD_EINVAL;
    memcpy(account, book, len);
    account[len] = '\0';
    return RD_OK;
}

static int book_ok(const char *book)
{
    char acct[64];
    int reserved;

    if (strcmp(book, RD_LEDGER_EXTERNAL) == 0 || strcmp(book, RD_LEDGER_PNL) == 0)
        return 1;
    return rd_ledger_book_split(book, acct, sizeof acct, &reserved) == RD_OK;
}

int rd_ledger_balanced(const struct rd_ledger_entry *e, size_t n, const char *where,
                       struct rd_error *err)
{
    i128 sum = 0;

    if (n < 2)
        return rd_error_set(err, RD_EINVAL, "%s: %zu entries; a transaction needs at least 2",
                            where, n);
    for (size_t i = 0; i < n; i++) {
        if (!book_ok(e[i].book))
            return rd_error_set(err, RD_EINVAL, "%s: entry %zu: book \"%.80s\": expected "
                                "NAME:available, NAME:reserved, @external or @pnl", where, i + 1,
                                e[i].book);
        if (e[i].amount == 0 || e[i].amount > RD_MONEY_MAX || e[i].amount < -RD_MONEY_MAX)
            return rd_error_set(err, RD_EINVAL, "%s: entry %zu (%.80s): amount 0 or out of range",
                                where, i + 1, e[i].book);
        sum += e[i].amount;
    }
    if (sum != 0) {
        char m[32];

        rd_money_format((rd_money)sum, m, sizeof m);
        return rd_error_set(err, RD_EINVAL, "%s: entries sum to %s, expected exactly 0", where, m);
    }
    return RD_OK;
}

static void entry_set(struct rd_ledger_entry *e, const char *book, rd_money amount)
{
    memset(e, 0, sizeof *e);
    snprintf(e->book, sizeof e->book, "%s", book);
    e->amount = amount;
}

int rd_ledger_flow(enum rd_ledger_kind kind, const char *account, rd_money amount,
                   struct rd_ledger_entry e[2], struct rd_error *err)
{
    char book[RD_LEDGER_BOOK_MAX];
    const char *other = RD_LEDGER_EXTERNAL;
    rd_money to_node = amount;
    int rc = rd_ledger_book(account, 0, book, sizeof book, err);

    if (rc)
        return rc;
    if (amount == 0 || amount > RD_MONEY_MAX || amount < -RD_MONEY_MAX)
        return rd_error_set(err, RD_EINVAL, "amount: expected a nonzero amount in range");
    switch (kind) {
    case RD_LEDGER_OPEN:
    case RD_LEDGER_DEPOSIT:
        break;
    case RD_LEDGER_WITHDRAW:
        to_node = -amount;
        break;
    case RD_LEDGER_PNL_KIND:
        other = RD_LEDGER_PNL;
        break;
    default:
        return rd_error_set(err, RD_EINVAL, "%s is not a movement to or from outside",
                            rd_ledger_kind_name(kind) ? rd_ledger_kind_name(kind) : "?");
    }
    if (kind != RD_LEDGER_PNL_KIND && amount < 0)
        return rd_error_set(err, RD_EINVAL, "amount: expected > 0");
    entry_set(&e[0], book, to_node);
    entry_set(&e[1], other, -to_node);
    return RD_OK;
}

int rd_ledger_same(const struct rd_ledger_txn *a, const struct rd_ledger_entry *ea, size_t na,
                   const struct rd_ledger_txn *b, const struct rd_ledger_entry *eb, size_t nb)
{
    if (a->kind != b->kind || na != nb || strcmp(a->why, b->why) != 0)
        return 0;
    for (size_t i = 0; i < na; i++)
        if (ea[i].amount != eb[i].amount || strcmp(ea[i].book, eb[i].book) != 0)
            return 0;
    return 1;
}

/* ---- sums ---- */

static int add(rd_money *to, rd_money v, struct rd_error *err)
{
    i128 r = (i128)*to + v;

    if (r > RD_MONEY_MAX || r < -RD_MONEY_MAX)
        return rd_error_set(err, RD_EINVAL, "a sum leaves the money range");
    *to = (rd_money)r;
    return RD_OK;
}

int rd_ledger_sums_add(struct rd_ledger_sums *s, enum rd_ledger_kind kind,
                       const struct rd_ledger_entry *e, struct rd_error *err)
{
    char acct[64];
    int reserved, rc;

    if (rd_ledger_book_split(e->book, acct, sizeof acct, &reserved) != RD_OK)
        return rd_error_set(err, RD_EINVAL, "book \"%.80s\" is not a node's", e->book);
    rc = add(reserved ? &s->reserved : &s->available, e->amount, err);
    if (rc)
        return rc;
    switch (kind) {
    case RD_LEDGER_OPEN:
        return add(&s->opening, e->amount, err);
    case RD_LEDGER_DEPOSIT:
        return add(&s->deposits, e->amount, err);
    case RD_LEDGER_WITHDRAW:
        return add(&s->withdrawals, -e->amount, err);
    case RD_LEDGER_PNL_KIND:
        return add(&s->pnl, e->amount, err);
    case RD_LEDGER_FORK:
    case RD_LEDGER_MERGE:
        return add(e->amount > 0 ? &s->transfers_in : &s->transfers_out,
                   e->amount > 0 ? e->amount : -e->amount, err);
    case RD_LEDGER_PARTIAL:
        return add(e->amount > 0 ? &s->transfers_in : &s->partial_out,
                   e->amount > 0 ? e->amount : -e->amount, err);
    case RD_LEDGER_RELEASE:
        /* cost moves inside the node; what its legs net to is the exit's P&L
         * (verify holds a release to one node's books and @pnl) */
        return add(&s->pnl, e->amount, err);
    default:   /* reserve: inside the node */
        return RD_OK;
    }
}

int rd_ledger_fill(const char *account, rd_money cost, rd_money proceeds_or_neg,
                   struct rd_ledger_entry e[4], size_t *n, struct rd_error *err)
{
    char avail[RD_LEDGER_BOOK_MAX], resv[RD_LEDGER_BOOK_MAX];
    rd_money pnl;
    int rc;

    *n = 0;
    if ((rc = rd_ledger_book(account, 0, avail, sizeof avail, err)) != RD_OK ||
        (rc = rd_ledger_book(account, 1, resv, sizeof resv, err)) != RD_OK)
        return rc;
    if (cost <= 0 || cost > RD_MONEY_MAX)
        return rd_error_set(err, RD_EINVAL, "ledger: fill of %s: cost must be above 0", account);
    if (proceeds_or_neg < 0) {           /* an entry: available -> reserved */
        entry_set(&e[0], avail, -cost);
        entry_set(&e[1], resv, cost);
        *n = 2;
        return RD_OK;
    }
    if (proceeds_or_neg > RD_MONEY_MAX)
        return rd_error_set(err, RD_EINVAL, "ledger: exit of %s: proceeds out of range", account);
    entry_set(&e[0], resv, -cost);
    entry_set(&e[1], avail, cost);
    *n = 2;
    pnl = proceeds_or_neg - cost;
    if (pnl != 0) {
        entry_set(&e[2], RD_LEDGER_PNL, -pnl);
        entry_set(&e[3], avail, pnl);
        *n = 4;
    }
    return RD_OK;
}

rd_money rd_ledger_release_cost(rd_money open_cost, int64_t qty, int64_t held)
{
    if (qty >= held || held <= 0)
        return open_cost;
    return rd_muldiv(open_cost, qty, held);
}

rd_money rd_ledger_capital(const struct rd_ledger_sums *s)
{
    return s->available + s->reserved;
}

rd_money rd_ledger_base(const struct rd_ledger_sums *s)
{
    return s->opening + s->deposits - s->withdrawals + s->transfers_in - s->partial_out;
}

rd_money rd_ledger_surplus(const struct rd_ledger_sums *s)
{
    return rd_ledger_capital(s) - rd_ledger_base(s);
}

/* ---- verify ---- */

static void problem(struct rd_ledger_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void problem(struct rd_ledger_report *r, const char *fmt, ...)
{
    va_list ap;

    if (r->nproblems < RD_LEDGER_PROBLEMS_MAX) {
        va_start(ap, fmt);
        vsnprintf(r->problems[r->nproblems], sizeof r->problems[0], fmt, ap);
        va_end(ap);
    }
    r->nproblems++;
}

/* The node of a book (nodes sorted by account), or -1. */
static long find_node(const struct rd_ledger_node *nodes, size_t n, const char *book,
                      int *reserved)
{
    char acct[64];
    size_t lo = 0, hi = n;

    if (rd_ledger_book_split(book, acct, sizeof acct, reserved) != RD_OK)
        return -1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(acct, nodes[mid].account);

        if (c == 0)
            return (long)mid;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

/* A reserve moves money between one node's books only; a release between
 * one node's books and @pnl (its P&L). */
static void verify_fill_shape(const struct rd_ledger_txn *t, const struct rd_ledger_entry *e,
                              size_t n, const char *where, struct rd_ledger_report *r)
{
    char first[64] = "", acct[64];
    int reserved;

    if (t->kind != RD_LEDGER_RESERVE && t->kind != RD_LEDGER_RELEASE)
        return;
    for (size_t i = 0; i < n; i++) {
        if (t->kind == RD_LEDGER_RELEASE && !strcmp(e[i].book, RD_LEDGER_PNL))
            continue;
        if (rd_ledger_book_split(e[i].book, acct, sizeof acct, &reserved) != RD_OK ||
            (first[0] && strcmp(first, acct))) {
            problem(r, "%s: a %s moves money between one node's books%s only, not %.80s", where,
                    rd_ledger_kind_name(t->kind),
                    t->kind == RD_LEDGER_RELEASE ? " and @pnl" : "", e[i].book);
            return;
        }
        snprintf(first, sizeof first, "%s", acct);
    }
}

/* Checks one transaction's entries e[0..n) and adds them to the node sums. */
static void verify_txn(const struct rd_ledger_txn *t, const struct rd_ledger_entry *e, size_t n,
                       const struct rd_ledger_node *nodes, size_t nnodes,
                       struct rd_ledger_sums *sums, struct rd_ledger_report *r)
{
    char where[200];
    struct rd_error err = {0};
    int reserved;

    snprintf(where, sizeof where, "transaction %lld (%.60s)", (long long)t->id, t->key);
    if ((unsigned)t->kind >= RD_LEDGER_KIND_COUNT)
        problem(r, "%s: unknown kind", where);
    if (rd_ledger_balanced(e, n, where, &err) != RD_OK)
        problem(r, "%s", err.msg);
    verify_fill_shape(t, e, n, where, r);
    for (size_t i = 0; i < n; i++) {
        long k;

        if (e[i].book[0] == '@')
            continue;
        k = find_node(nodes, nnodes, e[i].book, &reserved);
        if (k < 0) {
            problem(r, "%s: book \"%.80s\" is no node's", where, e[i].book);
            continue;
        }
        if (rd_ledger_sums_add(&sums[k], t->kind, &e[i], &err) != RD_OK)
            problem(r, "%s: %s", where, err.msg);
    }
    /* after the transaction: no node book of it below 0 (P&L on allow_negative aside) */
    for (size_t i = 0; i < n; i++) {
        long k = e[i].book[0] == '@' ? -1 : find_node(nodes, nnodes, e[i].book, &reserved);
        rd_money bal;

        if (k < 0)
            continue;
        bal = reserved ? sums[k].reserved : sums[k].available;
        if (bal < 0 && !(t->kind == RD_LEDGER_PNL_KIND && nodes[k].allow_negative)) {
            char m[32];

            rd_money_format(bal, m, sizeof m);
            problem(r, "%s: leaves %s at %s (below 0)", where, e[i].book, m);
        }
    }
}

static void verify_node(const struct rd_ledger_node *nd, const struct rd_ledger_sums *s,
                        struct rd_ledger_report *r)
{
    i128 want = (i128)s->opening + s->deposits - s->withdrawals + s->pnl +
                    s->transfers_in - s->transfers_out - s->partial_out;

    if ((i128)rd_ledger_capital(s) != want) {
        char a[32], b[32];

        rd_money_format(rd_ledger_capital(s), a, sizeof a);
        rd_money_format((rd_money)want, b, sizeof b);
        problem(r, "node %s: capital %s, but deposits - withdrawals + P&L + transfers = %s",
                nd->account, a, b);
    }
    if (nd->state == RD_NODE_FORKING)
        problem(r, "node %s: in FORKING outside a fork", nd->account);
    if (nd->state == RD_NODE_MERGING && nd->open_op == 0)
        problem(r, "node %s: in MERGING with no open consolidation", nd->account);
    if (nd->state == RD_NODE_CLOSED && rd_ledger_capital(s) != 0) {
        char a[32];

        rd_money_format(rd_ledger_capital(s), a, sizeof a);
        problem(r, "node %s: CLOSED with capital %s (a consolidation moves all of it out "
                   "before it closes a node)", nd->account, a);
    }
}

/* Each reported balance against the sums of its book's entries. */
static void verify_balances(const struct rd_ledger_node *nodes, size_t nnodes,
                            const struct rd_ledger_sums *sums, const struct rd_ledger_entry *e,
                            size_t ne, const struct rd_ledger_balance *b, size_t nb,
                            struct rd_ledger_report *r)
{
    for (size_t i = 0; i < nb; i++) {
        int reserved;
        long k = find_node(nodes, nnodes, b[i].book, &reserved);
        i128 sum = 0;
        char a[32], c[32];

        if (k >= 0) {
            sum = reserved ? sums[k].reserved : sums[k].available;
        } else {
            for (size_t j = 0; j < ne; j++)
                if (strcmp(e[j].book, b[i].book) == 0)
                    sum += e[j].amount;
        }
        if (sum != (i128)b[i].balance) {
            rd_money_format(b[i].balance, a, sizeof a);
            rd_money_format((rd_money)sum, c, sizeof c);
            problem(r, "book %s: balance %s, but its entries sum to %s", b[i].book, a, c);
        }
    }
}

int rd_ledger_verify(const struct rd_ledger_txn *txns, size_t ntxns,
                     const struct rd_ledger_entry *entries, size_t nentries,
                     const struct rd_ledger_node *nodes, size_t nnodes,
                     const struct rd_ledger_balance *balances, size_t nbalances,
                     struct rd_ledger_sums *sums, struct rd_ledger_report *report,
                     struct rd_error *err)
{
    size_t j = 0;

    memset(report, 0, sizeof *report);
    for (size_t i = 1; i < nnodes; i++)
        if (strcmp(nodes[i - 1].account, nodes[i].account) >= 0)
            return rd_error_set(err, RD_EINVAL, "ledger verify: nodes not sorted by account");
    memset(sums, 0, nnodes * sizeof *sums);
    report->transactions = (int64_t)ntxns;
    report->entries = (int64_t)nentries;
    report->nodes = (int64_t)nnodes;
    for (size_t i = 0; i < ntxns; i++) {
        size_t first = j;

        while (j < nentries && entries[j].txn == txns[i].id)
            j++;
        verify_txn(&txns[i], entries + first, j - first, nodes, nnodes, sums, report);
    }
    for (; j < nentries; j++)
        problem(report, "entry of %s in transaction %lld, which is not in the ledger or out of "
                "order", entries[j].book, (long long)entries[j].txn);
    for (size_t k = 0; k < nnodes; k++) {
        verify_node(&nodes[k], &sums[k], report);
        report->deposits += sums[k].opening + sums[k].deposits;
        report->withdrawals += sums[k].withdrawals;
        report->realized_pnl += sums[k].pnl;
    }
    verify_balances(nodes, nnodes, sums, entries, nentries, balances, nbalances, report);
    return RD_OK;
}
