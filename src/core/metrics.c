/*
 * metrics.c - empyrical's performance metrics, ported operation by operation.
 *
 * Every function follows the order of floating-point operations of empyrical
 * (with bottleneck's sequential nanmean/nanstd) so that results agree to the
 * last bit or nearly: see shared METRICS.md. rd_metrics_compute fuses the
 * passes but performs the same operations as the single functions (a unit
 * test checks they agree exactly).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/metrics.h"
#include "riskdesk/banned.h"

#define NAN_D ((double)NAN)

/* ---------------------------------------------------------------- periods */

double rd_metrics_annualization(enum rd_period period)
{
    switch (period) {
    case RD_PERIOD_DAILY: return 252.0;
    case RD_PERIOD_WEEKLY: return 52.0;
    case RD_PERIOD_MONTHLY: return 12.0;
    case RD_PERIOD_QUARTERLY: return 4.0;
    case RD_PERIOD_YEARLY: return 1.0;
    }
    return 252.0;
}

static const char *const period_names[] = {"daily", "weekly", "monthly", "quarterly", "yearly"};

int rd_metrics_period_parse(const char *name, enum rd_period *out)
{
    for (size_t i = 0; i < sizeof period_names / sizeof period_names[0]; i++)
        if (strcmp(name, period_names[i]) == 0) {
            *out = (enum rd_period)i;
            return 0;
        }
    return -1;
}

const char *rd_metrics_period_name(enum rd_period period)
{
    if ((unsigned)period < sizeof period_names / sizeof period_names[0])
        return period_names[period];
    return "?";
}

void rd_metrics_params_init(struct rd_metrics_params *p)
{
    p->annualization = 252.0;
    p->risk_free = 0.0;
    p->required_return = 0.0;
    p->omega_required_return = 0.0;
    p->omega_annualization = 252.0;
}

#define FIELD(name) {#name, offsetof(struct rd_metrics_result, name)}
const struct rd_metrics_field rd_metrics_fields[] = {
    FIELD(cum_return), FIELD(annual_return), FIELD(annual_volatility), FIELD(sharpe),
    FIELD(sortino), FIELD(calmar), FIELD(max_drawdown), FIELD(omega), FIELD(tail_ratio),
    FIELD(downside_risk), FIELD(var_95), FIELD(cvar_95), FIELD(stability), FIELD(alpha),
    FIELD(beta), FIELD(information_ratio), FIELD(tracking_error), FIELD(up_capture),
    FIELD(down_capture),
};
#undef FIELD
const size_t rd_metrics_nfields = sizeof rd_metrics_fields / sizeof rd_metrics_fields[0];

/* ------------------------------------------------------------ primitives */

/* bottleneck's nanmean: sequential sum of the non-NaN values / their count. */
static double nanmean(const double *x, size_t n, double shift)
{
    double sum = 0.0;
    size_t m = 0;

    for (size_t i = 0; i < n; i++) {
        double v = x[i] - shift;

        if (v == v) {
            sum += v;
            m++;
        }
    }
    return m ? sum / (double)m : NAN_D;
}

/* bottleneck's nanstd with ddof = 1, two-pass, over x - shift. */
static double nanstd1(const double *x, size_t n, double shift)
{
    double sum = 0.0, mean, ss = 0.0;
    size_t m = 0;

    for (size_t i = 0; i < n; i++) {
        double v = x[i] - shift;

        if (v == v) {
            sum += v;
            m++;
        }
    }
    if (m <= 1)
        return NAN_D;
    mean = sum / (double)m;
    for (size_t i = 0; i < n; i++) {
        double v = x[i] - shift;

        if (v == v) {
            v -= mean;
            ss += v * v;
        }
    }
    return sqrt(ss / (double)(m - 1));
}

/* empyrical's _adjust_returns: x - adj, or x itself when adj is exactly 0. */
static inline double adjust(double x, double adj)
{
    return adj == 0.0 ? x : x - adj;
}

/* numpy's pairwise summation (the inner loop of np.add.reduce). */
static double pairwise_sum(const double *a, size_t n)
{
    if (n < 8) {
        double res = 0.0;

        for (size_t i = 0; i < n; i++)
            res += a[i];
        return res;
    }
    if (n <= 128) {
        double r[8], res;
        size_t i;

        for (int j = 0; j < 8; j++)
            r[j] = a[j];
        for (i = 8; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; j++)
                r[j] += a[i + (size_t)j];
        res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            res += a[i];
        return res;
    }
    {
        size_t n2 = n / 2;

        n2 -= n2 % 8;
        return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
    }
}

static double cagr(double growth, size_t n, double A)
{
    double years;

    if (n == 0)
        return NAN_D;
    years = (double)n / A;
    return pow(growth, 1.0 / years) - 1.0;
}

/* ------------------------------------------------------------ selection */

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;

    return (a > b) - (a < b);
}

#define SWAP(x, y) do { double t_ = (x); (x) = (y); (y) = t_; } while (0)

/*
 * Reorders a[0..n-1] (no NaNs, n > k) so that a[k] holds the k-th smallest,
 * everything before it is <= a[k] and everything after is >= a[k].
 * Quickselect with a median-of-three pivot; past 64 rounds it sorts the rest.
 */
static void select_kth(double *a, size_t n, size_t k)
{
    size_t l = 0, ir = n - 1;
    int rounds = 0;

    for (;;) {
        size_t i, j, mid;
        double piv;

        if (ir <= l + 1) {
            if (ir == l + 1 && a[ir] < a[l])
                SWAP(a[l], a[ir]);
            return;
        }
        if (++rounds > 64) {
            qsort(a + l, ir - l + 1, sizeof *a, cmp_double);
            return;
        }
        mid = l + (ir - l) / 2;
        SWAP(a[mid], a[l + 1]);
        if (a[l] > a[ir])
            SWAP(a[l], a[ir]);
        if (a[l + 1] > a[ir])
            SWAP(a[l + 1], a[ir]);
        if (a[l] > a[l + 1])
            SWAP(a[l], a[l + 1]);
        i = l + 1;
        j = ir;
        piv = a[l + 1];
        for (;;) {
            do
                i++;
            while (a[i] < piv);
            do
                j--;
            while (a[j] > piv);
            if (j < i)
                break;
            SWAP(a[i], a[j]);
        }
        a[l + 1] = a[j];
        a[j] = piv;
        if (j >= k)
            ir = j - 1;
        if (j <= k)
            l = i;
    }
}

static double max_of(const double *a, size_t n)
{
    double v = a[0];

    for (size_t i = 1; i < n; i++)
        if (a[i] > v)
            v = a[i];
    return v;
}

static double min_of(const double *a, size_t n)
{
    double v = a[0];

    for (size_t i = 1; i < n; i++)
        if (a[i] < v)
            v = a[i];
    return v;
}

/* numpy "linear" percentile: virtual index h = (k-1)*p and _lerp. */
static double lerp_at(double lo_v, double hi_v, double t)
{
    double diff = hi_v - lo_v;

    if (t >= 0.5)
        return hi_v - diff * (1.0 - t);
    return lo_v + diff * t;
}

/* Index arithmetic of numpy's _get_indexes / _get_gamma for method linear. */
static void pct_index(size_t k, double p, size_t *lo, size_t *hi, double *t)
{
    double h = (double)(k - 1) * p;

    if (h >= (double)(k - 1)) {
        /* numpy sets both neighbours to -1 (the last) and gamma = h - (-1) */
        *lo = *hi = k - 1;
        *t = h + 1.0;
        return;
    }
    *lo = (size_t)floor(h);
    *hi = *lo + 1;
    *t = h - floor(h);
}

double rd_metrics_percentile_sorted(const double *s, size_t k, double p)
{
    size_t lo, hi;
    double t;

    if (k == 0)
        return NAN_D;
    if (s[k - 1] != s[k - 1])      /* NaNs sort last: numpy returns NaN */
        return NAN_D;
    pct_index(k, p, &lo, &hi, &t);
    return lerp_at(s[lo], s[hi], t);
}

/*
 * Percentile p of the m values in a (no NaNs), reordering a. Elements at or
 * after `from` are all >= those before it (a previous selection), which lets
 * the upper percentiles skip the lower part.
 */
static double pct_select(double *a, size_t m, size_t from, double p)
{
    size_t lo, hi;
    double t, vlo, vhi;

    pct_index(m, p, &lo, &hi, &t);
    if (lo < from)
        from = 0;
    select_kth(a + from, m - from, lo - from);
    vlo = a[lo];
    vhi = hi == lo ? vlo : min_of(a + hi, m - hi);
    return lerp_at(vlo, vhi, t);
}

/* Copies the non-NaN values of r into dst; returns their count. */
static size_t copy_valid(const double *r, size_t n, double *dst)
{
    size_t m = 0;

    for (size_t i = 0; i < n; i++) {
        dst[m] = r[i];
        m += r[i] == r[i];
    }
    return m;
}

/* Mean of the k+1 smallest of the m values in a (no NaNs; k < m), reordering a. */
static double mean_smallest(double *a, size_t m, size_t k)
{
    double sum;

    select_kth(a, m, k);
    sum = pairwise_sum(a, k + 1);
    return sum / (double)(k + 1);
}

/*
 * The tail statistics of r[0..n-1] (m of them valid): VaR (NaN if any NaN),
 * CVaR and tail ratio, using scratch (2n doubles).
 *
 * Only the lowest and highest ~5% matter, so the values at or below lo_cut and
 * at or above hi_cut (the caller passes mean -/+ one std, which holds about
 * 16% of the values on each side for most return series) are first copied
 * into two small buffers, branch-free, and the order statistics are selected
 * there. Values below a cut are exactly the smallest ones, so this is exact;
 * when a buffer holds too few values (or the cuts are NaN) the whole valid
 * set is used instead.
 */
static void tail_stats(const double *r, size_t n, size_t m, double lo_cut, double hi_cut,
                       double *scratch, double *var, double *cvar, double *tail)
{
    size_t lo5, hi5, lo95, hi95, k, need, cl = 0, ch = 0, base, j;
    double t5, t95, v5, v95, vlo, vhi;
    double *lob = scratch, *hib = scratch + n;

    if (n == 0 || m == 0) {
        *var = *cvar = *tail = NAN_D;
        return;
    }
    k = (size_t)((double)(n - 1) * 0.05);
    pct_index(m, 0.05, &lo5, &hi5, &t5);
    pct_index(m, 0.95, &lo95, &hi95, &t95);
    for (size_t i = 0; i < n; i++) {
        double x = r[i];

        lob[cl] = x;
        cl += x <= lo_cut;
        hib[ch] = x;
        ch += x >= hi_cut;
    }
    /* lower tail: needs the hi5+1 smallest, and the k+1 smallest for CVaR */
    need = (k + 1 <= m && k > hi5 ? k : hi5) + 1;
    if (cl < need)
        cl = copy_valid(r, n, lob);
    select_kth(lob, cl, hi5);
    vhi = lob[hi5];
    vlo = lo5 == hi5 ? vhi : max_of(lob, hi5);
    v5 = lerp_at(vlo, vhi, t5);
    if (k + 1 > m) {
        *cvar = NAN_D;      /* NaNs sort last: one is among the k+1 lowest */
    } else {
        if (k > hi5)
            select_kth(lob + hi5 + 1, cl - hi5 - 1, k - hi5 - 1);
        /* k + 1 == hi5 or k == hi5: lob[0..k] are the k+1 smallest already */
        *cvar = pairwise_sum(lob, k + 1) / (double)(k + 1);
    }
    /* upper tail: the ch largest are sorted positions m-ch .. m-1 */
    if (ch < m - lo95)
        ch = copy_valid(r, n, hib);
    base = m - ch;
    j = lo95 - base;
    select_kth(hib, ch, j);
    vlo = hib[j];
    vhi = hi95 == lo95 ? vlo : min_of(hib + j + 1, ch - j - 1);
    v95 = lerp_at(vlo, vhi, t95);
    *var = m == n ? v5 : NAN_D;
    *tail = fabs(v95) / fabs(v5);
}

/* The cuts of tail_stats from the valid values: mean -/+ sample std. */
static void tail_cuts(const double *r, size_t n, size_t *m, double *lo_cut, double *hi_cut)
{
    double sum = 0.0, mean, ss = 0.0, sd;
    size_t k = 0;

    for (size_t i = 0; i < n; i++)
        if (r[i] == r[i]) {
            sum += r[i];
            k++;
        }
    *m = k;
    if (k < 2) {
        *lo_cut = *hi_cut = NAN_D;
        return;
    }
    mean = sum / (double)k;
    for (size_t i = 0; i < n; i++)
        if (r[i] == r[i])
            ss += (r[i] - mean) * (r[i] - mean);
    sd = sqrt(ss / (double)(k - 1));
    *lo_cut = mean - sd;
    *hi_cut = mean + sd;
}

/* ------------------------------------------------------------ single metrics */

/* np.nanprod(1 + r): the growth factor, NaN periods counting as 1. */
static double growth(const double *r, size_t n)
{
    double g = 1.0;

    for (size_t i = 0; i < n; i++) {
        double f = r[i] + 1.0;

        if (f == f)
            g *= f;
    }
    return g;
}

double rd_metrics_cum_return(const double *r, size_t n)
{
    if (n == 0)
        return NAN_D;
    return growth(r, n) - 1.0;
}

double rd_metrics_annual_return(const double *r, size_t n, double A)
{
    if (n == 0)
        return NAN_D;
    return cagr(growth(r, n), n, A);
}

double rd_metrics_annual_volatility(const double *r, size_t n, double A)
{
    if (n < 2)
        return NAN_D;
    return nanstd1(r, n, 0.0) * pow(A, 1.0 / 2.0);
}

double rd_metrics_sharpe(const double *r, size_t n, double rf, double A)
{
    if (n < 2)
        return NAN_D;
    return nanmean(r, n, rf) / nanstd1(r, n, rf) * sqrt(A);
}

double rd_metrics_downside_risk(const double *r, size_t n, double required, double A)
{
    double sum = 0.0;
    size_t m = 0;

    if (n == 0)
        return NAN_D;
    for (size_t i = 0; i < n; i++) {
        double d = r[i] - required;

        if (d == d) {
            d = d < 0.0 ? d : 0.0;
            sum += d * d;
            m++;
        }
    }
    if (m == 0)
        return NAN_D;
    return sqrt(sum / (double)m) * sqrt(A);
}

double rd_metrics_sortino(const double *r, size_t n, double required, double A)
{
    if (n < 2)
        return NAN_D;
    return nanmean(r, n, required) * A / rd_metrics_downside_risk(r, n, required, A);
}

double rd_metrics_max_drawdown(const double *r, size_t n)
{
    double c = 1.0, peak = 100.0, mdd = 0.0;

    if (n == 0)
        return NAN_D;
    /* t = 0 is the start value 100: drawdown 0 */
    for (size_t i = 0; i < n; i++) {
        double x = r[i] == r[i] ? r[i] : 0.0;
        double w, dd;

        c *= x + 1.0;
        w = c * 100.0;
        peak = fmax(peak, w);
        dd = (w - peak) / peak;
        if (dd < mdd)
            mdd = dd;
    }
    return mdd;
}

static double calmar_from(double mdd, double ann)
{
    double v;

    if (!(mdd < 0.0))
        return NAN_D;
    v = ann / fabs(mdd);
    return isinf(v) ? NAN_D : v;
}

double rd_metrics_calmar(const double *r, size_t n, double A)
{
    double mdd = rd_metrics_max_drawdown(r, n);

    if (!(mdd < 0.0))
        return NAN_D;
    return calmar_from(mdd, rd_metrics_annual_return(r, n, A));
}

static int omega_threshold(double R, double Aomega, double *thr)
{
    if (Aomega == 1.0) {
        *thr = R;
        return 0;
    }
    if (R <= -1.0)
        return -1;
    *thr = pow(1.0 + R, 1.0 / Aomega) - 1.0;
    return 0;
}

double rd_metrics_omega(const double *r, size_t n, double rf, double R, double Aomega)
{
    double thr, num = 0.0, den = 0.0;

    if (n < 2 || omega_threshold(R, Aomega, &thr) != 0)
        return NAN_D;
    for (size_t i = 0; i < n; i++) {
        double x = r[i] - rf - thr;

        if (x > 0.0)
            num += x;
        else if (x < 0.0)
            den += x;
    }
    den = -1.0 * den;
    return den > 0.0 ? num / den : NAN_D;
}

double rd_metrics_tail_ratio(const double *r, size_t n, double *scratch)
{
    double var, cvar, tail, lo, hi;
    size_t m;

    tail_cuts(r, n, &m, &lo, &hi);
    tail_stats(r, n, m, lo, hi, scratch, &var, &cvar, &tail);
    return tail;
}

double rd_metrics_value_at_risk(const double *r, size_t n, double cutoff, double *scratch)
{
    size_t m;

    if (n == 0)
        return NAN_D;
    if (cutoff == 0.05) {
        double var, cvar, tail, lo, hi;

        tail_cuts(r, n, &m, &lo, &hi);
        if (m != n)
            return NAN_D;
        tail_stats(r, n, m, lo, hi, scratch, &var, &cvar, &tail);
        return var;
    }
    m = copy_valid(r, n, scratch);
    if (m != n)
        return NAN_D;
    return pct_select(scratch, m, 0, (100.0 * cutoff) / 100.0);
}

double rd_metrics_cvar(const double *r, size_t n, double cutoff, double *scratch)
{
    size_t m, k;

    if (n == 0)
        return NAN_D;
    if (cutoff == 0.05) {
        /* the same path (and summation order) as rd_metrics_compute */
        double var, cvar, tail, lo, hi;

        tail_cuts(r, n, &m, &lo, &hi);
        tail_stats(r, n, m, lo, hi, scratch, &var, &cvar, &tail);
        return cvar;
    }
    k = (size_t)((double)(n - 1) * cutoff);
    m = copy_valid(r, n, scratch);
    if (k + 1 > m)
        return NAN_D;
    return mean_smallest(scratch, m, k);
}

/* v[0..m-1] (valid returns) becomes cumsum(log1p(v)), in place. The logs are
 * taken in their own loop, whose iterations are independent. */
static void cum_log_returns(double *v, size_t m)
{
    double acc = 0.0;

    for (size_t i = 0; i < m; i++)
        v[i] = log1p(v[i]);
    for (size_t i = 0; i < m; i++) {
        acc += v[i];
        v[i] = acc;
    }
}

/* R^2 of scipy.stats.linregress(arange(m), y) with numpy's np.cov steps. */
static double linregress_r2(const double *y, size_t m)
{
    double xmean, ymean, sxx = 0.0, sxy = 0.0, syy = 0.0, inv, rr;

    if (m == 0)
        return NAN_D;       /* scipy raises on empty input */
    xmean = (double)(m - 1) * 0.5;
    ymean = pairwise_sum(y, m) / (double)m;
    for (size_t i = 0; i < m; i++) {
        double dx = (double)i - xmean, dy = y[i] - ymean;

        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    inv = 1.0 / (double)m;
    sxx *= inv;
    sxy *= inv;
    syy *= inv;
    if (sxx == 0.0 || syy == 0.0)
        rr = 0.0;
    else {
        rr = sxy / sqrt(sxx * syy);
        if (rr > 1.0)
            rr = 1.0;
        else if (rr < -1.0)
            rr = -1.0;
    }
    return rr * rr;
}

double rd_metrics_stability(const double *r, size_t n, double *scratch)
{
    size_t m;

    if (n < 2)
        return NAN_D;
    m = copy_valid(r, n, scratch);
    cum_log_returns(scratch, m);
    return linregress_r2(scratch, m);
}

/* Pass over the rows valid in both r and b: the benchmark's mean there. */
static double joint_bench_mean(const double *r, const double *b, size_t n)
{
    double sum = 0.0;
    size_t m = 0;

    for (size_t i = 0; i < n; i++) {
        double ind = r[i] != r[i] ? NAN_D : b[i];

        if (ind == ind) {
            sum += ind;
            m++;
        }
    }
    return m ? sum / (double)m : NAN_D;
}

static double beta_given_mean(const double *r, const double *b, size_t n, double bmean)
{
    double cs = 0.0, vs = 0.0, cov, var;
    size_t cm = 0, vm = 0;

    for (size_t i = 0; i < n; i++) {
        double ind = r[i] != r[i] ? NAN_D : b[i];
        double res = ind - bmean, p = res * r[i], q = res * res;

        if (p == p) {
            cs += p;
            cm++;
        }
        if (q == q) {
            vs += q;
            vm++;
        }
    }
    cov = cm ? cs / (double)cm : NAN_D;
    var = vm ? vs / (double)vm : NAN_D;
    if (var < 1.0e-30)
        var = NAN_D;
    return cov / var;
}

double rd_metrics_beta(const double *r, const double *b, size_t n)
{
    if (n < 2)      /* empyrical: len(returns) < 1 or len(factor_returns) < 2 */
        return NAN_D;
    return beta_given_mean(r, b, n, joint_bench_mean(r, b, n));
}

static double alpha_given_beta(const double *r, const double *b, size_t n, double rf,
                               double A, double beta)
{
    double sum = 0.0, mean;
    size_t m = 0;

    if (n < 2)
        return NAN_D;
    for (size_t i = 0; i < n; i++) {
        double a = adjust(r[i], rf) - beta * adjust(b[i], rf);

        if (a == a) {
            sum += a;
            m++;
        }
    }
    mean = m ? sum / (double)m : NAN_D;
    return pow(mean + 1.0, A) - 1.0;
}

double rd_metrics_alpha(const double *r, const double *b, size_t n, double rf, double A)
{
    if (n < 2)
        return NAN_D;
    return alpha_given_beta(r, b, n, rf, A, rd_metrics_beta(r, b, n));
}

/* mean and sample std of d = r - b over rows where d is not NaN. */
static void active_moments(const double *r, const double *b, size_t n, double *mean, double *std)
{
    double sum = 0.0, ss = 0.0;
    size_t m = 0;

    for (size_t i = 0; i < n; i++) {
        double d = r[i] - b[i];

        if (d == d) {
            sum += d;
            m++;
        }
    }
    *mean = m ? sum / (double)m : NAN_D;
    if (m <= 1) {
        *std = NAN_D;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        double d = r[i] - b[i];

        if (d == d) {
            d -= *mean;
            ss += d * d;
        }
    }
    *std = sqrt(ss / (double)(m - 1));
}

static double excess_sharpe_from(double mean, double std)
{
    /* np.nan_to_num on the tracking error */
    if (std != std)
        std = 0.0;
    else if (isinf(std))
        std = std > 0 ? 1.7976931348623157e308 : -1.7976931348623157e308;
    return mean / std;
}

double rd_metrics_excess_sharpe(const double *r, const double *b, size_t n)
{
    double mean, std;

    if (n < 2)
        return NAN_D;
    active_moments(r, b, n, &mean, &std);
    return excess_sharpe_from(mean, std);
}

double rd_metrics_information_ratio(const double *r, const double *b, size_t n, double A)
{
    return rd_metrics_excess_sharpe(r, b, n) * sqrt(A);
}

double rd_metrics_tracking_error(const double *r, const double *b, size_t n, double A)
{
    double mean, std;

    if (n < 2)
        return NAN_D;
    active_moments(r, b, n, &mean, &std);
    return std * sqrt(A);
}

/* up (sign > 0) or down (sign < 0) capture: CAGR(r) / CAGR(b) over that subset. */
static double capture(const double *r, const double *b, size_t n, double A, int sign)
{
    double gr = 1.0, gb = 1.0;
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        if (sign > 0 ? !(b[i] > 0.0) : !(b[i] < 0.0))
            continue;
        k++;
        if (r[i] == r[i])
            gr *= r[i] + 1.0;
        gb *= b[i] + 1.0;
    }
    if (k == 0)
        return NAN_D;
    return cagr(gr, k, A) / cagr(gb, k, A);
}

double rd_metrics_up_capture(const double *r, const double *b, size_t n, double A)
{
    return capture(r, b, n, A, 1);
}

double rd_metrics_down_capture(const double *r, const double *b, size_t n, double A)
{
    return capture(r, b, n, A, -1);
}

/* ------------------------------------------------------------ all at once */

/*
 * The fused passes below replace sign tests (which mispredict on random
 * returns) by multiplications with a 0.0/1.0 mask: for finite x, `x * 1.0`
 * is x and `x * 0.0` is a zero, so `sum += x * mask` adds exactly the selected
 * values and `prod *= 1.0 + x * mask` multiplies exactly by the selected
 * (1 + x). The mask trick fails for infinities (inf * 0 is NaN), so a series
 * holding one goes through the single-metric functions instead.
 */
static inline double mask_of(int cond)
{
    return (double)cond;
}

/* The benchmark-relative metrics in three passes over (r, b); all finite or NaN. */
static void bench_metrics(const double *r, const double *b, size_t n, double rf, double A,
                          struct rd_metrics_result *out)
{
    double bsum = 0.0, dsum = 0.0, bmean, dmean, cs = 0.0, vs = 0.0, ss = 0.0, cov, var;
    double gru = 1.0, gbu = 1.0, grd = 1.0, gbd = 1.0;
    size_t bm = 0, dm = 0, cm = 0, vm = 0, nu = 0, nd = 0;

    /* pass 1: joint benchmark mean (beta), active return sum, up/down growth */
    for (size_t i = 0; i < n; i++) {
        double x = r[i], y = b[i], x0 = x, y0 = y;
        double up, dn;

        if (x != x || y != y) {
            x0 = x != x ? 0.0 : x;
            y0 = y != y ? 0.0 : y;
        } else {
            bsum += y;
            bm++;
            dsum += x - y;
            dm++;
        }
        up = mask_of(y > 0.0);
        dn = mask_of(y < 0.0);
        /* the return's factor only where it is valid: (x + 1.0) == 1.0 + x */
        gru *= 1.0 + x0 * up;
        gbu *= 1.0 + y0 * up;
        grd *= 1.0 + x0 * dn;
        gbd *= 1.0 + y0 * dn;
        nu += (size_t)(y > 0.0);
        nd += (size_t)(y < 0.0);
    }
    bmean = bm ? bsum / (double)bm : NAN_D;
    dmean = dm ? dsum / (double)dm : NAN_D;
    /* pass 2: covariance and variance against the centred benchmark, active variance */
    for (size_t i = 0; i < n; i++) {
        double x = r[i], y = b[i];

        if (x == x && y == y) {
            double res = y - bmean, d = (x - y) - dmean;

            cs += res * x;
            cm++;
            vs += res * res;
            vm++;
            ss += d * d;
        }
    }
    cov = cm ? cs / (double)cm : NAN_D;
    var = vm ? vs / (double)vm : NAN_D;
    if (var < 1.0e-30)
        var = NAN_D;
    out->beta = cov / var;
    out->alpha = alpha_given_beta(r, b, n, rf, A, out->beta);
    {
        double sd = dm > 1 ? sqrt(ss / (double)(dm - 1)) : NAN_D;

        out->information_ratio = excess_sharpe_from(dmean, sd) * sqrt(A);
        out->tracking_error = sd * sqrt(A);
    }
    out->up_capture = nu ? cagr(gru, nu, A) / cagr(gbu, nu, A) : NAN_D;
    out->down_capture = nd ? cagr(grd, nd, A) / cagr(gbd, nd, A) : NAN_D;
}

/* Every metric through the single functions: the path for series holding
 * an infinity, where the fused passes' mask arithmetic does not apply. */
static void compute_singly(const double *r, const double *b, size_t n,
                           const struct rd_metrics_params *p, double *scratch,
                           struct rd_metrics_result *out)
{
    const double A = p->annualization;

    out->cum_return = rd_metrics_cum_return(r, n);
    out->annual_return = rd_metrics_annual_return(r, n, A);
    out->annual_volatility = rd_metrics_annual_volatility(r, n, A);
    out->sharpe = rd_metrics_sharpe(r, n, p->risk_free, A);
    out->sortino = rd_metrics_sortino(r, n, p->required_return, A);
    out->calmar = rd_metrics_calmar(r, n, A);
    out->max_drawdown = rd_metrics_max_drawdown(r, n);
    out->omega = rd_metrics_omega(r, n, p->risk_free, p->omega_required_return,
                                  p->omega_annualization);
    out->tail_ratio = rd_metrics_tail_ratio(r, n, scratch);
    out->downside_risk = rd_metrics_downside_risk(r, n, p->required_return, A);
    out->var_95 = rd_metrics_value_at_risk(r, n, 0.05, scratch);
    out->cvar_95 = rd_metrics_cvar(r, n, 0.05, scratch);
    out->stability = rd_metrics_stability(r, n, scratch);
    if (!b) {
        out->alpha = out->beta = out->information_ratio = out->tracking_error = NAN_D;
        out->up_capture = out->down_capture = NAN_D;
        return;
    }
    out->beta = rd_metrics_beta(r, b, n);
    out->alpha = rd_metrics_alpha(r, b, n, p->risk_free, A);
    out->information_ratio = rd_metrics_information_ratio(r, b, n, A);
    out->tracking_error = rd_metrics_tracking_error(r, b, n, A);
    out->up_capture = rd_metrics_up_capture(r, b, n, A);
    out->down_capture = rd_metrics_down_capture(r, b, n, A);
}

static int has_infinity(const double *x, size_t n)
{
    int bad = 0;

    for (size_t i = 0; i < n; i++)
        bad |= fabs(x[i]) > 1.7976931348623157e308;
    return bad;
}

void rd_metrics_compute(const double *r, const double *b, size_t n,
                        const struct rd_metrics_params *p, double *scratch,
                        struct rd_metrics_result *out)
{
    const double A = p->annualization, rf = p->risk_free, q = p->required_return;
    double g = 1.0, peak = 100.0, wmin = 100.0, mdd = 0.0, sum = 0.0, dsum = 0.0, qsum = 0.0;
    double onum = 0.0, oden = 0.0, thr = 0.0, lo_cut = NAN_D, hi_cut = NAN_D;
    size_t m = 0;
    int omega_ok;

    if (n == 0) {
        for (size_t f = 0; f < rd_metrics_nfields; f++)
            *(double *)(void *)((char *)out + rd_metrics_fields[f].offset) = NAN_D;
        return;
    }
    if (has_infinity(r, n) || (b && has_infinity(b, n)) || !isfinite(p->risk_free) ||
        !isfinite(p->required_return)) {
        compute_singly(r, b, n, p, scratch, out);
        return;
    }
    omega_ok = n >= 2 && omega_threshold(p->omega_required_return, p->omega_annualization,
                                         &thr) == 0;
    /* pass 1: growth, drawdown, sums, downside, omega, cumulative logs */
    for (size_t i = 0; i < n; i++) {
        double x = r[i];

        if (x == x) {
            double d = x - q, o = x - rf - thr;

            g *= x + 1.0;
            sum += x;
            qsum += d;
            /* the mask, not a branch on the sign (mispredicted half the time):
             * d * 0 is a zero and squares to +0, as a clipped d does */
            d *= mask_of(d < 0.0);
            dsum += d * d;
            onum += o * mask_of(o > 0.0);
            oden += o * mask_of(o < 0.0);
            scratch[m++] = x;
        }
        {
            /* drawdown from the start value 100; a NaN period multiplies by 1.
             * (w > peak) is np.fmax here: w is never NaN when peak is not, and
             * a NaN w leaves the peak. For one peak P > 0, (w - P) / P rounds
             * monotonically in w, so the least drawdown under P is that of the
             * least w under it: one division per peak, not per period, with
             * the same bits. A NaN w is below nothing, as nanmin skips it. */
            double w = g * 100.0;

            if (w > peak) {
                double dd = (wmin - peak) / peak;

                mdd = dd < mdd ? dd : mdd;
                peak = w;
                wmin = w;
            } else {
                wmin = w < wmin ? w : wmin;
            }
        }
    }
    {
        double dd = (wmin - peak) / peak;

        mdd = dd < mdd ? dd : mdd;
    }
    out->cum_return = g - 1.0;
    out->annual_return = cagr(g, n, A);
    out->max_drawdown = mdd;
    out->calmar = calmar_from(mdd, out->annual_return);
    out->omega = omega_ok && -1.0 * oden > 0.0 ? onum / (-1.0 * oden) : NAN_D;
    out->downside_risk = m ? sqrt(dsum / (double)m) * sqrt(A) : NAN_D;
    if (n >= 2) {
        cum_log_returns(scratch, m);
        out->stability = linregress_r2(scratch, m);
    } else {
        out->stability = NAN_D;
    }

    /* pass 2: two-pass variance */
    if (m >= 2) {
        double mean = sum / (double)m, ss = 0.0, sd;

        for (size_t i = 0; i < n; i++) {
            double v = r[i] - mean;

            if (v == v)
                ss += v * v;
        }
        sd = sqrt(ss / (double)(m - 1));
        lo_cut = mean - sd;
        hi_cut = mean + sd;
        out->annual_volatility = sd * pow(A, 1.0 / 2.0);
        if (rf == 0.0)
            out->sharpe = mean / sd * sqrt(A);
        else
            out->sharpe = rd_metrics_sharpe(r, n, rf, A);
    } else {
        out->annual_volatility = NAN_D;
        out->sharpe = NAN_D;        /* the std of fewer than 2 values is NaN */
    }
    if (n >= 2)
        out->sortino = (m ? (q == 0.0 ? sum : qsum) / (double)m : NAN_D) * A / out->downside_risk;
    else
        out->sortino = NAN_D;

    tail_stats(r, n, m, lo_cut, hi_cut, scratch, &out->var_95, &out->cvar_95, &out->tail_ratio);

    if (!b) {
        out->alpha = out->beta = out->information_ratio = out->tracking_error = NAN_D;
        out->up_capture = out->down_capture = NAN_D;
    } else if (n < 2) {
        out->alpha = out->beta = out->information_ratio = out->tracking_error = NAN_D;
        out->up_capture = capture(r, b, n, A, 1);
        out->down_capture = capture(r, b, n, A, -1);
    } else {
        bench_metrics(r, b, n, rf, A, out);
    }
}

/* ------------------------------------------------------------ dates, aggregation */

int32_t rd_days_from_civil(int y, int m, int d)
{
    int era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

void rd_civil_from_days(int32_t z0, int *y, int *m, int *d)
{
    int z = z0 + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;

    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

/* ISO weekday, Monday = 1 .. Sunday = 7 (1970-01-01 was a Thursday). */
static int iso_weekday(int32_t days)
{
    int w = (int)(((int64_t)days + 3) % 7);

    if (w < 0)
        w += 7;
    return w + 1;
}

static int iso_weeks_in_year(int y)
{
    /* a year has 53 ISO weeks if Jan 1 is a Thursday, or a Wednesday in a leap year */
    int jan1 = iso_weekday(rd_days_from_civil(y, 1, 1));
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return jan1 == 4 || (leap && jan1 == 3) ? 53 : 52;
}

static int iso_week(int32_t days, int y)
{
    int doy = (int)(days - rd_days_from_civil(y, 1, 1)) + 1;
    int wk = (doy - iso_weekday(days) + 10) / 7;

    if (wk < 1)
        return iso_weeks_in_year(y - 1);
    if (wk > iso_weeks_in_year(y))
        return 1;
    return wk;
}

static int64_t agg_key(int32_t days, enum rd_agg agg)
{
    int y, m, d;

    if (agg == RD_AGG_DAILY || agg == RD_AGG_ITD)
        return days;
    rd_civil_from_days(days, &y, &m, &d);
    switch (agg) {
    case RD_AGG_WEEKLY: return (int64_t)y * 100 + iso_week(days, y);
    case RD_AGG_MONTHLY: return (int64_t)y * 100 + m;
    case RD_AGG_QUARTERLY: return (int64_t)y * 10 + (m + 2) / 3;
    default: return y;
    }
}

double rd_metrics_agg_annualization(enum rd_agg agg)
{
    switch (agg) {
    case RD_AGG_DAILY: return 252.0;
    case RD_AGG_WEEKLY: return 52.0;
    case RD_AGG_MONTHLY: return 12.0;
    case RD_AGG_QUARTERLY: return 4.0;
    case RD_AGG_YEARLY: return 1.0;
    case RD_AGG_ITD: break;
    }
    return NAN_D;
}

size_t rd_metrics_aggregate(const int32_t *days, const double *r, size_t n, enum rd_agg agg,
                            int32_t *out_key, double *out)
{
    size_t ngroups = 0;
    int64_t prev = INT64_MIN;

    if (agg == RD_AGG_DAILY || agg == RD_AGG_ITD) {
        double c = 1.0;

        for (size_t i = 0; i < n; i++) {
            double x = r[i] == r[i] ? r[i] : 0.0;

            out_key[i] = days[i];
            if (agg == RD_AGG_DAILY) {
                out[i] = r[i];
            } else {
                c *= x + 1.0;
                out[i] = c - 1.0;
            }
        }
        return n;
    }
    /* groups in ascending key order; each compounds its rows in row order */
    for (;;) {
        int64_t key = INT64_MAX;
        int found = 0;
        double c = 1.0;

        for (size_t i = 0; i < n; i++) {
            int64_t k = agg_key(days[i], agg);

            if (k > prev && k <= key) {
                key = k;
                found = 1;
            }
        }
        if (!found)
            break;
        for (size_t i = 0; i < n; i++)
            if (agg_key(days[i], agg) == key)
                c *= (r[i] == r[i] ? r[i] : 0.0) + 1.0;
        out_key[ngroups] = (int32_t)key;
        out[ngroups++] = c - 1.0;
        prev = key;
    }
    return ngroups;
}
