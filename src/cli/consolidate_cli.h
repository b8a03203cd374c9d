/*
 * consolidate_cli.h - what the consolidate commands share: an assessment and
 * a consolidation's result as JSON and as a line of text.
 */
#ifndef RISKDESK_CONSOLIDATE_CLI_H
#define RISKDESK_CONSOLIDATE_CLI_H

#include <jansson.h>

#include "riskdesk/consolidate_ops.h"

/* {"account","type","state","triggers":[..],"urgency","strategy","target",
 * "amount","confidence","factors":{"reliability","benefit","risk"},"action",
 * "safe"}; target null for a node the op would make, urgency null without a
 * trigger. */
json_t *consolidate_cli_assessment(const struct rd_merge_assessment *a);
void consolidate_cli_assessment_line(const struct rd_merge_assessment *a);

/* {"op","key","replayed","status","source","target","amount","txn"}; txn null
 * while open. */
json_t *consolidate_cli_result(const struct rd_merge_result *r);
void consolidate_cli_result_line(const struct rd_merge_result *r);

#endif
