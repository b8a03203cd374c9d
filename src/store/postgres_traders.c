/*
 * postgres_traders.c - the PostgreSQL backend's traders operations: imported
 * files, fills and daily P&L rows, limits, trader-days, report runs and
 * predictions (schema: migration 3 in postgres_schema.c; docs/traders.md).
 * The same behaviour as sqlite_traders.c, row for row.
 *
 * Statements are prepared once per connection on first use
 * (rd_pg_ext_exec) and run with text parameters. The two bulk writes (fills,
 * trader-days) go in with COPY FROM STDIN instead: rows of integers that this
 * file formats itself, streamed in 64 KiB chunks, one round trip for the lot.
 * SQLite's implicit rowid order is an identity column `seq` here.
 */
#include "store/postgres_int.h"
#include "store/store_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "riskdesk/fills.h"
#include "riskdesk/pnl.h"
#include "riskdesk/banned.h"

#define COPY_CHUNK 65536
#define EACH_BATCH 4096                     /* fills handed to trader_fills_each's visit at a time */

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

/* ---- parameters and columns ---- */


/* ---- transactions: the caller's, or one of our own ---- */

static int tx_end(struct rd_store *s, int rc, struct rd_error *err)
{
    if (rc == RD_OK)
        return s->ops->commit(s, err);
    s->ops->rollback(s);
    return rc;
}

/* ---- COPY ---- */

struct copy {
    struct rd_store *s;
    char *buf;
    size_t used;
    int failed;
};

static void put_i64(struct copy *c, int64_t v)
{
    char tmp[24];
    char *p = tmp + sizeof tmp;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    memcpy(c->buf + c->used, p, (size_t)(tmp + sizeof tmp - p));
    c->used += (size_t)(tmp + sizeof tmp - p);
}

static void put_sep(struct copy *c, char sep)
{
    c->buf[c->used++] = sep;
}

static void put_null(struct copy *c)
{
    memcpy(c->buf + c->used, "\\N", 2);
    c->used += 2;
}

/* Sends the buffer when less than a row's worth of room is left. */
static void flush(struct copy *c, int force)
{
    if (c->failed || (!force && c->used < COPY_CHUNK - 256) || c->used == 0)
        return;
    if (PQputCopyData(rd_pg_conn(c->s), c->buf, (int)c->used) != 1)
        c->failed = 1;
    c->used = 0;
}

static int copy_start(struct copy *c, struct rd_store *s, const char *sql, const char *what,
                      struct rd_error *err)
{
    PGresult *res;

    c->s = s;
    c->used = 0;
    c->failed = 0;
    c->buf = rd_malloc(COPY_CHUNK);
    if (!c->buf)
        return rd_error_set(err, RD_ENOMEM, "store: out of memory: %s", what);
    res = PQexec(rd_pg_conn(s), sql);
    if (!res || PQresultStatus(res) != PGRES_COPY_IN) {
        int rc = rd_pg_fail(s, res, what, err);

        PQclear(res);
        rd_free(c->buf);
        c->buf = NULL;
        return rc;
    }
    PQclear(res);
    return RD_OK;
}

static int copy_end(struct copy *c, const char *what, struct rd_error *err)
{
    PGconn *conn = rd_pg_conn(c->s);
    PGresult *res;
    int rc = RD_OK;

    flush(c, 1);
    if (PQputCopyEnd(conn, c->failed ? "riskdesk: sending the rows failed" : NULL) != 1)
        c->failed = 1;
    while ((res = PQgetResult(conn)) != NULL) {
        if (rc == RD_OK && PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = rd_pg_fail(c->s, res, what, err);
        PQclear(res);
    }
    if (rc == RD_OK && c->failed)
        rc = rd_pg_fail(c->s, NULL, what, err);
    rd_free(c->buf);
    c->buf = NULL;
    return rc;
}

/* begin, then the traders' lock (postgres_int.h): two imports take turns
 * mapping names to ids. Released when the outermost transaction ends. */
static int traders_begin(struct rd_store *s, struct rd_error *err)
{
    int rc = s->ops->begin(s, err);

    if (rc)
        return rc;
    rc = rd_pg_tx_lock(s, RD_PG_LOCK_TRADERS, err);
    if (rc)
        s->ops->rollback(s);
    return rc;
}

/* ---- names ---- */

/*
 * The database ids of every name in nm, into ids[0..nm->count): the stored
 * one, or a new one. Runs under the traders' lock (traders_begin), so
 * nobody adds the same name in between.
 */
static int name_ids(struct rd_store *s, int symbols, const struct rd_names *nm, int64_t **ids_out,
                    struct rd_error *err)
{
    static const char *const sql[2] = {
        "WITH new AS (INSERT INTO trader_names (name) VALUES ($1) ON CONFLICT DO NOTHING "
        "RETURNING id) SELECT id FROM new UNION ALL SELECT id FROM trader_names WHERE name = $1",
        "WITH new AS (INSERT INTO trader_symbols (name) VALUES ($1) ON CONFLICT DO NOTHING "
        "RETURNING id) SELECT id FROM new UNION ALL SELECT id FROM trader_symbols WHERE name = $1",
    };
    int64_t *ids;
    int rc = RD_OK;

    *ids_out = NULL;
    ids = rd_calloc(nm->count ? nm->count : 1, sizeof *ids);
    if (!ids)
        return rd_error_set(err, RD_ENOMEM, "store: out of memory mapping %u names", nm->count);
    for (uint32_t i = 0; !rc && i < nm->count; i++) {
        struct rd_pg_bind p;
        PGresult *res;

        rd_pg_bind_init(&p);
        rd_pg_bind_str(&p, nm->name[i]);
        rc = rd_pg_ext_run(s,
                symbols ? RD_PGX_SYMBOL_NAME_ID : RD_PGX_TRADER_NAME_ID, sql[symbols], &p,
                &res, "look up a name", err);
        if (rc)
            break;
        if (PQntuples(res) < 1)
            rc = rd_error_set(err, RD_ESTORE, "store: no id for the name \"%.64s\"", nm->name[i]);
        else
            ids[i] = rd_pg_col_i64(res, 0, 0);
        PQclear(res);
    }
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
static int load_names(struct rd_store *s, int symbols, struct rd_names *nm, uint32_t **map,
                      int64_t *nmap, struct rd_error *err)
{
    const char *table = symbols ? "trader_symbols" : "trader_names";
    PGresult *res = NULL;
    int64_t maxid;
    int rc;

    *map = NULL;
    *nmap = 0;
    rc = rd_pg_ext_run(s, symbols ? RD_PGX_SYMBOLS_MAX : RD_PGX_NAMES_MAX,
                       symbols ? "SELECT COALESCE(MAX(id), 0) FROM trader_symbols"
                               : "SELECT COALESCE(MAX(id), 0) FROM trader_names",
                       NULL, &res, "read names", err);
    if (rc)
        return rc;
    maxid = PQntuples(res) == 1 ? rd_pg_col_i64(res, 0, 0) : 0;
    PQclear(res);
    if (maxid < 0 || maxid > (int64_t)UINT32_MAX)
        return rd_error_set(err, RD_ESTORE, "store: %s ids go up to %" PRId64, table, maxid);
    *map = rd_calloc((size_t)maxid + 1, sizeof **map);
    if (!*map)
        return rd_error_set(err, RD_ENOMEM, "store: out of memory reading %s", table);
    *nmap = maxid + 1;
    rc = rd_pg_ext_run(s, symbols ? RD_PGX_SYMBOLS_LIST : RD_PGX_NAMES_LIST,
                       symbols ? "SELECT id, name FROM trader_symbols ORDER BY id"
                               : "SELECT id, name FROM trader_names ORDER BY id",
                       NULL, &res, "read names", err);
    for (int i = 0, n = rc ? 0 : PQntuples(res); !rc && i < n; i++) {
        int64_t id = rd_pg_col_i64(res, i, 0);
        uint32_t nid;

        if (id < 0 || id > maxid) {
            rc = rd_error_set(err, RD_ESTORE, "store: %s id %" PRId64 " out of range", table, id);
            break;
        }
        rc = rd_names_intern(nm, PQgetvalue(res, i, 1), (size_t)PQgetlength(res, i, 1), &nid, err);
        if (!rc)
            (*map)[id] = nid + 1;
    }
    PQclear(res);
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

static int read_import(const PGresult *r, int row, struct rd_trader_import_row *imp,
                       struct rd_error *err)
{
    const char *kind = PQgetisnull(r, row, 1) ? "" : PQgetvalue(r, row, 1);

    memset(imp, 0, sizeof *imp);
    imp->id = rd_pg_col_i64(r, row, 0);
    if (kind_parse(kind, &imp->kind))
        return rd_error_set(err, RD_ESTORE, "store: trader_imports.kind holds \"%.20s\"",
                            PQgetisnull(r, row, 1) ? "NULL" : kind);
    rd_pg_col_text(r, row, 2, imp->sha256, sizeof imp->sha256);
    rd_pg_col_text(r, row, 3, imp->path, sizeof imp->path);
    imp->bytes = rd_pg_col_i64(r, row, 4);
    imp->rows = rd_pg_col_i64(r, row, 5);
    imp->bad = rd_pg_col_i64(r, row, 6);
    imp->imported_at = rd_pg_col_i64(r, row, 7);
    return RD_OK;
}

/* kind < 0: any kind, the first import of the file. */
static int import_query(struct rd_store *s, int kind, const char *sha256,
                        struct rd_trader_import_row *imp, struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res;
    int rc;

    rd_pg_bind_init(&p);
    rd_pg_bind_str(&p, sha256);
    if (kind >= 0) {
        rd_pg_bind_str(&p, kind_name(kind));
        rc = rd_pg_ext_run(s, RD_PGX_IMPORT_FIND_KIND,
                "SELECT " IMPORT_COLS " FROM trader_imports WHERE sha256 = $1 AND kind = $2", &p,
                &res, "find an import", err);
    } else {
        rc = rd_pg_ext_run(s, RD_PGX_IMPORT_FIND,
                "SELECT " IMPORT_COLS " FROM trader_imports WHERE sha256 = $1 ORDER BY id LIMIT 1",
                &p, &res, "find an import", err);
    }
    if (rc)
        return rc;
    if (PQntuples(res) == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "no import of a file with SHA-256 %.64s", sha256);
    else
        rc = read_import(res, 0, imp, err);
    PQclear(res);
    return rc;
}

int rd_pg_trader_import_add(struct rd_store *s, struct rd_trader_import_row *imp,
                            struct rd_error *err)
{
    const char *kind = kind_name(imp->kind);
    char sha[65];
    struct rd_pg_bind p;
    PGresult *res;
    int rc;

    if (!kind)
        return rd_error_set(err, RD_EINVAL, "trader import: unknown kind %d", imp->kind);
    snprintf(sha, sizeof sha, "%.64s", imp->sha256);
    rd_pg_bind_init(&p);
    rd_pg_bind_str(&p, kind);
    rd_pg_bind_str(&p, sha);
    rd_pg_bind_field(&p, imp->path, sizeof imp->path);
    rd_pg_bind_i64(&p, imp->bytes);
    rd_pg_bind_i64(&p, imp->rows);
    rd_pg_bind_i64(&p, imp->bad);
    rd_pg_bind_i64(&p, imp->imported_at);
    /* A file imported before writes nothing (and aborts nothing). */
    rc = rd_pg_ext_run(s, RD_PGX_IMPORT_ADD,
            "INSERT INTO trader_imports (kind, sha256, path, bytes, rows, bad, imported_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id",
            &p, &res, "add an import", err);
    if (rc)
        return rc;
    if (PQntuples(res) == 1) {
        imp->id = rd_pg_col_i64(res, 0, 0);
        PQclear(res);
        return RD_OK;
    }
    PQclear(res);
    {
        struct rd_error sub = {0};

        if (import_query(s, imp->kind, sha, imp, &sub) != RD_OK)
            return rd_error_set(err, RD_ESTORE, "%s", sub.msg);
        return rd_error_set(err, RD_EEXIST, "%s was imported before (import %" PRId64 ")",
                            imp->path, imp->id);
    }
}

int rd_pg_trader_import_get(struct rd_store *s, const char *sha256,
                            struct rd_trader_import_row *imp, struct rd_error *err)
{
    return import_query(s, -1, sha256, imp, err);
}

/* ---- fills, daily rows, limits ---- */

int rd_pg_trader_fills_add(struct rd_store *s, int64_t import_id, const struct rd_fills *fs,
                           size_t first, size_t n, struct rd_error *err)
{
    struct copy c = {0};
    int64_t *tid = NULL, *sid = NULL;
    size_t end = first + n;
    int rc;

    if (first > fs->nfills || n > fs->nfills - first)
        return rd_error_set(err, RD_EINVAL, "trader fills: rows %zu..%zu of %zu", first, end,
                            fs->nfills);
    rc = traders_begin(s, err);
    if (rc)
        return rc;
    rc = name_ids(s, 0, &fs->traders, &tid, err);
    if (!rc)
        rc = name_ids(s, 1, &fs->symbols, &sid, err);
    if (!rc && n)
        rc = copy_start(&c, s, "COPY trader_fills (import_id, trader, symbol, day, time_ms, qty, "
                               "price, fees) FROM STDIN", "add fills", err);
    if (!rc && n) {
        for (size_t i = first; i < end; i++) {
            const struct rd_fill *f = &fs->fills[i];

            put_i64(&c, import_id);
            put_sep(&c, '\t');
            put_i64(&c, tid[f->trader]);
            put_sep(&c, '\t');
            put_i64(&c, sid[f->symbol]);
            put_sep(&c, '\t');
            put_i64(&c, f->day);
            put_sep(&c, '\t');
            if (f->time_ms == RD_FILL_NO_TIME)
                put_null(&c);
            else
                put_i64(&c, f->time_ms);
            put_sep(&c, '\t');
            put_i64(&c, f->qty);
            put_sep(&c, '\t');
            put_i64(&c, f->price);
            put_sep(&c, '\t');
            put_i64(&c, f->fees);
            put_sep(&c, '\n');
            flush(&c, 0);
        }
        rc = copy_end(&c, "add fills", err);
    }
    rd_free(tid);
    rd_free(sid);
    return tx_end(s, rc, err);
}

/* An array parameter "{v,v,...}" of integers, built in a growing buffer. */
struct arr {
    char *buf;
    size_t used, cap;
};

static int arr_add(struct arr *a, int64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%s%" PRId64, a->used > 1 ? "," : "", v);

    if (a->used + (size_t)n + 2 > a->cap)
        return -1;
    memcpy(a->buf + a->used, tmp, (size_t)n);
    a->used += (size_t)n;
    return 0;
}

/* A text element that needs no quoting (a sealed value: base64 and ':'). */
static int arr_add_text(struct arr *a, const char *v)
{
    size_t n = strlen(v), sep = a->used > 1;

    if (a->used + sep + n + 2 > a->cap)
        return -1;
    if (sep)
        a->buf[a->used++] = ',';
    memcpy(a->buf + a->used, v, n);
    a->used += n;
    return 0;
}

static void arr_reset(struct arr *a)
{
    a->buf[0] = '{';
    a->used = 1;
}

static const char *arr_done(struct arr *a)
{
    a->buf[a->used] = '}';
    a->buf[a->used + 1] = '\0';
    return a->buf;
}

#define DAILY_BATCH 2000

/*
 * DAILY_BATCH rows per statement, as arrays unnested on the server (one round
 * trip for each 2,000, not each row). A trader-day stored before is refused as
 * SQLite's UNIQUE refuses it: RD_EEXIST naming it, nothing of the call kept.
 */
int rd_pg_trader_daily_add(struct rd_store *s, int64_t import_id, const struct rd_fills *fs,
                           size_t first, size_t n, struct rd_error *err)
{
    static const char add_sql[] =
        "INSERT INTO trader_daily (import_id, trader, day, pnl, line, sealed) "
        "SELECT $1::bigint, t, d, p, l, sl FROM unnest($2::bigint[], $3::integer[], "
        "$4::bigint[], $5::bigint[], $6::text[]) AS x (t, d, p, l, sl) ON CONFLICT DO NOTHING";
    /* Only when a batch wrote fewer rows than it had: which trader-day was
     * there before (stored by another import)? */
    static const char dup_sql[] =
        "SELECT n.name, d.day FROM unnest($1::bigint[], $2::integer[]) AS x (t, dd) "
        "JOIN trader_daily d ON d.trader = x.t AND d.day = x.dd AND d.import_id <> $3 "
        "JOIN trader_names n ON n.id = d.trader ORDER BY n.name, d.day LIMIT 1";
    struct arr a[5] = {{0}};      /* the last: sealed P&L, with a key */
    int64_t *tid = NULL;
    int rc;

    if (first > fs->ndaily || n > fs->ndaily - first)
        return rd_error_set(err, RD_EINVAL, "trader daily rows: %zu..%zu of %zu", first,
                            first + n, fs->ndaily);
    rc = traders_begin(s, err);
    if (rc)
        return rc;
    for (int k = 0; k < 5; k++) {
        a[k].cap = k < 4 ? DAILY_BATCH * 22 + 4 : DAILY_BATCH * (RD_STORE_DAILY_SEALED + 1) + 4;
        a[k].buf = rd_malloc(a[k].cap);
        if (!a[k].buf)
            rc = rd_error_set(err, RD_ENOMEM, "store: out of memory adding daily P&L rows");
    }
    if (!rc)
        rc = name_ids(s, 0, &fs->traders, &tid, err);
    for (size_t i = first; !rc && i < first + n; i += DAILY_BATCH) {
        size_t m = first + n - i < DAILY_BATCH ? first + n - i : DAILY_BATCH;
        struct rd_pg_bind p;
        PGresult *res;

        for (int k = 0; k < 5; k++)
            arr_reset(&a[k]);
        for (size_t j = i; j < i + m; j++) {
            const struct rd_daily_pnl *d = &fs->daily[j];
            char sealed[RD_STORE_DAILY_SEALED];

            if (s->keyed &&
                (rc = rd_store_daily_seal(&s->key, tid[d->trader], d, sealed, sizeof sealed,
                                          err)) != RD_OK)
                break;
            if (arr_add(&a[0], tid[d->trader]) || arr_add(&a[1], d->day) ||
                arr_add(&a[2], s->keyed ? 0 : d->pnl) || arr_add(&a[3], d->line) ||
                (s->keyed && arr_add_text(&a[4], sealed))) {
                rc = rd_error_set(err, RD_EINTERNAL, "store: daily P&L batch does not fit");
                break;
            }
        }
        if (rc)
            break;
        rd_pg_bind_init(&p);
        rd_pg_bind_i64(&p, import_id);
        rd_pg_bind_str(&p, arr_done(&a[0]));
        rd_pg_bind_str(&p, arr_done(&a[1]));
        rd_pg_bind_str(&p, arr_done(&a[2]));
        rd_pg_bind_str(&p, arr_done(&a[3]));
        if (s->keyed)
            rd_pg_bind_str(&p, arr_done(&a[4]));
        else
            rd_pg_bind_null(&p);
        rc = rd_pg_ext_run(s, RD_PGX_DAILY_ADD, add_sql, &p, &res, "add daily P&L rows", err);
        if (rc)
            break;
        if (strtoull(PQcmdTuples(res), NULL, 10) == m) {
            PQclear(res);
            continue;
        }
        PQclear(res);
        rd_pg_bind_init(&p);
        rd_pg_bind_str(&p, a[0].buf);
        rd_pg_bind_str(&p, a[1].buf);
        rd_pg_bind_i64(&p, import_id);
        rc = rd_pg_ext_run(s, RD_PGX_DAILY_DUP, dup_sql, &p, &res, "add daily P&L rows", err);
        if (rc)
            break;
        if (PQntuples(res) > 0)
            rc = rd_error_set(err, RD_EEXIST, "add a daily P&L row: already exists (trader "
                              "\"%.64s\", day %s)", PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
        else
            rc = rd_error_set(err, RD_EEXIST, "add daily P&L rows: a trader-day appears twice "
                              "among rows %zu..%zu", i, i + m);
        PQclear(res);
    }
    for (int k = 0; k < 5; k++)
        rd_free(a[k].buf);
    rd_free(tid);
    return tx_end(s, rc, err);
}

int rd_pg_trader_limits_put(struct rd_store *s, int64_t import_id, const struct rd_fills *fs,
                            struct rd_error *err)
{
    int64_t *tid = NULL;
    int rc = traders_begin(s, err);

    if (rc)
        return rc;
    rc = name_ids(s, 0, &fs->traders, &tid, err);
    for (uint32_t t = 0; !rc && t < fs->traders.count && t < fs->limit_cap; t++) {
        struct rd_pg_bind p;
        PGresult *res;

        if (fs->limit[t] <= 0)
            continue;
        rd_pg_bind_init(&p);
        rd_pg_bind_i64(&p, tid[t]);
        rd_pg_bind_i64(&p, fs->limit[t]);
        if (import_id)
            rd_pg_bind_i64(&p, import_id);
        else
            rd_pg_bind_null(&p);
        rc = rd_pg_ext_run(s, RD_PGX_LIMIT_PUT,
                "INSERT INTO trader_limits (trader, daily_loss_limit, import_id) "
                "VALUES ($1, $2, $3) ON CONFLICT (trader) DO UPDATE SET "
                "daily_loss_limit = excluded.daily_loss_limit, import_id = excluded.import_id",
                &p, &res, "set a limit", err);
        PQclear(res);
    }
    rd_free(tid);
    return tx_end(s, rc, err);
}

static int load_limits(struct rd_store *s, struct rd_fills *fs, const uint32_t *tmap,
                       int64_t ntmap, struct rd_error *err)
{
    PGresult *res;
    int rc = rd_pg_ext_run(s, RD_PGX_LIMITS_LIST,
            "SELECT trader, daily_loss_limit FROM trader_limits ORDER BY trader", NULL, &res,
            "read limits", err);

    for (int i = 0, n = rc ? 0 : PQntuples(res); !rc && i < n; i++) {
        uint32_t t = 0;

        rc = mapped(tmap, ntmap, rd_pg_col_i64(res, i, 0), &t, "trader_names", err);
        if (!rc)
            rc = rd_fills_set_limit(fs, t, rd_pg_col_i64(res, i, 1), 0, err);
    }
    PQclear(res);
    return rc;
}

/* One COPY text row of integers ("\\N" for NULL) into v[0..n); -1 when the row
 * has another shape. */
static int parse_row(const char *p, const char *end, int64_t *v, int *isnull, int n)
{
    for (int i = 0; i < n; i++) {
        const char *f = p;
        char *stop;

        while (p < end && *p != '\t' && *p != '\n')
            p++;
        isnull[i] = p - f == 2 && f[0] == '\\' && f[1] == 'N';
        if (isnull[i]) {
            v[i] = 0;
        } else {
            v[i] = (int64_t)strtoll(f, &stop, 10);
            if (stop != p || p == f)
                return -1;
        }
        if (i < n - 1) {
            if (p >= end || *p != '\t')
                return -1;
            p++;
        }
    }
    return 0;
}

/*
 * The fills in the order they were stored, streamed with COPY TO STDOUT (a
 * file of millions of fills is never held by libpq as one result) to visit,
 * EACH_BATCH at a time.
 */
static int each_fill(struct rd_store *s, const uint32_t *tmap, int64_t ntmap,
                     const uint32_t *smap, int64_t nsmap, rd_trader_fills_visit visit,
                     void *ctx, struct rd_error *err)
{
    PGconn *conn = rd_pg_conn(s);
    struct rd_fill *buf = rd_malloc(EACH_BATCH * sizeof *buf);
    PGresult *res;
    char *row = NULL;
    size_t n = 0;
    int rc = RD_OK, len;

    if (!buf)
        return rd_error_set(err, RD_ENOMEM, "store: out of memory reading fills");
    res = PQexec(conn, "COPY (SELECT trader, symbol, day, time_ms, qty, price, fees "
                       "FROM trader_fills ORDER BY seq) TO STDOUT");
    if (!res || PQresultStatus(res) != PGRES_COPY_OUT) {
        rc = rd_pg_fail(s, res, "read fills", err);
        PQclear(res);
        rd_free(buf);
        return rc;
    }
    PQclear(res);
    while ((len = PQgetCopyData(conn, &row, 0)) > 0) {
        struct rd_fill *f = &buf[n];
        int64_t v[7];
        int isnull[7];

        memset(f, 0, sizeof *f);
        if (rc == RD_OK && parse_row(row, row + len, v, isnull, 7))
            rc = rd_error_set(err, RD_ESTORE, "store: read fills: a row is not 7 numbers");
        if (rc == RD_OK)
            rc = mapped(tmap, ntmap, v[0], &f->trader, "trader_names", err);
        if (rc == RD_OK)
            rc = mapped(smap, nsmap, v[1], &f->symbol, "trader_symbols", err);
        if (rc == RD_OK) {
            f->day = (int32_t)v[2];
            f->time_ms = isnull[3] ? RD_FILL_NO_TIME : (int32_t)v[3];
            f->qty = v[4];
            f->price = v[5];
            f->fees = v[6];
            if (++n == EACH_BATCH) {
                rc = visit(ctx, buf, n, err);
                n = 0;
            }
        }
        PQfreemem(row);
        row = NULL;
    }
    if (rc == RD_OK && n)
        rc = visit(ctx, buf, n, err);
    /* Read to the end even after a failure: the connection must be free. */
    if (len == -2 && rc == RD_OK)
        rc = rd_pg_fail(s, NULL, "read fills", err);
    while ((res = PQgetResult(conn)) != NULL) {
        if (rc == RD_OK && PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = rd_pg_fail(s, res, "read fills", err);
        PQclear(res);
    }
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

int rd_pg_trader_fills_each(struct rd_store *s, struct rd_fills *fs, rd_trader_fills_visit visit,
                            void *ctx, struct rd_error *err)
{
    uint32_t *tmap = NULL, *smap = NULL;
    int64_t ntmap = 0, nsmap = 0;
    int rc = load_names(s, 0, &fs->traders, &tmap, &ntmap, err);

    if (!rc)
        rc = load_names(s, 1, &fs->symbols, &smap, &nsmap, err);
    if (!rc)
        rc = each_fill(s, tmap, ntmap, smap, nsmap, visit, ctx, err);
    rd_free(tmap);
    rd_free(smap);
    return rc;
}

int rd_pg_trader_load(struct rd_store *s, unsigned what, struct rd_fills *fs,
                      struct rd_error *err)
{
    uint32_t *tmap = NULL, *smap = NULL;
    int64_t ntmap = 0, nsmap = 0;
    PGresult *res = NULL;
    int rc;

    rc = load_names(s, 0, &fs->traders, &tmap, &ntmap, err);
    if (!rc && (what & RD_TRADER_LOAD_FILLS))
        rc = load_names(s, 1, &fs->symbols, &smap, &nsmap, err);
    if (!rc && (what & RD_TRADER_LOAD_FILLS))
        rc = each_fill(s, tmap, ntmap, smap, nsmap, add_fills, fs, err);
    if (!rc && (what & RD_TRADER_LOAD_DAILY)) {
        rc = rd_pg_ext_run(s, RD_PGX_DAILY_LIST,
                "SELECT trader, day, pnl, line, sealed FROM trader_daily ORDER BY seq", NULL, &res,
                "read daily P&L rows", err);
        for (int i = 0, n = rc ? 0 : PQntuples(res); !rc && i < n; i++) {
            struct rd_daily_pnl d = {0};

            rc = mapped(tmap, ntmap, rd_pg_col_i64(res, i, 0), &d.trader, "trader_names", err);
            if (rc)
                break;
            d.day = (int32_t)rd_pg_col_i64(res, i, 1);
            d.pnl = rd_pg_col_i64(res, i, 2);
            d.line = (long)rd_pg_col_i64(res, i, 3);
            if (s->keyed)
                rc = rd_store_daily_open(&s->key, rd_pg_col_i64(res, i, 0), &d,
                                         PQgetisnull(res, i, 4) ? NULL
                                                                : rd_pg_col_cstr(res, i, 4),
                                         err);
            if (!rc)
                rc = rd_fills_add_daily(fs, &d, err);
        }
        PQclear(res);
    }
    if (!rc && (what & RD_TRADER_LOAD_LIMITS))
        rc = load_limits(s, fs, tmap, ntmap, err);
    rd_free(tmap);
    rd_free(smap);
    return rc;
}

/* ---- trader-days ---- */

int rd_pg_trader_days_put(struct rd_store *s, const struct rd_fills *fs, const struct rd_pnl *pnl,
                          struct rd_error *err)
{
    struct copy c = {0};
    int64_t *tid = NULL;
    PGresult *res = NULL;
    int rc = traders_begin(s, err);

    if (rc)
        return rc;
    rc = name_ids(s, 0, &fs->traders, &tid, err);
    if (!rc)
        rc = rd_pg_ext_run(s, RD_PGX_DAYS_DELETE, "DELETE FROM trader_days", NULL, &res,
                           "replace trader-days", err);
    PQclear(res);
    if (!rc && pnl->ndays)
        rc = copy_start(&c, s, "COPY trader_days (trader, day, trades, realized, fees, net, "
                               "sealed) FROM STDIN", "write trader-days", err);
    if (!rc && pnl->ndays) {
        for (size_t i = 0; i < pnl->ndays && !rc; i++) {
            const struct rd_pnl_day *d = &pnl->days[i];
            char sealed[RD_STORE_DAYS_SEALED];   /* base64 and ':': nothing to escape */

            if (s->keyed &&
                (rc = rd_store_days_seal(&s->key, tid[d->trader], d, sealed, sizeof sealed, err)))
                break;
            put_i64(&c, tid[d->trader]);
            put_sep(&c, '\t');
            put_i64(&c, d->day);
            put_sep(&c, '\t');
            put_i64(&c, d->trades);
            put_sep(&c, '\t');
            put_i64(&c, s->keyed ? 0 : d->realized);
            put_sep(&c, '\t');
            put_i64(&c, s->keyed ? 0 : d->fees);
            put_sep(&c, '\t');
            put_i64(&c, s->keyed ? 0 : d->net);
            put_sep(&c, '\t');
            if (s->keyed) {
                memcpy(c.buf + c.used, sealed, strlen(sealed));
                c.used += strlen(sealed);
            } else {
                put_null(&c);
            }
            put_sep(&c, '\n');
            flush(&c, 0);
        }
        if (rc) {       /* the copy abandoned; the sealing's error stands */
            struct rd_error ignored = {0};

            c.failed = 1;
            copy_end(&c, "write trader-days", &ignored);
        } else {
            rc = copy_end(&c, "write trader-days", err);
        }
    }
    rd_free(tid);
    return tx_end(s, rc, err);
}

int rd_pg_trader_days_load(struct rd_store *s, struct rd_fills *fs, struct rd_pnl *pnl,
                           struct rd_error *err)
{
    uint32_t *tmap = NULL;
    int64_t ntmap = 0, total = 0;
    struct rd_pnl_day *tmp = NULL;
    size_t n = 0;
    PGresult *res = NULL;
    int rc;

    rd_pnl_release(pnl);
    rc = load_names(s, 0, &fs->traders, &tmap, &ntmap, err);
    if (!rc)
        rc = load_limits(s, fs, tmap, ntmap, err);
    if (!rc)
        rc = rd_pg_ext_run(s, RD_PGX_DAYS_COUNT, "SELECT COUNT(*) FROM trader_days", NULL, &res,
                           "read trader-days", err);
    if (!rc && PQntuples(res) == 1)
        total = rd_pg_col_i64(res, 0, 0);
    PQclear(res);
    res = NULL;
    if (rc)
        goto out;
    tmp = rd_malloc((size_t)(total ? total : 1) * sizeof *tmp);
    if (!tmp) {
        rc = rd_error_set(err, RD_ENOMEM, "store: out of memory reading %" PRId64 " trader-days",
                          total);
        goto out;
    }
    /* in key order: each trader's days together, ascending */
    rc = rd_pg_ext_run(s, RD_PGX_DAYS_LIST,
                       "SELECT trader, day, trades, realized, fees, net, sealed FROM trader_days "
                       "ORDER BY trader, day", NULL, &res, "read trader-days", err);
    for (int i = 0, nr = rc ? 0 : PQntuples(res); !rc && i < nr; i++) {
        struct rd_pnl_day *d;

        if ((int64_t)n >= total) {
            rc = rd_error_set(err, RD_ESTORE, "store: trader_days grew while being read");
            break;
        }
        d = &tmp[n];
        memset(d, 0, sizeof *d);
        rc = mapped(tmap, ntmap, rd_pg_col_i64(res, i, 0), &d->trader, "trader_names", err);
        if (rc)
            break;
        d->day = (int32_t)rd_pg_col_i64(res, i, 1);
        d->trades = rd_pg_col_i64(res, i, 2);
        d->realized = rd_pg_col_i64(res, i, 3);
        d->fees = rd_pg_col_i64(res, i, 4);
        d->net = rd_pg_col_i64(res, i, 5);
        if (s->keyed &&
            (rc = rd_store_days_open(&s->key, rd_pg_col_i64(res, i, 0), d,
                                     PQgetisnull(res, i, 6) ? NULL : rd_pg_col_cstr(res, i, 6),
                                     err)))
            break;
        n++;
    }
    if (!rc)
        /* rd_pnl's order: traders by name (bytewise), their days ascending */
        rc = rd_pnl_arrange(pnl, &fs->traders, tmp, n, err);
out:
    PQclear(res);
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

int rd_pg_trader_report_add(struct rd_store *s, struct rd_trader_report_row *r,
                            struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res;
    int rc;

    rd_pg_bind_init(&p);
    rd_pg_bind_i64(&p, r->report_day);
    rd_pg_bind_i64(&p, r->created_at);
    rd_pg_bind_i64(&p, r->active);
    rd_pg_bind_i64(&p, r->restricted);
    rd_pg_bind_i64(&p, r->limited);
    rd_pg_bind_i64(&p, r->legacy);
    rd_pg_bind_field(&p, r->system, sizeof r->system);
    rd_pg_bind_field(&p, r->why, sizeof r->why);
    rd_pg_bind_i64_or_null(&p, r->train_from);
    rd_pg_bind_i64_or_null(&p, r->train_to);
    rd_pg_bind_i64_or_null(&p, r->test_from);
    rd_pg_bind_i64_or_null(&p, r->test_to);
    rd_pg_bind_i64(&p, r->n_train);
    rd_pg_bind_i64(&p, r->n_test);
    rd_pg_bind_double(&p, r->model_mse);
    rd_pg_bind_double(&p, r->rules_mse);
    rc = rd_pg_ext_run(s, RD_PGX_REPORT_ADD,
            "INSERT INTO trader_reports (report_day, created_at, active, restricted, limited, "
            "legacy, system, why, train_from, train_to, test_from, test_to, n_train, n_test, "
            "model_mse, rules_mse) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
            "$13, $14, $15, $16) RETURNING id", &p, &res, "add a report run", err);
    if (rc)
        return rc;
    r->id = rd_pg_col_i64(res, 0, 0);
    PQclear(res);
    return RD_OK;
}

int rd_pg_trader_report_last(struct rd_store *s, int32_t before, struct rd_trader_report_row *r,
                             struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res;
    int rc;

    rd_pg_bind_init(&p);
    rd_pg_bind_i64(&p, before);
    rc = rd_pg_ext_run(s, RD_PGX_REPORT_LAST,
            "SELECT " REPORT_COLS " FROM trader_reports WHERE report_day < $1 "
            "ORDER BY report_day DESC, id DESC LIMIT 1", &p, &res, "find a report run", err);
    if (rc)
        return rc;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return rd_error_set(err, RD_ENOTFOUND, "no traders' report before day %d", (int)before);
    }
    memset(r, 0, sizeof *r);
    r->id = rd_pg_col_i64(res, 0, 0);
    r->report_day = (int32_t)rd_pg_col_i64(res, 0, 1);
    r->created_at = rd_pg_col_i64(res, 0, 2);
    r->active = rd_pg_col_i64(res, 0, 3);
    r->restricted = rd_pg_col_i64(res, 0, 4);
    r->limited = rd_pg_col_i64(res, 0, 5);
    r->legacy = rd_pg_col_i64(res, 0, 6);
    rd_pg_col_text(res, 0, 7, r->system, sizeof r->system);
    rd_pg_col_text(res, 0, 8, r->why, sizeof r->why);
    r->train_from = (int32_t)rd_pg_col_i64(res, 0, 9);
    r->train_to = (int32_t)rd_pg_col_i64(res, 0, 10);
    r->test_from = (int32_t)rd_pg_col_i64(res, 0, 11);
    r->test_to = (int32_t)rd_pg_col_i64(res, 0, 12);
    r->n_train = rd_pg_col_i64(res, 0, 13);
    r->n_test = rd_pg_col_i64(res, 0, 14);
    r->model_mse = rd_pg_col_double(res, 0, 15);
    r->rules_mse = rd_pg_col_double(res, 0, 16);
    PQclear(res);
    return RD_OK;
}

#define PREDICTION_COLS                                                                  \
    "id, report_id, trader, day, features, output, rules_cut, system, cut, level, "     \
    "old_limit, new_limit"

int rd_pg_trader_prediction_add(struct rd_store *s, struct rd_trader_prediction_row *p,
                                struct rd_error *err)
{
    struct rd_pg_bind pr;
    PGresult *res;
    int rc;

    rd_pg_bind_init(&pr);
    rd_pg_bind_i64(&pr, p->report_id);
    rd_pg_bind_field(&pr, p->trader, sizeof p->trader);
    rd_pg_bind_i64(&pr, p->day);
    rd_pg_bind_field(&pr, p->features, sizeof p->features);
    if (p->has_output)
        rd_pg_bind_double(&pr, p->output);
    else
        rd_pg_bind_null(&pr);
    rd_pg_bind_i64(&pr, p->rules_cut);
    rd_pg_bind_field(&pr, p->system, sizeof p->system);
    rd_pg_bind_i64(&pr, p->cut);
    rd_pg_bind_field(&pr, p->level, sizeof p->level);
    rd_pg_bind_i64(&pr, p->old_limit);
    rd_pg_bind_i64(&pr, p->new_limit);
    rc = rd_pg_ext_run(s, RD_PGX_PREDICTION_ADD,
                       "INSERT INTO trader_predictions (report_id, trader, day, features, output, "
                       "rules_cut, system, cut, level, old_limit, new_limit) VALUES "
                       "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                       &pr, &res, "add a prediction", err);
    if (rc)
        return rc;
    p->id = rd_pg_col_i64(res, 0, 0);
    PQclear(res);
    return RD_OK;
}

int rd_pg_trader_prediction_list(struct rd_store *s, int64_t report_id,
                                 int (*visit)(void *ctx, const struct rd_trader_prediction_row *),
                                 void *ctx, struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res;
    int rc;

    rd_pg_bind_init(&p);
    if (report_id) {
        rd_pg_bind_i64(&p, report_id);
        rc = rd_pg_ext_run(s, RD_PGX_PREDICTIONS_OF,
                "SELECT " PREDICTION_COLS " FROM trader_predictions WHERE report_id = $1 "
                "ORDER BY id", &p, &res, "list predictions", err);
    } else {
        rc = rd_pg_ext_run(s, RD_PGX_PREDICTIONS_ALL,
                "SELECT " PREDICTION_COLS " FROM trader_predictions ORDER BY id", NULL, &res,
                "list predictions", err);
    }
    for (int i = 0, n = rc ? 0 : PQntuples(res); !rc && i < n; i++) {
        struct rd_trader_prediction_row pr;

        memset(&pr, 0, sizeof pr);
        pr.id = rd_pg_col_i64(res, i, 0);
        pr.report_id = rd_pg_col_i64(res, i, 1);
        rd_pg_col_text(res, i, 2, pr.trader, sizeof pr.trader);
        pr.day = (int32_t)rd_pg_col_i64(res, i, 3);
        rd_pg_col_text(res, i, 4, pr.features, sizeof pr.features);
        pr.has_output = !PQgetisnull(res, i, 5);
        pr.output = rd_pg_col_double(res, i, 5);
        pr.rules_cut = rd_pg_col_i64(res, i, 6);
        rd_pg_col_text(res, i, 7, pr.system, sizeof pr.system);
        pr.cut = rd_pg_col_i64(res, i, 8);
        rd_pg_col_text(res, i, 9, pr.level, sizeof pr.level);
        pr.old_limit = rd_pg_col_i64(res, i, 10);
        pr.new_limit = rd_pg_col_i64(res, i, 11);
        rc = visit(ctx, &pr);
    }
    PQclear(res);
    return rc;
}

const struct rd_store_traders_ops rd_pg_traders_ops = {
    .version = 2,
    .trader_import_add = rd_pg_trader_import_add,
    .trader_import_get = rd_pg_trader_import_get,
    .trader_fills_add = rd_pg_trader_fills_add,
    .trader_daily_add = rd_pg_trader_daily_add,
    .trader_limits_put = rd_pg_trader_limits_put,
    .trader_load = rd_pg_trader_load,
    .trader_days_put = rd_pg_trader_days_put,
    .trader_days_load = rd_pg_trader_days_load,
    .trader_report_add = rd_pg_trader_report_add,
    .trader_report_last = rd_pg_trader_report_last,
    .trader_prediction_add = rd_pg_trader_prediction_add,
    .trader_prediction_list = rd_pg_trader_prediction_list,
    .trader_fills_each = rd_pg_trader_fills_each,
};
