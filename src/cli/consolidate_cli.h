/*
 * consolidate_cli.h - what the consolidate commands share: an assessment and
 * a consolidation's result as a line of text (their JSON:
 * rd_merge_json_assessment and rd_merge_json_result, hierarchy_json.h).
 */
#ifndef RISKDESK_CONSOLIDATE_CLI_H
#define RISKDESK_CONSOLIDATE_CLI_H

#include "riskdesk/consolidate_ops.h"

void consolidate_cli_assessment_line(const struct rd_merge_assessment *a);

void consolidate_cli_result_line(const struct rd_merge_result *r);

#endif
