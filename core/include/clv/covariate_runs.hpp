// Pareto/NBD with covariates on real data, the way every front end runs it:
// static covariates from a summary file, or incidents, staff and static
// attributes from the engine database with the fit stored as a run; then each
// customer's churn risk and drivers, stored as a churn run. `clv fit
// --covariates` and `clv churn` only parse their options and print these.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clv/churn.hpp"
#include "clv/covariates.hpp"
#include "clv/fit_check.hpp"
#include "clv/time_unit.hpp"

namespace clv {

// Customers with their calibration summary and raw covariates, row i of
// `covariates` being customer_id[i].
struct CovariatePortfolio {
  std::vector<std::string> customer_id;
  std::vector<double> x, t_x, T;
  CovariateMatrix covariates;    // raw (unstandardized), in the order asked for
  std::optional<TimeUnit> unit;  // a summary file's "# clv: unit=..." line, if any
  std::vector<double> monetary;  // mean spend per repeat purchase; empty without spend data

  size_t size() const { return customer_id.size(); }
};

// Reads a summary CSV (customer_id, frequency|x, recency|t_x, T, covariates...)
// with the static columns named by `spec` ("static:Gender,static:Channel").
// Throws Error::invalid_argument for incidents/staff (they need the database)
// or an unknown item, Error::not_found/io for the file and
// Error::invalid_argument naming the line for a missing column or bad value.
CovariatePortfolio read_static_covariate_portfolio(const std::string& path,
                                                   const std::string& spec);

// The model's scaling and coefficients as JSON (stored with churn runs).
std::string covariate_model_json(const CovariateParetoNbd& model);

// A fresh covariate fit on the engine database.
struct DbCovariateFitRequest {
  std::string db_path;
  int64_t calibration_end_day = 0;  // days since 1970-01-01, inclusive
  TimeUnit unit = TimeUnit::week();
  std::string covariates;                // "incidents,staff[,static:COL...]"
  std::vector<std::string> plugin_dirs;  // sector plugins (incident weights, SLA)
  bool use_plugins = true;  // false: the core's incident weights and SLA for every sector
  // fit.progress also receives the database summary's reports (stage "summary").
  CovariateFitOptions fit;
  // Incidents and staff as a snapshot at the calibration end instead of
  // entering the dropout hazard from when they happen (the default).
  bool snapshot = false;
  bool store = true;  // store the fit as a run (kind 'fit', model 'pnbd_cov')
};

// A covariate fit on the database, fresh or stored, with the portfolio it
// describes: the database's customers at the fit's calibration end.
struct DbCovariateFit {
  CovariateParetoNbd model;
  CovariatePortfolio portfolio;
  std::string calibration_end;  // YYYY-MM-DD
  TimeUnit unit;
  size_t incidents_used = 0;  // incidents opened on or before the calibration end
  std::vector<std::string> notes;
  // The fit record: model, spec, rules and fill values (what --out writes and
  // what the stored run's details hold; scenario files read it back).
  std::string record_json;
  int64_t run_id = 0;  // the stored run; 0 when not stored
  // A fresh fit: how well the plain model (the covariates' baseline) fits the
  // same customers; unsupported for a stored fit.
  FitCheck baseline_check;
};

// Summarizes the database, builds the covariates, fits and (request.store)
// stores the fit. Throws Error::invalid_argument for a bad spec or data,
// Error::not_found for a missing database, Error::not_converged, Error::io.
DbCovariateFit fit_db_covariate_run(const DbCovariateFitRequest& request);

// The stored covariate fit `run_id` (0 = the latest) with its portfolio
// rebuilt from the database as it is now, with the fit's columns, rules and
// fill values. Throws Error::not_found when there is no such run.
DbCovariateFit load_db_covariate_run(const std::string& db_path, int64_t run_id);

// Whether the database holds a stored covariate fit.
bool has_stored_covariate_fit(const std::string& db_path);

// Churn without covariates: the plain Pareto/NBD on the database's summary at
// request.calibration_end_day (request.covariates is ignored; nothing is
// stored as a fit run). Throws Error::invalid_argument for fewer than two
// customers.
DbCovariateFit fit_db_plain_churn(const DbCovariateFitRequest& request);

// One customer's churn risk over the horizon and its main drivers.
struct ChurnScore {
  std::string customer;
  ChurnPrediction prediction;
  std::vector<RiskDriver> drivers;
};

// Scores every customer of the portfolio (input order) with up to `drivers`
// drivers each. `progress`: stage "score", done/total in customers.
std::vector<ChurnScore> score_churn(const CovariateParetoNbd& model,
                                    const CovariatePortfolio& portfolio, double horizon,
                                    size_t drivers, const ProgressCallback& progress = {});

// The at-risk list: each customer's value at risk (P(alive) x P(churn |
// alive) x spend if kept over the horizon, spend per purchase from
// Gamma-Gamma on the portfolio's monetary values) and the `top` customers in
// descending order of it.
struct AtRiskList {
  std::vector<double> value_at_risk;  // per portfolio customer
  std::vector<size_t> order;          // the top customers, highest first
  std::string spend_note;             // where the spend per purchase came from
};
AtRiskList rank_at_risk(const std::vector<ChurnScore>& scores, const CovariatePortfolio& portfolio,
                        double horizon, size_t top);

// Stores the model and the scores as one churn run (one transaction) and
// returns its id; `source` says where the data came from and `unit` is the
// horizon's time unit when known. Throws Error::io.
int64_t store_churn_run(const std::string& db_path, const std::string& source,
                        const CovariateParetoNbd& model, double horizon,
                        const std::vector<ChurnScore>& scores,
                        const std::optional<TimeUnit>& unit = std::nullopt);

}  // namespace clv
