/*
 * aws_creds.c - AWS credentials, region and endpoints from the environment:
 * the environment variables, then the container credentials endpoint (ECS task
 * role), then the shared credentials file. See aws.h for the order and rules.
 *
 * Secrets go into the caller's struct rd_aws_creds and nowhere else: file
 * text and HTTP answers are read into wiped buffers, and the strings of a
 * parsed container answer are wiped before the document is freed.
 */
#include "cloud/cloud_int.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "riskdesk/version.h"
#include "riskdesk/banned.h"

#define FILE_MAX ((size_t)1 << 20)
#define ECS_HOST "http://169.254.170.2"

/* Keeps err's message, changes its code. */
static int recode(struct rd_error *err, int code)
{
    if (err)
        err->code = code;
    return code;
}

void rd_aws_creds_wipe(struct rd_aws_creds *c)
{
    if (c)
        explicit_bzero(c, sizeof *c);
}

/* --- INI text --- */

static void trim(const char **s, const char **e)
{
    while (*s < *e && (**s == ' ' || **s == '\t' || **s == '\r'))
        (*s)++;
    while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r'))
        (*e)--;
}

static int word_is(const char *s, const char *e, const char *word)
{
    size_t n = strlen(word);

    return (size_t)(e - s) == n && !memcmp(s, word, n);
}

int rd_aws_ini_get(const char *text, size_t len, const char *section, const char *key, char *out,
                   size_t n, int *has_section)
{
    const char *p = text, *end = text + len;
    int in = 0;

    if (has_section)
        *has_section = 0;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *s = p, *e = eol ? eol : end;

        p = eol ? eol + 1 : end;
        trim(&s, &e);
        if (s == e || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            const char *close = memchr(s, ']', (size_t)(e - s));
            const char *ns = s + 1, *ne = close ? close : e;

            trim(&ns, &ne);
            in = close && word_is(ns, ne, section);
            if (in && has_section)
                *has_section = 1;
            continue;
        }
        if (in) {
            const char *eq = memchr(s, '=', (size_t)(e - s));
            const char *ks = s, *ke = eq ? eq : e, *vs, *ve = e;

            if (!eq)
                continue;
            trim(&ks, &ke);
            if (!word_is(ks, ke, key))
                continue;
            vs = eq + 1;
            trim(&vs, &ve);
            if ((size_t)(ve - vs) >= n)
                return -1;
            memcpy(out, vs, (size_t)(ve - vs));
            out[ve - vs] = '\0';
            return 1;
        }
    }
    return 0;
}

/* http is allowed only to a loopback or the ECS/EKS link-local agents (as botocore). */
static int full_uri_allowed(const char *host_port, int https)
{
    static const char *const agents[] = {"169.254.170.2", "169.254.170.23", "[fd00:ec2::23]",
                                         "localhost", "[::1]", NULL};
    char host[256];
    size_t n;

    if (https)
        return 1;
    n = host_port[0] == '[' ? strcspn(host_port, "]") + 1 : strcspn(host_port, ":");
    if (n >= sizeof host)
        return 0;
    memcpy(host, host_port, n);
    host[n] = '\0';
    for (size_t i = 0; agents[i]; i++)
        if (!strcasecmp(host, agents[i]))
            return 1;
    if (!strncmp(host, "127.", 4) && strspn(host, "0123456789.") == strlen(host))
        return 1;
    return 0;
}

/* --- reading files that hold secrets --- */

static int read_file(const char *path, struct rd_sbuf *out, const char *what, struct rd_error *err)
{
    char chunk[4096];
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc = RD_OK;

    if (fd < 0)
        return rd_error_set(err, errno == ENOENT ? RD_ENOTFOUND : RD_EIO, "%s %s: cannot open: %s",
                            what, path, strerror(errno));
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = rd_error_set(err, RD_EIO, "%s %s: read failed: %s", what, path, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        rc = rd_sbuf_append(out, chunk, (size_t)n);
        if (rc) {
            rc = rd_error_set(err, rc, "%s %s: %s", what, path,
                              rc == RD_ETOOBIG ? "larger than 1 MiB" : "out of memory");
            break;
        }
    }
    explicit_bzero(chunk, sizeof chunk);
    close(fd);
    return rc;
}

static int copy_value(char *dst, size_t n, const char *val, size_t len)
{
    if (len >= n || memchr(val, '\0', len))
        return RD_EINVAL;
    memcpy(dst, val, len);
    dst[len] = '\0';
    return RD_OK;
}

/* --- 1. environment --- */

static int from_env(struct rd_aws_creds *out, int *found, struct rd_error *err)
{
    const char *id = getenv("AWS_ACCESS_KEY_ID"), *sk = getenv("AWS_SECRET_ACCESS_KEY");
    const char *tok = getenv("AWS_SESSION_TOKEN");

    if (!tok || !tok[0])
        tok = getenv("AWS_SECURITY_TOKEN");
    *found = (id && id[0]) || (sk && sk[0]);
    if (!*found)
        return RD_OK;
    if (!id || !id[0] || !sk || !sk[0])
        return rd_error_set(err, RD_EAUTH, "AWS credentials from the environment: %s is set but %s "
                            "is not; set both or neither", id && id[0] ? "AWS_ACCESS_KEY_ID" :
                            "AWS_SECRET_ACCESS_KEY", id && id[0] ? "AWS_SECRET_ACCESS_KEY" :
                            "AWS_ACCESS_KEY_ID");
    if (copy_value(out->access_key_id, sizeof out->access_key_id, id, strlen(id)) ||
        copy_value(out->secret_access_key, sizeof out->secret_access_key, sk, strlen(sk)) ||
        (tok && copy_value(out->session_token, sizeof out->session_token, tok, strlen(tok))))
        return rd_error_set(err, RD_EAUTH, "AWS credentials from the environment: a value is too "
                            "long (key id and secret at most %d characters, token %d)",
                            RD_AWS_KEY_MAX - 1, RD_AWS_TOKEN_MAX - 1);
    snprintf(out->origin, sizeof out->origin, "the environment (AWS_ACCESS_KEY_ID)");
    return RD_OK;
}

/* --- 2. the container credentials endpoint --- */

static int container_token(char *line, size_t n, struct rd_error *err)
{
    const char *file = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    const char *tok = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    struct rd_sbuf text;
    size_t len;
    int rc = RD_OK;

    line[0] = '\0';
    rd_sbuf_init(&text, 16384);
    if (file && file[0]) {
        rc = read_file(file, &text, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", err);
        if (rc) {
            rc = recode(err, RD_EAUTH);
            goto out;
        }
        tok = text.data ? text.data : "";
    }
    if (!tok || !tok[0])
        goto out;
    len = strlen(tok);
    while (len && isspace((unsigned char)tok[len - 1]))
        len--;
    if (memchr(tok, '\r', len) || memchr(tok, '\n', len) ||
        (size_t)snprintf(line, n, "Authorization: %.*s", (int)len, tok) >= n) {
        explicit_bzero(line, n);
        rc = rd_error_set(err, RD_EAUTH, "the container authorization token is too long or has a "
                          "line break");
    }
out:
    rd_sbuf_release(&text);
    return rc;
}

static int from_container(struct rd_aws_creds *out, int *found, struct rd_error *err)
{
    const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    char url[RD_AWS_URL_MAX], host[256], auth[RD_AWS_TOKEN_MAX + 32];
    const char *lines[3], *path, *var;
    struct rd_aws_http_resp resp = {0};
    json_t *doc = NULL, *v;
    size_t nl = 0;
    int https, rc;

    *found = (rel && rel[0]) || (full && full[0]);
    if (!*found)
        return RD_OK;
    var = rel && rel[0] ? "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
                        : "AWS_CONTAINER_CREDENTIALS_FULL_URI";
    if (rel && rel[0]) {
        if (rel[0] != '/' || (size_t)snprintf(url, sizeof url, ECS_HOST "%s", rel) >= sizeof url)
            return rd_error_set(err, RD_EAUTH, "%s must be a path starting with '/'", var);
    } else if ((size_t)snprintf(url, sizeof url, "%s", full) >= sizeof url) {
        return rd_error_set(err, RD_EAUTH, "%s is too long", var);
    }
    if (rd_aws_url_split(url, host, sizeof host, &path, &https) != RD_OK ||
        !full_uri_allowed(host, https))
        return rd_error_set(err, RD_EAUTH, "%s=%.200s: expected an https URL, or http to a "
                            "loopback address or the ECS/EKS agent (169.254.170.2, "
                            "169.254.170.23)", var, url);
    rc = container_token(auth, sizeof auth, err);
    if (rc)
        return rc;
    if (auth[0])
        lines[nl++] = auth;
    lines[nl++] = "Accept: application/json";
    lines[nl++] = "User-Agent: riskdesk/" RD_VERSION;
    for (int attempt = 1; attempt <= 2; attempt++) {
        struct rd_aws_http_req req = {"GET", url, lines, nl, NULL, 0, 2000, 5000};

        rd_aws_http_resp_release(&resp);
        rc = rd_aws_http(&req, &resp, err);
        if (!(rc == RD_EIO || (rc == RD_OK && resp.status >= 500)))
            break;
    }
    explicit_bzero(auth, sizeof auth);
    if (rc) {
        rd_error_prefix(err, "AWS container credentials (%s)", var);
        rc = recode(err, RD_EAUTH);
        goto out;
    }
    if (resp.status != 200) {
        rc = rd_error_set(err, RD_EAUTH, "AWS container credentials: %s answered HTTP %ld", url,
                          resp.status);
        goto out;
    }
    doc = json_loadb(resp.body.data ? resp.body.data : "", resp.body.len, 0, NULL);
    rc = RD_EAUTH;
    if (json_is_object(doc)) {
        const char *names[3] = {"AccessKeyId", "SecretAccessKey", "Token"};
        char *dst[3] = {out->access_key_id, out->secret_access_key, out->session_token};
        size_t cap[3] = {sizeof out->access_key_id, sizeof out->secret_access_key,
                         sizeof out->session_token};

        rc = RD_OK;
        for (int i = 0; i < 3; i++) {
            v = json_object_get(doc, names[i]);
            if (!json_is_string(v)) {
                if (i < 2)
                    rc = RD_EAUTH;
                continue;
            }
            if (copy_value(dst[i], cap[i], json_string_value(v), json_string_length(v)))
                rc = RD_EAUTH;
            explicit_bzero((char *)json_string_value(v), json_string_length(v));
        }
        if (!out->access_key_id[0] || !out->secret_access_key[0])
            rc = RD_EAUTH;
    }
    if (rc) {
        rc = rd_error_set(err, RD_EAUTH, "AWS container credentials: the answer of %s is not "
                          "{\"AccessKeyId\", \"SecretAccessKey\", \"Token\"} (not shown)", url);
        goto out;
    }
    snprintf(out->origin, sizeof out->origin, "the container credentials endpoint (%s)", var);
out:
    if (doc) {
        json_object_foreach(doc, path, v)
            if (json_is_string(v))
                explicit_bzero((char *)json_string_value(v), json_string_length(v));
        json_decref(doc);
    }
    rd_aws_http_resp_release(&resp);
    return rc;
}

/* --- 3. the shared credentials file --- */

static int from_file(struct rd_aws_creds *out, int *found, struct rd_error *err)
{
    const char *path = getenv("AWS_SHARED_CREDENTIALS_FILE"), *home = getenv("HOME");
    const char *profile = getenv("AWS_PROFILE");
    char pbuf[1024];
    struct rd_sbuf text;
    int named = 1, has = 0, rc, r[3];

    *found = 0;
    if (!profile || !profile[0])
        profile = getenv("AWS_DEFAULT_PROFILE");
    if (!profile || !profile[0]) {
        profile = "default";
        named = 0;
    }
    if (!path || !path[0]) {
        if (!home || !home[0])
            return named ? rd_error_set(err, RD_EAUTH, "AWS_PROFILE=%s but HOME is not set to find "
                                        "~/.aws/credentials", profile) : RD_OK;
        snprintf(pbuf, sizeof pbuf, "%s/.aws/credentials", home);
        path = pbuf;
    }
    rd_sbuf_init(&text, FILE_MAX);
    rc = read_file(path, &text, "AWS shared credentials file", err);
    if (rc == RD_ENOTFOUND && !named) {
        rc = RD_OK;
        goto out;
    }
    if (rc) {
        rc = recode(err, RD_EAUTH);
        goto out;
    }
    *found = 1;
    r[0] = rd_aws_ini_get(text.data ? text.data : "", text.len, profile, "aws_access_key_id",
                          out->access_key_id, sizeof out->access_key_id, &has);
    r[1] = rd_aws_ini_get(text.data ? text.data : "", text.len, profile, "aws_secret_access_key",
                          out->secret_access_key, sizeof out->secret_access_key, NULL);
    r[2] = rd_aws_ini_get(text.data ? text.data : "", text.len, profile, "aws_session_token",
                          out->session_token, sizeof out->session_token, NULL);
    if (!has && !named) {
        *found = 0;          /* a file without [default]: nothing configured here */
        goto out;
    }
    if (!has)
        rc = rd_error_set(err, RD_EAUTH, "AWS_PROFILE=%s: no [%s] in %s", profile, profile, path);
    else if (r[0] != 1 || r[1] != 1 || r[2] < 0)
        rc = rd_error_set(err, RD_EAUTH, "%s [%s]: expected aws_access_key_id and "
                          "aws_secret_access_key (key id and secret at most %d characters)", path,
                          profile, RD_AWS_KEY_MAX - 1);
    else
        snprintf(out->origin, sizeof out->origin, "%s [%s]", path, profile);
out:
    rd_sbuf_release(&text);
    return rc;
}

int rd_aws_creds_resolve(struct rd_aws_creds *out, struct rd_error *err)
{
    int (*const sources[])(struct rd_aws_creds *, int *, struct rd_error *) = {
        from_env, from_container, from_file};
    int found = 0, rc = RD_OK;

    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < sizeof sources / sizeof sources[0] && !found; i++) {
        rc = sources[i](out, &found, err);
        if (rc)
            break;
    }
    if (!rc && !found)
        rc = rd_error_set(err, RD_EAUTH,
                          "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                          "run with an ECS task role (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI), or "
                          "put [default] in ~/.aws/credentials (AWS_PROFILE picks another)");
    if (rc)
        rd_aws_creds_wipe(out);
    return rc;
}

/* --- the client --- */

static int region_ok(const char *s)
{
    if (!s || !s[0] || strlen(s) > 40)
        return 0;
    for (; *s; s++)
        if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '-')
            return 0;
    return 1;
}

static int endpoint(const char *region, const char *service, const char *var, char *out, size_t n,
                    struct rd_error *err)
{
    const char *v = getenv(var), *path, *name = var;
    char host[256];
    int https;

    if (!v || !v[0]) {
        v = getenv("AWS_ENDPOINT_URL");
        name = "AWS_ENDPOINT_URL";
    }
    if (!v || !v[0]) {
        snprintf(out, n, "https://%s.%s.amazonaws.com%s", service, region,
                 strncmp(region, "cn-", 3) ? "" : ".cn");
        return RD_OK;
    }
    if (strlen(v) >= n || rd_aws_url_split(v, host, sizeof host, &path, &https) != RD_OK)
        return rd_error_set(err, RD_ECONFIG, "%s=\"%.200s\": expected an http:// or https:// URL "
                            "such as http://127.0.0.1:5000", name, v);
    snprintf(out, n, "%s", v);
    return RD_OK;
}

int rd_aws_client_init(struct rd_aws_client *c, struct rd_error *err)
{
    const char *region = getenv("AWS_REGION");
    int rc;

    memset(c, 0, sizeof *c);
    c->connect_timeout_ms = 3000;
    c->timeout_ms = 10000;
    c->max_attempts = 3;
    if (!region || !region[0])
        region = getenv("AWS_DEFAULT_REGION");
    if (!region || !region[0])
        return rd_error_set(err, RD_ECONFIG, "AWS_REGION is not set; set it to the region that "
                            "holds the parameters and secrets (e.g. us-west-2)");
    if (!region_ok(region))
        return rd_error_set(err, RD_ECONFIG, "AWS_REGION=\"%.40s\": expected a region name such "
                            "as us-west-2", region);
    snprintf(c->region, sizeof c->region, "%s", region);
    rc = endpoint(c->region, "ssm", "AWS_ENDPOINT_URL_SSM", c->ssm_endpoint,
                  sizeof c->ssm_endpoint, err);
    if (!rc)
        rc = endpoint(c->region, "secretsmanager", "AWS_ENDPOINT_URL_SECRETS_MANAGER",
                      c->secretsmanager_endpoint, sizeof c->secretsmanager_endpoint, err);
    if (!rc)
        rc = rd_aws_creds_resolve(&c->creds, err);
    if (rc)
        rd_aws_client_release(c);
    return rc;
}

void rd_aws_client_release(struct rd_aws_client *c)
{
    if (c)
        rd_aws_creds_wipe(&c->creds);
}
