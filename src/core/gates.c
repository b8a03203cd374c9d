/*
 * gates.c - every gate evaluated and recorded, then the size. A gate that lacks
 * its data fails closed. Sells (exits) pass the gates that only guard entries,
 * with reason exit_allowed, so an account can always reduce risk.
 */
#include "riskdesk/gates.h"

#include <stdio.h>
#include <strings.h>

#include "riskdesk/banned.h"

static const char *const gate_names[RD_GATE_COUNT] = {
#define RD_GATE_NAME(id, name) name,
    RD_GATE_LIST(RD_GATE_NAME)
#undef RD_GATE_NAME
};

static const char *const reason_names[RD_REASON_COUNT] = {
#define RD_REASON_NAME(id, name) name,
    RD_REASON_LIST(RD_REASON_NAME)
#undef RD_REASON_NAME
};

static const char *const state_names[RD_STATE_COUNT] = {"ACTIVE", "REDUCING", "HALTED"};

#define OPENING_BLACKOUT_MIN 5
#define DAY_CUTOFF_MIN (14 * 60)
#define SWING_CUTOFF_MIN (15 * 60)
#define EARLY_CLOSE_MARGIN_MIN 60
#define FUTURE_SKEW_S 5

const char *rd_gate_name(enum rd_gate g)
{
    return (unsigned)g < RD_GATE_COUNT ? gate_names[g] : "?";
}

const char *rd_reason_name(enum rd_reason r)
{
    return (unsigned)r < RD_REASON_COUNT ? reason_names[r] : "?";
}

const char *rd_trading_state_name(enum rd_trading_state s)
{
    return (unsigned)s < RD_STATE_COUNT ? state_names[s] : "?";
}

int rd_trading_state_parse(const char *s, enum rd_trading_state *out)
{
    for (int i = 0; i < RD_STATE_COUNT; i++)
        if (!strcasecmp(s, state_names[i])) {
            *out = (enum rd_trading_state)i;
            return RD_OK;
        }
    return RD_EINVAL;
}

int rd_gate_value_format(enum rd_value_kind kind, int64_t v, char *buf, size_t n)
{
    switch (kind) {
    case RD_VAL_MONEY:
        return rd_money_format(v, buf, n);
    case RD_VAL_PPM:
    case RD_VAL_PPM_UNOBSERVED:
        return rd_ppm_format(v, buf, n);
    case RD_VAL_COUNT:
        return snprintf(buf, n, "%lld", (long long)v);
    case RD_VAL_SECONDS:
        return snprintf(buf, n, "%llds", (long long)v);
    case RD_VAL_MINUTE:
        return snprintf(buf, n, "%02d:%02d", (int)(v / 60), (int)(v % 60));
    case RD_VAL_STATE:
        return snprintf(buf, n, "%s", rd_trading_state_name((enum rd_trading_state)v));
    case RD_VAL_SESSION:
        if (v < 0 || v >= 1440 * 1440)
            return snprintf(buf, n, "%s", "no session");
        return snprintf(buf, n, "%02d:%02d-%02d:%02d", (int)(v / 1440 / 60), (int)(v / 1440 % 60),
                        (int)(v % 1440 / 60), (int)(v % 1440 % 60));
    case RD_VAL_NONE:
    default:
        return snprintf(buf, n, "%s", "");
    }
}

int rd_gate_observed_format(const struct rd_gate_verdict *v, char *buf, size_t n)
{
    enum rd_value_kind kind = (enum rd_value_kind)v->kind;

    return rd_gate_value_format(kind == RD_VAL_SESSION ? RD_VAL_MINUTE : kind, v->observed, buf, n);
}

int rd_gate_threshold_format(const struct rd_gate_verdict *v, char *buf, size_t n)
{
    return rd_gate_value_format((enum rd_value_kind)v->kind, v->threshold, buf, n);
}

int rd_gate_has_observed(const struct rd_gate_verdict *v)
{
    return v->kind != RD_VAL_NONE && v->kind != RD_VAL_PPM_UNOBSERVED;
}

int rd_gate_has_threshold(const struct rd_gate_verdict *v)
{
    return v->kind != RD_VAL_NONE;
}

int rd_decision_failures(const struct rd_decision *d, int max, char *buf, size_t n)
{
    size_t used = 0;
    int failed = 0;

    if (n)
        buf[0] = '\0';
    for (int i = 0; i < d->nverdicts; i++) {
        const struct rd_gate_verdict *v = &d->verdicts[i];
        char a[40], b[40];
        int w;

        if (v->passed)
            continue;
        failed++;
        if ((max && failed > max) || used >= n)
            continue;
        w = snprintf(buf + used, n - used, "%s%s: %s", failed > 1 ? "; " : "",
                     rd_gate_name((enum rd_gate)v->gate), rd_reason_name((enum rd_reason)v->reason));
        used += w > 0 ? (size_t)w : 0;
        if (rd_gate_has_threshold(v) && used < n) {
            rd_gate_observed_format(v, a, sizeof a);
            rd_gate_threshold_format(v, b, sizeof b);
            w = snprintf(buf + used, n - used, " (%s vs %s)", rd_gate_has_observed(v) ? a : "none",
                         b);
            used += w > 0 ? (size_t)w : 0;
        }
    }
    if (n && used >= n)
        buf[n - 1] = '\0';
    return failed;
}

void rd_gate_clock_init(struct rd_gate_clock *c, int64_t now)
{
    c->now = now;
    rd_et_from_utc(now, &c->local);
    rd_nyse_session(c->local.day, &c->session);
}

int64_t rd_kelly_fraction(const struct rd_kelly_config *k, int32_t trades, int32_t wins,
                          rd_money gross_wins, rd_money gross_losses)
{
    int32_t losses = trades - wins;
    double w, fstar;
    int64_t fstar_ppm;

    if (!k->enabled || trades < k->min_trades || trades <= 0)
        return -1;
    if (wins <= 0 || gross_wins <= 0)
        return 0;
    w = (double)wins / (double)trades;
    if (losses <= 0 || gross_losses <= 0) {
        fstar = w;                       /* no losses: R is infinite */
    } else {
        double avg_win = (double)gross_wins / wins;
        double avg_loss = (double)gross_losses / losses;

        fstar = w - (1.0 - w) / (avg_win / avg_loss);
    }
    if (!(fstar > 0))                    /* negative or NaN: no edge */
        return 0;
    fstar_ppm = (int64_t)(fstar * (double)RD_PPM + 0.5);   /* nearest ppm */
    if (fstar_ppm > k->cap)
        fstar_ppm = k->cap;
    return rd_muldiv(fstar_ppm, k->fraction, RD_PPM);
}

static void record(struct rd_decision *d, enum rd_gate g, int passed, enum rd_reason reason,
                   enum rd_value_kind kind, int64_t observed, int64_t threshold)
{
    struct rd_gate_verdict *v = &d->verdicts[d->nverdicts++];

    if (d->waived & RD_GATE_BIT(g)) {
        passed = 1;
        reason = RD_REASON_PERSON_TRADE;
    }
    v->gate = (uint8_t)g;
    v->passed = (uint8_t)(passed != 0);
    v->reason = (uint8_t)reason;
    v->kind = (uint8_t)kind;
    v->observed = observed;
    v->threshold = threshold;
    if (!passed && d->first_failed == RD_GATE_COUNT)
        d->first_failed = g;
}

static void pass_exit(struct rd_decision *d, enum rd_gate g)
{
    record(d, g, 1, RD_REASON_EXIT_ALLOWED, RD_VAL_NONE, 0, 0);
}

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

static void gate_state(struct rd_decision *d, const struct rd_account_view *v, int entry)
{
    enum rd_reason r = RD_REASON_OK;
    int ok = 1;

    if (v->state == RD_STATE_REDUCING && entry) {
        ok = 0;
        r = RD_REASON_STATE_REDUCING;
    } else if (v->state == RD_STATE_HALTED && entry) {
        ok = 0;
        r = RD_REASON_STATE_HALTED;
    } else if ((unsigned)v->state >= RD_STATE_COUNT) {
        ok = 0;                          /* unknown state: fail closed */
        r = RD_REASON_STATE_HALTED;
    } else if (v->state != RD_STATE_ACTIVE) {
        r = RD_REASON_EXIT_ALLOWED;
    }
    record(d, RD_GATE_TRADING_STATE, ok, r, RD_VAL_STATE, v->state, RD_STATE_ACTIVE);
}

static void gate_daily_loss(struct rd_decision *d, const struct rd_gate_ctx *c,
                            const struct rd_account_view *v, int entry)
{
    rd_money pnl, limit = -c->risk->max_daily_loss;

    if (!entry) {
        pass_exit(d, RD_GATE_DAILY_LOSS);
        return;
    }
    if (!v->equity_known) {
        record(d, RD_GATE_DAILY_LOSS, 0, RD_REASON_NO_EQUITY_DATA, RD_VAL_MONEY, 0, limit);
        return;
    }
    pnl = v->equity - v->last_equity;
    record(d, RD_GATE_DAILY_LOSS, pnl > limit, pnl > limit ? RD_REASON_OK : RD_REASON_DAILY_LOSS_LIMIT,
           RD_VAL_MONEY, pnl, limit);
}

int rd_market_feed_stale(const struct rd_market_view *m, int64_t now, int64_t *age)
{
    *age = now > m->vix_at ? now - m->vix_at : 0;
    return m->vix_max_age > 0 && *age > m->vix_max_age;
}

static void gate_regime(struct rd_decision *d, const struct rd_gate_ctx *c,
                        const struct rd_gate_clock *k, const struct rd_market_view *m,
                        const struct rd_rec *rec, int entry)
{
    int64_t vix, age;

    if (!entry) {
        pass_exit(d, RD_GATE_MARKET_REGIME);
        return;
    }
    if (rec->has_vix) {
        vix = rec->vix;
    } else if (m->feed == RD_FEED_OK && rd_market_feed_stale(m, k->now, &age)) {
        record(d, RD_GATE_MARKET_REGIME, 0, RD_REASON_FEED_STALE, RD_VAL_SECONDS, age,
               m->vix_max_age);
        return;
    } else if (m->feed == RD_FEED_OK) {
        vix = m->vix;
    } else if (m->feed == RD_FEED_ERROR) {
        record(d, RD_GATE_MARKET_REGIME, 0, RD_REASON_FEED_ERROR, RD_VAL_PPM_UNOBSERVED, 0,
               c->risk->vix_halt);
        return;
    } else {
        record(d, RD_GATE_MARKET_REGIME, 1, RD_REASON_NO_FEED_CONFIGURED, RD_VAL_PPM_UNOBSERVED, 0,
               c->risk->vix_halt);
        return;
    }
    record(d, RD_GATE_MARKET_REGIME, vix <= c->risk->vix_halt,
           vix <= c->risk->vix_halt ? RD_REASON_OK : RD_REASON_VIX_HALT, RD_VAL_PPM, vix,
           c->risk->vix_halt);
}

static void gate_hours(struct rd_decision *d, const struct rd_gate_clock *k,
                       const struct rd_rec *rec, int entry)
{
    const struct rd_session *s = &k->session;
    int minute = k->local.minute;
    int cutoff;

    if (!s->open || minute < s->open_minute || minute >= s->close_minute) {
        /* the session it is outside of: "18:19 vs 09:30-16:00", "10:30 vs no session" */
        record(d, RD_GATE_TRADING_HOURS, 0, RD_REASON_MARKET_CLOSED, RD_VAL_SESSION, minute,
               s->open ? (int64_t)s->open_minute * 1440 + s->close_minute : RD_SESSION_NONE);
        return;
    }
    if (!entry) {
        record(d, RD_GATE_TRADING_HOURS, 1, RD_REASON_EXIT_ALLOWED, RD_VAL_MINUTE, minute,
               s->close_minute);
        return;
    }
    if (minute < s->open_minute + OPENING_BLACKOUT_MIN) {
        record(d, RD_GATE_TRADING_HOURS, 0, RD_REASON_OPENING_MINUTES, RD_VAL_MINUTE, minute,
               s->open_minute + OPENING_BLACKOUT_MIN);
        return;
    }
    cutoff = rec->strategy == RD_STRAT_DAY ? DAY_CUTOFF_MIN : SWING_CUTOFF_MIN;
    if (cutoff > s->close_minute - EARLY_CLOSE_MARGIN_MIN)
        cutoff = s->close_minute - EARLY_CLOSE_MARGIN_MIN;
    record(d, RD_GATE_TRADING_HOURS, minute < cutoff,
           minute < cutoff ? RD_REASON_OK : RD_REASON_PAST_ENTRY_CUTOFF, RD_VAL_MINUTE, minute, cutoff);
}

static void gate_freshness(struct rd_decision *d, const struct rd_gate_ctx *c,
                           const struct rd_gate_clock *k, const struct rd_rec *rec)
{
    int64_t age = k->now - rec->created_at;
    int64_t limit = c->risk->stale_after_seconds;

    if (age < -FUTURE_SKEW_S)
        record(d, RD_GATE_FRESHNESS, 0, RD_REASON_FROM_FUTURE, RD_VAL_SECONDS, age, limit);
    else if (rec->expires_at && k->now >= rec->expires_at)
        record(d, RD_GATE_FRESHNESS, 0, RD_REASON_EXPIRED, RD_VAL_SECONDS, age, limit);
    else
        record(d, RD_GATE_FRESHNESS, age <= limit, age <= limit ? RD_REASON_OK : RD_REASON_STALE,
               RD_VAL_SECONDS, age, limit);
}

/* The size the risk budget affords; fills the decision's sizing fields. */
static int64_t gate_sizing(struct rd_decision *d, const struct rd_gate_ctx *c,
                           const struct rd_account_view *v, const struct rd_rec *rec, int entry)
{
    int64_t mult = rd_rec_multiplier(rec);
    int64_t tier_pct, pct, kelly;
    int64_t size;

    d->unit_cost = rd_muldiv(rec->price, mult, 1);
    if (!entry) {
        d->unit_risk = 0;
        record(d, RD_GATE_SIZING, v->position_qty > 0, v->position_qty > 0 ? RD_REASON_EXIT_ALLOWED
                                                                           : RD_REASON_NO_POSITION,
               RD_VAL_COUNT, v->position_qty, 1);
        return v->position_qty > 0 ? v->position_qty : 0;
    }
    if (rec->price <= 0 || (rec->action == RD_ACT_BUY_STOCK && rec->stop_price >= rec->price)) {
        record(d, RD_GATE_SIZING, 0, RD_REASON_INVALID_PRICE, RD_VAL_MONEY, rec->price,
               rec->stop_price);
        return 0;
    }
    if (rec->action == RD_ACT_BUY_STOCK)
        d->unit_risk = rec->stop_price > 0 ? rec->price - rec->stop_price : rec->price;
    else
        d->unit_risk = d->unit_cost;     /* a bought option can lose its whole premium */
    if (!v->equity_known) {
        record(d, RD_GATE_SIZING, 0, RD_REASON_NO_EQUITY_DATA, RD_VAL_MONEY, 0, d->unit_risk);
        return 0;
    }
    tier_pct = rec->strategy == RD_STRAT_DAY ? c->tier->risk_pct_day : c->tier->risk_pct_swing;
    pct = min64(tier_pct, c->risk->max_risk_per_trade_pct);
    kelly = rd_kelly_fraction(&c->risk->kelly, v->closed_trades, v->winning_trades, v->gross_wins,
                              v->gross_losses);
    if (kelly == 0 && c->risk->kelly.on_zero == RD_KELLY_ZERO_REJECT) {
        d->risk_pct = 0;
        d->kelly_used = 1;
        record(d, RD_GATE_SIZING, 0, RD_REASON_KELLY_NO_EDGE, RD_VAL_PPM, 0, pct);
        return 0;
    }
    if (kelly > 0) {
        pct = min64(pct, kelly);
        d->kelly_used = 1;
    }
    if (c->node) {
        /* the node's type scales what the tier and Kelly gave; the account's
         * own max_risk_per_trade_pct, when it set one, still caps */
        pct = min64(RD_PPM, rd_muldiv(pct, c->node->risk_ppm, RD_PPM));
        if (c->node->own_risk_pct)
            pct = min64(pct, c->risk->max_risk_per_trade_pct);
    }
    d->risk_pct = pct;
    d->budget = v->buying_power > 0 ? rd_money_mul_ppm(v->buying_power, pct) : 0;
    size = d->budget > 0 ? d->budget / d->unit_risk : 0;
    record(d, RD_GATE_SIZING, size >= 1, size >= 1 ? RD_REASON_OK : RD_REASON_BUDGET_TOO_SMALL,
           RD_VAL_MONEY, d->budget, d->unit_risk);
    return size;
}

/* A cap that reduces the size to `fit` units, or fails when not even one fits. */
static int64_t cap_gate(struct rd_decision *d, enum rd_gate g, int64_t size, int64_t fit,
                        enum rd_reason fail_reason, enum rd_value_kind kind, int64_t observed,
                        int64_t threshold)
{
    if (d->waived & RD_GATE_BIT(g)) {
        record(d, g, 1, RD_REASON_OK, kind, observed, threshold);
        return size;
    }
    if (fit < 1) {
        record(d, g, 0, fail_reason, kind, observed, threshold);
        return size;
    }
    if (size > fit) {
        record(d, g, 1, RD_REASON_REDUCED, kind, observed, threshold);
        return fit;
    }
    record(d, g, 1, RD_REASON_OK, kind, observed, threshold);
    return size;
}

/* Units of the entry a node's per-position notional cap lets through. */
static int64_t node_fit(const struct rd_gate_ctx *c, const struct rd_decision *d)
{
    return c->node->position_cap > 0 && d->unit_cost > 0 ? c->node->position_cap / d->unit_cost : 0;
}

/* Whether a node's per-position notional cap is what limits this entry:
 * tighter than the contract limits of an option (a stock has none). */
static int node_notional_binds(const struct rd_gate_ctx *c, const struct rd_decision *d,
                               int64_t probe, int option)
{
    int64_t fit = node_fit(c, d);

    if (d->waived & RD_GATE_BIT(RD_GATE_CONTRACTS_CAP))
        return 0;
    if (option && fit >= min64(c->tier->max_contracts, c->risk->max_contracts_per_trade))
        return 0;
    return fit < probe;
}

/* The contracts_cap gate held by the node's cap: cut to fit, refused when
 * not one unit fits. Observed is what the entry would have cost. */
static int64_t gate_position_notional(struct rd_decision *d, const struct rd_gate_ctx *c,
                                      int64_t probe)
{
    int64_t fit = node_fit(c, d);
    rd_money want = rd_muldiv(probe, d->unit_cost, 1);

    if (fit < 1) {
        record(d, RD_GATE_CONTRACTS_CAP, 0, RD_REASON_POSITION_NOTIONAL, RD_VAL_MONEY, want,
               c->node->position_cap);
        return probe;
    }
    record(d, RD_GATE_CONTRACTS_CAP, 1, RD_REASON_REDUCED, RD_VAL_MONEY, want,
           c->node->position_cap);
    return fit;
}

void rd_decide(const struct rd_gate_ctx *c, const struct rd_gate_clock *k,
               const struct rd_account_view *v, const struct rd_market_view *m,
               const struct rd_rec *rec, struct rd_decision *d)
{
    const struct rd_risk_config *r = c->risk;
    int entry = rd_action_is_entry(rec->action);
    int option = rd_action_is_option(rec->action);
    int64_t size, probe, cap;

    d->approved = 0;
    d->size = 0;
    d->first_failed = RD_GATE_COUNT;
    d->risk_pct = 0;
    d->kelly_used = 0;
    d->budget = 0;
    d->unit_risk = 0;
    d->unit_cost = 0;
    d->nverdicts = 0;
    d->waived = rec->origin == RD_ORIGIN_PERSON ? RD_GATE_ALL & ~r->person_trades.gates : 0;

    gate_state(d, v, entry);
    gate_daily_loss(d, c, v, entry);
    gate_regime(d, c, k, m, rec, entry);
    gate_hours(d, k, rec, entry);
    gate_freshness(d, c, k, rec);

    {
        uint32_t allowed = rec->origin == RD_ORIGIN_PERSON ? r->person_trades.allowed_actions
                                                           : r->allowed_actions;
        int ok = (unsigned)rec->action < RD_ACT_COUNT && (allowed & RD_ACT_BIT(rec->action));

        record(d, RD_GATE_ALLOWED_ACTION, ok, ok ? RD_REASON_OK : RD_REASON_ACTION_NOT_ALLOWED,
               RD_VAL_NONE, 0, 0);
    }
    if (entry)
        record(d, RD_GATE_SELL_POSITION, 1, RD_REASON_NOT_APPLICABLE, RD_VAL_NONE, 0, 0);
    else
        record(d, RD_GATE_SELL_POSITION, v->position_qty > 0,
               v->position_qty > 0 ? RD_REASON_OK : RD_REASON_NO_POSITION, RD_VAL_COUNT,
               v->position_qty, 1);

    if (entry) {
        int64_t strat_min = rec->strategy == RD_STRAT_DAY ? r->confidence_min_options_daytrade
                                                          : r->confidence_min_options_swing;
        int64_t min_conf = strat_min > c->tier->min_confidence ? strat_min : c->tier->min_confidence;
        int ok = rec->confidence >= min_conf;
        int64_t since;

        record(d, RD_GATE_CONFIDENCE, ok, ok ? RD_REASON_OK : RD_REASON_LOW_CONFIDENCE, RD_VAL_PPM,
               rec->confidence, min_conf);
        ok = rec->volume_ratio >= c->tier->min_volume_ratio;
        record(d, RD_GATE_VOLUME_RATIO, ok, ok ? RD_REASON_OK : RD_REASON_LOW_VOLUME_RATIO,
               RD_VAL_PPM, rec->volume_ratio, c->tier->min_volume_ratio);
        record(d, RD_GATE_DUPLICATE_POSITION, v->position_qty == 0,
               v->position_qty == 0 ? RD_REASON_OK : RD_REASON_ALREADY_HOLDING, RD_VAL_COUNT,
               v->position_qty, 0);
        ok = v->entries_today < r->max_entries_per_ticker_per_day;
        record(d, RD_GATE_TICKER_ENTRIES, ok, ok ? RD_REASON_OK : RD_REASON_TOO_MANY_ENTRIES,
               RD_VAL_COUNT, v->entries_today, r->max_entries_per_ticker_per_day);
        since = v->last_entry_at ? k->now - v->last_entry_at : -1;
        ok = since < 0 || since >= (int64_t)r->ticker_cooldown_minutes * 60;
        record(d, RD_GATE_TICKER_COOLDOWN, ok, ok ? RD_REASON_OK : RD_REASON_COOLDOWN,
               RD_VAL_SECONDS, since < 0 ? 0 : since, (int64_t)r->ticker_cooldown_minutes * 60);
        ok = v->open_positions < r->max_open_positions;
        record(d, RD_GATE_OPEN_POSITIONS, ok, ok ? RD_REASON_OK : RD_REASON_TOO_MANY_POSITIONS,
               RD_VAL_COUNT, v->open_positions, r->max_open_positions);
    } else {
        pass_exit(d, RD_GATE_CONFIDENCE);
        pass_exit(d, RD_GATE_VOLUME_RATIO);
        pass_exit(d, RD_GATE_DUPLICATE_POSITION);
        pass_exit(d, RD_GATE_TICKER_ENTRIES);
        pass_exit(d, RD_GATE_TICKER_COOLDOWN);
        pass_exit(d, RD_GATE_OPEN_POSITIONS);
    }

    size = gate_sizing(d, c, v, rec, entry);
    /* The caps below judge the real size, or one unit when the budget gave none,
     * so each still reports whether it would have allowed a trade at all. */
    probe = size >= 1 ? size : 1;

    if (entry && c->node && node_notional_binds(c, d, probe, option)) {
        probe = gate_position_notional(d, c, probe);
    } else if (entry && option) {
        /* both limits are validated >= 1, so this cap only ever reduces */
        cap = min64(c->tier->max_contracts, r->max_contracts_per_trade);
        if (d->waived & RD_GATE_BIT(RD_GATE_CONTRACTS_CAP))
            cap = probe;
        record(d, RD_GATE_CONTRACTS_CAP, 1, probe > cap ? RD_REASON_REDUCED : RD_REASON_OK,
               RD_VAL_COUNT, probe, cap);
        if (probe > cap)
            probe = cap;
    } else if (entry && c->node) {
        record(d, RD_GATE_CONTRACTS_CAP, 1, RD_REASON_OK, RD_VAL_MONEY,
               rd_muldiv(probe, d->unit_cost, 1), c->node->position_cap);
    } else {
        record(d, RD_GATE_CONTRACTS_CAP, 1, entry ? RD_REASON_NOT_APPLICABLE : RD_REASON_EXIT_ALLOWED,
               RD_VAL_NONE, 0, 0);
    }

    if (entry) {
        rd_money room = r->max_notional_exposure - v->exposure;
        int64_t fit = room > 0 && d->unit_cost > 0 ? room / d->unit_cost : 0;

        probe = cap_gate(d, RD_GATE_NOTIONAL_EXPOSURE, probe, fit, RD_REASON_EXPOSURE_LIMIT,
                         RD_VAL_MONEY, v->exposure + rd_muldiv(probe, d->unit_cost, 1),
                         r->max_notional_exposure);
        if (c->paper && r->paper_ignore_buying_power) {
            record(d, RD_GATE_BUYING_POWER, 1, RD_REASON_PAPER_IGNORED, RD_VAL_MONEY,
                   v->buying_power, 0);
        } else if (!v->equity_known) {
            record(d, RD_GATE_BUYING_POWER, 0, RD_REASON_NO_EQUITY_DATA, RD_VAL_MONEY, 0, 0);
        } else {
            fit = v->buying_power > 0 && d->unit_cost > 0 ? v->buying_power / d->unit_cost : 0;
            probe = cap_gate(d, RD_GATE_BUYING_POWER, probe, fit, RD_REASON_INSUFFICIENT_BUYING_POWER,
                             RD_VAL_MONEY, rd_muldiv(probe, d->unit_cost, 1), v->buying_power);
        }
    } else {
        pass_exit(d, RD_GATE_NOTIONAL_EXPOSURE);
        pass_exit(d, RD_GATE_BUYING_POWER);
    }

    /* Every entry, any strategy: a swing entry that an exit closes today is a
     * day trade too. Held positions opened today count as the round trips
     * they become if they close today, so the entry that could make one too
     * many is the one refused. Exits always pass. */
    if (!entry) {
        record(d, RD_GATE_PATTERN_DAY_TRADER, 1, RD_REASON_EXIT_ALLOWED, RD_VAL_COUNT,
               v->day_trades + v->open_today, r->pdt.max_day_trades);
    } else if (!r->pdt.enabled) {
        record(d, RD_GATE_PATTERN_DAY_TRADER, 1, RD_REASON_DISABLED, RD_VAL_COUNT,
               v->day_trades + v->open_today, r->pdt.max_day_trades);
    } else if (!v->equity_known) {
        record(d, RD_GATE_PATTERN_DAY_TRADER, 0, RD_REASON_NO_EQUITY_DATA, RD_VAL_COUNT,
               v->day_trades + v->open_today, r->pdt.max_day_trades);
    } else if (v->equity >= r->pdt.threshold) {
        record(d, RD_GATE_PATTERN_DAY_TRADER, 1, RD_REASON_ABOVE_PDT_THRESHOLD, RD_VAL_MONEY,
               v->equity, r->pdt.threshold);
    } else {
        int32_t n = v->day_trades + v->open_today;
        int ok = n < r->pdt.max_day_trades;

        record(d, RD_GATE_PATTERN_DAY_TRADER, ok, ok ? RD_REASON_OK : RD_REASON_PDT_LIMIT,
               RD_VAL_COUNT, n, r->pdt.max_day_trades);
    }

    {
        int ok = v->orders_last_minute < r->max_orders_per_minute;

        record(d, RD_GATE_ORDER_RATE, ok, ok ? RD_REASON_OK : RD_REASON_RATE_LIMIT, RD_VAL_COUNT,
               v->orders_last_minute, r->max_orders_per_minute);
    }

    if (!entry) {
        pass_exit(d, RD_GATE_FIRM_EXPOSURE);
    } else if (c->firm_max_gross_exposure <= 0) {
        record(d, RD_GATE_FIRM_EXPOSURE, 1, RD_REASON_FIRM_CAP_OFF, RD_VAL_NONE, 0, 0);
    } else {
        rd_money room = c->firm_max_gross_exposure - v->firm_exposure;
        int64_t fit = room > 0 && d->unit_cost > 0 ? room / d->unit_cost : 0;

        probe = cap_gate(d, RD_GATE_FIRM_EXPOSURE, probe, fit, RD_REASON_FIRM_EXPOSURE_LIMIT,
                         RD_VAL_MONEY, v->firm_exposure + rd_muldiv(probe, d->unit_cost, 1),
                         c->firm_max_gross_exposure);
    }

    d->approved = d->first_failed == RD_GATE_COUNT;
    d->size = d->approved ? probe : 0;
}
