/*
 * codec.c - the text the store keeps for enums and for a decision's verdicts,
 * shared by every backend (see store_int.h and docs/store.md).
 *
 * Names, not numbers, go into the database: a gate or reason added in the
 * middle of its list in gates.h must not change what old rows mean.
 */
#include "store/store_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/banned.h"

static const char *const gate_names[RD_GATE_COUNT] = {
#define GATE_NAME(id, name) name,
    RD_GATE_LIST(GATE_NAME)
#undef GATE_NAME
};

static const char *const reason_names[RD_REASON_COUNT] = {
#define REASON_NAME(id, name) name,
    RD_REASON_LIST(REASON_NAME)
#undef REASON_NAME
};

/* Their lengths, so that decoding a verdict (20 a decision read) compares
 * lengths before bytes. */
#define NAME_LEN(id, name) (uint8_t)(sizeof name - 1),
static const uint8_t gate_lens[RD_GATE_COUNT] = {RD_GATE_LIST(NAME_LEN)};
static const uint8_t reason_lens[RD_REASON_COUNT] = {RD_REASON_LIST(NAME_LEN)};
#undef NAME_LEN

/* enum rd_value_kind, one letter each: none, money, ppm, count, seconds,
 * minute of day (time), enum state, ppm threshold with nothing observed,
 * trading hours (a minute against a session). Letters are only ever added:
 * older rows keep theirs (a market_closed verdict stored before "h" reads
 * back as minute vs minute). */
static const char kind_letters[] = "nmpcsteuh";
#define KIND_COUNT ((int)sizeof kind_letters - 1)

static const char *const side_names[] = {"buy", "sell"};
static const char *const intent_names[] = {"entry", "exit"};
static const char *const state_names[RD_STATE_COUNT] = {"ACTIVE", "REDUCING", "HALTED"};
static const char *const action_names[RD_ACT_COUNT] = {"BUY_CALL", "BUY_PUT", "BUY_STOCK",
                                                       "SELL_STOCK"};
static const char *const strategy_names[RD_STRAT_COUNT] = {"day", "swing"};

#define COUNT_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *name_of(const char *const *names, int count, int v)
{
    return v >= 0 && v < count ? names[v] : NULL;
}

/* index_of with the names' lengths, trying `hint` first. */
static int index_of_len(const char *const *names, const uint8_t *lens, int count, const char *s,
                        size_t len, int hint)
{
    if (hint >= 0 && hint < count && lens[hint] == len && !memcmp(names[hint], s, len))
        return hint;
    for (int i = 0; i < count; i++)
        if (lens[i] == len && !memcmp(names[i], s, len))
            return i;
    return -1;
}

static int index_of(const char *const *names, int count, const char *s, size_t len)
{
    for (int i = 0; i < count; i++)
        if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
            return i;
    return -1;
}

#define ENUM_CODEC(fn, type, names)                                  \
    const char *rd_store_##fn##_name(type v)                         \
    {                                                                \
        return name_of(names, COUNT_OF(names), (int)v);              \
    }                                                                \
    int rd_store_##fn##_parse(const char *s, type *out)              \
    {                                                                \
        int i = index_of(names, COUNT_OF(names), s, strlen(s));      \
        if (i < 0)                                                   \
            return RD_EINVAL;                                        \
        *out = (type)i;                                              \
        return RD_OK;                                                \
    }

ENUM_CODEC(side, enum rd_order_side, side_names)
ENUM_CODEC(intent, enum rd_order_intent, intent_names)
ENUM_CODEC(state, enum rd_trading_state, state_names)
ENUM_CODEC(gate, enum rd_gate, gate_names)
ENUM_CODEC(action, enum rd_action, action_names)
ENUM_CODEC(strategy, enum rd_strategy, strategy_names)

/* Appends len bytes of s to buf[*used..n); returns -1 when they do not fit
 * (with the NUL it keeps after them). */
static int put_mem(char *buf, size_t n, size_t *used, const char *s, size_t len)
{
    if (*used + len >= n)
        return -1;
    memcpy(buf + *used, s, len);
    *used += len;
    buf[*used] = '\0';
    return 0;
}

static int put_str(char *buf, size_t n, size_t *used, const char *s)
{
    return put_mem(buf, n, used, s, strlen(s));
}

/* Decimal without printf: this runs 40 times per decision recorded. */
static int put_i64(char *buf, size_t n, size_t *used, int64_t v)
{
    char tmp[24];
    char *end = tmp + sizeof tmp, *p = end;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    return put_mem(buf, n, used, p, (size_t)(end - p));
}

/* The inputs' numbers, in the order of the "=in" item after its tier, state
 * and feed names (docs/store.md): one table for the encoder and the decoder. */
#define INPUT_NUMBERS(X, in)                                              \
    X((in)->view.equity_known) X((in)->view.buying_power) X((in)->view.equity) \
    X((in)->view.last_equity) X((in)->view.exposure) X((in)->view.open_positions) \
    X((in)->view.position_qty) X((in)->view.entries_today) X((in)->view.last_entry_at) \
    X((in)->view.day_trades) X((in)->view.open_today) X((in)->view.orders_last_minute) \
    X((in)->view.closed_trades) X((in)->view.winning_trades) X((in)->view.gross_wins) \
    X((in)->view.gross_losses) X((in)->view.firm_exposure) X((in)->market.vix) \
    X((in)->market.vix_at) X((in)->market.vix_max_age) X((in)->node) X((in)->node_capital)

static const char *const feed_names[] = {"none", "ok", "error"};

static int put_inputs(char *buf, size_t n, size_t *used, const struct rd_decision_inputs *in)
{
    const char *tier = (unsigned)in->tier < RD_TIER_COUNT ? rd_tier_name(in->tier) : NULL;
    const char *state = name_of(state_names, RD_STATE_COUNT, (int)in->view.state);
    const char *feed = name_of(feed_names, COUNT_OF(feed_names), (int)in->market.feed);

    if (!tier || !state || !feed)
        return -2;
    if (put_str(buf, n, used, ";=in,") || put_str(buf, n, used, tier) ||
        put_str(buf, n, used, ",") || put_str(buf, n, used, state) ||
        put_str(buf, n, used, ",") || put_str(buf, n, used, feed))
        return -1;
#define PUT_NUMBER(field)                                                   \
    if (put_str(buf, n, used, ",") || put_i64(buf, n, used, (int64_t)(field))) \
        return -1;
    INPUT_NUMBERS(PUT_NUMBER, in)
#undef PUT_NUMBER
    return 0;
}

int rd_store_verdicts_encode(const struct rd_decision *d, const struct rd_decision_inputs *in,
                             char *buf, size_t n, struct rd_error *err)
{
    size_t used = 0;
    int with_inputs = in && in->recorded;

    if (d->nverdicts < 0 || d->nverdicts > RD_GATE_COUNT)
        return rd_error_set(err, RD_EINVAL, "decision: nverdicts %d outside 0..%d",
                            d->nverdicts, RD_GATE_COUNT);
    if (put_str(buf, n, &used, with_inputs ? "v2" : "v1"))
        goto too_big;
    for (int i = 0; i < d->nverdicts; i++) {
        const struct rd_gate_verdict *v = &d->verdicts[i];
        const char *gate = name_of(gate_names, RD_GATE_COUNT, v->gate);
        const char *reason = name_of(reason_names, RD_REASON_COUNT, v->reason);
        char kind[2] = {0, 0};

        if (!gate || !reason || v->kind >= KIND_COUNT)
            return rd_error_set(err, RD_EINVAL,
                                "decision: verdict %d: gate %u, reason %u or kind %u out of range",
                                i, v->gate, v->reason, v->kind);
        kind[0] = kind_letters[v->kind];
        if (put_str(buf, n, &used, ";") || put_str(buf, n, &used, gate) ||
            put_str(buf, n, &used, ",") || put_i64(buf, n, &used, v->passed) ||
            put_str(buf, n, &used, ",") || put_str(buf, n, &used, reason) ||
            put_str(buf, n, &used, ",") || put_str(buf, n, &used, kind) ||
            put_str(buf, n, &used, ",") || put_i64(buf, n, &used, v->observed) ||
            put_str(buf, n, &used, ",") || put_i64(buf, n, &used, v->threshold))
            goto too_big;
    }
    if (with_inputs) {
        int rc = put_inputs(buf, n, &used, in);

        if (rc == -2)
            return rd_error_set(err, RD_EINVAL, "decision: inputs: tier %d, state %d or feed %d "
                                "out of range", (int)in->tier, (int)in->view.state,
                                (int)in->market.feed);
        if (rc)
            goto too_big;
    }
    return RD_OK;
too_big:
    return rd_error_set(err, RD_ETOOBIG, "decision: verdicts do not fit in %zu bytes", n);
}

/* One comma-separated field of an item: [*p, end) up to the next ',' or the
 * item's end. Advances *p past the separator. */
static void next_field(const char **p, const char *end, const char **f, size_t *flen)
{
    const char *c = memchr(*p, ',', (size_t)(end - *p));

    *f = *p;
    *flen = (size_t)((c ? c : end) - *p);
    *p = c ? c + 1 : end;
}

/* A decimal int64 filling exactly [f, f + flen): an optional '-', digits. */
static int parse_i64(const char *f, size_t flen, int64_t *out)
{
    uint64_t u = 0, lim;
    size_t i = 0;
    int neg = 0;

    if (flen && f[0] == '-') {
        neg = 1;
        i = 1;
    }
    if (i == flen || flen > 20)
        return -1;
    lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < flen; i++) {
        unsigned d = (unsigned char)f[i] - '0';

        if (d > 9 || u > (lim - d) / 10)
            return -1;
        u = u * 10 + d;
    }
    *out = neg ? (int64_t)(0 - u) : (int64_t)u;
    return 0;
}

static int decode_item(const char *p, const char *end, struct rd_gate_verdict *v, int hint)
{
    const char *f;
    size_t flen;
    int64_t passed;
    int i;

    next_field(&p, end, &f, &flen);
    i = index_of_len(gate_names, gate_lens, RD_GATE_COUNT, f, flen, hint);
    if (i < 0)
        return -1;
    v->gate = (uint8_t)i;
    next_field(&p, end, &f, &flen);
    if (parse_i64(f, flen, &passed) || passed < 0 || passed > UINT8_MAX)
        return -1;
    v->passed = (uint8_t)passed;
    next_field(&p, end, &f, &flen);
    i = index_of_len(reason_names, reason_lens, RD_REASON_COUNT, f, flen, RD_REASON_OK);
    if (i < 0)
        return -1;
    v->reason = (uint8_t)i;
    next_field(&p, end, &f, &flen);
    if (flen != 1 || f[0] == '\0' || !strchr(kind_letters, f[0]))
        return -1;
    v->kind = (uint8_t)(strchr(kind_letters, f[0]) - kind_letters);
    next_field(&p, end, &f, &flen);
    if (parse_i64(f, flen, &v->observed))
        return -1;
    next_field(&p, end, &f, &flen);
    if (parse_i64(f, flen, &v->threshold))
        return -1;
    return p == end && f + flen == end ? 0 : -1;
}

/* The "=in,..." item [p, end) into *in. */
static int decode_inputs(const char *p, const char *end, struct rd_decision_inputs *in)
{
    const char *f;
    size_t flen;
    char name[16];
    int64_t v;
    int i;

    memset(in, 0, sizeof *in);
    next_field(&p, end, &f, &flen);          /* "=in" */
    next_field(&p, end, &f, &flen);
    if (flen == 0 || flen >= sizeof name)
        return -1;
    memcpy(name, f, flen);
    name[flen] = '\0';
    if (rd_tier_parse(name, &in->tier) != RD_OK)
        return -1;
    next_field(&p, end, &f, &flen);
    if ((i = index_of(state_names, RD_STATE_COUNT, f, flen)) < 0)
        return -1;
    in->view.state = (enum rd_trading_state)i;
    next_field(&p, end, &f, &flen);
    if ((i = index_of(feed_names, COUNT_OF(feed_names), f, flen)) < 0)
        return -1;
    in->market.feed = (enum rd_feed_state)i;
#define GET_NUMBER(field)                                   \
    if (p == end)                                           \
        return -1;                                          \
    next_field(&p, end, &f, &flen);                         \
    if (parse_i64(f, flen, &v))                             \
        return -1;                                          \
    (field) = v;                                            \
    if ((int64_t)(field) != v)                              \
        return -1;
    INPUT_NUMBERS(GET_NUMBER, in)
#undef GET_NUMBER
    if (p != end || f + flen != end)
        return -1;
    if (in->node < 0 || in->node > RD_NODE_TYPE_COUNT)
        return -1;
    in->recorded = 1;
    return 0;
}

int rd_store_verdicts_decode(const char *s, size_t len, struct rd_decision *d,
                             struct rd_decision_inputs *in, struct rd_error *err)
{
    const char *end = s + len;
    const char *p;
    int n = 0, version;

    if (in)
        memset(in, 0, sizeof *in);
    if (len < 2 || s[0] != 'v')
        return rd_error_set(err, RD_ESTORE, "verdicts: not a riskdesk verdict encoding: \"%.*s\"",
                            (int)(len > 40 ? 40 : len), s);
    version = s[1] - '0';
    if ((version != 1 && version != 2) || (len > 2 && s[2] != ';'))
        return rd_error_set(err, RD_ESTORE,
                            "verdicts: encoding \"%.*s\" is newer than this riskdesk knows (v2)",
                            (int)(len > 8 ? 8 : len), s);
    p = s + 2;
    while (p < end) {
        const char *item = p + 1;   /* past ';' */
        const char *stop = memchr(item, ';', (size_t)(end - item));

        if (!stop)
            stop = end;
        if (version == 2 && stop == end && stop - item >= 3 && !memcmp(item, "=in", 3)) {
            struct rd_decision_inputs tmp;

            if (decode_inputs(item, stop, &tmp))
                return rd_error_set(err, RD_ESTORE, "verdicts: inputs \"%.*s\" are not "
                                    "=in,TIER,STATE,FEED and 20 numbers",
                                    (int)(stop - item > 200 ? 200 : stop - item), item);
            if (in)
                *in = tmp;
            break;
        }
        if (n >= RD_GATE_COUNT)
            return rd_error_set(err, RD_ESTORE, "verdicts: more than %d verdicts", RD_GATE_COUNT);
        if (decode_item(item, stop, &d->verdicts[n], n))
            return rd_error_set(err, RD_ESTORE, "verdicts: item %d \"%.*s\" is not GATE,PASSED,REASON,KIND,OBSERVED,THRESHOLD",
                                n + 1, (int)(stop - item > 80 ? 80 : stop - item), item);
        n++;
        p = stop;
    }
    d->nverdicts = n;
    return RD_OK;
}
