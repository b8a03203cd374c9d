/*
 * decimal.c - fixed-point integers written as decimal text (see decimal.h).
 */
#include "riskdesk/decimal.h"

#include <stdint.h>
#include <string.h>

#include "riskdesk/banned.h"

/* Writes [-]IP[.FRAC] into buf as snprintf would (cut to n - 1 bytes, NUL-ended
 * when n > 0) and returns its whole length; without snprintf, which a list of
 * amounts (the API's answers) spent most of its time in. */
static int put_text(char *buf, size_t n, int neg, uint64_t ip, const char *frac, int nf)
{
    char t[48], digits[24];
    size_t len = 0, nd = 0;

    if (neg)
        t[len++] = '-';
    do {
        digits[nd++] = (char)('0' + ip % 10);
        ip /= 10;
    } while (ip);
    while (nd)
        t[len++] = digits[--nd];
    if (nf) {
        t[len++] = '.';
        memcpy(t + len, frac, (size_t)nf);
        len += (size_t)nf;
    }
    if (n) {
        size_t k = len < n - 1 ? len : n - 1;

        memcpy(buf, t, k);
        buf[k] = '\0';
    }
    return (int)len;
}

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
    return put_text(buf, n, v < 0, ip, frac, nf);
}
