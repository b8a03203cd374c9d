/*
 * test_metrics.c - every metric against values computed independently:
 * hand-worked cases here, and tests/data/perf/metrics_cases.txt, written by
 * tests/tools/metrics_ref.py (numpy, from the METRICS.md definitions), which
 * covers ordinary, all-positive, all-negative, flat, one-element, empty,
 * NaN-laden and benchmark series.
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

#include "riskdesk/metrics.h"

#define MAXN 1024

static double scratch[2 * MAXN];

/* the comparison rule of METRICS.md: exact for non-finite, else 1e-12 + 1e-9|exp| */
static int close_to(double got, double exp)
{
    if (isnan(exp))
        return isnan(got);
    if (isinf(exp))
        return got == exp;
    if (!isfinite(got))
        return 0;
    return fabs(got - exp) <= 1e-12 + 1e-9 * fabs(exp);
}

static void check(const char *what, double got, double exp)
{
    if (!close_to(got, exp)) {
        print_error("%s: got %.17g, expected %.17g\n", what, got, exp);
        fail();
    }
}

static int same(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

/* ------------------------------------------------------------ hand-worked */

static void test_hand_return_drawdown(void **state)
{
    const double r[] = {0.1, -0.05, 0.02};

    (void)state;
    /* 1.1 * 0.95 * 1.02 = 1.0659 */
    check("cum", rd_metrics_cum_return(r, 3), 0.0659);
    /* wealth 110, 104.5, 106.59: worst is 104.5 against the 110 peak */
    check("mdd", rd_metrics_max_drawdown(r, 3), -0.05);
    /* 1.0659^(1/(3/252)) - 1 */
    check("cagr", rd_metrics_annual_return(r, 3, 252), pow(1.0659, 84.0) - 1.0);
    check("calmar", rd_metrics_calmar(r, 3, 252), (pow(1.0659, 84.0) - 1.0) / 0.05);
    /* a loss on day one is a drawdown from the start value */
    {
        const double d1[] = {-0.2, 0.1};

        check("mdd day1", rd_metrics_max_drawdown(d1, 2), -0.2);
    }
}

static void test_hand_sharpe_sortino_omega(void **state)
{
    const double r[] = {0.01, 0.03};
    const double s[] = {0.02, -0.01};
    const double o[] = {0.02, -0.01, 0.03, -0.02};

    (void)state;
    /* mean 0.02, sample std sqrt(0.0002) */
    check("sharpe", rd_metrics_sharpe(r, 2, 0.0, 252), 0.02 / sqrt(0.0002) * sqrt(252.0));
    check("vol", rd_metrics_annual_volatility(r, 2, 252), sqrt(0.0002) * sqrt(252.0));
    /* downside RMS over both rows: sqrt((0 + 0.0001) / 2) */
    check("downside", rd_metrics_downside_risk(s, 2, 0.0, 252), sqrt(0.00005) * sqrt(252.0));
    check("sortino", rd_metrics_sortino(s, 2, 0.0, 252), 0.005 * 252 / (sqrt(0.00005) * sqrt(252.0)));
    /* gains 0.05 over losses 0.03 */
    check("omega", rd_metrics_omega(o, 4, 0.0, 0.0, 252), 0.05 / 0.03);
    /* a threshold of 0.02 per period (annualization 1): gains 0.01, losses 0.07 */
    check("omega thr", rd_metrics_omega(o, 4, 0.0, 0.02, 1), 0.01 / 0.07);
    check("omega R<=-1", rd_metrics_omega(o, 4, 0.0, -1.0, 252), NAN);
}

static void test_hand_var_cvar_tail(void **state)
{
    double r[21];

    (void)state;
    for (int i = 0; i < 20; i++)
        r[19 - i] = (i + 1) / 100.0;     /* 0.20 .. 0.01, reversed on purpose */
    /* h = 19 * 0.05 = 0.95: s[1] - (s[1]-s[0]) * 0.05 */
    check("var", rd_metrics_value_at_risk(r, 20, 0.05, scratch), 0.02 - 0.01 * (1 - 0.95));
    /* k = int(19 * 0.05) = 0: the minimum */
    check("cvar", rd_metrics_cvar(r, 20, 0.05, scratch), 0.01);
    /* h95 = 18.05: s[18] + (s[19]-s[18]) * 0.05 = 0.1905 */
    check("tail", rd_metrics_tail_ratio(r, 20, scratch), 0.1905 / 0.0195);
    /* another cutoff: h = 19 * 0.1 = 1.9, t >= 0.5: s[2] - (s[2]-s[1]) * 0.1 */
    check("var10", rd_metrics_value_at_risk(r, 20, 0.10, scratch), 0.03 - 0.01 * (1 - 0.9));
    check("cvar10", rd_metrics_cvar(r, 20, 0.10, scratch), (0.01 + 0.02) / 2);
    r[20] = -0.5;
    /* n = 21: k = 1, the mean of -0.5 and 0.01 */
    check("cvar21", rd_metrics_cvar(r, 21, 0.05, scratch), (-0.5 + 0.01) / 2);
    r[3] = NAN;
    check("var nan", rd_metrics_value_at_risk(r, 21, 0.05, scratch), NAN);
    /* the percentile of the sorted input, numpy "linear" */
    {
        const double s[] = {1, 2, 3, 4};

        check("pct 0", rd_metrics_percentile_sorted(s, 4, 0.0), 1);
        check("pct 1", rd_metrics_percentile_sorted(s, 4, 1.0), 4);
        check("pct .5", rd_metrics_percentile_sorted(s, 4, 0.5), 2.5);
        check("pct empty", rd_metrics_percentile_sorted(s, 0, 0.5), NAN);
    }
}

static void test_hand_beta_alpha_capture(void **state)
{
    const double b[] = {0.01, 0.02, 0.03, -0.01};
    double r[4];

    (void)state;
    for (int i = 0; i < 4; i++)
        r[i] = 2 * b[i] + 0.001;
    check("beta", rd_metrics_beta(r, b, 4), 2.0);
    check("alpha", rd_metrics_alpha(r, b, 4, 0.0, 252), pow(1.001, 252) - 1);
    /* r - b = b + 0.001: tracking error is std1(b) */
    check("te", rd_metrics_tracking_error(r, b, 4, 252),
          sqrt(((0.0025 * 0.0025) + (0.0075 * 0.0075) + (0.0175 * 0.0175) + (0.0225 * 0.0225)) / 3) * sqrt(252.0));
    /* up rows 0..2: CAGR of r over 3 rows / CAGR of b over 3 rows */
    check("up", rd_metrics_up_capture(r, b, 4, 252),
          (pow(1.021 * 1.041 * 1.061, 84.0) - 1) / (pow(1.01 * 1.02 * 1.03, 84.0) - 1));
    check("down", rd_metrics_down_capture(r, b, 4, 252),
          (pow(0.981, 252.0) - 1) / (pow(0.99, 252.0) - 1));
    /* a series against itself: zero tracking error and zero mean: NaN */
    check("ir self", rd_metrics_information_ratio(b, b, 4, 252), NAN);
}

static void test_hand_stability(void **state)
{
    double r[10], z[10] = {0};

    (void)state;
    for (int i = 0; i < 10; i++)
        r[i] = 0.01;
    /* constant returns: log wealth is a straight line */
    check("stab line", rd_metrics_stability(r, 10, scratch), 1.0);
    /* all zero: zero variance, scipy sets r = 0 */
    check("stab zero", rd_metrics_stability(z, 10, scratch), 0.0);
    r[4] = -1.0;
    check("stab -100%", rd_metrics_stability(r, 10, scratch), NAN);
    check("stab n1", rd_metrics_stability(r, 1, scratch), NAN);
}

/* nine returns of exactly 0.01: the two-pass std is exactly 0, so +inf */
static void test_two_pass_variance(void **state)
{
    double r[9];

    (void)state;
    for (int i = 0; i < 9; i++)
        r[i] = 0.01;
    assert_true(rd_metrics_annual_volatility(r, 9, 252) == 0.0);
    assert_true(isinf(rd_metrics_sharpe(r, 9, 0.0, 252)) && rd_metrics_sharpe(r, 9, 0.0, 252) > 0);
}

static void test_empty_and_one(void **state)
{
    const double one[] = {-0.03};
    struct rd_metrics_params p;
    struct rd_metrics_result res;

    (void)state;
    rd_metrics_params_init(&p);
    rd_metrics_compute(NULL, NULL, 0, &p, scratch, &res);
    for (size_t f = 0; f < rd_metrics_nfields; f++)
        assert_true(isnan(*(const double *)(const void *)((const char *)&res + rd_metrics_fields[f].offset)));
    rd_metrics_compute(one, NULL, 1, &p, scratch, &res);
    check("cum1", res.cum_return, -0.03);
    check("mdd1", res.max_drawdown, -0.03);
    check("var1", res.var_95, -0.03);
    check("cvar1", res.cvar_95, -0.03);
    check("tail1", res.tail_ratio, 1.0);
    check("sharpe1", res.sharpe, NAN);
    check("calmar1", res.calmar, (pow(0.97, 252.0) - 1) / 0.03);
    check("alpha no bench", res.alpha, NAN);
}

static void test_periods_and_aggregation(void **state)
{
    enum rd_period p;
    int32_t days[6], key[6];
    double r[6] = {0.01, 0.02, NAN, -0.01, 0.03, 0.05}, out[6];
    size_t n;
    int y, m, d;

    (void)state;
    assert_int_equal(rd_metrics_period_parse("weekly", &p), 0);
    assert_int_equal(p, RD_PERIOD_WEEKLY);
    assert_true(rd_metrics_annualization(p) == 52.0);
    assert_int_equal(rd_metrics_period_parse("hourly", &p), -1);
    assert_int_equal(rd_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(rd_days_from_civil(2024, 2, 29), 19782);
    rd_civil_from_days(19782, &y, &m, &d);
    assert_int_equal(y * 10000 + m * 100 + d, 20240229);
    /* 2023-12-29 (Fri, ISO week 52), 2024-01-01 (Mon, week 1), 2024-01-31,
     * 2024-02-01, 2024-04-01, 2024-12-30 (Mon, ISO week 1 of 2025) */
    days[0] = rd_days_from_civil(2023, 12, 29);
    days[1] = rd_days_from_civil(2024, 1, 1);
    days[2] = rd_days_from_civil(2024, 1, 31);
    days[3] = rd_days_from_civil(2024, 2, 1);
    days[4] = rd_days_from_civil(2024, 4, 1);
    days[5] = rd_days_from_civil(2024, 12, 30);
    n = rd_metrics_aggregate(days, r, 6, RD_AGG_MONTHLY, key, out);
    assert_int_equal(n, 5);
    assert_int_equal(key[1], 202401);
    check("jan", out[1], 0.02);          /* NaN counts as 0 */
    check("feb", out[2], -0.01);
    n = rd_metrics_aggregate(days, r, 6, RD_AGG_YEARLY, key, out);
    assert_int_equal(n, 2);
    check("2024", out[1], 1.02 * 0.99 * 1.03 * 1.05 - 1);
    n = rd_metrics_aggregate(days, r, 6, RD_AGG_QUARTERLY, key, out);
    assert_int_equal(n, 4);
    assert_int_equal(key[2], 20242);
    /* empyrical groups by (calendar year, ISO week): 2024-12-30 joins week 1 of 2024 */
    n = rd_metrics_aggregate(days, r, 6, RD_AGG_WEEKLY, key, out);
    assert_int_equal(n, 4);             /* Jan 31 and Feb 1 share ISO week 5 */
    assert_int_equal(key[2], 202405);
    check("wk5", out[2], -0.01);
    assert_int_equal(key[0], 202352);
    assert_int_equal(key[1], 202401);
    check("wk1", out[1], 1.02 * 1.05 - 1);
    n = rd_metrics_aggregate(days, r, 6, RD_AGG_ITD, key, out);
    assert_int_equal(n, 6);
    check("itd", out[5], 1.01 * 1.02 * 0.99 * 1.03 * 1.05 - 1);
    assert_true(rd_metrics_agg_annualization(RD_AGG_MONTHLY) == 12.0);
}

/* ------------------------------------------------------------ reference fixture */

struct refcase {
    char name[64];
    double A, rf, q;
    double r[MAXN], b[MAXN];
    size_t n, nb;
    double expect[32];
};

static size_t parse_list(char *s, double *out)
{
    size_t n = 0;
    char *end;

    for (;;) {
        double v = strtod(s, &end);

        if (end == s)
            break;
        out[n++] = v;
        s = end;
    }
    return n;
}

static int field_index(const char *name)
{
    for (size_t f = 0; f < rd_metrics_nfields; f++)
        if (!strcmp(rd_metrics_fields[f].name, name))
            return (int)f;
    return -1;
}

static double field_of(const struct rd_metrics_result *res, size_t f)
{
    return *(const double *)(const void *)((const char *)res + rd_metrics_fields[f].offset);
}

/* Every single-metric function, for cross-checking rd_metrics_compute. */
static void singles(const struct refcase *c, struct rd_metrics_result *s)
{
    const double *r = c->r, *b = c->b;
    size_t n = c->n;

    s->cum_return = rd_metrics_cum_return(r, n);
    s->annual_return = rd_metrics_annual_return(r, n, c->A);
    s->annual_volatility = rd_metrics_annual_volatility(r, n, c->A);
    s->sharpe = rd_metrics_sharpe(r, n, c->rf, c->A);
    s->sortino = rd_metrics_sortino(r, n, c->q, c->A);
    s->calmar = rd_metrics_calmar(r, n, c->A);
    s->max_drawdown = rd_metrics_max_drawdown(r, n);
    s->omega = rd_metrics_omega(r, n, c->rf, c->q, 252);
    s->tail_ratio = rd_metrics_tail_ratio(r, n, scratch);
    s->downside_risk = rd_metrics_downside_risk(r, n, c->q, c->A);
    s->var_95 = rd_metrics_value_at_risk(r, n, 0.05, scratch);
    s->cvar_95 = rd_metrics_cvar(r, n, 0.05, scratch);
    s->stability = rd_metrics_stability(r, n, scratch);
    s->alpha = rd_metrics_alpha(r, b, n, c->rf, c->A);
    s->beta = rd_metrics_beta(r, b, n);
    s->information_ratio = rd_metrics_information_ratio(r, b, n, c->A);
    s->tracking_error = rd_metrics_tracking_error(r, b, n, c->A);
    s->up_capture = rd_metrics_up_capture(r, b, n, c->A);
    s->down_capture = rd_metrics_down_capture(r, b, n, c->A);
}

static int run_case(const struct refcase *c)
{
    struct rd_metrics_params p;
    struct rd_metrics_result all, one;
    int bad = 0;

    rd_metrics_params_init(&p);
    p.annualization = c->A;
    p.risk_free = c->rf;
    p.required_return = c->q;
    p.omega_required_return = c->q;
    rd_metrics_compute(c->r, c->b, c->n, &p, scratch, &all);
    singles(c, &one);
    for (size_t f = 0; f < rd_metrics_nfields; f++) {
        double got = field_of(&all, f), exp = c->expect[f];

        if (!close_to(got, exp)) {
            print_error("case %s: %s = %.17g, expected %.17g\n", c->name,
                        rd_metrics_fields[f].name, got, exp);
            bad++;
        }
        if (!close_to(field_of(&one, f), exp) || !same(field_of(&one, f), got)) {
            print_error("case %s: single %s = %.17g, compute gave %.17g\n", c->name,
                        rd_metrics_fields[f].name, field_of(&one, f), got);
            bad++;
        }
    }
    return bad;
}

static void test_reference_fixture(void **state)
{
    const char *src = getenv("RD_SOURCE_DIR");
    char path[1024], *line = NULL;
    size_t cap = 0;
    FILE *f;
    static struct refcase c;
    int ncases = 0, bad = 0, nexpect = 0;

    (void)state;
    snprintf(path, sizeof path, "%s/tests/data/perf/metrics_cases.txt", src ? src : ".");
    f = fopen(path, "r");
    assert_non_null(f);
    while (getline(&line, &cap, f) > 0) {
        line[strcspn(line, "\n")] = 0;
        if (!strncmp(line, "case ", 5)) {
            memset(&c, 0, sizeof c);
            snprintf(c.name, sizeof c.name, "%s", line + 5);
            nexpect = 0;
        } else if (!strncmp(line, "params ", 7)) {
            assert_int_equal(sscanf(line + 7, "%lf %lf %lf", &c.A, &c.rf, &c.q), 3);
        } else if (!strncmp(line, "r", 1) && (line[1] == ' ' || !line[1])) {
            c.n = parse_list(line + 1, c.r);
        } else if (!strncmp(line, "b", 1) && (line[1] == ' ' || !line[1])) {
            c.nb = parse_list(line + 1, c.b);
        } else if (!strncmp(line, "expect ", 7)) {
            char name[64];
            char *sp = strchr(line + 7, ' ');
            int fi;

            assert_non_null(sp);
            snprintf(name, sizeof name, "%.*s", (int)(sp - (line + 7)), line + 7);
            fi = field_index(name);
            assert_true(fi >= 0);
            c.expect[fi] = strtod(sp + 1, NULL);
            nexpect++;
        } else if (!strcmp(line, "end")) {
            assert_int_equal(c.n, c.nb);
            assert_int_equal(nexpect, (int)rd_metrics_nfields);
            bad += run_case(&c);
            ncases++;
        }
    }
    free(line);
    fclose(f);
    assert_true(ncases >= 15);
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_return_drawdown),
        cmocka_unit_test(test_hand_sharpe_sortino_omega),
        cmocka_unit_test(test_hand_var_cvar_tail),
        cmocka_unit_test(test_hand_beta_alpha_capture),
        cmocka_unit_test(test_hand_stability),
        cmocka_unit_test(test_two_pass_variance),
        cmocka_unit_test(test_empty_and_one),
        cmocka_unit_test(test_periods_and_aggregation),
        cmocka_unit_test(test_reference_fixture),
    };

    return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
