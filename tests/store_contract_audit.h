/*
 * store_contract_audit.h - the storage contract on the audit trail: each
 * audited write appends an entry to its chain (the account's, or the firm's)
 * in the same transaction, linked to the one before and hashed over its
 * fields; a rolled-back or failed write leaves none; chains of different
 * accounts count apart; and verify finds a record edited, deleted or
 * inserted behind the store's back, and an entry edited, naming the entry.
 *
 * Part of the contract in store_contract.h, which includes it after the
 * fixture; not included on its own.
 */
#ifndef RISKDESK_TESTS_STORE_CONTRACT_AUDIT_H
#define RISKDESK_TESTS_STORE_CONTRACT_AUDIT_H

#include "riskdesk/audit.h"
#include "store/audit_int.h"   /* RD_AUDIT_PACK_MAX */

struct audit_seen {
    int n;
    struct rd_audit_entry e[64];
};

static int see_audit_entry(void *ctx, const struct rd_audit_entry *e)
{
    struct audit_seen *c = ctx;

    if (c->n < 64)
        c->e[c->n] = *e;
    c->n++;
    return 0;
}

/* The chain's entries, each checked as verify does: seq from 1, linked, hashed. */
static struct audit_seen audit_chain_of(struct rd_store *s, const char *chain)
{
    static struct audit_seen seen;
    struct rd_error err = {0};
    char h[RD_SHA256_HEX];

    memset(&seen, 0, sizeof seen);
    assert_int_equal(s->ops->audit->list(s, chain, 1, see_audit_entry, &seen, &err), RD_OK);
    for (int i = 0; i < seen.n && i < 64; i++) {
        assert_int_equal(seen.e[i].seq, i + 1);
        assert_string_equal(seen.e[i].chain, chain);
        assert_string_equal(seen.e[i].prev_hash, i ? seen.e[i - 1].hash : RD_AUDIT_ZERO_HASH);
        rd_audit_entry_hash(&seen.e[i], h);
        assert_string_equal(h, seen.e[i].hash);
    }
    return seen;
}

struct audit_probs {
    int n;
    struct rd_audit_problem p[8];
};

static int see_audit_problem(void *ctx, const struct rd_audit_problem *p)
{
    struct audit_probs *c = ctx;

    if (c->n < 8)
        c->p[c->n] = *p;
    c->n++;
    return 0;
}

static struct audit_probs audit_verify_probs(struct rd_store *s, const char *account)
{
    static struct audit_probs probs;
    struct rd_audit_summary sum;
    struct rd_error err = {0};

    memset(&probs, 0, sizeof probs);
    assert_int_equal(rd_audit_verify(s, account, NULL, see_audit_problem, &probs, &sum, &err), RD_OK);
    assert_int_equal(sum.problems, probs.n);
    return probs;
}

/* Two accounts' decisions and orders, an order's change, a person's token,
 * user and assignment: each is an entry of its chain, with the actor. */
static void test_audit_entries(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_error err = {0};
    struct rd_decision_row a1 = make_decision("acct-A", "r1", 1);
    struct rd_decision_row b1 = make_decision("acct-B", "r1", 0);
    struct rd_decision_row a2[2] = {make_decision("acct-A", "r2", 1),
                                    make_decision("acct-A", "r3", 0)};
    struct rd_order_row o = make_order("coid-A1", "acct-A", "AAPL", RD_INTENT_ENTRY,
                                       RD_ORDER_PENDING, NOW);
    struct rd_order_row o2[1] = {make_order("coid-A2", "acct-A", "MSFT", RD_INTENT_ENTRY,
                                            RD_ORDER_PENDING, NOW)};
    size_t order_row[1] = {0};
    struct rd_token_row t;
    struct rd_user_row u;
    struct rd_assignment_row as;
    struct audit_seen a, b, firm;

    assert_non_null(s->ops->audit);
    add_rec(s, "r1", NOW);
    add_rec(s, "r2", NOW);
    add_rec(s, "r3", NOW);
    rd_audit_actor_set(s, "dispatcher:acct-A");
    assert_int_equal(s->ops->trading->decision_add(s, &a1, &err), RD_OK);
    o.decision_id = a1.id;
    assert_int_equal(s->ops->trading->order_add(s, &o, &err), RD_OK);
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    assert_int_equal(rd_store_decisions_record(s, a2, 2, o2, order_row, 1, &err), RD_OK);
    assert_int_equal(s->ops->commit(s, &err), RD_OK);
    o.status = RD_ORDER_FILLED;
    o.filled_qty = o.qty;
    o.fill_price = 41000;
    o.updated_at = NOW + 5;
    /* a column order_update does not write differs in the caller's row: the
     * entry notes the row as stored (verify below finds it intact) */
    o.ref_price += 1;
    assert_int_equal(s->ops->trading->order_update(s, &o, &err), RD_OK);
    rd_audit_actor_set(s, "dispatcher:acct-B");
    assert_int_equal(s->ops->trading->decision_add(s, &b1, &err), RD_OK);

    a = audit_chain_of(s, "account:acct-A");
    assert_int_equal(a.n, 6);   /* decision, order, decision, order, decision, order change */
    assert_string_equal(a.e[0].kind, "decision");
    assert_string_equal(a.e[1].kind, "order");
    assert_string_equal(a.e[1].subject, "coid-A1");
    assert_string_equal(a.e[3].subject, "coid-A2");
    assert_string_equal(a.e[5].subject, "coid-A1");
    assert_string_not_equal(a.e[5].record_hash, a.e[1].record_hash);
    assert_string_equal(a.e[0].actor, "dispatcher:acct-A");
    b = audit_chain_of(s, "account:acct-B");
    assert_int_equal(b.n, 1);   /* its own count: another account's entries do not touch it */
    assert_string_equal(b.e[0].actor, "dispatcher:acct-B");

    rd_audit_actor_set(s, "cli:ops");
    memset(&t, 0, sizeof t);
    snprintf(t.hash, sizeof t.hash, "%064d", 7);
    snprintf(t.role, sizeof t.role, "admin");
    snprintf(t.user, sizeof t.user, "alice");
    t.created_at = NOW;
    assert_int_equal(s->ops->api->token_add(s, &t, &err), RD_OK);
    assert_int_equal(s->ops->api->token_revoke(s, t.id, NOW + 1, &err), RD_OK);
    memset(&u, 0, sizeof u);
    snprintf(u.id, sizeof u.id, "alice");
    u.created_at = u.updated_at = NOW;
    assert_int_equal(s->ops->api->user_put(s, &u, 1, &err), RD_OK);
    memset(&as, 0, sizeof as);
    snprintf(as.user, sizeof as.user, "alice");
    snprintf(as.account, sizeof as.account, "acct-A");
    snprintf(as.strategy, sizeof as.strategy, "manual");
    as.at = NOW + 2;
    assert_int_equal(s->ops->api->assignment_add(s, &as, &err), RD_OK);
    firm = audit_chain_of(s, "firm");
    assert_int_equal(firm.n, 5);   /* token, its revocation, user, assignment, the user's account */
    assert_string_equal(firm.e[0].kind, "token");
    assert_string_equal(firm.e[1].kind, "token");
    assert_string_equal(firm.e[2].kind, "user");
    assert_string_equal(firm.e[3].kind, "assignment");
    assert_string_equal(firm.e[4].kind, "user");
    assert_string_equal(firm.e[4].actor, "cli:ops");

    assert_int_equal(audit_verify_probs(s, NULL).n, 0);
}

/* One transaction noting entries on two chains out of chain order (B, A, B):
 * each chain gets its own in the order written, linked and hashed. */
static void test_audit_chains_interleaved(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_error err = {0};
    struct rd_decision_row d[3] = {make_decision("acct-B", "r1", 1),
                                   make_decision("acct-A", "r1", 0),
                                   make_decision("acct-B", "r2", 0)};
    struct audit_seen a, b;
    char id[24];

    add_rec(s, "r1", NOW);
    add_rec(s, "r2", NOW);
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(s->ops->trading->decision_add(s, &d[i], &err), RD_OK);
    assert_int_equal(s->ops->commit(s, &err), RD_OK);
    a = audit_chain_of(s, "account:acct-A");
    assert_int_equal(a.n, 1);
    rd_audit_i64_text(d[1].id, id);
    assert_string_equal(a.e[0].subject, id);
    b = audit_chain_of(s, "account:acct-B");
    assert_int_equal(b.n, 2);
    rd_audit_i64_text(d[0].id, id);
    assert_string_equal(b.e[0].subject, id);
    rd_audit_i64_text(d[2].id, id);
    assert_string_equal(b.e[1].subject, id);
    assert_int_equal(audit_verify_probs(s, NULL).n, 0);
}

/* A rolled-back write leaves no entry; one that fails alone leaves none and
 * lets the caller's transaction go on. */
static void test_audit_rollback(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_error err = {0};
    struct rd_decision_row d1 = make_decision("acct-A", "r1", 1);
    struct rd_decision_row dup = make_decision("acct-A", "r1", 0);
    struct rd_decision_row d2 = make_decision("acct-A", "r2", 0);

    add_rec(s, "r1", NOW);
    add_rec(s, "r2", NOW);
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    assert_int_equal(s->ops->trading->decision_add(s, &d1, &err), RD_OK);
    s->ops->rollback(s);
    assert_int_equal(audit_chain_of(s, "account:acct-A").n, 0);

    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    assert_int_equal(s->ops->trading->decision_add(s, &d1, &err), RD_OK);
    assert_int_equal(s->ops->trading->decision_add(s, &dup, &err), RD_EEXIST);
    assert_int_equal(s->ops->trading->decision_add(s, &d2, &err), RD_OK);
    assert_int_equal(s->ops->commit(s, &err), RD_OK);
    assert_int_equal(audit_chain_of(s, "account:acct-A").n, 2);
    assert_int_equal(audit_verify_probs(s, "acct-A").n, 0);
}

/* What verify finds, each named with its entry: a decision's verdict edited,
 * an order deleted, a decision inserted, an entry edited. */
static void test_audit_verify_tamper(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_error err = {0};
    struct rd_decision_row d1 = make_decision("acct-A", "r1", 0);
    struct rd_decision_row d2 = make_decision("acct-A", "r2", 1);
    struct rd_order_row o = make_order("coid-A1", "acct-A", "AAPL", RD_INTENT_ENTRY,
                                       RD_ORDER_PENDING, NOW);
    struct audit_probs p;

    add_rec(s, "r1", NOW);
    add_rec(s, "r2", NOW);
    add_rec(s, "r3", NOW);
    assert_int_equal(s->ops->trading->decision_add(s, &d1, &err), RD_OK);   /* #1 */
    assert_int_equal(s->ops->trading->decision_add(s, &d2, &err), RD_OK);   /* #2 */
    o.decision_id = d2.id;
    assert_int_equal(s->ops->trading->order_add(s, &o, &err), RD_OK);       /* #3 */
    assert_int_equal(audit_verify_probs(s, "acct-A").n, 0);

    /* the rejected decision turned into an approval */
    ct_sql_exec(f, "UPDATE decisions SET approved = 1 WHERE rec_id = 'r1'");
    p = audit_verify_probs(s, "acct-A");
    assert_int_equal(p.n, 1);
    assert_int_equal(p.p[0].seq, 1);
    assert_string_equal(p.p[0].kind, "decision");
    assert_non_null(strstr(p.p[0].what, "changed after its last entry"));
    ct_sql_exec(f, "UPDATE decisions SET approved = 0 WHERE rec_id = 'r1'");
    assert_int_equal(audit_verify_probs(s, "acct-A").n, 0);

    /* an order gone, and a decision no entry covers */
    ct_sql_exec(f, "DELETE FROM orders WHERE client_order_id = 'coid-A1'");
    ct_sql_exec(f, "INSERT INTO decisions (account, rec_id, decided_at, approved, size, budget, "
                   "unit_risk, unit_cost, risk_pct, kelly_used, verdicts) VALUES ('acct-A', 'r3', "
                   "0, 1, 1, 0, 0, 0, 0, 0, 'v1')");
    p = audit_verify_probs(s, "acct-A");
    assert_int_equal(p.n, 2);
    assert_int_equal(p.p[0].seq, 3);
    assert_string_equal(p.p[0].subject, "coid-A1");
    assert_non_null(strstr(p.p[0].what, "deleted"));
    assert_int_equal(p.p[1].seq, 0);
    assert_string_equal(p.p[1].kind, "decision");
    assert_non_null(strstr(p.p[1].what, "no audit entry"));

    /* an entry edited: the first broken link comes first */
    ct_sql_exec(f, "UPDATE audit_packs SET entries = replace(entries, '\"actor\":\"', "
                   "'\"actor\":\"someone else, not ') WHERE first_seq <= 2 AND last_seq >= 2");
    p = audit_verify_probs(s, "acct-A");
    assert_int_equal(p.n, 3);
    assert_int_equal(p.p[0].seq, 2);
    assert_non_null(strstr(p.p[0].what, "the entry was edited"));
}

/* An account made, changed and closed through the API is on its chain;
 * its definition edited by hand shows. */
static void test_audit_account_defs(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_error err = {0};
    static struct rd_account_def_row d;
    struct audit_seen a;
    struct audit_probs p;

    memset(&d, 0, sizeof d);
    snprintf(d.name, sizeof d.name, "made");
    snprintf(d.def, sizeof d.def, "{\"name\": \"made\", \"starting_cash\": \"3000\"}");
    d.created_at = d.updated_at = NOW;
    assert_int_equal(s->ops->api->account_def_put(s, &d, 1, &err), RD_OK);
    assert_int_equal(s->ops->api->account_def_put(s, &d, 1, &err), RD_EEXIST);
    d.closed_at = NOW + 60;
    snprintf(d.closed_by, sizeof d.closed_by, "alice");
    assert_int_equal(s->ops->api->account_def_put(s, &d, 0, &err), RD_OK);
    a = audit_chain_of(s, "account:made");
    assert_int_equal(a.n, 2);   /* made, closed; the refused second make left nothing */
    assert_string_equal(a.e[1].kind, "account_def");
    assert_string_equal(a.e[1].subject, "made");
    assert_int_equal(audit_verify_probs(s, NULL).n, 0);
    ct_sql_exec(f, "UPDATE account_defs SET closed_at = 0 WHERE name = 'made'");
    p = audit_verify_probs(s, NULL);
    assert_int_equal(p.n, 1);
    assert_int_equal(p.p[0].seq, 2);
    assert_string_equal(p.p[0].kind, "account_def");
}

/* A database from before the audit trail (its entries and the genesis mark
 * taken away, as docs/audit.md says): the next open chains each record as
 * it is, actor "genesis", once; the rows themselves are not touched. */
static void test_audit_genesis(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_error err = {0};
    struct rd_decision_row d1 = make_decision("acct-A", "r1", 0);
    struct rd_decision_row d2 = make_decision("acct-A", "r2", 1);
    struct audit_seen a;

    add_rec(s, "r1", NOW);
    add_rec(s, "r2", NOW);
    assert_int_equal(s->ops->trading->decision_add(s, &d1, &err), RD_OK);
    assert_int_equal(s->ops->trading->decision_add(s, &d2, &err), RD_OK);
    ct_sql_exec(f, "INSERT INTO accounts (name, tier, state, halted_until, state_reason, "
                   "updated_at) VALUES ('acct-A', 'large', 'ACTIVE', 0, '', 0)");
    ct_sql_exec(f, "DELETE FROM audit_packs; DELETE FROM kv WHERE ns = 'audit'");
    rd_store_close(s);
    assert_int_equal(rd_store_open(f->url, &f->s, &err), RD_OK);
    s = f->s;
    a = audit_chain_of(s, "account:acct-A");
    assert_int_equal(a.n, 2);
    assert_string_equal(a.e[0].actor, "genesis");
    assert_string_equal(a.e[1].actor, "genesis");
    assert_int_equal(audit_verify_probs(s, NULL).n, 0);
    /* once only */
    rd_store_close(s);
    assert_int_equal(rd_store_open(f->url, &f->s, &err), RD_OK);
    assert_int_equal(audit_chain_of(f->s, "account:acct-A").n, 2);
}

/* A batch's answers written at once (rd_store_order_update_many,
 * rd_store_position_put_many): each order as order_update leaves it, each
 * noted as stored; a missing order named; repeats refused; positions kept,
 * replaced and deleted; more than one statement's worth of orders. */
static void test_orders_positions_many(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_error err = {0};
    struct rd_order_row u[3], bad[2], got, *big;
    struct rd_position_row p[3];
    struct collect c = {0};
    struct audit_seen a;
    enum { NBIG = 1003 };
    char coid[32];

    for (int i = 0; i < 3; i++) {
        snprintf(coid, sizeof coid, "many-%d", i);
        u[i] = make_order(coid, "acct-A", "AAPL", RD_INTENT_ENTRY, RD_ORDER_PENDING, NOW + i);
        assert_int_equal(s->ops->trading->order_add(s, &u[i], &err), RD_OK);
    }
    add_order(s, "other-1", "acct-B", "AAPL", RD_INTENT_ENTRY, RD_ORDER_PENDING, NOW);
    u[0].status = RD_ORDER_FILLED;
    u[0].filled_qty = 7;
    u[0].fill_price = 41300;
    snprintf(u[0].broker_order_id, sizeof u[0].broker_order_id, "b-\"1\"");
    u[1].status = RD_ORDER_REJECTED;
    snprintf(u[1].reason, sizeof u[1].reason, "no {buying} power, \\ \"x\"");
    u[2].status = RD_ORDER_ACCEPTED;
    for (int i = 0; i < 3; i++)
        u[i].updated_at = NOW + 60 + i;
    u[2].ref_price += 1;          /* not written: the entry notes the stored row */
    assert_int_equal(rd_store_order_update_many(s, u, 3, &err), RD_OK);
    u[2].ref_price -= 1;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(s->ops->trading->order_get(s, u[i].client_order_id, &got, &err), RD_OK);
        eq_order(&got, &u[i]);
    }
    a = audit_chain_of(s, "account:acct-A");
    assert_int_equal(a.n, 6);     /* three orders, then their three changes in order */
    assert_string_equal(a.e[3].subject, "many-0");
    assert_string_equal(a.e[5].subject, "many-2");
    assert_int_equal(audit_verify_probs(s, "acct-A").n, 0);

    /* an order of another account is not found, by name; the caller rolls back */
    bad[0] = u[0];
    bad[0].status = RD_ORDER_CANCELED;
    bad[1] = make_order("other-1", "acct-A", "AAPL", RD_INTENT_ENTRY, RD_ORDER_FILLED, NOW);
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    assert_int_equal(rd_store_order_update_many(s, bad, 2, &err), RD_ENOTFOUND);
    assert_non_null(strstr(err.msg, "\"other-1\""));
    s->ops->rollback(s);
    assert_int_equal(s->ops->trading->order_get(s, "many-0", &got, &err), RD_OK);
    assert_int_equal(got.status, RD_ORDER_FILLED);
    assert_int_equal(s->ops->trading->order_get(s, "other-1", &got, &err), RD_OK);
    assert_int_equal(got.status, RD_ORDER_PENDING);
    bad[1] = u[0];
    assert_int_equal(rd_store_order_update_many(s, bad, 2, &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "\"many-0\" is rows 0 and 1"));
    assert_int_equal(audit_chain_of(s, "account:acct-A").n, 6);

    /* positions: two kept, one deleted; then replaced and deleted */
    memset(p, 0, sizeof p);
    for (int i = 0; i < 3; i++) {
        const char *sym = i == 0 ? "AAPL" : i == 1 ? "TSLA" : "MSFT";

        snprintf(p[i].account, sizeof p[i].account, "acct-A");
        snprintf(p[i].symbol, sizeof p[i].symbol, "%s", sym);
        snprintf(p[i].underlying, sizeof p[i].underlying, "%s", sym);
        p[i].strategy = i ? RD_STRAT_SWING : RD_STRAT_DAY;
        p[i].qty = 5 - 4 * i;
        p[i].multiplier = 100;
        p[i].avg_price = 12345 + i;
        p[i].opened_at = NOW - i;
    }
    snprintf(p[1].rec_id, sizeof p[1].rec_id, "r-\"9\"");
    assert_int_equal(s->ops->trading->position_put(s, &p[2], &err), RD_OK);
    p[2].qty = 0;
    assert_int_equal(rd_store_position_put_many(s, p, 3, &err), RD_OK);
    assert_int_equal(s->ops->trading->position_list(s, "acct-A", visit_position, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);
    eq_position(&c.pos[0], &p[0]);
    eq_position(&c.pos[1], &p[1]);
    p[0].qty = 0;
    p[1].qty = 9;
    p[1].avg_price = 1;
    assert_int_equal(rd_store_position_put_many(s, p, 2, &err), RD_OK);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->trading->position_list(s, "acct-A", visit_position, &c, &err), RD_OK);
    assert_int_equal(c.n, 1);
    eq_position(&c.pos[0], &p[1]);
    p[0] = p[1];
    assert_int_equal(rd_store_position_put_many(s, p, 2, &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "\"TSLA\" of account \"acct-A\" is rows 0 and 1"));
    assert_int_equal(rd_store_position_put_many(s, p, 0, &err), RD_OK);

    /* more orders than one statement takes */
    big = calloc(NBIG, sizeof *big);
    assert_non_null(big);
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    for (int i = 0; i < NBIG; i++) {
        snprintf(coid, sizeof coid, "big-%d", i);
        big[i] = make_order(coid, "acct-C", "SPY", RD_INTENT_ENTRY, RD_ORDER_PENDING, NOW);
        assert_int_equal(s->ops->trading->order_add(s, &big[i], &err), RD_OK);
        big[i].status = RD_ORDER_FILLED;
        big[i].filled_qty = i;
    }
    assert_int_equal(rd_store_order_update_many(s, big, NBIG, &err), RD_OK);
    assert_int_equal(s->ops->commit(s, &err), RD_OK);
    assert_int_equal(s->ops->trading->order_get(s, "big-1002", &got, &err), RD_OK);
    assert_int_equal(got.filled_qty, 1002);
    assert_int_equal(got.status, RD_ORDER_FILLED);
    assert_int_equal(s->ops->trading->order_get(s, "big-999", &got, &err), RD_OK);
    assert_int_equal(got.filled_qty, 999);
    assert_int_equal(audit_verify_probs(s, "acct-C").n, 0);
    free(big);
}

/* A commit with more entries on a chain than a row holds writes several
 * rows (docs/audit.md, "Storage"): here 1,001 events, rows of 1,000 and 1;
 * the chain reads back whole and verifies, and without its last row it
 * holds exactly the first 1,000. */
static int count_audit_entry(void *ctx, const struct rd_audit_entry *e)
{
    (void)e;
    (*(int *)ctx)++;
    return 0;
}

static void test_audit_rows_bounded(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_error err = {0};
    static struct rd_admin_event_row e;
    int n = 0;

    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    for (int i = 0; i < RD_AUDIT_PACK_MAX + 1; i++) {
        memset(&e, 0, sizeof e);
        snprintf(e.account, sizeof e.account, "acct-A");
        snprintf(e.kind, sizeof e.kind, "limits");
        snprintf(e.detail, sizeof e.detail, "{\"n\": %d}", i);
        e.at = NOW;
        assert_int_equal(rd_store_admin_event_add(s, &e, &err), RD_OK);
    }
    assert_int_equal(s->ops->commit(s, &err), RD_OK);
    assert_int_equal(s->ops->audit->list(s, "account:acct-A", 1, count_audit_entry, &n, &err),
                     RD_OK);
    assert_int_equal(n, RD_AUDIT_PACK_MAX + 1);
    assert_int_equal(audit_verify_probs(s, NULL).n, 0);
    ct_sql_exec(f, "DELETE FROM audit_packs WHERE last_seq = 1001");
    n = 0;
    assert_int_equal(s->ops->audit->list(s, "account:acct-A", 1, count_audit_entry, &n, &err),
                     RD_OK);
    assert_int_equal(n, RD_AUDIT_PACK_MAX);
}

#endif
