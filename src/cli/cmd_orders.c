/* riskdesk orders: what an account placed, with client order ids. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/cli_open.h"
#include "riskdesk/buf.h"
#include "riskdesk/calendar.h"
#include "riskdesk/banned.h"

#define NAME "orders"

struct walk {
    int json, n;
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

static const struct option opts[] = {
    {"config", required_argument, NULL, 'c'}, {"db", required_argument, NULL, 'd'},
    {"account", required_argument, NULL, 'a'}, {"json", no_argument, NULL, 'j'},
    {NULL, 0, NULL, 0},
};

static int run(int argc, char **argv)
{
    const char *config = NULL, *db = NULL, *account = NULL;
    const struct rd_account_config *acct;
    struct rd_error err = {0};
    struct cli_env env;
    struct walk w = {0};
    int c, rc;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'd': db = optarg; break;
        case 'a': account = optarg; break;
        case 'j': w.json = 1; break;
        default: return cli_usage_error(NAME, "unknown option");
        }
    }
    if (optind < argc)
        return cli_usage_error(NAME, "unexpected argument '%s'", argv[optind]);
    if (cli_open(config, db, 1, &env, &err) != RD_OK)
        return cli_fail(&err);
    rc = cli_account(&env, &acct, account, &err);
    if (rc == RD_OK) {
        if (w.json)
            fputs("[", stdout);
        rc = env.store->ops->trading->order_list(env.store, acct->name, -1, visit, &w, &err);
        if (w.json)
            fputs("]\n", stdout);
    }
    cli_close(&env);
    return rc == RD_OK ? CLI_OK : cli_fail(&err);
}

const struct cli_cmd cli_cmd_orders = {
    .name = NAME,
    .summary = "list an account's orders with client order ids",
    .usage = "usage: riskdesk orders [--config F] [--db URL] --account NAME [--json]\n\n"
             "Oldest first. A rejected order carries the broker's reason.\n",
    .run = run,
};
