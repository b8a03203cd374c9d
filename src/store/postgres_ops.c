/*
 * postgres_ops.c - the PostgreSQL backend's table of operations, under both
 * URL schemes: the top of the backend, pointing at every other file's part
 * (open and close in postgres_conn.c, transactions and locks in postgres.c,
 * the sub-tables in postgres_trading.c, _api.c, _traders.c, _perf.c, _ledger.c
 * and _audit.c).
 */
#include "store/postgres_int.h"

#include "riskdesk/banned.h"

#define PG_OPS(scheme)                    \
    {                                     \
        .name = scheme,                   \
        .version = 7,                     \
        .open = rd_pg_open,               \
        .close = rd_pg_close,             \
        .begin = rd_pg_begin,             \
        .commit = rd_pg_commit,           \
        .rollback = rd_pg_rollback,       \
        .lock_account = rd_pg_lock_account,  \
        .unlock_account = rd_pg_unlock_account, \
        .trading = &rd_pg_trading_ops,    \
        .api = &rd_pg_api_ops,            \
        .traders = &rd_pg_traders_ops,    \
        .perf = &rd_pg_perf_ops,          \
        .ledger = &rd_pg_ledger_ops,     \
        .alive = rd_pg_alive,             \
        .maint = &rd_pg_maint_ops,        \
        .audit = &rd_pg_audit_ops,        \
    }

const struct rd_store_ops rd_store_postgres_ops = PG_OPS("postgres");
const struct rd_store_ops rd_store_postgresql_ops = PG_OPS("postgresql");
