/* Recommendations from JSON: every field, every kind of bad input, JSON Lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "riskdesk/order_id.h"
#include "riskdesk/rec_json.h"

#define GOOD "\"id\":\"r1\",\"created_at\":\"2026-11-20T15:29:50Z\",\"underlying\":\"AAPL\"," \
             "\"symbol\":\"AAPL261218C00230000\",\"action\":\"BUY_CALL\",\"strategy\":\"swing\"," \
             "\"confidence\":0.72,\"volume_ratio\":\"2.4\",\"price\":\"3.15\""

static int parse(const char *json, struct rd_rec *r, struct rd_error *err)
{
    memset(err, 0, sizeof *err);
    return rd_rec_from_json(json, strlen(json), r, err);
}

static void expect_bad(const char *json, const char *fragment)
{
    struct rd_rec r;
    struct rd_error err;

    assert_int_equal(parse(json, &r, &err), RD_EINVAL);
    if (!strstr(err.msg, fragment))
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, fragment);
}

static void test_good(void **s)
{
    struct rd_rec r;
    struct rd_error err;
    char back[1024];

    (void)s;
    assert_int_equal(parse("{" GOOD ",\"stop_price\":null,\"vix\":18.5,\"expires_at\":1795189000}", &r,
                           &err), RD_OK);
    assert_string_equal(r.id, "r1");
    assert_int_equal(r.created_at, 1795188590LL);
    assert_int_equal(r.action, RD_ACT_BUY_CALL);
    assert_int_equal(r.strategy, RD_STRAT_SWING);
    assert_int_equal(r.confidence, 720000);
    assert_int_equal(r.volume_ratio, 2400000);
    assert_int_equal(r.price, 31500);
    assert_int_equal(r.stop_price, 0);
    assert_true(r.has_vix);
    assert_int_equal(r.vix, 18500000);
    assert_int_equal(r.expires_at, 1795189000LL);
    assert_int_equal(rd_rec_multiplier(&r), 100);
    /* and back: the JSON written parses to the same recommendation */
    {
        struct rd_rec r2;

        rd_rec_to_json(&r, back, sizeof back);
        assert_int_equal(parse(back, &r2, &err), RD_OK);
        assert_memory_equal(&r, &r2, sizeof r);
    }
}

/* "account": for that account only; "qty": a cap on the size; both optional */
static void test_account_and_qty(void **s)
{
    struct rd_rec r, r2;
    struct rd_error err;
    char back[1024];

    (void)s;
    assert_int_equal(parse("{" GOOD "}", &r, &err), RD_OK);
    assert_string_equal(r.account, "");
    assert_int_equal(r.qty, 0);
    rd_rec_to_json(&r, back, sizeof back);
    assert_null(strstr(back, "account"));
    assert_null(strstr(back, "qty"));
    assert_int_equal(parse("{" GOOD ",\"account\":\"alp_b-2.x\",\"qty\":3}", &r, &err), RD_OK);
    assert_string_equal(r.account, "alp_b-2.x");
    assert_int_equal(r.qty, 3);
    rd_rec_to_json(&r, back, sizeof back);
    assert_non_null(strstr(back, ",\"account\":\"alp_b-2.x\",\"qty\":3}"));
    assert_int_equal(parse(back, &r2, &err), RD_OK);
    assert_memory_equal(&r, &r2, sizeof r);
    assert_int_equal(parse("{" GOOD ",\"account\":null,\"qty\":null}", &r, &err), RD_OK);
    assert_string_equal(r.account, "");
    expect_bad("{" GOOD ",\"account\":\"\"}", "account: expected 1 to 63 characters");
    expect_bad("{" GOOD ",\"account\":\"a b\"}", "account: \"a b\"; expected an account name");
    expect_bad("{" GOOD ",\"account\":\"a\\\"b\"}", "account:");
    expect_bad("{" GOOD ",\"account\":\"x@y\"}", "account:");
    expect_bad("{" GOOD ",\"account\":7}", "account: expected a string");
    expect_bad("{" GOOD ",\"account\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
               "account: expected 1 to 63 characters");
    expect_bad("{" GOOD ",\"qty\":0}", "qty: expected a whole number");
    expect_bad("{" GOOD ",\"qty\":1.5}", "qty: expected a whole number");
    expect_bad("{" GOOD ",\"qty\":\"3\"}", "qty: expected a whole number");
    expect_bad("{" GOOD ",\"qty\":1000001}", "qty: expected a whole number");
}

static void test_stock(void **s)
{
    struct rd_rec r;
    struct rd_error err;

    (void)s;
    assert_int_equal(parse("{\"id\":\"s1\",\"created_at\":1795188590,\"underlying\":\"IBM\","
                           "\"symbol\":\"IBM\",\"action\":\"BUY_STOCK\",\"strategy\":\"day\","
                           "\"confidence\":\"0.5\",\"volume_ratio\":2,\"price\":\"250.125\","
                           "\"stop_price\":\"245\"}", &r, &err), RD_OK);
    assert_int_equal(r.price, 2501250);
    assert_int_equal(r.stop_price, 2450000);
    assert_int_equal(rd_rec_multiplier(&r), 1);
    expect_bad("{\"id\":\"s1\",\"created_at\":1795188590,\"underlying\":\"IBM\",\"symbol\":\"IBM\","
               "\"action\":\"BUY_STOCK\",\"strategy\":\"day\",\"confidence\":0.5,\"volume_ratio\":2,"
               "\"price\":\"250\",\"stop_price\":\"250\"}", "stop_price: a stop for a buy must be below");
}

static void test_bad(void **s)
{
    (void)s;
    expect_bad("{" GOOD, "column");                                    /* syntax */
    expect_bad("[1,2]", "expected a JSON object");
    expect_bad("{" GOOD ",\"colour\":\"red\"}", "unknown key \"colour\"");
    expect_bad("{" GOOD ",\"id\":\"r2\"}", "duplicate");
    expect_bad("{\"created_at\":1}", "id: missing");
    expect_bad("{\"id\":\"a b\",\"created_at\":\"2026-11-20T15:29:50Z\",\"underlying\":\"AAPL\","
               "\"symbol\":\"AAPL261218C00230000\",\"action\":\"BUY_CALL\",\"strategy\":\"swing\","
               "\"confidence\":0.72,\"volume_ratio\":2,\"price\":3}", "id: \"a b\"");
    expect_bad("{\"id\":\"r\",\"created_at\":\"2026-11-20 15:29:50\",\"underlying\":\"AAPL\","
               "\"symbol\":\"AAPL261218C00230000\",\"action\":\"BUY_CALL\",\"strategy\":\"swing\","
               "\"confidence\":0.72,\"volume_ratio\":2,\"price\":3}", "created_at");
    expect_bad("{\"id\":\"r\",\"created_at\":1,\"underlying\":\"AAPL\",\"symbol\":\"AAPL2612C230\","
               "\"action\":\"BUY_CALL\",\"strategy\":\"swing\",\"confidence\":0.7,\"volume_ratio\":2,"
               "\"price\":3}", "needs an OCC option symbol");
    expect_bad("{\"id\":\"r\",\"created_at\":1,\"underlying\":\"MSFT\",\"symbol\":\"AAPL261218C00230000\","
               "\"action\":\"BUY_CALL\",\"strategy\":\"swing\",\"confidence\":0.7,\"volume_ratio\":2,"
               "\"price\":3}", "is an option on AAPL, but underlying is MSFT");
    expect_bad("{\"id\":\"r\",\"created_at\":1,\"underlying\":\"AAPL\",\"symbol\":\"AAPL261218P00230000\","
               "\"action\":\"BUY_CALL\",\"strategy\":\"swing\",\"confidence\":0.7,\"volume_ratio\":2,"
               "\"price\":3}", "is a put, but action is BUY_CALL");
    expect_bad("{\"id\":\"r\",\"created_at\":1,\"underlying\":\"AAPL\",\"symbol\":\"AAPL261231C00230000\","
               "\"action\":\"SELL_CALL\",\"strategy\":\"swing\",\"confidence\":0.7,\"volume_ratio\":2,"
               "\"price\":3}", "action: \"SELL_CALL\"");
    expect_bad("{\"id\":\"r\",\"created_at\":1,\"underlying\":\"AAPL\",\"symbol\":\"AAPL261218C00230000\","
               "\"action\":\"BUY_CALL\",\"strategy\":\"scalp\",\"confidence\":0.7,\"volume_ratio\":2,"
               "\"price\":3}", "strategy: \"scalp\"");
    expect_bad("{\"id\":\"r\",\"created_at\":1,\"underlying\":\"AAPL\",\"symbol\":\"AAPL261218C00230000\","
               "\"action\":\"BUY_CALL\",\"strategy\":\"day\",\"confidence\":1.5,\"volume_ratio\":2,"
               "\"price\":3}", "confidence: expected 0 to 1");
    expect_bad("{\"id\":\"r\",\"created_at\":1,\"underlying\":\"AAPL\",\"symbol\":\"AAPL261218C00230000\","
               "\"action\":\"BUY_CALL\",\"strategy\":\"day\",\"confidence\":0.5,\"volume_ratio\":2,"
               "\"price\":\"3.1.5\"}", "price: \"3.1.5\" is not a valid decimal");
    expect_bad("{\"id\":\"r\",\"created_at\":1,\"underlying\":\"AAPL\",\"symbol\":\"AAPL261218C00230000\","
               "\"action\":\"BUY_CALL\",\"strategy\":\"day\",\"confidence\":0.5,\"volume_ratio\":2,"
               "\"price\":0}", "price: expected > 0");
    expect_bad("{\"id\":\"r\",\"created_at\":1,\"underlying\":\"AAPL\",\"symbol\":\"AAPL261218C00230000\","
               "\"action\":\"BUY_CALL\",\"strategy\":\"day\",\"confidence\":0.5,\"volume_ratio\":2,"
               "\"price\":true}", "price: expected a number or a decimal string");
    expect_bad("{\"id\":\"r\",\"created_at\":1,\"underlying\":\"AAPL\",\"symbol\":\"AAPL261218C00230000\","
               "\"action\":\"BUY_CALL\",\"strategy\":\"day\",\"volume_ratio\":2,\"price\":1}",
               "confidence: missing");
    expect_bad("{\"id\":\"r\",\"created_at\":1,\"underlying\":\"AAPL\",\"symbol\":\"AAPL260230C00230000\","
               "\"action\":\"BUY_CALL\",\"strategy\":\"day\",\"confidence\":0.5,\"volume_ratio\":2,"
               "\"price\":1}", "OCC");                                     /* Feb 30 */
    /* found by the fuzzer: times that cannot be written back as RFC 3339 */
    expect_bad("{\"id\":\"r\",\"created_at\":\"1344-02-20T15:29:50Z\",\"underlying\":\"AAPL\","
               "\"symbol\":\"AAPL261218C00230000\",\"action\":\"BUY_CALL\",\"strategy\":\"day\","
               "\"confidence\":0.5,\"volume_ratio\":2,\"price\":1}", "created_at: expected a time from 1970");
    expect_bad("{\"id\":\"r\",\"created_at\":1,\"underlying\":\"AAPL\","
               "\"symbol\":\"AAPL261218C00230000\",\"action\":\"BUY_CALL\",\"strategy\":\"day\","
               "\"confidence\":0.5,\"volume_ratio\":2,\"price\":1,\"expires_at\":2227195189000}",
               "expires_at: expected a time from 1970");
}

#define NO_PRICE "\"id\":\"r1\",\"created_at\":\"2026-11-20T15:29:50Z\",\"underlying\":\"AAPL\"," \
                 "\"symbol\":\"AAPL\",\"action\":\"BUY_STOCK\",\"strategy\":\"swing\"," \
                 "\"confidence\":0.72,\"volume_ratio\":2.4"

/* A price finer than 1/10000 of a dollar is refused, not rounded. */
static void test_price_decimals(void **s)
{
    struct rd_rec r;
    struct rd_error err;

    (void)s;
    expect_bad("{" NO_PRICE ",\"price\":\"190.12345\"}", "price: \"190.12345\" has more than four decimals");
    expect_bad("{" NO_PRICE ",\"price\":190.12345}", "price: \"190.12345\" has more than four decimals");
    expect_bad("{" NO_PRICE ",\"price\":\"1.00001\"}", "more than four decimals");
    expect_bad("{" NO_PRICE ",\"price\":\"190.5\",\"stop_price\":\"185.00005\"}",
               "stop_price: \"185.00005\" has more than four decimals");
    assert_int_equal(parse("{" NO_PRICE ",\"price\":\"190.1234\"}", &r, &err), RD_OK);
    assert_true(r.price == 1901234);
    assert_int_equal(parse("{" NO_PRICE ",\"price\":\"190.123400\"}", &r, &err), RD_OK);
    assert_true(r.price == 1901234);
    assert_int_equal(parse("{" NO_PRICE ",\"price\":190.1234}", &r, &err), RD_OK);
    assert_true(r.price == 1901234);
    assert_int_equal(parse("{" NO_PRICE ",\"price\":\"1.5e2\"}", &r, &err) == RD_OK ||
                         strstr(err.msg, "four decimals") == NULL, 1);
}

static void test_occ(void **s)
{
    struct rd_occ o;

    (void)s;
    assert_int_equal(rd_occ_parse("AAPL261218C00230000", &o), RD_OK);
    assert_string_equal(o.root, "AAPL");
    assert_true(o.is_call);
    assert_int_equal(o.strike, RD_DOLLARS(230));
    assert_int_equal(rd_occ_parse("SPY261218P00590500", &o), RD_OK);
    assert_int_equal(o.strike, 5905000);
    assert_false(o.is_call);
    assert_int_equal(rd_occ_parse("A261218C00001000", &o), RD_OK);
    assert_int_equal(rd_occ_parse("261218C00001000", &o), RD_EINVAL);    /* no root */
    assert_int_equal(rd_occ_parse("AAPL261218X00230000", &o), RD_EINVAL);
    assert_int_equal(rd_occ_parse("AAPL261318C00230000", &o), RD_EINVAL);
    assert_int_equal(rd_occ_parse("aapl261218C00230000", &o), RD_EINVAL);
    assert_int_equal(rd_occ_parse("TOOLONGX261218C00230000", &o), RD_EINVAL);
}

struct lines {
    int good, bad;
    char msgs[8][RD_ERROR_MSG_MAX + 64];
};

static int accept(void *ctx, const struct rd_rec *r, long line)
{
    struct lines *l = ctx;

    (void)r;
    (void)line;
    l->good++;
    return 0;
}

static void bad(void *ctx, const char *msg)
{
    struct lines *l = ctx;

    if (l->bad < 8)
        snprintf(l->msgs[l->bad], sizeof l->msgs[0], "%s", msg);
    l->bad++;
}

static void test_jsonl(void **s)
{
    char text[200000];
    struct lines l;
    struct rd_error err = {0};
    FILE *f;
    size_t n = 0;

    (void)s;
    memset(&l, 0, sizeof l);
    n += (size_t)snprintf(text + n, sizeof text - n, "{" GOOD "}\r\n\n{\"id\":\"broken\"\n");
    n += (size_t)snprintf(text + n, sizeof text - n, "{" GOOD ",\"id\":\"x\"}\n");
    memset(text + n, ' ', 70000);                    /* a line over 64 KiB */
    n += 70000;
    text[n++] = '\n';
    n += (size_t)snprintf(text + n, sizeof text - n, "   \n{" GOOD "}");  /* no final newline */
    f = fmemopen(text, n, "r");
    assert_non_null(f);
    assert_int_equal(rd_rec_read_jsonl(f, "in.jsonl", accept, bad, &l, &err), RD_OK);
    fclose(f);
    assert_int_equal(l.good, 2);
    assert_int_equal(l.bad, 3);
    assert_non_null(strstr(l.msgs[0], "in.jsonl:3: "));
    assert_non_null(strstr(l.msgs[1], "in.jsonl:4: "));
    assert_non_null(strstr(l.msgs[1], "duplicate"));
    assert_non_null(strstr(l.msgs[2], "in.jsonl:5: line longer than"));
}

static void test_client_order_ids(void **s)
{
    char a[RD_CLIENT_ORDER_ID_SIZE], b[RD_CLIENT_ORDER_ID_SIZE];

    (void)s;
    rd_client_order_id_entry("large", "r1", a);
    rd_client_order_id_entry("large", "r1", b);
    assert_string_equal(a, b);                       /* stable */
    assert_int_equal(strlen(a), 35);
    assert_true(strncmp(a, "rd-", 3) == 0);
    rd_client_order_id_entry("tiny", "r1", b);
    assert_string_not_equal(a, b);                   /* per account */
    rd_client_order_id_entry("larg", "er1", b);
    assert_string_not_equal(a, b);                   /* fields cannot run together */
    rd_client_order_id_exit("large", "AAPL261218C00230000", 100, 0, a);
    rd_client_order_id_exit("large", "AAPL261218C00230000", 101, 0, b);
    assert_string_not_equal(a, b);
    rd_client_order_id_exit("large", "AAPL261218C00230000", 100, 1, b);
    assert_string_not_equal(a, b);                   /* a second attempt, a new id */
    rd_client_order_id_exit("large", "AAPL261218C00230000", 100, 0, b);
    assert_string_equal(a, b);
    /* the ids of orders already placed stay what they were */
    assert_string_equal(a, "rd-feaf482ddb119b7241f8553c92a7b4d1");
    rd_client_order_id_exit("large", "AAPL261218C00230000", 100, 1, b);
    assert_string_equal(b, "rd-d25ae1b513dcceaf6a034eaf0b20cf96");

    /* a consolidation's exits: its own ids, per op and attempt, stable */
    rd_client_order_id_op_exit("large", 7, "AAPL261218C00230000", 100, 0, b);
    assert_string_not_equal(a, b);
    rd_client_order_id_op_exit("large", 7, "AAPL261218C00230000", 100, 0, a);
    assert_string_equal(a, b);
    rd_client_order_id_op_exit("large", 8, "AAPL261218C00230000", 100, 0, b);
    assert_string_not_equal(a, b);
    rd_client_order_id_op_exit("large", 7, "AAPL261218C00230000", 100, 1, b);
    assert_string_not_equal(a, b);
    rd_client_order_id_op_exit("large", 7, "AAPL261218C00230001", 100, 0, b);
    assert_string_not_equal(a, b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_account_and_qty),
        cmocka_unit_test(test_stock),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_price_decimals),
        cmocka_unit_test(test_occ),
        cmocka_unit_test(test_jsonl),
        cmocka_unit_test(test_client_order_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
