/*
 * crypt.h - values sealed for storage with AES-256-GCM (OpenSSL), for the
 * amounts that reveal a client's wealth (docs/operations.md, "Security").
 *
 * Ownership: every buffer is the caller's; nothing here allocates.
 *
 * A sealed value is text, so it fits any column: "enc1:" then the base64 of
 * a version byte (1), a 12-byte random nonce, the ciphertext and the 16-byte
 * tag. The associated data names where the value is kept, "TABLE/ROW/COLUMN"
 * (rd_crypt_aad): copied to another row or column it no longer opens. The
 * store seals amounts as 8 bytes each (store_key.c), so every amount's text
 * has one length.
 */
#ifndef RISKDESK_CRYPT_H
#define RISKDESK_CRYPT_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/config.h"
#include "riskdesk/error.h"

#define RD_CRYPT_PREFIX "enc1:"
#define RD_CRYPT_NONCE_LEN 12
#define RD_CRYPT_TAG_LEN 16
#define RD_CRYPT_PLAIN_MAX (4 << 20)     /* the longest value sealed: a kv document */
/* The text of a sealed value of n plain bytes, with its NUL. */
#define RD_CRYPT_TEXT_LEN(n) (sizeof RD_CRYPT_PREFIX - 1 + \
                              4 * ((1 + RD_CRYPT_NONCE_LEN + (n) + RD_CRYPT_TAG_LEN + 2) / 3) + 1)
#define RD_CRYPT_AAD_MAX 256

/* "table/row/column" into aad[RD_CRYPT_AAD_MAX]; RD_EINVAL when it does not fit. */
int rd_crypt_aad(char *aad, const char *table, const char *row, const char *column,
                 struct rd_error *err);

/* Whether text[0..len) has the sealed form's prefix (it may still not open). */
int rd_crypt_is_sealed(const char *text, size_t len);

/* Seals plain[0..n) (n <= RD_CRYPT_PLAIN_MAX) under key and aad into out[0..cap)
 * (RD_CRYPT_TEXT_LEN(n) is enough; RD_ETOOBIG otherwise). */
int rd_crypt_seal(const struct rd_encryption_key *key, const char *aad, const void *plain,
                  size_t n, char *out, size_t cap, struct rd_error *err);
/* Opens a sealed text into plain[0..cap), *n its length. RD_EINVAL naming aad
 * when the text is not a sealed value's form; RD_EAUTH naming aad when it
 * does not open: another key, another place (aad), or changed. */
int rd_crypt_open(const struct rd_encryption_key *key, const char *aad, const char *text,
                  size_t len, void *plain, size_t cap, size_t *n, struct rd_error *err);

#endif
