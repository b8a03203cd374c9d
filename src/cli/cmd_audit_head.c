/* riskdesk audit head: each audit chain's last entry, to keep elsewhere. */
#include <stdio.h>

#include <jansson.h>

#include "cli/cli.h"
#include "riskdesk/audit.h"
#include "riskdesk/banned.h"

struct heads {
    json_t *list;             /* --json */
};

static int on_head(void *ctx, const struct rd_audit_entry *e)
{
    struct heads *h = ctx;

    if (h->list)
        json_array_append_new(h->list, json_pack("{s:s, s:I, s:I, s:s}", "chain", e->chain,
                                                 "seq", (json_int_t)e->seq, "at",
                                                 (json_int_t)e->at, "hash", e->hash));
    else
        printf("%s\t%lld\t%s\n", e->chain, (long long)e->seq, e->hash);
    return 0;
}

static int run(struct cli_ctx *c)
{
    struct rd_store *s = c->env.store;
    struct heads h = {c->json ? json_array() : NULL};
    struct rd_error err = {0};
    int rc;

    if (!s->ops->audit) {
        rd_error_set(&err, RD_EUNSUPPORTED, "audit head: the %s store keeps no audit trail",
                     s->ops->name);
        return cli_fail(&err);
    }
    rc = s->ops->audit->heads(s, on_head, &h, &err);
    if (rc != RD_OK) {
        json_decref(h.list);
        return cli_fail(&err);
    }
    if (h.list) {
        rc = json_dumpf(h.list, stdout, JSON_PRESERVE_ORDER);
        json_decref(h.list);
        if (rc != 0)
            return CLI_FAIL;
        putchar('\n');
    }
    return CLI_OK;
}

const struct cli_cmd cli_cmd_audit_head = {
    .name = "audit head",
    .summary = "print each audit chain's head hash, to keep elsewhere",
    .usage = "usage: riskdesk audit head [--config F] [--db URL] [--json]\n\n"
             "One line per chain: CHAIN, the last entry's seq and its hash (tab-separated).\n"
             "Keep the hashes where riskdesk's database users cannot write; later,\n"
             "`riskdesk audit verify --anchor HASH` proves nothing up to that entry was\n"
             "rewritten. --json: [{\"chain\", \"seq\", \"at\", \"hash\"}].\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_JSON,
    .opens = CLI_OPENS_STORE,
    .run = run,
};
