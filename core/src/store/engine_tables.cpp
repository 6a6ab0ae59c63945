#include "store/engine_tables.hpp"

#include <fmt/format.h>

#include "clv/error.hpp"

namespace clv::engine_tables {
namespace {

constexpr const char* kRunColumns = "id, created_at, model, details";
constexpr const char* kEngineRuns = "kind = 'fit' AND source = 'engine'";

RunInfo read_run(SQLite::Statement& q) {
  RunInfo r;
  r.id = q.getColumn(0).getInt64();
  try {
    r.created_at = q.getColumn(1).getInt64();
    r.count_model = q.getColumn(2).getString();
    const nlohmann::json d = nlohmann::json::parse(q.getColumn(3).getString());
    r.count_fit_json = d.at("count_fit").dump();
    r.spend_fit_json = d.at("spend_fit").is_null() ? "" : d.at("spend_fit").dump();
    r.observation_end_day = d.at("observation_end_day").get<int64_t>();
    r.n_customers = d.at("n_customers").get<size_t>();
    r.n_transactions = d.at("n_transactions").get<size_t>();
    r.max_transaction_row = d.at("max_transaction_row").get<int64_t>();
  } catch (const nlohmann::json::exception& e) {
    throw Error::corrupt_data(
        fmt::format("run {}: its details are not an engine run's: {}", r.id, e.what()));
  }
  return r;
}

void bind_text_or_null(SQLite::Statement& q, int column, const std::string& v) {
  if (v.empty()) {
    q.bind(column);
  } else {
    q.bindNoCopy(column, v);
  }
}

}  // namespace

void tune_connection(SQLite::Database& db, bool writer) {
  // Ingest inserts land on random pages of the per-customer index; with
  // SQLite's default 2 MB cache each batch re-reads them from the OS.
  db.exec("PRAGMA cache_size = -65536");  // KiB: 64 MB per connection
  db.exec("PRAGMA mmap_size = 268435456");
  // Each batch dirties pages all over that index; checkpointing every 1000
  // WAL pages (the default) copied them back after nearly every batch. A
  // larger WAL lets a page changed by many batches be copied once.
  if (writer) db.exec("PRAGMA wal_autocheckpoint = 16384");  // pages: 64 MB
}

int64_t pending_rows(SQLite::Database& db) {
  return db.execAndGet("SELECT count(*) FROM transactions_pending").getInt64();
}

size_t transaction_count(SQLite::Database& db) {
  return static_cast<size_t>(db.execAndGet("SELECT COUNT(*) FROM transactions").getInt64());
}

int64_t max_transaction_row(SQLite::Database& db) {
  return db.execAndGet("SELECT COALESCE(MAX(id), 0) FROM transactions").getInt64();
}

void read_customers(SQLite::Database& db,
                    const std::function<void(int64_t, std::string, std::string)>& each) {
  SQLite::Statement q(db,
                      "SELECT id, external_id, COALESCE(sector, '') FROM customers ORDER BY id");
  while (q.executeStep()) {
    each(q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString());
  }
}

void read_purchases(SQLite::Database& db,
                    const std::function<void(int64_t, int64_t, int64_t, std::string_view)>& each) {
  SQLite::Statement q(db,
                      "SELECT customer_id, ts, amount_minor, currency FROM transactions "
                      "WHERE kind = 'purchase'");
  while (q.executeStep()) {
    each(q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), q.getColumn(2).getInt64(),
         q.getColumn(3).getText());
  }
}

void read_incident_counts(SQLite::Database& db, const std::function<void(int64_t, size_t)>& each) {
  SQLite::Statement q(db, "SELECT customer_id, COUNT(*) FROM incidents GROUP BY customer_id");
  while (q.executeStep()) {
    each(q.getColumn(0).getInt64(), static_cast<size_t>(q.getColumn(1).getInt64()));
  }
}

std::optional<RunInfo> latest_run(SQLite::Database& db) {
  SQLite::Statement q(db, fmt::format("SELECT {} FROM runs WHERE {} ORDER BY id DESC LIMIT 1",
                                      kRunColumns, kEngineRuns));
  if (!q.executeStep()) return std::nullopt;
  return read_run(q);
}

std::vector<RunInfo> runs(SQLite::Database& db) {
  std::vector<RunInfo> out;
  SQLite::Statement q(
      db, fmt::format("SELECT {} FROM runs WHERE {} ORDER BY id DESC", kRunColumns, kEngineRuns));
  while (q.executeStep()) out.push_back(read_run(q));
  return out;
}

std::optional<RunInfo> run(SQLite::Database& db, int64_t id) {
  SQLite::Statement q(
      db, fmt::format("SELECT {} FROM runs WHERE id = ? AND {}", kRunColumns, kEngineRuns));
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  return read_run(q);
}

int64_t insert_run(SQLite::Database& db, const RunInfo& run, double horizon, double log_likelihood,
                   const nlohmann::json& options, const std::vector<RunParameter>& parameters) {
  const nlohmann::json details = {
      {"count_fit", nlohmann::json::parse(run.count_fit_json)},
      {"spend_fit", run.spend_fit_json.empty() ? nlohmann::json(nullptr)
                                               : nlohmann::json::parse(run.spend_fit_json)},
      {"observation_end_day", run.observation_end_day},
      {"n_customers", run.n_customers},
      {"n_transactions", run.n_transactions},
      {"max_transaction_row", run.max_transaction_row},
      {"options", options}};
  SQLite::Statement add_run(db,
                            "INSERT INTO runs (kind, model, created_at, source, horizon, "
                            "log_likelihood, details) VALUES ('fit', ?, ?, 'engine', ?, ?, ?)");
  add_run.bind(1, run.count_model);
  add_run.bind(2, run.created_at);
  add_run.bind(3, horizon);
  add_run.bind(4, log_likelihood);
  add_run.bind(5, details.dump());
  add_run.exec();
  const int64_t id = db.getLastInsertRowid();
  SQLite::Statement add_param(
      db, "INSERT INTO run_parameters (run_id, name, estimate, std_error) VALUES (?, ?, ?, ?)");
  for (const RunParameter& p : parameters) {
    add_param.bind(1, id);
    add_param.bind(2, p.name);
    add_param.bind(3, p.estimate);
    add_param.bind(4, p.std_error);
    add_param.exec();
    add_param.reset();
  }
  return id;
}

RunScoreWriter::RunScoreWriter(SQLite::Database& db, int64_t run_id)
    : insert_(db,
              "INSERT INTO run_scores (run_id, customer_id, frequency, recency, T, p_alive, "
              "expected_purchases, clv) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
      run_id_(run_id) {}

void RunScoreWriter::add(int64_t customer_row, double x, double t_x, double T, double p_alive,
                         double expected_purchases, std::optional<double> clv) {
  insert_.bind(1, run_id_);
  insert_.bind(2, customer_row);
  insert_.bind(3, x);
  insert_.bind(4, t_x);
  insert_.bind(5, T);
  insert_.bind(6, p_alive);
  insert_.bind(7, expected_purchases);
  if (clv) {
    insert_.bind(8, *clv);
  } else {
    insert_.bind(8);
  }
  insert_.exec();
  insert_.reset();
}

CustomerInserter::CustomerInserter(SQLite::Database& db)
    : db_(db), insert_(db, "INSERT INTO customers (external_id) VALUES (?)") {}

int64_t CustomerInserter::insert(const std::string& external_id) {
  insert_.bindNoCopy(1, external_id);
  insert_.exec();
  insert_.reset();
  return db_.getLastInsertRowid();
}

namespace {

// customer_id .. location: kRowColumns values from `first` on.
constexpr int kRowColumns = 9;
constexpr const char* kRowNames =
    "customer_id, ts, amount_minor, currency, kind, quantity, category, channel, location";
constexpr const char* kRowValues = "(?, ?, ?, ?, ?, ?, ?, ?, ?)";

void bind_row(SQLite::Statement& q, int first, const TransactionRecord& r, int64_t row) {
  q.bind(first, row);
  q.bind(first + 1, r.timestamp);
  q.bind(first + 2, r.amount_minor);
  q.bindNoCopy(first + 3, r.currency);
  q.bindNoCopy(first + 4, r.kind);
  if (r.quantity) {
    q.bind(first + 5, *r.quantity);
  } else {
    q.bind(first + 5);
  }
  bind_text_or_null(q, first + 6, r.category);
  bind_text_or_null(q, first + 7, r.channel);
  bind_text_or_null(q, first + 8, r.location);
}

}  // namespace

PendingTransactionWriter::PendingTransactionWriter(SQLite::Database& db)
    : db_(db),
      // kRowValues + 1: its placeholders after the "(", behind external_id's.
      insert_(db, fmt::format("INSERT INTO transactions_pending (external_id, {}) VALUES (?, {} "
                              "ON CONFLICT DO NOTHING",
                              kRowNames, kRowValues + 1)) {}

bool PendingTransactionWriter::id_stored(const std::string& id) {
  if (!stored_id_) stored_id_.emplace(db_, "SELECT 1 FROM transactions WHERE external_id = ?");
  stored_id_->bindNoCopy(1, id);
  const bool known = stored_id_->executeStep();
  stored_id_->reset();
  return known;
}

bool PendingTransactionWriter::insert(const TransactionRecord& r, int64_t customer_row) {
  bind_text_or_null(insert_, 1, r.id);
  bind_row(insert_, 2, r, customer_row);
  const int changed = insert_.exec();
  insert_.reset();
  return changed != 0;
}

void PendingTransactionWriter::insert_many(
    const std::vector<std::pair<const TransactionRecord*, int64_t>>& rows) {
  if (!insert_many_) {
    std::string sql =
        fmt::format("INSERT INTO transactions_pending ({}) VALUES {}", kRowNames, kRowValues);
    for (size_t k = 1; k < kRowsPerInsert; ++k) sql += fmt::format(", {}", kRowValues);
    insert_many_.emplace(db_, sql);
  }
  for (size_t k = 0; k < rows.size(); ++k) {
    bind_row(*insert_many_, static_cast<int>(k * kRowColumns + 1), *rows[k].first, rows[k].second);
  }
  insert_many_->exec();
  insert_many_->reset();
}

IncidentWriter::IncidentWriter(SQLite::Database& db)
    : insert_(db,
              "INSERT INTO incidents (external_id, customer_id, opened_at, resolved_at, severity, "
              "satisfaction, category, channel, outcome, employee_id, compensation_minor) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"),
      employee_(db, "SELECT id FROM employees WHERE external_id = ?") {}

std::optional<int64_t> IncidentWriter::employee_row(const std::string& external_id) {
  employee_.bindNoCopy(1, external_id);
  std::optional<int64_t> row;
  if (employee_.executeStep()) row = employee_.getColumn(0).getInt64();
  employee_.reset();
  return row;
}

bool IncidentWriter::insert(const IncidentRecord& r, int64_t customer_row,
                            std::optional<int64_t> employee_row) {
  bind_text_or_null(insert_, 1, r.id);
  insert_.bind(2, customer_row);
  insert_.bind(3, r.opened_at);
  if (r.resolved_at) {
    insert_.bind(4, *r.resolved_at);
  } else {
    insert_.bind(4);
  }
  if (r.severity) {
    insert_.bind(5, *r.severity);
  } else {
    insert_.bind(5);
  }
  if (r.satisfaction) {
    insert_.bind(6, *r.satisfaction);
  } else {
    insert_.bind(6);
  }
  bind_text_or_null(insert_, 7, r.category);
  bind_text_or_null(insert_, 8, r.channel);
  bind_text_or_null(insert_, 9, r.outcome);
  if (employee_row) {
    insert_.bind(10, *employee_row);
  } else {
    insert_.bind(10);
  }
  if (r.compensation_minor) {
    insert_.bind(11, *r.compensation_minor);
  } else {
    insert_.bind(11);
  }
  const int changed = insert_.exec();
  insert_.reset();
  return changed != 0;
}

}  // namespace clv::engine_tables
