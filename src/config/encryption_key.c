/*
 * encryption_key.c - "encryption.key": the 32-byte key that seals amounts at
 * rest (config.h, crypt.h), read from its source as 64 hex digits.
 *
 * The key goes into the caller's struct rd_encryption_key and nowhere else:
 * never into a message; the stack copies of its text are wiped.
 */
#include "riskdesk/config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_int.h"
#include "config/config_sources.h"
#include "riskdesk/banned.h"

#define KEY_HEX (2 * RD_ENCRYPTION_KEY_LEN)
#define KEY_TEXT_MAX 256    /* a file or secret: the digits and some white space */

int rd_encryption_key_spec_ok(const char *spec)
{
    return (!strncmp(spec, "env:", 4) && spec[4]) || (!strncmp(spec, "file:", 5) && spec[5]) ||
           (!strncmp(spec, "secretsmanager:", 15) && spec[15]);
}

void rd_encryption_key_wipe(struct rd_encryption_key *k)
{
    if (k)
        explicit_bzero(k, sizeof *k);
}

static int hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The key from its text: 64 hex digits, white space around them ignored. */
static int from_hex(const char *text, const char *spec, struct rd_encryption_key *out,
                    struct rd_error *err)
{
    size_t len;

    while (isspace((unsigned char)*text))
        text++;
    len = strlen(text);
    while (len > 0 && isspace((unsigned char)text[len - 1]))
        len--;
    if (len != KEY_HEX)
        return rd_error_set(err, RD_ECONFIG, "encryption.key (%s): the key is %zu characters; "
                            "expected %d hex digits (32 random bytes: openssl rand -hex 32)",
                            spec, len, KEY_HEX);
    for (size_t i = 0; i < RD_ENCRYPTION_KEY_LEN; i++) {
        int hi = hex_value((unsigned char)text[2 * i]);
        int lo = hex_value((unsigned char)text[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            rd_encryption_key_wipe(out);
            return rd_error_set(err, RD_ECONFIG, "encryption.key (%s): character %zu of the key "
                                "is not a hex digit; expected %d of 0-9, a-f", spec,
                                hi < 0 ? 2 * i + 1 : 2 * i + 2, KEY_HEX);
        }
        out->bytes[i] = (unsigned char)(hi << 4 | lo);
    }
    return RD_OK;
}

int rd_encryption_key_resolve(const char *spec, struct rd_encryption_key *out,
                              struct rd_error *err)
{
    char text[KEY_TEXT_MAX];
    size_t len = 0;
    int rc = RD_OK;

    memset(out, 0, sizeof *out);
    if (!spec || !rd_encryption_key_spec_ok(spec))
        return rd_error_set(err, RD_ECONFIG, "encryption.key: not a key source (value not "
                            "shown: it may be the key itself); expected \"env:NAME\", "
                            "\"file:PATH\" or \"secretsmanager:ID\"");
    if (spec[0] == 'e') {
        const char *v = getenv(spec + 4);

        if (!v || !v[0])
            return rd_error_set(err, RD_ECONFIG, "encryption.key (%s): %s is not set", spec,
                                spec + 4);
        if (strlen(v) >= sizeof text)
            return rd_error_set(err, RD_ECONFIG, "encryption.key (%s): the key is %zu "
                                "characters; expected %d hex digits", spec, strlen(v), KEY_HEX);
        memcpy(text, v, strlen(v) + 1);
    } else if (spec[0] == 'f') {
        rc = rd_cfg_read_secret_file(spec + 5, text, sizeof text, &len, err);
        if (rc == RD_OK)
            text[len] = '\0';
    } else {
        rc = rd_cfg_secret_text(spec + 15, text, sizeof text, err);
    }
    if (rc)
        rd_error_prefix(err, "encryption.key (%s)", spec);
    else
        rc = from_hex(text, spec, out, err);
    explicit_bzero(text, sizeof text);
    return rc;
}
