/*
 * traders_report.c - builds the traders' risk report and renders it as text,
 * HTML or JSON (see traders_report.h).
 */
#include "riskdesk/traders_report.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "riskdesk/calendar.h"
#include "riskdesk/banned.h"

#define SPARK_W 120
#define SPARK_H 28

static enum rd_report_status status_of(const struct rd_trader_assessment *a)
{
    if (!a->has_data)
        return RD_STATUS_NO_DATA;
    if (a->limited)
        return RD_STATUS_LIMITED;
    return a->level == RD_LEVEL_HIGH       ? RD_STATUS_HIGH
           : a->level == RD_LEVEL_MODERATE ? RD_STATUS_MODERATE
                                           : RD_STATUS_LOW;
}

static const char *status_name(enum rd_report_status s)
{
    static const char *const names[] = {"high", "moderate", "low", "limited_history", "no_data"};

    return names[s];
}

/* The report's groups: high risk needs action now, moderate is watched, a
 * trader with limited history is new (not assessed). */
static const char *group_name(enum rd_report_status s)
{
    static const char *const names[] = {"immediate_action", "monitor_closely", "assessed", "new",
                                        "no_data"};

    return names[s];
}

/* The status as people read it in the tables. */
static const char *status_label(enum rd_report_status s)
{
    return s == RD_STATUS_LIMITED ? "New (limited history)" : status_name(s);
}

static int row_cmp(const void *x, const void *y)
{
    const struct rd_traders_report_row *a = x, *b = y;

    if (a->status != b->status)
        return a->status < b->status ? -1 : 1;
    if (a->a.cut_ppm != b->a.cut_ppm)
        return a->a.cut_ppm > b->a.cut_ppm ? -1 : 1;
    return strcmp(a->name, b->name);
}

int rd_traders_report_build(const struct rd_fills *fs, const struct rd_pnl *pnl,
                            const struct rd_trader_rules_config *cfg, int32_t report_day,
                            struct rd_traders_report *out, struct rd_error *err)
{
    int rc;

    memset(out, 0, sizeof *out);
    out->report_day = report_day;
    out->cfg = *cfg;
    rc = rd_trader_rules_config_check(cfg, err);
    if (rc != RD_OK)
        return rc;
    out->rows = rd_calloc(pnl->ntraders ? pnl->ntraders : 1, sizeof *out->rows);
    if (!out->rows)
        return rd_error_set(err, RD_ENOMEM, "out of memory building the report");
    for (uint32_t t = 0; t < pnl->ntraders; t++) {
        const struct rd_pnl_span *sp = &pnl->span[t];
        const struct rd_pnl_day *days = pnl->days + sp->first;
        struct rd_traders_report_row *row;
        rd_money limit = t < fs->limit_cap ? fs->limit[t] : 0;

        if (!sp->count)
            continue;
        if (rd_trader_is_legacy(fs->traders.name[t])) {
            out->legacy++;
            continue;
        }
        row = &out->rows[out->nrows];
        row->trader = t;
        row->name = fs->traders.name[t];
        rc = rd_trader_assess(cfg, days, sp->count, report_day, limit, &row->a, err);
        if (rc != RD_OK) {
            rd_traders_report_release(out);
            return rc;
        }
        out->nrows++;
        row->status = status_of(&row->a);
        if (!row->a.has_data) {
            out->no_data++;
            continue;
        }
        out->active++;
        out->limited += row->a.limited;
        out->restricted += row->a.cut_ppm > 0;
        {
            size_t j = (size_t)row->a.history_days - 1, nw = (size_t)row->a.window_days;

            row->window = days + j + 1 - nw;
            row->nwindow = nw;
        }
        row->stale_days = rd_nyse_trading_days_between(row->a.day + 1, report_day);
        if (!out->has_latest || row->a.day > out->latest_day) {
            out->has_latest = 1;
            out->latest_day = row->a.day;
        }
    }
    if (out->has_latest)
        out->latest_stale = rd_nyse_trading_days_between(out->latest_day + 1, report_day);
    if (out->nrows > 1)
        qsort(out->rows, out->nrows, sizeof *out->rows, row_cmp);
    return RD_OK;
}

void rd_traders_report_release(struct rd_traders_report *r)
{
    rd_free(r->rows);
    rd_free(r->heads);
    memset(r, 0, sizeof *r);
}

const char *rd_traders_report_system(const struct rd_traders_report *r)
{
    return r->model_run && r->model.use ? "model" : "rules";
}

size_t rd_traders_report_high(const struct rd_traders_report *r)
{
    size_t n = 0;

    for (size_t i = 0; i < r->nrows; i++)
        n += r->rows[i].status == RD_STATUS_HIGH;
    return n;
}

void rd_traders_report_note(struct rd_traders_report *r, const char *fmt, ...)
{
    va_list ap;

    if (r->nnotes == RD_REPORT_NOTES_MAX) {
        snprintf(r->notes[RD_REPORT_NOTES_MAX - 1], sizeof r->notes[0], "(more warnings left out)");
        return;
    }
    va_start(ap, fmt);
    vsnprintf(r->notes[r->nnotes++], sizeof r->notes[0], fmt, ap);
    va_end(ap);
}

int rd_traders_report_add_head(struct rd_traders_report *r, const char *chain, int64_t seq,
                               const char *hash, struct rd_error *err)
{
    struct rd_traders_report_head *h = rd_realloc(r->heads, (r->nheads + 1) * sizeof *h);

    if (!h)
        return rd_error_set(err, RD_ENOMEM, "report: out of memory for the audit heads");
    r->heads = h;
    h = &r->heads[r->nheads++];
    snprintf(h->chain, sizeof h->chain, "%s", chain);
    h->seq = seq;
    snprintf(h->hash, sizeof h->hash, "%s", hash);
    return RD_OK;
}

int rd_traders_report_model(struct rd_traders_report *r, const struct rd_fills *fs,
                            const struct rd_pnl *pnl, const struct rd_trader_model_config *mc,
                            struct rd_error *err)
{
    struct rd_trader_features f;
    int rc;

    rd_trader_features_init(&f);
    r->model_cfg = *mc;
    rc = rd_trader_features_compute(&r->cfg, mc, fs, pnl, r->report_day, &f, err);
    if (rc == RD_OK)
        rc = rd_trader_model_fit(mc, &f, &r->model, err);
    if (rc != RD_OK) {
        rd_trader_features_release(&f);
        return rc;
    }
    r->model_run = 1;
    r->restricted = 0;
    for (size_t k = 0; k < r->nrows; k++) {
        struct rd_traders_report_row *row = &r->rows[k];
        struct rd_trader_assessment *a = &row->a;
        size_t i;

        if (row->status == RD_STATUS_NO_DATA)
            continue;
        if (row->status != RD_STATUS_LIMITED) {
            i = pnl->span[row->trader].first + (size_t)a->history_days - 1;
            row->has_features = 1;
            memcpy(row->x, f.x + i * RD_TF_COUNT, sizeof row->x);
            row->rules_cut_ppm = a->cut_ppm;
            if (r->model.fitted) {
                row->has_output = 1;
                row->output = rd_trader_model_predict(&r->model, row->x);
            }
            if (r->model.use) {
                int64_t cut = rd_trader_model_cut(mc, &r->cfg, row->output);
                char c1[16], c2[16];

                a->cut_ppm = cut;
                a->level = cut >= r->cfg.high_ppm       ? RD_LEVEL_HIGH
                           : cut >= r->cfg.moderate_ppm ? RD_LEVEL_MODERATE
                                                        : RD_LEVEL_LOW;
                a->new_limit = rd_trader_new_limit(&r->cfg, a->old_limit, cut);
                rd_decimal_format(cut, 4, 0, c1, sizeof c1);
                rd_decimal_format(row->rules_cut_ppm, 4, 0, c2, sizeof c2);
                snprintf(row->model_reason, sizeof row->model_reason,
                         "model: a cut of %s%% for the next trading day (predicted %.1f%%; the "
                         "rules say %s%%)", c1, 100.0 * row->output, c2);
                row->status = status_of(a);
            }
        }
        r->restricted += a->cut_ppm > 0 && !a->limited;
    }
    if (r->nrows > 1)
        qsort(r->rows, r->nrows, sizeof *r->rows, row_cmp);
    rd_trader_features_release(&f);
    return RD_OK;
}

int rd_report_format_parse(const char *s, enum rd_report_format *out, struct rd_error *err)
{
    if (!strcmp(s, "text"))
        *out = RD_REPORT_TEXT;
    else if (!strcmp(s, "html"))
        *out = RD_REPORT_HTML;
    else if (!strcmp(s, "json"))
        *out = RD_REPORT_JSON;
    else
        return rd_error_set(err, RD_EINVAL, "unknown report format '%s': expected text, html or json", s);
    return RD_OK;
}

/* ---------------------------------------------------------------- helpers */

struct out {
    struct rd_buf *b;
    int rc;                         /* first failure, sticky */
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;

    if (o->rc != RD_OK)
        return;
    va_start(ap, fmt);
    o->rc = rd_buf_vprintf(o->b, fmt, ap);
    va_end(ap);
}

static void html_esc(struct out *o, const char *s)
{
    for (; *s && o->rc == RD_OK; s++) {
        switch (*s) {
        case '&': put(o, "&amp;"); break;
        case '<': put(o, "&lt;"); break;
        case '>': put(o, "&gt;"); break;
        case '"': put(o, "&quot;"); break;
        case '\'': put(o, "&#39;"); break;
        default: o->rc = rd_buf_append(o->b, s, 1);
        }
    }
}

static void json_str(struct out *o, const char *s)
{
    put(o, "\"");
    for (; *s && o->rc == RD_OK; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            put(o, "\\%c", c);
        else if (c == '\n')
            put(o, "\\n");
        else if (c < 0x20 || c == 0x7f)
            put(o, "\\u%04x", c);
        else
            o->rc = rd_buf_append(o->b, s, 1);
    }
    put(o, "\"");
}

/* Writes s for a plain-text report: control characters shown as '?'. */
static void text_str(struct out *o, const char *s, int width)
{
    int n = 0;

    for (; *s && o->rc == RD_OK; s++, n++) {
        char c = (unsigned char)*s < 0x20 ? '?' : *s;

        o->rc = rd_buf_append(o->b, &c, 1);
    }
    for (; n < width && o->rc == RD_OK; n++)
        o->rc = rd_buf_append(o->b, " ", 1);
}

static const char *date_text(int32_t day, char *buf, size_t n)
{
    rd_date_format(day, buf, n);
    return buf;
}

static const char *dollars(rd_money v, char *buf, size_t n)
{
    rd_trader_dollars(v, buf, n);
    return buf;
}

static const char *pct(int64_t ppm, char *buf, size_t n)
{
    rd_decimal_format(ppm, 4, 0, buf, n);           /* ppm / 10^4 = percent */
    return buf;
}

static const char *money(rd_money v, char *buf, size_t n)
{
    rd_money_format(v, buf, n);
    return buf;
}

static const char *system_text(const struct rd_traders_report *r, char *buf, size_t n)
{
    const struct rd_trader_rules_config *c = &r->cfg;
    char p[16];

    if (r->model_run && r->model.use)
        snprintf(buf, n, "model (pooled ridge regression over %d features, the rules as fallback)",
                 RD_TF_COUNT);
    else
        snprintf(buf, n, "rules (%s, capped at %s%%)",
                 c->combine == RD_CUT_SUM ? "cuts summed" : "largest cut applies",
                 pct(c->max_cut_ppm, p, sizeof p));
    return buf;
}

/* The model's evaluation in one or two lines: why this system, the split. */
static void model_lines(const struct rd_traders_report *r, char *why, size_t nwhy, char *split,
                        size_t nsplit)
{
    const struct rd_trader_model *m = &r->model;
    char a[16], b[16], c[16], d[16];

    snprintf(why, nwhy, "%s", m->why);
    split[0] = '\0';
    if (!m->test_from)
        return;
    rd_date_format(m->test_from, c, sizeof c);
    rd_date_format(m->test_to, d, sizeof d);
    if (m->n_train) {
        rd_date_format(m->train_from, a, sizeof a);
        rd_date_format(m->train_to, b, sizeof b);
        snprintf(split, nsplit,
                 "train %s to %s (%zu samples); test %s to %s (the last %d trading days, %zu "
                 "samples): MSE model %.5f, rules %.5f", a, b, m->n_train, c, d,
                 r->model_cfg.test_days, m->n_test, m->model_mse, m->rules_mse);
    } else {
        snprintf(split, nsplit, "test %s to %s (the last %d trading days); no training samples "
                 "before %s", c, d, r->model_cfg.test_days, c);
    }
}

/* Warnings, as lines without a trailing newline; calls fn for each. */
static void warnings(const struct rd_traders_report *r, struct out *o,
                     void (*fn)(struct out *, const char *))
{
    char line[512], d1[16], d2[16];

    for (int i = 0; i < r->nnotes; i++)
        fn(o, r->notes[i]);
    if (r->has_prev && r->prev_active != (int64_t)r->active) {
        snprintf(line, sizeof line,
                 "the number of active traders changed since the last report (%s): %lld then, "
                 "%zu now", date_text(r->prev_day, d1, sizeof d1), (long long)r->prev_active,
                 r->active);
        fn(o, line);
    }
    if (!r->has_latest) {
        snprintf(line, sizeof line, "no trader has data on or before %s",
                 date_text(r->report_day, d1, sizeof d1));
        fn(o, line);
    } else if (r->latest_stale > r->cfg.stale_trading_days) {
        snprintf(line, sizeof line,
                 "the latest data is from %s, %d trading days before the report date %s",
                 date_text(r->latest_day, d1, sizeof d1), r->latest_stale,
                 date_text(r->report_day, d2, sizeof d2));
        fn(o, line);
    }
    for (size_t i = 0; i < r->nrows; i++) {
        const struct rd_traders_report_row *row = &r->rows[i];

        if (row->status == RD_STATUS_NO_DATA) {
            snprintf(line, sizeof line, "%.100s: no data on or before %s", row->name,
                     date_text(r->report_day, d1, sizeof d1));
            fn(o, line);
        } else if (row->stale_days > r->cfg.stale_trading_days &&
                   !(r->latest_stale > r->cfg.stale_trading_days &&
                     row->a.day == r->latest_day)) {
            snprintf(line, sizeof line, "%.100s: last data %s is %d trading days old", row->name,
                     date_text(row->a.day, d1, sizeof d1), row->stale_days);
            fn(o, line);
        }
    }
}

/* ---------------------------------------------------------------- text */

static void text_warning(struct out *o, const char *line)
{
    put(o, "  ! %s\n", line);
}

/* One group of the text report: its heading and count, then each trader of
 * that status with the cut, the limits and every reason. Nothing when empty. */
static void text_group(const struct rd_traders_report *r, struct out *o,
                       enum rd_report_status status, const char *heading)
{
    char d1[16], s1[40], s2[40], s3[40], s4[40];
    size_t n = 0;

    for (size_t i = 0; i < r->nrows; i++)
        n += r->rows[i].status == status;
    if (!n)
        return;
    put(o, "%s (%zu)\n", heading, n);
    for (size_t i = 0; i < r->nrows; i++) {
        const struct rd_traders_report_row *row = &r->rows[i];

        if (row->status != status)
            continue;
        put(o, "  ");
        text_str(o, row->name, 0);
        put(o, "  %s  cut %s%%  daily loss limit %s -> %s  (%s, net %s)\n",
            status == RD_STATUS_HIGH ? "HIGH" : "MODERATE", pct(row->a.cut_ppm, s1, sizeof s1),
            dollars(row->a.old_limit, s2, sizeof s2), dollars(row->a.new_limit, s3, sizeof s3),
            date_text(row->a.day, d1, sizeof d1), dollars(row->a.day_net, s4, sizeof s4));
        if (row->model_reason[0])
            put(o, "    - %s\n", row->model_reason);
        for (int k = 0; k < row->a.nreasons; k++)
            put(o, "    - %s\n", row->a.reason[k]);
    }
    put(o, "\n");
}

static void render_text(const struct rd_traders_report *r, struct out *o)
{
    char d1[16], s1[40], s2[40], s3[40], sys[96];
    size_t naction = 0, nwarn_before;

    put(o, "TRADER RISK REPORT for %s\n", date_text(r->report_day, d1, sizeof d1));
    put(o, "System: %s\n", system_text(r, sys, sizeof sys));
    if (r->model_run) {
        char why[300], split[400];

        model_lines(r, why, sizeof why, split, sizeof split);
        put(o, "Model: %s\n", why);
        if (split[0])
            put(o, "       %s\n", split);
    }
    put(o, "\n");
    nwarn_before = o->b->len;
    put(o, "WARNINGS\n");
    {
        size_t mark = o->b->len;

        warnings(r, o, text_warning);
        if (o->b->len == mark && o->rc == RD_OK) {
            o->b->len = nwarn_before;           /* no warnings: drop the heading */
            o->b->data[o->b->len] = '\0';
        } else {
            put(o, "\n");
        }
    }
    for (size_t i = 0; i < r->nrows; i++)
        naction += r->rows[i].status == RD_STATUS_HIGH;
    if (naction)
        text_group(r, o, RD_STATUS_HIGH, "IMMEDIATE ACTION REQUIRED");
    else
        put(o, "No immediate action required.\n\n");
    text_group(r, o, RD_STATUS_MODERATE, "MONITOR CLOSELY");
    snprintf(sys, sizeof sys, "%dd net", r->cfg.window_days);
    put(o, "ALL TRADERS\n  %-16s %-21s %-10s %5s %12s %12s %8s %10s %10s\n", "trader", "status",
        "day", "days", "day net", sys, "cut", "limit", "new limit");
    for (size_t i = 0; i < r->nrows; i++) {
        const struct rd_traders_report_row *row = &r->rows[i];
        char net1[40], net2[40];

        if (row->status == RD_STATUS_NO_DATA)
            continue;
        put(o, "  ");
        text_str(o, row->name, 16);
        put(o, " %-21s %-10s %5d %12s %12s %7s%% %10s %10s\n", status_label(row->status),
            date_text(row->a.day, d1, sizeof d1), row->a.history_days,
            dollars(row->a.day_net, net1, sizeof net1),
            dollars(row->a.window_net, net2, sizeof net2), pct(row->a.cut_ppm, s1, sizeof s1),
            dollars(row->a.old_limit, s2, sizeof s2), dollars(row->a.new_limit, s3, sizeof s3));
    }
    if (r->limited) {
        put(o, "\nNEW (LIMITED HISTORY) (fewer than %d trading days: not assessed, review by "
               "hand)\n",
            r->cfg.min_history_days);
        for (size_t i = 0; i < r->nrows; i++) {
            const struct rd_traders_report_row *row = &r->rows[i];

            if (row->status != RD_STATUS_LIMITED)
                continue;
            put(o, "  ");
            text_str(o, row->name, 0);
            put(o, ": %d trading day%s, net %s over them, %d day loss streak\n",
                row->a.history_days, row->a.history_days == 1 ? "" : "s",
                dollars(row->a.window_net, s1, sizeof s1), row->a.loss_streak);
        }
    }
    put(o, "\nSUMMARY: %zu/%zu traders restricted (system: %s)", r->restricted, r->active,
        rd_traders_report_system(r));
    if (r->limited)
        put(o, "; %zu with limited history not assessed", r->limited);
    if (r->legacy)
        put(o, "; %zu legacy account%s left out", r->legacy, r->legacy == 1 ? "" : "s");
    put(o, "\n");
    if (r->nheads) {
        put(o, "\nAUDIT CHAIN HEADS (keep them outside the database; `riskdesk audit verify "
               "--anchor HASH`\nproves nothing up to that entry was rewritten since)\n");
        for (size_t i = 0; i < r->nheads; i++)
            put(o, "  %-24s %8lld  %s\n", r->heads[i].chain, (long long)r->heads[i].seq,
                r->heads[i].hash);
    }
}

/* ---------------------------------------------------------------- html */

static void html_warning(struct out *o, const char *line)
{
    put(o, "<li style=\"margin:2px 0\">");
    html_esc(o, line);
    put(o, "</li>\n");
}

/* Cumulative net P&L over the window as an inline SVG polyline. */
static void sparkline(struct out *o, const struct rd_traders_report_row *row)
{
    rd_money cum = 0, lo = 0, hi = 0;
    size_t n = row->nwindow;
    double span;

    for (size_t i = 0; i < n; i++) {
        cum += row->window[i].net;
        if (cum < lo)
            lo = cum;
        if (cum > hi)
            hi = cum;
    }
    span = hi > lo ? (double)(hi - lo) : 1.0;
    put(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
           "role=\"img\"><title>cumulative net P&amp;L over %zu trading days</title>",
        SPARK_W, SPARK_H, SPARK_W, SPARK_H, n);
    put(o, "<line x1=\"0\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#bbb\" stroke-width=\"1\"/>",
        2 + (SPARK_H - 4) * (double)hi / span, SPARK_W, 2 + (SPARK_H - 4) * (double)hi / span);
    put(o, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"",
        cum < 0 ? "#c0392b" : "#1e8449");
    cum = 0;
    for (size_t i = 0; i < n; i++) {
        double x = n > 1 ? (double)(SPARK_W - 2) * (double)i / (double)(n - 1) + 1 : SPARK_W / 2.0;
        double y;

        cum += row->window[i].net;
        y = 2 + (SPARK_H - 4) * (double)(hi - cum) / span;
        put(o, "%s%.1f,%.1f", i ? " " : "", x, y);
    }
    put(o, "\"/></svg>");
}

/* One group of the HTML report as a table; nothing when empty. */
static void html_group(const struct rd_traders_report *r, struct out *o,
                       enum rd_report_status status, const char *heading, const char *colour)
{
    static const char *const td = "style=\"padding:4px 8px;border-bottom:1px solid #ddd\"";
    static const char *const tdr =
        "style=\"padding:4px 8px;border-bottom:1px solid #ddd;text-align:right\"";
    char s1[40], s2[40], s3[40];
    size_t n = 0;

    for (size_t i = 0; i < r->nrows; i++)
        n += r->rows[i].status == status;
    if (!n)
        return;
    put(o, "<h3 style=\"color:%s;margin:12px 0 4px 0\">%s (%zu)</h3>\n", colour, heading, n);
    put(o, "<table cellpadding=\"0\" cellspacing=\"0\" style=\"border-collapse:collapse\">\n"
           "<tr style=\"background:#f2f2f2\"><th %s>Trader</th><th %s>Level</th><th %s>Cut</th>"
           "<th %s>Old limit</th><th %s>New limit</th><th %s>Reasons</th></tr>\n",
        td, td, tdr, tdr, tdr, td);
    for (size_t i = 0; i < r->nrows; i++) {
        const struct rd_traders_report_row *row = &r->rows[i];

        if (row->status != status)
            continue;
        put(o, "<tr><td %s><b>", td);
        html_esc(o, row->name);
        put(o, "</b></td><td %s><span style=\"color:#fff;background:%s;padding:1px 6px\">%s</span></td>"
               "<td %s>%s%%</td><td %s>%s</td><td %s><b>%s</b></td><td %s>",
            td, colour, status == RD_STATUS_HIGH ? "HIGH" : "MODERATE", tdr,
            pct(row->a.cut_ppm, s1, sizeof s1), tdr, dollars(row->a.old_limit, s2, sizeof s2),
            tdr, dollars(row->a.new_limit, s3, sizeof s3), td);
        if (row->model_reason[0])
            html_esc(o, row->model_reason);
        for (int k = 0; k < row->a.nreasons; k++) {
            put(o, "%s", k || row->model_reason[0] ? "<br>" : "");
            html_esc(o, row->a.reason[k]);
        }
        put(o, "</td></tr>\n");
    }
    put(o, "</table>\n");
}

static void render_html(const struct rd_traders_report *r, struct out *o)
{
    static const char *const td = "style=\"padding:4px 8px;border-bottom:1px solid #ddd\"";
    static const char *const tdr =
        "style=\"padding:4px 8px;border-bottom:1px solid #ddd;text-align:right\"";
    char d1[16], s2[40], s3[40], sys[96];
    size_t naction = 0, mark;

    put(o, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
           "<title>Trader risk report %s</title></head>\n"
           "<body style=\"font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222\">\n",
        date_text(r->report_day, d1, sizeof d1));
    put(o, "<h2 style=\"margin:0 0 4px 0\">Trader risk report &mdash; %s</h2>\n", d1);
    put(o, "<p style=\"margin:0 0 12px 0;color:#555\">System: <b>");
    html_esc(o, system_text(r, sys, sizeof sys));
    put(o, "</b>");
    if (r->model_run) {
        char why[300], split[400];

        model_lines(r, why, sizeof why, split, sizeof split);
        put(o, "<br>Model: ");
        html_esc(o, why);
        if (split[0]) {
            put(o, "<br>");
            html_esc(o, split);
        }
    }
    put(o, "</p>\n");
    mark = o->b->len;
    put(o, "<div style=\"background:#fff4e5;border:1px solid #f0ad4e;padding:8px;margin:0 0 12px 0\">"
           "<b>Warnings</b><ul style=\"margin:4px 0 0 0\">\n");
    {
        size_t before = o->b->len;

        warnings(r, o, html_warning);
        if (o->b->len == before && o->rc == RD_OK) {
            o->b->len = mark;
            o->b->data[mark] = '\0';
        } else {
            put(o, "</ul></div>\n");
        }
    }
    for (size_t i = 0; i < r->nrows; i++)
        naction += r->rows[i].status == RD_STATUS_HIGH;
    if (naction)
        html_group(r, o, RD_STATUS_HIGH, "IMMEDIATE ACTION REQUIRED", "#c0392b");
    else
        put(o, "<p><b>No immediate action required.</b></p>\n");
    html_group(r, o, RD_STATUS_MODERATE, "Monitor closely", "#e67e22");
    put(o, "<h3 style=\"margin:16px 0 4px 0\">All traders</h3>\n"
           "<table cellpadding=\"0\" cellspacing=\"0\" style=\"border-collapse:collapse\">\n"
           "<tr style=\"background:#f2f2f2\"><th %s>Trader</th><th %s>Status</th><th %s>Day</th>"
           "<th %s>Days</th><th %s>Day net</th><th %s>%d-day net</th><th %s>P&amp;L</th>"
           "<th %s>Limit</th><th %s>New limit</th></tr>\n",
        td, td, td, tdr, tdr, tdr, r->cfg.window_days, td, tdr, tdr);
    for (size_t i = 0; i < r->nrows; i++) {
        const struct rd_traders_report_row *row = &r->rows[i];
        char n1[40], n2[40];

        if (row->status == RD_STATUS_NO_DATA)
            continue;
        put(o, "<tr><td %s>", td);
        html_esc(o, row->name);
        put(o, "</td><td %s>%s</td><td %s>%s</td><td %s>%d</td>"
               "<td %s><span style=\"color:%s\">%s</span></td>"
               "<td %s><span style=\"color:%s\">%s</span></td><td %s>",
            td, status_label(row->status),
            td, date_text(row->a.day, d1, sizeof d1), tdr, row->a.history_days, tdr,
            row->a.day_net < 0 ? "#c0392b" : "#1e8449", dollars(row->a.day_net, n1, sizeof n1),
            tdr, row->a.window_net < 0 ? "#c0392b" : "#1e8449",
            dollars(row->a.window_net, n2, sizeof n2), td);
        sparkline(o, row);
        put(o, "</td><td %s>%s</td><td %s>%s</td></tr>\n", tdr,
            dollars(row->a.old_limit, s2, sizeof s2), tdr,
            dollars(row->a.new_limit, s3, sizeof s3));
    }
    put(o, "</table>\n");
    put(o, "<p style=\"margin:16px 0 0 0\"><b>Summary:</b> %zu/%zu traders restricted (system: %s)",
        r->restricted, r->active, rd_traders_report_system(r));
    if (r->limited)
        put(o, "; %zu with limited history (fewer than %d trading days) not assessed", r->limited,
            r->cfg.min_history_days);
    if (r->legacy)
        put(o, "; %zu legacy account%s left out", r->legacy, r->legacy == 1 ? "" : "s");
    put(o, ".</p>\n");
    if (r->nheads) {
        put(o, "<h3 style=\"margin:16px 0 4px 0\">Audit chain heads</h3>\n<p style=\"margin:0 0 "
               "4px 0;color:#555\">Keep them outside the database: <code>riskdesk audit verify "
               "--anchor HASH</code> proves nothing up to that entry was rewritten since.</p>\n"
               "<table cellpadding=\"0\" cellspacing=\"0\" style=\"border-collapse:collapse;"
               "font-family:monospace\">\n");
        for (size_t i = 0; i < r->nheads; i++) {
            put(o, "<tr><td %s>", td);
            html_esc(o, r->heads[i].chain);
            put(o, "</td><td %s>%lld</td><td %s>%s</td></tr>\n", tdr,
                (long long)r->heads[i].seq, td, r->heads[i].hash);
        }
        put(o, "</table>\n");
    }
    put(o, "</body></html>\n");
}

/* ---------------------------------------------------------------- json */

static void json_warning(struct out *o, const char *line)
{
    put(o, "%s", o->b->data && o->b->len && o->b->data[o->b->len - 1] == '[' ? "\n    " : ",\n    ");
    json_str(o, line);
}

static void render_json(const struct rd_traders_report *r, struct out *o)
{
    char d1[16], s1[40], s2[40];
    static const char *const rule_keys[RD_RULE_COUNT] = {"loss_streak", "drawdown",
                                                         "volatility_spike", "large_loss"};

    put(o, "{\n  \"report_date\": \"%s\",\n  \"system\": \"%s\",\n",
        date_text(r->report_day, d1, sizeof d1), rd_traders_report_system(r));
    if (r->model_run) {
        const struct rd_trader_model *m = &r->model;

        put(o, "  \"model\": {\"used\": %s, \"fitted\": %s, \"why\": ", m->use ? "true" : "false",
            m->fitted ? "true" : "false");
        json_str(o, m->why);
        if (m->test_from) {
            put(o, ", \"test_from\": \"%s\"", date_text(m->test_from, d1, sizeof d1));
            put(o, ", \"test_to\": \"%s\"", date_text(m->test_to, d1, sizeof d1));
        }
        if (m->n_train) {
            put(o, ", \"train_from\": \"%s\"", date_text(m->train_from, d1, sizeof d1));
            put(o, ", \"train_to\": \"%s\"", date_text(m->train_to, d1, sizeof d1));
        }
        put(o, ", \"train_samples\": %zu, \"test_samples\": %zu", m->n_train, m->n_test);
        if (m->fitted) {
            put(o, ", \"model_mse\": %.8g, \"rules_mse\": %.8g", m->model_mse, m->rules_mse);
            put(o, ",\n            \"intercept\": %.8g, \"coefficients\": {", m->intercept);
            for (int f = 0; f < RD_TF_COUNT; f++)
                put(o, "%s\"%s\": %.8g", f ? ", " : "",
                    rd_trader_feature_name((enum rd_trader_feature)f), m->coef[f]);
            put(o, "}");
        }
        put(o, "},\n");
    }
    rd_ppm_format(r->cfg.max_cut_ppm, s1, sizeof s1);
    put(o, "  \"combine\": \"%s\",\n  \"max_cut\": %s,\n  \"min_history_days\": %d,\n",
        r->cfg.combine == RD_CUT_SUM ? "sum" : "max", s1, r->cfg.min_history_days);
    put(o, "  \"summary\": {\"traders\": %zu, \"restricted\": %zu, \"limited_history\": %zu, "
           "\"no_data\": %zu, \"legacy_left_out\": %zu},\n",
        r->active, r->restricted, r->limited, r->no_data, r->legacy);
    if (r->has_latest)
        put(o, "  \"latest_data\": \"%s\",\n  \"latest_data_trading_days_old\": %d,\n",
            date_text(r->latest_day, d1, sizeof d1), r->latest_stale);
    put(o, "  \"warnings\": [");
    {
        size_t before = o->b->len;

        warnings(r, o, json_warning);
        put(o, "%s],\n", o->b->len == before ? "" : "\n  ");
    }
    put(o, "  \"traders\": [");
    for (size_t i = 0; i < r->nrows; i++) {
        const struct rd_traders_report_row *row = &r->rows[i];
        const struct rd_trader_assessment *a = &row->a;

        put(o, "%s\n    {\"trader_id\": ", i ? "," : "");
        json_str(o, row->name);
        put(o, ", \"status\": \"%s\", \"group\": \"%s\"", status_name(row->status),
            group_name(row->status));
        if (!a->has_data) {
            put(o, "}");
            continue;
        }
        put(o, ", \"date\": \"%s\", \"history_days\": %d, \"stale_trading_days\": %d",
            date_text(a->day, d1, sizeof d1), a->history_days, row->stale_days);
        put(o, ",\n     \"day_net\": %s, \"window_days\": %d, \"window_net\": %s",
            money(a->day_net, s1, sizeof s1), a->window_days, money(a->window_net, s2, sizeof s2));
        rd_ppm_format(a->cut_ppm, d1, sizeof d1);
        put(o, ",\n     \"cut\": %s, \"level\": \"%s\", \"old_limit\": %s", d1,
            a->limited ? "none" : rd_trader_level_name(a->level), money(a->old_limit, s1, sizeof s1));
        put(o, ", \"new_limit\": %s", money(a->new_limit, s2, sizeof s2));
        put(o, ",\n     \"loss_streak\": %d, \"streak_loss\": %s", a->loss_streak,
            money(a->streak_loss, s1, sizeof s1));
        put(o, ", \"peak\": %s", money(a->peak, s1, sizeof s1));
        put(o, ", \"drawdown\": %s", money(a->drawdown, s2, sizeof s2));
        put(o, ",\n     \"std_recent\": %.2f, \"std_base\": %.2f", a->std_recent, a->std_base);
        if (a->have_percentile)
            put(o, ", \"loss_percentile\": %s", money(a->percentile, s1, sizeof s1));
        put(o, ",\n     \"fired\": [");
        for (int k = 0, first = 1; k < RD_RULE_COUNT; k++) {
            if (!a->fired[k])
                continue;
            put(o, "%s\"%s\"", first ? "" : ", ", rule_keys[k]);
            first = 0;
        }
        put(o, "], \"reasons\": [");
        for (int k = 0; k < a->nreasons; k++) {
            put(o, "%s", k ? ", " : "");
            json_str(o, a->reason[k]);
        }
        if (row->has_features) {
            rd_ppm_format(row->rules_cut_ppm, d1, sizeof d1);
            put(o, "],\n     \"rules_cut\": %s", d1);
            if (row->has_output)
                put(o, ", \"model_output\": %.6f", row->output);
            put(o, ", \"features\": {");
            for (int f = 0; f < RD_TF_COUNT; f++)
                put(o, "%s\"%s\": %.6g", f ? ", " : "",
                    rd_trader_feature_name((enum rd_trader_feature)f), row->x[f]);
            put(o, "}");
            if (row->model_reason[0]) {
                put(o, ", \"model_reason\": ");
                json_str(o, row->model_reason);
            }
            put(o, ",\n     \"daily_net\": [");
        } else {
            put(o, "],\n     \"daily_net\": [");
        }
        for (size_t k = 0; k < row->nwindow; k++)
            put(o, "%s%s", k ? ", " : "", money(row->window[k].net, s1, sizeof s1));
        put(o, "]}");
    }
    put(o, "%s]", r->nrows ? "\n  " : "");
    if (r->nheads) {
        put(o, ",\n  \"audit_heads\": [");
        for (size_t i = 0; i < r->nheads; i++) {
            put(o, "%s{\"chain\": ", i ? ",\n    " : "\n    ");
            json_str(o, r->heads[i].chain);
            put(o, ", \"seq\": %lld, \"hash\": \"%s\"}", (long long)r->heads[i].seq,
                r->heads[i].hash);
        }
        put(o, "\n  ]");
    }
    put(o, "\n}\n");
}

int rd_traders_report_render(const struct rd_traders_report *r, enum rd_report_format format,
                             struct rd_buf *out, struct rd_error *err)
{
    struct out o = {out, RD_OK};

    switch (format) {
    case RD_REPORT_TEXT: render_text(r, &o); break;
    case RD_REPORT_HTML: render_html(r, &o); break;
    case RD_REPORT_JSON: render_json(r, &o); break;
    default: return rd_error_set(err, RD_EINVAL, "unknown report format %d", (int)format);
    }
    if (o.rc != RD_OK)
        return rd_error_set(err, o.rc, "rendering the report: %s", rd_strerror(o.rc));
    return RD_OK;
}
