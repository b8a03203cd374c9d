/*
 * cloud_int.h - what the files of src/cloud share; not public API.
 *
 * struct rd_sbuf is caller-owned (init/release) and wipes what it held when it
 * grows and when it is released: AWS answers carry secrets. struct
 * rd_aws_http_resp owns an rd_sbuf (release with rd_aws_http_resp_release).
 * The parsers here (error bodies, INI text) are pure and fuzzed
 * (tests/fuzz/fuzz_aws_error.c).
 */
#ifndef RISKDESK_CLOUD_INT_H
#define RISKDESK_CLOUD_INT_H

#include <jansson.h>
#include <stddef.h>

#include "riskdesk/aws.h"
#include "riskdesk/buf.h"
#include "riskdesk/error.h"

#define RD_AWS_BODY_MAX ((size_t)2 << 20)   /* an answer; SecretString is <= 64 KiB */

/* --- aws_http.c --- */

struct rd_sbuf {
    char *data;       /* NUL-terminated once anything was appended */
    size_t len, cap, max;
};
void rd_sbuf_init(struct rd_sbuf *b, size_t max);
int rd_sbuf_append(struct rd_sbuf *b, const void *p, size_t n);   /* RD_ETOOBIG, RD_ENOMEM */
void rd_sbuf_release(struct rd_sbuf *b);

struct rd_aws_http_req {
    const char *method;               /* "GET", "POST" */
    const char *url;
    const char *const *headers;       /* "Name: value" lines; may hold secrets (wiped) */
    size_t nheaders;
    const char *body;                 /* POST body or NULL */
    size_t body_len;
    long connect_timeout_ms, timeout_ms;
};

struct rd_aws_http_resp {
    long status;                      /* 0 when nothing was answered */
    struct rd_sbuf body;
    char error_type[128];             /* X-Amzn-ErrorType, "" if absent */
    char request_id[128];             /* x-amzn-RequestId, "" if absent */
};

/* One HTTP exchange with libcurl: no redirects, http/https only, the two
 * timeouts. RD_OK once any HTTP status came back (which may be an error
 * status); RD_ETIMEOUT, RD_EIO (connect/TLS/transfer) otherwise, the message
 * naming the URL. resp is initialised here; release it in every case. */
int rd_aws_http(const struct rd_aws_http_req *req, struct rd_aws_http_resp *resp,
                struct rd_error *err);
void rd_aws_http_resp_release(struct rd_aws_http_resp *resp);

/* The endpoint URL split: scheme://host[:port][/path]. host_port is what Host
 * carries. RD_EINVAL when it is not http(s) or has user info. */
int rd_aws_url_split(const char *url, char *host_port, size_t nhost, const char **path,
                     int *https);

/* --- aws_json.c --- */

/*
 * An AWS error answer, as botocore reads it: JSON {"__type", "message" |
 * "Message"} (the code is what follows the last '#', with anything after ':'
 * dropped), else an XML <Code>/<Message> (moto's 403s, the query protocol),
 * else the X-Amzn-ErrorType header (may be NULL). code and msg get printable
 * ASCII only, cut to fit; either may come back "".
 */
void rd_aws_error_parse(const char *body, size_t len, const char *header_type, char *code,
                        size_t ncode, char *msg, size_t nmsg);

/* How riskdesk treats an error code: RD_ENOTFOUND, RD_EAUTH, RD_EIO (retryable
 * when *retry is set: throttling, 5xx). */
int rd_aws_error_class(const char *code, long status, int *retry);

/* JSON text of a string into b ("..." with escapes). */
int rd_aws_json_quote(struct rd_buf *b, const char *s);

/*
 * POST a JSON 1.1 request (X-Amz-Target = target, signed for `service` at
 * `endpoint`) and parse the answer into *out (caller json_decref's it, after
 * wiping any secret strings in it). `what` names the object asked for in
 * messages ("SSM parameter \"/x\""). Retries throttling, 5xx and failed
 * connections up to c->max_attempts.
 */
int rd_aws_json_call(struct rd_aws_client *c, const char *service, const char *endpoint,
                     const char *target, const char *body, const char *what, json_t **out,
                     struct rd_error *err);

/* Copies a JSON string member into a fresh heap string for the caller
 * (rd_aws_value_free), then wipes the member's bytes inside the document. */
int rd_aws_take_string(json_t *obj, const char *key, char **value);

/* "AK...MPLE" for an access key id (never the whole of it). */
void rd_aws_mask_id(const char *id, char *buf, size_t n);

/* --- aws_creds.c --- */

/*
 * The value of key in [section] of an INI text (the shared credentials file):
 * 1 found (copied into out), 0 not there, -1 too long for out. *has_section
 * (may be NULL) is set when the section exists at all.
 */
int rd_aws_ini_get(const char *text, size_t len, const char *section, const char *key, char *out,
                   size_t n, int *has_section);

#endif
