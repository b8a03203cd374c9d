/* test_trade_stats.c - closed-trade statistics against hand-worked values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>

#include "riskdesk/trade_stats.h"

#define T(d, o, c) {RD_DOLLARS(d), (o), (c)}

static void test_ordinary(void **state)
{
    /* wins 100, 50, 30; losses -40, -20; one scratch; days 10..40 */
    const struct rd_trade t[] = {
        T(100, 10, 12), T(-40, 11, 15), T(50, 20, 21), T(0, 22, 22), T(-20, 25, 30), T(30, 35, 40),
    };
    struct rd_trade_stats s;

    (void)state;
    rd_trade_stats_compute(t, 6, &s);
    assert_int_equal(s.trades, 6);
    assert_int_equal(s.wins, 3);
    assert_int_equal(s.losses, 2);
    assert_int_equal(s.scratches, 1);
    assert_int_equal(s.gross_profit, RD_DOLLARS(180));
    assert_int_equal(s.gross_loss, RD_DOLLARS(-60));
    assert_int_equal(s.net, RD_DOLLARS(120));
    assert_int_equal(s.average_win, RD_DOLLARS(60));
    assert_int_equal(s.average_loss, RD_DOLLARS(-30));
    assert_int_equal(s.largest_win, RD_DOLLARS(100));
    assert_int_equal(s.largest_loss, RD_DOLLARS(-40));
    assert_true(s.win_rate == 0.5);
    assert_true(s.profit_factor == 3.0);
    assert_true(s.payoff_ratio == 2.0);
    assert_true(s.span_days == 31.0);
    assert_true(fabs(s.trades_per_year - 6 / (31 / 365.25)) < 1e-12);
}

static void test_all_wins_all_losses(void **state)
{
    const struct rd_trade w[] = {T(10, 1, 1), T(20, 2, 2)};
    const struct rd_trade l[] = {T(-10, 1, 1), T(-20, 1, 3)};
    struct rd_trade_stats s;

    (void)state;
    rd_trade_stats_compute(w, 2, &s);
    assert_true(s.win_rate == 1.0);
    assert_true(isinf(s.profit_factor) && s.profit_factor > 0);
    assert_int_equal(s.largest_loss, 0);
    assert_int_equal(s.average_loss, 0);
    rd_trade_stats_compute(l, 2, &s);
    assert_true(s.win_rate == 0.0);
    assert_true(s.profit_factor == 0.0);
    assert_int_equal(s.largest_win, 0);
    assert_int_equal(s.largest_loss, RD_DOLLARS(-20));
    assert_int_equal(s.average_loss, RD_DOLLARS(-15));
    assert_true(s.span_days == 3.0);
}

static void test_empty_flat_one(void **state)
{
    const struct rd_trade z[] = {T(0, 5, 5), T(0, 6, 6)};
    const struct rd_trade one[] = {T(7, 100, 100)};
    struct rd_trade_stats s;

    (void)state;
    rd_trade_stats_compute(NULL, 0, &s);
    assert_int_equal(s.trades, 0);
    assert_true(isnan(s.win_rate) && isnan(s.profit_factor) && isnan(s.trades_per_year));
    rd_trade_stats_compute(z, 2, &s);
    assert_int_equal(s.scratches, 2);
    assert_true(s.win_rate == 0.0);
    assert_true(isnan(s.profit_factor));
    rd_trade_stats_compute(one, 1, &s);
    assert_true(s.span_days == 1.0);
    assert_true(s.trades_per_year == 365.25);
    assert_int_equal(s.average_win, RD_DOLLARS(7));
}

static void test_rounding_and_saturation(void **state)
{
    /* 1 + 2 ten-thousandths over 2 wins: 1.5 rounds away from zero to 2 */
    const struct rd_trade r[] = {{1, 0, 0}, {2, 0, 0}, {-1, 0, 0}, {-2, 0, 0}};
    const struct rd_trade big[] = {{RD_MONEY_MAX, 0, 0}, {INT64_MAX, 0, 0}};
    struct rd_trade_stats s;

    (void)state;
    rd_trade_stats_compute(r, 4, &s);
    assert_int_equal(s.average_win, 2);
    assert_int_equal(s.average_loss, -2);
    rd_trade_stats_compute(big, 2, &s);
    assert_int_equal(s.gross_profit, INT64_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ordinary),
        cmocka_unit_test(test_all_wins_all_losses),
        cmocka_unit_test(test_empty_flat_one),
        cmocka_unit_test(test_rounding_and_saturation),
    };

    return cmocka_run_group_tests_name("trade_stats", tests, NULL, NULL);
}
