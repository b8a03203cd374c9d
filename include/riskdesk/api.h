/*
 * api.h - the HTTP API server (docs/api.md): JSON under /api/v1, bearer tokens
 * with roles, /healthz, /readyz and /metrics, and optionally the dispatchers
 * of chosen accounts in the same process.
 *
 * Ownership: rd_api_server_new returns a heap object released with
 * rd_api_server_free, which stops it first if it still runs. Token helpers
 * write into caller-owned buffers. Nothing here keeps a caller's pointer
 * after the call returns.
 *
 * Threads: requests run on libmicrohttpd's thread pool; each request takes a
 * store handle from a pool (a handle is used by one thread at a time), and
 * each in-process dispatcher has its own store handle and broker.
 */
#ifndef RISKDESK_API_H
#define RISKDESK_API_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/error.h"

/* Roles, weakest first. A route names the weakest role it accepts; a trader
 * can do what a viewer can, but only for the account assigned to them. */
enum rd_api_role {
    RD_ROLE_PUBLIC,      /* no token needed (/healthz, /readyz, /metrics) */
    RD_ROLE_VIEWER,
    RD_ROLE_TRADER,
    RD_ROLE_ADMIN,
    RD_ROLE_COUNT
};

const char *rd_api_role_name(enum rd_api_role r);   /* "viewer"...; "public" */
/* "admin" | "trader" | "viewer"; RD_EINVAL naming them otherwise. */
int rd_api_role_parse(const char *s, enum rd_api_role *out, struct rd_error *err);

/* ---- tokens ---- */

#define RD_API_TOKEN_MAX 64      /* "rdk_" + 43 base64url characters + NUL fits */
#define RD_API_HASH_MAX 65       /* SHA-256 in hex + NUL */
#define RD_API_TOKEN_PREFIX_LEN 12

/* A new token: "rdk_" + base64url(32 random bytes from getrandom), its
 * SHA-256 hex (what the store keeps) and its first RD_API_TOKEN_PREFIX_LEN
 * characters (to tell tokens apart in lists). RD_EIO when no randomness. */
int rd_api_token_new(char token[RD_API_TOKEN_MAX], char hash[RD_API_HASH_MAX],
                     char prefix[RD_API_TOKEN_PREFIX_LEN + 1], struct rd_error *err);
/* SHA-256 hex of len bytes of token. */
void rd_api_token_hash(const char *token, size_t len, char hash[RD_API_HASH_MAX]);

/* ---- routes (for docs, tests and the OpenAPI check) ---- */

struct rd_api_route_info {
    const char *method;          /* "GET" */
    const char *pattern;         /* "/api/v1/accounts/{id}" */
    enum rd_api_role min_role;
};
/* The routes the server answers, in table order. */
size_t rd_api_route_count(void);
void rd_api_route_get(size_t i, struct rd_api_route_info *out);

/* ---- the server ---- */

struct rd_api_server;

struct rd_api_params {
    const char *listen;          /* "127.0.0.1:8080" (default), "[::1]:8080", port 0 = any */
    const char *config_path;     /* NULL: $RISKDESK_CONFIG, then ./riskdesk.json */
    const char *database;        /* store URL; NULL: the config's */
    unsigned threads;            /* request threads; 0 = 4 */
    size_t body_max;             /* request body limit in bytes; 0 = 1 MiB */
    /* In-process dispatchers: NULL/"" none, "all", or "NAME,NAME". */
    const char *dispatch;
    unsigned dispatch_interval;  /* seconds between cycles; 0 = 60 */
    /* How long POST /api/v1/trade waits for an in-process dispatcher's
     * decision before answering 202; 0 = 5000 ms. */
    unsigned trade_wait_ms;
    /* The trading clock (dispatchers, trades): 0 = the wall clock; else it
     * starts at this Unix time and runs on with the wall clock (tests,
     * rehearsals). Tokens, Slack signatures and logs keep the wall clock. */
    int64_t clock_start;
    /* HTTPS: both PEM files (certificate chain, private key) or neither
     * (plain HTTP). Read once at start; a file that is missing, empty or not
     * PEM is refused naming the file. */
    const char *tls_cert;
    const char *tls_key;
};

/* Loads the config, opens the store, starts the dispatchers, probes the other
 * accounts' brokers, starts the health monitor and listens. A dispatcher that
 * cannot start is recorded (its account unhealthy) and the others go on; the
 * start fails only when none of those asked for came up. Errors name what
 * failed (RD_ECONFIG, RD_ESTORE, RD_EBUSY for an account whose dispatcher
 * runs elsewhere, RD_EIO when the address cannot be bound). */
int rd_api_server_new(const struct rd_api_params *p, struct rd_api_server **out,
                      struct rd_error *err);
/* The port it listens on (useful with port 0). */
int rd_api_server_port(const struct rd_api_server *s);
/* Degraded: some accounts failed to initialise (their dispatcher did not
 * start, or their broker did not answer the probe at start) while others run.
 * Returns how many failed (0: not degraded) and names both sides,
 * comma-separated, into the caller's buffers. */
int rd_api_server_degraded(const struct rd_api_server *s, char *running_on, size_t rn,
                           char *failed, size_t fn);
/* Graceful stop: stops accepting, lets requests in flight finish (up to
 * grace_ms), then stops the dispatchers after their current cycle. */
void rd_api_server_stop(struct rd_api_server *s, unsigned grace_ms);
void rd_api_server_free(struct rd_api_server *s);

#endif
