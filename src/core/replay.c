/*
 * replay.c - one recorded decision decided again, and what changed.
 */
#include "riskdesk/replay.h"

#include "riskdesk/alloc.h"
#include "riskdesk/banned.h"

void rd_decision_cap_to_rec(struct rd_decision *d, const struct rd_rec *rec)
{
    if (d->approved && rec->qty && d->size > rec->qty)
        d->size = rec->qty;
}

void rd_replay_decide(const struct rd_gate_ctx *ctx, int64_t vix_max_age,
                      const struct rd_decision_inputs *in, int64_t decided_at,
                      const struct rd_rec *rec, struct rd_decision *out)
{
    struct rd_gate_clock clock;
    struct rd_market_view market = in->market;

    market.vix_max_age = vix_max_age;
    rd_gate_clock_init(&clock, decided_at);
    rd_decide(ctx, &clock, &in->view, &market, rec, out);
    rd_decision_cap_to_rec(out, rec);
}

const char *rd_replay_change_name(enum rd_replay_change c)
{
    static const char *const names[] = {"same", "now_rejected", "now_approved", "resized"};

    return (unsigned)c < sizeof names / sizeof names[0] ? names[c] : "?";
}

/* The first gate whose verdict reads differently in the two decisions. */
static enum rd_gate first_difference(const struct rd_decision *a, const struct rd_decision *b)
{
    for (int i = 0; i < a->nverdicts && i < b->nverdicts; i++) {
        const struct rd_gate_verdict *x = &a->verdicts[i], *y = &b->verdicts[i];

        if (x->gate == y->gate && (x->passed != y->passed || x->reason != y->reason))
            return (enum rd_gate)x->gate;
    }
    return RD_GATE_SIZING;
}

enum rd_replay_change rd_replay_compare(const struct rd_decision *was, const struct rd_decision *now,
                                        enum rd_gate *gate)
{
    *gate = RD_GATE_COUNT;
    if (was->approved && !now->approved) {
        *gate = now->first_failed;
        return RD_REPLAY_NOW_REJECTED;
    }
    if (!was->approved && now->approved) {
        *gate = was->first_failed;
        return RD_REPLAY_NOW_APPROVED;
    }
    if (was->approved && was->size != now->size) {
        *gate = first_difference(was, now);
        return RD_REPLAY_RESIZED;
    }
    return RD_REPLAY_SAME;
}

void rd_replay_totals_add(struct rd_replay_totals *t, const struct rd_decision *d)
{
    if (!d->approved) {
        t->rejected++;
        return;
    }
    t->approved++;
    t->contracts += d->size;
    t->notional += rd_muldiv(d->unit_cost, d->size, 1);
}

int rd_decision_same(const struct rd_decision *a, const struct rd_decision *b)
{
    if (a->approved != b->approved || a->size != b->size || a->first_failed != b->first_failed ||
        a->budget != b->budget || a->unit_risk != b->unit_risk || a->unit_cost != b->unit_cost ||
        a->risk_pct != b->risk_pct || !a->kelly_used != !b->kelly_used ||
        a->nverdicts != b->nverdicts)
        return 0;
    for (int i = 0; i < a->nverdicts; i++) {
        const struct rd_gate_verdict *x = &a->verdicts[i], *y = &b->verdicts[i];

        if (x->gate != y->gate || x->passed != y->passed || x->reason != y->reason ||
            x->kind != y->kind || x->observed != y->observed || x->threshold != y->threshold)
            return 0;
    }
    return 1;
}

const char *rd_replay_pnl_name(enum rd_replay_pnl p)
{
    static const char *const names[] = {"none", "closed", "open", "unfilled"};

    return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "?";
}

void rd_replay_release(struct rd_replay *r)
{
    rd_free(r->items);
    r->items = NULL;
    r->nitems = r->cap = 0;
}
