#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "riskdesk/paper_market.h"

#define M0 29383200LL /* 2025-11-13T00:00Z / 60 */

static void walk(struct rd_paper_walk *w, uint64_t seed, const char *sym, int64_t mult)
{
    rd_paper_walk_init(w, seed, sym, rd_paper_sigma_for(mult));
}

static void test_reproducible(void **state)
{
    struct rd_paper_walk a, b;

    (void)state;
    walk(&a, 42, "AAPL", 1);
    walk(&b, 42, "AAPL", 1);
    for (int64_t m = M0; m < M0 + 500; m++)
        assert_int_equal(rd_paper_price_at(&a, RD_DOLLARS(180), M0, m),
                         rd_paper_price_at(&b, RD_DOLLARS(180), M0, m));
    /* pinned values: integer-only arithmetic must give these on every machine */
    assert_int_equal(rd_paper_price_at(&a, RD_DOLLARS(180), M0, M0), RD_DOLLARS(180));
    assert_int_equal(rd_paper_draw_ppm(&a, M0 + 1), 1056122);
    /* 180 x (1 + 0.001 x 1.056122) = 180.190102, rounded to 1/10000 */
    assert_int_equal(rd_paper_price_at(&a, RD_DOLLARS(180), M0, M0 + 1), 1801901);
    assert_int_equal(rd_paper_price_at(&a, RD_DOLLARS(180), M0, M0 + 390), 1883881);
    assert_int_equal(rd_paper_quote(1883881), 1883900);
}

static void test_seed_and_symbol_change_the_walk(void **state)
{
    struct rd_paper_walk a, b, c;
    int diff_seed = 0, diff_sym = 0;

    (void)state;
    walk(&a, 42, "AAPL", 1);
    walk(&b, 43, "AAPL", 1);
    walk(&c, 42, "MSFT", 1);
    for (int64_t m = M0 + 1; m < M0 + 100; m++) {
        diff_seed += rd_paper_draw_ppm(&a, m) != rd_paper_draw_ppm(&b, m);
        diff_sym += rd_paper_draw_ppm(&a, m) != rd_paper_draw_ppm(&c, m);
    }
    assert_true(diff_seed > 95);
    assert_true(diff_sym > 95);
    assert_int_not_equal(rd_paper_price_at(&a, RD_DOLLARS(180), M0, M0 + 60),
                         rd_paper_price_at(&b, RD_DOLLARS(180), M0, M0 + 60));
}

static void test_incremental_equals_from_scratch(void **state)
{
    static const int64_t hops[] = {1, 7, 0, 60, 1, 389, 1440, 3, 10000};
    struct rd_paper_walk w;

    (void)state;
    for (int opt = 0; opt < 2; opt++) {
        rd_money p0 = opt ? 23500 : RD_DOLLARS(412) + 3300; /* $2.35 premium, $412.33 */
        int64_t minute = M0;
        rd_money price = p0;

        walk(&w, 0xfeedULL, opt ? "AAPL251219C00200000" : "SPY", opt ? 100 : 1);
        for (size_t i = 0; i < sizeof hops / sizeof hops[0]; i++) {
            price = rd_paper_advance(&w, minute, price, minute + hops[i]);
            minute += hops[i];
            assert_int_equal(price, rd_paper_price_at(&w, p0, M0, minute));
        }
    }
}

static void test_time_backwards_keeps_last_price(void **state)
{
    struct rd_paper_walk w;
    rd_money p;

    (void)state;
    walk(&w, 1, "QQQ", 1);
    p = rd_paper_advance(&w, M0, RD_DOLLARS(500), M0 + 30);
    assert_int_equal(rd_paper_advance(&w, M0 + 30, p, M0 + 10), p);
    assert_int_equal(rd_paper_advance(&w, M0 + 30, p, M0 + 30), p);
    assert_int_equal(rd_paper_price_at(&w, RD_DOLLARS(500), M0, M0 - 100), RD_DOLLARS(500));
}

static void test_floor_and_quote(void **state)
{
    struct rd_paper_walk w;
    rd_money p = RD_PAPER_PRICE_MIN;

    (void)state;
    walk(&w, 9, "PENNY250117P00001000", 100);
    for (int64_t m = M0 + 1; m < M0 + 20000; m++) {
        p = rd_paper_step(&w, p, m);
        assert_true(p >= RD_PAPER_PRICE_MIN);
        assert_int_equal(rd_paper_quote(p) % 100, 0);
        assert_true(rd_paper_quote(p) >= RD_PAPER_PRICE_MIN);
    }
    assert_int_equal(rd_paper_quote(12349), 12300);
    assert_int_equal(rd_paper_quote(12350), 12400);
    assert_int_equal(rd_paper_quote(1), 100);
    assert_int_equal(rd_paper_quote(RD_DOLLARS(5)), RD_DOLLARS(5));
    /* a price given below the floor starts at the floor */
    assert_int_equal(rd_paper_advance(&w, M0, 0, M0), RD_PAPER_PRICE_MIN);
}

static void test_draws_are_standard_normal_ish(void **state)
{
    struct rd_paper_walk w;
    double sum = 0, sq = 0;
    const int n = 200000;

    (void)state;
    walk(&w, 7, "IWM", 1);
    for (int i = 0; i < n; i++) {
        double z = (double)rd_paper_draw_ppm(&w, M0 + i) / 1e6;

        assert_true(fabs(z) <= 6.0);
        sum += z;
        sq += z * z;
    }
    assert_true(fabs(sum / n) < 0.01);
    assert_true(fabs(sqrt(sq / n - (sum / n) * (sum / n)) - 1.0) < 0.01);
}

static void test_step_size_matches_sigma(void **state)
{
    struct rd_paper_walk ws, wo;
    double s_sq = 0, o_sq = 0;
    const int n = 50000;

    (void)state;
    walk(&ws, 11, "F", 1);
    walk(&wo, 11, "F251219C00012000", 100);
    for (int i = 1; i <= n; i++) {
        rd_money p = RD_DOLLARS(100);
        double rs = (double)(rd_paper_step(&ws, p, M0 + i) - p) / (double)p;
        double ro = (double)(rd_paper_step(&wo, p, M0 + i) - p) / (double)p;

        assert_true(fabs(rs) <= 6 * 0.001 + 1e-9);
        assert_true(fabs(ro) <= 6 * 0.01 + 1e-9);
        s_sq += rs * rs;
        o_sq += ro * ro;
    }
    assert_true(fabs(sqrt(s_sq / n) - 0.001) < 0.00005);
    assert_true(fabs(sqrt(o_sq / n) - 0.01) < 0.0005);
}

static void test_minute_index(void **state)
{
    (void)state;
    assert_int_equal(rd_paper_minute(0), 0);
    assert_int_equal(rd_paper_minute(59), 0);
    assert_int_equal(rd_paper_minute(60), 1);
    assert_int_equal(rd_paper_minute(-1), -1);
    assert_int_equal(rd_paper_minute(-60), -1);
    assert_int_equal(rd_paper_minute(-61), -2);
    assert_int_equal(rd_paper_sigma_for(1), RD_PAPER_SIGMA_STOCK_PPM);
    assert_int_equal(rd_paper_sigma_for(100), RD_PAPER_SIGMA_OPTION_PPM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reproducible),
        cmocka_unit_test(test_seed_and_symbol_change_the_walk),
        cmocka_unit_test(test_incremental_equals_from_scratch),
        cmocka_unit_test(test_time_backwards_keeps_last_price),
        cmocka_unit_test(test_floor_and_quote),
        cmocka_unit_test(test_draws_are_standard_normal_ish),
        cmocka_unit_test(test_step_size_matches_sigma),
        cmocka_unit_test(test_minute_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
