// Pareto/NBD with time-varying covariates (Bachmann, Meierer & Naef 2021, as
// in CLVTools): covariates z(t) are piecewise constant over periods (e.g.
// weeks); while alive the purchase intensity is lambda * exp(gamma_p' z(t)) and
// the dropout hazard mu * exp(gamma_d' z(t)), lambda ~ Gamma(r, alpha),
// mu ~ Gamma(s, beta). With A(t) = int_0^t exp(gamma_p' z), B likewise,
//   L = Gamma(r+x)/Gamma(r) exp(gamma_p' S) alpha^r beta^s [
//         (alpha+A(T))^-(r+x) (beta+B(T))^-s
//       + s int_{t_x}^T exp(gamma_d' z(t)) (alpha+A(t))^-(r+x) (beta+B(t))^-(s+1) dt ]
// where S sums z over the repeat purchase times. Within a period the rates
// are constant, so the integrand is (P + u t)^-(r+x) (Q + v t)^-(s+1): three
// Gauss-Legendre nodes when both factors change little over the period, else
// five-node panels that each cover a bounded growth of either factor (a
// customer's first weeks with small beta: the integrand falls by orders of
// magnitude within one week). Accurate to ~1e-12 per period either way.
// Parameters as in models/pareto_nbd_covariates.hpp (gammas enter as the log
// of positive multipliers).
#pragma once

#include <string>
#include <vector>

#include "clv/fit_result.hpp"
#include "models/likelihood_model.hpp"

namespace clv {

// Customers with standardized covariate series, flattened.
struct DynamicCovariateRows {
  size_t k = 0;
  std::vector<double> x, t_x, T;
  std::vector<size_t>
      first_period;  // customer i's periods are [first_period[i], first_period[i+1])
  std::vector<double> period_start;  // relative to the customer's first purchase; first <= 0
  std::vector<double> z;             // periods x k
  std::vector<double> purchase_sum;  // customers x k: sum of z at repeat purchase times

  size_t size() const { return x.size(); }
};

class ParetoNbdDynamicModel : public LikelihoodModel {
 public:
  // `max_piece` > 0: the lifetime integral after t_x is done on pieces no
  // longer than this (3-point Gauss-Legendre is exact enough on a week, not
  // on a year-long period of constant covariates); at most 256 per period.
  ParetoNbdDynamicModel(DynamicCovariateRows rows, const std::vector<std::string>& covariate_names,
                        const std::vector<double>& start, int threads = 0, double max_piece = 0);

  const std::vector<std::string>& param_names() const override { return names_; }
  Eigen::VectorXd start_params() const override;
  double log_likelihood(const Eigen::VectorXd& theta, Eigen::VectorXd* grad) const override;
  double n_customers() const override { return static_cast<double>(rows_.size()); }
  size_t n_rows() const override { return rows_.size(); }

 private:
  double customer_ll(size_t i, const Eigen::VectorXd& theta, double* grad,
                     std::vector<double>& scratch) const;
  void precompute_intervals();

  DynamicCovariateRows rows_;
  // Parameter-free layout, built once: before t_x only the cumulative rates
  // A(t_x), B(t_x) matter, so time there is summed per distinct covariate
  // row (a few per customer with binary covariates, instead of one per week);
  // from t_x to T each period keeps its own interval [lo, hi] for quadrature.
  std::vector<size_t> first_pre_, first_post_;  // per customer, into the arrays below
  std::vector<uint32_t> pre_period_;            // period whose z row the group uses
  std::vector<double> pre_length_;
  std::vector<uint32_t> post_period_;
  std::vector<double> post_lo_, post_hi_;
  std::vector<std::string> names_;
  std::vector<double> start_;
  int threads_ = 0;
  double max_piece_ = 0;
};

// Fits from the model's start (the no-covariate fit, gammas 0): one L-BFGS
// run and the Hessian from gradient differences; falls back to
// maximize_likelihood (models/mle_fitter.hpp) when that run does not converge.
FitResult fit_dynamic_covariate_model(const ParetoNbdDynamicModel& model, const FitOptions& options,
                                      std::string model_name);

}  // namespace clv
