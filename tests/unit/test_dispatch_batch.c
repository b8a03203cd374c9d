/*
 * A batch decides as one recommendation at a time would. The dispatcher
 * records a batch's decisions and orders at its end and counts the batch's
 * own orders itself (entries per ticker, orders in the last minute); here the
 * same random recommendations go to two stores, one dispatcher deciding a
 * batch of one at a time (every count read back from the store) and one
 * deciding batches of 64, and every decision must come out the same: approved,
 * size, the first failed gate and each gate's verdict. The limits the batch
 * counts itself must bind on the way, or the comparison proves nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "riskdesk/alloc.h"
#include "riskdesk/dispatcher.h"
#include "riskdesk/log.h"
#include "riskdesk/runner.h"

#define T_1030 1795188600LL     /* Fri 2026-11-20 10:30 ET */
#define NRECS 400

/* Limits that bind within a batch: two entries a ticker a day, seven orders
 * a minute, eight positions; buying power and exposure wide open so a paper
 * fill's price never changes a later size. */
static const char config[] =
    "{\"database\": \"sqlite::memory:\", \"accounts\": ["
    " {\"name\": \"acct\", \"tier\": \"large\", \"starting_cash\": \"10000000\","
    "  \"risk\": {\"max_notional_exposure\": 5000000, \"max_open_positions\": 8,"
    "   \"max_contracts_per_trade\": 3, \"max_daily_loss\": 1000000,"
    "   \"max_risk_per_trade_pct\": 0.02, \"ticker_cooldown_minutes\": 0,"
    "   \"max_entries_per_ticker_per_day\": 2, \"max_orders_per_minute\": 7,"
    "   \"paper_ignore_buying_power\": true, \"kelly\": {\"enabled\": false},"
    "   \"exits\": {\"stop_loss_pct\": 0, \"take_profit_pct\": 0}}}"
    "]}";

struct side {
    struct rd_config *cfg;
    struct rd_store *store;
    struct rd_broker *broker;
    struct rd_dispatcher *d;
};

static void open_side(struct side *w, size_t batch_max)
{
    struct rd_dispatcher_params p = {0};
    struct rd_broker_params bp = {0};
    struct rd_broker_state bst;
    struct rd_error err = {0};

    memset(w, 0, sizeof *w);
    if (rd_config_load_text(config, sizeof config - 1, "batch.json", &w->cfg, &err) ||
        rd_store_open("sqlite::memory:", &w->store, &err))
        fail_msg("%s", err.msg);
    rd_runner_store_state(w->store, &bst);
    bp.account = w->cfg->accounts[0].name;
    bp.state = &bst;
    bp.starting_cash = w->cfg->accounts[0].starting_cash;
    bp.seed = 7;
    if (rd_broker_open("paper", &bp, &w->broker, &err))
        fail_msg("%s", err.msg);
    p.cfg = w->cfg;
    p.account = &w->cfg->accounts[0];
    p.store = w->store;
    p.broker = w->broker;
    p.batch_max = batch_max;
    if (rd_dispatcher_new(&p, &w->d, &err) || rd_dispatcher_lock(w->d, &err))
        fail_msg("%s", err.msg);
}

static void close_side(struct side *w)
{
    rd_dispatcher_free(w->d);
    rd_broker_close(w->broker);
    rd_store_close(w->store);
    rd_config_free(w->cfg);
}

static void add_rec(struct side *w, const struct rd_rec *r)
{
    struct rd_error err = {0};

    if (w->store->ops->trading->rec_add(w->store, r, &err))
        fail_msg("rec %s: %s", r->id, err.msg);
}

static void cycle(struct side *w, int64_t now)
{
    struct rd_cycle_stats st;
    struct rd_error err = {0};

    if (rd_dispatcher_cycle(w->d, now, &st, &err))
        fail_msg("cycle: %s", err.msg);
}

struct decisions {
    size_t n;
    struct rd_decision_row rows[NRECS];
};

static int keep(void *ctx, const struct rd_decision_row *row)
{
    struct decisions *ds = ctx;

    assert_true(ds->n < NRECS);
    ds->rows[ds->n++] = *row;
    return 0;
}

static int by_rec(const void *a, const void *b)
{
    return strcmp(((const struct rd_decision_row *)a)->rec_id,
                  ((const struct rd_decision_row *)b)->rec_id);
}

static void decisions_of(struct side *w, struct decisions *ds)
{
    struct rd_error err = {0};

    ds->n = 0;
    if (w->store->ops->trading->decision_list(w->store, "acct", 0, keep, ds, &err))
        fail_msg("%s", err.msg);
    qsort(ds->rows, ds->n, sizeof ds->rows[0], by_rec);
}

static void test_batch_decides_as_one_at_a_time(void **s)
{
    static const char *const u[] = {"AAPL", "MSFT", "NVDA", "AMD", "META"};
    static struct decisions one, many;
    static const int64_t at[] = {0, 20, 45, 130, 400};
    struct side a, b;
    unsigned seed = 20261207;
    int approved = 0, reasons[3] = {0};

    (void)s;
    open_side(&a, 1);
    open_side(&b, 64);
    for (int k = 0, id = 0; k < 5; k++) {
        for (int i = 0; i < NRECS / 5; i++, id++) {
            struct rd_rec r;
            int t = rand_r(&seed) % 5, strike = 90 + rand_r(&seed) % 4;
            struct rd_error err = {0};

            memset(&r, 0, sizeof r);
            snprintf(r.id, sizeof r.id, "r%04d", id);
            snprintf(r.underlying, sizeof r.underlying, "%s", u[t]);
            snprintf(r.symbol, sizeof r.symbol, "%s261218%c%08d", u[t],
                     rand_r(&seed) % 2 ? 'C' : 'P', strike * 1000);
            r.action = strchr(r.symbol + strlen(u[t]) + 6, 'C') ? RD_ACT_BUY_CALL : RD_ACT_BUY_PUT;
            r.strategy = rand_r(&seed) % 3 ? RD_STRAT_SWING : RD_STRAT_DAY;
            r.confidence = 700000 + rand_r(&seed) % 300000;
            r.volume_ratio = 3000000;
            r.price = RD_DOLLARS(1) + (rd_money)(rand_r(&seed) % 400) * 100;
            r.created_at = T_1030 + at[k] - 5;
            if (rd_rec_validate(&r, &err))
                fail_msg("rec %s: %s", r.id, err.msg);
            add_rec(&a, &r);
            add_rec(&b, &r);
        }
        cycle(&a, T_1030 + at[k]);
        cycle(&b, T_1030 + at[k]);
    }
    decisions_of(&a, &one);
    decisions_of(&b, &many);
    assert_int_equal(one.n, NRECS);
    assert_int_equal(many.n, NRECS);
    for (size_t i = 0; i < one.n; i++) {
        const struct rd_decision *x = &one.rows[i].d, *y = &many.rows[i].d;

        assert_string_equal(one.rows[i].rec_id, many.rows[i].rec_id);
        if (x->approved != y->approved || x->size != y->size || x->first_failed != y->first_failed)
            fail_msg("%s: one at a time approved=%d size=%lld first_failed=%s; batched "
                     "approved=%d size=%lld first_failed=%s", one.rows[i].rec_id, x->approved,
                     (long long)x->size, rd_gate_name(x->first_failed), y->approved,
                     (long long)y->size, rd_gate_name(y->first_failed));
        assert_int_equal(x->nverdicts, y->nverdicts);
        for (int g = 0; g < x->nverdicts; g++)
            assert_memory_equal(&x->verdicts[g], &y->verdicts[g], sizeof x->verdicts[g]);
        approved += x->approved;
        for (int g = 0; g < x->nverdicts; g++) {
            reasons[0] += x->verdicts[g].gate == RD_GATE_TICKER_ENTRIES && !x->verdicts[g].passed;
            reasons[1] += x->verdicts[g].gate == RD_GATE_ORDER_RATE && !x->verdicts[g].passed;
            reasons[2] += x->verdicts[g].gate == RD_GATE_OPEN_POSITIONS && !x->verdicts[g].passed;
        }
    }
    /* the limits the batch counts itself did bind, both ways */
    assert_true(approved > 0);
    assert_true(reasons[0] > 0);
    assert_true(reasons[1] > 0);
    assert_true(reasons[2] > 0);
    close_side(&a);
    close_side(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_decides_as_one_at_a_time),
    };

    rd_log_set_level(RD_LOG_WARN);

    return cmocka_run_group_tests(tests, NULL, NULL);
}
