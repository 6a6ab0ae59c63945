// Names ("bgnbd", "mbgnbd", "pnbd", "bgbb", "gg", "sbg") mapped to what `clv
// fit` and `clv score` need: the parameter names, a likelihood built from a
// summary table, and for purchase-count models a scorer built from fitted
// parameters. Adding a model is one entry in model_registry.cpp.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "clv/fit_result.hpp"
#include "models/count_model_scorer.hpp"
#include "models/likelihood_model.hpp"
#include "models/summary_csv.hpp"

namespace clv {

// What a registered model predicts. Not clv::ModelKind (clv/sector_plugin.hpp,
// the model families a plugin names): one name, one definition (ODR).
enum class ModelRole {
  kPurchaseCount,  // BG/NBD, MBG/NBD, Pareto/NBD, BG/BB: x, t_x, T -> P(alive), E[purchases]
  kSpend,          // Gamma-Gamma: x, mean spend -> E[spend]
  kRetention,      // sBG: survivor counts -> retention
};

struct ModelEntry {
  std::string name;
  std::string description;
  ModelRole kind;
  std::vector<std::string> param_names;
  // Builds the likelihood from a summary (Error::invalid_argument when the
  // table lacks what the model needs, e.g. a spend column for gg).
  std::function<std::unique_ptr<LikelihoodModel>(const SummaryTable&, const FitOptions&)>
      make_likelihood;
  // Count models only: a scorer for natural-scale parameters in param_names order.
  std::function<std::unique_ptr<CountModelScorer>(const std::vector<double>&)> make_scorer;
};

// Throws Error::invalid_argument listing the known names if `name` is unknown.
const ModelEntry& find_model(const std::string& name);
const std::vector<ModelEntry>& all_models();

}  // namespace clv
