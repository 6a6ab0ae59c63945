// Results of a what-if run: per scenario and per segment, point estimates
// with 90% intervals, and the chain from each lever to the model inputs.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace clv {

// Point estimate (point parameters, lever values as given) and the 5% / 95%
// quantiles over the Monte Carlo draws (equal to the estimate with 0 draws).
struct Estimate {
  double value = 0, lower = 0, upper = 0;
};

struct WhatIfOutcome {
  std::string segment;  // "all" for the scenario's total
  double customers = 0, targeted = 0;
  Estimate baseline_clv, scenario_clv, delta_clv;
  Estimate baseline_active, scenario_active;    // expected alive at the horizon
  Estimate baseline_churned, scenario_churned;  // alive now, gone by the horizon
  // Money side (scenario/scenario_costs.hpp): absent when the scenario
  // gives no cost ("no cost given"). net_benefit = delta_clv - cost and
  // roi = net_benefit / cost use the same draws as delta_clv; roi is absent
  // when the cost is 0.
  std::optional<double> cost;
  std::optional<Estimate> net_benefit, roi;
};

struct ScenarioOutcome {
  std::string name;
  int rank = 0;                    // 1 = highest net value (delta_clv - cost, 0 if none)
  std::vector<std::string> chain;  // lever -> model input -> parameter, in order
  WhatIfOutcome total;
  std::vector<WhatIfOutcome> segments;
};

struct WhatIfResult {
  std::string model, spend_model;
  double horizon = 0, annual_discount_rate = 0, margin = 0;
  std::string time_unit;
  int draws = 0;
  unsigned long long seed = 0;
  double interval_level = 0.9;
  std::vector<std::string> notes;  // e.g. "no covariance in the fit: lever uncertainty only"
  std::vector<ScenarioOutcome> scenarios;  // in rank order
};

std::string whatif_result_to_json_text(const WhatIfResult& result);

}  // namespace clv
