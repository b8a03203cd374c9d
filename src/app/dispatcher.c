/*
 * dispatcher.c - one account's cycle. Everything read or written is keyed by
 * this account's name; the only cross-account read is the optional firm-wide
 * exposure cap, which is off by default and logged as the exception it is.
 */
#include "riskdesk/dispatcher.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "riskdesk/alloc.h"
#include "riskdesk/calendar.h"
#include "riskdesk/log.h"
#include "riskdesk/market_feed.h"
#include "riskdesk/order_id.h"
#include "riskdesk/perf_report.h"
#include "app/dispatcher_int.h"
#include "riskdesk/audit.h"
#include "riskdesk/banned.h"

#define DEFAULT_BATCH 1000

int rd_dispatcher_new(const struct rd_dispatcher_params *p, struct rd_dispatcher **out,
                      struct rd_error *err)
{
    struct rd_dispatcher *d = rd_calloc(1, sizeof *d);

    *out = NULL;
    if (!d)
        return rd_error_set(err, RD_ENOMEM, "dispatcher: out of memory");
    d->cfg = p->cfg;
    d->acct = p->account;
    d->store = p->store;
    d->broker = p->broker;
    d->hooks = p->hooks;
    d->batch_max = p->batch_max ? p->batch_max : DEFAULT_BATCH;
    d->recs = rd_calloc(d->batch_max, sizeof *d->recs);
    d->rows = rd_calloc(d->batch_max, sizeof *d->rows);
    d->pending = rd_calloc(d->batch_max, sizeof *d->pending);
    d->order_row = rd_calloc(d->batch_max, sizeof *d->order_row);
    d->entries = rd_calloc(d->batch_max, sizeof *d->entries);
    if (!d->recs || !d->rows || !d->pending || !d->order_row || !d->entries) {
        rd_dispatcher_free(d);
        return rd_error_set(err, RD_ENOMEM, "dispatcher: out of memory");
    }
    d->tier = p->account->tier;
    d->risk = p->account->risk;
    *out = d;
    return RD_OK;
}

void rd_dispatcher_free(struct rd_dispatcher *d)
{
    if (!d)
        return;
    if (d->locked)
        d->store->ops->unlock_account(d->store, d->acct->name);
    rd_free(d->positions);
    rd_free(d->gone.rows);
    rd_free(d->recs);
    rd_free(d->rows);
    rd_free(d->pending);
    rd_free(d->order_row);
    rd_free(d->entries);
    rd_free(d);
}

int rd_dispatcher_lock(struct rd_dispatcher *d, struct rd_error *err)
{
    int rc = d->store->ops->lock_account(d->store, d->acct->name, err);

    if (rc == RD_OK)
        d->locked = 1;
    return rc;
}

/* ---- positions in memory: the broker's quantities and prices, our entry facts ---- */

static int add_position(struct rd_dispatcher *d, const struct dpos *p)
{
    if (d->npositions == d->cap_positions) {
        size_t ncap = d->cap_positions ? d->cap_positions * 2 : 16;
        struct dpos *np = rd_realloc(d->positions, ncap * sizeof *np);

        if (!np)
            return RD_ENOMEM;
        d->positions = np;
        d->cap_positions = ncap;
    }
    d->positions[d->npositions++] = *p;
    return RD_OK;
}

static void underlying_of(const char *symbol, char *out, size_t n)
{
    struct rd_occ occ;

    if (rd_occ_parse(symbol, &occ) == RD_OK)
        snprintf(out, n, "%s", occ.root);
    else
        snprintf(out, n, "%s", symbol);
}

static int visit_stored_position(void *ctx, const struct rd_position_row *row)
{
    struct rd_dispatcher *d = ctx;
    struct dpos *p = rd_dispatch_find_position(d, row->symbol);

    if (p) {
        p->known = 1;
        p->row.strategy = row->strategy;
        p->row.opened_at = row->opened_at;
        memcpy(p->row.rec_id, row->rec_id, sizeof p->row.rec_id);
        memcpy(p->row.underlying, row->underlying, sizeof p->row.underlying);
        /* the rest is the broker's: the same numbers need no write */
        p->unchanged = p->row.qty == row->qty && p->row.multiplier == row->multiplier &&
                       p->row.avg_price == row->avg_price;
        return 0;
    }
    /* We think we hold it; the broker says we do not. The broker is the truth. */
    {
        struct rd_logline l;

        rd_log_begin(&l, RD_LOG_WARN, "reconcile.position_gone");
        rd_log_str(&l, "account", d->acct->name);
        rd_log_str(&l, "symbol", row->symbol);
        rd_log_int(&l, "stored_qty", row->qty);
        rd_log_end(&l);
    }
    if (d->gone.n == d->gone.cap) {
        size_t ncap = d->gone.cap ? d->gone.cap * 2 : 8;
        struct rd_position_row *nr = rd_realloc(d->gone.rows, ncap * sizeof *nr);

        if (!nr)
            return RD_ENOMEM;
        d->gone.rows = nr;
        d->gone.cap = ncap;
    }
    d->gone.rows[d->gone.n] = *row;
    d->gone.rows[d->gone.n++].qty = 0;
    return 0;
}

/* Reads the broker's account and positions, and repairs the store's view. */
/* The tier is fixed for the dispatcher's life (auto resolves once, at
 * start): buying power that has crossed a boundary since is reported once
 * per crossing (dispatcher.tier_crossed; the cycle's stats for /metrics),
 * never a silent re-tiering. A restart takes the new tier. */
static void note_tier_crossing(struct rd_dispatcher *d)
{
    enum rd_tier says = rd_tier_classify(&d->cfg->tiers, d->bacct.buying_power);
    struct rd_logline l;

    if (says == d->tier_says)
        return;
    d->tier_says = says;
    if (says == d->tier)
        return;
    rd_log_begin(&l, RD_LOG_WARN, "dispatcher.tier_crossed");
    rd_log_str(&l, "account", d->acct->name);
    rd_log_str(&l, "tier", rd_tier_name(d->tier));
    rd_log_str(&l, "buying_power_says", rd_tier_name(says));
    rd_log_money(&l, "buying_power", d->bacct.buying_power);
    rd_log_str(&l, "note", "the tier stays until the dispatcher restarts");
    rd_log_end(&l);
}

static int sync(struct rd_dispatcher *d, int64_t now, struct rd_error *err)
{
    struct rd_broker_position *bp = NULL;
    size_t nbp = 0;
    struct rd_error berr = {0};
    int rc;

    d->broker->now = now;
    d->npositions = 0;
    d->gone.n = 0;
    rc = d->broker->ops->get_account(d->broker, &d->bacct, &berr);
    if (rc != RD_OK) {
        /* no numbers: every gate that needs them fails closed */
        d->equity_known = 0;
        rd_log_msg(RD_LOG_ERROR, "broker.account_failed", berr.msg);
        return RD_OK;
    }
    d->equity_known = !d->bacct.trading_blocked;
    note_tier_crossing(d);
    rc = d->broker->ops->list_positions(d->broker, &bp, &nbp, &berr);
    if (rc != RD_OK) {
        d->equity_known = 0;
        rd_log_msg(RD_LOG_ERROR, "broker.positions_failed", berr.msg);
        return RD_OK;
    }
    for (size_t i = 0; i < nbp; i++) {
        struct dpos p;

        memset(&p, 0, sizeof p);
        snprintf(p.row.account, sizeof p.row.account, "%s", d->acct->name);
        memcpy(p.row.symbol, bp[i].symbol, sizeof p.row.symbol);
        underlying_of(bp[i].symbol, p.row.underlying, sizeof p.row.underlying);
        p.row.qty = bp[i].qty;
        p.row.multiplier = bp[i].multiplier;
        p.row.avg_price = bp[i].avg_entry_price;
        p.row.strategy = RD_STRAT_SWING;
        p.row.opened_at = now;
        p.price = bp[i].current_price;
        if ((rc = add_position(d, &p)) != RD_OK) {
            rd_free(bp);
            return rd_error_set(err, rc, "dispatcher: out of memory");
        }
    }
    rd_free(bp);
    rc = d->store->ops->trading->position_list(d->store, d->acct->name, visit_stored_position, d, err);
    if (rc == RD_ENOMEM)
        return rd_error_set(err, rc, "dispatcher: out of memory");
    if (rc != RD_OK)
        return rc;
    /* write back: broker-only positions get a row, vanished ones lose theirs,
     * quantities follow the broker; a row that already says so is left alone
     * (a looping dispatcher holding 100 positions would rewrite 100 rows a cycle) */
    rc = d->store->ops->begin(d->store, err);
    if (rc != RD_OK)
        return rc;
    for (size_t i = 0; i < d->gone.n && rc == RD_OK; i++)
        rc = d->store->ops->trading->position_put(d->store, &d->gone.rows[i], err);
    for (size_t i = 0; i < d->npositions && rc == RD_OK; i++) {
        if (!d->positions[i].known) {
            struct rd_logline l;

            rd_log_begin(&l, RD_LOG_WARN, "reconcile.position_adopted");
            rd_log_str(&l, "account", d->acct->name);
            rd_log_str(&l, "symbol", d->positions[i].row.symbol);
            rd_log_int(&l, "qty", d->positions[i].row.qty);
            rd_log_end(&l);
            d->positions[i].known = 1;
        }
        if (!d->positions[i].unchanged)
            rc = d->store->ops->trading->position_put(d->store, &d->positions[i].row, err);
    }
    if (rc != RD_OK) {
        d->store->ops->rollback(d->store);
        return rc;
    }
    return d->store->ops->commit(d->store, err);
}

static rd_money exposure_of(const struct rd_dispatcher *d)
{
    rd_money sum = 0;

    for (size_t i = 0; i < d->npositions; i++) {
        const struct dpos *p = &d->positions[i];
        rd_money px = p->price > 0 ? p->price : p->row.avg_price;
        int64_t q = p->row.qty < 0 ? -p->row.qty : p->row.qty;

        sum += rd_muldiv(px, q * p->row.multiplier, 1);
    }
    return sum;
}

static int firm_visit(void *ctx, const struct rd_position_row *p)
{
    rd_money *sum = ctx;
    int64_t q = p->qty < 0 ? -p->qty : p->qty;

    *sum += rd_muldiv(p->avg_price, q * p->multiplier, 1);
    return 0;
}

struct firm_ctx {
    struct rd_store *store;
    rd_money sum;
    struct rd_error *err;
};

static int firm_account_visit(void *ctx, const struct rd_account_row *a)
{
    struct firm_ctx *f = ctx;

    return f->store->ops->trading->position_list(f->store, a->name, firm_visit, &f->sum, f->err);
}

/* Builds everything the gates need that does not depend on the recommendation. */
/* Positions opened on today's ET date and still held: each is a day trade if
 * it closes today (the pattern-day-trader guard counts them). */
static int32_t opened_today(const struct rd_dispatcher *d)
{
    struct rd_local_time lt;
    int32_t n = 0;

    for (size_t i = 0; i < d->npositions; i++) {
        const struct dpos *p = &d->positions[i];

        if (p->row.qty == 0 || !p->row.opened_at)
            continue;
        rd_et_from_utc(p->row.opened_at, &lt);
        n += lt.day == d->clock.local.day;
    }
    return n;
}

static int prepare(struct rd_dispatcher *d, int64_t now, struct rd_error *err)
{
    struct rd_account_row row;
    int rc;

    rd_gate_clock_init(&d->clock, now);
    memset(&d->base, 0, sizeof d->base);
    rc = d->store->ops->trading->account_get(d->store, d->acct->name, &row, err);
    if (rc == RD_ENOTFOUND) {
        memset(&row, 0, sizeof row);
        snprintf(row.name, sizeof row.name, "%s", d->acct->name);
        row.state = RD_STATE_ACTIVE;
    } else if (rc != RD_OK) {
        return rc;
    }
    /* a kill-switch halt ends on the trading day it names */
    if (row.state == RD_STATE_HALTED && row.halted_until > 0 &&
        d->clock.local.day >= row.halted_until) {
        struct rd_logline l;

        rd_log_begin(&l, RD_LOG_INFO, "kill_switch.reset");
        rd_log_str(&l, "account", d->acct->name);
        rd_log_end(&l);
        row.state = RD_STATE_ACTIVE;
        row.halted_until = 0;
        row.state_reason[0] = '\0';
    }
    snprintf(row.tier, sizeof row.tier, "%s", rd_tier_name(d->tier));
    row.updated_at = now;
    d->account_row = row;
    d->base.state = row.state;
    d->base.equity_known = d->equity_known;
    d->base.buying_power = d->bacct.buying_power;
    d->base.equity = d->bacct.equity;
    d->base.last_equity = d->bacct.last_equity;
    d->base.exposure = exposure_of(d);
    d->base.open_positions = (int32_t)d->npositions;
    d->base.open_today = opened_today(d);
    d->ctx.tier = &d->cfg->tiers.tier[d->tier];
    rd_dispatch_follow_tier(d);
    d->ctx.risk = &d->risk;
    d->ctx.firm_max_gross_exposure = d->cfg->firm_max_gross_exposure;
    d->ctx.paper = d->acct->broker == RD_BROKER_PAPER;
    if ((rc = rd_dispatch_node_read(d, err)) != RD_OK)
        return rc;
    rd_dispatch_node_apply(d);
    rd_market_feed_read(d->cfg, d->clock.now, &d->market);
    if (d->cfg->firm_max_gross_exposure > 0) {
        struct firm_ctx f = {d->store, 0, err};

        rc = d->store->ops->trading->account_list(d->store, firm_account_visit, &f, err);
        if (rc != RD_OK)
            return rc;
        d->base.firm_exposure = f.sum;
    }
    return d->store->ops->trading->account_put(d->store, &d->account_row, err);
}

/* Adds what the store knows of this account's activity around rec to the view. */
static void activity_query(const struct rd_dispatcher *d, const struct rd_rec *rec,
                           unsigned parts, struct rd_activity_query *q)
{
    memset(q, 0, sizeof *q);
    q->account = d->acct->name;
    q->underlying = rec ? rec->underlying : NULL;
    q->symbol = rec ? rec->symbol : NULL;
    q->day_start = rd_et_to_utc(d->clock.local.day, 0);
    q->minute_ago = d->clock.now - 60;
    q->pdt_since = rd_et_to_utc(rd_dispatch_pdt_window_start(d), 0);
    q->kelly_since = d->clock.now - (int64_t)d->acct->risk.kelly.lookback_days * 86400;
    q->parts = parts;
}

static void view_from(struct rd_dispatcher *d, const struct rd_rec *rec,
                      const struct rd_activity *a, struct rd_account_view *v)
{
    const struct dpos *p = rd_dispatch_find_position(d, rec->symbol);

    *v = d->base;
    v->position_qty = p ? p->row.qty : 0;
    v->entries_today = a->entries_today;
    v->last_entry_at = a->last_entry_at;
    v->orders_last_minute = a->orders_last_minute;
    v->day_trades = a->day_trades;
    v->closed_trades = a->closed_trades;
    v->winning_trades = a->winning_trades;
    v->gross_wins = a->gross_wins;
    v->gross_losses = a->gross_losses;
}

/* One recommendation's view, everything read from the store now. */
static int view_for(struct rd_dispatcher *d, const struct rd_rec *rec, struct rd_account_view *v,
                    struct rd_error *err)
{
    struct rd_activity_query q;
    struct rd_activity a;
    int rc;

    activity_query(d, rec, 0, &q);
    if ((rc = d->store->ops->trading->activity(d->store, &q, &a, err)) != RD_OK)
        return rc;
    view_from(d, rec, &a, v);
    return RD_OK;
}

static int by_underlying(const void *a, const void *b)
{
    return strcmp(((const struct batch_entries *)a)->underlying,
                  ((const struct batch_entries *)b)->underlying);
}

/* The batch's entries of underlying (d->entries is sorted by it); NULL when
 * the batch has no recommendation in it. */
static int underlying_vs(const void *key, const void *e)
{
    return strcmp(key, ((const struct batch_entries *)e)->underlying);
}

static struct batch_entries *find_entries(struct rd_dispatcher *d, const char *underlying)
{
    return bsearch(underlying, d->entries, d->nentries, sizeof *d->entries, underlying_vs);
}

/* The same within a batch, whose decisions and orders are recorded at its
 * end: the store's counts as the batch began (d->act, and every underlying's
 * entries, batch_entries) plus the orders approved earlier in the batch,
 * which are pending entries made now. Equal to view_for had each order been
 * written as it was approved. */
static int batch_view(struct rd_dispatcher *d, const struct rd_rec *rec, int64_t now,
                      struct rd_account_view *v, struct rd_error *err)
{
    struct rd_activity a = d->act;
    struct batch_entries *e = find_entries(d, rec->underlying);

    if (!e)
        return rd_error_set(err, RD_EINTERNAL, "dispatcher: %s's entries were not read with its "
                            "batch", rec->underlying);
    a.entries_today = e->count;
    a.last_entry_at = e->last_at;
    if (now >= d->clock.now - 60)
        a.orders_last_minute += (int32_t)d->npending;
    view_from(d, rec, &a, v);
    return RD_OK;
}

/* Entries today of every underlying in the batch's n recommendations, in one
 * store call (one query on PostgreSQL). d->entries ends sorted by
 * underlying, each once: a batch of 1,000 recommendations in 1,000
 * underlyings is looked up in 10 comparisons a recommendation, not 500. */
static int batch_entries(struct rd_dispatcher *d, size_t n, struct rd_error *err)
{
    const char **names = NULL;
    int32_t *count = NULL;
    int64_t *last_at = NULL;
    int rc = RD_OK;

    for (size_t i = 0; i < n; i++)
        memcpy(d->entries[i].underlying, d->recs[i].underlying, sizeof d->entries[0].underlying);
    qsort(d->entries, n, sizeof *d->entries, by_underlying);
    d->nentries = 0;
    for (size_t i = 0; i < n; i++)
        if (d->nentries == 0 ||
            strcmp(d->entries[d->nentries - 1].underlying, d->entries[i].underlying))
            d->entries[d->nentries++] = d->entries[i];
    names = rd_calloc(d->nentries + 1, sizeof *names);
    count = rd_calloc(d->nentries + 1, sizeof *count);
    last_at = rd_calloc(d->nentries + 1, sizeof *last_at);
    if (!names || !count || !last_at) {
        rc = rd_error_set(err, RD_ENOMEM, "dispatcher: out of memory");
        goto out;
    }
    for (size_t j = 0; j < d->nentries; j++)
        names[j] = d->entries[j].underlying;
    rc = rd_store_activity_entries(d->store, d->acct->name, rd_et_to_utc(d->clock.local.day, 0),
                                   names, d->nentries, count, last_at, err);
    for (size_t j = 0; rc == RD_OK && j < d->nentries; j++) {
        d->entries[j].count = count[j];
        d->entries[j].last_at = last_at[j];
    }
out:
    rd_free(names);
    rd_free(count);
    rd_free(last_at);
    if (rc != RD_OK)
        d->nentries = 0;
    return rc;
}

/* An order approved in the batch, counted for the recommendations after it. */
static void batch_count(struct rd_dispatcher *d, const struct rd_order_row *o)
{
    struct batch_entries *e;

    if (o->intent != RD_INTENT_ENTRY || !(e = find_entries(d, o->underlying)))
        return;
    e->count += o->created_at >= rd_et_to_utc(d->clock.local.day, 0);
    if (o->created_at > e->last_at)
        e->last_at = o->created_at;
}

void rd_dispatcher_risk_for_tier(const struct rd_account_config *a, enum rd_tier tier,
                                 struct rd_risk_config *risk)
{
    /* an auto-tier account without limits of its own takes its current tier's
     * shipped limits (and keeps the configured Kelly settings) */
    if (a->tier_mode != RD_TIER_MODE_AUTO || strncmp(a->risk_origin, "tier default", 12)) {
        *risk = a->risk;
        return;
    }
    rd_risk_defaults(tier, risk);
    risk->kelly = a->risk.kelly;
}

void rd_dispatch_follow_tier(struct rd_dispatcher *d)
{
    rd_dispatcher_risk_for_tier(d->acct, d->tier, &d->risk);
}

int32_t rd_dispatch_pdt_window_start(const struct rd_dispatcher *d)
{
    int32_t day = d->clock.local.day;

    /* the window is this trading day and the window_days - 1 before it */
    if (!rd_nyse_is_trading_day(day))
        day = rd_nyse_prev_trading_day(day);
    for (int i = 1; i < d->risk.pdt.window_days; i++)
        day = rd_nyse_prev_trading_day(day);
    return day;
}

int rd_dispatcher_evaluate(struct rd_dispatcher *d, int64_t now, const struct rd_rec *rec,
                           struct rd_decision *out, struct rd_error *err)
{
    struct rd_account_view v;
    int rc;

    if ((rc = sync(d, now, err)) || (rc = prepare(d, now, err)) || (rc = view_for(d, rec, &v, err)))
        return rc;
    rd_decide(&d->ctx, &d->clock, &v, &d->market, rec, out);
    return RD_OK;
}

/* ---- the cycle ---- */

static void order_from_decision(const struct rd_dispatcher *d, const struct rd_rec *rec,
                                const struct rd_decision *dec, int64_t decision_id, int64_t now,
                                struct rd_order_row *o)
{
    memset(o, 0, sizeof *o);
    rd_client_order_id_entry(d->acct->name, rec->id, o->client_order_id);
    snprintf(o->account, sizeof o->account, "%s", d->acct->name);
    memcpy(o->rec_id, rec->id, sizeof o->rec_id);
    o->decision_id = decision_id;
    memcpy(o->symbol, rec->symbol, sizeof o->symbol);
    memcpy(o->underlying, rec->underlying, sizeof o->underlying);
    o->side = rd_action_is_entry(rec->action) ? RD_SIDE_BUY : RD_SIDE_SELL;
    o->intent = rd_action_is_entry(rec->action) ? RD_INTENT_ENTRY : RD_INTENT_EXIT;
    o->strategy = rec->strategy;
    o->qty = dec->size;
    o->multiplier = rd_rec_multiplier(rec);
    o->ref_price = rec->price;
    o->status = RD_ORDER_PENDING;
    o->created_at = o->updated_at = now;
    if (o->intent == RD_INTENT_EXIT)
        snprintf(o->reason, sizeof o->reason, "recommendation %s", rec->id);
}

/* What an approved order does to the rest of this cycle's view. */
static int account_for_approval(struct rd_dispatcher *d, const struct rd_order_row *o,
                                const struct rd_decision *dec)
{
    struct dpos *p = rd_dispatch_find_position(d, o->symbol);
    rd_money cost = rd_muldiv(dec->unit_cost, dec->size, 1);

    if (o->intent == RD_INTENT_EXIT) {
        if (p) {
            p->closing_from = p->row.qty;
            p->row.qty = 0;           /* being closed: no further sells this cycle */
        }
        return RD_OK;
    }
    d->base.exposure += cost;
    d->base.buying_power -= cost;
    d->base.open_positions++;
    if (!p || !p->row.qty)
        d->base.open_today++;     /* a new position today */
    d->base.firm_exposure += cost;
    if (!p) {
        struct dpos np;

        memset(&np, 0, sizeof np);
        memcpy(np.row.symbol, o->symbol, sizeof np.row.symbol);
        np.row.qty = o->qty;
        np.row.multiplier = o->multiplier;
        np.row.avg_price = o->ref_price;
        np.price = o->ref_price;
        np.pending = 1;
        return add_position(d, &np);
    }
    return RD_OK;
}

/* The account's place in the order of recommendations (store.h,
 * rec_undecided), kept in the store under "rec_mark"/account so that a
 * restarted dispatcher does not walk again what it has decided. A stored
 * value that is not a number is reported and walked from the start (always
 * safe: only slower). */
static int read_rec_mark(struct rd_dispatcher *d, struct rd_error *err)
{
    char *val = NULL, *end = NULL;
    int rc;

    if (d->rec_mark_read)
        return RD_OK;
    rc = d->store->ops->trading->kv_get(d->store, "rec_mark", d->acct->name, &val, err);
    if (rc == RD_ENOTFOUND) {
        d->rec_mark = 0;
        rc = RD_OK;
    } else if (rc == RD_OK) {
        errno = 0;
        d->rec_mark = strtoll(val, &end, 10);
        if (errno || end == val || *end || d->rec_mark < 0) {
            struct rd_logline l;

            rd_log_begin(&l, RD_LOG_WARN, "dispatch.rec_mark_bad");
            rd_log_str(&l, "account", d->acct->name);
            rd_log_str(&l, "stored", val);
            rd_log_str(&l, "action", "walking every recommendation from the start");
            rd_log_end(&l);
            d->rec_mark = 0;
        }
    }
    rd_free(val);
    if (rc == RD_OK)
        d->rec_mark_read = 1;
    return rc;
}

static int write_rec_mark(struct rd_dispatcher *d, int64_t mark, struct rd_error *err)
{
    char val[24];

    snprintf(val, sizeof val, "%lld", (long long)mark);
    return d->store->ops->trading->kv_put(d->store, "rec_mark", d->acct->name, val, 0, err);
}

/* One line per decision, so a log service shows why a trade was refused
 * without opening the database. */
static void log_decision(const struct rd_dispatcher *d, const struct rd_rec *rec,
                         const struct rd_decision *dec)
{
    struct rd_logline l;
    char why[1024];

    rd_log_begin(&l, RD_LOG_INFO, "dispatch.decision");
    rd_log_str(&l, "account", d->acct->name);
    rd_log_str(&l, "rec", rec->id);
    rd_log_str(&l, "symbol", rec->symbol);
    rd_log_str(&l, "action", rd_action_name(rec->action));
    rd_log_str(&l, "approved", dec->approved ? "true" : "false");
    rd_log_int(&l, "size", dec->approved ? dec->size : 0);
    if (!dec->approved) {
        rd_decision_failures(dec, 0, why, sizeof why);
        rd_log_str(&l, "failed", why);
    }
    rd_log_end(&l);
}

/* Decides up to batch_max undecided recommendations in one transaction (with
 * the account's new mark); *more says whether others may wait. stale: the
 * account moved since it was last read (an earlier batch's orders), so it is
 * read again first, only when there is something to decide. */
static int decide_batch(struct rd_dispatcher *d, int64_t now, int stale, struct rd_cycle_stats *st,
                        int *more, struct rd_error *err)
{
    int64_t mark;
    size_t n = 0;
    int rc;

    d->npending = 0;
    *more = 0;
    if ((rc = read_rec_mark(d, err)) != RD_OK)
        return rc;
    mark = d->rec_mark;
    rc = d->store->ops->trading->rec_undecided(d->store, d->acct->name, &mark, d->batch_max, d->recs, &n,
                                      err);
    if (rc != RD_OK)
        return rc;
    if (n == 0) {
        /* nothing of ours, but the mark may pass others' recommendations */
        if (mark != d->rec_mark && (rc = write_rec_mark(d, mark, err)) == RD_OK)
            d->rec_mark = mark;
        return rc;
    }
    *more = n == d->batch_max;
    if (stale && ((rc = sync(d, now, err)) != RD_OK || (rc = prepare(d, now, err)) != RD_OK))
        return rc;
    rc = d->store->ops->begin(d->store, err);
    if (rc != RD_OK)
        return rc;
    {
        struct rd_activity_query q;

        activity_query(d, NULL, RD_ACT_MINUTE | RD_ACT_TRADES, &q);
        if ((rc = d->store->ops->trading->activity(d->store, &q, &d->act, err)) != RD_OK ||
            (rc = batch_entries(d, n, err)) != RD_OK)
            goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        const struct rd_rec *rec = &d->recs[i];
        struct rd_decision_row *row = &d->rows[i];
        struct rd_account_view v;

        if ((rc = batch_view(d, rec, now, &v, err)) != RD_OK)
            goto fail;
        memset(row, 0, sizeof *row);
        snprintf(row->account, sizeof row->account, "%s", d->acct->name);
        memcpy(row->rec_id, rec->id, sizeof row->rec_id);
        row->decided_at = now;
        rd_decide(&d->ctx, &d->clock, &v, &d->market, rec, &row->d);
        rd_decision_cap_to_rec(&row->d, rec);
        /* what the gates read, kept with the decision for replay (replay.h) */
        row->in.recorded = 1;
        row->in.tier = d->tier;
        row->in.view = v;
        row->in.market = d->market;
        row->in.node = d->is_node ? (int)d->node.type + 1 : 0;
        row->in.node_capital = d->is_node ? d->node_available + d->node_reserved : 0;
        st->decided++;
        if (row->d.approved) {
            struct rd_order_row *o = &d->pending[d->npending];

            order_from_decision(d, rec, &row->d, 0, now, o);
            if ((rc = account_for_approval(d, o, &row->d)) != RD_OK) {
                rd_error_set(err, rc, "dispatcher: out of memory");
                goto fail;
            }
            batch_count(d, o);
            d->order_row[d->npending++] = i;
            st->approved++;
        } else {
            st->rejected++;
        }
    }
    /* the batch's decisions and orders in a few round trips, not two a pair */
    rc = rd_store_decisions_record(d->store, d->rows, n, d->pending, d->order_row, d->npending, err);
    if (rc != RD_OK)
        goto fail;
    if ((rc = write_rec_mark(d, mark, err)) != RD_OK)
        goto fail;
    rc = d->store->ops->commit(d->store, err);
    if (rc != RD_OK)
        return rc;
    d->rec_mark = mark;
    if (rd_log_enabled(RD_LOG_INFO))
        for (size_t i = 0; i < n; i++)
            log_decision(d, &d->recs[i], &d->rows[i].d);
    if (d->hooks.decision)
        for (size_t i = 0; i < n; i++)
            d->hooks.decision(d->hooks.ctx, d->acct->name, &d->recs[i], &d->rows[i].d);
    return RD_OK;
fail:
    d->store->ops->rollback(d->store);
    return rc;
}

static int trip_kill_switch(struct rd_dispatcher *d, struct rd_cycle_stats *st,
                            struct rd_error *err)
{
    rd_money pnl = d->bacct.equity - d->bacct.last_equity;
    struct rd_logline l;

    if (!d->equity_known || d->account_row.state == RD_STATE_HALTED ||
        pnl > -d->risk.max_daily_loss)
        return RD_OK;
    d->account_row.state = RD_STATE_HALTED;
    d->account_row.halted_until = rd_nyse_next_trading_day(d->clock.local.day);
    snprintf(d->account_row.state_reason, sizeof d->account_row.state_reason,
             "kill switch: daily loss limit reached");
    d->base.state = RD_STATE_HALTED;
    st->halted = 1;
    rd_log_begin(&l, RD_LOG_WARN, "kill_switch.tripped");
    rd_log_str(&l, "account", d->acct->name);
    rd_log_money(&l, "daily_pnl", pnl);
    rd_log_money(&l, "max_daily_loss", d->risk.max_daily_loss);
    rd_log_end(&l);
    return d->store->ops->trading->account_put(d->store, &d->account_row, err);
}

/* Sends the batch's approvals. The paper broker lives in the store: one
 * transaction around its sends records the answers together (a crash before
 * the commit leaves the orders pending, and the next cycle asks the broker
 * about each one by its client order id), and a broker that takes a batch
 * gets them in one call. A network broker gets no store transaction held
 * across its round trips. */
static int send_pending(struct rd_dispatcher *d, int64_t now, struct rd_cycle_stats *st,
                        struct rd_error *err)
{
    const struct rd_broker_ops *ops = d->broker->ops;
    int rc = RD_OK;

    if (!d->npending)
        return RD_OK;
    if (!d->ctx.paper) {
        for (size_t i = 0; i < d->npending && rc == RD_OK; i++)
            rc = rd_dispatch_send(d, &d->pending[i], now, st, err);
        return rc;
    }
    if ((rc = d->store->ops->begin(d->store, err)) != RD_OK)
        return rc;
    if (ops->version >= 3 && ops->submit_orders)
        rc = rd_dispatch_send_batch(d, d->pending, d->npending, now, st, err);
    else
        for (size_t i = 0; i < d->npending && rc == RD_OK; i++)
            rc = rd_dispatch_send(d, &d->pending[i], now, st, err);
    if (rc != RD_OK) {
        d->store->ops->rollback(d->store);
        return rc;
    }
    return d->store->ops->commit(d->store, err);
}

static int cycle(struct rd_dispatcher *d, int64_t now, struct rd_cycle_stats *st,
                 struct rd_error *err)
{
    int more, merged;
    int rc;

    if ((rc = sync(d, now, err)) || (rc = prepare(d, now, err)) ||
        (rc = rd_dispatch_reconcile(d, now, st, err)))
        return rc;
    if (st->reconciled && ((rc = sync(d, now, err)) || (rc = prepare(d, now, err))))
        return rc;
    if ((rc = trip_kill_switch(d, st, err)) || (rc = rd_dispatch_exits(d, now, st, err)))
        return rc;
    /* a consolidating node flat now hands its capital over (and is CLOSED) */
    if ((rc = rd_dispatch_node_merge(d, now, &merged, err)) ||
        (merged && ((rc = sync(d, now, err)) || (rc = prepare(d, now, err)))))
        return rc;
    /* Every undecided recommendation, a batch (one transaction) at a time; a
     * batch that placed orders is followed by a fresh look at the account
     * before the next batch that has anything to decide. */
    for (int stale = 0;; stale = d->npending > 0) {
        if ((rc = decide_batch(d, now, stale, st, &more, err)) ||
            (rc = send_pending(d, now, st, err)))
            return rc;
        if (!more)
            break;
    }
    if (st->submitted) {
        /* the cycle's fills moved the money: report the broker's numbers after them */
        struct rd_broker_account after;
        struct rd_error berr = {0};

        d->broker->now = now;
        if (d->broker->ops->get_account(d->broker, &after, &berr) == RD_OK)
            d->bacct = after;
        else
            rd_log_msg(RD_LOG_WARN, "dispatch.account_after_failed", berr.msg);
    }
    st->tier = d->tier;
    st->tier_by_buying_power = d->tier_says;
    st->buying_power = d->bacct.buying_power;
    st->equity = d->bacct.equity;
    st->cash = d->bacct.cash;
    st->last_equity = d->bacct.last_equity;
    rd_perf_snapshot_cycle(d->store, d->cfg, d->acct->name, d->equity_known ? &d->bacct : NULL,
                           now);
    return RD_OK;
}

int rd_dispatcher_cycle(struct rd_dispatcher *d, int64_t now, struct rd_cycle_stats *st,
                        struct rd_error *err)
{
    char actor[RD_AUDIT_ACTOR_MAX];
    int rc;

    memset(st, 0, sizeof *st);
    snprintf(actor, sizeof actor, "dispatcher:%s", d->acct->name);
    rd_audit_actor_set(d->store, actor);
    rc = cycle(d, now, st, err);
    rd_dispatch_record_health(d);
    return rc;
}
