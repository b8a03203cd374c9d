/*
 * mime.c - an e-mail message as RFC 5322 + MIME (RFC 2045-2047) text: headers,
 * multipart/alternative, quoted-printable bodies, encoded-word subjects.
 */
#include "riskdesk/notify.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "riskdesk/banned.h"

#define QP_LINE 76
#define SUBJECT_PLAIN_MAX 900

static int header_ok(const char *s)
{
    for (; *s; s++)
        if (*s == '\r' || *s == '\n')
            return 0;
    return 1;
}

int rd_mail_address(const char *s, char *out, size_t n, struct rd_error *err)
{
    const char *lt = strchr(s, '<'), *a = s, *b;
    size_t len;

    if (lt) {
        a = lt + 1;
        b = strchr(a, '>');
        if (!b)
            return rd_error_set(err, RD_EINVAL, "mail address \"%.80s\": '<' without '>'", s);
    } else {
        while (*a == ' ')
            a++;
        b = a + strlen(a);
        while (b > a && b[-1] == ' ')
            b--;
    }
    len = (size_t)(b - a);
    if (!len || len >= n || !memchr(a, '@', len) || memchr(a, ' ', len) || memchr(a, '<', len))
        return rd_error_set(err, RD_EINVAL, "mail address \"%.80s\": expected addr@host", s);
    memcpy(out, a, len);
    out[len] = '\0';
    return RD_OK;
}

static void hex_random(char *out, size_t nbytes)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char r[32];

    if (nbytes > sizeof r)
        nbytes = sizeof r;
    if (RAND_bytes(r, (int)nbytes) != 1) {
        /* no entropy: the time and address still make it unique enough */
        uint64_t t = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)out;

        for (size_t i = 0; i < nbytes; i++)
            r[i] = (unsigned char)(t >> (8 * (i % 8))) ^ (unsigned char)(i * 131);
    }
    for (size_t i = 0; i < nbytes; i++) {
        out[2 * i] = digits[r[i] >> 4];
        out[2 * i + 1] = digits[r[i] & 15];
    }
    out[2 * nbytes] = '\0';
}

static int is_ascii_plain(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return 0;
    return 1;
}

/* An RFC 2047 B encoding of s, in encoded-words of at most 75 characters,
 * split only between UTF-8 characters, folded onto continuation lines. */
static int encoded_words(struct rd_buf *b, const char *s)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(s), i = 0;
    int rc = RD_OK, first = 1;

    while (i < n && rc == RD_OK) {
        /* 45 bytes of input make 60 characters: "=?UTF-8?B?" + 60 + "?=" = 72 */
        size_t take = n - i < 45 ? n - i : 45;
        char enc[64];
        size_t k = 0;

        while (i + take < n && take > 0 && ((unsigned char)s[i + take] & 0xc0) == 0x80)
            take--;                     /* do not split a character */
        if (take == 0)
            take = n - i < 45 ? n - i : 45;
        for (size_t j = 0; j < take; j += 3) {
            uint32_t v = (uint32_t)(unsigned char)s[i + j] << 16;
            size_t left = take - j;

            if (left > 1)
                v |= (uint32_t)(unsigned char)s[i + j + 1] << 8;
            if (left > 2)
                v |= (unsigned char)s[i + j + 2];
            enc[k++] = b64[(v >> 18) & 63];
            enc[k++] = b64[(v >> 12) & 63];
            enc[k++] = left > 1 ? b64[(v >> 6) & 63] : '=';
            enc[k++] = left > 2 ? b64[v & 63] : '=';
        }
        enc[k] = '\0';
        rc = rd_buf_printf(b, "%s=?UTF-8?B?%s?=", first ? "" : "\r\n ", enc);
        first = 0;
        i += take;
    }
    return rc;
}

/* Quoted-printable (RFC 2045 6.7) of UTF-8 text with '\n' (or "\r\n") line
 * ends, CRLF out. Also encoded: '=' and bytes outside printable ASCII, space
 * or tab before a line end, '.' at the start of a line, and the F of "From "
 * there, so no transport or mailbox mangles the text. */
static int quoted_printable(struct rd_buf *b, const char *s)
{
    char line[QP_LINE + 8];
    size_t col = 0;
    int rc = RD_OK;

    for (; *s && rc == RD_OK; s++) {
        unsigned char c = (unsigned char)*s;
        char tok[4];
        size_t tn;

        if (c == '\r' && s[1] == '\n')
            continue;
        if (c == '\n') {
            line[col] = '\0';
            rc = rd_buf_printf(b, "%s\r\n", line);
            col = 0;
            continue;
        }
        if (c == '=' || c > 126 || (c < 32 && c != '\t') ||
            ((c == ' ' || c == '\t') && (s[1] == '\n' || s[1] == '\0' ||
                                         (s[1] == '\r' && s[2] == '\n'))) ||
            (col == 0 && c == '.') || (col == 0 && c == 'F' && !strncmp(s, "From ", 5))) {
            snprintf(tok, sizeof tok, "=%02X", c);
            tn = 3;
        } else {
            tok[0] = (char)c;
            tok[1] = '\0';
            tn = 1;
        }
        if (col + tn > QP_LINE - 1) {       /* room for the soft break's '=' */
            line[col] = '\0';
            rc = rd_buf_printf(b, "%s=\r\n", line);
            col = 0;
            if (tn == 1 && (c == '.' || (c == 'F' && !strncmp(s, "From ", 5)))) {
                snprintf(tok, sizeof tok, "=%02X", c);
                tn = 3;
            }
        }
        memcpy(line + col, tok, tn);
        col += tn;
    }
    if (rc == RD_OK && col) {
        line[col] = '\0';
        rc = rd_buf_printf(b, "%s\r\n", line);
    }
    return rc;
}

static int part(struct rd_buf *b, const char *boundary, const char *type, const char *body)
{
    int rc = RD_OK;

    if (boundary)
        rc = rd_buf_printf(b, "--%s\r\n", boundary);
    if (rc == RD_OK)
        rc = rd_buf_printf(b, "Content-Type: %s; charset=utf-8\r\n"
                              "Content-Transfer-Encoding: quoted-printable\r\n\r\n", type);
    if (rc == RD_OK)
        rc = quoted_printable(b, body);
    return rc;
}

int rd_mail_build(const struct rd_mail *m, struct rd_buf *out, struct rd_error *err)
{
    char addr[320], domain[256], date[64], rnd[48], idbuf[400], bnd[80];
    const char *at, *mid = m->message_id, *boundary = m->boundary;
    time_t t = m->date ? (time_t)m->date : time(NULL);
    struct tm tmv;
    int rc;

    if (!m->from || !header_ok(m->from) || !m->subject || !header_ok(m->subject) || !m->text)
        return rd_error_set(err, RD_EINVAL, "mail: from, subject and text are needed, without "
                            "line breaks in the headers");
    if (m->nto == 0)
        return rd_error_set(err, RD_EINVAL, "mail: no recipients");
    rc = rd_mail_address(m->from, addr, sizeof addr, err);
    if (rc != RD_OK)
        return rc;
    for (size_t i = 0; i < m->nto; i++) {
        char a[320];

        if (!header_ok(m->to[i]))
            return rd_error_set(err, RD_EINVAL, "mail: recipient %zu holds a line break", i + 1);
        rc = rd_mail_address(m->to[i], a, sizeof a, err);
        if (rc != RD_OK)
            return rc;
    }
    at = strchr(addr, '@');
    snprintf(domain, sizeof domain, "%s", at ? at + 1 : "localhost");
    if (!mid) {
        hex_random(rnd, 12);
        snprintf(idbuf, sizeof idbuf, "<%lld.%s@%s>", (long long)t, rnd, domain);
        mid = idbuf;
    } else if (!header_ok(mid)) {
        return rd_error_set(err, RD_EINVAL, "mail: Message-ID holds a line break");
    }
    if (!boundary) {
        hex_random(rnd, 16);
        snprintf(bnd, sizeof bnd, "=_riskdesk_%s", rnd);
        boundary = bnd;
    }
    if (strstr(m->text, boundary) || (m->html && strstr(m->html, boundary)))
        return rd_error_set(err, RD_EINVAL, "mail: the boundary occurs in a part");
    gmtime_r(&t, &tmv);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tmv);

    rc = rd_buf_printf(out, "Date: %s\r\nFrom: %s\r\nTo: ", date, m->from);
    for (size_t i = 0; rc == RD_OK && i < m->nto; i++)
        rc = rd_buf_printf(out, "%s%s", i ? ",\r\n " : "", m->to[i]);
    if (rc == RD_OK)
        rc = rd_buf_puts(out, "\r\nSubject: ");
    if (rc == RD_OK)
        rc = is_ascii_plain(m->subject) && strlen(m->subject) <= SUBJECT_PLAIN_MAX
                 ? rd_buf_puts(out, m->subject)
                 : encoded_words(out, m->subject);
    if (rc == RD_OK)
        rc = rd_buf_printf(out, "\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\n"
                                "X-Mailer: riskdesk\r\n", mid);
    if (rc == RD_OK && m->html) {
        rc = rd_buf_printf(out, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n"
                                "This is a multi-part message in MIME format.\r\n\r\n", boundary);
        if (rc == RD_OK)
            rc = part(out, boundary, "text/plain", m->text);
        if (rc == RD_OK)
            rc = part(out, boundary, "text/html", m->html);
        if (rc == RD_OK)
            rc = rd_buf_printf(out, "--%s--\r\n", boundary);
    } else if (rc == RD_OK) {
        rc = part(out, NULL, "text/plain", m->text);
    }
    if (rc != RD_OK)
        return rd_error_set(err, rc, "mail: building the message: %s", rd_strerror(rc));
    return RD_OK;
}
