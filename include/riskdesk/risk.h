/*
 * risk.h - one account's own risk configuration: its limits, what it may trade,
 * its exits and its Kelly settings. Plain values; each account holds its own copy.
 * Money in rd_money, fractions in ppm (see money.h).
 */
#ifndef RISKDESK_RISK_H
#define RISKDESK_RISK_H

#include <stdint.h>

#include "riskdesk/money.h"
#include "riskdesk/tier.h"

enum rd_action { RD_ACT_BUY_CALL, RD_ACT_BUY_PUT, RD_ACT_BUY_STOCK, RD_ACT_SELL_STOCK, RD_ACT_COUNT };
#define RD_ACT_BIT(a) (1u << (unsigned)(a))

enum rd_strategy { RD_STRAT_DAY, RD_STRAT_SWING, RD_STRAT_COUNT };

/* What sizing does when the Kelly fraction f* comes out as 0 (no edge). */
enum rd_kelly_on_zero {
    RD_KELLY_ZERO_REJECT,        /* no trade: the gate "sizing" fails with reason kelly_no_edge (default) */
    RD_KELLY_ZERO_TIER,          /* ignore Kelly and size by the tier's risk % */
};

struct rd_kelly_config {
    int enabled;                 /* default 1 */
    int32_t min_trades;          /* closed trades in the lookback before Kelly applies; default 20 */
    int32_t lookback_days;       /* default 30 */
    int64_t fraction;            /* ppm of f*; default 500000 (half Kelly) */
    int64_t cap;                 /* ppm cap on f*; default 250000 */
    enum rd_kelly_on_zero on_zero;
};

struct rd_pdt_config {
    int enabled;                 /* default 1 */
    rd_money threshold;          /* guard applies below this equity; default $25,000 */
    int32_t max_day_trades;      /* default 3 */
    int32_t window_days;         /* trading days; default 5 */
};

struct rd_exit_config {
    int64_t stop_loss_pct;       /* ppm loss on entry price that closes; 0 = off; default 500000 */
    int64_t take_profit_pct;     /* ppm gain; 0 = off; default 1000000 */
    int32_t max_hold_days;       /* swing positions, calendar days; 0 = off; default 5 */
    int32_t day_close_minute;    /* ET minute by which day positions close; default 955 (15:55) */
};

/*
 * What applies to a person's own trade (a recommendation of origin "person":
 * POST /api/v1/trade, Slack's /trade) instead of the signal's rules. gates is a
 * set of RD_GATE_BIT(enum rd_gate) (gates.h): a gate outside it is recorded as
 * passed with reason person_trade. Default: every gate but confidence and
 * volume_ratio (a signal's numbers, not a person's). trading_state (the kill
 * switch) and sizing always apply. allowed_actions replaces the account's for
 * such a trade; default all four actions.
 */
struct rd_person_trades_config {
    uint32_t gates;
    uint32_t allowed_actions;                /* RD_ACT_BIT set */
};

struct rd_risk_config {
    rd_money max_notional_exposure;
    int32_t max_open_positions;
    int32_t max_contracts_per_trade;
    rd_money max_daily_loss;
    int64_t max_risk_per_trade_pct;          /* ppm of buying power */
    int32_t ticker_cooldown_minutes;
    int64_t confidence_min_options_swing;    /* ppm */
    int64_t confidence_min_options_daytrade; /* ppm */
    uint32_t allowed_actions;                /* RD_ACT_BIT set */
    int paper_ignore_buying_power;
    int32_t max_entries_per_ticker_per_day;  /* default 2 */
    int32_t stale_after_seconds;             /* default 300 */
    int64_t vix_halt;                        /* ppm; default 40 */
    int32_t max_orders_per_minute;           /* default 30 */
    struct rd_pdt_config pdt;
    struct rd_exit_config exits;
    struct rd_kelly_config kelly;
    struct rd_person_trades_config person_trades;
};

/*
 * The shipped risk config of each tier (docs/config.md lists them):
 *   tiny   $1,500 exposure, 2 positions, 2 contracts, $100 daily loss, 15% per trade
 *   small  $3,000, 3, 3, $200, 12%
 *   medium $6,000, 4, 5, $300, 6%
 *   large  $10,000, 5, 10, $500, 2%
 * all with a 15 minute cooldown, confidence minimums 0.40 swing / 0.60 day,
 * actions BUY_CALL and BUY_PUT; a person's own trade: every gate but confidence
 * and volume_ratio, every action.
 */
void rd_risk_defaults(enum rd_tier tier, struct rd_risk_config *out);
/* Checks ranges; the message names the field, the value and what is allowed. */
int rd_risk_validate(const struct rd_risk_config *r, struct rd_error *err);

const char *rd_action_name(enum rd_action a);       /* "BUY_CALL"... */
int rd_action_parse(const char *s, enum rd_action *out);
const char *rd_strategy_name(enum rd_strategy s);   /* "day" | "swing" */
int rd_strategy_parse(const char *s, enum rd_strategy *out);
/* 1 for BUY_CALL/BUY_PUT/BUY_STOCK (opens a position), 0 for SELL_STOCK. */
int rd_action_is_entry(enum rd_action a);
int rd_action_is_option(enum rd_action a);

#endif
