/*
 * by_name.c - a growable array of per-account entries found by name, the
 * table under the live numbers (accounts_live.c) and the health monitor
 * (health.c). Not locked: its owner's mutex guards it.
 */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "riskdesk/alloc.h"
#include "riskdesk/banned.h"

void api_by_name_init(struct api_by_name *t, size_t entry_size)
{
    memset(t, 0, sizeof *t);
    t->size = entry_size;
}

void api_by_name_release(struct api_by_name *t)
{
    rd_free(t->e);
    t->e = NULL;
    t->n = t->cap = 0;
}

void *api_by_name_get(const struct api_by_name *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++) {
        char *e = t->e + i * t->size;

        if (!strcmp(e, name))
            return e;
    }
    return NULL;
}

void *api_by_name_find(struct api_by_name *t, const char *name, int *added)
{
    char *e = api_by_name_get(t, name);

    *added = 0;
    if (e)
        return e;
    if (t->n == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 16;
        char *ne = rd_realloc(t->e, ncap * t->size);

        if (!ne)
            return NULL;
        t->e = ne;
        t->cap = ncap;
    }
    e = t->e + t->n++ * t->size;
    memset(e, 0, t->size);
    snprintf(e, API_NAME_MAX, "%s", name);
    *added = 1;
    return e;
}
