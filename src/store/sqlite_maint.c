/*
 * sqlite_maint.c - the SQLite backend's maintenance operations (store.h,
 * struct rd_store_maint_ops): the database's size and VACUUM, and the
 * encryption key's check value (store_key.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store/sqlite_int.h"
#include "store/sqlite_maint.h"
#include "store/store_int.h"
#include "riskdesk/banned.h"

/* One integer from a PRAGMA or query that answers one row. */
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

static int sq_key_check_get(struct rd_store *s, char *out, size_t cap, struct rd_error *err)
{
    static const char sql[] = "SELECT check_value FROM store_key WHERE id = 1";
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(rd_sqlite_db(s), sql, -1, &st, NULL), ret = RD_OK;

    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        ret = RD_ENOTFOUND;
    } else if (rc == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);

        if (!v || strlen(v) >= cap)
            ret = rd_error_set(err, RD_ESTORE, "store %s: store_key holds no check value "
                               "riskdesk wrote", rd_sqlite_path(s));
        else
            memcpy(out, v, strlen(v) + 1);
    } else {
        ret = rd_sqlite_fail(s, rc, err, "read the key check value");
    }
    sqlite3_finalize(st);
    return ret;
}

/* Runs sql (binding text and at when text is given): the check value's writes. */
static int key_check_write(struct rd_store *s, const char *sql, const char *text, int64_t at,
                           struct rd_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(rd_sqlite_db(s), sql, -1, &st, NULL);

    if (rc == SQLITE_OK && text)
        rc = sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK && text)
        rc = sqlite3_bind_int64(st, 2, at);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return rd_sqlite_fail(s, rc, err, "write the key check value");
    return RD_OK;
}

static int sq_key_check_set(struct rd_store *s, const char *text, int64_t at,
                            struct rd_error *err)
{
    return key_check_write(s, text ? "INSERT OR REPLACE INTO store_key (id, check_value, set_at) "
                                     "VALUES (1, ?, ?)"
                                   : "DELETE FROM store_key", text, at, err);
}

static int sq_key_check_take(struct rd_store *s, const char *text, int64_t at,
                             struct rd_error *err)
{
    return key_check_write(s, "INSERT OR IGNORE INTO store_key (id, check_value, set_at) "
                              "VALUES (1, ?, ?)", text, at, err);
}

static int sq_holds_amounts(struct rd_store *s, int *yes, struct rd_error *err)
{
    int64_t v = 0;
    int rc = pragma_int(s, RD_STORE_SEALED_SQL, &v, err);

    *yes = v != 0;
    return rc;
}

const struct rd_store_maint_ops rd_sqlite_maint_ops = {
    .version = 3,
    .size = sq_size,
    .vacuum = sq_vacuum,
    .key_check_get = sq_key_check_get,
    .key_check_set = sq_key_check_set,
    .key_check_take = sq_key_check_take,
    .holds_amounts = sq_holds_amounts,
    .reseal = rd_sqlite_reseal,
};
