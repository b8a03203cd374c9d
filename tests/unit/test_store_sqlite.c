/*
 * test_store_sqlite.c - the storage interface over its SQLite backend: the
 * contract every backend keeps (tests/store_contract.h: every operation
 * round-trips every field, accounts never see each other's rows, transactions
 * nest, account locks die with their process, failed allocations leak
 * nothing...), on a file and in memory, then what is SQLite's own: URLs, the
 * schema migrates and refuses a newer database, lock files, in-memory locks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store_contract.h"

static void rm_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[512];

    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static int setup_file(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct rd_error err = {0};

    snprintf(f->dir, sizeof f->dir, "/tmp/rd-store-test-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/riskdesk.db", f->dir);
    snprintf(f->url, sizeof f->url, "sqlite:%s", f->path);
    if (rd_store_open(f->url, &f->s, &err) != RD_OK) {
        fprintf(stderr, "open: %s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int setup_memory(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);

    snprintf(f->url, sizeof f->url, "sqlite::memory:");
    if (rd_store_open(f->url, &f->s, NULL) != RD_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    rd_store_close(f->s);
    if (f->dir[0])
        rm_dir(f->dir);
    free(f);
    return 0;
}

static int sql_int(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int v = -1;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void sql_exec(const char *path, const char *sql)
{
    sqlite3 *db;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

/* ---- what the contract leaves to the backend ---- */

static void ct_sql_exec(struct fixture *f, const char *sql)
{
    sql_exec(f->path, sql);
}

static void ct_check_busy(struct fixture *f, const char *msg, long pid)
{
    char expect[64];

    (void)f;
    snprintf(expect, sizeof expect, "pid %ld since 20", pid);
    assert_non_null(strstr(msg, expect));
    assert_non_null(strstr(msg, ".lock.acct%2FA%20b"));
}

/* ---- SQLite's own ---- */

static void test_open_urls(void **state)
{
    struct rd_store *s = (struct rd_store *)0x1;
    struct rd_error err = {0};

    (void)state;
    assert_int_equal(rd_store_open("mysql://u:secret@db/x", &s, &err), RD_EUNSUPPORTED);
    assert_null(s);
    assert_non_null(strstr(err.msg, "\"mysql\""));
    assert_non_null(strstr(err.msg, "sqlite:"));
    assert_non_null(strstr(err.msg, "postgres:"));
    assert_null(strstr(err.msg, "secret"));
    assert_int_equal(rd_store_open("riskdesk.db", &s, &err), RD_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "sqlite:"));
    assert_int_equal(rd_store_open("sqlite:", &s, &err), RD_EINVAL);
    assert_int_equal(rd_store_open("sqlite:/tmp/x.db?sync=fast", &s, &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "sync=fast"));
    assert_int_equal(rd_store_open("sqlite:/nonexistent-dir/x/y.db", &s, &err), RD_ESTORE);
    assert_non_null(strstr(err.msg, "/nonexistent-dir/x/y.db"));
    assert_int_equal(rd_store_open("sqlite::memory:", &s, &err), RD_OK);
    assert_string_equal(s->url, "sqlite::memory:");
    assert_string_equal(s->ops->name, "sqlite");
    rd_store_close(s);
    rd_store_close(NULL);
}

static void test_order_status_names(void **state)
{
    static const char *const names[] = {"pending", "accepted", "filled", "rejected", "canceled"};
    enum rd_order_status st;

    (void)state;
    for (int i = 0; i < RD_ORDER_STATUS_COUNT; i++) {
        assert_string_equal(rd_order_status_name((enum rd_order_status)i), names[i]);
        assert_int_equal(rd_order_status_parse(names[i], &st), RD_OK);
        assert_int_equal(st, i);
    }
    assert_string_equal(rd_order_status_name(RD_ORDER_STATUS_COUNT), "?");
    assert_int_equal(rd_order_status_parse("cancelled", &st), RD_EINVAL);
}

static void test_migrations_and_reopen(void **state)
{
    struct fixture *f = *state;
    struct rd_rec r;
    struct rd_error err = {0};

    /* the fixture opened a fresh file: every migration (2: the HTTP API's tables,
     * 3: the traders', 4: performance, 5: recommendations for one account, 6: their
     * order, 7: their origin, 8: the hierarchy's ledger, 9: its ops and fork
     * assessments, 10: the audit trail, 11: admin events, 12: consolidation assessments,
     * 13: the encryption key's check, 14: the traders' days sealed,
     * 15: the hierarchy's ops by status, 16: the audit entries packed, 17: kv and
     * account_defs in key order), WAL */
    assert_int_equal(sql_int(f->path, "SELECT MAX(version) FROM schema_version"), 17);
    assert_int_equal(sql_int(f->path, "SELECT COUNT(*) FROM schema_version"), 17);
    assert_int_equal(sql_int(f->path, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' "
                                      "AND name IN ('accounts', 'recs', 'decisions', 'orders', "
                                      "'positions', 'trades', 'kv')"), 7);
    assert_int_equal(sql_int(f->path, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
    add_rec(f->s, "keep", NOW);
    rd_store_close(f->s);

    assert_int_equal(rd_store_open(f->url, &f->s, &err), RD_OK);
    assert_int_equal(f->s->ops->trading->rec_get(f->s, "keep", &r, &err), RD_OK);
    assert_int_equal(sql_int(f->path, "SELECT COUNT(*) FROM schema_version"), 17);
    rd_store_close(f->s);

    /* sync=normal is accepted */
    {
        char url[200];

        snprintf(url, sizeof url, "%s?sync=normal", f->url);
        assert_int_equal(rd_store_open(url, &f->s, &err), RD_OK);
        assert_int_equal(f->s->ops->trading->rec_get(f->s, "keep", &r, &err), RD_OK);
        rd_store_close(f->s);
    }

    /* a database from a newer riskdesk is refused, and left alone */
    sql_exec(f->path, "INSERT INTO schema_version (version, applied_at) VALUES (18, 0)");
    f->s = NULL;
    assert_int_equal(rd_store_open(f->url, &f->s, &err), RD_EUNSUPPORTED);
    assert_null(f->s);
    assert_non_null(strstr(err.msg, "schema version 18"));
    assert_non_null(strstr(err.msg, "newer"));
    assert_non_null(strstr(err.msg, f->path));
    assert_int_equal(sql_int(f->path, "SELECT MAX(version) FROM schema_version"), 18);
}

/* A database from before migration 6: its recommendations get their places
 * in the order they were stored, and the undecided walk finds them all. */
static void test_migration_6_numbers_stored_recs(void **state)
{
    struct fixture *f = *state;
    struct rd_rec out[4];
    struct rd_error err = {0};
    int64_t mark = 0;
    size_t n;

    rd_store_close(f->s);
    f->s = NULL;
    /* back to version 5, with three recommendations stored newest first */
    sql_exec(f->path, "DROP INDEX recs_seq; ALTER TABLE recs DROP COLUMN seq;"
                      "ALTER TABLE recs DROP COLUMN origin;"
                      "DROP INDEX recs_created;"
                      "CREATE INDEX recs_created ON recs (created_at, id, account);"
                      "DROP TABLE fork_assessments; DROP TABLE hier_ops;"
                      "DROP TABLE ledger_entries; DROP TABLE ledger_txns;"
                      "DROP TABLE hier_states; DROP TABLE hier_nodes;"
                      "DROP VIEW audit_entries; DROP TABLE audit_packs; DROP TABLE admin_events; DROP TABLE merge_assessments;"
                      "DROP TABLE store_key;"
                      "ALTER TABLE perf_snapshots DROP COLUMN sealed;"
                      "ALTER TABLE trader_daily DROP COLUMN sealed;"
                      "ALTER TABLE trader_days DROP COLUMN sealed;"
                      "DELETE FROM schema_version WHERE version >= 6;");
    for (int i = 0; i < 3; i++) {
        char sql[400];

        snprintf(sql, sizeof sql,
                 "INSERT INTO recs (id, created_at, underlying, symbol, action, strategy, "
                 "confidence, volume_ratio, price, stop_price, expires_at, has_vix, vix) "
                 "VALUES ('old-%d', %lld, 'AAPL', 'AAPL', 'BUY_STOCK', 'swing', 900000, "
                 "2000000, 1000000, 0, 0, 0, 0)",
                 i, (long long)(NOW - i * 10));
        sql_exec(f->path, sql);
    }
    assert_int_equal(rd_store_open(f->url, &f->s, &err), RD_OK);
    assert_int_equal(sql_int(f->path, "SELECT MAX(version) FROM schema_version"), 17);
    assert_int_equal(sql_int(f->path, "SELECT COUNT(*) FROM recs WHERE seq IS NULL"), 0);
    /* migration 7: what was stored came from the signal engine */
    assert_int_equal(sql_int(f->path, "SELECT COUNT(*) FROM recs WHERE origin = 'signal'"), 3);
    add_rec(f->s, "new", NOW - 100);
    assert_int_equal(f->s->ops->trading->rec_undecided(f->s, "A", &mark, 4, out, &n, &err), RD_OK);
    assert_int_equal(n, 4);
    assert_string_equal(out[0].id, "old-0");
    assert_string_equal(out[1].id, "old-1");
    assert_string_equal(out[2].id, "old-2");
    assert_string_equal(out[3].id, "new");
}

static void test_lock_memory(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_error err = {0};

    assert_int_equal(s->ops->lock_account(s, "A", &err), RD_OK);
    assert_int_equal(s->ops->lock_account(s, "A", &err), RD_EBUSY);
    assert_non_null(strstr(err.msg, "pid "));
    assert_int_equal(s->ops->lock_account(s, "B", &err), RD_OK);
    s->ops->unlock_account(s, "A");
    assert_int_equal(s->ops->lock_account(s, "A", &err), RD_OK);
}

static void test_alloc_failures(void **state)
{
    struct fixture *f = *state;
    char url[600];

    rd_store_close(f->s);
    f->s = NULL;
    snprintf(url, sizeof url, "%s?sync=normal", f->url);
    ct_alloc_failures(url);
    ct_alloc_failures("sqlite::memory:");
    assert_int_equal(rd_store_open(f->url, &f->s, NULL), RD_OK);
}

/* The WAL is checkpointed every 10,000 pages, not SQLite's 1,000 (sqlite_int.h,
 * docs/store.md): 8 MB written in small transactions stay in the WAL (the
 * default would have copied them back and started it again at 4 MB), and
 * 60 MB do not all stay (a checkpoint ran, and the file was cut back). */
static long wal_bytes_after(struct fixture *f, int txns, struct rd_error *err)
{
    static char val[200 * 1024];
    char key[32], wal[600];
    struct stat st;

    memset(val, 'x', sizeof val - 1);
    for (int i = 0; i < txns; i++) {
        snprintf(key, sizeof key, "k%d", i);
        val[0] = (char)('a' + i % 26);
        assert_int_equal(f->s->ops->begin(f->s, err), RD_OK);
        assert_int_equal(f->s->ops->trading->kv_put(f->s, "wal", key, val, 0, err), RD_OK);
        assert_int_equal(f->s->ops->commit(f->s, err), RD_OK);
    }
    snprintf(wal, sizeof wal, "%s-wal", f->path);
    assert_int_equal(stat(wal, &st), 0);
    return (long)st.st_size;
}

static void test_wal_checkpoint_interval(void **state)
{
    struct fixture *f = *state;
    struct rd_error err = {0};

    assert_true(wal_bytes_after(f, 40, &err) > 7L * 1000 * 1000);
    assert_true(wal_bytes_after(f, 300, &err) < 45L * 1000 * 1000);
}

/* A database from before migration 16, its audit entries a row each: they
 * become a pack each with their hashes as they were, and the chain goes on
 * from them with packs of a commit's entries. */
static void test_migration_16_packs_stored_entries(void **state)
{
    struct fixture *f = *state;
    struct rd_decision_row d[4] = {
        make_decision("acct-A", "r1", 0), make_decision("acct-A", "r2", 1),
        make_decision("acct-A", "r3", 0), make_decision("acct-A", "r4", 0),
    };
    struct rd_error err = {0};
    struct audit_seen before, after;
    char sql[1200];

    for (int i = 0; i < 4; i++)
        add_rec(f->s, d[i].rec_id, NOW);
    assert_int_equal(f->s->ops->trading->decision_add(f->s, &d[0], &err), RD_OK);
    assert_int_equal(f->s->ops->trading->decision_add(f->s, &d[1], &err), RD_OK);
    before = audit_chain_of(f->s, "account:acct-A");
    assert_int_equal(before.n, 2);
    rd_store_close(f->s);
    f->s = NULL;
    /* back to version 15: the table of migration 10, a row an entry */
    snprintf(sql, sizeof sql,
             "CREATE TABLE old AS SELECT chain, seq, at, actor, kind, subject, record_hash, "
             "COALESCE(lag(hash) OVER (PARTITION BY chain ORDER BY seq), '%s') AS prev_hash, hash "
             "FROM audit_entries;"
             "DROP VIEW audit_entries; DROP TABLE audit_packs;"
             "CREATE TABLE audit_entries (chain TEXT NOT NULL, seq BIGINT NOT NULL, "
             "at BIGINT NOT NULL, actor TEXT NOT NULL, kind TEXT NOT NULL, subject TEXT NOT NULL, "
             "record_hash TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, "
             "PRIMARY KEY (chain, seq)) WITHOUT ROWID;"
             "INSERT INTO audit_entries SELECT * FROM old; DROP TABLE old;"
             "DELETE FROM schema_version WHERE version >= 16;", RD_AUDIT_ZERO_HASH);
    sql_exec(f->path, sql);
    assert_int_equal(sql_int(f->path, "SELECT COUNT(*) FROM audit_entries"), 2);

    assert_int_equal(rd_store_open(f->url, &f->s, &err), RD_OK);
    assert_int_equal(sql_int(f->path, "SELECT MAX(version) FROM schema_version"), 17);
    assert_int_equal(sql_int(f->path, "SELECT COUNT(*) FROM audit_packs WHERE first_seq = last_seq"), 2);
    after = audit_chain_of(f->s, "account:acct-A");
    assert_int_equal(after.n, 2);
    assert_memory_equal(after.e, before.e, 2 * sizeof before.e[0]);
    assert_int_equal(audit_verify_probs(f->s, NULL).n, 0);
    /* two decisions in one commit: one pack of two, after the old entries */
    assert_int_equal(f->s->ops->begin(f->s, &err), RD_OK);
    assert_int_equal(f->s->ops->trading->decision_add(f->s, &d[2], &err), RD_OK);
    assert_int_equal(f->s->ops->trading->decision_add(f->s, &d[3], &err), RD_OK);
    assert_int_equal(f->s->ops->commit(f->s, &err), RD_OK);
    assert_int_equal(sql_int(f->path, "SELECT COUNT(*) FROM audit_packs WHERE first_seq = 3 "
                                      "AND last_seq = 4"), 1);
    assert_int_equal(sql_int(f->path, "SELECT COUNT(*) FROM audit_entries"), 4);
    assert_int_equal(audit_chain_of(f->s, "account:acct-A").n, 4);
    assert_int_equal(audit_verify_probs(f->s, NULL).n, 0);
}

/* Back to version 16 (the tables of migrations 1, 2 and 8: rowid tables,
 * each key in an index of its own), with extra SQL run after; the file's
 * connection has no foreign keys on, as the sqlite3 shell. */
static void back_to_16(struct fixture *f, const char *then)
{
    char sql[2048];

    rd_store_close(f->s);
    f->s = NULL;
    snprintf(sql, sizeof sql,
             "CREATE TABLE kv_old (ns TEXT NOT NULL, key TEXT NOT NULL, val TEXT NOT NULL,"
             " PRIMARY KEY (ns, key));"
             "INSERT INTO kv_old SELECT * FROM kv; DROP TABLE kv;"
             "ALTER TABLE kv_old RENAME TO kv;"
             "CREATE TABLE defs_old (name TEXT PRIMARY KEY, def TEXT, created_at BIGINT NOT NULL,"
             " updated_at BIGINT NOT NULL, closed_at BIGINT NOT NULL, closed_by TEXT NOT NULL);"
             "INSERT INTO defs_old SELECT * FROM account_defs; DROP TABLE account_defs;"
             "ALTER TABLE defs_old RENAME TO account_defs;"
             "CREATE TABLE nodes_old (account TEXT PRIMARY KEY, type TEXT NOT NULL CHECK (type IN"
             " ('gen', 'rev', 'com')), parent TEXT, state TEXT NOT NULL, allow_negative INTEGER"
             " NOT NULL DEFAULT 0, created_at BIGINT NOT NULL);"
             "INSERT INTO nodes_old SELECT * FROM hier_nodes; DROP TABLE hier_nodes;"
             "ALTER TABLE nodes_old RENAME TO hier_nodes;"
             "CREATE INDEX hier_nodes_parent ON hier_nodes (parent);"
             "DELETE FROM schema_version WHERE version = 17;%s", then);
    sql_exec(f->path, sql);
    assert_int_equal(sql_int(f->path, "SELECT COUNT(*) FROM sqlite_master WHERE name IN "
                                      "('sqlite_autoindex_kv_1', "
                                      "'sqlite_autoindex_account_defs_1', "
                                      "'sqlite_autoindex_hier_nodes_1')"), 3);
}

/* A database from before migration 17: kv, account_defs and hier_nodes
 * become tables in key order (WITHOUT ROWID) with every row as it was, take
 * writes after, and the foreign keys to the nodes still hold. */
static void test_migration_17_tables_in_key_order(void **state)
{
    struct fixture *f = *state;
    const struct rd_store_ledger_ops *l = f->s->ops->ledger;
    struct rd_account_def_row def, got;
    struct rd_hier_node_row n, gn;
    struct rd_hier_state_row t;
    struct rd_error err = {0};
    char *val = NULL;

    memset(&def, 0, sizeof def);
    snprintf(def.name, sizeof def.name, "made");
    snprintf(def.def, sizeof def.def, "{\"name\":\"made\",\"broker\":\"paper\"}");
    def.created_at = def.updated_at = NOW;
    assert_int_equal(f->s->ops->api->account_def_put(f->s, &def, 1, &err), RD_OK);
    assert_int_equal(f->s->ops->trading->kv_put(f->s, "paper.account", "made", "{\"cash\":1}", 0,
                                                &err), RD_OK);
    memset(&n, 0, sizeof n);
    snprintf(n.account, sizeof n.account, "made");
    n.type = RD_NODE_GEN;
    n.state = RD_NODE_ACTIVE;
    n.created_at = NOW;
    assert_int_equal(l->node_add(f->s, &n, &err), RD_OK);
    memset(&t, 0, sizeof t);
    snprintf(t.account, sizeof t.account, "made");
    t.from = RD_NODE_ACTIVE;
    t.to = RD_NODE_SAFE;
    t.at = NOW;
    assert_int_equal(l->state_add(f->s, &t, &err), RD_OK);
    back_to_16(f, "");

    assert_int_equal(rd_store_open(f->url, &f->s, &err), RD_OK);
    l = f->s->ops->ledger;
    assert_int_equal(sql_int(f->path, "SELECT MAX(version) FROM schema_version"), 17);
    /* no index of the key besides each table: the table is its key's b-tree */
    assert_int_equal(sql_int(f->path, "SELECT COUNT(*) FROM sqlite_master WHERE tbl_name IN "
                                      "('kv', 'account_defs', 'hier_nodes') AND type = 'index' "
                                      "AND name LIKE 'sqlite_autoindex%'"), 0);
    assert_int_equal(sql_int(f->path, "SELECT COUNT(*) FROM sqlite_master WHERE name IN "
                                      "('kv', 'account_defs', 'hier_nodes') AND sql LIKE "
                                      "'%WITHOUT ROWID'"), 3);
    assert_int_equal(sql_int(f->path, "SELECT COUNT(*) FROM sqlite_master WHERE name = "
                                      "'hier_nodes_parent'"), 1);
    assert_int_equal(f->s->ops->trading->kv_get(f->s, "paper.account", "made", &val, &err), RD_OK);
    assert_string_equal(val, "{\"cash\":1}");
    rd_free(val);
    assert_int_equal(f->s->ops->api->account_def_get(f->s, "made", &got, &err), RD_OK);
    assert_string_equal(got.def, def.def);
    assert_int_equal(got.created_at, NOW);
    assert_int_equal(l->node_get(f->s, "made", &gn, &err), RD_OK);
    assert_int_equal(gn.state, RD_NODE_SAFE);
    assert_int_equal(gn.type, RD_NODE_GEN);
    assert_int_equal(sql_int(f->path, "SELECT COUNT(*) FROM hier_states WHERE account = "
                                      "'made'"), 1);
    /* writes after: a child by its parent, its account, its document */
    snprintf(n.account, sizeof n.account, "made.f1");
    snprintf(n.parent, sizeof n.parent, "made");
    n.type = RD_NODE_REV;
    assert_int_equal(l->node_add(f->s, &n, &err), RD_OK);
    assert_int_equal(l->node_add(f->s, &n, &err), RD_EEXIST);
    snprintf(def.name, sizeof def.name, "made.f1");
    assert_int_equal(f->s->ops->api->account_def_put(f->s, &def, 1, &err), RD_OK);
    assert_int_equal(f->s->ops->api->account_def_put(f->s, &def, 1, &err), RD_EEXIST);
    assert_int_equal(f->s->ops->trading->kv_put(f->s, "paper.account", "made", "{\"cash\":2}", 0,
                                                &err), RD_OK);
    assert_int_equal(f->s->ops->trading->kv_get(f->s, "paper.account", "made", &val, &err), RD_OK);
    assert_string_equal(val, "{\"cash\":2}");
    rd_free(val);
    assert_int_equal(sql_int(f->path, "SELECT COUNT(*) FROM account_defs"), 2);
    assert_int_equal(sql_int(f->path, "SELECT COUNT(*) FROM hier_nodes WHERE parent = 'made'"), 1);
    /* foreign keys on again: an op of no node is refused */
    {
        struct rd_hier_op_row op;

        memset(&op, 0, sizeof op);
        op.kind = RD_HIER_OP_FORK;
        snprintf(op.key, sizeof op.key, "k-ghost");
        snprintf(op.account, sizeof op.account, "ghost");
        op.status = RD_HIER_OP_OPEN;
        op.created_at = NOW;
        assert_int_equal(l->op_add(f->s, &op, &err), RD_ENOTFOUND);
        assert_non_null(strstr(err.msg, "not in the store"));
    }
}

/* A migration is committed only when every foreign key holds after it: a
 * state row of a node that is not there (written with the keys off) stops
 * migration 17, naming the row, and leaves the database at version 16. */
static void test_migration_refused_on_broken_key(void **state)
{
    struct fixture *f = *state;
    struct rd_error err = {0};

    back_to_16(f, "INSERT INTO hier_states (account, from_state, to_state, why, who, at) "
                  "VALUES ('ghost', 'ACTIVE', 'SAFE', '', '', 0);");
    assert_int_equal(rd_store_open(f->url, &f->s, &err), RD_ESTORE);
    assert_null(f->s);
    assert_non_null(strstr(err.msg, "migration 17"));
    assert_non_null(strstr(err.msg, "hier_states row 1 refers to a row of hier_nodes"));
    assert_int_equal(sql_int(f->path, "SELECT MAX(version) FROM schema_version"), 16);
    assert_int_equal(sql_int(f->path, "SELECT COUNT(*) FROM sqlite_master WHERE name = "
                                      "'sqlite_autoindex_hier_nodes_1'"), 1);
}

#define FILE_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup_file, teardown)
#define MEM_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup_memory, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_urls),
        cmocka_unit_test(test_order_status_names),
        FILE_TEST(test_rec_roundtrip),
        MEM_TEST(test_rec_roundtrip),
        FILE_TEST(test_decision_roundtrip),
        FILE_TEST(test_decisions_record),
        FILE_TEST(test_decision_tie_order),
        FILE_TEST(test_order_roundtrip),
        MEM_TEST(test_order_roundtrip),
        FILE_TEST(test_position_account_roundtrip),
        FILE_TEST(test_strings_cut_to_fit),
        FILE_TEST(test_isolation),
        FILE_TEST(test_rec_for_account),
        MEM_TEST(test_undecided_order_and_limit),
        FILE_TEST(test_transactions),
        MEM_TEST(test_transactions),
        FILE_TEST(test_unreadable_rows),
        FILE_TEST(test_decision_inputs_kept),
        FILE_TEST(test_migrations_and_reopen),
        FILE_TEST(test_migration_6_numbers_stored_recs),
        FILE_TEST(test_lock_other_process),
        FILE_TEST(test_lock_same_process_two_handles),
        MEM_TEST(test_lock_memory),
        FILE_TEST(test_activity),
        MEM_TEST(test_kv),
        MEM_TEST(test_kv_get_many),
        MEM_TEST(test_kv_put_many),
        MEM_TEST(test_kv_put_shared_many),
        MEM_TEST(test_orders_positions_many),
        MEM_TEST(test_maint_vacuum),
        FILE_TEST(test_maint_vacuum),
        MEM_TEST(test_reentrant_visitor),
        FILE_TEST(test_alloc_failures),
        FILE_TEST(test_wal_checkpoint_interval),
        FILE_TEST(test_two_handles),
        FILE_TEST(test_api_tokens_users),
        MEM_TEST(test_api_defs_and_reads),
        FILE_TEST(test_perf_snapshots_events_trades),
        FILE_TEST(test_ledger_nodes_states),
        FILE_TEST(test_ledger_txns),
        FILE_TEST(test_ledger_node_sums),
        FILE_TEST(test_ledger_ops),
        FILE_TEST(test_ledger_merge_assessments),
        FILE_TEST(test_audit_entries),
        FILE_TEST(test_audit_chains_interleaved),
        FILE_TEST(test_audit_rollback),
        FILE_TEST(test_audit_verify_tamper),
        FILE_TEST(test_audit_genesis),
        FILE_TEST(test_audit_rows_bounded),
        FILE_TEST(test_migration_16_packs_stored_entries),
        FILE_TEST(test_migration_17_tables_in_key_order),
        FILE_TEST(test_migration_refused_on_broken_key),
        FILE_TEST(test_audit_account_defs),
        FILE_TEST(test_key_check),
        FILE_TEST(test_key_refused_on_clear_amounts),
        FILE_TEST(test_key_ledger_sealed),
        FILE_TEST(test_key_kv_shared_sealed),
        FILE_TEST(test_key_snapshots_sealed),
        FILE_TEST(test_key_rekey),
        FILE_TEST(test_key_daily_sealed),
        MEM_TEST(test_trader_daily_conflict),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
