/*
 * accounts.c - the config file's accounts plus the API-made ones (accounts.h).
 * The file's JSON is read, the stored definitions are appended to its
 * "accounts" array, and the result is loaded through rd_config_load_text.
 */
#include "riskdesk/accounts.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "riskdesk/alloc.h"
#include "riskdesk/buf.h"
#include "riskdesk/log.h"
#include "riskdesk/banned.h"

#define CONFIG_TEXT_MAX (16u * 1024 * 1024)

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

static int dump_cb(const char *buf, size_t size, void *data)
{
    return rd_buf_append(data, buf, size) == RD_OK ? 0 : -1;
}

/* The file's config with the given account objects appended, loaded. */
static int load_with(const char *text, size_t len, const char *origin, json_t *extra,
                     struct rd_config **out, struct rd_error *err)
{
    json_error_t je;
    json_t *root = json_loadb(text, len, 0, &je);
    json_t *accounts;
    struct rd_buf merged;
    int rc;

    *out = NULL;
    if (!root || !json_is_object(root) || !json_array_size(extra)) {
        json_decref(root);
        /* nothing to add, or the parser says exactly what is wrong */
        return rd_config_load_text(text, len, origin, out, err);
    }
    accounts = json_object_get(root, "accounts");
    if (!accounts) {
        accounts = json_array();
        json_object_set_new(root, "accounts", accounts);
    }
    if (json_is_array(accounts))
        json_array_extend(accounts, extra);
    rd_buf_init(&merged, 64u * 1024 * 1024);
    rc = json_dump_callback(root, dump_cb, &merged, JSON_COMPACT) == 0 ? RD_OK : RD_ENOMEM;
    json_decref(root);
    if (rc == RD_OK)
        rc = rd_config_load_text(rd_buf_str(&merged), merged.len, origin, out, err);
    else
        rc = rd_error_set(err, RD_ENOMEM, "accounts: out of memory merging accounts");
    rd_buf_release(&merged);
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

    rd_log_begin(&l, RD_LOG_WARN, "accounts.skipped");
    rd_log_str(&l, "account", name);
    rd_log_str(&l, "msg", why);
    rd_log_end(&l);
}

/* Every stored account that loads with the file and the ones before it. */
static int load_skipping(const char *text, size_t len, const char *origin, json_t *extra,
                         struct rd_config **out, struct rd_error *err)
{
    json_t *good;
    int rc = load_with(text, len, origin, extra, out, err);

    if (rc == RD_OK || !json_array_size(extra))
        return rc;
    if (!(good = json_array()))
        return rd_error_set(err, RD_ENOMEM, "accounts: out of memory");
    for (size_t i = 0; i < json_array_size(extra); i++) {
        json_t *v = json_array_get(extra, i);
        json_t *name = json_object_get(v, "name");
        struct rd_config *tmp = NULL;
        struct rd_error e2 = {0};

        json_array_append(good, v);
        if (load_with(text, len, origin, good, &tmp, &e2) != RD_OK) {
            warn_skipped(json_is_string(name) ? json_string_value(name) : "?", e2.msg);
            json_array_remove(good, json_array_size(good) - 1);
        }
        rd_config_free(tmp);
    }
    rd_error_clear(err);
    rc = load_with(text, len, origin, good, out, err);
    json_decref(good);
    return rc;
}

int rd_accounts_defs(struct rd_store *s, struct rd_account_def_row **rows, size_t *n,
                     struct rd_error *err)
{
    struct defs d = {0};
    int rc = s->ops->api->account_def_list(s, collect, &d, err);

    if (rc == RD_ENOMEM)
        rc = rd_error_set(err, RD_ENOMEM, "accounts: out of memory reading the stored accounts");
    if (rc) {
        rd_free(d.rows);
        d.rows = NULL;
        d.n = 0;
    }
    *rows = d.rows;
    *n = d.n;
    return rc;
}

int rd_accounts_load(const char *text, size_t len, const char *origin,
                     const struct rd_account_def_row *rows, size_t nrows,
                     const char *replace_name, const char *replace_def, struct rd_config **out,
                     struct rd_error *err)
{
    json_t *extra = json_array(), *v;
    int rc;

    *out = NULL;
    if (!extra)
        return rd_error_set(err, RD_ENOMEM, "accounts: out of memory");
    for (size_t i = 0; i < nrows; i++) {
        if (!rows[i].def[0])
            continue;             /* a config-file account, closed: nothing to add */
        if (replace_name && !strcmp(rows[i].name, replace_name))
            continue;
        if (!(v = parse_def(rows[i].def))) {
            if (!replace_name)
                warn_skipped(rows[i].name, "its stored definition is not a JSON object");
            continue;
        }
        json_array_append_new(extra, v);
    }
    if (replace_name) {
        if (!(v = parse_def(replace_def))) {
            rc = rd_error_set(err, RD_EINVAL, "the account is not a JSON object");
            goto out;
        }
        json_array_append_new(extra, v);
        rc = load_with(text, len, origin, extra, out, err);
    } else {
        rc = load_skipping(text, len, origin, extra, out, err);
    }
out:
    json_decref(extra);
    return rc;
}

/* The file the config came from, as rd_config_load_default looks for it;
 * NULL when it came from the environment. */
static const char *config_file(const char *path)
{
    const char *env = getenv("RISKDESK_CONFIG");

    if (path)
        return path;
    if (env && env[0])
        return env;
    return access("riskdesk.json", F_OK) == 0 ? "riskdesk.json" : NULL;
}

int rd_accounts_add_stored(const char *config_path, struct rd_store *s, struct rd_config **cfg,
                           struct rd_error *err)
{
    const char *file = config_file(config_path);
    struct rd_account_def_row *rows = NULL;
    struct rd_config *all = NULL;
    struct rd_buf text;
    FILE *f;
    char chunk[8192];
    size_t n, nrows = 0;
    int any = 0, rc;

    if (!file)
        return RD_OK;
    rc = rd_accounts_defs(s, &rows, &nrows, err);
    for (size_t i = 0; i < nrows; i++)
        any |= rows[i].def[0] != '\0';
    /* the common case, no account made through the API, reads nothing again */
    if (rc != RD_OK || !any) {
        rd_free(rows);
        return rc;
    }
    if (!(f = fopen(file, "rb"))) {
        rd_free(rows);
        return rd_error_set(err, RD_EIO, "%s: cannot be read again", file);
    }
    rd_buf_init(&text, CONFIG_TEXT_MAX);
    while (rc == RD_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = rd_buf_append(&text, chunk, n);
    if (rc == RD_OK && ferror(f))
        rc = rd_error_set(err, RD_EIO, "%s: read failed", file);
    else if (rc != RD_OK)
        rc = rd_error_set(err, rc, "%s: over %u bytes or out of memory", file, CONFIG_TEXT_MAX);
    fclose(f);
    if (rc == RD_OK)
        rc = rd_accounts_load(rd_buf_str(&text), text.len, file, rows, nrows, NULL, NULL, &all, err);
    rd_buf_release(&text);
    rd_free(rows);
    if (rc == RD_OK) {
        rd_config_free(*cfg);
        *cfg = all;
    }
    return rc;
}
