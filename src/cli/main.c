/*
 * main.c - the riskdesk program: finds the subcommand, handles help and
 * --help, parses every option (the shared ones its entry declares and its
 * own), opens the config and store as the entry asks, runs it, and makes sure
 * what it printed really reached stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "riskdesk/alloc.h"
#include "riskdesk/log.h"
#include "riskdesk/version.h"
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

void cli_bad_more(long bad)
{
    if (bad > CLI_BAD_SHOWN_MAX)
        fprintf(stderr, "riskdesk: ... and %ld more bad lines not shown (%ld in all)\n",
                bad - CLI_BAD_SHOWN_MAX, bad);
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

/* The shared options, in the order of their CLI_O_ bits. */
enum { O_CONFIG = 0x1000, O_DB, O_ACCOUNT, O_AT, O_JSON, O_LIMIT };

static const struct {
    unsigned bit;
    struct option opt;
} shared[] = {
    {CLI_O_CONFIG, {"config", required_argument, NULL, O_CONFIG}},
    {CLI_O_DB, {"db", required_argument, NULL, O_DB}},
    {CLI_O_ACCOUNT, {"account", required_argument, NULL, O_ACCOUNT}},
    {CLI_O_AT, {"at", required_argument, NULL, O_AT}},
    {CLI_O_JSON, {"json", no_argument, NULL, O_JSON}},
    {CLI_O_LIMIT, {"limit", required_argument, NULL, O_LIMIT}},
};

#define NSHARED (sizeof shared / sizeof shared[0])
#define MAX_OPTIONS 48

/* Parses argv (argv[0] the command's name) into c: the shared options the
 * entry takes, the command's own through its option(). */
static int parse(const struct cli_cmd *cmd, int argc, char **argv, struct cli_ctx *c)
{
    struct option all[MAX_OPTIONS];
    size_t n = 0;
    int v, rc;

    for (size_t i = 0; i < NSHARED; i++)
        if (cmd->takes & shared[i].bit)
            all[n++] = shared[i].opt;
    for (const struct option *o = cmd->options; o && o->name && n < MAX_OPTIONS - 1; o++)
        all[n++] = *o;
    memset(&all[n], 0, sizeof all[n]);
    optind = 1;
    while ((v = getopt_long(argc, argv, "", all, NULL)) != -1) {
        switch (v) {
        case O_CONFIG: c->config = optarg; break;
        case O_DB: c->db = optarg; break;
        case O_ACCOUNT: c->account = optarg; break;
        case O_AT: c->at = optarg; break;
        case O_JSON: c->json = 1; break;
        case O_LIMIT: {
            char *end;

            c->limit = strtol(optarg, &end, 10);
            if (!*optarg || *end || c->limit < 0)
                return cli_usage_error(cmd->name, "--limit: '%s'; expected a count >= 0", optarg);
            break;
        }
        case '?': return cli_usage_error(cmd->name, "unknown option");
        default:
            if (!cmd->option)
                return cli_usage_error(cmd->name, "unknown option");
            if ((rc = cmd->option(v, optarg)) != CLI_OK)
                return rc;
        }
    }
    c->argc = argc - optind;
    c->argv = argv + optind;
    if (c->argc && !(cmd->takes & CLI_O_OPERANDS))
        return cli_usage_error(cmd->name, "unexpected argument '%s'", c->argv[0]);
    return CLI_OK;
}

/* Parses, opens what the entry asks for, runs, closes. */
static const char *prog = "riskdesk";

static int run(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct rd_error err = {0};
    struct cli_ctx c;
    int rc;

    memset(&c, 0, sizeof c);
    c.prog = prog;
    if ((rc = parse(cmd, argc, argv, &c)) != CLI_OK)
        return rc;
    if (cmd->check && (rc = cmd->check(&c)) != CLI_OK)
        return rc;
    if (cli_time((cmd->takes & CLI_O_AT) ? c.at : NULL, &c.now, &err) != RD_OK)
        return cli_fail(&err);
    if ((cmd->takes & CLI_O_AT_WRITES) && c.at && c.now > (int64_t)time(NULL) + 86400) {
        rd_error_set(&err, RD_EINVAL, "--at: %s is in the future; %s records what it does at that "
                     "time, and live running never writes a day that has not come (times up to "
                     "now are taken)", c.at, cmd->name);
        return cli_fail(&err);
    }
    if (cmd->opens != CLI_OPENS_NOTHING &&
        cli_open(c.config, c.db, cmd->opens == CLI_OPENS_STORE, &c.env, &err) != RD_OK)
        return cli_fail(&err);
    if ((cmd->takes & CLI_O_NEED_ACCOUNT) && cli_account(&c.env, &c.acct, c.account, &err) != RD_OK)
        rc = cli_fail(&err);
    else
        rc = cmd->run(&c);
    cli_close(&c.env);
    return rc;
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

    rd_alloc_process_init();
    if (argc > 0 && argv[0] && argv[0][0])
        prog = argv[0];
    if (rd_log_setup_from_env(&err) != RD_OK) {
        fprintf(stderr, "riskdesk: %s\n", err.msg);
        return CLI_USAGE;
    }
    if (argc == 2 && !strcmp(argv[1], "--version")) {
        printf("riskdesk %s\n", RD_VERSION);
        return finish(CLI_OK);
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
        /* the command line as the command sees it: its own name first */
        return finish(run(commands[i], argc - used, argv + used));
    }
    if (is_group(argv[1])) {
        int help = argc == 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"));

        /* "riskdesk traders --help" is asking; "riskdesk traders" alone is a usage error */
        print_group(help ? stdout : stderr, argv[1]);
        return help ? finish(CLI_OK) : CLI_USAGE;
    }
    fprintf(stderr, "riskdesk: '%s' is not a riskdesk command; see 'riskdesk help'\n", argv[1]);
    return CLI_USAGE;
}
