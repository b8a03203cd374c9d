/*
 * ledger_cli.c - what the hierarchy and ledger commands share (ledger_cli.h).
 */
#include "cli/ledger_cli.h"

#include <stdio.h>

#include "cli/cli.h"
#include "riskdesk/calendar.h"
#include "riskdesk/banned.h"

int ledger_cli_amount(const char *cmd, const char *arg, int signed_ok, rd_money *out)
{
    struct rd_error err = {0};

    if (rd_hier_amount_parse("--amount", arg, signed_ok, out, &err) != RD_OK)
        return cli_usage_error(cmd, "%s", err.msg);
    return CLI_OK;
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
