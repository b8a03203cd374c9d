/* riskdesk serve: the HTTP API, optionally with dispatchers in the same process. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_open.h"
#include "riskdesk/api.h"
#include "riskdesk/log.h"
#include "riskdesk/banned.h"

#define NAME "serve"

static struct rd_api_params p = {.listen = "127.0.0.1:8080"};
static unsigned long threads = 4, body_max = 1024 * 1024, interval = 60, grace = 10, wait_ms = 5000;
static int list_routes;

static const struct option opts[] = {
    {"listen", required_argument, NULL, 'l'},   {"threads", required_argument, NULL, 't'},
    {"body-max", required_argument, NULL, 'b'}, {"dispatch", required_argument, NULL, 'D'},
    {"interval", required_argument, NULL, 'i'}, {"grace", required_argument, NULL, 'g'},
    {"trade-wait-ms", required_argument, NULL, 'w'}, {"routes", no_argument, NULL, 'R'},
    {"tls-cert", required_argument, NULL, 'C'}, {"tls-key", required_argument, NULL, 'K'},
    {NULL, 0, NULL, 0},
};

static int parse_num(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 10);
    if (!*s || *end || errno || v < lo || v > hi || s[0] == '-')
        return 0;
    *out = v;
    return 1;
}

/* The startup check the dispatchers and the CLI run: no two of the config's
 * accounts may resolve to the same API key. Done before anything listens or
 * any dispatcher (--dispatch) or API call opens a broker. */
static int check_keys(const char *config_path, struct rd_error *err)
{
    struct rd_config *cfg = NULL;
    int rc = rd_config_load_default(config_path, &cfg, err);

    if (rc == RD_OK)
        rc = rd_config_check_distinct_keys(cfg, err);
    rd_config_free(cfg);
    return rc;
}

static int option(int val, const char *arg)
{
    switch (val) {
    case 'l': p.listen = arg; break;
    case 'D': p.dispatch = arg; break;
    case 'R': list_routes = 1; break;
    case 'C': p.tls_cert = arg; break;
    case 'K': p.tls_key = arg; break;
    case 't':
        if (!parse_num(arg, 1, 256, &threads))
            return cli_usage_error(NAME, "--threads: '%s'; expected 1 to 256", arg);
        break;
    case 'b':
        if (!parse_num(arg, 1024, 1024UL * 1024 * 1024, &body_max))
            return cli_usage_error(NAME, "--body-max: '%s'; expected bytes, 1024 to 1073741824",
                                   arg);
        break;
    case 'i':
        if (!parse_num(arg, 1, 86400, &interval))
            return cli_usage_error(NAME, "--interval: '%s'; expected seconds, 1 to 86400", arg);
        break;
    case 'g':
        if (!parse_num(arg, 0, 3600, &grace))
            return cli_usage_error(NAME, "--grace: '%s'; expected seconds, 0 to 3600", arg);
        break;
    default:
        if (!parse_num(arg, 1, 60000, &wait_ms))
            return cli_usage_error(NAME, "--trade-wait-ms: '%s'; expected 1 to 60000", arg);
    }
    return CLI_OK;
}

static int run(struct cli_ctx *c)
{
    struct rd_api_server *srv = NULL;
    struct rd_error err = {0};
    sigset_t set;
    int sig = 0;

    if (!p.tls_cert != !p.tls_key)
        return cli_usage_error(NAME, "%s given without %s: HTTPS needs both the certificate "
                               "and its private key", p.tls_cert ? "--tls-cert" : "--tls-key",
                               p.tls_cert ? "--tls-key" : "--tls-cert");
    if (list_routes) {
        /* the router's own table: what docs/openapi.yaml must list */
        for (size_t i = 0; i < rd_api_route_count(); i++) {
            struct rd_api_route_info ri;

            rd_api_route_get(i, &ri);
            printf("%s %s %s\n", ri.method, ri.pattern, rd_api_role_name(ri.min_role));
        }
        return CLI_OK;
    }
    p.config_path = c->config;
    p.database = c->db;
    p.clock_start = c->at ? c->now : 0;
    p.threads = (unsigned)threads;
    p.body_max = body_max;
    p.dispatch_interval = (unsigned)interval;
    p.trade_wait_ms = (unsigned)wait_ms;
    cli_env_warnings();

    /* the signals are taken by sigwait below, in this thread only: block them
     * before any thread starts so every thread inherits the mask */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (check_keys(p.config_path, &err) != RD_OK ||
        rd_api_server_new(&p, &srv, &err) != RD_OK)
        return cli_fail(&err);
    {
        char running_on[512], failed[512];
        int nfailed = rd_api_server_degraded(srv, running_on, sizeof running_on, failed,
                                             sizeof failed);

        if (nfailed > 0) {
            struct rd_logline l;

            rd_log_begin(&l, RD_LOG_WARN, "serve.degraded");
            rd_log_str(&l, "running_on", running_on);
            rd_log_str(&l, "failed", failed);
            rd_log_end(&l);
            fprintf(stderr, "riskdesk serve: degraded: running on %s; failed to start: %s "
                            "(GET /readyz has the errors)\n", running_on, failed);
        }
    }
    printf("riskdesk serve: listening on %s (port %d)%s\n", p.listen, rd_api_server_port(srv),
           p.tls_cert ? " with TLS" : "");
    {
        struct rd_logline l;

        rd_log_begin(&l, RD_LOG_INFO, "serve.listening");
        rd_log_str(&l, "listen", p.listen);
        rd_log_int(&l, "port", rd_api_server_port(srv));
        rd_log_str(&l, "scheme", p.tls_cert ? "https" : "http");
        rd_log_str(&l, "dispatch", p.dispatch ? p.dispatch : "");
        rd_log_end(&l);
    }
    fflush(stdout);
    sigwait(&set, &sig);
    rd_log_msg(RD_LOG_INFO, "serve.stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    rd_api_server_stop(srv, (unsigned)grace * 1000);
    rd_api_server_free(srv);
    rd_log_msg(RD_LOG_INFO, "serve.stopped", "requests finished, dispatchers stopped");
    return CLI_OK;
}

const struct cli_cmd cli_cmd_serve = {
    .name = NAME,
    .summary = "run the HTTP API (and, with --dispatch, the dispatchers)",
    .usage = "usage: riskdesk serve [--config F] [--db URL] [--listen HOST:PORT] [--threads N]\n"
             "                      [--body-max BYTES] [--dispatch all|NAME,...] [--interval S]\n"
             "                      [--grace S] [--trade-wait-ms MS] [--at TIME]\n"
             "                      [--tls-cert PEM --tls-key PEM]\n"
             "       riskdesk serve --routes\n\n"
             "Serves the JSON API under /api/v1 (docs/api.md), /healthz, /readyz and\n"
             "/metrics. --listen defaults to 127.0.0.1:8080; port 0 picks a free one (the\n"
             "first line on stdout says which). Requests need a bearer token from\n"
             "'riskdesk tokens create'. --dispatch runs those accounts' dispatchers in this\n"
             "process, a cycle every --interval seconds (60); an account whose dispatcher\n"
             "cannot start is reported and the others run (degraded), the start fails only\n"
             "when none can. A trade for an account dispatched here is decided at once\n"
             "and answered with that decision (waiting up to --trade-wait-ms, 5000).\n"
             "--at starts the trading clock (dispatchers, trades) at TIME; it then runs\n"
             "on (rehearsals, tests). Request bodies over\n"
             "--body-max bytes (1 MiB) are refused with 413. SIGTERM or Ctrl-C: stop\n"
             "accepting, finish requests in flight (up to --grace seconds, 10), let each\n"
             "dispatcher finish its cycle, exit 0. --routes prints the routes the server\n"
             "answers, one 'METHOD PATH ROLE' a line (the weakest role each needs), and exits.\n"
             "--tls-cert and --tls-key (PEM files, both) serve HTTPS instead of HTTP\n"
             "(docs/operations.md, \"In transit\").\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_AT,
    .options = opts,
    .option = option,
    .run = run,
};
