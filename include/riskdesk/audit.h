/*
 * audit.h - the audit trail (docs/audit.md): who writes through a store
 * handle, and checking the chains against the records they cover. The store
 * appends the entries itself, in the transaction of each record it writes;
 * nothing here writes a record.
 *
 * Ownership: every struct is the caller's; visitors see entries and problems
 * only for the length of the call.
 */
#ifndef RISKDESK_AUDIT_H
#define RISKDESK_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/audit_chain.h"
#include "riskdesk/error.h"
#include "riskdesk/store.h"

/* Who the handle's next writes are for: "dispatcher:large", "user:ann",
 * "token:12", "cli:ops"... (cut to RD_AUDIT_ACTOR_MAX - 1 bytes; NULL or ""
 * puts back the default, "riskdesk"). */
void rd_audit_actor_set(struct rd_store *s, const char *actor);

/* The chain of an account ("account:NAME"), or the firm's ("firm") for NULL.
 * RD_EINVAL when the name does not fit. */
int rd_audit_chain_name(const char *account, char out[RD_AUDIT_CHAIN_MAX], struct rd_error *err);

/* One thing verify found wrong. seq is the entry it concerns (0: a record no
 * entry covers). */
struct rd_audit_problem {
    char chain[RD_AUDIT_CHAIN_MAX];
    int64_t seq;
    char kind[RD_AUDIT_KIND_MAX];
    char subject[RD_AUDIT_SUBJECT_MAX];
    char what[320];
};

struct rd_audit_summary {
    int64_t chains;
    int64_t entries;
    int64_t records;          /* records re-hashed */
    int64_t problems;
    int anchor_found;         /* --anchor given and it is an entry of a chain walked */
};

/*
 * Walks the chains (account non-NULL: that account's only) and re-hashes the
 * records they cover: every link (seq one more than the last, prev_hash the
 * last's hash, hash recomputed), the last entry of each record against the
 * record as it is now (edited, deleted), and every record against the chain
 * (one inserted with no entry). Each problem goes to `problem` in the order
 * of the chain (links first as walked; then records by seq), the first being
 * the first broken link. anchor non-NULL: a head hash kept elsewhere; it must
 * be the hash of an entry of a chain walked, or that is a problem (the chain
 * was rewritten at or before it). RD_OK whatever was found (sum->problems
 * counts them); an error only when the store could not be read.
 */
int rd_audit_verify(struct rd_store *s, const char *account, const char *anchor,
                    int (*problem)(void *ctx, const struct rd_audit_problem *p), void *ctx,
                    struct rd_audit_summary *sum, struct rd_error *err);

#endif
