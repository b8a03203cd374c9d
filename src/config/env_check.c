/*
 * env_check.c - environment variables that look like misspellings of the ones
 * riskdesk reads. A deployment that said MODE=LOOP instead of RUN_MODE=LOOP
 * once stopped an account trading without a word; now it is reported.
 *
 * Only names are looked at; values (which may be secrets) never leave envp.
 */
#include "riskdesk/config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config/config_int.h"
#include "riskdesk/banned.h"

#define NAME_MAX_LEN 96

struct known {
    const char *name;
    int numbered;            /* also read as NAME_1 .. NAME_99, one per account */
};

static const struct known known[] = {
    {"RUN_MODE", 0},
    {"ACCOUNT_TIER", 0},
    {"EXECUTION_MODE", 0},
    {"LOG_LEVEL", 0},
    {"LOG_FORMAT", 0},
    {"RISKDESK_CONFIG", 0},
    {"RISKDESK_DATABASE_URL", 0},
    {"RISKDESK_ENCRYPTION_KEY", 0},
    {"ALPACA_PAPER_API_KEY", 1},
    {"ALPACA_PAPER_SECRET_KEY", 1},
    {"ALPACA_PAPER_BASE_URL", 1},
    {"ALPACA_PAPER_ENABLED", 0},     /* env_legacy.c */
    {"ALPACA_STARTING_CASH", 1},
    {"SLACK_SIGNING_SECRET", 0},
    {"AWS_REGION", 0},
};

#define NKNOWN (sizeof known / sizeof known[0])

/* Names other tools use for the same thing: the likeliest mix-ups. */
static const struct {
    const char *name, *meant;
} aliases[] = {
    {"APCA_API_KEY_ID", "ALPACA_PAPER_API_KEY"},
    {"APCA_API_SECRET_KEY", "ALPACA_PAPER_SECRET_KEY"},
    {"APCA_API_BASE_URL", "ALPACA_PAPER_BASE_URL"},
    {"ALPACA_API_KEY", "ALPACA_PAPER_API_KEY"},
    {"ALPACA_API_KEY_ID", "ALPACA_PAPER_API_KEY"},
    {"ALPACA_SECRET_KEY", "ALPACA_PAPER_SECRET_KEY"},
    {"ALPACA_API_SECRET_KEY", "ALPACA_PAPER_SECRET_KEY"},
    {"ALPACA_BASE_URL", "ALPACA_PAPER_BASE_URL"},
};

/* Splits a trailing _1 .. _99 off name; returns the suffix ("_7") or NULL. */
static const char *number_suffix(const char *name, size_t len, size_t *baselen)
{
    size_t d = 0;

    while (d < len && d < 3 && isdigit((unsigned char)name[len - 1 - d]))
        d++;
    if (d == 0 || d > 2 || d + 1 >= len || name[len - 1 - d] != '_' || name[len - d] == '0')
        return NULL;
    *baselen = len - 1 - d;
    return name + len - 1 - d;
}

/* Equal after dropping '_' and '-' and ignoring case: ALPACAPAPERAPIKEY. */
static int same_squeezed(const char *a, const char *b)
{
    for (;;) {
        while (*a == '_' || *a == '-')
            a++;
        while (*b == '_' || *b == '-')
            b++;
        if (!*a || !*b)
            return !*a && !*b;
        if (toupper((unsigned char)*a) != toupper((unsigned char)*b))
            return 0;
        a++;
        b++;
    }
}

/* A trailing word group of a known name, at least 4 long: MODE, API_KEY... */
static int is_tail_of(const char *name, const char *k)
{
    for (const char *p = strchr(k, '_'); p; p = strchr(p + 1, '_'))
        if (strlen(p + 1) >= 4 && !strcasecmp(name, p + 1))
            return 1;
    return 0;
}

/* How much `name` looks like known name k: 0 not at all; else a score, lower
 * is closer. Exact names never get here. */
static int likeness(const char *name, const char *k)
{
    int d;

    if (!strcasecmp(name, k))
        return 1;
    if (same_squeezed(name, k))
        return 1;
    if (is_tail_of(name, k))
        return 2;
    if (strlen(name) > strlen(k) + 2 || strlen(k) > strlen(name) + 2)
        return 0;           /* at least 3 edits apart: no need to count them */
    d = rd_cfg_edit_distance(name, k);
    return d <= 2 ? 2 + d : 0;
}

/* The best match for one name; writes it to looks_like. */
static int suspect(const char *name, char *looks_like, size_t n)
{
    size_t len = strlen(name), baselen = 0;
    const char *suffix = number_suffix(name, len, &baselen);
    char base[NAME_MAX_LEN];
    int best = 0;

    for (size_t i = 0; i < NKNOWN; i++) {
        if (!strcmp(name, known[i].name))
            return 0;
        if (suffix && known[i].numbered && baselen == strlen(known[i].name) &&
            !strncmp(name, known[i].name, baselen))
            return 0;
    }
    /* NAME_ followed by something other than 1..99: NAME_1X, NAME_01, NAME_A */
    for (size_t i = 0; i < NKNOWN; i++) {
        size_t kl = strlen(known[i].name);

        if (known[i].numbered && len > kl + 1 && !strncmp(name, known[i].name, kl) &&
            name[kl] == '_') {
            snprintf(looks_like, n, "%s_N (N from 1 to 99)", known[i].name);
            return 1;
        }
    }
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
        if (!strcasecmp(name, aliases[i].name)) {
            snprintf(looks_like, n, "%s", aliases[i].meant);
            return 1;
        }
    }
    if (suffix) {
        memcpy(base, name, baselen);
        base[baselen] = '\0';
    }
    for (size_t i = 0; i < NKNOWN; i++) {
        int score = likeness(name, known[i].name);

        if (score && (!best || score < best)) {
            best = score;
            snprintf(looks_like, n, "%s", known[i].name);
        }
        if (!suffix || !known[i].numbered)
            continue;
        score = likeness(base, known[i].name);
        if (score && (!best || score < best)) {
            best = score;
            snprintf(looks_like, n, "%s%s", known[i].name, suffix);
        }
    }
    return best != 0;
}

int rd_env_check(char *const *envp,
                 void (*report)(void *ctx, const char *name, const char *looks_like), void *ctx)
{
    int found = 0;

    for (size_t i = 0; envp && envp[i]; i++) {
        const char *eq = strchr(envp[i], '=');
        size_t len = eq ? (size_t)(eq - envp[i]) : strlen(envp[i]);
        char name[NAME_MAX_LEN], looks_like[NAME_MAX_LEN + 8];

        if (len == 0 || len >= sizeof name)
            continue;
        memcpy(name, envp[i], len);
        name[len] = '\0';
        if (!suspect(name, looks_like, sizeof looks_like))
            continue;
        found++;
        if (report)
            report(ctx, name, looks_like);
    }
    return found;
}
