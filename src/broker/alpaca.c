/*
 * alpaca.c - the Alpaca Trading API v2 broker: one handle per account, paper
 * by default, live only when the account's config says "live": true and the
 * process runs with EXECUTION_MODE=ALPACA_LIVE.
 *
 * Orders are never blindly sent twice. A POST that times out, drops or gets a
 * 5xx is followed by a lookup by client order id: found means placed, 404
 * means send again with the same id. A 429 is sent again with the same id
 * after the limiter's wait (a copy that did land is refused as a duplicate).
 * A 422 "client_order_id must be unique" is the order placed before: it is
 * looked up and returned with RD_EEXIST.
 *
 * An order Alpaca accepted but has not finished (new, accepted,
 * partially_filled...) is waited for briefly (RISKDESK_ALPACA_FILL_WAIT_MS,
 * default 1000 ms). If it is still working after that, submit_order and
 * get_order answer RD_EBROKER ("still working"), so the dispatcher keeps the
 * order pending and records its fill, or its end, in a later cycle when
 * get_order finds it final. docs/alpaca.md says why.
 */
#include "riskdesk/alpaca.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "riskdesk/alloc.h"
#include "riskdesk/config.h"
#include "riskdesk/log.h"
#include "broker/alpaca_int.h"

#include "riskdesk/banned.h"

#define ALPACA_MAGIC 0x41504341u              /* "APCA" */
#define FILL_WAIT_MS 1000
#define UNFILLED_STREAK 3                     /* then stop waiting until an order fills */
#define NS_HEALTH "alpaca.health"

struct alpaca {
    struct rd_broker base;
    uint32_t magic;
    struct alpaca_http http;
    struct rd_store *store;
    int live;
    long fill_wait_ms;
    int unfilled_streak;
    int64_t open_checked_at;                 /* the `now` whose open orders were compared */
    int level_warned;
};

static struct alpaca *to_alpaca(struct rd_broker *b)
{
    struct alpaca *a = (struct alpaca *)b;

    if (!b || b->ops != &rd_broker_alpaca_ops || a->magic != ALPACA_MAGIC)
        return NULL;
    return a;
}

static int not_alpaca(struct rd_error *err)
{
    return rd_error_set(err, RD_EINVAL, "alpaca broker: the handle is not an open alpaca broker");
}

/* ---- health ---- */

static void set_health(struct alpaca *a, int healthy, const char *why)
{
    struct rd_logline l;
    struct rd_error e = {0};
    char val[400];

    if (a->http.stats.healthy == healthy)
        return;
    a->http.stats.healthy = healthy;
    rd_log_begin(&l, healthy ? RD_LOG_INFO : RD_LOG_ERROR,
                 healthy ? "alpaca.healthy" : "alpaca.unhealthy");
    rd_log_str(&l, "account", a->base.account);
    if (!healthy)
        rd_log_str(&l, "reason", why);
    rd_log_end(&l);
    if (!a->store || !a->store->ops->trading->kv_put)
        return;
    {
        char esc[300];
        size_t j = 0;

        for (const char *c = why ? why : ""; *c && j + 2 < sizeof esc; c++) {
            if (*c == '"' || *c == '\\')
                esc[j++] = '\\';
            esc[j++] = (*c >= 0x20 && *c < 0x7f) ? *c : ' ';
        }
        esc[j] = '\0';
        snprintf(val, sizeof val, "{\"healthy\":%s,\"at\":%" PRId64 ",\"reason\":\"%s\"}",
                 healthy ? "true" : "false", (int64_t)time(NULL), healthy ? "" : esc);
    }
    if (a->store->ops->trading->kv_put(a->store, NS_HEALTH, a->base.account, val, 0, &e) != RD_OK)
        rd_log_msg(RD_LOG_WARN, "alpaca.health_not_stored", e.msg);
}

/* After a call: transport failures that outlasted the retries make the account
 * unhealthy; any answer from Alpaca makes it healthy again. */
static int note(struct alpaca *a, int rc, struct rd_error *err)
{
    if (rc == RD_ETIMEOUT || (rc == RD_EBROKER && a->http.status == 0) ||
        (rc == RD_EBROKER && a->http.status >= 500) || (rc == RD_EBROKER && a->http.status == 429))
        set_health(a, 0, err ? err->msg : "");
    else if (a->http.status > 0 && a->http.status < 500 && a->http.status != 429)
        set_health(a, 1, NULL);
    return rc;
}

/* ---- opening: where, which keys, and the live rule ---- */

static int is_loopback(const char *host, size_t n)
{
    return (n == 9 && !strncmp(host, "127.0.0.1", 9)) || (n == 9 && !strncasecmp(host, "localhost", 9)) ||
           (n == 5 && !strncmp(host, "[::1]", 5));
}

/* Normalises the base URL into out and says whether its host is the paper host
 * or loopback. */
static int check_base(const char *account, const char *url, char *out, size_t n, int *paper_host,
                      int *loopback, struct rd_error *err)
{
    static const char paper[] = "paper-api.alpaca.markets";
    const char *host, *end, *p;
    size_t len = strlen(url), hlen;
    int https = !strncmp(url, "https://", 8), http = !strncmp(url, "http://", 7);

    *paper_host = *loopback = 0;
    while (len && url[len - 1] == '/')
        len--;
    if (len >= 3 && !strncmp(url + len - 3, "/v2", 3))
        len -= 3;                             /* APCA_API_BASE_URL is sometimes given with /v2 */
    while (len && url[len - 1] == '/')
        len--;
    if (!https && !http)
        return rd_error_set(err, RD_ECONFIG, "alpaca account %s: base URL \"%.100s\": expected "
                            "https://HOST (plain http only for a loopback test server)", account, url);
    host = url + (https ? 8 : 7);
    end = url + len;
    if (host < end && *host == '[') {
        p = memchr(host, ']', (size_t)(end - host));
        hlen = p ? (size_t)(p - host) + 1 : 0;
    } else {
        hlen = host < end ? strcspn(host, "/:?#@") : 0;
        if (host + hlen > end)
            hlen = (size_t)(end - host);
    }
    p = host + hlen;
    if (hlen == 0 || (p < end && (*p != ':' || p + 1 == end ||
                                  strspn(p + 1, "0123456789") != (size_t)(end - p - 1))))
        return rd_error_set(err, RD_ECONFIG, "alpaca account %s: base URL \"%.100s\": expected "
                            "scheme://HOST[:PORT] and no path", account, url);
    *loopback = is_loopback(host, hlen);
    *paper_host = hlen == sizeof paper - 1 && !strncasecmp(host, paper, hlen);
    if (http && !*loopback)
        return rd_error_set(err, RD_ECONFIG, "alpaca account %s: base URL \"%.100s\": plain http is "
                            "allowed only for a loopback host (127.0.0.1, localhost, [::1]); use "
                            "https", account, url);
    if (len >= n)
        return rd_error_set(err, RD_ECONFIG, "alpaca account %s: base URL too long", account);
    memcpy(out, url, len);
    out[len] = '\0';
    return RD_OK;
}

static int key_ok(const char *k)
{
    if (!k[0])
        return 0;
    for (; *k; k++)
        if (*k < 0x21 || *k > 0x7e)
            return 0;
    return 1;
}

static long env_ms(const char *name, long dflt, long lo, long hi, int *bad)
{
    const char *v = getenv(name);
    char *end;
    long x;

    *bad = 0;
    if (!v || !v[0])
        return dflt;
    x = strtol(v, &end, 10);
    if (*end || x < lo || x > hi) {
        *bad = 1;
        return dflt;
    }
    return x;
}

static int alpaca_open(const struct rd_broker_params *p, struct rd_broker **out,
                       struct rd_error *err)
{
    struct rd_credentials c;
    struct alpaca *a = NULL;
    const char *mode = getenv("EXECUTION_MODE");
    char base[256], masked[32];
    int paper_host, loopback, live_key, live_url, live_ok, bad, rc;
    long fill_wait;
    struct rd_logline l;

    if (!out)
        return rd_error_set(err, RD_EINVAL, "alpaca broker: no place for the handle");
    *out = NULL;
    if (!p || !p->account || !*p->account || strlen(p->account) >= sizeof a->base.account)
        return rd_error_set(err, RD_EINVAL, "alpaca broker: an account name of 1 to %zu characters "
                            "is required", sizeof a->base.account - 1);
    if (mode && mode[0] && strcasecmp(mode, "ALPACA_PAPER") && strcasecmp(mode, "ALPACA_LIVE")) {
        if (!strcasecmp(mode, "SIMULATED"))
            return rd_error_set(err, RD_ECONFIG, "alpaca account %s: refused: EXECUTION_MODE="
                                "SIMULATED keeps orders away from Alpaca (rule: SIMULATED runs the "
                                "paper broker only); unset it or set ALPACA_PAPER", p->account);
        return rd_error_set(err, RD_ECONFIG, "EXECUTION_MODE=\"%.20s\": expected SIMULATED, "
                            "ALPACA_PAPER or ALPACA_LIVE", mode);
    }
    fill_wait = env_ms("RISKDESK_ALPACA_FILL_WAIT_MS", FILL_WAIT_MS, 0, 60000, &bad);
    if (bad)
        return rd_error_set(err, RD_ECONFIG, "RISKDESK_ALPACA_FILL_WAIT_MS: expected milliseconds "
                            "from 0 to 60000");
    if (!p->credentials || !p->credentials[0])
        return rd_error_set(err, RD_ECONFIG, "alpaca account %s: no credentials source (expected "
                            "\"env:PREFIX\" or \"file:PATH\")", p->account);
    rc = rd_credentials_resolve(p->credentials, &c, err);
    if (rc != RD_OK)
        return rd_error_prefix(err, "alpaca account %s", p->account);
    if (!key_ok(c.api_key) || !key_ok(c.api_secret)) {
        rc = rd_error_set(err, RD_ECONFIG, "alpaca account %s: %s: the key id or secret holds "
                          "spaces or control characters (values not shown)", p->account, c.origin);
        goto out;
    }
    rc = check_base(p->account, c.base_url[0] ? c.base_url : RD_ALPACA_PAPER_URL, base, sizeof base,
                    &paper_host, &loopback, err);
    if (rc != RD_OK)
        goto out;
    live_key = strncmp(c.api_key, "PK", 2) != 0;
    live_url = !paper_host && !loopback;
    live_ok = p->live && mode && !strcasecmp(mode, "ALPACA_LIVE");
    if ((live_key || live_url) && !live_ok) {
        rc = rd_error_set(err, RD_EAUTH,
                          "alpaca account %s: refused: %s%s%s; rule: a live key or a live base URL "
                          "needs \"live\": true for this account in the config AND "
                          "EXECUTION_MODE=ALPACA_LIVE (here: live is %s, EXECUTION_MODE is %s)",
                          p->account, live_key ? "the API key does not start with \"PK\" (paper "
                                                 "keys do)" : "",
                          live_key && live_url ? " and " : "",
                          live_url ? "the base URL is not Alpaca's paper host" : "",
                          p->live ? "true" : "false", mode && mode[0] ? mode : "unset");
        goto out;
    }
    a = rd_calloc(1, sizeof *a);
    if (!a) {
        rc = rd_error_set(err, RD_ENOMEM, "alpaca account %s: out of memory", p->account);
        goto out;
    }
    rc = alpaca_http_open(&a->http, p->account, base, c.api_key, c.api_secret, err);
    if (rc != RD_OK) {
        rd_free(a);
        a = NULL;
        goto out;
    }
    a->base.ops = &rd_broker_alpaca_ops;
    snprintf(a->base.account, sizeof a->base.account, "%s", p->account);
    a->base.now = (int64_t)time(NULL);
    a->magic = ALPACA_MAGIC;
    a->store = p->store;
    a->live = live_key || live_url;
    a->fill_wait_ms = fill_wait;
    a->open_checked_at = INT64_MIN;
    rd_secret_mask(c.api_key, masked, sizeof masked);
    rd_log_begin(&l, a->live ? RD_LOG_WARN : RD_LOG_INFO, "alpaca.open");
    rd_log_str(&l, "account", p->account);
    rd_log_str(&l, "mode", a->live ? "LIVE" : "paper");
    rd_log_str(&l, "base_url", base);
    rd_log_str(&l, "key", masked);
    rd_log_str(&l, "credentials", c.origin);
    rd_log_end(&l);
    *out = &a->base;
out:
    rd_credentials_wipe(&c);
    return rc;
}

static void alpaca_close(struct rd_broker *b)
{
    struct alpaca *a = to_alpaca(b);
    struct rd_logline l;

    if (!a)
        return;
    rd_log_begin(&l, RD_LOG_INFO, "alpaca.closed");
    rd_log_str(&l, "account", a->base.account);
    rd_log_int(&l, "requests", a->http.stats.requests);
    rd_log_int(&l, "connections", a->http.stats.connects);
    rd_log_int(&l, "retries", a->http.stats.retries);
    rd_log_int(&l, "rate_waits", a->http.stats.rate_waits);
    rd_log_int(&l, "lookups", a->http.stats.lookups);
    rd_log_end(&l);
    alpaca_http_close(&a->http);
    a->magic = 0;
    rd_free(a);
}

/* A GET or DELETE expecting `want`; anything else becomes an error naming it. */
static int call(struct alpaca *a, const char *method, const char *path, long want,
                struct rd_error *err)
{
    int rc = alpaca_http_call(&a->http, method, path, err);

    if (rc == RD_OK && a->http.status != want) {
        long s = a->http.status;

        rc = alpaca_http_error(&a->http, s == 401 || s == 403 ? RD_EAUTH
                                         : s == 404           ? RD_ENOTFOUND
                                                              : RD_EBROKER,
                               method, path, err);
    }
    return note(a, rc, err);
}

/* ---- account, positions, clock ---- */

int rd_alpaca_get_account(struct rd_broker *b, struct rd_alpaca_account *out, struct rd_error *err)
{
    struct alpaca *a = to_alpaca(b);
    int rc;

    if (!a)
        return not_alpaca(err);
    rc = call(a, "GET", "/v2/account", 200, err);
    if (rc == RD_OK && rd_alpaca_parse_account(a->http.body.data, a->http.body.len, out, err))
        rc = rd_error_prefix(err, "alpaca account %s: GET /v2/account", a->base.account);
    return rc;
}

static int alpaca_get_account(struct rd_broker *b, struct rd_broker_account *out,
                              struct rd_error *err)
{
    struct alpaca *a = to_alpaca(b);
    struct rd_alpaca_account x;
    int rc;

    if (!a)
        return not_alpaca(err);
    rc = rd_alpaca_get_account(b, &x, err);
    if (rc != RD_OK)
        return rc;
    memset(out, 0, sizeof *out);
    snprintf(out->account_number, sizeof out->account_number, "%s", x.account_number);
    snprintf(out->status, sizeof out->status, "%s", x.status);
    /* riskdesk buys options: Alpaca checks them against options_buying_power,
     * which is below the (margin) buying_power; size on the lower of the two */
    out->buying_power = x.buying_power;
    if (x.options_buying_power > 0 && x.options_buying_power < out->buying_power)
        out->buying_power = x.options_buying_power;
    out->cash = x.cash;
    out->equity = x.equity;
    out->last_equity = x.last_equity;
    out->trading_blocked = x.trading_blocked || x.account_blocked || x.trade_suspended_by_user ||
                           strcmp(x.status, "ACTIVE") != 0;
    out->daytrade_count = x.daytrade_count;
    if (!a->level_warned && x.options_trading_level >= 0 && x.options_trading_level < 2) {
        struct rd_logline l;

        a->level_warned = 1;
        rd_log_begin(&l, RD_LOG_WARN, "alpaca.options_level");
        rd_log_str(&l, "account", a->base.account);
        rd_log_int(&l, "options_trading_level", x.options_trading_level);
        rd_log_str(&l, "note", "buying calls and puts needs level 2; Alpaca will refuse them");
        rd_log_end(&l);
    }
    if (out->trading_blocked) {
        struct rd_logline l;

        rd_log_begin(&l, RD_LOG_WARN, "alpaca.trading_blocked");
        rd_log_str(&l, "account", a->base.account);
        rd_log_str(&l, "status", x.status);
        rd_log_int(&l, "trading_blocked", x.trading_blocked);
        rd_log_int(&l, "account_blocked", x.account_blocked);
        rd_log_int(&l, "trade_suspended_by_user", x.trade_suspended_by_user);
        rd_log_end(&l);
    }
    return RD_OK;
}

int rd_alpaca_list_positions(struct rd_broker *b, struct rd_alpaca_position **out, size_t *n,
                             struct rd_error *err)
{
    struct alpaca *a = to_alpaca(b);
    int rc;

    *out = NULL;
    *n = 0;
    if (!a)
        return not_alpaca(err);
    rc = call(a, "GET", "/v2/positions", 200, err);
    if (rc == RD_OK && rd_alpaca_parse_positions(a->http.body.data, a->http.body.len, out, n, err))
        rc = rd_error_prefix(err, "alpaca account %s: GET /v2/positions", a->base.account);
    return rc;
}

int rd_alpaca_list_orders(struct rd_broker *b, const char *status, int limit,
                          struct rd_alpaca_order **out, size_t *n, struct rd_error *err)
{
    struct alpaca *a = to_alpaca(b);
    char path[128];
    int rc;

    *out = NULL;
    *n = 0;
    if (!a)
        return not_alpaca(err);
    if (!status || (strcmp(status, "open") && strcmp(status, "closed") && strcmp(status, "all")) ||
        limit < 1 || limit > 500)
        return rd_error_set(err, RD_EINVAL, "alpaca: list orders: status open|closed|all and a "
                            "limit of 1 to 500");
    snprintf(path, sizeof path, "/v2/orders?status=%s&limit=%d&direction=desc", status, limit);
    rc = call(a, "GET", path, 200, err);
    if (rc == RD_OK && rd_alpaca_parse_orders(a->http.body.data, a->http.body.len, out, n, err))
        rc = rd_error_prefix(err, "alpaca account %s: GET /v2/orders", a->base.account);
    return rc;
}

int rd_alpaca_get_clock(struct rd_broker *b, struct rd_alpaca_clock *out, struct rd_error *err)
{
    struct alpaca *a = to_alpaca(b);
    int rc;

    if (!a)
        return not_alpaca(err);
    rc = call(a, "GET", "/v2/clock", 200, err);
    if (rc == RD_OK && rd_alpaca_parse_clock(a->http.body.data, a->http.body.len, out, err))
        rc = rd_error_prefix(err, "alpaca account %s: GET /v2/clock", a->base.account);
    return rc;
}

/*
 * Once per cycle (per value of base.now): Alpaca's open orders against the
 * store. The dispatcher reconciles the store's pending and accepted orders
 * itself; what it cannot see is an order Alpaca has open that the store says
 * is over, or one riskdesk never recorded for this account.
 *
 *  - The store says canceled or rejected, Alpaca has it open: Alpaca is the
 *    truth. The row goes back to accepted (reconcile.order_repaired), so the
 *    dispatcher's own reconciliation follows it to its fill or its end.
 *  - The store says filled, Alpaca has it open: logged (reconcile.
 *    order_mismatch), not rewritten: the fill was recorded (position, trade)
 *    and following it again would count it twice.
 *  - Not in the store for this account (placed by hand or by another tool):
 *    foreign, logged (reconcile.order_foreign) and left alone, never canceled
 *    on a guess. Alpaca holds buying power for it, so the buying power the
 *    gates and sizing read already counts it; riskdesk's exposure (its own
 *    positions) does not. docs/alpaca.md says why.
 */
static void repair_order(struct alpaca *a, const struct rd_alpaca_order *o, struct rd_order_row *row)
{
    struct rd_error e = {0};
    struct rd_logline l;
    const char *was = rd_order_status_name(row->status);
    int rc;

    row->status = RD_ORDER_ACCEPTED;
    snprintf(row->broker_order_id, sizeof row->broker_order_id, "%s", o->id);
    row->reason[0] = '\0';
    row->updated_at = a->base.now;
    rc = a->store->ops->trading->order_update(a->store, row, &e);
    rd_log_begin(&l, RD_LOG_WARN, rc == RD_OK ? "reconcile.order_repaired"
                                              : "reconcile.order_repair_failed");
    rd_log_str(&l, "account", a->base.account);
    rd_log_str(&l, "client_order_id", row->client_order_id);
    rd_log_str(&l, "broker_order_id", o->id);
    rd_log_str(&l, "symbol", o->symbol);
    rd_log_str(&l, "alpaca_status", o->status);
    rd_log_str(&l, "store_status", was);
    if (rc == RD_OK)
        rd_log_str(&l, "now", "accepted");
    else
        rd_log_str(&l, "error", e.msg);
    rd_log_str(&l, "note", "the store said this order was over; Alpaca has it open, and Alpaca "
                           "is the truth: followed again until it ends");
    rd_log_end(&l);
}

static void check_open_orders(struct alpaca *a)
{
    struct rd_alpaca_order *list = NULL;
    struct rd_error e = {0};
    size_t n = 0;

    if (a->open_checked_at == a->base.now || !a->store || !a->store->ops->trading->order_get)
        return;
    a->open_checked_at = a->base.now;
    if (rd_alpaca_list_orders(&a->base, "open", 500, &list, &n, &e) != RD_OK) {
        rd_log_msg(RD_LOG_WARN, "reconcile.open_orders_failed", e.msg);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        struct rd_order_row row;
        struct rd_logline l;
        int rc = a->store->ops->trading->order_get(a->store, list[i].client_order_id, &row, &e);
        int ours = rc == RD_OK && !strcmp(row.account, a->base.account);
        char qty[48];

        if (ours && (row.status == RD_ORDER_PENDING || row.status == RD_ORDER_ACCEPTED))
            continue;                                  /* the dispatcher follows it */
        if (ours && (row.status == RD_ORDER_CANCELED || row.status == RD_ORDER_REJECTED)) {
            repair_order(a, &list[i], &row);
            continue;
        }
        if (rc != RD_OK && rc != RD_ENOTFOUND) {
            rd_log_begin(&l, RD_LOG_WARN, "reconcile.open_orders_failed");
            rd_log_str(&l, "account", a->base.account);
            rd_log_str(&l, "client_order_id", list[i].client_order_id);
            rd_log_str(&l, "error", e.msg);
            rd_log_end(&l);
            continue;
        }
        rd_log_begin(&l, RD_LOG_WARN, ours ? "reconcile.order_mismatch" : "reconcile.order_foreign");
        rd_log_str(&l, "account", a->base.account);
        rd_log_str(&l, "client_order_id", list[i].client_order_id);
        rd_log_str(&l, "broker_order_id", list[i].id);
        rd_log_str(&l, "symbol", list[i].symbol);
        rd_log_str(&l, "side", list[i].side);
        snprintf(qty, sizeof qty, "%" PRId64 ".%06" PRId64, list[i].qty_e6 / 1000000,
                 list[i].qty_e6 % 1000000);
        rd_log_str(&l, "qty", qty);
        rd_log_str(&l, "alpaca_status", list[i].status);
        rd_log_str(&l, "store_status", ours ? rd_order_status_name(row.status) : "none");
        rd_log_str(&l, "note", ours ? "the store says this order filled; Alpaca has it open: "
                                      "left as recorded (following it again would count the fill "
                                      "twice)"
                                    : "foreign: open at Alpaca but not placed by riskdesk for "
                                      "this account; left alone (not canceled). Alpaca holds "
                                      "buying power for it, so sizing and the buying-power gates "
                                      "count it; riskdesk's exposure does not");
        rd_log_end(&l);
    }
    rd_free(list);
}

static int alpaca_list_positions(struct rd_broker *b, struct rd_broker_position **out, size_t *n,
                                 struct rd_error *err)
{
    struct alpaca *a = to_alpaca(b);
    struct rd_alpaca_position *ap = NULL;
    struct rd_broker_position *list = NULL;
    size_t np = 0;
    int rc;

    if (!a)
        return not_alpaca(err);
    *out = NULL;
    *n = 0;
    rc = rd_alpaca_list_positions(b, &ap, &np, err);
    if (rc != RD_OK)
        return rc;
    if (np) {
        list = rd_calloc(np, sizeof *list);
        if (!list) {
            rd_free(ap);
            return rd_error_set(err, RD_ENOMEM, "alpaca account %s: out of memory", b->account);
        }
    }
    for (size_t i = 0; i < np; i++) {
        struct rd_broker_position *q = &list[i];

        memcpy(q->symbol, ap[i].symbol, sizeof q->symbol);
        q->qty = ap[i].qty_e6 / 1000000;
        if (ap[i].qty_e6 % 1000000) {
            struct rd_logline l;

            rd_log_begin(&l, RD_LOG_WARN, "reconcile.fractional_qty");
            rd_log_str(&l, "account", b->account);
            rd_log_str(&l, "symbol", ap[i].symbol);
            rd_log_int(&l, "qty_millionths", ap[i].qty_e6);
            rd_log_str(&l, "note", "riskdesk counts whole shares; the fraction is left out");
            rd_log_end(&l);
        }
        q->multiplier = ap[i].multiplier;
        q->avg_entry_price = ap[i].avg_entry_price;
        q->current_price = ap[i].current_price;
        q->market_value = ap[i].market_value;
    }
    rd_free(ap);
    *out = list;
    *n = np;
    check_open_orders(a);
    return RD_OK;
}

static int alpaca_quote(struct rd_broker *b, const char *symbol, rd_money *price,
                        struct rd_error *err)
{
    struct alpaca *a = to_alpaca(b);
    struct rd_alpaca_position *ap = NULL;
    size_t np = 0;
    int rc;

    if (!a)
        return not_alpaca(err);
    rc = rd_alpaca_list_positions(b, &ap, &np, err);
    if (rc != RD_OK)
        return rc;
    rc = rd_error_set(err, RD_EUNSUPPORTED, "alpaca account %s: no quote for %s: riskdesk reads "
                      "prices of held positions only (the market data API is not used)",
                      b->account, symbol);
    for (size_t i = 0; i < np; i++)
        if (!strcmp(ap[i].symbol, symbol)) {
            *price = ap[i].current_price;
            rd_error_clear(err);
            rc = RD_OK;
        }
    rd_free(ap);
    return rc;
}

/* ---- orders ---- */

/* GET one order by client order id (retried like any GET): RD_ENOTFOUND on 404. */
static int lookup(struct alpaca *a, const char *cid, struct rd_alpaca_order *o, struct rd_error *err)
{
    char path[256], esc[160];
    int rc;

    if (alpaca_url_escape(cid, esc, sizeof esc) != RD_OK)
        return rd_error_set(err, RD_EINVAL, "alpaca: client order id too long");
    snprintf(path, sizeof path, "/v2/orders:by_client_order_id?client_order_id=%s", esc);
    a->http.stats.lookups++;
    rc = call(a, "GET", path, 200, err);
    if (rc == RD_OK && rd_alpaca_parse_order(a->http.body.data, a->http.body.len, o, err))
        rc = rd_error_prefix(err, "alpaca account %s: order %s", a->base.account, cid);
    return rc;
}

static int still_working(struct alpaca *a, const struct rd_alpaca_order *o, struct rd_error *err)
{
    return rd_error_set(err, RD_EBROKER, "alpaca account %s: order %s (Alpaca %s) is still "
                        "working (status %s): left pending; a later cycle records how it ends",
                        a->base.account, o->client_order_id, o->id, o->status);
}

/* Waits briefly for an accepted order to finish. RD_OK with out filled when it
 * did; RD_EBROKER "still working" when not. */
static int await_final(struct alpaca *a, struct rd_alpaca_order *o, struct rd_order_result *out,
                       struct rd_error *err)
{
    char path[160], esc[100];
    long waited = 0, step = 25;
    long budget = a->unfilled_streak >= UNFILLED_STREAK ? 0 : a->fill_wait_ms;
    struct timespec ts;

    if (rd_alpaca_order_final(o, out))
        return RD_OK;
    if (alpaca_url_escape(o->id, esc, sizeof esc) != RD_OK)
        return still_working(a, o, err);
    snprintf(path, sizeof path, "/v2/orders/%s", esc);
    for (;;) {
        struct rd_error e = {0};
        struct rd_alpaca_order now;

        if (call(a, "GET", path, 200, &e) == RD_OK &&
            rd_alpaca_parse_order(a->http.body.data, a->http.body.len, &now, &e) == RD_OK) {
            *o = now;
            if (rd_alpaca_order_final(o, out)) {
                a->unfilled_streak = 0;
                return RD_OK;
            }
        }
        if (waited >= budget)
            break;
        if (step > budget - waited)
            step = budget - waited;
        ts.tv_sec = step / 1000;
        ts.tv_nsec = (step % 1000) * 1000000L;
        nanosleep(&ts, NULL);
        waited += step;
        step *= 2;
    }
    a->unfilled_streak++;
    return still_working(a, o, err);
}

static int valid_symbol(const char *s)
{
    if (!s[0])
        return 0;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '.' || *s == '/'))
            return 0;
    return 1;
}

static int valid_cid(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);

    if (n == 0 || n >= cap || n > RD_ALPACA_CLIENT_ORDER_ID_MAX)
        return 0;
    for (; *s; s++)
        if (*s < 0x21 || *s > 0x7e || *s == '"' || *s == '\\')
            return 0;
    return 1;
}

static void refuse(struct rd_order_result *out, const char *why, const struct alpaca_http *h)
{
    struct rd_alpaca_error e;
    char code[32] = "";

    rd_alpaca_parse_error(h->body.data, h->body.len, &e);
    if (e.code)
        snprintf(code, sizeof code, ", code %lld", (long long)e.code);
    memset(out, 0, sizeof *out);
    out->status = RD_ORDER_REJECTED;
    snprintf(out->reason, sizeof out->reason, "Alpaca %s: %s (HTTP %ld%s%s%s)", why, e.message,
             h->status, code, h->request_id[0] ? ", request " : "", h->request_id);
}

static int is_duplicate(const struct alpaca_http *h)
{
    struct rd_alpaca_error e;

    rd_alpaca_parse_error(h->body.data, h->body.len, &e);
    return strstr(e.message, "client_order_id") && strstr(e.message, "unique");
}

static int alpaca_submit_order(struct rd_broker *b, const struct rd_order_request *req,
                               struct rd_order_result *out, struct rd_error *err)
{
    struct alpaca *a = to_alpaca(b);
    struct alpaca_http *h;
    struct rd_alpaca_order o;
    char body[512], limit[48] = "", lp[32];
    const char *cid;
    int rc = RD_EBROKER, placed_before = 0;

    if (!a)
        return not_alpaca(err);
    if (!req || !out)
        return rd_error_set(err, RD_EINVAL, "alpaca broker: submit_order needs a request and a result");
    h = &a->http;
    cid = req->client_order_id;
    if (!valid_cid(cid, sizeof req->client_order_id))
        return rd_error_set(err, RD_EINVAL, "alpaca account %s: a client order id must be 1 to %d "
                            "printable characters", b->account, RD_ALPACA_CLIENT_ORDER_ID_MAX);
    memset(out, 0, sizeof *out);
    if (!valid_symbol(req->symbol) || req->qty <= 0 ||
        (req->side != RD_SIDE_BUY && req->side != RD_SIDE_SELL) || req->limit_price < 0) {
        out->status = RD_ORDER_REJECTED;
        snprintf(out->reason, sizeof out->reason, "not sent to Alpaca: symbol \"%.31s\", qty "
                 "%" PRId64 " or side is not valid", req->symbol, req->qty);
        return RD_OK;
    }
    if (req->limit_price > 0) {
        rd_money_format(req->limit_price, lp, sizeof lp);
        snprintf(limit, sizeof limit, ",\"limit_price\":\"%s\"", lp);
    }
    snprintf(body, sizeof body,
             "{\"symbol\":\"%s\",\"qty\":\"%" PRId64 "\",\"side\":\"%s\",\"type\":\"%s\","
             "\"time_in_force\":\"day\",\"client_order_id\":\"%s\"%s}",
             req->symbol, req->qty, req->side == RD_SIDE_BUY ? "buy" : "sell",
             req->limit_price > 0 ? "limit" : "market", cid, limit);
    for (int attempt = 1; attempt <= ALPACA_ATTEMPTS; attempt++) {
        struct rd_error perr = {0};
        int prc;

        if (attempt > 1)
            h->stats.retries++;
        prc = alpaca_http_once(h, "POST", "/v2/orders", body, &perr);
        if (prc == RD_OK && h->status == 200) {
            set_health(a, 1, NULL);
            if (rd_alpaca_parse_order(h->body.data, h->body.len, &o, err) != RD_OK)
                return rd_error_prefix(err, "alpaca account %s: order %s was placed but its reply "
                                       "is unreadable (the next cycle looks it up)", b->account, cid);
            goto placed;
        }
        if (prc == RD_OK && h->status == 429)
            continue;                         /* the limiter waits; a landed copy would be a 422 */
        if (prc == RD_OK && h->status == 422 && is_duplicate(h)) {
            set_health(a, 1, NULL);
            placed_before = 1;
            rc = lookup(a, cid, &o, err);
            if (rc != RD_OK)
                return rd_error_prefix(err, "alpaca account %s: order %s: Alpaca says the id was "
                                       "used, but the lookup failed", b->account, cid);
            goto placed;
        }
        if (prc == RD_OK && (h->status == 400 || h->status == 403 || h->status == 404 ||
                             h->status == 422)) {
            set_health(a, 1, NULL);
            refuse(out, h->status == 403 ? "refused the order for buying power or quantity"
                                         : "refused the order", h);
            {
                struct rd_logline l;

                rd_log_begin(&l, RD_LOG_WARN, "alpaca.order_rejected");
                rd_log_str(&l, "account", b->account);
                rd_log_str(&l, "client_order_id", cid);
                rd_log_int(&l, "status", h->status);
                rd_log_str(&l, "reason", out->reason);
                rd_log_str(&l, "request_id", h->request_id);
                rd_log_end(&l);
            }
            return RD_OK;
        }
        if (prc == RD_OK && h->status == 401) {
            set_health(a, 1, NULL);
            return alpaca_http_error(h, RD_EAUTH, "POST", "/v2/orders", err);
        }
        /* a timeout, a dropped connection, a 5xx, an odd status: did it land? */
        if (prc == RD_OK)
            alpaca_http_error(h, RD_EBROKER, "POST", "/v2/orders", &perr);
        {
            struct rd_logline l;

            rd_log_begin(&l, RD_LOG_WARN, "alpaca.order_unclear");
            rd_log_str(&l, "account", b->account);
            rd_log_str(&l, "client_order_id", cid);
            rd_log_int(&l, "attempt", attempt);
            rd_log_str(&l, "error", perr.msg);
            rd_log_str(&l, "next", "look it up by client order id");
            rd_log_end(&l);
        }
        rc = lookup(a, cid, &o, err);
        if (rc == RD_OK)
            goto placed;
        if (rc != RD_ENOTFOUND) {
            rc = prc == RD_ETIMEOUT ? RD_ETIMEOUT : RD_EBROKER;
            return rd_error_set(err, rc, "alpaca account %s: order %s: unknown whether it was "
                                "placed (%s; the lookup failed too): it stays pending and the next "
                                "cycle looks it up", b->account, cid, perr.msg);
        }
        rd_error_clear(err);
        alpaca_http_backoff(h, attempt);     /* not there: send again with the same id */
    }
    set_health(a, 0, "orders could not be placed after retries");
    return rd_error_set(err, RD_EBROKER, "alpaca account %s: order %s not placed after %d tries "
                        "(rate limited, or Alpaca failing; it stays pending)", b->account, cid,
                        ALPACA_ATTEMPTS);
placed:
    rc = await_final(a, &o, out, err);
    if (rc != RD_OK)
        return rc;
    if (placed_before) {
        struct rd_logline l;

        rd_log_begin(&l, RD_LOG_INFO, "alpaca.order_exists");
        rd_log_str(&l, "account", b->account);
        rd_log_str(&l, "client_order_id", cid);
        rd_log_str(&l, "broker_order_id", o.id);
        rd_log_str(&l, "alpaca_status", o.status);
        rd_log_str(&l, "note", "placed before (Alpaca: client_order_id must be unique); not sent again");
        rd_log_end(&l);
        return rd_error_set(err, RD_EEXIST, "alpaca account %s: client order id %s was already "
                            "used (Alpaca order %s, %s)", b->account, cid, o.id, o.status);
    }
    return RD_OK;
}

static int alpaca_get_order(struct rd_broker *b, const char *client_order_id,
                            struct rd_order_result *out, struct rd_error *err)
{
    struct alpaca *a = to_alpaca(b);
    struct rd_alpaca_order o;
    int rc;

    if (!a)
        return not_alpaca(err);
    if (!client_order_id || !out || !valid_cid(client_order_id, RD_ALPACA_CLIENT_ORDER_ID_MAX + 1))
        return rd_error_set(err, RD_EINVAL, "alpaca broker: get_order needs a client order id");
    rc = lookup(a, client_order_id, &o, err);
    if (rc != RD_OK)
        return rc;
    if (!rd_alpaca_order_final(&o, out))
        return still_working(a, &o, err);
    return RD_OK;
}

int rd_alpaca_cancel_order(struct rd_broker *b, const char *order_id, struct rd_error *err)
{
    struct alpaca *a = to_alpaca(b);
    char path[160], esc[100];
    int rc;

    if (!a)
        return not_alpaca(err);
    if (!order_id || !order_id[0] || alpaca_url_escape(order_id, esc, sizeof esc) != RD_OK)
        return rd_error_set(err, RD_EINVAL, "alpaca: cancel needs an order id");
    snprintf(path, sizeof path, "/v2/orders/%s", esc);
    rc = alpaca_http_call(&a->http, "DELETE", path, err);
    if (rc == RD_OK && a->http.status != 204 && a->http.status != 200) {
        long s = a->http.status;

        rc = alpaca_http_error(&a->http, s == 404 ? RD_ENOTFOUND : s == 422 ? RD_EREJECTED
                                         : s == 401 || s == 403 ? RD_EAUTH : RD_EBROKER,
                               "DELETE", path, err);
    }
    return note(a, rc, err);
}

int rd_alpaca_cancel_all(struct rd_broker *b, struct rd_alpaca_cancel **out, size_t *n,
                         struct rd_error *err)
{
    struct alpaca *a = to_alpaca(b);
    int rc;

    *out = NULL;
    *n = 0;
    if (!a)
        return not_alpaca(err);
    rc = call(a, "DELETE", "/v2/orders", 207, err);
    if (rc == RD_OK && a->http.body.len &&
        rd_alpaca_parse_cancels(a->http.body.data, a->http.body.len, out, n, err))
        rc = rd_error_prefix(err, "alpaca account %s: DELETE /v2/orders", a->base.account);
    return rc;
}

int rd_alpaca_stats(struct rd_broker *b, struct rd_alpaca_stats *out)
{
    struct alpaca *a = to_alpaca(b);

    if (!a || !out)
        return RD_EINVAL;
    *out = a->http.stats;
    return RD_OK;
}

const struct rd_broker_ops rd_broker_alpaca_ops = {
    .name = "alpaca",
    .version = 1,
    .open = alpaca_open,
    .close = alpaca_close,
    .get_account = alpaca_get_account,
    .list_positions = alpaca_list_positions,
    .submit_order = alpaca_submit_order,
    .get_order = alpaca_get_order,
    .quote = alpaca_quote,
};
