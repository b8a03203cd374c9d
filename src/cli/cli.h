/*
 * cli.h - what every subcommand file shares. One subcommand, one file:
 * src/cli/cmd_NAME.c defines `const struct cli_cmd cli_cmd_NAME` and is listed
 * once in src/cli/commands.h. main.c does the rest (help, --help, exit codes,
 * checking that stdout was written).
 */
#ifndef RISKDESK_CLI_H
#define RISKDESK_CLI_H

#include <stdio.h>

#include "riskdesk/error.h"

/* Exit codes of the program. */
enum cli_exit {
    CLI_OK = 0,
    CLI_FAIL = 1,        /* the command ran and failed (bad input, broker error...) */
    CLI_USAGE = 2,       /* bad command line */
};

struct cli_cmd {
    const char *name;        /* "dispatch", or "perf metrics" for a two-word command */
    const char *summary;     /* one line for `riskdesk help` */
    const char *usage;       /* full text for `riskdesk NAME --help` */
    /* argv[0] is the command name; returns an enum cli_exit. Errors are printed
     * by the command itself (cli_fail helps). */
    int (*run)(int argc, char **argv);
};

#define CLI_COMMAND(id) extern const struct cli_cmd cli_cmd_##id;
#include "cli/commands.h"
#undef CLI_COMMAND

/* Prints "riskdesk: <msg>" for err on stderr and returns CLI_FAIL. */
int cli_fail(const struct rd_error *err);
/* Prints "riskdesk CMD: <formatted>" plus a usage hint and returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
