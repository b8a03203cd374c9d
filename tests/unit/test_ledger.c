/*
 * test_ledger.c - the ledger's core: books, balanced transactions, the
 * movements to and from outside, a node's capital, base and surplus, and
 * each check of `ledger verify` over rows handed to it, each one broken on
 * purpose.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "riskdesk/ledger.h"

#define M(d) ((rd_money)(d) * RD_MONEY_SCALE)

static void test_books(void **state)
{
    char b[RD_LEDGER_BOOK_MAX], acct[64], long_name[80];
    struct rd_error err = {0};
    int reserved = -1;

    (void)state;
    assert_int_equal(rd_ledger_book("g1", 0, b, sizeof b, &err), RD_OK);
    assert_string_equal(b, "g1:available");
    assert_int_equal(rd_ledger_book("g1", 1, b, sizeof b, &err), RD_OK);
    assert_string_equal(b, "g1:reserved");
    assert_int_equal(rd_ledger_book_split("g1.f1:reserved", acct, sizeof acct, &reserved), RD_OK);
    assert_string_equal(acct, "g1.f1");
    assert_int_equal(reserved, 1);
    assert_int_equal(rd_ledger_book_split("@external", acct, sizeof acct, &reserved), RD_EINVAL);
    assert_int_equal(rd_ledger_book_split("g1:cash", acct, sizeof acct, &reserved), RD_EINVAL);
    assert_int_equal(rd_ledger_book("@x", 0, b, sizeof b, &err), RD_EINVAL);
    assert_int_equal(rd_ledger_book("a:b", 0, b, sizeof b, &err), RD_EINVAL);
    memset(long_name, 'a', 64);
    long_name[64] = '\0';
    assert_int_equal(rd_ledger_book(long_name, 0, b, sizeof b, &err), RD_EINVAL);
    long_name[63] = '\0';
    assert_int_equal(rd_ledger_book(long_name, 1, b, sizeof b, &err), RD_OK);
}

static void entry(struct rd_ledger_entry *e, int64_t txn, const char *book, rd_money amount)
{
    memset(e, 0, sizeof *e);
    e->txn = txn;
    snprintf(e->book, sizeof e->book, "%s", book);
    e->amount = amount;
}

static void test_balanced(void **state)
{
    struct rd_ledger_entry e[3];
    struct rd_error err = {0};

    (void)state;
    entry(&e[0], 1, "g1:available", M(5));
    entry(&e[1], 1, "@external", -M(5));
    assert_int_equal(rd_ledger_balanced(e, 2, "t", &err), RD_OK);
    assert_int_equal(rd_ledger_balanced(e, 1, "t", &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "at least 2"));
    e[1].amount = -M(5) + 1;
    assert_int_equal(rd_ledger_balanced(e, 2, "t", &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "sum to 0.0001"));
    entry(&e[1], 1, "@external", -M(5));
    entry(&e[2], 1, "@pnl", 0);
    assert_int_equal(rd_ledger_balanced(e, 3, "t", &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "amount 0"));
    entry(&e[1], 1, "@elsewhere", -M(5));
    assert_int_equal(rd_ledger_balanced(e, 2, "t", &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "@elsewhere"));
}

static void test_flows(void **state)
{
    struct rd_ledger_entry e[2];
    struct rd_error err = {0};

    (void)state;
    assert_int_equal(rd_ledger_flow(RD_LEDGER_DEPOSIT, "g1", M(7), e, &err), RD_OK);
    assert_string_equal(e[0].book, "g1:available");
    assert_int_equal(e[0].amount, M(7));
    assert_string_equal(e[1].book, "@external");
    assert_int_equal(e[1].amount, -M(7));
    assert_int_equal(rd_ledger_flow(RD_LEDGER_WITHDRAW, "g1", M(7), e, &err), RD_OK);
    assert_int_equal(e[0].amount, -M(7));
    assert_int_equal(e[1].amount, M(7));
    assert_int_equal(rd_ledger_flow(RD_LEDGER_PNL_KIND, "g1", -M(2), e, &err), RD_OK);
    assert_int_equal(e[0].amount, -M(2));
    assert_string_equal(e[1].book, "@pnl");
    assert_int_equal(rd_ledger_flow(RD_LEDGER_DEPOSIT, "g1", -M(7), e, &err), RD_EINVAL);
    assert_int_equal(rd_ledger_flow(RD_LEDGER_WITHDRAW, "g1", 0, e, &err), RD_EINVAL);
    assert_int_equal(rd_ledger_flow(RD_LEDGER_FORK, "g1", M(1), e, &err), RD_EINVAL);
}

static void test_same(void **state)
{
    struct rd_ledger_txn a = {.kind = RD_LEDGER_DEPOSIT}, b = {.kind = RD_LEDGER_DEPOSIT};
    struct rd_ledger_entry ea[2], eb[2];
    struct rd_error err = {0};

    (void)state;
    rd_ledger_flow(RD_LEDGER_DEPOSIT, "g1", M(7), ea, &err);
    rd_ledger_flow(RD_LEDGER_DEPOSIT, "g1", M(7), eb, &err);
    eb[0].txn = eb[1].txn = 9;   /* ids do not count */
    assert_true(rd_ledger_same(&a, ea, 2, &b, eb, 2));
    rd_ledger_flow(RD_LEDGER_DEPOSIT, "g1", M(8), eb, &err);
    assert_false(rd_ledger_same(&a, ea, 2, &b, eb, 2));
    rd_ledger_flow(RD_LEDGER_DEPOSIT, "g2", M(7), eb, &err);
    assert_false(rd_ledger_same(&a, ea, 2, &b, eb, 2));
    rd_ledger_flow(RD_LEDGER_DEPOSIT, "g1", M(7), eb, &err);
    b.kind = RD_LEDGER_OPEN;
    assert_false(rd_ledger_same(&a, ea, 2, &b, eb, 2));
    b.kind = RD_LEDGER_DEPOSIT;
    snprintf(b.why, sizeof b.why, "other");
    assert_false(rd_ledger_same(&a, ea, 2, &b, eb, 2));
}

static void test_capital_base_surplus(void **state)
{
    struct rd_ledger_sums s = {0};
    struct rd_ledger_entry e;
    struct rd_error err = {0};

    (void)state;
    entry(&e, 1, "g1:available", M(10000));
    assert_int_equal(rd_ledger_sums_add(&s, RD_LEDGER_OPEN, &e, &err), RD_OK);
    entry(&e, 2, "g1:available", M(500));
    rd_ledger_sums_add(&s, RD_LEDGER_DEPOSIT, &e, &err);
    entry(&e, 3, "g1:available", -M(200));
    rd_ledger_sums_add(&s, RD_LEDGER_WITHDRAW, &e, &err);
    entry(&e, 4, "g1:available", M(100000) + 1);
    rd_ledger_sums_add(&s, RD_LEDGER_PNL_KIND, &e, &err);
    entry(&e, 5, "g1:available", -M(300));
    rd_ledger_sums_add(&s, RD_LEDGER_RESERVE, &e, &err);
    entry(&e, 5, "g1:reserved", M(300));
    rd_ledger_sums_add(&s, RD_LEDGER_RESERVE, &e, &err);
    entry(&e, 6, "g1:available", -M(1000));
    rd_ledger_sums_add(&s, RD_LEDGER_PARTIAL, &e, &err);
    entry(&e, 7, "g1:available", M(50));
    rd_ledger_sums_add(&s, RD_LEDGER_MERGE, &e, &err);

    assert_int_equal(s.reserved, M(300));
    assert_int_equal(s.withdrawals, M(200));
    assert_int_equal(s.partial_out, M(1000));
    assert_int_equal(s.transfers_in, M(50));
    /* 10,000 + 500 - 200 + 100,000.0001 - 1,000 + 50 */
    assert_int_equal(rd_ledger_capital(&s), M(109350) + 1);
    assert_int_equal(rd_ledger_base(&s), M(10000 + 500 - 200 + 50 - 1000));
    assert_int_equal(rd_ledger_surplus(&s), M(100000) + 1);
    entry(&e, 8, "@pnl", 1);
    assert_int_equal(rd_ledger_sums_add(&s, RD_LEDGER_PNL_KIND, &e, &err), RD_EINVAL);
    entry(&e, 8, "g1:available", RD_MONEY_MAX);
    assert_int_equal(rd_ledger_sums_add(&s, RD_LEDGER_PNL_KIND, &e, &err), RD_EINVAL);
}

/* ---- verify: a clean ledger, then each rule broken ---- */

struct book {
    struct rd_ledger_txn t[8];
    struct rd_ledger_entry e[24];
    struct rd_ledger_node n[3];
    struct rd_ledger_balance b[6];
    size_t nt, ne, nn, nb;
};

static void txn(struct book *k, enum rd_ledger_kind kind, const char *a, rd_money amount)
{
    struct rd_ledger_txn *t = &k->t[k->nt++];
    struct rd_error err = {0};

    memset(t, 0, sizeof *t);
    t->id = (int64_t)k->nt;
    t->kind = kind;
    snprintf(t->key, sizeof t->key, "k%zu", k->nt);
    assert_int_equal(rd_ledger_flow(kind, a, amount, &k->e[k->ne], &err), RD_OK);
    k->e[k->ne].txn = k->e[k->ne + 1].txn = t->id;
    k->ne += 2;
}

static void node(struct book *k, const char *a, enum rd_node_state st)
{
    struct rd_ledger_node *n = &k->n[k->nn++];

    memset(n, 0, sizeof *n);
    snprintf(n->account, sizeof n->account, "%s", a);
    n->state = st;
}

static void clean(struct book *k)
{
    memset(k, 0, sizeof *k);
    node(k, "g1", RD_NODE_ACTIVE);
    node(k, "g2", RD_NODE_SAFE);
    txn(k, RD_LEDGER_OPEN, "g1", M(10000));
    txn(k, RD_LEDGER_OPEN, "g2", M(20000));
    txn(k, RD_LEDGER_DEPOSIT, "g1", M(500));
    txn(k, RD_LEDGER_WITHDRAW, "g2", M(700));
    txn(k, RD_LEDGER_PNL_KIND, "g1", -M(300));
    snprintf(k->b[0].book, sizeof k->b[0].book, "g1:available");
    k->b[0].balance = M(10200);
    snprintf(k->b[1].book, sizeof k->b[1].book, "@external");
    k->b[1].balance = -M(10000 + 20000 + 500 - 700);
    snprintf(k->b[2].book, sizeof k->b[2].book, "@pnl");
    k->b[2].balance = M(300);
    k->nb = 3;
}

static void run(const struct book *k, struct rd_ledger_report *r)
{
    struct rd_ledger_sums sums[3];
    struct rd_error err = {0};

    assert_int_equal(rd_ledger_verify(k->t, k->nt, k->e, k->ne, k->n, k->nn, k->b, k->nb, sums, r,
                                      &err), RD_OK);
}

static void expect_problem(const struct book *k, const char *what)
{
    struct rd_ledger_report r;

    run(k, &r);
    assert_true(r.nproblems >= 1);
    if (!strstr(r.problems[0], what))
        fail_msg("problem \"%s\" does not say \"%s\"", r.problems[0], what);
}

static void expect_any_problem(const struct book *k, const char *what)
{
    struct rd_ledger_report r;

    run(k, &r);
    for (size_t i = 0; i < r.nproblems && i < RD_LEDGER_PROBLEMS_MAX; i++)
        if (strstr(r.problems[i], what))
            return;
    fail_msg("no problem says \"%s\" (%zu problems)", what, r.nproblems);
}

static void test_verify_clean(void **state)
{
    struct book k;
    struct rd_ledger_report r;

    (void)state;
    clean(&k);
    run(&k, &r);
    for (size_t i = 0; i < r.nproblems; i++)
        print_message("problem: %s\n", r.problems[i]);
    assert_int_equal(r.nproblems, 0);
    assert_int_equal(r.transactions, 5);
    assert_int_equal(r.entries, 10);
    assert_int_equal(r.nodes, 2);
    assert_int_equal(r.deposits, M(30500));
    assert_int_equal(r.withdrawals, M(700));
    assert_int_equal(r.realized_pnl, -M(300));
}

static void test_verify_unbalanced(void **state)
{
    struct book k;

    (void)state;
    clean(&k);
    k.e[4].amount += 1;     /* the deposit's node leg, edited */
    k.b[0].balance += 1;
    expect_problem(&k, "sum to 0.0001");
}

static void test_verify_balance_mismatch(void **state)
{
    struct book k;

    (void)state;
    clean(&k);
    k.b[2].balance = M(301);
    expect_problem(&k, "book @pnl: balance 301");
    clean(&k);
    k.b[0].balance = M(1);
    expect_problem(&k, "book g1:available");
}

static void test_verify_capital(void **state)
{
    struct book k;

    (void)state;
    clean(&k);
    /* a reserve that does not stay inside the node: capital moves with no deposit */
    k.t[k.nt] = (struct rd_ledger_txn){.id = 6, .kind = RD_LEDGER_RESERVE};
    k.nt++;
    k.e[k.ne++] = (struct rd_ledger_entry){.txn = 6, .book = "g1:reserved", .amount = M(5)};
    k.e[k.ne++] = (struct rd_ledger_entry){.txn = 6, .book = "@external", .amount = -M(5)};
    k.nb = 0;
    expect_problem(&k, "transaction 6 (): a reserve moves money between one node's books only, "
                       "not @external");
    expect_any_problem(&k, "node g1: capital 10205.00, but deposits - withdrawals + P&L + "
                           "transfers = 10200.00");
}

static void test_verify_negative(void **state)
{
    struct book k;
    struct rd_ledger_report r;

    (void)state;
    clean(&k);
    k.nb = 0;
    txn(&k, RD_LEDGER_WITHDRAW, "g1", M(10201));        /* a transfer below 0 */
    expect_problem(&k, "leaves g1:available at -1.00");

    clean(&k);
    k.nb = 0;
    txn(&k, RD_LEDGER_PNL_KIND, "g1", -M(10201));       /* a loss below 0 */
    expect_problem(&k, "below 0");
    k.n[0].allow_negative = 1;                          /* admitted for P&L */
    run(&k, &r);
    assert_int_equal(r.nproblems, 0);
    txn(&k, RD_LEDGER_WITHDRAW, "g1", M(1));            /* never for a transfer */
    expect_problem(&k, "below 0");
}

static void test_verify_states(void **state)
{
    struct book k;
    struct rd_ledger_report r;

    (void)state;
    clean(&k);
    k.n[0].state = RD_NODE_FORKING;
    expect_problem(&k, "node g1: in FORKING");
    clean(&k);
    k.n[1].state = RD_NODE_MERGING;
    expect_problem(&k, "node g2: in MERGING with no open");
    k.n[1].open_op = 4;
    run(&k, &r);
    assert_int_equal(r.nproblems, 0);
    /* a closed node holds nothing: money left in it (or moved into it) is a problem */
    clean(&k);
    k.n[1].state = RD_NODE_CLOSED;
    expect_problem(&k, "node g2: CLOSED with capital");
}

static void test_verify_orphans(void **state)
{
    struct book k;
    struct rd_error err = {0};
    struct rd_ledger_sums sums[3];
    struct rd_ledger_report r;

    (void)state;
    clean(&k);
    k.nb = 0;
    txn(&k, RD_LEDGER_DEPOSIT, "zz", M(1));             /* a book of no node */
    expect_problem(&k, "\"zz:available\" is no node's");
    clean(&k);
    k.e[k.ne++] = (struct rd_ledger_entry){.txn = 99, .book = "@pnl", .amount = 1};
    expect_problem(&k, "transaction 99, which is not in the ledger");
    clean(&k);
    k.nt = 4;      /* the last transaction's row gone, its entries left */
    k.ne = 8;
    k.e[k.ne++] = (struct rd_ledger_entry){.txn = 5, .book = "g1:available", .amount = -M(300)};
    k.nb = 0;
    expect_problem(&k, "transaction 5");
    clean(&k);
    k.n[0] = k.n[1];
    snprintf(k.n[1].account, sizeof k.n[1].account, "a");
    assert_int_equal(rd_ledger_verify(k.t, k.nt, k.e, k.ne, k.n, k.nn, k.b, k.nb, sums, &r, &err),
                     RD_EINVAL);
}

static void test_verify_many_problems(void **state)
{
    struct book k;
    struct rd_ledger_report r;

    (void)state;
    memset(&k, 0, sizeof k);
    node(&k, "g1", RD_NODE_ACTIVE);
    for (int i = 0; i < 8; i++) {
        txn(&k, RD_LEDGER_DEPOSIT, "g1", M(1));
        k.e[k.ne - 1].amount = -M(2);     /* each unbalanced */
    }
    run(&k, &r);
    assert_int_equal(r.nproblems, 8);
}

/* ---- fills: reserve on an entry, release with P&L on an exit ---- */

static void fill_txn(struct book *k, enum rd_ledger_kind kind, const struct rd_ledger_entry *e,
                     size_t n)
{
    struct rd_ledger_txn *t = &k->t[k->nt++];

    memset(t, 0, sizeof *t);
    t->id = (int64_t)k->nt;
    t->kind = kind;
    snprintf(t->key, sizeof t->key, "fill%zu", k->nt);
    for (size_t i = 0; i < n; i++) {
        k->e[k->ne] = e[i];
        k->e[k->ne++].txn = t->id;
    }
}

static void test_fill_entries(void **state)
{
    struct rd_ledger_entry e[4];
    struct rd_error err = {0};
    size_t n;

    (void)state;
    /* an entry of 2,000.00: available -> reserved */
    assert_int_equal(rd_ledger_fill("g1", M(2000), -1, e, &n, &err), RD_OK);
    assert_int_equal(n, 2);
    assert_string_equal(e[0].book, "g1:available");
    assert_int_equal(e[0].amount, -M(2000));
    assert_string_equal(e[1].book, "g1:reserved");
    assert_int_equal(e[1].amount, M(2000));
    /* an exit releasing 2,000.00 for 2,089.40: 89.40 of P&L from @pnl */
    assert_int_equal(rd_ledger_fill("g1", M(2000), M(2089) + 4000, e, &n, &err), RD_OK);
    assert_int_equal(n, 4);
    assert_string_equal(e[0].book, "g1:reserved");
    assert_int_equal(e[0].amount, -M(2000));
    assert_string_equal(e[1].book, "g1:available");
    assert_int_equal(e[1].amount, M(2000));
    assert_string_equal(e[2].book, "@pnl");
    assert_int_equal(e[2].amount, -(M(89) + 4000));
    assert_string_equal(e[3].book, "g1:available");
    assert_int_equal(e[3].amount, M(89) + 4000);
    assert_int_equal(rd_ledger_balanced(e, n, "exit", &err), RD_OK);
    /* a loss: the P&L legs turn round */
    assert_int_equal(rd_ledger_fill("g1", M(2000), M(1500), e, &n, &err), RD_OK);
    assert_int_equal(e[2].amount, M(500));
    assert_int_equal(e[3].amount, -M(500));
    /* no P&L: no P&L legs (an entry is never 0) */
    assert_int_equal(rd_ledger_fill("g1", M(2000), M(2000), e, &n, &err), RD_OK);
    assert_int_equal(n, 2);
    assert_int_equal(rd_ledger_fill("g1", 0, M(5), e, &n, &err), RD_EINVAL);
    assert_int_equal(rd_ledger_fill("g1", M(1), RD_MONEY_MAX + 1, e, &n, &err), RD_EINVAL);
}

static void test_release_cost(void **state)
{
    (void)state;
    assert_int_equal(rd_ledger_release_cost(M(2000), 20, 20), M(2000));
    assert_int_equal(rd_ledger_release_cost(M(2000), 25, 20), M(2000));
    /* a third of 100.00 is 33.3333, rounded down; the rest goes with the last exit */
    assert_int_equal(rd_ledger_release_cost(M(100), 1, 3), 333333);
    assert_int_equal(rd_ledger_release_cost(M(100) - 333333, 1, 2), 333333);
    assert_int_equal(rd_ledger_release_cost(M(100) - 666666, 1, 1), 333334);
}

static void test_verify_fills(void **state)
{
    struct rd_ledger_entry e[4];
    struct rd_ledger_report r;
    struct rd_ledger_sums sums[3];
    struct rd_error err = {0};
    struct book k;
    size_t n;

    (void)state;
    clean(&k);
    k.nb = 0;
    assert_int_equal(rd_ledger_fill("g1", M(2000), -1, e, &n, &err), RD_OK);
    fill_txn(&k, RD_LEDGER_RESERVE, e, n);
    assert_int_equal(rd_ledger_fill("g1", M(1500), M(1400), e, &n, &err), RD_OK);   /* -100 */
    fill_txn(&k, RD_LEDGER_RELEASE, e, n);
    assert_int_equal(rd_ledger_verify(k.t, k.nt, k.e, k.ne, k.n, k.nn, k.b, k.nb, sums, &r, &err),
                     RD_OK);
    if (r.nproblems)
        fail_msg("%s", r.problems[0]);
    /* g1: 10,000 + 500 - 300 (pnl) - 100 (the exit) = 10,100; 500 still reserved */
    assert_int_equal(sums[0].pnl, -M(400));
    assert_int_equal(sums[0].reserved, M(500));
    assert_int_equal(sums[0].available, M(9600));
    assert_int_equal(r.realized_pnl, -M(400));
    /* a release paying one node's P&L into another node's book */
    snprintf(k.e[k.ne - 1].book, sizeof k.e[0].book, "g2:available");
    run(&k, &r);
    assert_true(r.nproblems >= 1);
    if (!strstr(r.problems[0], "a release moves money between one node's books and @pnl only, "
                               "not g2:available"))
        fail_msg("%s", r.problems[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_books),
        cmocka_unit_test(test_balanced),
        cmocka_unit_test(test_flows),
        cmocka_unit_test(test_same),
        cmocka_unit_test(test_capital_base_surplus),
        cmocka_unit_test(test_verify_clean),
        cmocka_unit_test(test_verify_unbalanced),
        cmocka_unit_test(test_verify_balance_mismatch),
        cmocka_unit_test(test_verify_capital),
        cmocka_unit_test(test_verify_negative),
        cmocka_unit_test(test_verify_states),
        cmocka_unit_test(test_verify_orphans),
        cmocka_unit_test(test_verify_many_problems),
        cmocka_unit_test(test_fill_entries),
        cmocka_unit_test(test_release_cost),
        cmocka_unit_test(test_verify_fills),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
