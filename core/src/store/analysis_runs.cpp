#include "store/analysis_runs.hpp"

#include <chrono>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "clv/error.hpp"
#include "store/database.hpp"

namespace clv::analysis_runs {
namespace {

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The run row and its parameters; the caller holds a transaction.
int64_t insert_run(SQLite::Database& db, const char* kind, const RunRow& run) {
  SQLite::Statement q(db,
                      "INSERT INTO runs (kind, model, created_at, source, horizon, "
                      "log_likelihood, details) VALUES (?, ?, ?, ?, ?, ?, ?)");
  q.bind(1, kind);
  q.bind(2, run.model);
  q.bind(3, now_seconds());
  q.bind(4, run.source);
  if (run.horizon) {
    q.bind(5, *run.horizon);
  } else {
    q.bind(5);
  }
  q.bind(6, run.log_likelihood);
  q.bind(7, run.details);
  q.exec();
  const int64_t run_id = db.getLastInsertRowid();
  SQLite::Statement param(
      db, "INSERT INTO run_parameters (run_id, name, estimate, std_error) VALUES (?, ?, ?, ?)");
  for (const Parameter& p : run.parameters) {
    param.bind(1, run_id);
    param.bind(2, p.name);
    param.bind(3, p.estimate);
    param.bind(4, p.std_error);
    param.exec();
    param.reset();
  }
  return run_id;
}

}  // namespace

int64_t insert_churn_run(const std::string& db_path, const RunRow& run,
                         const std::vector<ChurnScoreRow>& scores) {
  auto db = open_database(db_path);
  try {
    SQLite::Transaction tx(*db);
    const int64_t run_id = insert_run(*db, "churn", run);
    SQLite::Statement score(*db,
                            "INSERT INTO churn_scores (run_id, customer, p_alive, churn_risk, "
                            "risk_band, expected_purchases, drivers) VALUES (?, ?, ?, ?, ?, ?, ?)");
    for (const ChurnScoreRow& c : scores) {
      score.bind(1, run_id);
      score.bind(2, c.customer);
      score.bind(3, c.p_alive);
      score.bind(4, c.churn_risk);
      score.bind(5, c.risk_band);
      score.bind(6, c.expected_purchases);
      score.bind(7, c.drivers);
      score.exec();
      score.reset();
    }
    tx.commit();
    return run_id;
  } catch (const SQLite::Exception& e) {
    throw Error::io(fmt::format("cannot store the churn run in {}: {}", db_path, e.what()));
  }
}

int64_t insert_covariate_fit_run(const std::string& db_path, const RunRow& run) {
  auto db = open_database(db_path);
  try {
    SQLite::Transaction tx(*db);
    RunRow row = run;
    row.model = "pnbd_cov";
    const int64_t run_id = insert_run(*db, "fit", row);
    tx.commit();
    return run_id;
  } catch (const SQLite::Exception& e) {
    throw Error::io(fmt::format("cannot store the covariate fit in {}: {}", db_path, e.what()));
  }
}

std::optional<StoredDetails> find_covariate_fit_run(const std::string& db_path, int64_t run_id) {
  auto db = open_database(db_path);
  SQLite::Statement q(*db, run_id > 0 ? "SELECT id, details FROM runs WHERE id = ? AND kind = "
                                        "'fit' AND model = 'pnbd_cov'"
                                      : "SELECT id, details FROM runs WHERE kind = 'fit' AND "
                                        "model = 'pnbd_cov' ORDER BY id DESC LIMIT 1");
  if (run_id > 0) q.bind(1, run_id);
  if (!q.executeStep()) return std::nullopt;
  return StoredDetails{q.getColumn(0).getInt64(), q.getColumn(1).getString()};
}

}  // namespace clv::analysis_runs
