/*
 * alloc.h - the one allocation wrapper. Every heap allocation in riskdesk goes
 * through these, so a test can make the Nth allocation fail and check that the
 * code under test reports RD_ENOMEM and leaks nothing.
 *
 * Memory from rd_malloc/rd_calloc/rd_realloc/rd_strdup is released with rd_free.
 */
#ifndef RISKDESK_ALLOC_H
#define RISKDESK_ALLOC_H

#include <stddef.h>

void *rd_malloc(size_t n);
void *rd_calloc(size_t count, size_t size);
void *rd_realloc(void *p, size_t n);
char *rd_strdup(const char *s);
char *rd_strndup(const char *s, size_t n);
void rd_free(void *p);

/*
 * Process-wide, for a program's main before it starts a thread: memory freed
 * at the top of the heap is kept for reuse up to RD_ALLOC_TRIM_KEEP bytes
 * instead of going back to the kernel as soon as 128 KiB are free, and
 * blocks under RD_ALLOC_MMAP_FROM come from the heap (glibc's
 * M_TRIM_THRESHOLD and M_MMAP_THRESHOLD, in place of its sliding ones).
 * SQLite takes and frees a 64 KiB chunk for the statement journal of each
 * INSERT inside a transaction; by default glibc gave the pages back after
 * one and the next faulted fresh zeroed pages in: some 15 page faults an
 * operation in bench_hier_store (docs/benchmarks.md, "Hierarchy").
 */
#define RD_ALLOC_TRIM_KEEP (8L << 20)
#define RD_ALLOC_MMAP_FROM (4L << 20)
void rd_alloc_process_init(void);

/* Fault injection for tests: the nth allocation from now (1 = the next) and
 * every one after it fail, until rd_alloc_fail_after(0) turns it off. Process-wide,
 * for tests only. Returns the number of allocations counted since the last call. */
long rd_alloc_fail_after(long nth);

#endif
