// Stores a churn run (the fitted covariate model and every customer's churn
// risk, band and drivers) in the engine database (schema migration 2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clv/churn.hpp"
#include "clv/time_unit.hpp"

namespace clv {

struct CustomerChurn {
  std::string customer;
  ChurnPrediction prediction;
  std::vector<RiskDriver> drivers;
};

// The model's scaling and coefficients as JSON (stored with the run).
std::string covariate_model_json(const CovariateParetoNbd& model);

// Inserts one run with its parameters and scores in a single transaction and
// returns the run id; `unit` (the horizon's time unit, when known) goes into
// the run's details. Throws Error::io when the database cannot be written.
int64_t save_churn_run(const std::string& db_path, const std::string& source,
                       const CovariateParetoNbd& model, double horizon,
                       const std::vector<CustomerChurn>& scores,
                       const std::optional<TimeUnit>& unit = std::nullopt);

}  // namespace clv
