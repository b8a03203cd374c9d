/*
 * config_parse.c - a parsed riskdesk.json document into a validated struct
 * rd_config: the top-level settings, the tier table, the Kelly defaults and
 * the list of accounts (each one is config_account.c's).
 */
#include "config/config_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "riskdesk/banned.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const root_keys[] = {"database", "tiers", "kelly",   "market",     "firm",
                                        "paper",    "accounts", "traders", "performance", "assignment",
                                        "slack",    "health",   "hierarchy",
                                        "encryption"};
static const char *const tier_names[RD_TIER_COUNT] = {"tiny", "small", "medium", "large"};
static const char *const tier_keys[] = {"min_buying_power", "risk_pct_day",   "risk_pct_swing",
                                        "max_contracts",    "min_confidence", "min_volume_ratio"};

#define DEFAULT_DATABASE "sqlite:riskdesk.db"

static int nomem(struct rd_error *err, const char *origin)
{
    return rd_error_set(err, RD_ENOMEM, "%s: out of memory", origin);
}

static int parse_database(struct cfg_build *b, const json_t *root, const struct cfg_at *at,
                          struct rd_error *err)
{
    struct rd_config *cfg = b->cfg;
    const char *env = getenv("RISKDESK_DATABASE_URL");
    const char *colon;
    int rc;

    if (json_object_get(root, "database")) {
        rc = rd_cfg_get_string(root, "database", at, cfg->database, sizeof cfg->database, err);
        if (rc)
            return rc;
        snprintf(cfg->database_origin, sizeof cfg->database_origin, "config");
    } else if (env && env[0]) {
        if (strlen(env) >= sizeof cfg->database)
            return rd_error_set(err, RD_ECONFIG,
                                "%s: database from RISKDESK_DATABASE_URL: too long (at most %zu "
                                "characters)", b->origin, sizeof cfg->database - 1);
        snprintf(cfg->database, sizeof cfg->database, "%s", env);
        snprintf(cfg->database_origin, sizeof cfg->database_origin, "RISKDESK_DATABASE_URL");
    } else {
        snprintf(cfg->database, sizeof cfg->database, "%s", DEFAULT_DATABASE);
        snprintf(cfg->database_origin, sizeof cfg->database_origin, "default");
    }
    colon = strchr(cfg->database, ':');
    if (!colon || colon == cfg->database || !colon[1])
        return rd_error_set(err, RD_ECONFIG,
                            "%s: database (from %s): \"%.80s\"; expected a store URL such as "
                            "\"sqlite:riskdesk.db\" or \"postgres://host/db\"",
                            b->origin, cfg->database_origin, cfg->database);
    return RD_OK;
}

/* "encryption": {"key": SOURCE}, else $RISKDESK_ENCRYPTION_KEY: the source is
 * checked here, read when a store opens (rd_encryption_key_resolve). */
static int parse_encryption(struct cfg_build *b, const json_t *root, const struct cfg_at *at,
                            struct rd_error *err)
{
    static const char *const keys[] = {"key"};
    struct rd_config *cfg = b->cfg;
    struct cfg_at eat = {b->origin, "encryption"};
    const char *env = getenv("RISKDESK_ENCRYPTION_KEY");
    char spec[RD_SOURCE_MAX] = "";
    json_t *o;
    int rc;

    rc = rd_cfg_get_object(root, "encryption", at, &o, err);
    if (!rc && o)
        rc = rd_cfg_check_keys(o, keys, N(keys), &eat, err);
    if (!rc && o)
        rc = rd_cfg_get_string(o, "key", &eat, spec, sizeof spec, err);
    if (rc)
        return rc;
    if (spec[0]) {
        snprintf(cfg->encryption_key_origin, sizeof cfg->encryption_key_origin, "config");
    } else if (env && env[0]) {
        if (strlen(env) >= sizeof spec)
            return rd_error_set(err, RD_ECONFIG, "%s: encryption.key from RISKDESK_ENCRYPTION_KEY: "
                                "too long (at most %zu characters)", b->origin, sizeof spec - 1);
        snprintf(spec, sizeof spec, "%s", env);
        snprintf(cfg->encryption_key_origin, sizeof cfg->encryption_key_origin,
                 "RISKDESK_ENCRYPTION_KEY");
    } else {
        return RD_OK;
    }
    if (!rd_encryption_key_spec_ok(spec))
        return rd_error_set(err, RD_ECONFIG, "%s: encryption.key (from %s): not a key source "
                            "(value not shown: it may be the key itself); expected \"env:NAME\", "
                            "\"file:PATH\" or \"secretsmanager:ID\" naming where the 64 hex "
                            "digits are kept", b->origin, cfg->encryption_key_origin);
    if (!strncmp(spec, "file:", 5))
        return rd_cfg_file_source(b, spec, cfg->encryption_key, sizeof cfg->encryption_key, &eat,
                                  "key", err);
    snprintf(cfg->encryption_key, sizeof cfg->encryption_key, "%s", spec);
    return RD_OK;
}

static int parse_tiers(struct cfg_build *b, const json_t *root, const struct cfg_at *at,
                       struct rd_error *err)
{
    struct rd_tier_table *t = &b->cfg->tiers;
    struct rd_error sub = {0};
    json_t *tiers;
    int rc;

    rd_tier_table_defaults(t);
    rc = rd_cfg_get_object(root, "tiers", at, &tiers, err);
    if (rc || !tiers)
        return rc;
    rc = rd_cfg_check_keys(tiers, tier_names, N(tier_names), &(struct cfg_at){b->origin, "tiers"},
                           err);
    for (int i = 0; rc == RD_OK && i < RD_TIER_COUNT; i++) {
        char sect[32];
        struct cfg_at tat = {b->origin, sect};
        struct rd_tier_params *p = &t->tier[i];
        json_t *o;

        snprintf(sect, sizeof sect, "tiers.%s", tier_names[i]);
        rc = rd_cfg_get_object(tiers, tier_names[i], &(struct cfg_at){b->origin, "tiers"}, &o, err);
        if (rc || !o)
            continue;
        rc = rd_cfg_check_keys(o, tier_keys, N(tier_keys), &tat, err);
        if (!rc)
            rc = rd_cfg_get_money(o, "min_buying_power", &tat, &p->min_buying_power, err);
        if (!rc)
            rc = rd_cfg_get_ppm(o, "risk_pct_day", &tat, &p->risk_pct_day, err);
        if (!rc)
            rc = rd_cfg_get_ppm(o, "risk_pct_swing", &tat, &p->risk_pct_swing, err);
        if (!rc)
            rc = rd_cfg_get_int32(o, "max_contracts", &tat, &p->max_contracts, err);
        if (!rc)
            rc = rd_cfg_get_ppm(o, "min_confidence", &tat, &p->min_confidence, err);
        if (!rc)
            rc = rd_cfg_get_ppm(o, "min_volume_ratio", &tat, &p->min_volume_ratio, err);
    }
    if (rc)
        return rc;
    if (rd_tier_table_validate(t, &sub) != RD_OK)
        return rd_error_set(err, RD_ECONFIG, "%s: %s", b->origin, sub.msg);
    return RD_OK;
}

static int parse_kelly(struct cfg_build *b, const json_t *root, const struct cfg_at *at,
                       struct rd_error *err)
{
    struct rd_error sub = {0};
    json_t *k;
    int rc;

    rd_risk_defaults(RD_TIER_LARGE, &b->kelly);
    rc = rd_cfg_get_object(root, "kelly", at, &k, err);
    if (rc || !k)
        return rc;
    rc = rd_cfg_parse_risk(k, "kelly", &(struct cfg_at){b->origin, "kelly"}, &b->kelly,
                           &b->kelly_set, err);
    if (rc)
        return rc;
    if (rd_risk_validate(&b->kelly, &sub) != RD_OK)
        return rd_error_set(err, RD_ECONFIG, "%s: %s", b->origin, sub.msg);
    return RD_OK;
}

static int parse_sections(struct cfg_build *b, const json_t *root, const struct cfg_at *at,
                          struct rd_error *err)
{
    static const char *const market_keys[] = {"vix_feed", "vix_max_age_seconds"};
    static const char *const firm_keys[] = {"max_gross_exposure"};
    static const char *const paper_keys[] = {"seed"};
    struct rd_config *cfg = b->cfg;
    struct cfg_at mat = {b->origin, "market"}, fat = {b->origin, "firm"}, pat = {b->origin, "paper"};
    char feed[RD_SOURCE_MAX] = "";
    int64_t seed = 1, max_age = RD_VIX_MAX_AGE_DEFAULT;
    json_t *o;
    int rc;

    rc = rd_cfg_get_object(root, "market", at, &o, err);
    if (!rc && o)
        rc = rd_cfg_check_keys(o, market_keys, N(market_keys), &mat, err);
    if (!rc && o)
        rc = rd_cfg_get_string(o, "vix_feed", &mat, feed, sizeof feed, err);
    if (!rc && o)
        rc = rd_cfg_get_int(o, "vix_max_age_seconds", &mat, 1, RD_VIX_MAX_AGE_MAX, &max_age, err);
    if (rc)
        return rc;
    cfg->vix_max_age_s = max_age;
    if (feed[0] && strncmp(feed, "file:", 5) != 0)
        return rd_cfg_field_error(err, RD_ECONFIG, &mat, "vix_feed",
                                  "\"%.80s\"; expected \"\" (none) or \"file:PATH\"", feed);
    if (feed[0]) {
        rc = rd_cfg_file_source(b, feed, cfg->vix_feed, sizeof cfg->vix_feed, &mat, "vix_feed", err);
        if (rc)
            return rc;
    }

    rc = rd_cfg_get_object(root, "firm", at, &o, err);
    if (!rc && o)
        rc = rd_cfg_check_keys(o, firm_keys, N(firm_keys), &fat, err);
    if (!rc && o)
        rc = rd_cfg_get_money(o, "max_gross_exposure", &fat, &cfg->firm_max_gross_exposure, err);
    if (rc)
        return rc;
    if (cfg->firm_max_gross_exposure < 0) {
        char v[40];

        rd_money_format(cfg->firm_max_gross_exposure, v, sizeof v);
        return rd_cfg_field_error(err, RD_ECONFIG, &fat, "max_gross_exposure",
                                  "%s; expected dollars >= 0 (0 = off)", v);
    }

    rc = rd_cfg_get_object(root, "paper", at, &o, err);
    if (!rc && o)
        rc = rd_cfg_check_keys(o, paper_keys, N(paper_keys), &pat, err);
    if (!rc && o)
        rc = rd_cfg_get_int(o, "seed", &pat, 0, INT64_MAX, &seed, err);
    cfg->paper_seed = (uint64_t)seed;
    return rc;
}

static int parse_accounts(struct cfg_build *b, const json_t *root, struct rd_error *err)
{
    const json_t *list = json_object_get(root, "accounts");
    char shown[80];
    size_t n;
    int rc = RD_OK;

    if (!list)
        return rd_error_set(err, RD_ECONFIG, "%s: \"accounts\" is required: a list of at least one "
                            "account", b->origin);
    if (!json_is_array(list)) {
        rd_cfg_describe(list, shown, sizeof shown);
        return rd_error_set(err, RD_ECONFIG, "%s: accounts: %s; expected an array [{...}, ...]",
                            b->origin, shown);
    }
    n = json_array_size(list);
    if (n == 0)
        return rd_error_set(err, RD_ECONFIG, "%s: accounts: empty; expected at least one account",
                            b->origin);
    if (n > CFG_MAX_ACCOUNTS)
        return rd_error_set(err, RD_ECONFIG, "%s: accounts: %zu; at most %d are supported",
                            b->origin, n, CFG_MAX_ACCOUNTS);
    b->cfg->accounts = rd_calloc(n, sizeof *b->cfg->accounts);
    if (!b->cfg->accounts)
        return nomem(err, b->origin);
    b->cfg->naccounts = (int)n;
    if (!(b->names = json_object()))
        return nomem(err, b->origin);
    for (size_t i = 0; rc == RD_OK && i < n; i++)
        rc = rd_cfg_parse_account(b, json_array_get(list, i), (int)i, err);
    json_decref(b->names);
    b->names = NULL;
    return rc;
}

int rd_cfg_build(const json_t *root, const char *origin, const char *dir, struct rd_config **out,
                 struct rd_error *err)
{
    struct cfg_build b = {.origin = origin, .dir = dir};
    struct cfg_at at = {origin, ""};
    int rc;

    *out = NULL;
    b.cfg = rd_calloc(1, sizeof *b.cfg);
    if (!b.cfg)
        return nomem(err, origin);
    snprintf(b.cfg->origin, sizeof b.cfg->origin, "%s", origin);
    b.cfg->paper_seed = 1;
    rc = rd_cfg_check_keys(root, root_keys, N(root_keys), &at, err);
    if (!rc)
        rc = parse_database(&b, root, &at, err);
    if (!rc)
        rc = parse_encryption(&b, root, &at, err);
    if (!rc)
        rc = parse_tiers(&b, root, &at, err);
    if (!rc)
        rc = parse_kelly(&b, root, &at, err);
    if (!rc)
        rc = parse_sections(&b, root, &at, err);
    if (!rc)
        rc = parse_accounts(&b, root, err);
    if (!rc)
        rc = rd_cfg_parse_traders(&b, root, err);
    if (!rc)
        rc = rd_cfg_parse_perf(&b, root, err);
    if (!rc)
        rc = rd_cfg_parse_hierarchy(&b, root, err);
    if (!rc)
        rc = rd_cfg_parse_services(&b, root, err);
    if (!rc && rd_cfg_index_names(b.cfg) != RD_OK)
        rc = nomem(err, origin);
    if (rc) {
        rd_config_free(b.cfg);
        return rc;
    }
    *out = b.cfg;
    return RD_OK;
}
