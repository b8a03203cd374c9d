/*
 * bench_metrics.c - speed of the metric kernels, of rd_metrics_compute over
 * many accounts, and of the return CSV reader; prints a table (what, n, time,
 * rate). Results go to docs/benchmarks.md, section "Metrics".
 *
 *   bench_metrics                      kernels and compute on 10,000 x 504 in memory
 *   bench_metrics --gen FILE [--accounts K] [--days N] [--digits D] [--by-account]
 *                                      writes a date,account,return CSV (date-major
 *                                      rows unless --by-account; D significant digits,
 *                                      17 for round-trip repr-like text)
 *   bench_metrics --read FILE          times reading FILE and computing every account
 *                                      (best of 3 parses, best of 5 computes)
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "riskdesk/alloc.h"
#include "riskdesk/metrics.h"
#include "riskdesk/returns_csv.h"

static double now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* xorshift64* and Box-Muller: deterministic normal returns */
static uint64_t rng_state = 88172645463325252ULL;

static double uniform(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ULL) >> 11) * (1.0 / 9007199254740992.0);
}

static double normal(double mu, double sd)
{
    double u = uniform(), v = uniform();

    if (u < 1e-300)
        u = 1e-300;
    return mu + sd * sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static volatile double sink;

static void row(const char *what, size_t n, double secs)
{
    printf("| %-34s | %10zu | %10.3f ms | %8.1f M/s |\n", what, n, secs * 1e3, (double)n / secs / 1e6);
}

#define NACC 10000
#define NDAY 504

/* Times fn over every account, repeated until 0.3 s; best of 3 runs. */
#define TIME_KERNEL(label, expr)                                                   \
    do {                                                                           \
        double best = 1e30;                                                        \
        for (int run_ = 0; run_ < 3; run_++) {                                     \
            int reps_ = 0;                                                         \
            double t0_ = now(), t1_;                                               \
            do {                                                                   \
                double acc_ = 0;                                                   \
                for (size_t a = 0; a < NACC; a++) {                                \
                    const double *r = R + a * NDAY, *b = B + a * NDAY;             \
                    (void)b;                                                       \
                    acc_ += (expr);                                                \
                }                                                                  \
                sink = acc_;                                                       \
                reps_++;                                                           \
                t1_ = now();                                                       \
            } while (t1_ - t0_ < 0.3);                                             \
            if ((t1_ - t0_) / reps_ < best)                                        \
                best = (t1_ - t0_) / reps_;                                        \
        }                                                                          \
        row(label, (size_t)NACC * NDAY, best);                                     \
    } while (0)

static int kernels(void)
{
    double *R = malloc(sizeof(double) * NACC * NDAY), *B = malloc(sizeof(double) * NACC * NDAY);
    double *scratch = malloc(sizeof(double) * 2 * NDAY);
    struct rd_metrics_params p;
    struct rd_metrics_result res;
    const double A = 252;

    if (!R || !B || !scratch)
        return 1;
    for (size_t i = 0; i < (size_t)NACC * NDAY; i++) {
        B[i] = normal(0.0003, 0.01);
        R[i] = 0.8 * B[i] + normal(0.0001, 0.008);
    }
    rd_metrics_params_init(&p);
    printf("| %-34s | %10s | %13s | %12s |\n", "what (10,000 series x 504)", "returns", "time",
           "rate");
    printf("|%s|%s|%s|%s|\n", "------------------------------------", "------------",
           "---------------", "--------------");
    TIME_KERNEL("cum_return", rd_metrics_cum_return(r, NDAY));
    TIME_KERNEL("annual_return", rd_metrics_annual_return(r, NDAY, A));
    TIME_KERNEL("max_drawdown", rd_metrics_max_drawdown(r, NDAY));
    TIME_KERNEL("downside_risk", rd_metrics_downside_risk(r, NDAY, 0.0, A));
    TIME_KERNEL("omega", rd_metrics_omega(r, NDAY, 0.0, 0.0, 252));
    TIME_KERNEL("annual_volatility (two-pass)", rd_metrics_annual_volatility(r, NDAY, A));
    TIME_KERNEL("sharpe (two-pass)", rd_metrics_sharpe(r, NDAY, 0.0, A));
    TIME_KERNEL("sortino", rd_metrics_sortino(r, NDAY, 0.0, A));
    TIME_KERNEL("up_capture", rd_metrics_up_capture(r, b, NDAY, A));
    TIME_KERNEL("beta", rd_metrics_beta(r, b, NDAY));
    TIME_KERNEL("alpha (with beta)", rd_metrics_alpha(r, b, NDAY, 0.0, A));
    TIME_KERNEL("tracking_error", rd_metrics_tracking_error(r, b, NDAY, A));
    TIME_KERNEL("stability (log1p)", rd_metrics_stability(r, NDAY, scratch));
    TIME_KERNEL("value_at_risk (select)", rd_metrics_value_at_risk(r, NDAY, 0.05, scratch));
    TIME_KERNEL("cvar (select)", rd_metrics_cvar(r, NDAY, 0.05, scratch));
    TIME_KERNEL("tail_ratio (select)", rd_metrics_tail_ratio(r, NDAY, scratch));
    TIME_KERNEL("all 19 metrics, no benchmark",
                (rd_metrics_compute(r, NULL, NDAY, &p, scratch, &res), res.sharpe));
    TIME_KERNEL("all 19 metrics, with benchmark",
                (rd_metrics_compute(r, b, NDAY, &p, scratch, &res), res.sharpe));
    free(R);
    free(B);
    free(scratch);
    return 0;
}

static int gen(const char *path, int naccounts, int ndays, int digits, int by_account)
{
    FILE *f = fopen(path, "w");
    int32_t day0 = rd_days_from_civil(2022, 1, 3);
    char (*dates)[11] = malloc(sizeof *dates * (size_t)ndays);
    int nd = 0;

    if (!f || !dates)
        return 1;
    /* business days only */
    for (int32_t d = day0; nd < ndays; d++) {
        int y, m, dd;
        int wd = (int)(((int64_t)d + 3) % 7);     /* 0 = Monday */

        if (wd >= 5)
            continue;
        rd_civil_from_days(d, &y, &m, &dd);
        snprintf(dates[nd++], 11, "%04d-%02d-%02d", y, m, dd);
    }
    fputs("date,account,return\n", f);
    for (int i = 0; i < naccounts * ndays; i++) {
        int a = by_account ? i / ndays : i % naccounts, d = by_account ? i % ndays : i / naccounts;
        double r = normal(0.0004, 0.012);

        fprintf(f, "%s,ACC%05d,%.*g\n", dates[d], a, digits, r);
    }
    free(dates);
    return fclose(f) != 0;
}

struct half {
    const struct rd_returns_set *s;
    struct rd_metrics_result *res;
    size_t first, maxn;
};

static void *compute_half(void *arg)
{
    struct half *h = arg;
    struct rd_metrics_params p;
    double *scratch = malloc(2 * h->maxn * sizeof *scratch);

    rd_metrics_params_init(&p);
    for (size_t a = h->first; a < h->s->naccounts; a += 2)
        rd_metrics_compute(h->s->returns + h->s->offset[a], NULL,
                           h->s->offset[a + 1] - h->s->offset[a], &p, scratch, &h->res[a]);
    free(scratch);
    return NULL;
}

static int read_file(const char *path)
{
    struct rd_returns_set s;
    struct rd_error err = {0};
    struct rd_metrics_params p;
    struct rd_metrics_result *res;
    double t0, t1, t2, *scratch;
    size_t maxn = 1, len;
    char *text;
    FILE *f = fopen(path, "rb");

    if (!f || fseek(f, 0, SEEK_END) != 0)
        return 1;
    len = (size_t)ftell(f);
    rewind(f);
    text = malloc(len + 1);
    if (!text || fread(text, 1, len, f) != len)
        return 1;
    fclose(f);
    for (int threads = 1; threads <= 2; threads++) {
        double best = 1e30;

        for (int run = 0; run < 3; run++) {
            t0 = now();
            if (rd_returns_csv_parse_mt(text, len, path, threads, &s, &err) != RD_OK) {
                fprintf(stderr, "%s\n", err.msg);
                return 1;
            }
            t1 = now();
            if (t1 - t0 < best)
                best = t1 - t0;
            if (run < 2 || threads < 2)
                rd_returns_set_release(&s);
        }
        row(threads == 1 ? "parse + group (1 thread)" : "parse + group (2 threads)", s.nrows ? s.nrows : 5040000, best);
    }
    free(text);
    for (size_t a = 0; a < s.naccounts; a++)
        if (s.offset[a + 1] - s.offset[a] > maxn)
            maxn = s.offset[a + 1] - s.offset[a];
    scratch = malloc(2 * maxn * sizeof *scratch);
    res = malloc((s.naccounts + 1) * sizeof *res);
    rd_metrics_params_init(&p);
    {
        /* best of 5, as the 2-thread figure (the machine is shared) */
        double best = 1e30;

        for (int run = 0; run < 5; run++) {
            t1 = now();
            for (size_t a = 0; a < s.naccounts; a++)
                rd_metrics_compute(s.returns + s.offset[a], NULL,
                                   s.offset[a + 1] - s.offset[a], &p, scratch, &res[a]);
            t2 = now();
            if (t2 - t1 < best)
                best = t2 - t1;
        }
        row("compute all accounts (1 thread)", s.nrows, best);
    }
    {
        double best = 1e30;

        for (int run = 0; run < 5; run++) {
            struct half h0 = {&s, res, 0, maxn}, h1 = {&s, res, 1, maxn};
            pthread_t t;
            double t3 = now(), t4;

            pthread_create(&t, NULL, compute_half, &h1);
            compute_half(&h0);
            pthread_join(t, NULL);
            t4 = now();
            if (t4 - t3 < best)
                best = t4 - t3;
        }
        row("compute all accounts (2 threads)", s.nrows, best);
    }
    printf("(%zu accounts)\n", s.naccounts);
    free(scratch);
    free(res);
    rd_returns_set_release(&s);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "--gen")) {
        int acc = 10000, days = 504, digits = 10, by_account = 0;

        for (int i = 3; i < argc; i++) {
            if (!strcmp(argv[i], "--accounts") && i + 1 < argc)
                acc = (int)strtol(argv[++i], NULL, 10);
            else if (!strcmp(argv[i], "--days") && i + 1 < argc)
                days = (int)strtol(argv[++i], NULL, 10);
            else if (!strcmp(argv[i], "--digits") && i + 1 < argc)
                digits = (int)strtol(argv[++i], NULL, 10);
            else if (!strcmp(argv[i], "--by-account"))
                by_account = 1;
        }
        return gen(argv[2], acc, days, digits, by_account);
    }
    if (argc >= 3 && !strcmp(argv[1], "--read"))
        return read_file(argv[2]);
    return kernels();
}
