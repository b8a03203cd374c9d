/*
 * traders_report.h - the traders' risk report: every active trader assessed by
 * the rules (trader_rules.h) on a report date, rendered as text, HTML (for
 * mail: inline styles, a table and an inline-SVG P&L sparkline per trader) or
 * JSON.
 *
 * Ownership: struct rd_traders_report is caller-owned (build, then release); its
 * rows point into the struct rd_fills and struct rd_pnl it was built from, which
 * must outlive it. Rendering appends to a caller-owned struct rd_buf.
 *
 * The rules set the cuts; rd_traders_report_model then evaluates the pooled
 * model (trader_model.h) and, when it qualifies, lets it set them instead.
 * Either way the report says which system was used and why.
 */
#ifndef RISKDESK_TRADERS_REPORT_H
#define RISKDESK_TRADERS_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/audit_chain.h"
#include "riskdesk/buf.h"
#include "riskdesk/error.h"
#include "riskdesk/fills.h"
#include "riskdesk/pnl.h"
#include "riskdesk/trader_model.h"
#include "riskdesk/trader_rules.h"

enum rd_report_format { RD_REPORT_TEXT, RD_REPORT_HTML, RD_REPORT_JSON };

enum rd_report_status {
    RD_STATUS_HIGH,         /* action: cut at or above high */
    RD_STATUS_MODERATE,     /* action: cut at or above moderate */
    RD_STATUS_LOW,          /* below moderate (a cut may still apply) */
    RD_STATUS_LIMITED,      /* limited history: not assessed */
    RD_STATUS_NO_DATA,      /* no data on or before the report date */
};

struct rd_traders_report_row {
    uint32_t trader;
    const char *name;                   /* the fills' copy */
    enum rd_report_status status;
    const struct rd_pnl_day *window;    /* the trader's days in the window, ascending */
    size_t nwindow;
    int stale_days;                     /* NYSE trading days after the day judged, to the report date */
    struct rd_trader_assessment a;      /* the cut, level and new limit of the system used */
    /* the model (rd_traders_report_model), for assessed rows */
    int has_features;
    double x[RD_TF_COUNT];              /* the features of the day judged */
    int64_t rules_cut_ppm;              /* what the rules said */
    int has_output;
    double output;                      /* the model's predicted cut, a fraction */
    char model_reason[RD_TRADER_REASON_MAX];    /* "" unless the model set the cut */
};

#define RD_REPORT_NOTES_MAX 16

/* An audit chain's head as the report was built (docs/audit.md). */
struct rd_traders_report_head {
    char chain[RD_AUDIT_CHAIN_MAX];
    int64_t seq;
    char hash[RD_SHA256_HEX];
};

struct rd_traders_report {
    int32_t report_day;
    struct rd_trader_rules_config cfg;
    struct rd_traders_report_row *rows; /* by status, then cut (largest first), then name */
    size_t nrows;
    size_t active;                      /* rows with data on or before the report date */
    size_t restricted;                  /* rows with a cut above 0 */
    size_t limited, no_data, legacy;    /* legacy: _OLD traders left out */
    int has_latest;
    int32_t latest_day;                 /* newest day of any active trader, up to the report date */
    int latest_stale;                   /* NYSE trading days from it to the report date */
    /* the system */
    int model_run;                      /* rd_traders_report_model was called */
    struct rd_trader_model model;       /* model.use: the model set the cuts */
    struct rd_trader_model_config model_cfg;
    /* the last stored report before this one's date, for a warning when the
     * number of active traders changed (set by the caller) */
    int has_prev;
    int32_t prev_day;
    int64_t prev_active;
    /* more warnings from the caller (bad rows in imports...) */
    int nnotes;
    char notes[RD_REPORT_NOTES_MAX][256];
    /* the audit chains' heads, to keep outside the database (set by the
     * caller; owned, freed by rd_traders_report_release) */
    struct rd_traders_report_head *heads;
    size_t nheads;
};

/* Assesses every non-legacy trader of fs that has days in pnl. */
int rd_traders_report_build(const struct rd_fills *fs, const struct rd_pnl *pnl,
                            const struct rd_trader_rules_config *cfg, int32_t report_day,
                            struct rd_traders_report *out, struct rd_error *err);
void rd_traders_report_release(struct rd_traders_report *r);

/*
 * Evaluates the pooled model on the same data (features, split, fit, score)
 * and, when it qualifies, lets it set the cut, level and new limit of every
 * assessed trader (the rules' reasons stay, as context). Records the model,
 * each row's features and outputs. RD_OK, RD_ECONFIG, RD_ENOMEM.
 */
int rd_traders_report_model(struct rd_traders_report *r, const struct rd_fills *fs,
                            const struct rd_pnl *pnl, const struct rd_trader_model_config *mc,
                            struct rd_error *err);

/* Adds a warning line (cut to 255 bytes; past RD_REPORT_NOTES_MAX the last one
 * says how many more). */
void rd_traders_report_note(struct rd_traders_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends an audit chain's head, rendered at the report's end so the morning
 * e-mail keeps them outside the database. RD_OK or RD_ENOMEM. */
int rd_traders_report_add_head(struct rd_traders_report *r, const char *chain, int64_t seq,
                               const char *hash, struct rd_error *err);

/* "model" or "rules": the system that set the cuts. */
const char *rd_traders_report_system(const struct rd_traders_report *r);
/* Rows with status high. */
size_t rd_traders_report_high(const struct rd_traders_report *r);

int rd_traders_report_render(const struct rd_traders_report *r, enum rd_report_format format,
                             struct rd_buf *out, struct rd_error *err);

/* "text", "html" or "json". */
int rd_report_format_parse(const char *s, enum rd_report_format *out, struct rd_error *err);

#endif
