/*
 * sqlite_ledger.h - the SQLite backend's hierarchy and ledger operations
 * (sqlite_ledger.c). Listed in rd_store_sqlite_ops. Backend-internal.
 */
#ifndef RISKDESK_SQLITE_LEDGER_H
#define RISKDESK_SQLITE_LEDGER_H

#include "riskdesk/store.h"

extern const struct rd_store_ledger_ops rd_sqlite_ledger_ops;

#endif
