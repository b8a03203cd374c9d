/*
 * ledger_cli.h - what the hierarchy and ledger commands share: the amount
 * as given on the command line and printing JSON (riskdesk/hierarchy_json.h
 * builds it, the same for the HTTP API).
 */
#ifndef RISKDESK_LEDGER_CLI_H
#define RISKDESK_LEDGER_CLI_H

#include <jansson.h>

#include "riskdesk/hierarchy_json.h"

/* --amount: a decimal with at most 4 places, > 0 (signed_ok: nonzero, a
 * loss below 0). CLI_OK or cli_usage_error's, naming cmd. */
int ledger_cli_amount(const char *cmd, const char *arg, int signed_ok, rd_money *out);

/* Prints o on one line and releases it; CLI_OK, or CLI_FAIL when it could
 * not be built (NULL) or written. */
int ledger_cli_print(json_t *o);

/* "cli" and the command's clock: who and when of what a command writes. */
struct rd_hier_actor ledger_cli_actor(int64_t now);

#endif
