/*
 * hierarchy.c - the hierarchy's node types and state machine (hierarchy.h,
 * docs/hierarchy.md).
 */
#include "riskdesk/hierarchy.h"

#include <stdio.h>
#include <string.h>

#include "riskdesk/banned.h"

static const char *const type_names[RD_NODE_TYPE_COUNT] = {"gen", "rev", "com"};

static const char *const state_names[RD_NODE_STATE_COUNT] = {
    "SAFE", "ACTIVE", "FORKING", "MERGING", "SUSPENDED", "CLOSED", "ERROR",
};

#define BIT(s) (1u << (s))

/* The transitions of issue 14, one bit per state a node may go to. */
static const unsigned next[RD_NODE_STATE_COUNT] = {
    [RD_NODE_ACTIVE] = BIT(RD_NODE_SAFE) | BIT(RD_NODE_SUSPENDED) | BIT(RD_NODE_FORKING) |
                       BIT(RD_NODE_MERGING) | BIT(RD_NODE_ERROR),
    [RD_NODE_SAFE] = BIT(RD_NODE_SUSPENDED) | BIT(RD_NODE_ACTIVE) | BIT(RD_NODE_MERGING) |
                     BIT(RD_NODE_ERROR),
    [RD_NODE_SUSPENDED] = BIT(RD_NODE_SAFE) | BIT(RD_NODE_ACTIVE) | BIT(RD_NODE_MERGING) |
                          BIT(RD_NODE_ERROR),
    [RD_NODE_FORKING] = BIT(RD_NODE_ACTIVE) | BIT(RD_NODE_ERROR),
    [RD_NODE_MERGING] = BIT(RD_NODE_CLOSED) | BIT(RD_NODE_ACTIVE) | BIT(RD_NODE_SAFE) |
                        BIT(RD_NODE_ERROR),
    [RD_NODE_ERROR] = BIT(RD_NODE_SAFE),
    [RD_NODE_CLOSED] = 0,
};

#define M(d) ((rd_money)(d) * RD_MONEY_SCALE)

void rd_node_types_default(struct rd_node_types *types)
{
    static const struct rd_node_types seed = {{
        [RD_NODE_GEN] = {M(10000), M(100000), RD_NODE_REV, 10, 200000, 1000000, 300},
        [RD_NODE_REV] = {M(100000), M(500000), RD_NODE_COM, 20, 150000, 1200000, 180},
        [RD_NODE_COM] = {M(500000), 0, -1, 50, 100000, 1500000, 60},
    }};

    *types = seed;
}

int rd_node_types_check(const struct rd_node_types *types, const char *where,
                        struct rd_error *err)
{
    for (int i = 0; i < RD_NODE_TYPE_COUNT; i++) {
        const struct rd_node_type_def *d = &types->t[i];
        const char *n = type_names[i];

        if (d->min_capital <= 0 || d->min_capital > RD_MONEY_MAX)
            return rd_error_set(err, RD_ECONFIG, "%s: %s.min_capital: expected an amount > 0",
                                where, n);
        if (d->fork_threshold < 0 || d->fork_threshold > RD_MONEY_MAX)
            return rd_error_set(err, RD_ECONFIG,
                                "%s: %s.fork_threshold: expected an amount > 0 or none", where, n);
        if (d->max_positions <= 0)
            return rd_error_set(err, RD_ECONFIG, "%s: %s.max_positions: expected a count > 0",
                                where, n);
        if (d->position_ppm <= 0 || d->position_ppm > 1000000)
            return rd_error_set(err, RD_ECONFIG,
                                "%s: %s.per_position: expected a fraction in (0, 1]", where, n);
        if (d->risk_ppm <= 0 || d->risk_ppm > 10000000)
            return rd_error_set(err, RD_ECONFIG,
                                "%s: %s.risk_multiplier: expected a number in (0, 10]", where, n);
        if (d->scan_seconds <= 0)
            return rd_error_set(err, RD_ECONFIG, "%s: %s.scan_seconds: expected seconds > 0",
                                where, n);
        if (d->fork_threshold == 0 && d->child != -1)
            return rd_error_set(err, RD_ECONFIG,
                                "%s: %s.child: a type that never forks has no child", where, n);
        if (d->fork_threshold == 0)
            continue;
        /* children go down gen -> rev -> com, so a chain of forks ends */
        if (d->child <= i || d->child >= RD_NODE_TYPE_COUNT)
            return rd_error_set(err, RD_ECONFIG,
                                "%s: %s.child: expected a type after %s (rev or com)", where, n, n);
        if (types->t[d->child].min_capital > d->fork_threshold)
            return rd_error_set(err, RD_ECONFIG,
                                "%s: %s.fork_threshold: below %s.min_capital, so a child could "
                                "not start at its minimum", where, n, type_names[d->child]);
    }
    return RD_OK;
}

const char *rd_node_type_name(enum rd_node_type t)
{
    return (unsigned)t < RD_NODE_TYPE_COUNT ? type_names[t] : NULL;
}

int rd_node_type_parse(const char *s, enum rd_node_type *out)
{
    for (int i = 0; i < RD_NODE_TYPE_COUNT; i++)
        if (strcmp(s, type_names[i]) == 0) {
            *out = (enum rd_node_type)i;
            return RD_OK;
        }
    return RD_EINVAL;
}

const char *rd_node_state_name(enum rd_node_state s)
{
    return (unsigned)s < RD_NODE_STATE_COUNT ? state_names[s] : NULL;
}

int rd_node_state_parse(const char *s, enum rd_node_state *out)
{
    for (int i = 0; i < RD_NODE_STATE_COUNT; i++)
        if (strcmp(s, state_names[i]) == 0) {
            *out = (enum rd_node_state)i;
            return RD_OK;
        }
    return RD_EINVAL;
}

int rd_node_transition_allowed(enum rd_node_state from, enum rd_node_state to)
{
    if ((unsigned)from >= RD_NODE_STATE_COUNT || (unsigned)to >= RD_NODE_STATE_COUNT)
        return 0;
    return (next[from] & BIT(to)) != 0;
}

int rd_node_transition_check(const char *account, enum rd_node_state from, enum rd_node_state to,
                             rd_money capital, struct rd_error *err)
{
    char allowed[96] = "";
    size_t used = 0;

    if (rd_node_transition_allowed(from, to) && (to != RD_NODE_CLOSED || capital == 0))
        return RD_OK;
    if ((unsigned)from >= RD_NODE_STATE_COUNT || (unsigned)to >= RD_NODE_STATE_COUNT)
        return rd_error_set(err, RD_EREJECTED, "invalid_transition: %s: unknown state", account);
    if (to == RD_NODE_CLOSED && rd_node_transition_allowed(from, to)) {
        char m[32];

        rd_money_format(capital, m, sizeof m);
        return rd_error_set(err, RD_EREJECTED,
                            "invalid_transition: %s: MERGING -> CLOSED needs capital 0, it has %s",
                            account, m);
    }
    for (int i = 0; i < RD_NODE_STATE_COUNT; i++)
        if (next[from] & BIT(i)) {
            int n = snprintf(allowed + used, sizeof allowed - used, "%s%s", used ? ", " : "",
                             state_names[i]);
            if (n > 0 && (size_t)n < sizeof allowed - used)
                used += (size_t)n;
        }
    return rd_error_set(err, RD_EREJECTED, "invalid_transition: %s: %s -> %s; from %s: %s",
                        account, state_names[from], state_names[to], state_names[from],
                        used ? allowed : "none (final)");
}

enum rd_trading_state rd_node_trading_state(enum rd_node_state s)
{
    switch (s) {
    case RD_NODE_ACTIVE:
    case RD_NODE_FORKING:
        return RD_STATE_ACTIVE;
    case RD_NODE_MERGING:
        return RD_STATE_REDUCING;
    default:
        return RD_STATE_HALTED;
    }
}

void rd_node_limits_layer(const struct rd_node_type_def *t, rd_money capital, int own_positions,
                          int own_risk_pct, struct rd_risk_config *risk,
                          struct rd_node_limits *out)
{
    if (!own_positions)
        risk->max_open_positions = t->max_positions;
    out->position_cap = capital > 0 ? rd_money_mul_ppm(capital, t->position_ppm) : 0;
    out->risk_ppm = t->risk_ppm;
    out->own_risk_pct = own_risk_pct != 0;
}

rd_money rd_node_buying_power(rd_money broker, rd_money available)
{
    return broker < available ? broker : available;
}
