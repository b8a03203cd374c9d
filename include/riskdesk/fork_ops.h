/*
 * fork_ops.h - forks on a store (docs/hierarchy.md, "Forks"): assessing a
 * node (its prerequisites and confidence, stored with their factors) and
 * executing a fork exactly once, in one store transaction: the op, each
 * child's account definition and node, the ledger transfer, the paper
 * cashes and the parent's state rows (ACTIVE -> FORKING -> ACTIVE). The
 * config's fork_split, when it is for the parent's type
 * (rd_fork_split_applies), spreads the amount over several children.
 *
 * Ownership: every struct is caller-owned and fixed-size; strings and
 * arrays passed in are read during the call only.
 */
#ifndef RISKDESK_FORK_OPS_H
#define RISKDESK_FORK_OPS_H

#include "riskdesk/config.h"
#include "riskdesk/fork.h"
#include "riskdesk/hierarchy_ops.h"
#include "riskdesk/store.h"

/* What a fork is asked for. */
struct rd_fork_request {
    const struct rd_config *cfg;            /* types, accounts (names taken), snapshots' config */
    const struct rd_account_config *acct;   /* the parent: a node */
    const char *key;                        /* NULL or "": fork/PARENT/N, N = forks so far + 1 */
    int force;                              /* skip the confidence rule, never a prerequisite */
    int vix_known;                          /* the market factor's VIX; unknown: 0 */
    int64_t vix;                            /* ppm */
};

/* An assessment: the node's numbers and the factors, as stored. */
struct rd_fork_assessment {
    struct rd_fork_assess_row row;          /* id, surplus, amount, factors, action */
    enum rd_node_type type;
    enum rd_node_type child_type;           /* of the first child (cfg's fork_split's when it
                                             * is for the node's type) */
    rd_money threshold;
};

/* A fork done (or replayed). */
struct rd_fork_result {
    struct rd_hier_op_row op;               /* key, status, result JSON */
    int replayed;                           /* the key's stored result; nothing written */
    char parent[64];
    struct rd_fork_child children[RD_FORK_SPLIT_MAX];
    size_t nchildren;
    int64_t txn;                            /* the ledger transaction */
};

/*
 * Assesses a fork of r->acct now: its prerequisites (rd_fork_check; a
 * refusal is returned, RD_EREJECTED with its code, and nothing stored) and
 * its confidence, stored as an assessment (out->row.id). The performance
 * factor reads the account's snapshots (perf_report.h).
 */
int rd_fork_assess_node(struct rd_store *s, const struct rd_fork_request *r,
                        const struct rd_hier_actor *by, struct rd_fork_assessment *out,
                        struct rd_error *err);

/*
 * Executes a fork of r->acct exactly once (docs/hierarchy.md). The key's op
 * done before with the same parameters: its result, replayed, nothing
 * written; with others: RD_EEXIST "idempotency_conflict". A prerequisite
 * unmet: RD_EREJECTED with its code, nothing written. Without force, a
 * confidence below 0.80 (below 0.70, or with the market open) is refused,
 * RD_EREJECTED "low_confidence", with the assessment stored (out->op.id 0;
 * *assessment_id its id) for `fork approve`.
 * RISKDESK_CRASH_AT=fork.begin|fork.child|fork.ledger|fork.commit|
 * fork.after_commit kills the process at that step (tests).
 */
int rd_fork_execute(struct rd_store *s, const struct rd_fork_request *r,
                    const struct rd_hier_actor *by, struct rd_fork_result *out,
                    int64_t *assessment_id, struct rd_error *err);

/* Assesses every node of the store (rd_fork_assess_node with r's VIX; r->acct
 * is found per node) and hands each that meets the prerequisites to visit,
 * in account order; a node refused is no opportunity and is skipped. store
 * 0: nothing is written (a read; each a->row.id is 0). */
int rd_fork_scan(struct rd_store *s, const struct rd_fork_request *r,
                 const struct rd_hier_actor *by, int store,
                 int (*visit)(void *ctx, const struct rd_fork_assessment *a), void *ctx,
                 struct rd_error *err);

/* A person approves assessment: rd_fork_execute of its account with force
 * (its prerequisites checked again; r gives the key and VIX). Refused when
 * a fork of its node followed it (the assessment is stale); RD_ENOTFOUND
 * when no assessment has the id. */
int rd_fork_approve(struct rd_store *s, const struct rd_fork_request *r, int64_t assessment,
                    const struct rd_hier_actor *by, struct rd_fork_result *out,
                    int64_t *assessment_id, struct rd_error *err);

/* Forks made from account (done ops). */
int rd_fork_count(struct rd_store *s, const char *account, int *n, struct rd_error *err);

#endif
