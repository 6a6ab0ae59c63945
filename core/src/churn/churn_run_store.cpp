#include "churn/churn_run_store.hpp"

#include <chrono>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clv/error.hpp"
#include "store/database.hpp"

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
  auto db = open_database(db_path);
  try {
    SQLite::Transaction tx(*db);
    SQLite::Statement run(*db,
                          "INSERT INTO runs (kind, model, created_at, source, horizon, "
                          "log_likelihood, details) VALUES ('churn', ?, ?, ?, ?, ?, ?)");
    run.bind(1, model.fit.model);
    run.bind(2, static_cast<int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count()));
    run.bind(3, source);
    run.bind(4, horizon);
    run.bind(5, model.fit.log_likelihood);
    nlohmann::json details = covariate_model_details(model);
    if (unit) details["time_unit"] = unit->name;
    run.bind(6, details.dump());
    run.exec();
    const int64_t run_id = db->getLastInsertRowid();
    SQLite::Statement param(*db, "INSERT INTO run_parameters VALUES (?, ?, ?, ?)");
    for (size_t i = 0; i < model.fit.params.size(); ++i) {
      param.bind(1, run_id);
      param.bind(2, model.fit.param_names[i]);
      param.bind(3, model.fit.params[i]);
      param.bind(4, model.fit.std_errors[i]);
      param.exec();
      param.reset();
    }
    SQLite::Statement score(*db, "INSERT INTO churn_scores VALUES (?, ?, ?, ?, ?, ?, ?)");
    for (const CustomerChurn& c : scores) {
      nlohmann::json drivers = nlohmann::json::array();
      for (const RiskDriver& d : c.drivers) {
        drivers.push_back({{"covariate", d.covariate}, {"effect", d.effect}});
      }
      score.bind(1, run_id);
      score.bind(2, c.customer);
      score.bind(3, c.prediction.p_alive);
      score.bind(4, c.prediction.churn_risk);
      score.bind(5, risk_band_name(risk_band(c.prediction.churn_risk)));
      score.bind(6, c.prediction.expected_purchases);
      score.bind(7, drivers.dump());
      score.exec();
      score.reset();
    }
    tx.commit();
    return run_id;
  } catch (const SQLite::Exception& e) {
    throw Error::io(fmt::format("cannot store the churn run in {}: {}", db_path, e.what()));
  }
}

}  // namespace clv
