/*
 * postgres_api.c - the PostgreSQL backend's version 2 operations, for the
 * HTTP API: tokens, users, assignment history, API-made and closed accounts,
 * and the read-side queries (recommendation filters, one decision, counts for
 * /metrics), as sqlite_api.c does them. Their statements are among those
 * postgres.c prepares when a connection opens (enum rd_pg_stmt).
 */
#include "store/postgres_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "store/store_int.h"
#include "store/audit_int.h"
#include "riskdesk/banned.h"

/* A caller's string where the SQLite backend binds strnlen(v, cap) bytes;
 * NULL or "" binds NULL. */
static void b_cut_or_null(struct rd_pg_bind *b, const char *v, size_t cap)
{
    if (v && *v)
        rd_pg_bind_field(b, v, cap);
    else
        rd_pg_bind_null(b);
}

static void read_token(const PGresult *r, int row, struct rd_token_row *t)
{
    memset(t, 0, sizeof *t);
    t->id = rd_pg_col_i64(r, row, 0);
    RD_PG_COL_TEXT(r, row, 1, t->hash);
    RD_PG_COL_TEXT(r, row, 2, t->prefix);
    RD_PG_COL_TEXT(r, row, 3, t->role);
    RD_PG_COL_TEXT(r, row, 4, t->user);
    RD_PG_COL_TEXT(r, row, 5, t->label);
    t->created_at = rd_pg_col_i64(r, row, 6);
    t->revoked_at = rd_pg_col_i64(r, row, 7);
}

int rd_pg_token_add(struct rd_store *s, struct rd_token_row *t, struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_pg_bind b;
    PGresult *res;
    int rc;

    rd_pg_bind_init(&b);
    rd_pg_bind_field(&b, t->hash, sizeof t->hash);
    rd_pg_bind_field(&b, t->prefix, sizeof t->prefix);
    rd_pg_bind_field(&b, t->role, sizeof t->role);
    rd_pg_bind_field(&b, t->user, sizeof t->user);
    rd_pg_bind_field(&b, t->label, sizeof t->label);
    rd_pg_bind_i64(&b, t->created_at);
    rd_pg_bind_i64(&b, t->revoked_at);
    rc = rd_pg_run_query(q, RD_PGS_TOKEN_ADD, &b, &res, err, "token_add");
    if (rc)
        return rc;
    if (PQntuples(res) == 1)
        t->id = rd_pg_col_i64(res, 0, 0);
    else
        rc = rd_error_set(err, RD_EEXIST, "token_add: already exists (the same token hash)");
    PQclear(res);
    return rc;
}

int rd_pg_token_find(struct rd_store *s, const char *hash, struct rd_token_row *t,
                     struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_pg_bind b;
    PGresult *res;
    int rc;

    rd_pg_bind_init(&b);
    rd_pg_bind_field(&b, hash, 65);
    rc = rd_pg_run_query(q, RD_PGS_TOKEN_FIND, &b, &res, err, "token_find");
    if (rc)
        return rc;
    if (PQntuples(res) == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "no such token");
    else
        read_token(res, 0, t);
    PQclear(res);
    return rc;
}

int rd_pg_token_list(struct rd_store *s, int (*visit)(void *, const struct rd_token_row *),
                     void *ctx, struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_token_row t;
    struct rd_pg_bind b;
    PGresult *res;
    int rc;

    rc = rd_pg_walk_start(q, RD_PGS_TOKEN_LIST, "token_list", err);
    if (rc)
        return rc;
    rd_pg_bind_init(&b);
    rc = rd_pg_run_query(q, RD_PGS_TOKEN_LIST, &b, &res, err, "token_list");
    if (rc)
        return rc;
    q->walking[RD_PGS_TOKEN_LIST] = 1;
    for (int i = 0, n = PQntuples(res); i < n && !rc; i++) {
        read_token(res, i, &t);
        rc = visit(ctx, &t);
    }
    q->walking[RD_PGS_TOKEN_LIST] = 0;
    PQclear(res);
    return rc;
}

int rd_pg_token_revoke(struct rd_store *s, int64_t id, int64_t at, struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_pg_bind b;
    long rows = 0;
    int rc;

    rd_pg_bind_init(&b);
    rd_pg_bind_i64(&b, at);
    rd_pg_bind_i64(&b, id);
    rc = rd_pg_run_cmd(q, RD_PGS_TOKEN_REVOKE, &b, &rows, err, "token_revoke");
    if (rc == RD_OK && rows == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "no token with id %" PRId64, id);
    return rc;
}

static void read_user(const PGresult *r, int row, struct rd_user_row *u)
{
    memset(u, 0, sizeof *u);
    RD_PG_COL_TEXT(r, row, 0, u->id);
    RD_PG_COL_TEXT(r, row, 1, u->display_name);
    RD_PG_COL_TEXT(r, row, 2, u->department);
    RD_PG_COL_TEXT(r, row, 3, u->slack_user_id);
    RD_PG_COL_TEXT(r, row, 4, u->account);
    u->created_at = rd_pg_col_i64(r, row, 5);
    u->updated_at = rd_pg_col_i64(r, row, 6);
}

int rd_pg_user_put(struct rd_store *s, const struct rd_user_row *u, int only_new,
                   struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    char what[128];
    struct rd_pg_bind b;
    long rows = 0;
    int rc;

    rd_pg_bind_init(&b);
    rd_pg_bind_field(&b, u->id, sizeof u->id);
    rd_pg_bind_field(&b, u->display_name, sizeof u->display_name);
    rd_pg_bind_field(&b, u->department, sizeof u->department);
    rd_pg_bind_field(&b, u->slack_user_id, sizeof u->slack_user_id);
    rd_pg_bind_i64(&b, u->created_at);
    rd_pg_bind_i64(&b, u->updated_at);
    snprintf(what, sizeof what, "user_put \"%.*s\"", RD_PG_FIELD(u->id));
    rc = rd_pg_run_cmd(q, only_new ? RD_PGS_USER_INSERT : RD_PGS_USER_UPSERT, &b, &rows, err, what);
    if (rc == RD_OK && only_new && rows == 0)
        rc = rd_error_set(err, RD_EEXIST, "%s: already exists", what);
    return rc;
}

int rd_pg_user_get(struct rd_store *s, const char *id, struct rd_user_row *u,
                   struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_pg_bind b;
    PGresult *res;
    int rc;

    rd_pg_bind_init(&b);
    rd_pg_bind_field(&b, id, 64);
    rc = rd_pg_run_query(q, RD_PGS_USER_GET, &b, &res, err, "user_get");
    if (rc)
        return rc;
    if (PQntuples(res) == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "no user \"%.64s\"", id);
    else
        read_user(res, 0, u);
    PQclear(res);
    return rc;
}

int rd_pg_user_list(struct rd_store *s, int (*visit)(void *, const struct rd_user_row *),
                    void *ctx, struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_user_row u;
    struct rd_pg_bind b;
    PGresult *res;
    int rc;

    rc = rd_pg_walk_start(q, RD_PGS_USER_LIST, "user_list", err);
    if (rc)
        return rc;
    rd_pg_bind_init(&b);
    rc = rd_pg_run_query(q, RD_PGS_USER_LIST, &b, &res, err, "user_list");
    if (rc)
        return rc;
    q->walking[RD_PGS_USER_LIST] = 1;
    for (int i = 0, n = PQntuples(res); i < n && !rc; i++) {
        read_user(res, i, &u);
        rc = visit(ctx, &u);
    }
    q->walking[RD_PGS_USER_LIST] = 0;
    PQclear(res);
    return rc;
}

static int assign_steps(struct rd_pg_store *q, struct rd_assignment_row *a, struct rd_error *err)
{
    struct rd_pg_bind b;
    PGresult *res;
    int rc;

    rd_pg_bind_init(&b);
    rd_pg_bind_field(&b, a->user, sizeof a->user);
    rc = rd_pg_run_query(q, RD_PGS_USER_ACCOUNT, &b, &res, err, "assignment_add");
    if (rc)
        return rc;
    if (PQntuples(res) == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "no user \"%.*s\"", RD_PG_FIELD(a->user));
    else
        RD_PG_COL_TEXT(res, 0, 0, a->previous);
    PQclear(res);
    if (rc)
        return rc;
    rd_pg_bind_init(&b);
    rd_pg_bind_field_or_null(&b, a->account, sizeof a->account);
    rd_pg_bind_i64(&b, a->at);
    rd_pg_bind_field(&b, a->user, sizeof a->user);
    rc = rd_pg_run_cmd(q, RD_PGS_USER_SET_ACCOUNT, &b, NULL, err,
                       "assignment_add: set the user's account");
    if (rc)
        return rc;
    rd_pg_bind_init(&b);
    rd_pg_bind_field(&b, a->user, sizeof a->user);
    rd_pg_bind_field_or_null(&b, a->account, sizeof a->account);
    rd_pg_bind_field_or_null(&b, a->previous, sizeof a->previous);
    rd_pg_bind_field(&b, a->strategy, sizeof a->strategy);
    rd_pg_bind_field(&b, a->assigned_by, sizeof a->assigned_by);
    rd_pg_bind_field(&b, a->reason, sizeof a->reason);
    rd_pg_bind_i64(&b, a->at);
    rc = rd_pg_run_query(q, RD_PGS_ASSIGN_ADD, &b, &res, err, "assignment_add: history");
    if (rc)
        return rc;
    a->id = rd_pg_col_i64(res, 0, 0);
    PQclear(res);
    return RD_OK;
}

int rd_pg_assignment_add(struct rd_store *s, struct rd_assignment_row *a, struct rd_error *err)
{
    int rc = rd_pg_begin(s, err);

    if (rc)
        return rc;
    rc = assign_steps(rd_pg(s), a, err);
    if (rc) {
        rd_pg_rollback(s);
        return rc;
    }
    return rd_pg_commit(s, err);
}

int rd_pg_assignment_list(struct rd_store *s, const char *user, const char *account,
                          size_t limit,
                          int (*visit)(void *, const struct rd_assignment_row *), void *ctx,
                          struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_assignment_row a;
    struct rd_pg_bind b;
    PGresult *res;
    int rc;

    rc = rd_pg_walk_start(q, RD_PGS_ASSIGN_LIST, "assignment_list", err);
    if (rc)
        return rc;
    rd_pg_bind_init(&b);
    b_cut_or_null(&b, user, 64);
    b_cut_or_null(&b, account, 64);
    if (limit == 0)
        rd_pg_bind_null(&b);
    else
        rd_pg_bind_i64(&b, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    rc = rd_pg_run_query(q, RD_PGS_ASSIGN_LIST, &b, &res, err, "assignment_list");
    if (rc)
        return rc;
    q->walking[RD_PGS_ASSIGN_LIST] = 1;
    for (int i = 0, n = PQntuples(res); i < n && !rc; i++) {
        memset(&a, 0, sizeof a);
        a.id = rd_pg_col_i64(res, i, 0);
        RD_PG_COL_TEXT(res, i, 1, a.user);
        RD_PG_COL_TEXT(res, i, 2, a.account);
        RD_PG_COL_TEXT(res, i, 3, a.previous);
        RD_PG_COL_TEXT(res, i, 4, a.strategy);
        RD_PG_COL_TEXT(res, i, 5, a.assigned_by);
        RD_PG_COL_TEXT(res, i, 6, a.reason);
        a.at = rd_pg_col_i64(res, i, 7);
        rc = visit(ctx, &a);
    }
    q->walking[RD_PGS_ASSIGN_LIST] = 0;
    PQclear(res);
    return rc;
}

int rd_pg_account_def_put(struct rd_store *s, const struct rd_account_def_row *a, int only_new,
                          struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    size_t dlen = strnlen(a->def, sizeof a->def);
    char *def = NULL;
    char what[128];
    struct rd_pg_bind b;
    long rows = 0;
    int rc;

    rd_pg_bind_init(&b);
    rd_pg_bind_field(&b, a->name, sizeof a->name);
    if (dlen == 0) {
        rd_pg_bind_null(&b);
    } else if (dlen < sizeof a->def) {
        rd_pg_bind_str(&b, a->def);
    } else {
        /* a full field without its NUL: too big for the bind buffer */
        def = rd_strndup(a->def, dlen);
        if (!def)
            return rd_error_set(err, RD_ENOMEM, "account_def_put: out of memory");
        rd_pg_bind_str(&b, def);
    }
    rd_pg_bind_i64(&b, a->created_at);
    rd_pg_bind_i64(&b, a->updated_at);
    rd_pg_bind_i64(&b, a->closed_at);
    rd_pg_bind_field(&b, a->closed_by, sizeof a->closed_by);
    snprintf(what, sizeof what, "account_def_put \"%.*s\"", RD_PG_FIELD(a->name));
    /* the definition and one more change on the counter, in one transaction;
     * a name taken fails alone (nothing written, this level commits) */
    rc = s->ops->begin(s, err);
    if (rc)
        goto out;
    rc = rd_pg_run_cmd(q, only_new ? RD_PGS_DEF_INSERT : RD_PGS_DEF_UPSERT, &b, &rows, err, what);
    if (rc == RD_OK && only_new && rows == 0)
        rc = rd_error_set(err, RD_EEXIST, "%s: already exists", what);
    if (rc == RD_OK) {
        struct rd_pg_bind none;

        rd_pg_bind_init(&none);
        rc = rd_pg_run_cmd(q, RD_PGS_DEFS_BUMP, &none, NULL, err,
                           "account_def_put: count the change");
    }
    if (rc == RD_OK || rc == RD_EEXIST) {
        int crc = s->ops->commit(s, err);

        if (crc)
            rc = crc;
    } else {
        s->ops->rollback(s);
    }
out:
    rd_free(def);
    return rc;
}

static void read_def(PGresult *res, int i, struct rd_account_def_row *a)
{
    memset(a, 0, sizeof *a);
    RD_PG_COL_TEXT(res, i, 0, a->name);
    RD_PG_COL_TEXT(res, i, 1, a->def);
    a->created_at = rd_pg_col_i64(res, i, 2);
    a->updated_at = rd_pg_col_i64(res, i, 3);
    a->closed_at = rd_pg_col_i64(res, i, 4);
    RD_PG_COL_TEXT(res, i, 5, a->closed_by);
}

int rd_pg_account_def_list(struct rd_store *s,
                           int (*visit)(void *, const struct rd_account_def_row *), void *ctx,
                           struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_account_def_row *a;
    struct rd_pg_bind b;
    PGresult *res;
    int rc;

    rc = rd_pg_walk_start(q, RD_PGS_DEF_LIST, "account_def_list", err);
    if (rc)
        return rc;
    /* a row is 8 KiB: kept off small thread stacks */
    a = rd_malloc(sizeof *a);
    if (!a)
        return rd_error_set(err, RD_ENOMEM, "account_def_list: out of memory");
    rd_pg_bind_init(&b);
    rc = rd_pg_run_query(q, RD_PGS_DEF_LIST, &b, &res, err, "account_def_list");
    if (rc) {
        rd_free(a);
        return rc;
    }
    q->walking[RD_PGS_DEF_LIST] = 1;
    for (int i = 0, n = PQntuples(res); i < n && !rc; i++) {
        read_def(res, i, a);
        rc = visit(ctx, a);
    }
    q->walking[RD_PGS_DEF_LIST] = 0;
    PQclear(res);
    rd_free(a);
    return rc;
}

int rd_pg_account_def_get(struct rd_store *s, const char *name, struct rd_account_def_row *a,
                          struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_pg_bind b;
    PGresult *res;
    int rc;

    rd_pg_bind_init(&b);
    rd_pg_bind_str(&b, name);
    rc = rd_pg_run_query(q, RD_PGS_DEF_GET, &b, &res, err, "account_def_get");
    if (rc)
        return rc;
    if (PQntuples(res) == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "no account definition is named \"%.64s\"", name);
    else
        read_def(res, 0, a);
    PQclear(res);
    return rc;
}

int rd_pg_rec_list(struct rd_store *s, const struct rd_rec_filter *f,
                   int (*visit)(void *, const struct rd_rec *), void *ctx,
                   struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_rec r;
    struct rd_pg_bind b;
    PGresult *res;
    int rc;

    rc = rd_pg_walk_start(q, RD_PGS_REC_LIST, "rec_list", err);
    if (rc)
        return rc;
    rd_pg_bind_init(&b);
    rd_pg_bind_i64(&b, f->since);
    rd_pg_bind_i64(&b, f->until);
    b_cut_or_null(&b, f->underlying, RD_UNDERLYING_MAX);
    b_cut_or_null(&b, f->symbol, RD_SYMBOL_MAX);
    b_cut_or_null(&b, f->action >= 0 ? rd_store_action_name((enum rd_action)f->action) : NULL, 32);
    b_cut_or_null(&b, f->strategy >= 0 ? rd_store_strategy_name((enum rd_strategy)f->strategy) : NULL,
                  32);
    if (f->limit == 0)
        rd_pg_bind_null(&b);
    else
        rd_pg_bind_i64(&b, f->limit > INT64_MAX ? INT64_MAX : (int64_t)f->limit);
    rd_pg_bind_i64(&b, f->visible_to != NULL);
    rd_pg_bind_field(&b, f->visible_to ? f->visible_to : "", RD_REC_ACCOUNT_MAX);
    rc = rd_pg_run_query(q, RD_PGS_REC_LIST, &b, &res, err, "rec_list");
    if (rc)
        return rc;
    q->walking[RD_PGS_REC_LIST] = 1;
    for (int i = 0, n = PQntuples(res); i < n && !rc; i++) {
        rc = rd_pg_read_rec(res, i, &r, err);
        if (rc == RD_OK)
            rc = visit(ctx, &r);
    }
    q->walking[RD_PGS_REC_LIST] = 0;
    PQclear(res);
    return rc;
}

int rd_pg_decision_get(struct rd_store *s, int64_t id, struct rd_decision_row *row,
                       struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_pg_bind b;
    PGresult *res;
    int rc;

    rd_pg_bind_init(&b);
    rd_pg_bind_i64(&b, id);
    rc = rd_pg_run_query(q, RD_PGS_DECISION_GET, &b, &res, err, "decision_get");
    if (rc)
        return rc;
    if (PQntuples(res) == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "no decision with id %" PRId64, id);
    else
        rc = rd_pg_read_decision(res, 0, row, err);
    PQclear(res);
    return rc;
}

int rd_pg_decision_counts(struct rd_store *s, const char *account,
                          int (*visit)(void *, int, enum rd_gate, int64_t), void *ctx,
                          struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_pg_bind b;
    PGresult *res;
    int rc;

    rc = rd_pg_walk_start(q, RD_PGS_DECISION_COUNTS, "decision_counts", err);
    if (rc)
        return rc;
    rd_pg_bind_init(&b);
    rd_pg_bind_field(&b, account, 64);
    rc = rd_pg_run_query(q, RD_PGS_DECISION_COUNTS, &b, &res, err, "decision_counts");
    if (rc)
        return rc;
    q->walking[RD_PGS_DECISION_COUNTS] = 1;
    for (int i = 0, n = PQntuples(res); i < n && !rc; i++) {
        enum rd_gate g = RD_GATE_COUNT;

        if (!PQgetisnull(res, i, 1) && rd_store_gate_parse(PQgetvalue(res, i, 1), &g) != RD_OK)
            continue;   /* a gate this riskdesk does not know: not counted */
        rc = visit(ctx, (int)rd_pg_col_i64(res, i, 0), g, rd_pg_col_i64(res, i, 2));
    }
    q->walking[RD_PGS_DECISION_COUNTS] = 0;
    PQclear(res);
    return rc;
}

int rd_pg_order_counts(struct rd_store *s, const char *account,
                       int (*visit)(void *, enum rd_order_status, int64_t), void *ctx,
                       struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_pg_bind b;
    PGresult *res;
    int rc;

    rc = rd_pg_walk_start(q, RD_PGS_ORDER_COUNTS, "order_counts", err);
    if (rc)
        return rc;
    rd_pg_bind_init(&b);
    rd_pg_bind_field(&b, account, 64);
    rc = rd_pg_run_query(q, RD_PGS_ORDER_COUNTS, &b, &res, err, "order_counts");
    if (rc)
        return rc;
    q->walking[RD_PGS_ORDER_COUNTS] = 1;
    for (int i = 0, n = PQntuples(res); i < n && !rc; i++) {
        enum rd_order_status st;

        if (rd_order_status_parse(rd_pg_col_cstr(res, i, 0), &st) != RD_OK)
            continue;
        rc = visit(ctx, st, rd_pg_col_i64(res, i, 1));
    }
    q->walking[RD_PGS_ORDER_COUNTS] = 0;
    PQclear(res);
    return rc;
}

/* The audited forms of the writes above (audit_writes.c). */
static int audited_token_add(struct rd_store *s, struct rd_token_row *t, struct rd_error *err)
{
    return rd_audit_token_add(s, t, rd_pg_token_add, err);
}

static int audited_token_revoke(struct rd_store *s, int64_t id, int64_t at, struct rd_error *err)
{
    return rd_audit_token_revoke(s, id, at, rd_pg_token_revoke, err);
}

static int audited_user_put(struct rd_store *s, const struct rd_user_row *u, int only_new,
                            struct rd_error *err)
{
    return rd_audit_user_put(s, u, only_new, rd_pg_user_put, err);
}

static int audited_assignment_add(struct rd_store *s, struct rd_assignment_row *a,
                                  struct rd_error *err)
{
    return rd_audit_assignment_add(s, a, rd_pg_assignment_add, err);
}

static int audited_account_def_put(struct rd_store *s, const struct rd_account_def_row *a,
                                   int only_new, struct rd_error *err)
{
    return rd_audit_account_def_put(s, a, only_new, rd_pg_account_def_put, err);
}

const struct rd_store_api_ops rd_pg_api_ops = {
    .version = 2,
    .token_add = audited_token_add,
    .token_find = rd_pg_token_find,
    .token_list = rd_pg_token_list,
    .token_revoke = audited_token_revoke,
    .user_put = audited_user_put,
    .user_get = rd_pg_user_get,
    .user_list = rd_pg_user_list,
    .assignment_add = audited_assignment_add,
    .assignment_list = rd_pg_assignment_list,
    .account_def_put = audited_account_def_put,
    .account_def_list = rd_pg_account_def_list,
    .rec_list = rd_pg_rec_list,
    .decision_get = rd_pg_decision_get,
    .decision_counts = rd_pg_decision_counts,
    .order_counts = rd_pg_order_counts,
    .account_def_get = rd_pg_account_def_get,
};
