/*
 * bench_store_postgres.c - the PostgreSQL store under the dispatcher's load,
 * the same phases as bench_store.c (SQLite) so the two read side by side.
 *
 * The server is a throwaway cluster started here with
 * tests/tools/pg_throwaway.sh --durable (fsync on, synchronous_commit on, unix
 * socket), or the one at argv[1] (a store URL; its database must be empty).
 *   1. rec_add of N recommendations, 1,000 per transaction;
 *   2. decision_add + order_add for each (one account), 1,000 per transaction,
 *      the way the dispatcher records a cycle (target >= 20,000 per second);
 *   3. the same pair with one transaction each;
 *   4. rec_undecided(max 100) latency with N recommendations stored, for an
 *      account that decided none and for one that decided all but 100.
 * First it prints one statement's round trip (kv_get of an absent key): every
 * operation is at least one, and on a shared VM it varies several-fold from
 * minute to minute, so figures are read against it.
 * Results go in docs/benchmarks.md ("Store (PostgreSQL)").
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "riskdesk/store.h"

#define NRECS 100000
#define BATCH 1000
#define NUNBATCHED 300
#define T0 1763800000LL

static char started[256];

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void script(char *buf, size_t n)
{
    const char *f = __FILE__;   /* .../bench/bench_store_postgres.c */
    const char *cut = strstr(f, "bench/");

    snprintf(buf, n, "%.*stests/tools/pg_throwaway.sh", cut ? (int)(cut - f) : 0, f);
}

static void stop(void)
{
    char s[512], cmd[900];

    if (!started[0])
        return;
    script(s, sizeof s);
    snprintf(cmd, sizeof cmd, "bash '%s' stop '%s'", s, started);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_store_postgres: could not stop %s\n", started);
    started[0] = '\0';
}

static void die(const char *what, const struct rd_error *err)
{
    fprintf(stderr, "bench_store_postgres: %s: %s\n", what, err->msg);
    stop();
    exit(1);
}

static void make_rec(struct rd_rec *r, int i)
{
    memset(r, 0, sizeof *r);
    snprintf(r->id, sizeof r->id, "rec-%07d", i);
    r->created_at = T0 + i;
    snprintf(r->underlying, sizeof r->underlying, "T%03d", i % 500);
    snprintf(r->symbol, sizeof r->symbol, "T%03d251219C00150000", i % 500);
    r->action = RD_ACT_BUY_CALL;
    r->strategy = (i & 1) ? RD_STRAT_DAY : RD_STRAT_SWING;
    r->confidence = 650000;
    r->volume_ratio = 1800000;
    r->price = 41200;
    r->stop_price = 20600;
    r->expires_at = r->created_at + 900;
    r->has_vix = 1;
    r->vix = 18500000;
}

static void make_decision(struct rd_decision_row *row, const char *account, const struct rd_rec *r)
{
    struct rd_decision *d = &row->d;

    memset(row, 0, sizeof *row);
    snprintf(row->account, sizeof row->account, "%s", account);
    snprintf(row->rec_id, sizeof row->rec_id, "%s", r->id);
    row->decided_at = r->created_at + 1;
    d->approved = 1;
    d->size = 2;
    d->first_failed = RD_GATE_COUNT;
    d->risk_pct = 120000;
    d->budget = 2400000;
    d->unit_risk = 206000;
    d->unit_cost = 4120000;
    d->nverdicts = RD_GATE_COUNT;
    for (int g = 0; g < RD_GATE_COUNT; g++) {
        d->verdicts[g].gate = (uint8_t)g;
        d->verdicts[g].passed = 1;
        d->verdicts[g].reason = RD_REASON_OK;
        d->verdicts[g].kind = RD_VAL_MONEY;
        d->verdicts[g].observed = 12345678 + g;
        d->verdicts[g].threshold = 50000000;
    }
}

static void make_order(struct rd_order_row *o, const struct rd_decision_row *row,
                       const struct rd_rec *r)
{
    memset(o, 0, sizeof *o);
    snprintf(o->client_order_id, sizeof o->client_order_id, "rd-%.16s-%.24s", row->account, r->id);
    snprintf(o->account, sizeof o->account, "%s", row->account);
    snprintf(o->rec_id, sizeof o->rec_id, "%s", r->id);
    o->decision_id = row->id;
    snprintf(o->symbol, sizeof o->symbol, "%s", r->symbol);
    snprintf(o->underlying, sizeof o->underlying, "%s", r->underlying);
    o->side = RD_SIDE_BUY;
    o->intent = RD_INTENT_ENTRY;
    o->strategy = r->strategy;
    o->qty = row->d.size;
    o->multiplier = 100;
    o->ref_price = r->price;
    o->status = RD_ORDER_PENDING;
    snprintf(o->reason, sizeof o->reason, "approved");
    o->created_at = row->decided_at;
    o->updated_at = row->decided_at;
}

static void decide_range(struct rd_store *s, const char *account, int from, int to, int batch)
{
    struct rd_error err = {0};
    struct rd_rec r;
    struct rd_decision_row row;
    struct rd_order_row o;

    for (int i = from; i < to; i += batch) {
        if (s->ops->begin(s, &err))
            die("begin", &err);
        for (int j = i; j < i + batch && j < to; j++) {
            make_rec(&r, j);
            make_decision(&row, account, &r);
            if (s->ops->trading->decision_add(s, &row, &err))
                die("decision_add", &err);
            make_order(&o, &row, &r);
            if (s->ops->trading->order_add(s, &o, &err))
                die("order_add", &err);
        }
        if (s->ops->commit(s, &err))
            die("commit", &err);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double undecided_ms(struct rd_store *s, const char *account, int64_t from,
                           size_t expect)
{
    static struct rd_rec out[100];
    struct rd_error err = {0};
    double t[21];
    size_t n;

    for (int k = 0; k < 21; k++) {
        int64_t mark = from;
        double a = now_s();

        if (s->ops->trading->rec_undecided(s, account, &mark, 100, out, &n, &err))
            die("rec_undecided", &err);
        t[k] = (now_s() - a) * 1e3;
        if (n != expect) {
            fprintf(stderr, "bench_store_postgres: rec_undecided(%s) gave %zu, expected %zu\n",
                    account, n, expect);
            stop();
            exit(1);
        }
    }
    qsort(t, 21, sizeof t[0], cmp_double);
    return t[10];
}

/* Starts a durable throwaway cluster; its URL into url. */
static int start(char *url, size_t n)
{
    char s[512], cmd[700], line[512] = "";
    FILE *p;
    int status;

    script(s, sizeof s);
    snprintf(cmd, sizeof cmd, "bash '%s' start --durable --watch %ld", s, (long)getpid());
    p = popen(cmd, "r");
    if (!p)
        return -1;
    if (!fgets(line, sizeof line, p))
        line[0] = '\0';
    status = pclose(p);
    line[strcspn(line, "\n")] = '\0';
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !strstr(line, "host="))
        return WIFEXITED(status) && WEXITSTATUS(status) == 77 ? 77 : -1;
    snprintf(url, n, "%s", line);
    snprintf(started, sizeof started, "%s", strstr(line, "host=") + 5);
    return 0;
}

int main(int argc, char **argv)
{
    char url[512];
    struct rd_store *s;
    struct rd_error err = {0};
    struct rd_rec r;
    double t, cpu, rate;
    int64_t mark = 0;

    if (argc > 1) {
        snprintf(url, sizeof url, "%s", argv[1]);
    } else {
        int rc = start(url, sizeof url);

        if (rc == 77) {
            printf("bench_store_postgres: skipped: no PostgreSQL server binaries\n");
            return 0;
        }
        if (rc) {
            fprintf(stderr, "bench_store_postgres: could not start a throwaway cluster\n");
            return 1;
        }
    }
    if (rd_store_open(url, &s, &err))
        die("open", &err);
    printf("store: %s (fsync on, synchronous_commit on, unix socket)\n", s->url);

    /* The floor under every figure below: one statement's round trip. */
    t = now_s();
    for (int i = 0; i < 20000; i++) {
        char *v = NULL;

        if (s->ops->trading->kv_get(s, "bench", "absent", &v, &err) != RD_ENOTFOUND)
            die("kv_get", &err);
    }
    t = now_s() - t;
    printf("one statement's round trip (kv_get, absent key): %6.1f us mean of 20000\n",
           t / 20000 * 1e6);

    t = now_s();
    for (int i = 0; i < NRECS; i += BATCH) {
        if (s->ops->begin(s, &err))
            die("begin", &err);
        for (int j = i; j < i + BATCH; j++) {
            make_rec(&r, j);
            if (s->ops->trading->rec_add(s, &r, &err))
                die("rec_add", &err);
        }
        if (s->ops->commit(s, &err))
            die("commit", &err);
    }
    t = now_s() - t;
    printf("rec_add, %d per transaction:                 %9.0f recs/s (%d in %.2f s)\n", BATCH,
           NRECS / t, NRECS, t);

    t = now_s();
    cpu = cpu_s();
    decide_range(s, "acct-A", 0, NRECS, BATCH);
    t = now_s() - t;
    cpu = cpu_s() - cpu;
    rate = NRECS / t;
    printf("decision_add+order_add, %d per transaction: %9.0f pairs/s (%d in %.2f s, %.2f s client CPU)\n",
           BATCH, rate, NRECS, t, cpu);

    t = now_s();
    decide_range(s, "acct-C", 0, NUNBATCHED, 1);
    t = now_s() - t;
    printf("decision_add+order_add, 1 per transaction:    %9.0f pairs/s (%d in %.2f s)\n",
           NUNBATCHED / t, NUNBATCHED, t);

    /* acct-A's mark once it has decided everything so far */
    {
        static struct rd_rec none[1];
        size_t n;

        if (s->ops->trading->rec_undecided(s, "acct-A", &mark, 1, none, &n, &err))
            die("rec_undecided", &err);
    }
    if (s->ops->begin(s, &err))
        die("begin", &err);
    for (int j = NRECS; j < NRECS + 100; j++) {
        make_rec(&r, j);
        if (s->ops->trading->rec_add(s, &r, &err))
            die("rec_add", &err);
    }
    if (s->ops->commit(s, &err))
        die("commit", &err);
    printf("rec_undecided(100), account with no decisions:    %7.3f ms median of 21\n",
           undecided_ms(s, "acct-B", 0, 100));
    printf("rec_undecided(100), 100 left among %d decided, from the start: %7.3f ms median "
           "of 21\n", NRECS, undecided_ms(s, "acct-A", 0, 100));
    printf("rec_undecided(100), 100 left among %d decided, from the mark:  %7.3f ms median "
           "of 21\n", NRECS, undecided_ms(s, "acct-A", mark, 100));

    rd_store_close(s);
    stop();
    printf("target >= 20000 pairs/s batched: %s\n", rate >= 20000 ? "met" : "NOT MET on this run");
    return 0;
}
