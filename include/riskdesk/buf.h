/*
 * buf.h - a growable byte buffer with a hard cap set at creation (like curl's
 * dynbuf). Anything that reads from outside appends into one of these and fails
 * with RD_ETOOBIG past the cap instead of growing without bound.
 *
 * The struct is caller-owned: rd_buf_init() then rd_buf_release(). The bytes
 * are always NUL-terminated (the NUL is not counted in len).
 */
#ifndef RISKDESK_BUF_H
#define RISKDESK_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct rd_buf {
    char *data;      /* NULL until the first append */
    size_t len;
    size_t cap;      /* allocated size */
    size_t max;      /* hard limit on len */
};

void rd_buf_init(struct rd_buf *b, size_t max);
void rd_buf_release(struct rd_buf *b);
void rd_buf_reset(struct rd_buf *b);                 /* len = 0, keeps memory */
int rd_buf_append(struct rd_buf *b, const void *p, size_t n);
int rd_buf_puts(struct rd_buf *b, const char *s);
int rd_buf_printf(struct rd_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int rd_buf_vprintf(struct rd_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Returns the data (or "" when empty); owned by the buffer. */
const char *rd_buf_str(const struct rd_buf *b);
/* Hands the data to the caller (release with rd_free) and resets the buffer. */
char *rd_buf_detach(struct rd_buf *b);

#endif
