/*
 * slack_audit.c - /audit-head: the audit chains' heads, for an admin to keep
 * outside the database (docs/audit.md, "Keeping the head elsewhere"); a
 * channel's history the database's users cannot rewrite is one such place.
 */
#include <stdio.h>

#include "api/api_int.h"
#include "api/slack_int.h"
#include "riskdesk/audit.h"
#include "riskdesk/buf.h"
#include "riskdesk/banned.h"

static int on_head(void *ctx, const struct rd_audit_entry *e)
{
    rd_buf_printf(ctx, "\n- `%s` #%lld `%s`", e->chain, (long long)e->seq, e->hash);
    return 0;
}

int api_slack_cmd_audit_head(struct api_slack_cmd *k)
{
    struct api_req *r = k->r;
    struct rd_error err = {0};
    struct rd_store *s;
    struct rd_buf text;
    int rc, st;

    if (!api_slack_is_admin(k->sc, k->slack_id))
        return api_slack_reply(r, "Only a riskdesk admin (by Slack user id in the config) can read "
                                  "the audit chains' heads.");
    if (k->nargs)
        return api_slack_reply(r, "Usage: `/audit-head`");
    if (!(s = api_store(r)))
        return r->status;
    if (!s->ops->audit)
        return api_slack_reply(r, "This store keeps no audit trail.");
    rd_buf_init(&text, 1 << 16);
    rd_buf_puts(&text, "*Audit chain heads* (keep them; `riskdesk audit verify --anchor HASH` "
                       "proves nothing up to one was rewritten)");
    rc = s->ops->audit->heads(s, on_head, &text, &err);
    st = rc == RD_OK ? api_slack_reply(r, rd_buf_str(&text)) : api_fail(r, rc, &err);
    rd_buf_release(&text);
    return st;
}
