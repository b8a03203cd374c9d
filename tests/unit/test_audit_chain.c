/*
 * test_audit_chain.c - the audit trail's pure part: SHA-256 against the FIPS
 * 180-4 vectors and OpenSSL over every length around the block edges, the
 * canonical form's bytes, an entry's hash over each of its fields, and the
 * entry line parser's refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "riskdesk/audit_chain.h"

static void test_sha256_vectors(void **state)
{
    char hex[RD_SHA256_HEX];
    static char million[1000000];
    struct rd_sha256 c;

    (void)state;
    rd_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    rd_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    rd_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    memset(million, 'a', sizeof million);
    /* fed in uneven pieces: the streaming must not matter */
    rd_sha256_init(&c);
    for (size_t off = 0, step = 1; off < sizeof million; off += step, step = step * 7 % 1013 + 1)
        rd_sha256_update(&c, million + off, off + step > sizeof million ? sizeof million - off : step);
    rd_sha256_final_hex(&c, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_sha256_matches_openssl(void **state)
{
    unsigned char data[300], md[32], ours[32];
    unsigned int n = 0;
    struct rd_sha256 c;

    (void)state;
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 131 + 7);
    for (size_t len = 0; len <= sizeof data; len++) {
        assert_int_equal(EVP_Digest(data, len, md, &n, EVP_sha256(), NULL), 1);
        rd_sha256_init(&c);
        rd_sha256_update(&c, data, len);
        rd_sha256_final(&c, ours);
        assert_memory_equal(ours, md, 32);
    }
}

/* The canonical form is exactly the documented bytes. */
static void test_canonical_bytes(void **state)
{
    static const char form[] = "riskdesk-record-v1\ndecision\nid=2:17\naccount=5:large\n"
                               "rec_id=0:\nsize=2:-3\nwhy=4:a\nb=\n";
    char want[RD_SHA256_HEX], got[RD_SHA256_HEX];
    char field[8] = {'l', 'a', 'r', 'g', 'e', 'X', 'Y', 'Z'};   /* no NUL: cut at its size */
    struct rd_audit_canon c;

    (void)state;
    rd_sha256_hex(form, sizeof form - 1, want);
    rd_audit_canon_init(&c, "decision");
    rd_audit_canon_i64(&c, "id", 17);
    rd_audit_canon_text(&c, "account", field, 5);
    rd_audit_canon_str(&c, "rec_id", NULL);
    rd_audit_canon_i64(&c, "size", -3);
    rd_audit_canon_str(&c, "why", "a\nb=");
    rd_audit_canon_end(&c, got);
    assert_string_equal(got, want);

    /* numbers in decimal at both ends of their range */
    {
        char num[24];

        assert_int_equal(rd_audit_i64_text(INT64_MIN, num), 20);
        assert_string_equal(num, "-9223372036854775808");
        assert_int_equal(rd_audit_i64_text(INT64_MAX, num), 19);
        assert_string_equal(num, "9223372036854775807");
        assert_int_equal(rd_audit_i64_text(0, num), 1);
        assert_string_equal(num, "0");
    }
    /* a value longer than a line is hashed in pieces, to the same bytes */
    {
        static char big[2000], line[2100];
        int n;

        memset(big, 'v', sizeof big - 1);
        n = snprintf(line, sizeof line, "riskdesk-record-v1\nk\nbig=1999:%s\n", big);
        rd_sha256_hex(line, (size_t)n, want);
        rd_audit_canon_init(&c, "k");
        rd_audit_canon_str(&c, "big", big);
        rd_audit_canon_end(&c, got);
        assert_string_equal(got, want);
    }
    /* fields gathered across the buffer's edge (values of 0 to 600 bytes,
     * some exactly filling it) hash to the same bytes as the form whole */
    {
        static char whole[40000], v[700];
        static const size_t sizes[] = {0, 1, 7, 100, 490, 512, 511, 513, 600, 3, 250, 260, 499};
        size_t used;
        int n;

        memset(v, 'w', sizeof v);
        used = (size_t)snprintf(whole, sizeof whole, "riskdesk-record-v1\nk\n");
        rd_audit_canon_init(&c, "k");
        for (int r = 0; r < 3; r++)
            for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
                n = snprintf(whole + used, sizeof whole - used, "f=%zu:%.*s\n", sizes[i],
                             (int)sizes[i], v);
                used += (size_t)n;
                rd_audit_canon_text(&c, "f", v, sizes[i]);
                rd_audit_canon_i64(&c, "i", (int64_t)i);
                used += (size_t)snprintf(whole + used, sizeof whole - used, "i=%d:%zu\n",
                                         i < 10 ? 1 : 2, i);
            }
        rd_audit_canon_end(&c, got);
        rd_sha256_hex(whole, used, want);
        assert_string_equal(got, want);
    }
    /* the lengths keep ("ab", "c") apart from ("a", "bc") */
    rd_audit_canon_init(&c, "k");
    rd_audit_canon_str(&c, "x", "ab");
    rd_audit_canon_str(&c, "y", "c");
    rd_audit_canon_end(&c, want);
    rd_audit_canon_init(&c, "k");
    rd_audit_canon_str(&c, "x", "a");
    rd_audit_canon_str(&c, "y", "bc");
    rd_audit_canon_end(&c, got);
    assert_string_not_equal(got, want);
}

static void sample(struct rd_audit_entry *e)
{
    memset(e, 0, sizeof *e);
    snprintf(e->chain, sizeof e->chain, "account:large");
    e->seq = 3;
    e->at = 1796000000;
    snprintf(e->actor, sizeof e->actor, "dispatcher:large");
    snprintf(e->kind, sizeof e->kind, "decision");
    snprintf(e->subject, sizeof e->subject, "17");
    rd_sha256_hex("record", 6, e->record_hash);
    rd_sha256_hex("prev", 4, e->prev_hash);
    rd_audit_entry_hash(e, e->hash);
}

/* Every field is under the entry's hash. */
static void test_entry_hash_covers_each_field(void **state)
{
    struct rd_audit_entry e, x;
    char h[RD_SHA256_HEX];

    (void)state;
    sample(&e);
    for (int f = 0; f < 8; f++) {
        x = e;
        switch (f) {
        case 0: x.chain[8] = 'L'; break;
        case 1: x.seq++; break;
        case 2: x.at++; break;
        case 3: x.actor[0] = 'D'; break;
        case 4: x.kind[0] = 'D'; break;
        case 5: x.subject[0] = '2'; break;
        case 6: x.record_hash[0] = x.record_hash[0] == 'a' ? 'b' : 'a'; break;
        default: x.prev_hash[0] = x.prev_hash[0] == 'a' ? 'b' : 'a'; break;
        }
        rd_audit_entry_hash(&x, h);
        assert_string_not_equal(h, e.hash);
    }
    rd_audit_entry_hash(&e, h);
    assert_string_equal(h, e.hash);
}

static void test_entry_parse(void **state)
{
    struct rd_audit_entry e, got;
    struct rd_error err = {0};
    char line[800];

    (void)state;
    sample(&e);
    snprintf(line, sizeof line, "%s\t%lld\t%lld\t%s\t%s\t%s\t%s\t%s\t%s\n", e.chain,
             (long long)e.seq, (long long)e.at, e.actor, e.kind, e.subject, e.record_hash,
             e.prev_hash, e.hash);
    assert_int_equal(rd_audit_entry_parse(line, strlen(line), &got, &err), RD_OK);
    assert_memory_equal(&got, &e, sizeof e);

    assert_int_equal(rd_audit_entry_parse("firm\t1\t0", 8, &got, &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "field 4 (actor) missing"));
    snprintf(line, sizeof line, "firm\tx1\t0\ta\tk\ts\t%s\t%s\t%s", e.hash, e.hash, e.hash);
    assert_int_equal(rd_audit_entry_parse(line, strlen(line), &got, &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "field 2 (seq)"));
    snprintf(line, sizeof line, "bank\t1\t0\ta\tk\ts\t%s\t%s\t%s", e.hash, e.hash, e.hash);
    assert_int_equal(rd_audit_entry_parse(line, strlen(line), &got, &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "chain"));
    snprintf(line, sizeof line, "firm\t0\t0\ta\tk\ts\t%s\t%s\t%s", e.hash, e.hash, e.hash);
    assert_int_equal(rd_audit_entry_parse(line, strlen(line), &got, &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "seq 0"));
    snprintf(line, sizeof line, "firm\t1\t0\ta\tk\ts\t%s\t%.63s\t%s", e.hash, e.hash, e.hash);
    assert_int_equal(rd_audit_entry_parse(line, strlen(line), &got, &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "hashes"));
    snprintf(line, sizeof line, "firm\t99999999999999999999\t0\ta\tk\ts\t%s\t%s\t%s", e.hash,
             e.hash, e.hash);
    assert_int_equal(rd_audit_entry_parse(line, strlen(line), &got, &err), RD_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_vectors),
        cmocka_unit_test(test_sha256_matches_openssl),
        cmocka_unit_test(test_canonical_bytes),
        cmocka_unit_test(test_entry_hash_covers_each_field),
        cmocka_unit_test(test_entry_parse),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
