/*
 * config_risk.c - the keys of a "risk" object: one table that says where each
 * key lands in struct rd_risk_config, read by the parser and by the printer.
 */
#include "config/config_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "riskdesk/gates.h"
#include "riskdesk/banned.h"

#define F(member) offsetof(struct rd_risk_config, member)

static const struct rd_risk_key keys[] = {
    {"max_notional_exposure", RD_RISK_KEY_MONEY, F(max_notional_exposure)},
    {"max_open_positions", RD_RISK_KEY_INT, F(max_open_positions)},
    {"max_contracts_per_trade", RD_RISK_KEY_INT, F(max_contracts_per_trade)},
    {"max_daily_loss", RD_RISK_KEY_MONEY, F(max_daily_loss)},
    {"max_risk_per_trade_pct", RD_RISK_KEY_PPM, F(max_risk_per_trade_pct)},
    {"ticker_cooldown_minutes", RD_RISK_KEY_INT, F(ticker_cooldown_minutes)},
    {"confidence_min_options_swing", RD_RISK_KEY_PPM, F(confidence_min_options_swing)},
    {"confidence_min_options_daytrade", RD_RISK_KEY_PPM, F(confidence_min_options_daytrade)},
    {"allowed_actions", RD_RISK_KEY_ACTIONS, F(allowed_actions)},
    {"paper_ignore_buying_power", RD_RISK_KEY_BOOL, F(paper_ignore_buying_power)},
    {"max_entries_per_ticker_per_day", RD_RISK_KEY_INT, F(max_entries_per_ticker_per_day)},
    {"stale_after_seconds", RD_RISK_KEY_INT, F(stale_after_seconds)},
    {"vix_halt", RD_RISK_KEY_PPM, F(vix_halt)},
    {"max_orders_per_minute", RD_RISK_KEY_INT, F(max_orders_per_minute)},
    {"pdt.enabled", RD_RISK_KEY_BOOL, F(pdt.enabled)},
    {"pdt.threshold", RD_RISK_KEY_MONEY, F(pdt.threshold)},
    {"pdt.max_day_trades", RD_RISK_KEY_INT, F(pdt.max_day_trades)},
    {"pdt.window_days", RD_RISK_KEY_INT, F(pdt.window_days)},
    {"exits.stop_loss_pct", RD_RISK_KEY_PPM, F(exits.stop_loss_pct)},
    {"exits.take_profit_pct", RD_RISK_KEY_PPM, F(exits.take_profit_pct)},
    {"exits.max_hold_days", RD_RISK_KEY_INT, F(exits.max_hold_days)},
    {"exits.day_close", RD_RISK_KEY_HHMM, F(exits.day_close_minute)},
    {"kelly.enabled", RD_RISK_KEY_BOOL, F(kelly.enabled)},
    {"kelly.min_trades", RD_RISK_KEY_INT, F(kelly.min_trades)},
    {"kelly.lookback_days", RD_RISK_KEY_INT, F(kelly.lookback_days)},
    {"kelly.fraction", RD_RISK_KEY_PPM, F(kelly.fraction)},
    {"kelly.cap", RD_RISK_KEY_PPM, F(kelly.cap)},
    {"kelly.on_zero", RD_RISK_KEY_ON_ZERO, F(kelly.on_zero)},
    {"person_trades.gates", RD_RISK_KEY_GATES, F(person_trades.gates)},
    {"person_trades.allowed_actions", RD_RISK_KEY_ACTIONS, F(person_trades.allowed_actions)},
};

#define NKEYS (sizeof keys / sizeof keys[0])
_Static_assert(NKEYS <= 64, "the set mask of rd_cfg_parse_risk is 64 bits");

static const char *const sections[] = {"pdt", "exits", "kelly", "person_trades"};
#define NSECTIONS (sizeof sections / sizeof sections[0])

const struct rd_risk_key *rd_risk_keys(size_t *n)
{
    *n = NKEYS;
    return keys;
}

static size_t field_size(enum rd_risk_key_type t)
{
    switch (t) {
    case RD_RISK_KEY_MONEY:
    case RD_RISK_KEY_PPM:
        return sizeof(int64_t);
    case RD_RISK_KEY_INT:
    case RD_RISK_KEY_HHMM:
        return sizeof(int32_t);
    case RD_RISK_KEY_BOOL:
        return sizeof(int);
    case RD_RISK_KEY_ACTIONS:
    case RD_RISK_KEY_GATES:
        return sizeof(uint32_t);
    case RD_RISK_KEY_ON_ZERO:
        return sizeof(enum rd_kelly_on_zero);
    }
    return 0;
}

/* ---- sets of names: actions, gates ---- */

static const char *action_at(int i) { return rd_action_name((enum rd_action)i); }
static const char *gate_at(int i) { return rd_gate_name((enum rd_gate)i); }

struct name_set {
    int count;
    const char *(*name)(int i);
    const char *example;          /* an array of names, for the messages */
    const char *expected;         /* what an item must be */
};

static const struct name_set actions_set = {
    RD_ACT_COUNT, action_at, "[\"BUY_CALL\", \"BUY_PUT\"]",
    "BUY_CALL, BUY_PUT, BUY_STOCK or SELL_STOCK"};
static const struct name_set gates_set = {
    RD_GATE_COUNT, gate_at, "[\"trading_state\", \"daily_loss\", \"sizing\"]",
    "a gate name (docs/config.md lists them: trading_state, daily_loss, ... firm_exposure)"};

static const struct name_set *set_of(enum rd_risk_key_type t)
{
    return t == RD_RISK_KEY_GATES ? &gates_set : &actions_set;
}

/* "A,B,C": the names of the set bits. Returns like snprintf. */
static int set_format(const struct name_set *ns, uint32_t bits, char *buf, size_t n)
{
    int len = 0;

    if (n > 0)
        buf[0] = '\0';
    for (int i = 0; i < ns->count; i++) {
        if (!(bits & (1u << (unsigned)i)))
            continue;
        len += snprintf(buf + ((size_t)len < n ? (size_t)len : n),
                        (size_t)len < n ? n - (size_t)len : 0, "%s%s", len ? "," : "",
                        ns->name(i));
    }
    return len;
}

static int set_parse(const json_t *obj, const char *key, const struct cfg_at *at,
                     const struct name_set *ns, uint32_t *out, struct rd_error *err)
{
    const json_t *v = json_object_get(obj, key), *item;
    uint32_t bits = 0;
    char shown[80];
    size_t i;

    if (!json_is_array(v)) {
        rd_cfg_describe(v, shown, sizeof shown);
        return rd_cfg_field_error(err, RD_ECONFIG, at, key, "%s; expected an array such as %s",
                                  shown, ns->example);
    }
    json_array_foreach(v, i, item) {
        int k = 0;

        while (k < ns->count && !(json_is_string(item) &&
                                  !strcasecmp(json_string_value(item), ns->name(k))))
            k++;
        if (k == ns->count) {
            rd_cfg_describe(item, shown, sizeof shown);
            return rd_cfg_field_error(err, RD_ECONFIG, at, key, "[%zu] is %s; expected %s", i,
                                      shown, ns->expected);
        }
        bits |= 1u << (unsigned)k;
    }
    *out = bits;
    return RD_OK;
}

int rd_risk_key_format(const struct rd_risk_key *k, const struct rd_risk_config *r, char *buf,
                       size_t n)
{
    const char *p = (const char *)r + k->offset;
    int64_t i64;
    int32_t i32;
    uint32_t bits;
    int b;
    enum rd_kelly_on_zero z;

    switch (k->type) {
    case RD_RISK_KEY_MONEY:
        memcpy(&i64, p, sizeof i64);
        return rd_money_format(i64, buf, n);
    case RD_RISK_KEY_PPM:
        memcpy(&i64, p, sizeof i64);
        return rd_ppm_format(i64, buf, n);
    case RD_RISK_KEY_INT:
        memcpy(&i32, p, sizeof i32);
        return snprintf(buf, n, "%d", (int)i32);
    case RD_RISK_KEY_HHMM:
        memcpy(&i32, p, sizeof i32);
        return snprintf(buf, n, "%02d:%02d", (int)(i32 / 60), (int)(i32 % 60));
    case RD_RISK_KEY_BOOL:
        memcpy(&b, p, sizeof b);
        return snprintf(buf, n, "%s", b ? "true" : "false");
    case RD_RISK_KEY_ON_ZERO:
        memcpy(&z, p, sizeof z);
        return snprintf(buf, n, "%s", z == RD_KELLY_ZERO_TIER ? "tier" : "reject");
    case RD_RISK_KEY_ACTIONS:
    case RD_RISK_KEY_GATES:
        memcpy(&bits, p, sizeof bits);
        return set_format(set_of(k->type), bits, buf, n);
    }
    return snprintf(buf, n, "?");
}

static int parse_hhmm(const json_t *obj, const char *key, const struct cfg_at *at, int32_t *out,
                      struct rd_error *err)
{
    const json_t *v = json_object_get(obj, key);
    const char *s = json_string_value(v);
    size_t len = s ? strlen(s) : 0;
    char shown[80];
    int h = -1, m = -1;

    if (s && (len == 4 || len == 5) && s[len - 3] == ':') {
        const char *mm = s + len - 2;

        if (mm[0] >= '0' && mm[0] <= '5' && mm[1] >= '0' && mm[1] <= '9')
            m = (mm[0] - '0') * 10 + (mm[1] - '0');
        if (len == 4 && s[0] >= '0' && s[0] <= '9')
            h = s[0] - '0';
        if (len == 5 && s[0] >= '0' && s[0] <= '2' && s[1] >= '0' && s[1] <= '9')
            h = (s[0] - '0') * 10 + (s[1] - '0');
    }
    if (h < 0 || h > 23 || m < 0) {
        rd_cfg_describe(v, shown, sizeof shown);
        return rd_cfg_field_error(err, RD_ECONFIG, at, key,
                                  "%s; expected a time \"HH:MM\" (US Eastern), such as \"15:55\"",
                                  shown);
    }
    *out = (int32_t)(h * 60 + m);
    return RD_OK;
}

static int parse_on_zero(const json_t *obj, const char *key, const struct cfg_at *at,
                         enum rd_kelly_on_zero *out, struct rd_error *err)
{
    const json_t *v = json_object_get(obj, key);
    const char *s = json_string_value(v);
    char shown[80];

    if (s && !strcmp(s, "reject"))
        *out = RD_KELLY_ZERO_REJECT;
    else if (s && !strcmp(s, "tier"))
        *out = RD_KELLY_ZERO_TIER;
    else {
        rd_cfg_describe(v, shown, sizeof shown);
        return rd_cfg_field_error(err, RD_ECONFIG, at, key, "%s; expected \"reject\" or \"tier\"",
                                  shown);
    }
    return RD_OK;
}

static int parse_key(const json_t *obj, const char *leaf, const struct rd_risk_key *k,
                     const struct cfg_at *at, struct rd_risk_config *r, struct rd_error *err)
{
    void *p = (char *)r + k->offset;

    switch (k->type) {
    case RD_RISK_KEY_MONEY:
        return rd_cfg_get_money(obj, leaf, at, p, err);
    case RD_RISK_KEY_PPM:
        return rd_cfg_get_ppm(obj, leaf, at, p, err);
    case RD_RISK_KEY_INT:
        return rd_cfg_get_int32(obj, leaf, at, p, err);
    case RD_RISK_KEY_BOOL:
        return rd_cfg_get_bool(obj, leaf, at, p, err);
    case RD_RISK_KEY_ACTIONS:
    case RD_RISK_KEY_GATES:
        return set_parse(obj, leaf, at, set_of(k->type), p, err);
    case RD_RISK_KEY_HHMM:
        return parse_hhmm(obj, leaf, at, p, err);
    case RD_RISK_KEY_ON_ZERO:
        return parse_on_zero(obj, leaf, at, p, err);
    }
    return rd_error_set(err, RD_EINTERNAL, "risk key %s has no type", k->name);
}

/* The leaf name of key k if it belongs to `section` ("" = the top), else NULL. */
static const char *leaf_of(const struct rd_risk_key *k, const char *section)
{
    const char *dot = strchr(k->name, '.');
    size_t sl = strlen(section);

    if (sl == 0)
        return dot ? NULL : k->name;
    if (dot && (size_t)(dot - k->name) == sl && !strncmp(k->name, section, sl))
        return dot + 1;
    return NULL;
}

int rd_cfg_parse_risk(const json_t *obj, const char *section, const struct cfg_at *at,
                      struct rd_risk_config *r, uint64_t *set, struct rd_error *err)
{
    const char *allowed[NKEYS + NSECTIONS];
    size_t n = 0;
    int rc;

    for (size_t i = 0; i < NKEYS; i++) {
        const char *leaf = leaf_of(&keys[i], section);

        if (leaf)
            allowed[n++] = leaf;
    }
    if (!section[0])
        for (size_t i = 0; i < NSECTIONS; i++)
            allowed[n++] = sections[i];
    rc = rd_cfg_check_keys(obj, allowed, n, at, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < NKEYS; i++) {
        const char *leaf = leaf_of(&keys[i], section);

        if (!leaf || !json_object_get(obj, leaf))
            continue;
        rc = parse_key(obj, leaf, &keys[i], at, r, err);
        if (rc)
            return rc;
        *set |= (uint64_t)1 << i;
    }
    if (section[0])
        return RD_OK;
    for (size_t i = 0; i < NSECTIONS; i++) {
        char sect[128];
        struct cfg_at sub = {at->where, sect};
        json_t *child;

        rc = rd_cfg_get_object(obj, sections[i], at, &child, err);
        if (rc)
            return rc;
        if (!child)
            continue;
        snprintf(sect, sizeof sect, "%s%s%s", at->sect, at->sect[0] ? "." : "", sections[i]);
        rc = rd_cfg_parse_risk(child, sections[i], &sub, r, set, err);
        if (rc)
            return rc;
    }
    return RD_OK;
}

void rd_cfg_risk_copy(struct rd_risk_config *dst, const struct rd_risk_config *src, uint64_t set)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (set & ((uint64_t)1 << i))
            memcpy((char *)dst + keys[i].offset, (const char *)src + keys[i].offset,
                   field_size(keys[i].type));
}

int rd_config_risk_own(const struct rd_account_config *a, const char *key)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (!strcmp(keys[i].name, key))
            return (a->risk_own & ((uint64_t)1 << i)) != 0;
    return 0;
}
