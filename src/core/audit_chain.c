/* The audit chain's canonical forms, entry hashes and entry checks
 * (audit_chain.h, docs/audit.md). */
#include "riskdesk/audit_chain.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "riskdesk/banned.h"

const char RD_AUDIT_ZERO_HASH[RD_SHA256_HEX] =
    "0000000000000000000000000000000000000000000000000000000000000000";

/* Appends n bytes to the form: into c->buf, which is hashed first when
 * they do not fit; bytes more than it holds go to the hash directly. */
static void put(struct rd_audit_canon *c, const void *p, size_t n)
{
    if (c->n + n > sizeof c->buf) {
        rd_sha256_update(&c->sha, c->buf, c->n);
        c->n = 0;
        if (n > sizeof c->buf) {
            rd_sha256_update(&c->sha, p, n);
            return;
        }
    }
    memcpy(c->buf + c->n, p, n);
    c->n += n;
}

void rd_audit_canon_init(struct rd_audit_canon *c, const char *kind)
{
    static const char magic[] = "riskdesk-record-v1\n";

    rd_sha256_init(&c->sha);
    c->n = 0;
    put(c, magic, sizeof magic - 1);
    put(c, kind, strlen(kind));
    put(c, "\n", 1);
}

/* "00" to "99": numbers are written two digits a step. */
static const char pairs[201] = "0001020304050607080910111213141516171819"
                               "2021222324252627282930313233343536373839"
                               "4041424344454647484950515253545556575859"
                               "6061626364656667686970717273747576777879"
                               "8081828384858687888990919293949596979899";

/* The number of decimal digits of u. */
static size_t digits(uint64_t u)
{
    size_t n = 1;

    for (uint64_t p = 10; n < 20 && u >= p; p *= 10)
        n++;
    return n;
}

/* u's decimal digits, the last at end[-1]. */
static void put_digits(char *end, uint64_t u)
{
    while (u >= 100) {
        uint64_t r = u % 100;

        u /= 100;
        end -= 2;
        memcpy(end, pairs + 2 * r, 2);
    }
    if (u >= 10)
        memcpy(end - 2, pairs + 2 * u, 2);
    else
        end[-1] = (char)('0' + u);
}

size_t rd_audit_i64_text(int64_t v, char out[24])
{
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    size_t n = (v < 0) + digits(u);

    out[0] = '-';   /* overwritten by the digits when v >= 0 */
    put_digits(out + n, u);
    out[n] = '\0';
    return n;
}

/* NAME "=" LEN ":" VALUE "\n", straight into the buffer when it fits (a
 * canonical form is hashed once for each record written, so this stays off
 * printf and off put's checks for each piece). */
static void field(struct rd_audit_canon *c, const char *name, const char *v, size_t vn)
{
    size_t nn = strlen(name), ln = digits(vn);
    size_t total = nn + ln + vn + 3;
    char *p = c->buf + c->n;

    if (c->n + total > sizeof c->buf) {   /* at the buffer's edge, or long: in pieces */
        char len[24];

        rd_audit_i64_text((int64_t)vn, len);
        put(c, name, nn);
        put(c, "=", 1);
        put(c, len, ln);
        put(c, ":", 1);
        if (vn)
            put(c, v, vn);
        put(c, "\n", 1);
        return;
    }
    memcpy(p, name, nn);
    p += nn;
    *p++ = '=';
    put_digits(p + ln, vn);
    p += ln;
    *p++ = ':';
    if (vn)
        memcpy(p, v, vn);
    p[vn] = '\n';
    c->n += total;
}

void rd_audit_canon_text(struct rd_audit_canon *c, const char *name, const char *v, size_t n)
{
    field(c, name, v, v ? strnlen(v, n) : 0);
}

void rd_audit_canon_str(struct rd_audit_canon *c, const char *name, const char *v)
{
    rd_audit_canon_text(c, name, v, v ? strlen(v) : 0);
}

void rd_audit_canon_i64(struct rd_audit_canon *c, const char *name, int64_t v)
{
    char num[24];

    field(c, name, num, rd_audit_i64_text(v, num));
}

void rd_audit_canon_end(struct rd_audit_canon *c, char hex[RD_SHA256_HEX])
{
    rd_sha256_update(&c->sha, c->buf, c->n);
    rd_sha256_final_hex(&c->sha, hex);
}

void rd_audit_entry_hash(const struct rd_audit_entry *e, char hex[RD_SHA256_HEX])
{
    struct rd_audit_canon c;

    rd_audit_canon_init(&c, "audit-entry");
    rd_audit_canon_text(&c, "chain", e->chain, sizeof e->chain);
    rd_audit_canon_i64(&c, "seq", e->seq);
    rd_audit_canon_i64(&c, "at", e->at);
    rd_audit_canon_text(&c, "actor", e->actor, sizeof e->actor);
    rd_audit_canon_text(&c, "kind", e->kind, sizeof e->kind);
    rd_audit_canon_text(&c, "subject", e->subject, sizeof e->subject);
    rd_audit_canon_text(&c, "record", e->record_hash, sizeof e->record_hash);
    rd_audit_canon_text(&c, "prev", e->prev_hash, sizeof e->prev_hash);
    rd_audit_canon_end(&c, hex);
}

int rd_audit_hash_valid(const char *s)
{
    for (int i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return s[64] == '\0';
}

/* Whether f (of size n) holds a NUL and no control character. */
static int text_ok(const char *f, size_t n, int may_be_empty)
{
    size_t len = strnlen(f, n);

    if (len == n || (!may_be_empty && len == 0))
        return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)f[i] < 0x20 || f[i] == 0x7f)
            return 0;
    return 1;
}

int rd_audit_entry_check(const struct rd_audit_entry *e, struct rd_error *err)
{
    static const char acct[] = "account:";

    if (!text_ok(e->chain, sizeof e->chain, 0) ||
        (strcmp(e->chain, "firm") != 0 &&
         (strncmp(e->chain, acct, sizeof acct - 1) != 0 || e->chain[sizeof acct - 1] == '\0')))
        return rd_error_set(err, RD_EINVAL,
                            "audit entry: chain: expected \"firm\" or \"account:NAME\"");
    if (e->seq < 1)
        return rd_error_set(err, RD_EINVAL, "audit entry %s: seq %" PRId64 ": expected 1 or more",
                            e->chain, e->seq);
    if (!text_ok(e->actor, sizeof e->actor, 0))
        return rd_error_set(err, RD_EINVAL, "audit entry %s #%" PRId64
                            ": actor: expected non-empty printable text", e->chain, e->seq);
    if (!text_ok(e->kind, sizeof e->kind, 0))
        return rd_error_set(err, RD_EINVAL, "audit entry %s #%" PRId64
                            ": kind: expected non-empty printable text", e->chain, e->seq);
    if (!text_ok(e->subject, sizeof e->subject, 1))
        return rd_error_set(err, RD_EINVAL, "audit entry %s #%" PRId64
                            ": subject: expected printable text", e->chain, e->seq);
    if (!rd_audit_hash_valid(e->record_hash) || !rd_audit_hash_valid(e->prev_hash) ||
        !rd_audit_hash_valid(e->hash))
        return rd_error_set(err, RD_EINVAL, "audit entry %s #%" PRId64
                            ": hashes: expected 64 lowercase hex digits each", e->chain, e->seq);
    return RD_OK;
}

/* Copies field i (bytes [p, end)) into dst of size n; 0 when it does not fit. */
static int take(char *dst, size_t n, const char *p, size_t len)
{
    if (len >= n)
        return 0;
    memcpy(dst, p, len);
    dst[len] = '\0';
    return 1;
}

static int parse_i64(const char *p, size_t len, int64_t *out)
{
    int64_t v = 0;
    int neg = len > 0 && p[0] == '-';

    if (len == (size_t)neg || len > 19u + (size_t)neg)
        return 0;
    for (size_t i = (size_t)neg; i < len; i++) {
        if (p[i] < '0' || p[i] > '9' || v > (INT64_MAX - (p[i] - '0')) / 10)
            return 0;
        v = v * 10 + (p[i] - '0');
    }
    *out = neg ? -v : v;
    return 1;
}

int rd_audit_entry_parse(const char *line, size_t n, struct rd_audit_entry *e,
                         struct rd_error *err)
{
    static const char *const names[9] = {"chain", "seq", "at", "actor", "kind", "subject",
                                          "record_hash", "prev_hash", "hash"};
    const char *p = line, *end = line + n;
    int ok = 1;

    memset(e, 0, sizeof *e);
    if (n > 0 && line[n - 1] == '\n')
        end--;
    for (int i = 0; i < 9; i++) {
        const char *tab = i < 8 ? memchr(p, '\t', (size_t)(end - p)) : end;
        size_t len;

        if (!tab)   /* field i is the last: the next one is missing */
            return rd_error_set(err, RD_EINVAL,
                                "audit entry line: field %d (%s) missing: expected 9 "
                                "tab-separated fields", i + 2, names[i + 1]);
        len = (size_t)(tab - p);
        if (memchr(p, '\0', len))
            ok = 0;
        else if (i == 0) ok = take(e->chain, sizeof e->chain, p, len);
        else if (i == 1) ok = parse_i64(p, len, &e->seq);
        else if (i == 2) ok = parse_i64(p, len, &e->at);
        else if (i == 3) ok = take(e->actor, sizeof e->actor, p, len);
        else if (i == 4) ok = take(e->kind, sizeof e->kind, p, len);
        else if (i == 5) ok = take(e->subject, sizeof e->subject, p, len);
        else if (i == 6) ok = take(e->record_hash, sizeof e->record_hash, p, len);
        else if (i == 7) ok = take(e->prev_hash, sizeof e->prev_hash, p, len);
        else ok = take(e->hash, sizeof e->hash, p, len);
        if (!ok)
            return rd_error_set(err, RD_EINVAL, "audit entry line: field %d (%s): %s", i + 1,
                                names[i], i == 1 || i == 2 ? "expected a decimal integer"
                                                           : "too long or holds a NUL");
        p = tab + 1;
    }
    return rd_audit_entry_check(e, err);
}
