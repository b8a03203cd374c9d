/*
 * test_trader_store.c - traders' data in the store (SQLite): imports round
 * trip, the same file twice adds nothing, daily rows already stored are
 * duplicates or bad rows, a strict stop stores nothing, FIFO carries across
 * imports, legacy traders are kept, reports and predictions round trip, the
 * stored fills handed on a batch at a time are those trader_load reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "riskdesk/alloc.h"
#include "riskdesk/calendar.h"
#include "riskdesk/fills.h"
#include "riskdesk/pnl.h"
#include "riskdesk/store.h"
#include "riskdesk/traders_import.h"

struct fixture {
    char dir[64];
    struct rd_store *s;
    int nfiles;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct rd_error err = {0};

    snprintf(f->dir, sizeof f->dir, "/tmp/rd-trader-store-XXXXXX");
    if (!mkdtemp(f->dir) || rd_store_open("sqlite::memory:", &f->s, &err) != RD_OK) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char p[128];

    rd_store_close(f->s);
    for (int i = 0; i < f->nfiles; i++) {
        snprintf(p, sizeof p, "%s/f%d.csv", f->dir, i);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Writes text to a new file in the fixture's folder; returns its path (static). */
static const char *file(struct fixture *f, const char *text)
{
    static char path[128];
    FILE *fp;

    snprintf(path, sizeof path, "%s/f%d.csv", f->dir, f->nfiles++);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    return path;
}

struct bad_log {
    int n;
    char last[256];
};

static void on_bad(void *ctx, const char *path, long line, const char *why)
{
    struct bad_log *b = ctx;

    b->n++;
    snprintf(b->last, sizeof b->last, "%ld: %s", line, why);
}

static int import(struct fixture *f, enum rd_fills_kind kind, const char *path, int strict,
                  struct rd_traders_import_result *res, struct bad_log *bad, struct rd_error *err)
{
    struct rd_traders_import_opts o = {.strict = strict, .now = 1700000000, .on_bad = on_bad,
                                       .ctx = bad};

    return rd_traders_import(f->s, kind, path, &o, res, err);
}

/* The stored trader-days of one trader, as "day:net" text. */
static void days_of(struct fixture *f, const char *trader, char *out, size_t n)
{
    struct rd_fills fs;
    struct rd_pnl pnl;
    struct rd_error err = {0};
    int64_t id;
    size_t k = 0;

    rd_fills_init(&fs);
    rd_pnl_init(&pnl);
    assert_int_equal(f->s->ops->traders->trader_days_load(f->s, &fs, &pnl, &err), RD_OK);
    out[0] = '\0';
    id = rd_names_find(&fs.traders, trader, strlen(trader));
    if (id >= 0) {
        const struct rd_pnl_span *sp = &pnl.span[id];

        for (size_t i = 0; i < sp->count; i++) {
            char d[16], m[32];

            rd_date_format(pnl.days[sp->first + i].day, d, sizeof d);
            rd_money_format(pnl.days[sp->first + i].net, m, sizeof m);
            k += (size_t)snprintf(out + k, n - k, "%s%s:%s", i ? " " : "", d, m);
        }
    }
    rd_pnl_release(&pnl);
    rd_fills_release(&fs);
}

static const char fills1[] =
    "trader_id,date,time,symbol,side,qty,price,fees\n"
    "alice,01/02/2024,09:30:00,AAPL,B,100,10.00,1.00\n"
    "alice,01/02/2024,10:00:00,AAPL,S,50,11.00,0.50\n"
    "bob_OLD,01/02/2024,10:00:00,MSFT,S,10,20.00,0\n";
/* the second day closes alice's open 50 from the first file: FIFO across imports */
static const char fills2[] =
    "trader_id,date,time,symbol,side,qty,price,fees\n"
    "alice,01/03/2024,09:30:00,AAPL,S,50,12.00,0\n";

/* fills1 written otherwise: CRLF, a BOM, quotes, ISO dates, columns reordered, a bad row */
static const char fills1_other[] =
    "\xef\xbb\xbf" "date,trader_id,symbol,time,side,qty,price,fees\r\n"
    "2024-01-02,\"alice\",AAPL,09:30,buy,100,10.0,1\r\n"
    "\r\n"
    "2024-01-02,alice,AAPL,10:00:00,S,x,11.00,0.50\r\n"
    "2024-01-02,alice,AAPL,10:00:00,S,50,11.00,0.50\r\n"
    "2024-01-02,bob_OLD,MSFT,10:00:00.000,sell,10,20,0\r\n";
/* the same but one row in another order: another file */
static const char fills1_reordered[] =
    "trader_id,date,time,symbol,side,qty,price,fees\n"
    "alice,01/02/2024,10:00:00,AAPL,S,50,11.00,0.50\n"
    "alice,01/02/2024,09:30:00,AAPL,B,100,10.00,1.00\n"
    "bob_OLD,01/02/2024,10:00:00,MSFT,S,10,20.00,0\n";

/* The identity of an import: its bytes, then its parsed rows. */
static void test_same_rows_other_bytes(void **state)
{
    struct fixture *f = *state;
    struct rd_traders_import_result r;
    struct bad_log bad = {0};
    struct rd_error err = {0};
    char path1[128], path2[128], rows1[65];
    int64_t id1, id;
    struct rd_fills fs;

    snprintf(path1, sizeof path1, "%s", file(f, fills1));
    assert_int_equal(import(f, RD_FILLS_CSV, path1, 0, &r, &bad, &err), RD_OK);
    assert_false(r.already);
    id1 = r.import_id;
    assert_int_equal(strlen(r.rows_sha256), 64);
    assert_string_not_equal(r.rows_sha256, r.sha256);
    snprintf(rows1, sizeof rows1, "%s", r.rows_sha256);

    /* other bytes, the same rows: nothing added, import 1 named */
    snprintf(path2, sizeof path2, "%s", file(f, fills1_other));
    assert_int_equal(import(f, RD_FILLS_CSV, path2, 0, &r, &bad, &err), RD_OK);
    assert_true(r.already);
    assert_true(r.same_rows);
    assert_int_equal(r.import_id, id1);
    assert_string_equal(r.rows_sha256, rows1);
    assert_int_equal(r.rows, 0);
    assert_int_equal(r.bad, 1);
    rd_fills_init(&fs);
    assert_int_equal(f->s->ops->traders->trader_load(f->s, RD_TRADER_LOAD_FILLS, &fs, &err), RD_OK);
    assert_int_equal(fs.nfills, 3);
    rd_fills_release(&fs);
    /* those bytes are known now before parsing: no bad row reported again */
    assert_int_equal(rd_traders_import_known(f->s, path2, r.sha256, &id, &err), RD_OK);
    assert_int_equal(id, id1);
    bad.n = 0;
    assert_int_equal(import(f, RD_FILLS_CSV, path2, 0, &r, &bad, &err), RD_OK);
    assert_true(r.already);
    assert_false(r.same_rows);
    assert_int_equal(r.import_id, id1);
    assert_int_equal(bad.n, 0);

    /* the rows in another order: a new import */
    assert_int_equal(import(f, RD_FILLS_CSV, file(f, fills1_reordered), 0, &r, &bad, &err), RD_OK);
    assert_false(r.already);
    assert_true(r.import_id > id1);

    /* a new file is not known */
    assert_int_equal(rd_traders_import_known(f->s, file(f, fills2), r.sha256, &id, &err),
                     RD_ENOTFOUND);

    /* limits are known by their bytes only: the same limits in CRLF are imported again */
    assert_int_equal(import(f, RD_FILLS_LIMITS_CSV, file(f, "trader_id,daily_loss_limit\nalice,900\n"),
                            0, &r, &bad, &err), RD_OK);
    assert_false(r.already);
    assert_string_equal(r.rows_sha256, "");
    assert_int_equal(import(f, RD_FILLS_LIMITS_CSV,
                            file(f, "trader_id,daily_loss_limit\r\nalice,900\r\n"), 0, &r, &bad,
                            &err), RD_OK);
    assert_false(r.already);
}

static void test_import_and_reimport(void **state)
{
    struct fixture *f = *state;
    struct rd_traders_import_result r;
    struct bad_log bad = {0};
    struct rd_error err = {0};
    char days[512], path1[128];
    struct rd_fills fs;

    snprintf(path1, sizeof path1, "%s", file(f, fills1));
    assert_int_equal(import(f, RD_FILLS_CSV, path1, 0, &r, &bad, &err), RD_OK);
    assert_false(r.already);
    assert_true(r.import_id > 0);
    assert_int_equal(r.rows, 3);
    assert_int_equal(r.traders, 2);
    assert_int_equal(strlen(r.sha256), 64);
    days_of(f, "alice", days, sizeof days);
    assert_string_equal(days, "2024-01-02:48.50");
    days_of(f, "bob_OLD", days, sizeof days);              /* kept in the store */
    assert_string_equal(days, "2024-01-02:0.00");

    /* the same bytes again: nothing added */
    assert_int_equal(import(f, RD_FILLS_CSV, path1, 0, &r, &bad, &err), RD_OK);
    assert_true(r.already);
    assert_int_equal(r.rows, 0);
    rd_fills_init(&fs);
    assert_int_equal(f->s->ops->traders->trader_load(f->s, RD_TRADER_LOAD_FILLS, &fs, &err), RD_OK);
    assert_int_equal(fs.nfills, 3);
    rd_fills_release(&fs);

    /* a new file: lots opened by the first close here */
    assert_int_equal(import(f, RD_FILLS_CSV, file(f, fills2), 0, &r, &bad, &err), RD_OK);
    assert_false(r.already);
    days_of(f, "alice", days, sizeof days);
    assert_string_equal(days, "2024-01-02:48.50 2024-01-03:100.00");
    rd_fills_init(&fs);
    assert_int_equal(f->s->ops->traders->trader_load(f->s, RD_TRADER_LOAD_FILLS, &fs, &err), RD_OK);
    assert_int_equal(fs.nfills, 4);
    assert_int_equal(fs.fills[0].time_ms, 9 * 3600000 + 30 * 60000);
    assert_true(fs.fills[1].qty == -50 && fs.fills[1].price == RD_DOLLARS(11));
    assert_int_equal(fs.fills[1].fees, 5000);
    rd_fills_release(&fs);
    assert_int_equal(bad.n, 0);
}

/* trader_fills_each's visit: the fills appended to a container with the same names. */
struct visited {
    struct rd_fills *into;
    int calls, fail_at;
};

static int visit_fills(void *ctx, const struct rd_fill *f, size_t n, struct rd_error *err)
{
    struct visited *v = ctx;

    assert_true(n >= 1 && n <= 4096);
    if (++v->calls == v->fail_at)
        return rd_error_set(err, RD_EINVAL, "visit %d refused", v->calls);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(rd_fills_add(v->into, &f[i], err), RD_OK);
    return RD_OK;
}

/* The stored fills handed on a batch at a time are trader_load's, names and all. */
static void test_fills_each(void **state)
{
    struct fixture *f = *state;
    const struct rd_store_traders_ops *t = f->s->ops->traders;
    struct rd_traders_import_result r;
    struct bad_log bad = {0};
    struct rd_error err = {0};
    struct rd_fills loaded, each;
    struct visited v = {&each, 0, 0};
    size_t len = 0, cap = 10000 * 48;
    char *text = malloc(cap);

    assert_non_null(text);
    len += (size_t)snprintf(text, cap, "trader_id,date,symbol,side,qty,price\n");
    for (int i = 0; i < 9000; i++)                  /* three batches of 4096 at most */
        len += (size_t)snprintf(text + len, cap - len, "t%d,2024-01-%02d,S%d,%c,%d,%d.25\n",
                                i % 7, 2 + i / 1000, i % 11, i % 2 ? 'S' : 'B', 1 + i % 5,
                                10 + i % 3);
    assert_int_equal(import(f, RD_FILLS_CSV, file(f, fills1), 0, &r, &bad, &err), RD_OK);
    assert_int_equal(import(f, RD_FILLS_CSV, file(f, text), 0, &r, &bad, &err), RD_OK);
    assert_int_equal(r.rows, 9000);
    free(text);
    assert_true(t->version >= 2 && t->trader_fills_each);
    rd_fills_init(&loaded);
    rd_fills_init(&each);
    assert_int_equal(t->trader_load(f->s, RD_TRADER_LOAD_FILLS, &loaded, &err), RD_OK);
    assert_int_equal(t->trader_fills_each(f->s, &each, visit_fills, &v, &err), RD_OK);
    assert_int_equal(v.calls, 3);
    assert_int_equal(each.nfills, 9003);
    assert_int_equal(loaded.nfills, 9003);
    assert_memory_equal(each.fills, loaded.fills, loaded.nfills * sizeof *loaded.fills);
    assert_int_equal(each.traders.count, loaded.traders.count);
    assert_int_equal(each.symbols.count, loaded.symbols.count);
    for (uint32_t i = 0; i < loaded.traders.count; i++)
        assert_string_equal(each.traders.name[i], loaded.traders.name[i]);
    for (uint32_t i = 0; i < loaded.symbols.count; i++)
        assert_string_equal(each.symbols.name[i], loaded.symbols.name[i]);
    rd_fills_release(&each);

    /* the visit's error stops the read and is returned */
    rd_fills_init(&each);
    v.calls = 0;
    v.fail_at = 2;
    assert_int_equal(t->trader_fills_each(f->s, &each, visit_fills, &v, &err), RD_EINVAL);
    assert_string_equal(err.msg, "visit 2 refused");
    assert_int_equal(v.calls, 2);
    assert_int_equal(each.nfills, 4096);
    rd_fills_release(&each);
    rd_fills_release(&loaded);
    assert_int_equal(bad.n, 0);
}

static void test_bad_rows_and_strict(void **state)
{
    struct fixture *f = *state;
    struct rd_traders_import_result r;
    struct bad_log bad = {0};
    struct rd_error err = {0};
    struct rd_fills fs;
    const char *path = file(f, "trader_id,date,symbol,side,qty,price\n"
                               "carol,2024-01-02,AAPL,B,100,10\n"
                               "carol,2024-02-30,AAPL,S,100,11\n"
                               "carol,2024-01-02,AAPL,S,100,11\n");
    char keep[128];

    snprintf(keep, sizeof keep, "%s", path);
    /* strict: stops at line 3 and stores nothing */
    assert_int_equal(import(f, RD_FILLS_CSV, keep, 1, &r, &bad, &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, ":3: bad date"));
    rd_fills_init(&fs);
    assert_int_equal(f->s->ops->traders->trader_load(f->s, RD_TRADER_LOAD_FILLS, &fs, &err), RD_OK);
    assert_int_equal(fs.nfills, 0);
    rd_fills_release(&fs);
    /* not strict: the bad row is reported and skipped */
    assert_int_equal(import(f, RD_FILLS_CSV, keep, 0, &r, &bad, &err), RD_OK);
    assert_int_equal(r.rows, 2);
    assert_int_equal(r.bad, 1);
    assert_int_equal(bad.n, 1);
    assert_non_null(strstr(bad.last, "3: bad date"));
    /* a header that is not one: an error, nothing stored */
    assert_int_equal(import(f, RD_FILLS_CSV, file(f, "who,what\nx,y\n"), 0, &r, &bad, &err),
                     RD_EINVAL);
}

static void test_daily_rows_and_limits(void **state)
{
    struct fixture *f = *state;
    struct rd_traders_import_result r;
    struct bad_log bad = {0};
    struct rd_error err = {0};
    struct rd_fills fs;
    struct rd_pnl pnl;
    char days[512];

    assert_int_equal(import(f, RD_FILLS_DAILY_CSV,
                            file(f, "trader_id,date,pnl\ndana,2024-01-02,150\n"
                                    "dana,2024-01-03,-75.25\n"), 0, &r, &bad, &err), RD_OK);
    assert_int_equal(r.rows, 2);
    /* an overlapping file: the same row is a duplicate, another P&L is a bad row */
    assert_int_equal(import(f, RD_FILLS_DAILY_CSV,
                            file(f, "trader_id,date,pnl\ndana,2024-01-03,-75.25\n"
                                    "dana,2024-01-04,10\ndana,2024-01-02,151\n"), 0, &r, &bad,
                            &err), RD_OK);
    assert_int_equal(r.rows, 1);
    assert_int_equal(r.duplicates, 1);
    assert_int_equal(r.bad, 1);
    assert_non_null(strstr(bad.last, "4: dana on 2024-01-02 is already stored with P&L 150.00"));
    days_of(f, "dana", days, sizeof days);
    assert_string_equal(days, "2024-01-02:150.00 2024-01-03:-75.25 2024-01-04:10.00");
    /* strict: the conflict stops it */
    assert_int_equal(import(f, RD_FILLS_DAILY_CSV,
                            file(f, "trader_id,date,pnl\ndana,2024-01-05,1\ndana,2024-01-02,7\n"),
                            1, &r, &bad, &err), RD_EINVAL);
    days_of(f, "dana", days, sizeof days);
    assert_string_equal(days, "2024-01-02:150.00 2024-01-03:-75.25 2024-01-04:10.00");

    /* limits: stored, replaced by a later file */
    assert_int_equal(import(f, RD_FILLS_LIMITS_CSV,
                            file(f, "trader_id,daily_loss_limit\ndana,7777\neve,100\n"), 0, &r,
                            &bad, &err), RD_OK);
    assert_int_equal(import(f, RD_FILLS_LIMITS_CSV,
                            file(f, "trader_id,daily_loss_limit\ndana,8000\n"), 0, &r, &bad,
                            &err), RD_OK);
    rd_fills_init(&fs);
    rd_pnl_init(&pnl);
    assert_int_equal(f->s->ops->traders->trader_days_load(f->s, &fs, &pnl, &err), RD_OK);
    {
        int64_t d = rd_names_find(&fs.traders, "dana", 4), e = rd_names_find(&fs.traders, "eve", 3);

        assert_true(d >= 0 && e >= 0);
        assert_int_equal(fs.limit[d], RD_DOLLARS(8000));
        assert_int_equal(fs.limit[e], RD_DOLLARS(100));
        assert_int_equal(pnl.span[e].count, 0);
        assert_int_equal(pnl.ndays, 3);
    }
    rd_pnl_release(&pnl);
    rd_fills_release(&fs);
}

/* A trader-day with fills and a daily row: the computation refuses it, nothing is stored. */
static void test_fills_and_daily_conflict(void **state)
{
    struct fixture *f = *state;
    struct rd_traders_import_result r;
    struct bad_log bad = {0};
    struct rd_error err = {0};
    char days[512];

    assert_int_equal(import(f, RD_FILLS_CSV, file(f, fills1), 0, &r, &bad, &err), RD_OK);
    assert_int_equal(import(f, RD_FILLS_DAILY_CSV,
                            file(f, "trader_id,date,pnl\nalice,2024-01-02,5\n"), 0, &r, &bad,
                            &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "nothing imported"));
    days_of(f, "alice", days, sizeof days);
    assert_string_equal(days, "2024-01-02:48.50");
}

struct pred_list {
    int n;
    struct rd_trader_prediction_row last;
};

static int visit_pred(void *ctx, const struct rd_trader_prediction_row *p)
{
    struct pred_list *l = ctx;

    l->n++;
    l->last = *p;
    return 0;
}

static void test_reports_and_predictions(void **state)
{
    struct fixture *f = *state;
    struct rd_trader_report_row a = {0}, b = {0}, got;
    struct rd_trader_prediction_row p = {0};
    struct pred_list l = {0};
    struct rd_error err = {0};

    assert_int_equal(f->s->ops->traders->trader_report_last(f->s, 20000, &got, &err), RD_ENOTFOUND);
    a.report_day = 19800;
    a.created_at = 1700000000;
    a.active = 12;
    a.restricted = 3;
    snprintf(a.system, sizeof a.system, "rules");
    snprintf(a.why, sizeof a.why, "rules: too few samples");
    a.test_from = 19790;
    a.test_to = 19800;
    a.model_mse = 0.25;
    assert_int_equal(f->s->ops->traders->trader_report_add(f->s, &a, &err), RD_OK);
    b = a;
    b.report_day = 19801;
    b.active = 11;
    snprintf(b.system, sizeof b.system, "model");
    assert_int_equal(f->s->ops->traders->trader_report_add(f->s, &b, &err), RD_OK);
    assert_true(b.id > a.id);
    assert_int_equal(f->s->ops->traders->trader_report_last(f->s, 19801, &got, &err), RD_OK);
    assert_int_equal(got.id, a.id);
    assert_int_equal(got.active, 12);
    assert_int_equal(got.test_from, 19790);
    assert_int_equal(got.train_from, 0);
    assert_string_equal(got.why, "rules: too few samples");
    assert_true(got.model_mse == 0.25);
    assert_int_equal(f->s->ops->traders->trader_report_last(f->s, 19900, &got, &err), RD_OK);
    assert_int_equal(got.id, b.id);

    p.report_id = b.id;
    snprintf(p.trader, sizeof p.trader, "alice");
    p.day = 19800;
    snprintf(p.features, sizeof p.features, "{\"last_pnl\": -1.5}");
    p.has_output = 1;
    p.output = 0.125;
    p.rules_cut = 300000;
    snprintf(p.system, sizeof p.system, "model");
    p.cut = 150000;
    snprintf(p.level, sizeof p.level, "low");
    p.old_limit = RD_DOLLARS(5000);
    p.new_limit = RD_DOLLARS(4200);
    assert_int_equal(f->s->ops->traders->trader_prediction_add(f->s, &p, &err), RD_OK);
    p.has_output = 0;
    snprintf(p.trader, sizeof p.trader, "bob");
    assert_int_equal(f->s->ops->traders->trader_prediction_add(f->s, &p, &err), RD_OK);
    assert_int_equal(f->s->ops->traders->trader_prediction_list(f->s, b.id, visit_pred, &l, &err), RD_OK);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.last.trader, "bob");
    assert_false(l.last.has_output);
    l.n = 0;
    assert_int_equal(f->s->ops->traders->trader_prediction_list(f->s, a.id, visit_pred, &l, &err), RD_OK);
    assert_int_equal(l.n, 0);
    assert_int_equal(f->s->ops->traders->trader_prediction_list(f->s, 0, visit_pred, &l, &err), RD_OK);
    assert_int_equal(l.n, 2);
    /* a prediction for a report that does not exist */
    p.report_id = 999;
    assert_int_equal(f->s->ops->traders->trader_prediction_add(f->s, &p, &err), RD_ENOTFOUND);
}

/* Out of memory anywhere in an import: an error, nothing half-stored, no leak. */
static void test_import_nomem(void **state)
{
    struct fixture *f = *state;
    struct rd_traders_import_result r;
    struct bad_log bad = {0};
    struct rd_error err = {0};
    char path[128], days[512];
    int ok = 0;

    snprintf(path, sizeof path, "%s", file(f, fills1));
    for (long n = 1; n < 400 && !ok; n++) {
        int rc;

        rd_alloc_fail_after(n);
        rc = import(f, RD_FILLS_CSV, path, 0, &r, &bad, &err);
        rd_alloc_fail_after(0);
        if (rc == RD_OK) {
            ok = 1;
            break;
        }
        days_of(f, "alice", days, sizeof days);
        assert_string_equal(days, "");
    }
    assert_true(ok);
    days_of(f, "alice", days, sizeof days);
    assert_string_equal(days, "2024-01-02:48.50");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_import_and_reimport, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_rows_other_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fills_each, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_rows_and_strict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_daily_rows_and_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fills_and_daily_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reports_and_predictions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_nomem, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
