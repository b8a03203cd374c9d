#include "riskdesk/demo.h"

#include <stdio.h>
#include <string.h>

#include "riskdesk/calendar.h"
#include "riskdesk/banned.h"

static const struct {
    const char *ticker;
    int64_t price_dollars;
} underlyings[] = {
    {"AAPL", 230}, {"MSFT", 420}, {"NVDA", 140}, {"SPY", 590},
    {"TSLA", 250}, {"AMD", 150},  {"META", 560}, {"QQQ", 505},
};
#define NUNDERLYINGS (sizeof underlyings / sizeof underlyings[0])

static uint64_t next(struct rd_demo_feed *f)
{
    uint64_t z = (f->state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform integer in [lo, hi]. */
static int64_t uniform(struct rd_demo_feed *f, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(next(f) % (uint64_t)(hi - lo + 1));
}

void rd_demo_feed_init(struct rd_demo_feed *f, uint64_t seed)
{
    f->state = seed ^ 0x5deece66dULL;
    f->seq = 0;
}

void rd_demo_feed_next(struct rd_demo_feed *f, int64_t now, struct rd_rec *r)
{
    size_t u = (size_t)uniform(f, 0, NUNDERLYINGS - 1);
    int call = (int)uniform(f, 0, 1);
    int64_t strike = underlyings[u].price_dollars + 5 * uniform(f, -3, 3);
    struct rd_local_time lt;
    int y, m, d;

    memset(r, 0, sizeof *r);
    f->seq++;
    snprintf(r->id, sizeof r->id, "demo-%06lld", (long long)f->seq);
    r->created_at = now;
    snprintf(r->underlying, sizeof r->underlying, "%s", underlyings[u].ticker);
    rd_et_from_utc(now, &lt);
    rd_date_to_ymd(lt.day + 35, &y, &m, &d);
    snprintf(r->symbol, sizeof r->symbol, "%s%02d%02d%02d%c%08lld", underlyings[u].ticker, y % 100,
             m, d, call ? 'C' : 'P', (long long)(strike * 1000));
    r->action = call ? RD_ACT_BUY_CALL : RD_ACT_BUY_PUT;
    r->strategy = uniform(f, 0, 2) == 0 ? RD_STRAT_DAY : RD_STRAT_SWING;
    r->confidence = uniform(f, 300, 950) * 1000;
    r->volume_ratio = uniform(f, 80, 350) * 10000;
    r->price = uniform(f, 30, 600) * 100;           /* $0.30 to $6.00 premium per share */
}
