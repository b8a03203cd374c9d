/*
 * hierarchy.h - the account hierarchy's rules (docs/hierarchy.md): the node
 * types gen, rev and com with their limits, and the state machine every node
 * follows. Pure logic: no I/O, no allocation.
 *
 * Ownership: every struct is caller-owned and fixed-size; names returned are
 * static strings.
 */
#ifndef RISKDESK_HIERARCHY_H
#define RISKDESK_HIERARCHY_H

#include <stdint.h>

#include "riskdesk/error.h"
#include "riskdesk/gates.h"
#include "riskdesk/money.h"

/* ---- node types ---- */

enum rd_node_type { RD_NODE_GEN, RD_NODE_REV, RD_NODE_COM, RD_NODE_TYPE_COUNT };

/* What a node of one type may do. Fractions are ppm. */
struct rd_node_type_def {
    rd_money min_capital;         /* > 0 */
    rd_money fork_threshold;      /* surplus a fork moves; 0 = never forks */
    int child;                    /* enum rd_node_type of a fork's child; -1 = none */
    int32_t max_positions;        /* > 0 */
    int64_t position_ppm;         /* notional cap of one position, of capital: (0, 1e6] */
    int64_t risk_ppm;             /* multiplies the sizing risk %: (0, 10e6] */
    int32_t scan_seconds;         /* how often the node is scanned: > 0 */
};

struct rd_node_types {
    struct rd_node_type_def t[RD_NODE_TYPE_COUNT];
};

/* The seed defaults of issue 14: gen 10,000 / forks 100,000 into rev, rev
 * 100,000 / forks 500,000 into com, com 500,000 / never forks. */
void rd_node_types_default(struct rd_node_types *types);

/* Checks a table (after overrides): every limit in range, a type that forks
 * names a child, a child's minimum is at most the threshold that funds it,
 * children go down the order gen -> rev -> com (no cycle). RD_ECONFIG naming
 * `where`, the type and the field otherwise. */
int rd_node_types_check(const struct rd_node_types *types, const char *where,
                        struct rd_error *err);

const char *rd_node_type_name(enum rd_node_type t);    /* "gen" | "rev" | "com"; NULL out of range */
int rd_node_type_parse(const char *s, enum rd_node_type *out);   /* RD_OK | RD_EINVAL */

/* ---- the state machine ---- */

enum rd_node_state {
    RD_NODE_SAFE,
    RD_NODE_ACTIVE,
    RD_NODE_FORKING,
    RD_NODE_MERGING,
    RD_NODE_SUSPENDED,
    RD_NODE_CLOSED,
    RD_NODE_ERROR,
    RD_NODE_STATE_COUNT
};

const char *rd_node_state_name(enum rd_node_state s);  /* "SAFE"...; NULL out of range */
int rd_node_state_parse(const char *s, enum rd_node_state *out);  /* exact names; RD_EINVAL */

/* Whether from -> to is one of the transitions of docs/hierarchy.md (a state
 * to itself is not). */
int rd_node_transition_allowed(enum rd_node_state from, enum rd_node_state to);

/* rd_node_transition_allowed, and MERGING -> CLOSED only at capital 0.
 * RD_EREJECTED "invalid_transition: ..." naming account, both states and the
 * ones `from` may go to. */
int rd_node_transition_check(const char *account, enum rd_node_state from, enum rd_node_state to,
                             rd_money capital, struct rd_error *err);

/* How a node in state s trades: SAFE, SUSPENDED, ERROR and CLOSED are
 * HALTED, MERGING is REDUCING (exits only), ACTIVE and FORKING ACTIVE. */
enum rd_trading_state rd_node_trading_state(enum rd_node_state s);

/* ---- the type's gates ---- */

/*
 * Layers a node's type onto the risk config in force (tier defaults and the
 * top-level kelly already in it) and fills what the gates add (gates.h,
 * struct rd_node_limits): max_open_positions becomes the type's positions,
 * unless the account's own "risk" sets it (own_positions: its own keys come
 * last); the per-position notional cap is the type's fraction of capital;
 * the risk multiplier scales the sizing risk %. own_risk_pct: the account's
 * own max_risk_per_trade_pct caps the scaled %.
 */
void rd_node_limits_layer(const struct rd_node_type_def *t, rd_money capital, int own_positions,
                          int own_risk_pct, struct rd_risk_config *risk,
                          struct rd_node_limits *out);

/* A node's buying power: the broker's, but never more than its ledger's
 * available book (what is not reserved by open positions). */
rd_money rd_node_buying_power(rd_money broker, rd_money available);

#endif
