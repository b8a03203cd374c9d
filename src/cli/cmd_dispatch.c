/* riskdesk dispatch: one account's dispatcher, once or in a loop. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/cli_open.h"
#include "riskdesk/runner.h"
#include "riskdesk/log.h"
#include "riskdesk/banned.h"

#define NAME "dispatch"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* Sleeps up to `seconds`, waking early when a stop is requested. */
static void nap(double seconds)
{
    struct timespec ts;

    while (seconds > 0 && !stop_requested) {
        double step = seconds > 0.1 ? 0.1 : seconds;

        ts.tv_sec = 0;
        ts.tv_nsec = (long)(step * 1e9);
        nanosleep(&ts, NULL);
        seconds -= step;
    }
}

static long interval = 60, batch = 1000;
static int loop = -1;                   /* -1: --once/--loop not given */

static const struct option opts[] = {
    {"once", no_argument, NULL, 'o'},        {"loop", no_argument, NULL, 'l'},
    {"interval", required_argument, NULL, 'i'}, {"batch", required_argument, NULL, 'b'},
    {NULL, 0, NULL, 0},
};

static int parse_positive(const char *s, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (*s == '\0' || *end != '\0' || v <= 0)
        return 0;
    *out = v;
    return 1;
}

static int option(int val, const char *arg)
{
    switch (val) {
    case 'o':
    case 'l':
        if (loop == (val == 'o'))
            return cli_usage_error(NAME, "--once and --loop conflict; pass one of them");
        loop = val == 'l';
        break;
    case 'i':
        if (!parse_positive(arg, &interval))
            return cli_usage_error(NAME, "--interval: '%s'; expected whole seconds > 0", arg);
        break;
    default:
        if (!parse_positive(arg, &batch) || batch > 100000)
            return cli_usage_error(NAME, "--batch: '%s'; expected 1 to 100000", arg);
    }
    return CLI_OK;
}

/* Once or in a loop: the flags, else RUN_MODE; a misspelt RUN_MODE refused. */
static int check(struct cli_ctx *c)
{
    const char *mode;
    int suspects = cli_env_warnings();

    mode = getenv("RUN_MODE");
    if (loop < 0 && mode && *mode) {
        if (!strcasecmp(mode, "LOOP"))
            loop = 1;
        else if (!strcasecmp(mode, "ONCE"))
            loop = 0;
        else {
            fprintf(stderr, "riskdesk: RUN_MODE=%.20s: expected ONCE or LOOP\n", mode);
            return CLI_USAGE;
        }
    }
    if (loop < 0 && suspects) {
        /* a typo like MODE=LOOP must not quietly run one cycle and stop trading */
        fprintf(stderr, "riskdesk: RUN_MODE is unset but a variable that looks like it is set "
                        "(see the env.suspect line); set RUN_MODE=ONCE|LOOP or pass --once/--loop\n");
        return CLI_USAGE;
    }
    if (loop < 0) {
        rd_log_msg(RD_LOG_INFO, "dispatch.mode", "RUN_MODE unset: running once");
        loop = 0;
    }
    return CLI_OK;
}

static int run(struct cli_ctx *c)
{
    struct rd_error err = {0};
    struct rd_runner *ru = NULL;
    struct rd_cycle_stats st;
    struct sigaction sa;
    int64_t now = c->now, offset = c->now - (int64_t)time(NULL);
    int rc;

    /* a looping dispatcher keeps its own store handle, to reopen it when the
     * store goes away (a restart, a failover) */
    if ((rc = cli_open_runner(&c->env, c->acct->name, (size_t)batch, loop, &ru, &err)) != RD_OK)
        goto out;
    if (loop) {                 /* the runner's is the one connection it keeps */
        rd_store_close(c->env.store);
        c->env.store = NULL;
    }
    if ((rc = rd_runner_start(ru, now, &err)) != RD_OK)
        goto out;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    if (loop)
        rd_runner_wait(ru, 0);  /* subscribes: what is added from now on wakes the loop */
    do {
        if (loop || !c->at)     /* a looping --at: the clock starts there and runs on */
            now = (int64_t)time(NULL) + (c->at ? offset : 0);
        rc = rd_runner_cycle(ru, now, &st, &err);
        if (rc != RD_OK && (!loop || rc == RD_EBUSY))
            break;              /* once: the exit code says it; looping: only a lost lock ends it */
        if (loop) {
            unsigned retry = rd_runner_retry_in(ru);

            /* on PostgreSQL new recommendations end the wait (rd_runner_wait) */
            if (rc != RD_OK || rd_runner_wait(ru, (unsigned)interval) < 0)
                nap((double)(rc != RD_OK && retry < (unsigned)interval ? retry
                                                                        : (unsigned)interval));
            rc = RD_OK;
        }
    } while (loop && !stop_requested);
    if (rc == RD_OK && stop_requested)
        rd_log_msg(RD_LOG_INFO, "dispatch.stopped", "signal received; cycle finished");
out:
    rd_runner_close(ru);
    return rc == RD_OK ? CLI_OK : cli_fail(&err);
}

const struct cli_cmd cli_cmd_dispatch = {
    .name = NAME,
    .summary = "run one account's dispatcher (once or in a loop)",
    .usage = "usage: riskdesk dispatch [--config F] [--db URL] --account NAME\n"
             "                        [--once | --loop [--interval S]] [--at TIME] [--batch N]\n\n"
             "Each cycle syncs the account from its broker, places exits, decides the\n"
             "account's undecided recommendations, records each decision and order, and\n"
             "sends the orders. RUN_MODE=ONCE|LOOP chooses when neither flag is given.\n"
             "Only one dispatcher per account runs at a time. SIGTERM finishes the cycle\n"
             "and exits 0. --at fixes the clock (tests, replays); with --loop the clock\n"
             "starts at TIME and runs on. A looping dispatcher on PostgreSQL wakes when\n"
             "recommendations are added; on SQLite it looks again every --interval.\n"
             "With --loop a failed cycle is not the end: the store is reopened and the\n"
             "account's lock taken again, retrying after 1, 2, 4 ... 30 s; only a lock\n"
             "taken meanwhile by another process ends it (exit 1, the holder named).\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_ACCOUNT | CLI_O_NEED_ACCOUNT | CLI_O_AT | CLI_O_AT_WRITES,
    .opens = CLI_OPENS_STORE,
    .options = opts,
    .option = option,
    .check = check,
    .run = run,
};
