/*
 * postgres_int.h - what the PostgreSQL backend's files share: its ops tables
 * (one per URL scheme, "postgres" and "postgresql"), its schema as numbered
 * migrations (postgres_schema.c), and what postgres.c lends the traders'
 * and performance operations (postgres_traders.c, postgres_perf.c). Backend-internal.
 *
 * Nothing here allocates.
 */
#ifndef RISKDESK_POSTGRES_INT_H
#define RISKDESK_POSTGRES_INT_H

#include <libpq-fe.h>

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

/* ---- postgres.c's services to the backend's other files ---- */

/* Statements of the other files (postgres_traders.c, postgres_perf.c): one slot each, prepared
 * on first use on a connection and kept. */
enum rd_pg_ext {
    RD_PGX_TRADER_NAME_ID,
    RD_PGX_SYMBOL_NAME_ID,
    RD_PGX_NAMES_MAX,
    RD_PGX_SYMBOLS_MAX,
    RD_PGX_NAMES_LIST,
    RD_PGX_SYMBOLS_LIST,
    RD_PGX_IMPORT_ADD,
    RD_PGX_IMPORT_FIND_KIND,
    RD_PGX_IMPORT_FIND,
    RD_PGX_DAILY_ADD,
    RD_PGX_DAILY_DUP,
    RD_PGX_LIMIT_PUT,
    RD_PGX_LIMITS_LIST,
    RD_PGX_DAILY_LIST,
    RD_PGX_DAYS_DELETE,
    RD_PGX_DAYS_COUNT,
    RD_PGX_DAYS_LIST,
    RD_PGX_REPORT_ADD,
    RD_PGX_REPORT_LAST,
    RD_PGX_PREDICTION_ADD,
    RD_PGX_PREDICTIONS_OF,
    RD_PGX_PREDICTIONS_ALL,
    RD_PGX_SNAPSHOT_PUT,
    RD_PGX_SNAPSHOT_GET,
    RD_PGX_SNAPSHOT_LIST_OF,
    RD_PGX_SNAPSHOT_LIST_ALL,
    RD_PGX_SNAPSHOT_DELETE,
    RD_PGX_EVENT_ADD,
    RD_PGX_EVENT_LIST_OF,
    RD_PGX_EVENT_LIST_ALL,
    RD_PGX_TRADE_LIST,
    RD_PGX_COUNT
};

/* The handle's connection. */
PGconn *rd_pg_conn(struct rd_store *s);

/*
 * Runs the statement of `slot` (sql, prepared on first use) with n text
 * parameters (NULL: SQL NULL). RD_OK with *res to read and PQclear, or the
 * error mapped as the backend's own operations map theirs (what names it).
 */
int rd_pg_ext_exec(struct rd_store *s, enum rd_pg_ext slot, const char *sql, int n,
                   const char *const *values, PGresult **res, const char *what,
                   struct rd_error *err);

/* Maps a failed result (or the connection's error when res is NULL). */
int rd_pg_fail(struct rd_store *s, const PGresult *res, const char *what, struct rd_error *err);

/* The traders operations (postgres_traders.c). */
int rd_pg_trader_import_add(struct rd_store *s, struct rd_trader_import_row *imp,
                            struct rd_error *err);
int rd_pg_trader_import_get(struct rd_store *s, const char *sha256,
                            struct rd_trader_import_row *imp, struct rd_error *err);
int rd_pg_trader_fills_add(struct rd_store *s, int64_t import_id, const struct rd_fills *fs,
                           size_t first, size_t n, struct rd_error *err);
int rd_pg_trader_daily_add(struct rd_store *s, int64_t import_id, const struct rd_fills *fs,
                           size_t first, size_t n, struct rd_error *err);
int rd_pg_trader_limits_put(struct rd_store *s, int64_t import_id, const struct rd_fills *fs,
                            struct rd_error *err);
int rd_pg_trader_load(struct rd_store *s, unsigned what, struct rd_fills *fs,
                      struct rd_error *err);
int rd_pg_trader_days_put(struct rd_store *s, const struct rd_fills *fs, const struct rd_pnl *pnl,
                          struct rd_error *err);
int rd_pg_trader_days_load(struct rd_store *s, struct rd_fills *fs, struct rd_pnl *pnl,
                           struct rd_error *err);
int rd_pg_trader_report_add(struct rd_store *s, struct rd_trader_report_row *r,
                            struct rd_error *err);
int rd_pg_trader_report_last(struct rd_store *s, int32_t before, struct rd_trader_report_row *r,
                             struct rd_error *err);
int rd_pg_trader_prediction_add(struct rd_store *s, struct rd_trader_prediction_row *p,
                                struct rd_error *err);
int rd_pg_trader_prediction_list(struct rd_store *s, int64_t report_id,
                                 int (*visit)(void *ctx, const struct rd_trader_prediction_row *),
                                 void *ctx, struct rd_error *err);

/* The performance operations (postgres_perf.c). */
int rd_pg_snapshot_put(struct rd_store *s, const struct rd_snapshot_row *r, struct rd_error *err);
int rd_pg_snapshot_get(struct rd_store *s, const char *account, int32_t day,
                       struct rd_snapshot_row *r, struct rd_error *err);
int rd_pg_snapshot_list(struct rd_store *s, const char *account, int32_t from, int32_t to,
                        int (*visit)(void *ctx, const struct rd_snapshot_row *), void *ctx,
                        struct rd_error *err);
int rd_pg_snapshot_delete(struct rd_store *s, const char *account, int32_t day,
                          struct rd_error *err);
int rd_pg_perf_event_add(struct rd_store *s, struct rd_perf_event_row *e, struct rd_error *err);
int rd_pg_perf_event_list(struct rd_store *s, const char *account, size_t limit,
                          int (*visit)(void *ctx, const struct rd_perf_event_row *), void *ctx,
                          struct rd_error *err);
int rd_pg_trade_list(struct rd_store *s, const char *account, int64_t since, int64_t until,
                     int (*visit)(void *ctx, const struct rd_trade_row *), void *ctx,
                     struct rd_error *err);

#endif
