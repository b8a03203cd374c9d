/*
 * config_parse.c - a parsed riskdesk.json document into a validated struct
 * rd_config: top-level settings, the tier table, and each account with its
 * tier, broker, credentials source and its own risk config.
 */
#include "config/config_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "riskdesk/alloc.h"
#include "riskdesk/banned.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const root_keys[] = {"database", "tiers", "kelly",   "market",
                                        "firm",     "paper", "accounts"};
static const char *const account_keys[] = {"name",        "tier", "broker", "starting_cash",
                                           "credentials", "risk", "live"};
static const char *const tier_names[RD_TIER_COUNT] = {"tiny", "small", "medium", "large"};
static const char *const tier_keys[] = {"min_buying_power", "risk_pct_day",   "risk_pct_swing",
                                        "max_contracts",    "min_confidence", "min_volume_ratio"};
static const char *const tier_values = "tiny, small, medium, large or auto";

#define DEFAULT_DATABASE "sqlite:riskdesk.db"
#define DEFAULT_STARTING_CASH RD_DOLLARS(100000)

struct build {
    const char *origin;
    const char *dir;                  /* for relative "file:" sources */
    struct rd_config *cfg;
    struct rd_risk_config kelly;      /* top-level "kelly" values ... */
    uint64_t kelly_set;               /* ... and which keys it set */
};

static int nomem(struct rd_error *err, const char *origin)
{
    return rd_error_set(err, RD_ENOMEM, "%s: out of memory", origin);
}

/* "file:PATH" with PATH made relative to the config's directory. */
static int resolve_file_source(const struct build *b, const char *src, char *out, size_t n,
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

static int parse_database(struct build *b, const json_t *root, const struct cfg_at *at,
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

static int parse_tiers(struct build *b, const json_t *root, const struct cfg_at *at,
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

static int parse_kelly(struct build *b, const json_t *root, const struct cfg_at *at,
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

static int parse_sections(struct build *b, const json_t *root, const struct cfg_at *at,
                          struct rd_error *err)
{
    static const char *const market_keys[] = {"vix_feed"};
    static const char *const firm_keys[] = {"max_gross_exposure"};
    static const char *const paper_keys[] = {"seed"};
    struct rd_config *cfg = b->cfg;
    struct cfg_at mat = {b->origin, "market"}, fat = {b->origin, "firm"}, pat = {b->origin, "paper"};
    char feed[RD_SOURCE_MAX] = "";
    int64_t seed = 1;
    json_t *o;
    int rc;

    rc = rd_cfg_get_object(root, "market", at, &o, err);
    if (!rc && o)
        rc = rd_cfg_check_keys(o, market_keys, N(market_keys), &mat, err);
    if (!rc && o)
        rc = rd_cfg_get_string(o, "vix_feed", &mat, feed, sizeof feed, err);
    if (rc)
        return rc;
    if (feed[0] && strncmp(feed, "file:", 5) != 0)
        return rd_cfg_field_error(err, RD_ECONFIG, &mat, "vix_feed",
                                  "\"%.80s\"; expected \"\" (none) or \"file:PATH\"", feed);
    if (feed[0]) {
        rc = resolve_file_source(b, feed, cfg->vix_feed, sizeof cfg->vix_feed, &mat, "vix_feed", err);
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

static int valid_name(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n >= RD_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
            return 0;
    return 1;
}

static int env_name_ok(const char *s)
{
    if (!s[0] || strlen(s) > 100 || isdigit((unsigned char)s[0]))
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return 0;
    return 1;
}

/* Syntax only: nothing is read here. The value is never echoed (it may be a
 * key pasted in by mistake). */
static int parse_credentials(struct build *b, const json_t *a, const struct cfg_at *at,
                             struct rd_account_config *ac, struct rd_error *err)
{
    char src[RD_SOURCE_MAX] = "";
    const char *name;
    int rc = rd_cfg_get_string(a, "credentials", at, src, sizeof src, err);

    if (rc)
        return rc;
    if (!src[0]) {
        if (ac->broker == RD_BROKER_ALPACA)
            return rd_cfg_field_error(err, RD_ECONFIG, at, "credentials",
                                      "required for broker \"alpaca\"; expected \"env:PREFIX\", "
                                      "\"file:PATH\" or \"secretsmanager:NAME\"");
        return RD_OK;
    }
    if (!strncmp(src, "file:", 5))
        return resolve_file_source(b, src, ac->credentials, sizeof ac->credentials, at,
                                   "credentials", err);
    if (!strncmp(src, "env:", 4) && env_name_ok(src + 4)) {
        memcpy(ac->credentials, src, sizeof src);
        return RD_OK;
    }
    name = !strncmp(src, "secretsmanager:", 15) ? src + 15 : NULL;
    if (name && name[0] && strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                        "0123456789/_+=.@-") == strlen(name)) {
        memcpy(ac->credentials, src, sizeof src);
        return RD_OK;
    }
    return rd_cfg_field_error(err, RD_ECONFIG, at, "credentials",
                              "not a credentials source (value not shown: it may be a secret); "
                              "expected \"\", \"env:PREFIX\" (a variable name prefix), "
                              "\"file:PATH\" or \"secretsmanager:NAME\"");
}

static int parse_tier(struct build *b, const json_t *a, const struct cfg_at *at, int index,
                      struct rd_account_config *ac, struct rd_error *err)
{
    const json_t *v = json_object_get(a, "tier");
    const char *env = getenv("ACCOUNT_TIER");
    const char *s;
    char shown[80];

    if (v) {
        s = json_string_value(v);
        snprintf(ac->tier_origin, sizeof ac->tier_origin, "config");
    } else if (env && env[0]) {
        s = env;
        snprintf(ac->tier_origin, sizeof ac->tier_origin, "ACCOUNT_TIER");
    } else {
        ac->tier = RD_TIER_LARGE;
        ac->tier_mode = RD_TIER_MODE_DEFAULTED;
        snprintf(ac->tier_origin, sizeof ac->tier_origin, "default");
        return RD_OK;
    }
    if (s && !strcasecmp(s, "auto")) {
        ac->tier_mode = RD_TIER_MODE_AUTO;
        /* until the broker reports buying power: what the starting cash says */
        ac->tier = ac->broker == RD_BROKER_PAPER ? rd_tier_classify(&b->cfg->tiers, ac->starting_cash)
                                                 : RD_TIER_LARGE;
        return RD_OK;
    }
    if (s && rd_tier_parse(s, &ac->tier) == RD_OK) {
        ac->tier_mode = RD_TIER_MODE_PINNED;
        return RD_OK;
    }
    if (!v)
        return rd_error_set(err, RD_ECONFIG,
                            "ACCOUNT_TIER=\"%.40s\" (applies to %s accounts[%d] \"%s\", which names "
                            "no tier): expected %s (any case)",
                            env, b->origin, index, ac->name, tier_values);
    rd_cfg_describe(v, shown, sizeof shown);
    return rd_cfg_field_error(err, RD_ECONFIG, at, "tier", "%s; expected %s", shown, tier_values);
}

/* The account's risk: tier defaults, then top-level kelly, then its own "risk"
 * (inline, "file:PATH" or "env:VAR"), validated. */
static int parse_risk(struct build *b, const json_t *a, const struct cfg_at *at,
                      struct rd_account_config *ac, struct rd_error *err)
{
    const json_t *v = json_object_get(a, "risk");
    char where[RD_ERROR_MSG_MAX], path[RD_SOURCE_MAX];
    struct cfg_at rat = {at->where, "risk"};
    struct rd_risk_config *r = &ac->risk;
    struct rd_error sub = {0};
    struct rd_buf text;
    json_t *doc = NULL;
    uint64_t set = 0;
    const char *src;
    char shown[80];
    int rc = RD_OK;

    rd_buf_init(&text, CFG_FILE_MAX);
    rd_risk_defaults(ac->tier, r);
    rd_cfg_risk_copy(r, &b->kelly, b->kelly_set);
    if (!v) {
        snprintf(ac->risk_origin, sizeof ac->risk_origin, "tier default (%s)", rd_tier_name(ac->tier));
    } else if (json_is_object(v)) {
        snprintf(ac->risk_origin, sizeof ac->risk_origin, "inline");
        rc = rd_cfg_parse_risk(v, "", &rat, r, &set, err);
    } else if (json_is_string(v) && json_string_length(v) < sizeof ac->risk_origin &&
               (!strncmp(json_string_value(v), "file:", 5) ||
                !strncmp(json_string_value(v), "env:", 4))) {
        src = json_string_value(v);
        snprintf(ac->risk_origin, sizeof ac->risk_origin, "%s", src);
        snprintf(where, sizeof where, "%s: risk (%s)", at->where, src);
        rat.where = where;
        rat.sect = "";
        if (src[0] == 'f') {
            if (!src[5] || rd_cfg_join_path(b->dir, src + 5, path, sizeof path) != RD_OK) {
                rc = rd_error_set(err, RD_ECONFIG, "%s: expected \"file:PATH\" with a path", where);
                goto out;
            }
            rc = rd_cfg_read_file(path, CFG_FILE_MAX, &text, NULL, &sub);
            if (rc) {
                rc = rd_error_set(err, rc == RD_ENOMEM ? rc : RD_ECONFIG, "%s: %s", where, sub.msg);
                goto out;
            }
        } else {
            const char *val = getenv(src + 4);

            if (!src[4] || !val) {
                rc = rd_error_set(err, RD_ECONFIG, "%s: the environment variable %s is not set",
                                  where, src[4] ? src + 4 : "(empty name)");
                goto out;
            }
            rc = rd_buf_puts(&text, val);
            if (rc) {
                rc = rc == RD_ENOMEM ? nomem(err, b->origin)
                                     : rd_error_set(err, RD_ECONFIG, "%s: too large", where);
                goto out;
            }
        }
        rc = rd_cfg_parse_json(rd_buf_str(&text), text.len, where, 0, &doc, err);
        if (!rc)
            rc = rd_cfg_parse_risk(doc, "", &rat, r, &set, err);
    } else {
        rd_cfg_describe(v, shown, sizeof shown);
        rc = rd_cfg_field_error(err, RD_ECONFIG, at, "risk",
                                "%s; expected an object {...}, \"file:PATH\" or \"env:VAR\"", shown);
    }
    if (rc)
        goto out;
    /* said as "HH:MM" in the file, so checked as that rather than as minutes */
    if (r->exits.day_close_minute < 570 || r->exits.day_close_minute > 960) {
        rc = rd_error_set(err, RD_ECONFIG,
                          "%s: %sexits.day_close: \"%02d:%02d\"; expected a time from \"09:30\" to "
                          "\"16:00\" (US Eastern)", rat.where, rat.sect[0] ? "risk." : "",
                          (int)(r->exits.day_close_minute / 60), (int)(r->exits.day_close_minute % 60));
        goto out;
    }
    if (rd_risk_validate(r, &sub) != RD_OK)
        rc = rd_error_set(err, RD_ECONFIG, "%s: %s%s", rat.where, rat.sect[0] ? "risk." : "",
                          sub.msg);
out:
    json_decref(doc);
    rd_buf_release(&text);
    return rc;
}

static int is_account_key(const char *key)
{
    for (size_t i = 0; i < N(account_keys); i++)
        if (!strcmp(key, account_keys[i]))
            return 1;
    return 0;
}

/* Keys of the risk object written one level too high get a pointed hint. */
static int misplaced_risk_key(const json_t *a, const struct cfg_at *at, struct rd_error *err)
{
    size_t nkeys;
    const struct rd_risk_key *keys = rd_risk_keys(&nkeys);
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)a, key, v) {
        size_t len = strlen(key);

        if (is_account_key(key))
            continue;
        for (size_t i = 0; i < nkeys; i++)
            if (!strncmp(keys[i].name, key, len) &&
                (keys[i].name[len] == '\0' || keys[i].name[len] == '.'))
                return rd_error_set(err, RD_ECONFIG,
                                    "%s: unknown key \"%s\" (risk limits go inside \"risk\": {...})",
                                    at->where, key);
    }
    return RD_OK;
}

static int parse_account(struct build *b, const json_t *a, int index, struct rd_error *err)
{
    struct rd_account_config *ac = &b->cfg->accounts[index];
    char where[RD_ERROR_MSG_MAX], broker[16] = "paper", shown[80];
    struct cfg_at at = {where, ""};
    int rc;

    snprintf(where, sizeof where, "%s: accounts[%d]", b->origin, index);
    if (!json_is_object(a)) {
        rd_cfg_describe(a, shown, sizeof shown);
        return rd_error_set(err, RD_ECONFIG, "%s: %s; expected an object {\"name\": ...}", where, shown);
    }
    if (!json_object_get(a, "name"))
        return rd_error_set(err, RD_ECONFIG, "%s: \"name\" is required", where);
    rc = rd_cfg_get_string(a, "name", &at, ac->name, sizeof ac->name, err);
    if (rc == RD_OK && !valid_name(ac->name))
        rc = rd_cfg_field_error(err, RD_ECONFIG, &at, "name",
                                "\"%s\"; expected 1 to %d characters of A-Z a-z 0-9 _ . -", ac->name,
                                RD_NAME_MAX - 1);
    if (rc)
        return rc;
    for (int j = 0; j < index; j++)
        if (!strcasecmp(b->cfg->accounts[j].name, ac->name))
            return rd_error_set(err, RD_ECONFIG,
                                "%s: name \"%s\" is already used by accounts[%d] (names are unique, "
                                "ignoring case)", where, ac->name, j);
    snprintf(where, sizeof where, "%s: accounts[%d] \"%s\"", b->origin, index, ac->name);

    rc = misplaced_risk_key(a, &at, err);
    if (!rc)
        rc = rd_cfg_check_keys(a, account_keys, N(account_keys), &at, err);
    if (!rc)
        rc = rd_cfg_get_string(a, "broker", &at, broker, sizeof broker, err);
    if (rc)
        return rc;
    if (!strcmp(broker, "paper"))
        ac->broker = RD_BROKER_PAPER;
    else if (!strcmp(broker, "alpaca"))
        ac->broker = RD_BROKER_ALPACA;
    else
        return rd_cfg_field_error(err, RD_ECONFIG, &at, "broker", "\"%s\"; expected \"paper\" or \"alpaca\"",
                                  broker);

    rc = rd_cfg_get_bool(a, "live", &at, &ac->live, err);
    if (rc)
        return rc;
    if (ac->live && ac->broker != RD_BROKER_ALPACA)
        return rd_cfg_field_error(err, RD_ECONFIG, &at, "live",
                                  "true; only an \"alpaca\" account can be live");

    if (ac->broker == RD_BROKER_PAPER) {
        ac->starting_cash = DEFAULT_STARTING_CASH;
        rc = rd_cfg_get_money(a, "starting_cash", &at, &ac->starting_cash, err);
        if (rc)
            return rc;
        if (ac->starting_cash <= 0) {
            rd_money_format(ac->starting_cash, shown, sizeof shown);
            return rd_cfg_field_error(err, RD_ECONFIG, &at, "starting_cash", "%s; expected dollars > 0",
                                      shown);
        }
    } else if (json_object_get(a, "starting_cash")) {
        return rd_cfg_field_error(err, RD_ECONFIG, &at, "starting_cash",
                                  "only a \"paper\" account has starting cash; an \"alpaca\" "
                                  "account's comes from the broker");
    }

    rc = parse_credentials(b, a, &at, ac, err);
    if (!rc)
        rc = parse_tier(b, a, &at, index, ac, err);
    if (!rc)
        rc = parse_risk(b, a, &at, ac, err);
    return rc;
}

static int parse_accounts(struct build *b, const json_t *root, struct rd_error *err)
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
    for (size_t i = 0; rc == RD_OK && i < n; i++)
        rc = parse_account(b, json_array_get(list, i), (int)i, err);
    return rc;
}

int rd_cfg_build(const json_t *root, const char *origin, const char *dir, struct rd_config **out,
                 struct rd_error *err)
{
    struct build b = {.origin = origin, .dir = dir};
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
        rc = parse_tiers(&b, root, &at, err);
    if (!rc)
        rc = parse_kelly(&b, root, &at, err);
    if (!rc)
        rc = parse_sections(&b, root, &at, err);
    if (!rc)
        rc = parse_accounts(&b, root, err);
    if (rc) {
        rd_config_free(b.cfg);
        return rc;
    }
    *out = b.cfg;
    return RD_OK;
}
