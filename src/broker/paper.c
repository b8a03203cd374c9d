/*
 * paper.c - the built-in paper broker: one simulated account per handle, kept
 * in the state its opener hands it (struct rd_broker_state: the store's
 * key-value space, through the account runner) so separate riskdesk runs see
 * the same account, trading against the seeded market of paper_market.h.
 *
 * State layout (JSON values, money as exact decimal strings, dates "YYYY-MM-DD"):
 *   "paper.account" / <account>    {cash, last_equity, last_equity_day, next_order,
 *                                   day_trades: [dates],
 *                                   positions: [{symbol, qty, multiplier, avg_price,
 *                                                opened_day}]}
 *   "paper.market" / <symbol>      {seed, sigma_ppm, p0, m0, minute, price}
 *                                  (shared by every account on the store)
 *   "paper.order.<account>" / <client order id>   the order's result and request
 *
 * Every call runs inside one state transaction (joining the caller's when one
 * is open). The model and what it leaves
 * out are in docs/paper-broker.md.
 */
#include "riskdesk/broker.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "riskdesk/alloc.h"
#include "riskdesk/calendar.h"
#include "riskdesk/paper_market.h"

#include "riskdesk/banned.h"

__extension__ typedef __int128 i128;

#define NS_ACCOUNT "paper.account"
#define NS_MARKET "paper.market"
#define NS_ORDER "paper.order."
#define PAPER_MAGIC 0x50415052u              /* "PAPR" */
#define PDT_TRADING_DAYS 5                   /* the day-trade window, today included */
#define PDT_KEEP_CALENDAR_DAYS 14            /* older day trades are dropped */
#define MAX_CLOCK_JUMP_MINUTES (100LL * 366 * 1440)
#define MAX_POSITIONS 100000

struct paper {
    struct rd_broker base;
    uint32_t magic;
    struct rd_broker_state st;
    rd_money starting_cash;
    uint64_t seed;
    char order_ns[sizeof NS_ORDER + 64];
};

struct paper_pos {
    char symbol[RD_SYMBOL_MAX];
    int64_t qty;
    int64_t multiplier;
    rd_money avg_price;
    int32_t opened_day;                      /* ET date of the latest buy into it */
};

struct paper_acct {
    rd_money cash, last_equity;
    int32_t last_equity_day;
    int64_t next_order;
    int32_t *day_trades;                     /* room for n_day_trades + 1 (or acct_room's) */
    size_t n_day_trades;
    struct paper_pos *pos;                   /* room for n_pos + 1 (or acct_room's) */
    size_t n_pos;
    int dirty;
};

struct paper_mkt {
    uint64_t seed;
    int64_t sigma_ppm;
    rd_money p0;
    int64_t m0, minute;
    rd_money price;                          /* the walk's state, 1/10000 dollar */
};

static const char *const status_names[RD_ORDER_STATUS_COUNT] = {
    [RD_ORDER_PENDING] = "PENDING",
    [RD_ORDER_ACCEPTED] = "ACCEPTED",
    [RD_ORDER_FILLED] = "FILLED",
    [RD_ORDER_REJECTED] = "REJECTED",
    [RD_ORDER_CANCELED] = "CANCELED",
};

static struct paper *to_paper(struct rd_broker *b)
{
    struct paper *pb = (struct paper *)b;

    if (!b || b->ops != &rd_broker_paper_ops || pb->magic != PAPER_MAGIC)
        return NULL;
    return pb;
}

static int not_paper(struct rd_error *err)
{
    return rd_error_set(err, RD_EINVAL, "paper broker: the handle is not an open paper broker");
}

static int32_t et_today(const struct paper *pb)
{
    struct rd_local_time lt;

    rd_et_from_utc(pb->base.now, &lt);
    return lt.day;
}

/* ---- JSON <-> state ---- */

/* text (a value of ns/key) as a JSON object in *out. */
static int parse_json(const char *text, const char *ns, const char *key, json_t **out,
                      struct rd_error *err)
{
    json_error_t jerr;

    *out = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    if (!*out)
        return rd_error_set(err, RD_ESTORE, "paper broker: %s/%s is not valid JSON: %s", ns, key,
                            jerr.text);
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return rd_error_set(err, RD_ESTORE, "paper broker: %s/%s is not a JSON object", ns, key);
    }
    return RD_OK;
}

static int load_json(const struct rd_broker_state *s, const char *ns, const char *key, json_t **out,
                     struct rd_error *err)
{
    char *text = NULL;
    int rc;

    *out = NULL;
    rc = s->get(s->ctx, ns, key, &text, err);
    if (rc != RD_OK)
        return rc;
    rc = parse_json(text, ns, key, out, err);
    rd_free(text);
    return rc;
}

/* v (the value of ns/key) as JSON text, rd_malloc'ed in *text. */
static int dump_json(const char *ns, const char *key, json_t *v, char **text,
                     struct rd_error *err)
{
    size_t n;

    *text = NULL;
    if (!v)
        return rd_error_set(err, RD_ENOMEM, "paper broker: out of memory building %s/%s", ns, key);
    n = json_dumpb(v, NULL, 0, JSON_COMPACT);
    if (n == 0)
        return rd_error_set(err, RD_ENOMEM, "paper broker: cannot serialise %s/%s", ns, key);
    *text = rd_malloc(n + 1);
    if (!*text)
        return rd_error_set(err, RD_ENOMEM, "paper broker: out of memory saving %s/%s", ns, key);
    if (json_dumpb(v, *text, n, JSON_COMPACT) != n) {
        rd_free(*text);
        *text = NULL;
        return rd_error_set(err, RD_ENOMEM, "paper broker: cannot serialise %s/%s", ns, key);
    }
    (*text)[n] = '\0';
    return RD_OK;
}

static int save_json(const struct rd_broker_state *s, const char *ns, const char *key, json_t *v, int only_new,
                     struct rd_error *err)
{
    char *text = NULL;
    int rc = dump_json(ns, key, v, &text, err);

    if (rc == RD_OK)
        rc = s->put(s->ctx, ns, key, text, only_new, err);
    rd_free(text);
    return rc;
}

static int bad_field(struct rd_error *err, const char *ns, const char *key, const char *field,
                     const char *want)
{
    return rd_error_set(err, RD_ESTORE, "paper broker: %s/%s: field \"%s\" %s", ns, key, field,
                        want);
}

static int get_int(json_t *o, const char *field, int64_t *out, const char *ns, const char *key,
                   struct rd_error *err)
{
    json_t *v = json_object_get(o, field);

    if (!json_is_integer(v))
        return bad_field(err, ns, key, field, "is missing or not an integer");
    *out = (int64_t)json_integer_value(v);
    return RD_OK;
}

static int get_money(json_t *o, const char *field, rd_money *out, const char *ns, const char *key,
                     struct rd_error *err)
{
    json_t *v = json_object_get(o, field);
    struct rd_error perr = {0};

    if (!json_is_string(v))
        return bad_field(err, ns, key, field, "is missing or not a decimal string");
    if (rd_money_parse(json_string_value(v), json_string_length(v), out, &perr) != RD_OK)
        return bad_field(err, ns, key, field, perr.msg);
    return RD_OK;
}

static int parse_day(json_t *v, int32_t *out, const char *ns, const char *key, const char *field,
                     struct rd_error *err)
{
    struct rd_error perr = {0};

    if (!json_is_string(v))
        return bad_field(err, ns, key, field, "is missing or not a \"YYYY-MM-DD\" date");
    if (rd_date_parse(json_string_value(v), json_string_length(v), out, &perr) != RD_OK)
        return bad_field(err, ns, key, field, perr.msg);
    return RD_OK;
}

static json_t *money_json(rd_money m)
{
    char buf[32];

    rd_money_format(m, buf, sizeof buf);
    return json_string(buf);
}

static json_t *day_json(int32_t day)
{
    char buf[16];

    rd_date_format(day, buf, sizeof buf);
    return json_string(buf);
}

/* ---- the market ---- */

/* The walk of symbol from text, its stored value (NULL: the market has none). */
static int mkt_parse(const char *symbol, const char *text, struct paper_mkt *m,
                     struct rd_error *err)
{
    json_t *o = NULL, *seed;
    const char *s;
    char *end;
    int rc;

    if (!text)
        return rd_error_set(err, RD_ENOTFOUND, "paper market: no state for \"%s\"", symbol);
    rc = parse_json(text, NS_MARKET, symbol, &o, err);
    if (rc != RD_OK)
        return rc;
    seed = json_object_get(o, "seed");
    s = json_string_value(seed);
    if (!s || s[0] < '0' || s[0] > '9') {
        rc = bad_field(err, NS_MARKET, symbol, "seed", "is missing or not an unsigned decimal string");
        goto out;
    }
    errno = 0;
    m->seed = strtoull(s, &end, 10);
    if (errno || *end) {
        rc = bad_field(err, NS_MARKET, symbol, "seed", "is not a 64-bit unsigned number");
        goto out;
    }
    if ((rc = get_int(o, "sigma_ppm", &m->sigma_ppm, NS_MARKET, symbol, err)) != RD_OK ||
        (rc = get_money(o, "p0", &m->p0, NS_MARKET, symbol, err)) != RD_OK ||
        (rc = get_int(o, "m0", &m->m0, NS_MARKET, symbol, err)) != RD_OK ||
        (rc = get_int(o, "minute", &m->minute, NS_MARKET, symbol, err)) != RD_OK ||
        (rc = get_money(o, "price", &m->price, NS_MARKET, symbol, err)) != RD_OK)
        goto out;
    if (m->price < RD_PAPER_PRICE_MIN || m->price > RD_PAPER_PRICE_MAX || m->minute < m->m0)
        rc = bad_field(err, NS_MARKET, symbol, "price", "is out of range");
out:
    json_decref(o);
    return rc;
}

static int mkt_load(struct paper *pb, const char *symbol, struct paper_mkt *m, struct rd_error *err)
{
    char *text = NULL;
    int rc = pb->st.get(pb->st.ctx, NS_MARKET, symbol, &text, err);

    if (rc == RD_OK)
        rc = mkt_parse(symbol, text, m, err);
    rd_free(text);
    return rc;
}

/* The walk m of symbol as its stored value, rd_malloc'ed in *text. */
static int mkt_text(const char *symbol, const struct paper_mkt *m, char **text,
                    struct rd_error *err)
{
    char seed[24];
    json_t *o;
    int rc;

    snprintf(seed, sizeof seed, "%" PRIu64, m->seed);
    o = json_pack("{s:s, s:I, s:o, s:I, s:I, s:o}", "seed", seed, "sigma_ppm",
                  (json_int_t)m->sigma_ppm, "p0", money_json(m->p0), "m0", (json_int_t)m->m0,
                  "minute", (json_int_t)m->minute, "price", money_json(m->price));
    rc = dump_json(NS_MARKET, symbol, o, text, err);
    json_decref(o);
    return rc;
}

/* mode: RD_KV_SHARED_NEW for a walk started here, RD_KV_SHARED for one
 * advanced: the market is every account's, and an account never waits for
 * another's transaction to write it (kv.h). */
static int mkt_save(struct paper *pb, const char *symbol, const struct paper_mkt *m, int mode,
                    struct rd_error *err)
{
    char *text = NULL;
    int rc = mkt_text(symbol, m, &text, err);

    if (rc == RD_OK)
        rc = pb->st.put(pb->st.ctx, NS_MARKET, symbol, text, mode, err);
    rd_free(text);
    return rc;
}

/* The walk a symbol the market has never seen starts at start_price (> 0)
 * now: its volatility from the contract's multiplier. */
static void mkt_start(const struct paper *pb, rd_money start_price, int64_t multiplier,
                      struct paper_mkt *m)
{
    m->seed = pb->seed;
    m->sigma_ppm = rd_paper_sigma_for(multiplier);
    m->p0 = start_price < RD_PAPER_PRICE_MIN   ? RD_PAPER_PRICE_MIN
            : start_price > RD_PAPER_PRICE_MAX ? RD_PAPER_PRICE_MAX
                                               : start_price;
    m->m0 = m->minute = rd_paper_minute(pb->base.now);
    m->price = m->p0;
}

/*
 * The current quote of symbol. A symbol the market has never seen starts a
 * walk at start_price when start_price > 0, else RD_ENOTFOUND. known: NULL to
 * read the symbol's walk here, else where its value was already read in this
 * transaction (*known NULL: the market had none). step: NULL to write a walk
 * advanced to a later minute here, else where its value goes, rd_malloc'ed,
 * for the caller to write (NULL when the walk did not move).
 */
static int mkt_quote(struct paper *pb, const char *symbol, const char *const *known, char **step,
                     rd_money start_price, int64_t multiplier, rd_money *quote,
                     struct rd_error *err)
{
    int64_t now = rd_paper_minute(pb->base.now);
    struct paper_mkt m;
    struct rd_paper_walk w;
    int rc;

    if (step)
        *step = NULL;
    rc = known ? mkt_parse(symbol, *known, &m, err) : mkt_load(pb, symbol, &m, err);
    if (rc == RD_ENOTFOUND) {
        if (start_price <= 0)
            return rd_error_set(err, RD_ENOTFOUND,
                                "paper market: no quote for \"%s\": it has never been traded here",
                                symbol);
        mkt_start(pb, start_price, multiplier, &m);
        rc = mkt_save(pb, symbol, &m, RD_KV_SHARED_NEW, err);
        /* another account started it first: its walk is the market's; still
         * being written by another transaction: this one's, until that lands */
        if (rc == RD_EEXIST) {
            struct paper_mkt theirs;

            rc = mkt_load(pb, symbol, &theirs, err);
            if (rc == RD_OK)
                return mkt_quote(pb, symbol, NULL, step, 0, multiplier, quote, err);
            if (rc == RD_ENOTFOUND)
                rc = RD_OK;
        }
        if (rc != RD_OK)
            return rc;
    } else if (rc != RD_OK) {
        return rc;
    } else if (now > m.minute) {
        if (now - m.minute > MAX_CLOCK_JUMP_MINUTES)
            return rd_error_set(err, RD_EINVAL,
                                "paper market: the clock (%" PRId64 ") is more than 100 years "
                                "past the last quote of \"%s\"", pb->base.now, symbol);
        rd_paper_walk_init(&w, m.seed, symbol, m.sigma_ppm);
        m.price = rd_paper_advance(&w, m.minute, m.price, now);
        m.minute = now;
        rc = step ? mkt_text(symbol, &m, step, err) : mkt_save(pb, symbol, &m, RD_KV_SHARED, err);
        if (rc != RD_OK)
            return rc;
    }
    *quote = rd_paper_quote(m.price);
    return RD_OK;
}

/* ---- the account ---- */

static void acct_release(struct paper_acct *a)
{
    rd_free(a->day_trades);
    rd_free(a->pos);
    memset(a, 0, sizeof *a);
}

static int acct_alloc(struct paper_acct *a, size_t n_pos, size_t n_dt, struct rd_error *err)
{
    a->pos = rd_calloc(n_pos + 1, sizeof *a->pos);
    a->day_trades = rd_calloc(n_dt + 1, sizeof *a->day_trades);
    if (!a->pos || !a->day_trades)
        return rd_error_set(err, RD_ENOMEM, "paper broker: out of memory loading an account");
    return RD_OK;
}

/* Room for more orders' new positions and day trades than the one acct_alloc leaves. */
static int acct_room(struct paper_acct *a, size_t more, struct rd_error *err)
{
    struct paper_pos *pos = rd_realloc(a->pos, (a->n_pos + more + 1) * sizeof *pos);
    int32_t *dts;

    if (pos)
        a->pos = pos;
    dts = pos ? rd_realloc(a->day_trades, (a->n_day_trades + more + 1) * sizeof *dts) : NULL;
    if (!dts)
        return rd_error_set(err, RD_ENOMEM, "paper broker: out of memory for %zu orders", more);
    a->day_trades = dts;
    return RD_OK;
}

static int pos_parse(json_t *o, struct paper_pos *p, const char *key, struct rd_error *err)
{
    json_t *sym = json_object_get(o, "symbol");
    int rc;

    if (!json_is_string(sym) || json_string_length(sym) == 0 ||
        json_string_length(sym) >= sizeof p->symbol)
        return bad_field(err, NS_ACCOUNT, key, "positions[].symbol", "is missing or too long");
    memcpy(p->symbol, json_string_value(sym), json_string_length(sym) + 1);
    if ((rc = get_int(o, "qty", &p->qty, NS_ACCOUNT, key, err)) != RD_OK ||
        (rc = get_int(o, "multiplier", &p->multiplier, NS_ACCOUNT, key, err)) != RD_OK ||
        (rc = get_money(o, "avg_price", &p->avg_price, NS_ACCOUNT, key, err)) != RD_OK ||
        (rc = parse_day(json_object_get(o, "opened_day"), &p->opened_day, NS_ACCOUNT, key,
                        "positions[].opened_day", err)) != RD_OK)
        return rc;
    if (p->qty <= 0 || p->multiplier <= 0 || p->avg_price < 0)
        return bad_field(err, NS_ACCOUNT, key, "positions[]", "has a qty, multiplier or price out of range");
    return RD_OK;
}

/* Loads the account, or a fresh one with the starting cash when the state has none. */
static int acct_load(struct paper *pb, int32_t today, struct paper_acct *a, struct rd_error *err)
{
    const char *key = pb->base.account;
    json_t *o = NULL, *pos, *dts;
    int rc;

    memset(a, 0, sizeof *a);
    rc = load_json(&pb->st, NS_ACCOUNT, key, &o, err);
    if (rc == RD_ENOTFOUND) {
        rd_error_clear(err);
        a->cash = a->last_equity = pb->starting_cash;
        a->last_equity_day = today;
        a->next_order = 1;
        a->dirty = 1;
        return acct_alloc(a, 0, 0, err);
    }
    if (rc != RD_OK)
        return rc;
    pos = json_object_get(o, "positions");
    dts = json_object_get(o, "day_trades");
    if (!json_is_array(pos) || !json_is_array(dts) || json_array_size(pos) > MAX_POSITIONS) {
        rc = bad_field(err, NS_ACCOUNT, key, "positions/day_trades", "is missing or not an array");
        goto out;
    }
    if ((rc = acct_alloc(a, json_array_size(pos), json_array_size(dts), err)) != RD_OK ||
        (rc = get_money(o, "cash", &a->cash, NS_ACCOUNT, key, err)) != RD_OK ||
        (rc = get_money(o, "last_equity", &a->last_equity, NS_ACCOUNT, key, err)) != RD_OK ||
        (rc = parse_day(json_object_get(o, "last_equity_day"), &a->last_equity_day, NS_ACCOUNT,
                        key, "last_equity_day", err)) != RD_OK ||
        (rc = get_int(o, "next_order", &a->next_order, NS_ACCOUNT, key, err)) != RD_OK)
        goto out;
    for (size_t i = 0; i < json_array_size(pos); i++) {
        rc = pos_parse(json_array_get(pos, i), &a->pos[i], key, err);
        if (rc != RD_OK)
            goto out;
        a->n_pos++;
    }
    for (size_t i = 0; i < json_array_size(dts); i++) {
        rc = parse_day(json_array_get(dts, i), &a->day_trades[i], NS_ACCOUNT, key, "day_trades[]",
                       err);
        if (rc != RD_OK)
            goto out;
        a->n_day_trades++;
    }
out:
    json_decref(o);
    if (rc != RD_OK)
        acct_release(a);
    return rc;
}

static int acct_save(struct paper *pb, const struct paper_acct *a, struct rd_error *err)
{
    json_t *o = NULL, *pos = json_array(), *dts = json_array();
    int rc = RD_ENOMEM;

    if (!pos || !dts)
        goto out;
    for (size_t i = 0; i < a->n_pos; i++) {
        const struct paper_pos *p = &a->pos[i];

        if (json_array_append_new(pos, json_pack("{s:s, s:I, s:I, s:o, s:o}", "symbol", p->symbol,
                                                 "qty", (json_int_t)p->qty, "multiplier",
                                                 (json_int_t)p->multiplier, "avg_price",
                                                 money_json(p->avg_price), "opened_day",
                                                 day_json(p->opened_day))) != 0)
            goto out;
    }
    for (size_t i = 0; i < a->n_day_trades; i++)
        if (json_array_append_new(dts, day_json(a->day_trades[i])) != 0)
            goto out;
    o = json_pack("{s:o, s:o, s:o, s:I, s:O, s:O}", "cash", money_json(a->cash), "last_equity",
                  money_json(a->last_equity), "last_equity_day", day_json(a->last_equity_day),
                  "next_order", (json_int_t)a->next_order, "day_trades", dts, "positions", pos);
    rc = save_json(&pb->st, NS_ACCOUNT, pb->base.account, o, RD_KV_REPLACE, err);
out:
    if (rc == RD_ENOMEM && !o)
        rd_error_set(err, RD_ENOMEM, "paper broker: out of memory saving account %s",
                     pb->base.account);
    json_decref(o);
    json_decref(pos);
    json_decref(dts);
    return rc;
}

static struct paper_pos *acct_find(struct paper_acct *a, const char *symbol)
{
    for (size_t i = 0; i < a->n_pos; i++)
        if (strcmp(a->pos[i].symbol, symbol) == 0)
            return &a->pos[i];
    return NULL;
}

/* qty x price x multiplier, or -1 past RD_MONEY_MAX. */
static rd_money position_value(int64_t qty, rd_money price, int64_t multiplier)
{
    i128 v = (i128)qty * price * multiplier;

    return v > RD_MONEY_MAX || v < -RD_MONEY_MAX ? -1 : (rd_money)v;
}

/* Equity at the current quotes; fills quotes[i] for each position when
 * quotes != NULL. The market's walks of all the positions are read at once. */
static int acct_equity(struct paper *pb, const struct paper_acct *a, rd_money *equity,
                       rd_money *quotes, struct rd_error *err)
{
    i128 sum = a->cash;
    const char **symbols = NULL;
    char **walks = NULL;
    int rc = RD_OK;

    if (a->n_pos > 0) {
        symbols = rd_calloc(a->n_pos, sizeof *symbols);
        walks = rd_calloc(a->n_pos, sizeof *walks);
        if (!symbols || !walks) {
            rc = rd_error_set(err, RD_ENOMEM, "paper broker: out of memory valuing %zu positions",
                              a->n_pos);
            goto out;
        }
        for (size_t i = 0; i < a->n_pos; i++)
            symbols[i] = a->pos[i].symbol;
        rc = pb->st.get_many(pb->st.ctx, NS_MARKET, symbols, a->n_pos, walks, err);
    }
    for (size_t i = 0; i < a->n_pos && rc == RD_OK; i++) {
        const struct paper_pos *p = &a->pos[i];
        rd_money q, v;

        /* its own price starts a walk when the market has none: a walk
         * another account's open transaction is writing has not landed */
        rc = mkt_quote(pb, p->symbol, (const char *const *)&walks[i], NULL, p->avg_price,
                       p->multiplier, &q, err);
        if (rc == RD_ENOTFOUND) {
            rc = rd_error_set(err, RD_ESTORE, "paper broker: account %s holds %s but the market "
                              "has no state for it", pb->base.account, p->symbol);
            break;
        }
        if (rc != RD_OK)
            break;
        v = position_value(p->qty, q, p->multiplier);
        if (v < 0) {
            rc = rd_error_set(err, RD_ETOOBIG, "paper broker: position %s is too large",
                              p->symbol);
            break;
        }
        if (quotes)
            quotes[i] = q;
        sum += v;
    }
    if (rc == RD_OK && (sum > RD_MONEY_MAX || sum < -RD_MONEY_MAX))
        rc = rd_error_set(err, RD_ETOOBIG, "paper broker: equity of %s out of range",
                          pb->base.account);
    if (rc == RD_OK)
        *equity = (rd_money)sum;
out:
    for (size_t i = 0; walks && i < a->n_pos; i++)
        rd_free(walks[i]);
    rd_free(walks);
    rd_free(symbols);
    return rc;
}

/*
 * On the first observation of a new ET day, last_equity becomes the equity at
 * that moment, before any of the day's trades: the paper broker's stand-in for
 * the previous close. A clock that moved back a day changes nothing.
 */
static int acct_rollover(struct paper *pb, struct paper_acct *a, int32_t today,
                         struct rd_error *err)
{
    rd_money eq;
    int rc;

    if (today <= a->last_equity_day)
        return RD_OK;
    rc = acct_equity(pb, a, &eq, NULL, err);
    if (rc != RD_OK)
        return rc;
    a->last_equity = eq;
    a->last_equity_day = today;
    a->dirty = 1;
    return RD_OK;
}

/* Drops day trades that can no longer fall in the window. */
static void acct_prune_day_trades(struct paper_acct *a, int32_t today)
{
    size_t k = 0;

    for (size_t i = 0; i < a->n_day_trades; i++) {
        if (a->day_trades[i] > today - PDT_KEEP_CALENDAR_DAYS)
            a->day_trades[k++] = a->day_trades[i];
    }
    if (k != a->n_day_trades)
        a->dirty = 1;
    a->n_day_trades = k;
}

/*
 * Day trades from the 5th trading day back (today is the first when it is a
 * trading day) through today. The paper market also trades on weekends and
 * holidays; such a day counts while it lies inside that span.
 */
static int32_t acct_day_trade_count(const struct paper_acct *a, int32_t today)
{
    int32_t start = today, n = 0;

    for (int k = rd_nyse_is_trading_day(today) ? 1 : 0; k < PDT_TRADING_DAYS; k++)
        start = rd_nyse_prev_trading_day(start);
    for (size_t i = 0; i < a->n_day_trades; i++)
        if (a->day_trades[i] >= start && a->day_trades[i] <= today)
            n++;
    return n;
}

/* ---- transactions ---- */

static int tx_begin(struct paper *pb, struct rd_error *err)
{
    return pb->st.begin(pb->st.ctx, err);
}

/*
 * Commits when rc is RD_OK (or keep_rc, a non-error outcome), else rolls back;
 * returns rc, or the commit's error. A failed commit has closed its level and
 * written nothing (the state rolls back itself, as the stores do), so it is not
 * rolled back again.
 */
static int tx_end(struct paper *pb, int rc, int keep_rc, struct rd_error *err)
{
    if (rc == RD_OK || rc == keep_rc) {
        int crc = pb->st.commit(pb->st.ctx, err);

        return crc == RD_OK ? rc : crc;
    }
    pb->st.rollback(pb->st.ctx);
    return rc;
}

/* ---- orders ---- */

/* The order cid from text, its stored value (NULL: the account has no such order). */
static int order_parse(struct paper *pb, const char *cid, const char *text,
                       struct rd_order_result *r, struct rd_error *err)
{
    const char *ns = pb->order_ns;
    json_t *o = NULL, *v;
    const char *st;
    int rc, found = 0;

    if (!text)
        return rd_error_set(err, RD_ENOTFOUND, "paper broker: no order %s in account %s", cid,
                            pb->base.account);
    rc = parse_json(text, ns, cid, &o, err);
    if (rc != RD_OK)
        return rc;
    memset(r, 0, sizeof *r);
    v = json_object_get(o, "broker_order_id");
    if (!json_is_string(v) || json_string_length(v) >= sizeof r->broker_order_id) {
        rc = bad_field(err, ns, cid, "broker_order_id", "is missing or too long");
        goto out;
    }
    memcpy(r->broker_order_id, json_string_value(v), json_string_length(v) + 1);
    st = json_string_value(json_object_get(o, "status"));
    for (int i = 0; st && i < RD_ORDER_STATUS_COUNT; i++) {
        if (strcmp(st, status_names[i]) == 0) {
            r->status = (enum rd_order_status)i;
            found = 1;
        }
    }
    if (!found) {
        rc = bad_field(err, ns, cid, "status", "is missing or not a known order status");
        goto out;
    }
    if ((rc = get_int(o, "filled_qty", &r->filled_qty, ns, cid, err)) != RD_OK ||
        (rc = get_money(o, "fill_price", &r->fill_price, ns, cid, err)) != RD_OK)
        goto out;
    v = json_object_get(o, "reason");
    if (!json_is_string(v)) {
        rc = bad_field(err, ns, cid, "reason", "is missing or not a string");
        goto out;
    }
    snprintf(r->reason, sizeof r->reason, "%s", json_string_value(v));
out:
    json_decref(o);
    return rc;
}

static int order_load(struct paper *pb, const char *cid, struct rd_order_result *r,
                      struct rd_error *err)
{
    char *text = NULL;
    int rc = pb->st.get(pb->st.ctx, pb->order_ns, cid, &text, err);

    if (rc == RD_ENOTFOUND) {
        rd_error_clear(err);
        rc = RD_OK;
    }
    if (rc == RD_OK)
        rc = order_parse(pb, cid, text, r, err);
    rd_free(text);
    return rc;
}

/* The order's stored value, rd_malloc'ed in *doc. */
static int order_doc(struct paper *pb, const struct rd_order_request *req,
                     const struct rd_order_result *r, char **doc, struct rd_error *err)
{
    json_t *o;
    int rc;

    o = json_pack("{s:s, s:s, s:I, s:o, s:s, s:s, s:s, s:I, s:I, s:o, s:o, s:I}",
                  "broker_order_id", r->broker_order_id, "status", status_names[r->status],
                  "filled_qty", (json_int_t)r->filled_qty, "fill_price", money_json(r->fill_price),
                  "reason", r->reason, "symbol", req->symbol, "side",
                  req->side == RD_SIDE_BUY ? "buy" : "sell", "qty", (json_int_t)req->qty,
                  "multiplier", (json_int_t)req->multiplier, "ref_price",
                  money_json(req->ref_price), "limit_price", money_json(req->limit_price),
                  "submitted_at", (json_int_t)pb->base.now);
    rc = dump_json(pb->order_ns, req->client_order_id, o, doc, err);
    json_decref(o);
    return rc;
}

static void reject(struct rd_order_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void reject(struct rd_order_result *r, const char *fmt, ...)
{
    va_list ap;

    r->status = RD_ORDER_REJECTED;
    r->filled_qty = 0;
    r->fill_price = 0;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof r->reason, fmt, ap);
    va_end(ap);
}

/* Whether execute() rejects req before it quotes, against the account's
 * position p in req's symbol (NULL: none): 1 with the rejection in r. */
static int rejected_unquoted(const struct rd_order_request *req, const struct paper_pos *p,
                             struct rd_order_result *r)
{
    char m1[32];

    if (req->symbol[0] == '\0' || strnlen(req->symbol, sizeof req->symbol) >= sizeof req->symbol)
        reject(r, "symbol is empty or longer than %zu characters", sizeof req->symbol - 1);
    else if (req->side != RD_SIDE_BUY && req->side != RD_SIDE_SELL)
        reject(r, "unknown order side %d", (int)req->side);
    else if (req->qty <= 0)
        reject(r, "qty must be positive, got %" PRId64, req->qty);
    else if (req->multiplier <= 0)
        reject(r, "multiplier must be positive, got %" PRId64, req->multiplier);
    else if (req->limit_price != 0) {
        rd_money_format(req->limit_price, m1, sizeof m1);
        reject(r, "paper broker takes market orders only (limit price %s given)", m1);
    } else if (p && p->multiplier != req->multiplier)
        reject(r, "multiplier %" PRId64 " does not match the position in %s (multiplier %" PRId64 ")",
               req->multiplier, req->symbol, p->multiplier);
    else if (req->side == RD_SIDE_SELL && (!p || p->qty < req->qty))
        reject(r, "insufficient qty: have %" PRId64 ", sell %" PRId64, p ? p->qty : 0, req->qty);
    else
        return 0;
    return 1;
}

/* Checks the order against the account and fills it, or sets a rejection in r.
 * walk, step: as mkt_quote's known and step. */
static int execute(struct paper *pb, struct paper_acct *a, const struct rd_order_request *req,
                   const char *const *walk, char **step, int32_t today, struct rd_order_result *r,
                   struct rd_error *err)
{
    struct paper_pos *p = acct_find(a, req->symbol);
    char m1[32], m2[32];
    rd_money price, value;
    int rc;

    if (rejected_unquoted(req, p, r))
        return RD_OK;
    rc = mkt_quote(pb, req->symbol, walk, step, req->ref_price, req->multiplier, &price, err);
    if (rc == RD_ENOTFOUND) {
        rd_money_format(req->ref_price, m1, sizeof m1);
        rd_error_clear(err);
        reject(r, "price must be positive: no market yet for %s and ref_price is %s", req->symbol,
               m1);
        return RD_OK;
    }
    if (rc != RD_OK)
        return rc;
    value = position_value(req->qty, price, req->multiplier);
    if (value < 0) {
        reject(r, "order value out of range: %" PRId64 " x %s x %" PRId64, req->qty, req->symbol,
               req->multiplier);
        return RD_OK;
    }
    if (req->side == RD_SIDE_BUY) {
        if (value > a->cash) {
            rd_money_format(value, m1, sizeof m1);
            rd_money_format(a->cash, m2, sizeof m2);
            reject(r, "insufficient buying power: cost %s > buying power %s", m1, m2);
            return RD_OK;
        }
        if (!p) {
            if (a->n_pos >= MAX_POSITIONS) {
                reject(r, "too many open positions (%d)", MAX_POSITIONS);
                return RD_OK;
            }
            p = &a->pos[a->n_pos++];
            memset(p, 0, sizeof *p);
            memcpy(p->symbol, req->symbol, strlen(req->symbol) + 1);
            p->multiplier = req->multiplier;
        }
        {
            i128 cost_basis = (i128)p->qty * p->avg_price + (i128)req->qty * price;
            i128 n = (i128)p->qty + req->qty;

            /* average price per share, rounded half up to 1/10000 */
            p->avg_price = (rd_money)((2 * cost_basis + n) / (2 * n));
            p->qty = (int64_t)n;
        }
        p->opened_day = today;
        a->cash -= value;
    } else {
        if (value > RD_MONEY_MAX - a->cash) {
            reject(r, "proceeds out of range: cash would pass the money range");
            return RD_OK;
        }
        /* a sell on the ET date of a buy into the position is a day trade */
        if (p->opened_day == today)
            a->day_trades[a->n_day_trades++] = today;
        p->qty -= req->qty;
        a->cash += value;
        if (p->qty == 0) {
            size_t i = (size_t)(p - a->pos);

            memmove(&a->pos[i], &a->pos[i + 1], (a->n_pos - i - 1) * sizeof *p);
            a->n_pos--;
        }
    }
    r->status = RD_ORDER_FILLED;
    r->filled_qty = req->qty;
    r->fill_price = price;
    r->reason[0] = '\0';
    return RD_OK;
}

/* ---- the ops ---- */

static int paper_open(const struct rd_broker_params *p, struct rd_broker **out, struct rd_error *err)
{
    const struct rd_broker_state *so;
    struct paper *pb;
    size_t len;

    if (!out)
        return rd_error_set(err, RD_EINVAL, "paper broker: no place for the handle");
    *out = NULL;
    if (!p || !p->account || !*p->account)
        return rd_error_set(err, RD_EINVAL, "paper broker: an account name is required");
    len = strlen(p->account);
    if (len >= sizeof pb->base.account)
        return rd_error_set(err, RD_EINVAL, "paper broker: account name \"%.32s...\" is longer "
                            "than %zu characters", p->account, sizeof pb->base.account - 1);
    so = p->state;
    if (!so || !so->get || !so->get_many || !so->put || !so->put_many || !so->put_shared_many ||
        !so->begin || !so->commit || !so->rollback)
        return rd_error_set(err, RD_EINVAL, "paper broker: account %s needs a state with "
                            "named values and transactions", p->account);
    if (p->starting_cash <= 0 || p->starting_cash > RD_MONEY_MAX / 2)
        return rd_error_set(err, RD_EINVAL, "paper broker: account %s: starting cash must be "
                            "positive", p->account);
    pb = rd_calloc(1, sizeof *pb);
    if (!pb)
        return rd_error_set(err, RD_ENOMEM, "paper broker: out of memory opening account %s",
                            p->account);
    pb->base.ops = &rd_broker_paper_ops;
    memcpy(pb->base.account, p->account, len + 1);
    pb->base.now = (int64_t)time(NULL);
    pb->magic = PAPER_MAGIC;
    pb->st = *p->state;
    pb->starting_cash = p->starting_cash;
    pb->seed = p->seed;
    snprintf(pb->order_ns, sizeof pb->order_ns, "%s%s", NS_ORDER, p->account);
    *out = &pb->base;
    return RD_OK;
}

static void paper_close(struct rd_broker *b)
{
    struct paper *pb = to_paper(b);

    if (!pb)
        return;
    pb->magic = 0;
    rd_free(pb);
}

static int paper_get_account(struct rd_broker *b, struct rd_broker_account *out,
                             struct rd_error *err)
{
    struct paper *pb = to_paper(b);
    struct paper_acct a = {0};
    rd_money equity = 0;
    int32_t today;
    int rc;

    if (!pb)
        return not_paper(err);
    if (!out)
        return rd_error_set(err, RD_EINVAL, "paper broker: no place for the account");
    today = et_today(pb);
    rc = tx_begin(pb, err);
    if (rc != RD_OK)
        return rc;
    if ((rc = acct_load(pb, today, &a, err)) != RD_OK ||
        (rc = acct_rollover(pb, &a, today, err)) != RD_OK ||
        (rc = acct_equity(pb, &a, &equity, NULL, err)) != RD_OK)
        goto out;
    acct_prune_day_trades(&a, today);
    if (a.dirty)
        rc = acct_save(pb, &a, err);
out:
    rc = tx_end(pb, rc, RD_OK, err);
    if (rc == RD_OK) {
        memset(out, 0, sizeof *out);
        snprintf(out->account_number, sizeof out->account_number, "PAPER-%.56s", pb->base.account);
        snprintf(out->status, sizeof out->status, "ACTIVE");
        out->cash = a.cash;
        out->buying_power = a.cash;
        out->equity = equity;
        out->last_equity = a.last_equity;
        out->trading_blocked = 0;
        out->daytrade_count = acct_day_trade_count(&a, today);
    }
    acct_release(&a);
    return rc;
}

static int paper_list_positions(struct rd_broker *b, struct rd_broker_position **out, size_t *n,
                                struct rd_error *err)
{
    struct paper *pb = to_paper(b);
    struct paper_acct a = {0};
    struct rd_broker_position *list = NULL;
    rd_money *quotes = NULL, equity;
    int rc;

    if (!pb)
        return not_paper(err);
    if (!out || !n)
        return rd_error_set(err, RD_EINVAL, "paper broker: no place for the positions");
    *out = NULL;
    *n = 0;
    rc = tx_begin(pb, err);
    if (rc != RD_OK)
        return rc;
    if ((rc = acct_load(pb, et_today(pb), &a, err)) != RD_OK)
        goto out;
    if (a.n_pos > 0) {
        list = rd_calloc(a.n_pos, sizeof *list);
        quotes = rd_calloc(a.n_pos, sizeof *quotes);
        if (!list || !quotes) {
            rc = rd_error_set(err, RD_ENOMEM, "paper broker: out of memory listing positions");
            goto out;
        }
    }
    if ((rc = acct_equity(pb, &a, &equity, quotes, err)) != RD_OK)
        goto out;
    for (size_t i = 0; i < a.n_pos; i++) {
        const struct paper_pos *p = &a.pos[i];
        struct rd_broker_position *q = &list[i];

        memcpy(q->symbol, p->symbol, sizeof q->symbol);
        q->qty = p->qty;
        q->multiplier = p->multiplier;
        q->avg_entry_price = p->avg_price;
        q->current_price = quotes[i];
        q->market_value = position_value(p->qty, quotes[i], p->multiplier);
    }
out:
    rc = tx_end(pb, rc, RD_OK, err);
    if (rc == RD_OK) {
        *out = list;
        *n = a.n_pos;
        list = NULL;
    }
    rd_free(list);
    rd_free(quotes);
    acct_release(&a);
    return rc;
}

static int check_cid(const struct rd_order_request *req, struct rd_error *err)
{
    size_t cid_len = strnlen(req->client_order_id, sizeof req->client_order_id);

    if (cid_len == 0 || cid_len >= sizeof req->client_order_id)
        return rd_error_set(err, RD_EINVAL, "paper broker: an order needs a client order id of 1 "
                            "to %zu characters", sizeof req->client_order_id - 1);
    return RD_OK;
}

/*
 * Whether req's client order id (checked) is new to the account: RD_OK when
 * it is, RD_EEXIST with the order's result in r when it was used, else an
 * error. known: as mkt_quote's, for the order's stored value.
 */
static int order_is_new(struct paper *pb, const struct rd_order_request *req,
                        const char *const *known, struct rd_order_result *r, struct rd_error *err)
{
    int rc = known ? order_parse(pb, req->client_order_id, *known, r, err)
               : order_load(pb, req->client_order_id, r, err);
    if (rc == RD_ENOTFOUND) {
        rd_error_clear(err);
        memset(r, 0, sizeof *r);
        return RD_OK;
    }
    if (rc != RD_OK)
        return rc;
    return rd_error_set(err, RD_EEXIST, "paper broker: client order id %s was already used in "
                        "account %s (order %s, %s)", req->client_order_id, pb->base.account,
                        r->broker_order_id, status_names[r->status]);
}

/* Places a new order against the loaded account a; walk, step: as
 * mkt_quote's known and step. *doc: the order's value, rd_malloc'ed; the
 * caller stores it and the account. */
static int place(struct paper *pb, struct paper_acct *a, const struct rd_order_request *req,
                 const char *const *walk, char **step, int32_t today, struct rd_order_result *r,
                 char **doc, struct rd_error *err)
{
    int rc;

    *doc = NULL;
    snprintf(r->broker_order_id, sizeof r->broker_order_id, "paper-%" PRId64, a->next_order);
    a->next_order++;
    rc = execute(pb, a, req, walk, step, today, r, err);
    return rc == RD_OK ? order_doc(pb, req, r, doc, err) : rc;
}

/* The account as an order finds it: loaded, rolled over to today, old day trades dropped. */
static int acct_open(struct paper *pb, int32_t today, struct paper_acct *a, struct rd_error *err)
{
    int rc = acct_load(pb, today, a, err);

    if (rc == RD_OK)
        rc = acct_rollover(pb, a, today, err);
    if (rc == RD_OK)
        acct_prune_day_trades(a, today);
    return rc;
}

static int paper_submit_order(struct rd_broker *b, const struct rd_order_request *req,
                              struct rd_order_result *out, struct rd_error *err)
{
    struct paper *pb = to_paper(b);
    struct paper_acct a = {0};
    struct rd_order_result r;
    char *doc = NULL;
    int32_t today;
    int rc;

    if (!pb)
        return not_paper(err);
    if (!req || !out)
        return rd_error_set(err, RD_EINVAL, "paper broker: submit_order needs a request and a result");
    memset(out, 0, sizeof *out);
    memset(&r, 0, sizeof r);
    if ((rc = check_cid(req, err)) != RD_OK)
        return rc;
    today = et_today(pb);
    rc = tx_begin(pb, err);
    if (rc != RD_OK)
        return rc;
    if ((rc = order_is_new(pb, req, NULL, &r, err)) != RD_OK ||
        (rc = acct_open(pb, today, &a, err)) != RD_OK ||
        (rc = place(pb, &a, req, NULL, NULL, today, &r, &doc, err)) != RD_OK ||
        (rc = acct_save(pb, &a, err)) != RD_OK)
        goto out;
    rc = pb->st.put(pb->st.ctx, pb->order_ns, req->client_order_id, doc, RD_KV_NEW, err);
out:
    rc = tx_end(pb, rc, RD_EEXIST, err);
    if (rc == RD_OK || rc == RD_EEXIST)
        *out = r;
    rd_free(doc);
    acct_release(&a);
    return rc;
}

/* The first of reqs[0..i) with the same client order id (cid) or symbol as
 * reqs[i], or i when none has. */
static size_t earlier_same(const struct rd_order_request *reqs, size_t i, int cid)
{
    for (size_t j = 0; j < i; j++)
        if (cid ? !strcmp(reqs[j].client_order_id, reqs[i].client_order_id)
                : !strncmp(reqs[j].symbol, reqs[i].symbol, sizeof reqs[i].symbol))
            return j;
    return i;
}

/* reqs[i]'s symbol as a key: "" for one execute() rejects as too long */
static const char *symbol_key(const struct rd_order_request *req)
{
    return strnlen(req->symbol, sizeof req->symbol) < sizeof req->symbol ? req->symbol : "";
}

/*
 * Whether reqs[i] starts its symbol's walk before the batch's orders are
 * placed: the first order of the batch on a symbol the market has no walk for
 * (walks[i] NULL), with a client order id used neither before (orders[i]
 * NULL) nor earlier in the batch, a BUY with a price to start at that
 * execute() does not reject before quoting, the account a (as the batch found
 * it: no earlier order of the batch touched the symbol) holding no position
 * in the symbol. An order left out starts a walk, if it does, as submit_order
 * would.
 */
static int starts_walk(struct paper_acct *a, const struct rd_order_request *reqs, size_t i,
                       char *const *orders, char *const *walks)
{
    const struct rd_order_request *req = &reqs[i];
    struct rd_order_result r;

    return !walks[i] && !orders[i] && req->side == RD_SIDE_BUY && req->ref_price > 0 &&
           earlier_same(reqs, i, 1) == i && earlier_same(reqs, i, 0) == i &&
           !rejected_unquoted(req, NULL, &r) && !acct_find(a, req->symbol);
}

/*
 * Starts at once the walks the batch's orders would start (starts_walk's),
 * each as mkt_quote starts it, in one write that leaves the walks another
 * transaction has written or is writing; those are read again at once: one
 * now there is the market's, one still absent (another open transaction is
 * writing it) this transaction's own, unwritten, as mkt_quote leaves it.
 * walks[i] of each such order then holds its walk. written: room for n.
 */
static int walks_start(struct paper *pb, struct paper_acct *a,
                       const struct rd_order_request *reqs, size_t n, char *const *orders,
                       char **walks, int *written, struct rd_error *err)
{
    const char **keys = rd_calloc(n, sizeof *keys);
    char **vals = rd_calloc(n, sizeof *vals), **theirs = rd_calloc(n, sizeof *theirs);
    size_t *at = rd_calloc(n, sizeof *at), nw = 0, nleft = 0;
    int rc = RD_OK;

    if (!keys || !vals || !theirs || !at) {
        rc = rd_error_set(err, RD_ENOMEM, "paper broker: out of memory starting walks for %zu "
                          "orders", n);
        goto out;
    }
    for (size_t i = 0; i < n && rc == RD_OK; i++) {
        struct paper_mkt m;

        if (!starts_walk(a, reqs, i, orders, walks))
            continue;
        mkt_start(pb, reqs[i].ref_price, reqs[i].multiplier, &m);
        keys[nw] = reqs[i].symbol;
        at[nw] = i;
        rc = mkt_text(reqs[i].symbol, &m, &vals[nw++], err);
    }
    if (rc != RD_OK || nw == 0 ||
        (rc = pb->st.put_shared_many(pb->st.ctx, NS_MARKET, keys, (const char *const *)vals, nw,
                                     RD_KV_SHARED_NEW, written, err)) != RD_OK)
        goto out;
    for (size_t k = 0; k < nw; k++) {
        char *v = vals[k];

        vals[k] = NULL;
        if (written[k]) {
            walks[at[k]] = v;
            continue;
        }
        keys[nleft] = keys[k];
        at[nleft] = at[k];
        vals[nleft++] = v;
    }
    if (nleft == 0 || (rc = pb->st.get_many(pb->st.ctx, NS_MARKET, keys, nleft, theirs, err)) != RD_OK)
        goto out;
    for (size_t k = 0; k < nleft; k++) {
        if (theirs[k]) {
            walks[at[k]] = theirs[k];
            theirs[k] = NULL;
        } else {
            walks[at[k]] = vals[k];
            vals[k] = NULL;
        }
    }
out:
    for (size_t k = 0; k < nw; k++) {
        if (vals)
            rd_free(vals[k]);
        if (theirs)
            rd_free(theirs[k]);
    }
    rd_free(keys);
    rd_free(vals);
    rd_free(theirs);
    rd_free(at);
    return rc;
}

/*
 * The account is read and written once for the whole batch, its orders' ids
 * and their contracts' walks read in one request each, the walks its orders
 * start written in one before they are placed, the new orders in one; each
 * order is then what submit_order makes of it, in order: a later order sees
 * an earlier one's fill and its walk's step, which are written in one at the
 * end.
 */
static int paper_submit_orders(struct rd_broker *b, const struct rd_order_request *reqs,
                               size_t n, struct rd_order_result *out, int *rcs,
                               struct rd_error *err)
{
    struct paper *pb = to_paper(b);
    struct paper_acct a = {0};
    const char **keys = NULL, **vals = NULL;
    char **orders = NULL, **walks = NULL, **docs = NULL;
    unsigned char *stepped = NULL;
    int *written = NULL;
    size_t nnew = 0, nstep = 0;
    int32_t today;
    int rc;

    if (!pb)
        return not_paper(err);
    if (n == 0)
        return RD_OK;
    if (!reqs || !out || !rcs)
        return rd_error_set(err, RD_EINVAL, "paper broker: submit_orders needs requests, results "
                            "and codes");
    memset(out, 0, n * sizeof *out);
    for (size_t i = 0; i < n; i++)
        if ((rc = check_cid(&reqs[i], err)) != RD_OK)
            return rc;
    keys = rd_calloc(n, sizeof *keys);
    orders = rd_calloc(n, sizeof *orders);
    walks = rd_calloc(n, sizeof *walks);
    docs = rd_calloc(n, sizeof *docs);
    vals = rd_calloc(n, sizeof *vals);
    stepped = rd_calloc(n, sizeof *stepped);
    written = rd_calloc(n, sizeof *written);
    if (!keys || !orders || !walks || !docs || !vals || !stepped || !written) {
        rc = rd_error_set(err, RD_ENOMEM, "paper broker: out of memory submitting %zu orders", n);
        goto done;
    }
    today = et_today(pb);
    rc = tx_begin(pb, err);
    if (rc != RD_OK)
        goto done;
    for (size_t i = 0; i < n; i++)
        keys[i] = reqs[i].client_order_id;
    if ((rc = pb->st.get_many(pb->st.ctx, pb->order_ns, keys, n, orders, err)) != RD_OK)
        goto out;
    for (size_t i = 0; i < n; i++)
        keys[i] = symbol_key(&reqs[i]);
    if ((rc = pb->st.get_many(pb->st.ctx, NS_MARKET, keys, n, walks, err)) != RD_OK ||
        (rc = acct_open(pb, today, &a, err)) != RD_OK ||
        (rc = acct_room(&a, n, err)) != RD_OK ||
        (rc = walks_start(pb, &a, reqs, n, orders, walks, written, err)) != RD_OK)
        goto out;
    for (size_t i = 0; i < n && rc == RD_OK; i++) {
        size_t same = earlier_same(reqs, i, 1), sym;
        char *step = NULL;

        if (same < i) {                   /* placed a moment ago, in this batch */
            out[i] = out[same];
            rcs[i] = RD_EEXIST;
            continue;
        }
        rc = order_is_new(pb, &reqs[i], (const char *const *)&orders[i], &out[i], err);
        if (rc == RD_EEXIST) {
            rd_error_clear(err);
            rcs[i] = rc;
            rc = RD_OK;
            continue;
        }
        /* the symbol's walk as the batch knows it, in walks[] of the batch's
         * first order on it: read, started or stepped by an earlier order; a
         * walk an earlier order started one at a time is read again */
        sym = earlier_same(reqs, i, 0);
        if (rc == RD_OK)
            rc = place(pb, &a, &reqs[i],
                       sym == i || walks[sym] ? (const char *const *)&walks[sym] : NULL, &step,
                       today, &out[i], &docs[i], err);
        if (step) {
            rd_free(walks[sym]);
            walks[sym] = step;
            stepped[sym] = 1;
        }
        rcs[i] = rc;
    }
    for (size_t i = 0; i < n && rc == RD_OK; i++)
        if (stepped[i]) {
            keys[nstep] = reqs[i].symbol;
            vals[nstep++] = walks[i];
        }
    if (rc == RD_OK && nstep > 0)
        rc = pb->st.put_shared_many(pb->st.ctx, NS_MARKET, keys, vals, nstep, RD_KV_SHARED,
                                    written, err);
    for (size_t i = 0; i < n && rc == RD_OK; i++)
        if (docs[i]) {
            keys[nnew] = reqs[i].client_order_id;
            vals[nnew++] = docs[i];
        }
    if (rc == RD_OK && nnew > 0)
        rc = pb->st.put_many(pb->st.ctx, pb->order_ns, keys, vals, nnew, RD_KV_NEW, err);
    if (rc == RD_OK)
        rc = acct_save(pb, &a, err);
out:
    rc = tx_end(pb, rc, RD_OK, err);
    if (rc != RD_OK)
        memset(out, 0, n * sizeof *out);
done:
    for (size_t i = 0; i < n; i++) {
        if (orders)
            rd_free(orders[i]);
        if (walks)
            rd_free(walks[i]);
        if (docs)
            rd_free(docs[i]);
    }
    rd_free(orders);
    rd_free(walks);
    rd_free(docs);
    rd_free(vals);
    rd_free(keys);
    rd_free(stepped);
    rd_free(written);
    acct_release(&a);
    return rc;
}

static int paper_get_order(struct rd_broker *b, const char *client_order_id,
                           struct rd_order_result *out, struct rd_error *err)
{
    struct paper *pb = to_paper(b);
    struct rd_order_result r;
    int rc;

    if (!pb)
        return not_paper(err);
    if (!client_order_id || !*client_order_id || !out)
        return rd_error_set(err, RD_EINVAL, "paper broker: get_order needs a client order id");
    rc = order_load(pb, client_order_id, &r, err);
    if (rc == RD_OK)
        *out = r;
    return rc;
}

static int paper_quote(struct rd_broker *b, const char *symbol, rd_money *price,
                       struct rd_error *err)
{
    struct paper *pb = to_paper(b);
    rd_money q = 0;
    int rc;

    if (!pb)
        return not_paper(err);
    if (!symbol || !*symbol || !price)
        return rd_error_set(err, RD_EINVAL, "paper broker: quote needs a symbol");
    rc = tx_begin(pb, err);
    if (rc != RD_OK)
        return rc;
    rc = mkt_quote(pb, symbol, NULL, NULL, 0, 1, &q, err);
    rc = tx_end(pb, rc, RD_OK, err);
    if (rc == RD_OK)
        *price = q;
    return rc;
}

/* ---- cash moved in or out by the hierarchy's ledger ---- */

int rd_paper_cash_move(const struct rd_broker_state *st, const char *account,
                       rd_money starting_cash, int64_t now, rd_money delta,
                       struct rd_paper_cash *out, struct rd_error *err)
{
    struct paper pb;
    struct paper_acct a;
    int rc;

    memset(&pb, 0, sizeof pb);
    snprintf(pb.base.account, sizeof pb.base.account, "%s", account);
    pb.base.now = now;
    pb.st = *st;
    pb.starting_cash = starting_cash;
    if ((rc = tx_begin(&pb, err)) != RD_OK)
        return rc;
    if ((rc = acct_load(&pb, et_today(&pb), &a, err)) != RD_OK)
        return tx_end(&pb, rc, RD_OK, err);
    if (delta < 0 && a.cash < -delta) {
        char c[32], d[32];

        rd_money_format(a.cash, c, sizeof c);
        rd_money_format(-delta, d, sizeof d);
        rc = rd_error_set(err, RD_EREJECTED, "insufficient_funds: paper account %s has cash %s, "
                          "%s cannot leave it", account, c, d);
    } else if (delta > 0 && a.cash > RD_MONEY_MAX - delta) {
        rc = rd_error_set(err, RD_EINVAL, "paper account %s: cash would pass the money range",
                          account);
    } else if (delta != 0 || a.dirty) {
        /* equity moves with the cash, so a flow is never counted as a day's gain or loss */
        a.cash += delta;
        a.last_equity += delta;
        rc = acct_save(&pb, &a, err);
    }
    if (rc == RD_OK && out) {
        out->cash = a.cash;
        out->npositions = a.n_pos;
    }
    acct_release(&a);
    return tx_end(&pb, rc, RD_OK, err);
}

const struct rd_broker_ops rd_broker_paper_ops = {
    .name = "paper",
    .version = 3,
    .open = paper_open,
    .close = paper_close,
    .get_account = paper_get_account,
    .list_positions = paper_list_positions,
    .submit_order = paper_submit_order,
    .get_order = paper_get_order,
    .quote = paper_quote,
    .submit_orders = paper_submit_orders,
};
