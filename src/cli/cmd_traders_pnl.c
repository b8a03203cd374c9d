/*
 * cmd_traders_pnl.c - `riskdesk traders pnl FILE`: realized FIFO P&L per
 * trader-day from a fills CSV, as CSV on stdout. No database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "riskdesk/calendar.h"
#include "riskdesk/fills_csv.h"
#include "riskdesk/pnl.h"
#include "riskdesk/traders_pnl.h"
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

static void on_note(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "riskdesk traders pnl: %s\n", msg);
}

static const char *daily;
static int all, strict, threads;

static const struct option opts[] = {
    {"pnl", required_argument, NULL, 'p'}, {"all", no_argument, NULL, 'a'},
    {"strict", no_argument, NULL, 's'},    {"threads", required_argument, NULL, 't'},
    {NULL, 0, NULL, 0},
};

static int option(int val, const char *arg)
{
    if (val == 'p') {
        daily = arg;
    } else if (val == 'a') {
        all = 1;
    } else if (val == 't') {
        char *end;
        long n = strtol(arg, &end, 10);

        if (end == arg || *end || n < 1 || n > 64)
            return cli_usage_error("traders pnl", "--threads takes a number from 1 to 64, "
                                   "not '%s'", arg);
        threads = (int)n;
    } else {
        strict = 1;
    }
    return CLI_OK;
}

static int check(struct cli_ctx *c)
{
    if (!c->argc)
        return cli_usage_error("traders pnl", "missing the fills FILE");
    if (c->argc > 1)
        return cli_usage_error("traders pnl", "unexpected argument '%s'", c->argv[1]);
    return CLI_OK;
}

static int run(struct cli_ctx *c)
{
    struct rd_fills fs;
    struct rd_pnl pnl;
    struct rd_error err = {0};
    struct bad_count bad = {0};
    struct rd_fills_options fo = {.on_bad = on_bad, .ctx = &bad, .strict = strict};
    struct rd_fills_stats stats = {0};
    struct rd_traders_pnl_options po = {.read = &fo, .stream = {.threads = threads},
                                        .daily = daily, .on_note = on_note};
    const char *path = c->argv[0];
    int rc = CLI_FAIL;

    rd_fills_init(&fs);
    rd_pnl_init(&pnl);
    if (rd_traders_pnl_read(&fs, path, &po, &pnl, &stats, &err) != RD_OK) {
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
    .usage = "usage: riskdesk traders pnl FILE [--pnl DAILY.csv] [--all] [--strict] "
             "[--threads N]\n"
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
             "  --threads N parse with N threads (default: one a core); the output is the\n"
             "              same whatever N\n"
             "\n"
             "A file in time order (the usual export) is parsed in parallel and streamed:\n"
             "memory follows the open lots, not the file's length. One that is not is read\n"
             "again whole and sorted, saying so on stderr (40 bytes a fill); standard input\n"
             "is read whole.\n"
             "Bad rows are reported on stderr as FILE:LINE: why and skipped.\n",
    .takes = CLI_O_OPERANDS,
    .options = opts,
    .option = option,
    .check = check,
    .run = run,
};
