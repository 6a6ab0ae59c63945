#include "report/scale.hpp"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace clv::report {
namespace {

// Every step must be 1, 2 or 5 times a power of ten.
bool is_nice(double step) {
  const double base = std::pow(10.0, std::floor(std::log10(step)));
  const double f = step / base;
  return std::fabs(f - 1) < 1e-9 || std::fabs(f - 2) < 1e-9 || std::fabs(f - 5) < 1e-9;
}

void expect_valid(const Ticks& t, double lo, double hi) {
  ASSERT_GE(t.values.size(), 2u);
  EXPECT_TRUE(is_nice(t.step)) << t.step;
  EXPECT_LE(t.lo, lo);
  EXPECT_GE(t.hi, hi);
  EXPECT_DOUBLE_EQ(t.values.front(), t.lo);
  EXPECT_NEAR(t.values.back(), t.hi, 1e-9 * std::max(1.0, std::fabs(t.hi)));
  for (size_t i = 1; i < t.values.size(); ++i) {
    EXPECT_NEAR(t.values[i] - t.values[i - 1], t.step, 1e-9 * t.step);
  }
  for (double v : t.values) EXPECT_TRUE(std::isfinite(v));
}

TEST(NiceTicks, CoversTheDataWithRoundSteps) {
  const Ticks t = nice_ticks(0, 97, 5);
  EXPECT_DOUBLE_EQ(t.lo, 0);
  EXPECT_DOUBLE_EQ(t.hi, 100);
  EXPECT_DOUBLE_EQ(t.step, 20);
  EXPECT_EQ(t.values.size(), 6u);
  expect_valid(t, 0, 97);
}

TEST(NiceTicks, SmallAndNegativeRanges) {
  const Ticks small = nice_ticks(0.013, 0.87, 5);
  EXPECT_DOUBLE_EQ(small.step, 0.2);
  EXPECT_DOUBLE_EQ(small.lo, 0.0);
  EXPECT_NEAR(small.hi, 1.0, 1e-12);
  expect_valid(small, 0.013, 0.87);

  const Ticks neg = nice_ticks(-1234, 56, 6);
  expect_valid(neg, -1234, 56);
  EXPECT_DOUBLE_EQ(neg.step, 500);
  EXPECT_DOUBLE_EQ(neg.lo, -1500);
  EXPECT_DOUBLE_EQ(neg.hi, 500);
  // Zero is an exact tick, not -1.1e-13.
  bool has_zero = false;
  for (double v : neg.values) has_zero |= v == 0.0;
  EXPECT_TRUE(has_zero);
}

TEST(NiceTicks, DegenerateInputStillGivesAnAxis) {
  expect_valid(nice_ticks(5, 5), 5, 5);
  expect_valid(nice_ticks(0, 0), 0, 0);
  expect_valid(nice_ticks(-3, -3), -3, -3);
  expect_valid(nice_ticks(10, 2), 2, 10);  // reversed bounds
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Ticks t = nice_ticks(nan, 3);
  expect_valid(t, 0, 1);
  const Ticks inf = nice_ticks(0, std::numeric_limits<double>::infinity());
  expect_valid(inf, 0, 1);
}

TEST(NiceTicks, TickCountStaysNearTarget) {
  for (double hi : {1.0, 3.7, 42.0, 999.0, 12345.0, 0.002}) {
    for (int target : {4, 5, 8}) {
      const Ticks t = nice_ticks(0, hi, target);
      expect_valid(t, 0, hi);
      EXPECT_GE(static_cast<int>(t.values.size()), target / 2 + 1) << hi << " " << target;
      EXPECT_LE(static_cast<int>(t.values.size()), target * 2 + 2) << hi << " " << target;
    }
  }
}

TEST(LinearScale, MapsDomainOntoRangeIncludingInvertedAxes) {
  const LinearScale y(0, 100, 300, 50);  // SVG y grows downwards
  EXPECT_DOUBLE_EQ(y(0), 300);
  EXPECT_DOUBLE_EQ(y(100), 50);
  EXPECT_DOUBLE_EQ(y(50), 175);
  EXPECT_DOUBLE_EQ(y(200), -200);  // extrapolates linearly
}

TEST(LinearScale, ZeroWidthDomainMapsToTheMiddle) {
  const LinearScale x(3, 3, 0, 100);
  EXPECT_DOUBLE_EQ(x(3), 50);
  EXPECT_DOUBLE_EQ(x(7), 50);
  const LinearScale ok(0, 1, 0, 100);
  EXPECT_DOUBLE_EQ(ok(std::nan("")), 50);
}

}  // namespace
}  // namespace clv::report
