#include "models/pareto_nbd_dynamic.hpp"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "models/pareto_nbd_covariates.hpp"

namespace clv {
namespace {

// Weekly periods from -0.4 (the first purchase falls mid-week) past T.
DynamicCovariateRows weekly_rows(const std::vector<double>& x, const std::vector<double>& t_x,
                                 const std::vector<double>& T, size_t k, bool constant) {
  DynamicCovariateRows rows;
  rows.k = k;
  rows.x = x;
  rows.t_x = t_x;
  rows.T = T;
  for (size_t i = 0; i < x.size(); ++i) {
    rows.first_period.push_back(rows.period_start.size());
    for (double start = -0.4; start < T[i]; start += 1.0) {
      rows.period_start.push_back(start);
      for (size_t j = 0; j < k; ++j) {
        const double value = 0.3 * static_cast<double>(i) - 0.5 + 0.2 * static_cast<double>(j);
        rows.z.push_back(constant ? value : value + std::sin(start + static_cast<double>(j)));
      }
    }
    // Purchases spread evenly up to t_x; their covariate sum from the periods.
    const size_t first = rows.first_period.back();
    for (size_t j = 0; j < k; ++j) rows.purchase_sum.push_back(0.0);
    for (int p = 1; p <= static_cast<int>(x[i]); ++p) {
      const double t = t_x[i] * p / x[i];
      const size_t period = first + static_cast<size_t>(std::floor(t + 0.4));
      for (size_t j = 0; j < k; ++j) rows.purchase_sum[i * k + j] += rows.z[period * k + j];
    }
  }
  rows.first_period.push_back(rows.period_start.size());
  return rows;
}

const std::vector<double> kX = {0, 3, 6, 1}, kTx = {0, 20.3, 35.2, 2.5}, kT = {30, 38.5, 36, 12};

TEST(ParetoNbdDynamic, ConstantSeriesReproduceTheStaticCovariateModel) {
  const size_t k = 2;
  const DynamicCovariateRows dyn = weekly_rows(kX, kTx, kT, k, true);
  std::vector<double> z;
  for (size_t i = 0; i < kX.size(); ++i)
    for (size_t j = 0; j < k; ++j) z.push_back(dyn.z[dyn.first_period[i] * k + j]);
  ParetoNbdDynamicModel dynamic(dyn, {"a", "b"}, {1, 1, 1, 1}, 1);
  ParetoNbdCovariateModel fixed(collapse_covariate_rows(kX, kTx, kT, z, k), {"a", "b"},
                                {1, 1, 1, 1}, 1);
  Eigen::VectorXd theta(8);
  theta << std::log(0.6), std::log(9.0), std::log(0.8), std::log(13.0), 0.4, -0.3, 0.7, 0.2;
  Eigen::VectorXd g_dyn(8), g_fixed(8);
  const double ll_dyn = dynamic.log_likelihood(theta, &g_dyn);
  const double ll_fixed = fixed.log_likelihood(theta, &g_fixed);
  // The period integrals are numerical (Gauss-Legendre), the static model exact.
  EXPECT_NEAR(ll_dyn, ll_fixed, 1e-6 * std::abs(ll_fixed));
  for (int q = 0; q < 8; ++q) EXPECT_NEAR(g_dyn[q], g_fixed[q], 1e-5) << q;
}

TEST(ParetoNbdDynamic, GradientMatchesFiniteDifferences) {
  ParetoNbdDynamicModel model(weekly_rows(kX, kTx, kT, 2, false), {"a", "b"}, {1, 1, 1, 1}, 1);
  Eigen::VectorXd theta(8);
  theta << std::log(0.6), std::log(9.0), std::log(0.8), std::log(13.0), 0.4, -0.3, 0.7, 0.2;
  Eigen::VectorXd grad(8);
  model.log_likelihood(theta, &grad);
  for (int q = 0; q < 8; ++q) {
    Eigen::VectorXd up = theta, down = theta;
    up[q] += 1e-6;
    down[q] -= 1e-6;
    const double numeric =
        (model.log_likelihood(up, nullptr) - model.log_likelihood(down, nullptr)) / 2e-6;
    EXPECT_NEAR(grad[q], numeric, 1e-5 * std::max(1.0, std::abs(numeric))) << q;
  }
}

}  // namespace
}  // namespace clv
