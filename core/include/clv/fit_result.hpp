// The outcome of a maximum-likelihood fit: estimates, their standard errors,
// information criteria and optimizer diagnostics.
#pragma once

#include <string>
#include <vector>

#include "clv/progress.hpp"
#include "clv/time_unit.hpp"

namespace clv {

struct FitOptions {
  double l2_penalty = 0.0;  // lambda * sum(log(param)^2) subtracted from the LL
  int max_iterations = 1000;
  double gradient_tolerance = 1e-6;  // on the log-parameter scale, relative
  std::vector<double> start;         // natural-scale start; empty = model's own
  int threads = 0;                   // 0 = all cores
  // Stage "fit": done counts likelihood passes (total 0 = unknown) and the
  // last report has done == total; see clv/progress.hpp.
  ProgressCallback progress;
};

struct FitResult {
  std::string model;                     // "bgnbd", "pnbd", ...
  std::vector<std::string> param_names;  // in parameter order
  std::vector<double> params;            // natural scale
  std::vector<double> std_errors;        // natural scale (delta method), NaN-free
  std::vector<double> covariance;        // row-major, natural scale, k*k
  double log_likelihood = 0.0;
  double aic = 0.0;
  double bic = 0.0;
  bool converged = false;
  int iterations = 0;
  double gradient_norm = 0.0;
  double n_customers = 0.0;  // sum of row weights
  size_t n_rows = 0;         // distinct rows actually evaluated
  TimeUnit time_unit;
  // Customers left out of the fit because their T is 0 (first purchase on
  // the calibration-end day: no observation time, so no information); they
  // are scored from the prior.
  double n_excluded = 0.0;
  // What the user must know about the estimates, e.g. a parameter the data do
  // not identify (huge standard error or a singular Hessian). Empty when none.
  std::vector<std::string> warnings;
};

}  // namespace clv
