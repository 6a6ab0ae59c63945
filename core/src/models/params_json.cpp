#include "models/params_json.hpp"

#include <cmath>
#include <fstream>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "models/model_registry.hpp"

namespace clv {

nlohmann::ordered_json fit_result_to_json(const FitResult& fit) {
  nlohmann::ordered_json j;
  j["model"] = fit.model;
  nlohmann::ordered_json params = nlohmann::ordered_json::object();
  nlohmann::ordered_json errors = nlohmann::ordered_json::object();
  for (size_t i = 0; i < fit.param_names.size(); ++i) {
    params[fit.param_names[i]] = fit.params[i];
    errors[fit.param_names[i]] = fit.std_errors[i];
  }
  j["params"] = params;
  j["std_errors"] = errors;
  j["log_likelihood"] = fit.log_likelihood;
  j["aic"] = fit.aic;
  j["bic"] = fit.bic;
  j["converged"] = fit.converged;
  j["iterations"] = fit.iterations;
  j["gradient_norm"] = fit.gradient_norm;
  j["n_customers"] = fit.n_customers;
  j["n_rows"] = fit.n_rows;
  j["time_unit"] = fit.time_unit.name;
  j["time_unit_days"] = fit.time_unit.days;
  if (fit.n_excluded > 0) j["n_excluded_T0"] = fit.n_excluded;
  if (!fit.warnings.empty()) j["warnings"] = fit.warnings;
  return j;
}

FitResult fit_result_from_json(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("model") || !j["model"].is_string() || !j.contains("params") ||
      !j["params"].is_object()) {
    throw Error::invalid_argument(
        "parameter JSON needs \"model\" (string) and \"params\" (object), as written by clv fit");
  }
  FitResult fit;
  fit.model = j["model"].get<std::string>();
  const ModelEntry& entry = find_model(fit.model);
  fit.param_names = entry.param_names;
  for (const std::string& name : entry.param_names) {
    const auto it = j["params"].find(name);
    if (it == j["params"].end() || !it->is_number() || !(it->get<double>() > 0) ||
        !std::isfinite(it->get<double>())) {
      throw Error::invalid_argument(fmt::format(
          "parameter JSON for {}: \"{}\" must be a finite number > 0", fit.model, name));
    }
    fit.params.push_back(it->get<double>());
    double se = 0;
    if (j.contains("std_errors") && j["std_errors"].contains(name) &&
        j["std_errors"][name].is_number()) {
      se = j["std_errors"][name].get<double>();
    }
    fit.std_errors.push_back(se);
  }
  fit.converged = j.value("converged", false);
  fit.log_likelihood = j.value("log_likelihood", 0.0);
  fit.aic = j.value("aic", 0.0);
  fit.bic = j.value("bic", 0.0);
  fit.iterations = j.value("iterations", 0);
  fit.gradient_norm = j.value("gradient_norm", 0.0);
  fit.n_customers = j.value("n_customers", 0.0);
  fit.n_rows = j.value("n_rows", size_t{0});
  fit.n_excluded = j.value("n_excluded_T0", 0.0);
  if (j.contains("warnings") && j["warnings"].is_array()) {
    for (const auto& w : j["warnings"]) {
      if (w.is_string()) fit.warnings.push_back(w.get<std::string>());
    }
  }
  if (j.contains("time_unit") && j["time_unit"].is_string()) {
    const std::string unit = j["time_unit"].get<std::string>();
    // "period" (BG/BB opportunities, sBG renewals) has no calendar name.
    fit.time_unit = unit == "period" ? TimeUnit{"period", 7.0} : TimeUnit::parse(unit);
    if (j.contains("time_unit_days") && j["time_unit_days"].is_number()) {
      fit.time_unit.days = j["time_unit_days"].get<double>();
    }
  }
  return fit;
}

void write_params_file(const std::string& path, const FitResult& fit) {
  std::ofstream out(path);
  if (!out) throw Error::io(fmt::format("cannot write {}", path));
  out << fit_result_to_json(fit).dump(2) << "\n";
  if (!out) throw Error::io(fmt::format("writing {} failed", path));
}

FitResult read_params_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error::not_found(fmt::format("parameter file {} not found", path));
  nlohmann::json j;
  try {
    in >> j;
  } catch (const nlohmann::json::exception& e) {
    throw Error::invalid_argument(fmt::format("{} is not valid JSON: {}", path, e.what()));
  }
  return fit_result_from_json(j);
}

}  // namespace clv
