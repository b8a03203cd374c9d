#include "riskdesk/tier.h"

#include <strings.h>

#include "riskdesk/banned.h"

static const char *const names[RD_TIER_COUNT] = {"tiny", "small", "medium", "large"};

void rd_tier_table_defaults(struct rd_tier_table *t)
{
    static const struct rd_tier_params defaults[RD_TIER_COUNT] = {
        {RD_DOLLARS(0), 150000, 80000, 1, 450000, 2000000},
        {RD_DOLLARS(2000), 120000, 80000, 3, 450000, 1800000},
        {RD_DOLLARS(5000), 40000, 60000, 5, 450000, 1500000},
        {RD_DOLLARS(25000), 10000, 20000, 10, 450000, 1200000},
    };

    for (int i = 0; i < RD_TIER_COUNT; i++)
        t->tier[i] = defaults[i];
}

static int frac_ok(int64_t v) { return v > 0 && v <= RD_PPM; }

int rd_tier_table_validate(const struct rd_tier_table *t, struct rd_error *err)
{
    for (int i = 0; i < RD_TIER_COUNT; i++) {
        const struct rd_tier_params *p = &t->tier[i];
        char v[32];

        if (i == 0 && p->min_buying_power != 0) {
            rd_money_format(p->min_buying_power, v, sizeof v);
            return rd_error_set(err, RD_ECONFIG,
                                "tiers.tiny.min_buying_power: %s; the lowest tier must start at 0", v);
        }
        if (i > 0 && p->min_buying_power <= t->tier[i - 1].min_buying_power) {
            rd_money_format(p->min_buying_power, v, sizeof v);
            return rd_error_set(err, RD_ECONFIG,
                                "tiers.%s.min_buying_power: %s; must be above tiers.%s's", names[i], v,
                                names[i - 1]);
        }
        if (!frac_ok(p->risk_pct_day) || !frac_ok(p->risk_pct_swing)) {
            rd_ppm_format(frac_ok(p->risk_pct_day) ? p->risk_pct_swing : p->risk_pct_day, v, sizeof v);
            return rd_error_set(err, RD_ECONFIG, "tiers.%s.%s: %s; expected a fraction in (0, 1]",
                                names[i], frac_ok(p->risk_pct_day) ? "risk_pct_swing" : "risk_pct_day", v);
        }
        if (p->max_contracts < 1)
            return rd_error_set(err, RD_ECONFIG, "tiers.%s.max_contracts: %d; expected at least 1",
                                names[i], (int)p->max_contracts);
        if (p->min_confidence < 0 || p->min_confidence > RD_PPM) {
            rd_ppm_format(p->min_confidence, v, sizeof v);
            return rd_error_set(err, RD_ECONFIG, "tiers.%s.min_confidence: %s; expected 0 to 1",
                                names[i], v);
        }
        if (p->min_volume_ratio < 0) {
            rd_ppm_format(p->min_volume_ratio, v, sizeof v);
            return rd_error_set(err, RD_ECONFIG, "tiers.%s.min_volume_ratio: %s; expected >= 0",
                                names[i], v);
        }
    }
    return RD_OK;
}

enum rd_tier rd_tier_classify(const struct rd_tier_table *t, rd_money bp)
{
    for (int i = RD_TIER_COUNT - 1; i > 0; i--)
        if (bp >= t->tier[i].min_buying_power)
            return (enum rd_tier)i;
    return RD_TIER_TINY;
}

const char *rd_tier_name(enum rd_tier tier)
{
    return (unsigned)tier < RD_TIER_COUNT ? names[tier] : "?";
}

int rd_tier_parse(const char *s, enum rd_tier *out)
{
    for (int i = 0; i < RD_TIER_COUNT; i++)
        if (!strcasecmp(s, names[i])) {
            *out = (enum rd_tier)i;
            return RD_OK;
        }
    return RD_EINVAL;
}
