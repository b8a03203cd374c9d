/*
 * test_store_schema.c - both backends build the same schema: after opening
 * (and so migrating) a new SQLite file and a new PostgreSQL database, the
 * tables, their columns (name, kind of type, NOT NULL) and their indexes
 * (table, columns in order, unique or not; and the names of the indexes the
 * migrations create) are the same, read from SQLite's pragmas and from
 * PostgreSQL's information_schema and pg_index. A migration added to one
 * backend and not the other, or written differently, fails here.
 *
 * The PostgreSQL server is a throwaway cluster (tests/pg_cluster.h); without
 * PostgreSQL server binaries the test is skipped, saying why.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pg_cluster.h"
#include "riskdesk/store.h"

static char skip_reason[256];

/* The differences docs/store.md names ("Differences that remain"), and only
 * those: each must show, so the list is mended when one goes away. */
static const char *const known[] = {
    /* seq: SQLite numbers recommendations max(seq) + 1 in the insert (the
     * column may be NULL in the DDL); PostgreSQL's is an identity */
    "only in SQLite:     column recs.seq int",
    "only in PostgreSQL: column recs.seq int not null",
    /* the order rows were stored in: SQLite's implicit rowid, PostgreSQL's
     * identity column */
    "only in PostgreSQL: column trader_daily.seq int not null",
    "only in PostgreSQL: column trader_fills.seq int not null",
    "only in PostgreSQL: column trades.seq int not null",
};
#define NKNOWN (sizeof known / sizeof known[0])

/* A schema as sorted lines of text. */
struct lines {
    char **v;
    size_t n, cap;
};

static void add_line(struct lines *l, const char *fmt, ...)
{
    char buf[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        assert_non_null(l->v);
    }
    l->v[l->n] = strdup(buf);
    assert_non_null(l->v[l->n]);
    l->n++;
}

static int cmp_line(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_lines(struct lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

/* The kind of a declared type, as each backend spells it. */
static const char *kind_of(const char *decl)
{
    char up[64];
    size_t i;

    for (i = 0; decl[i] && i < sizeof up - 1; i++)
        up[i] = (char)toupper((unsigned char)decl[i]);
    up[i] = '\0';
    if (strstr(up, "INT"))
        return "int";
    if (strstr(up, "TEXT") || strstr(up, "CHAR"))
        return "text";
    if (strstr(up, "REAL") || strstr(up, "DOUBLE") || strstr(up, "FLOAT"))
        return "real";
    if (strstr(up, "BLOB") || strstr(up, "BYTEA"))
        return "blob";
    return up[0] ? "other" : "none";
}

/* ---- SQLite, from its pragmas ---- */

static void sqlite_schema(const char *path, struct lines *out)
{
    sqlite3 *db;
    sqlite3_stmt *tables, *st;
    char sql[256];

    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    /* views by name (their columns are what the query makes them) */
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'view'",
                                        -1, &tables, NULL), SQLITE_OK);
    while (sqlite3_step(tables) == SQLITE_ROW)
        add_line(out, "view %s", (const char *)sqlite3_column_text(tables, 0));
    sqlite3_finalize(tables);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name NOT LIKE 'sqlite_%' ORDER BY name",
                                        -1, &tables, NULL), SQLITE_OK);
    while (sqlite3_step(tables) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(tables, 0);

        add_line(out, "table %s", t);
        snprintf(sql, sizeof sql, "SELECT name, type, \"notnull\", pk FROM pragma_table_info('%s')", t);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
            /* a primary key's columns are never NULL in PostgreSQL; say so here */
            int nn = sqlite3_column_int(st, 2) || sqlite3_column_int(st, 3) > 0;

            add_line(out, "column %s.%s %s%s", t, (const char *)sqlite3_column_text(st, 0),
                     kind_of((const char *)sqlite3_column_text(st, 1)), nn ? " not null" : "");
        }
        sqlite3_finalize(st);
        /* indexes, the primary key's among them (an INTEGER PRIMARY KEY is
         * the rowid: no index of its own, so it is added from table_info) */
        snprintf(sql, sizeof sql,
                 "SELECT l.name, l.\"unique\", l.origin, (SELECT group_concat(name, ',') FROM "
                 "(SELECT name FROM pragma_index_info(l.name) ORDER BY seqno)) "
                 "FROM pragma_index_list('%s') l", t);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *name = (const char *)sqlite3_column_text(st, 0);
            const char *origin = (const char *)sqlite3_column_text(st, 2);

            add_line(out, "index %s (%s)%s", t, (const char *)sqlite3_column_text(st, 3),
                     sqlite3_column_int(st, 1) ? " unique" : "");
            if (!strcmp(origin, "c"))
                add_line(out, "index name %s on %s", name, t);
        }
        sqlite3_finalize(st);
        snprintf(sql, sizeof sql, "SELECT name FROM pragma_table_info('%s') WHERE pk = 1 AND "
                                  "upper(type) = 'INTEGER' AND (SELECT COUNT(*) FROM "
                                  "pragma_table_info('%s') WHERE pk > 0) = 1", t, t);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        if (sqlite3_step(st) == SQLITE_ROW)
            add_line(out, "index %s (%s) unique", t, (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }
    sqlite3_finalize(tables);
    sqlite3_close(db);
}

/* ---- PostgreSQL, from information_schema and pg_index ---- */

static PGresult *pg_query(PGconn *c, const char *sql)
{
    PGresult *res = PQexec(c, sql);

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    return res;
}

static void pg_schema(const char *url, struct lines *out)
{
    PGconn *c = PQconnectdb(url);
    PGresult *res;

    assert_int_equal(PQstatus(c), CONNECTION_OK);
    res = pg_query(c, "SELECT table_name FROM information_schema.tables "
                      "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'");
    for (int i = 0; i < PQntuples(res); i++)
        add_line(out, "table %s", PQgetvalue(res, i, 0));
    PQclear(res);
    res = pg_query(c, "SELECT table_name FROM information_schema.views WHERE table_schema = 'public'");
    for (int i = 0; i < PQntuples(res); i++)
        add_line(out, "view %s", PQgetvalue(res, i, 0));
    PQclear(res);
    res = pg_query(c, "SELECT c.table_name, c.column_name, c.data_type, c.is_nullable "
                      "FROM information_schema.columns c JOIN information_schema.tables t "
                      "ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
                      "WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'");
    for (int i = 0; i < PQntuples(res); i++)
        add_line(out, "column %s.%s %s%s", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
                 kind_of(PQgetvalue(res, i, 2)),
                 !strcmp(PQgetvalue(res, i, 3), "NO") ? " not null" : "");
    PQclear(res);
    /* every index with its columns in order; those that back a constraint
     * (primary keys, UNIQUE) are SQLite's autoindexes, unnamed there */
    res = pg_query(c,
                   "SELECT t.relname, i.relname, x.indisunique, "
                   "(SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(x.indkey) "
                   "WITH ORDINALITY AS k (attnum, n) JOIN pg_attribute a ON a.attrelid = t.oid "
                   "AND a.attnum = k.attnum), "
                   "EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = i.oid) "
                   "FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid "
                   "JOIN pg_class i ON i.oid = x.indexrelid "
                   "JOIN pg_namespace ns ON ns.oid = t.relnamespace WHERE ns.nspname = 'public'");
    for (int i = 0; i < PQntuples(res); i++) {
        add_line(out, "index %s (%s)%s", PQgetvalue(res, i, 0), PQgetvalue(res, i, 3),
                 !strcmp(PQgetvalue(res, i, 2), "t") ? " unique" : "");
        if (strcmp(PQgetvalue(res, i, 4), "t") != 0)
            add_line(out, "index name %s on %s", PQgetvalue(res, i, 1), PQgetvalue(res, i, 0));
    }
    PQclear(res);
    PQfinish(c);
}

/* Whether line is among l's (sorted). */
static int has_line(const struct lines *l, const char *line)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i], line))
            return 1;
    return 0;
}

/* Lines both backends must have: the hierarchy's ops and fork assessments
 * (migration 9), so a migration that lost them in both fails too. */
static const char *const required[] = {
    "view audit_entries",
    "table audit_packs",
    "table hier_ops",
    "index hier_ops (idem_key) unique",
    "index name hier_ops_account on hier_ops",
    "table fork_assessments",
    "index name fork_assessments_account on fork_assessments",
};

static void test_same_schema(void **state)
{
    char path[128], sqlite_url[160], pg_url[600];
    struct rd_error err = {0};
    struct rd_store *s;
    struct lines a = {0}, b = {0};
    size_t i = 0, j = 0;
    int diffs = 0;
    int seen[NKNOWN] = {0};

    (void)state;
    snprintf(path, sizeof path, "/tmp/rd-schema-%ld.db", (long)getpid());
    unlink(path);
    snprintf(sqlite_url, sizeof sqlite_url, "sqlite:%s", path);
    assert_int_equal(rd_store_open(sqlite_url, &s, &err), RD_OK);
    rd_store_close(s);
    assert_int_equal(pg_cluster_new_db("rd_schema", pg_url, sizeof pg_url), 0);
    assert_int_equal(rd_store_open(pg_url, &s, &err), RD_OK);
    rd_store_close(s);

    sqlite_schema(path, &a);
    pg_schema(pg_url, &b);
    qsort(a.v, a.n, sizeof *a.v, cmp_line);
    qsort(b.v, b.n, sizeof *b.v, cmp_line);
    while (i < a.n || j < b.n) {
        int c = i == a.n ? 1 : j == b.n ? -1 : strcmp(a.v[i], b.v[j]);

        if (c == 0) {
            i++;
            j++;
            continue;
        }
        {
            char line[600];
            size_t k;

            snprintf(line, sizeof line, "%s%s", c < 0 ? "only in SQLite:     " : "only in PostgreSQL: ",
                     c < 0 ? a.v[i++] : b.v[j++]);
            for (k = 0; k < NKNOWN && strcmp(known[k], line) != 0; k++)
                ;
            if (k < NKNOWN) {
                seen[k] = 1;
                continue;
            }
            diffs++;
            print_message("%s\n", line);
        }
    }
    for (size_t k = 0; k < NKNOWN; k++)
        if (!seen[k]) {
            diffs++;
            print_message("a known difference is gone (update the list): %s\n", known[k]);
        }
    for (size_t k = 0; k < sizeof required / sizeof required[0]; k++)
        if (!has_line(&a, required[k]) || !has_line(&b, required[k])) {
            diffs++;
            print_message("missing from %s: %s\n", has_line(&a, required[k]) ? "PostgreSQL"
                                                                         : "SQLite", required[k]);
        }
    print_message("%zu lines of schema compared\n", a.n);
    assert_true(a.n > 50);
    free_lines(&a);
    free_lines(&b);
    pg_cluster_drop_db("rd_schema");
    unlink(path);
    assert_int_equal(diffs, 0);
}

static void test_skipped(void **state)
{
    (void)state;
    print_message("test_store_schema: SKIPPED: %s\n", skip_reason);
    skip();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_schema),
    };
    const struct CMUnitTest skipped[] = {
        cmocka_unit_test(test_skipped),
    };
    int rc = pg_cluster_start();

    if (rc > 0) {
        snprintf(skip_reason, sizeof skip_reason, "%s", pg_skip_reason);
        return cmocka_run_group_tests_name("store_schema (skipped)", skipped, NULL, NULL);
    }
    if (rc < 0)
        return 1;
    rc = cmocka_run_group_tests_name("store_schema", tests, NULL, NULL);
    pg_cluster_stop();
    return rc;
}
