/*
 * sqlite_perf.c - the SQLite backend's performance operations: daily equity
 * snapshots (one row per account and ET trading day, upserted), the audit
 * trail of performance alerts (one per account, kind and period), and closed
 * trades listed for the trade statistics. Schema: migration 4 in
 * sqlite_schema.c; docs/metrics.md.
 *
 * Statements come from the handle's cache (rd_sqlite_ext_stmt), prepared on
 * first use and kept; values go through the backend's binder (sqlite_int.h),
 * whose first failure is the operation's.
 */
#include "store/sqlite_perf.h"

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store/sqlite_int.h"
#include "store/store_int.h"
#include "riskdesk/banned.h"

#define SNAP_COLS "account, day, equity, cash, buying_power, taken_at, sealed"
#define EVENT_COLS "id, account, kind, day, period, value_ppm, threshold_ppm, at, message"
#define TRADE_COLS                                                                         \
    "account, symbol, qty, multiplier, entry_price, exit_price, pnl, opened_at, closed_at, " \
    "day_trade"

static const char *const sql[RD_SQX_COUNT] = {
    [RD_SQX_SNAP_PUT] = "INSERT INTO perf_snapshots (" SNAP_COLS ") "
                        "VALUES (?, ?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT (account, day) DO UPDATE SET equity = excluded.equity, "
                        "cash = excluded.cash, buying_power = excluded.buying_power, "
                        "sealed = excluded.sealed, "
                        "taken_at = excluded.taken_at",
    [RD_SQX_SNAP_GET] = "SELECT " SNAP_COLS " FROM perf_snapshots WHERE account = ? AND day = ?",
    [RD_SQX_SNAP_LIST_ONE] = "SELECT " SNAP_COLS " FROM perf_snapshots WHERE account = ? "
                             "AND day >= ? AND day <= ? ORDER BY day",
    [RD_SQX_SNAP_LIST_ALL] = "SELECT " SNAP_COLS " FROM perf_snapshots WHERE day >= ? "
                             "AND day <= ? ORDER BY account, day",
    [RD_SQX_SNAP_DELETE] = "DELETE FROM perf_snapshots WHERE account = ? AND day = ?",
    [RD_SQX_EVENT_ADD] = "INSERT INTO perf_events (account, kind, day, period, value_ppm, "
                         "threshold_ppm, at, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                         "RETURNING id",
    [RD_SQX_EVENT_LIST_ONE] = "SELECT * FROM (SELECT " EVENT_COLS " FROM perf_events "
                              "WHERE account = ? ORDER BY id DESC LIMIT ?) ORDER BY id",
    [RD_SQX_EVENT_LIST_ALL] = "SELECT * FROM (SELECT " EVENT_COLS " FROM perf_events "
                              "ORDER BY id DESC LIMIT ?) ORDER BY id",
    [RD_SQX_TRADE_LIST] = "SELECT " TRADE_COLS " FROM trades WHERE account = ? "
                          "AND closed_at >= ? AND closed_at < ? ORDER BY closed_at, rowid",
};

/* Takes the statement of slot, ready to bind. */
static int prep(struct rd_store *s, enum rd_sqlite_ext slot, struct rd_sqlite_binder *b,
                struct rd_error *err)
{
    return rd_sqlite_bind_ext(s, slot, sql[slot], b, err);
}

/* A list's visitor and its context. */
struct visitor {
    void *ctx;
    int (*snapshot)(void *ctx, const struct rd_snapshot_row *);
    int (*event)(void *ctx, const struct rd_perf_event_row *);
    int (*trade)(void *ctx, const struct rd_trade_row *);
    const struct rd_store *s;     /* snapshots: whose key opens their amounts */
};

/* Steps a bound query to its end, handing each row to emit (which reads it
 * and calls the visitor); the statement is reset. A visitor's nonzero return,
 * or a row that cannot be read, stops the walk and is returned. */
static int walk(struct rd_store *s, struct rd_sqlite_binder *b,
                int (*emit)(sqlite3_stmt *st, const struct visitor *v, struct rd_error *err),
                const struct visitor *v,
                const char *what, struct rd_error *err)
{
    int rc, ret = 0;

    while ((rc = rd_sqlite_bind_step(b)) == SQLITE_ROW) {
        ret = emit(b->st, v, err);
        if (ret)
            break;
    }
    if (!ret)
        ret = rc == SQLITE_DONE ? RD_OK : rd_sqlite_fail(s, rc, err, what);
    rd_sqlite_bind_done(b);
    return ret;
}

/* ---- snapshots ---- */

static int read_snapshot(const struct rd_store *s, sqlite3_stmt *st, struct rd_snapshot_row *r,
                         struct rd_error *err)
{
    memset(r, 0, sizeof *r);
    rd_sqlite_col_text(st, 0, r->account, sizeof r->account);
    r->day = (int32_t)sqlite3_column_int64(st, 1);
    r->taken_at = sqlite3_column_int64(st, 5);
    if (s->keyed)
        return rd_store_snapshot_open(&s->key, r, (const char *)sqlite3_column_text(st, 6), err);
    r->equity = sqlite3_column_int64(st, 2);
    r->cash = sqlite3_column_int64(st, 3);
    r->buying_power = sqlite3_column_int64(st, 4);
    return RD_OK;
}

static int emit_snapshot(sqlite3_stmt *st, const struct visitor *v, struct rd_error *err)
{
    struct rd_snapshot_row row;
    int rc = read_snapshot(v->s, st, &row, err);

    return rc ? rc : v->snapshot(v->ctx, &row);
}

int rd_sqlite_snapshot_put(struct rd_store *s, const struct rd_snapshot_row *r,
                           struct rd_error *err)
{
    char sealed[RD_STORE_SNAPSHOT_SEALED];
    struct rd_sqlite_binder b;
    int rc = s->keyed ? rd_store_snapshot_seal(&s->key, r, sealed, sizeof sealed, err) : RD_OK;

    if (rc || (rc = prep(s, RD_SQX_SNAP_PUT, &b, err)) != RD_OK)
        return rc;
    rd_sqlite_bind_field(&b, r->account, sizeof r->account);
    rd_sqlite_bind_i64(&b, r->day);
    rd_sqlite_bind_i64(&b, s->keyed ? 0 : r->equity);
    rd_sqlite_bind_i64(&b, s->keyed ? 0 : r->cash);
    rd_sqlite_bind_i64(&b, s->keyed ? 0 : r->buying_power);
    rd_sqlite_bind_i64(&b, r->taken_at);
    if (s->keyed)
        rd_sqlite_bind_str(&b, sealed);
    else
        rd_sqlite_bind_null(&b);
    return rd_sqlite_bind_run(s, &b, NULL, err, "snapshot_put");
}

int rd_sqlite_snapshot_get(struct rd_store *s, const char *account, int32_t day,
                           struct rd_snapshot_row *r, struct rd_error *err)
{
    struct rd_sqlite_binder b;
    int rc = prep(s, RD_SQX_SNAP_GET, &b, err);

    if (rc)
        return rc;
    rd_sqlite_bind_str(&b, account);
    rd_sqlite_bind_i64(&b, day);
    rc = rd_sqlite_bind_step(&b);
    if (rc == SQLITE_ROW) {
        rc = read_snapshot(s, b.st, r, err);
    } else if (rc == SQLITE_DONE) {
        rc = rd_error_set(err, RD_ENOTFOUND, "no snapshot of account \"%.64s\" on day %d",
                          account, (int)day);
    } else {
        rc = rd_sqlite_fail(s, rc, err, "snapshot_get");
    }
    rd_sqlite_bind_done(&b);
    return rc;
}

int rd_sqlite_snapshot_list(struct rd_store *s, const char *account, int32_t from, int32_t to,
                            int (*visit)(void *ctx, const struct rd_snapshot_row *), void *ctx,
                            struct rd_error *err)
{
    struct visitor v = {.ctx = ctx, .snapshot = visit, .s = s};
    struct rd_sqlite_binder b;
    int rc = prep(s, account ? RD_SQX_SNAP_LIST_ONE : RD_SQX_SNAP_LIST_ALL, &b, err);

    if (rc)
        return rc;
    if (account)
        rd_sqlite_bind_str(&b, account);
    rd_sqlite_bind_i64(&b, from);
    rd_sqlite_bind_i64(&b, to);
    return walk(s, &b, emit_snapshot, &v, "snapshot_list", err);
}

int rd_sqlite_snapshot_delete(struct rd_store *s, const char *account, int32_t day,
                              struct rd_error *err)
{
    struct rd_sqlite_binder b;
    int rc = prep(s, RD_SQX_SNAP_DELETE, &b, err);

    if (rc)
        return rc;
    rd_sqlite_bind_str(&b, account);
    rd_sqlite_bind_i64(&b, day);
    return rd_sqlite_bind_run(s, &b, NULL, err, "snapshot_delete");
}

/* ---- the alerts' audit trail ---- */

int rd_sqlite_perf_event_add(struct rd_store *s, struct rd_perf_event_row *e,
                             struct rd_error *err)
{
    struct rd_sqlite_binder b;
    int rc = prep(s, RD_SQX_EVENT_ADD, &b, err);

    if (rc)
        return rc;
    rd_sqlite_bind_field(&b, e->account, sizeof e->account);
    rd_sqlite_bind_field(&b, e->kind, sizeof e->kind);
    rd_sqlite_bind_i64(&b, e->day);
    rd_sqlite_bind_i64(&b, e->period);
    rd_sqlite_bind_i64(&b, e->value_ppm);
    rd_sqlite_bind_i64(&b, e->threshold_ppm);
    rd_sqlite_bind_i64(&b, e->at);
    rd_sqlite_bind_field(&b, e->message, sizeof e->message);
    rc = rd_sqlite_bind_step(&b);
    if (rc == SQLITE_ROW) {
        e->id = sqlite3_column_int64(b.st, 0);
        rc = sqlite3_step(b.st);
    }
    if (rc == SQLITE_DONE) {
        rc = RD_OK;
    } else {
        char what[160];

        snprintf(what, sizeof what, "perf_event_add %.32s of account \"%.64s\" (period %d)",
                 e->kind, e->account, (int)e->period);
        rc = rd_sqlite_fail(s, rc, err, what);
    }
    rd_sqlite_bind_done(&b);
    return rc;
}

static void read_event(sqlite3_stmt *st, struct rd_perf_event_row *e)
{
    memset(e, 0, sizeof *e);
    e->id = sqlite3_column_int64(st, 0);
    rd_sqlite_col_text(st, 1, e->account, sizeof e->account);
    rd_sqlite_col_text(st, 2, e->kind, sizeof e->kind);
    e->day = (int32_t)sqlite3_column_int64(st, 3);
    e->period = (int32_t)sqlite3_column_int64(st, 4);
    e->value_ppm = sqlite3_column_int64(st, 5);
    e->threshold_ppm = sqlite3_column_int64(st, 6);
    e->at = sqlite3_column_int64(st, 7);
    rd_sqlite_col_text(st, 8, e->message, sizeof e->message);
}

static int emit_event(sqlite3_stmt *st, const struct visitor *v, struct rd_error *err)
{
    struct rd_perf_event_row row;

    read_event(st, &row);
    return v->event(v->ctx, &row);
}

int rd_sqlite_perf_event_list(struct rd_store *s, const char *account, size_t limit,
                              int (*visit)(void *ctx, const struct rd_perf_event_row *), void *ctx,
                              struct rd_error *err)
{
    struct visitor v = {.ctx = ctx, .event = visit};
    struct rd_sqlite_binder b;
    int rc = prep(s, account ? RD_SQX_EVENT_LIST_ONE : RD_SQX_EVENT_LIST_ALL, &b, err);

    if (rc)
        return rc;
    if (account)
        rd_sqlite_bind_str(&b, account);
    rd_sqlite_bind_i64(&b, limit ? (int64_t)limit : -1);
    return walk(s, &b, emit_event, &v, "perf_event_list", err);
}

/* ---- closed trades ---- */

static void read_trade(sqlite3_stmt *st, struct rd_trade_row *t)
{
    memset(t, 0, sizeof *t);
    rd_sqlite_col_text(st, 0, t->account, sizeof t->account);
    rd_sqlite_col_text(st, 1, t->symbol, sizeof t->symbol);
    t->qty = sqlite3_column_int64(st, 2);
    t->multiplier = sqlite3_column_int64(st, 3);
    t->entry_price = sqlite3_column_int64(st, 4);
    t->exit_price = sqlite3_column_int64(st, 5);
    t->pnl = sqlite3_column_int64(st, 6);
    t->opened_at = sqlite3_column_int64(st, 7);
    t->closed_at = sqlite3_column_int64(st, 8);
    t->day_trade = (int)sqlite3_column_int64(st, 9);
}

static int emit_trade(sqlite3_stmt *st, const struct visitor *v, struct rd_error *err)
{
    struct rd_trade_row row;

    read_trade(st, &row);
    return v->trade(v->ctx, &row);
}

int rd_sqlite_trade_list(struct rd_store *s, const char *account, int64_t since, int64_t until,
                         int (*visit)(void *ctx, const struct rd_trade_row *), void *ctx,
                         struct rd_error *err)
{
    struct visitor v = {.ctx = ctx, .trade = visit};
    struct rd_sqlite_binder b;
    int rc = prep(s, RD_SQX_TRADE_LIST, &b, err);

    if (rc)
        return rc;
    rd_sqlite_bind_str(&b, account);
    rd_sqlite_bind_i64(&b, since);
    rd_sqlite_bind_i64(&b, until ? until : INT64_MAX);
    return walk(s, &b, emit_trade, &v, "trade_list", err);
}

const struct rd_store_perf_ops rd_sqlite_perf_ops = {
    .version = 1,
    .snapshot_put = rd_sqlite_snapshot_put,
    .snapshot_get = rd_sqlite_snapshot_get,
    .snapshot_list = rd_sqlite_snapshot_list,
    .snapshot_delete = rd_sqlite_snapshot_delete,
    .perf_event_add = rd_sqlite_perf_event_add,
    .perf_event_list = rd_sqlite_perf_event_list,
    .trade_list = rd_sqlite_trade_list,
};
