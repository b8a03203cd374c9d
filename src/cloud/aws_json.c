/*
 * aws_json.c - HTTP with libcurl, AWS error answers read the way botocore
 * reads them, and the signed JSON 1.1 POST that SSM and Secrets Manager use.
 *
 * Answers may carry secrets, so they are read into an rd_sbuf (wiped as it
 * grows and when released), and header lists that may carry a session or
 * container token are wiped before curl frees them.
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

/* --- a buffer that leaves no copies behind --- */

void rd_sbuf_init(struct rd_sbuf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

int rd_sbuf_append(struct rd_sbuf *b, const void *p, size_t n)
{
    if (n > b->max - b->len)
        return RD_ETOOBIG;
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 256;
        char *nd;

        while (ncap < b->len + n + 1)
            ncap *= 2;
        if (ncap > b->max + 1)
            ncap = b->max + 1;
        nd = rd_malloc(ncap);
        if (!nd)
            return RD_ENOMEM;
        if (b->len)
            memcpy(nd, b->data, b->len);
        if (b->data) {
            explicit_bzero(b->data, b->cap);
            rd_free(b->data);
        }
        b->data = nd;
        b->cap = ncap;
    }
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return RD_OK;
}

void rd_sbuf_release(struct rd_sbuf *b)
{
    if (b->data) {
        explicit_bzero(b->data, b->cap);
        rd_free(b->data);
    }
    rd_sbuf_init(b, b->max);
}

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

/* --- HTTP --- */

struct xfer {
    struct rd_aws_http_resp *resp;
    int write_rc;
};

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
    struct xfer *x = ud;
    int rc = rd_sbuf_append(&x->resp->body, p, size * nmemb);

    if (rc) {
        x->write_rc = rc;
        return 0;
    }
    return size * nmemb;
}

/* "Name: value\r\n" -> value into out when the name matches. */
static void header_value(const char *line, size_t n, const char *name, char *out, size_t nout)
{
    size_t len = strlen(name), j = 0;

    if (n <= len || strncasecmp(line, name, len) || line[len] != ':')
        return;
    line += len + 1;
    n -= len + 1;
    while (n && (*line == ' ' || *line == '\t')) {
        line++;
        n--;
    }
    while (n && (line[n - 1] == '\r' || line[n - 1] == '\n' || line[n - 1] == ' '))
        n--;
    for (size_t i = 0; i < n && j + 1 < nout; i++)
        if (line[i] >= 0x20 && line[i] < 0x7f)
            out[j++] = line[i];
    out[j] = '\0';
}

static size_t on_header(char *p, size_t size, size_t nitems, void *ud)
{
    struct xfer *x = ud;
    size_t n = size * nitems;

    if (n >= 5 && !strncmp(p, "HTTP/", 5)) {      /* a new answer (after 100 Continue) */
        x->resp->error_type[0] = '\0';
        x->resp->request_id[0] = '\0';
    }
    header_value(p, n, "x-amzn-errortype", x->resp->error_type, sizeof x->resp->error_type);
    header_value(p, n, "x-amzn-requestid", x->resp->request_id, sizeof x->resp->request_id);
    return n;
}

void rd_aws_http_resp_release(struct rd_aws_http_resp *resp)
{
    rd_sbuf_release(&resp->body);
}

static void wipe_slist(struct curl_slist *l)
{
    for (struct curl_slist *s = l; s; s = s->next)
        if (s->data)
            explicit_bzero(s->data, strlen(s->data));
    curl_slist_free_all(l);
}

int rd_aws_http(const struct rd_aws_http_req *req, struct rd_aws_http_resp *resp,
                struct rd_error *err)
{
    char errbuf[CURL_ERROR_SIZE] = "";
    struct xfer x = {resp, RD_OK};
    struct curl_slist *hl = NULL;
    CURL *h = NULL;
    CURLcode cc;
    int rc = RD_OK;

    memset(resp, 0, sizeof *resp);
    rd_sbuf_init(&resp->body, RD_AWS_BODY_MAX);
    h = curl_easy_init();
    if (!h)
        return rd_error_set(err, RD_ENOMEM, "%s: cannot start an HTTP client", req->url);
    for (size_t i = 0; i < req->nheaders; i++) {
        struct curl_slist *nl = curl_slist_append(hl, req->headers[i]);

        if (!nl) {
            rc = rd_error_set(err, RD_ENOMEM, "%s: out of memory", req->url);
            goto out;
        }
        hl = nl;
    }
    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, req->connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, req->timeout_ms);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
    if (!strcmp(req->method, "POST")) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    cc = curl_easy_perform(h);
    if (cc == CURLE_WRITE_ERROR && x.write_rc) {
        rc = rd_error_set(err, x.write_rc, "%s: %s", req->url,
                          x.write_rc == RD_ETOOBIG ? "the answer is larger than 2 MiB"
                                                   : "out of memory reading the answer");
        goto out;
    }
    if (cc == CURLE_OPERATION_TIMEDOUT) {
        rc = rd_error_set(err, RD_ETIMEOUT, "%s: no answer within %ld ms (connect limit %ld ms)",
                          req->url, req->timeout_ms, req->connect_timeout_ms);
        goto out;
    }
    if (cc != CURLE_OK) {
        rc = rd_error_set(err, RD_EIO, "%s: %s", req->url,
                          errbuf[0] ? errbuf : curl_easy_strerror(cc));
        goto out;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
out:
    curl_easy_cleanup(h);
    wipe_slist(hl);
    return rc;
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
