/*
 * store_contract_api.h - the storage contract on the HTTP API's operations
 * (version 2): tokens, users, assignment history, API-made accounts, and the
 * read-side queries (recommendation filters, one decision, counts).
 *
 * Part of the contract in store_contract.h, which includes it after the
 * fixture, rows and visitors it uses; not included on its own.
 */
#ifndef RISKDESK_TESTS_STORE_CONTRACT_API_H
#define RISKDESK_TESTS_STORE_CONTRACT_API_H

#include <stdlib.h>

struct collect2 {
    int n;
    struct rd_token_row tok[4];
    struct rd_user_row usr[4];
    struct rd_assignment_row asg[8];
    char names[4][64];
    struct rd_rec rec[8];
    int64_t counts[RD_GATE_COUNT + 1][2];
    int64_t status[RD_ORDER_STATUS_COUNT];
};

static int visit_token(void *ctx, const struct rd_token_row *t)
{
    struct collect2 *c = ctx;

    if (c->n < 4)
        c->tok[c->n] = *t;
    c->n++;
    return 0;
}

static int visit_user(void *ctx, const struct rd_user_row *u)
{
    struct collect2 *c = ctx;

    if (c->n < 4)
        c->usr[c->n] = *u;
    c->n++;
    return 0;
}

static int visit_assignment(void *ctx, const struct rd_assignment_row *a)
{
    struct collect2 *c = ctx;

    if (c->n < 8)
        c->asg[c->n] = *a;
    c->n++;
    return 0;
}

static int visit_def(void *ctx, const struct rd_account_def_row *a)
{
    struct collect2 *c = ctx;

    if (c->n < 4)
        snprintf(c->names[c->n], sizeof c->names[0], "%s%s", a->name, a->closed_at ? "(closed)" : "");
    c->n++;
    return 0;
}

static int visit_rec2(void *ctx, const struct rd_rec *r)
{
    struct collect2 *c = ctx;

    if (c->n < 8)
        c->rec[c->n] = *r;
    c->n++;
    return 0;
}

static int visit_dcount(void *ctx, int approved, enum rd_gate first_failed, int64_t n)
{
    struct collect2 *c = ctx;

    c->counts[first_failed][approved ? 1 : 0] += n;
    c->n++;
    return 0;
}

static int visit_ocount(void *ctx, enum rd_order_status st, int64_t n)
{
    struct collect2 *c = ctx;

    c->status[st] += n;
    c->n++;
    return 0;
}

static void test_api_tokens_users(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_token_row t, got;
    struct rd_user_row u, ug;
    struct rd_assignment_row a;
    struct collect2 c;
    struct rd_error err = {0};
    int64_t first;

    assert_true(s->ops->version >= 3 && s->ops->api && s->ops->api->version >= 1);
    memset(&t, 0, sizeof t);
    memset(t.hash, 'a', 64);
    snprintf(t.prefix, sizeof t.prefix, "rdk_aaaa");
    snprintf(t.role, sizeof t.role, "admin");
    snprintf(t.user, sizeof t.user, "alice");
    snprintf(t.label, sizeof t.label, "laptop");
    t.created_at = NOW;
    assert_int_equal(s->ops->api->token_add(s, &t, &err), RD_OK);
    assert_true(t.id > 0);
    first = t.id;
    assert_int_equal(s->ops->api->token_add(s, &t, &err), RD_EEXIST);
    memset(t.hash, 'b', 64);
    snprintf(t.role, sizeof t.role, "viewer");
    assert_int_equal(s->ops->api->token_add(s, &t, &err), RD_OK);
    assert_true(t.id > first);
    assert_int_equal(s->ops->api->token_find(s, t.hash, &got, &err), RD_OK);
    assert_true(got.id == t.id);
    assert_string_equal(got.role, "viewer");
    assert_string_equal(got.label, "laptop");
    assert_int_equal(s->ops->api->token_find(s, "nope", &got, &err), RD_ENOTFOUND);
    assert_int_equal(s->ops->api->token_revoke(s, first, NOW + 5, &err), RD_OK);
    assert_int_equal(s->ops->api->token_revoke(s, first, NOW + 9, &err), RD_OK);   /* keeps the first */
    assert_int_equal(s->ops->api->token_revoke(s, 999999, NOW, &err), RD_ENOTFOUND);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->api->token_list(s, visit_token, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);
    assert_true(c.tok[0].id == first && c.tok[0].revoked_at == NOW + 5);
    assert_true(c.tok[1].revoked_at == 0);

    memset(&u, 0, sizeof u);
    snprintf(u.id, sizeof u.id, "bob");
    snprintf(u.display_name, sizeof u.display_name, "Bob B.");
    snprintf(u.department, sizeof u.department, "options");
    u.created_at = u.updated_at = NOW;
    assert_int_equal(s->ops->api->user_put(s, &u, 1, &err), RD_OK);
    assert_int_equal(s->ops->api->user_put(s, &u, 1, &err), RD_EEXIST);
    snprintf(u.display_name, sizeof u.display_name, "Robert");
    snprintf(u.account, sizeof u.account, "ignored");   /* only assignment_add sets it */
    assert_int_equal(s->ops->api->user_put(s, &u, 0, &err), RD_OK);
    snprintf(u.id, sizeof u.id, "amy");
    assert_int_equal(s->ops->api->user_put(s, &u, 0, &err), RD_OK);
    assert_int_equal(s->ops->api->user_get(s, "bob", &ug, &err), RD_OK);
    assert_string_equal(ug.display_name, "Robert");
    assert_string_equal(ug.account, "");
    assert_int_equal(s->ops->api->user_get(s, "nobody", &ug, &err), RD_ENOTFOUND);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->api->user_list(s, visit_user, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.usr[0].id, "amy");

    /* assignments: history newest first, the user's account follows */
    memset(&a, 0, sizeof a);
    snprintf(a.user, sizeof a.user, "bob");
    snprintf(a.account, sizeof a.account, "acct-A");
    snprintf(a.strategy, sizeof a.strategy, "manual");
    snprintf(a.assigned_by, sizeof a.assigned_by, "alice");
    a.at = NOW;
    assert_int_equal(s->ops->api->assignment_add(s, &a, &err), RD_OK);
    assert_true(a.id > 0);
    snprintf(a.account, sizeof a.account, "acct-B");
    a.at = NOW + 1;
    assert_int_equal(s->ops->api->assignment_add(s, &a, &err), RD_OK);
    assert_string_equal(a.previous, "acct-A");
    assert_int_equal(s->ops->api->user_get(s, "bob", &ug, &err), RD_OK);
    assert_string_equal(ug.account, "acct-B");
    a.account[0] = '\0';
    a.at = NOW + 2;
    assert_int_equal(s->ops->api->assignment_add(s, &a, &err), RD_OK);
    assert_int_equal(s->ops->api->user_get(s, "bob", &ug, &err), RD_OK);
    assert_string_equal(ug.account, "");
    snprintf(a.user, sizeof a.user, "ghost");
    assert_int_equal(s->ops->api->assignment_add(s, &a, &err), RD_ENOTFOUND);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->api->assignment_list(s, "bob", NULL, 0, visit_assignment, &c, &err), RD_OK);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.asg[0].previous, "acct-B");
    assert_string_equal(c.asg[0].account, "");
    assert_string_equal(c.asg[2].account, "acct-A");
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->api->assignment_list(s, NULL, "acct-B", 0, visit_assignment, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);   /* to B, and away from B */
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->api->assignment_list(s, NULL, NULL, 1, visit_assignment, &c, &err), RD_OK);
    assert_int_equal(c.n, 1);
}

static void test_api_defs_and_reads(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_account_def_row *d = calloc(1, sizeof *d);
    struct rd_decision_row dr = make_decision("A", "r1", 0), got;
    struct rd_rec_filter flt;
    struct collect2 c;
    struct rd_error err = {0};

    snprintf(d->name, sizeof d->name, "zeta");
    snprintf(d->def, sizeof d->def, "{\"name\": \"zeta\"}");
    d->created_at = d->updated_at = NOW;
    assert_int_equal(s->ops->api->account_def_put(s, d, 1, &err), RD_OK);
    assert_int_equal(s->ops->api->account_def_put(s, d, 1, &err), RD_EEXIST);
    d->closed_at = NOW + 1;
    snprintf(d->closed_by, sizeof d->closed_by, "alice");
    assert_int_equal(s->ops->api->account_def_put(s, d, 0, &err), RD_OK);
    snprintf(d->name, sizeof d->name, "alpha");
    memset(d->def, 'x', sizeof d->def);   /* a full field, no NUL */
    d->closed_at = 0;
    assert_int_equal(s->ops->api->account_def_put(s, d, 1, &err), RD_OK);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->api->account_def_list(s, visit_def, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.names[0], "alpha");
    assert_string_equal(c.names[1], "zeta(closed)");
    /* version 2: one by name, every field */
    assert_true(s->ops->api->version >= 2);
    memset(d, 0, sizeof *d);
    assert_int_equal(s->ops->api->account_def_get(s, "zeta", d, &err), RD_OK);
    assert_string_equal(d->name, "zeta");
    assert_string_equal(d->def, "{\"name\": \"zeta\"}");
    assert_int_equal(d->created_at, NOW);
    assert_int_equal(d->updated_at, NOW);
    assert_int_equal(d->closed_at, NOW + 1);
    assert_string_equal(d->closed_by, "alice");
    assert_int_equal(s->ops->api->account_def_get(s, "alpha", d, &err), RD_OK);
    assert_int_equal(d->closed_at, 0);
    assert_int_equal(strnlen(d->def, sizeof d->def), sizeof d->def - 1);   /* cut to fit */
    assert_int_equal(s->ops->api->account_def_get(s, "nobody", d, &err), RD_ENOTFOUND);
    assert_non_null(strstr(err.msg, "nobody"));
    free(d);

    add_rec(s, "r1", NOW - 30);
    add_rec(s, "r2", NOW - 20);
    add_rec(s, "r3", NOW - 10);
    memset(&flt, 0, sizeof flt);
    flt.action = -1;
    flt.strategy = -1;
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->api->rec_list(s, &flt, visit_rec2, &c, &err), RD_OK);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.rec[0].id, "r3");   /* newest first */
    flt.since = NOW - 20;
    flt.until = NOW - 10;                     /* [since, until) */
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->api->rec_list(s, &flt, visit_rec2, &c, &err), RD_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.rec[0].id, "r2");
    memset(&flt, 0, sizeof flt);
    flt.action = RD_ACT_BUY_PUT;
    flt.strategy = -1;
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->api->rec_list(s, &flt, visit_rec2, &c, &err), RD_OK);
    assert_int_equal(c.n, 0);
    flt.action = -1;
    flt.underlying = "AAPL";
    flt.limit = 2;
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->api->rec_list(s, &flt, visit_rec2, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);
    /* visible_to: the broadcast ones and that account's only */
    add_rec_for(s, "r4", NOW - 5, "B");
    add_rec_for(s, "r5", NOW - 4, "C");
    memset(&flt, 0, sizeof flt);
    flt.action = -1;
    flt.strategy = -1;
    flt.visible_to = "B";
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->api->rec_list(s, &flt, visit_rec2, &c, &err), RD_OK);
    assert_int_equal(c.n, 4);
    assert_string_equal(c.rec[0].id, "r4");
    assert_string_equal(c.rec[1].id, "r3");
    flt.visible_to = "";
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->api->rec_list(s, &flt, visit_rec2, &c, &err), RD_OK);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.rec[0].id, "r3");
    flt.visible_to = NULL;
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->api->rec_list(s, &flt, visit_rec2, &c, &err), RD_OK);
    assert_int_equal(c.n, 5);

    assert_int_equal(s->ops->trading->decision_add(s, &dr, &err), RD_OK);
    assert_int_equal(s->ops->api->decision_get(s, dr.id, &got, &err), RD_OK);
    eq_decision(&got, &dr);
    assert_int_equal(s->ops->api->decision_get(s, dr.id + 1000, &got, &err), RD_ENOTFOUND);
    dr = make_decision("A", "r2", 1);
    assert_int_equal(s->ops->trading->decision_add(s, &dr, &err), RD_OK);
    dr = make_decision("A", "r3", 1);
    assert_int_equal(s->ops->trading->decision_add(s, &dr, &err), RD_OK);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->api->decision_counts(s, "A", visit_dcount, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);
    assert_true(c.counts[RD_GATE_COUNT][1] == 2);
    assert_true(c.counts[RD_GATE_BUYING_POWER][0] == 1);

    add_order(s, "o1", "A", "AAPL", RD_INTENT_ENTRY, RD_ORDER_FILLED, NOW);
    add_order(s, "o2", "A", "AAPL", RD_INTENT_ENTRY, RD_ORDER_FILLED, NOW);
    add_order(s, "o3", "A", "AAPL", RD_INTENT_EXIT, RD_ORDER_PENDING, NOW);
    add_order(s, "o4", "B", "AAPL", RD_INTENT_EXIT, RD_ORDER_PENDING, NOW);
    memset(&c, 0, sizeof c);
    assert_int_equal(s->ops->api->order_counts(s, "A", visit_ocount, &c, &err), RD_OK);
    assert_int_equal(c.n, 2);
    assert_true(c.status[RD_ORDER_FILLED] == 2 && c.status[RD_ORDER_PENDING] == 1);
}

#endif
