/*
 * traders_pipeline.h - the traders' report from the store, its audit trail,
 * and the morning pipeline: import new files from a folder, report, mail
 * (docs/traders.md, "Pipeline").
 *
 * Ownership: struct rd_traders_run is caller-owned (init, release) and owns the
 * data its report points into. The store handle is borrowed.
 */
#ifndef RISKDESK_TRADERS_PIPELINE_H
#define RISKDESK_TRADERS_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/buf.h"
#include "riskdesk/error.h"
#include "riskdesk/fills.h"
#include "riskdesk/pnl.h"
#include "riskdesk/store.h"
#include "riskdesk/traders_config.h"
#include "riskdesk/traders_report.h"

struct rd_traders_run {
    struct rd_fills fs;                 /* names and limits */
    struct rd_pnl pnl;                  /* the stored trader-days */
    struct rd_traders_report rep;
    int64_t report_id;                  /* after rd_traders_run_record */
};

void rd_traders_run_init(struct rd_traders_run *run);
void rd_traders_run_release(struct rd_traders_run *run);

/*
 * Builds the report for report_day from the stored trader-days and limits:
 * the rules, then the model (tc->model), and the warning when the number of
 * active traders differs from the last stored report before that day.
 */
int rd_traders_run_report(struct rd_store *s, const struct rd_traders_config *tc,
                          int32_t report_day, struct rd_traders_run *run, struct rd_error *err);

/* The recommendation recorded for a trader with limited history. */
#define RD_TRADERS_LIMITED_NOTE "limited history: review by hand"

/*
 * The audit trail: stores the run (system, why, split, scores) and one
 * prediction per assessed trader (features, model output, rules' cut, the
 * system used, the cut and limits recommended), in one transaction. A trader
 * with limited history gets a row too: system "rules", level "limited", no
 * cut (new limit = old), features {"history_days": N, "recommendation":
 * RD_TRADERS_LIMITED_NOTE}. Sets run->report_id.
 */
int rd_traders_run_record(struct rd_store *s, struct rd_traders_run *run, int64_t now,
                          struct rd_error *err);

/* "RISK ALERT - 12 High Risk Traders - 2025-08-29" (or "Risk report - no high
 * risk traders - DATE"). */
void rd_traders_subject(const struct rd_traders_report *r, char *buf, size_t n);

struct rd_traders_pipeline_opts {
    int32_t report_day;                 /* the report date */
    const char *folder;                 /* NULL = the config's */
    int no_mail;                        /* build everything, send nothing */
    const char *html_path;              /* also write the HTML report here (before mailing) */
    int64_t now;                        /* 0 = the clock (Date header, imported_at) */
    /* each line of what was done ("imported x.csv: ..."); may be NULL */
    void (*log)(void *ctx, const char *line);
    void *ctx;
};

struct rd_traders_pipeline_result {
    int files_imported, files_known, files_failed;
    int report_built;
    int mailed;                         /* the report went out */
    int alert_sent;                     /* the error alert went out instead */
    char subject[256];
    struct rd_buf text, html;           /* the report as mailed (caller releases) */
};

void rd_traders_pipeline_result_init(struct rd_traders_pipeline_result *res);
void rd_traders_pipeline_result_release(struct rd_traders_pipeline_result *res);

/*
 * The morning job: every *.csv in the folder (by name) not imported before
 * (by its bytes or its rows) is imported, its kind told by its header (bad
 * rows are skipped and listed as warnings in the report). A file that cannot
 * be imported at all (no kind, a bad header, a daily row on a trader-day with
 * fills, unreadable) is skipped: named with the cause in the warnings and the
 * log, counted in res->files_failed, and the run goes on. Then the report is
 * built from the store, recorded, written to html_path when given, and mailed
 * as multipart/alternative (text and HTML) to tc's recipients. When any step
 * fails (the folder, the store, rendering, the HTML file, the mail), an
 * error alert goes to the same recipients instead and the error is returned.
 * RD_OK when the report was mailed (or built with no_mail), also when some
 * files were skipped: the caller checks files_failed.
 */
int rd_traders_pipeline_run(struct rd_store *s, const struct rd_traders_config *tc,
                            const struct rd_traders_pipeline_opts *o,
                            struct rd_traders_pipeline_result *res, struct rd_error *err);

/*
 * The error alert ("RISK REPORT FAILED - DATE", what failed, text and HTML)
 * to tc's recipients, for failures before or after rd_traders_pipeline_run
 * (the store that cannot be opened). Sends nothing and returns RD_OK with
 * *sent = 0 when o->no_mail or the config has no smtp_url or recipients;
 * *sent = 1 when it went out; else the mail's error.
 */
int rd_traders_pipeline_alert(const struct rd_traders_config *tc,
                              const struct rd_traders_pipeline_opts *o, const char *what,
                              int *sent, struct rd_error *err);

/*
 * A test of the mail settings: a test report (subject "[TEST] Risk report -
 * DATE", text and HTML, a sample report with one trader in each group) and a
 * test error alert ("[TEST] RISK REPORT FAILED - DATE") to tc's recipients.
 * Nothing is imported, built from the store or recorded. *nsent counts the
 * messages that went out; RD_ECONFIG when there is nowhere to send them, else
 * the first mail's error.
 */
int rd_traders_pipeline_test_mail(const struct rd_traders_config *tc,
                                  const struct rd_traders_pipeline_opts *o, int *nsent,
                                  struct rd_error *err);

/* What `traders status` shows (caller-owned, filled by rd_traders_status_get). */
struct rd_traders_status {
    int64_t active;                     /* traders with stored days, legacy ones left out */
    int64_t legacy;                     /* _OLD traders with stored days */
    int64_t db_bytes;                   /* the store's size (maint->size) */
    int has_last;
    struct rd_trader_report_row last;   /* the recorded report with the latest date */
};

/* Counts the stored traders, asks the store its size and finds the last run. */
int rd_traders_status_get(struct rd_store *s, struct rd_traders_status *st, struct rd_error *err);

#endif
