/*
 * test_fork.c - a fork's rules: each prerequisite refused with its code at
 * its boundary, the factors and confidence of issue 14 at theirs, the action
 * at 0.70 and 0.80, and the children a fork makes (names, split, remainder).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "riskdesk/fork.h"

#define M(d) ((rd_money)(d) * RD_MONEY_SCALE)
#define NOW 1800000000LL

/* A gen node that may fork: every prerequisite just met. */
static void ready(struct rd_fork_facts *f)
{
    memset(f, 0, sizeof *f);
    f->type = RD_NODE_GEN;
    f->state = RD_NODE_ACTIVE;
    f->surplus = M(100000);
    f->available = M(100000);
    f->open_orders = 0;
    f->in_progress = RD_FORK_MAX_IN_PROGRESS - 1;
    f->last_attempt = NOW - RD_FORK_COOLDOWN_S;
    f->now = NOW;
}

/* Checks f is refused with code first in the message. */
static void refused(const struct rd_fork_facts *f, const char *code)
{
    struct rd_node_types t;
    struct rd_error err = {0};

    rd_node_types_default(&t);
    assert_int_equal(rd_fork_check("g1", &t, f, &err), RD_EREJECTED);
    if (strncmp(err.msg, code, strlen(code)) != 0)
        fail_msg("expected %s, got: %s", code, err.msg);
    assert_non_null(strstr(err.msg, "g1"));
}

static void test_prerequisites(void **state)
{
    struct rd_node_types t;
    struct rd_fork_facts f;
    struct rd_error err = {0};

    (void)state;
    rd_node_types_default(&t);
    ready(&f);
    assert_int_equal(rd_fork_check("g1", &t, &f, &err), RD_OK);
    f.last_attempt = 0;                                    /* never tried */
    assert_int_equal(rd_fork_check("g1", &t, &f, &err), RD_OK);

    ready(&f);
    f.type = RD_NODE_COM;
    f.surplus = f.available = M(10000000);
    refused(&f, "type_never_forks");
    ready(&f);
    f.state = RD_NODE_SAFE;
    refused(&f, "invalid_transition");
    ready(&f);
    f.state = RD_NODE_FORKING;
    refused(&f, "invalid_transition");
    ready(&f);
    f.surplus = M(100000) - 1;
    refused(&f, "below_threshold");
    ready(&f);
    f.available = M(100000) - 1;
    refused(&f, "insufficient_funds");
    ready(&f);
    f.open_orders = 1;
    refused(&f, "open_orders");
    ready(&f);
    f.in_progress = RD_FORK_MAX_IN_PROGRESS;
    refused(&f, "fork_limit");
    ready(&f);
    f.last_attempt = NOW - RD_FORK_COOLDOWN_S + 1;
    refused(&f, "cooldown");

    /* the cooldown names its end; the threshold refusal its figures */
    ready(&f);
    f.last_attempt = NOW - 3600;
    assert_int_equal(rd_fork_check("g1", &t, &f, &err), RD_EREJECTED);
    assert_non_null(strstr(err.msg, "2027-01-16T07:00:00Z"));
    ready(&f);
    f.surplus = M(99999);
    assert_int_equal(rd_fork_check("g1", &t, &f, &err), RD_EREJECTED);
    assert_non_null(strstr(err.msg, "99999.00"));
    assert_non_null(strstr(err.msg, "100000.00"));

    /* a rev node forks at its own threshold */
    ready(&f);
    f.type = RD_NODE_REV;
    refused(&f, "below_threshold");
    f.surplus = f.available = M(500000);
    assert_int_equal(rd_fork_check("r1", &t, &f, &err), RD_OK);
}

/* Inputs under which every factor is 1. */
static void best(struct rd_fork_inputs *in)
{
    memset(in, 0, sizeof *in);
    in->vix_known = 1;
    in->vix = 15 * RD_PPM;
    in->vix_halt = 40 * RD_PPM;
    in->tracked_days = 30;
    in->annual_return_ppm = 200000;
    in->drawdown_ppm = 199999;
    in->in_progress = 0;
    in->market_open = 0;
}

static void test_factors(void **state)
{
    struct rd_fork_inputs in;
    struct rd_fork_factors f;

    (void)state;
    best(&in);
    rd_fork_assess(&in, &f);
    assert_int_equal(f.market, RD_PPM);
    assert_int_equal(f.performance, RD_PPM);
    assert_int_equal(f.load, RD_PPM);
    assert_int_equal(f.timing, RD_PPM);
    assert_int_equal(f.confidence, RD_PPM);
    assert_int_equal(f.action, RD_FORK_EXECUTE);

    /* market: straight from 15 to vix_halt; unknown is 0 */
    in.vix = 27500000;                          /* halfway to 40 */
    rd_fork_assess(&in, &f);
    assert_int_equal(f.market, 500000);
    in.vix = 40 * RD_PPM;
    rd_fork_assess(&in, &f);
    assert_int_equal(f.market, 0);
    in.vix = 15 * RD_PPM + 1;
    rd_fork_assess(&in, &f);
    assert_int_equal(f.market, 999999);
    in.vix = 10 * RD_PPM;
    in.vix_known = 0;
    rd_fork_assess(&in, &f);
    assert_int_equal(f.market, 0);

    /* performance: return / 20%, 0 under 30 days, at drawdown 20%, at a loss */
    best(&in);
    in.annual_return_ppm = 50000;
    rd_fork_assess(&in, &f);
    assert_int_equal(f.performance, 250000);
    in.annual_return_ppm = 900000;
    rd_fork_assess(&in, &f);
    assert_int_equal(f.performance, RD_PPM);
    in.tracked_days = 29;
    rd_fork_assess(&in, &f);
    assert_int_equal(f.performance, 0);
    best(&in);
    in.drawdown_ppm = 200000;
    rd_fork_assess(&in, &f);
    assert_int_equal(f.performance, 0);
    best(&in);
    in.annual_return_ppm = -100000;
    rd_fork_assess(&in, &f);
    assert_int_equal(f.performance, 0);

    /* load: 1 - in progress / 5; timing: 0.5 open */
    best(&in);
    in.in_progress = 2;
    in.market_open = 1;
    rd_fork_assess(&in, &f);
    assert_int_equal(f.load, 600000);
    assert_int_equal(f.timing, 500000);
    /* 0.3 + 0.4 + 0.2 * 0.6 + 0.1 * 0.5 */
    assert_int_equal(f.confidence, 870000);
    in.in_progress = 5;
    rd_fork_assess(&in, &f);
    assert_int_equal(f.load, 0);
}

static void test_weights_and_action(void **state)
{
    struct rd_fork_inputs in;
    struct rd_fork_factors f;

    (void)state;
    /* no performance, no VIX, closed market: 0.2 + 0.1 */
    best(&in);
    in.vix_known = 0;
    in.tracked_days = 0;
    rd_fork_assess(&in, &f);
    assert_int_equal(f.confidence, 300000);
    assert_int_equal(f.action, RD_FORK_REVIEW);
    /* market only 1: 0.3 + 0.2 + 0.1 = 0.60 */
    in.vix_known = 1;
    rd_fork_assess(&in, &f);
    assert_int_equal(f.confidence, 600000);
    /* performance 0.25: + 0.10 = 0.70, the window's floor */
    in.tracked_days = 30;
    in.annual_return_ppm = 50000;
    rd_fork_assess(&in, &f);
    assert_int_equal(f.confidence, 700000);
    assert_int_equal(f.action, RD_FORK_WINDOW);
    /* performance 0.5: 0.80 executes */
    in.annual_return_ppm = 100000;
    rd_fork_assess(&in, &f);
    assert_int_equal(f.confidence, 800000);
    assert_int_equal(f.action, RD_FORK_EXECUTE);

    assert_int_equal(rd_fork_action_of(799999), RD_FORK_WINDOW);
    assert_int_equal(rd_fork_action_of(699999), RD_FORK_REVIEW);
    assert_int_equal(rd_fork_action_of(800000), RD_FORK_EXECUTE);
    assert_string_equal(rd_fork_action_name(RD_FORK_WINDOW), "window");
    assert_null(rd_fork_action_name(RD_FORK_ACTION_COUNT));
    {
        enum rd_fork_action a;

        assert_int_equal(rd_fork_action_parse("review", &a), RD_OK);
        assert_int_equal(a, RD_FORK_REVIEW);
        assert_int_equal(rd_fork_action_parse("Review", &a), RD_EINVAL);
    }
}

static void test_children(void **state)
{
    struct rd_node_types t;
    struct rd_fork_child c[RD_FORK_SPLIT_MAX];
    struct rd_fork_part p[RD_FORK_SPLIT_MAX + 1];
    struct rd_error err = {0};
    char long_name[64];
    size_t n;

    (void)state;
    rd_node_types_default(&t);
    assert_int_equal(rd_fork_children("g1", RD_NODE_GEN, 1, M(100000), &t, NULL, 0, c, &n, &err),
                     RD_OK);
    assert_int_equal(n, 1);
    assert_string_equal(c[0].account, "g1.f1");
    assert_int_equal(c[0].type, RD_NODE_REV);
    assert_int_equal(c[0].amount, M(100000));
    assert_int_equal(rd_fork_children("g1.f1", RD_NODE_REV, 12, M(500000), &t, NULL, 0, c, &n,
                                      &err), RD_OK);
    assert_string_equal(c[0].account, "g1.f1.f12");
    assert_int_equal(c[0].type, RD_NODE_COM);
    assert_int_equal(rd_fork_children("c1", RD_NODE_COM, 1, M(1), &t, NULL, 0, c, &n, &err),
                     RD_EINVAL);

    /* a child never starts below its type's minimum capital: the default
     * split of 0.6 rev / 0.4 com of 100,000 is refused, naming the child */
    p[0] = (struct rd_fork_part){RD_NODE_REV, 600000};
    p[1] = (struct rd_fork_part){RD_NODE_COM, 400000};
    assert_int_equal(rd_fork_children("g1", RD_NODE_GEN, 1, M(100000), &t, p, 2, c, &n, &err),
                     RD_EREJECTED);
    assert_int_equal(n, 0);
    assert_string_equal(err.msg, "child_under_minimum: a fork of g1 would start g1.f1.a with "
                        "60000.00, under the rev type's minimum capital of 100000.00 (check "
                        "hierarchy.fork_split and hierarchy.types)");
    t.t[RD_NODE_REV].min_capital = M(60000);
    assert_int_equal(rd_fork_children("g1", RD_NODE_GEN, 1, M(100000), &t, p, 2, c, &n, &err),
                     RD_EREJECTED);
    assert_non_null(strstr(err.msg, "g1.f1.b with 40000.00, under the com type's minimum "
                                    "capital of 500000.00"));
    t.t[RD_NODE_COM].min_capital = M(40000);
    assert_int_equal(rd_fork_children("g1", RD_NODE_GEN, 1, M(100000), &t, p, 2, c, &n, &err),
                     RD_OK);
    assert_int_equal(n, 2);
    /* one child too: a threshold under the child type's minimum */
    t.t[RD_NODE_GEN].fork_threshold = M(50000);
    assert_int_equal(rd_fork_children("g1", RD_NODE_GEN, 1, M(50000), &t, NULL, 0, c, &n, &err),
                     RD_EREJECTED);
    assert_non_null(strstr(err.msg, "g1.f1 with 50000.00, under the rev type's minimum"));

    /* the arithmetic below, with minimums that do not get in its way */
    for (int k = 0; k < RD_NODE_TYPE_COUNT; k++)
        t.t[k].min_capital = 1;

    /* a split into thirds: the remainder goes to the first */
    p[0] = (struct rd_fork_part){RD_NODE_REV, 333334};
    p[1] = (struct rd_fork_part){RD_NODE_REV, 333333};
    p[2] = (struct rd_fork_part){RD_NODE_GEN, 333333};
    assert_int_equal(rd_fork_children("g1", RD_NODE_GEN, 2, 1000001, &t, p, 3, c, &n, &err),
                     RD_OK);
    assert_int_equal(n, 3);
    assert_string_equal(c[0].account, "g1.f2.a");
    assert_string_equal(c[1].account, "g1.f2.b");
    assert_string_equal(c[2].account, "g1.f2.c");
    assert_int_equal(c[2].type, RD_NODE_GEN);
    assert_int_equal(c[1].amount, 333333);       /* 1000001 x 0.333333 = 333333.33... */
    assert_int_equal(c[2].amount, 333333);
    assert_int_equal(c[0].amount, 1000001 - 666666);
    assert_int_equal(c[0].amount + c[1].amount + c[2].amount, 1000001);

    /* fractions must sum to exactly 1 */
    p[2].fraction_ppm = 333332;
    assert_int_equal(rd_fork_children("g1", RD_NODE_GEN, 2, M(1), &t, p, 3, c, &n, &err),
                     RD_EINVAL);
    assert_non_null(strstr(err.msg, "exactly 1"));
    p[2].fraction_ppm = 333334;
    assert_int_equal(rd_fork_children("g1", RD_NODE_GEN, 2, M(1), &t, p, 3, c, &n, &err),
                     RD_EINVAL);
    p[0].fraction_ppm = 0;
    p[1].fraction_ppm = RD_PPM;
    assert_int_equal(rd_fork_children("g1", RD_NODE_GEN, 2, M(1), &t, p, 2, c, &n, &err),
                     RD_EINVAL);
    assert_non_null(strstr(err.msg, "fork_split[0].fraction"));
    for (int i = 0; i <= RD_FORK_SPLIT_MAX; i++)
        p[i] = (struct rd_fork_part){RD_NODE_REV, RD_PPM / 10};
    assert_int_equal(rd_fork_children("g1", RD_NODE_GEN, 2, M(1), &t, p, RD_FORK_SPLIT_MAX + 1,
                                      c, &n, &err), RD_EINVAL);

    /* the config's split: checked alone, and for the forks of types before
     * every part's (a split of rev children is gen's, not rev's) */
    p[0] = (struct rd_fork_part){RD_NODE_REV, 600000};
    p[1] = (struct rd_fork_part){RD_NODE_COM, 400000};
    assert_int_equal(rd_fork_split_check(p, 2, &err), RD_OK);
    assert_true(rd_fork_split_applies(RD_NODE_GEN, p, 2));
    assert_false(rd_fork_split_applies(RD_NODE_REV, p, 2));
    assert_false(rd_fork_split_applies(RD_NODE_GEN, p, 0));
    assert_int_equal(rd_fork_split_check(p, 0, &err), RD_EINVAL);
    p[1].fraction_ppm = 300000;
    assert_int_equal(rd_fork_split_check(p, 2, &err), RD_EINVAL);
    assert_string_equal(err.msg, "fork_split: fractions sum to 0.9; expected exactly 1");
    /* 0.6 / 0.4 of 100,000.0001: 60,000.00006 rounds down, the 0.0001 left
     * over goes to the first */
    p[1].fraction_ppm = 400000;
    assert_int_equal(rd_fork_children("g1", RD_NODE_GEN, 1, M(100000) + 1, &t, p, 2, c, &n, &err),
                     RD_OK);
    assert_int_equal(c[0].amount, M(60000) + 1);
    assert_int_equal(c[1].amount, M(40000));

    /* names: 63 characters fit, 64 are refused */
    memset(long_name, 'x', sizeof long_name);
    long_name[63 - 3] = '\0';                   /* + ".f1" = 63 */
    assert_int_equal(rd_fork_children(long_name, RD_NODE_GEN, 1, M(1), &t, NULL, 0, c, &n, &err),
                     RD_OK);
    assert_int_equal(strlen(c[0].account), 63);
    assert_int_equal(rd_fork_children(long_name, RD_NODE_GEN, 10, M(1), &t, NULL, 0, c, &n, &err),
                     RD_EINVAL);
    assert_non_null(strstr(err.msg, "over 63 characters"));
    p[0] = (struct rd_fork_part){RD_NODE_REV, RD_PPM};
    assert_int_equal(rd_fork_children(long_name, RD_NODE_GEN, 1, M(1), &t, p, 1, c, &n, &err),
                     RD_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prerequisites),
        cmocka_unit_test(test_factors),
        cmocka_unit_test(test_weights_and_action),
        cmocka_unit_test(test_children),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
