// Simulation recovery: unresolved incidents and low staff empathy raise
// dropout by known amounts; the covariate Pareto/NBD must recover them and
// its churn risk must discriminate and be calibrated on the holdout.
#include <cmath>
#include <numeric>

#include <gtest/gtest.h>

#include "clv/churn.hpp"
#include "covariate_simulation.hpp"

namespace clv {
namespace {

constexpr double kBPurchase[2] = {-0.25, 0.0};  // per unresolved incident, per empathy point
constexpr double kBDropout[2] = {0.6, -0.18};   // unresolved raises, empathy lowers dropout
constexpr double kHoldout = 39.0;

struct Fixture {
  testing_support::SimulatedPortfolio data = testing_support::simulate_incident_portfolio(
      5000, 0.9, 8.0, 0.8, 15.0, kBPurchase, kBDropout, kHoldout, 20261123);
  CovariateParetoNbd model = fit_covariate_pnbd(data.x, data.t_x, data.T, data.raw);
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

double sample_sd(const CovariateMatrix& m, size_t j) {
  const size_t n = m.n_customers();
  double mean = 0, ss = 0;
  for (size_t i = 0; i < n; ++i) mean += m.at(i, j) / static_cast<double>(n);
  for (size_t i = 0; i < n; ++i) ss += (m.at(i, j) - mean) * (m.at(i, j) - mean);
  return std::sqrt(ss / static_cast<double>(n - 1));
}

TEST(ChurnRecovery, CoefficientsWithinTheirConfidenceIntervals) {
  const Fixture& f = fixture();
  ASSERT_TRUE(f.model.fit.converged);
  const size_t k = 2;
  for (size_t j = 0; j < k; ++j) {
    // Truth on the standardized scale: raw effect times the covariate's sd.
    const double sd = sample_sd(f.data.raw, j);
    const double true_p = kBPurchase[j] * sd, true_d = kBDropout[j] * sd;
    const double se_p = f.model.fit.std_errors[4 + j], se_d = f.model.fit.std_errors[4 + k + j];
    ASSERT_GT(se_p, 0.0);
    ASSERT_GT(se_d, 0.0);
    // 99% intervals: four coefficients are checked at once.
    EXPECT_NEAR(f.model.gamma_purchase[j], true_p, 2.576 * se_p) << f.model.scaling.names[j];
    EXPECT_NEAR(f.model.gamma_dropout[j], true_d, 2.576 * se_d) << f.model.scaling.names[j];
    EXPECT_LT(se_d, 0.5 * std::max(0.2, std::abs(true_d)));  // informative, not just wide
  }
  EXPECT_GT(f.model.gamma_dropout[0], 0.0);  // unresolved incidents raise churn
  EXPECT_LT(f.model.gamma_dropout[1], 0.0);  // empathy lowers it
  EXPECT_GT(f.model.fit.log_likelihood, f.model.baseline.log_likelihood);
}

TEST(ChurnRecovery, ChurnRiskDiscriminatesAndIsCalibratedOnTheHoldout) {
  const Fixture& f = fixture();
  std::vector<CustomerHistory> customers;
  for (size_t i = 0; i < f.data.x.size(); ++i) {
    customers.push_back(
        {f.data.x[i], f.data.t_x[i], f.data.T[i], {f.data.raw.at(i, 0), f.data.raw.at(i, 1)}});
  }
  const ChurnValidation v = validate_churn(f.model, customers, f.data.x_holdout, kHoldout);
  RecordProperty("auc", std::to_string(v.auc));
  EXPECT_GT(v.auc, 0.75);
  EXPECT_LT(v.mae_with_covariates, v.mae_without_covariates);
  ASSERT_EQ(v.calibration.size(), 10u);
  double predicted = 0, observed = 0;
  for (const CalibrationBin& b : v.calibration) {
    EXPECT_NEAR(b.predicted, b.observed, 0.08);  // 500 customers per bin: sd <= 0.023
    predicted += b.predicted / 10;
    observed += b.observed / 10;
  }
  EXPECT_NEAR(predicted, observed, 0.02);

  // Churn risk is the probability of true death by the horizon: compare with it.
  double risk_sum = 0, dead = 0;
  for (size_t i = 0; i < customers.size(); ++i) {
    risk_sum += predict_churn(f.model, customers[i], kHoldout).churn_risk;
    dead += f.data.dead_by_end[i] ? 1 : 0;
  }
  EXPECT_NEAR(risk_sum / customers.size(), dead / customers.size(), 0.03);
}

TEST(ChurnRecovery, DriversNameUnresolvedIncidentsWithTheRightSign) {
  const Fixture& f = fixture();
  // A customer with 4 unresolved incidents and average empathy.
  const CustomerHistory c{2, 10, 40, {4.0, f.model.scaling.mean[1]}};
  const auto drivers = churn_drivers(f.model, c, 26.0, 2);
  ASSERT_EQ(drivers.size(), 2u);
  EXPECT_EQ(drivers[0].covariate, "unresolved_count");
  EXPECT_GT(drivers[0].effect, 0.0);
  EXPECT_NEAR(drivers[1].effect, 0.0, 1e-12);  // empathy at the mean moves nothing
  // Same history, fewer unresolved incidents: lower risk.
  CustomerHistory calm = c;
  calm.covariates[0] = 0.0;
  EXPECT_LT(predict_churn(f.model, calm, 26.0).churn_risk,
            predict_churn(f.model, c, 26.0).churn_risk);
}

}  // namespace
}  // namespace clv
