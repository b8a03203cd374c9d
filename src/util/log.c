#include "riskdesk/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "riskdesk/decimal.h"
#include "riskdesk/banned.h"

/* Process-wide logger settings: written once at startup, read afterwards. */
static enum rd_log_level min_level = RD_LOG_INFO;
static enum rd_log_format out_format = RD_LOG_LOGFMT;
static int out_fd = 2;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void rd_log_set_level(enum rd_log_level level) { min_level = level; }
void rd_log_set_format(enum rd_log_format format) { out_format = format; }
void rd_log_set_fd(int fd) { out_fd = fd; }
int rd_log_enabled(enum rd_log_level level) { return level >= min_level; }

int rd_log_setup_from_env(struct rd_error *err)
{
    const char *lv = getenv("LOG_LEVEL");
    const char *fm = getenv("LOG_FORMAT");

    if (lv && *lv) {
        int found = 0;

        for (int i = 0; i < 4; i++) {
            if (!strcasecmp(lv, level_names[i]) ||
                (i == RD_LOG_WARN && !strcasecmp(lv, "warning"))) {
                min_level = (enum rd_log_level)i;
                found = 1;
            }
        }
        if (!found)
            return rd_error_set(err, RD_ECONFIG,
                                "LOG_LEVEL=%.40s: expected one of debug, info, warn, error", lv);
    }
    if (fm && *fm) {
        if (!strcasecmp(fm, "json"))
            out_format = RD_LOG_JSON;
        else if (!strcasecmp(fm, "logfmt") || !strcasecmp(fm, "text"))
            out_format = RD_LOG_LOGFMT;
        else
            return rd_error_set(err, RD_ECONFIG, "LOG_FORMAT=%.40s: expected logfmt or json", fm);
    }
    return RD_OK;
}

static void put(struct rd_logline *l, const char *s, size_t n)
{
    size_t room = sizeof l->buf - 2 - (size_t)l->len;   /* keep space for '\n' and '}' */

    if (n > room)
        n = room;
    memcpy(l->buf + l->len, s, n);
    l->len += (int)n;
}

static void put_quoted(struct rd_logline *l, const char *v)
{
    int need_quotes = l->json || *v == '\0';
    char esc[8];

    if (!l->json)
        for (const char *p = v; *p; p++)
            if (*p == ' ' || *p == '"' || *p == '=' || (unsigned char)*p < 0x20)
                need_quotes = 1;
    if (need_quotes)
        put(l, "\"", 1);
    for (const char *p = v; *p; p++) {
        unsigned char c = (unsigned char)*p;

        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            put(l, esc, 2);
        } else if (c == '\n') {
            put(l, "\\n", 2);
        } else if (c < 0x20) {
            int n = snprintf(esc, sizeof esc, "\\u%04x", c);
            put(l, esc, (size_t)n);
        } else {
            put(l, p, 1);
        }
    }
    if (need_quotes)
        put(l, "\"", 1);
}

static void put_key(struct rd_logline *l, const char *key)
{
    if (l->json) {
        put(l, ",\"", 2);
        put(l, key, strlen(key));
        put(l, "\":", 2);
    } else {
        put(l, " ", 1);
        put(l, key, strlen(key));
        put(l, "=", 1);
    }
}

void rd_log_begin(struct rd_logline *l, enum rd_log_level level, const char *event)
{
    char ts[40];
    struct timespec now;
    struct tm tm;
    int n;

    l->len = 0;
    l->active = rd_log_enabled(level);
    l->json = out_format == RD_LOG_JSON;
    if (!l->active)
        return;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    n = (int)strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(ts + n, sizeof ts - (size_t)n, ".%03ldZ", now.tv_nsec / 1000000L);
    if (l->json) {
        put(l, "{\"ts\":\"", 7);
        put(l, ts, strlen(ts));
        put(l, "\"", 1);
    } else {
        put(l, "ts=", 3);
        put(l, ts, strlen(ts));
    }
    put_key(l, "level");
    put_quoted(l, level_names[level]);
    put_key(l, "event");
    put_quoted(l, event);
}

void rd_log_str(struct rd_logline *l, const char *key, const char *val)
{
    if (!l->active)
        return;
    put_key(l, key);
    put_quoted(l, val ? val : "");
}

void rd_log_int(struct rd_logline *l, const char *key, int64_t val)
{
    char num[32];
    int n;

    if (!l->active)
        return;
    n = snprintf(num, sizeof num, "%lld", (long long)val);
    put_key(l, key);
    put(l, num, (size_t)n);
}

/* A decimal number as money and ppm values print: quoted in JSON, bare in logfmt. */
static void put_decimal(struct rd_logline *l, const char *key, const char *num)
{
    put_key(l, key);
    if (l->json)
        put_quoted(l, num);
    else
        put(l, num, strlen(num));
}

void rd_log_money(struct rd_logline *l, const char *key, int64_t money)
{
    char num[32];

    if (!l->active)
        return;
    rd_decimal_format(money, 4, 2, num, sizeof num);   /* as rd_money_format */
    put_decimal(l, key, num);
}

void rd_log_ppm(struct rd_logline *l, const char *key, int64_t ppm)
{
    char num[32];

    if (!l->active)
        return;
    rd_decimal_format(ppm, 6, 0, num, sizeof num);     /* as rd_ppm_format */
    put_decimal(l, key, num);
}

void rd_log_end(struct rd_logline *l)
{
    ssize_t w;

    if (!l->active)
        return;
    if (l->json)
        l->buf[l->len++] = '}';
    l->buf[l->len++] = '\n';
    w = write(out_fd, l->buf, (size_t)l->len);
    (void)w;
    l->active = 0;
}

void rd_log_msg(enum rd_log_level level, const char *event, const char *msg)
{
    struct rd_logline l;

    rd_log_begin(&l, level, event);
    rd_log_str(&l, "msg", msg);
    rd_log_end(&l);
}
