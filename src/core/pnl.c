/*
 * pnl.c - FIFO lot matching per trader and symbol, aggregated per trader-day
 * (see pnl.h). Fills are visited in (date, time, file order); when the input is
 * already in that order (the usual export) no sort is done, otherwise a stable
 * LSD radix sort of (key, index) pairs gives the order.
 */
#include "riskdesk/pnl.h"

#include <stdlib.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "riskdesk/calendar.h"
#include "riskdesk/banned.h"

__extension__ typedef __int128 i128;

#define MS_PER_DAY_PLUS1 86400001LL         /* time_ms + 1 ranges 0 .. 86400000 */

struct lot {
    int64_t qty;                            /* > 0, the side is the pair's */
    rd_money price;
};

struct pair {
    uint64_t key;                           /* trader << 32 | symbol, + 1 (0 = empty) */
    struct lot *lots;                       /* ring buffer */
    uint32_t head, count, cap;
    int side;                               /* +1 long, -1 short, when count > 0 */
};

struct trader_acc {
    int32_t day;
    int active;
    int64_t trades;
    rd_money realized, fees;
};

struct rd_pnl_feed {
    struct pair *pairs;
    size_t npairs, cap;                     /* open addressing, cap a power of two */
    struct trader_acc *acc;
    uint32_t acc_cap;
    struct rd_pnl_day *days;
    size_t ndays, days_cap;
    int32_t last_day, last_time;            /* the latest fill added, for the order check */
    int any;
    const struct rd_fills *fs;
    struct rd_error *err;
};


static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static int pairs_grow(struct rd_pnl_feed *e)
{
    size_t cap = e->cap ? e->cap * 2 : 1024;
    struct pair *np = rd_calloc(cap, sizeof *np);

    if (!np)
        return rd_error_set(e->err, RD_ENOMEM, "out of memory for open lots");
    for (size_t i = 0; i < e->cap; i++) {
        size_t j;

        if (!e->pairs[i].key)
            continue;
        j = mix(e->pairs[i].key) & (cap - 1);
        while (np[j].key)
            j = (j + 1) & (cap - 1);
        np[j] = e->pairs[i];
    }
    rd_free(e->pairs);
    e->pairs = np;
    e->cap = cap;
    return RD_OK;
}

static int pair_get(struct rd_pnl_feed *e, uint32_t trader, uint32_t symbol, struct pair **out)
{
    uint64_t key = (((uint64_t)trader << 32) | symbol) + 1;
    size_t j;
    int rc;

    if ((e->npairs + 1) * 2 > e->cap && (rc = pairs_grow(e)) != RD_OK)
        return rc;
    j = mix(key) & (e->cap - 1);
    while (e->pairs[j].key && e->pairs[j].key != key)
        j = (j + 1) & (e->cap - 1);
    if (!e->pairs[j].key) {
        e->pairs[j].key = key;
        e->npairs++;
    }
    *out = &e->pairs[j];
    return RD_OK;
}

static int lot_push(struct rd_pnl_feed *e, struct pair *p, int64_t qty, rd_money price)
{
    if (p->count == p->cap) {
        uint32_t cap = p->cap ? p->cap * 2 : 4;
        struct lot *nl;

        if (p->cap >= UINT32_MAX / 2)
            return rd_error_set(e->err, RD_ETOOBIG, "too many open lots");
        nl = rd_malloc(cap * sizeof *nl);
        if (!nl)
            return rd_error_set(e->err, RD_ENOMEM, "out of memory for open lots");
        for (uint32_t i = 0; i < p->count; i++)
            nl[i] = p->lots[(p->head + i) % p->cap];
        rd_free(p->lots);
        p->lots = nl;
        p->head = 0;
        p->cap = cap;
    }
    p->lots[(p->head + p->count) % p->cap] = (struct lot){qty, price};
    p->count++;
    return RD_OK;
}

/* Applies one fill to its pair; adds the realized P&L to *realized. */
static int apply(struct rd_pnl_feed *e, struct pair *p, const struct rd_fill *f, i128 *realized)
{
    int side = f->qty > 0 ? 1 : -1;
    int64_t rem = f->qty > 0 ? f->qty : -f->qty;

    while (rem > 0 && p->count > 0 && p->side != side) {
        struct lot *l = &p->lots[p->head];
        int64_t m = rem < l->qty ? rem : l->qty;

        /* long lots closed by a sale: (sell - buy); short lots by a buy: (sell - buy) too */
        *realized += (i128)(f->price - l->price) * m * p->side;
        l->qty -= m;
        rem -= m;
        if (l->qty == 0) {
            p->head = (p->head + 1) % p->cap;
            p->count--;
        }
    }
    if (rem == 0)
        return RD_OK;
    if (p->count == 0)
        p->side = side;
    return lot_push(e, p, rem, f->price);
}

static int day_push(struct rd_pnl_feed *e, const struct rd_pnl_day *d)
{
    if (e->ndays == e->days_cap) {
        size_t cap = e->days_cap ? e->days_cap * 2 : 256;
        struct rd_pnl_day *nd = rd_realloc(e->days, cap * sizeof *nd);

        if (!nd)
            return rd_error_set(e->err, RD_ENOMEM, "out of memory for daily P&L");
        e->days = nd;
        e->days_cap = cap;
    }
    e->days[e->ndays++] = *d;
    return RD_OK;
}

static int flush(struct rd_pnl_feed *e, uint32_t trader)
{
    struct trader_acc *a = &e->acc[trader];
    struct rd_pnl_day d = {0};
    char date[16];

    if (!a->active)
        return RD_OK;
    a->active = 0;
    d.trader = trader;
    d.day = a->day;
    d.trades = a->trades;
    d.realized = a->realized;
    d.fees = a->fees;
    if (__builtin_sub_overflow(a->realized, a->fees, &d.net)) {
        rd_date_format(a->day, date, sizeof date);
        return rd_error_set(e->err, RD_ETOOBIG, "net P&L of %s on %s is out of range",
                            e->fs->traders.name[trader], date);
    }
    return day_push(e, &d);
}

/* Makes acc[] cover trader ids up to `trader` (traders are interned as the fills come). */
static int acc_cover(struct rd_pnl_feed *e, uint32_t trader)
{
    uint32_t cap = e->acc_cap ? e->acc_cap : 16;
    struct trader_acc *na;

    if (trader < e->acc_cap)
        return RD_OK;
    while (cap <= trader) {
        if (cap > UINT32_MAX / 2)
            return rd_error_set(e->err, RD_ETOOBIG, "too many traders");
        cap *= 2;
    }
    na = rd_realloc(e->acc, cap * sizeof *na);
    if (!na)
        return rd_error_set(e->err, RD_ENOMEM, "out of memory computing P&L");
    memset(na + e->acc_cap, 0, (cap - e->acc_cap) * sizeof *na);
    e->acc = na;
    e->acc_cap = cap;
    return RD_OK;
}

static int add_fill(struct rd_pnl_feed *e, const struct rd_fill *f)
{
    struct trader_acc *a;
    struct pair *p;
    i128 realized = 0;
    char date[16];
    int rc;

    if (f->trader >= e->acc_cap && (rc = acc_cover(e, f->trader)) != RD_OK)
        return rc;
    a = &e->acc[f->trader];
    if (a->active && a->day != f->day && (rc = flush(e, f->trader)) != RD_OK)
        return rc;
    if (!a->active) {
        a->active = 1;
        a->day = f->day;
        a->trades = 0;
        a->realized = 0;
        a->fees = 0;
    }
    rc = pair_get(e, f->trader, f->symbol, &p);
    if (rc == RD_OK)
        rc = apply(e, p, f, &realized);
    if (rc != RD_OK)
        return rc;
    a->trades++;
    realized += a->realized;
    if (realized > RD_MONEY_MAX || realized < -RD_MONEY_MAX ||
        __builtin_add_overflow(a->fees, f->fees, &a->fees)) {
        rd_date_format(f->day, date, sizeof date);
        return rd_error_set(e->err, RD_ETOOBIG, "P&L of %s on %s is out of range",
                            e->fs->traders.name[f->trader], date);
    }
    a->realized = (rd_money)realized;
    return RD_OK;
}

static uint64_t fill_key(const struct rd_fill *f, int32_t minday)
{
    return (uint64_t)((int64_t)f->day - minday) * MS_PER_DAY_PLUS1 + (uint64_t)(f->time_ms + 1);
}

/* Stable LSD radix sort of idx by key, 16 bits a pass; keys < 2^bits. */
static int radix_order(uint64_t *key, uint32_t *idx, size_t n, int bits, struct rd_error *err)
{
    uint64_t *k2 = rd_malloc(n * sizeof *k2), *ka = key, *kb = k2, *tk;
    uint32_t *i2 = rd_malloc(n * sizeof *i2), *ia = idx, *ib = i2, *ti;
    size_t *count = rd_malloc(((size_t)1 << 16) * sizeof *count);
    int rc = RD_OK;

    if (!k2 || !i2 || !count) {
        rc = rd_error_set(err, RD_ENOMEM, "out of memory sorting %zu fills", n);
        goto out;
    }
    for (int shift = 0; shift < bits; shift += 16) {
        size_t sum = 0;

        memset(count, 0, ((size_t)1 << 16) * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[(ka[i] >> shift) & 0xffff]++;
        for (size_t b = 0; b < ((size_t)1 << 16); b++) {
            size_t c = count[b];

            count[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            size_t at = count[(ka[i] >> shift) & 0xffff]++;

            kb[at] = ka[i];
            ib[at] = ia[i];
        }
        tk = ka, ka = kb, kb = tk;
        ti = ia, ia = ib, ib = ti;
    }
    if (ia != idx)
        memcpy(idx, ia, n * sizeof *idx);
out:
    rd_free(k2);
    rd_free(i2);
    rd_free(count);
    return rc;
}

struct named {
    const char *name;
    uint32_t id;
};

static int named_cmp(const void *a, const void *b)
{
    return strcmp(((const struct named *)a)->name, ((const struct named *)b)->name);
}

static int day_cmp(const void *a, const void *b)
{
    const struct rd_pnl_day *x = a, *y = b;

    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    return (x->daily_line > y->daily_line) - (x->daily_line < y->daily_line);
}

static int in_order(const struct rd_fill *a, const struct rd_fill *b)
{
    return a->day < b->day || (a->day == b->day && a->time_ms <= b->time_ms);
}

/* Visits every fill in (date, time, file order). */
static int run_fills(struct rd_pnl_feed *e)
{
    const struct rd_fills *fs = e->fs;
    size_t n = fs->nfills, i;
    uint64_t *key = NULL;
    uint32_t *idx = NULL;
    int rc = RD_OK, bits = 0;
    int32_t minday, maxday;

    for (i = 1; i < n && in_order(&fs->fills[i - 1], &fs->fills[i]); i++)
        ;
    if (i >= n) {
        for (i = 0; i < n && rc == RD_OK; i++)
            rc = add_fill(e, &fs->fills[i]);
        return rc;
    }
    if (n > UINT32_MAX)
        return rd_error_set(e->err, RD_ETOOBIG, "more than %u fills", UINT32_MAX);
    key = rd_malloc(n * sizeof *key);
    idx = rd_malloc(n * sizeof *idx);
    if (!key || !idx) {
        rc = rd_error_set(e->err, RD_ENOMEM, "out of memory sorting %zu fills", n);
        goto out;
    }
    minday = maxday = fs->fills[0].day;
    for (i = 1; i < n; i++) {
        if (fs->fills[i].day < minday)
            minday = fs->fills[i].day;
        if (fs->fills[i].day > maxday)
            maxday = fs->fills[i].day;
    }
    for (i = 0; i < n; i++) {
        key[i] = fill_key(&fs->fills[i], minday);
        idx[i] = (uint32_t)i;
    }
    {
        uint64_t maxkey = (uint64_t)((int64_t)maxday - minday + 1) * MS_PER_DAY_PLUS1;

        while (bits < 64 && (maxkey >> bits))
            bits += 16;
    }
    rc = radix_order(key, idx, n, bits, e->err);
    for (i = 0; i < n && rc == RD_OK; i++)
        rc = add_fill(e, &fs->fills[idx[i]]);
out:
    rd_free(key);
    rd_free(idx);
    return rc;
}

int rd_pnl_arrange(struct rd_pnl *out, const struct rd_names *traders,
                   const struct rd_pnl_day *days, size_t n, struct rd_error *err)
{
    uint32_t nt = traders->count;
    struct named *nm = NULL;
    struct rd_pnl_day *sorted = NULL;
    size_t *start = NULL, at = 0;
    int rc = RD_OK;

    nm = rd_malloc((nt ? nt : 1) * sizeof *nm);
    out->order = rd_malloc((nt ? nt : 1) * sizeof *out->order);
    out->span = rd_calloc(nt ? nt : 1, sizeof *out->span);
    start = rd_calloc(nt ? nt : 1, sizeof *start);
    sorted = rd_malloc((n ? n : 1) * sizeof *sorted);
    if (!nm || !out->order || !out->span || !start || !sorted) {
        rc = rd_error_set(err, RD_ENOMEM, "out of memory arranging %zu trader-days", n);
        goto out;
    }
    out->ntraders = nt;
    for (uint32_t t = 0; t < nt; t++)
        nm[t] = (struct named){traders->name[t], t};
    if (nt > 1)
        qsort(nm, nt, sizeof *nm, named_cmp);
    for (size_t i = 0; i < n; i++)
        out->span[days[i].trader].count++;
    for (uint32_t r = 0; r < nt; r++) {
        uint32_t t = nm[r].id;

        out->order[r] = t;
        out->span[t].first = at;
        start[t] = at;
        at += out->span[t].count;
    }
    for (size_t i = 0; i < n; i++)
        sorted[start[days[i].trader]++] = days[i];
    for (uint32_t t = 0; t < nt; t++) {
        struct rd_pnl_day *d = sorted + out->span[t].first;
        size_t c = out->span[t].count, i = 1;

        while (i < c && day_cmp(&d[i - 1], &d[i]) <= 0)
            i++;
        if (i < c)
            qsort(d, c, sizeof *d, day_cmp);
    }
    out->days = sorted;
    out->ndays = n;
    sorted = NULL;
out:
    rd_free(nm);
    rd_free(start);
    rd_free(sorted);
    return rc;
}

/* Puts days in (trader name, day) order and fills out->span; checks the daily rows. */
static int arrange(struct rd_pnl_feed *e, struct rd_pnl *out)
{
    const struct rd_fills *fs = e->fs;
    char date[16];
    int rc = rd_pnl_arrange(out, &fs->traders, e->days, e->ndays, e->err);

    for (uint32_t t = 0; !rc && t < out->ntraders; t++) {
        const struct rd_pnl_day *d = out->days + out->span[t].first;
        size_t c = out->span[t].count;

        for (size_t i = 1; i < c; i++) {
            if (d[i].day != d[i - 1].day)
                continue;
            rd_date_format(d[i].day, date, sizeof date);
            if (d[i - 1].daily_line == 0)
                return rd_error_set(e->err, RD_EINVAL,
                                    "daily P&L line %ld: %s on %s also has fills; give a "
                                    "trader-day either fills or a daily P&L row",
                                    d[i].daily_line, fs->traders.name[t], date);
            return rd_error_set(e->err, RD_EINVAL,
                                "daily P&L line %ld: %s on %s repeats line %ld",
                                d[i].daily_line, fs->traders.name[t], date,
                                d[i - 1].daily_line);
        }
    }
    return rc;
}

int rd_pnl_feed_new(const struct rd_fills *fs, struct rd_pnl_feed **out, struct rd_error *err)
{
    struct rd_pnl_feed *e = rd_calloc(1, sizeof *e);

    *out = NULL;
    if (!e)
        return rd_error_set(err, RD_ENOMEM, "out of memory computing P&L");
    e->fs = fs;
    e->err = err;
    *out = e;
    return RD_OK;
}

int rd_pnl_feed_add(struct rd_pnl_feed *e, const struct rd_fill *f, size_t n, struct rd_error *err)
{
    int rc;

    e->err = err;
    for (size_t i = 0; i < n; i++) {
        if (e->any && (f[i].day < e->last_day ||
                       (f[i].day == e->last_day && f[i].time_ms < e->last_time)))
            return rd_error_set(err, RD_EUNSUPPORTED,
                                "fill %zu of %zu comes before the fill added before it", i + 1,
                                n);
        e->any = 1;
        e->last_day = f[i].day;
        e->last_time = f[i].time_ms;
        rc = add_fill(e, &f[i]);
        if (rc != RD_OK)
            return rc;
    }
    return RD_OK;
}

int rd_pnl_feed_finish(struct rd_pnl_feed *e, struct rd_pnl *out, struct rd_error *err)
{
    const struct rd_fills *fs = e->fs;
    int rc = RD_OK;

    e->err = err;
    rd_pnl_release(out);
    for (uint32_t t = 0; t < e->acc_cap && rc == RD_OK; t++)
        rc = flush(e, t);
    for (size_t i = 0; i < fs->ndaily && rc == RD_OK; i++) {
        const struct rd_daily_pnl *dp = &fs->daily[i];
        struct rd_pnl_day d = {dp->trader, dp->day, 0, dp->pnl, 0, dp->pnl, dp->line};

        rc = day_push(e, &d);
    }
    if (rc == RD_OK)
        rc = arrange(e, out);
    if (rc == RD_OK)
        for (size_t i = 0; i < e->cap; i++)
            out->open_lots += e->pairs[i].count;
    if (rc != RD_OK)
        rd_pnl_release(out);
    return rc;
}

void rd_pnl_feed_free(struct rd_pnl_feed *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->cap; i++)
        rd_free(e->pairs[i].lots);
    rd_free(e->pairs);
    rd_free(e->acc);
    rd_free(e->days);
    rd_free(e);
}

int rd_pnl_compute(const struct rd_fills *fs, struct rd_pnl *out, struct rd_error *err)
{
    struct rd_pnl_feed *e;
    int rc;

    rd_pnl_release(out);
    rc = rd_pnl_feed_new(fs, &e, err);
    if (rc == RD_OK)
        rc = run_fills(e);
    if (rc == RD_OK)
        rc = rd_pnl_feed_finish(e, out, err);
    rd_pnl_feed_free(e);
    return rc;
}

void rd_pnl_init(struct rd_pnl *p)
{
    memset(p, 0, sizeof *p);
}

void rd_pnl_release(struct rd_pnl *p)
{
    rd_free(p->days);
    rd_free(p->span);
    rd_free(p->order);
    memset(p, 0, sizeof *p);
}
