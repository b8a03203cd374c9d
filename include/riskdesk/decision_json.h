/*
 * decision_json.h - a decision as JSON, the shape scripts rely on:
 *   {"approved": bool, "size": int, "gates": [{"name", "passed", "reason",
 *    "observed", "threshold"}...], "budget", "unit_risk", "unit_cost", "risk_pct",
 *    "kelly_used"}
 * Values are formatted by kind (money "1500.00", fractions "0.45", minutes "14:00").
 * Appends to a caller-owned struct rd_buf.
 */
#ifndef RISKDESK_DECISION_JSON_H
#define RISKDESK_DECISION_JSON_H

#include "riskdesk/buf.h"
#include "riskdesk/gates.h"

int rd_decision_to_json(const struct rd_decision *d, struct rd_buf *out);
/* One line per gate for people: "  PASS trading_state   ok   ACTIVE / ACTIVE". */
int rd_decision_to_text(const struct rd_decision *d, struct rd_buf *out);

#endif
