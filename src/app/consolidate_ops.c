/*
 * consolidate_ops.c - assessing, executing and finishing consolidations on
 * a store (consolidate_ops.h, docs/hierarchy.md). Each step is one store
 * transaction; the op's key makes the consolidation happen once.
 */
#include "riskdesk/consolidate_ops.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "riskdesk/crash_point.h"
#include "riskdesk/node_fills.h"
#include "app/hier_op_int.h"
#include "app/hier_tree.h"
#include "riskdesk/banned.h"

/* ---- the tree as read ---- */

static int open_children(const struct rd_hier_tree *t, const char *account)
{
    int n = 0;

    for (size_t i = 0; i < t->n; i++)
        n += !strcmp(t->rows[i].parent, account) && t->rows[i].state != RD_NODE_CLOSED;
    return n;
}

/* Nodes under parent made by a consolidation (named PARENT.cN). */
static int made_under(const struct rd_hier_tree *t, const char *parent)
{
    size_t n = strlen(parent);
    int made = 0;

    for (size_t i = 0; i < t->n; i++)
        made += !strcmp(t->rows[i].parent, parent) && !strncmp(t->rows[i].account, parent, n) &&
                t->rows[i].account[n] == '.' && t->rows[i].account[n + 1] == 'c';
    return made;
}

static int is_leaf(const struct rd_hier_tree *t, const char *account)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->rows[i].parent, account))
            return 0;
    return 1;
}

/* ---- what the rules read of a node ---- */

static int see_last(void *ctx, const struct rd_ledger_txn *t)
{
    int64_t *last = ctx;

    if (t->at > *last)
        *last = t->at;
    return 0;
}

/* The source's numbers, its triggers' facts and how flat it is. */
struct source {
    struct rd_hier_view v;
    struct rd_hier_perf perf;
    struct rd_merge_facts facts;
    size_t positions;             /* open, by the ledger's open cost */
    int64_t open_orders;
};

static int source_read(struct rd_store *s, const struct rd_config *cfg, const char *account,
                       int64_t now, struct source *src, struct rd_error *err)
{
    rd_money cost;
    int rc;

    memset(src, 0, sizeof *src);
    if ((rc = rd_hier_view_get(s, account, &src->v, err)) != RD_OK ||
        (rc = rd_hier_perf_read(s, cfg, account, &src->perf, err)) != RD_OK ||
        (rc = rd_node_open_cost(s, account, &cost, &src->positions, err)) != RD_OK ||
        (rc = rd_hier_open_orders(s, account, &src->open_orders, err)) != RD_OK ||
        (rc = s->ops->ledger->txn_list(s, account, see_last, &src->facts.last_entry, err)))
        return rc;
    src->facts.type = src->v.node.type;
    src->facts.capital = rd_ledger_capital(&src->v.sums);
    src->facts.tracked_days = src->perf.tracked_days;
    src->facts.annual_return_ppm = src->perf.annual_return_ppm;
    src->facts.drawdown_ppm = src->perf.drawdown_ppm;
    src->facts.now = now;
    return RD_OK;
}

static int flat(const struct source *src)
{
    return src->positions == 0 && src->open_orders == 0 && src->v.sums.reserved == 0;
}

/* ---- the target ---- */

/* The best sibling of source by its snapshots, into out; "" when none fits. */
static int pick_sibling(struct rd_store *s, const struct rd_config *cfg, const struct rd_hier_tree *t,
                        const struct rd_hier_node_row *source, char *out, size_t n,
                        struct rd_error *err)
{
    struct rd_merge_candidate *c = rd_calloc(t->n ? t->n : 1, sizeof *c);
    size_t nc = 0;
    int rc = RD_OK, best;

    if (!c)
        return rd_error_set(err, RD_ENOMEM, "consolidate: out of memory");
    for (size_t i = 0; rc == RD_OK && i < t->n; i++) {
        const struct rd_hier_node_row *r = &t->rows[i];
        struct rd_hier_perf p;

        if (strcmp(r->parent, source->parent) != 0 || !strcmp(r->account, source->account))
            continue;
        rc = rd_hier_perf_read(s, cfg, r->account, &p, err);
        c[nc++] = (struct rd_merge_candidate){r->account, r->state, r->type, p.tracked_days,
                                              p.annual_return_ppm};
    }
    best = rd_merge_pick_sibling(source->type, c, nc);
    snprintf(out, n, "%s", best >= 0 ? c[best].account : "");
    rd_free(c);
    return rc;
}

/* The target of r's strategy for source, into out ("" for new). */
static int resolve_target(struct rd_store *s, const struct rd_merge_request *r,
                          const struct rd_hier_tree *t, const struct rd_hier_node_row *source,
                          char *out, size_t n, struct rd_error *err)
{
    const char *into = r->into && *r->into ? r->into : NULL;
    const struct rd_hier_node_row *tn;
    int rc;

    *out = '\0';
    if ((r->strategy == RD_MERGE_PARENT || r->strategy == RD_MERGE_NEW ||
         (r->strategy == RD_MERGE_PARTIAL && !into)) && !*source->parent)
        return rd_error_set(err, RD_EREJECTED, "no_parent: %s is a root; strategy %s needs a "
                            "parent%s", source->account, rd_merge_strategy_name(r->strategy),
                            r->strategy == RD_MERGE_PARTIAL ? " (or --into)" : "");
    switch (r->strategy) {
    case RD_MERGE_NEW:
        if (into)
            return rd_error_set(err, RD_EREJECTED, "--into: strategy new makes its own node; "
                                "expected no --into");
        return RD_OK;
    case RD_MERGE_PARENT:
        if (into && strcmp(into, source->parent) != 0)
            return rd_error_set(err, RD_EREJECTED, "target_not_parent: --into %s is not %s's "
                                "parent %s", into, source->account, source->parent);
        snprintf(out, n, "%s", source->parent);
        return RD_OK;
    case RD_MERGE_SIBLING:
        if (!into) {
            if ((rc = pick_sibling(s, r->cfg, t, source, out, n, err)) != RD_OK)
                return rc;
            if (!*out)
                return rd_error_set(err, RD_EREJECTED, "no_sibling: %s has no open sibling of "
                                    "type %s tracked %d days or more", source->account,
                                    rd_node_type_name(source->type),
                                    RD_MERGE_MIN_TRACKED_DAYS);
            return RD_OK;
        }
        tn = rd_hier_tree_find(t, into);
        if (!tn || strcmp(tn->parent, source->parent) != 0 || !strcmp(into, source->account))
            return rd_error_set(err, RD_EREJECTED, "not_sibling: --into %s is no sibling of %s "
                                "(a node under the same parent)", into, source->account);
        snprintf(out, n, "%s", into);
        return RD_OK;
    default:
        snprintf(out, n, "%s", into ? into : source->parent);
        return RD_OK;
    }
}

/* ---- assessing ---- */

/* Everything a consolidation decides from, read in the caller's transaction
 * with the source held (node_lock, by the caller) and the target held here. */
struct eval {
    struct source src;
    char target[64];
    rd_money amount;
    int made_under_parent;        /* nodes under the source's parent a consolidation made */
    struct rd_merge_assessment a;
};

static int evaluate(struct rd_store *s, const struct rd_merge_request *r,
                    const struct rd_hier_actor *by, const struct rd_hier_tree *t, int manual,
                    int worst_leaf, struct eval *ev, struct rd_error *err)
{
    const char *account = r->acct->name;
    const struct rd_hier_node_row *tn = NULL;
    struct rd_merge_check_in in;
    struct rd_merge_inputs mi;
    struct rd_hier_perf tp = {0};
    int rc;

    memset(ev, 0, sizeof *ev);
    if ((rc = source_read(s, r->cfg, account, by->now, &ev->src, err)) != RD_OK ||
        (rc = resolve_target(s, r, t, &ev->src.v.node, ev->target, sizeof ev->target, err)))
        return rc;
    if (*ev->target) {
        if (!(tn = rd_hier_tree_find(t, ev->target)))
            return rd_error_set(err, RD_ENOTFOUND, "--into: %s is not a node", ev->target);
        if ((rc = s->ops->ledger->node_lock(s, ev->target, err)) != RD_OK ||
            (rc = rd_hier_perf_read(s, r->cfg, ev->target, &tp, err)) != RD_OK)
            return rc;
    }
    ev->amount = r->strategy == RD_MERGE_PARTIAL ? r->amount : rd_ledger_capital(&ev->src.v.sums);
    memset(&in, 0, sizeof in);
    in.strategy = r->strategy;
    in.source = account;
    in.source_state = ev->src.v.node.state;
    in.source_type = ev->src.v.node.type;
    in.available = ev->src.v.sums.available;
    in.amount = ev->amount;
    in.open_children = open_children(t, account);
    in.target = ev->target;
    in.target_in_subtree = tn && rd_hier_tree_under(t, tn, account);
    ev->made_under_parent = made_under(t, ev->src.v.node.parent);
    if (tn) {
        in.target_state = tn->state;
        in.target_type = tn->type;
        in.target_tracked_days = tp.tracked_days;
    }
    if ((rc = rd_merge_check(&in, err)) != RD_OK)
        return rc;

    ev->src.facts.manual = manual;
    ev->src.facts.worst_leaf = worst_leaf;
    snprintf(ev->a.account, sizeof ev->a.account, "%s", account);
    ev->a.type = ev->src.v.node.type;
    ev->a.state = ev->src.v.node.state;
    ev->a.triggers = rd_merge_triggers(&ev->src.facts, &r->cfg->hier_types, &ev->a.top);
    ev->a.urgency = rd_merge_trigger_urgency(ev->a.top);
    ev->a.strategy = r->strategy;
    snprintf(ev->a.target, sizeof ev->a.target, "%s", ev->target);
    ev->a.amount = ev->amount;
    memset(&mi, 0, sizeof mi);
    mi.trigger = ev->a.top;
    mi.urgency = ev->a.urgency;
    mi.tracked_days = ev->src.perf.tracked_days;
    mi.source_return_ppm = ev->src.perf.annual_return_ppm;
    mi.target_return_ppm = tp.annual_return_ppm;
    mi.open_positions = (int32_t)ev->src.positions;
    mi.max_positions = r->cfg->hier_types.t[ev->src.v.node.type].max_positions;
    rd_merge_assess(&mi, &ev->a.f);
    return RD_OK;
}

/* A critical consolidation below 0.70 stops the source trading: SAFE. */
static int maybe_safe(struct rd_store *s, struct eval *ev, const struct rd_hier_actor *by,
                      int *wrote, struct rd_error *err)
{
    struct rd_hier_state_row t;
    int rc;

    if (!ev->a.f.safe || ev->a.state == RD_NODE_SAFE)
        return RD_OK;
    memset(&t, 0, sizeof t);
    snprintf(t.account, sizeof t.account, "%s", ev->a.account);
    t.from = ev->a.state;
    t.to = RD_NODE_SAFE;
    snprintf(t.why, sizeof t.why, "consolidation: %s is critical, confidence below 0.70",
             rd_merge_trigger_name(ev->a.top));
    snprintf(t.who, sizeof t.who, "%s", by->who);
    t.at = by->now;
    if ((rc = rd_node_transition_check(t.account, t.from, t.to, 0, err)) != RD_OK ||
        (rc = s->ops->ledger->state_add(s, &t, err)) != RD_OK)
        return rc;
    ev->a.state = RD_NODE_SAFE;
    *wrote = 1;
    return RD_OK;
}

/* Stores ev's assessment of r with its factors (ev->a.id); op: the
 * consolidation it led to, 0 for none. */
static int assess_store(struct rd_store *s, const struct rd_merge_request *r, struct eval *ev,
                        int64_t op, const struct rd_hier_actor *by, struct rd_error *err)
{
    struct rd_merge_assess_row row;
    int rc;

    memset(&row, 0, sizeof row);
    snprintf(row.account, sizeof row.account, "%s", ev->a.account);
    row.strategy = r->strategy;
    snprintf(row.into, sizeof row.into, "%s", r->into ? r->into : "");
    snprintf(row.target, sizeof row.target, "%s", ev->a.target);
    row.amount = ev->a.amount;
    row.triggers = ev->a.triggers;
    row.f = ev->a.f;
    row.op = op;
    snprintf(row.who, sizeof row.who, "%s", by->who);
    row.at = by->now;
    if ((rc = s->ops->ledger->merge_assess_add(s, &row, err)) == RD_OK)
        ev->a.id = row.id;
    return rc;
}

int rd_merge_assess_node(struct rd_store *s, const struct rd_merge_request *r,
                         const struct rd_hier_actor *by, struct rd_merge_assessment *out,
                         struct rd_error *err)
{
    struct rd_hier_tree t;
    struct eval ev;
    int wrote = 0, rc;

    memset(out, 0, sizeof *out);
    memset(&t, 0, sizeof t);
    if ((rc = s->ops->begin(s, err)) != RD_OK)
        return rc;
    rc = s->ops->ledger->node_lock(s, r->acct->name, err);
    if (rc == RD_OK)
        rc = rd_hier_tree_read_around(s, r->acct->name, r->into, &t, err);
    if (rc == RD_OK)
        rc = evaluate(s, r, by, &t, 1, 0, &ev, err);
    if (rc == RD_OK)
        rc = maybe_safe(s, &ev, by, &wrote, err);
    if (rc == RD_OK)
        rc = assess_store(s, r, &ev, 0, by, err);
    if (rc == RD_OK)
        *out = ev.a;
    rd_hier_tree_release(&t);
    return rd_hier_tx_end(s, rc, err);
}

/* ---- the op's result ---- */

static int result_json(struct rd_merge_result *out, struct rd_error *err)
{
    char m[32];

    rd_money_format(out->amount, m, sizeof m);
    return rd_hier_op_result(&out->op,
                             json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o}", "op",
                                       (json_int_t)out->op.id, "key", out->op.key, "status",
                                       rd_hier_op_status_name(out->op.status), "source",
                                       out->source, "target", out->target, "amount", m, "txn",
                                       out->txn ? json_integer(out->txn) : json_null()),
                             "consolidation", err);
}

/* The stored result of op (open or done) into out. */
static int result_read(const struct rd_hier_op_row *op, struct rd_merge_result *out,
                       struct rd_error *err)
{
    json_t *o = json_loads(op->result, 0, NULL);
    const char *target = json_string_value(json_object_get(o, "target"));
    const char *m = json_string_value(json_object_get(o, "amount"));
    int rc = RD_OK;

    out->op = *op;
    snprintf(out->source, sizeof out->source, "%s", op->account);
    if (!target || !m || rd_money_parse(m, strlen(m), &out->amount, err) != RD_OK)
        rc = rd_error_set(err, RD_ESTORE, "hier_ops %lld: its result is not riskdesk's",
                          (long long)op->id);
    else
        snprintf(out->target, sizeof out->target, "%s", target);
    out->txn = json_integer_value(json_object_get(o, "txn"));
    json_decref(o);
    return rc;
}

/* ---- executing ---- */

static const char *what(enum rd_hier_op_kind k)
{
    return k == RD_HIER_OP_PARTIAL ? "partial consolidation" : "consolidation";
}

/* Moves out->amount from the source to the target (ledger, both paper
 * cashes) and finishes the op: a full one also closes the source. */
static int complete(struct rd_store *s, const struct rd_config *cfg, struct rd_merge_result *out,
                    const struct rd_hier_actor *by, struct rd_error *err)
{
    const struct rd_account_config *sa = rd_config_account(cfg, out->source);
    const struct rd_account_config *ta = rd_config_account(cfg, out->target);
    struct rd_hier_leg from = {out->source, out->amount, sa ? sa->starting_cash : 0};
    struct rd_hier_leg to = {out->target, out->amount, ta ? ta->starting_cash : 0};
    int partial = out->op.kind == RD_HIER_OP_PARTIAL;
    char why[256];
    int rc;

    snprintf(why, sizeof why, "%s %s", what(out->op.kind), out->op.key);
    if (out->amount > 0 &&
        (rc = rd_hier_transfer(s, partial ? RD_LEDGER_PARTIAL : RD_LEDGER_MERGE, out->op.id, why,
                               &from, &to, 1, 1, by, &out->txn, err)) != RD_OK)
        return rc;
    rd_crash_point("consolidate.ledger");
    if (!partial && (rc = rd_hier_op_state(s, out->source, RD_NODE_MERGING, RD_NODE_CLOSED,
                                           out->op.id, "consolidation", by, err)) != RD_OK)
        return rc;
    out->op.status = RD_HIER_OP_DONE;
    out->op.finished_at = by->now;
    if ((rc = result_json(out, err)) != RD_OK)
        return rc;
    return s->ops->ledger->op_finish(s, out->op.id, RD_HIER_OP_DONE, out->op.result, by->now,
                                     err);
}

/* The target of an open op, held, still takes money: a target closed (or
 * in ERROR) since the op began refuses the finish, and the source stays
 * MERGING under its op. */
static int target_takes(struct rd_store *s, const struct rd_merge_result *out,
                        struct rd_error *err)
{
    struct rd_hier_node_row t;
    int rc;

    if ((rc = s->ops->ledger->node_lock(s, out->target, err)) != RD_OK ||
        (rc = s->ops->ledger->node_get(s, out->target, &t, err)) != RD_OK)
        return rc;
    if (!rd_merge_state_open(t.state))
        return rd_error_set(err, RD_EREJECTED, "target_state: consolidation op %lld (%s): its "
                            "target %s is %s now; expected ACTIVE, SAFE or SUSPENDED; %s stays "
                            "MERGING with its capital", (long long)out->op.id, out->op.key,
                            out->target, rd_node_state_name(t.state), out->source);
    return RD_OK;
}

/* An open op found again: finished now when the source is flat (all of its
 * capital moves) and the target still takes it, else answered as it stands. */
static int resume(struct rd_store *s, const struct rd_config *cfg,
                  const struct rd_hier_op_row *op, const struct rd_hier_actor *by,
                  struct rd_merge_result *out, struct rd_error *err)
{
    struct source src;
    int rc;

    if ((rc = result_read(op, out, err)) != RD_OK ||
        (rc = s->ops->ledger->node_lock(s, op->account, err)) != RD_OK ||
        (rc = source_read(s, cfg, op->account, by->now, &src, err)) != RD_OK)
        return rc;
    out->amount = rd_ledger_capital(&src.v.sums);
    if (!flat(&src)) {
        out->replayed = 1;
        return RD_OK;
    }
    if ((rc = target_takes(s, out, err)) != RD_OK)
        return rc;
    return complete(s, cfg, out, by, err);
}

/* The request's parameters as one text. */
static void canonical(const struct rd_merge_request *r, char *out, size_t n)
{
    char m[32] = "";

    if (r->strategy == RD_MERGE_PARTIAL)
        rd_money_format(r->amount, m, sizeof m);
    snprintf(out, n, "consolidate account=%s strategy=%s into=%s amount=%s", r->acct->name,
             rd_merge_strategy_name(r->strategy), r->into ? r->into : "", m);
}

struct counted {
    const char *account;
    int done;
};

static int count_done(void *ctx, const struct rd_hier_op_row *o)
{
    struct counted *c = ctx;

    c->done += o->kind != RD_HIER_OP_FORK && o->status == RD_HIER_OP_DONE &&
               !strcmp(o->account, c->account);
    return 0;
}

/* Whether a consolidation of these factors goes ahead without --force. */
static int may_go(const struct rd_merge_factors *f, int64_t now)
{
    return f->action == RD_FORK_EXECUTE ||
           (f->action == RD_FORK_WINDOW && !rd_hier_market_open(now));
}

static int low_confidence(const struct eval *ev, struct rd_error *err)
{
    char c[16];

    rd_ppm_format(ev->a.f.confidence, c, sizeof c);
    return rd_error_set(err, RD_EREJECTED, "low_confidence: account %s: confidence %s is below "
                        "0.80 (action %s: %s)%s; assessment %lld waits for `riskdesk "
                        "consolidate approve %lld` (or --force)", ev->a.account, c,
                        rd_fork_action_name(ev->a.f.action),
                        ev->a.f.action == RD_FORK_WINDOW ? "the market must be closed"
                                                         : "a person decides",
                        ev->a.f.safe ? "; critical, so it was set SAFE" : "",
                        (long long)ev->a.id, (long long)ev->a.id);
}

static int execute_in_tx(struct rd_store *s, const struct rd_merge_request *r, const char *key,
                         const struct rd_hier_actor *by, struct rd_merge_result *out,
                         int64_t *assessment_id, int *keep, struct rd_error *err)
{
    const char *account = r->acct->name;
    struct rd_hier_op_row stored;
    struct rd_hier_tree t = {0};
    struct eval ev;
    int rc;

    rd_crash_point("consolidate.begin");
    if ((rc = s->ops->ledger->node_lock(s, account, err)) != RD_OK)
        return rc;
    snprintf(out->op.key, sizeof out->op.key, "%s", key);
    out->op.kind = r->strategy == RD_MERGE_PARTIAL ? RD_HIER_OP_PARTIAL : RD_HIER_OP_MERGE;
    snprintf(out->op.account, sizeof out->op.account, "%s", account);
    canonical(r, out->op.params, sizeof out->op.params);
    rc = rd_hier_op_find(s, &out->op, &stored, err);
    if (rc == RD_OK && stored.status == RD_HIER_OP_DONE) {
        out->replayed = 1;
        return result_read(&stored, out, err);
    }
    if (rc == RD_OK && stored.status == RD_HIER_OP_OPEN)
        return resume(s, r->cfg, &stored, by, out, err);
    if (rc == RD_OK)
        return rd_error_set(err, RD_EEXIST, "idempotency_conflict: key \"%s\" was used for op "
                            "%lld, which is %s", out->op.key, (long long)stored.id,
                            rd_hier_op_status_name(stored.status));
    if (rc != RD_ENOTFOUND)
        return rc;
    rd_error_clear(err);

    if ((rc = rd_hier_tree_read_around(s, account, r->into, &t, err)) == RD_OK)
        rc = evaluate(s, r, by, &t, 1, 0, &ev, err);
    rd_hier_tree_release(&t);
    if (rc != RD_OK)
        return rc;
    if (!r->force && !may_go(&ev.a.f, by->now)) {
        /* the refusal stands; its assessment is kept for `consolidate approve` */
        if ((rc = maybe_safe(s, &ev, by, keep, err)) != RD_OK ||
            (rc = assess_store(s, r, &ev, 0, by, err)) != RD_OK)
            return rc;
        *keep = 1;
        *assessment_id = ev.a.id;
        return low_confidence(&ev, err);
    }

    out->op.status = RD_HIER_OP_OPEN;
    out->op.created_at = by->now;
    snprintf(out->op.who, sizeof out->op.who, "%s", by->who);
    snprintf(out->source, sizeof out->source, "%s", account);
    snprintf(out->target, sizeof out->target, "%s", ev.target);
    out->amount = ev.amount;
    if ((rc = s->ops->ledger->op_add(s, &out->op, err)) != RD_OK ||
        (rc = assess_store(s, r, &ev, out->op.id, by, err)) != RD_OK)
        return rc;
    *assessment_id = ev.a.id;
    if (r->strategy == RD_MERGE_NEW) {
        /* PARENT.cN: the parent's Nth child made by a consolidation */
        if (strlen(ev.src.v.node.parent) + 12 >= sizeof out->target)
            return rd_error_set(err, RD_EINVAL, "consolidate: the new node's name under %s "
                                "would be over 63 characters", ev.src.v.node.parent);
        snprintf(out->target, sizeof out->target, "%s.c%d", ev.src.v.node.parent,
                 ev.made_under_parent + 1);
        if (ev.amount <= 0)
            return rd_error_set(err, RD_EREJECTED, "nothing_to_move: %s has no capital for a "
                                "new node", account);
        /* its account starts with what it will take; its cash comes with the transfer */
        rc = rd_hier_node_make(s, r->cfg, out->target, ev.src.v.node.type,
                               ev.src.v.node.parent, ev.amount, "consolidate", by, err);
        if (rc == RD_OK)
            rc = rd_hier_paper_cash(s, out->target, ev.amount, by->now, -ev.amount, NULL, err);
        if (rc != RD_OK)
            return rc;
    }
    if (out->op.kind == RD_HIER_OP_PARTIAL)
        return complete(s, r->cfg, out, by, err);
    /* the op's answer while it waits: where the capital goes */
    if ((rc = result_json(out, err)) != RD_OK ||
        (rc = s->ops->ledger->op_finish(s, out->op.id, RD_HIER_OP_OPEN, out->op.result, 0,
                                        err)) != RD_OK ||
        (rc = rd_hier_op_state(s, account, ev.a.state, RD_NODE_MERGING, out->op.id,
                               "consolidation", by, err)) != RD_OK)
        return rc;
    if (!flat(&ev.src))
        return RD_OK;                 /* its dispatcher exits its positions first */
    return complete(s, r->cfg, out, by, err);
}

/* Commits what a step of a consolidation wrote, at its crash points. */
static int commit_step(struct rd_store *s, int rc, struct rd_error *err)
{
    if (rc == RD_OK)
        rd_crash_point("consolidate.commit");
    rc = rd_hier_tx_end(s, rc, err);
    if (rc == RD_OK)
        rd_crash_point("consolidate.after_commit");
    return rc;
}

int rd_merge_execute(struct rd_store *s, const struct rd_merge_request *r,
                     const struct rd_hier_actor *by, struct rd_merge_result *out,
                     int64_t *assessment_id, struct rd_error *err)
{
    struct counted cnt = {r->acct->name, 0};
    char key[RD_LEDGER_KEY_MAX];
    int keep = 0, rc;

    memset(out, 0, sizeof *out);
    *assessment_id = 0;
    if (r->key && strlen(r->key) >= RD_LEDGER_KEY_MAX)
        return rd_error_set(err, RD_EINVAL, "--key: longer than %d characters",
                            RD_LEDGER_KEY_MAX - 1);
    /* the default key counts what this executor saw before it waited for the
     * node, as a fork's does: one racing it that went first made the key's
     * op, so this one answers with it */
    if (r->key && *r->key)
        snprintf(key, sizeof key, "%s", r->key);
    else if ((rc = s->ops->ledger->op_list(s, r->acct->name, count_done, &cnt, err)) != RD_OK)
        return rc;
    else
        snprintf(key, sizeof key, "consolidate/%s/%d", r->acct->name, cnt.done + 1);
    if ((rc = s->ops->begin(s, err)) != RD_OK)
        return rc;
    rc = execute_in_tx(s, r, key, by, out, assessment_id, &keep, err);
    if (rc == RD_OK && out->replayed) {
        s->ops->rollback(s);          /* an answer writes nothing */
        return RD_OK;
    }
    if (rc != RD_OK && keep) {
        struct rd_error cerr = {0};

        /* the refusal stands; its assessment and the SAFE it set are kept */
        if (s->ops->commit(s, &cerr) != RD_OK)
            return rd_error_set(err, cerr.code, "%s", cerr.msg);
        return rc;
    }
    return commit_step(s, rc, err);
}

/* ---- approve ---- */

/* The first consolidation made at or after an assessment of the same node. */
struct later {
    int64_t after;                /* the assessment's id */
    int64_t op;                   /* the consolidation's op; 0 = none yet */
};

static int merge_after(void *ctx, const struct rd_merge_assess_row *a)
{
    struct later *l = ctx;

    if (!l->op && a->id >= l->after && a->op)
        l->op = a->op;
    return 0;
}

int rd_merge_approve(struct rd_store *s, const struct rd_merge_request *r, int64_t assessment,
                     const struct rd_hier_actor *by, struct rd_merge_result *out,
                     int64_t *assessment_id, struct rd_error *err)
{
    struct rd_merge_assess_row a;
    struct rd_merge_request go = *r;
    struct rd_hier_op_row done;
    struct later l;
    int rc;

    memset(out, 0, sizeof *out);
    *assessment_id = 0;
    if ((rc = s->ops->ledger->merge_assess_get(s, assessment, &a, err)) != RD_OK)
        return rc;
    l = (struct later){assessment, a.op};
    if (!a.op && (rc = s->ops->ledger->merge_assess_list(s, a.account, merge_after, &l, err)))
        return rc;
    /* the key's op made already: the approval again, answered (or refused as
     * an idempotency_conflict) by rd_merge_execute, never called stale */
    if (l.op && r->key && *r->key && s->ops->ledger->op_get(s, r->key, &done, err) == RD_OK)
        l.op = 0;
    rd_error_clear(err);
    if (l.op)
        return rd_error_set(err, RD_EREJECTED, "consolidate approve: assessment %lld of %s is "
                            "stale: consolidation op %lld followed it; assess again",
                            (long long)assessment, a.account, (long long)l.op);
    if (!(go.acct = rd_config_account(r->cfg, a.account)))
        return rd_error_set(err, RD_ENOTFOUND, "consolidate approve: assessment %lld: %s is no "
                            "account of the config", (long long)assessment, a.account);
    go.strategy = a.strategy;
    go.into = a.into;
    go.amount = a.strategy == RD_MERGE_PARTIAL ? a.amount : 0;
    go.force = 1;                     /* a person decided; every refusal still holds */
    return rd_merge_execute(s, &go, by, out, assessment_id, err);
}

/* ---- the dispatcher's side ---- */

struct open_op {
    const char *account;
    struct rd_hier_op_row op;
};

static int see_open(void *ctx, const struct rd_hier_op_row *o)
{
    struct open_op *f = ctx;

    if (o->kind == RD_HIER_OP_MERGE && o->status == RD_HIER_OP_OPEN &&
        !strcmp(o->account, f->account))
        f->op = *o;
    return 0;
}

static int open_op_get(struct rd_store *s, const char *account, struct open_op *f,
                       struct rd_error *err)
{
    memset(f, 0, sizeof *f);
    f->account = account;
    return s->ops->ledger->op_list(s, account, see_open, f, err);
}

int rd_merge_open_op(struct rd_store *s, const char *account, int64_t *op, struct rd_error *err)
{
    struct open_op f;
    int rc = open_op_get(s, account, &f, err);

    *op = f.op.id;
    return rc;
}

int rd_merge_finish(struct rd_store *s, const struct rd_config *cfg, const char *account,
                    const struct rd_hier_actor *by, struct rd_merge_result *out, int *finished,
                    struct rd_error *err)
{
    struct open_op f;
    int rc;

    memset(out, 0, sizeof *out);
    *finished = 0;
    if ((rc = s->ops->begin(s, err)) != RD_OK)
        return rc;
    rd_crash_point("consolidate.begin");
    if ((rc = s->ops->ledger->node_lock(s, account, err)) == RD_OK)
        rc = open_op_get(s, account, &f, err);
    if (rc == RD_OK && f.op.id)
        rc = resume(s, cfg, &f.op, by, out, err);
    if (rc != RD_OK || !f.op.id || out->replayed) {
        s->ops->rollback(s);          /* nothing to do yet */
        return rc;
    }
    *finished = 1;
    return commit_step(s, rc, err);
}

/* ---- scan ---- */

/* The open leaf with the worst return, when open nodes are over the limit. */
static int worst_leaf(struct rd_store *s, const struct rd_config *cfg, const struct rd_hier_tree *t,
                      char *out, size_t n, struct rd_error *err)
{
    int64_t worst = INT64_MAX;
    size_t open = 0;
    int rc = RD_OK;

    *out = '\0';
    for (size_t i = 0; i < t->n; i++)
        open += t->rows[i].state != RD_NODE_CLOSED;
    if (open <= RD_MERGE_MAX_NODES)
        return RD_OK;
    for (size_t i = 0; rc == RD_OK && i < t->n; i++) {
        struct rd_hier_perf p;

        if (t->rows[i].state == RD_NODE_CLOSED || !*t->rows[i].parent || !is_leaf(t, t->rows[i].account))
            continue;
        if ((rc = rd_hier_perf_read(s, cfg, t->rows[i].account, &p, err)) == RD_OK &&
            p.annual_return_ppm < worst) {
            worst = p.annual_return_ppm;
            snprintf(out, n, "%s", t->rows[i].account);
        }
    }
    return rc;
}

int rd_merge_scan(struct rd_store *s, const struct rd_config *cfg, const struct rd_hier_actor *by,
                  int act, int (*visit)(void *ctx, const struct rd_merge_assessment *a),
                  void *ctx, struct rd_error *err)
{
    struct rd_hier_tree t;
    char worst[64];
    int rc = rd_hier_tree_read(s, &t, err);

    if (rc == RD_OK)
        rc = worst_leaf(s, cfg, &t, worst, sizeof worst, err);
    for (size_t i = 0; rc == RD_OK && i < t.n; i++) {
        struct rd_merge_request r = {.cfg = cfg, .strategy = RD_MERGE_PARENT};
        struct eval ev;
        int wrote = 0;

        if (t.rows[i].state == RD_NODE_CLOSED || !*t.rows[i].parent)
            continue;
        if (!(r.acct = rd_config_account(cfg, t.rows[i].account))) {
            rc = rd_error_set(err, RD_ENOTFOUND, "consolidate scan: node %s is no account of "
                              "the config", t.rows[i].account);
            break;
        }
        if ((rc = s->ops->begin(s, err)) != RD_OK)
            break;
        rc = s->ops->ledger->node_lock(s, t.rows[i].account, err);
        if (rc == RD_OK)
            rc = evaluate(s, &r, by, &t, 0, !strcmp(worst, t.rows[i].account), &ev, err);
        if (rc == RD_OK && ev.a.triggers && act)
            rc = maybe_safe(s, &ev, by, &wrote, err);
        rc = rd_hier_tx_end(s, rc, err);
        if (rc == RD_EREJECTED) {     /* refused: no opportunity */
            rd_error_clear(err);
            rc = RD_OK;
            continue;
        }
        if (rc == RD_OK && ev.a.triggers)
            rc = visit(ctx, &ev.a);
    }
    rd_hier_tree_release(&t);
    return rc;
}
