#include "riskdesk/rec.h"

#include <string.h>

#include "riskdesk/calendar.h"
#include "riskdesk/banned.h"

static int is_upper_alnum(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int digits(const char *p, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return 0;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return 1;
}

int rd_occ_parse(const char *sym, struct rd_occ *out)
{
    size_t len = strnlen(sym, RD_SYMBOL_MAX);
    size_t nroot;
    const char *t;
    int yy, mm, dd, strike_hi, strike_lo;
    int32_t day;
    int y2, m2, d2;

    if (len < 16 || len > 21)
        return RD_EINVAL;
    nroot = len - 15;
    for (size_t i = 0; i < nroot; i++)
        if (!is_upper_alnum(sym[i]) && sym[i] != '.')
            return RD_EINVAL;
    t = sym + nroot;
    if (!digits(t, 2, &yy) || !digits(t + 2, 2, &mm) || !digits(t + 4, 2, &dd))
        return RD_EINVAL;
    if (t[6] != 'C' && t[6] != 'P')
        return RD_EINVAL;
    if (!digits(t + 7, 4, &strike_hi) || !digits(t + 11, 4, &strike_lo))
        return RD_EINVAL;
    if (mm < 1 || mm > 12 || dd < 1 || dd > 31)
        return RD_EINVAL;
    day = rd_date_from_ymd(2000 + yy, mm, dd);
    rd_date_to_ymd(day, &y2, &m2, &d2);
    if (m2 != mm || d2 != dd)
        return RD_EINVAL;                 /* 2026-02-30 and the like */
    memcpy(out->root, sym, nroot);
    out->root[nroot] = '\0';
    out->expiry = day;
    out->is_call = t[6] == 'C';
    /* strike x 1000 in 8 digits -> dollars x 10000 */
    out->strike = ((int64_t)strike_hi * 10000 + strike_lo) * 10;
    return RD_OK;
}

static const char *const origin_names[RD_ORIGIN_COUNT] = {"signal", "person"};

const char *rd_rec_origin_name(enum rd_rec_origin o)
{
    return (unsigned)o < RD_ORIGIN_COUNT ? origin_names[o] : "?";
}

int rd_rec_origin_parse(const char *s, enum rd_rec_origin *out)
{
    for (int i = 0; i < RD_ORIGIN_COUNT; i++)
        if (!strcmp(s, origin_names[i])) {
            *out = (enum rd_rec_origin)i;
            return RD_OK;
        }
    return RD_EINVAL;
}

int64_t rd_rec_multiplier(const struct rd_rec *r)
{
    return rd_action_is_option(r->action) ? 100 : 1;
}

/* 1 to max-1 characters of A-Z a-z 0-9 _ . - (and ':' where colon says so):
 * recommendation ids allow the colon, account names do not. */
static int valid_name(const char *s, size_t max, int colon)
{
    size_t n = strnlen(s, max);

    if (n == 0 || n >= max)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-' || (colon && c == ':')))
            return 0;
    }
    return 1;
}

static int valid_ticker(const char *s)
{
    size_t n = strnlen(s, RD_UNDERLYING_MAX);

    if (n == 0 || n > 10)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_upper_alnum(s[i]) && s[i] != '.')
            return 0;
    return 1;
}

int rd_rec_validate(const struct rd_rec *r, struct rd_error *err)
{
    struct rd_occ occ;

    if (!valid_name(r->id, sizeof r->id, 1))
        return rd_error_set(err, RD_EINVAL, "id: \"%.63s\"; expected 1-63 characters of "
                            "A-Z a-z 0-9 _ . : -", r->id);
    if (!valid_ticker(r->underlying))
        return rd_error_set(err, RD_EINVAL, "underlying: \"%.15s\"; expected an upper-case "
                            "ticker of 1-10 characters", r->underlying);
    if ((unsigned)r->action >= RD_ACT_COUNT)
        return rd_error_set(err, RD_EINVAL, "action: expected BUY_CALL, BUY_PUT, BUY_STOCK "
                            "or SELL_STOCK");
    if ((unsigned)r->strategy >= RD_STRAT_COUNT)
        return rd_error_set(err, RD_EINVAL, "strategy: expected day or swing");
    if ((unsigned)r->origin >= RD_ORIGIN_COUNT)
        return rd_error_set(err, RD_EINVAL, "origin: expected signal or person");
    if (rd_action_is_option(r->action)) {
        if (rd_occ_parse(r->symbol, &occ) != RD_OK)
            return rd_error_set(err, RD_EINVAL, "symbol: \"%.31s\"; %s needs an OCC option "
                                "symbol like AAPL261218C00230000", r->symbol,
                                rd_action_name(r->action));
        if (strcmp(occ.root, r->underlying) != 0)
            return rd_error_set(err, RD_EINVAL, "symbol: \"%.31s\" is an option on %s, but "
                                "underlying is %s", r->symbol, occ.root, r->underlying);
        if (occ.is_call != (r->action == RD_ACT_BUY_CALL))
            return rd_error_set(err, RD_EINVAL, "symbol: \"%.31s\" is a %s, but action is %s",
                                r->symbol, occ.is_call ? "call" : "put", rd_action_name(r->action));
    } else {
        if (!valid_ticker(r->symbol))
            return rd_error_set(err, RD_EINVAL, "symbol: \"%.31s\"; %s needs a stock ticker",
                                r->symbol, rd_action_name(r->action));
        if (strcmp(r->symbol, r->underlying) != 0)
            return rd_error_set(err, RD_EINVAL, "symbol: \"%.31s\" differs from underlying %s",
                                r->symbol, r->underlying);
    }
    if (r->created_at < 0 || r->created_at > RD_REC_TIME_MAX)
        return rd_error_set(err, RD_EINVAL, "created_at: expected a time from 1970 to 9999");
    if (r->expires_at < 0 || r->expires_at > RD_REC_TIME_MAX)
        return rd_error_set(err, RD_EINVAL, "expires_at: expected a time from 1970 to 9999");
    if (r->confidence < 0 || r->confidence > RD_PPM)
        return rd_error_set(err, RD_EINVAL, "confidence: expected 0 to 1");
    if (r->volume_ratio < 0)
        return rd_error_set(err, RD_EINVAL, "volume_ratio: expected >= 0");
    if (r->price <= 0)
        return rd_error_set(err, RD_EINVAL, "price: expected > 0");
    if (r->stop_price < 0)
        return rd_error_set(err, RD_EINVAL, "stop_price: expected > 0 when given");
    if (r->stop_price > 0 && r->action == RD_ACT_BUY_STOCK && r->stop_price >= r->price)
        return rd_error_set(err, RD_EINVAL, "stop_price: a stop for a buy must be below the price");
    if (r->has_vix && r->vix < 0)
        return rd_error_set(err, RD_EINVAL, "vix: expected >= 0");
    if (r->account[0] && !valid_name(r->account, sizeof r->account, 0))
        return rd_error_set(err, RD_EINVAL, "account: \"%.63s\"; expected an account name of "
                            "1-63 characters of A-Z a-z 0-9 _ . -", r->account);
    if (r->qty < 0 || r->qty > 1000000)
        return rd_error_set(err, RD_EINVAL, "qty: expected a whole number from 1 to 1000000");
    return RD_OK;
}
