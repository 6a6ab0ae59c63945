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

// Model runs (clv::Engine): which data (transactions up to a row id, the
// observation end) and which fitted parameters produced which scores.
constexpr const char* kV2ModelRuns = R"sql(
CREATE TABLE model_runs (
  id                  INTEGER PRIMARY KEY,
  created_at          INTEGER NOT NULL,
  count_model         TEXT NOT NULL,
  count_fit           TEXT NOT NULL,  -- fit JSON (clv fit format)
  spend_fit           TEXT,           -- Gamma-Gamma fit JSON; NULL without CLV
  options             TEXT NOT NULL,  -- JSON: time unit, horizon, margin, discount
  observation_end_day INTEGER NOT NULL,
  n_customers         INTEGER NOT NULL,
  n_transactions      INTEGER NOT NULL,
  max_transaction_row INTEGER NOT NULL  -- the data: transactions.id <= this
);

CREATE TABLE model_run_scores (
  run_id             INTEGER NOT NULL REFERENCES model_runs(id),
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

constexpr Migration kMigrations[] = {
    {1, "customers, employees, transactions, incidents, imported files", kV1},
    {2, "model runs and their scores", kV2ModelRuns},
};

}  // namespace

std::span<const Migration> schema_migrations() { return kMigrations; }

}  // namespace clv
