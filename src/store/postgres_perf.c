/*
 * postgres_perf.c - the PostgreSQL backend's performance operations, as
 * sqlite_perf.c does them: daily equity snapshots (one row per account and ET
 * trading day, upserted), the audit trail of performance alerts (one per
 * account, kind and period), and closed trades listed for the trade
 * statistics. Schema: migration 4 in postgres_schema.c; docs/metrics.md.
 *
 * Statements are prepared once per connection on first use (rd_pg_ext_exec)
 * and run with text parameters. SQLite's rowid order of trades is the
 * identity column trades.seq here.
 */
#include "store/postgres_int.h"
#include "store/store_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/banned.h"

#define SNAP_COLS "account, day, equity, cash, buying_power, taken_at, sealed"
#define EVENT_COLS "id, account, kind, day, period, value_ppm, threshold_ppm, at, message"
#define TRADE_COLS                                                                         \
    "account, symbol, qty, multiplier, entry_price, exit_price, pnl, opened_at, closed_at, " \
    "day_trade"


/* ---- snapshots ---- */

static int read_snapshot(const struct rd_store *s, const PGresult *r, int row,
                         struct rd_snapshot_row *sn, struct rd_error *err)
{
    memset(sn, 0, sizeof *sn);
    rd_pg_col_text(r, row, 0, sn->account, sizeof sn->account);
    sn->day = (int32_t)rd_pg_col_i64(r, row, 1);
    sn->taken_at = rd_pg_col_i64(r, row, 5);
    if (s->keyed)
        return rd_store_snapshot_open(&s->key, sn, PQgetisnull(r, row, 6) ? NULL
                                                                    : rd_pg_col_cstr(r, row, 6),
                                      err);
    sn->equity = rd_pg_col_i64(r, row, 2);
    sn->cash = rd_pg_col_i64(r, row, 3);
    sn->buying_power = rd_pg_col_i64(r, row, 4);
    return RD_OK;
}

int rd_pg_snapshot_put(struct rd_store *s, const struct rd_snapshot_row *r, struct rd_error *err)
{
    char sealed[RD_STORE_SNAPSHOT_SEALED];
    struct rd_pg_bind p;
    PGresult *res;
    int rc = s->keyed ? rd_store_snapshot_seal(&s->key, r, sealed, sizeof sealed, err) : RD_OK;

    if (rc)
        return rc;
    rd_pg_bind_init(&p);
    rd_pg_bind_field(&p, r->account, sizeof r->account);
    rd_pg_bind_i64(&p, r->day);
    rd_pg_bind_i64(&p, s->keyed ? 0 : r->equity);
    rd_pg_bind_i64(&p, s->keyed ? 0 : r->cash);
    rd_pg_bind_i64(&p, s->keyed ? 0 : r->buying_power);
    rd_pg_bind_i64(&p, r->taken_at);
    if (s->keyed)
        rd_pg_bind_str(&p, sealed);
    else
        rd_pg_bind_null(&p);
    rc = rd_pg_ext_run(s, RD_PGX_SNAPSHOT_PUT,
                       "INSERT INTO perf_snapshots (" SNAP_COLS ") "
                       "VALUES ($1, $2, $3, $4, $5, $6, $7) "
                       "ON CONFLICT (account, day) DO UPDATE SET equity = excluded.equity, "
                       "cash = excluded.cash, buying_power = excluded.buying_power, "
                       "sealed = excluded.sealed, "
                       "taken_at = excluded.taken_at", &p, &res, "snapshot_put", err);
    PQclear(res);
    return rc;
}

int rd_pg_snapshot_get(struct rd_store *s, const char *account, int32_t day,
                       struct rd_snapshot_row *r, struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res;
    int rc;

    rd_pg_bind_init(&p);
    rd_pg_bind_str(&p, account);
    rd_pg_bind_i64(&p, day);
    rc = rd_pg_ext_run(s, RD_PGX_SNAPSHOT_GET,
            "SELECT " SNAP_COLS " FROM perf_snapshots WHERE account = $1 AND day = $2", &p, &res,
            "snapshot_get", err);
    if (rc)
        return rc;
    if (PQntuples(res) == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "no snapshot of account \"%.64s\" on day %d",
                          account, (int)day);
    else
        rc = read_snapshot(s, res, 0, r, err);
    PQclear(res);
    return rc;
}

int rd_pg_snapshot_list(struct rd_store *s, const char *account, int32_t from, int32_t to,
                        int (*visit)(void *ctx, const struct rd_snapshot_row *), void *ctx,
                        struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res;
    int rc;

    rd_pg_bind_init(&p);
    if (account) {
        rd_pg_bind_str(&p, account);
        rd_pg_bind_i64(&p, from);
        rd_pg_bind_i64(&p, to);
        rc = rd_pg_ext_run(s, RD_PGX_SNAPSHOT_LIST_OF,
                "SELECT " SNAP_COLS " FROM perf_snapshots WHERE account = $1 AND day >= $2 "
                "AND day <= $3 ORDER BY day", &p, &res, "snapshot_list", err);
    } else {
        rd_pg_bind_i64(&p, from);
        rd_pg_bind_i64(&p, to);
        rc = rd_pg_ext_run(s, RD_PGX_SNAPSHOT_LIST_ALL,
                           "SELECT " SNAP_COLS " FROM perf_snapshots WHERE day >= $1 AND day <= $2 "
                           "ORDER BY account, day", &p, &res, "snapshot_list", err);
    }
    for (int i = 0, n = rc ? 0 : PQntuples(res); !rc && i < n; i++) {
        struct rd_snapshot_row r;

        rc = read_snapshot(s, res, i, &r, err);
        if (!rc)
            rc = visit(ctx, &r);
    }
    PQclear(res);
    return rc;
}

int rd_pg_snapshot_delete(struct rd_store *s, const char *account, int32_t day,
                          struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res;
    int rc;

    rd_pg_bind_init(&p);
    rd_pg_bind_str(&p, account);
    rd_pg_bind_i64(&p, day);
    rc = rd_pg_ext_run(s, RD_PGX_SNAPSHOT_DELETE,
                       "DELETE FROM perf_snapshots WHERE account = $1 AND day = $2", &p, &res,
                       "snapshot_delete", err);
    PQclear(res);
    return rc;
}

/* ---- the alerts' audit trail ---- */

int rd_pg_perf_event_add(struct rd_store *s, struct rd_perf_event_row *e, struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res;
    int rc;

    rd_pg_bind_init(&p);
    rd_pg_bind_field(&p, e->account, sizeof e->account);
    rd_pg_bind_field(&p, e->kind, sizeof e->kind);
    rd_pg_bind_i64(&p, e->day);
    rd_pg_bind_i64(&p, e->period);
    rd_pg_bind_i64(&p, e->value_ppm);
    rd_pg_bind_i64(&p, e->threshold_ppm);
    rd_pg_bind_i64(&p, e->at);
    rd_pg_bind_field(&p, e->message, sizeof e->message);
    /* Recorded before: nothing written, nothing aborted. */
    rc = rd_pg_ext_run(s, RD_PGX_EVENT_ADD,
            "INSERT INTO perf_events (account, kind, day, period, value_ppm, threshold_ppm, at, "
            "message) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING "
            "RETURNING id", &p, &res, "perf_event_add", err);
    if (rc)
        return rc;
    if (PQntuples(res) == 1)
        e->id = rd_pg_col_i64(res, 0, 0);
    else
        rc = rd_error_set(err, RD_EEXIST, "perf_event_add %.32s of account \"%.64s\" (period %d): "
                          "already exists", e->kind, e->account, (int)e->period);
    PQclear(res);
    return rc;
}

int rd_pg_perf_event_list(struct rd_store *s, const char *account, size_t limit,
                          int (*visit)(void *ctx, const struct rd_perf_event_row *), void *ctx,
                          struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res;
    int rc;

    rd_pg_bind_init(&p);
    if (account)
        rd_pg_bind_str(&p, account);
    if (limit == 0)
        rd_pg_bind_null(&p);   /* LIMIT NULL: all */
    else
        rd_pg_bind_i64(&p, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    if (account)
        rc = rd_pg_ext_run(s, RD_PGX_EVENT_LIST_OF,
                "SELECT * FROM (SELECT " EVENT_COLS " FROM perf_events WHERE account = $1 "
                "ORDER BY id DESC LIMIT $2) AS newest ORDER BY id", &p, &res, "perf_event_list",
                err);
    else
        rc = rd_pg_ext_run(s, RD_PGX_EVENT_LIST_ALL,
                           "SELECT * FROM (SELECT " EVENT_COLS " FROM perf_events ORDER BY id DESC "
                           "LIMIT $1) AS newest ORDER BY id", &p, &res, "perf_event_list", err);
    for (int i = 0, n = rc ? 0 : PQntuples(res); !rc && i < n; i++) {
        struct rd_perf_event_row e;

        memset(&e, 0, sizeof e);
        e.id = rd_pg_col_i64(res, i, 0);
        rd_pg_col_text(res, i, 1, e.account, sizeof e.account);
        rd_pg_col_text(res, i, 2, e.kind, sizeof e.kind);
        e.day = (int32_t)rd_pg_col_i64(res, i, 3);
        e.period = (int32_t)rd_pg_col_i64(res, i, 4);
        e.value_ppm = rd_pg_col_i64(res, i, 5);
        e.threshold_ppm = rd_pg_col_i64(res, i, 6);
        e.at = rd_pg_col_i64(res, i, 7);
        rd_pg_col_text(res, i, 8, e.message, sizeof e.message);
        rc = visit(ctx, &e);
    }
    PQclear(res);
    return rc;
}

/* ---- closed trades ---- */

int rd_pg_trade_list(struct rd_store *s, const char *account, int64_t since, int64_t until,
                     int (*visit)(void *ctx, const struct rd_trade_row *), void *ctx,
                     struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res;
    int rc;

    rd_pg_bind_init(&p);
    rd_pg_bind_str(&p, account);
    rd_pg_bind_i64(&p, since);
    rd_pg_bind_i64(&p, until ? until : INT64_MAX);
    rc = rd_pg_ext_run(s, RD_PGX_TRADE_LIST,
                       "SELECT " TRADE_COLS " FROM trades WHERE account = $1 AND closed_at >= $2 "
                       "AND closed_at < $3 ORDER BY closed_at, seq", &p, &res, "trade_list", err);
    for (int i = 0, n = rc ? 0 : PQntuples(res); !rc && i < n; i++) {
        struct rd_trade_row t;

        memset(&t, 0, sizeof t);
        rd_pg_col_text(res, i, 0, t.account, sizeof t.account);
        rd_pg_col_text(res, i, 1, t.symbol, sizeof t.symbol);
        t.qty = rd_pg_col_i64(res, i, 2);
        t.multiplier = rd_pg_col_i64(res, i, 3);
        t.entry_price = rd_pg_col_i64(res, i, 4);
        t.exit_price = rd_pg_col_i64(res, i, 5);
        t.pnl = rd_pg_col_i64(res, i, 6);
        t.opened_at = rd_pg_col_i64(res, i, 7);
        t.closed_at = rd_pg_col_i64(res, i, 8);
        t.day_trade = (int)rd_pg_col_i64(res, i, 9);
        rc = visit(ctx, &t);
    }
    PQclear(res);
    return rc;
}

const struct rd_store_perf_ops rd_pg_perf_ops = {
    .version = 1,
    .snapshot_put = rd_pg_snapshot_put,
    .snapshot_get = rd_pg_snapshot_get,
    .snapshot_list = rd_pg_snapshot_list,
    .snapshot_delete = rd_pg_snapshot_delete,
    .perf_event_add = rd_pg_perf_event_add,
    .perf_event_list = rd_pg_perf_event_list,
    .trade_list = rd_pg_trade_list,
};
