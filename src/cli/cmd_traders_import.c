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

static const char *noun(enum rd_fills_kind k, int64_t n)
{
    if (k == RD_FILLS_CSV)
        return n == 1 ? "fill" : "fills";
    if (k == RD_FILLS_DAILY_CSV)
        return n == 1 ? "daily P&L row" : "daily P&L rows";
    return n == 1 ? "limit" : "limits";
}

static int import_one(struct traders_env *env, enum rd_fills_kind kind, const char *path,
                      int strict, int quiet)
{
    struct ctx x;
    struct rd_traders_import_opts o = {.strict = strict, .on_bad = on_bad,
                                       .on_progress = on_progress, .ctx = &x};
    struct rd_traders_import_result r;
    struct rd_error err = {0};
    struct stat st;
    int rc;

    memset(&x, 0, sizeof x);
    traders_progress_init(&x.prog, path, stat(path, &st) == 0 ? (uint64_t)st.st_size : 0,
                          quiet ? UINT64_MAX : PROGRESS_MIN_BYTES);
    rc = rd_traders_import(env->store, kind, path, &o, &r, &err);
    traders_progress_end(&x.prog);
    if (rc != RD_OK)
        return cli_fail(&err);
    if (r.already && r.same_rows) {
        printf("%s: already imported (import %lld: the same rows in other bytes, rows sha256 "
               "%.12s...); nothing added\n", path, (long long)r.import_id, r.rows_sha256);
        return CLI_OK;
    }
    if (r.already) {
        printf("%s: already imported (import %lld, sha256 %.12s...); nothing added\n", path,
               (long long)r.import_id, r.sha256);
        return CLI_OK;
    }
    printf("%s: %lld %s stored (import %lld)", path, (long long)r.rows, noun(kind, r.rows),
           (long long)r.import_id);
    if (r.duplicates)
        printf(", %lld already stored", (long long)r.duplicates);
    if (r.bad)
        printf(", %lld bad row%s skipped%s", (long long)r.bad, r.bad == 1 ? "" : "s",
               x.bad.shown > TRADERS_SHOW_BAD_MAX ? " (the first 50 shown)" : "");
    if (kind != RD_FILLS_LIMITS_CSV)
        printf("; %lld traders, %lld trader-days in the store", (long long)r.traders,
               (long long)r.days);
    printf("\n");
    return CLI_OK;
}

static int run(int argc, char **argv)
{
    struct traders_env env;
    struct rd_error err = {0};
    const char *fills = NULL, *daily = NULL, *limits = NULL, *config = NULL, *db = NULL;
    int strict = 0, quiet = 0, rc;

    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (!strcmp(argv[i], "--strict")) {
            strict = 1;
        } else if (!strcmp(argv[i], "--quiet")) {
            quiet = 1;
        } else if (!strcmp(argv[i], "--pnl") || !strcmp(argv[i], "--limits") ||
                   !strcmp(argv[i], "--config") || !strcmp(argv[i], "--db")) {
            if (!v)
                return cli_usage_error("traders import", "'%s' needs a value", argv[i]);
            if (!strcmp(argv[i], "--pnl"))
                daily = v;
            else if (!strcmp(argv[i], "--limits"))
                limits = v;
            else if (!strcmp(argv[i], "--config"))
                config = v;
            else
                db = v;
            i++;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_usage_error("traders import", "unknown option '%s'", argv[i]);
        } else if (!fills) {
            fills = argv[i];
        } else {
            return cli_usage_error("traders import", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!fills && !daily && !limits)
        return cli_usage_error("traders import", "give a fills FILE, --pnl FILE or --limits FILE");
    if (traders_open(config, db, 1, &env, &err) != RD_OK)
        return cli_fail(&err);
    rc = CLI_OK;
    if (fills)
        rc = import_one(&env, RD_FILLS_CSV, fills, strict, quiet);
    if (rc == CLI_OK && daily)
        rc = import_one(&env, RD_FILLS_DAILY_CSV, daily, strict, quiet);
    if (rc == CLI_OK && limits)
        rc = import_one(&env, RD_FILLS_LIMITS_CSV, limits, strict, quiet);
    traders_close(&env);
    return rc;
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
             "See docs/traders.md.\n",
    .run = run,
};
