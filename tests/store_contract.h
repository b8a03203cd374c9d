/*
 * store_contract.h - the storage interface's contract as test cases, shared by
 * every backend's unit test: every operation round-trips every field, accounts
 * never see each other's rows, transactions nest, failed statements fail alone,
 * account locks die with their process, rows this riskdesk cannot read are
 * reported, and failed allocations leak nothing. This file holds what every
 * case uses (the fixture, rows, field-by-field equality, visitors) and the
 * core tables' round trips; it includes the rest, by what they cover:
 *
 *   store_contract_accounts.h  what one account sees
 *   store_contract_handle.h    transactions, account locks, visitors that call
 *                              back, failed allocations, two handles
 *   store_contract_api.h       the HTTP API's operations (version 2)
 *   store_contract_perf.h      snapshots, alert events, closed trades listed
 *   store_contract_ledger.h    the hierarchy's nodes, transitions and ledger
 *   store_contract_traders.h   the traders' tables
 *   store_contract_audit.h     the audit trail's chains and verify
 *   store_contract_key.h       the encryption key's check, sealed amounts
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

#include <stdio.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "riskdesk/crypt.h"
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

static void add_rec_for(struct rd_store *s, const char *id, int64_t created_at, const char *account)
{
    struct rd_rec r = make_rec(id, created_at, "AAPL");
    struct rd_error err = {0};

    snprintf(r.account, sizeof r.account, "%s", account);
    assert_int_equal(s->ops->trading->rec_add(s, &r, &err), RD_OK);
}

static void add_rec(struct rd_store *s, const char *id, int64_t created_at)
{
    add_rec_for(s, id, created_at, "");
}

/* rec_undecided from the start (mark 0). */
static int undecided(struct rd_store *s, const char *account, size_t max, struct rd_rec *out,
                     size_t *n, struct rd_error *err)
{
    int64_t mark = 0;

    return s->ops->trading->rec_undecided(s, account, &mark, max, out, n, err);
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

    assert_int_equal(s->ops->trading->order_add(s, &o, &err), RD_OK);
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
    assert_int_equal(s->ops->trading->trade_add(s, &t, &err), RD_OK);
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
    assert_int_equal(a->origin, b->origin);
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

/* ---- the core tables ---- */


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
    r.origin = RD_ORIGIN_PERSON;
    assert_int_equal(s->ops->trading->rec_add(s, &r, &err), RD_OK);
    memset(&got, 0x5a, sizeof got);
    assert_int_equal(s->ops->trading->rec_get(s, r.id, &got, &err), RD_OK);
    eq_rec(&got, &r);

    /* duplicate: RD_EEXIST, and the stored one is untouched */
    other = make_rec("rec-1:a.b_c", NOW + 5, "AAPL");
    assert_int_equal(s->ops->trading->rec_add(s, &other, &err), RD_EEXIST);
    assert_non_null(strstr(err.msg, "rec-1:a.b_c"));
    assert_int_equal(s->ops->trading->rec_get(s, r.id, &got, &err), RD_OK);
    eq_rec(&got, &r);

    assert_int_equal(s->ops->trading->rec_get(s, "nope", &got, &err), RD_ENOTFOUND);
    assert_non_null(strstr(err.msg, "nope"));

    r.origin = RD_ORIGIN_COUNT;
    snprintf(r.id, sizeof r.id, "bad-origin");
    assert_int_equal(s->ops->trading->rec_add(s, &r, &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "origin"));
    r.origin = RD_ORIGIN_SIGNAL;

    r.action = (enum rd_action)77;
    snprintf(r.id, sizeof r.id, "bad");
    assert_int_equal(s->ops->trading->rec_add(s, &r, &err), RD_EINVAL);
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
    assert_int_equal(s->ops->trading->decision_add(s, &a, &err), RD_OK);
    assert_true(a.id > 0);
    assert_int_equal(s->ops->trading->decision_add(s, &b, &err), RD_OK);
    assert_true(b.id > a.id);

    assert_int_equal(s->ops->trading->decision_add(s, &dup, &err), RD_EEXIST);
    assert_non_null(strstr(err.msg, "r1"));
    assert_non_null(strstr(err.msg, "acct-A"));
    assert_int_equal(s->ops->trading->decision_add(s, &orphan, &err), RD_ENOTFOUND);

    assert_int_equal(s->ops->trading->decision_list(s, "acct-A", 0, visit_decision, &c, &err), RD_OK);
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
    assert_int_equal(s->ops->trading->decision_list(s, "acct-A", 1, visit_decision, &c, &err), RD_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.dec[0].rec_id, "r2");

    memset(&c, 0, sizeof c);
    c.stop_at = 1;
    assert_int_equal(s->ops->trading->decision_list(s, "acct-A", 0, visit_decision, &c, &err), 99);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->trading->decision_list(s, "acct-B", 0, visit_decision, &c, &err), RD_OK);
    assert_int_equal(c.n, 0);

    a.d.verdicts[4].reason = RD_REASON_COUNT;
    snprintf(a.rec_id, sizeof a.rec_id, "r2");
    snprintf(a.account, sizeof a.account, "acct-C");
    assert_int_equal(s->ops->trading->decision_add(s, &a, &err), RD_EINVAL);
}

/* A batch's decisions and orders in one call, across the PostgreSQL
 * backend's statements (1,000 rows each): every id set and each order tied
 * to its decision; a decided pair, a pair twice in the batch, a missing
 * recommendation or a taken order id inside a later statement is refused
 * naming it, and the handle keeps working after. */
#define BATCH_N 1100

static int count_order(void *ctx, const struct rd_order_row *o)
{
    int64_t *ids = ctx;

    if (ids[0] < BATCH_N)
        ids[1 + ids[0]++] = o->decision_id;
    return 0;
}

static void test_decisions_record(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    static struct rd_decision_row rows[BATCH_N];
    static struct rd_order_row orders[BATCH_N];
    static size_t order_row[BATCH_N];
    static int64_t ids[1 + BATCH_N];
    struct rd_error err = {0};
    size_t norders = 0;
    char id[32];

    for (int i = 0; i < BATCH_N; i++) {
        snprintf(id, sizeof id, "b%04d", i);
        add_rec(s, id, NOW - 100 + i);
        rows[i] = make_decision("acct-A", id, i % 3 == 0);
        if (i % 3 == 0) {
            snprintf(id, sizeof id, "coid-%04d", i);
            orders[norders] = make_order(id, "acct-A", "AAPL", RD_INTENT_ENTRY, RD_ORDER_PENDING, NOW);
            snprintf(orders[norders].rec_id, sizeof orders[norders].rec_id, "%s", rows[i].rec_id);
            order_row[norders++] = (size_t)i;
        }
    }
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    assert_int_equal(rd_store_decisions_record(s, rows, BATCH_N, orders, order_row, norders, &err),
                     RD_OK);
    assert_int_equal(s->ops->commit(s, &err), RD_OK);
    for (int i = 1; i < BATCH_N; i++)
        assert_true(rows[i].id > rows[i - 1].id);
    for (size_t j = 0; j < norders; j++)
        assert_int_equal(orders[j].decision_id, rows[order_row[j]].id);
    assert_int_equal(s->ops->trading->order_list(s, "acct-A", -1, count_order, ids, &err), RD_OK);
    assert_int_equal(ids[0], (int64_t)norders);
    for (size_t j = 0; j < norders; j++)
        assert_int_equal(ids[1 + j], rows[order_row[j]].id);

    /* a pair decided already, in the second statement: refused, nothing kept */
    for (int i = 0; i < BATCH_N; i++) {
        snprintf(id, sizeof id, "c%04d", i);
        add_rec(s, id, NOW + i);
        rows[i] = make_decision("acct-A", id, 0);
    }
    rows[1050] = make_decision("acct-A", "b0007", 0);
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    assert_int_equal(rd_store_decisions_record(s, rows, BATCH_N, orders, order_row, 0, &err),
                     RD_EEXIST);
    assert_non_null(strstr(err.msg, "b0007"));
    s->ops->rollback(s);

    /* the same pair twice in one statement: the second refused */
    rows[1050] = make_decision("acct-A", "c1049", 0);
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    assert_int_equal(rd_store_decisions_record(s, rows, BATCH_N, orders, order_row, 0, &err),
                     RD_EEXIST);
    assert_non_null(strstr(err.msg, "c1049"));
    s->ops->rollback(s);

    /* a recommendation that is not there */
    rows[1050] = make_decision("acct-A", "no-such-rec", 0);
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    assert_int_equal(rd_store_decisions_record(s, rows, BATCH_N, orders, order_row, 0, &err),
                     RD_ENOTFOUND);
    assert_non_null(strstr(err.msg, "no-such-rec"));
    s->ops->rollback(s);

    /* an order id taken, in the second statement of orders */
    for (int i = 0; i < BATCH_N; i++) {
        snprintf(id, sizeof id, "c%04d", i);
        rows[i] = make_decision("acct-A", id, 1);
        snprintf(id, sizeof id, "coid-c%04d", i);
        orders[i] = make_order(id, "acct-A", "AAPL", RD_INTENT_ENTRY, RD_ORDER_PENDING, NOW);
        order_row[i] = (size_t)i;
    }
    snprintf(orders[1070].client_order_id, sizeof orders[1070].client_order_id, "coid-0003");
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    assert_int_equal(rd_store_decisions_record(s, rows, BATCH_N, orders, order_row, BATCH_N, &err),
                     RD_EEXIST);
    assert_non_null(strstr(err.msg, "coid-0003"));
    s->ops->rollback(s);

    /* orders that do not ascend are refused before anything is written */
    order_row[1] = 0;
    order_row[0] = 1;
    assert_int_equal(rd_store_decisions_record(s, rows, 100, orders, order_row, 2, &err), RD_EINVAL);

    /* the handle works as before: one at a time, and nothing of the refused batches */
    rows[0] = make_decision("acct-A", "c0000", 1);
    assert_int_equal(s->ops->trading->decision_add(s, &rows[0], &err), RD_OK);
    ids[0] = 0;
    assert_int_equal(s->ops->trading->order_list(s, "acct-A", -1, count_order, ids, &err), RD_OK);
    assert_int_equal(ids[0], (int64_t)(BATCH_N + 2) / 3);
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
    assert_int_equal(s->ops->trading->decision_add(s, &d, &err), RD_OK);
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
    assert_int_equal(s->ops->trading->order_add(s, &o, &err), RD_OK);
    assert_int_equal(s->ops->trading->order_get(s, o.client_order_id, &got, &err), RD_OK);
    eq_order(&got, &o);

    dup = o;
    dup.qty = 1000;
    assert_int_equal(s->ops->trading->order_add(s, &dup, &err), RD_EEXIST);
    assert_non_null(strstr(err.msg, o.client_order_id));

    /* an exit: no recommendation, no decision (stored as NULL, read back as ""/0) */
    exit_o = make_order("exit-1", "acct-A", "AAPL", RD_INTENT_EXIT, RD_ORDER_ACCEPTED, NOW + 5);
    snprintf(exit_o.broker_order_id, sizeof exit_o.broker_order_id, "b-77");
    assert_int_equal(s->ops->trading->order_add(s, &exit_o, &err), RD_OK);
    assert_int_equal(s->ops->trading->order_get(s, "exit-1", &got, &err), RD_OK);
    eq_order(&got, &exit_o);

    /* an order pointing at a decision that does not exist */
    dup = make_order("bad-ref", "acct-A", "AAPL", RD_INTENT_ENTRY, RD_ORDER_PENDING, NOW);
    dup.decision_id = 999999;
    assert_int_equal(s->ops->trading->order_add(s, &dup, &err), RD_ENOTFOUND);

    /* update writes the broker's part */
    o.status = RD_ORDER_FILLED;
    snprintf(o.broker_order_id, sizeof o.broker_order_id, "alpaca-123");
    o.filled_qty = 7;
    o.fill_price = 41300;
    snprintf(o.reason, sizeof o.reason, "filled");
    o.updated_at = NOW + 60;
    assert_int_equal(s->ops->trading->order_update(s, &o, &err), RD_OK);
    assert_int_equal(s->ops->trading->order_get(s, o.client_order_id, &got, &err), RD_OK);
    eq_order(&got, &o);

    /* another account cannot touch it; a missing one is not found */
    dup = o;
    snprintf(dup.account, sizeof dup.account, "acct-B");
    dup.status = RD_ORDER_CANCELED;
    assert_int_equal(s->ops->trading->order_update(s, &dup, &err), RD_ENOTFOUND);
    assert_int_equal(s->ops->trading->order_get(s, o.client_order_id, &got, &err), RD_OK);
    assert_int_equal(got.status, RD_ORDER_FILLED);
    assert_int_equal(s->ops->trading->order_get(s, "none", &got, &err), RD_ENOTFOUND);

    assert_int_equal(s->ops->trading->order_list(s, "acct-A", -1, visit_order, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.ord[0].client_order_id, o.client_order_id);   /* oldest first */
    assert_string_equal(c.ord[1].client_order_id, "exit-1");
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->trading->order_list(s, "acct-A", RD_ORDER_ACCEPTED, visit_order, &c, &err),
                     RD_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.ord[0].client_order_id, "exit-1");
    assert_int_equal(s->ops->trading->order_list(s, "acct-A", RD_ORDER_STATUS_COUNT, visit_order, &c, &err),
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
    assert_int_equal(s->ops->trading->position_put(s, &p, &err), RD_OK);
    q = p;
    snprintf(q.symbol, sizeof q.symbol, "AAPL");
    q.rec_id[0] = '\0';
    q.strategy = RD_STRAT_DAY;
    assert_int_equal(s->ops->trading->position_put(s, &q, &err), RD_OK);
    assert_int_equal(s->ops->trading->position_list(s, "acct-A", visit_position, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);
    eq_position(&c.pos[0], &q);   /* by symbol */
    eq_position(&c.pos[1], &p);

    p.qty = 5;                                       /* replaces */
    p.avg_price = 1;
    assert_int_equal(s->ops->trading->position_put(s, &p, &err), RD_OK);
    q.qty = 0;                                       /* deletes */
    assert_int_equal(s->ops->trading->position_put(s, &q, &err), RD_OK);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->trading->position_list(s, "acct-A", visit_position, &c, &err), RD_OK);
    assert_int_equal(c.n, 1);
    eq_position(&c.pos[0], &p);

    memset(&a, 0, sizeof a);
    snprintf(a.name, sizeof a.name, "acct-A");
    snprintf(a.tier, sizeof a.tier, "small");
    a.state = RD_STATE_HALTED;
    a.halted_until = -1;
    snprintf(a.state_reason, sizeof a.state_reason, "admin halt: \"risk review\"");
    a.updated_at = NOW;
    assert_int_equal(s->ops->trading->account_put(s, &a, &err), RD_OK);
    assert_int_equal(s->ops->trading->account_get(s, "acct-A", &got, &err), RD_OK);
    eq_account(&got, &a);
    a.state = RD_STATE_REDUCING;
    a.halted_until = 20412;
    assert_int_equal(s->ops->trading->account_put(s, &a, &err), RD_OK);
    assert_int_equal(s->ops->trading->account_get(s, "acct-A", &got, &err), RD_OK);
    eq_account(&got, &a);
    snprintf(a.name, sizeof a.name, "acct-0");
    a.state = RD_STATE_ACTIVE;
    assert_int_equal(s->ops->trading->account_put(s, &a, &err), RD_OK);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->trading->account_list(s, visit_account, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.acc[0].name, "acct-0");
    eq_account(&c.acc[0], &a);
    assert_int_equal(s->ops->trading->account_get(s, "acct-Z", &got, &err), RD_ENOTFOUND);
    a.state = RD_STATE_COUNT;
    assert_int_equal(s->ops->trading->account_put(s, &a, &err), RD_EINVAL);
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
    assert_int_equal(s->ops->trading->rec_add(s, &r, &err), RD_OK);
    assert_int_equal(s->ops->trading->rec_get(s, "r", &got, &err), RD_OK);
    assert_int_equal(strlen(got.underlying), sizeof got.underlying - 1);

    /* A stored value longer than its field is cut to fit. */
    assert_int_equal(s->ops->trading->order_add(s, &o, &err), RD_OK);
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
    assert_int_equal(s->ops->trading->order_get(s, "long", &g, &err), RD_OK);
    assert_int_equal(strlen(g.reason), sizeof g.reason - 1);
    assert_int_equal(strlen(g.broker_order_id), sizeof g.broker_order_id - 1);
    assert_int_equal(g.reason[254], '0');
}

/* Decisions of one second (one cycle) come back in the reverse of the order
 * they were made, like the rest of the list: newest first, in both stores,
 * whatever the recommendations' ids. */
static void test_decision_tie_order(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    static const char *const made[] = {"r-b", "r-c", "r-a", "r-10", "r-9"};
    struct collect c = {0};
    struct rd_error err = {0};

    for (int i = 0; i < 5; i++) {
        struct rd_decision_row row = make_decision("A", made[i], i % 2);

        add_rec(s, made[i], NOW - 100 + i);
        assert_int_equal(s->ops->trading->decision_add(s, &row, &err), RD_OK);
    }
    /* an earlier second, made last: below them */
    {
        struct rd_decision_row row = make_decision("A", "r-old", 0);

        add_rec(s, "r-old", NOW - 200);
        row.decided_at = NOW - 1;
        assert_int_equal(s->ops->trading->decision_add(s, &row, &err), RD_OK);
    }
    assert_int_equal(s->ops->trading->decision_list(s, "A", 0, visit_decision, &c, &err), RD_OK);
    assert_int_equal(c.n, 6);
    for (int i = 0; i < 5; i++)
        assert_string_equal(c.dec[i].rec_id, made[4 - i]);
    assert_string_equal(c.dec[5].rec_id, "r-old");
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->trading->decision_list(s, "A", 2, visit_decision, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.dec[0].rec_id, "r-9");
    assert_string_equal(c.dec[1].rec_id, "r-10");
}

/* Rows this riskdesk cannot read are reported, never half-read. */
/* What the gates read is kept with a decision (replay.h) and reads back as
 * written, extremes included; a decision without it reads back without it. */
static void test_decision_inputs_kept(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_decision_row rows[2] = {make_decision("A", "r1", 1), make_decision("A", "r2", 0)};
    struct rd_decision_inputs *in = &rows[0].in;
    struct collect c = {0};
    struct rd_error err = {0};

    add_rec(s, "r1", NOW);
    add_rec(s, "r2", NOW);
    in->recorded = 1;
    in->tier = RD_TIER_MEDIUM;
    in->view.state = RD_STATE_REDUCING;
    in->view.equity_known = 1;
    in->view.buying_power = INT64_MAX;
    in->view.equity = INT64_MIN;
    in->view.last_equity = RD_DOLLARS(1804) + 7;
    in->view.exposure = -RD_DOLLARS(3);
    in->view.open_positions = INT32_MAX;
    in->view.position_qty = -5;
    in->view.entries_today = 2;
    in->view.last_entry_at = NOW - 61;
    in->view.day_trades = 3;
    in->view.open_today = 1;
    in->view.orders_last_minute = INT32_MIN;
    in->view.closed_trades = 40;
    in->view.winning_trades = 17;
    in->view.gross_wins = RD_DOLLARS(900);
    in->view.gross_losses = RD_DOLLARS(1200);
    in->view.firm_exposure = RD_DOLLARS(50000);
    in->market.feed = RD_FEED_ERROR;
    in->market.vix = 41000000;
    in->market.vix_at = NOW - 900;
    in->market.vix_max_age = 900;
    assert_int_equal(s->ops->trading->decision_add(s, &rows[0], &err), RD_OK);
    assert_int_equal(s->ops->trading->decision_add(s, &rows[1], &err), RD_OK);
    assert_int_equal(s->ops->trading->decision_list(s, "A", 0, visit_decision, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);
    assert_memory_equal(&c.dec[1].in, in, sizeof *in);
    assert_int_equal(c.dec[0].in.recorded, 0);

    ct_sql_exec(f, "UPDATE decisions SET verdicts = 'v2;sizing,1,ok,m,1,2;=in,medium,ACTIVE,ok,1'");
    assert_int_equal(s->ops->trading->decision_list(s, "A", 0, visit_decision, &c, &err), RD_ESTORE);
    assert_non_null(strstr(err.msg, "inputs"));
}

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
    assert_int_equal(s->ops->trading->decision_add(s, &d, &err), RD_OK);
    assert_int_equal(s->ops->trading->decision_list(s, "A", 0, visit_decision, &c, &err), RD_OK);
    assert_int_equal(c.dec[0].d.nverdicts, 0);

    /* a trading_hours verdict stored before sessions were shown (minute vs
     * minute) still reads, and so does one with the session */
    ct_sql_exec(f, "UPDATE decisions SET verdicts = 'v1;trading_hours,0,market_closed,t,1099,0'");
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->trading->decision_list(s, "A", 0, visit_decision, &c, &err), RD_OK);
    assert_int_equal(c.dec[0].d.verdicts[0].kind, RD_VAL_MINUTE);
    assert_int_equal(c.dec[0].d.verdicts[0].observed, 1099);
    ct_sql_exec(f, "UPDATE decisions SET verdicts = 'v1;trading_hours,0,market_closed,h,1099,821760'");
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->trading->decision_list(s, "A", 0, visit_decision, &c, &err), RD_OK);
    assert_int_equal(c.dec[0].d.verdicts[0].kind, RD_VAL_SESSION);
    assert_int_equal(c.dec[0].d.verdicts[0].threshold, 570 * 1440 + 960);

    ct_sql_exec(f, "UPDATE decisions SET verdicts = 'v3;whatever'");
    assert_int_equal(s->ops->trading->decision_list(s, "A", 0, visit_decision, &c, &err), RD_ESTORE);
    assert_non_null(strstr(err.msg, "newer"));
    ct_sql_exec(f, "UPDATE decisions SET verdicts = 'v1;sizing,1,ok,m,1'");
    assert_int_equal(s->ops->trading->decision_list(s, "A", 0, visit_decision, &c, &err), RD_ESTORE);
    assert_non_null(strstr(err.msg, "item 1"));
    ct_sql_exec(f, "UPDATE decisions SET verdicts = 'v1;no_such_gate,1,ok,m,1,2'");
    assert_int_equal(s->ops->trading->decision_list(s, "A", 0, visit_decision, &c, &err), RD_ESTORE);
    ct_sql_exec(f, "UPDATE decisions SET verdicts = 'v1;sizing,1,ok,m,1,2', "
                      "first_failed = 'gone'");
    assert_int_equal(s->ops->trading->decision_list(s, "A", 0, visit_decision, &c, &err), RD_ESTORE);
    assert_non_null(strstr(err.msg, "first_failed"));

    add_order(s, "o1", "A", "AAPL", RD_INTENT_ENTRY, RD_ORDER_PENDING, NOW);
    ct_sql_exec(f, "UPDATE orders SET strategy = 'scalp'");
    assert_int_equal(s->ops->trading->order_get(s, "o1", &o, &err), RD_ESTORE);
    assert_non_null(strstr(err.msg, "orders.strategy"));
    assert_non_null(strstr(err.msg, "scalp"));
}

static void test_kv(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_error err = {0};
    char *v = (char *)0x1;

    assert_int_equal(s->ops->trading->kv_get(s, "paper", "cash", &v, &err), RD_ENOTFOUND);
    assert_null(v);
    assert_int_equal(s->ops->trading->kv_put(s, "paper", "cash", "100000.00", 1, &err), RD_OK);
    assert_int_equal(s->ops->trading->kv_put(s, "paper", "cash", "5", 1, &err), RD_EEXIST);
    assert_int_equal(s->ops->trading->kv_get(s, "paper", "cash", &v, &err), RD_OK);
    assert_string_equal(v, "100000.00");
    rd_free(v);
    assert_int_equal(s->ops->trading->kv_put(s, "paper", "cash", "{\"x\": 1}", 0, &err), RD_OK);
    assert_int_equal(s->ops->trading->kv_put(s, "other", "cash", "", 0, &err), RD_OK);
    assert_int_equal(s->ops->trading->kv_get(s, "paper", "cash", &v, &err), RD_OK);
    assert_string_equal(v, "{\"x\": 1}");
    rd_free(v);
    assert_int_equal(s->ops->trading->kv_get(s, "other", "cash", &v, &err), RD_OK);
    assert_string_equal(v, "");
    rd_free(v);
}

/* kv_get_many (trading version 3): the values of present keys in the keys'
 * order, NULL for absent ones and for another namespace's, a key asked twice
 * answered twice, none asked none read. */
static void test_kv_get_many(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_error err = {0};
    const char *keys[] = {"MSFT", "NONE", "AAPL", "OTHER", "MSFT"};
    char *vals[5] = {(char *)0x1, (char *)0x1, (char *)0x1, (char *)0x1, (char *)0x1};

    assert_true(s->ops->trading->version >= 3);
    assert_non_null(s->ops->trading->kv_get_many);
    assert_int_equal(s->ops->trading->kv_put(s, "paper.market", "AAPL", "{\"p\": 1}", 0, &err),
                     RD_OK);
    assert_int_equal(s->ops->trading->kv_put(s, "paper.market", "MSFT", "", 0, &err), RD_OK);
    assert_int_equal(s->ops->trading->kv_put(s, "other", "OTHER", "x", 0, &err), RD_OK);
    assert_int_equal(rd_store_kv_get_many(s, "paper.market", keys, 5, vals, &err), RD_OK);
    assert_string_equal(vals[0], "");
    assert_null(vals[1]);
    assert_string_equal(vals[2], "{\"p\": 1}");
    assert_null(vals[3]);
    assert_string_equal(vals[4], "");
    for (size_t i = 0; i < 5; i++)
        rd_free(vals[i]);
    vals[0] = (char *)0x1;
    assert_int_equal(rd_store_kv_get_many(s, "paper.market", keys, 0, vals, &err), RD_OK);
    assert_ptr_equal(vals[0], (char *)0x1);
}

/* kv_put_many (rd_store_kv_put_many, PostgreSQL's trading version 4): every
 * key written with its value as text (quotes, backslashes, braces and all),
 * RD_KV_NEW refusing a batch with a key already there (nothing of it kept once
 * rolled back), RD_KV_REPLACE overwriting, more keys than one statement
 * takes, the shared forms refused. */
static void test_kv_put_many(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_error err = {0};
    const char *keys[] = {"o1", "o\"2", "o{3}"};
    const char *vals[] = {"{\"a\": \"x\\\"y\"}", "", "{,}\\"};
    const char *again[] = {"new1", "new2"};
    const char *gone[] = {"o4", "o1"};
    enum { NBIG = 1003 };
    char big[NBIG][16], *v = NULL;
    const char *bk[NBIG], *bv[NBIG];

    assert_int_equal(rd_store_kv_put_many(s, "paper.order.a", keys, vals, 3, RD_KV_NEW, &err),
                     RD_OK);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(s->ops->trading->kv_get(s, "paper.order.a", keys[i], &v, &err), RD_OK);
        assert_string_equal(v, vals[i]);
        rd_free(v);
    }
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    assert_int_equal(rd_store_kv_put_many(s, "paper.order.a", gone, again, 2, RD_KV_NEW, &err),
                     RD_EEXIST);
    s->ops->rollback(s);
    assert_int_equal(s->ops->trading->kv_get(s, "paper.order.a", "o4", &v, &err), RD_ENOTFOUND);
    assert_int_equal(s->ops->trading->kv_get(s, "paper.order.a", "o1", &v, &err), RD_OK);
    assert_string_equal(v, vals[0]);
    rd_free(v);
    assert_int_equal(rd_store_kv_put_many(s, "paper.order.a", gone, again, 2, RD_KV_REPLACE,
                                          &err), RD_OK);
    assert_int_equal(s->ops->trading->kv_get(s, "paper.order.a", "o1", &v, &err), RD_OK);
    assert_string_equal(v, "new2");
    rd_free(v);
    assert_int_equal(rd_store_kv_put_many(s, "paper.market", keys, vals, 3, RD_KV_SHARED, &err),
                     RD_EINVAL);
    assert_non_null(strstr(err.msg, "shared"));
    for (size_t i = 0; i < NBIG; i++) {
        snprintf(big[i], sizeof big[i], "k%zu", i);
        bk[i] = big[i];
        bv[i] = big[NBIG - 1 - i];
    }
    assert_int_equal(rd_store_kv_put_many(s, "paper.order.b", bk, bv, NBIG, RD_KV_NEW, &err),
                     RD_OK);
    assert_int_equal(s->ops->trading->kv_get(s, "paper.order.b", "k1002", &v, &err), RD_OK);
    assert_string_equal(v, "k0");
    rd_free(v);
    assert_int_equal(s->ops->trading->kv_get(s, "paper.order.b", "k0", &v, &err), RD_OK);
    assert_string_equal(v, "k1002");
    rd_free(v);
}

/* The values of ns/keys[0..n) are want[0..n) (NULL: absent). */
static void ct_kv_are(struct rd_store *s, const char *ns, const char *const *keys,
                      const char *const *want, size_t n)
{
    struct rd_error err = {0};

    for (size_t i = 0; i < n; i++) {
        char *v = NULL;
        int rc = s->ops->trading->kv_get(s, ns, keys[i], &v, &err);

        if (!want[i]) {
            assert_int_equal(rc, RD_ENOTFOUND);
            continue;
        }
        if (rc != RD_OK)
            fail_msg("kv_get %s/%s: %s", ns, keys[i], err.msg);
        assert_string_equal(v, want[i]);
        rd_free(v);
    }
}

/* kv_put_shared_many (rd_store_kv_put_shared_many, PostgreSQL's trading
 * version 6): SHARED_NEW writes the keys not there and says which, SHARED
 * writes them all, more keys than one statement takes, the other modes
 * refused. (A key another transaction is writing: test_store_postgres.c.) */
static void test_kv_put_shared_many(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_error err = {0};
    const char *keys[] = {"A", "B", "C\"{,}"};
    const char *vals[] = {"{\"a\": 2}", "{\"b\": \"x\\\"y\"}", ""};
    const char *after_new[] = {"{\"a\": 1}", vals[1], vals[2]};
    const char *later[] = {"{\"a\": 3}", "{\"b\": 3}"};
    enum { NBIG = 1003 };
    static char big[NBIG][16];
    const char *bk[NBIG];
    int written[NBIG];

    assert_int_equal(s->ops->trading->kv_put(s, "paper.market", "A", "{\"a\": 1}", 0, &err),
                     RD_OK);
    memset(written, 0xA5, sizeof written);
    assert_int_equal(rd_store_kv_put_shared_many(s, "paper.market", keys, vals, 3,
                                                 RD_KV_SHARED_NEW, written, &err), RD_OK);
    assert_int_equal(written[0], 0);
    assert_int_equal(written[1], 1);
    assert_int_equal(written[2], 1);
    ct_kv_are(s, "paper.market", keys, after_new, 3);
    memset(written, 0xA5, sizeof written);
    assert_int_equal(rd_store_kv_put_shared_many(s, "paper.market", keys, later, 2,
                                                 RD_KV_SHARED, written, &err), RD_OK);
    assert_int_equal(written[0], 1);
    assert_int_equal(written[1], 1);
    ct_kv_are(s, "paper.market", keys, later, 2);
    ct_kv_are(s, "paper.market", keys + 2, vals + 2, 1);
    assert_int_equal(rd_store_kv_put_shared_many(s, "paper.market", keys, vals, 3, RD_KV_NEW,
                                                 written, &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "RD_KV_SHARED"));
    ct_kv_are(s, "paper.market", keys, later, 2);
    for (size_t i = 0; i < NBIG; i++) {
        snprintf(big[i], sizeof big[i], "k%zu", i);
        bk[i] = big[i];
    }
    assert_int_equal(s->ops->trading->kv_put(s, "paper.market", "k1001", "there", 0, &err), RD_OK);
    assert_int_equal(rd_store_kv_put_shared_many(s, "paper.market", bk, bk, NBIG,
                                                 RD_KV_SHARED_NEW, written, &err), RD_OK);
    for (size_t i = 0; i < NBIG; i++)
        assert_int_equal(written[i], i != 1001);
    ct_kv_are(s, "paper.market", bk + 1000, bk + 1000, 1);
    ct_kv_are(s, "paper.market", bk + 1002, bk + 1002, 1);
}

/* Maintenance (version 4): the size of a store, VACUUM refused inside a
 * transaction and run outside one, the rows still there after it. */
static void test_maint_vacuum(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_error err = {0};
    int64_t bytes = -1;
    char *v = NULL;

    assert_true(s->ops->version >= 4);
    assert_non_null(s->ops->maint);
    assert_true(s->ops->maint->version >= 1);
    assert_int_equal(s->ops->trading->kv_put(s, "paper", "cash", "100.00", 1, &err), RD_OK);
    assert_int_equal(s->ops->maint->size(s, &bytes, &err), RD_OK);
    assert_true(bytes > 0);
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    assert_int_equal(s->ops->maint->vacuum(s, &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "transaction"));
    s->ops->rollback(s);
    rd_error_clear(&err);
    assert_int_equal(s->ops->maint->vacuum(s, &err), RD_OK);
    assert_int_equal(s->ops->trading->kv_get(s, "paper", "cash", &v, &err), RD_OK);
    assert_string_equal(v, "100.00");
    rd_free(v);
}

/* ---- the rest of the contract ---- */

#include "store_contract_accounts.h"
#include "store_contract_handle.h"
#include "store_contract_api.h"
#include "store_contract_perf.h"
#include "store_contract_ledger.h"
#include "store_contract_traders.h"
#include "store_contract_audit.h"
#include "store_contract_key.h"

#endif
