#include "scenario/parameter_draws.hpp"

#include <cmath>

#include <fmt/format.h>
#include <Eigen/Cholesky>
#include <Eigen/Core>

#include "clv/error.hpp"

namespace clv {

ParameterDraws::ParameterDraws(const FitResult& fit) {
  const size_t k = fit.params.size();
  for (double p : fit.params) {
    if (!(p > 0) || !std::isfinite(p)) {
      throw Error::invalid_argument(
          fmt::format("{} parameter {} is not a positive finite number", fit.model, p));
    }
    log_params_.push_back(std::log(p));
  }
  Eigen::MatrixXd cov(k, k);
  if (fit.covariance.size() != k * k) {
    if (fit.std_errors.size() != k) return;
    cov.setZero();
    for (size_t i = 0; i < k; ++i) {
      const double rel = fit.std_errors[i] / fit.params[i];
      if (!(rel > 0) || !std::isfinite(rel)) return;
      cov(i, i) = rel * rel;
    }
    cholesky_.assign(k * k, 0.0);
    for (size_t i = 0; i < k; ++i) cholesky_[i * k + i] = std::sqrt(cov(i, i));
    return;
  }
  bool any = false;
  for (size_t i = 0; i < k; ++i) {
    for (size_t j = 0; j < k; ++j) {
      const double c = fit.covariance[i * k + j];
      if (!std::isfinite(c)) return;
      cov(i, j) = c / (fit.params[i] * fit.params[j]);
      any = any || c != 0;
    }
  }
  if (!any) return;
  Eigen::LLT<Eigen::MatrixXd> llt(cov);
  if (llt.info() != Eigen::Success) {
    throw Error::invalid_argument(fmt::format(
        "the {} fit's covariance is not positive definite; refit (or use --draws 0)", fit.model));
  }
  correlated_ = true;
  const Eigen::MatrixXd L = llt.matrixL();
  cholesky_.assign(k * k, 0.0);
  for (size_t i = 0; i < k; ++i) {
    for (size_t j = 0; j <= i; ++j) cholesky_[i * k + j] = L(i, j);
  }
}

std::vector<double> ParameterDraws::draw(std::mt19937_64& rng) const {
  const size_t k = log_params_.size();
  std::vector<double> out(k);
  if (cholesky_.empty()) {
    for (size_t i = 0; i < k; ++i) out[i] = std::exp(log_params_[i]);
    return out;
  }
  std::normal_distribution<double> normal;
  std::vector<double> z(k);
  for (double& v : z) v = normal(rng);
  for (size_t i = 0; i < k; ++i) {
    double s = log_params_[i];
    for (size_t j = 0; j <= i; ++j) s += cholesky_[i * k + j] * z[j];
    out[i] = std::exp(s);
  }
  return out;
}

double sd_from_interval90(double low, double high) {
  return (high - low) / (2.0 * 1.6448536269514722);
}

}  // namespace clv
