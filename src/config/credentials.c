/*
 * credentials.c - broker keys, resolved on demand from an account's source:
 * "env:PREFIX", "file:PATH" or "secretsmanager:NAME" (config_sources.c), and
 * the check that no two accounts share broker keys.
 *
 * The values go into the caller's struct rd_credentials and nowhere else:
 * never into messages, never into the heap (the file is read into a stack
 * buffer that is wiped). jansson's own copies while parsing a file are the one
 * exception; they are freed at once. Secrets Manager answers pass through heap
 * buffers that are wiped before they are freed.
 */
#include "riskdesk/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config_int.h"
#include "config/config_sources.h"
#include "riskdesk/alloc.h"
#include "riskdesk/aws.h"
#include "riskdesk/log.h"
#include "riskdesk/banned.h"

#define CRED_FILE_MAX 16384
#define VAR_MAX 160

static const char *const file_keys[] = {"api_key", "api_secret", "base_url", "account_name"};
#define NFILE_KEYS (sizeof file_keys / sizeof file_keys[0])

void rd_secret_mask(const char *secret, char *buf, size_t n)
{
    size_t len = secret ? strlen(secret) : 0;

    if (n == 0)
        return;
    if (len < 12)     /* too short to show any of it */
        snprintf(buf, n, "****");
    else
        snprintf(buf, n, "%.2s...%s", secret, secret + len - 4);
}

void rd_credentials_wipe(struct rd_credentials *c)
{
    if (c)
        explicit_bzero(c, sizeof *c);
}

/* PREFIX_WHAT, or for a numbered prefix (ALPACA_PAPER_2) also the legacy
 * form with the number last (ALPACA_PAPER_API_KEY_2). */
static const char *lookup(const char *prefix, const char *what, char *tried, size_t n)
{
    size_t len = strlen(prefix), d = 0;
    char alt[VAR_MAX];
    const char *v;

    snprintf(tried, n, "%s_%s", prefix, what);
    v = getenv(tried);
    if (v && v[0])
        return v;
    while (d < len && d < 3 && prefix[len - 1 - d] >= '0' && prefix[len - 1 - d] <= '9')
        d++;
    if (d == 0 || d > 2 || d + 1 >= len || prefix[len - 1 - d] != '_')
        return NULL;
    snprintf(alt, sizeof alt, "%.*s_%s%s", (int)(len - 1 - d), prefix, what, prefix + len - 1 - d);
    v = getenv(alt);
    if (v && v[0])
        return v;
    snprintf(tried + strlen(tried), n - strlen(tried), " nor %s", alt);
    return NULL;
}

static int put(char *dst, size_t n, const char *val, const char *name, const char *origin,
               struct rd_error *err)
{
    size_t len = strlen(val);

    if (len >= n)
        return rd_error_set(err, RD_EINVAL, "%s: %s is too long (at most %zu characters)", origin,
                            name, n - 1);
    memcpy(dst, val, len + 1);
    return RD_OK;
}

static int from_env(const char *prefix, struct rd_credentials *out, struct rd_error *err)
{
    char tried[2 * VAR_MAX];
    const char *v;
    int rc;

    if (!prefix[0] || strlen(prefix) > 100)
        return rd_error_set(err, RD_EINVAL, "%s: expected env:PREFIX with a variable name prefix",
                            out->origin);
    v = lookup(prefix, "API_KEY", tried, sizeof tried);
    if (!v)
        return rd_error_set(err, RD_ENOTFOUND, "%s: %s%s is not set", out->origin,
                            strstr(tried, " nor ") ? "neither " : "", tried);
    rc = put(out->api_key, sizeof out->api_key, v, tried, out->origin, err);
    if (rc)
        return rc;
    v = lookup(prefix, "SECRET_KEY", tried, sizeof tried);
    if (!v)
        return rd_error_set(err, RD_ENOTFOUND, "%s: %s%s is not set", out->origin,
                            strstr(tried, " nor ") ? "neither " : "", tried);
    rc = put(out->api_secret, sizeof out->api_secret, v, tried, out->origin, err);
    if (rc)
        return rc;
    v = lookup(prefix, "BASE_URL", tried, sizeof tried);
    if (v)
        rc = put(out->base_url, sizeof out->base_url, v, tried, out->origin, err);
    return rc;
}

int rd_cfg_read_secret_file(const char *path, char *buf, size_t cap, size_t *len,
                            struct rd_error *err)
{
    struct stat st;
    size_t got = 0;
    int fd, rc = RD_OK;

    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return rd_error_set(err, errno == ENOENT ? RD_ENOTFOUND : RD_EIO, "%s: cannot open: %s",
                            path, strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = rd_error_set(err, RD_EIO, "%s: not a readable regular file", path);
        goto out;
    }
    if (st.st_mode & 077) {
        rc = rd_error_set(err, RD_EAUTH,
                          "%s: holds secrets but is open to group or others (mode %04o); "
                          "run `chmod 600 %s`", path, (unsigned)(st.st_mode & 07777), path);
        goto out;
    }
    for (;;) {
        ssize_t n = read(fd, buf + got, cap - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = rd_error_set(err, RD_EIO, "%s: read failed: %s", path, strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        got += (size_t)n;
        if (got == cap) {
            rc = rd_error_set(err, RD_ETOOBIG, "%s: larger than %zu bytes", path, cap - 1);
            goto out;
        }
    }
    *len = got;
out:
    close(fd);
    return rc;
}

static int file_string(const json_t *doc, const char *key, int required, char *dst, size_t n,
                       const char *origin, struct rd_error *err)
{
    const json_t *v = json_object_get(doc, key);

    if (!v && !required)
        return RD_OK;
    if (!json_is_string(v) || (required && json_string_length(v) == 0))
        return rd_error_set(err, RD_EINVAL, "%s: %s: %s; expected a non-empty string", origin, key,
                            v ? "not a string or empty" : "missing");
    if (json_string_length(v) >= n)
        return rd_error_set(err, RD_EINVAL, "%s: %s is too long (at most %zu characters)", origin,
                            key, n - 1);
    memcpy(dst, json_string_value(v), json_string_length(v) + 1);
    return RD_OK;
}

static int from_file(const char *path, struct rd_credentials *out, struct rd_error *err)
{
    char buf[CRED_FILE_MAX];
    size_t len = 0;
    json_t *doc = NULL;
    const char *key;
    json_t *v;
    int rc;

    rc = rd_cfg_read_secret_file(path, buf, sizeof buf, &len, err);
    if (rc)
        goto out;
    rc = rd_cfg_parse_json(buf, len, out->origin, 1, &doc, err);
    if (rc)
        goto out;
    json_object_foreach(doc, key, v) {
        const char *hint;
        size_t i;

        for (i = 0; i < NFILE_KEYS; i++)
            if (!strcmp(key, file_keys[i]))
                break;
        if (i < NFILE_KEYS)
            continue;
        /* a key close to a known one is a typo; any other may be a secret */
        hint = rd_cfg_suggest(key, file_keys, NFILE_KEYS);
        rc = hint ? rd_error_set(err, RD_EINVAL, "%s: unknown key \"%.40s\" (did you mean \"%s\"?)",
                                 out->origin, key, hint)
                  : rd_error_set(err, RD_EINVAL,
                                 "%s: unknown key (not shown); expected api_key, api_secret, "
                                 "base_url, account_name", out->origin);
        goto out;
    }
    rc = file_string(doc, "api_key", 1, out->api_key, sizeof out->api_key, out->origin, err);
    if (!rc)
        rc = file_string(doc, "api_secret", 1, out->api_secret, sizeof out->api_secret, out->origin,
                         err);
    if (!rc)
        rc = file_string(doc, "base_url", 0, out->base_url, sizeof out->base_url, out->origin, err);
    if (!rc)
        rc = file_string(doc, "account_name", 0, out->account_name, sizeof out->account_name,
                         out->origin, err);
out:
    json_decref(doc);
    explicit_bzero(buf, sizeof buf);
    return rc;
}

int rd_credentials_resolve(const char *source, struct rd_credentials *out, struct rd_error *err)
{
    int rc;

    memset(out, 0, sizeof *out);
    if (!source || !source[0])
        return rd_error_set(err, RD_EINVAL, "no credentials source configured");
    if (!strncmp(source, "env:", 4) || !strncmp(source, "file:", 5) ||
        !strncmp(source, "secretsmanager:", 15))
        snprintf(out->origin, sizeof out->origin, "%s", source);
    else
        return rd_error_set(err, RD_EINVAL,
                            "not a credentials source (value not shown); expected \"env:PREFIX\", "
                            "\"file:PATH\" or \"secretsmanager:NAME\"");
    if (source[0] == 'e')
        rc = from_env(source + 4, out, err);
    else if (source[0] == 'f')
        rc = source[5] ? from_file(source + 5, out, err)
                       : rd_error_set(err, RD_EINVAL, "file: needs a path");
    else
        rc = rd_cfg_secretsmanager_credentials(source + 15, out, err);
    if (rc) {
        char origin[RD_SOURCE_MAX];

        memcpy(origin, out->origin, sizeof origin);
        rd_credentials_wipe(out);
        memcpy(out->origin, origin, sizeof origin);
    }
    return rc;
}

int rd_account_credentials(const struct rd_account_config *a, struct rd_credentials *out,
                           struct rd_error *err)
{
    const char *want = a->secret_account_name[0] ? a->secret_account_name : a->name;
    int rc = rd_credentials_resolve(a->credentials, out, err);

    if (rc != RD_OK || !out->account_name[0] || out->fallback || !strcmp(out->account_name, want))
        return rc;
    rc = rd_error_set(err, RD_ECONFIG, "%s: the credentials are for account_name \"%.60s\", loaded "
                      "for account \"%s\"%s; point the account at its own secret, or set the "
                      "account's \"secret_account_name\": \"%.60s\" if this secret is meant for it",
                      out->origin, out->account_name, a->name,
                      a->secret_account_name[0] ? " (secret_account_name says otherwise)" : "",
                      out->account_name);
    rd_credentials_wipe(out);
    return rc;
}

/* --- no two accounts on one key --- */

struct seen {
    unsigned char digest[32];
    int index;
    char origin[RD_SOURCE_MAX];
};

int rd_config_check_distinct_keys(const struct rd_config *cfg, struct rd_error *err)
{
    struct seen *seen = NULL;
    struct rd_credentials c;
    int nseen = 0, rc = RD_OK;

    if (cfg->naccounts <= 0)
        return RD_OK;
    seen = rd_calloc((size_t)cfg->naccounts, sizeof *seen);
    if (!seen)
        return rd_error_set(err, RD_ENOMEM, "checking the accounts' keys: out of memory");
    for (int i = 0; i < cfg->naccounts && rc == RD_OK; i++) {
        const struct rd_account_config *a = &cfg->accounts[i];
        struct rd_error sub = {0};
        struct seen *s = &seen[nseen];

        if (!a->credentials[0])
            continue;
        if (rd_credentials_resolve(a->credentials, &c, &sub) != RD_OK) {
            struct rd_logline l;

            /* that account fails on its own when its broker opens; say it was
             * not compared, so a skipped account is never a silent pass */
            rd_credentials_wipe(&c);
            rd_log_begin(&l, RD_LOG_WARN, "credentials.check_skipped");
            rd_log_str(&l, "account", a->name);
            rd_log_str(&l, "source", a->credentials);
            rd_log_str(&l, "error", sub.msg);
            rd_log_str(&l, "msg", "credentials do not resolve: not compared with the other "
                                  "accounts' keys");
            rd_log_end(&l);
            continue;
        }
        rd_aws_sha256(c.api_key, strlen(c.api_key), s->digest);
        s->index = i;
        snprintf(s->origin, sizeof s->origin, "%s", c.origin);
        rd_credentials_wipe(&c);
        for (int j = 0; j < nseen; j++) {
            const struct rd_account_config *b = &cfg->accounts[seen[j].index];

            if (memcmp(seen[j].digest, s->digest, sizeof s->digest))
                continue;
            rc = rd_error_set(err, RD_ECONFIG,
                              "accounts \"%s\" (%s) and \"%s\" (%s) resolve to the same API key; "
                              "each account needs its own keys, so one account never trades with "
                              "another's", b->name, seen[j].origin, a->name, s->origin);
            break;
        }
        nseen++;
    }
    explicit_bzero(seen, (size_t)cfg->naccounts * sizeof *seen);
    rd_free(seen);
    return rc;
}
