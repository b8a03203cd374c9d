/*
 * config_account.c - one entry of "accounts": its name, broker, credentials
 * source (syntax only), tier and its own risk config, inline or from a
 * "file:" / "env:" / "ssm:" source, validated.
 */
#include "config/config_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config_sources.h"
#include "riskdesk/banned.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const account_keys[] = {"name",        "tier", "broker", "starting_cash",
                                           "credentials", "risk", "live", "secret_account_name"};
static const char *const tier_values = "tiny, small, medium, large or auto";

#define DEFAULT_STARTING_CASH RD_DOLLARS(100000)

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
static int parse_credentials(struct cfg_build *b, const json_t *a, const struct cfg_at *at,
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
        return rd_cfg_file_source(b, src, ac->credentials, sizeof ac->credentials, at,
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

static int parse_tier(struct cfg_build *b, const json_t *a, const struct cfg_at *at, int index,
                      struct rd_account_config *ac, struct rd_error *err)
{
    const json_t *v = json_object_get(a, "tier");
    const char *env = getenv("ACCOUNT_TIER");
    const char *s;
    char shown[80];
    enum rd_tier ignored;

    /* A bad ACCOUNT_TIER refuses to start even where every account names its
     * own tier: a deployment's typo is never silently ignored. */
    if (env && env[0] && strcasecmp(env, "auto") && rd_tier_parse(env, &ignored) != RD_OK)
        return rd_error_set(err, RD_ECONFIG, "ACCOUNT_TIER=\"%.40s\": expected %s (any case)",
                            env, tier_values);
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
 * (inline, "file:PATH", "env:VAR" or "ssm:NAME"), validated. */
static int parse_risk(struct cfg_build *b, const json_t *a, const struct cfg_at *at,
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
                !strncmp(json_string_value(v), "env:", 4) ||
                !strncmp(json_string_value(v), "ssm:", 4))) {
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
        } else if (src[0] == 's') {
            rc = rd_cfg_ssm_text(src + 4, &text, &sub);
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
                rc = rc == RD_ENOMEM ? rd_error_set(err, RD_ENOMEM, "%s: out of memory", b->origin)
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
                                "%s; expected an object {...}, \"file:PATH\", \"env:VAR\" or "
                                "\"ssm:NAME\"", shown);
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
    ac->risk_own = set;
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

int rd_cfg_parse_account(struct cfg_build *b, const json_t *a, int index, struct rd_error *err)
{
    struct rd_account_config *ac = &b->cfg->accounts[index];
    char where[RD_ERROR_MSG_MAX], broker[16] = "paper", shown[80], lower[RD_NAME_MAX];
    struct cfg_at at = {where, ""};
    json_t *used;
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
    for (size_t i = 0; i < sizeof lower; i++)
        lower[i] = (char)tolower((unsigned char)ac->name[i]);
    if ((used = json_object_get(b->names, lower)))
        return rd_error_set(err, RD_ECONFIG,
                            "%s: name \"%s\" is already used by accounts[%d] (names are unique, "
                            "ignoring case)", where, ac->name, (int)json_integer_value(used));
    if (json_object_set_new(b->names, lower, json_integer(index)) != 0)
        return rd_error_set(err, RD_ENOMEM, "%s: out of memory", where);
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
    if (!rc)
        rc = rd_cfg_get_string(a, "secret_account_name", &at, ac->secret_account_name,
                               sizeof ac->secret_account_name, err);
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

