/*
 * store.c - picks a storage backend from a URL's scheme.
 */
#include "riskdesk/store.h"

#include <stdio.h>
#include <string.h>

#include "riskdesk/banned.h"

/*
 * The registry: one entry per backend, matched on the URL's scheme (the text
 * before the first ':'). To add a backend, define its `const struct
 * rd_store_ops` in src/store/NAME.c, declare it in store.h and list it here.
 */
extern const struct rd_store_ops rd_store_postgres_ops, rd_store_postgresql_ops; /* postgres_ops.c */

static const struct rd_store_ops *const backends[] = {
    &rd_store_sqlite_ops,
    &rd_store_postgres_ops, &rd_store_postgresql_ops,   /* "postgres[ql]://user@host/db" */
};

#define NBACKENDS (sizeof backends / sizeof backends[0])

int rd_store_open(const char *url, struct rd_store **out, struct rd_error *err)
{
    const char *colon;
    size_t n;
    char known[128];
    size_t used = 0;

    if (!url || !out)
        return rd_error_set(err, RD_EINVAL, "store: no URL given");
    *out = NULL;
    colon = strchr(url, ':');
    n = colon ? (size_t)(colon - url) : 0;
    for (size_t i = 0; i < NBACKENDS; i++) {
        const struct rd_store_ops *ops = backends[i];

        if (colon && strlen(ops->name) == n && strncmp(ops->name, url, n) == 0) {
            /* the registry, not the backend, hands a handle its table: a
             * backend's files never point back up at their own table */
            int rc = ops->open(url, out, err);

            if (rc == RD_OK)
                (*out)->ops = ops;
            return rc;
        }
    }
    known[0] = '\0';
    for (size_t i = 0; i < NBACKENDS; i++) {
        int w = snprintf(known + used, sizeof known - used, "%s%s:", i ? ", " : "",
                         backends[i]->name);

        if (w < 0 || (size_t)w >= sizeof known - used)
            break;
        used += (size_t)w;
    }
    /* Only the scheme is quoted: a database URL can carry a password. */
    if (!colon)
        return rd_error_set(err, RD_EUNSUPPORTED,
                            "store URL has no scheme; expected one of %s (e.g. sqlite:riskdesk.db)",
                            known);
    return rd_error_set(err, RD_EUNSUPPORTED, "store URL scheme \"%.*s\" is not known; expected one of %s",
                        (int)(n > 32 ? 32 : n), url, known);
}

void rd_store_close(struct rd_store *s)
{
    if (s)
        s->ops->close(s);
}
