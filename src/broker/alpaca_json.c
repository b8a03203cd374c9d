/*
 * alpaca_json.c - Alpaca's replies into plain structs: account, positions,
 * orders, clock, the 207 of cancel-all, error bodies; and what an order's
 * status means to the dispatcher. Pure: no I/O, no logging.
 *
 * Exact numbers: jansson keeps no number text, so each reply first goes
 * through quote_numbers(), which rewrites every JSON number token outside
 * strings into a string holding the same characters (1.10 -> "1.10"). Every
 * numeric field is then read from text, the same way whether Alpaca sent a
 * string or a number. Unknown fields are ignored; null and "" mean absent.
 */
#include "riskdesk/alpaca.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "riskdesk/buf.h"
#include "riskdesk/calendar.h"

#include "riskdesk/banned.h"

#define E6 1000000LL
#define MAX_LIST 100000

/* ---- numbers to strings ---- */

static size_t scan_digits(const char *s, size_t i, size_t len)
{
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++;
    return i;
}

/* Length of the JSON number token at s[i] per RFC 8259, or 0 when malformed. */
static size_t number_token(const char *s, size_t i, size_t len)
{
    size_t start = i, j;

    if (i < len && s[i] == '-')
        i++;
    if (i < len && s[i] == '0')
        i++;
    else if (i < len && s[i] >= '1' && s[i] <= '9')
        i = scan_digits(s, i, len);
    else
        return 0;
    if (i < len && s[i] == '.') {
        j = scan_digits(s, i + 1, len);
        if (j == i + 1)
            return 0;
        i = j;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        j = scan_digits(s, i, len);
        if (j == i)
            return 0;
        i = j;
    }
    return i - start;
}

static int quote_numbers(const char *s, size_t len, struct rd_buf *out, const char *what,
                         struct rd_error *err)
{
    size_t i = 0, run = 0;
    int in_str = 0, rc = RD_OK;

    while (i < len && rc == RD_OK) {
        char c = s[i];

        if (in_str) {
            if (c == '\\')
                i++;                             /* the escaped character is skipped too */
            else if (c == '"')
                in_str = 0;
            i++;
            continue;
        }
        if (c == '"') {
            in_str = 1;
            i++;
            continue;
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            size_t n = number_token(s, i, len);

            if (n == 0)
                return rd_error_set(err, RD_EINVAL, "%s: malformed number at byte %zu", what, i);
            rc = rd_buf_append(out, s + run, i - run);
            if (!rc)
                rc = rd_buf_append(out, "\"", 1);
            if (!rc)
                rc = rd_buf_append(out, s + i, n);
            if (!rc)
                rc = rd_buf_append(out, "\"", 1);
            i += n;
            run = i;
            continue;
        }
        i++;
    }
    if (!rc)
        rc = rd_buf_append(out, s + run, (i > len ? len : i) - run);
    if (rc == RD_ENOMEM)
        return rd_error_set(err, RD_ENOMEM, "%s: out of memory", what);
    if (rc)
        return rd_error_set(err, RD_ETOOBIG, "%s: reply larger than %zu bytes", what, out->max);
    return RD_OK;
}

/* Parses a reply into *out (an object or array, as `want_array` says). */
static int load(const char *text, size_t len, int want_array, const char *what, json_t **out,
                struct rd_error *err)
{
    struct rd_buf b;
    json_error_t jerr;
    int rc;

    *out = NULL;
    rd_buf_init(&b, 2 * RD_ALPACA_BODY_MAX + 16);
    rc = quote_numbers(text ? text : "", text ? len : 0, &b, what, err);
    if (rc)
        goto out;
    *out = json_loadb(rd_buf_str(&b), b.len, JSON_REJECT_DUPLICATES, &jerr);
    if (!*out) {
        /* jerr.text may quote the reply; the position is enough */
        rc = rd_error_set(err, RD_EINVAL, "%s: not valid JSON (line %d, column %d)", what,
                          jerr.line, jerr.column);
        goto out;
    }
    if (want_array ? !json_is_array(*out) : !json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        rc = rd_error_set(err, RD_EINVAL, "%s: expected a JSON %s", what,
                          want_array ? "array [...]" : "object {...}");
    }
out:
    rd_buf_release(&b);
    return rc;
}

/* ---- fields ---- */

struct ctx {
    const char *what;        /* "alpaca account", "alpaca positions[3]" */
    struct rd_error *err;
};

static int bad(const struct ctx *c, const char *key, const char *fmt, const char *detail)
{
    return rd_error_set(c->err, RD_EINVAL, "%s: field \"%s\": %s%s", c->what, key, fmt,
                        detail ? detail : "");
}

/* The text of a string field; NULL when absent, null or "". */
static const char *text_of(const json_t *o, const char *key, size_t *len)
{
    const json_t *v = json_object_get(o, key);

    if (!json_is_string(v) || json_string_length(v) == 0)
        return NULL;
    *len = json_string_length(v);
    return json_string_value(v);
}

static int get_str(const json_t *o, const char *key, char *out, size_t n, const struct ctx *c)
{
    const json_t *v = json_object_get(o, key);
    size_t len;

    out[0] = '\0';
    if (!v || json_is_null(v))
        return RD_OK;
    if (!json_is_string(v))
        return bad(c, key, "expected a string", NULL);
    len = json_string_length(v);
    if (len >= n)
        len = n - 1;                             /* fixed fields are cut, never overflowed */
    memcpy(out, json_string_value(v), len);
    out[len] = '\0';
    if (strlen(out) != len)
        return bad(c, key, "contains a NUL character", NULL);
    return RD_OK;
}

static int get_dec(const json_t *o, const char *key, int places, int64_t *out, const struct ctx *c)
{
    struct rd_error e = {0};
    size_t len = 0;
    const char *s = text_of(o, key, &len);
    const json_t *v = json_object_get(o, key);

    *out = 0;
    if (!s) {
        if (v && !json_is_null(v) && !json_is_string(v))
            return bad(c, key, "expected a decimal (string or number)", NULL);
        return RD_OK;
    }
    if (rd_decimal_parse(s, len, places, out, &e) != RD_OK)
        return bad(c, key, "", e.msg);
    return RD_OK;
}

static int get_money(const json_t *o, const char *key, rd_money *out, const struct ctx *c)
{
    return get_dec(o, key, 4, out, c);
}

/* A whole number (string or number); *out = dflt when absent. */
static int get_int(const json_t *o, const char *key, int64_t lo, int64_t hi, int64_t dflt,
                   int64_t *out, const struct ctx *c)
{
    size_t len = 0, i = 0;
    const char *s = text_of(o, key, &len);
    const json_t *v = json_object_get(o, key);
    int64_t x = 0;
    int neg = 0;

    *out = dflt;
    if (!s) {
        if (v && !json_is_null(v) && !json_is_string(v))
            return bad(c, key, "expected a whole number", NULL);
        return RD_OK;
    }
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == len)
        return bad(c, key, "expected a whole number", NULL);
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return bad(c, key, "expected a whole number", NULL);
        if (x > (INT64_MAX - 9) / 10)
            return bad(c, key, "out of range", NULL);
        x = x * 10 + (s[i] - '0');
    }
    x = neg ? -x : x;
    if (x < lo || x > hi)
        return bad(c, key, "out of range", NULL);
    *out = x;
    return RD_OK;
}

/* true/false (or the strings "true"/"false"); *out = dflt when absent. */
static int get_bool(const json_t *o, const char *key, int dflt, int *out, const struct ctx *c)
{
    const json_t *v = json_object_get(o, key);
    const char *s;

    *out = dflt;
    if (!v || json_is_null(v))
        return RD_OK;
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return RD_OK;
    }
    s = json_string_value(v);
    if (s && (!strcmp(s, "true") || !strcmp(s, "false"))) {
        *out = s[0] == 't';
        return RD_OK;
    }
    return bad(c, key, "expected true or false", NULL);
}

static int get_time(const json_t *o, const char *key, int64_t *out, const struct ctx *c)
{
    struct rd_error e = {0};
    size_t len = 0;
    const char *s = text_of(o, key, &len);

    *out = 0;
    if (!s)
        return bad(c, key, "required", NULL);
    if (rd_time_parse(s, len, out, &e) != RD_OK)
        return bad(c, key, "", e.msg);
    return RD_OK;
}

/* ---- account ---- */

static int account_from(const json_t *o, struct rd_alpaca_account *a, const struct ctx *c)
{
    int64_t lvl_a, lvl_t, dtc;
    int rc;

    memset(a, 0, sizeof *a);
    if ((rc = get_str(o, "id", a->id, sizeof a->id, c)) ||
        (rc = get_str(o, "account_number", a->account_number, sizeof a->account_number, c)) ||
        (rc = get_str(o, "status", a->status, sizeof a->status, c)) ||
        (rc = get_str(o, "currency", a->currency, sizeof a->currency, c)) ||
        (rc = get_money(o, "buying_power", &a->buying_power, c)) ||
        (rc = get_money(o, "regt_buying_power", &a->regt_buying_power, c)) ||
        (rc = get_money(o, "non_marginable_buying_power", &a->non_marginable_buying_power, c)) ||
        (rc = get_money(o, "options_buying_power", &a->options_buying_power, c)) ||
        (rc = get_money(o, "cash", &a->cash, c)) ||
        (rc = get_money(o, "equity", &a->equity, c)) ||
        (rc = get_money(o, "last_equity", &a->last_equity, c)) ||
        (rc = get_money(o, "portfolio_value", &a->portfolio_value, c)) ||
        (rc = get_money(o, "long_market_value", &a->long_market_value, c)) ||
        (rc = get_money(o, "short_market_value", &a->short_market_value, c)) ||
        (rc = get_money(o, "initial_margin", &a->initial_margin, c)) ||
        (rc = get_money(o, "maintenance_margin", &a->maintenance_margin, c)) ||
        (rc = get_int(o, "options_approved_level", 0, 9, -1, &lvl_a, c)) ||
        (rc = get_int(o, "options_trading_level", 0, 9, -1, &lvl_t, c)) ||
        (rc = get_int(o, "daytrade_count", 0, 1000000, -1, &dtc, c)) ||
        (rc = get_bool(o, "trading_blocked", 0, &a->trading_blocked, c)) ||
        (rc = get_bool(o, "account_blocked", 0, &a->account_blocked, c)) ||
        (rc = get_bool(o, "transfers_blocked", 0, &a->transfers_blocked, c)) ||
        (rc = get_bool(o, "trade_suspended_by_user", 0, &a->trade_suspended_by_user, c)) ||
        (rc = get_bool(o, "shorting_enabled", 0, &a->shorting_enabled, c)) ||
        (rc = get_bool(o, "pattern_day_trader", -1, &a->pattern_day_trader, c)))
        return rc;
    if (!a->id[0] || !a->status[0])
        return rd_error_set(c->err, RD_EINVAL, "%s: \"id\" and \"status\" are required", c->what);
    a->options_approved_level = (int32_t)lvl_a;
    a->options_trading_level = (int32_t)lvl_t;
    a->daytrade_count = (int32_t)dtc;
    return RD_OK;
}

int rd_alpaca_parse_account(const char *text, size_t len, struct rd_alpaca_account *out,
                            struct rd_error *err)
{
    struct ctx c = {"alpaca account", err};
    json_t *o = NULL;
    int rc = load(text, len, 0, c.what, &o, err);

    if (!rc)
        rc = account_from(o, out, &c);
    json_decref(o);
    return rc;
}

/* ---- positions ---- */

static int position_from(const json_t *o, struct rd_alpaca_position *p, const struct ctx *c)
{
    char side[8];
    int rc;

    memset(p, 0, sizeof *p);
    if ((rc = get_str(o, "symbol", p->symbol, sizeof p->symbol, c)) ||
        (rc = get_str(o, "asset_class", p->asset_class, sizeof p->asset_class, c)) ||
        (rc = get_str(o, "side", side, sizeof side, c)) ||
        (rc = get_dec(o, "qty", 6, &p->qty_e6, c)) ||
        (rc = get_money(o, "avg_entry_price", &p->avg_entry_price, c)) ||
        (rc = get_money(o, "current_price", &p->current_price, c)) ||
        (rc = get_money(o, "lastday_price", &p->lastday_price, c)) ||
        (rc = get_money(o, "market_value", &p->market_value, c)) ||
        (rc = get_money(o, "cost_basis", &p->cost_basis, c)) ||
        (rc = get_money(o, "unrealized_pl", &p->unrealized_pl, c)))
        return rc;
    if (!p->symbol[0])
        return bad(c, "symbol", "required", NULL);
    /* a short may come as side "short" with a positive qty, or a negative qty */
    if (!strcmp(side, "short") && p->qty_e6 > 0)
        p->qty_e6 = -p->qty_e6;
    p->multiplier = !strcmp(p->asset_class, "us_option") ? 100 : 1;
    return RD_OK;
}

/* Walks an array of objects into an rd_malloc'ed array of `size`-byte items. */
static int parse_list(const char *text, size_t len, const char *what, size_t size,
                      int (*one)(const json_t *, void *, const struct ctx *), void **out,
                      size_t *n, struct rd_error *err)
{
    char where[64];
    struct ctx c = {where, err};
    json_t *a = NULL;
    char *list = NULL;
    size_t count;
    int rc;

    *out = NULL;
    *n = 0;
    rc = load(text, len, 1, what, &a, err);
    if (rc)
        return rc;
    count = json_array_size(a);
    if (count > MAX_LIST) {
        rc = rd_error_set(err, RD_ETOOBIG, "%s: %zu entries; at most %d are read", what, count,
                          MAX_LIST);
        goto out;
    }
    if (count) {
        list = rd_calloc(count, size);
        if (!list) {
            rc = rd_error_set(err, RD_ENOMEM, "%s: out of memory", what);
            goto out;
        }
    }
    for (size_t i = 0; i < count; i++) {
        const json_t *v = json_array_get(a, i);

        snprintf(where, sizeof where, "%s[%zu]", what, i);
        if (!json_is_object(v)) {
            rc = rd_error_set(err, RD_EINVAL, "%s: expected an object {...}", where);
            goto out;
        }
        if ((rc = one(v, list + i * size, &c)) != RD_OK)
            goto out;
    }
    *out = list;
    *n = count;
    list = NULL;
out:
    rd_free(list);
    json_decref(a);
    return rc;
}

static int position_one(const json_t *o, void *p, const struct ctx *c)
{
    return position_from(o, p, c);
}

int rd_alpaca_parse_positions(const char *text, size_t len, struct rd_alpaca_position **out,
                              size_t *n, struct rd_error *err)
{
    void *list = NULL;
    int rc = parse_list(text, len, "alpaca positions", sizeof **out, position_one, &list, n, err);

    *out = list;
    return rc;
}

/* ---- orders ---- */

static int order_from(const json_t *o, struct rd_alpaca_order *r, const struct ctx *c)
{
    int rc;

    memset(r, 0, sizeof *r);
    if ((rc = get_str(o, "id", r->id, sizeof r->id, c)) ||
        (rc = get_str(o, "client_order_id", r->client_order_id, sizeof r->client_order_id, c)) ||
        (rc = get_str(o, "symbol", r->symbol, sizeof r->symbol, c)) ||
        (rc = get_str(o, "status", r->status, sizeof r->status, c)) ||
        (rc = get_str(o, "side", r->side, sizeof r->side, c)) ||
        (rc = get_str(o, "type", r->type, sizeof r->type, c)) ||
        (rc = get_str(o, "asset_class", r->asset_class, sizeof r->asset_class, c)) ||
        (rc = get_dec(o, "qty", 6, &r->qty_e6, c)) ||
        (rc = get_dec(o, "filled_qty", 6, &r->filled_qty_e6, c)) ||
        (rc = get_money(o, "filled_avg_price", &r->filled_avg_price, c)) ||
        (rc = get_money(o, "limit_price", &r->limit_price, c)))
        return rc;
    if (!r->type[0] && (rc = get_str(o, "order_type", r->type, sizeof r->type, c)))
        return rc;
    if (!r->id[0] || !r->status[0])
        return rd_error_set(c->err, RD_EINVAL, "%s: \"id\" and \"status\" are required", c->what);
    if (r->filled_qty_e6 < 0)
        return bad(c, "filled_qty", "negative", NULL);
    return RD_OK;
}

int rd_alpaca_parse_order(const char *text, size_t len, struct rd_alpaca_order *out,
                          struct rd_error *err)
{
    struct ctx c = {"alpaca order", err};
    json_t *o = NULL;
    int rc = load(text, len, 0, c.what, &o, err);

    if (!rc)
        rc = order_from(o, out, &c);
    json_decref(o);
    return rc;
}

static int order_one(const json_t *o, void *p, const struct ctx *c)
{
    return order_from(o, p, c);
}

int rd_alpaca_parse_orders(const char *text, size_t len, struct rd_alpaca_order **out, size_t *n,
                           struct rd_error *err)
{
    void *list = NULL;
    int rc = parse_list(text, len, "alpaca orders", sizeof **out, order_one, &list, n, err);

    *out = list;
    return rc;
}

/* ---- clock, cancels, errors ---- */

int rd_alpaca_parse_clock(const char *text, size_t len, struct rd_alpaca_clock *out,
                          struct rd_error *err)
{
    struct ctx c = {"alpaca clock", err};
    json_t *o = NULL;
    int rc = load(text, len, 0, c.what, &o, err);

    memset(out, 0, sizeof *out);
    if (rc)
        return rc;
    if (!json_is_boolean(json_object_get(o, "is_open")))
        rc = bad(&c, "is_open", "required: true or false", NULL);
    if (!rc)
        rc = get_bool(o, "is_open", 0, &out->is_open, &c);
    if (!rc)
        rc = get_time(o, "timestamp", &out->timestamp, &c);
    if (!rc)
        rc = get_time(o, "next_open", &out->next_open, &c);
    if (!rc)
        rc = get_time(o, "next_close", &out->next_close, &c);
    json_decref(o);
    return rc;
}

static void message_from(const json_t *o, char *out, size_t n)
{
    const json_t *m = json_object_get(o, "message");

    out[0] = '\0';
    if (json_is_string(m))
        snprintf(out, n, "%s", json_string_value(m));
}

static int cancel_one(const json_t *o, void *p, const struct ctx *c)
{
    struct rd_alpaca_cancel *x = p;
    int64_t st;
    int rc;

    memset(x, 0, sizeof *x);
    if ((rc = get_str(o, "id", x->id, sizeof x->id, c)) ||
        (rc = get_int(o, "status", 100, 599, 0, &st, c)))
        return rc;
    if (!x->id[0] || st == 0)
        return rd_error_set(c->err, RD_EINVAL, "%s: \"id\" and \"status\" are required", c->what);
    x->status = (int)st;
    if (json_is_object(json_object_get(o, "body")))
        message_from(json_object_get(o, "body"), x->message, sizeof x->message);
    return RD_OK;
}

int rd_alpaca_parse_cancels(const char *text, size_t len, struct rd_alpaca_cancel **out,
                            size_t *n, struct rd_error *err)
{
    void *list = NULL;
    int rc = parse_list(text, len, "alpaca cancel-all", sizeof **out, cancel_one, &list, n, err);

    *out = list;
    return rc;
}

void rd_alpaca_parse_error(const char *text, size_t len, struct rd_alpaca_error *out)
{
    struct rd_error e = {0};
    struct ctx c = {"alpaca error", &e};
    json_t *o = NULL;
    size_t j = 0;

    memset(out, 0, sizeof *out);
    if (text && len && load(text, len, 0, c.what, &o, &e) == RD_OK) {
        message_from(o, out->message, sizeof out->message);
        if (get_int(o, "code", 0, INT64_MAX, 0, &out->code, &c) != RD_OK)
            out->code = 0;
        json_decref(o);
        if (out->message[0])
            return;
    }
    /* not an error object: show the start of the body, printable ASCII only */
    for (size_t i = 0; text && i < len && j + 1 < sizeof out->message && j < 160; i++)
        out->message[j++] = (text[i] >= 0x20 && text[i] < 0x7f) ? text[i] : ' ';
    out->message[j] = '\0';
    if (j == 0)
        snprintf(out->message, sizeof out->message, "(empty body)");
}

/* ---- order status -> dispatcher ---- */

int rd_alpaca_order_final(const struct rd_alpaca_order *o, struct rd_order_result *out)
{
    static const char *const ended[] = {"filled", "canceled", "expired", "replaced", "rejected"};
    int final = 0;

    for (size_t i = 0; i < sizeof ended / sizeof ended[0]; i++)
        if (!strcmp(o->status, ended[i]))
            final = 1;
    if (!final)
        return 0;
    memset(out, 0, sizeof *out);
    snprintf(out->broker_order_id, sizeof out->broker_order_id, "%s", o->id);
    out->filled_qty = o->filled_qty_e6 / E6;   /* whole contracts and shares */
    out->fill_price = o->filled_avg_price;
    if (out->filled_qty > 0) {
        out->status = RD_ORDER_FILLED;
        if (strcmp(o->status, "filled") != 0)
            snprintf(out->reason, sizeof out->reason, "partly filled, then %s", o->status);
    } else if (!strcmp(o->status, "rejected")) {
        out->status = RD_ORDER_REJECTED;
        snprintf(out->reason, sizeof out->reason, "rejected by Alpaca (order %s)", o->id);
    } else if (!strcmp(o->status, "filled")) {
        /* filled with no whole quantity: a fractional fill riskdesk cannot hold */
        out->status = RD_ORDER_REJECTED;
        snprintf(out->reason, sizeof out->reason, "filled for less than one unit at Alpaca");
    } else {
        out->status = RD_ORDER_CANCELED;
        snprintf(out->reason, sizeof out->reason, "%s at Alpaca", o->status);
    }
    return 1;
}
