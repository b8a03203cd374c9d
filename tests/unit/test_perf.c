/*
 * test_perf.c - the pure parts of performance (perf.h): Student's t and the
 * incomplete beta against mpmath (tests/tools/ttest_ref.py ->
 * tests/data/perf/ttest_cases.txt) and closed forms, Welch's t-test,
 * correlation, returns from snapshots, alerts at their exact thresholds,
 * the retention's roll-up on hand-made dates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "riskdesk/calendar.h"
#include "riskdesk/perf.h"

#define D(y, m, d) rd_date_from_ymd((y), (m), (d))

static int close_to(double got, double exp, double rel, double abs_tol)
{
    if (isnan(exp))
        return isnan(got);
    if (isinf(exp))
        return got == exp;
    return fabs(got - exp) <= abs_tol + rel * fabs(exp);
}

#define assert_close(got, exp, rel, abs_tol)                                          \
    do {                                                                              \
        double g_ = (got), e_ = (exp);                                                \
        if (!close_to(g_, e_, (rel), (abs_tol)))                                      \
            fail_msg("%s = %.17g, expected %.17g (line %d)", #got, g_, e_, __LINE__); \
    } while (0)

/* ---------------------------------------------------------------- reference file */

static double num(char **p)
{
    char *end;
    double v = strtod(*p, &end);

    assert_true(end != *p);
    *p = end;
    return v;
}

static void test_reference_cases(void **state)
{
    const char *dir = getenv("RD_SOURCE_DIR");
    char path[1024], *line = NULL;
    size_t cap = 0;
    int nbeta = 0, ncdf = 0, nwelch = 0, ncorr = 0;
    FILE *f;

    (void)state;
    snprintf(path, sizeof path, "%s/tests/data/perf/ttest_cases.txt", dir ? dir : ".");
    f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s (set RD_SOURCE_DIR)", path);
    while (getline(&line, &cap, f) > 0) {
        char *p = line;

        if (!strncmp(p, "betai ", 6)) {
            double a, b, x, e;

            p += 6;
            a = num(&p), b = num(&p), x = num(&p), e = num(&p);
            assert_close(rd_stats_betai(a, b, x), e, 1e-11, 1e-300);
            nbeta++;
        } else if (!strncmp(p, "tcdf ", 5)) {
            double t, df, e;

            p += 5;
            t = num(&p), df = num(&p), e = num(&p);
            assert_close(rd_stats_t_cdf(t, df), e, 1e-11, 1e-300);
            ncdf++;
        } else if (!strncmp(p, "welch ", 6)) {
            size_t n1, n2;
            double *x, *y, t, df, pv;
            struct rd_welch w;

            p += 6;
            n1 = (size_t)num(&p);
            n2 = (size_t)num(&p);
            x = malloc(n1 * sizeof *x);
            y = malloc(n2 * sizeof *y);
            for (size_t i = 0; i < n1; i++)
                x[i] = num(&p);
            for (size_t i = 0; i < n2; i++)
                y[i] = num(&p);
            t = num(&p), df = num(&p), pv = num(&p);
            rd_stats_welch(x, n1, y, n2, &w);
            assert_int_equal(w.n1, n1);
            assert_int_equal(w.n2, n2);
            assert_close(w.t, t, 1e-9, 1e-12);
            assert_close(w.df, df, 1e-9, 0);
            assert_close(w.p, pv, 1e-8, 1e-15);
            free(x);
            free(y);
            nwelch++;
        } else if (!strncmp(p, "corr ", 5)) {
            size_t n;
            double *x, *y, r;

            p += 5;
            n = (size_t)num(&p);
            x = malloc(n * sizeof *x);
            y = malloc(n * sizeof *y);
            for (size_t i = 0; i < n; i++)
                x[i] = num(&p);
            for (size_t i = 0; i < n; i++)
                y[i] = num(&p);
            r = num(&p);
            assert_close(rd_stats_correlation(x, y, n), r, 1e-12, 1e-14);
            free(x);
            free(y);
            ncorr++;
        }
    }
    free(line);
    fclose(f);
    assert_true(nbeta >= 100 && ncdf >= 100 && nwelch >= 10 && ncorr >= 5);
}

/* ---------------------------------------------------------------- closed forms */

static void test_t_closed_forms(void **state)
{
    const double ts[] = {-1e6, -30, -3, -1, -0.25, 0, 0.5, 1, 2, 10, 1e4};

    (void)state;
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
        double t = ts[i];

        /* df = 1 is Cauchy; df = 2 has t / (2 sqrt(2 + t^2)) */
        assert_close(rd_stats_t_cdf(t, 1), 0.5 + atan(t) / M_PI, 1e-12, 1e-15);
        assert_close(rd_stats_t_cdf(t, 2), 0.5 + t / (2 * sqrt(2 + t * t)), 1e-12, 1e-15);
        /* symmetry */
        assert_close(rd_stats_t_cdf(t, 7.5) + rd_stats_t_cdf(-t, 7.5), 1.0, 1e-14, 0);
    }
    assert_true(rd_stats_t_cdf(0, 5) == 0.5);
    assert_true(rd_stats_t_cdf(INFINITY, 5) == 1.0);
    assert_true(rd_stats_t_cdf(-INFINITY, 5) == 0.0);
    assert_true(isnan(rd_stats_t_cdf(NAN, 5)));
    assert_true(isnan(rd_stats_t_cdf(1, 0)));
    assert_true(isnan(rd_stats_betai(-1, 1, 0.5)));
    assert_true(isnan(rd_stats_betai(1, 1, 1.5)));
    assert_true(rd_stats_betai(2, 3, 0) == 0.0 && rd_stats_betai(2, 3, 1) == 1.0);
    /* I_x(1, 1) = x; I_x(a, 1) = x^a */
    assert_close(rd_stats_betai(1, 1, 0.3), 0.3, 1e-14, 0);
    assert_close(rd_stats_betai(3, 1, 0.6), 0.216, 1e-13, 0);
    /* large df: the normal distribution, Phi(1.96) */
    assert_close(rd_stats_t_cdf(1.96, 1e9), 0.9750021048517795, 1e-8, 0);
}

static void test_welch_edges(void **state)
{
    const double x[] = {0.01, 0.02, NAN, 0.03}, y[] = {0.01, 0.01, 0.01};
    const double same[] = {0.02, 0.02};
    struct rd_welch w;

    (void)state;
    rd_stats_welch(x, 4, y, 3, &w);       /* NaN ignored; y has zero variance */
    assert_int_equal(w.n1, 3);
    assert_close(w.mean1, 0.02, 1e-15, 0);
    /* t = 0.01 / sqrt(1e-4 / 3), df = n1 - 1 = 2 */
    assert_close(w.t, 0.01 / sqrt(1e-4 / 3), 1e-12, 0);
    assert_close(w.df, 2.0, 1e-12, 0);
    assert_close(w.p, 2 * (1 - (0.5 + w.t / (2 * sqrt(2 + w.t * w.t)))), 1e-10, 0);
    rd_stats_welch(x, 1, y, 3, &w);       /* one value: nothing to test */
    assert_true(isnan(w.t) && isnan(w.df) && isnan(w.p));
    rd_stats_welch(same, 2, y, 3, &w);    /* both constant, different means */
    assert_true(isinf(w.t) && w.t > 0 && w.p == 0.0);
    rd_stats_welch(y, 3, y, 3, &w);       /* both constant, equal */
    assert_true(isnan(w.t) && isnan(w.p));
    rd_stats_welch(x, 4, x, 4, &w);       /* a series against itself */
    assert_true(w.t == 0.0);
    assert_close(w.p, 1.0, 1e-14, 0);
}

static void test_correlation(void **state)
{
    const double x[] = {1, 2, 3, 4, NAN}, y[] = {2, 4, 6, 8, 1}, z[] = {4, 3, 2, 1, 0};
    const double c[] = {5, 5, 5, 5, 5};

    (void)state;
    assert_close(rd_stats_correlation(x, y, 5), 1.0, 1e-15, 0);
    assert_close(rd_stats_correlation(x, z, 5), -1.0, 1e-15, 0);
    assert_true(isnan(rd_stats_correlation(x, c, 5)));   /* zero variance */
    assert_true(isnan(rd_stats_correlation(x, y, 1)));   /* one row */
}

/* ---------------------------------------------------------------- returns */

static void test_returns(void **state)
{
    const int32_t days[] = {100, 101, 104, 105};
    const rd_money eq[] = {RD_DOLLARS(10000), RD_DOLLARS(10100), 0, RD_DOLLARS(500)};
    int32_t rd[4];
    double r[4];

    (void)state;
    assert_int_equal(rd_perf_returns(days, eq, NULL, 4, rd, r), 3);
    assert_int_equal(rd[0], 101);
    assert_int_equal(rd[2], 105);
    assert_close(r[0], 0.01, 1e-15, 0);
    assert_true(r[1] == -1.0);
    assert_true(isnan(r[2]));     /* from zero equity */
    assert_int_equal(rd_perf_returns(days, eq, NULL, 1, rd, r), 0);
    assert_int_equal(rd_perf_returns(days, eq, NULL, 0, rd, r), 0);
}

static void test_returns_net_of_flows(void **state)
{
    /* 10,000; a 5,000 deposit and 100 earned; 300 withdrawn and 151 earned */
    const int32_t days[] = {100, 101, 102};
    const rd_money eq[] = {RD_DOLLARS(10000), RD_DOLLARS(15100), RD_DOLLARS(14951)};
    const rd_money flow[] = {0, RD_DOLLARS(5000), -RD_DOLLARS(300)};
    int32_t rd[3];
    double r[3];

    (void)state;
    assert_int_equal(rd_perf_returns(days, eq, flow, 3, rd, r), 2);
    assert_close(r[0], 0.01, 1e-15, 0);
    assert_close(r[1], 0.01, 1e-15, 0);
    /* without the flows the deposit reads as a 51% gain */
    assert_int_equal(rd_perf_returns(days, eq, NULL, 3, rd, r), 2);
    assert_close(r[0], 0.51, 1e-15, 0);
}

/* ---------------------------------------------------------------- alerts */

static int find(const struct rd_perf_alert *a, size_t n, enum rd_perf_alert_kind k)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].kind == k)
            return (int)i;
    return -1;
}

static void test_alerts_net_of_flows(void **state)
{
    struct rd_perf_config pc;
    struct rd_perf_alert a[RD_PERF_ALERT_COUNT];
    /* 10,000; 4,000 withdrawn; then a real loss of 5% of 6,000 and a deposit */
    int32_t days[] = {D(2024, 5, 1), D(2024, 5, 2), D(2024, 5, 3)};
    rd_money eq[] = {RD_DOLLARS(10000), RD_DOLLARS(6000), RD_DOLLARS(8700)};
    rd_money flow[] = {0, -RD_DOLLARS(4000), RD_DOLLARS(3000)};
    size_t n;

    (void)state;
    rd_perf_config_init(&pc);
    /* the withdrawal alone: 40% lower, no loss at all */
    assert_int_equal(rd_perf_alerts_eval(days, eq, flow, 2, &pc, a), 0);
    /* without the flows it reads as a 40% loss: daily, weekly, monthly, drawdown */
    assert_int_equal(rd_perf_alerts_eval(days, eq, NULL, 2, &pc, a), 4);
    /* day 3: 8,700 less the 3,000 deposited = 5,700, 5% under 6,000: daily only
     * at the default 20% drawdown. Less the flows so far, day 2 touches day 1's
     * peak (6,000 + 4,000 out = 10,000), so the drawdown is from day 2: 300 of
     * its 6,000, 5% */
    n = rd_perf_alerts_eval(days, eq, flow, 3, &pc, a);
    assert_int_equal(n, 1);
    assert_int_equal(a[0].kind, RD_PERF_ALERT_DAILY_LOSS);
    assert_int_equal(a[0].base, RD_DOLLARS(6000));
    assert_int_equal(a[0].equity, RD_DOLLARS(5700));
    assert_int_equal(a[0].loss_ppm, 50000);
    pc.alert_ppm[RD_PERF_ALERT_DRAWDOWN] = 30000;
    n = rd_perf_alerts_eval(days, eq, flow, 3, &pc, a);
    assert_int_equal(n, 2);
    assert_int_equal(a[1].kind, RD_PERF_ALERT_DRAWDOWN);
    assert_int_equal(a[1].base_day, days[1]);
    assert_int_equal(a[1].equity, RD_DOLLARS(5700));
    assert_int_equal(a[1].loss_ppm, 50000);
}

static void test_alerts_exact_thresholds(void **state)
{
    struct rd_perf_config pc;
    struct rd_perf_alert a[RD_PERF_ALERT_COUNT];
    /* Wed 2024-05-01 .. Thu 2024-05-02 */
    int32_t days[] = {D(2024, 5, 1), D(2024, 5, 2)};
    rd_money eq[] = {RD_DOLLARS(10000), RD_DOLLARS(9500)};
    size_t n;
    int i;

    (void)state;
    rd_perf_config_init(&pc);
    pc.alert_ppm[RD_PERF_ALERT_WEEKLY_LOSS] = 0;
    pc.alert_ppm[RD_PERF_ALERT_MONTHLY_LOSS] = 0;
    pc.alert_ppm[RD_PERF_ALERT_DRAWDOWN] = 0;
    /* exactly 5 %: fires */
    n = rd_perf_alerts_eval(days, eq, NULL, 2, &pc, a);
    assert_int_equal(n, 1);
    assert_int_equal(a[0].kind, RD_PERF_ALERT_DAILY_LOSS);
    assert_int_equal(a[0].loss_ppm, 50000);
    assert_int_equal(a[0].threshold_ppm, 50000);
    assert_int_equal(a[0].period, days[1]);
    assert_int_equal(a[0].base_day, days[0]);
    /* 1/10000 $ less of a loss: 4.999999 %, silent */
    eq[1] = RD_DOLLARS(9500) + 1;
    assert_int_equal(rd_perf_alerts_eval(days, eq, NULL, 2, &pc, a), 0);
    /* a loss just past 5 % by less than a ppm still fires (the exact comparison) */
    eq[0] = 100000001;                  /* 10000.0001 */
    eq[1] = 95000000;                   /* loss 0.0500000949... */
    assert_int_equal(rd_perf_alerts_eval(days, eq, NULL, 2, &pc, a), 1);
    /* a gain never does; a single snapshot has no daily base */
    eq[1] = RD_DOLLARS(20000);
    assert_int_equal(rd_perf_alerts_eval(days, eq, NULL, 2, &pc, a), 0);
    assert_int_equal(rd_perf_alerts_eval(days, eq, NULL, 1, &pc, a), 0);

    /* every kind at its exact default threshold */
    rd_perf_config_init(&pc);
    {
        /* Fri Apr 26 (before the week and the month), Mon Apr 29, Tue Apr 30,
         * Wed May 1, Thu May 2 */
        int32_t d5[] = {D(2024, 4, 26), D(2024, 4, 29), D(2024, 4, 30), D(2024, 5, 1),
                        D(2024, 5, 2)};
        rd_money e5[] = {RD_DOLLARS(10000), RD_DOLLARS(12500), RD_DOLLARS(10000),
                         RD_DOLLARS(10000), RD_DOLLARS(10000)};

        /* drawdown: peak 12500 on Apr 29; 10000 is exactly 20 % below */
        n = rd_perf_alerts_eval(d5, e5, NULL, 5, &pc, a);
        i = find(a, n, RD_PERF_ALERT_DRAWDOWN);
        assert_true(i >= 0);
        assert_int_equal(a[i].loss_ppm, 200000);
        assert_int_equal(a[i].period, D(2024, 4, 29));
        /* weekly: base is Fri Apr 26 (10000): no loss this week */
        assert_true(find(a, n, RD_PERF_ALERT_WEEKLY_LOSS) < 0);
        /* monthly: base is Apr 30 (the last before May): 10000 -> 8500 is 15 % */
        e5[4] = RD_DOLLARS(8500);
        n = rd_perf_alerts_eval(d5, e5, NULL, 5, &pc, a);
        i = find(a, n, RD_PERF_ALERT_MONTHLY_LOSS);
        assert_true(i >= 0);
        assert_int_equal(a[i].base_day, D(2024, 4, 30));
        assert_int_equal(a[i].period, D(2024, 5, 1));
        assert_int_equal(a[i].loss_ppm, 150000);
        /* weekly: 10000 (Fri Apr 26) -> 9000 is 10 % */
        e5[4] = RD_DOLLARS(9000);
        n = rd_perf_alerts_eval(d5, e5, NULL, 5, &pc, a);
        i = find(a, n, RD_PERF_ALERT_WEEKLY_LOSS);
        assert_true(i >= 0);
        assert_int_equal(a[i].base_day, D(2024, 4, 26));
        assert_int_equal(a[i].period, D(2024, 4, 29));
        assert_int_equal(a[i].loss_ppm, 100000);
        assert_true(find(a, n, RD_PERF_ALERT_MONTHLY_LOSS) < 0);  /* 10 % < 15 % */
        e5[4] = RD_DOLLARS(9000) + 1;
        n = rd_perf_alerts_eval(d5, e5, NULL, 5, &pc, a);
        assert_true(find(a, n, RD_PERF_ALERT_WEEKLY_LOSS) < 0);
        /* the first week of history: its first snapshot is the base */
        n = rd_perf_alerts_eval(d5 + 1, e5 + 1, NULL, 4, &pc, a);
        i = find(a, n, RD_PERF_ALERT_WEEKLY_LOSS);
        assert_true(i >= 0);
        assert_int_equal(a[i].base_day, D(2024, 4, 29));
        /* a zero or negative base never alerts */
        e5[3] = 0;
        n = rd_perf_alerts_eval(d5, e5, NULL, 5, &pc, a);
        assert_true(find(a, n, RD_PERF_ALERT_DAILY_LOSS) < 0);
    }
}

/* ---------------------------------------------------------------- retention */

static void test_rollup(void **state)
{
    /* today 2026-03-10: cutoff 2024-03-10 */
    int32_t cutoff = rd_perf_retention_cutoff(D(2026, 3, 10));
    const int32_t days[] = {
        D(2024, 1, 2),  D(2024, 1, 3),  D(2024, 1, 31),                  /* Jan: keep the 31st */
        D(2024, 2, 1),                                                   /* Feb: alone, kept */
        D(2024, 3, 1),  D(2024, 3, 8),  D(2024, 3, 11), D(2024, 3, 29),  /* straddles cutoff */
        D(2024, 4, 1),  D(2024, 4, 2),                                   /* recent: kept */
    };
    const unsigned char want[] = {1, 1, 0, 0, 1, 1, 0, 0, 0, 0};
    unsigned char drop[10];

    (void)state;
    assert_int_equal(cutoff, D(2024, 3, 10));
    assert_int_equal(rd_perf_rollup_select(days, 10, cutoff, drop), 4);
    assert_memory_equal(drop, want, 10);
    /* Feb 29 two years on is Mar 1 */
    assert_int_equal(rd_perf_retention_cutoff(D(2028, 2, 29)), D(2026, 3, 1));
    /* the last row of the history is always kept, even when old */
    assert_int_equal(rd_perf_rollup_select(days, 2, D(2030, 1, 1), drop), 1);
    assert_int_equal(drop[0], 1);
    assert_int_equal(drop[1], 0);
    assert_int_equal(rd_perf_rollup_select(days, 0, cutoff, drop), 0);
}

static void test_names(void **state)
{
    enum rd_perf_alert_kind k;
    struct rd_perf_config pc;

    (void)state;
    rd_perf_config_init(&pc);
    assert_int_equal(pc.risk_free_annual_ppm, 20000);
    assert_int_equal(pc.alert_ppm[RD_PERF_ALERT_DRAWDOWN], 200000);
    for (int i = 0; i < RD_PERF_ALERT_COUNT; i++) {
        assert_int_equal(rd_perf_alert_parse(rd_perf_alert_name((enum rd_perf_alert_kind)i), &k),
                         0);
        assert_int_equal(k, i);
    }
    assert_int_equal(rd_perf_alert_parse("loss", &k), -1);
    assert_null(rd_perf_alert_name(RD_PERF_ALERT_COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_cases),
        cmocka_unit_test(test_t_closed_forms),
        cmocka_unit_test(test_welch_edges),
        cmocka_unit_test(test_correlation),
        cmocka_unit_test(test_returns),
        cmocka_unit_test(test_returns_net_of_flows),
        cmocka_unit_test(test_alerts_exact_thresholds),
        cmocka_unit_test(test_alerts_net_of_flows),
        cmocka_unit_test(test_rollup),
        cmocka_unit_test(test_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
