// A scenario's levers reduced to what the models take: factors on the purchase
// and dropout rates, a spend factor, a margin and a cost per targeted
// customer, each with its own uncertainty, plus the human-readable chain.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "clv/covariates.hpp"
#include "clv/scenario.hpp"
#include "clv/whatif.hpp"

namespace clv {

struct LeverValues {
  double purchase_rate_factor = 1.0;
  double dropout_hazard_ratio = 1.0;
  double spend_factor = 1.0;
  double margin = 1.0;
  // Service premium (only for its qualifying customers; see premium_values).
  double premium_elasticity = 0.0;
};

// The levers of a customer who qualifies for the scenario's service premium:
// `v` with the premium's price change on top (spend x (1 + d), purchase rate
// x (1 + d)^elasticity, with fixed unit costs margin m -> 1 - (1 - m) / (1 + d)).
LeverValues premium_values(const LeverValues& v, const ServicePremium& premium);

// Mean of the known survey scores (satisfaction >= 0) of a customer's
// incidents; none when no incident has a score (whatif_engine.cpp).
std::optional<double> mean_satisfaction(const std::vector<IncidentObservation>& records);

// How to give a run a covariate model, in the words of where the scenarios
// came from: a request body's "covariate_fit" field, or a file's [run].
std::string covariate_fit_advice(bool request_body);

class ScenarioLevers {
 public:
  // Throws Error::invalid_argument for levers the run cannot carry (covariate
  // levers without a covariate model, margins outside [0, 1], ...). With a
  // covariate model, incident and staff levers are left to CovariateScenario.
  ScenarioLevers(const Scenario& scenario, const std::vector<ResolvedPluginEffect>& plugin,
                 double base_margin, double horizon, bool covariate_model = false,
                 bool request_body = false);

  LeverValues point() const;
  LeverValues draw(std::mt19937_64& rng) const;
  // A plugin lever's stated cost to serve over the horizon, per targeted
  // customer (lever costs of the scenario file are in scenario_costs.hpp).
  double cost_per_targeted() const { return cost_per_targeted_; }
  bool plugin_cost_given() const { return plugin_cost_given_; }
  bool moves_dropout() const { return hazard_.has_value() || plugin_hazard_ != 1.0; }
  bool moves_purchases() const;
  const std::optional<ServicePremium>& service_premium() const { return premium_; }
  // Lever -> input lines; the caller appends the parameter changes.
  const std::vector<std::string>& chain() const { return chain_; }

 private:
  LeverValues combine(double hazard, double purchase, double elasticity) const;

  double base_margin_;
  std::optional<UncertainValue> hazard_, purchase_;
  std::optional<PriceChange> price_;
  std::optional<ServicePremium> premium_;
  double margin_add_ = 0, margin_scale_ = 1;
  double plugin_hazard_ = 1, plugin_purchase_ = 1;
  double cost_per_targeted_ = 0;
  bool plugin_cost_given_ = false;
  std::vector<std::string> chain_;
};

}  // namespace clv
