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

/* Fault injection for tests: the nth allocation from now (1 = the next) and
 * every one after it fail, until rd_alloc_fail_after(0) turns it off. Process-wide,
 * for tests only. Returns the number of allocations counted since the last call. */
long rd_alloc_fail_after(long nth);

#endif
