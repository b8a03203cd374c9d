/*
 * runner.h - the one way to run an account. Given the config and one of its
 * accounts, a runner resolves the account's credentials, checks them against
 * every other account's (no account trades on another's keys), opens the
 * broker (handing the paper broker its state in the store), makes the
 * dispatcher, and then starts, cycles, pauses, resumes and closes it, with
 * one cycle logger and the account's health kept as it goes.
 *
 * `riskdesk dispatch`, `serve --dispatch`, the API's live numbers and trade
 * route, the demo and the benchmarks all open accounts here; nothing else
 * calls rd_broker_open.
 *
 * Recovery: a runner that opened its own store (store_url) survives the
 * store. After a failed cycle its next rd_runner_cycle closes the broker,
 * dispatcher and store handle, opens them again, takes the account's lock
 * again and syncs, with a backoff of 1, 2, 4 ... 30 s between attempts
 * (dispatch.reopen_failed, dispatch.recovered). Only a lock taken meanwhile
 * by another process ends it (RD_EBUSY naming the holder). A runner over a
 * borrowed store reports a failed cycle and goes on with the same handle.
 *
 * Ownership: rd_runner_open returns a heap object released with
 * rd_runner_close. It borrows cfg and account (they must outlive it) and the
 * store when one is given; with store_url instead it opens and closes its own
 * handle. A runner is used by one thread at a time.
 */
#ifndef RISKDESK_RUNNER_H
#define RISKDESK_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/broker.h"
#include "riskdesk/config.h"
#include "riskdesk/dispatcher.h"
#include "riskdesk/store.h"

struct rd_runner;

struct rd_runner_params {
    const struct rd_config *cfg;              /* every account: keys are checked against all */
    const struct rd_account_config *account;  /* one of cfg's, or an account made elsewhere */
    struct rd_store *store;                   /* borrowed; NULL: open store_url */
    const char *store_url;
    size_t batch_max;                         /* recommendations a batch; 0 = 1000 */
    struct rd_dispatch_hooks hooks;
    int quiet;                                /* no dispatch.cycle line per cycle */
    int probe;                                /* asks only, never starts: the keys are
                                                 not compared with every other account's
                                                 (rd_runner_start refuses a probe) */
};

/* What the runner knows of its account right now. */
struct rd_runner_status {
    int started;                  /* rd_runner_start succeeded: the lock is held */
    int paused;
    int recovering;               /* a cycle failed: the next ones reopen the store first */
    int reopens;                  /* successful reopens since open */
    int failures;                 /* cycles failed in a row */
    int64_t cycles;               /* cycles run since open */
    int64_t last_ok;              /* when (Unix s) the last cycle succeeded; 0 = never */
    char error[256];              /* the last failure, when failures > 0 */
};

/* Opens the account: RD_ECONFIG naming both accounts when its keys are
 * another's; the broker's own errors otherwise. On failure nothing is open. */
int rd_runner_open(const struct rd_runner_params *p, struct rd_runner **out, struct rd_error *err);
void rd_runner_close(struct rd_runner *r);
/* A runner for asking, not running (the live numbers, one evaluation): over
 * store, quiet, a batch of one, and a probe: it resolves only its own keys
 * (comparing every account's keys, which may each be a Secrets Manager call,
 * is for runners that trade: every start makes that check). */
int rd_runner_open_probe(const struct rd_config *cfg, const struct rd_account_config *account,
                         struct rd_store *store, struct rd_runner **out, struct rd_error *err);

/* Takes the account's lock (RD_EBUSY naming the holder) and syncs once,
 * logging the startup lines. */
int rd_runner_start(struct rd_runner *r, int64_t now, struct rd_error *err);

/* One cycle at `now`: logged as dispatch.cycle, or dispatch.cycle_failed with
 * the error (also returned). A paused runner runs no cycle and returns RD_OK
 * with st zeroed. A recovering one first reopens (see Recovery) when its
 * backoff has passed: until then, or when the reopen fails, RD_ESTORE saying
 * so. RD_EBUSY when the account's lock went to another process: final. */
int rd_runner_cycle(struct rd_runner *r, int64_t now, struct rd_cycle_stats *st,
                    struct rd_error *err);

/* Pausing keeps the broker, the store and the lock; cycles stop until resumed.
 * why is logged (dispatch.paused / dispatch.resumed). */
void rd_runner_pause(struct rd_runner *r, const char *why);
void rd_runner_resume(struct rd_runner *r);

void rd_runner_status(const struct rd_runner *r, struct rd_runner_status *out);
/* Seconds until a recovering runner's next reopen attempt (0: due, or not
 * recovering): a loop naps no longer than this. */
unsigned rd_runner_retry_in(const struct rd_runner *r);

/* Waits at most seconds for word of new recommendations (store.h's
 * rec_wait); 1 when told of some, 0 on the timeout or a signal. -1 when the
 * store cannot tell (SQLite), or the runner is recovering or paused, or the
 * wait failed (the next cycle finds out): the caller sleeps instead. */
int rd_runner_wait(struct rd_runner *r, unsigned seconds);

/* The broker's numbers for the account at `now`. */
int rd_runner_broker_account(struct rd_runner *r, int64_t now, struct rd_broker_account *out,
                             struct rd_error *err);
/* The decision the account would make on rec at `now`, in a store
 * transaction that is rolled back: nothing is written. ba (may be NULL)
 * receives the broker's numbers the decision saw. */
int rd_runner_evaluate(struct rd_runner *r, int64_t now, const struct rd_rec *rec,
                       struct rd_decision *out, struct rd_broker_account *ba,
                       struct rd_error *err);

/* A person's trade: rec's price from the broker's quote when it has none,
 * rec validated, then rd_runner_evaluate. RD_EINVAL (the message says what)
 * when there is no quote or rec is not valid. */
int rd_runner_evaluate_trade(struct rd_runner *r, int64_t now, struct rd_rec *rec,
                             struct rd_decision *out, struct rd_broker_account *ba,
                             struct rd_error *err);

/* The parts, for callers that need them (quotes, the demo's printing);
 * the broker is NULL while a recovering runner has not reopened. */
struct rd_broker *rd_runner_broker(struct rd_runner *r);
struct rd_store *rd_runner_store(struct rd_runner *r);
const struct rd_account_config *rd_runner_account(const struct rd_runner *r);

/* The narrow state a paper broker keeps in a store (its key-value space and
 * transactions), for callers that open a paper broker themselves (tests). */
void rd_runner_store_state(struct rd_store *s, struct rd_broker_state *out);

/* The cycle line (dispatch.cycle) as every runner writes it. */
void rd_runner_log_cycle(const char *account, const struct rd_cycle_stats *st);

#endif
