/* The pooled model: features from the past only, the temporal split, the
 * ridge fit, the rules' cut series and the fallback to the rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "riskdesk/alloc.h"
#include "riskdesk/fills.h"
#include "riskdesk/pnl.h"
#include "riskdesk/trader_model.h"
#include "riskdesk/trader_rules.h"
#include "riskdesk/traders_report.h"

#define START 19000
#define F RD_TF_COUNT

struct rng {
    uint64_t s;
};

static uint64_t next_u64(struct rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A net P&L in whole dollars: mostly small, with trends and fat tails so the
 * rules fire now and then. */
static rd_money draw(struct rng *r, int trader, int day)
{
    int64_t u = (int64_t)(next_u64(r) % 2001) - 1000;         /* -1000..1000 */
    int64_t drift = (trader % 3 == 0 && (day / 15) % 3 == 2) ? -700 : 50;

    if (next_u64(r) % 40 == 0)
        u *= 6;
    return RD_DOLLARS(u + drift);
}

/*
 * ntraders traders over ndays market days (day START + i); trader t skips
 * some days and starts late when t % 5 == 4. change(day) >= 0 replaces the
 * net of every day >= from with another draw (a different future).
 */
static void make(struct rd_fills *fs, struct rd_pnl *pnl, int ntraders, int ndays, int32_t from,
                 uint64_t future_seed)
{
    struct rng r = {42}, r2 = {future_seed};
    struct rd_error err = {0};

    rd_fills_init(fs);
    rd_pnl_init(pnl);
    for (int t = 0; t < ntraders; t++) {
        char name[32];
        uint32_t id;

        if (t == ntraders - 1)
            snprintf(name, sizeof name, "legacy%02d_OLD", t);       /* left out of everything */
        else
            snprintf(name, sizeof name, "trader%02d", t);
        assert_int_equal(rd_names_intern(&fs->traders, name, strlen(name), &id, &err), RD_OK);
        for (int d = (t % 5 == 4 ? ndays / 3 : 0); d < ndays; d++) {
            struct rd_daily_pnl row = {.trader = id, .day = START + d, .line = d + 2};
            rd_money v = draw(&r, t, d);

            if (next_u64(&r) % 10 == 0)
                continue;                   /* not every trader trades every day */
            if (future_seed && row.day >= from)
                v = draw(&r2, t, d) * 3;
            row.pnl = v;
            assert_int_equal(rd_fills_add_daily(fs, &row, &err), RD_OK);
        }
    }
    assert_int_equal(rd_pnl_compute(fs, pnl, &err), RD_OK);
}

static void features(const struct rd_fills *fs, const struct rd_pnl *pnl, int32_t report_day,
                     struct rd_trader_features *f)
{
    struct rd_trader_rules_config rc;
    struct rd_trader_model_config mc;
    struct rd_error err = {0};

    rd_trader_rules_config_init(&rc);
    rd_trader_model_config_init(&mc);
    rd_trader_features_init(f);
    assert_int_equal(rd_trader_features_compute(&rc, &mc, fs, pnl, report_day, f, &err), RD_OK);
}

/* Every row of a day before `from` is the same bit for bit in a and b. */
static void same_before(const struct rd_pnl *pa, const struct rd_trader_features *a,
                        const struct rd_trader_features *b, int32_t from)
{
    size_t checked = 0;

    assert_int_equal(a->ndays, b->ndays);
    for (size_t i = 0; i < a->ndays; i++) {
        if (pa->days[i].day >= from)
            continue;
        assert_memory_equal(a->x + i * F, b->x + i * F, F * sizeof(double));
        assert_int_equal(a->rules_cut[i], b->rules_cut[i]);
        assert_int_equal(a->use[i], b->use[i]);
        checked++;
    }
    assert_true(checked > 100);
}

/* A different future changes no feature of an earlier day: own features,
 * the rules' cut and the market features all look back only. */
static void test_features_use_no_later_day(void **state)
{
    (void)state;
    for (int32_t cut = START + 25; cut < START + 200; cut += 37) {
        struct rd_fills fa, fb;
        struct rd_pnl pa, pb;
        struct rd_trader_features xa, xb;

        make(&fa, &pa, 12, 200, 0, 0);
        make(&fb, &pb, 12, 200, cut, 7);
        features(&fa, &pa, START + 199, &xa);
        features(&fb, &pb, START + 199, &xb);
        same_before(&pa, &xa, &xb, cut);
        /* and the same as computing with the report date the day before */
        rd_trader_features_release(&xb);
        features(&fa, &pa, cut - 1, &xb);
        same_before(&pa, &xa, &xb, cut);
        for (size_t i = 0; i < pa.ndays; i++)
            if (pa.days[i].day >= cut)
                assert_int_equal(xb.use[i], 0);     /* after the report date: unused */
        rd_trader_features_release(&xa);
        rd_trader_features_release(&xb);
        rd_pnl_release(&pa);
        rd_pnl_release(&pb);
        rd_fills_release(&fa);
        rd_fills_release(&fb);
    }
}

/* A changed test period changes nothing the model learnt: same split, same
 * standardisation, same coefficients, same predictions for training days. */
static void test_fit_does_not_see_the_test_period(void **state)
{
    struct rd_fills fa, fb;
    struct rd_pnl pa, pb;
    struct rd_trader_features xa, xb;
    struct rd_trader_model ma, mb;
    struct rd_trader_model_config mc;
    struct rd_error err = {0};

    (void)state;
    rd_trader_model_config_init(&mc);
    make(&fa, &pa, 20, 160, 0, 0);
    features(&fa, &pa, START + 159, &xa);
    assert_int_equal(rd_trader_model_fit(&mc, &xa, &ma, &err), RD_OK);
    assert_true(ma.fitted);
    assert_int_equal(ma.test_to, START + 159);
    assert_int_equal(ma.test_from, xa.market_days[xa.nmarket - 30]);
    assert_int_equal(ma.cutoff, xa.market_days[xa.nmarket - 31]);
    assert_true(ma.train_to <= ma.cutoff);
    assert_true(ma.n_train >= 200);
    assert_true(ma.n_test > 0);

    make(&fb, &pb, 20, 160, ma.cutoff + 1, 99);
    features(&fb, &pb, START + 159, &xb);
    assert_int_equal(rd_trader_model_fit(&mc, &xb, &mb, &err), RD_OK);
    assert_int_equal(mb.cutoff, ma.cutoff);
    assert_int_equal(mb.n_train, ma.n_train);
    assert_memory_equal(ma.mean, mb.mean, sizeof ma.mean);
    assert_memory_equal(ma.sd, mb.sd, sizeof ma.sd);
    assert_memory_equal(ma.coef, mb.coef, sizeof ma.coef);
    assert_true(ma.intercept == mb.intercept);
    for (size_t i = 0; i < pa.ndays; i++) {
        if (pa.days[i].day > ma.cutoff)
            continue;
        assert_true(rd_trader_model_predict(&ma, xa.x + i * F) ==
                    rd_trader_model_predict(&mb, xb.x + i * F));
    }
    /* the test scores do see it */
    assert_true(ma.model_mse != mb.model_mse || ma.rules_mse != mb.rules_mse);
    rd_trader_features_release(&xa);
    rd_trader_features_release(&xb);
    rd_pnl_release(&pa);
    rd_pnl_release(&pb);
    rd_fills_release(&fa);
    rd_fills_release(&fb);
}

static void test_fallback_few_samples(void **state)
{
    struct rd_fills fs;
    struct rd_pnl pnl;
    struct rd_trader_features x;
    struct rd_trader_model m;
    struct rd_trader_model_config mc;
    struct rd_error err = {0};

    (void)state;
    rd_trader_model_config_init(&mc);
    /* 3 active traders, 50 days: about 3 x (50 - 30 - 10) training samples */
    make(&fs, &pnl, 4, 50, 0, 0);
    features(&fs, &pnl, START + 49, &x);
    assert_int_equal(rd_trader_model_fit(&mc, &x, &m, &err), RD_OK);
    assert_false(m.use);
    assert_true(m.n_train < 200);
    assert_non_null(strstr(m.why, "training samples; the model needs at least 200"));
    /* 20 days: fewer than the test period */
    rd_trader_features_release(&x);
    features(&fs, &pnl, START + 19, &x);
    assert_int_equal(rd_trader_model_fit(&mc, &x, &m, &err), RD_OK);
    assert_false(m.use);
    assert_false(m.fitted);
    assert_non_null(strstr(m.why, "held out for testing"));
    /* turned off */
    mc.enabled = 0;
    assert_int_equal(rd_trader_model_fit(&mc, &x, &m, &err), RD_OK);
    assert_false(m.use);
    assert_non_null(strstr(m.why, "turned off"));
    rd_trader_features_release(&x);
    rd_pnl_release(&pnl);
    rd_fills_release(&fs);
}

/* The model is used only when it beats the rules by the gain asked for. */
static void test_fallback_not_better_enough(void **state)
{
    struct rd_fills fs;
    struct rd_pnl pnl;
    struct rd_trader_features x;
    struct rd_trader_model m;
    struct rd_trader_model_config mc;
    struct rd_error err = {0};
    double gain;

    (void)state;
    rd_trader_model_config_init(&mc);
    make(&fs, &pnl, 30, 200, 0, 0);
    features(&fs, &pnl, START + 199, &x);
    assert_int_equal(rd_trader_model_fit(&mc, &x, &m, &err), RD_OK);
    assert_true(m.fitted);
    assert_true(m.rules_mse > 0);
    gain = 1.0 - m.model_mse / m.rules_mse;
    assert_int_equal(m.use, m.model_mse <= 0.9 * m.rules_mse);
    if (gain > 0.001) {
        mc.min_gain_ppm = (int64_t)(gain * 1e6) - 500;          /* just below the gain */
        assert_int_equal(rd_trader_model_fit(&mc, &x, &m, &err), RD_OK);
        assert_true(m.use);
        assert_non_null(strstr(m.why, "model: its test MSE"));
    }
    mc.min_gain_ppm = gain > 0 ? (int64_t)(gain * 1e6) + 500 : 0;  /* just above */
    if (gain > 0) {
        assert_int_equal(rd_trader_model_fit(&mc, &x, &m, &err), RD_OK);
        assert_false(m.use);
        assert_non_null(strstr(m.why, "rules: the model's test MSE"));
    }
    /* enough samples asked for that there are too few */
    rd_trader_model_config_init(&mc);
    mc.min_gain_ppm = 0;
    mc.min_train_samples = (int)m.n_train + 1;
    assert_int_equal(rd_trader_model_fit(&mc, &x, &m, &err), RD_OK);
    assert_false(m.use);
    mc.min_train_samples = (int)m.n_train;
    assert_int_equal(rd_trader_model_fit(&mc, &x, &m, &err), RD_OK);
    assert_int_equal(m.use, m.model_mse <= m.rules_mse);
    rd_trader_features_release(&x);
    rd_pnl_release(&pnl);
    rd_fills_release(&fs);
}

/* Same data, same numbers, bit for bit. */
static void test_fit_is_deterministic(void **state)
{
    struct rd_fills fs;
    struct rd_pnl pnl;
    struct rd_trader_features x;
    struct rd_trader_model a, b;
    struct rd_trader_model_config mc;
    struct rd_error err = {0};

    (void)state;
    rd_trader_model_config_init(&mc);
    make(&fs, &pnl, 15, 150, 0, 0);
    features(&fs, &pnl, START + 149, &x);
    assert_int_equal(rd_trader_model_fit(&mc, &x, &a, &err), RD_OK);
    assert_int_equal(rd_trader_model_fit(&mc, &x, &b, &err), RD_OK);
    assert_memory_equal(&a, &b, sizeof a);
    rd_trader_features_release(&x);
    rd_pnl_release(&pnl);
    rd_fills_release(&fs);
}

/* Features by hand on a short series: one trader, days 1..6. */
static void test_feature_values(void **state)
{
    struct rd_fills fs;
    struct rd_pnl pnl;
    struct rd_trader_features x;
    struct rd_error err = {0};
    const int64_t net[] = {100, -50, -30, 200, -10, -40};
    uint32_t id;

    (void)state;
    rd_fills_init(&fs);
    rd_pnl_init(&pnl);
    assert_int_equal(rd_names_intern(&fs.traders, "solo", 4, &id, &err), RD_OK);
    for (int d = 0; d < 6; d++) {
        struct rd_daily_pnl row = {.trader = id, .day = START + d, .pnl = RD_DOLLARS(net[d])};

        assert_int_equal(rd_fills_add_daily(&fs, &row, &err), RD_OK);
    }
    assert_int_equal(rd_pnl_compute(&fs, &pnl, &err), RD_OK);
    features(&fs, &pnl, START + 10, &x);
    assert_int_equal(x.nmarket, 6);
    {
        const double *r = x.x + 5 * F;      /* day 6: |net| mean 430 / 6 */
        double scale = 430.0 / 6.0;

        assert_float_equal(r[RD_TF_LAST], -40 / scale, 1e-12);
        assert_float_equal(r[RD_TF_STREAK], 2, 0);
        /* cumulative 100 50 20 220 210 170: peak 220, drawdown 50 */
        assert_float_equal(r[RD_TF_DRAWDOWN], 50 / scale, 1e-12);
        /* last 5: -50 -30 200 -10 -40, mean 14 */
        assert_float_equal(r[RD_TF_MEAN5], 14 / scale, 1e-12);
        assert_float_equal(r[RD_TF_MEAN20], (170.0 / 6) / scale, 1e-12);
        /* the only trader: the market is the trader */
        assert_float_equal(r[RD_TF_MKT_DAY], r[RD_TF_LAST], 1e-12);
        assert_float_equal(x.x[0 * F + RD_TF_VOL5], 0, 0);      /* one day: no std */
    }
    assert_int_equal(x.use[5], 0);          /* 6 days < 10: limited history */
    assert_int_equal(x.next[4], 5);
    assert_int_equal(x.next[5], -1);
    rd_trader_features_release(&x);
    rd_pnl_release(&pnl);
    rd_fills_release(&fs);
}

/* The cut series is rd_trader_assess on every day. */
static void test_cut_series_matches_assess(void **state)
{
    struct rd_fills fs;
    struct rd_pnl pnl;
    struct rd_trader_rules_config rc;
    struct rd_error err = {0};
    size_t fired = 0;

    (void)state;
    make(&fs, &pnl, 6, 300, 0, 0);
    for (int variant = 0; variant < 2; variant++) {
        rd_trader_rules_config_init(&rc);
        if (variant) {
            rc.combine = RD_CUT_SUM;
            rc.window_days = 12;
            rc.loss_percentile_ppm = 123456;
        }
        for (uint32_t t = 0; t < pnl.ntraders; t++) {
            const struct rd_pnl_day *d = pnl.days + pnl.span[t].first;
            size_t n = pnl.span[t].count;
            int64_t *cut = rd_malloc(n * sizeof *cut);

            assert_non_null(cut);
            assert_int_equal(rd_trader_cut_series(&rc, d, n, cut, &err), RD_OK);
            for (size_t j = 0; j < n; j++) {
                struct rd_trader_assessment a;

                assert_int_equal(rd_trader_assess(&rc, d, n, d[j].day, 0, &a, &err), RD_OK);
                assert_int_equal(cut[j], a.limited ? 0 : a.cut_ppm);
                fired += cut[j] > 0;
            }
            rd_free(cut);
        }
    }
    assert_true(fired > 50);
    rd_pnl_release(&pnl);
    rd_fills_release(&fs);
}

static void test_model_cut(void **state)
{
    struct rd_trader_rules_config rc;
    struct rd_trader_model_config mc;

    (void)state;
    rd_trader_rules_config_init(&rc);
    rd_trader_model_config_init(&mc);
    assert_int_equal(rd_trader_model_cut(&mc, &rc, -0.2), 0);
    assert_int_equal(rd_trader_model_cut(&mc, &rc, 0.024), 0);
    assert_int_equal(rd_trader_model_cut(&mc, &rc, 0.026), 50000);
    assert_int_equal(rd_trader_model_cut(&mc, &rc, 0.31), 300000);
    assert_int_equal(rd_trader_model_cut(&mc, &rc, 5.0), 800000);
    assert_int_equal(rd_trader_model_cut(&mc, &rc, 0.0 / 0.0), 0);
}

static void test_config_check(void **state)
{
    struct rd_trader_model_config mc;
    struct rd_error err = {0};

    (void)state;
    rd_trader_model_config_init(&mc);
    assert_int_equal(rd_trader_model_config_check(&mc, &err), RD_OK);
    mc.test_days = 0;
    assert_int_equal(rd_trader_model_config_check(&mc, &err), RD_ECONFIG);
    assert_non_null(strstr(err.msg, "test_days"));
    rd_trader_model_config_init(&mc);
    mc.ridge_lambda = 0;
    assert_int_equal(rd_trader_model_config_check(&mc, &err), RD_ECONFIG);
}

/* Out of memory at every allocation: an error, nothing leaked (ASan). */
static void test_features_nomem(void **state)
{
    struct rd_fills fs;
    struct rd_pnl pnl;
    struct rd_trader_rules_config rc;
    struct rd_trader_model_config mc;
    struct rd_trader_features x;
    struct rd_error err = {0};
    int ok = 0;

    (void)state;
    rd_trader_rules_config_init(&rc);
    rd_trader_model_config_init(&mc);
    make(&fs, &pnl, 4, 40, 0, 0);
    rd_trader_features_init(&x);
    for (long n = 1; n < 100 && !ok; n++) {
        int rc_;

        rd_alloc_fail_after(n);
        rc_ = rd_trader_features_compute(&rc, &mc, &fs, &pnl, START + 39, &x, &err);
        rd_alloc_fail_after(0);
        if (rc_ == RD_OK)
            ok = 1;
        else
            assert_int_equal(rc_, RD_ENOMEM);
    }
    assert_true(ok);
    rd_trader_features_release(&x);
    rd_pnl_release(&pnl);
    rd_fills_release(&fs);
}

/* A report whose model qualifies: the model sets the cuts, and says so. */
static void test_report_with_the_model(void **state)
{
    struct rd_fills fs;
    struct rd_pnl pnl;
    struct rd_traders_report rep;
    struct rd_trader_rules_config rc;
    struct rd_trader_model_config mc;
    struct rd_error err = {0};
    struct rd_buf out;
    size_t modelled = 0;

    (void)state;
    rd_trader_rules_config_init(&rc);
    rd_trader_model_config_init(&mc);
    make(&fs, &pnl, 30, 200, 0, 0);
    assert_int_equal(rd_traders_report_build(&fs, &pnl, &rc, START + 199, &rep, &err), RD_OK);
    assert_int_equal(rd_traders_report_model(&rep, &fs, &pnl, &mc, &err), RD_OK);
    assert_true(rep.model.use);                     /* 13% better on this data */
    assert_string_equal(rd_traders_report_system(&rep), "model");
    for (size_t i = 0; i < rep.nrows; i++) {
        const struct rd_traders_report_row *row = &rep.rows[i];
        int64_t want;

        if (row->status == RD_STATUS_LIMITED || row->status == RD_STATUS_NO_DATA) {
            assert_false(row->has_features);
            continue;
        }
        assert_true(row->has_features && row->has_output);
        want = rd_trader_model_cut(&mc, &rc, row->output);
        assert_int_equal(row->a.cut_ppm, want);
        assert_int_equal(row->a.new_limit,
                         want ? rd_muldiv(row->a.old_limit, RD_PPM - want, RD_PPM) /
                                    rc.limit_step * rc.limit_step
                              : row->a.old_limit);
        assert_non_null(strstr(row->model_reason, "model: a cut of "));
        modelled++;
        if (i > 0)
            assert_true(rep.rows[i - 1].status <= row->status);
    }
    assert_true(modelled >= 20);
    rd_buf_init(&out, 1 << 24);
    assert_int_equal(rd_traders_report_render(&rep, RD_REPORT_TEXT, &out, &err), RD_OK);
    assert_non_null(strstr(rd_buf_str(&out), "System: model (pooled ridge regression"));
    assert_non_null(strstr(rd_buf_str(&out), "Model: model: its test MSE"));
    assert_non_null(strstr(rd_buf_str(&out), "(system: model)"));
    rd_buf_reset(&out);
    assert_int_equal(rd_traders_report_render(&rep, RD_REPORT_JSON, &out, &err), RD_OK);
    assert_non_null(strstr(rd_buf_str(&out), "\"system\": \"model\""));
    assert_non_null(strstr(rd_buf_str(&out), "\"used\": true"));
    assert_non_null(strstr(rd_buf_str(&out), "\"model_output\": "));
    rd_buf_reset(&out);
    assert_int_equal(rd_traders_report_render(&rep, RD_REPORT_HTML, &out, &err), RD_OK);
    assert_non_null(strstr(rd_buf_str(&out), "System: <b>model"));
    rd_buf_release(&out);
    /* turned off: the rules, and the rows keep the rules' cuts */
    rd_traders_report_release(&rep);
    mc.enabled = 0;
    assert_int_equal(rd_traders_report_build(&fs, &pnl, &rc, START + 199, &rep, &err), RD_OK);
    assert_int_equal(rd_traders_report_model(&rep, &fs, &pnl, &mc, &err), RD_OK);
    assert_string_equal(rd_traders_report_system(&rep), "rules");
    for (size_t i = 0; i < rep.nrows; i++)
        if (rep.rows[i].has_features)
            assert_int_equal(rep.rows[i].a.cut_ppm, rep.rows[i].rules_cut_ppm);
    rd_traders_report_release(&rep);
    rd_pnl_release(&pnl);
    rd_fills_release(&fs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_features_use_no_later_day),
        cmocka_unit_test(test_fit_does_not_see_the_test_period),
        cmocka_unit_test(test_fallback_few_samples),
        cmocka_unit_test(test_fallback_not_better_enough),
        cmocka_unit_test(test_fit_is_deterministic),
        cmocka_unit_test(test_feature_values),
        cmocka_unit_test(test_cut_series_matches_assess),
        cmocka_unit_test(test_model_cut),
        cmocka_unit_test(test_config_check),
        cmocka_unit_test(test_features_nomem),
        cmocka_unit_test(test_report_with_the_model),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
