/*
 * fork_cli.c - what the fork commands share (fork_cli.h).
 */
#include "cli/fork_cli.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/ledger_cli.h"
#include "riskdesk/banned.h"

int fork_cli_vix(const char *cmd, const char *arg, int *known, int64_t *vix)
{
    struct rd_error err = {0};

    *known = 0;
    *vix = 0;
    if (!arg)
        return CLI_OK;
    if (rd_ppm_parse(arg, strlen(arg), vix, &err) != RD_OK || *vix <= 0)
        return cli_usage_error(cmd, "--vix: '%s'; expected a VIX level above 0 (like 14.5)", arg);
    *known = 1;
    return CLI_OK;
}

json_t *fork_cli_assessment(const struct rd_fork_assessment *a)
{
    const struct rd_fork_factors *f = &a->row.f;

    return json_pack("{s:s, s:s, s:o, s:o, s:s, s:o, s:o, s:{s:o, s:o, s:o, s:o}, s:s, s:I}",
                     "account", a->row.account, "type", rd_node_type_name(a->type), "surplus",
                     ledger_cli_money(a->row.surplus), "threshold",
                     ledger_cli_money(a->threshold), "child_type",
                     rd_node_type_name(a->child_type), "amount", ledger_cli_money(a->row.amount),
                     "confidence", ledger_cli_ppm(f->confidence), "factors", "market", ledger_cli_ppm(f->market),
                     "performance", ledger_cli_ppm(f->performance), "load", ledger_cli_ppm(f->load), "timing",
                     ledger_cli_ppm(f->timing), "action", rd_fork_action_name(f->action), "assessment",
                     (json_int_t)a->row.id);
}

void fork_cli_assessment_line(const struct rd_fork_assessment *a)
{
    const struct rd_fork_factors *f = &a->row.f;
    char s[32], t[32], c[16], m[16], p[16], l[16], g[16];

    rd_money_format(a->row.surplus, s, sizeof s);
    rd_money_format(a->threshold, t, sizeof t);
    rd_ppm_format(f->confidence, c, sizeof c);
    rd_ppm_format(f->market, m, sizeof m);
    rd_ppm_format(f->performance, p, sizeof p);
    rd_ppm_format(f->load, l, sizeof l);
    rd_ppm_format(f->timing, g, sizeof g);
    printf("%s (%s): surplus %s, forks at %s into a %s; confidence %s (market %s, performance "
           "%s, load %s, timing %s): %s; assessment %lld\n", a->row.account,
           rd_node_type_name(a->type), s, t, rd_node_type_name(a->child_type), c, m, p, l, g,
           rd_fork_action_name(f->action), (long long)a->row.id);
}

json_t *fork_cli_result(const struct rd_fork_result *r)
{
    json_t *o = json_pack("{s:I, s:s, s:b, s:s, s:s, s:[], s:I}", "op", (json_int_t)r->op.id,
                          "key", r->op.key, "replayed", r->replayed, "status",
                          rd_hier_op_status_name(r->op.status), "parent", r->parent,
                          "children", "txn", (json_int_t)r->txn);

    for (size_t i = 0; o && i < r->nchildren; i++)
        json_array_append_new(json_object_get(o, "children"),
                              json_pack("{s:s, s:s, s:o}", "account", r->children[i].account,
                                        "type", rd_node_type_name(r->children[i].type), "amount",
                                        ledger_cli_money(r->children[i].amount)));
    return o;
}

void fork_cli_result_line(const struct rd_fork_result *r)
{
    printf("fork op %lld (key %s): %s ->", (long long)r->op.id, r->op.key, r->parent);
    for (size_t i = 0; i < r->nchildren; i++) {
        char m[32];

        rd_money_format(r->children[i].amount, m, sizeof m);
        printf("%s %s (%s, %s)", i ? "," : "", r->children[i].account,
               rd_node_type_name(r->children[i].type), m);
    }
    printf("; transaction %lld%s\n", (long long)r->txn,
           r->replayed ? "; replayed: done before, nothing written" : "");
}
