/*
 * fork_ops.c - assessing and executing forks on a store (fork_ops.h,
 * docs/hierarchy.md). A fork is one store transaction; its key makes it
 * happen once.
 */
#include "riskdesk/fork_ops.h"
#include "riskdesk/market_feed.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "riskdesk/broker.h"
#include "riskdesk/crash_point.h"
#include "app/hier_op_int.h"
#include "app/hier_tree.h"
#include "riskdesk/banned.h"

/* ---- what the rules read ---- */

struct op_scan {
    int done;                     /* the node's done forks */
    int64_t last;                 /* its latest fork attempt */
    int in_progress;              /* open forks, every node's */
};

static int scan_op(void *ctx, const struct rd_hier_op_row *o)
{
    struct op_scan *c = ctx;

    if (o->kind != RD_HIER_OP_FORK)
        return 0;
    if (o->status == RD_HIER_OP_DONE)
        c->done++;
    if (o->created_at > c->last)
        c->last = o->created_at;
    return 0;
}

/* The node's own ops, and the open forks counted by the store. */
static int scan_ops(struct rd_store *s, const char *account, struct op_scan *c,
                    struct rd_error *err)
{
    int64_t open = 0;
    int rc;

    memset(c, 0, sizeof *c);
    if ((rc = s->ops->ledger->op_list(s, account, scan_op, c, err)) != RD_OK ||
        (rc = s->ops->ledger->op_count(s, RD_HIER_OP_FORK, RD_HIER_OP_OPEN, &open, err)))
        return rc;
    c->in_progress = open > INT32_MAX ? INT32_MAX : (int)open;
    return RD_OK;
}

int rd_fork_count(struct rd_store *s, const char *account, int *n, struct rd_error *err)
{
    struct op_scan c;
    int rc;

    memset(&c, 0, sizeof c);
    rc = s->ops->ledger->op_list(s, account, scan_op, &c, err);
    *n = c.done;
    return rc;
}

/* The performance factor's inputs from the account's snapshots. */
static int perf_inputs(struct rd_store *s, const struct rd_config *cfg, const char *account,
                       int64_t now, struct rd_fork_inputs *in, struct rd_error *err)
{
    struct rd_hier_perf p;
    struct rd_market_view m;
    int64_t age;
    int rc = rd_hier_perf_read(s, cfg, account, &p, err);

    in->tracked_days = p.tracked_days;
    in->annual_return_ppm = p.annual_return_ppm;
    in->drawdown_ppm = p.drawdown_ppm;
    /* the market factor's VIX, unless --vix gives one: the feed's, when fresh */
    rd_market_feed_read(cfg, now, &m);
    in->vix_known = m.feed == RD_FEED_OK && !rd_market_feed_stale(&m, now, &age);
    in->vix = in->vix_known ? m.vix : 0;
    return rc;
}

/* The node, its numbers and the facts of its prerequisites, read inside the
 * caller's transaction with the node held. */
struct node_facts {
    struct rd_hier_view v;
    struct op_scan ops;
    struct rd_fork_facts f;
    const struct rd_node_type_def *def;
};

static int read_facts(struct rd_store *s, const struct rd_fork_request *r, int64_t now,
                      struct node_facts *nf, struct rd_error *err)
{
    const char *account = r->acct->name;
    int rc;

    if ((rc = s->ops->ledger->node_lock(s, account, err)) != RD_OK ||
        (rc = rd_hier_view_get(s, account, &nf->v, err)) != RD_OK ||
        (rc = scan_ops(s, account, &nf->ops, err)) != RD_OK)
        return rc;
    memset(&nf->f, 0, sizeof nf->f);
    nf->f.type = nf->v.node.type;
    nf->f.state = nf->v.node.state;
    nf->f.surplus = rd_ledger_surplus(&nf->v.sums);
    nf->f.available = nf->v.sums.available;
    nf->f.in_progress = nf->ops.in_progress;
    nf->f.last_attempt = nf->ops.last;
    nf->f.now = now;
    nf->def = &r->cfg->hier_types.t[nf->v.node.type];
    return rd_hier_open_orders(s, account, &nf->f.open_orders, err);
}

/* The factors of a fork of the node now; perf: the snapshots' inputs. */
static void factors(const struct rd_fork_request *r, const struct rd_fork_inputs *perf,
                    const struct node_facts *nf, int64_t now, struct rd_fork_assess_row *row,
                    const struct rd_hier_actor *by)
{
    struct rd_fork_inputs in = *perf;

    if (r->vix_known) {
        in.vix_known = 1;
        in.vix = r->vix;
    }
    in.vix_halt = r->acct->risk.vix_halt;
    in.in_progress = nf->ops.in_progress;
    in.market_open = rd_hier_market_open(now);
    memset(row, 0, sizeof *row);
    snprintf(row->account, sizeof row->account, "%s", r->acct->name);
    row->surplus = nf->f.surplus;
    row->amount = nf->def->fork_threshold;
    rd_fork_assess(&in, &row->f);
    snprintf(row->who, sizeof row->who, "%s", by->who);
    row->at = now;
}

/* The config's split for a fork of a node of type (*parts), or 0 parts:
 * one child of the type's child type. */
static size_t split_of(const struct rd_config *cfg, enum rd_node_type type,
                       const struct rd_fork_part **parts)
{
    *parts = cfg->fork_split;
    return rd_fork_split_applies(type, cfg->fork_split, cfg->nfork_split) ? cfg->nfork_split : 0;
}

/* The children a fork of the node makes now, into out: refused (RD_EREJECTED,
 * child_under_minimum) when one would start under its type's minimum. */
static int plan_children(const struct rd_fork_request *r, const struct node_facts *nf,
                         struct rd_fork_child *out, size_t *nout, struct rd_error *err)
{
    const struct rd_fork_part *parts;
    size_t nsplit = split_of(r->cfg, nf->v.node.type, &parts);

    return rd_fork_children(r->acct->name, nf->v.node.type, nf->ops.done + 1,
                            nf->def->fork_threshold, &r->cfg->hier_types, nsplit ? parts : NULL,
                            nsplit, out, nout, err);
}

static void fill_assessment(const struct rd_config *cfg, const struct node_facts *nf,
                            struct rd_fork_assessment *out)
{
    const struct rd_fork_part *parts;

    out->type = nf->v.node.type;
    out->child_type = nf->def->child >= 0 ? (enum rd_node_type)nf->def->child : nf->v.node.type;
    if (split_of(cfg, nf->v.node.type, &parts))
        out->child_type = parts[0].type;
    out->threshold = nf->def->fork_threshold;
}

/* rd_fork_assess_node; store 0: the assessment is made and not stored
 * (out->row.id 0), nothing written. */
static int assess(struct rd_store *s, const struct rd_fork_request *r,
                  const struct rd_hier_actor *by, int store, struct rd_fork_assessment *out,
                  struct rd_error *err)
{
    struct rd_fork_child kids[RD_FORK_SPLIT_MAX];
    struct rd_fork_inputs perf;
    struct node_facts nf;
    size_t nkids;
    int rc;

    memset(out, 0, sizeof *out);
    memset(&perf, 0, sizeof perf);
    if ((rc = perf_inputs(s, r->cfg, r->acct->name, by->now, &perf, err)) != RD_OK ||
        (rc = s->ops->begin(s, err)) != RD_OK)
        return rc;
    rc = read_facts(s, r, by->now, &nf, err);
    if (rc == RD_OK)
        rc = rd_fork_check(r->acct->name, &r->cfg->hier_types, &nf.f, err);
    if (rc == RD_OK)
        rc = plan_children(r, &nf, kids, &nkids, err);
    if (rc == RD_OK) {
        factors(r, &perf, &nf, by->now, &out->row, by);
        fill_assessment(r->cfg, &nf, out);
        if (!store) {
            s->ops->rollback(s);      /* a look only: nothing written */
            return RD_OK;
        }
        rc = s->ops->ledger->assess_add(s, &out->row, err);
    }
    return rd_hier_tx_end(s, rc, err);
}

int rd_fork_assess_node(struct rd_store *s, const struct rd_fork_request *r,
                        const struct rd_hier_actor *by, struct rd_fork_assessment *out,
                        struct rd_error *err)
{
    return assess(s, r, by, 1, out, err);
}

/* ---- execute ---- */

/* The request's parameters as one text: the same request, the same text,
 * whatever the node's state. */
static void canonical(const struct rd_fork_request *r, const struct node_facts *nf, char *out,
                      size_t n)
{
    const struct rd_fork_part *parts;
    size_t nsplit = split_of(r->cfg, nf->v.node.type, &parts);
    size_t used = (size_t)snprintf(out, n, "fork account=%s type=%s amount=%lld split=",
                                   r->acct->name, rd_node_type_name(nf->v.node.type),
                                   (long long)nf->def->fork_threshold);

    if (nsplit == 0)
        snprintf(out + used, n - used, "%s:%lld", rd_node_type_name(nf->def->child), RD_PPM);
    for (size_t i = 0; i < nsplit && used < n; i++)
        used += (size_t)snprintf(out + used, n - used, "%s%s:%lld", i ? "," : "",
                                 rd_node_type_name(parts[i].type),
                                 (long long)parts[i].fraction_ppm);
}

/* The result JSON stored with the op (the execute output without
 * "replayed"). */
static int result_json(struct rd_fork_result *out, struct rd_error *err)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:[], s:I}", "op", (json_int_t)out->op.id,
                          "key", out->op.key, "status", "done", "parent", out->parent,
                          "children", "txn", (json_int_t)out->txn);

    for (size_t i = 0; o && i < out->nchildren; i++) {
        char m[32];

        rd_money_format(out->children[i].amount, m, sizeof m);
        json_array_append_new(json_object_get(o, "children"),
                              json_pack("{s:s, s:s, s:s}", "account", out->children[i].account,
                                        "type", rd_node_type_name(out->children[i].type),
                                        "amount", m));
    }
    return rd_hier_op_result(&out->op, o, "fork", err);
}

/* Reads a done op's stored result back into out (a replay). */
static int result_read(const struct rd_hier_op_row *op, struct rd_fork_result *out,
                       struct rd_error *err)
{
    json_t *o = json_loads(op->result, 0, NULL);
    json_t *kids = o ? json_object_get(o, "children") : NULL;
    size_t i;
    json_t *k;

    out->op = *op;
    out->replayed = 1;
    snprintf(out->parent, sizeof out->parent, "%s", op->account);
    if (!json_is_array(kids) || json_array_size(kids) > RD_FORK_SPLIT_MAX) {
        json_decref(o);
        return rd_error_set(err, RD_ESTORE, "hier_ops %lld: its result is not riskdesk's",
                            (long long)op->id);
    }
    out->txn = json_integer_value(json_object_get(o, "txn"));
    json_array_foreach(kids, i, k) {
        const char *a = json_string_value(json_object_get(k, "account"));
        const char *t = json_string_value(json_object_get(k, "type"));
        const char *m = json_string_value(json_object_get(k, "amount"));
        struct rd_fork_child *c = &out->children[i];

        if (!a || !t || !m || rd_node_type_parse(t, &c->type) != RD_OK ||
            rd_money_parse(m, strlen(m), &c->amount, err) != RD_OK) {
            json_decref(o);
            return rd_error_set(err, RD_ESTORE, "hier_ops %lld: child %zu of its result is not "
                                "riskdesk's", (long long)op->id, i);
        }
        snprintf(c->account, sizeof c->account, "%s", a);
    }
    out->nchildren = json_array_size(kids);
    json_decref(o);
    return RD_OK;
}

/* The transfer: the parent's available book to each child's. */
static int transfer(struct rd_store *s, const struct rd_fork_request *r, int64_t op,
                    rd_money amount, struct rd_fork_result *out, const struct rd_hier_actor *by,
                    struct rd_error *err)
{
    struct rd_hier_leg from = {r->acct->name, amount, r->acct->starting_cash};
    struct rd_hier_leg to[RD_FORK_SPLIT_MAX];
    char why[256];

    for (size_t i = 0; i < out->nchildren; i++)
        to[i] = (struct rd_hier_leg){out->children[i].account, out->children[i].amount, 0};
    snprintf(why, sizeof why, "fork %s", out->op.key);
    return rd_hier_transfer(s, RD_LEDGER_FORK, op, why, &from, to, out->nchildren, 0, by,
                            &out->txn, err);
}

/* Whether a fork of these factors goes ahead without --force: at 0.80 and
 * over; from 0.70 with the market closed. */
static int may_go(const struct rd_fork_factors *f, int64_t now)
{
    return f->action == RD_FORK_EXECUTE || (f->action == RD_FORK_WINDOW && !rd_hier_market_open(now));
}

/* Everything of a fork inside the transaction; *keep_assessment is set when
 * the refusal (low confidence) stored an assessment to commit. */
static int execute_in_tx(struct rd_store *s, const struct rd_fork_request *r, const char *key,
                         const struct rd_fork_inputs *perf, const struct rd_hier_actor *by,
                         struct rd_fork_result *out, int64_t *assessment_id, int *keep,
                         struct rd_error *err)
{
    const char *account = r->acct->name;
    struct rd_fork_assess_row a;
    struct rd_hier_op_row stored;
    struct node_facts nf;
    int rc;

    rd_crash_point("fork.begin");
    if ((rc = read_facts(s, r, by->now, &nf, err)) != RD_OK)
        return rc;
    snprintf(out->op.key, sizeof out->op.key, "%s", key);
    out->op.kind = RD_HIER_OP_FORK;
    snprintf(out->op.account, sizeof out->op.account, "%s", account);
    canonical(r, &nf, out->op.params, sizeof out->op.params);
    rc = rd_hier_op_find(s, &out->op, &stored, err);
    if (rc == RD_OK && stored.status != RD_HIER_OP_DONE)
        return rd_error_set(err, RD_EEXIST, "idempotency_conflict: key \"%s\" was used for "
                            "op %lld, which is %s", out->op.key, (long long)stored.id,
                            rd_hier_op_status_name(stored.status));
    if (rc == RD_OK)
        return result_read(&stored, out, err);
    if (rc != RD_ENOTFOUND)
        return rc;
    rd_error_clear(err);
    if ((rc = rd_fork_check(account, &r->cfg->hier_types, &nf.f, err)) != RD_OK)
        return rc;
    factors(r, perf, &nf, by->now, &a, by);
    if (!r->force && !may_go(&a.f, by->now)) {
        char c[16];

        if ((rc = s->ops->ledger->assess_add(s, &a, err)) != RD_OK)
            return rc;
        *assessment_id = a.id;
        *keep = 1;
        rd_ppm_format(a.f.confidence, c, sizeof c);
        return rd_error_set(err, RD_EREJECTED, "low_confidence: account %s: confidence %s is "
                            "below 0.80 (action %s: %s); assessment %lld waits for `riskdesk "
                            "fork approve %lld` (or --force)", account, c,
                            rd_fork_action_name(a.f.action),
                            a.f.action == RD_FORK_WINDOW ? "the market must be closed"
                                                         : "a person decides",
                            (long long)a.id, (long long)a.id);
    }
    if ((rc = plan_children(r, &nf, out->children, &out->nchildren, err)) != RD_OK)
        return rc;

    out->op.status = RD_HIER_OP_OPEN;
    out->op.created_at = by->now;
    snprintf(out->op.who, sizeof out->op.who, "%s", by->who);
    snprintf(out->parent, sizeof out->parent, "%s", account);
    if ((rc = s->ops->ledger->op_add(s, &out->op, err)) != RD_OK ||
        (rc = rd_hier_op_state(s, account, RD_NODE_ACTIVE, RD_NODE_FORKING, out->op.id, "fork",
                                 by, err)))
        return rc;
    for (size_t i = 0; i < out->nchildren; i++)
        if ((rc = rd_hier_node_make(s, r->cfg, out->children[i].account,
                                    out->children[i].type, account, out->children[i].amount,
                                    "fork", by, err)) != RD_OK)
            return rc;
    rd_crash_point("fork.child");
    if ((rc = transfer(s, r, out->op.id, nf.def->fork_threshold, out, by, err)) != RD_OK)
        return rc;
    rd_crash_point("fork.ledger");
    a.op = out->op.id;
    if ((rc = rd_hier_op_state(s, account, RD_NODE_FORKING, RD_NODE_ACTIVE, out->op.id, "fork",
                                 by, err)) ||
        (rc = s->ops->ledger->assess_add(s, &a, err)) != RD_OK ||
        (rc = result_json(out, err)) != RD_OK)
        return rc;
    *assessment_id = a.id;
    out->op.status = RD_HIER_OP_DONE;
    out->op.finished_at = by->now;
    return s->ops->ledger->op_finish(s, out->op.id, RD_HIER_OP_DONE, out->op.result, by->now,
                                     err);
}

int rd_fork_execute(struct rd_store *s, const struct rd_fork_request *r,
                    const struct rd_hier_actor *by, struct rd_fork_result *out,
                    int64_t *assessment_id, struct rd_error *err)
{
    struct rd_fork_inputs perf;
    char key[RD_LEDGER_KEY_MAX];
    int keep = 0, forks, rc;

    memset(out, 0, sizeof *out);
    memset(&perf, 0, sizeof perf);
    *assessment_id = 0;
    if (r->key && strlen(r->key) >= RD_LEDGER_KEY_MAX)
        return rd_error_set(err, RD_EINVAL, "--key: longer than %d characters",
                            RD_LEDGER_KEY_MAX - 1);
    if ((rc = perf_inputs(s, r->cfg, r->acct->name, by->now, &perf, err)) != RD_OK)
        return rc;
    /* the default key counts the forks this executor saw before it waited
     * for the node: one racing it that forked first has made the key's op,
     * so this one answers with it (replayed) instead of forking again */
    if (r->key && *r->key)
        snprintf(key, sizeof key, "%s", r->key);
    else if ((rc = rd_fork_count(s, r->acct->name, &forks, err)) != RD_OK)
        return rc;
    else
        snprintf(key, sizeof key, "fork/%s/%d", r->acct->name, forks + 1);
    if ((rc = s->ops->begin(s, err)) != RD_OK)
        return rc;
    rc = execute_in_tx(s, r, key, &perf, by, out, assessment_id, &keep, err);
    if (rc == RD_OK && out->replayed) {
        s->ops->rollback(s);          /* a replay writes nothing */
        return RD_OK;
    }
    if (rc != RD_OK && keep) {
        struct rd_error cerr = {0};

        /* the refusal stands; its assessment is kept for `fork approve` */
        if (s->ops->commit(s, &cerr) != RD_OK)
            return rd_error_set(err, cerr.code, "%s", cerr.msg);
        return rc;
    }
    if (rc == RD_OK)
        rd_crash_point("fork.commit");
    rc = rd_hier_tx_end(s, rc, err);
    if (rc == RD_OK)
        rd_crash_point("fork.after_commit");
    return rc;
}

/* ---- scan and approve ---- */

int rd_fork_scan(struct rd_store *s, const struct rd_fork_request *r,
                 const struct rd_hier_actor *by, int store,
                 int (*visit)(void *ctx, const struct rd_fork_assessment *a), void *ctx,
                 struct rd_error *err)
{
    struct rd_hier_tree t;
    int rc = rd_hier_tree_read(s, &t, err);

    for (size_t i = 0; rc == RD_OK && i < t.n; i++) {
        struct rd_fork_request one = *r;
        struct rd_fork_assessment a;

        one.acct = rd_config_account(r->cfg, t.rows[i].account);
        if (!one.acct) {
            rc = rd_error_set(err, RD_ENOTFOUND, "fork scan: node %s is no account of the "
                              "config", t.rows[i].account);
            break;
        }
        rc = assess(s, &one, by, store, &a, err);
        if (rc == RD_EREJECTED) {             /* no opportunity */
            rd_error_clear(err);
            rc = RD_OK;
            continue;
        }
        if (rc == RD_OK)
            rc = visit(ctx, &a);
    }
    rd_hier_tree_release(&t);
    return rc;
}

/* The first fork made at or after an assessment of the same node. */
struct later {
    int64_t after;                /* the assessment's id */
    int64_t op;                   /* the fork's op; 0 = none yet */
};

static int fork_after(void *ctx, const struct rd_fork_assess_row *a)
{
    struct later *l = ctx;

    if (!l->op && a->id >= l->after && a->op)
        l->op = a->op;
    return 0;
}

int rd_fork_approve(struct rd_store *s, const struct rd_fork_request *r, int64_t assessment,
                    const struct rd_hier_actor *by, struct rd_fork_result *out,
                    int64_t *assessment_id, struct rd_error *err)
{
    struct rd_fork_assess_row a;
    struct rd_fork_request go = *r;
    int rc = s->ops->ledger->assess_get(s, assessment, &a, err);

    memset(out, 0, sizeof *out);
    *assessment_id = 0;
    if (rc != RD_OK)
        return rc;
    {
        struct later l = {assessment, a.op};
        struct rd_hier_op_row done;

        if (!a.op && (rc = s->ops->ledger->assess_list(s, a.account, fork_after, &l, err)))
            return rc;
        /* the key's op made already: the approval again, replayed (or refused
         * as an idempotency_conflict) by rd_fork_execute, never called stale */
        if (l.op && r->key && *r->key &&
            s->ops->ledger->op_get(s, r->key, &done, err) == RD_OK)
            l.op = 0;
        rd_error_clear(err);
        if (l.op)
            return rd_error_set(err, RD_EREJECTED, "fork approve: assessment %lld of %s is "
                                "stale: fork op %lld followed it; assess again",
                                (long long)assessment, a.account, (long long)l.op);
    }
    go.acct = rd_config_account(r->cfg, a.account);
    if (!go.acct)
        return rd_error_set(err, RD_ENOTFOUND, "fork approve: assessment %lld: %s is no account "
                            "of the config", (long long)assessment, a.account);
    go.force = 1;                     /* a person decided; the prerequisites still hold */
    return rd_fork_execute(s, &go, by, out, assessment_id, err);
}
