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
 */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "riskdesk/alloc.h"
#include "riskdesk/log.h"
#include "riskdesk/banned.h"

struct defs {
    struct rd_account_def_row *rows;
    size_t n, cap;
};

static int collect(void *ctx, const struct rd_account_def_row *a)
{
    struct defs *d = ctx;

    if (d->n == d->cap) {
        size_t ncap = d->cap ? d->cap * 2 : 8;
        struct rd_account_def_row *nr = rd_realloc(d->rows, ncap * sizeof *nr);

        if (!nr)
            return RD_ENOMEM;
        d->rows = nr;
        d->cap = ncap;
    }
    d->rows[d->n++] = *a;
    return 0;
}

static int load_defs(struct rd_store *s, struct defs *d, struct rd_error *err)
{
    int rc = s->ops->api->account_def_list(s, collect, d, err);

    if (rc == RD_ENOMEM)
        return rd_error_set(err, RD_ENOMEM, "api: out of memory reading accounts");
    return rc;
}

static int dump_cb(const char *buf, size_t size, void *data)
{
    return rd_buf_append(data, buf, size) == RD_OK ? 0 : -1;
}

int api_json_dump(json_t *v, struct rd_buf *out)
{
    return json_dump_callback(v, dump_cb, out, JSON_COMPACT) == 0 ? RD_OK : RD_ENOMEM;
}

/* The file's config with the given account objects appended, loaded. */
static int load_with(struct api_server *srv, json_t *extra, struct rd_config **out,
                     struct rd_error *err)
{
    json_error_t je;
    json_t *root = json_loadb(srv->config_text, srv->config_len, 0, &je);
    json_t *accounts;
    struct rd_buf text;
    int rc;

    *out = NULL;
    if (!root || !json_is_object(root)) {
        json_decref(root);
        /* the parser says exactly what is wrong */
        return rd_config_load_text(srv->config_text, srv->config_len, srv->config_origin, out,
                                   err);
    }
    accounts = json_object_get(root, "accounts");
    if (!accounts) {
        accounts = json_array();
        json_object_set_new(root, "accounts", accounts);
    }
    if (json_is_array(accounts))
        json_array_extend(accounts, extra);
    rd_buf_init(&text, 64u * 1024 * 1024);
    rc = api_json_dump(root, &text);
    json_decref(root);
    if (rc == RD_OK)
        rc = rd_config_load_text(rd_buf_str(&text), text.len, srv->config_origin, out, err);
    else
        rc = rd_error_set(err, RD_ENOMEM, "api: out of memory merging accounts");
    rd_buf_release(&text);
    return rc;
}

static json_t *parse_def(const char *def)
{
    json_t *v = json_loads(def, 0, NULL);

    if (v && !json_is_object(v)) {
        json_decref(v);
        v = NULL;
    }
    return v;
}

static void warn_skipped(const char *name, const char *why)
{
    struct rd_logline l;

    rd_log_begin(&l, RD_LOG_WARN, "api.account_skipped");
    rd_log_str(&l, "account", name);
    rd_log_str(&l, "msg", why);
    rd_log_end(&l);
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

int api_cfg_reload(struct api_server *srv, struct rd_store *store, struct rd_error *err)
{
    struct defs d = {0};
    struct api_cfg *c = NULL, *old;
    json_t *extra = json_array();
    int rc;

    if (!extra)
        return rd_error_set(err, RD_ENOMEM, "api: out of memory");
    rc = load_defs(store, &d, err);
    if (rc)
        goto out;
    for (size_t i = 0; i < d.n; i++) {
        json_t *v;

        if (!d.rows[i].def[0])
            continue;
        v = parse_def(d.rows[i].def);
        if (!v) {
            warn_skipped(d.rows[i].name, "its stored definition is not a JSON object");
            continue;
        }
        json_array_append_new(extra, v);
    }
    c = rd_calloc(1, sizeof *c);
    if (!c) {
        rc = rd_error_set(err, RD_ENOMEM, "api: out of memory");
        goto out;
    }
    atomic_init(&c->refs, 1);
    rc = load_with(srv, extra, &c->cfg, err);
    if (rc && json_array_size(extra)) {
        /* one of the stored accounts no longer loads: keep the ones that do */
        json_t *good = json_array();
        struct rd_error e2 = {0};

        for (size_t i = 0; good && i < json_array_size(extra); i++) {
            json_t *v = json_array_get(extra, i);
            json_t *name = json_object_get(v, "name");
            struct rd_config *tmp = NULL;

            json_array_append(good, v);
            if (load_with(srv, good, &tmp, &e2) != RD_OK) {
                warn_skipped(json_is_string(name) ? json_string_value(name) : "?", e2.msg);
                json_array_remove(good, json_array_size(good) - 1);
            }
            rd_config_free(tmp);
        }
        rc = good ? load_with(srv, good, &c->cfg, err)
                  : rd_error_set(err, RD_ENOMEM, "api: out of memory");
        json_decref(good);
    }
    if (rc)
        goto out;
    c->meta = rd_calloc((size_t)c->cfg->naccounts + 1, sizeof *c->meta);
    if (!c->meta) {
        rc = rd_error_set(err, RD_ENOMEM, "api: out of memory");
        goto out;
    }
    for (int i = 0; i < c->cfg->naccounts; i++)
        for (size_t k = 0; k < d.n; k++) {
            const struct rd_account_def_row *row = &d.rows[k];

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
    srv->cfg = c;
    pthread_mutex_unlock(&srv->cfg_mu);
    c = NULL;
    api_cfg_unref(old);
out:
    if (c) {
        if (c->cfg)
            meta_free(c->meta, c->cfg->naccounts);
        rd_config_free(c->cfg);
        rd_free(c);
    }
    json_decref(extra);
    rd_free(d.rows);
    return rc;
}

int api_cfg_check_def(struct api_server *srv, struct rd_store *store, const char *name,
                      const char *def, struct rd_error *err)
{
    struct defs d = {0};
    struct rd_config *cfg = NULL;
    json_t *extra = json_array(), *v;
    int rc;

    if (!extra)
        return rd_error_set(err, RD_ENOMEM, "api: out of memory");
    rc = load_defs(store, &d, err);
    if (rc)
        goto out;
    for (size_t i = 0; i < d.n; i++) {
        if (!d.rows[i].def[0] || !strcmp(d.rows[i].name, name))
            continue;
        v = parse_def(d.rows[i].def);
        if (v)
            json_array_append_new(extra, v);
    }
    v = parse_def(def);
    if (!v) {
        rc = rd_error_set(err, RD_EINVAL, "the account is not a JSON object");
        goto out;
    }
    json_array_append_new(extra, v);
    rc = load_with(srv, extra, &cfg, err);
    rd_config_free(cfg);
out:
    json_decref(extra);
    rd_free(d.rows);
    return rc;
}
