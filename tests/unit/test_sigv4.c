/*
 * test_sigv4.c - the SigV4 signer against the published AWS test suite
 * (get-vanilla, post-x-www-form-urlencoded, get-vanilla-query-order-key-case:
 * canonical request, string to sign, Authorization), the derived JSON 1.1
 * vectors, the key chain and the AWS-docs signing key, read from
 * tests/data/aws4 (the same files tests/tools/sigv4_oracle.py checks against
 * botocore). Then the canonicalisation rules one by one, bad input, and
 * failing allocations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "riskdesk/alloc.h"
#include "riskdesk/aws.h"

#define SUITE_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define SUITE_TIME ((time_t)1440938160)   /* 20150830T123600Z */

static char data_dir[512];

static int setup(void **state)
{
    const char *src = getenv("RD_SOURCE_DIR");

    (void)state;
    snprintf(data_dir, sizeof data_dir, "%s/tests/data/aws4", src ? src : ".");
    return 0;
}

static char *slurp(const char *name, const char *ext)
{
    char path[700];
    FILE *f;
    char *buf = calloc(1, 65536);
    size_t n;

    snprintf(path, sizeof path, "%s/%s%s%s", data_dir, name, ext[0] ? "." : "", ext);
    f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s (is RD_SOURCE_DIR set?)", path);
    n = fread(buf, 1, 65535, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void set_creds(struct rd_aws_creds *c, const char *akid, const char *secret, const char *token)
{
    memset(c, 0, sizeof *c);
    snprintf(c->access_key_id, sizeof c->access_key_id, "%s", akid);
    snprintf(c->secret_access_key, sizeof c->secret_access_key, "%s", secret);
    snprintf(c->session_token, sizeof c->session_token, "%s", token ? token : "");
}

static time_t parse_amz(const char *s)
{
    struct tm tm = {0};

    assert_int_equal(sscanf(s, "%4d%2d%2dT%2d%2d%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                            &tm.tm_hour, &tm.tm_min, &tm.tm_sec), 6);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
}

/* Signs a test-suite .req file: Host and X-Amz-Date become the host and the
 * time; every other header is passed on. */
static void check_case(const char *name, const char *akid, const char *secret, const char *region,
                       const char *service, const char *when, const char *token)
{
    char *req = slurp(name, "req"), *creq = slurp(name, "creq"), *sts = slurp(name, "sts");
    char *authz = slurp(name, "authz");
    struct rd_sigv4_header hdrs[16];
    struct rd_sigv4_request r = {0};
    struct rd_aws_creds creds;
    struct rd_buf cbuf, sbuf;
    struct rd_sigv4 out;
    struct rd_error err = {0};
    char *line, *next, *body, *sp, *path;
    char *host = NULL, *date = NULL, *query;
    size_t nh = 0;

    body = strstr(req, "\n\n");
    if (body) {
        *body = '\0';
        body += 2;
    }
    next = strchr(req, '\n');
    *next++ = '\0';
    sp = strchr(req, ' ');
    *sp = '\0';
    r.method = req;
    path = sp + 1;
    *strchr(path, ' ') = '\0';
    query = strchr(path, '?');
    if (query)
        *query++ = '\0';
    r.path = path;
    r.query = query;
    for (line = next; line && *line; line = next) {
        char *colon = strchr(line, ':');

        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        assert_non_null(colon);
        *colon = '\0';
        if (!strcasecmp(line, "host"))
            host = colon + 1;
        else if (!strcasecmp(line, "x-amz-date"))
            date = colon + 1;
        else {
            assert_true(nh < 16);
            hdrs[nh].name = line;
            hdrs[nh++].value = colon + 1;
        }
    }
    assert_non_null(host);
    assert_non_null(date);
    assert_string_equal(date, when);
    r.host = host;
    r.headers = hdrs;
    r.nheaders = nh;
    r.payload = body;
    r.payload_len = body ? strlen(body) : 0;
    set_creds(&creds, akid, secret, token);

    rd_buf_init(&cbuf, 1 << 20);
    rd_buf_init(&sbuf, 1 << 20);
    if (rd_sigv4_sign(&r, &creds, region, service, parse_amz(when), &out, &cbuf, &sbuf, &err))
        fail_msg("%s: %s", name, err.msg);
    if (strcmp(rd_buf_str(&cbuf), creq))
        fail_msg("%s: canonical request\n--- want\n%s\n--- got\n%s", name, creq, rd_buf_str(&cbuf));
    if (strcmp(rd_buf_str(&sbuf), sts))
        fail_msg("%s: string to sign\n--- want\n%s\n--- got\n%s", name, sts, rd_buf_str(&sbuf));
    if (strcmp(out.authorization, authz))
        fail_msg("%s: Authorization\n--- want\n%s\n--- got\n%s", name, authz, out.authorization);
    assert_string_equal(out.amz_date, when);
    rd_buf_release(&cbuf);
    rd_buf_release(&sbuf);
    rd_aws_creds_wipe(&creds);
    free(req);
    free(creq);
    free(sts);
    free(authz);
}

static void test_vectors_from_files(void **state)
{
    char *cases = slurp("cases.txt", ""), *line, *next;
    int n = 0;

    (void)state;
    for (line = cases; line && *line; line = next) {
        char name[128], akid[64], secret[128], region[32], service[32], when[32], token[256];

        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (line[0] == '#' || !line[0])
            continue;
        assert_int_equal(sscanf(line, "%127s %63s %127s %31s %31s %31s %255s", name, akid, secret,
                                region, service, when, token), 7);
        check_case(name, akid, secret, region, service, when, strcmp(token, "-") ? token : NULL);
        n++;
    }
    assert_true(n >= 6);
    free(cases);
}

static void hex32(const unsigned char *k, char out[65])
{
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", k[i]);
}

static void test_key_chain_from_file(void **state)
{
    char *keys = slurp("keys.txt", ""), *line, *next;
    int n = 0;

    (void)state;
    for (line = keys; line && *line; line = next) {
        char secret[128], date8[16], region[32], service[32], want[4][80], got[65];
        unsigned char chain[4][32];

        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (line[0] == '#' || !line[0])
            continue;
        assert_int_equal(sscanf(line, "%127s %15s %31s %31s %79s %79s %79s %79s", secret, date8,
                                region, service, want[0], want[1], want[2], want[3]), 8);
        assert_int_equal(rd_sigv4_key_chain(secret, date8, region, service, chain), RD_OK);
        for (int i = 0; i < 4; i++) {
            hex32(chain[i], got);
            if (strcmp(want[i], "-"))
                assert_string_equal(got, want[i]);
        }
        n++;
    }
    assert_int_equal(n, 2);
    free(keys);
}

/* The published values again, in the code, so an edited data file cannot
 * quietly move the target. */
static void test_published_values(void **state)
{
    static const char *const sigs[][2] = {
        {"", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
        {"Param2=value2&Param1=value1",
         "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
    };
    struct rd_sigv4_header form = {"Content-Type", "application/x-www-form-urlencoded"};
    struct rd_sigv4_request r = {.method = "GET", .host = "example.amazonaws.com", .path = "/"};
    unsigned char chain[4][32];
    struct rd_aws_creds creds;
    struct rd_sigv4 out;
    struct rd_error err = {0};
    char got[65];

    (void)state;
    set_creds(&creds, "AKIDEXAMPLE", SUITE_SECRET, NULL);
    for (size_t i = 0; i < 2; i++) {
        r.query = sigs[i][0];
        assert_int_equal(rd_sigv4_sign(&r, &creds, "us-east-1", "service", SUITE_TIME, &out, NULL,
                                       NULL, &err), RD_OK);
        assert_string_equal(out.signature, sigs[i][1]);
        assert_string_equal(out.signed_headers, "host;x-amz-date");
        assert_string_equal(out.scope, "20150830/us-east-1/service/aws4_request");
    }
    r.method = "POST";
    r.query = NULL;
    r.headers = &form;
    r.nheaders = 1;
    r.payload = "Param1=value1";
    r.payload_len = 13;
    assert_int_equal(rd_sigv4_sign(&r, &creds, "us-east-1", "service", SUITE_TIME, &out, NULL, NULL,
                                   &err), RD_OK);
    assert_string_equal(out.authorization,
                        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                        "aws4_request, SignedHeaders=content-type;host;x-amz-date, "
                        "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
    assert_int_equal(rd_sigv4_key_chain(SUITE_SECRET, "20120215", "us-east-1", "iam", chain), RD_OK);
    hex32(chain[3], got);
    assert_string_equal(got, "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

static void test_sha256_and_date(void **state)
{
    char h[65], d[17];

    (void)state;
    rd_aws_sha256_hex("", 0, h);
    assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    rd_aws_sha256_hex("abc", 3, h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(rd_aws_amz_date(SUITE_TIME, d), RD_OK);
    assert_string_equal(d, "20150830T123600Z");
    assert_int_equal(rd_aws_amz_date(0, d), RD_OK);
    assert_string_equal(d, "19700101T000000Z");
    assert_int_equal(rd_aws_amz_date(951782400, d), RD_OK);   /* a leap day */
    assert_string_equal(d, "20000229T000000Z");
    assert_int_equal(rd_aws_amz_date(-1, d), RD_EINVAL);
}

/* Canonical request text for a request with these headers and query. */
static const char *creq_of(const struct rd_sigv4_request *r, struct rd_buf *b, int *rc)
{
    struct rd_error err = {0};
    char signed_headers[256];

    rd_buf_reset(b);
    *rc = rd_sigv4_canonical_request(r, "20150830T123600Z", b, signed_headers,
                                     sizeof signed_headers, &err);
    return rd_buf_str(b);
}

static void test_canonical_rules(void **state)
{
    struct rd_sigv4_header h[] = {
        {"My-Header1", "  a   b \t c  "},
        {"X-Amz-Target", "AmazonSSM.GetParameter"},
        {"my-header1", "second"},
        {"Content-Type", "application/x-amz-json-1.1"},
    };
    struct rd_sigv4_request r = {.method = "GET", .host = "127.0.0.1:5055", .path = "/a b/ሴ~",
                                 .query = "b=2&a=x%20y&a=1&c&Z=%7e", .headers = h, .nheaders = 4};
    struct rd_buf b;
    int rc;

    (void)state;
    rd_buf_init(&b, 1 << 16);
    assert_string_equal(creq_of(&r, &b, &rc),
                        "GET\n"
                        "/a%20b/%E1%88%B4~\n"
                        "Z=~&a=1&a=x%20y&b=2&c=\n"
                        "content-type:application/x-amz-json-1.1\n"
                        "host:127.0.0.1:5055\n"
                        "my-header1:a b c,second\n"
                        "x-amz-date:20150830T123600Z\n"
                        "x-amz-target:AmazonSSM.GetParameter\n"
                        "\n"
                        "content-type;host;my-header1;x-amz-date;x-amz-target\n"
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_int_equal(rc, RD_OK);

    /* empty path is "/" */
    r.path = NULL;
    r.query = NULL;
    r.nheaders = 0;
    assert_non_null(strstr(creq_of(&r, &b, &rc), "GET\n/\n\nhost:"));
    rd_buf_release(&b);
}

static void test_bad_input(void **state)
{
    struct rd_sigv4_header host = {"Host", "evil.example.com"};
    struct rd_sigv4_header badname = {"Bad Name", "v"};
    struct rd_sigv4_header crlf = {"x-test", "a\r\nInjected: yes"};
    struct rd_sigv4_request r = {.method = "GET", .host = "example.amazonaws.com", .path = "/"};
    struct rd_aws_creds creds;
    struct rd_sigv4 out;
    struct rd_error err = {0};

    (void)state;
    set_creds(&creds, "AKIDEXAMPLE", SUITE_SECRET, NULL);
    r.headers = &host;
    r.nheaders = 1;
    assert_int_equal(rd_sigv4_sign(&r, &creds, "us-east-1", "ssm", SUITE_TIME, &out, NULL, NULL,
                                   &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "added by the signer"));
    r.headers = &badname;
    assert_int_equal(rd_sigv4_sign(&r, &creds, "us-east-1", "ssm", SUITE_TIME, &out, NULL, NULL,
                                   &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "not a token"));
    r.headers = &crlf;
    assert_int_equal(rd_sigv4_sign(&r, &creds, "us-east-1", "ssm", SUITE_TIME, &out, NULL, NULL,
                                   &err), RD_EINVAL);
    r.nheaders = 0;
    r.query = "a=%zz";
    assert_int_equal(rd_sigv4_sign(&r, &creds, "us-east-1", "ssm", SUITE_TIME, &out, NULL, NULL,
                                   &err), RD_EINVAL);
    r.query = "a=%4";
    assert_int_equal(rd_sigv4_sign(&r, &creds, "us-east-1", "ssm", SUITE_TIME, &out, NULL, NULL,
                                   &err), RD_EINVAL);
    r.query = NULL;
    assert_int_equal(rd_sigv4_sign(&r, &creds, "us-east-1/x", "ssm", SUITE_TIME, &out, NULL, NULL,
                                   &err), RD_EINVAL);
    assert_int_equal(rd_sigv4_sign(&r, &creds, "us-east-1", "", SUITE_TIME, &out, NULL, NULL, &err),
                     RD_EINVAL);
    r.host = "";
    assert_int_equal(rd_sigv4_sign(&r, &creds, "us-east-1", "ssm", SUITE_TIME, &out, NULL, NULL,
                                   &err), RD_EINVAL);
    r.host = "example.amazonaws.com";
    creds.secret_access_key[0] = '\0';
    assert_int_equal(rd_sigv4_sign(&r, &creds, "us-east-1", "ssm", SUITE_TIME, &out, NULL, NULL,
                                   &err), RD_EINVAL);
    /* no message ever holds the secret */
    set_creds(&creds, "AKIDEXAMPLE", SUITE_SECRET, NULL);
    r.query = "a=%zz";
    rd_sigv4_sign(&r, &creds, "us-east-1", "ssm", SUITE_TIME, &out, NULL, NULL, &err);
    assert_null(strstr(err.msg, SUITE_SECRET));
}

static void test_failing_allocations(void **state)
{
    struct rd_sigv4_header h[] = {{"Content-Type", "application/x-amz-json-1.1"},
                                  {"X-Amz-Target", "secretsmanager.GetSecretValue"}};
    struct rd_sigv4_request r = {.method = "POST", .host = "secretsmanager.us-west-2.amazonaws.com",
                                 .path = "/", .query = "b=1&a=2", .headers = h, .nheaders = 2,
                                 .payload = "{}", .payload_len = 2};
    struct rd_aws_creds creds;
    struct rd_sigv4 out, good;
    struct rd_error err = {0};
    int ok = 0;

    (void)state;
    set_creds(&creds, "AKIDEXAMPLE", SUITE_SECRET, NULL);
    assert_int_equal(rd_sigv4_sign(&r, &creds, "us-west-2", "secretsmanager", SUITE_TIME, &good,
                                   NULL, NULL, &err), RD_OK);
    for (long n = 1; n < 200 && !ok; n++) {
        int rc;

        rd_alloc_fail_after(n);
        rc = rd_sigv4_sign(&r, &creds, "us-west-2", "secretsmanager", SUITE_TIME, &out, NULL, NULL,
                           &err);
        rd_alloc_fail_after(0);
        if (rc == RD_OK) {
            assert_string_equal(out.authorization, good.authorization);
            ok = 1;
        } else {
            assert_int_equal(rc, RD_ENOMEM);
        }
    }
    assert_true(ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors_from_files),
        cmocka_unit_test(test_key_chain_from_file),
        cmocka_unit_test(test_published_values),
        cmocka_unit_test(test_sha256_and_date),
        cmocka_unit_test(test_canonical_rules),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_failing_allocations),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
