/*
 * audit_chain.h - the audit trail's pure part: SHA-256, a record's canonical
 * form and an entry's own hash (docs/audit.md). Nothing here allocates or
 * does I/O; every struct is the caller's.
 *
 * A record's canonical form is the byte string
 *     "riskdesk-record-v1\n" KIND "\n" then, for each field in its fixed order,
 *     NAME "=" LEN ":" VALUE "\n"
 * with LEN the value's length in bytes (decimal), integers in decimal, text as
 * stored (an empty text and a NULL are the same: ""). The length makes the
 * form unambiguous whatever bytes a value holds.
 */
#ifndef RISKDESK_AUDIT_CHAIN_H
#define RISKDESK_AUDIT_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/sha.h>

#include "riskdesk/error.h"

#define RD_SHA256_SIZE 32
#define RD_SHA256_HEX 65              /* 64 lowercase hex digits + NUL */

/* OpenSSL's streaming state, on the caller's side: nothing is allocated. */
struct rd_sha256 {
    SHA256_CTX ctx;
};

void rd_sha256_init(struct rd_sha256 *c);
void rd_sha256_update(struct rd_sha256 *c, const void *data, size_t n);
void rd_sha256_final(struct rd_sha256 *c, unsigned char out[RD_SHA256_SIZE]);
void rd_sha256_final_hex(struct rd_sha256 *c, char out[RD_SHA256_HEX]);
/* One call: hex of SHA-256(data). */
void rd_sha256_hex(const void *data, size_t n, char out[RD_SHA256_HEX]);

/* A canonical form being hashed, field by field: gathered in buf and hashed
 * a buffer at a time (the form is never kept whole). */
struct rd_audit_canon {
    struct rd_sha256 sha;
    size_t n;                         /* bytes in buf not hashed yet */
    char buf[512];
};

void rd_audit_canon_init(struct rd_audit_canon *c, const char *kind);
/* A text field of at most n bytes (stops at a NUL: fixed-size fields). */
void rd_audit_canon_text(struct rd_audit_canon *c, const char *name, const char *v, size_t n);
void rd_audit_canon_str(struct rd_audit_canon *c, const char *name, const char *v);
void rd_audit_canon_i64(struct rd_audit_canon *c, const char *name, int64_t v);
/* v in decimal into out (NUL-terminated); returns its length. */
size_t rd_audit_i64_text(int64_t v, char out[24]);
/* The form's SHA-256 in hex; c is spent. */
void rd_audit_canon_end(struct rd_audit_canon *c, char hex[RD_SHA256_HEX]);

#define RD_AUDIT_CHAIN_MAX 80         /* "firm" or "account:" + an account name */
#define RD_AUDIT_ACTOR_MAX 96
#define RD_AUDIT_KIND_MAX 24
#define RD_AUDIT_SUBJECT_MAX 160

/* One link of a chain. seq counts from 1; the first entry's prev_hash is 64
 * zeros (RD_AUDIT_ZERO_HASH). */
struct rd_audit_entry {
    char chain[RD_AUDIT_CHAIN_MAX];
    int64_t seq;
    int64_t at;                       /* Unix s, when it was written */
    char actor[RD_AUDIT_ACTOR_MAX];   /* a user, "token:ID", "dispatcher:ACCOUNT", "cli:USER" */
    char kind[RD_AUDIT_KIND_MAX];     /* "decision", "order", ... */
    char subject[RD_AUDIT_SUBJECT_MAX]; /* the record's id */
    char record_hash[RD_SHA256_HEX];
    char prev_hash[RD_SHA256_HEX];
    char hash[RD_SHA256_HEX];
};

extern const char RD_AUDIT_ZERO_HASH[RD_SHA256_HEX];

/* The entry's own hash: SHA-256 of the canonical form (kind "audit-entry") of
 * chain, seq, at, actor, kind, subject, record_hash and prev_hash. */
void rd_audit_entry_hash(const struct rd_audit_entry *e, char hex[RD_SHA256_HEX]);

/* Whether s is 64 lowercase hex digits. */
int rd_audit_hash_valid(const char *s);

/*
 * Checks an entry read from outside (a row of the store, a line a person
 * gave): every text field NUL-terminated and of known shape (chain "firm" or
 * "account:NAME", kind and actor non-empty, seq >= 1, three valid hashes).
 * RD_EINVAL naming the field and what was expected.
 */
int rd_audit_entry_check(const struct rd_audit_entry *e, struct rd_error *err);

/*
 * Parses one entry from its text line as `audit show` prints it and as the
 * fuzz target feeds it: nine tab-separated fields in struct order
 * (chain, seq, at, actor, kind, subject, record_hash, prev_hash, hash), then
 * rd_audit_entry_check. RD_EINVAL naming the field otherwise.
 */
int rd_audit_entry_parse(const char *line, size_t n, struct rd_audit_entry *e,
                         struct rd_error *err);

#endif
