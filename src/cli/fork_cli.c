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

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

void fork_cli_assessment_line(const json_t *a)
{
    const json_t *f = json_object_get(a, "factors");

    printf("%s (%s): surplus %s, forks at %s into a %s; confidence %s (market %s, performance "
           "%s, load %s, timing %s): %s; assessment %lld\n", str(a, "account"), str(a, "type"),
           str(a, "surplus"), str(a, "threshold"), str(a, "child_type"), str(a, "confidence"),
           str(f, "market"), str(f, "performance"), str(f, "load"), str(f, "timing"),
           str(a, "action"), (long long)json_integer_value(json_object_get(a, "assessment")));
}

void fork_cli_result_line(const json_t *r)
{
    size_t i;
    json_t *k;

    printf("fork op %lld (key %s): %s ->", (long long)json_integer_value(json_object_get(r, "op")),
           str(r, "key"), str(r, "parent"));
    json_array_foreach(json_object_get(r, "children"), i, k)
        printf("%s %s (%s, %s)", i ? "," : "", str(k, "account"), str(k, "type"),
               str(k, "amount"));
    printf("; transaction %lld%s\n", (long long)json_integer_value(json_object_get(r, "txn")),
           json_is_true(json_object_get(r, "replayed")) ? "; replayed: done before, nothing written"
                                                        : "");
}

int fork_cli_print(json_t *o, void (*line)(const json_t *), int json)
{
    if (json || !o)
        return ledger_cli_print(o);
    line(o);
    json_decref(o);
    return CLI_OK;
}
