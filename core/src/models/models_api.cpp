// The public fit/score API (clv/models.hpp, clv/scoring.hpp) over the model
// registry, the fitter and the valuation code.
#include <memory>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "clv/models.hpp"
#include "clv/scoring.hpp"
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
  const auto likelihood = entry.make_likelihood(data, options);
  FitResult fit = maximize_likelihood(*likelihood, options, entry.name);
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
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json);
  } catch (const nlohmann::json::exception& e) {
    throw Error::invalid_argument(fmt::format("fit result is not valid JSON: {}", e.what()));
  }
  return fit_result_from_json(j);
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
  CustomerScores s =
      score_customers(*scorer, data.x, data.t_x, data.T, v, spend.get(), data.monetary);
  return Scores{std::move(s.p_alive), std::move(s.expected_purchases), std::move(s.expected_spend),
                std::move(s.clv)};
}

}  // namespace clv
