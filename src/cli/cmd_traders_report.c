/*
 * cmd_traders_report.c - `riskdesk traders report`: flags, cuts and new loss
 * limits for every active trader, from the store (the default: what `traders
 * import` stored; the run and its predictions are recorded) or straight from
 * CSV files with --fills/--pnl (no database), as text, HTML or JSON on stdout.
 * Both run the rules and the pooled model and say which set the cuts.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/traders_cli.h"
#include "riskdesk/buf.h"
#include "riskdesk/calendar.h"
#include "riskdesk/fills_csv.h"
#include "riskdesk/pnl.h"
#include "riskdesk/trader_rules.h"
#include "riskdesk/traders_pipeline.h"
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

/* From the store: the stored trader-days, the last report's count; recorded. */
static int from_store(const char *config, const char *db, int32_t day,
                      enum rd_report_format format, int record)
{
    struct traders_env env;
    struct rd_traders_run run;
    struct rd_buf out;
    struct rd_error err = {0};
    int rc = CLI_FAIL;

    if (traders_open(config, db, 1, &env, &err) != RD_OK)
        return cli_fail(&err);
    rd_traders_run_init(&run);
    rd_buf_init(&out, REPORT_MAX);
    if (rd_traders_run_report(env.store, &env.tc, day, &run, &err) != RD_OK ||
        rd_traders_report_render(&run.rep, format, &out, &err) != RD_OK ||
        (record && rd_traders_run_record(env.store, &run, 0, &err) != RD_OK)) {
        rc = cli_fail(&err);
        goto out;
    }
    if (run.pnl.ndays == 0)
        fprintf(stderr, "riskdesk traders report: no trader data in %s; run 'riskdesk traders "
                        "import FILE' first\n", env.db);
    fwrite(rd_buf_str(&out), 1, out.len, stdout);
    rc = CLI_OK;
out:
    rd_buf_release(&out);
    rd_traders_run_release(&run);
    traders_close(&env);
    return rc;
}

static const char *fills, *daily, *limits, *date, *fmt = "text";
static int record = 1, strict;

static const struct option opts[] = {
    {"fills", required_argument, NULL, 'f'},  {"pnl", required_argument, NULL, 'p'},
    {"limits", required_argument, NULL, 'l'}, {"date", required_argument, NULL, 'D'},
    {"format", required_argument, NULL, 'F'}, {"strict", no_argument, NULL, 's'},
    {"no-record", no_argument, NULL, 'n'},    {NULL, 0, NULL, 0},
};

static int option(int val, const char *arg)
{
    switch (val) {
    case 'f': fills = arg; break;
    case 'p': daily = arg; break;
    case 'l': limits = arg; break;
    case 'D': date = arg; break;
    case 'F': fmt = arg; break;
    case 's': strict = 1; break;
    default: record = 0;
    }
    return CLI_OK;
}

static int run(struct cli_ctx *c)
{
    struct rd_fills fs;
    struct rd_pnl pnl;
    struct rd_traders_report rep;
    struct rd_trader_rules_config cfg;
    struct rd_trader_model_config model;
    struct rd_buf out;
    struct rd_error err = {0};
    struct bad_count bad = {0};
    struct rd_fills_options fo = {.on_bad = on_bad, .ctx = &bad, .strict = strict};
    struct rd_fills_stats stats = {0};
    const char *config = c->config, *db = c->db;
    struct traders_env env;
    enum rd_report_format format;
    int32_t day;
    int rc = CLI_FAIL;

    if (limits && !fills && !daily)
        return cli_usage_error("traders report", "--limits goes with --fills or --pnl; stored "
                               "limits come from 'traders import --limits'");
    if (rd_report_format_parse(fmt, &format, &err) != RD_OK)
        return cli_usage_error("traders report", "%s", err.msg);
    if (date) {
        if (rd_fills_date_parse(date, strlen(date), &day, &err) != RD_OK)
            return cli_usage_error("traders report", "--date: %s", err.msg);
    } else {
        day = traders_today();
    }
    if (!fills && !daily)
        return from_store(config, db, day, format, record);
    /* from files: the config's thresholds when there is one, else the defaults */
    if (traders_open(config, NULL, 0, &env, &err) != RD_OK) {
        if (config || err.code != RD_ENOTFOUND)
            return cli_fail(&err);
        rd_error_clear(&err);
        memset(&env, 0, sizeof env);
        rd_traders_config_init(&env.tc);
    }
    cfg = env.tc.rules;
    model = env.tc.model;
    traders_close(&env);
    rd_fills_init(&fs);
    rd_pnl_init(&pnl);
    memset(&rep, 0, sizeof rep);
    rd_buf_init(&out, REPORT_MAX);
    if ((fills && rd_fills_read(&fs, RD_FILLS_CSV, fills, &fo, &stats, &err) != RD_OK) ||
        (daily && rd_fills_read(&fs, RD_FILLS_DAILY_CSV, daily, &fo, &stats, &err) != RD_OK) ||
        (limits && rd_fills_read(&fs, RD_FILLS_LIMITS_CSV, limits, &fo, &stats, &err) != RD_OK) ||
        rd_pnl_compute(&fs, &pnl, &err) != RD_OK ||
        rd_traders_report_build(&fs, &pnl, &cfg, day, &rep, &err) != RD_OK ||
        rd_traders_report_model(&rep, &fs, &pnl, &model, &err) != RD_OK ||
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
    .summary = "flag traders at risk and cut their loss limits (store or CSV files)",
    .usage = "usage: riskdesk traders report [--date YYYY-MM-DD] [--format text|html|json]\n"
             "                               [--config PATH] [--db URL] [--no-record]\n"
             "       riskdesk traders report --fills FILE [--pnl FILE] [--limits FILE]\n"
             "                               [--date D] [--format F] [--strict]\n"
             "\n"
             "Assesses every active trader on the report date (default today): the rules -\n"
             "loss streak, drawdown, volatility spike, large loss - and the pooled model,\n"
             "which sets the cuts only when it beat the rules on the last 30 trading days\n"
             "by 10% or more with 200+ training samples (the report says which and why).\n"
             "Prints the traders needing action first, with the cut and the old and new\n"
             "daily loss limits, then every trader, and a summary. Legacy accounts (ids\n"
             "ending in _OLD) are left out. See docs/traders.md.\n"
             "\n"
             "By default the data is what 'traders import' stored in the database, and the\n"
             "run and every trader's prediction are recorded there (--no-record: not).\n"
             "With --fills or --pnl it is read from CSV files instead; nothing is stored.\n"
             "\n"
             "  --config PATH  riskdesk.json (default $RISKDESK_CONFIG or ./riskdesk.json)\n"
             "  --db URL       the store, overriding the config\n"
             "  --fills FILE   fills CSV\n"
             "  --pnl FILE     daily P&L CSV (trader_id, date, pnl), for firms without fills\n"
             "  --limits FILE  daily loss limits (trader_id, daily_loss_limit); default $5,000\n"
             "  --date D       report date, YYYY-MM-DD or MM/DD/YYYY (default: today)\n"
             "  --format F     text (default), html (for mail) or json\n"
             "  --strict       stop at the first bad row instead of skipping it\n",
    .takes = CLI_O_CONFIG | CLI_O_DB,
    .options = opts,
    .option = option,
    .run = run,
};
