#include "riskdesk/risk.h"

#include "riskdesk/gates.h"

#include <string.h>
#include <strings.h>

#include "riskdesk/banned.h"

static const char *const action_names[RD_ACT_COUNT] = {"BUY_CALL", "BUY_PUT", "BUY_STOCK",
                                                       "SELL_STOCK"};
static const char *const strategy_names[RD_STRAT_COUNT] = {"day", "swing"};

void rd_risk_defaults(enum rd_tier tier, struct rd_risk_config *r)
{
    static const struct {
        int64_t exposure_dollars, positions, contracts, daily_loss_dollars, risk_pct;
    } shipped[RD_TIER_COUNT] = {
        {1500, 2, 2, 100, 150000},
        {3000, 3, 3, 200, 120000},
        {6000, 4, 5, 300, 60000},
        {10000, 5, 10, 500, 20000},
    };
    int t = (unsigned)tier < RD_TIER_COUNT ? (int)tier : RD_TIER_LARGE;

    memset(r, 0, sizeof *r);
    r->max_notional_exposure = RD_DOLLARS(shipped[t].exposure_dollars);
    r->max_open_positions = (int32_t)shipped[t].positions;
    r->max_contracts_per_trade = (int32_t)shipped[t].contracts;
    r->max_daily_loss = RD_DOLLARS(shipped[t].daily_loss_dollars);
    r->max_risk_per_trade_pct = shipped[t].risk_pct;
    r->ticker_cooldown_minutes = 15;
    r->confidence_min_options_swing = 400000;
    r->confidence_min_options_daytrade = 600000;
    r->allowed_actions = RD_ACT_BIT(RD_ACT_BUY_CALL) | RD_ACT_BIT(RD_ACT_BUY_PUT);
    r->paper_ignore_buying_power = 0;
    r->max_entries_per_ticker_per_day = 2;
    r->stale_after_seconds = 300;
    r->vix_halt = 40 * RD_PPM;
    r->max_orders_per_minute = 30;
    r->pdt.enabled = 0;      /* a churn limit now, not a rule (docs/config.md) */
    r->pdt.threshold = RD_DOLLARS(25000);
    r->pdt.max_day_trades = 3;
    r->pdt.window_days = 5;
    r->exits.stop_loss_pct = 500000;
    r->exits.take_profit_pct = 1000000;
    r->exits.max_hold_days = 5;
    r->exits.day_close_minute = 15 * 60 + 55;
    r->kelly.enabled = 1;
    r->kelly.min_trades = 20;
    r->kelly.lookback_days = 30;
    r->kelly.fraction = 500000;
    r->kelly.cap = 250000;
    r->kelly.on_zero = RD_KELLY_ZERO_REJECT;
    r->person_trades.gates = RD_GATE_ALL & ~RD_GATES_SIGNAL_ONLY;
    r->person_trades.allowed_actions = RD_ACT_BIT(RD_ACT_COUNT) - 1u;
}

static int range_err(struct rd_error *err, const char *field, int64_t v, int places,
                     const char *allowed)
{
    char s[40];

    rd_decimal_format(v, places, places == 4 ? 2 : 0, s, sizeof s);
    return rd_error_set(err, RD_ECONFIG, "%s: %s; expected %s", field, s, allowed);
}

int rd_risk_validate(const struct rd_risk_config *r, struct rd_error *err)
{
    if (r->max_notional_exposure <= 0)
        return range_err(err, "max_notional_exposure", r->max_notional_exposure, 4, "dollars > 0");
    if (r->max_open_positions < 1)
        return range_err(err, "max_open_positions", r->max_open_positions, 0, "an integer >= 1");
    if (r->max_contracts_per_trade < 1)
        return range_err(err, "max_contracts_per_trade", r->max_contracts_per_trade, 0,
                         "an integer >= 1");
    if (r->max_daily_loss <= 0)
        return range_err(err, "max_daily_loss", r->max_daily_loss, 4, "dollars > 0");
    if (r->max_risk_per_trade_pct <= 0 || r->max_risk_per_trade_pct > RD_PPM)
        return range_err(err, "max_risk_per_trade_pct", r->max_risk_per_trade_pct, 6,
                         "a fraction in (0, 1] (0.02 = 2%)");
    if (r->ticker_cooldown_minutes < 0)
        return range_err(err, "ticker_cooldown_minutes", r->ticker_cooldown_minutes, 0,
                         "minutes >= 0");
    if (r->confidence_min_options_swing < 0 || r->confidence_min_options_swing > RD_PPM)
        return range_err(err, "confidence_min_options_swing", r->confidence_min_options_swing, 6,
                         "0 to 1");
    if (r->confidence_min_options_daytrade < 0 || r->confidence_min_options_daytrade > RD_PPM)
        return range_err(err, "confidence_min_options_daytrade",
                         r->confidence_min_options_daytrade, 6, "0 to 1");
    if (r->allowed_actions == 0 || (r->allowed_actions >> RD_ACT_COUNT) != 0)
        return rd_error_set(err, RD_ECONFIG,
                            "allowed_actions: empty; expected one or more of BUY_CALL, BUY_PUT, "
                            "BUY_STOCK, SELL_STOCK");
    if (r->person_trades.allowed_actions == 0 ||
        (r->person_trades.allowed_actions >> RD_ACT_COUNT) != 0)
        return rd_error_set(err, RD_ECONFIG,
                            "person_trades.allowed_actions: empty; expected one or more of "
                            "BUY_CALL, BUY_PUT, BUY_STOCK, SELL_STOCK");
    if ((r->person_trades.gates & RD_GATES_ALWAYS) != RD_GATES_ALWAYS ||
        (r->person_trades.gates & ~RD_GATE_ALL) != 0)
        return rd_error_set(err, RD_ECONFIG,
                            "person_trades.gates: leaves out %s; trading_state and sizing "
                            "always apply to a person's trade",
                            !(r->person_trades.gates & RD_GATE_BIT(RD_GATE_TRADING_STATE))
                                ? "trading_state" : "sizing");
    if (r->max_entries_per_ticker_per_day < 1)
        return range_err(err, "max_entries_per_ticker_per_day", r->max_entries_per_ticker_per_day,
                         0, "an integer >= 1");
    if (r->stale_after_seconds < 1)
        return range_err(err, "stale_after_seconds", r->stale_after_seconds, 0, "seconds >= 1");
    if (r->vix_halt <= 0)
        return range_err(err, "vix_halt", r->vix_halt, 6, "a VIX level > 0");
    if (r->max_orders_per_minute < 1)
        return range_err(err, "max_orders_per_minute", r->max_orders_per_minute, 0,
                         "an integer >= 1");
    if (r->pdt.max_day_trades < 0 || r->pdt.window_days < 1)
        return range_err(err, r->pdt.window_days < 1 ? "pdt.window_days" : "pdt.max_day_trades",
                         r->pdt.window_days < 1 ? r->pdt.window_days : r->pdt.max_day_trades, 0,
                         "pdt.max_day_trades >= 0 and pdt.window_days >= 1");
    if (r->exits.stop_loss_pct < 0 || r->exits.stop_loss_pct > RD_PPM)
        return range_err(err, "exits.stop_loss_pct", r->exits.stop_loss_pct, 6, "0 (off) to 1");
    if (r->exits.take_profit_pct < 0)
        return range_err(err, "exits.take_profit_pct", r->exits.take_profit_pct, 6, ">= 0 (0 = off)");
    if (r->exits.max_hold_days < 0)
        return range_err(err, "exits.max_hold_days", r->exits.max_hold_days, 0, "days >= 0 (0 = off)");
    if (r->exits.day_close_minute < 570 || r->exits.day_close_minute > 960)
        return range_err(err, "exits.day_close_minute", r->exits.day_close_minute, 0,
                         "an ET minute of the session, 570 (09:30) to 960 (16:00)");
    if (r->kelly.min_trades < 1)
        return range_err(err, "kelly.min_trades", r->kelly.min_trades, 0, "an integer >= 1");
    if (r->kelly.lookback_days < 1)
        return range_err(err, "kelly.lookback_days", r->kelly.lookback_days, 0, "days >= 1");
    if (r->kelly.fraction <= 0 || r->kelly.fraction > RD_PPM)
        return range_err(err, "kelly.fraction", r->kelly.fraction, 6, "a fraction in (0, 1]");
    if (r->kelly.cap <= 0 || r->kelly.cap > RD_PPM)
        return range_err(err, "kelly.cap", r->kelly.cap, 6, "a fraction in (0, 1]");
    return RD_OK;
}

const char *rd_action_name(enum rd_action a)
{
    return (unsigned)a < RD_ACT_COUNT ? action_names[a] : "?";
}

int rd_action_parse(const char *s, enum rd_action *out)
{
    for (int i = 0; i < RD_ACT_COUNT; i++)
        if (!strcasecmp(s, action_names[i])) {
            *out = (enum rd_action)i;
            return RD_OK;
        }
    return RD_EINVAL;
}

const char *rd_strategy_name(enum rd_strategy s)
{
    return (unsigned)s < RD_STRAT_COUNT ? strategy_names[s] : "?";
}

int rd_strategy_parse(const char *s, enum rd_strategy *out)
{
    for (int i = 0; i < RD_STRAT_COUNT; i++)
        if (!strcasecmp(s, strategy_names[i])) {
            *out = (enum rd_strategy)i;
            return RD_OK;
        }
    return RD_EINVAL;
}

int rd_action_is_entry(enum rd_action a)
{
    return a != RD_ACT_SELL_STOCK;
}

int rd_action_is_option(enum rd_action a)
{
    return a == RD_ACT_BUY_CALL || a == RD_ACT_BUY_PUT;
}
