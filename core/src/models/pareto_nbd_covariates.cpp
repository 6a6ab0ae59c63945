#include "models/pareto_nbd_covariates.hpp"

#include <cmath>
#include <memory>

namespace clv {

ParetoNbdCovariateModel::ParetoNbdCovariateModel(CovariateRows rows,
                                                 const std::vector<std::string>& covariate_names,
                                                 const std::vector<double>& start, int threads)
    : CovariateRowModel(std::move(rows), covariate_names, start, threads,
                        CovariateLink{{"r", "alpha", "s", "beta"},
                                      {"purchase:", "dropout:"},
                                      {-1, 0, -1, 1},
                                      {1.0, -1.0, 1.0, -1.0}}) {}

std::unique_ptr<CovariateRowModel> ParetoNbdCovariateModel::with_rows(CovariateRows rows) const {
  return std::make_unique<ParetoNbdCovariateModel>(std::move(rows), covariate_names(), start(),
                                                   threads());
}

double ParetoNbdCovariateModel::row_log_likelihood(size_t i, const double q[4],
                                                   const pnbd_kernel::CountTerms& counts,
                                                   double* grad) const {
  const CovariateRows& w = rows();
  return pnbd_kernel::row_log_likelihood(q[0], q[1], q[2], q[3], w.x[i], w.t_x[i], w.T[i], counts,
                                         grad);
}

void covariate_fit_to_gammas(FitResult& fit) {
  const size_t np = fit.params.size();
  // Jacobian factor from the fitter's natural scale to ours: 1 for r, alpha,
  // s, beta; 1 / e^gamma for each multiplier (d gamma / d e^gamma).
  std::vector<double> factor(np, 1.0);
  for (size_t i = 4; i < np; ++i) {
    factor[i] = 1.0 / fit.params[i];
    fit.params[i] = std::log(fit.params[i]);
    fit.std_errors[i] *= factor[i];
  }
  if (fit.covariance.size() == np * np) {
    for (size_t a = 0; a < np; ++a)
      for (size_t b = 0; b < np; ++b) fit.covariance[a * np + b] *= factor[a] * factor[b];
  }
}

}  // namespace clv
