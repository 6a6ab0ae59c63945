#include "scenario/count_model_levers.hpp"

#include <cmath>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "math/hypergeometric.hpp"

namespace clv {

CountModelLevers::CountModelLevers(const std::string& model) : model_(model) {
  if (model == "pnbd") {
    pareto_ = true;
  } else if (model == "mbgnbd") {
    modified_ = true;
  } else if (model != "bgnbd") {
    throw Error::invalid_argument(fmt::format(
        "what-if needs a bgnbd, mbgnbd or pnbd count model; the run's count model is {}", model));
  }
}

std::vector<double> CountModelLevers::apply(std::vector<double> p, double purchase_rate_factor,
                                            double dropout_hazard_ratio) const {
  if (!(purchase_rate_factor > 0) || !(dropout_hazard_ratio > 0) ||
      !std::isfinite(purchase_rate_factor) || !std::isfinite(dropout_hazard_ratio)) {
    throw Error::invalid_argument(fmt::format(
        "levers give purchase-rate factor {} and dropout hazard ratio {}; both must be > 0",
        purchase_rate_factor, dropout_hazard_ratio));
  }
  p[1] /= purchase_rate_factor;  // alpha: lambda ~ Gamma(r, alpha) is scaled by f
  if (pareto_) {
    p[3] /= dropout_hazard_ratio;  // beta
  } else {
    p[2] *= dropout_hazard_ratio;  // a
  }
  return p;
}

std::string CountModelLevers::describe_purchase_rate(const std::vector<double>& before,
                                                     const std::vector<double>& after) const {
  return fmt::format("{} alpha {:.4g} -> {:.4g}", model_, before[1], after[1]);
}

std::string CountModelLevers::describe_dropout(const std::vector<double>& before,
                                               const std::vector<double>& after) const {
  if (pareto_) return fmt::format("{} beta {:.4g} -> {:.4g}", model_, before[3], after[3]);
  return fmt::format("{} a {:.4g} -> {:.4g}", model_, before[2], after[2]);
}

double CountModelLevers::survival_if_alive(const std::vector<double>& p, double x, double T,
                                           double horizon) const {
  if (pareto_) {
    // mu | alive at T ~ Gamma(s, beta + T): E[exp(-mu H)].
    return std::pow((p[3] + T) / (p[3] + T + horizon), p[2]);
  }
  // lambda | alive ~ Gamma(r + x, alpha + T), p | alive ~ Beta(a, b + x (+1));
  // E[exp(-lambda p H)] = 2F1(r + x, a; a + b'; -H / (alpha + T)).
  // Pfaff: 2F1(a, b; c; z) = (1 - z)^-a 2F1(a, c - b; c; z / (z - 1)) turns the
  // negative argument into w = H / (alpha + T + H) in [0, 1) with c - b = b' > 0.
  const double b_post = p[3] + x + (modified_ ? 1.0 : 0.0);
  const double shape = p[0] + x;
  const double w = horizon / (p[1] + T + horizon);
  return std::exp(shape * std::log1p(-w) + math::log_hyp2f1_value(shape, b_post, p[2] + b_post, w));
}

}  // namespace clv
