/*
 * audit_int.h - how the store's backends append to the audit trail
 * (docs/audit.md). A write function that records something calls
 * rd_audit_begin before it writes and rd_audit_end after, and in between the
 * rd_audit_RECORD call for each record it wrote; the entries are kept on the
 * handle and written at the outermost commit (rd_audit_flush, which the
 * backend's commit calls before COMMIT), so they land in the same
 * transaction as their records or not at all. rollback and close call
 * rd_audit_drop. Backend-internal; nothing outside src/store includes it.
 */
#ifndef RISKDESK_AUDIT_INT_H
#define RISKDESK_AUDIT_INT_H

#include "riskdesk/audit.h"
#include "riskdesk/store.h"

struct rd_buf;

/* Opens a transaction level for a write (a real one when none is open). */
int rd_audit_begin(struct rd_store *s, struct rd_error *err);
/* Ends it: rc is the write's result (with its note's) and is returned when
 * not RD_OK; otherwise the commit's. A write that fails alone (RD_EEXIST,
 * RD_ENOTFOUND, RD_EINVAL: nothing written) leaves an outer transaction
 * going; any other failure rolls the level back (a record without its entry
 * must not commit). */
int rd_audit_end(struct rd_store *s, int rc, struct rd_error *err);

/* Notes an entry of chain for the record (kind, subject) whose canonical
 * form hashes to record_hash. */
int rd_audit_note(struct rd_store *s, const char *chain, const char *kind, const char *subject,
                  const char record_hash[RD_SHA256_HEX], struct rd_error *err);
/* Writes the noted entries, chain by chain in name order, each after its
 * chain's head (ops->audit->head, which holds the chain). */
int rd_audit_flush(struct rd_store *s, struct rd_error *err);
/* Forgets the noted entries (rollback); frees them (close). */
void rd_audit_drop(struct rd_store *s);
void rd_audit_free(struct rd_store *s);

/*
 * Packs (audit_pack.c): the backends keep a commit's entries of one chain in
 * one row of audit_packs (migration 16; docs/audit.md, "Storage"), with the
 * chain, the first and last seq, the last entry's time and hash, and the
 * prev_hash of the first. rd_audit_pack_encode writes e[0..n) (consecutive,
 * one chain) as the row's text, rd_malloc'ed for the caller in *text
 * (*len bytes); RD_EINVAL names a field that is not UTF-8.
 * rd_audit_pack_visit reads a row's text back and visits each entry whose seq
 * is >= from, whole: chain from the row, prev_hash the entry's before it
 * (prev_hash, the row's, for the first). It returns what a visit returned
 * when that was not 0, and RD_ESTORE naming the chain and the entry when the
 * text is not what encode writes.
 */
int rd_audit_pack_encode(const struct rd_audit_entry *e, size_t n, char **text, size_t *len,
                         struct rd_error *err);
/* The most entries a row holds: rd_audit_flush gives a commit with more (a
 * genesis of a large database, a dispatcher's --batch 5000) several rows,
 * so no row's text passes about a megabyte. */
#define RD_AUDIT_PACK_MAX 1000
int rd_audit_pack_visit(const char *chain, const char *prev_hash, const char *text, size_t len,
                        int64_t from, int (*visit)(void *ctx, const struct rd_audit_entry *),
                        void *ctx, struct rd_error *err);

/* The records (audit_records.c): each canonical form's hash, and the note
 * of an entry for the record in its chain. A decision's verdicts are hashed
 * as stored (rd_store_verdicts_encode's text): the write that just encoded
 * them passes them; NULL encodes them here from the row. */
void rd_audit_decision_hash(const struct rd_decision_row *r, const char *verdicts,
                            char hex[RD_SHA256_HEX]);
void rd_audit_order_hash(const struct rd_order_row *o, char hex[RD_SHA256_HEX]);
void rd_audit_state_hash(const struct rd_hier_state_row *t, char hex[RD_SHA256_HEX]);
void rd_audit_txn_hash(const struct rd_ledger_txn *t, const struct rd_ledger_entry *e, size_t n,
                       char hex[RD_SHA256_HEX]);
void rd_audit_token_hash(const struct rd_token_row *t, char hex[RD_SHA256_HEX]);
void rd_audit_user_hash(const struct rd_user_row *u, char hex[RD_SHA256_HEX]);
void rd_audit_assignment_hash(const struct rd_assignment_row *a, char hex[RD_SHA256_HEX]);
void rd_audit_account_def_hash(const struct rd_account_def_row *a, char hex[RD_SHA256_HEX]);
void rd_audit_event_hash(const struct rd_admin_event_row *e, char hex[RD_SHA256_HEX]);

int rd_audit_decision(struct rd_store *s, const struct rd_decision_row *r, const char *verdicts,
                      struct rd_error *err);
int rd_audit_order(struct rd_store *s, const struct rd_order_row *o, struct rd_error *err);
int rd_audit_state(struct rd_store *s, const struct rd_hier_state_row *t, struct rd_error *err);
int rd_audit_txn(struct rd_store *s, const struct rd_ledger_txn *t,
                 const struct rd_ledger_entry *e, size_t n, struct rd_error *err);
int rd_audit_token(struct rd_store *s, const struct rd_token_row *t, struct rd_error *err);
/* An admin event, on its account's chain (the firm's for account ""). */
int rd_audit_event(struct rd_store *s, const struct rd_admin_event_row *e, struct rd_error *err);
/* After token_revoke: reads the token back and notes it. */
int rd_audit_token_changed(struct rd_store *s, int64_t id, struct rd_error *err);
/* After user_put or assignment_add (which changes the user's account). */
int rd_audit_user_changed(struct rd_store *s, const char *id, struct rd_error *err);
/* After assignment_add: the user's newest assignment and the user row it
 * changed. */
int rd_audit_assignment_added(struct rd_store *s, const char *user, struct rd_error *err);
/* After account_def_put: the definition read back, on the account's chain. */
int rd_audit_account_def_changed(struct rd_store *s, const struct rd_account_def_row *changed,
                                 struct rd_error *err);

/*
 * Once per database (kv "audit"/"genesis" marks it done): every chain with
 * no entry yet gets one entry per record it covers, actor "genesis", so a
 * database from before the audit trail is chained from its rows as they are;
 * nothing is rewritten. A new database only gets the mark. rd_store_open
 * calls it.
 */
int rd_audit_genesis(struct rd_store *s, struct rd_error *err);

/* ---- the audited writes (audit_writes.c): raw is the backend's own ---- */

/* A backend's decisions_record that also appends each decision's encoded
 * verdicts, NUL-terminated and in the rows' order, to its rd_buf: the
 * entries hash that text, so each decision is encoded once. */
typedef int (*rd_audit_record_fn)(struct rd_store *, struct rd_decision_row *, size_t,
                                  struct rd_order_row *, const size_t *, size_t,
                                  struct rd_buf *, struct rd_error *);

/* raw encodes the row's verdicts into its third argument (an
 * RD_STORE_VERDICTS_MAX buffer) and writes them: the entry hashes that text,
 * so each decision is encoded once. */
int rd_audit_decision_add(struct rd_store *s, struct rd_decision_row *row,
                          int (*raw)(struct rd_store *, struct rd_decision_row *, char *,
                                     struct rd_error *),
                          struct rd_error *err);
int rd_audit_decisions_record(struct rd_store *s, struct rd_decision_row *rows, size_t n,
                              struct rd_order_row *orders, const size_t *order_row,
                              size_t norders, rd_audit_record_fn raw, struct rd_error *err);
int rd_audit_order_add(struct rd_store *s, const struct rd_order_row *o,
                       int (*raw)(struct rd_store *, const struct rd_order_row *,
                                  struct rd_error *),
                       struct rd_error *err);
/* raw writes o's changes and fills whole with the order as it now stands,
 * which is what the entry notes (no read back). */
int rd_audit_order_update(struct rd_store *s, const struct rd_order_row *o,
                          int (*raw)(struct rd_store *, const struct rd_order_row *,
                                     struct rd_order_row *whole, struct rd_error *),
                          struct rd_error *err);
/* The same for orders[0..n) written at once: raw fills wholes[0..n). */
int rd_audit_order_update_many(struct rd_store *s, const struct rd_order_row *orders, size_t n,
                               int (*raw)(struct rd_store *, const struct rd_order_row *, size_t,
                                          struct rd_order_row *wholes, struct rd_error *),
                               struct rd_error *err);
int rd_audit_token_add(struct rd_store *s, struct rd_token_row *t,
                       int (*raw)(struct rd_store *, struct rd_token_row *, struct rd_error *),
                       struct rd_error *err);
int rd_audit_token_revoke(struct rd_store *s, int64_t id, int64_t at,
                          int (*raw)(struct rd_store *, int64_t, int64_t, struct rd_error *),
                          struct rd_error *err);
int rd_audit_user_put(struct rd_store *s, const struct rd_user_row *u, int only_new,
                      int (*raw)(struct rd_store *, const struct rd_user_row *, int,
                                 struct rd_error *),
                      struct rd_error *err);
int rd_audit_assignment_add(struct rd_store *s, struct rd_assignment_row *a,
                            int (*raw)(struct rd_store *, struct rd_assignment_row *,
                                       struct rd_error *),
                            struct rd_error *err);
int rd_audit_account_def_put(struct rd_store *s, const struct rd_account_def_row *a,
                             int only_new,
                             int (*raw)(struct rd_store *, const struct rd_account_def_row *, int,
                                        struct rd_error *),
                             struct rd_error *err);

#endif
