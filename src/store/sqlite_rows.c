/*
 * sqlite_rows.c - the SQLite backend's core tables as its statements see them:
 * the SQL of every statement sqlite.c prepares when a handle opens (values
 * are always bound, never written into SQL), and the readers that turn their
 * result rows back into structs, column by column in the *_COLS orders below.
 * A stored name this riskdesk does not know is reported, never half-read.
 */
#include <inttypes.h>
#include <string.h>

#include <sqlite3.h>

#include "store/sqlite_int.h"
#include "store/store_int.h"
#include "riskdesk/banned.h"

/* ---- statements ---- */

#define ACCOUNT_COLS "name, tier, state, halted_until, state_reason, updated_at"
#define REC_COLS RD_SQLITE_REC_COLS
#define DECISION_COLS RD_SQLITE_DECISION_COLS
#define ORDER_COLS                                                               \
    "client_order_id, account, rec_id, decision_id, symbol, underlying, side, intent, " \
    "strategy, qty, multiplier, ref_price, status, broker_order_id, filled_qty, "  \
    "fill_price, reason, created_at, updated_at"
#define POSITION_COLS                                                            \
    "account, symbol, underlying, strategy, qty, multiplier, avg_price, opened_at, rec_id"
#define TRADE_COLS                                                               \
    "account, symbol, qty, multiplier, entry_price, exit_price, pnl, opened_at, closed_at, " \
    "day_trade"

const char *const rd_sqlite_core_sql[RD_SQC_COUNT] = {
    [RD_SQC_BEGIN] = "BEGIN IMMEDIATE",
    [RD_SQC_COMMIT] = "COMMIT",
    [RD_SQC_ROLLBACK] = "ROLLBACK",
    [RD_SQC_ACCOUNT_PUT] =
        "INSERT INTO accounts (" ACCOUNT_COLS ") VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET tier = excluded.tier, state = excluded.state, "
        "halted_until = excluded.halted_until, state_reason = excluded.state_reason, "
        "updated_at = excluded.updated_at",
    [RD_SQC_ACCOUNT_GET] = "SELECT " ACCOUNT_COLS " FROM accounts WHERE name = ?",
    [RD_SQC_ACCOUNT_LIST] = "SELECT " ACCOUNT_COLS " FROM accounts ORDER BY name",
    /* seq: the recommendation's place in the order taken (writers are
     * serialized, and recs are never deleted, so it only grows) */
    [RD_SQC_REC_ADD] =
        "INSERT INTO recs (" REC_COLS ", seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM recs))",
    [RD_SQC_REC_GET] = "SELECT " REC_COLS " FROM recs WHERE id = ?",
    /* Walks recs_created in order, skips those for another account and probes
     * the decisions (account, rec_id) unique index for each; stops after LIMIT
     * rows. */
    [RD_SQC_REC_TOP] = "SELECT coalesce(max(seq), 0) FROM recs",
    [RD_SQC_REC_UNDECIDED] =
        "SELECT " REC_COLS ", seq FROM recs WHERE seq > ?2 AND seq <= ?3 AND "
        "(recs.account IS NULL OR recs.account = ?1) AND "
        "NOT EXISTS (SELECT 1 FROM decisions WHERE decisions.account = ?1 AND "
        "decisions.rec_id = recs.id) ORDER BY seq LIMIT ?4",
    [RD_SQC_DECISION_ADD] =
        "INSERT INTO decisions (account, rec_id, decided_at, approved, size, first_failed, "
        "budget, unit_risk, unit_cost, risk_pct, kelly_used, verdicts) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",       /* id: the rowid (decision_write) */
    [RD_SQC_DECISION_LIST] = "SELECT " DECISION_COLS " FROM decisions WHERE account = ? "
                             "ORDER BY decided_at DESC, id DESC LIMIT ?",
    [RD_SQC_ORDER_ADD] = "INSERT INTO orders (" ORDER_COLS ") VALUES "
                         "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [RD_SQC_ORDER_UPDATE] =
        "UPDATE orders SET status = ?, broker_order_id = ?, filled_qty = ?, fill_price = ?, "
        "reason = ?, updated_at = ? WHERE client_order_id = ? AND account = ?",
    [RD_SQC_ORDER_GET] = "SELECT " ORDER_COLS " FROM orders WHERE client_order_id = ?",
    [RD_SQC_ORDER_LIST] = "SELECT " ORDER_COLS " FROM orders WHERE account = ? "
                          "ORDER BY created_at, client_order_id",
    [RD_SQC_ORDER_LIST_STATUS] =
        "SELECT " ORDER_COLS " FROM orders WHERE account = ? AND status = ? "
        "ORDER BY created_at, client_order_id",
    [RD_SQC_POSITION_PUT] =
        "INSERT INTO positions (" POSITION_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (account, symbol) DO UPDATE SET underlying = excluded.underlying, "
        "strategy = excluded.strategy, qty = excluded.qty, multiplier = excluded.multiplier, "
        "avg_price = excluded.avg_price, opened_at = excluded.opened_at, rec_id = excluded.rec_id",
    [RD_SQC_POSITION_DELETE] = "DELETE FROM positions WHERE account = ? AND symbol = ?",
    [RD_SQC_POSITION_LIST] =
        "SELECT " POSITION_COLS " FROM positions WHERE account = ? ORDER BY symbol",
    [RD_SQC_TRADE_ADD] =
        "INSERT INTO trades (" TRADE_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    /* ?1 day_start, ?2 account, ?3 underlying. Index orders_account_underlying. */
    [RD_SQC_ACT_ENTRIES] =
        "SELECT COUNT(CASE WHEN created_at >= ?1 THEN 1 END), MAX(created_at) FROM orders "
        "WHERE account = ?2 AND underlying = ?3 AND intent = 'entry' "
        "AND status NOT IN ('rejected', 'canceled')",
    /* Index orders_account_created. */
    [RD_SQC_ACT_MINUTE] = "SELECT COUNT(*) FROM orders WHERE account = ? AND created_at >= ?",
    /* ?1 pdt_since, ?2 kelly_since, ?3 account, ?4 the earlier of the two.
     * Index trades_account_closed. */
    [RD_SQC_ACT_TRADES] =
        "SELECT COUNT(CASE WHEN day_trade = 1 AND closed_at >= ?1 THEN 1 END), "
        "COUNT(CASE WHEN closed_at >= ?2 THEN 1 END), "
        "COUNT(CASE WHEN closed_at >= ?2 AND pnl > 0 THEN 1 END), "
        "SUM(CASE WHEN closed_at >= ?2 AND pnl > 0 THEN pnl ELSE 0 END), "
        "SUM(CASE WHEN closed_at >= ?2 AND pnl < 0 THEN -pnl ELSE 0 END) "
        "FROM trades WHERE account = ?3 AND closed_at >= ?4",
    [RD_SQC_KV_GET] = "SELECT val FROM kv WHERE ns = ? AND key = ?",
    [RD_SQC_KV_INSERT] = "INSERT INTO kv (ns, key, val) VALUES (?, ?, ?)",
    [RD_SQC_KV_UPSERT] = "INSERT INTO kv (ns, key, val) VALUES (?, ?, ?) "
                         "ON CONFLICT (ns, key) DO UPDATE SET val = excluded.val",
};

/* ---- columns ---- */

void rd_sqlite_col_text(sqlite3_stmt *st, int i, char *dst, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    size_t n = t ? (size_t)sqlite3_column_bytes(st, i) : 0;

    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, t, n);
    dst[n] = '\0';
}

#define COL_TEXT(st, i, field) rd_sqlite_col_text((st), (i), (field), sizeof(field))

static int bad_column(struct rd_error *err, const char *table, const char *col, sqlite3_stmt *st,
                      int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);

    return rd_error_set(err, RD_ESTORE, "store: %s.%s holds \"%.40s\", which this riskdesk does not know",
                        table, col, t ? (const char *)t : "NULL");
}

/* ---- rows ---- */

static const char *col_cstr(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);

    return t ? (const char *)t : "";
}

int rd_sqlite_read_account(sqlite3_stmt *st, struct rd_account_row *a, struct rd_error *err)
{
    memset(a, 0, sizeof *a);
    COL_TEXT(st, 0, a->name);
    COL_TEXT(st, 1, a->tier);
    if (rd_store_state_parse(col_cstr(st, 2), &a->state))
        return bad_column(err, "accounts", "state", st, 2);
    a->halted_until = (int32_t)sqlite3_column_int64(st, 3);
    COL_TEXT(st, 4, a->state_reason);
    a->updated_at = sqlite3_column_int64(st, 5);
    return RD_OK;
}

int rd_sqlite_read_rec(sqlite3_stmt *st, struct rd_rec *r, struct rd_error *err)
{
    memset(r, 0, sizeof *r);
    COL_TEXT(st, 0, r->id);
    r->created_at = sqlite3_column_int64(st, 1);
    COL_TEXT(st, 2, r->underlying);
    COL_TEXT(st, 3, r->symbol);
    if (rd_store_action_parse(col_cstr(st, 4), &r->action))
        return bad_column(err, "recs", "action", st, 4);
    if (rd_store_strategy_parse(col_cstr(st, 5), &r->strategy))
        return bad_column(err, "recs", "strategy", st, 5);
    r->confidence = sqlite3_column_int64(st, 6);
    r->volume_ratio = sqlite3_column_int64(st, 7);
    r->price = sqlite3_column_int64(st, 8);
    r->stop_price = sqlite3_column_int64(st, 9);
    r->expires_at = sqlite3_column_int64(st, 10);
    r->has_vix = sqlite3_column_int(st, 11);
    r->vix = sqlite3_column_int64(st, 12);
    COL_TEXT(st, 13, r->account);
    r->qty = sqlite3_column_int64(st, 14);
    if (rd_rec_origin_parse(col_cstr(st, 15), &r->origin))
        return bad_column(err, "recs", "origin", st, 15);
    return RD_OK;
}

int rd_sqlite_read_decision(sqlite3_stmt *st, struct rd_decision_row *row, struct rd_error *err)
{
    struct rd_decision *d = &row->d;
    int rc;

    memset(row, 0, sizeof *row);
    row->id = sqlite3_column_int64(st, 0);
    COL_TEXT(st, 1, row->account);
    COL_TEXT(st, 2, row->rec_id);
    row->decided_at = sqlite3_column_int64(st, 3);
    d->approved = sqlite3_column_int(st, 4);
    d->size = sqlite3_column_int64(st, 5);
    if (sqlite3_column_type(st, 6) == SQLITE_NULL)
        d->first_failed = RD_GATE_COUNT;
    else if (rd_store_gate_parse(col_cstr(st, 6), &d->first_failed))
        return bad_column(err, "decisions", "first_failed", st, 6);
    d->budget = sqlite3_column_int64(st, 7);
    d->unit_risk = sqlite3_column_int64(st, 8);
    d->unit_cost = sqlite3_column_int64(st, 9);
    d->risk_pct = sqlite3_column_int64(st, 10);
    d->kelly_used = sqlite3_column_int(st, 11);
    rc = rd_store_verdicts_decode(col_cstr(st, 12), (size_t)sqlite3_column_bytes(st, 12), d,
                                  &row->in, err);
    if (rc)
        return rd_error_prefix(err, "store: decision %" PRId64, row->id);
    return RD_OK;
}

int rd_sqlite_read_order(sqlite3_stmt *st, struct rd_order_row *o, struct rd_error *err)
{
    memset(o, 0, sizeof *o);
    COL_TEXT(st, 0, o->client_order_id);
    COL_TEXT(st, 1, o->account);
    COL_TEXT(st, 2, o->rec_id);
    o->decision_id = sqlite3_column_int64(st, 3);
    COL_TEXT(st, 4, o->symbol);
    COL_TEXT(st, 5, o->underlying);
    if (rd_store_side_parse(col_cstr(st, 6), &o->side))
        return bad_column(err, "orders", "side", st, 6);
    if (rd_store_intent_parse(col_cstr(st, 7), &o->intent))
        return bad_column(err, "orders", "intent", st, 7);
    if (rd_store_strategy_parse(col_cstr(st, 8), &o->strategy))
        return bad_column(err, "orders", "strategy", st, 8);
    o->qty = sqlite3_column_int64(st, 9);
    o->multiplier = sqlite3_column_int64(st, 10);
    o->ref_price = sqlite3_column_int64(st, 11);
    if (rd_order_status_parse(col_cstr(st, 12), &o->status))
        return bad_column(err, "orders", "status", st, 12);
    COL_TEXT(st, 13, o->broker_order_id);
    o->filled_qty = sqlite3_column_int64(st, 14);
    o->fill_price = sqlite3_column_int64(st, 15);
    COL_TEXT(st, 16, o->reason);
    o->created_at = sqlite3_column_int64(st, 17);
    o->updated_at = sqlite3_column_int64(st, 18);
    return RD_OK;
}

int rd_sqlite_read_position(sqlite3_stmt *st, struct rd_position_row *p, struct rd_error *err)
{
    memset(p, 0, sizeof *p);
    COL_TEXT(st, 0, p->account);
    COL_TEXT(st, 1, p->symbol);
    COL_TEXT(st, 2, p->underlying);
    if (rd_store_strategy_parse(col_cstr(st, 3), &p->strategy))
        return bad_column(err, "positions", "strategy", st, 3);
    p->qty = sqlite3_column_int64(st, 4);
    p->multiplier = sqlite3_column_int64(st, 5);
    p->avg_price = sqlite3_column_int64(st, 6);
    p->opened_at = sqlite3_column_int64(st, 7);
    COL_TEXT(st, 8, p->rec_id);
    return RD_OK;
}
