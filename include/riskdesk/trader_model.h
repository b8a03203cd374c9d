/*
 * trader_model.h - the pooled model of traders' risk: features known at a
 * day's close, a temporal train/test split, a ridge regression fitted in
 * closed form across all traders, and its score against the rules'
 * (docs/traders.md, "Model").
 *
 * Ownership: struct rd_trader_features is caller-owned (compute, then
 * release) and owns its arrays; struct rd_trader_model is a plain value.
 * Pure: no I/O, no globals; memory through rd_malloc.
 *
 * What is predicted: for a trader's day t, the cut the rules would set at the
 * close of the trader's next trading day - the cut they would have wanted for
 * that day with hindsight. The rules' own forecast of it is today's cut (a
 * limit cut today holds tomorrow); the model's is a ridge regression on the
 * features below. Both are scored by mean squared error (cut as a fraction)
 * on the test period.
 *
 * No leakage: every feature of day t is computed from days up to t only (a
 * trader's own history and the market's days up to t); one cutoff date for
 * all traders splits the samples by their target day: the last test_days
 * trading days of the market are the test period, training samples have
 * their target on or before the cutoff. Standardisation uses training samples
 * only. Days after the report date are never looked at.
 */
#ifndef RISKDESK_TRADER_MODEL_H
#define RISKDESK_TRADER_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/error.h"
#include "riskdesk/fills.h"
#include "riskdesk/pnl.h"
#include "riskdesk/trader_rules.h"

/* Features of a trader-day; money features are divided by the trader's usual
 * size (mean |net| over the last scale_days days up to that day, at least $1). */
enum rd_trader_feature {
    RD_TF_LAST,         /* the day's net P&L / usual size */
    RD_TF_STREAK,       /* loss streak ending that day, in days */
    RD_TF_DRAWDOWN,     /* drawdown over the rules' window / usual size */
    RD_TF_MEAN5,        /* mean net over the last 5 days / usual size */
    RD_TF_MEAN20,       /* mean net over the last 20 days / usual size */
    RD_TF_VOL5,         /* sample std over the last 5 days / usual size (0 below 2 days) */
    RD_TF_VOL20,        /* sample std over the last 20 days / usual size */
    RD_TF_MKT_DAY,      /* market: mean of RD_TF_LAST over all active traders that day */
    RD_TF_MKT5,         /* market: mean of RD_TF_MKT_DAY over the last 5 market days */
    RD_TF_COUNT
};

struct rd_trader_model_config {
    int enabled;                /* 1; 0 = the rules always */
    int test_days;              /* 30: the market's last trading days held out */
    int min_train_samples;      /* 200: fewer and the rules are used */
    int64_t min_gain_ppm;       /* 100000: the model's test MSE must be >= 10% below the rules' */
    double ridge_lambda;        /* 1.0: L2 penalty on the standardised coefficients */
    int scale_days;             /* 60: days behind a trader's usual size */
    int64_t cut_step_ppm;       /* 50000: the model's cut is rounded to 5% steps */
};

void rd_trader_model_config_init(struct rd_trader_model_config *mc);
/* RD_OK, or RD_ECONFIG naming the first setting out of range. */
int rd_trader_model_config_check(const struct rd_trader_model_config *mc, struct rd_error *err);

/* Per trader-day arrays, aligned with the struct rd_pnl they came from. */
struct rd_trader_features {
    size_t ndays;               /* = pnl->ndays */
    int32_t *day;               /* pnl->days[i].day */
    double *x;                  /* x[i * RD_TF_COUNT + f] for pnl->days[i] */
    int64_t *rules_cut;         /* the rules' cut on that day (0 while history is limited) */
    int64_t *next;              /* index of the trader's next day (<= report day), or -1 */
    uint8_t *use;               /* 1: an active trader's day, on or before the report
                                   day, with at least min_history_days of history */
    int32_t *market_days;       /* days with data of any active trader, ascending */
    size_t nmarket;
    int32_t report_day;
};

void rd_trader_features_init(struct rd_trader_features *f);
void rd_trader_features_release(struct rd_trader_features *f);

/*
 * Computes every feature, the rules' cut series and the market days from
 * pnl (built from fs; legacy traders are left out, days after report_day
 * ignored). Returns RD_OK, RD_ECONFIG or RD_ENOMEM; *out is released first.
 */
int rd_trader_features_compute(const struct rd_trader_rules_config *rc,
                               const struct rd_trader_model_config *mc, const struct rd_fills *fs,
                               const struct rd_pnl *pnl, int32_t report_day,
                               struct rd_trader_features *out, struct rd_error *err);

struct rd_trader_model {
    int fitted;                     /* coefficients exist (>= 2 training samples) */
    int use;                        /* the model sets the cuts */
    char why[256];                  /* which system and why, for the report */
    int32_t cutoff;                 /* last day of the training period */
    int32_t train_from, train_to;   /* target days of the training samples */
    int32_t test_from, test_to;     /* the test period (test_days market days) */
    size_t n_train, n_test;
    double model_mse, rules_mse;    /* on the test samples; cut as a fraction */
    double intercept;
    double mean[RD_TF_COUNT], sd[RD_TF_COUNT];  /* standardisation, training samples */
    double coef[RD_TF_COUNT];       /* on standardised features */
};

/*
 * Splits, fits and scores; decides whether the model is used (fitted, at
 * least min_train_samples training samples, a test sample, and a test MSE at
 * least min_gain below the rules' MSE, which must be above 0). Fills *m, with
 * the reason in m->why. RD_OK, RD_ECONFIG or RD_ENOMEM.
 */
int rd_trader_model_fit(const struct rd_trader_model_config *mc,
                        const struct rd_trader_features *f, struct rd_trader_model *m,
                        struct rd_error *err);

/* The predicted cut (a fraction, not clamped) for a feature row x. */
double rd_trader_model_predict(const struct rd_trader_model *m, const double *x);

/* A prediction as a cut: clamped to [0, rc->max_cut_ppm], rounded to the
 * nearest cut_step_ppm. */
int64_t rd_trader_model_cut(const struct rd_trader_model_config *mc,
                            const struct rd_trader_rules_config *rc, double pred);

/* "last_pnl", "loss_streak", "drawdown", "mean_5d", "mean_20d", "vol_5d",
 * "vol_20d", "market_day", "market_5d". */
const char *rd_trader_feature_name(enum rd_trader_feature f);

#endif
