/*
 * fork.h - the rules of a fork (docs/hierarchy.md, "Forks"): what a node
 * needs before it may fork, the confidence of a fork and what it leads to,
 * how the amount is split over children and what they are called. Pure
 * logic: no I/O, no allocation.
 *
 * Ownership: every struct is caller-owned and fixed-size; names returned are
 * static strings.
 */
#ifndef RISKDESK_FORK_H
#define RISKDESK_FORK_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/error.h"
#include "riskdesk/hierarchy.h"
#include "riskdesk/money.h"

#define RD_FORK_MAX_IN_PROGRESS 5     /* forks open at once, over every node */
#define RD_FORK_COOLDOWN_S 86400      /* between a node's fork attempts */
#define RD_FORK_SPLIT_MAX 8           /* children of one fork */
#define RD_FORK_GOOD_VIX (15 * RD_PPM)     /* the market factor is 1 at or below */
#define RD_FORK_GOOD_RETURN_PPM 200000     /* annualised return worth 1 (20%) */
#define RD_FORK_BAD_DRAWDOWN_PPM 200000    /* the performance factor is 0 from here */
#define RD_FORK_MIN_TRACKED_DAYS 30
#define RD_FORK_EXECUTE_PPM 800000         /* confidence that executes */
#define RD_FORK_WINDOW_PPM 700000          /* confidence that waits for a closed market */

/* What a fork's confidence leads to. */
enum rd_fork_action {
    RD_FORK_EXECUTE,         /* >= 0.80: now */
    RD_FORK_WINDOW,          /* 0.70 to 0.80: the next scan with the market closed */
    RD_FORK_REVIEW,          /* < 0.70: `fork approve ID` */
    RD_FORK_ACTION_COUNT
};
const char *rd_fork_action_name(enum rd_fork_action a);   /* "execute"...; NULL out of range */
int rd_fork_action_parse(const char *s, enum rd_fork_action *out);   /* RD_OK | RD_EINVAL */

/* ---- prerequisites ---- */

/* What the prerequisites look at, read by the caller. */
struct rd_fork_facts {
    enum rd_node_type type;
    enum rd_node_state state;
    rd_money surplus, available;
    int64_t open_orders;          /* the account's orders the broker may still fill */
    int in_progress;              /* forks open now, over every node */
    int64_t last_attempt;         /* the node's last fork (Unix s); 0 = never */
    int64_t now;
};

/*
 * Whether account may fork under types, each refusal RD_EREJECTED with its
 * code first: "type_never_forks" (a com node), "invalid_transition" (not
 * ACTIVE), "below_threshold" (surplus under the type's threshold),
 * "insufficient_funds" (available under the amount), "open_orders",
 * "fork_limit" (RD_FORK_MAX_IN_PROGRESS in progress), "cooldown" (naming
 * when it ends). Checked in that order; the message names the figures.
 */
int rd_fork_check(const char *account, const struct rd_node_types *types,
                  const struct rd_fork_facts *f, struct rd_error *err);

/* ---- confidence ---- */

struct rd_fork_inputs {
    int vix_known;                /* 0: the market factor is 0 */
    int64_t vix;                  /* ppm */
    int64_t vix_halt;             /* ppm, the account's risk.vix_halt */
    int32_t tracked_days;         /* calendar days between first and last snapshot */
    int64_t annual_return_ppm;    /* annualised return of the snapshots */
    int64_t drawdown_ppm;         /* loss from the peak now, >= 0 */
    int in_progress;              /* forks open now */
    int market_open;              /* the regular session is open now */
};

/* Factors and their weighted sum, ppm: confidence = 0.30 market + 0.40
 * performance + 0.20 load + 0.10 timing (each rounded down to the ppm). */
struct rd_fork_factors {
    int64_t market, performance, load, timing;
    int64_t confidence;
    enum rd_fork_action action;
};

/* market: 1 at VIX <= 15, falling straight to 0 at vix_halt, 0 when unknown;
 * performance: min(1, annualised / 20%) after >= 30 tracked days, else 0, and
 * 0 at a drawdown >= 20% (and for a return <= 0); load: 1 - in progress / 5
 * (0 at 5 or more); timing: 1 with the market closed, 0.5 open. */
void rd_fork_assess(const struct rd_fork_inputs *in, struct rd_fork_factors *out);
enum rd_fork_action rd_fork_action_of(int64_t confidence_ppm);

/* ---- children ---- */

/* One part of a split: a child of type taking fraction (ppm) of the amount. */
struct rd_fork_part {
    enum rd_node_type type;
    int64_t fraction_ppm;
};

struct rd_fork_child {
    char account[64];
    enum rd_node_type type;
    rd_money amount;
};

/* A split as the config gives it: 1 to RD_FORK_SPLIT_MAX parts, each of a
 * known type and a fraction above 0 and at most 1, the fractions summing to
 * exactly 1 (1,000,000 ppm). RD_EINVAL naming the part and field
 * ("fork_split[1].fraction: ...", "fork_split: fractions sum to 0.9; ..."). */
int rd_fork_split_check(const struct rd_fork_part *split, size_t n, struct rd_error *err);

/* Whether the config's split is for the forks of a node of type parent:
 * every part's type comes after it (gen < rev < com), so a split of rev
 * children is for gen forks, and a rev node's fork makes its one com child
 * as without a split. */
int rd_fork_split_applies(enum rd_node_type parent, const struct rd_fork_part *split, size_t n);

/*
 * The children of account's nth fork (n >= 1) moving amount: with nsplit 0,
 * one child of the type's child type named ACCOUNT.fN taking all of it; else
 * one per part (fractions > 0 summing to exactly 1,000,000 ppm), named
 * ACCOUNT.fN.a, .b, ..., each taking amount x fraction rounded down, the
 * remainder to the first. RD_EINVAL naming the fault: fractions not summing
 * to 1, more than RD_FORK_SPLIT_MAX parts, a name over 63 characters, a type
 * that does not fork; RD_EREJECTED ("child_under_minimum: ...") naming the
 * child, its type, its amount and the type's minimum capital when a child
 * would start below it. Writes *nout children.
 */
int rd_fork_children(const char *account, enum rd_node_type type, int n, rd_money amount,
                     const struct rd_node_types *types, const struct rd_fork_part *split,
                     size_t nsplit, struct rd_fork_child *out, size_t *nout,
                     struct rd_error *err);

#endif
