/*
 * calendar.h - dates, UTC <-> US/Eastern, and the NYSE trading calendar.
 *
 * A date is a day number: days since 1970-01-01 (int32_t, proleptic Gregorian).
 * A time is Unix seconds, UTC (int64_t). A "minute" is minutes after local
 * midnight, US/Eastern. Pure functions, no allocation, no global state, no
 * dependence on the machine's TZ or tzdata: the US DST rules are built in
 * (2007 onwards: second Sunday of March 02:00 to first Sunday of November 02:00;
 * 1987-2006: first Sunday of April to last Sunday of October).
 */
#ifndef RISKDESK_CALENDAR_H
#define RISKDESK_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/error.h"

/* ---- dates ---- */
/* Months outside 1..12 and days outside the month carry over (2026-13-01 is
 * 2027-01-01, day 0 the last day of the month before); saturates at the int32
 * ends. */
int32_t rd_date_from_ymd(int y, int m, int d);
void rd_date_to_ymd(int32_t day, int *y, int *m, int *d);
int rd_date_weekday(int32_t day);                 /* 0 = Sunday ... 6 = Saturday */
/* "YYYY-MM-DD" exactly; RD_EINVAL naming the text and the expected form. */
int rd_date_parse(const char *s, size_t len, int32_t *out, struct rd_error *err);
/* Writes "YYYY-MM-DD" (buf needs 11 bytes); returns snprintf-style length.
 * Years outside 0000..9999 get more digits or a leading '-' (up to 15 bytes). */
int rd_date_format(int32_t day, char *buf, size_t n);

/* ---- times ---- */
/*
 * RFC 3339 / ISO 8601: "2026-11-20T14:31:05Z", "2025-06-24T16:00:00-04:00",
 * "2023-12-12T22:31:24.668464435Z" (fraction dropped, toward the past), also a
 * space instead of 'T'. The zone is Z or +hh:mm / -hh:mm; a time without a zone
 * is refused (RD_EINVAL, naming the text), as is a bare date. Leap second 60 is
 * accepted as 59.
 */
int rd_time_parse(const char *s, size_t len, int64_t *out, struct rd_error *err);
/* Writes "YYYY-MM-DDTHH:MM:SSZ" (buf needs 21 bytes for years 0000..9999);
 * returns snprintf-style length. */
int rd_time_format(int64_t t, char *buf, size_t n);

/* ---- US/Eastern ---- */
struct rd_local_time {
    int32_t day;        /* local date */
    int minute;         /* 0..1439 */
    int second;         /* 0..59 */
    int dst;            /* 1 when EDT, 0 when EST */
};
int rd_et_offset(int64_t t);                      /* seconds east of UTC: -14400 or -18000 */
void rd_et_from_utc(int64_t t, struct rd_local_time *out);
/* The UTC instant of a local wall-clock time. For the skipped hour in March the
 * result is as if the clock had not changed yet (EST); for the repeated hour in
 * November, the first (EDT) occurrence. */
int64_t rd_et_to_utc(int32_t day, int minute);

/* ---- NYSE ---- */
struct rd_session {
    int32_t day;
    int open;               /* 1 on a trading day */
    int open_minute;        /* 570 (09:30 ET) when open, else 0 (as close_minute) */
    int close_minute;       /* 960 (16:00) or 780 (13:00) on an early close */
    int early_close;        /* 1 on an early-close day */
    const char *holiday;    /* static name when closed for a holiday ("Thanksgiving Day"), else NULL */
};
/*
 * The NYSE regular session on a local date, by rule: weekends; New Year's Day
 * (Sunday -> Monday; Saturday -> not observed on the Friday before); MLK Day
 * (3rd Monday of January, from 1998); Washington's Birthday (3rd Monday of
 * February); Good Friday; Memorial Day (last Monday of May); Juneteenth (June 19,
 * from 2022); Independence Day; Labor Day (1st Monday of September); Thanksgiving
 * (4th Thursday of November); Christmas. Juneteenth, Independence Day and
 * Christmas falling on a Saturday are observed the Friday before, on a Sunday
 * the Monday after. Early closes at 13:00: July 3 and December 24 when they are
 * trading days (Monday to Thursday; as Fridays they are the observed holiday, and
 * the Thursday before is a full day), and the day after Thanksgiving. One-off
 * closures (national days of mourning such as 2025-01-09, the 2001 and 2012
 * closures) are not included. See docs/calendar.md.
 */
void rd_nyse_session(int32_t day, struct rd_session *out);
int rd_nyse_is_trading_day(int32_t day);
int32_t rd_nyse_prev_trading_day(int32_t day);    /* strictly before day */
int32_t rd_nyse_next_trading_day(int32_t day);    /* strictly after day */
/* Trading days d with from <= d <= to (0 when to < from). */
int rd_nyse_trading_days_between(int32_t from, int32_t to);

#endif
