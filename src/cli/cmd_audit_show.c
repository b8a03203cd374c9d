/* riskdesk audit show: an account's audit chain (or the firm's), oldest first. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "riskdesk/audit.h"
#include "riskdesk/calendar.h"
#include "riskdesk/banned.h"

#define NAME "audit show"

static int64_t since = INT64_MIN;
static const char *kind;

static const struct option opts[] = {
    {"since", required_argument, NULL, 's'},
    {"kind", required_argument, NULL, 'k'},
    {NULL, 0, NULL, 0},
};

static int option(int val, const char *arg)
{
    struct rd_error err = {0};

    if (val == 'k') {
        kind = arg;
        return CLI_OK;
    }
    if (rd_time_parse(arg, strlen(arg), &since, &err) != RD_OK)
        return cli_usage_error(NAME, "--since: %s", err.msg);
    return CLI_OK;
}

struct show {
    json_t *list;             /* --json */
    long n;
};

static int on_entry(void *ctx, const struct rd_audit_entry *e)
{
    struct show *s = ctx;
    char at[32];

    if (e->at < since || (kind && strcmp(kind, e->kind) != 0))
        return 0;
    s->n++;
    rd_time_format(e->at, at, sizeof at);
    if (s->list)
        json_array_append_new(s->list,
                              json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "chain",
                                        e->chain, "seq", (json_int_t)e->seq, "at", at, "actor",
                                        e->actor, "kind", e->kind, "subject", e->subject,
                                        "record_hash", e->record_hash, "prev_hash", e->prev_hash,
                                        "hash", e->hash));
    else   /* the line rd_audit_entry_parse reads (audit_chain.h) */
        printf("%s\t%lld\t%lld\t%s\t%s\t%s\t%s\t%s\t%s\n", e->chain, (long long)e->seq,
               (long long)e->at, e->actor, e->kind, e->subject, e->record_hash, e->prev_hash,
               e->hash);
    return 0;
}

static int run(struct cli_ctx *c)
{
    struct rd_store *s = c->env.store;
    struct show sh = {c->json ? json_array() : NULL, 0};
    char chain[RD_AUDIT_CHAIN_MAX];
    struct rd_error err = {0};
    int rc = rd_audit_chain_name(c->account, chain, &err);

    if (rc == RD_OK && !s->ops->audit)
        rc = rd_error_set(&err, RD_EUNSUPPORTED, "audit show: the %s store keeps no audit trail",
                          s->ops->name);
    if (rc == RD_OK)
        rc = s->ops->audit->list(s, chain, 1, on_entry, &sh, &err);
    if (rc != RD_OK) {
        json_decref(sh.list);
        return cli_fail(&err);
    }
    if (sh.list) {
        rc = json_dumpf(sh.list, stdout, JSON_PRESERVE_ORDER);
        json_decref(sh.list);
        if (rc != 0)
            return CLI_FAIL;
        putchar('\n');
    }
    return CLI_OK;
}

const struct cli_cmd cli_cmd_audit_show = {
    .name = "audit show",
    .summary = "list an account's audit entries (or the firm's), oldest first",
    .usage = "usage: riskdesk audit show [--config F] [--db URL] [--account A] [--since TIME] "
             "[--kind K] [--json]\n\n"
             "The entries of A's chain, or without --account the firm's (tokens, users,\n"
             "assignments, ledger transactions), oldest first; --since (RFC 3339) those written\n"
             "then or later, --kind (decision, order, account_def, hier_state, ledger_txn,\n"
             "token, user, assignment) those of one kind. One tab-separated line each: chain, seq, at (Unix\n"
             "s), actor, kind, subject, record_hash, prev_hash, hash. --json: an array of\n"
             "{\"chain\", \"seq\", \"at\" (RFC 3339), \"actor\", \"kind\", \"subject\",\n"
             "\"record_hash\", \"prev_hash\", \"hash\"}. docs/audit.md.\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_ACCOUNT | CLI_O_JSON,
    .opens = CLI_OPENS_STORE,
    .options = opts,
    .option = option,
    .run = run,
};
