/*
 * aws_http.c - the transport under riskdesk's AWS clients: URLs split and
 * checked, one HTTP exchange with libcurl, and a buffer that leaves no copies
 * behind. Used by aws_creds.c (the container endpoint) and aws_json.c (the
 * JSON 1.1 calls).
 *
 * Answers may carry secrets, so they are read into an rd_sbuf (wiped as it
 * grows and when released), and header lists that may carry a session or
 * container token are wiped before curl frees them.
 */
#include "cloud/cloud_int.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* --- URLs --- */

int rd_aws_url_split(const char *url, char *host_port, size_t nhost, const char **path,
                     int *https)
{
    const char *p, *end;

    if (!strncasecmp(url, "https://", 8)) {
        *https = 1;
        p = url + 8;
    } else if (!strncasecmp(url, "http://", 7)) {
        *https = 0;
        p = url + 7;
    } else {
        return RD_EINVAL;
    }
    end = p + strcspn(p, "/?#");
    if (end == p || (size_t)(end - p) >= nhost || *end == '?' || *end == '#')
        return RD_EINVAL;
    for (const char *c = p; c < end; c++)
        if (*c == '@' || (unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
            return RD_EINVAL;
    memcpy(host_port, p, (size_t)(end - p));
    host_port[end - p] = '\0';
    *path = end;
    for (const char *c = end; *c; c++)
        if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f || *c == '?' || *c == '#')
            return RD_EINVAL;
    return RD_OK;
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
