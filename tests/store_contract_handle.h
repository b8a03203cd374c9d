/*
 * store_contract_handle.h - the storage contract on the handle: transactions
 * nest and a failed statement fails alone, account locks die with their
 * process, a visitor that calls its own walk again is refused, every failed
 * allocation is RD_ENOMEM and leaks nothing, and a second handle sees only
 * what the first committed.
 *
 * Part of the contract in store_contract.h, which includes it after the
 * fixture, rows and visitors it uses; not included on its own.
 */
#ifndef RISKDESK_TESTS_STORE_CONTRACT_HANDLE_H
#define RISKDESK_TESTS_STORE_CONTRACT_HANDLE_H

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void test_transactions(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_rec r;
    struct rd_error err = {0};

    assert_int_equal(s->ops->commit(s, &err), RD_EINVAL);
    s->ops->rollback(s);   /* no-op */

    /* outer + inner commit: written */
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    add_rec(s, "t1", NOW);
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    add_rec(s, "t2", NOW);
    assert_int_equal(s->ops->commit(s, &err), RD_OK);
    assert_int_equal(s->ops->commit(s, &err), RD_OK);
    assert_int_equal(s->ops->trading->rec_get(s, "t2", &r, &err), RD_OK);

    /* outer rollback: gone */
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    add_rec(s, "t3", NOW);
    s->ops->rollback(s);
    assert_int_equal(s->ops->trading->rec_get(s, "t3", &r, &err), RD_ENOTFOUND);

    /* inner rollback dooms the whole transaction */
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    add_rec(s, "t4", NOW);
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    add_rec(s, "t5", NOW);
    s->ops->rollback(s);
    add_rec(s, "t6", NOW);
    assert_int_equal(s->ops->commit(s, &err), RD_ESTORE);
    assert_non_null(strstr(err.msg, "inner level rolled back"));
    assert_int_equal(s->ops->trading->rec_get(s, "t4", &r, &err), RD_ENOTFOUND);
    assert_int_equal(s->ops->trading->rec_get(s, "t6", &r, &err), RD_ENOTFOUND);

    /* a duplicate inside a transaction fails alone; the rest commits */
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    add_rec(s, "t7", NOW);
    r = make_rec("t1", NOW, "AAPL");
    assert_int_equal(s->ops->trading->rec_add(s, &r, &err), RD_EEXIST);
    assert_int_equal(s->ops->commit(s, &err), RD_OK);
    assert_int_equal(s->ops->trading->rec_get(s, "t7", &r, &err), RD_OK);

    /* a fresh transaction after all that works */
    assert_int_equal(s->ops->begin(s, &err), RD_OK);
    add_rec(s, "t8", NOW);
    assert_int_equal(s->ops->commit(s, &err), RD_OK);
    assert_int_equal(s->ops->trading->rec_get(s, "t8", &r, &err), RD_OK);
}

/* A dead holder's lock is free at once (flock), or once the server has seen
 * its connection close (CT_LOCK_RELEASE_WAIT_MS). */
static int lock_after_death(struct rd_store *s, const char *account, struct rd_error *err)
{
    int rc = s->ops->lock_account(s, account, err);

    for (int waited = 0; rc == RD_EBUSY && waited < CT_LOCK_RELEASE_WAIT_MS; waited += 10) {
        struct timespec ts = {0, 10 * 1000 * 1000};

        nanosleep(&ts, NULL);
        rc = s->ops->lock_account(s, account, err);
    }
    return rc;
}

static void test_lock_other_process(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_error err = {0};
    char expect[64];
    int pfd[2];
    pid_t pid;
    char c;

    assert_int_equal(pipe(pfd), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rd_store *cs;

        close(pfd[0]);
        if (rd_store_open(f->url, &cs, NULL) != RD_OK)
            _exit(1);
        if (cs->ops->lock_account(cs, "acct/A b", NULL) != RD_OK)
            _exit(2);
        if (write(pfd[1], "k", 1) != 1)
            _exit(3);
        for (;;)
            pause();
    }
    close(pfd[1]);
    assert_int_equal(read(pfd[0], &c, 1), 1);
    close(pfd[0]);

    assert_int_equal(s->ops->lock_account(s, "acct/A b", &err), RD_EBUSY);
    snprintf(expect, sizeof expect, "pid %ld", (long)pid);
    assert_non_null(strstr(err.msg, expect));
    assert_non_null(strstr(err.msg, " since 20"));
    ct_check_busy(f, err.msg, (long)pid);
    /* other accounts are free */
    assert_int_equal(s->ops->lock_account(s, "acct-B", &err), RD_OK);

    assert_int_equal(kill(pid, SIGKILL), 0);
    assert_int_equal(waitpid(pid, NULL, 0), pid);
    assert_int_equal(lock_after_death(s, "acct/A b", &err), RD_OK);
    assert_int_equal(s->ops->lock_account(s, "acct/A b", &err), RD_EBUSY);
    assert_non_null(strstr(err.msg, "this process"));
    s->ops->unlock_account(s, "acct/A b");
    s->ops->unlock_account(s, "never-locked");
    assert_int_equal(s->ops->lock_account(s, "acct/A b", &err), RD_OK);
    assert_int_equal(s->ops->lock_account(s, "", &err), RD_EINVAL);
}

static void test_lock_same_process_two_handles(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s2;
    struct rd_error err = {0};
    char expect[64];

    assert_int_equal(f->s->ops->lock_account(f->s, "A", &err), RD_OK);
    assert_int_equal(rd_store_open(f->url, &s2, &err), RD_OK);
    assert_int_equal(s2->ops->lock_account(s2, "A", &err), RD_EBUSY);
    snprintf(expect, sizeof expect, "pid %ld", (long)getpid());
    assert_non_null(strstr(err.msg, expect));
    /* closing the holder frees it */
    rd_store_close(f->s);
    f->s = s2;
    assert_int_equal(lock_after_death(s2, "A", &err), RD_OK);
}

/* A visitor that calls the same walk again is refused, not corrupted. */
static int visit_reenter(void *ctx, const struct rd_order_row *r)
{
    struct rd_store *s = ctx;
    struct rd_error err = {0};
    struct collect c = {0};
    struct rd_order_row o;

    assert_int_equal(s->ops->trading->order_list(s, r->account, -1, visit_order, &c, &err), RD_EINTERNAL);
    /* other operations are fine */
    assert_int_equal(s->ops->trading->order_get(s, r->client_order_id, &o, &err), RD_OK);
    return 0;
}

static void test_reentrant_visitor(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s = f->s;
    struct rd_error err = {0};

    add_order(s, "o1", "A", "AAPL", RD_INTENT_ENTRY, RD_ORDER_FILLED, NOW);
    assert_int_equal(s->ops->trading->order_list(s, "A", -1, visit_reenter, s, &err), RD_OK);
}

/* Every allocation of ours can fail: the result is RD_ENOMEM, no crash, no leak
 * (ASan and valgrind check the leaks). */
static void alloc_scenario(const char *url, int *completed)
{
    struct rd_store *s = NULL;
    struct rd_error err = {0};
    char *v = NULL;
    int rc;

    *completed = 0;
    rc = rd_store_open(url, &s, &err);
    if (rc == RD_OK)
        rc = s->ops->lock_account(s, "acct-A", &err);
    if (rc == RD_OK)
        rc = s->ops->trading->kv_put(s, "ns", "k", "value", 0, &err);
    if (rc == RD_OK)
        rc = s->ops->trading->kv_get(s, "ns", "k", &v, &err);
    if (rc == RD_OK) {
        assert_string_equal(v, "value");
        *completed = 1;
    } else {
        assert_int_equal(rc, RD_ENOMEM);
        assert_non_null(strstr(err.msg, "out of memory"));
    }
    rd_free(v);
    rd_store_close(s);
}

/* Fails the 1st, 2nd... allocation of alloc_scenario(url) until one run
 * completes; returns the number of runs. */
static int ct_alloc_failures(const char *url)
{
    int completed = 0;
    int n;

    for (n = 1; n < 100 && !completed; n++) {
        rd_alloc_fail_after(n);
        alloc_scenario(url, &completed);
        rd_alloc_fail_after(0);
    }
    assert_true(completed);
    assert_true(n > 3);   /* the scenario does allocate */
    return n;
}

static void test_two_handles(void **state)
{
    struct fixture *f = *state;
    struct rd_store *s2;
    struct rd_rec out[4];
    struct rd_error err = {0};
    size_t n;

    int64_t mark = 0;

    assert_int_equal(rd_store_open(f->url, &s2, &err), RD_OK);
    assert_int_equal(f->s->ops->begin(f->s, &err), RD_OK);
    add_rec(f->s, "x1", NOW);
    assert_int_equal(s2->ops->trading->rec_undecided(s2, "A", &mark, 4, out, &n, &err), RD_OK);
    assert_int_equal(n, 0);
    /* the mark does not pass what another handle has not committed yet */
    assert_true(mark == 0);
    assert_int_equal(f->s->ops->commit(f->s, &err), RD_OK);
    assert_int_equal(s2->ops->trading->rec_undecided(s2, "A", &mark, 4, out, &n, &err), RD_OK);
    assert_int_equal(n, 1);
    assert_string_equal(out[0].id, "x1");
    assert_true(mark > 0);
    rd_store_close(s2);
}

#endif
