/*
 * sqlite_audit.c - the SQLite backend's audit chains (store.h,
 * rd_store_audit_ops; migration 10 in sqlite_schema.c; docs/audit.md).
 * BEGIN IMMEDIATE already makes writers take turns, so a chain's head read
 * in a transaction stays its head until that transaction ends.
 */
#include <string.h>

#include <sqlite3.h>

#include "riskdesk/alloc.h"
#include "store/audit_int.h"
#include "store/audit_sql.h"
#include "store/sqlite_int.h"
#include "riskdesk/banned.h"

static const char *const sql[RD_SQX_COUNT] = {
    [RD_SQX_AUDIT_HEAD] = AUDIT_SQL_HEAD,
    [RD_SQX_AUDIT_ADD] = AUDIT_SQL_ADD,
    [RD_SQX_AUDIT_LIST_ONE] = AUDIT_SQL_LIST_ONE,
    [RD_SQX_AUDIT_LIST_ALL] = AUDIT_SQL_LIST_ALL,
    [RD_SQX_AUDIT_HEADS] = AUDIT_SQL_HEADS,
    [RD_SQX_ADMIN_EVENT_ADD] = EVENT_SQL_ADD,
    [RD_SQX_ADMIN_EVENT_LAST] = EVENT_SQL_LAST,
    [RD_SQX_ADMIN_EVENT_LIST_ONE] = EVENT_SQL_LIST_ONE,
    [RD_SQX_ADMIN_EVENT_LIST_ALL] = EVENT_SQL_LIST_ALL,
};

static int prep(struct rd_store *s, enum rd_sqlite_ext slot, struct rd_sqlite_binder *b,
                struct rd_error *err)
{
    return rd_sqlite_bind_ext(s, slot, sql[slot], b, err);
}

/* A head (AUDIT_HEAD_COLS): the chain's last entry's seq, time and hash. */
static void read_head(sqlite3_stmt *st, struct rd_audit_entry *e)
{
    memset(e, 0, sizeof *e);
    rd_sqlite_col_text(st, 0, e->chain, sizeof e->chain);
    e->seq = sqlite3_column_int64(st, 1);
    e->at = sqlite3_column_int64(st, 2);
    rd_sqlite_col_text(st, 3, e->hash, sizeof e->hash);
}

/* Visits the entries from seq `from` of each pack (AUDIT_PACK_COLS) b reads. */
static int walk_packs(struct rd_store *s, struct rd_sqlite_binder *b, int64_t from,
                      int (*visit)(void *ctx, const struct rd_audit_entry *), void *ctx,
                      struct rd_error *err)
{
    char chain[RD_AUDIT_CHAIN_MAX], prev[RD_SHA256_HEX];
    int rc, ret = 0;

    while ((rc = rd_sqlite_bind_step(b)) == SQLITE_ROW) {
        rd_sqlite_col_text(b->st, 0, chain, sizeof chain);
        rd_sqlite_col_text(b->st, 2, prev, sizeof prev);
        ret = rd_audit_pack_visit(chain, prev, (const char *)sqlite3_column_text(b->st, 3),
                                  (size_t)sqlite3_column_bytes(b->st, 3), from, visit, ctx, err);
        if (ret)
            break;
    }
    if (!ret)
        ret = rc == SQLITE_DONE ? RD_OK : rd_sqlite_fail(s, rc, err, "audit list");
    rd_sqlite_bind_done(b);
    return ret;
}

static int audit_head(struct rd_store *s, const char *chain, struct rd_audit_entry *last,
                      struct rd_error *err)
{
    struct rd_sqlite_binder b;
    int rc = prep(s, RD_SQX_AUDIT_HEAD, &b, err);

    if (rc)
        return rc;
    rd_sqlite_bind_str(&b, chain);
    rc = rd_sqlite_bind_step(&b);
    if (rc == SQLITE_ROW) {
        read_head(b.st, last);
        rc = RD_OK;
    } else if (rc == SQLITE_DONE) {
        rc = RD_ENOTFOUND;
    } else {
        rc = rd_sqlite_fail(s, rc, err, "audit head");
    }
    rd_sqlite_bind_done(&b);
    return rc;
}

/* e[0..n) (n <= RD_AUDIT_PACK_MAX), consecutive entries of one chain, as
 * one row. */
static int audit_add(struct rd_store *s, const struct rd_audit_entry *e, size_t n,
                     struct rd_error *err)
{
    struct rd_sqlite_binder b;
    char *text;
    size_t len;
    int rc;

    if ((rc = rd_audit_pack_encode(e, n, &text, &len, err)) != RD_OK)
        return rc;
    rc = prep(s, RD_SQX_AUDIT_ADD, &b, err);
    if (rc == RD_OK) {
        rd_sqlite_bind_str(&b, e[0].chain);
        rd_sqlite_bind_i64(&b, e[n - 1].seq);
        rd_sqlite_bind_i64(&b, e[0].seq);
        rd_sqlite_bind_i64(&b, e[n - 1].at);
        rd_sqlite_bind_str(&b, e[0].prev_hash);
        rd_sqlite_bind_str(&b, e[n - 1].hash);
        rd_sqlite_bind_text_n(&b, text, len);
        rc = rd_sqlite_bind_run(s, &b, NULL, err, "audit add");
    }
    rd_free(text);
    return rc;
}

static int audit_list(struct rd_store *s, const char *chain, int64_t from,
                      int (*visit)(void *ctx, const struct rd_audit_entry *), void *ctx,
                      struct rd_error *err)
{
    struct rd_sqlite_binder b;
    int rc = prep(s, chain ? RD_SQX_AUDIT_LIST_ONE : RD_SQX_AUDIT_LIST_ALL, &b, err);

    if (rc)
        return rc;
    if (chain)
        rd_sqlite_bind_str(&b, chain);
    rd_sqlite_bind_i64(&b, from);
    return walk_packs(s, &b, from, visit, ctx, err);
}

static int audit_heads(struct rd_store *s, int (*visit)(void *ctx, const struct rd_audit_entry *),
                       void *ctx, struct rd_error *err)
{
    struct rd_sqlite_binder b;
    struct rd_audit_entry e;
    int rc = prep(s, RD_SQX_AUDIT_HEADS, &b, err), ret = 0;

    if (rc)
        return rc;
    while ((rc = rd_sqlite_bind_step(&b)) == SQLITE_ROW) {
        read_head(b.st, &e);
        if ((ret = visit(ctx, &e)) != 0)
            break;
    }
    if (!ret)
        ret = rc == SQLITE_DONE ? RD_OK : rd_sqlite_fail(s, rc, err, "audit heads");
    rd_sqlite_bind_done(&b);
    return ret;
}

/* ---- the admin events ---- */

static void read_event(sqlite3_stmt *st, struct rd_admin_event_row *e)
{
    memset(e, 0, sizeof *e);
    e->id = sqlite3_column_int64(st, 0);
    rd_sqlite_col_text(st, 1, e->account, sizeof e->account);
    e->at = sqlite3_column_int64(st, 2);
    rd_sqlite_col_text(st, 3, e->actor, sizeof e->actor);
    rd_sqlite_col_text(st, 4, e->kind, sizeof e->kind);
    rd_sqlite_col_text(st, 5, e->detail, sizeof e->detail);
}

static int event_add(struct rd_store *s, struct rd_admin_event_row *e, struct rd_error *err)
{
    struct rd_sqlite_binder b;
    int rc = prep(s, RD_SQX_ADMIN_EVENT_ADD, &b, err);

    if (rc)
        return rc;
    rd_sqlite_bind_str(&b, e->account);
    rd_sqlite_bind_i64(&b, e->at);
    rd_sqlite_bind_str(&b, e->actor);
    rd_sqlite_bind_str(&b, e->kind);
    rd_sqlite_bind_str(&b, e->detail);
    rc = rd_sqlite_bind_step(&b);
    if (rc == SQLITE_ROW) {
        e->id = sqlite3_column_int64(b.st, 0);
        rc = RD_OK;
    } else {
        rc = rd_sqlite_fail(s, rc, err, "admin event add");
    }
    rd_sqlite_bind_done(&b);
    return rc;
}

static int event_last(struct rd_store *s, const char *account, const char *kind,
                      struct rd_admin_event_row *e, struct rd_error *err)
{
    struct rd_sqlite_binder b;
    int rc = prep(s, RD_SQX_ADMIN_EVENT_LAST, &b, err);

    if (rc)
        return rc;
    rd_sqlite_bind_str(&b, account);
    rd_sqlite_bind_str(&b, kind);
    rc = rd_sqlite_bind_step(&b);
    if (rc == SQLITE_ROW) {
        read_event(b.st, e);
        rc = RD_OK;
    } else if (rc == SQLITE_DONE) {
        rc = RD_ENOTFOUND;
    } else {
        rc = rd_sqlite_fail(s, rc, err, "admin event last");
    }
    rd_sqlite_bind_done(&b);
    return rc;
}

static int event_list(struct rd_store *s, const char *account,
                      int (*visit)(void *ctx, const struct rd_admin_event_row *), void *ctx,
                      struct rd_error *err)
{
    struct rd_sqlite_binder b;
    struct rd_admin_event_row e;
    int rc = prep(s, account ? RD_SQX_ADMIN_EVENT_LIST_ONE : RD_SQX_ADMIN_EVENT_LIST_ALL, &b,
                  err), ret = 0;

    if (rc)
        return rc;
    if (account)
        rd_sqlite_bind_str(&b, account);
    while ((rc = rd_sqlite_bind_step(&b)) == SQLITE_ROW) {
        read_event(b.st, &e);
        if ((ret = visit(ctx, &e)) != 0)
            break;
    }
    if (!ret)
        ret = rc == SQLITE_DONE ? RD_OK : rd_sqlite_fail(s, rc, err, "admin event list");
    rd_sqlite_bind_done(&b);
    return ret;
}

const struct rd_store_audit_ops rd_sqlite_audit_ops = {
    .version = 2,
    .head = audit_head,
    .add = audit_add,
    .list = audit_list,
    .heads = audit_heads,
    .event_add = event_add,
    .event_last = event_last,
    .event_list = event_list,
};
