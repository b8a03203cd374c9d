/*
 * trader_model.c - features, the temporal split, a closed-form ridge
 * regression and its score against the rules (see trader_model.h).
 *
 * Doubles are statistics only here: the cuts that reach a limit are rounded
 * to ppm steps by rd_trader_model_cut and applied in exact money by the report.
 * Every sum runs in a fixed order (trader-days in the order of the struct
 * rd_pnl), so the same data gives the same coefficients bit for bit.
 */
#include "riskdesk/trader_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "riskdesk/calendar.h"
#include "riskdesk/banned.h"

#define F RD_TF_COUNT
#define SHORT_DAYS 5
#define LONG_DAYS 20
#define MARKET_DAYS 5

void rd_trader_model_config_init(struct rd_trader_model_config *mc)
{
    memset(mc, 0, sizeof *mc);
    mc->enabled = 1;
    mc->test_days = 30;
    mc->min_train_samples = 200;
    mc->min_gain_ppm = 100000;
    mc->ridge_lambda = 1.0;
    mc->scale_days = 60;
    mc->cut_step_ppm = 50000;
}

int rd_trader_model_config_check(const struct rd_trader_model_config *mc, struct rd_error *err)
{
#define NEED(cond, what)                                                                   \
    do {                                                                                   \
        if (!(cond))                                                                       \
            return rd_error_set(err, RD_ECONFIG, "trader model: %s", what);                \
    } while (0)
    NEED(mc->test_days >= 1 && mc->test_days <= 10000, "test_days must be from 1 to 10000");
    NEED(mc->min_train_samples >= 1, "min_train_samples must be at least 1");
    NEED(mc->min_gain_ppm >= 0 && mc->min_gain_ppm < RD_PPM, "min_gain must be from 0 to below 1");
    NEED(mc->ridge_lambda > 0 && mc->ridge_lambda <= 1e9, "ridge_lambda must be above 0");
    NEED(mc->scale_days >= 1 && mc->scale_days <= 10000, "scale_days must be from 1 to 10000");
    NEED(mc->cut_step_ppm > 0 && mc->cut_step_ppm <= RD_PPM, "cut_step must be above 0, at most 1");
    return RD_OK;
#undef NEED
}

const char *rd_trader_feature_name(enum rd_trader_feature f)
{
    static const char *const names[F] = {"last_pnl", "loss_streak", "drawdown",
                                         "mean_5d",  "mean_20d",    "vol_5d",
                                         "vol_20d",  "market_day",  "market_5d"};

    return (unsigned)f < F ? names[f] : "?";
}

void rd_trader_features_init(struct rd_trader_features *f)
{
    memset(f, 0, sizeof *f);
}

void rd_trader_features_release(struct rd_trader_features *f)
{
    rd_free(f->x);
    rd_free(f->day);
    rd_free(f->rules_cut);
    rd_free(f->next);
    rd_free(f->use);
    rd_free(f->market_days);
    memset(f, 0, sizeof *f);
}

static double dollars(rd_money v)
{
    return (double)v / (double)RD_MONEY_SCALE;
}

/* Mean and sample std of net over days[from..to] (inclusive), in dollars. */
static void mean_std(const struct rd_pnl_day *d, size_t from, size_t to, double *mean, double *sd)
{
    size_t n = to - from + 1;
    double s = 0, ss = 0, m;

    for (size_t i = from; i <= to; i++)
        s += dollars(d[i].net);
    m = s / (double)n;
    for (size_t i = from; i <= to; i++) {
        double e = dollars(d[i].net) - m;

        ss += e * e;
    }
    *mean = m;
    *sd = n >= 2 ? sqrt(ss / (double)(n - 1)) : 0.0;
}

/*
 * One trader's own features for days[0..n) (all on or before the report day),
 * rows of x from the trader's first day. Reads days[0..j] for row j only.
 */
static void trader_features(const struct rd_trader_rules_config *rc,
                            const struct rd_trader_model_config *mc, const struct rd_pnl_day *d,
                            size_t n, double *x)
{
    double abs_sum = 0;
    int streak = 0;

    for (size_t j = 0; j < n; j++) {
        double *row = x + j * F;
        size_t sfrom = j + 1 > (size_t)mc->scale_days ? j + 1 - (size_t)mc->scale_days : 0;
        size_t wfrom = j + 1 > (size_t)rc->window_days ? j + 1 - (size_t)rc->window_days : 0;
        size_t f5 = j + 1 > SHORT_DAYS ? j + 1 - SHORT_DAYS : 0;
        size_t f20 = j + 1 > LONG_DAYS ? j + 1 - LONG_DAYS : 0;
        double scale, mean, sd;
        rd_money cum = 0, peak = 0;

        abs_sum += fabs(dollars(d[j].net));
        if (j + 1 > (size_t)mc->scale_days)
            abs_sum -= fabs(dollars(d[j - (size_t)mc->scale_days].net));
        /* recomputed now and then so the running sum cannot drift */
        if (j % 1024 == 1023) {
            abs_sum = 0;
            for (size_t i = sfrom; i <= j; i++)
                abs_sum += fabs(dollars(d[i].net));
        }
        scale = abs_sum / (double)(j + 1 - sfrom);
        if (scale < 1.0)
            scale = 1.0;
        streak = d[j].net < 0 ? streak + 1 : 0;
        for (size_t i = wfrom; i <= j; i++) {
            cum += d[i].net;
            if (cum > peak)
                peak = cum;
        }
        row[RD_TF_LAST] = dollars(d[j].net) / scale;
        row[RD_TF_STREAK] = streak;
        row[RD_TF_DRAWDOWN] = dollars(peak - cum) / scale;
        mean_std(d, f5, j, &mean, &sd);
        row[RD_TF_MEAN5] = mean / scale;
        row[RD_TF_VOL5] = sd / scale;
        mean_std(d, f20, j, &mean, &sd);
        row[RD_TF_MEAN20] = mean / scale;
        row[RD_TF_VOL20] = sd / scale;
    }
}

static int cmp_day(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

    return (x > y) - (x < y);
}

/* Index of day in the ascending days[0..n); it is there. */
static size_t find_day(const int32_t *days, size_t n, int32_t day)
{
    size_t lo = 0, hi = n;

    while (lo + 1 < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (days[mid] <= day)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* The trader's days on or before report_day: the first *n of its span. */
static size_t days_upto(const struct rd_pnl *pnl, uint32_t t, int32_t report_day)
{
    const struct rd_pnl_span *sp = &pnl->span[t];
    size_t n = sp->count;

    while (n > 0 && pnl->days[sp->first + n - 1].day > report_day)
        n--;
    return n;
}

int rd_trader_features_compute(const struct rd_trader_rules_config *rc,
                               const struct rd_trader_model_config *mc, const struct rd_fills *fs,
                               const struct rd_pnl *pnl, int32_t report_day,
                               struct rd_trader_features *out, struct rd_error *err)
{
    size_t nd = pnl->ndays, nm = 0, k;
    double *msum = NULL, *mday = NULL;
    int64_t *mcount = NULL;
    int rc_;

    rd_trader_features_release(out);
    rc_ = rd_trader_rules_config_check(rc, err);
    if (rc_ == RD_OK)
        rc_ = rd_trader_model_config_check(mc, err);
    if (rc_ != RD_OK)
        return rc_;
    out->ndays = nd;
    out->report_day = report_day;
    out->x = rd_calloc(nd ? nd * F : 1, sizeof *out->x);
    out->day = rd_malloc((nd ? nd : 1) * sizeof *out->day);
    out->rules_cut = rd_calloc(nd ? nd : 1, sizeof *out->rules_cut);
    out->next = rd_malloc((nd ? nd : 1) * sizeof *out->next);
    out->use = rd_calloc(nd ? nd : 1, 1);
    out->market_days = rd_malloc((nd ? nd : 1) * sizeof *out->market_days);
    if (!out->x || !out->day || !out->rules_cut || !out->next || !out->use || !out->market_days)
        goto nomem;
    for (size_t i = 0; i < nd; i++) {
        out->next[i] = -1;
        out->day[i] = pnl->days[i].day;
    }

    /* each active trader's own features, and the market's days */
    for (uint32_t t = 0; t < pnl->ntraders; t++) {
        const struct rd_pnl_span *sp = &pnl->span[t];
        size_t n = days_upto(pnl, t, report_day);

        if (n == 0 || rd_trader_is_legacy(fs->traders.name[t]))
            continue;
        rc_ = rd_trader_cut_series(rc, pnl->days + sp->first, n, out->rules_cut + sp->first, err);
        if (rc_ != RD_OK)
            goto fail;
        trader_features(rc, mc, pnl->days + sp->first, n, out->x + sp->first * F);
        for (size_t j = 0; j < n; j++) {
            out->use[sp->first + j] = j + 1 >= (size_t)rc->min_history_days;
            out->next[sp->first + j] = j + 1 < n ? (int64_t)(sp->first + j + 1) : -1;
            out->market_days[nm++] = pnl->days[sp->first + j].day;
        }
    }
    if (nm > 1)
        qsort(out->market_days, nm, sizeof *out->market_days, cmp_day);
    k = 0;
    for (size_t i = 0; i < nm; i++)
        if (k == 0 || out->market_days[k - 1] != out->market_days[i])
            out->market_days[k++] = out->market_days[i];
    out->nmarket = nm = k;

    /* the market: mean scaled net of the traders with data each day */
    msum = rd_calloc(nm ? nm : 1, sizeof *msum);
    mcount = rd_calloc(nm ? nm : 1, sizeof *mcount);
    mday = rd_calloc(nm ? nm : 1, sizeof *mday);
    if (!msum || !mcount || !mday)
        goto nomem;
    for (uint32_t t = 0; t < pnl->ntraders; t++) {
        const struct rd_pnl_span *sp = &pnl->span[t];
        size_t n = days_upto(pnl, t, report_day);

        if (n == 0 || rd_trader_is_legacy(fs->traders.name[t]))
            continue;
        for (size_t j = 0; j < n; j++) {
            size_t i = sp->first + j, m = find_day(out->market_days, nm, pnl->days[i].day);

            msum[m] += out->x[i * F + RD_TF_LAST];
            mcount[m]++;
        }
    }
    for (size_t m = 0; m < nm; m++)
        mday[m] = mcount[m] ? msum[m] / (double)mcount[m] : 0.0;
    for (uint32_t t = 0; t < pnl->ntraders; t++) {
        const struct rd_pnl_span *sp = &pnl->span[t];
        size_t n = days_upto(pnl, t, report_day);

        if (n == 0 || rd_trader_is_legacy(fs->traders.name[t]))
            continue;
        for (size_t j = 0; j < n; j++) {
            size_t i = sp->first + j, m = find_day(out->market_days, nm, pnl->days[i].day);
            size_t from = m + 1 > MARKET_DAYS ? m + 1 - MARKET_DAYS : 0;
            double s = 0;

            for (size_t q = from; q <= m; q++)
                s += mday[q];
            out->x[i * F + RD_TF_MKT_DAY] = mday[m];
            out->x[i * F + RD_TF_MKT5] = s / (double)(m + 1 - from);
        }
    }
    rc_ = RD_OK;
    goto out;
nomem:
    rc_ = rd_error_set(err, RD_ENOMEM, "out of memory computing the model's features");
fail:
    rd_trader_features_release(out);
out:
    rd_free(msum);
    rd_free(mcount);
    rd_free(mday);
    return rc_;
}

/* ---------------------------------------------------------------- fit */

/* Solves A z = b for a symmetric positive definite A (n x n, row-major) in
 * place by Cholesky; returns -1 when A is not positive definite. */
static int cholesky_solve(double *a, double *b, int n)
{
    for (int j = 0; j < n; j++) {
        double s = a[j * n + j];

        for (int k = 0; k < j; k++)
            s -= a[j * n + k] * a[j * n + k];
        if (!(s > 0))
            return -1;
        a[j * n + j] = sqrt(s);
        for (int i = j + 1; i < n; i++) {
            double t = a[i * n + j];

            for (int k = 0; k < j; k++)
                t -= a[i * n + k] * a[j * n + k];
            a[i * n + j] = t / a[j * n + j];
        }
    }
    for (int i = 0; i < n; i++) {           /* L y = b */
        double t = b[i];

        for (int k = 0; k < i; k++)
            t -= a[i * n + k] * b[k];
        b[i] = t / a[i * n + i];
    }
    for (int i = n - 1; i >= 0; i--) {      /* L' z = y */
        double t = b[i];

        for (int k = i + 1; k < n; k++)
            t -= a[k * n + i] * b[k];
        b[i] = t / a[i * n + i];
    }
    return 0;
}

double rd_trader_model_predict(const struct rd_trader_model *m, const double *x)
{
    double y = m->intercept;

    for (int f = 0; f < F; f++)
        y += m->coef[f] * (x[f] - m->mean[f]) / m->sd[f];
    return y;
}

int64_t rd_trader_model_cut(const struct rd_trader_model_config *mc,
                            const struct rd_trader_rules_config *rc, double pred)
{
    double ppm = pred * (double)RD_PPM;
    int64_t steps, cut;

    if (!(ppm > 0))                         /* NaN too */
        return 0;
    if (ppm > (double)rc->max_cut_ppm)
        ppm = (double)rc->max_cut_ppm;
    steps = (int64_t)floor(ppm / (double)mc->cut_step_ppm + 0.5);
    cut = steps * mc->cut_step_ppm;
    return cut > rc->max_cut_ppm ? rc->max_cut_ppm : cut;
}

static double target(const struct rd_trader_features *f, size_t i)
{
    return (double)f->rules_cut[f->next[i]] / (double)RD_PPM;
}

int rd_trader_model_fit(const struct rd_trader_model_config *mc,
                        const struct rd_trader_features *f, struct rd_trader_model *m,
                        struct rd_error *err)
{
    double a[F * F], b[F], ybar = 0, lambda = mc->ridge_lambda;
    double se_model = 0, se_rules = 0;
    char d1[16], d2[16];
    int rc;

    memset(m, 0, sizeof *m);
    rc = rd_trader_model_config_check(mc, err);
    if (rc != RD_OK)
        return rc;
    if (!mc->enabled) {
        snprintf(m->why, sizeof m->why, "rules: the model is turned off in the config");
        return RD_OK;
    }
    if (f->nmarket <= (size_t)mc->test_days) {
        snprintf(m->why, sizeof m->why,
                 "rules: %zu trading days of data; the model needs more than the %d held out "
                 "for testing", f->nmarket, mc->test_days);
        return RD_OK;
    }
    m->test_from = f->market_days[f->nmarket - (size_t)mc->test_days];
    m->test_to = f->market_days[f->nmarket - 1];
    m->cutoff = f->market_days[f->nmarket - (size_t)mc->test_days - 1];

    /* pass 1: which samples train and test, the training means */
    for (size_t i = 0; i < f->ndays; i++) {
        int32_t tday;

        if (!f->use[i] || f->next[i] < 0)
            continue;
        tday = f->day[f->next[i]];
        if (tday <= m->cutoff) {
            if (!m->n_train || tday < m->train_from)
                m->train_from = tday;
            if (!m->n_train || tday > m->train_to)
                m->train_to = tday;
            m->n_train++;
            for (int p = 0; p < F; p++)
                m->mean[p] += f->x[i * F + p];
            ybar += target(f, i);
        } else {
            m->n_test++;
        }
    }
    if (m->n_train < 2) {
        snprintf(m->why, sizeof m->why,
                 "rules: %zu training samples; the model needs at least %d", m->n_train,
                 mc->min_train_samples);
        return RD_OK;
    }
    for (int p = 0; p < F; p++)
        m->mean[p] /= (double)m->n_train;
    ybar /= (double)m->n_train;

    /* pass 2: standard deviations */
    for (size_t i = 0; i < f->ndays; i++) {
        if (!f->use[i] || f->next[i] < 0 || f->day[f->next[i]] > m->cutoff)
            continue;
        for (int p = 0; p < F; p++) {
            double e = f->x[i * F + p] - m->mean[p];

            m->sd[p] += e * e;
        }
    }
    for (int p = 0; p < F; p++) {
        m->sd[p] = sqrt(m->sd[p] / (double)(m->n_train - 1));
        if (!(m->sd[p] > 1e-12))
            m->sd[p] = 1.0;                 /* a constant feature: coefficient 0 */
    }

    /* pass 3: (Z'Z + lambda I) beta = Z'(y - ybar) on standardised Z */
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    for (size_t i = 0; i < f->ndays; i++) {
        double z[F], y;

        if (!f->use[i] || f->next[i] < 0 || f->day[f->next[i]] > m->cutoff)
            continue;
        for (int p = 0; p < F; p++)
            z[p] = (f->x[i * F + p] - m->mean[p]) / m->sd[p];
        y = target(f, i) - ybar;
        for (int p = 0; p < F; p++) {
            b[p] += z[p] * y;
            for (int q = 0; q <= p; q++)
                a[p * F + q] += z[p] * z[q];
        }
    }
    for (int p = 0; p < F; p++) {
        for (int q = p + 1; q < F; q++)
            a[p * F + q] = a[q * F + p];
        a[p * F + p] += lambda;
    }
    if (cholesky_solve(a, b, F) != 0) {
        snprintf(m->why, sizeof m->why, "rules: the model's equations are singular");
        return RD_OK;
    }
    memcpy(m->coef, b, sizeof b);
    m->intercept = ybar;
    m->fitted = 1;

    /* the test period: both forecasts of the same targets */
    for (size_t i = 0; i < f->ndays; i++) {
        double y, e;

        if (!f->use[i] || f->next[i] < 0 || f->day[f->next[i]] <= m->cutoff)
            continue;
        y = target(f, i);
        e = rd_trader_model_predict(m, f->x + i * F) - y;
        se_model += e * e;
        e = (double)f->rules_cut[i] / (double)RD_PPM - y;
        se_rules += e * e;
    }
    if (m->n_test) {
        m->model_mse = se_model / (double)m->n_test;
        m->rules_mse = se_rules / (double)m->n_test;
    }
    rd_date_format(m->test_from, d1, sizeof d1);
    rd_date_format(m->test_to, d2, sizeof d2);
    if (m->n_train < (size_t)mc->min_train_samples) {
        snprintf(m->why, sizeof m->why,
                 "rules: %zu training samples; the model needs at least %d", m->n_train,
                 mc->min_train_samples);
    } else if (m->n_test == 0) {
        snprintf(m->why, sizeof m->why, "rules: no test samples from %s to %s to score the model",
                 d1, d2);
    } else if (!(m->rules_mse > 0)) {
        snprintf(m->why, sizeof m->why,
                 "rules: the rules' forecasts were exact over the test period (MSE 0); the model "
                 "cannot beat them");
    } else {
        double gain = 1.0 - m->model_mse / m->rules_mse;
        double need = (double)mc->min_gain_ppm / (double)RD_PPM;

        /* exact in integers would be overkill: both are statistics */
        if (m->model_mse <= m->rules_mse * (1.0 - need)) {
            m->use = 1;
            snprintf(m->why, sizeof m->why,
                     "model: its test MSE %.5f is %.1f%% below the rules' %.5f (%.0f%% needed, "
                     "%zu training samples)", m->model_mse, 100.0 * gain, m->rules_mse,
                     100.0 * need, m->n_train);
        } else {
            snprintf(m->why, sizeof m->why,
                     "rules: the model's test MSE %.5f is %.1f%% %s the rules' %.5f (%.0f%% below "
                     "needed)", m->model_mse, 100.0 * fabs(gain), gain >= 0 ? "below" : "above",
                     m->rules_mse, 100.0 * need);
        }
    }
    return RD_OK;
}
