/*
 * config_demo.c - the embedded demo config. It is JSON text loaded through the
 * same parser as a user's file, so the demo also proves the parser.
 */
#include "riskdesk/config.h"

#include <stdio.h>
#include <string.h>

#include "riskdesk/banned.h"

#define DEMO_DATABASE "sqlite:riskdesk-demo.db"

/* Two paper accounts, each with its tier's shipped limits written out, and
 * exits much tighter than the shipped ones (5% stop, 8% take-profit) so that
 * the first minute of the demo shows positions closing and new ones opening
 * (the simulated option premiums move about 1% a simulated minute). The
 * demo's signals are random, so once Kelly has its 20 closed trades it finds
 * no edge, rightly; "on_zero": "tier" then sizes by the tier's risk % rather
 * than refusing every entry for the rest of the demo (kelly_no_edge), and the
 * verdict still says Kelly found none. */
static const char demo_json[] =
    "{\n"
    "  \"database\": \"" DEMO_DATABASE "\",\n"
    "  \"paper\": {\"seed\": 1},\n"
    "  \"kelly\": {\"on_zero\": \"tier\"},\n"
    "  \"accounts\": [\n"
    "    {\"name\": \"large\", \"broker\": \"paper\", \"starting_cash\": \"209000\",\n"
    "     \"tier\": \"auto\",\n"
    "     \"risk\": {\"max_notional_exposure\": \"10000\", \"max_open_positions\": 5,\n"
    "              \"max_contracts_per_trade\": 10, \"max_daily_loss\": \"500\",\n"
    "              \"max_risk_per_trade_pct\": 0.02, \"ticker_cooldown_minutes\": 15,\n"
    "              \"confidence_min_options_swing\": 0.40,\n"
    "              \"confidence_min_options_daytrade\": 0.60,\n"
    "              \"allowed_actions\": [\"BUY_CALL\", \"BUY_PUT\"],\n"
    "              \"exits\": {\"stop_loss_pct\": 0.05, \"take_profit_pct\": 0.08}}},\n"
    "    {\"name\": \"tiny\", \"broker\": \"paper\", \"starting_cash\": \"1804\",\n"
    "     \"tier\": \"auto\",\n"
    "     \"risk\": {\"max_notional_exposure\": \"1500\", \"max_open_positions\": 2,\n"
    "              \"max_contracts_per_trade\": 2, \"max_daily_loss\": \"100\",\n"
    "              \"max_risk_per_trade_pct\": 0.15, \"ticker_cooldown_minutes\": 15,\n"
    "              \"confidence_min_options_swing\": 0.40,\n"
    "              \"confidence_min_options_daytrade\": 0.60,\n"
    "              \"allowed_actions\": [\"BUY_CALL\", \"BUY_PUT\"],\n"
    "              \"exits\": {\"stop_loss_pct\": 0.05, \"take_profit_pct\": 0.08}}}\n"
    "  ]\n"
    "}\n";

const char *rd_config_demo_text(void)
{
    return demo_json;
}

int rd_config_load_demo(const char *database, struct rd_config **out, struct rd_error *err)
{
    const char *db = database ? database : DEMO_DATABASE;
    int rc;

    *out = NULL;
    if (strlen(db) >= sizeof((struct rd_config *)0)->database)
        return rd_error_set(err, RD_ECONFIG, "demo database URL too long (at most %zu characters)",
                            sizeof((struct rd_config *)0)->database - 1);
    rc = rd_config_load_text(demo_json, sizeof demo_json - 1, "(embedded demo)", out, err);
    if (rc)
        return rc;
    snprintf((*out)->database, sizeof (*out)->database, "%s", db);
    snprintf((*out)->database_origin, sizeof (*out)->database_origin, "%s",
             database ? "argument" : "demo");
    return RD_OK;
}
