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
 * Migration N runs once, in one transaction, under the backend's schema lock,
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

/* Traders (docs/traders.md), SQLite's migration 3. trader_fills and
 * trader_daily have an identity `seq` for the order rows were stored in
 * (SQLite's implicit rowid). trader_fills has no index and no foreign keys: it
 * is appended in bulk (COPY) and read whole. */
static const char migration_3[] =
    "CREATE TABLE trader_names ("
    "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  name " T " NOT NULL UNIQUE"
    ");"
    "CREATE TABLE trader_symbols ("
    "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  name " T " NOT NULL UNIQUE"
    ");"
    "CREATE TABLE trader_imports ("
    "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  kind " T " NOT NULL CHECK (kind IN ('fills', 'daily', 'limits')),"
    "  sha256 " T " NOT NULL,"
    "  path " T " NOT NULL,"
    "  bytes BIGINT NOT NULL,"
    "  rows BIGINT NOT NULL,"
    "  bad BIGINT NOT NULL,"
    "  imported_at BIGINT NOT NULL,"
    "  UNIQUE (kind, sha256)"
    ");"
    "CREATE INDEX trader_imports_sha256 ON trader_imports (sha256);"
    "CREATE TABLE trader_fills ("
    "  seq BIGINT GENERATED ALWAYS AS IDENTITY,"
    "  import_id BIGINT NOT NULL,"
    "  trader BIGINT NOT NULL,"
    "  symbol BIGINT NOT NULL,"
    "  day INTEGER NOT NULL,"
    "  time_ms INTEGER,"
    "  qty BIGINT NOT NULL,"
    "  price BIGINT NOT NULL,"
    "  fees BIGINT NOT NULL"
    ");"
    "CREATE TABLE trader_daily ("
    "  seq BIGINT GENERATED ALWAYS AS IDENTITY,"
    "  import_id BIGINT NOT NULL REFERENCES trader_imports (id),"
    "  trader BIGINT NOT NULL REFERENCES trader_names (id),"
    "  day INTEGER NOT NULL,"
    "  pnl BIGINT NOT NULL,"
    "  line BIGINT NOT NULL,"
    "  UNIQUE (trader, day)"
    ");"
    "CREATE TABLE trader_limits ("
    "  trader BIGINT PRIMARY KEY REFERENCES trader_names (id),"
    "  daily_loss_limit BIGINT NOT NULL,"
    "  import_id BIGINT REFERENCES trader_imports (id)"
    ");"
    "CREATE TABLE trader_days ("
    "  trader BIGINT NOT NULL REFERENCES trader_names (id),"
    "  day INTEGER NOT NULL,"
    "  trades BIGINT NOT NULL,"
    "  realized BIGINT NOT NULL,"
    "  fees BIGINT NOT NULL,"
    "  net BIGINT NOT NULL,"
    "  PRIMARY KEY (trader, day)"
    ");"
    "CREATE TABLE trader_reports ("
    "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  report_day INTEGER NOT NULL,"
    "  created_at BIGINT NOT NULL,"
    "  active BIGINT NOT NULL,"
    "  restricted BIGINT NOT NULL,"
    "  limited BIGINT NOT NULL,"
    "  legacy BIGINT NOT NULL,"
    "  system " T " NOT NULL CHECK (system IN ('model', 'rules')),"
    "  why " T " NOT NULL,"
    "  train_from INTEGER,"
    "  train_to INTEGER,"
    "  test_from INTEGER,"
    "  test_to INTEGER,"
    "  n_train BIGINT NOT NULL,"
    "  n_test BIGINT NOT NULL,"
    "  model_mse DOUBLE PRECISION,"
    "  rules_mse DOUBLE PRECISION"
    ");"
    "CREATE INDEX trader_reports_day ON trader_reports (report_day, id);"
    "CREATE TABLE trader_predictions ("
    "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  report_id BIGINT NOT NULL REFERENCES trader_reports (id),"
    "  trader " T " NOT NULL,"
    "  day INTEGER NOT NULL,"
    "  features " T " NOT NULL,"
    "  output DOUBLE PRECISION,"
    "  rules_cut BIGINT NOT NULL,"
    "  system " T " NOT NULL CHECK (system IN ('model', 'rules')),"
    "  cut BIGINT NOT NULL,"
    "  level " T " NOT NULL,"
    "  old_limit BIGINT NOT NULL,"
    "  new_limit BIGINT NOT NULL"
    ");"
    "CREATE INDEX trader_predictions_report ON trader_predictions (report_id, id);"
    "CREATE INDEX trader_predictions_trader ON trader_predictions (trader, day);";

/* Performance (docs/metrics.md), SQLite's migration 4: one equity snapshot
 * per account per trading day, and the audit trail of performance alerts.
 * trades gets an identity `seq` for trade_list's order among trades closed in
 * the same second (SQLite's implicit rowid). */
static const char migration_4[] =
    "CREATE TABLE perf_snapshots ("
    "  account " T " NOT NULL,"
    "  day INTEGER NOT NULL,"
    "  equity BIGINT NOT NULL,"
    "  cash BIGINT NOT NULL,"
    "  buying_power BIGINT NOT NULL,"
    "  taken_at BIGINT NOT NULL,"
    "  PRIMARY KEY (account, day)"
    ");"
    "CREATE TABLE perf_events ("
    "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  account " T " NOT NULL,"
    "  kind " T " NOT NULL,"
    "  day INTEGER NOT NULL,"
    "  period INTEGER NOT NULL,"
    "  value_ppm BIGINT NOT NULL,"
    "  threshold_ppm BIGINT NOT NULL,"
    "  at BIGINT NOT NULL,"
    "  message " T " NOT NULL,"
    "  UNIQUE (account, kind, period)"
    ");"
    "CREATE INDEX perf_events_account ON perf_events (account, id);"
    "ALTER TABLE trades ADD COLUMN seq BIGINT GENERATED ALWAYS AS IDENTITY;";

/* SQLite's migration 5 (POST /api/v1/trade): a recommendation may be for one
 * account only (NULL: every account) and may cap the size (0: no cap). */
static const char migration_5[] =
    "ALTER TABLE recs ADD COLUMN account " T ";"
    "ALTER TABLE recs ADD COLUMN qty BIGINT NOT NULL DEFAULT 0;"
    /* the undecided walk reads the account from the index, not the row */
    "DROP INDEX recs_created;"
    "CREATE INDEX recs_created ON recs (created_at, id, account);";

/* SQLite's migration 6: each recommendation's place in the order the store
 * took it (docs/store.md, "The undecided walk"). rec_add takes an advisory
 * lock (the places lock) before its place is drawn, so places become visible in order. */
static const char migration_6[] =
    "ALTER TABLE recs ADD COLUMN seq BIGINT GENERATED ALWAYS AS IDENTITY;"
    "CREATE UNIQUE INDEX recs_seq ON recs (seq);"
    "DROP INDEX recs_created;"
    "CREATE INDEX recs_created ON recs (created_at, id);";

/* SQLite's migration 7: who made each recommendation ('signal' or 'person'). */
static const char migration_7[] =
    "ALTER TABLE recs ADD COLUMN origin " T " NOT NULL DEFAULT 'signal';";

/* SQLite's migration 8: the hierarchy's nodes, transitions and ledger.
 * Ledger rows are append-only, held to by triggers as in SQLite. */
static const char migration_8[] =
    "CREATE TABLE hier_nodes ("
    "  account " T " PRIMARY KEY,"
    "  type " T " NOT NULL CHECK (type IN ('gen', 'rev', 'com')),"
    "  parent " T ","
    "  state " T " NOT NULL,"
    "  allow_negative INTEGER NOT NULL DEFAULT 0,"
    "  created_at BIGINT NOT NULL"
    ");"
    "CREATE INDEX hier_nodes_parent ON hier_nodes (parent);"
    "CREATE TABLE hier_states ("
    "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  account " T " NOT NULL REFERENCES hier_nodes (account),"
    "  from_state " T " NOT NULL,"
    "  to_state " T " NOT NULL,"
    "  why " T " NOT NULL,"
    "  who " T " NOT NULL,"
    "  op BIGINT,"
    "  at BIGINT NOT NULL"
    ");"
    "CREATE INDEX hier_states_account ON hier_states (account, id);"
    "CREATE TABLE ledger_txns ("
    "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  idem_key " T " NOT NULL UNIQUE,"
    "  kind " T " NOT NULL,"
    "  who " T " NOT NULL,"
    "  why " T " NOT NULL,"
    "  op BIGINT,"
    "  at BIGINT NOT NULL"
    ");"
    "CREATE TABLE ledger_entries ("
    "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  txn BIGINT NOT NULL REFERENCES ledger_txns (id),"
    "  book " T " NOT NULL,"
    "  amount BIGINT NOT NULL"
    ");"
    "CREATE INDEX ledger_entries_txn ON ledger_entries (txn, id);"
    "CREATE INDEX ledger_entries_book ON ledger_entries (book, txn);"
    "CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$BEGIN RAISE EXCEPTION 'ledger rows are append-only'; END$$;"
    "CREATE TRIGGER ledger_txns_append_only BEFORE UPDATE OR DELETE ON ledger_txns "
    "FOR EACH ROW EXECUTE FUNCTION ledger_append_only();"
    "CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries "
    "FOR EACH ROW EXECUTE FUNCTION ledger_append_only();";

/* The hierarchy's ops (docs/hierarchy.md): a fork now, a consolidation
 * later, each once by its unique key, with its canonical parameters, status
 * and result; and each fork assessment with its factors (ppm) and action. */
static const char migration_9[] =
    "CREATE TABLE hier_ops ("
    "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  kind " T " NOT NULL CHECK (kind IN ('fork', 'merge', 'partial')),"
    "  idem_key " T " NOT NULL UNIQUE,"
    "  account " T " NOT NULL REFERENCES hier_nodes (account),"
    "  params " T " NOT NULL,"
    "  status " T " NOT NULL CHECK (status IN ('open', 'done', 'failed')),"
    "  result " T " NOT NULL,"
    "  created_at BIGINT NOT NULL,"
    "  finished_at BIGINT,"
    "  who " T " NOT NULL"
    ");"
    "CREATE INDEX hier_ops_account ON hier_ops (account, id);"
    "CREATE TABLE fork_assessments ("
    "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  account " T " NOT NULL REFERENCES hier_nodes (account),"
    "  surplus BIGINT NOT NULL,"
    "  amount BIGINT NOT NULL,"
    "  market_ppm BIGINT NOT NULL,"
    "  performance_ppm BIGINT NOT NULL,"
    "  load_ppm BIGINT NOT NULL,"
    "  timing_ppm BIGINT NOT NULL,"
    "  confidence_ppm BIGINT NOT NULL,"
    "  action " T " NOT NULL CHECK (action IN ('execute', 'window', 'review')),"
    "  op BIGINT,"
    "  who " T " NOT NULL,"
    "  at BIGINT NOT NULL"
    ");"
    "CREATE INDEX fork_assessments_account ON fork_assessments (account, id);";
/* SQLite's migration 10: the audit trail's chains (docs/audit.md). */
static const char migration_10[] =
    "CREATE TABLE audit_entries ("
    "  chain " T " NOT NULL,"
    "  seq BIGINT NOT NULL,"
    "  at BIGINT NOT NULL,"
    "  actor " T " NOT NULL,"
    "  kind " T " NOT NULL,"
    "  subject " T " NOT NULL,"
    "  record_hash " T " NOT NULL,"
    "  prev_hash " T " NOT NULL,"
    "  hash " T " NOT NULL,"
    "  PRIMARY KEY (chain, seq)"
    ");";

/* sqlite_schema.c's migration 11: the admin events. */
static const char migration_11[] =
    "CREATE TABLE admin_events ("
    "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  account " T " NOT NULL,"
    "  at BIGINT NOT NULL,"
    "  actor " T " NOT NULL,"
    "  kind " T " NOT NULL,"
    "  detail " T " NOT NULL"
    ");"
    "CREATE INDEX admin_events_account ON admin_events (account, kind, id);";

/* Each consolidation assessment (docs/hierarchy.md, "Consolidation"): what
 * was asked (strategy, --into as given, amount), what it found (target, the
 * triggers as a bit mask) and its factors (ppm), action and whether it set
 * the node SAFE; op: the consolidation it led to. */
static const char migration_12[] =
    "CREATE TABLE merge_assessments ("
    "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  account " T " NOT NULL REFERENCES hier_nodes (account),"
    "  strategy " T " NOT NULL CHECK (strategy IN ('parent', 'sibling', 'new', 'partial')),"
    "  into_node " T " NOT NULL,"
    "  target " T " NOT NULL,"
    "  amount BIGINT NOT NULL,"
    "  triggers BIGINT NOT NULL,"
    "  reliability_ppm BIGINT NOT NULL,"
    "  benefit_ppm BIGINT NOT NULL,"
    "  risk_ppm BIGINT NOT NULL,"
    "  confidence_ppm BIGINT NOT NULL,"
    "  action " T " NOT NULL CHECK (action IN ('execute', 'window', 'review')),"
    "  safe BIGINT NOT NULL,"
    "  op BIGINT,"
    "  who " T " NOT NULL,"
    "  at BIGINT NOT NULL"
    ");"
    "CREATE INDEX merge_assessments_account ON merge_assessments (account, id);";

/* SQLite's migration 13: the key check value and the column of each table's
 * sealed amounts (docs/operations.md, "Security"). */
static const char migration_13[] =
    "CREATE TABLE store_key ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  check_value " T " NOT NULL,"
    "  set_at BIGINT NOT NULL"
    ");"
    "ALTER TABLE ledger_entries ADD COLUMN sealed " T ";"
    "ALTER TABLE perf_snapshots ADD COLUMN sealed " T ";"
    "ALTER TABLE trader_daily ADD COLUMN sealed " T ";";

/* SQLite's migration 14: the traders' computed days sealed too. */
static const char migration_14[] = "ALTER TABLE trader_days ADD COLUMN sealed " T ";";

/* SQLite's migration 15: the hierarchy's ops counted by status. */
static const char migration_15[] =
    "CREATE INDEX hier_ops_status ON hier_ops (status, kind);";

/* SQLite's migration 16: the audit entries packed a commit's chain to a row,
 * the old ones a pack each, audit_entries a view. The text is stored as it
 * is (STORAGE EXTERNAL): compressing a pack of hex hashes costs more than
 * the bytes it saves.
 * Here also: the decisions' foreign key to recs goes. Every account's
 * decision on a shared recommendation took a FOR KEY SHARE lock on its row
 * (a multixact once two accounts' transactions overlap) and a lookup in a
 * trigger, about 8 us of a 1,000-row batch's 25 us a decision; the inserts
 * already check that the recommendation exists, and recs are now kept: a
 * statement that would delete or rename one is refused. */
static const char migration_16[] =
    "CREATE TABLE audit_packs ("
    "  chain " T " NOT NULL,"
    "  last_seq BIGINT NOT NULL,"
    "  first_seq BIGINT NOT NULL,"
    "  last_at BIGINT NOT NULL,"
    "  prev_hash " T " NOT NULL,"
    "  hash " T " NOT NULL,"
    "  entries " T " NOT NULL,"
    "  PRIMARY KEY (chain, last_seq)"
    ");"
    "ALTER TABLE audit_packs ALTER COLUMN entries SET STORAGE EXTERNAL;"
    "INSERT INTO audit_packs SELECT chain, seq, seq, at, prev_hash, hash,"
    "  '[' || json_build_object('seq', seq, 'at', at, 'actor', actor, 'kind', kind,"
    "  'subject', subject, 'record_hash', record_hash, 'hash', hash)::text || ']'"
    "  FROM audit_entries;"
    "DROP TABLE audit_entries;"
    "CREATE VIEW audit_entries AS SELECT p.chain,"
    "  (j.value ->> 'seq')::bigint AS seq, (j.value ->> 'at')::bigint AS at,"
    "  (j.value ->> 'actor') COLLATE \"C\" AS actor, (j.value ->> 'kind') COLLATE \"C\" AS kind,"
    "  (j.value ->> 'subject') COLLATE \"C\" AS subject,"
    "  (j.value ->> 'record_hash') COLLATE \"C\" AS record_hash,"
    "  (j.value ->> 'hash') COLLATE \"C\" AS hash"
    "  FROM audit_packs p CROSS JOIN LATERAL jsonb_array_elements(p.entries::jsonb) AS j(value);"
    "ALTER TABLE decisions DROP CONSTRAINT decisions_rec_id_fkey;"
    "CREATE FUNCTION riskdesk_recs_kept() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "  RAISE EXCEPTION 'riskdesk keeps every recommendation: recs are never deleted or renamed "
    "(decisions refer to them by id)'; END $$;"
    "CREATE TRIGGER recs_kept BEFORE DELETE OR TRUNCATE OR UPDATE OF id ON recs "
    "  FOR EACH STATEMENT EXECUTE FUNCTION riskdesk_recs_kept();";

/* SQLite's migration 17 keeps kv, account_defs and hier_nodes in their
 * primary key's order (WITHOUT ROWID) so that a write is one b-tree's page,
 * not the table's and its key index's. PostgreSQL keeps every table as a
 * heap with its primary key an index of its own, and has no other layout:
 * nothing changes here but the version, kept in step, and a note on each
 * table. */
static const char migration_17[] =
    "COMMENT ON TABLE kv IS 'key-value documents; SQLite keeps them in key order "
    "(migration 17)';"
    "COMMENT ON TABLE account_defs IS 'accounts made through the API; SQLite keeps them in "
    "name order (migration 17)';"
    "COMMENT ON TABLE hier_nodes IS 'the hierarchy''s nodes; SQLite keeps them in account "
    "order (migration 17)';";

const struct rd_pg_migration rd_pg_migrations[] = {
    {1, migration_1},
    {2, migration_2},
    {3, migration_3},
    {4, migration_4},
    {5, migration_5},
    {6, migration_6},
    {7, migration_7},
    {8, migration_8},
    {9, migration_9},
    {10, migration_10},
    {11, migration_11},
    {12, migration_12},
    {13, migration_13},
    {14, migration_14},
    {15, migration_15},
    {16, migration_16},
    {17, migration_17},
};

const int rd_pg_migration_count = (int)(sizeof rd_pg_migrations / sizeof rd_pg_migrations[0]);
