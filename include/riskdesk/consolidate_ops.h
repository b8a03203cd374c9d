/*
 * consolidate_ops.h - consolidations on a store (docs/hierarchy.md,
 * "Consolidation"): assessing a node (its triggers, its target by strategy,
 * the refusals and the confidence), executing a consolidation exactly once
 * by its key, and finishing one once its source is flat.
 *
 * A full consolidation (parent, sibling, new) puts the source in MERGING
 * with an open op; its dispatcher exits its positions (client order ids from
 * the op, order_id.h); once flat, one store transaction moves all of its
 * capital to the target (ledger kind merge, both paper cashes), closes it
 * (CLOSED at capital 0) and finishes the op. A partial one moves --amount
 * (kind partial) in one transaction, with no change of state.
 *
 * Ownership: every struct is caller-owned and fixed-size; strings passed in
 * are read during the call only.
 */
#ifndef RISKDESK_CONSOLIDATE_OPS_H
#define RISKDESK_CONSOLIDATE_OPS_H

#include "riskdesk/config.h"
#include "riskdesk/consolidate.h"
#include "riskdesk/hierarchy_ops.h"
#include "riskdesk/store.h"

struct rd_merge_request {
    const struct rd_config *cfg;
    const struct rd_account_config *acct;   /* the source: a node */
    enum rd_merge_strategy strategy;
    const char *into;                       /* NULL or "": the strategy's target */
    rd_money amount;                        /* partial: what moves (> 0) */
    const char *key;                        /* NULL or "": consolidate/SOURCE/N */
    int force;                              /* skip the confidence rule, never a refusal */
};

/* What an assessment found. */
struct rd_merge_assessment {
    int64_t id;                             /* stored as: 0 when not (a scan's) */
    char account[64];
    enum rd_node_type type;
    enum rd_node_state state;               /* after it: SAFE when it set SAFE */
    unsigned triggers;                      /* 1 << enum rd_merge_trigger */
    enum rd_merge_trigger top;              /* the most urgent */
    enum rd_merge_urgency urgency;
    enum rd_merge_strategy strategy;
    char target[64];                        /* "" for a node the op makes */
    rd_money amount;                        /* what would move */
    struct rd_merge_factors f;
};

/* A consolidation started, finished or replayed. */
struct rd_merge_result {
    struct rd_hier_op_row op;               /* key, status (open until flat), result */
    int replayed;                           /* the key's op answered; nothing written */
    char source[64], target[64];
    rd_money amount;                        /* moved; while open, the capital to move */
    int64_t txn;                            /* the ledger transaction; 0 while open */
};

/*
 * Assesses a consolidation of r->acct now (a person asking: the manual
 * trigger with the node's own): its target, the refusals (RD_EREJECTED with
 * the code, see rd_merge_check; "no_parent", "no_sibling", "not_sibling",
 * "target_not_parent") and the confidence, stored with its factors
 * (out->id) for `consolidate approve`. A critical trigger below 0.70 sets an
 * ACTIVE or SUSPENDED source SAFE (a state row). A refusal writes nothing.
 */
int rd_merge_assess_node(struct rd_store *s, const struct rd_merge_request *r,
                         const struct rd_hier_actor *by, struct rd_merge_assessment *out,
                         struct rd_error *err);

/*
 * Executes r exactly once. The key's op with the same parameters: done, its
 * result replayed; open, finished now if the source is flat, else its state
 * answered (replayed). Other parameters: RD_EEXIST "idempotency_conflict".
 * A refusal: RD_EREJECTED with its code, nothing written (but the SAFE of a
 * critical assessment). Without force, a confidence below 0.80 (0.70 with
 * the market closed) is refused, "low_confidence", with the assessment
 * stored (*assessment_id) for `consolidate approve`; an execution stores
 * its assessment with its op.
 * RISKDESK_CRASH_AT=consolidate.begin|consolidate.ledger|consolidate.commit|
 * consolidate.after_commit kills the process at that step (tests).
 */
int rd_merge_execute(struct rd_store *s, const struct rd_merge_request *r,
                     const struct rd_hier_actor *by, struct rd_merge_result *out,
                     int64_t *assessment_id, struct rd_error *err);

/* A person approves assessment: rd_merge_execute of what it asked (its
 * node, strategy, --into and amount) with force, every refusal checked
 * again; r gives cfg and the key. Refused when a consolidation of its node
 * followed it (stale), unless r->key names that op (the approval again,
 * replayed); RD_ENOTFOUND when no assessment has the id. */
int rd_merge_approve(struct rd_store *s, const struct rd_merge_request *r, int64_t assessment,
                     const struct rd_hier_actor *by, struct rd_merge_result *out,
                     int64_t *assessment_id, struct rd_error *err);

/* The open consolidation op holding account in MERGING; 0 when none. */
int rd_merge_open_op(struct rd_store *s, const char *account, int64_t *op, struct rd_error *err);

/* For the dispatcher: finishes account's open consolidation when the
 * account is flat (no positions, no open orders), in its own store
 * transaction; *finished says whether it did. */
int rd_merge_finish(struct rd_store *s, const struct rd_config *cfg, const char *account,
                    const struct rd_hier_actor *by, struct rd_merge_result *out, int *finished,
                    struct rd_error *err);

/* Every open node with a trigger (no manual one; the worst leaf when open
 * nodes are over RD_MERGE_MAX_NODES), assessed for its parent (a root: not
 * listed), in account order. act: the scan that acts (`consolidate scan`)
 * sets a critical one below 0.70 SAFE, its only write; 0: a read (the API's
 * GET), writing nothing, its assessments' safe saying what the scan would do. */
int rd_merge_scan(struct rd_store *s, const struct rd_config *cfg, const struct rd_hier_actor *by,
                  int act, int (*visit)(void *ctx, const struct rd_merge_assessment *a),
                  void *ctx, struct rd_error *err);

#endif
