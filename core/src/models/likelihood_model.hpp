// The contract between a probabilistic model and the maximum-likelihood
// fitter. A model owns its (weighted, collapsed) data and evaluates the total
// log-likelihood and its gradient on the log scale of its parameters, so the
// optimizer works unconstrained and every parameter stays positive.
#pragma once

#include <string>
#include <vector>

#include <Eigen/Core>

namespace clv {

class LikelihoodModel {
 public:
  virtual ~LikelihoodModel() = default;

  // Parameter names in the order of the parameter vector, e.g. r, alpha, a, b.
  virtual const std::vector<std::string>& param_names() const = 0;

  // A data-driven starting point on the natural scale (method of moments or a
  // simple heuristic), so that fitting does not depend on luck.
  virtual Eigen::VectorXd start_params() const = 0;

  // Sum over rows of weight * log-likelihood at exp(log_params). When `grad`
  // is non-null it receives d/d(log_params) of that sum. Must return a finite
  // value or -infinity (never NaN) so the line search can back off.
  virtual double log_likelihood(const Eigen::VectorXd& log_params, Eigen::VectorXd* grad) const = 0;

  // Optional: the analytic Hessian of log_likelihood on the log scale (k x k)
  // into `h`. Models without one return false; the fitter then differences
  // the gradient (2k extra passes) and cannot take Newton steps.
  virtual bool hessian(const Eigen::VectorXd& log_params, Eigen::MatrixXd& h) const {
    (void)log_params;
    (void)h;
    return false;
  }
  // True when hessian() is implemented (checked once per fit, without a pass).
  virtual bool has_hessian() const { return false; }

  // Number of customers (sum of weights) and of distinct rows, for BIC and reporting.
  virtual double n_customers() const = 0;
  virtual size_t n_rows() const = 0;
};

}  // namespace clv
