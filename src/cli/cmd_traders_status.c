/*
 * cmd_traders_status.c - `riskdesk traders status`: how the morning report
 * stands: the active traders in the store, the store's size, the last run.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/traders_cli.h"
#include "riskdesk/calendar.h"
#include "riskdesk/traders_pipeline.h"
#include "riskdesk/banned.h"

/* A fixed-size text field, which may lack its NUL, for "%.*s". */
#define FIELD(f) (int)strnlen((f), sizeof(f)), (f)

static void utc_text(int64_t t, char *buf, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (t > 0 && gmtime_r(&tt, &tm))
        strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
    else
        snprintf(buf, n, "unknown");
}

static void print_text(const char *db, const struct rd_traders_status *st)
{
    char day[16], at[32];

    printf("active traders: %" PRId64, st->active);
    if (st->legacy)
        printf(" (%" PRId64 " legacy account%s left out)", st->legacy, st->legacy == 1 ? "" : "s");
    printf("\ndatabase: %s, %" PRId64 " bytes (%.1f MB)\n", db, st->db_bytes,
           (double)st->db_bytes / 1e6);
    if (!st->has_last) {
        printf("last run: none (no report recorded yet)\n");
        return;
    }
    rd_date_format(st->last.report_day, day, sizeof day);
    utc_text(st->last.created_at, at, sizeof at);
    printf("last run: report for %s, recorded %s: %" PRId64 "/%" PRId64 " traders restricted "
           "(system: %.*s)\n", day, at, st->last.restricted, st->last.active,
           FIELD(st->last.system));
}

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void print_json(const char *db, const struct rd_traders_status *st)
{
    char day[16], at[32];

    printf("{\"active_traders\": %" PRId64 ", \"legacy\": %" PRId64 ",\n \"database\": {\"url\": ",
           st->active, st->legacy);
    json_str(db);
    printf(", \"size_bytes\": %" PRId64 "},\n \"last_run\": ", st->db_bytes);
    if (!st->has_last) {
        printf("null}\n");
        return;
    }
    rd_date_format(st->last.report_day, day, sizeof day);
    utc_text(st->last.created_at, at, sizeof at);
    printf("{\"report_date\": \"%s\", \"recorded_at\": \"%s\", \"active\": %" PRId64
           ", \"restricted\": %" PRId64 ", \"limited\": %" PRId64 ", \"system\": ",
           day, at, st->last.active, st->last.restricted, st->last.limited);
    {
        char sys[sizeof st->last.system + 1];

        snprintf(sys, sizeof sys, "%.*s", FIELD(st->last.system));
        json_str(sys);
    }
    printf("}}\n");
}

static int run(struct cli_ctx *c)
{
    struct traders_env env;
    struct rd_traders_status st;
    struct rd_error err = {0};
    char masked[512];

    if (traders_open(c->config, c->db, 1, &env, &err) != RD_OK)
        return cli_fail(&err);
    if (rd_traders_status_get(env.store, &st, &err) != RD_OK) {
        traders_close(&env);
        return cli_fail(&err);
    }
    rd_store_url_mask(env.db, masked, sizeof masked);
    if (c->json)
        print_json(masked, &st);
    else
        print_text(masked, &st);
    traders_close(&env);
    return CLI_OK;
}

const struct cli_cmd cli_cmd_traders_status = {
    .name = "traders status",
    .summary = "active traders, the database's size, the last report run",
    .usage = "usage: riskdesk traders status [--json] [--config PATH] [--db URL]\n"
             "\n"
             "Prints how the morning report stands:\n"
             "  active traders: N (traders with stored days; legacy _OLD accounts left out)\n"
             "  database: URL, BYTES bytes (the password masked)\n"
             "  last run: the recorded report with the latest date, when it was recorded,\n"
             "            how many traders it restricted and which system set the cuts\n"
             "\n"
             "  --json         the same as JSON\n"
             "  --config PATH  riskdesk.json (default $RISKDESK_CONFIG or ./riskdesk.json)\n"
             "  --db URL       the store, overriding the config\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_JSON,
    .run = run,
};
