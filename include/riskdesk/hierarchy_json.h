/*
 * hierarchy_json.h - the hierarchy, its ledger, its forks and consolidations
 * as JSON: the one shape `riskdesk hierarchy show`, `ledger
 * show|verify|deposit|withdraw|pnl`, `fork ...`, `consolidate ...` and `perf
 * hierarchy` print with --json and the HTTP API's
 * /api/v1/ routes answer (docs/hierarchy.md, docs/api.md). Money is a decimal
 * string ("100000.00"), times RFC 3339.
 *
 * A json_t * returned is the caller's (json_decref); NULL means out of
 * memory. A function that reads the store returns RD_OK with *out set, or an
 * error code with err filled (RD_ENOMEM when the JSON could not be built).
 */
#ifndef RISKDESK_HIERARCHY_JSON_H
#define RISKDESK_HIERARCHY_JSON_H

#include <jansson.h>

#include "riskdesk/consolidate_ops.h"
#include "riskdesk/fork_ops.h"
#include "riskdesk/hierarchy_ops.h"
#include "riskdesk/perf_hierarchy.h"

json_t *rd_hier_json_money(rd_money v);
/* A ppm fraction as a JSON string ("0.85"). */
json_t *rd_hier_json_ppm(int64_t v);
/* Unix seconds as an RFC 3339 JSON string, or JSON null for 0. */
json_t *rd_hier_json_time(int64_t t);

/* An amount of money as given (text): a decimal with at most 4 places, > 0
 * (signed_ok: nonzero, a loss below 0). RD_EINVAL naming what ("--amount",
 * "amount") and the text when it is not. */
int rd_hier_amount_parse(const char *what, const char *text, int signed_ok, rd_money *out,
                         struct rd_error *err);

/* {"account","type","state","parent","depth","available","reserved",
 *  "capital","base","surplus","forks","children":[]}. */
json_t *rd_hier_json_node(const struct rd_hier_view *v);

/* {"root": root or null, "nodes": [node...]}: every node, or root and the
 * nodes below it, in account order, each with its children's names.
 * RD_ENOTFOUND when root is no node. */
int rd_hier_json_tree(struct rd_store *s, const char *root, json_t **out, struct rd_error *err);

/* A node's fields (without children) and "transactions": [{"id","key",
 * "kind","who","why","op","at","entries":[{"book","amount"}]}], oldest first. */
int rd_hier_json_ledger(struct rd_store *s, const char *account, json_t **out,
                        struct rd_error *err);

/* Books r (rd_ledger_post) and answers {"txn","key","kind","account",
 * "amount","replayed","available"}. */
int rd_hier_json_post(struct rd_store *s, const struct rd_ledger_request *r,
                      const struct rd_hier_actor *by, json_t **out, struct rd_error *err);

/* {"ok","transactions","entries","nodes","deposits","withdrawals",
 *  "realized_pnl","problems":[...]} of a `ledger verify` report. */
json_t *rd_hier_json_report(const struct rd_ledger_report *r);

/* {"account","type","surplus","threshold","child_type","amount","confidence",
 *  "factors":{"market","performance","load","timing"},"action","assessment"};
 *  assessment null when not stored. */
json_t *rd_fork_json_assessment(const struct rd_fork_assessment *a);

/* {"op","key","replayed","status","parent","children":[{"account","type",
 *  "amount"}],"txn"}. */
json_t *rd_fork_json_result(const struct rd_fork_result *r);

/* {"opportunities": [assessment...]}: rd_fork_scan's, each stored when
 * store is nonzero (the CLI's scan), none (a read: the API's GET). */
int rd_fork_json_scan(struct rd_store *s, const struct rd_fork_request *r,
                      const struct rd_hier_actor *by, int store, json_t **out,
                      struct rd_error *err);

/* {"in_progress","limit","forks":[{"op","key","parent","status","who","at",
 *  "finished","children"}]}: every fork op, oldest first. */
int rd_fork_json_status(struct rd_store *s, json_t **out, struct rd_error *err);

/* {"account","type","state","triggers":[..],"urgency","strategy","target",
 *  "amount","confidence","factors":{"reliability","benefit","risk"},"action",
 *  "safe","assessment"}; target null for a node the op would make, urgency
 *  null without a trigger, assessment null when not stored (a scan's). */
json_t *rd_merge_json_assessment(const struct rd_merge_assessment *a);

/* {"op","key","replayed","status","source","target","amount","txn"}; txn
 * null while open. */
json_t *rd_merge_json_result(const struct rd_merge_result *r);

/* {"opportunities": [assessment...]}: rd_merge_scan's (not stored), acting
 * or not as act says. */
int rd_merge_json_scan(struct rd_store *s, const struct rd_config *cfg,
                       const struct rd_hier_actor *by, int act, json_t **out,
                       struct rd_error *err);

/* {"in_progress","consolidations":[{"op","key","kind","source","target",
 *  "amount","status","who","at","finished","txn"}]}: every consolidation op
 *  (merge or partial), oldest first. */
int rd_merge_json_status(struct rd_store *s, json_t **out, struct rd_error *err);

/* {"root","pnl","return","nodes":[{"account","pnl","return","contribution",
 *  "risk_share","daily":[{"day","flow","return","contribution"}]}]}. */
json_t *rd_perf_hierarchy_json(const struct rd_perf_hierarchy *h);
/* Whether node i had a return on any reported day (else its "return" is null). */
int rd_perf_hierarchy_has_return(const struct rd_perf_hierarchy *h, size_t i);

#endif
