// A covariate Pareto/NBD fitted on the engine database, with everything
// needed to rebuild any customer's covariates the same way later (churn
// scoring, what-if): the spec, calibration end, time unit, the incident rules
// of each sector, the fill values for unknowns and the static column names.
// Written by `clv fit --covariates ... --db` (--out and the runs table) and
// read by `clv churn --db` and by scenario files (count_params).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "churn/db_covariates.hpp"
#include "clv/churn.hpp"
#include "clv/rfm_data.hpp"

namespace clv {

struct CovariateFitRecord {
  CovariateParetoNbd model;
  CovariateSpec spec;
  std::string calibration_end;  // YYYY-MM-DD
  TimeUnit unit;
  std::vector<std::string> sectors;  // sector of each rules entry
  std::vector<IncidentRules> rules;
  std::vector<double> unknown_fill;
  std::vector<std::string> static_names;
  std::vector<std::string> notes;
};

std::string covariate_fit_record_to_json(const CovariateFitRecord& record);
// Throws Error::invalid_argument naming `source` for a file that is not a
// covariate fit written by clv fit --covariates --db.
CovariateFitRecord covariate_fit_record_from_json(std::string_view text, const std::string& source);
// True for the JSON of a covariate fit record (has "covariate_fit").
bool is_covariate_fit_json(std::string_view text);

// The database's summary at the record's (or options') calibration end with
// the customers' covariates.
struct DbCovariatePortfolio {
  RfmData summary;  // with monetary
  DbCovariates covariates;
  CovariateMatrix raw;  // covariates.data.build()
};

// Summarizes and loads; with `record`, rebuilds exactly its columns, rules'
// sectors and fill values (the run's data may have grown since: new
// incidents count, the scaling stays the fit's).
DbCovariatePortfolio load_db_covariate_portfolio(const DbCovariateOptions& options,
                                                 const CovariateSpec& spec,
                                                 const CovariateFitRecord* record = nullptr);

// Rebuilds the covariates of the customers `ids` (ages `T`) for `record`.
DbCovariates load_record_covariates(const CovariateFitRecord& record, const std::string& db_path,
                                    const std::vector<std::string>& ids,
                                    const std::vector<double>& T);

// Fits the covariate Pareto/NBD to a loaded portfolio.
CovariateFitRecord fit_db_covariates(const DbCovariatePortfolio& portfolio,
                                     const DbCovariateOptions& options, const CovariateSpec& spec,
                                     const CovariateFitOptions& fit_options);

// Stores the fit as a run (kind 'fit', model 'pnbd_cov', details = the
// record's JSON, run_parameters) and returns its id. Throws Error::io.
int64_t save_covariate_fit_run(const std::string& db_path, const CovariateFitRecord& record);

// Whether the database holds a stored covariate fit.
bool has_covariate_fit_run(const std::string& db_path);

// The stored covariate fit `run_id` (0 = the latest). Throws Error::not_found.
CovariateFitRecord load_covariate_fit_run(const std::string& db_path, int64_t run_id,
                                          int64_t* found_id = nullptr);

}  // namespace clv
