/*
 * cmd_traders_pipeline.c - `riskdesk traders pipeline`: the morning job.
 * Imports new files from the configured folder, builds and records the
 * report, mails it; on any failure (the store included) mails an error alert
 * instead and exits 1. Files that cannot be imported are skipped and named in
 * the report, which still goes out; the exit status is then 3.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/traders_cli.h"
#include "riskdesk/fills_csv.h"
#include "riskdesk/traders_pipeline.h"
#include "riskdesk/banned.h"

static void log_line(void *ctx, const char *line)
{
    (void)ctx;
    printf("%s\n", line);
    fflush(stdout);
}

/* Exit status when the report went out but some files could not be imported. */
#define EXIT_FILES_SKIPPED 3

static struct rd_traders_pipeline_opts o = {.log = log_line};
static const char *date;
static int test_mail;

static const struct option opts[] = {
    {"date", required_argument, NULL, 'D'}, {"folder", required_argument, NULL, 'f'},
    {"html", required_argument, NULL, 'h'}, {"no-mail", no_argument, NULL, 'n'},
    {"test-mail", no_argument, NULL, 't'},
    {NULL, 0, NULL, 0},
};

static int option(int val, const char *arg)
{
    switch (val) {
    case 'D': date = arg; break;
    case 'f': o.folder = arg; break;
    case 'h': o.html_path = arg; break;
    case 't': test_mail = 1; break;
    default: o.no_mail = 1;
    }
    return CLI_OK;
}

static int check(struct cli_ctx *c)
{
    (void)c;
    if (test_mail && (o.no_mail || o.html_path || o.folder))
        return cli_usage_error("traders pipeline", "--test-mail only sends the two test messages: "
                               "it goes with neither --no-mail, --html nor --folder");
    return CLI_OK;
}

/* --test-mail: the two messages, from the config's mail settings alone. */
static int run_test_mail(const char *config)
{
    struct traders_env env;
    struct rd_error err = {0};
    int sent = 0, rc;

    if (traders_open(config, NULL, 0, &env, &err) != RD_OK)
        return cli_fail(&err);
    rc = rd_traders_pipeline_test_mail(&env.tc, &o, &sent, &err);
    traders_close(&env);
    if (rc != RD_OK) {
        if (sent)
            rd_error_prefix(&err, "the test report went out, the test error alert did not");
        return cli_fail(&err);
    }
    return CLI_OK;
}

static int run(struct cli_ctx *c)
{
    struct traders_env env;
    struct rd_traders_pipeline_result res;
    struct rd_error err = {0};
    const char *config = c->config, *db = c->db;
    int rc, sent = 0, skipped;

    if (date) {
        if (rd_fills_date_parse(date, strlen(date), &o.report_day, &err) != RD_OK)
            return cli_usage_error("traders pipeline", "--date: %s", err.msg);
    } else {
        o.report_day = traders_today();
    }
    if (test_mail)
        return run_test_mail(config);
    /* the config first: with its mail settings, any later failure is mailed */
    if (traders_open(config, db, 0, &env, &err) != RD_OK)
        return cli_fail(&err);
    if (traders_open_store(&env, &err) != RD_OK) {
        struct rd_error aerr = {0};
        char what[RD_ERROR_MSG_MAX];

        snprintf(what, sizeof what, "%s", err.msg);
        if (rd_traders_pipeline_alert(&env.tc, &o, what, &sent, &aerr) != RD_OK)
            snprintf(err.msg, sizeof err.msg, "%.600s; the error alert could not be sent "
                     "either: %.300s", what, aerr.msg);
        cli_fail(&err);
        if (sent)
            fprintf(stderr, "riskdesk traders pipeline: the error alert was mailed\n");
        traders_close(&env);
        return CLI_FAIL;
    }
    rd_traders_pipeline_result_init(&res);
    rc = rd_traders_pipeline_run(env.store, &env.tc, &o, &res, &err);
    if (rc != RD_OK) {
        cli_fail(&err);
        if (res.alert_sent)
            fprintf(stderr, "riskdesk traders pipeline: the error alert was mailed\n");
    } else if (res.files_failed) {
        fprintf(stderr, "riskdesk traders pipeline: %d file%s could not be imported (named in "
                "the report's warnings); exit status %d\n", res.files_failed,
                res.files_failed == 1 ? "" : "s", EXIT_FILES_SKIPPED);
    }
    skipped = res.files_failed;
    rd_traders_pipeline_result_release(&res);
    traders_close(&env);
    if (rc != RD_OK)
        return CLI_FAIL;
    return skipped ? EXIT_FILES_SKIPPED : CLI_OK;
}

const struct cli_cmd cli_cmd_traders_pipeline = {
    .name = "traders pipeline",
    .summary = "morning job: import new files, report, mail (an error alert on failure)",
    .usage = "usage: riskdesk traders pipeline [--date YYYY-MM-DD] [--folder DIR] [--no-mail]\n"
             "                                 [--html FILE] [--config PATH] [--db URL]\n"
             "       riskdesk traders pipeline --test-mail [--date YYYY-MM-DD] [--config PATH]\n"
             "\n"
             "1. imports every *.csv in the folder (traders.pipeline.folder, or --folder) that\n"
             "   was not imported before, telling fills, daily P&L and limits files apart by\n"
             "   their header; bad rows are skipped and listed in the report's warnings;\n"
             "2. builds the report for the date (default today) from the store, with the\n"
             "   rules and the model, and records it with every prediction;\n"
             "3. mails it (traders.mail: SMTP over libcurl) as text and HTML, subject\n"
             "   \"RISK ALERT - N High Risk Traders - DATE\".\n"
             "When a step fails (the store, the folder, the HTML file, the mail), an error\n"
             "alert goes to the same recipients instead and the exit status is 1. A file\n"
             "that cannot be imported is skipped and named in the report's warnings; the\n"
             "report still goes out and the exit status is 3.\n"
             "Cron: 0 7 * * 1-5 riskdesk traders pipeline (docs/traders.md).\n"
             "\n"
             "  --date DAY     the report's date, YYYY-MM-DD (default today)\n"
             "  --folder DIR  the folder of new files (default traders.pipeline.folder)\n"
             "  --no-mail     build and record the report, send nothing\n"
             "  --html FILE   also write the HTML report to FILE (before mailing)\n"
             "  --test-mail   send a test report and a test error alert to traders.mail.to,\n"
             "                and nothing else (no import, no store, nothing recorded)\n"
             "  --config PATH riskdesk.json (default $RISKDESK_CONFIG or ./riskdesk.json)\n"
             "  --db URL      the store, overriding the config (sqlite:PATH)\n",
    .takes = CLI_O_CONFIG | CLI_O_DB,
    .options = opts,
    .option = option,
    .check = check,
    .run = run,
};
