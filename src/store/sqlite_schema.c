/*
 * sqlite_schema.c - the SQLite backend's schema as numbered migrations.
 *
 * Migration N is applied once, in its own transaction, and recorded as a row
 * (N, applied_at) of schema_version. Never edit a migration that has shipped:
 * add the next one. docs/store.md describes every column.
 *
 * The SQL is kept to what PostgreSQL also accepts, so the postgres backend can
 * start from the same text. The one SQLite-only form is `id INTEGER PRIMARY
 * KEY` (a rowid alias, which numbers itself); PostgreSQL spells it
 * `id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY`. 64-bit values are
 * BIGINT (INTEGER affinity in SQLite, int8 in PostgreSQL); money is BIGINT in
 * 1/10000 dollar; fractions BIGINT ppm; times BIGINT Unix seconds; enums TEXT
 * names (store_int.h). Empty strings and zero ids that mean "none" are NULL.
 */
#include "store/store_int.h"

#include "riskdesk/banned.h"

static const char migration_1[] =
    "CREATE TABLE accounts ("
    "  name TEXT PRIMARY KEY,"
    "  tier TEXT NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('ACTIVE', 'REDUCING', 'HALTED')),"
    "  halted_until INTEGER NOT NULL,"
    "  state_reason TEXT NOT NULL,"
    "  updated_at BIGINT NOT NULL"
    ");"
    "CREATE TABLE recs ("
    "  id TEXT PRIMARY KEY,"
    "  created_at BIGINT NOT NULL,"
    "  underlying TEXT NOT NULL,"
    "  symbol TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  strategy TEXT NOT NULL,"
    "  confidence BIGINT NOT NULL,"
    "  volume_ratio BIGINT NOT NULL,"
    "  price BIGINT NOT NULL,"
    "  stop_price BIGINT NOT NULL,"
    "  expires_at BIGINT NOT NULL,"
    "  has_vix INTEGER NOT NULL,"
    "  vix BIGINT NOT NULL"
    ");"
    "CREATE INDEX recs_created ON recs (created_at, id);"
    "CREATE TABLE decisions ("
    "  id INTEGER PRIMARY KEY,"
    "  account TEXT NOT NULL,"
    "  rec_id TEXT NOT NULL REFERENCES recs (id),"
    "  decided_at BIGINT NOT NULL,"
    "  approved INTEGER NOT NULL,"
    "  size BIGINT NOT NULL,"
    "  first_failed TEXT,"
    "  budget BIGINT NOT NULL,"
    "  unit_risk BIGINT NOT NULL,"
    "  unit_cost BIGINT NOT NULL,"
    "  risk_pct BIGINT NOT NULL,"
    "  kelly_used INTEGER NOT NULL,"
    "  verdicts TEXT NOT NULL,"
    "  UNIQUE (account, rec_id)"
    ");"
    "CREATE INDEX decisions_account_decided ON decisions (account, decided_at);"
    "CREATE TABLE orders ("
    "  client_order_id TEXT PRIMARY KEY,"
    "  account TEXT NOT NULL,"
    "  rec_id TEXT,"
    "  decision_id BIGINT REFERENCES decisions (id),"
    "  symbol TEXT NOT NULL,"
    "  underlying TEXT NOT NULL,"
    "  side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),"
    "  intent TEXT NOT NULL CHECK (intent IN ('entry', 'exit')),"
    "  strategy TEXT NOT NULL,"
    "  qty BIGINT NOT NULL,"
    "  multiplier BIGINT NOT NULL,"
    "  ref_price BIGINT NOT NULL,"
    "  status TEXT NOT NULL"
    "    CHECK (status IN ('pending', 'accepted', 'filled', 'rejected', 'canceled')),"
    "  broker_order_id TEXT,"
    "  filled_qty BIGINT NOT NULL,"
    "  fill_price BIGINT NOT NULL,"
    "  reason TEXT NOT NULL,"
    "  created_at BIGINT NOT NULL,"
    "  updated_at BIGINT NOT NULL"
    ");"
    "CREATE INDEX orders_account_created ON orders (account, created_at);"
    "CREATE INDEX orders_account_underlying ON orders (account, underlying, created_at);"
    "CREATE TABLE positions ("
    "  account TEXT NOT NULL,"
    "  symbol TEXT NOT NULL,"
    "  underlying TEXT NOT NULL,"
    "  strategy TEXT NOT NULL,"
    "  qty BIGINT NOT NULL,"
    "  multiplier BIGINT NOT NULL,"
    "  avg_price BIGINT NOT NULL,"
    "  opened_at BIGINT NOT NULL,"
    "  rec_id TEXT,"
    "  PRIMARY KEY (account, symbol)"
    ");"
    "CREATE TABLE trades ("
    "  account TEXT NOT NULL,"
    "  symbol TEXT NOT NULL,"
    "  qty BIGINT NOT NULL,"
    "  multiplier BIGINT NOT NULL,"
    "  entry_price BIGINT NOT NULL,"
    "  exit_price BIGINT NOT NULL,"
    "  pnl BIGINT NOT NULL,"
    "  opened_at BIGINT NOT NULL,"
    "  closed_at BIGINT NOT NULL,"
    "  day_trade INTEGER NOT NULL"
    ");"
    "CREATE INDEX trades_account_closed ON trades (account, closed_at);"
    "CREATE TABLE kv ("
    "  ns TEXT NOT NULL,"
    "  key TEXT NOT NULL,"
    "  val TEXT NOT NULL,"
    "  PRIMARY KEY (ns, key)"
    ");";

const struct rd_sqlite_migration rd_sqlite_migrations[] = {
    {1, migration_1},
};

const int rd_sqlite_migration_count =
    (int)(sizeof rd_sqlite_migrations / sizeof rd_sqlite_migrations[0]);
