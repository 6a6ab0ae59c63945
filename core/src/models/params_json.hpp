// Fit results as JSON in the CLI contract format:
// {"model", "params":{name: value}, "std_errors":{...}, "log_likelihood",
//  "aic", "bic", "converged", "iterations", "n_customers", "time_unit", ...}.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "clv/fit_result.hpp"

namespace clv {

nlohmann::ordered_json fit_result_to_json(const FitResult& fit);

// Reads what fit_result_to_json wrote (extra keys ignored). Parameter order
// follows the registry entry of "model"; every parameter must be present,
// finite and > 0. Throws Error::invalid_argument naming what is wrong.
FitResult fit_result_from_json(const nlohmann::json& j);

void write_params_file(const std::string& path, const FitResult& fit);
FitResult read_params_file(const std::string& path);

}  // namespace clv
