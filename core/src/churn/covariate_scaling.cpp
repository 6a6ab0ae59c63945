#include <cmath>

#include <fmt/format.h>

#include "clv/covariates.hpp"
#include "clv/error.hpp"

namespace clv {

CovariateScaling fit_scaling(const CovariateMatrix& raw) {
  const size_t k = raw.n_covariates(), n = raw.n_customers();
  if (k == 0) throw Error::invalid_argument("no covariates given; name at least one covariate");
  if (raw.values.size() != n * k) {
    throw Error::invalid_argument(
        fmt::format("covariate matrix has {} values, not a multiple of its {} covariates",
                    raw.values.size(), k));
  }
  if (n < 2) throw Error::invalid_argument("covariate scaling needs at least 2 customers");
  CovariateScaling scaling;
  scaling.names = raw.names;
  scaling.mean.assign(k, 0.0);
  scaling.scale.assign(k, 0.0);
  for (size_t j = 0; j < k; ++j) {
    double sum = 0.0;
    for (size_t i = 0; i < n; ++i) {
      const double v = raw.at(i, j);
      if (!std::isfinite(v)) {
        throw Error::invalid_argument(
            fmt::format("covariate '{}' of customer {} (0-based) is not finite; fill or drop it",
                        raw.names[j], i));
      }
      sum += v;
    }
    const double mean = sum / static_cast<double>(n);
    double ss = 0.0;
    for (size_t i = 0; i < n; ++i) ss += (raw.at(i, j) - mean) * (raw.at(i, j) - mean);
    const double sd = std::sqrt(ss / static_cast<double>(n - 1));
    if (!(sd > 1e-12 * std::max(1.0, std::abs(mean)))) {
      throw Error::invalid_argument(fmt::format(
          "covariate '{}' is constant ({}) across customers, so its effect cannot be estimated; "
          "leave it out",
          raw.names[j], mean));
    }
    scaling.mean[j] = mean;
    scaling.scale[j] = sd;
  }
  return scaling;
}

std::vector<double> CovariateScaling::standardize(const std::vector<double>& raw) const {
  if (raw.size() != names.size()) {
    throw Error::invalid_argument(fmt::format(
        "{} covariate values given but the model has {} covariates ({}...); pass them in the "
        "model's order",
        raw.size(), names.size(), names.empty() ? "" : names[0]));
  }
  std::vector<double> z(raw.size());
  for (size_t j = 0; j < raw.size(); ++j) {
    if (!std::isfinite(raw[j])) {
      throw Error::invalid_argument(fmt::format("covariate '{}' is not finite", names[j]));
    }
    z[j] = (raw[j] - mean[j]) / scale[j];
  }
  return z;
}

CovariateMatrix standardize(const CovariateMatrix& raw, const CovariateScaling& scaling) {
  if (raw.names != scaling.names) {
    throw Error::invalid_argument(
        "covariate names differ from the model's; build the covariates the model was fitted on");
  }
  CovariateMatrix out = raw;
  const size_t k = raw.n_covariates();
  for (size_t i = 0; i < out.values.size(); ++i) {
    const size_t j = i % k;
    out.values[i] = (raw.values[i] - scaling.mean[j]) / scaling.scale[j];
  }
  return out;
}

}  // namespace clv
