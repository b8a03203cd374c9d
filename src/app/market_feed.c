/*
 * market_feed.c - the market's VIX feed (market.vix_feed), read where a level
 * is needed: each dispatcher cycle (the regime gate) and a fork's market
 * factor. See market_feed.h.
 */
#include "riskdesk/market_feed.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "riskdesk/log.h"
#include "riskdesk/money.h"
#include "riskdesk/banned.h"

void rd_market_feed_read(const struct rd_config *cfg, int64_t now, struct rd_market_view *m)
{
    const char *src = cfg->vix_feed;
    char text[64];
    size_t n;
    FILE *f;
    struct stat sb;
    struct rd_error e = {0};
    struct rd_logline l;
    int64_t age;

    m->feed = RD_FEED_NONE;
    m->vix = 0;
    m->vix_at = 0;
    m->vix_max_age = cfg->vix_max_age_s;
    if (!src[0])
        return;
    m->feed = RD_FEED_ERROR;
    if (strncmp(src, "file:", 5) != 0)
        return;
    f = fopen(src + 5, "r");
    if (!f || fstat(fileno(f), &sb) != 0) {
        rd_log_begin(&l, RD_LOG_WARN, "market.feed_error");
        rd_log_str(&l, "feed", src);
        rd_log_str(&l, "error", strerror(errno));
        rd_log_end(&l);
        if (f)
            fclose(f);
        return;
    }
    n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
        n--;
    if (rd_ppm_parse(text, n, &m->vix, &e) == RD_OK && m->vix < 0)
        rd_error_set(&e, RD_EINVAL, "a VIX level below 0; expected one level >= 0");
    if (e.code != RD_OK) {
        rd_log_begin(&l, RD_LOG_WARN, "market.feed_error");
        rd_log_str(&l, "feed", src);
        rd_log_str(&l, "error", e.msg);
        rd_log_end(&l);
        return;
    }
    m->feed = RD_FEED_OK;
    m->vix_at = (int64_t)sb.st_mtime;
    if (rd_market_feed_stale(m, now, &age)) {
        rd_log_begin(&l, RD_LOG_WARN, "market.feed_stale");
        rd_log_str(&l, "feed", src);
        rd_log_int(&l, "age_seconds", age);
        rd_log_int(&l, "max_age_seconds", m->vix_max_age);
        rd_log_end(&l);
    }
}
