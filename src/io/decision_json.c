#include "riskdesk/decision_json.h"

#include <string.h>

#include "riskdesk/banned.h"

int rd_decision_to_json(const struct rd_decision *d, struct rd_buf *out)
{
    char obs[40], thr[40], budget[32], unit_risk[32], unit_cost[32], pct[32];
    int rc;

    rd_money_format(d->budget, budget, sizeof budget);
    rd_money_format(d->unit_risk, unit_risk, sizeof unit_risk);
    rd_money_format(d->unit_cost, unit_cost, sizeof unit_cost);
    rd_ppm_format(d->risk_pct, pct, sizeof pct);
    rc = rd_buf_printf(out, "{\"approved\":%s,\"size\":%lld,\"gates\":[",
                       d->approved ? "true" : "false", (long long)d->size);
    for (int i = 0; i < d->nverdicts && rc == RD_OK; i++) {
        const struct rd_gate_verdict *v = &d->verdicts[i];

        /* a value that means nothing is null; the others are quoted text */
        obs[0] = thr[0] = '"';
        rd_gate_observed_format(v, obs + 1, sizeof obs - 2);
        rd_gate_threshold_format(v, thr + 1, sizeof thr - 2);
        memcpy(obs + strlen(obs), "\"", 2);
        memcpy(thr + strlen(thr), "\"", 2);
        rc = rd_buf_printf(out, "%s{\"name\":\"%s\",\"passed\":%s,\"reason\":\"%s\","
                           "\"observed\":%s,\"threshold\":%s}",
                           i ? "," : "", rd_gate_name((enum rd_gate)v->gate),
                           v->passed ? "true" : "false", rd_reason_name((enum rd_reason)v->reason),
                           rd_gate_has_observed(v) ? obs : "null",
                           rd_gate_has_threshold(v) ? thr : "null");
    }
    if (rc == RD_OK)
        rc = rd_buf_printf(out, "],\"budget\":\"%s\",\"unit_risk\":\"%s\",\"unit_cost\":\"%s\","
                           "\"risk_pct\":\"%s\",\"kelly_used\":%s}",
                           budget, unit_risk, unit_cost, pct, d->kelly_used ? "true" : "false");
    return rc;
}

int rd_decision_to_text(const struct rd_decision *d, struct rd_buf *out)
{
    char obs[40], thr[40];
    int rc = RD_OK;

    for (int i = 0; i < d->nverdicts && rc == RD_OK; i++) {
        const struct rd_gate_verdict *v = &d->verdicts[i];

        rd_gate_observed_format(v, obs, sizeof obs);
        rd_gate_threshold_format(v, thr, sizeof thr);
        rc = rd_buf_printf(out, "    %s %-19s %-26s %s%s%s\n", v->passed ? "PASS" : "FAIL",
                           rd_gate_name((enum rd_gate)v->gate),
                           rd_reason_name((enum rd_reason)v->reason),
                           rd_gate_has_observed(v) ? obs : rd_gate_has_threshold(v) ? "none" : "",
                           rd_gate_has_threshold(v) ? " vs " : "", rd_gate_has_threshold(v) ? thr : "");
    }
    return rc;
}
