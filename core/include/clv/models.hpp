// Fitting the engine's models by name ("bgnbd", "mbgnbd", "pnbd", "bgbb",
// "gg", "sbg") and saving fits as JSON in the CLI contract format.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "clv/fit_result.hpp"
#include "clv/rfm_data.hpp"

namespace clv {

// Names of the models this build can fit.
std::vector<std::string> available_models();

// Maximum-likelihood fit. Throws Error::invalid_argument for an unknown model
// or unusable data and Error::not_converged (with diagnostics) when the
// optimum is not reached or not identified.
FitResult fit_model(std::string_view model, const RfmData& data, const FitOptions& options = {},
                    const TimeUnit& unit = TimeUnit::week());

// sBG fit of a retention CSV: a survivor curve `period,survivors` (first row,
// period 0, = cohort size) or per-customer `periods,churned[,count]`. The
// time unit is "period" (one contract renewal) of `period_days` days.
FitResult fit_retention_file(const std::string& path, const FitOptions& options = {},
                             double period_days = 365.25);

// {"model", "params", "std_errors", "log_likelihood", "aic", "bic",
//  "converged", "iterations", "n_customers", "time_unit", ...}
std::string fit_result_to_json_text(const FitResult& fit);
FitResult fit_result_from_json_text(std::string_view json);

}  // namespace clv
