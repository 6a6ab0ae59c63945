#include "models/covariate_row_model.hpp"

#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "models/mle_fitter.hpp"
#include "models/pareto_nbd_covariates.hpp"

namespace clv {
namespace {

// Pareto/NBD customers with one binary and one normal covariate.
CovariateRows simulated_rows(size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::bernoulli_distribution flag(0.4);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<double> x(n, 0.0), t_x(n, 0.0), T(n), z;
  for (size_t i = 0; i < n; ++i) {
    const double z0 = flag(rng) ? 1.0 : 0.0, z1 = normal(rng);
    z.push_back(z0);
    z.push_back(z1);
    const double alpha_i = 6.0 * std::exp(-(0.3 * z0 - 0.2 * z1));
    const double beta_i = 12.0 * std::exp(-(0.5 * z0 + 0.3 * z1));
    const double lambda = std::gamma_distribution<double>(0.9, 1.0 / alpha_i)(rng);
    const double mu = std::gamma_distribution<double>(0.7, 1.0 / beta_i)(rng);
    T[i] = std::round((30.0 + 40.0 * unit(rng)) * 7.0) / 7.0;
    const double end = std::min(T[i], std::exponential_distribution<double>(mu)(rng));
    std::exponential_distribution<double> gap(lambda);
    for (double t = gap(rng); t <= end; t += gap(rng)) {
      x[i] += 1;
      t_x[i] = t;
    }
  }
  return collapse_covariate_rows(x, t_x, T, z, 2);
}

TEST(CovariateRowModel, StructuredHessianMatchesDifferencesOfTheGradient) {
  ParetoNbdCovariateModel model(simulated_rows(400, 3), {"flag", "score"}, {1, 1, 1, 1}, 1);
  Eigen::VectorXd theta(8);
  theta << std::log(0.8), std::log(5.0), std::log(0.6), std::log(10.0), 0.2, -0.1, 0.4, 0.3;
  const Eigen::MatrixXd h = model.hessian(theta);
  for (Eigen::Index j = 0; j < 8; ++j) {
    Eigen::VectorXd up = theta, down = theta, g_up(8), g_down(8);
    up[j] += 1e-5;
    down[j] -= 1e-5;
    model.log_likelihood(up, &g_up);
    model.log_likelihood(down, &g_down);
    const Eigen::VectorXd column = (g_up - g_down) / 2e-5;
    for (Eigen::Index i = 0; i < 8; ++i) {
      EXPECT_NEAR(h(i, j), column[i], 1e-4 * std::max(1.0, std::abs(column[i])))
          << "entry " << i << "," << j;
    }
  }
}

TEST(CovariateRowModel, FastFitEqualsTheGeneralFitter) {
  ParetoNbdCovariateModel model(simulated_rows(3000, 11), {"flag", "score"}, {0.8, 6, 0.7, 12});
  const FitResult fast = fit_covariate_row_model(model, {}, "pnbd_cov");
  const FitResult general = maximize_likelihood(model, {}, "pnbd_cov");
  ASSERT_TRUE(fast.converged);
  EXPECT_NEAR(fast.log_likelihood, general.log_likelihood, 1e-6 * std::abs(general.log_likelihood));
  for (size_t i = 0; i < fast.params.size(); ++i) {
    EXPECT_NEAR(fast.params[i], general.params[i], 2e-4 * general.params[i]) << fast.param_names[i];
    EXPECT_NEAR(fast.std_errors[i], general.std_errors[i], 2e-3 * general.std_errors[i])
        << fast.param_names[i];
  }
}

TEST(CovariateRowModel, SubsampleStartFitEqualsTheGeneralFitter) {
  // subsample_min_rows = 0 forces the large-data path: 1-in-10 subsample fit,
  // Newton steps on all rows with its scaled Hessian, then the usual check.
  ParetoNbdCovariateModel model(simulated_rows(4000, 5), {"flag", "score"}, {0.8, 6, 0.7, 12});
  const FitResult fast = fit_covariate_row_model(model, {}, "pnbd_cov", 0);
  const FitResult general = maximize_likelihood(model, {}, "pnbd_cov");
  ASSERT_TRUE(fast.converged);
  EXPECT_LE(fast.gradient_norm, 1e-6 * std::abs(fast.log_likelihood));
  EXPECT_NEAR(fast.log_likelihood, general.log_likelihood, 1e-6 * std::abs(general.log_likelihood));
  for (size_t i = 0; i < fast.params.size(); ++i) {
    EXPECT_NEAR(fast.params[i], general.params[i], 2e-4 * general.params[i]) << fast.param_names[i];
    EXPECT_NEAR(fast.std_errors[i], general.std_errors[i], 2e-3 * general.std_errors[i])
        << fast.param_names[i];
  }
}

}  // namespace
}  // namespace clv
