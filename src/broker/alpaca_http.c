/*
 * alpaca_http.c - the Alpaca backend's transport: one kept-alive curl handle
 * per account (TLS verified, no redirects, a timeout on every request), the
 * reply's X-Request-ID and X-RateLimit-* headers, and the request limiter.
 *
 * The limiter: one per API key id in the process (handles with the same key
 * share it; keys are told apart by a SHA-256 of the key id, never the key).
 * A token bucket of X-RateLimit-Limit requests a minute (200 until Alpaca says
 * otherwise), lowered to X-RateLimit-Remaining whenever a reply says fewer are
 * left; with none left, or after a 429, requests wait until X-RateLimit-Reset
 * (or an exponential backoff when there is no Reset), plus jitter. The
 * registry is the one piece of process-wide state here, behind a mutex.
 */
#include "broker/alpaca_int.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "riskdesk/alloc.h"
#include "riskdesk/log.h"
#include "riskdesk/version.h"

#include "riskdesk/banned.h"

struct alpaca_limiter {
    struct alpaca_limiter *next;
    unsigned char id[32];            /* SHA-256 of the key id */
    int refs;
    double capacity;                 /* requests per minute */
    double tokens;
    int64_t refilled_ms;             /* monotonic */
    int64_t blocked_until_ms;        /* monotonic; 0 = not blocked */
    int64_t backoff_ms;              /* last 429 backoff without a Reset header */
    uint64_t rng;
};

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct alpaca_limiter *registry;

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts;

    if (ms <= 0)
        return;
    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static uint64_t next_rand(uint64_t *s)
{
    uint64_t x = *s ? *s : 0x9e3779b97f4a7c15ULL;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

/* 0 .. max-1 ms of jitter; the caller holds reg_lock. */
static int64_t jitter(struct alpaca_limiter *l, int64_t max)
{
    return max > 0 ? (int64_t)(next_rand(&l->rng) % (uint64_t)max) : 0;
}

static struct alpaca_limiter *limiter_get(const char *key_id)
{
    unsigned char id[32];
    unsigned int idlen = 0;
    struct alpaca_limiter *l;

    if (!EVP_Digest(key_id, strlen(key_id), id, &idlen, EVP_sha256(), NULL) || idlen != 32)
        return NULL;
    pthread_mutex_lock(&reg_lock);
    for (l = registry; l; l = l->next)
        if (!memcmp(l->id, id, sizeof id))
            break;
    if (l) {
        l->refs++;
    } else if ((l = rd_calloc(1, sizeof *l)) != NULL) {
        memcpy(l->id, id, sizeof id);
        l->refs = 1;
        l->capacity = l->tokens = ALPACA_DEFAULT_LIMIT;
        l->refilled_ms = mono_ms();
        l->rng = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid() ^ ((uint64_t)id[0] << 56) ^ 1;
        l->next = registry;
        registry = l;
    }
    pthread_mutex_unlock(&reg_lock);
    return l;
}

static void limiter_put(struct alpaca_limiter *l)
{
    struct alpaca_limiter **p;

    if (!l)
        return;
    pthread_mutex_lock(&reg_lock);
    if (--l->refs == 0) {
        for (p = &registry; *p; p = &(*p)->next)
            if (*p == l) {
                *p = l->next;
                break;
            }
        rd_free(l);
    }
    pthread_mutex_unlock(&reg_lock);
}

static void refill(struct alpaca_limiter *l, int64_t now)
{
    if (now > l->refilled_ms) {
        l->tokens += (double)(now - l->refilled_ms) * l->capacity / 60000.0;
        if (l->tokens > l->capacity)
            l->tokens = l->capacity;
        l->refilled_ms = now;
    }
}

/* Takes one request from the budget, sleeping as long as needed. */
static void limiter_take(struct alpaca_http *h)
{
    struct alpaca_limiter *l = h->lim;
    int waited = 0;

    for (;;) {
        int64_t now = mono_ms(), wait;

        pthread_mutex_lock(&reg_lock);
        refill(l, now);
        if (now < l->blocked_until_ms) {
            wait = l->blocked_until_ms - now;
        } else if (l->tokens >= 1.0) {
            l->tokens -= 1.0;
            pthread_mutex_unlock(&reg_lock);
            break;
        } else {
            wait = (int64_t)((1.0 - l->tokens) * 60000.0 / l->capacity) + 1 + jitter(l, 20);
        }
        pthread_mutex_unlock(&reg_lock);
        if (wait > ALPACA_MAX_WAIT_MS)
            wait = ALPACA_MAX_WAIT_MS;
        if (!waited) {
            struct rd_logline ll;

            h->stats.rate_waits++;
            waited = 1;
            rd_log_begin(&ll, RD_LOG_INFO, "alpaca.rate_wait");
            rd_log_str(&ll, "account", h->account);
            rd_log_int(&ll, "wait_ms", wait);
            rd_log_end(&ll);
        }
        sleep_ms(wait);
    }
}

/* What a reply's headers and status say about the budget. */
static void limiter_learn(struct alpaca_http *h)
{
    struct alpaca_limiter *l = h->lim;
    int64_t now = mono_ms();
    int64_t until = 0;

    pthread_mutex_lock(&reg_lock);
    refill(l, now);
    if (h->rl_limit > 0)
        l->capacity = (double)(h->rl_limit > 1000000 ? 1000000 : h->rl_limit);
    if (h->rl_remaining >= 0 && (double)h->rl_remaining < l->tokens)
        l->tokens = (double)h->rl_remaining;
    if (h->rl_reset > 0 && (h->rl_remaining == 0 || h->status == 429)) {
        int64_t secs = h->rl_reset - (int64_t)time(NULL);

        /* Reset is whole seconds: wait past it, plus jitter so processes sharing a
         * key do not all come back at once */
        until = now + (secs < 0 ? 0 : secs > 65 ? 65000 : secs * 1000) + 50 + jitter(l, 250);
    }
    if (h->status == 429) {
        l->tokens = 0;
        if (!until) {
            l->backoff_ms = l->backoff_ms ? l->backoff_ms * 2 : 1000;
            if (l->backoff_ms > 30000)
                l->backoff_ms = 30000;
            until = now + l->backoff_ms / 2 + jitter(l, l->backoff_ms / 2 + 1);
        }
    } else {
        l->backoff_ms = 0;
    }
    if (until > l->blocked_until_ms)
        l->blocked_until_ms = until;
    pthread_mutex_unlock(&reg_lock);
}

void alpaca_http_backoff(struct alpaca_http *h, int attempt)
{
    int64_t base = 250LL << (attempt > 6 ? 5 : attempt - 1), j;

    pthread_mutex_lock(&reg_lock);
    j = jitter(h->lim, base / 2 + 1);
    pthread_mutex_unlock(&reg_lock);
    sleep_ms(base / 2 + j);
}

/* ---- curl callbacks ---- */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct alpaca_http *h = ud;

    if (rd_buf_append(&h->body, p, size * n) != RD_OK)
        return 0;                             /* too large or no memory: curl fails the transfer */
    return size * n;
}

static int64_t header_int(const char *v, size_t n)
{
    int64_t x = 0;
    size_t i = 0;

    while (i < n && (v[i] == ' ' || v[i] == '\t'))
        i++;
    if (i == n || v[i] < '0' || v[i] > '9')
        return -1;
    for (; i < n && v[i] >= '0' && v[i] <= '9'; i++) {
        if (x > (INT64_MAX - 9) / 10)
            return -1;
        x = x * 10 + (v[i] - '0');
    }
    return x;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    struct alpaca_http *h = ud;
    size_t len = size * n, name_len;
    const char *colon = memchr(p, ':', len), *v;
    size_t vlen;

    if (!colon)
        return len;
    name_len = (size_t)(colon - p);
    v = colon + 1;
    vlen = len - name_len - 1;
    while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
        vlen--;
#define IS(name) (name_len == sizeof(name) - 1 && !strncasecmp(p, name, name_len))
    if (IS("X-Request-ID")) {
        while (vlen && *v == ' ') {
            v++;
            vlen--;
        }
        snprintf(h->request_id, sizeof h->request_id, "%.*s", (int)vlen, v);
        for (char *c = h->request_id; *c; c++)
            if (*c < 0x21 || *c > 0x7e || *c == '"')
                *c = '_';
    } else if (IS("X-RateLimit-Limit")) {
        h->rl_limit = header_int(v, vlen);
    } else if (IS("X-RateLimit-Remaining")) {
        h->rl_remaining = header_int(v, vlen);
    } else if (IS("X-RateLimit-Reset")) {
        h->rl_reset = header_int(v, vlen);
    }
#undef IS
    return len;
}

/* ---- the handle ---- */

static int add_header(struct curl_slist **list, const char *name, const char *val)
{
    char line[400];
    struct curl_slist *n;
    int len = snprintf(line, sizeof line, "%s: %s", name, val);

    if (len < 0 || (size_t)len >= sizeof line)
        return RD_ETOOBIG;
    n = curl_slist_append(*list, line);
    explicit_bzero(line, sizeof line);
    if (!n)
        return RD_ENOMEM;
    *list = n;
    return RD_OK;
}

static void wipe_headers(struct curl_slist *l)
{
    for (; l; l = l->next)
        if (l->data)
            explicit_bzero(l->data, strlen(l->data));
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int alpaca_http_open(struct alpaca_http *h, const char *account, const char *base,
                     const char *key_id, const char *secret, struct rd_error *err)
{
    const char *env = getenv("RISKDESK_ALPACA_TIMEOUT_MS");
    int loopback_http = !strncmp(base, "http://", 7);
    int rc;

    memset(h, 0, sizeof *h);
    snprintf(h->account, sizeof h->account, "%s", account);
    snprintf(h->base, sizeof h->base, "%s", base);
    h->timeout_ms = ALPACA_TIMEOUT_MS;
    if (env && env[0]) {
        int64_t t = header_int(env, strlen(env));

        if (t < 100 || t > 600000)
            return rd_error_set(err, RD_ECONFIG, "RISKDESK_ALPACA_TIMEOUT_MS=\"%.20s\": expected "
                                "milliseconds from 100 to 600000", env);
        h->timeout_ms = (long)t;
    }
    rd_buf_init(&h->body, RD_ALPACA_BODY_MAX);
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK)
        return rd_error_set(err, RD_EBROKER, "alpaca account %s: libcurl did not initialise: %s",
                            account, curl_easy_strerror(curl_init_rc));
    h->lim = limiter_get(key_id);
    h->curl = curl_easy_init();
    if (!h->lim || !h->curl) {
        rc = rd_error_set(err, RD_ENOMEM, "alpaca account %s: out of memory", account);
        goto fail;
    }
    if ((rc = add_header(&h->headers, "APCA-API-KEY-ID", key_id)) ||
        (rc = add_header(&h->headers, "APCA-API-SECRET-KEY", secret)) ||
        (rc = add_header(&h->headers, "Accept", "application/json")) ||
        (rc = add_header(&h->headers, "Content-Type", "application/json")) ||
        (rc = add_header(&h->headers, "Expect", ""))) {
        rc = rd_error_set(err, rc, "alpaca account %s: cannot build the request headers", account);
        goto fail;
    }
    curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, h->headers);
    curl_easy_setopt(h->curl, CURLOPT_USERAGENT, "riskdesk/" RD_VERSION);
    curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h->curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h->curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h->curl, CURLOPT_SSL_VERIFYHOST, 2L);
    /* plain http only for a loopback base URL, which the caller has checked */
    curl_easy_setopt(h->curl, CURLOPT_PROTOCOLS_STR, loopback_http ? "http" : "https");
    curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, h->timeout_ms);
    curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT_MS,
                     h->timeout_ms < ALPACA_CONNECT_TIMEOUT_MS ? h->timeout_ms
                                                               : (long)ALPACA_CONNECT_TIMEOUT_MS);
    curl_easy_setopt(h->curl, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h->curl, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, h);
    curl_easy_setopt(h->curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, h);
    curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, h->errbuf);
    h->stats.healthy = 1;
    return RD_OK;
fail:
    alpaca_http_close(h);
    return rc;
}

void alpaca_http_close(struct alpaca_http *h)
{
    if (h->curl)
        curl_easy_cleanup(h->curl);
    wipe_headers(h->headers);
    curl_slist_free_all(h->headers);
    limiter_put(h->lim);
    rd_buf_release(&h->body);
    h->curl = NULL;
    h->headers = NULL;
    h->lim = NULL;
}

int alpaca_url_escape(const char *s, char *out, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t j = 0;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        int plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == '~';

        if (j + (plain ? 1 : 3) >= n)
            return RD_ETOOBIG;
        if (plain) {
            out[j++] = (char)c;
        } else {
            out[j++] = '%';
            out[j++] = hex[c >> 4];
            out[j++] = hex[c & 15];
        }
    }
    if (j >= n)
        return RD_ETOOBIG;
    out[j] = '\0';
    return RD_OK;
}

int alpaca_http_once(struct alpaca_http *h, const char *method, const char *path,
                     const char *json, struct rd_error *err)
{
    char url[1024];
    long connects = 0;
    int64_t t0;
    CURLcode cc;
    struct rd_logline l;

    if ((size_t)snprintf(url, sizeof url, "%s%s", h->base, path) >= sizeof url)
        return rd_error_set(err, RD_EINVAL, "alpaca account %s: URL too long: %s", h->account, path);
    limiter_take(h);
    rd_buf_reset(&h->body);
    h->status = 0;
    h->request_id[0] = '\0';
    h->errbuf[0] = '\0';
    h->rl_limit = h->rl_remaining = h->rl_reset = -1;
    curl_easy_setopt(h->curl, CURLOPT_URL, url);
    if (!strcmp(method, "POST")) {
        curl_easy_setopt(h->curl, CURLOPT_CUSTOMREQUEST, NULL);
        curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, json ? json : "");
        curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE, (long)(json ? strlen(json) : 0));
    } else {
        curl_easy_setopt(h->curl, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(h->curl, CURLOPT_CUSTOMREQUEST, strcmp(method, "GET") ? method : NULL);
    }
    t0 = mono_ms();
    cc = curl_easy_perform(h->curl);
    h->stats.requests++;
    if (curl_easy_getinfo(h->curl, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK)
        h->stats.connects += connects;
    if (cc == CURLE_OK)
        curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &h->status);
    rd_log_begin(&l, RD_LOG_DEBUG, "alpaca.request");
    rd_log_str(&l, "account", h->account);
    rd_log_str(&l, "method", method);
    rd_log_str(&l, "path", path);
    rd_log_int(&l, "status", h->status);
    rd_log_int(&l, "ms", mono_ms() - t0);
    rd_log_int(&l, "new_connections", connects);
    rd_log_str(&l, "request_id", h->request_id);
    rd_log_end(&l);
    if (cc != CURLE_OK) {
        if (cc == CURLE_WRITE_ERROR && h->body.len + CURL_MAX_WRITE_SIZE >= h->body.max)
            return rd_error_set(err, RD_EBROKER, "alpaca account %s: %s %s: reply larger than %zu "
                                "bytes", h->account, method, path, h->body.max);
        return rd_error_set(err, cc == CURLE_OPERATION_TIMEDOUT ? RD_ETIMEOUT : RD_EBROKER,
                            "alpaca account %s: %s %s: %s%s%s%s", h->account, method, path,
                            curl_easy_strerror(cc), h->errbuf[0] ? " (" : "", h->errbuf,
                            h->errbuf[0] ? ")" : "");
    }
    limiter_learn(h);
    return RD_OK;
}

int alpaca_http_call(struct alpaca_http *h, const char *method, const char *path,
                     struct rd_error *err)
{
    int rc = RD_OK;

    for (int attempt = 1; attempt <= ALPACA_ATTEMPTS; attempt++) {
        if (attempt > 1) {
            h->stats.retries++;
            if (h->status != 429)             /* after a 429 the limiter does the waiting */
                alpaca_http_backoff(h, attempt - 1);
        }
        rc = alpaca_http_once(h, method, path, NULL, err);
        if (rc == RD_OK && h->status != 429 && h->status < 500)
            return RD_OK;
        if (rc == RD_OK)
            rc = alpaca_http_error(h, RD_EBROKER, method, path, err);
        {
            struct rd_logline l;

            rd_log_begin(&l, RD_LOG_WARN, "alpaca.retry");
            rd_log_str(&l, "account", h->account);
            rd_log_str(&l, "method", method);
            rd_log_str(&l, "path", path);
            rd_log_int(&l, "attempt", attempt);
            rd_log_int(&l, "of", ALPACA_ATTEMPTS);
            rd_log_str(&l, "error", err ? err->msg : "");
            rd_log_end(&l);
        }
    }
    return rc;
}

int alpaca_http_error(struct alpaca_http *h, int code, const char *method, const char *path,
                      struct rd_error *err)
{
    struct rd_alpaca_error e;
    char codebuf[32] = "";

    rd_alpaca_parse_error(h->body.data, h->body.len, &e);
    if (e.code)
        snprintf(codebuf, sizeof codebuf, " (code %lld)", (long long)e.code);
    return rd_error_set(err, code, "alpaca account %s: %s %s: HTTP %ld%s: %s%s%s%s", h->account,
                        method, path, h->status, codebuf, e.message,
                        h->request_id[0] ? " [request " : "", h->request_id,
                        h->request_id[0] ? "]" : "");
}
