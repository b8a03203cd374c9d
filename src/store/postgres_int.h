/*
 * postgres_int.h - what the PostgreSQL backend's files share: its ops tables
 * (one per URL scheme, "postgres" and "postgresql") and its schema as numbered
 * migrations (postgres_schema.c). Backend-internal.
 *
 * Nothing here allocates.
 */
#ifndef RISKDESK_POSTGRES_INT_H
#define RISKDESK_POSTGRES_INT_H

#include "riskdesk/store.h"

extern const struct rd_store_ops rd_store_postgres_ops;
/* The same backend under libpq's other scheme; handles it opens carry
 * rd_store_postgres_ops. */
extern const struct rd_store_ops rd_store_postgresql_ops;

/* Migration `version` takes a database from version - 1 to version; the same
 * numbers as the SQLite schema (sqlite_schema.c), in ascending order. */
struct rd_pg_migration {
    int version;
    const char *sql;
};
extern const struct rd_pg_migration rd_pg_migrations[];
extern const int rd_pg_migration_count;

#endif
