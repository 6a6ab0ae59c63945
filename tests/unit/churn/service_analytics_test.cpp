// Hand-made checks of the service-analytics pieces: the time-varying service
// state, covariate screening, the at-risk ranking and the fit check.
#include <gtest/gtest.h>

#include <cmath>

#include "churn/covariate_screening.hpp"
#include "clv/churn.hpp"
#include "clv/covariates.hpp"
#include "clv/error.hpp"
#include "clv/fit_check.hpp"
#include "clv/models.hpp"
#include "models/pareto_nbd.hpp"

namespace clv {
namespace {

IncidentObservation incident(double opened, double resolved, double satisfaction, double empathy) {
  IncidentObservation inc;
  inc.opened = opened;
  inc.resolved = resolved;
  inc.satisfaction = satisfaction;
  inc.empathy = empathy;
  inc.severity = 3;
  return inc;
}

TEST(TimeVaryingCovariates, StateFollowsEachIncidentFromWhenItHappens) {
  CustomerCovariateData d;
  d.incidents_group = d.staff_group = d.time_varying = true;
  d.selected = {"incident_count", "unresolved_count", "mean_resolution_vs_sla", "satisfaction",
                "staff_empathy"};
  IncidentRules rules;
  rules.expected_resolution = 2.0;  // SLA 2 units
  d.rules = {rules};
  d.T = {40};
  // Resolved in 1 unit (ratio 0.5) with a 5; opened at 20 and never resolved with a 1.
  d.incidents = {{incident(10, 11, 5, 8), incident(20, -1, 1, 2)}};
  ASSERT_EQ(d.names(), d.selected);
  auto at = [&](double t) { return d.row_at(0, d.incidents[0], t); };
  // Before any incident: no service effect (neutral ratio 1, satisfaction 3, trait 5).
  EXPECT_EQ(at(5), (std::vector<double>{0, 0, 1, 3, 5}));
  EXPECT_EQ(at(10.5), (std::vector<double>{1, 1, 1, 3, 8}));  // open, not yet surveyed
  EXPECT_EQ(at(11), (std::vector<double>{1, 0, 0.5, 5, 8}));
  EXPECT_EQ(at(21), (std::vector<double>{2, 1, 0.5, 5, 5}));
  // The unresolved one's survey counts once it is given up (2 SLAs = 4 units).
  EXPECT_EQ(at(24), (std::vector<double>{2, 1, 0.5, 3, 5}));
  EXPECT_EQ(d.change_times(0), (std::vector<double>{10, 11, 20, 24}));
  // The row at T is what scoring and what-if use.
  EXPECT_EQ(d.row(0, d.incidents[0]), at(40));
  // A single column that is not a time-varying one is named in the error.
  d.selected = {"incident_rate"};
  try {
    d.build();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("incident_rate"), std::string::npos);
  }
}

TEST(CovariateScreening, DropsConstantAndCollinearColumnsWithANote) {
  CovariateMatrix m{{"a", "flat", "twice_a", "b"}, {}};
  const double a[5] = {1, 2, 3, 4, 6}, b[5] = {0, 1, 0, 1, 1};
  for (int i = 0; i < 5; ++i) {
    m.values.insert(m.values.end(), {a[i], 7.0, 2 * a[i] + 1, b[i]});
  }
  const CovariateScreen s = screen_covariates(m);
  EXPECT_EQ(s.kept, (std::vector<size_t>{0, 3}));
  ASSERT_EQ(s.notes.size(), 2u);
  EXPECT_NE(s.notes[0].find("'flat' is constant"), std::string::npos) << s.notes[0];
  EXPECT_NE(s.notes[1].find("'twice_a' moves with 'a'"), std::string::npos) << s.notes[1];
  const CovariateMatrix kept = select_columns(m, s.kept);
  EXPECT_EQ(kept.names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(kept.at(4, 0), 6.0);
  EXPECT_EQ(kept.at(4, 1), 1.0);
}

TEST(AtRisk, RanksAliveValuableCustomersAboveCustomersAlreadyGone) {
  ChurnPrediction gone;  // churn risk ~1 but nothing left to save
  gone.p_alive = 0.001;
  gone.churn_risk = 0.999;
  gone.risk_if_alive = 0.4;
  gone.purchase_rate_if_alive = 0.5;
  ChurnPrediction risky = gone;  // alive, likely to leave, buys often
  risky.p_alive = 0.9;
  risky.churn_risk = 0.46;
  risky.risk_if_alive = 0.4;
  risky.purchase_rate_if_alive = 0.5;
  ChurnPrediction loyal = risky;  // alive and staying
  loyal.churn_risk = 0.19;
  loyal.risk_if_alive = 0.1;
  ChurnPrediction small = risky;  // as risky, but spends little
  const std::vector<ChurnPrediction> p = {gone, loyal, risky, small};
  const std::vector<double> spend = {100, 100, 100, 5};
  std::vector<double> var;
  for (size_t i = 0; i < p.size(); ++i) var.push_back(value_at_risk(p[i], spend[i], 10));
  // 0.9 x 0.4 x (0.5 x 10 x 100) = 180.
  EXPECT_NEAR(var[2], 180.0, 1e-9);
  EXPECT_NEAR(var[0], 0.001 * 0.4 * 500, 1e-9);
  EXPECT_EQ(at_risk_order(var, p, 10), (std::vector<size_t>{2, 1, 3, 0}));
  EXPECT_EQ(at_risk_order(var, p, 2), (std::vector<size_t>{2, 1}));
}

TEST(AtRisk, PredictionCarriesTheRiskIfAliveAndThePurchaseRate) {
  CovariateParetoNbd m;
  m.r = 0.5, m.alpha = 10, m.s = 0.8, m.beta = 12;
  const ChurnPrediction p = predict_churn(m, {2, 20, 30, {}}, 26);
  EXPECT_NEAR(p.risk_if_alive, 1 - std::pow(42.0 / 68.0, 0.8), 1e-12);
  EXPECT_NEAR(p.purchase_rate_if_alive, 2.5 / 40.0, 1e-12);
  EXPECT_NEAR(p.churn_risk, 1 - p.p_alive * (1 - p.risk_if_alive), 1e-12);
}

TEST(FitCheck, AcceptsTheModelsOwnDataAndFlagsSplitVisits) {
  const ParetoNbdParams truth{0.55, 10.6, 0.6, 11.7};
  std::vector<double> lengths(3000);
  for (size_t i = 0; i < lengths.size(); ++i) lengths[i] = 30 + 0.01 * static_cast<double>(i);
  const auto rows = simulate_pnbd(truth, lengths, 11);
  RfmData data;
  for (const auto& r : rows) {
    data.x.push_back(r.x);
    data.t_x.push_back(r.t_x);
    data.T.push_back(r.T);
  }
  const FitResult fit = fit_model("pnbd", data);
  const FitCheck ok = check_fit(fit, data);
  ASSERT_TRUE(ok.supported);
  EXPECT_FALSE(ok.misfit) << (ok.warnings.empty() ? "" : ok.warnings[0]);
  EXPECT_NEAR(ok.expected_repeat, ok.actual_repeat, 0.05 * ok.actual_repeat);
  // Each visit split into four rows on consecutive days: a burst no Poisson
  // rate explains, and the fitted model no longer matches the counts.
  RfmData split = data;
  for (size_t i = 0; i < split.size(); ++i) {
    if (split.x[i] > 0)
      split.x[i] = 4 * split.x[i] + 3;
    else
      split.x[i] = 3, split.t_x[i] = std::min(split.T[i], 3.0 / 7.0);
  }
  const FitResult bad_fit = fit_model("pnbd", split);
  const FitCheck bad = check_fit(bad_fit, split);
  EXPECT_TRUE(bad.misfit);
  ASSERT_FALSE(bad.warnings.empty());
  EXPECT_NE(bad.warnings.back().find("several rows per visit"), std::string::npos);
  // Models without a check say so instead of passing silently.
  FitResult gg;
  gg.model = "gg";
  EXPECT_FALSE(check_fit(gg, data).supported);
}

}  // namespace
}  // namespace clv
