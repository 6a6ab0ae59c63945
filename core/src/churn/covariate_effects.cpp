// Each covariate effect with its interval and a verdict an owner can read:
// an effect is only called clear when its 95% interval excludes zero.
#include <cmath>

#include <fmt/format.h>

#include "clv/churn.hpp"

namespace clv {
namespace {

constexpr double kZ90 = 1.6448536269514722;

double two_sided_p(double z) {
  return std::erfc(std::abs(z) / std::sqrt(2.0));
}

}  // namespace

std::vector<CovariateEffect> covariate_effects(const CovariateParetoNbd& m) {
  std::vector<CovariateEffect> out;
  const size_t k = m.scaling.names.size();
  for (int process = 0; process < 2; ++process) {
    const bool dropout = process == 1;
    for (size_t j = 0; j < k; ++j) {
      CovariateEffect e;
      e.covariate = m.scaling.names[j];
      e.process = dropout ? "dropout" : "purchase";
      e.gamma = dropout ? m.gamma_dropout[j] : m.gamma_purchase[j];
      const size_t at = 4 + (dropout ? k : 0) + j;
      e.std_error = at < m.fit.std_errors.size() ? m.fit.std_errors[at] : 0.0;
      e.gamma_per_unit = e.gamma / m.scaling.scale[j];
      const bool known = e.std_error > 0 && std::isfinite(e.std_error);
      if (known) {
        e.lower90 = e.gamma - kZ90 * e.std_error;
        e.upper90 = e.gamma + kZ90 * e.std_error;
        e.p_value = two_sided_p(e.gamma / e.std_error);
        // "likely" when the 90% interval shown excludes 0 but the 95% one
        // does not: calling it "unclear" next to such an interval reads as
        // a contradiction.
        e.verdict = e.p_value < 0.05 ? "clear" : e.p_value < 0.10 ? "likely" : "unclear";
      } else {
        e.lower90 = e.upper90 = e.gamma;
        e.p_value = 1.0;
        e.verdict = "unknown";
      }
      const char* direction = dropout ? (e.gamma > 0 ? "more churn" : "less churn")
                                      : (e.gamma > 0 ? "more purchases" : "fewer purchases");
      const char* strength = e.verdict == "clear"    ? "clearly "
                             : e.verdict == "likely" ? "likely "
                                                     : "perhaps ";
      e.words =
          e.verdict == "unknown"
              ? fmt::format("higher {}: {} (no standard error; do not rely on it)", e.covariate,
                            direction)
              : fmt::format("higher {}: {}{} (x{:.2f} {} rate per sd, 90% x{:.2f} to x{:.2f})",
                            e.covariate, strength, direction, std::exp(e.gamma),
                            dropout ? "dropout" : "purchase", std::exp(e.lower90),
                            std::exp(e.upper90));
      out.push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace clv
