#include "models/bg_nbd_covariates.hpp"

#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "clv/error.hpp"
#include "models/bg_nbd.hpp"
#include "models/mle_fitter.hpp"
#include "models/summary_csv.hpp"

namespace clv {
namespace {

const std::string kCdnow = std::string(CLV_SHARED_DATA_DIR) + "/cdnow/cdnow_customers_summary.csv";

TEST(BgNbdCovariates, RowGradientMatchesFiniteDifferences) {
  const BgNbdParams p{0.6, 5.0, 0.9, 2.5};
  const double rows[][3] = {{0, 0, 30}, {1, 3.5, 30}, {4, 20, 38}, {30, 37, 38}};
  for (const auto& row : rows) {
    double grad[4];
    const auto counts = pnbd_kernel::count_terms(p.r, row[0]);
    bgnbd_row_log_likelihood(p, row[0], row[1], row[2], counts, grad);
    for (int q = 0; q < 4; ++q) {
      const double h = 1e-6;
      BgNbdParams up = p, down = p;
      double* u = q == 0 ? &up.r : q == 1 ? &up.alpha : q == 2 ? &up.a : &up.b;
      double* d = q == 0 ? &down.r : q == 1 ? &down.alpha : q == 2 ? &down.a : &down.b;
      *u *= std::exp(h);
      *d *= std::exp(-h);
      const double numeric =
          (bgnbd_row_log_likelihood(up, row[0], row[1], row[2],
                                    pnbd_kernel::count_terms(up.r, row[0]), nullptr) -
           bgnbd_row_log_likelihood(down, row[0], row[1], row[2],
                                    pnbd_kernel::count_terms(down.r, row[0]), nullptr)) /
          (2 * h);
      EXPECT_NEAR(grad[q], numeric, 1e-6 * std::max(1.0, std::abs(numeric)))
          << "x=" << row[0] << " q=" << q;
    }
  }
}

// With every covariate 0 the model is the plain BG/NBD: on CDNOW its
// log-likelihood at the plain fit is the published -9582.4, and adding a
// covariate of pure noise leaves the fit where the plain one is.
TEST(BgNbdCovariates, ZeroCovariatesReproduceThePlainCdnowFit) {
  const SummaryTable s = read_summary_csv(kCdnow);
  BgNbdLikelihood plain(collapse_rfm(s.x, s.t_x, s.T), BgNbdVariant::kBgNbd);
  const FitResult base = maximize_likelihood(plain, {}, "bgnbd");
  EXPECT_NEAR(base.log_likelihood, -9582.43, 0.01);

  const size_t n = s.size();
  BgNbdCovariateModel zero(collapse_covariate_rows(s.x, s.t_x, s.T, std::vector<double>(n, 0.0), 1),
                           {"zero"}, base.params);
  Eigen::VectorXd theta(6);
  theta << std::log(base.params[0]), std::log(base.params[1]), std::log(base.params[2]),
      std::log(base.params[3]), 0.7, -0.4;  // gammas do nothing when z = 0
  Eigen::VectorXd grad(6);
  EXPECT_NEAR(zero.log_likelihood(theta, &grad), base.log_likelihood, 1e-8 * 9582.43);
  for (int q = 0; q < 6; ++q) EXPECT_NEAR(grad[q], 0.0, 1e-2) << q;  // the plain optimum

  std::mt19937_64 rng(5);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> noise(n);
  for (double& v : noise) v = normal(rng);
  const BgNbdCovariateFit fit = fit_bgnbd_covariates(s.x, s.t_x, s.T, noise, {"noise"});
  EXPECT_TRUE(fit.fit.converged);
  EXPECT_GE(fit.fit.log_likelihood, base.log_likelihood - 1e-6);  // nested model
  EXPECT_LT(fit.fit.log_likelihood, base.log_likelihood + 6.0);   // noise explains ~nothing
  for (int q = 0; q < 4; ++q) {
    EXPECT_NEAR(fit.fit.params[q], base.params[q], 3 * fit.fit.std_errors[q]) << q;
  }
  EXPECT_NEAR(fit.r, 0.243, 0.02);
  EXPECT_NEAR(fit.alpha, 4.414, 0.4);
}

// Customers with one binary and one normal covariate acting on the purchase
// rate and the dropout concentration; the fit recovers the truth within its
// 99.7% intervals and the purchase effects are clearly non-zero.
TEST(BgNbdCovariates, RecoversSimulatedEffects) {
  const double r = 0.8, alpha = 5.0, a = 0.7, b = 2.5;
  const double g_p[2] = {0.5, -0.3}, g_d[2] = {1.0, 0.4};
  std::mt19937_64 rng(21);
  std::bernoulli_distribution flag(0.4);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const size_t n = 12000;
  std::vector<double> x(n, 0.0), t_x(n, 0.0), T(n), z;
  for (size_t i = 0; i < n; ++i) {
    const double z0 = flag(rng) ? 1.0 : 0.0, z1 = normal(rng);
    z.push_back(z0);
    z.push_back(z1);
    const double alpha_i = alpha * std::exp(-(g_p[0] * z0 + g_p[1] * z1));
    const double scale = std::exp(g_d[0] * z0 + g_d[1] * z1);
    const double lambda = std::gamma_distribution<double>(r, 1.0 / alpha_i)(rng);
    const double u = std::gamma_distribution<double>(a * scale, 1.0)(rng);
    const double v = std::gamma_distribution<double>(b * scale, 1.0)(rng);
    const double p_drop = u / (u + v);
    T[i] = 40.0 + 38.0 * unit(rng);
    std::exponential_distribution<double> gap(lambda);
    for (double t = gap(rng); t <= T[i]; t += gap(rng)) {
      x[i] += 1;
      t_x[i] = t;
      if (unit(rng) < p_drop) break;  // drops out after this purchase
    }
  }
  const BgNbdCovariateFit fit = fit_bgnbd_covariates(x, t_x, T, z, {"flag", "score"});
  ASSERT_TRUE(fit.fit.converged);
  const double truth[8] = {r, alpha, a, b, g_p[0], g_p[1], g_d[0], g_d[1]};
  for (int q = 0; q < 8; ++q) {
    const double se = fit.fit.std_errors[q];
    EXPECT_GT(se, 0.0);
    EXPECT_LT(std::abs(fit.fit.params[q] - truth[q]), 3.0 * se)
        << fit.fit.param_names[q] << " = " << fit.fit.params[q] << " (se " << se << ")";
  }
  EXPECT_GT(std::abs(fit.gamma_purchase[0]) / fit.fit.std_errors[4], 4.0);
  EXPECT_GT(std::abs(fit.gamma_purchase[1]) / fit.fit.std_errors[5], 4.0);

  // Predictions use the customer's own parameters: at z = 0 the base ones;
  // z = (1, 0) scales alpha by e^-gamma_p0 and a, b by e^gamma_d0.
  const BgNbdParams base{fit.r, fit.alpha, fit.a, fit.b};
  EXPECT_DOUBLE_EQ(bgnbd_covariate_p_alive(fit, 3, 30, 40, {0.0, 0.0}),
                   bgnbd_p_alive(base, BgNbdVariant::kBgNbd, 3, 30, 40));
  const BgNbdParams shifted{fit.r, fit.alpha * std::exp(-fit.gamma_purchase[0]),
                            fit.a * std::exp(fit.gamma_dropout[0]),
                            fit.b * std::exp(fit.gamma_dropout[0])};
  const double expected = bgnbd_covariate_conditional_expected(fit, 3, 30, 40, {1.0, 0.0}, 10);
  EXPECT_NEAR(expected,
              bgnbd_conditional_expected_purchases(shifted, BgNbdVariant::kBgNbd, 3, 30, 40, 10),
              1e-12);
  EXPECT_GT(expected, 0.0);
  EXPECT_THROW(bgnbd_covariate_p_alive(fit, 3, 30, 40, {0.0}), Error);
}

}  // namespace
}  // namespace clv
