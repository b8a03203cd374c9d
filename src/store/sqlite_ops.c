/*
 * sqlite_ops.c - the SQLite backend's table of operations: the top of the
 * backend, pointing at every other file's part (open, close, transactions and
 * the trading sub-table in sqlite.c, the others in sqlite_api.c,
 * sqlite_traders.c, sqlite_perf.c, sqlite_ledger.c and sqlite_audit.c).
 */
#include "store/sqlite_int.h"
#include "store/sqlite_ledger.h"
#include "store/sqlite_perf.h"
#include "store/sqlite_maint.h"
#include "store/sqlite_traders.h"

#include "riskdesk/banned.h"

const struct rd_store_ops rd_store_sqlite_ops = {
    .name = "sqlite",
    .version = 7,
    .open = rd_sqlite_open,
    .close = rd_sqlite_close,
    .begin = rd_sqlite_begin,
    .commit = rd_sqlite_commit,
    .rollback = rd_sqlite_rollback,
    .lock_account = rd_sqlite_lock_own,
    .unlock_account = rd_sqlite_unlock_own,
    .trading = &rd_sqlite_trading_ops,
    .api = &rd_sqlite_api_ops,
    .traders = &rd_sqlite_traders_ops,
    .perf = &rd_sqlite_perf_ops,
    .ledger = &rd_sqlite_ledger_ops,
    .alive = rd_sqlite_alive,
    .maint = &rd_sqlite_maint_ops,
    .audit = &rd_sqlite_audit_ops,
};
