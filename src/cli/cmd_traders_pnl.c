/*
 * cmd_traders_pnl.c - `riskdesk traders pnl FILE`: realized FIFO P&L per
 * trader-day from a fills CSV, as CSV on stdout. No database.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "riskdesk/calendar.h"
#include "riskdesk/fills_csv.h"
#include "riskdesk/pnl.h"
#include "riskdesk/banned.h"

#define SHOW_BAD_MAX 50

struct bad_count {
    long shown;
};

static void on_bad(void *ctx, const char *path, long line, const char *why)
{
    struct bad_count *b = ctx;

    if (b->shown++ < SHOW_BAD_MAX)
        fprintf(stderr, "%s:%ld: %s\n", path, line, why);
}

/* Writes s as a CSV field, quoted when it needs to be. */
static void csv_field(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static int run(int argc, char **argv)
{
    struct rd_fills fs;
    struct rd_pnl pnl;
    struct rd_error err = {0};
    struct bad_count bad = {0};
    struct rd_fills_options opts = {.on_bad = on_bad, .ctx = &bad};
    struct rd_fills_stats stats = {0};
    const char *path = NULL, *daily = NULL;
    int all = 0, rc = CLI_FAIL;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--all"))
            all = 1;
        else if (!strcmp(argv[i], "--strict"))
            opts.strict = 1;
        else if (!strcmp(argv[i], "--pnl") && i + 1 < argc)
            daily = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1] != '\0')
            return cli_usage_error("traders pnl", "unknown option '%s'", argv[i]);
        else if (!path)
            path = argv[i];
        else
            return cli_usage_error("traders pnl", "unexpected argument '%s'", argv[i]);
    }
    if (!path)
        return cli_usage_error("traders pnl", "missing the fills FILE");
    rd_fills_init(&fs);
    rd_pnl_init(&pnl);
    if (rd_fills_read(&fs, RD_FILLS_CSV, path, &opts, &stats, &err) != RD_OK ||
        (daily && rd_fills_read(&fs, RD_FILLS_DAILY_CSV, daily, &opts, &stats, &err) != RD_OK) ||
        rd_pnl_compute(&fs, &pnl, &err) != RD_OK) {
        rc = cli_fail(&err);
        goto out;
    }
    if (stats.bad)
        fprintf(stderr, "riskdesk traders pnl: %ld bad row%s skipped%s\n", stats.bad,
                stats.bad == 1 ? "" : "s",
                bad.shown > SHOW_BAD_MAX ? " (the first 50 shown)" : "");
    fputs("trader_id,date,trades,realized_pnl,fees,net_pnl\n", stdout);
    for (size_t i = 0; i < pnl.ndays; i++) {
        const struct rd_pnl_day *d = &pnl.days[i];
        const char *name = fs.traders.name[d->trader];
        char date[16], real[32], fees[32], net[32];

        if (!all && rd_trader_is_legacy(name))
            continue;
        rd_date_format(d->day, date, sizeof date);
        rd_money_format(d->realized, real, sizeof real);
        rd_money_format(d->fees, fees, sizeof fees);
        rd_money_format(d->net, net, sizeof net);
        csv_field(stdout, name);
        printf(",%s,%lld,%s,%s,%s\n", date, (long long)d->trades, real, fees, net);
    }
    rc = CLI_OK;
out:
    rd_pnl_release(&pnl);
    rd_fills_release(&fs);
    return rc;
}

const struct cli_cmd cli_cmd_traders_pnl = {
    .name = "traders pnl",
    .summary = "realized FIFO P&L per trader and day from a fills CSV",
    .usage = "usage: riskdesk traders pnl FILE [--pnl DAILY.csv] [--all] [--strict]\n"
             "\n"
             "Reads a fills CSV (trader_id, date, symbol, side, qty, price, optional time\n"
             "and fees or comm/ecn/sec/taf/nscc/clr/misc; FILE may be - for stdin) and prints\n"
             "  trader_id,date,trades,realized_pnl,fees,net_pnl\n"
             "for every trader-day, sorted by trader then date. Lots are matched FIFO per\n"
             "trader and symbol, shorts included. See docs/traders.md.\n"
             "\n"
             "  --pnl FILE  also read a daily P&L CSV (trader_id, date, pnl)\n"
             "  --all       include legacy traders (ids ending in _OLD)\n"
             "  --strict    stop at the first bad row instead of skipping it\n"
             "\n"
             "Bad rows are reported on stderr as FILE:LINE: why and skipped.\n",
    .run = run,
};
