#include "models/clv_valuation.hpp"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "clv/error.hpp"
#include "models/bg_nbd.hpp"
#include "models/model_registry.hpp"

namespace clv {
namespace {

const std::vector<double> kParams{0.243, 4.414, 0.793, 2.426};

TEST(ClvValuation, DiscountConventionIsAnnualContinuous) {
  EXPECT_NEAR(discount_per_unit(0.1, TimeUnit::week()), std::log(1.1) * 7 / 365.25, 1e-15);
  EXPECT_EQ(discount_per_unit(0.0, TimeUnit::day()), 0.0);
  EXPECT_THROW(discount_per_unit(-0.1, TimeUnit::day()), Error);
}

TEST(ClvValuation, DiscountedIntegralMatchesRiemannSumOfClosedForm) {
  // Independent check: the quadrature of the 2F1 rate against a fine
  // Riemann-Stieltjes sum of the closed-form cumulative expectation.
  const BgNbdParams p{0.243, 4.414, 0.793, 2.426};
  for (BgNbdVariant v : {BgNbdVariant::kBgNbd, BgNbdVariant::kMbgNbd}) {
    const double x = 3, T = 30, H = 104, delta = 0.01;
    double sum = 0, prev = 0;
    const int steps = 4000;
    for (int i = 1; i <= steps; ++i) {
      const double t = H * i / steps, mid = H * (i - 0.5) / steps;
      const double e = bgnbd_expected_purchases_if_alive(p, v, x, T, t);
      sum += std::exp(-delta * mid) * (e - prev);
      prev = e;
    }
    EXPECT_NEAR(bgnbd_discounted_purchases_if_alive(p, v, x, T, H, delta), sum, 1e-5 * sum);
  }
}

TEST(ClvValuation, ScoresInInputOrderAndMultipliesTheParts) {
  const auto scorer = find_model("bgnbd").make_scorer(kParams);
  const std::vector<double> x{2, 0, 2, 7}, tx{30.43, 0, 30.43, 10}, T{38.86, 38.86, 38.86, 38.86};
  const std::vector<double> spend{20, 0, 20, 55};
  const GammaGammaParams gg{6.25, 3.74, 15.44};
  ValuationOptions o;
  o.horizon = 39;
  o.margin = 0.3;
  const CustomerScores s = score_customers(*scorer, x, tx, T, o, &gg, spend);
  ASSERT_EQ(s.clv.size(), 4u);
  EXPECT_NEAR(s.expected_purchases[0], 1.226, 1e-3);
  EXPECT_EQ(s.expected_purchases[0], s.expected_purchases[2]);
  EXPECT_EQ(s.p_alive[1], 1.0);
  EXPECT_LT(s.p_alive[3], 0.01);  // 7 purchases, silent for 29 weeks
  for (size_t i = 0; i < 4; ++i) {
    // Without discounting CLV = margin * E[spend] * E[purchases].
    EXPECT_NEAR(s.clv[i], 0.3 * s.expected_spend[i] * s.expected_purchases[i], 1e-9 * s.clv[i]);
    EXPECT_NEAR(s.expected_spend[i], gg_conditional_expected_spend(gg, x[i], spend[i]), 1e-12);
  }
  o.annual_discount_rate = 0.2;
  const CustomerScores d = score_customers(*scorer, x, tx, T, o, &gg, spend);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_LT(d.clv[i], s.clv[i]);
    EXPECT_GT(d.clv[i], s.clv[i] * std::exp(-std::log(1.2) * 39 * 7 / 365.25));
  }
  o.horizon = 0;
  EXPECT_THROW(score_customers(*scorer, x, tx, T, o), Error);
}

}  // namespace
}  // namespace clv
