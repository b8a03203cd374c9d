/*
 * sqlite_maint.h - the SQLite backend's maintenance operations
 * (sqlite_maint.c): size and VACUUM. Listed in rd_store_sqlite_ops.
 * Backend-internal; nothing here allocates.
 */
#ifndef RISKDESK_SQLITE_MAINT_H
#define RISKDESK_SQLITE_MAINT_H

#include "riskdesk/store.h"

extern const struct rd_store_maint_ops rd_sqlite_maint_ops;

/* maint's reseal (sqlite_reseal.c). */
int rd_sqlite_reseal(struct rd_store *s, const struct rd_encryption_key *to, struct rd_error *err);

#endif
