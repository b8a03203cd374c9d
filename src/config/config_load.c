/*
 * config_load.c - where a config comes from: a file, text, or the default
 * search (path argument, $RISKDESK_CONFIG, ./riskdesk.json).
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

/* A file's config, then the checks of the original deployments' variables
 * (env_legacy.c); the environment's own config runs them itself. */
static int load_file_checked(const char *path, struct rd_config **out, struct rd_error *err)
{
    int rc = rd_config_load_file(path, out, err);

    if (rc == RD_OK && (rc = rd_cfg_env_legacy(*out, 0, err)) != RD_OK) {
        rd_config_free(*out);
        *out = NULL;
    }
    return rc;
}

int rd_config_load_default(const char *path, struct rd_config **out, struct rd_error *err)
{
    const char *env = getenv("RISKDESK_CONFIG");
    int rc;

    *out = NULL;
    if (path)
        return load_file_checked(path, out, err);
    if (env && env[0]) {
        rc = load_file_checked(env, out, err);
        if (rc == RD_ENOTFOUND)
            rd_error_prefix(err, "RISKDESK_CONFIG");
        return rc;
    }
    if (access("riskdesk.json", F_OK) == 0)
        return load_file_checked("riskdesk.json", out, err);
    if ((rc = rd_cfg_load_env(out, err)) != RD_ENOTFOUND)   /* config_env.c */
        return rc;
    return rd_error_set(err, RD_ENOTFOUND,
                        "no config: no --config given, RISKDESK_CONFIG is not set, "
                        "./riskdesk.json does not exist, and ALPACA_PAPER_API_KEY is unset "
                        "(try 'riskdesk demo' for the embedded one)");
}
