/*
 * store_contract_ledger.h - the storage contract on the hierarchy and its
 * ledger: nodes and their transitions round-trip every field, a taken node
 * or key fails alone and writes nothing (inside a caller's transaction too),
 * a transaction's entries are all written or none, the lists and the
 * store's own balances answer per node and for everyone, a node's sums
 * come in one call, and the ops and fork and consolidation assessments
 * round-trip.
 *
 * Part of the contract in store_contract.h, which includes it after the
 * fixture; not included on its own.
 */
#ifndef RISKDESK_TESTS_STORE_CONTRACT_LEDGER_H
#define RISKDESK_TESTS_STORE_CONTRACT_LEDGER_H

struct ledger_seen {
    int n;
    struct rd_hier_node_row node[8];
    struct rd_hier_state_row st[8];
    struct rd_ledger_txn txn[8];
    struct rd_ledger_entry e[16];
    struct rd_ledger_balance b[8];
    struct rd_hier_op_row op[8];
    struct rd_fork_assess_row as[8];
    struct rd_merge_assess_row ms[8];
};

static int see_massess(void *ctx, const struct rd_merge_assess_row *r)
{
    struct ledger_seen *c = ctx;

    if (c->n < 8)
        c->ms[c->n] = *r;
    c->n++;
    return 0;
}

static int see_node(void *ctx, const struct rd_hier_node_row *r)
{
    struct ledger_seen *c = ctx;

    if (c->n < 8)
        c->node[c->n] = *r;
    c->n++;
    return 0;
}

static int see_state(void *ctx, const struct rd_hier_state_row *r)
{
    struct ledger_seen *c = ctx;

    if (c->n < 8)
        c->st[c->n] = *r;
    c->n++;
    return 0;
}

static int see_txn(void *ctx, const struct rd_ledger_txn *r)
{
    struct ledger_seen *c = ctx;

    if (c->n < 8)
        c->txn[c->n] = *r;
    c->n++;
    return 0;
}

static int see_entry(void *ctx, const struct rd_ledger_entry *r)
{
    struct ledger_seen *c = ctx;

    if (c->n < 16)
        c->e[c->n] = *r;
    c->n++;
    return 0;
}

static int see_book(void *ctx, const struct rd_ledger_balance *r)
{
    struct ledger_seen *c = ctx;

    if (c->n < 8)
        c->b[c->n] = *r;
    c->n++;
    return 0;
}

static void ledger_node(struct rd_hier_node_row *n, const char *account, const char *parent,
                        enum rd_node_type type)
{
    memset(n, 0, sizeof *n);
    snprintf(n->account, sizeof n->account, "%s", account);
    snprintf(n->parent, sizeof n->parent, "%s", parent);
    n->type = type;
    n->state = RD_NODE_ACTIVE;
    n->created_at = NOW;
}

static void test_ledger_nodes_states(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    const struct rd_store_ledger_ops *l = s->ops->ledger;
    struct rd_hier_node_row n, got;
    struct rd_hier_state_row t;
    struct ledger_seen seen = {0};
    struct rd_error err = {0};

    assert_non_null(l);
    assert_true(l->version >= 1);
    ledger_node(&n, "g2", "", RD_NODE_GEN);
    n.allow_negative = 1;
    assert_int_equal(l->node_add(s, &n, &err), RD_OK);
    ledger_node(&n, "g1.f1", "g1", RD_NODE_REV);
    n.state = RD_NODE_SAFE;
    n.created_at = NOW + 5;
    assert_int_equal(l->node_add(s, &n, &err), RD_OK);
    ledger_node(&n, "g1", "", RD_NODE_COM);
    assert_int_equal(l->node_add(s, &n, &err), RD_OK);
    assert_int_equal(l->node_add(s, &n, &err), RD_EEXIST);
    assert_non_null(strstr(err.msg, "g1"));

    assert_int_equal(l->node_get(s, "g1.f1", &got, &err), RD_OK);
    assert_string_equal(got.account, "g1.f1");
    assert_string_equal(got.parent, "g1");
    assert_int_equal(got.type, RD_NODE_REV);
    assert_int_equal(got.state, RD_NODE_SAFE);
    assert_int_equal(got.allow_negative, 0);
    assert_int_equal(got.created_at, NOW + 5);
    assert_int_equal(l->node_get(s, "g2", &got, &err), RD_OK);
    assert_int_equal(got.allow_negative, 1);
    assert_string_equal(got.parent, "");
    assert_int_equal(l->node_get(s, "nobody", &got, &err), RD_ENOTFOUND);
    assert_non_null(strstr(err.msg, "nobody"));

    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    assert_int_equal(l->node_lock(s, "g1", &err), RD_OK);
    assert_int_equal(l->node_lock(s, "nobody", &err), RD_ENOTFOUND);
    assert_non_null(strstr(err.msg, "nobody"));
    assert_int_equal(s->ops->commit(s, &err), RD_OK);

    assert_int_equal(l->node_list(s, see_node, &seen, &err), RD_OK);
    assert_int_equal(seen.n, 3);
    assert_string_equal(seen.node[0].account, "g1");      /* by account, byte order */
    assert_string_equal(seen.node[1].account, "g1.f1");
    assert_string_equal(seen.node[2].account, "g2");

    /* version 4: a parent's children alone, every field; "" the roots */
    assert_true(l->version >= 4);
    ledger_node(&n, "g1.a", "g1", RD_NODE_GEN);
    assert_int_equal(l->node_add(s, &n, &err), RD_OK);
    ledger_node(&n, "g2.f1", "g2", RD_NODE_REV);
    assert_int_equal(l->node_add(s, &n, &err), RD_OK);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(l->node_children(s, "g1", see_node, &seen, &err), RD_OK);
    assert_int_equal(seen.n, 2);
    assert_string_equal(seen.node[0].account, "g1.a");
    assert_string_equal(seen.node[1].account, "g1.f1");
    assert_string_equal(seen.node[1].parent, "g1");
    assert_int_equal(seen.node[1].type, RD_NODE_REV);
    assert_int_equal(seen.node[1].state, RD_NODE_SAFE);
    assert_int_equal(seen.node[1].created_at, NOW + 5);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(l->node_children(s, "", see_node, &seen, &err), RD_OK);
    assert_int_equal(seen.n, 2);
    assert_string_equal(seen.node[0].account, "g1");
    assert_string_equal(seen.node[1].account, "g2");
    assert_int_equal(seen.node[1].allow_negative, 1);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(l->node_children(s, "g1.f1", see_node, &seen, &err), RD_OK);
    assert_int_equal(seen.n, 0);
    assert_int_equal(l->node_children(s, "nobody", see_node, &seen, &err), RD_OK);
    assert_int_equal(seen.n, 0);

    memset(&t, 0, sizeof t);
    snprintf(t.account, sizeof t.account, "g1.f1");
    t.from = RD_NODE_SAFE;
    t.to = RD_NODE_ACTIVE;
    snprintf(t.why, sizeof t.why, "checked by hand");
    snprintf(t.who, sizeof t.who, "ops");
    t.op = 7;
    t.at = NOW + 60;
    assert_int_equal(l->state_add(s, &t, &err), RD_OK);
    assert_true(t.id > 0);
    assert_int_equal(l->node_get(s, "g1.f1", &got, &err), RD_OK);
    assert_int_equal(got.state, RD_NODE_ACTIVE);

    snprintf(t.account, sizeof t.account, "nobody");
    assert_int_equal(l->state_add(s, &t, &err), RD_ENOTFOUND);

    memset(&seen, 0, sizeof seen);
    assert_int_equal(l->state_list(s, NULL, see_state, &seen, &err), RD_OK);
    assert_int_equal(seen.n, 1);      /* the refused one left nothing */
    assert_string_equal(seen.st[0].account, "g1.f1");
    assert_int_equal(seen.st[0].from, RD_NODE_SAFE);
    assert_int_equal(seen.st[0].to, RD_NODE_ACTIVE);
    assert_string_equal(seen.st[0].why, "checked by hand");
    assert_string_equal(seen.st[0].who, "ops");
    assert_int_equal(seen.st[0].op, 7);
    assert_int_equal(seen.st[0].at, NOW + 60);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(l->state_list(s, "g2", see_state, &seen, &err), RD_OK);
    assert_int_equal(seen.n, 0);
}

static void ledger_txn(struct rd_ledger_txn *t, const char *key, enum rd_ledger_kind kind,
                       int64_t at)
{
    memset(t, 0, sizeof *t);
    snprintf(t->key, sizeof t->key, "%s", key);
    t->kind = kind;
    snprintf(t->who, sizeof t->who, "cli");
    snprintf(t->why, sizeof t->why, "why %s", key);
    t->at = at;
}

static void test_ledger_txns(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    const struct rd_store_ledger_ops *l = s->ops->ledger;
    struct rd_ledger_txn t, got;
    struct rd_ledger_entry e[3], ge[4];
    struct ledger_seen seen = {0};
    struct rd_error err = {0};
    size_t n = 0;

    assert_int_equal(rd_ledger_flow(RD_LEDGER_OPEN, "g1", 100000000, e, &err), RD_OK);
    ledger_txn(&t, "open/g1", RD_LEDGER_OPEN, NOW);
    assert_int_equal(l->txn_add(s, &t, e, 2, &err), RD_OK);
    assert_true(t.id > 0);
    assert_int_equal(e[0].txn, t.id);
    assert_int_equal(e[1].txn, t.id);

    assert_int_equal(rd_ledger_flow(RD_LEDGER_OPEN, "g2", 50000000, e, &err), RD_OK);
    ledger_txn(&t, "open/g2", RD_LEDGER_OPEN, NOW + 1);
    assert_int_equal(l->txn_add(s, &t, e, 2, &err), RD_OK);

    /* three legs: a P&L of g1 split between its books */
    ledger_txn(&t, "k3", RD_LEDGER_PNL_KIND, NOW + 2);
    t.op = 12;
    e[0] = (struct rd_ledger_entry){.book = "g1:available", .amount = -30000};
    e[1] = (struct rd_ledger_entry){.book = "g1:reserved", .amount = 10000};
    e[2] = (struct rd_ledger_entry){.book = "@pnl", .amount = 20000};
    assert_int_equal(l->txn_add(s, &t, e, 3, &err), RD_OK);

    assert_int_equal(l->txn_get(s, "k3", &got, ge, 4, &n, &err), RD_OK);
    assert_int_equal(got.id, t.id);
    assert_string_equal(got.key, "k3");
    assert_int_equal(got.kind, RD_LEDGER_PNL_KIND);
    assert_string_equal(got.who, "cli");
    assert_string_equal(got.why, "why k3");
    assert_int_equal(got.op, 12);
    assert_int_equal(got.at, NOW + 2);
    assert_int_equal(n, 3);
    assert_string_equal(ge[0].book, "g1:available");
    assert_int_equal(ge[0].amount, -30000);
    assert_string_equal(ge[2].book, "@pnl");
    assert_int_equal(ge[2].txn, t.id);
    assert_int_equal(l->txn_get(s, "k3", &got, ge, 1, &n, &err), RD_OK);
    assert_int_equal(n, 3);     /* how many it has, past cap */
    assert_int_equal(l->txn_get(s, "nokey", &got, ge, 4, &n, &err), RD_ENOTFOUND);
    assert_non_null(strstr(err.msg, "nokey"));

    /* a taken key: RD_EEXIST, nothing written, and the caller's transaction goes on */
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    ledger_txn(&t, "k3", RD_LEDGER_DEPOSIT, NOW + 3);
    assert_int_equal(rd_ledger_flow(RD_LEDGER_DEPOSIT, "g2", 7, e, &err), RD_OK);
    assert_int_equal(l->txn_add(s, &t, e, 2, &err), RD_EEXIST);
    assert_non_null(strstr(err.msg, "k3"));
    ledger_txn(&t, "k4", RD_LEDGER_WITHDRAW, NOW + 4);
    assert_int_equal(rd_ledger_flow(RD_LEDGER_WITHDRAW, "g2", 10000, e, &err), RD_OK);
    assert_int_equal(l->txn_add(s, &t, e, 2, &err), RD_OK);
    assert_int_equal(s->ops->commit(s, &err), RD_OK);

    /* a rolled-back caller leaves no header and no entry */
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    ledger_txn(&t, "k5", RD_LEDGER_DEPOSIT, NOW + 5);
    assert_int_equal(rd_ledger_flow(RD_LEDGER_DEPOSIT, "g1", 5, e, &err), RD_OK);
    assert_int_equal(l->txn_add(s, &t, e, 2, &err), RD_OK);
    s->ops->rollback(s);
    assert_int_equal(l->txn_get(s, "k5", &got, ge, 4, &n, &err), RD_ENOTFOUND);

    assert_int_equal(l->txn_list(s, NULL, see_txn, &seen, &err), RD_OK);
    assert_int_equal(seen.n, 4);
    assert_string_equal(seen.txn[0].key, "open/g1");
    assert_string_equal(seen.txn[3].key, "k4");
    assert_int_equal(seen.txn[3].kind, RD_LEDGER_WITHDRAW);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(l->txn_list(s, "g1", see_txn, &seen, &err), RD_OK);
    assert_int_equal(seen.n, 2);
    assert_string_equal(seen.txn[1].key, "k3");
    memset(&seen, 0, sizeof seen);
    assert_int_equal(l->entry_list(s, "g2", see_entry, &seen, &err), RD_OK);
    assert_int_equal(seen.n, 4);       /* both legs of each of g2's transactions */
    assert_string_equal(seen.e[0].book, "g2:available");
    assert_string_equal(seen.e[1].book, "@external");
    assert_int_equal(seen.e[3].amount, 10000);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(l->entry_list(s, NULL, see_entry, &seen, &err), RD_OK);
    assert_int_equal(seen.n, 9);

    memset(&seen, 0, sizeof seen);
    assert_int_equal(l->book_list(s, NULL, see_book, &seen, &err), RD_OK);
    assert_int_equal(seen.n, 5);
    assert_string_equal(seen.b[0].book, "@external");
    assert_int_equal(seen.b[0].balance, -100000000 - 50000000 + 10000);
    assert_string_equal(seen.b[1].book, "@pnl");
    assert_int_equal(seen.b[1].balance, 20000);
    assert_string_equal(seen.b[2].book, "g1:available");
    assert_int_equal(seen.b[2].balance, 100000000 - 30000);
    assert_string_equal(seen.b[3].book, "g1:reserved");
    assert_int_equal(seen.b[3].balance, 10000);
    assert_string_equal(seen.b[4].book, "g2:available");
    assert_int_equal(seen.b[4].balance, 50000000 - 10000);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(l->book_list(s, "g1", see_book, &seen, &err), RD_OK);
    assert_int_equal(seen.n, 2);
    assert_string_equal(seen.b[1].book, "g1:reserved");
    assert_int_equal(l->book_list(s, "bad:name", see_book, &seen, &err), RD_EINVAL);
}

/* Books a transaction of kind from entries e (n of them) under key. */
static void ledger_book(struct rd_store *s, const char *key, enum rd_ledger_kind kind,
                        struct rd_ledger_entry *e, size_t n)
{
    struct rd_ledger_txn t;
    struct rd_error err = {0};

    ledger_txn(&t, key, kind, NOW);
    assert_int_equal(s->ops->ledger->txn_add(s, &t, e, n, &err), RD_OK);
}

static void ledger_move(struct rd_store *s, const char *key, enum rd_ledger_kind kind,
                        const char *from, const char *to, rd_money amount)
{
    struct rd_ledger_entry e[2] = {{.amount = -amount}, {.amount = amount}};

    snprintf(e[0].book, sizeof e[0].book, "%s:available", from);
    snprintf(e[1].book, sizeof e[1].book, "%s:available", to);
    ledger_book(s, key, kind, e, 2);
}

static void ledger_flow_book(struct rd_store *s, const char *key, enum rd_ledger_kind kind,
                             const char *account, rd_money amount)
{
    struct rd_ledger_entry e[2];
    struct rd_error err = {0};

    assert_int_equal(rd_ledger_flow(kind, account, amount, e, &err), RD_OK);
    ledger_book(s, key, kind, e, 2);
}

static void assert_sums(const struct rd_ledger_sums *got, const struct rd_ledger_sums *want)
{
    assert_int_equal(got->available, want->available);
    assert_int_equal(got->reserved, want->reserved);
    assert_int_equal(got->opening, want->opening);
    assert_int_equal(got->deposits, want->deposits);
    assert_int_equal(got->withdrawals, want->withdrawals);
    assert_int_equal(got->pnl, want->pnl);
    assert_int_equal(got->transfers_in, want->transfers_in);
    assert_int_equal(got->transfers_out, want->transfers_out);
    assert_int_equal(got->partial_out, want->partial_out);
}

/* version 5: a node's sums in one call, each kind of transaction to its sum,
 * transfers of one kind in and out apart, the other node's books and the
 * outside's left out. */
static void test_ledger_node_sums(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    const struct rd_store_ledger_ops *l = s->ops->ledger;
    struct rd_ledger_entry e[4];
    struct rd_ledger_sums got;
    struct rd_error err = {0};
    size_t n = 0;

    assert_true(l->version >= 5);
    assert_int_equal(l->node_sums(s, "n1", &got, &err), RD_OK);
    assert_sums(&got, &(struct rd_ledger_sums){0});

    ledger_flow_book(s, "ns/open", RD_LEDGER_OPEN, "n1", 1000000);
    ledger_flow_book(s, "ns/dep", RD_LEDGER_DEPOSIT, "n1", 200000);
    ledger_flow_book(s, "ns/wd", RD_LEDGER_WITHDRAW, "n1", 50000);
    ledger_flow_book(s, "ns/gain", RD_LEDGER_PNL_KIND, "n1", 30000);
    ledger_flow_book(s, "ns/loss", RD_LEDGER_PNL_KIND, "n1", -5000);
    /* a fill reserved and released at 7,000 of P&L, then one held */
    assert_int_equal(rd_ledger_fill("n1", 40000, -1, e, &n, &err), RD_OK);
    ledger_book(s, "ns/entry", RD_LEDGER_RESERVE, e, n);
    assert_int_equal(rd_ledger_fill("n1", 40000, 47000, e, &n, &err), RD_OK);
    assert_int_equal(n, 4);
    ledger_book(s, "ns/exit", RD_LEDGER_RELEASE, e, n);
    assert_int_equal(rd_ledger_fill("n1", 15000, -1, e, &n, &err), RD_OK);
    ledger_book(s, "ns/held", RD_LEDGER_RESERVE, e, n);
    ledger_move(s, "ns/fork", RD_LEDGER_FORK, "n1", "n2", 300000);
    ledger_move(s, "ns/merge-in", RD_LEDGER_MERGE, "n2", "n1", 100000);
    ledger_move(s, "ns/merge-out", RD_LEDGER_MERGE, "n1", "n2", 60000);
    ledger_move(s, "ns/partial", RD_LEDGER_PARTIAL, "n1", "n2", 20000);

    assert_int_equal(l->node_sums(s, "n1", &got, &err), RD_OK);
    assert_sums(&got, &(struct rd_ledger_sums){
        .available = 1000000 + 200000 - 50000 + 30000 - 5000 - 40000 + 47000 - 15000 - 300000 +
                     100000 - 60000 - 20000,
        .reserved = 15000, .opening = 1000000, .deposits = 200000, .withdrawals = 50000,
        .pnl = 30000 - 5000 + 7000, .transfers_in = 100000, .transfers_out = 300000 + 60000,
        .partial_out = 20000});
    assert_int_equal(l->node_sums(s, "n2", &got, &err), RD_OK);
    assert_sums(&got, &(struct rd_ledger_sums){
        .available = 300000 - 100000 + 60000 + 20000, .transfers_in = 300000 + 60000 + 20000,
        .transfers_out = 100000});
    /* a name that is no node's has no entries; one no book can have is refused */
    assert_int_equal(l->node_sums(s, "n3", &got, &err), RD_OK);
    assert_sums(&got, &(struct rd_ledger_sums){0});
    assert_int_equal(l->node_sums(s, "bad:name", &got, &err), RD_EINVAL);
}

static int see_op(void *ctx, const struct rd_hier_op_row *r)
{
    struct ledger_seen *c = ctx;

    if (c->n < 8)
        c->op[c->n] = *r;
    c->n++;
    return 0;
}

static int see_assess(void *ctx, const struct rd_fork_assess_row *r)
{
    struct ledger_seen *c = ctx;

    if (c->n < 8)
        c->as[c->n] = *r;
    c->n++;
    return 0;
}

static void ledger_op(struct rd_hier_op_row *o, const char *key, const char *account,
                      enum rd_hier_op_kind kind)
{
    memset(o, 0, sizeof *o);
    o->kind = kind;
    snprintf(o->key, sizeof o->key, "%s", key);
    snprintf(o->account, sizeof o->account, "%s", account);
    snprintf(o->params, sizeof o->params, "params of %s", key);
    o->status = RD_HIER_OP_OPEN;
    o->created_at = NOW;
    snprintf(o->who, sizeof o->who, "cli");
}

/* Ops round-trip every field, a taken key fails alone (inside a caller's
 * transaction too), only an open op finishes, and fork assessments keep
 * their factors. */
static void test_ledger_ops(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    const struct rd_store_ledger_ops *l = s->ops->ledger;
    struct rd_hier_node_row n;
    struct rd_hier_op_row o, got;
    struct rd_fork_assess_row a, ga;
    struct ledger_seen seen = {0};
    struct rd_error err = {0};
    int64_t first;

    assert_true(l->version >= 2);
    ledger_node(&n, "g1", "", RD_NODE_GEN);
    assert_int_equal(l->node_add(s, &n, &err), RD_OK);
    ledger_node(&n, "g2", "", RD_NODE_GEN);
    assert_int_equal(l->node_add(s, &n, &err), RD_OK);

    ledger_op(&o, "fork/g1/1", "g1", RD_HIER_OP_FORK);
    assert_int_equal(l->op_add(s, &o, &err), RD_OK);
    assert_true(o.id > 0);
    first = o.id;
    assert_int_equal(l->op_get(s, "fork/g1/1", &got, &err), RD_OK);
    assert_int_equal(got.id, first);
    assert_int_equal(got.kind, RD_HIER_OP_FORK);
    assert_string_equal(got.account, "g1");
    assert_string_equal(got.params, "params of fork/g1/1");
    assert_int_equal(got.status, RD_HIER_OP_OPEN);
    assert_string_equal(got.result, "");
    assert_int_equal(got.created_at, NOW);
    assert_int_equal(got.finished_at, 0);
    assert_string_equal(got.who, "cli");
    assert_int_equal(l->op_get(s, "nokey", &got, &err), RD_ENOTFOUND);
    assert_non_null(strstr(err.msg, "nokey"));

    /* a taken key: RD_EEXIST, nothing written, the caller's transaction goes on */
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    ledger_op(&o, "fork/g1/1", "g2", RD_HIER_OP_MERGE);
    assert_int_equal(l->op_add(s, &o, &err), RD_EEXIST);
    assert_non_null(strstr(err.msg, "fork/g1/1"));
    ledger_op(&o, "merge/g2", "g2", RD_HIER_OP_MERGE);
    assert_int_equal(l->op_add(s, &o, &err), RD_OK);
    assert_int_equal(s->ops->commit(s, &err), RD_OK);
    /* a rolled-back caller leaves no op */
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    ledger_op(&o, "partial/g2", "g2", RD_HIER_OP_PARTIAL);
    assert_int_equal(l->op_add(s, &o, &err), RD_OK);
    s->ops->rollback(s);
    assert_int_equal(l->op_get(s, "partial/g2", &got, &err), RD_ENOTFOUND);

    /* finishing: once, an open op only */
    assert_int_equal(l->op_finish(s, first, RD_HIER_OP_DONE, "{\"op\":1}", NOW + 9, &err), RD_OK);
    assert_int_equal(l->op_get(s, "fork/g1/1", &got, &err), RD_OK);
    assert_int_equal(got.status, RD_HIER_OP_DONE);
    assert_string_equal(got.result, "{\"op\":1}");
    assert_int_equal(got.finished_at, NOW + 9);
    assert_int_equal(l->op_finish(s, first, RD_HIER_OP_FAILED, "", NOW + 10, &err), RD_ENOTFOUND);
    assert_int_equal(l->op_finish(s, 999999, RD_HIER_OP_DONE, "", NOW + 10, &err), RD_ENOTFOUND);
    assert_non_null(strstr(err.msg, "999999"));
    assert_int_equal(l->op_get(s, "fork/g1/1", &got, &err), RD_OK);
    assert_int_equal(got.status, RD_HIER_OP_DONE);

    assert_int_equal(l->op_list(s, NULL, see_op, &seen, &err), RD_OK);
    assert_int_equal(seen.n, 2);
    assert_string_equal(seen.op[0].key, "fork/g1/1");
    assert_string_equal(seen.op[1].key, "merge/g2");
    assert_int_equal(seen.op[1].kind, RD_HIER_OP_MERGE);
    assert_int_equal(seen.op[1].status, RD_HIER_OP_OPEN);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(l->op_list(s, "g2", see_op, &seen, &err), RD_OK);
    assert_int_equal(seen.n, 1);
    assert_string_equal(seen.op[0].account, "g2");

    /* version 4: counted by kind and status, every node's */
    {
        int64_t nops = -1;

        ledger_op(&o, "fork/g2/1", "g2", RD_HIER_OP_FORK);
        assert_int_equal(l->op_add(s, &o, &err), RD_OK);
        ledger_op(&o, "fork/g1/2", "g1", RD_HIER_OP_FORK);
        assert_int_equal(l->op_add(s, &o, &err), RD_OK);
        assert_int_equal(l->op_count(s, RD_HIER_OP_FORK, RD_HIER_OP_OPEN, &nops, &err), RD_OK);
        assert_int_equal(nops, 2);
        assert_int_equal(l->op_count(s, RD_HIER_OP_FORK, RD_HIER_OP_DONE, &nops, &err), RD_OK);
        assert_int_equal(nops, 1);
        assert_int_equal(l->op_count(s, RD_HIER_OP_MERGE, RD_HIER_OP_OPEN, &nops, &err), RD_OK);
        assert_int_equal(nops, 1);
        assert_int_equal(l->op_finish(s, o.id, RD_HIER_OP_FAILED, "", NOW + 11, &err), RD_OK);
        assert_int_equal(l->op_count(s, RD_HIER_OP_FORK, RD_HIER_OP_OPEN, &nops, &err), RD_OK);
        assert_int_equal(nops, 1);
        assert_int_equal(l->op_count(s, RD_HIER_OP_PARTIAL, RD_HIER_OP_FAILED, &nops, &err),
                         RD_OK);
        assert_int_equal(nops, 0);
        assert_int_equal(l->op_count(s, RD_HIER_OP_KIND_COUNT, RD_HIER_OP_OPEN, &nops, &err),
                         RD_EINVAL);
    }

    /* assessments */
    memset(&a, 0, sizeof a);
    snprintf(a.account, sizeof a.account, "g1");
    a.surplus = 1000000001;
    a.amount = 1000000000;
    a.f = (struct rd_fork_factors){1000000, 250000, 800000, 500000, 670000, RD_FORK_REVIEW};
    snprintf(a.who, sizeof a.who, "cli");
    a.at = NOW + 3;
    assert_int_equal(l->assess_add(s, &a, &err), RD_OK);
    assert_true(a.id > 0);
    a.op = first;
    a.f.action = RD_FORK_WINDOW;
    assert_int_equal(l->assess_add(s, &a, &err), RD_OK);
    assert_int_equal(l->assess_get(s, a.id, &ga, &err), RD_OK);
    assert_int_equal(ga.op, first);
    assert_int_equal(ga.f.action, RD_FORK_WINDOW);
    assert_int_equal(l->assess_get(s, a.id - 1, &ga, &err), RD_OK);
    assert_string_equal(ga.account, "g1");
    assert_int_equal(ga.surplus, 1000000001);
    assert_int_equal(ga.amount, 1000000000);
    assert_int_equal(ga.f.market, 1000000);
    assert_int_equal(ga.f.performance, 250000);
    assert_int_equal(ga.f.load, 800000);
    assert_int_equal(ga.f.timing, 500000);
    assert_int_equal(ga.f.confidence, 670000);
    assert_int_equal(ga.f.action, RD_FORK_REVIEW);
    assert_int_equal(ga.op, 0);
    assert_string_equal(ga.who, "cli");
    assert_int_equal(ga.at, NOW + 3);
    assert_int_equal(l->assess_get(s, 999999, &ga, &err), RD_ENOTFOUND);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(l->assess_list(s, NULL, see_assess, &seen, &err), RD_OK);
    assert_int_equal(seen.n, 2);
    assert_int_equal(seen.as[1].f.action, RD_FORK_WINDOW);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(l->assess_list(s, "g2", see_assess, &seen, &err), RD_OK);
    assert_int_equal(seen.n, 0);
}

/* Consolidation assessments keep what was asked, what was found and the
 * factors; a row of a strategy or action riskdesk does not know is refused. */
static void test_ledger_merge_assessments(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    const struct rd_store_ledger_ops *l = s->ops->ledger;
    struct rd_hier_node_row n;
    struct rd_merge_assess_row a, ga;
    struct ledger_seen seen = {0};
    struct rd_error err = {0};

    assert_true(l->version >= 3);
    ledger_node(&n, "g1", "", RD_NODE_GEN);
    assert_int_equal(l->node_add(s, &n, &err), RD_OK);
    ledger_node(&n, "g1.f1", "g1", RD_NODE_REV);
    assert_int_equal(l->node_add(s, &n, &err), RD_OK);

    memset(&a, 0, sizeof a);
    snprintf(a.account, sizeof a.account, "g1.f1");
    a.strategy = RD_MERGE_PARTIAL;
    snprintf(a.into, sizeof a.into, "g1");
    snprintf(a.target, sizeof a.target, "g1");
    a.amount = 12345678;
    a.triggers = (1u << RD_MERGE_T_MANUAL) | (1u << RD_MERGE_T_IDLE);
    a.f = (struct rd_merge_factors){1000000, 250000, 900000, 670000, RD_FORK_REVIEW, 1};
    snprintf(a.who, sizeof a.who, "cli");
    a.at = NOW + 4;
    assert_int_equal(l->merge_assess_add(s, &a, &err), RD_OK);
    assert_true(a.id > 0);
    a.strategy = RD_MERGE_NEW;
    a.into[0] = a.target[0] = '\0';
    a.op = 7;
    a.f.safe = 0;
    a.f.action = RD_FORK_EXECUTE;
    assert_int_equal(l->merge_assess_add(s, &a, &err), RD_OK);

    assert_int_equal(l->merge_assess_get(s, a.id - 1, &ga, &err), RD_OK);
    assert_int_equal(ga.id, a.id - 1);
    assert_string_equal(ga.account, "g1.f1");
    assert_int_equal(ga.strategy, RD_MERGE_PARTIAL);
    assert_string_equal(ga.into, "g1");
    assert_string_equal(ga.target, "g1");
    assert_int_equal(ga.amount, 12345678);
    assert_int_equal(ga.triggers, (1u << RD_MERGE_T_MANUAL) | (1u << RD_MERGE_T_IDLE));
    assert_int_equal(ga.f.reliability, 1000000);
    assert_int_equal(ga.f.benefit, 250000);
    assert_int_equal(ga.f.risk, 900000);
    assert_int_equal(ga.f.confidence, 670000);
    assert_int_equal(ga.f.action, RD_FORK_REVIEW);
    assert_int_equal(ga.f.safe, 1);
    assert_int_equal(ga.op, 0);
    assert_string_equal(ga.who, "cli");
    assert_int_equal(ga.at, NOW + 4);
    assert_int_equal(l->merge_assess_get(s, a.id, &ga, &err), RD_OK);
    assert_int_equal(ga.strategy, RD_MERGE_NEW);
    assert_string_equal(ga.into, "");
    assert_string_equal(ga.target, "");
    assert_int_equal(ga.op, 7);
    assert_int_equal(ga.f.safe, 0);
    assert_int_equal(ga.f.action, RD_FORK_EXECUTE);
    assert_int_equal(l->merge_assess_get(s, 999999, &ga, &err), RD_ENOTFOUND);
    assert_non_null(strstr(err.msg, "999999"));

    assert_int_equal(l->merge_assess_list(s, NULL, see_massess, &seen, &err), RD_OK);
    assert_int_equal(seen.n, 2);
    assert_int_equal(seen.ms[0].strategy, RD_MERGE_PARTIAL);
    assert_int_equal(seen.ms[1].strategy, RD_MERGE_NEW);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(l->merge_assess_list(s, "g1", see_massess, &seen, &err), RD_OK);
    assert_int_equal(seen.n, 0);

    a.strategy = RD_MERGE_STRATEGY_COUNT;
    assert_int_equal(l->merge_assess_add(s, &a, &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "g1.f1"));
}

#endif
