#include "models/holdout_comparison.hpp"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "clv/error.hpp"
#include "models/bg_nbd.hpp"
#include "models/model_registry.hpp"

namespace clv {
namespace {

// On data simulated from the model itself, the conditional expectation of
// each calibration-frequency group must match the simulated holdout means
// within sampling error (4 standard errors of the group mean).
TEST(HoldoutComparison, ConditionalExpectationsMatchSimulatedHoldout) {
  const std::vector<double> params{0.5, 5.0, 0.8, 2.5};
  for (const char* name : {"bgnbd", "mbgnbd"}) {
    const BgNbdVariant v =
        std::string(name) == "bgnbd" ? BgNbdVariant::kBgNbd : BgNbdVariant::kMbgNbd;
    std::vector<double> T(60000);
    for (size_t i = 0; i < T.size(); ++i) T[i] = 13 + (i % 40);
    const SimulatedRfm sim = simulate_bgnbd({0.5, 5.0, 0.8, 2.5}, v, T, 99, 0.0, 39.0);
    const auto scorer = find_model(name).make_scorer(params);
    const auto groups = compare_holdout(*scorer, sim.x, sim.t_x, sim.T, sim.x_holdout, 39.0, 5);
    ASSERT_EQ(groups.size(), 6u);
    for (const HoldoutGroup& g : groups) {
      ASSERT_GT(g.customers, 500) << g.x;
      double ss = 0;
      for (size_t i = 0; i < sim.x.size(); ++i) {
        if (std::min(sim.x[i], 5.0) == g.x) ss += std::pow(sim.x_holdout[i] - g.actual, 2);
      }
      const double se = std::sqrt(ss / (g.customers - 1) / g.customers);
      EXPECT_NEAR(g.expected, g.actual, 4 * se) << name << " x=" << g.x;
    }
  }
}

TEST(HoldoutComparison, RejectsMismatchedInput) {
  const auto scorer = find_model("bgnbd").make_scorer({0.5, 5.0, 0.8, 2.5});
  const std::vector<double> x{1}, tx{1}, T{2}, none{};
  EXPECT_THROW(compare_holdout(*scorer, x, tx, T, none, 10), Error);
}

}  // namespace
}  // namespace clv
