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
  // The sector economics beyond the margin (sector_economics.hpp): cost to
  // serve per customer per time unit while alive, and the referral value of
  // a customer who stays. Both 0: CLV is the gross value above.
  double cost_to_serve = 0;
  double referral_value = 0;
};

// A valuation's per-customer constants, computed once (per sector) and then
// used for every customer: the one CLV formula below reads only these.
struct PreparedValuation {
  double horizon = 0;
  double margin = 1.0;
  double delta = 0;    // discount per time unit
  double annuity = 0;  // A(H) = (1 - e^{-delta H}) / delta, H without discounting
  double cost_to_serve = 0, referral_value = 0;
};

// Checks horizon and margin (Error::invalid_argument) and computes the constants.
PreparedValuation prepare_valuation(const ValuationOptions& options);

// A customer's alive-conditional terms: P(alive), E[purchases in (T, T+H] |
// alive] and the discounted purchases in (T, T+H] if alive.
struct ValueTerms {
  double p_alive = 0, expected_if_alive = 0, discounted_if_alive = 0;
};

struct CustomerValue {
  double p_alive = 0, expected_purchases = 0;
  std::optional<double> expected_spend, clv;  // with a spend per purchase
};

// THE per-customer score, used by clv score (score_customers, score_by_sector),
// the Engine, the C API and HTTP:
//   expected purchases = P(alive) * E[X | alive]
//   CLV = margin * spend * P(alive) * discounted purchases if alive
//       - cost_to_serve * P(alive) * A(H) + referral_value * P(alive)
// `spend_per_purchase` (a Gamma-Gamma conditional mean or a fixed spend):
// without it there is no CLV.
CustomerValue value_from_terms(const ValueTerms& terms, std::optional<double> spend_per_purchase,
                               const PreparedValuation& v);

// The cost-to-serve and referral terms of the formula above added to a gross
// CLV (margin * spend * P(alive) * discounted purchases).
double add_sector_terms(double gross_clv, double p_alive, double cost_to_serve, double annuity,
                        double referral_value);

// The terms from a fitted count model, then value_from_terms.
CustomerValue value_customer(const CountModelScorer& model, double x, double t_x, double T,
                             std::optional<double> spend_per_purchase, const PreparedValuation& v);

// True when every value is finite (the promise that no NaN or inf is reported).
bool is_finite(const CustomerValue& value);

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
