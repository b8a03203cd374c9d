/*
 * paper_market.c - the paper broker's seeded random walk (see paper_market.h
 * and docs/paper-broker.md). Integers only: the same seed gives the same prices
 * on every machine, compiler and optimisation level.
 */
#include "riskdesk/paper_market.h"

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/banned.h"

__extension__ typedef __int128 i128;

#define GOLDEN 0x9e3779b97f4a7c15ULL
#define UNIFORM_BITS 16
#define UNIFORM_COUNT 12
/* Mean of the sum of 12 uniforms on 0..65535; the sum's variance is about 65536^2. */
#define SUM_MEAN (UNIFORM_COUNT * 65535 / 2)
#define SUM_SCALE 65536

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A key per (seed, symbol); minute m reads splitmix64 outputs 3m .. 3m+2 of it. */
static uint64_t walk_key(const struct rd_paper_walk *w)
{
    return mix64(w->seed ^ mix64(w->symbol_hash + GOLDEN));
}

/* The centred Irwin-Hall sum of minute m, scaled by SUM_SCALE: z x 65536. */
static int64_t draw_scaled(const struct rd_paper_walk *w, int64_t minute)
{
    uint64_t key = walk_key(w);
    uint64_t pos = (uint64_t)minute * 3u;
    int64_t sum = 0;

    for (unsigned i = 0; i < 3; i++) {
        uint64_t r = mix64(key + (pos + i + 1) * GOLDEN);

        for (unsigned j = 0; j < 64 / UNIFORM_BITS; j++)
            sum += (int64_t)((r >> (j * UNIFORM_BITS)) & 0xffffu);
    }
    return sum - SUM_MEAN;
}

static rd_money clamp_price(rd_money p)
{
    if (p < RD_PAPER_PRICE_MIN)
        return RD_PAPER_PRICE_MIN;
    if (p > RD_PAPER_PRICE_MAX)
        return RD_PAPER_PRICE_MAX;
    return p;
}

static int64_t clamp_sigma(int64_t s)
{
    if (s < 0)
        return 0;
    if (s > RD_PAPER_SIGMA_MAX_PPM)
        return RD_PAPER_SIGMA_MAX_PPM;
    return s;
}

/* num / den rounded half away from zero; den > 0. */
static i128 div_round(i128 num, i128 den)
{
    i128 q = num / den, r = num % den;

    if (r < 0)
        r = -r;
    if (2 * r >= den)
        q += num < 0 ? -1 : 1;
    return q;
}

int64_t rd_paper_sigma_for(int64_t multiplier)
{
    return multiplier > 1 ? RD_PAPER_SIGMA_OPTION_PPM : RD_PAPER_SIGMA_STOCK_PPM;
}

uint64_t rd_paper_symbol_hash(const char *symbol)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (const unsigned char *p = (const unsigned char *)symbol; p && *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return h;
}

void rd_paper_walk_init(struct rd_paper_walk *w, uint64_t seed, const char *symbol,
                        int64_t sigma_ppm)
{
    w->seed = seed;
    w->symbol_hash = rd_paper_symbol_hash(symbol);
    w->sigma_ppm = clamp_sigma(sigma_ppm);
}

int64_t rd_paper_draw_ppm(const struct rd_paper_walk *w, int64_t minute)
{
    return (int64_t)div_round((i128)draw_scaled(w, minute) * RD_PPM, SUM_SCALE);
}

rd_money rd_paper_step(const struct rd_paper_walk *w, rd_money price, int64_t minute)
{
    i128 num, delta;

    price = clamp_price(price);
    num = (i128)price * clamp_sigma(w->sigma_ppm) * draw_scaled(w, minute);
    delta = div_round(num, (i128)RD_PPM * SUM_SCALE);
    return clamp_price((rd_money)(price + delta));
}

rd_money rd_paper_advance(const struct rd_paper_walk *w, int64_t from, rd_money price, int64_t to)
{
    price = clamp_price(price);
    for (int64_t m = from; m < to; m++)
        price = rd_paper_step(w, price, m + 1);
    return price;
}

rd_money rd_paper_price_at(const struct rd_paper_walk *w, rd_money p0, int64_t m0, int64_t m)
{
    return rd_paper_advance(w, m0, p0, m);
}

rd_money rd_paper_quote(rd_money state)
{
    rd_money q = (clamp_price(state) + 50) / 100 * 100;

    return q < RD_PAPER_PRICE_MIN ? RD_PAPER_PRICE_MIN : q;
}

int64_t rd_paper_minute(int64_t unix_seconds)
{
    int64_t m = unix_seconds / 60;

    if (unix_seconds % 60 < 0)
        m--;
    return m;
}
