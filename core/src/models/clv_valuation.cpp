#include "models/clv_valuation.hpp"

#include <bit>
#include <cmath>
#include <unordered_map>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "models/rfm_rows.hpp"

namespace clv {
namespace {

struct PairHash {
  size_t operator()(const std::pair<double, double>& k) const {
    const uint64_t a = std::bit_cast<uint64_t>(k.first), b = std::bit_cast<uint64_t>(k.second);
    uint64_t h = a * 0x9E3779B97F4A7C15ULL ^ (b + 0x7F4A7C159E3779B9ULL + (a << 6) + (a >> 2));
    h ^= h >> 31;
    return static_cast<size_t>(h * 0xBF58476D1CE4E5B9ULL);
  }
};

struct AliveTerms {
  double expected = 0, discounted = 0;
};

}  // namespace

double discount_per_unit(double annual_discount_rate, const TimeUnit& unit) {
  if (!(annual_discount_rate >= 0) || !std::isfinite(annual_discount_rate)) {
    throw Error::invalid_argument("discount rate must be a finite number >= 0 (0.1 = 10%/year)");
  }
  return std::log1p(annual_discount_rate) * unit.days / 365.25;
}

PreparedValuation prepare_valuation(const ValuationOptions& options) {
  if (!(options.horizon > 0) || !std::isfinite(options.horizon)) {
    throw Error::invalid_argument(
        fmt::format("horizon must be > 0 (in {}s)", options.time_unit.name));
  }
  if (!std::isfinite(options.margin) || options.margin < 0) {
    throw Error::invalid_argument("margin must be a finite number >= 0");
  }
  PreparedValuation v;
  v.horizon = options.horizon;
  v.margin = options.margin;
  v.delta = discount_per_unit(options.annual_discount_rate, options.time_unit);
  v.annuity = v.delta > 0 ? -std::expm1(-v.delta * options.horizon) / v.delta : options.horizon;
  v.cost_to_serve = options.cost_to_serve;
  v.referral_value = options.referral_value;
  return v;
}

double add_sector_terms(double gross_clv, double p_alive, double cost_to_serve, double annuity,
                        double referral_value) {
  return gross_clv - cost_to_serve * p_alive * annuity + referral_value * p_alive;
}

CustomerValue value_from_terms(const ValueTerms& t, std::optional<double> spend_per_purchase,
                               const PreparedValuation& v) {
  CustomerValue out;
  out.p_alive = t.p_alive;
  out.expected_purchases = t.p_alive * t.expected_if_alive;
  if (spend_per_purchase) {
    out.expected_spend = *spend_per_purchase;
    out.clv = add_sector_terms(v.margin * *spend_per_purchase * t.p_alive * t.discounted_if_alive,
                               t.p_alive, v.cost_to_serve, v.annuity, v.referral_value);
  }
  return out;
}

CustomerValue value_customer(const CountModelScorer& model, double x, double t_x, double T,
                             std::optional<double> spend_per_purchase, const PreparedValuation& v) {
  ValueTerms t;
  t.p_alive = model.p_alive(x, t_x, T);
  t.expected_if_alive = model.expected_purchases_if_alive(x, T, v.horizon);
  if (spend_per_purchase) {
    t.discounted_if_alive = model.discounted_purchases_if_alive(x, T, v.horizon, v.delta);
  }
  return value_from_terms(t, spend_per_purchase, v);
}

bool is_finite(const CustomerValue& c) {
  return std::isfinite(c.p_alive) && std::isfinite(c.expected_purchases) &&
         (!c.expected_spend || std::isfinite(*c.expected_spend)) &&
         (!c.clv || std::isfinite(*c.clv));
}

CustomerScores score_customers(const CountModelScorer& model, std::span<const double> x,
                               std::span<const double> t_x, std::span<const double> T,
                               const ValuationOptions& options, const GammaGammaParams* spend,
                               std::span<const double> mean_spend) {
  const PreparedValuation prepared = prepare_valuation(options);
  validate_rfm(x, t_x, T, {});
  if (spend && mean_spend.size() != x.size()) {
    throw Error::invalid_argument(
        "CLV needs a mean spend per customer (a monetary_value or zbar column in the summary)");
  }
  if (spend && options.spend_per_purchase) {
    throw Error::invalid_argument(
        "give either a spend model or a fixed spend per purchase, not both");
  }
  const std::optional<double> fixed = options.spend_per_purchase;
  if (fixed && (!(*fixed >= 0) || !std::isfinite(*fixed))) {
    throw Error::invalid_argument(
        fmt::format("the spend per purchase must be a finite number >= 0, got {}", *fixed));
  }
  const bool valued = spend != nullptr || fixed.has_value();
  const size_t n = x.size();
  CustomerScores out;
  out.p_alive.resize(n);
  out.expected_purchases.resize(n);
  if (valued) {
    out.expected_spend.resize(n);
    out.clv.resize(n);
  }
  std::unordered_map<std::pair<double, double>, AliveTerms, PairHash> cache;
  std::pair<double, double> last_key{-1, -1};
  AliveTerms last{};
  for (size_t i = 0; i < n; ++i) {
    const std::pair<double, double> key{x[i], T[i]};
    if (key != last_key) {
      auto [it, inserted] = cache.try_emplace(key);
      if (inserted) {
        it->second.expected = model.expected_purchases_if_alive(x[i], T[i], options.horizon);
        it->second.discounted = valued ? model.discounted_purchases_if_alive(
                                             x[i], T[i], options.horizon, prepared.delta)
                                       : 0.0;
      }
      last_key = key;
      last = it->second;
    }
    std::optional<double> spend_i;
    if (spend) {
      if (!(mean_spend[i] >= 0) || !std::isfinite(mean_spend[i])) {
        throw Error::invalid_argument(
            fmt::format("customer row {}: mean spend {} must be >= 0", i, mean_spend[i]));
      }
      spend_i = gg_conditional_expected_spend(*spend, x[i], mean_spend[i]);
    } else {
      spend_i = fixed;
    }
    const CustomerValue value = value_from_terms(
        {model.p_alive(x[i], t_x[i], T[i]), last.expected, last.discounted}, spend_i, prepared);
    out.p_alive[i] = value.p_alive;
    out.expected_purchases[i] = value.expected_purchases;
    if (valued) {
      out.expected_spend[i] = *value.expected_spend;
      out.clv[i] = *value.clv;
    }
    // The models are built to stay finite; this guards the promise that no
    // NaN or infinity is ever reported, naming the customer if one slips through.
    if (!is_finite(value)) {
      throw Error::internal(fmt::format(
          "customer row {} (x={}, t_x={}, T={}) scored to a non-finite value; please report it", i,
          x[i], t_x[i], T[i]));
    }
  }
  return out;
}

}  // namespace clv
