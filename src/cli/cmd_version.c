#include <stdio.h>

#include "cli/cli.h"
#include "riskdesk/version.h"
#include "riskdesk/banned.h"

static int run(struct cli_ctx *c)
{
    (void)c;
    printf("riskdesk %s\n", RD_VERSION);
    return CLI_OK;
}

const struct cli_cmd cli_cmd_version = {
    .name = "version",
    .summary = "print the version",
    .usage = "usage: riskdesk version\n",
    .run = run,
};
