/*
 * test_trader_model_numpy.c - the traders' ridge fit against numpy's least
 * squares on the same design matrix (tests/tools/ridge_ref.py): a year of
 * `riskdesk traders gen` fills, riskdesk's features and split, then every
 * coefficient, the intercept, the standardisation and both test MSEs of
 * rd_trader_model_fit compared with numpy's, at the default lambda and a
 * larger one. Needs $RD_BIN (to generate the fills) and a python3 with numpy:
 * without them the program says so and exits 77 (skipped).
 *
 * Tolerance: 1e-9 relative. Cholesky on the normal equations and an SVD of
 * the penalised system agree to about cond * 1e-16 with cond(Z'Z + lambda I)
 * at most n_train / lambda here (about 1e4): 1e-12 expected, 1e-9 allowed. A
 * coefficient is compared relative to the largest one (the error of a solve
 * is bounded in norm, not per component); the intercept, means, deviations
 * and MSEs each relative to itself.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "riskdesk/calendar.h"
#include "riskdesk/fills.h"
#include "riskdesk/fills_csv.h"
#include "riskdesk/pnl.h"
#include "riskdesk/trader_model.h"
#include "riskdesk/trader_rules.h"

#define F RD_TF_COUNT
#define TOL 1e-9
#define NREF (1 + 3 * F + 2)

static char dir[64];
static char fills_path[128];
static const char *python;      /* a python3 with numpy */

static void run(const char *cmd)
{
    int rc = system(cmd);

    if (rc != 0)
        fail_msg("%s: exit status %d", cmd, rc);
}

static int close_enough(double got, double want, double scale)
{
    return fabs(got - want) <= TOL * scale;
}

/* Writes the design matrix of m's split: every sample with its target, the
 * rules' forecast (today's cut) and its raw features. */
static void write_design(const char *path, const struct rd_trader_features *f,
                         const struct rd_trader_model *m, double lambda)
{
    FILE *o = fopen(path, "w");
    size_t ntrain = 0, ntest = 0;

    assert_non_null(o);
    fprintf(o, "%.17g %d\n", lambda, F);
    for (size_t i = 0; i < f->ndays; i++) {
        int train;

        if (!f->use[i] || f->next[i] < 0)
            continue;
        train = f->day[f->next[i]] <= m->cutoff;
        ntrain += train;
        ntest += !train;
        fprintf(o, "%s %.17g %.17g", train ? "train" : "test",
                (double)f->rules_cut[f->next[i]] / (double)RD_PPM,
                (double)f->rules_cut[i] / (double)RD_PPM);
        for (int p = 0; p < F; p++)
            fprintf(o, " %.17g", f->x[i * F + p]);
        fputc('\n', o);
    }
    assert_int_equal(fclose(o), 0);
    assert_int_equal(ntrain, m->n_train);
    assert_int_equal(ntest, m->n_test);
}

static void read_ref(const char *path, double *ref)
{
    FILE *in = fopen(path, "r");

    assert_non_null(in);
    for (int i = 0; i < NREF; i++)
        assert_int_equal(fscanf(in, "%lf", &ref[i]), 1);
    fclose(in);
}

static void compare(const char *what, double got, double want, double scale, int *bad)
{
    if (close_enough(got, want, scale))
        return;
    printf("  %s: riskdesk %.17g, numpy %.17g (relative difference %.3g)\n", what, got, want,
           fabs(got - want) / scale);
    (*bad)++;
}

/* Fits with lambda and compares everything with numpy's fit of the same matrix. */
static void check_lambda(double lambda)
{
    struct rd_trader_rules_config rc;
    struct rd_trader_model_config mc;
    struct rd_trader_features f;
    struct rd_trader_model m;
    struct rd_error err = {0};
    struct rd_fills fs;
    struct rd_pnl pnl;
    char design[128], refout[128], cmd[512];
    double ref[NREF], cmax = 0, worst = 0;
    int bad = 0;

    rd_fills_init(&fs);
    rd_pnl_init(&pnl);
    rd_trader_features_init(&f);
    rd_trader_rules_config_init(&rc);
    rd_trader_model_config_init(&mc);
    mc.ridge_lambda = lambda;
    assert_int_equal(rd_fills_read(&fs, RD_FILLS_CSV, fills_path, NULL, NULL, &err), RD_OK);
    assert_int_equal(rd_pnl_compute(&fs, &pnl, &err), RD_OK);
    assert_int_equal(rd_trader_features_compute(&rc, &mc, &fs, &pnl,
                                                 rd_date_from_ymd(2024, 6, 14), &f, &err), RD_OK);
    assert_int_equal(rd_trader_model_fit(&mc, &f, &m, &err), RD_OK);
    assert_true(m.fitted);
    assert_true(m.n_train >= 1000 && m.n_test >= 100);

    snprintf(design, sizeof design, "%s/design-%g.txt", dir, lambda);
    snprintf(refout, sizeof refout, "%s/numpy-%g.txt", dir, lambda);
    write_design(design, &f, &m, lambda);
    snprintf(cmd, sizeof cmd, "%s \"%s/tests/tools/ridge_ref.py\" %s >%s", python,
             getenv("RD_SOURCE_DIR"), design, refout);
    run(cmd);
    read_ref(refout, ref);

    for (int p = 0; p < F; p++)
        cmax = fmax(cmax, fabs(ref[1 + p]));
    assert_true(cmax > 0);
    compare("intercept", m.intercept, ref[0], fabs(ref[0]), &bad);
    for (int p = 0; p < F; p++) {
        const char *name = rd_trader_feature_name((enum rd_trader_feature)p);
        char what[64];

        snprintf(what, sizeof what, "coefficient %s", name);
        compare(what, m.coef[p], ref[1 + p], cmax, &bad);
        worst = fmax(worst, fabs(m.coef[p] - ref[1 + p]) / cmax);
        snprintf(what, sizeof what, "mean %s", name);
        compare(what, m.mean[p], ref[1 + F + p], fmax(fabs(ref[1 + F + p]), 1e-300), &bad);
        snprintf(what, sizeof what, "deviation %s", name);
        compare(what, m.sd[p], ref[1 + 2 * F + p], ref[1 + 2 * F + p], &bad);
    }
    compare("model MSE", m.model_mse, ref[1 + 3 * F], ref[1 + 3 * F], &bad);
    compare("rules MSE", m.rules_mse, ref[2 + 3 * F], ref[2 + 3 * F], &bad);
    printf("lambda %g: %zu training and %zu test samples, %d features; largest coefficient "
           "%.4g, worst coefficient difference %.3g of it; %d over %.0e\n", lambda, m.n_train,
           m.n_test, F, cmax, worst, bad, TOL);
    assert_int_equal(bad, 0);
    rd_trader_features_release(&f);
    rd_pnl_release(&pnl);
    rd_fills_release(&fs);
}

static void test_default_lambda(void **state)
{
    (void)state;
    check_lambda(1.0);
}

/* a penalty that matters: coefficients shrink, the fit must still agree */
static void test_large_lambda(void **state)
{
    (void)state;
    check_lambda(500.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_lambda),
        cmocka_unit_test(test_large_lambda),
    };
    const char *bin = getenv("RD_BIN");
    char cmd[512];
    int rc;

    if (!bin || !getenv("RD_SOURCE_DIR")) {
        printf("SKIPPED: RD_BIN and RD_SOURCE_DIR are needed (ctest sets them)\n");
        return 77;
    }
    /* the first python3 on PATH, else Debian's, which python3-numpy serves */
    for (size_t i = 0; i < 2 && !python; i++) {
        static const char *const candidates[] = {"python3", "/usr/bin/python3"};

        snprintf(cmd, sizeof cmd, "%s -c 'import numpy' >/dev/null 2>&1", candidates[i]);
        if (system(cmd) == 0)
            python = candidates[i];
    }
    if (!python) {
        printf("SKIPPED: no python3 with numpy for the reference fit "
               "(python3-numpy, scripts/deps.sh)\n");
        return 77;
    }
    snprintf(dir, sizeof dir, "/tmp/rd_ridge_XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(fills_path, sizeof fills_path, "%s/fills.csv", dir);
    /* 12 traders and a legacy one over a year, the model's case */
    snprintf(cmd, sizeof cmd,
             "\"%s\" traders gen --traders 12 --days 250 --seed 5 --end 2024-06-14 --out %s",
             bin, fills_path);
    if (system(cmd) != 0) {
        printf("%s failed\n", cmd);
        return 1;
    }
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        printf("could not remove %s\n", dir);
    return rc;
}
