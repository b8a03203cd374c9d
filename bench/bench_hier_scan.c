/*
 * bench_hier_scan.c - the hierarchy's scan over 1,000,000 nodes in memory
 * (issue 14's goal: under 1 s).
 *
 * Each node has its ledger sums (opening, P&L, transfers), a type, a state,
 * its last fork and its snapshots' figures, drawn from a fixed seed so that
 * about 1 node in 5 may fork. The scan does for every node what `fork scan`
 * and `consolidate scan` decide from once the store has been read: its
 * capital and surplus from the sums (rd_ledger_surplus), the fork's
 * prerequisites (rd_fork_check, its refusal message written as the command
 * writes it), the confidence of each fork that may go (rd_fork_assess), and
 * the consolidation triggers (rd_merge_triggers). Best of 5 runs, and the
 * counts, which must be the same each run. Results go in docs/benchmarks.md.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "riskdesk/consolidate.h"
#include "riskdesk/fork.h"
#include "riskdesk/ledger.h"

#define NNODES 1000000
#define RUNS 5
#define NOW 1763800000LL
#define DAY 86400LL

struct node {
    char name[24];
    struct rd_ledger_sums sums;
    enum rd_node_type type;
    enum rd_node_state state;
    int64_t last_fork, last_entry;
    int32_t tracked_days;
    int64_t annual_return_ppm, drawdown_ppm;
};

struct tally {
    long may_fork, execute, window, review, triggered;
    int64_t confidence;           /* summed, so the work cannot be skipped */
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t next(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static void make(struct node *n, long i, uint64_t *x)
{
    static const rd_money opening[] = {10000 * RD_MONEY_SCALE, 100000 * RD_MONEY_SCALE,
                                       500000 * RD_MONEY_SCALE};
    uint64_t r = next(x);

    memset(n, 0, sizeof *n);
    snprintf(n->name, sizeof n->name, "n%07ld", i);
    n->type = (enum rd_node_type)(r % 3);
    n->state = r % 17 == 0 ? RD_NODE_SAFE : RD_NODE_ACTIVE;
    n->sums.opening = opening[n->type];
    /* P&L from -20% to +1,180% of the opening: gen nodes fork from +1,000%,
     * rev nodes from +500%, com nodes never */
    n->sums.pnl = (rd_money)(next(x) % 1201) * (opening[n->type] / 100) -
                  opening[n->type] / 5;
    n->sums.available = n->sums.opening + n->sums.pnl;
    n->last_fork = r % 5 == 0 ? NOW - (int64_t)(next(x) % (3 * DAY)) : 0;
    n->last_entry = NOW - (int64_t)(next(x) % (60 * DAY));
    n->tracked_days = (int32_t)(next(x) % 120);
    n->annual_return_ppm = (int64_t)(next(x) % 600000) - 100000;
    n->drawdown_ppm = (int64_t)(next(x) % 300000);
}

static void scan(const struct node *nodes, long n, const struct rd_node_types *types,
                 struct tally *t)
{
    memset(t, 0, sizeof *t);
    for (long i = 0; i < n; i++) {
        const struct node *x = &nodes[i];
        struct rd_fork_facts f = {.type = x->type, .state = x->state,
                                  .surplus = rd_ledger_surplus(&x->sums),
                                  .available = x->sums.available, .last_attempt = x->last_fork,
                                  .now = NOW};
        struct rd_merge_facts m = {.type = x->type, .capital = rd_ledger_capital(&x->sums),
                                   .tracked_days = x->tracked_days,
                                   .annual_return_ppm = x->annual_return_ppm,
                                   .drawdown_ppm = x->drawdown_ppm,
                                   .last_entry = x->last_entry, .now = NOW};
        enum rd_merge_trigger top;
        struct rd_error err = {0};

        if (rd_fork_check(x->name, types, &f, &err) == RD_OK) {
            struct rd_fork_inputs in = {.vix_known = 1, .vix = 18 * RD_PPM,
                                        .vix_halt = 40 * RD_PPM,
                                        .tracked_days = x->tracked_days,
                                        .annual_return_ppm = x->annual_return_ppm,
                                        .drawdown_ppm = x->drawdown_ppm};
            struct rd_fork_factors ff;

            rd_fork_assess(&in, &ff);
            t->may_fork++;
            t->confidence += ff.confidence;
            t->execute += ff.action == RD_FORK_EXECUTE;
            t->window += ff.action == RD_FORK_WINDOW;
            t->review += ff.action == RD_FORK_REVIEW;
        }
        t->triggered += rd_merge_triggers(&m, types, &top) != 0;
    }
}

int main(void)
{
    struct node *nodes = malloc(sizeof *nodes * NNODES);
    struct rd_node_types types;
    struct tally t, first;
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    double best = 1e9;

    if (!nodes) {
        fprintf(stderr, "bench_hier_scan: out of memory\n");
        return 1;
    }
    rd_node_types_default(&types);
    for (long i = 0; i < NNODES; i++)
        make(&nodes[i], i, &x);
    for (int run = 0; run < RUNS; run++) {
        double t0 = now_s();

        scan(nodes, NNODES, &types, &t);
        if (now_s() - t0 < best)
            best = now_s() - t0;
        if (run == 0)
            first = t;
        else if (memcmp(&t, &first, sizeof t) != 0) {
            fprintf(stderr, "bench_hier_scan: run %d counted otherwise than run 1\n", run + 1);
            return 1;
        }
    }
    printf("hierarchy scan, %d nodes in memory: %.3f s best of %d (%.0f ns a node); "
           "%ld may fork (%ld execute, %ld window, %ld review), %ld with a consolidation "
           "trigger; goal < 1 s: %s\n", NNODES, best, RUNS, best * 1e9 / NNODES, t.may_fork,
           t.execute, t.window, t.review, t.triggered, best < 1.0 ? "met" : "MISSED");
    free(nodes);
    return 0;
}
