#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "clv/churn.hpp"
#include "clv/error.hpp"
#include "models/pareto_nbd.hpp"

namespace clv {
namespace {

CovariateParetoNbd cdnow_like_model() {
  CovariateParetoNbd m;
  m.r = 0.55;
  m.alpha = 10.58;
  m.s = 0.61;
  m.beta = 11.67;
  m.scaling = {{"unresolved"}, {1.0}, {2.0}};
  m.gamma_purchase = {0.0};
  m.gamma_dropout = {0.5};
  m.baseline.params = {m.r, m.alpha, m.s, m.beta};
  return m;
}

TEST(ChurnPrediction, AtTheMeanCovariateItIsPlainParetoNbd) {
  const CovariateParetoNbd m = cdnow_like_model();
  const ParetoNbdParams p{m.r, m.alpha, m.s, m.beta};
  const ChurnPrediction c = predict_churn(m, {2, 30.43, 38.86, {1.0}}, 39.0);
  EXPECT_NEAR(c.p_alive, pnbd_p_alive(p, 2, 30.43, 38.86), 1e-12);
  EXPECT_NEAR(c.expected_purchases, pnbd_conditional_expected(p, 2, 30.43, 38.86, 39.0), 1e-10);
  EXPECT_NEAR(c.churn_risk,
              1.0 - c.p_alive * std::pow((m.beta + 38.86) / (m.beta + 38.86 + 39.0), m.s), 1e-12);
}

TEST(ChurnPrediction, ProbabilitiesAreConsistent) {
  const CovariateParetoNbd m = cdnow_like_model();
  for (double x : {0.0, 1.0, 7.0}) {
    const CustomerHistory c{x, x > 0 ? 20.0 : 0.0, 38.0, {3.0}};
    double previous = -1;
    for (double h : {0.0, 4.0, 26.0, 104.0}) {
      const ChurnPrediction p = predict_churn(m, c, h);
      EXPECT_GE(p.churn_risk, previous);  // risk grows with the horizon
      previous = p.churn_risk;
      EXPECT_GE(p.p_no_purchase + 1e-12, 1.0 - p.p_alive);  // the dead never buy
      EXPECT_LE(p.p_no_purchase, 1.0);
      if (h == 0.0) {
        EXPECT_NEAR(p.churn_risk, 1.0 - p.p_alive, 1e-12);
        EXPECT_NEAR(p.p_no_purchase, 1.0, 1e-12);
      }
    }
  }
}

TEST(ChurnPrediction, NoPurchaseProbabilityMatchesMonteCarloOverPosterior) {
  // Alive customer (p_alive computed), posterior rates Gamma(r+x, alpha+T),
  // Gamma(s, beta+T): simulate the window directly.
  const CovariateParetoNbd m = cdnow_like_model();
  const CustomerHistory c{3, 30, 38, {1.0}};
  const double H = 20;
  const ChurnPrediction p = predict_churn(m, c, H);
  std::mt19937_64 rng(7);
  std::gamma_distribution<double> lam(m.r + 3, 1.0 / (m.alpha + 38)), mu(m.s, 1.0 / (m.beta + 38));
  std::uniform_real_distribution<double> u(0, 1);
  const int n = 200000;
  int none = 0;
  for (int i = 0; i < n; ++i) {
    if (u(rng) > p.p_alive) {
      ++none;
      continue;
    }
    const double l = lam(rng), d = mu(rng);
    const double death = std::exponential_distribution<double>(d)(rng);
    const double first = std::exponential_distribution<double>(l)(rng);
    if (first > std::min(death, H)) ++none;
  }
  EXPECT_NEAR(p.p_no_purchase, static_cast<double>(none) / n, 0.005);
}

TEST(ChurnPrediction, RiskBandsAndAuc) {
  EXPECT_STREQ(risk_band_name(risk_band(0.1)), "low");
  EXPECT_STREQ(risk_band_name(risk_band(0.3)), "medium");
  EXPECT_STREQ(risk_band_name(risk_band(0.6)), "high");
  EXPECT_STREQ(risk_band_name(risk_band(0.9)), "critical");
  EXPECT_DOUBLE_EQ(roc_auc({0.1, 0.2, 0.8, 0.9}, {false, false, true, true}), 1.0);
  EXPECT_DOUBLE_EQ(roc_auc({0.1, 0.2, 0.8, 0.9}, {true, true, false, false}), 0.0);
  EXPECT_DOUBLE_EQ(roc_auc({0.5, 0.5, 0.5, 0.5}, {true, false, true, false}), 0.5);
  // One positive (0.4) above one of two negatives: 1/2... (0.3 < 0.4 < 0.7).
  EXPECT_DOUBLE_EQ(roc_auc({0.3, 0.4, 0.7}, {false, true, false}), 0.5);
  EXPECT_THROW(roc_auc({0.1, 0.2}, {true, true}), Error);
}

TEST(ChurnPrediction, BadInputIsRejected) {
  const CovariateParetoNbd m = cdnow_like_model();
  EXPECT_THROW(predict_churn(m, {1, 5, 4, {0.0}}, 10), Error);       // t_x > T
  EXPECT_THROW(predict_churn(m, {1, 2, 4, {0.0, 1.0}}, 10), Error);  // covariate count
  EXPECT_THROW(predict_churn(m, {1, 2, 4, {0.0}}, -1), Error);       // horizon
  EXPECT_THROW(predict_churn(m, {1, 2, 4, {std::nan("")}}, 1), Error);
}

}  // namespace
}  // namespace clv
