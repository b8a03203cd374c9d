/*
 * cmd_config_check.c - `riskdesk config check`: load and validate the config
 * without starting anything, and show what each account will really run with.
 * Secrets are never printed: credentials show their source and a masked key.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "riskdesk/config.h"
#include "riskdesk/store.h"
#include "riskdesk/banned.h"

extern char **environ;

#define MAX_SUSPECTS 64

struct suspects {
    int n;
    char name[MAX_SUSPECTS][96];
    char looks_like[MAX_SUSPECTS][104];
};

static void on_suspect(void *ctx, const char *name, const char *looks_like)
{
    struct suspects *s = ctx;

    fprintf(stderr, "riskdesk: warning: environment variable %s looks like %s, which riskdesk "
                    "reads; %s is ignored\n", name, looks_like, name);
    if (s->n >= MAX_SUSPECTS)
        return;
    snprintf(s->name[s->n], sizeof s->name[0], "%s", name);
    snprintf(s->looks_like[s->n], sizeof s->looks_like[0], "%s", looks_like);
    s->n++;
}

static const char *mode_name(enum rd_tier_mode m)
{
    return m == RD_TIER_MODE_AUTO ? "auto" : m == RD_TIER_MODE_PINNED ? "pinned" : "defaulted";
}

static void tier_text(const struct rd_account_config *a, char *buf, size_t n)
{
    if (a->tier_mode == RD_TIER_MODE_AUTO)
        snprintf(buf, n, "auto (from %s): classified from buying power each cycle; %s until then",
                 a->tier_origin, rd_tier_name(a->tier));
    else if (a->tier_mode == RD_TIER_MODE_PINNED)
        snprintf(buf, n, "%s (pinned by %s)", rd_tier_name(a->tier), a->tier_origin);
    else
        snprintf(buf, n, "%s (defaulted: no \"tier\" in the config and ACCOUNT_TIER unset)",
                 rd_tier_name(a->tier));
}

/* Resolves the credentials only to say whether they are there; wiped at once. */
static void creds_text(const struct rd_account_config *a, char *buf, size_t n, int *ok)
{
    struct rd_credentials c;
    struct rd_error err = {0};
    char key[32];

    *ok = 1;
    if (!a->credentials[0]) {
        snprintf(buf, n, "(none)");
        return;
    }
    if (rd_account_credentials(a, &c, &err) != RD_OK) {
        *ok = 0;
        snprintf(buf, n, "%s (not resolved: %s)", a->credentials, err.msg);
        rd_credentials_wipe(&c);
        return;
    }
    rd_secret_mask(c.api_key, key, sizeof key);
    snprintf(buf, n, "%s (api_key %s, api_secret ****, base_url %s)", a->credentials, key,
             c.base_url[0] ? c.base_url : "(broker default)");
    rd_credentials_wipe(&c);
}

static void print_text(const struct rd_config *cfg)
{
    char db[RD_SOURCE_MAX];
    size_t nkeys;
    const struct rd_risk_key *keys = rd_risk_keys(&nkeys);
    char v[6][48];

    printf("config %s: valid, %d account%s\n", cfg->origin, cfg->naccounts,
           cfg->naccounts == 1 ? "" : "s");
    rd_store_url_mask(cfg->database, db, sizeof db);
    printf("database: %s (from %s)\n", db, cfg->database_origin);
    rd_money_format(cfg->firm_max_gross_exposure, v[0], sizeof v[0]);
    printf("firm.max_gross_exposure: %s%s\n", v[0], cfg->firm_max_gross_exposure ? "" : " (off)");
    printf("market.vix_feed: %s\n", cfg->vix_feed[0] ? cfg->vix_feed : "(none)");
    printf("market.vix_max_age_seconds: %lld\n", (long long)cfg->vix_max_age_s);
    printf("paper.seed: %llu\n", (unsigned long long)cfg->paper_seed);
    printf("tiers:\n  %-7s %16s %13s %15s %14s %15s %17s\n", "", "min_buying_power", "risk_pct_day",
           "risk_pct_swing", "max_contracts", "min_confidence", "min_volume_ratio");
    for (int t = 0; t < RD_TIER_COUNT; t++) {
        const struct rd_tier_params *p = &cfg->tiers.tier[t];

        rd_money_format(p->min_buying_power, v[0], sizeof v[0]);
        rd_ppm_format(p->risk_pct_day, v[1], sizeof v[1]);
        rd_ppm_format(p->risk_pct_swing, v[2], sizeof v[2]);
        rd_ppm_format(p->min_confidence, v[3], sizeof v[3]);
        rd_ppm_format(p->min_volume_ratio, v[4], sizeof v[4]);
        printf("  %-7s %16s %13s %15s %14d %15s %17s\n", rd_tier_name((enum rd_tier)t), v[0], v[1],
               v[2], (int)p->max_contracts, v[3], v[4]);
    }
    for (int i = 0; i < cfg->naccounts; i++) {
        const struct rd_account_config *a = &cfg->accounts[i];
        char line[RD_ERROR_MSG_MAX + 2 * RD_SOURCE_MAX];
        int ok;

        printf("\naccount \"%s\"\n", a->name);
        tier_text(a, line, sizeof line);
        printf("  tier: %s\n", line);
        printf("  broker: %s%s\n", a->broker == RD_BROKER_ALPACA ? "alpaca" : "paper",
               a->live ? " (live allowed)" : "");
        if (a->broker == RD_BROKER_PAPER) {
            rd_money_format(a->starting_cash, v[0], sizeof v[0]);
            printf("  starting_cash: %s\n", v[0]);
        }
        printf("  live: %s\n", a->live ? "true" : "false");
        creds_text(a, line, sizeof line, &ok);
        printf("  credentials: %s\n", line);
        if (!ok)
            fprintf(stderr, "riskdesk: warning: account \"%s\": credentials %s\n", a->name, line);
        printf("  risk (%s):\n", a->risk_origin);
        for (size_t k = 0; k < nkeys; k++) {
            rd_risk_key_format(&keys[k], &a->risk, v[0], sizeof v[0]);
            printf("    %-34s %s\n", keys[k].name, v[0]);
        }
    }
}

/* A risk value as JSON: money and fractions as exact decimal strings. */
static json_t *risk_value(const struct rd_risk_key *k, const struct rd_risk_config *r)
{
    const char *p = (const char *)r + k->offset;
    char text[512];
    int32_t i32;
    int b;

    rd_risk_key_format(k, r, text, sizeof text);
    switch (k->type) {
    case RD_RISK_KEY_INT:
        memcpy(&i32, p, sizeof i32);
        return json_integer(i32);
    case RD_RISK_KEY_BOOL:
        memcpy(&b, p, sizeof b);
        return json_boolean(b);
    case RD_RISK_KEY_ACTIONS:
    case RD_RISK_KEY_GATES: {
        json_t *arr = json_array();

        for (char *s = text, *comma; s && *s; s = comma ? comma + 1 : NULL) {
            comma = strchr(s, ',');
            if (comma)
                *comma = '\0';
            json_array_append_new(arr, json_string(s));
        }
        return arr;
    }
    default:
        return json_string(text);
    }
}

static json_t *risk_json(const struct rd_risk_config *r)
{
    size_t nkeys;
    const struct rd_risk_key *keys = rd_risk_keys(&nkeys);
    json_t *o = json_object();

    for (size_t k = 0; k < nkeys; k++) {
        const char *dot = strchr(keys[k].name, '.');
        json_t *parent = o;

        if (dot) {
            char sect[32];

            snprintf(sect, sizeof sect, "%.*s", (int)(dot - keys[k].name), keys[k].name);
            parent = json_object_get(o, sect);
            if (!parent) {
                parent = json_object();
                json_object_set_new(o, sect, parent);
            }
        }
        json_object_set_new(parent, dot ? dot + 1 : keys[k].name, risk_value(&keys[k], r));
    }
    return o;
}

static json_t *money_json(rd_money m)
{
    char v[48];

    rd_money_format(m, v, sizeof v);
    return json_string(v);
}

static json_t *ppm_json(int64_t ppm)
{
    char v[48];

    rd_ppm_format(ppm, v, sizeof v);
    return json_string(v);
}

static json_t *account_json(const struct rd_account_config *a)
{
    json_t *o = json_object(), *c = json_object();
    char line[RD_ERROR_MSG_MAX + 2 * RD_SOURCE_MAX];
    int ok;

    json_object_set_new(o, "name", json_string(a->name));
    json_object_set_new(o, "tier", json_string(rd_tier_name(a->tier)));
    json_object_set_new(o, "tier_mode", json_string(mode_name(a->tier_mode)));
    json_object_set_new(o, "tier_origin", json_string(a->tier_origin));
    json_object_set_new(o, "broker", json_string(a->broker == RD_BROKER_ALPACA ? "alpaca" : "paper"));
    if (a->broker == RD_BROKER_PAPER)
        json_object_set_new(o, "starting_cash", money_json(a->starting_cash));
    json_object_set_new(o, "live", json_boolean(a->live));
    creds_text(a, line, sizeof line, &ok);
    json_object_set_new(c, "source", json_string(a->credentials));
    json_object_set_new(c, "resolved", json_boolean(ok && a->credentials[0]));
    json_object_set_new(c, "summary", json_string(line));
    json_object_set_new(o, "credentials", c);
    if (!ok)
        fprintf(stderr, "riskdesk: warning: account \"%s\": credentials %s\n", a->name, line);
    json_object_set_new(o, "risk_origin", json_string(a->risk_origin));
    json_object_set_new(o, "risk", risk_json(&a->risk));
    return o;
}

static json_t *config_json(const struct rd_config *cfg)
{
    char db[RD_SOURCE_MAX];
    json_t *o = json_object(), *tiers = json_object(), *accounts = json_array();

    json_object_set_new(o, "ok", json_true());
    json_object_set_new(o, "origin", json_string(cfg->origin));
    rd_store_url_mask(cfg->database, db, sizeof db);
    json_object_set_new(o, "database", json_string(db));
    json_object_set_new(o, "database_origin", json_string(cfg->database_origin));
    json_object_set_new(o, "firm_max_gross_exposure", money_json(cfg->firm_max_gross_exposure));
    json_object_set_new(o, "vix_feed", json_string(cfg->vix_feed));
    json_object_set_new(o, "vix_max_age_seconds", json_integer((json_int_t)cfg->vix_max_age_s));
    json_object_set_new(o, "paper_seed", json_integer((json_int_t)cfg->paper_seed));
    for (int t = 0; t < RD_TIER_COUNT; t++) {
        const struct rd_tier_params *p = &cfg->tiers.tier[t];
        json_t *tj = json_object();

        json_object_set_new(tj, "min_buying_power", money_json(p->min_buying_power));
        json_object_set_new(tj, "risk_pct_day", ppm_json(p->risk_pct_day));
        json_object_set_new(tj, "risk_pct_swing", ppm_json(p->risk_pct_swing));
        json_object_set_new(tj, "max_contracts", json_integer(p->max_contracts));
        json_object_set_new(tj, "min_confidence", ppm_json(p->min_confidence));
        json_object_set_new(tj, "min_volume_ratio", ppm_json(p->min_volume_ratio));
        json_object_set_new(tiers, rd_tier_name((enum rd_tier)t), tj);
    }
    json_object_set_new(o, "tiers", tiers);
    for (int i = 0; i < cfg->naccounts; i++)
        json_array_append_new(accounts, account_json(&cfg->accounts[i]));
    json_object_set_new(o, "accounts", accounts);
    return o;
}

static json_t *suspects_json(const struct suspects *s)
{
    json_t *arr = json_array();

    for (int i = 0; i < s->n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s}", "name", s->name[i], "looks_like",
                                             s->looks_like[i]));
    return arr;
}

static int print_json(json_t *o)
{
    int rc;

    if (!o) {
        fprintf(stderr, "riskdesk: out of memory\n");
        return CLI_FAIL;
    }
    rc = json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    fputc('\n', stdout);
    return rc == 0 ? CLI_OK : CLI_FAIL;
}

/* ACCOUNT_TIER set but named by no account's tier: say it does nothing. */
static void warn_unused_account_tier(const struct rd_config *cfg)
{
    const char *env = getenv("ACCOUNT_TIER");

    if (!env || !env[0])
        return;
    for (int i = 0; i < cfg->naccounts; i++)
        if (!strcmp(cfg->accounts[i].tier_origin, "ACCOUNT_TIER"))
            return;
    fprintf(stderr, "riskdesk: warning: ACCOUNT_TIER is set but every account names its own "
                    "\"tier\"; it has no effect\n");
}

/* Loads the config itself (not through main.c): a config that does not
 * load is this command's answer, in JSON too with --json. */
static int run(struct cli_ctx *c)
{
    static struct suspects sus;
    struct rd_config *cfg = NULL;
    struct rd_error err = {0};
    const char *path = c->config;
    int json = c->json, rc;

    sus.n = 0;
    rd_env_check(environ, on_suspect, &sus);
    rc = rd_config_load_default(path, &cfg, &err);
    if (rc != RD_OK) {
        if (json) {
            json_t *o = json_pack("{s:b, s:s, s:s, s:o}", "ok", 0, "error", err.msg, "code",
                                  rd_errname(rc), "env_suspects", suspects_json(&sus));

            print_json(o);
        }
        return cli_fail(&err);
    }
    warn_unused_account_tier(cfg);
    /* the same startup check the dispatchers run: no two accounts on one key */
    rc = rd_config_check_distinct_keys(cfg, &err);
    if (rc != RD_OK) {
        if (json) {
            json_t *o = json_pack("{s:b, s:s, s:s, s:o}", "ok", 0, "error", err.msg, "code",
                                  rd_errname(rc), "env_suspects", suspects_json(&sus));

            print_json(o);
        }
        rd_config_free(cfg);
        return cli_fail(&err);
    }
    if (json) {
        json_t *o = config_json(cfg);

        json_object_set_new(o, "env_suspects", suspects_json(&sus));
        rc = print_json(o);
    } else {
        print_text(cfg);
        rc = CLI_OK;
    }
    rd_config_free(cfg);
    return rc;
}

const struct cli_cmd cli_cmd_config_check = {
    .name = "config check",
    .summary = "validate the config and show each account's effective limits",
    .usage = "usage: riskdesk config check [--config FILE] [--json]\n"
             "\n"
             "Loads and validates the config without starting anything, then prints each\n"
             "account's effective settings: tier and how it was chosen, broker, starting\n"
             "cash, where its risk config came from and every risk key, and its credentials\n"
             "source (secrets masked). Environment variables that look like misspellings of\n"
             "the ones riskdesk reads are reported on stderr.\n"
             "\n"
             "The config is FILE, else $RISKDESK_CONFIG, else ./riskdesk.json.\n"
             "\n"
             "  --config FILE   the config file to check\n"
             "  --json          print one JSON object instead of text\n"
             "\n"
             "Two accounts whose credentials resolve to the same API key are an error\n"
             "(the message names both accounts), as they are when a dispatcher starts.\n"
             "\n"
             "Exit status: 0 when valid, 1 when not (the message names the field).\n",
    .takes = CLI_O_CONFIG | CLI_O_JSON,
    .run = run,
};
