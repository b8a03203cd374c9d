/*
 * dispatcher_start.c - the startup lines an operator reads first: which
 * account, which tier and why, which broker, what money, which limits, and
 * where the config and credentials came from (never their values).
 */
#include <stdio.h>
#include <string.h>

#include "riskdesk/log.h"
#include "app/dispatcher_int.h"
#include "riskdesk/banned.h"

static const char *tier_how(enum rd_tier_mode m)
{
    switch (m) {
    case RD_TIER_MODE_AUTO:
        return "auto from buying power";
    case RD_TIER_MODE_DEFAULTED:
        return "default (nothing set): large";
    case RD_TIER_MODE_PINNED:
    default:
        return "pinned";
    }
}

/* "BUY_CALL,BUY_PUT": the allowed actions, comma-separated. */
static void actions_text(uint32_t set, char *out, size_t n)
{
    size_t used = 0;

    out[0] = '\0';
    for (int a = 0; a < RD_ACT_COUNT; a++) {
        if (!(set & RD_ACT_BIT(a)))
            continue;
        used += (size_t)snprintf(out + used, used < n ? n - used : 0, "%s%s", used ? "," : "",
                                 rd_action_name((enum rd_action)a));
        if (used >= n)
            break;
    }
}

int rd_dispatcher_start(struct rd_dispatcher *d, int64_t now, struct rd_error *err)
{
    const struct rd_account_config *a = d->acct;
    const struct rd_risk_config *r = &d->risk;
    struct rd_cycle_stats st;
    struct rd_logline l;
    enum rd_tier by_bp;
    const struct rd_tier_params *tp;
    char acts[64], risk_src[sizeof a->risk_origin];
    int rc;

    memset(&st, 0, sizeof st);
    (void)st;
    d->broker->now = now;
    if ((rc = d->broker->ops->get_account(d->broker, &d->bacct, err)) != RD_OK)
        return rd_error_prefix(err, "account %s: broker %s", a->name, d->broker->ops->name);
    by_bp = rd_tier_classify(&d->cfg->tiers, d->bacct.buying_power);
    if (a->tier_mode == RD_TIER_MODE_AUTO)
        d->tier = by_bp;              /* once: the tier stays until a restart */
    d->tier_says = by_bp;
    rd_dispatch_follow_tier(d);

    rd_log_begin(&l, RD_LOG_INFO, "dispatcher.account");
    rd_log_str(&l, "account", a->name);
    rd_log_end(&l);
    rd_log_begin(&l, RD_LOG_INFO, "dispatcher.tier");
    rd_log_str(&l, "account", a->name);
    rd_log_str(&l, "tier", rd_tier_name(d->tier));
    rd_log_str(&l, "how", tier_how(a->tier_mode));
    rd_log_str(&l, "from", a->tier_origin);
    rd_log_end(&l);
    if (a->tier_mode == RD_TIER_MODE_DEFAULTED)
        rd_log_msg(RD_LOG_WARN, "dispatcher.tier_defaulted",
                   "no tier in the config and ACCOUNT_TIER unset: using large");
    if (a->tier_mode != RD_TIER_MODE_AUTO && by_bp != d->tier) {
        rd_log_begin(&l, RD_LOG_WARN, "dispatcher.tier_mismatch");
        rd_log_str(&l, "account", a->name);
        rd_log_str(&l, "tier", rd_tier_name(d->tier));
        rd_log_str(&l, "buying_power_says", rd_tier_name(by_bp));
        rd_log_money(&l, "buying_power", d->bacct.buying_power);
        rd_log_end(&l);
    }
    if (d->bacct.buying_power < RD_TIER_TINY_WARN_BELOW) {
        rd_log_begin(&l, RD_LOG_WARN, "dispatcher.tiny_below_minimum");
        rd_log_str(&l, "account", a->name);
        rd_log_money(&l, "buying_power", d->bacct.buying_power);
        rd_log_money(&l, "warn_below", RD_TIER_TINY_WARN_BELOW);
        rd_log_end(&l);
    }
    rd_log_begin(&l, RD_LOG_INFO, "dispatcher.broker");
    rd_log_str(&l, "account", a->name);
    rd_log_str(&l, "broker", d->broker->ops->name);
    rd_log_str(&l, "account_number", d->bacct.account_number);
    rd_log_str(&l, "status", d->bacct.status);
    rd_log_end(&l);
    rd_log_begin(&l, RD_LOG_INFO, "dispatcher.money");
    rd_log_str(&l, "account", a->name);
    rd_log_money(&l, "buying_power", d->bacct.buying_power);
    rd_log_money(&l, "equity", d->bacct.equity);
    rd_log_money(&l, "last_equity", d->bacct.last_equity);
    rd_log_end(&l);
    rd_log_begin(&l, RD_LOG_INFO, "dispatcher.limits");
    rd_log_str(&l, "account", a->name);
    rd_log_money(&l, "max_notional_exposure", r->max_notional_exposure);
    rd_log_int(&l, "max_open_positions", r->max_open_positions);
    rd_log_int(&l, "max_contracts_per_trade", r->max_contracts_per_trade);
    rd_log_money(&l, "max_daily_loss", r->max_daily_loss);
    rd_log_ppm(&l, "max_risk_per_trade_pct", r->max_risk_per_trade_pct);
    rd_log_int(&l, "ticker_cooldown_minutes", r->ticker_cooldown_minutes);
    rd_log_ppm(&l, "confidence_min_options_swing", r->confidence_min_options_swing);
    rd_log_ppm(&l, "confidence_min_options_daytrade", r->confidence_min_options_daytrade);
    actions_text(r->allowed_actions, acts, sizeof acts);
    rd_log_str(&l, "allowed_actions", acts);
    rd_log_int(&l, "paper_ignore_buying_power", r->paper_ignore_buying_power);
    rd_log_int(&l, "max_entries_per_ticker_per_day", r->max_entries_per_ticker_per_day);
    rd_log_int(&l, "max_orders_per_minute", r->max_orders_per_minute);
    rd_log_ppm(&l, "vix_halt", r->vix_halt);
    rd_log_ppm(&l, "stop_loss_pct", r->exits.stop_loss_pct);
    rd_log_ppm(&l, "take_profit_pct", r->exits.take_profit_pct);
    rd_log_int(&l, "max_hold_days", r->exits.max_hold_days);
    rd_log_end(&l);
    /* the tier's own part of the limits: sizing percentages and minimums */
    tp = &d->cfg->tiers.tier[d->tier];
    rd_log_begin(&l, RD_LOG_INFO, "dispatcher.tier_limits");
    rd_log_str(&l, "account", a->name);
    rd_log_str(&l, "tier", rd_tier_name(d->tier));
    rd_log_ppm(&l, "risk_pct_day", tp->risk_pct_day);
    rd_log_ppm(&l, "risk_pct_swing", tp->risk_pct_swing);
    rd_log_int(&l, "max_contracts", tp->max_contracts);
    rd_log_ppm(&l, "min_confidence", tp->min_confidence);
    rd_log_ppm(&l, "min_volume_ratio", tp->min_volume_ratio);
    rd_log_end(&l);
    /* the risk config in force: an auto-tier account on its tier's defaults
     * follows the tier just classified (rd_dispatch_follow_tier), not the
     * fallback the config load chose */
    if (a->tier_mode == RD_TIER_MODE_AUTO && !strncmp(a->risk_origin, "tier default", 12))
        snprintf(risk_src, sizeof risk_src, "tier default (%s)", rd_tier_name(d->tier));
    else
        snprintf(risk_src, sizeof risk_src, "%s", a->risk_origin);
    rd_log_begin(&l, RD_LOG_INFO, "dispatcher.sources");
    rd_log_str(&l, "account", a->name);
    rd_log_str(&l, "config", d->cfg->origin);
    rd_log_str(&l, "risk", risk_src);
    rd_log_str(&l, "credentials", a->credentials[0] ? a->credentials : "none (paper)");
    rd_log_str(&l, "database", d->store->url);
    rd_log_end(&l);
    if (d->cfg->firm_max_gross_exposure > 0) {
        rd_log_begin(&l, RD_LOG_WARN, "dispatcher.firm_cap");
        rd_log_str(&l, "account", a->name);
        rd_log_str(&l, "note", "firm-wide gross exposure cap on: the one deliberate exception "
                               "to account isolation");
        rd_log_money(&l, "max_gross_exposure", d->cfg->firm_max_gross_exposure);
        rd_log_end(&l);
    }
    return RD_OK;
}
