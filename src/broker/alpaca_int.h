/*
 * alpaca_int.h - what the Alpaca backend's files share: the HTTP transport
 * (one curl handle per account, kept alive, TLS verified, timeouts on every
 * call) and the per-key request limiter. Not public API.
 *
 * Ownership: struct alpaca_http is caller-owned (alpaca_http_open /
 * alpaca_http_close); its body buffer is overwritten by every request.
 */
#ifndef RISKDESK_ALPACA_INT_H
#define RISKDESK_ALPACA_INT_H

#include <curl/curl.h>
#include <stdint.h>

#include "riskdesk/alpaca.h"
#include "riskdesk/buf.h"
#include "riskdesk/error.h"

#define ALPACA_DEFAULT_LIMIT 200         /* requests per minute per account (Alpaca's figure) */
#define ALPACA_TIMEOUT_MS 10000          /* whole request; RISKDESK_ALPACA_TIMEOUT_MS overrides */
#define ALPACA_CONNECT_TIMEOUT_MS 5000
#define ALPACA_ATTEMPTS 3                /* tries of one call before it fails */
#define ALPACA_MAX_WAIT_MS 65000         /* the longest one limiter wait */

struct alpaca_limiter;

struct alpaca_http {
    CURL *curl;
    struct curl_slist *headers;          /* hold the keys: wiped before they are freed */
    char base[256];                      /* "https://paper-api.alpaca.markets", no trailing '/' */
    char account[64];                    /* riskdesk's name, for messages and logs */
    long timeout_ms;
    struct alpaca_limiter *lim;          /* shared by every handle with the same key id */
    struct rd_buf body;                  /* the last reply's body */
    long status;                         /* the last reply's HTTP status */
    char request_id[80];                 /* the last reply's X-Request-ID */
    int64_t rl_limit, rl_remaining, rl_reset;   /* -1 when the header was absent */
    char errbuf[CURL_ERROR_SIZE];
    struct rd_alpaca_stats stats;
};

/* Sets up the handle for base (already checked) with the keys (copied into
 * curl's header list only). */
int alpaca_http_open(struct alpaca_http *h, const char *account, const char *base,
                     const char *key_id, const char *secret, struct rd_error *err);
void alpaca_http_close(struct alpaca_http *h);

/*
 * One request (waiting for the limiter first). RD_OK when any HTTP response
 * arrived (h->status, h->body); RD_ETIMEOUT or RD_EBROKER when none did (the
 * request may or may not have reached Alpaca). json is the POST body or NULL.
 */
int alpaca_http_once(struct alpaca_http *h, const char *method, const char *path,
                     const char *json, struct rd_error *err);

/*
 * A request that is safe to repeat (GET, DELETE): retried on 429 (after the
 * limiter's wait), 5xx and transport failures, ALPACA_ATTEMPTS tries in all,
 * with backoff and jitter. RD_OK with any other status in h->status.
 */
int alpaca_http_call(struct alpaca_http *h, const char *method, const char *path,
                     struct rd_error *err);

/* Sleeps the backoff before try `attempt` (1, 2, ...): 250 ms x 2^(attempt-1), with jitter. */
void alpaca_http_backoff(struct alpaca_http *h, int attempt);

/* Fills err from the last reply: "alpaca account primary: POST /v2/orders: HTTP 403
 * (code 40310000): insufficient buying power [request 1b2c...]". Returns code. */
int alpaca_http_error(struct alpaca_http *h, int code, const char *method, const char *path,
                      struct rd_error *err);

/* Percent-encodes s for a query or path segment into out; RD_ETOOBIG when it does not fit. */
int alpaca_url_escape(const char *s, char *out, size_t n);

#endif
