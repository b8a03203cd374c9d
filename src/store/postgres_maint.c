/*
 * postgres_maint.c - the PostgreSQL backend's maintenance operations (store.h,
 * struct rd_store_maint_ops): the database's size and VACUUM (ANALYZE), and
 * the encryption key's check value (store_key.c). Kept
 * apart from postgres.c: plain statements on the handle's connection, never
 * inside a transaction (PostgreSQL refuses VACUUM in one).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store/postgres_int.h"
#include "store/store_int.h"
#include "riskdesk/banned.h"

static int pg_size(struct rd_store *s, int64_t *bytes, struct rd_error *err)
{
    PGresult *res = PQexec(rd_pg_conn(s), "SELECT pg_database_size(current_database())");
    int rc = RD_OK;

    if (!rd_pg_res_ok(res, PGRES_TUPLES_OK) || PQntuples(res) != 1)
        rc = rd_pg_fail(s, res, "database size", err);
    else
        *bytes = rd_pg_col_i64(res, 0, 0);
    PQclear(res);
    return rc;
}

static int pg_vacuum(struct rd_store *s, struct rd_error *err)
{
    PGresult *res;
    int rc = RD_OK;

    if (rd_pg(s)->depth > 0)
        return rd_error_set(err, RD_EINVAL, "store: vacuum inside a transaction: VACUUM "
                            "(ANALYZE) needs none open");
    res = PQexec(rd_pg_conn(s), "VACUUM (ANALYZE)");
    if (!rd_pg_res_ok(res, PGRES_COMMAND_OK))
        rc = rd_pg_fail(s, res, "VACUUM (ANALYZE)", err);
    PQclear(res);
    return rc;
}

static int pg_key_check_get(struct rd_store *s, char *out, size_t cap, struct rd_error *err)
{
    PGresult *res = PQexec(rd_pg_conn(s), "SELECT check_value FROM store_key WHERE id = 1");
    int rc = RD_OK;

    if (!rd_pg_res_ok(res, PGRES_TUPLES_OK))
        rc = rd_pg_fail(s, res, "read the key check value", err);
    else if (PQntuples(res) == 0)
        rc = RD_ENOTFOUND;
    else if (strlen(rd_pg_col_cstr(res, 0, 0)) >= cap)
        rc = rd_error_set(err, RD_ESTORE, "store: store_key holds no check value riskdesk wrote");
    else
        rd_pg_col_text(res, 0, 0, out, cap);
    PQclear(res);
    return rc;
}

/* Runs sql with text and at as $1 and $2 (none when text is NULL). */
static int key_check_write(struct rd_store *s, const char *sql, const char *text, int64_t at,
                           struct rd_error *err)
{
    char when[24];
    const char *values[2] = {text, when};
    PGresult *res;
    int rc = RD_OK;

    snprintf(when, sizeof when, "%lld", (long long)at);
    res = text ? PQexecParams(rd_pg_conn(s), sql, 2, NULL, values, NULL, NULL, 0)
               : PQexec(rd_pg_conn(s), sql);
    if (!rd_pg_res_ok(res, PGRES_COMMAND_OK))
        rc = rd_pg_fail(s, res, "write the key check value", err);
    PQclear(res);
    return rc;
}

static int pg_key_check_set(struct rd_store *s, const char *text, int64_t at,
                            struct rd_error *err)
{
    return key_check_write(s, text ? "INSERT INTO store_key (id, check_value, set_at) "
                                     "VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET "
                                     "check_value = excluded.check_value, set_at = excluded.set_at"
                                   : "DELETE FROM store_key", text, at, err);
}

static int pg_key_check_take(struct rd_store *s, const char *text, int64_t at,
                             struct rd_error *err)
{
    return key_check_write(s, "INSERT INTO store_key (id, check_value, set_at) "
                              "VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING", text, at, err);
}

static int pg_holds_amounts(struct rd_store *s, int *yes, struct rd_error *err)
{
    PGresult *res = PQexec(rd_pg_conn(s), RD_STORE_SEALED_SQL);
    int rc = RD_OK;

    if (!rd_pg_res_ok(res, PGRES_TUPLES_OK) || PQntuples(res) != 1)
        rc = rd_pg_fail(s, res, "look for amounts", err);
    else
        *yes = rd_pg_col_i64(res, 0, 0) != 0;
    PQclear(res);
    return rc;
}

const struct rd_store_maint_ops rd_pg_maint_ops = {
    .version = 3,
    .size = pg_size,
    .vacuum = pg_vacuum,
    .key_check_get = pg_key_check_get,
    .key_check_set = pg_key_check_set,
    .key_check_take = pg_key_check_take,
    .holds_amounts = pg_holds_amounts,
    .reseal = rd_pg_reseal,
};
