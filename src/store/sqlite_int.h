/*
 * sqlite_int.h - what the SQLite backend's files share. sqlite.c lends the
 * others the handle's database connection, its error mapping, and a cache of
 * prepared statements for operations kept in other files (sqlite_api.c); the
 * binder here binds the values of both files' statements; sqlite_rows.c holds
 * sqlite.c's own statements and their row readers; sqlite_open.c what opening
 * a handle does to its connection; sqlite_locks.c the account locks.
 * Backend-internal; nothing outside src/store includes it.
 */
#ifndef RISKDESK_SQLITE_INT_H
#define RISKDESK_SQLITE_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sqlite3.h>

#include "riskdesk/store.h"

/* Slots of sqlite.c's own statements, prepared when a handle opens. */
enum rd_sqlite_core {
    RD_SQC_BEGIN,
    RD_SQC_COMMIT,
    RD_SQC_ROLLBACK,
    RD_SQC_ACCOUNT_PUT,
    RD_SQC_ACCOUNT_GET,
    RD_SQC_ACCOUNT_LIST,
    RD_SQC_REC_ADD,
    RD_SQC_REC_GET,
    RD_SQC_REC_TOP,
    RD_SQC_REC_UNDECIDED,
    RD_SQC_DECISION_ADD,
    RD_SQC_DECISION_LIST,
    RD_SQC_ORDER_ADD,
    RD_SQC_ORDER_UPDATE,
    RD_SQC_ORDER_GET,
    RD_SQC_ORDER_LIST,
    RD_SQC_ORDER_LIST_STATUS,
    RD_SQC_POSITION_PUT,
    RD_SQC_POSITION_DELETE,
    RD_SQC_POSITION_LIST,
    RD_SQC_TRADE_ADD,
    RD_SQC_ACT_ENTRIES,
    RD_SQC_ACT_MINUTE,
    RD_SQC_ACT_TRADES,
    RD_SQC_KV_GET,
    RD_SQC_KV_INSERT,
    RD_SQC_KV_UPSERT,
    RD_SQC_COUNT
};

/* Slots of the extension statement cache: one per statement, fixed at compile
 * time by the file that uses it. */
enum rd_sqlite_ext {
    RD_SQX_TOKEN_ADD,
    RD_SQX_TOKEN_FIND,
    RD_SQX_TOKEN_LIST,
    RD_SQX_TOKEN_REVOKE,
    RD_SQX_USER_INSERT,
    RD_SQX_USER_UPSERT,
    RD_SQX_USER_GET,
    RD_SQX_USER_LIST,
    RD_SQX_USER_ACCOUNT,
    RD_SQX_USER_SET_ACCOUNT,
    RD_SQX_ASSIGN_ADD,
    RD_SQX_ASSIGN_LIST,
    RD_SQX_DEF_INSERT,
    RD_SQX_DEF_UPSERT,
    RD_SQX_DEF_LIST,
    RD_SQX_DEF_GET,
    RD_SQX_DEFS_BUMP,
    RD_SQX_REC_LIST,
    RD_SQX_DECISION_GET,
    RD_SQX_DECISION_COUNTS,
    RD_SQX_ORDER_COUNTS,
    /* sqlite_perf.c */
    RD_SQX_SNAP_PUT,
    RD_SQX_SNAP_GET,
    RD_SQX_SNAP_LIST_ONE,
    RD_SQX_SNAP_LIST_ALL,
    RD_SQX_SNAP_DELETE,
    RD_SQX_EVENT_ADD,
    RD_SQX_EVENT_LIST_ONE,
    RD_SQX_EVENT_LIST_ALL,
    RD_SQX_TRADE_LIST,
    /* sqlite_ledger.c */
    RD_SQX_NODE_ADD,
    RD_SQX_NODE_GET,
    RD_SQX_NODE_LIST,
    RD_SQX_NODE_STATE,
    RD_SQX_STATE_ADD,
    RD_SQX_STATE_LIST_ONE,
    RD_SQX_STATE_LIST_ALL,
    RD_SQX_TXN_ADD,
    RD_SQX_ENTRY_ADD,
    RD_SQX_TXN_GET,
    RD_SQX_TXN_ENTRIES,
    RD_SQX_TXN_LIST_ONE,
    RD_SQX_TXN_LIST_ALL,
    RD_SQX_ENTRY_LIST_ONE,
    RD_SQX_ENTRY_LIST_ALL,
    RD_SQX_BOOK_LIST_ONE,
    RD_SQX_BOOK_LIST_ALL,
    RD_SQX_BOOK_AMOUNTS_ONE,
    RD_SQX_BOOK_AMOUNTS_ALL,
    RD_SQX_OP_ADD,
    RD_SQX_OP_GET,
    RD_SQX_OP_FINISH,
    RD_SQX_OP_LIST_ONE,
    RD_SQX_OP_LIST_ALL,
    RD_SQX_ASSESS_ADD,
    RD_SQX_ASSESS_GET,
    RD_SQX_ASSESS_LIST_ONE,
    RD_SQX_ASSESS_LIST_ALL,
    RD_SQX_MASSESS_ADD,
    RD_SQX_MASSESS_GET,
    RD_SQX_MASSESS_LIST_ONE,
    RD_SQX_MASSESS_LIST_ALL,
    RD_SQX_NODE_CHILDREN,
    RD_SQX_OP_COUNT,
    RD_SQX_NODE_SUMS,
    RD_SQX_NODE_SUMS_SEALED,
    /* sqlite_audit.c */
    RD_SQX_AUDIT_HEAD,
    RD_SQX_AUDIT_ADD,
    RD_SQX_AUDIT_LIST_ONE,
    RD_SQX_AUDIT_LIST_ALL,
    RD_SQX_AUDIT_HEADS,
    RD_SQX_ADMIN_EVENT_ADD,
    RD_SQX_ADMIN_EVENT_LAST,
    RD_SQX_ADMIN_EVENT_LIST_ONE,
    RD_SQX_ADMIN_EVENT_LIST_ALL,
    RD_SQX_COUNT
};

/* sqlite_audit.c */
extern const struct rd_store_audit_ops rd_sqlite_audit_ops;

/* ---- sqlite.c: the handle ---- */

/* The handle's connection. */
sqlite3 *rd_sqlite_db(struct rd_store *s);

/* The handle's database path: its URL after "sqlite:", options cut off. */
const char *rd_sqlite_path(struct rd_store *s);

/* The cached statement of a slot, prepared from sql on first use, reset and
 * unbound, ready to bind. RD_EINTERNAL when it is already stepping (called from
 * inside its own visitor); RD_ESTORE when it does not prepare. */
int rd_sqlite_ext_stmt(struct rd_store *s, enum rd_sqlite_ext slot, const char *sql,
                       sqlite3_stmt **out, struct rd_error *err);

/* Maps an SQLite result code to RD_EEXIST / RD_ENOTFOUND / RD_ESTORE, like the
 * backend's own operations; what names the operation. */
int rd_sqlite_fail(struct rd_store *s, int rc, struct rd_error *err, const char *what);

/* Ledger entries are append-only (migration 8): the trigger that says so, which
 * only a rekey lifts, inside its transaction (sqlite_reseal.c). */
#define RD_SQLITE_ENTRIES_NO_UPDATE                                         \
    "CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries " \
    "BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only'); END;"

/* ---- binding: inline, as it runs once per value ---- */

/* Binds a statement's values in column order and remembers the first failure,
 * so a caller binds them all and checks rc once. Text is bound SQLITE_STATIC:
 * it must stay put until rd_sqlite_bind_done. */
struct rd_sqlite_binder {
    sqlite3_stmt *st;
    int i;      /* the column bound last */
    int rc;     /* SQLITE_OK, or the first failure */
};

/* Starts binding st from its first column. */
static inline void rd_sqlite_bind_init(struct rd_sqlite_binder *b, sqlite3_stmt *st)
{
    b->st = st;
    b->i = 0;
    b->rc = SQLITE_OK;
}

/* Binds n bytes of s. */
static inline void rd_sqlite_bind_text_n(struct rd_sqlite_binder *b, const char *s, size_t n)
{
    b->i++;
    if (b->rc == SQLITE_OK)
        b->rc = sqlite3_bind_text(b->st, b->i, s, (int)n, SQLITE_STATIC);
}

/* Binds SQL NULL. */
static inline void rd_sqlite_bind_null(struct rd_sqlite_binder *b)
{
    b->i++;
    if (b->rc == SQLITE_OK)
        b->rc = sqlite3_bind_null(b->st, b->i);
}

/* Binds a fixed-size field of cap bytes (it may lack its NUL). */
static inline void rd_sqlite_bind_field(struct rd_sqlite_binder *b, const char *s, size_t cap)
{
    rd_sqlite_bind_text_n(b, s, strnlen(s, cap));
}

/* Binds a fixed-size field where NULL or "" means none: stored as NULL. */
static inline void rd_sqlite_bind_field_or_null(struct rd_sqlite_binder *b, const char *s,
                                                size_t cap)
{
    size_t n = s ? strnlen(s, cap) : 0;

    if (n)
        rd_sqlite_bind_text_n(b, s, n);
    else
        rd_sqlite_bind_null(b);
}

/* Binds a NUL-terminated string. */
static inline void rd_sqlite_bind_str(struct rd_sqlite_binder *b, const char *s)
{
    rd_sqlite_bind_text_n(b, s, strlen(s));
}

/* Binds a number. */
static inline void rd_sqlite_bind_i64(struct rd_sqlite_binder *b, int64_t v)
{
    b->i++;
    if (b->rc == SQLITE_OK)
        b->rc = sqlite3_bind_int64(b->st, b->i, v);
}

/* Binds a number where 0 means none: stored as NULL. */
static inline void rd_sqlite_bind_i64_or_null(struct rd_sqlite_binder *b, int64_t v)
{
    if (v)
        rd_sqlite_bind_i64(b, v);
    else
        rd_sqlite_bind_null(b);
}

/* Binds a double. */
static inline void rd_sqlite_bind_double(struct rd_sqlite_binder *b, double v)
{
    b->i++;
    if (b->rc == SQLITE_OK)
        b->rc = sqlite3_bind_double(b->st, b->i, v);
}

/* Steps the statement once its values are bound: a bind failure is returned
 * in place of the step's result, so a caller checks one code. */
static inline int rd_sqlite_bind_step(struct rd_sqlite_binder *b)
{
    return b->rc == SQLITE_OK ? sqlite3_step(b->st) : b->rc;
}

/* Resets the statement and clears its values, ready for its next use. */
static inline void rd_sqlite_bind_done(struct rd_sqlite_binder *b)
{
    sqlite3_reset(b->st);
    sqlite3_clear_bindings(b->st);
}

/* Runs a statement of s that returns no rows (or one, ignored), then
 * rd_sqlite_bind_done; a bind failure is its failure. *changes (when changes
 * is not NULL): the rows it wrote. what names it in a failure. */
static inline int rd_sqlite_bind_run(struct rd_store *s, struct rd_sqlite_binder *b,
                                     int *changes, struct rd_error *err, const char *what)
{
    int rc = rd_sqlite_bind_step(b);
    int ret = RD_OK;

    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        ret = rd_sqlite_fail(s, rc, err, what);
    else if (changes)
        *changes = sqlite3_changes(rd_sqlite_db(s));
    rd_sqlite_bind_done(b);
    return ret;
}

/* The cached statement of slot (rd_sqlite_ext_stmt), ready to bind into b. */
static inline int rd_sqlite_bind_ext(struct rd_store *s, enum rd_sqlite_ext slot,
                                     const char *sql, struct rd_sqlite_binder *b,
                                     struct rd_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = rd_sqlite_ext_stmt(s, slot, sql, &st, err);

    rd_sqlite_bind_init(b, st);
    return rc;
}

/* ---- sqlite_rows.c: the core statements and their rows ---- */

/* The SQL of each core statement. */
extern const char *const rd_sqlite_core_sql[RD_SQC_COUNT];

/* Copies column i's text into dst (cap bytes), cut to fit; "" for NULL. */
void rd_sqlite_col_text(sqlite3_stmt *st, int i, char *dst, size_t cap);

/* Row readers, columns in the *_COLS orders of sqlite_rows.c (RD_SQLITE_*_COLS below). */
int rd_sqlite_read_account(sqlite3_stmt *st, struct rd_account_row *a, struct rd_error *err);
int rd_sqlite_read_rec(sqlite3_stmt *st, struct rd_rec *r, struct rd_error *err);
int rd_sqlite_read_decision(sqlite3_stmt *st, struct rd_decision_row *row, struct rd_error *err);
int rd_sqlite_read_order(sqlite3_stmt *st, struct rd_order_row *o, struct rd_error *err);
int rd_sqlite_read_position(sqlite3_stmt *st, struct rd_position_row *p, struct rd_error *err);

#define RD_SQLITE_REC_COLS                                                        \
    "id, created_at, underlying, symbol, action, strategy, confidence, volume_ratio, " \
    "price, stop_price, expires_at, has_vix, vix, account, qty, origin"
#define RD_SQLITE_DECISION_COLS                                                   \
    "id, account, rec_id, decided_at, approved, size, first_failed, budget, unit_risk, " \
    "unit_cost, risk_pct, kelly_used, verdicts"

/* ---- sqlite_open.c: what opening does to a new connection, in this order ---- */

/* A connection and its database's path, for messages. sqlite_open.c works on
 * this alone, so it needs nothing from the handle (sqlite.c). */
struct rd_sqlite_conn {
    sqlite3 *db;
    const char *path;
};

/* Maps an SQLite result code to RD_EEXIST / RD_ENOTFOUND / RD_ESTORE, with the
 * connection's message; what names the operation. rd_sqlite_fail's mapping. */
int rd_sqlite_conn_fail(const struct rd_sqlite_conn *c, int rc, struct rd_error *err,
                        const char *what);

/* The options after '?' in a sqlite: URL: sync=full or sync=normal, cache_mib=N. */
int rd_sqlite_parse_options(const char *opts, int *sync_full, int *cache_mib,
                            struct rd_error *err);

/* Checkpoint interval in WAL pages (4 KiB each) and the WAL file's size kept
 * after a checkpoint, in bytes; strings, pasted into their PRAGMAs. */
#define RD_SQLITE_CHECKPOINT_PAGES "10000"
#define RD_SQLITE_WAL_KEEP "67108864"

/* Foreign keys on, WAL unless memory, synchronous FULL or NORMAL, a page cache of cache_mib MiB. */
int rd_sqlite_set_pragmas(const struct rd_sqlite_conn *c, int memory, int sync_full, int cache_mib,
                          struct rd_error *err);

/* Brings the schema up to its newest migration, with foreign keys off meanwhile
 * and checked before each migration's commit (on again after); refuses a
 * database from a newer riskdesk. */
int rd_sqlite_migrate(const struct rd_sqlite_conn *c, struct rd_error *err);

/* ---- sqlite_locks.c: account locks, a list the handle owns ---- */

struct rd_sqlite_lock;

/* Locks account for the handle whose locks are *held (lock files beside db_path unless memory). */
int rd_sqlite_lock_account(struct rd_sqlite_lock **held, const char *db_path, int memory,
                           const char *account, struct rd_error *err);
/* Releases account's lock if *held has it. */
void rd_sqlite_unlock_account(struct rd_sqlite_lock **held, const char *account);
/* Releases every lock of *held and empties it. */
void rd_sqlite_unlock_all(struct rd_sqlite_lock **held);

/* ---- the HTTP API's operations (sqlite_api.c) ---- */
extern const struct rd_store_api_ops rd_sqlite_api_ops;

/* sqlite.c: the top table's operations and the trading sub-table
 * (sqlite_ops.c puts them together). */
int rd_sqlite_open(const char *url, struct rd_store **out, struct rd_error *err);
void rd_sqlite_close(struct rd_store *s);
int rd_sqlite_begin(struct rd_store *s, struct rd_error *err);
int rd_sqlite_commit(struct rd_store *s, struct rd_error *err);
void rd_sqlite_rollback(struct rd_store *s);
int rd_sqlite_lock_own(struct rd_store *s, const char *account, struct rd_error *err);
void rd_sqlite_unlock_own(struct rd_store *s, const char *account);
int rd_sqlite_alive(struct rd_store *s);
extern const struct rd_store_trading_ops rd_sqlite_trading_ops;

int rd_sqlite_token_add(struct rd_store *s, struct rd_token_row *t, struct rd_error *err);
int rd_sqlite_token_find(struct rd_store *s, const char *hash, struct rd_token_row *t,
                         struct rd_error *err);
int rd_sqlite_token_list(struct rd_store *s, int (*visit)(void *, const struct rd_token_row *),
                         void *ctx, struct rd_error *err);
int rd_sqlite_token_revoke(struct rd_store *s, int64_t id, int64_t at, struct rd_error *err);
int rd_sqlite_user_put(struct rd_store *s, const struct rd_user_row *u, int only_new,
                       struct rd_error *err);
int rd_sqlite_user_get(struct rd_store *s, const char *id, struct rd_user_row *u,
                       struct rd_error *err);
int rd_sqlite_user_list(struct rd_store *s, int (*visit)(void *, const struct rd_user_row *),
                        void *ctx, struct rd_error *err);
int rd_sqlite_assignment_add(struct rd_store *s, struct rd_assignment_row *a,
                             struct rd_error *err);
int rd_sqlite_assignment_list(struct rd_store *s, const char *user, const char *account,
                              size_t limit,
                              int (*visit)(void *, const struct rd_assignment_row *), void *ctx,
                              struct rd_error *err);
int rd_sqlite_account_def_put(struct rd_store *s, const struct rd_account_def_row *a,
                              int only_new, struct rd_error *err);
int rd_sqlite_account_def_list(struct rd_store *s,
                               int (*visit)(void *, const struct rd_account_def_row *), void *ctx,
                               struct rd_error *err);
int rd_sqlite_account_def_get(struct rd_store *s, const char *name, struct rd_account_def_row *a,
                              struct rd_error *err);
int rd_sqlite_rec_list(struct rd_store *s, const struct rd_rec_filter *f,
                       int (*visit)(void *, const struct rd_rec *), void *ctx,
                       struct rd_error *err);
int rd_sqlite_decision_get(struct rd_store *s, int64_t id, struct rd_decision_row *row,
                           struct rd_error *err);
int rd_sqlite_decision_counts(struct rd_store *s, const char *account,
                              int (*visit)(void *, int, enum rd_gate, int64_t), void *ctx,
                              struct rd_error *err);
int rd_sqlite_order_counts(struct rd_store *s, const char *account,
                           int (*visit)(void *, enum rd_order_status, int64_t), void *ctx,
                           struct rd_error *err);

#endif
