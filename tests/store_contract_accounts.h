/*
 * store_contract_accounts.h - the storage contract on what one account sees:
 * a recommendation for one account is undecided for it alone, accounts never
 * see each other's rows, undecided recommendations come in the order the
 * store took them, and the activity the gates count is the account's own.
 *
 * Part of the contract in store_contract.h, which includes it after the
 * fixture, rows and visitors it uses; not included on its own.
 */
#ifndef RISKDESK_TESTS_STORE_CONTRACT_ACCOUNTS_H
#define RISKDESK_TESTS_STORE_CONTRACT_ACCOUNTS_H

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
    assert_int_equal(s->ops->trading->rec_add(s, &r, &err), RD_OK);
    add_rec(s, "all-2", NOW - 10);

    assert_int_equal(s->ops->trading->rec_get(s, "for-A", &got, &err), RD_OK);
    eq_rec(&got, &r);
    assert_int_equal(s->ops->trading->rec_get(s, "all-1", &got, &err), RD_OK);
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
    assert_int_equal(s->ops->trading->decision_add(s, &d, &err), RD_OK);
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
    assert_int_equal(s->ops->trading->decision_add(s, &d, &err), RD_OK);
    d = make_decision("B", "r2", 1);
    assert_int_equal(s->ops->trading->decision_add(s, &d, &err), RD_OK);

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
    assert_int_equal(s->ops->trading->position_put(s, &p, &err), RD_OK);
    snprintf(p.account, sizeof p.account, "B");
    p.qty = 20;
    assert_int_equal(s->ops->trading->position_put(s, &p, &err), RD_OK);
    /* B closing its AAPL leaves A's alone */
    p.qty = 0;
    assert_int_equal(s->ops->trading->position_put(s, &p, &err), RD_OK);
    assert_int_equal(s->ops->trading->position_list(s, "A", visit_position, &c, &err), RD_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.pos[0].qty, 10);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->trading->position_list(s, "B", visit_position, &c, &err), RD_OK);
    assert_int_equal(c.n, 0);

    add_order(s, "oA", "A", "AAPL", RD_INTENT_ENTRY, RD_ORDER_FILLED, NOW - 5);
    add_order(s, "oB1", "B", "AAPL", RD_INTENT_ENTRY, RD_ORDER_FILLED, NOW - 4);
    add_order(s, "oB2", "B", "AAPL", RD_INTENT_ENTRY, RD_ORDER_FILLED, NOW - 3);
    add_trade(s, "B", RD_DOLLARS(10), NOW - 100, 1);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->trading->order_list(s, "A", -1, visit_order, &c, &err), RD_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.ord[0].client_order_id, "oA");

    q.account = "A";
    q.underlying = "AAPL";
    q.symbol = "AAPL";
    q.day_start = NOW - 3600;
    q.minute_ago = NOW - 60;
    q.pdt_since = NOW - 5 * DAY;
    q.kelly_since = NOW - 30 * DAY;
    assert_int_equal(s->ops->trading->activity(s, &q, &act, &err), RD_OK);
    assert_int_equal(act.entries_today, 1);
    assert_int_equal(act.last_entry_at, NOW - 5);
    assert_int_equal(act.orders_last_minute, 1);
    assert_int_equal(act.day_trades, 0);
    assert_int_equal(act.closed_trades, 0);
    q.account = "B";
    assert_int_equal(s->ops->trading->activity(s, &q, &act, &err), RD_OK);
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
    assert_int_equal(s->ops->trading->rec_undecided(s, "A", &mark, 0, out, &n, &err), RD_OK);
    assert_int_equal(n, 0);
    assert_true(mark == 0);
    assert_int_equal(s->ops->trading->rec_undecided(s, "A", &mark, 4, out, &n, &err), RD_OK);
    assert_int_equal(n, 4);
    assert_string_equal(out[0].id, "c");
    assert_string_equal(out[1].id, "b");
    assert_string_equal(out[2].id, "a2");
    assert_string_equal(out[3].id, "z");
    assert_true(mark > 0);
    full = mark;
    /* from the mark: only what follows z */
    assert_int_equal(s->ops->trading->rec_undecided(s, "A", &mark, 4, out, &n, &err), RD_OK);
    assert_int_equal(n, 1);
    assert_string_equal(out[0].id, "y");
    assert_true(mark > full);
    top = mark;
    assert_int_equal(s->ops->trading->rec_undecided(s, "A", &mark, 4, out, &n, &err), RD_OK);
    assert_int_equal(n, 0);
    assert_true(mark == top);

    /* others' recommendations move the mark past them; theirs stay theirs */
    add_rec_for(s, "for-B-1", NOW, "B");
    add_rec_for(s, "for-B-2", NOW, "B");
    assert_int_equal(s->ops->trading->rec_undecided(s, "A", &mark, 4, out, &n, &err), RD_OK);
    assert_int_equal(n, 0);
    assert_true(mark > top);
    add_rec(s, "x", NOW - 100);    /* older than all, stored last: still found */
    assert_int_equal(s->ops->trading->rec_undecided(s, "A", &mark, 4, out, &n, &err), RD_OK);
    assert_int_equal(n, 1);
    assert_string_equal(out[0].id, "x");
    mark = top;
    assert_int_equal(s->ops->trading->rec_undecided(s, "B", &mark, 4, out, &n, &err), RD_OK);
    assert_int_equal(n, 3);
    assert_string_equal(out[0].id, "for-B-1");
    assert_string_equal(out[1].id, "for-B-2");
    assert_string_equal(out[2].id, "x");

    /* a decided one is skipped, and a full call's mark stops at its last */
    mark = 0;
    {
        struct rd_decision_row d = make_decision("A", "b", 1);

        assert_int_equal(s->ops->trading->decision_add(s, &d, &err), RD_OK);
    }
    assert_int_equal(s->ops->trading->rec_undecided(s, "A", &mark, 2, out, &n, &err), RD_OK);
    assert_int_equal(n, 2);
    assert_string_equal(out[0].id, "c");
    assert_string_equal(out[1].id, "a2");
    assert_int_equal(s->ops->trading->rec_undecided(s, "A", &mark, 2, out, &n, &err), RD_OK);
    assert_int_equal(n, 2);
    assert_string_equal(out[0].id, "z");
    assert_string_equal(out[1].id, "y");

    /* a mark past the last place (the newest deleted) starts over */
    mark += 1000;
    assert_int_equal(s->ops->trading->rec_undecided(s, "A", &mark, 2, out, &n, &err), RD_OK);
    assert_int_equal(n, 2);
    assert_string_equal(out[0].id, "c");
    assert_string_equal(out[1].id, "a2");
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
    assert_int_equal(s->ops->trading->activity(s, &q, &a, &err), RD_OK);
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
    assert_int_equal(s->ops->trading->activity(s, &q, &a, &err), RD_OK);
    assert_int_equal(a.day_trades, 2);
    assert_int_equal(a.closed_trades, 2);
    assert_int_equal(a.gross_wins, RD_DOLLARS(100));
    assert_int_equal(a.gross_losses, 0);

    /* nothing at all */
    q.account = "nobody";
    assert_int_equal(s->ops->trading->activity(s, &q, &a, &err), RD_OK);
    assert_int_equal(a.entries_today, 0);
    assert_int_equal(a.last_entry_at, 0);
    assert_int_equal(a.closed_trades, 0);
    assert_int_equal(a.gross_wins, 0);
    q.account = NULL;
    assert_int_equal(s->ops->trading->activity(s, &q, &a, &err), RD_EINVAL);

    /* the entries of many underlyings at once equal activity's one by one,
     * names a text array must escape included */
    add_order(s, "o9", "A", "A\"B", RD_INTENT_ENTRY, RD_ORDER_PENDING, NOW - 7);
    add_order(s, "o10", "A", "C\\D", RD_INTENT_ENTRY, RD_ORDER_FILLED, day_start - 9);
    {
        static const char *const u[] = {"MSFT", "AAPL", "NONE", "A\"B", "C\\D", "BRK.B"};
        int32_t count[6], one_count[6];
        int64_t last[6], one_last[6];

        assert_int_equal(rd_store_activity_entries(s, "A", day_start, u, 6, count, last, &err),
                         RD_OK);
        assert_int_equal(rd_store_activity_entries_each(s, "A", day_start, u, 6, one_count,
                                                        one_last, &err), RD_OK);
        assert_memory_equal(count, one_count, sizeof count);
        assert_memory_equal(last, one_last, sizeof last);
        assert_int_equal(count[1], 2);               /* AAPL: o2, o7 */
        assert_int_equal(last[1], NOW - 100);
        assert_int_equal(count[0], 1);               /* MSFT: o6 */
        assert_int_equal(count[2], 0);
        assert_int_equal(last[2], 0);
        assert_int_equal(count[3], 1);
        assert_int_equal(last[3], NOW - 7);
        assert_int_equal(count[4], 0);               /* yesterday's: not today, but the latest */
        assert_int_equal(last[4], day_start - 9);
        assert_int_equal(rd_store_activity_entries(s, "B", day_start, u, 2, count, last, &err),
                         RD_OK);
        assert_int_equal(count[1], 1);
        assert_int_equal(count[0], 0);
        assert_int_equal(rd_store_activity_entries(s, "A", day_start, u, 0, count, last, &err),
                         RD_OK);
    }
}

#endif
