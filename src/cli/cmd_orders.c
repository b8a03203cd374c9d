/* riskdesk orders: what an account placed, with client order ids. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/cli_open.h"
#include "riskdesk/buf.h"
#include "riskdesk/calendar.h"
#include "riskdesk/banned.h"

#define NAME "orders"

struct walk {
    int json, n;
    long skip;                   /* rows to pass over before printing (--limit) */
};

static void json_string_out(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;

        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch < 0x20)
            printf("\\u%04x", ch);
        else
            putchar(ch);
    }
    putchar('"');
}

static int visit(void *ctx, const struct rd_order_row *o)
{
    struct walk *w = ctx;
    char created[32], ref[32], fill[32];

    if (w->skip > 0) {
        w->skip--;
        return 0;
    }
    rd_time_format(o->created_at, created, sizeof created);
    rd_money_format(o->ref_price, ref, sizeof ref);
    rd_money_format(o->fill_price, fill, sizeof fill);
    if (w->json) {
        printf("%s{\"client_order_id\":\"%s\",\"account\":\"%s\",\"rec_id\":\"%s\","
               "\"symbol\":\"%s\",\"side\":\"%s\",\"intent\":\"%s\",\"qty\":%lld,"
               "\"status\":\"%s\",\"ref_price\":\"%s\",\"filled_qty\":%lld,\"fill_price\":\"%s\","
               "\"broker_order_id\":\"%s\",\"created_at\":\"%s\",\"reason\":",
               w->n ? "," : "", o->client_order_id, o->account, o->rec_id, o->symbol,
               o->side == RD_SIDE_BUY ? "buy" : "sell", o->intent == RD_INTENT_ENTRY ? "entry" : "exit",
               (long long)o->qty, rd_order_status_name(o->status), ref, (long long)o->filled_qty,
               fill, o->broker_order_id, created);
        json_string_out(o->reason);
        putchar('}');
    } else {
        printf("%s %-10s %s %-4s %-5s %-21s x%-5lld %-8s fill %s%s%s\n", created, o->account,
               o->client_order_id, o->side == RD_SIDE_BUY ? "buy" : "sell",
               o->intent == RD_INTENT_ENTRY ? "entry" : "exit", o->symbol, (long long)o->qty,
               rd_order_status_name(o->status), fill, o->reason[0] ? "  " : "", o->reason);
    }
    w->n++;
    return 0;
}

static int count(void *ctx, const struct rd_order_row *o)
{
    (void)o;
    (*(long *)ctx)++;
    return 0;
}

static int run(struct cli_ctx *c)
{
    struct rd_error err = {0};
    struct rd_store *s = c->env.store;
    struct walk w = {0};
    long total = 0;
    int rc = RD_OK;

    w.json = c->json;
    /* --limit N: the newest N, still oldest first */
    if (c->limit > 0 && (rc = s->ops->trading->order_list(s, c->acct->name, -1, count, &total, &err)) == RD_OK)
        w.skip = total > c->limit ? total - c->limit : 0;
    if (rc == RD_OK) {
        if (w.json)
            fputs("[", stdout);
        rc = s->ops->trading->order_list(s, c->acct->name, -1, visit, &w, &err);
        if (w.json)
            fputs("]\n", stdout);
    }
    return rc == RD_OK ? CLI_OK : cli_fail(&err);
}

const struct cli_cmd cli_cmd_orders = {
    .name = NAME,
    .summary = "list an account's orders with client order ids",
    .usage = "usage: riskdesk orders [--config F] [--db URL] --account NAME [--json] [--limit N]\n\n"
             "Oldest first; --limit N shows the newest N (0: all). A rejected order carries\n"
             "the broker's reason.\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_ACCOUNT | CLI_O_NEED_ACCOUNT | CLI_O_JSON | CLI_O_LIMIT,
    .opens = CLI_OPENS_STORE,
    .run = run,
};
