/*
 * SHA-256 for the audit chain: OpenSSL's (with the CPU's SHA instructions
 * where it has them: six times the rate of portable C on this project's
 * machines, docs/benchmarks.md). The streaming SHA256_* functions keep their
 * state in the caller's struct and allocate nothing, which EVP does not
 * promise; OpenSSL 3 calls them deprecated, not removed.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "riskdesk/audit_chain.h"

#include "riskdesk/banned.h"

void rd_sha256_init(struct rd_sha256 *c)
{
    SHA256_Init(&c->ctx);
}

void rd_sha256_update(struct rd_sha256 *c, const void *data, size_t n)
{
    SHA256_Update(&c->ctx, data, n);
}

void rd_sha256_final(struct rd_sha256 *c, unsigned char out[RD_SHA256_SIZE])
{
    SHA256_Final(out, &c->ctx);
}

void rd_sha256_final_hex(struct rd_sha256 *c, char out[RD_SHA256_HEX])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char d[RD_SHA256_SIZE];

    rd_sha256_final(c, d);
    for (int i = 0; i < RD_SHA256_SIZE; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[64] = '\0';
}

void rd_sha256_hex(const void *data, size_t n, char out[RD_SHA256_HEX])
{
    struct rd_sha256 c;

    rd_sha256_init(&c);
    rd_sha256_update(&c, data, n);
    rd_sha256_final_hex(&c, out);
}
