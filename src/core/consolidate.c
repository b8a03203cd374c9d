/*
 * consolidate.c - the rules of a consolidation (consolidate.h,
 * docs/hierarchy.md "Consolidation"). Pure: no I/O.
 */
#include "riskdesk/consolidate.h"

#include <stdio.h>
#include <string.h>

#include "riskdesk/banned.h"

static const char *const urgencies[RD_MERGE_URGENCY_COUNT] = {"low", "medium", "high",
                                                                "critical"};
static const char *const triggers[RD_MERGE_TRIGGER_COUNT] = {
    "drawdown", "low_return", "under_minimum", "idle", "manual", "too_many_nodes",
};
static const enum rd_merge_urgency trigger_urgency[RD_MERGE_TRIGGER_COUNT] = {
    RD_MERGE_CRITICAL, RD_MERGE_HIGH, RD_MERGE_MEDIUM, RD_MERGE_LOW, RD_MERGE_HIGH, RD_MERGE_LOW,
};
static const char *const strategies[RD_MERGE_STRATEGY_COUNT] = {"parent", "sibling", "new",
                                                                  "partial"};

const char *rd_merge_urgency_name(enum rd_merge_urgency u)
{
    return (unsigned)u < RD_MERGE_URGENCY_COUNT ? urgencies[u] : NULL;
}

const char *rd_merge_trigger_name(enum rd_merge_trigger t)
{
    return (unsigned)t < RD_MERGE_TRIGGER_COUNT ? triggers[t] : NULL;
}

enum rd_merge_urgency rd_merge_trigger_urgency(enum rd_merge_trigger t)
{
    return (unsigned)t < RD_MERGE_TRIGGER_COUNT ? trigger_urgency[t] : RD_MERGE_LOW;
}

int rd_merge_trigger_is_rule(enum rd_merge_trigger t)
{
    return t != RD_MERGE_T_DRAWDOWN && t != RD_MERGE_T_LOW_RETURN;
}

const char *rd_merge_strategy_name(enum rd_merge_strategy s)
{
    return (unsigned)s < RD_MERGE_STRATEGY_COUNT ? strategies[s] : NULL;
}

int rd_merge_strategy_parse(const char *s, enum rd_merge_strategy *out)
{
    for (int i = 0; s && i < RD_MERGE_STRATEGY_COUNT; i++)
        if (!strcmp(s, strategies[i])) {
            *out = (enum rd_merge_strategy)i;
            return RD_OK;
        }
    return RD_EINVAL;
}

unsigned rd_merge_triggers(const struct rd_merge_facts *f, const struct rd_node_types *types,
                           enum rd_merge_trigger *top)
{
    unsigned mask = 0;

    if (f->drawdown_ppm >= RD_MERGE_BAD_DRAWDOWN_PPM)
        mask |= 1u << RD_MERGE_T_DRAWDOWN;
    if (f->tracked_days >= RD_MERGE_MIN_TRACKED_DAYS &&
        f->annual_return_ppm < RD_MERGE_LOW_RETURN_PPM)
        mask |= 1u << RD_MERGE_T_LOW_RETURN;
    if (f->capital < types->t[f->type].min_capital)
        mask |= 1u << RD_MERGE_T_UNDER_MINIMUM;
    if (f->now - f->last_entry >= RD_MERGE_IDLE_S)
        mask |= 1u << RD_MERGE_T_IDLE;
    if (f->manual)
        mask |= 1u << RD_MERGE_T_MANUAL;
    if (f->worst_leaf)
        mask |= 1u << RD_MERGE_T_TOO_MANY;
    *top = RD_MERGE_TRIGGER_COUNT;
    for (int t = 0; t < RD_MERGE_TRIGGER_COUNT; t++)
        if ((mask & (1u << t)) &&
            (*top == RD_MERGE_TRIGGER_COUNT || trigger_urgency[t] > trigger_urgency[*top]))
            *top = (enum rd_merge_trigger)t;
    return mask;
}

/* A node that may give or take money: not moving, not stopped for good. */
int rd_merge_state_open(enum rd_node_state s)
{
    return s == RD_NODE_ACTIVE || s == RD_NODE_SAFE || s == RD_NODE_SUSPENDED;
}

int rd_merge_check(const struct rd_merge_check_in *in, struct rd_error *err)
{
    int partial = in->strategy == RD_MERGE_PARTIAL;

    if (!rd_merge_state_open(in->source_state))
        return rd_error_set(err, RD_EREJECTED, "invalid_transition: %s is %s; a consolidation "
                            "needs it ACTIVE, SAFE or SUSPENDED", in->source,
                            rd_node_state_name(in->source_state));
    if (!partial && in->open_children > 0)
        return rd_error_set(err, RD_EREJECTED, "open_children: %s has %d open child node(s); "
                            "consolidate them first (only partial may leave them)", in->source,
                            in->open_children);
    if (!*in->target)
        return RD_OK;                 /* a new node: made by the op, nothing to check */
    if (in->target_in_subtree)
        return rd_error_set(err, RD_EREJECTED, "target_in_subtree: --into %s is %s or under it; "
                            "expected a node outside its subtree", in->target, in->source);
    if (!rd_merge_state_open(in->target_state))
        return rd_error_set(err, RD_EREJECTED, "target_state: --into %s is %s; expected ACTIVE, "
                            "SAFE or SUSPENDED", in->target,
                            rd_node_state_name(in->target_state));
    if (in->strategy == RD_MERGE_SIBLING && in->target_type != in->source_type)
        return rd_error_set(err, RD_EREJECTED, "sibling_type: --into %s is %s, %s is %s; a "
                            "sibling must be of the same type", in->target,
                            rd_node_type_name(in->target_type), in->source,
                            rd_node_type_name(in->source_type));
    if (in->strategy == RD_MERGE_SIBLING &&
        in->target_tracked_days < RD_MERGE_MIN_TRACKED_DAYS)
        return rd_error_set(err, RD_EREJECTED, "sibling_young: --into %s has %d tracked days; "
                            "a sibling needs at least %d", in->target,
                            (int)in->target_tracked_days, RD_MERGE_MIN_TRACKED_DAYS);
    if (partial && in->amount > in->available) {
        char a[32], v[32];

        rd_money_format(in->amount, a, sizeof a);
        rd_money_format(in->available, v, sizeof v);
        return rd_error_set(err, RD_EREJECTED, "insufficient_funds: --amount %s is over %s's "
                            "available %s", a, in->source, v);
    }
    return RD_OK;
}

int rd_merge_pick_sibling(enum rd_node_type type, const struct rd_merge_candidate *c, size_t n)
{
    int best = -1;

    for (size_t i = 0; i < n; i++) {
        if (c[i].type != type || !rd_merge_state_open(c[i].state) ||
            c[i].tracked_days < RD_MERGE_MIN_TRACKED_DAYS)
            continue;
        if (best < 0 || c[i].annual_return_ppm > c[best].annual_return_ppm)
            best = (int)i;
    }
    return best;
}

static int64_t clamp_ppm(int64_t v)
{
    return v < 0 ? 0 : v > RD_PPM ? RD_PPM : v;
}

void rd_merge_assess(const struct rd_merge_inputs *in, struct rd_merge_factors *out)
{
    int64_t gap = in->target_return_ppm - in->source_return_ppm;

    memset(out, 0, sizeof *out);
    out->reliability = rd_merge_trigger_is_rule(in->trigger)
                           ? RD_PPM
                           : clamp_ppm((int64_t)in->tracked_days * RD_PPM /
                                       RD_MERGE_RELIABLE_DAYS);
    /* capped before the product, which stays well inside int64 */
    out->benefit = gap <= 0 ? 0 : gap >= RD_MERGE_GOOD_GAP_PPM ? RD_PPM
                                                               : gap * RD_PPM / RD_MERGE_GOOD_GAP_PPM;
    out->risk = in->max_positions <= 0
                    ? 0
                    : clamp_ppm(RD_PPM - (int64_t)in->open_positions * RD_PPM / in->max_positions);
    out->confidence = (300000 * out->reliability + 400000 * out->benefit + 300000 * out->risk) /
                      RD_PPM;
    out->action = rd_fork_action_of(out->confidence);
    out->safe = in->urgency == RD_MERGE_CRITICAL && out->confidence < RD_FORK_WINDOW_PPM;
}
