#include "riskdesk/buf.h"

#include <stdio.h>
#include <string.h>


#include "riskdesk/alloc.h"
#include "riskdesk/error.h"
#include "riskdesk/banned.h"

void rd_buf_init(struct rd_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void rd_buf_release(struct rd_buf *b)
{
    rd_free(b->data);
    rd_buf_init(b, b->max);
}

void rd_buf_reset(struct rd_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static int reserve(struct rd_buf *b, size_t extra)
{
    size_t need, ncap;
    char *p;

    if (extra > b->max || b->len > b->max - extra)
        return RD_ETOOBIG;
    need = b->len + extra + 1;
    if (need <= b->cap)
        return RD_OK;
    ncap = b->cap ? b->cap : 64;
    while (ncap < need)
        ncap = ncap > ((size_t)-1) / 2 ? need : ncap * 2;
    p = rd_realloc(b->data, ncap);
    if (!p)
        return RD_ENOMEM;
    b->data = p;
    b->cap = ncap;
    return RD_OK;
}

int rd_buf_append(struct rd_buf *b, const void *p, size_t n)
{
    int rc = reserve(b, n);

    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return RD_OK;
}

int rd_buf_puts(struct rd_buf *b, const char *s)
{
    return rd_buf_append(b, s, strlen(s));
}

int rd_buf_vprintf(struct rd_buf *b, const char *fmt, va_list ap)
{
    size_t room = b->data ? b->cap - b->len : 0;        /* reserve keeps cap > len */
    va_list ap2;
    int n, rc;

    /* formatted once into the room there is, the usual case; again after growing */
    va_copy(ap2, ap);
    n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap2);
    va_end(ap2);
    if (n >= 0 && (size_t)n < room && (size_t)n <= b->max && b->len <= b->max - (size_t)n) {
        b->len += (size_t)n;
        return RD_OK;
    }
    if (room)
        b->data[b->len] = '\0';                         /* nothing appended */
    if (n < 0)
        return RD_EINVAL;
    rc = reserve(b, (size_t)n);
    if (rc)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return RD_OK;
}

int rd_buf_printf(struct rd_buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = rd_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

const char *rd_buf_str(const struct rd_buf *b)
{
    return b->data ? b->data : "";
}

char *rd_buf_detach(struct rd_buf *b)
{
    char *p = b->data;

    if (!p)
        p = rd_strdup("");
    rd_buf_init(b, b->max);
    return p;
}
