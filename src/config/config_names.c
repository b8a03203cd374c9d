/*
 * config_names.c - finding an account by name: pointers to the config's accounts
 * ordered by name ignoring ASCII case (names are unique that way), searched
 * by halves. A config not built by rd_cfg_build (no index) is searched in order.
 */
#include "config/config_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "riskdesk/alloc.h"
#include "riskdesk/banned.h"

static int by_name(const void *a, const void *b)
{
    const struct rd_account_config *const *x = a, *const *y = b;

    return strcasecmp((*x)->name, (*y)->name);
}

int rd_cfg_index_names(struct rd_config *cfg)
{
    rd_free(cfg->by_name);
    cfg->by_name = NULL;
    if (cfg->naccounts <= 0)
        return RD_OK;
    if (!(cfg->by_name = rd_calloc((size_t)cfg->naccounts, sizeof *cfg->by_name)))
        return RD_ENOMEM;
    for (int i = 0; i < cfg->naccounts; i++)
        cfg->by_name[i] = &cfg->accounts[i];
    qsort(cfg->by_name, (size_t)cfg->naccounts, sizeof *cfg->by_name, by_name);
    return RD_OK;
}

/* The account named name ignoring case, or NULL. */
static const struct rd_account_config *find(const struct rd_config *cfg, const char *name)
{
    int lo = 0, hi;

    if (!cfg || !name)
        return NULL;
    if (!cfg->by_name) {
        for (int i = 0; i < cfg->naccounts; i++)
            if (!strcasecmp(cfg->accounts[i].name, name))
                return &cfg->accounts[i];
        return NULL;
    }
    hi = cfg->naccounts;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        int c = strcasecmp(cfg->by_name[mid]->name, name);

        if (c == 0)
            return cfg->by_name[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const struct rd_account_config *rd_config_account(const struct rd_config *cfg, const char *name)
{
    const struct rd_account_config *a = find(cfg, name);

    return a && !strcmp(a->name, name) ? a : NULL;
}

const struct rd_account_config *rd_config_account_nocase(const struct rd_config *cfg,
                                                         const char *name)
{
    return find(cfg, name);
}
