/*
 * main.c - the riskdesk program: finds the subcommand, handles help and
 * --help, runs it, and makes sure what it printed really reached stdout.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "riskdesk/log.h"
#include "riskdesk/banned.h"

static const struct cli_cmd *const commands[] = {
#define CLI_COMMAND(id) &cli_cmd_##id,
#include "cli/commands.h"
#undef CLI_COMMAND
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

int cli_fail(const struct rd_error *err)
{
    fprintf(stderr, "riskdesk: %s\n", err->msg[0] ? err->msg : rd_strerror(err->code));
    return CLI_FAIL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "riskdesk %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'riskdesk %s --help')\n", cmd);
    return CLI_USAGE;
}

static void print_help(FILE *out)
{
    fprintf(out, "usage: riskdesk <command> [options]\n\n"
                 "riskdesk runs many broker accounts at once, each behind its own risk gates.\n\n"
                 "commands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-18s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(out, "\n'riskdesk <command> --help' shows a command's options.\n");
}

/* Matches argv against a command name of one or two words; returns the
 * number of argv words consumed, or 0. */
static int match(const struct cli_cmd *c, int argc, char **argv)
{
    const char *space = strchr(c->name, ' ');
    size_t n;

    if (!space)
        return strcmp(c->name, argv[0]) == 0 ? 1 : 0;
    n = (size_t)(space - c->name);
    if (strlen(argv[0]) != n || strncmp(c->name, argv[0], n) != 0 || argc < 2)
        return 0;
    return strcmp(space + 1, argv[1]) == 0 ? 2 : 0;
}

static int is_group(const char *word)
{
    size_t n = strlen(word);

    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!strncmp(commands[i]->name, word, n) && commands[i]->name[n] == ' ')
            return 1;
    return 0;
}

static void print_group(FILE *out, const char *word)
{
    size_t n = strlen(word);

    fprintf(out, "usage: riskdesk %s <subcommand> [options]\n\nsubcommands:\n", word);
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!strncmp(commands[i]->name, word, n) && commands[i]->name[n] == ' ')
            fprintf(out, "  %-18s %s\n", commands[i]->name, commands[i]->summary);
}

static int finish(int rc)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "riskdesk: writing output failed: %s\n", strerror(errno));
        return CLI_FAIL;
    }
    return rc;
}

int main(int argc, char **argv)
{
    struct rd_error err = {0};

    if (rd_log_setup_from_env(&err) != RD_OK) {
        fprintf(stderr, "riskdesk: %s\n", err.msg);
        return CLI_USAGE;
    }
    if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
        !strcmp(argv[1], "-h")) {
        if (argc >= 3 && strcmp(argv[1], "help") == 0) {
            for (size_t i = 0; i < NCOMMANDS; i++)
                if (match(commands[i], argc - 2, argv + 2) == argc - 2) {
                    fputs(commands[i]->usage, stdout);
                    return finish(CLI_OK);
                }
            if (is_group(argv[2])) {
                print_group(stdout, argv[2]);
                return finish(CLI_OK);
            }
            fprintf(stderr, "riskdesk: no such command '%s'\n", argv[2]);
            return CLI_USAGE;
        }
        print_help(argc < 2 ? stderr : stdout);
        return finish(argc < 2 ? CLI_USAGE : CLI_OK);
    }
    for (size_t i = 0; i < NCOMMANDS; i++) {
        int used = match(commands[i], argc - 1, argv + 1);

        if (!used)
            continue;
        for (int a = 1 + used; a < argc; a++) {
            if (!strcmp(argv[a], "--"))
                break;
            if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
                fputs(commands[i]->usage, stdout);
                return finish(CLI_OK);
            }
        }
        /* the command sees its own name as argv[0] */
        return finish(commands[i]->run(argc - used, argv + used));
    }
    if (is_group(argv[1])) {
        print_group(stderr, argv[1]);
        return CLI_USAGE;
    }
    fprintf(stderr, "riskdesk: '%s' is not a riskdesk command; see 'riskdesk help'\n", argv[1]);
    return CLI_USAGE;
}
