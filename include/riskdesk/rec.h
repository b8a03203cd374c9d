/*
 * rec.h - a recommendation from the signal engine, and OCC option symbols.
 * Plain fixed-size structs; nothing here allocates.
 */
#ifndef RISKDESK_REC_H
#define RISKDESK_REC_H

#include <stdint.h>

#include "riskdesk/money.h"
#include "riskdesk/risk.h"

#define RD_REC_ID_MAX 64
#define RD_SYMBOL_MAX 32
#define RD_UNDERLYING_MAX 16
#define RD_REC_ACCOUNT_MAX 64
/* 9999-12-31T23:59:59Z: the last time a recommendation may carry. */
#define RD_REC_TIME_MAX 253402300799LL

/* Who made a recommendation: the signal engine, or a person trading through
 * their account (POST /api/v1/trade, Slack's /trade), whose trade is judged
 * by the account's risk person_trades (risk.h). */
enum rd_rec_origin { RD_ORIGIN_SIGNAL, RD_ORIGIN_PERSON, RD_ORIGIN_COUNT };

struct rd_rec {
    char id[RD_REC_ID_MAX];              /* [A-Za-z0-9_.:-], 1-63 chars */
    int64_t created_at;                  /* Unix seconds */
    char underlying[RD_UNDERLYING_MAX];  /* "AAPL" */
    char symbol[RD_SYMBOL_MAX];          /* OCC option symbol or stock ticker */
    enum rd_action action;
    enum rd_strategy strategy;
    int64_t confidence;                  /* ppm, 0..1000000 */
    int64_t volume_ratio;                /* ppm */
    rd_money price;                      /* premium per share (options) or stock price; > 0 */
    rd_money stop_price;                 /* 0 = none */
    int64_t expires_at;                  /* Unix seconds; 0 = none */
    int has_vix;
    int64_t vix;                         /* ppm, when has_vix */
    char account[RD_REC_ACCOUNT_MAX];    /* the one account it is for; "" = every account */
    int64_t qty;                         /* caps the size the gates allow; 0 = no cap */
    enum rd_rec_origin origin;           /* default (0) signal */
};

const char *rd_rec_origin_name(enum rd_rec_origin o);   /* "signal" | "person" */
int rd_rec_origin_parse(const char *s, enum rd_rec_origin *out);

/* An OCC option symbol: root (1-6), YYMMDD, C|P, strike x 1000 in 8 digits. */
struct rd_occ {
    char root[8];
    int32_t expiry;       /* day number (calendar.h) */
    int is_call;
    rd_money strike;
};
/* RD_OK and fills out when sym is a well-formed OCC symbol; RD_EINVAL otherwise. */
int rd_occ_parse(const char *sym, struct rd_occ *out);

/* Contract multiplier of a recommendation's instrument: 100 for options, 1 for stock. */
int64_t rd_rec_multiplier(const struct rd_rec *r);

/*
 * Checks a recommendation's own consistency (not the account's gates): id and
 * symbol present and well formed; option actions carry an OCC symbol whose root
 * is the underlying, stock actions a plain ticker; confidence within 0..1;
 * price > 0; a stop below the price for a stock buy; account empty or an
 * account name ([A-Za-z0-9_.-], 1-63 chars); qty 0 to 1000000. The message
 * names the field.
 */
int rd_rec_validate(const struct rd_rec *r, struct rd_error *err);

#endif
