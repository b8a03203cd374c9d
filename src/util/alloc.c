#include "riskdesk/alloc.h"

#include <malloc.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/banned.h"

void rd_alloc_process_init(void)
{
    mallopt(M_MMAP_THRESHOLD, RD_ALLOC_MMAP_FROM);
    mallopt(M_TRIM_THRESHOLD, RD_ALLOC_TRIM_KEEP);
}

/* Test-only fault injection; zero means off. */
static atomic_long fail_at;
static atomic_long counted;

static int should_fail(void)
{
    long at = atomic_load_explicit(&fail_at, memory_order_relaxed);
    long n = atomic_fetch_add_explicit(&counted, 1, memory_order_relaxed) + 1;

    return at > 0 && n >= at;
}

long rd_alloc_fail_after(long nth)
{
    long n = atomic_exchange(&counted, 0);

    atomic_store(&fail_at, nth);
    return n;
}

void *rd_malloc(size_t n)
{
    if (should_fail())
        return NULL;
    return malloc(n ? n : 1);
}

void *rd_calloc(size_t count, size_t size)
{
    if (should_fail())
        return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *rd_realloc(void *p, size_t n)
{
    if (should_fail())
        return NULL;
    return realloc(p, n ? n : 1);
}

char *rd_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = rd_malloc(len + 1);

    if (!d)
        return NULL;
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *rd_strdup(const char *s)
{
    return rd_strndup(s, strlen(s));
}

void rd_free(void *p)
{
    free(p);
}
