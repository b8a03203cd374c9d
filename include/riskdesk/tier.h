/*
 * tier.h - account tiers by buying power, and each tier's sizing parameters.
 * Pure values and functions; nothing allocates.
 */
#ifndef RISKDESK_TIER_H
#define RISKDESK_TIER_H

#include "riskdesk/money.h"

enum rd_tier { RD_TIER_TINY, RD_TIER_SMALL, RD_TIER_MEDIUM, RD_TIER_LARGE, RD_TIER_COUNT };

struct rd_tier_params {
    rd_money min_buying_power;   /* lower bound, inclusive */
    int64_t risk_pct_day;        /* ppm of buying power risked per day-strategy trade */
    int64_t risk_pct_swing;      /* ppm, per swing trade */
    int32_t max_contracts;
    int64_t min_confidence;      /* ppm */
    int64_t min_volume_ratio;    /* ppm (2.0 = 2000000) */
};

struct rd_tier_table {
    struct rd_tier_params tier[RD_TIER_COUNT];
};

/* Buying power under which a (tiny) account is warned about. */
#define RD_TIER_TINY_WARN_BELOW RD_DOLLARS(1000)

/* The shipped table: tiny < $2,000 <= small < $5,000 <= medium < $25,000 <= large. */
void rd_tier_table_defaults(struct rd_tier_table *t);
/* Bounds must rise strictly from tiny (0) to large; fractions in (0, 1]; counts >= 1. */
int rd_tier_table_validate(const struct rd_tier_table *t, struct rd_error *err);
/* The tier whose [min_buying_power, next tier's min) holds bp; negative bp is tiny. */
enum rd_tier rd_tier_classify(const struct rd_tier_table *t, rd_money bp);

const char *rd_tier_name(enum rd_tier tier);        /* "tiny"...; "?" if out of range */
/* Parses "tiny|small|medium|large" (any case); RD_EINVAL otherwise. */
int rd_tier_parse(const char *s, enum rd_tier *out);

#endif
