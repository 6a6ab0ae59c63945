#include "churn/covariate_screening.hpp"

#include <cmath>

#include <fmt/format.h>

namespace clv {

CovariateScreen screen_covariates(const CovariateMatrix& raw, double max_correlation) {
  const size_t k = raw.n_covariates(), n = raw.n_customers();
  std::vector<double> mean(k, 0.0), sd(k, 0.0);
  for (size_t j = 0; j < k; ++j) {
    for (size_t i = 0; i < n; ++i) mean[j] += raw.at(i, j);
    mean[j] /= std::max<double>(1.0, static_cast<double>(n));
    for (size_t i = 0; i < n; ++i) sd[j] += (raw.at(i, j) - mean[j]) * (raw.at(i, j) - mean[j]);
    sd[j] = std::sqrt(sd[j] / std::max<double>(1.0, static_cast<double>(n) - 1.0));
  }
  CovariateScreen out;
  for (size_t j = 0; j < k; ++j) {
    if (!(sd[j] > 1e-12 * std::max(1.0, std::abs(mean[j])))) {
      out.notes.push_back(fmt::format(
          "covariate '{}' is constant ({:.6g}) across the customers: left out (no effect can be "
          "estimated)",
          raw.names[j], mean[j]));
      continue;
    }
    bool copy = false;
    for (size_t q : out.kept) {
      double c = 0.0;
      for (size_t i = 0; i < n; ++i) c += (raw.at(i, j) - mean[j]) * (raw.at(i, q) - mean[q]);
      c /= (static_cast<double>(n) - 1.0) * sd[j] * sd[q];
      if (std::abs(c) > max_correlation) {
        out.notes.push_back(fmt::format(
            "covariate '{}' moves with '{}' (correlation {:.4f}): left out (the two effects "
            "cannot be told apart)",
            raw.names[j], raw.names[q], c));
        copy = true;
        break;
      }
    }
    if (!copy) out.kept.push_back(j);
  }
  return out;
}

CovariateMatrix select_columns(const CovariateMatrix& raw, const std::vector<size_t>& kept) {
  CovariateMatrix out;
  for (size_t j : kept) out.names.push_back(raw.names[j]);
  const size_t n = raw.n_customers();
  out.values.reserve(n * kept.size());
  for (size_t i = 0; i < n; ++i)
    for (size_t j : kept) out.values.push_back(raw.at(i, j));
  return out;
}

}  // namespace clv
