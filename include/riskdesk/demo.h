/*
 * demo.h - the demo's stream of recommendations: a seeded generator of
 * plausible option signals on a handful of large-cap underlyings.
 * Pure; the caller owns the state and the output.
 */
#ifndef RISKDESK_DEMO_H
#define RISKDESK_DEMO_H

#include <stdint.h>

#include "riskdesk/rec.h"

struct rd_demo_feed {
    uint64_t state;     /* PRNG state; set by rd_demo_feed_init */
    int64_t seq;        /* recommendations made so far */
};

void rd_demo_feed_init(struct rd_demo_feed *f, uint64_t seed);
/* The next recommendation, created at `now`: calls and puts about 35 days out,
 * premiums $0.30-$6, confidence 0.30-0.95, volume ratio 0.8-3.5, day or swing. */
void rd_demo_feed_next(struct rd_demo_feed *f, int64_t now, struct rd_rec *out);

#endif
