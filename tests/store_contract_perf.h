/*
 * store_contract_perf.h - the storage contract on the performance operations:
 * daily equity snapshots, the audit trail of alert events, closed trades
 * listed.
 *
 * Part of the contract in store_contract.h, which includes it after the
 * fixture, rows and visitors it uses; not included on its own.
 */
#ifndef RISKDESK_TESTS_STORE_CONTRACT_PERF_H
#define RISKDESK_TESTS_STORE_CONTRACT_PERF_H

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
    assert_int_equal(s->ops->perf->snapshot_put(s, &r, &err), RD_OK);
    r.equity = RD_DOLLARS(1001);                  /* the same day again: replaced */
    assert_int_equal(s->ops->perf->snapshot_put(s, &r, &err), RD_OK);
    r.day = 20402;
    assert_int_equal(s->ops->perf->snapshot_put(s, &r, &err), RD_OK);
    snprintf(r.account, sizeof r.account, "A");
    r.day = 20401;
    assert_int_equal(s->ops->perf->snapshot_put(s, &r, &err), RD_OK);
    assert_int_equal(s->ops->perf->snapshot_get(s, "B", 20400, &got, &err), RD_OK);
    assert_true(got.equity == RD_DOLLARS(1001) && got.cash == -5 && got.buying_power == INT64_MAX);
    assert_true(got.taken_at == NOW);
    assert_int_equal(s->ops->perf->snapshot_get(s, "B", 20401, &got, &err), RD_ENOTFOUND);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->perf->snapshot_list(s, "B", 20400, 20402, visit_snapshot, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);                     /* inclusive bounds, ascending */
    assert_int_equal(c.snap[0].day, 20400);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->perf->snapshot_list(s, NULL, 20401, 20402, visit_snapshot, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);                     /* by account, then day */
    assert_string_equal(c.snap[0].account, "A");
    assert_string_equal(c.snap[1].account, "B");
    assert_int_equal(s->ops->perf->snapshot_delete(s, "B", 20402, &err), RD_OK);
    assert_int_equal(s->ops->perf->snapshot_delete(s, "B", 20402, &err), RD_OK);   /* absent: fine */
    assert_int_equal(s->ops->perf->snapshot_get(s, "B", 20402, &got, &err), RD_ENOTFOUND);

    memset(&e, 0, sizeof e);
    snprintf(e.account, sizeof e.account, "A");
    snprintf(e.kind, sizeof e.kind, "daily_loss");
    e.day = 20401;
    e.period = 20401;
    e.value_ppm = 31000;
    e.threshold_ppm = 30000;
    e.at = NOW;
    snprintf(e.message, sizeof e.message, "daily loss 3.1%% >= 3%%");
    assert_int_equal(s->ops->perf->perf_event_add(s, &e, &err), RD_OK);
    first = e.id;
    assert_true(first > 0);
    assert_int_equal(s->ops->perf->perf_event_add(s, &e, &err), RD_EEXIST);
    assert_non_null(strstr(err.msg, "daily_loss"));
    e.period = 20402;
    assert_int_equal(s->ops->perf->perf_event_add(s, &e, &err), RD_OK);
    snprintf(e.account, sizeof e.account, "B");
    snprintf(e.kind, sizeof e.kind, "drawdown");
    assert_int_equal(s->ops->perf->perf_event_add(s, &e, &err), RD_OK);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->perf->perf_event_list(s, "A", 0, visit_event, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);
    assert_true(c.ev[0].id == first);             /* oldest first */
    assert_string_equal(c.ev[0].message, "daily loss 3.1% >= 3%");
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->perf->perf_event_list(s, NULL, 2, visit_event, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);                     /* the newest 2, oldest first */
    assert_int_equal(c.ev[0].period, 20402);
    assert_string_equal(c.ev[1].kind, "drawdown");

    add_trade(s, "A", RD_DOLLARS(5), NOW - 100, 0);
    add_trade(s, "A", RD_DOLLARS(3), NOW - 200, 1);
    add_trade(s, "A", RD_DOLLARS(4), NOW - 100, 0);    /* same second: stored order */
    add_trade(s, "A", RD_DOLLARS(9), NOW, 0);
    add_trade(s, "B", RD_DOLLARS(1), NOW - 100, 0);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->perf->trade_list(s, "A", 0, 0, visit_trade, &c, &err), RD_OK);
    assert_int_equal(c.n, 4);
    assert_true(c.tr[0].pnl == RD_DOLLARS(3) && c.tr[0].day_trade == 1);
    assert_true(c.tr[1].pnl == RD_DOLLARS(5));
    assert_true(c.tr[2].pnl == RD_DOLLARS(4));
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->perf->trade_list(s, "A", NOW - 100, NOW, visit_trade, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);                     /* since <= closed_at < until */
}

#endif
