/*
 * fork_cli.h - what the fork commands share: --vix as given, an assessment
 * and a fork's result as a line of text.
 */
#ifndef RISKDESK_FORK_CLI_H
#define RISKDESK_FORK_CLI_H

#include <jansson.h>

#include "riskdesk/fork_ops.h"

/* --vix L (NULL: unknown): a decimal level > 0. CLI_OK or cli_usage_error's,
 * naming cmd. */
int fork_cli_vix(const char *cmd, const char *arg, int *known, int64_t *vix);

/* An assessment's and a fork result's JSON (riskdesk/hierarchy_json.h) as a
 * line of text. */
void fork_cli_assessment_line(const json_t *a);
void fork_cli_result_line(const json_t *r);

/* o as JSON (json) or as line's text, and releases it; CLI_FAIL when o could
 * not be built (NULL) or written. */
int fork_cli_print(json_t *o, void (*line)(const json_t *), int json);

#endif
