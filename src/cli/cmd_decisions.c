/* riskdesk decisions: what an account decided, newest first. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/cli_open.h"
#include "riskdesk/calendar.h"
#include "riskdesk/decision_json.h"
#include "riskdesk/banned.h"

#define NAME "decisions"

struct walk {
    int json, n;
    struct rd_buf buf;
};

static int visit(void *ctx, const struct rd_decision_row *row)
{
    struct walk *w = ctx;
    char when[32];
    int rc;

    rd_time_format(row->decided_at, when, sizeof when);
    rd_buf_reset(&w->buf);
    if (w->json) {
        rc = rd_buf_printf(&w->buf, "%s{\"id\":%lld,\"account\":\"%s\",\"rec_id\":\"%s\","
                           "\"decided_at\":\"%s\",\"decision\":",
                           w->n ? "," : "", (long long)row->id, row->account, row->rec_id, when);
        if (rc == RD_OK)
            rc = rd_decision_to_json(&row->d, &w->buf);
        if (rc == RD_OK)
            rc = rd_buf_puts(&w->buf, "}");
    } else {
        rc = rd_buf_printf(&w->buf, "%s %-10s %-24s %s size %lld%s%s\n", when, row->account,
                           row->rec_id, row->d.approved ? "APPROVED" : "REJECTED",
                           (long long)row->d.size, row->d.approved ? "" : " first failed: ",
                           row->d.approved ? "" : rd_gate_name(row->d.first_failed));
    }
    if (rc != RD_OK)
        return rc;
    fputs(rd_buf_str(&w->buf), stdout);
    w->n++;
    return 0;
}

static int run(struct cli_ctx *c)
{
    struct rd_error err = {0};
    struct rd_store *s = c->env.store;
    struct walk w = {0};
    int rc;

    w.json = c->json;
    rd_buf_init(&w.buf, 1 << 20);
    if (w.json)
        fputs("[", stdout);
    rc = s->ops->trading->decision_list(s, c->acct->name, (size_t)c->limit, visit, &w, &err);
    if (w.json)
        fputs("]\n", stdout);
    rd_buf_release(&w.buf);
    return rc == RD_OK ? CLI_OK : cli_fail(&err);
}

const struct cli_cmd cli_cmd_decisions = {
    .name = NAME,
    .summary = "list an account's decisions with every gate's verdict",
    .usage = "usage: riskdesk decisions [--config F] [--db URL] --account NAME [--json] [--limit N]\n\n"
             "Newest first. --json prints an array of {\"id\", \"account\", \"rec_id\",\n"
             "\"decided_at\", \"decision\": {\"approved\", \"size\", \"gates\": [...]}}.\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_ACCOUNT | CLI_O_NEED_ACCOUNT | CLI_O_JSON | CLI_O_LIMIT,
    .opens = CLI_OPENS_STORE,
    .run = run,
};
