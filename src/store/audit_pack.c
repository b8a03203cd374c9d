/*
 * audit_pack.c - a commit's entries of one chain as the one text the backends
 * store in a row of audit_packs (docs/audit.md, "Storage"): a JSON array, one
 * object a line,
 *
 *   [{"seq":7,"at":1796000000,"actor":"dispatcher:large","kind":"decision",
 *     "subject":"12","record_hash":"<64 hex>","hash":"<64 hex>"},
 *   {"seq":8,...}]
 *
 * (each object on one line). An entry's prev_hash is not repeated: it is the
 * hash of the entry before it, or the row's prev_hash for the first; the
 * verifier still checks every link, since it compares each entry's prev_hash
 * (taken from there) with the hash it recomputes for the one before.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "riskdesk/alloc.h"
#include "store/audit_int.h"
#include "riskdesk/banned.h"

struct out {
    char *p;
    size_t n, cap;
};

static void put(struct out *o, const char *s, size_t n)
{
    memcpy(o->p + o->n, s, n);
    o->n += n;
}

/* A literal, its length known where it is written. */
#define PUT_LIT(o, lit) put((o), (lit), sizeof(lit) - 1)

static void put_i64(struct out *o, int64_t v)
{
    o->n += rd_audit_i64_text(v, o->p + o->n);
}

/* The length of the valid UTF-8 sequence at s (of n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len = s[0] >= 0xf5   ? 0
                 : s[0] >= 0xf0 ? 4
                 : s[0] >= 0xe0 ? 3
                 : s[0] >= 0xc2 ? 2
                                : 0;

    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((len == 3 && s[0] == 0xe0 && s[1] < 0xa0) || (len == 3 && s[0] == 0xed && s[1] >= 0xa0) ||
        (len == 4 && s[0] == 0xf0 && s[1] < 0x90) || (len == 4 && s[0] == 0xf4 && s[1] >= 0x90))
        return 0;
    return len;
}

/* Whether byte c goes into a JSON string as it is: printable ASCII but the
 * quote and the backslash (a NUL ends the text). Most texts, and every hash,
 * are such bytes only: they are copied a run at a time. */
static int plain(unsigned char c)
{
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/* key (`,"NAME":"`), then v escaped, then the closing quote; RD_EINVAL
 * naming the field when v is not UTF-8. */
static int put_str(struct out *o, const char *key, size_t keylen, const char *v,
                   const struct rd_audit_entry *e, struct rd_error *err)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)v;
    size_t i = 0;

    put(o, key, keylen);
    for (;;) {
        size_t run = i;

        while (plain(u[run]))
            run++;
        put(o, v + i, run - i);
        i = run;
        if (u[i] == '\0')
            break;
        if (u[i] == '"' || u[i] == '\\') {
            o->p[o->n++] = '\\';
            o->p[o->n++] = (char)u[i++];
        } else if (u[i] < 0x20 || u[i] == 0x7f) {
            PUT_LIT(o, "\\u00");
            o->p[o->n++] = hex[u[i] >> 4];
            o->p[o->n++] = hex[u[i] & 15];
            i++;
        } else {
            size_t k = utf8_len(u + i, strlen(v + i));

            if (k == 0)
                return rd_error_set(err, RD_EINVAL, "audit: %s entry #%lld of %s: its %.*s is "
                                    "not UTF-8", e->kind, (long long)e->seq, e->chain,
                                    (int)keylen - 5, key + 2);
            put(o, v + i, k);
            i += k;
        }
    }
    o->p[o->n++] = '"';
    return RD_OK;
}

/* An entry's text fields in the order written, each with its key. */
#define KEY(name) {",\"" name "\":\"", sizeof(name) + 4}
static const struct {
    const char *text;
    size_t len;
} keys[5] = {KEY("actor"), KEY("kind"), KEY("subject"), KEY("record_hash"), KEY("hash")};

int rd_audit_pack_encode(const struct rd_audit_entry *e, size_t n, char **text, size_t *len,
                         struct rd_error *err)
{
    struct out o = {0};
    int rc = RD_OK;

    *text = NULL;
    *len = 0;
    /* each byte of a text escaped at worst to 6 */
    o.cap = 3;
    for (size_t i = 0; i < n; i++)
        o.cap += 6 * (sizeof e[i].actor + sizeof e[i].kind + sizeof e[i].subject) +
                 2 * RD_SHA256_HEX + 160;
    o.p = rd_malloc(o.cap);
    if (!o.p)
        return rd_error_set(err, RD_ENOMEM, "audit: packing %zu entries", n);
    o.p[o.n++] = '[';
    for (size_t i = 0; i < n && rc == RD_OK; i++) {
        const char *const v[5] = {e[i].actor, e[i].kind, e[i].subject, e[i].record_hash,
                                  e[i].hash};

        if (i)
            PUT_LIT(&o, ",\n");
        PUT_LIT(&o, "{\"seq\":");
        put_i64(&o, e[i].seq);
        PUT_LIT(&o, ",\"at\":");
        put_i64(&o, e[i].at);
        for (size_t k = 0; k < 5 && rc == RD_OK; k++)
            rc = put_str(&o, keys[k].text, keys[k].len, v[k], &e[i], err);
        o.p[o.n++] = '}';
    }
    if (rc != RD_OK) {
        rd_free(o.p);
        return rc;
    }
    o.p[o.n++] = ']';
    o.p[o.n] = '\0';
    *text = o.p;
    *len = o.n;
    return RD_OK;
}

/* ---- reading ---- */

static int bad(struct rd_error *err, const char *chain, size_t i, const char *what)
{
    return rd_error_set(err, RD_ESTORE, "audit pack of %s: entry %zu of the row: %s", chain,
                        i + 1, what);
}

static int get_text(json_t *o, const char *name, char *out, size_t cap, const char *chain,
                    size_t i, struct rd_error *err)
{
    json_t *v = json_object_get(o, name);
    char what[80];

    if (!json_is_string(v) || json_string_length(v) >= cap) {   /* jansson refuses \u0000 */
        snprintf(what, sizeof what, "\"%s\" is missing, not a string or longer than %zu bytes",
                 name, cap - 1);
        return bad(err, chain, i, what);
    }
    memcpy(out, json_string_value(v), json_string_length(v) + 1);
    return RD_OK;
}

static int get_i64(json_t *o, const char *name, int64_t *out, const char *chain, size_t i,
                   struct rd_error *err)
{
    json_t *v = json_object_get(o, name);
    char what[64];

    if (!json_is_integer(v)) {
        snprintf(what, sizeof what, "\"%s\" is missing or not an integer", name);
        return bad(err, chain, i, what);
    }
    *out = (int64_t)json_integer_value(v);
    return RD_OK;
}

int rd_audit_pack_visit(const char *chain, const char *prev_hash, const char *text, size_t len,
                        int64_t from, int (*visit)(void *ctx, const struct rd_audit_entry *),
                        void *ctx, struct rd_error *err)
{
    json_error_t jerr;
    json_t *a = json_loadb(text, len, 0, &jerr);
    struct rd_audit_entry e;
    char prev[RD_SHA256_HEX];
    int rc = RD_OK;

    if (!a)
        return rd_error_set(err, RD_ESTORE, "audit pack of %s: not JSON at byte %d: %s", chain,
                            jerr.position, jerr.text);
    if (!json_is_array(a)) {
        json_decref(a);
        return rd_error_set(err, RD_ESTORE, "audit pack of %s: not a JSON array", chain);
    }
    snprintf(prev, sizeof prev, "%s", prev_hash);
    for (size_t i = 0; i < json_array_size(a) && rc == RD_OK; i++) {
        json_t *o = json_array_get(a, i);

        memset(&e, 0, sizeof e);
        if (snprintf(e.chain, sizeof e.chain, "%s", chain) >= (int)sizeof e.chain)
            rc = bad(err, chain, i, "the chain's name is too long");
        else if (!json_is_object(o))
            rc = bad(err, chain, i, "not a JSON object");
        if (rc != RD_OK ||
            (rc = get_i64(o, "seq", &e.seq, chain, i, err)) != RD_OK ||
            (rc = get_i64(o, "at", &e.at, chain, i, err)) != RD_OK ||
            (rc = get_text(o, "actor", e.actor, sizeof e.actor, chain, i, err)) != RD_OK ||
            (rc = get_text(o, "kind", e.kind, sizeof e.kind, chain, i, err)) != RD_OK ||
            (rc = get_text(o, "subject", e.subject, sizeof e.subject, chain, i, err)) != RD_OK ||
            (rc = get_text(o, "record_hash", e.record_hash, sizeof e.record_hash, chain, i,
                           err)) != RD_OK ||
            (rc = get_text(o, "hash", e.hash, sizeof e.hash, chain, i, err)) != RD_OK)
            break;
        memcpy(e.prev_hash, prev, sizeof prev);
        memcpy(prev, e.hash, sizeof prev);
        if (e.seq >= from)
            rc = visit(ctx, &e);
    }
    json_decref(a);
    return rc;
}
