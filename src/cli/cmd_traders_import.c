/*
 * cmd_traders_import.c - `riskdesk traders import FILE`: fills (and daily P&L,
 * limits) into the store; the same file twice adds nothing. A file is hashed
 * before it is parsed, so the same bytes again are "already imported" at once
 * (rd_traders_import does it); the same rows in other bytes after parsing.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/traders_cli.h"
#include "riskdesk/traders_import.h"
#include "riskdesk/banned.h"

#define PROGRESS_MIN_BYTES ((uint64_t)16 << 20)

struct ctx {
    struct traders_bad bad;
    struct traders_progress prog;
};

static void on_bad(void *c, const char *path, long line, const char *why)
{
    struct ctx *x = c;

    traders_progress_end(&x->prog);             /* the message on a line of its own */
    traders_on_bad(&x->bad, path, line, why);
}

static void on_progress(void *c, const char *phase, uint64_t done, uint64_t total)
{
    traders_progress(&((struct ctx *)c)->prog, phase, done, total);
}

static void on_note(void *c, const char *msg)
{
    traders_progress_end(&((struct ctx *)c)->prog);
    fprintf(stderr, "riskdesk traders import: %s\n", msg);
}

static const char *noun(enum rd_fills_kind k, int64_t n)
{
    if (k == RD_FILLS_CSV)
        return n == 1 ? "fill" : "fills";
    if (k == RD_FILLS_DAILY_CSV)
        return n == 1 ? "daily P&L row" : "daily P&L rows";
    return n == 1 ? "limit" : "limits";
}

/* One file: -1 when it failed (the message printed), 1 when it had bad rows,
 * 0 when every row was used. */
static int import_one(struct traders_env *env, enum rd_fills_kind kind, const char *path,
                      int strict, int quiet)
{
    struct ctx x;
    struct rd_traders_import_opts o = {.strict = strict, .on_bad = on_bad,
                                       .on_progress = on_progress, .on_note = on_note,
                                       .ctx = &x};
    struct rd_traders_import_result r;
    struct rd_error err = {0};
    struct stat st;
    int rc;

    memset(&x, 0, sizeof x);
    traders_progress_init(&x.prog, path, stat(path, &st) == 0 ? (uint64_t)st.st_size : 0,
                          quiet ? UINT64_MAX : PROGRESS_MIN_BYTES);
    rc = rd_traders_import(env->store, kind, path, &o, &r, &err);
    traders_progress_end(&x.prog);
    if (rc != RD_OK) {
        cli_fail(&err);
        return -1;
    }
    if (r.already && r.same_rows) {
        printf("%s: already imported (import %lld: the same rows in other bytes, rows sha256 "
               "%.12s...); nothing added\n", path, (long long)r.import_id, r.rows_sha256);
        return 0;
    }
    if (r.already) {
        printf("%s: already imported (import %lld, sha256 %.12s...); nothing added\n", path,
               (long long)r.import_id, r.sha256);
        return 0;
    }
    printf("%s: %lld %s stored (import %lld)", path, (long long)r.rows, noun(kind, r.rows),
           (long long)r.import_id);
    if (r.duplicates)
        printf(", %lld already stored", (long long)r.duplicates);
    cli_bad_more(x.bad.shown);
    if (r.bad)
        printf(", %lld bad row%s skipped%s", (long long)r.bad, r.bad == 1 ? "" : "s",
               x.bad.shown > TRADERS_SHOW_BAD_MAX ? " (the first 50 shown)" : "");
    if (kind != RD_FILLS_LIMITS_CSV)
        printf("; %lld traders, %lld trader-days in the store", (long long)r.traders,
               (long long)r.days);
    printf("\n");
    /* one rule with recommend import: 0 only when every row was used */
    if (r.bad && !r.rows)
        fprintf(stderr, "riskdesk: %s: nothing usable: every row was bad\n", path);
    return r.bad ? 1 : 0;
}

static const char *daily, *limits;
static int strict, quiet;

static const struct option opts[] = {
    {"pnl", required_argument, NULL, 'p'}, {"limits", required_argument, NULL, 'l'},
    {"strict", no_argument, NULL, 's'},    {"quiet", no_argument, NULL, 'q'},
    {NULL, 0, NULL, 0},
};

static int option(int val, const char *arg)
{
    switch (val) {
    case 'p': daily = arg; break;
    case 'l': limits = arg; break;
    case 's': strict = 1; break;
    default: quiet = 1;
    }
    return CLI_OK;
}

static int check(struct cli_ctx *c)
{
    if (c->argc > 1)
        return cli_usage_error("traders import", "unexpected argument '%s'", c->argv[1]);
    if (!c->argc && !daily && !limits)
        return cli_usage_error("traders import", "give a fills FILE, --pnl FILE or --limits FILE");
    return CLI_OK;
}

static int run(struct cli_ctx *c)
{
    struct traders_env env;
    struct rd_error err = {0};
    const char *fills = c->argc ? c->argv[0] : NULL, *config = c->config, *db = c->db;
    int rc;

    if (traders_open(config, db, 1, &env, &err) != RD_OK)
        return cli_fail(&err);
    rc = 0;
    if (fills)
        rc = import_one(&env, RD_FILLS_CSV, fills, strict, quiet);
    if (rc >= 0 && daily) {
        int r2 = import_one(&env, RD_FILLS_DAILY_CSV, daily, strict, quiet);

        rc = r2 < 0 ? r2 : rc | r2;
    }
    if (rc >= 0 && limits) {
        int r3 = import_one(&env, RD_FILLS_LIMITS_CSV, limits, strict, quiet);

        rc = r3 < 0 ? r3 : rc | r3;
    }
    traders_close(&env);
    return rc ? CLI_FAIL : CLI_OK;
}

const struct cli_cmd cli_cmd_traders_import = {
    .name = "traders import",
    .summary = "store traders' fills, daily P&L and limits from CSV files",
    .usage = "usage: riskdesk traders import [FILE] [--pnl FILE] [--limits FILE] [--strict]\n"
             "                               [--config PATH] [--db URL] [--quiet]\n"
             "\n"
             "Stores a fills CSV (FILE; - for stdin), a daily P&L CSV (--pnl) and a limits\n"
             "CSV (--limits) in the database, each as one import, and recomputes every\n"
             "trader's daily P&L from everything stored (FIFO across imports). A file whose\n"
             "bytes were imported before adds nothing (known before it is parsed), nor does\n"
             "one with the same rows in other bytes (CRLF, a BOM); daily rows already stored\n"
             "are skipped. Legacy traders (_OLD) are stored and left out of reports.\n"
             "Bad rows are reported as FILE:LINE: why and skipped; with --strict the first\n"
             "one stops the import and nothing of that file is stored. A progress bar is\n"
             "drawn on a terminal for files of 16 MB and more (--quiet: never).\n"
             "\n"
             "  --config PATH  riskdesk.json (default $RISKDESK_CONFIG or ./riskdesk.json)\n"
             "  --db URL       the store, overriding the config (sqlite:PATH)\n"
             "\n"
             "Exit status 0 when every row was used, 1 when any was bad (the good ones\n"
             "are stored) or nothing could be read. See docs/traders.md.\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_OPERANDS,
    .options = opts,
    .option = option,
    .check = check,
    .run = run,
};
