/*
 * trader_rules.c - the four rules, the cut and the new limit (see trader_rules.h).
 * Money stays exact: sums and comparisons are integers (128-bit where products
 * meet); doubles only carry the standard deviations shown in reasons, and the
 * volatility comparison falls back to long double only if the exact one overflows.
 */
#include "riskdesk/trader_rules.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "riskdesk/calendar.h"
#include "riskdesk/banned.h"

__extension__ typedef __int128 i128;

void rd_trader_rules_config_init(struct rd_trader_rules_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->window_days = 20;
    cfg->min_history_days = 20;
    cfg->streak_min_days = 3;
    cfg->streak_cut_ppm = 300000;
    cfg->drawdown_ppm = 150000;
    cfg->drawdown_min_peak = RD_DOLLARS(1000);
    cfg->drawdown_cut_ppm = 400000;
    cfg->vol_recent_days = 5;
    cfg->vol_ratio_ppm = 2000000;
    cfg->vol_cut_ppm = 250000;
    cfg->loss_percentile_ppm = 50000;
    cfg->loss_cut_ppm = 200000;
    cfg->combine = RD_CUT_MAX;
    cfg->max_cut_ppm = 800000;
    cfg->high_ppm = 400000;
    cfg->moderate_ppm = 200000;
    cfg->default_limit = RD_DOLLARS(5000);
    cfg->limit_step = RD_DOLLARS(100);
    cfg->stale_trading_days = 3;
}

int rd_trader_rules_config_check(const struct rd_trader_rules_config *c, struct rd_error *err)
{
#define NEED(cond, what)                                                                   \
    do {                                                                                   \
        if (!(cond))                                                                       \
            return rd_error_set(err, RD_ECONFIG, "trader rules: %s", what);                \
    } while (0)
#define FRACTION(v, name) NEED((v) >= 0 && (v) <= RD_PPM, name " must be from 0 to 1")
    NEED(c->window_days >= 3 && c->window_days <= 10000, "window_days must be from 3 to 10000");
    NEED(c->min_history_days >= 1, "min_history_days must be at least 1");
    NEED(c->streak_min_days >= 1, "streak_min_days must be at least 1");
    NEED(c->vol_recent_days >= 2 && c->vol_recent_days <= c->window_days - 2,
         "vol_recent_days must be at least 2 and leave 2 days of the window as the base");
    FRACTION(c->streak_cut_ppm, "streak_cut");
    FRACTION(c->drawdown_ppm, "drawdown");
    FRACTION(c->drawdown_cut_ppm, "drawdown_cut");
    FRACTION(c->vol_cut_ppm, "vol_cut");
    FRACTION(c->loss_cut_ppm, "loss_cut");
    FRACTION(c->max_cut_ppm, "max_cut");
    FRACTION(c->high_ppm, "high");
    FRACTION(c->moderate_ppm, "moderate");
    NEED(c->moderate_ppm <= c->high_ppm, "moderate must not be above high");
    NEED(c->loss_percentile_ppm > 0 && c->loss_percentile_ppm < RD_PPM,
         "loss_percentile must be above 0 and below 1");
    NEED(c->vol_ratio_ppm > 0 && c->vol_ratio_ppm <= 1000 * RD_PPM,
         "vol_ratio must be above 0 and at most 1000");
    NEED(c->drawdown_min_peak >= 0, "drawdown_min_peak must not be negative");
    NEED(c->default_limit > 0, "default_limit must be above 0");
    NEED(c->limit_step > 0, "limit_step must be above 0");
    NEED(c->combine == RD_CUT_MAX || c->combine == RD_CUT_SUM, "combine must be max or sum");
    NEED(c->stale_trading_days >= 0, "stale_trading_days must not be negative");
    return RD_OK;
#undef FRACTION
#undef NEED
}

const char *rd_trader_level_name(enum rd_trader_level level)
{
    return level == RD_LEVEL_HIGH ? "high" : level == RD_LEVEL_MODERATE ? "moderate" : "low";
}

const char *rd_trader_rule_name(enum rd_trader_rule rule)
{
    static const char *const names[RD_RULE_COUNT] = {"loss streak", "drawdown",
                                                     "volatility spike", "large loss"};

    return (unsigned)rule < RD_RULE_COUNT ? names[rule] : "?";
}

int rd_trader_dollars(rd_money v, char *buf, size_t n)
{
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint64_t d = (mag + RD_MONEY_SCALE / 2) / RD_MONEY_SCALE;
    char digits[32], out[48];
    int nd = 0, k = 0;

    do {
        digits[nd++] = (char)('0' + d % 10);
        d /= 10;
    } while (d);
    if (v < 0 && (mag + RD_MONEY_SCALE / 2) / RD_MONEY_SCALE > 0)
        out[k++] = '-';
    out[k++] = '$';
    for (int i = nd - 1; i >= 0; i--) {
        out[k++] = digits[i];
        if (i > 0 && i % 3 == 0)
            out[k++] = ',';
    }
    out[k] = '\0';
    return snprintf(buf, n, "%s", out);
}

static int cmp_money(const void *a, const void *b)
{
    rd_money x = *(const rd_money *)a, y = *(const rd_money *)b;

    return (x > y) - (x < y);
}

/* n * sum(x^2) - sum(x)^2 over x[0..n), exact; the sample variance is this / (n (n-1)). */
static i128 spread(const struct rd_pnl_day *d, int n)
{
    i128 s1 = 0, s2 = 0;

    for (int i = 0; i < n; i++) {
        s1 += d[i].net;
        s2 += (i128)d[i].net * d[i].net;
    }
    return (i128)n * s2 - s1 * s1;
}

static double sample_std(i128 spr, int n)
{
    if (n < 2)
        return 0.0;
    return sqrt((double)((long double)spr / ((long double)n * (n - 1)))) / RD_MONEY_SCALE;
}

/*
 * std(recent) > ratio x std(base), i.e. var_r > ratio^2 var_b, i.e.
 * spr_r nb(nb-1) 10^12 > ratio_ppm^2 spr_b nr(nr-1); exact unless it overflows.
 */
static int vol_fires(i128 spr_r, int nr, i128 spr_b, int nb, int64_t ratio_ppm)
{
    i128 lhs, rhs, a = (i128)nb * (nb - 1) * RD_PPM * RD_PPM, b = (i128)ratio_ppm * ratio_ppm;

    if (!__builtin_mul_overflow(spr_r, a, &lhs) &&
        !__builtin_mul_overflow(b * nr * (nr - 1), spr_b, &rhs))
        return lhs > rhs;
    return (long double)spr_r * (long double)a >
           (long double)b * nr * (nr - 1) * (long double)spr_b;
}

static void percent_text(int64_t ppm, char *buf, size_t n)
{
    /* "5", "2.5": ppm as a percentage without trailing zeros */
    rd_decimal_format(ppm, 4, 0, buf, n);
}

static const char *ordinal(int64_t ppm)
{
    int64_t whole = ppm / 10000;

    if (ppm % 10000)
        return "th";
    if (whole % 100 >= 11 && whole % 100 <= 13)
        return "th";
    return whole % 10 == 1 ? "st" : whole % 10 == 2 ? "nd" : whole % 10 == 3 ? "rd" : "th";
}

static void add_reason(struct rd_trader_assessment *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add_reason(struct rd_trader_assessment *a, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(a->reason[a->nreasons++], RD_TRADER_REASON_MAX, fmt, ap);
    va_end(ap);
}

/*
 * Judges days[j] of days[0..j] (a trader's days, ascending): hist holds the
 * net P&L of days[0..j) sorted ascending (NULL when j = 0). With reasons = 0
 * the reason texts are left out (the cut series needs only the verdict). The
 * config is already checked.
 */
static void judge(const struct rd_trader_rules_config *cfg, const struct rd_pnl_day *days,
                  size_t j, rd_money limit, const rd_money *hist, int reasons,
                  struct rd_trader_assessment *a)
{
    rd_money cum = 0;
    i128 spr_r = 0, spr_b = 0, pct6 = 0;
    size_t ws;
    char t1[40], t2[40], t3[40];

    memset(a, 0, sizeof *a);
    a->old_limit = a->new_limit = limit > 0 ? limit : cfg->default_limit;
    a->has_data = 1;
    a->day = days[j].day;
    a->day_net = days[j].net;
    a->history_days = (int)(j + 1);
    ws = j + 1 > (size_t)cfg->window_days ? j + 1 - (size_t)cfg->window_days : 0;
    a->window_days = (int)(j + 1 - ws);
    a->limited = a->history_days < cfg->min_history_days;

    /* loss streak: over all history, ending on the day judged */
    for (size_t i = j + 1; i > 0 && days[i - 1].net < 0; i--) {
        a->loss_streak++;
        a->streak_loss += days[i - 1].net;
    }
    /* drawdown of cumulative net over the window (cumulative starts at 0) */
    for (size_t i = ws; i <= j; i++) {
        cum += days[i].net;
        if (cum > a->peak)
            a->peak = cum;
    }
    a->window_net = cum;
    a->drawdown = a->peak - cum;
    /* volatility: the last vol_recent_days of the window against the rest */
    a->n_recent = a->window_days < cfg->vol_recent_days ? a->window_days : cfg->vol_recent_days;
    a->n_base = a->window_days - a->n_recent;
    spr_r = spread(days + j + 1 - a->n_recent, a->n_recent);
    spr_b = spread(days + ws, a->n_base);
    a->std_recent = sample_std(spr_r, a->n_recent);
    a->std_base = sample_std(spr_b, a->n_base);
    /* the percentile of history before the day judged, numpy's default (type 7):
     * h = (m - 1) p, x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]) */
    if (j > 0) {
        size_t m = j, k;
        int64_t frac;

        k = (size_t)((i128)(m - 1) * cfg->loss_percentile_ppm / RD_PPM);
        frac = (int64_t)((i128)(m - 1) * cfg->loss_percentile_ppm % RD_PPM);
        pct6 = (i128)hist[k] * RD_PPM;
        if (frac)
            pct6 += (i128)(hist[k + 1] - hist[k]) * frac;
        a->have_percentile = 1;
        a->percentile = (rd_money)(pct6 / RD_PPM);
    }
    if (a->limited)
        return;

    if (a->loss_streak >= cfg->streak_min_days) {
        a->fired[RD_RULE_LOSS_STREAK] = 1;
        if (reasons) {
            rd_trader_dollars(-a->streak_loss, t1, sizeof t1);
            add_reason(a, "%d day loss streak, lost %s over it", a->loss_streak, t1);
        }
    }
    if (a->peak > cfg->drawdown_min_peak &&
        (i128)a->drawdown * RD_PPM > (i128)cfg->drawdown_ppm * a->peak) {
        a->fired[RD_RULE_DRAWDOWN] = 1;
        if (reasons) {
            rd_trader_dollars(a->drawdown, t1, sizeof t1);
            rd_trader_dollars(a->peak, t2, sizeof t2);
            add_reason(a,
                       "drawdown of %s from a %s peak (%.1f%% of it) over the last %d trading days",
                       t1, t2, 100.0 * (double)a->drawdown / (double)a->peak, a->window_days);
        }
    }
    if (a->n_recent >= 2 && a->n_base >= 2 &&
        vol_fires(spr_r, a->n_recent, spr_b, a->n_base, cfg->vol_ratio_ppm)) {
        a->fired[RD_RULE_VOLATILITY] = 1;
        if (reasons) {
            rd_trader_dollars((rd_money)llround(a->std_recent * RD_MONEY_SCALE), t1, sizeof t1);
            rd_trader_dollars((rd_money)llround(a->std_base * RD_MONEY_SCALE), t2, sizeof t2);
            if (a->std_base > 0)
                snprintf(t3, sizeof t3, "%.1fx", a->std_recent / a->std_base);
            else
                snprintf(t3, sizeof t3, "above");
            add_reason(a, "volatility spike: %d-day std %s is %s the prior %d-day std %s",
                       a->n_recent, t1, t3, a->n_base, t2);
        }
    }
    if (a->have_percentile && a->day_net < 0 && (i128)a->day_net * RD_PPM < pct6) {
        char pc[16], date[16];

        a->fired[RD_RULE_LARGE_LOSS] = 1;
        if (reasons) {
            rd_trader_dollars(-a->day_net, t1, sizeof t1);
            rd_trader_dollars(a->percentile, t2, sizeof t2);
            percent_text(cfg->loss_percentile_ppm, pc, sizeof pc);
            rd_date_format(a->day, date, sizeof date);
            add_reason(a, "lost %s on %s, below the %s%s percentile of %s", t1, date, pc,
                       ordinal(cfg->loss_percentile_ppm), t2);
        }
    }

    {
        int64_t cuts[RD_RULE_COUNT] = {cfg->streak_cut_ppm, cfg->drawdown_cut_ppm,
                                       cfg->vol_cut_ppm, cfg->loss_cut_ppm};

        for (int r = 0; r < RD_RULE_COUNT; r++) {
            if (!a->fired[r])
                continue;
            if (cfg->combine == RD_CUT_SUM)
                a->cut_ppm += cuts[r];
            else if (cuts[r] > a->cut_ppm)
                a->cut_ppm = cuts[r];
        }
    }
    if (a->cut_ppm > cfg->max_cut_ppm)
        a->cut_ppm = cfg->max_cut_ppm;
    a->level = a->cut_ppm >= cfg->high_ppm       ? RD_LEVEL_HIGH
               : a->cut_ppm >= cfg->moderate_ppm ? RD_LEVEL_MODERATE
                                                 : RD_LEVEL_LOW;
    a->new_limit = rd_trader_new_limit(cfg, a->old_limit, a->cut_ppm);
}

rd_money rd_trader_new_limit(const struct rd_trader_rules_config *cfg, rd_money old_limit,
                             int64_t cut_ppm)
{
    rd_money kept, floor_step, lim;

    if (cut_ppm <= 0)
        return old_limit;                   /* no cut: the old limit stands, not rounded */
    if (cut_ppm >= RD_PPM)
        return 0;                           /* a configured 100% cut: stop trading */
    kept = rd_muldiv(old_limit, RD_PPM - cut_ppm, RD_PPM);
    lim = kept / cfg->limit_step * cfg->limit_step;
    /* never below one step: $150 cut 40% is $100, not $0 (nor above the old limit) */
    floor_step = old_limit < cfg->limit_step ? old_limit : cfg->limit_step;
    return lim < floor_step ? floor_step : lim;
}

int rd_trader_assess(const struct rd_trader_rules_config *cfg, const struct rd_pnl_day *days,
                     size_t n, int32_t report_day, rd_money limit,
                     struct rd_trader_assessment *out, struct rd_error *err)
{
    rd_money *hist = NULL;
    size_t j;
    int rc;

    rc = rd_trader_rules_config_check(cfg, err);
    if (rc != RD_OK)
        return rc;
    for (j = n; j > 0 && days[j - 1].day > report_day; j--)
        ;
    if (j == 0) {
        memset(out, 0, sizeof *out);
        out->old_limit = out->new_limit = limit > 0 ? limit : cfg->default_limit;
        return RD_OK;
    }
    j--;                                                    /* the day judged */
    if (j > 0) {
        hist = rd_malloc(j * sizeof *hist);
        if (!hist)
            return rd_error_set(err, RD_ENOMEM, "out of memory assessing a trader");
        for (size_t i = 0; i < j; i++)
            hist[i] = days[i].net;
        qsort(hist, j, sizeof *hist, cmp_money);
    }
    judge(cfg, days, j, limit, hist, 1, out);
    rd_free(hist);
    return RD_OK;
}

int rd_trader_cut_series(const struct rd_trader_rules_config *cfg, const struct rd_pnl_day *days,
                         size_t n, int64_t *cut_ppm, struct rd_error *err)
{
    struct rd_trader_assessment a;
    rd_money *hist;
    int rc;

    rc = rd_trader_rules_config_check(cfg, err);
    if (rc != RD_OK || n == 0)
        return rc;
    hist = rd_malloc(n * sizeof *hist);
    if (!hist)
        return rd_error_set(err, RD_ENOMEM, "out of memory computing a trader's cuts");
    for (size_t j = 0; j < n; j++) {
        size_t lo = 0, hi = j;

        judge(cfg, days, j, 0, hist, 0, &a);
        cut_ppm[j] = a.limited ? 0 : a.cut_ppm;
        /* insert days[j].net into the sorted hist[0..j) */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;

            if (hist[mid] <= days[j].net)
                lo = mid + 1;
            else
                hi = mid;
        }
        memmove(hist + lo + 1, hist + lo, (j - lo) * sizeof *hist);
        hist[lo] = days[j].net;
    }
    rd_free(hist);
    return RD_OK;
}
