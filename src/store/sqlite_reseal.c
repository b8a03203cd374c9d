/*
 * sqlite_reseal.c - the SQLite backend's rekey (store.h, struct
 * rd_store_maint_ops reseal): every sealed table's amounts read with the
 * handle's key (or in clear) and written again with the new key (or in
 * clear), inside the caller's transaction, so a rekey that dies midway
 * leaves the store as it was. Statements are prepared here, once per rekey.
 */
#include <stdint.h>
#include <string.h>

#include <sqlite3.h>

#include "store/sqlite_int.h"
#include "store/sqlite_maint.h"
#include "store/store_int.h"
#include "riskdesk/alloc.h"
#include "riskdesk/banned.h"

/* Prepares both statements of one table's pass; RD_OK or the failure. */
static int prepare2(struct rd_store *s, const char *read_sql, const char *write_sql,
                    sqlite3_stmt **rd, sqlite3_stmt **wr, struct rd_error *err)
{
    int rc = sqlite3_prepare_v2(rd_sqlite_db(s), read_sql, -1, rd, NULL);

    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(rd_sqlite_db(s), write_sql, -1, wr, NULL);
    return rc == SQLITE_OK ? RD_OK : rd_sqlite_fail(s, rc, err, "rekey: prepare");
}

/* Binds the sealed text (to) or SQL NULL (clear) at column i. */
static void bind_sealed(sqlite3_stmt *st, int i, const struct rd_encryption_key *to,
                        const char *sealed)
{
    if (to)
        sqlite3_bind_text(st, i, sealed, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static int step_write(struct rd_store *s, sqlite3_stmt *wr, struct rd_error *err)
{
    int rc = sqlite3_step(wr);

    sqlite3_reset(wr);
    sqlite3_clear_bindings(wr);
    return rc == SQLITE_DONE ? RD_OK : rd_sqlite_fail(s, rc, err, "rekey: write");
}

static int reseal_entries(struct rd_store *s, const struct rd_encryption_key *to,
                          struct rd_error *err)
{
    sqlite3_stmt *rd = NULL, *wr = NULL;
    int rc = prepare2(s, "SELECT id, txn, book, amount, sealed FROM ledger_entries ORDER BY id",
                      "UPDATE ledger_entries SET amount = ?, sealed = ? WHERE id = ?", &rd, &wr,
                      err);
    int src = SQLITE_OK;

    while (rc == RD_OK && (src = sqlite3_step(rd)) == SQLITE_ROW) {
        struct rd_ledger_entry e = {0};
        char sealed[RD_STORE_ENTRY_SEALED];

        e.txn = sqlite3_column_int64(rd, 1);
        rd_sqlite_col_text(rd, 2, e.book, sizeof e.book);
        if (s->keyed)
            rc = rd_store_entry_open(&s->key, &e, (const char *)sqlite3_column_text(rd, 4), err);
        else
            e.amount = sqlite3_column_int64(rd, 3);
        if (rc == RD_OK && to)
            rc = rd_store_entry_seal(to, &e, sealed, sizeof sealed, err);
        if (rc == RD_OK) {
            sqlite3_bind_int64(wr, 1, to ? 0 : e.amount);
            bind_sealed(wr, 2, to, sealed);
            sqlite3_bind_int64(wr, 3, sqlite3_column_int64(rd, 0));
            rc = step_write(s, wr, err);
        }
    }
    if (rc == RD_OK && src != SQLITE_DONE)
        rc = rd_sqlite_fail(s, src, err, "rekey: read ledger_entries");
    sqlite3_finalize(rd);
    sqlite3_finalize(wr);
    return rc;
}

static int reseal_snapshots(struct rd_store *s, const struct rd_encryption_key *to,
                            struct rd_error *err)
{
    sqlite3_stmt *rd = NULL, *wr = NULL;
    int rc = prepare2(s, "SELECT account, day, equity, cash, buying_power, sealed "
                         "FROM perf_snapshots ORDER BY account, day",
                      "UPDATE perf_snapshots SET equity = ?, cash = ?, buying_power = ?, "
                      "sealed = ? WHERE account = ? AND day = ?", &rd, &wr, err);
    int src = SQLITE_OK;

    while (rc == RD_OK && (src = sqlite3_step(rd)) == SQLITE_ROW) {
        struct rd_snapshot_row r = {0};
        char sealed[RD_STORE_SNAPSHOT_SEALED];

        rd_sqlite_col_text(rd, 0, r.account, sizeof r.account);
        r.day = (int32_t)sqlite3_column_int64(rd, 1);
        if (s->keyed) {
            rc = rd_store_snapshot_open(&s->key, &r, (const char *)sqlite3_column_text(rd, 5),
                                        err);
        } else {
            r.equity = sqlite3_column_int64(rd, 2);
            r.cash = sqlite3_column_int64(rd, 3);
            r.buying_power = sqlite3_column_int64(rd, 4);
        }
        if (rc == RD_OK && to)
            rc = rd_store_snapshot_seal(to, &r, sealed, sizeof sealed, err);
        if (rc == RD_OK) {
            sqlite3_bind_int64(wr, 1, to ? 0 : r.equity);
            sqlite3_bind_int64(wr, 2, to ? 0 : r.cash);
            sqlite3_bind_int64(wr, 3, to ? 0 : r.buying_power);
            bind_sealed(wr, 4, to, sealed);
            sqlite3_bind_text(wr, 5, r.account, -1, SQLITE_STATIC);
            sqlite3_bind_int64(wr, 6, r.day);
            rc = step_write(s, wr, err);
        }
    }
    if (rc == RD_OK && src != SQLITE_DONE)
        rc = rd_sqlite_fail(s, src, err, "rekey: read perf_snapshots");
    sqlite3_finalize(rd);
    sqlite3_finalize(wr);
    return rc;
}

static int reseal_daily(struct rd_store *s, const struct rd_encryption_key *to,
                        struct rd_error *err)
{
    sqlite3_stmt *rd = NULL, *wr = NULL;
    int rc = prepare2(s, "SELECT trader, day, pnl, sealed FROM trader_daily ORDER BY rowid",
                      "UPDATE trader_daily SET pnl = ?, sealed = ? WHERE trader = ? AND day = ?",
                      &rd, &wr, err);
    int src = SQLITE_OK;

    while (rc == RD_OK && (src = sqlite3_step(rd)) == SQLITE_ROW) {
        struct rd_daily_pnl d = {0};
        int64_t trader = sqlite3_column_int64(rd, 0);
        char sealed[RD_STORE_DAILY_SEALED];

        d.day = (int32_t)sqlite3_column_int64(rd, 1);
        if (s->keyed)
            rc = rd_store_daily_open(&s->key, trader, &d,
                                     (const char *)sqlite3_column_text(rd, 3), err);
        else
            d.pnl = sqlite3_column_int64(rd, 2);
        if (rc == RD_OK && to)
            rc = rd_store_daily_seal(to, trader, &d, sealed, sizeof sealed, err);
        if (rc == RD_OK) {
            sqlite3_bind_int64(wr, 1, to ? 0 : d.pnl);
            bind_sealed(wr, 2, to, sealed);
            sqlite3_bind_int64(wr, 3, trader);
            sqlite3_bind_int64(wr, 4, d.day);
            rc = step_write(s, wr, err);
        }
    }
    if (rc == RD_OK && src != SQLITE_DONE)
        rc = rd_sqlite_fail(s, src, err, "rekey: read trader_daily");
    sqlite3_finalize(rd);
    sqlite3_finalize(wr);
    return rc;
}

static int reseal_days(struct rd_store *s, const struct rd_encryption_key *to,
                       struct rd_error *err)
{
    sqlite3_stmt *rd = NULL, *wr = NULL;
    int rc = prepare2(s, "SELECT trader, day, realized, fees, net, sealed FROM trader_days "
                         "ORDER BY trader, day",
                      "UPDATE trader_days SET realized = ?, fees = ?, net = ?, sealed = ? "
                      "WHERE trader = ? AND day = ?",
                      &rd, &wr, err);
    int src = SQLITE_OK;

    while (rc == RD_OK && (src = sqlite3_step(rd)) == SQLITE_ROW) {
        struct rd_pnl_day d = {0};
        int64_t trader = sqlite3_column_int64(rd, 0);
        char sealed[RD_STORE_DAYS_SEALED];

        d.day = (int32_t)sqlite3_column_int64(rd, 1);
        if (s->keyed) {
            rc = rd_store_days_open(&s->key, trader, &d,
                                    (const char *)sqlite3_column_text(rd, 5), err);
        } else {
            d.realized = sqlite3_column_int64(rd, 2);
            d.fees = sqlite3_column_int64(rd, 3);
            d.net = sqlite3_column_int64(rd, 4);
        }
        if (rc == RD_OK && to)
            rc = rd_store_days_seal(to, trader, &d, sealed, sizeof sealed, err);
        if (rc == RD_OK) {
            sqlite3_bind_int64(wr, 1, to ? 0 : d.realized);
            sqlite3_bind_int64(wr, 2, to ? 0 : d.fees);
            sqlite3_bind_int64(wr, 3, to ? 0 : d.net);
            bind_sealed(wr, 4, to, sealed);
            sqlite3_bind_int64(wr, 5, trader);
            sqlite3_bind_int64(wr, 6, d.day);
            rc = step_write(s, wr, err);
        }
    }
    if (rc == RD_OK && src != SQLITE_DONE)
        rc = rd_sqlite_fail(s, src, err, "rekey: read trader_days");
    sqlite3_finalize(rd);
    sqlite3_finalize(wr);
    return rc;
}

/* The sealed namespace's keys in order into *keys (*n of them; each and the
 * array rd_free'd by the caller, also on failure). kv keeps its rows in key
 * order (WITHOUT ROWID, migration 17), so a row rewritten while a scan of it
 * is open may be met again: the keys are read whole first. */
static int kv_keys(struct rd_store *s, char ***keys, size_t *n, struct rd_error *err)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int src = sqlite3_prepare_v2(rd_sqlite_db(s), "SELECT key FROM kv WHERE ns = '"
                                 RD_STORE_KV_SEALED_NS "' ORDER BY key", -1, &st, NULL);
    int rc = src == SQLITE_OK ? RD_OK : rd_sqlite_fail(s, src, err, "rekey: prepare");

    *keys = NULL;
    *n = 0;
    while (rc == RD_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            char **grown = rd_realloc(*keys, (cap = cap ? 2 * cap : 64) * sizeof *grown);

            if (!grown) {
                rc = rd_error_set(err, RD_ENOMEM, "rekey: out of memory listing kv");
                break;
            }
            *keys = grown;
        }
        if (!((*keys)[*n] = rd_strdup((const char *)sqlite3_column_text(st, 0))))
            rc = rd_error_set(err, RD_ENOMEM, "rekey: out of memory listing kv");
        else
            (*n)++;
    }
    if (rc == RD_OK && src != SQLITE_DONE)
        rc = rd_sqlite_fail(s, src, err, "rekey: read kv");
    sqlite3_finalize(st);
    return rc;
}

static int reseal_kv(struct rd_store *s, const struct rd_encryption_key *to,
                     struct rd_error *err)
{
    sqlite3_stmt *rd = NULL, *wr = NULL;
    char **keys;
    size_t n;
    int rc = kv_keys(s, &keys, &n, err);

    if (rc == RD_OK)
        rc = prepare2(s, "SELECT val FROM kv WHERE ns = '" RD_STORE_KV_SEALED_NS "' AND key = ?",
                      "UPDATE kv SET val = ? WHERE ns = '" RD_STORE_KV_SEALED_NS "' AND key = ?",
                      &rd, &wr, err);
    for (size_t i = 0; rc == RD_OK && i < n; i++) {
        const char *k = keys[i], *v;
        char *plain = NULL, *sealed = NULL;
        int src;

        sqlite3_bind_text(rd, 1, k, -1, SQLITE_STATIC);
        if ((src = sqlite3_step(rd)) != SQLITE_ROW) {
            rc = src == SQLITE_DONE ? rd_error_set(err, RD_ESTORE, "rekey: kv %.64s: gone while "
                                                   "rekeying", k)
                                    : rd_sqlite_fail(s, src, err, "rekey: read kv");
            break;
        }
        v = (const char *)sqlite3_column_text(rd, 0);
        if (s->keyed)
            rc = rd_store_kv_open(&s->key, RD_STORE_KV_SEALED_NS, k, v ? v : "",
                                  (size_t)sqlite3_column_bytes(rd, 0), &plain, err);
        if (rc == RD_OK && to)
            rc = rd_store_kv_seal(to, RD_STORE_KV_SEALED_NS, k, plain ? plain : v, &sealed, err);
        if (rc == RD_OK) {
            sqlite3_bind_text(wr, 1, sealed ? sealed : plain ? plain : v, -1, SQLITE_STATIC);
            sqlite3_bind_text(wr, 2, k, -1, SQLITE_STATIC);
            rc = step_write(s, wr, err);
        }
        sqlite3_reset(rd);
        rd_free(plain);
        rd_free(sealed);
    }
    for (size_t i = 0; i < n; i++)
        rd_free(keys[i]);
    rd_free(keys);
    sqlite3_finalize(rd);
    sqlite3_finalize(wr);
    return rc;
}

int rd_sqlite_reseal(struct rd_store *s, const struct rd_encryption_key *to, struct rd_error *err)
{
    sqlite3 *db = rd_sqlite_db(s);
    int rc;

    if (sqlite3_get_autocommit(db))
        return rd_error_set(err, RD_EINVAL, "store %s: reseal outside a transaction",
                            rd_sqlite_path(s));
    /* the ledger's append-only trigger, lifted for this transaction only */
    rc = sqlite3_exec(db, "DROP TRIGGER ledger_entries_no_update", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return rd_sqlite_fail(s, rc, err, "rekey: lift ledger_entries_no_update");
    rc = reseal_entries(s, to, err);
    if (rc == RD_OK)
        rc = reseal_snapshots(s, to, err);
    if (rc == RD_OK)
        rc = reseal_kv(s, to, err);
    if (rc == RD_OK)
        rc = reseal_daily(s, to, err);
    if (rc == RD_OK)
        rc = reseal_days(s, to, err);
    if (rc == RD_OK && sqlite3_exec(db, RD_SQLITE_ENTRIES_NO_UPDATE, NULL, NULL, NULL) != SQLITE_OK)
        rc = rd_sqlite_fail(s, sqlite3_errcode(db), err, "rekey: restore ledger_entries_no_update");
    return rc;
}
