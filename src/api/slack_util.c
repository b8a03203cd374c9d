/*
 * slack_util.c - what the Slack commands share: who is asking (a riskdesk
 * user by Slack id, an admin by the config's slack.admins) and money as text.
 */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "api/slack_int.h"
#include "riskdesk/banned.h"

int api_slack_is_admin(const struct api_slack_conf *sc, const char *slack_id)
{
    json_t *list = json_object_get(json_object_get(sc->root, "slack"), "admins"), *v;
    size_t i;

    json_array_foreach(list, i, v) {
        if (json_is_string(v) && slack_id[0] && !strcmp(json_string_value(v), slack_id))
            return 1;
    }
    return 0;
}

struct find {
    const char *slack_id, *id;   /* match either */
    struct rd_user_row u;
    int found;
};

static int find_visit(void *ctx, const struct rd_user_row *u)
{
    struct find *f = ctx;

    if ((f->slack_id && u->slack_user_id[0] && !strcmp(u->slack_user_id, f->slack_id)) ||
        (f->id && !strcmp(u->id, f->id))) {
        f->u = *u;
        f->found = 1;
        return 1;
    }
    return 0;
}

int api_slack_find_user(struct api_req *r, const char *slack_id, const char *id,
                        struct rd_user_row *u)
{
    struct rd_error err = {0};
    struct rd_store *s = api_store(r);
    struct find f;
    int rc;

    memset(&f, 0, sizeof f);
    f.slack_id = slack_id;
    f.id = id;
    if (!s)
        return -r->status;
    rc = s->ops->api->user_list(s, find_visit, &f, &err);
    if (rc != RD_OK && rc != 1)
        return -api_fail(r, rc, &err);
    if (f.found)
        *u = f.u;
    return f.found;
}

int api_slack_not_registered(struct api_slack_cmd *k)
{
    char text[256];

    snprintf(text, sizeof text,
             "Your Slack user (%s) is not linked to a riskdesk user; ask an admin to set your "
             "slack_user_id.",
             k->slack_id);
    return api_slack_reply(k->r, text);
}

void api_slack_money(rd_money m, char *buf, size_t n)
{
    int w = rd_money_format(m, buf, n);

    if (w < 0 || (size_t)w >= n)
        snprintf(buf, n, "?");
}

void api_slack_error_text(const struct api_req *r, const char *what, char *out, size_t n)
{
    json_error_t je;
    json_t *o = json_loadb(r->out.data ? r->out.data : "", r->out.len, 0, &je);
    const char *msg = json_string_value(json_object_get(json_object_get(o, "error"), "message"));

    snprintf(out, n, "%s: %s", what, msg ? msg : "something went wrong");
    json_decref(o);
}
