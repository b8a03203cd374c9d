/*
 * fills_csv.c - the fills, daily P&L and limits CSV readers (see fills_csv.h);
 * what they read goes into the container of core/fills.c.
 *
 * One hand-written, streaming reader over a large buffer: a record is first
 * delimited (memchr for the newline, quote parity for quoted newlines), then
 * split into fields in place ("" unescaped by moving bytes down), then checked
 * and converted by the kind's row function. Nothing is copied per row except
 * names, which are interned once.
 */
#include "riskdesk/fills_csv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "riskdesk/alloc.h"
#include "riskdesk/calendar.h"
#include "io/fills_csv_int.h"
#include "riskdesk/banned.h"

#define DEFAULT_BUF (1u << 20)
#define MIN_BUF 16u
#define MAX_FIELDS 64
#define WHY_MAX 256

/* ---------------------------------------------------------------- fields */

static int num(const char *s, size_t n, int *out)
{
    int v = 0;

    if (n == 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int valid_ymd(int y, int m, int d)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1)
        return 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

static int parse_date(const char *s, size_t n, int32_t *day)
{
    int y, m, d;

    if (n == 10 && s[4] == '-' && s[7] == '-') {
        if (num(s, 4, &y) || num(s + 5, 2, &m) || num(s + 8, 2, &d))
            return -1;
    } else {
        const char *a = memchr(s, '/', n), *b;

        if (!a)
            return -1;
        b = memchr(a + 1, '/', n - (size_t)(a + 1 - s));
        if (!b || a - s < 1 || a - s > 2 || b - a - 1 < 1 || b - a - 1 > 2 ||
            s + n - (b + 1) != 4)
            return -1;
        if (num(s, (size_t)(a - s), &m) || num(a + 1, (size_t)(b - a - 1), &d) ||
            num(b + 1, 4, &y))
            return -1;
    }
    if (!valid_ymd(y, m, d))
        return -1;
    *day = rd_date_from_ymd(y, m, d);
    return 0;
}

int rd_fills_date_parse(const char *s, size_t len, int32_t *day, struct rd_error *err)
{
    if (parse_date(s, len, day))
        return rd_error_set(err, RD_EINVAL, "bad date \"%.*s\": expected MM/DD/YYYY or YYYY-MM-DD",
                            (int)(len > 40 ? 40 : len), s);
    return RD_OK;
}

/* "HH:MM", "HH:MM:SS" or "HH:MM:SS.fff..." (H may be one digit); fraction cut to ms. */
static int parse_time_any(const char *s, size_t n, int32_t *ms);

static int parse_time(const char *s, size_t n, int32_t *ms)
{
    if (n == 8 && s[2] == ':' && s[5] == ':') {         /* HH:MM:SS, the usual */
        int d[6] = {s[0] - '0', s[1] - '0', s[3] - '0', s[4] - '0', s[6] - '0', s[7] - '0'};
        int ok = 1;

        for (int i = 0; i < 6; i++)
            ok &= d[i] >= 0 && d[i] <= 9;
        if (ok && d[0] * 10 + d[1] <= 23 && d[2] <= 5 && d[4] <= 5) {
            *ms = (((d[0] * 10 + d[1]) * 60 + d[2] * 10 + d[3]) * 60 + d[4] * 10 + d[5]) * 1000;
            return 0;
        }
    }
    return parse_time_any(s, n, ms);
}

static int parse_time_any(const char *s, size_t n, int32_t *ms)
{
    const char *c1 = memchr(s, ':', n), *end = s + n, *c2, *dot;
    int h, m, sec = 0, frac = 0;

    if (!c1 || c1 - s < 1 || c1 - s > 2 || num(s, (size_t)(c1 - s), &h))
        return -1;
    c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
    if ((c2 ? c2 : end) - (c1 + 1) != 2 || num(c1 + 1, 2, &m))
        return -1;
    if (c2) {
        dot = memchr(c2 + 1, '.', (size_t)(end - c2 - 1));
        if ((dot ? dot : end) - (c2 + 1) != 2 || num(c2 + 1, 2, &sec))
            return -1;
        if (dot) {
            int scale = 100;

            if (dot + 1 == end)
                return -1;
            for (const char *p = dot + 1; p < end; p++) {
                if (*p < '0' || *p > '9')
                    return -1;
                frac += (*p - '0') * scale;
                scale /= 10;
            }
        }
    }
    if (h > 23 || m > 59 || sec > 59)
        return -1;
    *ms = ((h * 60 + m) * 60 + sec) * 1000 + frac;
    return 0;
}

/* Whole number of shares; "100" and "100.00" are accepted, "100.5" is not. */
static int parse_qty(const char *s, size_t n, int64_t *out)
{
    int64_t v = 0;
    size_t i = 0;

    if (n && s[0] == '+')
        i = 1;
    if (i == n)
        return -1;
    for (; i < n && s[i] != '.'; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
        if (v > RD_FILL_QTY_MAX)
            return -1;
    }
    if (i < n) {
        if (i + 1 == n)
            return -1;
        for (i++; i < n; i++)
            if (s[i] != '0')
                return -1;
    }
    if (v <= 0)
        return -1;
    *out = v;
    return 0;
}

static int ieq(const char *a, size_t n, const char *lit)
{
    size_t k = strlen(lit);

    if (n != k)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = a[i];

        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != lit[i])
            return 0;
    }
    return 1;
}

/* ---------------------------------------------------------------- reader */

enum col {
    C_TRADER, C_DATE, C_SYMBOL, C_SIDE, C_QTY, C_PRICE, C_TIME, C_FEES,
    C_COMM, C_ECN, C_SEC, C_TAF, C_NSCC, C_CLR, C_MISC, C_PNL, C_LIMIT, C_COUNT
};

static const struct {
    const char *name;
    const char *alias;
} col_names[C_COUNT] = {
    [C_TRADER] = {"trader_id", "trader"}, [C_DATE] = {"date", NULL},
    [C_SYMBOL] = {"symbol", NULL},        [C_SIDE] = {"side", NULL},
    [C_QTY] = {"qty", "quantity"},        [C_PRICE] = {"price", NULL},
    [C_TIME] = {"time", NULL},            [C_FEES] = {"fees", NULL},
    [C_COMM] = {"comm", NULL},            [C_ECN] = {"ecn", NULL},
    [C_SEC] = {"sec", NULL},              [C_TAF] = {"taf", NULL},
    [C_NSCC] = {"nscc", NULL},            [C_CLR] = {"clr", NULL},
    [C_MISC] = {"misc", NULL},            [C_PNL] = {"pnl", "net_pnl"},
    [C_LIMIT] = {"daily_loss_limit", "limit"},
};

#define NAME_CACHE 64                   /* slots, a power of two */
#define NAME_CACHE_LEN 22               /* longest name kept */

struct name_slot {
    uint8_t len;                        /* 0 = empty */
    char text[NAME_CACHE_LEN];
    uint32_t id;
};

_Static_assert(C_COUNT == RD_FILLS_COLS, "fills_csv_int.h's column count");

struct reader {
    struct rd_fills *fs;
    enum rd_fills_kind kind;
    const char *path;
    const struct rd_fills_options *opts;
    struct rd_fills_stats *stats;
    struct rd_error *err;
    /* input: an fd, or memory */
    int fd;
    const char *mem;
    size_t mem_len, mem_pos;
    char *buf;
    size_t cap, pos, end;
    int eof, first;
    long line;                      /* physical line of buf[pos] */
    /* the current record */
    long rec_line;
    int nf;
    char *f[MAX_FIELDS];
    size_t fl[MAX_FIELDS];
    /* a part of a file read in parallel (fills_csv_int.h): records longer than
     * this and records that span lines make it unsplittable */
    size_t serial_cap;              /* 0 = not a part */
    int unsplittable;
    /* header */
    int ncols;
    int col[C_COUNT];               /* field index of each column, -1 = absent */
    char why[WHY_MAX];
    /* the previous row's date, which the next row usually repeats, and the names
     * seen lately: a row's trader and symbol are looked up here first */
    char last_date[16];
    size_t last_date_len;                       /* 0 = none */
    int32_t last_day;
    struct name_slot traders[NAME_CACHE], symbols[NAME_CACHE];
};

static int refill(struct reader *r)
{
    size_t room;

    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->end - r->pos);
        r->end -= r->pos;
        r->pos = 0;
    }
    room = r->cap - r->end;
    if (room == 0 || r->eof)
        return RD_OK;
    if (r->fd < 0) {
        size_t n = r->mem_len - r->mem_pos < room ? r->mem_len - r->mem_pos : room;

        if (n)
            memcpy(r->buf + r->end, r->mem + r->mem_pos, n);
        if (n && r->opts && r->opts->on_read)
            r->opts->on_read(r->opts->ctx, r->mem + r->mem_pos, n);
        r->mem_pos += n;
        r->end += n;
        if (r->mem_pos == r->mem_len)
            r->eof = 1;
        return RD_OK;
    }
    for (;;) {
        ssize_t n = read(r->fd, r->buf + r->end, room);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return rd_error_set(r->err, RD_EIO, "%s: read failed: %s", r->path, strerror(errno));
        if (n == 0)
            r->eof = 1;
        else if (r->opts && r->opts->on_read)
            r->opts->on_read(r->opts->ctx, r->buf + r->end, (size_t)n);
        r->end += (size_t)n;
        return RD_OK;
    }
}

static int bad_row(struct reader *r, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int bad_row(struct reader *r, long line, const char *fmt, ...)
{
    char why[WHY_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);        /* fmt's arguments may be r->why */
    va_end(ap);
    memcpy(r->why, why, sizeof why);
    if (r->opts && r->opts->strict)
        return rd_error_set(r->err, RD_EINVAL, "%s:%ld: %s", r->path, line, why);
    if (r->stats)
        r->stats->bad++;
    if (r->opts && r->opts->on_bad)
        r->opts->on_bad(r->opts->ctx, r->path, line, why);
    return RD_OK;
}

/* Skips to just past the next newline (after a record too long to hold). */
static int skip_line(struct reader *r)
{
    for (;;) {
        char *nl = memchr(r->buf + r->pos, '\n', r->end - r->pos);
        int rc;

        if (nl) {
            r->pos = (size_t)(nl - r->buf) + 1;
            r->line++;
            return RD_OK;
        }
        r->pos = r->end;
        if (r->eof)
            return RD_OK;
        rc = refill(r);
        if (rc != RD_OK)
            return rc;
    }
}

static void trim(char **s, size_t *n)
{
    while (*n && ((*s)[0] == ' ' || (*s)[0] == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

/* Splits [a, b) into fields in place. Returns 0, or -1 with r->why set. */
static int split(struct reader *r, char *a, char *b)
{
    char *p = a;

    r->nf = 0;
    for (;;) {
        char *fs, *e;
        size_t n;

        if (r->nf == MAX_FIELDS) {
            snprintf(r->why, sizeof r->why, "more than %d fields", MAX_FIELDS);
            return -1;
        }
        if (p < b && *p == '"') {
            char *w = p + 1, *q = p + 1;

            for (;;) {
                if (q == b) {
                    snprintf(r->why, sizeof r->why, "unclosed quote in field %d", r->nf + 1);
                    return -1;
                }
                if (*q == '"') {
                    if (q + 1 < b && q[1] == '"') {
                        *w++ = '"';
                        q += 2;
                        continue;
                    }
                    q++;
                    break;
                }
                *w++ = *q++;
            }
            r->f[r->nf] = p + 1;
            r->fl[r->nf] = (size_t)(w - (p + 1));
            r->nf++;
            if (q == b)
                return 0;
            if (*q != ',') {
                snprintf(r->why, sizeof r->why, "text after the closing quote of field %d",
                         r->nf);
                return -1;
            }
            p = q + 1;
            continue;
        }
        e = memchr(p, ',', (size_t)(b - p));
        fs = p;
        n = (size_t)((e ? e : b) - p);
        if (memchr(fs, '"', n)) {
            snprintf(r->why, sizeof r->why, "quote inside unquoted field %d", r->nf + 1);
            return -1;
        }
        trim(&fs, &n);
        r->f[r->nf] = fs;
        r->fl[r->nf] = n;
        r->nf++;
        if (!e)
            return 0;
        p = e + 1;
    }
}

/* Bytes that end the one-pass split: the separator, the line end, and what only
 * the general path handles (a quote, a NUL). */
static const unsigned char stops[256] = {[','] = 1, ['\n'] = 1, ['"'] = 1, ['\0'] = 1};

#define ONES 0x0101010101010101ULL
#define LOW7 0x7f7f7f7f7f7f7f7fULL

/* 0x80 in each byte of w equal to c, 0 elsewhere (exact: no carries between bytes). */
static uint64_t bytes_equal(uint64_t w, unsigned char c)
{
    uint64_t y = w ^ (ONES * c);

    return ~(((y & LOW7) + LOW7) | y | LOW7);
}

/* The index, in memory order, of the first stop in a non-zero mask of bytes_equal,
 * and the mask without it. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static size_t first_byte(uint64_t m)
{
    return (size_t)(__builtin_ctzll(m) >> 3);
}

static uint64_t drop_first(uint64_t m)
{
    return m & (m - 1);
}
#else
static size_t first_byte(uint64_t m)
{
    return (size_t)(__builtin_clzll(m) >> 3);
}

static uint64_t drop_first(uint64_t m)
{
    return m & ~(0x8000000000000000ULL >> __builtin_clzll(m));
}
#endif

/*
 * The usual record: no quote, no NUL, at most MAX_FIELDS fields and its line
 * end in the buffer. Delimits and splits it in one pass over its bytes, as the
 * general path would. Returns 1 with the record split (r->pos past it), 2 for
 * a blank line (skipped), 0 when the general path must take it (nothing moved).
 */
static int fast_record(struct reader *r)
{
    char *a = r->buf + r->pos, *end = r->buf + r->end, *p = a, *field = a, *b, *w;
    int nf = 0;

    /* eight bytes at a time: the stops of a word, lowest first, then the next word */
    for (w = a;; w += 8) {
        uint64_t word, m;

        if (end - w < 8) {
            for (p = w; p < end && !stops[(unsigned char)*p]; p++)
                ;
            if (p == end)
                return 0;
            m = 0;
        } else {
            memcpy(&word, w, 8);
            m = bytes_equal(word, ',') | bytes_equal(word, '\n') | bytes_equal(word, '"') |
                bytes_equal(word, 0);
            if (!m)
                continue;
            p = w + first_byte(m);
        }
        for (;;) {
            if (*p == '\n')
                goto line_end;
            if (*p != ',' || nf == MAX_FIELDS - 1)
                return 0;
            r->f[nf] = field;
            r->fl[nf] = (size_t)(p - field);
            trim(&r->f[nf], &r->fl[nf]);
            nf++;
            field = p + 1;
            if (m) {
                m = drop_first(m);
                if (!m)
                    break;
                p = w + first_byte(m);
            } else {
                for (p++; p < end && !stops[(unsigned char)*p]; p++)
                    ;
                if (p == end)
                    return 0;
            }
        }
    }
line_end:
    if (r->serial_cap && (size_t)(p - a) + 1 >= r->serial_cap)
        r->unsplittable = 1;
    b = p > a && p[-1] == '\r' ? p - 1 : p;
    r->pos = (size_t)(p - r->buf) + 1;
    r->rec_line = r->line++;
    if (b == a)
        return 2;
    r->f[nf] = field;
    r->fl[nf] = (size_t)(b - field);
    trim(&r->f[nf], &r->fl[nf]);
    r->nf = nf + 1;
    return 1;
}

/*
 * Finds the next record and splits it. Returns 1 with a record, 0 at the end,
 * 2 for a bad record already reported (skip it), or a negative enum rd_err
 * negated (-code) on a hard error.
 */
static int next_record(struct reader *r)
{
    int rc;

    for (;;) {
        size_t scan = r->pos;
        int parity = 0, unclosed = 0;

        if (!r->first) {
            rc = fast_record(r);
            if (rc == 1)
                return 1;
            if (rc == 2)
                continue;
        }
        long nls = 0;
        char *a, *b;

        for (;;) {
            char *nl = memchr(r->buf + scan, '\n', r->end - scan);
            char *lim = nl ? nl : r->buf + r->end, *q = r->buf + scan;
            int par = parity;

            while ((q = memchr(q, '"', (size_t)(lim - q))) != NULL) {
                par ^= 1;
                q++;
            }
            if (nl) {
                parity = par;
                if (!parity) {
                    a = r->buf + r->pos;
                    b = nl;
                    r->pos = (size_t)(nl - r->buf) + 1;
                    break;
                }
                nls++;                          /* a newline inside quotes */
                scan = (size_t)(nl - r->buf) + 1;
                continue;
            }
            if (r->eof) {
                if (r->pos == r->end)
                    return 0;
                unclosed = par;
                a = r->buf + r->pos;
                b = r->buf + r->end;
                r->pos = r->end;
                break;
            }
            if (r->pos == 0 && r->end == r->cap) {
                rc = bad_row(r, r->line, "record longer than %zu bytes%s", r->cap,
                             parity ? " (unclosed quote?)" : "");
                if (rc == RD_OK)
                    rc = skip_line(r);
                return rc != RD_OK ? -rc : 2;
            }
            scan -= r->pos;                     /* refill moves the record to 0 */
            rc = refill(r);
            if (rc != RD_OK)
                return -rc;
        }
        r->rec_line = r->line;
        r->line += 1 + nls;
        if (r->serial_cap && (nls || unclosed || (size_t)(b - a) + 1 >= r->serial_cap))
            r->unsplittable = 1;
        if (r->first) {
            r->first = 0;
            if (b - a >= 3 && (unsigned char)a[0] == 0xEF && (unsigned char)a[1] == 0xBB &&
                (unsigned char)a[2] == 0xBF)
                a += 3;
        }
        if (unclosed) {
            rc = bad_row(r, r->rec_line, "unclosed quote");
            return rc != RD_OK ? -rc : 2;
        }
        if (b > a && b[-1] == '\r')
            b--;
        if (a == b)
            continue;                           /* blank line */
        if (memchr(a, '\0', (size_t)(b - a))) {
            rc = bad_row(r, r->rec_line, "NUL byte in the row");
            return rc != RD_OK ? -rc : 2;
        }
        if (split(r, a, b)) {
            rc = bad_row(r, r->rec_line, "%s", r->why);
            return rc != RD_OK ? -rc : 2;
        }
        return 1;
    }
}

static int header(struct reader *r)
{
    static const int need[][4] = {
        [RD_FILLS_CSV] = {C_TRADER, C_DATE, C_SYMBOL, -1},
        [RD_FILLS_DAILY_CSV] = {C_TRADER, C_DATE, C_PNL, -1},
        [RD_FILLS_LIMITS_CSV] = {C_TRADER, C_LIMIT, -1, -1},
    };
    static const char *const kind_name[] = {"fills", "daily P&L", "limits"};
    int breakdown = 0;

    for (int c = 0; c < C_COUNT; c++)
        r->col[c] = -1;
    r->ncols = r->nf;
    for (int i = 0; i < r->nf; i++) {
        for (int c = 0; c < C_COUNT; c++) {
            if (!ieq(r->f[i], r->fl[i], col_names[c].name) &&
                !(col_names[c].alias && ieq(r->f[i], r->fl[i], col_names[c].alias)))
                continue;
            if (r->col[c] >= 0)
                return rd_error_set(r->err, RD_EINVAL, "%s:%ld: column '%s' appears twice",
                                    r->path, r->rec_line, col_names[c].name);
            r->col[c] = i;
        }
    }
    for (int k = 0; k < 4 && need[r->kind][k] >= 0; k++)
        if (r->col[need[r->kind][k]] < 0)
            goto missing;
    if (r->kind == RD_FILLS_CSV) {
        static const int more[] = {C_SIDE, C_QTY, C_PRICE};

        for (size_t k = 0; k < sizeof more / sizeof more[0]; k++)
            if (r->col[more[k]] < 0)
                goto missing;
        for (int c = C_COMM; c <= C_MISC; c++)
            breakdown |= r->col[c] >= 0;
        if (breakdown && r->col[C_FEES] >= 0)
            return rd_error_set(r->err, RD_EINVAL,
                                "%s:%ld: both a 'fees' column and fee breakdown columns "
                                "(comm, ecn, sec, taf, nscc, clr, misc); use one or the other",
                                r->path, r->rec_line);
    }
    return RD_OK;
missing:
    return rd_error_set(r->err, RD_EINVAL,
                        "%s:%ld: not a %s CSV header: expected columns %s", r->path,
                        r->rec_line, kind_name[r->kind],
                        r->kind == RD_FILLS_CSV
                            ? "trader_id, date, symbol, side, qty, price [, time, fees or "
                              "comm, ecn, sec, taf, nscc, clr, misc]"
                        : r->kind == RD_FILLS_DAILY_CSV ? "trader_id, date, pnl"
                                                        : "trader_id, daily_loss_limit");
}

#define FIELD(c) r->f[r->col[c]], r->fl[r->col[c]]
#define SHOWN(n) (int)((n) > 40 ? 40 : (n))

/* Names (trader_id, symbol) are stored and printed: no control characters
 * (a quoted newline, a tab, ESC, DEL...). Returns 0, or -1 with r->why set. */
static int text_field(struct reader *r, int c)
{
    const unsigned char *s = (const unsigned char *)r->f[r->col[c]];
    size_t n = r->fl[r->col[c]];

    for (size_t i = 0; i < n; i++) {
        if (s[i] < 0x20 || s[i] == 0x7f) {
            snprintf(r->why, sizeof r->why, "control character 0x%02x%s in %s (at byte %zu of "
                     "the field)", s[i], s[i] == '\n' ? " (a newline)" : s[i] == '\t' ? " (a tab)"
                     : s[i] == '\r' ? " (a carriage return)" : "", col_names[c].name, i + 1);
            return -1;
        }
    }
    return 0;
}

/* The usual amount, [sign] digits [. up to 4 digits], at most 13 digits, in
 * one pass: what rd_money_parse would give. -1 for anything else (it decides). */
static int plain_money(const char *s, size_t n, rd_money *out)
{
    static const int64_t scale[5] = {10000, 1000, 100, 10, 1};
    const char *p = s, *end = s + n, *d;
    int64_t ip = 0, fp = 0;
    size_t nd, nf = 0;
    int neg = 0;

    if (p < end && (*p == '-' || *p == '+')) {
        neg = *p == '-';
        p++;
    }
    for (d = p; p < end && (unsigned)(*p - '0') < 10; p++)
        ip = ip * 10 + (*p - '0');
    nd = (size_t)(p - d);
    if (nd > 13)
        return -1;
    if (p < end) {
        if (*p++ != '.')
            return -1;
        for (d = p; p < end && (unsigned)(*p - '0') < 10 && p - d < 4; p++)
            fp = fp * 10 + (*p - '0');
        nf = (size_t)(p - d);
        if (p != end)
            return -1;
    }
    if (nd + nf == 0)
        return -1;
    *out = (ip * 10000 + fp * scale[nf]) * (neg ? -1 : 1);
    return 0;
}

static int money_field(struct reader *r, int c, rd_money *out)
{
    struct rd_error e;

    if (plain_money(FIELD(c), out) == 0)
        return 0;
    if (rd_money_parse(FIELD(c), out, &e) != RD_OK) {
        snprintf(r->why, sizeof r->why, "bad %s: %.200s", col_names[c].name, e.msg);
        return -1;
    }
    return 0;
}

/* rd_names_intern, with the names seen lately remembered in cache (n > 0). */
static int intern(struct rd_names *nm, struct name_slot *cache, const char *s, size_t n,
                  uint32_t *id, struct rd_error *err)
{
    struct name_slot *sl;
    int rc;

    if (n > NAME_CACHE_LEN)
        return rd_names_intern(nm, s, n, id, err);
    sl = &cache[(n * 31 + (unsigned char)s[0] * 7 + (unsigned char)s[n - 1]) & (NAME_CACHE - 1)];
    if (sl->len == n && !memcmp(sl->text, s, n)) {
        *id = sl->id;
        return RD_OK;
    }
    rc = rd_names_intern(nm, s, n, id, err);
    if (rc == RD_OK) {
        sl->len = (uint8_t)n;
        memcpy(sl->text, s, n);
        sl->id = *id;
    }
    return rc;
}

/* Converts the current record; returns 0, or -1 with r->why set (a bad row),
 * or a positive enum rd_err on a hard error. */
static int fill_row(struct reader *r)
{
    struct rd_fill f;
    const char *s;
    size_t n;
    int rc;
    rd_money fee;

    s = r->f[r->col[C_TRADER]];
    n = r->fl[r->col[C_TRADER]];
    if (n == 0) {
        snprintf(r->why, sizeof r->why, "empty trader_id");
        return -1;
    }
    if (r->fl[r->col[C_SYMBOL]] == 0) {
        snprintf(r->why, sizeof r->why, "empty symbol");
        return -1;
    }
    if (text_field(r, C_TRADER) || text_field(r, C_SYMBOL))
        return -1;
    if (r->last_date_len && r->fl[r->col[C_DATE]] == r->last_date_len &&
        !memcmp(r->f[r->col[C_DATE]], r->last_date, r->last_date_len)) {
        f.day = r->last_day;
    } else if (parse_date(FIELD(C_DATE), &f.day)) {
        snprintf(r->why, sizeof r->why, "bad date \"%.*s\": expected MM/DD/YYYY or YYYY-MM-DD",
                 SHOWN(r->fl[r->col[C_DATE]]), r->f[r->col[C_DATE]]);
        return -1;
    } else if (r->fl[r->col[C_DATE]] <= sizeof r->last_date) {
        r->last_date_len = r->fl[r->col[C_DATE]];
        memcpy(r->last_date, r->f[r->col[C_DATE]], r->last_date_len);
        r->last_day = f.day;
    }
    f.time_ms = RD_FILL_NO_TIME;
    if (r->col[C_TIME] >= 0 && r->fl[r->col[C_TIME]] && parse_time(FIELD(C_TIME), &f.time_ms)) {
        snprintf(r->why, sizeof r->why, "bad time \"%.*s\": expected HH:MM[:SS[.fff]]",
                 SHOWN(r->fl[r->col[C_TIME]]), r->f[r->col[C_TIME]]);
        return -1;
    }
    {
        const char *sd = r->f[r->col[C_SIDE]];
        size_t sn = r->fl[r->col[C_SIDE]];
        int sign = sn == 1 && (*sd == 'B' || *sd == 'b')     ? 1
                   : sn == 1 && (*sd == 'S' || *sd == 's')   ? -1
                   : ieq(sd, sn, "b") || ieq(sd, sn, "buy")  ? 1
                   : ieq(sd, sn, "s") || ieq(sd, sn, "sell") ? -1
                                                             : 0;

        if (!sign) {
            snprintf(r->why, sizeof r->why, "bad side \"%.*s\": expected B, S, BUY or SELL",
                     SHOWN(sn), sd);
            return -1;
        }
        if (parse_qty(FIELD(C_QTY), &f.qty)) {
            snprintf(r->why, sizeof r->why,
                     "bad qty \"%.*s\": expected a whole number of shares from 1 to %lld",
                     SHOWN(r->fl[r->col[C_QTY]]), r->f[r->col[C_QTY]], RD_FILL_QTY_MAX);
            return -1;
        }
        f.qty *= sign;
    }
    if (money_field(r, C_PRICE, &f.price))
        return -1;
    if (f.price < 0) {
        snprintf(r->why, sizeof r->why, "bad price \"%.*s\": negative",
                 SHOWN(r->fl[r->col[C_PRICE]]), r->f[r->col[C_PRICE]]);
        return -1;
    }
    f.fees = 0;
    for (int c = C_FEES; c <= C_MISC; c++) {
        if (r->col[c] < 0 || r->fl[r->col[c]] == 0)
            continue;
        if (money_field(r, c, &fee))
            return -1;
        if (fee > RD_MONEY_MAX / 16 || fee < -RD_MONEY_MAX / 16) {
            snprintf(r->why, sizeof r->why, "bad %s: out of range", col_names[c].name);
            return -1;
        }
        f.fees += fee;
    }
    rc = intern(&r->fs->traders, r->traders, s, n, &f.trader, r->err);
    if (rc == RD_OK)
        rc = intern(&r->fs->symbols, r->symbols, FIELD(C_SYMBOL), &f.symbol, r->err);
    if (rc == RD_OK)
        rc = rd_fills_add(r->fs, &f, r->err);
    return rc;
}

static int daily_row(struct reader *r)
{
    struct rd_daily_pnl d;
    int rc;

    if (r->fl[r->col[C_TRADER]] == 0) {
        snprintf(r->why, sizeof r->why, "empty trader_id");
        return -1;
    }
    if (text_field(r, C_TRADER))
        return -1;
    if (parse_date(FIELD(C_DATE), &d.day)) {
        snprintf(r->why, sizeof r->why, "bad date \"%.*s\": expected MM/DD/YYYY or YYYY-MM-DD",
                 SHOWN(r->fl[r->col[C_DATE]]), r->f[r->col[C_DATE]]);
        return -1;
    }
    if (money_field(r, C_PNL, &d.pnl))
        return -1;
    d.line = r->rec_line;
    rc = rd_names_intern(&r->fs->traders, FIELD(C_TRADER), &d.trader, r->err);
    if (rc == RD_OK)
        rc = rd_fills_add_daily(r->fs, &d, r->err);
    return rc;
}

static int limit_row(struct reader *r)
{
    rd_money lim;
    uint32_t id;
    int rc;

    if (r->fl[r->col[C_TRADER]] == 0) {
        snprintf(r->why, sizeof r->why, "empty trader_id");
        return -1;
    }
    if (text_field(r, C_TRADER))
        return -1;
    if (money_field(r, C_LIMIT, &lim))
        return -1;
    if (lim <= 0) {
        snprintf(r->why, sizeof r->why, "bad daily_loss_limit \"%.*s\": must be above 0",
                 SHOWN(r->fl[r->col[C_LIMIT]]), r->f[r->col[C_LIMIT]]);
        return -1;
    }
    rc = rd_names_intern(&r->fs->traders, FIELD(C_TRADER), &id, r->err);
    if (rc != RD_OK)
        return rc;
    if (id < r->fs->limit_cap && r->fs->limit[id]) {
        snprintf(r->why, sizeof r->why, "second limit for %s (first on line %ld)",
                 r->fs->traders.name[id], r->fs->limit_line[id]);
        return -1;
    }
    return rd_fills_set_limit(r->fs, id, lim, r->rec_line, r->err);
}

static int read_header(struct reader *r)
{
    int rc;

    r->first = 1;
    rc = next_record(r);
    if (rc < 0)
        return -rc;
    if (rc == 0)
        return rd_error_set(r->err, RD_EINVAL, "%s: no header line", r->path);
    if (rc == 2)
        return rd_error_set(r->err, RD_EINVAL, "%s:%ld: bad header line: %s", r->path,
                            r->rec_line, r->why);
    return header(r);
}

static int read_rows(struct reader *r)
{
    int rc;

    for (;;) {
        rc = next_record(r);
        if (rc < 0)
            return -rc;
        if (rc == 0)
            return RD_OK;
        if (rc == 2)
            continue;
        if (r->nf != r->ncols) {
            rc = bad_row(r, r->rec_line, "expected %d fields as in the header, found %d",
                         r->ncols, r->nf);
            if (rc != RD_OK)
                return rc;
            continue;
        }
        rc = r->kind == RD_FILLS_CSV         ? fill_row(r)
             : r->kind == RD_FILLS_DAILY_CSV ? daily_row(r)
                                             : limit_row(r);
        if (rc > 0)
            return rc;
        if (rc < 0) {
            rc = bad_row(r, r->rec_line, "%s", r->why);
            if (rc != RD_OK)
                return rc;
            continue;
        }
        if (r->stats)
            r->stats->rows++;
    }
}

static int run(struct reader *r)
{
    int rc;

    r->line = 1;
    rc = read_header(r);
    return rc == RD_OK ? read_rows(r) : rc;
}

/* A reader over data[0, len) in place, the whole of what it reads; res cleared.
 * NULL (err set) when out of memory. */
static struct reader *over_memory(enum rd_fills_kind kind, const char *name, char *data,
                                  size_t len, struct rd_fills_part *res, struct rd_error *err)
{
    struct reader *r = rd_calloc(1, sizeof *r);

    memset(res, 0, sizeof *res);
    if (!r) {
        rd_error_set(err, RD_ENOMEM, "out of memory reading %s", name);
        return NULL;
    }
    r->kind = kind;
    r->path = name;
    r->err = err;
    r->fd = -1;
    r->buf = data;
    r->cap = r->end = len;
    r->eof = 1;
    r->line = 1;
    return r;
}

/* What the reader found, into res; frees it. */
static void part_done(struct reader *r, struct rd_fills_part *res)
{
    res->used = r->pos;
    res->lines = r->line - 1;
    res->unsplittable = r->unsplittable;
    rd_free(r);
}

int rd_fills_csv_header(enum rd_fills_kind kind, const char *name, char *data, size_t len,
                        int eof, size_t serial_cap, struct rd_fills_layout *lay,
                        struct rd_fills_part *res, struct rd_error *err)
{
    struct reader *r = over_memory(kind, name, data, len, res, err);
    int rc;

    if (!r)
        return RD_ENOMEM;
    r->serial_cap = serial_cap ? serial_cap : DEFAULT_BUF;
    rc = read_header(r);
    lay->kind = kind;
    lay->ncols = r->ncols;
    memcpy(lay->col, r->col, sizeof lay->col);
    part_done(r, res);
    /* a header cut off by the end of data that is not the file's end: not known yet */
    if (!eof && (res->used == 0 || data[res->used - 1] != '\n'))
        res->unsplittable = 1;
    return res->unsplittable && !eof ? RD_OK : rc;
}

int rd_fills_csv_part(struct rd_fills *fs, const struct rd_fills_layout *lay, const char *name,
                      char *data, size_t len, size_t serial_cap,
                      const struct rd_fills_options *opts, struct rd_fills_stats *stats,
                      struct rd_fills_part *res, struct rd_error *err)
{
    struct reader *r = over_memory(lay->kind, name, data, len, res, err);
    int rc;

    if (!r)
        return RD_ENOMEM;
    r->fs = fs;
    r->opts = opts;
    r->stats = stats;
    r->serial_cap = serial_cap ? serial_cap : DEFAULT_BUF;
    r->ncols = lay->ncols;
    memcpy(r->col, lay->col, sizeof r->col);
    rc = read_rows(r);
    part_done(r, res);
    return rc;
}

static int start(struct rd_fills *fs, enum rd_fills_kind kind, const char *path, int fd,
                 const char *data, size_t len, const struct rd_fills_options *opts,
                 struct rd_fills_stats *stats, struct rd_error *err)
{
    struct reader *r;
    struct rd_error local = {0};
    int rc;

    if (!err)
        err = &local;
    if ((unsigned)kind > RD_FILLS_LIMITS_CSV)
        return rd_error_set(err, RD_EINVAL, "unknown CSV kind %d", (int)kind);
    r = rd_calloc(1, sizeof *r);
    if (!r)
        return rd_error_set(err, RD_ENOMEM, "out of memory reading %s", path);
    r->fs = fs;
    r->kind = kind;
    r->path = path;
    r->opts = opts;
    r->stats = stats;
    r->err = err;
    r->fd = fd;
    r->mem = data;
    r->mem_len = len;
    r->cap = opts && opts->buf_size ? opts->buf_size : DEFAULT_BUF;
    if (r->cap < MIN_BUF)
        r->cap = MIN_BUF;
    r->buf = rd_malloc(r->cap);
    if (!r->buf) {
        rc = rd_error_set(err, RD_ENOMEM, "out of memory reading %s", path);
        goto out;
    }
    if (kind == RD_FILLS_LIMITS_CSV && (rc = rd_fills_cover_limits(fs, err)) != RD_OK)
        goto out;
    rc = refill(r);
    if (rc == RD_OK)
        rc = run(r);
out:
    rd_free(r->buf);
    rd_free(r);
    return rc;
}

int rd_fills_parse(struct rd_fills *fs, enum rd_fills_kind kind, const char *name,
                   const char *data, size_t len, const struct rd_fills_options *opts,
                   struct rd_fills_stats *stats, struct rd_error *err)
{
    return start(fs, kind, name, -1, data ? data : "", data ? len : 0, opts, stats, err);
}

int rd_fills_read(struct rd_fills *fs, enum rd_fills_kind kind, const char *path,
                  const struct rd_fills_options *opts, struct rd_fills_stats *stats,
                  struct rd_error *err)
{
    int fd, rc;

    if (!strcmp(path, "-"))
        return start(fs, kind, "<stdin>", 0, NULL, 0, opts, stats, err);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return rd_error_set(err, RD_EIO, "cannot open %s: %s", path, strerror(errno));
    rc = start(fs, kind, path, fd, NULL, 0, opts, stats, err);
    close(fd);
    return rc;
}
