#include <gtest/gtest.h>

#include "clv/covariates.hpp"
#include "clv/error.hpp"

namespace clv {
namespace {

TEST(IncidentCovariates, CountsWeightsResolutionAndStaff) {
  IncidentRules rules;
  rules.severity_weight = {1, 2, 4, 8, 16};
  rules.category_weight = {{"billing", 0.5}};
  rules.expected_resolution = 2.0;
  IncidentObservation resolved_fast;
  resolved_fast.opened = 5;
  resolved_fast.resolved = 6;
  resolved_fast.severity = 3;
  resolved_fast.category = "billing";
  resolved_fast.satisfaction = 5;
  resolved_fast.compensation = 20;
  resolved_fast.empathy = 8;
  resolved_fast.trust = 6;
  IncidentObservation open_long;
  open_long.opened = 10;
  open_long.severity = 2;
  open_long.empathy = 2;
  const std::vector<std::vector<IncidentObservation>> incidents = {{resolved_fast, open_long}, {}};
  const CovariateMatrix m = build_incident_covariates(incidents, {20, 10}, rules, true, true);
  ASSERT_EQ(m.names, incident_covariate_names(true, true));
  ASSERT_EQ(m.n_customers(), 2u);
  auto col = [&](const char* name) {
    for (size_t j = 0; j < m.names.size(); ++j)
      if (m.names[j] == name) return j;
    ADD_FAILURE() << name;
    return size_t{0};
  };
  EXPECT_DOUBLE_EQ(m.at(0, col("incident_count")), 2);
  EXPECT_DOUBLE_EQ(m.at(0, col("incident_rate")), 0.1);
  EXPECT_DOUBLE_EQ(m.at(0, col("severity_weighted")), 4 * 0.5 + 2);
  EXPECT_DOUBLE_EQ(m.at(0, col("unresolved_count")), 1);
  EXPECT_DOUBLE_EQ(m.at(0, col("mean_resolution_vs_sla")), 0.5);
  // Open 10 weeks with an SLA of 2: capped at kGivenUpSlas (beyond, its age is exposure).
  EXPECT_DOUBLE_EQ(m.at(0, col("worst_resolution_vs_sla")), kGivenUpSlas);
  EXPECT_DOUBLE_EQ(m.at(0, col("compensation")), 20);
  EXPECT_DOUBLE_EQ(m.at(0, col("staff_empathy")), 5);
  EXPECT_DOUBLE_EQ(m.at(0, col("staff_trust")), 6);
  // No incidents: counts 0; unknown satisfaction/staff take the portfolio mean.
  EXPECT_DOUBLE_EQ(m.at(1, col("incident_count")), 0);
  EXPECT_DOUBLE_EQ(m.at(1, col("satisfaction")), 5);
  EXPECT_DOUBLE_EQ(m.at(1, col("mean_resolution_vs_sla")), 0.5);  // unknown, not fast
  EXPECT_DOUBLE_EQ(m.at(1, col("staff_empathy")), 5);
}

TEST(IncidentCovariates, ScalingStandardizesAndRejectsConstants) {
  CovariateMatrix m{{"a", "b"}, {1, 10, 2, 10, 3, 10}};
  EXPECT_THROW(fit_scaling(m), Error);  // b is constant
  m.values = {1, 10, 2, 20, 3, 30};
  const CovariateScaling s = fit_scaling(m);
  EXPECT_DOUBLE_EQ(s.mean[0], 2);
  EXPECT_DOUBLE_EQ(s.scale[0], 1);
  EXPECT_DOUBLE_EQ(s.scale[1], 10);
  const CovariateMatrix z = standardize(m, s);
  EXPECT_DOUBLE_EQ(z.at(2, 1), 1.0);
  EXPECT_THROW(s.standardize({1.0}), Error);
  EXPECT_THROW(build_incident_covariates({{}}, {1, 2}, IncidentRules{}, true, false), Error);
}

}  // namespace
}  // namespace clv
