/*
 * ledger_cli.c - what the hierarchy and ledger commands share (ledger_cli.h).
 */
#include "cli/ledger_cli.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "riskdesk/calendar.h"
#include "riskdesk/banned.h"

int ledger_cli_amount(const char *cmd, const char *arg, int signed_ok, rd_money *out)
{
    struct rd_error err = {0};
    const char *dot = strchr(arg, '.');

    if (rd_money_parse(arg, strlen(arg), out, &err) != RD_OK)
        return cli_usage_error(cmd, "--amount: '%s' is not a decimal amount (like 250.50)", arg);
    if (dot && strlen(dot + 1) > 4)
        return cli_usage_error(cmd, "--amount: '%s' has more than 4 decimal places", arg);
    if (signed_ok && *out == 0)
        return cli_usage_error(cmd, "--amount: '%s'; expected a nonzero amount (a loss below 0)",
                               arg);
    if (!signed_ok && *out <= 0)
        return cli_usage_error(cmd, "--amount: '%s'; expected an amount > 0", arg);
    return CLI_OK;
}

json_t *ledger_cli_money(rd_money v)
{
    char m[32];

    rd_money_format(v, m, sizeof m);
    return json_string(m);
}

json_t *ledger_cli_ppm(int64_t v)
{
    char t[32];

    rd_ppm_format(v, t, sizeof t);
    return json_string(t);
}

json_t *ledger_cli_time(int64_t t)
{
    char b[32];

    if (!t)
        return json_null();
    rd_time_format(t, b, sizeof b);
    return json_string(b);
}

json_t *ledger_cli_node(const struct rd_hier_view *v)
{
    const struct rd_ledger_sums *s = &v->sums;

    return json_pack("{s:s, s:s, s:s, s:s?, s:i, s:o, s:o, s:o, s:o, s:o, s:i, s:[]}",
                     "account", v->node.account, "type", rd_node_type_name(v->node.type),
                     "state", rd_node_state_name(v->node.state), "parent",
                     v->node.parent[0] ? v->node.parent : NULL, "depth", v->depth, "available",
                     ledger_cli_money(s->available), "reserved", ledger_cli_money(s->reserved),
                     "capital", ledger_cli_money(rd_ledger_capital(s)), "base",
                     ledger_cli_money(rd_ledger_base(s)), "surplus",
                     ledger_cli_money(rd_ledger_surplus(s)), "forks", v->forks, "children");
}

int ledger_cli_print(json_t *o)
{
    int rc;

    if (!o) {
        fprintf(stderr, "riskdesk: out of memory building JSON\n");
        return CLI_FAIL;
    }
    rc = json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (rc != 0 || putchar('\n') == EOF)
        return CLI_FAIL;
    return CLI_OK;
}

struct rd_hier_actor ledger_cli_actor(int64_t now)
{
    struct rd_hier_actor a = {"cli", now};

    return a;
}
