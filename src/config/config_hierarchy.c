/*
 * config_hierarchy.c - the "hierarchy" section of riskdesk.json into the
 * node types table (hierarchy.h; docs/config.md, docs/hierarchy.md):
 *
 *   "hierarchy": {"types": {"gen": {"min_capital": "10000",
 *                                   "fork_threshold": "100000", "child": "rev",
 *                                   "max_positions": 10, "per_position": 0.20,
 *                                   "risk_multiplier": 1.0, "scan_seconds": 300},
 *                           "rev": {...}, "com": {"fork_threshold": null, ...}},
 *                "fork_split": [{"type": "rev", "fraction": 0.6},
 *                               {"type": "rev", "fraction": 0.4}]}
 *
 * Absent keys keep the seed defaults; "fork_threshold": null (or 0) and
 * "child": null make a type that never forks. The whole table is then
 * checked by rd_node_types_check, the split by rd_fork_split_check and for
 * a type it is for (rd_fork_split_applies).
 */
#include "config/config_int.h"

#include <stdio.h>

#include "riskdesk/hierarchy.h"
#include "riskdesk/banned.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int parse_type(const json_t *o, const struct cfg_at *at, struct rd_node_type_def *d,
                      struct rd_error *err)
{
    static const char *const keys[] = {"min_capital",   "fork_threshold", "child",
                                       "max_positions", "per_position",   "risk_multiplier",
                                       "scan_seconds"};
    const json_t *child = json_object_get(o, "child");
    int rc = rd_cfg_check_keys(o, keys, N(keys), at, err);

    if (!rc)
        rc = rd_cfg_get_money(o, "min_capital", at, &d->min_capital, err);
    if (!rc && json_is_null(json_object_get(o, "fork_threshold")))
        d->fork_threshold = 0;
    else if (!rc)
        rc = rd_cfg_get_money(o, "fork_threshold", at, &d->fork_threshold, err);
    if (!rc)
        rc = rd_cfg_get_int32(o, "max_positions", at, &d->max_positions, err);
    if (!rc)
        rc = rd_cfg_get_ppm(o, "per_position", at, &d->position_ppm, err);
    if (!rc)
        rc = rd_cfg_get_ppm(o, "risk_multiplier", at, &d->risk_ppm, err);
    if (!rc)
        rc = rd_cfg_get_int32(o, "scan_seconds", at, &d->scan_seconds, err);
    if (rc || !child)
        return rc;
    if (json_is_null(child)) {
        d->child = -1;
        return RD_OK;
    }
    {
        enum rd_node_type t;

        if (!json_is_string(child) || rd_node_type_parse(json_string_value(child), &t) != RD_OK)
            return rd_cfg_field_error(err, RD_ECONFIG, at, "child",
                                      "expected \"rev\", \"com\" or null");
        d->child = (int)t;
    }
    return RD_OK;
}

/* "fork_split": [{"type", "fraction"}...] into the config. */
static int parse_split(const json_t *o, struct cfg_build *b, struct rd_error *err)
{
    static const char *const keys[] = {"type", "fraction"};
    const json_t *a = json_object_get(o, "fork_split");
    struct cfg_at at = {b->origin, "hierarchy"};
    struct rd_config *cfg = b->cfg;
    struct rd_error why = {0};
    const json_t *part;
    size_t i;
    int rc = RD_OK;

    if (!a)
        return RD_OK;
    if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > RD_FORK_SPLIT_MAX)
        return rd_cfg_field_error(err, RD_ECONFIG, &at, "fork_split", "expected an array of 1 "
                                  "to %d parts [{\"type\": \"rev\", \"fraction\": 0.5}, ...]",
                                  RD_FORK_SPLIT_MAX);
    json_array_foreach(a, i, part) {
        char sect[48];
        struct cfg_at pat = {b->origin, sect};
        const char *type = json_string_value(json_object_get(part, "type"));
        int64_t fraction = 0;

        snprintf(sect, sizeof sect, "hierarchy.fork_split[%zu]", i);
        if (!json_is_object(part))
            return rd_cfg_field_error(err, RD_ECONFIG, &at, "fork_split",
                                      "part %zu: expected {\"type\", \"fraction\"}", i);
        if ((rc = rd_cfg_check_keys(part, keys, 2, &pat, err)) != RD_OK ||
            (rc = rd_cfg_get_ppm(part, "fraction", &pat, &fraction, err)) != RD_OK)
            return rc;
        if (!type || rd_node_type_parse(type, &cfg->fork_split[i].type) != RD_OK)
            return rd_cfg_field_error(err, RD_ECONFIG, &pat, "type", "expected \"gen\", "
                                      "\"rev\" or \"com\"");
        cfg->fork_split[i].fraction_ppm = fraction;
    }
    cfg->nfork_split = json_array_size(a);
    if (rd_fork_split_check(cfg->fork_split, cfg->nfork_split, &why) != RD_OK)
        return rd_error_set(err, RD_ECONFIG, "%s: hierarchy.%s", b->origin, why.msg);
    for (int t = 0; t < RD_NODE_TYPE_COUNT; t++)
        if (cfg->hier_types.t[t].child >= 0 &&
            rd_fork_split_applies((enum rd_node_type)t, cfg->fork_split, cfg->nfork_split))
            return RD_OK;
    return rd_cfg_field_error(err, RD_ECONFIG, &at, "fork_split", "its types are for no fork: "
                              "every part's type must come after the type of the node that "
                              "forks (gen < rev < com)");
}

int rd_cfg_parse_hierarchy(struct cfg_build *b, const json_t *root, struct rd_error *err)
{
    static const char *const keys[] = {"types", "fork_split"};
    struct rd_node_types *types = &b->cfg->hier_types;
    struct cfg_at at = {b->origin, "hierarchy"}, tat = {b->origin, "hierarchy.types"};
    json_t *o, *t = NULL;
    char where[RD_SOURCE_MAX + 32];
    int rc;

    rd_node_types_default(types);
    rc = rd_cfg_get_object(root, "hierarchy", &(struct cfg_at){b->origin, ""}, &o, err);
    if (rc || !o)
        return rc;
    rc = rd_cfg_check_keys(o, keys, N(keys), &at, err);
    if (!rc)
        rc = rd_cfg_get_object(o, "types", &at, &t, err);
    if (rc)
        return rc;
    if (!t)
        return parse_split(o, b, err);
    {
        static const char *const names[RD_NODE_TYPE_COUNT] = {"gen", "rev", "com"};

        rc = rd_cfg_check_keys(t, names, N(names), &tat, err);
        for (int i = 0; !rc && i < RD_NODE_TYPE_COUNT; i++) {
            char sect[32];
            json_t *one = NULL;

            snprintf(sect, sizeof sect, "hierarchy.types.%s", names[i]);
            rc = rd_cfg_get_object(t, names[i], &tat, &one, err);
            if (!rc && one)
                rc = parse_type(one, &(struct cfg_at){b->origin, sect}, &types->t[i], err);
        }
    }
    snprintf(where, sizeof where, "%s: hierarchy.types", b->origin);
    if (!rc)
        rc = rd_node_types_check(types, where, err);
    return rc ? rc : parse_split(o, b, err);
}
