/*
 * notify.h - e-mail: an RFC 5322 / MIME message builder (multipart/alternative
 * text + HTML) and SMTP delivery over libcurl (smtp://, STARTTLS, smtps://, AUTH).
 *
 * Ownership: rd_mail_build appends to a caller-owned struct rd_buf; everything
 * else is borrowed for the call. The password is used for the call only and
 * never appears in a message or a log line.
 */
#ifndef RISKDESK_NOTIFY_H
#define RISKDESK_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/buf.h"
#include "riskdesk/error.h"

struct rd_mail {
    const char *from;               /* "addr@host" or "Display Name <addr@host>" */
    const char *const *to;          /* the same forms */
    size_t nto;
    const char *subject;            /* UTF-8; RFC 2047 encoded when not plain ASCII */
    const char *text;               /* the text/plain part, UTF-8, '\n' line ends */
    const char *html;               /* the text/html part, or NULL for text alone */
    int64_t date;                   /* Unix s for the Date header; 0 = now */
    const char *message_id;         /* "<id@host>"; NULL = generated from random bytes */
    const char *boundary;           /* NULL = generated; must not occur in the parts */
};

/*
 * Writes the whole message, CRLF line ends: Date, From, To, Subject,
 * Message-ID, MIME-Version, Content-Type (multipart/alternative with the text
 * part first, or text/plain alone), both parts quoted-printable in UTF-8 (no
 * line over 76 characters; no line starting with "." or "From "). RD_EINVAL
 * when a header value holds a CR, LF or NUL, or an address is unusable.
 */
int rd_mail_build(const struct rd_mail *m, struct rd_buf *out, struct rd_error *err);

/* The addr-spec of "Name <addr>" or "addr" into out; RD_EINVAL when there is none. */
int rd_mail_address(const char *s, char *out, size_t n, struct rd_error *err);

struct rd_smtp {
    const char *url;                /* smtp://host[:port] or smtps://host[:port] */
    int starttls;                   /* smtp://: require STARTTLS before anything else */
    const char *user;               /* NULL or "" = no AUTH */
    const char *password;
    long timeout_s;                 /* the whole exchange; 0 = 30 */
};

/*
 * Sends msg (a built message) to every address of to, from from's address,
 * over SMTP. RD_EIO (connection, TLS, the server's refusal) or RD_EAUTH
 * (login refused) with the URL and curl's words; RD_ETIMEOUT.
 */
int rd_smtp_send(const struct rd_smtp *c, const char *from, const char *const *to, size_t nto,
                 const char *msg, size_t len, struct rd_error *err);

#endif
