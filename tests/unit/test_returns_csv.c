/* test_returns_csv.c - the return CSV reader: formats, values, grouping,
 * every kind of bad input (with its line), allocation failures, alignment
 * and the number parser against strtod. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "riskdesk/alloc.h"
#include "riskdesk/metrics.h"
#include "riskdesk/returns_csv.h"

static int parse(const char *text, struct rd_returns_set *s, struct rd_error *err)
{
    return rd_returns_csv_parse(text, strlen(text), "t.csv", s, err);
}

static void expect_error(const char *text, const char *needle)
{
    struct rd_returns_set s;
    struct rd_error err = {0};

    assert_int_equal(parse(text, &s, &err), RD_EINVAL);
    if (!strstr(err.msg, needle)) {
        print_error("message '%s' lacks '%s'\n", err.msg, needle);
        fail();
    }
    assert_null(s.returns);
}

static void test_single_series(void **state)
{
    struct rd_returns_set s;
    struct rd_error err = {0};

    (void)state;
    assert_int_equal(parse("\xEF\xBB\xBF" "Date,Return\r\n2024-01-02,0.01\r\n2024-01-03,\r\n"
                           "2024-01-04, NaN \r\n\r\n2024-01-05,-2.5e-3\r\n2024-01-08,-1",
                           &s, &err), RD_OK);
    assert_int_equal(s.multi, 0);
    assert_int_equal(s.naccounts, 1);
    assert_int_equal(s.nrows, 5);
    assert_string_equal(s.names[0], "");
    assert_true(s.returns[0] == 0.01);
    assert_true(isnan(s.returns[1]) && isnan(s.returns[2]));
    assert_true(s.returns[3] == -0.0025);
    assert_true(s.returns[4] == -1.0);   /* -100%: the lowest a return can be */
    assert_int_equal(s.days[0], rd_days_from_civil(2024, 1, 2));
    assert_int_equal(s.offset[1], 5);
    rd_returns_set_release(&s);
    /* header only: one empty series */
    assert_int_equal(parse("date,return\n", &s, &err), RD_OK);
    assert_int_equal(s.naccounts, 1);
    assert_int_equal(s.nrows, 0);
    rd_returns_set_release(&s);
}

static void test_values_become_returns(void **state)
{
    struct rd_returns_set s;
    struct rd_error err = {0};

    (void)state;
    assert_int_equal(parse("date,value\n2024-01-01,100\n2024-01-02,110\n2024-01-03,\n"
                           "2024-01-04,99\n", &s, &err), RD_OK);
    assert_int_equal(s.from_values, 1);
    assert_int_equal(s.nrows, 3);
    assert_int_equal(s.days[0], rd_days_from_civil(2024, 1, 2));
    assert_true(fabs(s.returns[0] - 0.1) < 1e-15);
    assert_true(isnan(s.returns[1]));
    assert_true(fabs(s.returns[2] - (99.0 / 110.0 - 1)) < 1e-15);     /* against the last value */
    rd_returns_set_release(&s);
}

static void test_accounts_grouped_and_interleaved(void **state)
{
    const char *inter = "date,account,return\n"
                        "2024-01-02,A,0.01\n2024-01-02,B,0.02\n2024-01-02,C,0.03\n"
                        "2024-01-03,A,0.04\n2024-01-03,B,0.05\n"
                        "2024-01-04,C,0.06\n2024-01-04,A,0.07\n";
    const char *grouped = "date,account,value\n"
                          "2024-01-02,X,100\n2024-01-03,X,101\n2024-01-02,Y,50\n2024-01-03,Y,40\n";
    struct rd_returns_set s;
    struct rd_error err = {0};

    (void)state;
    assert_int_equal(parse(inter, &s, &err), RD_OK);
    assert_int_equal(s.multi, 1);
    assert_int_equal(s.naccounts, 3);
    assert_string_equal(s.names[0], "A");
    assert_string_equal(s.names[2], "C");
    assert_int_equal(s.offset[1] - s.offset[0], 3);
    assert_true(s.returns[s.offset[0] + 2] == 0.07);
    assert_true(s.returns[s.offset[1] + 1] == 0.05);
    assert_true(s.returns[s.offset[2] + 1] == 0.06);
    assert_int_equal(s.days[s.offset[2] + 1], rd_days_from_civil(2024, 1, 4));
    rd_returns_set_release(&s);
    assert_int_equal(parse(grouped, &s, &err), RD_OK);
    assert_int_equal(s.naccounts, 2);
    assert_int_equal(s.nrows, 2);
    assert_true(fabs(s.returns[0] - 0.01) < 1e-15);
    assert_true(fabs(s.returns[1] - (-0.2)) < 1e-15);
    rd_returns_set_release(&s);
}

static void test_bad_input_names_the_line(void **state)
{
    (void)state;
    expect_error("", "t.csv:1: empty input");
    expect_error("date,return\n2024-01-01,0.1\n2024-01-02,-inf\n", "t.csv:3: return '-inf' is not finite");
    expect_error("date,return\n2024-01-01,1e999\n", "t.csv:2: return '1e999' is not finite");
    expect_error("date,return\n2024-01-01,-1.0001\n", "t.csv:2: return '-1.0001' is below -1");
    expect_error("date,value\n2024-01-01,1\n2024-01-02,0\n", "t.csv:3: value '0' is not above zero");
    expect_error("day,return\n2024-01-01,0.1\n", "t.csv:1: expected the header");
    expect_error("date,account\n", ":1: expected the header");
    expect_error("date,return\n2024-01-01,0.1\n2024-01-02\n", "t.csv:3: expected 2 columns");
    expect_error("date,return\n2024-01-01,0.1,7\n", ":2: expected 2 columns (date,return), got more than 2");
    expect_error("date,account,return\n2024-01-01,0.1\n", ":2: expected 3 columns");
    expect_error("date,return\n2024-13-01,0.1\n", ":2: bad date '2024-13-01'");
    expect_error("date,return\n2023-02-29,0.1\n", ":2: bad date");
    expect_error("date,return\n01/02/2024,0.1\n", ":2: bad date '01/02/2024'");
    expect_error("date,return\n2024-01-01,abc\n", ":2: return 'abc' is not a number");
    expect_error("date,return\n2024-01-01,1.2.3\n", ":2: return '1.2.3' is not a number");
    expect_error("date,return\n2024-01-01,0x10\n", "is not a number");
    expect_error("date,value\n2024-01-01,12$\n", ":2: value '12$' is not a number");
    expect_error("date,return\n2024-01-02,0.1\n2024-01-01,0.2\n",
                 ":3: dates not sorted: 2024-01-01 comes after 2024-01-02 on line 2");
    expect_error("date,return\n2024-01-02,0.1\n2024-01-02,0.2\n",
                 ":3: duplicate date 2024-01-02 (already on line 2)");
    expect_error("date,account,return\n2024-01-02,A,0.1\n2024-01-02,B,0.1\n2024-01-02,A,0.2\n",
                 ":4: duplicate date 2024-01-02 for account 'A' (already on line 2)");
    expect_error("date,account,return\n2024-01-02,,0.1\n", ":2: empty account name");
}

static void test_alloc_failures(void **state)
{
    const char *text = "date,account,return\n2024-01-02,A,0.01\n2024-01-02,B,0.02\n"
                       "2024-01-03,A,0.03\n2024-01-03,B,0.04\n";
    struct rd_returns_set s;
    struct rd_error err = {0};
    int ok = 0;

    (void)state;
    for (long nth = 1; nth < 64 && !ok; nth++) {
        int rc;

        rd_alloc_fail_after(nth);
        rc = parse(text, &s, &err);
        rd_alloc_fail_after(0);
        if (rc == RD_OK) {
            ok = 1;
            assert_int_equal(s.nrows, 4);
        } else {
            assert_int_equal(rc, RD_ENOMEM);
        }
        rd_returns_set_release(&s);
    }
    assert_true(ok);
    /* the same through the threaded parse (chunks, merge, serial fallback) */
    ok = 0;
    for (long nth = 1; nth < 200 && !ok; nth++) {
        int rc;

        rd_alloc_fail_after(nth);
        rc = rd_returns_csv_parse_mt(text, strlen(text), "t.csv", 3, &s, &err);
        rd_alloc_fail_after(0);
        if (rc == RD_OK) {
            ok = 1;
            assert_int_equal(s.nrows, 4);
            assert_int_equal(s.naccounts, 2);
        } else {
            assert_int_equal(rc, RD_ENOMEM);
        }
        rd_returns_set_release(&s);
    }
    assert_true(ok);
}

static void test_align(void **state)
{
    const int32_t days[] = {1, 2, 4, 7};
    const int32_t bdays[] = {0, 2, 3, 4, 8};
    const double bret[] = {0.5, 0.02, 0.03, 0.04, 0.08};
    double out[4];

    (void)state;
    rd_returns_align(days, 4, bdays, bret, 5, out);
    assert_true(isnan(out[0]));
    assert_true(out[1] == 0.02);
    assert_true(out[2] == 0.04);
    assert_true(isnan(out[3]));
}

static void test_number_parser_matches_strtod(void **state)
{
    const char *fixed[] = {"0", "-0", "1", "0.1", "-0.0123456789", "123456789012345",
                           "1234567890123456789", "0.30000000000000004", "1e-5", "2.5E+3",
                           ".5", "5.", "+0.25", "1e-320", "9007199254740993", "1e300",
                           "0.000000000000000000000000001", "4.9406564584124654e-324"};
    char buf[64];
    double v;

    (void)state;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        assert_int_equal(rd_returns_parse_number(fixed[i], strlen(fixed[i]), &v), 0);
        assert_true(v == strtod(fixed[i], NULL));
    }
    srand(7);
    for (int i = 0; i < 200000; i++) {
        double x = ((double)rand() / RAND_MAX - 0.5) * pow(10.0, rand() % 12 - 8);
        int digits = 1 + rand() % 19;

        snprintf(buf, sizeof buf, "%.*g", digits, x);
        assert_int_equal(rd_returns_parse_number(buf, strlen(buf), &v), 0);
        if (v != strtod(buf, NULL)) {
            print_error("'%s': %.17g vs %.17g\n", buf, v, strtod(buf, NULL));
            fail();
        }
    }
    assert_int_equal(rd_returns_parse_number("", 0, &v), 0);
    assert_true(isnan(v));
    assert_int_equal(rd_returns_parse_number("nan", 3, &v), 0);
    assert_true(isnan(v));
    assert_int_equal(rd_returns_parse_number("-Infinity", 9, &v), 0);
    assert_true(isinf(v) && v < 0);
    assert_int_equal(rd_returns_parse_number("1e", 2, &v), -1);
    assert_int_equal(rd_returns_parse_number("-", 1, &v), -1);
    assert_int_equal(rd_returns_parse_number(".", 1, &v), -1);
    assert_int_equal(rd_returns_parse_number("nanx", 4, &v), -1);
    assert_int_equal(rd_returns_parse_number("1 2", 3, &v), -1);
}

static void test_read_file(void **state)
{
    char path[] = "/tmp/rd_test_returns_XXXXXX";
    int fd = mkstemp(path);
    FILE *f;
    struct rd_returns_set s;
    struct rd_error err = {0};

    (void)state;
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    fputs("date,return\n2024-01-02,0.01\n2024-01-03,oops\n", f);
    fclose(f);
    assert_int_equal(rd_returns_csv_read(path, &s, &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, ":3: return 'oops' is not a number"));
    assert_non_null(strstr(err.msg, path));
    remove(path);
    assert_int_equal(rd_returns_csv_read("/nonexistent/x.csv", &s, &err), RD_ENOTFOUND);
    assert_non_null(strstr(err.msg, "/nonexistent/x.csv: cannot open"));
}

static void same_sets(const struct rd_returns_set *a, const struct rd_returns_set *b)
{
    assert_int_equal(a->naccounts, b->naccounts);
    assert_int_equal(a->nrows, b->nrows);
    assert_int_equal(a->multi, b->multi);
    for (size_t i = 0; i < a->naccounts; i++) {
        assert_string_equal(a->names[i], b->names[i]);
        assert_int_equal(a->offset[i + 1], b->offset[i + 1]);
    }
    for (size_t i = 0; i < a->nrows; i++) {
        assert_int_equal(a->days[i], b->days[i]);
        assert_true(a->returns[i] == b->returns[i] ||
                    (isnan(a->returns[i]) && isnan(b->returns[i])));
    }
}

/* the multi-threaded parse gives the serial result, and the serial errors */
static void test_parallel_parse(void **state)
{
    char *text = malloc(1 << 20), *p = text;
    const char *kinds[] = {"return", "value"};
    struct rd_returns_set s1, s2;
    struct rd_error e1 = {0}, e2 = {0};

    (void)state;
    assert_non_null(text);
    for (int k = 0; k < 2; k++) {
        p = text;
        p += snprintf(p, 64, "date,account,%s\n", kinds[k]);
        for (int d = 0; d < 300; d++)
            for (int a = 0; a < 37; a++) {
                int32_t day = rd_days_from_civil(2020, 1, 1) + d;
                int y, m, dd;

                rd_civil_from_days(day, &y, &m, &dd);
                if ((a * 7 + d) % 53 == 0)
                    p += snprintf(p, 64, "%04d-%02d-%02d,A%d,NaN\n", y, m, dd, a);
                else
                    p += snprintf(p, 64, "%04d-%02d-%02d,A%d,%.17g\n", y, m, dd, a,
                                  k ? 100.0 + a + d * 0.37 : (a - 18) * 1e-3 + d * 1e-5);
            }
        assert_int_equal(rd_returns_csv_parse_mt(text, (size_t)(p - text), "t", 1, &s1, &e1), RD_OK);
        for (int t = 2; t <= 5; t++) {
            assert_int_equal(rd_returns_csv_parse_mt(text, (size_t)(p - text), "t", t, &s2, &e2),
                             RD_OK);
            same_sets(&s1, &s2);
            rd_returns_set_release(&s2);
        }
        rd_returns_set_release(&s1);
    }
    /* an error late in the file, and an account whose dates go back across chunks */
    memcpy(p, "2020-12-01,A3,oops\n", 19);
    assert_int_equal(rd_returns_csv_parse_mt(text, (size_t)(p - text) + 19, "t", 1, &s1, &e1),
                     RD_EINVAL);
    assert_int_equal(rd_returns_csv_parse_mt(text, (size_t)(p - text) + 19, "t", 4, &s2, &e2),
                     RD_EINVAL);
    assert_string_equal(e1.msg, e2.msg);
    memcpy(p, "2020-01-05,A3,0.1\n", 18);
    assert_int_equal(rd_returns_csv_parse_mt(text, (size_t)(p - text) + 18, "t", 3, &s2, &e2),
                     RD_EINVAL);
    assert_non_null(strstr(e2.msg, "dates not sorted"));
    assert_int_equal(rd_returns_csv_parse_mt("date,return\n", 12, "t", 3, &s2, &e2), RD_OK);
    assert_int_equal(s2.naccounts, 1);
    rd_returns_set_release(&s2);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_series),
        cmocka_unit_test(test_values_become_returns),
        cmocka_unit_test(test_accounts_grouped_and_interleaved),
        cmocka_unit_test(test_bad_input_names_the_line),
        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_align),
        cmocka_unit_test(test_number_parser_matches_strtod),
        cmocka_unit_test(test_read_file),
        cmocka_unit_test(test_parallel_parse),
    };

    return cmocka_run_group_tests_name("returns_csv", tests, NULL, NULL);
}
