// Shared machinery of the static-covariate models (Pareto/NBD and BG/NBD with
// covariates, CLVTools form): each customer's likelihood depends on four
// per-customer quantities whose logs are linear in the fitted parameters,
//   log q_i = theta_q + sign_q * gamma_{group_q}' z_i   (or just theta_q),
// e.g. log alpha_i = log alpha - gamma_purchase' z_i. So one row kernel with
// the gradient in those four quantities gives the full gradient by the chain
// rule, and the Hessian is sum_i w_i J_i' H_i J_i with the 4x4 row Hessian
// H_i: 5 kernel calls per row instead of 2 * (4 + 2k) full passes.
//
// Parameters (fitter convention, models/pareto_nbd_covariates.hpp): theta =
// (log of 4 base parameters, gamma group 0..., gamma group 1...); a gamma is
// the log of a positive multiplier, so the fitter's natural value is e^gamma.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "clv/fit_result.hpp"
#include "models/likelihood_model.hpp"
#include "models/pareto_nbd_kernel.hpp"

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

// How the four per-customer quantities depend on the covariates.
struct CovariateLink {
  std::array<std::string, 4> base_names;    // e.g. r, alpha, s, beta
  std::array<std::string, 2> group_prefix;  // e.g. "purchase:", "dropout:"
  std::array<int, 4> group;                 // gamma group of quantity q, -1 = none
  std::array<double, 4> sign;               // +1 or -1
};

class CovariateRowModel : public LikelihoodModel {
 public:
  // `start` holds the 4 base parameters of a no-covariate fit (gammas start at 0).
  CovariateRowModel(CovariateRows rows, const std::vector<std::string>& covariate_names,
                    const std::vector<double>& start, int threads, CovariateLink link);

  const std::vector<std::string>& param_names() const override { return names_; }
  Eigen::VectorXd start_params() const override;
  double log_likelihood(const Eigen::VectorXd& theta, Eigen::VectorXd* grad) const override;
  double n_customers() const override { return n_customers_; }
  size_t n_rows() const override { return rows_.size(); }

  // Hessian of log_likelihood on the theta scale (row Hessians by forward
  // differences of the analytic row gradient, chained exactly).
  Eigen::MatrixXd hessian(const Eigen::VectorXd& theta) const;

  const CovariateRows& rows() const { return rows_; }

  // The same model (names, start, threads) on every `stride`-th row. Rows are
  // sorted by x, so this deterministic sample is stratified by purchase count.
  std::unique_ptr<CovariateRowModel> subsample(size_t stride) const;

 protected:
  // A model of the same kind on `rows` (for subsample()).
  virtual std::unique_ptr<CovariateRowModel> with_rows(CovariateRows rows) const = 0;
  const std::vector<std::string>& covariate_names() const { return covariate_names_; }
  const std::vector<double>& start() const { return start_; }
  int threads() const { return threads_; }

  // Log-likelihood of row i at the natural per-customer quantities `q`;
  // `counts` holds the r- and x-only terms (q[0] is r in both models). When
  // grad is non-null it receives d/d log q. Returns -inf when impossible.
  virtual double row_log_likelihood(size_t i, const double q[4],
                                    const pnbd_kernel::CountTerms& counts, double* grad) const = 0;

 private:
  CovariateRows rows_;
  CovariateLink link_;
  std::vector<std::string> names_, covariate_names_;
  std::vector<double> start_;
  double n_customers_ = 0;
  int threads_ = 0;
  std::vector<double> distinct_x_;  // count terms are computed once per distinct x
  std::vector<uint32_t> row_x_index_;
};

// Maximum likelihood for a CovariateRowModel: one L-BFGS run from the
// model's start (the no-covariate fit with gammas 0, close to the optimum),
// then the structured Hessian for standard errors and Newton polish. With at
// least `subsample_min_rows` rows the L-BFGS run is done on a 1-in-10
// subsample first, and its Hessian (scaled to all rows) drives Newton steps
// on all rows, so the full data is passed over a few times only. Falls back to the general
// fitter (restarts, numeric Hessian) when that run does not converge, so the
// result is never less reliable than maximize_likelihood's. Same result
// conventions and errors as maximize_likelihood (models/mle_fitter.hpp).
FitResult fit_covariate_row_model(const CovariateRowModel& model, const FitOptions& options,
                                  std::string model_name, size_t subsample_min_rows = 200000);

}  // namespace clv

namespace clv {

// The driver behind fit_covariate_row_model for any model whose start_params()
// is already close to the optimum (e.g. a covariate model started from the
// no-covariate fit): one L-BFGS run, `hessian` (of the LL on the theta scale)
// at the optimum, and maximize_likelihood as the fallback.
FitResult fit_from_good_start(const LikelihoodModel& model,
                              const std::function<Eigen::MatrixXd(const Eigen::VectorXd&)>& hessian,
                              const FitOptions& options, std::string model_name);

// Hessian by central differences of the analytic gradient (2 passes per parameter).
Eigen::MatrixXd gradient_difference_hessian(const LikelihoodModel& model,
                                            const Eigen::VectorXd& theta);

}  // namespace clv
