/*
 * cmd_traders_report.c - `riskdesk traders report`: flags, cuts and new loss
 * limits for every active trader, computed straight from CSV files (no
 * database), as text, HTML or JSON on stdout.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "riskdesk/buf.h"
#include "riskdesk/calendar.h"
#include "riskdesk/fills.h"
#include "riskdesk/pnl.h"
#include "riskdesk/trader_rules.h"
#include "riskdesk/traders_report.h"
#include "riskdesk/banned.h"

#define SHOW_BAD_MAX 50
#define REPORT_MAX ((size_t)256 << 20)

struct bad_count {
    long shown;
};

static void on_bad(void *ctx, const char *path, long line, const char *why)
{
    struct bad_count *b = ctx;

    if (b->shown++ < SHOW_BAD_MAX)
        fprintf(stderr, "%s:%ld: %s\n", path, line, why);
}

static int run(int argc, char **argv)
{
    struct rd_fills fs;
    struct rd_pnl pnl;
    struct rd_traders_report rep;
    struct rd_trader_rules_config cfg;
    struct rd_buf out;
    struct rd_error err = {0};
    struct bad_count bad = {0};
    struct rd_fills_options opts = {.on_bad = on_bad, .ctx = &bad};
    struct rd_fills_stats stats = {0};
    const char *fills = NULL, *daily = NULL, *limits = NULL, *date = NULL, *fmt = "text";
    enum rd_report_format format;
    int32_t day;
    int rc = CLI_FAIL;

    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (!strcmp(argv[i], "--strict")) {
            opts.strict = 1;
            continue;
        }
        if (!v)
            return cli_usage_error("traders report", "'%s' needs a value or is unknown", argv[i]);
        if (!strcmp(argv[i], "--fills"))
            fills = v;
        else if (!strcmp(argv[i], "--pnl"))
            daily = v;
        else if (!strcmp(argv[i], "--limits"))
            limits = v;
        else if (!strcmp(argv[i], "--date"))
            date = v;
        else if (!strcmp(argv[i], "--format"))
            fmt = v;
        else
            return cli_usage_error("traders report", "unknown option '%s'", argv[i]);
        i++;
    }
    if (!fills && !daily)
        return cli_usage_error("traders report", "give --fills FILE, --pnl FILE or both");
    if (rd_report_format_parse(fmt, &format, &err) != RD_OK)
        return cli_usage_error("traders report", "%s", err.msg);
    if (date) {
        if (rd_fills_date_parse(date, strlen(date), &day, &err) != RD_OK)
            return cli_usage_error("traders report", "--date: %s", err.msg);
    } else {
        time_t now = time(NULL);
        struct tm tmv;

        localtime_r(&now, &tmv);
        day = rd_date_from_ymd(tmv.tm_year + 1900, tmv.tm_mon + 1, tmv.tm_mday);
    }
    rd_trader_rules_config_init(&cfg);
    rd_fills_init(&fs);
    rd_pnl_init(&pnl);
    memset(&rep, 0, sizeof rep);
    rd_buf_init(&out, REPORT_MAX);
    if ((fills && rd_fills_read(&fs, RD_FILLS_CSV, fills, &opts, &stats, &err) != RD_OK) ||
        (daily && rd_fills_read(&fs, RD_FILLS_DAILY_CSV, daily, &opts, &stats, &err) != RD_OK) ||
        (limits && rd_fills_read(&fs, RD_FILLS_LIMITS_CSV, limits, &opts, &stats, &err) != RD_OK) ||
        rd_pnl_compute(&fs, &pnl, &err) != RD_OK ||
        rd_traders_report_build(&fs, &pnl, &cfg, day, &rep, &err) != RD_OK ||
        rd_traders_report_render(&rep, format, &out, &err) != RD_OK) {
        rc = cli_fail(&err);
        goto out;
    }
    if (stats.bad)
        fprintf(stderr, "riskdesk traders report: %ld bad row%s skipped%s\n", stats.bad,
                stats.bad == 1 ? "" : "s",
                bad.shown > SHOW_BAD_MAX ? " (the first 50 shown)" : "");
    fwrite(rd_buf_str(&out), 1, out.len, stdout);
    rc = CLI_OK;
out:
    rd_buf_release(&out);
    rd_traders_report_release(&rep);
    rd_pnl_release(&pnl);
    rd_fills_release(&fs);
    return rc;
}

const struct cli_cmd cli_cmd_traders_report = {
    .name = "traders report",
    .summary = "flag traders at risk and cut their loss limits, from CSV files",
    .usage = "usage: riskdesk traders report --fills FILE [--pnl FILE] [--limits FILE]\n"
             "                               [--date YYYY-MM-DD] [--format text|html|json]\n"
             "                               [--strict]\n"
             "\n"
             "Computes each active trader's daily net P&L (FIFO, see 'traders pnl'), applies\n"
             "the rules on the report date (default today) - loss streak, drawdown, volatility\n"
             "spike, large loss - and prints the traders needing action first, with the cut\n"
             "and the old and new daily loss limits, then every trader, and a summary.\n"
             "Legacy accounts (ids ending in _OLD) are left out. See docs/traders.md.\n"
             "\n"
             "  --fills FILE   fills CSV\n"
             "  --pnl FILE     daily P&L CSV (trader_id, date, pnl), for firms without fills\n"
             "  --limits FILE  daily loss limits (trader_id, daily_loss_limit); default $5,000\n"
             "  --date D       report date, YYYY-MM-DD or MM/DD/YYYY (default: today)\n"
             "  --format F     text (default), html (for mail) or json\n"
             "  --strict       stop at the first bad row instead of skipping it\n",
    .run = run,
};
