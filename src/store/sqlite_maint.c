/*
 * sqlite_maint.c - the SQLite backend's maintenance operations (store.h,
 * struct rd_store_maint_ops): the database's size and VACUUM.
 */
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include "store/sqlite_int.h"
#include "store/sqlite_maint.h"
#include "riskdesk/banned.h"

/* One integer from a PRAGMA that answers one row. */
static int pragma_int(struct rd_store *s, const char *sql, int64_t *out, struct rd_error *err)
{
    sqlite3 *db = rd_sqlite_db(s);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int64(st, 0);
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK)
        return rd_sqlite_fail(s, rc, err, sql);
    return RD_OK;
}

static int sq_size(struct rd_store *s, int64_t *bytes, struct rd_error *err)
{
    int64_t pages = 0, page_size = 0;
    int rc = pragma_int(s, "PRAGMA page_count", &pages, err);

    if (rc == RD_OK)
        rc = pragma_int(s, "PRAGMA page_size", &page_size, err);
    if (rc == RD_OK)
        *bytes = pages * page_size;
    return rc;
}

static int sq_vacuum(struct rd_store *s, struct rd_error *err)
{
    sqlite3 *db = rd_sqlite_db(s);
    int rc;

    if (!sqlite3_get_autocommit(db))
        return rd_error_set(err, RD_EINVAL, "store %s: vacuum inside a transaction: VACUUM "
                            "needs none open", rd_sqlite_path(s));
    rc = sqlite3_exec(db, "VACUUM", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "ANALYZE", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return rd_sqlite_fail(s, rc, err, "VACUUM");
    return RD_OK;
}

const struct rd_store_maint_ops rd_sqlite_maint_ops = {
    .version = 1,
    .size = sq_size,
    .vacuum = sq_vacuum,
};
