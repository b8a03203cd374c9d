/*
 * decimal.c - fixed-point integers written as decimal text (see decimal.h).
 */
#include "riskdesk/decimal.h"

#include <stdint.h>
#include <stdio.h>

#include "riskdesk/banned.h"

int rd_decimal_format(int64_t v, int places, int min_places, char *buf, size_t n)
{
    uint64_t mag, ip, fp, scale;
    char frac[RD_DECIMAL_PLACES_MAX + 1];
    int nf = places;

    if (places < 0 || places > RD_DECIMAL_PLACES_MAX)
        places = nf = 0;
    if (min_places < 0)
        min_places = 0;
    if (min_places > places)
        min_places = places;
    scale = 1;
    for (int i = 0; i < places; i++)
        scale *= 10;
    mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    ip = mag / scale;
    fp = mag % scale;
    for (int i = places - 1; i >= 0; i--) {
        frac[i] = (char)('0' + fp % 10);
        fp /= 10;
    }
    while (nf > min_places && frac[nf - 1] == '0')
        nf--;
    frac[nf] = '\0';
    if (nf == 0)
        return snprintf(buf, n, "%s%llu", v < 0 ? "-" : "", (unsigned long long)ip);
    return snprintf(buf, n, "%s%llu.%s", v < 0 ? "-" : "", (unsigned long long)ip, frac);
}
