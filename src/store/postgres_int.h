/*
 * postgres_int.h - what the PostgreSQL backend's files share. Backend-internal.
 *
 *   postgres.c          the ops tables; the statements every connection
 *                       prepares, and binding, running and reading them;
 *                       transactions; account locks; the rd_pg_ext slots
 *   postgres_conn.c     URLs, opening (connecting, migrating, preparing) and
 *                       closing; failures as messages without the password
 *   postgres_trading.c  accounts, recommendations, decisions, orders,
 *                       positions, trades, activity, kv
 *   postgres_api.c      the HTTP API's operations (version 2)
 *   postgres_traders.c  the traders' operations  } on statements of their own,
 *   postgres_perf.c     the performance ones     } prepared on first use
 *   postgres_schema.c   the schema as numbered migrations
 *   postgres_maint.c    size and VACUUM (ANALYZE), outside transactions
 *
 * Ownership: the operations follow store.h; a helper that hands back a
 * PGresult leaves it to the caller to PQclear. Nothing else here allocates.
 */
#ifndef RISKDESK_POSTGRES_INT_H
#define RISKDESK_POSTGRES_INT_H

#include <libpq-fe.h>

#include "riskdesk/store.h"

struct rd_buf;

extern const struct rd_store_ops rd_store_postgres_ops;
/* The same backend under libpq's other scheme; handles it opens carry
 * rd_store_postgres_ops. */
extern const struct rd_store_ops rd_store_postgresql_ops;

/* The sub-tables, each defined in the file of its operations. */
extern const struct rd_store_trading_ops rd_pg_trading_ops;  /* postgres_trading.c */
extern const struct rd_store_api_ops rd_pg_api_ops;          /* postgres_api.c */
extern const struct rd_store_traders_ops rd_pg_traders_ops;  /* postgres_traders.c */
extern const struct rd_store_perf_ops rd_pg_perf_ops;        /* postgres_perf.c */
extern const struct rd_store_maint_ops rd_pg_maint_ops;      /* postgres_maint.c */
extern const struct rd_store_ledger_ops rd_pg_ledger_ops;    /* postgres_ledger.c */
extern const struct rd_store_audit_ops rd_pg_audit_ops;      /* postgres_audit.c */

/* Migration `version` takes a database from version - 1 to version; the same
 * numbers as the SQLite schema (sqlite_schema.c), in ascending order. */
struct rd_pg_migration {
    int version;
    const char *sql;
};
extern const struct rd_pg_migration rd_pg_migrations[];
extern const int rd_pg_migration_count;

/* ---- what postgres.c lends postgres_traders.c and postgres_perf.c ---- */

/* Statements of the other files (postgres_traders.c, postgres_perf.c): one slot each, prepared
 * on first use on a connection and kept. */
enum rd_pg_ext {
    RD_PGX_TRADER_NAME_ID,
    RD_PGX_SYMBOL_NAME_ID,
    RD_PGX_NAMES_MAX,
    RD_PGX_SYMBOLS_MAX,
    RD_PGX_NAMES_LIST,
    RD_PGX_SYMBOLS_LIST,
    RD_PGX_IMPORT_ADD,
    RD_PGX_IMPORT_FIND_KIND,
    RD_PGX_IMPORT_FIND,
    RD_PGX_DAILY_ADD,
    RD_PGX_DAILY_DUP,
    RD_PGX_LIMIT_PUT,
    RD_PGX_LIMITS_LIST,
    RD_PGX_DAILY_LIST,
    RD_PGX_DAYS_DELETE,
    RD_PGX_DAYS_COUNT,
    RD_PGX_DAYS_LIST,
    RD_PGX_REPORT_ADD,
    RD_PGX_REPORT_LAST,
    RD_PGX_PREDICTION_ADD,
    RD_PGX_PREDICTIONS_OF,
    RD_PGX_PREDICTIONS_ALL,
    RD_PGX_SNAPSHOT_PUT,
    RD_PGX_SNAPSHOT_GET,
    RD_PGX_SNAPSHOT_LIST_OF,
    RD_PGX_SNAPSHOT_LIST_ALL,
    RD_PGX_SNAPSHOT_DELETE,
    RD_PGX_EVENT_ADD,
    RD_PGX_EVENT_LIST_OF,
    RD_PGX_EVENT_LIST_ALL,
    RD_PGX_TRADE_LIST,
    RD_PGX_NODE_ADD,
    RD_PGX_NODE_GET,
    RD_PGX_NODE_LIST,
    RD_PGX_NODE_LOCK,
    RD_PGX_NODE_STATE,
    RD_PGX_STATE_ADD,
    RD_PGX_STATE_LIST_ONE,
    RD_PGX_STATE_LIST_ALL,
    RD_PGX_TXN_ADD,
    RD_PGX_ENTRY_ADD,
    RD_PGX_TXN_GET,
    RD_PGX_TXN_ENTRIES,
    RD_PGX_TXN_LIST_ONE,
    RD_PGX_TXN_LIST_ALL,
    RD_PGX_ENTRY_LIST_ONE,
    RD_PGX_ENTRY_LIST_ALL,
    RD_PGX_BOOK_LIST_ONE,
    RD_PGX_BOOK_LIST_ALL,
    RD_PGX_BOOK_AMOUNTS_ONE,
    RD_PGX_BOOK_AMOUNTS_ALL,
    RD_PGX_OP_ADD,
    RD_PGX_OP_GET,
    RD_PGX_OP_FINISH,
    RD_PGX_OP_LIST_ONE,
    RD_PGX_OP_LIST_ALL,
    RD_PGX_ASSESS_ADD,
    RD_PGX_ASSESS_GET,
    RD_PGX_ASSESS_LIST_ONE,
    RD_PGX_ASSESS_LIST_ALL,
    RD_PGX_MASSESS_ADD,
    RD_PGX_MASSESS_GET,
    RD_PGX_MASSESS_LIST_ONE,
    RD_PGX_MASSESS_LIST_ALL,
    RD_PGX_NODE_ROOTS,
    RD_PGX_NODE_CHILDREN,
    RD_PGX_OP_COUNT,
    RD_PGX_NODE_SUMS,
    RD_PGX_NODE_SUMS_SEALED,
    RD_PGX_AUDIT_HEAD,
    RD_PGX_AUDIT_ADD,
    RD_PGX_AUDIT_LIST_ONE,
    RD_PGX_AUDIT_LIST_ALL,
    RD_PGX_AUDIT_HEADS,
    RD_PGX_ADMIN_EVENT_ADD,
    RD_PGX_ADMIN_EVENT_LAST,
    RD_PGX_ADMIN_EVENT_LIST_ONE,
    RD_PGX_ADMIN_EVENT_LIST_ALL,
    RD_PGX_COUNT
};

/* The handle's connection. */
PGconn *rd_pg_conn(struct rd_store *s);

/*
 * Runs the statement of `slot` (sql, prepared on first use) with n text
 * parameters (NULL: SQL NULL). RD_OK with *res to read and PQclear, or the
 * error mapped as the backend's own operations map theirs (what names it).
 */
int rd_pg_ext_exec(struct rd_store *s, enum rd_pg_ext slot, const char *sql, int n,
                   const char *const *values, PGresult **res, const char *what,
                   struct rd_error *err);

/* Maps a failed result (or the connection's error when res is NULL). */
int rd_pg_fail(struct rd_store *s, const PGresult *res, const char *what, struct rd_error *err);

/* ---- the handle and its statements (postgres.c) ---- */

#define RD_PG_STORE_MAGIC 0x50475351u   /* "PGSQ" */
#define RD_PG_MAX_PARAMS 24

/*
 * Transaction-level advisory locks (docs/store.md, "Locking"). The database's
 * own ones are in the two-int4 key space, class "rdsk" (account locks use the
 * bigint one, so the two never meet):
 *   1  the schema: migrations take turns
 *   2  the recommendations' places: rec_add holds it from drawing seq to the
 *      end of its transaction, so places become visible in order
 *   3  the traders' tables: one import at a time maps names to ids
 *   4  the firm's audit chain: its head is read and extended one writer at
 *      a time (an account's chain is under the account's write lock)
 * An account's writes take a bigint lock of their own (rd_pg_account_tx_key):
 * begin takes it for every account the handle holds, account_put for its row.
 */
#define RD_PG_LOCK_CLASS "1919185771"
#define RD_PG_LOCK_SCHEMA 1
#define RD_PG_LOCK_REC_PLACES 2
#define RD_PG_LOCK_TRADERS 3
#define RD_PG_LOCK_AUDIT_FIRM 4   /* the firm's audit chain (an account's: its write lock) */
#define RD_PG_SCHEMA_LOCK_SQL "SELECT pg_advisory_xact_lock(" RD_PG_LOCK_CLASS ", 1)"
#define RD_PG_REC_PLACES_LOCK_KEY RD_PG_LOCK_CLASS ", 2"
/* Shared kv documents (RD_KV_SHARED): a transaction lock tried on this class
 * and the key's hashtext; a collision only skips a write. */
#define RD_PG_KV_LOCK_CLASS "1919185772"
/* The channel rec_add notifies at its commit and rec_wait listens on. */
#define RD_PG_RECS_CHANNEL "riskdesk_recs"
/* postgres_wait.c: store.h's rec_wait. */
int rd_pg_rec_wait(struct rd_store *s, unsigned timeout_ms, int *woken, struct rd_error *err);

/* The key of an account's write lock: FNV-1a, 64 bits, of "riskdesk account
 * writes " + name; the same in every riskdesk, on every machine. */
int64_t rd_pg_account_tx_key(const char *account);
/* Takes account's write lock for the rest of the transaction (a second take
 * in one transaction returns at once); nothing outside a transaction. */
int rd_pg_account_tx_lock(struct rd_store *s, const char *account, struct rd_error *err);

/* Takes the transaction-level lock `which` (RD_PG_LOCK_*) when a transaction
 * is open and this one does not hold it yet; nothing outside a transaction
 * (a single statement needs no turn). */
int rd_pg_tx_lock(struct rd_store *s, int which, struct rd_error *err);

/* Text fields in messages: fixed-size fields may lack their NUL. */
#define RD_PG_FIELD(f) (int)strnlen((f), sizeof(f)), (f)

/* The statements every connection prepares when it opens (their SQL is
 * postgres.c's table). */
enum rd_pg_stmt {
    RD_PGS_BEGIN,
    RD_PGS_ACCOUNT_TX_LOCK,
    RD_PGS_TX_LOCK,
    RD_PGS_COMMIT,
    RD_PGS_ROLLBACK,
    RD_PGS_ACCOUNT_PUT,
    RD_PGS_ACCOUNT_GET,
    RD_PGS_ACCOUNT_LIST,
    RD_PGS_REC_ADD,
    RD_PGS_REC_GET,
    RD_PGS_REC_TOP,
    RD_PGS_REC_UNDECIDED,
    RD_PGS_DECISION_ADD,
    RD_PGS_DECISION_ADD_MANY,
    RD_PGS_DECISION_EXISTS,
    RD_PGS_DECISION_LIST,
    RD_PGS_ORDER_ADD,
    RD_PGS_ORDER_ADD_MANY,
    RD_PGS_ORDER_EXISTS,
    RD_PGS_ORDER_UPDATE,
    RD_PGS_ORDER_GET,
    RD_PGS_ORDER_LIST,
    RD_PGS_ORDER_LIST_STATUS,
    RD_PGS_POSITION_PUT,
    RD_PGS_POSITION_DELETE,
    RD_PGS_POSITION_LIST,
    RD_PGS_TRADE_ADD,
    RD_PGS_ACT_ENTRIES,
    RD_PGS_ACT_MINUTE,
    RD_PGS_ACT_TRADES,
    RD_PGS_KV_GET,
    RD_PGS_KV_INSERT,
    RD_PGS_KV_UPSERT,
    RD_PGS_ACT_ENTRIES_MANY,
    RD_PGS_KV_SHARED_INSERT,
    RD_PGS_KV_SHARED_UPSERT,
    RD_PGS_LOCK_TRY,
    RD_PGS_LOCK_RELEASE,
    RD_PGS_LOCK_HOLDER,
    /* version 2: the HTTP API */
    RD_PGS_TOKEN_ADD,
    RD_PGS_TOKEN_FIND,
    RD_PGS_TOKEN_LIST,
    RD_PGS_TOKEN_REVOKE,
    RD_PGS_USER_INSERT,
    RD_PGS_USER_UPSERT,
    RD_PGS_USER_GET,
    RD_PGS_USER_LIST,
    RD_PGS_USER_ACCOUNT,
    RD_PGS_USER_SET_ACCOUNT,
    RD_PGS_ASSIGN_ADD,
    RD_PGS_ASSIGN_LIST,
    RD_PGS_DEF_INSERT,
    RD_PGS_DEF_UPSERT,
    RD_PGS_DEF_LIST,
    RD_PGS_DEF_GET,
    RD_PGS_DEFS_BUMP,
    RD_PGS_REC_LIST,
    RD_PGS_DECISION_GET,
    RD_PGS_DECISION_COUNTS,
    RD_PGS_ORDER_COUNTS,
    RD_PGS_KV_GET_MANY,
    RD_PGS_KV_INSERT_MANY,
    RD_PGS_KV_UPSERT_MANY,
    RD_PGS_ORDER_UPDATE_MANY,
    RD_PGS_POSITION_PUT_MANY,
    RD_PGS_POSITION_DELETE_MANY,
    RD_PGS_KV_SHARED_INSERT_MANY,
    RD_PGS_KV_SHARED_UPSERT_MANY,
    RD_PGS_COUNT
};

/* One account lock held by a handle. */
struct rd_pg_lock {
    struct rd_pg_lock *next;
    int64_t key;
    char account[];
};

/* A handle of this backend (rd_store_postgres_ops). */
struct rd_pg_store {
    struct rd_store base;    /* first: rd_store * <-> rd_pg_store * */
    uint32_t magic;
    PGconn *conn;
    int depth;               /* begin() levels open */
    int doomed;              /* an inner level rolled back */
    unsigned tx_locks;       /* the RD_PG_LOCK_* bits held in this transaction */
    struct rd_pg_lock *locks;
    unsigned char walking[RD_PGS_COUNT];   /* a list statement whose visitor runs */
    unsigned char ready[RD_PGS_COUNT];     /* the statements prepared (on first use) */
    unsigned char ext_ready[RD_PGX_COUNT];   /* the rd_pg_ext slots prepared */
    int listening;           /* LISTEN RD_PG_RECS_CHANNEL sent (postgres_wait.c) */
};

/* The checked downcast. */
struct rd_pg_store *rd_pg(struct rd_store *s);

/* Parameters in order; values point into the caller's row or, for
 * numbers and fields without their NUL, into buf. Text parameters unless
 * len is set: then every value is sent in binary, len[i] bytes of v[i]
 * (postgres_batch.c's arrays, and text, whose binary form is its bytes). */
struct rd_pg_bind {
    const char *v[RD_PG_MAX_PARAMS];
    const int *len;          /* NULL: text */
    int n;
    int overflow;
    size_t used;
    char buf[2048];
};

/* Starts an empty list of parameters. */
void rd_pg_bind_init(struct rd_pg_bind *b);
/* Adds a NUL-terminated string (not copied). */
void rd_pg_bind_str(struct rd_pg_bind *b, const char *s);
/* Adds SQL NULL. */
void rd_pg_bind_null(struct rd_pg_bind *b);
/* Adds a fixed-size field of cap bytes (copied into buf when it lacks its NUL). */
void rd_pg_bind_field(struct rd_pg_bind *b, const char *s, size_t cap);
/* Adds a fixed-size field where "" means none: stored as NULL. */
void rd_pg_bind_field_or_null(struct rd_pg_bind *b, const char *s, size_t cap);
/* Adds a number, in decimal. */
void rd_pg_bind_i64(struct rd_pg_bind *b, int64_t v);
/* Adds a number where 0 means none: stored as NULL. */
void rd_pg_bind_i64_or_null(struct rd_pg_bind *b, int64_t v);
/* Adds a double as exact text; NaN is stored as NULL. */
void rd_pg_bind_double(struct rd_pg_bind *b, double v);
/* rd_pg_ext_exec with b's values (b NULL: none); RD_EINTERNAL, running
 * nothing, when b overflowed. */
int rd_pg_ext_run(struct rd_store *s, enum rd_pg_ext slot, const char *sql,
                  const struct rd_pg_bind *b, PGresult **res, const char *what,
                  struct rd_error *err);

/* Runs a statement, prepared on its first use. NULL only when libpq could
 * not even try. */
PGresult *rd_pg_exec(struct rd_pg_store *q, enum rd_pg_stmt id, const struct rd_pg_bind *b);
/* Whether res is there with status want. */
int rd_pg_res_ok(const PGresult *res, ExecStatusType want);
/* Rows a command wrote (INSERT/UPDATE/DELETE). */
long rd_pg_affected(const PGresult *res);
/* RD_EINTERNAL when the list statement id is running its visitor (op names it). */
int rd_pg_walk_start(struct rd_pg_store *q, enum rd_pg_stmt id, const char *op,
                     struct rd_error *err);
/* Runs a statement that returns no rows (*rows: how many it wrote, when rows
 * is not NULL); what names it in a failure. */
int rd_pg_run_cmd(struct rd_pg_store *q, enum rd_pg_stmt id, const struct rd_pg_bind *b,
                  long *rows, struct rd_error *err, const char *what);
/* Runs a query; *res is the result to read and PQclear on RD_OK. */
int rd_pg_run_query(struct rd_pg_store *q, enum rd_pg_stmt id, const struct rd_pg_bind *b,
                    PGresult **res, struct rd_error *err, const char *what);

/* Column i of row as text, "" for NULL. */
const char *rd_pg_col_cstr(const PGresult *r, int row, int i);
/* Column i of row copied into dst (cap bytes), cut to fit; "" for NULL. */
void rd_pg_col_text(const PGresult *r, int row, int i, char *dst, size_t cap);
#define RD_PG_COL_TEXT(r, row, i, field) rd_pg_col_text((r), (row), (i), (field), sizeof(field))
/* Column i of row as a number, 0 for NULL. */
int64_t rd_pg_col_i64(const PGresult *r, int row, int i);
/* Column i of row as a double, 0.0 for NULL. */
double rd_pg_col_double(const PGresult *r, int row, int i);

/* Transactions, account locks and the pool's check (the ops table's begin,
 * commit, rollback, lock_account, unlock_account, alive; postgres_ops.c). */
int rd_pg_begin(struct rd_store *s, struct rd_error *err);
int rd_pg_commit(struct rd_store *s, struct rd_error *err);
void rd_pg_rollback(struct rd_store *s);
int rd_pg_lock_account(struct rd_store *s, const char *account, struct rd_error *err);
void rd_pg_unlock_account(struct rd_store *s, const char *account);
int rd_pg_alive(struct rd_store *s);

/* ---- opening and closing (postgres_conn.c), failures (postgres_errors.c) ---- */

/* url with the password shown as "***", cut to fit n. */
void rd_pg_mask_url(const char *url, char *out, size_t n);
/* A libpq message made safe to show: the password masked, one line, cut to fit. */
void rd_pg_clean_message(PGconn *conn, const char *msg, char *out, size_t n);

/* The ops table's open and close. */
int rd_pg_open(const char *url, struct rd_store **out, struct rd_error *err);
/* maint's reseal (postgres_reseal.c). */
int rd_pg_reseal(struct rd_store *s, const struct rd_encryption_key *to, struct rd_error *err);
void rd_pg_close(struct rd_store *s);

/* A failed result (res NULL: the connection's error) as an rd error naming the
 * operation (fmt): RD_EEXIST, RD_ENOTFOUND or RD_ESTORE (postgres_errors.c). */
__attribute__((format(printf, 4, 5)))
int rd_pg_failf(struct rd_pg_store *q, const PGresult *res, struct rd_error *err,
                const char *fmt, ...);

/* ---- rows shared by postgres_trading.c and postgres_api.c ---- */

/* Row `row` of a result with postgres.c's REC_COLS / DECISION_COLS, in that order. */
int rd_pg_read_rec(const PGresult *r, int row, struct rd_rec *rec, struct rd_error *err);
int rd_pg_read_decision(const PGresult *r, int row, struct rd_decision_row *dr,
                        struct rd_error *err);

/* The operations of store.h's first version (postgres_trading.c). */
int rd_pg_account_put(struct rd_store *s, const struct rd_account_row *a, struct rd_error *err);
int rd_pg_account_get(struct rd_store *s, const char *name, struct rd_account_row *a,
                      struct rd_error *err);
int rd_pg_account_list(struct rd_store *s,
                       int (*visit)(void *ctx, const struct rd_account_row *), void *ctx,
                       struct rd_error *err);
int rd_pg_rec_add(struct rd_store *s, const struct rd_rec *r, struct rd_error *err);
int rd_pg_rec_get(struct rd_store *s, const char *id, struct rd_rec *r, struct rd_error *err);
int rd_pg_rec_undecided(struct rd_store *s, const char *account, int64_t *mark, size_t max,
                        struct rd_rec *out, size_t *n, struct rd_error *err);
/* verdicts: the caller's RD_STORE_VERDICTS_MAX buffer, which gets the row's
 * verdicts as stored (audit_int.h) */
int rd_pg_decision_add(struct rd_store *s, struct rd_decision_row *row, char *verdicts,
                       struct rd_error *err);
/* decision_add in parts, for postgres_batch.c: its parameters (verdicts is a
 * caller's RD_STORE_VERDICTS_MAX buffer the bind points into), and why a row
 * was not written (RD_EEXIST: decided already; RD_ENOTFOUND: no such
 * recommendation; what names the write in the message). */
int rd_pg_decision_bind(const struct rd_decision_row *row, char *verdicts, struct rd_pg_bind *b,
                        struct rd_error *err);
int rd_pg_decision_missing(struct rd_pg_store *q, const struct rd_decision_row *row,
                           struct rd_error *err);
int rd_pg_decision_list(struct rd_store *s, const char *account, size_t limit,
                        int (*visit)(void *ctx, const struct rd_decision_row *), void *ctx,
                        struct rd_error *err);
int rd_pg_order_add(struct rd_store *s, const struct rd_order_row *o, struct rd_error *err);
/* order_add in the same two parts (RD_EEXIST: the id is taken; RD_ENOTFOUND:
 * no such decision). */
int rd_pg_order_bind(const struct rd_order_row *o, struct rd_pg_bind *b, struct rd_error *err);
int rd_pg_order_missing(struct rd_pg_store *q, const struct rd_order_row *o, struct rd_error *err);
/* postgres_batch.c: store.h's kv_get_many, one query for them all. */
int rd_pg_kv_get_many(struct rd_store *s, const char *ns, const char *const *keys, size_t n,
                      char **vals, struct rd_error *err);
int rd_pg_kv_put_many(struct rd_store *s, const char *ns, const char *const *keys,
                      const char *const *vals, size_t n, int only_new, struct rd_error *err);
int rd_pg_kv_put_shared_many(struct rd_store *s, const char *ns, const char *const *keys,
                             const char *const *vals, size_t n, int mode, int *written,
                             struct rd_error *err);
/* postgres_batch.c: store.h's activity_entries, one query for them all. */
int rd_pg_activity_entries(struct rd_store *s, const char *account, int64_t day_start,
                           const char *const *underlyings, size_t n, int32_t *count,
                           int64_t *last_at, struct rd_error *err);
/* postgres_batch.c: store.h's decisions_record, a statement a table per 1,000
 * rows; each decision's encoded verdicts appended to verdicts, NUL-terminated
 * (rd_audit_record_fn). */
int rd_pg_decisions_record(struct rd_store *s, struct rd_decision_row *rows, size_t n,
                           struct rd_order_row *orders, const size_t *order_row, size_t norders,
                           struct rd_buf *verdicts, struct rd_error *err);
/* store.h's order_update, filling *whole with the row it leaves (RETURNING). */
int rd_pg_order_update(struct rd_store *s, const struct rd_order_row *o,
                       struct rd_order_row *whole, struct rd_error *err);
/* order_update's parameters (RD_PGS_ORDER_UPDATE's), and a row it returns. */
int rd_pg_order_update_bind(const struct rd_order_row *o, struct rd_pg_bind *b,
                            struct rd_error *err);
int rd_pg_read_order(const PGresult *r, int row, struct rd_order_row *o, struct rd_error *err);
/* postgres_batch.c: store.h's order_update_many, a statement per 1,000 orders;
 * wholes[i] is the row orders[i] leaves (RETURNING). */
int rd_pg_order_update_many(struct rd_store *s, const struct rd_order_row *orders, size_t n,
                            struct rd_order_row *wholes, struct rd_error *err);
int rd_pg_order_get(struct rd_store *s, const char *client_order_id, struct rd_order_row *o,
                    struct rd_error *err);
int rd_pg_order_list(struct rd_store *s, const char *account, int status,
                     int (*visit)(void *ctx, const struct rd_order_row *), void *ctx,
                     struct rd_error *err);
int rd_pg_position_put(struct rd_store *s, const struct rd_position_row *p,
                       struct rd_error *err);
/* position_put's parameters for a row it keeps (RD_PGS_POSITION_PUT's). */
int rd_pg_position_bind(const struct rd_position_row *p, struct rd_pg_bind *b,
                        struct rd_error *err);
/* postgres_batch.c: store.h's position_put_many, a statement per 1,000 rows
 * kept and one per 1,000 deleted. */
int rd_pg_position_put_many(struct rd_store *s, const struct rd_position_row *rows, size_t n,
                            struct rd_error *err);
int rd_pg_position_list(struct rd_store *s, const char *account,
                        int (*visit)(void *ctx, const struct rd_position_row *), void *ctx,
                        struct rd_error *err);
int rd_pg_trade_add(struct rd_store *s, const struct rd_trade_row *t, struct rd_error *err);
int rd_pg_activity(struct rd_store *s, const struct rd_activity_query *aq,
                   struct rd_activity *out, struct rd_error *err);
int rd_pg_kv_get(struct rd_store *s, const char *ns, const char *key, char **val,
                 struct rd_error *err);
int rd_pg_kv_put(struct rd_store *s, const char *ns, const char *key, const char *val,
                 int only_new, struct rd_error *err);

/* The HTTP API's operations (postgres_api.c). */
int rd_pg_token_add(struct rd_store *s, struct rd_token_row *t, struct rd_error *err);
int rd_pg_token_find(struct rd_store *s, const char *hash, struct rd_token_row *t,
                     struct rd_error *err);
int rd_pg_token_list(struct rd_store *s, int (*visit)(void *, const struct rd_token_row *),
                     void *ctx, struct rd_error *err);
int rd_pg_token_revoke(struct rd_store *s, int64_t id, int64_t at, struct rd_error *err);
int rd_pg_user_put(struct rd_store *s, const struct rd_user_row *u, int only_new,
                   struct rd_error *err);
int rd_pg_user_get(struct rd_store *s, const char *id, struct rd_user_row *u,
                   struct rd_error *err);
int rd_pg_user_list(struct rd_store *s, int (*visit)(void *, const struct rd_user_row *),
                    void *ctx, struct rd_error *err);
int rd_pg_assignment_add(struct rd_store *s, struct rd_assignment_row *a, struct rd_error *err);
int rd_pg_assignment_list(struct rd_store *s, const char *user, const char *account,
                          size_t limit,
                          int (*visit)(void *, const struct rd_assignment_row *), void *ctx,
                          struct rd_error *err);
int rd_pg_account_def_put(struct rd_store *s, const struct rd_account_def_row *a, int only_new,
                          struct rd_error *err);
int rd_pg_account_def_list(struct rd_store *s,
                           int (*visit)(void *, const struct rd_account_def_row *), void *ctx,
                           struct rd_error *err);
int rd_pg_account_def_get(struct rd_store *s, const char *name, struct rd_account_def_row *a,
                          struct rd_error *err);
int rd_pg_rec_list(struct rd_store *s, const struct rd_rec_filter *f,
                   int (*visit)(void *, const struct rd_rec *), void *ctx,
                   struct rd_error *err);
int rd_pg_decision_get(struct rd_store *s, int64_t id, struct rd_decision_row *row,
                       struct rd_error *err);
int rd_pg_decision_counts(struct rd_store *s, const char *account,
                          int (*visit)(void *, int, enum rd_gate, int64_t), void *ctx,
                          struct rd_error *err);
int rd_pg_order_counts(struct rd_store *s, const char *account,
                       int (*visit)(void *, enum rd_order_status, int64_t), void *ctx,
                       struct rd_error *err);

/* The traders operations (postgres_traders.c). */
int rd_pg_trader_import_add(struct rd_store *s, struct rd_trader_import_row *imp,
                            struct rd_error *err);
int rd_pg_trader_import_get(struct rd_store *s, const char *sha256,
                            struct rd_trader_import_row *imp, struct rd_error *err);
int rd_pg_trader_fills_add(struct rd_store *s, int64_t import_id, const struct rd_fills *fs,
                           size_t first, size_t n, struct rd_error *err);
int rd_pg_trader_daily_add(struct rd_store *s, int64_t import_id, const struct rd_fills *fs,
                           size_t first, size_t n, struct rd_error *err);
int rd_pg_trader_limits_put(struct rd_store *s, int64_t import_id, const struct rd_fills *fs,
                            struct rd_error *err);
int rd_pg_trader_load(struct rd_store *s, unsigned what, struct rd_fills *fs,
                      struct rd_error *err);
int rd_pg_trader_fills_each(struct rd_store *s, struct rd_fills *fs, rd_trader_fills_visit visit,
                            void *ctx, struct rd_error *err);
int rd_pg_trader_days_put(struct rd_store *s, const struct rd_fills *fs, const struct rd_pnl *pnl,
                          struct rd_error *err);
int rd_pg_trader_days_load(struct rd_store *s, struct rd_fills *fs, struct rd_pnl *pnl,
                           struct rd_error *err);
int rd_pg_trader_report_add(struct rd_store *s, struct rd_trader_report_row *r,
                            struct rd_error *err);
int rd_pg_trader_report_last(struct rd_store *s, int32_t before, struct rd_trader_report_row *r,
                             struct rd_error *err);
int rd_pg_trader_prediction_add(struct rd_store *s, struct rd_trader_prediction_row *p,
                                struct rd_error *err);
int rd_pg_trader_prediction_list(struct rd_store *s, int64_t report_id,
                                 int (*visit)(void *ctx, const struct rd_trader_prediction_row *),
                                 void *ctx, struct rd_error *err);

/* The performance operations (postgres_perf.c). */
int rd_pg_snapshot_put(struct rd_store *s, const struct rd_snapshot_row *r, struct rd_error *err);
int rd_pg_snapshot_get(struct rd_store *s, const char *account, int32_t day,
                       struct rd_snapshot_row *r, struct rd_error *err);
int rd_pg_snapshot_list(struct rd_store *s, const char *account, int32_t from, int32_t to,
                        int (*visit)(void *ctx, const struct rd_snapshot_row *), void *ctx,
                        struct rd_error *err);
int rd_pg_snapshot_delete(struct rd_store *s, const char *account, int32_t day,
                          struct rd_error *err);
int rd_pg_perf_event_add(struct rd_store *s, struct rd_perf_event_row *e, struct rd_error *err);
int rd_pg_perf_event_list(struct rd_store *s, const char *account, size_t limit,
                          int (*visit)(void *ctx, const struct rd_perf_event_row *), void *ctx,
                          struct rd_error *err);
int rd_pg_trade_list(struct rd_store *s, const char *account, int64_t since, int64_t until,
                     int (*visit)(void *ctx, const struct rd_trade_row *), void *ctx,
                     struct rd_error *err);

#endif
