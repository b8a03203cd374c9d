/* riskdesk ledger show: a node's books and every transaction that touched them. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/ledger_cli.h"
#include "riskdesk/calendar.h"
#include "riskdesk/banned.h"

/* The transactions, each with its entries, as they are listed. */
struct shown {
    json_t *txns;                 /* JSON: the array being filled */
    size_t at;                    /* the transaction the entries are at */
    int json;
    int failed;
};

static int see_txn(void *ctx, const struct rd_ledger_txn *t)
{
    struct shown *w = ctx;
    char at[32];
    json_t *o;

    rd_time_format(t->at, at, sizeof at);
    if (!w->json) {
        printf("%-6lld %-8s %-20s %-8s %s%s%s\n", (long long)t->id, rd_ledger_kind_name(t->kind),
               at, t->who, t->key, t->why[0] ? ": " : "", t->why);
        return 0;
    }
    o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:[]}", "id", (json_int_t)t->id, "key",
                  t->key, "kind", rd_ledger_kind_name(t->kind), "who", t->who, "why", t->why,
                  "op", t->op ? json_integer(t->op) : json_null(), "at", at, "entries");
    if (!o || json_array_append_new(w->txns, o) != 0) {
        w->failed = 1;
        return 1;
    }
    return 0;
}

static int see_entry(void *ctx, const struct rd_ledger_entry *e)
{
    struct shown *w = ctx;
    char m[32];
    json_t *o, *arr = NULL;

    if (!w->json) {
        rd_money_format(e->amount, m, sizeof m);
        printf("       %-8lld %-40s %16s\n", (long long)e->txn, e->book, m);
        return 0;
    }
    /* entries come grouped by transaction, in the transactions' order */
    while (w->at < json_array_size(w->txns) &&
           json_integer_value(json_object_get(json_array_get(w->txns, w->at), "id")) != e->txn)
        w->at++;
    arr = json_object_get(json_array_get(w->txns, w->at), "entries");
    o = json_pack("{s:s, s:o}", "book", e->book, "amount", ledger_cli_money(e->amount));
    if (!arr || !o || json_array_append_new(arr, o) != 0) {
        w->failed = 1;
        return 1;
    }
    return 0;
}

static int run(struct cli_ctx *c)
{
    struct rd_store *s = c->env.store;
    const char *name = c->acct->name;
    struct shown w = {.json = c->json};
    struct rd_hier_view v;
    struct rd_error err = {0};
    json_t *o;
    char a[32], r[32], cap[32], base[32], sur[32];

    if (rd_hier_view_get(s, name, &v, &err) != RD_OK)
        return cli_fail(&err);
    if (!c->json) {
        rd_money_format(v.sums.available, a, sizeof a);
        rd_money_format(v.sums.reserved, r, sizeof r);
        rd_money_format(rd_ledger_capital(&v.sums), cap, sizeof cap);
        rd_money_format(rd_ledger_base(&v.sums), base, sizeof base);
        rd_money_format(rd_ledger_surplus(&v.sums), sur, sizeof sur);
        printf("%s %s %s: available %s, reserved %s, capital %s, base %s, surplus %s\n", name,
               rd_node_type_name(v.node.type), rd_node_state_name(v.node.state), a, r, cap, base,
               sur);
        if (s->ops->ledger->txn_list(s, name, see_txn, &w, &err) != RD_OK)
            return cli_fail(&err);
        /* entries follow, grouped by transaction */
        return s->ops->ledger->entry_list(s, name, see_entry, &w, &err) == RD_OK ? CLI_OK
                                                                                 : cli_fail(&err);
    }
    o = ledger_cli_node(&v);
    w.txns = json_array();
    if (!o || !w.txns) {
        json_decref(o);
        json_decref(w.txns);
        return ledger_cli_print(NULL);
    }
    json_object_del(o, "children");
    json_object_set_new(o, "transactions", w.txns);
    if (s->ops->ledger->txn_list(s, name, see_txn, &w, &err) != RD_OK ||
        s->ops->ledger->entry_list(s, name, see_entry, &w, &err) != RD_OK) {
        json_decref(o);
        return w.failed ? ledger_cli_print(NULL) : cli_fail(&err);
    }
    return ledger_cli_print(o);
}

const struct cli_cmd cli_cmd_ledger_show = {
    .name = "ledger show",
    .summary = "a node's books and the transactions that touched them",
    .usage = "usage: riskdesk ledger show [--config F] [--db URL] [--at TIME] --account A [--json]\n\n"
             "Shows the node's available and reserved books, its capital, base and surplus, and\n"
             "every transaction on its books, oldest first, with all of each one's entries.\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_ACCOUNT | CLI_O_NEED_ACCOUNT | CLI_O_AT | CLI_O_JSON,
    .opens = CLI_OPENS_STORE,
    .run = run,
};
