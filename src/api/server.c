/*
 * server.c - the HTTP server on libmicrohttpd: a thread pool, each thread on
 * its own epoll loop. A request is read (its body capped at body_max: 413
 * past it, without reading on when Content-Length says so), routed (404 /
 * 405 from the table), authenticated, handled, answered and counted.
 *
 * Threads and the store: a request borrows a store handle from the pool for
 * its whole life and gives it back when it completes, so a handle is only
 * ever used by one thread at a time. The pool opens up to threads + 1
 * handles, lazily. "sqlite::memory:" is refused: each handle would be its own
 * empty database.
 *
 * Stopping: rd_api_server_stop quiesces the daemon (no new connections),
 * waits for requests in flight, stops the daemon, the health monitor (after
 * its round), then the dispatchers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "api/api_int.h"
#include "api/slack_int.h"
#include "riskdesk/alloc.h"
#include "riskdesk/log.h"
#include "riskdesk/audit.h"
#include "riskdesk/banned.h"

#define SERVER_MAGIC 0x41504953u   /* "APIS" */
#define DEFAULT_BODY_MAX (1024 * 1024)
#define DEFAULT_THREADS 4
#define OUT_MAX (64u * 1024 * 1024)
#define CFG_CHECK_NS 1000000000LL   /* how often the accounts' change counter is read */
/* A connection's memory: the request head as read (a request line and
 * headers up to limits.c's 8 KiB + 16 KiB) and the answer's header lines.
 * libmicrohttpd zeroes all of it between two requests on a connection, so it
 * is no larger than that. */
#define CONN_MEMORY (32u * 1024)

int64_t api_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t api_clock(const struct api_server *srv)
{
    return (int64_t)time(NULL) + srv->clock_offset;
}

/* ---- store pool ---- */

static void pool_note_stale(void)
{
    struct rd_logline l;

    rd_log_begin(&l, RD_LOG_INFO, "api.store_stale");
    rd_log_str(&l, "msg", "a pooled store connection was closed by the server; opened a new one");
    rd_log_end(&l);
}

int api_pool_take(struct api_server *srv, struct rd_store **out, struct rd_error *err)
{
    struct api_store_pool *p = &srv->pool;
    int rc;

    *out = NULL;
    pthread_mutex_lock(&p->mu);
    while (p->nfree) {
        struct rd_store *s = p->free[--p->nfree];

        if (!s->ops->alive || s->ops->alive(s)) {
            pthread_mutex_unlock(&p->mu);
            *out = s;
            return RD_OK;
        }
        /* the server went away while it sat here (a restart): a new one */
        p->open--;
        pthread_mutex_unlock(&p->mu);
        rd_store_close(s);
        pool_note_stale();
        pthread_mutex_lock(&p->mu);
    }
    p->open++;   /* reserve the slot; open outside the lock */
    pthread_mutex_unlock(&p->mu);
    rc = rd_store_open_keyed(p->url, p->keyed ? &p->key : NULL, out, err);
    if (rc != RD_OK) {
        pthread_mutex_lock(&p->mu);
        p->open--;
        pthread_mutex_unlock(&p->mu);
    }
    return rc;
}

void api_pool_give(struct api_server *srv, struct rd_store *s, int broken)
{
    struct api_store_pool *p = &srv->pool;

    if (!s)
        return;
    pthread_mutex_lock(&p->mu);
    if (!broken && p->nfree < p->cap) {
        p->free[p->nfree++] = s;
        s = NULL;
    } else {
        p->open--;
    }
    pthread_mutex_unlock(&p->mu);
    /* a handle that failed is closed (a transaction it left open is rolled back) */
    rd_store_close(s);
}

static void pool_release(struct api_store_pool *p)
{
    for (size_t i = 0; i < p->nfree; i++)
        rd_store_close(p->free[i]);
    rd_free(p->free);
    p->free = NULL;
    p->nfree = 0;
    rd_encryption_key_wipe(&p->key);
    pthread_mutex_destroy(&p->mu);
}

struct rd_store *api_store_try(struct api_req *r, struct rd_error *err)
{
    if (!r->store && api_pool_take(r->srv, &r->store, err) != RD_OK) {
        struct rd_logline l;

        r->store = NULL;
        rd_log_begin(&l, RD_LOG_ERROR, "api.store_unavailable");
        rd_log_str(&l, "msg", err->msg);
        rd_log_end(&l);
        return NULL;
    }
    /* who the audit trail names for what this request writes */
    if (r->auth.token_id) {
        char actor[RD_AUDIT_ACTOR_MAX];

        snprintf(actor, sizeof actor, "user:%s token:%lld", r->auth.user,
                 (long long)r->auth.token_id);
        rd_audit_actor_set(r->store, actor);
    } else {
        rd_audit_actor_set(r->store, "api");
    }
    return r->store;
}

struct rd_store *api_store(struct api_req *r)
{
    struct rd_error err = {0};

    if (api_store_try(r, &err))
        return r->store;
    api_error(r, 503, "store_unavailable", "the store cannot be opened; the server log has the details");
    return NULL;
}

/* ---- the config snapshot ---- */

/* At most once a second (one request does it, the others go on with the
 * snapshot they have): reads the store's count of account changes, and
 * reloads when another server moved it. A store that cannot answer leaves the
 * snapshot as it is; the next second tries again. */
static void cfg_refresh(struct api_req *r)
{
    struct api_server *srv = r->srv;
    int64_t now = api_now_ns(), last = atomic_load(&srv->cfg_checked_ns), changes = 0, have;
    struct rd_error err = {0};
    int rc;

    if (now - last < CFG_CHECK_NS ||
        !atomic_compare_exchange_strong(&srv->cfg_checked_ns, &last, now))
        return;
    if (!r->store && api_pool_take(srv, &r->store, &err) != RD_OK)
        return;
    rc = api_cfg_changes(r->store, &changes, &err);
    pthread_mutex_lock(&srv->cfg_mu);
    have = srv->cfg->defs_changes;
    pthread_mutex_unlock(&srv->cfg_mu);
    if (rc == RD_OK && changes != have) {
        struct rd_logline l;

        rc = api_cfg_reload(srv, r->store, &err);
        rd_log_begin(&l, rc == RD_OK ? RD_LOG_INFO : RD_LOG_WARN, "api.accounts_reloaded");
        rd_log_int(&l, "changes", changes);
        if (rc != RD_OK)
            rd_log_str(&l, "msg", err.msg);
        rd_log_end(&l);
    }
    if (rc == RD_ESTORE)
        r->store_broken = 1;
}

struct api_cfg *api_cfgref(struct api_req *r)
{
    if (!r->cfg) {
        cfg_refresh(r);
        pthread_mutex_lock(&r->srv->cfg_mu);
        r->cfg = r->srv->cfg;
        atomic_fetch_add(&r->cfg->refs, 1);
        pthread_mutex_unlock(&r->srv->cfg_mu);
    }
    return r->cfg;
}

/* ---- requests ---- */

static struct api_req *req_new(struct api_server *srv, struct MHD_Connection *c, const char *url,
                               const char *method)
{
    struct api_req *r = rd_calloc(1, sizeof *r);

    if (!r)
        return NULL;
    r->srv = srv;
    r->conn = c;
    r->method = method;
    r->path = url;
    r->route_index = SIZE_MAX;
    r->t0_ns = api_now_ns();
    rd_buf_init(&r->body, srv->body_max);
    rd_buf_init(&r->out, OUT_MAX);
    atomic_fetch_add(&srv->in_flight, 1);
    return r;
}

static void req_free(struct api_req *r)
{
    if (r->store)
        api_pool_give(r->srv, r->store, r->store_broken);
    if (r->cfg)
        api_cfg_unref(r->cfg);
    rd_buf_release(&r->body);
    rd_buf_release(&r->out);
    atomic_fetch_sub(&r->srv->in_flight, 1);
    rd_free(r);
}

static void retry_log(const struct api_req *r)
{
    struct rd_logline l;

    rd_log_begin(&l, RD_LOG_WARN, "api.store_retry");
    rd_log_str(&l, "method", r->method);
    rd_log_str(&l, "path", r->path);
    rd_log_end(&l);
}

static void run(struct api_req *r)
{
    enum api_match m;
    int st;

    m = api_route_match(r->method, r->path, &r->route, &r->route_index, &r->params, r->allow,
                        sizeof r->allow);
    if (m == API_NO_PATH) {
        api_error(r, 404, "not_found", "no route %.200s; the routes are listed in docs/api.md",
                  r->path);
        return;
    }
    if (m == API_NO_METHOD) {
        api_error(r, 405, "method_not_allowed", "%s is not allowed on %.200s; allowed: %s",
                  r->method, r->path, r->allow);
        return;
    }
    if (r->body_too_big) {
        api_error(r, 413, "body_too_large", "the request body is over the limit of %zu bytes",
                  r->srv->body_max);
        return;
    }
    for (int attempt = 0;; attempt++) {
        st = api_auth_check(r);
        if (st == 0) {
            r->status = 200;
            r->status = r->route->handler(r);
            if (r->status < 100 || r->status > 599)
                api_error(r, 500, "internal", "the handler gave no status");
        }
        /* The handle's connection turned out lost (the server restarted
         * after the pool's check): the server rolled back what the request
         * had begun on it, so the request runs once more on a fresh one. */
        if (attempt > 0 || !r->store_broken || !r->store || !r->store->ops->alive ||
            r->store->ops->alive(r->store))
            return;
        retry_log(r);
        api_pool_give(r->srv, r->store, 1);
        r->store = NULL;
        r->store_broken = 0;
        r->content_type = NULL;
        rd_buf_reset(&r->out);
    }
}

static enum MHD_Result respond(struct api_req *r)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;
    size_t len = r->out.len;
    char *data = rd_buf_detach(&r->out);

    r->responded = 1;
    if (!data) {
        /* nothing to say, or no memory to say it with */
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    } else {
        resp = MHD_create_response_from_buffer_with_free_callback(len, data, rd_free);
        if (!resp)
            rd_free(data);
    }
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            r->content_type ? r->content_type : "application/json");
    if (r->status == 405 && r->allow[0])
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    if (r->status == 401)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"riskdesk\"");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* The raw request target, before the HTTP library splits its query: a
 * request over the limits (limits.c) gets its query cut here, unparsed, and
 * is refused by on_request. The request is made here: it is *con_cls. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    struct api_req *r = req_new(cls, c, "", "");
    size_t cut = 0;

    if (!r)
        return NULL;
    r->uri_len = strlen(uri);
    r->head_verdict = api_uri_check(uri, &cut, &r->uri_args);
    if (r->head_verdict != API_HEAD_OK) {
        /* uri points into the library's own read buffer, which it splits
         * into arguments right after this callback returns */
        char *query = strchr(uri, '?');

        if (query)
            query[1] = '\0';
    }
    return r;
}

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    (void)kind;
    api_head_count_add(cls, key ? strlen(key) : 0, value ? strlen(value) : 0);
    return MHD_YES;
}

/* 0, or the 414/431 answer written when the head is over a limit. */
static int check_head(struct api_req *r)
{
    struct api_head_count h;

    if (r->head_verdict == API_HEAD_OK) {
        api_head_count_init(&h);
        MHD_get_connection_values(r->conn, MHD_HEADER_KIND, count_header, &h);
        r->head_verdict = api_head_count_check(&h);
        switch (r->head_verdict) {
        case API_HEAD_TOO_MANY_HEADERS:
            return api_error(r, 431, "headers_too_large",
                             "the request has %zu header lines; at most %d", h.n,
                             API_HEADERS_MAX);
        case API_HEAD_HEADER_TOO_LONG:
            return api_error(r, 431, "headers_too_large",
                             "a header line is %zu bytes; at most %d", h.longest,
                             API_HEADER_LINE_MAX);
        case API_HEAD_HEADERS_TOO_LARGE:
            return api_error(r, 431, "headers_too_large",
                             "the header lines are %zu bytes in all; at most %d", h.bytes,
                             API_HEADERS_BYTES_MAX);
        default:
            return 0;
        }
    }
    if (r->head_verdict == API_HEAD_URI_TOO_LONG)
        return api_error(r, 414, "uri_too_long",
                         "the request target (path and query) is %zu bytes; at most %d",
                         r->uri_len, API_URI_MAX);
    return api_error(r, 414, "uri_too_long", "the query has %zu arguments; at most %d",
                     r->uri_args, API_QUERY_ARGS_MAX);
}

static int parse_length(const char *s, size_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s || *end)
        return 0;
    *out = (size_t)v;
    return 1;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
{
    struct api_server *srv = cls;
    struct api_req *r = *con_cls;

    (void)version;
    if (!r || !r->started) {
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        size_t len = 0;

        if (!r)
            r = req_new(srv, c, url, method);
        if (!r)
            return MHD_NO;
        *con_cls = r;
        r->started = 1;
        r->path = url;
        r->method = method;
        if (check_head(r)) {
            /* answered now: the library closes the connection after it */
            r->route_index = SIZE_MAX;
            return respond(r);
        }
        if (cl && parse_length(cl, &len) && len > srv->body_max) {
            /* answer now, without reading a body we will refuse anyway */
            r->body_too_big = 1;
            run(r);
            return respond(r);
        }
        /* answering on this first call would make libmicrohttpd close the
         * connection (it has not seen the end of the request yet) */
        return MHD_YES;
    }
    if (r->responded) {
        *upload_size = 0;   /* discard what follows an early answer */
        return MHD_YES;
    }
    if (*upload_size) {
        if (!r->body_too_big && rd_buf_append(&r->body, upload_data, *upload_size) != RD_OK)
            r->body_too_big = 1;
        *upload_size = 0;
        return MHD_YES;
    }
    run(r);
    return respond(r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct api_server *srv = cls;
    struct api_req *r = *con_cls;

    (void)c;
    (void)toe;
    if (!r)
        return;
    api_metrics_observe(srv->metrics, r->route_index, r->responded ? r->status : 0,
                        api_now_ns() - r->t0_ns);
    req_free(r);
    *con_cls = NULL;
}

/* libmicrohttpd's own messages, printf-style. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    struct rd_logline l;

    (void)cls;
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    rd_log_begin(&l, RD_LOG_INFO, "api.httpd");
    rd_log_str(&l, "msg", msg);
    rd_log_end(&l);
}

/* ---- listen address ---- */

static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len, int *v6,
                        struct rd_error *err)
{
    char host[128];
    const char *colon;
    char *end;
    long port;
    size_t hn;

    memset(ss, 0, sizeof *ss);
    if (s[0] == '[') {
        const char *close = strchr(s, ']');

        if (!close || close[1] != ':')
            goto bad;
        hn = (size_t)(close - s - 1);
        colon = close + 1;
        if (hn >= sizeof host)
            goto bad;
        memcpy(host, s + 1, hn);
    } else {
        colon = strrchr(s, ':');
        if (!colon)
            goto bad;
        hn = (size_t)(colon - s);
        if (hn >= sizeof host)
            goto bad;
        memcpy(host, s, hn);
    }
    host[hn] = '\0';
    port = strtol(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end || port < 0 || port > 65535)
        goto bad;
    if (!strcmp(host, "localhost") || !host[0])
        snprintf(host, sizeof host, "%s", host[0] ? "127.0.0.1" : "0.0.0.0");
    if (s[0] == '[') {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

        if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
            goto bad;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        *len = sizeof *a;
        *v6 = 1;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;

        if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
            goto bad;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        *len = sizeof *a;
        *v6 = 0;
    }
    return RD_OK;
bad:
    return rd_error_set(err, RD_EINVAL,
                        "--listen \"%.100s\": expected HOST:PORT with an IPv4 address, localhost "
                        "or [IPv6] (e.g. 127.0.0.1:8080)", s);
}

/* ---- lifecycle ---- */

static int read_file(const char *path, char **out, size_t *len, struct rd_error *err)
{
    struct rd_buf b;
    FILE *f = fopen(path, "rb");
    char chunk[8192];
    size_t n;
    int rc = RD_OK;

    *out = NULL;
    if (!f)
        return rd_error_set(err, RD_ENOTFOUND, "%s: %s", path, strerror(errno));
    rd_buf_init(&b, 16u * 1024 * 1024);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if ((rc = rd_buf_append(&b, chunk, n)) != RD_OK)
            break;
    if (rc == RD_OK && ferror(f))
        rc = rd_error_set(err, RD_EIO, "%s: read failed", path);
    else if (rc != RD_OK)
        rc = rd_error_set(err, rc, "%s: too large or out of memory", path);
    fclose(f);
    if (rc == RD_OK) {
        *len = b.len;
        *out = rd_buf_detach(&b);
        if (!*out)
            *out = rd_strdup("");
        if (!*out)
            rc = rd_error_set(err, RD_ENOMEM, "%s: out of memory", path);
    }
    rd_buf_release(&b);
    return rc;
}

/* One PEM file for --tls-cert or --tls-key: read whole, and refused here,
 * naming the option and the file, unless it holds a PEM block of that kind
 * (GnuTLS's own message for a bad file is only logged). */
static int read_pem(const char *opt, const char *path, const char *kind, char **out,
                    struct rd_error *err)
{
    size_t len = 0;
    int rc = read_file(path, out, &len, err);

    if (rc) {
        char why[sizeof err->msg];

        snprintf(why, sizeof why, "%s", err->msg);
        return rd_error_set(err, rc, "%s: %s", opt, why);
    }
    if (len == 0 || strlen(*out) != len || !strstr(*out, "-----BEGIN ") ||
        !strstr(*out, kind)) {
        rd_free(*out);
        *out = NULL;
        return rd_error_set(err, RD_EINVAL, "%s %s: not a PEM %s (expected a \"-----BEGIN "
                            "...%s-----\" block)", opt, path, kind, kind);
    }
    return RD_OK;
}

static int load_tls(struct api_server *srv, const struct rd_api_params *p, struct rd_error *err)
{
    int rc;

    if (!p->tls_cert && !p->tls_key)
        return RD_OK;
    if (!p->tls_cert || !p->tls_key)
        return rd_error_set(err, RD_EINVAL, "%s given without %s: HTTPS needs both the "
                            "certificate and its private key",
                            p->tls_cert ? "--tls-cert" : "--tls-key",
                            p->tls_cert ? "--tls-key" : "--tls-cert");
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
        return rd_error_set(err, RD_EINVAL, "--tls-cert: this libmicrohttpd was built "
                            "without TLS (GnuTLS)");
    rc = read_pem("--tls-cert", p->tls_cert, "CERTIFICATE", &srv->tls_cert, err);
    if (!rc)
        rc = read_pem("--tls-key", p->tls_key, "PRIVATE KEY", &srv->tls_key, err);
    return rc;
}

int rd_api_server_new(const struct rd_api_params *p, struct rd_api_server **out,
                      struct rd_error *err)
{
    struct api_server *srv = NULL;
    struct rd_config *cfg = NULL;
    struct rd_store *store = NULL;
    struct sockaddr_storage ss;
    socklen_t sslen = 0;
    unsigned threads = p->threads ? p->threads : DEFAULT_THREADS;
    unsigned flags;
    int v6 = 0, rc, health_failures;
    unsigned health_interval;
    const union MHD_DaemonInfo *info;

    *out = NULL;
    rc = parse_listen(p->listen ? p->listen : "127.0.0.1:8080", &ss, &sslen, &v6, err);
    if (rc)
        return rc;
    rc = rd_config_load_default(p->config_path, &cfg, err);
    if (rc)
        return rc;
    srv = rd_calloc(1, sizeof *srv);
    if (!srv) {
        rd_config_free(cfg);
        return rd_error_set(err, RD_ENOMEM, "api: out of memory");
    }
    srv->magic = SERVER_MAGIC;
    srv->body_max = p->body_max ? p->body_max : DEFAULT_BODY_MAX;
    srv->started_at = (int64_t)time(NULL);
    pthread_mutex_init(&srv->cfg_mu, NULL);
    pthread_mutex_init(&srv->write_mu, NULL);
    pthread_mutex_init(&srv->pool.mu, NULL);
    snprintf(srv->config_origin, sizeof srv->config_origin, "%s", cfg->origin);
    snprintf(srv->database, sizeof srv->database, "%s",
             p->database && *p->database ? p->database : cfg->database);
    snprintf(srv->pool.url, sizeof srv->pool.url, "%s", srv->database);
    /* read once: a secretsmanager: key is not fetched for every handle */
    srv->pool.keyed = cfg->encryption_key[0] != '\0';
    if (srv->pool.keyed &&
        (rc = rd_encryption_key_resolve(cfg->encryption_key, &srv->pool.key, err)) != RD_OK) {
        rd_config_free(cfg);
        goto out;
    }
    health_interval = cfg->health_interval_s;
    health_failures = cfg->health_failures;
    rd_config_free(cfg);
    cfg = NULL;
    srv->pool.max = threads + 1;
    srv->pool.cap = threads + 8;
    srv->pool.free = rd_calloc(srv->pool.cap, sizeof *srv->pool.free);
    if (!srv->pool.free || api_token_cache_new(&srv->tokens) != RD_OK ||
        api_metrics_new(&srv->metrics) != RD_OK || api_live_table_new(&srv->live) != RD_OK ||
        api_acct_cache_new(&srv->acct_cache) != RD_OK ||
        api_health_new(&srv->health) != RD_OK) {
        rc = rd_error_set(err, RD_ENOMEM, "api: out of memory");
        goto out;
    }
    if (strstr(srv->database, ":memory:")) {
        rc = rd_error_set(err, RD_EINVAL,
                          "serve needs a database file: \"%s\" would give every request thread "
                          "its own empty database", srv->database);
        goto out;
    }
    rc = read_file(srv->config_origin, &srv->config_text, &srv->config_len, err);
    if (!rc)
        rc = load_tls(srv, p, err);
    if (rc)
        goto out;
    api_health_configure(srv, health_interval, health_failures);
    rc = api_pool_take(srv, &store, err);
    if (rc)
        goto out;
    rc = api_cfg_reload(srv, store, err);
    api_pool_give(srv, store, rc != RD_OK);
    if (rc)
        goto out;
    srv->trade_wait_ms = p->trade_wait_ms ? p->trade_wait_ms : 5000;
    srv->clock_offset = p->clock_start ? p->clock_start - (int64_t)time(NULL) : 0;
    rc = api_dispatchers_start(srv, p->dispatch, p->dispatch_interval, err);
    if (rc)
        goto out;
    /* the accounts whose dispatcher does not run here: their brokers once,
     * then the monitor every interval */
    api_health_probe(srv);
    rc = api_health_start(srv, err);
    if (!rc)
        rc = api_slack_followups_start(srv, err);
    if (rc)
        goto out;

    flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
            (v6 ? MHD_USE_IPv6 : 0) | (srv->tls_cert ? MHD_USE_TLS : 0);
    {
        struct MHD_OptionItem tls[] = {
            {MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert},
            {MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key},
            {MHD_OPTION_END, 0, NULL},
        };

        if (!srv->tls_cert)
            tls[0].option = MHD_OPTION_END;
        srv->daemon = MHD_start_daemon(
            flags, 0, NULL, NULL, on_request, srv,
            MHD_OPTION_ARRAY, tls,
            MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
            MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
            MHD_OPTION_THREAD_POOL_SIZE, threads,
            MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
            MHD_OPTION_CONNECTION_LIMIT, (unsigned)1024,
            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
            MHD_OPTION_END);
    }
    if (!srv->daemon) {
        rc = rd_error_set(err, RD_EIO, "cannot listen on %s (in use, or not an address of this "
                                       "machine%s)", p->listen ? p->listen : "127.0.0.1:8080",
                          srv->tls_cert ? "; or --tls-cert/--tls-key were refused: a key "
                                          "that is not the certificate's, or encrypted" : "");
        goto out;
    }
    info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? (int)info->port : 0;
    *out = (struct rd_api_server *)srv;
    srv = NULL;
out:
    if (srv)
        rd_api_server_free((struct rd_api_server *)srv);
    return rc;
}

int rd_api_server_port(const struct rd_api_server *s)
{
    return ((const struct api_server *)s)->port;
}

void rd_api_server_stop(struct rd_api_server *s, unsigned grace_ms)
{
    struct api_server *srv = (struct api_server *)s;
    struct timespec ts = {0, 10 * 1000 * 1000};

    if (atomic_exchange(&srv->stopping, 1))
        return;
    if (srv->daemon) {
        MHD_socket fd = MHD_quiesce_daemon(srv->daemon);

        for (unsigned waited = 0; atomic_load(&srv->in_flight) > 0 && waited < grace_ms;
             waited += 10)
            nanosleep(&ts, NULL);
        MHD_stop_daemon(srv->daemon);
        srv->daemon = NULL;
        if (fd != MHD_INVALID_SOCKET)
            close(fd);
    }
    api_slack_followups_stop(srv);
    api_health_stop(srv);
    api_dispatchers_stop(srv);
}

void rd_api_server_free(struct rd_api_server *s)
{
    struct api_server *srv = (struct api_server *)s;

    if (!srv)
        return;
    rd_api_server_stop(s, 0);
    pool_release(&srv->pool);
    if (srv->cfg)
        api_cfg_unref(srv->cfg);
    rd_free(srv->config_text);
    rd_free(srv->tls_cert);
    if (srv->tls_key) {
        explicit_bzero(srv->tls_key, strlen(srv->tls_key));
        rd_free(srv->tls_key);
    }
    api_token_cache_free(srv->tokens);
    api_metrics_free(srv->metrics);
    api_live_table_free(srv->live);
    api_acct_cache_free(srv->acct_cache);
    api_health_free(srv->health);
    pthread_mutex_destroy(&srv->cfg_mu);
    pthread_mutex_destroy(&srv->write_mu);
    srv->magic = 0;
    rd_free(srv);
}
