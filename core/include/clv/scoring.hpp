// Per-customer scores from fitted models: P(alive), expected purchases over a
// horizon, expected spend and CLV, in input order.
//
// CLV = margin * E[spend per purchase] * discounted expected purchases over
// the horizon, with continuous discounting at ln(1 + annual_discount_rate)
// per year (converted to the model's time unit).
#pragma once

#include <optional>
#include <vector>

#include "clv/fit_result.hpp"
#include "clv/rfm_data.hpp"

namespace clv {

struct ScoreOptions {
  double horizon = 0;               // in the count model's time unit, > 0
  double margin = 1.0;              // profit share of spend
  double annual_discount_rate = 0;  // 0.1 = 10% per year
  // CLV with a given mean spend per purchase instead of a gg fit (then
  // expected_spend is this value for every customer).
  std::optional<double> spend_per_purchase = std::nullopt;
  // Sector economics beyond the margin (clv/sector_economics.hpp):
  // subtracted while alive per time unit, and added for a customer who stays.
  double cost_to_serve = 0;
  double referral_value = 0;
};

struct Scores {
  std::vector<double> p_alive, expected_purchases;
  std::vector<double> expected_spend, clv;  // empty without a spend model or spend_per_purchase
};

// Checks the numeric options of a score once, with the same rules on every
// path (score, what-if, the front ends): horizon finite, > 0 and at most 100
// years of `unit`; margin finite and >= 0; discount rate finite, >= 0 and at
// most 10 (1000%/year); `cost_to_serve` (per customer per time unit, which
// front ends subtract from CLV) finite, >= 0 and at most 1e12. Throws
// Error::invalid_argument naming the option and its value.
void validate_score_options(const ScoreOptions& options, const TimeUnit& unit,
                            double cost_to_serve = 0.0);

// `count_model` is a converged fit of a purchase-count model (bgnbd, mbgnbd,
// ...); `spend_model` an optional gg fit (then data.monetary is required),
// exclusive with options.spend_per_purchase.
// Throws Error::invalid_argument for wrong models or data and
// Error::not_converged for parameters whose fit did not converge.
Scores score(const FitResult& count_model, const RfmData& data, const ScoreOptions& options,
             const FitResult* spend_model = nullptr);

}  // namespace clv
