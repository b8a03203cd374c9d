/*
 * postgres_maint.c - the PostgreSQL backend's maintenance operations (store.h,
 * struct rd_store_maint_ops): the database's size and VACUUM (ANALYZE). Kept
 * apart from postgres.c: plain statements on the handle's connection, never
 * inside a transaction (PostgreSQL refuses VACUUM in one).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store/postgres_int.h"
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

const struct rd_store_maint_ops rd_pg_maint_ops = {
    .version = 1,
    .size = pg_size,
    .vacuum = pg_vacuum,
};
