/*
 * bench_replay: what-if replay of 100,000 recorded decisions (goal < 1 s),
 * beside its peer, the dispatcher deciding the same recommendations live in
 * the same run (SQLite file in /tmp, synchronous=FULL, paper broker, cycles
 * of 1,000). Replays once under the config the decisions were made with
 * (every one must come out identical) and once with max_open_positions 1.
 * argv[1]: how many (default 100,000); argv[2]: SQLite URL options ("?sync=off").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "riskdesk/log.h"
#include "riskdesk/replay_run.h"
#include "riskdesk/runner.h"

#define T_1030 1795188600LL    /* Friday 2026-11-20 10:30 ET */
#define BATCH 1000

static int n_recs = 100000;

static const char config_text[] =
    "{\"accounts\": [{\"name\": \"bench\", \"tier\": \"large\", \"starting_cash\": \"209000\"}]}";
static const char tight_text[] =
    "{\"accounts\": [{\"name\": \"bench\", \"tier\": \"large\", \"starting_cash\": \"209000\","
    " \"risk\": {\"max_open_positions\": 1}}]}";

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void check(int rc, const struct rd_error *e)
{
    if (rc == RD_OK)
        return;
    fprintf(stderr, "bench_replay: %s\n", e->msg);
    exit(1);
}

/* n_recs calls and puts on 500 underlyings with confidence, price and
 * volume ratio spread so that several gates refuse some. */
static void store_recs(struct rd_store *s)
{
    struct rd_error err = {0};
    struct rd_rec r;

    check(s->ops->begin(s, &err), &err);
    for (int i = 0; i < n_recs; i++) {
        memset(&r, 0, sizeof r);
        snprintf(r.id, sizeof r.id, "rp%06d", i);
        snprintf(r.underlying, sizeof r.underlying, "U%03d", i % 500);
        snprintf(r.symbol, sizeof r.symbol, "%s261218%c00100000", r.underlying, i % 2 ? 'C' : 'P');
        r.action = i % 2 ? RD_ACT_BUY_CALL : RD_ACT_BUY_PUT;
        r.strategy = i % 3 ? RD_STRAT_SWING : RD_STRAT_DAY;
        r.confidence = 300000 + (i * 7919 % 650) * 1000;
        r.volume_ratio = 1000000 + (i * 104729 % 25) * 100000;
        r.price = RD_DOLLARS(1) + (i % 40) * 1000;
        r.created_at = T_1030 - 10;
        check(s->ops->trading->rec_add(s, &r, &err), &err);
    }
    check(s->ops->commit(s, &err), &err);
}

static double replay(struct rd_store *s, const char *text, const char *label, double live)
{
    struct rd_error err = {0};
    struct rd_config *cfg = NULL;
    struct rd_replay r;
    double t0, t;

    check(rd_config_load_text(text, strlen(text), label, &cfg, &err), &err);
    t0 = now_s();
    check(rd_replay_run(s, cfg, &cfg->accounts[0], T_1030 - 86400, T_1030 + 86400, &r, &err), &err);
    t = now_s() - t0;
    printf("%-40s %8lld %9.3f s %12.0f /s  identical %lld, flipped %lld; %.1fx the live rate\n",
           label, (long long)r.decisions, t, (double)r.decisions / t, (long long)r.identical,
           (long long)(r.flipped_to_rejected + r.flipped_to_approved), live / t);
    rd_replay_release(&r);
    rd_config_free(cfg);
    return t;
}

int main(int argc, char **argv)
{
    char path[128], url[160], side[160];
    struct rd_error err = {0};
    struct rd_runner_params p = {0};
    struct rd_config *cfg = NULL;
    struct rd_store *s = NULL;
    struct rd_runner *ru = NULL;
    struct rd_cycle_stats st;
    long decided = 0, approved = 0;
    double t0, live;

    rd_log_set_level(RD_LOG_ERROR);
    setvbuf(stdout, NULL, _IOLBF, 0);
    snprintf(path, sizeof path, "/tmp/riskdesk-bench-replay-%d.db", (int)getpid());
    if (argc > 1)
        n_recs = (int)strtol(argv[1], NULL, 10);
    snprintf(url, sizeof url, "sqlite:%s%s", path, argc > 2 ? argv[2] : "");
    check(rd_config_load_text(config_text, strlen(config_text), "bench", &cfg, &err), &err);
    check(rd_store_open(url, &s, &err), &err);
    store_recs(s);
    p.cfg = cfg;
    p.account = &cfg->accounts[0];
    p.store = s;
    p.batch_max = BATCH;
    p.quiet = 1;
    check(rd_runner_open(&p, &ru, &err), &err);
    t0 = now_s();
    for (int done = 0; done < n_recs; done += BATCH) {
        check(rd_runner_cycle(ru, T_1030, &st, &err), &err);
        decided += st.decided;
        approved += st.approved;
    }
    live = now_s() - t0;
    rd_runner_close(ru);
    printf("%-40s %8ld %9.3f s %12.0f /s  (approved %ld)\n", "peer: dispatcher deciding live",
           decided, live, (double)decided / live, approved);
    replay(s, config_text, "replay, the same config", live);
    replay(s, tight_text, "replay, max_open_positions 1", live);
    rd_store_close(s);
    rd_config_free(cfg);
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    return 0;
}
