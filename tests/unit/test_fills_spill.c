/*
 * test_fills_spill.c - fills set aside in a temporary file (fills_spill.h):
 * what is read back is what was added, in order, whatever the run lengths of
 * the adds (below, at and past the write buffer) and of the reads; adds
 * between reads; the file unlinked at once; a TMPDIR that cannot be written
 * named in the error; a failed allocation.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "riskdesk/alloc.h"
#include "riskdesk/fills_spill.h"

static struct rd_fill nth(size_t i)
{
    struct rd_fill f;

    memset(&f, 0, sizeof f);
    f.qty = (int64_t)i * 7 - 3;
    f.price = (int64_t)i * 11;
    f.fees = -(int64_t)i;
    f.day = (int32_t)(i / 100);
    f.time_ms = (int32_t)(i % 86400000);
    f.trader = (uint32_t)(i % 13);
    f.symbol = (uint32_t)(i % 17);
    return f;
}

/* Adds fills from..to in runs of the given lengths, cycling. */
static void add_runs(struct rd_fills_spill *sp, size_t from, size_t to, const size_t *runs,
                     size_t nruns)
{
    struct rd_fill *buf = malloc(10000 * sizeof *buf);
    struct rd_error err = {0};

    assert_non_null(buf);
    for (size_t i = from, r = 0; i < to; r++) {
        size_t n = runs[r % nruns];

        if (n > to - i)
            n = to - i;
        for (size_t k = 0; k < n; k++)
            buf[k] = nth(i + k);
        assert_int_equal(rd_fills_spill_add(sp, buf, n, &err), RD_OK);
        i += n;
    }
    free(buf);
}

/* Reads everything left in reads of max and checks it is fills from..to. */
static void read_back(struct rd_fills_spill *sp, size_t from, size_t to, size_t max)
{
    struct rd_fill *buf = malloc(max * sizeof *buf);
    struct rd_error err = {0};
    size_t i = from, n = 0;

    assert_non_null(buf);
    do {
        assert_int_equal(rd_fills_spill_read(sp, buf, max, &n, &err), RD_OK);
        assert_true(n <= max);
        for (size_t k = 0; k < n; k++, i++) {
            struct rd_fill want = nth(i);

            assert_true(i < to);
            assert_memory_equal(&buf[k], &want, sizeof want);
        }
    } while (n);
    assert_int_equal(i, to);
    free(buf);
}

static void test_round_trip(void **state)
{
    static const size_t runs[] = {1, 4095, 4096, 1, 9999, 3, 4097, 250};
    static const size_t reads[] = {1, 7, 4096, 5000, 100000};
    struct rd_fills_spill *sp = NULL;
    struct rd_error err = {0};

    (void)state;
    assert_int_equal(rd_fills_spill_new(&sp, &err), RD_OK);
    assert_int_equal(rd_fills_spill_count(sp), 0);
    read_back(sp, 0, 0, 10);                        /* nothing yet */
    add_runs(sp, 0, 60000, runs, sizeof runs / sizeof *runs);
    assert_int_equal(rd_fills_spill_count(sp), 60000);
    for (size_t r = 0; r < sizeof reads / sizeof *reads; r++) {
        assert_int_equal(rd_fills_spill_rewind(sp, &err), RD_OK);
        read_back(sp, 0, 60000, reads[r]);
    }
    rd_fills_spill_free(sp);
    rd_fills_spill_free(NULL);
}

/* Adds between reads land after the last fill; the read goes on into them. */
static void test_add_while_reading(void **state)
{
    static const size_t small[] = {5}, big[] = {5000};
    struct rd_fills_spill *sp = NULL;
    struct rd_error err = {0};
    struct rd_fill buf[10];
    size_t n = 0;

    (void)state;
    assert_int_equal(rd_fills_spill_new(&sp, &err), RD_OK);
    add_runs(sp, 0, 100, small, 1);
    assert_int_equal(rd_fills_spill_rewind(sp, &err), RD_OK);
    assert_int_equal(rd_fills_spill_read(sp, buf, 10, &n, &err), RD_OK);
    assert_int_equal(n, 10);
    add_runs(sp, 100, 103, small, 1);               /* buffered: flushed by the read */
    add_runs(sp, 103, 5103, big, 1);                /* past the buffer: written at once */
    read_back(sp, 10, 5103, 64);
    assert_int_equal(rd_fills_spill_count(sp), 5103);
    rd_fills_spill_free(sp);
}

static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void test_tmpdir(void **state)
{
    char dir[] = "/tmp/rd-spill-test-XXXXXX", missing[64];
    struct rd_fills_spill *sp = NULL;
    struct rd_error err = {0};
    const char *was = getenv("TMPDIR");
    char *saved = was ? strdup(was) : NULL;
    static const size_t runs[] = {4096};

    (void)state;
    assert_non_null(mkdtemp(dir));
    setenv("TMPDIR", dir, 1);
    assert_int_equal(rd_fills_spill_new(&sp, &err), RD_OK);
    add_runs(sp, 0, 8192, runs, 1);
    assert_int_equal(entries(dir), 0);              /* unlinked at once */
    assert_int_equal(rd_fills_spill_rewind(sp, &err), RD_OK);
    read_back(sp, 0, 8192, 1000);
    rd_fills_spill_free(sp);
    snprintf(missing, sizeof missing, "%s/none", dir);
    setenv("TMPDIR", missing, 1);
    sp = NULL;
    assert_int_equal(rd_fills_spill_new(&sp, &err), RD_EIO);
    assert_null(sp);
    assert_non_null(strstr(err.msg, missing));
    assert_non_null(strstr(err.msg, "TMPDIR"));
    if (saved)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    free(saved);
    assert_int_equal(rmdir(dir), 0);
}

static void test_no_memory(void **state)
{
    struct rd_fills_spill *sp = NULL;
    struct rd_error err = {0};

    (void)state;
    for (long nth = 1; nth <= 2; nth++) {
        rd_alloc_fail_after(nth);
        assert_int_equal(rd_fills_spill_new(&sp, &err), RD_ENOMEM);
        rd_alloc_fail_after(0);
        assert_null(sp);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip), cmocka_unit_test(test_add_while_reading),
        cmocka_unit_test(test_tmpdir),     cmocka_unit_test(test_no_memory),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
