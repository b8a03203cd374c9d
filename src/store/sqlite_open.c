/*
 * sqlite_open.c - what opening a SQLite store does to its new connection,
 * in the order sq_open (sqlite.c) calls it: the URL's options are read, the
 * pragmas set (foreign keys, WAL for a file, synchronous, the page cache),
 * and the schema brought up to the newest migration (sqlite_schema.c); a
 * database from a newer riskdesk is refused.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "store/sqlite_int.h"
#include "store/store_int.h"
#include "riskdesk/banned.h"

int rd_sqlite_conn_fail(const struct rd_sqlite_conn *c, int rc, struct rd_error *err,
                        const char *what)
{
    int ext = c->db ? sqlite3_extended_errcode(c->db) : rc;
    const char *msg = c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc);

    if (ext == SQLITE_CONSTRAINT_PRIMARYKEY || ext == SQLITE_CONSTRAINT_UNIQUE)
        return rd_error_set(err, RD_EEXIST, "%s: already exists (%s)", what, msg);
    if (ext == SQLITE_CONSTRAINT_FOREIGNKEY)
        return rd_error_set(err, RD_ENOTFOUND, "%s: refers to a row that is not in the store (%s)",
                            what, msg);
    return rd_error_set(err, RD_ESTORE, "sqlite %s: %s: %s", c->path, what, msg);
}

static int exec_sql(const struct rd_sqlite_conn *c, const char *sql, const char *what, struct rd_error *err)
{
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? RD_OK : rd_sqlite_conn_fail(c, rc, err, what);
}

/* Runs a one-row query of constant SQL and hands back column 0 as text. */
static int query_text(const struct rd_sqlite_conn *c, const char *sql, char *out, size_t n,
                      struct rd_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(c->db, sql, -1, &st, NULL);

    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        rd_sqlite_col_text(st, 0, out, n);
        rc = RD_OK;
    } else if (rc == SQLITE_DONE) {
        out[0] = '\0';
        rc = RD_OK;
    } else {
        rc = rd_sqlite_conn_fail(c, rc, err, sql);
    }
    sqlite3_finalize(st);
    return rc;
}

static int schema_version(const struct rd_sqlite_conn *c, int *version, struct rd_error *err)
{
    char text[32];
    char *stop;
    long v;
    int rc = query_text(c, "SELECT MAX(version) FROM schema_version", text, sizeof text, err);

    if (rc)
        return rc;
    if (!text[0]) {
        *version = 0;
        return RD_OK;
    }
    v = strtol(text, &stop, 10);
    if (*stop || v < 0 || v > 1000000)
        return rd_error_set(err, RD_ESTORE, "sqlite %s: schema_version holds \"%s\"",
                            c->path, text);
    *version = (int)v;
    return RD_OK;
}

static int record_version(const struct rd_sqlite_conn *c, int version, struct rd_error *err)
{
    char what[48];
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(c->db,
                                "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                                -1, &st, NULL);

    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(st, 1, version);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 2, (int64_t)time(NULL));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    snprintf(what, sizeof what, "record schema version %d", version);
    rc = rc == SQLITE_DONE ? RD_OK : rd_sqlite_conn_fail(c, rc, err, what);
    sqlite3_finalize(st);
    return rc;
}

/* Every foreign key of the database holds (RD_OK), or what breaks one. */
static int keys_hold(const struct rd_sqlite_conn *c, int version, struct rd_error *err)
{
    char broken[256];
    int rc = query_text(c, "SELECT \"table\" || ' row ' || COALESCE(rowid, '?') || "
                           "' refers to a row of ' || parent || ' that is not there' "
                           "FROM pragma_foreign_key_check LIMIT 1", broken, sizeof broken, err);

    if (rc == RD_OK && broken[0])
        rc = rd_error_set(err, RD_ESTORE, "sqlite %s: after migration %d, %s", c->path, version,
                          broken);
    return rc;
}

/*
 * Brings the schema up to the newest migration, one transaction per
 * migration. BEGIN IMMEDIATE makes two processes opening a new database at
 * once take turns instead of both migrating. Foreign keys are off meanwhile,
 * as SQLite asks of a migration that rebuilds a table others refer to (the
 * switch does nothing inside a transaction, and with it on, dropping the old
 * table fails); each migration is committed only once every key holds.
 */
static int migrate(const struct rd_sqlite_conn *c, struct rd_error *err)
{
    const int latest = rd_sqlite_migrations[rd_sqlite_migration_count - 1].version;
    int rc;

    for (;;) {
        int version = 0;
        const struct rd_sqlite_migration *m;

        rc = exec_sql(c, "BEGIN IMMEDIATE", "begin migration", err);
        if (rc)
            return rc;
        rc = exec_sql(c,
                      "CREATE TABLE IF NOT EXISTS schema_version ("
                      "version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)",
                      "create schema_version", err);
        if (!rc)
            rc = schema_version(c, &version, err);
        if (rc)
            goto out;
        if (version > latest) {
            rc = rd_error_set(err, RD_EUNSUPPORTED,
                              "sqlite %s: the database is at schema version %d, newer than this "
                              "riskdesk knows (%d); use the riskdesk that wrote it, or a newer one",
                              c->path, version, latest);
            goto out;
        }
        if (version == latest)
            return exec_sql(c, "COMMIT", "commit schema check", err);
        m = &rd_sqlite_migrations[version];   /* versions are 1..latest, in order */
        assert(m->version == version + 1);
        rc = exec_sql(c, m->sql, "apply migration", err);
        if (!rc)
            rc = keys_hold(c, m->version, err);
        if (!rc)
            rc = record_version(c, m->version, err);
        if (!rc)
            rc = exec_sql(c, "COMMIT", "commit migration", err);
        if (rc) {
            rd_error_prefix(err, "migration %d", m->version);
            goto out;
        }
    }
out:
    sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int rd_sqlite_migrate(const struct rd_sqlite_conn *c, struct rd_error *err)
{
    int rc = exec_sql(c, "PRAGMA foreign_keys = OFF", "disable foreign keys to migrate", err);

    if (rc)
        return rc;
    rc = migrate(c, err);
    if (rc) {
        sqlite3_exec(c->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
        return rc;
    }
    return exec_sql(c, "PRAGMA foreign_keys = ON", "enable foreign keys", err);
}

/* cache_mib=N: digits only, 1 to 1024. */
static int parse_cache_mib(const char *v, size_t n, int *out)
{
    int mib = 0;

    if (n == 0 || n > 4)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        mib = mib * 10 + (v[i] - '0');
    }
    if (mib < 1 || mib > 1024)
        return -1;
    *out = mib;
    return 0;
}

int rd_sqlite_parse_options(const char *opts, int *sync_full, int *cache_mib,
                            struct rd_error *err)
{
    const char *p = opts;

    while (*p) {
        const char *amp = strchr(p, '&');
        size_t n = amp ? (size_t)(amp - p) : strlen(p);

        if (n == 9 && !memcmp(p, "sync=full", 9))
            *sync_full = 1;
        else if (n == 11 && !memcmp(p, "sync=normal", 11))
            *sync_full = 0;
        else if (n > 10 && !memcmp(p, "cache_mib=", 10)) {
            if (parse_cache_mib(p + 10, n - 10, cache_mib))
                return rd_error_set(err, RD_EINVAL,
                                    "sqlite URL option \"%.*s\": cache_mib must be a whole number "
                                    "of MiB from 1 to 1024", (int)(n > 40 ? 40 : n), p);
        } else
            return rd_error_set(err, RD_EINVAL,
                                "sqlite URL option \"%.*s\" is not known; expected sync=full, "
                                "sync=normal or cache_mib=N", (int)(n > 40 ? 40 : n), p);
        p += n + (amp ? 1 : 0);
    }
    return RD_OK;
}

int rd_sqlite_set_pragmas(const struct rd_sqlite_conn *c, int memory, int sync_full, int cache_mib,
                          struct rd_error *err)
{
    char v[32], sql[48];
    int rc = exec_sql(c, "PRAGMA foreign_keys = ON", "enable foreign keys", err);

    if (!rc)
        rc = query_text(c, "PRAGMA foreign_keys", v, sizeof v, err);
    if (!rc && strcmp(v, "1") != 0)
        return rd_error_set(err, RD_ESTORE, "sqlite %s: this SQLite cannot enforce foreign keys",
                            c->path);
    if (!rc && !memory) {
        rc = query_text(c, "PRAGMA journal_mode = WAL", v, sizeof v, err);
        if (!rc && strcmp(v, "wal") != 0)
            return rd_error_set(err, RD_ESTORE,
                                "sqlite %s: could not switch to WAL journal mode (got \"%s\"); "
                                "is the file on a network filesystem?", c->path, v);
    }
    if (!rc)
        rc = exec_sql(c, sync_full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
                      "set synchronous", err);
    /* The page cache, in KiB for SQLite's negative form. A cycle's batch of
     * inserts touches the same index pages again and again; docs/store.md
     * gives the measured trade between this and the process's memory. */
    snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", cache_mib * 1024);
    if (!rc)
        rc = exec_sql(c, sql, "set cache_size", err);
    /* A checkpoint every RD_SQLITE_CHECKPOINT_PAGES WAL pages instead of
     * SQLite's 1,000: a page written by many commits (an index's right edge,
     * a node's row) is copied back once per checkpoint, and each checkpoint
     * waits for two syncs. The file is cut back to RD_SQLITE_WAL_KEEP bytes
     * after one, should a long reader have let it grow. docs/store.md. */
    if (!rc && !memory)
        rc = exec_sql(c, "PRAGMA wal_autocheckpoint = " RD_SQLITE_CHECKPOINT_PAGES,
                      "set wal_autocheckpoint", err);
    if (!rc && !memory)
        rc = exec_sql(c, "PRAGMA journal_size_limit = " RD_SQLITE_WAL_KEEP,
                      "set journal_size_limit", err);
    return rc;
}
