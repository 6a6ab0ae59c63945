// The fitted run named by a scenario file, read from its files.
#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "churn/covariate_fit_record.hpp"
#include "clv/churn.hpp"
#include "clv/error.hpp"
#include "clv/models.hpp"
#include "clv/time_unit.hpp"
#include "clv/whatif.hpp"

namespace clv {

FitResult read_fit_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error::not_found(fmt::format("parameter file {} not found", path));
  std::stringstream text;
  text << in.rdbuf();
  try {
    return fit_result_from_json_text(text.str());
  } catch (const Error& e) {
    throw Error::invalid_argument(fmt::format("{}: {}", path, e.what()));
  }
}

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error::not_found(fmt::format("parameter file {} not found", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

void attach_covariate_fit(WhatIfInputs& in, const std::string& text, const std::string& source,
                          const std::string& db_path) {
  const CovariateFitRecord record = covariate_fit_record_from_json(text, source);
  if (in.count_model.time_unit.days > 0 && !in.count_model.model.empty() &&
      std::abs(record.unit.days - in.count_model.time_unit.days) > 1e-9) {
    throw Error::invalid_argument(
        fmt::format("{} was fitted in {}s but the customers are summarised in {}s; use one unit",
                    source, record.unit.name, in.count_model.time_unit.name));
  }
  FitResult plain;
  plain.model = "pnbd";
  plain.param_names = {"r", "alpha", "s", "beta"};
  plain.params = {record.model.r, record.model.alpha, record.model.s, record.model.beta};
  const FitResult& f = record.model.fit;
  if (f.std_errors.size() >= 4)
    plain.std_errors.assign(f.std_errors.begin(), f.std_errors.begin() + 4);
  plain.log_likelihood = f.log_likelihood;
  plain.converged = f.converged;
  plain.n_customers = f.n_customers;
  plain.time_unit = record.unit;
  in.count_model = std::move(plain);
  auto run = std::make_shared<CovariateWhatIf>();
  run->model = record.model;
  DbCovariates cov = load_record_covariates(record, db_path, in.data.customer_id, in.data.T);
  run->data = std::move(cov.data);
  run->notes.push_back(
      fmt::format("covariate fit {} ({} covariates, calibration end {}); incident records from {}",
                  source, record.model.scaling.names.size(), record.calibration_end, db_path));
  for (size_t r = 0; r < run->data.rules.size(); ++r) {
    run->notes.push_back(fmt::format("incident rules of sector '{}': {}",
                                     r < cov.sectors.size() ? cov.sectors[r] : "",
                                     run->data.rules[r].source));
  }
  in.covariates = std::move(run);
}

namespace {

// A covariate fit as the count model: its r, alpha, s, beta as a pnbd fit,
// and every summary customer's records rebuilt from the run's database.
void load_covariate_run(const ScenarioFile& file, const std::string& text, WhatIfInputs& in) {
  if (file.run.db.empty()) {
    throw Error::invalid_argument(fmt::format(
        "{}: count_params {} is a covariate fit; add db = \"clv.db\" (the database it was "
        "fitted on) to [run] so the incident records can be read",
        file.path, file.run.count_params));
  }
  attach_covariate_fit(in, text, file.run.count_params, file.run.db);
}

}  // namespace

WhatIfInputs load_whatif_inputs(const ScenarioFile& file) {
  WhatIfInputs in;
  in.run = file.run;
  in.scenarios = file.scenarios;
  in.data = read_summary_file(file.run.summary);
  const std::string count_text = slurp(file.run.count_params);
  if (is_covariate_fit_json(count_text)) {
    load_covariate_run(file, count_text, in);
  } else {
    in.count_model = read_fit_file(file.run.count_params);
  }
  in.spend_model = read_fit_file(file.run.spend_params);
  // The horizon and the summary's times are read in the count model's unit.
  if (in.data.unit) {
    require_same_unit(*in.data.unit, "the summary " + file.run.summary, in.count_model.time_unit,
                      "the fit " + file.run.count_params);
  }
  if (!file.run.customers.empty()) {
    in.attributes = read_customer_attributes(file.run.customers, in.data.customer_id);
  }
  return in;
}

}  // namespace clv
