/*
 * api_int.h - the HTTP server's insides, shared by the files of src/api.
 *
 * A request is a struct api_req: the router fills route and path params,
 * auth fills who is asking, a handler fills status and body (JSON in out).
 * Handlers take what they need lazily: api_store() lends a store handle from
 * the server's pool for the rest of the request, api_cfg() a reference to the
 * current account configuration. Both are given back when the request ends.
 *
 * Adding routes: write a routes_NAME.c that defines
 *   const struct api_route_table api_routes_NAME = {routes, n};
 * and list it once in src/api/route_tables.h. docs/openapi.yaml must list the
 * same method and path (tests/unit/test_openapi.c checks).
 */
#ifndef RISKDESK_API_INT_H
#define RISKDESK_API_INT_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "riskdesk/api.h"
#include "riskdesk/broker.h"
#include "riskdesk/buf.h"
#include "riskdesk/config.h"
#include "riskdesk/store.h"

struct api_req;
struct api_server;
struct api_live_table;

/* ---- routes ---- */

enum api_route_flags {
    API_ACCOUNT_SCOPED = 1,      /* path param "id" names an account: a trader must own it */
    API_USER_SCOPED = 2,         /* path param "id" names a user: a trader only themselves */
    API_TOKEN_OPTIONAL = 4,      /* a public route that shows more to a token: one sent is checked */
};

struct api_route {
    const char *method;
    const char *pattern;         /* literal segments and {name} params */
    enum rd_api_role min_role;
    int (*handler)(struct api_req *r);   /* returns the HTTP status */
    unsigned flags;
};

struct api_route_table {
    const struct api_route *routes;
    size_t n;
};

#define API_ROUTES(name) extern const struct api_route_table api_routes_##name;
#include "api/route_tables.h"
#undef API_ROUTES

#define API_PARAMS_MAX 4
#define API_PARAM_MAX 128

struct api_params {
    int n;
    const char *names[API_PARAMS_MAX];       /* point into the route pattern */
    size_t name_len[API_PARAMS_MAX];
    char values[API_PARAMS_MAX][API_PARAM_MAX];
};

enum api_match { API_MATCH, API_NO_PATH, API_NO_METHOD };

/*
 * Finds the route for method and path. API_MATCH fills *route, its index in
 * the combined table (*index) and params. API_NO_METHOD writes the methods the
 * path does answer into allow ("GET, POST"). A path segment that matches a
 * literal beats one that matches a {param}.
 */
enum api_match api_route_match(const char *method, const char *path, const struct api_route **route,
                               size_t *index, struct api_params *params, char *allow,
                               size_t allow_n);
size_t api_route_total(void);
const struct api_route *api_route_at(size_t i);

/* ---- the account configuration the API serves ---- */

/* What the API knows of an account beyond its struct rd_account_config. */
struct api_acct_meta {
    int from_api;                /* made through the API (else: the config file) */
    int64_t created_at, closed_at;
    char closed_by[64];
    char *def;                   /* the API-made account's config JSON (rd_malloc'ed) */
};

/* A snapshot: the config file merged with the API-made accounts. Immutable
 * once published; reference counted so a change never pulls it out from
 * under a request. meta[i] goes with cfg->accounts[i]. */
struct api_cfg {
    atomic_int refs;
    struct rd_config *cfg;
    struct api_acct_meta *meta;
    int64_t defs_changes;        /* the store's change counter when it was read */
    uint64_t seq;                /* this server's count of snapshots made: tells them apart */
};

void api_cfg_unref(struct api_cfg *c);
/* Rebuilds the snapshot from the config file's text and the store's
 * account_defs (using store), and publishes it (unless a snapshot of a later
 * change is already out). */
int api_cfg_reload(struct api_server *srv, struct rd_store *store, struct rd_error *err);
/* The store's count of account_defs changes (0 when none was made). */
int api_cfg_changes(struct rd_store *store, int64_t *out, struct rd_error *err);
/* Checks that the file's config plus def (one account's JSON, replacing any
 * API-made account of the same name) would load; the message names the
 * problem. RD_EEXIST when it is an Alpaca account whose keys resolve to
 * another account's (the message names that account, never the key). */
int api_cfg_check_def(struct api_server *srv, struct rd_store *store, const char *name,
                      const char *def, struct rd_error *err);
int api_cfg_index(const struct api_cfg *c, const char *name);   /* -1 when absent */

/* ---- per-account tables (by_name.c) ---- */

#define API_NAME_MAX 64

/* A growable array of entries of one size, each starting with its name
 * (char[API_NAME_MAX]). Not locked: the owner's mutex guards it. */
struct api_by_name {
    char *e;
    size_t size, n, cap;
};

void api_by_name_init(struct api_by_name *t, size_t entry_size);
void api_by_name_release(struct api_by_name *t);
/* The entry named name, or NULL. */
void *api_by_name_get(const struct api_by_name *t, const char *name);
/* The entry named name, added zeroed but for its name (*added = 1) when new;
 * NULL without memory. A pointer is good until the next add. */
void *api_by_name_find(struct api_by_name *t, const char *name, int *added);

/* ---- live account numbers (the broker's), shared by routes and /metrics ---- */

struct api_live {
    int known;                   /* the broker answered at least once */
    int ok;                      /* its last answer was good */
    rd_money buying_power, cash, equity, last_equity;
    char status[32];
    char error[160];             /* the last failure, when !ok */
    int64_t at;                  /* when (Unix s) */
    int from_dispatcher;         /* set by an in-process dispatcher's cycle */
    int tier_crossed;            /* its buying power says another tier than the one it runs */
};

/* The numbers of an account, asking its broker when what is known is older
 * than max_age seconds (store is the request's handle). */
void api_live_get(struct api_server *srv, struct rd_store *store,
                  const struct rd_config *cfg, const struct rd_account_config *a, int max_age,
                  struct api_live *out);
void api_live_set(struct api_server *srv, const char *account, const struct api_live *v);
/* Asks the broker now (the health monitor's poll): 1 with *out fresh, 0 when
 * another thread was asking it at the time (*out: what is known). */
int api_live_poll(struct api_server *srv, struct rd_store *store, const struct rd_config *cfg,
                  const struct rd_account_config *a, struct api_live *out);
int api_live_table_new(struct api_live_table **out);
void api_live_table_free(struct api_live_table *t);

/* ---- account health (health.c) ---- */

struct api_health;

struct api_health_state {
    int known;                   /* polled (or started) at least once */
    int healthy;                 /* 1 until "failures" polls in a row fail */
    int failures;                /* consecutive failed polls */
    int init_failed;             /* failed to initialise at start (degraded) */
    int dispatcher_failed;       /* ... because its dispatcher did not start */
    char error[256];             /* the last failure */
    char init_error[256];        /* the failure at start */
    int64_t checked_at, changed_at;
};

int api_health_new(struct api_health **out);
void api_health_free(struct api_health *h);
/* The config's "health": {"interval_s", "failures"} (validated by the config
 * loader; 0: the default). */
void api_health_configure(struct api_server *srv, unsigned interval_s, int failures);
/* One poll's outcome: counts failures in a row, marks and clears (logged). */
void api_health_report(struct api_server *srv, const char *account, int ok, const char *error);
/* The account failed to initialise: unhealthy at once. */
void api_health_init_failed(struct api_server *srv, const char *account, const char *error,
                            int dispatcher);
/* 1 with the warning an assignment to an unhealthy account carries in buf. */
int api_health_warning(struct api_server *srv, const char *account, char *buf, size_t n);
/* Its dispatcher, which failed to start, came up later: healthy again (logged). */
void api_health_dispatcher_started(struct api_server *srv, const char *account);
/* The account's state; an account never polled is healthy. */
void api_health_get(struct api_server *srv, const char *account, struct api_health_state *out);
int api_health_ok(struct api_server *srv, const char *account);
/* How many open accounts failed to initialise while others run (0: not
 * degraded); names comma-separated into the buffers. */
int api_health_degraded(struct api_server *srv, char *running_on, size_t rn, char *failed,
                        size_t fn);
/* The probe at start of the accounts whose dispatcher does not run here. */
void api_health_probe(struct api_server *srv);
int api_health_start(struct api_server *srv, struct rd_error *err);
void api_health_stop(struct api_server *srv);
unsigned api_health_interval(const struct api_server *srv);
int api_health_threshold(const struct api_server *srv);

/* ---- one account as JSON (account_json.c) ---- */

struct api_acct_cache;

/* Appends account i of c as the account routes show it: config, the store's
 * row (NULL: none), the broker's numbers, health. */
void api_account_json(struct rd_buf *o, const struct api_cfg *c, int i,
                      const struct rd_account_row *row, const struct api_live *live,
                      const struct api_health_state *h);
/* The same, copied from what the server last wrote for that account when
 * every one of those inputs is as it was then (GET /api/v1/accounts). */
void api_account_json_cached(struct api_server *srv, struct rd_buf *o, const struct api_cfg *c,
                             int i, const struct rd_account_row *row,
                             const struct api_live *live, const struct api_health_state *h);
const char *api_tier_mode_name(enum rd_tier_mode m);
int api_acct_cache_new(struct api_acct_cache **out);
void api_acct_cache_free(struct api_acct_cache *t);

/* ---- limits of a request's head (limits.c; docs/api.md) ---- */

#define API_URI_MAX 8192             /* the request target: path and query */
#define API_QUERY_ARGS_MAX 64
#define API_HEADERS_MAX 64           /* header lines */
#define API_HEADER_LINE_MAX 8192     /* one header line */
#define API_HEADERS_BYTES_MAX 16384  /* all of them */

enum api_head_verdict {
    API_HEAD_OK,
    API_HEAD_URI_TOO_LONG,           /* 414 */
    API_HEAD_TOO_MANY_ARGS,          /* 414 */
    API_HEAD_TOO_MANY_HEADERS,       /* 431 */
    API_HEAD_HEADER_TOO_LONG,        /* 431 */
    API_HEAD_HEADERS_TOO_LARGE,      /* 431 */
};

/* Checks a raw request target (NUL-terminated, as received). Returns an
 * enum api_head_verdict; *nargs is the number of query arguments, *cut the
 * length the target may keep: strlen(uri) when it is within the limits,
 * else just past its '?' (the query dropped unparsed). */
int api_uri_check(const char *uri, size_t *cut, size_t *nargs);

struct api_head_count {
    size_t n, bytes, longest;
};
void api_head_count_init(struct api_head_count *h);
void api_head_count_add(struct api_head_count *h, size_t name_len, size_t value_len);
/* API_HEAD_OK or what is over its limit. */
int api_head_count_check(const struct api_head_count *h);

/* ---- the server ---- */

#define API_LIVE_MAX_AGE 5

struct api_store_pool {
    pthread_mutex_t mu;
    struct rd_store **free;      /* idle handles */
    size_t nfree, cap;
    size_t open, max;
    char url[RD_SOURCE_MAX];
    int keyed;                   /* handles open with key (encryption.key); wiped at free */
    struct rd_encryption_key key;
};

struct api_token_cache;
struct api_metrics;
struct api_dispatchers;
struct api_live_table;
struct api_slack_followups;

struct api_server {
    uint32_t magic;
    struct MHD_Daemon *daemon;
    int port;
    size_t body_max;
    unsigned trade_wait_ms;      /* POST /trade's wait for an in-process decision */
    int64_t clock_offset;        /* the trading clock minus the wall clock (s) */
    atomic_int in_flight;
    atomic_int stopping;
    int64_t started_at;

    pthread_mutex_t cfg_mu;      /* guards cfg (the pointer) */
    _Atomic int64_t cfg_checked_ns;   /* when the store's change counter was last read */
    pthread_mutex_t write_mu;    /* one account change (check, store, reload) at a time */
    struct api_cfg *cfg;
    _Atomic uint64_t cfg_seq;    /* snapshots made (struct api_cfg's seq) */
    char *config_text;           /* the config file as read at start */
    char *tls_cert, *tls_key;    /* PEM, owned; NULL: plain HTTP */
    size_t config_len;
    char config_origin[RD_SOURCE_MAX];
    char database[RD_SOURCE_MAX];

    struct api_store_pool pool;
    struct api_token_cache *tokens;
    struct api_metrics *metrics;
    struct api_dispatchers *dispatchers;
    struct api_live_table *live;
    struct api_acct_cache *acct_cache;   /* account_json.c */
    struct api_health *health;
    struct api_slack_followups *followups;   /* slack_followup.c */
};

/* Store pool: a handle for one thread at a time. */
int api_pool_take(struct api_server *srv, struct rd_store **out, struct rd_error *err);
void api_pool_give(struct api_server *srv, struct rd_store *s, int broken);

/* ---- a request ---- */

struct api_auth {
    enum rd_api_role role;       /* RD_ROLE_PUBLIC when no token was checked */
    char user[64];
    char account[64];            /* a trader's assigned account ("" none) */
    int64_t token_id;
};

struct api_req {
    struct api_server *srv;
    struct MHD_Connection *conn;
    const char *method;
    const char *path;
    const struct api_route *route;
    size_t route_index;          /* SIZE_MAX when none matched */
    struct api_params params;
    struct api_auth auth;

    struct rd_buf body;          /* request body, capped at srv->body_max */
    int body_too_big;
    int head_verdict;            /* enum api_head_verdict from the URI callback */
    size_t uri_len, uri_args;    /* the raw target's length and argument count */
    int started;                 /* on_request has seen it */

    struct rd_store *store;      /* lent by api_store() */
    int store_broken;
    struct api_cfg *cfg;         /* referenced by api_cfg() */

    int status;
    struct rd_buf out;           /* response body */
    const char *content_type;    /* NULL: application/json */
    char allow[64];              /* for 405 */
    int64_t t0_ns;
    int responded;
};

/* The request's store handle, or NULL with the error response written
 * (then return r->status). */
struct rd_store *api_store(struct api_req *r);
/* The same without a response: NULL with *err filled (and logged), for a
 * handler that has something to say without the store (/metrics). */
struct rd_store *api_store_try(struct api_req *r, struct rd_error *err);
struct api_cfg *api_cfgref(struct api_req *r);
const char *api_param(const struct api_req *r, const char *name);
/* A query-string argument, or NULL. */
const char *api_query(const struct api_req *r, const char *name);
/* A query argument that is a date YYYY-MM-DD into *out (untouched when
 * absent): 0, or 400 naming the argument. */
int api_query_day(struct api_req *r, const char *name, int32_t *out);
/* 400 when the query has an argument not in the NULL-terminated list. */
int api_query_check(struct api_req *r, const char *const *allowed);

/* Auth: fills r->auth from the Authorization header and checks the route's
 * role. Returns 0 when allowed, else the status with the error written. */
int api_auth_check(struct api_req *r);
/* May this request see the account (traders: only their own)? */
int api_may_see_account(const struct api_req *r, const char *account);
int api_token_cache_new(struct api_token_cache **out);
void api_token_cache_free(struct api_token_cache *c);
/* Forget cached tokens (after a revoke, an assignment change). */
void api_token_cache_clear(struct api_token_cache *c);

/* ---- JSON out ---- */

/* Appends s as a JSON string (quoted, escaped); n bytes at most. */
void api_json_str(struct rd_buf *b, const char *s);
void api_json_strn(struct rd_buf *b, const char *s, size_t n);
void api_json_money(struct rd_buf *b, rd_money m);    /* "1500.00" */
void api_json_time(struct rd_buf *b, int64_t t);      /* "2026-11-20T15:30:00Z", null for 0 */
/* Writes {"error": {"code", "message"}} as the body; returns status. */
int api_error(struct api_req *r, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Maps a library error to a status and error body (store failures are
 * logged and answered 500 without their details). */
int api_fail(struct api_req *r, int rc, const struct rd_error *err);
/* Parses the body as JSON (object or array as the caller checks); 400 with
 * the line and column when malformed. Returns 0 and sets *out, or the status. */
int api_body_json(struct api_req *r, json_t **out);
/* Appends v as compact JSON. */
int api_json_dump(json_t *v, struct rd_buf *out);
/* Items of a JSON body holding one object or an array, as byte ranges,
 * without building them (each is then parsed once by its own reader).
 * Strings and escapes are skipped and nesting counted; an item's own syntax
 * is left to its reader. RD_EINVAL with *bad_at (a byte offset) when the
 * array itself is malformed; RD_ENOMEM. *out is rd_malloc'ed (rd_free). */
struct api_span {
    size_t off, len;
};
int api_json_split(const char *s, size_t n, struct api_span **out, size_t *count, int *is_array,
                   size_t *bad_at);
/* Object keys allowed in a body: 400 naming the first unknown one. */
int api_json_check_keys(struct api_req *r, json_t *o, const char *const *allowed,
                        const char *where);
/* A string member (or NULL when absent); 400 when present but not a string
 * or longer than max - 1 bytes. Returns 0 or the status. */
int api_json_get_str(struct api_req *r, json_t *o, const char *key, const char **out,
                     size_t max);
/* A stored decision: {"id", "account", "rec_id", "decided_at", "first_failed",
 * "decision": decision_json.h's shape}. */
void api_decision_json(struct rd_buf *o, const struct rd_decision_row *row);
/* Names of accounts and users: [A-Za-z0-9_.@-], 1-63 bytes. */
int api_valid_name(const char *s);

/* ---- assignment strategies (assign.c) ---- */

struct api_assign_strategy {
    const char *name;            /* "manual" */
    /* Picks the account for user u from the request body into account[n]
     * ("" = unassign). Returns 0, or the status with the error written. */
    int (*pick)(struct api_req *r, struct api_cfg *c, const struct rd_user_row *u, json_t *body,
                char *account, size_t n);
};
const struct api_assign_strategy *api_assign_strategy_find(const char *name);
void api_assign_strategy_names(char *buf, size_t n);   /* "manual, ..." */
/* The config's assignment.auto: the strategy that assigns a user who has no
 * account ("least_loaded" when unset), or NULL for "none". */
const struct api_assign_strategy *api_assign_auto(struct api_cfg *c);
/* A user's first trade assigns them (the config's assignment.auto over the
 * healthy accounts, recorded with reason "first trade"), in two steps so a
 * trade that fails assigns nothing: pick into account[n] and the strategy's
 * name into strategy[16] (nothing written; 409 no_account when
 * assignment.auto is "none"), then record once the trade has been answered
 * (sets u->account; 409 when the user was assigned elsewhere meanwhile).
 * r->store must be taken. Return 0, or the status with the error written. */
int api_assign_first_pick(struct api_req *r, const struct rd_user_row *u, char *account,
                          size_t n, char strategy[16]);
int api_assign_first_record(struct api_req *r, struct rd_user_row *u, const char *account,
                            const char *strategy);

/* ---- metrics ---- */

int api_metrics_new(struct api_metrics **out);
void api_metrics_free(struct api_metrics *m);
/* One finished request: route index (SIZE_MAX for none), status, duration. */
void api_metrics_observe(struct api_metrics *m, size_t route, int status, int64_t ns);
/* Appends the HTTP part of /metrics. */
void api_metrics_http(struct api_metrics *m, struct rd_buf *out);
/* GET /metrics: the accounts' part, then the HTTP part. */
int api_metrics_handler(struct api_req *r);

/* ---- in-process dispatchers ---- */

int api_dispatchers_start(struct api_server *srv, const char *which, unsigned interval,
                          struct rd_error *err);
/* Under `--dispatch all`: a dispatcher, started by its own thread, for each
 * open account of the current snapshot that has none (one made through the
 * API since). Called after a new snapshot is published. */
void api_dispatchers_adopt(struct api_server *srv);
/* Asks them to stop after their cycle and waits for them. */
void api_dispatchers_stop(struct api_server *srv);
/* Whether the named account's dispatcher was asked for and has not started
 * (yet: its thread tries again every interval). */
int api_dispatchers_failed_start(struct api_server *srv, const char *account);
/* How many run, and whether the named one has failed (for /readyz). */
int api_dispatchers_status(struct api_server *srv, const char *account, int *running,
                           char *error, size_t n);
/* When the account's dispatcher runs in this server: rec (its price from the
 * broker's quote when 0) evaluated by that dispatcher's runner, changing
 * nothing; RD_ENOTFOUND when it does not run here. */
int api_dispatchers_evaluate(struct api_server *srv, const char *account, int64_t now,
                             struct rd_rec *rec, struct rd_decision *dec,
                             struct rd_broker_account *ba, struct rd_error *err);
/* A trade waiting for its account's in-process dispatcher to decide it:
 * filled in by the dispatcher's hooks, done once the cycle that decided it
 * has committed. The caller owns it (on its stack). */
struct api_watch {
    struct api_watch *next;
    void *disp;                  /* NULL: not registered */
    char rec_id[RD_REC_ID_MAX];
    int decided, done;
    struct rd_decision dec;
    int ordered;                 /* an order was placed and the broker answered */
    struct rd_order_row order;
};
/* Registers w for rec_id (before it is stored, so no decision is missed):
 * 1 when the account's dispatcher runs here, else 0 and w unregistered. */
int api_dispatchers_watch(struct api_server *srv, const char *account, const char *rec_id,
                          struct api_watch *w);
void api_dispatchers_unwatch(struct api_server *srv, struct api_watch *w);
/* Wakes the dispatcher and waits up to wait_ms for w's decision: RD_OK when
 * decided, RD_ETIMEOUT when not by then. Unregisters w either way. */
int api_dispatchers_wait(struct api_server *srv, struct api_watch *w, unsigned wait_ms);

int64_t api_now_ns(void);
/* The trading clock (Unix s): the wall clock, or rd_api_params.clock_start's. */
int64_t api_clock(const struct api_server *srv);

#endif
