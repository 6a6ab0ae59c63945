#include "store/migrations.hpp"

namespace clv {
namespace {

// Times are UTC seconds since the Unix epoch; money is integer minor units
// (cents) with its ISO 4217 currency beside it.
constexpr const char* kV1 = R"sql(
CREATE TABLE customers (
  id          INTEGER PRIMARY KEY,
  external_id TEXT NOT NULL UNIQUE,
  sector      TEXT,
  segment     TEXT,
  region      TEXT,
  acquired_at INTEGER,
  attributes  TEXT NOT NULL DEFAULT '{}'  -- JSON object of free attributes
);

CREATE TABLE employees (
  id          INTEGER PRIMARY KEY,
  external_id TEXT NOT NULL UNIQUE,
  role        TEXT,
  location    TEXT,
  trust       REAL CHECK (trust BETWEEN 0 AND 10),
  tact        REAL CHECK (tact BETWEEN 0 AND 10),
  empathy     REAL CHECK (empathy BETWEEN 0 AND 10),
  conformity  REAL CHECK (conformity BETWEEN 0 AND 10),
  focus       REAL CHECK (focus BETWEEN 0 AND 10),
  flexibility REAL CHECK (flexibility BETWEEN 0 AND 10)
);

-- One row per imported file, so that re-importing a file without record ids
-- adds nothing (matched by content hash).
CREATE TABLE imported_files (
  id           INTEGER PRIMARY KEY,
  entity       TEXT NOT NULL,
  path         TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  imported_at  INTEGER NOT NULL,
  inserted     INTEGER NOT NULL,
  duplicates   INTEGER NOT NULL,
  rejected     INTEGER NOT NULL,
  UNIQUE (entity, content_hash)
);

CREATE TABLE transactions (
  id           INTEGER PRIMARY KEY,
  external_id  TEXT UNIQUE,  -- NULL when the source file has no ids
  customer_id  INTEGER NOT NULL REFERENCES customers(id),
  ts           INTEGER NOT NULL,
  amount_minor INTEGER NOT NULL,
  currency     TEXT NOT NULL DEFAULT 'USD',
  kind         TEXT NOT NULL DEFAULT 'purchase'
               CHECK (kind IN ('purchase', 'return', 'refund', 'cancellation')),
  quantity     INTEGER CHECK (quantity >= 0),
  category     TEXT,
  channel      TEXT,
  location     TEXT,
  file_id      INTEGER REFERENCES imported_files(id)
);
-- Covering index: a per-customer time scan for summaries never touches the table.
CREATE INDEX transactions_by_customer_time
  ON transactions (customer_id, ts, kind, amount_minor);

CREATE TABLE incidents (
  id                 INTEGER PRIMARY KEY,
  external_id        TEXT UNIQUE,
  customer_id        INTEGER NOT NULL REFERENCES customers(id),
  opened_at          INTEGER NOT NULL,
  resolved_at        INTEGER CHECK (resolved_at IS NULL OR resolved_at >= opened_at),
  severity           INTEGER CHECK (severity BETWEEN 1 AND 5),
  category           TEXT,
  channel            TEXT,
  outcome            TEXT,
  satisfaction       INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
  employee_id        INTEGER REFERENCES employees(id),
  compensation_minor INTEGER,
  file_id            INTEGER REFERENCES imported_files(id)
);
CREATE INDEX incidents_by_customer_time ON incidents (customer_id, opened_at);
)sql";

// Model runs (fits and churn scorings) with their parameters and the churn
// risk of every customer, so a run can be inspected and compared later.
constexpr const char* kV2 = R"sql(
CREATE TABLE runs (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,            -- 'fit' or 'churn'
  model       TEXT NOT NULL,            -- 'pnbd_cov', 'pnbd_dyncov', ...
  created_at  INTEGER NOT NULL,         -- UTC seconds
  source      TEXT,                     -- input the run was computed from
  horizon     REAL,                     -- churn horizon in the model's time unit
  log_likelihood REAL,
  details     TEXT NOT NULL DEFAULT '{}'  -- JSON: covariate scaling, options
);

CREATE TABLE run_parameters (
  run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name      TEXT NOT NULL,
  estimate  REAL NOT NULL,
  std_error REAL NOT NULL,
  PRIMARY KEY (run_id, name)
);

CREATE TABLE churn_scores (
  run_id             INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  customer           TEXT NOT NULL,     -- external customer id
  p_alive            REAL NOT NULL,
  churn_risk         REAL NOT NULL,
  risk_band          TEXT NOT NULL CHECK (risk_band IN ('low', 'medium', 'high', 'critical')),
  expected_purchases REAL NOT NULL,
  drivers            TEXT NOT NULL DEFAULT '[]',  -- JSON [{covariate, effect}]
  PRIMARY KEY (run_id, customer)
);
)sql";

// clv::Engine's per-customer scores of a run (runs.kind = 'fit', source =
// 'engine'; the run's data and parameters are in runs.details and
// run_parameters), so a past answer can be reproduced.
constexpr const char* kV3RunScores = R"sql(
CREATE TABLE run_scores (
  run_id             INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  customer_id        INTEGER NOT NULL REFERENCES customers(id),
  frequency          REAL NOT NULL,
  recency            REAL NOT NULL,
  T                  REAL NOT NULL,
  p_alive            REAL NOT NULL,
  expected_purchases REAL NOT NULL,
  clv                REAL,
  PRIMARY KEY (run_id, customer_id)
) WITHOUT ROWID;
)sql";

// Rows without an external id (most files have none) each put a NULL entry
// in the implicit index of `external_id TEXT UNIQUE`: a third B-tree insert
// per row that dedups nothing (measured ~1 us per row when importing or
// merging). A partial unique index over the ids that exist keeps the same
// dedup. SQLite cannot drop a column constraint, so both tables are rebuilt
// (the documented create-copy-drop-rename procedure); nothing refers to them.
constexpr const char* kV4PartialIdIndexes = R"sql(
CREATE TABLE transactions_v4 (
  id           INTEGER PRIMARY KEY,
  external_id  TEXT,  -- NULL when the source has no ids; unique when present
  customer_id  INTEGER NOT NULL REFERENCES customers(id),
  ts           INTEGER NOT NULL,
  amount_minor INTEGER NOT NULL,
  currency     TEXT NOT NULL DEFAULT 'USD',
  kind         TEXT NOT NULL DEFAULT 'purchase'
               CHECK (kind IN ('purchase', 'return', 'refund', 'cancellation')),
  quantity     INTEGER CHECK (quantity >= 0),
  category     TEXT,
  channel      TEXT,
  location     TEXT,
  file_id      INTEGER REFERENCES imported_files(id)
);
INSERT INTO transactions_v4 SELECT id, external_id, customer_id, ts, amount_minor, currency, kind,
  quantity, category, channel, location, file_id FROM transactions;
DROP TABLE transactions;
ALTER TABLE transactions_v4 RENAME TO transactions;
CREATE UNIQUE INDEX transactions_by_external_id ON transactions (external_id)
  WHERE external_id IS NOT NULL;
CREATE INDEX transactions_by_customer_time
  ON transactions (customer_id, ts, kind, amount_minor);

CREATE TABLE incidents_v4 (
  id                 INTEGER PRIMARY KEY,
  external_id        TEXT,  -- unique when present
  customer_id        INTEGER NOT NULL REFERENCES customers(id),
  opened_at          INTEGER NOT NULL,
  resolved_at        INTEGER CHECK (resolved_at IS NULL OR resolved_at >= opened_at),
  severity           INTEGER CHECK (severity BETWEEN 1 AND 5),
  category           TEXT,
  channel            TEXT,
  outcome            TEXT,
  satisfaction       INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
  employee_id        INTEGER REFERENCES employees(id),
  compensation_minor INTEGER,
  file_id            INTEGER REFERENCES imported_files(id)
);
INSERT INTO incidents_v4 SELECT id, external_id, customer_id, opened_at, resolved_at, severity,
  category, channel, outcome, satisfaction, employee_id, compensation_minor, file_id
  FROM incidents;
DROP TABLE incidents;
ALTER TABLE incidents_v4 RENAME TO incidents;
CREATE UNIQUE INDEX incidents_by_external_id ON incidents (external_id)
  WHERE external_id IS NOT NULL;
CREATE INDEX incidents_by_customer_time ON incidents (customer_id, opened_at);
)sql";

// Transactions acknowledged by clv::Engine's live ingest and not yet moved
// into `transactions`. A batch committed straight into `transactions` dirties
// a page of the per-customer index for nearly every row, and each commit
// rewrites those pages to the WAL (~13 us per row). Appending here writes a
// few sequential pages; the engine later moves many batches at once in
// customer order (Engine::flush), touching each index page once per merge.
// No foreign key or CHECK: the engine creates a row's customer in the same
// SQLite transaction and validates its kind before it appends.
constexpr const char* kV5PendingTransactions = R"sql(
CREATE TABLE transactions_pending (
  id           INTEGER PRIMARY KEY,
  external_id  TEXT,
  customer_id  INTEGER NOT NULL,
  ts           INTEGER NOT NULL,
  amount_minor INTEGER NOT NULL,
  currency     TEXT NOT NULL,
  kind         TEXT NOT NULL
);
CREATE UNIQUE INDEX transactions_pending_by_external_id ON transactions_pending (external_id)
  WHERE external_id IS NOT NULL;
)sql";

// Live ingest stores what the CSV import stores: a transaction's quantity,
// category, channel and location wait with the row for its merge.
constexpr const char* kV6PendingDetails = R"sql(
ALTER TABLE transactions_pending ADD COLUMN quantity INTEGER;
ALTER TABLE transactions_pending ADD COLUMN category TEXT;
ALTER TABLE transactions_pending ADD COLUMN channel TEXT;
ALTER TABLE transactions_pending ADD COLUMN location TEXT;
)sql";

constexpr Migration kMigrations[] = {
    {1, "customers, employees, transactions, incidents, imported files", kV1},
    {2, "runs, run parameters, churn scores", kV2},
    {3, "engine run scores", kV3RunScores},
    {4, "external ids unique through partial indexes (no NULL entries)", kV4PartialIdIndexes},
    {5, "engine transactions pending their merge into transactions", kV5PendingTransactions},
    {6, "quantity, category, channel and location of pending transactions", kV6PendingDetails},
};

}  // namespace

std::span<const Migration> schema_migrations() {
  return kMigrations;
}

}  // namespace clv
