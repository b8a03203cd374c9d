/*
 * riskdesk ledger deposit | withdraw | pnl: money into or out of a node of the
 * hierarchy, booked as one balanced transaction with the paper account's cash.
 * The three share their options and body; each is its own entry.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/ledger_cli.h"
#include "riskdesk/banned.h"

static const char *key, *reason = "", *amount_text;

static const struct option opts[] = {
    {"amount", required_argument, NULL, 'm'},
    {"key", required_argument, NULL, 'k'},
    {"reason", required_argument, NULL, 'r'},
    {NULL, 0, NULL, 0},
};

static int option(int val, const char *arg)
{
    if (val == 'm')
        amount_text = arg;
    else if (val == 'k')
        key = arg;
    else
        reason = arg;
    return CLI_OK;
}

/* Checks the options of the command named name; *amount is set when CLI_OK. */
static int check_as(const char *name, int signed_ok, rd_money *amount)
{
    if (!amount_text)
        return cli_usage_error(name, "--amount D is required");
    if (!key || !*key)
        return cli_usage_error(name, "--key K is required (the same key again replays, never "
                               "books twice)");
    if (strlen(key) >= RD_LEDGER_KEY_MAX)
        return cli_usage_error(name, "--key: longer than %d characters", RD_LEDGER_KEY_MAX - 1);
    if (strlen(reason) >= sizeof ((struct rd_ledger_txn *)0)->why)
        return cli_usage_error(name, "--reason: longer than 255 characters");
    return ledger_cli_amount(name, amount_text, signed_ok, amount);
}

static rd_money amount;

static int check_deposit(struct cli_ctx *c)
{
    (void)c;
    return check_as("ledger deposit", 0, &amount);
}

static int check_withdraw(struct cli_ctx *c)
{
    (void)c;
    return check_as("ledger withdraw", 0, &amount);
}

static int check_pnl(struct cli_ctx *c)
{
    (void)c;
    return check_as("ledger pnl", 1, &amount);
}

static int run_as(struct cli_ctx *c, enum rd_ledger_kind kind)
{
    struct rd_ledger_request r = {kind, c->acct, amount, key, reason};
    struct rd_hier_actor by = ledger_cli_actor(c->now);
    struct rd_error err = {0};
    json_t *o;

    if (rd_hier_json_post(c->env.store, &r, &by, &o, &err) != RD_OK)
        return cli_fail(&err);
    if (c->json)
        return ledger_cli_print(o);
    printf("%s %s %s: transaction %lld (key %s)%s; available %s\n", rd_ledger_kind_name(kind),
           json_string_value(json_object_get(o, "amount")), c->acct->name,
           (long long)json_integer_value(json_object_get(o, "txn")),
           json_string_value(json_object_get(o, "key")),
           json_is_true(json_object_get(o, "replayed"))
               ? ", replayed: booked before, nothing written" : "",
           json_string_value(json_object_get(o, "available")));
    json_decref(o);
    return CLI_OK;
}

static int run_deposit(struct cli_ctx *c)
{
    return run_as(c, RD_LEDGER_DEPOSIT);
}

static int run_withdraw(struct cli_ctx *c)
{
    return run_as(c, RD_LEDGER_WITHDRAW);
}

static int run_pnl(struct cli_ctx *c)
{
    return run_as(c, RD_LEDGER_PNL_KIND);
}

#define TAKES (CLI_O_CONFIG | CLI_O_DB | CLI_O_ACCOUNT | CLI_O_NEED_ACCOUNT | CLI_O_AT | \
               CLI_O_AT_WRITES | CLI_O_JSON)
#define USAGE(verb, what)                                                                     \
    "usage: riskdesk ledger " verb " [--config F] [--db URL] [--at TIME] [--json]\n"          \
    "           --account A --amount D --key K [--reason TEXT]\n\n" what                      \
    "\nThe account must be a node of the hierarchy (riskdesk hierarchy init). The key makes\n" \
    "the entry idempotent: the same key with the same parameters replays the stored\n"         \
    "transaction; with other parameters it is refused (idempotency_conflict).\n"

/* One entry of the three: verb, its summary, its own paragraph of usage. */
#define FLOW_CMD(verb, summ, what)                                          \
    const struct cli_cmd cli_cmd_ledger_##verb = {                          \
        .name = "ledger " #verb,                                            \
        .summary = summ,                                                    \
        .usage = USAGE(#verb, what),                                        \
        .takes = TAKES,                                                     \
        .opens = CLI_OPENS_STORE,                                           \
        .options = opts,                                                    \
        .option = option,                                                   \
        .check = check_##verb,                                              \
        .run = run_##verb,                                                  \
    };

FLOW_CMD(deposit, "put money into a node: its ledger and its paper cash",
         "Moves D from outside (@external) into the node's available book and raises its\n"
         "paper account's cash by D, in one transaction.\n")
FLOW_CMD(withdraw, "take money out of a node (no more than it has available)",
         "Moves D from the node's available book to outside (@external) and lowers its\n"
         "paper account's cash by D. More than available is refused (insufficient_funds).\n")
FLOW_CMD(pnl, "book realised P&L not from a trade (a fee, a correction)",
         "Books D as realised P&L of the node against @pnl: a gain above 0, a loss (a fee)\n"
         "below 0, with its paper account's cash. A loss larger than available is refused.\n")
