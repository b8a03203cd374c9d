/*
 * store_key.c - a handle's encryption key (store.h, rd_store_open_keyed):
 * checked against the value the store keeps sealed with the key it was first
 * used with, and applied to the amounts a backend reads and writes.
 */
#include "store/store_int.h"

#include <string.h>
#include <time.h>

#include "riskdesk/crypt.h"
#include "riskdesk/banned.h"

#define CHECK_AAD "store_key/1/check_value"
#define CHECK_TEXT "riskdesk encryption key check"
#define CHECK_MAX RD_CRYPT_TEXT_LEN(sizeof CHECK_TEXT)

static int maint_keyed(const struct rd_store *s)
{
    return s->ops->maint && s->ops->maint->version >= 3;
}

/* The check value sealed with key (for key_check_set and key_check_take). */
static int check_seal(const struct rd_encryption_key *key, char text[CHECK_MAX],
                      struct rd_error *err)
{
    return rd_crypt_seal(key, CHECK_AAD, CHECK_TEXT, sizeof CHECK_TEXT - 1, text, CHECK_MAX, err);
}

int rd_store_key_check_write(struct rd_store *s, const struct rd_encryption_key *key,
                             struct rd_error *err)
{
    char text[CHECK_MAX];
    int rc;

    if (!key)
        return s->ops->maint->key_check_set(s, NULL, 0, err);
    rc = check_seal(key, text, err);
    return rc ? rc : s->ops->maint->key_check_set(s, text, (int64_t)time(NULL), err);
}

/* Whether the stored check value text opens with key: RD_EAUTH if not. */
static int check_opens(const struct rd_encryption_key *key, const char *text, const char *shown,
                       struct rd_error *err)
{
    char plain[sizeof CHECK_TEXT];
    struct rd_error sub = {0};
    size_t n = 0;
    int rc = rd_crypt_open(key, CHECK_AAD, text, strlen(text), plain, sizeof plain, &n, &sub);

    if (rc || n != sizeof CHECK_TEXT - 1 || memcmp(plain, CHECK_TEXT, n))
        return rd_error_set(err, RD_EAUTH, "store %s: encryption.key is not the key its "
                            "amounts are sealed with (to change keys, run `riskdesk store "
                            "rekey --new-key SOURCE` with the old key configured)", shown);
    return RD_OK;
}

/* A store with nothing sealed yet takes key, unless another process took
 * another key meanwhile: the check value is written only where there is
 * none, then read back and checked. */
static int take(struct rd_store *s, const struct rd_encryption_key *key, const char *shown,
                struct rd_error *err)
{
    char text[CHECK_MAX];
    int rc = check_seal(key, text, err);

    if (rc == RD_OK)
        rc = s->ops->maint->key_check_take(s, text, (int64_t)time(NULL), err);
    if (rc == RD_OK)
        rc = s->ops->maint->key_check_get(s, text, sizeof text, err);
    if (rc == RD_ENOTFOUND)
        rc = rd_error_set(err, RD_ESTORE, "store %s: the key check value written is gone", shown);
    return rc ? rc : check_opens(key, text, shown, err);
}

int rd_store_key_use(struct rd_store *s, const struct rd_encryption_key *key, struct rd_error *err)
{
    char text[CHECK_MAX];
    char shown[256];
    int rc, yes = 0;

    rd_store_url_mask(s->url, shown, sizeof shown);
    if (!maint_keyed(s))
        return key ? rd_error_set(err, RD_EUNSUPPORTED, "store %s: the %s backend cannot seal "
                                  "amounts; leave encryption.key unset", shown, s->ops->name)
                   : RD_OK;
    rc = s->ops->maint->key_check_get(s, text, sizeof text, err);
    if (rc != RD_OK && rc != RD_ENOTFOUND)
        return rc;
    if (rc == RD_ENOTFOUND && !key)
        return RD_OK;
    if (rc == RD_OK && !key)
        return rd_error_set(err, RD_EAUTH, "store %s: its amounts are sealed with an encryption "
                            "key, and none is configured; set encryption.key (or "
                            "RISKDESK_ENCRYPTION_KEY) to the key's source", shown);
    if (rc == RD_OK) {
        rc = check_opens(key, text, shown, err);
    } else {
        rc = s->ops->maint->holds_amounts(s, &yes, err);
        if (rc == RD_OK && yes)
            rc = rd_error_set(err, RD_EINVAL, "store %s holds amounts in clear; to seal them, "
                              "run `riskdesk store rekey --new-key SOURCE` without "
                              "encryption.key set, then set encryption.key to SOURCE", shown);
        if (rc == RD_OK)
            rc = take(s, key, shown, err);
    }
    if (rc)
        return rc;
    s->key = *key;
    s->keyed = 1;
    return RD_OK;
}

int rd_store_rekey(struct rd_store *s, const struct rd_encryption_key *to, struct rd_error *err)
{
    int rc;

    if (!maint_keyed(s) || !s->ops->maint->reseal)
        return rd_error_set(err, RD_EUNSUPPORTED, "store: the %s backend cannot seal amounts",
                            s->ops->name);
    rc = s->ops->begin(s, err);
    if (rc)
        return rc;
    rc = s->ops->maint->reseal(s, to, err);
    if (rc == RD_OK)
        rc = rd_store_key_check_write(s, to, err);
    if (rc) {
        s->ops->rollback(s);
        return rc;
    }
    rc = s->ops->commit(s, err);
    if (rc == RD_OK) {
        s->keyed = to != NULL;
        if (to)
            s->key = *to;
        else
            explicit_bzero(&s->key, sizeof s->key);
    }
    return rc;
}

/* v[0..n) as 8 bytes each, big-endian, into b. */
static void pack(const int64_t *v, size_t n, unsigned char *b)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t u = (uint64_t)v[i];

        for (int j = 7; j >= 0; j--, u >>= 8)
            b[8 * i + (size_t)j] = (unsigned char)u;
    }
}

int rd_store_seal_amounts(const struct rd_encryption_key *key, const char *table, const char *row,
                          const char *column, const int64_t *v, size_t n, char *out, size_t cap,
                          struct rd_error *err)
{
    unsigned char b[8 * RD_STORE_SEALED_MAX];
    char aad[RD_CRYPT_AAD_MAX];
    int rc = n <= RD_STORE_SEALED_MAX ? rd_crypt_aad(aad, table, row, column, err)
                                      : rd_error_set(err, RD_EINTERNAL, "%s: %zu amounts to "
                                                     "seal", table, n);

    if (rc)
        return rc;
    pack(v, n, b);
    rc = rd_crypt_seal(key, aad, b, 8 * n, out, cap, err);
    explicit_bzero(b, sizeof b);
    return rc;
}

int rd_store_open_amounts(const struct rd_encryption_key *key, const char *table, const char *row,
                          const char *column, const char *text, int64_t *v, size_t n,
                          struct rd_error *err)
{
    unsigned char b[8 * RD_STORE_SEALED_MAX];
    char aad[RD_CRYPT_AAD_MAX];
    struct rd_error sub = {0};
    size_t got = 0;
    int rc = n <= RD_STORE_SEALED_MAX ? rd_crypt_aad(aad, table, row, column, &sub)
                                      : rd_error_set(&sub, RD_EINTERNAL, "%s: %zu amounts to "
                                                     "open", table, n);

    if (rc == RD_OK && !text)
        rc = rd_error_set(&sub, RD_EINVAL, "%s: the amounts are in clear in a store sealed "
                          "with a key (written behind riskdesk's back?)", aad);
    if (rc == RD_OK)
        rc = rd_crypt_open(key, aad, text, strlen(text), b, sizeof b, &got, &sub);
    if (rc == RD_OK && got != 8 * n)
        rc = rd_error_set(&sub, RD_EINVAL, "%s: %zu bytes sealed; expected %zu amounts", aad,
                          got, n);
    for (size_t i = 0; rc == RD_OK && i < n; i++) {
        uint64_t u = 0;

        for (int j = 0; j < 8; j++)
            u = u << 8 | b[8 * i + (size_t)j];
        v[i] = (int64_t)u;
    }
    explicit_bzero(b, sizeof b);
    return rc ? rd_error_set(err, RD_ESTORE, "%s", sub.msg) : RD_OK;
}
