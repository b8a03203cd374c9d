/*
 * auth.c - bearer tokens and roles.
 *
 * A token is "rdk_" + base64url of 32 bytes from getrandom(2); it is shown
 * once and only its SHA-256 (hex) is stored. A request's token is hashed and
 * looked up; the answer (role, user, a trader's account) is cached for
 * API_TOKEN_TTL seconds, so a revoke or an assignment made by another process
 * takes effect within that time (at once when made through this server).
 */
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include <microhttpd.h>

#include "api/api_int.h"
#include "riskdesk/alloc.h"
#include "riskdesk/banned.h"

#define API_TOKEN_TTL_NS (5LL * 1000000000LL)
#define CACHE_SLOTS 1024   /* power of two */

static const char *const role_names[RD_ROLE_COUNT] = {"public", "viewer", "trader", "admin"};

const char *rd_api_role_name(enum rd_api_role r)
{
    return (unsigned)r < RD_ROLE_COUNT ? role_names[r] : "?";
}

int rd_api_role_parse(const char *s, enum rd_api_role *out, struct rd_error *err)
{
    for (int i = RD_ROLE_VIEWER; i < RD_ROLE_COUNT; i++)
        if (!strcmp(s, role_names[i])) {
            *out = (enum rd_api_role)i;
            return RD_OK;
        }
    return rd_error_set(err, RD_EINVAL, "role \"%.32s\" is not known; expected admin, trader or viewer",
                        s);
}

/* ---- tokens ---- */

void rd_api_token_hash(const char *token, size_t len, char hash[RD_API_HASH_MAX])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[32];
    unsigned int mdlen = 0;

    if (!EVP_Digest(token, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != sizeof md) {
        /* cannot happen with a working libcrypto; a hash that matches nothing */
        memset(hash, 'x', RD_API_HASH_MAX - 1);
        hash[RD_API_HASH_MAX - 1] = '\0';
        return;
    }
    for (size_t i = 0; i < sizeof md; i++) {
        hash[2 * i] = hex[md[i] >> 4];
        hash[2 * i + 1] = hex[md[i] & 15];
    }
    hash[64] = '\0';
}

static size_t base64url(const unsigned char *in, size_t n, char *out)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t o = 0, i = 0;

    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

        out[o++] = abc[v >> 18 & 63];
        out[o++] = abc[v >> 12 & 63];
        out[o++] = abc[v >> 6 & 63];
        out[o++] = abc[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;

        out[o++] = abc[v >> 18 & 63];
        out[o++] = abc[v >> 12 & 63];
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;

        out[o++] = abc[v >> 18 & 63];
        out[o++] = abc[v >> 12 & 63];
        out[o++] = abc[v >> 6 & 63];
    }
    out[o] = '\0';
    return o;
}

int rd_api_token_new(char token[RD_API_TOKEN_MAX], char hash[RD_API_HASH_MAX],
                     char prefix[RD_API_TOKEN_PREFIX_LEN + 1], struct rd_error *err)
{
    unsigned char raw[32];
    size_t got = 0;

    while (got < sizeof raw) {
        ssize_t n = getrandom(raw + got, sizeof raw - got, 0);

        if (n <= 0)
            return rd_error_set(err, RD_EIO, "token: getrandom failed; no randomness to make a token");
        got += (size_t)n;
    }
    memcpy(token, "rdk_", 4);
    base64url(raw, sizeof raw, token + 4);
    explicit_bzero(raw, sizeof raw);
    rd_api_token_hash(token, strlen(token), hash);
    memcpy(prefix, token, RD_API_TOKEN_PREFIX_LEN);
    prefix[RD_API_TOKEN_PREFIX_LEN] = '\0';
    return RD_OK;
}

/* ---- the cache ---- */

struct slot {
    char hash[RD_API_HASH_MAX];
    struct api_auth auth;
    int64_t expires_ns;
};

struct api_token_cache {
    pthread_mutex_t mu;
    size_t used;
    struct slot slots[CACHE_SLOTS];
};

int api_token_cache_new(struct api_token_cache **out)
{
    struct api_token_cache *c = rd_calloc(1, sizeof *c);

    *out = NULL;
    if (!c)
        return RD_ENOMEM;
    pthread_mutex_init(&c->mu, NULL);
    *out = c;
    return RD_OK;
}

void api_token_cache_free(struct api_token_cache *c)
{
    if (!c)
        return;
    pthread_mutex_destroy(&c->mu);
    explicit_bzero(c, sizeof *c);
    rd_free(c);
}

void api_token_cache_clear(struct api_token_cache *c)
{
    pthread_mutex_lock(&c->mu);
    memset(c->slots, 0, sizeof c->slots);
    c->used = 0;
    pthread_mutex_unlock(&c->mu);
}

static size_t slot_of(const char *hash)
{
    size_t h = 0;

    for (int i = 0; i < 8; i++)
        h = h << 4 | (size_t)(hash[i] <= '9' ? hash[i] - '0' : hash[i] - 'a' + 10);
    return h & (CACHE_SLOTS - 1);
}

static int cache_get(struct api_token_cache *c, const char *hash, struct api_auth *out)
{
    size_t i = slot_of(hash);
    int64_t now = api_now_ns();
    int found = 0;

    pthread_mutex_lock(&c->mu);
    for (size_t k = 0; k < CACHE_SLOTS; k++, i = (i + 1) & (CACHE_SLOTS - 1)) {
        struct slot *s = &c->slots[i];

        if (!s->hash[0])
            break;
        if (!strcmp(s->hash, hash)) {
            if (s->expires_ns > now) {
                *out = s->auth;
                found = 1;
            }
            break;
        }
    }
    pthread_mutex_unlock(&c->mu);
    return found;
}

static void cache_put(struct api_token_cache *c, const char *hash, const struct api_auth *a)
{
    size_t i = slot_of(hash);

    pthread_mutex_lock(&c->mu);
    if (c->used >= CACHE_SLOTS / 2) {
        /* full enough: start over rather than probe long chains */
        memset(c->slots, 0, sizeof c->slots);
        c->used = 0;
    }
    for (size_t k = 0; k < CACHE_SLOTS; k++, i = (i + 1) & (CACHE_SLOTS - 1)) {
        struct slot *s = &c->slots[i];

        if (!s->hash[0] || !strcmp(s->hash, hash)) {
            if (!s->hash[0])
                c->used++;
            memcpy(s->hash, hash, RD_API_HASH_MAX);
            s->auth = *a;
            s->expires_ns = api_now_ns() + API_TOKEN_TTL_NS;
            break;
        }
    }
    pthread_mutex_unlock(&c->mu);
}

/* Looks the token up in the store; 0 with *a filled, or the status. */
static int lookup(struct api_req *r, const char *hash, struct api_auth *a)
{
    struct rd_store *s = api_store(r);
    struct rd_error err = {0};
    struct rd_token_row t;
    struct rd_user_row u;
    int rc;

    if (!s)
        return r->status;
    rc = s->ops->api->token_find(s, hash, &t, &err);
    if (rc == RD_ENOTFOUND)
        return api_error(r, 401, "invalid_token", "the bearer token is not known");
    if (rc != RD_OK)
        return api_fail(r, rc, &err);
    if (t.revoked_at)
        return api_error(r, 401, "invalid_token", "the bearer token was revoked");
    memset(a, 0, sizeof *a);
    if (rd_api_role_parse(t.role, &a->role, &err) != RD_OK)
        return api_error(r, 401, "invalid_token", "the token's role is not known");
    snprintf(a->user, sizeof a->user, "%s", t.user);
    a->token_id = t.id;
    if (a->role == RD_ROLE_TRADER) {
        rc = s->ops->api->user_get(s, t.user, &u, &err);
        if (rc == RD_OK)
            snprintf(a->account, sizeof a->account, "%s", u.account);
        else if (rc != RD_ENOTFOUND)
            return api_fail(r, rc, &err);
    }
    return 0;
}

int api_auth_check(struct api_req *r)
{
    const struct api_route *rt = r->route;
    const char *h, *tok;
    char hash[RD_API_HASH_MAX];
    size_t n;
    int st;

    memset(&r->auth, 0, sizeof r->auth);
    if (rt->min_role == RD_ROLE_PUBLIC && !(rt->flags & API_TOKEN_OPTIONAL))
        return 0;
    h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if ((!h || !*h) && rt->min_role == RD_ROLE_PUBLIC)
        return 0;   /* API_TOKEN_OPTIONAL: none sent */
    if (!h || !*h)
        return api_error(r, 401, "missing_token",
                         "this route needs a bearer token: Authorization: Bearer rdk_...");
    if (strncasecmp(h, "Bearer ", 7) != 0)
        return api_error(r, 401, "invalid_token", "the Authorization header must be \"Bearer TOKEN\"");
    tok = h + 7;
    while (*tok == ' ')
        tok++;
    n = strlen(tok);
    while (n && tok[n - 1] == ' ')
        n--;
    if (n < 8 || n >= RD_API_TOKEN_MAX || strncmp(tok, "rdk_", 4) != 0)
        return api_error(r, 401, "invalid_token", "the bearer token is not a riskdesk token (rdk_...)");
    rd_api_token_hash(tok, n, hash);
    if (!cache_get(r->srv->tokens, hash, &r->auth)) {
        st = lookup(r, hash, &r->auth);
        if (st)
            return st;
        cache_put(r->srv->tokens, hash, &r->auth);
    }
    if (r->auth.role < rt->min_role)
        return api_error(r, 403, "forbidden", "%s %s needs the %s role; this token is %s",
                         rt->method, rt->pattern, rd_api_role_name(rt->min_role),
                         rd_api_role_name(r->auth.role));
    if (r->auth.role == RD_ROLE_TRADER && (rt->flags & API_ACCOUNT_SCOPED)) {
        const char *id = api_param(r, "id");

        if (!id || !api_may_see_account(r, id))
            return api_error(r, 403, "forbidden_account",
                             "a trader sees only the account assigned to them (%s)",
                             r->auth.account[0] ? r->auth.account : "none assigned");
    }
    if (r->auth.role == RD_ROLE_TRADER && (rt->flags & API_USER_SCOPED)) {
        const char *id = api_param(r, "id");

        if (!id || strcmp(id, r->auth.user) != 0)
            return api_error(r, 403, "forbidden_user", "a trader sees only their own user (%s)",
                             r->auth.user);
    }
    return 0;
}

int api_may_see_account(const struct api_req *r, const char *account)
{
    if (r->auth.role != RD_ROLE_TRADER)
        return 1;
    return r->auth.account[0] && !strcmp(r->auth.account, account);
}
