/*
 * hier_util.c - what the hierarchy's routes share (hier_int.h).
 */
#include "api/hier_int.h"

#include <ctype.h>
#include <string.h>

#include <microhttpd.h>

#include "riskdesk/log.h"
#include "riskdesk/banned.h"

int api_hier_account(struct api_req *r, const char *name, const struct rd_account_config **out)
{
    struct api_cfg *c = api_cfgref(r);

    *out = name ? rd_config_account(c->cfg, name) : NULL;
    if (!*out)
        return api_error(r, 404, "not_found", "no account named \"%.64s\"", name ? name : "");
    return 0;
}

int api_hier_key(struct api_req *r, int required, const char **key)
{
    const char *k = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Idempotency-Key");

    *key = NULL;
    if (!k && !required)
        return 0;
    if (!k)
        return api_error(r, 400, "invalid", "Idempotency-Key: the header is required; the same "
                         "key again replays the first answer, never books twice");
    if (!*k || strlen(k) >= RD_LEDGER_KEY_MAX)
        return api_error(r, 400, "invalid", "Idempotency-Key: expected 1 to %d characters",
                         RD_LEDGER_KEY_MAX - 1);
    *key = k;
    return 0;
}

struct rd_hier_actor api_hier_actor(const struct api_req *r)
{
    struct rd_hier_actor a = {r->auth.user[0] ? r->auth.user : "api", api_clock(r->srv)};

    return a;
}

/* Whether the caller may see the account item's field names (none: no). */
static int visible(const struct api_req *r, const json_t *item, const char *field)
{
    const char *name = field ? json_string_value(json_object_get(item, field)) : NULL;

    return name && api_may_see_account(r, name);
}

void api_hier_only_visible(const struct api_req *r, json_t *o, const char *arr,
                           const char *field, const char *also)
{
    json_t *list = json_object_get(o, arr);

    for (size_t i = json_array_size(list); i-- > 0;)
        if (!visible(r, json_array_get(list, i), field) &&
            !visible(r, json_array_get(list, i), also))
            json_array_remove(list, i);
}

void api_hier_reload(struct api_req *r, struct rd_store *s)
{
    struct rd_error err = {0};

    pthread_mutex_lock(&r->srv->write_mu);
    if (api_cfg_reload(r->srv, s, &err) != RD_OK) {
        struct rd_logline l;

        rd_log_begin(&l, RD_LOG_WARN, "api.accounts_reloaded");
        rd_log_str(&l, "msg", err.msg);
        rd_log_end(&l);
    }
    pthread_mutex_unlock(&r->srv->write_mu);
}

int api_hier_answer(struct api_req *r, json_t *o, int status)
{
    int rc = o ? api_json_dump(o, &r->out) : RD_ENOMEM;

    json_decref(o);
    if (rc != RD_OK)
        return api_error(r, 500, "internal", "out of memory building the answer");
    rd_buf_puts(&r->out, "\n");
    return status;
}

int api_hier_fail(struct api_req *r, int rc, const struct rd_error *err)
{
    char code[40];
    size_t n = 0;

    if (rc != RD_EREJECTED && rc != RD_EEXIST)
        return api_fail(r, rc, err);
    while (n < sizeof code - 1 && (islower((unsigned char)err->msg[n]) || err->msg[n] == '_')) {
        code[n] = err->msg[n];
        n++;
    }
    code[n] = '\0';
    if (n == 0 || err->msg[n] != ':')
        snprintf(code, sizeof code, "%s", rc == RD_EEXIST ? "conflict" : "rejected");
    return api_error(r, 409, code, "%s", err->msg);
}
