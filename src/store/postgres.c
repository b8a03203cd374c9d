/*
 * postgres.c - the PostgreSQL storage backend (libpq).
 *
 *   postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?PARAM=VALUE&...]
 *   postgresql://...                 the same (libpq's two URI schemes)
 *   postgres:///DB?host=/run/dir     a unix socket directory
 *
 * Parameters are libpq's (sslmode, connect_timeout, application_name,
 * options...) plus two of riskdesk's, taken out before libpq sees the URL:
 * statement_timeout=MS (default 30000) and lock_timeout=MS (default 5000, the
 * SQLite backend's busy timeout). connect_timeout defaults to 10 s. The
 * password never leaves this file: the handle's url, and every message, show
 * it as "***".
 *
 * It behaves as the SQLite backend does (store.h's contract), with these means:
 *   - Statements are prepared once per connection when it opens (PQprepare)
 *     and run with PQexecPrepared, every value a text parameter.
 *   - A transaction starts with BEGIN and then takes the database's writer
 *     lock (a transaction-level advisory lock), so writers queue at the start
 *     the way SQLite's BEGIN IMMEDIATE makes them: no deadlocks between two
 *     riskdesk processes, no lost update of a kv document.
 *   - PostgreSQL aborts a whole transaction when one statement fails. The
 *     failures the contract lets a transaction survive (a duplicate, a missing
 *     referenced row) are therefore never raised: inserts are ON CONFLICT DO
 *     NOTHING, with the referenced row checked in the same statement, and an
 *     insert that wrote nothing is told apart by a second query. Any other
 *     failure (RD_ESTORE) aborts the transaction on the server, and commit then
 *     rolls back and says so, as SQLite's own fatal errors do.
 *   - Account locks are session-level advisory locks on a 64-bit FNV-1a hash
 *     of "riskdesk account " + the name: the server drops them when the
 *     connection ends, however the process died. A lost connection is not
 *     re-established (its locks are gone with it): every later call fails.
 *
 * The schema is migrated forward on open (postgres_schema.c) under the writer
 * lock; a database from a newer riskdesk is refused. A handle is used by one
 * thread at a time.
 */
#include "riskdesk/store.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "riskdesk/alloc.h"
#include "store/postgres_int.h"
#include "store/store_int.h"
#include "riskdesk/banned.h"

#define PG_STORE_MAGIC 0x50475351u   /* "PGSQ" */
#define DEFAULT_CONNECT_TIMEOUT "10"
#define DEFAULT_STATEMENT_TIMEOUT_MS 30000L
#define DEFAULT_LOCK_TIMEOUT_MS 5000L
#define MAX_PARAMS 24
#define MIN_SERVER_VERSION 100000    /* GENERATED AS IDENTITY: PostgreSQL 10 */

/* Text fields in messages: fixed-size fields may lack their NUL. */
#define FIELD(f) (int)strnlen((f), sizeof(f)), (f)

enum stmt_id {
    ST_BEGIN,
    ST_WRITER_LOCK,
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
    ST_DECISION_EXISTS,
    ST_DECISION_LIST,
    ST_ORDER_ADD,
    ST_ORDER_EXISTS,
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
    ST_LOCK_TRY,
    ST_LOCK_RELEASE,
    ST_LOCK_HOLDER,
    /* version 2: the HTTP API */
    ST_TOKEN_ADD,
    ST_TOKEN_FIND,
    ST_TOKEN_LIST,
    ST_TOKEN_REVOKE,
    ST_USER_INSERT,
    ST_USER_UPSERT,
    ST_USER_GET,
    ST_USER_LIST,
    ST_USER_ACCOUNT,
    ST_USER_SET_ACCOUNT,
    ST_ASSIGN_ADD,
    ST_ASSIGN_LIST,
    ST_DEF_INSERT,
    ST_DEF_UPSERT,
    ST_DEF_LIST,
    ST_REC_LIST,
    ST_DECISION_GET,
    ST_DECISION_COUNTS,
    ST_ORDER_COUNTS,
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
#define TOKEN_COLS "id, hash, prefix, role, user_id, label, created_at, revoked_at"
#define USER_COLS                                                                \
    "id, display_name, department, slack_user_id, account, created_at, updated_at"
#define DEF_COLS "name, def, created_at, updated_at, closed_at, closed_by"
#define TRADE_COLS                                                               \
    "account, symbol, qty, multiplier, entry_price, exit_price, pnl, opened_at, closed_at, " \
    "day_trade"

/* The writer lock's key, in the two-int4 advisory key space (account locks
 * use the bigint one, so the two never meet): "rdsk", 1. */
#define WRITER_LOCK_KEY "1919185771, 1"
#define WRITER_LOCK_SQL "SELECT pg_advisory_xact_lock(" WRITER_LOCK_KEY ")"

struct stmt_def {
    const char *name;
    const char *sql;
};

#define S(id, text) [id] = {#id, text}

static const struct stmt_def stmts[ST_COUNT] = {
    S(ST_BEGIN, "BEGIN"),
    S(ST_WRITER_LOCK, WRITER_LOCK_SQL),
    S(ST_COMMIT, "COMMIT"),
    S(ST_ROLLBACK, "ROLLBACK"),
    S(ST_ACCOUNT_PUT,
      "INSERT INTO accounts (" ACCOUNT_COLS ") VALUES ($1, $2, $3, $4, $5, $6) "
      "ON CONFLICT (name) DO UPDATE SET tier = excluded.tier, state = excluded.state, "
      "halted_until = excluded.halted_until, state_reason = excluded.state_reason, "
      "updated_at = excluded.updated_at"),
    S(ST_ACCOUNT_GET, "SELECT " ACCOUNT_COLS " FROM accounts WHERE name = $1"),
    S(ST_ACCOUNT_LIST, "SELECT " ACCOUNT_COLS " FROM accounts ORDER BY name"),
    /* The writer lock (begin's, held already inside a transaction; released
     * at the transaction's end, after its rows are visible) is taken before
     * seq is drawn, so no recommendation becomes visible after one with a
     * later seq: rec_undecided's mark never passes a place still to come. */
    S(ST_REC_ADD, "WITH l AS MATERIALIZED (SELECT pg_advisory_xact_lock(" WRITER_LOCK_KEY ")) "
                  "INSERT INTO recs (" REC_COLS ") SELECT $1::text, $2::bigint, $3::text, "
                  "$4::text, $5::text, $6::text, $7::bigint, $8::bigint, $9::bigint, $10::bigint, "
                  "$11::bigint, $12::integer, $13::bigint, $14::text, $15::bigint FROM l "
                  "ON CONFLICT DO NOTHING"),
    S(ST_REC_GET, "SELECT " REC_COLS " FROM recs WHERE id = $1"),
    S(ST_REC_TOP, "SELECT coalesce(max(seq), 0) FROM recs"),
    S(ST_REC_UNDECIDED,
      "SELECT " REC_COLS ", seq FROM recs WHERE seq > $2 AND seq <= $3 AND "
      "(recs.account IS NULL OR recs.account = $1) AND "
      "NOT EXISTS (SELECT 1 FROM decisions WHERE decisions.account = $1 AND "
      "decisions.rec_id = recs.id) ORDER BY seq LIMIT $4"),
    /* Writes nothing (and raises nothing) when the pair is decided or the
     * recommendation is missing; ST_DECISION_EXISTS tells which. */
    S(ST_DECISION_ADD,
      "INSERT INTO decisions (account, rec_id, decided_at, approved, size, first_failed, "
      "budget, unit_risk, unit_cost, risk_pct, kelly_used, verdicts) "
      "SELECT $1::text, $2::text, $3::bigint, $4::integer, $5::bigint, $6::text, $7::bigint, "
      "$8::bigint, $9::bigint, $10::bigint, $11::integer, $12::text "
      "WHERE EXISTS (SELECT 1 FROM recs WHERE id = $2::text) "
      "ON CONFLICT DO NOTHING RETURNING id"),
    S(ST_DECISION_EXISTS,
      "SELECT EXISTS (SELECT 1 FROM decisions WHERE account = $1 AND rec_id = $2)"),
    S(ST_DECISION_LIST, "SELECT " DECISION_COLS " FROM decisions WHERE account = $1 "
                        "ORDER BY decided_at DESC, id DESC LIMIT $2"),
    S(ST_ORDER_ADD,
      "INSERT INTO orders (" ORDER_COLS ") "
      "SELECT $1::text, $2::text, $3::text, $4::bigint, $5::text, $6::text, $7::text, $8::text, "
      "$9::text, $10::bigint, $11::bigint, $12::bigint, $13::text, $14::text, $15::bigint, "
      "$16::bigint, $17::text, $18::bigint, $19::bigint "
      "WHERE $4::bigint IS NULL OR EXISTS (SELECT 1 FROM decisions WHERE id = $4::bigint) "
      "ON CONFLICT DO NOTHING"),
    S(ST_ORDER_EXISTS, "SELECT EXISTS (SELECT 1 FROM orders WHERE client_order_id = $1)"),
    S(ST_ORDER_UPDATE,
      "UPDATE orders SET status = $1, broker_order_id = $2, filled_qty = $3, fill_price = $4, "
      "reason = $5, updated_at = $6 WHERE client_order_id = $7 AND account = $8"),
    S(ST_ORDER_GET, "SELECT " ORDER_COLS " FROM orders WHERE client_order_id = $1"),
    S(ST_ORDER_LIST, "SELECT " ORDER_COLS " FROM orders WHERE account = $1 "
                     "ORDER BY created_at, client_order_id"),
    S(ST_ORDER_LIST_STATUS, "SELECT " ORDER_COLS " FROM orders WHERE account = $1 AND status = $2 "
                            "ORDER BY created_at, client_order_id"),
    S(ST_POSITION_PUT,
      "INSERT INTO positions (" POSITION_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
      "ON CONFLICT (account, symbol) DO UPDATE SET underlying = excluded.underlying, "
      "strategy = excluded.strategy, qty = excluded.qty, multiplier = excluded.multiplier, "
      "avg_price = excluded.avg_price, opened_at = excluded.opened_at, rec_id = excluded.rec_id"),
    S(ST_POSITION_DELETE, "DELETE FROM positions WHERE account = $1 AND symbol = $2"),
    S(ST_POSITION_LIST, "SELECT " POSITION_COLS " FROM positions WHERE account = $1 ORDER BY symbol"),
    S(ST_TRADE_ADD, "INSERT INTO trades (" TRADE_COLS ") VALUES "
                    "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"),
    /* $1 day_start, $2 account, $3 underlying. Index orders_account_underlying. */
    S(ST_ACT_ENTRIES,
      "SELECT COUNT(CASE WHEN created_at >= $1 THEN 1 END), COALESCE(MAX(created_at), 0) "
      "FROM orders WHERE account = $2 AND underlying = $3 AND intent = 'entry' "
      "AND status NOT IN ('rejected', 'canceled')"),
    S(ST_ACT_MINUTE, "SELECT COUNT(*) FROM orders WHERE account = $1 AND created_at >= $2"),
    /* $1 pdt_since, $2 kelly_since, $3 account, $4 the earlier of the two. */
    S(ST_ACT_TRADES,
      "SELECT COUNT(CASE WHEN day_trade = 1 AND closed_at >= $1 THEN 1 END), "
      "COUNT(CASE WHEN closed_at >= $2 THEN 1 END), "
      "COUNT(CASE WHEN closed_at >= $2 AND pnl > 0 THEN 1 END), "
      "COALESCE(SUM(CASE WHEN closed_at >= $2 AND pnl > 0 THEN pnl ELSE 0 END), 0)::bigint, "
      "COALESCE(SUM(CASE WHEN closed_at >= $2 AND pnl < 0 THEN -pnl ELSE 0 END), 0)::bigint "
      "FROM trades WHERE account = $3 AND closed_at >= $4"),
    S(ST_KV_GET, "SELECT val FROM kv WHERE ns = $1 AND key = $2"),
    S(ST_KV_INSERT, "INSERT INTO kv (ns, key, val) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"),
    S(ST_KV_UPSERT, "INSERT INTO kv (ns, key, val) VALUES ($1, $2, $3) "
                    "ON CONFLICT (ns, key) DO UPDATE SET val = excluded.val"),
    S(ST_LOCK_TRY, "SELECT pg_try_advisory_lock($1::bigint)"),
    S(ST_LOCK_RELEASE, "SELECT pg_advisory_unlock($1::bigint)"),
    /* A bigint advisory key shows as classid (high half), objid (low half),
     * objsubid 1. Another user's session may hide its columns (NULL). */
    S(ST_LOCK_HOLDER,
      "SELECT l.pid, EXTRACT(EPOCH FROM a.backend_start)::bigint, a.application_name, "
      "host(a.client_addr) FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
      "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
      "AND l.classid = $1::oid AND l.objid = $2::oid "
      "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
      "LIMIT 1"),
    S(ST_TOKEN_ADD, "INSERT INTO api_tokens (hash, prefix, role, user_id, label, created_at, "
                    "revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                    "ON CONFLICT DO NOTHING RETURNING id"),
    S(ST_TOKEN_FIND, "SELECT " TOKEN_COLS " FROM api_tokens WHERE hash = $1"),
    S(ST_TOKEN_LIST, "SELECT " TOKEN_COLS " FROM api_tokens ORDER BY id"),
    S(ST_TOKEN_REVOKE, "UPDATE api_tokens SET revoked_at = CASE WHEN revoked_at = 0 THEN "
                       "$1::bigint ELSE revoked_at END WHERE id = $2"),
    S(ST_USER_INSERT, "INSERT INTO users (" USER_COLS ") VALUES ($1, $2, $3, $4, NULL, $5, $6) "
                      "ON CONFLICT DO NOTHING"),
    S(ST_USER_UPSERT,
      "INSERT INTO users (" USER_COLS ") VALUES ($1, $2, $3, $4, NULL, $5, $6) "
      "ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, "
      "department = excluded.department, slack_user_id = excluded.slack_user_id, "
      "updated_at = excluded.updated_at"),
    S(ST_USER_GET, "SELECT " USER_COLS " FROM users WHERE id = $1"),
    S(ST_USER_LIST, "SELECT " USER_COLS " FROM users ORDER BY id"),
    S(ST_USER_ACCOUNT, "SELECT account FROM users WHERE id = $1"),
    S(ST_USER_SET_ACCOUNT, "UPDATE users SET account = $1, updated_at = $2 WHERE id = $3"),
    S(ST_ASSIGN_ADD, "INSERT INTO assignments (user_id, account, previous, strategy, assigned_by, "
                     "reason, at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"),
    S(ST_ASSIGN_LIST,
      "SELECT id, user_id, account, previous, strategy, assigned_by, reason, at "
      "FROM assignments WHERE ($1::text IS NULL OR user_id = $1) AND "
      "($2::text IS NULL OR account = $2 OR previous = $2) ORDER BY id DESC LIMIT $3"),
    S(ST_DEF_INSERT, "INSERT INTO account_defs (" DEF_COLS ") VALUES ($1, $2, $3, $4, $5, $6) "
                     "ON CONFLICT DO NOTHING"),
    S(ST_DEF_UPSERT,
      "INSERT INTO account_defs (" DEF_COLS ") VALUES ($1, $2, $3, $4, $5, $6) "
      "ON CONFLICT (name) DO UPDATE SET def = excluded.def, updated_at = excluded.updated_at, "
      "closed_at = excluded.closed_at, closed_by = excluded.closed_by"),
    S(ST_DEF_LIST, "SELECT " DEF_COLS " FROM account_defs ORDER BY name"),
    S(ST_REC_LIST,
      "SELECT " REC_COLS " FROM recs WHERE ($1::bigint = 0 OR created_at >= $1) AND "
      "($2::bigint = 0 OR created_at < $2) AND ($3::text IS NULL OR underlying = $3) AND "
      "($4::text IS NULL OR symbol = $4) AND ($5::text IS NULL OR action = $5) AND "
      "($6::text IS NULL OR strategy = $6) ORDER BY created_at DESC, id DESC LIMIT $7"),
    S(ST_DECISION_GET, "SELECT " DECISION_COLS " FROM decisions WHERE id = $1"),
    S(ST_DECISION_COUNTS, "SELECT approved, first_failed, COUNT(*) FROM decisions "
                          "WHERE account = $1 GROUP BY approved, first_failed"),
    S(ST_ORDER_COUNTS, "SELECT status, COUNT(*) FROM orders WHERE account = $1 GROUP BY status"),
};

#undef S

/* One account lock held by this handle. */
struct held_lock {
    struct held_lock *next;
    int64_t key;
    char account[];
};

struct pg_store {
    struct rd_store base;    /* first: rd_store * <-> pg_store * */
    uint32_t magic;
    PGconn *conn;
    int depth;               /* begin() levels open */
    int doomed;              /* an inner level rolled back */
    struct held_lock *locks;
    unsigned char walking[ST_COUNT];   /* a list statement whose visitor runs */
    unsigned char ext_ready[RD_PGX_COUNT];   /* postgres_int.h's slots prepared */
};

/* The checked downcast. */
static struct pg_store *pg(struct rd_store *s)
{
    struct pg_store *q = (struct pg_store *)s;

    assert(s && s->ops == &rd_store_postgres_ops && q->magic == PG_STORE_MAGIC);
    return q;
}

/* ---- URLs and messages without the password ---- */

struct sbuf {
    char *p;
    size_t n, used;
};

static void sb_put(struct sbuf *b, const char *s, size_t len)
{
    if (b->used + 1 >= b->n)
        return;
    if (len > b->n - 1 - b->used)
        len = b->n - 1 - b->used;
    memcpy(b->p + b->used, s, len);
    b->used += len;
    b->p[b->used] = '\0';
}

/*
 * url with the password shown as "***": the one in USER:PASSWORD@ and any
 * password=... parameter. Cut to fit n.
 */
static void mask_url(const char *url, char *out, size_t n)
{
    struct sbuf b = {out, n, 0};
    const char *sep = strstr(url, "://");
    const char *auth, *auth_end, *at = NULL, *q;

    out[0] = '\0';
    if (!sep) {
        sb_put(&b, url, strcspn(url, "?"));
        return;
    }
    auth = sep + 3;
    auth_end = auth + strcspn(auth, "/?#");
    for (const char *p = auth; p < auth_end; p++)
        if (*p == '@')
            at = p;
    sb_put(&b, url, (size_t)(auth - url));
    if (at) {
        const char *colon = memchr(auth, ':', (size_t)(at - auth));

        if (colon) {
            sb_put(&b, auth, (size_t)(colon - auth));
            sb_put(&b, ":***", 4);
        } else {
            sb_put(&b, auth, (size_t)(at - auth));
        }
        auth = at;
    }
    q = strchr(auth_end, '?');
    sb_put(&b, auth, (size_t)((q ? q : auth_end + strlen(auth_end)) - auth));
    if (!q)
        return;
    for (const char *p = q + 1, *end; *p; p = *end ? end + 1 : end) {
        size_t len;

        end = p + strcspn(p, "&");
        len = (size_t)(end - p);
        sb_put(&b, p == q + 1 ? "?" : "&", 1);
        if (len >= 9 && !memcmp(p, "password=", 9))
            sb_put(&b, "password=***", 12);
        else
            sb_put(&b, p, len);
    }
}

void rd_store_url_mask(const char *url, char *out, size_t n)
{
    if (n)
        mask_url(url, out, n);
}

/* msg made one line (libpq's messages end in newlines and may have several),
 * with the connection's password, if it somehow appears, as "***". */
static void clean_message(PGconn *conn, const char *msg, char *out, size_t n)
{
    const char *pw = conn ? PQpass(conn) : NULL;
    size_t pwlen = pw ? strlen(pw) : 0;
    struct sbuf b = {out, n, 0};
    const char *p = msg ? msg : "";

    out[0] = '\0';
    while (*p) {
        if (pwlen >= 3 && !strncmp(p, pw, pwlen)) {
            sb_put(&b, "***", 3);
            p += pwlen;
        } else if (*p == '\n' || *p == '\r' || *p == '\t') {
            if (b.used && out[b.used - 1] != ' ' && p[1])
                sb_put(&b, "; ", 2);
            p++;
        } else {
            sb_put(&b, p, 1);
            p++;
        }
    }
    while (b.used && (out[b.used - 1] == ' ' || out[b.used - 1] == ';'))
        out[--b.used] = '\0';
}

/* The server's words for a failed result, or libpq's for the connection. */
static void error_text(const struct pg_store *q, const PGresult *res, char *out, size_t n)
{
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    char both[768];

    if (primary) {
        snprintf(both, sizeof both, "%s%s%s", primary, detail ? " (" : "", detail ? detail : "");
        if (detail)
            snprintf(both + strlen(both), sizeof both - strlen(both), ")");
        clean_message(q->conn, both, out, n);
    } else {
        clean_message(q->conn, q->conn ? PQerrorMessage(q->conn) : "no connection", out, n);
    }
    if (q->conn && PQstatus(q->conn) == CONNECTION_BAD)
        snprintf(out + strlen(out), n - strlen(out),
                 " (the connection is lost, and the account locks it held with it; "
                 "reopen the store)");
}

/*
 * Turns a failed result into an rd error: unique_violation (23505) is
 * RD_EEXIST, foreign_key_violation (23503) RD_ENOTFOUND, anything else
 * RD_ESTORE naming the database (password masked) and the operation (fmt).
 * res may be NULL (libpq could not send the query).
 */
__attribute__((format(printf, 4, 5)))
static int fail(struct pg_store *q, const PGresult *res, struct rd_error *err, const char *fmt, ...)
{
    char what[256];
    char msg[384];
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    error_text(q, res, msg, sizeof msg);
    if (state && !strcmp(state, "23505"))
        return rd_error_set(err, RD_EEXIST, "%s: already exists (%s)", what, msg);
    if (state && !strcmp(state, "23503"))
        return rd_error_set(err, RD_ENOTFOUND, "%s: refers to a row that is not in the store (%s)",
                            what, msg);
    return rd_error_set(err, RD_ESTORE, "postgres %s: %s: %s", q->base.url, what, msg);
}

/* ---- statements ---- */

/* Text parameters in order; values point into the caller's row or, for
 * numbers and fields without their NUL, into buf. */
struct pbind {
    const char *v[MAX_PARAMS];
    int n;
    int overflow;
    size_t used;
    char buf[2048];
};

static void b_init(struct pbind *b)
{
    b->n = 0;
    b->overflow = 0;
    b->used = 0;
}

static void b_add(struct pbind *b, const char *v)
{
    if (b->n >= MAX_PARAMS) {
        b->overflow = 1;
        return;
    }
    b->v[b->n++] = v;
}

static char *b_scratch(struct pbind *b, size_t need)
{
    char *p;

    if (need > sizeof b->buf - b->used) {
        b->overflow = 1;
        return NULL;
    }
    p = b->buf + b->used;
    b->used += need;
    return p;
}

static void b_str(struct pbind *b, const char *s)
{
    b_add(b, s);
}

static void b_null(struct pbind *b)
{
    b_add(b, NULL);
}

/* A fixed-size field of cap bytes. */
static void b_field(struct pbind *b, const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    char *p;

    if (n < cap) {
        b_add(b, s);
        return;
    }
    p = b_scratch(b, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    b_add(b, p);
}

/* A fixed-size field where "" means none: stored as NULL. */
static void b_field_or_null(struct pbind *b, const char *s, size_t cap)
{
    if (strnlen(s, cap))
        b_field(b, s, cap);
    else
        b_null(b);
}

static void b_i64(struct pbind *b, int64_t v)
{
    char *p = b_scratch(b, 24);

    if (p)
        snprintf(p, 24, "%" PRId64, v);
    b_add(b, p);
}

static void b_i64_or_null(struct pbind *b, int64_t v)
{
    if (v)
        b_i64(b, v);
    else
        b_null(b);
}

/* Runs a prepared statement. NULL only when libpq could not even try. */
static PGresult *exec_st(struct pg_store *q, enum stmt_id id, const struct pbind *b)
{
    assert(!b->overflow);
    if (b->overflow)
        return NULL;
    return PQexecPrepared(q->conn, stmts[id].name, b->n, b->v, NULL, NULL, 0);
}

static int res_ok(const PGresult *res, ExecStatusType want)
{
    return res && PQresultStatus(res) == want;
}

/* Rows a command wrote (INSERT/UPDATE/DELETE). */
static long affected(const PGresult *res)
{
    const char *t = PQcmdTuples((PGresult *)res);

    return t && *t ? strtol(t, NULL, 10) : 0;
}

/* A list statement that is running its visitor cannot be run again from it. */
static int walk_start(struct pg_store *q, enum stmt_id id, const char *op, struct rd_error *err)
{
    if (q->walking[id])
        return rd_error_set(err, RD_EINTERNAL, "store %s: called again from inside its own visitor",
                            op);
    return RD_OK;
}

/* ---- columns ---- */

static const char *col_cstr(const PGresult *r, int row, int i)
{
    return PQgetisnull(r, row, i) ? "" : PQgetvalue(r, row, i);
}

static void col_text(const PGresult *r, int row, int i, char *dst, size_t cap)
{
    size_t n = PQgetisnull(r, row, i) ? 0 : (size_t)PQgetlength(r, row, i);

    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, PQgetvalue(r, row, i), n);
    dst[n] = '\0';
}

#define COL_TEXT(r, row, i, field) col_text((r), (row), (i), (field), sizeof(field))

static int64_t col_i64(const PGresult *r, int row, int i)
{
    return PQgetisnull(r, row, i) ? 0 : (int64_t)strtoll(PQgetvalue(r, row, i), NULL, 10);
}

static int bad_column(struct rd_error *err, const char *table, const char *col, const PGresult *r,
                      int row, int i)
{
    return rd_error_set(err, RD_ESTORE, "store: %s.%s holds \"%.40s\", which this riskdesk does not know",
                        table, col, PQgetisnull(r, row, i) ? "NULL" : PQgetvalue(r, row, i));
}

/* ---- rows ---- */

static int read_account(const PGresult *r, int row, struct rd_account_row *a, struct rd_error *err)
{
    memset(a, 0, sizeof *a);
    COL_TEXT(r, row, 0, a->name);
    COL_TEXT(r, row, 1, a->tier);
    if (rd_store_state_parse(col_cstr(r, row, 2), &a->state))
        return bad_column(err, "accounts", "state", r, row, 2);
    a->halted_until = (int32_t)col_i64(r, row, 3);
    COL_TEXT(r, row, 4, a->state_reason);
    a->updated_at = col_i64(r, row, 5);
    return RD_OK;
}

static int read_rec(const PGresult *r, int row, struct rd_rec *rec, struct rd_error *err)
{
    memset(rec, 0, sizeof *rec);
    COL_TEXT(r, row, 0, rec->id);
    rec->created_at = col_i64(r, row, 1);
    COL_TEXT(r, row, 2, rec->underlying);
    COL_TEXT(r, row, 3, rec->symbol);
    if (rd_store_action_parse(col_cstr(r, row, 4), &rec->action))
        return bad_column(err, "recs", "action", r, row, 4);
    if (rd_store_strategy_parse(col_cstr(r, row, 5), &rec->strategy))
        return bad_column(err, "recs", "strategy", r, row, 5);
    rec->confidence = col_i64(r, row, 6);
    rec->volume_ratio = col_i64(r, row, 7);
    rec->price = col_i64(r, row, 8);
    rec->stop_price = col_i64(r, row, 9);
    rec->expires_at = col_i64(r, row, 10);
    rec->has_vix = (int)col_i64(r, row, 11);
    rec->vix = col_i64(r, row, 12);
    COL_TEXT(r, row, 13, rec->account);
    rec->qty = col_i64(r, row, 14);
    return RD_OK;
}

static int read_decision(const PGresult *r, int row, struct rd_decision_row *dr,
                         struct rd_error *err)
{
    struct rd_decision *d = &dr->d;
    int rc;

    memset(dr, 0, sizeof *dr);
    dr->id = col_i64(r, row, 0);
    COL_TEXT(r, row, 1, dr->account);
    COL_TEXT(r, row, 2, dr->rec_id);
    dr->decided_at = col_i64(r, row, 3);
    d->approved = (int)col_i64(r, row, 4);
    d->size = col_i64(r, row, 5);
    if (PQgetisnull(r, row, 6))
        d->first_failed = RD_GATE_COUNT;
    else if (rd_store_gate_parse(col_cstr(r, row, 6), &d->first_failed))
        return bad_column(err, "decisions", "first_failed", r, row, 6);
    d->budget = col_i64(r, row, 7);
    d->unit_risk = col_i64(r, row, 8);
    d->unit_cost = col_i64(r, row, 9);
    d->risk_pct = col_i64(r, row, 10);
    d->kelly_used = (int)col_i64(r, row, 11);
    rc = rd_store_verdicts_decode(col_cstr(r, row, 12), (size_t)PQgetlength(r, row, 12), d, err);
    if (rc)
        return rd_error_prefix(err, "store: decision %" PRId64, dr->id);
    return RD_OK;
}

static int read_order(const PGresult *r, int row, struct rd_order_row *o, struct rd_error *err)
{
    memset(o, 0, sizeof *o);
    COL_TEXT(r, row, 0, o->client_order_id);
    COL_TEXT(r, row, 1, o->account);
    COL_TEXT(r, row, 2, o->rec_id);
    o->decision_id = col_i64(r, row, 3);
    COL_TEXT(r, row, 4, o->symbol);
    COL_TEXT(r, row, 5, o->underlying);
    if (rd_store_side_parse(col_cstr(r, row, 6), &o->side))
        return bad_column(err, "orders", "side", r, row, 6);
    if (rd_store_intent_parse(col_cstr(r, row, 7), &o->intent))
        return bad_column(err, "orders", "intent", r, row, 7);
    if (rd_store_strategy_parse(col_cstr(r, row, 8), &o->strategy))
        return bad_column(err, "orders", "strategy", r, row, 8);
    o->qty = col_i64(r, row, 9);
    o->multiplier = col_i64(r, row, 10);
    o->ref_price = col_i64(r, row, 11);
    if (rd_order_status_parse(col_cstr(r, row, 12), &o->status))
        return bad_column(err, "orders", "status", r, row, 12);
    COL_TEXT(r, row, 13, o->broker_order_id);
    o->filled_qty = col_i64(r, row, 14);
    o->fill_price = col_i64(r, row, 15);
    COL_TEXT(r, row, 16, o->reason);
    o->created_at = col_i64(r, row, 17);
    o->updated_at = col_i64(r, row, 18);
    return RD_OK;
}

static int read_position(const PGresult *r, int row, struct rd_position_row *p,
                         struct rd_error *err)
{
    memset(p, 0, sizeof *p);
    COL_TEXT(r, row, 0, p->account);
    COL_TEXT(r, row, 1, p->symbol);
    COL_TEXT(r, row, 2, p->underlying);
    if (rd_store_strategy_parse(col_cstr(r, row, 3), &p->strategy))
        return bad_column(err, "positions", "strategy", r, row, 3);
    p->qty = col_i64(r, row, 4);
    p->multiplier = col_i64(r, row, 5);
    p->avg_price = col_i64(r, row, 6);
    p->opened_at = col_i64(r, row, 7);
    COL_TEXT(r, row, 8, p->rec_id);
    return RD_OK;
}

/* ---- open, close, schema ---- */

/* Runs constant SQL (no values) that returns no rows. */
static int exec_sql(struct pg_store *q, const char *sql, const char *what, struct rd_error *err)
{
    PGresult *res = PQexec(q->conn, sql);
    int rc = res_ok(res, PGRES_COMMAND_OK) || res_ok(res, PGRES_TUPLES_OK)
                 ? RD_OK
                 : fail(q, res, err, "%s", what);

    PQclear(res);
    return rc;
}

static int schema_version(struct pg_store *q, int *version, struct rd_error *err)
{
    PGresult *res = PQexec(q->conn, "SELECT MAX(version) FROM schema_version");
    int rc = RD_OK;

    if (!res_ok(res, PGRES_TUPLES_OK) || PQntuples(res) != 1) {
        rc = fail(q, res, err, "read schema_version");
    } else if (PQgetisnull(res, 0, 0)) {
        *version = 0;
    } else {
        int64_t v = col_i64(res, 0, 0);

        if (v < 0 || v > 1000000)
            rc = rd_error_set(err, RD_ESTORE, "postgres %s: schema_version holds %" PRId64,
                              q->base.url, v);
        else
            *version = (int)v;
    }
    PQclear(res);
    return rc;
}

static int record_version(struct pg_store *q, int version, struct rd_error *err)
{
    struct pbind b;
    PGresult *res;
    int rc;

    b_init(&b);
    b_i64(&b, version);
    b_i64(&b, (int64_t)time(NULL));
    res = PQexecParams(q->conn, "INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)",
                       b.n, NULL, b.v, NULL, NULL, 0);
    rc = res_ok(res, PGRES_COMMAND_OK) ? RD_OK
                                       : fail(q, res, err, "record schema version %d", version);
    PQclear(res);
    return rc;
}

/*
 * Brings the schema up to the newest migration, one transaction per
 * migration, under the writer lock: two processes opening a new database at
 * once take turns (CREATE TABLE IF NOT EXISTS alone races in PostgreSQL).
 */
static int migrate(struct pg_store *q, struct rd_error *err)
{
    const int latest = rd_pg_migrations[rd_pg_migration_count - 1].version;
    int rc;

    for (;;) {
        int version = 0;
        const struct rd_pg_migration *m;

        rc = exec_sql(q, "BEGIN", "begin migration", err);
        if (rc)
            return rc;
        rc = exec_sql(q, WRITER_LOCK_SQL, "take the writer lock for migration", err);
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

static void pg_close(struct rd_store *s);

/* Server notices ("relation ... already exists, skipping") are not errors and
 * must not reach the program's stderr. */
static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static int prepare_all(struct pg_store *q, struct rd_error *err)
{
    for (int i = 0; i < ST_COUNT; i++) {
        PGresult *res = PQprepare(q->conn, stmts[i].name, stmts[i].sql, 0, NULL);
        int ok = res_ok(res, PGRES_COMMAND_OK);
        int rc = ok ? RD_OK : fail(q, res, err, "prepare %s", stmts[i].name);

        PQclear(res);
        if (rc)
            return rc;
    }
    return RD_OK;
}

/* Keyword/value pairs for PQconnectdbParams: the URL's, then riskdesk's
 * defaults for what it leaves out. */
#define MAX_CONN_PARAMS 48

static int pg_open(const char *url, struct rd_store **out, struct rd_error *err)
{
    struct pg_store *q = NULL;
    char *plain = NULL;
    char *perr = NULL;
    PQconninfoOption *opts = NULL;
    const char *kw[MAX_CONN_PARAMS + 1], *val[MAX_CONN_PARAMS + 1];
    char options[512], appname[64], masked[256];
    long statement_ms = DEFAULT_STATEMENT_TIMEOUT_MS, lock_ms = DEFAULT_LOCK_TIMEOUT_MS;
    int nkw = 0, have_timeout = 0, have_encoding = 0;
    const char *user_options = NULL;
    int rc;

    *out = NULL;
    if (strncmp(url, "postgres://", 11) != 0 && strncmp(url, "postgresql://", 13) != 0)
        return rd_error_set(err, RD_EINVAL,
                            "postgres: URL must start with \"postgres://\" or \"postgresql://\"");
    mask_url(url, masked, sizeof masked);

    plain = rd_malloc(strlen(url) + 1);
    if (!plain)
        return rd_error_set(err, RD_ENOMEM, "postgres: out of memory opening %s", masked);
    rc = split_options(url, plain, &statement_ms, &lock_ms, err);
    if (rc)
        goto out;
    opts = PQconninfoParse(plain, &perr);
    if (!opts) {
        char msg[256];

        clean_message(NULL, perr ? perr : "out of memory", msg, sizeof msg);
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
    q->base.ops = &rd_store_postgres_ops;
    q->magic = PG_STORE_MAGIC;
    snprintf(q->base.url, sizeof q->base.url, "%s", masked);

    q->conn = PQconnectdbParams(kw, val, 0);
    if (!q->conn) {
        rc = rd_error_set(err, RD_ENOMEM, "postgres: out of memory connecting to %s", masked);
        goto out;
    }
    if (PQstatus(q->conn) != CONNECTION_OK) {
        char msg[384];

        clean_message(q->conn, PQerrorMessage(q->conn), msg, sizeof msg);
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
    rc = PQserverVersion(q->conn) >= 120000 && !(user_options && strstr(user_options, "plan_cache_mode"))
             ? exec_sql(q, "SET plan_cache_mode = force_generic_plan", "set plan_cache_mode", err)
             : RD_OK;
    if (!rc)
        rc = migrate(q, err);
    if (!rc)
        rc = prepare_all(q, err);
    if (rc)
        goto out;
    *out = &q->base;
    q = NULL;
out:
    if (q)
        pg_close(&q->base);
    PQconninfoFree(opts);
    PQfreemem(perr);
    rd_free(plain);
    return rc;
}

static void pg_close(struct rd_store *s)
{
    struct pg_store *q = pg(s);

    while (q->locks) {
        struct held_lock *l = q->locks;

        q->locks = l->next;
        rd_free(l);
    }
    /* Ending the session rolls back an open transaction and drops the
     * session's advisory locks. */
    PQfinish(q->conn);
    q->magic = 0;
    rd_free(q);
}

/* ---- transactions ---- */

static int exec_fixed(struct pg_store *q, enum stmt_id id, const char *what, struct rd_error *err)
{
    PGresult *res = PQexecPrepared(q->conn, stmts[id].name, 0, NULL, NULL, NULL, 0);
    int rc = res_ok(res, PGRES_COMMAND_OK) || res_ok(res, PGRES_TUPLES_OK)
                 ? RD_OK
                 : fail(q, res, err, "%s", what);

    PQclear(res);
    return rc;
}

static void really_rollback(struct pg_store *q)
{
    PGTransactionStatusType ts = PQtransactionStatus(q->conn);

    if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)
        exec_fixed(q, ST_ROLLBACK, "rollback", NULL);
}

static int pg_begin(struct rd_store *s, struct rd_error *err)
{
    struct pg_store *q = pg(s);
    int rc;

    if (q->depth > 0) {
        q->depth++;
        return RD_OK;
    }
    rc = exec_fixed(q, ST_BEGIN, "begin", err);
    if (rc)
        return rc;
    rc = exec_fixed(q, ST_WRITER_LOCK, "begin: wait for the writer lock", err);
    if (rc) {
        really_rollback(q);
        return rc;
    }
    q->depth = 1;
    q->doomed = 0;
    return RD_OK;
}

static int pg_commit(struct rd_store *s, struct rd_error *err)
{
    struct pg_store *q = pg(s);
    PGTransactionStatusType ts;
    PGresult *res;
    int rc;

    if (q->depth == 0)
        return rd_error_set(err, RD_EINVAL, "store commit: no transaction is open");
    if (--q->depth > 0)
        return RD_OK;
    if (q->doomed) {
        really_rollback(q);
        return rd_error_set(err, RD_ESTORE,
                            "postgres %s: commit: an inner level rolled back; nothing was written",
                            q->base.url);
    }
    ts = PQtransactionStatus(q->conn);
    if (ts == PQTRANS_INERROR) {
        really_rollback(q);
        return rd_error_set(err, RD_ESTORE,
                            "postgres %s: commit: PostgreSQL aborted the transaction after an "
                            "earlier error; nothing was written", q->base.url);
    }
    if (ts != PQTRANS_INTRANS)
        return fail(q, NULL, err, "commit: no transaction on the server; nothing was written");
    res = PQexecPrepared(q->conn, stmts[ST_COMMIT].name, 0, NULL, NULL, NULL, 0);
    if (!res_ok(res, PGRES_COMMAND_OK))
        rc = fail(q, res, err, "commit");
    else if (strcmp(PQcmdStatus(res), "COMMIT") != 0)
        rc = rd_error_set(err, RD_ESTORE, "postgres %s: commit: the server rolled back (%s)",
                          q->base.url, PQcmdStatus(res));
    else
        rc = RD_OK;
    PQclear(res);
    if (rc)
        really_rollback(q);
    return rc;
}

static void pg_rollback(struct rd_store *s)
{
    struct pg_store *q = pg(s);

    if (q->depth == 0)
        return;
    if (--q->depth > 0) {
        q->doomed = 1;
        return;
    }
    really_rollback(q);
}

/* ---- account locks ---- */

/* FNV-1a, 64 bits, of "riskdesk account " + name: the same key in every
 * riskdesk, on every machine, for ever (docs/store.md). */
static int64_t lock_key(const char *account)
{
    static const char prefix[] = "riskdesk account ";
    uint64_t h = 14695981039346656037ULL;

    for (const char *p = prefix; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    for (const unsigned char *p = (const unsigned char *)account; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return (int64_t)h;
}

static void format_utc(int64_t t, char *buf, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (t <= 0 || !gmtime_r(&tt, &tm) || !strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(buf, n, "an unknown time");
}

/* The RD_EBUSY message for a key someone else holds, naming the holder as
 * pg_locks and pg_stat_activity show it. */
static int busy(struct pg_store *q, const char *account, int64_t key, struct rd_error *err)
{
    uint64_t k = (uint64_t)key;
    char hi[16], lo[16], since[32], app[80];
    struct pbind b;
    PGresult *res;
    int rc;

    snprintf(hi, sizeof hi, "%" PRIu32, (uint32_t)(k >> 32));
    snprintf(lo, sizeof lo, "%" PRIu32, (uint32_t)k);
    b_init(&b);
    b_str(&b, hi);
    b_str(&b, lo);
    res = exec_st(q, ST_LOCK_HOLDER, &b);
    if (res_ok(res, PGRES_TUPLES_OK) && PQntuples(res) == 1) {
        const char *host = PQgetisnull(res, 0, 3) ? "this machine (unix socket)" : PQgetvalue(res, 0, 3);

        format_utc(col_i64(res, 0, 1), since, sizeof since);
        if (PQgetisnull(res, 0, 2) || !PQgetvalue(res, 0, 2)[0])
            snprintf(app, sizeof app, "another session");
        else
            snprintf(app, sizeof app, "\"%.60s\"", PQgetvalue(res, 0, 2));
        rc = rd_error_set(err, RD_EBUSY,
                          "account \"%s\" is locked by %s (server backend pid %s since %s, "
                          "client %s)", account, app, PQgetvalue(res, 0, 0), since, host);
    } else {
        /* Released between the two queries, or hidden from this user. */
        rc = rd_error_set(err, RD_EBUSY,
                          "account \"%s\" is locked by another session of %s (it may have just "
                          "ended; try again)", account, q->base.url);
    }
    PQclear(res);
    return rc;
}

static int pg_lock_account(struct rd_store *s, const char *account, struct rd_error *err)
{
    struct pg_store *q = pg(s);
    struct held_lock *l;
    struct pbind b;
    PGresult *res = NULL;
    size_t alen;
    int rc;

    if (!account || !account[0])
        return rd_error_set(err, RD_EINVAL, "lock_account: no account name");
    for (l = q->locks; l; l = l->next)
        if (!strcmp(l->account, account))
            return rd_error_set(err, RD_EBUSY,
                                "account \"%s\" is already locked by this process (pid %ld, this "
                                "store handle)", account, (long)getpid());
    alen = strlen(account);
    l = rd_malloc(sizeof *l + alen + 1);
    if (!l)
        return rd_error_set(err, RD_ENOMEM, "lock_account \"%s\": out of memory", account);
    memcpy(l->account, account, alen + 1);
    l->key = lock_key(account);
    b_init(&b);
    b_i64(&b, l->key);
    res = exec_st(q, ST_LOCK_TRY, &b);
    if (!res_ok(res, PGRES_TUPLES_OK) || PQntuples(res) != 1) {
        rc = fail(q, res, err, "lock_account \"%s\"", account);
        goto out;
    }
    if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        rc = busy(q, account, l->key, err);
        goto out;
    }
    l->next = q->locks;
    q->locks = l;
    l = NULL;
    rc = RD_OK;
out:
    PQclear(res);
    rd_free(l);
    return rc;
}

static void pg_unlock_account(struct rd_store *s, const char *account)
{
    struct pg_store *q = pg(s);

    for (struct held_lock **pp = &q->locks; *pp; pp = &(*pp)->next)
        if (!strcmp((*pp)->account, account)) {
            struct held_lock *l = *pp;
            struct pbind b;

            *pp = l->next;
            b_init(&b);
            b_i64(&b, l->key);
            PQclear(exec_st(q, ST_LOCK_RELEASE, &b));
            rd_free(l);
            return;
        }
}

/* ---- accounts ---- */

/* Runs a statement that returns no rows; what names it in a failure. */
static int run_cmd(struct pg_store *q, enum stmt_id id, const struct pbind *b, long *rows,
                   struct rd_error *err, const char *what)
{
    PGresult *res = exec_st(q, id, b);
    int rc = RD_OK;

    if (!res_ok(res, PGRES_COMMAND_OK))
        rc = fail(q, res, err, "%s", what);
    else if (rows)
        *rows = affected(res);
    PQclear(res);
    return rc;
}

/* Runs a query; *res is the result to read and PQclear on RD_OK. */
static int run_query(struct pg_store *q, enum stmt_id id, const struct pbind *b, PGresult **res,
                     struct rd_error *err, const char *what)
{
    *res = exec_st(q, id, b);
    if (res_ok(*res, PGRES_TUPLES_OK))
        return RD_OK;
    {
        int rc = fail(q, *res, err, "%s", what);

        PQclear(*res);
        *res = NULL;
        return rc;
    }
}

static int pg_account_put(struct rd_store *s, const struct rd_account_row *a, struct rd_error *err)
{
    struct pg_store *q = pg(s);
    const char *state = rd_store_state_name(a->state);
    struct pbind b;

    if (!state)
        return rd_error_set(err, RD_EINVAL, "account_put \"%.*s\": trading state %d out of range",
                            FIELD(a->name), (int)a->state);
    b_init(&b);
    b_field(&b, a->name, sizeof a->name);
    b_field(&b, a->tier, sizeof a->tier);
    b_str(&b, state);
    b_i64(&b, a->halted_until);
    b_field(&b, a->state_reason, sizeof a->state_reason);
    b_i64(&b, a->updated_at);
    return run_cmd(q, ST_ACCOUNT_PUT, &b, NULL, err, "account_put");
}

static int pg_account_get(struct rd_store *s, const char *name, struct rd_account_row *a,
                          struct rd_error *err)
{
    struct pg_store *q = pg(s);
    struct pbind b;
    PGresult *res;
    char what[128];
    int rc;

    b_init(&b);
    b_str(&b, name);
    snprintf(what, sizeof what, "account_get \"%.80s\"", name);
    rc = run_query(q, ST_ACCOUNT_GET, &b, &res, err, what);
    if (rc)
        return rc;
    if (PQntuples(res) == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "account \"%s\" is not in the store", name);
    else
        rc = read_account(res, 0, a, err);
    PQclear(res);
    return rc;
}

static int pg_account_list(struct rd_store *s,
                           int (*visit)(void *ctx, const struct rd_account_row *), void *ctx,
                           struct rd_error *err)
{
    struct pg_store *q = pg(s);
    struct rd_account_row a;
    struct pbind b;
    PGresult *res;
    int rc;

    rc = walk_start(q, ST_ACCOUNT_LIST, "account_list", err);
    if (rc)
        return rc;
    b_init(&b);
    rc = run_query(q, ST_ACCOUNT_LIST, &b, &res, err, "account_list");
    if (rc)
        return rc;
    q->walking[ST_ACCOUNT_LIST] = 1;
    for (int i = 0, n = PQntuples(res); i < n && !rc; i++) {
        rc = read_account(res, i, &a, err);
        if (rc == RD_OK)
            rc = visit(ctx, &a);
    }
    q->walking[ST_ACCOUNT_LIST] = 0;
    PQclear(res);
    return rc;
}

/* ---- recommendations ---- */

static int pg_rec_add(struct rd_store *s, const struct rd_rec *r, struct rd_error *err)
{
    struct pg_store *q = pg(s);
    const char *action = rd_store_action_name(r->action);
    const char *strategy = rd_store_strategy_name(r->strategy);
    char what[96];
    struct pbind b;
    long rows = 0;
    int rc;

    if (!action || !strategy)
        return rd_error_set(err, RD_EINVAL, "rec_add \"%.*s\": action %d or strategy %d out of range",
                            FIELD(r->id), (int)r->action, (int)r->strategy);
    b_init(&b);
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
    rc = run_cmd(q, ST_REC_ADD, &b, &rows, err, what);
    if (rc == RD_OK && rows == 0)
        rc = rd_error_set(err, RD_EEXIST, "%s: already exists", what);
    return rc;
}

static int pg_rec_get(struct rd_store *s, const char *id, struct rd_rec *r, struct rd_error *err)
{
    struct pg_store *q = pg(s);
    struct pbind b;
    PGresult *res;
    char what[128];
    int rc;

    b_init(&b);
    b_str(&b, id);
    snprintf(what, sizeof what, "rec_get \"%.80s\"", id);
    rc = run_query(q, ST_REC_GET, &b, &res, err, what);
    if (rc)
        return rc;
    if (PQntuples(res) == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "recommendation \"%s\" is not in the store", id);
    else
        rc = read_rec(res, 0, r, err);
    PQclear(res);
    return rc;
}

/* The top is read before the walk, as in the SQLite backend: every place up
 * to it is visible by then (ST_REC_ADD's lock), so the walk sees them all. */
static int pg_rec_undecided(struct rd_store *s, const char *account, int64_t *mark, size_t max,
                            struct rd_rec *out, size_t *n, struct rd_error *err)
{
    struct pg_store *q = pg(s);
    struct pbind b;
    PGresult *res;
    char what[128];
    int64_t top = 0, last = *mark;
    int rc = RD_OK, nt;

    *n = 0;
    if (max == 0)
        return RD_OK;
    snprintf(what, sizeof what, "rec_undecided \"%.80s\"", account);
    b_init(&b);
    rc = run_query(q, ST_REC_TOP, &b, &res, err, what);
    if (rc)
        return rc;
    if (PQntuples(res) == 1)
        top = col_i64(res, 0, 0);
    PQclear(res);
    if (rc || top <= *mark)
        return rc;
    b_init(&b);
    b_str(&b, account);
    b_i64(&b, *mark);
    b_i64(&b, top);
    b_i64(&b, max > INT64_MAX ? INT64_MAX : (int64_t)max);
    rc = run_query(q, ST_REC_UNDECIDED, &b, &res, err, what);
    if (rc)
        return rc;
    nt = PQntuples(res);
    for (int i = 0; i < nt && *n < max && !rc; i++) {
        rc = read_rec(res, i, &out[*n], err);
        if (rc == RD_OK) {
            last = col_i64(res, i, 15);
            (*n)++;
        }
    }
    PQclear(res);
    if (rc == RD_OK)
        *mark = *n == max ? last : top;
    return rc;
}

/* ---- decisions ---- */

/* Whether a one-boolean query answered true. */
static int exists(struct pg_store *q, enum stmt_id id, const struct pbind *b, int *yes,
                  struct rd_error *err, const char *what)
{
    PGresult *res;
    int rc = run_query(q, id, b, &res, err, what);

    if (rc)
        return rc;
    *yes = PQntuples(res) == 1 && !strcmp(PQgetvalue(res, 0, 0), "t");
    PQclear(res);
    return RD_OK;
}

static int pg_decision_add(struct rd_store *s, struct rd_decision_row *row, struct rd_error *err)
{
    struct pg_store *q = pg(s);
    const struct rd_decision *d = &row->d;
    char verdicts[RD_STORE_VERDICTS_MAX];
    char what[192];
    struct pbind b;
    PGresult *res;
    int rc, dup = 0;

    if ((unsigned)d->first_failed > RD_GATE_COUNT)
        return rd_error_set(err, RD_EINVAL, "decision_add \"%.*s\": first_failed %d out of range",
                            FIELD(row->rec_id), (int)d->first_failed);
    rc = rd_store_verdicts_encode(d, verdicts, sizeof verdicts, err);
    if (rc)
        return rd_error_prefix(err, "decision_add \"%.*s\" for \"%.*s\"", FIELD(row->rec_id),
                               FIELD(row->account));
    b_init(&b);
    b_field(&b, row->account, sizeof row->account);
    b_field(&b, row->rec_id, sizeof row->rec_id);
    b_i64(&b, row->decided_at);
    b_i64(&b, d->approved);
    b_i64(&b, d->size);
    if (d->first_failed == RD_GATE_COUNT)
        b_null(&b);
    else
        b_str(&b, rd_store_gate_name(d->first_failed));
    b_i64(&b, d->budget);
    b_i64(&b, d->unit_risk);
    b_i64(&b, d->unit_cost);
    b_i64(&b, d->risk_pct);
    b_i64(&b, d->kelly_used);
    b_str(&b, verdicts);
    res = exec_st(q, ST_DECISION_ADD, &b);
    if (res_ok(res, PGRES_TUPLES_OK) && PQntuples(res) == 1) {
        row->id = col_i64(res, 0, 0);
        PQclear(res);
        return RD_OK;
    }
    snprintf(what, sizeof what, "decision_add: recommendation \"%.*s\" for account \"%.*s\"",
             FIELD(row->rec_id), FIELD(row->account));
    if (!res_ok(res, PGRES_TUPLES_OK)) {
        rc = fail(q, res, err, "%s", what);
        PQclear(res);
        return rc;
    }
    PQclear(res);
    /* Nothing written: decided already, or no such recommendation. */
    b_init(&b);
    b_field(&b, row->account, sizeof row->account);
    b_field(&b, row->rec_id, sizeof row->rec_id);
    rc = exists(q, ST_DECISION_EXISTS, &b, &dup, err, what);
    if (rc)
        return rc;
    if (dup)
        return rd_error_set(err, RD_EEXIST, "%s: already exists", what);
    return rd_error_set(err, RD_ENOTFOUND, "%s: refers to a row that is not in the store "
                        "(the recommendation)", what);
}

static int pg_decision_list(struct rd_store *s, const char *account, size_t limit,
                            int (*visit)(void *ctx, const struct rd_decision_row *), void *ctx,
                            struct rd_error *err)
{
    struct pg_store *q = pg(s);
    struct rd_decision_row row;
    struct pbind b;
    PGresult *res;
    char what[128];
    int rc;

    rc = walk_start(q, ST_DECISION_LIST, "decision_list", err);
    if (rc)
        return rc;
    b_init(&b);
    b_str(&b, account);
    if (limit == 0)
        b_null(&b);   /* LIMIT NULL: all */
    else
        b_i64(&b, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    snprintf(what, sizeof what, "decision_list \"%.80s\"", account);
    rc = run_query(q, ST_DECISION_LIST, &b, &res, err, what);
    if (rc)
        return rc;
    q->walking[ST_DECISION_LIST] = 1;
    for (int i = 0, n = PQntuples(res); i < n && !rc; i++) {
        rc = read_decision(res, i, &row, err);
        if (rc == RD_OK)
            rc = visit(ctx, &row);
    }
    q->walking[ST_DECISION_LIST] = 0;
    PQclear(res);
    return rc;
}

/* ---- orders ---- */

static int pg_order_add(struct rd_store *s, const struct rd_order_row *o, struct rd_error *err)
{
    struct pg_store *q = pg(s);
    const char *side = rd_store_side_name(o->side);
    const char *intent = rd_store_intent_name(o->intent);
    const char *strategy = rd_store_strategy_name(o->strategy);
    char what[128];
    struct pbind b;
    PGresult *res;
    int rc, dup = 0;

    if (!side || !intent || !strategy || (unsigned)o->status >= RD_ORDER_STATUS_COUNT)
        return rd_error_set(err, RD_EINVAL,
                            "order_add \"%.*s\": side %d, intent %d, strategy %d or status %d out of range",
                            FIELD(o->client_order_id), (int)o->side, (int)o->intent,
                            (int)o->strategy, (int)o->status);
    b_init(&b);
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
    res = exec_st(q, ST_ORDER_ADD, &b);
    if (res_ok(res, PGRES_COMMAND_OK) && affected(res) == 1) {
        PQclear(res);
        return RD_OK;
    }
    snprintf(what, sizeof what, "order_add: client order id \"%.*s\"", FIELD(o->client_order_id));
    if (!res_ok(res, PGRES_COMMAND_OK)) {
        rc = fail(q, res, err, "%s", what);
        PQclear(res);
        return rc;
    }
    PQclear(res);
    /* Nothing written: the id is taken, or the decision does not exist. */
    b_init(&b);
    b_field(&b, o->client_order_id, sizeof o->client_order_id);
    rc = exists(q, ST_ORDER_EXISTS, &b, &dup, err, what);
    if (rc)
        return rc;
    if (dup)
        return rd_error_set(err, RD_EEXIST, "%s: already exists", what);
    return rd_error_set(err, RD_ENOTFOUND, "%s: refers to a row that is not in the store "
                        "(decision %" PRId64 ")", what, o->decision_id);
}

static int pg_order_update(struct rd_store *s, const struct rd_order_row *o, struct rd_error *err)
{
    struct pg_store *q = pg(s);
    char what[128];
    struct pbind b;
    long rows = 0;
    int rc;

    if ((unsigned)o->status >= RD_ORDER_STATUS_COUNT)
        return rd_error_set(err, RD_EINVAL, "order_update \"%.*s\": status %d out of range",
                            FIELD(o->client_order_id), (int)o->status);
    b_init(&b);
    b_str(&b, rd_order_status_name(o->status));
    b_field_or_null(&b, o->broker_order_id, sizeof o->broker_order_id);
    b_i64(&b, o->filled_qty);
    b_i64(&b, o->fill_price);
    b_field(&b, o->reason, sizeof o->reason);
    b_i64(&b, o->updated_at);
    b_field(&b, o->client_order_id, sizeof o->client_order_id);
    b_field(&b, o->account, sizeof o->account);
    snprintf(what, sizeof what, "order_update: client order id \"%.*s\"", FIELD(o->client_order_id));
    rc = run_cmd(q, ST_ORDER_UPDATE, &b, &rows, err, what);
    if (rc == RD_OK && rows == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "order_update: no order \"%.*s\" for account \"%.*s\"",
                          FIELD(o->client_order_id), FIELD(o->account));
    return rc;
}

static int pg_order_get(struct rd_store *s, const char *client_order_id, struct rd_order_row *o,
                        struct rd_error *err)
{
    struct pg_store *q = pg(s);
    struct pbind b;
    PGresult *res;
    char what[128];
    int rc;

    b_init(&b);
    b_str(&b, client_order_id);
    snprintf(what, sizeof what, "order_get \"%.80s\"", client_order_id);
    rc = run_query(q, ST_ORDER_GET, &b, &res, err, what);
    if (rc)
        return rc;
    if (PQntuples(res) == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "order \"%s\" is not in the store", client_order_id);
    else
        rc = read_order(res, 0, o, err);
    PQclear(res);
    return rc;
}

static int pg_order_list(struct rd_store *s, const char *account, int status,
                         int (*visit)(void *ctx, const struct rd_order_row *), void *ctx,
                         struct rd_error *err)
{
    struct pg_store *q = pg(s);
    enum stmt_id id = status < 0 ? ST_ORDER_LIST : ST_ORDER_LIST_STATUS;
    struct rd_order_row o;
    struct pbind b;
    PGresult *res;
    char what[128];
    int rc;

    if (status >= RD_ORDER_STATUS_COUNT)
        return rd_error_set(err, RD_EINVAL, "order_list: status %d out of range", status);
    rc = walk_start(q, id, "order_list", err);
    if (rc)
        return rc;
    b_init(&b);
    b_str(&b, account);
    if (status >= 0)
        b_str(&b, rd_order_status_name((enum rd_order_status)status));
    snprintf(what, sizeof what, "order_list \"%.80s\"", account);
    rc = run_query(q, id, &b, &res, err, what);
    if (rc)
        return rc;
    q->walking[id] = 1;
    for (int i = 0, n = PQntuples(res); i < n && !rc; i++) {
        rc = read_order(res, i, &o, err);
        if (rc == RD_OK)
            rc = visit(ctx, &o);
    }
    q->walking[id] = 0;
    PQclear(res);
    return rc;
}

/* ---- positions and trades ---- */

static int pg_position_put(struct rd_store *s, const struct rd_position_row *p,
                           struct rd_error *err)
{
    struct pg_store *q = pg(s);
    const char *strategy = rd_store_strategy_name(p->strategy);
    char what[128];
    struct pbind b;

    snprintf(what, sizeof what, "position_put \"%.*s\" for account \"%.*s\"", FIELD(p->symbol),
             FIELD(p->account));
    b_init(&b);
    if (p->qty == 0) {
        b_field(&b, p->account, sizeof p->account);
        b_field(&b, p->symbol, sizeof p->symbol);
        return run_cmd(q, ST_POSITION_DELETE, &b, NULL, err, what);
    }
    if (!strategy)
        return rd_error_set(err, RD_EINVAL, "%s: strategy %d out of range", what, (int)p->strategy);
    b_field(&b, p->account, sizeof p->account);
    b_field(&b, p->symbol, sizeof p->symbol);
    b_field(&b, p->underlying, sizeof p->underlying);
    b_str(&b, strategy);
    b_i64(&b, p->qty);
    b_i64(&b, p->multiplier);
    b_i64(&b, p->avg_price);
    b_i64(&b, p->opened_at);
    b_field_or_null(&b, p->rec_id, sizeof p->rec_id);
    return run_cmd(q, ST_POSITION_PUT, &b, NULL, err, what);
}

static int pg_position_list(struct rd_store *s, const char *account,
                            int (*visit)(void *ctx, const struct rd_position_row *), void *ctx,
                            struct rd_error *err)
{
    struct pg_store *q = pg(s);
    struct rd_position_row p;
    struct pbind b;
    PGresult *res;
    char what[128];
    int rc;

    rc = walk_start(q, ST_POSITION_LIST, "position_list", err);
    if (rc)
        return rc;
    b_init(&b);
    b_str(&b, account);
    snprintf(what, sizeof what, "position_list \"%.80s\"", account);
    rc = run_query(q, ST_POSITION_LIST, &b, &res, err, what);
    if (rc)
        return rc;
    q->walking[ST_POSITION_LIST] = 1;
    for (int i = 0, n = PQntuples(res); i < n && !rc; i++) {
        rc = read_position(res, i, &p, err);
        if (rc == RD_OK)
            rc = visit(ctx, &p);
    }
    q->walking[ST_POSITION_LIST] = 0;
    PQclear(res);
    return rc;
}

static int pg_trade_add(struct rd_store *s, const struct rd_trade_row *t, struct rd_error *err)
{
    struct pg_store *q = pg(s);
    char what[128];
    struct pbind b;

    b_init(&b);
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
    return run_cmd(q, ST_TRADE_ADD, &b, NULL, err, what);
}

/* ---- activity ---- */

/* Runs a one-row aggregate; *res holds the row on RD_OK. */
static int one_row(struct pg_store *q, enum stmt_id id, const struct pbind *b, PGresult **res,
                   struct rd_error *err, const char *what, const char *account)
{
    char w[160];
    int rc;

    snprintf(w, sizeof w, "activity %s for \"%.80s\"", what, account);
    rc = run_query(q, id, b, res, err, w);
    if (rc == RD_OK && PQntuples(*res) != 1) {
        PQclear(*res);
        *res = NULL;
        rc = rd_error_set(err, RD_ESTORE, "postgres %s: %s: no row", q->base.url, w);
    }
    return rc;
}

static int pg_activity(struct rd_store *s, const struct rd_activity_query *aq,
                       struct rd_activity *out, struct rd_error *err)
{
    struct pg_store *q = pg(s);
    struct pbind b;
    PGresult *res;
    int rc;

    memset(out, 0, sizeof *out);
    if (!aq->account)
        return rd_error_set(err, RD_EINVAL, "activity: no account");

    if (aq->underlying) {
        b_init(&b);
        b_i64(&b, aq->day_start);
        b_str(&b, aq->account);
        b_str(&b, aq->underlying);
        rc = one_row(q, ST_ACT_ENTRIES, &b, &res, err, "entries", aq->account);
        if (rc)
            return rc;
        out->entries_today = (int32_t)col_i64(res, 0, 0);
        out->last_entry_at = col_i64(res, 0, 1);
        PQclear(res);
    }

    b_init(&b);
    b_str(&b, aq->account);
    b_i64(&b, aq->minute_ago);
    rc = one_row(q, ST_ACT_MINUTE, &b, &res, err, "orders in the last minute", aq->account);
    if (rc)
        return rc;
    out->orders_last_minute = (int32_t)col_i64(res, 0, 0);
    PQclear(res);

    b_init(&b);
    b_i64(&b, aq->pdt_since);
    b_i64(&b, aq->kelly_since);
    b_str(&b, aq->account);
    b_i64(&b, aq->pdt_since < aq->kelly_since ? aq->pdt_since : aq->kelly_since);
    rc = one_row(q, ST_ACT_TRADES, &b, &res, err, "closed trades", aq->account);
    if (rc)
        return rc;
    out->day_trades = (int32_t)col_i64(res, 0, 0);
    out->closed_trades = (int32_t)col_i64(res, 0, 1);
    out->winning_trades = (int32_t)col_i64(res, 0, 2);
    out->gross_wins = col_i64(res, 0, 3);
    out->gross_losses = col_i64(res, 0, 4);
    PQclear(res);
    return RD_OK;
}

/* ---- kv ---- */

static int pg_kv_get(struct rd_store *s, const char *ns, const char *key, char **val,
                     struct rd_error *err)
{
    struct pg_store *q = pg(s);
    struct pbind b;
    PGresult *res;
    char what[160];
    int rc;

    *val = NULL;
    b_init(&b);
    b_str(&b, ns);
    b_str(&b, key);
    snprintf(what, sizeof what, "kv_get %.60s/%.60s", ns, key);
    rc = run_query(q, ST_KV_GET, &b, &res, err, what);
    if (rc)
        return rc;
    if (PQntuples(res) == 0) {
        rc = rd_error_set(err, RD_ENOTFOUND, "kv %s/%s is not in the store", ns, key);
    } else {
        size_t n = (size_t)PQgetlength(res, 0, 0);

        *val = rd_strndup(PQgetvalue(res, 0, 0), n);
        rc = *val ? RD_OK
                  : rd_error_set(err, RD_ENOMEM, "kv_get %s/%s: out of memory for %zu bytes", ns,
                                 key, n);
    }
    PQclear(res);
    return rc;
}

static int pg_kv_put(struct rd_store *s, const char *ns, const char *key, const char *val,
                     int only_new, struct rd_error *err)
{
    struct pg_store *q = pg(s);
    char what[160];
    struct pbind b;
    long rows = 0;
    int rc;

    b_init(&b);
    b_str(&b, ns);
    b_str(&b, key);
    b_str(&b, val);
    snprintf(what, sizeof what, "kv_put %.60s/%.60s", ns, key);
    rc = run_cmd(q, only_new ? ST_KV_INSERT : ST_KV_UPSERT, &b, &rows, err, what);
    if (rc == RD_OK && only_new && rows == 0)
        rc = rd_error_set(err, RD_EEXIST, "%s: already exists", what);
    return rc;
}

/* ---- version 2: the HTTP API (tokens, users, assignments, account
 * definitions, read-side queries), as sqlite_api.c does them ---- */

/* A caller's string where the SQLite backend binds strnlen(v, cap) bytes;
 * NULL or "" binds NULL. */
static void b_cut_or_null(struct pbind *b, const char *v, size_t cap)
{
    if (v && *v)
        b_field(b, v, cap);
    else
        b_null(b);
}

static void read_token(const PGresult *r, int row, struct rd_token_row *t)
{
    memset(t, 0, sizeof *t);
    t->id = col_i64(r, row, 0);
    COL_TEXT(r, row, 1, t->hash);
    COL_TEXT(r, row, 2, t->prefix);
    COL_TEXT(r, row, 3, t->role);
    COL_TEXT(r, row, 4, t->user);
    COL_TEXT(r, row, 5, t->label);
    t->created_at = col_i64(r, row, 6);
    t->revoked_at = col_i64(r, row, 7);
}

static int pg_token_add(struct rd_store *s, struct rd_token_row *t, struct rd_error *err)
{
    struct pg_store *q = pg(s);
    struct pbind b;
    PGresult *res;
    int rc;

    b_init(&b);
    b_field(&b, t->hash, sizeof t->hash);
    b_field(&b, t->prefix, sizeof t->prefix);
    b_field(&b, t->role, sizeof t->role);
    b_field(&b, t->user, sizeof t->user);
    b_field(&b, t->label, sizeof t->label);
    b_i64(&b, t->created_at);
    b_i64(&b, t->revoked_at);
    rc = run_query(q, ST_TOKEN_ADD, &b, &res, err, "token_add");
    if (rc)
        return rc;
    if (PQntuples(res) == 1)
        t->id = col_i64(res, 0, 0);
    else
        rc = rd_error_set(err, RD_EEXIST, "token_add: already exists (the same token hash)");
    PQclear(res);
    return rc;
}

static int pg_token_find(struct rd_store *s, const char *hash, struct rd_token_row *t,
                         struct rd_error *err)
{
    struct pg_store *q = pg(s);
    struct pbind b;
    PGresult *res;
    int rc;

    b_init(&b);
    b_field(&b, hash, 65);
    rc = run_query(q, ST_TOKEN_FIND, &b, &res, err, "token_find");
    if (rc)
        return rc;
    if (PQntuples(res) == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "no such token");
    else
        read_token(res, 0, t);
    PQclear(res);
    return rc;
}

static int pg_token_list(struct rd_store *s, int (*visit)(void *, const struct rd_token_row *),
                         void *ctx, struct rd_error *err)
{
    struct pg_store *q = pg(s);
    struct rd_token_row t;
    struct pbind b;
    PGresult *res;
    int rc;

    rc = walk_start(q, ST_TOKEN_LIST, "token_list", err);
    if (rc)
        return rc;
    b_init(&b);
    rc = run_query(q, ST_TOKEN_LIST, &b, &res, err, "token_list");
    if (rc)
        return rc;
    q->walking[ST_TOKEN_LIST] = 1;
    for (int i = 0, n = PQntuples(res); i < n && !rc; i++) {
        read_token(res, i, &t);
        rc = visit(ctx, &t);
    }
    q->walking[ST_TOKEN_LIST] = 0;
    PQclear(res);
    return rc;
}

static int pg_token_revoke(struct rd_store *s, int64_t id, int64_t at, struct rd_error *err)
{
    struct pg_store *q = pg(s);
    struct pbind b;
    long rows = 0;
    int rc;

    b_init(&b);
    b_i64(&b, at);
    b_i64(&b, id);
    rc = run_cmd(q, ST_TOKEN_REVOKE, &b, &rows, err, "token_revoke");
    if (rc == RD_OK && rows == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "no token with id %" PRId64, id);
    return rc;
}

static void read_user(const PGresult *r, int row, struct rd_user_row *u)
{
    memset(u, 0, sizeof *u);
    COL_TEXT(r, row, 0, u->id);
    COL_TEXT(r, row, 1, u->display_name);
    COL_TEXT(r, row, 2, u->department);
    COL_TEXT(r, row, 3, u->slack_user_id);
    COL_TEXT(r, row, 4, u->account);
    u->created_at = col_i64(r, row, 5);
    u->updated_at = col_i64(r, row, 6);
}

static int pg_user_put(struct rd_store *s, const struct rd_user_row *u, int only_new,
                       struct rd_error *err)
{
    struct pg_store *q = pg(s);
    char what[128];
    struct pbind b;
    long rows = 0;
    int rc;

    b_init(&b);
    b_field(&b, u->id, sizeof u->id);
    b_field(&b, u->display_name, sizeof u->display_name);
    b_field(&b, u->department, sizeof u->department);
    b_field(&b, u->slack_user_id, sizeof u->slack_user_id);
    b_i64(&b, u->created_at);
    b_i64(&b, u->updated_at);
    snprintf(what, sizeof what, "user_put \"%.*s\"", FIELD(u->id));
    rc = run_cmd(q, only_new ? ST_USER_INSERT : ST_USER_UPSERT, &b, &rows, err, what);
    if (rc == RD_OK && only_new && rows == 0)
        rc = rd_error_set(err, RD_EEXIST, "%s: already exists", what);
    return rc;
}

static int pg_user_get(struct rd_store *s, const char *id, struct rd_user_row *u,
                       struct rd_error *err)
{
    struct pg_store *q = pg(s);
    struct pbind b;
    PGresult *res;
    int rc;

    b_init(&b);
    b_field(&b, id, 64);
    rc = run_query(q, ST_USER_GET, &b, &res, err, "user_get");
    if (rc)
        return rc;
    if (PQntuples(res) == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "no user \"%.64s\"", id);
    else
        read_user(res, 0, u);
    PQclear(res);
    return rc;
}

static int pg_user_list(struct rd_store *s, int (*visit)(void *, const struct rd_user_row *),
                        void *ctx, struct rd_error *err)
{
    struct pg_store *q = pg(s);
    struct rd_user_row u;
    struct pbind b;
    PGresult *res;
    int rc;

    rc = walk_start(q, ST_USER_LIST, "user_list", err);
    if (rc)
        return rc;
    b_init(&b);
    rc = run_query(q, ST_USER_LIST, &b, &res, err, "user_list");
    if (rc)
        return rc;
    q->walking[ST_USER_LIST] = 1;
    for (int i = 0, n = PQntuples(res); i < n && !rc; i++) {
        read_user(res, i, &u);
        rc = visit(ctx, &u);
    }
    q->walking[ST_USER_LIST] = 0;
    PQclear(res);
    return rc;
}

static int assign_steps(struct pg_store *q, struct rd_assignment_row *a, struct rd_error *err)
{
    struct pbind b;
    PGresult *res;
    int rc;

    b_init(&b);
    b_field(&b, a->user, sizeof a->user);
    rc = run_query(q, ST_USER_ACCOUNT, &b, &res, err, "assignment_add");
    if (rc)
        return rc;
    if (PQntuples(res) == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "no user \"%.*s\"", FIELD(a->user));
    else
        COL_TEXT(res, 0, 0, a->previous);
    PQclear(res);
    if (rc)
        return rc;
    b_init(&b);
    b_field_or_null(&b, a->account, sizeof a->account);
    b_i64(&b, a->at);
    b_field(&b, a->user, sizeof a->user);
    rc = run_cmd(q, ST_USER_SET_ACCOUNT, &b, NULL, err, "assignment_add: set the user's account");
    if (rc)
        return rc;
    b_init(&b);
    b_field(&b, a->user, sizeof a->user);
    b_field_or_null(&b, a->account, sizeof a->account);
    b_field_or_null(&b, a->previous, sizeof a->previous);
    b_field(&b, a->strategy, sizeof a->strategy);
    b_field(&b, a->assigned_by, sizeof a->assigned_by);
    b_field(&b, a->reason, sizeof a->reason);
    b_i64(&b, a->at);
    rc = run_query(q, ST_ASSIGN_ADD, &b, &res, err, "assignment_add: history");
    if (rc)
        return rc;
    a->id = col_i64(res, 0, 0);
    PQclear(res);
    return RD_OK;
}

static int pg_assignment_add(struct rd_store *s, struct rd_assignment_row *a, struct rd_error *err)
{
    int rc = pg_begin(s, err);

    if (rc)
        return rc;
    rc = assign_steps(pg(s), a, err);
    if (rc) {
        pg_rollback(s);
        return rc;
    }
    return pg_commit(s, err);
}

static int pg_assignment_list(struct rd_store *s, const char *user, const char *account,
                              size_t limit,
                              int (*visit)(void *, const struct rd_assignment_row *), void *ctx,
                              struct rd_error *err)
{
    struct pg_store *q = pg(s);
    struct rd_assignment_row a;
    struct pbind b;
    PGresult *res;
    int rc;

    rc = walk_start(q, ST_ASSIGN_LIST, "assignment_list", err);
    if (rc)
        return rc;
    b_init(&b);
    b_cut_or_null(&b, user, 64);
    b_cut_or_null(&b, account, 64);
    if (limit == 0)
        b_null(&b);
    else
        b_i64(&b, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    rc = run_query(q, ST_ASSIGN_LIST, &b, &res, err, "assignment_list");
    if (rc)
        return rc;
    q->walking[ST_ASSIGN_LIST] = 1;
    for (int i = 0, n = PQntuples(res); i < n && !rc; i++) {
        memset(&a, 0, sizeof a);
        a.id = col_i64(res, i, 0);
        COL_TEXT(res, i, 1, a.user);
        COL_TEXT(res, i, 2, a.account);
        COL_TEXT(res, i, 3, a.previous);
        COL_TEXT(res, i, 4, a.strategy);
        COL_TEXT(res, i, 5, a.assigned_by);
        COL_TEXT(res, i, 6, a.reason);
        a.at = col_i64(res, i, 7);
        rc = visit(ctx, &a);
    }
    q->walking[ST_ASSIGN_LIST] = 0;
    PQclear(res);
    return rc;
}

static int pg_account_def_put(struct rd_store *s, const struct rd_account_def_row *a, int only_new,
                              struct rd_error *err)
{
    struct pg_store *q = pg(s);
    size_t dlen = strnlen(a->def, sizeof a->def);
    char *def = NULL;
    char what[128];
    struct pbind b;
    long rows = 0;
    int rc;

    b_init(&b);
    b_field(&b, a->name, sizeof a->name);
    if (dlen == 0) {
        b_null(&b);
    } else if (dlen < sizeof a->def) {
        b_str(&b, a->def);
    } else {
        /* a full field without its NUL: too big for the bind buffer */
        def = rd_strndup(a->def, dlen);
        if (!def)
            return rd_error_set(err, RD_ENOMEM, "account_def_put: out of memory");
        b_str(&b, def);
    }
    b_i64(&b, a->created_at);
    b_i64(&b, a->updated_at);
    b_i64(&b, a->closed_at);
    b_field(&b, a->closed_by, sizeof a->closed_by);
    snprintf(what, sizeof what, "account_def_put \"%.*s\"", FIELD(a->name));
    rc = run_cmd(q, only_new ? ST_DEF_INSERT : ST_DEF_UPSERT, &b, &rows, err, what);
    if (rc == RD_OK && only_new && rows == 0)
        rc = rd_error_set(err, RD_EEXIST, "%s: already exists", what);
    rd_free(def);
    return rc;
}

static int pg_account_def_list(struct rd_store *s,
                               int (*visit)(void *, const struct rd_account_def_row *), void *ctx,
                               struct rd_error *err)
{
    struct pg_store *q = pg(s);
    struct rd_account_def_row *a;
    struct pbind b;
    PGresult *res;
    int rc;

    rc = walk_start(q, ST_DEF_LIST, "account_def_list", err);
    if (rc)
        return rc;
    /* a row is 8 KiB: kept off small thread stacks */
    a = rd_malloc(sizeof *a);
    if (!a)
        return rd_error_set(err, RD_ENOMEM, "account_def_list: out of memory");
    b_init(&b);
    rc = run_query(q, ST_DEF_LIST, &b, &res, err, "account_def_list");
    if (rc) {
        rd_free(a);
        return rc;
    }
    q->walking[ST_DEF_LIST] = 1;
    for (int i = 0, n = PQntuples(res); i < n && !rc; i++) {
        memset(a, 0, sizeof *a);
        COL_TEXT(res, i, 0, a->name);
        COL_TEXT(res, i, 1, a->def);
        a->created_at = col_i64(res, i, 2);
        a->updated_at = col_i64(res, i, 3);
        a->closed_at = col_i64(res, i, 4);
        COL_TEXT(res, i, 5, a->closed_by);
        rc = visit(ctx, a);
    }
    q->walking[ST_DEF_LIST] = 0;
    PQclear(res);
    rd_free(a);
    return rc;
}

static int pg_rec_list(struct rd_store *s, const struct rd_rec_filter *f,
                       int (*visit)(void *, const struct rd_rec *), void *ctx,
                       struct rd_error *err)
{
    struct pg_store *q = pg(s);
    struct rd_rec r;
    struct pbind b;
    PGresult *res;
    int rc;

    rc = walk_start(q, ST_REC_LIST, "rec_list", err);
    if (rc)
        return rc;
    b_init(&b);
    b_i64(&b, f->since);
    b_i64(&b, f->until);
    b_cut_or_null(&b, f->underlying, RD_UNDERLYING_MAX);
    b_cut_or_null(&b, f->symbol, RD_SYMBOL_MAX);
    b_cut_or_null(&b, f->action >= 0 ? rd_store_action_name((enum rd_action)f->action) : NULL, 32);
    b_cut_or_null(&b, f->strategy >= 0 ? rd_store_strategy_name((enum rd_strategy)f->strategy) : NULL,
                  32);
    if (f->limit == 0)
        b_null(&b);
    else
        b_i64(&b, f->limit > INT64_MAX ? INT64_MAX : (int64_t)f->limit);
    rc = run_query(q, ST_REC_LIST, &b, &res, err, "rec_list");
    if (rc)
        return rc;
    q->walking[ST_REC_LIST] = 1;
    for (int i = 0, n = PQntuples(res); i < n && !rc; i++) {
        rc = read_rec(res, i, &r, err);
        if (rc == RD_OK)
            rc = visit(ctx, &r);
    }
    q->walking[ST_REC_LIST] = 0;
    PQclear(res);
    return rc;
}

static int pg_decision_get(struct rd_store *s, int64_t id, struct rd_decision_row *row,
                           struct rd_error *err)
{
    struct pg_store *q = pg(s);
    struct pbind b;
    PGresult *res;
    int rc;

    b_init(&b);
    b_i64(&b, id);
    rc = run_query(q, ST_DECISION_GET, &b, &res, err, "decision_get");
    if (rc)
        return rc;
    if (PQntuples(res) == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "no decision with id %" PRId64, id);
    else
        rc = read_decision(res, 0, row, err);
    PQclear(res);
    return rc;
}

static int pg_decision_counts(struct rd_store *s, const char *account,
                              int (*visit)(void *, int, enum rd_gate, int64_t), void *ctx,
                              struct rd_error *err)
{
    struct pg_store *q = pg(s);
    struct pbind b;
    PGresult *res;
    int rc;

    rc = walk_start(q, ST_DECISION_COUNTS, "decision_counts", err);
    if (rc)
        return rc;
    b_init(&b);
    b_field(&b, account, 64);
    rc = run_query(q, ST_DECISION_COUNTS, &b, &res, err, "decision_counts");
    if (rc)
        return rc;
    q->walking[ST_DECISION_COUNTS] = 1;
    for (int i = 0, n = PQntuples(res); i < n && !rc; i++) {
        enum rd_gate g = RD_GATE_COUNT;

        if (!PQgetisnull(res, i, 1) && rd_store_gate_parse(PQgetvalue(res, i, 1), &g) != RD_OK)
            continue;   /* a gate this riskdesk does not know: not counted */
        rc = visit(ctx, (int)col_i64(res, i, 0), g, col_i64(res, i, 2));
    }
    q->walking[ST_DECISION_COUNTS] = 0;
    PQclear(res);
    return rc;
}

static int pg_order_counts(struct rd_store *s, const char *account,
                           int (*visit)(void *, enum rd_order_status, int64_t), void *ctx,
                           struct rd_error *err)
{
    struct pg_store *q = pg(s);
    struct pbind b;
    PGresult *res;
    int rc;

    rc = walk_start(q, ST_ORDER_COUNTS, "order_counts", err);
    if (rc)
        return rc;
    b_init(&b);
    b_field(&b, account, 64);
    rc = run_query(q, ST_ORDER_COUNTS, &b, &res, err, "order_counts");
    if (rc)
        return rc;
    q->walking[ST_ORDER_COUNTS] = 1;
    for (int i = 0, n = PQntuples(res); i < n && !rc; i++) {
        enum rd_order_status st;

        if (rd_order_status_parse(col_cstr(res, i, 0), &st) != RD_OK)
            continue;
        rc = visit(ctx, st, col_i64(res, i, 1));
    }
    q->walking[ST_ORDER_COUNTS] = 0;
    PQclear(res);
    return rc;
}

/* ---- what postgres_int.h lends the backend's other files ---- */

PGconn *rd_pg_conn(struct rd_store *s)
{
    return pg(s)->conn;
}

int rd_pg_fail(struct rd_store *s, const PGresult *res, const char *what, struct rd_error *err)
{
    return fail(pg(s), res, err, "%s", what);
}

int rd_pg_ext_exec(struct rd_store *s, enum rd_pg_ext slot, const char *sql, int n,
                   const char *const *values, PGresult **res, const char *what,
                   struct rd_error *err)
{
    struct pg_store *q = pg(s);
    char name[16];
    ExecStatusType st;

    *res = NULL;
    if ((unsigned)slot >= RD_PGX_COUNT)
        return rd_error_set(err, RD_EINTERNAL, "store: statement slot %d out of range", (int)slot);
    snprintf(name, sizeof name, "rd_x%d", (int)slot);
    if (!q->ext_ready[slot]) {
        PGresult *p = PQprepare(q->conn, name, sql, 0, NULL);
        int rc = res_ok(p, PGRES_COMMAND_OK) ? RD_OK : fail(q, p, err, "prepare %s", what);

        PQclear(p);
        if (rc)
            return rc;
        q->ext_ready[slot] = 1;
    }
    *res = PQexecPrepared(q->conn, name, n, values, NULL, NULL, 0);
    st = *res ? PQresultStatus(*res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return RD_OK;
    {
        int rc = fail(q, *res, err, "%s", what);

        PQclear(*res);
        *res = NULL;
        return rc;
    }
}

#define PG_OPS(scheme)                         \
    {                                          \
        .name = scheme,                        \
        .version = 2,                          \
        .open = pg_open,                       \
        .close = pg_close,                     \
        .begin = pg_begin,                     \
        .commit = pg_commit,                   \
        .rollback = pg_rollback,               \
        .lock_account = pg_lock_account,       \
        .unlock_account = pg_unlock_account,   \
        .account_put = pg_account_put,         \
        .account_get = pg_account_get,         \
        .account_list = pg_account_list,       \
        .rec_add = pg_rec_add,                 \
        .rec_get = pg_rec_get,                 \
        .rec_undecided = pg_rec_undecided,     \
        .decision_add = pg_decision_add,       \
        .decision_list = pg_decision_list,     \
        .order_add = pg_order_add,             \
        .order_update = pg_order_update,       \
        .order_get = pg_order_get,             \
        .order_list = pg_order_list,           \
        .position_put = pg_position_put,       \
        .position_list = pg_position_list,     \
        .trade_add = pg_trade_add,             \
        .activity = pg_activity,               \
        .kv_get = pg_kv_get,                   \
        .kv_put = pg_kv_put,                   \
        .token_add = pg_token_add,             \
        .token_find = pg_token_find,           \
        .token_list = pg_token_list,           \
        .token_revoke = pg_token_revoke,       \
        .user_put = pg_user_put,               \
        .user_get = pg_user_get,               \
        .user_list = pg_user_list,             \
        .assignment_add = pg_assignment_add,   \
        .assignment_list = pg_assignment_list, \
        .account_def_put = pg_account_def_put, \
        .account_def_list = pg_account_def_list, \
        .rec_list = pg_rec_list,               \
        .decision_get = pg_decision_get,       \
        .decision_counts = pg_decision_counts, \
        .order_counts = pg_order_counts,       \
        .trader_import_add = rd_pg_trader_import_add, \
        .trader_import_get = rd_pg_trader_import_get, \
        .trader_fills_add = rd_pg_trader_fills_add, \
        .trader_daily_add = rd_pg_trader_daily_add, \
        .trader_limits_put = rd_pg_trader_limits_put, \
        .trader_load = rd_pg_trader_load,      \
        .trader_days_put = rd_pg_trader_days_put, \
        .trader_days_load = rd_pg_trader_days_load, \
        .trader_report_add = rd_pg_trader_report_add, \
        .trader_report_last = rd_pg_trader_report_last, \
        .trader_prediction_add = rd_pg_trader_prediction_add, \
        .trader_prediction_list = rd_pg_trader_prediction_list, \
        .snapshot_put = rd_pg_snapshot_put,    \
        .snapshot_get = rd_pg_snapshot_get,    \
        .snapshot_list = rd_pg_snapshot_list,  \
        .snapshot_delete = rd_pg_snapshot_delete, \
        .perf_event_add = rd_pg_perf_event_add, \
        .perf_event_list = rd_pg_perf_event_list, \
        .trade_list = rd_pg_trade_list,        \
    }

const struct rd_store_ops rd_store_postgres_ops = PG_OPS("postgres");
const struct rd_store_ops rd_store_postgresql_ops = PG_OPS("postgresql");
