/*
 * money.h - exact money and exact fractions.
 *
 * Money is an int64 count of ten-thousandths of a dollar (RD_MONEY_SCALE per
 * dollar), parsed from decimal strings and never passed through a double.
 * Fractions that drive decisions (risk percentages, confidence, ratios) are
 * int64 parts per million (RD_PPM), parsed the same exact way.
 * Pure functions; nothing here allocates.
 */
#ifndef RISKDESK_MONEY_H
#define RISKDESK_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/decimal.h"
#include "riskdesk/error.h"

typedef int64_t rd_money;

#define RD_MONEY_SCALE 10000LL          /* 4 decimal places */
#define RD_PPM 1000000LL                /* 1.0 as a fraction in ppm */
#define RD_DOLLARS(d) ((rd_money)(d) * RD_MONEY_SCALE)
/* Largest magnitude accepted: about 922 trillion dollars. */
#define RD_MONEY_MAX (INT64_MAX / 10)

/*
 * Parses a decimal string ("-1234.5", "+0.0084", "1e3" is refused, "12." and ".5"
 * are accepted) of length len into an integer scaled by 10^places. Digits past
 * `places` are rounded half to even. Leading/trailing spaces are refused.
 * Returns RD_OK, or RD_EINVAL / RD_ETOOBIG with a message quoting the text.
 */
int rd_decimal_parse(const char *s, size_t len, int places, int64_t *out, struct rd_error *err);

/* rd_decimal_parse with places = 4 / 6. */
int rd_money_parse(const char *s, size_t len, rd_money *out, struct rd_error *err);
int rd_ppm_parse(const char *s, size_t len, int64_t *out, struct rd_error *err);

/*
 * Converts a double that came from a JSON number into money or ppm: it is
 * printed with 17 significant digits' worth of precision trimmed to the
 * shortest round-tripping form and parsed as a decimal, so 0.15 becomes
 * exactly 150000 ppm. Refuses NaN, infinities and out-of-range values.
 */
int rd_decimal_from_double(double v, int places, int64_t *out, struct rd_error *err);

/*
 * A price, exactly: rd_money_parse / rd_decimal_from_double(v, 4) that refuse
 * more than four decimals (trailing zeros not counted) instead of rounding:
 * "\"190.12345\" has more than four decimals; prices are kept to 1/10000 of a
 * dollar (round it yourself)". A double is judged by its shortest text.
 */
int rd_price_parse(const char *s, size_t len, rd_money *out, struct rd_error *err);
int rd_price_from_double(double v, rd_money *out, struct rd_error *err);

/* rd_decimal_format (util): decimal.h, included above. */

/* Money as dollars with 2 to 4 decimals: "1804.00", "-23140.2051". */
int rd_money_format(rd_money v, char *buf, size_t n);
/* ppm as a plain decimal fraction: "0.15", "2", "0.000001". */
int rd_ppm_format(int64_t ppm, char *buf, size_t n);

/*
 * a * num / den, rounded toward zero, computed in 128 bits. den must be > 0.
 * Saturates at INT64_MIN/INT64_MAX instead of overflowing.
 */
int64_t rd_muldiv(int64_t a, int64_t num, int64_t den);

/* Money times a ppm fraction, rounded toward zero. */
rd_money rd_money_mul_ppm(rd_money m, int64_t ppm);

#endif
