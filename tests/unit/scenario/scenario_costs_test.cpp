// Cost, net benefit and ROI of a scenario (scenario/scenario_costs.hpp):
// hand-computed values, interval ordering and the no-cost case.
#include <gtest/gtest.h>

#include <vector>

#include "clv/error.hpp"
#include "scenario/scenario_costs.hpp"

namespace {

clv::LeverCost all_kinds() {
  clv::LeverCost c;
  c.lever = "staff";
  c.per_customer = 2;
  c.per_incident = 3;
  c.per_employee = 100;
  c.fixed = 500;
  return c;
}

TEST(ScenarioCosts, LeverCostByHand) {
  const clv::LeverCost c = all_kinds();
  const clv::CostBase all{10, 4};
  // 2 x 10 customers + 3 x 4 incidents + 100 x 5 employees + 500 fixed.
  EXPECT_DOUBLE_EQ(clv::lever_cost(c, all, all, 5), 20 + 12 + 500 + 500);
  // A segment of 4 customers with 1 incident: its own variable costs and
  // 4/10 of the shared (fixed and per-employee) ones.
  const clv::CostBase a{4, 1}, b{6, 3};
  EXPECT_DOUBLE_EQ(clv::lever_cost(c, all, a, 5), 8 + 3 + 0.4 * 1000);
  EXPECT_DOUBLE_EQ(clv::lever_cost(c, all, b, 5), 12 + 9 + 0.6 * 1000);
  EXPECT_DOUBLE_EQ(clv::lever_cost(c, all, a, 5) + clv::lever_cost(c, all, b, 5),
                   clv::lever_cost(c, all, all, 5));
  const std::string line = clv::describe_cost(c, all, 5);
  EXPECT_NE(line.find("= 1032"), std::string::npos) << line;
}

TEST(ScenarioCosts, NetBenefitAndRoiFromTheSameDraws) {
  // Draw 0 is the point estimate; draws 1..5 give the interval.
  const std::vector<double> delta = {300, 100, 200, 300, 400, 500};
  const clv::CostOutcome o = clv::cost_outcome(200.0, delta);
  ASSERT_TRUE(o.cost && o.net_benefit && o.roi);
  EXPECT_EQ(*o.cost, 200);
  EXPECT_DOUBLE_EQ(o.net_benefit->value, 100);  // 300 - 200
  EXPECT_DOUBLE_EQ(o.roi->value, 0.5);          // 100 / 200
  // 5% / 95% quantiles of {100..500} by linear interpolation: 120 and 480.
  const clv::Estimate d = clv::estimate_from_draws(delta);
  EXPECT_DOUBLE_EQ(d.lower, 120);
  EXPECT_DOUBLE_EQ(d.upper, 480);
  EXPECT_DOUBLE_EQ(o.net_benefit->lower, 120 - 200);
  EXPECT_DOUBLE_EQ(o.net_benefit->upper, 480 - 200);
  EXPECT_DOUBLE_EQ(o.roi->lower, (120 - 200) / 200.0);
  EXPECT_DOUBLE_EQ(o.roi->upper, (480 - 200) / 200.0);
  for (const clv::Estimate& e : {*o.net_benefit, *o.roi}) {
    EXPECT_LE(e.lower, e.value);
    EXPECT_LE(e.value, e.upper);
  }
}

TEST(ScenarioCosts, NoCostGivenAndZeroCost) {
  const std::vector<double> delta = {50, 40, 60};
  const clv::CostOutcome none = clv::cost_outcome(std::nullopt, delta);
  EXPECT_FALSE(none.cost);
  EXPECT_FALSE(none.net_benefit);
  EXPECT_FALSE(none.roi);
  // A cost of 0 is given: the net benefit is the CLV change, and there is no
  // ROI (never an infinite one).
  const clv::CostOutcome zero = clv::cost_outcome(0.0, delta);
  ASSERT_TRUE(zero.cost && zero.net_benefit);
  EXPECT_EQ(*zero.cost, 0);
  EXPECT_DOUBLE_EQ(zero.net_benefit->value, 50);
  EXPECT_FALSE(zero.roi);
  // Point estimates only (no draws): the interval is the point.
  const clv::CostOutcome point = clv::cost_outcome(10.0, {30});
  EXPECT_DOUBLE_EQ(point.roi->value, 2);
  EXPECT_DOUBLE_EQ(point.roi->lower, 2);
  EXPECT_DOUBLE_EQ(point.roi->upper, 2);
  EXPECT_THROW(clv::cost_outcome(-1.0, delta), clv::Error);
}

}  // namespace
