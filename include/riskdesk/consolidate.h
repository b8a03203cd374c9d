/*
 * consolidate.h - the rules of a consolidation (docs/hierarchy.md,
 * "Consolidation"): what triggers one and how urgently, which strategies may
 * take a node where, and the confidence of a consolidation and what it leads
 * to. Pure logic: no I/O, no allocation.
 *
 * Ownership: every struct is caller-owned and fixed-size; names returned are
 * static strings.
 */
#ifndef RISKDESK_CONSOLIDATE_H
#define RISKDESK_CONSOLIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/error.h"
#include "riskdesk/fork.h"
#include "riskdesk/hierarchy.h"
#include "riskdesk/money.h"

#define RD_MERGE_MAX_NODES 1000              /* open nodes before the worst leaf merges */
#define RD_MERGE_BAD_DRAWDOWN_PPM 200000     /* drawdown that is critical (20%) */
#define RD_MERGE_LOW_RETURN_PPM 50000        /* annualised return below this is poor (5%) */
#define RD_MERGE_MIN_TRACKED_DAYS 30         /* days before a return counts */
#define RD_MERGE_IDLE_S (30 * 86400)         /* no ledger entry this long: idle */
#define RD_MERGE_RELIABLE_DAYS 90            /* tracked days that make a return reliable */
#define RD_MERGE_GOOD_GAP_PPM 100000         /* return gap worth 1 (10 points) */

enum rd_merge_urgency { RD_MERGE_LOW, RD_MERGE_MEDIUM, RD_MERGE_HIGH, RD_MERGE_CRITICAL,
                        RD_MERGE_URGENCY_COUNT };
const char *rd_merge_urgency_name(enum rd_merge_urgency u);   /* "low"...; NULL out of range */

enum rd_merge_trigger {
    RD_MERGE_T_DRAWDOWN,          /* drawdown >= 20%: critical */
    RD_MERGE_T_LOW_RETURN,        /* annualised < 5% over >= 30 days: high */
    RD_MERGE_T_UNDER_MINIMUM,     /* capital < the type's minimum: medium */
    RD_MERGE_T_IDLE,              /* no ledger entry in 30 days: low */
    RD_MERGE_T_MANUAL,            /* a person asks: high */
    RD_MERGE_T_TOO_MANY,          /* over max_nodes open nodes, the worst leaf: low */
    RD_MERGE_TRIGGER_COUNT
};
const char *rd_merge_trigger_name(enum rd_merge_trigger t);   /* "drawdown"...; NULL out of range */
enum rd_merge_urgency rd_merge_trigger_urgency(enum rd_merge_trigger t);
/* Whether a trigger is a rule (always reliable) rather than a measured return. */
int rd_merge_trigger_is_rule(enum rd_merge_trigger t);

/* What the triggers look at, read by the caller. */
struct rd_merge_facts {
    enum rd_node_type type;
    rd_money capital;
    int32_t tracked_days;         /* calendar days between first and last snapshot */
    int64_t annual_return_ppm;
    int64_t drawdown_ppm;         /* loss from the peak now, >= 0 */
    int64_t last_entry;           /* the node's last ledger entry (Unix s) */
    int64_t now;
    int manual;                   /* a person asked */
    int worst_leaf;               /* open nodes over max_nodes and this is the worst leaf */
};

/* The node's triggers as a bit mask (1 << trigger); *top: the most urgent
 * one's trigger (RD_MERGE_TRIGGER_COUNT when none). */
unsigned rd_merge_triggers(const struct rd_merge_facts *f, const struct rd_node_types *types,
                           enum rd_merge_trigger *top);

/* ---- strategies and refusals ---- */

enum rd_merge_strategy { RD_MERGE_PARENT, RD_MERGE_SIBLING, RD_MERGE_NEW, RD_MERGE_PARTIAL,
                         RD_MERGE_STRATEGY_COUNT };
const char *rd_merge_strategy_name(enum rd_merge_strategy s);   /* "parent"...; NULL out of range */
int rd_merge_strategy_parse(const char *s, enum rd_merge_strategy *out);  /* RD_OK | RD_EINVAL */

/* What the refusals look at. */
struct rd_merge_check_in {
    enum rd_merge_strategy strategy;
    const char *source;
    enum rd_node_state source_state;
    enum rd_node_type source_type;
    rd_money available;           /* the source's available book */
    rd_money amount;              /* partial: what moves (> 0) */
    int open_children;            /* the source's children that are not CLOSED */
    const char *target;           /* "" for new (made by the op) */
    int target_in_subtree;        /* the target is the source or under it */
    enum rd_node_state target_state;
    enum rd_node_type target_type;
    int32_t target_tracked_days;
};

/* Whether a node in state s may give or take a consolidation: ACTIVE, SAFE
 * or SUSPENDED. */
int rd_merge_state_open(enum rd_node_state s);

/*
 * Whether source may be consolidated into target, each refusal RD_EREJECTED
 * with its code first: "invalid_transition" (the source not ACTIVE, SAFE or
 * SUSPENDED), "open_children" (not for partial), "target_in_subtree",
 * "target_state" (a target not ACTIVE, SAFE or SUSPENDED), "sibling_type" and
 * "sibling_young" (a sibling of another type, or tracked under 30 days),
 * "insufficient_funds" (partial: over available). Checked in that order.
 */
int rd_merge_check(const struct rd_merge_check_in *in, struct rd_error *err);

/* A sibling that may take a source: its name, state, type and performance. */
struct rd_merge_candidate {
    const char *account;
    enum rd_node_state state;
    enum rd_node_type type;
    int32_t tracked_days;
    int64_t annual_return_ppm;
};

/* The best sibling for a source of type: same type, open (ACTIVE, SAFE or
 * SUSPENDED), tracked >= 30 days, the best return (ties: the first). -1 when
 * none fits. */
int rd_merge_pick_sibling(enum rd_node_type type, const struct rd_merge_candidate *c, size_t n);

/* ---- confidence ---- */

struct rd_merge_inputs {
    enum rd_merge_trigger trigger;
    enum rd_merge_urgency urgency;
    int32_t tracked_days;         /* the source's */
    int64_t source_return_ppm;    /* annualised */
    int64_t target_return_ppm;    /* annualised; 0 for a new node */
    int32_t open_positions, max_positions;   /* the source's */
};

/* ppm: confidence = 0.30 reliability + 0.40 benefit + 0.30 risk (each rounded
 * down to the ppm); action as for forks; safe: a critical trigger below 0.70
 * sets the source SAFE. */
struct rd_merge_factors {
    int64_t reliability, benefit, risk;
    int64_t confidence;
    enum rd_fork_action action;
    int safe;
};

/* reliability: 1 for a rule's trigger, else min(1, tracked days / 90);
 * benefit: min(1, (target - source return) / 10 points), 0 for no gain;
 * risk: 1 - open / max positions (0 at or over max). */
void rd_merge_assess(const struct rd_merge_inputs *in, struct rd_merge_factors *out);

#endif
