/*
 * test_crypt.c - amounts sealed for storage (crypt.h): a known answer
 * computed apart (Python's cryptography, AESGCM), round trips, and every way
 * a value must refuse to open: changed, another key, another place (AAD),
 * not the sealed form at all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "riskdesk/crypt.h"
#include "store/crypt_int.h"
#include "store/store_int.h"

/* An amount as the store seals it: 8 bytes, big-endian. */
#define AMOUNT_TEXT RD_CRYPT_TEXT_LEN(8)

static int seal_i64(const struct rd_encryption_key *k, const char *aad, int64_t v, char *out,
                    size_t cap, struct rd_error *err)
{
    unsigned char b[8];

    for (int i = 7; i >= 0; i--, v = (int64_t)((uint64_t)v >> 8))
        b[i] = (unsigned char)v;
    return rd_crypt_seal(k, aad, b, sizeof b, out, cap, err);
}

static int open_i64(const struct rd_encryption_key *k, const char *aad, const char *text,
                    size_t len, int64_t *v, struct rd_error *err)
{
    unsigned char b[8];
    uint64_t u = 0;
    size_t n = 0;
    int rc = rd_crypt_open(k, aad, text, len, b, sizeof b, &n, err);

    if (rc == RD_OK && n != 8)
        return RD_EINVAL;
    for (int i = 0; rc == RD_OK && i < 8; i++)
        u = u << 8 | b[i];
    if (rc == RD_OK)
        *v = (int64_t)u;
    return rc;
}

static struct rd_encryption_key key_of(unsigned char first)
{
    struct rd_encryption_key k;

    for (int i = 0; i < RD_ENCRYPTION_KEY_LEN; i++)
        k.bytes[i] = (unsigned char)(first + i);
    return k;
}

/* key 00 01 .. 1f, nonce 64 65 .. 6f, AAD "ledger_entries/7/amount" then the
 * version byte, plain text 12345789000 as 8 bytes big-endian:
 *   AESGCM(key).encrypt(nonce, pt, aad + b"\x01") */
static const char known[] = "enc1:AWRlZmdoaWprbG1ub0gb3mSmNJzWdSm6KJfO2/XZxuZLdFaI9Q==";

static void test_known_answer(void **state)
{
    struct rd_encryption_key k = key_of(0);
    unsigned char nonce[RD_CRYPT_NONCE_LEN], plain[8] = {0, 0, 0, 2, 0xdf, 0xdd, 0xca, 0x48};
    char out[AMOUNT_TEXT];
    struct rd_error err = {0};
    int64_t v = 0;

    (void)state;
    for (int i = 0; i < RD_CRYPT_NONCE_LEN; i++)
        nonce[i] = (unsigned char)(100 + i);
    assert_int_equal(rd_crypt_seal_nonce(&k, "ledger_entries/7/amount", nonce, plain, 8, out,
                                         sizeof out, &err), RD_OK);
    assert_string_equal(out, known);
    assert_int_equal(strlen(out) + 1, sizeof out);
    assert_int_equal(open_i64(&k, "ledger_entries/7/amount", known, strlen(known), &v,
                                       &err), RD_OK);
    assert_int_equal(v, 12345789000);
}

static void test_round_trip(void **state)
{
    static const int64_t values[] = {0, 1, -1, 1234578900, -98765432100, INT64_MAX, INT64_MIN};
    struct rd_encryption_key k = key_of(7);
    char a[AMOUNT_TEXT], b[AMOUNT_TEXT];
    struct rd_error err = {0};

    (void)state;
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        int64_t v = 42;

        assert_int_equal(seal_i64(&k, "t/r/c", values[i], a, sizeof a, &err), RD_OK);
        assert_true(rd_crypt_is_sealed(a, strlen(a)));
        assert_int_equal(strlen(a) + 1, AMOUNT_TEXT);   /* one length for all */
        assert_int_equal(open_i64(&k, "t/r/c", a, strlen(a), &v, &err), RD_OK);
        assert_int_equal(v, values[i]);
    }
    /* a fresh nonce each time: the same amount never reads the same */
    assert_int_equal(seal_i64(&k, "t/r/c", 5, a, sizeof a, &err), RD_OK);
    assert_int_equal(seal_i64(&k, "t/r/c", 5, b, sizeof b, &err), RD_OK);
    assert_string_not_equal(a, b);
}

static void test_tamper_refused(void **state)
{
    struct rd_encryption_key k = key_of(0);
    char t[sizeof known];
    struct rd_error err = {0};
    int64_t v = 0;

    (void)state;
    /* each character after the prefix, changed, must refuse to open */
    for (size_t i = 5; i < sizeof known - 3; i++) {
        memcpy(t, known, sizeof known);
        t[i] = t[i] == 'A' ? 'B' : 'A';
        assert_int_not_equal(open_i64(&k, "ledger_entries/7/amount", t, strlen(t), &v,
                                               &err), RD_OK);
    }
    memcpy(t, known, sizeof known);
    t[20] = t[20] == 'A' ? 'B' : 'A';
    assert_int_equal(open_i64(&k, "ledger_entries/7/amount", t, strlen(t), &v, &err),
                     RD_EAUTH);
    assert_non_null(strstr(err.msg, "ledger_entries/7/amount"));
    assert_non_null(strstr(err.msg, "does not open"));
}

static void test_wrong_place_or_key(void **state)
{
    struct rd_encryption_key k = key_of(0), other = key_of(1);
    struct rd_error err = {0};
    int64_t v = 0;

    (void)state;
    /* another row, another column, another table */
    assert_int_equal(open_i64(&k, "ledger_entries/8/amount", known, strlen(known), &v,
                                       &err), RD_EAUTH);
    assert_non_null(strstr(err.msg, "ledger_entries/8/amount"));
    assert_int_equal(open_i64(&k, "ledger_entries/7/balance", known, strlen(known), &v,
                                       &err), RD_EAUTH);
    assert_int_equal(open_i64(&k, "perf_snapshots/7/amount", known, strlen(known), &v,
                                       &err), RD_EAUTH);
    assert_int_equal(open_i64(&other, "ledger_entries/7/amount", known, strlen(known),
                                       &v, &err), RD_EAUTH);
    assert_int_equal(v, 0);
}

static void test_not_sealed_form(void **state)
{
    static const char *const bad[] = {
        "", "1234578900", "enc1:", "enc2:AWRlZmdoaWprbG1ub0gb3mSmNJzWdSm6KJfO2/XZxuZLdFaI9Q==",
        "enc1:AWRlZmdoaWprbG1ub0gb3mSmNJzWdSm6KJfO2/XZxuZLdFaI9Q=",     /* not a multiple of 4 */
        "enc1: WRlZmdoaWprbG1ub0gb3mSmNJzWdSm6KJfO2/XZxuZLdFaI9Q==",    /* a space */
        "enc1:AWRl",                                                    /* shorter than nonce+tag */
        "enc1:AmRlZmdoaWprbG1ub0gb3mSmNJzWdSm6KJfO2/XZxuZLdFaI9Q==",    /* version 2 */
    };
    struct rd_encryption_key k = key_of(0);
    struct rd_error err = {0};
    int64_t v = 0;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(open_i64(&k, "t/1/c", bad[i], strlen(bad[i]), &v, &err),
                         RD_EINVAL);
        assert_non_null(strstr(err.msg, "t/1/c: not a value riskdesk sealed"));
    }
    assert_false(rd_crypt_is_sealed("1234578900", 10));
}

static void test_sizes(void **state)
{
    struct rd_encryption_key k = key_of(0);
    char small[AMOUNT_TEXT - 1], aad[RD_CRYPT_AAD_MAX], row[300];
    unsigned char *big = calloc(RD_CRYPT_PLAIN_MAX + 1, 1), plain[4];
    char text[RD_CRYPT_TEXT_LEN(16)];
    struct rd_error err = {0};
    size_t n = 0;

    (void)state;
    assert_int_equal(seal_i64(&k, "t/1/c", 5, small, sizeof small, &err), RD_ETOOBIG);
    assert_non_null(big);
    assert_int_equal(rd_crypt_seal(&k, "t/1/c", big, RD_CRYPT_PLAIN_MAX + 1, text, sizeof text,
                                   &err), RD_ETOOBIG);
    assert_int_equal(rd_crypt_seal(&k, "t/1/c", big, 16, text, sizeof text, &err), RD_OK);
    assert_int_equal(rd_crypt_open(&k, "t/1/c", text, strlen(text), plain, sizeof plain, &n, &err),
                     RD_ETOOBIG);
    /* an amount must be 8 bytes */
    assert_int_equal(open_i64(&k, "t/1/c", text, strlen(text), &(int64_t){0}, &err),
                     RD_ETOOBIG);
    assert_int_equal(rd_crypt_aad(aad, "ledger_entries", "7", "amount", &err), RD_OK);
    assert_string_equal(aad, "ledger_entries/7/amount");
    memset(row, 'x', sizeof row - 1);
    row[sizeof row - 1] = '\0';
    assert_int_equal(rd_crypt_aad(aad, "ledger_entries", row, "amount", &err), RD_EINVAL);
    free(big);
}

/* The store's form (store_key.c): n amounts sealed as one value, opened
 * only at their place; the known answer's text opens as one amount there. */
static void test_store_amounts(void **state)
{
    struct rd_encryption_key k = key_of(0);
    const int64_t v[3] = {RD_DOLLARS(1001), -5, INT64_MAX};
    char text[RD_CRYPT_TEXT_LEN(24)];
    struct rd_error err = {0};
    int64_t got[3] = {0}, one = 0;

    (void)state;
    assert_int_equal(rd_store_seal_amounts(&k, "perf_snapshots", "A:20401", "sealed", v, 3, text,
                                           sizeof text, &err), RD_OK);
    assert_int_equal(rd_store_open_amounts(&k, "perf_snapshots", "A:20401", "sealed", text, got,
                                           3, &err), RD_OK);
    assert_memory_equal(got, v, sizeof v);
    assert_int_equal(rd_store_open_amounts(&k, "perf_snapshots", "B:20401", "sealed", text, got,
                                           3, &err), RD_ESTORE);
    assert_non_null(strstr(err.msg, "perf_snapshots/B:20401/sealed: the value does not open"));
    assert_int_equal(rd_store_open_amounts(&k, "perf_snapshots", "A:20401", "sealed", text, got,
                                           1, &err), RD_ESTORE);
    assert_int_equal(rd_store_open_amounts(&k, "perf_snapshots", "A:20401", "sealed", NULL, got,
                                           3, &err), RD_ESTORE);
    assert_non_null(strstr(err.msg, "in clear"));
    assert_int_equal(rd_store_open_amounts(&k, "ledger_entries", "7", "amount", known, &one, 1,
                                           &err), RD_OK);
    assert_int_equal(one, 12345789000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answer),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_tamper_refused),
        cmocka_unit_test(test_wrong_place_or_key),
        cmocka_unit_test(test_not_sealed_form),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_store_amounts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
