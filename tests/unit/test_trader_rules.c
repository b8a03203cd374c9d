#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "riskdesk/alloc.h"
#include "riskdesk/calendar.h"
#include "riskdesk/trader_rules.h"

#define MAXD 64
#define D(x) RD_DOLLARS(x)
#define START 19000                     /* day number of the first day */

struct series {
    struct rd_pnl_day d[MAXD];
    size_t n;
};

/* Days START, START+1, ... with the given net P&L in 1/10000 dollar. */
static void make(struct series *s, const rd_money *net, size_t n)
{
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < n; i++) {
        s->d[i].day = START + (int32_t)i;
        s->d[i].net = net[i];
        s->d[i].realized = net[i];
    }
    s->n = n;
}

static struct rd_trader_assessment judge_cfg(const struct rd_trader_rules_config *cfg,
                                             const rd_money *net, size_t n, rd_money limit)
{
    struct series s;
    struct rd_trader_assessment a;
    struct rd_error err = {0};

    make(&s, net, n);
    assert_int_equal(rd_trader_assess(cfg, s.d, s.n, START + (int32_t)n - 1, limit, &a, &err),
                     RD_OK);
    return a;
}

static struct rd_trader_assessment judge(const rd_money *net, size_t n)
{
    struct rd_trader_rules_config cfg;

    rd_trader_rules_config_init(&cfg);
    cfg.min_history_days = 10;          /* the rules' own tests run from 10 days on */
    return judge_cfg(&cfg, net, n, 0);
}

static void fired_are(const struct rd_trader_assessment *a, int streak, int dd, int vol, int loss)
{
    assert_int_equal(a->fired[RD_RULE_LOSS_STREAK], streak);
    assert_int_equal(a->fired[RD_RULE_DRAWDOWN], dd);
    assert_int_equal(a->fired[RD_RULE_VOLATILITY], vol);
    assert_int_equal(a->fired[RD_RULE_LARGE_LOSS], loss);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Loss streak. 17 days alternating +100/-50 (cum 500), then -10 x 3.
 *   streak 3 (the day before is +100) -> fires, 30%, moderate, $5,000 -> $3,500
 *   peak $500 is not above $1,000: no drawdown
 *   recent [-50, 100, -10, -10, -10] std 56.4 vs base 15 alternating std 77.5: no
 *   history before: 8 x -50, 2 x -10, 9 x 100; 5th pct: h = 18 x 0.05 = 0.9 -> -50;
 *   -10 is not below it: no large loss
 */
static void test_loss_streak(void **state)
{
    rd_money net[20];
    struct rd_trader_assessment a;

    (void)state;
    for (int i = 0; i < 17; i++)
        net[i] = i % 2 ? D(-50) : D(100);
    net[17] = net[18] = net[19] = D(-10);
    a = judge(net, 20);
    assert_true(a.has_data);
    assert_false(a.limited);
    assert_int_equal(a.history_days, 20);
    assert_int_equal(a.window_days, 20);
    assert_int_equal(a.loss_streak, 3);
    assert_int_equal(a.streak_loss, D(-30));
    assert_int_equal(a.peak, D(500));
    assert_int_equal(a.drawdown, D(30));
    assert_int_equal(a.percentile, D(-50));
    fired_are(&a, 1, 0, 0, 0);
    assert_int_equal(a.cut_ppm, 300000);
    assert_int_equal(a.level, RD_LEVEL_MODERATE);
    assert_int_equal(a.old_limit, D(5000));
    assert_int_equal(a.new_limit, D(3500));
    assert_int_equal(a.nreasons, 1);
    assert_string_equal(a.reason[0], "3 day loss streak, lost $30 over it");

    /* edge: two losing days do not fire */
    net[17] = D(100);
    a = judge(net, 20);
    assert_int_equal(a.loss_streak, 2);
    fired_are(&a, 0, 0, 0, 0);
    assert_int_equal(a.cut_ppm, 0);
    assert_int_equal(a.level, RD_LEVEL_LOW);
    assert_int_equal(a.new_limit, D(5000));

    /* a flat day (net 0) is not a loss: it breaks the streak */
    net[17] = D(-10);
    net[18] = 0;
    a = judge(net, 20);
    assert_int_equal(a.loss_streak, 1);
    assert_false(a.fired[RD_RULE_LOSS_STREAK]);
}

/* A streak is counted over all history, past the window: 25 losing days of -$100. */
static void test_long_streak(void **state)
{
    rd_money net[25];
    struct rd_trader_assessment a;

    (void)state;
    for (int i = 0; i < 25; i++)
        net[i] = D(-100);
    a = judge(net, 25);
    assert_int_equal(a.window_days, 20);
    assert_int_equal(a.loss_streak, 25);
    fired_are(&a, 1, 0, 0, 0);                  /* equal losses: no spread, not below p5 */
    assert_string_equal(a.reason[0], "25 day loss streak, lost $2,500 over it");
}

/*
 * Drawdown. 14 days alternating +100/-50 (cum 350), +1000 (cum 1350 = the peak),
 * then -150, -100, +10, -50, +10: cum 1070, drawdown 280 > 15% of 1350 (202.5).
 *   recent std 69.9 vs base std 262.7: no spike; last day +10: no streak, no loss.
 */
static void test_drawdown(void **state)
{
    rd_money net[20];
    struct rd_trader_assessment a;

    (void)state;
    for (int i = 0; i < 14; i++)
        net[i] = i % 2 ? D(-50) : D(100);
    net[14] = D(1000);
    net[15] = D(-150);
    net[16] = D(-100);
    net[17] = D(10);
    net[18] = D(-50);
    net[19] = D(10);
    a = judge(net, 20);
    assert_int_equal(a.peak, D(1350));
    assert_int_equal(a.drawdown, D(280));
    assert_int_equal(a.window_net, D(1070));
    fired_are(&a, 0, 1, 0, 0);
    assert_int_equal(a.cut_ppm, 400000);
    assert_int_equal(a.level, RD_LEVEL_HIGH);
    assert_int_equal(a.new_limit, D(3000));
    assert_string_equal(a.reason[0], "drawdown of $280 from a $1,350 peak (20.7% of it) over "
                                     "the last 20 trading days");
}

/* Edges: exactly 15% of the peak does not fire, a hair more does; a peak of
 * exactly $1,000 never counts, a hair more does. */
static void test_drawdown_edges(void **state)
{
    rd_money net[20];
    struct rd_trader_assessment a;

    (void)state;
    for (int i = 0; i < 14; i++)
        net[i] = i % 2 ? D(-50) : D(100);
    net[14] = D(1650);                            /* peak 2000 */
    net[15] = D(-150);
    net[16] = D(-100);
    net[17] = D(10);
    net[18] = D(-70);
    net[19] = D(10);                              /* cum 1700: drawdown 300 = 15% */
    a = judge(net, 20);
    assert_int_equal(a.peak, D(2000));
    assert_int_equal(a.drawdown, D(300));
    fired_are(&a, 0, 0, 0, 0);
    net[19] = D(10) - 1;                          /* drawdown $300.0001 */
    a = judge(net, 20);
    fired_are(&a, 0, 1, 0, 0);

    net[14] = D(650);                             /* peak exactly $1,000 */
    net[18] = D(-300);
    net[19] = D(10);
    a = judge(net, 20);
    assert_int_equal(a.peak, D(1000));
    assert_int_equal(a.drawdown, D(530));
    fired_are(&a, 0, 0, 0, 0);
    net[14] = D(650) + 1;                         /* peak $1,000.0001 */
    a = judge(net, 20);
    fired_are(&a, 0, 1, 0, 0);
}

/*
 * Volatility. Base: 15 days alternating +100/-100 (std 103.3). Recent:
 * +300, -300, +300, -300, +300 (std 328.6 > 2 x 103.3): fires, 25%, moderate.
 * $5,000 x 0.75 = $3,750, rounded down to $100: $3,700.
 */
static void test_volatility(void **state)
{
    rd_money net[20];
    struct rd_trader_assessment a;

    (void)state;
    for (int i = 0; i < 15; i++)
        net[i] = i % 2 ? D(-100) : D(100);
    for (int i = 15; i < 20; i++)
        net[i] = i % 2 ? D(300) : D(-300);
    a = judge(net, 20);
    assert_int_equal(a.n_recent, 5);
    assert_int_equal(a.n_base, 15);
    assert_true(a.std_recent > 328.6 && a.std_recent < 328.7);
    assert_true(a.std_base > 103.2 && a.std_base < 103.3);
    fired_are(&a, 0, 0, 1, 0);
    assert_int_equal(a.cut_ppm, 250000);
    assert_int_equal(a.level, RD_LEVEL_MODERATE);
    assert_int_equal(a.new_limit, D(3700));
    assert_string_equal(a.reason[0],
                        "volatility spike: 5-day std $329 is 3.2x the prior 15-day std $103");
}

/*
 * Edge, exactly 2x: base [300, -300, 100, -100 x5 pairs, 0, 0, 0] has
 * n sum(x^2) - sum(x)^2 = 15 x 280000 -> var 2 x 100^2; recent
 * [400, -400, 0, 0, 0] has var 8 x 100^2 = 4 x the base: std exactly 2x, no
 * fire. $0.0001 more on the last day tips it.
 */
static void test_volatility_edge(void **state)
{
    rd_money net[20] = {D(300), D(-300), D(100), D(-100), D(100), D(-100), D(100), D(-100),
                        D(100), D(-100), D(100), D(-100), 0, 0, 0,
                        D(400), D(-400), 0, 0, 0};
    struct rd_trader_assessment a;

    (void)state;
    a = judge(net, 20);
    assert_true(a.std_recent > 282.84 && a.std_recent < 282.85);      /* 200 sqrt 2 */
    assert_true(a.std_base > 141.42 && a.std_base < 141.43);          /* 100 sqrt 2 */
    fired_are(&a, 0, 0, 0, 0);
    net[19] = 1;
    a = judge(net, 20);
    fired_are(&a, 0, 0, 1, 0);
}

/*
 * Large loss. History (21 days) alternates +400/-400 with -1900 and -2000 in
 * place of two losses: sorted -2000, -1900, 8 x -400, 11 x +400; the 5th
 * percentile is h = 20 x 0.05 = 1 -> -1900. The day judged loses 2340.
 *   window peak $400: no drawdown; base std 810.8 x 2 > recent 1120: no spike.
 */
static void test_large_loss(void **state)
{
    rd_money net[22];
    struct rd_trader_assessment a;
    char want[RD_TRADER_REASON_MAX], date[16];

    (void)state;
    for (int i = 0; i < 21; i++)
        net[i] = i % 2 ? D(-400) : D(400);
    net[5] = D(-1900);
    net[9] = D(-2000);
    net[21] = D(-2340);
    a = judge(net, 22);
    assert_true(a.have_percentile);
    assert_int_equal(a.percentile, D(-1900));
    fired_are(&a, 0, 0, 0, 1);
    assert_int_equal(a.cut_ppm, 200000);
    assert_int_equal(a.level, RD_LEVEL_MODERATE);
    assert_int_equal(a.new_limit, D(4000));
    rd_date_format(START + 21, date, sizeof date);
    snprintf(want, sizeof want, "lost $2,340 on %s, below the 5th percentile of -$1,900", date);
    assert_string_equal(a.reason[0], want);

    /* edge: exactly the percentile is not below it; $0.0001 more is */
    net[21] = D(-1900);
    a = judge(net, 22);
    assert_false(a.fired[RD_RULE_LARGE_LOSS]);
    net[21] = D(-1900) - 1;
    a = judge(net, 22);
    assert_true(a.fired[RD_RULE_LARGE_LOSS]);
}

/*
 * Type-7 interpolation between two order statistics: 11 days of history,
 * h = 10 x 0.05 = 0.5, sorted x0 = -3000, x1 = -1000 -> -2000.
 */
static void test_percentile_interpolates(void **state)
{
    rd_money net[12] = {D(-3000), D(500), D(-1000), D(500), D(200), D(300),
                        D(500), D(250), D(500), D(400), D(500), D(-2000)};
    struct rd_trader_assessment a;

    (void)state;
    a = judge(net, 12);
    assert_int_equal(a.percentile, D(-2000));
    assert_false(a.fired[RD_RULE_LARGE_LOSS]);
    net[11] = D(-2000) - 1;
    a = judge(net, 12);
    assert_true(a.fired[RD_RULE_LARGE_LOSS]);
    /* a percentile above zero: a winning day below it is not a "large loss" */
    for (int i = 0; i < 11; i++)
        net[i] = D(1000 + 100 * i);
    net[11] = D(10);
    a = judge(net, 12);
    assert_true(a.percentile > 0);
    assert_false(a.fired[RD_RULE_LARGE_LOSS]);
}

/* Fewer than 10 days: said, never assessed; 10 days are enough. */
static void test_limited_history(void **state)
{
    rd_money net[10];
    struct rd_trader_assessment a;

    (void)state;
    for (int i = 0; i < 10; i++)
        net[i] = D(-500);
    a = judge(net, 9);
    assert_true(a.limited);
    assert_int_equal(a.history_days, 9);
    assert_int_equal(a.loss_streak, 9);           /* computed, not applied */
    fired_are(&a, 0, 0, 0, 0);
    assert_int_equal(a.cut_ppm, 0);
    a = judge(net, 10);
    assert_false(a.limited);
    assert_true(a.fired[RD_RULE_LOSS_STREAK]);
}

/* The default cut-off follows the firm's example: 12 days of history is "New
 * (limited history)", not assessed, however bad; a full window of 20 days is. */
static void test_default_new_trader_cutoff(void **state)
{
    rd_money net[20];
    struct rd_trader_rules_config cfg;
    struct rd_trader_assessment a;

    (void)state;
    rd_trader_rules_config_init(&cfg);
    assert_int_equal(cfg.min_history_days, 20);
    for (int i = 0; i < 20; i++)
        net[i] = D(-500);
    a = judge_cfg(&cfg, net, 12, 0);
    assert_true(a.limited);
    assert_int_equal(a.cut_ppm, 0);
    a = judge_cfg(&cfg, net, 19, 0);
    assert_true(a.limited);
    a = judge_cfg(&cfg, net, 20, 0);
    assert_false(a.limited);
    assert_true(a.fired[RD_RULE_LOSS_STREAK]);
}

/* All four at once: max = 40%; sum = 115% capped at 80%; $5,000 -> $1,000. */
static void test_combine_and_cap(void **state)
{
    rd_money net[22];
    struct rd_trader_rules_config cfg;
    struct rd_trader_assessment a;

    (void)state;
    /* 17 days of +200 but one -50 (window peak 2750), then -100 x 4 and -3000 */
    for (int i = 0; i < 17; i++)
        net[i] = i == 3 ? D(-50) : D(200);
    net[17] = net[18] = net[19] = net[20] = D(-100);
    net[21] = D(-3000);
    rd_trader_rules_config_init(&cfg);
    a = judge_cfg(&cfg, net, 22, 0);
    fired_are(&a, 1, 1, 1, 1);
    assert_int_equal(a.nreasons, 4);
    assert_int_equal(a.cut_ppm, 400000);
    assert_int_equal(a.new_limit, D(3000));
    cfg.combine = RD_CUT_SUM;
    a = judge_cfg(&cfg, net, 22, 0);
    assert_int_equal(a.cut_ppm, 800000);
    assert_int_equal(a.level, RD_LEVEL_HIGH);
    assert_int_equal(a.new_limit, D(1000));
    cfg.max_cut_ppm = 1000000;
    a = judge_cfg(&cfg, net, 22, 0);
    assert_int_equal(a.cut_ppm, 1000000);
    assert_int_equal(a.new_limit, 0);
}

/* Levels at their edges, and limits from a file rounded down to $100. */
static void test_levels_and_limits(void **state)
{
    rd_money net[20];
    struct rd_trader_rules_config cfg;
    struct rd_trader_assessment a;

    (void)state;
    for (int i = 0; i < 17; i++)
        net[i] = i % 2 ? D(-50) : D(100);
    net[17] = net[18] = net[19] = D(-10);              /* the streak case */
    rd_trader_rules_config_init(&cfg);
    cfg.streak_cut_ppm = 199999;
    a = judge_cfg(&cfg, net, 20, 0);
    assert_int_equal(a.level, RD_LEVEL_LOW);
    assert_int_equal(a.new_limit, D(4000));           /* 4000.005 rounded down */
    cfg.streak_cut_ppm = 200000;
    assert_int_equal(judge_cfg(&cfg, net, 20, 0).level, RD_LEVEL_MODERATE);
    cfg.streak_cut_ppm = 399999;
    assert_int_equal(judge_cfg(&cfg, net, 20, 0).level, RD_LEVEL_MODERATE);
    cfg.streak_cut_ppm = 400000;
    assert_int_equal(judge_cfg(&cfg, net, 20, 0).level, RD_LEVEL_HIGH);
    cfg.streak_cut_ppm = 300000;
    a = judge_cfg(&cfg, net, 20, D(7777));            /* 7777 x 0.7 = 5443.9 */
    assert_int_equal(a.old_limit, D(7777));
    assert_int_equal(a.new_limit, D(5400));
    /* no cut: the old limit stands as it is, not rounded */
    net[19] = D(5);
    a = judge_cfg(&cfg, net, 20, D(7777));
    assert_int_equal(a.cut_ppm, 0);
    assert_int_equal(a.new_limit, D(7777));
}

/* A small limit is never cut below one $100 step: $150 cut 40% is $100, not $0. */
static void test_limit_floor(void **state)
{
    rd_money net[22];
    struct rd_trader_rules_config cfg;
    struct rd_trader_assessment a;

    (void)state;
    rd_trader_rules_config_init(&cfg);
    assert_int_equal(rd_trader_new_limit(&cfg, D(150), 400000), D(100));   /* 90 -> 100 */
    assert_int_equal(rd_trader_new_limit(&cfg, D(199), 800000), D(100));   /* 39.8 -> 100 */
    assert_int_equal(rd_trader_new_limit(&cfg, D(250), 400000), D(100));   /* 150 -> 100 */
    assert_int_equal(rd_trader_new_limit(&cfg, D(500), 400000), D(300));
    assert_int_equal(rd_trader_new_limit(&cfg, D(50), 300000), D(50));     /* below a step */
    assert_int_equal(rd_trader_new_limit(&cfg, D(150), 0), D(150));        /* no cut */
    assert_int_equal(rd_trader_new_limit(&cfg, D(150), 1000000), 0);       /* 100% configured */
    /* through the rules: the drawdown case (40%) on a $150 limit */
    for (int i = 0; i < 17; i++)
        net[i] = i == 3 ? D(-50) : D(200);
    net[17] = net[18] = net[19] = net[20] = D(-100);
    net[21] = D(-3000);
    a = judge_cfg(&cfg, net, 22, D(150));
    assert_int_equal(a.cut_ppm, 400000);
    assert_int_equal(a.old_limit, D(150));
    assert_int_equal(a.new_limit, D(100));
}

/* The day judged is the last trading day on or before the report date. */
static void test_report_date(void **state)
{
    rd_money net[15];
    struct series s;
    struct rd_trader_rules_config cfg;
    struct rd_trader_assessment a;
    struct rd_error err = {0};

    (void)state;
    for (int i = 0; i < 15; i++)
        net[i] = i >= 9 ? D(-100) : D(100);
    make(&s, net, 15);
    s.d[14].day = START + 30;                          /* a gap before the last day */
    rd_trader_rules_config_init(&cfg);
    assert_int_equal(rd_trader_assess(&cfg, s.d, s.n, START + 29, 0, &a, &err), RD_OK);
    assert_int_equal(a.day, START + 13);
    assert_int_equal(a.history_days, 14);
    assert_int_equal(a.loss_streak, 5);
    assert_int_equal(rd_trader_assess(&cfg, s.d, s.n, START - 1, 0, &a, &err), RD_OK);
    assert_false(a.has_data);
    assert_int_equal(a.new_limit, D(5000));
    assert_int_equal(rd_trader_assess(&cfg, s.d, 0, START, 0, &a, &err), RD_OK);
    assert_false(a.has_data);
}

static void test_config_check(void **state)
{
    struct rd_trader_rules_config cfg;
    struct rd_trader_assessment a;
    struct rd_error err = {0};

    (void)state;
    rd_trader_rules_config_init(&cfg);
    assert_int_equal(rd_trader_rules_config_check(&cfg, &err), RD_OK);
    cfg.vol_recent_days = 19;
    assert_int_equal(rd_trader_rules_config_check(&cfg, &err), RD_ECONFIG);
    assert_non_null(strstr(err.msg, "vol_recent_days"));
    rd_trader_rules_config_init(&cfg);
    cfg.max_cut_ppm = 1000001;
    assert_int_equal(rd_trader_assess(&cfg, NULL, 0, 0, 0, &a, &err), RD_ECONFIG);
    assert_string_equal(err.msg, "trader rules: max_cut must be from 0 to 1");
    rd_trader_rules_config_init(&cfg);
    cfg.moderate_ppm = 500000;
    assert_int_equal(rd_trader_rules_config_check(&cfg, &err), RD_ECONFIG);
}

static void test_dollars_and_names(void **state)
{
    char b[32];

    (void)state;
    rd_trader_dollars(D(2340), b, sizeof b);
    assert_string_equal(b, "$2,340");
    rd_trader_dollars(-D(1900), b, sizeof b);
    assert_string_equal(b, "-$1,900");
    rd_trader_dollars(D(1234567) + 5000, b, sizeof b);     /* .50 rounds away from zero */
    assert_string_equal(b, "$1,234,568");
    rd_trader_dollars(-4999, b, sizeof b);                 /* -$0.4999 */
    assert_string_equal(b, "$0");
    rd_trader_dollars(D(999), b, sizeof b);
    assert_string_equal(b, "$999");
    rd_trader_dollars(D(100000), b, sizeof b);
    assert_string_equal(b, "$100,000");
    assert_string_equal(rd_trader_level_name(RD_LEVEL_HIGH), "high");
    assert_string_equal(rd_trader_rule_name(RD_RULE_LARGE_LOSS), "large loss");
}

static void test_alloc_failure(void **state)
{
    rd_money net[12] = {0};
    struct series s;
    struct rd_trader_rules_config cfg;
    struct rd_trader_assessment a;
    struct rd_error err = {0};

    (void)state;
    make(&s, net, 12);
    rd_trader_rules_config_init(&cfg);
    rd_alloc_fail_after(1);
    assert_int_equal(rd_trader_assess(&cfg, s.d, s.n, START + 20, 0, &a, &err), RD_ENOMEM);
    rd_alloc_fail_after(0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loss_streak),         cmocka_unit_test(test_long_streak),
        cmocka_unit_test(test_drawdown),            cmocka_unit_test(test_drawdown_edges),
        cmocka_unit_test(test_volatility),          cmocka_unit_test(test_volatility_edge),
        cmocka_unit_test(test_large_loss),          cmocka_unit_test(test_percentile_interpolates),
        cmocka_unit_test(test_limited_history),
        cmocka_unit_test(test_default_new_trader_cutoff),     cmocka_unit_test(test_combine_and_cap),
        cmocka_unit_test(test_levels_and_limits),   cmocka_unit_test(test_report_date),
        cmocka_unit_test(test_limit_floor),
        cmocka_unit_test(test_config_check),        cmocka_unit_test(test_dollars_and_names),
        cmocka_unit_test(test_alloc_failure),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
