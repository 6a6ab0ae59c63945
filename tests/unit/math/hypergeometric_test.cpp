// Accuracy of the log-space 2F1 against a 50-digit reference series, closed
// forms, Boost's double-precision pFq, and exact derivatives via Dual.
#include "math/hypergeometric.hpp"

#include <cmath>

#include <gtest/gtest.h>
#include <boost/math/special_functions/hypergeometric_pFq.hpp>
#include <boost/multiprecision/cpp_bin_float.hpp>

#include "math/log_sum_exp.hpp"

namespace clv::math {
namespace {

using Big = boost::multiprecision::cpp_bin_float_50;

// Straight series in 50 significant digits (huge exponent range, no scaling).
double reference_log_hyp2f1(double a, double b, double c, double z) {
  Big term = 1, sum = 1, A = a, B = b, C = c, Z = z;
  for (int j = 0; j < 2'000'000; ++j) {
    term *= (A + j) * (B + j) / ((C + j) * (j + 1)) * Z;
    sum += term;
    if (j > 10 && term < sum * Big("1e-30")) break;
  }
  return static_cast<double>(log(sum));
}

struct Case {
  double a, b, c, z;
};

TEST(LogHyp2f1, MatchesFiftyDigitReference) {
  const Case cases[] = {
      {1.2, 1.6, 2.2, 0.1},
      {0.553 + 0.606 + 2, 1.606, 0.553 + 0.606 + 3, 0.05},
      {5000.5, 1.6, 5001.5, 0.9},
      {5000.5, 5000.2, 5001.5, 0.99},
      {0.243 + 5000, 2.426 + 5000, 0.793 + 2.426 + 4999, 0.5},
      {3.0, 0.2, 4.0, 0.999},
      {0.01, 0.01, 0.02, 0.5},
      {2000, 1.0, 2001, 0.999},
      {1e4, 1e4, 1e4 + 1, 0.3},
  };
  for (const auto& k : cases) {
    const double ref = reference_log_hyp2f1(k.a, k.b, k.c, k.z);
    const double got = log_hyp2f1_value(k.a, k.b, k.c, k.z);
    EXPECT_TRUE(std::isfinite(got));
    EXPECT_NEAR(got, ref, 1e-12 * std::max(1.0, std::abs(ref)))
        << "a=" << k.a << " b=" << k.b << " c=" << k.c << " z=" << k.z;
  }
}

TEST(LogHyp2f1, MatchesBoostPfqWhereDoubleSuffices) {
  const Case cases[] = {{1.5, 2.5, 3.0, 0.3}, {10.0, 1.3, 11.0, 0.7}, {0.7, 0.4, 1.9, 0.95}};
  for (const auto& k : cases) {
    const double boost_value = boost::math::hypergeometric_pFq({k.a, k.b}, {k.c}, k.z);
    EXPECT_NEAR(log_hyp2f1_value(k.a, k.b, k.c, k.z), std::log(boost_value), 1e-12);
  }
}

TEST(LogHyp2f1, ClosedForms) {
  // 2F1(a, b; b; z) = (1 - z)^-a
  EXPECT_NEAR(log_hyp2f1_value(3000.0, 2.0, 2.0, 0.97), -3000.0 * std::log1p(-0.97), 1e-9);
  // 2F1(1, 1; 2; z) = -log(1 - z) / z
  for (double z : {1e-8, 0.2, 0.9, 0.999}) {
    EXPECT_NEAR(log_hyp2f1_value(1.0, 1.0, 2.0, z), std::log(-std::log1p(-z) / z), 1e-13);
  }
  EXPECT_EQ(log_hyp2f1_value(2.0, 3.0, 4.0, 0.0), 0.0);
}

TEST(LogHyp2f1, EulerTransformationHolds) {
  // 2F1(a,b;c;z) = (1-z)^(c-a-b) 2F1(c-a, c-b; c; z) for c > a, c > b.
  const double a = 2.3, b = 1.1, c = 4.7, z = 0.8;
  EXPECT_NEAR(log_hyp2f1_series(a, b, c, z),
              (c - a - b) * std::log1p(-z) + log_hyp2f1_series(c - a, c - b, c, z), 1e-12);
  // The Pareto/NBD case with x = 5000 and z near 1 (direct series: ~5e7 terms).
  const double big_a = 5030.01, big_b = 5030.0;
  EXPECT_NEAR(log_hyp2f1_value(big_a, big_b, big_a + 1, 0.9999),
              reference_log_hyp2f1(1.0, big_a + 1 - big_b, big_a + 1, 0.9999) +
                  (1 - big_b) * std::log1p(-0.9999),
              1e-9 * 5030 * 9.2);
}

TEST(LogHyp2f1, DualGivesDerivativesOfAllArguments) {
  using D = Dual<4>;
  const double a = 40.5, b = 1.7, c = 41.5, z = 0.6, h = 1e-6;
  const D out =
      log_hyp2f1(D::variable(a, 0), D::variable(b, 1), D::variable(c, 2), D::variable(z, 3));
  EXPECT_NEAR(out.v, log_hyp2f1_value(a, b, c, z), 1e-14);
  const double fd[4] = {
      (log_hyp2f1_value(a + h, b, c, z) - log_hyp2f1_value(a - h, b, c, z)) / (2 * h),
      (log_hyp2f1_value(a, b + h, c, z) - log_hyp2f1_value(a, b - h, c, z)) / (2 * h),
      (log_hyp2f1_value(a, b, c + h, z) - log_hyp2f1_value(a, b, c - h, z)) / (2 * h),
      (log_hyp2f1_value(a, b, c, z + h) - log_hyp2f1_value(a, b, c, z - h)) / (2 * h)};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(out.d[i], fd[i], 1e-6 * std::max(1.0, std::abs(fd[i])));
  // At z = 0 the value is 0 but d/dz = a b / c.
  const D at_zero = log_hyp2f1(D(a), D(b), D(c), D::variable(0.0, 3));
  EXPECT_NEAR(at_zero.d[3], a * b / c, 1e-12);
}

TEST(LogHyp2f1, RejectsArgumentsOutsideItsDomain) {
  EXPECT_THROW(log_hyp2f1_value(1.0, 1.0, 2.0, 1.0), Error);
  EXPECT_THROW(log_hyp2f1_value(1.0, 1.0, 2.0, -0.1), Error);
  EXPECT_THROW(log_hyp2f1_value(-1.0, 1.0, 2.0, 0.1), Error);
}

TEST(LogSumExp, StableForLargeAndInfiniteArguments) {
  EXPECT_NEAR(log_add_exp(1000.0, 1000.0), 1000.0 + std::log(2.0), 1e-12);
  EXPECT_EQ(log_add_exp(-HUGE_VAL, 3.0), 3.0);
  EXPECT_NEAR(log_sub_exp(1000.0, 1000.0 + std::log(0.5)), 1000.0 + std::log(0.5), 1e-12);
  EXPECT_NEAR(log_beta(2.0, 3.0), std::log(1.0 / 12.0), 1e-14);
}

}  // namespace
}  // namespace clv::math
