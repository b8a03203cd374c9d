/*
 * gate_fixture.h - what the gate tests share: the trading clock's moments,
 * one account's gate context, view, market and recommendation (F), a large
 * account's setup, deciding, and a gate's verdict. Included by one test
 * program each: everything is static.
 */
#ifndef RISKDESK_TEST_GATE_FIXTURE_H
#define RISKDESK_TEST_GATE_FIXTURE_H

#include <string.h>

#include "riskdesk/gates.h"

/* 2026-11-20 is a Friday; November is EST (UTC-5). */
#define T_1030 1795188600LL      /* 10:30 ET */
#define T_0932 1795185120LL      /* 09:32 ET */
#define T_0936 1795185360LL      /* 09:36 ET */
#define T_1400 1795201200LL      /* 14:00 ET */
#define T_1500 1795204800LL      /* 15:00 ET */
#define T_1605 1795208700LL      /* 16:05 ET */
#define T_SAT 1795275000LL       /* Saturday 10:30 ET */
#define T_EARLY_1130 1795797000LL   /* Fri 2026-11-27, early close 13:00; 11:30 ET */

struct fixture {
    struct rd_tier_table tiers;
    struct rd_risk_config risk;
    struct rd_gate_ctx ctx;
    struct rd_gate_clock clock;
    struct rd_account_view view;
    struct rd_market_view market;
    struct rd_rec rec;
    struct rd_decision d;
};

static struct fixture F;

static void setup_large(int64_t now)
{
    memset(&F, 0, sizeof F);
    rd_tier_table_defaults(&F.tiers);
    rd_risk_defaults(RD_TIER_LARGE, &F.risk);
    F.risk.kelly.enabled = 0;
    F.ctx.tier = &F.tiers.tier[RD_TIER_LARGE];
    F.ctx.risk = &F.risk;
    F.ctx.paper = 1;
    rd_gate_clock_init(&F.clock, now);
    F.view.state = RD_STATE_ACTIVE;
    F.view.equity_known = 1;
    F.view.buying_power = RD_DOLLARS(209000);
    F.view.equity = RD_DOLLARS(209000);
    F.view.last_equity = RD_DOLLARS(209000);
    F.market.feed = RD_FEED_NONE;
    memcpy(F.rec.id, "r1", 3);
    F.rec.created_at = now - 10;
    memcpy(F.rec.underlying, "AAPL", 5);
    memcpy(F.rec.symbol, "AAPL261218C00230000", 20);
    F.rec.action = RD_ACT_BUY_CALL;
    F.rec.strategy = RD_STRAT_SWING;
    F.rec.confidence = 700000;
    F.rec.volume_ratio = 2500000;
    F.rec.price = RD_DOLLARS(3);        /* $300 a contract */
}

static void decide(void)
{
    rd_decide(&F.ctx, &F.clock, &F.view, &F.market, &F.rec, &F.d);
}

static const struct rd_gate_verdict *verdict(enum rd_gate g)
{
    for (int i = 0; i < F.d.nverdicts; i++)
        if (F.d.verdicts[i].gate == g)
            return &F.d.verdicts[i];
    fail_msg("gate %s not recorded", rd_gate_name(g));
    return NULL;
}

static void expect_gate(enum rd_gate g, int passed, enum rd_reason reason)
{
    const struct rd_gate_verdict *v = verdict(g);

    if (v->passed != passed || v->reason != reason)
        fail_msg("gate %s: got passed=%d reason=%s, want passed=%d reason=%s", rd_gate_name(g),
                 v->passed, rd_reason_name(v->reason), passed, rd_reason_name(reason));
}

#endif
