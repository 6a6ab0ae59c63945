// Reads a churn run that `clv churn` stored (schema migration 2: runs,
// run_parameters, churn_scores) so that the report shows the fitted
// covariate drivers and per-customer churn risk, not a proxy.
#include <cmath>
#include <filesystem>
#include <string>

#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>

#include "clv/error.hpp"
#include "clv/run_report.hpp"
#include "store/database.hpp"

namespace clv {

StoredChurnRun read_churn_run(const std::string& db_path, int64_t run_id) {
  if (!std::filesystem::exists(db_path)) {
    throw Error::not_found(
        fmt::format("no database at '{}': run `clv churn` first, or pass --db PATH", db_path));
  }
  auto db = open_database(db_path);
  StoredChurnRun run;
  try {
    SQLite::Statement find(*db, run_id > 0 ? "SELECT id, model, horizon FROM runs "
                                             "WHERE kind = 'churn' AND id = ?"
                                           : "SELECT id, model, horizon FROM runs "
                                             "WHERE kind = 'churn' ORDER BY id DESC LIMIT 1");
    if (run_id > 0) find.bind(1, static_cast<int64_t>(run_id));
    if (!find.executeStep()) {
      throw Error::not_found(
          run_id > 0 ? fmt::format("{}: there is no churn run {}", db_path, run_id)
                     : fmt::format("{}: no churn run is stored; run `clv churn` first", db_path));
    }
    run.id = find.getColumn(0).getInt64();
    run.model = find.getColumn(1).getString();
    run.horizon = find.getColumn(2).getDouble();

    SQLite::Statement params(*db,
                             "SELECT name, estimate, std_error FROM run_parameters "
                             "WHERE run_id = ? AND name LIKE 'dropout:%' ORDER BY rowid");
    params.bind(1, run.id);
    while (params.executeStep()) {
      run.covariates.push_back(params.getColumn(0).getString().substr(8));
      run.dropout_effect.push_back(params.getColumn(1).getDouble());
      run.dropout_std_error.push_back(params.getColumn(2).getDouble());
    }
    SQLite::Statement scores(
        *db, "SELECT customer, churn_risk FROM churn_scores WHERE run_id = ? ORDER BY rowid");
    scores.bind(1, run.id);
    while (scores.executeStep()) {
      const double risk = scores.getColumn(1).getDouble();
      if (!std::isfinite(risk) || risk < 0 || risk > 1) {
        throw Error::corrupt_data(fmt::format("{}: churn run {} has churn risk {} for customer {}",
                                              db_path, run.id, risk,
                                              scores.getColumn(0).getString()));
      }
      run.customer.push_back(scores.getColumn(0).getString());
      run.churn_risk.push_back(risk);
    }
  } catch (const SQLite::Exception& e) {
    throw Error::io(fmt::format("cannot read churn run from {}: {}", db_path, e.what()));
  }
  return run;
}

}  // namespace clv
