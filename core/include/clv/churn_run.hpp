// One churn run, the way every front end asks for it: `clv churn`, the
// Engine (Engine::churn_fit), the C API (clv_churn_fit_json) and HTTP (POST
// /v1/churn/fit) build a ChurnFitRequest and call run_churn; the result's
// JSON is the same text everywhere (churn_result_json). The request chooses
// the data and the model:
//   - a summary file with static covariate columns (summary_path; CLI only),
//   - the plain Pareto/NBD on the database's summary (plain, or no covariates
//     and no stored covariate fit with a calibration end given),
//   - a fresh covariate fit on the database (covariates), stored as a fit run,
//   - a stored covariate fit (run, 0 = the latest),
// then every customer's churn risk and drivers, stored as a churn run, and
// the customers with the most value at risk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clv/churn.hpp"
#include "clv/covariate_runs.hpp"
#include "clv/fit_check.hpp"
#include "clv/time_unit.hpp"

namespace clv {

struct ChurnFitRequest {
  std::string summary_path;  // a summary CSV with static covariate columns (CLI only)
  // With summary_path: "static:COL[,static:COL...]"; without it, a fresh fit
  // on the database: "incidents,staff[,static:COL...]" or single columns.
  std::string covariates;
  int64_t run = 0;  // the stored covariate fit to score (0 = the latest)
  // Last day of the fit period (days since 1970-01-01); needed for a fresh
  // or plain fit.
  std::optional<int64_t> calibration_end_day;
  // The horizon's unit as given: checked against the summary's or the stored
  // fit's; the unit of a fresh or plain fit. Unset: a fresh or plain fit uses
  // default_unit and a summary or stored fit its own.
  std::optional<TimeUnit> unit;
  TimeUnit default_unit = TimeUnit::week();
  std::vector<std::string> plugin_dirs;  // sector plugins (incident weights, SLAs)
  bool use_plugins = true;               // false: the core's weights and SLA for every sector
  double horizon = 0;                    // in the run's time unit; > 0
  size_t top = 20;                       // customers in the at-risk list
  size_t drivers = 3;                    // drivers per customer
  bool plain = false;                    // the plain model even if a covariate fit is stored
  bool snapshot = false;                 // incidents and staff as a snapshot at the calibration end
  bool store = true;                     // store the fit (fresh) and the churn run
  int threads = 0;                       // for the likelihood; 0 = all cores
  ProgressCallback progress;             // fit passes and scoring; empty: none
};

struct ChurnFitResult {
  int64_t run_id = 0;      // the stored churn run; 0 when not stored
  int64_t fit_run_id = 0;  // the covariate fit run scored (fresh or stored); 0 = none
  std::string source;      // where the data came from (stored with the run)
  double horizon = 0;
  std::optional<TimeUnit> unit;
  CovariateParetoNbd model;
  std::vector<std::string> notes;
  std::vector<CovariateEffect> effects;
  std::vector<ChurnScore> scores;  // every customer, in portfolio order
  AtRiskList at_risk;
  size_t customers = 0;
  // How well the plain Pareto/NBD (the covariates' baseline, or the plain
  // model itself) describes the scored customers: expected vs actual repeat
  // purchases in the calibration period, the same check and warning as `clv
  // fit` (clv/fit_check.hpp). Unsupported when the baseline is unknown.
  FitCheck fit_check;
};

// Throws Error::invalid_argument for a bad request (naming what is missing),
// Error::not_found for a missing database, summary file or stored fit,
// Error::not_converged, Error::io.
ChurnFitResult run_churn(const std::string& db_path, const ChurnFitRequest& request);

// The result as `clv churn --json` prints it (indent -1: one line):
// {"run_id", "horizon", "time_unit", "model", "notes", "parameters":[{"name",
// "estimate", "std_error"}], "effects":[...], "ranking", "customers":[{"customer",
// "p_alive", "churn_risk", "risk_if_alive", "value_at_risk", "risk_band",
// "expected_purchases", "drivers":[{"covariate", "effect"}]}]} plus "fit_run_id",
// "customers_scored" and "fit_check" (fit_check_json: misfit, warnings, ...;
// null when unsupported).
std::string churn_result_json(const ChurnFitResult& result, int indent = -1);

// A request from JSON (the body of POST /v1/churn/fit and clv_churn_fit_json):
// {"horizon": 26 (required), "covariates": "incidents,staff" or ["unresolved",
// ...], "plain": false, "run": 0, "calibration_end": "YYYY-MM-DD", "unit":
// "week", "snapshot": false, "top": 20, "drivers": 3, "store": true}. No
// summary file and no plugin directories (the engine's). Throws
// Error::invalid_argument naming the field.
ChurnFitRequest churn_fit_request_from_json(std::string_view text);

}  // namespace clv
