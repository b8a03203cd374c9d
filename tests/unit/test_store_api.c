/* test_store_api.c - the store's version 2 operations (the HTTP API's) on SQLite. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "riskdesk/store.h"

static int count_tokens(void *ctx, const struct rd_token_row *t)
{
    (void)t;
    (*(int *)ctx)++;
    return 0;
}

static int collect_assign(void *ctx, const struct rd_assignment_row *a)
{
    char *out = ctx;
    size_t n = strlen(out);

    snprintf(out + n, 256 - n, "%s:%s<%s;", a->user, a->account, a->previous);
    return 0;
}

static int count_defs(void *ctx, const struct rd_account_def_row *a)
{
    (void)a;
    (*(int *)ctx)++;
    return 0;
}

static int collect_recs(void *ctx, const struct rd_rec *r)
{
    char *out = ctx;
    size_t n = strlen(out);

    snprintf(out + n, 256 - n, "%s;", r->id);
    return 0;
}

static void add_rec(struct rd_store *s, const char *id, int64_t at, const char *und,
                    enum rd_action act)
{
    struct rd_rec r;
    struct rd_error err = {0};

    memset(&r, 0, sizeof r);
    snprintf(r.id, sizeof r.id, "%s", id);
    r.created_at = at;
    snprintf(r.underlying, sizeof r.underlying, "%s", und);
    snprintf(r.symbol, sizeof r.symbol, "%s", und);
    r.action = act;
    r.strategy = RD_STRAT_SWING;
    r.confidence = 800000;
    r.volume_ratio = 3000000;
    r.price = 10000;
    assert_int_equal(s->ops->trading->rec_add(s, &r, &err), RD_OK);
}

static void test_api_ops(void **state)
{
    struct rd_store *s = NULL;
    struct rd_error err = {0};
    struct rd_token_row t, t2;
    struct rd_user_row u, u2;
    struct rd_assignment_row a;
    static struct rd_account_def_row d;
    struct rd_decision_row row;
    struct rd_rec_filter f;
    char seen[256] = "";
    int n = 0;

    (void)state;
    assert_int_equal(rd_store_open("sqlite::memory:", &s, &err), RD_OK);
    assert_int_equal(s->ops->version, 7);
    assert_int_equal(s->ops->api->version, 2);

    /* tokens */
    memset(&t, 0, sizeof t);
    snprintf(t.hash, sizeof t.hash, "%064d", 1);
    snprintf(t.role, sizeof t.role, "admin");
    snprintf(t.user, sizeof t.user, "alice");
    t.created_at = 100;
    assert_int_equal(s->ops->api->token_add(s, &t, &err), RD_OK);
    assert_true(t.id > 0);
    assert_int_equal(s->ops->api->token_add(s, &t, &err), RD_EEXIST);
    assert_int_equal(s->ops->api->token_find(s, t.hash, &t2, &err), RD_OK);
    assert_string_equal(t2.user, "alice");
    assert_int_equal(t2.revoked_at, 0);
    assert_int_equal(s->ops->api->token_find(s, "nope", &t2, &err), RD_ENOTFOUND);
    assert_int_equal(s->ops->api->token_revoke(s, t.id, 200, &err), RD_OK);
    assert_int_equal(s->ops->api->token_revoke(s, t.id, 300, &err), RD_OK);
    assert_int_equal(s->ops->api->token_find(s, t.hash, &t2, &err), RD_OK);
    assert_int_equal(t2.revoked_at, 200);   /* the first revoke's time stays */
    assert_int_equal(s->ops->api->token_revoke(s, 999, 1, &err), RD_ENOTFOUND);
    assert_int_equal(s->ops->api->token_list(s, count_tokens, &n, &err), RD_OK);
    assert_int_equal(n, 1);

    /* users and assignments */
    memset(&u, 0, sizeof u);
    snprintf(u.id, sizeof u.id, "bob");
    snprintf(u.display_name, sizeof u.display_name, "Bob");
    assert_int_equal(s->ops->api->user_put(s, &u, 1, &err), RD_OK);
    assert_int_equal(s->ops->api->user_put(s, &u, 1, &err), RD_EEXIST);
    memset(&a, 0, sizeof a);
    snprintf(a.user, sizeof a.user, "bob");
    snprintf(a.account, sizeof a.account, "tiny");
    snprintf(a.strategy, sizeof a.strategy, "manual");
    a.at = 10;
    assert_int_equal(s->ops->api->assignment_add(s, &a, &err), RD_OK);
    snprintf(a.account, sizeof a.account, "large");
    assert_int_equal(s->ops->api->assignment_add(s, &a, &err), RD_OK);
    assert_string_equal(a.previous, "tiny");
    snprintf(u.display_name, sizeof u.display_name, "Robert");
    assert_int_equal(s->ops->api->user_put(s, &u, 0, &err), RD_OK);   /* keeps the account */
    assert_int_equal(s->ops->api->user_get(s, "bob", &u2, &err), RD_OK);
    assert_string_equal(u2.account, "large");
    assert_string_equal(u2.display_name, "Robert");
    assert_int_equal(s->ops->api->user_get(s, "zed", &u2, &err), RD_ENOTFOUND);
    snprintf(a.user, sizeof a.user, "zed");
    assert_int_equal(s->ops->api->assignment_add(s, &a, &err), RD_ENOTFOUND);
    assert_int_equal(s->ops->api->assignment_list(s, NULL, NULL, 0, collect_assign, seen, &err), RD_OK);
    assert_string_equal(seen, "bob:large<tiny;bob:tiny<;");
    seen[0] = '\0';
    assert_int_equal(s->ops->api->assignment_list(s, NULL, "tiny", 1, collect_assign, seen, &err), RD_OK);
    assert_string_equal(seen, "bob:large<tiny;");

    /* account definitions */
    memset(&d, 0, sizeof d);
    snprintf(d.name, sizeof d.name, "fresh");
    snprintf(d.def, sizeof d.def, "{\"name\":\"fresh\"}");
    assert_int_equal(s->ops->api->account_def_put(s, &d, 1, &err), RD_OK);
    assert_int_equal(s->ops->api->account_def_put(s, &d, 1, &err), RD_EEXIST);
    d.closed_at = 5;
    assert_int_equal(s->ops->api->account_def_put(s, &d, 0, &err), RD_OK);
    n = 0;
    assert_int_equal(s->ops->api->account_def_list(s, count_defs, &n, &err), RD_OK);
    assert_int_equal(n, 1);

    /* recommendations by filter, newest first */
    add_rec(s, "r1", 100, "AAPL", RD_ACT_BUY_STOCK);
    add_rec(s, "r2", 200, "MSFT", RD_ACT_BUY_STOCK);
    add_rec(s, "r3", 300, "AAPL", RD_ACT_SELL_STOCK);
    memset(&f, 0, sizeof f);
    f.action = f.strategy = -1;
    seen[0] = '\0';
    assert_int_equal(s->ops->api->rec_list(s, &f, collect_recs, seen, &err), RD_OK);
    assert_string_equal(seen, "r3;r2;r1;");
    f.underlying = "AAPL";
    f.action = RD_ACT_BUY_STOCK;
    seen[0] = '\0';
    assert_int_equal(s->ops->api->rec_list(s, &f, collect_recs, seen, &err), RD_OK);
    assert_string_equal(seen, "r1;");
    memset(&f, 0, sizeof f);
    f.action = f.strategy = -1;
    f.since = 200;
    f.until = 300;
    f.limit = 5;
    seen[0] = '\0';
    assert_int_equal(s->ops->api->rec_list(s, &f, collect_recs, seen, &err), RD_OK);
    assert_string_equal(seen, "r2;");

    assert_int_equal(s->ops->api->decision_get(s, 1, &row, &err), RD_ENOTFOUND);
    rd_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api_ops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
