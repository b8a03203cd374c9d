/*
 * sqlite_api.c - the SQLite backend's version 2 operations, for the HTTP API:
 * tokens, users, assignment history, API-made and closed accounts, and the
 * read-side queries (recommendation filters, one decision, counts for
 * /metrics). Statements are prepared once per handle on first use
 * (rd_sqlite_ext_stmt) and kept; values are always bound.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "riskdesk/risk.h"
#include "store/sqlite_int.h"
#include "store/store_int.h"
#include "store/audit_int.h"
#include "riskdesk/banned.h"

#define DEF_COLS "name, def, created_at, updated_at, closed_at, closed_by"

static const char *const sql[RD_SQX_COUNT] = {
    [RD_SQX_TOKEN_ADD] = "INSERT INTO api_tokens (hash, prefix, role, user_id, label, created_at, "
                         "revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    [RD_SQX_TOKEN_FIND] = "SELECT id, hash, prefix, role, user_id, label, created_at, revoked_at "
                          "FROM api_tokens WHERE hash = ?",
    [RD_SQX_TOKEN_LIST] = "SELECT id, hash, prefix, role, user_id, label, created_at, revoked_at "
                          "FROM api_tokens ORDER BY id",
    [RD_SQX_TOKEN_REVOKE] = "UPDATE api_tokens SET revoked_at = CASE WHEN revoked_at = 0 THEN ? "
                            "ELSE revoked_at END WHERE id = ?",
    [RD_SQX_USER_INSERT] = "INSERT INTO users (id, display_name, department, slack_user_id, "
                           "account, created_at, updated_at) VALUES (?, ?, ?, ?, NULL, ?, ?)",
    [RD_SQX_USER_UPSERT] =
        "INSERT INTO users (id, display_name, department, slack_user_id, account, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, NULL, ?, ?) ON CONFLICT (id) DO UPDATE SET "
        "display_name = excluded.display_name, department = excluded.department, "
        "slack_user_id = excluded.slack_user_id, updated_at = excluded.updated_at",
    [RD_SQX_USER_GET] = "SELECT id, display_name, department, slack_user_id, account, created_at, "
                        "updated_at FROM users WHERE id = ?",
    [RD_SQX_USER_LIST] = "SELECT id, display_name, department, slack_user_id, account, "
                         "created_at, updated_at FROM users ORDER BY id",
    [RD_SQX_USER_ACCOUNT] = "SELECT account FROM users WHERE id = ?",
    [RD_SQX_USER_SET_ACCOUNT] = "UPDATE users SET account = ?, updated_at = ? WHERE id = ?",
    [RD_SQX_ASSIGN_ADD] = "INSERT INTO assignments (user_id, account, previous, strategy, "
                          "assigned_by, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    [RD_SQX_ASSIGN_LIST] =
        "SELECT id, user_id, account, previous, strategy, assigned_by, reason, at "
        "FROM assignments WHERE (?1 IS NULL OR user_id = ?1) AND "
        "(?2 IS NULL OR account = ?2 OR previous = ?2) ORDER BY id DESC LIMIT ?3",
    [RD_SQX_DEF_INSERT] = "INSERT INTO account_defs (name, def, created_at, updated_at, "
                          "closed_at, closed_by) VALUES (?, ?, ?, ?, ?, ?)",
    [RD_SQX_DEF_UPSERT] =
        "INSERT INTO account_defs (name, def, created_at, updated_at, closed_at, closed_by) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET def = excluded.def, "
        "updated_at = excluded.updated_at, closed_at = excluded.closed_at, "
        "closed_by = excluded.closed_by",
    [RD_SQX_DEFS_BUMP] =
        "INSERT INTO kv (ns, key, val) VALUES ('" RD_STORE_DEFS_CHANGED_NS "', '"
        RD_STORE_DEFS_CHANGED_KEY "', '1') ON CONFLICT (ns, key) DO UPDATE SET "
        "val = CAST(CAST(kv.val AS INTEGER) + 1 AS TEXT)",
    [RD_SQX_DEF_LIST] = "SELECT " DEF_COLS " FROM account_defs ORDER BY name",
    [RD_SQX_DEF_GET] = "SELECT " DEF_COLS " FROM account_defs WHERE name = ?",
    [RD_SQX_REC_LIST] =
        "SELECT " RD_SQLITE_REC_COLS " FROM recs WHERE (?1 = 0 OR created_at >= ?1) AND "
        "(?2 = 0 OR created_at < ?2) AND (?3 IS NULL OR underlying = ?3) AND "
        "(?4 IS NULL OR symbol = ?4) AND (?5 IS NULL OR action = ?5) AND "
        "(?6 IS NULL OR strategy = ?6) AND (?8 = 0 OR account IS NULL OR account = '' OR "
        "account = ?9) ORDER BY created_at DESC, id DESC LIMIT ?7",
    [RD_SQX_DECISION_GET] = "SELECT " RD_SQLITE_DECISION_COLS " FROM decisions WHERE id = ?",
    [RD_SQX_DECISION_COUNTS] = "SELECT approved, first_failed, COUNT(*) FROM decisions "
                               "WHERE account = ? GROUP BY approved, first_failed",
    [RD_SQX_ORDER_COUNTS] =
        "SELECT status, COUNT(*) FROM orders WHERE account = ? GROUP BY status",
};

/* Takes the statement of slot, ready to bind. */
static int prep(struct rd_store *s, enum rd_sqlite_ext slot, struct rd_sqlite_binder *b,
                struct rd_error *err)
{
    return rd_sqlite_bind_ext(s, slot, sql[slot], b, err);
}

#define COL(st, i, field) rd_sqlite_col_text((st), (i), (field), sizeof(field))

/* ---- tokens ---- */

static void read_token(sqlite3_stmt *st, struct rd_token_row *t)
{
    memset(t, 0, sizeof *t);
    t->id = sqlite3_column_int64(st, 0);
    COL(st, 1, t->hash);
    COL(st, 2, t->prefix);
    COL(st, 3, t->role);
    COL(st, 4, t->user);
    COL(st, 5, t->label);
    t->created_at = sqlite3_column_int64(st, 6);
    t->revoked_at = sqlite3_column_int64(st, 7);
}

int rd_sqlite_token_add(struct rd_store *s, struct rd_token_row *t, struct rd_error *err)
{
    struct rd_sqlite_binder b;
    int rc = prep(s, RD_SQX_TOKEN_ADD, &b, err);

    if (rc)
        return rc;
    rd_sqlite_bind_field(&b, t->hash, sizeof t->hash);
    rd_sqlite_bind_field(&b, t->prefix, sizeof t->prefix);
    rd_sqlite_bind_field(&b, t->role, sizeof t->role);
    rd_sqlite_bind_field(&b, t->user, sizeof t->user);
    rd_sqlite_bind_field(&b, t->label, sizeof t->label);
    rd_sqlite_bind_i64(&b, t->created_at);
    rd_sqlite_bind_i64(&b, t->revoked_at);
    rc = rd_sqlite_bind_step(&b);
    if (rc == SQLITE_ROW) {
        t->id = sqlite3_column_int64(b.st, 0);
        rc = RD_OK;
    } else {
        rc = rd_sqlite_fail(s, rc, err, "token_add");
    }
    rd_sqlite_bind_done(&b);
    return rc;
}

int rd_sqlite_token_find(struct rd_store *s, const char *hash, struct rd_token_row *t,
                         struct rd_error *err)
{
    struct rd_sqlite_binder b;
    int rc = prep(s, RD_SQX_TOKEN_FIND, &b, err);

    if (rc)
        return rc;
    rd_sqlite_bind_field(&b, hash, 65);
    rc = rd_sqlite_bind_step(&b);
    if (rc == SQLITE_ROW) {
        read_token(b.st, t);
        rc = RD_OK;
    } else if (rc == SQLITE_DONE) {
        rc = rd_error_set(err, RD_ENOTFOUND, "no such token");
    } else {
        rc = rd_sqlite_fail(s, rc, err, "token_find");
    }
    rd_sqlite_bind_done(&b);
    return rc;
}

int rd_sqlite_token_list(struct rd_store *s, int (*visit)(void *, const struct rd_token_row *),
                         void *ctx, struct rd_error *err)
{
    struct rd_token_row t;
    struct rd_sqlite_binder b;
    int rc = prep(s, RD_SQX_TOKEN_LIST, &b, err);

    if (rc)
        return rc;
    while ((rc = sqlite3_step(b.st)) == SQLITE_ROW) {
        int v;

        read_token(b.st, &t);
        v = visit(ctx, &t);
        if (v) {
            rd_sqlite_bind_done(&b);
            return v;
        }
    }
    rc = rc == SQLITE_DONE ? RD_OK : rd_sqlite_fail(s, rc, err, "token_list");
    rd_sqlite_bind_done(&b);
    return rc;
}

int rd_sqlite_token_revoke(struct rd_store *s, int64_t id, int64_t at, struct rd_error *err)
{
    struct rd_sqlite_binder b;
    int changes = 0;
    int rc = prep(s, RD_SQX_TOKEN_REVOKE, &b, err);

    if (rc)
        return rc;
    rd_sqlite_bind_i64(&b, at);
    rd_sqlite_bind_i64(&b, id);
    rc = rd_sqlite_bind_run(s, &b, &changes, err, "token_revoke");
    if (rc == RD_OK && changes == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "no token with id %" PRId64, id);
    return rc;
}

/* ---- users ---- */

static void read_user(sqlite3_stmt *st, struct rd_user_row *u)
{
    memset(u, 0, sizeof *u);
    COL(st, 0, u->id);
    COL(st, 1, u->display_name);
    COL(st, 2, u->department);
    COL(st, 3, u->slack_user_id);
    COL(st, 4, u->account);
    u->created_at = sqlite3_column_int64(st, 5);
    u->updated_at = sqlite3_column_int64(st, 6);
}

int rd_sqlite_user_put(struct rd_store *s, const struct rd_user_row *u, int only_new,
                       struct rd_error *err)
{
    char what[128];
    struct rd_sqlite_binder b;
    int rc = prep(s, only_new ? RD_SQX_USER_INSERT : RD_SQX_USER_UPSERT, &b, err);

    if (rc)
        return rc;
    rd_sqlite_bind_field(&b, u->id, sizeof u->id);
    rd_sqlite_bind_field(&b, u->display_name, sizeof u->display_name);
    rd_sqlite_bind_field(&b, u->department, sizeof u->department);
    rd_sqlite_bind_field(&b, u->slack_user_id, sizeof u->slack_user_id);
    rd_sqlite_bind_i64(&b, u->created_at);
    rd_sqlite_bind_i64(&b, u->updated_at);
    snprintf(what, sizeof what, "user_put \"%.64s\"", u->id);
    return rd_sqlite_bind_run(s, &b, NULL, err, what);
}

int rd_sqlite_user_get(struct rd_store *s, const char *id, struct rd_user_row *u,
                       struct rd_error *err)
{
    struct rd_sqlite_binder b;
    int rc = prep(s, RD_SQX_USER_GET, &b, err);

    if (rc)
        return rc;
    rd_sqlite_bind_field(&b, id, 64);
    rc = rd_sqlite_bind_step(&b);
    if (rc == SQLITE_ROW) {
        read_user(b.st, u);
        rc = RD_OK;
    } else if (rc == SQLITE_DONE) {
        rc = rd_error_set(err, RD_ENOTFOUND, "no user \"%.64s\"", id);
    } else {
        rc = rd_sqlite_fail(s, rc, err, "user_get");
    }
    rd_sqlite_bind_done(&b);
    return rc;
}

int rd_sqlite_user_list(struct rd_store *s, int (*visit)(void *, const struct rd_user_row *),
                        void *ctx, struct rd_error *err)
{
    struct rd_user_row u;
    struct rd_sqlite_binder b;
    int rc = prep(s, RD_SQX_USER_LIST, &b, err);

    if (rc)
        return rc;
    while ((rc = sqlite3_step(b.st)) == SQLITE_ROW) {
        int v;

        read_user(b.st, &u);
        v = visit(ctx, &u);
        if (v) {
            rd_sqlite_bind_done(&b);
            return v;
        }
    }
    rc = rc == SQLITE_DONE ? RD_OK : rd_sqlite_fail(s, rc, err, "user_list");
    rd_sqlite_bind_done(&b);
    return rc;
}

/* ---- assignments ---- */

static int assign_steps(struct rd_store *s, struct rd_assignment_row *a, struct rd_error *err)
{
    struct rd_sqlite_binder b;
    int rc = prep(s, RD_SQX_USER_ACCOUNT, &b, err);

    if (rc)
        return rc;
    rd_sqlite_bind_field(&b, a->user, sizeof a->user);
    rc = rd_sqlite_bind_step(&b);
    if (rc == SQLITE_ROW) {
        COL(b.st, 0, a->previous);
        rc = RD_OK;
    } else if (rc == SQLITE_DONE) {
        rc = rd_error_set(err, RD_ENOTFOUND, "no user \"%.64s\"", a->user);
    } else {
        rc = rd_sqlite_fail(s, rc, err, "assignment_add");
    }
    rd_sqlite_bind_done(&b);
    if (rc)
        return rc;
    rc = prep(s, RD_SQX_USER_SET_ACCOUNT, &b, err);
    if (rc)
        return rc;
    rd_sqlite_bind_field_or_null(&b, a->account, sizeof a->account);
    rd_sqlite_bind_i64(&b, a->at);
    rd_sqlite_bind_field(&b, a->user, sizeof a->user);
    rc = rd_sqlite_bind_run(s, &b, NULL, err, "assignment_add: set the user's account");
    if (rc)
        return rc;
    rc = prep(s, RD_SQX_ASSIGN_ADD, &b, err);
    if (rc)
        return rc;
    rd_sqlite_bind_field(&b, a->user, sizeof a->user);
    rd_sqlite_bind_field_or_null(&b, a->account, sizeof a->account);
    rd_sqlite_bind_field_or_null(&b, a->previous, sizeof a->previous);
    rd_sqlite_bind_field(&b, a->strategy, sizeof a->strategy);
    rd_sqlite_bind_field(&b, a->assigned_by, sizeof a->assigned_by);
    rd_sqlite_bind_field(&b, a->reason, sizeof a->reason);
    rd_sqlite_bind_i64(&b, a->at);
    rc = rd_sqlite_bind_step(&b);
    if (rc == SQLITE_ROW) {
        a->id = sqlite3_column_int64(b.st, 0);
        rc = RD_OK;
    } else {
        rc = rd_sqlite_fail(s, rc, err, "assignment_add: history");
    }
    rd_sqlite_bind_done(&b);
    return rc;
}

int rd_sqlite_assignment_add(struct rd_store *s, struct rd_assignment_row *a,
                             struct rd_error *err)
{
    int rc = s->ops->begin(s, err);

    if (rc)
        return rc;
    rc = assign_steps(s, a, err);
    if (rc) {
        s->ops->rollback(s);
        return rc;
    }
    return s->ops->commit(s, err);
}

int rd_sqlite_assignment_list(struct rd_store *s, const char *user, const char *account,
                              size_t limit,
                              int (*visit)(void *, const struct rd_assignment_row *), void *ctx,
                              struct rd_error *err)
{
    struct rd_assignment_row a;
    struct rd_sqlite_binder b;
    int rc = prep(s, RD_SQX_ASSIGN_LIST, &b, err);

    if (rc)
        return rc;
    rd_sqlite_bind_field_or_null(&b, user, 64);
    rd_sqlite_bind_field_or_null(&b, account, 64);
    rd_sqlite_bind_i64(&b, limit ? (int64_t)limit : -1);
    if (b.rc != SQLITE_OK) {
        rd_sqlite_bind_done(&b);
        return rd_sqlite_fail(s, b.rc, err, "assignment_list");
    }
    while ((rc = sqlite3_step(b.st)) == SQLITE_ROW) {
        int v;

        memset(&a, 0, sizeof a);
        a.id = sqlite3_column_int64(b.st, 0);
        COL(b.st, 1, a.user);
        COL(b.st, 2, a.account);
        COL(b.st, 3, a.previous);
        COL(b.st, 4, a.strategy);
        COL(b.st, 5, a.assigned_by);
        COL(b.st, 6, a.reason);
        a.at = sqlite3_column_int64(b.st, 7);
        v = visit(ctx, &a);
        if (v) {
            rd_sqlite_bind_done(&b);
            return v;
        }
    }
    rc = rc == SQLITE_DONE ? RD_OK : rd_sqlite_fail(s, rc, err, "assignment_list");
    rd_sqlite_bind_done(&b);
    return rc;
}

/* ---- account definitions ---- */

/* The definition and one more change on the counter, in one transaction. A
 * name taken (RD_EEXIST) fails alone: this level commits, having written
 * nothing, so a caller's transaction goes on. */
int rd_sqlite_account_def_put(struct rd_store *s, const struct rd_account_def_row *a,
                              int only_new, struct rd_error *err)
{
    char what[128];
    struct rd_sqlite_binder b;
    int rc = s->ops->begin(s, err);

    if (rc)
        return rc;
    rc = prep(s, only_new ? RD_SQX_DEF_INSERT : RD_SQX_DEF_UPSERT, &b, err);
    if (rc)
        goto out;
    rd_sqlite_bind_field(&b, a->name, sizeof a->name);
    rd_sqlite_bind_field_or_null(&b, a->def, sizeof a->def);
    rd_sqlite_bind_i64(&b, a->created_at);
    rd_sqlite_bind_i64(&b, a->updated_at);
    rd_sqlite_bind_i64(&b, a->closed_at);
    rd_sqlite_bind_field(&b, a->closed_by, sizeof a->closed_by);
    snprintf(what, sizeof what, "account_def_put \"%.64s\"", a->name);
    rc = rd_sqlite_bind_run(s, &b, NULL, err, what);
    if (rc == RD_OK && (rc = prep(s, RD_SQX_DEFS_BUMP, &b, err)) == RD_OK)
        rc = rd_sqlite_bind_run(s, &b, NULL, err, "account_def_put: count the change");
out:
    if (rc == RD_OK || rc == RD_EEXIST) {
        int crc = s->ops->commit(s, err);

        return crc ? crc : rc;
    }
    s->ops->rollback(s);
    return rc;
}

static void read_def(sqlite3_stmt *st, struct rd_account_def_row *a)
{
    memset(a, 0, sizeof *a);
    COL(st, 0, a->name);
    COL(st, 1, a->def);
    a->created_at = sqlite3_column_int64(st, 2);
    a->updated_at = sqlite3_column_int64(st, 3);
    a->closed_at = sqlite3_column_int64(st, 4);
    COL(st, 5, a->closed_by);
}

int rd_sqlite_account_def_list(struct rd_store *s,
                               int (*visit)(void *, const struct rd_account_def_row *), void *ctx,
                               struct rd_error *err)
{
    struct rd_account_def_row *a = NULL;
    struct rd_sqlite_binder b;
    int rc = prep(s, RD_SQX_DEF_LIST, &b, err);

    if (rc)
        return rc;
    /* a row is 8 KiB: kept off small thread stacks */
    a = rd_malloc(sizeof *a);
    if (!a) {
        rd_sqlite_bind_done(&b);
        return rd_error_set(err, RD_ENOMEM, "account_def_list: out of memory");
    }
    while ((rc = sqlite3_step(b.st)) == SQLITE_ROW) {
        int v;

        read_def(b.st, a);
        v = visit(ctx, a);
        if (v) {
            rc = v;
            goto out;
        }
    }
    rc = rc == SQLITE_DONE ? RD_OK : rd_sqlite_fail(s, rc, err, "account_def_list");
out:
    rd_sqlite_bind_done(&b);
    rd_free(a);
    return rc;
}

int rd_sqlite_account_def_get(struct rd_store *s, const char *name, struct rd_account_def_row *a,
                              struct rd_error *err)
{
    struct rd_sqlite_binder b;
    int rc = prep(s, RD_SQX_DEF_GET, &b, err);

    if (rc)
        return rc;
    rd_sqlite_bind_str(&b, name);
    rc = rd_sqlite_bind_step(&b);
    if (rc == SQLITE_ROW) {
        read_def(b.st, a);
        rc = RD_OK;
    } else if (rc == SQLITE_DONE) {
        rc = rd_error_set(err, RD_ENOTFOUND, "no account definition is named \"%.64s\"", name);
    } else {
        rc = rd_sqlite_fail(s, rc, err, "account_def_get");
    }
    rd_sqlite_bind_done(&b);
    return rc;
}

/* ---- read side ---- */

int rd_sqlite_rec_list(struct rd_store *s, const struct rd_rec_filter *f,
                       int (*visit)(void *, const struct rd_rec *), void *ctx,
                       struct rd_error *err)
{
    struct rd_rec r;
    struct rd_sqlite_binder b;
    int rc = prep(s, RD_SQX_REC_LIST, &b, err);

    if (rc)
        return rc;
    rd_sqlite_bind_i64(&b, f->since);
    rd_sqlite_bind_i64(&b, f->until);
    rd_sqlite_bind_field_or_null(&b, f->underlying, RD_UNDERLYING_MAX);
    rd_sqlite_bind_field_or_null(&b, f->symbol, RD_SYMBOL_MAX);
    rd_sqlite_bind_field_or_null(
        &b, f->action >= 0 ? rd_store_action_name((enum rd_action)f->action) : NULL, 32);
    rd_sqlite_bind_field_or_null(
        &b, f->strategy >= 0 ? rd_store_strategy_name((enum rd_strategy)f->strategy) : NULL, 32);
    rd_sqlite_bind_i64(&b, f->limit ? (int64_t)f->limit : -1);
    rd_sqlite_bind_i64(&b, f->visible_to != NULL);
    rd_sqlite_bind_text_n(&b, f->visible_to ? f->visible_to : "",
                          f->visible_to ? strnlen(f->visible_to, RD_REC_ACCOUNT_MAX) : 0);
    if (b.rc != SQLITE_OK) {
        rd_sqlite_bind_done(&b);
        return rd_sqlite_fail(s, b.rc, err, "rec_list");
    }
    while ((rc = sqlite3_step(b.st)) == SQLITE_ROW) {
        int v = rd_sqlite_read_rec(b.st, &r, err);

        if (!v)
            v = visit(ctx, &r);
        if (v) {
            rd_sqlite_bind_done(&b);
            return v;
        }
    }
    rc = rc == SQLITE_DONE ? RD_OK : rd_sqlite_fail(s, rc, err, "rec_list");
    rd_sqlite_bind_done(&b);
    return rc;
}

int rd_sqlite_decision_get(struct rd_store *s, int64_t id, struct rd_decision_row *row,
                           struct rd_error *err)
{
    struct rd_sqlite_binder b;
    int rc = prep(s, RD_SQX_DECISION_GET, &b, err);

    if (rc)
        return rc;
    rd_sqlite_bind_i64(&b, id);
    rc = rd_sqlite_bind_step(&b);
    if (rc == SQLITE_ROW)
        rc = rd_sqlite_read_decision(b.st, row, err);
    else if (rc == SQLITE_DONE)
        rc = rd_error_set(err, RD_ENOTFOUND, "no decision with id %" PRId64, id);
    else
        rc = rd_sqlite_fail(s, rc, err, "decision_get");
    rd_sqlite_bind_done(&b);
    return rc;
}

int rd_sqlite_decision_counts(struct rd_store *s, const char *account,
                              int (*visit)(void *, int, enum rd_gate, int64_t), void *ctx,
                              struct rd_error *err)
{
    struct rd_sqlite_binder b;
    int rc = prep(s, RD_SQX_DECISION_COUNTS, &b, err);

    if (rc)
        return rc;
    rd_sqlite_bind_field(&b, account, 64);
    while (b.rc == SQLITE_OK && (rc = sqlite3_step(b.st)) == SQLITE_ROW) {
        enum rd_gate g = RD_GATE_COUNT;
        const unsigned char *name = sqlite3_column_text(b.st, 1);
        int v;

        if (name && rd_store_gate_parse((const char *)name, &g) != RD_OK)
            continue;   /* a gate this riskdesk does not know: not counted */
        v = visit(ctx, sqlite3_column_int(b.st, 0), g, sqlite3_column_int64(b.st, 2));
        if (v) {
            rd_sqlite_bind_done(&b);
            return v;
        }
    }
    if (b.rc != SQLITE_OK)
        rc = b.rc;
    rc = rc == SQLITE_DONE ? RD_OK : rd_sqlite_fail(s, rc, err, "decision_counts");
    rd_sqlite_bind_done(&b);
    return rc;
}

int rd_sqlite_order_counts(struct rd_store *s, const char *account,
                           int (*visit)(void *, enum rd_order_status, int64_t), void *ctx,
                           struct rd_error *err)
{
    struct rd_sqlite_binder b;
    int rc = prep(s, RD_SQX_ORDER_COUNTS, &b, err);

    if (rc)
        return rc;
    rd_sqlite_bind_field(&b, account, 64);
    while (b.rc == SQLITE_OK && (rc = sqlite3_step(b.st)) == SQLITE_ROW) {
        enum rd_order_status st;
        const unsigned char *name = sqlite3_column_text(b.st, 0);
        int v;

        if (!name || rd_order_status_parse((const char *)name, &st) != RD_OK)
            continue;
        v = visit(ctx, st, sqlite3_column_int64(b.st, 1));
        if (v) {
            rd_sqlite_bind_done(&b);
            return v;
        }
    }
    if (b.rc != SQLITE_OK)
        rc = b.rc;
    rc = rc == SQLITE_DONE ? RD_OK : rd_sqlite_fail(s, rc, err, "order_counts");
    rd_sqlite_bind_done(&b);
    return rc;
}

/* The audited forms of the writes above (audit_writes.c). */
static int audited_token_add(struct rd_store *s, struct rd_token_row *t, struct rd_error *err)
{
    return rd_audit_token_add(s, t, rd_sqlite_token_add, err);
}

static int audited_token_revoke(struct rd_store *s, int64_t id, int64_t at, struct rd_error *err)
{
    return rd_audit_token_revoke(s, id, at, rd_sqlite_token_revoke, err);
}

static int audited_user_put(struct rd_store *s, const struct rd_user_row *u, int only_new,
                            struct rd_error *err)
{
    return rd_audit_user_put(s, u, only_new, rd_sqlite_user_put, err);
}

static int audited_assignment_add(struct rd_store *s, struct rd_assignment_row *a,
                                  struct rd_error *err)
{
    return rd_audit_assignment_add(s, a, rd_sqlite_assignment_add, err);
}

static int audited_account_def_put(struct rd_store *s, const struct rd_account_def_row *a,
                                   int only_new, struct rd_error *err)
{
    return rd_audit_account_def_put(s, a, only_new, rd_sqlite_account_def_put, err);
}

const struct rd_store_api_ops rd_sqlite_api_ops = {
    .version = 2,
    .token_add = audited_token_add,
    .token_find = rd_sqlite_token_find,
    .token_list = rd_sqlite_token_list,
    .token_revoke = audited_token_revoke,
    .user_put = audited_user_put,
    .user_get = rd_sqlite_user_get,
    .user_list = rd_sqlite_user_list,
    .assignment_add = audited_assignment_add,
    .assignment_list = rd_sqlite_assignment_list,
    .account_def_put = audited_account_def_put,
    .account_def_list = rd_sqlite_account_def_list,
    .rec_list = rd_sqlite_rec_list,
    .decision_get = rd_sqlite_decision_get,
    .decision_counts = rd_sqlite_decision_counts,
    .order_counts = rd_sqlite_order_counts,
    .account_def_get = rd_sqlite_account_def_get,
};
