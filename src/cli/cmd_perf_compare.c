/*
 * cmd_perf_compare.c - `riskdesk perf compare`: accounts side by side from
 * their daily snapshots, ranked by Sharpe, with the correlation matrix of
 * their daily returns on common dates and Welch's t-test of each pair's mean
 * daily returns (src/app/perf_report.c).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_open.h"
#include "riskdesk/calendar.h"
#include "riskdesk/perf_report.h"
#include "riskdesk/banned.h"

#define NAME "perf compare"
#define MAX_ACCOUNTS 64

static const char *list;
static char names_buf[MAX_ACCOUNTS * 64];
static const char *names[MAX_ACCOUNTS];
static size_t nnames;

static const struct option opts[] = {
    {"accounts", required_argument, NULL, 'a'},
    {NULL, 0, NULL, 0},
};

static int option(int val, const char *arg)
{
    (void)val;
    list = arg;
    return CLI_OK;
}

/* --accounts A,B,...: at least two names. */
static int check(struct cli_ctx *c)
{
    char *p;

    (void)c;
    if (!list)
        return cli_usage_error(NAME, "--accounts A,B,... is required");
    if (strlen(list) >= sizeof names_buf)
        return cli_usage_error(NAME, "--accounts: too long");
    snprintf(names_buf, sizeof names_buf, "%s", list);
    for (p = names_buf; p;) {
        char *comma = strchr(p, ',');

        if (comma)
            *comma = '\0';
        if (!*p)
            return cli_usage_error(NAME, "--accounts: an empty name in '%s'", list);
        if (nnames == MAX_ACCOUNTS)
            return cli_usage_error(NAME, "--accounts: at most %d accounts", MAX_ACCOUNTS);
        names[nnames++] = p;
        p = comma ? comma + 1 : NULL;
    }
    if (nnames < 2)
        return cli_usage_error(NAME, "--accounts: name at least two accounts, got '%s'", list);
    return CLI_OK;
}

/* v with prec decimals ('g' form when g), or NaN / Inf / -Inf. */
static const char *fmtv(double v, int prec, int g, char *buf, size_t n)
{
    if (isnan(v))
        snprintf(buf, n, "NaN");
    else if (isinf(v))
        snprintf(buf, n, "%s", v > 0 ? "Inf" : "-Inf");
    else if (g)
        snprintf(buf, n, "%.*g", prec, v);
    else
        snprintf(buf, n, "%.*f", prec, v);
    return buf;
}

static void col(double v)
{
    char b[40];

    printf(" %10s", fmtv(v, 4, 0, b, sizeof b));
}

static void text(const struct rd_perf_compare *c)
{
    char from[16] = "-", to[16] = "-";

    printf("%-4s %-20s %6s %10s %10s %10s %10s %10s %10s\n", "rank", "account", "days",
           "cum_ret", "ann_ret", "ann_vol", "sharpe", "sortino", "max_dd");
    for (size_t i = 0; i < c->n; i++) {
        const struct rd_perf_compare_row *r = &c->rows[i];

        printf("%-4zu %-20s %6zu", i + 1, r->account, r->nreturns);
        col(r->metrics.cum_return);
        col(r->metrics.annual_return);
        col(r->metrics.annual_volatility);
        col(r->metrics.sharpe);
        col(r->metrics.sortino);
        col(r->metrics.max_drawdown);
        putchar('\n');
    }
    if (c->ncommon) {
        rd_date_format(c->common_from, from, sizeof from);
        rd_date_format(c->common_to, to, sizeof to);
    }
    printf("\ncorrelation of daily returns (%zu common days, %s to %s)\n%-20s", c->ncommon, from,
           to, "");
    for (size_t j = 0; j < c->n; j++)
        printf(" %10.10s", c->rows[j].account);
    putchar('\n');
    for (size_t i = 0; i < c->n; i++) {
        printf("%-20s", c->rows[i].account);
        for (size_t j = 0; j < c->n; j++)
            col(c->corr[i * c->n + j]);
        putchar('\n');
    }
    printf("\nWelch's t-test of mean daily returns (two-sided, significant: p < 0.05)\n");
    for (size_t i = 0; i < c->n; i++)
        for (size_t j = i + 1; j < c->n; j++) {
            const struct rd_welch *w = &c->welch[i * c->n + j];
            char t[40], df[40], pv[40];

            printf("  %s vs %s: t %s df %s p %s%s\n", c->rows[i].account, c->rows[j].account,
                   fmtv(w->t, 4, 0, t, sizeof t), fmtv(w->df, 1, 0, df, sizeof df),
                   fmtv(w->p, 4, 1, pv, sizeof pv),
                   !isnan(w->p) && w->p < 0.05 ? " significant" : "");
        }
}

static int run(struct cli_ctx *c)
{
    struct rd_perf_compare cmp;
    struct rd_error err = {0};
    int json = c->json, rc;

    memset(&cmp, 0, sizeof cmp);
    rc = rd_perf_compare_build(c->env.store, c->env.cfg, names, nnames, &cmp, &err);
    if (rc == RD_OK && json) {
        struct rd_buf b;

        rd_buf_init(&b, (size_t)1 << 30);
        rc = rd_perf_compare_json(&cmp, &b);
        if (rc == RD_OK)
            printf("%s\n", rd_buf_str(&b));
        else
            rd_error_set(&err, rc, "out of memory writing the comparison");
        rd_buf_release(&b);
    } else if (rc == RD_OK) {
        text(&cmp);
    }
    rd_perf_compare_release(&cmp);
    return rc == RD_OK ? CLI_OK : cli_fail(&err);
}

const struct cli_cmd cli_cmd_perf_compare = {
    .name = NAME,
    .summary = "accounts side by side: ranked by Sharpe, correlations, t-tests",
    .usage =
        "usage: riskdesk perf compare [--config F] [--db URL] --accounts A,B,... [--json]\n"
        "\n"
        "Compares accounts from their daily snapshots: every metric of their daily\n"
        "returns (risk-free: the config's annual rate / 252), ranked by Sharpe (NaN\n"
        "last); the correlation matrix of their daily returns on the dates they all\n"
        "have; and for each pair Welch's t-test of the difference of their mean daily\n"
        "returns on those dates (t, Welch-Satterthwaite df, two-sided p; significant\n"
        "when p < 0.05). Each account needs at least two snapshots.\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_JSON,
    .opens = CLI_OPENS_STORE,
    .options = opts,
    .option = option,
    .check = check,
    .run = run,
};
