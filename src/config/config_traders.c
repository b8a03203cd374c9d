/*
 * config_traders.c - the "traders" section of riskdesk.json into struct
 * rd_traders_config (traders_config.h), and secret sources for its mail.
 *
 *   "traders": {"default_limit": 5000,
 *               "rules": {"window_days": 20, "streak_cut": 0.30, "combine": "max", ...},
 *               "model": {"enabled": true, "test_days": 30, "min_gain": 0.10, ...},
 *               "pipeline": {"folder": "incoming"},
 *               "mail": {"smtp_url": "smtps://smtp.example.com:465", "starttls": true,
 *                        "user": "riskdesk", "password": "env:SMTP_PASSWORD",
 *                        "from": "Risk Desk <risk@example.com>", "to": ["..."],
 *                        "timeout_seconds": 30}}
 */
#include "config/config_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "riskdesk/traders_config.h"
#include "riskdesk/banned.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

void rd_traders_config_init(struct rd_traders_config *tc)
{
    memset(tc, 0, sizeof *tc);
    rd_trader_rules_config_init(&tc->rules);
    rd_trader_model_config_init(&tc->model);
    tc->starttls = 1;
    tc->smtp_timeout_s = 30;
}

static int get_int(const json_t *o, const char *key, const struct cfg_at *at, int min, int max,
                   int *out, struct rd_error *err)
{
    int64_t v = *out;
    int rc = rd_cfg_get_int(o, key, at, min, max, &v, err);

    if (rc == RD_OK)
        *out = (int)v;
    return rc;
}

static int parse_rules(const json_t *o, const struct cfg_at *at, struct rd_trader_rules_config *r,
                       struct rd_error *err)
{
    static const char *const keys[] = {
        "window_days",     "min_history_days", "streak_min_days", "streak_cut",
        "drawdown",        "drawdown_min_peak", "drawdown_cut",   "vol_recent_days",
        "vol_ratio",       "vol_cut",          "loss_percentile", "loss_cut",
        "combine",         "max_cut",          "high",            "moderate",
        "limit_step",      "stale_trading_days"};
    char combine[16] = "";
    int rc = rd_cfg_check_keys(o, keys, N(keys), at, err);

    if (!rc)
        rc = get_int(o, "window_days", at, 3, 10000, &r->window_days, err);
    if (!rc)
        rc = get_int(o, "min_history_days", at, 1, 10000, &r->min_history_days, err);
    if (!rc)
        rc = get_int(o, "streak_min_days", at, 1, 10000, &r->streak_min_days, err);
    if (!rc)
        rc = rd_cfg_get_ppm(o, "streak_cut", at, &r->streak_cut_ppm, err);
    if (!rc)
        rc = rd_cfg_get_ppm(o, "drawdown", at, &r->drawdown_ppm, err);
    if (!rc)
        rc = rd_cfg_get_money(o, "drawdown_min_peak", at, &r->drawdown_min_peak, err);
    if (!rc)
        rc = rd_cfg_get_ppm(o, "drawdown_cut", at, &r->drawdown_cut_ppm, err);
    if (!rc)
        rc = get_int(o, "vol_recent_days", at, 2, 10000, &r->vol_recent_days, err);
    if (!rc)
        rc = rd_cfg_get_ppm(o, "vol_ratio", at, &r->vol_ratio_ppm, err);
    if (!rc)
        rc = rd_cfg_get_ppm(o, "vol_cut", at, &r->vol_cut_ppm, err);
    if (!rc)
        rc = rd_cfg_get_ppm(o, "loss_percentile", at, &r->loss_percentile_ppm, err);
    if (!rc)
        rc = rd_cfg_get_ppm(o, "loss_cut", at, &r->loss_cut_ppm, err);
    if (!rc)
        rc = rd_cfg_get_string(o, "combine", at, combine, sizeof combine, err);
    if (!rc && combine[0]) {
        if (!strcmp(combine, "max"))
            r->combine = RD_CUT_MAX;
        else if (!strcmp(combine, "sum"))
            r->combine = RD_CUT_SUM;
        else
            rc = rd_cfg_field_error(err, RD_ECONFIG, at, "combine",
                                    "\"%s\"; expected \"max\" (the largest cut) or \"sum\"",
                                    combine);
    }
    if (!rc)
        rc = rd_cfg_get_ppm(o, "max_cut", at, &r->max_cut_ppm, err);
    if (!rc)
        rc = rd_cfg_get_ppm(o, "high", at, &r->high_ppm, err);
    if (!rc)
        rc = rd_cfg_get_ppm(o, "moderate", at, &r->moderate_ppm, err);
    if (!rc)
        rc = rd_cfg_get_money(o, "limit_step", at, &r->limit_step, err);
    if (!rc)
        rc = get_int(o, "stale_trading_days", at, 0, 10000, &r->stale_trading_days, err);
    return rc;
}

static int parse_model(const json_t *o, const struct cfg_at *at, struct rd_trader_model_config *m,
                       struct rd_error *err)
{
    static const char *const keys[] = {"enabled", "test_days", "min_train_samples", "min_gain",
                                       "ridge_lambda", "scale_days", "cut_step"};
    int rc = rd_cfg_check_keys(o, keys, N(keys), at, err);
    int64_t lambda_ppm = -1;

    if (!rc)
        rc = rd_cfg_get_bool(o, "enabled", at, &m->enabled, err);
    if (!rc)
        rc = get_int(o, "test_days", at, 1, 10000, &m->test_days, err);
    if (!rc)
        rc = get_int(o, "min_train_samples", at, 1, 100000000, &m->min_train_samples, err);
    if (!rc)
        rc = rd_cfg_get_ppm(o, "min_gain", at, &m->min_gain_ppm, err);
    if (!rc)
        rc = rd_cfg_get_ppm(o, "ridge_lambda", at, &lambda_ppm, err);
    if (!rc && lambda_ppm != -1)
        m->ridge_lambda = (double)lambda_ppm / 1e6;
    if (!rc)
        rc = get_int(o, "scale_days", at, 1, 10000, &m->scale_days, err);
    if (!rc)
        rc = rd_cfg_get_ppm(o, "cut_step", at, &m->cut_step_ppm, err);
    return rc;
}

/* "addr@host" or "Name <addr@host>": one '@', no control characters or
 * header separators. */
static int address_ok(const char *s)
{
    const char *at = strchr(s, '@');

    if (!s[0] || !at || strchr(at + 1, '@'))
        return 0;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == ',' || *s == ';')
            return 0;
    return 1;
}

static int secret_source_ok(const char *s)
{
    if (!strncmp(s, "env:", 4)) {
        const char *v = s + 4;

        if (!v[0] || (v[0] >= '0' && v[0] <= '9'))
            return 0;
        for (; *v; v++)
            if (!((*v >= 'A' && *v <= 'Z') || (*v >= 'a' && *v <= 'z') ||
                  (*v >= '0' && *v <= '9') || *v == '_'))
                return 0;
        return 1;
    }
    return !strncmp(s, "file:", 5) && s[5];
}

static int parse_mail(struct cfg_build *b, const json_t *o, const struct cfg_at *at,
                      struct rd_traders_config *tc, struct rd_error *err)
{
    static const char *const keys[] = {"smtp_url", "starttls", "user", "password",
                                       "from",     "to",       "timeout_seconds"};
    const json_t *to;
    char pw[RD_TRADERS_PATH_MAX] = "";
    int rc = rd_cfg_check_keys(o, keys, N(keys), at, err);

    if (!rc)
        rc = rd_cfg_get_string(o, "smtp_url", at, tc->smtp_url, sizeof tc->smtp_url, err);
    if (!rc && tc->smtp_url[0] && strncmp(tc->smtp_url, "smtp://", 7) != 0 &&
        strncmp(tc->smtp_url, "smtps://", 8) != 0)
        rc = rd_cfg_field_error(err, RD_ECONFIG, at, "smtp_url",
                                "\"%.80s\"; expected smtp://HOST[:PORT] or smtps://HOST[:PORT]",
                                tc->smtp_url);
    if (!rc && strchr(tc->smtp_url, '@'))
        rc = rd_cfg_field_error(err, RD_ECONFIG, at, "smtp_url",
                                "must not carry a user or password; use \"user\" and "
                                "\"password\" (a secret source)");
    if (!rc)
        rc = rd_cfg_get_bool(o, "starttls", at, &tc->starttls, err);
    if (!rc)
        rc = rd_cfg_get_string(o, "user", at, tc->smtp_user, sizeof tc->smtp_user, err);
    if (!rc)
        rc = rd_cfg_get_string(o, "password", at, pw, sizeof pw, err);
    if (!rc && pw[0] && !secret_source_ok(pw))
        /* the value is not shown: it may be a password written in by mistake */
        rc = rd_cfg_field_error(err, RD_ECONFIG, at, "password",
                                "expected a secret source, \"env:VAR\" or \"file:PATH\" (the "
                                "password itself does not belong in the config)");
    if (!rc && pw[0] && !strncmp(pw, "file:", 5))
        rc = rd_cfg_file_source(b, pw, tc->smtp_password, sizeof tc->smtp_password, at,
                                "password", err);
    else if (!rc && pw[0])
        snprintf(tc->smtp_password, sizeof tc->smtp_password, "%s", pw);
    if (!rc)
        rc = rd_cfg_get_string(o, "from", at, tc->mail_from, sizeof tc->mail_from, err);
    if (!rc && tc->mail_from[0] && !address_ok(tc->mail_from))
        rc = rd_cfg_field_error(err, RD_ECONFIG, at, "from",
                                "\"%.80s\"; expected an address, or \"Name <address>\"",
                                tc->mail_from);
    if (!rc)
        rc = get_int(o, "timeout_seconds", at, 1, 3600, &tc->smtp_timeout_s, err);
    if (rc)
        return rc;
    to = json_object_get(o, "to");
    if (to && !json_is_array(to) && !json_is_string(to))
        return rd_cfg_field_error(err, RD_ECONFIG, at, "to",
                                  "expected a list of addresses [\"a@example.com\", ...]");
    for (size_t i = 0; to && i < (json_is_array(to) ? json_array_size(to) : 1); i++) {
        const json_t *v = json_is_array(to) ? json_array_get(to, i) : to;
        const char *s = json_is_string(v) ? json_string_value(v) : NULL;

        if (!s || !address_ok(s) || strlen(s) >= RD_MAIL_ADDR_MAX)
            return rd_cfg_field_error(err, RD_ECONFIG, at, "to",
                                      "item %zu: expected an address such as "
                                      "\"risk@example.com\"", i);
        if (tc->nmail_to == RD_MAIL_RCPT_MAX)
            return rd_cfg_field_error(err, RD_ECONFIG, at, "to", "at most %d recipients",
                                      RD_MAIL_RCPT_MAX);
        snprintf(tc->mail_to[tc->nmail_to++], RD_MAIL_ADDR_MAX, "%s", s);
    }
    if (tc->smtp_url[0] && (!tc->mail_from[0] || !tc->nmail_to))
        return rd_cfg_field_error(err, RD_ECONFIG, at, "smtp_url",
                                  "set; then \"from\" and \"to\" are needed too");
    return RD_OK;
}

int rd_cfg_parse_traders(struct cfg_build *b, const json_t *root, struct rd_error *err)
{
    static const char *const keys[] = {"default_limit", "rules", "model", "pipeline", "mail"};
    static const char *const pipeline_keys[] = {"folder"};
    struct rd_traders_config *tc = &b->cfg->traders;
    struct cfg_at at = {b->origin, "traders"}, rat = {b->origin, "traders.rules"},
                  mat = {b->origin, "traders.model"}, pat = {b->origin, "traders.pipeline"},
                  lat = {b->origin, "traders.mail"};
    struct rd_error sub = {0};
    json_t *o, *sect;
    int rc;

    rd_traders_config_init(tc);
    rc = rd_cfg_get_object(root, "traders", &(struct cfg_at){b->origin, ""}, &o, err);
    if (rc || !o)
        return rc;
    rc = rd_cfg_check_keys(o, keys, N(keys), &at, err);
    if (!rc)
        rc = rd_cfg_get_money(o, "default_limit", &at, &tc->rules.default_limit, err);
    if (!rc)
        rc = rd_cfg_get_object(o, "rules", &at, &sect, err);
    if (!rc && sect)
        rc = parse_rules(sect, &rat, &tc->rules, err);
    if (!rc)
        rc = rd_cfg_get_object(o, "model", &at, &sect, err);
    if (!rc && sect)
        rc = parse_model(sect, &mat, &tc->model, err);
    if (!rc)
        rc = rd_cfg_get_object(o, "pipeline", &at, &sect, err);
    if (!rc && sect)
        rc = rd_cfg_check_keys(sect, pipeline_keys, N(pipeline_keys), &pat, err);
    if (!rc && sect)
        rc = rd_cfg_get_string(sect, "folder", &pat, tc->folder, sizeof tc->folder, err);
    if (!rc && tc->folder[0] && tc->folder[0] != '/' && b->dir[0]) {
        char joined[RD_TRADERS_PATH_MAX];

        if (rd_cfg_join_path(b->dir, tc->folder, joined, sizeof joined) != RD_OK)
            return rd_cfg_field_error(err, RD_ECONFIG, &pat, "folder", "path too long");
        memcpy(tc->folder, joined, sizeof joined);
    }
    if (!rc)
        rc = rd_cfg_get_object(o, "mail", &at, &sect, err);
    if (!rc && sect)
        rc = parse_mail(b, sect, &lat, tc, err);
    if (rc)
        return rc;
    if (rd_trader_rules_config_check(&tc->rules, &sub) != RD_OK ||
        rd_trader_model_config_check(&tc->model, &sub) != RD_OK)
        return rd_error_set(err, RD_ECONFIG, "%s: traders: %s", b->origin, sub.msg);
    return RD_OK;
}

/* ---------------------------------------------------------------- secrets */

int rd_secret_resolve(const char *source, char *out, size_t n, struct rd_error *err)
{
    out[0] = '\0';
    if (!strncmp(source, "env:", 4)) {
        const char *v = getenv(source + 4);
        size_t len = v ? strlen(v) : 0;

        if (!len)
            return rd_error_set(err, RD_ENOTFOUND, "secret %s: the variable is not set",
                                source);
        if (len >= n)
            return rd_error_set(err, RD_ETOOBIG, "secret %s: longer than %zu bytes", source,
                                n - 1);
        memcpy(out, v, len + 1);
        return RD_OK;
    }
    if (!strncmp(source, "file:", 5)) {
        const char *path = source + 5;
        struct stat st;
        ssize_t got;
        size_t len = 0;
        int fd = open(path, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
            return rd_error_set(err, errno == ENOENT ? RD_ENOTFOUND : RD_EIO,
                                "secret %s: cannot open: %s", source, strerror(errno));
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            close(fd);
            return rd_error_set(err, RD_EIO, "secret %s: not a regular file", source);
        }
        if (st.st_mode & 077) {
            close(fd);
            return rd_error_set(err, RD_EAUTH,
                                "secret %s: group or others may read it (mode %03o); run "
                                "`chmod 600 %s`", source, (unsigned)(st.st_mode & 0777), path);
        }
        while (len < n - 1 && (got = read(fd, out + len, n - 1 - len)) != 0) {
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0) {
                close(fd);
                explicit_bzero(out, n);
                return rd_error_set(err, RD_EIO, "secret %s: read failed", source);
            }
            len += (size_t)got;
        }
        close(fd);
        out[len] = '\0';
        out[strcspn(out, "\r\n")] = '\0';
        if (!out[0])
            return rd_error_set(err, RD_ENOTFOUND, "secret %s: the file is empty", source);
        return RD_OK;
    }
    return rd_error_set(err, RD_EINVAL, "secret source: expected env:VAR or file:PATH");
}
