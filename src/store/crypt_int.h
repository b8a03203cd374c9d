/*
 * crypt_int.h - rd_crypt_seal with the caller's nonce, so that tests can
 * check known answers (crypt.c); not public API. Everything else seals with
 * a random nonce: a nonce used twice under one key gives GCM away.
 */
#ifndef RISKDESK_CRYPT_INT_H
#define RISKDESK_CRYPT_INT_H

#include "riskdesk/crypt.h"

int rd_crypt_seal_nonce(const struct rd_encryption_key *key, const char *aad,
                        const unsigned char nonce[RD_CRYPT_NONCE_LEN], const void *plain,
                        size_t n, char *out, size_t cap, struct rd_error *err);

#endif
