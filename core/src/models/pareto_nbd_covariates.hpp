// Pareto/NBD with time-invariant covariates (Fader & Hardie 2007, as in
// CLVTools): customer i mixes its purchase and dropout rates over
// Gamma(r, alpha_i) and Gamma(s, beta_i) with
//   alpha_i = alpha * exp(-gamma_purchase' z_i),  beta_i = beta * exp(-gamma_dropout' z_i).
//
// The MLE fitter (models/mle_fitter.hpp) optimizes on the log scale of
// positive parameters. A coefficient gamma enters here as the log of the
// positive rate multiplier exp(gamma), so the fitter's "log parameter" for it
// *is* gamma and its "natural" value is the multiplier; covariate_fit_to_gammas()
// maps the result back. Fit with fit_covariate_row_model() (fast: one L-BFGS
// run and a structured Hessian) or maximize_likelihood() (same optimum).
#pragma once

#include <string>
#include <vector>

#include "clv/fit_result.hpp"
#include "models/covariate_row_model.hpp"

namespace clv {

class ParetoNbdCovariateModel : public CovariateRowModel {
 public:
  // `start` holds r, alpha, s, beta of a no-covariate fit (the gammas start at 0).
  // theta = (log r, log alpha, log s, log beta, gamma_purchase..., gamma_dropout...).
  ParetoNbdCovariateModel(CovariateRows rows, const std::vector<std::string>& covariate_names,
                          const std::vector<double>& start, int threads = 0);

 protected:
  double row_log_likelihood(size_t i, const double q[4], const pnbd_kernel::CountTerms& counts,
                            double* grad) const override;
  std::unique_ptr<CovariateRowModel> with_rows(CovariateRows rows) const override;
};

// Turns the fitter's output for the multipliers exp(gamma) into gammas with
// standard errors on the gamma scale (delta method: se(gamma) = se(e^g) / e^g),
// and the covariance to the (r, alpha, s, beta, gamma...) scale.
void covariate_fit_to_gammas(FitResult& fit);

}  // namespace clv
