/*
 * postgres_reseal.c - the PostgreSQL backend's rekey (store.h, struct
 * rd_store_maint_ops reseal), as sqlite_reseal.c does it: every sealed
 * table's amounts read with the handle's key (or in clear) and written again
 * with the new key (or in clear), inside the caller's transaction.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "store/postgres_int.h"
#include "store/store_int.h"
#include "riskdesk/alloc.h"
#include "riskdesk/banned.h"

/* Runs sql with n text parameters; RD_OK or the failure named by what. */
static int run(struct rd_store *s, const char *sql, int n, const char *const *values,
               const char *what, struct rd_error *err)
{
    PGresult *res = PQexecParams(rd_pg_conn(s), sql, n, NULL, values, NULL, NULL, 0);
    int rc = rd_pg_res_ok(res, PGRES_COMMAND_OK) ? RD_OK : rd_pg_fail(s, res, what, err);

    PQclear(res);
    return rc;
}

static int read_all(struct rd_store *s, const char *sql, PGresult **res, struct rd_error *err)
{
    *res = PQexec(rd_pg_conn(s), sql);
    return rd_pg_res_ok(*res, PGRES_TUPLES_OK) ? RD_OK : rd_pg_fail(s, *res, "rekey: read", err);
}

static const char *sealed_col(const PGresult *r, int row, int i)
{
    return PQgetisnull(r, row, i) ? NULL : rd_pg_col_cstr(r, row, i);
}

static int reseal_entries(struct rd_store *s, const struct rd_encryption_key *to,
                          struct rd_error *err)
{
    PGresult *res = NULL;
    int rc = read_all(s, "SELECT id, txn, book, amount, sealed FROM ledger_entries ORDER BY id",
                      &res, err);

    for (int i = 0, n = rc ? 0 : PQntuples(res); rc == RD_OK && i < n; i++) {
        struct rd_ledger_entry e = {0};
        char sealed[RD_STORE_ENTRY_SEALED], amount[24];
        const char *v[3] = {amount, to ? sealed : NULL, rd_pg_col_cstr(res, i, 0)};

        e.txn = rd_pg_col_i64(res, i, 1);
        rd_pg_col_text(res, i, 2, e.book, sizeof e.book);
        if (s->keyed)
            rc = rd_store_entry_open(&s->key, &e, sealed_col(res, i, 4), err);
        else
            e.amount = rd_pg_col_i64(res, i, 3);
        if (rc == RD_OK && to)
            rc = rd_store_entry_seal(to, &e, sealed, sizeof sealed, err);
        snprintf(amount, sizeof amount, "%lld", to ? 0LL : (long long)e.amount);
        if (rc == RD_OK)
            rc = run(s, "UPDATE ledger_entries SET amount = $1, sealed = $2 WHERE id = $3", 3, v,
                     "rekey: ledger_entries", err);
    }
    PQclear(res);
    return rc;
}

static int reseal_snapshots(struct rd_store *s, const struct rd_encryption_key *to,
                            struct rd_error *err)
{
    PGresult *res = NULL;
    int rc = read_all(s, "SELECT account, day, equity, cash, buying_power, sealed "
                         "FROM perf_snapshots ORDER BY account, day", &res, err);

    for (int i = 0, n = rc ? 0 : PQntuples(res); rc == RD_OK && i < n; i++) {
        struct rd_snapshot_row r = {0};
        char sealed[RD_STORE_SNAPSHOT_SEALED], eq[24], cash[24], bp[24];
        const char *v[6] = {eq, cash, bp, to ? sealed : NULL, rd_pg_col_cstr(res, i, 0),
                            rd_pg_col_cstr(res, i, 1)};

        rd_pg_col_text(res, i, 0, r.account, sizeof r.account);
        r.day = (int32_t)rd_pg_col_i64(res, i, 1);
        if (s->keyed) {
            rc = rd_store_snapshot_open(&s->key, &r, sealed_col(res, i, 5), err);
        } else {
            r.equity = rd_pg_col_i64(res, i, 2);
            r.cash = rd_pg_col_i64(res, i, 3);
            r.buying_power = rd_pg_col_i64(res, i, 4);
        }
        if (rc == RD_OK && to)
            rc = rd_store_snapshot_seal(to, &r, sealed, sizeof sealed, err);
        snprintf(eq, sizeof eq, "%lld", to ? 0LL : (long long)r.equity);
        snprintf(cash, sizeof cash, "%lld", to ? 0LL : (long long)r.cash);
        snprintf(bp, sizeof bp, "%lld", to ? 0LL : (long long)r.buying_power);
        if (rc == RD_OK)
            rc = run(s, "UPDATE perf_snapshots SET equity = $1, cash = $2, buying_power = $3, "
                        "sealed = $4 WHERE account = $5 AND day = $6", 6, v,
                     "rekey: perf_snapshots", err);
    }
    PQclear(res);
    return rc;
}

static int reseal_daily(struct rd_store *s, const struct rd_encryption_key *to,
                        struct rd_error *err)
{
    PGresult *res = NULL;
    int rc = read_all(s, "SELECT trader, day, pnl, sealed FROM trader_daily ORDER BY seq", &res,
                      err);

    for (int i = 0, n = rc ? 0 : PQntuples(res); rc == RD_OK && i < n; i++) {
        struct rd_daily_pnl d = {0};
        int64_t trader = rd_pg_col_i64(res, i, 0);
        char sealed[RD_STORE_DAILY_SEALED], pnl[24];
        const char *v[4] = {pnl, to ? sealed : NULL, rd_pg_col_cstr(res, i, 0),
                            rd_pg_col_cstr(res, i, 1)};

        d.day = (int32_t)rd_pg_col_i64(res, i, 1);
        if (s->keyed)
            rc = rd_store_daily_open(&s->key, trader, &d, sealed_col(res, i, 3), err);
        else
            d.pnl = rd_pg_col_i64(res, i, 2);
        if (rc == RD_OK && to)
            rc = rd_store_daily_seal(to, trader, &d, sealed, sizeof sealed, err);
        snprintf(pnl, sizeof pnl, "%lld", to ? 0LL : (long long)d.pnl);
        if (rc == RD_OK)
            rc = run(s, "UPDATE trader_daily SET pnl = $1, sealed = $2 WHERE trader = $3 AND "
                        "day = $4", 4, v, "rekey: trader_daily", err);
    }
    PQclear(res);
    return rc;
}

static int reseal_days(struct rd_store *s, const struct rd_encryption_key *to,
                       struct rd_error *err)
{
    PGresult *res = NULL;
    int rc = read_all(s, "SELECT trader, day, realized, fees, net, sealed FROM trader_days "
                         "ORDER BY trader, day", &res, err);

    for (int i = 0, n = rc ? 0 : PQntuples(res); rc == RD_OK && i < n; i++) {
        struct rd_pnl_day d = {0};
        int64_t trader = rd_pg_col_i64(res, i, 0);
        char sealed[RD_STORE_DAYS_SEALED], amt[3][24];
        const char *v[6] = {amt[0], amt[1], amt[2], to ? sealed : NULL,
                            rd_pg_col_cstr(res, i, 0), rd_pg_col_cstr(res, i, 1)};

        d.day = (int32_t)rd_pg_col_i64(res, i, 1);
        if (s->keyed) {
            rc = rd_store_days_open(&s->key, trader, &d, sealed_col(res, i, 5), err);
        } else {
            d.realized = rd_pg_col_i64(res, i, 2);
            d.fees = rd_pg_col_i64(res, i, 3);
            d.net = rd_pg_col_i64(res, i, 4);
        }
        if (rc == RD_OK && to)
            rc = rd_store_days_seal(to, trader, &d, sealed, sizeof sealed, err);
        snprintf(amt[0], sizeof amt[0], "%lld", to ? 0LL : (long long)d.realized);
        snprintf(amt[1], sizeof amt[1], "%lld", to ? 0LL : (long long)d.fees);
        snprintf(amt[2], sizeof amt[2], "%lld", to ? 0LL : (long long)d.net);
        if (rc == RD_OK)
            rc = run(s, "UPDATE trader_days SET realized = $1, fees = $2, net = $3, sealed = $4 "
                        "WHERE trader = $5 AND day = $6", 6, v, "rekey: trader_days", err);
    }
    PQclear(res);
    return rc;
}

static int reseal_kv(struct rd_store *s, const struct rd_encryption_key *to,
                     struct rd_error *err)
{
    PGresult *res = NULL;
    int rc = read_all(s, "SELECT key, val FROM kv WHERE ns = '" RD_STORE_KV_SEALED_NS "' "
                         "ORDER BY key", &res, err);

    for (int i = 0, n = rc ? 0 : PQntuples(res); rc == RD_OK && i < n; i++) {
        const char *k = rd_pg_col_cstr(res, i, 0), *v = rd_pg_col_cstr(res, i, 1);
        char *plain = NULL, *sealed = NULL;

        if (s->keyed)
            rc = rd_store_kv_open(&s->key, RD_STORE_KV_SEALED_NS, k, v,
                                  (size_t)PQgetlength(res, i, 1), &plain, err);
        if (rc == RD_OK && to)
            rc = rd_store_kv_seal(to, RD_STORE_KV_SEALED_NS, k, plain ? plain : v, &sealed, err);
        if (rc == RD_OK) {
            const char *values[2] = {sealed ? sealed : plain ? plain : v, k};

            rc = run(s, "UPDATE kv SET val = $1 WHERE ns = '" RD_STORE_KV_SEALED_NS "' AND "
                        "key = $2", 2, values, "rekey: kv", err);
        }
        rd_free(plain);
        rd_free(sealed);
    }
    PQclear(res);
    return rc;
}

int rd_pg_reseal(struct rd_store *s, const struct rd_encryption_key *to, struct rd_error *err)
{
    int rc;

    if (rd_pg(s)->depth == 0)
        return rd_error_set(err, RD_EINVAL, "store: reseal outside a transaction");
    /* the ledger's append-only trigger, lifted for this transaction only */
    rc = run(s, "ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only", 0, NULL,
             "rekey: lift ledger_entries_append_only", err);
    if (rc == RD_OK)
        rc = reseal_entries(s, to, err);
    if (rc == RD_OK)
        rc = reseal_snapshots(s, to, err);
    if (rc == RD_OK)
        rc = reseal_kv(s, to, err);
    if (rc == RD_OK)
        rc = reseal_daily(s, to, err);
    if (rc == RD_OK)
        rc = reseal_days(s, to, err);
    if (rc == RD_OK)
        rc = run(s, "ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_append_only", 0,
                 NULL, "rekey: restore ledger_entries_append_only", err);
    return rc;
}
