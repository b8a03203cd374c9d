/*
 * test_perf_store_postgres.c - the performance store cases of
 * test_perf_store.c (snapshots, alerts, reports), every one of them, run on the
 * PostgreSQL backend: the file is included with rd_store_open sending its
 * "sqlite::memory:" to a fresh database on a throwaway cluster
 * (tests/pg_cluster.h). New cases there run here too. Without PostgreSQL
 * server binaries the program exits 77 (skipped), saying why.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "riskdesk/store.h"
#include "pg_cluster.h"

static int pg_open_fresh(struct rd_store **s, struct rd_error *err);
int perf_store_main(void);

#define rd_store_open(url, s, err) pg_open_fresh((s), (err))
#define main perf_store_main
#include "unit/test_perf_store.c"
#undef main
#undef rd_store_open

/* Every store the included cases open is a new, empty database. */
static int pg_open_fresh(struct rd_store **s, struct rd_error *err)
{
    static int n;
    char name[32], url[512];

    snprintf(name, sizeof name, "rd_pf%d", ++n);
    if (pg_cluster_new_db(name, url, sizeof url) != 0)
        return rd_error_set(err, RD_ESTORE, "could not create database %s", name);
    return rd_store_open(url, s, err);
}

int main(void)
{
    int rc = pg_cluster_start();

    if (rc > 0) {
        printf("SKIPPED: %s\n", pg_skip_reason);
        return 77;      /* ctest's SKIP_RETURN_CODE: reported as skipped, not passed */
    }
    if (rc < 0)
        return 1;
    rc = perf_store_main();
    pg_cluster_stop();
    return rc;
}
