/*
 * market_feed.h - the market's VIX feed as the gates see it.
 */
#ifndef RISKDESK_MARKET_FEED_H
#define RISKDESK_MARKET_FEED_H

#include <stdint.h>

#include "riskdesk/config.h"
#include "riskdesk/gates.h"

/*
 * Reads cfg's VIX feed (market.vix_feed, "file:PATH") as of now into m:
 * RD_FEED_NONE without a feed; RD_FEED_ERROR when it cannot be read or holds
 * no level >= 0 (logged, market.feed_error); else RD_FEED_OK with the level
 * and when it was written (the file's mtime). A level older than
 * market.vix_max_age_seconds is logged (market.feed_stale); the regime gate
 * refuses it (rd_market_feed_stale).
 */
void rd_market_feed_read(const struct rd_config *cfg, int64_t now, struct rd_market_view *m);

#endif
