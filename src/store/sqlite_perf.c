/*
 * sqlite_perf.c - the SQLite backend's performance operations: daily equity
 * snapshots (one row per account and ET trading day, upserted), the audit
 * trail of performance alerts (one per account, kind and period), and closed
 * trades listed for the trade statistics. Schema: migration 4 in
 * sqlite_schema.c; docs/metrics.md.
 *
 * These run a few times per cycle or command, so each one prepares its
 * statement when called and finalizes it before returning; values are
 * always bound.
 */
#include "store/sqlite_perf.h"

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store/sqlite_int.h"
#include "riskdesk/banned.h"

#define SNAP_COLS "account, day, equity, cash, buying_power, taken_at"
#define EVENT_COLS "id, account, kind, day, period, value_ppm, threshold_ppm, at, message"
#define TRADE_COLS                                                                         \
    "account, symbol, qty, multiplier, entry_price, exit_price, pnl, opened_at, closed_at, " \
    "day_trade"

static int prep(struct rd_store *s, const char *sql, sqlite3_stmt **st, const char *what,
                struct rd_error *err)
{
    int rc = sqlite3_prepare_v2(rd_sqlite_db(s), sql, -1, st, NULL);

    if (rc != SQLITE_OK) {
        sqlite3_finalize(*st);
        *st = NULL;
        return rd_sqlite_fail(s, rc, err, what);
    }
    return RD_OK;
}

static void bind_field(sqlite3_stmt *st, int i, const char *s, size_t cap)
{
    sqlite3_bind_text(st, i, s, (int)strnlen(s, cap), SQLITE_STATIC);
}

static void bind_str(sqlite3_stmt *st, int i, const char *s)
{
    sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

/* Steps a statement that returns no rows; finalizes it. */
static int run_once(struct rd_store *s, sqlite3_stmt *st, const char *what, struct rd_error *err)
{
    int rc = sqlite3_step(st);

    rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? RD_OK : rd_sqlite_fail(s, rc, err, what);
    sqlite3_finalize(st);
    return rc;
}

/* ---- snapshots ---- */

static void read_snapshot(sqlite3_stmt *st, struct rd_snapshot_row *r)
{
    memset(r, 0, sizeof *r);
    rd_sqlite_col_text(st, 0, r->account, sizeof r->account);
    r->day = (int32_t)sqlite3_column_int64(st, 1);
    r->equity = sqlite3_column_int64(st, 2);
    r->cash = sqlite3_column_int64(st, 3);
    r->buying_power = sqlite3_column_int64(st, 4);
    r->taken_at = sqlite3_column_int64(st, 5);
}

int rd_sqlite_snapshot_put(struct rd_store *s, const struct rd_snapshot_row *r,
                           struct rd_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prep(s,
                  "INSERT INTO perf_snapshots (" SNAP_COLS ") VALUES (?, ?, ?, ?, ?, ?) "
                  "ON CONFLICT (account, day) DO UPDATE SET equity = excluded.equity, "
                  "cash = excluded.cash, buying_power = excluded.buying_power, "
                  "taken_at = excluded.taken_at",
                  &st, "snapshot_put", err);

    if (rc)
        return rc;
    bind_field(st, 1, r->account, sizeof r->account);
    sqlite3_bind_int64(st, 2, r->day);
    sqlite3_bind_int64(st, 3, r->equity);
    sqlite3_bind_int64(st, 4, r->cash);
    sqlite3_bind_int64(st, 5, r->buying_power);
    sqlite3_bind_int64(st, 6, r->taken_at);
    return run_once(s, st, "snapshot_put", err);
}

int rd_sqlite_snapshot_get(struct rd_store *s, const char *account, int32_t day,
                           struct rd_snapshot_row *r, struct rd_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prep(s, "SELECT " SNAP_COLS " FROM perf_snapshots WHERE account = ? AND day = ?",
                  &st, "snapshot_get", err);

    if (rc)
        return rc;
    bind_str(st, 1, account);
    sqlite3_bind_int64(st, 2, day);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        read_snapshot(st, r);
        rc = RD_OK;
    } else if (rc == SQLITE_DONE) {
        rc = rd_error_set(err, RD_ENOTFOUND, "no snapshot of account \"%.64s\" on day %d",
                          account, (int)day);
    } else {
        rc = rd_sqlite_fail(s, rc, err, "snapshot_get");
    }
    sqlite3_finalize(st);
    return rc;
}

int rd_sqlite_snapshot_list(struct rd_store *s, const char *account, int32_t from, int32_t to,
                            int (*visit)(void *ctx, const struct rd_snapshot_row *), void *ctx,
                            struct rd_error *err)
{
    sqlite3_stmt *st = NULL;
    int i = 1, rc = prep(s,
                         account ? "SELECT " SNAP_COLS " FROM perf_snapshots WHERE account = ? "
                                   "AND day >= ? AND day <= ? ORDER BY day"
                                 : "SELECT " SNAP_COLS " FROM perf_snapshots WHERE day >= ? "
                                   "AND day <= ? ORDER BY account, day",
                         &st, "snapshot_list", err);

    if (rc)
        return rc;
    if (account)
        bind_str(st, i++, account);
    sqlite3_bind_int64(st, i++, from);
    sqlite3_bind_int64(st, i, to);
    for (;;) {
        struct rd_snapshot_row r;
        int src = sqlite3_step(st);

        if (src == SQLITE_DONE)
            break;
        if (src != SQLITE_ROW) {
            rc = rd_sqlite_fail(s, src, err, "snapshot_list");
            break;
        }
        read_snapshot(st, &r);
        rc = visit(ctx, &r);
        if (rc)
            break;
    }
    sqlite3_finalize(st);
    return rc;
}

int rd_sqlite_snapshot_delete(struct rd_store *s, const char *account, int32_t day,
                              struct rd_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prep(s, "DELETE FROM perf_snapshots WHERE account = ? AND day = ?", &st,
                  "snapshot_delete", err);

    if (rc)
        return rc;
    bind_str(st, 1, account);
    sqlite3_bind_int64(st, 2, day);
    return run_once(s, st, "snapshot_delete", err);
}

/* ---- the alerts' audit trail ---- */

int rd_sqlite_perf_event_add(struct rd_store *s, struct rd_perf_event_row *e,
                             struct rd_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prep(s,
                  "INSERT INTO perf_events (account, kind, day, period, value_ppm, "
                  "threshold_ppm, at, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                  &st, "perf_event_add", err);

    if (rc)
        return rc;
    bind_field(st, 1, e->account, sizeof e->account);
    bind_field(st, 2, e->kind, sizeof e->kind);
    sqlite3_bind_int64(st, 3, e->day);
    sqlite3_bind_int64(st, 4, e->period);
    sqlite3_bind_int64(st, 5, e->value_ppm);
    sqlite3_bind_int64(st, 6, e->threshold_ppm);
    sqlite3_bind_int64(st, 7, e->at);
    bind_field(st, 8, e->message, sizeof e->message);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        e->id = sqlite3_column_int64(st, 0);
        rc = sqlite3_step(st);
    }
    if (rc == SQLITE_DONE) {
        rc = RD_OK;
    } else {
        char what[160];

        snprintf(what, sizeof what, "perf_event_add %.32s of account \"%.64s\" (period %d)",
                 e->kind, e->account, (int)e->period);
        rc = rd_sqlite_fail(s, rc, err, what);
    }
    sqlite3_finalize(st);
    return rc;
}

int rd_sqlite_perf_event_list(struct rd_store *s, const char *account, size_t limit,
                              int (*visit)(void *ctx, const struct rd_perf_event_row *), void *ctx,
                              struct rd_error *err)
{
    sqlite3_stmt *st = NULL;
    int i = 1, rc = prep(s,
                         account ? "SELECT * FROM (SELECT " EVENT_COLS " FROM perf_events "
                                   "WHERE account = ? ORDER BY id DESC LIMIT ?) ORDER BY id"
                                 : "SELECT * FROM (SELECT " EVENT_COLS " FROM perf_events "
                                   "ORDER BY id DESC LIMIT ?) ORDER BY id",
                         &st, "perf_event_list", err);

    if (rc)
        return rc;
    if (account)
        bind_str(st, i++, account);
    sqlite3_bind_int64(st, i, limit ? (int64_t)limit : -1);
    for (;;) {
        struct rd_perf_event_row e;
        int src = sqlite3_step(st);

        if (src == SQLITE_DONE)
            break;
        if (src != SQLITE_ROW) {
            rc = rd_sqlite_fail(s, src, err, "perf_event_list");
            break;
        }
        memset(&e, 0, sizeof e);
        e.id = sqlite3_column_int64(st, 0);
        rd_sqlite_col_text(st, 1, e.account, sizeof e.account);
        rd_sqlite_col_text(st, 2, e.kind, sizeof e.kind);
        e.day = (int32_t)sqlite3_column_int64(st, 3);
        e.period = (int32_t)sqlite3_column_int64(st, 4);
        e.value_ppm = sqlite3_column_int64(st, 5);
        e.threshold_ppm = sqlite3_column_int64(st, 6);
        e.at = sqlite3_column_int64(st, 7);
        rd_sqlite_col_text(st, 8, e.message, sizeof e.message);
        rc = visit(ctx, &e);
        if (rc)
            break;
    }
    sqlite3_finalize(st);
    return rc;
}

/* ---- closed trades ---- */

int rd_sqlite_trade_list(struct rd_store *s, const char *account, int64_t since, int64_t until,
                         int (*visit)(void *ctx, const struct rd_trade_row *), void *ctx,
                         struct rd_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prep(s,
                  "SELECT " TRADE_COLS " FROM trades WHERE account = ? AND closed_at >= ? "
                  "AND closed_at < ? ORDER BY closed_at, rowid",
                  &st, "trade_list", err);

    if (rc)
        return rc;
    bind_str(st, 1, account);
    sqlite3_bind_int64(st, 2, since);
    sqlite3_bind_int64(st, 3, until ? until : INT64_MAX);
    for (;;) {
        struct rd_trade_row t;
        int src = sqlite3_step(st);

        if (src == SQLITE_DONE)
            break;
        if (src != SQLITE_ROW) {
            rc = rd_sqlite_fail(s, src, err, "trade_list");
            break;
        }
        memset(&t, 0, sizeof t);
        rd_sqlite_col_text(st, 0, t.account, sizeof t.account);
        rd_sqlite_col_text(st, 1, t.symbol, sizeof t.symbol);
        t.qty = sqlite3_column_int64(st, 2);
        t.multiplier = sqlite3_column_int64(st, 3);
        t.entry_price = sqlite3_column_int64(st, 4);
        t.exit_price = sqlite3_column_int64(st, 5);
        t.pnl = sqlite3_column_int64(st, 6);
        t.opened_at = sqlite3_column_int64(st, 7);
        t.closed_at = sqlite3_column_int64(st, 8);
        t.day_trade = (int)sqlite3_column_int64(st, 9);
        rc = visit(ctx, &t);
        if (rc)
            break;
    }
    sqlite3_finalize(st);
    return rc;
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
