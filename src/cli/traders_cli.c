#include "cli/traders_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "riskdesk/calendar.h"
#include "riskdesk/banned.h"

int traders_open(const char *config_path, const char *db, int want_store, struct traders_env *env,
                 struct rd_error *err)
{
    const char *url;
    int rc;

    memset(env, 0, sizeof *env);
    rd_traders_config_init(&env->tc);
    rc = rd_config_load_default(config_path, &env->cfg, err);
    if (rc == RD_ENOTFOUND && !config_path && ((db && *db) || getenv("RISKDESK_DATABASE_URL"))) {
        rd_error_clear(err);
        env->cfg = NULL;
    } else if (rc != RD_OK) {
        return rc;
    } else {
        env->tc = env->cfg->traders;
    }
    url = db && *db ? db : env->cfg ? env->cfg->database : getenv("RISKDESK_DATABASE_URL");
    snprintf(env->db, sizeof env->db, "%s", url ? url : "");
    if (!want_store)
        return RD_OK;
    rc = traders_open_store(env, err);
    if (rc != RD_OK)
        traders_close(env);
    return rc;
}

int traders_open_store(struct traders_env *env, struct rd_error *err)
{
    int rc;

    if (env->cfg)
        return rd_store_open_config(env->db, env->cfg, &env->store, err);
    /* without a config, the key's source is $RISKDESK_ENCRYPTION_KEY alone */
    rc = rd_store_open_key_source(env->db, getenv("RISKDESK_ENCRYPTION_KEY"), &env->store, err);
    if (rc == RD_ECONFIG)
        rd_error_prefix(err, "RISKDESK_ENCRYPTION_KEY");
    return rc;
}

void traders_close(struct traders_env *env)
{
    if (env->store)
        rd_store_close(env->store);
    rd_config_free(env->cfg);
    memset(env, 0, sizeof *env);
}

void traders_on_bad(void *ctx, const char *path, long line, const char *why)
{
    struct traders_bad *b = ctx;

    if (b->shown++ < TRADERS_SHOW_BAD_MAX)
        fprintf(stderr, "%s:%ld: %s\n", path, line, why);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void traders_progress_init(struct traders_progress *p, const char *label, uint64_t total,
                           uint64_t min_bytes)
{
    memset(p, 0, sizeof *p);
    p->label = label;
    p->on = isatty(2) && total >= min_bytes;
    p->start = now_s();
}

void traders_progress(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
    struct traders_progress *p = ctx;
    double t, frac;
    char bar[31];
    int fill;

    if (!p->on || !total)
        return;
    t = now_s();
    if (done < total && t - p->last < 0.1)
        return;
    p->last = t;
    frac = (double)done / (double)total;
    if (frac > 1)
        frac = 1;
    fill = (int)(frac * 30);
    memset(bar, '#', (size_t)fill);
    memset(bar + fill, '.', (size_t)(30 - fill));
    bar[30] = '\0';
    if (!strcmp(phase, "read"))
        fprintf(stderr, "\r%-24.24s reading [%s] %3.0f%%  %llu/%llu MB  ", p->label, bar,
                100 * frac, (unsigned long long)(done >> 20), (unsigned long long)(total >> 20));
    else
        fprintf(stderr, "\r%-24.24s storing [%s] %3.0f%%  %llu/%llu rows  ", p->label, bar,
                100 * frac, (unsigned long long)done, (unsigned long long)total);
    p->drawn = 1;
}

void traders_progress_end(struct traders_progress *p)
{
    if (p->drawn)
        fprintf(stderr, "\r%*s\r", 100, "");
    p->drawn = 0;
}

int32_t traders_today(void)
{
    time_t now = time(NULL);
    struct tm tmv;

    localtime_r(&now, &tmv);
    return rd_date_from_ymd(tmv.tm_year + 1900, tmv.tm_mon + 1, tmv.tm_mday);
}
