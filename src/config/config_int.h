/*
 * config_int.h - what the files of src/config share; not public API.
 *
 * Messages name the place of a value the way a user finds it:
 *   riskdesk.json: accounts[1] "tiny": risk.pdt.max_day_trades: 2.5; expected an integer
 * struct cfg_at carries the two halves: `where` (the file and account) and
 * `sect` (a dotted path inside that object, "" at its top).
 * Nothing here owns memory the caller must free unless it says so.
 */
#ifndef RISKDESK_CONFIG_INT_H
#define RISKDESK_CONFIG_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "riskdesk/buf.h"
#include "riskdesk/config.h"

#define CFG_FILE_MAX ((size_t)4 << 20)   /* config and risk files */
#define CFG_MAX_ACCOUNTS 65536        /* every node of the hierarchy is one, closed ones too */

struct cfg_at {
    const char *where;      /* "riskdesk.json: accounts[1] \"tiny\"" */
    const char *sect;       /* "risk.pdt", or "" */
};

/* --- config_json.c: typed getters, messages, "did you mean" --- */

/* Damerau (optimal string alignment) distance, ASCII case-insensitive. */
int rd_cfg_edit_distance(const char *a, const char *b);
/* The candidate closest to word within distance 2, or NULL. */
const char *rd_cfg_suggest(const char *word, const char *const *cands, size_t n);
/* "where: sect.key: <fmt>" into err, returning code. */
int rd_cfg_field_error(struct rd_error *err, int code, const struct cfg_at *at, const char *key,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* A short text for a JSON value in messages: 2.5, "abc", true, an object. */
void rd_cfg_describe(const json_t *v, char *buf, size_t n);
/* Fails on the first key of obj not in allowed, with a hint. */
int rd_cfg_check_keys(const json_t *obj, const char *const *allowed, size_t n,
                      const struct cfg_at *at, struct rd_error *err);

/* Getters: RD_OK leaving *out alone when key is absent; RD_ECONFIG on a bad value. */
int rd_cfg_get_money(const json_t *obj, const char *key, const struct cfg_at *at, rd_money *out,
                     struct rd_error *err);
int rd_cfg_get_ppm(const json_t *obj, const char *key, const struct cfg_at *at, int64_t *out,
                   struct rd_error *err);
int rd_cfg_get_int(const json_t *obj, const char *key, const struct cfg_at *at, int64_t min,
                   int64_t max, int64_t *out, struct rd_error *err);
int rd_cfg_get_int32(const json_t *obj, const char *key, const struct cfg_at *at, int32_t *out,
                     struct rd_error *err);
int rd_cfg_get_bool(const json_t *obj, const char *key, const struct cfg_at *at, int *out,
                    struct rd_error *err);
int rd_cfg_get_string(const json_t *obj, const char *key, const struct cfg_at *at, char *out,
                      size_t n, struct rd_error *err);
/* An object-valued key; *out is NULL when absent. */
int rd_cfg_get_object(const json_t *obj, const char *key, const struct cfg_at *at, json_t **out,
                      struct rd_error *err);

/* Parses JSON text (an object at the top); `what` names it in messages.
 * Syntax errors name line and column. With `quiet`, jansson's text (which may
 * quote the input) is left out: for files that hold secrets. */
int rd_cfg_parse_json(const char *text, size_t len, const char *what, int quiet, json_t **out,
                      struct rd_error *err);

/* --- config_risk.c --- */

/* Reads the keys of `section` ("" for a whole risk object, or "kelly") from obj
 * into r; each key read sets bit i of *set (i = its index in rd_risk_keys). */
int rd_cfg_parse_risk(const json_t *obj, const char *section, const struct cfg_at *at,
                      struct rd_risk_config *r, uint64_t *set, struct rd_error *err);
/* Copies the fields whose bits are in `set` from src to dst. */
void rd_cfg_risk_copy(struct rd_risk_config *dst, const struct rd_risk_config *src, uint64_t set);

/* --- config_names.c --- */

/* Orders cfg->by_name (replacing any); RD_ENOMEM when it cannot. */
int rd_cfg_index_names(struct rd_config *cfg);

/* --- config_load.c --- */

/* Reads a regular file of at most max bytes into out (NUL-terminated).
 * st (may be NULL) receives its status. Missing file: RD_ENOTFOUND. */
int rd_cfg_read_file(const char *path, size_t max, struct rd_buf *out, struct stat *st,
                     struct rd_error *err);
/* Reads a file that holds a secret into buf[0..cap), *len its length: RD_EAUTH
 * (saying `chmod 600 PATH`) when group or others have any access, RD_ETOOBIG
 * when it fills buf, RD_ENOTFOUND when missing (credentials.c). The caller
 * wipes buf. */
int rd_cfg_read_secret_file(const char *path, char *buf, size_t cap, size_t *len,
                            struct rd_error *err);
/* dir + "/" + path unless path is absolute or dir is empty. */
int rd_cfg_join_path(const char *dir, const char *path, char *out, size_t n);

/* --- config_parse.c: the document --- */

/* Builds a validated config from a parsed document. dir: where relative
 * "file:" sources live ("" = the current directory). */
int rd_cfg_build(const json_t *root, const char *origin, const char *dir, struct rd_config **out,
                 struct rd_error *err);

/* What building one config carries from the top level to each account. */
struct cfg_build {
    const char *origin;               /* names the config in messages */
    const char *dir;                  /* for relative "file:" sources */
    struct rd_config *cfg;            /* tiers parsed; accounts allocated */
    struct rd_risk_config kelly;      /* top-level "kelly" values ... */
    uint64_t kelly_set;               /* ... and which keys it set */
    json_t *names;                    /* while accounts are parsed: lower-cased name -> index */
};

/* --- config_env.c: accounts from ALPACA_PAPER_* when no file is found;
 * RD_ENOTFOUND when there are none --- */
int rd_cfg_load_env(struct rd_config **out, struct rd_error *err);

/* --- env_legacy.c: the original deployments' ALPACA_STARTING_CASH[_N] and
 * ALPACA_PAPER_ENABLED ---
 * rd_cfg_env_starting_cash: account n's (0 = primary) starting cash from
 * ALPACA_STARTING_CASH_N, else ALPACA_STARTING_CASH, copied to out with
 * *found = 1 (0 when neither is set); RD_ECONFIG naming the variable when it
 * is not dollars > 0.
 * rd_cfg_env_legacy: checked after any config load; RD_ECONFIG when
 * ALPACA_PAPER_ENABLED is not a boolean or is true with a live account;
 * warns (config.env_ignored) where either variable has no effect. */
int rd_cfg_env_starting_cash(int n, char *out, size_t cap, int *found, struct rd_error *err);
int rd_cfg_env_legacy(const struct rd_config *cfg, int starting_cash_used, struct rd_error *err);

/* --- config_account.c: one account --- */

/* Fills cfg->accounts[index] from a; earlier accounts are already filled. */
int rd_cfg_parse_account(struct cfg_build *b, const json_t *a, int index, struct rd_error *err);

/* --- config_traders.c: the "traders" section (defaults when absent) --- */
int rd_cfg_parse_traders(struct cfg_build *b, const json_t *root, struct rd_error *err);
/* "file:PATH" with PATH joined to the config's directory, into out. */
int rd_cfg_file_source(const struct cfg_build *b, const char *src, char *out, size_t n,
                       const struct cfg_at *at, const char *key, struct rd_error *err);

/* --- config_hierarchy.c: the "hierarchy" section (seed defaults when absent) --- */
int rd_cfg_parse_hierarchy(struct cfg_build *b, const json_t *root, struct rd_error *err);

/* --- config_perf.c: the "performance" section (defaults when absent) --- */
int rd_cfg_parse_perf(struct cfg_build *b, const json_t *root, struct rd_error *err);

/* --- config_services.c: "slack", "assignment", "health" --- */

int rd_cfg_parse_services(struct cfg_build *b, const json_t *root, struct rd_error *err);

#endif
