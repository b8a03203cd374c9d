#include "riskdesk/money.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/banned.h"

__extension__ typedef __int128 i128;

static const int64_t pow10_table[] = {
    1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL,
    100000000LL, 1000000000LL,
};

#define MAX_PLACES RD_DECIMAL_PLACES_MAX

static int bad(struct rd_error *err, int code, const char *s, size_t len, const char *why)
{
    int shown = len > 40 ? 40 : (int)len;

    return rd_error_set(err, code, "\"%.*s%s\" is not a valid decimal: %s", shown, s,
                        len > 40 ? "..." : "", why);
}

int rd_decimal_parse(const char *s, size_t len, int places, int64_t *out, struct rd_error *err)
{
    size_t i = 0;
    int neg = 0, seen_digit = 0, seen_point = 0, frac_digits = 0;
    int64_t v = 0;                  /* magnitude, scaled as digits are read */
    int round_digit = -1;           /* first digit past `places`, -1 if none */
    int sticky = 0;                 /* any nonzero digit after round_digit */

    if (places < 0 || places > MAX_PLACES)
        return rd_error_set(err, RD_EINTERNAL, "decimal places %d out of range", places);
    if (len == 0)
        return bad(err, RD_EINVAL, s, len, "empty");
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        i = 1;
    }
    for (; i < len; i++) {
        char c = s[i];

        if (c == '.') {
            if (seen_point)
                return bad(err, RD_EINVAL, s, len, "two decimal points");
            seen_point = 1;
            continue;
        }
        if (c < '0' || c > '9')
            return bad(err, RD_EINVAL, s, len, "expected digits with an optional sign and point");
        seen_digit = 1;
        if (seen_point) {
            if (frac_digits >= places) {
                if (round_digit < 0)
                    round_digit = c - '0';
                else if (c != '0')
                    sticky = 1;
                continue;
            }
            frac_digits++;
        }
        if (v > (RD_MONEY_MAX - (c - '0')) / 10)
            return bad(err, RD_ETOOBIG, s, len, "out of range");
        v = v * 10 + (c - '0');
    }
    if (!seen_digit)
        return bad(err, RD_EINVAL, s, len, "no digits");
    for (; frac_digits < places; frac_digits++) {
        if (v > RD_MONEY_MAX / 10)
            return bad(err, RD_ETOOBIG, s, len, "out of range");
        v *= 10;
    }
    /* round half to even on the first dropped digit */
    if (round_digit > 5 || (round_digit == 5 && (sticky || (v & 1))))
        v++;
    *out = neg ? -v : v;
    return RD_OK;
}

int rd_money_parse(const char *s, size_t len, rd_money *out, struct rd_error *err)
{
    return rd_decimal_parse(s, len, 4, out, err);
}

int rd_ppm_parse(const char *s, size_t len, int64_t *out, struct rd_error *err)
{
    return rd_decimal_parse(s, len, 6, out, err);
}

int rd_decimal_from_double(double v, int places, int64_t *out, struct rd_error *err)
{
    char buf[64];
    int n;

    if (!isfinite(v))
        return rd_error_set(err, RD_EINVAL, "%g is not a finite number", v);
    if (fabs(v) * (double)pow10_table[places < 0 || places > MAX_PLACES ? 0 : places] >
        (double)RD_MONEY_MAX)
        return rd_error_set(err, RD_ETOOBIG, "%g is out of range", v);
    /* %.17g round-trips; shorten to the fewest digits that still round-trip */
    for (int prec = 1; prec <= 17; prec++) {
        n = snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    if (strchr(buf, 'e') || strchr(buf, 'E'))
        n = snprintf(buf, sizeof buf, "%.*f", places + 2, v);
    if (n < 0 || (size_t)n >= sizeof buf)
        return rd_error_set(err, RD_ETOOBIG, "%g is out of range", v);
    return rd_decimal_parse(buf, (size_t)n, places, out, err);
}

/* How many decimals s (a plain decimal, maybe with an exponent) carries,
 * trailing zeros not counted. */
static int decimals_of(const char *s, size_t n)
{
    const char *e = memchr(s, 'e', n), *dot;
    long exp = 0;
    size_t m;
    int d = 0;

    if (!e)
        e = memchr(s, 'E', n);
    if (e)
        exp = strtol(e + 1, NULL, 10);
    m = e ? (size_t)(e - s) : n;
    dot = memchr(s, '.', m);
    if (dot) {
        const char *end = s + m;

        while (end > dot + 1 && end[-1] == '0')
            end--;
        d = (int)(end - dot - 1);
    }
    d -= (int)(exp > 64 ? 64 : exp < -64 ? -64 : exp);
    return d < 0 ? 0 : d;
}

static int too_precise(struct rd_error *err, const char *s, size_t len)
{
    int shown = len > 40 ? 40 : (int)len;

    return rd_error_set(err, RD_EINVAL,
                        "\"%.*s\" has more than four decimals; prices are kept to 1/10000 of a "
                        "dollar (round it yourself)", shown, s);
}

int rd_price_parse(const char *s, size_t len, rd_money *out, struct rd_error *err)
{
    int rc = rd_money_parse(s, len, out, err);

    if (rc != RD_OK)
        return rc;
    if (decimals_of(s, len) > 4)
        return too_precise(err, s, len);
    return RD_OK;
}

int rd_price_from_double(double v, rd_money *out, struct rd_error *err)
{
    char buf[40];
    int rc = rd_decimal_from_double(v, 4, out, err), n = 0;

    if (rc != RD_OK)
        return rc;
    for (int prec = 1; prec <= 17; prec++) {
        n = snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    if (n > 0 && (size_t)n < sizeof buf && decimals_of(buf, (size_t)n) > 4)
        return too_precise(err, buf, (size_t)n);
    return RD_OK;
}

int rd_money_format(rd_money v, char *buf, size_t n)
{
    return rd_decimal_format(v, 4, 2, buf, n);
}

int rd_ppm_format(int64_t ppm, char *buf, size_t n)
{
    return rd_decimal_format(ppm, 6, 0, buf, n);
}

int64_t rd_muldiv(int64_t a, int64_t num, int64_t den)
{
    i128 r;

    if (den <= 0)
        return 0;
    r = (i128)a * num / den;
    if (r > INT64_MAX)
        return INT64_MAX;
    if (r < INT64_MIN)
        return INT64_MIN;
    return (int64_t)r;
}

rd_money rd_money_mul_ppm(rd_money m, int64_t ppm)
{
    return rd_muldiv(m, ppm, RD_PPM);
}
