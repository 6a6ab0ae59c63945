#include "models/holdout_comparison.hpp"

#include <algorithm>

#include "clv/error.hpp"
#include "models/rfm_rows.hpp"

namespace clv {

std::vector<HoldoutGroup> compare_holdout(const CountModelScorer& model, std::span<const double> x,
                                          std::span<const double> t_x, std::span<const double> T,
                                          std::span<const double> holdout_purchases, double holdout,
                                          int max_x) {
  validate_rfm(x, t_x, T, {});
  if (holdout_purchases.size() != x.size()) {
    throw Error::invalid_argument("holdout purchases must have one value per customer");
  }
  if (!(holdout > 0) || max_x < 1) {
    throw Error::invalid_argument("holdout length must be > 0 and max_x >= 1");
  }
  std::vector<HoldoutGroup> groups(max_x + 1);
  for (int g = 0; g <= max_x; ++g) groups[g].x = g;
  for (size_t i = 0; i < x.size(); ++i) {
    HoldoutGroup& g = groups[std::min<size_t>(static_cast<size_t>(x[i]), max_x)];
    g.customers += 1;
    g.actual += holdout_purchases[i];
    g.expected +=
        model.p_alive(x[i], t_x[i], T[i]) * model.expected_purchases_if_alive(x[i], T[i], holdout);
  }
  for (HoldoutGroup& g : groups) {
    if (g.customers > 0) {
      g.actual /= g.customers;
      g.expected /= g.customers;
    }
  }
  return groups;
}

}  // namespace clv
