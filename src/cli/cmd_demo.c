/*
 * riskdesk demo: the two documented accounts ("large", $209,000, and "tiny",
 * $1,804) on the paper broker, fed one stream of recommendations, each
 * dispatcher holding its own account to its own limits. The market clock is
 * simulated (a minute per cycle through NYSE sessions) so the demo trades at
 * any hour; it says so when it starts.
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "riskdesk/alloc.h"
#include "riskdesk/calendar.h"
#include "riskdesk/demo.h"
#include "riskdesk/runner.h"
#include "riskdesk/log.h"
#include "riskdesk/banned.h"

#define NAME "demo"
#define DEFAULT_DB "riskdesk-demo.db"
#define MAX_ACCOUNTS 8
#define SESSION_START_MIN (9 * 60 + 40)
#define SESSION_END_MIN (15 * 60 + 58)
/* Simulated seconds per cycle: a session in about a minute of wall time. */
#define DEMO_STEP_S 120

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

struct totals {
    long decided, approved, filled, broker_rejected, exits;
};

struct demo {
    struct totals t[MAX_ACCOUNTS];
    const struct rd_config *cfg;
    int64_t now;
};

static int account_index(const struct demo *dm, const char *name)
{
    for (int i = 0; i < dm->cfg->naccounts; i++)
        if (!strcmp(dm->cfg->accounts[i].name, name))
            return i;
    return 0;
}

static void on_decision(void *ctx, const char *account, const struct rd_rec *rec,
                        const struct rd_decision *d)
{
    struct demo *dm = ctx;
    struct rd_local_time lt;
    char price[32], a[40], b[40];
    int failed = 0;

    rd_et_from_utc(dm->now, &lt);
    rd_money_format(rec->price, price, sizeof price);
    printf("%02d:%02d ET  %-5s %-11s %-4s %-8s %-21s %-5s @%-6s ", lt.minute / 60, lt.minute % 60,
           account, rec->id, rec->underlying, rd_action_name(rec->action), rec->symbol,
           rd_strategy_name(rec->strategy), price);
    if (d->approved) {
        rd_money_format(d->budget, a, sizeof a);
        rd_money_format(d->unit_risk, b, sizeof b);
        printf("APPROVED x%lld  (%d/%d gates; budget %s, risk/unit %s)\n", (long long)d->size,
               d->nverdicts, d->nverdicts, a, b);
    } else {
        char why[1024];

        failed = rd_decision_failures(d, 3, why, sizeof why);
        printf("REJECTED (%d/%d gates passed) %s\n", d->nverdicts - failed, d->nverdicts, why);
    }
    dm->t[account_index(dm, account)].decided++;
    dm->t[account_index(dm, account)].approved += d->approved;
}

static void on_order(void *ctx, const struct rd_order_row *o)
{
    struct demo *dm = ctx;
    struct totals *t = &dm->t[account_index(dm, o->account)];
    char fill[32];

    rd_money_format(o->fill_price, fill, sizeof fill);
    if (o->status == RD_ORDER_FILLED) {
        t->filled++;
        printf("          %-5s %s %-4s %lld %s filled @%s%s%s\n", o->account,
               o->intent == RD_INTENT_ENTRY ? "entry" : "exit ", o->side == RD_SIDE_BUY ? "buy" : "sell",
               (long long)o->qty, o->symbol, fill, o->intent == RD_INTENT_EXIT ? "  " : "",
               o->intent == RD_INTENT_EXIT ? o->reason : "");
        t->exits += o->intent == RD_INTENT_EXIT;
    } else if (o->status == RD_ORDER_REJECTED) {
        t->broker_rejected++;
        printf("          %-5s order %s REJECTED by the broker: %s\n", o->account, o->symbol,
               o->reason);
    }
}

/* The simulated clock: the latest NYSE session on or before the real date, from 09:40 ET. */
static int64_t session_start(int64_t real_now)
{
    struct rd_local_time lt;
    int32_t day;

    rd_et_from_utc(real_now, &lt);
    day = rd_nyse_is_trading_day(lt.day) ? lt.day : rd_nyse_prev_trading_day(lt.day);
    return rd_et_to_utc(day, SESSION_START_MIN);
}

static int64_t advance(int64_t now, int64_t step)
{
    struct rd_local_time lt;
    struct rd_session s;

    now += step;
    rd_et_from_utc(now, &lt);
    rd_nyse_session(lt.day, &s);
    if (s.open && lt.minute < s.close_minute - 2 && lt.minute < SESSION_END_MIN)
        return now;
    return rd_et_to_utc(rd_nyse_next_trading_day(lt.day), SESSION_START_MIN);
}

static void remove_db(const char *path)
{
    char p[512];

    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

static const struct option opts[] = {
    {"duration", required_argument, NULL, 'D'}, {"db", required_argument, NULL, 'd'},
    {"interval-ms", required_argument, NULL, 'i'}, {"seed", required_argument, NULL, 's'},
    {"recs-per-cycle", required_argument, NULL, 'r'}, {"print-config", no_argument, NULL, 'p'},
    {NULL, 0, NULL, 0},
};

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (*s == '\0' || *end != '\0' || v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

static const char *db = DEFAULT_DB;
static long duration, interval_ms = 400, seed = 1, per_cycle = 2;
static int print_config;
static int user_db;

static int option(int val, const char *arg)
{
    switch (val) {
    case 'D':
        if (!parse_long(arg, 1, 86400 * 365, &duration))
            return cli_usage_error(NAME, "--duration: '%s'; expected seconds > 0", arg);
        break;
    case 'd':
        /* a path, or the sqlite: URL every other command takes */
        db = strncmp(arg, "sqlite:", 7) == 0 ? arg + 7 : arg;
        if (!db[0] || db[0] == '?' || strchr(db, '?'))
            return cli_usage_error(NAME, "--db: '%s'; expected a file path or sqlite:PATH", arg);
        user_db = 1;
        break;
    case 'i':
        if (!parse_long(arg, 0, 60000, &interval_ms))
            return cli_usage_error(NAME, "--interval-ms: '%s'; expected 0 to 60000", arg);
        break;
    case 's':
        if (!parse_long(arg, 0, 1L << 30, &seed))
            return cli_usage_error(NAME, "--seed: '%s'; expected a number >= 0", arg);
        break;
    case 'p':
        print_config = 1;
        break;
    default:
        if (!parse_long(arg, 1, 1000, &per_cycle))
            return cli_usage_error(NAME, "--recs-per-cycle: '%s'; expected 1 to 1000", arg);
    }
    return CLI_OK;
}

static int run(struct cli_ctx *c)
{
    char url[600];
    struct rd_error err = {0};
    struct rd_config *cfg = NULL;
    struct rd_store *store = NULL;
    struct rd_runner *runners[MAX_ACCOUNTS] = {0};
    struct rd_demo_feed feed;
    struct demo dm;
    struct sigaction sa;
    time_t started = time(NULL);
    int rc = RD_OK, n = 0;

    if (print_config) {
        /* the accounts and limits the demo runs with, e.g. for `riskdesk replay` */
        fputs(rd_config_demo_text(), stdout);
        return CLI_OK;
    }
    if (user_db && access(db, F_OK) == 0) {
        fprintf(stderr, "riskdesk: %s exists; the demo starts a new database: remove it or "
                        "choose another --db\n", db);
        return CLI_FAIL;
    }
    remove_db(db);
    snprintf(url, sizeof url, "sqlite:%s", db);
    memset(&dm, 0, sizeof dm);
    if ((rc = rd_config_load_demo(url, &cfg, &err)) != RD_OK ||
        (rc = rd_store_open_config(cfg->database, cfg, &store, &err)) != RD_OK)
        goto out;
    dm.cfg = cfg;
    dm.now = session_start((int64_t)started);
    n = cfg->naccounts < MAX_ACCOUNTS ? cfg->naccounts : MAX_ACCOUNTS;
    for (int i = 0; i < n && rc == RD_OK; i++) {
        struct rd_runner_params p;

        memset(&p, 0, sizeof p);
        p.cfg = cfg;
        p.account = &cfg->accounts[i];
        p.store = store;
        p.hooks.decision = on_decision;
        p.hooks.order = on_order;
        p.hooks.ctx = &dm;
        p.quiet = 1;                /* the demo prints its own lines */
        if ((rc = rd_runner_open(&p, &runners[i], &err)) != RD_OK ||
            (rc = rd_runner_start(runners[i], dm.now, &err)) != RD_OK)
            break;
    }
    if (rc != RD_OK)
        goto out;
    printf("riskdesk demo: %d accounts on the paper broker, database %s\n", n, db);
    printf("The market clock is simulated: %d minutes per cycle through NYSE sessions.\n",
           DEMO_STEP_S / 60);
    printf("%s\n\n", duration ? "" : "Ctrl-C stops it.");
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    rd_demo_feed_init(&feed, (uint64_t)seed);
    while (!stop_requested && (!duration || time(NULL) - started < duration)) {
        struct timespec ts = {interval_ms / 1000, (interval_ms % 1000) * 1000000L};

        rc = store->ops->begin(store, &err);
        for (long k = 0; k < per_cycle && rc == RD_OK; k++) {
            struct rd_rec rec;

            rd_demo_feed_next(&feed, dm.now, &rec);
            rc = store->ops->trading->rec_add(store, &rec, &err);
        }
        if (rc == RD_OK)
            rc = store->ops->commit(store, &err);
        else
            store->ops->rollback(store);
        for (int i = 0; i < n && rc == RD_OK; i++) {
            struct rd_cycle_stats st;

            rc = rd_runner_cycle(runners[i], dm.now, &st, &err);
        }
        if (rc != RD_OK)
            break;
        fflush(stdout);
        if (interval_ms)
            nanosleep(&ts, NULL);
        dm.now = advance(dm.now, DEMO_STEP_S);
    }
    if (rc == RD_OK) {
        printf("\nsummary\n");
        for (int i = 0; i < n; i++) {
            struct rd_broker_account ba;
            struct rd_broker_position *pos = NULL;
            struct rd_broker *b = rd_runner_broker(runners[i]);
            size_t np = 0;
            char bpow[32], eq[32];

            if (rd_runner_broker_account(runners[i], dm.now, &ba, &err) != RD_OK ||
                b->ops->list_positions(b, &pos, &np, &err) != RD_OK) {
                rc = err.code;
                break;
            }
            rd_free(pos);
            rd_money_format(ba.buying_power, bpow, sizeof bpow);
            rd_money_format(ba.equity, eq, sizeof eq);
            printf("  %-6s decided %ld, approved %ld, fills %ld (exits %ld), broker rejections %ld; "
                   "%zu open positions, buying power %s, equity %s\n",
                   cfg->accounts[i].name, dm.t[i].decided, dm.t[i].approved, dm.t[i].filled,
                   dm.t[i].exits, dm.t[i].broker_rejected, np, bpow, eq);
        }
        char abs[PATH_MAX];

        /* examples/riskdesk.json names the same two accounts */
        printf("\nInspect it (from the source tree): %s decisions --config "
               "examples/riskdesk.json --db sqlite:%s --account tiny\n", c->prog,
               realpath(db, abs) ? abs : db);
    }
out:
    for (int i = 0; i < MAX_ACCOUNTS; i++)
        rd_runner_close(runners[i]);
    rd_store_close(store);
    rd_config_free(cfg);
    return rc == RD_OK ? CLI_OK : cli_fail(&err);
}

const struct cli_cmd cli_cmd_demo = {
    .name = NAME,
    .summary = "run two accounts side by side on the paper broker (the main demo)",
    .usage = "usage: riskdesk demo [--duration S] [--db PATH] [--interval-ms MS] [--seed N]\n"
             "                    [--recs-per-cycle N] [--print-config]\n\n"
             "Creates a new SQLite database (default riskdesk-demo.db) with the accounts\n"
             "\"large\" ($209,000) and \"tiny\" ($1,804) on the paper broker, feeds a stream of\n"
             "recommendations and runs both dispatchers, printing each decision with its\n"
             "gates, until Ctrl-C or --duration seconds. The market clock is simulated.\n"
             "--print-config prints the demo's config (accounts and limits) and exits.\n",
    .options = opts,
    .option = option,
    .run = run,
};
