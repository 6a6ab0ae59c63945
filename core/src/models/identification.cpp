#include "models/identification.hpp"

#include <cmath>

#include <fmt/format.h>
#include <Eigen/Eigenvalues>

namespace clv {

std::vector<std::string> identification_warnings(const std::vector<std::string>& names,
                                                 const Eigen::VectorXd& theta,
                                                 const Eigen::MatrixXd& information,
                                                 const Eigen::MatrixXd& cov) {
  std::vector<std::string> out;
  const Eigen::Index k = theta.size();
  std::vector<bool> flagged(static_cast<size_t>(k), false);
  for (Eigen::Index i = 0; i < k; ++i) {
    const double se = std::sqrt(std::max(0.0, cov(i, i)));
    if (!(se > kUnidentifiedStdError)) continue;
    flagged[static_cast<size_t>(i)] = true;
    out.push_back(fmt::format(
        "parameter {} is not identified by these data: estimate {:.6g} on the fitting scale "
        "(log for positive parameters) with standard error {:.4g}; do not interpret it, and "
        "consider dropping it or adding data",
        names[static_cast<size_t>(i)], theta[i], se));
  }
  // A (near-)singular information matrix: the direction it cannot resolve is
  // its weakest eigenvector; the parameter that dominates it is named.
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(0.5 * (information + information.transpose()));
  if (eig.info() == Eigen::Success && k > 0) {
    const Eigen::VectorXd values = eig.eigenvalues();  // ascending
    const double largest = std::abs(values[k - 1]);
    if (largest > 0 && values[0] < kSingularEigenShare * largest) {
      Eigen::Index worst = 0;
      eig.eigenvectors().col(0).cwiseAbs().maxCoeff(&worst);
      if (!flagged[static_cast<size_t>(worst)]) {
        out.push_back(fmt::format(
            "the information matrix is singular (smallest eigenvalue {:.3g} of largest {:.3g}): "
            "parameter {} is not identified by these data",
            values[0], largest, names[static_cast<size_t>(worst)]));
      }
    }
  }
  return out;
}

}  // namespace clv
