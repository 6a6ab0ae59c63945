#include "churn/churn_run_store.hpp"

#include <nlohmann/json.hpp>

#include "store/analysis_runs.hpp"

namespace clv {

namespace {

nlohmann::json covariate_model_details(const CovariateParetoNbd& model) {
  nlohmann::json j;
  j["model"] = model.fit.model;
  j["r"] = model.r;
  j["alpha"] = model.alpha;
  j["s"] = model.s;
  j["beta"] = model.beta;
  j["covariates"] = model.scaling.names;
  j["scaling_mean"] = model.scaling.mean;
  j["scaling_sd"] = model.scaling.scale;
  j["gamma_purchase"] = model.gamma_purchase;
  j["gamma_dropout"] = model.gamma_dropout;
  j["log_likelihood"] = model.fit.log_likelihood;
  j["baseline_log_likelihood"] = model.baseline.log_likelihood;
  return j;
}

}  // namespace

std::string covariate_model_json(const CovariateParetoNbd& model) {
  return covariate_model_details(model).dump();
}

int64_t save_churn_run(const std::string& db_path, const std::string& source,
                       const CovariateParetoNbd& model, double horizon,
                       const std::vector<CustomerChurn>& scores,
                       const std::optional<TimeUnit>& unit) {
  analysis_runs::RunRow run;
  run.model = model.fit.model;
  run.source = source;
  run.horizon = horizon;
  run.log_likelihood = model.fit.log_likelihood;
  nlohmann::json details = covariate_model_details(model);
  if (unit) details["time_unit"] = unit->name;
  run.details = details.dump();
  for (size_t i = 0; i < model.fit.params.size(); ++i) {
    run.parameters.push_back(
        {model.fit.param_names[i], model.fit.params[i], model.fit.std_errors[i]});
  }
  std::vector<analysis_runs::ChurnScoreRow> rows;
  rows.reserve(scores.size());
  for (const CustomerChurn& c : scores) {
    nlohmann::json drivers = nlohmann::json::array();
    for (const RiskDriver& d : c.drivers) {
      drivers.push_back({{"covariate", d.covariate}, {"effect", d.effect}});
    }
    rows.push_back({c.customer, c.prediction.p_alive, c.prediction.churn_risk,
                    risk_band_name(risk_band(c.prediction.churn_risk)),
                    c.prediction.expected_purchases, drivers.dump()});
  }
  return analysis_runs::insert_churn_run(db_path, run, rows);
}

}  // namespace clv
