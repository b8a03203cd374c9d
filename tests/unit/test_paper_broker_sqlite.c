/* The paper broker on the real SQLite store: in memory, and in a file shared by
 * separate handles the way separate riskdesk runs share it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>
#include <cmocka.h>

#include "riskdesk/alloc.h"
#include "riskdesk/broker.h"
#include "riskdesk/calendar.h"
#include "riskdesk/paper_market.h"
#include "riskdesk/runner.h"
#include "riskdesk/store.h"

#define SEED 77ULL
#define OPT_SYMBOL_FOR_TEST "SPY251219P00600000"

static int64_t t0(void)
{
    return rd_et_to_utc(rd_date_from_ymd(2025, 11, 12), 10 * 60);
}

static struct rd_store *store_open(const char *url)
{
    struct rd_error err = {0};
    struct rd_store *s = NULL;

    if (rd_store_open(url, &s, &err) != RD_OK)
        fail_msg("rd_store_open(%s): %s", url, err.msg);
    return s;
}

static struct rd_broker *paper(struct rd_store *s, const char *account, int64_t now)
{
    struct rd_broker_state st;
    struct rd_broker_params p = {.account = account, .state = &st,
                                 .starting_cash = RD_DOLLARS(10000), .seed = SEED};
    struct rd_error err = {0};
    struct rd_broker *b = NULL;

    rd_runner_store_state(s, &st);
    if (rd_broker_open("paper", &p, &b, &err) != RD_OK)
        fail_msg("rd_broker_open: %s", err.msg);
    b->now = now;
    return b;
}

static int submit(struct rd_broker *b, const char *cid, const char *sym, enum rd_order_side side,
                  int64_t qty, int64_t mult, rd_money ref, struct rd_order_result *r)
{
    struct rd_order_request req = {.side = side, .qty = qty, .multiplier = mult, .ref_price = ref};
    struct rd_error err = {0};

    snprintf(req.client_order_id, sizeof req.client_order_id, "%s", cid);
    snprintf(req.symbol, sizeof req.symbol, "%s", sym);
    return b->ops->submit_order(b, &req, r, &err);
}

static struct rd_broker_account account(struct rd_broker *b)
{
    struct rd_broker_account a;
    struct rd_error err = {0};

    assert_int_equal(b->ops->get_account(b, &a, &err), RD_OK);
    return a;
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[512];

    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        assert_int_equal(unlink(p), 0);
    }
    closedir(d);
    assert_int_equal(rmdir(dir), 0);
}

static void test_memory_store(void **state)
{
    struct rd_store *s = store_open("sqlite::memory:");
    struct rd_broker *a = paper(s, "alice", t0()), *b = paper(s, "bob", t0());
    struct rd_broker_position *pos = NULL;
    struct rd_order_result r, again;
    struct rd_error err = {0};
    size_t n = 0;

    (void)state;
    assert_int_equal(submit(a, "a:1", "AAPL", RD_SIDE_BUY, 10, 1, RD_DOLLARS(180), &r), RD_OK);
    assert_int_equal(r.status, RD_ORDER_FILLED);
    assert_int_equal(r.fill_price, RD_DOLLARS(180));
    assert_int_equal(submit(a, "a:1", "AAPL", RD_SIDE_BUY, 10, 1, RD_DOLLARS(180), &again),
                     RD_EEXIST);
    assert_memory_equal(&again, &r, sizeof r);
    assert_int_equal(submit(a, "a:2", "AAPL", RD_SIDE_BUY, 100, 1, RD_DOLLARS(180), &r), RD_OK);
    assert_int_equal(r.status, RD_ORDER_REJECTED);
    assert_string_equal(r.reason, "insufficient buying power: cost 18000.00 > buying power 8200.00");
    assert_int_equal(account(a).cash, RD_DOLLARS(8200));

    /* bob shares the market, not the account */
    assert_int_equal(account(b).cash, RD_DOLLARS(10000));
    assert_int_equal(b->ops->list_positions(b, &pos, &n, &err), RD_OK);
    assert_int_equal(n, 0);
    assert_int_equal(b->ops->get_order(b, "a:1", &r, &err), RD_ENOTFOUND);
    assert_int_equal(submit(b, "b:1", "AAPL", RD_SIDE_SELL, 1, 1, 0, &r), RD_OK);
    assert_string_equal(r.reason, "insufficient qty: have 0, sell 1");
    rd_broker_close(a);
    rd_broker_close(b);
    rd_store_close(s);
}

static void test_file_store_across_runs(void **state)
{
    char dir[] = "/tmp/rd_paper_XXXXXX", url[128], path[96];
    struct rd_store *s1, *s2;
    struct rd_broker *b1, *b2;
    struct rd_broker_account before, after;
    struct rd_order_result r;
    struct rd_error err = {0};
    int64_t t1 = t0() + 3600;
    rd_money q1 = 0, q2 = 0;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/riskdesk.db", dir);
    snprintf(url, sizeof url, "sqlite:%s", path);

    /* run 1 buys and exits */
    s1 = store_open(url);
    b1 = paper(s1, "acct", t0());
    assert_int_equal(submit(b1, "acct:rec-1", OPT_SYMBOL_FOR_TEST, RD_SIDE_BUY, 3, 100, 41000, &r),
                     RD_OK);
    assert_int_equal(r.status, RD_ORDER_FILLED);
    b1->now = t1;
    before = account(b1);
    assert_int_equal(b1->ops->quote(b1, OPT_SYMBOL_FOR_TEST, &q1, &err), RD_OK);
    rd_broker_close(b1);
    rd_store_close(s1);

    /* run 2 sees the same account, the same order and the same market */
    s2 = store_open(url);
    b2 = paper(s2, "acct", t1);
    after = account(b2);
    assert_memory_equal(&after, &before, sizeof before);
    assert_int_equal(after.cash, RD_DOLLARS(10000) - RD_DOLLARS(1230));
    assert_int_equal(b2->ops->quote(b2, OPT_SYMBOL_FOR_TEST, &q2, &err), RD_OK);
    assert_int_equal(q2, q1);
    assert_int_equal(submit(b2, "acct:rec-1", OPT_SYMBOL_FOR_TEST, RD_SIDE_BUY, 3, 100, 41000, &r),
                     RD_EEXIST);
    assert_int_equal(r.status, RD_ORDER_FILLED);
    assert_int_equal(account(b2).cash, RD_DOLLARS(8770));

    /* two handles open at once on the file (two processes) see each other's fills */
    s1 = store_open(url);
    b1 = paper(s1, "acct", t1);
    assert_int_equal(submit(b1, "acct:exit-1", OPT_SYMBOL_FOR_TEST, RD_SIDE_SELL, 3, 100, 0, &r),
                     RD_OK);
    assert_int_equal(r.status, RD_ORDER_FILLED);
    assert_int_equal(r.fill_price, q1);
    assert_int_equal(account(b2).cash, RD_DOLLARS(8770) + 300 * q1);
    assert_int_equal(submit(b2, "acct:exit-1", OPT_SYMBOL_FOR_TEST, RD_SIDE_SELL, 3, 100, 0, &r),
                     RD_EEXIST);
    rd_broker_close(b1);
    rd_store_close(s1);
    rd_broker_close(b2);
    rd_store_close(s2);

    remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_store),
        cmocka_unit_test(test_file_store_across_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
