#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "riskdesk/alloc.h"
#include "riskdesk/calendar.h"
#include "riskdesk/fills_csv.h"
#include "riskdesk/pnl.h"

struct run {
    struct rd_fills fs;
    struct rd_pnl pnl;
    struct rd_error err;
    int rc;
};

/* Parses fills (and an optional daily P&L CSV) strictly, then computes. */
static void compute2(struct run *r, const char *fills, const char *daily)
{
    struct rd_fills_options o = {.strict = 1};

    memset(r, 0, sizeof *r);
    rd_fills_init(&r->fs);
    rd_pnl_init(&r->pnl);
    assert_int_equal(rd_fills_parse(&r->fs, RD_FILLS_CSV, "f.csv", fills, strlen(fills), &o,
                                    NULL, &r->err), RD_OK);
    if (daily)
        assert_int_equal(rd_fills_parse(&r->fs, RD_FILLS_DAILY_CSV, "d.csv", daily,
                                        strlen(daily), &o, NULL, &r->err), RD_OK);
    r->rc = rd_pnl_compute(&r->fs, &r->pnl, &r->err);
}

static void compute(struct run *r, const char *fills)
{
    compute2(r, fills, NULL);
}

static void done(struct run *r)
{
    rd_pnl_release(&r->pnl);
    rd_fills_release(&r->fs);
}

/* Checks day i: trader name, ISO date, trades and money in 1/10000 dollar. */
static void day_is(const struct run *r, size_t i, const char *trader, const char *date,
                   int64_t trades, rd_money realized, rd_money fees, rd_money net)
{
    const struct rd_pnl_day *d;
    char iso[16];

    assert_true(i < r->pnl.ndays);
    d = &r->pnl.days[i];
    rd_date_format(d->day, iso, sizeof iso);
    assert_string_equal(r->fs.traders.name[d->trader], trader);
    assert_string_equal(iso, date);
    assert_int_equal(d->trades, trades);
    assert_int_equal(d->realized, realized);
    assert_int_equal(d->fees, fees);
    assert_int_equal(d->net, net);
}

#define D(x) RD_DOLLARS(x)
#define HDR "trader_id,date,time,symbol,side,qty,price,fees\n"

/* Partial lots across days:
 *   day 1: buy 100 @10, buy 50 @11, sell 120 @12 -> 100 x (12-10) + 20 x (12-11) = 220
 *          30 @11 left long
 *   day 2: sell 100 @9 -> 30 x (9-11) = -60, and 70 opened short @9 (a flip)
 *          buy 70 @8.50 -> 70 x (9-8.50) = +35: realized -25 */
static void test_fifo_partial_lots_across_days(void **state)
{
    struct run r;

    (void)state;
    compute(&r, HDR
            "alice,01/02/2024,09:30,AAPL,B,100,10.00,1.00\n"
            "alice,01/02/2024,10:00,AAPL,B,50,11.00,0.50\n"
            "alice,01/02/2024,11:00,AAPL,S,120,12.00,1.20\n"
            "alice,01/03/2024,09:45,AAPL,S,100,9.00,1.00\n"
            "alice,01/03/2024,15:00,AAPL,B,70,8.50,0.70\n");
    assert_int_equal(r.rc, RD_OK);
    assert_int_equal(r.pnl.ndays, 2);
    day_is(&r, 0, "alice", "2024-01-02", 3, D(220), 27000, 2173000);
    day_is(&r, 1, "alice", "2024-01-03", 2, D(-25), 17000, -267000);
    assert_int_equal(r.pnl.open_lots, 0);
    done(&r);
}

/* Shorts: sell 100 @50, sell 50 @52, buy 120 @45 -> 100 x 5 + 20 x 7 = 640;
 * 30 short @52 left, covered next day @55 -> 30 x (52-55) = -90. */
static void test_shorts(void **state)
{
    struct run r;

    (void)state;
    compute(&r, HDR
            "s,2024-01-02,09:30,X,S,100,50,0\n"
            "s,2024-01-02,09:31,X,S,50,52,0\n"
            "s,2024-01-02,09:32,X,B,120,45,0\n"
            "s,2024-01-03,09:30,X,B,30,55,0\n");
    assert_int_equal(r.rc, RD_OK);
    day_is(&r, 0, "s", "2024-01-02", 3, D(640), 0, D(640));
    day_is(&r, 1, "s", "2024-01-03", 1, D(-90), 0, D(-90));
    done(&r);
}

/* A flip from long to short in one fill, and back: buy 100 @10; sell 250 @11
 * -> +100 and 150 short @11; buy 200 @10.25 -> 150 x 0.75 = 112.50, 50 long
 * @10.25; sell 50 @10.2501 -> 50 x 0.0001 = 0.005 (exact to 1/10000). */
static void test_flip(void **state)
{
    struct run r;

    (void)state;
    compute(&r, HDR
            "f,2024-01-02,09:30,X,B,100,10,0\n"
            "f,2024-01-02,09:31,X,S,250,11,0\n"
            "f,2024-01-03,09:30,X,B,200,10.25,0\n"
            "f,2024-01-04,09:30,X,S,50,10.2501,0\n");
    assert_int_equal(r.rc, RD_OK);
    day_is(&r, 0, "f", "2024-01-02", 2, D(100), 0, D(100));
    day_is(&r, 1, "f", "2024-01-03", 1, 1125000, 0, 1125000);
    day_is(&r, 2, "f", "2024-01-04", 1, 50, 0, 50);
    done(&r);
}

/* Fees: counted on their fill's day even when nothing is realized; rebates
 * (negative) lower them; a day with only fees has a negative net. */
static void test_fees(void **state)
{
    struct run r;

    (void)state;
    compute(&r, "trader_id,date,symbol,side,qty,price,comm,ecn,sec\n"
                "g,2024-01-02,X,B,100,10,0.35,-0.20,\n"
                "g,2024-01-03,X,S,100,10.10,0.35,0.30,0.0281\n");
    assert_int_equal(r.rc, RD_OK);
    day_is(&r, 0, "g", "2024-01-02", 1, 0, 1500, -1500);
    /* realized 100 x 0.10 = 10; fees 0.35 + 0.30 + 0.0281 = 0.6781 */
    day_is(&r, 1, "g", "2024-01-03", 1, D(10), 6781, 100000 - 6781);
    done(&r);
}

/* Order: date, then time (no time first), then file order - not the file's order.
 *   file: d2 sell 300 @12 | d1 10:00 buy 100 @10 | d1 09:00 buy 100 @11 |
 *         d1 (no time) buy 100 @9 | d1 09:00 buy 100 @13 (same time: file order)
 *   FIFO lots on d1 in time order: @9 (no time), @11 (09:00), @13 (09:00, later in
 *   file), @10 (10:00). d2 sell 300 @12 closes @9, @11, @13: 3 + 1 - 1 = +3 x 100. */
static void test_order(void **state)
{
    struct run r;

    (void)state;
    compute(&r, HDR
            "o,01/03/2024,09:00,X,S,300,12,0\n"
            "o,01/02/2024,10:00,X,B,100,10,0\n"
            "o,01/02/2024,09:00,X,B,100,11,0\n"
            "o,01/02/2024,,X,B,100,9,0\n"
            "o,01/02/2024,09:00,X,B,100,13,0\n");
    assert_int_equal(r.rc, RD_OK);
    day_is(&r, 0, "o", "2024-01-02", 4, 0, 0, 0);
    day_is(&r, 1, "o", "2024-01-03", 1, D(300), 0, D(300));
    assert_int_equal(r.pnl.open_lots, 1);                  /* the @10 lot */
    done(&r);
}

/* Traders sorted by name, symbols matched separately, spans per trader. */
static void test_traders_and_symbols(void **state)
{
    struct run r;
    uint32_t zed, amy;

    (void)state;
    compute(&r, HDR
            "zed,2024-01-02,09:30,X,B,10,1,0\n"
            "amy,2024-01-02,09:30,X,S,10,5,0\n"
            "amy,2024-01-02,09:31,Y,B,10,4,0\n"             /* Y does not close X */
            "zed,2024-01-03,09:30,X,S,10,2,0\n"
            "amy,2024-01-03,09:30,X,B,10,6,0\n"
            "amy,2024-01-03,09:31,Y,S,10,4.5,0\n"
            "zed_OLD,2024-01-02,09:30,X,B,1,1,0\n");
    assert_int_equal(r.rc, RD_OK);
    assert_int_equal(r.pnl.ndays, 5);
    day_is(&r, 0, "amy", "2024-01-02", 2, 0, 0, 0);
    day_is(&r, 1, "amy", "2024-01-03", 2, D(-10) + D(5), 0, D(-5));
    day_is(&r, 2, "zed", "2024-01-02", 1, 0, 0, 0);
    day_is(&r, 3, "zed", "2024-01-03", 1, D(10), 0, D(10));
    day_is(&r, 4, "zed_OLD", "2024-01-02", 1, 0, 0, 0);
    zed = (uint32_t)rd_names_find(&r.fs.traders, "zed", 3);
    amy = (uint32_t)rd_names_find(&r.fs.traders, "amy", 3);
    assert_int_equal(r.pnl.span[amy].first, 0);
    assert_int_equal(r.pnl.span[amy].count, 2);
    assert_int_equal(r.pnl.span[zed].first, 2);
    assert_int_equal(r.pnl.span[zed].count, 2);
    assert_int_equal(r.pnl.order[0], amy);
    assert_int_equal(r.pnl.order[1], zed);
    assert_int_equal(rd_names_find(&r.fs.traders, "nobody", 6), -1);
    done(&r);
}

static void test_daily_rows(void **state)
{
    struct run r;

    (void)state;
    compute2(&r, HDR "a,2024-01-03,09:30,X,B,10,1,0.5\n",
             "trader_id,date,pnl\nb,01/02/2024,-1200.50\na,01/02/2024,300\nb,01/03/2024,10\n");
    assert_int_equal(r.rc, RD_OK);
    assert_int_equal(r.pnl.ndays, 4);
    day_is(&r, 0, "a", "2024-01-02", 0, D(300), 0, D(300));
    day_is(&r, 1, "a", "2024-01-03", 1, 0, 5000, -5000);
    day_is(&r, 2, "b", "2024-01-02", 0, -12005000, 0, -12005000);
    assert_int_equal(r.pnl.days[2].daily_line, 2);
    done(&r);

    compute2(&r, HDR "a,2024-01-03,09:30,X,B,10,1,0.5\n", "trader_id,date,pnl\na,2024-01-03,5\n");
    assert_int_equal(r.rc, RD_EINVAL);
    assert_string_equal(r.err.msg, "daily P&L line 2: a on 2024-01-03 also has fills; give a "
                                   "trader-day either fills or a daily P&L row");
    assert_int_equal(r.pnl.ndays, 0);
    done(&r);

    compute2(&r, HDR, "trader_id,date,pnl\na,2024-01-03,5\nb,2024-01-03,1\na,01/03/2024,6\n");
    assert_int_equal(r.rc, RD_EINVAL);
    assert_string_equal(r.err.msg, "daily P&L line 4: a on 2024-01-03 repeats line 2");
    done(&r);
}

static void test_empty_and_overflow(void **state)
{
    struct run r;

    (void)state;
    compute(&r, HDR);
    assert_int_equal(r.rc, RD_OK);
    assert_int_equal(r.pnl.ndays, 0);
    done(&r);

    /* 1e9 shares x $900 billion each way: the product leaves int64 */
    compute(&r, HDR "a,2024-01-02,,X,B,1000000000,0,0\n"
                    "a,2024-01-02,,X,S,1000000000,900000000000,0\n");
    assert_int_equal(r.rc, RD_ETOOBIG);
    assert_string_equal(r.err.msg, "P&L of a on 2024-01-02 is out of range");
    done(&r);
}

/* Many fills out of order take the radix path: the same answer as in order. */
static void test_unsorted_many(void **state)
{
    char *sorted = NULL, *shuffled = NULL;
    size_t cap = 1 << 20;
    struct run a, b;
    size_t la = 0, lb = 0;

    (void)state;
    sorted = test_malloc(cap);
    shuffled = test_malloc(cap);
    la = (size_t)snprintf(sorted, cap, HDR);
    lb = (size_t)snprintf(shuffled, cap, HDR);
    for (int i = 0; i < 2000; i++) {
        int day = 2 + i / 200, sec = i % 200;
        const char *side = (i * 7) % 3 ? "B" : "S";
        int qty = 1 + (i * 13) % 97, cents = 1000 + (i * 31) % 500;

        la += (size_t)snprintf(sorted + la, cap - la, "t%d,2024-01-%02d,10:%02d:%02d,S%d,%s,%d,%d.%02d,0\n",
                               i % 3, day, sec / 60, sec % 60, i % 5, side, qty, cents / 100, cents % 100);
    }
    /* the same rows, reversed; equal times never occur, so order is fully defined */
    {
        char *end = sorted + la, *p = end;

        while (p > sorted + strlen(HDR)) {
            char *q = p - 1;

            while (q > sorted + strlen(HDR) && q[-1] != '\n')
                q--;
            memcpy(shuffled + lb, q, (size_t)(p - q));
            lb += (size_t)(p - q);
            p = q;
        }
        shuffled[lb] = '\0';
        (void)end;
    }
    compute(&a, sorted);
    compute(&b, shuffled);
    assert_int_equal(a.rc, RD_OK);
    assert_int_equal(b.rc, RD_OK);
    assert_int_equal(a.pnl.ndays, b.pnl.ndays);
    for (size_t i = 0; i < a.pnl.ndays; i++) {
        assert_string_equal(a.fs.traders.name[a.pnl.days[i].trader],
                            b.fs.traders.name[b.pnl.days[i].trader]);
        assert_int_equal(a.pnl.days[i].day, b.pnl.days[i].day);
        assert_int_equal(a.pnl.days[i].realized, b.pnl.days[i].realized);
        assert_int_equal(a.pnl.days[i].trades, b.pnl.days[i].trades);
    }
    done(&a);
    done(&b);
    test_free(sorted);
    test_free(shuffled);
}

/* The feed gives what rd_pnl_compute gives for fills in order, and refuses one
 * that comes before the fill fed before it (the caller then sorts). */
static void test_feed(void **state)
{
    struct run r;
    struct rd_pnl_feed *pf;
    struct rd_pnl fed;

    (void)state;
    compute(&r, HDR
            "alice,01/02/2024,09:30,AAPL,B,100,10.00,1.00\n"
            "bob,01/02/2024,09:31,AAPL,S,10,10.00,0\n"
            "alice,01/02/2024,09:40,AAPL,S,120,12.00,0.50\n"
            "alice,01/03/2024,,AAPL,B,20,11.00,0\n"
            "bob,01/03/2024,09:00,AAPL,B,10,9.00,0\n");
    assert_int_equal(r.rc, RD_OK);
    rd_pnl_init(&fed);
    assert_int_equal(rd_pnl_feed_new(&r.fs, &pf, &r.err), RD_OK);
    assert_int_equal(rd_pnl_feed_add(pf, r.fs.fills, 2, &r.err), RD_OK);
    assert_int_equal(rd_pnl_feed_add(pf, r.fs.fills + 2, 3, &r.err), RD_OK);
    assert_int_equal(rd_pnl_feed_finish(pf, &fed, &r.err), RD_OK);
    assert_int_equal(fed.ndays, r.pnl.ndays);
    assert_int_equal(fed.open_lots, r.pnl.open_lots);
    assert_memory_equal(fed.days, r.pnl.days, fed.ndays * sizeof *fed.days);
    rd_pnl_feed_free(pf);
    rd_pnl_release(&fed);

    /* the second fill fed again after the third is before it in time: refused */
    assert_int_equal(rd_pnl_feed_new(&r.fs, &pf, &r.err), RD_OK);
    assert_int_equal(rd_pnl_feed_add(pf, r.fs.fills, 3, &r.err), RD_OK);
    assert_int_equal(rd_pnl_feed_add(pf, r.fs.fills + 1, 1, &r.err), RD_EUNSUPPORTED);
    /* a fill without a time comes before the timed fills of its day */
    assert_int_equal(rd_pnl_feed_add(pf, r.fs.fills + 4, 1, &r.err), RD_OK);
    assert_int_equal(rd_pnl_feed_add(pf, r.fs.fills + 3, 1, &r.err), RD_EUNSUPPORTED);
    rd_pnl_feed_free(pf);
    rd_pnl_feed_free(NULL);
    done(&r);
}

static void test_alloc_failures(void **state)
{
    static const char *const csv = HDR
        "b,01/03/2024,09:00,X,S,300,12,0\n"
        "a,01/02/2024,10:00,X,B,100,10,0\n"
        "b,01/02/2024,09:00,Y,B,100,11,0\n"
        "a,01/02/2024,,Z,B,100,9,0\n";
    int saw_ok = 0;

    (void)state;
    for (long n = 1; n < 100 && !saw_ok; n++) {
        struct run r;

        memset(&r, 0, sizeof r);
        rd_fills_init(&r.fs);
        rd_pnl_init(&r.pnl);
        assert_int_equal(rd_fills_parse(&r.fs, RD_FILLS_CSV, "f", csv, strlen(csv), NULL, NULL,
                                        &r.err), RD_OK);
        rd_alloc_fail_after(n);
        r.rc = rd_pnl_compute(&r.fs, &r.pnl, &r.err);
        rd_alloc_fail_after(0);
        if (r.rc == RD_OK)
            saw_ok = 1;
        else
            assert_int_equal(r.rc, RD_ENOMEM);
        done(&r);
    }
    assert_true(saw_ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_partial_lots_across_days),
        cmocka_unit_test(test_shorts),
        cmocka_unit_test(test_flip),
        cmocka_unit_test(test_fees),
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_traders_and_symbols),
        cmocka_unit_test(test_daily_rows),
        cmocka_unit_test(test_empty_and_overflow),
        cmocka_unit_test(test_unsorted_many),
        cmocka_unit_test(test_feed),
        cmocka_unit_test(test_alloc_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
