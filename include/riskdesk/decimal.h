/*
 * decimal.h - a fixed-point integer written as decimal text: the one writer
 * behind money and ppm text (money.h) and the logger's numbers (log.h).
 * Writes into the caller's buffer; allocates nothing.
 */
#ifndef RISKDESK_DECIMAL_H
#define RISKDESK_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

/* The most digits after the point that rd_decimal_format writes. */
#define RD_DECIMAL_PLACES_MAX 9

/*
 * Writes v (scaled by 10^places) as a decimal with at least min_places and at
 * most `places` digits after the point, trailing zeros trimmed down to
 * min_places. Returns the length written (always < n when n > 0), like
 * snprintf: a return >= n means the output was cut.
 */
int rd_decimal_format(int64_t v, int places, int min_places, char *buf, size_t n);

#endif
