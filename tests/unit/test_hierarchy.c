/*
 * test_hierarchy.c - the hierarchy's node types and state machine: the seed
 * table, its validation, every transition allowed and every one refused,
 * and how each state trades.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "riskdesk/hierarchy.h"

#define M(d) ((rd_money)(d) * RD_MONEY_SCALE)

static void test_defaults(void **state)
{
    struct rd_node_types t;
    struct rd_error err = {0};

    (void)state;
    rd_node_types_default(&t);
    assert_int_equal(rd_node_types_check(&t, "seed", &err), RD_OK);
    assert_int_equal(t.t[RD_NODE_GEN].min_capital, M(10000));
    assert_int_equal(t.t[RD_NODE_GEN].fork_threshold, M(100000));
    assert_int_equal(t.t[RD_NODE_GEN].child, RD_NODE_REV);
    assert_int_equal(t.t[RD_NODE_GEN].max_positions, 10);
    assert_int_equal(t.t[RD_NODE_GEN].position_ppm, 200000);
    assert_int_equal(t.t[RD_NODE_GEN].risk_ppm, 1000000);
    assert_int_equal(t.t[RD_NODE_GEN].scan_seconds, 300);
    assert_int_equal(t.t[RD_NODE_REV].min_capital, M(100000));
    assert_int_equal(t.t[RD_NODE_REV].fork_threshold, M(500000));
    assert_int_equal(t.t[RD_NODE_REV].child, RD_NODE_COM);
    assert_int_equal(t.t[RD_NODE_REV].max_positions, 20);
    assert_int_equal(t.t[RD_NODE_REV].position_ppm, 150000);
    assert_int_equal(t.t[RD_NODE_REV].risk_ppm, 1200000);
    assert_int_equal(t.t[RD_NODE_REV].scan_seconds, 180);
    assert_int_equal(t.t[RD_NODE_COM].min_capital, M(500000));
    assert_int_equal(t.t[RD_NODE_COM].fork_threshold, 0);
    assert_int_equal(t.t[RD_NODE_COM].child, -1);
    assert_int_equal(t.t[RD_NODE_COM].max_positions, 50);
    assert_int_equal(t.t[RD_NODE_COM].position_ppm, 100000);
    assert_int_equal(t.t[RD_NODE_COM].risk_ppm, 1500000);
    assert_int_equal(t.t[RD_NODE_COM].scan_seconds, 60);
}

/* One bad field at a time, each refused naming the type and the field. */
static void test_types_refused(void **state)
{
    static const struct {
        int type;
        const char *field;
    } cases[] = {
        {RD_NODE_GEN, "gen.min_capital"},  {RD_NODE_REV, "rev.fork_threshold"},
        {RD_NODE_COM, "com.max_positions"}, {RD_NODE_GEN, "gen.per_position"},
        {RD_NODE_REV, "rev.risk_multiplier"}, {RD_NODE_COM, "com.scan_seconds"},
        {RD_NODE_COM, "com.child"},        {RD_NODE_GEN, "gen.child"},
        {RD_NODE_REV, "rev.child"},        {RD_NODE_GEN, "gen.fork_threshold"},
        {RD_NODE_REV, "rev.per_position"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct rd_node_types t;
        struct rd_node_type_def *d;
        struct rd_error err = {0};

        rd_node_types_default(&t);
        d = &t.t[cases[i].type];
        switch (i) {
        case 0: d->min_capital = 0; break;
        case 1: d->fork_threshold = -1; break;
        case 2: d->max_positions = 0; break;
        case 3: d->position_ppm = 1000001; break;
        case 4: d->risk_ppm = 0; break;
        case 5: d->scan_seconds = 0; break;
        case 6: d->child = RD_NODE_GEN; break;              /* never forks, yet a child */
        case 7: d->child = RD_NODE_GEN; break;              /* a cycle */
        case 8: d->child = RD_NODE_GEN; break;              /* up the order */
        case 9: d->fork_threshold = M(50000); break;        /* under rev's minimum */
        case 10: d->position_ppm = 0; break;
        }
        assert_int_equal(rd_node_types_check(&t, "hierarchy.types", &err), RD_ECONFIG);
        assert_non_null(strstr(err.msg, "hierarchy.types"));
        assert_non_null(strstr(err.msg, cases[i].field));
    }
}

static void test_names(void **state)
{
    enum rd_node_type t;
    enum rd_node_state s;

    (void)state;
    for (int i = 0; i < RD_NODE_TYPE_COUNT; i++) {
        assert_int_equal(rd_node_type_parse(rd_node_type_name(i), &t), RD_OK);
        assert_int_equal(t, i);
    }
    for (int i = 0; i < RD_NODE_STATE_COUNT; i++) {
        assert_int_equal(rd_node_state_parse(rd_node_state_name(i), &s), RD_OK);
        assert_int_equal(s, i);
    }
    assert_int_equal(rd_node_type_parse("GEN", &t), RD_EINVAL);
    assert_int_equal(rd_node_state_parse("active", &s), RD_EINVAL);
    assert_null(rd_node_state_name(RD_NODE_STATE_COUNT));
}

/* The table, written out as pairs: every other pair is refused. */
static void test_transitions(void **state)
{
    static const char *const allowed[] = {
        "ACTIVE SAFE",      "ACTIVE SUSPENDED",  "ACTIVE FORKING",  "ACTIVE MERGING",
        "ACTIVE ERROR",     "SAFE SUSPENDED",    "SAFE ACTIVE",     "SAFE MERGING",
        "SAFE ERROR",       "SUSPENDED SAFE",    "SUSPENDED ACTIVE", "SUSPENDED MERGING",
        "SUSPENDED ERROR",  "FORKING ACTIVE",    "FORKING ERROR",   "MERGING CLOSED",
        "MERGING ACTIVE",   "MERGING SAFE",      "MERGING ERROR",   "ERROR SAFE",
    };
    int nallowed = 0, nrefused = 0;

    (void)state;
    for (int f = 0; f < RD_NODE_STATE_COUNT; f++)
        for (int t = 0; t < RD_NODE_STATE_COUNT; t++) {
            char pair[32];
            int want = 0;
            struct rd_error err = {0};
            int rc;

            snprintf(pair, sizeof pair, "%s %s", rd_node_state_name(f), rd_node_state_name(t));
            for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
                want |= strcmp(pair, allowed[i]) == 0;
            assert_int_equal(rd_node_transition_allowed(f, t), want);
            rc = rd_node_transition_check("g1", f, t, 0, &err);
            if (want) {
                assert_int_equal(rc, RD_OK);
                nallowed++;
            } else {
                assert_int_equal(rc, RD_EREJECTED);
                assert_non_null(strstr(err.msg, "invalid_transition"));
                assert_non_null(strstr(err.msg, "g1"));
                nrefused++;
            }
        }
    assert_int_equal(nallowed, 20);
    assert_int_equal(nrefused, 49 - 20);
}

static void test_close_needs_zero(void **state)
{
    struct rd_error err = {0};

    (void)state;
    assert_int_equal(rd_node_transition_check("g1", RD_NODE_MERGING, RD_NODE_CLOSED, 1, &err),
                     RD_EREJECTED);
    assert_non_null(strstr(err.msg, "capital 0"));
    assert_non_null(strstr(err.msg, "0.0001"));
    assert_int_equal(rd_node_transition_check("g1", RD_NODE_CLOSED, RD_NODE_ACTIVE, 0, &err),
                     RD_EREJECTED);
    assert_non_null(strstr(err.msg, "final"));
}

static void test_trading_state(void **state)
{
    (void)state;
    assert_int_equal(rd_node_trading_state(RD_NODE_ACTIVE), RD_STATE_ACTIVE);
    assert_int_equal(rd_node_trading_state(RD_NODE_FORKING), RD_STATE_ACTIVE);
    assert_int_equal(rd_node_trading_state(RD_NODE_MERGING), RD_STATE_REDUCING);
    assert_int_equal(rd_node_trading_state(RD_NODE_SAFE), RD_STATE_HALTED);
    assert_int_equal(rd_node_trading_state(RD_NODE_SUSPENDED), RD_STATE_HALTED);
    assert_int_equal(rd_node_trading_state(RD_NODE_ERROR), RD_STATE_HALTED);
    assert_int_equal(rd_node_trading_state(RD_NODE_CLOSED), RD_STATE_HALTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),   cmocka_unit_test(test_types_refused),
        cmocka_unit_test(test_names),      cmocka_unit_test(test_transitions),
        cmocka_unit_test(test_close_needs_zero), cmocka_unit_test(test_trading_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
