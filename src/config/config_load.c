/*
 * config_load.c - where a config comes from: a file, text, or the default
 * search (path argument, $RISKDESK_CONFIG, ./riskdesk.json); and the capped
 * file reader the other config files share.
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

/* The directory part of origin ("" when it has none). */
static void dir_of(const char *origin, char *dir, size_t n)
{
    const char *slash = strrchr(origin, '/');
    size_t len;

    if (!slash) {
        dir[0] = '\0';
        return;
    }
    len = slash == origin ? 1 : (size_t)(slash - origin);
    if (len >= n)
        len = n - 1;
    memcpy(dir, origin, len);
    dir[len] = '\0';
}

int rd_config_load_text(const char *text, size_t len, const char *origin, struct rd_config **out,
                        struct rd_error *err)
{
    char dir[RD_SOURCE_MAX * 4];
    json_t *root = NULL;
    int rc;

    *out = NULL;
    if (!origin)
        origin = "(text)";
    dir_of(origin, dir, sizeof dir);
    rc = rd_cfg_parse_json(text, len, origin, 0, &root, err);
    if (rc)
        return rc;
    rc = rd_cfg_build(root, origin, dir, out, err);
    json_decref(root);
    return rc;
}

int rd_config_load_file(const char *path, struct rd_config **out, struct rd_error *err)
{
    struct rd_buf b;
    int rc;

    *out = NULL;
    rc = rd_cfg_read_file(path, CFG_FILE_MAX, &b, NULL, err);
    if (rc)
        return rc;
    rc = rd_config_load_text(b.data, b.len, path, out, err);
    rd_buf_release(&b);
    return rc;
}

int rd_config_load_default(const char *path, struct rd_config **out, struct rd_error *err)
{
    const char *env = getenv("RISKDESK_CONFIG");
    int rc;

    *out = NULL;
    if (path)
        return rd_config_load_file(path, out, err);
    if (env && env[0]) {
        rc = rd_config_load_file(env, out, err);
        if (rc == RD_ENOTFOUND)
            rd_error_prefix(err, "RISKDESK_CONFIG");
        return rc;
    }
    if (access("riskdesk.json", F_OK) == 0)
        return rd_config_load_file("riskdesk.json", out, err);
    if ((rc = rd_cfg_load_env(out, err)) != RD_ENOTFOUND)   /* config_env.c */
        return rc;
    return rd_error_set(err, RD_ENOTFOUND,
                        "no config: no --config given, RISKDESK_CONFIG is not set, "
                        "./riskdesk.json does not exist, and ALPACA_PAPER_API_KEY is unset "
                        "(try 'riskdesk demo' for the embedded one)");
}

void rd_config_free(struct rd_config *cfg)
{
    if (!cfg)
        return;
    rd_free(cfg->accounts);
    rd_free(cfg);
}

const struct rd_account_config *rd_config_account(const struct rd_config *cfg, const char *name)
{
    for (int i = 0; cfg && name && i < cfg->naccounts; i++)
        if (!strcmp(cfg->accounts[i].name, name))
            return &cfg->accounts[i];
    return NULL;
}
