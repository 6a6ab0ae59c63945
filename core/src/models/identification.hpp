// Flags parameters the data do not identify, from the covariance of the
// estimates on the optimizer's scale (log of positive parameters, raw
// covariate coefficients). A fit can meet its gradient tolerance and still
// say nothing about a parameter: e.g. a covariate that is almost constant
// in the data lets its coefficient drift to -16.8 with a standard error of
// 9,795. Such fits are reported with a warning naming the parameter.
#pragma once

#include <string>
#include <vector>

#include <Eigen/Core>

namespace clv {

// A standard error above this on the optimizer's scale (a factor e^5 ~ 150
// either way for a log parameter) means the data do not pin the value down.
inline constexpr double kUnidentifiedStdError = 5.0;
// Eigenvalues of the information matrix below this share of the largest make
// it numerically singular.
inline constexpr double kSingularEigenShare = 1e-12;

// One warning per unidentified parameter (empty when all are identified).
// `information` is minus the Hessian of the log-likelihood at the optimum,
// `cov` its inverse; `natural` maps the optimizer's value to the reported one
// (exp for log parameters) and is only used for the message.
std::vector<std::string> identification_warnings(const std::vector<std::string>& names,
                                                 const Eigen::VectorXd& theta,
                                                 const Eigen::MatrixXd& information,
                                                 const Eigen::MatrixXd& cov);

}  // namespace clv
