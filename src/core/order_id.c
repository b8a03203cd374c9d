#include "riskdesk/order_id.h"

#include <stdio.h>
#include <string.h>

#include "riskdesk/banned.h"

/* Two independent 64-bit FNV-1a lanes with different offsets, each finished
 * with a splitmix64 mix; fields are length-prefixed so ("ab","c") != ("a","bc"). */
struct hash128 {
    uint64_t a, b;
};

static void feed(struct hash128 *h, const void *p, size_t n)
{
    const unsigned char *s = p;

    for (size_t i = 0; i < n; i++) {
        h->a = (h->a ^ s[i]) * 0x100000001b3ULL;
        h->b = (h->b ^ s[i]) * 0x100000001b3ULL;
        h->b ^= h->b >> 29;
    }
}

static void feed_field(struct hash128 *h, const char *s)
{
    uint32_t n = (uint32_t)strlen(s);
    unsigned char len[4] = {(unsigned char)n, (unsigned char)(n >> 8), (unsigned char)(n >> 16),
                            (unsigned char)(n >> 24)};

    feed(h, len, sizeof len);
    feed(h, s, n);
}

static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void finish(struct hash128 *h, char out[RD_CLIENT_ORDER_ID_SIZE])
{
    snprintf(out, RD_CLIENT_ORDER_ID_SIZE, "rd-%016llx%016llx", (unsigned long long)mix(h->a),
             (unsigned long long)mix(h->b ^ h->a));
}

static void start(struct hash128 *h)
{
    h->a = 0xcbf29ce484222325ULL;
    h->b = 0x84222325cbf29ce4ULL;
}

void rd_client_order_id_entry(const char *account, const char *rec_id,
                              char out[RD_CLIENT_ORDER_ID_SIZE])
{
    struct hash128 h;

    start(&h);
    feed_field(&h, "entry");
    feed_field(&h, account);
    feed_field(&h, rec_id);
    finish(&h, out);
}

/* An exit's fields after its kind and account: the position's symbol and
 * when it opened, and the attempt from the second on (the first keeps the
 * original id). */
static void feed_position(struct hash128 *h, const char *symbol, int64_t opened_at, int attempt)
{
    char when[24], nth[16];

    snprintf(when, sizeof when, "%lld", (long long)opened_at);
    feed_field(h, symbol);
    feed_field(h, when);
    if (attempt > 0) {
        snprintf(nth, sizeof nth, "%d", attempt);
        feed_field(h, nth);
    }
}

void rd_client_order_id_exit(const char *account, const char *symbol, int64_t opened_at,
                             int attempt, char out[RD_CLIENT_ORDER_ID_SIZE])
{
    struct hash128 h;

    start(&h);
    feed_field(&h, "exit");
    feed_field(&h, account);
    feed_position(&h, symbol, opened_at, attempt);
    finish(&h, out);
}

void rd_client_order_id_op_exit(const char *account, int64_t op, const char *symbol,
                                int64_t opened_at, int attempt,
                                char out[RD_CLIENT_ORDER_ID_SIZE])
{
    struct hash128 h;
    char id[24];

    snprintf(id, sizeof id, "%lld", (long long)op);
    start(&h);
    feed_field(&h, "op-exit");
    feed_field(&h, account);
    feed_field(&h, id);
    feed_position(&h, symbol, opened_at, attempt);
    finish(&h, out);
}
