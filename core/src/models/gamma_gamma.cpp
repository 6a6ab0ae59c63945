#include "models/gamma_gamma.hpp"

#include <cmath>
#include <limits>
#include <random>

#include <fmt/format.h>
#include <boost/math/special_functions/digamma.hpp>

#include "clv/error.hpp"

namespace clv {

using boost::math::digamma;

GammaGammaLikelihood::GammaGammaLikelihood(std::span<const double> x,
                                           std::span<const double> mean_spend,
                                           std::span<const double> weight) {
  if (x.size() != mean_spend.size() || (!weight.empty() && weight.size() != x.size())) {
    throw Error::invalid_argument("Gamma-Gamma: x, mean spend (and weights) differ in length");
  }
  double spend = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double w = weight.empty() ? 1.0 : weight[i];
    if (!std::isfinite(x[i]) || x[i] < 0 || !std::isfinite(w) || w < 0) {
      throw Error::invalid_argument(fmt::format(
          "Gamma-Gamma: customer row {} has x={} weight={}; need x >= 0, weight >= 0", i, x[i], w));
    }
    if (x[i] == 0) {
      skipped_ += w;
      continue;
    }
    if (!(mean_spend[i] > 0) || !std::isfinite(mean_spend[i])) {
      throw Error::invalid_argument(fmt::format(
          "Gamma-Gamma: customer row {} has x={} but mean spend {}; the model needs a positive "
          "mean spend for every repeat buyer (drop zero-value transactions or such customers)",
          i, x[i], mean_spend[i]));
    }
    if (w == 0) continue;
    x_.push_back(x[i]);
    log_x_.push_back(std::log(x[i]));
    m_.push_back(mean_spend[i]);
    log_m_.push_back(std::log(mean_spend[i]));
    w_.push_back(w);
    n_customers_ += w;
    spend += w * mean_spend[i];
  }
  mean_spend_ = n_customers_ > 0 ? spend / n_customers_ : 1.0;
}

const std::vector<std::string>& GammaGammaLikelihood::param_names() const {
  static const std::vector<std::string> names{"p", "q", "gamma"};
  return names;
}

Eigen::VectorXd GammaGammaLikelihood::start_params() const {
  // p = 2, q = 3 and gamma chosen so the model's mean spend p gamma/(q-1)
  // equals the observed mean.
  return Eigen::Vector3d(2.0, 3.0, mean_spend_);
}

double GammaGammaLikelihood::log_likelihood(const Eigen::VectorXd& theta,
                                            Eigen::VectorXd* grad) const {
  const double p = std::exp(theta[0]), q = std::exp(theta[1]), g = std::exp(theta[2]);
  const double log_g = theta[2];
  const double lg_q = std::lgamma(q), dg_q = digamma(q);
  double ll = 0, d_p = 0, d_q = 0, d_g = 0;
  for (size_t i = 0; i < x_.size(); ++i) {
    const double px = p * x_[i], w = w_[i];
    const double log_gxm = std::log(g + x_[i] * m_[i]);
    ll += w * (std::lgamma(px + q) - std::lgamma(px) - lg_q + q * log_g + (px - 1) * log_m_[i] +
               px * log_x_[i] - (px + q) * log_gxm);
    if (grad) {
      const double dg_pxq = digamma(px + q);
      d_p += w * x_[i] * (dg_pxq - digamma(px) + log_m_[i] + log_x_[i] - log_gxm);
      d_q += w * (dg_pxq - dg_q + log_g - log_gxm);
      d_g += w * (q / g - (px + q) / (g + x_[i] * m_[i]));
    }
  }
  if (grad) {
    grad->resize(3);
    *grad << d_p * p, d_q * q, d_g * g;
  }
  if (std::isnan(ll)) return -std::numeric_limits<double>::infinity();
  return ll;
}

double gg_conditional_expected_spend(const GammaGammaParams& g, double x, double mean_spend) {
  if (!(g.q > 1)) {
    throw Error::invalid_argument(fmt::format(
        "Gamma-Gamma q = {} <= 1: the expected spend is infinite; refit with more data or an L2 "
        "penalty",
        g.q));
  }
  if (x <= 0) return g.p * g.gamma / (g.q - 1.0);
  return g.p * (g.gamma + x * mean_spend) / (g.p * x + g.q - 1.0);
}

std::vector<double> simulate_gamma_gamma(const GammaGammaParams& g, std::span<const double> x,
                                         uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::gamma_distribution<double> nu_dist(g.q, 1.0 / g.gamma);
  std::vector<double> out(x.size(), 0.0);
  for (size_t i = 0; i < x.size(); ++i) {
    const double nu = nu_dist(rng);
    if (x[i] <= 0) continue;
    // The sum of x Gamma(p, nu) values is Gamma(p x, nu).
    std::gamma_distribution<double> total(g.p * x[i], 1.0 / nu);
    out[i] = total(rng) / x[i];
  }
  return out;
}

}  // namespace clv
