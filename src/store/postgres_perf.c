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

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/banned.h"

#define SNAP_COLS "account, day, equity, cash, buying_power, taken_at"
#define EVENT_COLS "id, account, kind, day, period, value_ppm, threshold_ppm, at, message"
#define TRADE_COLS                                                                         \
    "account, symbol, qty, multiplier, entry_price, exit_price, pnl, opened_at, closed_at, " \
    "day_trade"

/* Text parameters; numbers and cut copies of fields are kept in buf. */
struct params {
    const char *v[12];
    char buf[12][272];
    int n;
};

static void p_str(struct params *p, const char *s)
{
    p->v[p->n++] = s;
}

static void p_null(struct params *p)
{
    p->v[p->n++] = NULL;
}

static void p_i64(struct params *p, int64_t v)
{
    snprintf(p->buf[p->n], sizeof p->buf[0], "%" PRId64, v);
    p->v[p->n] = p->buf[p->n];
    p->n++;
}

/* A fixed-size field (cap <= 256) that may lack its NUL. */
static void p_field(struct params *p, const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);

    memcpy(p->buf[p->n], s, n);
    p->buf[p->n][n] = '\0';
    p->v[p->n] = p->buf[p->n];
    p->n++;
}

static int64_t c_i64(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : (int64_t)strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static void c_text(const PGresult *r, int row, int col, char *dst, size_t cap)
{
    size_t n = PQgetisnull(r, row, col) ? 0 : (size_t)PQgetlength(r, row, col);

    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, PQgetvalue(r, row, col), n);
    dst[n] = '\0';
}

static int exec(struct rd_store *s, enum rd_pg_ext slot, const char *sql, const struct params *p,
                PGresult **res, const char *what, struct rd_error *err)
{
    return rd_pg_ext_exec(s, slot, sql, p->n, p->v, res, what, err);
}

/* ---- snapshots ---- */

static void read_snapshot(const PGresult *r, int row, struct rd_snapshot_row *sn)
{
    memset(sn, 0, sizeof *sn);
    c_text(r, row, 0, sn->account, sizeof sn->account);
    sn->day = (int32_t)c_i64(r, row, 1);
    sn->equity = c_i64(r, row, 2);
    sn->cash = c_i64(r, row, 3);
    sn->buying_power = c_i64(r, row, 4);
    sn->taken_at = c_i64(r, row, 5);
}

int rd_pg_snapshot_put(struct rd_store *s, const struct rd_snapshot_row *r, struct rd_error *err)
{
    struct params p = {.n = 0};
    PGresult *res;
    int rc;

    p_field(&p, r->account, sizeof r->account);
    p_i64(&p, r->day);
    p_i64(&p, r->equity);
    p_i64(&p, r->cash);
    p_i64(&p, r->buying_power);
    p_i64(&p, r->taken_at);
    rc = exec(s, RD_PGX_SNAPSHOT_PUT,
              "INSERT INTO perf_snapshots (" SNAP_COLS ") VALUES ($1, $2, $3, $4, $5, $6) "
              "ON CONFLICT (account, day) DO UPDATE SET equity = excluded.equity, "
              "cash = excluded.cash, buying_power = excluded.buying_power, "
              "taken_at = excluded.taken_at", &p, &res, "snapshot_put", err);
    PQclear(res);
    return rc;
}

int rd_pg_snapshot_get(struct rd_store *s, const char *account, int32_t day,
                       struct rd_snapshot_row *r, struct rd_error *err)
{
    struct params p = {.n = 0};
    PGresult *res;
    int rc;

    p_str(&p, account);
    p_i64(&p, day);
    rc = exec(s, RD_PGX_SNAPSHOT_GET,
              "SELECT " SNAP_COLS " FROM perf_snapshots WHERE account = $1 AND day = $2", &p, &res,
              "snapshot_get", err);
    if (rc)
        return rc;
    if (PQntuples(res) == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "no snapshot of account \"%.64s\" on day %d",
                          account, (int)day);
    else
        read_snapshot(res, 0, r);
    PQclear(res);
    return rc;
}

int rd_pg_snapshot_list(struct rd_store *s, const char *account, int32_t from, int32_t to,
                        int (*visit)(void *ctx, const struct rd_snapshot_row *), void *ctx,
                        struct rd_error *err)
{
    struct params p = {.n = 0};
    PGresult *res;
    int rc;

    if (account) {
        p_str(&p, account);
        p_i64(&p, from);
        p_i64(&p, to);
        rc = exec(s, RD_PGX_SNAPSHOT_LIST_OF,
                  "SELECT " SNAP_COLS " FROM perf_snapshots WHERE account = $1 AND day >= $2 "
                  "AND day <= $3 ORDER BY day", &p, &res, "snapshot_list", err);
    } else {
        p_i64(&p, from);
        p_i64(&p, to);
        rc = exec(s, RD_PGX_SNAPSHOT_LIST_ALL,
                  "SELECT " SNAP_COLS " FROM perf_snapshots WHERE day >= $1 AND day <= $2 "
                  "ORDER BY account, day", &p, &res, "snapshot_list", err);
    }
    for (int i = 0, n = rc ? 0 : PQntuples(res); !rc && i < n; i++) {
        struct rd_snapshot_row r;

        read_snapshot(res, i, &r);
        rc = visit(ctx, &r);
    }
    PQclear(res);
    return rc;
}

int rd_pg_snapshot_delete(struct rd_store *s, const char *account, int32_t day,
                          struct rd_error *err)
{
    struct params p = {.n = 0};
    PGresult *res;
    int rc;

    p_str(&p, account);
    p_i64(&p, day);
    rc = exec(s, RD_PGX_SNAPSHOT_DELETE,
              "DELETE FROM perf_snapshots WHERE account = $1 AND day = $2", &p, &res,
              "snapshot_delete", err);
    PQclear(res);
    return rc;
}

/* ---- the alerts' audit trail ---- */

int rd_pg_perf_event_add(struct rd_store *s, struct rd_perf_event_row *e, struct rd_error *err)
{
    struct params p = {.n = 0};
    PGresult *res;
    int rc;

    p_field(&p, e->account, sizeof e->account);
    p_field(&p, e->kind, sizeof e->kind);
    p_i64(&p, e->day);
    p_i64(&p, e->period);
    p_i64(&p, e->value_ppm);
    p_i64(&p, e->threshold_ppm);
    p_i64(&p, e->at);
    p_field(&p, e->message, sizeof e->message);
    /* Recorded before: nothing written, nothing aborted. */
    rc = exec(s, RD_PGX_EVENT_ADD,
              "INSERT INTO perf_events (account, kind, day, period, value_ppm, threshold_ppm, at, "
              "message) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING "
              "RETURNING id", &p, &res, "perf_event_add", err);
    if (rc)
        return rc;
    if (PQntuples(res) == 1)
        e->id = c_i64(res, 0, 0);
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
    struct params p = {.n = 0};
    PGresult *res;
    int rc;

    if (account)
        p_str(&p, account);
    if (limit == 0)
        p_null(&p);   /* LIMIT NULL: all */
    else
        p_i64(&p, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    if (account)
        rc = exec(s, RD_PGX_EVENT_LIST_OF,
                  "SELECT * FROM (SELECT " EVENT_COLS " FROM perf_events WHERE account = $1 "
                  "ORDER BY id DESC LIMIT $2) AS newest ORDER BY id", &p, &res, "perf_event_list",
                  err);
    else
        rc = exec(s, RD_PGX_EVENT_LIST_ALL,
                  "SELECT * FROM (SELECT " EVENT_COLS " FROM perf_events ORDER BY id DESC "
                  "LIMIT $1) AS newest ORDER BY id", &p, &res, "perf_event_list", err);
    for (int i = 0, n = rc ? 0 : PQntuples(res); !rc && i < n; i++) {
        struct rd_perf_event_row e;

        memset(&e, 0, sizeof e);
        e.id = c_i64(res, i, 0);
        c_text(res, i, 1, e.account, sizeof e.account);
        c_text(res, i, 2, e.kind, sizeof e.kind);
        e.day = (int32_t)c_i64(res, i, 3);
        e.period = (int32_t)c_i64(res, i, 4);
        e.value_ppm = c_i64(res, i, 5);
        e.threshold_ppm = c_i64(res, i, 6);
        e.at = c_i64(res, i, 7);
        c_text(res, i, 8, e.message, sizeof e.message);
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
    struct params p = {.n = 0};
    PGresult *res;
    int rc;

    p_str(&p, account);
    p_i64(&p, since);
    p_i64(&p, until ? until : INT64_MAX);
    rc = exec(s, RD_PGX_TRADE_LIST,
              "SELECT " TRADE_COLS " FROM trades WHERE account = $1 AND closed_at >= $2 "
              "AND closed_at < $3 ORDER BY closed_at, seq", &p, &res, "trade_list", err);
    for (int i = 0, n = rc ? 0 : PQntuples(res); !rc && i < n; i++) {
        struct rd_trade_row t;

        memset(&t, 0, sizeof t);
        c_text(res, i, 0, t.account, sizeof t.account);
        c_text(res, i, 1, t.symbol, sizeof t.symbol);
        t.qty = c_i64(res, i, 2);
        t.multiplier = c_i64(res, i, 3);
        t.entry_price = c_i64(res, i, 4);
        t.exit_price = c_i64(res, i, 5);
        t.pnl = c_i64(res, i, 6);
        t.opened_at = c_i64(res, i, 7);
        t.closed_at = c_i64(res, i, 8);
        t.day_trade = (int)c_i64(res, i, 9);
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
