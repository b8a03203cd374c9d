/*
 * trade_int.h - a user's trade through their account's gates (routes_trade.c),
 * shared with the Slack commands. The caller owns the struct.
 */
#ifndef RISKDESK_API_TRADE_INT_H
#define RISKDESK_API_TRADE_INT_H

#include "api/api_int.h"
#include "riskdesk/gates.h"
#include "riskdesk/rec.h"
#include "riskdesk/risk.h"

struct api_trade {
    /* in */
    char user[64];
    char symbol[RD_SYMBOL_MAX];
    enum rd_action action;
    enum rd_strategy strategy;
    int64_t qty;                 /* 0: what the gates allow */
    rd_money price;              /* the limit; 0: the broker's quote */
    int64_t volume_ratio;        /* ppm; 0: 1.0 */
    int64_t at;                  /* the clock (Unix s); 0: now */
    int dry_run;                 /* evaluate only: store nothing */
    char account_pick[64];       /* an admin's choice of account ("" = the user's own);
                                    the caller checks the right to pick */
    /* out */
    char account[64];
    int assigned_now;            /* assigned on this, their first trade */
    char assigned_by[16];        /* then by this strategy (the config's assignment.auto) */
    struct rd_decision dec;
    int64_t size;                /* approved size, capped at qty */
    char first_failed[32];
    rd_money cash_before, cash_after, bp_before, bp_after;
    int queued;                  /* approved and stored for the account's dispatcher */
    char rec_id[RD_REC_ID_MAX];  /* the stored recommendation, when queued */
    int decided;                 /* the in-process dispatcher decided it: dec is its decision */
    struct api_watch watch;      /* that decision, and its order when one was placed */
};

/*
 * Evaluates t for t->user through their account's gates (rolled back). Unless
 * t->dry_run, an approved trade is then stored as a recommendation for that
 * account only (t->queued, t->rec_id). When the account's dispatcher runs in
 * this server it is woken and its decision awaited (t->decided, t->dec,
 * t->watch.order); otherwise it decides and places it on its next cycle.
 * 0, or the status with the error written.
 */
int api_trade_run(struct api_req *r, struct api_trade *t);
/* "BUY_CALL"... or the short "call", "put", "buy", "sell", any case. */
int api_trade_parse_action(const char *s, enum rd_action *out);

#endif
