// Service breakdown arithmetic on a hand-made portfolio: per-group counts and
// rates, the counterfactual attribution (groups sum to the portfolio's total)
// and the ranks of sites within their regions.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "clv/error.hpp"
#include "clv/service_breakdown.hpp"

namespace clv {
namespace {

IncidentObservation incident(double opened, double resolved, double satisfaction,
                             const std::string& site, const std::string& employee,
                             const std::string& role) {
  IncidentObservation inc;
  inc.opened = opened;
  inc.resolved = resolved;
  inc.satisfaction = satisfaction;
  inc.severity = 3;
  inc.employee_location = site;
  inc.employee = employee;
  inc.employee_role = role;
  return inc;
}

struct HandMade {
  CustomerCovariateData data;
  CovariateParetoNbd model;
  ServicePortfolio portfolio;

  HandMade() {
    data.incidents_group = true;
    data.time_varying = true;
    data.selected = {"unresolved_count", "satisfaction"};
    IncidentRules rules;
    rules.expected_resolution = 1.0;
    data.rules = {rules};
    data.T = {40, 40, 40, 40};
    data.incidents = {
        {incident(10, -1, -1, "A", "E1", "desk"), incident(20, 20.5, 5, "B", "E2", "house")},
        {},
        {incident(30, -1, 1, "B", "E2", "house")},
        {}};
    model.r = 0.5, model.alpha = 5, model.s = 0.8, model.beta = 20;
    model.scaling.names = data.names();
    model.scaling.mean = {0, 3};
    model.scaling.scale = {1, 1};
    model.gamma_purchase = {0, 0};
    model.gamma_dropout = {0.5, -0.3};
    portfolio.model = &model;
    portfolio.data = &data;
    portfolio.x = {3, 2, 1, 4};
    portfolio.t_x = {35, 30, 32, 38};
    portfolio.T = data.T;
    portfolio.customer_site = {"A", "A", "B", "C"};
    portfolio.customer_region = {"R1", "R1", "R2", "R1"};
    portfolio.spend_per_purchase = {10, 10, 10, 10};
  }
  double risk(size_t i, const std::vector<IncidentObservation>& records) const {
    return predict_churn(
               model, {portfolio.x[i], portfolio.t_x[i], portfolio.T[i], data.row(i, records)}, 26)
        .churn_risk;
  }
};

std::map<std::string, ServiceGroup> by_name(const ServiceBreakdown& b) {
  std::map<std::string, ServiceGroup> out;
  for (const auto& g : b.groups) out[g.group] = g;
  return out;
}

TEST(ServiceBreakdown, SitesCountRateAndAttributeChurnThatSumsToTheTotal) {
  const HandMade h;
  const ServiceBreakdown b = service_breakdown(h.portfolio, ServiceKey::kLocation, 26);
  auto g = by_name(b);
  ASSERT_EQ(g.size(), 3u);
  EXPECT_EQ(g["A"].customers, 2);  // home site of customers 0 and 1
  EXPECT_EQ(g["A"].incidents, 1);
  EXPECT_DOUBLE_EQ(g["A"].incidents_per_100, 50);
  EXPECT_EQ(g["B"].customers, 1);
  EXPECT_EQ(g["B"].incidents, 2);  // handled at B, whatever the customer's home
  EXPECT_DOUBLE_EQ(g["B"].incidents_per_100, 200);
  EXPECT_DOUBLE_EQ(g["B"].resolved_within_sla, 0.5);  // 0.5 units against an SLA of 1
  EXPECT_DOUBLE_EQ(g["B"].satisfaction, 3);           // (5 + 1) / 2
  EXPECT_DOUBLE_EQ(g["A"].resolved_within_sla, 0.0);
  EXPECT_EQ(g["C"].incidents, 0);
  EXPECT_EQ(g["C"].attributable_churn, 0);
  // The median handling: the one resolved incident's ratio 0.5, satisfaction 3.
  EXPECT_DOUBLE_EQ(b.median_resolution_ratio, 0.5);
  EXPECT_DOUBLE_EQ(b.median_satisfaction, 3);

  // The groups sum to the portfolio's total.
  double sum = 0;
  for (const auto& grp : b.groups) sum += grp.attributable_churn;
  EXPECT_NEAR(sum, b.total_attributable_churn, 1e-12);
  // Customer 2 has one incident (at B, open, satisfaction 1): its whole
  // counterfactual goes to B; at the median it is resolved at 30.5 with a 3.
  IncidentObservation median = h.data.incidents[2][0];
  median.resolved = 30.5;
  median.satisfaction = 3;
  const double own2 = h.risk(2, h.data.incidents[2]) - h.risk(2, {median});
  EXPECT_GT(own2, 0.0);  // an open incident and a 1 raise the risk
  // Customer 0: both incidents at the median.
  auto at_median0 = h.data.incidents[0];
  at_median0[0].resolved = 10.5, at_median0[0].satisfaction = 3;
  at_median0[1].resolved = 20.5, at_median0[1].satisfaction = 3;
  const double total0 = h.risk(0, h.data.incidents[0]) - h.risk(0, at_median0);
  EXPECT_NEAR(b.total_attributable_churn, total0 + own2, 1e-12);
  EXPECT_NEAR(g["A"].attributable_churn + g["B"].attributable_churn, total0 + own2, 1e-12);
  // A's incident left open is worse than the median: positive attributable churn.
  EXPECT_GT(g["A"].attributable_churn, 0.0);
  // Ranks within regions: A and C in R1 (C causes no churn: first), B alone in R2.
  EXPECT_EQ(g["A"].region, "R1");
  EXPECT_EQ(g["C"].rank_in_region, 1);
  EXPECT_EQ(g["A"].rank_in_region, 2);
  EXPECT_EQ(g["A"].groups_in_region, 2);
  EXPECT_EQ(g["B"].region, "R2");
  EXPECT_EQ(g["B"].rank_in_region, 1);
  // Most attributable churn per customer first.
  EXPECT_GE(b.groups[0].attributable_per_100, b.groups[1].attributable_per_100);
  // CLV at risk: the home customers' value at risk.
  EXPECT_GT(g["A"].clv_at_risk, 0.0);
}

// Issue 14: a virtual channel, a site whose customers have no region and one
// that serves several regions with no majority are not ranked within a
// region; the ranks of the other sites count only ranked sites.
TEST(ServiceBreakdown, SitesOfNoOneRegionAreNotRanked) {
  HandMade h;
  h.portfolio.customer_site = {"A", "Online", "C", "Mixed"};
  h.portfolio.customer_region = {"R1", "R1", "R1", ""};
  auto g = by_name(service_breakdown(h.portfolio, ServiceKey::kLocation, 26));
  // "Online" has one customer, in R1, yet it is a channel, not a place.
  EXPECT_EQ(g["Online"].rank_in_region, 0);
  EXPECT_EQ(g["Online"].region, "");
  EXPECT_NE(g["Online"].unranked_reason.find("virtual channel"), std::string::npos);
  // "Mixed": its only customer has no known region.
  EXPECT_EQ(g["Mixed"].rank_in_region, 0);
  EXPECT_NE(g["Mixed"].unranked_reason.find("no region"), std::string::npos);
  // "B" only handles incidents: no home customer, no region.
  EXPECT_EQ(g["B"].rank_in_region, 0);
  EXPECT_FALSE(g["B"].unranked_reason.empty());
  // A and C are R1's two ranked sites (C causes no churn: first).
  EXPECT_EQ(g["A"].groups_in_region, 2);
  EXPECT_EQ(g["C"].groups_in_region, 2);
  EXPECT_EQ(g["C"].rank_in_region, 1);
  EXPECT_EQ(g["A"].rank_in_region, 2);
  EXPECT_TRUE(g["A"].unranked_reason.empty());

  // A site whose customers come from three regions, none holding half.
  h.portfolio.customer_site = {"Hub", "Hub", "Hub", "C"};
  h.portfolio.customer_region = {"R1", "R2", "R3", "R1"};
  g = by_name(service_breakdown(h.portfolio, ServiceKey::kLocation, 26));
  EXPECT_EQ(g["Hub"].rank_in_region, 0);
  EXPECT_NE(g["Hub"].unranked_reason.find("3 regions"), std::string::npos)
      << g["Hub"].unranked_reason;
  EXPECT_EQ(g["C"].rank_in_region, 1);
  EXPECT_EQ(g["C"].groups_in_region, 1);

  EXPECT_TRUE(is_virtual_site("online"));
  EXPECT_TRUE(is_virtual_site("E-Commerce"));
  EXPECT_TRUE(is_virtual_site("Call Centre"));
  EXPECT_FALSE(is_virtual_site("store-berlin"));
  EXPECT_FALSE(is_virtual_site("hotel-rome"));
}

TEST(ServiceBreakdown, DepartmentsAndEmployeesCountTheCustomersTheyHandled) {
  const HandMade h;
  auto dep = by_name(service_breakdown(h.portfolio, ServiceKey::kDepartment, 26));
  EXPECT_EQ(dep["desk"].customers, 1);
  EXPECT_EQ(dep["house"].customers, 2);
  EXPECT_DOUBLE_EQ(dep["house"].incidents_per_100, 100);
  auto emp = by_name(service_breakdown(h.portfolio, ServiceKey::kEmployee, 26));
  EXPECT_EQ(emp["E2"].incidents, 2);
  auto reg = by_name(service_breakdown(h.portfolio, ServiceKey::kRegion, 26));
  EXPECT_EQ(reg["R1"].customers, 3);
  EXPECT_EQ(reg["R2"].incidents, 1);
  EXPECT_THROW(parse_service_key("galaxy"), Error);
}

TEST(ServiceFigures, RepurchaseAndLossesByHandling) {
  const HandMade h;
  // Customer 0 buys again at 25 (after both), customer 2 never after 30.
  const std::vector<std::vector<double>> times = {{5, 25}, {1}, {2}, {}};
  const ServiceFigures f = service_figures(h.data, times);
  EXPECT_EQ(f.incidents_within_sla, 1);
  EXPECT_DOUBLE_EQ(f.repurchase_within_sla, 1.0);
  EXPECT_EQ(f.incidents_unresolved, 2);
  EXPECT_DOUBLE_EQ(f.repurchase_unresolved, 0.5);  // customer 0 yes, customer 2 no
  EXPECT_EQ(f.worst_incidents, 1);                 // satisfaction 1
  EXPECT_DOUBLE_EQ(f.lost_after_worst, 1.0);
}

// Word of mouth by hand: customer 0 is satisfied (scores 5 and 4, mean 4.5),
// 1 unhappy (an open incident despite a 4), 2 unhappy (score 2), 3 neither
// (score 3), 4 neither (no incident), 5 neither (no score).
TEST(WordOfMouth, SatisfiedWinAndUnhappyLoseProspects) {
  CustomerCovariateData d;
  auto resolved = [](double satisfaction) {
    IncidentObservation r;
    r.opened = 1, r.resolved = 2, r.satisfaction = satisfaction;
    return r;
  };
  IncidentObservation open;
  open.opened = 3;  // resolved < 0: open at the cut-off
  d.incidents = {{resolved(5), resolved(4)},
                 {resolved(4), open},
                 {resolved(2)},
                 {resolved(3)},
                 {},
                 {resolved(-1)}};
  WordOfMouthAssumptions a;
  a.conversion = 0.02;
  const WordOfMouth w = word_of_mouth(d, a, {10, 20, 30, 40, 50, 60}, "test");
  EXPECT_EQ(w.satisfied, 1);
  EXPECT_EQ(w.unhappy, 2);
  EXPECT_DOUBLE_EQ(w.prospects_won_low, 1 * 9 * 0.02);
  EXPECT_DOUBLE_EQ(w.prospects_won_high, 1 * 12 * 0.02);
  EXPECT_DOUBLE_EQ(w.prospects_lost, 2 * 20 * 0.02);
  EXPECT_DOUBLE_EQ(w.value_won_low, 10 * 9 * 0.02);       // 1.8
  EXPECT_DOUBLE_EQ(w.value_won_high, 10 * 12 * 0.02);     // 2.4
  EXPECT_DOUBLE_EQ(w.value_lost, (20 + 30) * 20 * 0.02);  // 20
  EXPECT_DOUBLE_EQ(w.net_low, 1.8 - 20);
  EXPECT_DOUBLE_EQ(w.net_high, 2.4 - 20);
  EXPECT_DOUBLE_EQ(w.value_per_prospect, 20);  // mean over customers 0, 1, 2
  // Raising the unhappy threshold to 3 makes customer 3 unhappy too.
  a.unhappy_max_satisfaction = 3;
  EXPECT_EQ(word_of_mouth(d, a, {10, 20, 30, 40, 50, 60}, "test").unhappy, 3);
  // Bad assumptions are refused naming the field.
  WordOfMouthAssumptions bad;
  bad.conversion = 1.5;
  try {
    word_of_mouth(d, bad, std::vector<double>(6, 1.0), "test");
    FAIL() << "conversion 1.5 accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("conversion"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace clv
