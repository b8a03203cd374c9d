/*
 * postgres_reseal.c - the PostgreSQL backend's rekey (store.h, struct
 * rd_store_maint_ops reseal), as sqlite_reseal.c does it: every sealed
 * table's amounts read with the handle's key (or in clear) and written again
 * with the new key (or in clear), inside the caller's transaction. The rows
 * of a table are written BATCH_ROWS to a statement (struct batch): a round
 * trip a row made a rekey of 88,000 trader-days take 41 s.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "store/postgres_int.h"
#include "store/store_int.h"
#include "riskdesk/alloc.h"
#include "riskdesk/buf.h"
#include "riskdesk/banned.h"

#define BATCH_ROWS 1000
#define BATCH_COLS 6

/* Runs sql with n text parameters; RD_OK or the failure named by what. */
static int run(struct rd_store *s, const char *sql, int n, const char *const *values,
               const char *what, struct rd_error *err)
{
    PGresult *res = PQexecParams(rd_pg_conn(s), sql, n, NULL, values, NULL, NULL, 0);
    int rc = rd_pg_res_ok(res, PGRES_COMMAND_OK) ? RD_OK : rd_pg_fail(s, res, what, err);

    PQclear(res);
    return rc;
}

/* Rows written by one UPDATE: column i's values of every row added, as a
 * text[] literal, are sql's parameter $i+1, which the statement unnests
 * (UPDATE t SET ... FROM unnest($1::text[], ...) AS u (...) WHERE ...). */
struct batch {
    struct rd_store *s;
    const char *sql, *what;
    int ncols;
    size_t rows;
    struct rd_buf col[BATCH_COLS];
};

static void batch_init(struct batch *b, struct rd_store *s, const char *sql, int ncols,
                       const char *what)
{
    memset(b, 0, sizeof *b);
    b->s = s;
    b->sql = sql;
    b->ncols = ncols;
    b->what = what;
    for (int i = 0; i < ncols; i++)
        rd_buf_init(&b->col[i], (size_t)1 << 30);
}

/* Sends the rows added so far, if any. */
static int batch_flush(struct batch *b, struct rd_error *err)
{
    const char *v[BATCH_COLS];
    int rc = RD_OK;

    if (!b->rows)
        return RD_OK;
    for (int i = 0; i < b->ncols && rc == RD_OK; i++)
        if (rd_buf_puts(&b->col[i], "}"))
            rc = rd_error_set(err, RD_ENOMEM, "%s: out of memory", b->what);
    for (int i = 0; i < b->ncols; i++)
        v[i] = b->col[i].data;
    if (rc == RD_OK)
        rc = run(b->s, b->sql, b->ncols, v, b->what, err);
    for (int i = 0; i < b->ncols; i++)
        rd_buf_reset(&b->col[i]);
    b->rows = 0;
    return rc;
}

/* Adds a row (values[i] NULL: SQL NULL), sending the batch when full. */
static int batch_add(struct batch *b, const char *const *values, struct rd_error *err)
{
    for (int i = 0; i < b->ncols; i++) {
        struct rd_buf *c = &b->col[i];
        int bad = rd_buf_puts(c, b->rows ? "," : "{");

        if (values[i]) {     /* quoted, '"' and '\\' escaped */
            bad = bad || rd_buf_puts(c, "\"");
            for (const char *p = values[i]; *p && !bad; p++)
                bad = ((*p == '"' || *p == '\\') && rd_buf_append(c, "\\", 1)) ||
                      rd_buf_append(c, p, 1);
            bad = bad || rd_buf_puts(c, "\"");
        } else {
            bad = bad || rd_buf_puts(c, "NULL");
        }
        if (bad)
            return rd_error_set(err, RD_ENOMEM, "%s: out of memory", b->what);
    }
    return ++b->rows == BATCH_ROWS ? batch_flush(b, err) : RD_OK;
}

/* Sends what is left (when rc is RD_OK) and releases the batch. */
static int batch_end(struct batch *b, int rc, struct rd_error *err)
{
    if (rc == RD_OK)
        rc = batch_flush(b, err);
    for (int i = 0; i < b->ncols; i++)
        rd_buf_release(&b->col[i]);
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
    struct batch b;
    int rc = read_all(s, "SELECT id, txn, book, amount, sealed FROM ledger_entries ORDER BY id",
                      &res, err);

    batch_init(&b, s, "UPDATE ledger_entries e SET amount = u.amount::bigint, sealed = u.sealed "
                      "FROM unnest($1::text[], $2::text[], $3::text[]) AS u (amount, sealed, id) "
                      "WHERE e.id = u.id::bigint", 3, "rekey: ledger_entries");

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
            rc = batch_add(&b, v, err);
    }
    PQclear(res);
    return batch_end(&b, rc, err);
}

static int reseal_snapshots(struct rd_store *s, const struct rd_encryption_key *to,
                            struct rd_error *err)
{
    PGresult *res = NULL;
    struct batch b;
    int rc = read_all(s, "SELECT account, day, equity, cash, buying_power, sealed "
                         "FROM perf_snapshots ORDER BY account, day", &res, err);

    batch_init(&b, s, "UPDATE perf_snapshots p SET equity = u.eq::bigint, cash = u.cash::bigint, "
                      "buying_power = u.bp::bigint, sealed = u.sealed "
                      "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], "
                      "$6::text[]) AS u (eq, cash, bp, sealed, account, day) "
                      "WHERE p.account = u.account AND p.day = u.day::integer", 6,
               "rekey: perf_snapshots");

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
            rc = batch_add(&b, v, err);
    }
    PQclear(res);
    return batch_end(&b, rc, err);
}

static int reseal_daily(struct rd_store *s, const struct rd_encryption_key *to,
                        struct rd_error *err)
{
    PGresult *res = NULL;
    struct batch b;
    int rc = read_all(s, "SELECT trader, day, pnl, sealed FROM trader_daily ORDER BY seq", &res,
                      err);

    batch_init(&b, s, "UPDATE trader_daily t SET pnl = u.pnl::bigint, sealed = u.sealed "
                      "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) "
                      "AS u (pnl, sealed, trader, day) "
                      "WHERE t.trader = u.trader::bigint AND t.day = u.day::integer", 4,
               "rekey: trader_daily");

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
            rc = batch_add(&b, v, err);
    }
    PQclear(res);
    return batch_end(&b, rc, err);
}

static int reseal_days(struct rd_store *s, const struct rd_encryption_key *to,
                       struct rd_error *err)
{
    PGresult *res = NULL;
    struct batch b;
    int rc = read_all(s, "SELECT trader, day, realized, fees, net, sealed FROM trader_days "
                         "ORDER BY trader, day", &res, err);

    batch_init(&b, s, "UPDATE trader_days t SET realized = u.r::bigint, fees = u.f::bigint, "
                      "net = u.n::bigint, sealed = u.sealed "
                      "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], "
                      "$6::text[]) AS u (r, f, n, sealed, trader, day) "
                      "WHERE t.trader = u.trader::bigint AND t.day = u.day::integer", 6,
               "rekey: trader_days");

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
            rc = batch_add(&b, v, err);
    }
    PQclear(res);
    return batch_end(&b, rc, err);
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
