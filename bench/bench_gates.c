/*
 * bench_gates: gates + sizing in memory, one core. Each iteration is a full
 * rd_decide (all 20 gates recorded) on a recommendation whose confidence and
 * price vary, so both approvals and rejections are timed.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "riskdesk/gates.h"

static double seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
    struct rd_tier_table tiers;
    struct rd_risk_config risk;
    struct rd_gate_ctx ctx = {0};
    struct rd_gate_clock clock;
    struct rd_account_view v = {0};
    struct rd_market_view m = {.feed = RD_FEED_NONE};
    struct rd_rec rec;
    struct rd_decision d;
    const long n = 20000000;
    long approved = 0;
    int64_t sizes = 0;
    double t0, t1;

    rd_tier_table_defaults(&tiers);
    rd_risk_defaults(RD_TIER_LARGE, &risk);
    ctx.tier = &tiers.tier[RD_TIER_LARGE];
    ctx.risk = &risk;
    ctx.paper = 1;
    rd_gate_clock_init(&clock, 1795188600LL);       /* Fri 2026-11-20 10:30 ET */
    v.equity_known = 1;
    v.buying_power = v.equity = v.last_equity = RD_DOLLARS(209000);
    v.closed_trades = 25;
    v.winning_trades = 14;
    v.gross_wins = RD_DOLLARS(2800);
    v.gross_losses = RD_DOLLARS(1500);
    memset(&rec, 0, sizeof rec);
    memcpy(rec.id, "bench", 6);
    memcpy(rec.underlying, "AAPL", 5);
    memcpy(rec.symbol, "AAPL261218C00230000", 20);
    rec.action = RD_ACT_BUY_CALL;
    rec.strategy = RD_STRAT_SWING;
    rec.volume_ratio = 2000000;
    rec.created_at = clock.now - 30;

    t0 = seconds();
    for (long i = 0; i < n; i++) {
        rec.confidence = 300000 + (i & 511) * 1000;
        rec.price = 5000 + (i & 1023) * 100;
        v.open_positions = (int32_t)(i & 7);
        rd_decide(&ctx, &clock, &v, &m, &rec, &d);
        approved += d.approved;
        sizes += d.size;
    }
    t1 = seconds();
    printf("%-34s %12ld %10.3f s %14.0f /s   (approved %ld, sum of sizes %lld)\n",
           "gates+sizing, in memory", n, t1 - t0, (double)n / (t1 - t0), approved, (long long)sizes);
    return 0;
}
