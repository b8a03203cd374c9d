/*
 * config_services.c - the sections read by `riskdesk serve`'s services:
 * "slack" (the slash commands), "assignment" (the department strategy's map)
 * and "health" (the monitor). Validated here, with every other section, so
 * `config check` and `serve` refuse the same files: an unknown key (with a
 * hint), a wrong type or a value out of range names the field.
 */
#include "config/config_int.h"

#include <stdio.h>
#include <string.h>

#include "riskdesk/banned.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define SLACK_SECRET_MAX 256   /* routes_slack.c keeps it in a char[256] */
#define HEALTH_INTERVAL_MAX 86400
#define HEALTH_FAILURES_MAX 1000

static const char *const slack_keys[] = {"signing_secret", "admins", "bot_token", "api_url",
                                         "response_hosts"};
static const char *const assignment_keys[] = {"departments", "auto"};
static const char *const assignment_autos[] = {"least_loaded", "round_robin", "department", "none"};
static const char *const health_keys[] = {"interval_s", "failures"};

/* An optional array of non-empty strings at o[key]; what names each item. */
static int string_array(const json_t *o, const char *key, const struct cfg_at *at,
                        const char *what, struct rd_error *err)
{
    json_t *list = json_object_get(o, key), *v;
    char shown[80], item[48];
    size_t i;

    if (!list)
        return RD_OK;
    if (!json_is_array(list)) {
        rd_cfg_describe(list, shown, sizeof shown);
        return rd_cfg_field_error(err, RD_ECONFIG, at, key, "%s; expected an array of %ss",
                                  shown, what);
    }
    json_array_foreach(list, i, v) {
        if (!json_is_string(v) || !json_string_length(v)) {
            rd_cfg_describe(v, shown, sizeof shown);
            snprintf(item, sizeof item, "%s[%zu]", key, i);
            return rd_cfg_field_error(err, RD_ECONFIG, at, item, "%s; expected a string (a %s)",
                                      shown, what);
        }
    }
    return RD_OK;
}

static int parse_slack(struct cfg_build *b, const json_t *root, const struct cfg_at *at,
                       struct rd_error *err)
{
    struct cfg_at sat = {b->origin, "slack"};
    char secret[SLACK_SECRET_MAX] = "", url[RD_SOURCE_MAX] = "";
    json_t *o;
    int rc;

    rc = rd_cfg_get_object(root, "slack", at, &o, err);
    if (rc || !o)
        return rc;
    rc = rd_cfg_check_keys(o, slack_keys, N(slack_keys), &sat, err);
    if (!rc)
        rc = rd_cfg_get_string(o, "signing_secret", &sat, secret, sizeof secret, err);
    if (rc)
        return rc;
    if (json_object_get(o, "signing_secret") && !secret[0])
        return rd_cfg_field_error(err, RD_ECONFIG, &sat, "signing_secret",
                                  "empty; expected the Slack app's signing secret (or leave the key "
                                  "out and set SLACK_SIGNING_SECRET)");
    rc = rd_cfg_get_string(o, "bot_token", &sat, secret, sizeof secret, err);
    if (!rc && json_object_get(o, "bot_token") && !secret[0])
        return rd_cfg_field_error(err, RD_ECONFIG, &sat, "bot_token",
                                  "empty; expected the Slack app's bot token (xoxb-...), or leave "
                                  "the key out and set SLACK_BOT_TOKEN");
    if (!rc)
        rc = rd_cfg_get_string(o, "api_url", &sat, url, sizeof url, err);
    if (!rc && json_object_get(o, "api_url") && strncmp(url, "https://", 8) != 0 &&
        strncmp(url, "http://", 7) != 0)
        return rd_cfg_field_error(err, RD_ECONFIG, &sat, "api_url",
                                  "\"%.100s\"; expected an http(s) URL such as "
                                  "\"https://slack.com/api\"", url);
    if (!rc)
        rc = string_array(o, "admins", &sat, "Slack user id", err);
    if (!rc)
        rc = string_array(o, "response_hosts", &sat, "host name", err);
    return rc;
}

static int parse_assignment(struct cfg_build *b, const json_t *root, const struct cfg_at *at,
                            struct rd_error *err)
{
    struct cfg_at aat = {b->origin, "assignment"};
    struct cfg_at dat = {b->origin, "assignment.departments"};
    const char *dept;
    json_t *o, *deps, *v;
    char shown[80];
    int rc;

    snprintf(b->cfg->assignment_auto, sizeof b->cfg->assignment_auto, "least_loaded");
    rc = rd_cfg_get_object(root, "assignment", at, &o, err);
    if (rc || !o)
        return rc;
    rc = rd_cfg_check_keys(o, assignment_keys, N(assignment_keys), &aat, err);
    if (!rc && (v = json_object_get(o, "auto"))) {
        const char *name = json_string_value(v);
        size_t i = 0;

        while (name && i < N(assignment_autos) && strcmp(name, assignment_autos[i]) != 0)
            i++;
        if (!name || i == N(assignment_autos)) {
            rd_cfg_describe(v, shown, sizeof shown);
            return rd_cfg_field_error(err, RD_ECONFIG, &aat, "auto",
                                      "%s; expected \"least_loaded\", \"round_robin\", "
                                      "\"department\" or \"none\"", shown);
        }
        snprintf(b->cfg->assignment_auto, sizeof b->cfg->assignment_auto, "%s", name);
    }
    if (!rc)
        rc = rd_cfg_get_object(o, "departments", &aat, &deps, err);
    if (rc || !deps)
        return rc;
    json_object_foreach(deps, dept, v) {
        if (!json_is_string(v) || !json_string_length(v)) {
            rd_cfg_describe(v, shown, sizeof shown);
            return rd_cfg_field_error(err, RD_ECONFIG, &dat, dept,
                                      "%s; expected a string (the department's account name)",
                                      shown);
        }
    }
    return RD_OK;
}

static int parse_health(struct cfg_build *b, const json_t *root, const struct cfg_at *at,
                        struct rd_error *err)
{
    struct cfg_at hat = {b->origin, "health"};
    int64_t interval = RD_HEALTH_INTERVAL_DEFAULT, failures = RD_HEALTH_FAILURES_DEFAULT;
    json_t *o;
    int rc;

    rc = rd_cfg_get_object(root, "health", at, &o, err);
    if (!rc && o)
        rc = rd_cfg_check_keys(o, health_keys, N(health_keys), &hat, err);
    if (!rc && o)
        rc = rd_cfg_get_int(o, "interval_s", &hat, 1, HEALTH_INTERVAL_MAX, &interval, err);
    if (!rc && o)
        rc = rd_cfg_get_int(o, "failures", &hat, 1, HEALTH_FAILURES_MAX, &failures, err);
    if (rc)
        return rc;
    b->cfg->health_interval_s = (unsigned)interval;
    b->cfg->health_failures = (int)failures;
    return RD_OK;
}

int rd_cfg_parse_services(struct cfg_build *b, const json_t *root, struct rd_error *err)
{
    struct cfg_at at = {b->origin, ""};
    int rc = parse_slack(b, root, &at, err);

    if (!rc)
        rc = parse_assignment(b, root, &at, err);
    if (!rc)
        rc = parse_health(b, root, &at, err);
    return rc;
}
