/*
 * test_audit_pack: the text a pack of audit entries is stored as
 * (src/store/audit_pack.c; docs/audit.md, "Storage"): written and read back
 * whole, with the prev_hash each entry takes from the one before; texts
 * that need escaping; what is refused on the way in and on the way out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "riskdesk/alloc.h"
#include "store/audit_int.h"

#define PREV "1111111111111111111111111111111111111111111111111111111111111111"

struct seen {
    struct rd_audit_entry e[8];
    size_t n;
    size_t stop_at;   /* 1-based: the visit that returns 7; 0 never */
};

static int see(void *ctx, const struct rd_audit_entry *e)
{
    struct seen *s = ctx;

    if (s->n < 8)
        s->e[s->n] = *e;
    s->n++;
    return s->stop_at == s->n ? 7 : 0;
}

static void entry(struct rd_audit_entry *e, int64_t seq, const char *actor, const char *subject)
{
    memset(e, 0, sizeof *e);
    snprintf(e->chain, sizeof e->chain, "account:large");
    e->seq = seq;
    e->at = 1796000000 + seq;
    snprintf(e->actor, sizeof e->actor, "%s", actor);
    snprintf(e->kind, sizeof e->kind, "decision");
    snprintf(e->subject, sizeof e->subject, "%s", subject);
    memset(e->record_hash, 'a' + (int)seq, 64);
    memset(e->hash, '0' + (int)seq, 64);
}

static void test_round_trip(void **state)
{
    struct rd_audit_entry e[3];
    struct rd_error err = {0};
    struct seen s = {0};
    char *text;
    size_t len, lines = 0;

    (void)state;
    entry(&e[0], 7, "dispatcher:large", "12");
    entry(&e[1], 8, "user:o\"brien \\ tab\there\nnewline", "{\"not\": [json]}");
    entry(&e[2], 9, "cli:z\xc3\xa9lie \xe2\x82\xac", "\x7f\x01");
    memcpy(e[0].prev_hash, PREV, 65);
    assert_int_equal(rd_audit_pack_encode(e, 3, &text, &len, &err), RD_OK);
    assert_int_equal(len, strlen(text));
    /* one object a line: no raw control character inside the texts */
    for (size_t i = 0; i < len; i++) {
        assert_true((unsigned char)text[i] >= 0x20 || text[i] == '\n');
        lines += text[i] == '\n';
    }
    assert_int_equal(lines, 2);
    assert_non_null(strstr(text, "\"actor\":\"user:o\\\"brien \\\\ tab\\u0009here\\u000anewline\""));
    /* the stored bytes, as docs/audit.md gives them: what was hashed and
     * written before stays readable, and a row written now reads the same */
    {
        static const char first[] = "[{\"seq\":7,\"at\":1796000007,\"actor\":\"dispatcher:large\","
                                    "\"kind\":\"decision\",\"subject\":\"12\",\"record_hash\":\""
                                    "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh\","
                                    "\"hash\":\"7777777777777777777777777777777777777777777777777777777777777777\"},\n";

        assert_memory_equal(text, first, sizeof first - 1);
    }
    assert_non_null(strstr(text, "\"actor\":\"cli:z\xc3\xa9lie \xe2\x82\xac\",\"kind\":\"decision\","
                                 "\"subject\":\"\\u007f\\u0001\",\"record_hash\""));

    assert_int_equal(rd_audit_pack_visit("account:large", PREV, text, len, 0, see, &s, &err), RD_OK);
    assert_int_equal(s.n, 3);
    for (int i = 0; i < 3; i++) {
        struct rd_audit_entry want = e[i];

        memcpy(want.prev_hash, i ? e[i - 1].hash : PREV, 65);
        assert_memory_equal(&s.e[i], &want, sizeof want);
    }
    /* from a seq on; a visit that stops the walk */
    memset(&s, 0, sizeof s);
    assert_int_equal(rd_audit_pack_visit("account:large", PREV, text, len, 9, see, &s, &err), RD_OK);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.e[0].seq, 9);
    assert_memory_equal(s.e[0].prev_hash, e[1].hash, 65);
    memset(&s, 0, sizeof s);
    s.stop_at = 2;
    assert_int_equal(rd_audit_pack_visit("account:large", PREV, text, len, 0, see, &s, &err), 7);
    assert_int_equal(s.n, 2);
    rd_free(text);
}

/* Migration 16 writes each older entry as a pack of its own through the
 * database's JSON functions: SQLite's compact form, PostgreSQL's spaced one. */
static void test_database_written_packs(void **state)
{
    static const char *const texts[] = {
        "[{\"seq\":1,\"at\":5,\"actor\":\"genesis\",\"kind\":\"order\",\"subject\":\"c1\","
        "\"record_hash\":\"" PREV "\",\"hash\":\"" PREV "\"}]",
        "[{\"seq\" : 1, \"at\" : 5, \"actor\" : \"genesis\", \"kind\" : \"order\", "
        "\"subject\" : \"c1\", \"record_hash\" : \"" PREV "\", \"hash\" : \"" PREV "\"}]",
    };
    struct rd_error err = {0};

    (void)state;
    for (int i = 0; i < 2; i++) {
        struct seen s = {0};

        assert_int_equal(rd_audit_pack_visit("firm", RD_AUDIT_ZERO_HASH, texts[i],
                                             strlen(texts[i]), 1, see, &s, &err), RD_OK);
        assert_int_equal(s.n, 1);
        assert_string_equal(s.e[0].chain, "firm");
        assert_string_equal(s.e[0].subject, "c1");
        assert_int_equal(s.e[0].at, 5);
        assert_string_equal(s.e[0].prev_hash, RD_AUDIT_ZERO_HASH);
    }
}

static void test_refused(void **state)
{
    static const struct {
        const char *text, *says;
    } bad[] = {
        {"not json", "not JSON at byte"},
        {"{\"seq\": 1}", "not a JSON array"},
        {"[7]", "entry 1 of the row: not a JSON object"},
        {"[{\"seq\": \"1\"}]", "entry 1 of the row: \"seq\" is missing or not an integer"},
        {"[{\"seq\": 1, \"at\": 2, \"actor\": 3}]", "\"actor\" is missing, not a string"},
        {"[{\"seq\": 1, \"at\": 2, \"actor\": \"a\\u0000b\"}]", "\\u0000 is not allowed"},
        {"[{\"seq\": 1, \"at\": 2, \"actor\": \"a\", \"kind\": \"k\", \"subject\": \"s\", "
         "\"record_hash\": \"" PREV PREV "\", \"hash\": \"h\"}]", "\"record_hash\" is missing, not a "
                                                               "string or longer than 64 bytes"},
    };
    struct rd_audit_entry e;
    struct rd_error err = {0};
    char *text = (char *)"x";
    size_t len = 1;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct seen s = {0};

        assert_int_equal(rd_audit_pack_visit("account:a", PREV, bad[i].text, strlen(bad[i].text),
                                             0, see, &s, &err), RD_ESTORE);
        assert_non_null(strstr(err.msg, "audit pack of account:a"));
        if (!strstr(err.msg, bad[i].says))
            fail_msg("%s: got \"%s\"", bad[i].text, err.msg);
        assert_int_equal(s.n, 0);
    }
    /* a text that is not UTF-8 is not written */
    entry(&e, 3, "cli:\xff\xfe", "1");
    assert_int_equal(rd_audit_pack_encode(&e, 1, &text, &len, &err), RD_EINVAL);
    assert_null(text);
    assert_int_equal(len, 0);
    assert_non_null(strstr(err.msg, "decision entry #3 of account:large: its actor is not UTF-8"));
    entry(&e, 3, "ok", "\xed\xa0\x80");   /* a surrogate's encoding */
    assert_int_equal(rd_audit_pack_encode(&e, 1, &text, &len, &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "its subject is not UTF-8"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_database_written_packs),
        cmocka_unit_test(test_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
