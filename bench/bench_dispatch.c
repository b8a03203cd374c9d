/*
 * bench_dispatch: the dispatcher on SQLite (a file in /tmp, synchronous=FULL:
 * durable) and the paper broker, one account. Measures recommendations decided
 * and durably recorded per second over 20,000 recommendations in cycles of
 * 1,000, and the wall time of a 100-recommendation cycle. Each rate is taken
 * with amounts in clear and sealed with an encryption key (crypt.h), taking
 * turns three times in the same run (docs/benchmarks.md, "Encryption at rest").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "riskdesk/runner.h"
#include "riskdesk/log.h"

#define T_1030 1795188600LL

static double seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The shipped large limits (most recommendations end at max_open_positions), and
 * limits wide open so that every approved recommendation becomes a paper fill. */
static const char config[] =
    "{\"accounts\": [{\"name\": \"bench\", \"tier\": \"large\", \"starting_cash\": \"209000\"}]}";
static const char config_open[] =
    "{\"accounts\": [{\"name\": \"bench\", \"tier\": \"large\", \"starting_cash\": \"100000000\","
    " \"risk\": {\"max_notional_exposure\": 1000000000, \"max_open_positions\": 1000000,"
    "  \"max_contracts_per_trade\": 10, \"max_daily_loss\": 500, \"max_risk_per_trade_pct\": 0.02,"
    "  \"ticker_cooldown_minutes\": 0, \"max_entries_per_ticker_per_day\": 1000,"
    "  \"max_orders_per_minute\": 100000000}}]}";

static void die(const struct rd_error *e)
{
    fprintf(stderr, "bench_dispatch: %s\n", e->msg);
    exit(1);
}

static void add_recs(struct rd_store *s, int from, int n, int64_t created)
{
    struct rd_error err = {0};
    struct rd_rec r;

    if (s->ops->begin(s, &err))
        die(&err);
    for (int i = from; i < from + n; i++) {
        memset(&r, 0, sizeof r);
        snprintf(r.id, sizeof r.id, "b%07d", i);
        snprintf(r.underlying, sizeof r.underlying, "T%05d", i % 50000);
        snprintf(r.symbol, sizeof r.symbol, "%s261218C00100000", r.underlying);
        r.action = RD_ACT_BUY_CALL;
        r.strategy = RD_STRAT_SWING;
        r.confidence = 300000 + (i % 600) * 1000;     /* about a quarter fail confidence */
        r.volume_ratio = 2000000;
        r.price = RD_DOLLARS(2);
        r.created_at = created;
        if (s->ops->trading->rec_add(s, &r, &err))
            die(&err);
    }
    if (s->ops->commit(s, &err))
        die(&err);
}

/* One account's dispatcher on its own store and paper broker. */
struct rig {
    struct rd_config *cfg;
    struct rd_store *s;
    struct rd_runner *ru;
};

static void rig_open(struct rig *r, const char *url, const char *cfgtext, size_t batch,
                     const struct rd_encryption_key *key)
{
    struct rd_error err = {0};
    struct rd_runner_params p = {0};

    if (rd_config_load_text(cfgtext, strlen(cfgtext), "bench", &r->cfg, &err) ||
        rd_store_open_keyed(url, key, &r->s, &err))
        die(&err);
    p.cfg = r->cfg;
    p.account = &r->cfg->accounts[0];
    p.store = r->s;
    p.batch_max = batch;
    p.quiet = 1;
    if (rd_runner_open(&p, &r->ru, &err))
        die(&err);
}

static void rig_close(struct rig *r)
{
    rd_runner_close(r->ru);
    rd_store_close(r->s);
    rd_config_free(r->cfg);
}

static void run(const char *url, const char *cfgtext, int total, int batch, const char *label,
                const struct rd_encryption_key *key)
{
    struct rd_error err = {0};
    struct rd_cycle_stats st;
    struct rig r;
    long decided = 0, approved = 0;
    double t0, t1;

    rig_open(&r, url, cfgtext, (size_t)batch, key);
    add_recs(r.s, 0, total, T_1030 - 10);
    t0 = seconds();
    for (int done = 0; done < total; done += batch) {
        if (rd_runner_cycle(r.ru, T_1030, &st, &err))
            die(&err);
        decided += st.decided;
        approved += st.approved;
    }
    t1 = seconds();
    printf("%-34s %-6s %12ld %10.3f s %14.0f /s   (approved %ld)\n", label,
           key ? "sealed" : "clear", decided, t1 - t0, (double)decided / (t1 - t0), approved);
    rig_close(&r);
}

static void cycle_latency(const char *url)
{
    struct rd_error err = {0};
    struct rd_cycle_stats st;
    struct rig r;
    double best = 1e9, sum = 0;
    const int rounds = 20;

    rig_open(&r, url, config, 100, NULL);
    for (int i = 0; i < rounds; i++) {
        double t0, t;

        add_recs(r.s, 1000000 + i * 100, 100, T_1030 - 10);
        t0 = seconds();
        if (rd_runner_cycle(r.ru, T_1030, &st, &err))
            die(&err);
        t = seconds() - t0;
        sum += t;
        if (t < best)
            best = t;
    }
    printf("%-34s %12d %10.3f ms best, %.3f ms mean (%d cycles)\n", "100-recommendation cycle", 100,
           best * 1e3, sum / rounds * 1e3, rounds);
    rig_close(&r);
}

/* argv[1]: SQLite URL options, e.g. "?sync=normal" or "?cache_mib=32". */
int main(int argc, char **argv)
{
    char path[128], url[256], sidecar[160];
    struct rd_encryption_key key;

    for (int i = 0; i < RD_ENCRYPTION_KEY_LEN; i++)
        key.bytes[i] = (unsigned char)(17 * i + 3);
    rd_log_set_level(RD_LOG_ERROR);
    snprintf(path, sizeof path, "/tmp/riskdesk-bench-%d.db", (int)getpid());
    snprintf(url, sizeof url, "sqlite:%s%s", path, argc > 1 ? argv[1] : "");
    for (int i = 0; i < 6; i++) {
        run(url, config, 20000, 1000, "dispatch 20k, shipped limits", i % 2 ? &key : NULL);
        unlink(path);
    }
    for (int i = 0; i < 6; i++) {
        run(url, config_open, 300, 300, "dispatch 300, every approval filled",
            i % 2 ? &key : NULL);
        unlink(path);
    }
    cycle_latency(url);
    unlink(path);
    snprintf(sidecar, sizeof sidecar, "%s-wal", path);
    unlink(sidecar);
    snprintf(sidecar, sizeof sidecar, "%s-shm", path);
    unlink(sidecar);
    return 0;
}
