/*
 * fuzz_crypt_open - rd_crypt_open on arbitrary bytes: a sealed value as it
 * comes back from a database column (crypt.h). Under a fixed key nothing
 * but riskdesk's own sealing opens, so whatever opens must seal again to a
 * text that opens to the same bytes; whatever does not must say why with
 * RD_EINVAL (not the sealed form) or RD_EAUTH (does not open), naming the
 * place, and leave no plain text behind.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/crypt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define AAD "ledger_entries/7:g1:available/amount"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rd_encryption_key k;
    struct rd_error err = {0};
    unsigned char plain[256], again[256];
    char text[RD_CRYPT_TEXT_LEN(sizeof plain)];
    size_t n = 0, m = 0;
    int rc;

    for (int i = 0; i < RD_ENCRYPTION_KEY_LEN; i++)
        k.bytes[i] = (unsigned char)i;
    memset(plain, 0xA5, sizeof plain);
    rc = rd_crypt_open(&k, AAD, (const char *)data, size, plain, sizeof plain, &n, &err);
    if (rc != RD_OK) {
        if ((rc != RD_EINVAL && rc != RD_EAUTH && rc != RD_ETOOBIG) || !strstr(err.msg, AAD))
            abort();
        for (size_t i = 0; i < sizeof plain; i++)
            if (rc == RD_EAUTH && plain[i] != 0 && plain[i] != 0xA5)
                abort();
        return 0;
    }
    if (!rd_crypt_is_sealed((const char *)data, size) || n > sizeof plain)
        abort();
    if (rd_crypt_seal(&k, AAD, plain, n, text, sizeof text, &err) != RD_OK ||
        rd_crypt_open(&k, AAD, text, strlen(text), again, sizeof again, &m, &err) != RD_OK ||
        m != n || memcmp(plain, again, n) != 0)
        abort();
    return 0;
}
