/*
 * traders_pipeline.c - the traders' report from the store, its audit trail,
 * and the morning pipeline (see traders_pipeline.h).
 */
#include "riskdesk/traders_pipeline.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "riskdesk/alloc.h"
#include "riskdesk/calendar.h"
#include "riskdesk/notify.h"
#include "riskdesk/traders_import.h"
#include "riskdesk/banned.h"

#define REPORT_MAX ((size_t)64 << 20)
#define MAIL_MAX ((size_t)128 << 20)
#define FOLDER_FILES_MAX 10000

void rd_traders_run_init(struct rd_traders_run *run)
{
    memset(run, 0, sizeof *run);
    rd_fills_init(&run->fs);
    rd_pnl_init(&run->pnl);
}

void rd_traders_run_release(struct rd_traders_run *run)
{
    rd_traders_report_release(&run->rep);
    rd_pnl_release(&run->pnl);
    rd_fills_release(&run->fs);
    memset(run, 0, sizeof *run);
}

static int need_ops(const struct rd_store *s, struct rd_error *err)
{
    const struct rd_store_traders_ops *o = s->ops->traders;

    if (!o || !o->trader_days_load || !o->trader_report_add || !o->trader_report_last ||
        !o->trader_prediction_add)
        return rd_error_set(err, RD_EUNSUPPORTED,
                            "the %s store does not keep traders' data yet", s->ops->name);
    return RD_OK;
}

struct heads_ctx {
    struct rd_traders_report *rep;
    struct rd_error *err;
};

static int on_head(void *ctx, const struct rd_audit_entry *e)
{
    struct heads_ctx *h = ctx;

    return rd_traders_report_add_head(h->rep, e->chain, e->seq, e->hash, h->err);
}

/* The audit chains' heads into the report, for the e-mail to carry them out
 * of the database (a store without an audit trail has none). */
static int report_heads(struct rd_store *s, struct rd_traders_report *rep, struct rd_error *err)
{
    struct heads_ctx h = {rep, err};

    if (!s->ops->audit)
        return RD_OK;
    return s->ops->audit->heads(s, on_head, &h, err);
}

int rd_traders_run_report(struct rd_store *s, const struct rd_traders_config *tc,
                          int32_t report_day, struct rd_traders_run *run, struct rd_error *err)
{
    struct rd_trader_report_row prev;
    int rc = need_ops(s, err);

    if (rc)
        return rc;
    rc = s->ops->traders->trader_days_load(s, &run->fs, &run->pnl, err);
    if (!rc)
        rc = rd_traders_report_build(&run->fs, &run->pnl, &tc->rules, report_day, &run->rep, err);
    if (!rc)
        rc = rd_traders_report_model(&run->rep, &run->fs, &run->pnl, &tc->model, err);
    if (rc)
        return rc;
    rc = s->ops->traders->trader_report_last(s, report_day, &prev, err);
    if (rc == RD_OK) {
        run->rep.has_prev = 1;
        run->rep.prev_day = prev.report_day;
        run->rep.prev_active = prev.active;
    } else if (rc == RD_ENOTFOUND) {
        rd_error_clear(err);
        rc = RD_OK;
    }
    if (!rc)
        rc = report_heads(s, &run->rep, err);
    return rc;
}

static void features_json(const double *x, char *buf, size_t n)
{
    size_t k = 0;

    k += (size_t)snprintf(buf, n, "{");
    for (int f = 0; f < RD_TF_COUNT && k < n; f++)
        k += (size_t)snprintf(buf + k, n - k, "%s\"%s\": %.6g", f ? ", " : "",
                              rd_trader_feature_name((enum rd_trader_feature)f), x[f]);
    if (k < n)
        snprintf(buf + k, n - k, "}");
}

int rd_traders_run_record(struct rd_store *s, struct rd_traders_run *run, int64_t now,
                          struct rd_error *err)
{
    const struct rd_traders_report *r = &run->rep;
    const struct rd_trader_model *m = &r->model;
    struct rd_trader_report_row row;
    int rc = need_ops(s, err);

    if (rc)
        return rc;
    memset(&row, 0, sizeof row);
    row.report_day = r->report_day;
    row.created_at = now ? now : (int64_t)time(NULL);
    row.active = (int64_t)r->active;
    row.restricted = (int64_t)r->restricted;
    row.limited = (int64_t)r->limited;
    row.legacy = (int64_t)r->legacy;
    snprintf(row.system, sizeof row.system, "%s", rd_traders_report_system(r));
    snprintf(row.why, sizeof row.why, "%s", r->model_run ? m->why : "rules: the model was not run");
    row.train_from = m->n_train ? m->train_from : 0;
    row.train_to = m->n_train ? m->train_to : 0;
    row.test_from = m->test_from;
    row.test_to = m->test_to;
    row.n_train = (int64_t)m->n_train;
    row.n_test = (int64_t)m->n_test;
    row.model_mse = m->model_mse;
    row.rules_mse = m->rules_mse;
    rc = s->ops->begin(s, err);
    if (rc)
        return rc;
    rc = s->ops->traders->trader_report_add(s, &row, err);
    for (size_t i = 0; !rc && i < r->nrows; i++) {
        const struct rd_traders_report_row *t = &r->rows[i];
        struct rd_trader_prediction_row p;

        if (t->status == RD_STATUS_NO_DATA)
            continue;
        memset(&p, 0, sizeof p);
        p.report_id = row.id;
        snprintf(p.trader, sizeof p.trader, "%s", t->name);
        p.day = t->a.day;
        if (t->status == RD_STATUS_LIMITED) {
            /* not judged by either system: recorded, never silently safe */
            snprintf(p.features, sizeof p.features,
                     "{\"history_days\": %d, \"recommendation\": \"%s\"}", t->a.history_days,
                     RD_TRADERS_LIMITED_NOTE);
            snprintf(p.system, sizeof p.system, "rules");
            snprintf(p.level, sizeof p.level, "limited");
            p.old_limit = p.new_limit = t->a.old_limit;
            rc = s->ops->traders->trader_prediction_add(s, &p, err);
            continue;
        }
        if (t->has_features)
            features_json(t->x, p.features, sizeof p.features);
        else
            snprintf(p.features, sizeof p.features, "{}");
        p.has_output = t->has_output;
        p.output = t->output;
        p.rules_cut = t->has_features ? t->rules_cut_ppm : t->a.cut_ppm;
        snprintf(p.system, sizeof p.system, "%s", row.system);
        p.cut = t->a.cut_ppm;
        snprintf(p.level, sizeof p.level, "%s", rd_trader_level_name(t->a.level));
        p.old_limit = t->a.old_limit;
        p.new_limit = t->a.new_limit;
        rc = s->ops->traders->trader_prediction_add(s, &p, err);
    }
    if (rc) {
        s->ops->rollback(s);
        return rc;
    }
    rc = s->ops->commit(s, err);
    if (!rc)
        run->report_id = row.id;
    return rc;
}

void rd_traders_subject(const struct rd_traders_report *r, char *buf, size_t n)
{
    char date[16];
    size_t high = rd_traders_report_high(r);

    rd_date_format(r->report_day, date, sizeof date);
    if (high)
        snprintf(buf, n, "RISK ALERT - %zu High Risk Trader%s - %s", high, high == 1 ? "" : "s",
                 date);
    else
        snprintf(buf, n, "Risk report - no high risk traders - %s", date);
}

/* ---------------------------------------------------------------- pipeline */

void rd_traders_pipeline_result_init(struct rd_traders_pipeline_result *res)
{
    memset(res, 0, sizeof *res);
    rd_buf_init(&res->text, REPORT_MAX);
    rd_buf_init(&res->html, REPORT_MAX);
}

void rd_traders_pipeline_result_release(struct rd_traders_pipeline_result *res)
{
    rd_buf_release(&res->text);
    rd_buf_release(&res->html);
    memset(res, 0, sizeof *res);
}

static void say(const struct rd_traders_pipeline_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void say(const struct rd_traders_pipeline_opts *o, const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    if (!o->log)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    o->log(o->ctx, line);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.csv files of dir, sorted by name; *names is rd_malloc'ed (each too). */
static int list_csv(const char *dir, char ***names, size_t *n, struct rd_error *err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **v = NULL;
    size_t cnt = 0, cap = 0;
    int rc = RD_OK;

    *names = NULL;
    *n = 0;
    if (!d)
        return rd_error_set(err, RD_EIO, "pipeline folder %s: cannot open it", dir);
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);

        if (e->d_name[0] == '.' || len < 5 || strcmp(e->d_name + len - 4, ".csv") != 0)
            continue;
        if (cnt == FOLDER_FILES_MAX) {
            rc = rd_error_set(err, RD_ETOOBIG, "pipeline folder %s: more than %d CSV files", dir,
                              FOLDER_FILES_MAX);
            break;
        }
        if (cnt == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            char **nv = rd_realloc(v, ncap * sizeof *nv);

            if (!nv) {
                rc = rd_error_set(err, RD_ENOMEM, "out of memory listing %s", dir);
                break;
            }
            v = nv;
            cap = ncap;
        }
        v[cnt] = rd_strdup(e->d_name);
        if (!v[cnt]) {
            rc = rd_error_set(err, RD_ENOMEM, "out of memory listing %s", dir);
            break;
        }
        cnt++;
    }
    closedir(d);
    if (rc) {
        for (size_t i = 0; i < cnt; i++)
            rd_free(v[i]);
        rd_free(v);
        return rc;
    }
    if (cnt > 1)
        qsort(v, cnt, sizeof *v, cmp_str);
    *names = v;
    *n = cnt;
    return RD_OK;
}

struct import_ctx {
    struct rd_traders_report *notes_to;     /* NULL until the report exists */
    char notes[RD_REPORT_NOTES_MAX][256];
    int nnotes, extra;
    const char *file;
    int shown;
};

static void on_bad(void *ctx, const char *path, long line, const char *why)
{
    struct import_ctx *c = ctx;

    if (c->shown++ >= 3)
        return;                             /* the count says the rest */
    if (c->nnotes < RD_REPORT_NOTES_MAX)
        snprintf(c->notes[c->nnotes++], sizeof c->notes[0], "%s:%ld: %s", c->file, line, why);
    else
        c->extra++;
    (void)path;
}

/* A file the pipeline skips and goes on (its own fault), rather than an error
 * that stops the run (the store, memory). */
static int file_fault(int rc)
{
    return rc == RD_EINVAL || rc == RD_EIO || rc == RD_ETOOBIG;
}

/* Imports what is new in the folder; bad rows become notes for the report. A
 * file that cannot be imported is skipped, named with the cause in the notes
 * and the log, and counted in files_failed; the others go on. */
static int import_folder(struct rd_store *s, const char *dir,
                         const struct rd_traders_pipeline_opts *o, struct import_ctx *ic,
                         struct rd_traders_pipeline_result *res, struct rd_error *err)
{
    char **names = NULL, path[1024];
    size_t n = 0;
    int rc = list_csv(dir, &names, &n, err);

    for (size_t i = 0; rc == RD_OK && i < n; i++) {
        struct rd_traders_import_result r;
        struct rd_traders_import_opts io = {.now = o->now, .on_bad = on_bad, .ctx = ic};
        enum rd_fills_kind kind;

        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        ic->file = names[i];
        ic->shown = 0;
        /* the kind from the header (cheap), then the import: known bytes or rows
         * are found before anything is stored */
        rc = rd_traders_csv_kind(path, &kind, err);
        if (!rc)
            rc = rd_traders_import(s, kind, path, &io, &r, err);
        if (rc && file_fault(rc)) {
            res->files_failed++;
            say(o, "skipped %s: not imported: %s", names[i], err->msg);
            if (ic->nnotes < RD_REPORT_NOTES_MAX)
                snprintf(ic->notes[ic->nnotes++], sizeof ic->notes[0],
                         "%s was NOT imported: %.200s", names[i], err->msg);
            else
                ic->extra++;
            rd_error_clear(err);
            rc = RD_OK;
            continue;
        }
        if (rc)
            break;
        if (r.already) {
            res->files_known++;
            if (r.same_rows)
                say(o, "%s: the same rows as import %lld (in other bytes); nothing added",
                    names[i], (long long)r.import_id);
            continue;
        }
        res->files_imported++;
        say(o, "imported %s: %lld %s rows (import %lld)%s", names[i], (long long)r.rows,
            rd_fills_kind_name(kind), (long long)r.import_id, r.bad ? ", with bad rows" : "");
        if (r.bad && ic->nnotes < RD_REPORT_NOTES_MAX)
            snprintf(ic->notes[ic->nnotes++], sizeof ic->notes[0],
                     "%s: %lld bad row%s skipped on import", names[i], (long long)r.bad,
                     r.bad == 1 ? "" : "s");
    }
    for (size_t i = 0; i < n; i++)
        rd_free(names[i]);
    rd_free(names);
    return rc;
}

static int write_html(const char *path, const struct rd_buf *b, struct rd_error *err)
{
    FILE *f = fopen(path, "w");
    size_t w;

    if (!f)
        return rd_error_set(err, RD_EIO, "--html %s: cannot write it: %s", path, strerror(errno));
    w = fwrite(rd_buf_str(b), 1, b->len, f);
    if (fclose(f) != 0 || w != b->len)
        return rd_error_set(err, RD_EIO, "--html %s: writing it failed", path);
    return RD_OK;
}

static int mail_out(const struct rd_traders_config *tc, const char *subject, const char *text,
                const char *html, int64_t now, struct rd_error *err)
{
    const char *to[RD_MAIL_RCPT_MAX];
    char password[512] = "";
    struct rd_mail m = {0};
    struct rd_smtp smtp = {0};
    struct rd_buf msg;
    int rc;

    if (!tc->smtp_url[0])
        return rd_error_set(err, RD_ECONFIG, "no traders.mail.smtp_url in the config: nowhere to "
                            "send the report (use --no-mail to build it only)");
    for (int i = 0; i < tc->nmail_to; i++)
        to[i] = tc->mail_to[i];
    m.from = tc->mail_from;
    m.to = to;
    m.nto = (size_t)tc->nmail_to;
    m.subject = subject;
    m.text = text;
    m.html = html;
    m.date = now;
    rd_buf_init(&msg, MAIL_MAX);
    rc = rd_mail_build(&m, &msg, err);
    if (!rc && tc->smtp_password[0])
        rc = rd_secret_resolve(tc->smtp_password, password, sizeof password, err);
    if (!rc) {
        smtp.url = tc->smtp_url;
        smtp.starttls = tc->starttls;
        smtp.user = tc->smtp_user;
        smtp.password = password;
        smtp.timeout_s = tc->smtp_timeout_s;
        rc = rd_smtp_send(&smtp, tc->mail_from, to, m.nto, rd_buf_str(&msg), msg.len, err);
    }
    explicit_bzero(password, sizeof password);
    rd_buf_release(&msg);
    return rc;
}

/* The error alert: what failed, to the report's recipients. */
static int send_alert(const struct rd_traders_config *tc, const struct rd_traders_pipeline_opts *o,
                      const char *prefix, const char *what, struct rd_error *err)
{
    char subject[128], date[16], text[2048], html[4096];
    size_t k = 0;

    rd_date_format(o->report_day, date, sizeof date);
    snprintf(subject, sizeof subject, "%s%sRISK REPORT FAILED - %s", prefix, prefix[0] ? " " : "",
             date);
    snprintf(text, sizeof text,
             "The traders' risk report for %s could not be produced.\n\n"
             "Error: %s\n\n"
             "No limits were changed by riskdesk. Check the pipeline's log and the files in\n"
             "%s, then run `riskdesk traders pipeline` again.\n", date, what,
             o->folder && o->folder[0] ? o->folder : tc->folder);
    k += (size_t)snprintf(html, sizeof html,
                          "<!DOCTYPE html>\n<html><body style=\"font-family:Arial,Helvetica,"
                          "sans-serif;font-size:14px\"><h2 style=\"color:#c0392b\">Risk report "
                          "failed &mdash; %s</h2><p><b>Error:</b> ", date);
    for (const char *p = what; *p && k + 8 < sizeof html; p++) {
        const char *e = *p == '<' ? "&lt;" : *p == '>' ? "&gt;" : *p == '&' ? "&amp;"
                      : *p == '"' ? "&quot;" : NULL;

        if (e)
            k += (size_t)snprintf(html + k, sizeof html - k, "%s", e);
        else
            html[k++] = *p;
    }
    if (k < sizeof html)
        snprintf(html + k, sizeof html - k, "</p><p>No limits were changed by riskdesk.</p>"
                                            "</body></html>\n");
    return mail_out(tc, subject, text, html, o->now, err);
}

int rd_traders_pipeline_alert(const struct rd_traders_config *tc,
                              const struct rd_traders_pipeline_opts *o, const char *what,
                              int *sent, struct rd_error *err)
{
    int rc;

    *sent = 0;
    if (o->no_mail || !tc->smtp_url[0] || !tc->nmail_to)
        return RD_OK;                       /* nowhere to send it */
    rc = send_alert(tc, o, "", what, err);
    if (rc == RD_OK) {
        *sent = 1;
        say(o, "error alert mailed to %d recipient%s", tc->nmail_to,
            tc->nmail_to == 1 ? "" : "s");
    }
    return rc;
}

int rd_traders_pipeline_test_mail(const struct rd_traders_config *tc,
                                  const struct rd_traders_pipeline_opts *o, int *nsent,
                                  struct rd_error *err)
{
    char subject[128], date[16], text[1024], html[1536];
    int rc;

    *nsent = 0;
    if (!tc->smtp_url[0] || !tc->nmail_to)
        return rd_error_set(err, RD_ECONFIG, "--test-mail: no traders.mail.smtp_url or no "
                            "traders.mail.to in the config: nowhere to send the test messages");
    rd_date_format(o->report_day, date, sizeof date);
    snprintf(subject, sizeof subject, "[TEST] Risk report - %s", date);
    snprintf(text, sizeof text,
             "This is a test of the traders' morning report mail (riskdesk traders pipeline\n"
             "--test-mail). The real report for %s goes out the same way: the same sender,\n"
             "recipients and SMTP server. Nothing was imported or recorded, and no limits\n"
             "were changed.\n", date);
    snprintf(html, sizeof html,
             "<!DOCTYPE html>\n<html><body style=\"font-family:Arial,Helvetica,sans-serif;"
             "font-size:14px\"><h2>Risk report &mdash; test</h2><p>This is a test of the "
             "traders' morning report mail (<code>riskdesk traders pipeline --test-mail</code>)."
             " The real report for %s goes out the same way: the same sender, recipients and "
             "SMTP server. Nothing was imported or recorded, and no limits were changed.</p>"
             "</body></html>\n", date);
    rc = mail_out(tc, subject, text, html, o->now, err);
    if (rc)
        return rc;
    ++*nsent;
    say(o, "test report mailed to %d recipient%s: \"%s\"", tc->nmail_to,
        tc->nmail_to == 1 ? "" : "s", subject);
    rc = send_alert(tc, o, "[TEST]", "This is a test of the error alert (riskdesk traders "
                    "pipeline --test-mail); nothing failed.", err);
    if (rc)
        return rc;
    ++*nsent;
    say(o, "test error alert mailed to %d recipient%s", tc->nmail_to,
        tc->nmail_to == 1 ? "" : "s");
    return RD_OK;
}

int rd_traders_pipeline_run(struct rd_store *s, const struct rd_traders_config *tc,
                            const struct rd_traders_pipeline_opts *o,
                            struct rd_traders_pipeline_result *res, struct rd_error *err)
{
    struct import_ctx ic;
    struct rd_traders_run run;
    const char *folder = o->folder && o->folder[0] ? o->folder : tc->folder;
    int rc;

    memset(&ic, 0, sizeof ic);
    rd_traders_run_init(&run);
    if (!folder[0]) {
        rc = rd_error_set(err, RD_ECONFIG, "no traders.pipeline.folder in the config and no "
                          "--folder: nowhere to take new files from");
        goto fail;
    }
    rc = import_folder(s, folder, o, &ic, res, err);
    if (rc)
        goto fail;
    say(o, "%d file%s imported, %d already known%s", res->files_imported,
        res->files_imported == 1 ? "" : "s", res->files_known,
        res->files_failed ? ", some not imported (see the warnings)" : "");
    rc = rd_traders_run_report(s, tc, o->report_day, &run, err);
    for (int i = 0; !rc && i < ic.nnotes; i++)
        rd_traders_report_note(&run.rep, "%s", ic.notes[i]);
    if (!rc && ic.extra)
        rd_traders_report_note(&run.rep, "%d more bad rows not shown", ic.extra);
    if (!rc && res->files_failed)
        rd_traders_report_note(&run.rep, "%d file%s in %s could not be imported (named above); "
                               "this report leaves them out", res->files_failed,
                               res->files_failed == 1 ? "" : "s", folder);
    if (!rc)
        rc = rd_traders_report_render(&run.rep, RD_REPORT_TEXT, &res->text, err);
    if (!rc)
        rc = rd_traders_report_render(&run.rep, RD_REPORT_HTML, &res->html, err);
    if (!rc)
        rc = rd_traders_run_record(s, &run, o->now, err);
    if (!rc && o->html_path)
        rc = write_html(o->html_path, &res->html, err);
    if (rc)
        goto fail;
    res->report_built = 1;
    rd_traders_subject(&run.rep, res->subject, sizeof res->subject);
    {
        char date[16];

        rd_date_format(o->report_day, date, sizeof date);
        say(o, "report for %s: %zu/%zu traders restricted (system: %s)", date,
            run.rep.restricted, run.rep.active, rd_traders_report_system(&run.rep));
    }
    if (o->no_mail) {
        rd_traders_run_release(&run);
        return RD_OK;
    }
    rc = mail_out(tc, res->subject, rd_buf_str(&res->text), rd_buf_str(&res->html), o->now, err);
    if (rc)
        goto fail;
    res->mailed = 1;
    say(o, "mailed \"%s\" to %d recipient%s", res->subject, tc->nmail_to,
        tc->nmail_to == 1 ? "" : "s");
    rd_traders_run_release(&run);
    return RD_OK;
fail:
    rd_traders_run_release(&run);
    {
        struct rd_error aerr = {0};
        char what[RD_ERROR_MSG_MAX];

        snprintf(what, sizeof what, "%s", err->msg);
        if (rd_traders_pipeline_alert(tc, o, what, &res->alert_sent, &aerr) != RD_OK)
            snprintf(err->msg, sizeof err->msg, "%.600s; the error alert could not be sent "
                     "either: %.300s", what, aerr.msg);
    }
    return rc;
}
