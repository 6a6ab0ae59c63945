#include "models/gamma_gamma.hpp"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "clv/error.hpp"
#include "models/mle_fitter.hpp"
#include "models/summary_csv.hpp"

namespace clv {
namespace {

// Fader, Hardie & Lee (2005) "RFM and CLV: Using Iso-Value Curves": p = 6.25,
// q = 3.74, gamma = 15.44 on zbar of the 946 CDNOW repeat buyers.
TEST(GammaGamma, ReproducesPublishedCdnowFit) {
  const SummaryTable s = read_summary_csv(std::string(CLV_SHARED_DATA_DIR) +
                                          "/cdnow/cdnow_customers_summary_with_transactions.csv");
  ASSERT_EQ(s.monetary.size(), 2357u);
  GammaGammaLikelihood model(s.x, s.monetary);
  EXPECT_DOUBLE_EQ(model.n_customers(), 946.0);
  EXPECT_DOUBLE_EQ(model.skipped_customers(), 1411.0);
  const FitResult fit = maximize_likelihood(model, {}, "gg");
  // Published to 2 decimals (zbar in the file is rounded to cents);
  // lifetimes asserts decimal=2, i.e. |error| < 0.015.
  EXPECT_NEAR(fit.params[0], 6.25, 0.015);
  EXPECT_NEAR(fit.params[1], 3.74, 0.015);
  EXPECT_NEAR(fit.params[2], 15.44, 0.015);
  // Shrinkage: the estimate lies between the population mean and the
  // customer's own mean.
  const GammaGammaParams g{fit.params[0], fit.params[1], fit.params[2]};
  const double population = g.p * g.gamma / (g.q - 1);
  const double e = gg_conditional_expected_spend(g, 2, 100.0);
  EXPECT_GT(e, population);
  EXPECT_LT(e, 100.0);
}

TEST(GammaGamma, SimulationRecoveryWithinThreeStandardErrors) {
  const GammaGammaParams truth{4.0, 5.0, 20.0};
  std::vector<double> x(20000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = 1 + static_cast<double>(i % 7);
  const std::vector<double> m = simulate_gamma_gamma(truth, x, 7);
  const FitResult fit = maximize_likelihood(GammaGammaLikelihood(x, m), {}, "gg");
  const double t[] = {truth.p, truth.q, truth.gamma};
  for (int k = 0; k < 3; ++k) {
    EXPECT_NEAR(fit.params[k], t[k], 3 * fit.std_errors[k]) << fit.param_names[k];
    EXPECT_LT(fit.std_errors[k], 0.2 * t[k]);  // the test has power
  }
}

TEST(GammaGamma, ExpectedSpendFormulaAndErrors) {
  const GammaGammaParams g{6.25, 3.74, 15.44};
  EXPECT_NEAR(gg_conditional_expected_spend(g, 0, 0), 6.25 * 15.44 / 2.74, 1e-12);
  EXPECT_NEAR(gg_conditional_expected_spend(g, 3, 40), 6.25 * (15.44 + 120) / (18.75 + 2.74),
              1e-12);
  // Zero-spend repeat buyers are fine to score (shrunk towards the mean).
  EXPECT_GT(gg_conditional_expected_spend(g, 3, 0), 0);
  EXPECT_THROW(gg_conditional_expected_spend({1, 0.9, 1}, 1, 1), Error);
  const std::vector<double> x{1, 2}, m{10, 0};
  EXPECT_THROW(GammaGammaLikelihood(x, m), Error);  // repeat buyer with zero spend
  // Stress: x in the thousands, a single customer.
  EXPECT_TRUE(std::isfinite(gg_conditional_expected_spend(g, 5000, 12.5)));
  const std::vector<double> one_x{5000}, one_m{12.5};
  GammaGammaLikelihood single(one_x, one_m);
  Eigen::VectorXd grad;
  EXPECT_TRUE(std::isfinite(single.log_likelihood(Eigen::Vector3d(1, 1, 1), &grad)));
  EXPECT_TRUE(grad.allFinite());
}

}  // namespace
}  // namespace clv
