/*
 * gates.h - the risk gates and sizing: one recommendation, one account, one
 * decision. Pure: the caller gathers what the store and broker say about the
 * account into a struct rd_account_view, and gets every gate's verdict back in
 * a caller-owned struct rd_decision. Nothing allocates; nothing fails open.
 */
#ifndef RISKDESK_GATES_H
#define RISKDESK_GATES_H

#include <stdint.h>

#include "riskdesk/calendar.h"
#include "riskdesk/money.h"
#include "riskdesk/rec.h"
#include "riskdesk/risk.h"
#include "riskdesk/tier.h"

/* The gates, in evaluation order. All are evaluated; each is recorded. */
#define RD_GATE_LIST(X)                 \
    X(TRADING_STATE, "trading_state")   \
    X(DAILY_LOSS, "daily_loss")         \
    X(MARKET_REGIME, "market_regime")   \
    X(TRADING_HOURS, "trading_hours")   \
    X(FRESHNESS, "freshness")           \
    X(ALLOWED_ACTION, "allowed_action") \
    X(SELL_POSITION, "sell_position")   \
    X(CONFIDENCE, "confidence")         \
    X(VOLUME_RATIO, "volume_ratio")     \
    X(DUPLICATE_POSITION, "duplicate_position") \
    X(TICKER_ENTRIES, "ticker_entries") \
    X(TICKER_COOLDOWN, "ticker_cooldown") \
    X(OPEN_POSITIONS, "open_positions") \
    X(SIZING, "sizing")                 \
    X(CONTRACTS_CAP, "contracts_cap")   \
    X(NOTIONAL_EXPOSURE, "notional_exposure") \
    X(BUYING_POWER, "buying_power")     \
    X(PATTERN_DAY_TRADER, "pattern_day_trader") \
    X(ORDER_RATE, "order_rate")         \
    X(FIRM_EXPOSURE, "firm_exposure")

enum rd_gate {
#define RD_GATE_ENUM(id, name) RD_GATE_##id,
    RD_GATE_LIST(RD_GATE_ENUM)
#undef RD_GATE_ENUM
    RD_GATE_COUNT
};
#define RD_GATE_BIT(g) (1u << (unsigned)(g))
#define RD_GATE_ALL ((1u << RD_GATE_COUNT) - 1u)
_Static_assert(RD_GATE_COUNT <= 32, "a gate set is 32 bits");
/* The gates that guard a signal, not a person: left out of a person's trade
 * by default (risk.h, struct rd_person_trades_config). */
#define RD_GATES_SIGNAL_ONLY (RD_GATE_BIT(RD_GATE_CONFIDENCE) | RD_GATE_BIT(RD_GATE_VOLUME_RATIO))
/* The gates a person's trade can never leave out: the kill switch and the size. */
#define RD_GATES_ALWAYS (RD_GATE_BIT(RD_GATE_TRADING_STATE) | RD_GATE_BIT(RD_GATE_SIZING))

/* Why a gate passed or failed; a stable code scripts can match on. */
#define RD_REASON_LIST(X)                                                        \
    X(OK, "ok")                                                                  \
    X(EXIT_ALLOWED, "exit_allowed")                /* a sell passes entry-only gates */ \
    X(NOT_APPLICABLE, "not_applicable")                                          \
    X(STATE_REDUCING, "state_reducing")                                          \
    X(STATE_HALTED, "state_halted")                                              \
    X(DAILY_LOSS_LIMIT, "daily_loss_limit")                                      \
    X(NO_EQUITY_DATA, "no_equity_data")                                          \
    X(VIX_HALT, "vix_halt")                                                      \
    X(NO_FEED_CONFIGURED, "no_feed_configured")                                  \
    X(FEED_ERROR, "feed_error")                                                  \
    X(FEED_STALE, "feed_stale")                    /* its level is too old */ \
    X(MARKET_CLOSED, "market_closed")                                            \
    X(OPENING_MINUTES, "opening_minutes")                                        \
    X(PAST_ENTRY_CUTOFF, "past_entry_cutoff")                                    \
    X(STALE, "stale")                                                            \
    X(FROM_FUTURE, "from_future")                                                \
    X(EXPIRED, "expired")                                                        \
    X(ACTION_NOT_ALLOWED, "action_not_allowed")                                  \
    X(NO_POSITION, "no_position")                                                \
    X(LOW_CONFIDENCE, "low_confidence")                                          \
    X(LOW_VOLUME_RATIO, "low_volume_ratio")                                      \
    X(ALREADY_HOLDING, "already_holding")                                        \
    X(TOO_MANY_ENTRIES, "too_many_entries")                                      \
    X(COOLDOWN, "cooldown")                                                      \
    X(TOO_MANY_POSITIONS, "too_many_positions")                                  \
    X(BUDGET_TOO_SMALL, "budget_too_small")                                      \
    X(KELLY_NO_EDGE, "kelly_no_edge")                                            \
    X(INVALID_PRICE, "invalid_price")                                            \
    X(REDUCED, "reduced")                                                        \
    X(EXPOSURE_LIMIT, "exposure_limit")                                          \
    X(INSUFFICIENT_BUYING_POWER, "insufficient_buying_power")                    \
    X(PAPER_IGNORED, "paper_ignored")                                            \
    X(PDT_LIMIT, "pdt_limit")                                                    \
    X(ABOVE_PDT_THRESHOLD, "above_pdt_threshold")                                \
    X(RATE_LIMIT, "rate_limit")                                                  \
    X(FIRM_CAP_OFF, "firm_cap_off")                                              \
    X(FIRM_EXPOSURE_LIMIT, "firm_exposure_limit")                                \
    X(DISABLED, "disabled")                                                      \
    X(PERSON_TRADE, "person_trade")    /* the gate does not apply to a person's own trade */ \
    X(POSITION_NOTIONAL, "position_notional")  /* a node's per-position cap (hierarchy.h) */

enum rd_reason {
#define RD_REASON_ENUM(id, name) RD_REASON_##id,
    RD_REASON_LIST(RD_REASON_ENUM)
#undef RD_REASON_ENUM
    RD_REASON_COUNT
};

/* What the observed and threshold numbers of a verdict are, for formatting. */
enum rd_value_kind {
    RD_VAL_NONE,      /* nothing to show */
    RD_VAL_MONEY,     /* rd_money */
    RD_VAL_PPM,       /* fraction or level in ppm */
    RD_VAL_COUNT,     /* plain integer */
    RD_VAL_SECONDS,   /* duration in seconds */
    RD_VAL_MINUTE,    /* ET minute of day, shown HH:MM */
    RD_VAL_STATE,     /* enum rd_trading_state */
    RD_VAL_PPM_UNOBSERVED,  /* a ppm threshold, and nothing observed (no data to decide on) */
    RD_VAL_SESSION,   /* observed an ET minute of day (HH:MM); threshold the day's session,
                         open x 1440 + close ("09:30-16:00"), RD_SESSION_NONE on a day
                         without one ("no session") */
};
#define RD_SESSION_NONE (-1)

struct rd_gate_verdict {
    uint8_t gate;          /* enum rd_gate */
    uint8_t passed;
    uint8_t reason;        /* enum rd_reason */
    uint8_t kind;          /* enum rd_value_kind of observed and threshold */
    int64_t observed;
    int64_t threshold;
};

enum rd_trading_state { RD_STATE_ACTIVE, RD_STATE_REDUCING, RD_STATE_HALTED, RD_STATE_COUNT };

/* What the store and the broker say about one account right now. Every field
 * is this account's alone. *_known = 0 means the data could not be had: the
 * gate that needs it fails closed. */
struct rd_account_view {
    enum rd_trading_state state;
    int equity_known;
    rd_money buying_power, equity, last_equity;
    rd_money exposure;                /* open notional, this account */
    int32_t open_positions;
    int64_t position_qty;             /* in the recommendation's symbol */
    int32_t entries_today;            /* entries in the recommendation's underlying today (ET) */
    int64_t last_entry_at;            /* last entry in that underlying, Unix s; 0 = never */
    int32_t day_trades;               /* same-day round trips in the PDT window, any strategy */
    int32_t open_today;               /* positions opened today and still held */
    int32_t orders_last_minute;
    /* closed trades in the Kelly lookback */
    int32_t closed_trades, winning_trades;
    rd_money gross_wins, gross_losses;   /* sums of winning P&L and of |losing P&L| */
    rd_money firm_exposure;           /* all accounts; only read when a firm cap is set */
};

enum rd_feed_state { RD_FEED_NONE, RD_FEED_OK, RD_FEED_ERROR };

struct rd_market_view {
    enum rd_feed_state feed;          /* the configured VIX feed, if any */
    int64_t vix;                      /* ppm, when feed == RD_FEED_OK */
    int64_t vix_at;                   /* when that level was written (Unix s), when feed == RD_FEED_OK */
    int64_t vix_max_age;              /* seconds a level stays usable; 0 = no age check */
};

/* How old m's level is at now, in seconds (0 for a level written after now:
 * a clock pinned to an earlier time), into *age; 1 when that is past
 * m->vix_max_age (a stale level: the regime gate fails closed), else 0. */
int rd_market_feed_stale(const struct rd_market_view *m, int64_t now, int64_t *age);

/* The clock of one evaluation: now, and the NYSE session it falls in.
 * Filled once per cycle by rd_gate_clock_init. */
struct rd_gate_clock {
    int64_t now;
    struct rd_local_time local;
    struct rd_session session;
};
void rd_gate_clock_init(struct rd_gate_clock *c, int64_t now);

/* What an account that is a hierarchy node adds to its gates, from its
 * type (hierarchy.h, rd_node_limits_layer). */
struct rd_node_limits {
    rd_money position_cap;      /* notional one entry may reach: per position x capital; an
                                 * entry is cut to fit in the contracts_cap gate, refused
                                 * (position_notional) when not one unit fits */
    int64_t risk_ppm;           /* scales the sizing risk % after the tier and Kelly; the
                                 * result is capped at 100% */
    int own_risk_pct;           /* the account's own max_risk_per_trade_pct caps the scaled
                                 * risk % too (its own keys come last) */
};

struct rd_gate_ctx {
    const struct rd_tier_params *tier;    /* the account's current tier */
    const struct rd_risk_config *risk;    /* the account's own limits */
    rd_money firm_max_gross_exposure;     /* 0 = off */
    int paper;                            /* paper account (paper_ignore_buying_power applies) */
    const struct rd_node_limits *node;    /* NULL: the account is no hierarchy node */
};

struct rd_decision {
    int approved;
    int64_t size;                 /* units (contracts or shares); 0 when rejected */
    enum rd_gate first_failed;    /* RD_GATE_COUNT when approved */
    int64_t risk_pct;             /* ppm of buying power used for the budget */
    int kelly_used;
    rd_money budget;              /* risk budget */
    rd_money unit_risk;           /* risk per unit */
    rd_money unit_cost;           /* cash per unit (price x multiplier) */
    uint32_t waived;              /* RD_GATE_BIT set that did not apply: a person's
                                     trade outside risk person_trades.gates */
    int nverdicts;
    struct rd_gate_verdict verdicts[RD_GATE_COUNT];
};

/* Evaluates every gate and sizes the trade. Always fills *out completely. */
void rd_decide(const struct rd_gate_ctx *ctx, const struct rd_gate_clock *clock,
               const struct rd_account_view *view, const struct rd_market_view *market,
               const struct rd_rec *rec, struct rd_decision *out);

/*
 * The Kelly risk fraction for an account's closed-trade record, in ppm:
 * W = wins / trades, R = (gross_wins / wins) / (gross_losses / losses),
 * f* = W - (1 - W) / R clamped to [0, cap]; result = fraction x f*.
 * Returns -1 when Kelly does not apply yet (fewer than min_trades trades).
 * With no losses R is infinite and f* = W; with no wins f* = 0.
 */
int64_t rd_kelly_fraction(const struct rd_kelly_config *k, int32_t trades, int32_t wins,
                          rd_money gross_wins, rd_money gross_losses);

const char *rd_gate_name(enum rd_gate g);
const char *rd_reason_name(enum rd_reason r);
const char *rd_trading_state_name(enum rd_trading_state s);
int rd_trading_state_parse(const char *s, enum rd_trading_state *out);
/* Formats a verdict value ("1500.00", "0.45", "3", "300s", "14:00", "HALTED");
 * RD_VAL_SESSION formats a session ("09:30-16:00", "no session"). */
int rd_gate_value_format(enum rd_value_kind kind, int64_t v, char *buf, size_t n);
/* A verdict's observed and threshold values as people read them: by its kind,
 * except RD_VAL_SESSION's observed, which is a minute ("18:19"). */
int rd_gate_observed_format(const struct rd_gate_verdict *v, char *buf, size_t n);
int rd_gate_threshold_format(const struct rd_gate_verdict *v, char *buf, size_t n);
/* Whether a verdict's observed value means something (not RD_VAL_NONE, not
 * RD_VAL_PPM_UNOBSERVED), and whether its threshold does (not RD_VAL_NONE). */
int rd_gate_has_observed(const struct rd_gate_verdict *v);
int rd_gate_has_threshold(const struct rd_gate_verdict *v);
/* The failed gates of d, at most max (0 = all), as people read them:
 * "volume_ratio: low_volume_ratio (1.29 vs 2); sizing: budget_too_small
 * (144.32 vs 231.00)"; "" when it was approved. Cut to fit n. Returns how
 * many failed. */
int rd_decision_failures(const struct rd_decision *d, int max, char *buf, size_t n);

#endif
