/*
 * postgres_schema.c - the PostgreSQL backend's schema as numbered migrations,
 * version for version the SQLite schema (sqlite_schema.c), so a database keeps
 * its meaning whichever backend wrote it. docs/store.md describes the columns.
 *
 * The DDL is SQLite's with three changes:
 *   - `id INTEGER PRIMARY KEY` (SQLite's self-numbering rowid) is
 *     `id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY`;
 *   - every TEXT column is COLLATE "C": ORDER BY name / symbol / id compares
 *     bytes, as SQLite's BINARY collation does, whatever the database's locale;
 *   - small integers (flags, day numbers) are INTEGER in both, int4 here.
 * Money, fractions and times are BIGINT; enums TEXT names with the same CHECKs.
 *
 * Migration N runs once, in one transaction, under the backend's writer lock,
 * and is recorded as (N, applied_at) in schema_version. Never edit a shipped
 * migration: add the next one, in both backends.
 */
#include "store/postgres_int.h"

#include "riskdesk/banned.h"

#define T "TEXT COLLATE \"C\""

static const char migration_1[] =
    "CREATE TABLE accounts ("
    "  name " T " PRIMARY KEY,"
    "  tier " T " NOT NULL,"
    "  state " T " NOT NULL CHECK (state IN ('ACTIVE', 'REDUCING', 'HALTED')),"
    "  halted_until INTEGER NOT NULL,"
    "  state_reason " T " NOT NULL,"
    "  updated_at BIGINT NOT NULL"
    ");"
    "CREATE TABLE recs ("
    "  id " T " PRIMARY KEY,"
    "  created_at BIGINT NOT NULL,"
    "  underlying " T " NOT NULL,"
    "  symbol " T " NOT NULL,"
    "  action " T " NOT NULL,"
    "  strategy " T " NOT NULL,"
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
    "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  account " T " NOT NULL,"
    "  rec_id " T " NOT NULL REFERENCES recs (id),"
    "  decided_at BIGINT NOT NULL,"
    "  approved INTEGER NOT NULL,"
    "  size BIGINT NOT NULL,"
    "  first_failed " T ","
    "  budget BIGINT NOT NULL,"
    "  unit_risk BIGINT NOT NULL,"
    "  unit_cost BIGINT NOT NULL,"
    "  risk_pct BIGINT NOT NULL,"
    "  kelly_used INTEGER NOT NULL,"
    "  verdicts " T " NOT NULL,"
    "  UNIQUE (account, rec_id)"
    ");"
    "CREATE INDEX decisions_account_decided ON decisions (account, decided_at);"
    "CREATE TABLE orders ("
    "  client_order_id " T " PRIMARY KEY,"
    "  account " T " NOT NULL,"
    "  rec_id " T ","
    "  decision_id BIGINT REFERENCES decisions (id),"
    "  symbol " T " NOT NULL,"
    "  underlying " T " NOT NULL,"
    "  side " T " NOT NULL CHECK (side IN ('buy', 'sell')),"
    "  intent " T " NOT NULL CHECK (intent IN ('entry', 'exit')),"
    "  strategy " T " NOT NULL,"
    "  qty BIGINT NOT NULL,"
    "  multiplier BIGINT NOT NULL,"
    "  ref_price BIGINT NOT NULL,"
    "  status " T " NOT NULL"
    "    CHECK (status IN ('pending', 'accepted', 'filled', 'rejected', 'canceled')),"
    "  broker_order_id " T ","
    "  filled_qty BIGINT NOT NULL,"
    "  fill_price BIGINT NOT NULL,"
    "  reason " T " NOT NULL,"
    "  created_at BIGINT NOT NULL,"
    "  updated_at BIGINT NOT NULL"
    ");"
    "CREATE INDEX orders_account_created ON orders (account, created_at);"
    "CREATE INDEX orders_account_underlying ON orders (account, underlying, created_at);"
    "CREATE TABLE positions ("
    "  account " T " NOT NULL,"
    "  symbol " T " NOT NULL,"
    "  underlying " T " NOT NULL,"
    "  strategy " T " NOT NULL,"
    "  qty BIGINT NOT NULL,"
    "  multiplier BIGINT NOT NULL,"
    "  avg_price BIGINT NOT NULL,"
    "  opened_at BIGINT NOT NULL,"
    "  rec_id " T ","
    "  PRIMARY KEY (account, symbol)"
    ");"
    "CREATE TABLE trades ("
    "  account " T " NOT NULL,"
    "  symbol " T " NOT NULL,"
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
    "  ns " T " NOT NULL,"
    "  key " T " NOT NULL,"
    "  val " T " NOT NULL,"
    "  PRIMARY KEY (ns, key)"
    ");";

/* The HTTP API: tokens (hashes only), users, assignment history, accounts
 * made through the API and closed accounts (SQLite's migration 2). */
static const char migration_2[] =
    "CREATE TABLE api_tokens ("
    "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  hash " T " NOT NULL UNIQUE,"
    "  prefix " T " NOT NULL,"
    "  role " T " NOT NULL CHECK (role IN ('admin', 'trader', 'viewer')),"
    "  user_id " T " NOT NULL,"
    "  label " T " NOT NULL,"
    "  created_at BIGINT NOT NULL,"
    "  revoked_at BIGINT NOT NULL"
    ");"
    "CREATE TABLE users ("
    "  id " T " PRIMARY KEY,"
    "  display_name " T " NOT NULL,"
    "  department " T " NOT NULL,"
    "  slack_user_id " T " NOT NULL,"
    "  account " T ","
    "  created_at BIGINT NOT NULL,"
    "  updated_at BIGINT NOT NULL"
    ");"
    "CREATE INDEX users_account ON users (account);"
    "CREATE TABLE assignments ("
    "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  user_id " T " NOT NULL REFERENCES users (id),"
    "  account " T ","
    "  previous " T ","
    "  strategy " T " NOT NULL,"
    "  assigned_by " T " NOT NULL,"
    "  reason " T " NOT NULL,"
    "  at BIGINT NOT NULL"
    ");"
    "CREATE INDEX assignments_user ON assignments (user_id, id);"
    "CREATE INDEX assignments_account ON assignments (account, id);"
    "CREATE TABLE account_defs ("
    "  name " T " PRIMARY KEY,"
    "  def " T ","
    "  created_at BIGINT NOT NULL,"
    "  updated_at BIGINT NOT NULL,"
    "  closed_at BIGINT NOT NULL,"
    "  closed_by " T " NOT NULL"
    ");"
    "CREATE INDEX decisions_account_outcome ON decisions (account, approved, first_failed);"
    "CREATE INDEX orders_account_status ON orders (account, status);";

const struct rd_pg_migration rd_pg_migrations[] = {
    {1, migration_1},
    {2, migration_2},
};

const int rd_pg_migration_count = (int)(sizeof rd_pg_migrations / sizeof rd_pg_migrations[0]);
