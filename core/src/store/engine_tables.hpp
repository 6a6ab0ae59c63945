// The engine's reads and writes of the database, with their SQL: loading
// customers, purchases and incident counts at open, appending ingested
// transactions to the pending table and incidents, and storing fitted runs
// (runs of kind 'fit', source 'engine', one `details` shape) with their
// parameters and scores. The engine keeps the locking and the memory side.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <nlohmann/json.hpp>

#include "clv/engine.hpp"

namespace clv::engine_tables {

// Page cache and mmap for a connection; the writer also gets a larger WAL.
void tune_connection(SQLite::Database& db, bool writer);

int64_t pending_rows(SQLite::Database& db);
size_t transaction_count(SQLite::Database& db);
int64_t max_transaction_row(SQLite::Database& db);

void read_customers(
    SQLite::Database& db,
    const std::function<void(int64_t row, std::string external_id, std::string sector)>& each);
// Purchases only (kind 'purchase'), stored amounts in minor units.
void read_purchases(SQLite::Database& db,
                    const std::function<void(int64_t customer_row, int64_t ts, int64_t amount_minor,
                                             std::string_view currency)>& each);
void read_incident_counts(SQLite::Database& db,
                          const std::function<void(int64_t customer_row, size_t count)>& each);

// Engine runs, newest first; Error::corrupt_data for a run whose details
// break the shape insert_run writes.
std::optional<RunInfo> latest_run(SQLite::Database& db);
std::vector<RunInfo> runs(SQLite::Database& db);
std::optional<RunInfo> run(SQLite::Database& db, int64_t id);

struct RunParameter {
  std::string name;  // "gg." before the spend model's
  double estimate = 0, std_error = 0;
};

// Stores the run (details: the fits, the data it was fitted on and
// `options`) and its parameters, and returns its id. Caller holds a
// transaction.
int64_t insert_run(SQLite::Database& db, const RunInfo& run, double horizon, double log_likelihood,
                   const nlohmann::json& options, const std::vector<RunParameter>& parameters);

class RunScoreWriter {
 public:
  RunScoreWriter(SQLite::Database& db, int64_t run_id);
  void add(int64_t customer_row, double x, double t_x, double T, double p_alive,
           double expected_purchases, std::optional<double> clv);

 private:
  SQLite::Statement insert_;
  int64_t run_id_;
};

// Customers created by ingest (external id only).
class CustomerInserter {
 public:
  explicit CustomerInserter(SQLite::Database& db);
  int64_t insert(const std::string& external_id);  // the new customers.id

 private:
  SQLite::Database& db_;
  SQLite::Statement insert_;
};

// Appends ingested transactions to transactions_pending (migration 5). Ids
// are unique across both tables: the pending table's own index, and a probe
// of the stored rows. Rows without an id cannot conflict and go
// kRowsPerInsert to a statement, which saves most of SQLite's per-statement
// work. The records must outlive the writer's next call (bound without copy).
class PendingTransactionWriter {
 public:
  static constexpr size_t kRowsPerInsert = 64;
  explicit PendingTransactionWriter(SQLite::Database& db);
  bool id_stored(const std::string& id);  // in `transactions`
  // False when the id is already pending (a duplicate).
  bool insert(const TransactionRecord& r, int64_t customer_row);
  // Exactly kRowsPerInsert rows without ids.
  void insert_many(const std::vector<std::pair<const TransactionRecord*, int64_t>>& rows);

 private:
  SQLite::Database& db_;
  SQLite::Statement insert_;
  std::optional<SQLite::Statement> insert_many_, stored_id_;
};

class IncidentWriter {
 public:
  explicit IncidentWriter(SQLite::Database& db);
  // The row of an employee by external id; nullopt when not imported.
  std::optional<int64_t> employee_row(const std::string& external_id);
  // False: a duplicate id. `employee_row` from employee_row() of r.employee_id.
  bool insert(const IncidentRecord& r, int64_t customer_row,
              std::optional<int64_t> employee_row = std::nullopt);

 private:
  SQLite::Statement insert_, employee_;
};

}  // namespace clv::engine_tables
