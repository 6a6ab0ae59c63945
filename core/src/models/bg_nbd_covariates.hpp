// BG/NBD with time-invariant covariates (the CLVTools static-covariate form):
// customer i has purchase rate lambda ~ Gamma(r, alpha_i) and dropout
// probability p ~ Beta(a_i, b_i) with
//   alpha_i = alpha * exp(-gamma_purchase' z_i),
//   a_i = a * exp(gamma_dropout' z_i),  b_i = b * exp(gamma_dropout' z_i).
// z are standardized covariates. Fitted like the Pareto/NBD covariate model
// (models/covariate_row_model.hpp): start from the no-covariate BG/NBD fit.
//
// Note: scaling a and b together keeps the mean dropout probability a/(a+b)
// and changes only its concentration, so gamma_dropout is identified far more
// weakly than gamma_purchase (wide standard errors are expected).
#pragma once

#include <string>
#include <vector>

#include "clv/fit_result.hpp"
#include "models/bg_nbd.hpp"
#include "models/covariate_row_model.hpp"

namespace clv {

class BgNbdCovariateModel : public CovariateRowModel {
 public:
  // `start` holds r, alpha, a, b of a no-covariate fit (the gammas start at 0).
  // theta = (log r, log alpha, log a, log b, gamma_purchase..., gamma_dropout...).
  BgNbdCovariateModel(CovariateRows rows, const std::vector<std::string>& covariate_names,
                      const std::vector<double>& start, int threads = 0);

 protected:
  double row_log_likelihood(size_t i, const double q[4], const pnbd_kernel::CountTerms& counts,
                            double* grad) const override;
  std::unique_ptr<CovariateRowModel> with_rows(CovariateRows rows) const override;
};

// Log-likelihood of one BG/NBD customer with its gradient with respect to
// (log r, log alpha, log a, log b) when grad is non-null.
double bgnbd_row_log_likelihood(const BgNbdParams& p, double x, double t_x, double T,
                                const pnbd_kernel::CountTerms& counts, double* grad);

struct BgNbdCovariateFit {
  double r = 0, alpha = 0, a = 0, b = 0;
  std::vector<std::string> covariate_names;
  std::vector<double> gamma_purchase, gamma_dropout;  // per standardized covariate
  // params r, alpha, a, b, purchase:<name>..., dropout:<name>... on the gamma
  // scale, with standard errors and covariance.
  FitResult fit;
  FitResult baseline;  // the same customers without covariates (r, alpha, a, b)
};

// Fits the model to summaries (x, t_x, T) and standardized covariates `z`
// (row-major, one row of names.size() values per customer). Throws
// Error::invalid_argument on bad input and Error::not_converged when the fit fails.
BgNbdCovariateFit fit_bgnbd_covariates(const std::vector<double>& x, const std::vector<double>& t_x,
                                       const std::vector<double>& T, const std::vector<double>& z,
                                       const std::vector<std::string>& names,
                                       const FitOptions& options = {});

// The BG/NBD parameters of a customer with standardized covariates z.
BgNbdParams bgnbd_customer_params(const BgNbdCovariateFit& model, const std::vector<double>& z);

// P(alive at T) and E[purchases in (T, T + t]] for one customer.
double bgnbd_covariate_p_alive(const BgNbdCovariateFit& model, double x, double t_x, double T,
                               const std::vector<double>& z);
double bgnbd_covariate_conditional_expected(const BgNbdCovariateFit& model, double x, double t_x,
                                            double T, const std::vector<double>& z, double t);

}  // namespace clv
