#include "riskdesk/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "riskdesk/banned.h"

static const char *const texts[] = {
#define RD_ERROR_TEXT(name, text) text,
    RD_ERROR_LIST(RD_ERROR_TEXT)
#undef RD_ERROR_TEXT
};

static const char *const names[] = {
#define RD_ERROR_NAME(name, text) #name,
    RD_ERROR_LIST(RD_ERROR_NAME)
#undef RD_ERROR_NAME
};

const char *rd_strerror(int code)
{
    if (code < 0 || code >= RD_ERR_COUNT)
        return "unknown error";
    return texts[code];
}

const char *rd_errname(int code)
{
    if (code < 0 || code >= RD_ERR_COUNT)
        return "RD_E?";
    return names[code];
}

int rd_error_set(struct rd_error *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return code;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

int rd_error_prefix(struct rd_error *err, const char *fmt, ...)
{
    char prefix[RD_ERROR_MSG_MAX];
    char old[RD_ERROR_MSG_MAX];
    size_t n, rest;
    va_list ap;

    if (!err)
        return RD_EINTERNAL;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    n = strlen(prefix);
    if (n > sizeof err->msg - 3)
        n = sizeof err->msg - 3;
    memcpy(err->msg, prefix, n);
    memcpy(err->msg + n, ": ", 2);
    n += 2;
    rest = strnlen(old, sizeof old);
    if (rest > sizeof err->msg - 1 - n)
        rest = sizeof err->msg - 1 - n;
    memcpy(err->msg + n, old, rest);
    err->msg[n + rest] = '\0';
    return err->code;
}

void rd_error_clear(struct rd_error *err)
{
    if (!err)
        return;
    err->code = RD_OK;
    err->msg[0] = '\0';
}
