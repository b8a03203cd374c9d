/*
 * hier_int.h - what the hierarchy's routes share (routes_hierarchy.c,
 * routes_forking.c, routes_consolidation.c): the node a path names, the Idempotency-Key header, the
 * caller as a ledger actor, JSON answers and refusals as the API's errors.
 */
#ifndef RISKDESK_HIER_INT_H
#define RISKDESK_HIER_INT_H

#include "api/api_int.h"
#include "riskdesk/hierarchy_json.h"

/* An account of the configuration by name: 0 with *out, or 404 written. */
int api_hier_account(struct api_req *r, const char *name, const struct rd_account_config **out);

/* The Idempotency-Key header into *key (NULL when absent and !required):
 * 0, or 400 written when it is missing (required), empty or too long. */
int api_hier_key(struct api_req *r, int required, const char **key);

/* The token's user and the trading clock: who and when of a write. */
struct rd_hier_actor api_hier_actor(const struct api_req *r);

/* Drops the items of o's array arr whose field (and also, unless NULL)
 * names no account the caller may see (a trader sees their own node's). */
void api_hier_only_visible(const struct api_req *r, json_t *o, const char *arr,
                           const char *field, const char *also);

/* An op made a node's account: the server's accounts are read again at once,
 * so the next request knows it (a failure is logged; the op stands). */
void api_hier_reload(struct api_req *r, struct rd_store *s);

/* o (released) as the body with status; 500 when o is NULL (no memory). */
int api_hier_answer(struct api_req *r, json_t *o, int status);

/* A library refusal as the API's error: a message that starts with its code
 * ("insufficient_funds: ...") answers with that code, 409 for a refusal
 * (idempotency_conflict, insufficient_funds, low_confidence, ...); the rest
 * as api_fail. */
int api_hier_fail(struct api_req *r, int rc, const struct rd_error *err);

#endif
