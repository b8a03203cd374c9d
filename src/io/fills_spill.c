/*
 * fills_spill.c - fills in an unlinked temporary file (see fills_spill.h):
 * appended through a buffer of BUF_FILLS (flushed before any read), read back
 * straight into the caller's array; adds and reads keep their own offsets.
 */
#include "riskdesk/fills_spill.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "riskdesk/alloc.h"
#include "riskdesk/banned.h"

#define BUF_FILLS 4096                      /* 160 KiB */

struct rd_fills_spill {
    int fd;
    char path[4096];                        /* for messages; unlinked */
    struct rd_fill *buf;                    /* not yet written */
    size_t nbuf, count;
    off_t written, read_at;                 /* bytes: the file's end, the next read's */
};

int rd_fills_spill_new(struct rd_fills_spill **out, struct rd_error *err)
{
    const char *dir = getenv("TMPDIR");
    struct rd_fills_spill *sp = rd_calloc(1, sizeof *sp);

    *out = NULL;
    if (!sp)
        return rd_error_set(err, RD_ENOMEM, "out of memory setting fills aside");
    sp->buf = rd_malloc(BUF_FILLS * sizeof *sp->buf);
    if (!sp->buf) {
        rd_free(sp);
        return rd_error_set(err, RD_ENOMEM, "out of memory setting fills aside");
    }
    if (!dir || !dir[0])
        dir = "/tmp";
    snprintf(sp->path, sizeof sp->path, "%s/riskdesk-fills-XXXXXX", dir);
    sp->fd = mkstemp(sp->path);
    if (sp->fd < 0) {
        int rc = rd_error_set(err, RD_EIO, "cannot make a temporary file %s to set fills "
                              "aside: %s (TMPDIR picks the folder)", sp->path, strerror(errno));

        rd_free(sp->buf);
        rd_free(sp);
        return rc;
    }
    unlink(sp->path);
    fcntl(sp->fd, F_SETFD, FD_CLOEXEC);
    *out = sp;
    return RD_OK;
}

void rd_fills_spill_free(struct rd_fills_spill *sp)
{
    if (!sp)
        return;
    close(sp->fd);
    rd_free(sp->buf);
    rd_free(sp);
}

static int write_all(struct rd_fills_spill *sp, const void *data, size_t len, struct rd_error *err)
{
    const char *p = data;

    while (len) {
        ssize_t n = pwrite(sp->fd, p, len, sp->written);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return rd_error_set(err, RD_EIO, "%s (a temporary file of fills set aside, "
                                "unlinked): write failed: %s", sp->path, strerror(errno));
        p += n;
        len -= (size_t)n;
        sp->written += n;
    }
    return RD_OK;
}

static int flush(struct rd_fills_spill *sp, struct rd_error *err)
{
    int rc = write_all(sp, sp->buf, sp->nbuf * sizeof *sp->buf, err);

    sp->nbuf = 0;
    return rc;
}

int rd_fills_spill_add(struct rd_fills_spill *sp, const struct rd_fill *f, size_t n,
                       struct rd_error *err)
{
    int rc = RD_OK;

    if (n >= BUF_FILLS) {                   /* a long run: straight to the file */
        rc = flush(sp, err);
        if (rc == RD_OK)
            rc = write_all(sp, f, n * sizeof *f, err);
    } else {
        if (sp->nbuf + n > BUF_FILLS)
            rc = flush(sp, err);
        if (rc == RD_OK) {
            memcpy(sp->buf + sp->nbuf, f, n * sizeof *f);
            sp->nbuf += n;
        }
    }
    if (rc == RD_OK)
        sp->count += n;
    return rc;
}

size_t rd_fills_spill_count(const struct rd_fills_spill *sp)
{
    return sp->count;
}

int rd_fills_spill_rewind(struct rd_fills_spill *sp, struct rd_error *err)
{
    sp->read_at = 0;
    return flush(sp, err);
}

int rd_fills_spill_read(struct rd_fills_spill *sp, struct rd_fill *f, size_t max, size_t *n,
                        struct rd_error *err)
{
    char *p = (char *)f;
    size_t want = max * sizeof *f, got = 0;
    int rc = flush(sp, err);

    *n = 0;
    if (rc != RD_OK)
        return rc;
    while (got < want) {
        ssize_t r = pread(sp->fd, p + got, want - got, sp->read_at + (off_t)got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return rd_error_set(err, RD_EIO, "%s (a temporary file of fills set aside, "
                                "unlinked): read failed: %s", sp->path, strerror(errno));
        if (r == 0)
            break;
        got += (size_t)r;
    }
    sp->read_at += (off_t)got;
    if (got % sizeof *f)
        return rd_error_set(err, RD_EIO, "%s (a temporary file of fills set aside, unlinked): "
                            "it ends in the middle of a fill", sp->path);
    *n = got / sizeof *f;
    return RD_OK;
}
