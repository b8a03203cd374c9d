/*
 * bench_hier_store.c - the hierarchy on a SQLite store (issue 14's goals).
 *
 * In a fresh directory under /tmp (removed at the end), WAL,
 * synchronous=FULL unless a URL option is given as argv[1] ("?sync=normal"),
 * with a config of 1,000 gen accounts of 10,000 each:
 *   1. each made a node and given a P&L of 100,000 (2,000 transactions, the
 *      set-up);
 *   2. 1,000 forks in a row, each its own store transaction (rd_fork_execute,
 *      --force), then the 1,000 children consolidated back into their parents
 *      (rd_merge_execute, strategy parent): goal >= 2,000 a second over the
 *      2,000 operations, with `ledger verify` (rd_ledger_check) clean after;
 *   3. 8,000 more nodes, nine under each parent, made 1,000 to a store
 *      transaction as a fork makes a child (rd_hier_node_make: its account, its
 *      node, its paper cash) and funded by a deposit of 10,000 (the set-up of
 *      the next figure, quicker than 8,000 forks): 10,000 nodes;
 *   4. `riskdesk hierarchy show --json` over the 10,000 nodes, end to end
 *      (the binary next to this program, its config and store loaded, its JSON
 *      written to /dev/null): goal < 1 s, best of 5; the same in process
 *      (rd_hier_json_tree) and `ledger verify` over it all for comparison.
 * Prints one line per figure. Results go in docs/benchmarks.md.
 */
#include <inttypes.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "riskdesk/accounts.h"
#include "riskdesk/alloc.h"
#include "riskdesk/config.h"
#include "riskdesk/consolidate_ops.h"
#include "riskdesk/fork_ops.h"
#include "riskdesk/hierarchy_json.h"
#include "riskdesk/hierarchy_ops.h"
#include "riskdesk/store.h"
#include "app/hier_op_int.h"

#define NROOTS 1000
#define KIDS 9                    /* children of each root: 1,000 + 9,000 nodes */
#define NNODES (NROOTS * (KIDS + 1))
#define T0 1767628800LL           /* 2026-01-05T16:00:00Z */

static char dir[] = "/tmp/rd-bench-hier-XXXXXX";
static char cfg_path[64], db_url[128];

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* This process's user + system time so far (what a busy machine does not add). */
static double cpu_self(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void die(const char *what, const struct rd_error *err)
{
    fprintf(stderr, "bench_hier_store: %s: %s\n", what, err->msg);
    exit(1);
}

static void write_config(const char *options)
{
    FILE *f;

    snprintf(cfg_path, sizeof cfg_path, "%s/riskdesk.json", dir);
    snprintf(db_url, sizeof db_url, "sqlite:%s/rd.db%s", dir, options);
    if (!(f = fopen(cfg_path, "w"))) {
        perror("bench_hier_store: config");
        exit(1);
    }
    fprintf(f, "{\"database\": \"%s\", \"accounts\": [", db_url);
    for (int i = 0; i < NROOTS; i++)
        fprintf(f, "%s{\"name\": \"p%04d\", \"tier\": \"auto\", \"starting_cash\": \"10000\"}",
                i ? ", " : "", i);
    fprintf(f, "]}\n");
    fclose(f);
}

/* The config with the accounts the forks made, as every command sees it. */
static void reload(struct rd_store *s, struct rd_config **cfg)
{
    struct rd_error err = {0};

    rd_config_free(*cfg);
    if (rd_config_load_file(cfg_path, cfg, &err) != RD_OK ||
        rd_accounts_add_stored(cfg_path, s, cfg, &err) != RD_OK)
        die("config", &err);
}

static const struct rd_account_config *account(const struct rd_config *cfg, const char *name)
{
    const struct rd_account_config *a = rd_config_account(cfg, name);

    if (!a) {
        fprintf(stderr, "bench_hier_store: no account %s\n", name);
        exit(1);
    }
    return a;
}

static void earn(struct rd_store *s, const struct rd_config *cfg, int i, int round,
                 const struct rd_hier_actor *by)
{
    char name[16], key[32];
    struct rd_ledger_result res;
    struct rd_error err = {0};
    struct rd_ledger_request r = {RD_LEDGER_PNL_KIND, NULL, 100000 * RD_MONEY_SCALE, key, ""};

    snprintf(name, sizeof name, "p%04d", i);
    snprintf(key, sizeof key, "earn/%s/%d", name, round);
    r.acct = account(cfg, name);
    if (rd_ledger_post(s, &r, by, &res, &err) != RD_OK)
        die("ledger pnl", &err);
}

static void fork_one(struct rd_store *s, const struct rd_config *cfg, int i,
                     const struct rd_hier_actor *by)
{
    char name[16];
    struct rd_fork_request r;
    struct rd_fork_result res;
    struct rd_error err = {0};
    int64_t assessment;

    snprintf(name, sizeof name, "p%04d", i);
    memset(&r, 0, sizeof r);
    r.cfg = cfg;
    r.acct = account(cfg, name);
    r.force = 1;
    if (rd_fork_execute(s, &r, by, &res, &assessment, &err) != RD_OK)
        die("fork execute", &err);
}

static void merge_one(struct rd_store *s, const struct rd_config *cfg, int i,
                      const struct rd_hier_actor *by)
{
    char name[24];
    struct rd_merge_request r;
    struct rd_merge_result res;
    struct rd_error err = {0};
    int64_t assessment = 0;

    snprintf(name, sizeof name, "p%04d.f1", i);
    memset(&r, 0, sizeof r);
    r.cfg = cfg;
    r.acct = account(cfg, name);
    r.strategy = RD_MERGE_PARENT;
    r.force = 1;
    if (rd_merge_execute(s, &r, by, &res, &assessment, &err) != RD_OK)
        die("consolidate execute", &err);
}

/* Child k of root i (k >= 2: the first came from its fork), funded by a deposit. */
static void grow(struct rd_store *s, const struct rd_config *cfg, int i, int k,
                 const struct rd_hier_actor *by)
{
    struct rd_ledger_entry e[2];
    struct rd_ledger_txn t;
    struct rd_error err = {0};
    char name[24], parent[16];

    snprintf(parent, sizeof parent, "p%04d", i);
    snprintf(name, sizeof name, "p%04d.k%d", i, k);
    memset(e, 0, sizeof e);
    memset(&t, 0, sizeof t);
    if (rd_hier_node_make(s, cfg, name, RD_NODE_REV, parent, 10000 * RD_MONEY_SCALE, "bench",
                          by, &err) != RD_OK ||
        rd_ledger_book(name, 0, e[0].book, sizeof e[0].book, &err) != RD_OK)
        die("node", &err);
    e[0].amount = 10000 * RD_MONEY_SCALE;
    snprintf(e[1].book, sizeof e[1].book, "@external");
    e[1].amount = -e[0].amount;
    snprintf(t.key, sizeof t.key, "fund/%s", name);
    t.kind = RD_LEDGER_DEPOSIT;
    snprintf(t.who, sizeof t.who, "%s", by->who);
    t.at = by->now;
    if (s->ops->ledger->txn_add(s, &t, e, 2, &err) != RD_OK)
        die("deposit", &err);
}

static double verify(struct rd_store *s, struct rd_ledger_report *rep)
{
    struct rd_error err = {0};
    double t0 = now_s();

    if (rd_ledger_check(s, rep, &err) != RD_OK)
        die("ledger verify", &err);
    if (rep->nproblems) {
        fprintf(stderr, "bench_hier_store: ledger verify: %zu problems, the first: %s\n",
                rep->nproblems, rep->problems[0]);
        exit(1);
    }
    return now_s() - t0;
}

/* `riskdesk hierarchy show --json` with its output to /dev/null: the wall
 * time, and in *cpu its user + system time (what a busy machine does not add). */
static double show_cli(const char *bin, double *cpu)
{
    double t0 = now_s();
    pid_t pid = fork();
    struct rusage ru;
    int status;

    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout))
            _exit(127);
        execl(bin, bin, "hierarchy", "show", "--json", "--config", cfg_path, (char *)NULL);
        _exit(127);
    }
    if (pid < 0 || wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_hier_store: %s hierarchy show failed\n", bin);
        exit(1);
    }
    *cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    return now_s() - t0;
}

int main(int argc, char **argv)
{
    struct rd_hier_actor by = {"bench", T0};
    struct rd_config *cfg = NULL;
    struct rd_store *s;
    struct rd_error err = {0};
    struct rd_ledger_report rep;
    char bin[4096], cmd[128];
    double t0, cpu0, ops_cpu, forks, merges, best_cli = 1e9, best_lib = 1e9, best_cpu = 1e9;

    rd_alloc_process_init();               /* as the riskdesk binary does */
    setvbuf(stdout, NULL, _IOLBF, 0);      /* each figure as it comes */
    snprintf(bin, sizeof bin, "%s/riskdesk", dirname(argv[0]));
    if (!mkdtemp(dir)) {
        perror("bench_hier_store: mkdtemp");
        return 1;
    }
    write_config(argc > 1 ? argv[1] : "");
    if (rd_config_load_file(cfg_path, &cfg, &err) != RD_OK ||
        rd_store_open(db_url, &s, &err) != RD_OK)
        die("open", &err);

    t0 = now_s();
    for (int i = 0; i < NROOTS; i++) {
        char name[16];
        struct rd_hier_view v;

        snprintf(name, sizeof name, "p%04d", i);
        if (rd_hier_init(s, account(cfg, name), RD_NODE_GEN, &by, &v, &err) != RD_OK)
            die("hierarchy init", &err);
        earn(s, cfg, i, 0, &by);
    }
    printf("set-up: %d nodes made and given a P&L, %.0f transactions a second\n", NROOTS,
           2 * NROOTS / (now_s() - t0));

    cpu0 = cpu_self();
    t0 = now_s();
    for (int i = 0; i < NROOTS; i++)
        fork_one(s, cfg, i, &by);
    forks = now_s() - t0;
    reload(s, &cfg);
    t0 = now_s();
    for (int i = 0; i < NROOTS; i++)
        merge_one(s, cfg, i, &by);
    merges = now_s() - t0;
    ops_cpu = cpu_self() - cpu0;
    verify(s, &rep);
    printf("%d forks then %d consolidations, each its own transaction: forks %.0f/s, "
           "consolidations %.0f/s, %.0f operations a second in all (goal >= 2,000: %s), "
           "%.2f s of CPU (user + system: %.0f operations a CPU second); "
           "ledger verify clean (%" PRId64 " transactions)\n", NROOTS, NROOTS, NROOTS / forks,
           NROOTS / merges, 2 * NROOTS / (forks + merges),
           2 * NROOTS / (forks + merges) >= 2000 ? "met" : "MISSED", ops_cpu, 2 * NROOTS / ops_cpu,
           rep.transactions);
    if (argc > 2 && !strcmp(argv[2], "ops"))      /* the operations' figure alone */
        goto out;

    t0 = now_s();
    for (int k = 2; k <= KIDS; k++) {
        if (s->ops->begin(s, &err) != RD_OK)
            die("begin", &err);
        for (int i = 0; i < NROOTS; i++)
            grow(s, cfg, i, k, &by);
        if (s->ops->commit(s, &err) != RD_OK)
            die("commit", &err);
    }
    printf("set-up: %d more nodes, %.0f a second\n", NROOTS * (KIDS - 1),
           NROOTS * (KIDS - 1) / (now_s() - t0));
    for (int run = 0; run < 5; run++) {
        json_t *tree = NULL;
        double t, cpu;

        t0 = now_s();
        if (rd_hier_json_tree(s, NULL, &tree, &err) != RD_OK)
            die("hierarchy tree", &err);
        t = now_s() - t0;
        if (run == 0 && json_array_size(json_object_get(tree, "nodes")) != NNODES) {
            fprintf(stderr, "bench_hier_store: %zu nodes, not %d\n",
                    json_array_size(json_object_get(tree, "nodes")), NNODES);
            return 1;
        }
        json_decref(tree);
        if (t < best_lib)
            best_lib = t;
        if ((t = show_cli(bin, &cpu)) < best_cli)
            best_cli = t;
        if (cpu < best_cpu)
            best_cpu = cpu;
    }
    printf("hierarchy show --json, %d nodes on SQLite: %.3f s end to end (the binary), "
           "best of 5 (goal < 1 s: %s), %.3f s of CPU; %.3f s in process\n", NNODES, best_cli,
           best_cli < 1.0 ? "met" : "MISSED", best_cpu, best_lib);
    printf("ledger verify over %d nodes: %.3f s, clean\n", NNODES,
           verify(s, &rep));
out:
    rd_store_close(s);
    rd_config_free(cfg);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
