/*
 * postgres.c - the PostgreSQL storage backend (libpq): its ops tables; the
 * statements every connection prepares, and binding, running and reading
 * them; transactions; account locks. The operations are in
 * postgres_trading.c (store.h's first version), postgres_api.c (the HTTP
 * API's), postgres_traders.c and postgres_perf.c; the URL, opening, closing
 * and the messages in postgres_conn.c; the schema in postgres_schema.c.
 * What they share is in postgres_int.h.
 *
 * It behaves as the SQLite backend does (store.h's contract), with these means:
 *   - Statements are prepared once per connection on first use (PQprepare:
 *     a process that runs a few of them parses only those) and run with
 *     PQexecPrepared, every value a text parameter.
 *   - Writers take what each write needs, not the whole database: begin
 *     takes the write lock of each account the handle holds (transaction-level
 *     advisory locks, postgres_int.h), account_put the account's, rec_add the
 *     recommendations' places lock from drawing seq to its transaction's end,
 *     the traders' imports their own. Dispatchers of different accounts never
 *     wait for each other (docs/store.md, "Locking").
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
 * The schema is migrated forward on open (postgres_schema.c) under the schema
 * lock; a database from a newer riskdesk is refused. A handle is used by one
 * thread at a time.
 */
#include "riskdesk/store.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "riskdesk/alloc.h"
#include "store/audit_int.h"
#include "store/postgres_int.h"
#include "riskdesk/banned.h"

#define ACCOUNT_COLS "name, tier, state, halted_until, state_reason, updated_at"
#define REC_COLS                                                                 \
    "id, created_at, underlying, symbol, action, strategy, confidence, volume_ratio, " \
    "price, stop_price, expires_at, has_vix, vix, account, qty, origin"
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

struct stmt_def {
    const char *name;
    const char *sql;
    int planned_each_run;       /* no kept plan: see P() */
};

#define S(id, text) [id] = {#id, text, 0}
/* A query whose best plan depends on how many rows its tables hold by the
 * time it runs: planned on each run with its values (an unnamed statement)
 * instead of kept in the one generic plan the connection makes at its first
 * run. rec_undecided's anti-join, planned while `decisions` was empty,
 * scanned the whole table once a recommendation after the first batch:
 * 0.7-1.2 s a batch of 1,000 with 1,000-4,000 decided (docs/benchmarks.md,
 * "Accounts on PostgreSQL"); planned per run it takes a few ms. */
#define P(id, text) [id] = {#id, text, 1}
/* A column of numbers in a batch's arrays, which are all sent as text[]
 * in binary (postgres_batch.c) */
#define BIGINTS "::text[]::bigint[]"
#define INTS "::text[]::integer[]"

static const struct stmt_def stmts[RD_PGS_COUNT] = {
    S(RD_PGS_BEGIN, "BEGIN"),
    S(RD_PGS_ACCOUNT_TX_LOCK, "SELECT pg_advisory_xact_lock($1::bigint)"),
    S(RD_PGS_TX_LOCK, "SELECT pg_advisory_xact_lock(" RD_PG_LOCK_CLASS ", $1::integer)"),
    S(RD_PGS_COMMIT, "COMMIT"),
    S(RD_PGS_ROLLBACK, "ROLLBACK"),
    /* Takes the account's write lock first (held already by the dispatcher
     * of the account, whose begin took it): an admin's halt waits for the
     * dispatcher's cycle instead of being overwritten by it. */
    S(RD_PGS_ACCOUNT_PUT,
      "WITH l AS MATERIALIZED (SELECT pg_advisory_xact_lock($7::bigint)) "
      "INSERT INTO accounts (" ACCOUNT_COLS ") SELECT $1::text, $2::text, $3::text, "
      "$4::integer, $5::text, $6::bigint FROM l "
      "ON CONFLICT (name) DO UPDATE SET tier = excluded.tier, state = excluded.state, "
      "halted_until = excluded.halted_until, state_reason = excluded.state_reason, "
      "updated_at = excluded.updated_at"),
    S(RD_PGS_ACCOUNT_GET, "SELECT " ACCOUNT_COLS " FROM accounts WHERE name = $1"),
    S(RD_PGS_ACCOUNT_LIST, "SELECT " ACCOUNT_COLS " FROM accounts ORDER BY name"),
    /* The places lock (released at the transaction's end, after its rows
     * are visible) is taken before seq is drawn, so no recommendation becomes
     * visible after one with a later seq: rec_undecided's mark never passes a
     * place still to come. Only recommendation writers wait for it. The
     * notice goes out at the commit (once a transaction, however many it
     * adds) and wakes every looping dispatcher (rec_wait). */
    S(RD_PGS_REC_ADD,
      "WITH l AS MATERIALIZED (SELECT pg_advisory_xact_lock(" RD_PG_REC_PLACES_LOCK_KEY "), "
      "pg_notify('" RD_PG_RECS_CHANNEL "', '')) "
      "INSERT INTO recs (" REC_COLS ") SELECT $1::text, $2::bigint, $3::text, "
      "$4::text, $5::text, $6::text, $7::bigint, $8::bigint, $9::bigint, $10::bigint, "
      "$11::bigint, $12::integer, $13::bigint, $14::text, $15::bigint, $16::text FROM l "
      "ON CONFLICT DO NOTHING"),
    S(RD_PGS_REC_GET, "SELECT " REC_COLS " FROM recs WHERE id = $1"),
    S(RD_PGS_REC_TOP, "SELECT coalesce(max(seq), 0) FROM recs"),
    P(RD_PGS_REC_UNDECIDED,
      "SELECT " REC_COLS ", seq FROM recs WHERE seq > $2 AND seq <= $3 AND "
      "(recs.account IS NULL OR recs.account = $1) AND "
      "NOT EXISTS (SELECT 1 FROM decisions WHERE decisions.account = $1 AND "
      "decisions.rec_id = recs.id) ORDER BY seq LIMIT $4"),
    /* Writes nothing (and raises nothing) when the pair is decided or the
     * recommendation is missing; RD_PGS_DECISION_EXISTS tells which. */
    S(RD_PGS_DECISION_ADD,
      "INSERT INTO decisions (account, rec_id, decided_at, approved, size, first_failed, "
      "budget, unit_risk, unit_cost, risk_pct, kelly_used, verdicts) "
      "SELECT $1::text, $2::text, $3::bigint, $4::integer, $5::bigint, $6::text, $7::bigint, "
      "$8::bigint, $9::bigint, $10::bigint, $11::integer, $12::text "
      "WHERE EXISTS (SELECT 1 FROM recs WHERE id = $2::text) "
      "ON CONFLICT DO NOTHING RETURNING id"),
    /* A batch's decisions (postgres_batch.c), one array a column: written in
     * the arrays' order, skipping the same rows as RD_PGS_DECISION_ADD. */
    S(RD_PGS_DECISION_ADD_MANY,
      "INSERT INTO decisions (account, rec_id, decided_at, approved, size, first_failed, "
      "budget, unit_risk, unit_cost, risk_pct, kelly_used, verdicts) "
      "SELECT u.account, u.rec_id, u.decided_at, u.approved, u.size, u.first_failed, u.budget, "
      "u.unit_risk, u.unit_cost, u.risk_pct, u.kelly_used, u.verdicts "
      "FROM unnest($1::text[], $2::text[], $3" BIGINTS ", $4" INTS ", $5" BIGINTS ", $6::text[], "
      "$7" BIGINTS ", $8" BIGINTS ", $9" BIGINTS ", $10" BIGINTS ", $11" INTS ", $12::text[]) "
      "WITH ORDINALITY AS u(account, rec_id, decided_at, approved, size, first_failed, budget, "
      "unit_risk, unit_cost, risk_pct, kelly_used, verdicts, ord) "
      "WHERE EXISTS (SELECT 1 FROM recs WHERE recs.id = u.rec_id) ORDER BY u.ord "
      "ON CONFLICT DO NOTHING RETURNING id, account, rec_id"),
    S(RD_PGS_DECISION_EXISTS,
      "SELECT EXISTS (SELECT 1 FROM decisions WHERE account = $1 AND rec_id = $2)"),
    S(RD_PGS_DECISION_LIST, "SELECT " DECISION_COLS " FROM decisions WHERE account = $1 "
                            "ORDER BY decided_at DESC, id DESC LIMIT $2"),
    S(RD_PGS_ORDER_ADD,
      "INSERT INTO orders (" ORDER_COLS ") "
      "SELECT $1::text, $2::text, $3::text, $4::bigint, $5::text, $6::text, $7::text, $8::text, "
      "$9::text, $10::bigint, $11::bigint, $12::bigint, $13::text, $14::text, $15::bigint, "
      "$16::bigint, $17::text, $18::bigint, $19::bigint "
      "WHERE $4::bigint IS NULL OR EXISTS (SELECT 1 FROM decisions WHERE id = $4::bigint) "
      "ON CONFLICT DO NOTHING"),
    /* A batch's orders the same way, skipping the rows RD_PGS_ORDER_ADD would. */
    S(RD_PGS_ORDER_ADD_MANY,
      "INSERT INTO orders (" ORDER_COLS ") "
      "SELECT u.client_order_id, u.account, u.rec_id, u.decision_id, u.symbol, u.underlying, "
      "u.side, u.intent, u.strategy, u.qty, u.multiplier, u.ref_price, u.status, "
      "u.broker_order_id, u.filled_qty, u.fill_price, u.reason, u.created_at, u.updated_at "
      "FROM unnest($1::text[], $2::text[], $3::text[], $4" BIGINTS ", $5::text[], $6::text[], "
      "$7::text[], $8::text[], $9::text[], $10" BIGINTS ", $11" BIGINTS ", $12" BIGINTS ", "
      "$13::text[], $14::text[], $15" BIGINTS ", $16" BIGINTS ", $17::text[], $18" BIGINTS ", "
      "$19" BIGINTS ") WITH ORDINALITY AS u(" ORDER_COLS ", ord) "
      "WHERE u.decision_id IS NULL OR EXISTS (SELECT 1 FROM decisions WHERE id = u.decision_id) "
      "ORDER BY u.ord ON CONFLICT DO NOTHING RETURNING client_order_id"),
    S(RD_PGS_ORDER_EXISTS, "SELECT EXISTS (SELECT 1 FROM orders WHERE client_order_id = $1)"),
    S(RD_PGS_ORDER_UPDATE,
      "UPDATE orders SET status = $1, broker_order_id = $2, filled_qty = $3, fill_price = $4, "
      "reason = $5, updated_at = $6 WHERE client_order_id = $7 AND account = $8 "
      "RETURNING " ORDER_COLS),
    S(RD_PGS_ORDER_GET, "SELECT " ORDER_COLS " FROM orders WHERE client_order_id = $1"),
    S(RD_PGS_ORDER_LIST, "SELECT " ORDER_COLS " FROM orders WHERE account = $1 "
                         "ORDER BY created_at, client_order_id"),
    S(RD_PGS_ORDER_LIST_STATUS,
      "SELECT " ORDER_COLS " FROM orders WHERE account = $1 AND status = $2 "
      "ORDER BY created_at, client_order_id"),
    S(RD_PGS_POSITION_PUT,
      "INSERT INTO positions (" POSITION_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
      "ON CONFLICT (account, symbol) DO UPDATE SET underlying = excluded.underlying, "
      "strategy = excluded.strategy, qty = excluded.qty, multiplier = excluded.multiplier, "
      "avg_price = excluded.avg_price, opened_at = excluded.opened_at, rec_id = excluded.rec_id"),
    S(RD_PGS_POSITION_DELETE, "DELETE FROM positions WHERE account = $1 AND symbol = $2"),
    S(RD_PGS_POSITION_LIST,
      "SELECT " POSITION_COLS " FROM positions WHERE account = $1 ORDER BY symbol"),
    S(RD_PGS_TRADE_ADD, "INSERT INTO trades (" TRADE_COLS ") VALUES "
                        "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"),
    /* $1 day_start, $2 account, $3 underlying. Index orders_account_underlying. */
    S(RD_PGS_ACT_ENTRIES,
      "SELECT COUNT(CASE WHEN created_at >= $1 THEN 1 END), COALESCE(MAX(created_at), 0) "
      "FROM orders WHERE account = $2 AND underlying = $3 AND intent = 'entry' "
      "AND status NOT IN ('rejected', 'canceled')"),
    S(RD_PGS_ACT_MINUTE, "SELECT COUNT(*) FROM orders WHERE account = $1 AND created_at >= $2"),
    /* $1 pdt_since, $2 kelly_since, $3 account, $4 the earlier of the two. */
    S(RD_PGS_ACT_TRADES,
      "SELECT COUNT(CASE WHEN day_trade = 1 AND closed_at >= $1 THEN 1 END), "
      "COUNT(CASE WHEN closed_at >= $2 THEN 1 END), "
      "COUNT(CASE WHEN closed_at >= $2 AND pnl > 0 THEN 1 END), "
      "COALESCE(SUM(CASE WHEN closed_at >= $2 AND pnl > 0 THEN pnl ELSE 0 END), 0)::bigint, "
      "COALESCE(SUM(CASE WHEN closed_at >= $2 AND pnl < 0 THEN -pnl ELSE 0 END), 0)::bigint "
      "FROM trades WHERE account = $3 AND closed_at >= $4"),
    S(RD_PGS_KV_GET, "SELECT val FROM kv WHERE ns = $1 AND key = $2"),
    S(RD_PGS_KV_INSERT, "INSERT INTO kv (ns, key, val) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"),
    S(RD_PGS_KV_UPSERT, "INSERT INTO kv (ns, key, val) VALUES ($1, $2, $3) "
                        "ON CONFLICT (ns, key) DO UPDATE SET val = excluded.val"),
    S(RD_PGS_ACT_ENTRIES_MANY,
      "SELECT underlying, COUNT(CASE WHEN created_at >= $1 THEN 1 END), "
      "COALESCE(MAX(created_at), 0) FROM orders WHERE account = $2 AND "
      "underlying = ANY($3::text[]) AND intent = 'entry' "
      "AND status NOT IN ('rejected', 'canceled') GROUP BY underlying"),
    /* Never waits: only the transaction that holds the key's lock writes it
     * (a shared kv document, store.h's RD_KV_SHARED). */
    S(RD_PGS_KV_SHARED_INSERT,
      "INSERT INTO kv (ns, key, val) SELECT $1::text, $2::text, $3::text "
      "WHERE pg_try_advisory_xact_lock(" RD_PG_KV_LOCK_CLASS ", hashtext($1::text || '/' || $2::text)) "
      "ON CONFLICT DO NOTHING"),
    S(RD_PGS_KV_SHARED_UPSERT,
      "INSERT INTO kv (ns, key, val) SELECT $1::text, $2::text, $3::text "
      "WHERE pg_try_advisory_xact_lock(" RD_PG_KV_LOCK_CLASS ", hashtext($1::text || '/' || $2::text)) "
      "ON CONFLICT (ns, key) DO UPDATE SET val = excluded.val"),
    S(RD_PGS_LOCK_TRY, "SELECT pg_try_advisory_lock($1::bigint)"),
    S(RD_PGS_LOCK_RELEASE, "SELECT pg_advisory_unlock($1::bigint)"),
    /* A bigint advisory key shows as classid (high half), objid (low half),
     * objsubid 1. Another user's session may hide its columns (NULL). */
    S(RD_PGS_LOCK_HOLDER,
      "SELECT l.pid, EXTRACT(EPOCH FROM a.backend_start)::bigint, a.application_name, "
      "host(a.client_addr) FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
      "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
      "AND l.classid = $1::oid AND l.objid = $2::oid "
      "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
      "LIMIT 1"),
    S(RD_PGS_TOKEN_ADD, "INSERT INTO api_tokens (hash, prefix, role, user_id, label, created_at, "
                        "revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                        "ON CONFLICT DO NOTHING RETURNING id"),
    S(RD_PGS_TOKEN_FIND, "SELECT " TOKEN_COLS " FROM api_tokens WHERE hash = $1"),
    S(RD_PGS_TOKEN_LIST, "SELECT " TOKEN_COLS " FROM api_tokens ORDER BY id"),
    S(RD_PGS_TOKEN_REVOKE, "UPDATE api_tokens SET revoked_at = CASE WHEN revoked_at = 0 THEN "
                           "$1::bigint ELSE revoked_at END WHERE id = $2"),
    S(RD_PGS_USER_INSERT, "INSERT INTO users (" USER_COLS ") VALUES ($1, $2, $3, $4, NULL, $5, $6) "
                          "ON CONFLICT DO NOTHING"),
    S(RD_PGS_USER_UPSERT,
      "INSERT INTO users (" USER_COLS ") VALUES ($1, $2, $3, $4, NULL, $5, $6) "
      "ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, "
      "department = excluded.department, slack_user_id = excluded.slack_user_id, "
      "updated_at = excluded.updated_at"),
    S(RD_PGS_USER_GET, "SELECT " USER_COLS " FROM users WHERE id = $1"),
    S(RD_PGS_USER_LIST, "SELECT " USER_COLS " FROM users ORDER BY id"),
    S(RD_PGS_USER_ACCOUNT, "SELECT account FROM users WHERE id = $1"),
    S(RD_PGS_USER_SET_ACCOUNT, "UPDATE users SET account = $1, updated_at = $2 WHERE id = $3"),
    S(RD_PGS_ASSIGN_ADD,
      "INSERT INTO assignments (user_id, account, previous, strategy, assigned_by, "
      "reason, at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"),
    S(RD_PGS_ASSIGN_LIST,
      "SELECT id, user_id, account, previous, strategy, assigned_by, reason, at "
      "FROM assignments WHERE ($1::text IS NULL OR user_id = $1) AND "
      "($2::text IS NULL OR account = $2 OR previous = $2) ORDER BY id DESC LIMIT $3"),
    S(RD_PGS_DEF_INSERT, "INSERT INTO account_defs (" DEF_COLS ") VALUES ($1, $2, $3, $4, $5, $6) "
                         "ON CONFLICT DO NOTHING"),
    S(RD_PGS_DEF_UPSERT,
      "INSERT INTO account_defs (" DEF_COLS ") VALUES ($1, $2, $3, $4, $5, $6) "
      "ON CONFLICT (name) DO UPDATE SET def = excluded.def, updated_at = excluded.updated_at, "
      "closed_at = excluded.closed_at, closed_by = excluded.closed_by"),
    S(RD_PGS_DEFS_BUMP,
      "INSERT INTO kv (ns, key, val) VALUES ('" RD_STORE_DEFS_CHANGED_NS "', '"
      RD_STORE_DEFS_CHANGED_KEY "', '1') ON CONFLICT (ns, key) DO UPDATE SET "
      "val = (CASE WHEN kv.val ~ '^[0-9]{1,18}$' THEN kv.val::bigint ELSE 0 END + 1)::text"),
    S(RD_PGS_DEF_LIST, "SELECT " DEF_COLS " FROM account_defs ORDER BY name"),
    S(RD_PGS_DEF_GET, "SELECT " DEF_COLS " FROM account_defs WHERE name = $1"),
    S(RD_PGS_REC_LIST,
      "SELECT " REC_COLS " FROM recs WHERE ($1::bigint = 0 OR created_at >= $1) AND "
      "($2::bigint = 0 OR created_at < $2) AND ($3::text IS NULL OR underlying = $3) AND "
      "($4::text IS NULL OR symbol = $4) AND ($5::text IS NULL OR action = $5) AND "
      "($6::text IS NULL OR strategy = $6) AND ($8::int = 0 OR account IS NULL OR "
      "account = '' OR account = $9::text) ORDER BY created_at DESC, id DESC LIMIT $7"),
    S(RD_PGS_DECISION_GET, "SELECT " DECISION_COLS " FROM decisions WHERE id = $1"),
    S(RD_PGS_DECISION_COUNTS, "SELECT approved, first_failed, COUNT(*) FROM decisions "
                              "WHERE account = $1 GROUP BY approved, first_failed"),
    S(RD_PGS_ORDER_COUNTS,
      "SELECT status, COUNT(*) FROM orders WHERE account = $1 GROUP BY status"),
    S(RD_PGS_KV_GET_MANY, "SELECT key, val FROM kv WHERE ns = $1 AND key = ANY($2::text[])"),
    S(RD_PGS_KV_INSERT_MANY, "INSERT INTO kv (ns, key, val) SELECT $1::text, k, v "
                             "FROM unnest($2::text[], $3::text[]) AS u(k, v) ON CONFLICT DO NOTHING"),
    S(RD_PGS_KV_UPSERT_MANY, "INSERT INTO kv (ns, key, val) SELECT $1::text, k, v "
                             "FROM unnest($2::text[], $3::text[]) AS u(k, v) "
                             "ON CONFLICT (ns, key) DO UPDATE SET val = excluded.val"),
    S(RD_PGS_ORDER_UPDATE_MANY,
      "UPDATE orders SET status = u.n_status, broker_order_id = u.n_broker_order_id, "
      "filled_qty = u.n_filled_qty, fill_price = u.n_fill_price, reason = u.n_reason, "
      "updated_at = u.n_updated_at "
      "FROM unnest($1::text[], $2::text[], $3" BIGINTS ", $4" BIGINTS ", $5::text[], "
      "$6" BIGINTS ", $7::text[], $8::text[]) AS u(n_status, n_broker_order_id, n_filled_qty, "
      "n_fill_price, n_reason, n_updated_at, n_client_order_id, n_account) "
      "WHERE client_order_id = u.n_client_order_id AND account = u.n_account "
      "RETURNING " ORDER_COLS),
    S(RD_PGS_POSITION_PUT_MANY,
      "INSERT INTO positions (" POSITION_COLS ") SELECT * FROM unnest($1::text[], $2::text[], "
      "$3::text[], $4::text[], $5" BIGINTS ", $6" BIGINTS ", $7" BIGINTS ", $8" BIGINTS ", "
      "$9::text[]) "
      "ON CONFLICT (account, symbol) DO UPDATE SET underlying = excluded.underlying, "
      "strategy = excluded.strategy, qty = excluded.qty, multiplier = excluded.multiplier, "
      "avg_price = excluded.avg_price, opened_at = excluded.opened_at, rec_id = excluded.rec_id"),
    S(RD_PGS_POSITION_DELETE_MANY,
      "DELETE FROM positions p USING unnest($1::text[], $2::text[]) AS u(n_account, n_symbol) "
      "WHERE p.account = u.n_account AND p.symbol = u.n_symbol"),
    /* RD_PGS_KV_SHARED_INSERT and _UPSERT a key a row (the same lock on each
     * key), the keys written returned */
    S(RD_PGS_KV_SHARED_INSERT_MANY,
      "INSERT INTO kv (ns, key, val) SELECT $1::text, k, v "
      "FROM unnest($2::text[], $3::text[]) AS u(k, v) "
      "WHERE pg_try_advisory_xact_lock(" RD_PG_KV_LOCK_CLASS ", hashtext($1::text || '/' || k)) "
      "ON CONFLICT DO NOTHING RETURNING key"),
    S(RD_PGS_KV_SHARED_UPSERT_MANY,
      "INSERT INTO kv (ns, key, val) SELECT $1::text, k, v "
      "FROM unnest($2::text[], $3::text[]) AS u(k, v) "
      "WHERE pg_try_advisory_xact_lock(" RD_PG_KV_LOCK_CLASS ", hashtext($1::text || '/' || k)) "
      "ON CONFLICT (ns, key) DO UPDATE SET val = excluded.val RETURNING key"),
};

#undef S

/* The checked downcast. */
struct rd_pg_store *rd_pg(struct rd_store *s)
{
    struct rd_pg_store *q = (struct rd_pg_store *)s;

    assert(s && q->magic == RD_PG_STORE_MAGIC);
    return q;
}

/* ---- statements ---- */

void rd_pg_bind_init(struct rd_pg_bind *b)
{
    b->len = NULL;
    b->n = 0;
    b->overflow = 0;
    b->used = 0;
}

static void b_add(struct rd_pg_bind *b, const char *v)
{
    if (b->n >= RD_PG_MAX_PARAMS) {
        b->overflow = 1;
        return;
    }
    b->v[b->n++] = v;
}

static char *b_scratch(struct rd_pg_bind *b, size_t need)
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

void rd_pg_bind_str(struct rd_pg_bind *b, const char *s)
{
    b_add(b, s);
}

void rd_pg_bind_null(struct rd_pg_bind *b)
{
    b_add(b, NULL);
}

/* A fixed-size field of cap bytes. */
void rd_pg_bind_field(struct rd_pg_bind *b, const char *s, size_t cap)
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
void rd_pg_bind_field_or_null(struct rd_pg_bind *b, const char *s, size_t cap)
{
    if (strnlen(s, cap))
        rd_pg_bind_field(b, s, cap);
    else
        rd_pg_bind_null(b);
}

void rd_pg_bind_i64(struct rd_pg_bind *b, int64_t v)
{
    char *p = b_scratch(b, 24);

    if (p)
        snprintf(p, 24, "%" PRId64, v);
    b_add(b, p);
}

void rd_pg_bind_i64_or_null(struct rd_pg_bind *b, int64_t v)
{
    if (v)
        rd_pg_bind_i64(b, v);
    else
        rd_pg_bind_null(b);
}

/* PostgreSQL keeps NaN, SQLite does not (it stores NULL, read back as 0.0):
 * neither do we. */
void rd_pg_bind_double(struct rd_pg_bind *b, double v)
{
    char *p;

    if (isnan(v)) {
        rd_pg_bind_null(b);
        return;
    }
    if (isinf(v)) {
        rd_pg_bind_str(b, v > 0 ? "Infinity" : "-Infinity");
        return;
    }
    p = b_scratch(b, 32);
    if (p)
        snprintf(p, 32, "%.17g", v);
    b_add(b, p);
}

int rd_pg_ext_run(struct rd_store *s, enum rd_pg_ext slot, const char *sql,
                  const struct rd_pg_bind *b, PGresult **res, const char *what,
                  struct rd_error *err)
{
    *res = NULL;
    if (b && b->overflow)
        return rd_error_set(err, RD_EINTERNAL, "store: %s: more parameters than a statement "
                            "takes", what);
    return rd_pg_ext_exec(s, slot, sql, b ? b->n : 0, b ? b->v : NULL, res, what, err);
}

/* Every parameter of a bind with lengths is sent in binary. */
_Static_assert(RD_PG_MAX_PARAMS == 24, "binary_formats: a 1 for each parameter");
static const int binary_formats[RD_PG_MAX_PARAMS] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/* Runs a statement, prepared on its first use. NULL only when libpq could
 * not even try. */
PGresult *rd_pg_exec(struct rd_pg_store *q, enum rd_pg_stmt id, const struct rd_pg_bind *b)
{
    const int *formats = b->len ? binary_formats : NULL;

    assert(!b->overflow);
    if (b->overflow)
        return NULL;
    if (stmts[id].planned_each_run)
        return PQexecParams(q->conn, stmts[id].sql, b->n, NULL, b->v, b->len, formats, 0);
    if (!q->ready[id]) {
        PGresult *p = PQprepare(q->conn, stmts[id].name, stmts[id].sql, 0, NULL);

        if (!rd_pg_res_ok(p, PGRES_COMMAND_OK))
            return p;           /* the statement's failure, for its caller to report */
        PQclear(p);
        q->ready[id] = 1;
    }
    return PQexecPrepared(q->conn, stmts[id].name, b->n, b->v, b->len, formats, 0);
}

int rd_pg_res_ok(const PGresult *res, ExecStatusType want)
{
    return res && PQresultStatus(res) == want;
}

/* Rows a command wrote (INSERT/UPDATE/DELETE). */
long rd_pg_affected(const PGresult *res)
{
    const char *t = PQcmdTuples((PGresult *)res);

    return t && *t ? strtol(t, NULL, 10) : 0;
}

/* A list statement that is running its visitor cannot be run again from it. */
int rd_pg_walk_start(struct rd_pg_store *q, enum rd_pg_stmt id, const char *op,
                     struct rd_error *err)
{
    if (q->walking[id])
        return rd_error_set(err, RD_EINTERNAL, "store %s: called again from inside its own visitor",
                            op);
    return RD_OK;
}

/* Runs a statement that returns no rows; what names it in a failure. */
int rd_pg_run_cmd(struct rd_pg_store *q, enum rd_pg_stmt id, const struct rd_pg_bind *b, long *rows,
                  struct rd_error *err, const char *what)
{
    PGresult *res = rd_pg_exec(q, id, b);
    int rc = RD_OK;

    if (!rd_pg_res_ok(res, PGRES_COMMAND_OK))
        rc = rd_pg_failf(q, res, err, "%s", what);
    else if (rows)
        *rows = rd_pg_affected(res);
    PQclear(res);
    return rc;
}

/* Runs a query; *res is the result to read and PQclear on RD_OK. */
int rd_pg_run_query(struct rd_pg_store *q, enum rd_pg_stmt id, const struct rd_pg_bind *b,
                    PGresult **res, struct rd_error *err, const char *what)
{
    *res = rd_pg_exec(q, id, b);
    if (rd_pg_res_ok(*res, PGRES_TUPLES_OK))
        return RD_OK;
    {
        int rc = rd_pg_failf(q, *res, err, "%s", what);

        PQclear(*res);
        *res = NULL;
        return rc;
    }
}

/* Runs a query whose rows are not read. */
static int run_query_cleared(struct rd_pg_store *q, enum rd_pg_stmt id,
                                   const struct rd_pg_bind *b, struct rd_error *err,
                                   const char *what)
{
    PGresult *res;
    int rc = rd_pg_run_query(q, id, b, &res, err, what);

    if (rc == RD_OK)
        PQclear(res);
    return rc;
}

/* ---- columns ---- */

const char *rd_pg_col_cstr(const PGresult *r, int row, int i)
{
    return PQgetisnull(r, row, i) ? "" : PQgetvalue(r, row, i);
}

void rd_pg_col_text(const PGresult *r, int row, int i, char *dst, size_t cap)
{
    size_t n = PQgetisnull(r, row, i) ? 0 : (size_t)PQgetlength(r, row, i);

    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, PQgetvalue(r, row, i), n);
    dst[n] = '\0';
}

double rd_pg_col_double(const PGresult *r, int row, int i)
{
    return PQgetisnull(r, row, i) ? 0.0 : strtod(PQgetvalue(r, row, i), NULL);
}

int64_t rd_pg_col_i64(const PGresult *r, int row, int i)
{
    return PQgetisnull(r, row, i) ? 0 : (int64_t)strtoll(PQgetvalue(r, row, i), NULL, 10);
}

/* ---- transactions ---- */

static int exec_fixed(struct rd_pg_store *q, enum rd_pg_stmt id, const char *what,
                      struct rd_error *err)
{
    struct rd_pg_bind none;
    PGresult *res;
    int rc;

    rd_pg_bind_init(&none);
    res = rd_pg_exec(q, id, &none);
    rc = rd_pg_res_ok(res, PGRES_COMMAND_OK) || rd_pg_res_ok(res, PGRES_TUPLES_OK)
                 ? RD_OK
                 : rd_pg_failf(q, res, err, "%s", what);

    PQclear(res);
    return rc;
}

static void really_rollback(struct rd_pg_store *q)
{
    PGTransactionStatusType ts = PQtransactionStatus(q->conn);

    rd_audit_drop(&q->base);
    if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)
        exec_fixed(q, RD_PGS_ROLLBACK, "rollback", NULL);
}

/* The outermost begin: BEGIN, then the write lock of every account this
 * handle holds (a dispatcher's account), so its cycle's reads and writes are
 * not interleaved with another writer of the same account. Writers of other
 * accounts do not wait. */
int rd_pg_begin(struct rd_store *s, struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    int rc;

    if (q->depth > 0) {
        q->depth++;
        return RD_OK;
    }
    rc = exec_fixed(q, RD_PGS_BEGIN, "begin", err);
    if (rc)
        return rc;
    for (const struct rd_pg_lock *l = q->locks; l && !rc; l = l->next) {
        struct rd_pg_bind b;
        char what[128];

        rd_pg_bind_init(&b);
        rd_pg_bind_i64(&b, rd_pg_account_tx_key(l->account));
        snprintf(what, sizeof what, "begin: wait for account \"%.80s\"'s write lock", l->account);
        rc = run_query_cleared(q, RD_PGS_ACCOUNT_TX_LOCK, &b, err, what);
    }
    if (rc) {
        really_rollback(q);
        return rc;
    }
    q->depth = 1;
    q->doomed = 0;
    q->tx_locks = 0;
    return RD_OK;
}

int rd_pg_tx_lock(struct rd_store *s, int which, struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_pg_bind b;
    char what[64];
    int rc;

    if (q->depth == 0 || (q->tx_locks & (1u << which)))
        return RD_OK;
    rd_pg_bind_init(&b);
    rd_pg_bind_i64(&b, which);
    snprintf(what, sizeof what, "wait for lock %d", which);
    rc = run_query_cleared(q, RD_PGS_TX_LOCK, &b, err, what);
    if (rc == RD_OK)
        q->tx_locks |= 1u << which;
    return rc;
}

int rd_pg_account_tx_lock(struct rd_store *s, const char *account, struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_pg_bind b;
    char what[128];

    if (q->depth == 0)
        return RD_OK;
    rd_pg_bind_init(&b);
    rd_pg_bind_i64(&b, rd_pg_account_tx_key(account));
    snprintf(what, sizeof what, "wait for account \"%.80s\"'s write lock", account);
    return run_query_cleared(q, RD_PGS_ACCOUNT_TX_LOCK, &b, err, what);
}

int rd_pg_commit(struct rd_store *s, struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    PGTransactionStatusType ts;
    struct rd_pg_bind none;
    PGresult *res;
    int rc;

    if (q->depth == 0)
        return rd_error_set(err, RD_EINVAL, "store commit: no transaction is open");
    /* the audit entries go in while the transaction is still open at this
     * level: their chains' locks are transaction locks */
    if (q->depth == 1 && !q->doomed && PQtransactionStatus(q->conn) == PQTRANS_INTRANS) {
        rc = rd_audit_flush(s, err);
        if (rc) {
            q->depth = 0;
            really_rollback(q);
            return rc;
        }
    }
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
    if (ts != PQTRANS_INTRANS) {
        rd_audit_drop(s);
        return rd_pg_failf(q, NULL, err,
                           "commit: no transaction on the server; nothing was written");
    }
    rd_pg_bind_init(&none);
    res = rd_pg_exec(q, RD_PGS_COMMIT, &none);
    if (!rd_pg_res_ok(res, PGRES_COMMAND_OK))
        rc = rd_pg_failf(q, res, err, "commit");
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

void rd_pg_rollback(struct rd_store *s)
{
    struct rd_pg_store *q = rd_pg(s);

    if (q->depth == 0)
        return;
    if (--q->depth > 0) {
        q->doomed = 1;
        return;
    }
    really_rollback(q);
}

/* ---- account locks ---- */

/* FNV-1a, 64 bits, of prefix + name: the same key in every riskdesk, on
 * every machine, for ever (docs/store.md). */
static int64_t fnv_key(const char *prefix, const char *account)
{
    uint64_t h = 14695981039346656037ULL;

    for (const char *p = prefix; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    for (const unsigned char *p = (const unsigned char *)account; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return (int64_t)h;
}

/* The account lock's key (a dispatcher's, for its whole life). */
static int64_t lock_key(const char *account)
{
    return fnv_key("riskdesk account ", account);
}

int64_t rd_pg_account_tx_key(const char *account)
{
    return fnv_key("riskdesk account writes ", account);
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
static int busy(struct rd_pg_store *q, const char *account, int64_t key, struct rd_error *err)
{
    uint64_t k = (uint64_t)key;
    char hi[16], lo[16], since[32], app[80];
    struct rd_pg_bind b;
    PGresult *res;
    int rc;

    snprintf(hi, sizeof hi, "%" PRIu32, (uint32_t)(k >> 32));
    snprintf(lo, sizeof lo, "%" PRIu32, (uint32_t)k);
    rd_pg_bind_init(&b);
    rd_pg_bind_str(&b, hi);
    rd_pg_bind_str(&b, lo);
    res = rd_pg_exec(q, RD_PGS_LOCK_HOLDER, &b);
    if (rd_pg_res_ok(res, PGRES_TUPLES_OK) && PQntuples(res) == 1) {
        const char *host = PQgetisnull(res, 0, 3) ? "this machine (unix socket)" : PQgetvalue(res, 0, 3);

        format_utc(rd_pg_col_i64(res, 0, 1), since, sizeof since);
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

int rd_pg_lock_account(struct rd_store *s, const char *account, struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_pg_lock *l;
    struct rd_pg_bind b;
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
    rd_pg_bind_init(&b);
    rd_pg_bind_i64(&b, l->key);
    res = rd_pg_exec(q, RD_PGS_LOCK_TRY, &b);
    if (!rd_pg_res_ok(res, PGRES_TUPLES_OK) || PQntuples(res) != 1) {
        rc = rd_pg_failf(q, res, err, "lock_account \"%s\"", account);
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

void rd_pg_unlock_account(struct rd_store *s, const char *account)
{
    struct rd_pg_store *q = rd_pg(s);

    for (struct rd_pg_lock **pp = &q->locks; *pp; pp = &(*pp)->next)
        if (!strcmp((*pp)->account, account)) {
            struct rd_pg_lock *l = *pp;
            struct rd_pg_bind b;

            *pp = l->next;
            rd_pg_bind_init(&b);
            rd_pg_bind_i64(&b, l->key);
            PQclear(rd_pg_exec(q, RD_PGS_LOCK_RELEASE, &b));
            rd_free(l);
            return;
        }
}

/* ---- what postgres.c lends postgres_traders.c and postgres_perf.c ---- */

PGconn *rd_pg_conn(struct rd_store *s)
{
    return rd_pg(s)->conn;
}

int rd_pg_fail(struct rd_store *s, const PGresult *res, const char *what, struct rd_error *err)
{
    return rd_pg_failf(rd_pg(s), res, err, "%s", what);
}

int rd_pg_ext_exec(struct rd_store *s, enum rd_pg_ext slot, const char *sql, int n,
                   const char *const *values, PGresult **res, const char *what,
                   struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    char name[16];
    ExecStatusType st;

    *res = NULL;
    if ((unsigned)slot >= RD_PGX_COUNT)
        return rd_error_set(err, RD_EINTERNAL, "store: statement slot %d out of range", (int)slot);
    snprintf(name, sizeof name, "rd_x%d", (int)slot);
    if (!q->ext_ready[slot]) {
        PGresult *p = PQprepare(q->conn, name, sql, 0, NULL);
        int rc = rd_pg_res_ok(p, PGRES_COMMAND_OK) ? RD_OK
                                                   : rd_pg_failf(q, p, err, "prepare %s", what);

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
        int rc = rd_pg_failf(q, *res, err, "%s", what);

        PQclear(*res);
        *res = NULL;
        return rc;
    }
}

/* An idle connection expects nothing from the server: bytes waiting on its
 * socket mean the server is closing it (a restart or a terminated backend
 * sends its FATAL message, then closes), or the connection is already bad. */
int rd_pg_alive(struct rd_store *s)
{
    struct rd_pg_store *q = rd_pg(s);
    struct pollfd p;

    if (!q->conn || PQstatus(q->conn) != CONNECTION_OK)
        return 0;
    if (q->depth > 0)
        return PQtransactionStatus(q->conn) != PQTRANS_UNKNOWN;
    p.fd = PQsocket(q->conn);
    p.events = POLLIN;
    p.revents = 0;
    if (p.fd < 0)
        return 0;
    return poll(&p, 1, 0) == 0;
}
