#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "riskdesk/calendar.h"

#define D(y, m, d) rd_date_from_ymd((y), (m), (d))

/* ---- dates ---- */

static void check_ymd(int32_t day, int y, int m, int d)
{
    int yy, mm, dd;

    rd_date_to_ymd(day, &yy, &mm, &dd);
    assert_int_equal(yy, y);
    assert_int_equal(mm, m);
    assert_int_equal(dd, d);
}

static void test_ymd_anchors(void **state)
{
    (void)state;
    assert_int_equal(D(1970, 1, 1), 0);
    assert_int_equal(D(1969, 12, 31), -1);
    assert_int_equal(D(2000, 1, 1), 10957);
    assert_int_equal(D(2000, 2, 29), 11016);
    assert_int_equal(D(2000, 3, 1), 11017);
    assert_int_equal(D(1900, 1, 1), -25567);
    assert_int_equal(D(1900, 2, 28), -25509);
    assert_int_equal(D(1900, 3, 1), -25508);          /* 1900 is not a leap year */
    assert_int_equal(D(2100, 2, 28), 47540);
    assert_int_equal(D(2100, 3, 1), 47541);           /* nor is 2100 */
    assert_int_equal(D(1600, 2, 29), -135081);
    assert_int_equal(D(1, 1, 1), -719162);
    assert_int_equal(D(9999, 12, 31), 2932896);
    assert_int_equal(D(2026, 11, 20), 20777);
    check_ymd(-1, 1969, 12, 31);
    check_ymd(11016, 2000, 2, 29);
    check_ymd(-25508, 1900, 3, 1);
    check_ymd(47541, 2100, 3, 1);
    check_ymd(-719162, 1, 1, 1);
    check_ymd(-719163, 0, 12, 31);
    check_ymd(D(0, 2, 29), 0, 2, 29);                 /* year 0 is a leap year */
}

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Walk day by day with a naive calendar, years -2000..3000, and compare. */
static void test_ymd_walk(void **state)
{
    static const int mlen[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = -2000, m = 1, d = 1;
    int32_t day = D(y, m, d);
    int wd = rd_date_weekday(day);

    (void)state;
    while (y <= 3000) {
        int yy, mm, dd;

        rd_date_to_ymd(day, &yy, &mm, &dd);
        if (yy != y || mm != m || dd != d || D(y, m, d) != day || rd_date_weekday(day) != wd)
            fail_msg("day %d: got %d-%d-%d, want %d-%d-%d", (int)day, yy, mm, dd, y, m, d);
        day++;
        wd = (wd + 1) % 7;
        if (++d > mlen[m - 1] + (m == 2 && leap(y))) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
}

static void test_ymd_extremes(void **state)
{
    static const int32_t days[] = {INT32_MIN, INT32_MIN + 1, -1000000000, -719163, 0,
                                   1000000000, INT32_MAX - 1, INT32_MAX};
    int y, m, d;

    (void)state;
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        rd_date_to_ymd(days[i], &y, &m, &d);
        assert_int_equal(D(y, m, d), days[i]);
        assert_in_range(rd_date_weekday(days[i]), 0, 6);
    }
    assert_int_equal(rd_date_weekday(INT32_MAX), (rd_date_weekday(INT32_MAX - 1) + 1) % 7);
    assert_int_equal(rd_date_weekday(INT32_MIN + 1), (rd_date_weekday(INT32_MIN) + 1) % 7);
    /* out-of-range months and days carry; the int32 ends saturate */
    assert_int_equal(D(2026, 13, 1), D(2027, 1, 1));
    assert_int_equal(D(2026, 0, 1), D(2025, 12, 1));
    assert_int_equal(D(2026, -11, 1), D(2025, 1, 1));
    assert_int_equal(D(2024, 3, 0), D(2024, 2, 29));
    assert_int_equal(D(2026, 2, 30), D(2026, 3, 2));
    assert_int_equal(D(2026, 1, 366), D(2027, 1, 1));
    assert_int_equal(D(2000000000, 1, 1), INT32_MAX);
    assert_int_equal(D(-2000000000, 1, 1), INT32_MIN);
}

static void test_weekday(void **state)
{
    (void)state;
    assert_int_equal(rd_date_weekday(0), 4);                  /* 1970-01-01 Thursday */
    assert_int_equal(rd_date_weekday(-1), 3);
    assert_int_equal(rd_date_weekday(-7), 4);
    assert_int_equal(rd_date_weekday(D(2000, 1, 1)), 6);
    assert_int_equal(rd_date_weekday(D(1900, 1, 1)), 1);
    assert_int_equal(rd_date_weekday(D(2100, 2, 28)), 0);
    assert_int_equal(rd_date_weekday(D(1, 1, 1)), 1);
    assert_int_equal(rd_date_weekday(D(2026, 11, 20)), 5);
    assert_int_equal(rd_date_weekday(D(2026, 1, 1)), 4);
}

static void parse_date_ok(const char *s, int32_t want)
{
    struct rd_error err = {0};
    int32_t day = -42;
    char buf[16];

    assert_int_equal(rd_date_parse(s, strlen(s), &day, &err), RD_OK);
    assert_int_equal(day, want);
    assert_int_equal(rd_date_format(day, buf, sizeof buf), 10);
    assert_string_equal(buf, s);
}

static void parse_date_bad(const char *s, const char *why)
{
    struct rd_error err = {0};
    int32_t day = -42;
    char quoted[64];

    assert_int_equal(rd_date_parse(s, strlen(s), &day, &err), RD_EINVAL);
    assert_int_equal(err.code, RD_EINVAL);
    assert_int_equal(day, -42);
    snprintf(quoted, sizeof quoted, "\"%s\"", s);
    if (!strstr(err.msg, quoted) || !strstr(err.msg, "YYYY-MM-DD") || !strstr(err.msg, why))
        fail_msg("message for %s: %s", s, err.msg);
}

static void test_date_parse_format(void **state)
{
    char buf[16];

    (void)state;
    parse_date_ok("1970-01-01", 0);
    parse_date_ok("2026-11-20", 20777);
    parse_date_ok("2000-02-29", 11016);
    parse_date_ok("1600-02-29", -135081);
    parse_date_ok("0000-01-01", -719528);
    parse_date_ok("9999-12-31", 2932896);
    parse_date_bad("2026-02-30", "no such day");
    parse_date_bad("2026-02-29", "no such day");
    parse_date_bad("1900-02-29", "no such day");
    parse_date_bad("2100-02-29", "no such day");
    parse_date_bad("2026-04-31", "no such day");
    parse_date_bad("2026-01-00", "no such day");
    parse_date_bad("2026-13-01", "month");
    parse_date_bad("2026-00-10", "month");
    parse_date_bad("2026-1-1", "wrong form");
    parse_date_bad("2026-01-01x", "wrong form");
    parse_date_bad("2026-01-01 ", "wrong form");
    parse_date_bad(" 2026-01-01", "wrong form");
    parse_date_bad("2026/01/01", "wrong form");
    parse_date_bad("+026-01-01", "wrong form");
    parse_date_bad("2026-01-01T00:00:00Z", "wrong form");
    parse_date_bad("", "wrong form");
    {
        /* the length is honoured: no NUL needed, none read past len */
        int32_t day;
        struct rd_error err = {0};

        assert_int_equal(rd_date_parse("2026-01-02junk", 10, &day, &err), RD_OK);
        assert_int_equal(day, D(2026, 1, 2));
        assert_int_equal(rd_date_parse("2026-01-02", 9, &day, &err), RD_EINVAL);
        assert_non_null(strstr(err.msg, "\"2026-01-0\""));
    }
    /* long junk is cut in the message */
    {
        struct rd_error err = {0};
        int32_t day;
        char junk[200];

        memset(junk, 'x', sizeof junk);
        assert_int_equal(rd_date_parse(junk, sizeof junk, &day, &err), RD_EINVAL);
        assert_non_null(strstr(err.msg, "xxx...\""));
        assert_true(strlen(err.msg) < 120);
    }
    /* format: snprintf semantics, odd years */
    assert_int_equal(rd_date_format(0, buf, 5), 10);
    assert_string_equal(buf, "1970");
    assert_int_equal(rd_date_format(D(-1, 12, 31), buf, sizeof buf), 11);
    assert_string_equal(buf, "-0001-12-31");
    assert_int_equal(rd_date_format(D(10000, 1, 1), buf, sizeof buf), 11);
    assert_string_equal(buf, "10000-01-01");
    assert_in_range(rd_date_format(INT32_MIN, buf, sizeof buf), 11, 15);
    assert_in_range(rd_date_format(INT32_MAX, buf, sizeof buf), 11, 15);
}

/* ---- times ---- */

static int64_t parse_time(const char *s)
{
    struct rd_error err = {0};
    int64_t t = -42;
    int rc = rd_time_parse(s, strlen(s), &t, &err);

    if (rc != RD_OK)
        fail_msg("%s: %s", s, err.msg);
    return t;
}

static void parse_time_bad(const char *s, const char *why)
{
    struct rd_error err = {0};
    int64_t t = -42;
    char quoted[96];

    assert_int_equal(rd_time_parse(s, strlen(s), &t, &err), RD_EINVAL);
    assert_int_equal(t, -42);
    snprintf(quoted, sizeof quoted, "\"%s\"", s);
    if (!strstr(err.msg, quoted) || !strstr(err.msg, "RFC 3339") || !strstr(err.msg, why))
        fail_msg("message for %s: %s", s, err.msg);
}

static void test_time_parse(void **state)
{
    (void)state;
    assert_int_equal(parse_time("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parse_time("2026-11-20T14:31:05Z"), 1795185065LL);
    assert_int_equal(parse_time("2026-11-20t14:31:05z"), 1795185065LL);
    assert_int_equal(parse_time("2026-11-20 14:31:05Z"), 1795185065LL);
    assert_int_equal(parse_time("2026-11-20T14:31:05+00:00"), 1795185065LL);
    assert_int_equal(parse_time("2026-11-20T14:31:05-00:00"), 1795185065LL);
    assert_int_equal(parse_time("2025-06-24T16:00:00-04:00"), 1750795200LL);
    assert_int_equal(parse_time("2025-06-24T20:00:00Z"), 1750795200LL);
    assert_int_equal(parse_time("2025-06-25T01:30:00+05:30"), 1750795200LL);
    assert_int_equal(parse_time("2025-06-24 15:00:00-05:00"), 1750795200LL);
    assert_int_equal(parse_time("2023-12-12T22:31:24.668464435Z"), 1702420284LL);
    assert_int_equal(parse_time("2023-12-12T22:31:24.999999999999Z"), 1702420284LL);
    assert_int_equal(parse_time("2023-12-12T22:31:24.0Z"), 1702420284LL);
    assert_int_equal(parse_time("2023-12-12T17:31:24.5-05:00"), 1702420284LL);
    /* the fraction goes toward the past before 1970 too */
    assert_int_equal(parse_time("1969-12-31T23:59:59.999Z"), -1);
    assert_int_equal(parse_time("1969-12-31T23:59:59Z"), -1);
    assert_int_equal(parse_time("0000-01-01T00:00:00Z"), -62167219200LL);
    assert_int_equal(parse_time("9999-12-31T23:59:59Z"), 253402300799LL);
    assert_int_equal(parse_time("0000-01-01T00:00:00+23:59"), -62167219200LL - 86340);
    /* leap second as :59 */
    assert_int_equal(parse_time("2016-12-31T23:59:60Z"), parse_time("2016-12-31T23:59:59Z"));
    /* date arithmetic crosses days with the offset */
    assert_int_equal(parse_time("2026-03-01T00:30:00+01:00"), parse_time("2026-02-28T23:30:00Z"));
    assert_int_equal(parse_time("2024-02-28T23:30:00-01:00"), parse_time("2024-02-29T00:30:00Z"));
}

static void test_time_rejects(void **state)
{
    (void)state;
    parse_time_bad("2026-11-20T14:31:05", "no time zone");
    parse_time_bad("2026-11-20T14:31:05.123", "no time zone");
    parse_time_bad("2026-11-20", "date without a time");
    parse_time_bad("2026-11-20T", "wrong form");
    parse_time_bad("2026-11-20T14:31Z", "wrong form");
    parse_time_bad("2026-11-20T14:31:5Z", "wrong form");
    parse_time_bad("2026-11-20X14:31:05Z", "wrong form");
    parse_time_bad("2026-11-20T14-31-05Z", "wrong form");
    parse_time_bad("2026-11-20T24:00:00Z", "out of range");
    parse_time_bad("2026-11-20T23:60:00Z", "out of range");
    parse_time_bad("2026-11-20T23:59:61Z", "out of range");
    parse_time_bad("2026-02-30T14:31:05Z", "no such day");
    parse_time_bad("2026-13-01T14:31:05Z", "month");
    parse_time_bad("2026-1-1T14:31:05Z", "wrong form");
    parse_time_bad("2026-11-20T14:31:05.Z", "no digits");
    parse_time_bad("2026-11-20T14:31:05+0400", "bad time zone");
    parse_time_bad("2026-11-20T14:31:05+04", "bad time zone");
    parse_time_bad("2026-11-20T14:31:05+4:00", "bad time zone");
    parse_time_bad("2026-11-20T14:31:05+24:00", "zone offset out of range");
    parse_time_bad("2026-11-20T14:31:05+04:60", "zone offset out of range");
    parse_time_bad("2026-11-20T14:31:05 Z", "bad time zone");
    parse_time_bad("2026-11-20T14:31:05EST", "bad time zone");
    parse_time_bad("2026-11-20T14:31:05ZZ", "after the zone");
    parse_time_bad("2026-11-20T14:31:05Z ", "after the zone");
    parse_time_bad("2026-11-20T14:31:05-04:00x", "after the zone");
    parse_time_bad("garbage", "wrong form");
    parse_time_bad("", "wrong form");
    parse_time_bad("1795185065", "wrong form");
}

static void format_time(int64_t t, const char *want)
{
    char buf[40];
    int n = rd_time_format(t, buf, sizeof buf);

    assert_string_equal(buf, want);
    assert_int_equal(n, (int)strlen(want));
}

static void test_time_format(void **state)
{
    char buf[21];

    (void)state;
    format_time(0, "1970-01-01T00:00:00Z");
    format_time(-1, "1969-12-31T23:59:59Z");
    format_time(-86400, "1969-12-31T00:00:00Z");
    format_time(-86401, "1969-12-30T23:59:59Z");
    format_time(1795185065LL, "2026-11-20T14:31:05Z");
    format_time(1750795200LL, "2025-06-24T20:00:00Z");
    format_time(parse_time("2000-02-29T12:00:00Z"), "2000-02-29T12:00:00Z");
    format_time(253402300799LL, "9999-12-31T23:59:59Z");
    format_time(-62167219200LL, "0000-01-01T00:00:00Z");
    format_time(-62167219201LL, "-0001-12-31T23:59:59Z");
    /* an offset can carry a parsed time out of four-digit years */
    format_time(parse_time("9999-12-31T23:59:59-23:59"), "10000-01-01T23:58:59Z");
    format_time(parse_time("0000-01-01T00:00:00+00:01"), "-0001-12-31T23:59:00Z");
    /* the int64 ends: no overflow, a year of many digits */
    format_time(INT64_MAX, "292277026596-12-04T15:30:07Z");
    format_time(INT64_MIN, "-292277022657-01-27T08:29:52Z");
    /* exactly 21 bytes is enough; fewer truncates snprintf-style */
    assert_int_equal(rd_time_format(0, buf, sizeof buf), 20);
    assert_string_equal(buf, "1970-01-01T00:00:00Z");
    assert_int_equal(rd_time_format(0, buf, 11), 20);
    assert_string_equal(buf, "1970-01-01");
}

/* ---- US/Eastern ---- */

static void check_et(const char *utc, int y, int m, int d, int hh, int mi, int ss, int dst)
{
    struct rd_local_time lt;
    int64_t t = parse_time(utc);

    rd_et_from_utc(t, &lt);
    if (lt.day != D(y, m, d) || lt.minute != hh * 60 + mi || lt.second != ss || lt.dst != dst)
        fail_msg("%s: got day %d minute %d second %d dst %d", utc, (int)lt.day, lt.minute,
                 lt.second, lt.dst);
    assert_int_equal(rd_et_offset(t), dst ? -14400 : -18000);
}

static void test_dst_transitions(void **state)
{
    (void)state;
    /* 2026: second Sunday of March, first Sunday of November */
    check_et("2026-03-08T06:59:59Z", 2026, 3, 8, 1, 59, 59, 0);
    check_et("2026-03-08T07:00:00Z", 2026, 3, 8, 3, 0, 0, 1);
    check_et("2026-11-01T05:59:59Z", 2026, 11, 1, 1, 59, 59, 1);
    check_et("2026-11-01T06:00:00Z", 2026, 11, 1, 1, 0, 0, 0);
    check_et("2026-11-01T06:59:59Z", 2026, 11, 1, 1, 59, 59, 0);
    check_et("2026-11-01T07:00:00Z", 2026, 11, 1, 2, 0, 0, 0);
    /* 2025 and 2027 */
    check_et("2025-03-09T07:00:00Z", 2025, 3, 9, 3, 0, 0, 1);
    check_et("2025-11-02T06:00:00Z", 2025, 11, 2, 1, 0, 0, 0);
    check_et("2027-03-14T06:59:59Z", 2027, 3, 14, 1, 59, 59, 0);
    check_et("2027-03-14T07:00:00Z", 2027, 3, 14, 3, 0, 0, 1);
    check_et("2027-11-07T05:59:59Z", 2027, 11, 7, 1, 59, 59, 1);
    check_et("2027-11-07T06:00:00Z", 2027, 11, 7, 1, 0, 0, 0);
    /* 1987-2006 rule: first Sunday of April, last Sunday of October */
    check_et("2006-04-02T06:59:59Z", 2006, 4, 2, 1, 59, 59, 0);
    check_et("2006-04-02T07:00:00Z", 2006, 4, 2, 3, 0, 0, 1);
    check_et("2006-10-29T05:59:59Z", 2006, 10, 29, 1, 59, 59, 1);
    check_et("2006-10-29T06:00:00Z", 2006, 10, 29, 1, 0, 0, 0);
    check_et("2006-03-12T12:00:00Z", 2006, 3, 12, 7, 0, 0, 0);   /* not yet, under old rule */
    check_et("2007-03-11T07:00:00Z", 2007, 3, 11, 3, 0, 0, 1);
    /* local date goes back a day in the evening; midsummer and midwinter */
    check_et("2026-07-01T03:59:59Z", 2026, 6, 30, 23, 59, 59, 1);
    check_et("2026-07-01T04:00:00Z", 2026, 7, 1, 0, 0, 0, 1);
    check_et("2026-01-01T04:59:59Z", 2025, 12, 31, 23, 59, 59, 0);
    check_et("2026-01-01T05:00:00Z", 2026, 1, 1, 0, 0, 0, 0);
    check_et("1969-12-31T23:59:59Z", 1969, 12, 31, 18, 59, 59, 0);
    check_et("2026-11-20T14:31:05Z", 2026, 11, 20, 9, 31, 5, 0);
    check_et("2025-06-24T20:00:00Z", 2025, 6, 24, 16, 0, 0, 1);
    {
        /* the int64 ends do not overflow */
        struct rd_local_time lt;

        rd_et_from_utc(INT64_MIN, &lt);
        assert_int_equal(lt.day, INT32_MIN);
        rd_et_from_utc(INT64_MAX, &lt);
        assert_int_equal(lt.day, INT32_MAX);
        assert_in_range(lt.minute, 0, 1439);
        assert_in_range(rd_et_offset(INT64_MIN), -18000, -14400);
    }
}

static void test_et_to_utc(void **state)
{
    int32_t mar = D(2026, 3, 8), nov = D(2026, 11, 1);

    (void)state;
    /* March: 01:59 EST; 02:00-02:59 do not exist and read as EST; 03:00 EDT */
    assert_int_equal(rd_et_to_utc(mar, 1 * 60 + 59), parse_time("2026-03-08T06:59:00Z"));
    assert_int_equal(rd_et_to_utc(mar, 2 * 60), parse_time("2026-03-08T07:00:00Z"));
    assert_int_equal(rd_et_to_utc(mar, 2 * 60 + 30), parse_time("2026-03-08T07:30:00Z"));
    assert_int_equal(rd_et_to_utc(mar, 3 * 60), parse_time("2026-03-08T07:00:00Z"));
    assert_int_equal(rd_et_to_utc(mar, 3 * 60 + 1), parse_time("2026-03-08T07:01:00Z"));
    /* November: 00:59 EDT; 01:00-01:59 twice, first (EDT) wins; 02:00 EST */
    assert_int_equal(rd_et_to_utc(nov, 59), parse_time("2026-11-01T04:59:00Z"));
    assert_int_equal(rd_et_to_utc(nov, 60), parse_time("2026-11-01T05:00:00Z"));
    assert_int_equal(rd_et_to_utc(nov, 60 + 59), parse_time("2026-11-01T05:59:00Z"));
    assert_int_equal(rd_et_to_utc(nov, 2 * 60), parse_time("2026-11-01T07:00:00Z"));
    /* ordinary days: the open and close */
    assert_int_equal(rd_et_to_utc(D(2026, 7, 1), 570), parse_time("2026-07-01T13:30:00Z"));
    assert_int_equal(rd_et_to_utc(D(2026, 12, 1), 960), parse_time("2026-12-01T21:00:00Z"));
    assert_int_equal(rd_et_to_utc(D(2006, 4, 2), 150), parse_time("2006-04-02T07:30:00Z"));
    assert_int_equal(rd_et_to_utc(D(2006, 10, 29), 90), parse_time("2006-10-29T05:30:00Z"));
    /* minute past a day carries */
    assert_int_equal(rd_et_to_utc(D(2026, 12, 1), 1440), rd_et_to_utc(D(2026, 12, 2), 0));
}

/* Every minute of 2025-2027 that exists in local time goes there and back. */
static void test_et_round_trip(void **state)
{
    int64_t t0 = parse_time("2025-01-01T00:00:00Z"), t1 = parse_time("2028-01-01T00:00:00Z");

    (void)state;
    for (int64_t t = t0; t < t1; t += 60) {
        struct rd_local_time lt;
        int64_t back;

        rd_et_from_utc(t, &lt);
        back = rd_et_to_utc(lt.day, lt.minute);
        /* only November's second 01:xx (EST) maps back to the first (EDT) one */
        if (back != t && !(back == t - 3600 && !lt.dst && lt.minute / 60 == 1))
            fail_msg("t %lld -> day %d minute %d -> %lld", (long long)t, (int)lt.day, lt.minute,
                     (long long)back);
        assert_int_equal(lt.second, 0);
    }
}

/* ---- NYSE ---- */

struct holiday_case {
    int y, m, d;
    const char *name;
};

struct date_case {
    int y, m, d;
};

static void check_year(int year, const struct holiday_case *hol, size_t nhol,
                       const struct date_case *early, size_t nearly)
{
    int32_t first = D(year, 1, 1), last = D(year, 12, 31);
    int open = 0;

    for (size_t i = 0; i < nhol; i++) {
        struct rd_session s;
        int32_t day = D(hol[i].y, hol[i].m, hol[i].d);

        rd_nyse_session(day, &s);
        assert_int_equal(s.day, day);
        assert_int_equal(s.open, 0);
        assert_int_equal(s.early_close, 0);
        assert_non_null(s.holiday);
        assert_string_equal(s.holiday, hol[i].name);
        assert_false(rd_nyse_is_trading_day(day));
        assert_in_range(rd_date_weekday(day), 1, 5);
    }
    for (size_t i = 0; i < nearly; i++) {
        struct rd_session s;

        rd_nyse_session(D(early[i].y, early[i].m, early[i].d), &s);
        assert_int_equal(s.open, 1);
        assert_int_equal(s.early_close, 1);
        assert_int_equal(s.open_minute, 570);
        assert_int_equal(s.close_minute, 780);
        assert_null(s.holiday);
    }
    /* and every other day of the year is as the rules say: weekends closed
     * without a name, other weekdays full sessions */
    for (int32_t day = first; day <= last; day++) {
        struct rd_session s;
        int wd = rd_date_weekday(day), is_hol = 0, is_early = 0, y, m, d;

        rd_date_to_ymd(day, &y, &m, &d);
        for (size_t i = 0; i < nhol; i++)
            is_hol |= hol[i].y == y && hol[i].m == m && hol[i].d == d;
        for (size_t i = 0; i < nearly; i++)
            is_early |= early[i].y == y && early[i].m == m && early[i].d == d;
        rd_nyse_session(day, &s);
        if (is_hol || is_early)
            continue;
        if (wd == 0 || wd == 6) {
            assert_int_equal(s.open, 0);
            assert_null(s.holiday);
            continue;
        }
        if (!s.open || s.early_close || s.close_minute != 960 || s.open_minute != 570)
            fail_msg("%d-%02d-%02d: open %d early %d close %d holiday %s", y, m, d, s.open,
                     s.early_close, s.close_minute, s.holiday ? s.holiday : "-");
        open++;
    }
    assert_int_equal(rd_nyse_trading_days_between(first, last), open + (int)nearly);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* NYSE's published calendars (nyse.com "Holidays & Trading Hours"). */
static void test_nyse_2024(void **state)
{
    static const struct holiday_case hol[] = {
        {2024, 1, 1, "New Year's Day"},
        {2024, 1, 15, "Martin Luther King, Jr. Day"},
        {2024, 2, 19, "Washington's Birthday"},
        {2024, 3, 29, "Good Friday"},
        {2024, 5, 27, "Memorial Day"},
        {2024, 6, 19, "Juneteenth National Independence Day"},
        {2024, 7, 4, "Independence Day"},
        {2024, 9, 2, "Labor Day"},
        {2024, 11, 28, "Thanksgiving Day"},
        {2024, 12, 25, "Christmas Day"},
    };
    static const struct date_case early[] = {{2024, 7, 3}, {2024, 11, 29}, {2024, 12, 24}};

    (void)state;
    check_year(2024, hol, N(hol), early, N(early));
    assert_int_equal(rd_nyse_trading_days_between(D(2024, 1, 1), D(2024, 12, 31)), 252);
}

static void test_nyse_2025(void **state)
{
    static const struct holiday_case hol[] = {
        {2025, 1, 1, "New Year's Day"},
        {2025, 1, 20, "Martin Luther King, Jr. Day"},
        {2025, 2, 17, "Washington's Birthday"},
        {2025, 4, 18, "Good Friday"},
        {2025, 5, 26, "Memorial Day"},
        {2025, 6, 19, "Juneteenth National Independence Day"},
        {2025, 7, 4, "Independence Day"},
        {2025, 9, 1, "Labor Day"},
        {2025, 11, 27, "Thanksgiving Day"},
        {2025, 12, 25, "Christmas Day"},
    };
    static const struct date_case early[] = {{2025, 7, 3}, {2025, 11, 28}, {2025, 12, 24}};

    (void)state;
    check_year(2025, hol, N(hol), early, N(early));
    /* 2025-01-09 (national day of mourning for President Carter) was a one-off
     * closure, not a rule: the calendar reports it as an ordinary day. */
    assert_true(rd_nyse_is_trading_day(D(2025, 1, 9)));
    assert_int_equal(rd_nyse_trading_days_between(D(2025, 1, 1), D(2025, 12, 31)), 251);
}

static void test_nyse_2026(void **state)
{
    static const struct holiday_case hol[] = {
        {2026, 1, 1, "New Year's Day"},
        {2026, 1, 19, "Martin Luther King, Jr. Day"},
        {2026, 2, 16, "Washington's Birthday"},
        {2026, 4, 3, "Good Friday"},
        {2026, 5, 25, "Memorial Day"},
        {2026, 6, 19, "Juneteenth National Independence Day"},
        {2026, 7, 3, "Independence Day"},               /* July 4 is a Saturday */
        {2026, 9, 7, "Labor Day"},
        {2026, 11, 26, "Thanksgiving Day"},
        {2026, 12, 25, "Christmas Day"},
    };
    static const struct date_case early[] = {{2026, 11, 27}, {2026, 12, 24}};

    (void)state;
    check_year(2026, hol, N(hol), early, N(early));
    /* Thursday July 2 before the observed Friday holiday is a full day */
    assert_true(rd_nyse_is_trading_day(D(2026, 7, 2)));
    assert_int_equal(rd_nyse_trading_days_between(D(2026, 1, 1), D(2026, 12, 31)), 251);
}

static void test_nyse_2027(void **state)
{
    static const struct holiday_case hol[] = {
        {2027, 1, 1, "New Year's Day"},
        {2027, 1, 18, "Martin Luther King, Jr. Day"},
        {2027, 2, 15, "Washington's Birthday"},
        {2027, 3, 26, "Good Friday"},
        {2027, 5, 31, "Memorial Day"},
        {2027, 6, 18, "Juneteenth National Independence Day"},  /* June 19 is a Saturday */
        {2027, 7, 5, "Independence Day"},                       /* July 4 is a Sunday */
        {2027, 9, 6, "Labor Day"},
        {2027, 11, 25, "Thanksgiving Day"},
        {2027, 12, 24, "Christmas Day"},                        /* Dec 25 is a Saturday */
    };
    static const struct date_case early[] = {{2027, 11, 26}};

    (void)state;
    check_year(2027, hol, N(hol), early, N(early));
    /* Jan 1 2028 is a Saturday: not observed on Friday Dec 31 */
    assert_true(rd_nyse_is_trading_day(D(2027, 12, 31)));
    assert_true(rd_nyse_is_trading_day(D(2028, 1, 3)));
    assert_int_equal(rd_nyse_trading_days_between(D(2027, 1, 1), D(2027, 12, 31)), 251);
}

static void check_holiday(int y, int m, int d, const char *name)
{
    struct rd_session s;

    rd_nyse_session(D(y, m, d), &s);
    if (s.open || !s.holiday || strcmp(s.holiday, name) != 0)
        fail_msg("%d-%02d-%02d: want %s, got open %d %s", y, m, d, name, s.open,
                 s.holiday ? s.holiday : "-");
}

static void check_session(int y, int m, int d, int open, int close_minute)
{
    struct rd_session s;

    rd_nyse_session(D(y, m, d), &s);
    if (s.open != open || (open && s.close_minute != close_minute) ||
        s.early_close != (close_minute == 780))
        fail_msg("%d-%02d-%02d: want open %d close %d, got open %d close %d", y, m, d, open,
                 close_minute, s.open, s.close_minute);
}

static void test_nyse_rules_other_years(void **state)
{
    /* Easter Sundays: Good Friday is two days before */
    static const struct date_case easter[] = {
        {1818, 3, 22}, {1943, 4, 25}, {2000, 4, 23}, {2008, 3, 23}, {2011, 4, 24},
        {2015, 4, 5}, {2016, 3, 27}, {2017, 4, 16}, {2018, 4, 1}, {2019, 4, 21},
        {2020, 4, 12}, {2021, 4, 4}, {2022, 4, 17}, {2023, 4, 9}, {2028, 4, 16},
        {2029, 4, 1}, {2030, 4, 21}, {2038, 4, 25}, {2285, 3, 22},
    };

    (void)state;
    for (size_t i = 0; i < N(easter); i++) {
        int32_t gf = D(easter[i].y, easter[i].m, easter[i].d) - 2;
        int y, m, d;

        rd_date_to_ymd(gf, &y, &m, &d);
        check_holiday(y, m, d, "Good Friday");
    }
    /* New Year's Day on a Sunday moves to Monday; on a Saturday it is not observed */
    check_holiday(2023, 1, 2, "New Year's Day");
    check_session(2021, 12, 31, 1, 960);
    check_session(2022, 1, 3, 1, 960);
    /* Juneteenth from 2022 (Sunday -> Monday); 2021 was a trading day */
    check_holiday(2022, 6, 20, "Juneteenth National Independence Day");
    check_session(2021, 6, 18, 1, 960);
    /* MLK Day from 1998 */
    check_holiday(1998, 1, 19, "Martin Luther King, Jr. Day");
    check_session(1997, 1, 20, 1, 960);
    /* July 3: early close Monday-Thursday; none when July 4 is Sat/Sun/Mon */
    check_session(2017, 7, 3, 1, 780);
    check_session(2018, 7, 3, 1, 780);
    check_session(2019, 7, 3, 1, 780);
    check_session(2023, 7, 3, 1, 780);
    check_holiday(2015, 7, 3, "Independence Day");
    check_session(2015, 7, 2, 1, 960);
    check_holiday(2020, 7, 3, "Independence Day");
    check_session(2020, 7, 2, 1, 960);
    check_holiday(2021, 7, 5, "Independence Day");
    check_session(2021, 7, 2, 1, 960);
    check_session(2022, 7, 1, 1, 960);
    /* December 24: early close Monday-Thursday; a Friday is the observed holiday */
    check_session(2018, 12, 24, 1, 780);
    check_session(2019, 12, 24, 1, 780);
    check_session(2020, 12, 24, 1, 780);
    check_holiday(2021, 12, 24, "Christmas Day");
    check_session(2021, 12, 23, 1, 960);
    check_holiday(2022, 12, 26, "Christmas Day");
    check_session(2022, 12, 23, 1, 960);
    check_holiday(2023, 12, 25, "Christmas Day");
    check_session(2023, 12, 22, 1, 960);
    /* the day after Thanksgiving, every year */
    for (int y = 1990; y <= 2060; y++) {
        int32_t nov1 = D(y, 11, 1);
        int32_t thanksgiving = nov1 + (4 - rd_date_weekday(nov1) + 7) % 7 + 21;
        int yy, mm, dd;

        rd_date_to_ymd(thanksgiving + 1, &yy, &mm, &dd);
        check_holiday(y, 11, dd - 1, "Thanksgiving Day");
        check_session(y, 11, dd, 1, 780);
    }
}

static void test_weekends_closed(void **state)
{
    struct rd_session s;

    (void)state;
    rd_nyse_session(D(2026, 11, 21), &s);                     /* Saturday */
    assert_int_equal(s.open, 0);
    assert_null(s.holiday);
    assert_int_equal(s.open_minute, 0);
    assert_int_equal(s.close_minute, 0);
    rd_nyse_session(D(2026, 7, 4), &s);                       /* Saturday July 4 */
    assert_int_equal(s.open, 0);
    assert_null(s.holiday);
    rd_nyse_session(D(2026, 11, 20), &s);                     /* ordinary Friday */
    assert_int_equal(s.open, 1);
    assert_int_equal(s.open_minute, 570);
    assert_int_equal(s.close_minute, 960);
    assert_int_equal(s.early_close, 0);
    assert_null(s.holiday);
}

static void test_prev_next(void **state)
{
    (void)state;
    /* weekends */
    assert_int_equal(rd_nyse_next_trading_day(D(2026, 11, 20)), D(2026, 11, 23));
    assert_int_equal(rd_nyse_next_trading_day(D(2026, 11, 21)), D(2026, 11, 23));
    assert_int_equal(rd_nyse_prev_trading_day(D(2026, 11, 23)), D(2026, 11, 20));
    assert_int_equal(rd_nyse_prev_trading_day(D(2026, 11, 22)), D(2026, 11, 20));
    /* strictly before / after, also from a trading day */
    assert_int_equal(rd_nyse_next_trading_day(D(2026, 11, 17)), D(2026, 11, 18));
    assert_int_equal(rd_nyse_prev_trading_day(D(2026, 11, 18)), D(2026, 11, 17));
    /* holidays next to weekends */
    assert_int_equal(rd_nyse_next_trading_day(D(2026, 4, 2)), D(2026, 4, 6));     /* Good Friday */
    assert_int_equal(rd_nyse_prev_trading_day(D(2026, 4, 6)), D(2026, 4, 2));
    assert_int_equal(rd_nyse_prev_trading_day(D(2026, 1, 20)), D(2026, 1, 16));   /* MLK */
    assert_int_equal(rd_nyse_next_trading_day(D(2026, 1, 16)), D(2026, 1, 20));
    assert_int_equal(rd_nyse_next_trading_day(D(2026, 7, 2)), D(2026, 7, 6));
    assert_int_equal(rd_nyse_next_trading_day(D(2026, 12, 24)), D(2026, 12, 28));
    assert_int_equal(rd_nyse_next_trading_day(D(2026, 11, 25)), D(2026, 11, 27));
    assert_int_equal(rd_nyse_prev_trading_day(D(2026, 11, 27)), D(2026, 11, 25));
    /* across the year end */
    assert_int_equal(rd_nyse_prev_trading_day(D(2027, 1, 4)), D(2026, 12, 31));
    assert_int_equal(rd_nyse_next_trading_day(D(2026, 12, 31)), D(2027, 1, 4));
    assert_int_equal(rd_nyse_next_trading_day(D(2027, 7, 2)), D(2027, 7, 6));
    assert_int_equal(rd_nyse_prev_trading_day(D(2027, 7, 6)), D(2027, 7, 2));
    assert_int_equal(rd_nyse_next_trading_day(D(2027, 12, 23)), D(2027, 12, 27));
    assert_int_equal(rd_nyse_next_trading_day(D(2027, 12, 30)), D(2027, 12, 31));
    assert_int_equal(rd_nyse_next_trading_day(D(2027, 12, 31)), D(2028, 1, 3));
    /* the int32 ends do not wrap */
    assert_int_equal(rd_nyse_prev_trading_day(INT32_MIN), INT32_MIN);
    assert_int_equal(rd_nyse_next_trading_day(INT32_MAX), INT32_MAX);
    assert_true(rd_nyse_next_trading_day(INT32_MIN) > INT32_MIN);
    assert_true(rd_nyse_prev_trading_day(INT32_MAX) < INT32_MAX);
}

static void test_trading_days_between(void **state)
{
    int32_t a = D(1995, 1, 1), b = D(2040, 12, 31);

    (void)state;
    assert_int_equal(rd_nyse_trading_days_between(D(2026, 11, 20), D(2026, 11, 19)), 0);
    assert_int_equal(rd_nyse_trading_days_between(D(2026, 11, 20), D(2026, 11, 20)), 1);
    assert_int_equal(rd_nyse_trading_days_between(D(2026, 11, 21), D(2026, 11, 22)), 0);
    assert_int_equal(rd_nyse_trading_days_between(D(2026, 11, 26), D(2026, 11, 26)), 0);
    assert_int_equal(rd_nyse_trading_days_between(D(2026, 11, 20), D(2026, 11, 30)), 6);
    assert_int_equal(rd_nyse_trading_days_between(D(2026, 12, 21), D(2027, 1, 8)), 13);
    assert_int_equal(rd_nyse_trading_days_between(D(2024, 1, 1), D(2027, 12, 31)),
                     252 + 251 + 251 + 251);
    /* agrees with counting day by day, for many start and end points */
    for (int32_t from = a; from < b; from += 3653) {
        int count = 0;

        for (int32_t day = from; day <= b; day++) {
            count += rd_nyse_is_trading_day(day);
            if ((day - from) % 97 == 0 || day == b)
                assert_int_equal(rd_nyse_trading_days_between(from, day), count);
        }
    }
    /* far from today, whole years are counted without listing them: splitting a
     * range anywhere must not change the total */
    {
        uint64_t x = 88172645463325252ULL;

        for (int i = 0; i < 2000; i++) {
            int32_t lo, mid, hi;

            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            lo = -(int32_t)(x % 1000000000u);
            hi = (int32_t)((x >> 32) % 1000000000u);
            mid = lo + (int32_t)((x >> 20) % (uint64_t)(hi - lo));
            assert_int_equal(rd_nyse_trading_days_between(lo, hi),
                             rd_nyse_trading_days_between(lo, mid) +
                                 rd_nyse_trading_days_between(mid + 1, hi));
        }
        /* a 400-year block from 2100 on has a fixed count: 146097 days,
         * 104355 weekdays, ten holidays a year less the Saturday New Year's Days */
        assert_int_equal(rd_nyse_trading_days_between(D(2100, 1, 1), D(2499, 12, 31)),
                         rd_nyse_trading_days_between(D(2500, 1, 1), D(2899, 12, 31)));
    }
    /* the whole int32 range neither overflows nor takes forever */
    assert_true(rd_nyse_trading_days_between(INT32_MIN, INT32_MAX) > 0);
    assert_int_equal(rd_nyse_trading_days_between(INT32_MAX, INT32_MIN), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ymd_anchors),
        cmocka_unit_test(test_ymd_walk),
        cmocka_unit_test(test_ymd_extremes),
        cmocka_unit_test(test_weekday),
        cmocka_unit_test(test_date_parse_format),
        cmocka_unit_test(test_time_parse),
        cmocka_unit_test(test_time_rejects),
        cmocka_unit_test(test_time_format),
        cmocka_unit_test(test_dst_transitions),
        cmocka_unit_test(test_et_to_utc),
        cmocka_unit_test(test_et_round_trip),
        cmocka_unit_test(test_nyse_2024),
        cmocka_unit_test(test_nyse_2025),
        cmocka_unit_test(test_nyse_2026),
        cmocka_unit_test(test_nyse_2027),
        cmocka_unit_test(test_nyse_rules_other_years),
        cmocka_unit_test(test_weekends_closed),
        cmocka_unit_test(test_prev_next),
        cmocka_unit_test(test_trading_days_between),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
