/*
 * returns_csv.c - the return-series CSV reader: one pass over a mapped file,
 * hand-written field, date and number parsing, accounts grouped by a hash
 * table and a counting sort (skipped when the file is already grouped).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "riskdesk/alloc.h"
#include "riskdesk/buf.h"
#include "riskdesk/metrics.h"
#include "riskdesk/returns_csv.h"
#include "riskdesk/banned.h"

void rd_returns_set_init(struct rd_returns_set *s)
{
    memset(s, 0, sizeof *s);
}

void rd_returns_set_release(struct rd_returns_set *s)
{
    rd_free(s->names);
    rd_free(s->offset);
    rd_free(s->days);
    rd_free(s->returns);
    rd_free(s->names_arena);
    memset(s, 0, sizeof *s);
}

/* ------------------------------------------------------------ fields */

static const double pow10_exact[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int word_is(const char *s, size_t len, const char *w)
{
    size_t i;

    for (i = 0; i < len && w[i]; i++)
        if (lower((unsigned char)s[i]) != w[i])
            return 0;
    return i == len && !w[i];
}

int rd_returns_parse_number(const char *s, size_t len, double *out)
{
    const char *p = s, *e = s + len;
    uint64_t mant = 0;
    int ndig = 0, exp10 = 0, digits = 0, inexact = 0, neg = 0;

    if (len == 0) {
        *out = NAN;
        return 0;
    }
    if (*p == '+' || *p == '-') {
        neg = *p == '-';
        p++;
    }
    if (p < e && (*p < '0' || *p > '9') && *p != '.') {
        if (word_is(p, (size_t)(e - p), "nan")) {
            *out = NAN;
            return 0;
        }
        if (word_is(p, (size_t)(e - p), "inf") || word_is(p, (size_t)(e - p), "infinity")) {
            *out = neg ? -INFINITY : INFINITY;
            return 0;
        }
        return -1;
    }
    for (; p < e && *p >= '0' && *p <= '9'; p++) {
        int d = *p - '0';

        digits++;
        if (mant == 0 && d == 0)
            continue;
        if (ndig < 19) {
            mant = mant * 10 + (uint64_t)d;
            ndig++;
        } else {
            exp10++;
            inexact |= d != 0;
        }
    }
    if (p < e && *p == '.') {
        for (p++; p < e && *p >= '0' && *p <= '9'; p++) {
            int d = *p - '0';

            digits++;
            if (mant == 0 && d == 0) {
                exp10--;
            } else if (ndig < 19) {
                mant = mant * 10 + (uint64_t)d;
                ndig++;
                exp10--;
            } else {
                inexact |= d != 0;
            }
        }
    }
    if (!digits)
        return -1;
    if (p < e && (*p == 'e' || *p == 'E')) {
        int eneg = 0, ev = 0, edig = 0;

        p++;
        if (p < e && (*p == '+' || *p == '-')) {
            eneg = *p == '-';
            p++;
        }
        for (; p < e && *p >= '0' && *p <= '9'; p++, edig++)
            if (ev < 100000)
                ev = ev * 10 + (*p - '0');
        if (!edig)
            return -1;
        exp10 += eneg ? -ev : ev;
    }
    if (p != e)
        return -1;
    if (mant == 0) {
        *out = neg ? -0.0 : 0.0;
        return 0;
    }
    if (!inexact && ndig <= 15 && exp10 >= -22 && exp10 <= 22) {
        /* Clinger's fast path: both operands exact, one correctly rounded op */
        double v = (double)mant;

        v = exp10 < 0 ? v / pow10_exact[-exp10] : v * pow10_exact[exp10];
        *out = neg ? -v : v;
        return 0;
    }
#if defined(__SIZEOF_INT128__)
    __extension__ typedef unsigned __int128 u128;

    if (!inexact && exp10 < 0 && exp10 >= -27) {
        /* 16 to 19 digits (what repr and %.17g write): mant / 10^k with
         * 10^k = 5^k * 2^k and 5^k < 2^63, so one exact 128-bit division by
         * 5^k, rounded to nearest even by hand, then scaled by 2^-k. */
        static const uint64_t pow5[28] = {
            1ULL, 5ULL, 25ULL, 125ULL, 625ULL, 3125ULL, 15625ULL, 78125ULL, 390625ULL,
            1953125ULL, 9765625ULL, 48828125ULL, 244140625ULL, 1220703125ULL,
            6103515625ULL, 30517578125ULL, 152587890625ULL, 762939453125ULL,
            3814697265625ULL, 19073486328125ULL, 95367431640625ULL, 476837158203125ULL,
            2384185791015625ULL, 11920928955078125ULL, 59604644775390625ULL,
            298023223876953125ULL, 1490116119384765625ULL, 7450580596923828125ULL,
        };
        int k = -exp10;
        uint64_t d = pow5[k];
        int sh = __builtin_clzll(mant) + 64 - __builtin_clzll(d) - 1;   /* q >= 2^63 */
        u128 num = (u128)mant << (sh < 0 ? 0 : sh);
        u128 q = num / d;
        int sticky = num % d != 0, bits = 128 - (q >> 64 ? __builtin_clzll((uint64_t)(q >> 64))
                                                         : 64 + __builtin_clzll((uint64_t)q));
        int drop = bits - 53;
        uint64_t m53 = (uint64_t)(q >> drop);
        u128 rest = q & (((u128)1 << drop) - 1);
        u128 half = (u128)1 << (drop - 1);

        if (rest > half || (rest == half && (sticky || (m53 & 1))))
            m53++;
        *out = ldexp((double)m53, drop - (sh < 0 ? 0 : sh) - k);
        if (neg)
            *out = -*out;
        return 0;
    }
#endif
    {
        /* the rest: the C library's correctly rounded strtod on a copy */
        char tmp[512];
        char *end;

        if (len >= sizeof tmp)
            return -1;
        memcpy(tmp, s, len);
        tmp[len] = 0;
        *out = strtod(tmp, &end);
        return end == tmp + len ? 0 : -1;
    }
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : dm[m - 1];
}

int rd_returns_parse_date(const char *s, size_t len, int32_t *out)
{
    int v[8], k = 0, y, m, d;

    if (len != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (size_t i = 0; i < 10; i++) {
        if (i == 4 || i == 7)
            continue;
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v[k++] = s[i] - '0';
    }
    y = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3];
    m = v[4] * 10 + v[5];
    d = v[6] * 10 + v[7];
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -1;
    *out = rd_days_from_civil(y, m, d);
    return 0;
}

static void format_day(int32_t day, char *buf, size_t n)
{
    int y, m, d;

    rd_civil_from_days(day, &y, &m, &d);
    snprintf(buf, n, "%04d-%02d-%02d", y, m, d);
}

/* ------------------------------------------------------------ parser state */

struct acct {
    uint32_t name_off;      /* into the arena */
    uint32_t name_len;
    uint64_t hash;
    int32_t last_day;
    uint32_t next;          /* the account that followed this one last time, +1 */
    size_t last_line;
    size_t count;
};

struct parser {
    const char *name;
    struct rd_error *err;
    int multi, from_values;
    /* rows in file order */
    int32_t *days;
    double *vals;
    uint32_t *acct_of;      /* multi only */
    size_t nrows, cap;
    /* accounts */
    struct acct *accts;
    size_t naccts, acap;
    uint32_t *table;        /* open addressing: index+1, 0 = empty */
    size_t tcap;
    struct rd_buf arena;
    int grouped;            /* rows of each account are contiguous so far */
    uint32_t cur;           /* account of the previous row */
    size_t hint;            /* expected number of rows (from the input size) */
    char last_date[10];     /* the previous row's date text and value */
    int32_t last_date_day;
    int have_date;
};

static int grow_rows(struct parser *ps)
{
    size_t ncap = ps->cap ? ps->cap * 2 : (ps->hint > 1024 ? ps->hint : 1024);
    int32_t *d;
    double *v;

    d = rd_realloc(ps->days, ncap * sizeof *d);
    if (!d)
        return RD_ENOMEM;
    ps->days = d;
    v = rd_realloc(ps->vals, ncap * sizeof *v);
    if (!v)
        return RD_ENOMEM;
    ps->vals = v;
    if (ps->multi) {
        uint32_t *a = rd_realloc(ps->acct_of, ncap * sizeof *a);

        if (!a)
            return RD_ENOMEM;
        ps->acct_of = a;
    }
    ps->cap = ncap;
    return RD_OK;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;

    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

static int table_insert(uint32_t *table, size_t tcap, uint64_t hash, uint32_t idx)
{
    size_t mask = tcap - 1, i = (size_t)hash & mask;

    while (table[i])
        i = (i + 1) & mask;
    table[i] = idx + 1;
    return 0;
}

static int rehash(struct parser *ps)
{
    size_t ncap = ps->tcap ? ps->tcap * 2 : 1024;
    uint32_t *t = rd_calloc(ncap, sizeof *t);

    if (!t)
        return RD_ENOMEM;
    for (size_t a = 0; a < ps->naccts; a++)
        table_insert(t, ncap, ps->accts[a].hash, (uint32_t)a);
    rd_free(ps->table);
    ps->table = t;
    ps->tcap = ncap;
    return RD_OK;
}

/* Finds or adds the account named s[0..n-1]; *idx gets its index. */
static int account_of(struct parser *ps, const char *s, size_t n, uint32_t *idx)
{
    uint64_t h;
    size_t i, mask;
    const char *arena;

    if (ps->naccts) {
        /* files are grouped (same account again) or cycle through the accounts
         * in a fixed order date after date (the one that followed last time) */
        struct acct *c = &ps->accts[ps->cur];
        const struct acct *nx;

        if (c->name_len == n && !memcmp(ps->arena.data + c->name_off, s, n)) {
            *idx = ps->cur;
            return RD_OK;
        }
        nx = c->next ? &ps->accts[c->next - 1] : NULL;
        if (nx && nx->name_len == n && !memcmp(ps->arena.data + nx->name_off, s, n)) {
            *idx = c->next - 1;
            return RD_OK;
        }
    }
    h = hash_bytes(s, n);
    if (ps->tcap) {
        arena = ps->arena.data;
        mask = ps->tcap - 1;
        for (i = (size_t)h & mask; ps->table[i]; i = (i + 1) & mask) {
            const struct acct *a = &ps->accts[ps->table[i] - 1];

            if (a->hash == h && a->name_len == n && !memcmp(arena + a->name_off, s, n)) {
                *idx = ps->table[i] - 1;
                return RD_OK;
            }
        }
    }
    if (ps->naccts >= UINT32_MAX - 1)
        return rd_error_set(ps->err, RD_ETOOBIG, "%s: too many accounts", ps->name);
    if (ps->naccts == ps->acap) {
        size_t ncap = ps->acap ? ps->acap * 2 : 64;
        struct acct *na = rd_realloc(ps->accts, ncap * sizeof *na);

        if (!na)
            return rd_error_set(ps->err, RD_ENOMEM, "%s: out of memory", ps->name);
        ps->accts = na;
        ps->acap = ncap;
    }
    if ((ps->naccts + 1) * 2 > ps->tcap && rehash(ps) != RD_OK)
        return rd_error_set(ps->err, RD_ENOMEM, "%s: out of memory", ps->name);
    {
        struct acct *a = &ps->accts[ps->naccts];
        size_t off = ps->arena.len;

        if (off > UINT32_MAX - n - 1 ||
            rd_buf_append(&ps->arena, s, n) != RD_OK ||
            rd_buf_append(&ps->arena, "", 1) != RD_OK)
            return rd_error_set(ps->err, RD_ENOMEM, "%s: out of memory for account names",
                                ps->name);
        a->name_off = (uint32_t)off;
        a->name_len = (uint32_t)n;
        a->hash = h;
        a->last_day = INT32_MIN;
        a->next = 0;
        a->last_line = 0;
        a->count = 0;
        table_insert(ps->table, ps->tcap, h, (uint32_t)ps->naccts);
        *idx = (uint32_t)ps->naccts++;
    }
    return RD_OK;
}

static inline void trim(const char **s, const char **e)
{
    if (*s < *e && **s != ' ' && **s != '\t' && (*e)[-1] != ' ' && (*e)[-1] != '\t')
        return;
    while (*s < *e && (**s == ' ' || **s == '\t'))
        (*s)++;
    while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
        (*e)--;
}

/* Quotes a field for a message, cut to 40 bytes. */
static const char *show(const char *s, size_t n, char *buf, size_t cap)
{
    snprintf(buf, cap, "%.*s%s", (int)(n > 40 ? 40 : n), s, n > 40 ? "..." : "");
    return buf;
}

static int parse_header(struct parser *ps, const char *s, const char *e)
{
    const char *f[4], *fe[4];
    int nf = 0;
    const char *p = s;
    char b[64];

    for (;;) {
        const char *c = memchr(p, ',', (size_t)(e - p));
        const char *end = c ? c : e;

        if (nf < 4) {
            f[nf] = p;
            fe[nf] = end;
            trim(&f[nf], &fe[nf]);
        }
        nf++;
        if (!c)
            break;
        p = c + 1;
    }
    if ((nf == 2 || nf == 3) && word_is(f[0], (size_t)(fe[0] - f[0]), "date") &&
        (nf == 2 || word_is(f[1], (size_t)(fe[1] - f[1]), "account")) &&
        (word_is(f[nf - 1], (size_t)(fe[nf - 1] - f[nf - 1]), "return") ||
         word_is(f[nf - 1], (size_t)(fe[nf - 1] - f[nf - 1]), "value"))) {
        ps->multi = nf == 3;
        ps->from_values = word_is(f[nf - 1], (size_t)(fe[nf - 1] - f[nf - 1]), "value");
        return RD_OK;
    }
    return rd_error_set(ps->err, RD_EINVAL,
                        "%s:1: expected the header 'date,return', 'date,value', "
                        "'date,account,return' or 'date,account,value', got '%s'",
                        ps->name, show(s, (size_t)(e - s), b, sizeof b));
}

/* Splits a row at its commas: fills up to 3 fields, returns how many there
 * are (want + 1 means "more than want"). */
static int count_fields(const char *s, const char *e, int want, const char **f,
                        const char **fe)
{
    const char *p = s;
    int nf = 0;

    for (;;) {
        const char *q = memchr(p, ',', (size_t)(e - p));
        const char *end = q ? q : e;

        if (nf < 3) {
            f[nf] = p;
            fe[nf] = end;
        }
        nf++;
        if (!q || nf > want)
            return nf;
        p = q + 1;
    }
}

static int column_error(struct parser *ps, size_t line, int want, int nf)
{
    return rd_error_set(ps->err, RD_EINVAL, "%s:%zu: expected %d columns (%s), got %s%d",
                        ps->name, line, want,
                        ps->multi ? "date,account,return" : "date,return",
                        nf > want ? "more than " : "", nf > want ? want : nf);
}

/* A number that parses but cannot be a return or a value: infinite (inf,
 * 1e999), a return below -1 (a loss beyond everything), a value not above
 * zero. NaN stays: it is a missing observation. 1 with the error set. */
static int bad_number(struct parser *ps, double v, size_t line, const char *f, const char *fe)
{
    const char *what = ps->from_values ? "value" : "return";
    char b[64];

    if (isnan(v))
        return 0;
    show(f, (size_t)(fe - f), b, sizeof b);
    if (isinf(v))
        rd_error_set(ps->err, RD_EINVAL, "%s:%zu: %s '%s' is not finite", ps->name, line,
                     what, b);
    else if (!ps->from_values && v < -1.0)
        rd_error_set(ps->err, RD_EINVAL, "%s:%zu: return '%s' is below -1 (-100%%); "
                                         "returns are fractions (0.01 = 1%%)", ps->name, line, b);
    else if (ps->from_values && !(v > 0.0))
        rd_error_set(ps->err, RD_EINVAL, "%s:%zu: value '%s' is not above zero (a value "
                                         "file holds equity or prices)", ps->name, line, b);
    else
        return 0;
    return 1;
}

static int parse_row(struct parser *ps, const char *s, const char *e, size_t line)
{
    const char *f[3], *fe[3];
    int nf = 0, want = ps->multi ? 3 : 2;
    const char *p = s;
    uint32_t ai = 0;
    struct acct *a;
    int32_t day;
    double v;
    char b1[64], b2[16], b3[16];

    if (e - s > 11 && s[10] == ',') {
        /* the usual row: a 10-byte date, then the account, then the number
         * (a comma inside the number makes it fail to parse: see below) */
        f[0] = s;
        fe[0] = s + 10;
        p = s + 11;
        nf = 1;
        if (want == 3) {
            const char *q = p;

            while (q < e && *q != ',')
                q++;
            f[1] = p;
            fe[1] = q;
            p = q < e ? q + 1 : q;
            nf = q < e ? 2 : 1;
        }
        f[nf] = p;
        fe[nf] = e;
        nf = nf + 1 == want ? want : count_fields(s, e, want, f, fe);
    } else {
        nf = count_fields(s, e, want, f, fe);
    }
    if (nf != want)
        return column_error(ps, line, want, nf);
    for (int i = 0; i < want; i++)
        trim(&f[i], &fe[i]);
    if (fe[0] - f[0] == 10 && ps->have_date && !memcmp(f[0], ps->last_date, 10)) {
        day = ps->last_date_day;        /* same date as the previous row */
    } else {
        if (rd_returns_parse_date(f[0], (size_t)(fe[0] - f[0]), &day) != 0)
            return rd_error_set(ps->err, RD_EINVAL,
                                "%s:%zu: bad date '%s' (expected a real date as YYYY-MM-DD)",
                                ps->name, line,
                                show(f[0], (size_t)(fe[0] - f[0]), b1, sizeof b1));
        memcpy(ps->last_date, f[0], 10);
        ps->last_date_day = day;
        ps->have_date = 1;
    }
    if (rd_returns_parse_number(f[want - 1], (size_t)(fe[want - 1] - f[want - 1]), &v) != 0) {
        if (memchr(f[want - 1], ',', (size_t)(fe[want - 1] - f[want - 1])))
            return column_error(ps, line, want, want + 1);
        return rd_error_set(ps->err, RD_EINVAL, "%s:%zu: %s '%s' is not a number",
                            ps->name, line, ps->from_values ? "value" : "return",
                            show(f[want - 1], (size_t)(fe[want - 1] - f[want - 1]), b1,
                                 sizeof b1));
    }
    if (bad_number(ps, v, line, f[want - 1], fe[want - 1]))
        return RD_EINVAL;
    if (ps->multi) {
        int rc;

        if (fe[1] == f[1])
            return rd_error_set(ps->err, RD_EINVAL, "%s:%zu: empty account name",
                                ps->name, line);
        if (memchr(f[1], '\0', (size_t)(fe[1] - f[1])))
            return rd_error_set(ps->err, RD_EINVAL, "%s:%zu: NUL byte in the account name",
                                ps->name, line);
        rc = account_of(ps, f[1], (size_t)(fe[1] - f[1]), &ai);
        if (rc != RD_OK)
            return rc;
    }
    a = &ps->accts[ai];
    if (a->count && day <= a->last_day) {
        char who[96] = "";

        if (ps->multi)
            snprintf(who, sizeof who, " for account '%s'",
                     show(f[1], (size_t)(fe[1] - f[1]), b1, sizeof b1));
        format_day(day, b2, sizeof b2);
        format_day(a->last_day, b3, sizeof b3);
        if (day == a->last_day)
            return rd_error_set(ps->err, RD_EINVAL, "%s:%zu: duplicate date %s%s "
                                "(already on line %zu)", ps->name, line, b2, who, a->last_line);
        return rd_error_set(ps->err, RD_EINVAL, "%s:%zu: dates not sorted: %s%s comes "
                            "after %s on line %zu (dates must be ascending)",
                            ps->name, line, b2, who, b3, a->last_line);
    }
    if (ps->multi && ps->nrows && ai != ps->cur) {
        if (a->count)
            ps->grouped = 0;    /* an account came back after another */
        ps->accts[ps->cur].next = ai + 1;
    }
    ps->cur = ai;
    a->last_day = day;
    a->last_line = line;
    a->count++;
    if (ps->nrows == ps->cap && grow_rows(ps) != RD_OK)
        return rd_error_set(ps->err, RD_ENOMEM, "%s:%zu: out of memory", ps->name, line);
    ps->days[ps->nrows] = day;
    ps->vals[ps->nrows] = v;
    if (ps->multi)
        ps->acct_of[ps->nrows] = ai;
    ps->nrows++;
    return RD_OK;
}

/* Turns each series' values into returns, dropping its first row, in place. */
static void values_to_returns(struct rd_returns_set *s)
{
    size_t w = 0;

    for (size_t a = 0; a < s->naccounts; a++) {
        size_t lo = s->offset[a], hi = s->offset[a + 1];
        double last = NAN;

        s->offset[a] = w;
        for (size_t i = lo; i < hi; i++) {
            double v = s->returns[i];
            double r = isnan(v) || isnan(last) ? NAN : v / last - 1.0;

            if (!isnan(v))
                last = v;
            if (i == lo)
                continue;
            s->days[w] = s->days[i];
            s->returns[w++] = r;
        }
    }
    s->offset[s->naccounts] = w;
    s->nrows = w;
}

/*
 * Groups the rows by account (a stable counting sort) into out->days/returns,
 * whose offsets are set. Two passes: first into buckets of up to 64 accounts,
 * then within each bucket, so that neither pass writes to more than a few
 * hundred places at once (a direct scatter to 10,000 accounts misses the TLB
 * on every row).
 */
static int scatter(struct parser *ps, struct rd_returns_set *out)
{
    size_t n = ps->nrows, na = ps->naccts, nb;
    unsigned shift = 0;
    size_t *pos = NULL, *bpos = NULL;
    int32_t *tdays = NULL;
    double *tvals = NULL;
    uint32_t *tacct = NULL;
    int rc = RD_ENOMEM;

    while ((na >> shift) >= 256)
        shift++;
    nb = (na >> shift) + 1;
    pos = rd_malloc((na ? na : 1) * sizeof *pos);
    bpos = rd_malloc(nb * sizeof *bpos);
    tdays = rd_malloc((n ? n : 1) * sizeof *tdays);
    tvals = rd_malloc((n ? n : 1) * sizeof *tvals);
    tacct = rd_malloc((n ? n : 1) * sizeof *tacct);
    out->days = rd_malloc((n ? n : 1) * sizeof *out->days);
    out->returns = rd_malloc((n ? n : 1) * sizeof *out->returns);
    if (!pos || !bpos || !tdays || !tvals || !tacct || !out->days || !out->returns)
        goto out;
    for (size_t b = 0; b < nb; b++)
        bpos[b] = out->offset[(b << shift) < na ? (b << shift) : na];
    for (size_t i = 0; i < n; i++) {
        uint32_t a = ps->acct_of[i];
        size_t k = bpos[a >> shift]++;

        tdays[k] = ps->days[i];
        tvals[k] = ps->vals[i];
        tacct[k] = a;
    }
    memcpy(pos, out->offset, na * sizeof *pos);
    for (size_t i = 0; i < n; i++) {
        size_t k = pos[tacct[i]]++;

        out->days[k] = tdays[i];
        out->returns[k] = tvals[i];
    }
    rc = RD_OK;
out:
    rd_free(pos);
    rd_free(bpos);
    rd_free(tdays);
    rd_free(tvals);
    rd_free(tacct);
    return rc;
}

static int finish(struct parser *ps, struct rd_returns_set *out, int convert)
{
    size_t n = ps->nrows, na = ps->naccts;

    out->multi = ps->multi;
    out->from_values = ps->from_values;
    out->naccounts = na;
    out->nrows = n;
    out->offset = rd_malloc((na + 1) * sizeof *out->offset);
    out->names = rd_malloc((na ? na : 1) * sizeof *out->names);
    if (!out->offset || !out->names)
        return rd_error_set(ps->err, RD_ENOMEM, "%s: out of memory", ps->name);
    out->offset[0] = 0;
    for (size_t a = 0; a < na; a++)
        out->offset[a + 1] = out->offset[a] + ps->accts[a].count;
    if (!ps->multi || ps->grouped) {
        /* already grouped, in first-seen order: take the arrays as they are
         * (never NULL, even without rows, so callers may offset them) */
        if (!ps->days && grow_rows(ps) != RD_OK)
            return rd_error_set(ps->err, RD_ENOMEM, "%s: out of memory", ps->name);
        out->days = ps->days;
        out->returns = ps->vals;
        ps->days = NULL;
        ps->vals = NULL;
    } else if (scatter(ps, out) != RD_OK) {
        return rd_error_set(ps->err, RD_ENOMEM, "%s: out of memory", ps->name);
    }
    out->names_arena = rd_buf_detach(&ps->arena);
    if (!out->names_arena) {
        out->names_arena = rd_strdup("");
        if (!out->names_arena)
            return rd_error_set(ps->err, RD_ENOMEM, "%s: out of memory", ps->name);
    }
    for (size_t a = 0; a < na; a++)
        out->names[a] = out->names_arena + ps->accts[a].name_off;
    if (ps->from_values && convert)
        values_to_returns(out);
    return RD_OK;
}

static void parser_init(struct parser *ps, const char *name, struct rd_error *err, size_t hint)
{
    memset(ps, 0, sizeof *ps);
    ps->name = name;
    ps->err = err;
    ps->grouped = 1;
    ps->hint = hint;
    rd_buf_init(&ps->arena, RD_RETURNS_CSV_MAX);
}

static void parser_release(struct parser *ps)
{
    rd_free(ps->days);
    rd_free(ps->vals);
    rd_free(ps->acct_of);
    rd_free(ps->accts);
    rd_free(ps->table);
    rd_buf_release(&ps->arena);
}

/* Reads the header line at p; sets *body to the first data line. */
static int parse_header_line(struct parser *ps, const char *p, const char *end,
                             const char **body)
{
    const char *nl, *le;
    uint32_t ai;
    int rc;

    if (p >= end)
        return rd_error_set(ps->err, RD_EINVAL, "%s:1: empty input (expected a header "
                            "such as 'date,return')", ps->name);
    nl = memchr(p, '\n', (size_t)(end - p));
    le = nl ? nl : end;
    *body = nl ? nl + 1 : end;
    if (le > p && le[-1] == '\r')
        le--;
    if (memchr(p, '\0', (size_t)(le - p)))
        return rd_error_set(ps->err, RD_EINVAL, "%s:1: NUL byte in the header", ps->name);
    rc = parse_header(ps, p, le);
    if (rc == RD_OK && !ps->multi)
        rc = account_of(ps, "", 0, &ai);      /* the one series, named "" */
    return rc;
}

/* Parses the data rows of [p, end); the first is line line0 + 1. */
static int parse_rows(struct parser *ps, const char *p, const char *end, size_t line0)
{
    size_t line = line0;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end, *s = p;

        line++;
        if (le > p && le[-1] == '\r')
            le--;
        if (s < le && (*s == ' ' || *s == '\t' || le[-1] == ' ' || le[-1] == '\t')) {
            const char *e = le;

            trim(&s, &e);
            if (s == e) {
                p = nl ? nl + 1 : end;
                continue;       /* a blank line */
            }
        }
        if (s < le) {
            int rc = parse_row(ps, p, le, line);

            if (rc != RD_OK)
                return rc;
        }
        p = nl ? nl + 1 : end;
    }
    return RD_OK;
}

static const char *skip_bom(const char *data, size_t len)
{
    if (len >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB &&
        (unsigned char)data[2] == 0xBF)
        return data + 3;
    return data;
}

static int parse_serial(const char *data, size_t len, const char *name,
                        struct rd_returns_set *out, struct rd_error *err)
{
    struct parser ps;
    const char *end = data + len, *body;
    int rc;

    /* reserve rows for the whole input: the shortest plausible row is ~14 bytes
     * for date,return and ~20 with an account; the rest grows by doubling */
    parser_init(&ps, name, err, len / 16 + 16);
    rc = parse_header_line(&ps, skip_bom(data, len), end, &body);
    if (rc == RD_OK)
        rc = parse_rows(&ps, body, end, 1);
    if (rc == RD_OK)
        rc = finish(&ps, out, 1);
    parser_release(&ps);
    if (rc != RD_OK)
        rd_returns_set_release(out);
    return rc;
}

#define MAX_CHUNKS 16

struct chunk {
    struct parser ps;
    const char *p, *end;
    struct rd_returns_set set;
    struct rd_error err;
    int rc;
};

static void *chunk_work(void *arg)
{
    struct chunk *c = arg;

    c->rc = parse_rows(&c->ps, c->p, c->end, 0);
    if (c->rc == RD_OK)
        c->rc = finish(&c->ps, &c->set, 0);
    return NULL;
}

/*
 * Joins the chunks' grouped sets into out, in file order. Returns RD_OK,
 * RD_ENOMEM, or RD_EAGAIN-like -1 when an account's dates do not ascend
 * across a chunk boundary (the serial parse then reports the line).
 */
static int merge_chunks(struct chunk *ch, int nc, const struct parser *tmpl,
                        struct rd_returns_set *out, struct rd_error *err)
{
    struct parser g;
    uint32_t *map[MAX_CHUNKS] = {0};
    size_t *pos = NULL, n = 0;
    int rc = RD_ENOMEM;

    parser_init(&g, tmpl->name, err, 0);
    for (int c = 0; c < nc; c++) {
        const struct rd_returns_set *s = &ch[c].set;

        map[c] = rd_malloc((s->naccounts ? s->naccounts : 1) * sizeof *map[c]);
        if (!map[c])
            goto out;
        for (size_t a = 0; a < s->naccounts; a++) {
            size_t lo = s->offset[a], hi = s->offset[a + 1];
            struct acct *ga;

            if (account_of(&g, s->names[a], strlen(s->names[a]), &map[c][a]) != RD_OK)
                goto out;
            ga = &g.accts[map[c][a]];
            if (hi > lo) {
                if (ga->count && s->days[lo] <= ga->last_day) {
                    rc = -1;
                    goto out;
                }
                ga->last_day = s->days[hi - 1];
                ga->count += hi - lo;
            }
            n += hi - lo;
        }
    }
    out->multi = tmpl->multi;
    out->from_values = tmpl->from_values;
    out->naccounts = g.naccts;
    out->nrows = n;
    out->offset = rd_malloc((g.naccts + 1) * sizeof *out->offset);
    out->names = rd_malloc((g.naccts ? g.naccts : 1) * sizeof *out->names);
    out->days = rd_malloc((n ? n : 1) * sizeof *out->days);
    out->returns = rd_malloc((n ? n : 1) * sizeof *out->returns);
    pos = rd_malloc((g.naccts ? g.naccts : 1) * sizeof *pos);
    if (!out->offset || !out->names || !out->days || !out->returns || !pos)
        goto out;
    out->offset[0] = 0;
    for (size_t a = 0; a < g.naccts; a++) {
        out->offset[a + 1] = out->offset[a] + g.accts[a].count;
        pos[a] = out->offset[a];
    }
    for (int c = 0; c < nc; c++) {
        const struct rd_returns_set *s = &ch[c].set;

        for (size_t a = 0; a < s->naccounts; a++) {
            size_t lo = s->offset[a], cnt = s->offset[a + 1] - lo, k = map[c][a];

            memcpy(out->days + pos[k], s->days + lo, cnt * sizeof *s->days);
            memcpy(out->returns + pos[k], s->returns + lo, cnt * sizeof *s->returns);
            pos[k] += cnt;
        }
    }
    out->names_arena = rd_buf_detach(&g.arena);
    if (!out->names_arena)
        out->names_arena = rd_strdup("");
    if (!out->names_arena)
        goto out;
    for (size_t a = 0; a < g.naccts; a++)
        out->names[a] = out->names_arena + g.accts[a].name_off;
    if (out->from_values)
        values_to_returns(out);
    rc = RD_OK;
out:
    for (int c = 0; c < nc; c++)
        rd_free(map[c]);
    rd_free(pos);
    parser_release(&g);
    if (rc == RD_ENOMEM)
        rc = rd_error_set(err, RD_ENOMEM, "%s: out of memory", tmpl->name);
    return rc;
}

int rd_returns_csv_parse_mt(const char *data, size_t len, const char *name, int threads,
                            struct rd_returns_set *out, struct rd_error *err)
{
    struct parser head;
    struct chunk *ch = NULL;
    pthread_t tid[MAX_CHUNKS];
    int started[MAX_CHUNKS] = {0}, nc = 0, rc;
    const char *end = data + len, *body, *p;

    rd_returns_set_init(out);
    if (threads > MAX_CHUNKS)
        threads = MAX_CHUNKS;
    if (threads <= 1)
        return parse_serial(data, len, name, out, err);
    parser_init(&head, name, err, 0);
    rc = parse_header_line(&head, skip_bom(data, len), end, &body);
    if (rc != RD_OK) {
        parser_release(&head);
        return rc;
    }
    ch = rd_calloc((size_t)threads, sizeof *ch);
    if (!ch) {
        parser_release(&head);
        return rd_error_set(err, RD_ENOMEM, "%s: out of memory", name);
    }
    /* chunks of about equal size, cut after a newline */
    for (p = body; p < end && nc < threads; nc++) {
        size_t left = (size_t)(end - p), want = left / (size_t)(threads - nc);
        const char *cut = nc == threads - 1 ? end : p + want;
        const char *nl = cut < end ? memchr(cut, '\n', (size_t)(end - cut)) : NULL;
        uint32_t ai;

        cut = cut >= end || !nl ? end : nl + 1;
        parser_init(&ch[nc].ps, name, &ch[nc].err, (size_t)(cut - p) / 16 + 16);
        ch[nc].ps.multi = head.multi;
        ch[nc].ps.from_values = head.from_values;
        if (!head.multi && account_of(&ch[nc].ps, "", 0, &ai) != RD_OK) {
            nc++;
            rc = RD_ENOMEM;
            goto out;
        }
        ch[nc].p = p;
        ch[nc].end = cut;
        p = cut;
    }
    for (int c = 1; c < nc; c++)
        started[c] = pthread_create(&tid[c], NULL, chunk_work, &ch[c]) == 0;
    if (nc > 0)
        chunk_work(&ch[0]);
    for (int c = 1; c < nc; c++) {
        if (started[c])
            pthread_join(tid[c], NULL);
        else
            chunk_work(&ch[c]);
    }
    rc = RD_OK;
    for (int c = 0; c < nc; c++)
        if (ch[c].rc != RD_OK)
            rc = -1;            /* the serial parse finds the first error in file order */
    if (rc == RD_OK) {
        if (nc == 0) {
            rc = -1;            /* a header and nothing else: the serial parse */
        } else {
            rc = merge_chunks(ch, nc, &head, out, err);
        }
    }
out:
    for (int c = 0; c < nc; c++) {
        parser_release(&ch[c].ps);
        rd_returns_set_release(&ch[c].set);
    }
    rd_free(ch);
    parser_release(&head);
    if (rc != RD_OK) {
        rd_returns_set_release(out);
        if (rc != RD_ENOMEM)
            rc = parse_serial(data, len, name, out, err);
    }
    return rc;
}

/* Inputs below this are parsed by one thread. */
#define PARALLEL_MIN_BYTES ((size_t)8 << 20)

int rd_returns_csv_parse(const char *data, size_t len, const char *name,
                         struct rd_returns_set *out, struct rd_error *err)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int threads = len < PARALLEL_MIN_BYTES || ncpu < 2 ? 1 : ncpu > 8 ? 8 : (int)ncpu;

    return rd_returns_csv_parse_mt(data, len, name, threads, out, err);
}

static int read_stream(FILE *f, const char *path, struct rd_returns_set *out,
                       struct rd_error *err)
{
    struct rd_buf b;
    char chunk[65536];
    size_t n;
    int rc = RD_OK;

    rd_buf_init(&b, RD_RETURNS_CSV_MAX);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        rc = rd_buf_append(&b, chunk, n);
        if (rc != RD_OK) {
            rc = rd_error_set(err, rc, "%s: %s", path,
                              rc == RD_ETOOBIG ? "input too large" : "out of memory");
            goto out;
        }
    }
    if (ferror(f)) {
        rc = rd_error_set(err, RD_EIO, "%s: read failed: %s", path, strerror(errno));
        goto out;
    }
    rc = rd_returns_csv_parse(b.data ? b.data : "", b.len, path, out, err);
out:
    rd_buf_release(&b);
    return rc;
}

int rd_returns_csv_read(const char *path, struct rd_returns_set *out, struct rd_error *err)
{
    struct stat st;
    int fd = -1, rc;
    void *map = MAP_FAILED;

    rd_returns_set_init(out);
    if (strcmp(path, "-") == 0)
        return read_stream(stdin, "<stdin>", out, err);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return rd_error_set(err, errno == ENOENT ? RD_ENOTFOUND : RD_EIO, "%s: cannot open: %s",
                            path, strerror(errno));
    if (fstat(fd, &st) != 0) {
        rc = rd_error_set(err, RD_EIO, "%s: cannot stat: %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        FILE *f = fdopen(fd, "rb");

        if (!f) {
            rc = rd_error_set(err, RD_EIO, "%s: cannot read: %s", path, strerror(errno));
            goto out;
        }
        fd = -1;
        rc = read_stream(f, path, out, err);
        fclose(f);
        goto out;
    }
    if ((uint64_t)st.st_size > RD_RETURNS_CSV_MAX) {
        rc = rd_error_set(err, RD_ETOOBIG, "%s: file too large (%lld bytes)", path,
                          (long long)st.st_size);
        goto out;
    }
    if (st.st_size == 0) {
        rc = rd_returns_csv_parse("", 0, path, out, err);
        goto out;
    }
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (map == MAP_FAILED) {
        rc = rd_error_set(err, RD_EIO, "%s: cannot map: %s", path, strerror(errno));
        goto out;
    }
    (void)madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
    rc = rd_returns_csv_parse(map, (size_t)st.st_size, path, out, err);
out:
    if (map != MAP_FAILED)
        munmap(map, (size_t)st.st_size);
    if (fd >= 0)
        close(fd);
    return rc;
}

void rd_returns_align(const int32_t *days, size_t n, const int32_t *bdays, const double *bret,
                      size_t nb, double *out)
{
    size_t j = 0;

    for (size_t i = 0; i < n; i++) {
        while (j < nb && bdays[j] < days[i])
            j++;
        out[i] = j < nb && bdays[j] == days[i] ? bret[j] : NAN;
    }
}
