/*
 * cli.h - what every subcommand file shares. One subcommand, one file:
 * src/cli/cmd_NAME.c defines `const struct cli_cmd cli_cmd_NAME` and is listed
 * once in src/cli/commands.h. The entry declares which shared options the
 * command takes and what must be open when it runs; main.c does the rest
 * (parsing every option, opening the config and store once, help, --help,
 * exit codes, checking that stdout was written).
 */
#ifndef RISKDESK_CLI_H
#define RISKDESK_CLI_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/cli_open.h"
#include "riskdesk/error.h"

/* Exit codes of the program. */
enum cli_exit {
    CLI_OK = 0,
    CLI_FAIL = 1,        /* the command ran and failed (bad input, broker error...) */
    CLI_USAGE = 2,       /* bad command line */
};

/* The options commands share. An entry says which it takes; main.c parses
 * them (one parser for every command) and opens what the entry asks for. */
#define CLI_O_CONFIG 0x01u       /* --config FILE */
#define CLI_O_DB 0x02u           /* --db URL */
#define CLI_O_ACCOUNT 0x04u      /* --account NAME */
#define CLI_O_AT 0x08u           /* --at TIME: a fixed clock (RFC 3339); default now */
#define CLI_O_JSON 0x10u         /* --json: print JSON (never an input) */
#define CLI_O_NEED_ACCOUNT 0x20u /* --account is required: main finds it (cli_ctx.acct) */
#define CLI_O_OPERANDS 0x40u     /* takes operands (files...); else any is a usage error */
#define CLI_O_LIMIT 0x80u        /* --limit N: a count >= 0 (0: all) */
#define CLI_O_AT_WRITES 0x100u   /* --at writes history: never later than the real clock
                                    (a day's slack), as live running could not */

/* What main.c opens before the command runs. */
enum cli_opens {
    CLI_OPENS_NOTHING,
    CLI_OPENS_CONFIG,            /* the config (--config, $RISKDESK_CONFIG, ./riskdesk.json...) */
    CLI_OPENS_STORE,             /* the config and the store (--db, else the config's) */
};

/* What a command gets. Owned by main.c; env is closed after run. */
struct cli_ctx {
    const char *config, *db, *account, *at;   /* as given; NULL when absent */
    int json;
    long limit;                  /* --limit; 0 when absent */
    int64_t now;                 /* --at, else the wall clock when the command started */
    struct cli_env env;          /* what the entry's opens asked for */
    const struct rd_account_config *acct;     /* with CLI_O_NEED_ACCOUNT */
    const char *prog;            /* the program as it was run (argv[0] of main) */
    int argc;                    /* the operands after the options */
    char **argv;
};

struct cli_cmd {
    const char *name;        /* "dispatch", or "perf metrics" for a two-word command */
    const char *summary;     /* one line for `riskdesk help` */
    const char *usage;       /* full text for `riskdesk NAME --help` */
    unsigned takes;          /* CLI_O_* */
    enum cli_opens opens;
    /* The command's own options ({NULL}-ended; NULL: none), each handed to
     * option() with its val and argument: CLI_OK, or cli_usage_error's. */
    const struct option *options;
    int (*option)(int val, const char *arg);
    /* Optional: checks the whole command line before anything is opened
     * (conflicting or missing options): CLI_OK or a usage error. */
    int (*check)(struct cli_ctx *c);
    /* Returns an enum cli_exit. Errors are printed by the command itself
     * (cli_fail helps). */
    int (*run)(struct cli_ctx *c);
};

#define CLI_COMMAND(id) extern const struct cli_cmd cli_cmd_##id;
#include "cli/commands.h"
#undef CLI_COMMAND

/* Bad lines or rows of an input are shown up to this many; then how many more. */
#define CLI_BAD_SHOWN_MAX 50
/* "riskdesk: ... and N more bad lines not shown" on stderr when bad > the max. */
void cli_bad_more(long bad);

/* Prints "riskdesk: <msg>" for err on stderr and returns CLI_FAIL. */
int cli_fail(const struct rd_error *err);
/* Prints "riskdesk CMD: <formatted>" plus a usage hint and returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
