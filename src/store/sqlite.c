/*
 * sqlite.c - the SQLite storage backend.
 *
 *   sqlite:PATH                 a file; WAL journal, synchronous=FULL
 *   sqlite:PATH?sync=normal     synchronous=NORMAL: faster commits, and the last
 *                               transactions may be lost (never corrupted) if
 *                               the machine loses power
 *   sqlite::memory:             a private in-memory database (tests, demos)
 *
 * Every statement is prepared once per handle, when it is opened, and kept;
 * values are always bound, never written into SQL. The schema is migrated
 * forward on open (sqlite_schema.c); a database from a newer riskdesk is
 * refused. A handle is used by one thread at a time.
 *
 * Account locks are flock(2) locks on "PATH.lock.ACCOUNT" (the account name
 * with bytes outside [A-Za-z0-9_.-] written %XX), so the kernel drops them
 * when the process dies. The files are left in place: removing one while
 * another process has it open would let two processes hold "the" lock. An
 * in-memory database keeps its locks in the handle.
 */
#include "riskdesk/store.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "riskdesk/alloc.h"
#include "store/sqlite_int.h"
#include "store/sqlite_traders.h"
#include "store/sqlite_perf.h"
#include "store/store_int.h"
#include "riskdesk/banned.h"

#define SQLITE_STORE_MAGIC 0x53514c54u   /* "SQLT" */
#define BUSY_TIMEOUT_MS 5000
/* Page cache per handle unless the URL says cache_mib=N. */
#define DEFAULT_CACHE_MIB 4
#define LOCK_PATH_MAX 4096

/* Text fields in messages: fixed-size fields may lack their NUL. */
#define FIELD(f) (int)strnlen((f), sizeof(f)), (f)

enum stmt_id {
    ST_BEGIN,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_ACCOUNT_PUT,
    ST_ACCOUNT_GET,
    ST_ACCOUNT_LIST,
    ST_REC_ADD,
    ST_REC_GET,
    ST_REC_TOP,
    ST_REC_UNDECIDED,
    ST_DECISION_ADD,
    ST_DECISION_LIST,
    ST_ORDER_ADD,
    ST_ORDER_UPDATE,
    ST_ORDER_GET,
    ST_ORDER_LIST,
    ST_ORDER_LIST_STATUS,
    ST_POSITION_PUT,
    ST_POSITION_DELETE,
    ST_POSITION_LIST,
    ST_TRADE_ADD,
    ST_ACT_ENTRIES,
    ST_ACT_MINUTE,
    ST_ACT_TRADES,
    ST_KV_GET,
    ST_KV_INSERT,
    ST_KV_UPSERT,
    ST_COUNT
};

#define ACCOUNT_COLS "name, tier, state, halted_until, state_reason, updated_at"
#define REC_COLS                                                                 \
    "id, created_at, underlying, symbol, action, strategy, confidence, volume_ratio, " \
    "price, stop_price, expires_at, has_vix, vix, account, qty"
#define DECISION_COLS                                                            \
    "id, account, rec_id, decided_at, approved, size, first_failed, budget, unit_risk, " \
    "unit_cost, risk_pct, kelly_used, verdicts"
#define ORDER_COLS                                                               \
    "client_order_id, account, rec_id, decision_id, symbol, underlying, side, intent, " \
    "strategy, qty, multiplier, ref_price, status, broker_order_id, filled_qty, "  \
    "fill_price, reason, created_at, updated_at"
#define POSITION_COLS                                                            \
    "account, symbol, underlying, strategy, qty, multiplier, avg_price, opened_at, rec_id"
#define TRADE_COLS                                                               \
    "account, symbol, qty, multiplier, entry_price, exit_price, pnl, opened_at, closed_at, " \
    "day_trade"

static const char *const stmt_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_ACCOUNT_PUT] =
        "INSERT INTO accounts (" ACCOUNT_COLS ") VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET tier = excluded.tier, state = excluded.state, "
        "halted_until = excluded.halted_until, state_reason = excluded.state_reason, "
        "updated_at = excluded.updated_at",
    [ST_ACCOUNT_GET] = "SELECT " ACCOUNT_COLS " FROM accounts WHERE name = ?",
    [ST_ACCOUNT_LIST] = "SELECT " ACCOUNT_COLS " FROM accounts ORDER BY name",
    /* seq: the recommendation's place in the order taken (writers are
     * serialized, and recs are never deleted, so it only grows) */
    [ST_REC_ADD] = "INSERT INTO recs (" REC_COLS ", seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                   "?, ?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM recs))",
    [ST_REC_GET] = "SELECT " REC_COLS " FROM recs WHERE id = ?",
    /* Walks recs_created in order, skips those for another account and probes
     * the decisions (account, rec_id) unique index for each; stops after LIMIT
     * rows. */
    [ST_REC_TOP] = "SELECT coalesce(max(seq), 0) FROM recs",
    [ST_REC_UNDECIDED] =
        "SELECT " REC_COLS ", seq FROM recs WHERE seq > ?2 AND seq <= ?3 AND "
        "(recs.account IS NULL OR recs.account = ?1) AND "
        "NOT EXISTS (SELECT 1 FROM decisions WHERE decisions.account = ?1 AND "
        "decisions.rec_id = recs.id) ORDER BY seq LIMIT ?4",
    [ST_DECISION_ADD] =
        "INSERT INTO decisions (account, rec_id, decided_at, approved, size, first_failed, "
        "budget, unit_risk, unit_cost, risk_pct, kelly_used, verdicts) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    [ST_DECISION_LIST] = "SELECT " DECISION_COLS " FROM decisions WHERE account = ? "
                         "ORDER BY decided_at DESC, id DESC LIMIT ?",
    [ST_ORDER_ADD] = "INSERT INTO orders (" ORDER_COLS ") VALUES "
                     "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_ORDER_UPDATE] =
        "UPDATE orders SET status = ?, broker_order_id = ?, filled_qty = ?, fill_price = ?, "
        "reason = ?, updated_at = ? WHERE client_order_id = ? AND account = ?",
    [ST_ORDER_GET] = "SELECT " ORDER_COLS " FROM orders WHERE client_order_id = ?",
    [ST_ORDER_LIST] = "SELECT " ORDER_COLS " FROM orders WHERE account = ? "
                      "ORDER BY created_at, client_order_id",
    [ST_ORDER_LIST_STATUS] = "SELECT " ORDER_COLS " FROM orders WHERE account = ? AND status = ? "
                             "ORDER BY created_at, client_order_id",
    [ST_POSITION_PUT] =
        "INSERT INTO positions (" POSITION_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (account, symbol) DO UPDATE SET underlying = excluded.underlying, "
        "strategy = excluded.strategy, qty = excluded.qty, multiplier = excluded.multiplier, "
        "avg_price = excluded.avg_price, opened_at = excluded.opened_at, rec_id = excluded.rec_id",
    [ST_POSITION_DELETE] = "DELETE FROM positions WHERE account = ? AND symbol = ?",
    [ST_POSITION_LIST] = "SELECT " POSITION_COLS " FROM positions WHERE account = ? ORDER BY symbol",
    [ST_TRADE_ADD] = "INSERT INTO trades (" TRADE_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    /* ?1 day_start, ?2 account, ?3 underlying. Index orders_account_underlying. */
    [ST_ACT_ENTRIES] =
        "SELECT COUNT(CASE WHEN created_at >= ?1 THEN 1 END), MAX(created_at) FROM orders "
        "WHERE account = ?2 AND underlying = ?3 AND intent = 'entry' "
        "AND status NOT IN ('rejected', 'canceled')",
    /* Index orders_account_created. */
    [ST_ACT_MINUTE] = "SELECT COUNT(*) FROM orders WHERE account = ? AND created_at >= ?",
    /* ?1 pdt_since, ?2 kelly_since, ?3 account, ?4 the earlier of the two.
     * Index trades_account_closed. */
    [ST_ACT_TRADES] =
        "SELECT COUNT(CASE WHEN day_trade = 1 AND closed_at >= ?1 THEN 1 END), "
        "COUNT(CASE WHEN closed_at >= ?2 THEN 1 END), "
        "COUNT(CASE WHEN closed_at >= ?2 AND pnl > 0 THEN 1 END), "
        "SUM(CASE WHEN closed_at >= ?2 AND pnl > 0 THEN pnl ELSE 0 END), "
        "SUM(CASE WHEN closed_at >= ?2 AND pnl < 0 THEN -pnl ELSE 0 END) "
        "FROM trades WHERE account = ?3 AND closed_at >= ?4",
    [ST_KV_GET] = "SELECT val FROM kv WHERE ns = ? AND key = ?",
    [ST_KV_INSERT] = "INSERT INTO kv (ns, key, val) VALUES (?, ?, ?)",
    [ST_KV_UPSERT] = "INSERT INTO kv (ns, key, val) VALUES (?, ?, ?) "
                     "ON CONFLICT (ns, key) DO UPDATE SET val = excluded.val",
};

/* One account lock held by this handle. */
struct held_lock {
    struct held_lock *next;
    int fd;                  /* the locked file; -1 for an in-memory database */
    char holder[64];         /* "pid 1234 since 2026-11-22T10:00:00Z" */
    char account[];
};

struct sqlite_store {
    struct rd_store base;    /* first: rd_store * <-> sqlite_store * */
    uint32_t magic;
    sqlite3 *db;
    char *path;              /* as given after "sqlite:", options cut off */
    int memory;
    int depth;               /* begin() levels open */
    int doomed;              /* an inner level rolled back */
    struct held_lock *locks;
    sqlite3_stmt *st[ST_COUNT];
    sqlite3_stmt *ext[RD_SQX_COUNT];   /* sqlite_int.h: prepared on first use */
};

/* The checked downcast: a handle of another backend, or a freed one, stops
 * here in debug builds. */
static struct sqlite_store *sq(struct rd_store *s)
{
    struct sqlite_store *q = (struct sqlite_store *)s;

    assert(s && s->ops == &rd_store_sqlite_ops && q->magic == SQLITE_STORE_MAGIC);
    return q;
}

/*
 * Turns an SQLite result code into an rd error: duplicates are RD_EEXIST, a
 * reference to a missing row RD_ENOTFOUND, anything else RD_ESTORE. The
 * message names the operation (fmt) and carries sqlite3_errmsg.
 */
__attribute__((format(printf, 4, 5)))
static int fail(struct sqlite_store *q, int rc, struct rd_error *err, const char *fmt, ...)
{
    char what[256];
    int ext = q->db ? sqlite3_extended_errcode(q->db) : rc;
    const char *msg = q->db ? sqlite3_errmsg(q->db) : sqlite3_errstr(rc);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (ext == SQLITE_CONSTRAINT_PRIMARYKEY || ext == SQLITE_CONSTRAINT_UNIQUE)
        return rd_error_set(err, RD_EEXIST, "%s: already exists (%s)", what, msg);
    if (ext == SQLITE_CONSTRAINT_FOREIGNKEY)
        return rd_error_set(err, RD_ENOTFOUND, "%s: refers to a row that is not in the store (%s)",
                            what, msg);
    return rd_error_set(err, RD_ESTORE, "sqlite %s: %s: %s", q->path, what, msg);
}

/* ---- statements ---- */

/* Binds values in column order and remembers the first failure. */
struct binder {
    sqlite3_stmt *st;
    int i;
    int rc;
};

static void b_text_n(struct binder *b, const char *s, size_t n)
{
    b->i++;
    if (b->rc == SQLITE_OK)
        b->rc = sqlite3_bind_text(b->st, b->i, s, (int)n, SQLITE_STATIC);
}

/* A fixed-size field of cap bytes. */
static void b_field(struct binder *b, const char *s, size_t cap)
{
    b_text_n(b, s, strnlen(s, cap));
}

/* A fixed-size field where "" means none: stored as NULL. */
static void b_field_or_null(struct binder *b, const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);

    if (n) {
        b_text_n(b, s, n);
        return;
    }
    b->i++;
    if (b->rc == SQLITE_OK)
        b->rc = sqlite3_bind_null(b->st, b->i);
}

static void b_str(struct binder *b, const char *s)
{
    b_text_n(b, s, strlen(s));
}

static void b_i64(struct binder *b, int64_t v)
{
    b->i++;
    if (b->rc == SQLITE_OK)
        b->rc = sqlite3_bind_int64(b->st, b->i, v);
}

static void b_i64_or_null(struct binder *b, int64_t v)
{
    b->i++;
    if (b->rc == SQLITE_OK)
        b->rc = v ? sqlite3_bind_int64(b->st, b->i, v) : sqlite3_bind_null(b->st, b->i);
}

/* Takes a cached statement for one operation. A visitor that calls the same
 * operation from inside its own walk gets RD_EINTERNAL, not a corrupted walk. */
static int use(struct sqlite_store *q, enum stmt_id id, struct binder *b, const char *op,
               struct rd_error *err)
{
    b->st = q->st[id];
    b->i = 0;
    b->rc = SQLITE_OK;
    if (sqlite3_stmt_busy(b->st))
        return rd_error_set(err, RD_EINTERNAL, "store %s: called again from inside its own visitor",
                            op);
    return RD_OK;
}

static void done(struct binder *b)
{
    sqlite3_reset(b->st);
    sqlite3_clear_bindings(b->st);
}

/* Runs a statement that returns no rows. */
static int run(struct sqlite_store *q, struct binder *b, struct rd_error *err, const char *what)
{
    int rc = b->rc == SQLITE_OK ? sqlite3_step(b->st) : b->rc;
    int ret = RD_OK;

    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        ret = fail(q, rc, err, "%s", what);
    done(b);
    return ret;
}

static void col_text(sqlite3_stmt *st, int i, char *dst, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    size_t n = t ? (size_t)sqlite3_column_bytes(st, i) : 0;

    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, t, n);
    dst[n] = '\0';
}

#define COL_TEXT(st, i, field) col_text((st), (i), (field), sizeof(field))

static int bad_column(struct rd_error *err, const char *table, const char *col, sqlite3_stmt *st,
                      int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);

    return rd_error_set(err, RD_ESTORE, "store: %s.%s holds \"%.40s\", which this riskdesk does not know",
                        table, col, t ? (const char *)t : "NULL");
}

/* ---- rows ---- */

static const char *col_cstr(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);

    return t ? (const char *)t : "";
}

static int read_account(sqlite3_stmt *st, struct rd_account_row *a, struct rd_error *err)
{
    memset(a, 0, sizeof *a);
    COL_TEXT(st, 0, a->name);
    COL_TEXT(st, 1, a->tier);
    if (rd_store_state_parse(col_cstr(st, 2), &a->state))
        return bad_column(err, "accounts", "state", st, 2);
    a->halted_until = (int32_t)sqlite3_column_int64(st, 3);
    COL_TEXT(st, 4, a->state_reason);
    a->updated_at = sqlite3_column_int64(st, 5);
    return RD_OK;
}

static int read_rec(sqlite3_stmt *st, struct rd_rec *r, struct rd_error *err)
{
    memset(r, 0, sizeof *r);
    COL_TEXT(st, 0, r->id);
    r->created_at = sqlite3_column_int64(st, 1);
    COL_TEXT(st, 2, r->underlying);
    COL_TEXT(st, 3, r->symbol);
    if (rd_store_action_parse(col_cstr(st, 4), &r->action))
        return bad_column(err, "recs", "action", st, 4);
    if (rd_store_strategy_parse(col_cstr(st, 5), &r->strategy))
        return bad_column(err, "recs", "strategy", st, 5);
    r->confidence = sqlite3_column_int64(st, 6);
    r->volume_ratio = sqlite3_column_int64(st, 7);
    r->price = sqlite3_column_int64(st, 8);
    r->stop_price = sqlite3_column_int64(st, 9);
    r->expires_at = sqlite3_column_int64(st, 10);
    r->has_vix = sqlite3_column_int(st, 11);
    r->vix = sqlite3_column_int64(st, 12);
    COL_TEXT(st, 13, r->account);
    r->qty = sqlite3_column_int64(st, 14);
    return RD_OK;
}

static int read_decision(sqlite3_stmt *st, struct rd_decision_row *row, struct rd_error *err)
{
    struct rd_decision *d = &row->d;
    int rc;

    memset(row, 0, sizeof *row);
    row->id = sqlite3_column_int64(st, 0);
    COL_TEXT(st, 1, row->account);
    COL_TEXT(st, 2, row->rec_id);
    row->decided_at = sqlite3_column_int64(st, 3);
    d->approved = sqlite3_column_int(st, 4);
    d->size = sqlite3_column_int64(st, 5);
    if (sqlite3_column_type(st, 6) == SQLITE_NULL)
        d->first_failed = RD_GATE_COUNT;
    else if (rd_store_gate_parse(col_cstr(st, 6), &d->first_failed))
        return bad_column(err, "decisions", "first_failed", st, 6);
    d->budget = sqlite3_column_int64(st, 7);
    d->unit_risk = sqlite3_column_int64(st, 8);
    d->unit_cost = sqlite3_column_int64(st, 9);
    d->risk_pct = sqlite3_column_int64(st, 10);
    d->kelly_used = sqlite3_column_int(st, 11);
    rc = rd_store_verdicts_decode(col_cstr(st, 12), (size_t)sqlite3_column_bytes(st, 12), d, err);
    if (rc)
        return rd_error_prefix(err, "store: decision %" PRId64, row->id);
    return RD_OK;
}

static int read_order(sqlite3_stmt *st, struct rd_order_row *o, struct rd_error *err)
{
    memset(o, 0, sizeof *o);
    COL_TEXT(st, 0, o->client_order_id);
    COL_TEXT(st, 1, o->account);
    COL_TEXT(st, 2, o->rec_id);
    o->decision_id = sqlite3_column_int64(st, 3);
    COL_TEXT(st, 4, o->symbol);
    COL_TEXT(st, 5, o->underlying);
    if (rd_store_side_parse(col_cstr(st, 6), &o->side))
        return bad_column(err, "orders", "side", st, 6);
    if (rd_store_intent_parse(col_cstr(st, 7), &o->intent))
        return bad_column(err, "orders", "intent", st, 7);
    if (rd_store_strategy_parse(col_cstr(st, 8), &o->strategy))
        return bad_column(err, "orders", "strategy", st, 8);
    o->qty = sqlite3_column_int64(st, 9);
    o->multiplier = sqlite3_column_int64(st, 10);
    o->ref_price = sqlite3_column_int64(st, 11);
    if (rd_order_status_parse(col_cstr(st, 12), &o->status))
        return bad_column(err, "orders", "status", st, 12);
    COL_TEXT(st, 13, o->broker_order_id);
    o->filled_qty = sqlite3_column_int64(st, 14);
    o->fill_price = sqlite3_column_int64(st, 15);
    COL_TEXT(st, 16, o->reason);
    o->created_at = sqlite3_column_int64(st, 17);
    o->updated_at = sqlite3_column_int64(st, 18);
    return RD_OK;
}

static int read_position(sqlite3_stmt *st, struct rd_position_row *p, struct rd_error *err)
{
    memset(p, 0, sizeof *p);
    COL_TEXT(st, 0, p->account);
    COL_TEXT(st, 1, p->symbol);
    COL_TEXT(st, 2, p->underlying);
    if (rd_store_strategy_parse(col_cstr(st, 3), &p->strategy))
        return bad_column(err, "positions", "strategy", st, 3);
    p->qty = sqlite3_column_int64(st, 4);
    p->multiplier = sqlite3_column_int64(st, 5);
    p->avg_price = sqlite3_column_int64(st, 6);
    p->opened_at = sqlite3_column_int64(st, 7);
    COL_TEXT(st, 8, p->rec_id);
    return RD_OK;
}

/* ---- open, close, schema ---- */

static int exec_sql(struct sqlite_store *q, const char *sql, const char *what, struct rd_error *err)
{
    int rc = sqlite3_exec(q->db, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? RD_OK : fail(q, rc, err, "%s", what);
}

/* Runs a one-row query of constant SQL and hands back column 0 as text. */
static int query_text(struct sqlite_store *q, const char *sql, char *out, size_t n,
                      struct rd_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(q->db, sql, -1, &st, NULL);

    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        col_text(st, 0, out, n);
        rc = RD_OK;
    } else if (rc == SQLITE_DONE) {
        out[0] = '\0';
        rc = RD_OK;
    } else {
        rc = fail(q, rc, err, "%s", sql);
    }
    sqlite3_finalize(st);
    return rc;
}

static int schema_version(struct sqlite_store *q, int *version, struct rd_error *err)
{
    char text[32];
    char *stop;
    long v;
    int rc = query_text(q, "SELECT MAX(version) FROM schema_version", text, sizeof text, err);

    if (rc)
        return rc;
    if (!text[0]) {
        *version = 0;
        return RD_OK;
    }
    v = strtol(text, &stop, 10);
    if (*stop || v < 0 || v > 1000000)
        return rd_error_set(err, RD_ESTORE, "sqlite %s: schema_version holds \"%s\"", q->path, text);
    *version = (int)v;
    return RD_OK;
}

static int record_version(struct sqlite_store *q, int version, struct rd_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(q->db,
                                "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                                -1, &st, NULL);

    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(st, 1, version);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 2, (int64_t)time(NULL));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    rc = rc == SQLITE_DONE ? RD_OK : fail(q, rc, err, "record schema version %d", version);
    sqlite3_finalize(st);
    return rc;
}

/*
 * Brings the schema up to the newest migration, one transaction per
 * migration. BEGIN IMMEDIATE makes two processes opening a new database at
 * once take turns instead of both migrating.
 */
static int migrate(struct sqlite_store *q, struct rd_error *err)
{
    const int latest = rd_sqlite_migrations[rd_sqlite_migration_count - 1].version;
    int rc;

    for (;;) {
        int version = 0;
        const struct rd_sqlite_migration *m;

        rc = exec_sql(q, "BEGIN IMMEDIATE", "begin migration", err);
        if (rc)
            return rc;
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
                              "sqlite %s: the database is at schema version %d, newer than this "
                              "riskdesk knows (%d); use the riskdesk that wrote it, or a newer one",
                              q->path, version, latest);
            goto out;
        }
        if (version == latest)
            return exec_sql(q, "COMMIT", "commit schema check", err);
        m = &rd_sqlite_migrations[version];   /* versions are 1..latest, in order */
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
    sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
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

static int parse_options(const char *opts, int *sync_full, int *cache_mib, struct rd_error *err)
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

static int set_pragmas(struct sqlite_store *q, int sync_full, int cache_mib, struct rd_error *err)
{
    char v[32], sql[48];
    int rc = exec_sql(q, "PRAGMA foreign_keys = ON", "enable foreign keys", err);

    if (!rc)
        rc = query_text(q, "PRAGMA foreign_keys", v, sizeof v, err);
    if (!rc && strcmp(v, "1") != 0)
        return rd_error_set(err, RD_ESTORE, "sqlite %s: this SQLite cannot enforce foreign keys",
                            q->path);
    if (!rc && !q->memory) {
        rc = query_text(q, "PRAGMA journal_mode = WAL", v, sizeof v, err);
        if (!rc && strcmp(v, "wal") != 0)
            return rd_error_set(err, RD_ESTORE,
                                "sqlite %s: could not switch to WAL journal mode (got \"%s\"); "
                                "is the file on a network filesystem?", q->path, v);
    }
    if (!rc)
        rc = exec_sql(q, sync_full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
                      "set synchronous", err);
    /* The page cache, in KiB for SQLite's negative form. A cycle's batch of
     * inserts touches the same index pages again and again; docs/store.md
     * gives the measured trade between this and the process's memory. */
    snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", cache_mib * 1024);
    if (!rc)
        rc = exec_sql(q, sql, "set cache_size", err);
    return rc;
}

static void sq_close(struct rd_store *s);

static int sq_open(const char *url, struct rd_store **out, struct rd_error *err)
{
    struct sqlite_store *q = NULL;
    const char *spec, *opts;
    size_t plen;
    int sync_full = 1;
    int cache_mib = DEFAULT_CACHE_MIB;
    int rc;

    *out = NULL;
    if (strncmp(url, "sqlite:", 7) != 0)
        return rd_error_set(err, RD_EINVAL, "sqlite: URL must start with \"sqlite:\"");
    spec = url + 7;
    opts = strchr(spec, '?');
    plen = opts ? (size_t)(opts - spec) : strlen(spec);
    if (plen == 0)
        return rd_error_set(err, RD_EINVAL,
                            "sqlite URL \"%s\" has no path; expected sqlite:PATH or sqlite::memory:",
                            url);
    if (opts) {
        rc = parse_options(opts + 1, &sync_full, &cache_mib, err);
        if (rc)
            return rc;
    }

    q = rd_calloc(1, sizeof *q);
    if (!q)
        return rd_error_set(err, RD_ENOMEM, "sqlite: out of memory opening %s", url);
    q->base.ops = &rd_store_sqlite_ops;
    q->magic = SQLITE_STORE_MAGIC;
    snprintf(q->base.url, sizeof q->base.url, "%s", url);
    q->path = rd_strndup(spec, plen);
    if (!q->path) {
        rc = rd_error_set(err, RD_ENOMEM, "sqlite: out of memory opening %s", url);
        goto out;
    }
    q->memory = strcmp(q->path, ":memory:") == 0;

    rc = sqlite3_open_v2(q->path, &q->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        rc = fail(q, rc, err, "open");
        goto out;
    }
    sqlite3_extended_result_codes(q->db, 1);
    sqlite3_busy_timeout(q->db, BUSY_TIMEOUT_MS);
    rc = set_pragmas(q, sync_full, cache_mib, err);
    if (!rc)
        rc = migrate(q, err);
    for (int i = 0; !rc && i < ST_COUNT; i++) {
        int src = sqlite3_prepare_v3(q->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &q->st[i],
                                     NULL);

        if (src != SQLITE_OK)
            rc = fail(q, src, err, "prepare statement %d", i);
    }
    if (rc)
        goto out;
    *out = &q->base;
    q = NULL;
out:
    if (q)
        sq_close(&q->base);
    return rc;
}

static void release_lock(struct held_lock *l)
{
    if (l->fd >= 0) {
        /* Clear the holder line first so nobody reads a stale one. */
        if (ftruncate(l->fd, 0) != 0) {
            /* the lock is dropped on close all the same */
        }
        close(l->fd);
    }
    rd_free(l);
}

static void sq_close(struct rd_store *s)
{
    struct sqlite_store *q = sq(s);

    while (q->locks) {
        struct held_lock *l = q->locks;

        q->locks = l->next;
        release_lock(l);
    }
    if (q->db && !sqlite3_get_autocommit(q->db))
        sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(q->st[i]);
    for (int i = 0; i < RD_SQX_COUNT; i++)
        sqlite3_finalize(q->ext[i]);
    sqlite3_close_v2(q->db);
    rd_free(q->path);
    q->magic = 0;
    rd_free(q);
}

/* ---- transactions ---- */

static int step_fixed(struct sqlite_store *q, enum stmt_id id, const char *what,
                      struct rd_error *err)
{
    sqlite3_stmt *st = q->st[id];
    int rc = sqlite3_step(st);
    int ret = rc == SQLITE_DONE ? RD_OK : fail(q, rc, err, "%s", what);

    sqlite3_reset(st);
    return ret;
}

static int sq_begin(struct rd_store *s, struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    int rc;

    if (q->depth > 0) {
        q->depth++;
        return RD_OK;
    }
    rc = step_fixed(q, ST_BEGIN, "begin", err);
    if (rc)
        return rc;
    q->depth = 1;
    q->doomed = 0;
    return RD_OK;
}

static void really_rollback(struct sqlite_store *q)
{
    if (!sqlite3_get_autocommit(q->db))
        step_fixed(q, ST_ROLLBACK, "rollback", NULL);
}

static int sq_commit(struct rd_store *s, struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    int rc;

    if (q->depth == 0)
        return rd_error_set(err, RD_EINVAL, "store commit: no transaction is open");
    if (--q->depth > 0)
        return RD_OK;
    if (q->doomed) {
        really_rollback(q);
        return rd_error_set(err, RD_ESTORE,
                            "sqlite %s: commit: an inner level rolled back; nothing was written",
                            q->path);
    }
    if (sqlite3_get_autocommit(q->db))
        return rd_error_set(err, RD_ESTORE,
                            "sqlite %s: commit: SQLite already rolled the transaction back "
                            "after an earlier error; nothing was written", q->path);
    rc = step_fixed(q, ST_COMMIT, "commit", err);
    if (rc)
        really_rollback(q);
    return rc;
}

static void sq_rollback(struct rd_store *s)
{
    struct sqlite_store *q = sq(s);

    if (q->depth == 0)
        return;
    if (--q->depth > 0) {
        q->doomed = 1;
        return;
    }
    really_rollback(q);
}

/* ---- account locks ---- */

static int lock_path(const struct sqlite_store *q, const char *account, char *buf, size_t n,
                     struct rd_error *err)
{
    static const char hex[] = "0123456789ABCDEF";
    int w = snprintf(buf, n, "%s.lock.", q->path);
    size_t used;

    if (w < 0 || (size_t)w >= n)
        goto too_long;
    used = (size_t)w;
    for (const unsigned char *p = (const unsigned char *)account; *p; p++) {
        int plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                    (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '-';

        if (used + 4 >= n)
            goto too_long;
        if (plain) {
            buf[used++] = (char)*p;
        } else {
            buf[used++] = '%';
            buf[used++] = hex[*p >> 4];
            buf[used++] = hex[*p & 15];
        }
    }
    buf[used] = '\0';
    return RD_OK;
too_long:
    return rd_error_set(err, RD_ETOOBIG, "lock_account: lock file name for %s is too long", q->path);
}

static void holder_line(char *buf, size_t n)
{
    time_t now = time(NULL);
    struct tm tm;
    char when[32] = "?";

    if (gmtime_r(&now, &tm))
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(buf, n, "pid %ld since %s", (long)getpid(), when);
}

static int sq_lock_account(struct rd_store *s, const char *account, struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    char path[LOCK_PATH_MAX];
    char line[80];
    int line_len;
    struct held_lock *l;
    size_t alen;
    int fd = -1;
    int rc;

    if (!account || !account[0])
        return rd_error_set(err, RD_EINVAL, "lock_account: no account name");
    for (l = q->locks; l; l = l->next)
        if (!strcmp(l->account, account))
            return rd_error_set(err, RD_EBUSY, "account \"%s\" is already locked by this process (%s)",
                                account, l->holder);
    alen = strlen(account);
    l = rd_malloc(sizeof *l + alen + 1);
    if (!l)
        return rd_error_set(err, RD_ENOMEM, "lock_account \"%s\": out of memory", account);
    memcpy(l->account, account, alen + 1);
    holder_line(l->holder, sizeof l->holder);
    l->fd = -1;
    if (!q->memory) {
        rc = lock_path(q, account, path, sizeof path, err);
        if (rc)
            goto out;
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) {
            rc = rd_error_set(err, RD_EIO, "lock_account \"%s\": cannot open %s: %s", account, path,
                              strerror(errno));
            goto out;
        }
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int e = errno;
            char holder[128];
            ssize_t n;

            if (e != EWOULDBLOCK) {
                rc = rd_error_set(err, RD_EIO, "lock_account \"%s\": flock %s: %s", account, path,
                                  strerror(e));
                goto out;
            }
            n = pread(fd, holder, sizeof holder - 1, 0);
            holder[n > 0 ? n : 0] = '\0';
            holder[strcspn(holder, "\n")] = '\0';
            rc = rd_error_set(err, RD_EBUSY, "account \"%s\" is locked by %s (lock file %s)", account,
                              holder[0] ? holder : "another process that is starting up", path);
            goto out;
        }
        line_len = snprintf(line, sizeof line, "%s\n", l->holder);
        if (ftruncate(fd, 0) != 0 || pwrite(fd, line, (size_t)line_len, 0) != (ssize_t)line_len) {
            rc = rd_error_set(err, RD_EIO, "lock_account \"%s\": cannot write %s: %s", account, path,
                              strerror(errno));
            goto out;
        }
        l->fd = fd;
        fd = -1;
    }
    l->next = q->locks;
    q->locks = l;
    l = NULL;
    rc = RD_OK;
out:
    if (fd >= 0)
        close(fd);
    rd_free(l);
    return rc;
}

static void sq_unlock_account(struct rd_store *s, const char *account)
{
    struct sqlite_store *q = sq(s);

    for (struct held_lock **pp = &q->locks; *pp; pp = &(*pp)->next)
        if (!strcmp((*pp)->account, account)) {
            struct held_lock *l = *pp;

            *pp = l->next;
            release_lock(l);
            return;
        }
}

/* ---- accounts ---- */

static int sq_account_put(struct rd_store *s, const struct rd_account_row *a, struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    const char *state = rd_store_state_name(a->state);
    struct binder b;
    int rc;

    if (!state)
        return rd_error_set(err, RD_EINVAL, "account_put \"%.*s\": trading state %d out of range",
                            FIELD(a->name), (int)a->state);
    rc = use(q, ST_ACCOUNT_PUT, &b, "account_put", err);
    if (rc)
        return rc;
    b_field(&b, a->name, sizeof a->name);
    b_field(&b, a->tier, sizeof a->tier);
    b_str(&b, state);
    b_i64(&b, a->halted_until);
    b_field(&b, a->state_reason, sizeof a->state_reason);
    b_i64(&b, a->updated_at);
    return run(q, &b, err, "account_put");
}

static int sq_account_get(struct rd_store *s, const char *name, struct rd_account_row *a,
                          struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    struct binder b;
    int rc;

    rc = use(q, ST_ACCOUNT_GET, &b, "account_get", err);
    if (rc)
        return rc;
    b_str(&b, name);
    rc = b.rc == SQLITE_OK ? sqlite3_step(b.st) : b.rc;
    if (rc == SQLITE_ROW)
        rc = read_account(b.st, a, err);
    else if (rc == SQLITE_DONE)
        rc = rd_error_set(err, RD_ENOTFOUND, "account \"%s\" is not in the store", name);
    else
        rc = fail(q, rc, err, "account_get \"%s\"", name);
    done(&b);
    return rc;
}

static int sq_account_list(struct rd_store *s,
                           int (*visit)(void *ctx, const struct rd_account_row *), void *ctx,
                           struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    struct rd_account_row a;
    struct binder b;
    int rc;

    rc = use(q, ST_ACCOUNT_LIST, &b, "account_list", err);
    if (rc)
        return rc;
    for (;;) {
        rc = sqlite3_step(b.st);
        if (rc != SQLITE_ROW)
            break;
        rc = read_account(b.st, &a, err);
        if (rc == RD_OK)
            rc = visit(ctx, &a);
        if (rc)
            goto out;
    }
    rc = rc == SQLITE_DONE ? RD_OK : fail(q, rc, err, "account_list");
out:
    done(&b);
    return rc;
}

/* ---- recommendations ---- */

static int sq_rec_add(struct rd_store *s, const struct rd_rec *r, struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    const char *action = rd_store_action_name(r->action);
    const char *strategy = rd_store_strategy_name(r->strategy);
    char what[96];
    struct binder b;
    int rc;

    if (!action || !strategy)
        return rd_error_set(err, RD_EINVAL, "rec_add \"%.*s\": action %d or strategy %d out of range",
                            FIELD(r->id), (int)r->action, (int)r->strategy);
    rc = use(q, ST_REC_ADD, &b, "rec_add", err);
    if (rc)
        return rc;
    b_field(&b, r->id, sizeof r->id);
    b_i64(&b, r->created_at);
    b_field(&b, r->underlying, sizeof r->underlying);
    b_field(&b, r->symbol, sizeof r->symbol);
    b_str(&b, action);
    b_str(&b, strategy);
    b_i64(&b, r->confidence);
    b_i64(&b, r->volume_ratio);
    b_i64(&b, r->price);
    b_i64(&b, r->stop_price);
    b_i64(&b, r->expires_at);
    b_i64(&b, r->has_vix);
    b_i64(&b, r->vix);
    b_field_or_null(&b, r->account, sizeof r->account);
    b_i64(&b, r->qty);
    snprintf(what, sizeof what, "rec_add: recommendation \"%.*s\"", FIELD(r->id));
    return run(q, &b, err, what);
}

static int sq_rec_get(struct rd_store *s, const char *id, struct rd_rec *r, struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    struct binder b;
    int rc;

    rc = use(q, ST_REC_GET, &b, "rec_get", err);
    if (rc)
        return rc;
    b_str(&b, id);
    rc = b.rc == SQLITE_OK ? sqlite3_step(b.st) : b.rc;
    if (rc == SQLITE_ROW)
        rc = read_rec(b.st, r, err);
    else if (rc == SQLITE_DONE)
        rc = rd_error_set(err, RD_ENOTFOUND, "recommendation \"%s\" is not in the store", id);
    else
        rc = fail(q, rc, err, "rec_get \"%s\"", id);
    done(&b);
    return rc;
}

/* The last place taken in the order of recommendations (0: none yet). */
static int rec_top(struct sqlite_store *q, int64_t *top, struct rd_error *err)
{
    struct binder b;
    int rc = use(q, ST_REC_TOP, &b, "rec_undecided", err);

    if (rc)
        return rc;
    rc = sqlite3_step(b.st);
    if (rc == SQLITE_ROW) {
        *top = sqlite3_column_int64(b.st, 0);
        rc = RD_OK;
    } else {
        rc = fail(q, rc, err, "rec_undecided: the last recommendation's place");
    }
    done(&b);
    return rc;
}

/* The top is read before the walk: every place up to it belongs to a
 * committed recommendation (writers are serialized), so the walk, which
 * starts later, sees them all; one stored meanwhile lies above the top. */
static int sq_rec_undecided(struct rd_store *s, const char *account, int64_t *mark, size_t max,
                            struct rd_rec *out, size_t *n, struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    struct binder b;
    int64_t top = 0, last = *mark;
    int rc;

    *n = 0;
    if (max == 0)
        return RD_OK;
    if ((rc = rec_top(q, &top, err)) != RD_OK)
        return rc;
    if (top <= *mark)
        return RD_OK;
    rc = use(q, ST_REC_UNDECIDED, &b, "rec_undecided", err);
    if (rc)
        return rc;
    b_str(&b, account);
    b_i64(&b, *mark);
    b_i64(&b, top);
    b_i64(&b, max > INT64_MAX ? INT64_MAX : (int64_t)max);
    if (b.rc != SQLITE_OK) {
        rc = fail(q, b.rc, err, "rec_undecided \"%s\"", account);
        goto out;
    }
    while (*n < max) {
        rc = sqlite3_step(b.st);
        if (rc != SQLITE_ROW)
            break;
        rc = read_rec(b.st, &out[*n], err);
        if (rc)
            goto out;
        last = sqlite3_column_int64(b.st, 15);
        (*n)++;
    }
    if (*n == max || rc == SQLITE_DONE) {
        *mark = *n == max ? last : top;
        rc = RD_OK;
    } else {
        rc = fail(q, rc, err, "rec_undecided \"%s\"", account);
    }
out:
    done(&b);
    return rc;
}

/* ---- decisions ---- */

static int sq_decision_add(struct rd_store *s, struct rd_decision_row *row, struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    const struct rd_decision *d = &row->d;
    char verdicts[RD_STORE_VERDICTS_MAX];
    struct binder b;
    int rc;

    if ((unsigned)d->first_failed > RD_GATE_COUNT)
        return rd_error_set(err, RD_EINVAL, "decision_add \"%.*s\": first_failed %d out of range",
                            FIELD(row->rec_id), (int)d->first_failed);
    rc = rd_store_verdicts_encode(d, verdicts, sizeof verdicts, err);
    if (rc)
        return rd_error_prefix(err, "decision_add \"%.*s\" for \"%.*s\"", FIELD(row->rec_id),
                               FIELD(row->account));
    rc = use(q, ST_DECISION_ADD, &b, "decision_add", err);
    if (rc)
        return rc;
    b_field(&b, row->account, sizeof row->account);
    b_field(&b, row->rec_id, sizeof row->rec_id);
    b_i64(&b, row->decided_at);
    b_i64(&b, d->approved);
    b_i64(&b, d->size);
    if (d->first_failed == RD_GATE_COUNT) {
        b.i++;
        if (b.rc == SQLITE_OK)
            b.rc = sqlite3_bind_null(b.st, b.i);
    } else {
        b_str(&b, rd_store_gate_name(d->first_failed));
    }
    b_i64(&b, d->budget);
    b_i64(&b, d->unit_risk);
    b_i64(&b, d->unit_cost);
    b_i64(&b, d->risk_pct);
    b_i64(&b, d->kelly_used);
    b_str(&b, verdicts);
    rc = b.rc == SQLITE_OK ? sqlite3_step(b.st) : b.rc;
    if (rc == SQLITE_ROW) {
        row->id = sqlite3_column_int64(b.st, 0);
        rc = sqlite3_step(b.st);
    }
    rc = rc == SQLITE_DONE ? RD_OK
                           : fail(q, rc, err, "decision_add: recommendation \"%.*s\" for account \"%.*s\"",
                                  FIELD(row->rec_id), FIELD(row->account));
    done(&b);
    return rc;
}

static int sq_decision_list(struct rd_store *s, const char *account, size_t limit,
                            int (*visit)(void *ctx, const struct rd_decision_row *), void *ctx,
                            struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    struct rd_decision_row row;
    struct binder b;
    int rc;

    rc = use(q, ST_DECISION_LIST, &b, "decision_list", err);
    if (rc)
        return rc;
    b_str(&b, account);
    b_i64(&b, limit == 0 || limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    if (b.rc != SQLITE_OK) {
        rc = fail(q, b.rc, err, "decision_list \"%s\"", account);
        goto out;
    }
    for (;;) {
        rc = sqlite3_step(b.st);
        if (rc != SQLITE_ROW)
            break;
        rc = read_decision(b.st, &row, err);
        if (rc == RD_OK)
            rc = visit(ctx, &row);
        if (rc)
            goto out;
    }
    rc = rc == SQLITE_DONE ? RD_OK : fail(q, rc, err, "decision_list \"%s\"", account);
out:
    done(&b);
    return rc;
}

/* ---- orders ---- */

static int sq_order_add(struct rd_store *s, const struct rd_order_row *o, struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    const char *side = rd_store_side_name(o->side);
    const char *intent = rd_store_intent_name(o->intent);
    const char *strategy = rd_store_strategy_name(o->strategy);
    char what[128];
    struct binder b;
    int rc;

    if (!side || !intent || !strategy || (unsigned)o->status >= RD_ORDER_STATUS_COUNT)
        return rd_error_set(err, RD_EINVAL,
                            "order_add \"%.*s\": side %d, intent %d, strategy %d or status %d out of range",
                            FIELD(o->client_order_id), (int)o->side, (int)o->intent,
                            (int)o->strategy, (int)o->status);
    rc = use(q, ST_ORDER_ADD, &b, "order_add", err);
    if (rc)
        return rc;
    b_field(&b, o->client_order_id, sizeof o->client_order_id);
    b_field(&b, o->account, sizeof o->account);
    b_field_or_null(&b, o->rec_id, sizeof o->rec_id);
    b_i64_or_null(&b, o->decision_id);
    b_field(&b, o->symbol, sizeof o->symbol);
    b_field(&b, o->underlying, sizeof o->underlying);
    b_str(&b, side);
    b_str(&b, intent);
    b_str(&b, strategy);
    b_i64(&b, o->qty);
    b_i64(&b, o->multiplier);
    b_i64(&b, o->ref_price);
    b_str(&b, rd_order_status_name(o->status));
    b_field_or_null(&b, o->broker_order_id, sizeof o->broker_order_id);
    b_i64(&b, o->filled_qty);
    b_i64(&b, o->fill_price);
    b_field(&b, o->reason, sizeof o->reason);
    b_i64(&b, o->created_at);
    b_i64(&b, o->updated_at);
    snprintf(what, sizeof what, "order_add: client order id \"%.*s\"", FIELD(o->client_order_id));
    return run(q, &b, err, what);
}

static int sq_order_update(struct rd_store *s, const struct rd_order_row *o, struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    char what[128];
    struct binder b;
    int rc;

    if ((unsigned)o->status >= RD_ORDER_STATUS_COUNT)
        return rd_error_set(err, RD_EINVAL, "order_update \"%.*s\": status %d out of range",
                            FIELD(o->client_order_id), (int)o->status);
    rc = use(q, ST_ORDER_UPDATE, &b, "order_update", err);
    if (rc)
        return rc;
    b_str(&b, rd_order_status_name(o->status));
    b_field_or_null(&b, o->broker_order_id, sizeof o->broker_order_id);
    b_i64(&b, o->filled_qty);
    b_i64(&b, o->fill_price);
    b_field(&b, o->reason, sizeof o->reason);
    b_i64(&b, o->updated_at);
    b_field(&b, o->client_order_id, sizeof o->client_order_id);
    b_field(&b, o->account, sizeof o->account);
    snprintf(what, sizeof what, "order_update: client order id \"%.*s\"", FIELD(o->client_order_id));
    rc = run(q, &b, err, what);
    if (rc == RD_OK && sqlite3_changes(q->db) == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "order_update: no order \"%.*s\" for account \"%.*s\"",
                          FIELD(o->client_order_id), FIELD(o->account));
    return rc;
}

static int sq_order_get(struct rd_store *s, const char *client_order_id, struct rd_order_row *o,
                        struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    struct binder b;
    int rc;

    rc = use(q, ST_ORDER_GET, &b, "order_get", err);
    if (rc)
        return rc;
    b_str(&b, client_order_id);
    rc = b.rc == SQLITE_OK ? sqlite3_step(b.st) : b.rc;
    if (rc == SQLITE_ROW)
        rc = read_order(b.st, o, err);
    else if (rc == SQLITE_DONE)
        rc = rd_error_set(err, RD_ENOTFOUND, "order \"%s\" is not in the store", client_order_id);
    else
        rc = fail(q, rc, err, "order_get \"%s\"", client_order_id);
    done(&b);
    return rc;
}

static int sq_order_list(struct rd_store *s, const char *account, int status,
                         int (*visit)(void *ctx, const struct rd_order_row *), void *ctx,
                         struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    struct rd_order_row o;
    struct binder b;
    int rc;

    if (status >= RD_ORDER_STATUS_COUNT)
        return rd_error_set(err, RD_EINVAL, "order_list: status %d out of range", status);
    rc = use(q, status < 0 ? ST_ORDER_LIST : ST_ORDER_LIST_STATUS, &b, "order_list", err);
    if (rc)
        return rc;
    b_str(&b, account);
    if (status >= 0)
        b_str(&b, rd_order_status_name((enum rd_order_status)status));
    if (b.rc != SQLITE_OK) {
        rc = fail(q, b.rc, err, "order_list \"%s\"", account);
        goto out;
    }
    for (;;) {
        rc = sqlite3_step(b.st);
        if (rc != SQLITE_ROW)
            break;
        rc = read_order(b.st, &o, err);
        if (rc == RD_OK)
            rc = visit(ctx, &o);
        if (rc)
            goto out;
    }
    rc = rc == SQLITE_DONE ? RD_OK : fail(q, rc, err, "order_list \"%s\"", account);
out:
    done(&b);
    return rc;
}

/* ---- positions and trades ---- */

static int sq_position_put(struct rd_store *s, const struct rd_position_row *p, struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    const char *strategy = rd_store_strategy_name(p->strategy);
    char what[128];
    struct binder b;
    int rc;

    snprintf(what, sizeof what, "position_put \"%.*s\" for account \"%.*s\"", FIELD(p->symbol),
             FIELD(p->account));
    if (p->qty == 0) {
        rc = use(q, ST_POSITION_DELETE, &b, "position_put", err);
        if (rc)
            return rc;
        b_field(&b, p->account, sizeof p->account);
        b_field(&b, p->symbol, sizeof p->symbol);
        return run(q, &b, err, what);
    }
    if (!strategy)
        return rd_error_set(err, RD_EINVAL, "%s: strategy %d out of range", what, (int)p->strategy);
    rc = use(q, ST_POSITION_PUT, &b, "position_put", err);
    if (rc)
        return rc;
    b_field(&b, p->account, sizeof p->account);
    b_field(&b, p->symbol, sizeof p->symbol);
    b_field(&b, p->underlying, sizeof p->underlying);
    b_str(&b, strategy);
    b_i64(&b, p->qty);
    b_i64(&b, p->multiplier);
    b_i64(&b, p->avg_price);
    b_i64(&b, p->opened_at);
    b_field_or_null(&b, p->rec_id, sizeof p->rec_id);
    return run(q, &b, err, what);
}

static int sq_position_list(struct rd_store *s, const char *account,
                            int (*visit)(void *ctx, const struct rd_position_row *), void *ctx,
                            struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    struct rd_position_row p;
    struct binder b;
    int rc;

    rc = use(q, ST_POSITION_LIST, &b, "position_list", err);
    if (rc)
        return rc;
    b_str(&b, account);
    if (b.rc != SQLITE_OK) {
        rc = fail(q, b.rc, err, "position_list \"%s\"", account);
        goto out;
    }
    for (;;) {
        rc = sqlite3_step(b.st);
        if (rc != SQLITE_ROW)
            break;
        rc = read_position(b.st, &p, err);
        if (rc == RD_OK)
            rc = visit(ctx, &p);
        if (rc)
            goto out;
    }
    rc = rc == SQLITE_DONE ? RD_OK : fail(q, rc, err, "position_list \"%s\"", account);
out:
    done(&b);
    return rc;
}

static int sq_trade_add(struct rd_store *s, const struct rd_trade_row *t, struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    char what[128];
    struct binder b;
    int rc;

    rc = use(q, ST_TRADE_ADD, &b, "trade_add", err);
    if (rc)
        return rc;
    b_field(&b, t->account, sizeof t->account);
    b_field(&b, t->symbol, sizeof t->symbol);
    b_i64(&b, t->qty);
    b_i64(&b, t->multiplier);
    b_i64(&b, t->entry_price);
    b_i64(&b, t->exit_price);
    b_i64(&b, t->pnl);
    b_i64(&b, t->opened_at);
    b_i64(&b, t->closed_at);
    b_i64(&b, t->day_trade);
    snprintf(what, sizeof what, "trade_add \"%.*s\" for account \"%.*s\"", FIELD(t->symbol),
             FIELD(t->account));
    return run(q, &b, err, what);
}

/* ---- activity ---- */

/* Steps a one-row aggregate query; the caller reads the row, then done(). */
static int one_row(struct sqlite_store *q, struct binder *b, struct rd_error *err, const char *what,
                   const char *account)
{
    int rc = b->rc == SQLITE_OK ? sqlite3_step(b->st) : b->rc;

    if (rc == SQLITE_ROW)
        return RD_OK;
    done(b);
    return fail(q, rc == SQLITE_DONE ? SQLITE_ERROR : rc, err, "activity %s for \"%s\"", what,
                account);
}

static int sq_activity(struct rd_store *s, const struct rd_activity_query *aq,
                       struct rd_activity *out, struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    struct binder b;
    int rc;

    memset(out, 0, sizeof *out);
    if (!aq->account)
        return rd_error_set(err, RD_EINVAL, "activity: no account");

    if (aq->underlying) {
        rc = use(q, ST_ACT_ENTRIES, &b, "activity", err);
        if (rc)
            return rc;
        b_i64(&b, aq->day_start);
        b_str(&b, aq->account);
        b_str(&b, aq->underlying);
        rc = one_row(q, &b, err, "entries", aq->account);
        if (rc)
            return rc;
        out->entries_today = (int32_t)sqlite3_column_int64(b.st, 0);
        out->last_entry_at = sqlite3_column_int64(b.st, 1);
        done(&b);
    }

    rc = use(q, ST_ACT_MINUTE, &b, "activity", err);
    if (rc)
        return rc;
    b_str(&b, aq->account);
    b_i64(&b, aq->minute_ago);
    rc = one_row(q, &b, err, "orders in the last minute", aq->account);
    if (rc)
        return rc;
    out->orders_last_minute = (int32_t)sqlite3_column_int64(b.st, 0);
    done(&b);

    rc = use(q, ST_ACT_TRADES, &b, "activity", err);
    if (rc)
        return rc;
    b_i64(&b, aq->pdt_since);
    b_i64(&b, aq->kelly_since);
    b_str(&b, aq->account);
    b_i64(&b, aq->pdt_since < aq->kelly_since ? aq->pdt_since : aq->kelly_since);
    rc = one_row(q, &b, err, "closed trades", aq->account);
    if (rc)
        return rc;
    out->day_trades = (int32_t)sqlite3_column_int64(b.st, 0);
    out->closed_trades = (int32_t)sqlite3_column_int64(b.st, 1);
    out->winning_trades = (int32_t)sqlite3_column_int64(b.st, 2);
    out->gross_wins = sqlite3_column_int64(b.st, 3);
    out->gross_losses = sqlite3_column_int64(b.st, 4);
    done(&b);
    return RD_OK;
}

/* ---- kv ---- */

static int sq_kv_get(struct rd_store *s, const char *ns, const char *key, char **val,
                     struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    struct binder b;
    int rc;

    *val = NULL;
    rc = use(q, ST_KV_GET, &b, "kv_get", err);
    if (rc)
        return rc;
    b_str(&b, ns);
    b_str(&b, key);
    rc = b.rc == SQLITE_OK ? sqlite3_step(b.st) : b.rc;
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(b.st, 0);
        size_t n = (size_t)sqlite3_column_bytes(b.st, 0);

        *val = rd_strndup(t ? (const char *)t : "", n);
        rc = *val ? RD_OK
                  : rd_error_set(err, RD_ENOMEM, "kv_get %s/%s: out of memory for %zu bytes", ns,
                                 key, n);
    } else if (rc == SQLITE_DONE) {
        rc = rd_error_set(err, RD_ENOTFOUND, "kv %s/%s is not in the store", ns, key);
    } else {
        rc = fail(q, rc, err, "kv_get %s/%s", ns, key);
    }
    done(&b);
    return rc;
}

static int sq_kv_put(struct rd_store *s, const char *ns, const char *key, const char *val,
                     int only_new, struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    char what[160];
    struct binder b;
    int rc;

    rc = use(q, only_new ? ST_KV_INSERT : ST_KV_UPSERT, &b, "kv_put", err);
    if (rc)
        return rc;
    b_str(&b, ns);
    b_str(&b, key);
    b_str(&b, val);
    snprintf(what, sizeof what, "kv_put %.60s/%.60s", ns, key);
    return run(q, &b, err, what);
}

/* ---- what sqlite_int.h shares with the backend's other files ---- */

sqlite3 *rd_sqlite_db(struct rd_store *s)
{
    return sq(s)->db;
}

int rd_sqlite_ext_stmt(struct rd_store *s, enum rd_sqlite_ext slot, const char *sql,
                       sqlite3_stmt **out, struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    int rc;

    *out = NULL;
    if ((unsigned)slot >= RD_SQX_COUNT)
        return rd_error_set(err, RD_EINTERNAL, "store: statement slot %d out of range", (int)slot);
    if (!q->ext[slot]) {
        rc = sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &q->ext[slot], NULL);
        if (rc != SQLITE_OK)
            return fail(q, rc, err, "prepare statement x%d", (int)slot);
    } else if (sqlite3_stmt_busy(q->ext[slot])) {
        return rd_error_set(err, RD_EINTERNAL,
                            "store: statement x%d called again from inside its own visitor",
                            (int)slot);
    }
    sqlite3_reset(q->ext[slot]);
    sqlite3_clear_bindings(q->ext[slot]);
    *out = q->ext[slot];
    return RD_OK;
}

int rd_sqlite_fail(struct rd_store *s, int rc, struct rd_error *err, const char *what)
{
    return fail(sq(s), rc, err, "%s", what);
}

int rd_sqlite_read_rec(sqlite3_stmt *st, struct rd_rec *r, struct rd_error *err)
{
    return read_rec(st, r, err);
}

int rd_sqlite_read_decision(sqlite3_stmt *st, struct rd_decision_row *row, struct rd_error *err)
{
    return read_decision(st, row, err);
}

const struct rd_store_ops rd_store_sqlite_ops = {
    .name = "sqlite",
    .version = 2,
    .open = sq_open,
    .close = sq_close,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .lock_account = sq_lock_account,
    .unlock_account = sq_unlock_account,
    .account_put = sq_account_put,
    .account_get = sq_account_get,
    .account_list = sq_account_list,
    .rec_add = sq_rec_add,
    .rec_get = sq_rec_get,
    .rec_undecided = sq_rec_undecided,
    .decision_add = sq_decision_add,
    .decision_list = sq_decision_list,
    .order_add = sq_order_add,
    .order_update = sq_order_update,
    .order_get = sq_order_get,
    .order_list = sq_order_list,
    .position_put = sq_position_put,
    .position_list = sq_position_list,
    .trade_add = sq_trade_add,
    .activity = sq_activity,
    .kv_get = sq_kv_get,
    .kv_put = sq_kv_put,
    .token_add = rd_sqlite_token_add,
    .token_find = rd_sqlite_token_find,
    .token_list = rd_sqlite_token_list,
    .token_revoke = rd_sqlite_token_revoke,
    .user_put = rd_sqlite_user_put,
    .user_get = rd_sqlite_user_get,
    .user_list = rd_sqlite_user_list,
    .assignment_add = rd_sqlite_assignment_add,
    .assignment_list = rd_sqlite_assignment_list,
    .account_def_put = rd_sqlite_account_def_put,
    .account_def_list = rd_sqlite_account_def_list,
    .rec_list = rd_sqlite_rec_list,
    .decision_get = rd_sqlite_decision_get,
    .decision_counts = rd_sqlite_decision_counts,
    .order_counts = rd_sqlite_order_counts,
    .trader_import_add = rd_sqlite_trader_import_add,
    .trader_import_get = rd_sqlite_trader_import_get,
    .trader_fills_add = rd_sqlite_trader_fills_add,
    .trader_daily_add = rd_sqlite_trader_daily_add,
    .trader_limits_put = rd_sqlite_trader_limits_put,
    .trader_load = rd_sqlite_trader_load,
    .trader_days_put = rd_sqlite_trader_days_put,
    .trader_days_load = rd_sqlite_trader_days_load,
    .trader_report_add = rd_sqlite_trader_report_add,
    .trader_report_last = rd_sqlite_trader_report_last,
    .trader_prediction_add = rd_sqlite_trader_prediction_add,
    .trader_prediction_list = rd_sqlite_trader_prediction_list,
    .snapshot_put = rd_sqlite_snapshot_put,
    .snapshot_get = rd_sqlite_snapshot_get,
    .snapshot_list = rd_sqlite_snapshot_list,
    .snapshot_delete = rd_sqlite_snapshot_delete,
    .perf_event_add = rd_sqlite_perf_event_add,
    .perf_event_list = rd_sqlite_perf_event_list,
    .trade_list = rd_sqlite_trade_list,
};
