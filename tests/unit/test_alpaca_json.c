/* Alpaca replies: exact decimals as strings and numbers, nulls, empty strings,
 * unknown and removed fields, error bodies, and what an order's status means. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "riskdesk/alloc.h"
#include "riskdesk/alpaca.h"

#define S(x) x, strlen(x)

static void expect_msg(const struct rd_error *err, const char *fragment)
{
    if (!strstr(err->msg, fragment))
        fail_msg("message \"%s\" lacks \"%s\"", err->msg, fragment);
}

/* The spec's example account, with fields added and removed the way they drift. */
static const char account_json[] =
    "{\"id\":\"904837e3-3b76-47ec-b432-046db621571b\",\"account_number\":\"PA3X7QK2LM9D\","
    "\"status\":\"ACTIVE\",\"crypto_status\":\"ACTIVE\",\"currency\":\"USD\","
    "\"buying_power\":\"262113.632\",\"regt_buying_power\":\"262113.632\","
    "\"non_marginable_buying_power\":\"122011.09751111286868\",\"options_buying_power\":\"1804.5\","
    "\"cash\":\"-23140.2\",\"portfolio_value\":\"103820.56\",\"equity\":\"103820.56\","
    "\"last_equity\":\"103529.24\",\"long_market_value\":\"126960.76\",\"short_market_value\":\"0\","
    "\"initial_margin\":\"63480.38\",\"maintenance_margin\":\"38088.228\",\"sma\":\"0\","
    "\"multiplier\":\"4\",\"shorting_enabled\":true,\"trading_blocked\":false,"
    "\"transfers_blocked\":false,\"account_blocked\":false,\"trade_suspended_by_user\":false,"
    "\"created_at\":\"2023-12-12T22:31:24.668464435Z\",\"crypto_tier\":0,"
    "\"options_approved_level\":\"1\",\"options_trading_level\":2,"
    "\"admin_configurations\":{},\"user_configurations\":null,\"ppind\":\"x\","
    "\"accrued_fees\":\"\",\"pending_transfer_in\":null,\"newfield\":[1,2.5,{\"a\":-3e2}]}";

static void test_account(void **state)
{
    struct rd_alpaca_account a;
    struct rd_error err = {0};

    (void)state;
    assert_int_equal(rd_alpaca_parse_account(S(account_json), &a, &err), RD_OK);
    assert_string_equal(a.account_number, "PA3X7QK2LM9D");
    assert_string_equal(a.status, "ACTIVE");
    assert_int_equal(a.buying_power, 2621136320LL);
    assert_int_equal(a.non_marginable_buying_power, 1220110975LL);   /* 4 places, half even */
    assert_int_equal(a.options_buying_power, 18045000LL);
    assert_int_equal(a.cash, -231402000LL);
    assert_int_equal(a.equity, 1038205600LL);
    assert_int_equal(a.last_equity, 1035292400LL);
    assert_int_equal(a.options_approved_level, 1);                   /* a string, accepted */
    assert_int_equal(a.options_trading_level, 2);
    assert_int_equal(a.trading_blocked, 0);
    assert_int_equal(a.shorting_enabled, 1);
    /* removed on 2026-07-06: absent, not zero */
    assert_int_equal(a.daytrade_count, -1);
    assert_int_equal(a.pattern_day_trader, -1);
}

static void test_account_numbers_exact(void **state)
{
    /* JSON numbers with more digits than a double holds come through exactly */
    static const char j[] =
        "{\"id\":\"x\",\"status\":\"ACTIVE\",\"buying_power\":1234567890123.4567,"
        "\"cash\":0.1,\"equity\":-0.0001,\"last_equity\":9999999999999.9999,"
        "\"daytrade_count\":3,\"pattern_day_trader\":false,\"trading_blocked\":\"true\"}";
    struct rd_alpaca_account a;
    struct rd_error err = {0};

    (void)state;
    assert_int_equal(rd_alpaca_parse_account(S(j), &a, &err), RD_OK);
    assert_int_equal(a.buying_power, 12345678901234567LL);
    assert_int_equal(a.cash, 1000);
    assert_int_equal(a.equity, -1);
    assert_int_equal(a.last_equity, 99999999999999999LL);
    assert_int_equal(a.daytrade_count, 3);
    assert_int_equal(a.pattern_day_trader, 0);
    assert_int_equal(a.trading_blocked, 1);
    assert_int_equal(a.options_approved_level, -1);
}

static void test_account_bad(void **state)
{
    struct rd_alpaca_account a;
    struct rd_error err = {0};

    (void)state;
    assert_int_equal(rd_alpaca_parse_account(S("{\"id\":\"x\",\"status\":\"ACTIVE\","
                                               "\"equity\":\"1e3\"}"), &a, &err), RD_EINVAL);
    expect_msg(&err, "field \"equity\"");
    assert_int_equal(rd_alpaca_parse_account(S("{\"id\":\"x\",\"status\":\"ACTIVE\","
                                               "\"cash\":\"12,5\"}"), &a, &err), RD_EINVAL);
    expect_msg(&err, "field \"cash\"");
    assert_int_equal(rd_alpaca_parse_account(S("{\"id\":\"x\",\"status\":\"ACTIVE\","
                                               "\"cash\":true}"), &a, &err), RD_EINVAL);
    expect_msg(&err, "expected a decimal");
    assert_int_equal(rd_alpaca_parse_account(S("{\"status\":\"ACTIVE\"}"), &a, &err), RD_EINVAL);
    expect_msg(&err, "\"id\" and \"status\" are required");
    assert_int_equal(rd_alpaca_parse_account(S("[]"), &a, &err), RD_EINVAL);
    expect_msg(&err, "expected a JSON object");
    assert_int_equal(rd_alpaca_parse_account(S("{\"id\":01}"), &a, &err), RD_EINVAL);
    expect_msg(&err, "not valid JSON");             /* "0" then "1": two values */
    assert_int_equal(rd_alpaca_parse_account(S("{\"id\":1.}"), &a, &err), RD_EINVAL);
    expect_msg(&err, "malformed number");
    assert_int_equal(rd_alpaca_parse_account(S("{\"id\":-}"), &a, &err), RD_EINVAL);
    assert_int_equal(rd_alpaca_parse_account(S("{\"id\":\"x\""), &a, &err), RD_EINVAL);
    expect_msg(&err, "not valid JSON");
    assert_int_equal(rd_alpaca_parse_account(S(""), &a, &err), RD_EINVAL);
    assert_int_equal(rd_alpaca_parse_account(S("{\"id\":\"x\",\"status\":\"ACTIVE\","
                                               "\"options_trading_level\":2.5}"), &a, &err),
                     RD_EINVAL);
    expect_msg(&err, "whole number");
    assert_int_equal(rd_alpaca_parse_account(S("{\"id\":\"x\",\"status\":\"ACTIVE\","
                                               "\"buying_power\":\"99999999999999999999\"}"), &a,
                                             &err), RD_EINVAL);
    expect_msg(&err, "out of range");
}

static void test_positions(void **state)
{
    static const char j[] =
        "[{\"asset_id\":\"a\",\"symbol\":\"AAPL261218C00230000\",\"exchange\":\"\","
        "\"asset_class\":\"us_option\",\"avg_entry_price\":\"7.10\",\"qty\":\"2\",\"side\":\"long\","
        "\"market_value\":\"1420.00\",\"cost_basis\":\"1420\",\"unrealized_pl\":\"0\","
        "\"unrealized_plpc\":\"0\",\"current_price\":\"7.1\",\"lastday_price\":\"7.0\","
        "\"change_today\":\"0.0084\",\"asset_marginable\":false,\"qty_available\":\"2\"},"
        "{\"symbol\":\"TSLA\",\"asset_class\":\"us_equity\",\"qty\":5,\"side\":\"short\","
        "\"avg_entry_price\":200.5,\"current_price\":\"201\",\"market_value\":\"-1005\","
        "\"usd\":{\"x\":1}},"
        "{\"symbol\":\"SPY\",\"asset_class\":\"us_equity\",\"qty\":\"-0.5\",\"side\":\"short\","
        "\"avg_entry_price\":null,\"current_price\":\"\"}]";
    struct rd_alpaca_position *p = NULL;
    struct rd_error err = {0};
    size_t n = 0;

    (void)state;
    assert_int_equal(rd_alpaca_parse_positions(S(j), &p, &n, &err), RD_OK);
    assert_int_equal(n, 3);
    assert_string_equal(p[0].symbol, "AAPL261218C00230000");
    assert_int_equal(p[0].qty_e6, 2000000);
    assert_int_equal(p[0].multiplier, 100);
    assert_int_equal(p[0].avg_entry_price, 71000);          /* per share */
    assert_int_equal(p[0].market_value, 14200000);           /* 7.10 x 2 x 100 */
    assert_int_equal(p[1].qty_e6, -5000000);                 /* side short, positive qty */
    assert_int_equal(p[1].multiplier, 1);
    assert_int_equal(p[1].avg_entry_price, 2005000);
    assert_int_equal(p[2].qty_e6, -500000);                  /* negative qty kept */
    assert_int_equal(p[2].avg_entry_price, 0);
    assert_int_equal(p[2].current_price, 0);
    rd_free(p);

    assert_int_equal(rd_alpaca_parse_positions(S("[]"), &p, &n, &err), RD_OK);
    assert_int_equal(n, 0);
    assert_null(p);
    assert_int_equal(rd_alpaca_parse_positions(S("[{\"qty\":\"1\"}]"), &p, &n, &err), RD_EINVAL);
    expect_msg(&err, "alpaca positions[0]: field \"symbol\"");
    assert_int_equal(rd_alpaca_parse_positions(S("[1]"), &p, &n, &err), RD_EINVAL);
    expect_msg(&err, "positions[0]: expected an object");
    assert_int_equal(rd_alpaca_parse_positions(S("{}"), &p, &n, &err), RD_EINVAL);
    assert_null(p);
}

static void test_positions_nomem(void **state)
{
    static const char j[] = "[{\"symbol\":\"A\",\"qty\":\"1\"},{\"symbol\":\"B\",\"qty\":\"2\"}]";
    struct rd_alpaca_position *p = NULL;
    struct rd_error err = {0};
    size_t n = 0;

    (void)state;
    for (long k = 1; k < 8; k++) {
        int rc;

        rd_alloc_fail_after(k);
        rc = rd_alpaca_parse_positions(S(j), &p, &n, &err);
        rd_alloc_fail_after(0);
        if (rc == RD_OK) {
            assert_int_equal(n, 2);
            rd_free(p);
            return;
        }
        assert_int_equal(rc, RD_ENOMEM);
        assert_null(p);
    }
    fail_msg("never succeeded");
}

static void test_orders(void **state)
{
    static const char j[] =
        "{\"id\":\"61e69015-8549-4bfd-b9c3-01e75843f47d\",\"client_order_id\":\"rd-abc\","
        "\"created_at\":\"2021-03-16T18:38:01.942282Z\",\"filled_at\":null,"
        "\"symbol\":\"AAPL\",\"asset_class\":\"us_equity\",\"notional\":null,\"qty\":1,"
        "\"filled_qty\":0,\"filled_avg_price\":null,\"order_class\":\"\",\"order_type\":\"market\","
        "\"side\":\"buy\",\"time_in_force\":\"day\",\"limit_price\":null,\"status\":\"accepted\","
        "\"legs\":null,\"subtag\":null,\"source\":\"x\",\"hwm\":null}";
    struct rd_alpaca_order o;
    struct rd_order_result r;
    struct rd_error err = {0};

    (void)state;
    assert_int_equal(rd_alpaca_parse_order(S(j), &o, &err), RD_OK);
    assert_string_equal(o.client_order_id, "rd-abc");
    assert_string_equal(o.type, "market");                   /* from the deprecated alias */
    assert_int_equal(o.qty_e6, 1000000);
    assert_int_equal(o.filled_qty_e6, 0);
    assert_int_equal(rd_alpaca_order_final(&o, &r), 0);       /* still working */

    snprintf(o.status, sizeof o.status, "filled");
    o.filled_qty_e6 = 1000000;
    o.filled_avg_price = 1234567;
    assert_int_equal(rd_alpaca_order_final(&o, &r), 1);
    assert_int_equal(r.status, RD_ORDER_FILLED);
    assert_int_equal(r.filled_qty, 1);
    assert_int_equal(r.fill_price, 1234567);
    assert_string_equal(r.broker_order_id, o.id);

    snprintf(o.status, sizeof o.status, "canceled");          /* partly filled, then canceled */
    assert_int_equal(rd_alpaca_order_final(&o, &r), 1);
    assert_int_equal(r.status, RD_ORDER_FILLED);
    assert_non_null(strstr(r.reason, "partly filled, then canceled"));

    o.filled_qty_e6 = 0;
    snprintf(o.status, sizeof o.status, "expired");
    assert_int_equal(rd_alpaca_order_final(&o, &r), 1);
    assert_int_equal(r.status, RD_ORDER_CANCELED);
    snprintf(o.status, sizeof o.status, "rejected");
    assert_int_equal(rd_alpaca_order_final(&o, &r), 1);
    assert_int_equal(r.status, RD_ORDER_REJECTED);
    snprintf(o.status, sizeof o.status, "partially_filled");
    assert_int_equal(rd_alpaca_order_final(&o, &r), 0);
    snprintf(o.status, sizeof o.status, "pending_new");
    assert_int_equal(rd_alpaca_order_final(&o, &r), 0);

    assert_int_equal(rd_alpaca_parse_order(S("{\"id\":\"x\",\"status\":\"new\","
                                             "\"filled_qty\":\"-1\"}"), &o, &err), RD_EINVAL);
    expect_msg(&err, "filled_qty");
}

static void test_orders_list(void **state)
{
    static const char j[] =
        "[{\"id\":\"1\",\"status\":\"new\",\"qty\":\"3\",\"limit_price\":\"1.25\",\"type\":\"limit\"},"
        "{\"id\":\"2\",\"status\":\"filled\",\"qty\":2,\"filled_qty\":\"2\","
        "\"filled_avg_price\":\"0.05\",\"symbol\":\"X\\\"12\\\"\"}]";
    struct rd_alpaca_order *o = NULL;
    struct rd_error err = {0};
    size_t n = 0;

    (void)state;
    assert_int_equal(rd_alpaca_parse_orders(S(j), &o, &n, &err), RD_OK);
    assert_int_equal(n, 2);
    assert_int_equal(o[0].limit_price, 12500);
    assert_int_equal(o[1].filled_avg_price, 500);
    assert_string_equal(o[1].symbol, "X\"12\"");            /* digits inside a string stay text */
    rd_free(o);
}

static void test_clock(void **state)
{
    struct rd_alpaca_clock c;
    struct rd_error err = {0};

    (void)state;
    assert_int_equal(rd_alpaca_parse_clock(S("{\"timestamp\":\"2025-06-24T12:00:00.123456789-04:00\","
                                             "\"is_open\":true,\"next_open\":\"2025-06-25T09:30:00-04:00\","
                                             "\"next_close\":\"2025-06-24T16:00:00-04:00\"}"), &c, &err),
                     RD_OK);
    assert_int_equal(c.is_open, 1);
    assert_int_equal(c.timestamp, 1750780800LL);
    assert_int_equal(c.next_close, 1750795200LL);
    assert_int_equal(rd_alpaca_parse_clock(S("{\"timestamp\":\"2025-06-24T12:00:00Z\","
                                             "\"next_open\":\"2025-06-25T09:30:00Z\","
                                             "\"next_close\":\"2025-06-24T16:00:00Z\"}"), &c, &err),
                     RD_EINVAL);
    expect_msg(&err, "is_open");
    assert_int_equal(rd_alpaca_parse_clock(S("{\"timestamp\":\"yesterday\",\"is_open\":false}"), &c,
                                           &err), RD_EINVAL);
    expect_msg(&err, "timestamp");
}

static void test_cancels(void **state)
{
    static const char j[] =
        "[{\"id\":\"a\",\"status\":200},{\"id\":\"b\",\"status\":\"500\","
        "\"body\":{\"code\":50010000,\"message\":\"internal error\"}}]";
    struct rd_alpaca_cancel *c = NULL;
    struct rd_error err = {0};
    size_t n = 0;

    (void)state;
    assert_int_equal(rd_alpaca_parse_cancels(S(j), &c, &n, &err), RD_OK);
    assert_int_equal(n, 2);
    assert_int_equal(c[0].status, 200);
    assert_int_equal(c[1].status, 500);
    assert_string_equal(c[1].message, "internal error");
    rd_free(c);
    assert_int_equal(rd_alpaca_parse_cancels(S("[{\"id\":\"a\"}]"), &c, &n, &err), RD_EINVAL);
}

static void test_errors(void **state)
{
    struct rd_alpaca_error e;

    (void)state;
    rd_alpaca_parse_error(S("{\"buying_power\":\"176531.28\",\"code\":40310000,"
                            "\"cost_basis\":\"48640000\",\"message\":\"insufficient buying power\"}"),
                          &e);
    assert_int_equal(e.code, 40310000);
    assert_string_equal(e.message, "insufficient buying power");
    rd_alpaca_parse_error(S("{\"code\":40010001,\"message\":\"client_order_id must be unique\"}"), &e);
    assert_int_equal(e.code, 40010001);
    rd_alpaca_parse_error(S("{\"message\":\"unauthorized\"}"), &e);          /* no code */
    assert_int_equal(e.code, 0);
    assert_string_equal(e.message, "unauthorized");
    rd_alpaca_parse_error(S("{\"code\":\"x\",\"message\":\"odd code\"}"), &e);
    assert_int_equal(e.code, 0);
    assert_string_equal(e.message, "odd code");
    rd_alpaca_parse_error(S("<html>502 Bad Gateway</html>\r\n"), &e);
    assert_int_equal(e.code, 0);
    assert_string_equal(e.message, "<html>502 Bad Gateway</html>  ");
    rd_alpaca_parse_error("", 0, &e);
    assert_string_equal(e.message, "(empty body)");
    rd_alpaca_parse_error(NULL, 0, &e);
    assert_string_equal(e.message, "(empty body)");
    rd_alpaca_parse_error(S("{\"code\":40410000}"), &e);      /* code, no message: the body */
    assert_int_equal(e.code, 40410000);
    assert_string_equal(e.message, "{\"code\":40410000}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_account),      cmocka_unit_test(test_account_numbers_exact),
        cmocka_unit_test(test_account_bad),  cmocka_unit_test(test_positions),
        cmocka_unit_test(test_positions_nomem), cmocka_unit_test(test_orders),
        cmocka_unit_test(test_orders_list),  cmocka_unit_test(test_clock),
        cmocka_unit_test(test_cancels),      cmocka_unit_test(test_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
