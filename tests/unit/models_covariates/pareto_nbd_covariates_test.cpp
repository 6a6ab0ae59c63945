#include "models/pareto_nbd_covariates.hpp"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "clv/error.hpp"
#include "models/pareto_nbd.hpp"

namespace clv {
namespace {

CovariateRows small_rows() {
  // Mixed histories incl. x = 0, t_x = T and a duplicate that must collapse.
  const std::vector<double> x = {0, 2, 5, 1, 2, 0, 7};
  const std::vector<double> t_x = {0, 10.5, 30.1, 3, 10.5, 0, 38.9};
  const std::vector<double> T = {38, 30, 35.5, 20, 30, 12, 38.9};
  const std::vector<double> z = {-1.2, 0.3, 0.4,  -0.5, 1.1, 2.0,  0.0,
                                 0.0,  0.4, -0.5, 0.7,  0.1, -0.3, -1.0};
  return collapse_covariate_rows(x, t_x, T, z, 2);
}

TEST(ParetoNbdCovariates, CollapsesOnlyExactDuplicates) {
  const CovariateRows rows = small_rows();
  EXPECT_EQ(rows.size(), 6u);
  EXPECT_DOUBLE_EQ(rows.weight[1], 2.0);
}

TEST(ParetoNbdCovariates, ZeroGammasReproducePlainParetoNbd) {
  const CovariateRows rows = small_rows();
  ParetoNbdCovariateModel model(rows, {"a", "b"}, {0.55, 10.6, 0.61, 11.7});
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(8);
  theta.head(4) << std::log(0.55), std::log(10.6), std::log(0.61), std::log(11.7);
  double plain = 0.0;
  for (size_t i = 0; i < rows.size(); ++i) {
    plain += rows.weight[i] *
             pnbd_log_likelihood({0.55, 10.6, 0.61, 11.7}, rows.x[i], rows.t_x[i], rows.T[i]);
  }
  EXPECT_NEAR(model.log_likelihood(theta, nullptr), plain, 1e-10 * std::abs(plain));
}

TEST(ParetoNbdCovariates, GammaShiftsTheRatesLikeScaledAlphaBeta) {
  // One customer, one covariate z = 1: gamma_d = 0.4 must equal beta * e^-0.4.
  const CovariateRows rows = collapse_covariate_rows({3}, {20}, {39}, {1.0}, 1);
  ParetoNbdCovariateModel model(rows, {"u"}, {1, 1, 1, 1});
  Eigen::VectorXd theta(6);
  theta << std::log(0.5), std::log(8.0), std::log(0.7), std::log(12.0), -0.3, 0.4;
  const double expected =
      pnbd_log_likelihood({0.5, 8.0 * std::exp(0.3), 0.7, 12.0 * std::exp(-0.4)}, 3, 20, 39);
  EXPECT_NEAR(model.log_likelihood(theta, nullptr), expected, 1e-12 * std::abs(expected));
}

TEST(ParetoNbdCovariates, GradientMatchesFiniteDifferences) {
  ParetoNbdCovariateModel model(small_rows(), {"a", "b"}, {1, 1, 1, 1});
  Eigen::VectorXd theta(8);
  theta << std::log(0.7), std::log(6.0), std::log(0.9), std::log(14.0), 0.3, -0.2, 0.5, -0.4;
  Eigen::VectorXd grad(8);
  model.log_likelihood(theta, &grad);
  for (int i = 0; i < 8; ++i) {
    Eigen::VectorXd up = theta, down = theta;
    const double h = 1e-6;
    up[i] += h;
    down[i] -= h;
    const double numeric =
        (model.log_likelihood(up, nullptr) - model.log_likelihood(down, nullptr)) / (2 * h);
    EXPECT_NEAR(grad[i], numeric, 1e-5 * std::max(1.0, std::abs(numeric))) << "param " << i;
  }
}

TEST(ParetoNbdCovariates, RejectsBadInput) {
  EXPECT_THROW(collapse_covariate_rows({1}, {2}, {1}, {0.0}, 1), Error);       // t_x > T
  EXPECT_THROW(collapse_covariate_rows({1}, {1}, {2}, {0.0, 1.0}, 1), Error);  // z size
  EXPECT_THROW(collapse_covariate_rows({1}, {1}, {2}, {std::nan("")}, 1), Error);
}

}  // namespace
}  // namespace clv
