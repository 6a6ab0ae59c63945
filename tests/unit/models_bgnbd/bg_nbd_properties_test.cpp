#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "clv/error.hpp"
#include "models/bg_nbd.hpp"
#include "models/mle_fitter.hpp"

namespace clv {
namespace {

constexpr BgNbdVariant kVariants[] = {BgNbdVariant::kBgNbd, BgNbdVariant::kMbgNbd};

std::vector<double> cohort_T(size_t n) {
  std::vector<double> T(n);
  for (size_t i = 0; i < n; ++i) T[i] = 26.0 + 26.0 * static_cast<double>(i) / n;
  return T;
}

void expect_recovery(BgNbdVariant v, const BgNbdParams& truth, uint64_t seed) {
  const SimulatedRfm sim = simulate_bgnbd(truth, v, cohort_T(40000), seed);
  BgNbdLikelihood model(collapse_rfm(sim.x, sim.t_x, sim.T), v);
  const FitResult fit = maximize_likelihood(model, {}, "sim");
  const double t[] = {truth.r, truth.alpha, truth.a, truth.b};
  for (int k = 0; k < 4; ++k) {
    EXPECT_NEAR(fit.params[k], t[k], 3 * fit.std_errors[k]) << fit.param_names[k];
    EXPECT_LT(fit.std_errors[k], 0.35 * t[k]) << "SE too wide to test " << fit.param_names[k];
  }
}

TEST(BgNbdSimulation, RecoversTruthWithinThreeStandardErrors) {
  expect_recovery(BgNbdVariant::kBgNbd, {0.5, 5.0, 0.8, 2.5}, 11);
}

TEST(MbgNbdSimulation, RecoversTruthWithinThreeStandardErrors) {
  expect_recovery(BgNbdVariant::kMbgNbd, {0.6, 4.0, 0.7, 2.0}, 12);
}

TEST(BgNbdProperties, PurchaseDistributionSumsToOneWithTheRightMean) {
  for (BgNbdVariant v : kVariants) {
    const BgNbdParams p{0.243, 4.414, 0.793, 2.426};
    for (double t : {1.0, 39.0, 200.0}) {
      double total = 0, mean = 0;
      for (int k = 0; k < 4000; ++k) {
        const double pk = bgnbd_probability_of_purchases(p, v, t, k);
        ASSERT_TRUE(pk >= 0 && pk <= 1) << k;
        total += pk;
        mean += k * pk;
      }
      EXPECT_NEAR(total, 1.0, 1e-9) << t;
      EXPECT_NEAR(mean, bgnbd_expected_purchases(p, v, t), 1e-6 * (1 + mean)) << t;
    }
  }
}

TEST(BgNbdProperties, ClosedFormAndIntegralAgreeAroundAEqualsOne) {
  // a in (1 - 1e-3, 1 + 1e-3) switches to integration; both sides must agree.
  for (BgNbdVariant v : kVariants) {
    const double below = bgnbd_expected_purchases_if_alive({0.5, 5, 1.0011, 2}, v, 3, 30, 52);
    const double inside = bgnbd_expected_purchases_if_alive({0.5, 5, 1.0009, 2}, v, 3, 30, 52);
    EXPECT_NEAR(below, inside, 1e-4 * below);
    // Undiscounted "discounted" purchases equal the plain expectation.
    const BgNbdParams p{0.5, 5, 0.8, 2};
    EXPECT_NEAR(bgnbd_discounted_purchases_if_alive(p, v, 3, 30, 52, 1e-12),
                bgnbd_expected_purchases_if_alive(p, v, 3, 30, 52), 1e-8);
    EXPECT_LT(bgnbd_discounted_purchases_if_alive(p, v, 3, 30, 52, 0.01),
              bgnbd_expected_purchases_if_alive(p, v, 3, 30, 52));
  }
}

TEST(BgNbdProperties, ConditionalExpectationMatchesSimulation) {
  // Law of total expectation: averaged over simulated customers observed for
  // T, E[Y(t) | x, t_x, T] must equal E[X(T+t)] - E[X(T)].
  const BgNbdParams p{0.5, 5.0, 0.8, 2.5};
  for (BgNbdVariant v : kVariants) {
    const double T = 20, t = 15;
    const SimulatedRfm sim = simulate_bgnbd(p, v, std::vector<double>(200000, T), 5);
    double sum = 0;
    for (size_t i = 0; i < sim.x.size(); ++i) {
      sum += bgnbd_conditional_expected_purchases(p, v, sim.x[i], sim.t_x[i], T, t);
    }
    const double expected =
        bgnbd_expected_purchases(p, v, T + t) - bgnbd_expected_purchases(p, v, T);
    EXPECT_NEAR(sum / sim.x.size(), expected, 0.01 * expected);
  }
}

TEST(BgNbdStress, ExtremeCustomersGiveFiniteValues) {
  const BgNbdParams p{0.243, 4.414, 0.793, 2.426};
  for (BgNbdVariant v : kVariants) {
    const double rows[][3] = {{5000, 1000, 1000}, {5000, 1, 1000}, {0, 0, 1000},    {1, 0, 0},
                              {3, 10, 10},        {0, 0, 0},       {2000, 500, 999}};
    for (const auto& r : rows) {
      const double pa = bgnbd_p_alive(p, v, r[0], r[1], r[2]);
      EXPECT_TRUE(pa >= 0 && pa <= 1) << r[0] << " " << r[1] << " " << r[2];
      const double e = bgnbd_conditional_expected_purchases(p, v, r[0], r[1], r[2], 52);
      EXPECT_TRUE(std::isfinite(e) && e >= 0) << r[0] << " " << r[1] << " " << r[2] << " " << e;
      const double d = bgnbd_discounted_purchases_if_alive(p, v, r[0], r[2], 52, 0.002);
      EXPECT_TRUE(std::isfinite(d) && d >= 0) << r[0] << " " << r[2];
      const std::vector<double> x{r[0]}, tx{r[1]}, T{r[2]};
      BgNbdLikelihood model(collapse_rfm(x, tx, T), v);
      Eigen::VectorXd grad;
      const double ll = model.log_likelihood(Eigen::Vector4d(-1, 1, 0, 1), &grad);
      EXPECT_TRUE(std::isfinite(ll)) << r[0];
      EXPECT_TRUE(grad.allFinite()) << r[0];
    }
    // A very active customer seen recently buys about rate * t more.
    const double active = bgnbd_conditional_expected_purchases(p, v, 5000, 1000, 1000, 52);
    EXPECT_NEAR(active, 5000.0 / 1000 * 52, 0.05 * 260);
  }
}

TEST(BgNbdStress, UnidentifiedDataIsANotConvergedError) {
  // All customers with x = 0: a and b do not enter the likelihood.
  const std::vector<double> x(100, 0.0), tx(100, 0.0), T(100, 30.0);
  BgNbdLikelihood model(collapse_rfm(x, tx, T), BgNbdVariant::kBgNbd);
  try {
    maximize_likelihood(model, {}, "bgnbd");
    FAIL() << "expected not_converged";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotConverged) << e.what();
  }
  // A single customer cannot identify four parameters either.
  const std::vector<double> x1{2}, tx1{5}, T1{10};
  EXPECT_THROW(maximize_likelihood(BgNbdLikelihood(collapse_rfm(x1, tx1, T1), BgNbdVariant::kBgNbd),
                                   {}, "bgnbd"),
               Error);
}

TEST(BgNbdStress, BadSummariesAreRejected) {
  const std::vector<double> x{1, 2}, tx{5, 12}, T{10, 11};
  EXPECT_THROW(collapse_rfm(x, tx, T), Error);  // t_x > T
  const std::vector<double> x2{0}, tx2{3}, T2{10};
  EXPECT_THROW(collapse_rfm(x2, tx2, T2), Error);  // x = 0 with t_x > 0
  const std::vector<double> x3{1.5}, tx3{3}, T3{10};
  EXPECT_THROW(collapse_rfm(x3, tx3, T3), Error);
  EXPECT_THROW(check_params({0.1, -1, 1, 1}), Error);
}

TEST(RfmRows, CollapseSumsWeightsOfIdenticalSummaries) {
  const std::vector<double> x{1, 0, 1, 1}, tx{2, 0, 2, 3}, T{5, 5, 5, 5}, w{1, 2, 3, 0};
  const RfmRows rows = collapse_rfm(x, tx, T, w);
  ASSERT_EQ(rows.size(), 2u);  // the weight-0 row is dropped
  EXPECT_EQ(rows.weight[0], 4.0);
  EXPECT_EQ(rows.weight[1], 2.0);
  EXPECT_EQ(rows.total_weight(), 6.0);
}

}  // namespace
}  // namespace clv
