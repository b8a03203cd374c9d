/*
 * cmd_perf_report.c - `riskdesk perf report`: one account's performance from
 * its daily snapshots (returns per period, every metric with the config's
 * risk-free rate) and its closed trades (src/app/perf_report.c).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_open.h"
#include "riskdesk/calendar.h"
#include "riskdesk/perf_report.h"
#include "riskdesk/banned.h"

#define NAME "perf report"

static enum rd_agg agg = RD_AGG_DAILY;
static int32_t day_from = INT32_MIN, day_to = INT32_MAX;

static const struct option opts[] = {
    {"period", required_argument, NULL, 'p'}, {"from", required_argument, NULL, 'f'},
    {"to", required_argument, NULL, 'T'},     {NULL, 0, NULL, 0},
};

static void num(double v)
{
    if (isnan(v))
        printf("%14s", "NaN");
    else if (isinf(v))
        printf("%14s", v > 0 ? "Infinity" : "-Infinity");
    else
        printf("%14.6g", v);
}

static void money(const char *label, rd_money m)
{
    char t[40];

    rd_money_format(m, t, sizeof t);
    printf("  %-18s%14s\n", label, t);
}

static void text(const struct rd_perf_report *r)
{
    char from[16], to[16], label[24];

    rd_date_format(r->first_day, from, sizeof from);
    rd_date_format(r->last_day, to, sizeof to);
    printf("account %s: %zu snapshots, %s to %s\n", r->account, r->nsnapshots, from, to);
    money("start_equity", r->first_equity);
    money("end_equity", r->last_equity);
    printf("  %-18s", "drawdown_now");
    num(r->drawdown);
    printf("\n\nmetrics (%s returns, risk-free %.6g per period)\n", rd_perf_agg_name(r->agg),
           r->risk_free);
    if (!r->annualised)
        printf("  (%d of the %d days of tracking that annualised figures and ratios need: read "
               "them as provisional)\n", (int)r->tracking_days, (int)r->min_tracking_days);
    for (size_t f = 0; f < rd_metrics_nfields; f++) {
        printf("  %-18s", rd_metrics_fields[f].name);
        num(*(const double *)(const void *)((const char *)&r->metrics +
                                            rd_metrics_fields[f].offset));
        putchar('\n');
    }
    printf("\ntrades (closed)\n");
    printf("  %-18s%14zu\n  %-18s%14zu\n  %-18s%14zu\n", "trades", r->trades.trades, "wins",
           r->trades.wins, "losses", r->trades.losses);
    printf("  %-18s", "win_rate");
    num(r->trades.win_rate);
    printf("\n  %-18s", "profit_factor");
    num(r->trades.profit_factor);
    putchar('\n');
    money("average_win", r->trades.average_win);
    money("average_loss", r->trades.average_loss);
    money("largest_win", r->trades.largest_win);
    money("largest_loss", r->trades.largest_loss);
    money("net", r->trades.net);
    printf("  %-18s", "trades_per_year");
    num(r->trades.trades_per_year);
    printf("\n\nalerts recorded\n");
    for (int k = 0; k < RD_PERF_ALERT_COUNT; k++)
        printf("  %-18s%14" PRId64 "\n", rd_perf_alert_name((enum rd_perf_alert_kind)k),
               r->alerts[k]);
    printf("\n%s returns\n", r->agg == RD_AGG_ITD ? "cumulative" : rd_perf_agg_name(r->agg));
    for (size_t i = 0; i < r->nperiods; i++) {
        rd_perf_period_label(r->agg, r->period_key[i], label, sizeof label);
        printf("  %-18s", label);
        num(r->period_return[i]);
        putchar('\n');
    }
}

static int parse_day(const char *opt, const char *s, int32_t *out)
{
    struct rd_error err = {0};

    if (rd_date_parse(s, strlen(s), out, &err) != RD_OK)
        return cli_usage_error(NAME, "%s: '%s'; expected a date YYYY-MM-DD", opt, s);
    return 0;
}

static int option(int val, const char *arg)
{
    if (val == 'p' && rd_perf_agg_parse(arg, &agg) != 0)
        return cli_usage_error(NAME, "--period: '%s'; expected daily, weekly, monthly, "
                               "quarterly, yearly or itd", arg);
    if (val == 'f' && parse_day("--from", arg, &day_from))
        return CLI_USAGE;
    if (val == 'T' && parse_day("--to", arg, &day_to))
        return CLI_USAGE;
    return CLI_OK;
}

static int check(struct cli_ctx *c)
{
    return c->account ? CLI_OK : cli_usage_error(NAME, "--account NAME is required");
}

static int run(struct cli_ctx *c)
{
    struct rd_perf_report rep;
    struct rd_error err = {0};
    int json = c->json, rc;

    memset(&rep, 0, sizeof rep);
    rc = rd_perf_report_build(c->env.store, c->env.cfg, c->account, agg, day_from, day_to, &rep, &err);
    if (rc == RD_OK && json) {
        struct rd_buf b;

        rd_buf_init(&b, (size_t)1 << 30);
        rc = rd_perf_report_json(&rep, &b);
        if (rc == RD_OK)
            printf("%s\n", rd_buf_str(&b));
        else
            rd_error_set(&err, rc, "out of memory writing the report");
        rd_buf_release(&b);
    } else if (rc == RD_OK) {
        text(&rep);
    }
    rd_perf_report_release(&rep);
    return rc == RD_OK ? CLI_OK : cli_fail(&err);
}

const struct cli_cmd cli_cmd_perf_report = {
    .name = NAME,
    .summary = "an account's performance from its daily snapshots and closed trades",
    .usage =
        "usage: riskdesk perf report [--config F] [--db URL] --account NAME\n"
        "                            [--period daily|weekly|monthly|quarterly|yearly|itd]\n"
        "                            [--from DATE] [--to DATE] [--json]\n"
        "\n"
        "Turns the account's daily equity snapshots (perf snapshot, or the dispatcher)\n"
        "into returns, compounds them per --period (default daily) and computes every\n"
        "metric of `perf metrics` on them, with the config's performance.risk_free_annual\n"
        "(default 0.02) as a per-period rate: 0.02/252 daily, /52 weekly, /12 monthly,\n"
        "/4 quarterly. itd lists the cumulative return at each day, with the metrics of\n"
        "the daily returns. Adds the statistics of the account's closed trades (win\n"
        "rate, profit factor, average and largest win and loss, count and frequency)\n"
        "and the alerts recorded. --from/--to (YYYY-MM-DD, inclusive) limit the\n"
        "snapshots and trades. docs/metrics.md describes the JSON.\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_ACCOUNT | CLI_O_JSON,
    .opens = CLI_OPENS_STORE,
    .options = opts,
    .option = option,
    .check = check,
    .run = run,
};
