/*
 * aws_json.c - AWS error answers read the way botocore reads them, and the
 * signed JSON 1.1 POST that SSM and Secrets Manager use (over aws_http.c).
 */
#include "cloud/cloud_int.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "riskdesk/alloc.h"
#include "riskdesk/version.h"
#include "riskdesk/banned.h"

void rd_aws_value_free(char *value)
{
    if (value) {
        explicit_bzero(value, strlen(value));
        rd_free(value);
    }
}

void rd_aws_mask_id(const char *id, char *buf, size_t n)
{
    size_t len = id ? strlen(id) : 0;

    if (n == 0)
        return;
    if (len < 12)
        snprintf(buf, n, "****");
    else
        snprintf(buf, n, "%.2s...%s", id, id + len - 4);
}

int rd_aws_take_string(json_t *obj, const char *key, char **value)
{
    json_t *v = json_object_get(obj, key);
    size_t len;
    char *s;

    *value = NULL;
    if (!json_is_string(v))
        return RD_ENOTFOUND;
    len = json_string_length(v);
    if (memchr(json_string_value(v), '\0', len)) {
        explicit_bzero((char *)json_string_value(v), len);
        return RD_EINVAL;
    }
    s = rd_malloc(len + 1);
    if (s) {
        memcpy(s, json_string_value(v), len);
        s[len] = '\0';
    }
    explicit_bzero((char *)json_string_value(v), len);
    *value = s;
    return s ? RD_OK : RD_ENOMEM;
}

int rd_aws_json_quote(struct rd_buf *b, const char *s)
{
    int rc = rd_buf_puts(b, "\"");

    for (; *s && rc == RD_OK; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            rc = rd_buf_printf(b, "\\%c", c);
        else if (c < 0x20)
            rc = rd_buf_printf(b, "\\u%04x", c);
        else
            rc = rd_buf_append(b, s, 1);
    }
    return rc ? rc : rd_buf_puts(b, "\"");
}

/* --- error answers --- */

static void printable(char *out, size_t n, const char *s, size_t len)
{
    size_t j = 0;

    if (n == 0)
        return;
    for (size_t i = 0; i < len && j + 1 < n; i++) {
        unsigned char c = (unsigned char)s[i];

        out[j++] = c >= 0x20 && c < 0x7f ? (char)c : (c == '\n' || c == '\t' ? ' ' : '?');
    }
    out[j] = '\0';
}

/* botocore: drop anything after ':', keep what follows the last '#'. */
static void clean_code(char *code)
{
    char *colon = strchr(code, ':'), *hash;

    if (colon)
        *colon = '\0';
    hash = strrchr(code, '#');
    if (hash)
        memmove(code, hash + 1, strlen(hash + 1) + 1);
}

/* The text between <tag> and </tag> in body, or NULL. */
static const char *xml_tag(const char *body, size_t len, const char *tag, size_t *n)
{
    char open[32], close[32];
    size_t lo, lc;

    lo = (size_t)snprintf(open, sizeof open, "<%s>", tag);
    lc = (size_t)snprintf(close, sizeof close, "</%s>", tag);
    for (size_t i = 0; i + lo <= len; i++) {
        if (memcmp(body + i, open, lo))
            continue;
        for (size_t j = i + lo; j + lc <= len; j++)
            if (!memcmp(body + j, close, lc)) {
                *n = j - i - lo;
                return body + i + lo;
            }
        return NULL;
    }
    return NULL;
}

void rd_aws_error_parse(const char *body, size_t len, const char *header_type, char *code,
                        size_t ncode, char *msg, size_t nmsg)
{
    json_t *doc = NULL;
    const char *s;
    size_t n;

    if (ncode)
        code[0] = '\0';
    if (nmsg)
        msg[0] = '\0';
    if (body && len)
        doc = json_loadb(body, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (json_is_object(doc)) {
        const json_t *t = json_object_get(doc, "__type");
        const json_t *m = json_object_get(doc, "message");

        if (!json_is_string(m))
            m = json_object_get(doc, "Message");
        if (json_is_string(t))
            printable(code, ncode, json_string_value(t), json_string_length(t));
        if (json_is_string(m))
            printable(msg, nmsg, json_string_value(m), json_string_length(m));
    } else if (body && len) {
        s = xml_tag(body, len, "Code", &n);
        if (s)
            printable(code, ncode, s, n);
        s = xml_tag(body, len, "Message", &n);
        if (s)
            printable(msg, nmsg, s, n);
    }
    json_decref(doc);
    if (ncode && !code[0] && header_type)
        printable(code, ncode, header_type, strlen(header_type));
    if (ncode)
        clean_code(code);
}

static int in_list(const char *code, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(code, *list))
            return 1;
    return 0;
}

int rd_aws_error_class(const char *code, long status, int *retry)
{
    static const char *const notfound[] = {"ParameterNotFound", "ParameterVersionNotFound",
                                           "ResourceNotFoundException", NULL};
    static const char *const auth[] = {
        "InvalidSignatureException", "SignatureDoesNotMatch", "UnrecognizedClientException",
        "InvalidClientTokenId", "AccessDeniedException", "AccessDenied", "ExpiredTokenException",
        "ExpiredToken", "IncompleteSignature", "IncompleteSignatureException",
        "MissingAuthenticationToken", "MissingAuthenticationTokenException", "AuthFailure",
        "InvalidAccessKeyId", "NotAuthorized", "UnauthorizedOperation", "RequestExpired", NULL};
    static const char *const again[] = {
        "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded",
        "ThrottledException", "InternalServerError", "InternalServiceError", "InternalFailure",
        "ServiceUnavailable", "ServiceUnavailableException", NULL};

    *retry = 0;
    if (in_list(code, notfound))
        return RD_ENOTFOUND;
    if (in_list(code, auth) || (!code[0] && (status == 401 || status == 403)))
        return RD_EAUTH;
    *retry = in_list(code, again) || status == 429 || status >= 500;
    return RD_EIO;
}

/* --- the signed JSON 1.1 POST --- */

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0)
        ;
}

#define NLINES 9

int rd_aws_json_call(struct rd_aws_client *c, const char *service, const char *endpoint,
                     const char *target, const char *body, const char *what, json_t **out,
                     struct rd_error *err)
{
    char host[256], url[RD_AWS_URL_MAX + 2], date_line[40], auth_line[RD_SIGV4_AUTH_MAX + 32];
    char host_line[300], target_line[128], token_line[RD_AWS_TOKEN_MAX + 40];
    char code[128], msg[200], key[32];
    const char *op = strchr(target, '.') ? strchr(target, '.') + 1 : target;
    const char *path, *lines[NLINES];
    struct rd_sigv4_header sh[3] = {{"Content-Type", "application/x-amz-json-1.1"},
                                    {"X-Amz-Target", target},
                                    {"X-Amz-Security-Token", c->creds.session_token}};
    struct rd_sigv4_request sreq = {0};
    struct rd_aws_http_resp resp = {0};
    struct rd_sigv4 sig;
    int https, rc = RD_OK, retry = 0;
    size_t nl = 0;

    *out = NULL;
    if (rd_aws_url_split(endpoint, host, sizeof host, &path, &https) != RD_OK)
        return rd_error_set(err, RD_EINVAL, "%s: the %s endpoint \"%.200s\" is not an http(s) URL "
                            "of a host", what, service, endpoint);
    snprintf(url, sizeof url, "%s%s", endpoint, path[0] ? "" : "/");
    sreq.method = "POST";
    sreq.host = host;
    sreq.path = path[0] ? path : "/";
    sreq.headers = sh;
    sreq.nheaders = c->creds.session_token[0] ? 3 : 2;
    sreq.payload = body;
    sreq.payload_len = strlen(body);
    snprintf(host_line, sizeof host_line, "Host: %s", host);
    snprintf(target_line, sizeof target_line, "X-Amz-Target: %s", target);
    rd_aws_mask_id(c->creds.access_key_id, key, sizeof key);

    for (int attempt = 1;; attempt++) {
        rd_aws_http_resp_release(&resp);
        rc = rd_sigv4_sign(&sreq, &c->creds, c->region, service, time(NULL), &sig, NULL, NULL, err);
        if (rc)
            goto out;
        snprintf(date_line, sizeof date_line, "X-Amz-Date: %s", sig.amz_date);
        snprintf(auth_line, sizeof auth_line, "Authorization: %s", sig.authorization);
        nl = 0;
        lines[nl++] = host_line;
        lines[nl++] = "Content-Type: application/x-amz-json-1.1";
        lines[nl++] = target_line;
        lines[nl++] = date_line;
        lines[nl++] = auth_line;
        lines[nl++] = "Expect:";
        lines[nl++] = "User-Agent: riskdesk/" RD_VERSION;
        if (c->creds.session_token[0]) {
            snprintf(token_line, sizeof token_line, "X-Amz-Security-Token: %s",
                     c->creds.session_token);
            lines[nl++] = token_line;
        }
        {
            struct rd_aws_http_req hreq = {"POST", url, lines, nl, body, strlen(body),
                                           c->connect_timeout_ms, c->timeout_ms};

            rc = rd_aws_http(&hreq, &resp, err);
        }
        explicit_bzero(token_line, sizeof token_line);
        if (rc == RD_EIO && attempt < c->max_attempts) {
            pause_ms(100L << (attempt - 1));
            continue;
        }
        if (rc) {
            rd_error_prefix(err, "%s: %s %s", what, service, op);
            goto out;
        }
        if (resp.status == 200) {
            json_error_t je;

            *out = json_loadb(resp.body.data ? resp.body.data : "", resp.body.len, 0, &je);
            if (!json_is_object(*out)) {
                json_decref(*out);
                *out = NULL;
                rc = rd_error_set(err, RD_EIO, "%s: %s %s at %s answered 200 but not with a JSON "
                                  "object", what, service, op, url);
            }
            goto out;
        }
        rd_aws_error_parse(resp.body.data, resp.body.len, resp.error_type, code, sizeof code, msg,
                           sizeof msg);
        rc = rd_aws_error_class(code, resp.status, &retry);
        if (retry && attempt < c->max_attempts) {
            pause_ms(100L << (attempt - 1));
            continue;
        }
        break;
    }
    if (rc == RD_ENOTFOUND)
        rc = rd_error_set(err, rc, "%s not found in %s (%s)", what, c->region, code);
    else if (rc == RD_EAUTH)
        rc = rd_error_set(err, rc,
                          "%s: AWS refused the request (%s%s%.120s, HTTP %ld); access key %s "
                          "from %s: check the key pair, the clock and the IAM policy (%s:%s)", what,
                          code[0] ? code : "no error code", msg[0] ? ": " : "", msg, resp.status,
                          key, c->creds.origin, service, op);
    else
        rc = rd_error_set(err, rc, "%s: %s %s at %s failed: HTTP %ld %s%s%.160s%s%s", what,
                          service, op, url, resp.status, code[0] ? code : "(no error code)",
                          msg[0] ? ": " : "", msg, resp.request_id[0] ? ", request id " : "",
                          resp.request_id);
out:
    explicit_bzero(token_line, sizeof token_line);
    rd_aws_http_resp_release(&resp);
    return rc;
}
