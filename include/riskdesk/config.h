/*
 * config.h - riskdesk.json, the environment, and the effective per-account limits.
 *
 * rd_config_load_* returns a heap object the caller releases with rd_config_free.
 * Nothing in a struct rd_config holds a secret: credentials are resolved on
 * demand with rd_credentials_resolve into a caller-owned struct.
 *
 * File shape (docs/config.md is the reference):
 *   {"database": "sqlite:PATH",
 *    "tiers": {"tiny": {"min_buying_power": 0, "risk_pct_day": 0.15, ...}, ...},
 *    "kelly": {"enabled", "min_trades", "lookback_days", "fraction", "cap", "on_zero"},
 *    "market": {"vix_feed": "file:PATH", "vix_max_age_seconds": 900},
 *    "firm": {"max_gross_exposure": 0},
 *    "paper": {"seed": 1},
 *    "encryption": {"key": "env:NAME" | "file:PATH" | "secretsmanager:ID"},
 *    "accounts": [{"name", "tier", "broker": "paper"|"alpaca", "starting_cash",
 *                  "credentials": SOURCE, "risk": {...} | SOURCE, "live": false}]}
 * Money as JSON numbers or decimal strings; unknown keys are errors with a
 * "did you mean" hint.
 *
 * Precedence: the file's "database", else $RISKDESK_DATABASE_URL, else
 * "sqlite:riskdesk.db"; the file's "encryption.key", else
 * $RISKDESK_ENCRYPTION_KEY (a source, not the key), else none. An account's "tier", else $ACCOUNT_TIER, else large
 * (RD_TIER_MODE_DEFAULTED). Risk: the tier's rd_risk_defaults, then the
 * top-level "kelly", then the account's own "risk" keys.
 * Errors are RD_ECONFIG (RD_ENOTFOUND for a missing config file, RD_ENOMEM)
 * with a message naming file, account, key, value and what is allowed. A
 * "ssm:NAME" risk source is read from AWS SSM while loading (aws.h); its
 * failures (auth, not found, timeout) are RD_ECONFIG too, the message saying which.
 */
#ifndef RISKDESK_CONFIG_H
#define RISKDESK_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/error.h"
#include "riskdesk/risk.h"
#include "riskdesk/tier.h"
#include "riskdesk/fork.h"
#include "riskdesk/hierarchy.h"
#include "riskdesk/perf.h"
#include "riskdesk/traders_config.h"

#define RD_NAME_MAX 64
#define RD_SOURCE_MAX 256

/* How an account's tier was chosen; logged at startup. */
enum rd_tier_mode {
    RD_TIER_MODE_PINNED,     /* named in the config or ACCOUNT_TIER */
    RD_TIER_MODE_AUTO,       /* "auto": classified from the broker's buying power each cycle */
    RD_TIER_MODE_DEFAULTED,  /* nothing said: large, and the log says so */
};

enum rd_broker_kind { RD_BROKER_PAPER, RD_BROKER_ALPACA };

struct rd_account_config {
    char name[RD_NAME_MAX];            /* [A-Za-z0-9_.-], 1-63 chars, unique */
    enum rd_tier tier;                 /* pinned or defaulted tier; for AUTO the fallback */
    enum rd_tier_mode tier_mode;
    char tier_origin[RD_SOURCE_MAX];   /* "config", "ACCOUNT_TIER", "default" (for AUTO too) */
    enum rd_broker_kind broker;
    rd_money starting_cash;            /* paper broker only */
    char credentials[RD_SOURCE_MAX];   /* "", "env:PREFIX", "file:PATH", "secretsmanager:NAME";
                                          a relative file: PATH is already joined to the
                                          config's directory. Syntax-checked only. */
    char secret_account_name[128];     /* the account_name its secret or credentials file
                                          must carry when it carries one; "" = name */
    char risk_origin[RD_SOURCE_MAX];   /* "inline", "file:PATH", "env:VAR", "ssm:NAME",
                                          "tier default (large)" */
    struct rd_risk_config risk;        /* effective, validated */
    uint64_t risk_own;                 /* the keys its own "risk" sets (rd_config_risk_own) */
    int live;                          /* allow a live Alpaca account (also needs EXECUTION_MODE) */
};

#define RD_HEALTH_INTERVAL_DEFAULT 30
#define RD_HEALTH_FAILURES_DEFAULT 3
#define RD_VIX_MAX_AGE_DEFAULT 900         /* 15 minutes */
#define RD_VIX_MAX_AGE_MAX 86400

struct rd_config {
    char origin[RD_SOURCE_MAX];        /* the file path, or "(embedded demo)" */
    char database[RD_SOURCE_MAX];      /* store URL; default "sqlite:riskdesk.db" */
    struct rd_tier_table tiers;
    char vix_feed[RD_SOURCE_MAX];      /* "" = no feed configured, else "file:PATH" (joined) */
    int64_t vix_max_age_s;             /* a feed's level older than this (the file's mtime)
                                          is stale; default RD_VIX_MAX_AGE_DEFAULT */
    rd_money firm_max_gross_exposure;  /* 0 = off (the default) */
    uint64_t paper_seed;               /* seed of the paper market; default 1 */
    unsigned health_interval_s;        /* "health": serve's monitor; default 30 */
    int health_failures;               /* polls failed in a row that make an account unhealthy; 3 */
    char assignment_auto[16];          /* "assignment": {"auto"}: how a user without an account
                                          gets one: "least_loaded" (default), "round_robin",
                                          "department", or "none" (an admin assigns) */
    int naccounts;
    struct rd_account_config *accounts;
    char database_origin[RD_SOURCE_MAX]; /* "config", "RISKDESK_DATABASE_URL", "default", "demo" */
    struct rd_traders_config traders;  /* "traders" (traders_config.h); defaults when absent */
    struct rd_perf_config perf;        /* "performance" (perf.h); defaults when absent */
    struct rd_node_types hier_types;   /* "hierarchy": {"types"} (hierarchy.h); seed defaults
                                          when absent */
    struct rd_fork_part fork_split[RD_FORK_SPLIT_MAX];   /* "hierarchy": {"fork_split"}
                                          (fork.h); nfork_split 0: one child a fork */
    size_t nfork_split;
    char encryption_key[RD_SOURCE_MAX]; /* "encryption": {"key"}: "" = amounts kept in clear,
                                          else "env:NAME", "file:PATH" (joined), or
                                          "secretsmanager:ID"; the source, never the key */
    char encryption_key_origin[32];    /* "config", "RISKDESK_ENCRYPTION_KEY" or "" */
    struct rd_account_config **by_name; /* the accounts ordered by name ignoring case, for
                                          rd_config_account; owned; NULL (a config made by
                                          hand): searched in order */
};

/*
 * Parses and validates a config. `origin` names it in messages (a path; NULL
 * reads "(text)"). ACCOUNT_TIER from the environment applies to accounts whose
 * "tier" is absent; an invalid ACCOUNT_TIER is then an error naming the valid
 * values. Relative "file:" sources are taken relative to the directory of
 * origin (the current directory when origin has no '/'). On error *out is NULL.
 */
int rd_config_load_file(const char *path, struct rd_config **out, struct rd_error *err);
int rd_config_load_text(const char *text, size_t len, const char *origin, struct rd_config **out,
                        struct rd_error *err);
/* The embedded demo config, loaded through the same parser: paper accounts
 * "large" ($209,000) and "tiny" ($1,804), tier auto, each with its tier's shipped
 * risk config. database NULL means "sqlite:riskdesk-demo.db". */
int rd_config_load_demo(const char *database, struct rd_config **out, struct rd_error *err);
/* That config's JSON text (static), as `riskdesk demo --print-config` shows it. */
const char *rd_config_demo_text(void);
/*
 * Finds the config for a command: `path` if not NULL, else $RISKDESK_CONFIG,
 * else ./riskdesk.json if it exists, else accounts from the environment
 * (ALPACA_PAPER_API_KEY -> "primary", ALPACA_PAPER_API_KEY_N -> "account_N";
 * docs/alpaca.md); RD_ENOTFOUND naming all four otherwise. A file, once
 * found, wins: its accounts are the only ones.
 */
int rd_config_load_default(const char *path, struct rd_config **out, struct rd_error *err);
void rd_config_free(struct rd_config *cfg);

/* The account named name (exactly), or NULL; O(log n) by cfg->by_name. */
const struct rd_account_config *rd_config_account(const struct rd_config *cfg, const char *name);
/* The same ignoring ASCII case (names are unique that way): whether a new name is taken. */
const struct rd_account_config *rd_config_account_nocase(const struct rd_config *cfg,
                                                         const char *name);
/* Whether the account's own "risk" sets key ("max_open_positions"...), as
 * opposed to taking it from its tier or the top-level kelly. */
int rd_config_risk_own(const struct rd_account_config *a, const char *key);

/*
 * The keys of a "risk" object and where each lands in struct rd_risk_config.
 * The parser and `riskdesk config check` walk the same table, so what is
 * printed is exactly what was read. Nested keys are dotted ("pdt.enabled").
 */
enum rd_risk_key_type {
    RD_RISK_KEY_MONEY,    /* rd_money; JSON number or decimal string */
    RD_RISK_KEY_PPM,      /* int64_t ppm; JSON number or decimal string */
    RD_RISK_KEY_INT,      /* int32_t; JSON integer */
    RD_RISK_KEY_BOOL,     /* int 0/1; JSON true/false */
    RD_RISK_KEY_ACTIONS,  /* uint32_t RD_ACT_BIT set; JSON array of action names */
    RD_RISK_KEY_HHMM,     /* int32_t minute of the day (ET); JSON "HH:MM" */
    RD_RISK_KEY_ON_ZERO,  /* enum rd_kelly_on_zero; JSON "reject" | "tier" */
    RD_RISK_KEY_GATES,    /* uint32_t RD_GATE_BIT set; JSON array of gate names */
};

struct rd_risk_key {
    const char *name;             /* "max_open_positions", "pdt.enabled", "exits.day_close" */
    enum rd_risk_key_type type;
    size_t offset;                /* of the field in struct rd_risk_config */
};

/* The table in documentation order; *n receives its length. Static storage. */
const struct rd_risk_key *rd_risk_keys(size_t *n);
/* The key's value in r as config text: "10000.00", "0.02", "5", "true",
 * "BUY_CALL,BUY_PUT", "15:55", "reject". Returns like snprintf. */
int rd_risk_key_format(const struct rd_risk_key *k, const struct rd_risk_config *r, char *buf,
                       size_t n);

/*
 * Environment variables that look like misspellings of the ones riskdesk reads
 * (RUN_MODE, ACCOUNT_TIER, EXECUTION_MODE, LOG_LEVEL, LOG_FORMAT, RISKDESK_CONFIG,
 * ALPACA_PAPER_API_KEY... with _N suffixes): `MODE=LOOP` -> "MODE looks like
 * RUN_MODE". A suspect is within two edits of a known name, equal to it but
 * for case or underscores, a known name's last words alone (MODE, TIER), or
 * another tool's name for an Alpaca key (APCA_API_KEY_ID). Known names (and
 * numbered ALPACA_PAPER_* up to _99) are never reported. Calls report() once
 * per suspect (report may be NULL); returns how many were found.
 * Values are never passed on (they may be secrets).
 */
int rd_env_check(char *const *envp,
                 void (*report)(void *ctx, const char *name, const char *looks_like), void *ctx);

/* Alpaca (or any broker) credentials, resolved from an account's source. */
struct rd_credentials {
    char api_key[128];
    char api_secret[128];
    char base_url[256];
    char account_name[128];            /* the secret's or file's "account_name"; "" when none */
    int fallback;                      /* a /TIER secret that did not exist: the default's */
    char origin[RD_SOURCE_MAX];        /* where they came from, never the values */
};
/*
 * Resolves "env:PREFIX" (PREFIX_API_KEY, PREFIX_SECRET_KEY, PREFIX_BASE_URL
 * optional; for a numbered prefix such as ALPACA_PAPER_2 also the deployments'
 * ALPACA_PAPER_API_KEY_2 form) or "file:PATH" (JSON {api_key, api_secret,
 * base_url?, account_name?}; refused with RD_EAUTH when group or others have
 * any access, the message saying `chmod 600 PATH`) or "secretsmanager:NAME"
 * (AWS Secrets Manager, SecretString JSON with api_key/api_secret/base_url or
 * the deployments' names for them, docs/aws.md; a NAME ending in /TIER that
 * does not exist falls back to the default NAME without /TIER, logged as
 * credentials.default). Missing values are RD_ENOTFOUND naming the variable.
 * Messages never contain the secret values; on error *out holds no secret.
 * Call rd_credentials_wipe when done.
 */
int rd_credentials_resolve(const char *source, struct rd_credentials *out, struct rd_error *err);
/*
 * An account's credentials: rd_credentials_resolve on a->credentials, then,
 * when the secret or file names an "account_name", it must be the account's
 * secret_account_name (or, unset, its name): otherwise RD_ECONFIG naming both,
 * so a secret loaded for the wrong account never trades. A default secret
 * taken for a missing /TIER one is not checked (it serves many accounts).
 */
int rd_account_credentials(const struct rd_account_config *a, struct rd_credentials *out,
                           struct rd_error *err);
/*
 * The startup check that no account can trade with another's keys: resolves
 * every account's credentials and fails with RD_ECONFIG when two resolve to
 * the same API key, naming both accounts and sources (never the key).
 * Accounts without credentials, or whose credentials do not resolve (they
 * fail on their own when their broker opens), are not compared; the latter
 * are logged (warn, credentials.check_skipped, naming the account).
 */
int rd_config_check_distinct_keys(const struct rd_config *cfg, struct rd_error *err);
/*
 * The key that seals amounts at rest (crypt.h): 32 random bytes, kept as 64 hex
 * digits (`openssl rand -hex 32`) in the variable NAME ("env:NAME"), the file
 * PATH ("file:PATH", mode 600, surrounding white space ignored) or the
 * SecretString of Secrets Manager secret ID ("secretsmanager:ID"). A wrong
 * source, a missing value, a length other than 64 or a non-hex digit is
 * RD_ECONFIG naming "encryption.key" and the source, never the value; a
 * source that cannot be read keeps its code (RD_EAUTH for a file open to
 * others, RD_ENOTFOUND...) with the same prefix. On error *out holds nothing. Call rd_encryption_key_wipe when done.
 */
#define RD_ENCRYPTION_KEY_LEN 32
struct rd_encryption_key {
    unsigned char bytes[RD_ENCRYPTION_KEY_LEN];
};
int rd_encryption_key_resolve(const char *spec, struct rd_encryption_key *out,
                              struct rd_error *err);
/* Whether spec is a source rd_encryption_key_resolve takes (the syntax only). */
int rd_encryption_key_spec_ok(const char *spec);
void rd_encryption_key_wipe(struct rd_encryption_key *k);
/* Writes a masked form of a key: "PK...WXYZ" (first 2, last 4) or "****". */
void rd_secret_mask(const char *secret, char *buf, size_t n);
/* Overwrites the secrets in place (explicit_bzero). */
void rd_credentials_wipe(struct rd_credentials *c);

#endif
