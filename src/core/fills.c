/*
 * fills.c - the traders' fills container (see fills.h): interned names,
 * fills, daily P&L rows and limits, and the legacy-account rule. Filled by the
 * CSV readers (io/fills_csv.c) and by the stores.
 */
#include "riskdesk/fills.h"

#include <stdint.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "riskdesk/banned.h"

/* ---------------------------------------------------------------- names */

static uint32_t hash_bytes(const char *s, size_t len)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static int names_grow_slots(struct rd_names *nm, struct rd_error *err)
{
    uint32_t n = nm->nslots ? nm->nslots * 2 : 64;
    uint32_t *slots = rd_calloc(n, sizeof *slots);

    if (!slots)
        return rd_error_set(err, RD_ENOMEM, "out of memory interning names");
    for (uint32_t id = 0; id < nm->count; id++) {
        const char *s = nm->name[id];
        uint32_t i = hash_bytes(s, strlen(s)) & (n - 1);

        while (slots[i])
            i = (i + 1) & (n - 1);
        slots[i] = id + 1;
    }
    rd_free(nm->slots);
    nm->slots = slots;
    nm->nslots = n;
    return RD_OK;
}

int64_t rd_names_find(const struct rd_names *nm, const char *name, size_t len)
{
    uint32_t i;

    if (!nm->nslots || memchr(name, '\0', len))
        return -1;
    i = hash_bytes(name, len) & (nm->nslots - 1);
    while (nm->slots[i]) {
        const char *s = nm->name[nm->slots[i] - 1];

        if (!strncmp(s, name, len) && s[len] == '\0')
            return nm->slots[i] - 1;
        i = (i + 1) & (nm->nslots - 1);
    }
    return -1;
}

int rd_names_intern(struct rd_names *nm, const char *name, size_t len, uint32_t *id,
                    struct rd_error *err)
{
    uint32_t i;
    char *copy;

    if (memchr(name, '\0', len))
        return rd_error_set(err, RD_EINVAL, "a name holds a NUL byte");
    if (nm->nslots) {
        i = hash_bytes(name, len) & (nm->nslots - 1);
        while (nm->slots[i]) {
            const char *s = nm->name[nm->slots[i] - 1];

            /* name has no NUL, so strncmp stops at the end of a shorter s */
            if (!strncmp(s, name, len) && s[len] == '\0') {
                *id = nm->slots[i] - 1;
                return RD_OK;
            }
            i = (i + 1) & (nm->nslots - 1);
        }
    }
    if (nm->count >= UINT32_MAX / 4)
        return rd_error_set(err, RD_ETOOBIG, "more than %u distinct names", nm->count);
    if ((nm->count + 1) * 2 > nm->nslots && names_grow_slots(nm, err) != RD_OK)
        return err ? err->code : RD_ENOMEM;
    if (nm->count == nm->cap) {
        uint32_t cap = nm->cap ? nm->cap * 2 : 16;
        char **p = rd_realloc(nm->name, cap * sizeof *p);

        if (!p)
            return rd_error_set(err, RD_ENOMEM, "out of memory interning names");
        nm->name = p;
        nm->cap = cap;
    }
    copy = rd_strndup(name, len);
    if (!copy)
        return rd_error_set(err, RD_ENOMEM, "out of memory interning names");
    nm->name[nm->count] = copy;
    i = hash_bytes(name, len) & (nm->nslots - 1);
    while (nm->slots[i])
        i = (i + 1) & (nm->nslots - 1);
    nm->slots[i] = nm->count + 1;
    *id = nm->count++;
    return RD_OK;
}

static void names_release(struct rd_names *nm)
{
    for (uint32_t i = 0; i < nm->count; i++)
        rd_free(nm->name[i]);
    rd_free(nm->name);
    rd_free(nm->slots);
    memset(nm, 0, sizeof *nm);
}

/* ---------------------------------------------------------------- the set */

void rd_fills_init(struct rd_fills *fs)
{
    memset(fs, 0, sizeof *fs);
}

void rd_fills_release(struct rd_fills *fs)
{
    names_release(&fs->traders);
    names_release(&fs->symbols);
    rd_free(fs->fills);
    rd_free(fs->daily);
    rd_free(fs->limit);
    rd_free(fs->limit_line);
    memset(fs, 0, sizeof *fs);
}

int rd_fills_add(struct rd_fills *fs, const struct rd_fill *f, struct rd_error *err)
{
    if (f->trader >= fs->traders.count || f->symbol >= fs->symbols.count)
        return rd_error_set(err, RD_EINVAL, "fill names trader %u / symbol %u, not interned",
                            f->trader, f->symbol);
    if (fs->nfills == fs->fills_cap) {
        size_t cap = fs->fills_cap ? fs->fills_cap * 2 : 1024;
        struct rd_fill *p;

        if (cap > SIZE_MAX / sizeof *p)
            return rd_error_set(err, RD_ETOOBIG, "too many fills");
        p = rd_realloc(fs->fills, cap * sizeof *p);
        if (!p)
            return rd_error_set(err, RD_ENOMEM, "out of memory after %zu fills", fs->nfills);
        fs->fills = p;
        fs->fills_cap = cap;
    }
    fs->fills[fs->nfills++] = *f;
    return RD_OK;
}

int rd_fills_add_daily(struct rd_fills *fs, const struct rd_daily_pnl *d, struct rd_error *err)
{
    if (d->trader >= fs->traders.count)
        return rd_error_set(err, RD_EINVAL, "daily row names trader %u, not interned", d->trader);
    if (fs->ndaily == fs->daily_cap) {
        size_t cap = fs->daily_cap ? fs->daily_cap * 2 : 256;
        struct rd_daily_pnl *p = rd_realloc(fs->daily, cap * sizeof *p);

        if (!p)
            return rd_error_set(err, RD_ENOMEM, "out of memory after %zu daily rows", fs->ndaily);
        fs->daily = p;
        fs->daily_cap = cap;
    }
    fs->daily[fs->ndaily++] = *d;
    return RD_OK;
}

/* Makes limit[] cover every interned trader. */
int rd_fills_cover_limits(struct rd_fills *fs, struct rd_error *err)
{
    uint32_t cap = fs->limit_cap ? fs->limit_cap : 16;
    rd_money *l;
    long *ln;

    if (fs->traders.count <= fs->limit_cap)
        return RD_OK;
    while (cap < fs->traders.count)
        cap *= 2;
    l = rd_realloc(fs->limit, cap * sizeof *l);
    if (!l)
        return rd_error_set(err, RD_ENOMEM, "out of memory reading limits");
    fs->limit = l;
    ln = rd_realloc(fs->limit_line, cap * sizeof *ln);
    if (!ln)
        return rd_error_set(err, RD_ENOMEM, "out of memory reading limits");
    fs->limit_line = ln;
    for (uint32_t i = fs->limit_cap; i < cap; i++) {
        l[i] = 0;
        ln[i] = 0;
    }
    fs->limit_cap = cap;
    return RD_OK;
}

int rd_fills_set_limit(struct rd_fills *fs, uint32_t trader, rd_money limit, long line,
                       struct rd_error *err)
{
    int rc;

    if (trader >= fs->traders.count)
        return rd_error_set(err, RD_EINVAL, "limit names trader %u, not interned", trader);
    rc = rd_fills_cover_limits(fs, err);
    if (rc != RD_OK)
        return rc;
    fs->limit[trader] = limit;
    fs->limit_line[trader] = line;
    return RD_OK;
}

int rd_trader_is_legacy(const char *name)
{
    size_t n = strlen(name), k = sizeof RD_TRADER_LEGACY_SUFFIX - 1;

    return n >= k && memcmp(name + n - k, RD_TRADER_LEGACY_SUFFIX, k) == 0;
}
