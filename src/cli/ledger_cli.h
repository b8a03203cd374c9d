/*
 * ledger_cli.h - what the hierarchy and ledger commands share: the amount
 * as given on the command line, money and nodes as JSON, and printing it.
 */
#ifndef RISKDESK_LEDGER_CLI_H
#define RISKDESK_LEDGER_CLI_H

#include <jansson.h>

#include "riskdesk/hierarchy_ops.h"

/* --amount: a decimal with at most 4 places, > 0 (signed_ok: nonzero, a
 * loss below 0). CLI_OK or cli_usage_error's, naming cmd. */
int ledger_cli_amount(const char *cmd, const char *arg, int signed_ok, rd_money *out);

/* Money as a JSON string ("100000.00"); NULL when out of memory. */
json_t *ledger_cli_money(rd_money v);

/* A ppm fraction as a JSON string ("0.85"). */
json_t *ledger_cli_ppm(int64_t v);

/* Unix seconds as an RFC 3339 JSON string, or JSON null for 0. */
json_t *ledger_cli_time(int64_t t);

/* A node's fields of `hierarchy show` (children empty, for the caller). */
json_t *ledger_cli_node(const struct rd_hier_view *v);

/* Prints o on one line and releases it; CLI_OK, or CLI_FAIL when it could
 * not be built (NULL) or written. */
int ledger_cli_print(json_t *o);

/* "cli" and the command's clock: who and when of what a command writes. */
struct rd_hier_actor ledger_cli_actor(int64_t now);

#endif
