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
 * values are always bound, never written into SQL (the statements and their
 * row readers: sqlite_rows.c). The schema is migrated forward on open
 * (sqlite_open.c, sqlite_schema.c); a database from a newer riskdesk is
 * refused. A handle is used by one thread at a time. Account locks:
 * sqlite_locks.c.
 */
#include "riskdesk/store.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "riskdesk/alloc.h"
#include "store/audit_int.h"
#include "store/sqlite_int.h"
#include "store/sqlite_traders.h"
#include "store/sqlite_perf.h"
#include "store/sqlite_maint.h"
#include "store/store_int.h"
#include "riskdesk/banned.h"

#define SQLITE_STORE_MAGIC 0x53514c54u   /* "SQLT" */
#define BUSY_TIMEOUT_MS 5000
/* Page cache per handle unless the URL says cache_mib=N. */
#define DEFAULT_CACHE_MIB 4

/* Text fields in messages: fixed-size fields may lack their NUL. */
#define FIELD(f) (int)strnlen((f), sizeof(f)), (f)

struct sqlite_store {
    struct rd_store base;    /* first: rd_store * <-> sqlite_store * */
    uint32_t magic;
    sqlite3 *db;
    char *path;              /* as given after "sqlite:", options cut off */
    int memory;
    int depth;               /* begin() levels open */
    int doomed;              /* an inner level rolled back */
    struct rd_sqlite_lock *locks;   /* sqlite_locks.c */
    sqlite3_stmt *st[RD_SQC_COUNT];
    sqlite3_stmt *ext[RD_SQX_COUNT];   /* sqlite_int.h: prepared on first use */
};

/* The checked downcast: a handle of another backend, or a freed one, stops
 * here in debug builds. */
static struct sqlite_store *sq(struct rd_store *s)
{
    struct sqlite_store *q = (struct sqlite_store *)s;

    assert(s && q->magic == SQLITE_STORE_MAGIC);
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
    struct rd_sqlite_conn c = {q->db, q->path};
    char what[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return rd_sqlite_conn_fail(&c, rc, err, what);
}

/* ---- statements (bound with sqlite_int.h's binder) ---- */

/* Takes a cached statement for one operation. A visitor that calls the same
 * operation from inside its own walk gets RD_EINTERNAL, not a corrupted walk. */
static int use(struct sqlite_store *q, enum rd_sqlite_core id, struct rd_sqlite_binder *b,
               const char *op, struct rd_error *err)
{
    rd_sqlite_bind_init(b, q->st[id]);
    if (sqlite3_stmt_busy(b->st))
        return rd_error_set(err, RD_EINTERNAL, "store %s: called again from inside its own visitor",
                            op);
    return RD_OK;
}

/* ---- open and close ---- */


int rd_sqlite_open(const char *url, struct rd_store **out, struct rd_error *err)
{
    struct sqlite_store *q = NULL;
    struct rd_sqlite_conn conn;
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
        rc = rd_sqlite_parse_options(opts + 1, &sync_full, &cache_mib, err);
        if (rc)
            return rc;
    }

    q = rd_calloc(1, sizeof *q);
    if (!q)
        return rd_error_set(err, RD_ENOMEM, "sqlite: out of memory opening %s", url);
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
    conn.db = q->db;
    conn.path = q->path;
    rc = rd_sqlite_set_pragmas(&conn, q->memory, sync_full, cache_mib, err);
    if (!rc)
        rc = rd_sqlite_migrate(&conn, err);
    for (int i = 0; !rc && i < RD_SQC_COUNT; i++) {
        int src = sqlite3_prepare_v3(q->db, rd_sqlite_core_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                                     &q->st[i], NULL);

        if (src != SQLITE_OK)
            rc = fail(q, src, err, "prepare statement %d", i);
    }
    if (rc)
        goto out;
    *out = &q->base;
    q = NULL;
out:
    if (q)
        rd_sqlite_close(&q->base);
    return rc;
}

void rd_sqlite_close(struct rd_store *s)
{
    struct sqlite_store *q = sq(s);

    rd_sqlite_unlock_all(&q->locks);
    rd_audit_free(s);
    if (q->db && !sqlite3_get_autocommit(q->db))
        sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
    for (int i = 0; i < RD_SQC_COUNT; i++)
        sqlite3_finalize(q->st[i]);
    for (int i = 0; i < RD_SQX_COUNT; i++)
        sqlite3_finalize(q->ext[i]);
    sqlite3_close_v2(q->db);
    rd_free(q->path);
    q->magic = 0;
    rd_free(q);
}

/* ---- transactions ---- */

static int step_fixed(struct sqlite_store *q, enum rd_sqlite_core id, const char *what,
                      struct rd_error *err)
{
    sqlite3_stmt *st = q->st[id];
    int rc = sqlite3_step(st);
    int ret = rc == SQLITE_DONE ? RD_OK : fail(q, rc, err, "%s", what);

    sqlite3_reset(st);
    return ret;
}

int rd_sqlite_begin(struct rd_store *s, struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    int rc;

    if (q->depth > 0) {
        q->depth++;
        return RD_OK;
    }
    rc = step_fixed(q, RD_SQC_BEGIN, "begin", err);
    if (rc)
        return rc;
    q->depth = 1;
    q->doomed = 0;
    return RD_OK;
}

static void really_rollback(struct sqlite_store *q)
{
    rd_audit_drop(&q->base);
    if (!sqlite3_get_autocommit(q->db))
        step_fixed(q, RD_SQC_ROLLBACK, "rollback", NULL);
}

int rd_sqlite_commit(struct rd_store *s, struct rd_error *err)
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
    if (sqlite3_get_autocommit(q->db)) {
        rd_audit_drop(s);
        return rd_error_set(err, RD_ESTORE,
                            "sqlite %s: commit: SQLite already rolled the transaction back "
                            "after an earlier error; nothing was written", q->path);
    }
    rc = rd_audit_flush(s, err);
    if (rc == RD_OK)
        rc = step_fixed(q, RD_SQC_COMMIT, "commit", err);
    if (rc)
        really_rollback(q);
    return rc;
}

void rd_sqlite_rollback(struct rd_store *s)
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

/* ---- account locks (sqlite_locks.c) ---- */

int rd_sqlite_lock_own(struct rd_store *s, const char *account, struct rd_error *err)
{
    struct sqlite_store *q = sq(s);

    return rd_sqlite_lock_account(&q->locks, q->path, q->memory, account, err);
}

void rd_sqlite_unlock_own(struct rd_store *s, const char *account)
{
    rd_sqlite_unlock_account(&sq(s)->locks, account);
}

/* ---- accounts ---- */

static int sq_account_put(struct rd_store *s, const struct rd_account_row *a, struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    const char *state = rd_store_state_name(a->state);
    struct rd_sqlite_binder b;
    int rc;

    if (!state)
        return rd_error_set(err, RD_EINVAL, "account_put \"%.*s\": trading state %d out of range",
                            FIELD(a->name), (int)a->state);
    rc = use(q, RD_SQC_ACCOUNT_PUT, &b, "account_put", err);
    if (rc)
        return rc;
    rd_sqlite_bind_field(&b, a->name, sizeof a->name);
    rd_sqlite_bind_field(&b, a->tier, sizeof a->tier);
    rd_sqlite_bind_str(&b, state);
    rd_sqlite_bind_i64(&b, a->halted_until);
    rd_sqlite_bind_field(&b, a->state_reason, sizeof a->state_reason);
    rd_sqlite_bind_i64(&b, a->updated_at);
    return rd_sqlite_bind_run(s, &b, NULL, err, "account_put");
}

static int sq_account_get(struct rd_store *s, const char *name, struct rd_account_row *a,
                          struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    struct rd_sqlite_binder b;
    int rc;

    rc = use(q, RD_SQC_ACCOUNT_GET, &b, "account_get", err);
    if (rc)
        return rc;
    rd_sqlite_bind_str(&b, name);
    rc = b.rc == SQLITE_OK ? sqlite3_step(b.st) : b.rc;
    if (rc == SQLITE_ROW)
        rc = rd_sqlite_read_account(b.st, a, err);
    else if (rc == SQLITE_DONE)
        rc = rd_error_set(err, RD_ENOTFOUND, "account \"%s\" is not in the store", name);
    else
        rc = fail(q, rc, err, "account_get \"%s\"", name);
    rd_sqlite_bind_done(&b);
    return rc;
}

static int sq_account_list(struct rd_store *s,
                           int (*visit)(void *ctx, const struct rd_account_row *), void *ctx,
                           struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    struct rd_account_row a;
    struct rd_sqlite_binder b;
    int rc;

    rc = use(q, RD_SQC_ACCOUNT_LIST, &b, "account_list", err);
    if (rc)
        return rc;
    for (;;) {
        rc = sqlite3_step(b.st);
        if (rc != SQLITE_ROW)
            break;
        rc = rd_sqlite_read_account(b.st, &a, err);
        if (rc == RD_OK)
            rc = visit(ctx, &a);
        if (rc)
            goto out;
    }
    rc = rc == SQLITE_DONE ? RD_OK : fail(q, rc, err, "account_list");
out:
    rd_sqlite_bind_done(&b);
    return rc;
}

/* ---- recommendations ---- */

static int sq_rec_add(struct rd_store *s, const struct rd_rec *r, struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    const char *action = rd_store_action_name(r->action);
    const char *strategy = rd_store_strategy_name(r->strategy);
    char what[96];
    struct rd_sqlite_binder b;
    int rc;

    if (!action || !strategy || (unsigned)r->origin >= RD_ORIGIN_COUNT)
        return rd_error_set(err, RD_EINVAL,
                            "rec_add \"%.*s\": action %d, strategy %d or origin %d out of range",
                            FIELD(r->id), (int)r->action, (int)r->strategy, (int)r->origin);
    rc = use(q, RD_SQC_REC_ADD, &b, "rec_add", err);
    if (rc)
        return rc;
    rd_sqlite_bind_field(&b, r->id, sizeof r->id);
    rd_sqlite_bind_i64(&b, r->created_at);
    rd_sqlite_bind_field(&b, r->underlying, sizeof r->underlying);
    rd_sqlite_bind_field(&b, r->symbol, sizeof r->symbol);
    rd_sqlite_bind_str(&b, action);
    rd_sqlite_bind_str(&b, strategy);
    rd_sqlite_bind_i64(&b, r->confidence);
    rd_sqlite_bind_i64(&b, r->volume_ratio);
    rd_sqlite_bind_i64(&b, r->price);
    rd_sqlite_bind_i64(&b, r->stop_price);
    rd_sqlite_bind_i64(&b, r->expires_at);
    rd_sqlite_bind_i64(&b, r->has_vix);
    rd_sqlite_bind_i64(&b, r->vix);
    rd_sqlite_bind_field_or_null(&b, r->account, sizeof r->account);
    rd_sqlite_bind_i64(&b, r->qty);
    rd_sqlite_bind_str(&b, rd_rec_origin_name(r->origin));
    snprintf(what, sizeof what, "rec_add: recommendation \"%.*s\"", FIELD(r->id));
    return rd_sqlite_bind_run(s, &b, NULL, err, what);
}

static int sq_rec_get(struct rd_store *s, const char *id, struct rd_rec *r, struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    struct rd_sqlite_binder b;
    int rc;

    rc = use(q, RD_SQC_REC_GET, &b, "rec_get", err);
    if (rc)
        return rc;
    rd_sqlite_bind_str(&b, id);
    rc = b.rc == SQLITE_OK ? sqlite3_step(b.st) : b.rc;
    if (rc == SQLITE_ROW)
        rc = rd_sqlite_read_rec(b.st, r, err);
    else if (rc == SQLITE_DONE)
        rc = rd_error_set(err, RD_ENOTFOUND, "recommendation \"%s\" is not in the store", id);
    else
        rc = fail(q, rc, err, "rec_get \"%s\"", id);
    rd_sqlite_bind_done(&b);
    return rc;
}

/* The last place taken in the order of recommendations (0: none yet). */
static int rec_top(struct sqlite_store *q, int64_t *top, struct rd_error *err)
{
    struct rd_sqlite_binder b;
    int rc = use(q, RD_SQC_REC_TOP, &b, "rec_undecided", err);

    if (rc)
        return rc;
    rc = sqlite3_step(b.st);
    if (rc == SQLITE_ROW) {
        *top = sqlite3_column_int64(b.st, 0);
        rc = RD_OK;
    } else {
        rc = fail(q, rc, err, "rec_undecided: the last recommendation's place");
    }
    rd_sqlite_bind_done(&b);
    return rc;
}

/* The top is read before the walk: every place up to it belongs to a
 * committed recommendation (writers are serialized), so the walk, which
 * starts later, sees them all; one stored meanwhile lies above the top. */
static int sq_rec_undecided(struct rd_store *s, const char *account, int64_t *mark, size_t max,
                            struct rd_rec *out, size_t *n, struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    struct rd_sqlite_binder b;
    int64_t top = 0, last = *mark;
    int rc;

    *n = 0;
    if (max == 0)
        return RD_OK;
    if ((rc = rec_top(q, &top, err)) != RD_OK)
        return rc;
    if (*mark > top)
        *mark = 0;      /* past the last place: the newest ones were deleted; start over */
    if (top == *mark)
        return RD_OK;
    rc = use(q, RD_SQC_REC_UNDECIDED, &b, "rec_undecided", err);
    if (rc)
        return rc;
    rd_sqlite_bind_str(&b, account);
    rd_sqlite_bind_i64(&b, *mark);
    rd_sqlite_bind_i64(&b, top);
    rd_sqlite_bind_i64(&b, max > INT64_MAX ? INT64_MAX : (int64_t)max);
    if (b.rc != SQLITE_OK) {
        rc = fail(q, b.rc, err, "rec_undecided \"%s\"", account);
        goto out;
    }
    while (*n < max) {
        rc = sqlite3_step(b.st);
        if (rc != SQLITE_ROW)
            break;
        rc = rd_sqlite_read_rec(b.st, &out[*n], err);
        if (rc)
            goto out;
        last = sqlite3_column_int64(b.st, 16);
        (*n)++;
    }
    if (*n == max || rc == SQLITE_DONE) {
        *mark = *n == max ? last : top;
        rc = RD_OK;
    } else {
        rc = fail(q, rc, err, "rec_undecided \"%s\"", account);
    }
out:
    rd_sqlite_bind_done(&b);
    return rc;
}

/* ---- decisions ---- */

/* verdicts: the caller's RD_STORE_VERDICTS_MAX buffer, which gets the row's
 * verdicts as stored (audit_int.h) */
static int decision_write(struct rd_store *s, struct rd_decision_row *row, char *verdicts,
                          struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    const struct rd_decision *d = &row->d;
    struct rd_sqlite_binder b;
    int rc;

    if ((unsigned)d->first_failed > RD_GATE_COUNT)
        return rd_error_set(err, RD_EINVAL, "decision_add \"%.*s\": first_failed %d out of range",
                            FIELD(row->rec_id), (int)d->first_failed);
    rc = rd_store_verdicts_encode(d, &row->in, verdicts, RD_STORE_VERDICTS_MAX, err);
    if (rc)
        return rd_error_prefix(err, "decision_add \"%.*s\" for \"%.*s\"", FIELD(row->rec_id),
                               FIELD(row->account));
    rc = use(q, RD_SQC_DECISION_ADD, &b, "decision_add", err);
    if (rc)
        return rc;
    rd_sqlite_bind_field(&b, row->account, sizeof row->account);
    rd_sqlite_bind_field(&b, row->rec_id, sizeof row->rec_id);
    rd_sqlite_bind_i64(&b, row->decided_at);
    rd_sqlite_bind_i64(&b, d->approved);
    rd_sqlite_bind_i64(&b, d->size);
    if (d->first_failed == RD_GATE_COUNT)
        rd_sqlite_bind_null(&b);
    else
        rd_sqlite_bind_str(&b, rd_store_gate_name(d->first_failed));
    rd_sqlite_bind_i64(&b, d->budget);
    rd_sqlite_bind_i64(&b, d->unit_risk);
    rd_sqlite_bind_i64(&b, d->unit_cost);
    rd_sqlite_bind_i64(&b, d->risk_pct);
    rd_sqlite_bind_i64(&b, d->kelly_used);
    rd_sqlite_bind_str(&b, verdicts);
    /* the id is the rowid: not RETURNING id, for which SQLite builds an
     * ephemeral table each insert (sqlite_ledger.c's step_insert) */
    rc = b.rc == SQLITE_OK ? sqlite3_step(b.st) : b.rc;
    if (rc == SQLITE_DONE)
        row->id = sqlite3_last_insert_rowid(q->db);
    rc = rc == SQLITE_DONE ? RD_OK
                           : fail(q, rc, err, "decision_add: recommendation \"%.*s\" for account \"%.*s\"",
                                  FIELD(row->rec_id), FIELD(row->account));
    rd_sqlite_bind_done(&b);
    return rc;
}

static int sq_decision_add(struct rd_store *s, struct rd_decision_row *row, struct rd_error *err)
{
    return rd_audit_decision_add(s, row, decision_write, err);
}

static int sq_decision_list(struct rd_store *s, const char *account, size_t limit,
                            int (*visit)(void *ctx, const struct rd_decision_row *), void *ctx,
                            struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    struct rd_decision_row row;
    struct rd_sqlite_binder b;
    int rc;

    rc = use(q, RD_SQC_DECISION_LIST, &b, "decision_list", err);
    if (rc)
        return rc;
    rd_sqlite_bind_str(&b, account);
    rd_sqlite_bind_i64(&b, limit == 0 || limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    if (b.rc != SQLITE_OK) {
        rc = fail(q, b.rc, err, "decision_list \"%s\"", account);
        goto out;
    }
    for (;;) {
        rc = sqlite3_step(b.st);
        if (rc != SQLITE_ROW)
            break;
        rc = rd_sqlite_read_decision(b.st, &row, err);
        if (rc == RD_OK)
            rc = visit(ctx, &row);
        if (rc)
            goto out;
    }
    rc = rc == SQLITE_DONE ? RD_OK : fail(q, rc, err, "decision_list \"%s\"", account);
out:
    rd_sqlite_bind_done(&b);
    return rc;
}

/* ---- orders ---- */

static int order_write(struct rd_store *s, const struct rd_order_row *o, struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    const char *side = rd_store_side_name(o->side);
    const char *intent = rd_store_intent_name(o->intent);
    const char *strategy = rd_store_strategy_name(o->strategy);
    char what[128];
    struct rd_sqlite_binder b;
    int rc;

    if (!side || !intent || !strategy || (unsigned)o->status >= RD_ORDER_STATUS_COUNT)
        return rd_error_set(err, RD_EINVAL,
                            "order_add \"%.*s\": side %d, intent %d, strategy %d or status %d out of range",
                            FIELD(o->client_order_id), (int)o->side, (int)o->intent,
                            (int)o->strategy, (int)o->status);
    rc = use(q, RD_SQC_ORDER_ADD, &b, "order_add", err);
    if (rc)
        return rc;
    rd_sqlite_bind_field(&b, o->client_order_id, sizeof o->client_order_id);
    rd_sqlite_bind_field(&b, o->account, sizeof o->account);
    rd_sqlite_bind_field_or_null(&b, o->rec_id, sizeof o->rec_id);
    rd_sqlite_bind_i64_or_null(&b, o->decision_id);
    rd_sqlite_bind_field(&b, o->symbol, sizeof o->symbol);
    rd_sqlite_bind_field(&b, o->underlying, sizeof o->underlying);
    rd_sqlite_bind_str(&b, side);
    rd_sqlite_bind_str(&b, intent);
    rd_sqlite_bind_str(&b, strategy);
    rd_sqlite_bind_i64(&b, o->qty);
    rd_sqlite_bind_i64(&b, o->multiplier);
    rd_sqlite_bind_i64(&b, o->ref_price);
    rd_sqlite_bind_str(&b, rd_order_status_name(o->status));
    rd_sqlite_bind_field_or_null(&b, o->broker_order_id, sizeof o->broker_order_id);
    rd_sqlite_bind_i64(&b, o->filled_qty);
    rd_sqlite_bind_i64(&b, o->fill_price);
    rd_sqlite_bind_field(&b, o->reason, sizeof o->reason);
    rd_sqlite_bind_i64(&b, o->created_at);
    rd_sqlite_bind_i64(&b, o->updated_at);
    snprintf(what, sizeof what, "order_add: client order id \"%.*s\"", FIELD(o->client_order_id));
    return rd_sqlite_bind_run(s, &b, NULL, err, what);
}

static int sq_order_add(struct rd_store *s, const struct rd_order_row *o, struct rd_error *err)
{
    return rd_audit_order_add(s, o, order_write, err);
}

static int sq_order_get(struct rd_store *s, const char *client_order_id, struct rd_order_row *o,
                        struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    struct rd_sqlite_binder b;
    int rc;

    rc = use(q, RD_SQC_ORDER_GET, &b, "order_get", err);
    if (rc)
        return rc;
    rd_sqlite_bind_str(&b, client_order_id);
    rc = b.rc == SQLITE_OK ? sqlite3_step(b.st) : b.rc;
    if (rc == SQLITE_ROW)
        rc = rd_sqlite_read_order(b.st, o, err);
    else if (rc == SQLITE_DONE)
        rc = rd_error_set(err, RD_ENOTFOUND, "order \"%s\" is not in the store", client_order_id);
    else
        rc = fail(q, rc, err, "order_get \"%s\"", client_order_id);
    rd_sqlite_bind_done(&b);
    return rc;
}

/* The update, then the order as it now stands in *whole. */
static int order_change(struct rd_store *s, const struct rd_order_row *o,
                        struct rd_order_row *whole, struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    char what[128];
    struct rd_sqlite_binder b;
    int rc, changes = 0;

    if ((unsigned)o->status >= RD_ORDER_STATUS_COUNT)
        return rd_error_set(err, RD_EINVAL, "order_update \"%.*s\": status %d out of range",
                            FIELD(o->client_order_id), (int)o->status);
    rc = use(q, RD_SQC_ORDER_UPDATE, &b, "order_update", err);
    if (rc)
        return rc;
    rd_sqlite_bind_str(&b, rd_order_status_name(o->status));
    rd_sqlite_bind_field_or_null(&b, o->broker_order_id, sizeof o->broker_order_id);
    rd_sqlite_bind_i64(&b, o->filled_qty);
    rd_sqlite_bind_i64(&b, o->fill_price);
    rd_sqlite_bind_field(&b, o->reason, sizeof o->reason);
    rd_sqlite_bind_i64(&b, o->updated_at);
    rd_sqlite_bind_field(&b, o->client_order_id, sizeof o->client_order_id);
    rd_sqlite_bind_field(&b, o->account, sizeof o->account);
    snprintf(what, sizeof what, "order_update: client order id \"%.*s\"", FIELD(o->client_order_id));
    rc = rd_sqlite_bind_run(s, &b, &changes, err, what);
    if (rc == RD_OK && changes == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "order_update: no order \"%.*s\" for account \"%.*s\"",
                          FIELD(o->client_order_id), FIELD(o->account));
    if (rc == RD_OK) {
        char coid[sizeof o->client_order_id + 1];

        snprintf(coid, sizeof coid, "%.*s", FIELD(o->client_order_id));
        rc = sq_order_get(s, coid, whole, err);
    }
    return rc;
}

static int sq_order_update(struct rd_store *s, const struct rd_order_row *o, struct rd_error *err)
{
    return rd_audit_order_update(s, o, order_change, err);
}

static int sq_order_list(struct rd_store *s, const char *account, int status,
                         int (*visit)(void *ctx, const struct rd_order_row *), void *ctx,
                         struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    struct rd_order_row o;
    struct rd_sqlite_binder b;
    int rc;

    if (status >= RD_ORDER_STATUS_COUNT)
        return rd_error_set(err, RD_EINVAL, "order_list: status %d out of range", status);
    rc = use(q, status < 0 ? RD_SQC_ORDER_LIST : RD_SQC_ORDER_LIST_STATUS, &b, "order_list", err);
    if (rc)
        return rc;
    rd_sqlite_bind_str(&b, account);
    if (status >= 0)
        rd_sqlite_bind_str(&b, rd_order_status_name((enum rd_order_status)status));
    if (b.rc != SQLITE_OK) {
        rc = fail(q, b.rc, err, "order_list \"%s\"", account);
        goto out;
    }
    for (;;) {
        rc = sqlite3_step(b.st);
        if (rc != SQLITE_ROW)
            break;
        rc = rd_sqlite_read_order(b.st, &o, err);
        if (rc == RD_OK)
            rc = visit(ctx, &o);
        if (rc)
            goto out;
    }
    rc = rc == SQLITE_DONE ? RD_OK : fail(q, rc, err, "order_list \"%s\"", account);
out:
    rd_sqlite_bind_done(&b);
    return rc;
}

/* ---- positions and trades ---- */

static int sq_position_put(struct rd_store *s, const struct rd_position_row *p, struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    const char *strategy = rd_store_strategy_name(p->strategy);
    char what[128];
    struct rd_sqlite_binder b;
    int rc;

    snprintf(what, sizeof what, "position_put \"%.*s\" for account \"%.*s\"", FIELD(p->symbol),
             FIELD(p->account));
    if (p->qty == 0) {
        rc = use(q, RD_SQC_POSITION_DELETE, &b, "position_put", err);
        if (rc)
            return rc;
        rd_sqlite_bind_field(&b, p->account, sizeof p->account);
        rd_sqlite_bind_field(&b, p->symbol, sizeof p->symbol);
        return rd_sqlite_bind_run(s, &b, NULL, err, what);
    }
    if (!strategy)
        return rd_error_set(err, RD_EINVAL, "%s: strategy %d out of range", what, (int)p->strategy);
    rc = use(q, RD_SQC_POSITION_PUT, &b, "position_put", err);
    if (rc)
        return rc;
    rd_sqlite_bind_field(&b, p->account, sizeof p->account);
    rd_sqlite_bind_field(&b, p->symbol, sizeof p->symbol);
    rd_sqlite_bind_field(&b, p->underlying, sizeof p->underlying);
    rd_sqlite_bind_str(&b, strategy);
    rd_sqlite_bind_i64(&b, p->qty);
    rd_sqlite_bind_i64(&b, p->multiplier);
    rd_sqlite_bind_i64(&b, p->avg_price);
    rd_sqlite_bind_i64(&b, p->opened_at);
    rd_sqlite_bind_field_or_null(&b, p->rec_id, sizeof p->rec_id);
    return rd_sqlite_bind_run(s, &b, NULL, err, what);
}

static int sq_position_list(struct rd_store *s, const char *account,
                            int (*visit)(void *ctx, const struct rd_position_row *), void *ctx,
                            struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    struct rd_position_row p;
    struct rd_sqlite_binder b;
    int rc;

    rc = use(q, RD_SQC_POSITION_LIST, &b, "position_list", err);
    if (rc)
        return rc;
    rd_sqlite_bind_str(&b, account);
    if (b.rc != SQLITE_OK) {
        rc = fail(q, b.rc, err, "position_list \"%s\"", account);
        goto out;
    }
    for (;;) {
        rc = sqlite3_step(b.st);
        if (rc != SQLITE_ROW)
            break;
        rc = rd_sqlite_read_position(b.st, &p, err);
        if (rc == RD_OK)
            rc = visit(ctx, &p);
        if (rc)
            goto out;
    }
    rc = rc == SQLITE_DONE ? RD_OK : fail(q, rc, err, "position_list \"%s\"", account);
out:
    rd_sqlite_bind_done(&b);
    return rc;
}

static int sq_trade_add(struct rd_store *s, const struct rd_trade_row *t, struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    char what[128];
    struct rd_sqlite_binder b;
    int rc;

    rc = use(q, RD_SQC_TRADE_ADD, &b, "trade_add", err);
    if (rc)
        return rc;
    rd_sqlite_bind_field(&b, t->account, sizeof t->account);
    rd_sqlite_bind_field(&b, t->symbol, sizeof t->symbol);
    rd_sqlite_bind_i64(&b, t->qty);
    rd_sqlite_bind_i64(&b, t->multiplier);
    rd_sqlite_bind_i64(&b, t->entry_price);
    rd_sqlite_bind_i64(&b, t->exit_price);
    rd_sqlite_bind_i64(&b, t->pnl);
    rd_sqlite_bind_i64(&b, t->opened_at);
    rd_sqlite_bind_i64(&b, t->closed_at);
    rd_sqlite_bind_i64(&b, t->day_trade);
    snprintf(what, sizeof what, "trade_add \"%.*s\" for account \"%.*s\"", FIELD(t->symbol),
             FIELD(t->account));
    return rd_sqlite_bind_run(s, &b, NULL, err, what);
}

/* ---- activity ---- */

/* Steps a one-row aggregate query; the caller reads the row, then rd_sqlite_bind_done(). */
static int one_row(struct sqlite_store *q, struct rd_sqlite_binder *b, struct rd_error *err,
                   const char *what, const char *account)
{
    int rc = b->rc == SQLITE_OK ? sqlite3_step(b->st) : b->rc;

    if (rc == SQLITE_ROW)
        return RD_OK;
    rd_sqlite_bind_done(b);
    return fail(q, rc == SQLITE_DONE ? SQLITE_ERROR : rc, err, "activity %s for \"%s\"", what,
                account);
}

static int sq_activity(struct rd_store *s, const struct rd_activity_query *aq,
                       struct rd_activity *out, struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    struct rd_sqlite_binder b;
    int rc;

    memset(out, 0, sizeof *out);
    if (!aq->account)
        return rd_error_set(err, RD_EINVAL, "activity: no account");

    if (aq->underlying && (!aq->parts || (aq->parts & RD_ACT_ENTRIES))) {
        rc = use(q, RD_SQC_ACT_ENTRIES, &b, "activity", err);
        if (rc)
            return rc;
        rd_sqlite_bind_i64(&b, aq->day_start);
        rd_sqlite_bind_str(&b, aq->account);
        rd_sqlite_bind_str(&b, aq->underlying);
        rc = one_row(q, &b, err, "entries", aq->account);
        if (rc)
            return rc;
        out->entries_today = (int32_t)sqlite3_column_int64(b.st, 0);
        out->last_entry_at = sqlite3_column_int64(b.st, 1);
        rd_sqlite_bind_done(&b);
    }

    if (!aq->parts || (aq->parts & RD_ACT_MINUTE)) {
        rc = use(q, RD_SQC_ACT_MINUTE, &b, "activity", err);
        if (rc)
            return rc;
        rd_sqlite_bind_str(&b, aq->account);
        rd_sqlite_bind_i64(&b, aq->minute_ago);
        rc = one_row(q, &b, err, "orders in the last minute", aq->account);
        if (rc)
            return rc;
        out->orders_last_minute = (int32_t)sqlite3_column_int64(b.st, 0);
        rd_sqlite_bind_done(&b);
    }

    if (!aq->parts || (aq->parts & RD_ACT_TRADES)) {
        rc = use(q, RD_SQC_ACT_TRADES, &b, "activity", err);
        if (rc)
            return rc;
        rd_sqlite_bind_i64(&b, aq->pdt_since);
        rd_sqlite_bind_i64(&b, aq->kelly_since);
        rd_sqlite_bind_str(&b, aq->account);
        rd_sqlite_bind_i64(&b, aq->pdt_since < aq->kelly_since ? aq->pdt_since : aq->kelly_since);
        rc = one_row(q, &b, err, "closed trades", aq->account);
        if (rc)
            return rc;
        out->day_trades = (int32_t)sqlite3_column_int64(b.st, 0);
        out->closed_trades = (int32_t)sqlite3_column_int64(b.st, 1);
        out->winning_trades = (int32_t)sqlite3_column_int64(b.st, 2);
        out->gross_wins = sqlite3_column_int64(b.st, 3);
        out->gross_losses = sqlite3_column_int64(b.st, 4);
        rd_sqlite_bind_done(&b);
    }
    return RD_OK;
}

/* ---- kv ---- */

static int sq_kv_get(struct rd_store *s, const char *ns, const char *key, char **val,
                     struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    struct rd_sqlite_binder b;
    int rc;

    *val = NULL;
    rc = use(q, RD_SQC_KV_GET, &b, "kv_get", err);
    if (rc)
        return rc;
    rd_sqlite_bind_str(&b, ns);
    rd_sqlite_bind_str(&b, key);
    rc = b.rc == SQLITE_OK ? sqlite3_step(b.st) : b.rc;
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(b.st, 0);
        size_t n = (size_t)sqlite3_column_bytes(b.st, 0);

        if (s->keyed && rd_store_kv_sealed(ns))
            rc = rd_store_kv_open(&s->key, ns, key, t ? (const char *)t : "", n, val, err);
        else if ((*val = rd_strndup(t ? (const char *)t : "", n)) != NULL)
            rc = RD_OK;
        else
            rc = rd_error_set(err, RD_ENOMEM, "kv_get %s/%s: out of memory for %zu bytes", ns,
                              key, n);
    } else if (rc == SQLITE_DONE) {
        rc = rd_error_set(err, RD_ENOTFOUND, "kv %s/%s is not in the store", ns, key);
    } else {
        rc = fail(q, rc, err, "kv_get %s/%s", ns, key);
    }
    rd_sqlite_bind_done(&b);
    return rc;
}

static int sq_kv_put(struct rd_store *s, const char *ns, const char *key, const char *val,
                     int only_new, struct rd_error *err)
{
    struct sqlite_store *q = sq(s);
    char what[160], *sealed = NULL;
    struct rd_sqlite_binder b;
    int rc = s->keyed && rd_store_kv_sealed(ns) ? rd_store_kv_seal(&s->key, ns, key, val, &sealed,
                                                                   err)
                                                : RD_OK;

    /* one writer at a time: the SHARED forms need nothing more */
    if (rc == RD_OK)
        rc = use(q, (only_new & RD_KV_NEW) ? RD_SQC_KV_INSERT : RD_SQC_KV_UPSERT, &b, "kv_put",
                 err);
    if (rc == RD_OK) {
        rd_sqlite_bind_str(&b, ns);
        rd_sqlite_bind_str(&b, key);
        rd_sqlite_bind_str(&b, sealed ? sealed : val);
        snprintf(what, sizeof what, "kv_put %.60s/%.60s", ns, key);
        rc = rd_sqlite_bind_run(s, &b, NULL, err, what);
    }
    rd_free(sealed);
    return rc;
}

/* ---- what sqlite_int.h shares with the backend's other files ---- */

sqlite3 *rd_sqlite_db(struct rd_store *s)
{
    return sq(s)->db;
}

const char *rd_sqlite_path(struct rd_store *s)
{
    return sq(s)->path;
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

const struct rd_store_trading_ops rd_sqlite_trading_ops = {
    .version = 3,
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
    .decisions_record = rd_store_decisions_record_each,   /* in-process: nothing to save */
    .activity_entries = rd_store_activity_entries_each,
    .kv_get_many = rd_store_kv_get_many_each,
};

/* A file's handle has no connection to lose. */
int rd_sqlite_alive(struct rd_store *s)
{
    (void)s;
    return 1;
}
