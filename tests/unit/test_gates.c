/* Every gate's pass and fail side, sizing edges, Kelly, tier boundaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "riskdesk/gates.h"
#include "gate_fixture.h"

static void setup_tiny(int64_t now)
{
    setup_large(now);
    rd_risk_defaults(RD_TIER_TINY, &F.risk);
    F.risk.kelly.enabled = 0;
    F.ctx.tier = &F.tiers.tier[RD_TIER_TINY];
    F.view.buying_power = F.view.equity = F.view.last_equity = 1804 * RD_MONEY_SCALE;
}

/* Only the named gate fails, and the decision is a rejection. */
static void expect_only_failure(enum rd_gate g, enum rd_reason reason)
{
    decide();
    expect_gate(g, 0, reason);
    assert_false(F.d.approved);
    assert_int_equal(F.d.size, 0);
    for (int i = 0; i < F.d.nverdicts; i++)
        if (F.d.verdicts[i].gate != g && !F.d.verdicts[i].passed)
            fail_msg("unexpected failure of %s (%s)", rd_gate_name(F.d.verdicts[i].gate),
                     rd_reason_name(F.d.verdicts[i].reason));
}

static void test_all_gates_recorded_and_approved(void **s)
{
    (void)s;
    setup_large(T_1030);
    decide();
    assert_int_equal(F.d.nverdicts, RD_GATE_COUNT);
    for (int g = 0; g < RD_GATE_COUNT; g++)
        assert_int_equal(F.d.verdicts[g].gate, g);
    assert_true(F.d.approved);
    /* large swing: 2% of 209,000 = 4,180; a contract risks $300 -> 13, capped at 10 contracts,
     * then the $10,000 exposure cap allows 33: size 10 */
    assert_int_equal(F.d.budget, RD_DOLLARS(4180));
    assert_int_equal(F.d.unit_risk, RD_DOLLARS(300));
    assert_int_equal(F.d.size, 10);
    expect_gate(RD_GATE_CONTRACTS_CAP, 1, RD_REASON_REDUCED);
    expect_gate(RD_GATE_MARKET_REGIME, 1, RD_REASON_NO_FEED_CONFIGURED);
    expect_gate(RD_GATE_FIRM_EXPOSURE, 1, RD_REASON_FIRM_CAP_OFF);
}

static void test_trading_state(void **s)
{
    (void)s;
    setup_large(T_1030);
    F.view.state = RD_STATE_HALTED;
    expect_only_failure(RD_GATE_TRADING_STATE, RD_REASON_STATE_HALTED);
    F.view.state = RD_STATE_REDUCING;
    expect_only_failure(RD_GATE_TRADING_STATE, RD_REASON_STATE_REDUCING);
    /* a sell of a held stock is an exit: allowed while reducing and halted */
    F.rec.action = RD_ACT_SELL_STOCK;
    memcpy(F.rec.symbol, "AAPL", 5);
    F.risk.allowed_actions |= RD_ACT_BIT(RD_ACT_SELL_STOCK);
    F.view.position_qty = 7;
    F.view.state = RD_STATE_HALTED;
    decide();
    assert_true(F.d.approved);
    assert_int_equal(F.d.size, 7);
    expect_gate(RD_GATE_TRADING_STATE, 1, RD_REASON_EXIT_ALLOWED);
}

static void test_daily_loss(void **s)
{
    (void)s;
    setup_large(T_1030);
    F.view.equity = F.view.last_equity - RD_DOLLARS(499);
    decide();
    expect_gate(RD_GATE_DAILY_LOSS, 1, RD_REASON_OK);
    F.view.equity = F.view.last_equity - RD_DOLLARS(500);      /* exactly the limit trips */
    expect_only_failure(RD_GATE_DAILY_LOSS, RD_REASON_DAILY_LOSS_LIMIT);
    assert_int_equal(verdict(RD_GATE_DAILY_LOSS)->observed, -RD_DOLLARS(500));
    assert_int_equal(verdict(RD_GATE_DAILY_LOSS)->threshold, -RD_DOLLARS(500));
}

static void test_missing_equity_fails_closed(void **s)
{
    (void)s;
    setup_large(T_1030);
    F.view.equity_known = 0;
    decide();
    assert_false(F.d.approved);
    expect_gate(RD_GATE_DAILY_LOSS, 0, RD_REASON_NO_EQUITY_DATA);
    expect_gate(RD_GATE_SIZING, 0, RD_REASON_NO_EQUITY_DATA);
    expect_gate(RD_GATE_BUYING_POWER, 0, RD_REASON_NO_EQUITY_DATA);
}

static void test_market_regime(void **s)
{
    (void)s;
    setup_large(T_1030);
    F.rec.has_vix = 1;
    F.rec.vix = 40 * 1000000LL;                 /* at the limit: allowed */
    decide();
    expect_gate(RD_GATE_MARKET_REGIME, 1, RD_REASON_OK);
    F.rec.vix = 40 * 1000000LL + 1;
    expect_only_failure(RD_GATE_MARKET_REGIME, RD_REASON_VIX_HALT);
    F.rec.has_vix = 0;
    F.market.feed = RD_FEED_ERROR;              /* configured feed down: closed */
    expect_only_failure(RD_GATE_MARKET_REGIME, RD_REASON_FEED_ERROR);
    F.market.feed = RD_FEED_OK;
    F.market.vix = 55 * 1000000LL;
    expect_only_failure(RD_GATE_MARKET_REGIME, RD_REASON_VIX_HALT);
    F.market.vix = 18 * 1000000LL;
    decide();
    expect_gate(RD_GATE_MARKET_REGIME, 1, RD_REASON_OK);
}

/* A feed level is usable for vix_max_age seconds after it was written; past
 * that the gate fails closed, showing the age against the maximum, whatever
 * the level. A recommendation's own vix does not depend on the feed. */
static void test_market_regime_stale_feed(void **s)
{
    const struct rd_gate_verdict *v;
    int64_t age = -1;

    (void)s;
    setup_large(T_1030);
    F.market.feed = RD_FEED_OK;
    F.market.vix = 18 * 1000000LL;
    F.market.vix_max_age = 900;
    F.market.vix_at = T_1030 - 900;             /* exactly the maximum: still usable */
    decide();
    expect_gate(RD_GATE_MARKET_REGIME, 1, RD_REASON_OK);
    assert_int_equal(rd_market_feed_stale(&F.market, T_1030, &age), 0);
    assert_int_equal(age, 900);
    F.market.vix_at = T_1030 - 901;
    expect_only_failure(RD_GATE_MARKET_REGIME, RD_REASON_FEED_STALE);
    v = verdict(RD_GATE_MARKET_REGIME);
    assert_int_equal(v->kind, RD_VAL_SECONDS);
    assert_int_equal(v->observed, 901);
    assert_int_equal(v->threshold, 900);
    {
        char why[256];

        rd_decision_failures(&F.d, 0, why, sizeof why);
        assert_string_equal(why, "market_regime: feed_stale (901s vs 900s)");
    }
    F.market.vix_at = T_1030 - 86400 * 3;       /* a weekend-old level, however calm */
    F.market.vix = 12 * 1000000LL;
    expect_only_failure(RD_GATE_MARKET_REGIME, RD_REASON_FEED_STALE);
    assert_int_equal(verdict(RD_GATE_MARKET_REGIME)->observed, 86400 * 3);
    F.market.vix_at = T_1030 + 60;              /* written after a clock pinned earlier */
    decide();
    expect_gate(RD_GATE_MARKET_REGIME, 1, RD_REASON_OK);
    assert_int_equal(rd_market_feed_stale(&F.market, T_1030, &age), 0);
    assert_int_equal(age, 0);
    F.market.vix_at = T_1030 - 5000;            /* the recommendation's own level wins */
    F.rec.has_vix = 1;
    F.rec.vix = 20 * 1000000LL;
    decide();
    expect_gate(RD_GATE_MARKET_REGIME, 1, RD_REASON_OK);
    F.rec.has_vix = 0;
    F.market.vix_max_age = 0;                   /* a view without an age check */
    decide();
    expect_gate(RD_GATE_MARKET_REGIME, 1, RD_REASON_OK);
}

static void test_trading_hours(void **s)
{
    (void)s;
    setup_large(T_0932);
    F.rec.created_at = T_0932;
    expect_only_failure(RD_GATE_TRADING_HOURS, RD_REASON_OPENING_MINUTES);
    setup_large(T_0936);
    decide();
    expect_gate(RD_GATE_TRADING_HOURS, 1, RD_REASON_OK);
    setup_large(T_1400);
    F.rec.strategy = RD_STRAT_DAY;
    expect_only_failure(RD_GATE_TRADING_HOURS, RD_REASON_PAST_ENTRY_CUTOFF);
    F.rec.strategy = RD_STRAT_SWING;
    decide();
    expect_gate(RD_GATE_TRADING_HOURS, 1, RD_REASON_OK);
    setup_large(T_1500);
    expect_only_failure(RD_GATE_TRADING_HOURS, RD_REASON_PAST_ENTRY_CUTOFF);
    setup_large(T_1605);
    expect_only_failure(RD_GATE_TRADING_HOURS, RD_REASON_MARKET_CLOSED);
    setup_large(T_SAT);
    expect_only_failure(RD_GATE_TRADING_HOURS, RD_REASON_MARKET_CLOSED);
    /* early close 13:00: entries stop an hour before, at 12:00 */
    setup_large(T_EARLY_1130);
    decide();
    expect_gate(RD_GATE_TRADING_HOURS, 1, RD_REASON_OK);
    assert_int_equal(verdict(RD_GATE_TRADING_HOURS)->threshold, 12 * 60);
    setup_large(T_EARLY_1130 + 30 * 60);
    expect_only_failure(RD_GATE_TRADING_HOURS, RD_REASON_PAST_ENTRY_CUTOFF);
}

static void test_freshness(void **s)
{
    (void)s;
    setup_large(T_1030);
    F.rec.created_at = T_1030 - 300;             /* exactly 300 s: fresh */
    decide();
    expect_gate(RD_GATE_FRESHNESS, 1, RD_REASON_OK);
    F.rec.created_at = T_1030 - 301;
    expect_only_failure(RD_GATE_FRESHNESS, RD_REASON_STALE);
    F.rec.created_at = T_1030 + 60;
    expect_only_failure(RD_GATE_FRESHNESS, RD_REASON_FROM_FUTURE);
    F.rec.created_at = T_1030 - 10;
    F.rec.expires_at = T_1030;
    expect_only_failure(RD_GATE_FRESHNESS, RD_REASON_EXPIRED);
}

static void test_allowed_action_and_sell(void **s)
{
    (void)s;
    setup_large(T_1030);
    F.rec.action = RD_ACT_BUY_STOCK;
    memcpy(F.rec.symbol, "AAPL", 5);
    F.rec.price = RD_DOLLARS(200);
    F.rec.stop_price = RD_DOLLARS(190);
    expect_only_failure(RD_GATE_ALLOWED_ACTION, RD_REASON_ACTION_NOT_ALLOWED);
    F.risk.allowed_actions |= RD_ACT_BIT(RD_ACT_BUY_STOCK) | RD_ACT_BIT(RD_ACT_SELL_STOCK);
    decide();
    assert_true(F.d.approved);
    F.rec.action = RD_ACT_SELL_STOCK;
    F.view.position_qty = 0;
    decide();
    assert_false(F.d.approved);
    expect_gate(RD_GATE_SELL_POSITION, 0, RD_REASON_NO_POSITION);
}

static void test_confidence_and_volume(void **s)
{
    (void)s;
    setup_large(T_1030);
    F.rec.confidence = 400000;                   /* swing minimum 0.40, tier 0.45 */
    expect_only_failure(RD_GATE_CONFIDENCE, RD_REASON_LOW_CONFIDENCE);
    assert_int_equal(verdict(RD_GATE_CONFIDENCE)->threshold, 450000);
    F.rec.confidence = 450000;
    decide();
    expect_gate(RD_GATE_CONFIDENCE, 1, RD_REASON_OK);
    F.rec.strategy = RD_STRAT_DAY;               /* day minimum 0.60 */
    expect_only_failure(RD_GATE_CONFIDENCE, RD_REASON_LOW_CONFIDENCE);
    F.rec.confidence = 600000;
    decide();
    expect_gate(RD_GATE_CONFIDENCE, 1, RD_REASON_OK);
    F.rec.volume_ratio = 1199999;                /* large tier needs 1.2 */
    expect_only_failure(RD_GATE_VOLUME_RATIO, RD_REASON_LOW_VOLUME_RATIO);
    F.rec.volume_ratio = 1200000;
    decide();
    expect_gate(RD_GATE_VOLUME_RATIO, 1, RD_REASON_OK);
}

static void test_duplicate_entries_cooldown_positions(void **s)
{
    (void)s;
    setup_large(T_1030);
    F.view.position_qty = 2;
    expect_only_failure(RD_GATE_DUPLICATE_POSITION, RD_REASON_ALREADY_HOLDING);
    F.view.position_qty = 0;
    F.view.entries_today = 2;
    expect_only_failure(RD_GATE_TICKER_ENTRIES, RD_REASON_TOO_MANY_ENTRIES);
    F.view.entries_today = 1;
    F.view.last_entry_at = T_1030 - 15 * 60 + 1;
    expect_only_failure(RD_GATE_TICKER_COOLDOWN, RD_REASON_COOLDOWN);
    F.view.last_entry_at = T_1030 - 15 * 60;
    decide();
    expect_gate(RD_GATE_TICKER_COOLDOWN, 1, RD_REASON_OK);
    F.view.open_positions = 5;
    expect_only_failure(RD_GATE_OPEN_POSITIONS, RD_REASON_TOO_MANY_POSITIONS);
    F.view.open_positions = 4;
    decide();
    assert_true(F.d.approved);
}

static void test_sizing_never_forced_up(void **s)
{
    (void)s;
    setup_tiny(T_1030);
    /* tiny swing: min(8%, 15%) of 1,804 = 144.32; a $3.00 premium costs $300 a contract */
    expect_only_failure(RD_GATE_SIZING, RD_REASON_BUDGET_TOO_SMALL);
    assert_int_equal(F.d.budget, 1443200);
    F.rec.price = 14432;                         /* $1.4432: exactly affordable */
    decide();
    assert_true(F.d.approved);
    assert_int_equal(F.d.size, 1);
    F.rec.price = 14433;
    expect_only_failure(RD_GATE_SIZING, RD_REASON_BUDGET_TOO_SMALL);
}

static void test_sizing_stock_and_bad_values(void **s)
{
    (void)s;
    setup_large(T_1030);
    F.risk.allowed_actions |= RD_ACT_BIT(RD_ACT_BUY_STOCK);
    F.rec.action = RD_ACT_BUY_STOCK;
    memcpy(F.rec.symbol, "AAPL", 5);
    F.rec.price = RD_DOLLARS(50);
    F.rec.stop_price = RD_DOLLARS(48);           /* $2 risk a share; budget 4,180 -> 2090 shares */
    decide();
    assert_int_equal(F.d.unit_risk, RD_DOLLARS(2));
    /* then exposure: $10,000 / $50 = 200 shares */
    assert_true(F.d.approved);
    assert_int_equal(F.d.size, 200);
    expect_gate(RD_GATE_NOTIONAL_EXPOSURE, 1, RD_REASON_REDUCED);
    expect_gate(RD_GATE_CONTRACTS_CAP, 1, RD_REASON_NOT_APPLICABLE);
    F.rec.stop_price = 0;                         /* no stop: the whole price is at risk */
    decide();
    assert_int_equal(F.d.unit_risk, RD_DOLLARS(50));
    F.rec.stop_price = RD_DOLLARS(50);
    expect_only_failure(RD_GATE_SIZING, RD_REASON_INVALID_PRICE);
    F.rec.stop_price = 0;
    F.rec.price = 0;
    decide();
    assert_false(F.d.approved);
    expect_gate(RD_GATE_SIZING, 0, RD_REASON_INVALID_PRICE);
    F.rec.price = -RD_DOLLARS(5);
    decide();
    assert_false(F.d.approved);
    F.rec.price = RD_DOLLARS(50);
    F.view.buying_power = -RD_DOLLARS(1);         /* negative buying power: nothing */
    decide();
    assert_false(F.d.approved);
    expect_gate(RD_GATE_SIZING, 0, RD_REASON_BUDGET_TOO_SMALL);
    F.view.buying_power = RD_MONEY_MAX;           /* huge: no overflow, caps hold */
    F.view.equity = F.view.last_equity = RD_MONEY_MAX;
    decide();
    assert_true(F.d.approved);
    assert_int_equal(F.d.size, 200);
}

static void test_exposure_and_buying_power(void **s)
{
    (void)s;
    setup_large(T_1030);
    F.view.exposure = RD_DOLLARS(9800);           /* $200 room, a contract costs $300 */
    expect_only_failure(RD_GATE_NOTIONAL_EXPOSURE, RD_REASON_EXPOSURE_LIMIT);
    F.view.exposure = RD_DOLLARS(9000);           /* room for 3 */
    decide();
    assert_true(F.d.approved);
    assert_int_equal(F.d.size, 3);
    F.view.exposure = 0;
    F.view.buying_power = RD_DOLLARS(20000);      /* budget 400 -> 1 contract */
    decide();
    assert_int_equal(F.d.size, 1);
    /* a stock with a tight stop: the budget affords more shares than buying power pays for */
    F.risk.allowed_actions |= RD_ACT_BIT(RD_ACT_BUY_STOCK);
    F.rec.action = RD_ACT_BUY_STOCK;
    memcpy(F.rec.symbol, "AAPL", 5);
    F.rec.price = RD_DOLLARS(50);
    F.rec.stop_price = RD_DOLLARS(50) - 100;      /* one cent of risk a share */
    F.view.buying_power = RD_DOLLARS(40);         /* budget $0.80 -> 80 shares; bp pays for none */
    expect_only_failure(RD_GATE_BUYING_POWER, RD_REASON_INSUFFICIENT_BUYING_POWER);
    F.view.buying_power = RD_DOLLARS(1000);       /* budget $20 -> 2000; exposure 200; bp 20 */
    decide();
    assert_true(F.d.approved);
    assert_int_equal(F.d.size, 20);
    expect_gate(RD_GATE_BUYING_POWER, 1, RD_REASON_REDUCED);
    F.risk.paper_ignore_buying_power = 1;
    decide();
    expect_gate(RD_GATE_BUYING_POWER, 1, RD_REASON_PAPER_IGNORED);
    assert_int_equal(F.d.size, 200);
    F.ctx.paper = 0;                              /* the paper switch does nothing live */
    decide();
    expect_gate(RD_GATE_BUYING_POWER, 1, RD_REASON_REDUCED);
    assert_int_equal(F.d.size, 20);
}

static void test_pdt_guard(void **s)
{
    (void)s;
    setup_tiny(T_1030);
    /* off by default: the broker's rule is gone; it is a churn limit now */
    F.rec.price = RD_DOLLARS(1);
    F.rec.strategy = RD_STRAT_DAY;
    F.view.day_trades = 5;
    decide();
    assert_true(F.d.approved);
    expect_gate(RD_GATE_PATTERN_DAY_TRADER, 1, RD_REASON_DISABLED);

    F.risk.pdt.enabled = 1;
    F.view.day_trades = 3;
    expect_only_failure(RD_GATE_PATTERN_DAY_TRADER, RD_REASON_PDT_LIMIT);
    F.view.day_trades = 2;
    decide();
    assert_true(F.d.approved);
    /* a swing entry closed by an exit today is a day trade too: it is guarded */
    F.view.day_trades = 3;
    F.rec.strategy = RD_STRAT_SWING;
    expect_only_failure(RD_GATE_PATTERN_DAY_TRADER, RD_REASON_PDT_LIMIT);
    /* a position opened today and still held counts as the round trip it
     * becomes if it closes today: the entry that could make a fourth is refused */
    F.view.day_trades = 2;
    F.view.open_today = 1;
    expect_only_failure(RD_GATE_PATTERN_DAY_TRADER, RD_REASON_PDT_LIMIT);
    F.view.open_today = 0;
    decide();
    assert_true(F.d.approved);
    /* exits always pass */
    F.view.day_trades = 9;
    F.rec.action = RD_ACT_SELL_STOCK;
    F.view.position_qty = 1;
    decide();
    expect_gate(RD_GATE_PATTERN_DAY_TRADER, 1, RD_REASON_EXIT_ALLOWED);

    setup_large(T_1030);
    F.risk.pdt.enabled = 1;
    F.rec.strategy = RD_STRAT_DAY;
    F.view.day_trades = 10;                       /* $209K is above the threshold */
    decide();
    expect_gate(RD_GATE_PATTERN_DAY_TRADER, 1, RD_REASON_ABOVE_PDT_THRESHOLD);
}

static void test_order_rate_and_firm_cap(void **s)
{
    (void)s;
    setup_large(T_1030);
    F.view.orders_last_minute = 30;
    expect_only_failure(RD_GATE_ORDER_RATE, RD_REASON_RATE_LIMIT);
    F.view.orders_last_minute = 29;
    F.ctx.firm_max_gross_exposure = RD_DOLLARS(50000);
    F.view.firm_exposure = RD_DOLLARS(49900);
    expect_only_failure(RD_GATE_FIRM_EXPOSURE, RD_REASON_FIRM_EXPOSURE_LIMIT);
    F.view.firm_exposure = RD_DOLLARS(49000);     /* room for 3 */
    decide();
    assert_true(F.d.approved);
    assert_int_equal(F.d.size, 3);
    expect_gate(RD_GATE_FIRM_EXPOSURE, 1, RD_REASON_REDUCED);
}

static void test_every_failure_recorded_not_just_first(void **s)
{
    (void)s;
    setup_large(T_SAT);
    F.view.state = RD_STATE_HALTED;
    F.rec.confidence = 0;
    F.view.open_positions = 99;
    decide();
    assert_int_equal(F.d.first_failed, RD_GATE_TRADING_STATE);
    expect_gate(RD_GATE_TRADING_STATE, 0, RD_REASON_STATE_HALTED);
    expect_gate(RD_GATE_TRADING_HOURS, 0, RD_REASON_MARKET_CLOSED);
    expect_gate(RD_GATE_CONFIDENCE, 0, RD_REASON_LOW_CONFIDENCE);
    expect_gate(RD_GATE_OPEN_POSITIONS, 0, RD_REASON_TOO_MANY_POSITIONS);
}

static void test_kelly(void **s)
{
    struct rd_kelly_config k;
    struct rd_risk_config r;

    (void)s;
    rd_risk_defaults(RD_TIER_LARGE, &r);
    k = r.kelly;
    /* too few trades: not applied */
    assert_int_equal(rd_kelly_fraction(&k, 19, 10, RD_DOLLARS(1000), RD_DOLLARS(500)), -1);
    /* W = 0.5, R = 2: f* = 0.5 - 0.5/2 = 0.25, half Kelly = 0.125 */
    assert_int_equal(rd_kelly_fraction(&k, 20, 10, RD_DOLLARS(2000), RD_DOLLARS(1000)), 125000);
    /* W = 0.6, R = 1: f* = 0.2 -> 0.1 */
    assert_int_equal(rd_kelly_fraction(&k, 20, 12, RD_DOLLARS(1200), RD_DOLLARS(800)), 100000);
    /* negative edge: W = 0.3, R = 1 -> f* = -0.4, clamped to 0 */
    assert_int_equal(rd_kelly_fraction(&k, 20, 6, RD_DOLLARS(600), RD_DOLLARS(1400)), 0);
    /* no wins at all */
    assert_int_equal(rd_kelly_fraction(&k, 20, 0, 0, RD_DOLLARS(1400)), 0);
    /* no losses: f* = W = 1, capped at 0.25, half = 0.125 */
    assert_int_equal(rd_kelly_fraction(&k, 20, 20, RD_DOLLARS(2000), 0), 125000);
    k.enabled = 0;
    assert_int_equal(rd_kelly_fraction(&k, 50, 40, RD_DOLLARS(2000), RD_DOLLARS(10)), -1);
}

static void test_kelly_in_sizing(void **s)
{
    (void)s;
    setup_large(T_1030);
    F.risk.kelly.enabled = 1;
    F.view.closed_trades = 20;
    F.view.winning_trades = 6;
    F.view.gross_wins = RD_DOLLARS(600);
    F.view.gross_losses = RD_DOLLARS(1400);
    expect_only_failure(RD_GATE_SIZING, RD_REASON_KELLY_NO_EDGE);
    F.risk.kelly.on_zero = RD_KELLY_ZERO_TIER;   /* the documented alternative */
    decide();
    assert_true(F.d.approved);
    assert_int_equal(F.d.risk_pct, 20000);
    /* a positive but small Kelly lowers the fraction: W=0.55, R=1 -> f*=0.1 -> 0.05 > 2%: tier wins */
    F.view.winning_trades = 11;
    F.view.gross_wins = RD_DOLLARS(1100);
    F.view.gross_losses = RD_DOLLARS(900);
    decide();
    assert_int_equal(F.d.risk_pct, 20000);
    /* tiny's 8% swing against the same 5% Kelly: Kelly wins */
    setup_tiny(T_1030);
    F.risk.kelly.enabled = 1;
    F.view.closed_trades = 20;
    F.view.winning_trades = 11;
    F.view.gross_wins = RD_DOLLARS(1100);
    F.view.gross_losses = RD_DOLLARS(900);
    F.rec.price = 5000;          /* $0.50 */
    decide();
    assert_int_equal(F.d.risk_pct, 50000);
    assert_true(F.d.kelly_used);
    assert_int_equal(F.d.budget, 1804 * RD_MONEY_SCALE / 20);
}

/* The tiny tier's cap: tiers.tiny.max_contracts (1) is the stricter of the
 * two shipped limits and wins over risk.max_contracts_per_trade (2); setting
 * the tier's cap to 2 is how an account takes the other reading. */
static void test_tiny_contract_cap(void **s)
{
    (void)s;
    setup_tiny(T_1030);
    F.rec.strategy = RD_STRAT_DAY;
    F.rec.price = RD_DOLLARS(1);        /* $100 a contract: 15% of $1,804 buys 2 */
    assert_int_equal(F.risk.max_contracts_per_trade, 2);
    assert_int_equal(F.tiers.tier[RD_TIER_TINY].max_contracts, 1);
    decide();
    assert_true(F.d.approved);
    assert_int_equal(F.d.size, 1);
    expect_gate(RD_GATE_CONTRACTS_CAP, 1, RD_REASON_REDUCED);
    assert_int_equal(verdict(RD_GATE_CONTRACTS_CAP)->threshold, 1);

    F.tiers.tier[RD_TIER_TINY].max_contracts = 2;
    decide();
    assert_true(F.d.approved);
    assert_int_equal(F.d.size, 2);
    expect_gate(RD_GATE_CONTRACTS_CAP, 1, RD_REASON_OK);
}

static void test_tier_boundaries(void **s)
{
    struct rd_tier_table t;

    (void)s;
    rd_tier_table_defaults(&t);
    assert_int_equal(rd_tier_table_validate(&t, NULL), RD_OK);
    assert_int_equal(rd_tier_classify(&t, RD_DOLLARS(1999) + 9999), RD_TIER_TINY);
    assert_int_equal(rd_tier_classify(&t, RD_DOLLARS(2000)), RD_TIER_SMALL);
    assert_int_equal(rd_tier_classify(&t, RD_DOLLARS(5000) - 1), RD_TIER_SMALL);
    assert_int_equal(rd_tier_classify(&t, RD_DOLLARS(5000)), RD_TIER_MEDIUM);
    assert_int_equal(rd_tier_classify(&t, RD_DOLLARS(25000) - 1), RD_TIER_MEDIUM);
    assert_int_equal(rd_tier_classify(&t, RD_DOLLARS(25000)), RD_TIER_LARGE);
    assert_int_equal(rd_tier_classify(&t, RD_DOLLARS(209000)), RD_TIER_LARGE);
    assert_int_equal(rd_tier_classify(&t, 0), RD_TIER_TINY);
    assert_int_equal(rd_tier_classify(&t, -RD_DOLLARS(50)), RD_TIER_TINY);
    t.tier[RD_TIER_MEDIUM].min_buying_power = RD_DOLLARS(2000);
    assert_int_equal(rd_tier_table_validate(&t, NULL), RD_ECONFIG);
}

static void test_value_format(void **s)
{
    char b[32];

    (void)s;
    rd_gate_value_format(RD_VAL_MINUTE, 14 * 60, b, sizeof b);
    assert_string_equal(b, "14:00");
    rd_gate_value_format(RD_VAL_MONEY, -RD_DOLLARS(500), b, sizeof b);
    assert_string_equal(b, "-500.00");
    rd_gate_value_format(RD_VAL_PPM, 450000, b, sizeof b);
    assert_string_equal(b, "0.45");
    rd_gate_value_format(RD_VAL_STATE, RD_STATE_HALTED, b, sizeof b);
    assert_string_equal(b, "HALTED");
    rd_gate_value_format(RD_VAL_SECONDS, 301, b, sizeof b);
    assert_string_equal(b, "301s");
    rd_gate_value_format(RD_VAL_SESSION, 570 * 1440 + 960, b, sizeof b);
    assert_string_equal(b, "09:30-16:00");
    rd_gate_value_format(RD_VAL_SESSION, RD_SESSION_NONE, b, sizeof b);
    assert_string_equal(b, "no session");
}

/* A closed market's verdict: the time against the day's session, not 00:00. */
static void test_market_closed_shows_session(void **s)
{
    char b[256];

    (void)s;
    setup_large(T_1605);
    decide();
    rd_decision_failures(&F.d, 1, b, sizeof b);
    assert_string_equal(b, "trading_hours: market_closed (16:05 vs 09:30-16:00)");
    setup_large(T_SAT);
    decide();
    rd_decision_failures(&F.d, 1, b, sizeof b);
    assert_string_equal(b, "trading_hours: market_closed (10:30 vs no session)");
    setup_large(T_EARLY_1130 + 2 * 3600);
    decide();
    rd_decision_failures(&F.d, 1, b, sizeof b);
    assert_string_equal(b, "trading_hours: market_closed (13:30 vs 09:30-13:00)");
}

/* A person's own trade: the signal's gates (volume ratio, confidence) do
 * not apply, a plain stock buy is allowed; the account's limits still do. */
static void test_person_trade(void **s)
{
    (void)s;
    setup_large(T_1030);
    /* what POST /api/v1/trade and Slack's /trade send: ratio 1.0, a stock buy */
    memcpy(F.rec.symbol, "AAPL", 5);
    F.rec.action = RD_ACT_BUY_STOCK;
    F.rec.strategy = RD_STRAT_DAY;
    F.rec.volume_ratio = 1000000;
    F.rec.confidence = 1000000;
    F.rec.price = RD_DOLLARS(230);
    /* as a signal: refused twice over */
    decide();
    assert_false(F.d.approved);
    expect_gate(RD_GATE_ALLOWED_ACTION, 0, RD_REASON_ACTION_NOT_ALLOWED);
    expect_gate(RD_GATE_VOLUME_RATIO, 0, RD_REASON_LOW_VOLUME_RATIO);
    /* as a person's: approved, the ratio recorded but waived */
    F.rec.origin = RD_ORIGIN_PERSON;
    decide();
    assert_true(F.d.approved);
    expect_gate(RD_GATE_ALLOWED_ACTION, 1, RD_REASON_OK);
    expect_gate(RD_GATE_VOLUME_RATIO, 1, RD_REASON_PERSON_TRADE);
    expect_gate(RD_GATE_CONFIDENCE, 1, RD_REASON_PERSON_TRADE);
    assert_true(verdict(RD_GATE_VOLUME_RATIO)->observed == 1000000);
    /* the account's limits still apply: hours, the kill switch, exposure */
    setup_large(T_1500);
    F.rec.origin = RD_ORIGIN_PERSON;
    F.rec.volume_ratio = 1000000;
    expect_only_failure(RD_GATE_TRADING_HOURS, RD_REASON_PAST_ENTRY_CUTOFF);
    setup_large(T_1030);
    F.rec.origin = RD_ORIGIN_PERSON;
    F.rec.volume_ratio = 1000000;
    F.view.state = RD_STATE_HALTED;
    expect_only_failure(RD_GATE_TRADING_STATE, RD_REASON_STATE_HALTED);
    F.view.state = RD_STATE_ACTIVE;
    F.view.exposure = F.risk.max_notional_exposure;
    expect_only_failure(RD_GATE_NOTIONAL_EXPOSURE, RD_REASON_EXPOSURE_LIMIT);
    /* the account's own setting: volume_ratio back in, actions narrowed */
    F.view.exposure = 0;
    F.risk.person_trades.gates |= RD_GATE_BIT(RD_GATE_VOLUME_RATIO);
    expect_only_failure(RD_GATE_VOLUME_RATIO, RD_REASON_LOW_VOLUME_RATIO);
    F.risk.person_trades.gates &= ~RD_GATE_BIT(RD_GATE_VOLUME_RATIO);
    F.risk.person_trades.allowed_actions = RD_ACT_BIT(RD_ACT_BUY_PUT);
    expect_only_failure(RD_GATE_ALLOWED_ACTION, RD_REASON_ACTION_NOT_ALLOWED);
    /* an exposure limit left out neither fails nor cuts the size */
    F.risk.person_trades.allowed_actions = RD_ACT_BIT(RD_ACT_BUY_CALL);
    F.risk.person_trades.gates &= ~RD_GATE_BIT(RD_GATE_NOTIONAL_EXPOSURE);
    F.view.exposure = F.risk.max_notional_exposure;
    decide();
    assert_true(F.d.approved);
    expect_gate(RD_GATE_NOTIONAL_EXPOSURE, 1, RD_REASON_PERSON_TRADE);
    /* a signal's recommendation never sees the person's setting */
    F.rec.origin = RD_ORIGIN_SIGNAL;
    F.rec.volume_ratio = 2500000;
    expect_only_failure(RD_GATE_NOTIONAL_EXPOSURE, RD_REASON_EXPOSURE_LIMIT);
}

static void test_person_trades_validate(void **s)
{
    struct rd_risk_config r;
    struct rd_error err = {0};

    (void)s;
    rd_risk_defaults(RD_TIER_SMALL, &r);
    assert_int_equal(rd_risk_validate(&r, &err), RD_OK);
    assert_true(r.person_trades.gates == (RD_GATE_ALL & ~RD_GATES_SIGNAL_ONLY));
    assert_true(r.person_trades.allowed_actions & RD_ACT_BIT(RD_ACT_BUY_STOCK));
    assert_true(r.person_trades.allowed_actions & RD_ACT_BIT(RD_ACT_SELL_STOCK));
    r.person_trades.gates &= ~RD_GATE_BIT(RD_GATE_TRADING_STATE);
    assert_int_equal(rd_risk_validate(&r, &err), RD_ECONFIG);
    assert_non_null(strstr(err.msg, "person_trades.gates: leaves out trading_state"));
    rd_risk_defaults(RD_TIER_SMALL, &r);
    r.person_trades.gates &= ~RD_GATE_BIT(RD_GATE_SIZING);
    assert_int_equal(rd_risk_validate(&r, &err), RD_ECONFIG);
    assert_non_null(strstr(err.msg, "leaves out sizing"));
    rd_risk_defaults(RD_TIER_SMALL, &r);
    r.person_trades.allowed_actions = 0;
    assert_int_equal(rd_risk_validate(&r, &err), RD_ECONFIG);
    assert_non_null(strstr(err.msg, "person_trades.allowed_actions"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_gates_recorded_and_approved),
        cmocka_unit_test(test_trading_state),
        cmocka_unit_test(test_daily_loss),
        cmocka_unit_test(test_missing_equity_fails_closed),
        cmocka_unit_test(test_market_regime),
        cmocka_unit_test(test_market_regime_stale_feed),
        cmocka_unit_test(test_trading_hours),
        cmocka_unit_test(test_freshness),
        cmocka_unit_test(test_allowed_action_and_sell),
        cmocka_unit_test(test_confidence_and_volume),
        cmocka_unit_test(test_duplicate_entries_cooldown_positions),
        cmocka_unit_test(test_sizing_never_forced_up),
        cmocka_unit_test(test_sizing_stock_and_bad_values),
        cmocka_unit_test(test_exposure_and_buying_power),
        cmocka_unit_test(test_pdt_guard),
        cmocka_unit_test(test_order_rate_and_firm_cap),
        cmocka_unit_test(test_every_failure_recorded_not_just_first),
        cmocka_unit_test(test_kelly),
        cmocka_unit_test(test_kelly_in_sizing),
        cmocka_unit_test(test_tiny_contract_cap),
        cmocka_unit_test(test_tier_boundaries),
        cmocka_unit_test(test_value_format),
        cmocka_unit_test(test_market_closed_shows_session),
        cmocka_unit_test(test_person_trade),
        cmocka_unit_test(test_person_trades_validate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
