/*
 * store_contract_traders.h - the storage contract on the traders' tables: a
 * trader-day stored twice is refused, and nothing of the call kept.
 *
 * Part of the contract in store_contract.h, which includes it after the
 * fixture, rows and visitors it uses; not included on its own.
 */
#ifndef RISKDESK_TESTS_STORE_CONTRACT_TRADERS_H
#define RISKDESK_TESTS_STORE_CONTRACT_TRADERS_H

#include "riskdesk/fills.h"

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
    assert_int_equal(s->ops->traders->trader_import_add(s, &imp, &err), RD_OK);
    assert_int_equal(s->ops->traders->trader_daily_add(s, imp.id, &fs, 0, 2, &err), RD_OK);
    /* rows 1..2: row 1 (alice, 19801) is stored already; row 2 is new but not kept */
    memset(imp.sha256, 'd', 64);
    assert_int_equal(s->ops->traders->trader_import_add(s, &imp, &err), RD_OK);
    assert_int_equal(s->ops->traders->trader_daily_add(s, imp.id, &fs, 1, 2, &err), RD_EEXIST);
    assert_non_null(strstr(err.msg, "already exists"));
    rd_fills_init(&back);
    assert_int_equal(s->ops->traders->trader_load(s, RD_TRADER_LOAD_DAILY, &back, &err), RD_OK);
    assert_int_equal(back.ndaily, 2);
    assert_true(back.daily[1].pnl == RD_DOLLARS(20));
    rd_fills_release(&back);
    rd_fills_release(&fs);
}

#endif
