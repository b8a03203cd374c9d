/*
 * store_contract_key.h - encryption at rest (store.h, rd_store_open_keyed):
 * a store takes the key it is first used with, then refuses none and another
 * key without changing anything; a store holding amounts in clear refuses a
 * key until rekeyed; with its key, every operation on sealed amounts reads
 * back what was written. Included by store_contract.h.
 */
#ifndef RISKDESK_TESTS_STORE_CONTRACT_KEY_H
#define RISKDESK_TESTS_STORE_CONTRACT_KEY_H

static struct rd_encryption_key ct_key(unsigned char first)
{
    struct rd_encryption_key k;

    for (int i = 0; i < RD_ENCRYPTION_KEY_LEN; i++)
        k.bytes[i] = (unsigned char)(first + 3 * i);
    return k;
}

/* Reopens the fixture's store with key (NULL: none); the open's result. */
static int ct_reopen(struct fixture *f, const struct rd_encryption_key *key, struct rd_error *err)
{
    rd_store_close(f->s);
    f->s = NULL;
    return rd_store_open_keyed(f->url, key, &f->s, err);
}

static void test_key_check(void **state)
{
    struct fixture *f = *state;
    struct rd_encryption_key a = ct_key(1), b = ct_key(2);
    struct rd_error err = {0};
    char check[256];

    /* a new store has no check value, and opens with no key as before */
    assert_int_equal(f->s->ops->maint->key_check_get(f->s, check, sizeof check, &err),
                     RD_ENOTFOUND);
    /* used with a key while it holds nothing to seal: it takes the key */
    assert_int_equal(ct_reopen(f, &a, &err), RD_OK);
    assert_int_equal(f->s->ops->maint->key_check_get(f->s, check, sizeof check, &err), RD_OK);
    assert_true(rd_crypt_is_sealed(check, strlen(check)));

    assert_int_equal(ct_reopen(f, NULL, &err), RD_EAUTH);
    assert_null(f->s);
    assert_non_null(strstr(err.msg, "sealed with an encryption key, and none is configured"));
    assert_non_null(strstr(err.msg, "encryption.key"));
    assert_int_equal(ct_reopen(f, &b, &err), RD_EAUTH);
    assert_null(f->s);
    assert_non_null(strstr(err.msg, "encryption.key is not the key"));
    assert_non_null(strstr(err.msg, "riskdesk store rekey"));
    /* neither refusal changed the check value */
    assert_int_equal(ct_reopen(f, &a, &err), RD_OK);
    {
        char again[256];

        assert_int_equal(f->s->ops->maint->key_check_get(f->s, again, sizeof again, &err), RD_OK);
        assert_string_equal(again, check);
    }
}

static void test_key_refused_on_clear_amounts(void **state)
{
    struct fixture *f = *state;
    struct rd_encryption_key a = ct_key(1);
    struct rd_ledger_entry e[2];
    struct rd_ledger_txn t;
    struct rd_error err = {0};
    char check[256];

    assert_int_equal(rd_ledger_flow(RD_LEDGER_OPEN, "g1", 1234578900, e, &err), RD_OK);
    ledger_txn(&t, "open/g1", RD_LEDGER_OPEN, NOW);
    assert_int_equal(f->s->ops->ledger->txn_add(f->s, &t, e, 2, &err), RD_OK);
    assert_int_equal(ct_reopen(f, &a, &err), RD_EINVAL);
    assert_null(f->s);
    assert_non_null(strstr(err.msg, "holds amounts in clear"));
    assert_non_null(strstr(err.msg, "riskdesk store rekey --new-key"));
    /* and took no key */
    assert_int_equal(ct_reopen(f, NULL, &err), RD_OK);
    assert_int_equal(f->s->ops->maint->key_check_get(f->s, check, sizeof check, &err),
                     RD_ENOTFOUND);
}

/* The ledger with a key: every read, list, balance and node's sums as
 * without one, then an amount copied into a row of another book refuses to
 * open. */
static void test_key_ledger_sealed(void **state)
{
    struct fixture *f = *state;
    struct rd_encryption_key a = ct_key(1);
    struct ledger_seen seen = {0};
    struct rd_ledger_sums sums;
    struct rd_error err = {0};

    assert_int_equal(ct_reopen(f, &a, &err), RD_OK);
    test_ledger_txns(state);
    test_ledger_node_sums(state);
    ct_sql_exec(f, "INSERT INTO ledger_entries (txn, book, amount, sealed) SELECT txn, "
                   "'g1:reserved', amount, sealed FROM ledger_entries WHERE book = '@pnl'");
    assert_int_equal(f->s->ops->ledger->book_list(f->s, "g1", see_book, &seen, &err), RD_ESTORE);
    assert_non_null(strstr(err.msg, ":g1:reserved/amount: the value does not open"));
    assert_int_equal(f->s->ops->ledger->node_sums(f->s, "g1", &sums, &err), RD_ESTORE);
    assert_non_null(strstr(err.msg, ":g1:reserved/amount: the value does not open"));
    assert_int_equal(f->s->ops->ledger->entry_list(f->s, NULL, see_entry, &seen, &err),
                     RD_ESTORE);
}

/* The paper account's documents, sealed with a key, written many at once in
 * the shared modes too: they read back through the key. */
static void test_key_kv_shared_sealed(void **state)
{
    struct fixture *f = *state;
    struct rd_encryption_key a = ct_key(1);
    struct rd_error err = {0};
    const char *keys[] = {"alice", "bob"};
    const char *vals[] = {"{\"cash\": \"100\"}", "{\"cash\": \"200\"}"};
    int written[2];

    assert_int_equal(ct_reopen(f, &a, &err), RD_OK);
    assert_int_equal(rd_store_kv_put_shared_many(f->s, "paper.account", keys, vals, 2,
                                                 RD_KV_SHARED_NEW, written, &err), RD_OK);
    assert_true(written[0] && written[1]);
    ct_kv_are(f->s, "paper.account", keys, vals, 2);
    assert_int_equal(rd_store_kv_put_shared_many(f->s, "paper.account", keys + 1, vals, 1,
                                                 RD_KV_SHARED, written, &err), RD_OK);
    ct_kv_are(f->s, "paper.account", keys + 1, vals, 1);
}

/* Performance snapshots with a key: the perf contract as without one, then
 * one account's sealed amounts copied onto another's row refuse to open. */
static void test_key_snapshots_sealed(void **state)
{
    struct fixture *f = *state;
    struct rd_encryption_key a = ct_key(1);
    struct rd_snapshot_row got;
    struct rd_error err = {0};

    assert_int_equal(ct_reopen(f, &a, &err), RD_OK);
    test_perf_snapshots_events_trades(state);
    assert_int_equal(f->s->ops->perf->snapshot_get(f->s, "A", 20401, &got, &err), RD_OK);
    assert_int_equal(got.equity, RD_DOLLARS(1001));
    ct_sql_exec(f, "UPDATE perf_snapshots SET sealed = (SELECT sealed FROM perf_snapshots "
                   "WHERE account = 'B' AND day = 20400) WHERE account = 'A'");
    assert_int_equal(f->s->ops->perf->snapshot_get(f->s, "A", 20401, &got, &err), RD_ESTORE);
    assert_non_null(strstr(err.msg, "perf_snapshots/A:20401/sealed: the value does not open"));
}

/* Traders' daily P&L with a key: the traders' contract as without one, the
 * same after a rekey to clear and back, then one day's sealed P&L copied onto
 * another day's row refuses to open. */
static void test_key_daily_sealed(void **state)
{
    struct fixture *f = *state;
    struct rd_encryption_key a = ct_key(1);
    struct rd_fills back;
    struct rd_error err = {0};

    assert_int_equal(ct_reopen(f, &a, &err), RD_OK);
    test_trader_daily_conflict(state);
    /* rekeyed to clear and sealed again, the P&L reads the same */
    assert_int_equal(rd_store_rekey(f->s, NULL, &err), RD_OK);
    assert_int_equal(ct_reopen(f, NULL, &err), RD_OK);
    assert_int_equal(rd_store_rekey(f->s, &a, &err), RD_OK);
    assert_int_equal(ct_reopen(f, &a, &err), RD_OK);
    rd_fills_init(&back);
    assert_int_equal(f->s->ops->traders->trader_load(f->s, RD_TRADER_LOAD_DAILY, &back, &err),
                     RD_OK);
    assert_int_equal(back.ndaily, 2);
    assert_true(back.daily[1].pnl == RD_DOLLARS(20));
    rd_fills_release(&back);
    ct_sql_exec(f, "UPDATE trader_daily SET sealed = (SELECT sealed FROM trader_daily "
                   "WHERE day = 19800) WHERE day = 19801");
    rd_fills_init(&back);
    assert_int_equal(f->s->ops->traders->trader_load(f->s, RD_TRADER_LOAD_DAILY, &back, &err),
                     RD_ESTORE);
    assert_non_null(strstr(err.msg, ":19801/pnl: the value does not open"));
    rd_fills_release(&back);
}

/* Amounts as the store reads them: g1's two books and a snapshot's equity. */
static void ct_amounts(struct fixture *f, int64_t out[3])
{
    struct ledger_seen seen = {0};
    struct rd_snapshot_row got;
    struct rd_error err = {0};

    assert_int_equal(f->s->ops->ledger->book_list(f->s, "g1", see_book, &seen, &err), RD_OK);
    assert_int_equal(seen.n, 2);
    out[0] = seen.b[0].balance;
    out[1] = seen.b[1].balance;
    assert_int_equal(f->s->ops->perf->snapshot_get(f->s, "A", 20401, &got, &err), RD_OK);
    out[2] = got.equity;
}

/* Rekey: clear to a key, to another, back to clear, each time every amount
 * read back the same and the old key (or none) refused; a rekey that fails
 * midway leaves the store as it was. */
static void test_key_rekey(void **state)
{
    struct fixture *f = *state;
    struct rd_encryption_key a = ct_key(1), b = ct_key(2);
    struct rd_ledger_entry e[3];
    struct rd_ledger_txn t;
    struct rd_snapshot_row r = {.account = "A", .day = 20401, .equity = 123457890000,
                                .cash = 1, .buying_power = 2, .taken_at = NOW};
    struct rd_error err = {0};
    int64_t want[3], got[3];
    char check[256], again[256];

    assert_int_equal(rd_ledger_flow(RD_LEDGER_OPEN, "g1", 1234578900, e, &err), RD_OK);
    ledger_txn(&t, "open/g1", RD_LEDGER_OPEN, NOW);
    assert_int_equal(f->s->ops->ledger->txn_add(f->s, &t, e, 2, &err), RD_OK);
    ledger_txn(&t, "k2", RD_LEDGER_PNL_KIND, NOW + 1);
    e[0] = (struct rd_ledger_entry){.book = "g1:available", .amount = -30000};
    e[1] = (struct rd_ledger_entry){.book = "g1:reserved", .amount = 10000};
    e[2] = (struct rd_ledger_entry){.book = "@pnl", .amount = 20000};
    assert_int_equal(f->s->ops->ledger->txn_add(f->s, &t, e, 3, &err), RD_OK);
    assert_int_equal(f->s->ops->perf->snapshot_put(f->s, &r, &err), RD_OK);
    ct_amounts(f, want);
    assert_int_equal(want[0], 1234578900 - 30000);

    assert_int_equal(rd_store_rekey(f->s, &a, &err), RD_OK);
    ct_amounts(f, got);                              /* the handle goes on with a */
    assert_memory_equal(got, want, sizeof want);
    assert_int_equal(ct_reopen(f, NULL, &err), RD_EAUTH);
    assert_int_equal(ct_reopen(f, &a, &err), RD_OK);
    ct_amounts(f, got);
    assert_memory_equal(got, want, sizeof want);

    assert_int_equal(rd_store_rekey(f->s, &b, &err), RD_OK);
    assert_int_equal(ct_reopen(f, &a, &err), RD_EAUTH);
    assert_int_equal(ct_reopen(f, &b, &err), RD_OK);
    ct_amounts(f, got);
    assert_memory_equal(got, want, sizeof want);

    /* a rekey that fails midway (a sealed value moved: it cannot be
     * opened) leaves every value and the check value as they were */
    assert_int_equal(f->s->ops->maint->key_check_get(f->s, check, sizeof check, &err), RD_OK);
    ct_sql_exec(f, "UPDATE perf_snapshots SET sealed = (SELECT sealed FROM ledger_entries "
                   "WHERE book = '@pnl')");
    assert_int_equal(rd_store_rekey(f->s, &a, &err), RD_ESTORE);
    assert_non_null(strstr(err.msg, "perf_snapshots/A:20401/sealed"));
    assert_int_equal(ct_reopen(f, &b, &err), RD_OK);
    assert_int_equal(f->s->ops->maint->key_check_get(f->s, again, sizeof again, &err), RD_OK);
    assert_string_equal(again, check);
    {
        struct ledger_seen seen = {0};

        assert_int_equal(f->s->ops->ledger->book_list(f->s, "g1", see_book, &seen, &err), RD_OK);
        assert_int_equal(seen.b[0].balance, want[0]);
    }
    assert_int_equal(f->s->ops->perf->snapshot_delete(f->s, "A", 20401, &err), RD_OK);

    assert_int_equal(rd_store_rekey(f->s, NULL, &err), RD_OK);
    assert_int_equal(ct_reopen(f, NULL, &err), RD_OK);
    assert_int_equal(f->s->ops->maint->key_check_get(f->s, check, sizeof check, &err),
                     RD_ENOTFOUND);
    {
        struct ledger_seen seen = {0};

        assert_int_equal(f->s->ops->ledger->book_list(f->s, "g1", see_book, &seen, &err), RD_OK);
        assert_int_equal(seen.b[0].balance, want[0]);
        assert_int_equal(seen.b[1].balance, want[1]);
    }
}

#endif
