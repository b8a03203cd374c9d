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

static const char *const slack_keys[] = {"signing_secret", "admins"};
static const char *const assignment_keys[] = {"departments", "auto"};
static const char *const assignment_autos[] = {"least_loaded", "round_robin", "department", "none"};
static const char *const health_keys[] = {"interval_s", "failures"};

static int parse_slack(struct cfg_build *b, const json_t *root, const struct cfg_at *at,
                       struct rd_error *err)
{
    struct cfg_at sat = {b->origin, "slack"};
    char secret[SLACK_SECRET_MAX] = "";
    json_t *o, *list, *v;
    char shown[80];
    size_t i;
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
    list = json_object_get(o, "admins");
    if (!list)
        return RD_OK;
    if (!json_is_array(list)) {
        rd_cfg_describe(list, shown, sizeof shown);
        return rd_cfg_field_error(err, RD_ECONFIG, &sat, "admins",
                                  "%s; expected an array of Slack user ids [\"U012ABC\", ...]", shown);
    }
    json_array_foreach(list, i, v) {
        if (!json_is_string(v) || !json_string_length(v)) {
            char key[32];

            rd_cfg_describe(v, shown, sizeof shown);
            snprintf(key, sizeof key, "admins[%zu]", i);
            return rd_cfg_field_error(err, RD_ECONFIG, &sat, key,
                                      "%s; expected a string (a Slack user id)", shown);
        }
    }
    return RD_OK;
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
