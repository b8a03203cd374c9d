#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "riskdesk/alloc.h"
#include "riskdesk/broker.h"
#include "riskdesk/calendar.h"
#include "riskdesk/paper_market.h"
#include "riskdesk/store.h"

/* ---- a tiny in-memory broker state with nested transactions and fault injection ---- */

struct kv {
    char *ns, *key, *val;
};

struct mem_store {
    struct rd_broker_state base;
    struct kv *items, *snap;
    size_t n, snap_n;
    int depth;
    int doomed;              /* an inner level rolled back */
    int misuse;              /* commit/rollback without begin */
    long puts, fail_put_at;  /* fail the fail_put_at-th kv_put from now (0 = never) */
    long gets, get_manys;    /* calls of get and of get_many */
    long account_puts;       /* puts of a paper.account document */
    long put_manys;          /* calls of put_many */
    long put_shared_manys;   /* calls of put_shared_many */
    int fail_commit;
    /* another account's transactions on the market: busy, a paper.market key
     * one that is open is writing (a shared write leaves it); landing, the
     * paper.market key and value one commits just before the next shared
     * write (NULL: none) */
    const char *busy;
    const char *landing, *landing_val;
};

static void kv_free_all(struct kv *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(items[i].ns);
        free(items[i].key);
        free(items[i].val);
    }
    free(items);
}

static struct kv *kv_copy(const struct kv *items, size_t n)
{
    struct kv *c = calloc(n + 1, sizeof *c);

    assert_non_null(c);
    for (size_t i = 0; i < n; i++) {
        c[i].ns = strdup(items[i].ns);
        c[i].key = strdup(items[i].key);
        c[i].val = strdup(items[i].val);
        assert_true(c[i].ns && c[i].key && c[i].val);
    }
    return c;
}

static struct kv *kv_find(struct mem_store *m, const char *ns, const char *key)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->items[i].ns, ns) == 0 && strcmp(m->items[i].key, key) == 0)
            return &m->items[i];
    return NULL;
}

static int mem_begin(void *s, struct rd_error *err)
{
    struct mem_store *m = (struct mem_store *)s;

    (void)err;
    if (m->depth++ == 0) {
        m->snap = kv_copy(m->items, m->n);
        m->snap_n = m->n;
        m->doomed = 0;
    }
    return RD_OK;
}

static void restore(struct mem_store *m)
{
    kv_free_all(m->items, m->n);
    m->items = m->snap;
    m->n = m->snap_n;
    m->snap = NULL;
}

static int mem_commit(void *s, struct rd_error *err)
{
    struct mem_store *m = (struct mem_store *)s;

    if (m->depth <= 0) {
        m->misuse++;
        return rd_error_set(err, RD_ESTORE, "commit without begin");
    }
    if (--m->depth > 0)
        return RD_OK;
    /* as the sqlite backend: a failed commit rolls back and closes the transaction */
    if (m->fail_commit || m->doomed) {
        restore(m);
        return rd_error_set(err, RD_ESTORE, "mem store: commit failed; nothing was written");
    }
    kv_free_all(m->snap, m->snap_n);
    m->snap = NULL;
    return RD_OK;
}

static void mem_rollback(void *s)
{
    struct mem_store *m = (struct mem_store *)s;

    if (m->depth <= 0) {
        m->misuse++;
        return;
    }
    if (--m->depth > 0) {
        m->doomed = 1;
        return;
    }
    restore(m);
}

static int mem_kv_get(void *s, const char *ns, const char *key, char **val,
                      struct rd_error *err)
{
    struct kv *e = kv_find((struct mem_store *)s, ns, key);

    ((struct mem_store *)s)->gets++;
    *val = NULL;
    if (!e)
        return rd_error_set(err, RD_ENOTFOUND, "%s/%s not found", ns, key);
    *val = rd_strdup(e->val);
    if (!*val)
        return rd_error_set(err, RD_ENOMEM, "mem store: out of memory");
    return RD_OK;
}

static int mem_kv_get_many(void *s, const char *ns, const char *const *keys, size_t n,
                           char **vals, struct rd_error *err)
{
    struct mem_store *m = s;

    m->get_manys++;
    for (size_t i = 0; i < n; i++) {
        struct kv *e = kv_find(m, ns, keys[i]);

        vals[i] = e ? rd_strdup(e->val) : NULL;
        if (e && !vals[i]) {
            while (i-- > 0) {
                rd_free(vals[i]);
                vals[i] = NULL;
            }
            return rd_error_set(err, RD_ENOMEM, "mem store: out of memory");
        }
    }
    return RD_OK;
}

static void kv_set(struct mem_store *m, const char *ns, const char *key, const char *val)
{
    struct kv *e = kv_find(m, ns, key);

    if (e) {
        free(e->val);
        e->val = strdup(val);
        assert_non_null(e->val);
        return;
    }
    m->items = realloc(m->items, (m->n + 1) * sizeof *m->items);
    assert_non_null(m->items);
    e = &m->items[m->n++];
    e->ns = strdup(ns);
    e->key = strdup(key);
    e->val = strdup(val);
    assert_true(e->ns && e->key && e->val);
}

/* kv_put; *wrote 1 when it wrote */
static int mem_put(struct mem_store *m, const char *ns, const char *key, const char *val,
                   int only_new, int *wrote, struct rd_error *err)
{
    *wrote = 0;
    if (m->depth <= 0)
        m->misuse++;                /* the paper broker always writes inside a transaction */
    m->puts++;
    m->account_puts += strcmp(ns, "paper.account") == 0;
    if (m->fail_put_at > 0 && m->puts >= m->fail_put_at)
        return rd_error_set(err, RD_ESTORE, "mem store: injected write failure");
    if (only_new & RD_KV_SHARED) {
        if (m->landing) {
            kv_set(m, "paper.market", m->landing, m->landing_val);
            m->landing = NULL;
        }
        if (m->busy && !strcmp(ns, "paper.market") && !strcmp(key, m->busy))
            return only_new & RD_KV_NEW ? rd_error_set(err, RD_EEXIST, "%s/%s is being written",
                                                       ns, key)
                                        : RD_OK;
    }
    if (kv_find(m, ns, key) && (only_new & RD_KV_NEW))
        return rd_error_set(err, RD_EEXIST, "%s/%s exists", ns, key);
    kv_set(m, ns, key, val);
    *wrote = 1;
    return RD_OK;
}

static int mem_kv_put(void *s, const char *ns, const char *key, const char *val,
                      int only_new, struct rd_error *err)
{
    int wrote;

    return mem_put(s, ns, key, val, only_new, &wrote, err);
}

static int mem_kv_put_many(void *s, const char *ns, const char *const *keys,
                           const char *const *vals, size_t n, int only_new,
                           struct rd_error *err)
{
    int rc = RD_OK;

    ((struct mem_store *)s)->put_manys++;
    for (size_t i = 0; i < n && rc == RD_OK; i++)
        rc = mem_kv_put(s, ns, keys[i], vals[i], only_new, err);
    return rc;
}

static int mem_kv_put_shared_many(void *s, const char *ns, const char *const *keys,
                                  const char *const *vals, size_t n, int mode, int *written,
                                  struct rd_error *err)
{
    int rc = RD_OK;

    assert_true(mode == RD_KV_SHARED || mode == RD_KV_SHARED_NEW);
    ((struct mem_store *)s)->put_shared_manys++;
    for (size_t i = 0; i < n && rc == RD_OK; i++) {
        rc = mem_put(s, ns, keys[i], vals[i], mode, &written[i], err);
        if (rc == RD_EEXIST) {
            rd_error_clear(err);
            rc = RD_OK;
        }
    }
    return rc;
}

static struct mem_store *mem_new(void)
{
    struct mem_store *m = calloc(1, sizeof *m);

    assert_non_null(m);
    m->base.ctx = m;
    m->base.begin = mem_begin;
    m->base.commit = mem_commit;
    m->base.rollback = mem_rollback;
    m->base.get = mem_kv_get;
    m->base.get_many = mem_kv_get_many;
    m->base.put = mem_kv_put;
    m->base.put_many = mem_kv_put_many;
    m->base.put_shared_many = mem_kv_put_shared_many;
    return m;
}

static void mem_free(struct mem_store *m)
{
    assert_int_equal(m->depth, 0);
    assert_int_equal(m->misuse, 0);
    kv_free_all(m->items, m->n);
    free(m);
}

static const char *mem_value(struct mem_store *m, const char *ns, const char *key)
{
    struct kv *e = kv_find(m, ns, key);

    return e ? e->val : NULL;
}

/* ---- helpers ---- */

#define SEED 20251112ULL
#define OPT "AAPL251219C00200000"

static int64_t et(int y, int mo, int d, int hh, int mm)
{
    return rd_et_to_utc(rd_date_from_ymd(y, mo, d), hh * 60 + mm);
}

static struct rd_broker *open_paper(const struct rd_broker_state *s, const char *account, rd_money cash,
                                    int64_t now)
{
    struct rd_broker_params p = {.account = account, .state = s, .starting_cash = cash,
                                 .seed = SEED};
    struct rd_error err = {0};
    struct rd_broker *b = NULL;

    assert_int_equal(rd_broker_open("paper", &p, &b, &err), RD_OK);
    assert_non_null(b);
    b->now = now;
    return b;
}

static int order(struct rd_broker *b, const char *cid, const char *sym, enum rd_order_side side,
                 int64_t qty, int64_t mult, rd_money ref, struct rd_order_result *res)
{
    struct rd_order_request req = {.side = side, .qty = qty, .multiplier = mult,
                                   .ref_price = ref};
    struct rd_error err = {0};

    snprintf(req.client_order_id, sizeof req.client_order_id, "%s", cid);
    snprintf(req.symbol, sizeof req.symbol, "%s", sym);
    memset(res, 0xA5, sizeof *res);
    return b->ops->submit_order(b, &req, res, &err);
}

static void filled(struct rd_broker *b, const char *cid, const char *sym, enum rd_order_side side,
                   int64_t qty, int64_t mult, rd_money ref, rd_money expect_price)
{
    struct rd_order_result r;

    assert_int_equal(order(b, cid, sym, side, qty, mult, ref, &r), RD_OK);
    assert_int_equal(r.status, RD_ORDER_FILLED);
    assert_string_equal(r.reason, "");
    assert_int_equal(r.filled_qty, qty);
    if (expect_price)
        assert_int_equal(r.fill_price, expect_price);
}

static void rejected(struct rd_broker *b, const char *cid, const char *sym, enum rd_order_side side,
                     int64_t qty, int64_t mult, rd_money ref, const char *reason)
{
    struct rd_order_result r;

    assert_int_equal(order(b, cid, sym, side, qty, mult, ref, &r), RD_OK);
    assert_int_equal(r.status, RD_ORDER_REJECTED);
    assert_int_equal(r.filled_qty, 0);
    assert_string_equal(r.reason, reason);
}

static struct rd_broker_account account(struct rd_broker *b)
{
    struct rd_broker_account a;
    struct rd_error err = {0};

    memset(&a, 0xA5, sizeof a);
    assert_int_equal(b->ops->get_account(b, &a, &err), RD_OK);
    return a;
}

static rd_money quote(struct rd_broker *b, const char *sym)
{
    struct rd_error err = {0};
    rd_money q = 0;

    assert_int_equal(b->ops->quote(b, sym, &q, &err), RD_OK);
    return q;
}

/* What the market must quote: the pure walk from (p0 at t0) to t. */
static rd_money expect_quote(const char *sym, int64_t mult, rd_money p0, int64_t t0, int64_t t)
{
    struct rd_paper_walk w;

    rd_paper_walk_init(&w, SEED, sym, rd_paper_sigma_for(mult));
    return rd_paper_quote(rd_paper_price_at(&w, p0, rd_paper_minute(t0), rd_paper_minute(t)));
}

/* ---- tests ---- */

static void test_registry(void **state)
{
    struct mem_store *m = mem_new();
    struct rd_broker_params p = {.account = "a", .state = &m->base, .starting_cash = RD_DOLLARS(1)};
    struct rd_error err = {0};
    struct rd_broker *b = (struct rd_broker *)&err;

    (void)state;
    assert_int_equal(rd_broker_open("ibkr", &p, &b, &err), RD_EUNSUPPORTED);
    assert_null(b);
    assert_non_null(strstr(err.msg, "\"ibkr\""));
    assert_non_null(strstr(err.msg, "\"paper\""));
    assert_non_null(strstr(err.msg, "\"alpaca\""));
    assert_int_equal(rd_broker_open("", &p, &b, &err), RD_EINVAL);
    assert_int_equal(rd_broker_open(NULL, &p, &b, &err), RD_EINVAL);
    assert_int_equal(rd_broker_open("paper", NULL, &b, &err), RD_EINVAL);
    assert_int_equal(rd_broker_open("paper:x", &p, &b, &err), RD_EINVAL);

    p.starting_cash = 0;
    assert_int_equal(rd_broker_open("paper", &p, &b, &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "starting cash"));
    p.starting_cash = RD_DOLLARS(1);
    p.account = "";
    assert_int_equal(rd_broker_open("paper", &p, &b, &err), RD_EINVAL);
    p.account = "a";
    p.state = NULL;
    assert_int_equal(rd_broker_open("paper", &p, &b, &err), RD_EINVAL);
    p.state = &m->base;

    assert_int_equal(rd_broker_open("paper:", &p, &b, &err), RD_OK);
    assert_ptr_equal(b->ops, &rd_broker_paper_ops);
    assert_string_equal(b->account, "a");
    assert_true(b->now > 1700000000);   /* defaults to the wall clock */
    rd_broker_close(b);
    rd_broker_close(NULL);
    mem_free(m);
}

static void test_new_account(void **state)
{
    struct mem_store *m = mem_new();
    struct rd_broker *b = open_paper(&m->base, "acct-1", RD_DOLLARS(10000), et(2025, 11, 12, 10, 0));
    struct rd_broker_account a = account(b);
    struct rd_broker_position *pos = (struct rd_broker_position *)&a;
    struct rd_error err = {0};
    size_t n = 99;
    rd_money q;

    (void)state;
    assert_string_equal(a.account_number, "PAPER-acct-1");
    assert_string_equal(a.status, "ACTIVE");
    assert_int_equal(a.cash, RD_DOLLARS(10000));
    assert_int_equal(a.buying_power, RD_DOLLARS(10000));
    assert_int_equal(a.equity, RD_DOLLARS(10000));
    assert_int_equal(a.last_equity, RD_DOLLARS(10000));
    assert_int_equal(a.trading_blocked, 0);
    assert_int_equal(a.daytrade_count, 0);
    assert_int_equal(b->ops->list_positions(b, &pos, &n, &err), RD_OK);
    assert_int_equal(n, 0);
    assert_null(pos);
    assert_int_equal(b->ops->quote(b, "AAPL", &q, &err), RD_ENOTFOUND);
    assert_non_null(strstr(err.msg, "AAPL"));
    {
        struct rd_order_result r;

        assert_int_equal(b->ops->get_order(b, "nope", &r, &err), RD_ENOTFOUND);
    }
    rd_broker_close(b);
    mem_free(m);
}

static void test_fills_and_cash_exact(void **state)
{
    int64_t t0 = et(2025, 11, 12, 10, 0), t1 = t0 + 3600, t2 = t1 + 1800;
    struct mem_store *m = mem_new();
    struct rd_broker *b = open_paper(&m->base, "acct", RD_DOLLARS(10000), t0);
    struct rd_broker_position *pos = NULL;
    struct rd_broker_account a;
    struct rd_error err = {0};
    rd_money qa, qo, qa2;
    size_t n = 0;

    (void)state;
    /* a new symbol starts at the recommendation's price (rounded to cents) */
    filled(b, "o1", "AAPL", RD_SIDE_BUY, 10, 1, RD_DOLLARS(180), RD_DOLLARS(180));
    filled(b, "o2", OPT, RD_SIDE_BUY, 2, 100, 23500 /* 2.35 */, 23500);
    a = account(b);
    /* 10000 - 10 x 180 - 2 x 2.35 x 100 */
    assert_int_equal(a.cash, RD_DOLLARS(10000) - RD_DOLLARS(1800) - RD_DOLLARS(470));
    assert_int_equal(a.cash, RD_DOLLARS(7730));
    assert_int_equal(a.buying_power, a.cash);
    assert_int_equal(a.equity, RD_DOLLARS(10000));

    /* an hour later the market has moved along the pure walk */
    b->now = t1;
    qa = quote(b, "AAPL");
    qo = quote(b, OPT);
    assert_int_equal(qa, expect_quote("AAPL", 1, RD_DOLLARS(180), t0, t1));
    assert_int_equal(qo, expect_quote(OPT, 100, 23500, t0, t1));
    assert_int_not_equal(qa, RD_DOLLARS(180));
    assert_int_equal(qa % 100, 0);
    a = account(b);
    assert_int_equal(a.cash, RD_DOLLARS(7730));
    assert_int_equal(a.equity, RD_DOLLARS(7730) + 10 * qa + 2 * qo * 100);

    assert_int_equal(b->ops->list_positions(b, &pos, &n, &err), RD_OK);
    assert_int_equal(n, 2);
    assert_string_equal(pos[0].symbol, "AAPL");
    assert_int_equal(pos[0].qty, 10);
    assert_int_equal(pos[0].multiplier, 1);
    assert_int_equal(pos[0].avg_entry_price, RD_DOLLARS(180));
    assert_int_equal(pos[0].current_price, qa);
    assert_int_equal(pos[0].market_value, 10 * qa);
    assert_string_equal(pos[1].symbol, OPT);
    assert_int_equal(pos[1].qty, 2);
    assert_int_equal(pos[1].multiplier, 100);
    assert_int_equal(pos[1].avg_entry_price, 23500);
    assert_int_equal(pos[1].current_price, qo);
    assert_int_equal(pos[1].market_value, 2 * 100 * qo);
    rd_free(pos);

    /* buy more at the new price: the average is (10 x 180 + 10 x qa) / 20 */
    filled(b, "o3", "AAPL", RD_SIDE_BUY, 10, 1, RD_DOLLARS(1) /* ignored: symbol known */, qa);
    a = account(b);
    assert_int_equal(a.cash, RD_DOLLARS(7730) - 10 * qa);

    /* sell part, then all of it: cash comes back at the market price */
    b->now = t2;
    qa2 = expect_quote("AAPL", 1, RD_DOLLARS(180), t0, t2);
    filled(b, "o4", "AAPL", RD_SIDE_SELL, 15, 1, 0, qa2);
    assert_int_equal(b->ops->list_positions(b, &pos, &n, &err), RD_OK);
    assert_int_equal(n, 2);
    assert_int_equal(pos[0].qty, 5);
    assert_int_equal(pos[0].avg_entry_price, (RD_DOLLARS(1800) + 10 * qa + 10) / 20);
    rd_free(pos);
    filled(b, "o5", "AAPL", RD_SIDE_SELL, 5, 1, 0, qa2);
    filled(b, "o6", OPT, RD_SIDE_SELL, 2, 100, 0, 0);
    assert_int_equal(b->ops->list_positions(b, &pos, &n, &err), RD_OK);
    assert_int_equal(n, 0);
    rd_free(pos);
    a = account(b);
    qo = expect_quote(OPT, 100, 23500, t0, t2);
    assert_int_equal(a.cash, RD_DOLLARS(7730) - 10 * qa + 20 * qa2 + 2 * 100 * qo);
    assert_int_equal(a.equity, a.cash);
    rd_broker_close(b);
    mem_free(m);
}

static void test_rejections_carry_the_reason(void **state)
{
    int64_t t0 = et(2025, 11, 12, 10, 0);
    struct mem_store *m = mem_new();
    struct rd_broker *b = open_paper(&m->base, "small", RD_DOLLARS(1000), t0);
    struct rd_order_request req = {.client_order_id = "lim", .symbol = "AAPL", .side = RD_SIDE_BUY,
                                   .qty = 1, .multiplier = 1, .ref_price = RD_DOLLARS(10),
                                   .limit_price = RD_DOLLARS(9)};
    struct rd_order_result r;
    struct rd_error err = {0};

    (void)state;
    rejected(b, "big", "AAPL", RD_SIDE_BUY, 10, 1, RD_DOLLARS(180),
             "insufficient buying power: cost 1800.00 > buying power 1000.00");
    rejected(b, "opt", OPT, RD_SIDE_BUY, 5, 100, 23500,
             "insufficient buying power: cost 1175.00 > buying power 1000.00");
    rejected(b, "s1", "MSFT", RD_SIDE_SELL, 5, 1, RD_DOLLARS(400), "insufficient qty: have 0, sell 5");
    filled(b, "ok", "AAPL", RD_SIDE_BUY, 5, 1, RD_DOLLARS(180), RD_DOLLARS(180));
    rejected(b, "s2", "AAPL", RD_SIDE_SELL, 6, 1, 0, "insufficient qty: have 5, sell 6");
    rejected(b, "q0", "AAPL", RD_SIDE_BUY, 0, 1, RD_DOLLARS(180), "qty must be positive, got 0");
    rejected(b, "qn", "AAPL", RD_SIDE_SELL, -3, 1, 0, "qty must be positive, got -3");
    rejected(b, "p0", "TSLA", RD_SIDE_BUY, 1, 1, 0,
             "price must be positive: no market yet for TSLA and ref_price is 0.00");
    rejected(b, "mm", "AAPL", RD_SIDE_BUY, 1, 100, RD_DOLLARS(180),
             "multiplier 100 does not match the position in AAPL (multiplier 1)");
    assert_int_equal(b->ops->submit_order(b, &req, &r, &err), RD_OK);
    assert_int_equal(r.status, RD_ORDER_REJECTED);
    assert_string_equal(r.reason, "paper broker takes market orders only (limit price 9.00 given)");

    /* the rejection is the broker's answer: get_order returns it, nothing filled */
    assert_int_equal(b->ops->get_order(b, "big", &r, &err), RD_OK);
    assert_int_equal(r.status, RD_ORDER_REJECTED);
    assert_string_equal(r.reason, "insufficient buying power: cost 1800.00 > buying power 1000.00");
    assert_int_equal(account(b).cash, RD_DOLLARS(100));
    /* resending a rejected order's id returns the rejection, never a fill */
    assert_int_equal(order(b, "big", "AAPL", RD_SIDE_BUY, 1, 1, RD_DOLLARS(180), &r), RD_EEXIST);
    assert_int_equal(r.status, RD_ORDER_REJECTED);
    assert_int_equal(account(b).cash, RD_DOLLARS(100));

    /* a missing client order id is a caller error, not a broker answer */
    req.client_order_id[0] = '\0';
    assert_int_equal(b->ops->submit_order(b, &req, &r, &err), RD_EINVAL);
    assert_int_equal(b->ops->submit_order(b, NULL, &r, &err), RD_EINVAL);
    rd_broker_close(b);
    mem_free(m);
}

static void test_duplicate_client_order_id(void **state)
{
    int64_t t0 = et(2025, 11, 12, 10, 0);
    struct mem_store *m = mem_new();
    struct rd_broker *b = open_paper(&m->base, "acct", RD_DOLLARS(5000), t0);
    struct rd_broker_position *pos = NULL;
    struct rd_order_result first, again, got;
    struct rd_error err = {0};
    size_t n = 0;

    (void)state;
    assert_int_equal(order(b, "acct:rec-1", "AAPL", RD_SIDE_BUY, 10, 1, RD_DOLLARS(180), &first),
                     RD_OK);
    assert_int_equal(first.status, RD_ORDER_FILLED);
    assert_string_equal(first.broker_order_id, "paper-1");
    /* a retry, later and with other numbers: the first result, no second fill */
    b->now = t0 + 600;
    assert_int_equal(order(b, "acct:rec-1", "AAPL", RD_SIDE_BUY, 20, 1, RD_DOLLARS(1), &again),
                     RD_EEXIST);
    assert_memory_equal(&again, &first, sizeof first);
    assert_int_equal(b->ops->get_order(b, "acct:rec-1", &got, &err), RD_OK);
    assert_memory_equal(&got, &first, sizeof first);
    assert_int_equal(account(b).cash, RD_DOLLARS(3200));
    assert_int_equal(b->ops->list_positions(b, &pos, &n, &err), RD_OK);
    assert_int_equal(n, 1);
    assert_int_equal(pos[0].qty, 10);
    rd_free(pos);
    rd_broker_close(b);
    mem_free(m);
}

static void test_persists_across_close_and_open(void **state)
{
    int64_t t0 = et(2025, 11, 12, 10, 0);
    struct mem_store *m = mem_new();
    struct rd_broker *b = open_paper(&m->base, "acct", RD_DOLLARS(5000), t0);
    struct rd_broker_account before, after;
    struct rd_order_result r;
    struct rd_error err = {0};
    rd_money q;

    (void)state;
    filled(b, "c1", "AAPL", RD_SIDE_BUY, 10, 1, RD_DOLLARS(180), RD_DOLLARS(180));
    b->now = t0 + 120;
    q = quote(b, "AAPL");
    before = account(b);
    rd_broker_close(b);

    /* another run: a different starting cash and seed do not reset the account or the walk */
    {
        struct rd_broker_params p = {.account = "acct", .state = &m->base,
                                     .starting_cash = RD_DOLLARS(99), .seed = 7};

        assert_int_equal(rd_broker_open("paper", &p, &b, &err), RD_OK);
    }
    b->now = t0 + 120;
    after = account(b);
    assert_memory_equal(&after, &before, sizeof before);
    assert_int_equal(quote(b, "AAPL"), q);
    assert_int_equal(b->ops->get_order(b, "c1", &r, &err), RD_OK);
    assert_int_equal(r.status, RD_ORDER_FILLED);
    assert_int_equal(order(b, "c1", "AAPL", RD_SIDE_BUY, 10, 1, RD_DOLLARS(180), &r), RD_EEXIST);
    /* and the walk goes on from the stored state exactly as from scratch */
    b->now = t0 + 7200;
    assert_int_equal(quote(b, "AAPL"), expect_quote("AAPL", 1, RD_DOLLARS(180), t0, t0 + 7200));
    filled(b, "c2", "AAPL", RD_SIDE_SELL, 10, 1, 0, 0);
    assert_string_equal(r.broker_order_id, "paper-1");
    assert_int_equal(b->ops->get_order(b, "c2", &r, &err), RD_OK);
    assert_string_equal(r.broker_order_id, "paper-2");
    rd_broker_close(b);
    mem_free(m);
}

static void test_accounts_are_isolated(void **state)
{
    int64_t t0 = et(2025, 11, 12, 10, 0);
    struct mem_store *m = mem_new();
    struct rd_broker *a = open_paper(&m->base, "alice", RD_DOLLARS(5000), t0);
    struct rd_broker *b = open_paper(&m->base, "bob", RD_DOLLARS(2000), t0);
    struct rd_broker_position *pos = NULL;
    struct rd_broker_account acc;
    struct rd_order_result r;
    struct rd_error err = {0};
    size_t n = 9;

    (void)state;
    filled(a, "same-id", "AAPL", RD_SIDE_BUY, 10, 1, RD_DOLLARS(180), RD_DOLLARS(180));
    acc = account(b);
    assert_int_equal(acc.cash, RD_DOLLARS(2000));
    assert_int_equal(acc.equity, RD_DOLLARS(2000));
    assert_string_equal(acc.account_number, "PAPER-bob");
    assert_int_equal(b->ops->list_positions(b, &pos, &n, &err), RD_OK);
    assert_int_equal(n, 0);
    assert_int_equal(b->ops->get_order(b, "same-id", &r, &err), RD_ENOTFOUND);
    /* bob cannot sell alice's shares */
    rejected(b, "sell", "AAPL", RD_SIDE_SELL, 1, 1, 0, "insufficient qty: have 0, sell 1");
    /* the same client order id is bob's own order; both see one market */
    a->now = b->now = t0 + 300;
    filled(b, "same-id", "AAPL", RD_SIDE_BUY, 1, 1, RD_DOLLARS(1), quote(a, "AAPL"));
    assert_int_equal(account(a).cash, RD_DOLLARS(3200));
    assert_int_equal(account(b).cash, RD_DOLLARS(2000) - quote(a, "AAPL"));
    assert_int_equal(a->ops->list_positions(a, &pos, &n, &err), RD_OK);
    assert_int_equal(n, 1);
    assert_int_equal(pos[0].qty, 10);
    rd_free(pos);
    /* alice's state is stored under her name only */
    assert_non_null(mem_value(m, "paper.account", "alice"));
    assert_non_null(mem_value(m, "paper.order.alice", "same-id"));
    assert_non_null(mem_value(m, "paper.order.bob", "same-id"));
    assert_null(strstr(mem_value(m, "paper.account", "bob"), "\"qty\":10"));
    rd_broker_close(a);
    rd_broker_close(b);
    mem_free(m);
}

/* Valuing an account reads the market's walks of all its positions in one
 * get_many, not one get a position, and values each at its own walk. */
static void test_positions_valued_in_one_read(void **state)
{
    int64_t t0 = et(2025, 11, 12, 10, 0);
    struct mem_store *m = mem_new();
    struct rd_broker *b = open_paper(&m->base, "many", RD_DOLLARS(10000), t0);
    struct rd_broker_position *pos = NULL;
    struct rd_broker_account acc;
    struct rd_error err = {0};
    rd_money q[3];
    size_t n = 0;

    (void)state;
    filled(b, "o1", "AAPL", RD_SIDE_BUY, 10, 1, RD_DOLLARS(180), RD_DOLLARS(180));
    filled(b, "o2", "MSFT", RD_SIDE_BUY, 5, 1, RD_DOLLARS(400), RD_DOLLARS(400));
    filled(b, "o3", OPT, RD_SIDE_BUY, 2, 100, RD_DOLLARS(3), RD_DOLLARS(3));
    b->now = t0 + 3600;
    m->gets = m->get_manys = 0;
    acc = account(b);
    assert_int_equal(m->get_manys, 1);
    assert_int_equal(m->gets, 1);                  /* the account document only */
    q[0] = expect_quote("AAPL", 1, RD_DOLLARS(180), t0, b->now);
    q[1] = expect_quote("MSFT", 1, RD_DOLLARS(400), t0, b->now);
    q[2] = expect_quote(OPT, 100, RD_DOLLARS(3), t0, b->now);
    assert_int_equal(acc.equity, acc.cash + 10 * q[0] + 5 * q[1] + 200 * q[2]);
    m->gets = m->get_manys = 0;
    assert_int_equal(b->ops->list_positions(b, &pos, &n, &err), RD_OK);
    assert_int_equal(m->get_manys, 1);
    assert_int_equal(m->gets, 1);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(pos[i].current_price, q[i]);
    rd_free(pos);
    rd_broker_close(b);
    mem_free(m);
}

static void test_day_trades(void **state)
{
    struct mem_store *m = mem_new();
    /* Wed 2025-11-12; Thanksgiving is Thu 2025-11-27 */
    struct rd_broker *b = open_paper(&m->base, "pdt", RD_DOLLARS(100000), et(2025, 11, 12, 10, 0));

    (void)state;
    filled(b, "b1", "AAPL", RD_SIDE_BUY, 10, 1, RD_DOLLARS(180), 0);
    b->now = et(2025, 11, 12, 11, 0);
    filled(b, "s1", "AAPL", RD_SIDE_SELL, 4, 1, 0, 0);    /* same day: one */
    filled(b, "s2", "AAPL", RD_SIDE_SELL, 6, 1, 0, 0);    /* closes it, same day: two */
    assert_int_equal(account(b).daytrade_count, 2);
    filled(b, "b2", "MSFT", RD_SIDE_BUY, 1, 1, RD_DOLLARS(400), 0);
    b->now = et(2025, 11, 13, 9, 45);                     /* next ET day: not a day trade */
    filled(b, "s3", "MSFT", RD_SIDE_SELL, 1, 1, 0, 0);
    assert_int_equal(account(b).daytrade_count, 2);
    /* 23:30 ET on the 13th is 04:30 UTC on the 14th: still the 13th in New York */
    b->now = et(2025, 11, 13, 23, 0);
    filled(b, "b3", "QQQ", RD_SIDE_BUY, 1, 1, RD_DOLLARS(500), 0);
    b->now = et(2025, 11, 13, 23, 30);
    filled(b, "s4", "QQQ", RD_SIDE_SELL, 1, 1, 0, 0);
    assert_int_equal(account(b).daytrade_count, 3);
    /* the window is five trading days, today included: Wed 12 .. Tue 18 */
    b->now = et(2025, 11, 18, 12, 0);
    assert_int_equal(account(b).daytrade_count, 3);
    b->now = et(2025, 11, 19, 12, 0);
    assert_int_equal(account(b).daytrade_count, 1);
    b->now = et(2025, 11, 20, 12, 0);
    assert_int_equal(account(b).daytrade_count, 0);
    rd_broker_close(b);
    mem_free(m);
}

static void test_last_equity_rolls_over_each_et_day(void **state)
{
    int64_t d1 = et(2025, 11, 12, 10, 0), d2_open = et(2025, 11, 13, 10, 0);
    int64_t d2_late = et(2025, 11, 13, 15, 0);
    struct mem_store *m = mem_new();
    struct rd_broker *b = open_paper(&m->base, "eq", RD_DOLLARS(10000), d1);
    struct rd_broker *c = open_paper(&m->base, "eq2", RD_DOLLARS(10000), d1);
    struct rd_broker_account a;
    rd_money q;

    (void)state;
    filled(b, "b1", "SPY", RD_SIDE_BUY, 10, 1, RD_DOLLARS(600), 0);
    filled(c, "c1", "SPY", RD_SIDE_BUY, 10, 1, RD_DOLLARS(600), 0);
    b->now = d1 + 5 * 3600;
    a = account(b);
    assert_int_equal(a.last_equity, RD_DOLLARS(10000));     /* the first day's start */
    assert_int_not_equal(a.equity, RD_DOLLARS(10000));

    /* b: the first look on day 2 fixes last_equity; later moves do not change it */
    b->now = d2_open;
    q = expect_quote("SPY", 1, RD_DOLLARS(600), d1, d2_open);
    a = account(b);
    assert_int_equal(a.last_equity, RD_DOLLARS(4000) + 10 * q);
    assert_int_equal(a.equity, a.last_equity);
    /* c: the first thing on day 2 is a trade; last_equity is the equity before it */
    c->now = d2_open;
    filled(c, "c2", "SPY", RD_SIDE_SELL, 4, 1, 0, q);

    b->now = d2_late;
    filled(b, "b2", "SPY", RD_SIDE_BUY, 1, 1, 0, 0);
    a = account(b);
    assert_int_equal(a.last_equity, RD_DOLLARS(4000) + 10 * q);
    assert_int_not_equal(a.equity, a.last_equity);

    c->now = d2_late;
    a = account(c);
    assert_int_equal(a.last_equity, RD_DOLLARS(4000) + 10 * q);
    assert_int_equal(a.cash, RD_DOLLARS(4000) + 4 * q);
    assert_int_not_equal(a.equity, a.last_equity);

    /* a clock moved back a day changes nothing */
    c->now = d1;
    assert_int_equal(account(c).last_equity, RD_DOLLARS(4000) + 10 * q);
    rd_broker_close(b);
    rd_broker_close(c);
    mem_free(m);
}

static void test_market_clock(void **state)
{
    int64_t t0 = et(2025, 11, 12, 10, 0);
    struct mem_store *m = mem_new();
    struct rd_broker *b = open_paper(&m->base, "clk", RD_DOLLARS(10000), t0);
    rd_money late;

    (void)state;
    filled(b, "b1", OPT, RD_SIDE_BUY, 1, 100, 41000, 41000);
    /* quoted at irregular times, the walk matches the walk from scratch */
    for (int64_t dt = 0; dt < 3 * 86400; dt += 59 * 60 + 17) {
        b->now = t0 + dt;
        assert_int_equal(quote(b, OPT), expect_quote(OPT, 100, 41000, t0, t0 + dt));
    }
    late = quote(b, OPT);
    /* time running backwards: the last price stands */
    b->now = t0 + 60;
    assert_int_equal(quote(b, OPT), late);
    /* within a minute the price does not move */
    b->now = t0 + 3 * 86400 + 1;
    late = quote(b, OPT);
    b->now += 58;
    assert_int_equal(quote(b, OPT), late);
    rd_broker_close(b);
    mem_free(m);
}

static void test_store_failures_roll_back(void **state)
{
    int64_t t0 = et(2025, 11, 12, 10, 0);
    struct mem_store *m = mem_new();
    struct rd_broker *b = open_paper(&m->base, "f", RD_DOLLARS(10000), t0);
    struct rd_order_result r;
    struct rd_error err = {0};

    (void)state;
    /* the first order writes the market, the account and the order: fail each */
    for (long at = 1; at <= 3; at++) {
        rd_money q;

        m->puts = 0;
        m->fail_put_at = at;
        assert_int_equal(order(b, "b1", "AAPL", RD_SIDE_BUY, 5, 1, RD_DOLLARS(100), &r), RD_ESTORE);
        m->fail_put_at = 0;
        assert_int_equal(m->depth, 0);
        assert_int_equal(b->ops->get_order(b, "b1", &r, &err), RD_ENOTFOUND);
        assert_int_equal(b->ops->quote(b, "AAPL", &q, &err), RD_ENOTFOUND);
        assert_int_equal(account(b).cash, RD_DOLLARS(10000));
    }
    m->fail_commit = 1;
    assert_int_equal(order(b, "b1", "AAPL", RD_SIDE_BUY, 5, 1, RD_DOLLARS(100), &r), RD_ESTORE);
    assert_int_equal(b->ops->get_account(b, &(struct rd_broker_account){0}, &err), RD_ESTORE);
    m->fail_commit = 0;
    assert_int_equal(m->depth, 0);
    assert_int_equal(account(b).cash, RD_DOLLARS(10000));
    /* the retry fills once */
    filled(b, "b1", "AAPL", RD_SIDE_BUY, 5, 1, RD_DOLLARS(100), RD_DOLLARS(100));
    assert_int_equal(account(b).cash, RD_DOLLARS(9500));

    /* corrupt state is reported, naming where */
    mem_kv_put(m, "paper.account", "f", "{\"cash\":12}", 0, &err);
    m->misuse = 0;
    assert_int_equal(b->ops->get_account(b, &(struct rd_broker_account){0}, &err), RD_ESTORE);
    assert_non_null(strstr(err.msg, "paper.account/f"));
    mem_kv_put(m, "paper.account", "f", "not json", 0, &err);
    m->misuse = 0;
    assert_int_equal(order(b, "b2", "AAPL", RD_SIDE_BUY, 1, 1, 0, &r), RD_ESTORE);
    assert_int_equal(m->depth, 0);
    rd_broker_close(b);
    mem_free(m);
}

/* The orders of test_submit_orders_as_one_by_one: new and known symbols, a
 * walk stepped by an earlier order of the batch, a day trade that closes a
 * position, a rejection, an id used before the batch and one used twice in it. */
static const struct {
    const char *cid, *sym;
    enum rd_order_side side;
    int64_t qty, mult;
    rd_money ref;
} batch[] = {
    {"c1", "AAPL", RD_SIDE_BUY, 10, 1, RD_DOLLARS(180)},
    {"c2", OPT, RD_SIDE_BUY, 2, 100, RD_DOLLARS(3)},
    {"c3", "AAPL", RD_SIDE_BUY, 5, 1, 0},
    {"c0", "AAPL", RD_SIDE_BUY, 7, 1, 0},
    {"c4", "MSFT", RD_SIDE_SELL, 1, 1, RD_DOLLARS(400)},
    {"c5", "AAPL", RD_SIDE_SELL, 15, 1, 0},
    {"c2", OPT, RD_SIDE_BUY, 9, 100, RD_DOLLARS(3)},
    {"c6", "AAPL", RD_SIDE_BUY, 1, 1, 0},
};
#define NBATCH (sizeof batch / sizeof batch[0])

static void batch_requests(struct rd_order_request *reqs)
{
    memset(reqs, 0, NBATCH * sizeof *reqs);
    for (size_t i = 0; i < NBATCH; i++) {
        snprintf(reqs[i].client_order_id, sizeof reqs[i].client_order_id, "%s", batch[i].cid);
        snprintf(reqs[i].symbol, sizeof reqs[i].symbol, "%s", batch[i].sym);
        reqs[i].side = batch[i].side;
        reqs[i].qty = batch[i].qty;
        reqs[i].multiplier = batch[i].mult;
        reqs[i].ref_price = batch[i].ref;
    }
}

/* Both stores hold the same values under the same names. */
static void assert_same_state(struct mem_store *a, struct mem_store *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        const char *v = mem_value(b, a->items[i].ns, a->items[i].key);

        assert_non_null(v);
        assert_string_equal(a->items[i].val, v);
    }
}

/* submit_orders does what submit_order does order after order, reading and
 * writing the account once, the walks it starts and steps in one write each. */
static void test_submit_orders_as_one_by_one(void **state)
{
    int64_t t0 = et(2025, 11, 12, 10, 0);
    struct mem_store *one = mem_new(), *many = mem_new();
    struct rd_broker *b1 = open_paper(&one->base, "acct", RD_DOLLARS(5000), t0);
    struct rd_broker *bn = open_paper(&many->base, "acct", RD_DOLLARS(5000), t0);
    struct rd_order_request reqs[NBATCH];
    struct rd_order_result want[NBATCH], got[NBATCH], r;
    struct rd_error err = {0};
    int rcs[NBATCH];

    (void)state;
    /* before the batch, in both: c0 placed, AAPL's walk started */
    filled(b1, "c0", "AAPL", RD_SIDE_BUY, 1, 1, RD_DOLLARS(180), RD_DOLLARS(180));
    filled(bn, "c0", "AAPL", RD_SIDE_BUY, 1, 1, RD_DOLLARS(180), RD_DOLLARS(180));
    b1->now = bn->now = t0 + 600;
    batch_requests(reqs);
    for (size_t i = 0; i < NBATCH; i++) {
        rcs[i] = b1->ops->submit_order(b1, &reqs[i], &want[i], &err);
        assert_true(rcs[i] == RD_OK || rcs[i] == RD_EEXIST);
    }
    assert_int_equal(rcs[3], RD_EEXIST);
    assert_int_equal(rcs[6], RD_EEXIST);
    assert_int_equal(want[5].status, RD_ORDER_FILLED);      /* the day trade */
    assert_int_equal(want[4].status, RD_ORDER_REJECTED);

    many->account_puts = many->put_manys = many->put_shared_manys = 0;
    many->gets = many->get_manys = 0;
    memset(got, 0xA5, sizeof got);
    memset(rcs, 0xA5, sizeof rcs);
    assert_int_equal(bn->ops->submit_orders(bn, reqs, NBATCH, got, rcs, &err), RD_OK);
    for (size_t i = 0; i < NBATCH; i++) {
        assert_int_equal(rcs[i], i == 3 || i == 6 ? RD_EEXIST : RD_OK);
        assert_memory_equal(&got[i], &want[i], sizeof want[i]);
    }
    assert_int_equal(many->account_puts, 1);
    assert_int_equal(many->put_manys, 1);            /* the five new orders */
    assert_int_equal(one->put_manys, 0);
    /* OPT's walk started, then AAPL's stepped (c1), which c3, c5 and c6 see */
    assert_int_equal(many->put_shared_manys, 2);
    assert_int_equal(one->put_shared_manys, 0);
    /* the account, the order ids and the walks: a read each */
    assert_int_equal(many->get_manys, 2);
    assert_int_equal(many->gets, 1);
    assert_same_state(one, many);
    assert_int_equal(bn->ops->get_order(bn, "c5", &r, &err), RD_OK);
    assert_memory_equal(&r, &want[5], sizeof r);
    assert_int_equal(account(bn).daytrade_count, account(b1).daytrade_count);
    assert_int_equal(account(bn).daytrade_count, 1);
    rd_broker_close(b1);
    rd_broker_close(bn);
    mem_free(one);
    mem_free(many);
}

/* The orders of test_submit_orders_start_walks, on contracts the market has
 * never seen: a walk started, one another account's transaction commits
 * first, one another's open transaction is writing, orders rejected before
 * they are quoted (a sell of nothing, a limit order, no price, an id used
 * before the batch), a later order on a walk the batch started. */
static const struct {
    const char *cid, *sym;
    enum rd_order_side side;
    int64_t qty, mult;
    rd_money ref, limit;
} fresh[] = {
    {"n1", "NEW1", RD_SIDE_BUY, 10, 1, RD_DOLLARS(50), 0},
    {"n2", "NEW2", RD_SIDE_BUY, 1, 100, RD_DOLLARS(20), 0},
    {"n3", "NEW3", RD_SIDE_BUY, 3, 1, RD_DOLLARS(30), 0},
    {"n4", "NEW4", RD_SIDE_SELL, 1, 1, RD_DOLLARS(40), 0},
    {"n5", "NEW5", RD_SIDE_BUY, 1, 1, RD_DOLLARS(10), RD_DOLLARS(10)},
    {"n6", "NEW1", RD_SIDE_BUY, 2, 1, RD_DOLLARS(99), 0},
    {"n7", "NEW6", RD_SIDE_BUY, 1, 1, 0, 0},
    {"c0", "NEW7", RD_SIDE_BUY, 1, 1, RD_DOLLARS(60), 0},
};
#define NFRESH (sizeof fresh / sizeof fresh[0])

/* NEW2's walk as the other account started it, at $25, in buf */
static void walk_of_another(char *buf, size_t cap, int64_t now)
{
    int w = snprintf(buf, cap, "{\"seed\": \"7\", \"sigma_ppm\": 20000, \"p0\": \"25\", "
                     "\"m0\": %" PRId64 ", \"minute\": %" PRId64 ", \"price\": \"25\"}",
                     rd_paper_minute(now), rd_paper_minute(now));

    assert_true(w > 0 && (size_t)w < cap);
}

static void fresh_requests(struct rd_order_request *reqs)
{
    memset(reqs, 0, NFRESH * sizeof *reqs);
    for (size_t i = 0; i < NFRESH; i++) {
        snprintf(reqs[i].client_order_id, sizeof reqs[i].client_order_id, "%s", fresh[i].cid);
        snprintf(reqs[i].symbol, sizeof reqs[i].symbol, "%s", fresh[i].sym);
        reqs[i].side = fresh[i].side;
        reqs[i].qty = fresh[i].qty;
        reqs[i].multiplier = fresh[i].mult;
        reqs[i].ref_price = fresh[i].ref;
        reqs[i].limit_price = fresh[i].limit;
    }
}

/* Another account is writing NEW3's walk, and commits NEW2's (theirs) first. */
static void others_on_the_market(struct mem_store *m, const char *theirs)
{
    m->busy = "NEW3";
    m->landing = "NEW2";
    m->landing_val = theirs;
}

/* The walks the batch's orders start are written before the orders are
 * placed, in one write, with what submit_order makes of each order: the same
 * results and the same store, whichever account's walk wins. */
static void test_submit_orders_start_walks(void **state)
{
    int64_t t0 = et(2025, 11, 12, 10, 0);
    struct mem_store *one = mem_new(), *many = mem_new();
    struct rd_broker *b1 = open_paper(&one->base, "acct", RD_DOLLARS(5000), t0);
    struct rd_broker *bn = open_paper(&many->base, "acct", RD_DOLLARS(5000), t0);
    struct rd_order_request reqs[NFRESH];
    struct rd_order_result want[NFRESH], got[NFRESH];
    struct rd_error err = {0};
    char theirs[256];
    int rcs[NFRESH];

    (void)state;
    walk_of_another(theirs, sizeof theirs, t0 + 600);
    filled(b1, "c0", "AAPL", RD_SIDE_BUY, 1, 1, RD_DOLLARS(180), RD_DOLLARS(180));
    filled(bn, "c0", "AAPL", RD_SIDE_BUY, 1, 1, RD_DOLLARS(180), RD_DOLLARS(180));
    b1->now = bn->now = t0 + 600;
    fresh_requests(reqs);
    others_on_the_market(one, theirs);
    others_on_the_market(many, theirs);
    for (size_t i = 0; i < NFRESH; i++) {
        rcs[i] = b1->ops->submit_order(b1, &reqs[i], &want[i], &err);
        assert_int_equal(rcs[i], i == 7 ? RD_EEXIST : RD_OK);
    }
    many->gets = many->get_manys = many->put_shared_manys = 0;
    assert_int_equal(bn->ops->submit_orders(bn, reqs, NFRESH, got, rcs, &err), RD_OK);
    for (size_t i = 0; i < NFRESH; i++) {
        assert_int_equal(rcs[i], i == 7 ? RD_EEXIST : RD_OK);
        assert_memory_equal(&got[i], &want[i], sizeof want[i]);
    }
    assert_same_state(one, many);
    /* NEW1 and the one still being written filled at their own price, NEW2 at the other's */
    assert_int_equal(got[0].status, RD_ORDER_FILLED);
    assert_int_equal(got[0].fill_price, rd_paper_quote(RD_DOLLARS(50)));
    assert_int_equal(got[5].fill_price, rd_paper_quote(RD_DOLLARS(50)));
    assert_int_equal(got[1].fill_price, rd_paper_quote(RD_DOLLARS(25)));
    assert_int_equal(got[2].fill_price, rd_paper_quote(RD_DOLLARS(30)));
    for (size_t i = 3; i < NFRESH; i++)
        if (i != 5)
            assert_int_equal(got[i].status, i == 7 ? RD_ORDER_FILLED : RD_ORDER_REJECTED);
    /* a walk for NEW1 and the other's for NEW2, none for NEW3 (not landed)
     * nor for the rejected orders' contracts */
    assert_non_null(mem_value(many, "paper.market", "NEW1"));
    assert_string_equal(mem_value(many, "paper.market", "NEW2"), theirs);
    assert_null(mem_value(many, "paper.market", "NEW3"));
    assert_null(mem_value(many, "paper.market", "NEW4"));
    assert_null(mem_value(many, "paper.market", "NEW5"));
    assert_null(mem_value(many, "paper.market", "NEW6"));
    assert_null(mem_value(many, "paper.market", "NEW7"));
    /* one write of the new walks; the order ids, the walks and the two left
     * read once each; the account */
    assert_int_equal(many->put_shared_manys, 1);
    assert_int_equal(many->get_manys, 3);
    assert_int_equal(many->gets, 1);
    rd_broker_close(b1);
    rd_broker_close(bn);
    mem_free(one);
    mem_free(many);
}

/* The store of test_submit_orders_fail_whole: c0 placed at t0, the clock at t0 + 600. */
static struct rd_broker *before_batch(struct mem_store *m, int64_t t0)
{
    struct rd_broker *b = open_paper(&m->base, "acct", RD_DOLLARS(5000), t0);

    filled(b, "c0", "AAPL", RD_SIDE_BUY, 1, 1, RD_DOLLARS(180), RD_DOLLARS(180));
    b->now = t0 + 600;
    return b;
}

/* A failed write anywhere in a batch keeps none of it; the retry places it all. */
static void test_submit_orders_fail_whole(void **state)
{
    int64_t t0 = et(2025, 11, 12, 10, 0);
    struct mem_store *pre = mem_new(), *done = mem_new();
    struct rd_broker *bp = before_batch(pre, t0), *bd = before_batch(done, t0);
    struct rd_order_request reqs[NBATCH];
    struct rd_order_result got[NBATCH];
    struct rd_error err = {0};
    int rcs[NBATCH];
    long puts;

    (void)state;
    batch_requests(reqs);
    done->puts = 0;
    assert_int_equal(bd->ops->submit_orders(bd, reqs, NBATCH, got, rcs, &err), RD_OK);
    puts = done->puts;
    assert_true(puts >= 6);          /* five orders and the account, at least */
    for (long at = 1; at <= puts; at++) {
        struct mem_store *m = mem_new();
        struct rd_broker *b = before_batch(m, t0);

        m->puts = 0;
        m->fail_put_at = at;
        err = (struct rd_error){0};
        assert_int_equal(b->ops->submit_orders(b, reqs, NBATCH, got, rcs, &err), RD_ESTORE);
        assert_non_null(strstr(err.msg, "injected"));
        m->fail_put_at = 0;
        assert_int_equal(m->depth, 0);
        assert_same_state(pre, m);
        assert_int_equal(b->ops->submit_orders(b, reqs, NBATCH, got, rcs, &err), RD_OK);
        assert_same_state(done, m);
        rd_broker_close(b);
        mem_free(m);
    }
    rd_broker_close(bp);
    rd_broker_close(bd);
    mem_free(pre);
    mem_free(done);
}

/* A failed allocation anywhere in a batch that starts walks keeps none of it
 * and leaks nothing; the retry places it all. */
static void test_submit_orders_allocation_failures(void **state)
{
    int64_t t0 = et(2025, 11, 12, 10, 0);
    struct mem_store *pre = mem_new(), *done = mem_new();
    struct rd_broker *bp = before_batch(pre, t0), *bd = before_batch(done, t0);
    struct rd_order_request reqs[NFRESH];
    struct rd_order_result got[NFRESH];
    struct rd_error err = {0};
    char theirs[256];
    int rcs[NFRESH];
    long total;

    (void)state;
    walk_of_another(theirs, sizeof theirs, t0 + 600);
    fresh_requests(reqs);
    others_on_the_market(done, theirs);
    rd_alloc_fail_after(0);
    assert_int_equal(bd->ops->submit_orders(bd, reqs, NFRESH, got, rcs, &err), RD_OK);
    total = rd_alloc_fail_after(0);
    assert_true(total > 10);
    for (long nth = 1; nth <= total; nth++) {
        struct mem_store *m = mem_new();
        struct rd_broker *b = before_batch(m, t0);
        int rc;

        others_on_the_market(m, theirs);
        rd_alloc_fail_after(nth);
        rc = b->ops->submit_orders(b, reqs, NFRESH, got, rcs, &err);
        rd_alloc_fail_after(0);
        assert_int_equal(m->depth, 0);
        if (rc == RD_OK) {
            assert_same_state(done, m);
        } else {
            assert_same_state(pre, m);
            others_on_the_market(m, theirs);
            assert_int_equal(b->ops->submit_orders(b, reqs, NFRESH, got, rcs, &err), RD_OK);
            assert_same_state(done, m);
        }
        rd_broker_close(b);
        mem_free(m);
    }
    rd_broker_close(bp);
    rd_broker_close(bd);
    mem_free(pre);
    mem_free(done);
}

/* Inside a caller's transaction the broker's work commits or rolls back with it. */
static void test_nested_in_caller_transaction(void **state)
{
    int64_t t0 = et(2025, 11, 12, 10, 0);
    struct mem_store *m = mem_new();
    struct rd_broker *b = open_paper(&m->base, "n", RD_DOLLARS(1000), t0);
    struct rd_order_result r;
    struct rd_error err = {0};

    (void)state;
    assert_int_equal(m->base.begin(m, &err), RD_OK);
    filled(b, "n1", "F", RD_SIDE_BUY, 10, 1, RD_DOLLARS(12), RD_DOLLARS(12));
    assert_int_equal(m->depth, 1);
    m->base.rollback(m);
    assert_int_equal(b->ops->get_order(b, "n1", &r, &err), RD_ENOTFOUND);
    assert_int_equal(account(b).cash, RD_DOLLARS(1000));

    assert_int_equal(m->base.begin(m, &err), RD_OK);
    filled(b, "n1", "F", RD_SIDE_BUY, 10, 1, RD_DOLLARS(12), RD_DOLLARS(12));
    assert_int_equal(m->base.commit(m, &err), RD_OK);
    assert_int_equal(account(b).cash, RD_DOLLARS(880));

    /* a failing inner call dooms the caller's transaction: nothing half-written */
    assert_int_equal(m->base.begin(m, &err), RD_OK);
    filled(b, "n2", "F", RD_SIDE_SELL, 5, 1, 0, RD_DOLLARS(12));
    m->fail_put_at = m->puts + 1;
    assert_int_equal(order(b, "n3", "F", RD_SIDE_SELL, 5, 1, 0, &r), RD_ESTORE);
    m->fail_put_at = 0;
    assert_int_equal(m->base.commit(m, &err), RD_ESTORE);
    assert_int_equal(m->depth, 0);
    assert_int_equal(b->ops->get_order(b, "n2", &r, &err), RD_ENOTFOUND);
    assert_int_equal(account(b).cash, RD_DOLLARS(880));
    rd_broker_close(b);
    mem_free(m);
}

/* One whole session; every call may fail but none may crash or leak. */
static void session(struct mem_store *m, int64_t t0)
{
    struct rd_broker_params p = {.account = "alloc", .state = &m->base,
                                 .starting_cash = RD_DOLLARS(10000), .seed = SEED};
    struct rd_broker *b = NULL;
    struct rd_broker_position *pos = NULL;
    struct rd_broker_account a;
    struct rd_order_result r;
    struct rd_error err = {0};
    struct rd_order_request req = {.client_order_id = "x1", .symbol = "AAPL", .side = RD_SIDE_BUY,
                                   .qty = 10, .multiplier = 1, .ref_price = RD_DOLLARS(180)};
    rd_money q;
    size_t n = 0;

    if (rd_broker_open("paper", &p, &b, &err) != RD_OK) {
        assert_null(b);
        return;
    }
    b->now = t0;
    (void)b->ops->get_account(b, &a, &err);
    (void)b->ops->submit_order(b, &req, &r, &err);
    b->now = t0 + 86400;
    if (b->ops->list_positions(b, &pos, &n, &err) == RD_OK)
        rd_free(pos);
    (void)b->ops->get_account(b, &a, &err);
    req.side = RD_SIDE_SELL;
    snprintf(req.client_order_id, sizeof req.client_order_id, "x2");
    (void)b->ops->submit_order(b, &req, &r, &err);
    (void)b->ops->get_order(b, "x1", &r, &err);
    (void)b->ops->quote(b, "AAPL", &q, &err);
    rd_broker_close(b);
}

static void test_allocation_failures(void **state)
{
    int64_t t0 = et(2025, 11, 12, 10, 0);
    long total;

    (void)state;
    {
        struct mem_store *m = mem_new();

        rd_alloc_fail_after(0);
        session(m, t0);
        total = rd_alloc_fail_after(0);
        mem_free(m);
    }
    assert_true(total > 10);
    for (long nth = 1; nth <= total + 1; nth++) {
        struct mem_store *m = mem_new();
        struct rd_broker *b;
        struct rd_order_result r1, r2;
        struct rd_error err = {0};
        int rc1, rc2;
        struct rd_broker_account a;
        struct rd_broker_position *pos = NULL;
        size_t n = 0;

        rd_alloc_fail_after(nth);
        session(m, t0);
        rd_alloc_fail_after(0);
        assert_int_equal(m->depth, 0);

        /* whatever failed, the account is consistent: each order filled whole or not at all */
        b = open_paper(&m->base, "alloc", RD_DOLLARS(10000), t0 + 86400);
        rc1 = b->ops->get_order(b, "x1", &r1, &err);
        rc2 = b->ops->get_order(b, "x2", &r2, &err);
        a = account(b);
        assert_int_equal(b->ops->list_positions(b, &pos, &n, &err), RD_OK);
        if (rc1 != RD_OK) {
            assert_int_equal(rc1, RD_ENOTFOUND);
            assert_int_equal(a.cash, RD_DOLLARS(10000));
            assert_int_equal(n, 0);
        } else if (rc2 != RD_OK || r2.status != RD_ORDER_FILLED) {
            assert_int_equal(r1.status, RD_ORDER_FILLED);
            assert_int_equal(a.cash, RD_DOLLARS(8200));
            assert_int_equal(n, 1);
            assert_int_equal(pos[0].qty, 10);
        } else {
            assert_int_equal(a.cash, RD_DOLLARS(8200) + 10 * r2.fill_price);
            assert_int_equal(n, 0);
        }
        rd_free(pos);
        rd_broker_close(b);
        mem_free(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_new_account),
        cmocka_unit_test(test_fills_and_cash_exact),
        cmocka_unit_test(test_rejections_carry_the_reason),
        cmocka_unit_test(test_duplicate_client_order_id),
        cmocka_unit_test(test_persists_across_close_and_open),
        cmocka_unit_test(test_accounts_are_isolated),
        cmocka_unit_test(test_positions_valued_in_one_read),
        cmocka_unit_test(test_day_trades),
        cmocka_unit_test(test_last_equity_rolls_over_each_et_day),
        cmocka_unit_test(test_market_clock),
        cmocka_unit_test(test_store_failures_roll_back),
        cmocka_unit_test(test_submit_orders_as_one_by_one),
        cmocka_unit_test(test_submit_orders_fail_whole),
        cmocka_unit_test(test_submit_orders_start_walks),
        cmocka_unit_test(test_submit_orders_allocation_failures),
        cmocka_unit_test(test_nested_in_caller_transaction),
        cmocka_unit_test(test_allocation_failures),
    };

    /* jansson's allocations go through rd_malloc too, so they fail on cue */
    json_set_alloc_funcs(rd_malloc, rd_free);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
