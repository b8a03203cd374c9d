/*
 * store.c - picks a storage backend from a URL's scheme.
 */
#include "riskdesk/store.h"

#include <stdio.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "store/store_int.h"
#include "store/audit_int.h"
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
    return rd_store_open_keyed(url, NULL, out, err);
}

int rd_store_open_keyed(const char *url, const struct rd_encryption_key *key,
                        struct rd_store **out, struct rd_error *err)
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

            if (rc == RD_OK) {
                (*out)->ops = ops;
                rd_audit_actor_set(*out, NULL);
                /* the key first: a wrong one must leave the store unchanged */
                rc = rd_store_key_use(*out, key, err);
                /* a database from before the audit trail: its chains start
                 * with the rows it holds (docs/audit.md, "Old databases") */
                if (rc == RD_OK)
                    rc = rd_audit_genesis(*out, err);
                if (rc) {
                    rd_store_close(*out);
                    *out = NULL;
                }
            }
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

int rd_store_open_key_source(const char *url, const char *source, struct rd_store **out,
                             struct rd_error *err)
{
    struct rd_encryption_key key;
    int rc;

    *out = NULL;
    if (!source || !source[0])
        return rd_store_open_keyed(url, NULL, out, err);
    rc = rd_encryption_key_resolve(source, &key, err);
    if (rc == RD_OK)
        rc = rd_store_open_keyed(url, &key, out, err);
    rd_encryption_key_wipe(&key);
    return rc;
}

int rd_store_open_config(const char *url, const struct rd_config *cfg, struct rd_store **out,
                         struct rd_error *err)
{
    return rd_store_open_key_source(url, cfg->encryption_key, out, err);
}

void rd_store_close(struct rd_store *s)
{
    if (s) {
        explicit_bzero(&s->key, sizeof s->key);
        s->ops->close(s);
    }
}

int rd_store_decisions_record_each(struct rd_store *s, struct rd_decision_row *rows, size_t n,
                                   struct rd_order_row *orders, const size_t *order_row,
                                   size_t norders, struct rd_error *err)
{
    const struct rd_store_trading_ops *t = s->ops->trading;
    size_t j = 0;
    int rc;

    if ((rc = rd_store_order_rows_check(order_row, norders, n, err)) != RD_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if ((rc = t->decision_add(s, &rows[i], err)) != RD_OK)
            return rc;
        for (; j < norders && order_row[j] == i; j++) {
            orders[j].decision_id = rows[i].id;
            if ((rc = t->order_add(s, &orders[j], err)) != RD_OK)
                return rc;
        }
    }
    return RD_OK;
}

int rd_store_order_rows_check(const size_t *order_row, size_t norders, size_t n,
                              struct rd_error *err)
{
    for (size_t j = 0; j < norders; j++)
        if (order_row[j] >= n || (j > 0 && order_row[j] < order_row[j - 1]))
            return rd_error_set(err, RD_EINVAL, "decisions_record: order %zu names decision %zu "
                                "of %zu (order_row must ascend below n)", j, order_row[j], n);
    return RD_OK;
}

int rd_store_decisions_record(struct rd_store *s, struct rd_decision_row *rows, size_t n,
                              struct rd_order_row *orders, const size_t *order_row, size_t norders,
                              struct rd_error *err)
{
    const struct rd_store_trading_ops *t = s->ops->trading;

    if (t->version >= 2 && t->decisions_record)
        return t->decisions_record(s, rows, n, orders, order_row, norders, err);
    return rd_store_decisions_record_each(s, rows, n, orders, order_row, norders, err);
}

int rd_store_activity_entries_each(struct rd_store *s, const char *account, int64_t day_start,
                                   const char *const *underlyings, size_t n, int32_t *count,
                                   int64_t *last_at, struct rd_error *err)
{
    for (size_t i = 0; i < n; i++) {
        struct rd_activity_query q;
        struct rd_activity a;
        int rc;

        memset(&q, 0, sizeof q);
        q.account = account;
        q.underlying = underlyings[i];
        q.day_start = day_start;
        q.parts = RD_ACT_ENTRIES;
        if ((rc = s->ops->trading->activity(s, &q, &a, err)) != RD_OK)
            return rc;
        count[i] = a.entries_today;
        last_at[i] = a.last_entry_at;
    }
    return RD_OK;
}

int rd_store_activity_entries(struct rd_store *s, const char *account, int64_t day_start,
                              const char *const *underlyings, size_t n, int32_t *count,
                              int64_t *last_at, struct rd_error *err)
{
    const struct rd_store_trading_ops *t = s->ops->trading;

    if (t->version >= 2 && t->activity_entries)
        return t->activity_entries(s, account, day_start, underlyings, n, count, last_at, err);
    return rd_store_activity_entries_each(s, account, day_start, underlyings, n, count, last_at,
                                          err);
}

int rd_store_kv_get_many_each(struct rd_store *s, const char *ns, const char *const *keys,
                              size_t n, char **vals, struct rd_error *err)
{
    int rc = RD_OK;

    for (size_t i = 0; i < n; i++)
        vals[i] = NULL;
    for (size_t i = 0; i < n && rc == RD_OK; i++) {
        rc = s->ops->trading->kv_get(s, ns, keys[i], &vals[i], err);
        if (rc == RD_ENOTFOUND) {
            rd_error_clear(err);
            rc = RD_OK;
        }
    }
    if (rc != RD_OK)
        for (size_t i = 0; i < n; i++) {
            rd_free(vals[i]);
            vals[i] = NULL;
        }
    return rc;
}

static int kv_put_many_each(struct rd_store *s, const char *ns, const char *const *keys,
                            const char *const *vals, size_t n, int only_new,
                            struct rd_error *err)
{
    int rc = RD_OK;

    for (size_t i = 0; i < n && rc == RD_OK; i++)
        rc = s->ops->trading->kv_put(s, ns, keys[i], vals[i], only_new, err);
    return rc;
}

int rd_store_kv_put_many(struct rd_store *s, const char *ns, const char *const *keys,
                         const char *const *vals, size_t n, int only_new, struct rd_error *err)
{
    const struct rd_store_trading_ops *t = s->ops->trading;

    if (only_new != RD_KV_REPLACE && only_new != RD_KV_NEW)
        return rd_error_set(err, RD_EINVAL, "kv_put_many %s: mode %d: expected RD_KV_REPLACE or "
                            "RD_KV_NEW (a shared document is written one at a time)", ns,
                            only_new);
    if (t->version >= 4 && t->kv_put_many)
        return t->kv_put_many(s, ns, keys, vals, n, only_new, err);
    return kv_put_many_each(s, ns, keys, vals, n, only_new, err);
}

int rd_store_kv_put_shared_many(struct rd_store *s, const char *ns, const char *const *keys,
                                const char *const *vals, size_t n, int mode, int *written,
                                struct rd_error *err)
{
    const struct rd_store_trading_ops *t = s->ops->trading;
    int rc = RD_OK;

    if (mode != RD_KV_SHARED && mode != RD_KV_SHARED_NEW)
        return rd_error_set(err, RD_EINVAL, "kv_put_shared_many %s: mode %d: expected "
                            "RD_KV_SHARED or RD_KV_SHARED_NEW", ns, mode);
    if (t->version >= 6 && t->kv_put_shared_many)
        return t->kv_put_shared_many(s, ns, keys, vals, n, mode, written, err);
    for (size_t i = 0; i < n && rc == RD_OK; i++) {
        rc = t->kv_put(s, ns, keys[i], vals[i], mode, err);
        written[i] = rc == RD_OK;
        if (rc == RD_EEXIST && mode == RD_KV_SHARED_NEW) {
            rd_error_clear(err);
            rc = RD_OK;
        }
    }
    return rc;
}

int rd_store_rec_wait(struct rd_store *s, unsigned timeout_ms, int *woken, struct rd_error *err)
{
    const struct rd_store_trading_ops *t = s->ops->trading;

    *woken = 0;
    if (t->version >= 7 && t->rec_wait)
        return t->rec_wait(s, timeout_ms, woken, err);
    return rd_error_set(err, RD_EUNSUPPORTED, "store %s: no word of new recommendations",
                        s->ops->name);
}

int rd_store_order_update_many(struct rd_store *s, const struct rd_order_row *orders, size_t n,
                               struct rd_error *err)
{
    const struct rd_store_trading_ops *t = s->ops->trading;
    int rc = RD_OK;

    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (!strncmp(orders[i].client_order_id, orders[j].client_order_id,
                         sizeof orders[i].client_order_id))
                return rd_error_set(err, RD_EINVAL, "order_update_many: order \"%.*s\" is "
                                    "rows %zu and %zu of %zu",
                                    (int)strnlen(orders[i].client_order_id,
                                                 sizeof orders[i].client_order_id),
                                    orders[i].client_order_id, j, i, n);
    if (t->version >= 5 && t->order_update_many)
        return t->order_update_many(s, orders, n, err);
    for (size_t i = 0; i < n && rc == RD_OK; i++)
        rc = t->order_update(s, &orders[i], err);
    return rc;
}

int rd_store_position_put_many(struct rd_store *s, const struct rd_position_row *rows, size_t n,
                               struct rd_error *err)
{
    const struct rd_store_trading_ops *t = s->ops->trading;
    int rc = RD_OK;

    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (!strncmp(rows[i].account, rows[j].account, sizeof rows[i].account) &&
                !strncmp(rows[i].symbol, rows[j].symbol, sizeof rows[i].symbol))
                return rd_error_set(err, RD_EINVAL, "position_put_many: \"%.*s\" of account "
                                    "\"%.*s\" is rows %zu and %zu of %zu",
                                    (int)strnlen(rows[i].symbol, sizeof rows[i].symbol),
                                    rows[i].symbol,
                                    (int)strnlen(rows[i].account, sizeof rows[i].account),
                                    rows[i].account, j, i, n);
    if (t->version >= 5 && t->position_put_many)
        return t->position_put_many(s, rows, n, err);
    for (size_t i = 0; i < n && rc == RD_OK; i++)
        rc = t->position_put(s, &rows[i], err);
    return rc;
}

int rd_store_kv_get_many(struct rd_store *s, const char *ns, const char *const *keys, size_t n,
                         char **vals, struct rd_error *err)
{
    const struct rd_store_trading_ops *t = s->ops->trading;

    if (t->version >= 3 && t->kv_get_many)
        return t->kv_get_many(s, ns, keys, n, vals, err);
    return rd_store_kv_get_many_each(s, ns, keys, n, vals, err);
}
