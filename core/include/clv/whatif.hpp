// What-if analysis: levers change the fitted models' inputs (dropout and
// purchase rates, spend, margin) for a target group, and the change in CLV is
// traced through the models with parameter and lever uncertainty.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "clv/fit_result.hpp"
#include "clv/progress.hpp"
#include "clv/rfm_data.hpp"
#include "clv/scenario.hpp"
#include "clv/whatif_result.hpp"

namespace clv {

// Per-customer attributes used by targets and per-segment results, aligned
// with the summary rows (empty vectors = unknown).
struct CustomerAttributes {
  std::vector<std::string> sector, segment, region;
};

// Reads customer_id,sector,segment,region from a customers CSV and aligns it
// with `ids` (Error::invalid_argument naming a summary customer it lacks).
CustomerAttributes read_customer_attributes(const std::string& path,
                                            const std::vector<std::string>& ids);

struct WhatIfOptions {
  int draws = 200;                     // Monte Carlo draws (0 = point estimates only)
  unsigned long long seed = 20261123;  // same seed, same numbers
  int threads = 0;                     // 0 = all cores
  // Stage "whatif": done/total count the point estimate and the draws
  // (draws + 1); polled from the calling thread about every 0.1 s.
  ProgressCallback progress;
};

// A plugin lever already resolved to engine inputs (see sector_plugin.hpp
// LeverEffect): target "purchase_rate", "dropout_rate", "margin",
// "cost_to_serve" or "covariate:<name>"; operation "scale" (x (1 + v)),
// "reduce" (x (1 - v)) or "add".
struct ResolvedPluginEffect {
  std::string label;  // "hospitality/recovery_upgrade"
  std::string target, operation;
  double value = 0;
};

struct CovariateWhatIf;  // clv/churn.hpp
class PluginRegistry;

struct WhatIfInputs {
  RfmData data;  // with monetary
  CustomerAttributes attributes;
  FitResult count_model, spend_model;
  ScenarioRun run;
  std::vector<Scenario> scenarios;
  // Per scenario (same order), plugin levers resolved by the caller.
  std::vector<std::vector<ResolvedPluginEffect>> plugin_effects;
  // A covariate Pareto/NBD with every customer's incident records (rows as
  // in `data`): each customer is scored with its own covariates, and
  // incident and staff levers become available. count_model must then be
  // its r, alpha, s, beta as a "pnbd" fit (load_whatif_inputs does this).
  std::shared_ptr<const CovariateWhatIf> covariates;
  // Per customer (rows of `data`; empty = 0): cost to serve per model time
  // unit and referral value, netted into every baseline and scenario CLV as
  // scoring does (clv/sector_economics.hpp):
  //   CLV = gross - P(alive) x cost_to_serve x A(H) + P(alive) x referral_value
  std::vector<double> cost_to_serve, referral_value;
  // The scenarios came from a request body (Engine::what_if: HTTP, the C API),
  // not a file: messages name the body's fields ("covariate_fit").
  bool request_body = false;
};

// Throws Error::invalid_argument for unsupported models, a target that
// selects nobody, or covariate levers without a covariate model.
WhatIfResult run_whatif(const WhatIfInputs& inputs, const WhatIfOptions& options = {});

struct EconomicsOverrides;
struct SectorEconomicsUsed;

// Values `in`'s customers with the economics scoring uses: one margin and
// discount rate (whatif_economics: the overrides, else the sector plugins'),
// and each customer's own sector's cost to serve and referral value. `sectors`
// has one entry per row of in.data. Every front end's what-if calls this.
SectorEconomicsUsed apply_whatif_economics(WhatIfInputs& in, const PluginRegistry* plugins,
                                           const std::vector<std::string>& sectors,
                                           const EconomicsOverrides& overrides);

}  // namespace clv

namespace clv {

// Makes `in` a covariate run: the count model becomes the r, alpha, s, beta
// of the covariate fit `record_json` (written by `clv fit --covariates
// --db`), and every customer of in.data gets its incident records from
// `db_path`, rebuilt with the fit's rules. Error::invalid_argument when the
// fit's time unit differs from in.count_model's (when that is set).
void attach_covariate_fit(WhatIfInputs& in, const std::string& record_json,
                          const std::string& source, const std::string& db_path);

class PluginRegistry;

// Looks up each scenario's plugin levers (by plugin id or sector) and turns
// them into effects with the given or default parameter values. Throws
// Error::invalid_argument "<file>:<line>: ..." for an unknown plugin, lever or
// parameter, or a value outside the lever's [min, max].
std::vector<std::vector<ResolvedPluginEffect>> resolve_plugin_levers(const ScenarioFile& file,
                                                                     const PluginRegistry& plugins);

}  // namespace clv

namespace clv {

// Reads a fit written by `clv fit --out` (Error::not_found if missing).
FitResult read_fit_file(const std::string& path);

// The run a scenario file names: summary, fits and customer attributes.
// Plugin levers are left unresolved (see resolve_plugin_levers).
WhatIfInputs load_whatif_inputs(const ScenarioFile& file);

class PluginRegistry;

// A scenario file end to end, as `clv whatif` and `clv report --scenarios`
// run it: loads the run it names, resolves plugin levers through `plugins`,
// values the customers with their sector plugin's margin and discount rate
// unless [run] sets them (only run.sector's customers when given), runs the
// scenarios. `inputs_out`, when given, receives the inputs (for the report).
WhatIfResult run_scenario_file(const ScenarioFile& file, const PluginRegistry& plugins,
                               const WhatIfOptions& options = {},
                               WhatIfInputs* inputs_out = nullptr);

}  // namespace clv
