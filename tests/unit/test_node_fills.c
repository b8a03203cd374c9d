/* A node's fills in its ledger on a real SQLite store (node_fills.h): an
 * entry reserves, exits release what the entries cost to the last 1/10,000
 * (a position closed in three parts), a fill booked again books nothing, an
 * exit without an entry is refused, and a malformed open-cost document is
 * named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "riskdesk/kv.h"
#include "riskdesk/node_fills.h"

static struct rd_store *S;
static const struct rd_hier_actor BY = {"test", 1795188600};

static int setup(void **state)
{
    struct rd_error err = {0};
    struct rd_account_config a;
    struct rd_hier_view v;

    (void)state;
    assert_int_equal(rd_store_open("sqlite::memory:", &S, &err), RD_OK);
    memset(&a, 0, sizeof a);
    snprintf(a.name, sizeof a.name, "g1");
    a.broker = RD_BROKER_PAPER;
    a.starting_cash = RD_DOLLARS(10000);
    assert_int_equal(rd_hier_init(S, &a, RD_NODE_GEN, &BY, &v, &err), RD_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rd_store_close(S);
    return 0;
}

/* Books one fill in its own transaction; returns rd_node_fill_book's code. */
static int book(const char *cid, int entry, int64_t qty, rd_money price, int *booked,
                struct rd_error *err)
{
    struct rd_node_fill f = {"g1", cid, "AAPL", entry, qty, 1, price};
    int rc = S->ops->begin(S, err);

    assert_int_equal(rc, RD_OK);
    rc = rd_node_fill_book(S, &f, &BY, booked, err);
    if (rc == RD_OK)
        assert_int_equal(S->ops->commit(S, err), RD_OK);
    else
        S->ops->rollback(S);
    return rc;
}

static void expect_books(rd_money available, rd_money reserved, rd_money pnl)
{
    struct rd_error err = {0};
    struct rd_hier_view v;
    rd_money cost;
    size_t n;

    assert_int_equal(rd_hier_view_get(S, "g1", &v, &err), RD_OK);
    assert_int_equal(v.sums.available, available);
    assert_int_equal(v.sums.reserved, reserved);
    assert_int_equal(v.sums.pnl, pnl);
    assert_int_equal(rd_node_open_cost(S, "g1", &cost, &n, &err), RD_OK);
    assert_int_equal(cost, reserved);
}

static void test_reserve_release_in_parts(void **state)
{
    struct rd_error err = {0};
    int booked;

    (void)state;
    /* 3 shares at 33.3333 and 1 at 33.3334: cost 133.3333 */
    assert_int_equal(book("e1", 1, 3, 333333, &booked, &err), RD_OK);
    assert_int_equal(booked, 1);
    assert_int_equal(book("e2", 1, 1, 333334, &booked, &err), RD_OK);
    expect_books(RD_DOLLARS(10000) - 1333333, 1333333, 0);
    /* the same fill again: nothing booked */
    assert_int_equal(book("e2", 1, 1, 333334, &booked, &err), RD_OK);
    assert_int_equal(booked, 0);
    expect_books(RD_DOLLARS(10000) - 1333333, 1333333, 0);
    /* sell 1 of 4 at 40: releases 133.3333 / 4 = 33.3333 (down), P&L 6.6667 */
    assert_int_equal(book("x1", 0, 1, RD_DOLLARS(40), &booked, &err), RD_OK);
    expect_books(RD_DOLLARS(10000) - 1333333 + RD_DOLLARS(40), 1000000, 66667);
    /* sell 2 of 3 at 30: releases 66.6666, P&L -6.6666 */
    assert_int_equal(book("x2", 0, 2, RD_DOLLARS(30), &booked, &err), RD_OK);
    expect_books(RD_DOLLARS(10000) - 1333333 + RD_DOLLARS(100), 333334, 1);
    /* the last: everything left, 33.3334, at 33.3334: no P&L legs */
    assert_int_equal(book("x3", 0, 1, 333334, &booked, &err), RD_OK);
    expect_books(RD_DOLLARS(10000) + 1, 0, 1);
    /* an exit of a position the ledger never reserved: refused, nothing written */
    assert_int_equal(book("x4", 0, 1, RD_DOLLARS(10), &booked, &err), RD_ESTORE);
    assert_non_null(strstr(err.msg, "node g1: an exit of AAPL, but kv node_cost/g1 has no open cost"));
    expect_books(RD_DOLLARS(10000) + 1, 0, 1);
}

static void test_bad_document(void **state)
{
    struct rd_error err = {0};
    rd_money cost;
    size_t n;

    (void)state;
    assert_int_equal(S->ops->trading->kv_put(S, "node_cost", "g1", "AAPL 3 12x\n", RD_KV_REPLACE,
                                             &err), RD_OK);
    assert_int_equal(rd_node_open_cost(S, "g1", &cost, &n, &err), RD_ESTORE);
    assert_non_null(strstr(err.msg, "kv node_cost/g1 line 1: malformed line"));
    assert_int_equal(S->ops->trading->kv_put(S, "node_cost", "g1", "AAPL 3 100\nMSFT 0 5\n",
                                             RD_KV_REPLACE, &err), RD_OK);
    assert_int_equal(rd_node_open_cost(S, "g1", &cost, &n, &err), RD_ESTORE);
    assert_non_null(strstr(err.msg, "line 2: QTY or COST not above 0"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reserve_release_in_parts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_document, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
