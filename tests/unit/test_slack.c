/* test_slack.c - Slack's form decoder and request signature (routes_slack.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/slack_int.h"

/* Slack's documented example (docs/slack.md; PROTOCOLS.md 2.2). */
static const char secret[] = "8f742231b10e8888abcd99yyyzzz85a5";
static const char ts[] = "1531420618";
static const char sig[] = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
static const char body[] =
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id="
    "G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-"
    "collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F39770088"
    "5554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447f"
    "ce8b6703c";

static void test_signature(void **state)
{
    const int64_t now = 1531420618;
    char bad[sizeof sig];

    (void)state;
    assert_int_equal(api_slack_verify(secret, ts, sig, body, strlen(body), now), API_SLACK_OK);
    assert_int_equal(api_slack_verify(secret, ts, sig, body, strlen(body), now + 300), API_SLACK_OK);
    assert_int_equal(api_slack_verify(secret, ts, sig, body, strlen(body), now - 300), API_SLACK_OK);
    assert_int_equal(api_slack_verify(secret, ts, sig, body, strlen(body), now + 301),
                     API_SLACK_STALE);
    assert_int_equal(api_slack_verify(secret, ts, sig, body, strlen(body), now - 301),
                     API_SLACK_STALE);
    /* one bit of the body, the secret, the signature */
    assert_int_equal(api_slack_verify(secret, ts, sig, body, strlen(body) - 1, now),
                     API_SLACK_BAD_SIGNATURE);
    assert_int_equal(api_slack_verify("8f742231b10e8888abcd99yyyzzz85a6", ts, sig, body,
                                      strlen(body), now),
                     API_SLACK_BAD_SIGNATURE);
    memcpy(bad, sig, sizeof sig);
    bad[sizeof sig - 2] = '4';
    assert_int_equal(api_slack_verify(secret, ts, bad, body, strlen(body), now),
                     API_SLACK_BAD_SIGNATURE);
    assert_int_equal(api_slack_verify(secret, ts, "v0=abc", body, strlen(body), now),
                     API_SLACK_BAD_SIGNATURE);
    assert_int_equal(api_slack_verify(secret, ts, sig + 3, body, strlen(body), now),
                     API_SLACK_BAD_SIGNATURE);
    /* the timestamp is part of what is signed */
    assert_int_equal(api_slack_verify(secret, "1531420619", sig, body, strlen(body), now),
                     API_SLACK_BAD_SIGNATURE);
    /* missing or malformed headers, no secret */
    assert_int_equal(api_slack_verify(secret, NULL, sig, body, strlen(body), now),
                     API_SLACK_MISSING);
    assert_int_equal(api_slack_verify(secret, ts, NULL, body, strlen(body), now),
                     API_SLACK_MISSING);
    assert_int_equal(api_slack_verify(secret, "", sig, body, strlen(body), now),
                     API_SLACK_BAD_TIMESTAMP);
    assert_int_equal(api_slack_verify(secret, "-1531420618", sig, body, strlen(body), now),
                     API_SLACK_BAD_TIMESTAMP);
    assert_int_equal(api_slack_verify(secret, "99999999999999999999", sig, body, strlen(body), now),
                     API_SLACK_BAD_TIMESTAMP);
    assert_int_equal(api_slack_verify(secret, "soon", sig, body, strlen(body), now),
                     API_SLACK_BAD_TIMESTAMP);
    assert_int_equal(api_slack_verify("", ts, sig, body, strlen(body), now), API_SLACK_MISSING);
    assert_int_equal(api_slack_verify(NULL, ts, sig, body, strlen(body), now), API_SLACK_MISSING);
}

static void test_form(void **state)
{
    char out[128], small[4];

    (void)state;
    assert_int_equal(api_form_get(body, strlen(body), "command", out, sizeof out), 1);
    assert_string_equal(out, "/webhook-collect");
    assert_int_equal(api_form_get(body, strlen(body), "text", out, sizeof out), 1);
    assert_string_equal(out, "");
    assert_int_equal(api_form_get(body, strlen(body), "user_id", out, sizeof out), 1);
    assert_string_equal(out, "U2CERLKJA");
    assert_int_equal(api_form_get(body, strlen(body), "response_url", out, sizeof out), 1);
    assert_string_equal(out,
                        "https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN");
    assert_int_equal(api_form_get(body, strlen(body), "trigger_id", out, sizeof out), 1);
    assert_string_equal(out, "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c");
    /* absent; a key is matched whole, not as a prefix or a suffix */
    assert_int_equal(api_form_get(body, strlen(body), "user", out, sizeof out), 0);
    assert_int_equal(api_form_get(body, strlen(body), "id", out, sizeof out), 0);
    assert_int_equal(api_form_get("", 0, "text", out, sizeof out), 0);
    assert_int_equal(api_form_get(NULL, 0, "text", out, sizeof out), 0);
    /* + is a space, %XX a byte, either case; the length bounds the body */
    assert_int_equal(api_form_get("text=AAPL+call+2+%242.50%2b&x=1", 31, "text", out, sizeof out), 1);
    assert_string_equal(out, "AAPL call 2 $2.50+");
    assert_int_equal(api_form_get("a=1&text=abcdef", 12, "text", out, sizeof out), 1);
    assert_string_equal(out, "abc");
    assert_int_equal(api_form_get("text&a=1", 8, "text", out, sizeof out), 1);
    assert_string_equal(out, "");
    assert_int_equal(api_form_get("&&text=x&&", 10, "text", out, sizeof out), 1);
    assert_string_equal(out, "x");
    /* the first of repeated keys */
    assert_int_equal(api_form_get("k=1&k=2", 7, "k", out, sizeof out), 1);
    assert_string_equal(out, "1");
    /* malformed: bad or cut escapes, NUL, too long */
    assert_int_equal(api_form_get("text=%zz", 8, "text", out, sizeof out), -1);
    assert_int_equal(api_form_get("text=%4", 7, "text", out, sizeof out), -1);
    assert_int_equal(api_form_get("text=%", 6, "text", out, sizeof out), -1);
    assert_int_equal(api_form_get("text=a%00b", 10, "text", out, sizeof out), -1);
    assert_int_equal(api_form_get("text=abcd", 9, "text", small, sizeof small), -1);
    assert_int_equal(api_form_get("text=abc", 8, "text", small, sizeof small), 1);
    assert_string_equal(small, "abc");
}

/* Where riskdesk may post a command's confirmation: only the allowed hosts,
 * over https (plain http only on loopback), a forged response_url never. */
static void test_response_url_allowed(void **state)
{
    static const char defaults[] = "{\"slack\": {\"signing_secret\": \"x\"}}";
    static const char loop[] = "{\"slack\": {\"response_hosts\": [\"127.0.0.1\", \"hooks.example.com:8443\"]}}";
    struct api_slack_web w;
    char why[200];

    (void)state;
    unsetenv("SLACK_BOT_TOKEN");
    api_slack_web_settings(defaults, strlen(defaults), &w);
    assert_int_equal(w.nhosts, 1);
    assert_string_equal(w.api_url, "https://slack.com/api");
    assert_string_equal(w.bot_token, "");
    assert_true(api_slack_url_allowed(&w, "https://hooks.slack.com/commands/T1/2/x", why, sizeof why));
    assert_true(api_slack_url_allowed(&w, "https://HOOKS.slack.com/commands/T1/2/x", why, sizeof why));
    assert_false(api_slack_url_allowed(&w, "http://hooks.slack.com/commands/T1/2/x", why, sizeof why));
    assert_string_equal(why, "\"http://hooks.slack.com/commands/T1/2/x\" is not https");
    assert_false(api_slack_url_allowed(&w, "https://hooks.slack.com.evil.example/c", why, sizeof why));
    assert_string_equal(why, "host \"hooks.slack.com.evil.example\" is not in slack.response_hosts");
    assert_false(api_slack_url_allowed(&w, "https://hooks.slack.com@evil.example/c", why, sizeof why));
    assert_false(api_slack_url_allowed(&w, "https://evil.example/hooks.slack.com", why, sizeof why));
    assert_false(api_slack_url_allowed(&w, "ftp://hooks.slack.com/c", why, sizeof why));
    assert_false(api_slack_url_allowed(&w, "http://127.0.0.1:9/c", why, sizeof why));
    api_slack_web_settings(loop, strlen(loop), &w);
    assert_int_equal(w.nhosts, 2);
    assert_true(api_slack_url_allowed(&w, "http://127.0.0.1:9/c", why, sizeof why));
    assert_true(api_slack_url_allowed(&w, "https://hooks.example.com:8443/c", why, sizeof why));
    assert_false(api_slack_url_allowed(&w, "https://hooks.example.com/c", why, sizeof why));
    assert_false(api_slack_url_allowed(&w, "http://hooks.example.com:8443/c", why, sizeof why));
    assert_false(api_slack_url_allowed(&w, "https://hooks.slack.com/c", why, sizeof why));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signature),
        cmocka_unit_test(test_form),
        cmocka_unit_test(test_response_url_allowed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
