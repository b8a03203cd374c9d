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
#include "store/sqlite_int.h"
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

/* The HTTP API: tokens (hashes only), users, assignment history, accounts
 * made through the API and closed accounts. */
static const char migration_2[] =
    "CREATE TABLE api_tokens ("
    "  id INTEGER PRIMARY KEY,"
    "  hash TEXT NOT NULL UNIQUE,"
    "  prefix TEXT NOT NULL,"
    "  role TEXT NOT NULL CHECK (role IN ('admin', 'trader', 'viewer')),"
    "  user_id TEXT NOT NULL,"
    "  label TEXT NOT NULL,"
    "  created_at BIGINT NOT NULL,"
    "  revoked_at BIGINT NOT NULL"
    ");"
    "CREATE TABLE users ("
    "  id TEXT PRIMARY KEY,"
    "  display_name TEXT NOT NULL,"
    "  department TEXT NOT NULL,"
    "  slack_user_id TEXT NOT NULL,"
    "  account TEXT,"
    "  created_at BIGINT NOT NULL,"
    "  updated_at BIGINT NOT NULL"
    ");"
    "CREATE INDEX users_account ON users (account);"
    "CREATE TABLE assignments ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id TEXT NOT NULL REFERENCES users (id),"
    "  account TEXT,"
    "  previous TEXT,"
    "  strategy TEXT NOT NULL,"
    "  assigned_by TEXT NOT NULL,"
    "  reason TEXT NOT NULL,"
    "  at BIGINT NOT NULL"
    ");"
    "CREATE INDEX assignments_user ON assignments (user_id, id);"
    "CREATE INDEX assignments_account ON assignments (account, id);"
    "CREATE TABLE account_defs ("
    "  name TEXT PRIMARY KEY,"
    "  def TEXT,"
    "  created_at BIGINT NOT NULL,"
    "  updated_at BIGINT NOT NULL,"
    "  closed_at BIGINT NOT NULL,"
    "  closed_by TEXT NOT NULL"
    ");"
    "CREATE INDEX decisions_account_outcome ON decisions (account, approved, first_failed);"
    "CREATE INDEX orders_account_status ON orders (account, status);";

/* Traders (docs/traders.md): names, imported files, fills and daily P&L rows
 * as imported, limits, the trader-days computed from them, report runs and
 * the predictions made (the audit trail). trader_fills has no index and no
 * foreign keys: it is appended in bulk and read whole. */
static const char migration_3[] =
    "CREATE TABLE trader_names ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE"
    ");"
    "CREATE TABLE trader_symbols ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE"
    ");"
    "CREATE TABLE trader_imports ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN ('fills', 'daily', 'limits')),"
    "  sha256 TEXT NOT NULL,"
    "  path TEXT NOT NULL,"
    "  bytes BIGINT NOT NULL,"
    "  rows BIGINT NOT NULL,"
    "  bad BIGINT NOT NULL,"
    "  imported_at BIGINT NOT NULL,"
    "  UNIQUE (kind, sha256)"
    ");"
    "CREATE INDEX trader_imports_sha256 ON trader_imports (sha256);"
    "CREATE TABLE trader_fills ("
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
    "  id INTEGER PRIMARY KEY,"
    "  report_day INTEGER NOT NULL,"
    "  created_at BIGINT NOT NULL,"
    "  active BIGINT NOT NULL,"
    "  restricted BIGINT NOT NULL,"
    "  limited BIGINT NOT NULL,"
    "  legacy BIGINT NOT NULL,"
    "  system TEXT NOT NULL CHECK (system IN ('model', 'rules')),"
    "  why TEXT NOT NULL,"
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
    "  id INTEGER PRIMARY KEY,"
    "  report_id BIGINT NOT NULL REFERENCES trader_reports (id),"
    "  trader TEXT NOT NULL,"
    "  day INTEGER NOT NULL,"
    "  features TEXT NOT NULL,"
    "  output DOUBLE PRECISION,"
    "  rules_cut BIGINT NOT NULL,"
    "  system TEXT NOT NULL CHECK (system IN ('model', 'rules')),"
    "  cut BIGINT NOT NULL,"
    "  level TEXT NOT NULL,"
    "  old_limit BIGINT NOT NULL,"
    "  new_limit BIGINT NOT NULL"
    ");"
    "CREATE INDEX trader_predictions_report ON trader_predictions (report_id, id);"
    "CREATE INDEX trader_predictions_trader ON trader_predictions (trader, day);";

/* Performance (docs/metrics.md): one equity snapshot per account per trading
 * day, and the audit trail of performance alerts. */
static const char migration_4[] =
    "CREATE TABLE perf_snapshots ("
    "  account TEXT NOT NULL,"
    "  day INTEGER NOT NULL,"
    "  equity BIGINT NOT NULL,"
    "  cash BIGINT NOT NULL,"
    "  buying_power BIGINT NOT NULL,"
    "  taken_at BIGINT NOT NULL,"
    "  PRIMARY KEY (account, day)"
    ");"
    "CREATE TABLE perf_events ("
    "  id INTEGER PRIMARY KEY,"
    "  account TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  day INTEGER NOT NULL,"
    "  period INTEGER NOT NULL,"
    "  value_ppm BIGINT NOT NULL,"
    "  threshold_ppm BIGINT NOT NULL,"
    "  at BIGINT NOT NULL,"
    "  message TEXT NOT NULL,"
    "  UNIQUE (account, kind, period)"
    ");"
    "CREATE INDEX perf_events_account ON perf_events (account, id);";

/* Trades through the API (docs/api.md, POST /api/v1/trade): a recommendation
 * may be for one account only (NULL: every account, as before) and may cap
 * the size the gates allow (0: no cap). */
static const char migration_5[] =
    "ALTER TABLE recs ADD COLUMN account TEXT;"
    "ALTER TABLE recs ADD COLUMN qty BIGINT NOT NULL DEFAULT 0;"
    /* the undecided walk reads the account from the index, not the row */
    "DROP INDEX recs_created;"
    "CREATE INDEX recs_created ON recs (created_at, id, account);";

/* Each recommendation's place in the order the store took it, so that a
 * dispatcher walks only what came after the last it decided (docs/store.md,
 * "The undecided walk"). Stored rows keep their insertion (rowid) order. The
 * account leaves recs_created: the walk no longer uses it. */
static const char migration_6[] =
    "ALTER TABLE recs ADD COLUMN seq BIGINT;"
    "UPDATE recs SET seq = rowid;"
    "CREATE UNIQUE INDEX recs_seq ON recs (seq);"
    "DROP INDEX recs_created;"
    "CREATE INDEX recs_created ON recs (created_at, id);";

/* Who made each recommendation: the signal engine ('signal', every one stored
 * before) or a person trading through their account ('person': POST
 * /api/v1/trade, Slack's /trade), whose trade the account's risk
 * person_trades judges (docs/config.md). */
static const char migration_7[] =
    "ALTER TABLE recs ADD COLUMN origin TEXT NOT NULL DEFAULT 'signal';";

/* The hierarchy (docs/hierarchy.md): nodes, each state transition as it
 * happened, and the double-entry ledger. Amounts live in ledger_entries only;
 * ledger rows are append-only (a correction is a new transaction), which the
 * triggers hold to against any writer. */
static const char migration_8[] =
    "CREATE TABLE hier_nodes ("
    "  account TEXT PRIMARY KEY,"
    "  type TEXT NOT NULL CHECK (type IN ('gen', 'rev', 'com')),"
    "  parent TEXT,"
    "  state TEXT NOT NULL,"
    "  allow_negative INTEGER NOT NULL DEFAULT 0,"
    "  created_at BIGINT NOT NULL"
    ");"
    "CREATE INDEX hier_nodes_parent ON hier_nodes (parent);"
    "CREATE TABLE hier_states ("
    "  id INTEGER PRIMARY KEY,"
    "  account TEXT NOT NULL REFERENCES hier_nodes (account),"
    "  from_state TEXT NOT NULL,"
    "  to_state TEXT NOT NULL,"
    "  why TEXT NOT NULL,"
    "  who TEXT NOT NULL,"
    "  op BIGINT,"
    "  at BIGINT NOT NULL"
    ");"
    "CREATE INDEX hier_states_account ON hier_states (account, id);"
    "CREATE TABLE ledger_txns ("
    "  id INTEGER PRIMARY KEY,"
    "  idem_key TEXT NOT NULL UNIQUE,"
    "  kind TEXT NOT NULL,"
    "  who TEXT NOT NULL,"
    "  why TEXT NOT NULL,"
    "  op BIGINT,"
    "  at BIGINT NOT NULL"
    ");"
    "CREATE TABLE ledger_entries ("
    "  id INTEGER PRIMARY KEY,"
    "  txn BIGINT NOT NULL REFERENCES ledger_txns (id),"
    "  book TEXT NOT NULL,"
    "  amount BIGINT NOT NULL"
    ");"
    "CREATE INDEX ledger_entries_txn ON ledger_entries (txn, id);"
    "CREATE INDEX ledger_entries_book ON ledger_entries (book, txn);"
    "CREATE TRIGGER ledger_txns_no_update BEFORE UPDATE ON ledger_txns "
    "BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only'); END;"
    "CREATE TRIGGER ledger_txns_no_delete BEFORE DELETE ON ledger_txns "
    "BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only'); END;"
    RD_SQLITE_ENTRIES_NO_UPDATE
    "CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries "
    "BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only'); END;";

/* The hierarchy's ops (docs/hierarchy.md): a fork now, a consolidation
 * later, each once by its unique key, with its canonical parameters, status
 * and result; and each fork assessment with its factors (ppm) and action. */
static const char migration_9[] =
    "CREATE TABLE hier_ops ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN ('fork', 'merge', 'partial')),"
    "  idem_key TEXT NOT NULL UNIQUE,"
    "  account TEXT NOT NULL REFERENCES hier_nodes (account),"
    "  params TEXT NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('open', 'done', 'failed')),"
    "  result TEXT NOT NULL,"
    "  created_at BIGINT NOT NULL,"
    "  finished_at BIGINT,"
    "  who TEXT NOT NULL"
    ");"
    "CREATE INDEX hier_ops_account ON hier_ops (account, id);"
    "CREATE TABLE fork_assessments ("
    "  id INTEGER PRIMARY KEY,"
    "  account TEXT NOT NULL REFERENCES hier_nodes (account),"
    "  surplus BIGINT NOT NULL,"
    "  amount BIGINT NOT NULL,"
    "  market_ppm BIGINT NOT NULL,"
    "  performance_ppm BIGINT NOT NULL,"
    "  load_ppm BIGINT NOT NULL,"
    "  timing_ppm BIGINT NOT NULL,"
    "  confidence_ppm BIGINT NOT NULL,"
    "  action TEXT NOT NULL CHECK (action IN ('execute', 'window', 'review')),"
    "  op BIGINT,"
    "  who TEXT NOT NULL,"
    "  at BIGINT NOT NULL"
    ");"
    "CREATE INDEX fork_assessments_account ON fork_assessments (account, id);";
/* The audit trail (docs/audit.md): one chain per account ("account:NAME")
 * and one firm-wide ("firm"), each entry hashing its record and the entry
 * before it. Written in the transaction of the record it covers. WITHOUT
 * ROWID: the key is the table, one b-tree to write instead of two. */
static const char migration_10[] =
    "CREATE TABLE audit_entries ("
    "  chain TEXT NOT NULL,"
    "  seq BIGINT NOT NULL,"
    "  at BIGINT NOT NULL,"
    "  actor TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  subject TEXT NOT NULL,"
    "  record_hash TEXT NOT NULL,"
    "  prev_hash TEXT NOT NULL,"
    "  hash TEXT NOT NULL,"
    "  PRIMARY KEY (chain, seq)"
    ") WITHOUT ROWID;";

/* What an admin or a start changed that has no row of its own (docs/audit.md):
 * an account's trading state set by hand, the limits a dispatcher started
 * with when they changed. Append-only; each row is chained (admin_event) on
 * the account's chain ('' = the firm's). */
static const char migration_11[] =
    "CREATE TABLE admin_events ("
    "  id INTEGER PRIMARY KEY,"
    "  account TEXT NOT NULL,"
    "  at BIGINT NOT NULL,"
    "  actor TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  detail TEXT NOT NULL"
    ");"
    "CREATE INDEX admin_events_account ON admin_events (account, kind, id);";

/* Each consolidation assessment (docs/hierarchy.md, "Consolidation"): what
 * was asked (strategy, --into as given, amount), what it found (target, the
 * triggers as a bit mask) and its factors (ppm), action and whether it set
 * the node SAFE; op: the consolidation it led to. */
static const char migration_12[] =
    "CREATE TABLE merge_assessments ("
    "  id INTEGER PRIMARY KEY,"
    "  account TEXT NOT NULL REFERENCES hier_nodes (account),"
    "  strategy TEXT NOT NULL CHECK (strategy IN ('parent', 'sibling', 'new', 'partial')),"
    "  into_node TEXT NOT NULL,"
    "  target TEXT NOT NULL,"
    "  amount BIGINT NOT NULL,"
    "  triggers BIGINT NOT NULL,"
    "  reliability_ppm BIGINT NOT NULL,"
    "  benefit_ppm BIGINT NOT NULL,"
    "  risk_ppm BIGINT NOT NULL,"
    "  confidence_ppm BIGINT NOT NULL,"
    "  action TEXT NOT NULL CHECK (action IN ('execute', 'window', 'review')),"
    "  safe BIGINT NOT NULL,"
    "  op BIGINT,"
    "  who TEXT NOT NULL,"
    "  at BIGINT NOT NULL"
    ");"
    "CREATE INDEX merge_assessments_account ON merge_assessments (account, id);";

/* Encryption at rest (docs/operations.md, "Security"): a value sealed with
 * the key the store was first used with, so that another key, or none, is
 * refused before anything is read or written (one row or none); and in each
 * table with amounts that reveal wealth, `sealed`: its amounts sealed with
 * that key, the clear columns then 0 (NULL: the amounts are in clear). */
static const char migration_13[] =
    "CREATE TABLE store_key ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  check_value TEXT NOT NULL,"
    "  set_at BIGINT NOT NULL"
    ");"
    "ALTER TABLE ledger_entries ADD COLUMN sealed TEXT;"
    "ALTER TABLE perf_snapshots ADD COLUMN sealed TEXT;"
    "ALTER TABLE trader_daily ADD COLUMN sealed TEXT;";

/* Migration 14: the traders' computed days (realized, fees, net) sealed too. */
static const char migration_14[] = "ALTER TABLE trader_days ADD COLUMN sealed TEXT;";

/* Migration 15: the hierarchy's ops counted by status (a fork counts those in
 * progress) without reading them all. */
static const char migration_15[] =
    "CREATE INDEX hier_ops_status ON hier_ops (status, kind);";

/* Migration 16: the audit trail's entries packed a commit's chain to a row
 * (docs/audit.md, "Storage"): one insert a commit instead of one an entry.
 * Each entry already written becomes a pack of its own, hashes untouched;
 * audit_entries stays readable as a view of every entry. */
static const char migration_16[] =
    "CREATE TABLE audit_packs ("
    "  chain TEXT NOT NULL,"
    "  last_seq BIGINT NOT NULL,"
    "  first_seq BIGINT NOT NULL,"
    "  last_at BIGINT NOT NULL,"
    "  prev_hash TEXT NOT NULL,"
    "  hash TEXT NOT NULL,"
    "  entries TEXT NOT NULL,"
    "  PRIMARY KEY (chain, last_seq)"
    ");"
    "INSERT INTO audit_packs SELECT chain, seq, seq, at, prev_hash, hash,"
    "  '[' || json_object('seq', seq, 'at', at, 'actor', actor, 'kind', kind,"
    "  'subject', subject, 'record_hash', record_hash, 'hash', hash) || ']'"
    "  FROM audit_entries;"
    "DROP TABLE audit_entries;"
    "CREATE VIEW audit_entries AS SELECT p.chain AS chain,"
    "  json_extract(j.value, '$.seq') AS seq, json_extract(j.value, '$.at') AS at,"
    "  json_extract(j.value, '$.actor') AS actor, json_extract(j.value, '$.kind') AS kind,"
    "  json_extract(j.value, '$.subject') AS subject,"
    "  json_extract(j.value, '$.record_hash') AS record_hash,"
    "  json_extract(j.value, '$.hash') AS hash"
    "  FROM audit_packs p, json_each(p.entries) j;";

/* Migration 17: the key-value documents, the accounts made through the API
 * and the hierarchy's nodes kept in their primary key's order (WITHOUT
 * ROWID, SQLite only, as migration 10 was), not in a rowid table with the
 * key in an index of its own. A row written or added is then one b-tree's
 * page instead of the table's and the index's, a lookup by key one descent
 * instead of two, and a node's row and document sit by its children's
 * (PARENT.fN). A fork wrote 29.8 pages to the WAL, 4.3 of them kv's, 4.3
 * hier_nodes' and 2.1 account_defs' (docs/benchmarks.md, "Hierarchy (issue
 * 14)"). The nodes' table is referred to by four foreign keys: the runner
 * migrates with foreign keys off and checks them all before the commit. */
static const char migration_17[] =
    "CREATE TABLE kv_by_key ("
    "  ns TEXT NOT NULL,"
    "  key TEXT NOT NULL,"
    "  val TEXT NOT NULL,"
    "  PRIMARY KEY (ns, key)"
    ") WITHOUT ROWID;"
    "INSERT INTO kv_by_key (ns, key, val) SELECT ns, key, val FROM kv;"
    "DROP TABLE kv;"
    "ALTER TABLE kv_by_key RENAME TO kv;"
    "CREATE TABLE account_defs_by_name ("
    "  name TEXT PRIMARY KEY,"
    "  def TEXT,"
    "  created_at BIGINT NOT NULL,"
    "  updated_at BIGINT NOT NULL,"
    "  closed_at BIGINT NOT NULL,"
    "  closed_by TEXT NOT NULL"
    ") WITHOUT ROWID;"
    "INSERT INTO account_defs_by_name (name, def, created_at, updated_at, closed_at, closed_by)"
    "  SELECT name, def, created_at, updated_at, closed_at, closed_by FROM account_defs;"
    "DROP TABLE account_defs;"
    "ALTER TABLE account_defs_by_name RENAME TO account_defs;"
    "CREATE TABLE hier_nodes_by_account ("
    "  account TEXT PRIMARY KEY,"
    "  type TEXT NOT NULL CHECK (type IN ('gen', 'rev', 'com')),"
    "  parent TEXT,"
    "  state TEXT NOT NULL,"
    "  allow_negative INTEGER NOT NULL DEFAULT 0,"
    "  created_at BIGINT NOT NULL"
    ") WITHOUT ROWID;"
    "INSERT INTO hier_nodes_by_account (account, type, parent, state, allow_negative, created_at)"
    "  SELECT account, type, parent, state, allow_negative, created_at FROM hier_nodes;"
    "DROP TABLE hier_nodes;"
    "ALTER TABLE hier_nodes_by_account RENAME TO hier_nodes;"
    "CREATE INDEX hier_nodes_parent ON hier_nodes (parent);";

const struct rd_sqlite_migration rd_sqlite_migrations[] = {
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

const int rd_sqlite_migration_count =
    (int)(sizeof rd_sqlite_migrations / sizeof rd_sqlite_migrations[0]);
