#include "models/pareto_nbd_kernel.hpp"

#include <cmath>

#include <gtest/gtest.h>

#include "clv/error.hpp"
#include "models/pareto_nbd.hpp"

namespace clv {
namespace {

// The kernel (plain doubles, series + quadrature for extreme rates) must give
// the same value and gradient as the reference Pareto/NBD likelihood
// (Dual<4> through the 2F1 series) over ordinary and extreme rate ratios.
TEST(ParetoNbdKernel, MatchesReferenceLikelihoodAndGradient) {
  const double rows[][3] = {{0, 0, 38},     {0, 0, 1.5},     {1, 0.5, 40}, {2, 30.4, 38.9},
                            {5, 12, 52},    {7, 38.9, 38.9}, {40, 70, 78}, {300, 90, 91},
                            {1, 1e-3, 200}, {3, 2, 500}};
  const double rates[][2] = {{10.6, 11.7}, {8, 15},  {15, 8},    {0.5, 40},  {40, 0.5},
                             {3, 300},     {300, 3}, {0.05, 90}, {90, 0.02}, {1e-3, 2e3}};
  const double shapes[][2] = {{0.55, 0.61}, {2.5, 0.3}, {0.2, 3.0}};
  int compared = 0, reference_failed = 0;
  for (const auto& sh : shapes) {
    for (const auto& ab : rates) {
      const ParetoNbdParams p{sh[0], ab[0], sh[1], ab[1]};
      for (const auto& row : rows) {
        const double x = row[0], t_x = row[1], T = row[2];
        double ref_grad[4], grad[4];
        const double ll = pnbd_kernel::row_log_likelihood(p.r, p.alpha, p.s, p.beta, x, t_x, T,
                                                          pnbd_kernel::count_terms(p.r, x), grad);
        SCOPED_TRACE(testing::Message()
                     << "r=" << p.r << " alpha=" << p.alpha << " s=" << p.s << " beta=" << p.beta
                     << " x=" << x << " t_x=" << t_x << " T=" << T);
        ASSERT_TRUE(std::isfinite(ll));
        double ref = 0.0;
        try {
          ref = pnbd_log_likelihood(p, x, t_x, T, ref_grad);
        } catch (const Error&) {
          ++reference_failed;  // its series needs > 2M terms here; the kernel does not
          continue;
        }
        ++compared;
        EXPECT_NEAR(ll, ref, 1e-10 * std::max(1.0, std::abs(ref)));
        for (int k = 0; k < 4; ++k) {
          EXPECT_NEAR(grad[k], ref_grad[k], 1e-7 * std::max(1.0, std::abs(ref_grad[k])))
              << "derivative " << k;
        }
      }
    }
  }
  EXPECT_GT(compared, 250);
  RecordProperty("reference_failed", reference_failed);
}

TEST(ParetoNbdKernel, TailQuadratureJoinsTheSeriesSmoothly) {
  // Around the split point (z = 1/2) the two evaluations of the same
  // integral must agree: log I is continuous in t.
  const double r = 0.7, alpha = 2.0, s = 0.9, beta = 50.0, x = 3;
  const double split = beta - 2 * alpha;
  const auto below = pnbd_kernel::log_tail(r, alpha, s, beta, x, split * (1 - 1e-12));
  const auto at = pnbd_kernel::log_tail(r, alpha, s, beta, x, split);
  EXPECT_NEAR(below.value, at.value, 1e-11 * std::abs(at.value));
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(below.d[k], at.d[k], 1e-8 * std::abs(at.d[k]) + 1e-12);
}

TEST(ParetoNbdKernel, TailAtTheSplitWithinRoundingHasFiniteDerivatives) {
  // alpha = exp(log 3) lies an ulp from 3, so t = 24 can fall an ulp below
  // the split beta - 2 alpha: an empty quadrature head gave NaN derivatives.
  const double alpha = std::exp(std::log(3.0)), beta = std::exp(std::log(30.0));
  for (double t : {beta - 2 * alpha, std::nextafter(beta - 2 * alpha, 0.0), 24.0}) {
    const auto tail = pnbd_kernel::log_tail(2.0, alpha, 0.4, beta, 3, t);
    const auto near = pnbd_kernel::log_tail(2.0, alpha, 0.4, beta, 3, 24.0 + 1e-9);
    EXPECT_NEAR(tail.value, near.value, 1e-9);
    for (int k = 0; k < 4; ++k) EXPECT_NEAR(tail.d[k], near.d[k], 1e-7) << k;
  }
}

}  // namespace
}  // namespace clv
