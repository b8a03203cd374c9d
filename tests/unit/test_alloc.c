/*
 * test_alloc.c - rd_alloc_process_init: blocks the size of SQLite's
 * statement journal chunks (64 KiB), several at once, taken and freed over
 * and over, reuse the heap's pages instead of faulting fresh ones in each
 * round. Skipped under AddressSanitizer and valgrind, whose allocators are
 * their own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <cmocka.h>

#include "riskdesk/alloc.h"

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

#define CHUNK (64 * 1024 + 64)
#define NCHUNKS 4                 /* 256 KiB freed at once: past glibc's 128 KiB */
#define ROUNDS 200

static long minor_faults(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

static void test_freed_pages_reused(void **state)
{
    long before;

    (void)state;
#ifdef __SANITIZE_ADDRESS__
    skip();                       /* AddressSanitizer's allocator ignores mallopt */
#endif
    if (RUNNING_ON_VALGRIND)
        skip();                   /* and so does valgrind's */
    rd_alloc_process_init();
    before = minor_faults();
    for (int i = 0; i < ROUNDS; i++) {
        char *p[NCHUNKS];

        for (int k = 0; k < NCHUNKS; k++) {
            p[k] = rd_malloc(CHUNK);
            assert_non_null(p[k]);
            memset(p[k], i, CHUNK);       /* touches each of its pages */
        }
        for (int k = NCHUNKS - 1; k >= 0; k--)
            rd_free(p[k]);
    }
    /* given back each round, every round would fault its 65 pages in again */
    assert_true(minor_faults() - before < ROUNDS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_freed_pages_reused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
