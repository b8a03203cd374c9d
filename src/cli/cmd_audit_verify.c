/* riskdesk audit verify: walks the audit chains and re-hashes what they cover. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "riskdesk/audit.h"
#include "riskdesk/banned.h"

#define NAME "audit verify"

static const char *anchor;

static const struct option opts[] = {
    {"anchor", required_argument, NULL, 'a'},
    {NULL, 0, NULL, 0},
};

static int option(int val, const char *arg)
{
    (void)val;
    if (!rd_audit_hash_valid(arg))
        return cli_usage_error(NAME, "--anchor '%.80s': expected a head hash, 64 lowercase hex "
                               "digits (riskdesk audit head)", arg);
    anchor = arg;
    return CLI_OK;
}

struct seen {
    json_t *list;             /* --json */
};

static int on_problem(void *ctx, const struct rd_audit_problem *p)
{
    struct seen *s = ctx;

    if (s->list) {
        json_array_append_new(s->list, json_pack("{s:s, s:I, s:s, s:s, s:s}", "chain", p->chain,
                                                 "seq", (json_int_t)p->seq, "kind", p->kind,
                                                 "subject", p->subject, "what", p->what));
        return 0;
    }
    if (p->seq)
        fprintf(stderr, "riskdesk: audit verify: chain %s entry #%lld (%s %s): %s\n", p->chain,
                (long long)p->seq, p->kind, p->subject, p->what);
    else
        fprintf(stderr, "riskdesk: audit verify: chain %s (%s %s): %s\n", p->chain, p->kind,
                p->subject, p->what);
    return 0;
}

static int run(struct cli_ctx *c)
{
    struct rd_audit_summary sum;
    struct rd_error err = {0};
    struct seen s = {c->json ? json_array() : NULL};
    int rc = rd_audit_verify(c->env.store, c->account, anchor, on_problem, &s, &sum, &err);

    if (rc != RD_OK) {
        json_decref(s.list);
        return cli_fail(&err);
    }
    if (c->json) {
        json_t *o = json_pack("{s:b, s:I, s:I, s:I, s:o}", "ok", sum.problems == 0, "chains",
                              (json_int_t)sum.chains, "entries", (json_int_t)sum.entries,
                              "records", (json_int_t)sum.records, "problems", s.list);

        if (!o || json_dumpf(o, stdout, JSON_PRESERVE_ORDER) != 0) {
            json_decref(o);
            return CLI_FAIL;
        }
        json_decref(o);
        putchar('\n');
    } else {
        printf("%s: %lld chains, %lld entries, %lld records re-hashed%s\n",
               sum.problems ? "BROKEN" : "ok", (long long)sum.chains, (long long)sum.entries,
               (long long)sum.records, anchor && sum.anchor_found ? "; the anchor is in its chain" : "");
    }
    return sum.problems ? CLI_FAIL : CLI_OK;
}

const struct cli_cmd cli_cmd_audit_verify = {
    .name = "audit verify",
    .summary = "check the audit chains and the records they cover (exit 1 naming the first break)",
    .usage = "usage: riskdesk audit verify [--config F] [--db URL] [--account A] [--anchor HASH] "
             "[--json]\n\n"
             "Walks each chain (every account's and the firm's; --account: that account's) and\n"
             "re-hashes every record it covers. Exit 0 when all is intact; exit 1 with each\n"
             "problem on stderr, the first broken link first: an entry edited, deleted or\n"
             "inserted, a record changed or deleted after its last entry, a record no entry\n"
             "covers. --anchor HASH (a head printed by `riskdesk audit head` and kept\n"
             "elsewhere) must still be an entry of a chain, so a chain recomputed after an\n"
             "edit is caught too. docs/audit.md.\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_ACCOUNT | CLI_O_JSON,
    .opens = CLI_OPENS_STORE,
    .options = opts,
    .option = option,
    .run = run,
};
