/*
 * postgres_errors.c - a PostgreSQL store's URLs and failures as messages, the
 * password never in them: "postgres://user:***@host/db: what: why". The
 * lowest of the backend's files: it calls nothing of the others.
 */
#include "store/postgres_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "riskdesk/banned.h"

/* ---- URLs and messages without the password ---- */

struct sbuf {
    char *p;
    size_t n, used;
};

static void sb_put(struct sbuf *b, const char *s, size_t len)
{
    if (b->used + 1 >= b->n)
        return;
    if (len > b->n - 1 - b->used)
        len = b->n - 1 - b->used;
    memcpy(b->p + b->used, s, len);
    b->used += len;
    b->p[b->used] = '\0';
}

/*
 * url with the password shown as "***": the one in USER:PASSWORD@ and any
 * password=... parameter. Cut to fit n.
 */
void rd_pg_mask_url(const char *url, char *out, size_t n)
{
    struct sbuf b = {out, n, 0};
    const char *sep = strstr(url, "://");
    const char *auth, *auth_end, *at = NULL, *q;

    out[0] = '\0';
    if (!sep) {
        sb_put(&b, url, strcspn(url, "?"));
        return;
    }
    auth = sep + 3;
    auth_end = auth + strcspn(auth, "/?#");
    for (const char *p = auth; p < auth_end; p++)
        if (*p == '@')
            at = p;
    sb_put(&b, url, (size_t)(auth - url));
    if (at) {
        const char *colon = memchr(auth, ':', (size_t)(at - auth));

        if (colon) {
            sb_put(&b, auth, (size_t)(colon - auth));
            sb_put(&b, ":***", 4);
        } else {
            sb_put(&b, auth, (size_t)(at - auth));
        }
        auth = at;
    }
    q = strchr(auth_end, '?');
    sb_put(&b, auth, (size_t)((q ? q : auth_end + strlen(auth_end)) - auth));
    if (!q)
        return;
    for (const char *p = q + 1, *end; *p; p = *end ? end + 1 : end) {
        size_t len;

        end = p + strcspn(p, "&");
        len = (size_t)(end - p);
        sb_put(&b, p == q + 1 ? "?" : "&", 1);
        if (len >= 9 && !memcmp(p, "password=", 9))
            sb_put(&b, "password=***", 12);
        else
            sb_put(&b, p, len);
    }
}

void rd_store_url_mask(const char *url, char *out, size_t n)
{
    if (n)
        rd_pg_mask_url(url, out, n);
}

/* msg made one line (libpq's messages end in newlines and may have several),
 * with the connection's password, if it somehow appears, as "***". */
void rd_pg_clean_message(PGconn *conn, const char *msg, char *out, size_t n)
{
    const char *pw = conn ? PQpass(conn) : NULL;
    size_t pwlen = pw ? strlen(pw) : 0;
    struct sbuf b = {out, n, 0};
    const char *p = msg ? msg : "";

    out[0] = '\0';
    while (*p) {
        if (pwlen >= 3 && !strncmp(p, pw, pwlen)) {
            sb_put(&b, "***", 3);
            p += pwlen;
        } else if (*p == '\n' || *p == '\r' || *p == '\t') {
            if (b.used && out[b.used - 1] != ' ' && p[1])
                sb_put(&b, "; ", 2);
            p++;
        } else {
            sb_put(&b, p, 1);
            p++;
        }
    }
    while (b.used && (out[b.used - 1] == ' ' || out[b.used - 1] == ';'))
        out[--b.used] = '\0';
}

/* The server's words for a failed result, or libpq's for the connection. */
static void error_text(const struct rd_pg_store *q, const PGresult *res, char *out, size_t n)
{
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    char both[768];

    if (primary) {
        snprintf(both, sizeof both, "%s%s%s", primary, detail ? " (" : "", detail ? detail : "");
        if (detail)
            snprintf(both + strlen(both), sizeof both - strlen(both), ")");
        rd_pg_clean_message(q->conn, both, out, n);
    } else {
        rd_pg_clean_message(q->conn, q->conn ? PQerrorMessage(q->conn) : "no connection", out, n);
    }
    if (q->conn && PQstatus(q->conn) == CONNECTION_BAD)
        snprintf(out + strlen(out), n - strlen(out),
                 " (the connection is lost, and the account locks it held with it; "
                 "reopen the store)");
}

/*
 * Turns a failed result into an rd error: unique_violation (23505) is
 * RD_EEXIST, foreign_key_violation (23503) RD_ENOTFOUND, anything else
 * RD_ESTORE naming the database (password masked) and the operation (fmt).
 * res may be NULL (libpq could not send the query).
 */
int rd_pg_failf(struct rd_pg_store *q, const PGresult *res, struct rd_error *err,
                const char *fmt, ...)
{
    char what[256];
    char msg[384];
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    error_text(q, res, msg, sizeof msg);
    if (state && !strcmp(state, "23505"))
        return rd_error_set(err, RD_EEXIST, "%s: already exists (%s)", what, msg);
    if (state && !strcmp(state, "23503"))
        return rd_error_set(err, RD_ENOTFOUND, "%s: refers to a row that is not in the store (%s)",
                            what, msg);
    return rd_error_set(err, RD_ESTORE, "postgres %s: %s: %s", q->base.url, what, msg);
}
