/*
 * log.h - one line per event, logfmt (default) or JSON (LOG_FORMAT=json), to
 * stderr, filtered by LOG_LEVEL (debug|info|warn|error). Used by the program
 * parts (config, store, broker, app, cli); src/core never logs.
 *
 *   struct rd_logline l;
 *   rd_log_begin(&l, RD_LOG_INFO, "dispatch.start");
 *   rd_log_str(&l, "account", name);
 *   rd_log_int(&l, "positions", n);
 *   rd_log_end(&l);
 *
 * A line is built in a fixed buffer inside struct rd_logline (long values are
 * cut, never overflowed) and written with one write(2), so lines from several
 * threads never interleave. Nothing here allocates.
 */
#ifndef RISKDESK_LOG_H
#define RISKDESK_LOG_H

#include <stdint.h>

#include "riskdesk/error.h"

enum rd_log_level { RD_LOG_DEBUG, RD_LOG_INFO, RD_LOG_WARN, RD_LOG_ERROR };
enum rd_log_format { RD_LOG_LOGFMT, RD_LOG_JSON };

#define RD_LOGLINE_MAX 2048

struct rd_logline {
    int active;                 /* 0 when the level is filtered out */
    int json;
    int len;
    char buf[RD_LOGLINE_MAX];
};

/* Process-wide settings, set once by the program before threads start.
 * rd_log_setup_from_env reads LOG_LEVEL and LOG_FORMAT; a bad value is an
 * RD_ECONFIG error naming the variable and the allowed values. */
int rd_log_setup_from_env(struct rd_error *err);
void rd_log_set_level(enum rd_log_level level);
void rd_log_set_format(enum rd_log_format format);
/* Redirects output to fd (default 2). */
void rd_log_set_fd(int fd);
int rd_log_enabled(enum rd_log_level level);

void rd_log_begin(struct rd_logline *l, enum rd_log_level level, const char *event);
void rd_log_str(struct rd_logline *l, const char *key, const char *val);
void rd_log_int(struct rd_logline *l, const char *key, int64_t val);
void rd_log_money(struct rd_logline *l, const char *key, int64_t money);
void rd_log_ppm(struct rd_logline *l, const char *key, int64_t ppm);   /* 150000 -> 0.15 */
void rd_log_end(struct rd_logline *l);

/* One-call form for an event with a single message field. */
void rd_log_msg(enum rd_log_level level, const char *event, const char *msg);

#endif
