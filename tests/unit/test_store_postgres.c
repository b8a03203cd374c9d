/*
 * test_store_postgres.c - the storage interface over its PostgreSQL backend:
 * the contract every backend keeps (tests/store_contract.h), then what is
 * PostgreSQL's own: URLs and the password never shown, migrations and a newer
 * schema refused, byte-order collation, writers of different accounts apart
 * and places visible in order, a failing statement
 * that aborts the server's transaction, a connection lost for good.
 *
 * The server is a throwaway cluster (tests/pg_cluster.h): the one at
 * $RD_PG_URL when set, else one this test starts and stops itself (a watchdog
 * removes it if the test dies). Each test gets a database of its own. Without
 * PostgreSQL server binaries the program exits 77 (skipped), saying why.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#define CT_LOCK_RELEASE_WAIT_MS 5000
#include "store_contract.h"

#include "riskdesk/broker.h"
#include "riskdesk/paper_market.h"
#include "riskdesk/runner.h"

#include "pg_cluster.h"
#include "store/postgres_int.h"
#include "store/store_int.h"

static char skip_reason[256];
static int db_counter;

#define base_url pg_base_url

/* Runs SQL on url; the first column of the first row as an int. */
static int pg_sql(const char *url, const char *sql)
{
    int v = pg_cluster_sql(url, sql);

    if (v == -2)
        fail_msg("%s failed", sql);
    return v;
}

/* ---- fixtures: a fresh database per test ---- */

static int setup_db(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct rd_error err = {0};

    snprintf(f->name, sizeof f->name, "rd_t%d", ++db_counter);
    if (pg_cluster_new_db(f->name, f->url, sizeof f->url) != 0)
        return -1;
    if (rd_store_open(f->url, &f->s, &err) != RD_OK) {
        fprintf(stderr, "open: %s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown_db(void **state)
{
    struct fixture *f = *state;

    rd_store_close(f->s);
    pg_cluster_drop_db(f->name);
    free(f);
    return 0;
}

static void ct_sql_exec(struct fixture *f, const char *sql)
{
    pg_sql(f->url, sql);
}

static void ct_check_busy(struct fixture *f, const char *msg, long pid)
{
    char expect[64];

    (void)f;
    /* the holder as the server sees it, and as riskdesk named itself */
    snprintf(expect, sizeof expect, "\"riskdesk pid %ld\"", pid);
    assert_non_null(strstr(msg, expect));
    assert_non_null(strstr(msg, "server backend pid "));
}

/* ---- PostgreSQL's own ---- */

static void test_pg_urls(void **state)
{
    struct rd_store *s = (struct rd_store *)0x1;
    struct rd_error err = {0};
    char url[600];

    (void)state;
    /* the registry knows both schemes, and quotes only the scheme */
    assert_int_equal(rd_store_open("mysql://u:secret@db/x", &s, &err), RD_EUNSUPPORTED);
    assert_null(s);
    assert_non_null(strstr(err.msg, "postgres:"));
    assert_non_null(strstr(err.msg, "postgresql:"));
    assert_null(strstr(err.msg, "secret"));

    /* nobody listens on port 1: refused at once, the password masked */
    assert_int_equal(rd_store_open("postgres://u:s3cr3t-pw@127.0.0.1:1/x?connect_timeout=2", &s,
                                   &err), RD_ESTORE);
    assert_null(s);
    assert_null(strstr(err.msg, "s3cr3t-pw"));
    assert_non_null(strstr(err.msg, "postgres://u:***@127.0.0.1:1/x"));
    assert_non_null(strstr(err.msg, "cannot connect"));
    assert_int_equal(rd_store_open("postgresql://u@127.0.0.1:1/x?password=hunter22&connect_timeout=2",
                                   &s, &err), RD_ESTORE);
    assert_null(strstr(err.msg, "hunter22"));
    assert_non_null(strstr(err.msg, "password=***"));

    /* bad parameters: ours, and libpq's */
    assert_int_equal(rd_store_open("postgres://u@h/x?statement_timeout=soon", &s, &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "statement_timeout"));
    assert_int_equal(rd_store_open("postgres://u@h/x?lock_timeout=-1", &s, &err), RD_EINVAL);
    assert_int_equal(rd_store_open("postgres://u:pw12345@h/x?bogus=1", &s, &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "bogus"));
    assert_null(strstr(err.msg, "pw12345"));
    assert_int_equal(rd_store_postgres_ops.open("sqlite:x.db", &s, &err), RD_EINVAL);

    /* a real one, under the other scheme, with a password (trust ignores it)
     * and our timeouts: the handle's url hides the password */
    snprintf(url, sizeof url, "postgres%s&password=topsecret&statement_timeout=2000&lock_timeout=100",
             base_url + strlen("postgresql"));
    assert_int_equal(rd_store_open(url, &s, &err), RD_OK);
    assert_string_equal(s->ops->name, "postgres");
    assert_null(strstr(s->url, "topsecret"));
    assert_non_null(strstr(s->url, "password=***"));
    assert_non_null(strstr(s->url, "lock_timeout=100"));
    rd_store_close(s);
}

static void test_pg_versions_match_sqlite(void **state)
{
    (void)state;
    /* one schema version means the same tables in both backends */
    assert_int_equal(rd_pg_migrations[rd_pg_migration_count - 1].version,
                     rd_sqlite_migrations[rd_sqlite_migration_count - 1].version);
    for (int i = 0; i < rd_pg_migration_count; i++)
        assert_int_equal(rd_pg_migrations[i].version, i + 1);
}

/* The session's plan_cache_mode, as the handle's own connection sees it. */
static int generic_plans(struct rd_store *s)
{
    PGresult *res = PQexec(rd_pg_conn(s), "SHOW plan_cache_mode");
    int yes = PQresultStatus(res) == PGRES_TUPLES_OK &&
              !strcmp(PQgetvalue(res, 0, 0), "force_generic_plan");

    PQclear(res);
    return yes;
}

static void test_pg_migrations_and_reopen(void **state)
{
    struct fixture *f = *state;
    const int latest = rd_pg_migrations[rd_pg_migration_count - 1].version;
    struct rd_rec r;
    struct rd_error err = {0};
    char sql[128];

    assert_int_equal(pg_sql(f->url, "SELECT MAX(version) FROM schema_version"), latest);
    assert_int_equal(pg_sql(f->url, "SELECT COUNT(*) FROM schema_version"), latest);
    assert_true(generic_plans(f->s));       /* the open that migrated */
    assert_int_equal(pg_sql(f->url, "SELECT COUNT(*) FROM information_schema.tables WHERE "
                                    "table_schema = 'public' AND table_name IN ('accounts', 'recs', "
                                    "'decisions', 'orders', 'positions', 'trades', 'kv')"), 7);
    /* every text column compares bytes, as SQLite's BINARY does */
    assert_int_equal(pg_sql(f->url, "SELECT COUNT(*) FROM information_schema.columns WHERE "
                                    "table_schema = 'public' AND data_type = 'text' AND "
                                    "collation_name IS DISTINCT FROM 'C'"), 0);
    add_rec(f->s, "keep", NOW);
    /* migration 16: recs are kept (no foreign key from decisions: the
     * inserts check instead, and nothing takes a recommendation away) */
    assert_int_equal(pg_sql(f->url, "SELECT COUNT(*) FROM pg_constraint WHERE contype = 'f' "
                                    "AND conrelid = 'decisions'::regclass"), 0);
    assert_int_equal(pg_cluster_sql(f->url, "DELETE FROM recs WHERE id = 'keep'"), -2);
    assert_int_equal(pg_cluster_sql(f->url, "UPDATE recs SET id = 'moved' WHERE id = 'keep'"), -2);
    assert_int_equal(pg_cluster_sql(f->url, "TRUNCATE recs CASCADE"), -2);
    assert_int_equal(pg_sql(f->url, "SELECT COUNT(*) FROM recs WHERE id = 'keep'"), 1);
    rd_store_close(f->s);

    /* a reopen finds the schema current in one round trip, which also sets
     * the plan mode */
    assert_int_equal(rd_store_open(f->url, &f->s, &err), RD_OK);
    assert_int_equal(f->s->ops->trading->rec_get(f->s, "keep", &r, &err), RD_OK);
    assert_int_equal(pg_sql(f->url, "SELECT COUNT(*) FROM schema_version"), latest);
    assert_true(generic_plans(f->s));
    rd_store_close(f->s);

    /* a database from a newer riskdesk is refused, and left alone */
    snprintf(sql, sizeof sql, "INSERT INTO schema_version (version, applied_at) VALUES (%d, 0)",
             latest + 6);
    pg_sql(f->url, sql);
    f->s = NULL;
    assert_int_equal(rd_store_open(f->url, &f->s, &err), RD_EUNSUPPORTED);
    assert_null(f->s);
    snprintf(sql, sizeof sql, "schema version %d", latest + 6);
    assert_non_null(strstr(err.msg, sql));
    assert_non_null(strstr(err.msg, "newer"));
    assert_non_null(strstr(err.msg, f->name));
    assert_int_equal(pg_sql(f->url, "SELECT MAX(version) FROM schema_version"), latest + 6);
}

static void test_pg_byte_order(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    static const char *const names[] = {"b", "B", "_x", "a", "A-1", "A"};
    struct rd_account_row a;
    struct collect c = {0};
    struct rd_error err = {0};

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        memset(&a, 0, sizeof a);
        snprintf(a.name, sizeof a.name, "%s", names[i]);
        assert_int_equal(s->ops->trading->account_put(s, &a, &err), RD_OK);
    }
    assert_int_equal(s->ops->trading->account_list(s, visit_account, &c, &err), RD_OK);
    assert_int_equal(c.n, 6);
    assert_string_equal(c.acc[0].name, "A");
    assert_string_equal(c.acc[1].name, "A-1");
    assert_string_equal(c.acc[2].name, "B");
    assert_string_equal(c.acc[3].name, "_x");
    assert_string_equal(c.acc[4].name, "a");
    assert_string_equal(c.acc[5].name, "b");
}

static struct rd_account_row acct_row(const char *name, enum rd_trading_state st)
{
    struct rd_account_row a;

    memset(&a, 0, sizeof a);
    snprintf(a.name, sizeof a.name, "%s", name);
    snprintf(a.tier, sizeof a.tier, "small");
    a.state = st;
    a.updated_at = NOW;
    return a;
}

static struct rd_position_row pos_row(const char *account, const char *symbol)
{
    struct rd_position_row p;

    memset(&p, 0, sizeof p);
    snprintf(p.account, sizeof p.account, "%s", account);
    snprintf(p.symbol, sizeof p.symbol, "%s", symbol);
    snprintf(p.underlying, sizeof p.underlying, "%s", symbol);
    p.qty = 10;
    p.multiplier = 1;
    p.avg_price = 1000000;
    p.opened_at = NOW;
    return p;
}

/* Writers of different accounts do not wait for each other: a dispatcher's
 * transaction holds its own account's write lock only. Another writer of the
 * same account (an admin's halt) waits for that transaction. */
static void test_pg_account_writers_apart(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s2, *s3;
    struct rd_account_row a = acct_row("A", RD_STATE_HALTED), b = acct_row("B", RD_STATE_HALTED);
    struct rd_position_row pa = pos_row("A", "AAPL"), pb = pos_row("B", "MSFT");
    struct rd_error err = {0};
    char url[600];

    snprintf(url, sizeof url, "%s&lock_timeout=200", f->url);
    assert_int_equal(rd_store_open(url, &s2, &err), RD_OK);
    assert_int_equal(rd_store_open(url, &s3, &err), RD_OK);
    assert_int_equal(f->s->ops->lock_account(f->s, "A", &err), RD_OK);
    assert_int_equal(s2->ops->lock_account(s2, "B", &err), RD_OK);

    assert_int_equal(f->s->ops->begin(f->s, &err), RD_OK);
    assert_int_equal(f->s->ops->trading->position_put(f->s, &pa, &err), RD_OK);
    /* B's dispatcher begins, writes and commits while A's cycle is open */
    assert_int_equal(s2->ops->begin(s2, &err), RD_OK);
    assert_int_equal(s2->ops->trading->position_put(s2, &pb, &err), RD_OK);
    assert_int_equal(s2->ops->trading->account_put(s2, &b, &err), RD_OK);
    assert_int_equal(s2->ops->commit(s2, &err), RD_OK);
    /* a recommendation writer does not wait for a dispatcher either */
    add_rec(s3, "r1", NOW);
    /* A's own row waits for A's cycle */
    assert_int_equal(s3->ops->trading->account_put(s3, &a, &err), RD_ESTORE);
    assert_non_null(strstr(err.msg, "lock timeout"));
    assert_int_equal(f->s->ops->commit(f->s, &err), RD_OK);
    assert_int_equal(s3->ops->trading->account_put(s3, &a, &err), RD_OK);
    rd_store_close(s3);
    rd_store_close(s2);
}

/* The audit trail keeps writers apart the same way: an account's chain is
 * extended under that account's write lock, so another account's decisions
 * go through while A's cycle is open, and a second writer of A's chain waits
 * for it (two could otherwise both read the same head). */
static void test_pg_audit_chains_apart(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s2, *s3;
    struct rd_decision_row a1 = make_decision("A", "r1", 1), b1 = make_decision("B", "r1", 0);
    struct rd_decision_row a2 = make_decision("A", "r2", 0);
    struct rd_audit_summary sum;
    struct rd_error err = {0};
    char url[600];

    snprintf(url, sizeof url, "%s&lock_timeout=200", f->url);
    assert_int_equal(rd_store_open(url, &s2, &err), RD_OK);
    assert_int_equal(rd_store_open(url, &s3, &err), RD_OK);
    add_rec(f->s, "r1", NOW);
    add_rec(f->s, "r2", NOW);
    assert_int_equal(f->s->ops->lock_account(f->s, "A", &err), RD_OK);
    assert_int_equal(f->s->ops->begin(f->s, &err), RD_OK);
    assert_int_equal(f->s->ops->trading->decision_add(f->s, &a1, &err), RD_OK);
    /* B's decision and its entry commit while A's cycle is open */
    assert_int_equal(s2->ops->trading->decision_add(s2, &b1, &err), RD_OK);
    /* another writer of A's chain waits for A's cycle, and writes nothing */
    assert_int_equal(s3->ops->trading->decision_add(s3, &a2, &err), RD_ESTORE);
    assert_non_null(strstr(err.msg, "lock timeout"));
    assert_int_equal(f->s->ops->commit(f->s, &err), RD_OK);
    assert_int_equal(s3->ops->trading->decision_add(s3, &a2, &err), RD_OK);
    assert_int_equal(rd_audit_verify(f->s, NULL, NULL, NULL, NULL, &sum, &err), RD_OK);
    assert_int_equal(sum.problems, 0);
    assert_int_equal(sum.entries, 3);
    rd_store_close(s3);
    rd_store_close(s2);
}

/* A shared document (the paper market) never makes one account's
 * transaction wait for another's: the second writer leaves it to the first,
 * at once (the handles' lock timeout would fail the statement otherwise). */
static void test_pg_shared_kv_never_waits(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s2;
    struct rd_error err = {0};
    char url[600], *val = NULL;

    snprintf(url, sizeof url, "%s&lock_timeout=200", f->url);
    assert_int_equal(rd_store_open(url, &s2, &err), RD_OK);
    assert_int_equal(f->s->ops->begin(f->s, &err), RD_OK);
    assert_int_equal(f->s->ops->trading->kv_put(f->s, "paper.market", "X", "{\"by\":1}",
                                                RD_KV_SHARED_NEW, &err), RD_OK);
    assert_int_equal(s2->ops->begin(s2, &err), RD_OK);
    /* not there for s2 yet, but being written: left to the first */
    assert_int_equal(s2->ops->trading->kv_put(s2, "paper.market", "X", "{\"by\":2}",
                                              RD_KV_SHARED_NEW, &err), RD_EEXIST);
    assert_int_equal(s2->ops->trading->kv_get(s2, "paper.market", "X", &val, &err), RD_ENOTFOUND);
    assert_int_equal(s2->ops->trading->kv_put(s2, "paper.market", "X", "{\"by\":2}",
                                              RD_KV_SHARED, &err), RD_OK);
    assert_int_equal(s2->ops->commit(s2, &err), RD_OK);
    assert_int_equal(f->s->ops->trading->kv_put(f->s, "paper.market", "X", "{\"by\":3}",
                                                RD_KV_SHARED, &err), RD_OK);
    assert_int_equal(f->s->ops->commit(f->s, &err), RD_OK);
    /* the first writer's; then anyone may advance it */
    assert_int_equal(s2->ops->trading->kv_get(s2, "paper.market", "X", &val, &err), RD_OK);
    assert_string_equal(val, "{\"by\":3}");
    rd_free(val);
    assert_int_equal(s2->ops->trading->kv_put(s2, "paper.market", "X", "{\"by\":4}",
                                              RD_KV_SHARED, &err), RD_OK);
    assert_int_equal(s2->ops->trading->kv_put(s2, "paper.market", "X", "{\"by\":5}",
                                              RD_KV_SHARED_NEW, &err), RD_EEXIST);
    assert_int_equal(s2->ops->trading->kv_get(s2, "paper.market", "X", &val, &err), RD_OK);
    assert_string_equal(val, "{\"by\":4}");
    rd_free(val);
    rd_store_close(s2);
}

/* Many shared documents at once: a key another open transaction is writing
 * is left to it, at once, in either mode, and the others written; the
 * statement says which. */
static void test_pg_shared_kv_many_never_waits(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s2;
    struct rd_error err = {0};
    char url[600];
    const char *keys[] = {"X", "Y", "Z"};
    const char *vals[] = {"{\"by\":2}", "{\"y\":2}", "{\"z\":2}"};
    const char *mine[] = {"{\"by\":1}", "{\"y\":1}", NULL};
    const char *landed[] = {"{\"by\":1}", "{\"y\":2}", "{\"z\":2}"};
    int written[3];

    snprintf(url, sizeof url, "%s&lock_timeout=200", f->url);
    assert_int_equal(rd_store_open(url, &s2, &err), RD_OK);
    assert_int_equal(f->s->ops->begin(f->s, &err), RD_OK);
    assert_int_equal(f->s->ops->trading->kv_put(f->s, "paper.market", "X", mine[0],
                                                RD_KV_SHARED_NEW, &err), RD_OK);
    assert_int_equal(s2->ops->trading->kv_put(s2, "paper.market", "Y", mine[1], 0, &err), RD_OK);
    assert_int_equal(s2->ops->begin(s2, &err), RD_OK);
    memset(written, 0xA5, sizeof written);
    assert_int_equal(rd_store_kv_put_shared_many(s2, "paper.market", keys, vals, 3,
                                                 RD_KV_SHARED_NEW, written, &err), RD_OK);
    assert_int_equal(written[0], 0);          /* being written by the first */
    assert_int_equal(written[1], 0);          /* there */
    assert_int_equal(written[2], 1);
    memset(written, 0xA5, sizeof written);
    assert_int_equal(rd_store_kv_put_shared_many(s2, "paper.market", keys, vals, 2,
                                                 RD_KV_SHARED, written, &err), RD_OK);
    assert_int_equal(written[0], 0);
    assert_int_equal(written[1], 1);
    ct_kv_are(s2, "paper.market", keys, (const char *const[]){NULL, vals[1], vals[2]}, 3);
    assert_int_equal(s2->ops->commit(s2, &err), RD_OK);
    assert_int_equal(f->s->ops->commit(f->s, &err), RD_OK);
    ct_kv_are(f->s, "paper.market", keys, landed, 3);
    rd_store_close(s2);
}

/* Account A's paper broker, trading through the store at now. */
static struct rd_broker *pg_paper(struct rd_store *s, struct rd_broker_state *st,
                                  const char *account, int64_t now)
{
    struct rd_broker_params p = {.account = account, .state = st,
                                 .starting_cash = RD_DOLLARS(10000), .seed = 5};
    struct rd_error err = {0};
    struct rd_broker *b = NULL;

    rd_runner_store_state(s, st);
    if (rd_broker_open("paper", &p, &b, &err) != RD_OK)
        fail_msg("rd_broker_open: %s", err.msg);
    b->now = now;
    return b;
}

/* A batch of orders on contracts new to the market while another account's
 * open transaction starts one of them: the batch does not wait, fills at the
 * walk it started itself, and the other's walk is the market's once it
 * commits; the batch's other new walk is written. */
static void test_pg_paper_batch_walk_of_another(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s2;
    struct rd_broker_state sta, stb;
    struct rd_broker *a, *b;
    struct rd_order_request reqs[2] = {
        {.client_order_id = "a1", .symbol = "NEWX", .side = RD_SIDE_BUY, .qty = 1,
         .multiplier = 1, .ref_price = RD_DOLLARS(50)},
        {.client_order_id = "a2", .symbol = "NEWY", .side = RD_SIDE_BUY, .qty = 1,
         .multiplier = 1, .ref_price = RD_DOLLARS(60)},
    };
    struct rd_order_request theirs = {.client_order_id = "b1", .symbol = "NEWX",
                                      .side = RD_SIDE_BUY, .qty = 1, .multiplier = 1,
                                      .ref_price = RD_DOLLARS(40)};
    struct rd_order_result got[2], r;
    struct rd_error err = {0};
    char url[600];
    rd_money q;
    int rcs[2];

    snprintf(url, sizeof url, "%s&lock_timeout=200", f->url);
    assert_int_equal(rd_store_open(url, &s2, &err), RD_OK);
    a = pg_paper(s2, &sta, "A", NOW);
    b = pg_paper(f->s, &stb, "B", NOW);
    assert_int_equal(f->s->ops->begin(f->s, &err), RD_OK);
    assert_int_equal(b->ops->submit_order(b, &theirs, &r, &err), RD_OK);
    assert_int_equal(r.fill_price, rd_paper_quote(RD_DOLLARS(40)));
    if (a->ops->submit_orders(a, reqs, 2, got, rcs, &err) != RD_OK)
        fail_msg("submit_orders: %s", err.msg);
    assert_int_equal(rcs[0], RD_OK);
    assert_int_equal(got[0].status, RD_ORDER_FILLED);
    assert_int_equal(got[0].fill_price, rd_paper_quote(RD_DOLLARS(50)));
    assert_int_equal(got[1].fill_price, rd_paper_quote(RD_DOLLARS(60)));
    assert_int_equal(a->ops->quote(a, "NEWX", &q, &err), RD_ENOTFOUND);
    assert_int_equal(f->s->ops->commit(f->s, &err), RD_OK);
    assert_int_equal(a->ops->quote(a, "NEWX", &q, &err), RD_OK);
    assert_int_equal(q, rd_paper_quote(RD_DOLLARS(40)));
    assert_int_equal(b->ops->quote(b, "NEWY", &q, &err), RD_OK);
    assert_int_equal(q, rd_paper_quote(RD_DOLLARS(60)));
    rd_broker_close(a);
    rd_broker_close(b);
    rd_store_close(s2);
}

struct late_add {
    struct rd_store *s;
    int rc;
};

static void *add_fast(void *arg)
{
    struct late_add *a = arg;
    struct rd_rec r = make_rec("fast", NOW, "AAPL");
    struct rd_error err = {0};

    a->rc = a->s->ops->trading->rec_add(a->s, &r, &err);
    return NULL;
}

/* Polls (10 s at most) until a session on database name waits for an
 * advisory lock: the writer lock rec_add takes before drawing its place. */
static void wait_for_advisory_waiter(const char *name)
{
    char sql[256];
    int i, n = 0;

    snprintf(sql, sizeof sql, "SELECT count(*) FROM pg_stat_activity WHERE datname = '%s' "
                              "AND wait_event_type = 'Lock' AND wait_event = 'advisory'", name);
    for (i = 0; i < 1000 && n < 1; i++) {
        n = pg_sql(base_url, sql);
        if (n < 1)
            usleep(10 * 1000);
    }
    assert_int_equal(n, 1);
}

/* Places become visible in order: a recommendation stored outside any
 * transaction waits for a writer that drew an earlier place, so a walk in
 * between sees neither and its mark passes neither. Without the wait, "fast"
 * would be visible first and the mark would pass "slow" for good. */
static void test_pg_rec_places_visible_in_order(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s2, *s3;
    struct late_add a = {0};
    struct rd_rec out[4];
    struct rd_error err = {0};
    int64_t mark = 0;
    pthread_t th;
    size_t n = 9;

    assert_int_equal(rd_store_open(f->url, &s2, &err), RD_OK);
    assert_int_equal(rd_store_open(f->url, &s3, &err), RD_OK);
    assert_int_equal(f->s->ops->begin(f->s, &err), RD_OK);
    add_rec(f->s, "slow", NOW);
    a.s = s2;
    assert_int_equal(pthread_create(&th, NULL, add_fast, &a), 0);
    wait_for_advisory_waiter(f->name);
    assert_int_equal(s3->ops->trading->rec_undecided(s3, "A", &mark, 4, out, &n, &err), RD_OK);
    assert_int_equal(n, 0);
    assert_true(mark == 0);
    assert_int_equal(f->s->ops->commit(f->s, &err), RD_OK);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(a.rc, RD_OK);
    assert_int_equal(s3->ops->trading->rec_undecided(s3, "A", &mark, 4, out, &n, &err), RD_OK);
    assert_int_equal(n, 2);
    assert_string_equal(out[0].id, "slow");
    assert_string_equal(out[1].id, "fast");
    rd_store_close(s3);
    rd_store_close(s2);
}

/* A failure the contract does not let a transaction survive (here: bytes that
 * are not UTF-8) aborts it on the server; commit says so and writes nothing. */
static void test_pg_failed_statement_aborts(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_rec r;
    struct rd_error err = {0};

    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    add_rec(s, "before", NOW);
    assert_int_equal(s->ops->trading->kv_put(s, "ns", "k", "\xff\xfe", 0, &err), RD_ESTORE);
    assert_non_null(strstr(err.msg, "kv_put ns/k"));
    assert_int_equal(s->ops->commit(s, &err), RD_ESTORE);
    assert_non_null(strstr(err.msg, "nothing was written"));
    assert_int_equal(s->ops->trading->rec_get(s, "before", &r, &err), RD_ENOTFOUND);
    /* the handle goes on */
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    add_rec(s, "after", NOW);
    assert_int_equal(s->ops->commit(s, &err), RD_OK);
    assert_int_equal(s->ops->trading->rec_get(s, "after", &r, &err), RD_OK);
}

/* A connection the server ends is not re-established behind the caller's
 * back: its account locks went with it. */
static void test_pg_connection_lost(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s, *s2;
    struct rd_rec r;
    struct rd_error err = {0};
    char sql[256];

    assert_int_equal(s->ops->lock_account(s, "A", &err), RD_OK);
    snprintf(sql, sizeof sql, "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
                              "WHERE datname = '%s' AND pid <> pg_backend_pid()", f->name);
    assert_int_equal(pg_sql(base_url, sql), 1);
    assert_int_equal(s->ops->trading->rec_get(s, "x", &r, &err), RD_ESTORE);
    assert_int_equal(s->ops->trading->rec_get(s, "x", &r, &err), RD_ESTORE);
    assert_non_null(strstr(err.msg, "connection is lost"));
    assert_int_equal(s->ops->begin(s, &err), RD_ESTORE);
    assert_int_equal(rd_store_open(f->url, &s2, &err), RD_OK);
    assert_int_equal(lock_after_death(s2, "A", &err), RD_OK);
    rd_store_close(s2);
}

static void test_pg_alloc_failures(void **state)
{
    struct fixture *f = *state;

    rd_store_close(f->s);
    f->s = NULL;
    ct_alloc_failures(f->url);
    assert_int_equal(rd_store_open(f->url, &f->s, NULL), RD_OK);
}

static long ms_since(const struct timespec *t0)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)(t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* A looping dispatcher's handle is told of the recommendations another
 * handle adds, at their commit and once a transaction; with none it waits
 * out its timeout. */
static void test_pg_rec_wait(void **state)
{
    struct fixture *f = *state;
    struct rd_store *other = NULL;
    struct rd_error err = {0};
    struct timespec t0;
    int woken = -1;

    /* the first call subscribes and returns at once */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(rd_store_rec_wait(f->s, 10000, &woken, &err), RD_OK);
    assert_int_equal(woken, 0);
    assert_true(ms_since(&t0) < 5000);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(rd_store_rec_wait(f->s, 200, &woken, &err), RD_OK);
    assert_int_equal(woken, 0);
    assert_true(ms_since(&t0) >= 190);

    assert_int_equal(rd_store_open(f->url, &other, &err), RD_OK);
    assert_int_equal(other->ops->begin(other, &err), RD_OK);
    add_rec(other, "w1", NOW);
    add_rec(other, "w2", NOW);
    assert_int_equal(rd_store_rec_wait(f->s, 200, &woken, &err), RD_OK);
    assert_int_equal(woken, 0);             /* not committed: no word yet */
    assert_int_equal(other->ops->commit(other, &err), RD_OK);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(rd_store_rec_wait(f->s, 20000, &woken, &err), RD_OK);
    assert_int_equal(woken, 1);
    assert_true(ms_since(&t0) < 10000);
    assert_int_equal(rd_store_rec_wait(f->s, 200, &woken, &err), RD_OK);
    assert_int_equal(woken, 0);             /* one word for the two */

    /* a transaction would keep the commits it waits for from showing */
    assert_int_equal(f->s->ops->begin(f->s, &err), RD_OK);
    assert_int_equal(rd_store_rec_wait(f->s, 200, &woken, &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "inside a transaction"));
    f->s->ops->rollback(f->s);
    rd_store_close(other);
}

#define PG_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup_db, teardown_db)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pg_urls),
        cmocka_unit_test(test_pg_versions_match_sqlite),
        PG_TEST(test_rec_roundtrip),
        PG_TEST(test_decision_roundtrip),
        PG_TEST(test_decisions_record),
        PG_TEST(test_decision_tie_order),
        PG_TEST(test_order_roundtrip),
        PG_TEST(test_position_account_roundtrip),
        PG_TEST(test_strings_cut_to_fit),
        PG_TEST(test_isolation),
        PG_TEST(test_rec_for_account),
        PG_TEST(test_undecided_order_and_limit),
        PG_TEST(test_transactions),
        PG_TEST(test_unreadable_rows),
        PG_TEST(test_decision_inputs_kept),
        PG_TEST(test_lock_other_process),
        PG_TEST(test_lock_same_process_two_handles),
        PG_TEST(test_activity),
        PG_TEST(test_kv),
        PG_TEST(test_kv_get_many),
        PG_TEST(test_kv_put_many),
        PG_TEST(test_kv_put_shared_many),
        PG_TEST(test_pg_shared_kv_many_never_waits),
        PG_TEST(test_pg_paper_batch_walk_of_another),
        PG_TEST(test_orders_positions_many),
        PG_TEST(test_maint_vacuum),
        PG_TEST(test_reentrant_visitor),
        PG_TEST(test_two_handles),
        PG_TEST(test_pg_rec_wait),
        PG_TEST(test_api_tokens_users),
        PG_TEST(test_api_defs_and_reads),
        PG_TEST(test_perf_snapshots_events_trades),
        PG_TEST(test_ledger_nodes_states),
        PG_TEST(test_ledger_txns),
        PG_TEST(test_ledger_node_sums),
        PG_TEST(test_ledger_ops),
        PG_TEST(test_ledger_merge_assessments),
        PG_TEST(test_audit_entries),
        PG_TEST(test_audit_chains_interleaved),
        PG_TEST(test_audit_rollback),
        PG_TEST(test_audit_verify_tamper),
        PG_TEST(test_audit_genesis),
        PG_TEST(test_audit_rows_bounded),
        PG_TEST(test_audit_account_defs),
        PG_TEST(test_key_check),
        PG_TEST(test_key_refused_on_clear_amounts),
        PG_TEST(test_key_ledger_sealed),
        PG_TEST(test_key_kv_shared_sealed),
        PG_TEST(test_key_snapshots_sealed),
        PG_TEST(test_key_rekey),
        PG_TEST(test_key_daily_sealed),
        PG_TEST(test_trader_daily_conflict),
        PG_TEST(test_pg_migrations_and_reopen),
        PG_TEST(test_pg_byte_order),
        PG_TEST(test_pg_account_writers_apart),
        PG_TEST(test_pg_audit_chains_apart),
        PG_TEST(test_pg_shared_kv_never_waits),
        PG_TEST(test_pg_rec_places_visible_in_order),
        PG_TEST(test_pg_failed_statement_aborts),
        PG_TEST(test_pg_connection_lost),
        PG_TEST(test_pg_alloc_failures),
    };
    int rc = pg_cluster_start();

    if (rc > 0) {
        snprintf(skip_reason, sizeof skip_reason, "%s", pg_skip_reason);
        printf("SKIPPED: %s\n", skip_reason);
        return 77;      /* ctest's SKIP_RETURN_CODE: reported as skipped, not passed */
    }
    if (rc < 0)
        return 1;
    rc = cmocka_run_group_tests_name("store_postgres", tests, NULL, NULL);
    pg_cluster_stop();
    return rc;
}
