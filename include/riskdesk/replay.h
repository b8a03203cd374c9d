/*
 * replay.h - deciding a recorded decision again under other limits, and the
 * difference it makes. Pure: the caller reads the recorded decisions, their
 * recommendations and their inputs from the store (replay_run.h) and owns
 * every struct here. Only a struct rd_replay holds heap memory (its items),
 * released with rd_replay_release.
 */
#ifndef RISKDESK_REPLAY_H
#define RISKDESK_REPLAY_H

#include <stdint.h>

#include "riskdesk/gates.h"
#include "riskdesk/rec.h"
#include "riskdesk/tier.h"

/*
 * What the gates read about the account and the market when a decision was
 * made, kept with the decision so that it can be decided again exactly.
 * recorded = 0: a decision made before riskdesk kept its inputs (replay
 * counts it as not replayable and leaves it as it was).
 */
struct rd_decision_inputs {
    int recorded;
    enum rd_tier tier;                /* the tier the dispatcher sized with */
    struct rd_account_view view;
    struct rd_market_view market;
    int node;                         /* a hierarchy node: its enum rd_node_type + 1; 0 = none */
    rd_money node_capital;            /* its ledger capital then (available + reserved) */
};

/* The size a recommendation allows: a trader's trade (rec->qty) asks for no
 * more than its qty. Applied after rd_decide, by the dispatcher and replay. */
void rd_decision_cap_to_rec(struct rd_decision *d, const struct rd_rec *rec);

/* Decides rec again at decided_at from the recorded inputs under ctx (whose
 * tier and risk are the new config's): rd_decide, then rd_decision_cap_to_rec.
 * A VIX feed's level is judged against vix_max_age (the new config's
 * market.vix_max_age_seconds), not the recorded limit. */
void rd_replay_decide(const struct rd_gate_ctx *ctx, int64_t vix_max_age,
                      const struct rd_decision_inputs *in, int64_t decided_at,
                      const struct rd_rec *rec, struct rd_decision *out);

/* How a decision changed. */
enum rd_replay_change {
    RD_REPLAY_SAME,           /* same verdict, same size */
    RD_REPLAY_NOW_REJECTED,   /* approved, now rejected */
    RD_REPLAY_NOW_APPROVED,   /* rejected, now approved */
    RD_REPLAY_RESIZED,        /* approved both times, another size */
};
const char *rd_replay_change_name(enum rd_replay_change c);  /* "same", "now_rejected"... */

/*
 * Compares the recorded decision with the new one. *gate is the gate that
 * made the difference: for a flip to rejected the new decision's first failed
 * gate; for a flip to approved the recorded first failed gate; for a resize
 * the first gate whose reason differs (RD_GATE_SIZING when none does: the
 * budget moved); RD_GATE_COUNT when the same.
 */
enum rd_replay_change rd_replay_compare(const struct rd_decision *was, const struct rd_decision *now,
                                        enum rd_gate *gate);

/* Approved, rejected, contracts and notional (size x unit cost) of a set of decisions. */
struct rd_replay_totals {
    int64_t approved, rejected;
    int64_t contracts;
    rd_money notional;
};
void rd_replay_totals_add(struct rd_replay_totals *t, const struct rd_decision *d);

/* 1 when b reproduces a in every stored part: approval, size, first failed
 * gate, sizing numbers and each verdict (gate, passed, reason, kind,
 * observed, threshold). */
int rd_decision_same(const struct rd_decision *a, const struct rd_decision *b);

/* What became of a recorded approval's trade (entries only). */
enum rd_replay_pnl {
    RD_REPLAY_PNL_NONE,       /* not approved, or an exit */
    RD_REPLAY_PNL_CLOSED,     /* filled and closed: pnl is the recorded P&L */
    RD_REPLAY_PNL_OPEN,       /* filled, not closed yet */
    RD_REPLAY_PNL_UNFILLED,   /* the order was not filled (pending, rejected, canceled) */
};
const char *rd_replay_pnl_name(enum rd_replay_pnl p);   /* "none", "closed", "open", "unfilled" */

/* One decision that changed. */
struct rd_replay_item {
    int64_t decision_id;
    char rec_id[RD_REC_ID_MAX];
    char symbol[RD_SYMBOL_MAX];
    enum rd_action action;
    int64_t decided_at;
    enum rd_replay_change change;
    enum rd_gate gate;                /* the gate that made the difference */
    uint8_t gate_reason;              /* its reason in the decision that failed or
                                         reduced (enum rd_reason) */
    int64_t was_size, now_size;       /* 0 when rejected */
    enum rd_replay_pnl pnl_state;     /* of the recorded trade */
    rd_money pnl;                     /* when pnl_state is closed */
};

/*
 * A replay's result. P&L is the trades' recorded P&L only: a kept trade
 * carries it (a resized one at its recorded P&L per unit times the new size),
 * a dropped one gives it up, an added one is counted, never priced.
 * items (heap, rd_replay_release) are the changed decisions, oldest first.
 */
struct rd_replay {
    int64_t from, to;                 /* the window, Unix s: from <= decided_at < to */
    int64_t decisions;                /* in the window */
    int64_t not_recorded;             /* decided before riskdesk kept inputs: left as they were */
    int64_t identical;                /* reproduced in every verdict */
    int64_t flipped_to_rejected, flipped_to_approved, resized;
    struct rd_replay_totals was, now;
    rd_money pnl_was;                 /* recorded P&L of the closed trades approved then */
    rd_money pnl_now;                 /* of those the new limits keep */
    rd_money pnl_dropped;             /* of those they drop */
    int64_t trades_open;              /* approved then, filled, not closed: no P&L yet */
    int64_t trades_added;             /* approved only now: counted, not priced */
    int64_t contracts_added;
    size_t nitems, cap;
    struct rd_replay_item *items;
};
void rd_replay_release(struct rd_replay *r);

#endif
