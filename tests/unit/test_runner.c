/*
 * The account runner on the real SQLite store and paper broker: open, start
 * (the account's lock), cycle, pause and resume, close; the keys check that
 * refuses two accounts on one key before any broker is opened; a dry
 * evaluation that writes nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "riskdesk/runner.h"

#define T_1030 1795188600LL     /* Fri 2026-11-20 10:30 ET */
#define KEY "PKRUNNERTEST0000001"

static const char paper_cfg[] =
    "{\"database\": \"sqlite::memory:\", \"accounts\": ["
    " {\"name\": \"large\", \"tier\": \"auto\", \"starting_cash\": \"209000\","
    "  \"risk\": {\"max_notional_exposure\": 10000, \"max_open_positions\": 5,"
    "   \"max_contracts_per_trade\": 10, \"max_daily_loss\": 500, \"max_risk_per_trade_pct\": 0.02}}"
    "]}";

/* two Alpaca accounts whose sources resolve to one key, and a paper account */
static const char shared_cfg[] =
    "{\"database\": \"sqlite::memory:\", \"accounts\": ["
    " {\"name\": \"alp\", \"broker\": \"alpaca\", \"tier\": \"large\","
    "  \"credentials\": \"env:RUNNER_A\"},"
    " {\"name\": \"steal\", \"broker\": \"alpaca\", \"tier\": \"large\","
    "  \"credentials\": \"env:RUNNER_B\"},"
    " {\"name\": \"paper\", \"tier\": \"large\", \"starting_cash\": \"1000\"}"
    "]}";

struct rig {
    struct rd_config *cfg;
    struct rd_store *store;
};

static void rig_open(struct rig *g, const char *cfg)
{
    struct rd_error err = {0};

    memset(g, 0, sizeof *g);
    if (rd_config_load_text(cfg, strlen(cfg), "test.json", &g->cfg, &err) ||
        rd_store_open("sqlite::memory:", &g->store, &err))
        fail_msg("%s", err.msg);
}

static void rig_close(struct rig *g)
{
    rd_store_close(g->store);
    rd_config_free(g->cfg);
}

static struct rd_runner *runner(struct rig *g, const char *account, struct rd_store *store)
{
    struct rd_runner_params p;
    struct rd_runner *r = NULL;
    struct rd_error err = {0};

    memset(&p, 0, sizeof p);
    p.cfg = g->cfg;
    p.account = rd_config_account(g->cfg, account);
    p.store = store;
    p.quiet = 1;
    if (rd_runner_open(&p, &r, &err))
        fail_msg("open %s: %s", account, err.msg);
    return r;
}

static void add_rec(struct rd_store *s, const char *id)
{
    struct rd_rec r;
    struct rd_error err = {0};

    memset(&r, 0, sizeof r);
    snprintf(r.id, sizeof r.id, "%s", id);
    snprintf(r.underlying, sizeof r.underlying, "AAPL");
    snprintf(r.symbol, sizeof r.symbol, "AAPL261218C00200000");
    r.action = RD_ACT_BUY_CALL;
    r.strategy = RD_STRAT_SWING;
    r.confidence = 800000;
    r.volume_ratio = 3000000;
    r.price = RD_DOLLARS(2);
    r.created_at = T_1030 - 10;
    if (rd_rec_validate(&r, &err) || s->ops->trading->rec_add(s, &r, &err))
        fail_msg("rec %s: %s", id, err.msg);
}

static int count_decision(void *ctx, const struct rd_decision_row *row)
{
    (void)row;
    (*(int *)ctx)++;
    return 0;
}

static int decisions(struct rd_store *s, const char *account)
{
    struct rd_error err = {0};
    int n = 0;

    if (s->ops->trading->decision_list(s, account, 0, count_decision, &n, &err))
        fail_msg("%s", err.msg);
    return n;
}

static void test_pause_resume_close(void **state)
{
    struct rig g;
    struct rd_runner *r;
    struct rd_runner_status st;
    struct rd_cycle_stats cs;
    struct rd_error err = {0};

    (void)state;
    rig_open(&g, paper_cfg);
    r = runner(&g, "large", g.store);
    assert_string_equal(rd_runner_account(r)->name, "large");
    assert_ptr_equal(rd_runner_store(r), g.store);
    assert_int_equal(rd_runner_start(r, T_1030, &err), RD_OK);
    rd_runner_status(r, &st);
    assert_true(st.started);
    assert_false(st.paused);

    add_rec(g.store, "r1");
    rd_runner_pause(r, "test");
    rd_runner_pause(r, "twice is once");
    rd_runner_status(r, &st);
    assert_true(st.paused);
    /* paused: no cycle runs, the recommendation waits */
    assert_int_equal(rd_runner_cycle(r, T_1030, &cs, &err), RD_OK);
    assert_int_equal(cs.decided, 0);
    assert_int_equal(decisions(g.store, "large"), 0);
    rd_runner_status(r, &st);
    assert_int_equal(st.cycles, 0);

    rd_runner_resume(r);
    assert_int_equal(rd_runner_cycle(r, T_1030, &cs, &err), RD_OK);
    assert_int_equal(cs.decided, 1);
    assert_int_equal(cs.approved, 1);
    assert_int_equal(cs.filled, 1);
    assert_int_equal(decisions(g.store, "large"), 1);
    {
        /* the cycle reports the money after its fills, not before them */
        struct rd_broker_account ba;

        assert_int_equal(rd_runner_broker_account(r, T_1030, &ba, &err), RD_OK);
        assert_true(ba.buying_power < RD_DOLLARS(209000));
        assert_int_equal(cs.buying_power, ba.buying_power);
        assert_int_equal(cs.equity, ba.equity);
    }
    rd_runner_status(r, &st);
    assert_int_equal(st.cycles, 1);
    assert_int_equal(st.failures, 0);
    assert_int_equal(st.last_ok, T_1030);
    rd_runner_close(r);
    rd_runner_close(NULL);
    rig_close(&g);
}

static void test_one_runner_per_account(void **state)
{
    struct rig g;
    struct rd_store *other = NULL;
    struct rd_runner *a, *b;
    struct rd_error err = {0};

    (void)state;
    /* two handles on one file: the lock is the database's, not the handle's */
    rig_open(&g, paper_cfg);
    rd_store_close(g.store);
    {
        char url[128];

        snprintf(url, sizeof url, "sqlite:/tmp/rd-runner-%d.db", (int)getpid());
        remove(url + 7);
        if (rd_store_open(url, &g.store, &err) || rd_store_open(url, &other, &err))
            fail_msg("%s", err.msg);
        remove(url + 7);
    }
    a = runner(&g, "large", g.store);
    b = runner(&g, "large", other);
    assert_int_equal(rd_runner_start(a, T_1030, &err), RD_OK);
    assert_int_equal(rd_runner_start(b, T_1030, &err), RD_EBUSY);
    assert_non_null(strstr(err.msg, "pid"));
    /* closing the first frees the account */
    rd_runner_close(a);
    assert_int_equal(rd_runner_start(b, T_1030, &err), RD_OK);
    rd_runner_close(b);
    rd_store_close(other);
    rig_close(&g);
}

static void test_shared_keys_refused(void **state)
{
    struct rig g;
    struct rd_runner_params p;
    struct rd_runner *r = (struct rd_runner *)&p;
    struct rd_error err = {0};

    (void)state;
    setenv("RUNNER_A_API_KEY", KEY, 1);
    setenv("RUNNER_A_SECRET_KEY", "secret-a", 1);
    setenv("RUNNER_B_API_KEY", KEY, 1);
    setenv("RUNNER_B_SECRET_KEY", "secret-b", 1);
    rig_open(&g, shared_cfg);
    memset(&p, 0, sizeof p);
    p.cfg = g.cfg;
    p.store = g.store;
    p.account = rd_config_account(g.cfg, "steal");
    assert_int_equal(rd_runner_open(&p, &r, &err), RD_ECONFIG);
    assert_null(r);
    assert_non_null(strstr(err.msg, "\"alp\""));
    assert_non_null(strstr(err.msg, "\"steal\""));
    assert_non_null(strstr(err.msg, "same API key"));
    assert_null(strstr(err.msg, KEY));
    /* the other account of the pair is refused the same way */
    p.account = rd_config_account(g.cfg, "alp");
    assert_int_equal(rd_runner_open(&p, &r, &err), RD_ECONFIG);
    /* a probe only asks (the live numbers, a dry run): it resolves its own keys
     * and can never start, so it cannot trade on another's */
    assert_int_equal(rd_runner_open_probe(g.cfg, rd_config_account(g.cfg, "alp"), g.store, &r, &err),
                     RD_OK);
    assert_int_equal(rd_runner_start(r, T_1030, &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "probe"));
    rd_runner_close(r);
    /* a paper account has no keys to share */
    p.account = rd_config_account(g.cfg, "paper");
    assert_int_equal(rd_runner_open(&p, &r, &err), RD_OK);
    rd_runner_close(r);
    /* keys of its own: the check passes and the broker opens (nothing is sent yet) */
    setenv("RUNNER_B_API_KEY", "PKRUNNERTEST0000002", 1);
    setenv("RUNNER_B_BASE_URL", "http://127.0.0.1:9", 1);
    p.account = rd_config_account(g.cfg, "steal");
    assert_int_equal(rd_runner_open(&p, &r, &err), RD_OK);
    assert_string_equal(rd_runner_broker(r)->ops->name, "alpaca");
    rd_runner_close(r);
    rig_close(&g);
}

static void test_evaluate_writes_nothing(void **state)
{
    struct rig g;
    struct rd_runner *r;
    struct rd_decision d;
    struct rd_broker_account ba;
    struct rd_error err = {0};
    struct rd_rec rec;

    (void)state;
    rig_open(&g, paper_cfg);
    r = runner(&g, "large", g.store);
    add_rec(g.store, "r1");
    if (g.store->ops->trading->rec_get(g.store, "r1", &rec, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(rd_runner_evaluate(r, T_1030, &rec, &d, &ba, &err), RD_OK);
    assert_true(d.approved);
    assert_true(d.size > 0);
    assert_int_equal(ba.cash, RD_DOLLARS(209000));
    assert_int_equal(decisions(g.store, "large"), 0);
    /* the same recommendation is still there to decide */
    {
        struct rd_cycle_stats cs;

        assert_int_equal(rd_runner_cycle(r, T_1030, &cs, &err), RD_OK);
        assert_int_equal(cs.decided, 1);
    }
    rd_runner_close(r);
    rig_close(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pause_resume_close),
        cmocka_unit_test(test_one_runner_per_account),
        cmocka_unit_test(test_shared_keys_refused),
        cmocka_unit_test(test_evaluate_writes_nothing),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
