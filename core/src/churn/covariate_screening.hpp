// Which covariate columns a fit can estimate: a constant column has no effect
// to find and a column that is a linear copy of an earlier one has no effect
// of its own, so both are dropped with a note instead of failing the fit.
#pragma once

#include <string>
#include <vector>

#include "clv/covariates.hpp"

namespace clv {

struct CovariateScreen {
  std::vector<size_t> kept;        // column indices, ascending
  std::vector<std::string> notes;  // one per dropped column, with the reason
};

// Drops constant columns and columns whose |correlation| with a kept earlier
// column exceeds `max_correlation`.
CovariateScreen screen_covariates(const CovariateMatrix& raw, double max_correlation = 0.999);

// The matrix with only the columns `kept`.
CovariateMatrix select_columns(const CovariateMatrix& raw, const std::vector<size_t>& kept);

}  // namespace clv
