/*
 * crypt.c - values sealed with AES-256-GCM for storage (crypt.h).
 *
 * Layout of a sealed value before base64: version (1) | nonce (12) |
 * ciphertext (as long as the plain text) | tag (16). The version byte is
 * authenticated as part of the associated data, after aad itself.
 */
#include "store/crypt_int.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "riskdesk/alloc.h"
#include "riskdesk/banned.h"

#define VERSION 1
#define PREFIX_LEN (sizeof RD_CRYPT_PREFIX - 1)
#define OVERHEAD (1 + RD_CRYPT_NONCE_LEN + RD_CRYPT_TAG_LEN)
#define RAW_MAX (OVERHEAD + RD_CRYPT_PLAIN_MAX)
#define B64_MAX (4 * ((RAW_MAX + 2) / 3))

int rd_crypt_aad(char *aad, const char *table, const char *row, const char *column,
                 struct rd_error *err)
{
    int w = snprintf(aad, RD_CRYPT_AAD_MAX, "%s/%s/%s", table, row, column);

    if (w < 0 || w >= RD_CRYPT_AAD_MAX)
        return rd_error_set(err, RD_EINVAL, "%s %.64s: %s: the row's name is too long to seal "
                            "a value with (at most %d characters in all)", table, row, column,
                            RD_CRYPT_AAD_MAX - 1);
    return RD_OK;
}

int rd_crypt_is_sealed(const char *text, size_t len)
{
    return len >= PREFIX_LEN && !memcmp(text, RD_CRYPT_PREFIX, PREFIX_LEN);
}

/* One GCM pass: encrypt (enc 1) or decrypt in[0..n) to out, with aad and the
 * version byte as associated data; the tag is written (enc) or checked. 0 or -1. */
static int gcm(int enc, const struct rd_encryption_key *key, const char *aad,
               const unsigned char *nonce, const unsigned char *in, size_t n, unsigned char *out,
               unsigned char *tag)
{
    static const unsigned char version = VERSION;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int len = 0, ok;

    ok = ctx && EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, RD_CRYPT_NONCE_LEN, NULL) == 1 &&
         EVP_CipherInit_ex(ctx, NULL, NULL, key->bytes, nonce, enc) == 1 &&
         EVP_CipherUpdate(ctx, NULL, &len, (const unsigned char *)aad, (int)strlen(aad)) == 1 &&
         EVP_CipherUpdate(ctx, NULL, &len, &version, 1) == 1 &&
         (n == 0 || EVP_CipherUpdate(ctx, out, &len, in, (int)n) == 1);
    if (ok && !enc)
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, RD_CRYPT_TAG_LEN, tag) == 1;
    ok = ok && EVP_CipherFinal_ex(ctx, out + n, &len) == 1;
    if (ok && enc)
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, RD_CRYPT_TAG_LEN, tag) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok ? 0 : -1;
}

int rd_crypt_seal_nonce(const struct rd_encryption_key *key, const char *aad,
                        const unsigned char nonce[RD_CRYPT_NONCE_LEN], const void *plain,
                        size_t n, char *out, size_t cap, struct rd_error *err)
{
    unsigned char *raw;
    int rc = RD_OK;

    if (n > RD_CRYPT_PLAIN_MAX || cap < RD_CRYPT_TEXT_LEN(n))
        return rd_error_set(err, RD_ETOOBIG, "%s: %zu bytes to seal into %zu characters; at most "
                            "%d bytes, into %zu", aad, n, cap, RD_CRYPT_PLAIN_MAX,
                            (size_t)RD_CRYPT_TEXT_LEN(n));
    raw = rd_malloc(OVERHEAD + n);
    if (!raw)
        return rd_error_set(err, RD_ENOMEM, "%s: out of memory sealing %zu bytes", aad, n);
    raw[0] = VERSION;
    memcpy(raw + 1, nonce, RD_CRYPT_NONCE_LEN);
    if (gcm(1, key, aad, nonce, plain, n, raw + 1 + RD_CRYPT_NONCE_LEN,
            raw + 1 + RD_CRYPT_NONCE_LEN + n)) {
        rc = rd_error_set(err, RD_EINTERNAL, "%s: AES-256-GCM failed to seal", aad);
        goto out;
    }
    memcpy(out, RD_CRYPT_PREFIX, PREFIX_LEN);
    EVP_EncodeBlock((unsigned char *)out + PREFIX_LEN, raw, (int)(OVERHEAD + n));
out:
    explicit_bzero(raw, OVERHEAD + n);
    rd_free(raw);
    return rc;
}

int rd_crypt_seal(const struct rd_encryption_key *key, const char *aad, const void *plain,
                  size_t n, char *out, size_t cap, struct rd_error *err)
{
    unsigned char nonce[RD_CRYPT_NONCE_LEN];

    if (RAND_bytes(nonce, sizeof nonce) != 1)
        return rd_error_set(err, RD_EINTERNAL, "%s: no random nonce from OpenSSL", aad);
    return rd_crypt_seal_nonce(key, aad, nonce, plain, n, out, cap, err);
}

static int b64_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '+' || c == '/';
}

/* The raw bytes of a sealed text; -1 when it is not the form rd_crypt_seal writes. */
static long decode(const char *text, size_t len, unsigned char *raw)
{
    const unsigned char *b = (const unsigned char *)text + PREFIX_LEN;
    size_t n, pad = 0;
    int got;

    if (!rd_crypt_is_sealed(text, len))
        return -1;
    n = len - PREFIX_LEN;
    if (n == 0 || n % 4 || n > B64_MAX)
        return -1;
    while (pad < 2 && b[n - 1 - pad] == '=')
        pad++;
    for (size_t i = 0; i < n - pad; i++)
        if (!b64_char(b[i]))
            return -1;
    got = EVP_DecodeBlock(raw, b, (int)n);
    if (got < 0 || (size_t)got < pad)
        return -1;
    return (long)((size_t)got - pad);
}

int rd_crypt_open(const struct rd_encryption_key *key, const char *aad, const char *text,
                  size_t len, void *plain, size_t cap, size_t *n, struct rd_error *err)
{
    size_t room = len / 4 * 3 + 3;
    unsigned char *raw = len <= PREFIX_LEN + B64_MAX ? rd_malloc(room) : NULL;
    long got = raw ? decode(text, len, raw) : -1;
    size_t m;
    int rc = RD_OK;

    if (!raw && len <= PREFIX_LEN + B64_MAX)
        return rd_error_set(err, RD_ENOMEM, "%s: out of memory opening %zu characters", aad, len);
    if (got < (long)OVERHEAD || raw[0] != VERSION) {
        rc = rd_error_set(err, RD_EINVAL, "%s: not a value riskdesk sealed (expected %s and "
                          "base64 of version 1, nonce, ciphertext and tag)", aad,
                          RD_CRYPT_PREFIX);
        goto out;
    }
    m = (size_t)got - OVERHEAD;
    if (m > cap) {
        rc = rd_error_set(err, RD_ETOOBIG, "%s: the sealed value holds %zu bytes; room for %zu",
                          aad, m, cap);
        goto out;
    }
    if (gcm(0, key, aad, raw + 1, raw + 1 + RD_CRYPT_NONCE_LEN, m, plain,
            raw + 1 + RD_CRYPT_NONCE_LEN + m)) {
        explicit_bzero(plain, m);
        rc = rd_error_set(err, RD_EAUTH, "%s: the value does not open with this key: another "
                          "key sealed it, or it was changed or moved from another row or column",
                          aad);
    } else {
        *n = m;
    }
out:
    rd_free(raw);
    return rc;
}
