// collapse_rfm against a plain hash-map reference on inputs large enough to
// take the partitioned, two-thread, multi-block path.
#include "models/rfm_rows.hpp"

#include <random>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include <gtest/gtest.h>

#include "clv/error.hpp"

namespace clv {
namespace {

struct Customers {
  std::vector<double> x, t_x, T, weight;
};

// Daily-grid summaries (weeks), with some weight-0 customers and -0.0 zeros.
Customers daily_customers(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Customers c;
  for (size_t i = 0; i < n; ++i) {
    const double T = static_cast<double>(91 + rng() % 365) / 7.0;
    const double x = static_cast<double>(rng() % 12);
    const double t_x = x == 0
                           ? ((i % 97 == 0) ? -0.0 : 0.0)
                           : static_cast<double>(rng() % (static_cast<uint64_t>(T * 7) + 1)) / 7.0;
    c.x.push_back(x);
    c.t_x.push_back(t_x);
    c.T.push_back(T);
    c.weight.push_back(static_cast<double>(rng() % 4));  // 0 drops the customer
  }
  return c;
}

RfmRows reference_collapse(const Customers& c) {
  struct KeyHash {
    size_t operator()(const std::tuple<double, double, double>& k) const {
      const auto [x, t_x, T] = k;
      return std::hash<double>()(x) * 31 ^ std::hash<double>()(t_x) * 17 ^ std::hash<double>()(T);
    }
  };
  std::unordered_map<std::tuple<double, double, double>, size_t, KeyHash> index;
  RfmRows rows;
  for (size_t i = 0; i < c.x.size(); ++i) {
    if (c.weight[i] == 0) continue;
    auto [it, inserted] = index.try_emplace({c.x[i] + 0.0, c.t_x[i] + 0.0, c.T[i]}, rows.size());
    if (inserted) {
      rows.x.push_back(c.x[i]);
      rows.t_x.push_back(c.t_x[i]);
      rows.T.push_back(c.T[i]);
      rows.weight.push_back(0.0);
    }
    rows.weight[it->second] += c.weight[i];
  }
  return rows;
}

TEST(CollapseRfm, LargeInputsEqualAPlainHashMapInFirstAppearanceOrder) {
  const Customers c = daily_customers(1'100'000, 5);  // two blocks, two threads
  const RfmRows got = collapse_rfm(c.x, c.t_x, c.T, c.weight);
  const RfmRows want = reference_collapse(c);
  ASSERT_EQ(got.size(), want.size());
  for (size_t r = 0; r < want.size(); ++r) {
    ASSERT_EQ(got.x[r], want.x[r]) << "row " << r;
    ASSERT_EQ(got.t_x[r], want.t_x[r]) << "row " << r;
    ASSERT_EQ(got.T[r], want.T[r]) << "row " << r;
    ASSERT_EQ(got.weight[r], want.weight[r]) << "row " << r;
  }
  // Unweighted: every customer counts once.
  const RfmRows unweighted = collapse_rfm(c.x, c.t_x, c.T);
  EXPECT_EQ(unweighted.total_weight(), 1'100'000.0);
}

TEST(CollapseRfm, ABadRowDeepInTheInputIsNamed) {
  Customers c = daily_customers(600'000, 6);
  c.t_x[500'000] = c.T[500'000] + 1.0;  // t_x > T, in the second thread's share
  c.x[500'001] = 0.5;                   // a later bad row is not the one reported
  try {
    collapse_rfm(c.x, c.t_x, c.T, c.weight);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("customer row 500000 "), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace clv
