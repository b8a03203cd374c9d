/*
 * fork_cli.h - what the fork commands share: --vix as given, an assessment
 * and a fork's result as JSON and as a line of text.
 */
#ifndef RISKDESK_FORK_CLI_H
#define RISKDESK_FORK_CLI_H

#include <jansson.h>

#include "riskdesk/fork_ops.h"

/* --vix L (NULL: unknown): a decimal level > 0. CLI_OK or cli_usage_error's,
 * naming cmd. */
int fork_cli_vix(const char *cmd, const char *arg, int *known, int64_t *vix);

/* {"account","type","surplus","threshold","child_type","amount","confidence",
 * "factors":{"market","performance","load","timing"},"action","assessment"}. */
json_t *fork_cli_assessment(const struct rd_fork_assessment *a);
void fork_cli_assessment_line(const struct rd_fork_assessment *a);

/* {"op","key","replayed","status","parent","children":[{"account","type",
 * "amount"}],"txn"}. */
json_t *fork_cli_result(const struct rd_fork_result *r);
void fork_cli_result_line(const struct rd_fork_result *r);

#endif
