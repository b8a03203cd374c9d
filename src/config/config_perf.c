/*
 * config_perf.c - the "performance" section of riskdesk.json into struct
 * rd_perf_config (perf.h; docs/config.md):
 *
 *   "performance": {"risk_free_annual": 0.02, "min_tracking_days": 30,
 *                   "alerts": {"daily_loss": 0.05, "weekly_loss": 0.10,
 *                              "monthly_loss": 0.15, "drawdown": 0.20}}
 *
 * Fractions as JSON numbers or decimal strings, read exactly into ppm. An
 * alert of 0 is off. Absent keys keep their defaults.
 */
#include "config/config_int.h"

#include <stdio.h>

#include "riskdesk/perf.h"
#include "riskdesk/banned.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

int rd_cfg_parse_perf(struct cfg_build *b, const json_t *root, struct rd_error *err)
{
    static const char *const keys[] = {"risk_free_annual", "alerts", "min_tracking_days"};
    /* in enum rd_perf_alert_kind order (rd_perf_alert_name) */
    static const char *const alert_keys[RD_PERF_ALERT_COUNT] = {"daily_loss", "weekly_loss",
                                                                 "monthly_loss", "drawdown"};
    struct rd_perf_config *pc = &b->cfg->perf;
    struct cfg_at at = {b->origin, "performance"}, aat = {b->origin, "performance.alerts"};
    json_t *o, *alerts = NULL;
    int rc;

    rd_perf_config_init(pc);
    rc = rd_cfg_get_object(root, "performance", &(struct cfg_at){b->origin, ""}, &o, err);
    if (rc || !o)
        return rc;
    rc = rd_cfg_check_keys(o, keys, N(keys), &at, err);
    if (!rc)
        rc = rd_cfg_get_ppm(o, "risk_free_annual", &at, &pc->risk_free_annual_ppm, err);
    if (!rc && (pc->risk_free_annual_ppm < -RD_PPM || pc->risk_free_annual_ppm > RD_PPM)) {
        char v[32];

        rd_ppm_format(pc->risk_free_annual_ppm, v, sizeof v);
        rc = rd_cfg_field_error(err, RD_ECONFIG, &at, "risk_free_annual",
                                "%s; expected an annual rate between -1 and 1 (0.02 = 2%%)", v);
    }
    if (!rc && json_object_get(o, "min_tracking_days")) {
        json_t *v = json_object_get(o, "min_tracking_days");

        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 3660)
            rc = rd_cfg_field_error(err, RD_ECONFIG, &at, "min_tracking_days",
                                    "expected whole calendar days from 0 to 3660");
        else
            pc->min_tracking_days = (int32_t)json_integer_value(v);
    }
    if (!rc)
        rc = rd_cfg_get_object(o, "alerts", &at, &alerts, err);
    if (!rc && alerts)
        rc = rd_cfg_check_keys(alerts, alert_keys, N(alert_keys), &aat, err);
    for (int k = 0; !rc && alerts && k < RD_PERF_ALERT_COUNT; k++) {
        int64_t *v = &pc->alert_ppm[k];

        rc = rd_cfg_get_ppm(alerts, alert_keys[k], &aat, v, err);
        if (!rc && (*v < 0 || *v > RD_PPM)) {
            char t[32];

            rd_ppm_format(*v, t, sizeof t);
            rc = rd_cfg_field_error(err, RD_ECONFIG, &aat, alert_keys[k],
                                    "%s; expected a loss fraction between 0 (off) and 1 "
                                    "(0.05 = 5%%)", t);
        }
    }
    return rc;
}
