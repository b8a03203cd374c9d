/*
 * config_files.c - what the config files share at the bottom: the capped file
 * reader, paths relative to the config's folder, "file:" sources, and
 * freeing a config. Calls nothing else in src/config but its parsing helpers.
 */
#include "config/config_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "riskdesk/alloc.h"
#include "riskdesk/banned.h"

int rd_cfg_read_file(const char *path, size_t max, struct rd_buf *out, struct stat *st,
                     struct rd_error *err)
{
    struct stat sb;
    char chunk[8192];
    int fd, rc = RD_OK;

    /* O_NONBLOCK: a FIFO must not hang the load; it is refused below anyway */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return rd_error_set(err, errno == ENOENT ? RD_ENOTFOUND : RD_EIO, "%s: cannot open: %s",
                            path, strerror(errno));
    if (fstat(fd, &sb) != 0) {
        rc = rd_error_set(err, RD_EIO, "%s: cannot stat: %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(sb.st_mode)) {
        rc = rd_error_set(err, RD_EIO, "%s: not a regular file", path);
        goto out;
    }
    if ((uint64_t)sb.st_size > max) {
        rc = rd_error_set(err, RD_ETOOBIG, "%s: %lld bytes; at most %zu are read", path,
                          (long long)sb.st_size, max);
        goto out;
    }
    if (st)
        *st = sb;
    rd_buf_init(out, max);
    rc = rd_buf_append(out, "", 0);      /* an empty file still yields "" */
    for (;;) {
        ssize_t n;

        if (rc)
            break;
        n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = rd_error_set(err, RD_EIO, "%s: read failed: %s", path, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        rc = rd_buf_append(out, chunk, (size_t)n);
    }
    if (rc == RD_ENOMEM)
        rd_error_set(err, RD_ENOMEM, "%s: out of memory", path);
    else if (rc == RD_ETOOBIG)
        rd_error_set(err, RD_ETOOBIG, "%s: larger than %zu bytes", path, max);
    if (rc)
        rd_buf_release(out);
out:
    close(fd);
    return rc;
}

int rd_cfg_join_path(const char *dir, const char *path, char *out, size_t n)
{
    int len;

    if (path[0] == '/' || !dir[0])
        len = snprintf(out, n, "%s", path);
    else
        len = snprintf(out, n, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", path);
    return len < 0 || (size_t)len >= n ? RD_ETOOBIG : RD_OK;
}

int rd_cfg_file_source(const struct cfg_build *b, const char *src, char *out, size_t n,
                       const struct cfg_at *at, const char *key, struct rd_error *err)
{
    char path[RD_SOURCE_MAX];

    if (!src[5])
        return rd_cfg_field_error(err, RD_ECONFIG, at, key, "\"file:\" needs a path");
    if (rd_cfg_join_path(b->dir, src + 5, path, sizeof path) != RD_OK ||
        snprintf(out, n, "file:%s", path) >= (int)n)
        return rd_cfg_field_error(err, RD_ECONFIG, at, key, "path too long (at most %zu characters)",
                                  n - 1);
    return RD_OK;
}

void rd_config_free(struct rd_config *cfg)
{
    if (!cfg)
        return;
    rd_free(cfg->by_name);
    rd_free(cfg->accounts);
    rd_free(cfg);
}
