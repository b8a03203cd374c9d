/*
 * sqlite_traders.c - the SQLite backend's traders operations: imported files,
 * fills and daily P&L rows, limits, trader-days, report runs and predictions
 * (schema: migration 3 in sqlite_schema.c; docs/traders.md).
 *
 * These are bulk operations called a few times per command, so each one
 * prepares its statements when called and finalizes them before it returns;
 * the per-row cost is in the binds and steps, not there. Values go through the
 * backend's binder (sqlite_int.h), never into SQL, and its first failure is
 * the statement's. Fills go in 50 rows per INSERT, which halves the
 * per-row cost of one-row statements. Names are kept once, in trader_names and
 * trader_symbols, and rows refer to them by id.
 */
#include "store/sqlite_traders.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "riskdesk/alloc.h"
#include "store/sqlite_int.h"
#include "store/store_int.h"
#include "riskdesk/banned.h"

#define ROWS_PER_INSERT 50
#define EACH_BATCH 4096                     /* fills handed to trader_fills_each's visit at a time */
#define FILL_COLS 8
#define DAY_COLS 7

static const char *const kind_names[] = {"fills", "daily", "limits"};

static const char *kind_name(int kind)
{
    return kind >= 0 && kind <= 2 ? kind_names[kind] : NULL;
}

static int kind_parse(const char *s, int *kind)
{
    for (int i = 0; i < 3; i++)
        if (!strcmp(s, kind_names[i])) {
            *kind = i;
            return RD_OK;
        }
    return RD_EINVAL;
}

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

/* ---- transactions: the caller's, or one of our own ---- */

static int tx_begin(struct rd_store *s, struct rd_error *err)
{
    return s->ops->begin(s, err);
}

static int tx_end(struct rd_store *s, int rc, struct rd_error *err)
{
    if (rc == RD_OK)
        return s->ops->commit(s, err);
    s->ops->rollback(s);
    return rc;
}

/* ---- names ---- */

/*
 * The database ids of every name in nm, into ids[0..nm->count): looked up,
 * and added when new. table is "trader_names" or "trader_symbols".
 */
static int name_ids(struct rd_store *s, const char *table, const struct rd_names *nm,
                    int64_t **ids_out, struct rd_error *err)
{
    char sel[96], ins[96];
    sqlite3_stmt *qs = NULL, *qi = NULL;
    int64_t *ids;
    int rc;

    *ids_out = NULL;
    ids = rd_calloc(nm->count ? nm->count : 1, sizeof *ids);
    if (!ids)
        return rd_error_set(err, RD_ENOMEM, "store: out of memory mapping %u names", nm->count);
    snprintf(sel, sizeof sel, "SELECT id FROM %s WHERE name = ?", table);
    snprintf(ins, sizeof ins, "INSERT INTO %s (name) VALUES (?) RETURNING id", table);
    rc = prep(s, sel, &qs, "look up names", err);
    if (!rc)
        rc = prep(s, ins, &qi, "add names", err);
    for (uint32_t i = 0; !rc && i < nm->count; i++) {
        struct rd_sqlite_binder bs, bi;
        int src;

        rd_sqlite_bind_init(&bs, qs);
        rd_sqlite_bind_str(&bs, nm->name[i]);
        src = rd_sqlite_bind_step(&bs);
        if (src == SQLITE_ROW) {
            ids[i] = sqlite3_column_int64(qs, 0);
        } else if (src == SQLITE_DONE) {
            rd_sqlite_bind_init(&bi, qi);
            rd_sqlite_bind_str(&bi, nm->name[i]);
            src = rd_sqlite_bind_step(&bi);
            if (src == SQLITE_ROW)
                ids[i] = sqlite3_column_int64(qi, 0);
            else
                rc = rd_sqlite_fail(s, src, err, "add a name");
            rd_sqlite_bind_done(&bi);
        } else {
            rc = rd_sqlite_fail(s, src, err, "look up a name");
        }
        rd_sqlite_bind_done(&bs);
    }
    sqlite3_finalize(qs);
    sqlite3_finalize(qi);
    if (rc) {
        rd_free(ids);
        return rc;
    }
    *ids_out = ids;
    return RD_OK;
}

/*
 * Reads a names table into nm and a map from database id to nm's id
 * (map[db id] = id + 1, 0 = none); *nmap is its size.
 */
static int load_names(struct rd_store *s, const char *table, struct rd_names *nm, uint32_t **map,
                      int64_t *nmap, struct rd_error *err)
{
    char sql[96];
    sqlite3_stmt *st = NULL;
    int64_t maxid = 0;
    int rc;

    *map = NULL;
    *nmap = 0;
    snprintf(sql, sizeof sql, "SELECT MAX(id) FROM %s", table);
    rc = prep(s, sql, &st, "read names", err);
    if (rc)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW)
        maxid = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    if (maxid < 0 || maxid > (int64_t)UINT32_MAX)
        return rd_error_set(err, RD_ESTORE, "store: %s ids go up to %" PRId64, table, maxid);
    *map = rd_calloc((size_t)maxid + 1, sizeof **map);
    if (!*map)
        return rd_error_set(err, RD_ENOMEM, "store: out of memory reading %s", table);
    *nmap = maxid + 1;
    snprintf(sql, sizeof sql, "SELECT id, name FROM %s ORDER BY id", table);
    rc = prep(s, sql, &st, "read names", err);
    while (!rc) {
        int src = sqlite3_step(st);
        int64_t id;
        uint32_t nid;

        if (src == SQLITE_DONE)
            break;
        if (src != SQLITE_ROW) {
            rc = rd_sqlite_fail(s, src, err, "read names");
            break;
        }
        id = sqlite3_column_int64(st, 0);
        if (id < 0 || id > maxid) {
            rc = rd_error_set(err, RD_ESTORE, "store: %s id %" PRId64 " out of range", table, id);
            break;
        }
        rc = rd_names_intern(nm, (const char *)sqlite3_column_text(st, 1),
                             (size_t)sqlite3_column_bytes(st, 1), &nid, err);
        if (!rc)
            (*map)[id] = nid + 1;
    }
    sqlite3_finalize(st);
    if (rc) {
        rd_free(*map);
        *map = NULL;
        *nmap = 0;
    }
    return rc;
}

/* map[db id] as an id of the names it was loaded into. */
static int mapped(const uint32_t *map, int64_t nmap, int64_t dbid, uint32_t *out,
                  const char *table, struct rd_error *err)
{
    if (dbid < 0 || dbid >= nmap || !map[dbid])
        return rd_error_set(err, RD_ESTORE, "store: a row refers to %s id %" PRId64
                            ", which is not there", table, dbid);
    *out = map[dbid] - 1;
    return RD_OK;
}

/* ---- imports ---- */

#define IMPORT_COLS "id, kind, sha256, path, bytes, rows, bad, imported_at"

static int read_import(sqlite3_stmt *st, struct rd_trader_import_row *imp, struct rd_error *err)
{
    const unsigned char *kind;

    memset(imp, 0, sizeof *imp);
    imp->id = sqlite3_column_int64(st, 0);
    kind = sqlite3_column_text(st, 1);
    if (kind_parse(kind ? (const char *)kind : "", &imp->kind))
        return rd_error_set(err, RD_ESTORE, "store: trader_imports.kind holds \"%.20s\"",
                            kind ? (const char *)kind : "NULL");
    rd_sqlite_col_text(st, 2, imp->sha256, sizeof imp->sha256);
    rd_sqlite_col_text(st, 3, imp->path, sizeof imp->path);
    imp->bytes = sqlite3_column_int64(st, 4);
    imp->rows = sqlite3_column_int64(st, 5);
    imp->bad = sqlite3_column_int64(st, 6);
    imp->imported_at = sqlite3_column_int64(st, 7);
    return RD_OK;
}

static int import_query(struct rd_store *s, const char *sql, int kind, const char *sha256,
                        struct rd_trader_import_row *imp, struct rd_error *err)
{
    sqlite3_stmt *st = NULL;
    struct rd_sqlite_binder b;
    int rc = prep(s, sql, &st, "find an import", err);
    int src;

    if (rc)
        return rc;
    rd_sqlite_bind_init(&b, st);
    rd_sqlite_bind_str(&b, sha256);
    if (kind >= 0)
        rd_sqlite_bind_str(&b, kind_name(kind));
    src = rd_sqlite_bind_step(&b);
    if (src == SQLITE_ROW)
        rc = read_import(st, imp, err);
    else if (src == SQLITE_DONE)
        rc = rd_error_set(err, RD_ENOTFOUND, "no import of a file with SHA-256 %.64s", sha256);
    else
        rc = rd_sqlite_fail(s, src, err, "find an import");
    sqlite3_finalize(st);
    return rc;
}

int rd_sqlite_trader_import_add(struct rd_store *s, struct rd_trader_import_row *imp,
                                struct rd_error *err)
{
    sqlite3_stmt *st = NULL;
    struct rd_sqlite_binder b;
    const char *kind = kind_name(imp->kind);
    int rc, src;

    if (!kind)
        return rd_error_set(err, RD_EINVAL, "trader import: unknown kind %d", imp->kind);
    rc = prep(s, "INSERT INTO trader_imports (kind, sha256, path, bytes, rows, bad, imported_at) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id", &st, "add an import", err);
    if (rc)
        return rc;
    rd_sqlite_bind_init(&b, st);
    rd_sqlite_bind_str(&b, kind);
    rd_sqlite_bind_field(&b, imp->sha256, sizeof imp->sha256);
    rd_sqlite_bind_field(&b, imp->path, sizeof imp->path);
    rd_sqlite_bind_i64(&b, imp->bytes);
    rd_sqlite_bind_i64(&b, imp->rows);
    rd_sqlite_bind_i64(&b, imp->bad);
    rd_sqlite_bind_i64(&b, imp->imported_at);
    src = rd_sqlite_bind_step(&b);
    if (src == SQLITE_ROW)
        imp->id = sqlite3_column_int64(st, 0);
    else
        rc = rd_sqlite_fail(s, src, err, "add an import");
    sqlite3_finalize(st);
    if (rc == RD_EEXIST) {
        char sha[65];
        struct rd_error sub = {0};

        snprintf(sha, sizeof sha, "%.64s", imp->sha256);
        if (import_query(s, "SELECT " IMPORT_COLS " FROM trader_imports WHERE sha256 = ? "
                            "AND kind = ?", imp->kind, sha, imp, &sub) != RD_OK)
            return rd_error_set(err, RD_ESTORE, "%s", sub.msg);
        return rd_error_set(err, RD_EEXIST, "%s was imported before (import %" PRId64 ")",
                            imp->path, imp->id);
    }
    return rc;
}

int rd_sqlite_trader_import_get(struct rd_store *s, const char *sha256,
                                struct rd_trader_import_row *imp, struct rd_error *err)
{
    return import_query(s, "SELECT " IMPORT_COLS " FROM trader_imports WHERE sha256 = ? "
                           "ORDER BY id LIMIT 1", -1, sha256, imp, err);
}

/* ---- fills, daily rows, limits ---- */

/* "INSERT INTO table (cols) VALUES (?, ...), ..." for rows rows of ncols. */
static char *insert_sql(const char *head, int ncols, int rows)
{
    size_t n = strlen(head) + (size_t)rows * ((size_t)ncols * 3 + 4) + 1;
    char *sql = rd_malloc(n);
    size_t k;

    if (!sql)
        return NULL;
    k = (size_t)snprintf(sql, n, "%s", head);
    for (int r = 0; r < rows; r++) {
        sql[k++] = r ? ',' : ' ';
        sql[k++] = '(';
        for (int c = 0; c < ncols; c++) {
            if (c)
                sql[k++] = ',';
            sql[k++] = '?';
        }
        sql[k++] = ')';
    }
    sql[k] = '\0';
    return sql;
}

/* Binds one fill's FILL_COLS values after those already bound. */
static void bind_fill(struct rd_sqlite_binder *b, int64_t import_id, const struct rd_fill *f,
                      const int64_t *tid, const int64_t *sid)
{
    rd_sqlite_bind_i64(b, import_id);
    rd_sqlite_bind_i64(b, tid[f->trader]);
    rd_sqlite_bind_i64(b, sid[f->symbol]);
    rd_sqlite_bind_i64(b, f->day);
    if (f->time_ms == RD_FILL_NO_TIME)
        rd_sqlite_bind_null(b);
    else
        rd_sqlite_bind_i64(b, f->time_ms);
    rd_sqlite_bind_i64(b, f->qty);
    rd_sqlite_bind_i64(b, f->price);
    rd_sqlite_bind_i64(b, f->fees);
}

int rd_sqlite_trader_fills_add(struct rd_store *s, int64_t import_id, const struct rd_fills *fs,
                               size_t first, size_t n, struct rd_error *err)
{
    static const char head[] = "INSERT INTO trader_fills (import_id, trader, symbol, day, "
                               "time_ms, qty, price, fees) VALUES";
    sqlite3_stmt *many = NULL, *one = NULL;
    struct rd_sqlite_binder b;
    int64_t *tid = NULL, *sid = NULL;
    char *sql_many = NULL, *sql_one = NULL;
    size_t i = first, end = first + n;
    int rc;

    if (first > fs->nfills || n > fs->nfills - first)
        return rd_error_set(err, RD_EINVAL, "trader fills: rows %zu..%zu of %zu", first, end,
                            fs->nfills);
    rc = tx_begin(s, err);
    if (rc)
        return rc;
    sql_many = insert_sql(head, FILL_COLS, ROWS_PER_INSERT);
    sql_one = insert_sql(head, FILL_COLS, 1);
    if (!sql_many || !sql_one) {
        rc = rd_error_set(err, RD_ENOMEM, "store: out of memory adding fills");
        goto out;
    }
    rc = name_ids(s, "trader_names", &fs->traders, &tid, err);
    if (!rc)
        rc = name_ids(s, "trader_symbols", &fs->symbols, &sid, err);
    if (!rc)
        rc = prep(s, sql_many, &many, "add fills", err);
    if (!rc)
        rc = prep(s, sql_one, &one, "add fills", err);
    for (; !rc && end - i >= ROWS_PER_INSERT; i += ROWS_PER_INSERT) {
        rd_sqlite_bind_init(&b, many);
        for (int r = 0; r < ROWS_PER_INSERT; r++)
            bind_fill(&b, import_id, &fs->fills[i + (size_t)r], tid, sid);
        rc = rd_sqlite_bind_run(s, &b, NULL, err, "add fills");
    }
    for (; !rc && i < end; i++) {
        rd_sqlite_bind_init(&b, one);
        bind_fill(&b, import_id, &fs->fills[i], tid, sid);
        rc = rd_sqlite_bind_run(s, &b, NULL, err, "add fills");
    }
out:
    sqlite3_finalize(many);
    sqlite3_finalize(one);
    rd_free(sql_many);
    rd_free(sql_one);
    rd_free(tid);
    rd_free(sid);
    return tx_end(s, rc, err);
}

int rd_sqlite_trader_daily_add(struct rd_store *s, int64_t import_id, const struct rd_fills *fs,
                               size_t first, size_t n, struct rd_error *err)
{
    sqlite3_stmt *st = NULL;
    struct rd_sqlite_binder b;
    int64_t *tid = NULL;
    int rc;

    if (first > fs->ndaily || n > fs->ndaily - first)
        return rd_error_set(err, RD_EINVAL, "trader daily rows: %zu..%zu of %zu", first,
                            first + n, fs->ndaily);
    rc = tx_begin(s, err);
    if (rc)
        return rc;
    rc = name_ids(s, "trader_names", &fs->traders, &tid, err);
    if (!rc)
        rc = prep(s, "INSERT INTO trader_daily (import_id, trader, day, pnl, line, sealed) "
                     "VALUES (?, ?, ?, ?, ?, ?)", &st, "add daily P&L rows", err);
    for (size_t i = first; !rc && i < first + n; i++) {
        const struct rd_daily_pnl *d = &fs->daily[i];
        char sealed[RD_STORE_DAILY_SEALED];

        if (s->keyed &&
            (rc = rd_store_daily_seal(&s->key, tid[d->trader], d, sealed, sizeof sealed, err)))
            break;
        rd_sqlite_bind_init(&b, st);
        rd_sqlite_bind_i64(&b, import_id);
        rd_sqlite_bind_i64(&b, tid[d->trader]);
        rd_sqlite_bind_i64(&b, d->day);
        rd_sqlite_bind_i64(&b, s->keyed ? 0 : d->pnl);
        rd_sqlite_bind_i64(&b, d->line);
        if (s->keyed)
            rd_sqlite_bind_str(&b, sealed);
        else
            rd_sqlite_bind_null(&b);
        rc = rd_sqlite_bind_run(s, &b, NULL, err, "add a daily P&L row");
    }
    sqlite3_finalize(st);
    rd_free(tid);
    return tx_end(s, rc, err);
}

int rd_sqlite_trader_limits_put(struct rd_store *s, int64_t import_id, const struct rd_fills *fs,
                                struct rd_error *err)
{
    sqlite3_stmt *st = NULL;
    struct rd_sqlite_binder b;
    int64_t *tid = NULL;
    int rc = tx_begin(s, err);

    if (rc)
        return rc;
    rc = name_ids(s, "trader_names", &fs->traders, &tid, err);
    if (!rc)
        rc = prep(s, "INSERT INTO trader_limits (trader, daily_loss_limit, import_id) "
                     "VALUES (?, ?, ?) ON CONFLICT (trader) DO UPDATE SET "
                     "daily_loss_limit = excluded.daily_loss_limit, import_id = excluded.import_id",
                  &st, "set limits", err);
    for (uint32_t t = 0; !rc && t < fs->traders.count && t < fs->limit_cap; t++) {
        if (fs->limit[t] <= 0)
            continue;
        rd_sqlite_bind_init(&b, st);
        rd_sqlite_bind_i64(&b, tid[t]);
        rd_sqlite_bind_i64(&b, fs->limit[t]);
        rd_sqlite_bind_i64_or_null(&b, import_id);
        rc = rd_sqlite_bind_run(s, &b, NULL, err, "set a limit");
    }
    sqlite3_finalize(st);
    rd_free(tid);
    return tx_end(s, rc, err);
}

static int load_limits(struct rd_store *s, struct rd_fills *fs, const uint32_t *tmap,
                       int64_t ntmap, struct rd_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prep(s, "SELECT trader, daily_loss_limit FROM trader_limits ORDER BY trader", &st,
                  "read limits", err);

    while (!rc) {
        int src = sqlite3_step(st);
        uint32_t t = 0;

        if (src == SQLITE_DONE)
            break;
        if (src != SQLITE_ROW) {
            rc = rd_sqlite_fail(s, src, err, "read limits");
            break;
        }
        rc = mapped(tmap, ntmap, sqlite3_column_int64(st, 0), &t, "trader_names", err);
        if (!rc)
            rc = rd_fills_set_limit(fs, t, sqlite3_column_int64(st, 1), 0, err);
    }
    sqlite3_finalize(st);
    return rc;
}

/* The stored fills in rowid order to visit, EACH_BATCH at a time (ids through the maps). */
static int each_fill(struct rd_store *s, const uint32_t *tmap, int64_t ntmap,
                     const uint32_t *smap, int64_t nsmap, rd_trader_fills_visit visit,
                     void *ctx, struct rd_error *err)
{
    struct rd_fill *buf = rd_malloc(EACH_BATCH * sizeof *buf);
    sqlite3_stmt *st = NULL;
    size_t n = 0;
    int rc = buf ? prep(s, "SELECT trader, symbol, day, time_ms, qty, price, fees FROM "
                           "trader_fills ORDER BY rowid", &st, "read fills", err)
                 : rd_error_set(err, RD_ENOMEM, "store: out of memory reading fills");

    while (!rc) {
        int src = sqlite3_step(st);
        struct rd_fill *f = &buf[n];

        if (src == SQLITE_DONE)
            break;
        if (src != SQLITE_ROW) {
            rc = rd_sqlite_fail(s, src, err, "read fills");
            break;
        }
        memset(f, 0, sizeof *f);
        rc = mapped(tmap, ntmap, sqlite3_column_int64(st, 0), &f->trader, "trader_names", err);
        if (!rc)
            rc = mapped(smap, nsmap, sqlite3_column_int64(st, 1), &f->symbol, "trader_symbols",
                        err);
        if (rc)
            break;
        f->day = (int32_t)sqlite3_column_int64(st, 2);
        f->time_ms = sqlite3_column_type(st, 3) == SQLITE_NULL
                         ? RD_FILL_NO_TIME
                         : (int32_t)sqlite3_column_int64(st, 3);
        f->qty = sqlite3_column_int64(st, 4);
        f->price = sqlite3_column_int64(st, 5);
        f->fees = sqlite3_column_int64(st, 6);
        if (++n == EACH_BATCH) {
            rc = visit(ctx, buf, n, err);
            n = 0;
        }
    }
    if (!rc && n)
        rc = visit(ctx, buf, n, err);
    sqlite3_finalize(st);
    rd_free(buf);
    return rc;
}

static int add_fills(void *ctx, const struct rd_fill *f, size_t n, struct rd_error *err)
{
    int rc = RD_OK;

    for (size_t i = 0; !rc && i < n; i++)
        rc = rd_fills_add(ctx, &f[i], err);
    return rc;
}

int rd_sqlite_trader_fills_each(struct rd_store *s, struct rd_fills *fs,
                                rd_trader_fills_visit visit, void *ctx, struct rd_error *err)
{
    uint32_t *tmap = NULL, *smap = NULL;
    int64_t ntmap = 0, nsmap = 0;
    int rc = load_names(s, "trader_names", &fs->traders, &tmap, &ntmap, err);

    if (!rc)
        rc = load_names(s, "trader_symbols", &fs->symbols, &smap, &nsmap, err);
    if (!rc)
        rc = each_fill(s, tmap, ntmap, smap, nsmap, visit, ctx, err);
    rd_free(tmap);
    rd_free(smap);
    return rc;
}

int rd_sqlite_trader_load(struct rd_store *s, unsigned what, struct rd_fills *fs,
                          struct rd_error *err)
{
    sqlite3_stmt *st = NULL;
    uint32_t *tmap = NULL, *smap = NULL;
    int64_t ntmap = 0, nsmap = 0;
    int rc;

    rc = load_names(s, "trader_names", &fs->traders, &tmap, &ntmap, err);
    if (!rc && (what & RD_TRADER_LOAD_FILLS))
        rc = load_names(s, "trader_symbols", &fs->symbols, &smap, &nsmap, err);
    if (!rc && (what & RD_TRADER_LOAD_FILLS))
        rc = each_fill(s, tmap, ntmap, smap, nsmap, add_fills, fs, err);
    if (!rc && (what & RD_TRADER_LOAD_DAILY))
        rc = prep(s, "SELECT trader, day, pnl, line, sealed FROM trader_daily ORDER BY rowid",
                  &st, "read daily P&L rows", err);
    while (!rc && st) {
        int src = sqlite3_step(st);
        struct rd_daily_pnl d = {0};

        if (src == SQLITE_DONE)
            break;
        if (src != SQLITE_ROW) {
            rc = rd_sqlite_fail(s, src, err, "read daily P&L rows");
            break;
        }
        rc = mapped(tmap, ntmap, sqlite3_column_int64(st, 0), &d.trader, "trader_names", err);
        if (rc)
            break;
        d.day = (int32_t)sqlite3_column_int64(st, 1);
        d.pnl = sqlite3_column_int64(st, 2);
        d.line = (long)sqlite3_column_int64(st, 3);
        if (s->keyed)
            rc = rd_store_daily_open(&s->key, sqlite3_column_int64(st, 0), &d,
                                     (const char *)sqlite3_column_text(st, 4), err);
        if (!rc)
            rc = rd_fills_add_daily(fs, &d, err);
    }
    sqlite3_finalize(st);
    if (!rc && (what & RD_TRADER_LOAD_LIMITS))
        rc = load_limits(s, fs, tmap, ntmap, err);
    rd_free(tmap);
    rd_free(smap);
    return rc;
}

/* ---- trader-days ---- */

/* Binds one trader-day's DAY_COLS values after those already bound: its
 * amounts in clear, or 0 and sealed with s's key into sealed (bound in place:
 * it must stay put until the statement has run). */
static int bind_day(struct rd_store *s, struct rd_sqlite_binder *b, const struct rd_pnl_day *d,
                    const int64_t *tid, char sealed[RD_STORE_DAYS_SEALED], struct rd_error *err)
{
    int rc = s->keyed ? rd_store_days_seal(&s->key, tid[d->trader], d, sealed,
                                           RD_STORE_DAYS_SEALED, err)
                      : RD_OK;

    if (rc)
        return rc;
    rd_sqlite_bind_i64(b, tid[d->trader]);
    rd_sqlite_bind_i64(b, d->day);
    rd_sqlite_bind_i64(b, d->trades);
    rd_sqlite_bind_i64(b, s->keyed ? 0 : d->realized);
    rd_sqlite_bind_i64(b, s->keyed ? 0 : d->fees);
    rd_sqlite_bind_i64(b, s->keyed ? 0 : d->net);
    if (s->keyed)
        rd_sqlite_bind_str(b, sealed);
    else
        rd_sqlite_bind_null(b);
    return RD_OK;
}

int rd_sqlite_trader_days_put(struct rd_store *s, const struct rd_fills *fs,
                              const struct rd_pnl *pnl, struct rd_error *err)
{
    static const char head[] =
        "INSERT INTO trader_days (trader, day, trades, realized, fees, net, sealed) VALUES";
    char sealed[ROWS_PER_INSERT][RD_STORE_DAYS_SEALED];   /* bound in place */
    sqlite3_stmt *many = NULL, *one = NULL, *del = NULL;
    struct rd_sqlite_binder b;
    char *sql_many = NULL, *sql_one = NULL;
    int64_t *tid = NULL;
    size_t i = 0;
    int rc = tx_begin(s, err);

    if (rc)
        return rc;
    sql_many = insert_sql(head, DAY_COLS, ROWS_PER_INSERT);
    sql_one = insert_sql(head, DAY_COLS, 1);
    if (!sql_many || !sql_one) {
        rc = rd_error_set(err, RD_ENOMEM, "store: out of memory writing trader-days");
        goto out;
    }
    rc = name_ids(s, "trader_names", &fs->traders, &tid, err);
    if (!rc)
        rc = prep(s, "DELETE FROM trader_days", &del, "replace trader-days", err);
    if (!rc) {
        rd_sqlite_bind_init(&b, del);
        rc = rd_sqlite_bind_run(s, &b, NULL, err, "replace trader-days");
    }
    if (!rc)
        rc = prep(s, sql_many, &many, "write trader-days", err);
    if (!rc)
        rc = prep(s, sql_one, &one, "write trader-days", err);
    for (; !rc && pnl->ndays - i >= ROWS_PER_INSERT; i += ROWS_PER_INSERT) {
        rd_sqlite_bind_init(&b, many);
        for (int r = 0; r < ROWS_PER_INSERT && !rc; r++)
            rc = bind_day(s, &b, &pnl->days[i + (size_t)r], tid, sealed[r], err);
        if (!rc)
            rc = rd_sqlite_bind_run(s, &b, NULL, err, "write trader-days");
    }
    for (; !rc && i < pnl->ndays; i++) {
        rd_sqlite_bind_init(&b, one);
        rc = bind_day(s, &b, &pnl->days[i], tid, sealed[0], err);
        if (!rc)
            rc = rd_sqlite_bind_run(s, &b, NULL, err, "write trader-days");
    }
out:
    sqlite3_finalize(del);
    sqlite3_finalize(many);
    sqlite3_finalize(one);
    rd_free(sql_many);
    rd_free(sql_one);
    rd_free(tid);
    return tx_end(s, rc, err);
}

int rd_sqlite_trader_days_load(struct rd_store *s, struct rd_fills *fs, struct rd_pnl *pnl,
                               struct rd_error *err)
{
    sqlite3_stmt *st = NULL;
    uint32_t *tmap = NULL;
    int64_t ntmap = 0, total = 0;
    struct rd_pnl_day *tmp = NULL;
    size_t n = 0;
    int rc;

    rd_pnl_release(pnl);
    rc = load_names(s, "trader_names", &fs->traders, &tmap, &ntmap, err);
    if (!rc)
        rc = load_limits(s, fs, tmap, ntmap, err);
    if (!rc)
        rc = prep(s, "SELECT COUNT(*) FROM trader_days", &st, "read trader-days", err);
    if (!rc && sqlite3_step(st) == SQLITE_ROW)
        total = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    if (rc)
        goto out;
    tmp = rd_malloc((size_t)(total ? total : 1) * sizeof *tmp);
    if (!tmp) {
        rc = rd_error_set(err, RD_ENOMEM, "store: out of memory reading %" PRId64 " trader-days",
                          total);
        goto out;
    }
    /* in key order: each trader's days together, ascending */
    rc = prep(s, "SELECT trader, day, trades, realized, fees, net, sealed FROM trader_days "
                 "ORDER BY trader, day", &st, "read trader-days", err);
    while (!rc) {
        int src = sqlite3_step(st);
        struct rd_pnl_day *d;

        if (src == SQLITE_DONE)
            break;
        if (src != SQLITE_ROW) {
            rc = rd_sqlite_fail(s, src, err, "read trader-days");
            break;
        }
        if ((int64_t)n >= total) {
            rc = rd_error_set(err, RD_ESTORE, "store: trader_days grew while being read");
            break;
        }
        d = &tmp[n];
        memset(d, 0, sizeof *d);
        rc = mapped(tmap, ntmap, sqlite3_column_int64(st, 0), &d->trader, "trader_names", err);
        if (rc)
            break;
        d->day = (int32_t)sqlite3_column_int64(st, 1);
        d->trades = sqlite3_column_int64(st, 2);
        d->realized = sqlite3_column_int64(st, 3);
        d->fees = sqlite3_column_int64(st, 4);
        d->net = sqlite3_column_int64(st, 5);
        if (s->keyed &&
            (rc = rd_store_days_open(&s->key, sqlite3_column_int64(st, 0), d,
                                     (const char *)sqlite3_column_text(st, 6), err)))
            break;
        n++;
    }
    /* rd_pnl's order: traders by name (bytewise), their days ascending */
    if (!rc)
        rc = rd_pnl_arrange(pnl, &fs->traders, tmp, n, err);
out:
    sqlite3_finalize(st);
    rd_free(tmp);
    rd_free(tmap);
    if (rc)
        rd_pnl_release(pnl);
    return rc;
}

/* ---- report runs and predictions ---- */

#define REPORT_COLS                                                                   \
    "id, report_day, created_at, active, restricted, limited, legacy, system, why, "  \
    "train_from, train_to, test_from, test_to, n_train, n_test, model_mse, rules_mse"

int rd_sqlite_trader_report_add(struct rd_store *s, struct rd_trader_report_row *r,
                                struct rd_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prep(s, "INSERT INTO trader_reports (report_day, created_at, active, restricted, "
                     "limited, legacy, system, why, train_from, train_to, test_from, test_to, "
                     "n_train, n_test, model_mse, rules_mse) VALUES "
                     "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                  &st, "add a report run", err);
    struct rd_sqlite_binder b;
    int src;

    if (rc)
        return rc;
    rd_sqlite_bind_init(&b, st);
    rd_sqlite_bind_i64(&b, r->report_day);
    rd_sqlite_bind_i64(&b, r->created_at);
    rd_sqlite_bind_i64(&b, r->active);
    rd_sqlite_bind_i64(&b, r->restricted);
    rd_sqlite_bind_i64(&b, r->limited);
    rd_sqlite_bind_i64(&b, r->legacy);
    rd_sqlite_bind_field(&b, r->system, sizeof r->system);
    rd_sqlite_bind_field(&b, r->why, sizeof r->why);
    rd_sqlite_bind_i64_or_null(&b, r->train_from);   /* day 0 = none */
    rd_sqlite_bind_i64_or_null(&b, r->train_to);
    rd_sqlite_bind_i64_or_null(&b, r->test_from);
    rd_sqlite_bind_i64_or_null(&b, r->test_to);
    rd_sqlite_bind_i64(&b, r->n_train);
    rd_sqlite_bind_i64(&b, r->n_test);
    rd_sqlite_bind_double(&b, r->model_mse);
    rd_sqlite_bind_double(&b, r->rules_mse);
    src = rd_sqlite_bind_step(&b);
    if (src == SQLITE_ROW)
        r->id = sqlite3_column_int64(st, 0);
    else
        rc = rd_sqlite_fail(s, src, err, "add a report run");
    sqlite3_finalize(st);
    return rc;
}

int rd_sqlite_trader_report_last(struct rd_store *s, int32_t before,
                                 struct rd_trader_report_row *r, struct rd_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prep(s, "SELECT " REPORT_COLS " FROM trader_reports WHERE report_day < ? "
                     "ORDER BY report_day DESC, id DESC LIMIT 1", &st, "find a report run", err);
    struct rd_sqlite_binder b;
    int src;

    if (rc)
        return rc;
    rd_sqlite_bind_init(&b, st);
    rd_sqlite_bind_i64(&b, before);
    src = rd_sqlite_bind_step(&b);
    if (src == SQLITE_ROW) {
        memset(r, 0, sizeof *r);
        r->id = sqlite3_column_int64(st, 0);
        r->report_day = (int32_t)sqlite3_column_int64(st, 1);
        r->created_at = sqlite3_column_int64(st, 2);
        r->active = sqlite3_column_int64(st, 3);
        r->restricted = sqlite3_column_int64(st, 4);
        r->limited = sqlite3_column_int64(st, 5);
        r->legacy = sqlite3_column_int64(st, 6);
        rd_sqlite_col_text(st, 7, r->system, sizeof r->system);
        rd_sqlite_col_text(st, 8, r->why, sizeof r->why);
        r->train_from = (int32_t)sqlite3_column_int64(st, 9);
        r->train_to = (int32_t)sqlite3_column_int64(st, 10);
        r->test_from = (int32_t)sqlite3_column_int64(st, 11);
        r->test_to = (int32_t)sqlite3_column_int64(st, 12);
        r->n_train = sqlite3_column_int64(st, 13);
        r->n_test = sqlite3_column_int64(st, 14);
        r->model_mse = sqlite3_column_double(st, 15);
        r->rules_mse = sqlite3_column_double(st, 16);
    } else if (src == SQLITE_DONE) {
        rc = rd_error_set(err, RD_ENOTFOUND, "no traders' report before day %d", (int)before);
    } else {
        rc = rd_sqlite_fail(s, src, err, "find a report run");
    }
    sqlite3_finalize(st);
    return rc;
}

#define PREDICTION_COLS                                                                  \
    "id, report_id, trader, day, features, output, rules_cut, system, cut, level, "     \
    "old_limit, new_limit"

int rd_sqlite_trader_prediction_add(struct rd_store *s, struct rd_trader_prediction_row *p,
                                    struct rd_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prep(s, "INSERT INTO trader_predictions (report_id, trader, day, features, output, "
                     "rules_cut, system, cut, level, old_limit, new_limit) VALUES "
                     "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                  &st, "add a prediction", err);
    struct rd_sqlite_binder b;
    int src;

    if (rc)
        return rc;
    rd_sqlite_bind_init(&b, st);
    rd_sqlite_bind_i64(&b, p->report_id);
    rd_sqlite_bind_field(&b, p->trader, sizeof p->trader);
    rd_sqlite_bind_i64(&b, p->day);
    rd_sqlite_bind_field(&b, p->features, sizeof p->features);
    if (p->has_output)
        rd_sqlite_bind_double(&b, p->output);
    else
        rd_sqlite_bind_null(&b);
    rd_sqlite_bind_i64(&b, p->rules_cut);
    rd_sqlite_bind_field(&b, p->system, sizeof p->system);
    rd_sqlite_bind_i64(&b, p->cut);
    rd_sqlite_bind_field(&b, p->level, sizeof p->level);
    rd_sqlite_bind_i64(&b, p->old_limit);
    rd_sqlite_bind_i64(&b, p->new_limit);
    src = rd_sqlite_bind_step(&b);
    if (src == SQLITE_ROW)
        p->id = sqlite3_column_int64(st, 0);
    else
        rc = rd_sqlite_fail(s, src, err, "add a prediction");
    sqlite3_finalize(st);
    return rc;
}

int rd_sqlite_trader_prediction_list(struct rd_store *s, int64_t report_id,
                                     int (*visit)(void *ctx,
                                                  const struct rd_trader_prediction_row *),
                                     void *ctx, struct rd_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prep(s, report_id
                         ? "SELECT " PREDICTION_COLS " FROM trader_predictions "
                           "WHERE report_id = ? ORDER BY id"
                         : "SELECT " PREDICTION_COLS " FROM trader_predictions ORDER BY id",
                  &st, "list predictions", err);
    struct rd_sqlite_binder b;

    if (!rc) {
        rd_sqlite_bind_init(&b, st);
        if (report_id)
            rd_sqlite_bind_i64(&b, report_id);
    }
    while (!rc) {
        struct rd_trader_prediction_row p;
        int src = rd_sqlite_bind_step(&b);

        if (src == SQLITE_DONE)
            break;
        if (src != SQLITE_ROW) {
            rc = rd_sqlite_fail(s, src, err, "list predictions");
            break;
        }
        memset(&p, 0, sizeof p);
        p.id = sqlite3_column_int64(st, 0);
        p.report_id = sqlite3_column_int64(st, 1);
        rd_sqlite_col_text(st, 2, p.trader, sizeof p.trader);
        p.day = (int32_t)sqlite3_column_int64(st, 3);
        rd_sqlite_col_text(st, 4, p.features, sizeof p.features);
        p.has_output = sqlite3_column_type(st, 5) != SQLITE_NULL;
        p.output = sqlite3_column_double(st, 5);
        p.rules_cut = sqlite3_column_int64(st, 6);
        rd_sqlite_col_text(st, 7, p.system, sizeof p.system);
        p.cut = sqlite3_column_int64(st, 8);
        rd_sqlite_col_text(st, 9, p.level, sizeof p.level);
        p.old_limit = sqlite3_column_int64(st, 10);
        p.new_limit = sqlite3_column_int64(st, 11);
        rc = visit(ctx, &p);
        if (rc)
            break;
    }
    sqlite3_finalize(st);
    return rc;
}

const struct rd_store_traders_ops rd_sqlite_traders_ops = {
    .version = 2,
    .trader_import_add = rd_sqlite_trader_import_add,
    .trader_import_get = rd_sqlite_trader_import_get,
    .trader_fills_add = rd_sqlite_trader_fills_add,
    .trader_daily_add = rd_sqlite_trader_daily_add,
    .trader_limits_put = rd_sqlite_trader_limits_put,
    .trader_load = rd_sqlite_trader_load,
    .trader_days_put = rd_sqlite_trader_days_put,
    .trader_days_load = rd_sqlite_trader_days_load,
    .trader_report_add = rd_sqlite_trader_report_add,
    .trader_report_last = rd_sqlite_trader_report_last,
    .trader_prediction_add = rd_sqlite_trader_prediction_add,
    .trader_prediction_list = rd_sqlite_trader_prediction_list,
    .trader_fills_each = rd_sqlite_trader_fills_each,
};
