/*
 * error.h - the one error enum of riskdesk and the message that goes with it.
 *
 * Library functions return an int: RD_OK (0) or one of the codes below, and fill
 * the caller's struct rd_error with a human message saying what went wrong, where
 * and what was expected. The struct is caller-owned and needs no release.
 * Only the command-line program turns errors into exit codes.
 */
#ifndef RISKDESK_ERROR_H
#define RISKDESK_ERROR_H

#include <stddef.h>

#define RD_ERROR_LIST(X)                                         \
    X(RD_OK,        "ok")                                        \
    X(RD_EINVAL,    "invalid input")                             \
    X(RD_ENOMEM,    "out of memory")                             \
    X(RD_EIO,       "input/output error")                        \
    X(RD_ENOTFOUND, "not found")                                 \
    X(RD_ETOOBIG,   "too large")                                 \
    X(RD_ECONFIG,   "invalid configuration")                     \
    X(RD_ESTORE,    "storage error")                             \
    X(RD_EBROKER,   "broker error")                              \
    X(RD_EREJECTED, "rejected")                                  \
    X(RD_EBUSY,     "busy: held by another process")             \
    X(RD_EEXIST,    "already exists")                            \
    X(RD_ETIMEOUT,  "timed out")                                 \
    X(RD_EAUTH,     "not authorised")                            \
    X(RD_EUNSUPPORTED, "not supported")                          \
    X(RD_EINTERNAL, "internal error")

enum rd_err {
#define RD_ERROR_ENUM(name, text) name,
    RD_ERROR_LIST(RD_ERROR_ENUM)
#undef RD_ERROR_ENUM
    RD_ERR_COUNT
};

#define RD_ERROR_MSG_MAX 512

struct rd_error {
    int code;                        /* enum rd_err */
    char msg[RD_ERROR_MSG_MAX];      /* human message, always NUL-terminated */
};

/* The short text of an error code ("invalid input"); never NULL. */
const char *rd_strerror(int code);

/* The symbolic name of an error code ("RD_EINVAL"); never NULL. */
const char *rd_errname(int code);

/* Fills err (which may be NULL) and returns code, so callers can write
 * `return rd_error_set(err, RD_EINVAL, "line %d: ...", n);`. */
int rd_error_set(struct rd_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the message already in err with "prefix: " and returns err->code. */
int rd_error_prefix(struct rd_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Resets err to RD_OK with an empty message. */
void rd_error_clear(struct rd_error *err);

#endif
