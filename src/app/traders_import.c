/*
 * traders_import.c - a traders' CSV into the store (see traders_import.h).
 *
 * A regular file is hashed first (one pass, about 0.5 s for 800 MB), so the
 * same bytes again are known before anything is parsed; standard input is
 * hashed as it is read. Nothing is written before the whole file is parsed,
 * so a strict stop or a bad file stores nothing; the parsed rows are hashed
 * (their canonical binary form, in file order) and looked up too, so a copy
 * with other line ends, a BOM, other quoting or date spelling is known as
 * well. Then every trader-day is recomputed from what is already stored and
 * the new rows after it, and the import row, its rows-hash row, the new rows
 * and the trader-days written in one transaction.
 *
 * A fills file that is a regular file is streamed (import_streamed): parsed
 * in parallel (fills_stream.h), its fills set aside on disk in file order
 * (fills_spill.h) for the rows hash and the store, and fed to the FIFO after
 * the stored fills as they are parsed (pnl.h), so memory follows the open
 * lots. When the fills are not in time order the spilled ones are loaded and
 * sorted as before (on_note says so); when the file cannot be read in parts
 * it is read whole. Other files (standard input, daily P&L, limits) are read
 * whole into memory.
 *
 * trader_imports holds one row per import (sha256 = the bytes' hash; the
 * fills and daily rows point at it) and, for fills and daily files with rows,
 * a second row whose sha256 is the rows' hash and whose path is
 * "same rows as import N: PATH" (rows 0). A copy found by its rows adds one
 * such row for its own bytes, so the next time it is known at once.
 */
#include "riskdesk/traders_import.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "riskdesk/alloc.h"
#include "riskdesk/calendar.h"
#include "riskdesk/fills_csv.h"
#include "riskdesk/fills_spill.h"
#include "riskdesk/fills_stream.h"
#include "riskdesk/pnl.h"
#include "riskdesk/banned.h"

#define STORE_CHUNK ((size_t)1 << 20)       /* fills per progress step */
#define SPILL_BATCH ((size_t)1 << 18)       /* fills read back from the spill at a time */
#define FEED_BATCH 1024                     /* fills given the FIFO's ids at a time */
#define HEADER_MAX 65536
#define ALIAS_PREFIX "same rows as import "
#define ROWS_DOMAIN "riskdesk traders rows v1"

/* The rows' hash covers struct rd_fill byte for byte: no padding in it. */
_Static_assert(sizeof(struct rd_fill) == 40, "struct rd_fill has padding");

const char *rd_fills_kind_name(enum rd_fills_kind kind)
{
    return kind == RD_FILLS_CSV ? "fills" : kind == RD_FILLS_DAILY_CSV ? "daily" : "limits";
}

static void hex_digest(const unsigned char *md, unsigned n, char *hex)
{
    static const char digits[] = "0123456789abcdef";

    for (unsigned i = 0; i < n; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[2 * n] = '\0';
}

int rd_traders_file_sha256(const char *path, char *hex, struct rd_error *err)
{
    unsigned char md[EVP_MAX_MD_SIZE], *buf = NULL;
    unsigned mdlen = 0;
    EVP_MD_CTX *ctx = NULL;
    int fd = -1, rc = RD_OK;

    hex[0] = '\0';
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return rd_error_set(err, RD_EIO, "cannot open %s: %s", path, strerror(errno));
    buf = rd_malloc(1 << 20);
    ctx = EVP_MD_CTX_new();
    if (!buf || !ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        rc = rd_error_set(err, RD_ENOMEM, "out of memory hashing %s", path);
        goto out;
    }
    for (;;) {
        ssize_t n = read(fd, buf, 1 << 20);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = rd_error_set(err, RD_EIO, "%s: read failed: %s", path, strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        EVP_DigestUpdate(ctx, buf, (size_t)n);
    }
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    hex_digest(md, mdlen, hex);
out:
    EVP_MD_CTX_free(ctx);
    rd_free(buf);
    close(fd);
    return rc;
}

/* The import an alias row stands for ("same rows as import N: ..."), else its own id. */
static int64_t import_of(const struct rd_trader_import_row *imp)
{
    size_t k = sizeof ALIAS_PREFIX - 1;
    int64_t id = 0;

    if (strncmp(imp->path, ALIAS_PREFIX, k) != 0)
        return imp->id;
    for (; imp->path[k] >= '0' && imp->path[k] <= '9' && id < INT64_MAX / 10 - 10; k++)
        id = id * 10 + (imp->path[k] - '0');
    return id > 0 ? id : imp->id;
}

/* Looks sha up: RD_OK with *id the import holding the rows, RD_ENOTFOUND, or an error. */
static int find_import(struct rd_store *s, const char *sha, int64_t *id, struct rd_error *err)
{
    struct rd_trader_import_row imp;
    int rc;

    memset(&imp, 0, sizeof imp);
    rc = s->ops->traders->trader_import_get(s, sha, &imp, err);
    if (rc == RD_OK)
        *id = import_of(&imp);
    return rc;
}

int rd_traders_import_known(struct rd_store *s, const char *path, char *hex, int64_t *import_id,
                            struct rd_error *err)
{
    int rc = rd_traders_file_sha256(path, hex, err);

    if (rc)
        return rc;
    if (!s->ops->traders || !s->ops->traders->trader_import_get)
        return rd_error_set(err, RD_EUNSUPPORTED,
                            "the %s store does not keep traders' data yet", s->ops->name);
    return find_import(s, hex, import_id, err);
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static void put64(unsigned char *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static void hash_names(EVP_MD_CTX *md, const struct rd_names *nm)
{
    unsigned char n[4];

    put32(n, nm->count);
    EVP_DigestUpdate(md, n, sizeof n);
    for (uint32_t i = 0; i < nm->count; i++)
        EVP_DigestUpdate(md, nm->name[i], strlen(nm->name[i]) + 1);
}

/*
 * The SHA-256 of what was read, not how it was written: the kind, the names
 * in order of first appearance, then the fills as stored in memory (struct
 * rd_fill, one block: about 0.27 s for 10 M fills) or the daily rows (trader,
 * day, P&L; not the line). Bad rows skipped are not in it. rows_hash_begin
 * hashes what comes before the rows (nm's names, the counts), rows_sha256 a
 * file read whole, spill_sha256 one whose fills were set aside.
 */
static int rows_hash_begin(EVP_MD_CTX **out, const struct rd_fills *nm, enum rd_fills_kind kind,
                           size_t nfills, size_t ndaily, struct rd_error *err)
{
    unsigned char b[16];
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();

    *out = NULL;
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        return rd_error_set(err, RD_ENOMEM, "out of memory hashing the rows");
    }
    EVP_DigestUpdate(ctx, ROWS_DOMAIN, sizeof ROWS_DOMAIN);
    EVP_DigestUpdate(ctx, rd_fills_kind_name(kind), strlen(rd_fills_kind_name(kind)) + 1);
    hash_names(ctx, &nm->traders);
    hash_names(ctx, &nm->symbols);
    put64(b, (uint64_t)nfills);
    put64(b + 8, (uint64_t)ndaily);
    EVP_DigestUpdate(ctx, b, 16);
    *out = ctx;
    return RD_OK;
}

static void rows_hash_end(EVP_MD_CTX *ctx, char *hex)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;

    EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    hex_digest(md, mdlen, hex);
}

static int rows_sha256(const struct rd_fills *fs, enum rd_fills_kind kind, char *hex,
                       struct rd_error *err)
{
    unsigned char b[16 * 256];
    EVP_MD_CTX *ctx;
    size_t k = 0;
    int rc = rows_hash_begin(&ctx, fs, kind, fs->nfills, fs->ndaily, err);

    if (rc)
        return rc;
    if (fs->nfills)
        EVP_DigestUpdate(ctx, fs->fills, fs->nfills * sizeof *fs->fills);
    for (size_t i = 0; i < fs->ndaily; i++) {
        put32(b + k, fs->daily[i].trader);
        put32(b + k + 4, (uint32_t)fs->daily[i].day);
        put64(b + k + 8, (uint64_t)fs->daily[i].pnl);
        k += 16;
        if (k == sizeof b || i + 1 == fs->ndaily) {
            EVP_DigestUpdate(ctx, b, k);
            k = 0;
        }
    }
    rows_hash_end(ctx, hex);
    return RD_OK;
}

/* The rows hash of a fills file whose fills were set aside (ids of nw's names). */
static int spill_sha256(const struct rd_fills *nw, struct rd_fills_spill *sp, struct rd_fill *buf,
                        char *hex, struct rd_error *err)
{
    EVP_MD_CTX *ctx;
    size_t n = 0;
    int rc = rows_hash_begin(&ctx, nw, RD_FILLS_CSV, rd_fills_spill_count(sp), 0, err);

    if (rc == RD_OK)
        rc = rd_fills_spill_rewind(sp, err);
    while (rc == RD_OK) {
        rc = rd_fills_spill_read(sp, buf, SPILL_BATCH, &n, err);
        if (rc != RD_OK || n == 0)
            break;
        EVP_DigestUpdate(ctx, buf, n * sizeof *buf);
    }
    if (rc == RD_OK)
        rows_hash_end(ctx, hex);
    else
        EVP_MD_CTX_free(ctx);
    return rc;
}

/* ---------------------------------------------------------------- kind */

static int col_is(const char *s, size_t n, const char *lit)
{
    size_t m = strlen(lit);

    while (n && (*s == ' ' || *s == '\t' || *s == '"')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '"' || s[n - 1] == '\r'))
        n--;
    if (n != m)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != lit[i])
            return 0;
    }
    return 1;
}

int rd_traders_csv_kind(const char *path, enum rd_fills_kind *kind, struct rd_error *err)
{
    char buf[HEADER_MAX];
    size_t len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int fills = 0, daily = 0, limits = 0;
    const char *p, *end;

    if (fd < 0)
        return rd_error_set(err, RD_EIO, "cannot open %s: %s", path, strerror(errno));
    while (len < sizeof buf - 1) {
        ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        if (memchr(buf, '\n', len))
            break;
    }
    close(fd);
    buf[len] = '\0';
    p = buf;
    if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
        p += 3;
    end = strchr(p, '\n');
    if (!end)
        end = buf + len;
    while (p < end) {
        const char *c = memchr(p, ',', (size_t)(end - p));
        size_t n = (size_t)((c ? c : end) - p);

        fills |= col_is(p, n, "symbol");
        daily |= col_is(p, n, "pnl") || col_is(p, n, "net_pnl");
        limits |= col_is(p, n, "daily_loss_limit") || col_is(p, n, "limit");
        p += n + (c ? 1 : 0);
        if (!c)
            break;
    }
    if (fills + daily + limits != 1)
        return rd_error_set(err, RD_EINVAL,
                            "%s: cannot tell the kind of CSV from its header: expected a "
                            "\"symbol\" column (fills), \"pnl\" (daily P&L) or "
                            "\"daily_loss_limit\" (limits)", path);
    *kind = fills ? RD_FILLS_CSV : daily ? RD_FILLS_DAILY_CSV : RD_FILLS_LIMITS_CSV;
    return RD_OK;
}

/* ---------------------------------------------------------------- import */

struct reading {
    EVP_MD_CTX *md;
    const struct rd_traders_import_opts *o;
    uint64_t done, total;
    pthread_mutex_t mu;             /* a stream reads and reports bad rows on two threads */
    long reported;                  /* the last line whose bad row was reported */
    int again;                      /* read whole after a stream: lines up to reported were */
};

static void on_read(void *ctx, const void *data, size_t n)
{
    struct reading *r = ctx;

    pthread_mutex_lock(&r->mu);
    if (r->md)
        EVP_DigestUpdate(r->md, data, n);
    r->done += n;
    if (r->o->on_progress)
        r->o->on_progress(r->o->ctx, "read", r->done, r->total);
    pthread_mutex_unlock(&r->mu);
}

static void on_bad(void *ctx, const char *path, long line, const char *why)
{
    struct reading *r = ctx;

    pthread_mutex_lock(&r->mu);
    if (r->o->on_bad && !(r->again && line <= r->reported))
        r->o->on_bad(r->o->ctx, path, line, why);
    if (line > r->reported)
        r->reported = line;
    pthread_mutex_unlock(&r->mu);
}

static void note(const struct rd_traders_import_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void note(const struct rd_traders_import_opts *o, const char *fmt, ...)
{
    char msg[RD_ERROR_MSG_MAX + 160];
    va_list ap;

    if (!o->on_note)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    o->on_note(o->ctx, msg);
}

static int need_ops(const struct rd_store *s, struct rd_error *err)
{
    const struct rd_store_traders_ops *o = s->ops->traders;

    if (!o || !o->trader_import_add || !o->trader_import_get || !o->trader_fills_add ||
        !o->trader_daily_add || !o->trader_limits_put || !o->trader_load ||
        !o->trader_days_put || !o->trader_days_load)
        return rd_error_set(err, RD_EUNSUPPORTED,
                            "the %s store does not keep traders' data yet", s->ops->name);
    return RD_OK;
}

struct stored_day {
    uint32_t trader;
    int32_t day;
    rd_money pnl;
};

static int cmp_stored(const void *a, const void *b)
{
    const struct stored_day *x = a, *y = b;

    if (x->trader != y->trader)
        return x->trader < y->trader ? -1 : 1;
    return (x->day > y->day) - (x->day < y->day);
}

/* Extends map (from's ids to to's) over every name from has now, interning them into to. */
static int grow_map(struct rd_names *to, const struct rd_names *from, uint32_t **map,
                    uint32_t *nmap, struct rd_error *err)
{
    uint32_t *m;

    if (*nmap == from->count)
        return RD_OK;
    m = rd_realloc(*map, from->count * sizeof *m);
    if (!m)
        return rd_error_set(err, RD_ENOMEM, "out of memory mapping names");
    *map = m;
    for (; *nmap < from->count; ++*nmap) {
        int rc = rd_names_intern(to, from->name[*nmap], strlen(from->name[*nmap]), &m[*nmap], err);

        if (rc)
            return rc;
    }
    return RD_OK;
}

/*
 * Appends nw's rows to fs (names re-interned). New daily rows for a trader-day
 * fs already has are dropped: counted as duplicates when the P&L is the same,
 * reported as bad rows (or, strict, an error) when not.
 */
static int merge(struct rd_fills *fs, const struct rd_fills *nw, const char *path,
                 const struct rd_traders_import_opts *o, struct rd_traders_import_result *res,
                 struct rd_error *err)
{
    uint32_t *tmap = NULL, *smap = NULL, ntmap = 0, nsmap = 0;
    struct stored_day *idx = NULL;
    size_t nidx = fs->ndaily;
    int rc = grow_map(&fs->traders, &nw->traders, &tmap, &ntmap, err);

    if (!rc)
        rc = grow_map(&fs->symbols, &nw->symbols, &smap, &nsmap, err);
    for (size_t i = 0; !rc && i < nw->nfills; i++) {
        struct rd_fill f = nw->fills[i];

        f.trader = tmap[f.trader];
        f.symbol = smap[f.symbol];
        rc = rd_fills_add(fs, &f, err);
    }
    if (rc || !nw->ndaily)
        goto out;
    idx = rd_malloc((nidx ? nidx : 1) * sizeof *idx);
    if (!idx) {
        rc = rd_error_set(err, RD_ENOMEM, "out of memory merging %s", path);
        goto out;
    }
    for (size_t i = 0; i < nidx; i++) {
        idx[i].trader = fs->daily[i].trader;
        idx[i].day = fs->daily[i].day;
        idx[i].pnl = fs->daily[i].pnl;
    }
    qsort(idx, nidx, sizeof *idx, cmp_stored);
    for (size_t i = 0; !rc && i < nw->ndaily; i++) {
        struct rd_daily_pnl d = nw->daily[i];
        struct stored_day key, *hit;

        d.trader = tmap[d.trader];
        key.trader = d.trader;
        key.day = d.day;
        hit = nidx ? bsearch(&key, idx, nidx, sizeof *idx, cmp_stored) : NULL;
        if (hit && hit->pnl == d.pnl) {
            res->duplicates++;
            res->rows--;
            continue;
        }
        if (hit) {
            char date[16], was[40], why[256];

            rd_date_format(d.day, date, sizeof date);
            rd_money_format(hit->pnl, was, sizeof was);
            snprintf(why, sizeof why,
                     "%.100s on %s is already stored with P&L %s from an earlier import",
                     fs->traders.name[d.trader], date, was);
            if (o->strict) {
                rc = rd_error_set(err, RD_EINVAL, "%s:%ld: %s", path, d.line, why);
                break;
            }
            res->bad++;
            res->rows--;
            if (o->on_bad)
                o->on_bad(o->ctx, path, d.line, why);
            continue;
        }
        rc = rd_fills_add_daily(fs, &d, err);
    }
out:
    rd_free(idx);
    rd_free(tmap);
    rd_free(smap);
    return rc;
}

/* The row that makes sha (of other bytes, or of the rows) find import id. */
static int add_alias(struct rd_store *s, const struct rd_trader_import_row *imp, int64_t id,
                     const char *sha, const char *path, struct rd_error *err)
{
    struct rd_trader_import_row a = *imp;

    snprintf(a.sha256, sizeof a.sha256, "%s", sha);
    snprintf(a.path, sizeof a.path, ALIAS_PREFIX "%lld: %s", (long long)id, path);
    a.rows = a.bad = 0;
    return s->ops->traders->trader_import_add(s, &a, err);
}

/* A streamed file's fills: in the spill, with ids of names' names; buf holds SPILL_BATCH. */
struct spilled {
    struct rd_fills_spill *spill;
    const struct rd_fills *names;
    struct rd_fill *buf;
};

/* Stores the new fills, fs->fills[f0..] or those set aside in sp. */
static int store_fills(struct rd_store *s, int64_t id, const struct rd_fills *fs, size_t f0,
                       const struct spilled *sp, const struct rd_traders_import_opts *o,
                       struct rd_error *err)
{
    size_t nnew = sp ? rd_fills_spill_count(sp->spill) : fs->nfills - f0, done = 0, n = 0;
    struct rd_fills batch;
    int rc = RD_OK;

    if (!sp) {
        for (size_t i = 0; !rc && i < nnew; i += STORE_CHUNK) {
            n = nnew - i < STORE_CHUNK ? nnew - i : STORE_CHUNK;
            rc = s->ops->traders->trader_fills_add(s, id, fs, f0 + i, n, err);
            if (!rc && o->on_progress)
                o->on_progress(o->ctx, "store", i + n, nnew);
        }
        return rc;
    }
    batch = *sp->names;                     /* its names, the spill's fills a batch at a time */
    rc = rd_fills_spill_rewind(sp->spill, err);
    while (rc == RD_OK) {
        rc = rd_fills_spill_read(sp->spill, sp->buf, SPILL_BATCH, &n, err);
        if (rc != RD_OK || n == 0)
            break;
        batch.fills = sp->buf;
        batch.nfills = batch.fills_cap = n;
        rc = s->ops->traders->trader_fills_add(s, id, &batch, 0, n, err);
        done += n;
        if (!rc && o->on_progress)
            o->on_progress(o->ctx, "store", done, nnew);
    }
    return rc;
}

/* Writes the import: its row, the new rows, the trader-days. One transaction. */
static int write_import(struct rd_store *s, const struct rd_fills *fs, size_t f0, size_t d0,
                        const struct spilled *sp, const struct rd_pnl *pnl,
                        const struct rd_fills *limits, struct rd_trader_import_row *imp,
                        const char *rows_sha, const struct rd_traders_import_opts *o,
                        struct rd_error *err)
{
    int rc = s->ops->begin(s, err);

    if (rc)
        return rc;
    rc = s->ops->traders->trader_import_add(s, imp, err);
    if (!rc && rows_sha && rows_sha[0])
        rc = add_alias(s, imp, imp->id, rows_sha, imp->path, err);
    if (!rc)
        rc = store_fills(s, imp->id, fs, f0, sp, o, err);
    if (!rc && fs->ndaily > d0)
        rc = s->ops->traders->trader_daily_add(s, imp->id, fs, d0, fs->ndaily - d0, err);
    if (!rc && limits)
        rc = s->ops->traders->trader_limits_put(s, imp->id, limits, err);
    if (!rc && pnl)
        rc = s->ops->traders->trader_days_put(s, fs, pnl, err);
    if (rc) {
        s->ops->rollback(s);
        return rc;
    }
    return s->ops->commit(s, err);
}

static void import_row(struct rd_trader_import_row *imp, enum rd_fills_kind kind,
                       const struct rd_traders_import_result *res, const char *path,
                       const struct rd_traders_import_opts *o)
{
    memset(imp, 0, sizeof *imp);
    imp->kind = kind;
    snprintf(imp->sha256, sizeof imp->sha256, "%s", res->sha256);
    snprintf(imp->path, sizeof imp->path, "%s", path);
    imp->bytes = res->bytes;
    imp->imported_at = o->now ? o->now : (int64_t)time(NULL);
}

/*
 * The same rows in other bytes (CRLF, a BOM, quoting...) as an earlier import,
 * found by res->rows_sha256: nothing to do either, but these bytes are
 * remembered so the next time they are known at once. RD_OK when found,
 * RD_ENOTFOUND when the rows are new, or an error.
 */
static int known_rows(struct rd_store *s, const struct rd_trader_import_row *imp,
                      struct rd_traders_import_result *res, const char *path, struct rd_error *err)
{
    int rc = find_import(s, res->rows_sha256, &res->import_id, err);

    if (rc)
        return rc;
    res->already = 1;
    res->same_rows = 1;
    res->rows = 0;
    rc = s->ops->begin(s, err);
    if (!rc)
        rc = add_alias(s, imp, res->import_id, res->sha256, path, err);
    if (!rc)
        return s->ops->commit(s, err);
    s->ops->rollback(s);
    return rc;
}

/* ---------------------------------------------------------------- streamed */

/* What the stream's sink works with (on the reader's handing-on thread). */
struct feeding {
    struct rd_fills *fs;            /* the stored rows and every name: the FIFO's ids */
    const struct rd_fills *nw;      /* this file's names, as the reader interns them */
    struct rd_fills_spill *spill;   /* this file's fills, ids of nw's names */
    struct rd_pnl_feed *pf;         /* NULL once the fills left time order or it failed */
    size_t nstored;                 /* the stored fills fed before the file's */
    int out_of_order;
    int frc;                        /* the FIFO's own failure, told after the rows hash */
    struct rd_error ferr;
    uint32_t *tmap, *smap;          /* nw's ids to fs's */
    uint32_t ntmap, nsmap;
};

/* Takes the FIFO's answer to a feed: past an error it is fed no more. */
static void fed(struct feeding *fd, int rc, const struct rd_error *e)
{
    if (rc == RD_OK)
        return;
    if (rc == RD_EUNSUPPORTED) {
        fd->out_of_order = 1;
    } else {
        fd->frc = rc;
        fd->ferr = *e;
    }
    rd_pnl_feed_free(fd->pf);
    fd->pf = NULL;
}

static int map_names(struct feeding *fd, struct rd_error *err)
{
    int rc = grow_map(&fd->fs->traders, &fd->nw->traders, &fd->tmap, &fd->ntmap, err);

    return rc ? rc : grow_map(&fd->fs->symbols, &fd->nw->symbols, &fd->smap, &fd->nsmap, err);
}

/* trader_fills_each's visit: the stored fills fed first (ids already fs's), counted. */
static int feed_stored(void *ctx, const struct rd_fill *f, size_t n, struct rd_error *err)
{
    struct feeding *fd = ctx;
    struct rd_error e = {0};

    (void)err;
    fd->nstored += n;
    if (fd->pf)
        fed(fd, rd_pnl_feed_add(fd->pf, f, n, &e), &e);
    return RD_OK;
}

/*
 * What is stored into fs, but for its fills, which are fed to the FIFO as
 * they are read (trader_fills_each; a store without it: loaded, then fed).
 */
static int load_stored(struct rd_store *s, struct feeding *fd, struct rd_error *err)
{
    const struct rd_store_traders_ops *t = s->ops->traders;
    int rc;

    if (t->version >= 2 && t->trader_fills_each) {
        rc = t->trader_fills_each(s, fd->fs, feed_stored, fd, err);
        return rc ? rc : t->trader_load(s, RD_TRADER_LOAD_DAILY, fd->fs, err);
    }
    rc = t->trader_load(s, RD_TRADER_LOAD_FILLS | RD_TRADER_LOAD_DAILY, fd->fs, err);
    return rc ? rc : feed_stored(fd, fd->fs->fills, fd->fs->nfills, err);
}

/* The sink: each fill set aside, then fed to the FIFO with fs's ids while in time order. */
static int sink(void *ctx, const struct rd_fill *f, size_t n, struct rd_error *err)
{
    struct feeding *fd = ctx;
    struct rd_fill buf[FEED_BATCH];
    struct rd_error e = {0};
    int rc = rd_fills_spill_add(fd->spill, f, n, err);

    if (rc || !fd->pf)
        return rc;
    rc = map_names(fd, err);
    for (size_t i = 0, k; !rc && fd->pf && i < n; i += k) {
        k = n - i < FEED_BATCH ? n - i : FEED_BATCH;
        for (size_t j = 0; j < k; j++) {
            buf[j] = f[i + j];
            buf[j].trader = fd->tmap[buf[j].trader];
            buf[j].symbol = fd->smap[buf[j].symbol];
        }
        fed(fd, rd_pnl_feed_add(fd->pf, buf, k, &e), &e);
    }
    return rc;
}

/* Every fill into fs, the stored ones then the spilled ones with fs's ids (fills out of
 * time order). */
static int load_all(struct rd_store *s, struct feeding *fd, struct rd_fill *buf,
                    struct rd_error *err)
{
    size_t n = 0;
    int rc = RD_OK;

    if (fd->fs->nfills < fd->nstored)         /* streamed from the store: read them again */
        rc = s->ops->traders->trader_load(s, RD_TRADER_LOAD_FILLS, fd->fs, err);
    if (rc == RD_OK)
        rc = rd_fills_spill_rewind(fd->spill, err);

    while (rc == RD_OK) {
        rc = rd_fills_spill_read(fd->spill, buf, SPILL_BATCH, &n, err);
        if (rc != RD_OK || n == 0)
            break;
        for (size_t i = 0; rc == RD_OK && i < n; i++) {
            buf[i].trader = fd->tmap[buf[i].trader];
            buf[i].symbol = fd->smap[buf[i].symbol];
            rc = rd_fills_add(fd->fs, &buf[i], err);
        }
    }
    return rc;
}

/*
 * Imports the fills file at path (a regular file, its bytes hashed and new)
 * streamed: fs gets what is stored and pnl the trader-days (both initialised,
 * the caller's to release). RD_OK with res->already when its rows were known.
 * RD_EUNSUPPORTED, nothing written and err saying why, when the file cannot
 * be read in parts: the caller reads it whole.
 */
static int import_streamed(struct rd_store *s, const char *path, struct reading *rd,
                           struct rd_traders_import_result *res, struct rd_fills *fs,
                           struct rd_pnl *pnl, struct rd_error *err)
{
    const struct rd_traders_import_opts *o = rd->o;
    struct rd_fills_options fo = {.strict = o->strict, .on_bad = on_bad, .on_read = on_read,
                                  .ctx = rd};
    struct rd_fills_stats stats = {0};
    struct rd_trader_import_row imp;
    struct rd_fills nw;
    struct feeding fd;
    struct spilled sp;
    size_t f0 = 0;
    int rc;

    rd_fills_init(&nw);
    memset(&fd, 0, sizeof fd);
    memset(&sp, 0, sizeof sp);
    fd.fs = fs;
    fd.nw = &nw;
    rc = rd_fills_spill_new(&fd.spill, err);
    if (!rc)
        rc = rd_pnl_feed_new(fs, &fd.pf, err);
    if (!rc)
        rc = load_stored(s, &fd, err);      /* the stored fills fed first */
    if (rc)
        goto out;
    f0 = fd.nstored;
    rc = rd_fills_stream(&nw, path, &fo, NULL, sink, &fd, &stats, err);
    if (!rc)
        rc = map_names(&fd, err);           /* names of bad rows only, too */
    if (rc)
        goto out;
    res->bytes = (int64_t)rd->done;
    res->rows = stats.rows;
    res->bad = stats.bad;
    import_row(&imp, RD_FILLS_CSV, res, path, o);
    sp.spill = fd.spill;
    sp.names = &nw;
    sp.buf = rd_malloc(SPILL_BATCH * sizeof *sp.buf);
    if (!sp.buf) {
        rc = rd_error_set(err, RD_ENOMEM, "out of memory importing %s", path);
        goto out;
    }
    if (res->rows > 0) {
        rc = spill_sha256(&nw, fd.spill, sp.buf, res->rows_sha256, err);
        if (!rc)
            rc = known_rows(s, &imp, res, path, err);
        if (rc != RD_ENOTFOUND)
            goto out;
        rd_error_clear(err);
    }
    if (fd.pf) {
        rc = rd_pnl_feed_finish(fd.pf, pnl, err);
    } else if (fd.frc) {
        rc = fd.frc;
        *err = fd.ferr;
    } else {
        if (f0)
            note(o, "%s: the fills are not in time order (after the %zu stored before them); "
                 "sorting them all in memory (40 bytes a fill)", path, f0);
        else
            note(o, "%s: the fills are not in time order; sorting them in memory (40 bytes "
                 "a fill)", path);
        rc = load_all(s, &fd, sp.buf, err);
        if (!rc)
            rc = rd_pnl_compute(fs, pnl, err);
    }
    if (rc) {
        rd_error_prefix(err, "%s: nothing imported", path);
        goto out;
    }
    imp.rows = res->rows;
    imp.bad = res->bad;
    rc = write_import(s, fs, f0, fs->ndaily, fd.pf ? &sp : NULL, pnl, NULL, &imp,
                      res->rows_sha256, o, err);
    if (!rc)
        res->import_id = imp.id;
out:
    rd_free(sp.buf);
    rd_free(fd.tmap);
    rd_free(fd.smap);
    rd_pnl_feed_free(fd.pf);
    rd_fills_spill_free(fd.spill);
    rd_fills_release(&nw);
    return rc;
}

/* ---------------------------------------------------------------- import */

int rd_traders_import(struct rd_store *s, enum rd_fills_kind kind, const char *path,
                      const struct rd_traders_import_opts *o, struct rd_traders_import_result *res,
                      struct rd_error *err)
{
    static const struct rd_traders_import_opts none = {0};
    struct rd_fills nw, fs;
    struct rd_pnl pnl;
    struct rd_fills_stats stats = {0};
    struct reading rd = {0};
    struct rd_fills_options fo = {0};
    struct rd_trader_import_row imp;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    struct stat st;
    size_t f0 = 0, d0 = 0;
    int rc, hashed = 0;

    if (!o)
        o = &none;
    memset(res, 0, sizeof *res);
    res->kind = kind;
    rc = need_ops(s, err);
    if (rc)
        return rc;
    rd_fills_init(&nw);
    rd_fills_init(&fs);
    rd_pnl_init(&pnl);
    rd.o = o;
    pthread_mutex_init(&rd.mu, NULL);
    if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
        /* a file: its bytes hashed before anything is parsed */
        rd.total = (uint64_t)st.st_size;
        rc = rd_traders_import_known(s, path, res->sha256, &res->import_id, err);
        if (rc == RD_OK) {
            res->already = 1;
            res->bytes = (int64_t)st.st_size;
            goto counts;
        }
        if (rc != RD_ENOTFOUND)
            goto out;
        rd_error_clear(err);
        hashed = 1;
    } else {
        rd.md = EVP_MD_CTX_new();
        if (!rd.md || EVP_DigestInit_ex(rd.md, EVP_sha256(), NULL) != 1) {
            rc = rd_error_set(err, RD_ENOMEM, "out of memory importing %s", path);
            goto out;
        }
    }
    if (hashed && kind == RD_FILLS_CSV) {
        rc = import_streamed(s, path, &rd, res, &fs, &pnl, err);
        if (rc == RD_OK && res->already)
            goto counts;
        if (rc != RD_EUNSUPPORTED)
            goto tally;
        /* not to be read in parts: read whole, the bad rows reported once */
        note(o, "%s; reading it whole", err->msg);
        rd_error_clear(err);
        rd_pnl_release(&pnl);
        rd_fills_release(&fs);
        res->bytes = res->rows = res->bad = 0;
        rd.done = 0;
        rd.again = 1;
    }
    fo.strict = o->strict;
    fo.on_bad = on_bad;
    fo.on_read = on_read;
    fo.ctx = &rd;
    rc = rd_fills_read(&nw, kind, path, &fo, &stats, err);
    if (rc)
        goto out;
    if (!hashed) {
        EVP_DigestFinal_ex(rd.md, md, &mdlen);
        hex_digest(md, mdlen, res->sha256);
    }
    res->bytes = (int64_t)rd.done;
    res->rows = stats.rows;
    res->bad = stats.bad;

    /* the same bytes again (standard input: known only now): nothing to do */
    if (!hashed) {
        rc = find_import(s, res->sha256, &res->import_id, err);
        if (rc == RD_OK) {
            res->already = 1;
            res->rows = 0;
            goto counts;
        }
        if (rc != RD_ENOTFOUND)
            goto out;
        rd_error_clear(err);
    }

    import_row(&imp, kind, res, path, o);
    if (kind != RD_FILLS_LIMITS_CSV && res->rows > 0) {
        rc = rows_sha256(&nw, kind, res->rows_sha256, err);
        if (!rc)
            rc = known_rows(s, &imp, res, path, err);
        if (rc == RD_OK)
            goto counts;
        if (rc != RD_ENOTFOUND)
            goto out;
        rd_error_clear(err);
    }

    if (kind == RD_FILLS_LIMITS_CSV) {
        imp.rows = res->rows;
        imp.bad = res->bad;
        rc = write_import(s, &nw, nw.nfills, nw.ndaily, NULL, NULL, &nw, &imp, NULL, o, err);
        if (rc)
            goto out;
        res->import_id = imp.id;
        goto counts;
    }

    /* everything stored, then the new rows after it */
    rc = s->ops->traders->trader_load(s, RD_TRADER_LOAD_FILLS | RD_TRADER_LOAD_DAILY, &fs, err);
    if (rc)
        goto out;
    if (fs.nfills == 0 && fs.ndaily == 0 && fs.traders.count == 0) {
        struct rd_fills tmp = fs;

        fs = nw;                            /* nothing stored: the new rows are all */
        nw = tmp;
    } else {
        f0 = fs.nfills;
        d0 = fs.ndaily;
        rc = merge(&fs, &nw, path, o, res, err);
        if (rc)
            goto out;
        rd_fills_release(&nw);
    }
    rc = rd_pnl_compute(&fs, &pnl, err);
    if (rc) {
        rd_error_prefix(err, "%s: nothing imported", path);
        goto out;
    }
    imp.rows = res->rows;
    imp.bad = res->bad;
    rc = write_import(s, &fs, f0, d0, NULL, &pnl, NULL, &imp, res->rows_sha256, o, err);
    if (rc)
        goto out;
    res->import_id = imp.id;
    goto tally;
counts:
    rd_pnl_release(&pnl);
    rd_fills_release(&fs);
    rc = s->ops->traders->trader_days_load(s, &fs, &pnl, err);
tally:
    if (rc)
        goto out;
    for (uint32_t t = 0; t < pnl.ntraders; t++)
        res->traders += pnl.span[t].count > 0;
    res->days = (int64_t)pnl.ndays;
out:
    EVP_MD_CTX_free(rd.md);
    pthread_mutex_destroy(&rd.mu);
    rd_pnl_release(&pnl);
    rd_fills_release(&fs);
    rd_fills_release(&nw);
    return rc;
}
