// The runs that `clv churn` and `clv fit --covariates --db` store (schema
// migration 2: runs, run_parameters, churn_scores), with their SQL. The
// callers build each kind's `details` JSON; this repository writes and finds
// the rows. (The engine's own fit runs are in engine_tables.)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace clv::analysis_runs {

struct Parameter {
  std::string name;
  double estimate = 0, std_error = 0;
};

// One run row: kind and model are fixed by the function that stores it.
struct RunRow {
  std::string model;
  std::string source;
  std::optional<double> horizon;  // NULL when absent
  double log_likelihood = 0;
  std::string details;  // JSON text
  std::vector<Parameter> parameters;
};

struct ChurnScoreRow {
  std::string customer;  // external id
  double p_alive = 0, churn_risk = 0;
  std::string risk_band;
  double expected_purchases = 0;
  std::string drivers;  // JSON array text
};

// Stores a churn run (kind 'churn'), its parameters and scores in one
// transaction; returns the run id. Throws Error::io naming the database.
int64_t insert_churn_run(const std::string& db_path, const RunRow& run,
                         const std::vector<ChurnScoreRow>& scores);

// Stores a covariate fit (kind 'fit', model 'pnbd_cov') and its parameters
// in one transaction; returns the run id. Throws Error::io.
int64_t insert_covariate_fit_run(const std::string& db_path, const RunRow& run);

struct StoredDetails {
  int64_t id = 0;
  std::string details;
};

// The covariate fit run `run_id` (0: the latest), or nothing.
std::optional<StoredDetails> find_covariate_fit_run(const std::string& db_path, int64_t run_id);

}  // namespace clv::analysis_runs
