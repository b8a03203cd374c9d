/*
 * sigv4.c - AWS Signature Version 4, the steps of PROTOCOLS.md 3.2: canonical
 * request, string to sign, key derivation, Authorization header. Pure: no I/O,
 * no environment, no clock. SHA-256 and HMAC-SHA256 come from libcrypto.
 *
 * The derived keys and "AWS4" + secret live on the stack and are wiped before
 * returning; only the signature (which reveals nothing) leaves.
 */
#include "riskdesk/aws.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "riskdesk/banned.h"

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct hdr {
    char *name;            /* lowercased copy */
    const char *value;     /* the caller's, normalised when written */
    size_t order;          /* position given, so duplicates keep their order */
};

void rd_aws_sha256(const void *data, size_t n, unsigned char out[32])
{
    unsigned int len = 32;

    if (EVP_Digest(n ? data : "", n, out, &len, EVP_sha256(), NULL) != 1)
        memset(out, 0, 32);   /* libcrypto without SHA-256 is not a case we run in */
}

static void hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

void rd_aws_sha256_hex(const void *data, size_t n, char out[65])
{
    unsigned char d[32];

    rd_aws_sha256(data, n, d);
    hex(d, sizeof d, out);
}

static void hmac(const void *key, size_t klen, const void *msg, size_t n, unsigned char out[32])
{
    unsigned int len = 32;

    if (!HMAC(EVP_sha256(), key, (int)klen, msg, n, out, &len))
        memset(out, 0, 32);
}

int rd_aws_amz_date(time_t t, char out[17])
{
    struct tm tm;

    if (!gmtime_r(&t, &tm) || tm.tm_year < 70 || tm.tm_year > 9999 - 1900) {
        out[0] = '\0';
        return RD_EINVAL;
    }
    snprintf(out, 17, "%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec);
    return RD_OK;
}

int rd_sigv4_key_chain(const char *secret, const char *date8, const char *region,
                       const char *service, unsigned char chain[4][32])
{
    char k[4 + RD_AWS_KEY_MAX];
    size_t n = strlen(secret);

    if (n >= RD_AWS_KEY_MAX)
        return RD_EINVAL;
    memcpy(k, "AWS4", 4);
    memcpy(k + 4, secret, n);
    hmac(k, 4 + n, date8, strlen(date8), chain[0]);
    hmac(chain[0], 32, region, strlen(region), chain[1]);
    hmac(chain[1], 32, service, strlen(service), chain[2]);
    hmac(chain[2], 32, "aws4_request", 12, chain[3]);
    explicit_bzero(k, sizeof k);
    return RD_OK;
}

static int unreserved(unsigned char c)
{
    return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

/* URI-encode n bytes of s into b; '/' kept when keep_slash. */
static int uri_encode(struct rd_buf *b, const char *s, size_t n, int keep_slash)
{
    static const char digits[] = "0123456789ABCDEF";
    int rc = RD_OK;

    for (size_t i = 0; i < n && rc == RD_OK; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[3] = {'%', digits[c >> 4], digits[c & 15]};

        if (unreserved(c) || (keep_slash && c == '/'))
            rc = rd_buf_append(b, &s[i], 1);
        else
            rc = rd_buf_append(b, esc, 3);
    }
    return rc;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s[0..n) then URI-encodes the result into b. */
static int reencode(struct rd_buf *b, const char *s, size_t n)
{
    int rc = RD_OK;

    for (size_t i = 0; i < n && rc == RD_OK; i++) {
        char c = s[i];

        if (c == '%') {
            int hi = i + 2 < n ? hexval(s[i + 1]) : -1, lo = i + 2 < n ? hexval(s[i + 2]) : -1;

            if (hi < 0 || lo < 0)
                return RD_EINVAL;
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        rc = uri_encode(b, &c, 1, 0);
    }
    return rc;
}

struct qpair {
    char *name;
    char *value;
};

static int qpair_cmp(const void *a, const void *b)
{
    const struct qpair *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    return c ? c : strcmp(x->value, y->value);
}

static int canonical_query(struct rd_buf *out, const char *query)
{
    struct qpair *pairs = NULL;
    size_t npairs = 0, cap = 0;
    struct rd_buf tmp;
    const char *p = query;
    int rc = RD_OK;

    rd_buf_init(&tmp, (size_t)1 << 20);
    while (p && *p) {
        const char *amp = strchr(p, '&'), *end = amp ? amp : p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(end - p));
        const char *vend = end;

        if (end == p) {               /* "a=1&&b=2": nothing between */
            p = amp ? amp + 1 : end;
            continue;
        }
        if (npairs == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            struct qpair *np = rd_realloc(pairs, ncap * sizeof *np);

            if (!np) {
                rc = RD_ENOMEM;
                goto out;
            }
            pairs = np;
            cap = ncap;
        }
        rd_buf_reset(&tmp);
        rc = reencode(&tmp, p, (size_t)((eq ? eq : end) - p));
        if (rc)
            goto out;
        pairs[npairs].name = rd_strdup(rd_buf_str(&tmp));
        rd_buf_reset(&tmp);
        rc = eq ? reencode(&tmp, eq + 1, (size_t)(vend - eq - 1)) : RD_OK;
        pairs[npairs].value = rc ? NULL : rd_strdup(rd_buf_str(&tmp));
        npairs++;
        if (rc)
            goto out;
        if (!pairs[npairs - 1].name || !pairs[npairs - 1].value) {
            rc = RD_ENOMEM;
            goto out;
        }
        p = amp ? amp + 1 : end;
    }
    if (npairs)
        qsort(pairs, npairs, sizeof *pairs, qpair_cmp);
    for (size_t i = 0; i < npairs && rc == RD_OK; i++)
        rc = rd_buf_printf(out, "%s%s=%s", i ? "&" : "", pairs[i].name, pairs[i].value);
out:
    for (size_t i = 0; i < npairs; i++) {
        rd_free(pairs[i].name);
        rd_free(pairs[i].value);
    }
    rd_free(pairs);
    rd_buf_release(&tmp);
    return rc;
}

static int hdr_cmp(const void *a, const void *b)
{
    const struct hdr *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    if (c)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int token_char(unsigned char c)
{
    return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Trimmed, inner runs of blanks as one space. */
static int put_value(struct rd_buf *b, const char *v)
{
    const char *end;
    int rc = RD_OK, blank = 0;

    while (*v == ' ' || *v == '\t')
        v++;
    end = v + strlen(v);
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    for (; v < end && rc == RD_OK; v++) {
        if (*v == ' ' || *v == '\t') {
            blank = 1;
            continue;
        }
        if (blank)
            rc = rd_buf_append(b, " ", 1);
        blank = 0;
        if (rc == RD_OK)
            rc = rd_buf_append(b, v, 1);
    }
    return rc;
}

static int set_error(struct rd_error *err, int rc, const char *what)
{
    if (rc == RD_ENOMEM)
        return rd_error_set(err, rc, "SigV4: out of memory");
    if (rc == RD_ETOOBIG)
        return rd_error_set(err, rc, "SigV4: %s is too large", what);
    return rd_error_set(err, rc, "SigV4: %s", what);
}

int rd_sigv4_canonical_request(const struct rd_sigv4_request *req, const char *amz_date,
                               struct rd_buf *out, char *signed_headers, size_t n,
                               struct rd_error *err)
{
    size_t nh = req->nheaders + 2, used = 0;
    struct hdr *h = NULL;
    struct rd_buf sh;
    char payload_hash[65];
    const char *path = req->path && req->path[0] ? req->path : "/";
    int rc = RD_OK;

    rd_buf_init(&sh, RD_SIGV4_SIGNED_MAX - 1);
    if (!req->method || !req->method[0] || !req->host || !req->host[0])
        return rd_error_set(err, RD_EINVAL, "SigV4: a request needs a method and a host");
    h = rd_calloc(nh, sizeof *h);
    if (!h)
        return set_error(err, RD_ENOMEM, "");
    h[0].name = rd_strdup("host");
    h[0].value = req->host;
    h[1].name = rd_strdup("x-amz-date");
    h[1].value = amz_date;
    used = 2;
    if (!h[0].name || !h[1].name) {
        rc = set_error(err, RD_ENOMEM, "");
        goto out;
    }
    for (size_t i = 0; i < req->nheaders; i++, used++) {
        const char *name = req->headers[i].name, *value = req->headers[i].value;
        size_t len = name ? strlen(name) : 0;

        h[used].order = used;
        if (len == 0 || !value || strpbrk(value, "\r\n")) {
            rc = rd_error_set(err, RD_EINVAL, "SigV4: header %zu: %s", i,
                              len ? "value missing or with a line break" : "empty name");
            goto out;
        }
        h[used].name = rd_strndup(name, len);
        h[used].value = value;
        if (!h[used].name) {
            rc = set_error(err, RD_ENOMEM, "");
            goto out;
        }
        for (char *c = h[used].name; *c; c++) {
            if (!token_char((unsigned char)*c)) {
                rc = rd_error_set(err, RD_EINVAL, "SigV4: header name \"%.60s\" is not a token",
                                  name);
                used++;
                goto out;
            }
            *c = (char)tolower((unsigned char)*c);
        }
        if (!strcmp(h[used].name, "host") || !strcmp(h[used].name, "x-amz-date")) {
            rc = rd_error_set(err, RD_EINVAL, "SigV4: header %s is added by the signer; pass it as "
                              "the host or the time", h[used].name);
            used++;
            goto out;
        }
    }
    h[0].order = 0;
    h[1].order = 1;
    qsort(h, used, sizeof *h, hdr_cmp);

    rc = rd_buf_printf(out, "%s\n", req->method);
    if (!rc)
        rc = uri_encode(out, path, strlen(path), 1);
    if (!rc)
        rc = rd_buf_puts(out, "\n");
    if (!rc) {
        rc = canonical_query(out, req->query);
        if (rc == RD_EINVAL) {
            rc = rd_error_set(err, rc, "SigV4: the query has a '%%' not followed by two hex "
                              "digits");
            goto out;
        }
    }
    if (!rc)
        rc = rd_buf_puts(out, "\n");
    for (size_t i = 0; i < used && rc == RD_OK; i++) {
        int dup = i > 0 && !strcmp(h[i].name, h[i - 1].name);

        if (dup) {
            rc = rd_buf_puts(out, ",");
        } else {
            rc = (i ? rd_buf_puts(out, "\n") : RD_OK);
            if (!rc)
                rc = rd_buf_printf(out, "%s:", h[i].name);
            if (!rc)
                rc = rd_buf_printf(&sh, "%s%s", sh.len ? ";" : "", h[i].name);
        }
        if (!rc)
            rc = put_value(out, h[i].value);
    }
    if (rc == RD_OK)
        rc = rd_buf_printf(out, "\n\n%s\n", rd_buf_str(&sh));
    if (rc == RD_OK) {
        if (req->payload_len)
            rd_aws_sha256_hex(req->payload, req->payload_len, payload_hash);
        else
            memcpy(payload_hash, EMPTY_SHA256, sizeof payload_hash);
        rc = rd_buf_puts(out, payload_hash);
    }
    if (rc) {
        rc = set_error(err, rc, "the canonical request");
        goto out;
    }
    if (signed_headers && n) {
        if (sh.len >= n) {
            rc = set_error(err, RD_ETOOBIG, "the signed-headers list");
            goto out;
        }
        memcpy(signed_headers, rd_buf_str(&sh), sh.len + 1);
    }
out:
    for (size_t i = 0; i < nh; i++)
        rd_free(h[i].name);
    rd_free(h);
    rd_buf_release(&sh);
    return rc;
}

int rd_sigv4_string_to_sign(const char *amz_date, const char *scope, const char *canonical,
                            size_t len, struct rd_buf *out)
{
    char digest[65];

    rd_aws_sha256_hex(canonical, len, digest);
    return rd_buf_printf(out, "AWS4-HMAC-SHA256\n%s\n%s\n%s", amz_date, scope, digest);
}

/* Region and service go into the scope: lowercase letters, digits and '-'. */
static int scope_word_ok(const char *s)
{
    if (!s || !s[0] || strlen(s) > 40)
        return 0;
    for (; *s; s++)
        if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '-')
            return 0;
    return 1;
}

int rd_sigv4_sign(const struct rd_sigv4_request *req, const struct rd_aws_creds *creds,
                  const char *region, const char *service, time_t when, struct rd_sigv4 *out,
                  struct rd_buf *canonical, struct rd_buf *string_to_sign, struct rd_error *err)
{
    struct rd_buf creq, sts;
    struct rd_buf *cr = canonical ? canonical : &creq, *ss = string_to_sign ? string_to_sign : &sts;
    size_t cr0, ss0;
    unsigned char chain[4][32], sig[32];
    char date8[9];
    int rc;

    memset(out, 0, sizeof *out);
    rd_buf_init(&creq, (size_t)1 << 24);
    rd_buf_init(&sts, 4096);
    cr0 = cr->len;
    ss0 = ss->len;
    if (!scope_word_ok(region) || !scope_word_ok(service))
        return rd_error_set(err, RD_EINVAL, "SigV4: region \"%.40s\" or service \"%.40s\" is not a "
                            "name of lowercase letters, digits and '-'", region ? region : "",
                            service ? service : "");
    if (!creds->access_key_id[0] || !creds->secret_access_key[0] ||
        strpbrk(creds->access_key_id, "/, \t\r\n"))
        return rd_error_set(err, RD_EINVAL, "SigV4: credentials without a usable access key id "
                            "and secret");
    if (rd_aws_amz_date(when, out->amz_date) != RD_OK)
        return rd_error_set(err, RD_EINVAL, "SigV4: the time is outside the years 1970-9999");
    memcpy(date8, out->amz_date, 8);
    date8[8] = '\0';
    snprintf(out->scope, sizeof out->scope, "%s/%s/%s/aws4_request", date8, region, service);

    rc = rd_sigv4_canonical_request(req, out->amz_date, cr, out->signed_headers,
                                    sizeof out->signed_headers, err);
    if (rc)
        goto out;
    rc = rd_sigv4_string_to_sign(out->amz_date, out->scope, cr->data + cr0, cr->len - cr0, ss);
    if (rc) {
        rc = set_error(err, rc, "the string to sign");
        goto out;
    }
    rc = rd_sigv4_key_chain(creds->secret_access_key, date8, region, service, chain);
    if (rc) {
        rc = rd_error_set(err, rc, "SigV4: the secret access key is too long");
        goto out;
    }
    hmac(chain[3], 32, ss->data + ss0, ss->len - ss0, sig);
    hex(sig, sizeof sig, out->signature);
    if (snprintf(out->authorization, sizeof out->authorization,
                 "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s",
                 creds->access_key_id, out->scope, out->signed_headers, out->signature) >=
        (int)sizeof out->authorization)
        rc = set_error(err, RD_ETOOBIG, "the Authorization header");
out:
    explicit_bzero(chain, sizeof chain);
    rd_buf_release(&creq);
    rd_buf_release(&sts);
    return rc;
}
