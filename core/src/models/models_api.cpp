// The public fit/score API (clv/models.hpp, clv/scoring.hpp) over the model
// registry, the fitter and the valuation code.
#include <cmath>
#include <memory>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "clv/models.hpp"
#include "clv/scoring.hpp"
#include "domain/nesting_limits.hpp"
#include "models/clv_valuation.hpp"
#include "models/mle_fitter.hpp"
#include "models/model_registry.hpp"
#include "models/params_json.hpp"
#include "models/retention_csv.hpp"
#include "models/shifted_beta_geometric.hpp"

namespace clv {

std::vector<std::string> available_models() {
  std::vector<std::string> names;
  for (const ModelEntry& m : all_models()) names.push_back(m.name);
  return names;
}

FitResult fit_model(std::string_view model, const RfmData& data, const FitOptions& options,
                    const TimeUnit& unit) {
  const ModelEntry& entry = find_model(std::string(model));
  // One rule for every purchase-count model: customers with T = 0 (first
  // purchase on the calibration-end day) have no observation time and carry
  // no information (their likelihood is exactly 1 in BG/NBD, MBG/NBD,
  // Pareto/NBD and BG/BB). They are left out of the fit and counted, and
  // scored from the prior.
  double excluded = 0.0;
  RfmData observed;
  const RfmData* fitted = &data;
  if (entry.kind == ModelRole::kPurchaseCount) {
    for (size_t i = 0; i < data.size(); ++i) {
      if (data.T[i] == 0.0) excluded += data.weight.empty() ? 1.0 : data.weight[i];
    }
    if (excluded > 0) {
      observed.x = data.x;
      observed.t_x = data.t_x;
      observed.T = data.T;
      observed.weight = data.weight.empty() ? std::vector<double>(data.size(), 1.0) : data.weight;
      for (size_t i = 0; i < data.size(); ++i) {
        if (data.T[i] == 0.0) observed.weight[i] = 0.0;
      }
      observed.T_column = data.T_column;
      fitted = &observed;
    }
  }
  const auto likelihood = entry.make_likelihood(*fitted, options);
  FitResult fit = maximize_likelihood(*likelihood, options, entry.name);
  fit.n_excluded = excluded;
  fit.time_unit = unit;
  // BG/BB counts transaction opportunities, whatever their calendar length.
  if (entry.name == "bgbb") fit.time_unit.name = "period";
  return fit;
}

FitResult fit_retention_file(const std::string& path, const FitOptions& options,
                             double period_days) {
  if (!(period_days > 0) || !std::isfinite(period_days)) {
    throw Error::invalid_argument("the length of a retention period must be > 0 days");
  }
  const ModelEntry& entry = find_model("sbg");
  SbgModel likelihood(read_retention_csv(path));
  FitResult fit = maximize_likelihood(likelihood, options, entry.name);
  fit.time_unit = TimeUnit{"period", period_days};
  return fit;
}

std::string fit_result_to_json_text(const FitResult& fit) {
  return fit_result_to_json(fit).dump(2);
}

FitResult fit_result_from_json_text(std::string_view json) {
  check_json_depth(json, "fit result");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json);
  } catch (const nlohmann::json::exception& e) {
    throw Error::invalid_argument(fmt::format("fit result is not valid JSON: {}", e.what()));
  }
  return fit_result_from_json(j);
}

void validate_score_options(const ScoreOptions& options, const TimeUnit& unit,
                            double cost_to_serve) {
  const double max_horizon = 36525.0 / unit.days;  // 100 years
  if (!std::isfinite(options.horizon) || !(options.horizon > 0) || options.horizon > max_horizon) {
    throw Error::invalid_argument(
        fmt::format("horizon {} must be > 0 and at most 100 years ({:.6g} {}s)", options.horizon,
                    max_horizon, unit.name));
  }
  if (!std::isfinite(options.margin) || options.margin < 0) {
    throw Error::invalid_argument(
        fmt::format("margin {} must be a finite number >= 0", options.margin));
  }
  if (!std::isfinite(options.annual_discount_rate) || options.annual_discount_rate < 0 ||
      options.annual_discount_rate > 10) {
    throw Error::invalid_argument(
        fmt::format("discount rate {} must be between 0 and 10 (0.1 = 10%/year)",
                    options.annual_discount_rate));
  }
  if (!std::isfinite(cost_to_serve) || cost_to_serve < 0 || cost_to_serve > 1e12) {
    throw Error::invalid_argument(
        fmt::format("cost to serve {} must be between 0 and 1e12 per customer per {}",
                    cost_to_serve, unit.name));
  }
}

Scores score(const FitResult& count_model, const RfmData& data, const ScoreOptions& options,
             const FitResult* spend_model) {
  const ModelEntry& entry = find_model(count_model.model);
  if (!entry.make_scorer) {
    throw Error::invalid_argument(fmt::format(
        "{} is not a purchase-count model; score with bgnbd, mbgnbd, pnbd or bgbb parameters",
        count_model.model));
  }
  if (!count_model.converged) {
    throw Error::not_converged(fmt::format("the {} fit did not converge", count_model.model));
  }
  validate_score_options(options, count_model.time_unit, options.cost_to_serve);
  if (!std::isfinite(options.referral_value) || options.referral_value < 0) {
    throw Error::invalid_argument(
        fmt::format("referral value {} must be a finite number >= 0", options.referral_value));
  }
  if (entry.name == "bgbb") {
    // The rules of the BG/BB fit: whole periods, frequency <= recency <= periods.
    for (size_t i = 0; i < data.size(); ++i) {
      const double x = data.x[i], t_x = data.t_x[i], n = data.T[i];
      if (!(x == std::floor(x) && t_x == std::floor(t_x) && n == std::floor(n) && 0 <= x &&
            x <= t_x && t_x <= n)) {
        throw Error::invalid_argument(fmt::format(
            "BG/BB customer {} (row {}): need whole numbers 0 <= frequency ({}) <= recency ({}) "
            "<= periods ({})",
            i < data.customer_id.size() ? data.customer_id[i] : std::to_string(i + 1), i + 1, x,
            t_x, n));
      }
    }
  }
  const auto scorer = entry.make_scorer(count_model.params);
  std::unique_ptr<GammaGammaParams> spend;
  if (spend_model) {
    if (spend_model->model != "gg" || spend_model->params.size() != 3) {
      throw Error::invalid_argument(
          fmt::format("the spend model must be a gg fit, not {}", spend_model->model));
    }
    if (!spend_model->converged) throw Error::not_converged("the gg fit did not converge");
    spend = std::make_unique<GammaGammaParams>(
        GammaGammaParams{spend_model->params[0], spend_model->params[1], spend_model->params[2]});
  }
  ValuationOptions v;
  v.horizon = options.horizon;
  v.margin = options.margin;
  v.annual_discount_rate = options.annual_discount_rate;
  v.time_unit = count_model.time_unit;
  v.spend_per_purchase = options.spend_per_purchase;
  v.cost_to_serve = options.cost_to_serve;
  v.referral_value = options.referral_value;
  CustomerScores s =
      score_customers(*scorer, data.x, data.t_x, data.T, v, spend.get(), data.monetary);
  return Scores{std::move(s.p_alive), std::move(s.expected_purchases), std::move(s.expected_spend),
                std::move(s.clv)};
}

}  // namespace clv
