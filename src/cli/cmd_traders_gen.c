/*
 * cmd_traders_gen.c - `riskdesk traders gen`: a seeded, realistic fills CSV in
 * the firm's export format (MM/DD/YYYY dates, fee breakdown columns) for the
 * demo, the tests and the benchmarks. Same options, same bytes.
 *
 * Each trader trades a handful of symbols on NYSE trading days: round trips
 * opened and closed in one to three fills, shorts as well as longs, a few
 * positions held overnight and the odd fill that flips a position. Traders are
 * given situations by their index so that the report has something to show:
 * a losing streak, a drawdown, a volatility spike, a large loss on the last
 * day, a newcomer with little history, and a legacy (_OLD) account.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "riskdesk/alloc.h"
#include "riskdesk/calendar.h"
#include "riskdesk/fills_csv.h"
#include "riskdesk/money.h"
#include "riskdesk/banned.h"

#define MAX_SYMS 12
#define MAX_TRADERS 1000

static const char *const first_names[] = {
    "amorgan", "bchen", "cdiaz", "dpatel", "ekim", "fnguyen", "gsilva", "hkhan",
    "iross", "jwu", "klee", "lmartin", "mlopez", "nsato", "oberg", "pnovak",
};
static const char *const tickers[] = {
    "AAPL", "MSFT", "NVDA", "AMZN", "META", "GOOGL", "TSLA", "AMD", "NFLX", "JPM",
    "BAC", "XOM", "CVX", "KO", "PEP", "WMT", "DIS", "INTC", "CSCO", "ORCL",
    "CRM", "ADBE", "PYPL", "UBER", "SHOP", "SQ", "F", "GM", "T", "VZ",
    "PFE", "MRK", "ABBV", "LLY", "UNH", "HD", "LOW", "NKE", "SBUX", "MCD",
};
#define NTICKERS (sizeof tickers / sizeof tickers[0])

enum situation { S_NORMAL, S_STREAK, S_DRAWDOWN, S_VOLATILE, S_BIGLOSS, S_NEWCOMER, S_LEGACY };

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

static double uniform(struct rng *r)
{
    return (double)(next_u64(r) >> 11) / 9007199254740992.0;
}

static uint32_t below(struct rng *r, uint32_t n)
{
    return (uint32_t)(uniform(r) * n);
}

static double gauss(struct rng *r)
{
    double u = uniform(r), v = uniform(r);

    if (u < 1e-300)
        u = 1e-300;
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

struct position {
    int64_t qty;            /* signed */
    double avg;             /* average open price */
};

struct trader {
    char name[40];
    enum situation sit;
    int first_day, last_day;        /* indexes into the day list */
    int nsyms;
    int sym[MAX_SYMS];
    double edge, sigma;             /* per-trade return mean and spread */
    struct position pos[MAX_SYMS];
};

struct row {
    int32_t time_ms;
    uint32_t trader;
    int sym;                        /* ticker index */
    int64_t qty;                    /* signed */
    rd_money price;
};

struct gen {
    struct rng rng;
    struct trader *tr;
    int ntr;
    int32_t *days;
    int ndays;
    int per_day;
    double price[NTICKERS];
    struct row *rows;
    size_t nrows, cap;
};

static int row_cmp(const void *a, const void *b)
{
    const struct row *x = a, *y = b;

    if (x->time_ms != y->time_ms)
        return x->time_ms < y->time_ms ? -1 : 1;
    return x->trader < y->trader ? -1 : x->trader > y->trader;
}

static int push(struct gen *g, uint32_t t, int s, int64_t qty, double price, int32_t ms)
{
    struct row *r;

    if (g->nrows == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 4096;
        struct row *p = rd_realloc(g->rows, cap * sizeof *p);

        if (!p)
            return -1;
        g->rows = p;
        g->cap = cap;
    }
    r = &g->rows[g->nrows++];
    r->time_ms = ms;
    r->trader = t;
    r->sym = g->tr[t].sym[s];
    r->qty = qty;
    if (price < 0.05)
        price = 0.05;
    r->price = (rd_money)llround(price * 100.0) * 100;        /* cents */
    return 0;
}

/* The day's per-trade return mean and spread, and size factor, by situation. */
static void day_params(const struct gen *g, const struct trader *t, int d, double *mu,
                       double *sd, double *size)
{
    int from_end = g->ndays - 1 - d;

    *mu = t->edge;
    *sd = t->sigma;
    *size = 1.0;
    switch (t->sit) {
    case S_STREAK:
        if (from_end < 5)
            *mu = -0.5 * t->sigma;
        break;
    case S_DRAWDOWN:
        if (from_end < 40 && from_end >= 12)
            *mu = t->edge * 3.0;
        else if (from_end < 12)
            *mu = -t->sigma * 0.25;
        break;
    case S_VOLATILE:
        if (from_end < 5) {
            *sd = t->sigma * 4.0;
            *size = 2.0;
        }
        break;
    case S_BIGLOSS:
        if (from_end == 0) {
            *mu = -1.5 * t->sigma;
            *size = 2.0;
        }
        break;
    default:
        break;
    }
}

static int trader_day(struct gen *g, uint32_t ti, int d)
{
    struct trader *t = &g->tr[ti];
    double mu, sd, size;
    int n = g->per_day / 2 + (int)below(&g->rng, (uint32_t)g->per_day + 1);
    int32_t ms = 34200000 + (int32_t)below(&g->rng, 60000);      /* 09:30 */
    int32_t step = (int32_t)(23400000 / (n + 2));

    day_params(g, t, d, &mu, &sd, &size);
    for (int k = 0; k < n; k++) {
        int s = (int)below(&g->rng, (uint32_t)t->nsyms);
        struct position *p = &t->pos[s];
        double mark = g->price[t->sym[s]];
        int64_t q;

        ms += 1 + (int32_t)below(&g->rng, (uint32_t)step);
        if (ms > 57599000)
            ms = 57599000;
        if (p->qty == 0) {
            /* open: long 60%, short 40%, round lots */
            q = 100 * (1 + (int64_t)below(&g->rng, 5));
            q = (int64_t)(q * size);
            if (uniform(&g->rng) < 0.4)
                q = -q;
            p->qty = q;
            p->avg = mark * (1.0 + 0.001 * gauss(&g->rng));
            if (push(g, ti, s, q, p->avg, ms))
                return -1;
            continue;
        }
        /* close all or part, now and then one fill past flat (a flip) */
        {
            int64_t mag = p->qty > 0 ? p->qty : -p->qty;
            double r = mu + sd * gauss(&g->rng);
            double px = p->qty > 0 ? p->avg * (1.0 + r) : p->avg * (1.0 - r);
            double u = uniform(&g->rng);

            if (u < 0.3 && mag >= 200)
                q = 100 * (mag / 200);                      /* a partial close */
            else if (u > 0.97)
                q = mag + 100 * (1 + (int64_t)below(&g->rng, 3));  /* a flip */
            else
                q = mag;
            if (push(g, ti, s, p->qty > 0 ? -q : q, px, ms))
                return -1;
            if (q > mag) {
                p->qty = p->qty > 0 ? -(q - mag) : q - mag;
                p->avg = px;
            } else {
                p->qty += p->qty > 0 ? -q : q;
            }
        }
    }
    /* flatten most positions by the close; about one in ten stays overnight */
    for (int s = 0; s < t->nsyms; s++) {
        struct position *p = &t->pos[s];
        double r;

        if (p->qty == 0 || uniform(&g->rng) < 0.1)
            continue;
        r = mu + sd * gauss(&g->rng);
        if (push(g, ti, s, -p->qty, p->qty > 0 ? p->avg * (1.0 + r) : p->avg * (1.0 - r),
                 57540000 + (int32_t)below(&g->rng, 60000)))
            return -1;
        p->qty = 0;
    }
    return 0;
}

static void fmt_money(char *buf, size_t n, rd_money v)
{
    rd_decimal_format(v, 4, 2, buf, n);
}

static int write_day(struct gen *g, FILE *out, int32_t day)
{
    int y, m, dd;

    rd_date_to_ymd(day, &y, &m, &dd);
    qsort(g->rows, g->nrows, sizeof *g->rows, row_cmp);
    for (size_t i = 0; i < g->nrows; i++) {
        const struct row *r = &g->rows[i];
        int64_t q = r->qty > 0 ? r->qty : -r->qty;
        rd_money notional = rd_muldiv(r->price, q, 1);
        rd_money comm = q * 35, ecn, sec = 0, taf = 0, nscc, clr;
        char c[32], e[32], s[32], tf[32], ns[32], cl[32], px[32];
        int sell = r->qty < 0;

        if (comm < 3500)
            comm = 3500;                                    /* $0.0035/sh, $0.35 min */
        ecn = (r->time_ms % 3 == 0) ? -q * 20 : q * 30;     /* rebate when adding */
        if (sell) {
            sec = rd_muldiv(notional, 278, 10000000);       /* $27.80 per million */
            taf = q * 166 / 100 > 83000 ? 83000 : q * 166 / 100;
        }
        nscc = 20 + q / 100;
        clr = q * 2;
        fmt_money(c, sizeof c, comm);
        fmt_money(e, sizeof e, ecn);
        fmt_money(s, sizeof s, sec);
        fmt_money(tf, sizeof tf, taf);
        fmt_money(ns, sizeof ns, nscc);
        fmt_money(cl, sizeof cl, clr);
        rd_decimal_format(r->price, 4, 2, px, sizeof px);
        fprintf(out, "%s,%02d/%02d/%04d,%02d:%02d:%02d,%s,%s,%lld,%s,%s,%s,%s,%s,%s,%s,\n",
                g->tr[r->trader].name, m, dd, y, r->time_ms / 3600000,
                r->time_ms / 60000 % 60, r->time_ms / 1000 % 60, tickers[r->sym],
                sell ? "S" : "B", (long long)q, px, c, e, s, tf, ns, cl);
    }
    g->nrows = 0;
    return ferror(out) ? -1 : 0;
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static long ntr = 12, ndays = 625, seed = 1, nfills;
static const char *outpath;
static int32_t end_day;
static int have_end;

static const struct option opts[] = {
    {"traders", required_argument, NULL, 't'}, {"days", required_argument, NULL, 'd'},
    {"seed", required_argument, NULL, 's'},    {"fills", required_argument, NULL, 'f'},
    {"out", required_argument, NULL, 'o'},     {"end", required_argument, NULL, 'e'},
    {NULL, 0, NULL, 0},
};

static int option(int val, const char *v)
{
    struct rd_error err = {0};
    int bad = 0;

    switch (val) {
    case 't': bad = parse_int(v, 1, MAX_TRADERS, &ntr); break;
    case 'd': bad = parse_int(v, 1, 20000, &ndays); break;
    case 's': bad = parse_int(v, 0, 2147483647L, &seed); break;
    case 'f': bad = parse_int(v, 1, 2000000000L, &nfills); break;
    case 'o': outpath = v; break;
    default:
        if (rd_fills_date_parse(v, strlen(v), &end_day, &err) != RD_OK)
            return cli_usage_error("traders gen", "%s", err.msg);
        have_end = 1;
    }
    return bad ? cli_usage_error("traders gen", "bad value '%s'", v) : CLI_OK;
}

static int run(struct cli_ctx *c)
{
    int32_t end = end_day;
    int rc = CLI_FAIL;
    struct gen g = {0};
    FILE *out = stdout;

    (void)c;
    if (!have_end) {
        time_t now = time(NULL);
        struct tm tmv;

        localtime_r(&now, &tmv);
        end = rd_date_from_ymd(tmv.tm_year + 1900, tmv.tm_mon + 1, tmv.tm_mday);
    }
    if (!rd_nyse_is_trading_day(end))
        end = rd_nyse_prev_trading_day(end);
    g.rng.s = (uint64_t)seed * 0x2545f4914f6cdd1dULL + 1;
    g.ntr = (int)ntr + (ntr >= 3);                  /* plus one legacy account */
    g.ndays = (int)ndays;
    g.tr = rd_calloc((size_t)g.ntr, sizeof *g.tr);
    g.days = rd_malloc((size_t)g.ndays * sizeof *g.days);
    if (!g.tr || !g.days) {
        fprintf(stderr, "riskdesk traders gen: out of memory\n");
        goto out;
    }
    for (int d = g.ndays - 1; d >= 0; d--) {
        g.days[d] = end;
        end = rd_nyse_prev_trading_day(end);
    }
    for (size_t k = 0; k < NTICKERS; k++)
        g.price[k] = 5.0 + 295.0 * uniform(&g.rng);
    for (int i = 0; i < g.ntr; i++) {
        struct trader *t = &g.tr[i];
        static const enum situation plan[8] = {S_NORMAL, S_STREAK, S_NORMAL, S_DRAWDOWN,
                                               S_VOLATILE, S_NORMAL, S_BIGLOSS, S_NEWCOMER};
        int base = i % (int)(sizeof first_names / sizeof first_names[0]);

        if (i == (int)ntr) {
            snprintf(t->name, sizeof t->name, "%.30s_OLD", g.tr[0].name);
            t->sit = S_LEGACY;
        } else {
            if (i < 16)
                snprintf(t->name, sizeof t->name, "%s", first_names[base]);
            else
                snprintf(t->name, sizeof t->name, "%s%d", first_names[base], i / 16 + 1);
            t->sit = plan[i % 8];
        }
        t->first_day = 0;
        t->last_day = g.ndays - 1;
        if (t->sit == S_NEWCOMER && g.ndays > 7)
            t->first_day = g.ndays - 7;
        if (t->sit == S_LEGACY)
            t->last_day = g.ndays / 3;
        t->nsyms = 3 + (int)below(&g.rng, MAX_SYMS - 2);
        for (int s = 0; s < t->nsyms; s++)
            t->sym[s] = (int)below(&g.rng, NTICKERS);
        t->sigma = 0.002 + 0.003 * uniform(&g.rng);
        t->edge = t->sigma * (0.25 + 0.10 * uniform(&g.rng));
    }
    {
        long trader_days = 0;

        for (int i = 0; i < g.ntr; i++)
            trader_days += g.tr[i].last_day - g.tr[i].first_day + 1;
        /* about per_day fills a trader-day, plus the flattening fills at the close */
        g.per_day = nfills ? (int)(nfills / trader_days) - 4 : 40;
        if (g.per_day < 2)
            g.per_day = 2;
    }
    if (outpath) {
        out = fopen(outpath, "w");
        if (!out) {
            fprintf(stderr, "riskdesk traders gen: cannot create %s: %s\n", outpath,
                    strerror(errno));
            goto out;
        }
    }
    setvbuf(out, NULL, _IOFBF, 1 << 20);
    fputs("trader_id,date,time,symbol,side,qty,price,comm,ecn,sec,taf,nscc,clr,misc\n", out);
    for (int d = 0; d < g.ndays; d++) {
        for (size_t k = 0; k < NTICKERS; k++)
            g.price[k] *= exp(0.02 * gauss(&g.rng));
        for (int i = 0; i < g.ntr; i++) {
            if (d < g.tr[i].first_day || d > g.tr[i].last_day)
                continue;
            if (trader_day(&g, (uint32_t)i, d)) {
                fprintf(stderr, "riskdesk traders gen: out of memory\n");
                goto out;
            }
        }
        if (write_day(&g, out, g.days[d])) {
            fprintf(stderr, "riskdesk traders gen: writing failed: %s\n", strerror(errno));
            goto out;
        }
    }
    rc = CLI_OK;
out:
    if (out != stdout && fclose(out) != 0 && rc == CLI_OK) {
        fprintf(stderr, "riskdesk traders gen: writing %s failed: %s\n", outpath,
                strerror(errno));
        rc = CLI_FAIL;
    }
    rd_free(g.rows);
    rd_free(g.tr);
    rd_free(g.days);
    return rc;
}

const struct cli_cmd cli_cmd_traders_gen = {
    .name = "traders gen",
    .summary = "generate a realistic, seeded fills CSV for demos and benchmarks",
    .usage = "usage: riskdesk traders gen [--traders N] [--days N] [--seed S] [--fills N]\n"
             "                            [--end YYYY-MM-DD] [--out FILE]\n"
             "\n"
             "Writes a fills CSV in the firm's export format (MM/DD/YYYY, fee breakdown)\n"
             "to stdout or FILE: N traders (default 12) over the last N NYSE trading days\n"
             "(default 625) ending on --end (default today), about 40 fills per trader and\n"
             "day, or --fills N in all. One more, legacy account (NAME_OLD) is added when\n"
             "there are 3 traders or more. The same options give the same bytes.\n",
    .options = opts,
    .option = option,
    .run = run,
};
