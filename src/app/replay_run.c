/*
 * replay_run.c - one account's recorded decisions decided again under a new
 * config, from the inputs stored with each (replay.h), with the recorded
 * P&L of the trades they made. Reads the store; writes nothing.
 */
#include "riskdesk/replay_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "riskdesk/dispatcher.h"
#include "riskdesk/banned.h"

/* An entry order's fill, by the decision that made it. */
struct fill {
    int64_t decision_id;
    enum rd_order_status status;
    int64_t filled_at;
};

/* The recorded P&L of a position's closes, by (symbol, opened_at). */
struct closed {
    char symbol[RD_SYMBOL_MAX];
    int64_t opened_at;
    rd_money pnl;
};

struct run {
    struct rd_store *s;
    const struct rd_config *cfg;
    const struct rd_account_config *acct;
    struct rd_risk_config risk[RD_TIER_COUNT];
    struct fill *fills;
    size_t nfills, capfills;
    struct closed *closed;
    size_t nclosed, capclosed;
    struct rd_replay *out;
    struct rd_error *err;
};

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    size_t ncap;
    void *np;

    if (need <= *cap)
        return RD_OK;
    ncap = *cap ? *cap * 2 : 256;
    while (ncap < need)
        ncap *= 2;
    np = rd_realloc(*p, ncap * size);
    if (!np)
        return RD_ENOMEM;
    *p = np;
    *cap = ncap;
    return RD_OK;
}

static int visit_order(void *ctx, const struct rd_order_row *o)
{
    struct run *r = ctx;
    struct fill *f;

    if (o->intent != RD_INTENT_ENTRY || !o->decision_id)
        return 0;
    if (grow((void **)&r->fills, &r->capfills, r->nfills + 1, sizeof *r->fills))
        return RD_ENOMEM;
    f = &r->fills[r->nfills++];
    f->decision_id = o->decision_id;
    f->status = o->status;
    f->filled_at = o->updated_at;
    return 0;
}

static int visit_trade(void *ctx, const struct rd_trade_row *t)
{
    struct run *r = ctx;
    struct closed *c;

    if (grow((void **)&r->closed, &r->capclosed, r->nclosed + 1, sizeof *r->closed))
        return RD_ENOMEM;
    c = &r->closed[r->nclosed++];
    memcpy(c->symbol, t->symbol, sizeof c->symbol);
    c->opened_at = t->opened_at;
    c->pnl = t->pnl;
    return 0;
}

static int fill_cmp(const void *a, const void *b)
{
    const struct fill *x = a, *y = b;

    return (x->decision_id > y->decision_id) - (x->decision_id < y->decision_id);
}

static int closed_cmp(const void *a, const void *b)
{
    const struct closed *x = a, *y = b;
    int c = strcmp(x->symbol, y->symbol);

    return c ? c : (x->opened_at > y->opened_at) - (x->opened_at < y->opened_at);
}

/* What became of a recorded approval's entry, and its recorded P&L: the
 * closes of the position its fill opened (a partly closed position sums
 * its closes and stays open until the last). */
static enum rd_replay_pnl pnl_of(const struct run *r, const struct rd_decision_row *row,
                                 const char *symbol, rd_money *pnl)
{
    struct fill key = {row->id, RD_ORDER_PENDING, 0};
    const struct fill *f;
    struct closed ckey;
    size_t lo = 0, hi = r->nclosed;
    int any = 0;

    *pnl = 0;
    f = r->nfills ? bsearch(&key, r->fills, r->nfills, sizeof *f, fill_cmp) : NULL;
    if (!f)
        return RD_REPLAY_PNL_NONE;
    if (f->status != RD_ORDER_FILLED)
        return RD_REPLAY_PNL_UNFILLED;
    memset(&ckey, 0, sizeof ckey);
    snprintf(ckey.symbol, sizeof ckey.symbol, "%s", symbol);
    ckey.opened_at = f->filled_at;
    while (lo < hi) {            /* the first close at or after (symbol, opened_at) */
        size_t mid = lo + (hi - lo) / 2;

        if (closed_cmp(&r->closed[mid], &ckey) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < r->nclosed && !closed_cmp(&r->closed[lo], &ckey); lo++) {
        *pnl += r->closed[lo].pnl;
        any = 1;
    }
    return any ? RD_REPLAY_PNL_CLOSED : RD_REPLAY_PNL_OPEN;
}

static int add_item(struct rd_replay *out, const struct rd_replay_item *it)
{
    if (grow((void **)&out->items, &out->cap, out->nitems + 1, sizeof *out->items))
        return RD_ENOMEM;
    out->items[out->nitems++] = *it;
    return RD_OK;
}

/* The reason of gate g in d (the decision that failed or reduced on it). */
static uint8_t reason_of(const struct rd_decision *d, enum rd_gate g)
{
    for (int i = 0; i < d->nverdicts; i++)
        if (d->verdicts[i].gate == g)
            return d->verdicts[i].reason;
    return RD_REASON_OK;
}

static void account_pnl(struct rd_replay *out, const struct rd_replay_item *it,
                        const struct rd_decision *was, const struct rd_decision *now)
{
    if (it->pnl_state == RD_REPLAY_PNL_OPEN)
        out->trades_open++;
    if (it->pnl_state != RD_REPLAY_PNL_CLOSED)
        return;
    out->pnl_was += it->pnl;
    if (!now->approved)
        out->pnl_dropped += it->pnl;
    else if (now->size == was->size)
        out->pnl_now += it->pnl;
    else
        out->pnl_now += rd_muldiv(it->pnl, now->size, was->size);
}

static int visit_decision(void *ctx, const struct rd_decision_row *row)
{
    struct run *r = ctx;
    struct rd_replay *out = r->out;
    struct rd_replay_item it;
    struct rd_decision now;
    struct rd_gate_ctx gctx;
    struct rd_risk_config risk;
    struct rd_node_limits node;
    struct rd_rec rec;
    enum rd_tier tier;
    int rc;

    if (row->decided_at < out->from || row->decided_at >= out->to)
        return 0;
    out->decisions++;
    rd_replay_totals_add(&out->was, &row->d);
    if (!row->in.recorded) {
        out->not_recorded++;
        rd_replay_totals_add(&out->now, &row->d);
        return 0;
    }
    rc = r->s->ops->trading->rec_get(r->s, row->rec_id, &rec, r->err);
    if (rc != RD_OK)
        return rd_error_prefix(r->err, "replay: decision %lld", (long long)row->id);
    tier = r->acct->tier_mode == RD_TIER_MODE_AUTO ? row->in.tier : r->acct->tier;
    memset(&gctx, 0, sizeof gctx);
    gctx.tier = &r->cfg->tiers.tier[tier];
    gctx.risk = &r->risk[tier];
    gctx.firm_max_gross_exposure = r->cfg->firm_max_gross_exposure;
    gctx.paper = r->acct->broker == RD_BROKER_PAPER;
    if (row->in.node) {
        /* a node's type adds its gates over the account's, at its capital then */
        risk = r->risk[tier];
        rd_node_limits_layer(&r->cfg->hier_types.t[row->in.node - 1], row->in.node_capital,
                             rd_config_risk_own(r->acct, "max_open_positions"),
                             rd_config_risk_own(r->acct, "max_risk_per_trade_pct"), &risk,
                             &node);
        gctx.risk = &risk;
        gctx.node = &node;
    }
    rd_replay_decide(&gctx, r->cfg->vix_max_age_s, &row->in, row->decided_at, &rec, &now);
    rd_replay_totals_add(&out->now, &now);
    out->identical += rd_decision_same(&row->d, &now);

    memset(&it, 0, sizeof it);
    it.change = rd_replay_compare(&row->d, &now, &it.gate);
    it.pnl_state = RD_REPLAY_PNL_NONE;
    if (row->d.approved && rd_action_is_entry(rec.action))
        it.pnl_state = pnl_of(r, row, rec.symbol, &it.pnl);
    account_pnl(out, &it, &row->d, &now);
    if (now.approved && !row->d.approved) {
        out->trades_added++;
        out->contracts_added += now.size;
    }
    if (it.change == RD_REPLAY_SAME)
        return 0;
    out->flipped_to_rejected += it.change == RD_REPLAY_NOW_REJECTED;
    out->flipped_to_approved += it.change == RD_REPLAY_NOW_APPROVED;
    out->resized += it.change == RD_REPLAY_RESIZED;
    it.decision_id = row->id;
    memcpy(it.rec_id, row->rec_id, sizeof it.rec_id);
    memcpy(it.symbol, rec.symbol, sizeof it.symbol);
    it.action = rec.action;
    it.decided_at = row->decided_at;
    it.gate_reason = reason_of(it.change == RD_REPLAY_NOW_APPROVED ? &row->d : &now, it.gate);
    it.was_size = row->d.approved ? row->d.size : 0;
    it.now_size = now.approved ? now.size : 0;
    if (add_item(out, &it) != RD_OK)
        return rd_error_set(r->err, RD_ENOMEM, "replay: out of memory");
    return 0;
}

int rd_replay_run(struct rd_store *s, const struct rd_config *cfg,
                  const struct rd_account_config *acct, int64_t from, int64_t to,
                  struct rd_replay *out, struct rd_error *err)
{
    struct run r;
    int rc;

    memset(out, 0, sizeof *out);
    out->from = from;
    out->to = to;
    memset(&r, 0, sizeof r);
    r.s = s;
    r.cfg = cfg;
    r.out = out;
    r.err = err;
    r.acct = acct;
    for (int t = 0; t < RD_TIER_COUNT; t++)
        rd_dispatcher_risk_for_tier(r.acct, (enum rd_tier)t, &r.risk[t]);
    rc = s->ops->trading->order_list(s, acct->name, -1, visit_order, &r, err);
    if (rc == RD_OK)
        rc = s->ops->perf->trade_list(s, acct->name, 0, 0, visit_trade, &r, err);
    if (rc == RD_ENOMEM) {
        rd_error_set(err, rc, "replay: out of memory");
        goto out;
    }
    if (rc != RD_OK)
        goto out;
    if (r.nfills)                /* none: fills is NULL, which qsort may not take */
        qsort(r.fills, r.nfills, sizeof *r.fills, fill_cmp);
    if (r.nclosed)
        qsort(r.closed, r.nclosed, sizeof *r.closed, closed_cmp);
    rc = s->ops->trading->decision_list(s, acct->name, 0, visit_decision, &r, err);
    if (rc != RD_OK)
        goto out;
    /* the walk is newest first; the changes read oldest first */
    for (size_t i = 0, j = out->nitems; i + 1 < j; i++, j--) {
        struct rd_replay_item t = out->items[i];

        out->items[i] = out->items[j - 1];
        out->items[j - 1] = t;
    }
out:
    rd_free(r.fills);
    rd_free(r.closed);
    return rc;
}
