/*
 * fork.c - a fork's prerequisites, confidence and children (fork.h,
 * docs/hierarchy.md). Integer arithmetic throughout: factors are ppm.
 */
#include "riskdesk/fork.h"

#include <stdio.h>
#include <string.h>

#include "riskdesk/calendar.h"
#include "riskdesk/banned.h"

static const char *const action_names[RD_FORK_ACTION_COUNT] = {"execute", "window", "review"};

const char *rd_fork_action_name(enum rd_fork_action a)
{
    return (unsigned)a < RD_FORK_ACTION_COUNT ? action_names[a] : NULL;
}

int rd_fork_action_parse(const char *s, enum rd_fork_action *out)
{
    for (int i = 0; i < RD_FORK_ACTION_COUNT; i++)
        if (!strcmp(s, action_names[i])) {
            *out = (enum rd_fork_action)i;
            return RD_OK;
        }
    return RD_EINVAL;
}

/* ---- prerequisites ---- */

int rd_fork_check(const char *account, const struct rd_node_types *types,
                  const struct rd_fork_facts *f, struct rd_error *err)
{
    const struct rd_node_type_def *d;
    char a[32], b[32];
    int rc;

    if (!rd_node_type_name(f->type))
        return rd_error_set(err, RD_EINVAL, "fork: account %s: unknown type", account);
    d = &types->t[f->type];
    if (d->fork_threshold <= 0 || d->child < 0)
        return rd_error_set(err, RD_EREJECTED, "type_never_forks: account %s is a %s node, and "
                            "%s nodes never fork", account, rd_node_type_name(f->type),
                            rd_node_type_name(f->type));
    if (f->state != RD_NODE_ACTIVE &&
        (rc = rd_node_transition_check(account, f->state, RD_NODE_FORKING, 0, err)) != RD_OK)
        return rc;
    if (f->surplus < d->fork_threshold) {
        rd_money_format(f->surplus, a, sizeof a);
        rd_money_format(d->fork_threshold, b, sizeof b);
        return rd_error_set(err, RD_EREJECTED, "below_threshold: account %s has a surplus of %s; "
                            "a %s node forks at %s", account, a, rd_node_type_name(f->type), b);
    }
    if (f->available < d->fork_threshold) {
        rd_money_format(f->available, a, sizeof a);
        rd_money_format(d->fork_threshold, b, sizeof b);
        return rd_error_set(err, RD_EREJECTED, "insufficient_funds: account %s has %s available, "
                            "the fork moves %s", account, a, b);
    }
    if (f->open_orders > 0)
        return rd_error_set(err, RD_EREJECTED, "open_orders: account %s has %lld open orders; a "
                            "fork waits until none is open", account, (long long)f->open_orders);
    if (f->in_progress >= RD_FORK_MAX_IN_PROGRESS)
        return rd_error_set(err, RD_EREJECTED, "fork_limit: account %s: %d forks are in progress; "
                            "at most %d at once", account, f->in_progress, RD_FORK_MAX_IN_PROGRESS);
    if (f->last_attempt && f->now < f->last_attempt + RD_FORK_COOLDOWN_S) {
        rd_time_format(f->last_attempt + RD_FORK_COOLDOWN_S, a, sizeof a);
        return rd_error_set(err, RD_EREJECTED, "cooldown: account %s tried a fork less than 24 h "
                            "ago; the next may start at %s", account, a);
    }
    return RD_OK;
}

/* ---- confidence ---- */

static int64_t market_factor(const struct rd_fork_inputs *in)
{
    if (!in->vix_known)
        return 0;
    if (in->vix <= RD_FORK_GOOD_VIX)
        return RD_PPM;
    if (in->vix >= in->vix_halt)
        return 0;
    return rd_muldiv(in->vix_halt - in->vix, RD_PPM, in->vix_halt - RD_FORK_GOOD_VIX);
}

static int64_t performance_factor(const struct rd_fork_inputs *in)
{
    if (in->tracked_days < RD_FORK_MIN_TRACKED_DAYS ||
        in->drawdown_ppm >= RD_FORK_BAD_DRAWDOWN_PPM || in->annual_return_ppm <= 0)
        return 0;
    if (in->annual_return_ppm >= RD_FORK_GOOD_RETURN_PPM)
        return RD_PPM;
    return rd_muldiv(in->annual_return_ppm, RD_PPM, RD_FORK_GOOD_RETURN_PPM);
}

enum rd_fork_action rd_fork_action_of(int64_t confidence_ppm)
{
    if (confidence_ppm >= RD_FORK_EXECUTE_PPM)
        return RD_FORK_EXECUTE;
    return confidence_ppm >= RD_FORK_WINDOW_PPM ? RD_FORK_WINDOW : RD_FORK_REVIEW;
}

void rd_fork_assess(const struct rd_fork_inputs *in, struct rd_fork_factors *out)
{
    int busy = in->in_progress < 0 ? 0 : in->in_progress;

    out->market = market_factor(in);
    out->performance = performance_factor(in);
    out->load = busy >= RD_FORK_MAX_IN_PROGRESS
                    ? 0 : RD_PPM - (int64_t)busy * RD_PPM / RD_FORK_MAX_IN_PROGRESS;
    out->timing = in->market_open ? RD_PPM / 2 : RD_PPM;
    out->confidence = (3 * out->market + 4 * out->performance + 2 * out->load + out->timing) / 10;
    out->action = rd_fork_action_of(out->confidence);
}

/* ---- children ---- */

static int child_name(const char *account, int n, int part, size_t nparts, char *out, size_t cap,
                      struct rd_error *err)
{
    int len = nparts ? snprintf(out, cap, "%s.f%d.%c", account, n, 'a' + part)
                     : snprintf(out, cap, "%s.f%d", account, n);

    if (len < 0 || (size_t)len >= cap)
        return rd_error_set(err, RD_EINVAL, "fork: the child of %s would be named %s.f%d%s, over "
                            "%zu characters", account, account, n, nparts ? ".a" : "", cap - 1);
    return RD_OK;
}

int rd_fork_split_check(const struct rd_fork_part *split, size_t n, struct rd_error *err)
{
    int64_t sum = 0;

    if (n == 0 || n > RD_FORK_SPLIT_MAX)
        return rd_error_set(err, RD_EINVAL, "fork_split: %zu parts; expected 1 to %d", n,
                            RD_FORK_SPLIT_MAX);
    for (size_t i = 0; i < n; i++) {
        if (!rd_node_type_name(split[i].type))
            return rd_error_set(err, RD_EINVAL, "fork_split[%zu].type: expected gen, rev or com",
                                i);
        if (split[i].fraction_ppm <= 0 || split[i].fraction_ppm > RD_PPM)
            return rd_error_set(err, RD_EINVAL, "fork_split[%zu].fraction: expected above 0 and "
                                "at most 1", i);
        sum += split[i].fraction_ppm;
    }
    if (sum != RD_PPM) {
        char got[32];

        rd_ppm_format(sum, got, sizeof got);
        return rd_error_set(err, RD_EINVAL, "fork_split: fractions sum to %s; expected exactly 1",
                            got);
    }
    return RD_OK;
}

int rd_fork_split_applies(enum rd_node_type parent, const struct rd_fork_part *split, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (split[i].type <= parent)
            return 0;
    return n > 0;
}

/* RD_EREJECTED when a child would start below its type's minimum capital. */
static int children_funded(const char *account, const struct rd_node_types *types,
                           const struct rd_fork_child *c, size_t n, struct rd_error *err)
{
    for (size_t i = 0; i < n; i++) {
        rd_money min = types->t[c[i].type].min_capital;
        char got[32], want[32];

        if (c[i].amount >= min)
            continue;
        rd_money_format(c[i].amount, got, sizeof got);
        rd_money_format(min, want, sizeof want);
        return rd_error_set(err, RD_EREJECTED, "child_under_minimum: a fork of %s would start "
                            "%s with %s, under the %s type's minimum capital of %s (check "
                            "hierarchy.fork_split and hierarchy.types)", account, c[i].account,
                            got, rd_node_type_name(c[i].type), want);
    }
    return RD_OK;
}

int rd_fork_children(const char *account, enum rd_node_type type, int n, rd_money amount,
                     const struct rd_node_types *types, const struct rd_fork_part *split,
                     size_t nsplit, struct rd_fork_child *out, size_t *nout,
                     struct rd_error *err)
{
    rd_money given = 0;
    int rc;

    *nout = 0;
    if (!rd_node_type_name(type) || types->t[type].child < 0)
        return rd_error_set(err, RD_EINVAL, "fork: account %s: its type never forks", account);
    if (n < 1 || amount <= 0)
        return rd_error_set(err, RD_EINVAL, "fork: account %s: fork %d of %lld", account, n,
                            (long long)amount);
    if (nsplit == 0) {
        memset(out, 0, sizeof *out);
        if ((rc = child_name(account, n, 0, 0, out->account, sizeof out->account, err)) != RD_OK)
            return rc;
        out->type = (enum rd_node_type)types->t[type].child;
        out->amount = amount;
        if ((rc = children_funded(account, types, out, 1, err)) != RD_OK)
            return rc;
        *nout = 1;
        return RD_OK;
    }
    if ((rc = rd_fork_split_check(split, nsplit, err)) != RD_OK)
        return rc;
    for (size_t i = 0; i < nsplit; i++) {
        memset(&out[i], 0, sizeof out[i]);
        rc = child_name(account, n, (int)i, nsplit, out[i].account, sizeof out[i].account, err);
        if (rc != RD_OK)
            return rc;
        out[i].type = split[i].type;
        out[i].amount = rd_muldiv(amount, split[i].fraction_ppm, RD_PPM);
        given += out[i].amount;
    }
    out[0].amount += amount - given;
    if ((rc = children_funded(account, types, out, nsplit, err)) != RD_OK)
        return rc;
    *nout = nsplit;
    return RD_OK;
}
