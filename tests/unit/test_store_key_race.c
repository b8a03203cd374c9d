/*
 * test_store_key_race.c - processes opening one empty SQLite store at the same
 * moment, each with its own encryption key (store.h, rd_store_open_keyed):
 * exactly one key is taken, every other open is refused with RD_EAUTH, and
 * afterwards the store opens with the winner's key alone. Before the check
 * value was written only where there was none, two racers could both write
 * it and both go on sealing amounts, one of them with a key the store no
 * longer knew.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "riskdesk/store.h"

#define RACERS 6
#define ROUNDS 20

enum { WON = 10, REFUSED = 11, FAILED = 12 };

static void key_of(int who, struct rd_encryption_key *k)
{
    memset(k->bytes, who + 1, sizeof k->bytes);
}

/* A racer: waits for the start (the pipe closed), then opens with its key. */
static void racer(const char *url, int who, int start)
{
    struct rd_encryption_key k;
    struct rd_error err = {0};
    struct rd_store *s = NULL;
    char c;
    int rc;

    key_of(who, &k);
    if (read(start, &c, 1) < 0)
        _exit(FAILED);
    rc = rd_store_open_keyed(url, &k, &s, &err);
    if (rc == RD_OK) {
        rd_store_close(s);
        _exit(WON);
    }
    if (rc != RD_EAUTH)
        fprintf(stderr, "racer %d: %s\n", who, err.msg);
    _exit(rc == RD_EAUTH ? REFUSED : FAILED);
}

static void test_one_key_wins(void **state)
{
    char dir[] = "/tmp/rd-key-race-XXXXXX", url[128];

    (void)state;
    assert_non_null(mkdtemp(dir));
    for (int round = 0; round < ROUNDS; round++) {
        struct rd_error err = {0};
        struct rd_store *s = NULL;
        int fd[2], won = -1, refused = 0;
        pid_t pid[RACERS];

        snprintf(url, sizeof url, "sqlite:%s/r%d.db", dir, round);
        /* the schema made first: the racers find an empty store */
        assert_int_equal(rd_store_open(url, &s, &err), RD_OK);
        rd_store_close(s);
        assert_int_equal(pipe(fd), 0);
        for (int i = 0; i < RACERS; i++) {
            pid[i] = fork();
            assert_true(pid[i] >= 0);
            if (pid[i] == 0) {
                close(fd[1]);
                racer(url, i, fd[0]);
            }
        }
        close(fd[0]);
        close(fd[1]);   /* go */
        for (int i = 0; i < RACERS; i++) {
            int st = 0;

            assert_int_equal(waitpid(pid[i], &st, 0), pid[i]);
            assert_true(WIFEXITED(st));
            if (WEXITSTATUS(st) == WON) {
                assert_int_equal(won, -1);   /* a second winner: two keys taken */
                won = i;
            } else {
                assert_int_equal(WEXITSTATUS(st), REFUSED);
                refused++;
            }
        }
        assert_true(won >= 0);
        assert_int_equal(refused, RACERS - 1);
        /* the store knows the winner's key, and only it */
        for (int i = 0; i < RACERS; i++) {
            struct rd_encryption_key k;

            key_of(i, &k);
            s = NULL;
            assert_int_equal(rd_store_open_keyed(url, &k, &s, &err), i == won ? RD_OK : RD_EAUTH);
            rd_store_close(s);
        }
    }
    for (int round = 0; round < ROUNDS; round++) {
        char path[160];

        snprintf(path, sizeof path, "%s/r%d.db", dir, round);
        unlink(path);
        snprintf(path, sizeof path, "%s/r%d.db-wal", dir, round);
        unlink(path);
        snprintf(path, sizeof path, "%s/r%d.db-shm", dir, round);
        unlink(path);
    }
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_key_wins),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
