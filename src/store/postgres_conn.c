/*
 * postgres_conn.c - opening and closing a PostgreSQL store handle (its
 * failures as messages are postgres_errors.c's).
 *
 *   postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?PARAM=VALUE&...]
 *   postgresql://...                 the same (libpq's two URI schemes)
 *   postgres:///DB?host=/run/dir     a unix socket directory
 *
 * Parameters are libpq's (sslmode, connect_timeout, application_name,
 * options...) plus two of riskdesk's, taken out before libpq sees the URL:
 * statement_timeout=MS (default 30000) and lock_timeout=MS (default 5000, the
 * SQLite backend's busy timeout). connect_timeout defaults to 10 s. The
 * handle's url, and every message, show the password as "***".
 *
 * Opening migrates the schema forward (postgres_schema.c), one transaction per
 * migration under the schema lock, and then prepares postgres.c's statements;
 * a database from a newer riskdesk is refused. Closing ends the session, and
 * with it an open transaction and the account locks.
 */
#include "store/postgres_int.h"

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "riskdesk/alloc.h"
#include "store/audit_int.h"
#include "riskdesk/banned.h"

#define DEFAULT_CONNECT_TIMEOUT "10"
#define DEFAULT_STATEMENT_TIMEOUT_MS 30000L
#define DEFAULT_LOCK_TIMEOUT_MS 5000L
#define MIN_SERVER_VERSION 100000    /* GENERATED AS IDENTITY: PostgreSQL 10 */

/* ---- open, close, schema ---- */

/* Runs constant SQL (no values) that returns no rows. */
static int exec_sql(struct rd_pg_store *q, const char *sql, const char *what, struct rd_error *err)
{
    PGresult *res = PQexec(q->conn, sql);
    int rc = rd_pg_res_ok(res, PGRES_COMMAND_OK) || rd_pg_res_ok(res, PGRES_TUPLES_OK)
                 ? RD_OK
                 : rd_pg_failf(q, res, err, "%s", what);

    PQclear(res);
    return rc;
}

#define VERSION_SQL "SELECT MAX(version) FROM schema_version"

static int schema_version(struct rd_pg_store *q, int *version, struct rd_error *err)
{
    PGresult *res = PQexec(q->conn, VERSION_SQL);
    int rc = RD_OK;

    if (!rd_pg_res_ok(res, PGRES_TUPLES_OK) || PQntuples(res) != 1) {
        rc = rd_pg_failf(q, res, err, "read schema_version");
    } else if (PQgetisnull(res, 0, 0)) {
        *version = 0;
    } else {
        int64_t v = rd_pg_col_i64(res, 0, 0);

        if (v < 0 || v > 1000000)
            rc = rd_error_set(err, RD_ESTORE, "postgres %s: schema_version holds %" PRId64,
                              q->base.url, v);
        else
            *version = (int)v;
    }
    PQclear(res);
    return rc;
}

static int record_version(struct rd_pg_store *q, int version, struct rd_error *err)
{
    struct rd_pg_bind b;
    PGresult *res;
    int rc;

    rd_pg_bind_init(&b);
    rd_pg_bind_i64(&b, version);
    rd_pg_bind_i64(&b, (int64_t)time(NULL));
    res = PQexecParams(q->conn, "INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)",
                       b.n, NULL, b.v, NULL, NULL, 0);
    rc = rd_pg_res_ok(res, PGRES_COMMAND_OK)
             ? RD_OK
             : rd_pg_failf(q, res, err, "record schema version %d", version);
    PQclear(res);
    return rc;
}

#define PLAN_MODE_SQL "SET plan_cache_mode = force_generic_plan"

/* Whether the database is at the newest migration, asked in one round trip
 * (with the session's plan mode set in it when plan_mode): what every open
 * but a database's first finds. Anything else (no schema yet, an older or a
 * newer one, an error, which also undoes the SET) is migrate()'s to sort out
 * under the schema lock. A version read without the lock is one committed
 * whole: a migration running elsewhere shows as the version before it. */
static int schema_current(struct rd_pg_store *q, int plan_mode)
{
    const int latest = rd_pg_migrations[rd_pg_migration_count - 1].version;
    PGresult *res = PQexec(q->conn, plan_mode ? PLAN_MODE_SQL "; " VERSION_SQL : VERSION_SQL);
    int current = rd_pg_res_ok(res, PGRES_TUPLES_OK) && PQntuples(res) == 1 &&
                  !PQgetisnull(res, 0, 0) && rd_pg_col_i64(res, 0, 0) == latest;

    PQclear(res);
    return current;
}

/*
 * Brings the schema up to the newest migration, one transaction per
 * migration, under the schema lock: two processes opening a new database at
 * once take turns (CREATE TABLE IF NOT EXISTS alone races in PostgreSQL).
 */
static int migrate(struct rd_pg_store *q, struct rd_error *err)
{
    const int latest = rd_pg_migrations[rd_pg_migration_count - 1].version;
    int rc;

    for (;;) {
        int version = 0;
        const struct rd_pg_migration *m;

        rc = exec_sql(q, "BEGIN", "begin migration", err);
        if (rc)
            return rc;
        rc = exec_sql(q, RD_PG_SCHEMA_LOCK_SQL, "take the schema lock for migration", err);
        if (!rc)
            rc = exec_sql(q,
                          "CREATE TABLE IF NOT EXISTS schema_version ("
                          "version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)",
                          "create schema_version", err);
        if (!rc)
            rc = schema_version(q, &version, err);
        if (rc)
            goto out;
        if (version > latest) {
            rc = rd_error_set(err, RD_EUNSUPPORTED,
                              "postgres %s: the database is at schema version %d, newer than this "
                              "riskdesk knows (%d); use the riskdesk that wrote it, or a newer one",
                              q->base.url, version, latest);
            goto out;
        }
        if (version == latest)
            return exec_sql(q, "COMMIT", "commit schema check", err);
        m = &rd_pg_migrations[version];   /* versions are 1..latest, in order */
        assert(m->version == version + 1);
        rc = exec_sql(q, m->sql, "apply migration", err);
        if (!rc)
            rc = record_version(q, m->version, err);
        if (!rc)
            rc = exec_sql(q, "COMMIT", "commit migration", err);
        if (rc) {
            rd_error_prefix(err, "migration %d", m->version);
            goto out;
        }
    }
out:
    PQclear(PQexec(q->conn, "ROLLBACK"));
    return rc;
}

/* A riskdesk option value: milliseconds, digits only (so nothing but a number
 * can reach the server's options string). */
static int parse_ms(const char *v, size_t n, long *out)
{
    long ms = 0;

    if (n == 0 || n > 9)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        ms = ms * 10 + (v[i] - '0');
    }
    *out = ms;
    return 0;
}

/*
 * Copies url into out without riskdesk's own parameters, which it stores in
 * *statement_ms and *lock_ms. out has room for strlen(url) + 1.
 */
static int split_options(const char *url, char *out, long *statement_ms, long *lock_ms,
                         struct rd_error *err)
{
    const char *q = strchr(url, '?');
    size_t used;
    int first = 1;

    if (!q) {
        memcpy(out, url, strlen(url) + 1);
        return RD_OK;
    }
    used = (size_t)(q - url);
    memcpy(out, url, used);
    for (const char *p = q + 1, *end; *p; p = *end ? end + 1 : end) {
        size_t len;

        end = p + strcspn(p, "&");
        len = (size_t)(end - p);
        if (len >= 18 && !memcmp(p, "statement_timeout=", 18)) {
            if (parse_ms(p + 18, len - 18, statement_ms))
                return rd_error_set(err, RD_EINVAL,
                                    "postgres URL: statement_timeout=\"%.*s\": expected "
                                    "milliseconds (0 = none)", (int)(len - 18 > 20 ? 20 : len - 18),
                                    p + 18);
            continue;
        }
        if (len >= 13 && !memcmp(p, "lock_timeout=", 13)) {
            if (parse_ms(p + 13, len - 13, lock_ms))
                return rd_error_set(err, RD_EINVAL,
                                    "postgres URL: lock_timeout=\"%.*s\": expected milliseconds "
                                    "(0 = none)", (int)(len - 13 > 20 ? 20 : len - 13), p + 13);
            continue;
        }
        if (len == 0)
            continue;
        out[used++] = first ? '?' : '&';
        memcpy(out + used, p, len);
        used += len;
        first = 0;
    }
    out[used] = '\0';
    return RD_OK;
}

/* Server notices ("relation ... already exists, skipping") are not errors and
 * must not reach the program's stderr. */
static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Keyword/value pairs for PQconnectdbParams: the URL's, then riskdesk's
 * defaults for what it leaves out. */
#define MAX_CONN_PARAMS 48

int rd_pg_open(const char *url, struct rd_store **out, struct rd_error *err)
{
    struct rd_pg_store *q = NULL;
    char *plain = NULL;
    char *perr = NULL;
    PQconninfoOption *opts = NULL;
    const char *kw[MAX_CONN_PARAMS + 1], *val[MAX_CONN_PARAMS + 1];
    char options[512], appname[64], masked[256];
    long statement_ms = DEFAULT_STATEMENT_TIMEOUT_MS, lock_ms = DEFAULT_LOCK_TIMEOUT_MS;
    int nkw = 0, have_timeout = 0, have_encoding = 0;
    const char *user_options = NULL;
    int rc, plan_mode;

    *out = NULL;
    if (strncmp(url, "postgres://", 11) != 0 && strncmp(url, "postgresql://", 13) != 0)
        return rd_error_set(err, RD_EINVAL,
                            "postgres: URL must start with \"postgres://\" or \"postgresql://\"");
    rd_pg_mask_url(url, masked, sizeof masked);

    plain = rd_malloc(strlen(url) + 1);
    if (!plain)
        return rd_error_set(err, RD_ENOMEM, "postgres: out of memory opening %s", masked);
    rc = split_options(url, plain, &statement_ms, &lock_ms, err);
    if (rc)
        goto out;
    opts = PQconninfoParse(plain, &perr);
    if (!opts) {
        char msg[256];

        rd_pg_clean_message(NULL, perr ? perr : "out of memory", msg, sizeof msg);
        rc = rd_error_set(err, perr ? RD_EINVAL : RD_ENOMEM, "postgres URL %s: %s", masked, msg);
        goto out;
    }
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val || !o->val[0])
            continue;
        if (!strcmp(o->keyword, "options")) {
            user_options = o->val;
            continue;
        }
        if (!strcmp(o->keyword, "connect_timeout"))
            have_timeout = 1;
        if (!strcmp(o->keyword, "client_encoding"))
            have_encoding = 1;
        if (nkw < MAX_CONN_PARAMS - 6) {
            kw[nkw] = o->keyword;
            val[nkw++] = o->val;
        }
    }
    /* The timeouts go in the startup packet; the URL's own options come
     * after them, so a -c there wins. */
    snprintf(options, sizeof options, "-c statement_timeout=%ld -c lock_timeout=%ld%s%s",
             statement_ms, lock_ms, user_options ? " " : "", user_options ? user_options : "");
    kw[nkw] = "options";
    val[nkw++] = options;
    if (!have_timeout) {
        kw[nkw] = "connect_timeout";
        val[nkw++] = DEFAULT_CONNECT_TIMEOUT;
    }
    if (!have_encoding) {
        kw[nkw] = "client_encoding";
        val[nkw++] = "UTF8";
    }
    /* Shown by pg_stat_activity, and so in another process's RD_EBUSY. */
    snprintf(appname, sizeof appname, "riskdesk pid %ld", (long)getpid());
    kw[nkw] = "fallback_application_name";
    val[nkw++] = appname;
    kw[nkw] = NULL;
    val[nkw] = NULL;

    q = rd_calloc(1, sizeof *q);
    if (!q) {
        rc = rd_error_set(err, RD_ENOMEM, "postgres: out of memory opening %s", masked);
        goto out;
    }
    q->magic = RD_PG_STORE_MAGIC;
    snprintf(q->base.url, sizeof q->base.url, "%s", masked);

    q->conn = PQconnectdbParams(kw, val, 0);
    if (!q->conn) {
        rc = rd_error_set(err, RD_ENOMEM, "postgres: out of memory connecting to %s", masked);
        goto out;
    }
    if (PQstatus(q->conn) != CONNECTION_OK) {
        char msg[384];

        rd_pg_clean_message(q->conn, PQerrorMessage(q->conn), msg, sizeof msg);
        rc = rd_error_set(err, RD_ESTORE, "postgres %s: cannot connect: %s", masked, msg);
        goto out;
    }
    PQsetNoticeProcessor(q->conn, quiet, NULL);
    if (PQserverVersion(q->conn) < MIN_SERVER_VERSION) {
        rc = rd_error_set(err, RD_EUNSUPPORTED,
                          "postgres %s: the server is version %d; riskdesk needs PostgreSQL 10 "
                          "or newer", masked, PQserverVersion(q->conn));
        goto out;
    }
    /* Every statement is an indexed lookup or insert: one generic plan each,
     * instead of planning every execution again (half the server's time per
     * insert otherwise). PostgreSQL 12 and newer; a plan_cache_mode in the
     * URL's options wins. */
    plan_mode = PQserverVersion(q->conn) >= 120000 &&
                !(user_options && strstr(user_options, "plan_cache_mode"));
    if (!schema_current(q, plan_mode)) {
        rc = plan_mode ? exec_sql(q, PLAN_MODE_SQL, "set plan_cache_mode", err) : RD_OK;
        if (!rc)
            rc = migrate(q, err);
        if (rc)
            goto out;
    }
    *out = &q->base;
    q = NULL;
out:
    if (q)
        rd_pg_close(&q->base);
    PQconninfoFree(opts);
    PQfreemem(perr);
    rd_free(plain);
    return rc;
}

void rd_pg_close(struct rd_store *s)
{
    struct rd_pg_store *q = rd_pg(s);

    while (q->locks) {
        struct rd_pg_lock *l = q->locks;

        q->locks = l->next;
        rd_free(l);
    }
    rd_audit_free(s);
    /* Ending the session rolls back an open transaction and drops the
     * session's advisory locks. */
    PQfinish(q->conn);
    q->magic = 0;
    rd_free(q);
}
