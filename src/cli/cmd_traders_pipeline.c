/*
 * cmd_traders_pipeline.c - `riskdesk traders pipeline`: the morning job.
 * Imports new files from the configured folder, builds and records the
 * report, mails it; on any failure mails an error alert instead and exits 1.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/traders_cli.h"
#include "riskdesk/fills.h"
#include "riskdesk/traders_pipeline.h"
#include "riskdesk/banned.h"

static void log_line(void *ctx, const char *line)
{
    (void)ctx;
    printf("%s\n", line);
    fflush(stdout);
}

static int write_file(const char *path, const struct rd_buf *b, struct rd_error *err)
{
    FILE *f = fopen(path, "w");

    if (!f)
        return rd_error_set(err, RD_EIO, "cannot write %s", path);
    fwrite(rd_buf_str(b), 1, b->len, f);
    if (fclose(f) != 0)
        return rd_error_set(err, RD_EIO, "writing %s failed", path);
    return RD_OK;
}

static int run(int argc, char **argv)
{
    struct traders_env env;
    struct rd_traders_pipeline_opts o = {.log = log_line};
    struct rd_traders_pipeline_result res;
    struct rd_error err = {0};
    const char *config = NULL, *db = NULL, *date = NULL, *html = NULL;
    int rc;

    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (!strcmp(argv[i], "--no-mail")) {
            o.no_mail = 1;
            continue;
        }
        if (!v)
            return cli_usage_error("traders pipeline", "'%s' needs a value or is unknown",
                                   argv[i]);
        if (!strcmp(argv[i], "--config"))
            config = v;
        else if (!strcmp(argv[i], "--db"))
            db = v;
        else if (!strcmp(argv[i], "--date"))
            date = v;
        else if (!strcmp(argv[i], "--folder"))
            o.folder = v;
        else if (!strcmp(argv[i], "--html"))
            html = v;
        else
            return cli_usage_error("traders pipeline", "unknown option '%s'", argv[i]);
        i++;
    }
    if (date) {
        if (rd_fills_date_parse(date, strlen(date), &o.report_day, &err) != RD_OK)
            return cli_usage_error("traders pipeline", "--date: %s", err.msg);
    } else {
        o.report_day = traders_today();
    }
    if (traders_open(config, db, 1, &env, &err) != RD_OK)
        return cli_fail(&err);
    rd_traders_pipeline_result_init(&res);
    rc = rd_traders_pipeline_run(env.store, &env.tc, &o, &res, &err);
    if (res.report_built && html && write_file(html, &res.html, &err) != RD_OK)
        rc = err.code;
    if (rc != RD_OK) {
        cli_fail(&err);
        if (res.alert_sent)
            fprintf(stderr, "riskdesk traders pipeline: the error alert was mailed\n");
    }
    rd_traders_pipeline_result_release(&res);
    traders_close(&env);
    return rc == RD_OK ? CLI_OK : CLI_FAIL;
}

const struct cli_cmd cli_cmd_traders_pipeline = {
    .name = "traders pipeline",
    .summary = "morning job: import new files, report, mail (an error alert on failure)",
    .usage = "usage: riskdesk traders pipeline [--date YYYY-MM-DD] [--folder DIR] [--no-mail]\n"
             "                                 [--html FILE] [--config PATH] [--db URL]\n"
             "\n"
             "1. imports every *.csv in the folder (traders.pipeline.folder, or --folder) that\n"
             "   was not imported before, telling fills, daily P&L and limits files apart by\n"
             "   their header; bad rows are skipped and listed in the report's warnings;\n"
             "2. builds the report for the date (default today) from the store, with the\n"
             "   rules and the model, and records it with every prediction;\n"
             "3. mails it (traders.mail: SMTP over libcurl) as text and HTML, subject\n"
             "   \"RISK ALERT - N High Risk Traders - DATE\".\n"
             "When a step fails, an error alert goes to the same recipients and the exit\n"
             "status is 1. Cron: 0 7 * * 1-5 riskdesk traders pipeline (docs/traders.md).\n"
             "\n"
             "  --no-mail     build and record the report, send nothing\n"
             "  --html FILE   also write the HTML report to FILE\n",
    .run = run,
};
