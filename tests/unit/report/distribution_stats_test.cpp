#include "report/distribution_stats.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <random>

#include <gtest/gtest.h>

namespace clv::report {
namespace {

std::vector<double> one_to_ten_descending() {
  std::vector<double> v(10);
  std::iota(v.begin(), v.end(), 1.0);
  std::sort(v.begin(), v.end(), std::greater<double>());
  return v;
}

TEST(TopShare, ExactOnSmallSets) {
  const auto v = one_to_ten_descending();  // total 55
  EXPECT_DOUBLE_EQ(top_share(v, 55, 0.1), 10.0 / 55);
  EXPECT_DOUBLE_EQ(top_share(v, 55, 0.2), 19.0 / 55);
  EXPECT_DOUBLE_EQ(top_share(v, 55, 0.5), 40.0 / 55);
  EXPECT_DOUBLE_EQ(top_share(v, 55, 1.0), 1.0);
  EXPECT_DOUBLE_EQ(top_share(v, 55, 0.15), (10.0 + 0.5 * 9.0) / 55);  // half of the 2nd
}

TEST(TopShare, EqualValuesGiveEqualShares) {
  const std::vector<double> v(1000, 3.0);
  for (double f : {0.1, 0.25, 0.5, 0.9}) EXPECT_NEAR(top_share(v, 3000, f), f, 1e-12);
}

TEST(TopShare, NonPositiveTotalOrEmptyIsZero) {
  EXPECT_EQ(top_share({}, 0, 0.1), 0.0);
  EXPECT_EQ(top_share({1, -1}, 0, 0.5), 0.0);
}

TEST(ConcentrationCurve, RunsFromOriginToOneAndIsConcave) {
  std::mt19937 rng(7);
  std::lognormal_distribution<double> spend(3.0, 1.2);
  std::vector<double> v(5000);
  for (double& x : v) x = spend(rng);
  std::sort(v.begin(), v.end(), std::greater<double>());
  const double total = std::accumulate(v.begin(), v.end(), 0.0);
  const auto curve = concentration_curve(v, total, 200);
  ASSERT_EQ(curve.size(), 201u);
  EXPECT_EQ(curve.front(), std::make_pair(0.0, 0.0));
  EXPECT_DOUBLE_EQ(curve.back().first, 1.0);
  EXPECT_NEAR(curve.back().second, 1.0, 1e-12);
  for (size_t i = 1; i < curve.size(); ++i) {
    EXPECT_GT(curve[i].first, curve[i - 1].first);
    EXPECT_GE(curve[i].second, curve[i - 1].second);
    EXPECT_GE(curve[i].second, curve[i].first - 1e-12);  // above the diagonal
  }
  // Curve points agree with top_share at the same fractions.
  EXPECT_NEAR(curve[20].second, top_share(v, total, curve[20].first), 1e-12);
}

TEST(ConcentrationCurve, FewCustomersGiveOnePointEach) {
  const auto v = one_to_ten_descending();
  const auto curve = concentration_curve(v, 55, 200);
  ASSERT_EQ(curve.size(), 11u);
  EXPECT_DOUBLE_EQ(curve[1].second, 10.0 / 55);
  EXPECT_TRUE(concentration_curve({}, 0, 200).empty());
}

TEST(HistogramBins, CountsEveryValueOnceWithNiceWidth) {
  std::vector<double> v;
  for (int i = 0; i < 100; ++i) v.push_back(i);  // 0..99
  const HistogramBins bins = histogram_bins(v, 10, 1.0);
  EXPECT_DOUBLE_EQ(bins.lo, 0);
  EXPECT_DOUBLE_EQ(bins.width, 10);
  ASSERT_EQ(bins.counts.size(), 10u);
  for (double c : bins.counts) EXPECT_DOUBLE_EQ(c, 10);
  EXPECT_EQ(bins.clipped_count, 0);
}

TEST(HistogramBins, LongTailIsFoldedIntoLastBin) {
  std::vector<double> v(990, 1.0);
  for (int i = 0; i < 990; ++i) v[i] = i % 100;   // 0..99 repeated
  for (int i = 0; i < 10; ++i) v.push_back(1e6);  // whales
  const HistogramBins bins = histogram_bins(v, 10, 0.99);
  EXPECT_LE(bins.lo + bins.width * bins.counts.size(), 200.0);  // not stretched to 1e6
  EXPECT_EQ(bins.clipped_count, 10);
  EXPECT_DOUBLE_EQ(std::accumulate(bins.counts.begin(), bins.counts.end(), 0.0), 1000);
  EXPECT_GE(bins.counts.back(), 10);
}

TEST(HistogramBins, DegenerateInputs) {
  EXPECT_TRUE(histogram_bins({}, 10, 0.99).counts.empty());
  const HistogramBins same = histogram_bins(std::vector<double>(50, 4.2), 10, 0.99);
  ASSERT_FALSE(same.counts.empty());
  EXPECT_DOUBLE_EQ(std::accumulate(same.counts.begin(), same.counts.end(), 0.0), 50);
  EXPECT_TRUE(std::isfinite(same.width));
  EXPECT_GT(same.width, 0);
  const HistogramBins one = histogram_bins({-7.0}, 10, 0.99);
  EXPECT_DOUBLE_EQ(std::accumulate(one.counts.begin(), one.counts.end(), 0.0), 1);
}

}  // namespace
}  // namespace clv::report

namespace clv::report {
namespace {

TEST(HistogramBins, InputOrderDoesNotMatter) {
  std::mt19937 rng(11);
  std::lognormal_distribution<double> spend(2.0, 1.0);
  std::vector<double> v(2000);
  for (double& x : v) x = spend(rng);
  std::vector<double> descending = v, ascending = v;
  std::sort(descending.begin(), descending.end(), std::greater<double>());
  std::sort(ascending.begin(), ascending.end());
  const HistogramBins a = histogram_bins(v, 20, 0.99);
  for (const auto& other : {descending, ascending}) {
    const HistogramBins b = histogram_bins(other, 20, 0.99);
    EXPECT_EQ(a.counts, b.counts);
    EXPECT_EQ(a.lo, b.lo);
    EXPECT_EQ(a.width, b.width);
    EXPECT_EQ(a.clipped_count, b.clipped_count);
  }
}

}  // namespace
}  // namespace clv::report
