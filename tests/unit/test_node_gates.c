/* A hierarchy node's gates from its type (hierarchy.h, gates.h): positions,
 * the per-position notional cap, the risk multiplier, buying power from the
 * ledger, the order they are layered in, and how a node's state trades. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "riskdesk/hierarchy.h"
#include "gate_fixture.h"

static struct rd_node_types types;
static struct rd_node_limits limits;

/* A gen node of 10,000 on the medium tier buying stock at $100 with a $95
 * stop: the tier's 6% swing risk buys 600 / 5 = 120 shares before any cap. */
static void node_setup(enum rd_node_type type, rd_money capital)
{
    setup_large(T_1030);
    rd_node_types_default(&types);
    rd_risk_defaults(RD_TIER_MEDIUM, &F.risk);
    F.risk.kelly.enabled = 0;
    F.risk.allowed_actions |= RD_ACT_BIT(RD_ACT_BUY_STOCK) | RD_ACT_BIT(RD_ACT_BUY_CALL);
    F.risk.max_notional_exposure = RD_DOLLARS(1000000);
    F.risk.pdt.enabled = 0;
    rd_node_limits_layer(&types.t[type], capital, 0, 0, &F.risk, &limits);
    F.ctx.tier = &F.tiers.tier[RD_TIER_MEDIUM];
    F.ctx.node = &limits;
    F.view.buying_power = F.view.equity = F.view.last_equity = capital;
    memcpy(F.rec.symbol, "AAPL", 5);
    F.rec.action = RD_ACT_BUY_STOCK;
    F.rec.price = RD_DOLLARS(100);
    F.rec.stop_price = RD_DOLLARS(95);
}

static void test_layer_positions_and_order(void **state)
{
    struct rd_risk_config r;
    struct rd_node_limits l;
    struct rd_node_types t;

    (void)state;
    rd_node_types_default(&t);
    /* tier defaults (medium: 4 positions), then kelly, then the node's type */
    rd_risk_defaults(RD_TIER_MEDIUM, &r);
    r.kelly.fraction = 300000;
    rd_node_limits_layer(&t.t[RD_NODE_REV], RD_DOLLARS(100000), 0, 0, &r, &l);
    assert_int_equal(r.max_open_positions, 20);
    assert_int_equal(r.kelly.fraction, 300000);         /* kelly's keys stay */
    assert_int_equal(l.position_cap, RD_DOLLARS(15000)); /* 15% of 100,000 */
    assert_int_equal(l.risk_ppm, 1200000);
    assert_int_equal(l.own_risk_pct, 0);
    /* the account's own key comes last: the type does not override it */
    rd_risk_defaults(RD_TIER_MEDIUM, &r);
    r.max_open_positions = 7;
    rd_node_limits_layer(&t.t[RD_NODE_COM], RD_DOLLARS(500000), 1, 1, &r, &l);
    assert_int_equal(r.max_open_positions, 7);
    assert_int_equal(l.position_cap, RD_DOLLARS(50000));
    assert_int_equal(l.own_risk_pct, 1);
    /* no capital, no room */
    rd_node_limits_layer(&t.t[RD_NODE_GEN], -5, 0, 0, &r, &l);
    assert_int_equal(l.position_cap, 0);
}

static void test_positions_gate(void **state)
{
    (void)state;
    node_setup(RD_NODE_REV, RD_DOLLARS(100000));
    F.view.open_positions = 19;
    decide();
    expect_gate(RD_GATE_OPEN_POSITIONS, 1, RD_REASON_OK);
    assert_true(F.d.approved);
    F.view.open_positions = 20;            /* the 21st position */
    decide();
    expect_gate(RD_GATE_OPEN_POSITIONS, 0, RD_REASON_TOO_MANY_POSITIONS);
    assert_int_equal(verdict(RD_GATE_OPEN_POSITIONS)->threshold, 20);
    assert_false(F.d.approved);
}

static void test_notional_cap_stock(void **state)
{
    const struct rd_gate_verdict *v;

    (void)state;
    node_setup(RD_NODE_GEN, RD_DOLLARS(10000));
    decide();
    /* 120 shares by risk; 20% of 10,000 = 2,000 fits 20 at $100 */
    assert_true(F.d.approved);
    assert_int_equal(F.d.size, 20);
    v = verdict(RD_GATE_CONTRACTS_CAP);
    assert_int_equal(v->reason, RD_REASON_REDUCED);
    assert_int_equal(v->observed, RD_DOLLARS(12000));
    assert_int_equal(v->threshold, RD_DOLLARS(2000));
    /* one share over the cap: refused, not forced up to one */
    F.rec.price = RD_DOLLARS(2000) + 1;
    F.rec.stop_price = RD_DOLLARS(1990);
    decide();
    expect_gate(RD_GATE_CONTRACTS_CAP, 0, RD_REASON_POSITION_NOTIONAL);
    assert_false(F.d.approved);
    assert_int_equal(F.d.first_failed, RD_GATE_CONTRACTS_CAP);
    /* exactly at the cap: one share */
    F.rec.price = RD_DOLLARS(2000);
    decide();
    assert_true(F.d.approved);
    assert_int_equal(F.d.size, 1);
    /* an account that is no node: a stock has no contracts cap */
    F.ctx.node = NULL;
    decide();
    expect_gate(RD_GATE_CONTRACTS_CAP, 1, RD_REASON_NOT_APPLICABLE);
}

static void test_notional_cap_option(void **state)
{
    (void)state;
    node_setup(RD_NODE_GEN, RD_DOLLARS(10000));
    memcpy(F.rec.symbol, "AAPL261218C00230000", 20);
    F.rec.action = RD_ACT_BUY_CALL;
    F.rec.stop_price = 0;
    F.rec.price = RD_DOLLARS(3);           /* $300 a contract: 600 / 300 = 2 by risk */
    decide();
    assert_true(F.d.approved);
    assert_int_equal(F.d.size, 2);
    expect_gate(RD_GATE_CONTRACTS_CAP, 1, RD_REASON_OK);
    /* a richer budget: 5 contracts (the tier's cap) would cost 1,500 < 2,000 */
    F.view.buying_power = RD_DOLLARS(100000);
    decide();
    assert_int_equal(F.d.size, 5);
    expect_gate(RD_GATE_CONTRACTS_CAP, 1, RD_REASON_REDUCED);
    assert_int_equal(verdict(RD_GATE_CONTRACTS_CAP)->threshold, 5);
    /* $700 a contract: the node's 2,000 fits 2, tighter than the tier's 5 */
    F.rec.price = RD_DOLLARS(7);
    decide();
    assert_int_equal(F.d.size, 2);
    assert_int_equal(verdict(RD_GATE_CONTRACTS_CAP)->threshold, RD_DOLLARS(2000));
}

static void test_risk_multiplier(void **state)
{
    (void)state;
    node_setup(RD_NODE_REV, RD_DOLLARS(100000));
    limits.position_cap = RD_DOLLARS(1000000);   /* let sizing show */
    decide();
    /* medium swing 6% x 1.2 = 7.2% of 100,000 = 7,200; / $5 risk = 1,440 shares, of which
     * buying power pays 1,000 */
    assert_int_equal(F.d.risk_pct, 72000);
    assert_int_equal(F.d.budget, RD_DOLLARS(7200));
    assert_int_equal(F.d.size, 1000);
    /* scaled past 100%: capped at 100% */
    limits.risk_ppm = 20 * RD_PPM;
    decide();
    assert_int_equal(F.d.risk_pct, RD_PPM);
    /* the account's own max_risk_per_trade_pct comes last */
    limits.own_risk_pct = 1;
    F.risk.max_risk_per_trade_pct = 50000;
    decide();
    assert_int_equal(F.d.risk_pct, 50000);
    /* Kelly first, then the multiplier: a 4% Kelly fraction x 1.2 = 4.8% */
    node_setup(RD_NODE_REV, RD_DOLLARS(100000));
    F.risk.kelly.enabled = 1;
    F.risk.kelly.min_trades = 2;
    F.risk.kelly.fraction = RD_PPM;
    F.risk.kelly.cap = 40000;
    F.view.closed_trades = 4;
    F.view.winning_trades = 3;
    F.view.gross_wins = RD_DOLLARS(300);
    F.view.gross_losses = RD_DOLLARS(100);
    decide();
    assert_true(F.d.kelly_used);
    assert_int_equal(F.d.risk_pct, 48000);
}

static void test_buying_power(void **state)
{
    (void)state;
    assert_int_equal(rd_node_buying_power(RD_DOLLARS(5000), RD_DOLLARS(3000)), RD_DOLLARS(3000));
    assert_int_equal(rd_node_buying_power(RD_DOLLARS(3000), RD_DOLLARS(5000)), RD_DOLLARS(3000));
    assert_int_equal(rd_node_buying_power(RD_DOLLARS(3000), 0), 0);
}

static void test_states_trade(void **state)
{
    static const struct {
        enum rd_node_state s;
        int entry_ok, exit_ok;
    } cases[] = {
        {RD_NODE_ACTIVE, 1, 1},    {RD_NODE_FORKING, 1, 1}, {RD_NODE_MERGING, 0, 1},
        {RD_NODE_SAFE, 0, 1},      {RD_NODE_SUSPENDED, 0, 1}, {RD_NODE_ERROR, 0, 1},
        {RD_NODE_CLOSED, 0, 1},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        node_setup(RD_NODE_GEN, RD_DOLLARS(10000));
        F.view.state = rd_node_trading_state(cases[i].s);
        decide();
        if (F.d.approved != cases[i].entry_ok)
            fail_msg("%s: entry approved=%d", rd_node_state_name(cases[i].s), F.d.approved);
        F.rec.action = RD_ACT_SELL_STOCK;
        F.view.position_qty = 10;
        decide();
        if (verdict(RD_GATE_TRADING_STATE)->passed != cases[i].exit_ok)
            fail_msg("%s: exit refused", rd_node_state_name(cases[i].s));
    }
    node_setup(RD_NODE_GEN, RD_DOLLARS(10000));
    F.view.state = rd_node_trading_state(RD_NODE_MERGING);
    decide();
    expect_gate(RD_GATE_TRADING_STATE, 0, RD_REASON_STATE_REDUCING);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layer_positions_and_order), cmocka_unit_test(test_positions_gate),
        cmocka_unit_test(test_notional_cap_stock),        cmocka_unit_test(test_notional_cap_option),
        cmocka_unit_test(test_risk_multiplier),           cmocka_unit_test(test_buying_power),
        cmocka_unit_test(test_states_trade),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
