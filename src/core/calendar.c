/*
 * calendar.c - day numbers, RFC 3339 times, US/Eastern and the NYSE calendar.
 *
 * Pure: no I/O, no allocation, no state but const tables. Civil dates are
 * computed with 64-bit intermediates (Hinnant's days_from_civil /
 * civil_from_days), so every int32 day number and every int64 time converts
 * without overflow; results that do not fit an int32 day saturate.
 */
#include "riskdesk/calendar.h"

#include <limits.h>
#include <stdio.h>

#include "riskdesk/banned.h"

#define SECS_PER_DAY 86400
#define EST_OFFSET (-5 * 3600)
#define EDT_OFFSET (-4 * 3600)
#define OPEN_MINUTE (9 * 60 + 30)
#define CLOSE_MINUTE (16 * 60)
#define EARLY_CLOSE_MINUTE (13 * 60)
#define SHOWN_MAX 40            /* characters of bad input quoted in messages */
#define EASTER_CYCLE 5700000    /* Gregorian Easter dates repeat after this many years */

enum { SUN, MON, TUE, WED, THU, FRI, SAT };

/* ---- civil dates (64-bit inside) ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    if (a % b != 0 && (a < 0) != (b < 0))
        q--;
    return q;
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

/* Days since 1970-01-01 of y-m-d, m in 1..12, d in 1..31. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = floor_div(y, 400);
    yoe = y - era * 400;                                        /* 0..399 */
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;       /* 0..365 */
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                /* 0..146096 */
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = floor_div(z, 146097);
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int weekday64(int64_t day)
{
    return (int)((day % 7 + 7 + THU) % 7);      /* 1970-01-01 was a Thursday */
}

static int32_t clamp_day(int64_t day)
{
    if (day > INT32_MAX)
        return INT32_MAX;
    if (day < INT32_MIN)
        return INT32_MIN;
    return (int32_t)day;
}

int32_t rd_date_from_ymd(int y, int m, int d)
{
    int64_t yy = (int64_t)y + floor_div((int64_t)m - 1, 12);
    int mm = (int)((int64_t)m - 1 - floor_div((int64_t)m - 1, 12) * 12) + 1;

    return clamp_day(days_from_civil(yy, mm, 1) + (int64_t)d - 1);
}

void rd_date_to_ymd(int32_t day, int *y, int *m, int *d)
{
    int64_t yy;

    civil_from_days(day, &yy, m, d);
    *y = (int)yy;               /* |yy| < 6 million for any int32 day */
}

int rd_date_weekday(int32_t day)
{
    return weekday64(day);
}

/* ---- text ---- */

static int digits(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

/* Reads "YYYY-MM-DD" at s (at least 10 bytes); NULL when valid, else why not. */
static const char *scan_date(const char *s, int *y, int *m, int *d)
{
    if (!digits(s, 4, y) || s[4] != '-' || !digits(s + 5, 2, m) || s[7] != '-' ||
        !digits(s + 8, 2, d))
        return "wrong form";
    if (*m < 1 || *m > 12)
        return "month out of range 01..12";
    if (*d < 1 || *d > days_in_month(*y, *m))
        return "no such day in that month";
    return NULL;
}

static const char date_form[] = "YYYY-MM-DD";
static const char time_form[] = "RFC 3339 like 2026-11-20T14:31:05Z or "
                                "2025-06-24T16:00:00.5-04:00";

/* RD_EINVAL quoting the text (cut at SHOWN_MAX), why, and the expected form. */
static int bad_text(struct rd_error *err, const char *what, const char *s, size_t len,
                    const char *why, const char *form)
{
    int shown = len > SHOWN_MAX ? SHOWN_MAX : (int)len;

    return rd_error_set(err, RD_EINVAL, "\"%.*s%s\" is not a valid %s: %s (expected %s)",
                        shown, s, len > SHOWN_MAX ? "..." : "", what, why, form);
}

int rd_date_parse(const char *s, size_t len, int32_t *out, struct rd_error *err)
{
    int y, m, d;
    const char *why;

    if (len != 10)
        return bad_text(err, "date", s, len, "wrong form", date_form);
    why = scan_date(s, &y, &m, &d);
    if (why)
        return bad_text(err, "date", s, len, why, date_form);
    *out = (int32_t)days_from_civil(y, m, d);
    return RD_OK;
}

/* Years 0..9999 as four digits; others get more digits or a '-' sign. */
static const char *year_sign(int64_t y)
{
    return y < 0 ? "-" : "";
}

static long long year_abs(int64_t y)
{
    return y < 0 ? -(long long)y : (long long)y;
}

int rd_date_format(int32_t day, char *buf, size_t n)
{
    int64_t y;
    int m, d;

    civil_from_days(day, &y, &m, &d);
    return snprintf(buf, n, "%s%04lld-%02d-%02d", year_sign(y), year_abs(y), m, d);
}

int rd_time_parse(const char *s, size_t len, int64_t *out, struct rd_error *err)
{
    int y, m, d, hh, mi, ss, oh, om, sign;
    size_t i;
    const char *why;

    if (len < 10)
        return bad_text(err, "time", s, len, "wrong form", time_form);
    why = scan_date(s, &y, &m, &d);
    if (why)
        return bad_text(err, "time", s, len, why, time_form);
    if (len == 10)
        return bad_text(err, "time", s, len, "a date without a time of day", time_form);
    if (len < 19 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s + 11, 2, &hh) ||
        s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &ss))
        return bad_text(err, "time", s, len, "wrong form", time_form);
    if (hh > 23 || mi > 59 || ss > 60)
        return bad_text(err, "time", s, len, "time of day out of range", time_form);
    if (ss == 60)
        ss = 59;                /* leap second */
    i = 19;
    if (i < len && s[i] == '.') {
        size_t start = ++i;

        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == start)
            return bad_text(err, "time", s, len, "no digits after '.'", time_form);
    }
    if (i == len)
        return bad_text(err, "time", s, len, "no time zone (add Z or +hh:mm)", time_form);
    if (s[i] == 'Z' || s[i] == 'z') {
        sign = 0;
        oh = 0;
        om = 0;
        i++;
    } else if (s[i] == '+' || s[i] == '-') {
        sign = s[i] == '-' ? -1 : 1;
        if (len - i < 6 || !digits(s + i + 1, 2, &oh) || s[i + 3] != ':' ||
            !digits(s + i + 4, 2, &om))
            return bad_text(err, "time", s, len, "bad time zone", time_form);
        if (oh > 23 || om > 59)
            return bad_text(err, "time", s, len, "zone offset out of range", time_form);
        i += 6;
    } else {
        return bad_text(err, "time", s, len, "bad time zone", time_form);
    }
    if (i != len)
        return bad_text(err, "time", s, len, "unexpected text after the zone", time_form);
    *out = days_from_civil(y, m, d) * SECS_PER_DAY + hh * 3600 + mi * 60 + ss -
           (int64_t)sign * (oh * 3600 + om * 60);
    return RD_OK;
}

static void split_time(int64_t t, int64_t *day, int *sec)
{
    int64_t r = t % SECS_PER_DAY;

    *day = t / SECS_PER_DAY;
    if (r < 0) {
        r += SECS_PER_DAY;
        (*day)--;
    }
    *sec = (int)r;
}

int rd_time_format(int64_t t, char *buf, size_t n)
{
    int64_t day, y;
    int sec, m, d;

    split_time(t, &day, &sec);
    civil_from_days(day, &y, &m, &d);
    return snprintf(buf, n, "%s%04lld-%02d-%02dT%02d:%02d:%02dZ", year_sign(y), year_abs(y), m,
                    d, sec / 3600, sec / 60 % 60, sec % 60);
}

/* ---- US/Eastern ---- */

/* The n-th (1-based) weekday wd of y-m; n = -1 for the last one. */
static int64_t nth_weekday(int64_t y, int m, int wd, int n)
{
    int64_t day;

    if (n < 0) {
        day = days_from_civil(y, m, days_in_month(y, m));
        return day - (weekday64(day) - wd + 7) % 7;
    }
    day = days_from_civil(y, m, 1);
    return day + (wd - weekday64(day) + 7) % 7 + 7 * (n - 1);
}

/* Whether UTC (day, sec) is in daylight time: from 02:00 EST (07:00 UTC) on the
 * start Sunday to 02:00 EDT (06:00 UTC) on the end Sunday. */
static int is_dst(int64_t day, int sec)
{
    int64_t y, start, end;
    int m, d;

    civil_from_days(day, &y, &m, &d);
    if (y >= 2007) {
        start = nth_weekday(y, 3, SUN, 2);
        end = nth_weekday(y, 11, SUN, 1);
    } else {
        start = nth_weekday(y, 4, SUN, 1);
        end = nth_weekday(y, 10, SUN, -1);
    }
    if (day < start || day > end)
        return 0;
    if (day == start)
        return sec >= 7 * 3600;
    if (day == end)
        return sec < 6 * 3600;
    return 1;
}

int rd_et_offset(int64_t t)
{
    int64_t day;
    int sec;

    split_time(t, &day, &sec);
    return is_dst(day, sec) ? EDT_OFFSET : EST_OFFSET;
}

void rd_et_from_utc(int64_t t, struct rd_local_time *out)
{
    int64_t day;
    int sec, dst;

    split_time(t, &day, &sec);
    dst = is_dst(day, sec);
    sec += dst ? EDT_OFFSET : EST_OFFSET;
    if (sec < 0) {
        sec += SECS_PER_DAY;
        day--;
    }
    out->day = clamp_day(day);
    out->minute = sec / 60;
    out->second = sec % 60;
    out->dst = dst;
}

int64_t rd_et_to_utc(int32_t day, int minute)
{
    int64_t local = (int64_t)day * SECS_PER_DAY + (int64_t)minute * 60;
    int64_t as_edt = local - EDT_OFFSET;

    /* Read as EDT first: that picks the first of November's repeated hour, and
     * March's skipped hour reads as EST because the EDT reading is before 07:00 UTC. */
    if (rd_et_offset(as_edt) == EDT_OFFSET)
        return as_edt;
    return local - EST_OFFSET;
}

/* ---- NYSE ---- */

struct holiday {
    int64_t day;
    const char *name;
};

#define MAX_HOLIDAYS 10

/* Easter Sunday of year y: the anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
static int64_t easter(int64_t year)
{
    int64_t y = year, a, b, c, d, e, f, g, h, i, k, l, m, n;

    while (y < 1)
        y += EASTER_CYCLE;      /* the algorithm wants positive years */
    a = y % 19;
    b = y / 100;
    c = y % 100;
    d = b / 4;
    e = b % 4;
    f = (b + 8) / 25;
    g = (b - f + 1) / 3;
    h = (19 * a + b - d - g + 15) % 30;
    i = c / 4;
    k = c % 4;
    l = (32 + 2 * e + 2 * i - h - k) % 7;
    m = (a + 11 * h + 22 * l) / 451;
    n = h + l - 7 * m + 114;
    return days_from_civil(year, (int)(n / 31), (int)(n % 31) + 1);
}

/* Saturday -> the Friday before, Sunday -> the Monday after. */
static int64_t observed(int64_t day)
{
    int wd = weekday64(day);

    return wd == SAT ? day - 1 : wd == SUN ? day + 1 : day;
}

/* The NYSE full-day holidays of year y as observed, in date order; each is a
 * weekday inside year y. The one list behind both sessions and day counts. */
static int year_holidays(int64_t y, struct holiday *out)
{
    int n = 0;
    int64_t ny = days_from_civil(y, 1, 1);
    int64_t easter_day = easter(y);

    if (weekday64(ny) != SAT)                   /* Saturday: not moved to Dec 31 */
        out[n++] = (struct holiday){observed(ny), "New Year's Day"};
    if (y >= 1998)
        out[n++] = (struct holiday){nth_weekday(y, 1, MON, 3), "Martin Luther King, Jr. Day"};
    out[n++] = (struct holiday){nth_weekday(y, 2, MON, 3), "Washington's Birthday"};
    out[n++] = (struct holiday){easter_day - 2, "Good Friday"};
    out[n++] = (struct holiday){nth_weekday(y, 5, MON, -1), "Memorial Day"};
    if (y >= 2022)
        out[n++] = (struct holiday){observed(days_from_civil(y, 6, 19)),
                                    "Juneteenth National Independence Day"};
    out[n++] = (struct holiday){observed(days_from_civil(y, 7, 4)), "Independence Day"};
    out[n++] = (struct holiday){nth_weekday(y, 9, MON, 1), "Labor Day"};
    out[n++] = (struct holiday){nth_weekday(y, 11, THU, 4), "Thanksgiving Day"};
    out[n++] = (struct holiday){observed(days_from_civil(y, 12, 25)), "Christmas Day"};
    return n;
}

static const char *holiday_on(int64_t day, int64_t y)
{
    struct holiday hol[MAX_HOLIDAYS];
    int n = year_holidays(y, hol);

    for (int i = 0; i < n; i++)
        if (hol[i].day == day)
            return hol[i].name;
    return NULL;
}

void rd_nyse_session(int32_t day, struct rd_session *out)
{
    int64_t y;
    int m, d, wd = weekday64(day);

    *out = (struct rd_session){.day = day};
    if (wd == SAT || wd == SUN)
        return;
    civil_from_days(day, &y, &m, &d);
    out->holiday = holiday_on(day, y);
    if (out->holiday)
        return;
    out->open = 1;
    out->open_minute = OPEN_MINUTE;
    out->close_minute = CLOSE_MINUTE;
    /* July 3 and December 24 close early when they are trading days; when they
     * are Fridays they are the observed holiday and never get here. */
    if ((m == 7 && d == 3) || (m == 12 && d == 24) ||
        day == nth_weekday(y, 11, THU, 4) + 1) {
        out->early_close = 1;
        out->close_minute = EARLY_CLOSE_MINUTE;
    }
}

int rd_nyse_is_trading_day(int32_t day)
{
    struct rd_session s;

    rd_nyse_session(day, &s);
    return s.open;
}

int32_t rd_nyse_prev_trading_day(int32_t day)
{
    int32_t d = day;

    while (d > INT32_MIN) {
        d--;
        if (rd_nyse_is_trading_day(d))
            return d;
    }
    return INT32_MIN;
}

int32_t rd_nyse_next_trading_day(int32_t day)
{
    int32_t d = day;

    while (d < INT32_MAX) {
        d++;
        if (rd_nyse_is_trading_day(d))
            return d;
    }
    return INT32_MAX;
}

/* Monday..Friday in [from, to], from <= to. */
static int64_t weekdays_between(int64_t from, int64_t to)
{
    int64_t n = to - from + 1;
    int64_t count = n / 7 * 5;
    int wd = weekday64(from);

    for (int64_t i = 0; i < n % 7; i++)
        if ((wd + i) % 7 != SAT && (wd + i) % 7 != SUN)
            count++;
    return count;
}

/* Years k in [0, r), 0 <= r <= 400, whose January 1 is a Saturday. */
static int64_t saturday_new_years(int64_t r)
{
    int64_t n = 0;

    for (int64_t k = 0; k < r; k++)
        n += weekday64(days_from_civil(k, 1, 1)) == SAT;
    return n;
}

/* Years below y (counted from a fixed origin) whose January 1 is a Saturday;
 * weekdays repeat every 400 years, so differences of this count years. */
static int64_t saturday_new_years_below(int64_t y)
{
    int64_t q = floor_div(y, 400);

    return q * saturday_new_years(400) + saturday_new_years(y - q * 400);
}

static int64_t years_at_least(int64_t from, int64_t ya, int64_t yb)
{
    int64_t lo = ya > from ? ya : from;

    return yb >= lo ? yb - lo + 1 : 0;
}

/* Holidays in the whole years ya..yb, as year_holidays() lists them: eight every
 * year, MLK Day from 1998, Juneteenth from 2022, less New Year's Days on a
 * Saturday. The unit tests hold this to year_holidays() by counting days. */
static int64_t holidays_in_years(int64_t ya, int64_t yb)
{
    if (yb < ya)
        return 0;
    return 8 * (yb - ya + 1) + years_at_least(1998, ya, yb) + years_at_least(2022, ya, yb) -
           (saturday_new_years_below(yb + 1) - saturday_new_years_below(ya));
}

/* Holidays of year y inside [from, to]. */
static int64_t holidays_within(int64_t y, int64_t from, int64_t to)
{
    struct holiday hol[MAX_HOLIDAYS];
    int n = year_holidays(y, hol);
    int64_t count = 0;

    for (int i = 0; i < n; i++)
        count += hol[i].day >= from && hol[i].day <= to;
    return count;
}

int rd_nyse_trading_days_between(int32_t from, int32_t to)
{
    int64_t y0, y1, count;
    int m, d;

    if (to < from)
        return 0;
    civil_from_days(from, &y0, &m, &d);
    civil_from_days(to, &y1, &m, &d);
    count = weekdays_between(from, to) - holidays_within(y0, from, to);
    if (y1 > y0)
        count -= holidays_in_years(y0 + 1, y1 - 1) + holidays_within(y1, from, to);
    return count > INT_MAX ? INT_MAX : (int)count;
}
