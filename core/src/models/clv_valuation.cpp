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

CustomerScores score_customers(const CountModelScorer& model, std::span<const double> x,
                               std::span<const double> t_x, std::span<const double> T,
                               const ValuationOptions& options, const GammaGammaParams* spend,
                               std::span<const double> mean_spend) {
  if (!(options.horizon > 0) || !std::isfinite(options.horizon)) {
    throw Error::invalid_argument(
        fmt::format("horizon must be > 0 (in {}s)", options.time_unit.name));
  }
  if (!std::isfinite(options.margin) || options.margin < 0) {
    throw Error::invalid_argument("margin must be a finite number >= 0");
  }
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
  const double delta = discount_per_unit(options.annual_discount_rate, options.time_unit);
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
        it->second.discounted =
            valued ? model.discounted_purchases_if_alive(x[i], T[i], options.horizon, delta) : 0.0;
      }
      last_key = key;
      last = it->second;
    }
    const double alive = model.p_alive(x[i], t_x[i], T[i]);
    out.p_alive[i] = alive;
    out.expected_purchases[i] = alive * last.expected;
    if (spend) {
      if (!(mean_spend[i] >= 0) || !std::isfinite(mean_spend[i])) {
        throw Error::invalid_argument(
            fmt::format("customer row {}: mean spend {} must be >= 0", i, mean_spend[i]));
      }
      const double m = gg_conditional_expected_spend(*spend, x[i], mean_spend[i]);
      out.expected_spend[i] = m;
      out.clv[i] = options.margin * m * alive * last.discounted;
    } else if (fixed) {
      out.expected_spend[i] = *fixed;
      out.clv[i] = options.margin * *fixed * alive * last.discounted;
    }
    // The models are built to stay finite; this guards the promise that no
    // NaN or infinity is ever reported, naming the customer if one slips through.
    const bool finite =
        std::isfinite(out.p_alive[i]) && std::isfinite(out.expected_purchases[i]) &&
        (!valued || (std::isfinite(out.expected_spend[i]) && std::isfinite(out.clv[i])));
    if (!finite) {
      throw Error::internal(fmt::format(
          "customer row {} (x={}, t_x={}, T={}) scored to a non-finite value; please report it", i,
          x[i], t_x[i], T[i]));
    }
  }
  return out;
}

}  // namespace clv
