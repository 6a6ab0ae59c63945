// Draws of fitted parameters from their asymptotic distribution. Parameters
// are positive, so the draws are multivariate normal on the log scale with
// the delta-method covariance Cov(log a, log b) = Cov(a, b) / (a b): they stay
// positive and match the fit's standard errors to first order.
#pragma once

#include <random>
#include <vector>

#include "clv/fit_result.hpp"

namespace clv {

class ParameterDraws {
 public:
  // Without a usable covariance every draw is the point estimate and
  // has_uncertainty() is false (the caller says so in the result).
  explicit ParameterDraws(const FitResult& fit);
  bool has_uncertainty() const { return !cholesky_.empty(); }
  // False when only standard errors were available (fits read from JSON
  // files carry no covariance): the draws then ignore correlations.
  bool correlated() const { return correlated_; }
  std::vector<double> draw(std::mt19937_64& rng) const;

 private:
  std::vector<double> log_params_;
  std::vector<double> cholesky_;  // lower triangle, row-major k*k
  bool correlated_ = false;
};

// 90% interval [low, high] -> standard deviation of a normal.
double sd_from_interval90(double low, double high);

}  // namespace clv
