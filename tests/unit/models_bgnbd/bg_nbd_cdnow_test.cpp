#include <cmath>

#include <gtest/gtest.h>

#include "models/bg_nbd.hpp"
#include "models/mle_fitter.hpp"
#include "models/summary_csv.hpp"

namespace clv {
namespace {

const std::string kCdnow = std::string(CLV_SHARED_DATA_DIR) + "/cdnow/cdnow_customers_summary.csv";

FitResult fit_cdnow(BgNbdVariant variant, const char* name) {
  const SummaryTable s = read_summary_csv(kCdnow);
  EXPECT_EQ(s.size(), 2357u);
  BgNbdLikelihood model(collapse_rfm(s.x, s.t_x, s.T), variant);
  return maximize_likelihood(model, {}, name);
}

// Fader, Hardie & Lee (2005), section 4: r = 0.243, alpha = 4.414, a = 0.793,
// b = 2.426, LL = -9582.4 on the 2,357 CDNOW customers (weeks).
TEST(BgNbdCdnow, ReproducesPublishedFit) {
  const FitResult fit = fit_cdnow(BgNbdVariant::kBgNbd, "bgnbd");
  ASSERT_TRUE(fit.converged);
  EXPECT_NEAR(fit.log_likelihood, -9582.4, 0.1);
  EXPECT_NEAR(fit.params[0], 0.243, 0.0005);
  EXPECT_NEAR(fit.params[1], 4.414, 0.005);
  EXPECT_NEAR(fit.params[2], 0.793, 0.0005);
  EXPECT_NEAR(fit.params[3], 2.426, 0.005);
  EXPECT_DOUBLE_EQ(fit.n_customers, 2357.0);
  EXPECT_LT(fit.n_rows, 2357u);  // identical summaries were collapsed
  for (double se : fit.std_errors) EXPECT_GT(se, 0.0);
  EXPECT_NEAR(fit.aic, 8 + 2 * 9582.4, 0.2);
}

// FHL (2005) p. 281: customer with x = 2, t_x = 30.43, T = 38.86 is expected
// to make 1.226 purchases in the next 39 weeks.
TEST(BgNbdCdnow, PublishedConditionalExpectation) {
  const BgNbdParams p{0.243, 4.414, 0.793, 2.426};
  EXPECT_NEAR(bgnbd_conditional_expected_purchases(p, BgNbdVariant::kBgNbd, 2, 30.43, 38.86, 39),
              1.226, 0.001);
}

// Hardie's spreadsheet values of E[X(t)] (also asserted by lifetimes' tests).
// The spreadsheet uses the unrounded MLE, so do we (the published 3-digit
// rounding alone moves E[X(78)] by 3e-3); lifetimes asserts 3 decimals.
TEST(BgNbdCdnow, UnconditionalExpectationMatchesSpreadsheet) {
  const FitResult fit = fit_cdnow(BgNbdVariant::kBgNbd, "bgnbd");
  const BgNbdParams p{fit.params[0], fit.params[1], fit.params[2], fit.params[3]};
  const double t[] = {0.1429, 1.0, 3.00, 31.8571, 32.00, 78.00};
  const double expected[] = {0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576};
  for (int i = 0; i < 6; ++i) {
    EXPECT_NEAR(bgnbd_expected_purchases(p, BgNbdVariant::kBgNbd, t[i]), expected[i], 1.5e-3)
        << t[i];
  }
}

// lifetimes' test suite compares its MBG/NBD fit with BTYDplus on the same
// file: r = 0.525, alpha = 6.183, a = 0.891, b = 1.614 (to about 1e-2).
TEST(MbgNbdCdnow, MatchesBtydPlus) {
  const FitResult fit = fit_cdnow(BgNbdVariant::kMbgNbd, "mbgnbd");
  ASSERT_TRUE(fit.converged);
  // lifetimes asserts these to 3 decimals (|error| < 1.5e-3).
  EXPECT_NEAR(fit.params[0], 0.525, 0.0015);
  EXPECT_NEAR(fit.params[1], 6.183, 0.0015);
  EXPECT_NEAR(fit.params[2], 0.891, 0.0015);
  EXPECT_NEAR(fit.params[3], 1.614, 0.0015);
}

}  // namespace
}  // namespace clv
