/*
 * api_config.c - the accounts the API serves: the config file's, plus those
 * made through the API.
 *
 * An API-made account is kept in the store (account_defs) as the same JSON
 * object a config file's "accounts" entry holds. The snapshot is the config
 * file's text (as read at start) with those objects appended to "accounts",
 * loaded through the one config parser, so both kinds are validated alike and
 * a name can never be used twice. A stored account that no longer loads (the
 * file took its name since, say) is skipped with a warning at start.
 * Closing an account of either kind is recorded there too (closed_at).
 *
 * Several servers may share one store: every account_def_put counts a change
 * (store.h, RD_STORE_DEFS_CHANGED_KEY), and a server reads the counter at most
 * once a second (api_cfgref) and reloads when it moved, so an account made,
 * changed or closed through another server shows here within about a second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "riskdesk/accounts.h"
#include "riskdesk/alloc.h"
#include "riskdesk/log.h"
#include "riskdesk/banned.h"

static int dump_cb(const char *buf, size_t size, void *data)
{
    return rd_buf_append(data, buf, size) == RD_OK ? 0 : -1;
}

int api_json_dump(json_t *v, struct rd_buf *out)
{
    return json_dump_callback(v, dump_cb, out, JSON_COMPACT) == 0 ? RD_OK : RD_ENOMEM;
}

static void meta_free(struct api_acct_meta *m, int n)
{
    if (!m)
        return;
    for (int i = 0; i < n; i++)
        rd_free(m[i].def);
    rd_free(m);
}

void api_cfg_unref(struct api_cfg *c)
{
    if (!c || atomic_fetch_sub(&c->refs, 1) != 1)
        return;
    meta_free(c->meta, c->cfg ? c->cfg->naccounts : 0);
    rd_config_free(c->cfg);
    rd_free(c);
}

int api_cfg_index(const struct api_cfg *c, const char *name)
{
    for (int i = 0; i < c->cfg->naccounts; i++)
        if (!strcmp(c->cfg->accounts[i].name, name))
            return i;
    return -1;
}

int api_cfg_changes(struct rd_store *store, int64_t *out, struct rd_error *err)
{
    char *val = NULL, *end = NULL;
    int rc = store->ops->trading->kv_get(store, RD_STORE_DEFS_CHANGED_NS,
                                         RD_STORE_DEFS_CHANGED_KEY, &val, err);

    *out = 0;
    if (rc == RD_ENOTFOUND)
        return RD_OK;
    if (rc)
        return rc;
    *out = (int64_t)strtoll(val, &end, 10);
    rd_free(val);
    return RD_OK;
}

int api_cfg_reload(struct api_server *srv, struct rd_store *store, struct rd_error *err)
{
    struct api_cfg *c = NULL, *old;
    struct rd_account_def_row *rows = NULL;
    size_t nrows = 0;
    int64_t changes = 0;
    int rc;

    /* the counter before the rows: a change in between is seen again */
    rc = api_cfg_changes(store, &changes, err);
    if (rc == RD_OK)
        rc = rd_accounts_defs(store, &rows, &nrows, err);
    if (rc)
        goto out;
    c = rd_calloc(1, sizeof *c);
    if (!c) {
        rc = rd_error_set(err, RD_ENOMEM, "api: out of memory");
        goto out;
    }
    atomic_init(&c->refs, 1);
    c->defs_changes = changes;
    c->seq = atomic_fetch_add(&srv->cfg_seq, 1) + 1;
    /* the config from the same rows as the meta below */
    rc = rd_accounts_load(srv->config_text, srv->config_len, srv->config_origin, rows, nrows, NULL,
                          NULL, &c->cfg, err);
    if (rc)
        goto out;
    c->meta = rd_calloc((size_t)c->cfg->naccounts + 1, sizeof *c->meta);
    if (!c->meta) {
        rc = rd_error_set(err, RD_ENOMEM, "api: out of memory");
        goto out;
    }
    for (int i = 0; i < c->cfg->naccounts; i++)
        for (size_t k = 0; k < nrows; k++) {
            const struct rd_account_def_row *row = &rows[k];

            if (strcmp(row->name, c->cfg->accounts[i].name) != 0)
                continue;
            c->meta[i].from_api = row->def[0] != '\0';
            c->meta[i].created_at = row->created_at;
            c->meta[i].closed_at = row->closed_at;
            snprintf(c->meta[i].closed_by, sizeof c->meta[i].closed_by, "%s", row->closed_by);
            if (row->def[0] && !(c->meta[i].def = rd_strdup(row->def))) {
                rc = rd_error_set(err, RD_ENOMEM, "api: out of memory");
                goto out;
            }
        }
    pthread_mutex_lock(&srv->cfg_mu);
    old = srv->cfg;
    if (old && old->defs_changes > c->defs_changes) {
        old = c;      /* a reload of a later change won the race: keep it */
    } else {
        srv->cfg = c;
    }
    pthread_mutex_unlock(&srv->cfg_mu);
    c = NULL;
    api_cfg_unref(old);
    /* an account new to this snapshot gets its dispatcher (--dispatch all) */
    api_dispatchers_adopt(srv);
out:
    if (c) {
        if (c->cfg)
            meta_free(c->meta, c->cfg->naccounts);
        rd_config_free(c->cfg);
        rd_free(c);
    }
    rd_free(rows);
    return rc;
}

int api_cfg_check_def(struct api_server *srv, struct rd_store *store, const char *name,
                      const char *def, struct rd_error *err)
{
    struct rd_account_def_row *rows = NULL;
    struct rd_config *cfg = NULL;
    size_t nrows = 0;
    int rc = rd_accounts_defs(store, &rows, &nrows, err);

    if (rc == RD_OK)
        rc = rd_accounts_load(srv->config_text, srv->config_len, srv->config_origin, rows, nrows,
                              name, def, &cfg, err);
    rd_free(rows);

    if (rc == RD_OK) {
        const struct rd_account_config *a = rd_config_account(cfg, name);

        /* no account may trade on another's keys: the one check every
         * runner makes at start, made before the account exists */
        if (a && a->broker == RD_BROKER_ALPACA &&
            rd_config_check_distinct_keys(cfg, err) == RD_ECONFIG)
            rc = RD_EEXIST;
    }
    rd_config_free(cfg);
    return rc;
}
