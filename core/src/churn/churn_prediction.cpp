// Per-customer churn risk from a covariate Pareto/NBD. Given the history and
// alive at T, the dropout rate is Gamma(s, beta_i + T) and the purchase rate
// Gamma(r + x, alpha_i + T) (Fader & Hardie 2005 note), which gives the
// closed forms below.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <boost/math/quadrature/gauss.hpp>

#include "clv/churn.hpp"
#include "clv/error.hpp"
#include "models/pareto_nbd.hpp"

namespace clv {
namespace {

ParetoNbdParams customer_params(const CovariateParetoNbd& m, const std::vector<double>& z) {
  double lin_p = 0.0, lin_d = 0.0;
  for (size_t j = 0; j < z.size(); ++j) {
    lin_p += m.gamma_purchase[j] * z[j];
    lin_d += m.gamma_dropout[j] * z[j];
  }
  return {m.r, m.alpha * std::exp(-lin_p), m.s, m.beta * std::exp(-lin_d)};
}

ChurnPrediction predict_standardized(const CovariateParetoNbd& m, const CustomerHistory& c,
                                     const std::vector<double>& z, double horizon) {
  const ParetoNbdParams p = customer_params(m, z);
  ChurnPrediction out;
  out.p_alive = pnbd_p_alive(p, c.x, c.t_x, c.T);
  const double a = p.alpha + c.T, b = p.beta + c.T, shape_p = p.r + c.x;
  const double survive = std::pow(b / (b + horizon), p.s);
  out.churn_risk = std::clamp(1.0 - out.p_alive * survive, 0.0, 1.0);
  out.risk_if_alive = std::clamp(1.0 - survive, 0.0, 1.0);
  out.purchase_rate_if_alive = shape_p / a;
  out.expected_purchases = out.p_alive * pnbd_expected_if_alive(p, c.x, c.T, horizon);
  // P(no purchase in (T, T+H] | alive at T) = E[e^{-(lambda+mu)H}] +
  // int_0^H E[mu e^{-mu u}] E[e^{-lambda u}] du (dies at u before buying).
  const double none_alive = std::pow(a / (a + horizon), shape_p) * survive;
  const auto integrand = [&](double u) {
    return p.s / b * std::pow(b / (b + u), p.s + 1.0) * std::pow(a / (a + u), shape_p);
  };
  const double dies_first =
      horizon > 0 ? boost::math::quadrature::gauss<double, 30>::integrate(integrand, 0.0, horizon)
                  : 0.0;
  out.p_no_purchase =
      std::clamp((1.0 - out.p_alive) + out.p_alive * (none_alive + dies_first), 0.0, 1.0);
  return out;
}

void check_horizon(double horizon) {
  if (!(horizon >= 0) || !std::isfinite(horizon)) {
    throw Error::invalid_argument(fmt::format(
        "churn horizon {} must be finite and >= 0 (in the summary's time unit)", horizon));
  }
}

}  // namespace

ChurnPrediction predict_churn(const CovariateParetoNbd& model, const CustomerHistory& customer,
                              double horizon) {
  check_horizon(horizon);
  if (!(customer.x >= 0 && customer.t_x >= 0 && customer.t_x <= customer.T)) {
    throw Error::invalid_argument(
        fmt::format("customer history x={}, t_x={}, T={} is invalid; need x >= 0 and 0 <= t_x <= T",
                    customer.x, customer.t_x, customer.T));
  }
  return predict_standardized(model, customer, model.scaling.standardize(customer.covariates),
                              horizon);
}

RiskBand risk_band(double churn_risk) {
  if (churn_risk < 0.25) return RiskBand::kLow;
  if (churn_risk < 0.5) return RiskBand::kMedium;
  if (churn_risk < 0.75) return RiskBand::kHigh;
  return RiskBand::kCritical;
}

const char* risk_band_name(RiskBand band) {
  switch (band) {
    case RiskBand::kLow:
      return "low";
    case RiskBand::kMedium:
      return "medium";
    case RiskBand::kHigh:
      return "high";
    case RiskBand::kCritical:
      return "critical";
  }
  return "unknown";
}

std::vector<RiskDriver> churn_drivers(const CovariateParetoNbd& model,
                                      const CustomerHistory& customer, double horizon, size_t top) {
  check_horizon(horizon);
  std::vector<double> z = model.scaling.standardize(customer.covariates);
  const double risk = predict_standardized(model, customer, z, horizon).churn_risk;
  std::vector<RiskDriver> drivers;
  for (size_t j = 0; j < z.size(); ++j) {
    const double saved = z[j];
    z[j] = 0.0;  // the portfolio mean
    drivers.push_back({model.scaling.names[j],
                       risk - predict_standardized(model, customer, z, horizon).churn_risk});
    z[j] = saved;
  }
  std::stable_sort(drivers.begin(), drivers.end(), [](const RiskDriver& a, const RiskDriver& b) {
    return std::abs(a.effect) > std::abs(b.effect);
  });
  if (drivers.size() > top) drivers.resize(top);
  return drivers;
}

}  // namespace clv
