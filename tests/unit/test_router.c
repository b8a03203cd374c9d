/* test_router.c - the route table, path matching, roles and tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/api_int.h"

static enum api_match m(const char *method, const char *path, const struct api_route **rt,
                        struct api_params *p, char *allow)
{
    size_t idx;

    return api_route_match(method, path, rt, &idx, p, allow, 64);
}

static void test_every_route_matches_itself(void **state)
{
    (void)state;
    assert_int_equal(api_route_total(), rd_api_route_count());
    for (size_t i = 0; i < api_route_total(); i++) {
        const struct api_route *want = api_route_at(i), *got = NULL;
        struct api_params p;
        char path[256], allow[64];
        const char *s = want->pattern;
        size_t o = 0;

        /* the pattern with each {param} filled in */
        while (*s && o < sizeof path - 8) {
            if (*s == '{') {
                memcpy(path + o, "x-1", 3);
                o += 3;
                s = strchr(s, '}') + 1;
            } else {
                path[o++] = *s++;
            }
        }
        path[o] = '\0';
        assert_int_equal(m(want->method, path, &got, &p, allow), API_MATCH);
        assert_ptr_equal(got, want);
        assert_non_null(want->handler);
        if (strchr(want->pattern, '{'))
            assert_string_equal(p.values[0], "x-1");
        /* no two routes share a method and a pattern */
        for (size_t k = i + 1; k < api_route_total(); k++)
            assert_false(!strcmp(api_route_at(k)->method, want->method) &&
                         !strcmp(api_route_at(k)->pattern, want->pattern));
        /* everything but the three probes needs a token */
        if (strncmp(want->pattern, "/api/", 5) == 0)
            assert_true(want->min_role >= RD_ROLE_VIEWER);
    }
}

static void test_params_and_literals(void **state)
{
    const struct api_route *rt = NULL;
    struct api_params p;
    char allow[64];
    struct api_req r;

    (void)state;
    assert_int_equal(m("GET", "/api/v1/accounts/large/orders", &rt, &p, allow), API_MATCH);
    assert_string_equal(rt->pattern, "/api/v1/accounts/{id}/orders");
    memset(&r, 0, sizeof r);
    r.params = p;
    assert_string_equal(api_param(&r, "id"), "large");
    assert_null(api_param(&r, "name"));
    /* a literal segment beats a parameter */
    assert_int_equal(m("GET", "/api/v1/assignments/stats", &rt, &p, allow), API_MATCH);
    assert_string_equal(rt->pattern, "/api/v1/assignments/stats");
}

static void test_not_found_and_method(void **state)
{
    const struct api_route *rt = NULL;
    struct api_params p;
    char allow[64], longseg[300];

    (void)state;
    assert_int_equal(m("GET", "/api/v1/nothing", &rt, &p, allow), API_NO_PATH);
    assert_int_equal(m("GET", "/api/v1/accounts/", &rt, &p, allow), API_NO_PATH);
    assert_int_equal(m("GET", "/api/v1//accounts", &rt, &p, allow), API_NO_PATH);
    assert_int_equal(m("GET", "", &rt, &p, allow), API_NO_PATH);
    assert_int_equal(m("GET", "api/v1/accounts", &rt, &p, allow), API_NO_PATH);
    assert_int_equal(m("GET", "/api/v1/accounts/a/b/c", &rt, &p, allow), API_NO_PATH);
    memset(longseg, 'a', sizeof longseg);
    memcpy(longseg, "/api/v1/accounts/", 17);
    longseg[sizeof longseg - 1] = '\0';
    assert_int_equal(m("GET", longseg, &rt, &p, allow), API_NO_PATH);
    assert_int_equal(m("PUT", "/api/v1/accounts", &rt, &p, allow), API_NO_METHOD);
    assert_string_equal(allow, "GET, POST");
    assert_int_equal(m("POST", "/api/v1/accounts/large", &rt, &p, allow), API_NO_METHOD);
    assert_string_equal(allow, "GET, PATCH, DELETE");
    assert_int_equal(m("get", "/healthz", &rt, &p, allow), API_NO_METHOD);
    assert_string_equal(allow, "GET");
}

static void test_roles(void **state)
{
    enum rd_api_role r;
    struct rd_error err = {0};

    (void)state;
    assert_int_equal(rd_api_role_parse("admin", &r, &err), RD_OK);
    assert_int_equal(r, RD_ROLE_ADMIN);
    assert_int_equal(rd_api_role_parse("viewer", &r, &err), RD_OK);
    assert_int_equal(rd_api_role_parse("trader", &r, &err), RD_OK);
    assert_int_equal(r, RD_ROLE_TRADER);
    assert_int_equal(rd_api_role_parse("public", &r, &err), RD_EINVAL);
    assert_int_equal(rd_api_role_parse("Admin", &r, &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "admin, trader or viewer"));
    assert_true(RD_ROLE_VIEWER < RD_ROLE_TRADER && RD_ROLE_TRADER < RD_ROLE_ADMIN);
}

static void test_tokens(void **state)
{
    char t1[RD_API_TOKEN_MAX], t2[RD_API_TOKEN_MAX], h1[RD_API_HASH_MAX], h2[RD_API_HASH_MAX];
    char p1[RD_API_TOKEN_PREFIX_LEN + 1], p2[RD_API_TOKEN_PREFIX_LEN + 1], h[RD_API_HASH_MAX];
    struct rd_error err = {0};

    (void)state;
    /* FIPS 180-2 test vector */
    rd_api_token_hash("abc", 3, h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(rd_api_token_new(t1, h1, p1, &err), RD_OK);
    assert_int_equal(rd_api_token_new(t2, h2, p2, &err), RD_OK);
    assert_int_equal(strlen(t1), 4 + 43);
    assert_memory_equal(t1, "rdk_", 4);
    assert_int_equal(strspn(t1 + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                     43);
    assert_string_not_equal(t1, t2);
    rd_api_token_hash(t1, strlen(t1), h);
    assert_string_equal(h, h1);
    assert_int_equal(strlen(p1), RD_API_TOKEN_PREFIX_LEN);
    assert_memory_equal(p1, t1, RD_API_TOKEN_PREFIX_LEN);
}

static void test_json_strings(void **state)
{
    struct rd_buf b;

    (void)state;
    rd_buf_init(&b, 1024);
    api_json_str(&b, "a\"b\\c\n\x01\x7f" "d");
    assert_string_equal(rd_buf_str(&b), "\"a\\\"b\\\\c\\u000a\\u0001\\u007fd\"");
    rd_buf_reset(&b);
    api_json_strn(&b, "abcdef", 3);
    assert_string_equal(rd_buf_str(&b), "\"abc\"");
    rd_buf_release(&b);
    assert_true(api_valid_name("bob@desk.example"));
    assert_false(api_valid_name(""));
    assert_false(api_valid_name("a b"));
    assert_false(api_valid_name("0123456789012345678901234567890123456789012345678901234567890123"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_route_matches_itself),
        cmocka_unit_test(test_params_and_literals),
        cmocka_unit_test(test_not_found_and_method),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_json_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
