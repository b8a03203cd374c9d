/*
 * store_contract.h - the storage interface's contract as test cases, shared by
 * every backend's unit test: every operation round-trips every field, accounts
 * never see each other's rows, transactions nest, failed statements fail alone,
 * account locks die with their process, rows this riskdesk cannot read are
 * reported, and failed allocations leak nothing.
 *
 * Include it once from a test file (tests/unit/test_store_BACKEND.c) after
 * cmocka.h, after defining what it leaves to the backend:
 *
 *   CT_LOCK_RELEASE_WAIT_MS  how long a lock may take to be released after its
 *                            holder was SIGKILLed (0: at once, as flock is)
 *   static void ct_sql_exec(struct fixture *f, const char *sql);
 *                            runs SQL (portable: no backend functions) on the
 *                            fixture's database behind the store's back
 *   static void ct_check_busy(struct fixture *f, const char *msg, long pid);
 *                            backend-specific checks of an RD_EBUSY message
 *
 * and setup/teardown functions that fill struct fixture: url (a database of its
 * own per test) and s (a store opened on it).
 */
#ifndef RISKDESK_TESTS_STORE_CONTRACT_H
#define RISKDESK_TESTS_STORE_CONTRACT_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "riskdesk/alloc.h"
#include "riskdesk/fills.h"
#include "riskdesk/store.h"

#ifndef CT_LOCK_RELEASE_WAIT_MS
#define CT_LOCK_RELEASE_WAIT_MS 0
#endif

#define NOW 1763800000LL   /* 2025-11-22T08:26:40Z */
#define DAY 86400LL

struct fixture {
    char dir[64];
    char path[128];
    char url[512];
    char name[64];           /* the backend's own (a database name...) */
    struct rd_store *s;
};

static void ct_sql_exec(struct fixture *f, const char *sql);
static void ct_check_busy(struct fixture *f, const char *msg, long pid);

/* ---- rows ---- */

static struct rd_rec make_rec(const char *id, int64_t created_at, const char *underlying)
{
    struct rd_rec r;

    memset(&r, 0, sizeof r);
    snprintf(r.id, sizeof r.id, "%s", id);
    r.created_at = created_at;
    snprintf(r.underlying, sizeof r.underlying, "%s", underlying);
    snprintf(r.symbol, sizeof r.symbol, "%s251219C00150000", underlying);
    r.action = RD_ACT_BUY_CALL;
    r.strategy = RD_STRAT_SWING;
    r.confidence = 734000;
    r.volume_ratio = 2500001;
    r.price = 41234;
    r.stop_price = 20617;
    r.expires_at = created_at + 900;
    r.has_vix = 1;
    r.vix = 18750000;
    return r;
}

static void add_rec(struct rd_store *s, const char *id, int64_t created_at)
{
    struct rd_rec r = make_rec(id, created_at, "AAPL");
    struct rd_error err = {0};

    assert_int_equal(s->ops->rec_add(s, &r, &err), RD_OK);
}

static void add_rec_for(struct rd_store *s, const char *id, int64_t created_at, const char *account)
{
    struct rd_rec r = make_rec(id, created_at, "AAPL");
    struct rd_error err = {0};

    snprintf(r.account, sizeof r.account, "%s", account);
    assert_int_equal(s->ops->rec_add(s, &r, &err), RD_OK);
}

/* rec_undecided from the start (mark 0). */
static int undecided(struct rd_store *s, const char *account, size_t max, struct rd_rec *out,
                     size_t *n, struct rd_error *err)
{
    int64_t mark = 0;

    return s->ops->rec_undecided(s, account, &mark, max, out, n, err);
}

static struct rd_decision_row make_decision(const char *account, const char *rec_id, int approved)
{
    struct rd_decision_row row;
    struct rd_decision *d = &row.d;

    memset(&row, 0, sizeof row);
    snprintf(row.account, sizeof row.account, "%s", account);
    snprintf(row.rec_id, sizeof row.rec_id, "%s", rec_id);
    row.decided_at = NOW;
    d->approved = approved;
    d->size = approved ? 3 : 0;
    d->first_failed = approved ? RD_GATE_COUNT : RD_GATE_BUYING_POWER;
    d->risk_pct = 150000;
    d->kelly_used = 1;
    d->budget = RD_DOLLARS(225);
    d->unit_risk = -RD_DOLLARS(41);
    d->unit_cost = RD_DOLLARS(4123) + 4;
    d->nverdicts = RD_GATE_COUNT;
    for (int i = 0; i < RD_GATE_COUNT; i++) {
        struct rd_gate_verdict *v = &d->verdicts[i];

        v->gate = (uint8_t)i;
        v->passed = (uint8_t)(i % 2);
        v->reason = (uint8_t)((i * 7) % RD_REASON_COUNT);
        v->kind = (uint8_t)(i % 7);
        v->observed = i == 0 ? INT64_MIN : i == 1 ? INT64_MAX : -123456789012LL * i;
        v->threshold = i == 2 ? INT64_MIN : i == 3 ? INT64_MAX : 987654321098LL * i;
    }
    return row;
}

static struct rd_order_row make_order(const char *coid, const char *account, const char *underlying,
                                      enum rd_order_intent intent, enum rd_order_status status,
                                      int64_t created_at)
{
    struct rd_order_row o;

    memset(&o, 0, sizeof o);
    snprintf(o.client_order_id, sizeof o.client_order_id, "%s", coid);
    snprintf(o.account, sizeof o.account, "%s", account);
    snprintf(o.symbol, sizeof o.symbol, "%s", underlying);
    snprintf(o.underlying, sizeof o.underlying, "%s", underlying);
    o.side = intent == RD_INTENT_ENTRY ? RD_SIDE_BUY : RD_SIDE_SELL;
    o.intent = intent;
    o.strategy = RD_STRAT_DAY;
    o.qty = 7;
    o.multiplier = 1;
    o.ref_price = RD_DOLLARS(187) + 1234;
    o.status = status;
    o.created_at = created_at;
    o.updated_at = created_at;
    return o;
}

static void add_order(struct rd_store *s, const char *coid, const char *account,
                      const char *underlying, enum rd_order_intent intent,
                      enum rd_order_status status, int64_t created_at)
{
    struct rd_order_row o = make_order(coid, account, underlying, intent, status, created_at);
    struct rd_error err = {0};

    assert_int_equal(s->ops->order_add(s, &o, &err), RD_OK);
}

static void add_trade(struct rd_store *s, const char *account, rd_money pnl, int64_t closed_at,
                      int day_trade)
{
    struct rd_trade_row t;
    struct rd_error err = {0};

    memset(&t, 0, sizeof t);
    snprintf(t.account, sizeof t.account, "%s", account);
    snprintf(t.symbol, sizeof t.symbol, "SPY");
    t.qty = 1;
    t.multiplier = 1;
    t.entry_price = RD_DOLLARS(500);
    t.exit_price = RD_DOLLARS(500) + pnl;
    t.pnl = pnl;
    t.opened_at = closed_at - 600;
    t.closed_at = closed_at;
    t.day_trade = day_trade;
    assert_int_equal(s->ops->trade_add(s, &t, &err), RD_OK);
}

/* ---- field-by-field equality (bytes after a string's NUL do not count) ---- */

static void eq_rec(const struct rd_rec *a, const struct rd_rec *b)
{
    assert_string_equal(a->id, b->id);
    assert_true(a->created_at == b->created_at);
    assert_string_equal(a->underlying, b->underlying);
    assert_string_equal(a->symbol, b->symbol);
    assert_int_equal(a->action, b->action);
    assert_int_equal(a->strategy, b->strategy);
    assert_true(a->confidence == b->confidence);
    assert_true(a->volume_ratio == b->volume_ratio);
    assert_true(a->price == b->price);
    assert_true(a->stop_price == b->stop_price);
    assert_true(a->expires_at == b->expires_at);
    assert_int_equal(a->has_vix, b->has_vix);
    assert_true(a->vix == b->vix);
    assert_string_equal(a->account, b->account);
    assert_true(a->qty == b->qty);
}

static void eq_decision(const struct rd_decision_row *a, const struct rd_decision_row *b)
{
    assert_true(a->id == b->id);
    assert_string_equal(a->account, b->account);
    assert_string_equal(a->rec_id, b->rec_id);
    assert_true(a->decided_at == b->decided_at);
    assert_int_equal(a->d.approved, b->d.approved);
    assert_true(a->d.size == b->d.size);
    assert_int_equal(a->d.first_failed, b->d.first_failed);
    assert_true(a->d.risk_pct == b->d.risk_pct);
    assert_int_equal(a->d.kelly_used, b->d.kelly_used);
    assert_true(a->d.budget == b->d.budget);
    assert_true(a->d.unit_risk == b->d.unit_risk);
    assert_true(a->d.unit_cost == b->d.unit_cost);
    assert_int_equal(a->d.nverdicts, b->d.nverdicts);
    for (int i = 0; i < a->d.nverdicts; i++) {
        const struct rd_gate_verdict *x = &a->d.verdicts[i], *y = &b->d.verdicts[i];

        assert_int_equal(x->gate, y->gate);
        assert_int_equal(x->passed, y->passed);
        assert_int_equal(x->reason, y->reason);
        assert_int_equal(x->kind, y->kind);
        assert_true(x->observed == y->observed);
        assert_true(x->threshold == y->threshold);
    }
}

static void eq_order(const struct rd_order_row *a, const struct rd_order_row *b)
{
    assert_string_equal(a->client_order_id, b->client_order_id);
    assert_string_equal(a->account, b->account);
    assert_string_equal(a->rec_id, b->rec_id);
    assert_true(a->decision_id == b->decision_id);
    assert_string_equal(a->symbol, b->symbol);
    assert_string_equal(a->underlying, b->underlying);
    assert_int_equal(a->side, b->side);
    assert_int_equal(a->intent, b->intent);
    assert_int_equal(a->strategy, b->strategy);
    assert_true(a->qty == b->qty);
    assert_true(a->multiplier == b->multiplier);
    assert_true(a->ref_price == b->ref_price);
    assert_int_equal(a->status, b->status);
    assert_string_equal(a->broker_order_id, b->broker_order_id);
    assert_true(a->filled_qty == b->filled_qty);
    assert_true(a->fill_price == b->fill_price);
    assert_string_equal(a->reason, b->reason);
    assert_true(a->created_at == b->created_at);
    assert_true(a->updated_at == b->updated_at);
}

static void eq_position(const struct rd_position_row *a, const struct rd_position_row *b)
{
    assert_string_equal(a->account, b->account);
    assert_string_equal(a->symbol, b->symbol);
    assert_string_equal(a->underlying, b->underlying);
    assert_int_equal(a->strategy, b->strategy);
    assert_true(a->qty == b->qty);
    assert_true(a->multiplier == b->multiplier);
    assert_true(a->avg_price == b->avg_price);
    assert_true(a->opened_at == b->opened_at);
    assert_string_equal(a->rec_id, b->rec_id);
}

static void eq_account(const struct rd_account_row *a, const struct rd_account_row *b)
{
    assert_string_equal(a->name, b->name);
    assert_string_equal(a->tier, b->tier);
    assert_int_equal(a->state, b->state);
    assert_int_equal(a->halted_until, b->halted_until);
    assert_string_equal(a->state_reason, b->state_reason);
    assert_true(a->updated_at == b->updated_at);
}

/* ---- visitors ---- */

struct collect {
    int n;
    int stop_at;             /* return 99 on this row (1-based); 0 = never */
    struct rd_decision_row dec[8];
    struct rd_order_row ord[16];
    struct rd_position_row pos[8];
    struct rd_account_row acc[8];
};

static int visit_decision(void *ctx, const struct rd_decision_row *r)
{
    struct collect *c = ctx;

    if (c->n < 8)
        c->dec[c->n] = *r;
    return ++c->n == c->stop_at ? 99 : 0;
}

static int visit_order(void *ctx, const struct rd_order_row *r)
{
    struct collect *c = ctx;

    if (c->n < 16)
        c->ord[c->n] = *r;
    return ++c->n == c->stop_at ? 99 : 0;
}

static int visit_position(void *ctx, const struct rd_position_row *r)
{
    struct collect *c = ctx;

    if (c->n < 8)
        c->pos[c->n] = *r;
    return ++c->n == c->stop_at ? 99 : 0;
}

static int visit_account(void *ctx, const struct rd_account_row *r)
{
    struct collect *c = ctx;

    if (c->n < 8)
        c->acc[c->n] = *r;
    return ++c->n == c->stop_at ? 99 : 0;
}

/* ---- tests ---- */

/* ---- the contract ---- */

static void test_rec_roundtrip(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_rec r = make_rec("rec-1:a.b_c", NOW, "MSFT"), got, other;
    struct rd_error err = {0};

    r.action = RD_ACT_SELL_STOCK;
    r.strategy = RD_STRAT_DAY;
    r.price = INT64_MAX;
    r.stop_price = INT64_MIN;
    assert_int_equal(s->ops->rec_add(s, &r, &err), RD_OK);
    memset(&got, 0x5a, sizeof got);
    assert_int_equal(s->ops->rec_get(s, r.id, &got, &err), RD_OK);
    eq_rec(&got, &r);

    /* duplicate: RD_EEXIST, and the stored one is untouched */
    other = make_rec("rec-1:a.b_c", NOW + 5, "AAPL");
    assert_int_equal(s->ops->rec_add(s, &other, &err), RD_EEXIST);
    assert_non_null(strstr(err.msg, "rec-1:a.b_c"));
    assert_int_equal(s->ops->rec_get(s, r.id, &got, &err), RD_OK);
    eq_rec(&got, &r);

    assert_int_equal(s->ops->rec_get(s, "nope", &got, &err), RD_ENOTFOUND);
    assert_non_null(strstr(err.msg, "nope"));

    r.action = (enum rd_action)77;
    snprintf(r.id, sizeof r.id, "bad");
    assert_int_equal(s->ops->rec_add(s, &r, &err), RD_EINVAL);
}

static void test_decision_roundtrip(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_decision_row a = make_decision("acct-A", "r1", 0);
    struct rd_decision_row b = make_decision("acct-A", "r2", 1);
    struct rd_decision_row dup = make_decision("acct-A", "r1", 1);
    struct rd_decision_row orphan = make_decision("acct-A", "missing", 1);
    struct collect c = {0};
    struct rd_error err = {0};

    add_rec(s, "r1", NOW - 20);
    add_rec(s, "r2", NOW - 10);
    b.decided_at = NOW + 1;
    b.d.nverdicts = 3;
    assert_int_equal(s->ops->decision_add(s, &a, &err), RD_OK);
    assert_true(a.id > 0);
    assert_int_equal(s->ops->decision_add(s, &b, &err), RD_OK);
    assert_true(b.id > a.id);

    assert_int_equal(s->ops->decision_add(s, &dup, &err), RD_EEXIST);
    assert_non_null(strstr(err.msg, "r1"));
    assert_non_null(strstr(err.msg, "acct-A"));
    assert_int_equal(s->ops->decision_add(s, &orphan, &err), RD_ENOTFOUND);

    assert_int_equal(s->ops->decision_list(s, "acct-A", 0, visit_decision, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);
    /* newest first; every field back, all 20 verdicts with their extremes */
    eq_decision(&c.dec[0], &b);
    eq_decision(&c.dec[1], &a);
    assert_int_equal(c.dec[1].d.nverdicts, RD_GATE_COUNT);
    assert_true(c.dec[1].d.verdicts[0].observed == INT64_MIN);
    assert_true(c.dec[1].d.verdicts[3].threshold == INT64_MAX);
    assert_int_equal(c.dec[1].d.first_failed, RD_GATE_BUYING_POWER);
    assert_int_equal(c.dec[0].d.first_failed, RD_GATE_COUNT);

    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->decision_list(s, "acct-A", 1, visit_decision, &c, &err), RD_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.dec[0].rec_id, "r2");

    memset(&c, 0, sizeof c);
    c.stop_at = 1;
    assert_int_equal(s->ops->decision_list(s, "acct-A", 0, visit_decision, &c, &err), 99);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->decision_list(s, "acct-B", 0, visit_decision, &c, &err), RD_OK);
    assert_int_equal(c.n, 0);

    a.d.verdicts[4].reason = RD_REASON_COUNT;
    snprintf(a.rec_id, sizeof a.rec_id, "r2");
    snprintf(a.account, sizeof a.account, "acct-C");
    assert_int_equal(s->ops->decision_add(s, &a, &err), RD_EINVAL);
}

static void test_order_roundtrip(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_decision_row d = make_decision("acct-A", "r1", 1);
    struct rd_order_row o, exit_o, got, dup;
    struct collect c = {0};
    struct rd_error err = {0};

    add_rec(s, "r1", NOW);
    assert_int_equal(s->ops->decision_add(s, &d, &err), RD_OK);
    o = make_order("rd-acct-A-r1-0123456789abcdef0123456789abcdef012", "acct-A", "AAPL",
                   RD_INTENT_ENTRY, RD_ORDER_PENDING, NOW);
    assert_int_equal(strlen(o.client_order_id), 48);
    snprintf(o.rec_id, sizeof o.rec_id, "r1");
    o.decision_id = d.id;
    snprintf(o.symbol, sizeof o.symbol, "AAPL251219C00150000");
    o.strategy = RD_STRAT_SWING;
    o.multiplier = 100;
    o.filled_qty = -1;
    o.fill_price = INT64_MIN;
    snprintf(o.reason, sizeof o.reason, "sized on 4.12 premium");
    o.updated_at = NOW + 1;
    assert_int_equal(s->ops->order_add(s, &o, &err), RD_OK);
    assert_int_equal(s->ops->order_get(s, o.client_order_id, &got, &err), RD_OK);
    eq_order(&got, &o);

    dup = o;
    dup.qty = 1000;
    assert_int_equal(s->ops->order_add(s, &dup, &err), RD_EEXIST);
    assert_non_null(strstr(err.msg, o.client_order_id));

    /* an exit: no recommendation, no decision (stored as NULL, read back as ""/0) */
    exit_o = make_order("exit-1", "acct-A", "AAPL", RD_INTENT_EXIT, RD_ORDER_ACCEPTED, NOW + 5);
    snprintf(exit_o.broker_order_id, sizeof exit_o.broker_order_id, "b-77");
    assert_int_equal(s->ops->order_add(s, &exit_o, &err), RD_OK);
    assert_int_equal(s->ops->order_get(s, "exit-1", &got, &err), RD_OK);
    eq_order(&got, &exit_o);

    /* an order pointing at a decision that does not exist */
    dup = make_order("bad-ref", "acct-A", "AAPL", RD_INTENT_ENTRY, RD_ORDER_PENDING, NOW);
    dup.decision_id = 999999;
    assert_int_equal(s->ops->order_add(s, &dup, &err), RD_ENOTFOUND);

    /* update writes the broker's part */
    o.status = RD_ORDER_FILLED;
    snprintf(o.broker_order_id, sizeof o.broker_order_id, "alpaca-123");
    o.filled_qty = 7;
    o.fill_price = 41300;
    snprintf(o.reason, sizeof o.reason, "filled");
    o.updated_at = NOW + 60;
    assert_int_equal(s->ops->order_update(s, &o, &err), RD_OK);
    assert_int_equal(s->ops->order_get(s, o.client_order_id, &got, &err), RD_OK);
    eq_order(&got, &o);

    /* another account cannot touch it; a missing one is not found */
    dup = o;
    snprintf(dup.account, sizeof dup.account, "acct-B");
    dup.status = RD_ORDER_CANCELED;
    assert_int_equal(s->ops->order_update(s, &dup, &err), RD_ENOTFOUND);
    assert_int_equal(s->ops->order_get(s, o.client_order_id, &got, &err), RD_OK);
    assert_int_equal(got.status, RD_ORDER_FILLED);
    assert_int_equal(s->ops->order_get(s, "none", &got, &err), RD_ENOTFOUND);

    assert_int_equal(s->ops->order_list(s, "acct-A", -1, visit_order, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.ord[0].client_order_id, o.client_order_id);   /* oldest first */
    assert_string_equal(c.ord[1].client_order_id, "exit-1");
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->order_list(s, "acct-A", RD_ORDER_ACCEPTED, visit_order, &c, &err),
                     RD_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.ord[0].client_order_id, "exit-1");
    assert_int_equal(s->ops->order_list(s, "acct-A", RD_ORDER_STATUS_COUNT, visit_order, &c, &err),
                     RD_EINVAL);
}

static void test_position_account_roundtrip(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_position_row p, q;
    struct rd_account_row a, got;
    struct collect c = {0};
    struct rd_error err = {0};

    memset(&p, 0, sizeof p);
    snprintf(p.account, sizeof p.account, "acct-A");
    snprintf(p.symbol, sizeof p.symbol, "TSLA260116P00200000");
    snprintf(p.underlying, sizeof p.underlying, "TSLA");
    p.strategy = RD_STRAT_SWING;
    p.qty = -3;
    p.multiplier = 100;
    p.avg_price = 123456;
    p.opened_at = NOW - DAY;
    snprintf(p.rec_id, sizeof p.rec_id, "r-9");
    assert_int_equal(s->ops->position_put(s, &p, &err), RD_OK);
    q = p;
    snprintf(q.symbol, sizeof q.symbol, "AAPL");
    q.rec_id[0] = '\0';
    q.strategy = RD_STRAT_DAY;
    assert_int_equal(s->ops->position_put(s, &q, &err), RD_OK);
    assert_int_equal(s->ops->position_list(s, "acct-A", visit_position, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);
    eq_position(&c.pos[0], &q);   /* by symbol */
    eq_position(&c.pos[1], &p);

    p.qty = 5;                                       /* replaces */
    p.avg_price = 1;
    assert_int_equal(s->ops->position_put(s, &p, &err), RD_OK);
    q.qty = 0;                                       /* deletes */
    assert_int_equal(s->ops->position_put(s, &q, &err), RD_OK);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->position_list(s, "acct-A", visit_position, &c, &err), RD_OK);
    assert_int_equal(c.n, 1);
    eq_position(&c.pos[0], &p);

    memset(&a, 0, sizeof a);
    snprintf(a.name, sizeof a.name, "acct-A");
    snprintf(a.tier, sizeof a.tier, "small");
    a.state = RD_STATE_HALTED;
    a.halted_until = -1;
    snprintf(a.state_reason, sizeof a.state_reason, "admin halt: \"risk review\"");
    a.updated_at = NOW;
    assert_int_equal(s->ops->account_put(s, &a, &err), RD_OK);
    assert_int_equal(s->ops->account_get(s, "acct-A", &got, &err), RD_OK);
    eq_account(&got, &a);
    a.state = RD_STATE_REDUCING;
    a.halted_until = 20412;
    assert_int_equal(s->ops->account_put(s, &a, &err), RD_OK);
    assert_int_equal(s->ops->account_get(s, "acct-A", &got, &err), RD_OK);
    eq_account(&got, &a);
    snprintf(a.name, sizeof a.name, "acct-0");
    a.state = RD_STATE_ACTIVE;
    assert_int_equal(s->ops->account_put(s, &a, &err), RD_OK);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->account_list(s, visit_account, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.acc[0].name, "acct-0");
    eq_account(&c.acc[0], &a);
    assert_int_equal(s->ops->account_get(s, "acct-Z", &got, &err), RD_ENOTFOUND);
    a.state = RD_STATE_COUNT;
    assert_int_equal(s->ops->account_put(s, &a, &err), RD_EINVAL);
}

/* A recommendation for one account is undecided for that account only; the
 * rest stay every account's. */
static void test_rec_for_account(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_rec out[10], r, got;
    struct rd_decision_row d;
    struct rd_error err = {0};
    size_t n;

    add_rec(s, "all-1", NOW - 30);
    r = make_rec("for-A", NOW - 20, "AAPL");
    snprintf(r.account, sizeof r.account, "acct-A");
    r.qty = 3;
    assert_int_equal(s->ops->rec_add(s, &r, &err), RD_OK);
    add_rec(s, "all-2", NOW - 10);

    assert_int_equal(s->ops->rec_get(s, "for-A", &got, &err), RD_OK);
    eq_rec(&got, &r);
    assert_int_equal(s->ops->rec_get(s, "all-1", &got, &err), RD_OK);
    assert_string_equal(got.account, "");
    assert_true(got.qty == 0);

    assert_int_equal(undecided(s, "acct-A", 10, out, &n, &err), RD_OK);
    assert_int_equal(n, 3);
    assert_string_equal(out[0].id, "all-1");
    assert_string_equal(out[1].id, "for-A");
    eq_rec(&out[1], &r);
    assert_string_equal(out[2].id, "all-2");
    assert_int_equal(undecided(s, "acct-B", 10, out, &n, &err), RD_OK);
    assert_int_equal(n, 2);
    assert_string_equal(out[0].id, "all-1");
    assert_string_equal(out[1].id, "all-2");
    /* a prefix of the name is another account */
    assert_int_equal(undecided(s, "acct-", 10, out, &n, &err), RD_OK);
    assert_int_equal(n, 2);

    /* decided by its account, it is undecided for nobody */
    d = make_decision("acct-A", "for-A", 1);
    assert_int_equal(s->ops->decision_add(s, &d, &err), RD_OK);
    assert_int_equal(undecided(s, "acct-A", 10, out, &n, &err), RD_OK);
    assert_int_equal(n, 2);
    assert_string_equal(out[0].id, "all-1");
    assert_string_equal(out[1].id, "all-2");
    assert_int_equal(undecided(s, "acct-B", 1, out, &n, &err), RD_OK);
    assert_int_equal(n, 1);
    assert_string_equal(out[0].id, "all-1");
}

static void test_isolation(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_rec out[10];
    struct rd_decision_row d = make_decision("A", "r1", 1);
    struct rd_position_row p;
    struct rd_activity_query q = {0};
    struct rd_activity act;
    struct collect c = {0};
    struct rd_error err = {0};
    size_t n;

    add_rec(s, "r1", NOW - 30);
    add_rec(s, "r2", NOW - 20);
    assert_int_equal(s->ops->decision_add(s, &d, &err), RD_OK);
    d = make_decision("B", "r2", 1);
    assert_int_equal(s->ops->decision_add(s, &d, &err), RD_OK);

    /* decided for A is still undecided for B, and the other way round */
    assert_int_equal(undecided(s, "A", 10, out, &n, &err), RD_OK);
    assert_int_equal(n, 1);
    assert_string_equal(out[0].id, "r2");
    assert_int_equal(undecided(s, "B", 10, out, &n, &err), RD_OK);
    assert_int_equal(n, 1);
    assert_string_equal(out[0].id, "r1");
    assert_int_equal(undecided(s, "C", 10, out, &n, &err), RD_OK);
    assert_int_equal(n, 2);

    memset(&p, 0, sizeof p);
    snprintf(p.account, sizeof p.account, "A");
    snprintf(p.symbol, sizeof p.symbol, "AAPL");
    snprintf(p.underlying, sizeof p.underlying, "AAPL");
    p.qty = 10;
    p.multiplier = 1;
    assert_int_equal(s->ops->position_put(s, &p, &err), RD_OK);
    snprintf(p.account, sizeof p.account, "B");
    p.qty = 20;
    assert_int_equal(s->ops->position_put(s, &p, &err), RD_OK);
    /* B closing its AAPL leaves A's alone */
    p.qty = 0;
    assert_int_equal(s->ops->position_put(s, &p, &err), RD_OK);
    assert_int_equal(s->ops->position_list(s, "A", visit_position, &c, &err), RD_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.pos[0].qty, 10);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->position_list(s, "B", visit_position, &c, &err), RD_OK);
    assert_int_equal(c.n, 0);

    add_order(s, "oA", "A", "AAPL", RD_INTENT_ENTRY, RD_ORDER_FILLED, NOW - 5);
    add_order(s, "oB1", "B", "AAPL", RD_INTENT_ENTRY, RD_ORDER_FILLED, NOW - 4);
    add_order(s, "oB2", "B", "AAPL", RD_INTENT_ENTRY, RD_ORDER_FILLED, NOW - 3);
    add_trade(s, "B", RD_DOLLARS(10), NOW - 100, 1);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->order_list(s, "A", -1, visit_order, &c, &err), RD_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.ord[0].client_order_id, "oA");

    q.account = "A";
    q.underlying = "AAPL";
    q.symbol = "AAPL";
    q.day_start = NOW - 3600;
    q.minute_ago = NOW - 60;
    q.pdt_since = NOW - 5 * DAY;
    q.kelly_since = NOW - 30 * DAY;
    assert_int_equal(s->ops->activity(s, &q, &act, &err), RD_OK);
    assert_int_equal(act.entries_today, 1);
    assert_int_equal(act.last_entry_at, NOW - 5);
    assert_int_equal(act.orders_last_minute, 1);
    assert_int_equal(act.day_trades, 0);
    assert_int_equal(act.closed_trades, 0);
    q.account = "B";
    assert_int_equal(s->ops->activity(s, &q, &act, &err), RD_OK);
    assert_int_equal(act.entries_today, 2);
    assert_int_equal(act.orders_last_minute, 2);
    assert_int_equal(act.day_trades, 1);
    assert_int_equal(act.closed_trades, 1);
}

/* In the order the store took them, whatever their created_at; the mark
 * moves to the last one returned when the call was full, else to the last
 * place taken. */
static void test_undecided_order_and_limit(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_rec out[4];
    struct rd_error err = {0};
    int64_t mark = 0, full, top;
    size_t n = 99;

    add_rec(s, "c", NOW - 10);
    add_rec(s, "b", NOW - 20);
    add_rec(s, "a2", NOW - 20);
    add_rec(s, "z", NOW - 30);
    add_rec(s, "y", NOW);
    assert_int_equal(s->ops->rec_undecided(s, "A", &mark, 0, out, &n, &err), RD_OK);
    assert_int_equal(n, 0);
    assert_true(mark == 0);
    assert_int_equal(s->ops->rec_undecided(s, "A", &mark, 4, out, &n, &err), RD_OK);
    assert_int_equal(n, 4);
    assert_string_equal(out[0].id, "c");
    assert_string_equal(out[1].id, "b");
    assert_string_equal(out[2].id, "a2");
    assert_string_equal(out[3].id, "z");
    assert_true(mark > 0);
    full = mark;
    /* from the mark: only what follows z */
    assert_int_equal(s->ops->rec_undecided(s, "A", &mark, 4, out, &n, &err), RD_OK);
    assert_int_equal(n, 1);
    assert_string_equal(out[0].id, "y");
    assert_true(mark > full);
    top = mark;
    assert_int_equal(s->ops->rec_undecided(s, "A", &mark, 4, out, &n, &err), RD_OK);
    assert_int_equal(n, 0);
    assert_true(mark == top);

    /* others' recommendations move the mark past them; theirs stay theirs */
    add_rec_for(s, "for-B-1", NOW, "B");
    add_rec_for(s, "for-B-2", NOW, "B");
    assert_int_equal(s->ops->rec_undecided(s, "A", &mark, 4, out, &n, &err), RD_OK);
    assert_int_equal(n, 0);
    assert_true(mark > top);
    add_rec(s, "x", NOW - 100);    /* older than all, stored last: still found */
    assert_int_equal(s->ops->rec_undecided(s, "A", &mark, 4, out, &n, &err), RD_OK);
    assert_int_equal(n, 1);
    assert_string_equal(out[0].id, "x");
    mark = top;
    assert_int_equal(s->ops->rec_undecided(s, "B", &mark, 4, out, &n, &err), RD_OK);
    assert_int_equal(n, 3);
    assert_string_equal(out[0].id, "for-B-1");
    assert_string_equal(out[1].id, "for-B-2");
    assert_string_equal(out[2].id, "x");

    /* a decided one is skipped, and a full call's mark stops at its last */
    mark = 0;
    {
        struct rd_decision_row d = make_decision("A", "b", 1);

        assert_int_equal(s->ops->decision_add(s, &d, &err), RD_OK);
    }
    assert_int_equal(s->ops->rec_undecided(s, "A", &mark, 2, out, &n, &err), RD_OK);
    assert_int_equal(n, 2);
    assert_string_equal(out[0].id, "c");
    assert_string_equal(out[1].id, "a2");
    assert_int_equal(s->ops->rec_undecided(s, "A", &mark, 2, out, &n, &err), RD_OK);
    assert_int_equal(n, 2);
    assert_string_equal(out[0].id, "z");
    assert_string_equal(out[1].id, "y");
}

static void test_transactions(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_rec r;
    struct rd_error err = {0};

    assert_int_equal(s->ops->commit(s, &err), RD_EINVAL);
    s->ops->rollback(s);   /* no-op */

    /* outer + inner commit: written */
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    add_rec(s, "t1", NOW);
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    add_rec(s, "t2", NOW);
    assert_int_equal(s->ops->commit(s, &err), RD_OK);
    assert_int_equal(s->ops->commit(s, &err), RD_OK);
    assert_int_equal(s->ops->rec_get(s, "t2", &r, &err), RD_OK);

    /* outer rollback: gone */
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    add_rec(s, "t3", NOW);
    s->ops->rollback(s);
    assert_int_equal(s->ops->rec_get(s, "t3", &r, &err), RD_ENOTFOUND);

    /* inner rollback dooms the whole transaction */
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    add_rec(s, "t4", NOW);
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    add_rec(s, "t5", NOW);
    s->ops->rollback(s);
    add_rec(s, "t6", NOW);
    assert_int_equal(s->ops->commit(s, &err), RD_ESTORE);
    assert_non_null(strstr(err.msg, "inner level rolled back"));
    assert_int_equal(s->ops->rec_get(s, "t4", &r, &err), RD_ENOTFOUND);
    assert_int_equal(s->ops->rec_get(s, "t6", &r, &err), RD_ENOTFOUND);

    /* a duplicate inside a transaction fails alone; the rest commits */
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    add_rec(s, "t7", NOW);
    r = make_rec("t1", NOW, "AAPL");
    assert_int_equal(s->ops->rec_add(s, &r, &err), RD_EEXIST);
    assert_int_equal(s->ops->commit(s, &err), RD_OK);
    assert_int_equal(s->ops->rec_get(s, "t7", &r, &err), RD_OK);

    /* a fresh transaction after all that works */
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    add_rec(s, "t8", NOW);
    assert_int_equal(s->ops->commit(s, &err), RD_OK);
    assert_int_equal(s->ops->rec_get(s, "t8", &r, &err), RD_OK);
}

static void test_strings_cut_to_fit(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_rec r = make_rec("r", NOW, "AAPL"), got;
    struct rd_order_row o = make_order("long", "acct-A", "AAPL", RD_INTENT_EXIT, RD_ORDER_PENDING,
                                       NOW), g;
    struct rd_error err = {0};
    char reason[401], boid[101], sql[700];

    /* A field without its NUL is read to its size, never past it. */
    memset(r.underlying, 'X', sizeof r.underlying);
    assert_int_equal(s->ops->rec_add(s, &r, &err), RD_OK);
    assert_int_equal(s->ops->rec_get(s, "r", &got, &err), RD_OK);
    assert_int_equal(strlen(got.underlying), sizeof got.underlying - 1);

    /* A stored value longer than its field is cut to fit. */
    assert_int_equal(s->ops->order_add(s, &o, &err), RD_OK);
    /* printf('%0400d', 1) and printf('%0100d', 2), spelled out: portable SQL */
    memset(reason, '0', 399);
    reason[399] = '1';
    reason[400] = '\0';
    memset(boid, '0', 99);
    boid[99] = '2';
    boid[100] = '\0';
    snprintf(sql, sizeof sql, "UPDATE orders SET reason = '%s', broker_order_id = '%s' "
                              "WHERE client_order_id = 'long'", reason, boid);
    ct_sql_exec(f, sql);
    memset(&g, 0x5a, sizeof g);
    assert_int_equal(s->ops->order_get(s, "long", &g, &err), RD_OK);
    assert_int_equal(strlen(g.reason), sizeof g.reason - 1);
    assert_int_equal(strlen(g.broker_order_id), sizeof g.broker_order_id - 1);
    assert_int_equal(g.reason[254], '0');
}

/* Rows this riskdesk cannot read are reported, never half-read. */
static void test_unreadable_rows(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_decision_row d = make_decision("A", "r1", 0);
    struct collect c = {0};
    struct rd_order_row o;
    struct rd_error err = {0};

    add_rec(s, "r1", NOW);
    d.d.nverdicts = 0;
    assert_int_equal(s->ops->decision_add(s, &d, &err), RD_OK);
    assert_int_equal(s->ops->decision_list(s, "A", 0, visit_decision, &c, &err), RD_OK);
    assert_int_equal(c.dec[0].d.nverdicts, 0);

    ct_sql_exec(f, "UPDATE decisions SET verdicts = 'v2;whatever'");
    assert_int_equal(s->ops->decision_list(s, "A", 0, visit_decision, &c, &err), RD_ESTORE);
    assert_non_null(strstr(err.msg, "newer"));
    ct_sql_exec(f, "UPDATE decisions SET verdicts = 'v1;sizing,1,ok,m,1'");
    assert_int_equal(s->ops->decision_list(s, "A", 0, visit_decision, &c, &err), RD_ESTORE);
    assert_non_null(strstr(err.msg, "item 1"));
    ct_sql_exec(f, "UPDATE decisions SET verdicts = 'v1;no_such_gate,1,ok,m,1,2'");
    assert_int_equal(s->ops->decision_list(s, "A", 0, visit_decision, &c, &err), RD_ESTORE);
    ct_sql_exec(f, "UPDATE decisions SET verdicts = 'v1;sizing,1,ok,m,1,2', "
                      "first_failed = 'gone'");
    assert_int_equal(s->ops->decision_list(s, "A", 0, visit_decision, &c, &err), RD_ESTORE);
    assert_non_null(strstr(err.msg, "first_failed"));

    add_order(s, "o1", "A", "AAPL", RD_INTENT_ENTRY, RD_ORDER_PENDING, NOW);
    ct_sql_exec(f, "UPDATE orders SET strategy = 'scalp'");
    assert_int_equal(s->ops->order_get(s, "o1", &o, &err), RD_ESTORE);
    assert_non_null(strstr(err.msg, "orders.strategy"));
    assert_non_null(strstr(err.msg, "scalp"));
}

/* A dead holder's lock is free at once (flock), or once the server has seen
 * its connection close (CT_LOCK_RELEASE_WAIT_MS). */
static int lock_after_death(struct rd_store *s, const char *account, struct rd_error *err)
{
    int rc = s->ops->lock_account(s, account, err);

    for (int waited = 0; rc == RD_EBUSY && waited < CT_LOCK_RELEASE_WAIT_MS; waited += 10) {
        struct timespec ts = {0, 10 * 1000 * 1000};

        nanosleep(&ts, NULL);
        rc = s->ops->lock_account(s, account, err);
    }
    return rc;
}

static void test_lock_other_process(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_error err = {0};
    char expect[64];
    int pfd[2];
    pid_t pid;
    char c;

    assert_int_equal(pipe(pfd), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rd_store *cs;

        close(pfd[0]);
        if (rd_store_open(f->url, &cs, NULL) != RD_OK)
            _exit(1);
        if (cs->ops->lock_account(cs, "acct/A b", NULL) != RD_OK)
            _exit(2);
        if (write(pfd[1], "k", 1) != 1)
            _exit(3);
        for (;;)
            pause();
    }
    close(pfd[1]);
    assert_int_equal(read(pfd[0], &c, 1), 1);
    close(pfd[0]);

    assert_int_equal(s->ops->lock_account(s, "acct/A b", &err), RD_EBUSY);
    snprintf(expect, sizeof expect, "pid %ld", (long)pid);
    assert_non_null(strstr(err.msg, expect));
    assert_non_null(strstr(err.msg, " since 20"));
    ct_check_busy(f, err.msg, (long)pid);
    /* other accounts are free */
    assert_int_equal(s->ops->lock_account(s, "acct-B", &err), RD_OK);

    assert_int_equal(kill(pid, SIGKILL), 0);
    assert_int_equal(waitpid(pid, NULL, 0), pid);
    assert_int_equal(lock_after_death(s, "acct/A b", &err), RD_OK);
    assert_int_equal(s->ops->lock_account(s, "acct/A b", &err), RD_EBUSY);
    assert_non_null(strstr(err.msg, "this process"));
    s->ops->unlock_account(s, "acct/A b");
    s->ops->unlock_account(s, "never-locked");
    assert_int_equal(s->ops->lock_account(s, "acct/A b", &err), RD_OK);
    assert_int_equal(s->ops->lock_account(s, "", &err), RD_EINVAL);
}

static void test_lock_same_process_two_handles(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s2;
    struct rd_error err = {0};
    char expect[64];

    assert_int_equal(f->s->ops->lock_account(f->s, "A", &err), RD_OK);
    assert_int_equal(rd_store_open(f->url, &s2, &err), RD_OK);
    assert_int_equal(s2->ops->lock_account(s2, "A", &err), RD_EBUSY);
    snprintf(expect, sizeof expect, "pid %ld", (long)getpid());
    assert_non_null(strstr(err.msg, expect));
    /* closing the holder frees it */
    rd_store_close(f->s);
    f->s = s2;
    assert_int_equal(lock_after_death(s2, "A", &err), RD_OK);
}

static void test_activity(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_activity_query q = {0};
    struct rd_activity a;
    struct rd_error err = {0};
    const int64_t day_start = NOW - 5 * 3600;
    const int64_t pdt_since = NOW - 5 * DAY, kelly_since = NOW - 30 * DAY;

    add_order(s, "o1", "A", "AAPL", RD_INTENT_ENTRY, RD_ORDER_FILLED, day_start - 1);    /* yesterday */
    add_order(s, "o2", "A", "AAPL", RD_INTENT_ENTRY, RD_ORDER_ACCEPTED, day_start);      /* boundary: today */
    add_order(s, "o3", "A", "AAPL", RD_INTENT_ENTRY, RD_ORDER_REJECTED, NOW - 10);
    add_order(s, "o4", "A", "AAPL", RD_INTENT_ENTRY, RD_ORDER_CANCELED, NOW - 5);
    add_order(s, "o5", "A", "AAPL", RD_INTENT_EXIT, RD_ORDER_FILLED, NOW - 30);
    add_order(s, "o6", "A", "MSFT", RD_INTENT_ENTRY, RD_ORDER_PENDING, NOW - 61);
    add_order(s, "o7", "A", "AAPL", RD_INTENT_ENTRY, RD_ORDER_PENDING, NOW - 100);
    add_order(s, "o8", "A", "MSFT", RD_INTENT_EXIT, RD_ORDER_PENDING, NOW - 60);         /* boundary: in */
    add_order(s, "b1", "B", "AAPL", RD_INTENT_ENTRY, RD_ORDER_FILLED, NOW - 1);

    add_trade(s, "A", RD_DOLLARS(100), NOW - DAY, 1);
    add_trade(s, "A", -RD_DOLLARS(50), pdt_since, 1);           /* boundary: in */
    add_trade(s, "A", RD_DOLLARS(30), pdt_since - 1, 1);        /* Kelly only */
    add_trade(s, "A", -RD_DOLLARS(20) - 5, NOW - 10 * DAY, 0);
    add_trade(s, "A", RD_DOLLARS(1000), kelly_since - 1, 1);    /* outside both */
    add_trade(s, "A", 0, NOW - 2 * DAY, 0);                      /* flat: neither */
    add_trade(s, "B", RD_DOLLARS(7), NOW - DAY, 1);

    q.account = "A";
    q.underlying = "AAPL";
    q.symbol = "AAPL";
    q.day_start = day_start;
    q.minute_ago = NOW - 60;
    q.pdt_since = pdt_since;
    q.kelly_since = kelly_since;
    assert_int_equal(s->ops->activity(s, &q, &a, &err), RD_OK);
    assert_int_equal(a.entries_today, 2);            /* o2, o7 */
    assert_int_equal(a.last_entry_at, NOW - 100);    /* o7: rejected/canceled do not count */
    assert_int_equal(a.orders_last_minute, 4);       /* o3, o4, o5, o8 */
    assert_int_equal(a.day_trades, 2);
    assert_int_equal(a.closed_trades, 5);
    assert_int_equal(a.winning_trades, 2);
    assert_int_equal(a.gross_wins, RD_DOLLARS(130));
    assert_int_equal(a.gross_losses, RD_DOLLARS(70) + 5);

    /* Kelly window shorter than the PDT window */
    q.kelly_since = NOW - 3 * DAY;
    assert_int_equal(s->ops->activity(s, &q, &a, &err), RD_OK);
    assert_int_equal(a.day_trades, 2);
    assert_int_equal(a.closed_trades, 2);
    assert_int_equal(a.gross_wins, RD_DOLLARS(100));
    assert_int_equal(a.gross_losses, 0);

    /* nothing at all */
    q.account = "nobody";
    assert_int_equal(s->ops->activity(s, &q, &a, &err), RD_OK);
    assert_int_equal(a.entries_today, 0);
    assert_int_equal(a.last_entry_at, 0);
    assert_int_equal(a.closed_trades, 0);
    assert_int_equal(a.gross_wins, 0);
    q.account = NULL;
    assert_int_equal(s->ops->activity(s, &q, &a, &err), RD_EINVAL);
}

static void test_kv(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_error err = {0};
    char *v = (char *)0x1;

    assert_int_equal(s->ops->kv_get(s, "paper", "cash", &v, &err), RD_ENOTFOUND);
    assert_null(v);
    assert_int_equal(s->ops->kv_put(s, "paper", "cash", "100000.00", 1, &err), RD_OK);
    assert_int_equal(s->ops->kv_put(s, "paper", "cash", "5", 1, &err), RD_EEXIST);
    assert_int_equal(s->ops->kv_get(s, "paper", "cash", &v, &err), RD_OK);
    assert_string_equal(v, "100000.00");
    rd_free(v);
    assert_int_equal(s->ops->kv_put(s, "paper", "cash", "{\"x\": 1}", 0, &err), RD_OK);
    assert_int_equal(s->ops->kv_put(s, "other", "cash", "", 0, &err), RD_OK);
    assert_int_equal(s->ops->kv_get(s, "paper", "cash", &v, &err), RD_OK);
    assert_string_equal(v, "{\"x\": 1}");
    rd_free(v);
    assert_int_equal(s->ops->kv_get(s, "other", "cash", &v, &err), RD_OK);
    assert_string_equal(v, "");
    rd_free(v);
}

/* A visitor that calls the same walk again is refused, not corrupted. */
static int visit_reenter(void *ctx, const struct rd_order_row *r)
{
    struct rd_store *s = ctx;
    struct rd_error err = {0};
    struct collect c = {0};
    struct rd_order_row o;

    assert_int_equal(s->ops->order_list(s, r->account, -1, visit_order, &c, &err), RD_EINTERNAL);
    /* other operations are fine */
    assert_int_equal(s->ops->order_get(s, r->client_order_id, &o, &err), RD_OK);
    return 0;
}

static void test_reentrant_visitor(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_error err = {0};

    add_order(s, "o1", "A", "AAPL", RD_INTENT_ENTRY, RD_ORDER_FILLED, NOW);
    assert_int_equal(s->ops->order_list(s, "A", -1, visit_reenter, s, &err), RD_OK);
}

/* Every allocation of ours can fail: the result is RD_ENOMEM, no crash, no leak
 * (ASan and valgrind check the leaks). */
static void alloc_scenario(const char *url, int *completed)
{
    struct rd_store *s = NULL;
    struct rd_error err = {0};
    char *v = NULL;
    int rc;

    *completed = 0;
    rc = rd_store_open(url, &s, &err);
    if (rc == RD_OK)
        rc = s->ops->lock_account(s, "acct-A", &err);
    if (rc == RD_OK)
        rc = s->ops->kv_put(s, "ns", "k", "value", 0, &err);
    if (rc == RD_OK)
        rc = s->ops->kv_get(s, "ns", "k", &v, &err);
    if (rc == RD_OK) {
        assert_string_equal(v, "value");
        *completed = 1;
    } else {
        assert_int_equal(rc, RD_ENOMEM);
        assert_non_null(strstr(err.msg, "out of memory"));
    }
    rd_free(v);
    rd_store_close(s);
}

/* Fails the 1st, 2nd... allocation of alloc_scenario(url) until one run
 * completes; returns the number of runs. */
static int ct_alloc_failures(const char *url)
{
    int completed = 0;
    int n;

    for (n = 1; n < 100 && !completed; n++) {
        rd_alloc_fail_after(n);
        alloc_scenario(url, &completed);
        rd_alloc_fail_after(0);
    }
    assert_true(completed);
    assert_true(n > 3);   /* the scenario does allocate */
    return n;
}

/* ---- version 2: the HTTP API's operations ---- */

struct collect2 {
    int n;
    struct rd_token_row tok[4];
    struct rd_user_row usr[4];
    struct rd_assignment_row asg[8];
    char names[4][64];
    struct rd_rec rec[8];
    int64_t counts[RD_GATE_COUNT + 1][2];
    int64_t status[RD_ORDER_STATUS_COUNT];
};

static int visit_token(void *ctx, const struct rd_token_row *t)
{
    struct collect2 *c = ctx;

    if (c->n < 4)
        c->tok[c->n] = *t;
    c->n++;
    return 0;
}

static int visit_user(void *ctx, const struct rd_user_row *u)
{
    struct collect2 *c = ctx;

    if (c->n < 4)
        c->usr[c->n] = *u;
    c->n++;
    return 0;
}

static int visit_assignment(void *ctx, const struct rd_assignment_row *a)
{
    struct collect2 *c = ctx;

    if (c->n < 8)
        c->asg[c->n] = *a;
    c->n++;
    return 0;
}

static int visit_def(void *ctx, const struct rd_account_def_row *a)
{
    struct collect2 *c = ctx;

    if (c->n < 4)
        snprintf(c->names[c->n], sizeof c->names[0], "%s%s", a->name, a->closed_at ? "(closed)" : "");
    c->n++;
    return 0;
}

static int visit_rec2(void *ctx, const struct rd_rec *r)
{
    struct collect2 *c = ctx;

    if (c->n < 8)
        c->rec[c->n] = *r;
    c->n++;
    return 0;
}

static int visit_dcount(void *ctx, int approved, enum rd_gate first_failed, int64_t n)
{
    struct collect2 *c = ctx;

    c->counts[first_failed][approved ? 1 : 0] += n;
    c->n++;
    return 0;
}

static int visit_ocount(void *ctx, enum rd_order_status st, int64_t n)
{
    struct collect2 *c = ctx;

    c->status[st] += n;
    c->n++;
    return 0;
}

static void test_api_tokens_users(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_token_row t, got;
    struct rd_user_row u, ug;
    struct rd_assignment_row a;
    struct collect2 c;
    struct rd_error err = {0};
    int64_t first;

    assert_true(s->ops->version >= 2);
    memset(&t, 0, sizeof t);
    memset(t.hash, 'a', 64);
    snprintf(t.prefix, sizeof t.prefix, "rdk_aaaa");
    snprintf(t.role, sizeof t.role, "admin");
    snprintf(t.user, sizeof t.user, "alice");
    snprintf(t.label, sizeof t.label, "laptop");
    t.created_at = NOW;
    assert_int_equal(s->ops->token_add(s, &t, &err), RD_OK);
    assert_true(t.id > 0);
    first = t.id;
    assert_int_equal(s->ops->token_add(s, &t, &err), RD_EEXIST);
    memset(t.hash, 'b', 64);
    snprintf(t.role, sizeof t.role, "viewer");
    assert_int_equal(s->ops->token_add(s, &t, &err), RD_OK);
    assert_true(t.id > first);
    assert_int_equal(s->ops->token_find(s, t.hash, &got, &err), RD_OK);
    assert_true(got.id == t.id);
    assert_string_equal(got.role, "viewer");
    assert_string_equal(got.label, "laptop");
    assert_int_equal(s->ops->token_find(s, "nope", &got, &err), RD_ENOTFOUND);
    assert_int_equal(s->ops->token_revoke(s, first, NOW + 5, &err), RD_OK);
    assert_int_equal(s->ops->token_revoke(s, first, NOW + 9, &err), RD_OK);   /* keeps the first */
    assert_int_equal(s->ops->token_revoke(s, 999999, NOW, &err), RD_ENOTFOUND);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->token_list(s, visit_token, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);
    assert_true(c.tok[0].id == first && c.tok[0].revoked_at == NOW + 5);
    assert_true(c.tok[1].revoked_at == 0);

    memset(&u, 0, sizeof u);
    snprintf(u.id, sizeof u.id, "bob");
    snprintf(u.display_name, sizeof u.display_name, "Bob B.");
    snprintf(u.department, sizeof u.department, "options");
    u.created_at = u.updated_at = NOW;
    assert_int_equal(s->ops->user_put(s, &u, 1, &err), RD_OK);
    assert_int_equal(s->ops->user_put(s, &u, 1, &err), RD_EEXIST);
    snprintf(u.display_name, sizeof u.display_name, "Robert");
    snprintf(u.account, sizeof u.account, "ignored");   /* only assignment_add sets it */
    assert_int_equal(s->ops->user_put(s, &u, 0, &err), RD_OK);
    snprintf(u.id, sizeof u.id, "amy");
    assert_int_equal(s->ops->user_put(s, &u, 0, &err), RD_OK);
    assert_int_equal(s->ops->user_get(s, "bob", &ug, &err), RD_OK);
    assert_string_equal(ug.display_name, "Robert");
    assert_string_equal(ug.account, "");
    assert_int_equal(s->ops->user_get(s, "nobody", &ug, &err), RD_ENOTFOUND);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->user_list(s, visit_user, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.usr[0].id, "amy");

    /* assignments: history newest first, the user's account follows */
    memset(&a, 0, sizeof a);
    snprintf(a.user, sizeof a.user, "bob");
    snprintf(a.account, sizeof a.account, "acct-A");
    snprintf(a.strategy, sizeof a.strategy, "manual");
    snprintf(a.assigned_by, sizeof a.assigned_by, "alice");
    a.at = NOW;
    assert_int_equal(s->ops->assignment_add(s, &a, &err), RD_OK);
    assert_true(a.id > 0);
    snprintf(a.account, sizeof a.account, "acct-B");
    a.at = NOW + 1;
    assert_int_equal(s->ops->assignment_add(s, &a, &err), RD_OK);
    assert_string_equal(a.previous, "acct-A");
    assert_int_equal(s->ops->user_get(s, "bob", &ug, &err), RD_OK);
    assert_string_equal(ug.account, "acct-B");
    a.account[0] = '\0';
    a.at = NOW + 2;
    assert_int_equal(s->ops->assignment_add(s, &a, &err), RD_OK);
    assert_int_equal(s->ops->user_get(s, "bob", &ug, &err), RD_OK);
    assert_string_equal(ug.account, "");
    snprintf(a.user, sizeof a.user, "ghost");
    assert_int_equal(s->ops->assignment_add(s, &a, &err), RD_ENOTFOUND);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->assignment_list(s, "bob", NULL, 0, visit_assignment, &c, &err), RD_OK);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.asg[0].previous, "acct-B");
    assert_string_equal(c.asg[0].account, "");
    assert_string_equal(c.asg[2].account, "acct-A");
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->assignment_list(s, NULL, "acct-B", 0, visit_assignment, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);   /* to B, and away from B */
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->assignment_list(s, NULL, NULL, 1, visit_assignment, &c, &err), RD_OK);
    assert_int_equal(c.n, 1);
}

static void test_api_defs_and_reads(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_account_def_row *d = calloc(1, sizeof *d);
    struct rd_decision_row dr = make_decision("A", "r1", 0), got;
    struct rd_rec_filter flt;
    struct collect2 c;
    struct rd_error err = {0};

    snprintf(d->name, sizeof d->name, "zeta");
    snprintf(d->def, sizeof d->def, "{\"name\": \"zeta\"}");
    d->created_at = d->updated_at = NOW;
    assert_int_equal(s->ops->account_def_put(s, d, 1, &err), RD_OK);
    assert_int_equal(s->ops->account_def_put(s, d, 1, &err), RD_EEXIST);
    d->closed_at = NOW + 1;
    snprintf(d->closed_by, sizeof d->closed_by, "alice");
    assert_int_equal(s->ops->account_def_put(s, d, 0, &err), RD_OK);
    snprintf(d->name, sizeof d->name, "alpha");
    memset(d->def, 'x', sizeof d->def);   /* a full field, no NUL */
    d->closed_at = 0;
    assert_int_equal(s->ops->account_def_put(s, d, 1, &err), RD_OK);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->account_def_list(s, visit_def, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.names[0], "alpha");
    assert_string_equal(c.names[1], "zeta(closed)");
    free(d);

    add_rec(s, "r1", NOW - 30);
    add_rec(s, "r2", NOW - 20);
    add_rec(s, "r3", NOW - 10);
    memset(&flt, 0, sizeof flt);
    flt.action = -1;
    flt.strategy = -1;
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->rec_list(s, &flt, visit_rec2, &c, &err), RD_OK);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.rec[0].id, "r3");   /* newest first */
    flt.since = NOW - 20;
    flt.until = NOW - 10;                     /* [since, until) */
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->rec_list(s, &flt, visit_rec2, &c, &err), RD_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.rec[0].id, "r2");
    memset(&flt, 0, sizeof flt);
    flt.action = RD_ACT_BUY_PUT;
    flt.strategy = -1;
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->rec_list(s, &flt, visit_rec2, &c, &err), RD_OK);
    assert_int_equal(c.n, 0);
    flt.action = -1;
    flt.underlying = "AAPL";
    flt.limit = 2;
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->rec_list(s, &flt, visit_rec2, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);

    assert_int_equal(s->ops->decision_add(s, &dr, &err), RD_OK);
    assert_int_equal(s->ops->decision_get(s, dr.id, &got, &err), RD_OK);
    eq_decision(&got, &dr);
    assert_int_equal(s->ops->decision_get(s, dr.id + 1000, &got, &err), RD_ENOTFOUND);
    dr = make_decision("A", "r2", 1);
    assert_int_equal(s->ops->decision_add(s, &dr, &err), RD_OK);
    dr = make_decision("A", "r3", 1);
    assert_int_equal(s->ops->decision_add(s, &dr, &err), RD_OK);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->decision_counts(s, "A", visit_dcount, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);
    assert_true(c.counts[RD_GATE_COUNT][1] == 2);
    assert_true(c.counts[RD_GATE_BUYING_POWER][0] == 1);

    add_order(s, "o1", "A", "AAPL", RD_INTENT_ENTRY, RD_ORDER_FILLED, NOW);
    add_order(s, "o2", "A", "AAPL", RD_INTENT_ENTRY, RD_ORDER_FILLED, NOW);
    add_order(s, "o3", "A", "AAPL", RD_INTENT_EXIT, RD_ORDER_PENDING, NOW);
    add_order(s, "o4", "B", "AAPL", RD_INTENT_EXIT, RD_ORDER_PENDING, NOW);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->order_counts(s, "A", visit_ocount, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);
    assert_true(c.status[RD_ORDER_FILLED] == 2 && c.status[RD_ORDER_PENDING] == 1);
}

/* ---- performance: snapshots, alert events, closed trades listed ---- */

struct collect3 {
    int n;
    struct rd_snapshot_row snap[8];
    struct rd_perf_event_row ev[8];
    struct rd_trade_row tr[8];
};

static int visit_snapshot(void *ctx, const struct rd_snapshot_row *r)
{
    struct collect3 *c = ctx;

    if (c->n < 8)
        c->snap[c->n] = *r;
    c->n++;
    return 0;
}

static int visit_event(void *ctx, const struct rd_perf_event_row *e)
{
    struct collect3 *c = ctx;

    if (c->n < 8)
        c->ev[c->n] = *e;
    c->n++;
    return 0;
}

static int visit_trade(void *ctx, const struct rd_trade_row *t)
{
    struct collect3 *c = ctx;

    if (c->n < 8)
        c->tr[c->n] = *t;
    c->n++;
    return 0;
}

static void test_perf_snapshots_events_trades(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_snapshot_row r, got;
    struct rd_perf_event_row e;
    struct collect3 c;
    struct rd_error err = {0};
    int64_t first;

    memset(&r, 0, sizeof r);
    snprintf(r.account, sizeof r.account, "B");
    r.day = 20400;
    r.equity = RD_DOLLARS(1000);
    r.cash = -5;
    r.buying_power = INT64_MAX;
    r.taken_at = NOW;
    assert_int_equal(s->ops->snapshot_put(s, &r, &err), RD_OK);
    r.equity = RD_DOLLARS(1001);                  /* the same day again: replaced */
    assert_int_equal(s->ops->snapshot_put(s, &r, &err), RD_OK);
    r.day = 20402;
    assert_int_equal(s->ops->snapshot_put(s, &r, &err), RD_OK);
    snprintf(r.account, sizeof r.account, "A");
    r.day = 20401;
    assert_int_equal(s->ops->snapshot_put(s, &r, &err), RD_OK);
    assert_int_equal(s->ops->snapshot_get(s, "B", 20400, &got, &err), RD_OK);
    assert_true(got.equity == RD_DOLLARS(1001) && got.cash == -5 && got.buying_power == INT64_MAX);
    assert_true(got.taken_at == NOW);
    assert_int_equal(s->ops->snapshot_get(s, "B", 20401, &got, &err), RD_ENOTFOUND);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->snapshot_list(s, "B", 20400, 20402, visit_snapshot, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);                     /* inclusive bounds, ascending */
    assert_int_equal(c.snap[0].day, 20400);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->snapshot_list(s, NULL, 20401, 20402, visit_snapshot, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);                     /* by account, then day */
    assert_string_equal(c.snap[0].account, "A");
    assert_string_equal(c.snap[1].account, "B");
    assert_int_equal(s->ops->snapshot_delete(s, "B", 20402, &err), RD_OK);
    assert_int_equal(s->ops->snapshot_delete(s, "B", 20402, &err), RD_OK);   /* absent: fine */
    assert_int_equal(s->ops->snapshot_get(s, "B", 20402, &got, &err), RD_ENOTFOUND);

    memset(&e, 0, sizeof e);
    snprintf(e.account, sizeof e.account, "A");
    snprintf(e.kind, sizeof e.kind, "daily_loss");
    e.day = 20401;
    e.period = 20401;
    e.value_ppm = 31000;
    e.threshold_ppm = 30000;
    e.at = NOW;
    snprintf(e.message, sizeof e.message, "daily loss 3.1%% >= 3%%");
    assert_int_equal(s->ops->perf_event_add(s, &e, &err), RD_OK);
    first = e.id;
    assert_true(first > 0);
    assert_int_equal(s->ops->perf_event_add(s, &e, &err), RD_EEXIST);
    assert_non_null(strstr(err.msg, "daily_loss"));
    e.period = 20402;
    assert_int_equal(s->ops->perf_event_add(s, &e, &err), RD_OK);
    snprintf(e.account, sizeof e.account, "B");
    snprintf(e.kind, sizeof e.kind, "drawdown");
    assert_int_equal(s->ops->perf_event_add(s, &e, &err), RD_OK);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->perf_event_list(s, "A", 0, visit_event, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);
    assert_true(c.ev[0].id == first);             /* oldest first */
    assert_string_equal(c.ev[0].message, "daily loss 3.1% >= 3%");
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->perf_event_list(s, NULL, 2, visit_event, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);                     /* the newest 2, oldest first */
    assert_int_equal(c.ev[0].period, 20402);
    assert_string_equal(c.ev[1].kind, "drawdown");

    add_trade(s, "A", RD_DOLLARS(5), NOW - 100, 0);
    add_trade(s, "A", RD_DOLLARS(3), NOW - 200, 1);
    add_trade(s, "A", RD_DOLLARS(4), NOW - 100, 0);    /* same second: stored order */
    add_trade(s, "A", RD_DOLLARS(9), NOW, 0);
    add_trade(s, "B", RD_DOLLARS(1), NOW - 100, 0);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->trade_list(s, "A", 0, 0, visit_trade, &c, &err), RD_OK);
    assert_int_equal(c.n, 4);
    assert_true(c.tr[0].pnl == RD_DOLLARS(3) && c.tr[0].day_trade == 1);
    assert_true(c.tr[1].pnl == RD_DOLLARS(5));
    assert_true(c.tr[2].pnl == RD_DOLLARS(4));
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->trade_list(s, "A", NOW - 100, NOW, visit_trade, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);                     /* since <= closed_at < until */
}

/* ---- traders: a trader-day stored twice is refused, and nothing of the call kept ---- */

static void test_trader_daily_conflict(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_trader_import_row imp;
    struct rd_fills fs, back;
    struct rd_daily_pnl d = {0};
    struct rd_error err = {0};
    uint32_t alice, bob;

    rd_fills_init(&fs);
    assert_int_equal(rd_names_intern(&fs.traders, "alice", 5, &alice, &err), RD_OK);
    assert_int_equal(rd_names_intern(&fs.traders, "bob", 3, &bob, &err), RD_OK);
    for (int i = 0; i < 3; i++) {
        d.trader = i == 2 ? bob : alice;
        d.day = 19800 + i;
        d.pnl = RD_DOLLARS(10) * (i + 1);
        d.line = i + 2;
        assert_int_equal(rd_fills_add_daily(&fs, &d, &err), RD_OK);
    }
    memset(&imp, 0, sizeof imp);
    imp.kind = 1;
    memset(imp.sha256, 'c', 64);
    snprintf(imp.path, sizeof imp.path, "daily.csv");
    assert_int_equal(s->ops->trader_import_add(s, &imp, &err), RD_OK);
    assert_int_equal(s->ops->trader_daily_add(s, imp.id, &fs, 0, 2, &err), RD_OK);
    /* rows 1..2: row 1 (alice, 19801) is stored already; row 2 is new but not kept */
    memset(imp.sha256, 'd', 64);
    assert_int_equal(s->ops->trader_import_add(s, &imp, &err), RD_OK);
    assert_int_equal(s->ops->trader_daily_add(s, imp.id, &fs, 1, 2, &err), RD_EEXIST);
    assert_non_null(strstr(err.msg, "already exists"));
    rd_fills_init(&back);
    assert_int_equal(s->ops->trader_load(s, RD_TRADER_LOAD_DAILY, &back, &err), RD_OK);
    assert_int_equal(back.ndaily, 2);
    assert_true(back.daily[1].pnl == RD_DOLLARS(20));
    rd_fills_release(&back);
    rd_fills_release(&fs);
}

static void test_two_handles(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s2;
    struct rd_rec out[4];
    struct rd_error err = {0};
    size_t n;

    int64_t mark = 0;

    assert_int_equal(rd_store_open(f->url, &s2, &err), RD_OK);
    assert_int_equal(f->s->ops->begin(f->s, &err), RD_OK);
    add_rec(f->s, "x1", NOW);
    assert_int_equal(s2->ops->rec_undecided(s2, "A", &mark, 4, out, &n, &err), RD_OK);
    assert_int_equal(n, 0);
    /* the mark does not pass what another handle has not committed yet */
    assert_true(mark == 0);
    assert_int_equal(f->s->ops->commit(f->s, &err), RD_OK);
    assert_int_equal(s2->ops->rec_undecided(s2, "A", &mark, 4, out, &n, &err), RD_OK);
    assert_int_equal(n, 1);
    assert_string_equal(out[0].id, "x1");
    assert_true(mark > 0);
    rd_store_close(s2);
}

#endif
