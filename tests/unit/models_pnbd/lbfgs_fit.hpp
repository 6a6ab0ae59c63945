// Test-only maximiser (LBFGSpp on the log-parameter scale + finite-difference
// Hessian of the analytic gradient) so the models can be checked end to end
// independently of the project's MLE fitter.
#pragma once

#include <cmath>

#include <LBFGS.h>
#include <LBFGSpp/LineSearchNocedalWright.h>
#include <Eigen/Dense>

#include "models/likelihood_model.hpp"

namespace clv::testing_support {

struct SimpleFit {
  Eigen::VectorXd params;      // natural scale
  Eigen::VectorXd std_errors;  // natural scale (delta method)
  double log_likelihood = 0.0;
  double gradient_norm = 0.0;
};

inline SimpleFit fit_by_lbfgs(const LikelihoodModel& model, Eigen::VectorXd start = {}) {
  if (start.size() == 0) start = model.start_params();
  Eigen::VectorXd theta = start.array().log();
  const double scale = 1.0 / model.n_customers();
  // The solver may leave x in a bad state when its line search gives up at the
  // optimum, so remember the best point it visited.
  Eigen::VectorXd best = theta;
  double best_ll = -std::numeric_limits<double>::infinity();
  auto objective = [&](const Eigen::VectorXd& x, Eigen::VectorXd& g) {
    Eigen::VectorXd grad(x.size());
    const double ll = model.log_likelihood(x, &grad);
    if (!std::isfinite(ll)) {
      g.setZero(x.size());
      return std::numeric_limits<double>::infinity();
    }
    if (ll > best_ll) {
      best_ll = ll;
      best = x;
    }
    g = -scale * grad;
    return -scale * ll;
  };
  LBFGSpp::LBFGSParam<double> param;
  param.epsilon = 1e-9;
  param.epsilon_rel = 1e-9;
  param.max_iterations = 2000;
  param.max_linesearch = 60;
  param.linesearch = LBFGSpp::LBFGS_LINESEARCH_BACKTRACKING_STRONG_WOLFE;
  LBFGSpp::LBFGSSolver<double, LBFGSpp::LineSearchNocedalWright> solver(param);
  double fx = 0.0;
  try {
    solver.minimize(objective, theta, fx);
  } catch (const std::exception&) {
    // Line search gave up close to the optimum; the gradient check below tells.
  }
  theta = best;
  SimpleFit fit;
  const int k = static_cast<int>(theta.size());
  Eigen::VectorXd grad(k);
  fit.log_likelihood = model.log_likelihood(theta, &grad);
  fit.gradient_norm = grad.norm();
  Eigen::MatrixXd hessian(k, k);
  const double h = 1e-5;
  for (int j = 0; j < k; ++j) {
    Eigen::VectorXd up = theta, down = theta, gu(k), gd(k);
    up[j] += h;
    down[j] -= h;
    model.log_likelihood(up, &gu);
    model.log_likelihood(down, &gd);
    hessian.col(j) = (gu - gd) / (2 * h);
  }
  hessian = 0.5 * (hessian + hessian.transpose());
  const Eigen::MatrixXd cov_log = (-hessian).inverse();
  fit.params = theta.array().exp();
  fit.std_errors = fit.params.array() * cov_log.diagonal().array().sqrt();
  return fit;
}

}  // namespace clv::testing_support
