#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "riskdesk/money.h"

static int64_t parse(const char *s, int places, int expect_rc)
{
    struct rd_error err = {0};
    int64_t v = 12345;
    int rc = rd_decimal_parse(s, strlen(s), places, &v, &err);

    assert_int_equal(rc, expect_rc);
    if (rc != RD_OK)
        assert_true(strstr(err.msg, "not a valid decimal") != NULL);
    return v;
}

static void test_parse_exact(void **state)
{
    (void)state;
    assert_int_equal(parse("262113.632", 4, RD_OK), 2621136320LL);
    assert_int_equal(parse("-23140.2", 4, RD_OK), -231402000LL);
    assert_int_equal(parse("0.0084", 4, RD_OK), 84);
    assert_int_equal(parse("5", 4, RD_OK), 50000);
    assert_int_equal(parse("+7.", 4, RD_OK), 70000);
    assert_int_equal(parse(".5", 4, RD_OK), 5000);
    assert_int_equal(parse("0.15", 6, RD_OK), 150000);
    assert_int_equal(parse("1804", 4, RD_OK), RD_DOLLARS(1804));
}

static void test_parse_rounding_half_even(void **state)
{
    (void)state;
    /* "122011.09751111286868" from a broker: digits past 4 places round */
    assert_int_equal(parse("122011.09751111286868", 4, RD_OK), 1220110975LL);
    assert_int_equal(parse("0.00005", 4, RD_OK), 0);    /* tie, even stays */
    assert_int_equal(parse("0.00015", 4, RD_OK), 2);    /* tie, odd rounds up */
    assert_int_equal(parse("0.000051", 4, RD_OK), 1);   /* above tie */
    assert_int_equal(parse("-0.00015", 4, RD_OK), -2);
}

static void test_parse_rejects(void **state)
{
    (void)state;
    parse("", 4, RD_EINVAL);
    parse("-", 4, RD_EINVAL);
    parse(".", 4, RD_EINVAL);
    parse("1.2.3", 4, RD_EINVAL);
    parse("1e3", 4, RD_EINVAL);
    parse(" 1", 4, RD_EINVAL);
    parse("1,000", 4, RD_EINVAL);
    parse("99999999999999999999", 4, RD_ETOOBIG);
}

static void test_format(void **state)
{
    char b[32];

    (void)state;
    rd_money_format(RD_DOLLARS(1804), b, sizeof b);
    assert_string_equal(b, "1804.00");
    rd_money_format(-231402051LL, b, sizeof b);
    assert_string_equal(b, "-23140.2051");
    rd_money_format(-5, b, sizeof b);
    assert_string_equal(b, "-0.0005");
    rd_ppm_format(150000, b, sizeof b);
    assert_string_equal(b, "0.15");
    rd_ppm_format(2 * RD_PPM, b, sizeof b);
    assert_string_equal(b, "2");
    assert_int_equal(rd_money_format(RD_DOLLARS(1804), b, 4), 7);   /* cut, length reported */
}

static void test_from_double(void **state)
{
    int64_t v;

    (void)state;
    assert_int_equal(rd_decimal_from_double(0.15, 6, &v, NULL), RD_OK);
    assert_int_equal(v, 150000);
    assert_int_equal(rd_decimal_from_double(209000.0, 4, &v, NULL), RD_OK);
    assert_int_equal(v, RD_DOLLARS(209000));
    assert_int_equal(rd_decimal_from_double(1e-7, 6, &v, NULL), RD_OK);
    assert_int_equal(v, 0);
    assert_int_equal(rd_decimal_from_double(1e300, 4, &v, NULL), RD_ETOOBIG);
}

static void test_muldiv(void **state)
{
    (void)state;
    assert_int_equal(rd_money_mul_ppm(RD_DOLLARS(209000), 10000), RD_DOLLARS(2090));
    assert_int_equal(rd_muldiv(INT64_MAX, 3, 1), INT64_MAX);
    assert_int_equal(rd_muldiv(INT64_MIN, 3, 1), INT64_MIN);
    assert_int_equal(rd_muldiv(7, 1, 2), 3);
    assert_int_equal(rd_muldiv(-7, 1, 2), -3);
}

/* rd_decimal_format against the same text made with snprintf: signs, extremes,
 * every places and min_places, trimmed zeros, and buffers that cut it short. */
static void test_format_matches_snprintf(void **state)
{
    static const int64_t vals[] = {0, 1, -1, 9, 10, 99999, -100000, 1234567, -7654321000,
                                   INT64_MAX, INT64_MIN + 1, INT64_MIN, 1000000000000000000};

    (void)state;
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        for (int places = 0; places <= RD_DECIMAL_PLACES_MAX; places++)
            for (int minp = 0; minp <= places; minp++) {
                uint64_t mag = vals[i] < 0 ? (uint64_t)0 - (uint64_t)vals[i] : (uint64_t)vals[i];
                uint64_t scale = 1;
                char frac[16], want[64], got[64];
                int nf = places, wn, gn;

                for (int k = 0; k < places; k++)
                    scale *= 10;
                snprintf(frac, sizeof frac, "%0*llu", places,
                         (unsigned long long)(places ? mag % scale : 0));
                while (nf > minp && frac[nf - 1] == '0')
                    nf--;
                frac[nf] = '\0';
                wn = snprintf(want, sizeof want, "%s%llu%s%s", vals[i] < 0 ? "-" : "",
                              (unsigned long long)(mag / scale), nf ? "." : "", frac);
                gn = rd_decimal_format(vals[i], places, minp, got, sizeof got);
                assert_int_equal(gn, wn);
                assert_string_equal(got, want);
                for (size_t n = 0; n < 6; n++) {        /* cut short: snprintf's prefix */
                    char small[8] = "zzzzzzz";

                    size_t k = n && (size_t)wn < n - 1 ? (size_t)wn : n ? n - 1 : 0;

                    assert_int_equal(rd_decimal_format(vals[i], places, minp, small, n), wn);
                    if (n) {
                        assert_memory_equal(small, want, k);
                        assert_int_equal(small[k], '\0');
                    }
                    for (size_t j = n ? k + 1 : 0; j < 7; j++)
                        assert_int_equal(small[j], 'z');        /* nothing past the end */
                }
            }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_exact),
        cmocka_unit_test(test_parse_rounding_half_even),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_matches_snprintf),
        cmocka_unit_test(test_from_double),
        cmocka_unit_test(test_muldiv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
