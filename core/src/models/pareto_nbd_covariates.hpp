// Pareto/NBD with time-invariant covariates (Fader & Hardie 2007, as in
// CLVTools): customer i mixes its purchase and dropout rates over
// Gamma(r, alpha_i) and Gamma(s, beta_i) with
//   alpha_i = alpha * exp(-gamma_purchase' z_i),  beta_i = beta * exp(-gamma_dropout' z_i).
//
// The MLE fitter (models/mle_fitter.hpp) optimizes on the log scale of
// positive parameters. A coefficient gamma enters here as the log of the
// positive rate multiplier exp(gamma), so the fitter's "log parameter" for it
// *is* gamma and its "natural" value is the multiplier; covariate_fit_to_gammas()
// maps the result back.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "clv/fit_result.hpp"
#include "models/likelihood_model.hpp"

namespace clv {

// Customers with standardized covariates, collapsed: identical (x, t_x, T, z)
// become one weighted row (binary covariates collapse well).
struct CovariateRows {
  size_t k = 0;  // covariates per row
  std::vector<double> x, t_x, T, weight;
  std::vector<double> z;  // row-major rows x k

  size_t size() const { return x.size(); }
};

// Validates the summaries and merges identical rows. `z` is row-major n x k.
CovariateRows collapse_covariate_rows(const std::vector<double>& x, const std::vector<double>& t_x,
                                      const std::vector<double>& T, const std::vector<double>& z,
                                      size_t k);

class ParetoNbdCovariateModel : public LikelihoodModel {
 public:
  // `start` holds r, alpha, s, beta of a no-covariate fit (the gammas start at 0).
  ParetoNbdCovariateModel(CovariateRows rows, const std::vector<std::string>& covariate_names,
                          const std::vector<double>& start, int threads = 0);

  const std::vector<std::string>& param_names() const override { return names_; }
  Eigen::VectorXd start_params() const override;
  // theta = (log r, log alpha, log s, log beta, gamma_purchase..., gamma_dropout...).
  double log_likelihood(const Eigen::VectorXd& theta, Eigen::VectorXd* grad) const override;
  double n_customers() const override { return n_customers_; }
  size_t n_rows() const override { return rows_.size(); }

 private:
  CovariateRows rows_;
  std::vector<std::string> names_;
  std::vector<double> start_;
  double n_customers_ = 0;
  int threads_ = 0;
  // lgamma/digamma terms depend on r and x only: computed once per distinct x.
  std::vector<double> distinct_x_;
  std::vector<uint32_t> row_x_index_;
};

// Turns the fitter's output for the multipliers exp(gamma) into gammas with
// standard errors on the gamma scale (delta method: se(gamma) = se(e^g) / e^g),
// and the covariance to the (r, alpha, s, beta, gamma...) scale.
void covariate_fit_to_gammas(FitResult& fit);

}  // namespace clv
