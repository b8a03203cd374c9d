/* The mail builder (headers, multipart/alternative, quoted-printable, encoded
 * subjects, refused header injection) and the SMTP sender's failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "riskdesk/alloc.h"
#include "riskdesk/buf.h"
#include "riskdesk/notify.h"

static const char *const to2[] = {"a@example.com", "Bee <b@example.com>"};

static struct rd_mail base(void)
{
    struct rd_mail m = {0};

    m.from = "Risk Desk <risk@firm.example>";
    m.to = to2;
    m.nto = 2;
    m.subject = "RISK ALERT - 2 High Risk Traders - 2025-08-29";
    m.text = "Hello\n";
    m.html = "<p>Hello</p>\n";
    m.date = 1756450800;                    /* 2025-08-29T07:00:00Z, a Friday */
    m.message_id = "<fixed@firm.example>";
    m.boundary = "BOUNDARY";
    return m;
}

static void build(const struct rd_mail *m, struct rd_buf *b)
{
    struct rd_error err = {0};

    rd_buf_init(b, 1 << 20);
    assert_int_equal(rd_mail_build(m, b, &err), RD_OK);
}

static void test_whole_message(void **state)
{
    struct rd_mail m = base();
    struct rd_buf b;

    (void)state;
    build(&m, &b);
    assert_string_equal(rd_buf_str(&b),
                        "Date: Fri, 29 Aug 2025 07:00:00 +0000\r\n"
                        "From: Risk Desk <risk@firm.example>\r\n"
                        "To: a@example.com,\r\n Bee <b@example.com>\r\n"
                        "Subject: RISK ALERT - 2 High Risk Traders - 2025-08-29\r\n"
                        "Message-ID: <fixed@firm.example>\r\n"
                        "MIME-Version: 1.0\r\n"
                        "X-Mailer: riskdesk\r\n"
                        "Content-Type: multipart/alternative; boundary=\"BOUNDARY\"\r\n"
                        "\r\n"
                        "This is a multi-part message in MIME format.\r\n"
                        "\r\n"
                        "--BOUNDARY\r\n"
                        "Content-Type: text/plain; charset=utf-8\r\n"
                        "Content-Transfer-Encoding: quoted-printable\r\n"
                        "\r\n"
                        "Hello\r\n"
                        "--BOUNDARY\r\n"
                        "Content-Type: text/html; charset=utf-8\r\n"
                        "Content-Transfer-Encoding: quoted-printable\r\n"
                        "\r\n"
                        "<p>Hello</p>\r\n"
                        "--BOUNDARY--\r\n");
    rd_buf_release(&b);
}

static void test_text_only_and_generated_ids(void **state)
{
    struct rd_mail m = base();
    struct rd_buf b, c;

    (void)state;
    m.html = NULL;
    m.message_id = NULL;
    m.boundary = NULL;
    build(&m, &b);
    assert_non_null(strstr(rd_buf_str(&b), "MIME-Version: 1.0\r\nX-Mailer: riskdesk\r\n"
                                           "Content-Type: text/plain; charset=utf-8\r\n"
                                           "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                                           "Hello\r\n"));
    assert_null(strstr(rd_buf_str(&b), "multipart"));
    assert_non_null(strstr(rd_buf_str(&b), "Message-ID: <1756450800."));
    assert_non_null(strstr(rd_buf_str(&b), "@firm.example>\r\n"));
    build(&m, &c);                                  /* ids are random: two differ */
    assert_string_not_equal(rd_buf_str(&b), rd_buf_str(&c));
    rd_buf_release(&b);
    rd_buf_release(&c);
}

/* The text part of a message built from text. */
static void qp_of(const char *text, char *out, size_t n)
{
    struct rd_mail m = base();
    struct rd_buf b;
    const char *p;

    m.html = NULL;
    m.text = text;
    build(&m, &b);
    p = strstr(rd_buf_str(&b), "quoted-printable\r\n\r\n");
    assert_non_null(p);
    snprintf(out, n, "%s", p + strlen("quoted-printable\r\n\r\n"));
    rd_buf_release(&b);
}

static void test_quoted_printable(void **state)
{
    char out[4096], longline[200];

    (void)state;
    qp_of("a=b\ttab\n", out, sizeof out);
    assert_string_equal(out, "a=3Db\ttab\r\n");
    qp_of("trailing space \nend\t\n", out, sizeof out);
    assert_string_equal(out, "trailing space=20\r\nend=09\r\n");
    qp_of(".dot\nFrom here\nFromage\n", out, sizeof out);
    assert_string_equal(out, "=2Edot\r\n=46rom here\r\nFromage\r\n");
    qp_of("caf\xc3\xa9 \xe2\x80\x93 ok\r\nno newline", out, sizeof out);
    assert_string_equal(out, "caf=C3=A9 =E2=80=93 ok\r\nno newline\r\n");
    memset(longline, 'x', 150);
    longline[150] = '\0';
    qp_of(longline, out, sizeof out);
    /* 75 characters and '=' per soft-broken line */
    assert_int_equal(strcspn(out, "\r"), 76);
    assert_int_equal(out[75], '=');
    assert_int_equal(strlen(out), 76 + 2 + 75 + 2);
    /* an escape is never split by a soft break */
    memset(longline, 'x', 74);
    longline[74] = '=';
    longline[75] = '\0';
    qp_of(longline, out, sizeof out);
    assert_non_null(strstr(out, "x=\r\n=3D\r\n"));
}

static void test_encoded_subject(void **state)
{
    struct rd_mail m = base();
    struct rd_buf b;
    char subject[200];

    (void)state;
    m.subject = "Gr\xc3\xbc\xc3\x9f" "e";
    build(&m, &b);
    assert_non_null(strstr(rd_buf_str(&b), "\r\nSubject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n"));
    rd_buf_release(&b);
    /* long: folded into encoded words of at most 75 characters, characters whole */
    subject[0] = '\0';
    for (int i = 0; i < 30; i++)
        strcat(subject, "\xc3\xa9");            /* 60 bytes of e-acute */
    m.subject = subject;
    build(&m, &b);
    {
        const char *s = strstr(rd_buf_str(&b), "Subject: ");
        const char *e = strstr(s, "\r\nMessage-ID");
        const char *fold = strstr(s, "\r\n =?UTF-8?B?");

        assert_non_null(fold);
        assert_true(fold < e);
        assert_true(fold - (s + 9) <= 75);
    }
    rd_buf_release(&b);
}

static void test_refused(void **state)
{
    struct rd_mail m = base();
    struct rd_buf b;
    struct rd_error err = {0};
    const char *const evil[] = {"a@example.com\r\nBcc: x@evil.example"};
    const char *const noat[] = {"nobody"};

    (void)state;
    rd_buf_init(&b, 1 << 20);
    m.subject = "hi\r\nBcc: x@evil.example";
    assert_int_equal(rd_mail_build(&m, &b, &err), RD_EINVAL);
    m = base();
    m.to = evil;
    m.nto = 1;
    assert_int_equal(rd_mail_build(&m, &b, &err), RD_EINVAL);
    m.to = noat;
    assert_int_equal(rd_mail_build(&m, &b, &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "expected addr@host"));
    m = base();
    m.nto = 0;
    assert_int_equal(rd_mail_build(&m, &b, &err), RD_EINVAL);
    m = base();
    m.text = "a line with BOUNDARY in it\n";
    assert_int_equal(rd_mail_build(&m, &b, &err), RD_EINVAL);
    assert_int_equal(b.len, 0);
    rd_buf_release(&b);
}

static void test_address(void **state)
{
    char out[64];
    struct rd_error err = {0};

    (void)state;
    assert_int_equal(rd_mail_address("Risk Desk <risk@firm.example>", out, sizeof out, &err), RD_OK);
    assert_string_equal(out, "risk@firm.example");
    assert_int_equal(rd_mail_address("  b@x.example ", out, sizeof out, &err), RD_OK);
    assert_string_equal(out, "b@x.example");
    assert_int_equal(rd_mail_address("Name <broken", out, sizeof out, &err), RD_EINVAL);
    assert_int_equal(rd_mail_address("two words@x", out, sizeof out, &err), RD_EINVAL);
}

static void test_send_failures(void **state)
{
    struct rd_smtp c = {.url = "smtp://127.0.0.1:1", .timeout_s = 5};
    struct rd_error err = {0};
    const char *msg = "Subject: x\r\n\r\nbody\r\n";

    (void)state;
    /* nothing listens on port 1: a connection error naming the URL */
    assert_int_equal(rd_smtp_send(&c, "a@x.example", to2, 2, msg, strlen(msg), &err), RD_EIO);
    assert_non_null(strstr(err.msg, "smtp smtp://127.0.0.1:1"));
    c.url = "http://127.0.0.1:1";
    assert_int_equal(rd_smtp_send(&c, "a@x.example", to2, 2, msg, strlen(msg), &err), RD_EINVAL);
    c.url = "smtp://127.0.0.1:1";
    assert_int_equal(rd_smtp_send(&c, "a@x.example", to2, 0, msg, strlen(msg), &err), RD_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_message),
        cmocka_unit_test(test_text_only_and_generated_ids),
        cmocka_unit_test(test_quoted_printable),
        cmocka_unit_test(test_encoded_subject),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_address),
        cmocka_unit_test(test_send_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
