/*
 * traders_cli.h - what the traders commands share: the config (optional for
 * them) and the store, bad-row messages, and a progress bar on a terminal.
 */
#ifndef RISKDESK_TRADERS_CLI_H
#define RISKDESK_TRADERS_CLI_H

#include <stdint.h>

#include "riskdesk/config.h"
#include "riskdesk/store.h"
#include "riskdesk/traders_config.h"

#define TRADERS_SHOW_BAD_MAX 50

struct traders_env {
    struct rd_config *cfg;          /* NULL when no config file was found and --db was given */
    struct rd_store *store;         /* NULL unless asked for */
    struct rd_traders_config tc;    /* the config's "traders", or the defaults */
    char db[512];                   /* the store URL used */
};

/*
 * Loads the config (--config PATH, $RISKDESK_CONFIG or ./riskdesk.json) and
 * opens the store: --db URL first, else the config's database. Without a
 * config file, --db (or $RISKDESK_DATABASE_URL) is enough: the traders'
 * settings are then the defaults.
 */
int traders_open(const char *config_path, const char *db, int want_store, struct traders_env *env,
                 struct rd_error *err);
/* Opens env->db after traders_open(..., want_store = 0, ...); on failure
 * env is left as it was (the caller still closes it). */
int traders_open_store(struct traders_env *env, struct rd_error *err);
void traders_close(struct traders_env *env);

/* Bad rows on stderr as FILE:LINE: why, at most TRADERS_SHOW_BAD_MAX. */
struct traders_bad {
    long shown;
};
void traders_on_bad(void *ctx, const char *path, long line, const char *why);

/* A progress bar on stderr when it is a terminal and total >= min_bytes. */
struct traders_progress {
    int on;
    const char *label;
    double last;                   /* monotonic s of the last draw */
    double start;
    int drawn;
};
void traders_progress_init(struct traders_progress *p, const char *label, uint64_t total,
                           uint64_t min_bytes);
void traders_progress(void *ctx, const char *phase, uint64_t done, uint64_t total);
void traders_progress_end(struct traders_progress *p);

/* Today as a day number (local time), for --date defaults. */
int32_t traders_today(void);

#endif
