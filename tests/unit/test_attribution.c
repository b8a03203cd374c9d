/* Attribution over a subtree (attribution.h), against figures worked by
 * hand: a root of 10,000 that earns 500, then 200 while 500 is withdrawn,
 * and a child opened with 5,000 on day 1 that earns 100 on day 2. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "riskdesk/attribution.h"

#define EPS 1e-12

static const rd_money EQ[2][3] = {
    {RD_DOLLARS(10000), RD_DOLLARS(10500), RD_DOLLARS(10200)},
    {0, RD_DOLLARS(5000), RD_DOLLARS(5100)},
};
static const rd_money FL[2][3] = {
    {0, 0, -RD_DOLLARS(500)},
    {0, RD_DOLLARS(5000), 0},
};

static void test_two_nodes(void **state)
{
    struct rd_attr_input in = {2, 3, &EQ[0][0], &FL[0][0]};
    struct rd_attr_day d[6];
    struct rd_attr_node n[2];
    struct rd_attr_total tot;
    double sub[3];
    struct rd_error err = {0};

    (void)state;
    assert_int_equal(rd_attr_compute(&in, d, n, sub, &tot, &err), RD_OK);
    /* day 1: the root makes 500 on 10,000; the child opens (no return) */
    assert_int_equal(d[1].pnl, RD_DOLLARS(500));
    assert_true(d[1].has_return);
    assert_float_equal(d[1].ret, 0.05, EPS);
    assert_int_equal(d[4].pnl, 0);
    assert_false(d[4].has_return);
    assert_float_equal(sub[1], 0.05, EPS);
    /* day 2: the root 200 net of the 500 withdrawn, (10,200 + 500) / 10,500 - 1;
     * the child 100 on 5,000; weights 10,500 and 5,000 of 15,500 */
    assert_int_equal(d[2].pnl, RD_DOLLARS(200));
    assert_float_equal(d[2].ret, 200.0 / 10500, EPS);
    assert_float_equal(d[5].ret, 0.02, EPS);
    assert_float_equal(d[2].contribution, 200.0 / 15500, EPS);
    assert_float_equal(d[5].contribution, 100.0 / 15500, EPS);
    assert_float_equal(sub[2], 300.0 / 15500, EPS);
    assert_float_equal(d[2].contribution + d[5].contribution, sub[2], EPS);
    /* over both days: P&L = dE - sum F; the subtree's return compounds its days */
    assert_int_equal(n[0].pnl, RD_DOLLARS(700));
    assert_int_equal(n[1].pnl, RD_DOLLARS(100));
    assert_int_equal(tot.pnl, RD_DOLLARS(800));
    assert_float_equal(n[0].ret, 0.07, EPS);
    assert_float_equal(n[1].ret, 0.02, EPS);
    assert_float_equal(tot.ret, 1090.0 / 15500, EPS);
    /* contributions linked by day 1's growth add up to it */
    assert_float_equal(n[0].contribution, 0.05 + 210.0 / 15500, EPS);
    assert_float_equal(n[1].contribution, 105.0 / 15500, EPS);
    assert_float_equal(n[0].contribution + n[1].contribution, tot.ret, EPS);
    /* risk: cov(c_i, R) / var(R): 575/475 and -100/475, summing to 1 */
    assert_float_equal(n[0].risk_share, 575.0 / 475, 1e-9);
    assert_float_equal(n[1].risk_share, -100.0 / 475, 1e-9);
}

static void test_one_day_shares(void **state)
{
    struct rd_attr_input in = {2, 2, NULL, NULL};
    const rd_money eq[4] = {RD_DOLLARS(300), RD_DOLLARS(330), RD_DOLLARS(100), RD_DOLLARS(110)};
    const rd_money fl[4] = {0, 0, 0, 0};
    struct rd_attr_day d[4];
    struct rd_attr_node n[2];
    struct rd_attr_total tot;
    double sub[2];
    struct rd_error err = {0};

    (void)state;
    in.equity = eq;
    in.flow = fl;
    assert_int_equal(rd_attr_compute(&in, d, n, sub, &tot, &err), RD_OK);
    /* one day: no variance to share, so the last day's equity: 330 and 110 of 440 */
    assert_float_equal(n[0].risk_share, 0.75, EPS);
    assert_float_equal(n[1].risk_share, 0.25, EPS);
    assert_float_equal(tot.ret, 0.1, EPS);
    /* only the base day: nothing to attribute */
    in.ndays = 1;
    assert_int_equal(rd_attr_compute(&in, d, n, sub, &tot, &err), RD_OK);
    assert_int_equal(tot.pnl, 0);
    assert_float_equal(tot.ret, 0, EPS);
    in.ndays = 0;
    assert_int_equal(rd_attr_compute(&in, d, n, sub, &tot, &err), RD_EINVAL);
}

static void test_overflow(void **state)
{
    const rd_money eq[2] = {-RD_MONEY_MAX, RD_MONEY_MAX};
    const rd_money fl[2] = {0, 0};
    struct rd_attr_input in = {1, 2, eq, fl};
    struct rd_attr_day d[2];
    struct rd_attr_node n[1];
    struct rd_attr_total tot;
    double sub[2];
    struct rd_error err = {0};

    (void)state;
    assert_int_equal(rd_attr_compute(&in, d, n, sub, &tot, &err), RD_EINVAL);
}

static void test_fill_equity(void **state)
{
    rd_money e[5] = {0, RD_DOLLARS(5000), 0, 0, RD_DOLLARS(5300)};
    const unsigned char known[5] = {0, 1, 0, 0, 1};
    const rd_money f[5] = {RD_DOLLARS(100), 0, RD_DOLLARS(200), 0, 0};

    (void)state;
    rd_attr_fill_equity(e, known, f, 5);
    assert_int_equal(e[0], RD_DOLLARS(100));     /* what came in by day 0 */
    assert_int_equal(e[1], RD_DOLLARS(5000));    /* a snapshot */
    assert_int_equal(e[2], RD_DOLLARS(5200));    /* carried, with the day's flow */
    assert_int_equal(e[3], RD_DOLLARS(5200));
    assert_int_equal(e[4], RD_DOLLARS(5300));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_nodes), cmocka_unit_test(test_one_day_shares),
        cmocka_unit_test(test_overflow),  cmocka_unit_test(test_fill_equity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
