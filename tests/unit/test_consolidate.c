/*
 * test_consolidate.c - a consolidation's rules: each trigger and its urgency
 * at its boundary, each refusal with its code, the sibling picked, and the
 * factors, confidence, action and SAFE rule of issue 14 at their boundaries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "riskdesk/consolidate.h"

#define M(d) ((rd_money)(d) * RD_MONEY_SCALE)
#define NOW 1800000000LL
#define BIT(t) (1u << (t))

/* A healthy gen node: no trigger, each just missed. */
static void healthy(struct rd_merge_facts *f)
{
    memset(f, 0, sizeof *f);
    f->type = RD_NODE_GEN;
    f->capital = M(10000);
    f->tracked_days = 30;
    f->annual_return_ppm = RD_MERGE_LOW_RETURN_PPM;
    f->drawdown_ppm = RD_MERGE_BAD_DRAWDOWN_PPM - 1;
    f->last_entry = NOW - RD_MERGE_IDLE_S + 1;
    f->now = NOW;
}

static void test_triggers(void **state)
{
    struct rd_node_types t;
    struct rd_merge_facts f;
    enum rd_merge_trigger top;

    (void)state;
    rd_node_types_default(&t);
    healthy(&f);
    assert_int_equal(rd_merge_triggers(&f, &t, &top), 0);
    assert_int_equal(top, RD_MERGE_TRIGGER_COUNT);

    healthy(&f);
    f.drawdown_ppm = RD_MERGE_BAD_DRAWDOWN_PPM;                 /* 20%: critical */
    assert_int_equal(rd_merge_triggers(&f, &t, &top), BIT(RD_MERGE_T_DRAWDOWN));
    assert_int_equal(rd_merge_trigger_urgency(top), RD_MERGE_CRITICAL);

    healthy(&f);
    f.annual_return_ppm = RD_MERGE_LOW_RETURN_PPM - 1;           /* under 5% ... */
    assert_int_equal(rd_merge_triggers(&f, &t, &top), BIT(RD_MERGE_T_LOW_RETURN));
    assert_int_equal(rd_merge_trigger_urgency(top), RD_MERGE_HIGH);
    f.tracked_days = 29;                                         /* ... but too few days */
    assert_int_equal(rd_merge_triggers(&f, &t, &top), 0);

    healthy(&f);
    f.capital = M(10000) - 1;                                    /* under the gen minimum */
    assert_int_equal(rd_merge_triggers(&f, &t, &top), BIT(RD_MERGE_T_UNDER_MINIMUM));
    assert_int_equal(rd_merge_trigger_urgency(top), RD_MERGE_MEDIUM);

    healthy(&f);
    f.last_entry = NOW - RD_MERGE_IDLE_S;                        /* 30 days idle */
    assert_int_equal(rd_merge_triggers(&f, &t, &top), BIT(RD_MERGE_T_IDLE));
    assert_int_equal(rd_merge_trigger_urgency(top), RD_MERGE_LOW);

    healthy(&f);
    f.manual = 1;
    f.worst_leaf = 1;
    assert_int_equal(rd_merge_triggers(&f, &t, &top),
                     BIT(RD_MERGE_T_MANUAL) | BIT(RD_MERGE_T_TOO_MANY));
    assert_int_equal(top, RD_MERGE_T_MANUAL);                   /* high over low */
    f.drawdown_ppm = RD_MERGE_BAD_DRAWDOWN_PPM;
    rd_merge_triggers(&f, &t, &top);
    assert_int_equal(top, RD_MERGE_T_DRAWDOWN);                 /* critical over all */
    assert_string_equal(rd_merge_trigger_name(RD_MERGE_T_TOO_MANY), "too_many_nodes");
    assert_int_equal(rd_merge_trigger_is_rule(RD_MERGE_T_MANUAL), 1);
    assert_int_equal(rd_merge_trigger_is_rule(RD_MERGE_T_LOW_RETURN), 0);
}

/* A parent consolidation of g1.f1 into g1 that passes. */
static void ok_in(struct rd_merge_check_in *in)
{
    memset(in, 0, sizeof *in);
    in->strategy = RD_MERGE_PARENT;
    in->source = "g1.f1";
    in->source_state = RD_NODE_ACTIVE;
    in->source_type = RD_NODE_REV;
    in->available = M(100);
    in->amount = M(100);
    in->target = "g1";
    in->target_state = RD_NODE_ACTIVE;
    in->target_type = RD_NODE_GEN;
    in->target_tracked_days = RD_MERGE_MIN_TRACKED_DAYS;
}

static void refused(const struct rd_merge_check_in *in, const char *code)
{
    struct rd_error err = {0};

    assert_int_equal(rd_merge_check(in, &err), RD_EREJECTED);
    if (strncmp(err.msg, code, strlen(code)) != 0)
        fail_msg("expected %s, got: %s", code, err.msg);
}

static void test_refusals(void **state)
{
    struct rd_merge_check_in in;
    struct rd_error err = {0};

    (void)state;
    ok_in(&in);
    assert_int_equal(rd_merge_check(&in, &err), RD_OK);
    in.source_state = RD_NODE_SAFE;
    assert_int_equal(rd_merge_check(&in, &err), RD_OK);
    in.source_state = RD_NODE_MERGING;
    refused(&in, "invalid_transition");
    in.source_state = RD_NODE_CLOSED;
    refused(&in, "invalid_transition");

    ok_in(&in);
    in.open_children = 1;
    refused(&in, "open_children");
    in.strategy = RD_MERGE_PARTIAL;                    /* partial may leave children */
    assert_int_equal(rd_merge_check(&in, &err), RD_OK);
    in.amount = M(100) + 1;                            /* a ten-thousandth over available */
    refused(&in, "insufficient_funds");

    ok_in(&in);
    in.target_in_subtree = 1;
    refused(&in, "target_in_subtree");
    ok_in(&in);
    in.target_state = RD_NODE_CLOSED;
    refused(&in, "target_state");
    in.target_state = RD_NODE_MERGING;
    refused(&in, "target_state");

    ok_in(&in);
    in.strategy = RD_MERGE_SIBLING;
    refused(&in, "sibling_type");
    in.target_type = RD_NODE_REV;
    assert_int_equal(rd_merge_check(&in, &err), RD_OK);
    in.target_tracked_days = RD_MERGE_MIN_TRACKED_DAYS - 1;
    refused(&in, "sibling_young");

    ok_in(&in);
    in.strategy = RD_MERGE_NEW;
    in.target = "";                                    /* made by the op */
    in.target_in_subtree = 1;
    assert_int_equal(rd_merge_check(&in, &err), RD_OK);
}

static void test_pick_sibling(void **state)
{
    struct rd_merge_candidate c[] = {
        {"a", RD_NODE_ACTIVE, RD_NODE_REV, 30, 90000},
        {"b", RD_NODE_ACTIVE, RD_NODE_GEN, 300, 900000},     /* another type */
        {"c", RD_NODE_CLOSED, RD_NODE_REV, 300, 900000},     /* closed */
        {"d", RD_NODE_ACTIVE, RD_NODE_REV, 29, 900000},      /* too young */
        {"e", RD_NODE_SAFE, RD_NODE_REV, 60, 90001},         /* the best that fits */
    };
    enum rd_merge_strategy s;

    (void)state;
    assert_int_equal(rd_merge_pick_sibling(RD_NODE_REV, c, 5), 4);
    assert_int_equal(rd_merge_pick_sibling(RD_NODE_REV, c, 4), 0);
    assert_int_equal(rd_merge_pick_sibling(RD_NODE_COM, c, 5), -1);
    assert_int_equal(rd_merge_strategy_parse("partial", &s), RD_OK);
    assert_int_equal(s, RD_MERGE_PARTIAL);
    assert_int_equal(rd_merge_strategy_parse("Parent", &s), RD_EINVAL);
}

static void test_confidence(void **state)
{
    struct rd_merge_inputs in = {RD_MERGE_T_LOW_RETURN, RD_MERGE_HIGH, 45, 0, 50000, 5, 10};
    struct rd_merge_factors f;

    (void)state;
    rd_merge_assess(&in, &f);
    assert_int_equal(f.reliability, 500000);           /* 45 / 90 days */
    assert_int_equal(f.benefit, 500000);               /* 5 of 10 points */
    assert_int_equal(f.risk, 500000);                  /* 5 of 10 positions open */
    assert_int_equal(f.confidence, 500000);
    assert_int_equal(f.action, RD_FORK_REVIEW);
    assert_int_equal(f.safe, 0);

    in.tracked_days = 90;
    in.target_return_ppm = 100000;
    in.open_positions = 0;
    rd_merge_assess(&in, &f);
    assert_int_equal(f.reliability, RD_PPM);
    assert_int_equal(f.benefit, RD_PPM);
    assert_int_equal(f.risk, RD_PPM);
    assert_int_equal(f.confidence, RD_PPM);
    in.tracked_days = 900;                             /* capped at 1 */
    in.target_return_ppm = 1000000;
    rd_merge_assess(&in, &f);
    assert_int_equal(f.confidence, RD_PPM);

    in.trigger = RD_MERGE_T_MANUAL;                    /* a rule: reliable whatever the days */
    in.tracked_days = 0;
    in.target_return_ppm = -5;                         /* no gain */
    in.open_positions = 11;                            /* over max */
    rd_merge_assess(&in, &f);
    assert_int_equal(f.reliability, RD_PPM);
    assert_int_equal(f.benefit, 0);
    assert_int_equal(f.risk, 0);
    assert_int_equal(f.confidence, 300000);

    /* 0.80 executes, 0.70 waits, just under each does not */
    in = (struct rd_merge_inputs){RD_MERGE_T_MANUAL, RD_MERGE_HIGH, 0, 0, 50000, 0, 10};
    rd_merge_assess(&in, &f);                          /* 0.3 + 0.2 + 0.3 */
    assert_int_equal(f.confidence, 800000);
    assert_int_equal(f.action, RD_FORK_EXECUTE);
    in.target_return_ppm = 49999;
    rd_merge_assess(&in, &f);
    assert_int_equal(f.action, RD_FORK_WINDOW);
    in.target_return_ppm = 25000;                      /* 0.3 + 0.1 + 0.3 */
    rd_merge_assess(&in, &f);
    assert_int_equal(f.confidence, 700000);
    assert_int_equal(f.action, RD_FORK_WINDOW);

    /* critical below 0.70 sets SAFE; at 0.70 it does not */
    in.urgency = RD_MERGE_CRITICAL;
    in.trigger = RD_MERGE_T_DRAWDOWN;
    in.tracked_days = 90;
    rd_merge_assess(&in, &f);
    assert_int_equal(f.confidence, 700000);
    assert_int_equal(f.safe, 0);
    in.target_return_ppm = 24999;
    rd_merge_assess(&in, &f);
    assert_int_equal(f.action, RD_FORK_REVIEW);
    assert_int_equal(f.safe, 1);
    in.urgency = RD_MERGE_HIGH;
    rd_merge_assess(&in, &f);
    assert_int_equal(f.safe, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_triggers),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_pick_sibling),
        cmocka_unit_test(test_confidence),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
