// Per-customer scores: P(alive), expected purchases over a horizon and, with
// a spend model, expected spend and CLV.
//
// CLV = margin * E[spend per purchase | x, mbar]
//              * integral_0^H e^(-delta t) dE[purchases in (T, T+t] | data],
// with continuous discounting at delta = ln(1 + annual_rate) / units per
// year, units per year = 365.25 / time_unit.days. So --discount-rate 0.1 means
// 10% per year whatever the model's time unit, and 0 means no discounting.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "clv/time_unit.hpp"
#include "models/count_model_scorer.hpp"
#include "models/gamma_gamma.hpp"

namespace clv {

struct ValuationOptions {
  double horizon = 0;               // in the model's time unit, > 0
  double margin = 1.0;              // share of spend that is profit, in (0, 1] typically
  double annual_discount_rate = 0;  // >= 0, e.g. 0.1 = 10% per year
  TimeUnit time_unit;
  // A given mean spend per purchase for every customer, used when there is
  // no Gamma-Gamma model (e.g. a contract price): CLV without a spend fit.
  std::optional<double> spend_per_purchase = std::nullopt;
};

struct CustomerScores {
  std::vector<double> p_alive, expected_purchases;
  std::vector<double> expected_spend, clv;  // empty without a spend model
};

// Continuous discount rate per time unit for an annual rate.
double discount_per_unit(double annual_discount_rate, const TimeUnit& unit);

// Scores customers in input order. `spend` and `mean_spend` are optional
// (nullptr / empty): with them, or with options.spend_per_purchase,
// expected_spend and clv are filled. Alive-
// conditional terms are cached per distinct (x, T).
CustomerScores score_customers(const CountModelScorer& model, std::span<const double> x,
                               std::span<const double> t_x, std::span<const double> T,
                               const ValuationOptions& options,
                               const GammaGammaParams* spend = nullptr,
                               std::span<const double> mean_spend = {});

}  // namespace clv
