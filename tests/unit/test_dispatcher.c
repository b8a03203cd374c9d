/*
 * The dispatcher on the real SQLite store and paper broker: isolation between
 * accounts, exits that stay in their account, broker rejections recorded as
 * such, reconciliation of pending orders, the kill switch, failing closed.
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
#include "riskdesk/calendar.h"
#include "riskdesk/dispatcher.h"
#include "riskdesk/runner.h"
#include "riskdesk/log.h"
#include "riskdesk/order_id.h"

#define T_1030 1795188600LL     /* Fri 2026-11-20 10:30 ET */

static const char two_accounts[] =
    "{\"database\": \"sqlite::memory:\", \"accounts\": ["
    " {\"name\": \"large\", \"tier\": \"auto\", \"starting_cash\": \"209000\","
    "  \"risk\": {\"max_notional_exposure\": 10000, \"max_open_positions\": 5,"
    "   \"max_contracts_per_trade\": 10, \"max_daily_loss\": 500, \"max_risk_per_trade_pct\": 0.02,"
    "   \"allowed_actions\": [\"BUY_CALL\", \"BUY_PUT\", \"BUY_STOCK\", \"SELL_STOCK\"],"
    "   \"exits\": {\"stop_loss_pct\": 0, \"take_profit_pct\": 0}}},"
    " {\"name\": \"tiny\", \"tier\": \"auto\", \"starting_cash\": \"1804\","
    "  \"risk\": {\"max_notional_exposure\": 1500, \"max_open_positions\": 2,"
    "   \"max_contracts_per_trade\": 2, \"max_daily_loss\": 100, \"max_risk_per_trade_pct\": 0.15,"
    "   \"exits\": {\"stop_loss_pct\": 0, \"take_profit_pct\": 0}}},"
    " {\"name\": \"thin\", \"tier\": \"tiny\", \"starting_cash\": \"50\","
    "  \"risk\": {\"max_notional_exposure\": 1500, \"max_open_positions\": 2,"
    "   \"max_contracts_per_trade\": 2, \"max_daily_loss\": 100, \"max_risk_per_trade_pct\": 0.15,"
    "   \"paper_ignore_buying_power\": true, \"allowed_actions\": [\"BUY_STOCK\"]}},"
    " {\"name\": \"exits\", \"tier\": \"large\", \"starting_cash\": \"209000\","
    "  \"risk\": {\"exits\": {\"stop_loss_pct\": 0.5, \"take_profit_pct\": 1.0, \"max_hold_days\": 5}}},"
    " {\"name\": \"drifter\", \"tier\": \"auto\", \"broker\": \"paper\"}"
    "]}";

struct world {
    struct rd_config *cfg;
    struct rd_store *store;
    struct rd_broker *broker[3];
    struct rd_dispatcher *d[3];
};

/* Account i's dispatcher, new (batch_max 0: the default), in place of any
 * before it: what a restart does. */
static void start_dispatcher(struct world *w, int i, size_t batch_max)
{
    struct rd_dispatcher_params p = {0};
    struct rd_error err = {0};

    rd_dispatcher_free(w->d[i]);
    p.cfg = w->cfg;
    p.account = &w->cfg->accounts[i];
    p.store = w->store;
    p.broker = w->broker[i];
    p.batch_max = batch_max;
    if (rd_dispatcher_new(&p, &w->d[i], &err) || rd_dispatcher_lock(w->d[i], &err))
        fail_msg("%s", err.msg);
}

static void open_world(struct world *w)
{
    struct rd_error err = {0};

    memset(w, 0, sizeof *w);
    if (rd_config_load_text(two_accounts, sizeof two_accounts - 1, "test.json", &w->cfg, &err) ||
        rd_store_open("sqlite::memory:", &w->store, &err))
        fail_msg("%s", err.msg);
    for (int i = 0; i < 3; i++) {
        struct rd_broker_params bp = {0};

        bp.account = w->cfg->accounts[i].name;
        struct rd_broker_state bst;

        rd_runner_store_state(w->store, &bst);
        bp.state = &bst;
        bp.starting_cash = w->cfg->accounts[i].starting_cash;
        bp.seed = 7;
        if (rd_broker_open("paper", &bp, &w->broker[i], &err))
            fail_msg("%s", err.msg);
        start_dispatcher(w, i, 0);
    }
}

static void close_world(struct world *w)
{
    for (int i = 0; i < 3; i++) {
        rd_dispatcher_free(w->d[i]);
        rd_broker_close(w->broker[i]);
    }
    rd_store_close(w->store);
    rd_config_free(w->cfg);
}

static void add_rec(struct world *w, const char *id, const char *underlying, const char *symbol,
                    enum rd_strategy strategy, rd_money price, int64_t created_at)
{
    struct rd_rec r;
    struct rd_error err = {0};

    memset(&r, 0, sizeof r);
    snprintf(r.id, sizeof r.id, "%s", id);
    snprintf(r.underlying, sizeof r.underlying, "%s", underlying);
    snprintf(r.symbol, sizeof r.symbol, "%s", symbol);
    r.action = strstr(symbol + strlen(underlying), "C") ? RD_ACT_BUY_CALL : RD_ACT_BUY_PUT;
    r.strategy = strategy;
    r.confidence = 800000;
    r.volume_ratio = 3000000;
    r.price = price;
    r.created_at = created_at;
    if (rd_rec_validate(&r, &err) || w->store->ops->trading->rec_add(w->store, &r, &err))
        fail_msg("rec %s: %s", id, err.msg);
}

static void cycle(struct world *w, int i, int64_t now, struct rd_cycle_stats *st)
{
    struct rd_error err = {0};

    if (rd_dispatcher_cycle(w->d[i], now, st, &err))
        fail_msg("cycle %s: %s", w->cfg->accounts[i].name, err.msg);
}

static size_t positions(struct world *w, int i, int64_t now)
{
    struct rd_broker_position *p = NULL;
    size_t n = 0;
    struct rd_error err = {0};

    w->broker[i]->now = now;
    if (w->broker[i]->ops->list_positions(w->broker[i], &p, &n, &err))
        fail_msg("%s", err.msg);
    rd_free(p);
    return n;
}

struct order_count {
    int total, filled, rejected, exits;
    char last_reason[256];
};

static int count_order(void *ctx, const struct rd_order_row *o)
{
    struct order_count *c = ctx;

    c->total++;
    c->filled += o->status == RD_ORDER_FILLED;
    c->rejected += o->status == RD_ORDER_REJECTED;
    c->exits += o->intent == RD_INTENT_EXIT;
    memcpy(c->last_reason, o->reason, sizeof c->last_reason);
    return 0;
}

static struct order_count orders(struct world *w, const char *account)
{
    struct order_count c;
    struct rd_error err = {0};

    memset(&c, 0, sizeof c);
    if (w->store->ops->trading->order_list(w->store, account, -1, count_order, &c, &err))
        fail_msg("%s", err.msg);
    return c;
}

static void test_isolation_large_full_tiny_empty(void **s)
{
    struct world w;
    struct rd_cycle_stats st;
    struct rd_decision dec;
    struct rd_rec probe;
    struct rd_error err = {0};
    static const char *const u[] = {"AAPL", "MSFT", "NVDA", "AMD", "META", "TSLA"};
    char id[16], sym[32];

    (void)s;
    open_world(&w);
    for (int i = 0; i < 5; i++) {
        snprintf(id, sizeof id, "r%d", i + 1);
        snprintf(sym, sizeof sym, "%s261218C00100000", u[i]);
        add_rec(&w, id, u[i], sym, RD_STRAT_SWING, RD_DOLLARS(1), T_1030 - 10);
    }
    cycle(&w, 0, T_1030, &st);
    assert_int_equal(st.decided, 5);
    assert_int_equal(st.approved, 5);
    assert_int_equal(st.filled, 5);
    assert_int_equal(positions(&w, 0, T_1030), 5);

    /* large is full; tiny has nothing and its view says so */
    add_rec(&w, "r6", "TSLA", "TSLA261218C00100000", RD_STRAT_SWING, RD_DOLLARS(1), T_1030 - 5);
    if (w.store->ops->trading->rec_get(w.store, "r6", &probe, &err))
        fail_msg("%s", err.msg);
    if (rd_dispatcher_evaluate(w.d[1], T_1030, &probe, &dec, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(dec.verdicts[RD_GATE_OPEN_POSITIONS].observed, 0);
    assert_true(dec.approved);
    if (rd_dispatcher_evaluate(w.d[0], T_1030, &probe, &dec, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(dec.verdicts[RD_GATE_OPEN_POSITIONS].observed, 5);
    assert_false(dec.approved);

    cycle(&w, 0, T_1030 + 1, &st);
    assert_int_equal(st.decided, 1);
    assert_int_equal(st.approved, 0);
    /* tiny decides all six for itself: two positions, then its own cap */
    cycle(&w, 1, T_1030 + 1, &st);
    assert_int_equal(st.decided, 6);
    assert_int_equal(st.approved, 2);
    assert_int_equal(positions(&w, 1, T_1030 + 1), 2);
    assert_int_equal(positions(&w, 0, T_1030 + 1), 5);
    assert_int_equal(orders(&w, "tiny").total, 2);
    assert_int_equal(orders(&w, "large").total, 5);
    /* nothing is decided twice */
    cycle(&w, 1, T_1030 + 2, &st);
    assert_int_equal(st.decided, 0);
    close_world(&w);
}

/* A cycle decides every undecided recommendation, a batch at a time, and each
 * batch sees the positions the batches before it opened. */
static void test_cycle_decides_every_batch(void **s)
{
    struct world w;
    struct rd_cycle_stats st;
    static const char *const u[] = {"AAPL", "MSFT", "NVDA", "AMD", "META", "TSLA", "GOOG"};
    char id[16], sym[32];

    (void)s;
    open_world(&w);
    start_dispatcher(&w, 0, 2);
    for (int i = 0; i < 7; i++) {
        snprintf(id, sizeof id, "b%d", i + 1);
        snprintf(sym, sizeof sym, "%s261218C00100000", u[i]);
        add_rec(&w, id, u[i], sym, RD_STRAT_SWING, RD_DOLLARS(1), T_1030 - 10 + i);
    }
    cycle(&w, 0, T_1030, &st);
    assert_int_equal(st.decided, 7);
    assert_int_equal(st.approved, 5);       /* max_open_positions 5, across batches */
    assert_int_equal(st.rejected, 2);
    assert_int_equal(st.filled, 5);
    assert_int_equal(positions(&w, 0, T_1030), 5);
    cycle(&w, 0, T_1030 + 1, &st);
    assert_int_equal(st.decided, 0);
    close_world(&w);
}

/* The stored mark: the place after which this account's walk starts. */
static long long stored_mark(struct world *w, const char *account)
{
    struct rd_error err = {0};
    char *val = NULL;
    long long v;

    if (w->store->ops->trading->kv_get(w->store, "rec_mark", account, &val, &err))
        fail_msg("%s", err.msg);
    v = strtoll(val, NULL, 10);
    rd_free(val);
    return v;
}

/* Each account walks only what came after what it decided, kept in the store
 * across restarts; another account's trade moves the mark past it but stays
 * that account's; a stored mark that is not a number means a walk from the
 * start, which decides nothing twice. */
static void test_rec_mark(void **s)
{
    struct world w;
    struct rd_cycle_stats st;
    struct rd_rec r;
    struct rd_error err = {0};
    long long m1, m2;

    (void)s;
    open_world(&w);
    add_rec(&w, "m1", "AAPL", "AAPL261218C00100000", RD_STRAT_SWING, RD_DOLLARS(1), T_1030 - 10);
    cycle(&w, 0, T_1030, &st);
    assert_int_equal(st.decided, 1);
    m1 = stored_mark(&w, "large");
    assert_true(m1 > 0);

    memset(&r, 0, sizeof r);
    assert_int_equal(w.store->ops->trading->rec_get(w.store, "m1", &r, &err), RD_OK);
    snprintf(r.id, sizeof r.id, "for-tiny");
    snprintf(r.account, sizeof r.account, "tiny");
    assert_int_equal(w.store->ops->trading->rec_add(w.store, &r, &err), RD_OK);
    cycle(&w, 0, T_1030 + 1, &st);
    assert_int_equal(st.decided, 0);
    m2 = stored_mark(&w, "large");
    assert_true(m2 > m1);
    cycle(&w, 1, T_1030 + 2, &st);
    assert_int_equal(st.decided, 2);         /* m1 and its own trade */
    assert_true(stored_mark(&w, "tiny") == m2);

    start_dispatcher(&w, 0, 0);
    add_rec(&w, "m2", "MSFT", "MSFT261218C00100000", RD_STRAT_SWING, RD_DOLLARS(1), T_1030 - 5);
    cycle(&w, 0, T_1030 + 3, &st);
    assert_int_equal(st.decided, 1);
    assert_true(stored_mark(&w, "large") > m2);

    assert_int_equal(w.store->ops->trading->kv_put(w.store, "rec_mark", "large", "12x", 0, &err), RD_OK);
    start_dispatcher(&w, 0, 0);
    add_rec(&w, "m3", "NVDA", "NVDA261218C00100000", RD_STRAT_SWING, RD_DOLLARS(1), T_1030);
    cycle(&w, 0, T_1030 + 4, &st);
    assert_int_equal(st.decided, 1);
    assert_true(stored_mark(&w, "large") > m2);
    close_world(&w);
}

static void test_exits_stay_in_their_account(void **s)
{
    struct world w;
    struct rd_cycle_stats st;
    int64_t t1555 = rd_et_to_utc(rd_date_from_ymd(2026, 11, 20), 15 * 60 + 55);

    (void)s;
    open_world(&w);
    /* the same contract in both accounts: a day trade in large, a swing in tiny */
    add_rec(&w, "d1", "AAPL", "AAPL261218C00100000", RD_STRAT_DAY, RD_DOLLARS(1), T_1030 - 10);
    cycle(&w, 0, T_1030, &st);
    assert_int_equal(st.filled, 1);
    /* tiny looks later: d1 is stale by then, s1 is fresh */
    add_rec(&w, "s1", "AAPL", "AAPL261218C00100000", RD_STRAT_SWING, RD_DOLLARS(1), T_1030 + 395);
    cycle(&w, 1, T_1030 + 400, &st);
    assert_int_equal(st.decided, 2);
    assert_int_equal(st.approved, 1);
    assert_int_equal(positions(&w, 1, T_1030 + 400), 1);

    /* 15:55 ET: large closes its day position; tiny's swing stays */
    cycle(&w, 0, t1555, &st);
    assert_int_equal(st.exits, 1);
    assert_int_equal(positions(&w, 0, t1555), 0);
    cycle(&w, 1, t1555, &st);
    assert_int_equal(st.exits, 0);
    assert_int_equal(positions(&w, 1, t1555), 1);
    assert_int_equal(orders(&w, "large").exits, 1);
    assert_int_equal(orders(&w, "tiny").exits, 0);
    /* a second cycle places no second exit */
    cycle(&w, 0, t1555 + 60, &st);
    assert_int_equal(st.exits, 0);
    assert_int_equal(orders(&w, "large").total, 2);
    close_world(&w);
}

static void test_broker_rejection_recorded(void **s)
{
    struct world w;
    struct rd_cycle_stats st;
    struct order_count c;
    struct rd_rec r;
    struct rd_error err = {0};

    (void)s;
    open_world(&w);
    /* "thin" has $50 and ignores buying power in its gates; a tight stop makes the
     * budget ask for 15 shares of a $100 stock, which the paper broker refuses */
    memset(&r, 0, sizeof r);
    snprintf(r.id, sizeof r.id, "x1");
    snprintf(r.underlying, sizeof r.underlying, "IBM");
    snprintf(r.symbol, sizeof r.symbol, "IBM");
    r.action = RD_ACT_BUY_STOCK;
    r.strategy = RD_STRAT_SWING;
    r.confidence = 800000;
    r.volume_ratio = 3000000;
    r.price = RD_DOLLARS(100);
    r.stop_price = RD_DOLLARS(100) - 100;
    r.created_at = T_1030 - 10;
    if (w.store->ops->trading->rec_add(w.store, &r, &err))
        fail_msg("%s", err.msg);
    cycle(&w, 2, T_1030, &st);
    assert_int_equal(st.approved, 1);
    assert_int_equal(st.broker_rejected, 1);
    assert_int_equal(st.filled, 0);
    c = orders(&w, "thin");
    assert_int_equal(c.total, 1);
    assert_int_equal(c.rejected, 1);
    assert_non_null(strstr(c.last_reason, "insufficient buying power"));
    assert_int_equal(positions(&w, 2, T_1030), 0);
    close_world(&w);
}

static int held_qty(void *ctx, const struct rd_position_row *p)
{
    if (!strcmp(p->symbol, "IBM"))
        *(int64_t *)ctx = p->qty;
    return 0;
}

/* A stock recommendation through "large" capped at qty (a trader's trade). */
static void add_stock_rec(struct world *w, const char *id, enum rd_action action, int64_t qty,
                          int64_t created_at)
{
    struct rd_rec r;
    struct rd_error err = {0};

    memset(&r, 0, sizeof r);
    snprintf(r.id, sizeof r.id, "%s", id);
    snprintf(r.underlying, sizeof r.underlying, "IBM");
    snprintf(r.symbol, sizeof r.symbol, "IBM");
    r.action = action;
    r.strategy = RD_STRAT_SWING;
    r.confidence = 800000;
    r.volume_ratio = 3000000;
    r.price = RD_DOLLARS(100);
    r.stop_price = action == RD_ACT_BUY_STOCK ? RD_DOLLARS(95) : 0;
    r.qty = qty;
    r.created_at = created_at;
    if (w->store->ops->trading->rec_add(w->store, &r, &err))
        fail_msg("rec %s: %s", id, err.msg);
}

/* Selling part of a position keeps the rest, in the store as at the broker. */
static void test_partial_sell_keeps_the_rest(void **s)
{
    struct world w;
    struct rd_cycle_stats st;
    struct rd_error err = {0};
    int64_t held = -1;

    (void)s;
    open_world(&w);
    add_stock_rec(&w, "b10", RD_ACT_BUY_STOCK, 10, T_1030 - 10);
    cycle(&w, 0, T_1030, &st);
    assert_int_equal(st.filled, 1);
    add_stock_rec(&w, "s4", RD_ACT_SELL_STOCK, 4, T_1030 + 50);
    cycle(&w, 0, T_1030 + 60, &st);
    assert_int_equal(st.approved, 1);
    assert_int_equal(st.filled, 1);
    if (w.store->ops->trading->position_list(w.store, "large", held_qty, &held, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(held, 6);
    assert_int_equal(positions(&w, 0, T_1030 + 60), 1);
    /* the next cycle agrees with the broker: nothing to reconcile or sell */
    cycle(&w, 0, T_1030 + 120, &st);
    assert_int_equal(st.exits, 0);
    held = -1;
    if (w.store->ops->trading->position_list(w.store, "large", held_qty, &held, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(held, 6);
    close_world(&w);
}

/* A broker that says whatever the test wants, to drive the kill switch and failures. */
struct fake_broker {
    struct rd_broker base;
    struct rd_broker_account acct;
    int fail_account;
    int accounts;                      /* get_account calls */
    int submits;
    int fill;                          /* 1: fill orders, 2: accept and leave open, 0: reject */
    struct rd_broker_position pos;     /* one position when pos.qty != 0 */
    struct rd_order_request last;
    int filled_later;                  /* get_order reports the last order filled */
};

static int fake_open(const struct rd_broker_params *p, struct rd_broker **out, struct rd_error *e)
{
    (void)p;
    (void)out;
    return rd_error_set(e, RD_EUNSUPPORTED, "not used");
}
static void fake_close(struct rd_broker *b) { (void)b; }
static int fake_account(struct rd_broker *b, struct rd_broker_account *out, struct rd_error *e)
{
    struct fake_broker *f = (struct fake_broker *)b;

    f->accounts++;
    if (f->fail_account)
        return rd_error_set(e, RD_ETIMEOUT, "fake: timed out");
    *out = f->acct;
    return RD_OK;
}
static int fake_positions(struct rd_broker *b, struct rd_broker_position **out, size_t *n,
                          struct rd_error *e)
{
    struct fake_broker *f = (struct fake_broker *)b;

    *out = NULL;
    *n = 0;
    if (!f->pos.qty)
        return RD_OK;
    *out = rd_malloc(sizeof **out);
    if (!*out)
        return rd_error_set(e, RD_ENOMEM, "fake: out of memory");
    **out = f->pos;
    *n = 1;
    return RD_OK;
}
static int fake_submit(struct rd_broker *b, const struct rd_order_request *req,
                       struct rd_order_result *out, struct rd_error *e)
{
    struct fake_broker *f = (struct fake_broker *)b;

    (void)e;
    f->submits++;
    f->last = *req;
    memset(out, 0, sizeof *out);
    if (f->fill == 2) {
        out->status = RD_ORDER_ACCEPTED;
        return RD_OK;
    }
    if (f->fill) {
        out->status = RD_ORDER_FILLED;
        out->filled_qty = req->qty;
        out->fill_price = f->pos.current_price;
        if (!strcmp(req->symbol, f->pos.symbol))
            f->pos.qty += req->side == RD_SIDE_SELL ? -req->qty : req->qty;
        return RD_OK;
    }
    out->status = RD_ORDER_REJECTED;
    snprintf(out->reason, sizeof out->reason, "insufficient options buying power (40310000)");
    return RD_OK;
}
static int fake_get(struct rd_broker *b, const char *id, struct rd_order_result *out,
                    struct rd_error *e)
{
    struct fake_broker *f = (struct fake_broker *)b;

    if (!f->filled_later || strcmp(id, f->last.client_order_id) != 0)
        return rd_error_set(e, RD_ENOTFOUND, "fake: no such order");
    memset(out, 0, sizeof *out);
    out->status = RD_ORDER_FILLED;
    out->filled_qty = f->last.qty;
    out->fill_price = f->last.ref_price;
    return RD_OK;
}
static const struct rd_broker_ops fake_ops = {
    "fake", 2, fake_open, fake_close, fake_account, fake_positions, fake_submit, fake_get, NULL, NULL,
    NULL,
};

static void fake_world_for(struct world *w, struct fake_broker *f, int account)
{
    struct rd_error err = {0};
    struct rd_dispatcher_params p = {0};

    memset(w, 0, sizeof *w);
    memset(f, 0, sizeof *f);
    f->base.ops = &fake_ops;
    f->acct.buying_power = f->acct.cash = f->acct.equity = f->acct.last_equity = RD_DOLLARS(209000);
    snprintf(f->acct.status, sizeof f->acct.status, "ACTIVE");
    if (rd_config_load_text(two_accounts, sizeof two_accounts - 1, "test.json", &w->cfg, &err) ||
        rd_store_open("sqlite::memory:", &w->store, &err))
        fail_msg("%s", err.msg);
    p.cfg = w->cfg;
    p.account = &w->cfg->accounts[account];
    p.store = w->store;
    p.broker = &f->base;
    if (rd_dispatcher_new(&p, &w->d[0], &err))
        fail_msg("%s", err.msg);
}

static void fake_world(struct world *w, struct fake_broker *f)
{
    fake_world_for(w, f, 0);
}

static void free_fake_world(struct world *w)
{
    rd_dispatcher_free(w->d[0]);
    rd_store_close(w->store);
    rd_config_free(w->cfg);
}

/* One position of 2 contracts bought at $1.00, now at `price`; returns the
 * exit orders placed in one cycle and the last order's reason. */
static int exit_case(rd_money price, int64_t opened_days_ago, int fill, char *reason, size_t n)
{
    struct world w;
    struct fake_broker f;
    struct rd_cycle_stats st;
    struct order_count c;
    struct rd_error err = {0};

    fake_world_for(&w, &f, 3);
    f.fill = fill;
    snprintf(f.pos.symbol, sizeof f.pos.symbol, "AAPL261218C00100000");
    f.pos.qty = 2;
    f.pos.multiplier = 100;
    f.pos.avg_entry_price = RD_DOLLARS(1);
    f.pos.current_price = price;
    if (opened_days_ago) {
        struct rd_position_row row;

        memset(&row, 0, sizeof row);
        snprintf(row.account, sizeof row.account, "exits");
        snprintf(row.symbol, sizeof row.symbol, "AAPL261218C00100000");
        snprintf(row.underlying, sizeof row.underlying, "AAPL");
        row.strategy = RD_STRAT_SWING;
        row.qty = 2;
        row.multiplier = 100;
        row.avg_price = RD_DOLLARS(1);
        row.opened_at = T_1030 - opened_days_ago * 86400;
        if (w.store->ops->trading->position_put(w.store, &row, &err))
            fail_msg("%s", err.msg);
    }
    cycle(&w, 0, T_1030, &st);
    c = orders(&w, "exits");
    snprintf(reason, n, "%s", c.last_reason);
    if (st.exits) {
        assert_int_equal(f.last.side, RD_SIDE_SELL);
        assert_int_equal(f.last.qty, 2);
        /* a second cycle places no second exit: the position is gone (filled), or
         * its exit is still open at the broker under the same client order id */
        cycle(&w, 0, T_1030 + 60, &st);
        assert_int_equal(st.exits, 0);
        assert_int_equal(f.submits, 1);
        if (fill == 1)
            assert_int_equal(f.pos.qty, 0);
    }
    free_fake_world(&w);
    return c.exits;
}

/* The store's position_put, counted (the dispatcher's writes through it). */
static int nputs;
static int (*real_put)(struct rd_store *, const struct rd_position_row *, struct rd_error *);
static int counted_put(struct rd_store *s, const struct rd_position_row *p, struct rd_error *err)
{
    nputs++;
    return real_put(s, p, err);
}

static int stored_qty(void *ctx, const struct rd_position_row *p)
{
    *(int64_t *)ctx = p->qty;
    return 0;
}

/* Each cycle's sync writes a position only when the broker's numbers differ
 * from the store's row: a broker position new to the store, then a changed
 * quantity, then a changed price; a cycle that finds them the same writes
 * nothing. */
static void test_sync_writes_only_changes(void **s)
{
    struct world w;
    struct fake_broker f;
    struct rd_cycle_stats st;
    struct rd_store_ops ops;
    struct rd_store_trading_ops trading;
    const struct rd_store_ops *orig;
    struct rd_error err = {0};
    int64_t qty = 0;

    (void)s;
    fake_world_for(&w, &f, 3);
    f.fill = 1;
    snprintf(f.pos.symbol, sizeof f.pos.symbol, "AAPL261218C00100000");
    f.pos.qty = 2;
    f.pos.multiplier = 100;
    f.pos.avg_entry_price = f.pos.current_price = RD_DOLLARS(1);
    orig = w.store->ops;
    ops = *orig;
    trading = *orig->trading;
    real_put = trading.position_put;
    trading.position_put = counted_put;
    ops.trading = &trading;
    w.store->ops = &ops;

    nputs = 0;
    cycle(&w, 0, T_1030, &st);
    assert_int_equal(nputs, 1);                 /* adopted from the broker */
    nputs = 0;
    cycle(&w, 0, T_1030 + 60, &st);
    assert_int_equal(nputs, 0);                 /* the same: nothing written */
    f.pos.qty = 3;
    cycle(&w, 0, T_1030 + 120, &st);
    assert_int_equal(nputs, 1);
    if (w.store->ops->trading->position_list(w.store, "exits", stored_qty, &qty, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(qty, 3);
    f.pos.avg_entry_price = RD_DOLLARS(1) + RD_MONEY_SCALE / 10;
    cycle(&w, 0, T_1030 + 180, &st);
    assert_int_equal(nputs, 2);
    cycle(&w, 0, T_1030 + 240, &st);
    assert_int_equal(nputs, 2);
    assert_int_equal(f.submits, 0);
    w.store->ops = orig;
    free_fake_world(&w);
}

/* Batches of 2 over 4 recommendations, every one approved and filled: the
 * account is read at the start, again before the second batch (the first
 * moved it), and once after the cycle's fills; not again after the second
 * batch, which was full but had nothing after it. */
static void test_fresh_look_only_before_a_batch(void **s)
{
    struct world w;
    struct fake_broker f;
    struct rd_cycle_stats st;
    struct rd_dispatcher_params p = {0};
    struct rd_error err = {0};
    static const char *const u[] = {"AAPL", "MSFT", "NVDA", "AMD"};
    char id[16], sym[32];

    (void)s;
    fake_world_for(&w, &f, 3);
    f.fill = 1;
    f.pos.current_price = RD_DOLLARS(1);
    rd_dispatcher_free(w.d[0]);
    p.cfg = w.cfg;
    p.account = &w.cfg->accounts[3];
    p.store = w.store;
    p.broker = &f.base;
    p.batch_max = 2;
    if (rd_dispatcher_new(&p, &w.d[0], &err))
        fail_msg("%s", err.msg);
    for (int i = 0; i < 4; i++) {
        snprintf(id, sizeof id, "f%d", i + 1);
        snprintf(sym, sizeof sym, "%s261218C00100000", u[i]);
        add_rec(&w, id, u[i], sym, RD_STRAT_SWING, RD_DOLLARS(1), T_1030 - 10 + i);
    }
    cycle(&w, 0, T_1030, &st);
    assert_int_equal(st.decided, 4);
    assert_int_equal(st.filled, 4);
    assert_int_equal(f.accounts, 3);
    free_fake_world(&w);
}

static void test_exit_rules(void **s)
{
    char reason[256];

    (void)s;
    assert_int_equal(exit_case(5000, 0, 1, reason, sizeof reason), 1);      /* -50%: stop */
    assert_string_equal(reason, "stop_loss");
    assert_int_equal(exit_case(5000, 0, 2, reason, sizeof reason), 1);      /* left open */
    assert_int_equal(exit_case(5001, 0, 1, reason, sizeof reason), 0);      /* just above */
    assert_int_equal(exit_case(RD_DOLLARS(2), 0, 1, reason, sizeof reason), 1);  /* +100% */
    assert_string_equal(reason, "take_profit");
    assert_int_equal(exit_case(RD_DOLLARS(2) - 1, 0, 1, reason, sizeof reason), 0);
    assert_int_equal(exit_case(RD_DOLLARS(1), 5, 1, reason, sizeof reason), 1);  /* held 5 days */
    assert_string_equal(reason, "max_hold");
    assert_int_equal(exit_case(RD_DOLLARS(1), 4, 1, reason, sizeof reason), 0);
}

/* A stop-loss the broker refuses is not left for good: after a pause the next
 * cycle places it again under a new client order id, and that one fills. */
static void test_refused_exit_retried(void **s)
{
    struct world w;
    struct fake_broker f;
    struct rd_cycle_stats st;
    struct order_count c;
    char first[RD_CLIENT_ORDER_ID_SIZE];

    (void)s;
    fake_world_for(&w, &f, 3);
    f.fill = 0;                                 /* the broker refuses */
    snprintf(f.pos.symbol, sizeof f.pos.symbol, "AAPL261218C00100000");
    f.pos.qty = 2;
    f.pos.multiplier = 100;
    f.pos.avg_entry_price = RD_DOLLARS(1);
    f.pos.current_price = 4000;                 /* -60%: the stop */
    cycle(&w, 0, T_1030, &st);
    assert_int_equal(st.exits, 1);
    assert_int_equal(st.broker_rejected, 1);
    memcpy(first, f.last.client_order_id, sizeof first);
    /* too soon: nothing placed again */
    cycle(&w, 0, T_1030 + 30, &st);
    assert_int_equal(st.exits, 0);
    assert_int_equal(f.submits, 1);
    /* after the pause the broker takes it, under a new id */
    f.fill = 1;
    cycle(&w, 0, T_1030 + 90, &st);
    assert_int_equal(st.exits, 1);
    assert_int_equal(st.filled, 1);
    assert_int_equal(f.submits, 2);
    assert_string_not_equal(first, f.last.client_order_id);
    assert_int_equal(f.pos.qty, 0);
    c = orders(&w, "exits");
    assert_int_equal(c.exits, 2);
    assert_int_equal(c.rejected, 1);
    assert_int_equal(c.filled, 1);
    /* and the position, gone, gets no third */
    cycle(&w, 0, T_1030 + 200, &st);
    assert_int_equal(st.exits, 0);
    assert_int_equal(f.submits, 2);
    free_fake_world(&w);
}

static void test_broker_reason_kept(void **s)
{
    struct world w;
    struct fake_broker f;
    struct rd_cycle_stats st;
    struct order_count c;

    (void)s;
    fake_world(&w, &f);
    add_rec(&w, "b1", "AAPL", "AAPL261218C00100000", RD_STRAT_SWING, RD_DOLLARS(1), T_1030 - 10);
    cycle(&w, 0, T_1030, &st);
    assert_int_equal(st.approved, 1);
    assert_int_equal(st.broker_rejected, 1);
    assert_int_equal(st.filled, 0);
    c = orders(&w, "large");
    assert_int_equal(c.rejected, 1);
    assert_non_null(strstr(c.last_reason, "insufficient options buying power"));
    assert_int_equal(f.submits, 1);
    rd_dispatcher_free(w.d[0]);
    rd_store_close(w.store);
    rd_config_free(w.cfg);
}

static int find_state(void *ctx, const struct rd_account_row *a)
{
    struct rd_account_row *out = ctx;

    if (!strcmp(a->name, "large"))
        *out = *a;
    return 0;
}

static void test_kill_switch_trips_and_resets(void **s)
{
    struct world w;
    struct fake_broker f;
    struct rd_cycle_stats st;
    struct rd_account_row row;
    struct rd_error err = {0};
    int64_t monday = rd_et_to_utc(rd_date_from_ymd(2026, 11, 23), 10 * 60 + 30);

    (void)s;
    fake_world(&w, &f);
    f.acct.equity = f.acct.last_equity - RD_DOLLARS(500);
    add_rec(&w, "k1", "AAPL", "AAPL261218C00100000", RD_STRAT_SWING, RD_DOLLARS(1), T_1030 - 10);
    cycle(&w, 0, T_1030, &st);
    assert_true(st.halted);
    assert_int_equal(st.approved, 0);
    memset(&row, 0, sizeof row);
    w.store->ops->trading->account_list(w.store, find_state, &row, &err);
    assert_int_equal(row.state, RD_STATE_HALTED);
    assert_int_equal(row.halted_until, rd_date_from_ymd(2026, 11, 23));
    /* still halted the same day even after the loss recovers */
    f.acct.equity = f.acct.last_equity;
    add_rec(&w, "k2", "AAPL", "AAPL261218C00100000", RD_STRAT_SWING, RD_DOLLARS(1), T_1030 + 50);
    cycle(&w, 0, T_1030 + 60, &st);
    assert_int_equal(st.approved, 0);
    /* the next trading day it trades again */
    add_rec(&w, "k3", "AAPL", "AAPL261218C00100000", RD_STRAT_SWING, RD_DOLLARS(1), monday - 10);
    cycle(&w, 0, monday, &st);
    assert_int_equal(st.approved, 1);
    w.store->ops->trading->account_list(w.store, find_state, &row, &err);
    assert_int_equal(row.state, RD_STATE_ACTIVE);
    rd_dispatcher_free(w.d[0]);
    rd_store_close(w.store);
    rd_config_free(w.cfg);
}

static void test_broker_down_fails_closed(void **s)
{
    struct world w;
    struct fake_broker f;
    struct rd_cycle_stats st;

    (void)s;
    fake_world(&w, &f);
    f.fail_account = 1;
    add_rec(&w, "f1", "AAPL", "AAPL261218C00100000", RD_STRAT_SWING, RD_DOLLARS(1), T_1030 - 10);
    cycle(&w, 0, T_1030, &st);
    assert_int_equal(st.decided, 1);
    assert_int_equal(st.approved, 0);
    assert_int_equal(f.submits, 0);
    rd_dispatcher_free(w.d[0]);
    rd_store_close(w.store);
    rd_config_free(w.cfg);
}

/* A crash after the decision was recorded and before the broker heard of it. */
static void test_reconcile_pending_orders(void **s)
{
    struct world w;
    struct rd_cycle_stats st;
    struct rd_order_row o;
    struct rd_order_request req;
    struct rd_order_result res;
    struct rd_error err = {0};
    struct order_count c;

    (void)s;
    open_world(&w);
    /* p1: recorded pending, never sent */
    memset(&o, 0, sizeof o);
    rd_client_order_id_entry("large", "p1", o.client_order_id);
    snprintf(o.account, sizeof o.account, "large");
    snprintf(o.rec_id, sizeof o.rec_id, "p1");
    snprintf(o.symbol, sizeof o.symbol, "AAPL261218C00100000");
    snprintf(o.underlying, sizeof o.underlying, "AAPL");
    o.side = RD_SIDE_BUY;
    o.qty = 3;
    o.multiplier = 100;
    o.ref_price = RD_DOLLARS(1);
    o.status = RD_ORDER_PENDING;
    o.created_at = o.updated_at = T_1030 - 30;
    if (w.store->ops->trading->order_add(w.store, &o, &err))
        fail_msg("%s", err.msg);
    /* p2: recorded pending and already placed at the broker */
    rd_client_order_id_entry("large", "p2", o.client_order_id);
    snprintf(o.rec_id, sizeof o.rec_id, "p2");
    snprintf(o.symbol, sizeof o.symbol, "MSFT261218C00100000");
    snprintf(o.underlying, sizeof o.underlying, "MSFT");
    if (w.store->ops->trading->order_add(w.store, &o, &err))
        fail_msg("%s", err.msg);
    memset(&req, 0, sizeof req);
    memcpy(req.client_order_id, o.client_order_id, sizeof req.client_order_id);
    memcpy(req.symbol, o.symbol, sizeof req.symbol);
    req.side = RD_SIDE_BUY;
    req.qty = 3;
    req.multiplier = 100;
    req.ref_price = RD_DOLLARS(1);
    w.broker[0]->now = T_1030 - 30;
    if (w.broker[0]->ops->submit_order(w.broker[0], &req, &res, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(res.status, RD_ORDER_FILLED);

    cycle(&w, 0, T_1030, &st);
    assert_int_equal(st.reconciled, 2);
    c = orders(&w, "large");
    assert_int_equal(c.total, 2);
    assert_int_equal(c.filled, 2);
    /* each filled exactly once: 3 contracts each, not 6 */
    {
        struct rd_broker_position *p = NULL;
        size_t n = 0;

        if (w.broker[0]->ops->list_positions(w.broker[0], &p, &n, &err))
            fail_msg("%s", err.msg);
        assert_int_equal(n, 2);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(p[i].qty, 3);
        rd_free(p);
    }
    close_world(&w);
}

/* An order the broker accepted and filled later: the next cycle records the fill. */
static void test_accepted_then_filled(void **s)
{
    struct world w;
    struct fake_broker f;
    struct rd_cycle_stats st;
    struct order_count c;

    (void)s;
    fake_world(&w, &f);
    f.fill = 2;
    add_rec(&w, "a1", "AAPL", "AAPL261218C00100000", RD_STRAT_SWING, RD_DOLLARS(1), T_1030 - 10);
    cycle(&w, 0, T_1030, &st);
    assert_int_equal(st.approved, 1);
    assert_int_equal(orders(&w, "large").filled, 0);
    cycle(&w, 0, T_1030 + 60, &st);              /* still working: nothing changes */
    assert_int_equal(orders(&w, "large").filled, 0);
    assert_int_equal(f.submits, 1);
    f.filled_later = 1;
    cycle(&w, 0, T_1030 + 120, &st);
    c = orders(&w, "large");
    assert_int_equal(c.total, 1);
    assert_int_equal(c.filled, 1);
    assert_int_equal(f.submits, 1);              /* never sent again */
    free_fake_world(&w);
}

/* An auto-tier account with no limits of its own takes its tier's shipped
 * limits once, at start; buying power that crosses a boundary later is
 * reported, and the tier stays until a restart. */
static void test_auto_tier_fixed_at_start(void **s)
{
    struct world w;
    struct fake_broker f;
    struct rd_decision dec;
    struct rd_cycle_stats st;
    struct rd_rec r;
    struct rd_error err = {0};

    (void)s;
    fake_world_for(&w, &f, 4);
    if (rd_dispatcher_start(w.d[0], T_1030, &err))
        fail_msg("%s", err.msg);
    add_rec(&w, "t1", "AAPL", "AAPL261218C00100000", RD_STRAT_SWING, RD_DOLLARS(1), T_1030 - 10);
    if (w.store->ops->trading->rec_get(w.store, "t1", &r, &err) ||
        rd_dispatcher_evaluate(w.d[0], T_1030, &r, &dec, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(dec.verdicts[RD_GATE_OPEN_POSITIONS].threshold, 5);       /* large */
    f.acct.buying_power = f.acct.cash = f.acct.equity = f.acct.last_equity = 1804 * RD_MONEY_SCALE;
    if (rd_dispatcher_evaluate(w.d[0], T_1030, &r, &dec, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(dec.verdicts[RD_GATE_OPEN_POSITIONS].threshold, 5);       /* still large */
    if (rd_dispatcher_cycle(w.d[0], T_1030, &st, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(st.tier, RD_TIER_LARGE);
    assert_int_equal(st.tier_by_buying_power, RD_TIER_TINY);                    /* reported */
    /* a restart takes the tier buying power says */
    if (rd_dispatcher_start(w.d[0], T_1030, &err) ||
        rd_dispatcher_evaluate(w.d[0], T_1030, &r, &dec, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(dec.verdicts[RD_GATE_OPEN_POSITIONS].threshold, 2);       /* tiny */
    assert_int_equal(dec.verdicts[RD_GATE_NOTIONAL_EXPOSURE].threshold, RD_DOLLARS(1500));
    free_fake_world(&w);
}

static void test_second_lock_refused(void **s)
{
    struct world w;
    struct rd_dispatcher *d2 = NULL;
    struct rd_dispatcher_params p = {0};
    struct rd_error err = {0};

    (void)s;
    open_world(&w);
    p.cfg = w.cfg;
    p.account = &w.cfg->accounts[0];
    p.store = w.store;
    p.broker = w.broker[0];
    assert_int_equal(rd_dispatcher_new(&p, &d2, &err), RD_OK);
    assert_int_equal(rd_dispatcher_lock(d2, &err), RD_EBUSY);
    assert_non_null(strstr(err.msg, "pid"));
    rd_dispatcher_free(d2);
    close_world(&w);
}

static void test_alloc_failures_do_not_crash(void **s)
{
    (void)s;
    for (long n = 1; n < 400; n++) {
        struct rd_config *cfg = NULL;
        struct rd_store *store = NULL;
        struct rd_broker *b = NULL;
        struct rd_dispatcher *d = NULL;
        struct rd_error err = {0};
        struct rd_broker_params bp = {0};
        struct rd_dispatcher_params p = {0};
        struct rd_cycle_stats st;
        int rc;

        if (rd_config_load_text(two_accounts, sizeof two_accounts - 1, "t", &cfg, &err) ||
            rd_store_open("sqlite::memory:", &store, &err))
            fail_msg("%s", err.msg);
        bp.account = "large";
        struct rd_broker_state bst;

        rd_runner_store_state(store, &bst);
        bp.state = &bst;
        bp.starting_cash = RD_DOLLARS(209000);
        if (rd_broker_open("paper", &bp, &b, &err))
            fail_msg("%s", err.msg);
        {
            struct world tmp = {.store = store};

            add_rec(&tmp, "a1", "AAPL", "AAPL261218C00100000", RD_STRAT_SWING, RD_DOLLARS(1),
                    T_1030 - 10);
        }
        p.cfg = cfg;
        p.account = &cfg->accounts[0];
        p.store = store;
        p.broker = b;
        rd_alloc_fail_after(n);
        rc = rd_dispatcher_new(&p, &d, &err);
        if (rc == RD_OK)
            rc = rd_dispatcher_cycle(d, T_1030, &st, &err);
        rd_alloc_fail_after(0);
        assert_true(rc == RD_OK || rc == RD_ENOMEM || rc == RD_ESTORE || rc == RD_EBROKER);
        rd_dispatcher_free(d);
        rd_broker_close(b);
        rd_store_close(store);
        rd_config_free(cfg);
        if (rc == RD_OK)
            break;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_isolation_large_full_tiny_empty),
        cmocka_unit_test(test_cycle_decides_every_batch),
        cmocka_unit_test(test_rec_mark),
        cmocka_unit_test(test_exits_stay_in_their_account),
        cmocka_unit_test(test_exit_rules),
        cmocka_unit_test(test_sync_writes_only_changes),
        cmocka_unit_test(test_fresh_look_only_before_a_batch),
        cmocka_unit_test(test_broker_rejection_recorded),
        cmocka_unit_test(test_partial_sell_keeps_the_rest),
        cmocka_unit_test(test_refused_exit_retried),
        cmocka_unit_test(test_broker_reason_kept),
        cmocka_unit_test(test_kill_switch_trips_and_resets),
        cmocka_unit_test(test_broker_down_fails_closed),
        cmocka_unit_test(test_reconcile_pending_orders),
        cmocka_unit_test(test_accepted_then_filled),
        cmocka_unit_test(test_auto_tier_fixed_at_start),
        cmocka_unit_test(test_second_lock_refused),
        cmocka_unit_test(test_alloc_failures_do_not_crash),
    };
    rd_log_set_level(RD_LOG_ERROR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
