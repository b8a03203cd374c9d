/*
 * perf.c - the pure parts of account performance: returns from equity
 * snapshots, loss and drawdown alerts (exact, in ppm), the retention's monthly
 * roll-up, Pearson correlation, and Student's t distribution through the
 * regularized incomplete beta function (continued fraction, modified Lentz)
 * for Welch's t-test. See perf.h and docs/metrics.md.
 */
#include <math.h>
#include <string.h>

#include "riskdesk/calendar.h"
#include "riskdesk/perf.h"
#include "riskdesk/banned.h"

#define NAN_D ((double)NAN)

/* ---------------------------------------------------------------- config */

static const char *const alert_names[RD_PERF_ALERT_COUNT] = {"daily_loss", "weekly_loss",
                                                             "monthly_loss", "drawdown"};

void rd_perf_config_init(struct rd_perf_config *pc)
{
    memset(pc, 0, sizeof *pc);
    pc->risk_free_annual_ppm = 20000;
    pc->alert_ppm[RD_PERF_ALERT_DAILY_LOSS] = 50000;
    pc->alert_ppm[RD_PERF_ALERT_WEEKLY_LOSS] = 100000;
    pc->alert_ppm[RD_PERF_ALERT_MONTHLY_LOSS] = 150000;
    pc->alert_ppm[RD_PERF_ALERT_DRAWDOWN] = 200000;
    pc->min_tracking_days = 30;
}

const char *rd_perf_alert_name(enum rd_perf_alert_kind k)
{
    return (unsigned)k < RD_PERF_ALERT_COUNT ? alert_names[k] : NULL;
}

int rd_perf_alert_parse(const char *s, enum rd_perf_alert_kind *out)
{
    for (int k = 0; k < RD_PERF_ALERT_COUNT; k++)
        if (!strcmp(s, alert_names[k])) {
            *out = (enum rd_perf_alert_kind)k;
            return 0;
        }
    return -1;
}

/* ---------------------------------------------------------------- returns */

size_t rd_perf_returns(const int32_t *days, const rd_money *equity, const rd_money *flow,
                       size_t n, int32_t *rdays, double *r)
{
    if (n < 2)
        return 0;
    for (size_t i = 1; i < n; i++) {
        double net = (double)equity[i] - (flow ? (double)flow[i] : 0.0);

        rdays[i - 1] = days[i];
        r[i - 1] = equity[i - 1] > 0 ? net / (double)equity[i - 1] - 1.0 : NAN_D;
    }
    return n - 1;
}

/* ---------------------------------------------------------------- alerts */

static int32_t month_start(int32_t day)
{
    int y, m, d;

    rd_date_to_ymd(day, &y, &m, &d);
    return rd_date_from_ymd(y, m, 1);
}

static int32_t week_start(int32_t day)
{
    return day - (int32_t)((rd_date_weekday(day) + 6) % 7);    /* the Monday */
}

/* The base of a period starting at `start`: the last row before it, else the
 * period's first row. */
static size_t period_base(const int32_t *days, size_t n, int32_t start)
{
    size_t i = n - 1;

    while (i > 0 && days[i - 1] >= start)
        i--;
    return i > 0 ? i - 1 : 0;
}

/* The flows after snapshot `from` up to snapshot `to`. */
static rd_money flows_between(const rd_money *flow, size_t from, size_t to)
{
    rd_money sum = 0;

    for (size_t i = from + 1; flow && i <= to; i++)
        sum += flow[i];
    return sum;
}

static int check(struct rd_perf_alert *out, size_t *nout, enum rd_perf_alert_kind k,
                 int64_t thr, const int32_t *days, const rd_money *equity, const rd_money *flow,
                 size_t base, size_t last, int32_t period)
{
    rd_money b = equity[base], e = equity[last] - flows_between(flow, base, last);
    int64_t loss;

    if (thr <= 0 || b <= 0)
        return 0;
    /* floor(x) >= thr <=> x >= thr for an integer thr: exact at the threshold */
    loss = rd_muldiv(b - e, RD_PPM, b);
    if (loss < thr)
        return 0;
    out[(*nout)++] = (struct rd_perf_alert){k, days[last], period, days[base], b, e, loss, thr};
    return 1;
}

size_t rd_perf_alerts_eval(const int32_t *days, const rd_money *equity, const rd_money *flow,
                           size_t n, const struct rd_perf_config *pc, struct rd_perf_alert *out)
{
    size_t nout = 0, last, peak = 0;
    rd_money moved = 0, peak_net;
    int32_t d;

    if (n == 0)
        return 0;
    last = n - 1;
    d = days[last];
    if (n >= 2)
        check(out, &nout, RD_PERF_ALERT_DAILY_LOSS, pc->alert_ppm[RD_PERF_ALERT_DAILY_LOSS], days,
              equity, flow, last - 1, last, d);
    check(out, &nout, RD_PERF_ALERT_WEEKLY_LOSS, pc->alert_ppm[RD_PERF_ALERT_WEEKLY_LOSS], days,
          equity, flow, period_base(days, n, week_start(d)), last, week_start(d));
    check(out, &nout, RD_PERF_ALERT_MONTHLY_LOSS, pc->alert_ppm[RD_PERF_ALERT_MONTHLY_LOSS], days,
          equity, flow, period_base(days, n, month_start(d)), last, month_start(d));
    /* the latest row at the highest equity less the flows so far: a new high
     * (or a touch) starts a new episode */
    peak_net = equity[0];
    for (size_t i = 1; i < n; i++) {
        moved += flow ? flow[i] : 0;
        if (equity[i] - moved >= peak_net) {
            peak = i;
            peak_net = equity[i] - moved;
        }
    }
    check(out, &nout, RD_PERF_ALERT_DRAWDOWN, pc->alert_ppm[RD_PERF_ALERT_DRAWDOWN], days, equity,
          flow, peak, last, days[peak]);
    return nout;
}

/* ---------------------------------------------------------------- retention */

int32_t rd_perf_retention_cutoff(int32_t day)
{
    int y, m, d;

    rd_date_to_ymd(day, &y, &m, &d);
    return rd_date_from_ymd(y - 2, m, d);
}

size_t rd_perf_rollup_select(const int32_t *days, size_t n, int32_t cutoff, unsigned char *drop)
{
    size_t ndrop = 0;

    for (size_t i = 0; i < n; i++) {
        drop[i] = days[i] < cutoff && i + 1 < n && month_start(days[i + 1]) == month_start(days[i]);
        ndrop += drop[i];
    }
    return ndrop;
}

/* ---------------------------------------------------------------- statistics */

double rd_stats_correlation(const double *x, const double *y, size_t n)
{
    double sx = 0, sy = 0, mx, my, cxy = 0, cxx = 0, cyy = 0;
    size_t m = 0;

    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]) && !isnan(y[i])) {
            sx += x[i];
            sy += y[i];
            m++;
        }
    if (m < 2)
        return NAN_D;
    mx = sx / (double)m;
    my = sy / (double)m;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]) && !isnan(y[i])) {
            double dx = x[i] - mx, dy = y[i] - my;

            cxy += dx * dy;
            cxx += dx * dx;
            cyy += dy * dy;
        }
    if (cxx == 0 || cyy == 0)
        return NAN_D;
    {
        double r = cxy / sqrt(cxx * cyy);

        return r > 1 ? 1 : r < -1 ? -1 : r;
    }
}

#define LN_SQRT_2PI 0.91893853320467274178

/* ln Gamma(x) for 0 < x: Lanczos (g = 7, 9 terms, Godfrey's coefficients),
 * with Gamma(x) = Gamma(x + 1) / x below 0.5. Thread-safe, unlike lgamma(3)
 * which may set the global signgam. */
static double log_gamma(double x)
{
    static const double c[9] = {0.99999999999980993,  676.5203681218851,   -1259.1392167224028,
                                771.32342877765313,   -176.61502916214059, 12.507343278686905,
                                -0.13857109526572012, 9.9843695780195716e-6,
                                1.5056327351493116e-7};
    double a, t;

    if (x < 0.5)
        return log_gamma(x + 1.0) - log(x);
    x -= 1.0;
    a = c[0];
    t = x + 7.5;
    for (int i = 1; i < 9; i++)
        a += c[i] / (x + (double)i);
    return LN_SQRT_2PI + (x + 0.5) * log(t) - t + log(a);
}

/* ln Gamma(x) - ((x - 0.5) ln x - x + ln sqrt(2 pi)) for x >= 10: Stirling's series. */
static double stirling_corr(double x)
{
    double z = 1.0 / (x * x);

    return (1.0 / 12 - z * (1.0 / 360 - z * (1.0 / 1260 - z * (1.0 / 1680 - z * (1.0 / 1188 -
            z * (691.0 / 360360 - z * (1.0 / 156 - z * 3617.0 / 122400))))))) / x;
}

/* ln B(a, b), a, b > 0, without the cancellation of three large lgammas
 * (R's lbeta arrangement). */
static double log_beta(double a, double b)
{
    double p = a < b ? a : b, q = a < b ? b : a;

    if (p >= 10)
        return -0.5 * log(q) + LN_SQRT_2PI + stirling_corr(p) + stirling_corr(q) -
               stirling_corr(p + q) + (p - 0.5) * log(p / (p + q)) + q * log1p(-p / (p + q));
    if (q >= 10)
        return log_gamma(p) + stirling_corr(q) - stirling_corr(p + q) + p - p * log(p + q) +
               (q - 0.5) * log1p(-p / (p + q));
    return log_gamma(p) + log_gamma(q) - log_gamma(p + q);
}

/* The continued fraction of I_x(a, b) without its front factor (Numerical
 * Recipes' betacf, modified Lentz). y = 1 - x, passed in to keep its bits. */
static double beta_cf(double a, double b, double x)
{
    const double tiny = 1e-300, eps = 1e-16;
    double qab = a + b, qap = a + 1.0, qam = a - 1.0, c = 1.0, d = 1.0 - qab * x / qap, h;

    if (fabs(d) < tiny)
        d = tiny;
    d = 1.0 / d;
    h = d;
    for (int m = 1; m <= 10000; m++) {
        double m2 = 2.0 * m, aa = m * (b - m) * x / ((qam + m2) * (a + m2)), del;

        d = 1.0 + aa * d;
        if (fabs(d) < tiny)
            d = tiny;
        c = 1.0 + aa / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1.0 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if (fabs(d) < tiny)
            d = tiny;
        c = 1.0 + aa / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1.0 / d;
        del = d * c;
        h *= del;
        if (fabs(del - 1.0) < eps)
            break;
    }
    return h;
}

/* I_x(a, b) with y = 1 - x given exactly by the caller. */
static double betai2(double a, double b, double x, double y)
{
    double front;

    if (isnan(a) || isnan(b) || isnan(x) || isnan(y) || a <= 0 || b <= 0 || x < 0 || x > 1 ||
        y < 0 || y > 1)
        return NAN_D;
    if (x == 0)
        return 0.0;
    if (y == 0)
        return 1.0;
    /* the logs of x and y near 1 from their complements, which keep the bits */
    front = exp(a * (x < 0.5 ? log(x) : log1p(-y)) + b * (y < 0.5 ? log(y) : log1p(-x)) -
                log_beta(a, b));
    if (x < (a + 1.0) / (a + b + 2.0))
        return front * beta_cf(a, b, x) / a;
    return 1.0 - front * beta_cf(b, a, y) / b;
}

double rd_stats_betai(double a, double b, double x)
{
    return betai2(a, b, x, 1.0 - x);
}

/* P(|T| >= |t|): I_{df/(df+t^2)}(df/2, 1/2), both arguments formed directly. */
static double t_two_sided(double t, double df)
{
    double t2 = t * t, x, y;

    if (isinf(t))
        return 0.0;
    x = df / (df + t2);
    y = t2 / (df + t2);
    return betai2(df / 2.0, 0.5, x, y);
}

double rd_stats_t_cdf(double t, double df)
{
    double tail;

    if (isnan(t) || isnan(df) || df <= 0)
        return NAN_D;
    tail = 0.5 * t_two_sided(t, df);
    return t > 0 ? 1.0 - tail : tail;
}

static void mean_var(const double *x, size_t n, size_t *m, double *mean, double *var)
{
    double s = 0, ss = 0;

    *m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i])) {
            s += x[i];
            (*m)++;
        }
    *mean = *m ? s / (double)*m : NAN_D;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]))
            ss += (x[i] - *mean) * (x[i] - *mean);
    *var = *m > 1 ? ss / (double)(*m - 1) : NAN_D;
}

void rd_stats_welch(const double *x, size_t nx, const double *y, size_t ny, struct rd_welch *out)
{
    double v1, v2, a, b, se2;

    mean_var(x, nx, &out->n1, &out->mean1, &v1);
    mean_var(y, ny, &out->n2, &out->mean2, &v2);
    out->t = out->df = out->p = NAN_D;
    if (out->n1 < 2 || out->n2 < 2)
        return;
    a = v1 / (double)out->n1;
    b = v2 / (double)out->n2;
    se2 = a + b;
    if (se2 == 0) {
        double diff = out->mean1 - out->mean2;

        if (diff != 0) {
            out->t = diff > 0 ? (double)INFINITY : -(double)INFINITY;
            out->p = 0.0;
        }
        return;
    }
    out->t = (out->mean1 - out->mean2) / sqrt(se2);
    out->df = se2 * se2 / (a * a / (double)(out->n1 - 1) + b * b / (double)(out->n2 - 1));
    out->p = t_two_sided(out->t, out->df);
}
